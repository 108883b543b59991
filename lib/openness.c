/* SPDX-License-Identifier: Apache-2.0 */
/* The openness of a release from its manifest: components, licenses, and the levels they reach. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <yaml.h>

#include "filelist.h"
#include "license.h"
#include "openness.h"

struct osp_openness {
	const struct ospack_manifest *m;
	struct osp_mof_input in;
	struct osp_mof_eval ev;
	char *license[OSP_MOF_NCOMPONENTS];	      /* every entry's license, joined by AND */
	struct osp_strv entries[OSP_MOF_NCOMPONENTS]; /* "code/model" */
	bool met[OSP_NLEVELS];
	struct osp_strv why[OSP_NLEVELS]; /* what keeps a level from being met */
	bool nomem;
};

static const char *const level_names[OSP_NLEVELS] = {"baseline", "open-science", "mof-class-3",
						     "mof-class-2", "mof-class-1"};

OSPACK_API const char *ospack_level_name(int i)
{
	return i >= 0 && i < OSP_NLEVELS ? level_names[i] : NULL;
}

bool osp_json_printable(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		char *p = osp_printable_dup(json_string_value(j));
		bool ok = p != NULL && json_string_set(j, p) == 0;

		free(p);
		return ok;
	}
	json_array_foreach(j, i, v) if (!osp_json_printable(v)) return false;
	json_object_foreach(j, key, v) if (!osp_json_printable(v)) return false;
	return true;
}

int osp_level_parse(const char *name, enum osp_level *l)
{
	for (int i = 0; i < OSP_NLEVELS; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*l = (enum osp_level)i;
			return 0;
		}
	}
	return -1;
}

static int role_component(const char *role, const char *const *roles, const int *comps)
{
	for (size_t i = 0; roles[i] != NULL; i++)
		if (strcmp(role, roles[i]) == 0)
			return comps[i];
	return -1;
}

/* The component of one role or type, or -1. */
static int one_component(const struct osp_entry *e, const char *role)
{
	static const char *const code_roles[] = {
		"training",	"inference", "evaluation", "preprocessing",
		"architecture", "library",   NULL};
	static const int code_comps[] = {OSP_MOF_TRAINING_CODE, OSP_MOF_INFERENCE_CODE,
					 OSP_MOF_EVAL_CODE,	OSP_MOF_PREPROCESSING,
					 OSP_MOF_ARCHITECTURE,	OSP_MOF_LIBRARIES};
	static const char *const doc_types[] = {"model-card", "data-card", "paper",
						"technical-report", NULL};
	static const int doc_comps[] = {OSP_MOF_MODEL_CARD, OSP_MOF_DATA_CARD,
					OSP_MOF_RESEARCH_PAPER, OSP_MOF_TECH_REPORT};

	switch (e->section) {
	case OSP_DATASETS:
		return strcmp(role, "evaluation") == 0 ? OSP_MOF_EVAL_DATA : OSP_MOF_DATASETS;
	case OSP_CODE:
		return role_component(role, code_roles, code_comps);
	case OSP_CHECKPOINTS:
		return e->final ? OSP_MOF_PARAMS_FINAL : OSP_MOF_PARAMS_INTERMEDIATE;
	case OSP_EVALS:
		return OSP_MOF_EVAL_RESULTS;
	case OSP_DOCS:
		return role_component(role, doc_types, doc_comps);
	case OSP_NSECTIONS:
		break;
	}
	return -1;
}

size_t osp_entry_components(const struct osp_entry *e, int out[OSP_ENTRY_MAX_COMPONENTS])
{
	size_t n = 0;

	if (e->roles.n == 0) { /* one component, whatever the role or type says */
		out[0] = one_component(e, e->role);
		return out[0] < 0 ? 0 : 1;
	}
	for (size_t i = 0; i < e->roles.n; i++) {
		int c = one_component(e, e->roles.v[i]);
		bool seen = c < 0;

		for (size_t k = 0; k < n; k++)
			seen = seen || out[k] == c;
		if (!seen && n < OSP_ENTRY_MAX_COMPONENTS)
			out[n++] = c;
	}
	return n;
}

