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

#include "bag.h"
#include "hash.h"
#include "openness.h"
#include "tar_write.h"
#include "release.h"
#include "sign.h"
#include "spill.h"
#include "verify/verifier.h"

/* A files.txt line: a path, percent-encoded, its mode and size. */
#define LINE_MAX_LEN (3 * OSP_PATH_MAX + 64)

/* Whether name is the tag file tag of the bag folder: "<bag>/<tag>". */
static bool is_tag(const char *name, const char *tag)
{
	const char *slash = strchr(name, '/');

	return slash != NULL && slash != name && strcmp(slash + 1, tag) == 0;
}

/* What one pass over the archive keeps: the envelope and, when listing, files.txt. */
struct scan {
	struct osp_buf env;
	struct osp_spill *files; /* NULL unless listing; then files.txt, spilled */
	bool have_files;
	char files_hex[2 * 32 + 1];  /* its SHA-256 */
	char signed_hex[2 * 64 + 1]; /* the SHA-256 the statement gives it */
};

/* files.txt into a spill file (it comes before the envelope), hashed on the way. */
static ospack_error spill_entry(struct ospack_ctx *ctx, struct archive *a, struct scan *sc)
{
	struct osp_hash *h = NULL;
	struct osp_digests d;
	char chunk[65536];
	ospack_error rc = osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256), &h);

	while (rc == OSPACK_OK) {
		la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));

		if (n < 0)
			rc = osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
				       archive_error_string(a));
		if (n <= 0)
			break;
		rc = osp_hash_update(ctx, h, chunk, (size_t)n);
		if (rc == OSPACK_OK)
			rc = osp_spill_write(ctx, sc->files, chunk, (size_t)n);
	}
	if (rc == OSPACK_OK)
		rc = osp_hash_final(ctx, h, &d);
	if (rc == OSPACK_OK)
		rc = osp_spill_flush(ctx, sc->files);
	if (rc == OSPACK_OK) {
		osp_hex(d.d[OSP_SHA256], 32, sc->files_hex);
		sc->have_files = true;
	}
	osp_hash_free(h);
	return rc;
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

