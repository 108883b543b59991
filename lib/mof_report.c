/* SPDX-License-Identifier: Apache-2.0 */
/* The MOF report of ospack_check_mof(): a text for people and a JSON object for pipelines. */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "license.h"
#include "mof.h"

/* Longest license text shown in the table; the JSON carries it whole. */
#define LICENSE_COLUMN 48

/* Appends s with control characters made spaces, cut after max bytes (0: whole). */
static void put_clean(struct osp_buf *b, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (max > 0 && n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		osp_buf_putc(b, (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i]);
	if (n < strlen(s))
		osp_buf_puts(b, "...");
}

static const char *status_words(enum osp_mof_status s, bool required)
{
	switch (s) {
	case OSP_MOF_INCLUDED:
		return "included";
	case OSP_MOF_INCLUDED_WARNING:
		return "included (see notes)";
	case OSP_MOF_UNLICENSED:
		return "no license";
	case OSP_MOF_INVALID:
		return "license not open";
	case OSP_MOF_MISSING:
		return required ? "missing" : "missing (optional)";
	case OSP_MOF_NOT_COUNTED:
		break;
	}
	return "";
}

static void put_summary(struct osp_buf *b, const struct osp_mof_model *m,
			const struct osp_mof_eval *ev)
{
	osp_buf_puts(b, "Model Openness Framework evaluation of ");
	put_clean(b, m->name, 0);
	if (m->version[0] != '\0') {
		osp_buf_putc(b, ' ');
		put_clean(b, m->version, 0);
	}
	osp_buf_printf(b, "\n\nClass: %s\n\nProgress:\n", osp_mof_class_label(ev->mof_class));
	for (int c = 3; c >= 1; c--)
		osp_buf_printf(b, "  %-30s %5.1f%%%s\n", osp_mof_class_label(c), ev->progress[c],
			       ev->progress[c] == 100 ? "  met" : "");
}

static void put_components(struct osp_buf *b, const struct osp_mof_model *m,
			   const struct osp_mof_eval *ev)
{
	osp_buf_printf(b, "\n  %-5s %-32s %-22s %s\n", "class", "component", "status", "license");
	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		const struct osp_mof_component_info *info = &osp_mof_components[i];
		const char *lic = m->in.part[i].license;

		osp_buf_printf(b, "  %-5s %-32s %-22s ", osp_mof_class_roman(info->mof_class),
			       info->name, status_words(ev->status[i], info->required));
		if (m->in.part[i].present && lic != NULL && lic[0] != '\0')
			put_clean(b, lic, LICENSE_COLUMN);
		else
			osp_buf_putc(b, '-');
		osp_buf_putc(b, '\n');
	}
}

/* One line on a component that keeps a class from being met. */
static void put_blocker(struct osp_buf *b, const struct osp_mof_model *m,
			const struct osp_mof_eval *ev, int i)
{
	osp_buf_printf(b, "  - %s: ", osp_mof_components[i].name);
	switch (ev->status[i]) {
	case OSP_MOF_MISSING:
		osp_buf_puts(b, "missing");
		break;
	case OSP_MOF_UNLICENSED:
		osp_buf_puts(b, "present, but without a license");
		break;
	default:
		osp_buf_puts(b, "license '");
		put_clean(b, m->in.part[i].license, LICENSE_COLUMN);
		osp_buf_puts(b, "' is not an open license");
		break;
	}
	osp_buf_putc(b, '\n');
}

/* For each class not met, from III down, what it still needs beyond the classes above. */
static void put_blockers(struct osp_buf *b, const struct osp_mof_model *m,
			 const struct osp_mof_eval *ev)
{
	bool listed[OSP_MOF_NCOMPONENTS] = {false};
	bool any = false;

	for (int c = 3; c >= 1; c--) {
		bool header = false;

		if (ev->progress[c] == 100)
			continue;
		for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
			enum osp_mof_status s = ev->counted[c][i];

			if (s == OSP_MOF_NOT_COUNTED || s == OSP_MOF_INCLUDED ||
			    s == OSP_MOF_INCLUDED_WARNING || listed[i])
				continue;
			if (!header)
				osp_buf_printf(b, "\n%s needs%s:\n", osp_mof_class_label(c),
					       any ? ", beyond the above" : "");
			header = any = listed[i] = true;
			put_blocker(b, m, ev, i);
		}
	}
}

