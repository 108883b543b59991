/* SPDX-License-Identifier: Apache-2.0 */
/* The Model Openness Framework's components and the class evaluation of the Model Openness Tool. */
#include "config.h"

#include <string.h>

#include "license.h"
#include "mof.h"

/* Facts from the MOF tool's components.yml. */
const struct osp_mof_component_info osp_mof_components[OSP_MOF_NCOMPONENTS] = {
	[OSP_MOF_ARCHITECTURE] = {9, "Model architecture", OSP_MOF_CODE, 3, true},
	[OSP_MOF_PARAMS_FINAL] = {10, "Model parameters (Final)", OSP_MOF_DATA, 3, true},
	[OSP_MOF_TECH_REPORT] = {11, "Technical report", OSP_MOF_DOC, 3, true},
	[OSP_MOF_EVAL_RESULTS] = {12, "Evaluation results", OSP_MOF_DOC, 3, true},
	[OSP_MOF_MODEL_CARD] = {13, "Model card", OSP_MOF_DOC, 3, true},
	[OSP_MOF_DATA_CARD] = {14, "Data card", OSP_MOF_DOC, 3, true},
	[OSP_MOF_SAMPLE_OUTPUTS] = {20, "Sample model outputs", OSP_MOF_DOC, 3, false},
	[OSP_MOF_TRAINING_CODE] = {7, "Training code", OSP_MOF_CODE, 2, true},
	[OSP_MOF_INFERENCE_CODE] = {8, "Inference code", OSP_MOF_CODE, 2, true},
	[OSP_MOF_EVAL_CODE] = {18, "Evaluation code", OSP_MOF_CODE, 2, true},
	[OSP_MOF_EVAL_DATA] = {19, "Evaluation data", OSP_MOF_DATA, 2, true},
	[OSP_MOF_LIBRARIES] = {22, "Supporting libraries and tools", OSP_MOF_CODE, 2, false},
	[OSP_MOF_DATASETS] = {15, "Datasets", OSP_MOF_DATA, 1, true},
	[OSP_MOF_PREPROCESSING] = {16, "Data preprocessing code", OSP_MOF_CODE, 1, true},
	[OSP_MOF_PARAMS_INTERMEDIATE] = {24, "Model parameters (Intermediate)", OSP_MOF_DATA, 1,
					 true},
	[OSP_MOF_RESEARCH_PAPER] = {21, "Research paper", OSP_MOF_DOC, 1, true},
	[OSP_MOF_METADATA] = {17, "Model metadata", OSP_MOF_DATA, 1, false},
};

int osp_mof_component_find(const char *name)
{
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++)
		if (strcmp(osp_mof_components[i].name, name) == 0)
			return i;
	return -1;
}

const char *osp_mof_type_name(enum osp_mof_type t)
{
	switch (t) {
	case OSP_MOF_CODE:
		return "code";
	case OSP_MOF_DATA:
		return "data";
	case OSP_MOF_DOC:
		return "document";
	}
	return "?";
}

void osp_mof_input_init(struct osp_mof_input *in)
{
	memset(in, 0, sizeof(*in));
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++)
		in->part[i].type = osp_mof_components[i].type;
}

const char *osp_mof_class_label(int mof_class)
{
	switch (mof_class) {
	case 1:
		return "Class I - Open Science Model";
	case 2:
		return "Class II - Open Tooling Model";
	case 3:
		return "Class III - Open Model";
	default:
		return "Unclassified";
	}
}

const char *osp_mof_class_roman(int mof_class)
{
	static const char *const roman[] = {"-", "I", "II", "III"};

	return mof_class >= 1 && mof_class <= 3 ? roman[mof_class] : roman[0];
}

const char *osp_mof_status_name(enum osp_mof_status s)
{
	switch (s) {
	case OSP_MOF_NOT_COUNTED:
		return "not-counted";
	case OSP_MOF_INCLUDED:
		return "included";
	case OSP_MOF_INCLUDED_WARNING:
		return "included-type-warning";
	case OSP_MOF_UNLICENSED:
		return "unlicensed";
	case OSP_MOF_INVALID:
		return "invalid-license";
	case OSP_MOF_MISSING:
		return "missing";
	}
	return "?";
}