bool osp_entry_in_component(const struct osp_entry *e, int c)
{
	int comps[OSP_ENTRY_MAX_COMPONENTS];
	size_t n = osp_entry_components(e, comps);

	for (size_t i = 0; i < n; i++)
		if (comps[i] == c)
			return true;
	return false;
}

int osp_entry_component(const struct osp_entry *e)
{
	int comps[OSP_ENTRY_MAX_COMPONENTS];

	return osp_entry_components(e, comps) > 0 ? comps[0] : -1;
}

/* The license of a component made of several entries: all of theirs apply. */
static ospack_error component_license(struct osp_openness *o, int c, const struct osp_strv *lics,
				      bool unlicensed)
{
	struct osp_buf b = {0};

	if (unlicensed || lics->n == 0)
		return OSPACK_OK;
	if (lics->n == 1)
		return (o->license[c] = osp_strdup(lics->v[0])) ? OSPACK_OK : OSPACK_ENOMEM;
	/* AND binds tighter than OR: only an OR needs parentheses here. */
	for (size_t i = 0; i < lics->n; i++)
		osp_buf_printf(&b, strstr(lics->v[i], " OR ") ? "%s(%s)" : "%s%s", i ? " AND " : "",
			       lics->v[i]);
	o->license[c] = osp_buf_steal(&b, NULL);
	return o->license[c] ? OSPACK_OK : OSPACK_ENOMEM;
}