static void put_notes(struct osp_buf *b, const struct osp_mof_model *m,
		      const struct osp_mof_eval *ev)
{
	bool header = false;

	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		if (ev->status[i] != OSP_MOF_INCLUDED_WARNING)
			continue;
		if (!header)
			osp_buf_puts(b, "\nNotes:\n");
		header = true;
		osp_buf_printf(b, "  - %s: the MOF does not list '", osp_mof_components[i].name);
		put_clean(b, m->in.part[i].license, LICENSE_COLUMN);
		osp_buf_printf(b, "' as a license for %s; it counts, with a warning\n",
			       osp_mof_type_name(m->in.part[i].type));
	}
	if (ev->paper_for_report) {
		if (!header)
			osp_buf_puts(b, "\nNotes:\n");
		osp_buf_puts(b, "  - the research paper stands in for the technical report\n");
	}
}

char *osp_mof_report_text(const struct osp_mof_model *m, const struct osp_mof_eval *ev)
{
	struct osp_buf b = {0};

	put_summary(&b, m, ev);
	put_components(&b, m, ev);
	put_blockers(&b, m, ev);
	put_notes(&b, m, ev);
	return osp_buf_steal(&b, NULL);
}

static json_t *json_component(const struct osp_mof_model *m, const struct osp_mof_eval *ev, int i)
{
	const struct osp_mof_component_info *info = &osp_mof_components[i];
	const char *lic = m->in.part[i].present ? m->in.part[i].license : NULL;

	return json_pack("{s:s, s:i, s:s, s:b, s:b, s:s, s:s?}", "name", info->name, "class",
			 info->mof_class, "type", osp_mof_type_name(m->in.part[i].type), "required",
			 info->required, "present", m->in.part[i].present, "status",
			 osp_mof_status_name(ev->status[i]), "license", lic);
}

/* The components class c counts that are not included: what it still needs. */
static json_t *json_needed(const struct osp_mof_eval *ev, int c)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < OSP_MOF_NCOMPONENTS; i++) {
		enum osp_mof_status s = ev->counted[c][i];

		if (s == OSP_MOF_NOT_COUNTED || s == OSP_MOF_INCLUDED ||
		    s == OSP_MOF_INCLUDED_WARNING)
			continue;
		if (json_array_append_new(a, json_string(osp_mof_components[i].name)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

static json_t *json_by_class(const struct osp_mof_eval *ev, bool needed)
{
	static const char *const keys[] = {NULL, "1", "2", "3"};
	json_t *o = json_object();

	for (int c = 1; o != NULL && c <= 3; c++) {
		json_t *v = needed ? json_needed(ev, c) : json_real(ev->progress[c]);

		if (json_object_set_new(o, keys[c], v) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static json_t *json_components(const struct osp_mof_model *m, const struct osp_mof_eval *ev)
{
	json_t *a = json_array();

	for (int i = 0; a != NULL && i < OSP_MOF_NCOMPONENTS; i++) {
		if (json_array_append_new(a, json_component(m, ev, i)) != 0) {
			json_decref(a);
			a = NULL;
		}
	}
	return a;
}

char *osp_mof_report_json(const struct osp_mof_model *m, const struct osp_mof_eval *ev)
{
	json_t *o;
	char *s = NULL;

	/* json_pack takes the references of the "o" values, and fails if one is NULL */
	o = json_pack("{s:s, s:s, s:i, s:s, s:o, s:f, s:o, s:o, s:b, s:s}", "name", m->name,
		      "version", m->version, "class", ev->mof_class, "label",
		      osp_mof_class_label(ev->mof_class), "progress", json_by_class(ev, false),
		      "total_progress", ev->total_progress, "components", json_components(m, ev),
		      "needed", json_by_class(ev, true), "paper_for_report", ev->paper_for_report,
		      "license_list", osp_license_list_version());
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

OSPACK_API ospack_error ospack_check_mof(struct ospack_ctx *ctx, const char *path, char **text,
					 char **json)
{
	struct osp_mof_model *m = NULL;
	struct osp_mof_eval ev;
	char *t = NULL, *j = NULL;
	ospack_error err;

	if (text != NULL)
		*text = NULL;
	if (json != NULL)
		*json = NULL;
	if (path == NULL)
		return osp_error(ctx, OSPACK_EUSAGE, "no model file given");
	err = osp_mof_load(ctx, path, &m);
	if (err != OSPACK_OK)
		goto out;
	osp_mof_evaluate(&m->in, &ev);
	if (text != NULL && (t = osp_mof_report_text(m, &ev)) == NULL)
		err = osp_nomem(ctx);
	if (err == OSPACK_OK && json != NULL && (j = osp_mof_report_json(m, &ev)) == NULL)
		err = osp_nomem(ctx);
	if (err != OSPACK_OK)
		goto out;
	if (text != NULL)
		*text = t;
	if (json != NULL)
		*json = j;
	t = j = NULL;
out:
	free(t);
	free(j);
	osp_mof_model_free(m);
	return err;
}
