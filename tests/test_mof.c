/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the MOF engine on hand-built inputs, and of the model file loader. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mof.h"
#include "tap.h"

struct status_case {
	bool present;
	const char *license;
	enum osp_mof_type type;
	enum osp_mof_status want;
};

static const struct status_case statuses[] = {
	{false, "MIT", OSP_MOF_CODE, OSP_MOF_MISSING},
	{true, NULL, OSP_MOF_CODE, OSP_MOF_UNLICENSED},
	{true, "", OSP_MOF_CODE, OSP_MOF_UNLICENSED},
	{true, "  ", OSP_MOF_CODE, OSP_MOF_UNLICENSED},
	{true, "unlicensed", OSP_MOF_CODE, OSP_MOF_UNLICENSED},
	{true, " Unlicensed ", OSP_MOF_DATA, OSP_MOF_UNLICENSED},
	{true, "Unlicense", OSP_MOF_CODE, OSP_MOF_INCLUDED_WARNING},
	{true, "MIT", OSP_MOF_CODE, OSP_MOF_INCLUDED},
	{true, "mit", OSP_MOF_CODE, OSP_MOF_INCLUDED},
	{true, "MIT", OSP_MOF_DOC, OSP_MOF_INCLUDED_WARNING},
	{true, "Apache-2.0", OSP_MOF_DOC, OSP_MOF_INCLUDED},
	{true, "Apache-2.0", OSP_MOF_DATA, OSP_MOF_INCLUDED_WARNING},
	{true, "GPL-3.0-only", OSP_MOF_CODE, OSP_MOF_INCLUDED_WARNING},
	{true, "CC-BY-4.0", OSP_MOF_DOC, OSP_MOF_INCLUDED},
	{true, "CC-BY-SA-3.0-AT", OSP_MOF_DATA, OSP_MOF_INCLUDED_WARNING},
	{true, "CDLA-Permissive-2.0", OSP_MOF_DATA, OSP_MOF_INCLUDED},
	{true, "ODC-PDDL-1.0", OSP_MOF_DATA, OSP_MOF_INCLUDED},
	{true, "OpenMDW-1.0", OSP_MOF_DATA, OSP_MOF_INCLUDED},
	{true, "MIT OR CC-BY-NC-4.0", OSP_MOF_CODE, OSP_MOF_INCLUDED},
	{true, "MIT AND CC-BY-NC-4.0", OSP_MOF_CODE, OSP_MOF_INVALID},
	{true, "CC-BY-NC-4.0", OSP_MOF_DOC, OSP_MOF_INVALID},
	{true, "Apache 2.0", OSP_MOF_CODE, OSP_MOF_INVALID},
	{true, "Llama 2 Community License", OSP_MOF_DATA, OSP_MOF_INVALID},
	{true, "LicenseRef-gemma", OSP_MOF_DATA, OSP_MOF_INVALID},
	{true, "Component not included", OSP_MOF_DATA, OSP_MOF_INVALID},
	{true, "Sun-PPP", OSP_MOF_CODE, OSP_MOF_INVALID},
};

static void test_statuses(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(statuses); i++) {
		const struct status_case *c = &statuses[i];

		is_str(osp_mof_status_name(osp_mof_license_status(c->present, c->license, c->type)),
		       osp_mof_status_name(c->want), "%s '%s' for %s",
		       c->present ? "present" : "absent", c->license ? c->license : "(none)",
		       osp_mof_type_name(c->type));
	}
}

static void test_table(void)
{
	unsigned req[4] = {0}, opt = 0;

	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		if (osp_mof_components[i].required)
			req[osp_mof_components[i].mof_class]++;
		else
			opt++;
		is_int(osp_mof_component_find(osp_mof_components[i].name), i, "'%s' is found",
		       osp_mof_components[i].name);
	}
	ok(req[3] == 6 && req[2] == 4 && req[1] == 4 && opt == 3,
	   "classes III, II, I require 6, 4, 4 components; 3 are optional");
	is_int(osp_mof_component_find("model card"), -1, "names match exactly, as the tool does");
	is_str(osp_mof_class_label(1), "Class I - Open Science Model", "class I label");
	is_str(osp_mof_class_label(2), "Class II - Open Tooling Model", "class II label");
	is_str(osp_mof_class_label(3), "Class III - Open Model", "class III label");
	is_str(osp_mof_class_label(0), "Unclassified", "no class label");
}

/* A license meant for each content type, so that no status carries a warning. */
static const char *fitting(enum osp_mof_type t)
{
	return t == OSP_MOF_CODE   ? "Apache-2.0"
	       : t == OSP_MOF_DATA ? "CDLA-Permissive-2.0"
				   : "CC-BY-4.0";
}

