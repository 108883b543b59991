/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_inspect: what a bundle says it holds, read from its statement without extracting. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>

#include "openness.h"
#include "tar_write.h"
#include "release.h"
#include "sign.h"
#include "verify/verifier.h"

static bool is_envelope(const char *name)
{
	const char *slash = strchr(name, '/');

	return slash != NULL && slash != name && strcmp(slash + 1, OSP_ENVELOPE_PATH) == 0;
}

static ospack_error read_entry(struct ospack_ctx *ctx, struct archive *a, struct archive_entry *e,
			       struct osp_buf *out)
{
	la_int64_t size = archive_entry_size(e);
	char chunk[65536];

	if (size < 0 || (uint64_t)size > OSP_TAG_MAX)
		return osp_error(ctx, OSPACK_EREJECT, "%s: too large", OSP_ENVELOPE_PATH);
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));

		if (n < 0)
			return osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
					 archive_error_string(a));
		if (n == 0)
			break;
		osp_buf_add(out, chunk, (size_t)n);
	}
	return out->failed ? osp_nomem(ctx) : OSPACK_OK;
}

/* Finds the envelope; payload entries are skipped, not read. */
static ospack_error find_envelope(struct ospack_ctx *ctx, int fd, struct osp_buf *env)
{
	struct osp_locale *loc = osp_locale_utf8_push();
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	ospack_error rc = OSPACK_OK;
	bool found = false;

	if (loc == NULL || a == NULL || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, fd, 1024 * 1024) != ARCHIVE_OK) {
		rc = a ? osp_error(ctx, OSPACK_EREJECT, "not a tar archive: %s",
				   archive_error_string(a))
		       : osp_nomem(ctx);
		goto out;
	}
	while (rc == OSPACK_OK && !found) {
		int st = archive_read_next_header(a, &e);
		const char *name;

		if (st == ARCHIVE_EOF)
			break;
		if (st != ARCHIVE_OK) {
			rc = osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
				       archive_error_string(a));
			break;
		}
		name = archive_entry_pathname_utf8(e);
		if (name != NULL && archive_entry_filetype(e) == AE_IFREG && is_envelope(name)) {
			rc = read_entry(ctx, a, e, env);
			found = true;
		}
	}
	if (rc == OSPACK_OK && !found)
		rc = osp_error(ctx, OSPACK_EREJECT, "%s: missing: this is not an ospack bundle",
			       OSP_ENVELOPE_PATH);
out:
	if (a != NULL)
		archive_read_free(a);
	osp_locale_pop(loc);
	return rc;
}

