/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_check: validate a manifest and its sources without building, and report openness. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "openness.h"
#include "release.h"

/* The docs entries of type license: the texts of the licenses, which MOF's release license points
 * to. */
static json_t *license_texts(const struct ospack_manifest *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (e->section == OSP_DOCS && strcmp(e->role, "license") == 0 &&
		    json_array_append_new(a, json_sprintf("docs/%s", e->name)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static void license_texts_text(struct osp_buf *b, json_t *lt)
{
	json_t *entries = json_object_get(lt, "entries");

	if (json_array_size(entries) == 0) {
		osp_buf_puts(b, "license texts: MISSING (a docs entry with type: license, such as "
				"{name: license, path: LICENSE, type: license})\n");
		return;
	}
	osp_buf_puts(b, "license texts: present (");
	for (size_t i = 0; i < json_array_size(entries); i++)
		osp_buf_printf(b, "%s%s", i ? ", " : "",
			       json_string_value(json_array_get(entries, i)));
	osp_buf_puts(b, ")\n");
}

/* The report as text, every string from the manifest made printable. */
static char *render_text(const json_t *j, uint64_t files, uint64_t bytes)
{
	struct osp_buf b = {0};
	json_t *shown = json_deep_copy(j);
	char human[32], *body = NULL;

	if (shown != NULL && osp_json_printable(shown))
		body = osp_openness_text(json_object_get(shown, "openness"));
	osp_human_size(bytes, human, sizeof(human));
	osp_buf_printf(&b, "%s %s: the manifest is valid; %zu files, %s to bundle\n\n",
		       json_string_value(json_object_get(shown, "name")),
		       json_string_value(json_object_get(shown, "version")), (size_t)files, human);
	if (body != NULL)
		osp_buf_puts(&b, body);
	else
		b.failed = true;
	free(body);
	license_texts_text(&b, json_object_get(shown, "license_texts"));
	json_decref(shown);
	return osp_buf_steal(&b, NULL);
}

OSPACK_API int ospack_level_known(const char *name)
{
	enum osp_level l;

	return name != NULL && osp_level_parse(name, &l) == 0;
}

OSPACK_API ospack_error ospack_check(struct ospack_ctx *ctx, const struct ospack_manifest *m,
				     const char *require, int allow_dirty, char **text, char **json)
{
	struct osp_release r = {.m = m, .alg = OSP_SHA256};
	json_t *report = NULL, *j = NULL, *lt = NULL;
	uint64_t bytes = 0;
	ospack_error rc;

	if (text != NULL)
		*text = NULL;
	if (json != NULL)
		*json = NULL;
	if (require != NULL && !ospack_level_known(require))
		return osp_openness_require(ctx, NULL, require);
	rc = osp_release_collect(ctx, &r, allow_dirty != 0);
	if (rc == OSPACK_OK)
		rc = osp_openness_eval(ctx, m, &r.openness);
	if (rc != OSPACK_OK)
		goto out;
	bytes = r.bytes;
	report = osp_openness_json(r.openness);
	lt = license_texts(m);
	j = json_pack("{s:s, s:s, s:I, s:I, s:O, s:{s:b, s:o*}}", "name", m->name, "version",
		      m->version, "files", (json_int_t)r.files, "bytes", (json_int_t)bytes,
		      "openness", report, "license_texts", "present", json_array_size(lt) > 0,
		      "entries", lt);
	if (report == NULL || lt == NULL || j == NULL ||
	    (text != NULL && (*text = render_text(j, r.files, bytes)) == NULL) ||
	    (json != NULL && (*json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)) {
		rc = osp_nomem(ctx);
		goto out;
	}
	/* The report is there for the caller to show, met or not. */
	rc = osp_openness_require(ctx, r.openness, require);
out:
	json_decref(report);
	json_decref(j);
	osp_release_free(&r);
	return rc;
}