/* Finds the envelope (and files.txt when listing); payload entries are skipped, not read. */
static ospack_error find_envelope(struct ospack_ctx *ctx, int fd, struct scan *sc)
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
		if (name == NULL || archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (is_tag(name, OSP_ENVELOPE_PATH)) {
			rc = read_entry(ctx, a, e, &sc->env);
			found = true;
		} else if (sc->files != NULL && !sc->have_files && is_tag(name, OSP_FILES_PATH)) {
			rc = spill_entry(ctx, a, sc);
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

/* The SHA-256 the statement's subjects give name, or NULL. */
static const char *subject_sha256(json_t *st, const char *name)
{
	json_t *subj = json_object_get(st, "subject");

	for (size_t i = 0; i < json_array_size(subj); i++) {
		json_t *s = json_array_get(subj, i);
		const char *n = json_string_value(json_object_get(s, "name"));

		if (n != NULL && strcmp(n, name) == 0)
			return json_string_value(
				json_object_get(json_object_get(s, "digest"), "sha256"));
	}
	return NULL;
}

/*
 * The predicate, with the key ids the envelope claims under "signatures"; and,
 * when files_hex is not NULL, the digest the statement gives files.txt ("" if none).
 */
static ospack_error decode(struct ospack_ctx *ctx, const struct osp_buf *env, json_t **out,
			   char *files_hex, size_t hexlen)
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
	if (files_hex != NULL) {
		const char *hex = subject_sha256(st, OSP_FILES_PATH);

		snprintf(files_hex, hexlen, "%s", hex ? hex : "");
	}
	*out = json_incref(pred);
out:
	json_decref(sigs);
	json_decref(st);
	json_decref(e);
	free(raw);
	return rc;
}

/* A git source: commit, tree, commit time, remote, and what it does not bundle. */
static void text_git(struct osp_buf *b, json_t *src)
{
	json_t *subs = json_object_get(src, "submodules");
	time_t t = (time_t)json_integer_value(json_object_get(src, "committed"));
	const char *remote = json_string_value(json_object_get(src, "remote"));
	const char *subdir = json_string_value(json_object_get(src, "subdir"));
	char when[32] = "?";
	struct tm tm;

	if (gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	osp_buf_printf(b, "      commit %s, tree %s\n",
		       json_string_value(json_object_get(src, "commit")),
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

/* What a component is for: its role (or roles), a document's type, a checkpoint's step. */
static void text_role(struct osp_buf *b, json_t *c)
{
	json_t *role = json_object_get(c, "role"), *step = json_object_get(c, "step");
	const char *type = json_string_value(json_object_get(c, "type"));
	const char *dataset = json_string_value(json_object_get(c, "dataset"));

	if (json_is_string(role))
		osp_buf_puts(b, json_string_value(role));
	for (size_t i = 0; json_is_array(role) && i < json_array_size(role); i++)
		osp_buf_printf(b, "%s%s", i ? "," : "", json_string_value(json_array_get(role, i)));
	if (role == NULL && type != NULL)
		osp_buf_puts(b, type);
	if (role == NULL && json_is_boolean(json_object_get(c, "final")))
		osp_buf_printf(b, "%s%s", json_is_true(json_object_get(c, "final")) ? "final" : "",
			       json_is_integer(step) && json_is_true(json_object_get(c, "final"))
				       ? ", "
				       : "");
	if (role == NULL && json_is_integer(step))
		osp_buf_printf(b, "step %" PRId64, (int64_t)json_integer_value(step));
	if (role == NULL && dataset != NULL)
		osp_buf_printf(b, "on %s", dataset);
}

/* A component's file count and bytes: a v2 statement counts them, a v1 statement lists them. */
static void component_size(json_t *c, uint64_t *count, uint64_t *bytes)
{
	json_t *files = json_object_get(c, "files");

	*count = json_array_size(files);
	*bytes = 0;
	if (json_is_integer(files)) {
		*count = (uint64_t)json_integer_value(files);
		*bytes = (uint64_t)json_integer_value(json_object_get(c, "bytes"));
	}
	for (size_t i = 0; i < json_array_size(files); i++)
		*bytes += (uint64_t)json_integer_value(
			json_object_get(json_array_get(files, i), "size"));
}

/* Characters, not bytes, of UTF-8 text: for columns. */
static size_t width(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

struct columns {
	size_t name, role, license;
};

static void text_name(struct osp_buf *b, json_t *c)
{
	osp_buf_printf(b, "%s/%s", json_string_value(json_object_get(c, "section")),
		       json_string_value(json_object_get(c, "name")));
}

/* Pads b's text from start to w characters. */
static void pad(struct osp_buf *b, size_t start, size_t w)
{
	size_t have = b->failed ? w : width(b->data + start);

	for (; have < w; have++)
		osp_buf_putc(b, ' ');
}

static void text_component(struct osp_buf *b, json_t *c, const struct columns *cols,
			   uint64_t *files, uint64_t *bytes)
{
	const char *lic = json_string_value(json_object_get(c, "license"));
	json_t *src = json_object_get(c, "source");
	const char *stype = json_string_value(json_object_get(src, "type"));
	const char *commit = json_string_value(json_object_get(src, "commit"));
	const char *rev = json_string_value(json_object_get(src, "rev"));
	bool git = stype != NULL && strcmp(stype, "git") == 0;
	uint64_t count, total;
	char human[32];
	size_t at;

	component_size(c, &count, &total);
	*files += count;
	*bytes += total;
	osp_human_size(total, human, sizeof(human));
	osp_buf_puts(b, "  ");
	at = b->len;
	text_name(b, c);
	pad(b, at, cols->name);
	osp_buf_puts(b, "  ");
	at = b->len;
	text_role(b, c);
	pad(b, at, cols->role);
	osp_buf_puts(b, "  license ");
	at = b->len;
	osp_buf_puts(b, lic ? lic : "none");
	pad(b, at, cols->license);
	osp_buf_printf(b, "  %" PRIu64 " file%s, %s", count, count == 1 ? "" : "s", human);
	if (git)
		osp_buf_printf(b, "  git %.12s (rev %s)", commit ? commit : "?",
			       rev ? rev : "HEAD");
	osp_buf_putc(b, '\n');
	if (git)
		text_git(b, src);
	if (stype != NULL && strcmp(stype, "url") == 0)
		osp_buf_printf(b, "      fetched from %s (%" PRId64 " bytes)\n",
			       json_string_value(json_object_get(src, "url")),
			       (int64_t)json_integer_value(json_object_get(src, "size")));
}

/* The widest name and role, so that the columns line up. */
static void columns_of(json_t *comps, struct columns *cols)
{
	for (size_t i = 0; i < json_array_size(comps); i++) {
		struct osp_buf n = {0}, r = {0};
		json_t *c = json_array_get(comps, i);
		const char *lic = json_string_value(json_object_get(c, "license"));

		text_name(&n, c);
		text_role(&r, c);
		if (n.data != NULL && width(n.data) > cols->name)
			cols->name = width(n.data);
		if (r.data != NULL && width(r.data) > cols->role)
			cols->role = width(r.data);
		if (lic != NULL && width(lic) > cols->license)
			cols->license = width(lic);
		osp_buf_free(&n);
		osp_buf_free(&r);
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
	struct columns cols = {0, 0, 0};
	uint64_t files = 0, bytes = 0;
	char human[32];

	osp_buf_printf(&b, "%s %s (bag %s/)\n", json_string_value(json_object_get(p, "name")),
		       json_string_value(json_object_get(p, "version")),
		       json_string_value(json_object_get(p, "bag")));
	if (desc != NULL)
		osp_buf_printf(&b, "%s\n", desc);
	osp_buf_printf(&b, "format v%" PRId64 ", license %s, digests %s\n",
		       (int64_t)json_integer_value(json_object_get(p, "ospack")),
		       lic ? lic : "none", json_string_value(json_object_get(p, "hash")));
	if (json_array_size(sigs) == 0)
		osp_buf_puts(&b, "signatures: none (the statement is not signed)\n");
	for (size_t i = 0; i < json_array_size(sigs); i++)
		osp_buf_printf(&b, "signature claimed by key %s\n",
			       json_string_value(json_array_get(sigs, i)));
	osp_buf_puts(&b,
		     "(nothing was verified: run ospack verify -k KEY for that)\n\ncomponents:\n");
	columns_of(comps, &cols);
	for (size_t i = 0; i < json_array_size(comps); i++)
		text_component(&b, json_array_get(comps, i), &cols, &files, &bytes);
	osp_human_size(bytes, human, sizeof(human));
	osp_buf_printf(&b, "total: %zu component%s, %" PRIu64 " file%s, %s\n",
		       json_array_size(comps), json_array_size(comps) == 1 ? "" : "s", files,
		       files == 1 ? "" : "s", human);
	text_license_texts(&b, comps);
	if (json_is_object(json_object_get(p, "openness"))) {
		char *report = osp_openness_levels_text(json_object_get(p, "openness"));

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

	return decode(ctx, &b, pred, NULL, 0);
}

char *osp_inspect_text(json_t *pred)
{
	return osp_json_printable(pred) ? render_text(pred) : NULL;
}

/* Opens input and reads its statement; with sc->files set, files.txt as well. */
static ospack_error read_bundle(struct ospack_ctx *ctx, const char *input, struct scan *sc,
				json_t **pred)
{
	struct osp_unzip *unzip = NULL;
	bool isdir;
	int fd = -1;
	ospack_error rc = osp_open_bundle(ctx, input, &fd, &isdir, &unzip);

	if (rc == OSPACK_OK && isdir)
		rc = osp_error(ctx, OSPACK_EUSAGE, "%s: a folder; inspect reads an archive", input);
	if (rc == OSPACK_OK)
		rc = find_envelope(ctx, fd, sc);
	/* Read no further: a decompressor is stopped, its faults so far still count. */
	rc = osp_close_bundle(ctx, fd, unzip, rc);
	if (rc == OSPACK_OK)
		rc = decode(ctx, &sc->env, pred, sc->files ? sc->signed_hex : NULL,
			    sizeof(sc->signed_hex));
	return rc;
}

OSPACK_API ospack_error ospack_inspect(struct ospack_ctx *ctx, const char *input, char **text,
				       char **json)
{
	struct scan sc = {0};
	json_t *pred = NULL;
	ospack_error rc = read_bundle(ctx, input, &sc, &pred);

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
	osp_buf_free(&sc.env);
	return rc;
}

/* ---- --files ---- */

/* Gives one file to fn, with its line for people and its JSON. */
static ospack_error emit(struct ospack_ctx *ctx, struct ospack_inspect_file *f,
			 ospack_inspect_file_fn fn, void *arg)
{
	char *shown = osp_printable_dup(f->path), *line = NULL, *json = NULL;
	json_t *j =
		json_pack("{s:s, s:s, s:I, s:s}", "path", f->path, "component", f->component,
			  "size", (json_int_t)f->size, "mode", f->mode == 0755 ? "0755" : "0644");
	size_t n = shown ? strlen(shown) + 32 : 0;
	ospack_error rc = OSPACK_OK;

	if (shown == NULL || j == NULL || (line = malloc(n)) == NULL ||
	    (json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	snprintf(line, n, "%04o %12" PRIu64 "  %s", f->mode, f->size, shown);
	f->text = line;
	f->json = json;
	if (fn(arg, f) != 0)
		rc = osp_error(ctx, OSPACK_EIO, "the file listing was stopped");
out:
	free(shown);
	free(line);
	free(json);
	json_decref(j);
	return rc;
}

/* "data/SECTION/NAME/...": its component "SECTION/NAME" into out; -1 for any other path. */
static int component_of(const char *path, char *out, size_t outlen)
{
	const char *s, *e;

	if (strncmp(path, "data/", 5) != 0 || (s = strchr(path + 5, '/')) == NULL ||
	    s == path + 5 || (e = strchr(s + 1, '/')) == NULL || e == s + 1 ||
	    (size_t)(e - path - 5) >= outlen)
		return -1;
	memcpy(out, path + 5, (size_t)(e - path - 5));
	out[e - path - 5] = '\0';
	return 0;
}

/* "MODE SIZE PATH" (docs/FORMAT.md); path is allocated. */
static int parse_files_line(const char *s, size_t n, unsigned *mode, uint64_t *size, char **path)
{
	char *end;
	unsigned long long v;

	if (n < 7 || (memcmp(s, "0644 ", 5) != 0 && memcmp(s, "0755 ", 5) != 0) || s[5] < '0' ||
	    s[5] > '9' || (s[5] == '0' && s[6] != ' '))
		return -1;
	*mode = s[1] == '7' ? 0755 : 0644;
	errno = 0;
	v = strtoull(s + 5, &end, 10);
	if (errno != 0 || *end != ' ' || end[1] == '\0')
		return -1;
	*size = v;
	*path = osp_bag_decode_path(end + 1, n - (size_t)(end + 1 - s));
	return *path ? 0 : -2;
}

/* One pass over the spilled files.txt: checks every line (fn NULL) or gives each to fn. */
static ospack_error walk_files_txt(struct ospack_ctx *ctx, struct osp_spill *sp,
				   ospack_inspect_file_fn fn, void *arg)
{
	struct osp_sreader *rd = osp_sreader_file(sp, 0, osp_spill_size(sp));
	char *line, *path = NULL, comp[2 * OSP_PATH_MAX];
	unsigned lineno = 0;
	size_t len;
	int st;
	ospack_error rc = rd ? OSPACK_OK : osp_nomem(ctx);

	while (rc == OSPACK_OK && (st = osp_sreader_line(rd, LINE_MAX_LEN, &line, &len)) != 0) {
		struct ospack_inspect_file f = {0};
		int p;

		lineno++;
		if (st < 0) {
			rc = osp_sreader_errno(rd) != 0
				     ? osp_errno(ctx, osp_sreader_errno(rd),
						 "cannot read a temporary file for", OSP_FILES_PATH)
				     : osp_error(ctx, OSPACK_EREJECT, "%s: line %u: too long",
						 OSP_FILES_PATH, lineno);
			break;
		}
		p = parse_files_line(line, len, &f.mode, &f.size, &path);
		if (p == -2)
			rc = osp_nomem(ctx);
		else if (p < 0 || component_of(path, comp, sizeof(comp)) != 0)
			rc = osp_error(ctx, OSPACK_EREJECT, "%s: line %u: malformed",
				       OSP_FILES_PATH, lineno);
		f.path = path;
		f.component = comp;
		if (rc == OSPACK_OK && fn != NULL)
			rc = emit(ctx, &f, fn, arg);
		free(path);
		path = NULL;
	}
	osp_sreader_free(rd);
	return rc;
}

/* A v1 statement lists each component's files. */
static ospack_error walk_v1(struct ospack_ctx *ctx, json_t *pred, ospack_inspect_file_fn fn,
			    void *arg)
{
	json_t *comps = json_object_get(pred, "components");
	ospack_error rc = OSPACK_OK;
	char comp[2 * OSP_PATH_MAX];

	for (size_t i = 0; rc == OSPACK_OK && i < json_array_size(comps); i++) {
		json_t *c = json_array_get(comps, i), *files = json_object_get(c, "files");

		snprintf(comp, sizeof(comp), "%s/%s",
			 json_string_value(json_object_get(c, "section")),
			 json_string_value(json_object_get(c, "name")));
		for (size_t k = 0; rc == OSPACK_OK && k < json_array_size(files); k++) {
			json_t *fj = json_array_get(files, k);
			const char *mode = json_string_value(json_object_get(fj, "mode"));
			struct ospack_inspect_file f = {
				.path = json_string_value(json_object_get(fj, "path")),
				.component = comp,
				.size = (uint64_t)json_integer_value(json_object_get(fj, "size")),
				.mode = mode != NULL && strcmp(mode, "0755") == 0 ? 0755 : 0644};

			if (f.path == NULL)
				rc = osp_error(ctx, OSPACK_EREJECT, "%s: %s: a file without a path",
					       OSP_ENVELOPE_PATH, comp);
			else if (fn != NULL)
				rc = emit(ctx, &f, fn, arg);
		}
	}
	return rc;
}

static ospack_error list_files(struct ospack_ctx *ctx, struct scan *sc, json_t *pred,
			       ospack_inspect_file_fn fn, void *arg)
{
	ospack_error rc;

	if (json_integer_value(json_object_get(pred, "ospack")) == 1) {
		/* checked whole first: a rejected bundle gives no line */
		rc = walk_v1(ctx, pred, NULL, NULL);
		return rc == OSPACK_OK ? walk_v1(ctx, pred, fn, arg) : rc;
	}
	if (!sc->have_files)
		return osp_error(ctx, OSPACK_EREJECT, "%s: missing", OSP_FILES_PATH);
	if (strcmp(sc->signed_hex, "") == 0)
		return osp_error(ctx, OSPACK_EREJECT, "%s: not among the statement's subjects",
				 OSP_FILES_PATH);
	if (strcmp(sc->files_hex, sc->signed_hex) != 0)
		return osp_error(ctx, OSPACK_EREJECT,
				 "%s: its SHA-256 is not the one the statement gives it",
				 OSP_FILES_PATH);
	rc = walk_files_txt(ctx, sc->files, NULL, NULL);
	return rc == OSPACK_OK ? walk_files_txt(ctx, sc->files, fn, arg) : rc;
}

OSPACK_API ospack_error ospack_inspect_files(struct ospack_ctx *ctx, const char *input,
					     const char *tmpdir, ospack_inspect_file_fn fn,
					     void *arg)
{
	struct scan sc = {0};
	json_t *pred = NULL;
	ospack_error rc = osp_spill_new(ctx, tmpdir, &sc.files);

	if (rc == OSPACK_OK)
		rc = read_bundle(ctx, input, &sc, &pred);
	if (rc == OSPACK_OK)
		rc = list_files(ctx, &sc, pred, fn, arg);
	if (rc == OSPACK_EREJECT && strcmp(input, "-") != 0)
		osp_error_prefix(ctx, "%s", input);
	json_decref(pred);
	osp_buf_free(&sc.env);
	osp_spill_free(sc.files);
	return rc;
}