/* The predicate, with the key ids the envelope claims under "signatures". */
static ospack_error decode(struct ospack_ctx *ctx, const struct osp_buf *env, json_t **out)
{
	json_t *e = json_loadb(env->data, env->len, JSON_REJECT_DUPLICATES, NULL), *st = NULL;
	json_t *sigs = json_array(), *pred;
	const char *payload = json_string_value(json_object_get(e, "payload"));
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	ospack_error rc = OSPACK_OK;

	if (payload == NULL ||
	    osp_base64_decode(ctx, payload, strlen(payload), &raw, &rawlen) != OSPACK_OK ||
	    (st = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(pred = json_object_get(st, "predicate")) ||
	    !json_is_string(json_object_get(pred, "bag"))) {
		rc = osp_error(ctx, OSPACK_EREJECT, "%s: not a readable ospack statement",
			       OSP_ENVELOPE_PATH);
		goto out;
	}
	for (size_t i = 0; i < json_array_size(json_object_get(e, "signatures")); i++) {
		json_t *k = json_object_get(json_array_get(json_object_get(e, "signatures"), i),
					    "keyid");

		if (json_is_string(k))
			json_array_append(sigs, k);
		else
			json_array_append_new(sigs, json_string(""));
	}
	json_object_set(pred, "signatures", sigs);
	json_object_set_new(pred, "verified", json_false());
	*out = json_incref(pred);
out:
	json_decref(sigs);
	json_decref(st);
	json_decref(e);
	free(raw);
	return rc;
}

/* A git source: commit, tree, rev, commit time, remote, and what it does not bundle. */
static void text_git(struct osp_buf *b, json_t *src)
{
	json_t *subs = json_object_get(src, "submodules");
	time_t t = (time_t)json_integer_value(json_object_get(src, "committed"));
	const char *rev = json_string_value(json_object_get(src, "rev"));
	const char *remote = json_string_value(json_object_get(src, "remote"));
	const char *subdir = json_string_value(json_object_get(src, "subdir"));
	char when[32] = "?";
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	osp_buf_printf(b, "      git commit %s (rev %s), tree %s\n",
		       json_string_value(json_object_get(src, "commit")), rev ? rev : "HEAD",
		       json_string_value(json_object_get(src, "tree")));
	osp_buf_printf(b, "      committed %s, %s%s%s%s%s\n", when, remote ? "from " : "",
		       remote ? remote : "no public URL named", subdir ? ", folder " : "",
		       subdir ? subdir : "",
		       json_is_true(json_object_get(src, "dirty"))
			       ? "; the working tree was DIRTY (built with --allow-dirty)"
			       : "");
	for (size_t i = 0; i < json_array_size(subs); i++) {
		json_t *m = json_array_get(subs, i);
		const char *url = json_string_value(json_object_get(m, "url"));

		osp_buf_printf(b, "      submodule %s at %s (%s), not bundled\n",
			       json_string_value(json_object_get(m, "path")),
			       json_string_value(json_object_get(m, "commit")),
			       url ? url : "no url");
	}
}

/* "role" is a string, or a list when the entry has several roles: "training,evaluation". */
static void roles_text(json_t *role, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	if (json_is_string(role))
		snprintf(out, len, "%s", json_string_value(role));
	for (size_t i = 0; i < json_array_size(role) && used < len; i++) {
		const char *r = json_string_value(json_array_get(role, i));

		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", r ? r : "?");
	}
}

static void text_component(struct osp_buf *b, json_t *c)
{
	char roles[128];
	const char *role = roles;
	const char *type = json_string_value(json_object_get(c, "type"));
	const char *lic = json_string_value(json_object_get(c, "license"));
	json_t *src = json_object_get(c, "source"), *files = json_object_get(c, "files");
	const char *stype = json_string_value(json_object_get(src, "type"));
	uint64_t total = 0, count = json_array_size(files);
	char human[32];

	roles_text(json_object_get(c, "role"), roles, sizeof(roles));
	if (roles[0] == '\0')
		role = NULL;
	/* A v2 statement counts the files; a v1 statement lists them. */
	if (json_is_integer(files)) {
		count = (uint64_t)json_integer_value(files);
		total = (uint64_t)json_integer_value(json_object_get(c, "bytes"));
	}
	for (size_t i = 0; i < json_array_size(files); i++)
		total += (uint64_t)json_integer_value(
			json_object_get(json_array_get(files, i), "size"));
	osp_human_size(total, human, sizeof(human));
	osp_buf_printf(b, "  %s/%s  %s  license %s  %" PRIu64 " file%s, %s\n",
		       json_string_value(json_object_get(c, "section")),
		       json_string_value(json_object_get(c, "name")),
		       role   ? role
		       : type ? type
			      : "",
		       lic ? lic : "none", count, count == 1 ? "" : "s", human);
	if (stype != NULL && strcmp(stype, "git") == 0)
		text_git(b, src);
	if (stype != NULL && strcmp(stype, "url") == 0)
		osp_buf_printf(b, "      fetched from %s (%" PRId64 " bytes)\n",
			       json_string_value(json_object_get(src, "url")),
			       (int64_t)json_integer_value(json_object_get(src, "size")));
	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *f = json_array_get(files, i);

		osp_buf_printf(b, "      %s %12" PRId64 "  %s\n",
			       json_string_value(json_object_get(f, "mode")),
			       (int64_t)json_integer_value(json_object_get(f, "size")),
			       json_string_value(json_object_get(f, "path")));
	}
}

