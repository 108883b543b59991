/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming side of the verifier: entry names, types, modes, and digests as bytes go by. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "release.h"
#include "sign.h"
#include "verify_int.h"

ospack_error osp_reject(struct osp_verifier *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	osp_verror(v->ctx, OSPACK_EREJECT, fmt, ap);
	va_end(ap);
	return OSPACK_EREJECT;
}

ospack_error osp_verifier_new(struct ospack_ctx *ctx, struct osp_key *const *trusted,
			      size_t ntrusted, bool folder, struct osp_verifier **out)
{
	struct osp_verifier *v = calloc(1, sizeof(*v));
	ospack_error rc;

	*out = NULL;
	if (v == NULL)
		return osp_nomem(ctx);
	v->ctx = ctx;
	v->trusted = trusted;
	v->ntrusted = ntrusted;
	v->folder = folder;
	v->cur = -1;
	/*
	 * Hashed on the reading thread: measured on two cores, handing the bytes to
	 * another thread costs more than it saves (verify runs as fast as
	 * openssl dgst this way; see docs/performance.md).
	 */
	rc = osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256), &v->hash);
	if (rc != OSPACK_OK) {
		osp_verifier_free(v);
		return rc;
	}
	*out = v;
	return OSPACK_OK;
}

void osp_verifier_free(struct osp_verifier *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		free(v->recs[i].path);
		free(v->recs[i].data);
	}
	free(v->recs);
	free(v->root);
	osp_buf_free(&v->tag);
	osp_hash_free(v->hash);
	osp_vstate_free(v);
	free(v);
}

const char *osp_verifier_current(const struct osp_verifier *v)
{
	return v->cur >= 0 ? v->recs[v->cur].path : "";
}

const char *osp_verifier_root(const struct osp_verifier *v)
{
	return v->root ? v->root : "";
}

static size_t depth(const char *name, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += name[i] == '/';
	return n;
}

/*
 * Splits "<root>/<rel>" into the bag's root folder and the path inside it,
 * refusing anything an extractor could be tricked by.
 */
static ospack_error check_name(struct osp_verifier *v, const char *name, bool dir, char **rel)
{
	size_t len = strlen(name), rootlen;
	const char *p;

	if (dir && len > 1 && name[len - 1] == '/')
		len--;
	if (len == 0)
		return osp_reject(v, "an entry has an empty name");
	if (len > OSP_PATH_MAX)
		return osp_reject(v, "%.64s...: an entry name longer than %d bytes", name,
				  OSP_PATH_MAX);
	if (!osp_utf8_valid(name, len))
		return osp_reject(v, "an entry name is not valid UTF-8");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return osp_reject(v, "an entry name holds a control character");
	if (name[0] == '/')
		return osp_reject(v, "%.*s: absolute path", (int)len, name);
	for (p = name; p < name + len;) {
		size_t n = strcspn(p, "/");

		if (p + n > name + len)
			n = (size_t)(name + len - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return osp_reject(v, "%.*s: path with a '..' component", (int)len, name);
		if (n == 0 || (n == 1 && p[0] == '.'))
			return osp_reject(v, "%.*s: path with an empty or '.' component", (int)len,
					  name);
		p += n + 1;
	}
	if (depth(name, len) > OSP_DEPTH_MAX)
		return osp_reject(v, "%.64s...: nested deeper than %d folders", name,
				  OSP_DEPTH_MAX);
	v->namebytes += len;
	if (v->namebytes > OSP_NAMES_MAX)
		return osp_reject(v, "entry names longer than %llu bytes in all",
				  (unsigned long long)OSP_NAMES_MAX);
	rootlen = strcspn(name, "/");
	if (rootlen > len)
		rootlen = len;
	if (v->root == NULL && (v->root = osp_strndup(name, rootlen)) == NULL)
		return osp_nomem(v->ctx);
	if (strlen(v->root) != rootlen || memcmp(v->root, name, rootlen) != 0)
		return osp_reject(v, "%.*s: outside the bag folder %s/", (int)len, name, v->root);
	if (rootlen == len && !dir)
		return osp_reject(v, "%.*s: a file where the bag folder should be", (int)len, name);
	*rel = rootlen == len ? osp_strdup("") : osp_strndup(name + rootlen + 1, len - rootlen - 1);
	return *rel ? OSPACK_OK : osp_nomem(v->ctx);
}

static struct osp_vrec *add_rec(struct osp_verifier *v, char *rel)
{
	struct osp_vrec *r;

	if (v->n >= OSP_ENTRIES_MAX) {
		free(rel);
		osp_reject(v, "more than %d entries", OSP_ENTRIES_MAX);
		return NULL;
	}
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		struct osp_vrec *nr = osp_reallocarray(v->recs, cap, sizeof(*nr));

		if (nr == NULL) {
			free(rel);
			osp_nomem(v->ctx);
			return NULL;
		}
		v->recs = nr;
		v->cap = cap;
	}
	r = &v->recs[v->n++];
	memset(r, 0, sizeof(*r));
	r->path = rel;
	return r;
}