/* Every required component of class min_class and above, openly licensed. */
static void fill(struct osp_mof_input *in, int min_class)
{
	osp_mof_input_init(in);
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		const struct osp_mof_component_info *c = &osp_mof_components[i];

		if (c->required && c->mof_class >= min_class) {
			in->part[i].present = true;
			in->part[i].license = fitting(c->type);
		}
	}
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void expect(const struct osp_mof_input *in, int cls, double p1, double p2, double p3,
		   const char *what)
{
	struct osp_mof_eval ev;

	osp_mof_evaluate(in, &ev);
	is_int(ev.mof_class, cls, "%s: class", what);
	if (!ok(near(ev.progress[1], p1) && near(ev.progress[2], p2) && near(ev.progress[3], p3),
		"%s: progress", what))
		tap_diag("got %.12g %.12g %.12g, want %.12g %.12g %.12g", ev.progress[1],
			 ev.progress[2], ev.progress[3], p1, p2, p3);
}

static void test_classes(void)
{
	struct osp_mof_input in;

	osp_mof_input_init(&in);
	expect(&in, 0, 0, 0, 0, "nothing");
	fill(&in, 3);
	expect(&in, 3, 0, 60, 100, "class III exactly");
	in.part[OSP_MOF_DATA_CARD].present = false;
	expect(&in, 0, 0, 0, 5.0 / 6 * 100, "class III less the data card");
	fill(&in, 3);
	in.part[OSP_MOF_MODEL_CARD].license = "CC-BY-NC-4.0";
	expect(&in, 0, 0, 0, 5.0 / 6 * 100, "class III with a non-commercial model card");
	in.part[OSP_MOF_MODEL_CARD].license = "unlicensed";
	expect(&in, 0, 0, 0, 5.0 / 6 * 100, "class III with an unlicensed model card");
	in.part[OSP_MOF_MODEL_CARD].license = "MIT";
	expect(&in, 3, 0, 60, 100, "a code license on the model card still counts");

	fill(&in, 2);
	expect(&in, 2, 10.0 / 14 * 100, 100, 100, "class II exactly");
	in.part[OSP_MOF_EVAL_DATA].present = false;
	expect(&in, 3, 0, 90, 100, "class II less the evaluation data");
	fill(&in, 1);
	expect(&in, 1, 100, 100, 100, "class I exactly");
	in.part[OSP_MOF_DATASETS].license = "CC-BY-NC-4.0";
	expect(&in, 2, 13.0 / 14 * 100, 100, 100, "class I with non-commercial datasets");
	fill(&in, 1);
	in.part[OSP_MOF_PARAMS_FINAL].present = false;
	expect(&in, 0, 0, 0, 5.0 / 6 * 100, "everything but the final weights");
	fill(&in, 1);
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++)
		if (!osp_mof_components[i].required)
			in.part[i] = (struct osp_mof_part){true, "LicenseRef-x", in.part[i].type};
	expect(&in, 1, 100, 100, 100, "optional components do not count");
}

static void test_paper(void)
{
	struct osp_mof_input in;
	struct osp_mof_eval ev;

	fill(&in, 3);
	in.part[OSP_MOF_TECH_REPORT].present = false;
	in.part[OSP_MOF_RESEARCH_PAPER] = (struct osp_mof_part){true, "CC-BY-4.0", OSP_MOF_DOC};
	osp_mof_evaluate(&in, &ev);
	ok(ev.paper_for_report, "the paper stands in for a missing report");
	is_int(ev.mof_class, 3, "class III with the paper for the report");
	is_int(ev.counted[3][OSP_MOF_TECH_REPORT], OSP_MOF_NOT_COUNTED,
	       "the report does not count as missing");
	is_int(ev.counted[3][OSP_MOF_RESEARCH_PAPER], OSP_MOF_INCLUDED,
	       "class III counts the paper");
	is_int(ev.status[OSP_MOF_TECH_REPORT], OSP_MOF_MISSING, "the report itself is missing");
	expect(&in, 3, 0, 60, 100, "class III with the paper");

	fill(&in, 1);
	in.part[OSP_MOF_TECH_REPORT].present = false;
	osp_mof_evaluate(&in, &ev);
	is_int(ev.total[1], 13, "class I needs one component less when the paper stands in");
	expect(&in, 1, 100, 100, 100, "class I with the paper for the report");
	in.part[OSP_MOF_DATASETS].present = false;
	expect(&in, 2, 12.0 / 13 * 100, 100, 100, "class I less the datasets, paper for report");

	fill(&in, 2);
	in.part[OSP_MOF_TECH_REPORT].license = "CC-BY-NC-4.0";
	in.part[OSP_MOF_RESEARCH_PAPER] = (struct osp_mof_part){true, "CC-BY-4.0", OSP_MOF_DOC};
	expect(&in, 2, 10.0 / 13 * 100, 100, 100, "a paper stands in for a non-open report");

	fill(&in, 3);
	in.part[OSP_MOF_TECH_REPORT].present = false;
	in.part[OSP_MOF_RESEARCH_PAPER] = (struct osp_mof_part){true, "CC-BY-NC-4.0", OSP_MOF_DOC};
	osp_mof_evaluate(&in, &ev);
	is_int(ev.counted[3][OSP_MOF_RESEARCH_PAPER], OSP_MOF_INVALID,
	       "a paper under a closed license counts with its own status");
	expect(&in, 0, 0, 0, 5.0 / 6 * 100, "a closed paper does not fill the report's place");

	fill(&in, 3);
	in.part[OSP_MOF_RESEARCH_PAPER] = (struct osp_mof_part){true, "CC-BY-4.0", OSP_MOF_DOC};
	osp_mof_evaluate(&in, &ev);
	ok(!ev.paper_for_report, "a paper does not stand in for a report that is there");
	is_int(ev.total[1], 14, "and class I then needs all 14");
}