/* The docs of type license, named when there are some (older bundles have none). */
static void text_license_texts(struct osp_buf *b, json_t *comps)
{
	size_t n = 0;

	for (size_t i = 0; i < json_array_size(comps); i++) {
		json_t *c = json_array_get(comps, i);
		const char *type = json_string_value(json_object_get(c, "type"));

		if (type == NULL || strcmp(type, "license") != 0)
			continue;
		osp_buf_printf(b, "%s%s/%s", n++ ? ", " : "license texts: ",
			       json_string_value(json_object_get(c, "section")),
			       json_string_value(json_object_get(c, "name")));
	}
	if (n > 0)
		osp_buf_putc(b, '\n');
}

static char *render_text(json_t *p)
{
	struct osp_buf b = {0};
	json_t *sigs = json_object_get(p, "signatures"), *comps = json_object_get(p, "components");
	const char *desc = json_string_value(json_object_get(p, "description"));
	const char *lic = json_string_value(json_object_get(p, "license"));

	osp_buf_printf(&b, "%s %s (bag %s/)\n", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")),
		       json_string_value(json_object_get(p, "bag")));
	if (desc != NULL)
		osp_buf_printf(&b, "%s\n", desc);
	osp_buf_printf(&b, "license %s, digests %s\n", lic ? lic : "none",
		       json_string_value(json_object_get(p, "hash")));
	if (json_array_size(sigs) == 0)
		osp_buf_puts(&b, "signatures: none (the statement is not signed)\n");
	for (size_t i = 0; i < json_array_size(sigs); i++)
		osp_buf_printf(&b, "signature claimed by key %s\n",
			       json_string_value(json_array_get(sigs, i)));
	osp_buf_puts(&b,
		     "(nothing was verified: run ospack verify -k KEY for that)\n\ncomponents:\n");
	for (size_t i = 0; i < json_array_size(comps); i++)
		text_component(&b, json_array_get(comps, i));
	text_license_texts(&b, comps);
	if (json_is_object(json_object_get(p, "openness"))) {
		char *report = osp_openness_text(json_object_get(p, "openness"));

		osp_buf_puts(&b, "\nopenness, as the publisher's statement reports it:\n");
		if (report == NULL)
			b.failed = true;
		else
			osp_buf_puts(&b, report);
		free(report);
	}
	return osp_buf_steal(&b, NULL);
}

ospack_error osp_inspect_envelope(struct ospack_ctx *ctx, const char *env, size_t len,
				  json_t **pred)
{
	const struct osp_buf b = {.data = (char *)env, .len = len};

	return decode(ctx, &b, pred);
}

char *osp_inspect_text(json_t *pred)
{
	return osp_json_printable(pred) ? render_text(pred) : NULL;
}

OSPACK_API ospack_error ospack_inspect(struct ospack_ctx *ctx, const char *input, char **text,
				       char **json)
{
	struct osp_buf env = {0};
	json_t *pred = NULL;
	struct osp_unzip *unzip = NULL;
	bool isdir;
	int fd = -1;
	ospack_error rc = osp_open_bundle(ctx, input, &fd, &isdir, &unzip);

	if (rc == OSPACK_OK && isdir)
		rc = osp_error(ctx, OSPACK_EUSAGE, "%s: a folder; inspect reads an archive", input);
	if (rc == OSPACK_OK)
		rc = find_envelope(ctx, fd, &env);
	/* Read no further: the decompressor is stopped, its faults so far still count. */
	rc = osp_close_bundle(ctx, fd, unzip, rc);
	if (rc == OSPACK_OK)
		rc = decode(ctx, &env, &pred);
	if (rc == OSPACK_OK && json != NULL &&
	    (*json = json_dumps(pred, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = osp_nomem(ctx);
	if (rc == OSPACK_OK && text != NULL &&
	    (!osp_json_printable(pred) || (*text = render_text(pred)) == NULL)) {
		rc = osp_nomem(ctx);
		if (json != NULL) {
			free(*json);
			*json = NULL;
		}
	}
	if (rc == OSPACK_EREJECT && strcmp(input, "-") != 0)
		osp_error_prefix(ctx, "%s", input);
	json_decref(pred);
	osp_buf_free(&env);
	return rc;
}