static bool has(const struct osp_strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static ospack_error map_component(struct osp_openness *o, int c)
{
	const struct ospack_manifest *m = o->m;
	struct osp_strv lics = {0};
	bool unlicensed = false;
	ospack_error rc = OSPACK_OK;

	for (size_t i = 0; rc == OSPACK_OK && i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (!osp_entry_in_component(e, c))
			continue;
		o->in.part[c].present = true;
		if (osp_strv_push_owned(
			    &o->entries[c],
			    osp_asprintf("%s/%s", osp_section_name(e->section), e->name)) != 0 ||
		    (e->license != NULL && !has(&lics, e->license) &&
		     osp_strv_push(&lics, e->license) != 0))
			rc = OSPACK_ENOMEM;
		unlicensed = unlicensed || e->license == NULL;
	}
	if (rc == OSPACK_OK)
		rc = component_license(o, c, &lics, unlicensed);
	o->in.part[c].license = o->license[c];
	osp_strv_free(&lics);
	return rc;
}

static ospack_error map_entries(struct ospack_ctx *ctx, struct osp_openness *o)
{
	osp_mof_input_init(&o->in);
	for (int c = 0; c < OSP_MOF_NCOMPONENTS; c++)
		if (map_component(o, c) != OSPACK_OK)
			return osp_nomem(ctx);
	return OSPACK_OK;
}

static struct osp_spdx_facts facts_of(struct osp_openness *o, const char *license)
{
	struct osp_spdx_facts f = {0};
	struct osp_spdx *e = NULL;
	ospack_error rc = license != NULL ? osp_spdx_parse(NULL, license, &e) : OSPACK_EMANIFEST;

	if (rc == OSPACK_OK)
		osp_spdx_eval(e, &f);
	else if (rc == OSPACK_ENOMEM) /* not a closed license: no report at all */
		o->nomem = true;
	osp_spdx_free(e);
	return f;
}

static void why(struct osp_openness *o, enum osp_level l, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void why(struct osp_openness *o, enum osp_level l, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (osp_strv_push(&o->why[l], msg) != 0)
		o->nomem = true;
	o->met[l] = false;
}

/*
 * Every entry of the components must carry a license that is permissive (or,
 * with permissive false, open). absent says what a missing component means.
 */
static void need(struct osp_openness *o, enum osp_level l, const int *comps, size_t ncomps,
		 bool permissive, const char *absent)
{
	const struct ospack_manifest *m = o->m;
	bool present = false;

	for (size_t k = 0; k < ncomps; k++)
		present = present || o->in.part[comps[k]].present;
	if (!present) {
		why(o, l, "%s", absent);
		return;
	}
	for (size_t i = 0; i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];
		struct osp_spdx_facts f;
		bool listed = false;

		for (size_t k = 0; k < ncomps; k++)
			listed = listed || osp_entry_in_component(e, comps[k]);
		if (!listed)
			continue;
		f = facts_of(o, e->license);
		if (e->license == NULL)
			why(o, l, "%s/%s: no license", osp_section_name(e->section), e->name);
		else if (!f.open)
			why(o, l, "%s/%s: %s is not an open license%s",
			    osp_section_name(e->section), e->name, e->license,
			    f.custom ? " (custom terms)" : "");
		else if (permissive && !f.permissive)
			why(o, l, "%s/%s: %s is not permissive (%s)", osp_section_name(e->section),
			    e->name, e->license, f.copyleft ? "copyleft" : "restricted");
	}
}

static void check_baseline(struct osp_openness *o)
{
	static const int weights[] = {OSP_MOF_PARAMS_FINAL};
	static const int run[] = {OSP_MOF_INFERENCE_CODE, OSP_MOF_ARCHITECTURE};
	static const int card[] = {OSP_MOF_MODEL_CARD};
	enum osp_level l = OSP_LEVEL_BASELINE;

	o->met[l] = true;
	need(o, l, weights, 1, true, "no final weights (a checkpoint with final: true)");
	need(o, l, run, 2, true,
	     "no code to run the weights (a code entry with role inference or architecture)");
	need(o, l, card, 1, false, "no model card (a docs entry with type model-card)");
}

static void check_open_science(struct osp_openness *o)
{
	static const struct {
		int comp;
		const char *absent;
	} parts[] = {
		{OSP_MOF_TRAINING_CODE, "no training code (a code entry with role training)"},
		{OSP_MOF_PREPROCESSING,
		 "no data preprocessing code (a code entry with role preprocessing)"},
		{OSP_MOF_PARAMS_INTERMEDIATE, "no intermediate checkpoints (final: false)"},
		{OSP_MOF_EVAL_CODE, "no evaluation code (a code entry with role evaluation)"},
		{OSP_MOF_EVAL_RESULTS, "no evaluation results (an evals entry)"},
	};
	static const int papers[] = {OSP_MOF_RESEARCH_PAPER, OSP_MOF_TECH_REPORT};
	enum osp_level l = OSP_LEVEL_OPEN_SCIENCE;
	bool training_data = false;

	o->met[l] = true;
	if (!o->met[OSP_LEVEL_BASELINE])
		why(o, l, "the baseline is not met");
	for (size_t i = 0; i < o->m->nentries; i++) {
		const struct osp_entry *e = &o->m->entries[i];

		if (e->section != OSP_DATASETS)
			continue;
		training_data = training_data || (e->role && strcmp(e->role, "training") == 0);
		for (size_t r = 0; r < e->roles.n; r++)
			training_data = training_data || strcmp(e->roles.v[r], "training") == 0;
	}
	if (!training_data)
		why(o, l, "no training datasets (a dataset entry with role training)");
	else
		need(o, l, (const int[]){OSP_MOF_DATASETS}, 1, false, "");
	for (size_t i = 0; i < OSP_ARRAY_LEN(parts); i++)
		need(o, l, &parts[i].comp, 1, false, parts[i].absent);
	need(o, l, papers, 2, false,
	     "no paper or technical report (a docs entry with type paper or technical-report)");
}

static const char *blocker(const struct osp_openness *o, int i, char *buf, size_t len)
{
	switch (o->ev.status[i]) {
	case OSP_MOF_MISSING:
		return i == OSP_MOF_TECH_REPORT ? "missing (a research paper would do too)"
						: "missing";
	case OSP_MOF_UNLICENSED:
		return "present, but without a license";
	default:
		snprintf(buf, len, "%s is not an open license",
			 o->license[i] ? o->license[i] : "?");
		return buf;
	}
}

static void check_mof(struct osp_openness *o)
{
	char buf[512];

	osp_mof_evaluate(&o->in, &o->ev);
	for (int c = 3; c >= 1; c--) {
		enum osp_level l = (enum osp_level)(OSP_LEVEL_MOF3 + (3 - c));

		o->met[l] = o->ev.progress[c] == 100;
		for (int i = 0; !o->met[l] && i < OSP_MOF_NCOMPONENTS; i++) {
			enum osp_mof_status s = o->ev.counted[c][i];

			if (s == OSP_MOF_NOT_COUNTED || s == OSP_MOF_INCLUDED ||
			    s == OSP_MOF_INCLUDED_WARNING)
				continue;
			why(o, l, "%s: %s", osp_mof_components[i].name,
			    blocker(o, i, buf, sizeof(buf)));
		}
	}
}

ospack_error osp_openness_eval(struct ospack_ctx *ctx, const struct ospack_manifest *m,
			       struct osp_openness **out)
{
	struct osp_openness *o = calloc(1, sizeof(*o));
	ospack_error rc;

	*out = NULL;
	if (o == NULL)
		return osp_nomem(ctx);
	o->m = m;
	rc = map_entries(ctx, o);
	if (rc != OSPACK_OK) {
		osp_openness_free(o);
		return rc;
	}
	check_baseline(o);
	check_open_science(o);
	check_mof(o);
	if (o->nomem) {
		osp_openness_free(o);
		return osp_nomem(ctx);
	}
	*out = o;
	return OSPACK_OK;
}

void osp_openness_free(struct osp_openness *o)
{
	if (o == NULL)
		return;
	for (int c = 0; c < OSP_MOF_NCOMPONENTS; c++) {
		free(o->license[c]);
		osp_strv_free(&o->entries[c]);
	}
	for (int l = 0; l < OSP_NLEVELS; l++)
		osp_strv_free(&o->why[l]);
	free(o);
}

ospack_error osp_openness_require(struct ospack_ctx *ctx, const struct osp_openness *o,
				  const char *level)
{
	enum osp_level l;
	char *why;

	if (level == NULL)
		return OSPACK_OK;
	if (osp_level_parse(level, &l) != 0) {
		struct osp_buf b = {0};

		for (int i = 0; i < OSP_NLEVELS; i++)
			osp_buf_printf(&b, "%s%s",
				       i == 0		      ? ""
				       : i == OSP_NLEVELS - 1 ? " or "
							      : ", ",
				       level_names[i]);
		osp_error(ctx, OSPACK_EUSAGE, "'%s' is not a level: %s", level,
			  b.failed ? "a level" : b.data);
		osp_buf_free(&b);
		return OSPACK_EUSAGE;
	}
	if (o == NULL || o->met[l])
		return OSPACK_OK;
	why = osp_openness_shortfall(o, l);
	if (why == NULL)
		return osp_nomem(ctx);
	osp_error(ctx, OSPACK_EPOLICY, "%s", why);
	free(why);
	return OSPACK_EPOLICY;
}

char *osp_openness_shortfall(const struct osp_openness *o, enum osp_level l)
{
	struct osp_buf b = {0};

	osp_buf_printf(&b, "the release does not reach %s:", level_names[l]);
	for (size_t i = 0; i < o->why[l].n; i++)
		osp_buf_printf(&b, "%s %s", i ? ";" : "", o->why[l].v[i]);
	return osp_buf_steal(&b, NULL);
}

static json_t *strv_json(const struct osp_strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < sv->n; i++)
		if (json_array_append_new(a, json_string(sv->v[i])) != 0) {
			json_decref(a); /* out of memory: NULL, never a shorter list */
			return NULL;
		}
	return a;
}