struct load_error {
	const char *yaml;
	const char *message;
};

static const struct load_error load_errors[] = {
	{"", "t.yml:1:1: empty model file"},
	{"- a\n", "t.yml:1:1: expected a mapping with a release"},
	{"framework: {}\n", "t.yml:1:1: release: expected a mapping"},
	{"release: [a]\n", "t.yml:1:10: release: expected a mapping"},
	{"release:\n  version: '1'\n", "t.yml:2:3: release.name: expected a non-empty string"},
	{"release:\n  name: ''\n", "t.yml:2:9: release.name: expected a non-empty string"},
	{"release:\n  name: [a]\n", "t.yml:2:9: release.name: expected a string"},
	{"release:\n  name: a\n  name: b\n", "t.yml:3:3: 'name' given twice"},
	{"release:\n  name: a\n  version: {x: 1}\n",
	 "t.yml:3:12: release.version: expected a string"},
	{"release:\n  name: a\n  components: {}\n",
	 "t.yml:3:15: release.components: expected a list"},
	{"release:\n  name: a\n  components:\n  - Datasets\n",
	 "t.yml:4:5: release.components: expected a mapping"},
	{"release:\n  name: a\n  components:\n  - description: x\n",
	 "t.yml:4:5: component without a name"},
	{"release:\n  name: a\n  components:\n  - name: Weights\n",
	 "t.yml:4:11: unknown MOF component 'Weights'"},
	{"release:\n  name: a\n  components:\n  - name: Datasets\n  - name: Datasets\n",
	 "t.yml:5:11: component 'Datasets' listed twice"},
	{"release:\n  name: a\n  components:\n  - name: Datasets\n    license: {name: MIT}\n",
	 "t.yml:5:14: license: expected a string"},
	{"release:\n  name: a\n  license: [MIT]\n",
	 "t.yml:3:12: release.license: expected a mapping"},
	{"release:\n  name: a\n  license:\n    code: MIT\n",
	 "t.yml:4:11: release.license.code: expected a mapping with a name"},
	{"release:\n  name: a\n  license:\n    data: {name: [x]}\n",
	 "t.yml:4:18: release.license.data: expected a string"},
	{"release: {name: a}\n---\nrelease: {name: b}\n", "t.yml:2:1: more than one YAML document"},
	{"release: {name: a\n",
	 "t.yml:2:1: while parsing a flow mapping: did not find expected ',' or '}'"},
	{"release:\n\tname: a\n", "t.yml:2:1: while scanning for the next token: found character "
				  "that cannot start any token"},
};

static void test_load_errors(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(load_errors); i++) {
		const struct load_error *c = &load_errors[i];
		struct osp_mof_model *m = (struct osp_mof_model *)ctx; /* must be reset to NULL */

		ok(osp_mof_parse(ctx, "t.yml", c->yaml, strlen(c->yaml), &m) == OSPACK_EINPUT &&
			   m == NULL,
		   "refuses model %zu", i);
		is_str(ospack_ctx_message(ctx), c->message, "message for model %zu", i);
	}
	ospack_ctx_free(ctx);
}