static bool blank_or_unlicensed(const char *s)
{
	static const char word[] = "unlicensed";
	size_t n;

	if (s == NULL)
		return true;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 &&
	       (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return true;
	if (n != sizeof(word) - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != word[i])
			return false;
	return true;
}

static unsigned type_flag(enum osp_mof_type t)
{
	switch (t) {
	case OSP_MOF_CODE:
		return OSP_LIC_FOR_CODE;
	case OSP_MOF_DATA:
		return OSP_LIC_FOR_DATA;
	case OSP_MOF_DOC:
		return OSP_LIC_FOR_DOC;
	}
	return 0;
}

/*
 * A license counts as open when its SPDX expression is open by the table's flags. The
 * MOF list's open data licenses include "ODC-PDDL-1.0", which SPDX calls PDDL-1.0.
 */
enum osp_mof_status osp_mof_license_status(bool present, const char *license,
					   enum osp_mof_type type)
{
	struct osp_spdx *e = NULL;
	struct osp_spdx_facts f;

	if (!present)
		return OSP_MOF_MISSING;
	if (blank_or_unlicensed(license))
		return OSP_MOF_UNLICENSED;
	if (strcmp(license, "ODC-PDDL-1.0") == 0)
		license = "PDDL-1.0";
	if (osp_spdx_parse(NULL, license, &e) != OSPACK_OK)
		return OSP_MOF_INVALID;
	osp_spdx_eval(e, &f);
	osp_spdx_free(e);
	if (!f.open)
		return OSP_MOF_INVALID;
	return (f.fits & type_flag(type)) != 0 ? OSP_MOF_INCLUDED : OSP_MOF_INCLUDED_WARNING;
}

static bool is_included(enum osp_mof_status s)
{
	return s == OSP_MOF_INCLUDED || s == OSP_MOF_INCLUDED_WARNING;
}

/*
 * Whether class c counts component i: the required components of class c and of every
 * class above it. When the paper stands in for the report, classes III and II count the
 * paper instead, and no class counts the report as missing.
 */
static bool counts(const struct osp_mof_eval *ev, int c, int i)
{
	const struct osp_mof_component_info *info = &osp_mof_components[i];

	if (ev->paper_for_report && i == OSP_MOF_TECH_REPORT)
		return false;
	if (ev->paper_for_report && i == OSP_MOF_RESEARCH_PAPER)
		return true;
	return info->required && info->mof_class >= c;
}

/* How many components class c needs: the required ones of class c and above. */
static unsigned class_total(const struct osp_mof_eval *ev, int c)
{
	unsigned n = 0;

	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++)
		if (osp_mof_components[i].required && osp_mof_components[i].mof_class >= c)
			n++;
	/* the paper, counted in class I already, fills the report's place */
	if (c == 1 && !is_included(ev->status[OSP_MOF_TECH_REPORT]) &&
	    is_included(ev->status[OSP_MOF_RESEARCH_PAPER]))
		n--;
	return n;
}

static void count_class(struct osp_mof_eval *ev, int c)
{
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		if (!counts(ev, c, i))
			continue;
		ev->counted[c][i] = ev->status[i];
		if (is_included(ev->status[i]))
			ev->included[c]++;
	}
	ev->total[c] = class_total(ev, c);
}

/*
 * Walks from class III down to class c and stops at the first class not fully met: a
 * class below that one makes no progress at all.
 */
static double class_progress(const struct osp_mof_eval *ev, int c)
{
	double p;

	for (int i = 3; i > c; i--)
		if (ev->included[i] < ev->total[i])
			return 0;
	p = (double)ev->included[c] / (double)ev->total[c] * 100;
	return p > 100 ? 100 : p;
}

void osp_mof_evaluate(const struct osp_mof_input *in, struct osp_mof_eval *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++)
		out->status[i] = osp_mof_license_status(in->part[i].present, in->part[i].license,
							in->part[i].type);
	out->paper_for_report = !is_included(out->status[OSP_MOF_TECH_REPORT]) &&
				in->part[OSP_MOF_RESEARCH_PAPER].present;
	for (int c = 1; c <= 3; c++)
		count_class(out, c);
	for (int c = 1; c <= 3; c++)
		out->progress[c] = class_progress(out, c);
	out->total_progress = (out->progress[1] + out->progress[2] + out->progress[3]) / 3;
	for (int c = 3; c >= 1; c--)
		if (out->progress[c] == 100)
			out->mof_class = c;
}