static json_t *components_json(const struct osp_openness *o)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < OSP_MOF_NCOMPONENTS; i++) {
		const struct osp_mof_component_info *ci = &osp_mof_components[i];

		if (json_array_append_new(
			    a, json_pack("{s:s, s:i, s:s, s:b, s:b, s:o, s:s, s:o}", "name",
					 ci->name, "class", ci->mof_class, "type",
					 osp_mof_type_name(ci->type), "required", ci->required,
					 "present", o->in.part[i].present, "license",
					 o->license[i] ? json_string(o->license[i]) : json_null(),
					 "status", osp_mof_status_name(o->ev.status[i]), "entries",
					 strv_json(&o->entries[i]))) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *osp_openness_json(const struct osp_openness *o)
{
	json_t *levels = json_object(), *progress;

	for (int l = 0; levels != NULL && l < OSP_NLEVELS; l++)
		if (json_object_set_new(levels, level_names[l],
					json_pack("{s:b, s:o}", "met", o->met[l], "missing",
						  strv_json(&o->why[l]))) != 0) {
			json_decref(levels);
			levels = NULL;
		}
	progress = json_pack("{s:f, s:f, s:f}", "1", o->ev.progress[1], "2", o->ev.progress[2], "3",
			     o->ev.progress[3]);
	return json_pack("{s:o, s:o, s:{s:i, s:s, s:o}}", "components", components_json(o),
			 "levels", levels, "mof", "class", o->ev.mof_class, "label",
			 osp_mof_class_label(o->ev.mof_class), "progress", progress);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* Whether the license suits the component: open, and meant for its kind of content. */
static const char *fit_words(const char *status, const char *type, char *buf, size_t len)
{
	if (strcmp(status, "included") == 0)
		snprintf(buf, len, "open, fits %s", type);
	else if (strcmp(status, "included-type-warning") == 0)
		snprintf(buf, len, "open, not a %s license", type);
	else if (strcmp(status, "invalid-license") == 0)
		snprintf(buf, len, "NOT OPEN");
	else if (strcmp(status, "unlicensed") == 0)
		snprintf(buf, len, "NO LICENSE");
	else
		snprintf(buf, len, "-");
	return buf;
}

static void text_components(struct osp_buf *b, json_t *comps)
{
	static const char *const roman[] = {"-", "I", "II", "III"};
	char fit[64];

	osp_buf_printf(b, "  %-32s %-5s %-8s %-24s %-26s %s\n", "component", "class", "present",
		       "license", "license fit", "entries");
	for (size_t i = 0; i < json_array_size(comps); i++) {
		json_t *c = json_array_get(comps, i), *entries = json_object_get(c, "entries");
		json_int_t cls = json_integer_value(json_object_get(c, "class"));
		const char *status = jstr(c, "status"), *present;
		const char *lic =
			json_is_string(json_object_get(c, "license")) ? jstr(c, "license") : "-";

		if (json_is_true(json_object_get(c, "present")))
			present = "yes";
		else
			present = json_is_true(json_object_get(c, "required")) ? "MISSING" : "no";
		osp_buf_printf(b, "  %-32s %-5s %-8s %-24s %-26s ", jstr(c, "name"),
			       cls >= 1 && cls <= 3 ? roman[cls] : "-", present, lic,
			       fit_words(status, jstr(c, "type"), fit, sizeof(fit)));
		for (size_t k = 0; k < json_array_size(entries); k++)
			osp_buf_printf(b, "%s%s", k ? ", " : "",
				       json_string_value(json_array_get(entries, k)));
		if (json_array_size(entries) == 0)
			osp_buf_puts(b, json_is_true(json_object_get(c, "required"))
						? "-"
						: "(optional)");
		osp_buf_putc(b, '\n');
	}
}

static bool listed_above(json_t *levels, int l, const char *reason)
{
	for (int k = OSP_LEVEL_MOF3; k < l; k++) {
		json_t *missing =
			json_object_get(json_object_get(levels, level_names[k]), "missing");

		for (size_t i = 0; i < json_array_size(missing); i++)
			if (strcmp(json_string_value(json_array_get(missing, i)), reason) == 0)
				return true;
	}
	return false;
}

/* One level: met or not, the MOF progress, and what is missing (MOF classes: beyond the above). */
static void text_level(struct osp_buf *b, json_t *levels, json_t *progress, int l)
{
	json_t *lv = json_object_get(levels, level_names[l]);
	json_t *missing = json_object_get(lv, "missing");
	bool met = json_is_true(json_object_get(lv, "met")), above = false;

	osp_buf_printf(b, "  %-13s %s", level_names[l], met ? "met" : "NOT MET");
	if (l >= OSP_LEVEL_MOF3) {
		char key[2] = {(char)('3' - (l - OSP_LEVEL_MOF3)), '\0'};
		double pct = json_real_value(json_object_get(progress, key));

		osp_buf_printf(b, " (%.1f%%%s)", pct,
			       !met && pct == 0 && l > OSP_LEVEL_MOF3
				       ? ", counted once the classes above are met"
				       : "");
	}
	osp_buf_putc(b, '\n');
	for (size_t i = 0; i < json_array_size(missing); i++) {
		const char *reason = json_string_value(json_array_get(missing, i));

		if (l > OSP_LEVEL_MOF3 && listed_above(levels, l, reason)) {
			above = true;
			continue;
		}
		osp_buf_printf(b, "      - %s\n", reason);
	}
	if (above)
		osp_buf_puts(b, "      - and what the classes above need\n");
}

static char *openness_text(json_t *r, bool table)
{
	struct osp_buf b = {0};
	json_t *levels = json_object_get(r, "levels"), *mof = json_object_get(r, "mof");

	if (table) {
		text_components(&b, json_object_get(r, "components"));
		osp_buf_puts(&b, "\n");
	}
	for (int l = 0; l < OSP_NLEVELS; l++)
		text_level(&b, levels, json_object_get(mof, "progress"), l);
	osp_buf_printf(&b, "\nMOF class: %s\n", jstr(mof, "label"));
	return osp_buf_steal(&b, NULL);
}

char *osp_openness_text(json_t *r)
{
	return openness_text(r, true);
}

char *osp_openness_levels_text(json_t *r)
{
	return openness_text(r, false);
}

/* ---- ospack/mof.yaml ---- */

struct ydoc {
	yaml_document_t doc;
	bool failed;
};

static int ystr(struct ydoc *y, const char *s)
{
	int n = yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)s, -1,
					 YAML_SINGLE_QUOTED_SCALAR_STYLE);

	y->failed = y->failed || n == 0;
	return n;
}

static void ypair(struct ydoc *y, int map, const char *key, int value)
{
	int k;

	/* libyaml asserts on node 0, which is what a failed add returns */
	if (y->failed || map == 0 || value == 0) {
		y->failed = true;
		return;
	}
	k = yaml_document_add_scalar(&y->doc, NULL, (yaml_char_t *)key, -1,
				     YAML_PLAIN_SCALAR_STYLE);
	if (k == 0 || !yaml_document_append_mapping_pair(&y->doc, map, k, value))
		y->failed = true;
}

static int ymap(struct ydoc *y)
{
	int n = yaml_document_add_mapping(&y->doc, NULL, YAML_BLOCK_MAPPING_STYLE);

	y->failed = y->failed || n == 0;
	return n;
}

static int ycomponent(struct ydoc *y, const struct osp_openness *o, int i)
{
	int c = ymap(y);
	char path[512];
	const struct osp_entry *first = NULL;

	for (size_t k = 0; k < o->m->nentries && first == NULL; k++)
		if (osp_entry_in_component(&o->m->entries[k], i))
			first = &o->m->entries[k];
	path[0] = '\0';
	if (first != NULL) /* a present component has an entry */
		osp_entry_bagdir(first, path, sizeof(path));
	ypair(y, c, "name", ystr(y, osp_mof_components[i].name));
	ypair(y, c, "description", ystr(y, osp_mof_components[i].description));
	ypair(y, c, "license", ystr(y, o->license[i] ? o->license[i] : "unlicensed"));
	ypair(y, c, "component_path", ystr(y, path));
	return c;
}

/* Where the release's license text lies in the bag: the first docs entry of type license. */
static const char *license_text_path(const struct ospack_manifest *m, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (e->section == OSP_DOCS && e->role != NULL && strcmp(e->role, "license") == 0) {
			osp_entry_bagdir(e, buf, len);
			break;
		}
	}
	return buf;
}