/* Checks an entry's name and makes it the current entry. */
static ospack_error start_entry(struct osp_verifier *v, const char *name, bool dir, unsigned mode,
				struct osp_vrec **out)
{
	char *rel = NULL;
	ospack_error rc = check_name(v, name, dir, &rel);
	struct osp_vrec *r;

	if (rc != OSPACK_OK)
		return rc;
	r = add_rec(v, rel);
	if (r == NULL)
		return v->ctx->code;
	r->dir = dir;
	r->mode = mode;
	v->cur = (long)(v->n - 1);
	*out = r;
	return OSPACK_OK;
}

ospack_error osp_verifier_dir(struct osp_verifier *v, const char *name, unsigned mode)
{
	struct osp_vrec *r;
	ospack_error rc = start_entry(v, name, true, mode, &r);

	if (rc != OSPACK_OK)
		return rc;
	/* An unpacked folder's modes come from whoever unpacked it. */
	if (!v->folder && mode != 0755)
		return osp_reject(v, "%s/: mode %04o, not 0755", r->path[0] ? r->path : v->root,
				  mode);
	return OSPACK_OK;
}

/* Tag files (outside data/) are kept whole: the checks at the end read them. */
static bool is_tag(const char *rel)
{
	return strncmp(rel, "data/", 5) != 0;
}

ospack_error osp_verifier_begin(struct osp_verifier *v, const char *name, uint64_t size,
				unsigned mode)
{
	struct osp_vrec *r;
	ospack_error rc = start_entry(v, name, false, mode, &r);
	const char *rel;

	if (rc != OSPACK_OK)
		return rc;
	rel = r->path;
	r->size = size;
	r->tag = is_tag(rel);
	if (!v->folder && mode != 0644 && mode != 0755)
		return osp_reject(v, "%s: mode %04o (a bundle holds only 0644 and 0755)", rel,
				  mode);
	if (r->tag && size > OSP_TAG_MAX)
		return osp_reject(v, "%s: tag file too large (%llu bytes)", rel,
				  (unsigned long long)size);
	if (r->tag && v->tagbytes + size > OSP_TAGS_MAX)
		return osp_reject(v, "%s: tag files too large in all", rel);
	v->tagbytes += r->tag ? size : 0;
	v->got = 0;
	return OSPACK_OK;
}

ospack_error osp_verifier_data(struct osp_verifier *v, const void *p, size_t n)
{
	struct osp_vrec *r = &v->recs[v->cur];

	if (n > r->size - v->got)
		return osp_reject(v, "%s: more data than its size", r->path);
	v->got += n;
	if (r->tag)
		osp_buf_add(&v->tag, p, n);
	return osp_hash_update(v->ctx, v->hash, p, n);
}

ospack_error osp_verifier_end(struct osp_verifier *v)
{
	struct osp_vrec *r = &v->recs[v->cur];
	struct osp_digests d;
	ospack_error rc;

	rc = osp_hash_final(v->ctx, v->hash, &d);
	if (rc != OSPACK_OK)
		return rc;
	memcpy(r->sha256, d.d[OSP_SHA256], 32);
	if (v->got != r->size)
		return osp_reject(v, "%s: truncated (%llu of %llu bytes)", r->path,
				  (unsigned long long)v->got, (unsigned long long)r->size);
	v->payload_bytes += r->tag ? 0 : r->size;
	if (!r->tag)
		return OSPACK_OK;
	if (v->tag.failed)
		return osp_nomem(v->ctx);
	r->data = osp_buf_steal(&v->tag, &r->len);
	return r->data ? OSPACK_OK : osp_nomem(v->ctx);
}

ospack_error osp_load_trusted(struct ospack_ctx *ctx, const char *const *specs, size_t n,
			      struct osp_key ***out)
{
	struct osp_key **keys = calloc(n ? n : 1, sizeof(*keys));

	*out = NULL;
	if (keys == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		ospack_error rc = osp_key_load_public(ctx, specs[i], &keys[i]);

		if (rc != OSPACK_OK) {
			osp_free_keys(keys, i);
			return rc;
		}
	}
	*out = keys;
	return OSPACK_OK;
}

void osp_free_keys(struct osp_key **keys, size_t n)
{
	for (size_t i = 0; keys != NULL && i < n; i++)
		osp_key_free(keys[i]);
	free(keys);
}