static void test_load_bounds(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_mof_model *m = NULL;
	struct osp_buf b = {0};
	char *big;

	for (int i = 0; i < 40; i++)
		osp_buf_putc(&b, '[');
	ok(osp_mof_parse(ctx, "t.yml", b.data, b.len, &m) == OSPACK_EINPUT,
	   "deep nesting is refused");
	is_str(ospack_ctx_message(ctx), "t.yml:1:33: nested deeper than 32 levels",
	       "and the message says where");
	osp_buf_free(&b);
	osp_buf_puts(&b, "release: {name: a}\nx: [");
	for (int i = 0; i < OSP_MOF_MAX_NODES; i++)
		osp_buf_puts(&b, "0,");
	osp_buf_puts(&b, "0]\n");
	ok(osp_mof_parse(ctx, "t.yml", b.data, b.len, &m) == OSPACK_EINPUT,
	   "too many nodes are refused");
	has_str(ospack_ctx_message(ctx), "more than 100000 YAML nodes",
		"and the message gives the bound");
	osp_buf_free(&b);
	big = calloc(1, OSP_MOF_MAX_FILE + 1);
	ok(osp_mof_parse(ctx, "t.yml", big, OSP_MOF_MAX_FILE + 1, &m) == OSPACK_EINPUT && m == NULL,
	   "a file over 4 MiB is refused");
	is_str(ospack_ctx_message(ctx), "t.yml: larger than 4194304 bytes",
	       "and the message says so");
	free(big);
	ok(osp_mof_load(ctx, "/nonexistent/model.yml", &m) == OSPACK_EIO,
	   "a missing file is an I/O error");
	is_str(ospack_ctx_message(ctx),
	       "cannot open: /nonexistent/model.yml: No such file or directory",
	       "and the message names it");
	ospack_ctx_free(ctx);
}

static const char resolve_yaml[] = "framework: {name: Model Openness Framework}\n"
				   "release:\n"
				   "  name: tiny\n"
				   "  extra: [ignored, {a: 1}]\n"
				   "  license:\n"
				   "    distribution: {name: Apache-2.0, path: LICENSE}\n"
				   "    code: {name: MIT}\n"
				   "    data: {name: ''}\n"
				   "    document: {name: null}\n"
				   "    other: whatever\n"
				   "  components:\n"
				   "  - name: Training code\n"
				   "  - name: Datasets\n"
				   "    description: x\n"
				   "  - name: Model card\n"
				   "    license: ''\n"
				   "  - name: Model architecture\n"
				   "    license:\n"
				   "  - name: Research paper\n"
				   "    license: CC-BY-4.0\n"
				   "  - name: Data card\n";

static const char one_license[] =
	"release: {name: a, version: 2, license: MIT, components: [{name: Inference code}]}";

static void test_resolve(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_mof_model *m = NULL;
	const struct osp_mof_part *p;

	if (!ok(osp_mof_parse(ctx, "t.yml", resolve_yaml, strlen(resolve_yaml), &m) == OSPACK_OK,
		"a model with release licenses loads")) {
		tap_diag("%s", ospack_ctx_message(ctx));
		ospack_ctx_free(ctx);
		return;
	}
	p = m->in.part;
	is_str(m->name, "tiny", "release name");
	is_str(m->version, "", "no version is empty");
	is_str(p[OSP_MOF_TRAINING_CODE].license, "MIT", "code takes release.license.code");
	is_str(p[OSP_MOF_DATASETS].license, "Apache-2.0",
	       "data, with an empty data license, takes the distribution license");
	is_str(p[OSP_MOF_DATA_CARD].license, "Apache-2.0",
	       "a document, with a null document license, takes the distribution license");
	is_str(p[OSP_MOF_MODEL_CARD].license, "", "an empty own license stays empty");
	ok(p[OSP_MOF_ARCHITECTURE].present && p[OSP_MOF_ARCHITECTURE].license == NULL,
	   "a null own license is no license, not the release's");
	is_str(p[OSP_MOF_RESEARCH_PAPER].license, "CC-BY-4.0", "an own license wins");
	ok(!p[OSP_MOF_PARAMS_FINAL].present && p[OSP_MOF_PARAMS_FINAL].license == NULL,
	   "an unlisted component is absent");
	osp_mof_model_free(m);

	ok(osp_mof_parse(ctx, "t.yml", one_license, strlen(one_license), &m) == OSPACK_OK,
	   "a release license given as one name loads");
	if (m != NULL) {
		is_str(m->version, "2", "a numeric version is kept as written");
		is_str(m->in.part[OSP_MOF_INFERENCE_CODE].license, "MIT",
		       "one release license is the distribution license");
	}
	osp_mof_model_free(m);
	ospack_ctx_free(ctx);
}

int main(void)
{
	test_table();
	test_statuses();
	test_classes();
	test_paper();
	test_load_errors();
	test_load_bounds();
	test_resolve();
	return tap_done();
}