static int yrelease(struct ydoc *y, const struct osp_openness *o, const char *date)
{
	const struct ospack_manifest *m = o->m;
	int rel = ymap(y), lic = ymap(y), dist = ymap(y);
	int comps = yaml_document_add_sequence(&y->doc, NULL, YAML_BLOCK_SEQUENCE_STYLE);
	struct osp_buf producer = {0};
	char lpath[512];

	for (size_t i = 0; i < m->authors.n; i++)
		osp_buf_printf(&producer, "%s%s", i ? ", " : "", m->authors.v[i]);
	ypair(y, rel, "name", ystr(y, m->name));
	ypair(y, rel, "version", ystr(y, m->version));
	ypair(y, rel, "date", ystr(y, date));
	ypair(y, dist, "name", ystr(y, m->license ? m->license : ""));
	ypair(y, dist, "path", ystr(y, license_text_path(m, lpath, sizeof(lpath))));
	ypair(y, lic, "distribution", dist);
	ypair(y, rel, "license", lic);
	ypair(y, rel, "producer", ystr(y, producer.data ? producer.data : ""));
	ypair(y, rel, "contact", ystr(y, m->homepage ? m->homepage : ""));
	for (int i = 0; comps != 0 && !y->failed && i < OSP_MOF_NCOMPONENTS; i++) {
		int c = o->in.part[i].present ? ycomponent(y, o, i) : -1;

		if (c == 0 || y->failed ||
		    (c > 0 && !yaml_document_append_sequence_item(&y->doc, comps, c)))
			y->failed = true;
	}
	ypair(y, rel, "components", comps);
	y->failed = y->failed || producer.failed;
	osp_buf_free(&producer);
	return rel;
}

static int ywrite(void *arg, unsigned char *p, size_t n)
{
	osp_buf_add(arg, p, n);
	return 1;
}

ospack_error osp_openness_mof_yaml(struct ospack_ctx *ctx, const struct osp_openness *o,
				   int64_t date, char **out, size_t *len)
{
	struct ydoc y = {0};
	yaml_emitter_t em;
	struct osp_buf b = {0};
	char day[16];
	time_t t = (time_t)date;
	struct tm tm;
	int root, fw;

	if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
		snprintf(day, sizeof(day), "1970-01-01");
	if (!yaml_document_initialize(&y.doc, NULL, NULL, NULL, 1, 1))
		return osp_nomem(ctx);
	root = ymap(&y);
	fw = ymap(&y);
	ypair(&y, fw, "name", ystr(&y, "Model Openness Framework"));
	ypair(&y, fw, "version", ystr(&y, OSP_MOF_VERSION));
	ypair(&y, fw, "date", ystr(&y, OSP_MOF_DATE));
	ypair(&y, root, "framework", fw);
	ypair(&y, root, "release", yrelease(&y, o, day));
	if (y.failed || !yaml_emitter_initialize(&em)) {
		yaml_document_delete(&y.doc);
		return osp_nomem(ctx);
	}
	yaml_emitter_set_output(&em, ywrite, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	/* dump takes the document over, and deletes it */
	if (!yaml_emitter_open(&em) || !yaml_emitter_dump(&em, &y.doc) || !yaml_emitter_close(&em))
		b.failed = true;
	yaml_emitter_delete(&em);
	*out = osp_buf_steal(&b, len);
	return *out ? OSPACK_OK : osp_nomem(ctx);
}
