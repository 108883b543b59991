/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Sigstore bundles a verifier checks: ospack/model.sig, an OMS signature
 * that must agree with every file of the bag, and a detached bundle of the
 * statement (--sigstore-bundle).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oms.h"
#include "release.h"
#include "sign.h"
#include "sigstore.h"
#include "spill.h"
#include "vstate.h"

/* A resource of the OMS statement, sorted by name in byte order for lookups. */
struct vres {
	const char *name; /* borrowed from the statement's JSON */
	unsigned char sha256[32];
	bool seen;
};

static int vres_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vres *)a)->name, ((const struct vres *)b)->name);
}

/* Reads, bounded, and parses a bundle; what names it. */
static ospack_error read_bundle(struct osp_verifier *v, const char *what, const char *text,
				size_t len, json_t **root, struct osp_sigstore *b)
{
	if (osp_vparse_json(v, what, text, len, 64, OSP_OMS_DEPTH_MAX, root) != OSPACK_OK)
		return OSPACK_EREJECT;
	if (osp_sigstore_read(v->ctx, what, *root, b) != OSPACK_OK)
		return osp_reject(v, "%s", v->ctx->msg);
	return OSPACK_OK;
}

/*
 * With trusted keys, a bundle must verify with one of them whose hint it names.
 * Returns OSPACK_OK with *trusted set, or the rejection.
 */
static ospack_error check_bundle_sig(struct osp_verifier *v, const char *what,
				     const struct osp_sigstore *b, bool only_ecdsa, bool *trusted)
{
	bool named = false;

	*trusted = false;
	for (size_t k = 0; k < v->ntrusted && !*trusted; k++) {
		const struct osp_key *key = v->trusted[k];

		if (only_ecdsa && osp_key_type(key) != OSP_KEY_ECDSA_P256)
			continue;
		if (!osp_sigstore_names(v->ctx, b, key))
			continue;
		named = true;
		*trusted = osp_sigstore_verify(b, key);
	}
	if (*trusted)
		return OSPACK_OK;
	if (named)
		return osp_reject(v, "%s: the signature does not verify with the trusted key %s",
				  what, b->hint[0] ? "its hint names" : "given");
	return osp_reject(v, "%s: signed by a key that is not trusted (hint %.64s)", what,
			  b->hint[0] ? b->hint : "none");
}

/*
 * An ignore_paths entry as model_signing would read it: a plain relative path.
 * "." or "./data" would leave out more than ospack sees them leave out.
 */
static bool plain_path(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || s[0] == '/' || s[n - 1] == '/' || strstr(s, "//") != NULL)
		return false;
	for (const char *c = s; c != NULL; c = strchr(c, '/')) {
		c += *c == '/';
		if (strncmp(c, ".", 1) == 0 && (c[1] == '/' || c[1] == '\0'))
			return false;
		if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
			return false;
	}
	return true;
}

static ospack_error check_ignore(struct osp_verifier *v, json_t *ignore)
{
	size_t i;
	json_t *p;

	json_array_foreach(ignore, i, p)
	{
		if (!json_is_string(p) || !plain_path(json_string_value(p)))
			return osp_reject(v,
					  "%s: ignore_paths entry %zu is not a plain relative path",
					  OSP_OMS_PATH, i + 1);
	}
	return OSPACK_OK;
}

static bool ignored(json_t *ignore, const char *path)
{
	size_t i;
	json_t *p;

	json_array_foreach(ignore, i, p)
	{
		const char *s = json_string_value(p);
		size_t n = s ? strlen(s) : 0;

		if (n > 0 && strncmp(path, s, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

/* Resources into a sorted array, the root digest recomputed in the statement's order. */
static ospack_error read_resources(struct osp_verifier *v, json_t *arr, const char *subject_hex,
				   struct vres **out)
{
	size_t n = json_array_size(arr), i;
	struct vres *res = calloc(n ? n : 1, sizeof(*res));
	struct osp_hash *h = NULL;
	struct osp_digests d;
	char hex[65];
	json_t *r;

	*out = res;
	if (res == NULL || osp_hash_new(v->ctx, OSP_ALG_BIT(OSP_SHA256), &h) != OSPACK_OK) {
		osp_hash_free(h);
		return osp_nomem(v->ctx);
	}
	json_array_foreach(arr, i, r)
	{
		const char *alg, *digest;
		json_error_t err;

		if (json_unpack_ex(r, &err, 0, "{s:s, s:s, s:s}", "name", &res[i].name, "algorithm",
				   &alg, "digest", &digest) != 0 ||
		    strcmp(alg, "sha256") != 0 || strlen(digest) != 64 ||
		    !osp_is_lower_hex(digest, 64)) {
			osp_hash_free(h);
			return osp_reject(v, "%s: resource %zu is not a file's SHA-256",
					  OSP_OMS_PATH, i + 1);
		}
		osp_unhex(digest, res[i].sha256, 32);
		if (osp_hash_update(v->ctx, h, res[i].sha256, 32) != OSPACK_OK) {
			osp_hash_free(h);
			return v->ctx->code;
		}
	}
	if (osp_hash_final(v->ctx, h, &d) != OSPACK_OK) {
		osp_hash_free(h);
		return v->ctx->code;
	}
	osp_hash_free(h);
	osp_hex(d.d[OSP_SHA256], 32, hex);
	if (strcmp(hex, subject_hex) != 0)
		return osp_reject(v, "%s: the subject's digest is not that of the resources",
				  OSP_OMS_PATH);
	qsort(res, n, sizeof(*res), vres_cmp);
	for (i = 1; i < n; i++)
		if (strcmp(res[i - 1].name, res[i].name) == 0)
			return osp_reject(v, "%s: lists %s twice", OSP_OMS_PATH, res[i].name);
	return OSPACK_OK;
}

/* One file of the bag: a resource with its digest, and not ignored. */
static ospack_error match_file(struct osp_verifier *v, struct vres *res, size_t n, json_t *ignore,
			       const char *path, const unsigned char sha256[32])
{
	struct vres key = {.name = path};
	struct vres *r = bsearch(&key, res, n, sizeof(*res), vres_cmp);

	/* A url entry's file, fetched into a folder, was checked against the statement: OMS
	 * leaves it out, so that the signature holds before and after fetching. */
	if (ignored(ignore, path) && osp_vfind_fetch(v->st, path) != NULL)
		return OSPACK_OK;
	if (ignored(ignore, path))
		return osp_reject(v, "%s: ignore_paths leaves out %s, a file of the bag",
				  OSP_OMS_PATH, path);
	if (r == NULL)
		return osp_reject(v, "%s: not covered by %s", path, OSP_OMS_PATH);
	if (memcmp(r->sha256, sha256, 32) != 0)
		return osp_reject(v, "%s: digest mismatch in %s", path, OSP_OMS_PATH);
	r->seen = true;
	return OSPACK_OK;
}

/* A file of a component left out (opts->partial): the signature covers it, the bag lacks it. */
static bool left_out(struct osp_verifier *v, const char *path)
{
	const struct osp_vcomp *c = v->st->nleft_out > 0 ? osp_vcomponent_of(v->st, path) : NULL;

	return c != NULL && c->left_out;
}

/* Every file of the bag but model.sig is a resource, and every resource a file. */
static ospack_error match_bag(struct osp_verifier *v, struct vres *res, size_t n, json_t *ignore)
{
	char *path = malloc(OSP_PATH_MAX + 1);
	struct osp_sreader *recs = NULL;
	struct osp_vrecord rec;
	ospack_error rc = path ? OSPACK_OK : osp_nomem(v->ctx);
	int got = 0;

	if (rc == OSPACK_OK && v->recs != NULL &&
	    (recs = osp_sreader_file(v->recs, 0, osp_spill_size(v->recs))) == NULL)
		rc = osp_nomem(v->ctx);
	while (rc == OSPACK_OK && recs != NULL &&
	       (got = osp_vrecord_next(v, recs, &rec, path)) == 1)
		rc = match_file(v, res, n, ignore, path, rec.sha256);
	if (rc == OSPACK_OK && got < 0)
		rc = osp_errno(v->ctx, EIO, "cannot read a temporary file in", v->opts->tmpdir);
	for (size_t i = 0; rc == OSPACK_OK && i < v->ntags; i++) {
		const struct osp_vtag *t = &v->tags[i];

		if (!t->dir && strcmp(t->path, OSP_OMS_PATH) != 0)
			rc = match_file(v, res, n, ignore, t->path, t->d.d[OSP_SHA256]);
	}
	for (size_t i = 0; rc == OSPACK_OK && i < n; i++)
		if (!res[i].seen && !left_out(v, res[i].name))
			rc = osp_reject(v, "%s: lists %s, which the bag does not hold",
					OSP_OMS_PATH, res[i].name);
	osp_sreader_free(recs);
	free(path);
	return rc;
}

static ospack_error check_oms_statement(struct osp_verifier *v, json_t *st)
{
	const char *type, *ptype, *name, *hex, *method, *hash;
	json_t *pred, *resources, *ignore = NULL;
	struct vres *res = NULL;
	int symlinks;
	json_error_t err;
	ospack_error rc;

	if (json_unpack_ex(st, &err, 0, "{s:s, s:s, s:[{s:s, s:{s:s}}!], s:o}", "_type", &type,
			   "predicateType", &ptype, "subject", "name", &name, "digest", "sha256",
			   &hex, "predicate", &pred) != 0)
		return osp_reject(v, "%s: not an in-toto statement with one subject: %s",
				  OSP_OMS_PATH, err.text);
	if (strcmp(type, OSP_STATEMENT_TYPE) != 0 || strcmp(ptype, OSP_OMS_PREDICATE_TYPE) != 0)
		return osp_reject(v, "%s: predicate type %s, not %s", OSP_OMS_PATH, ptype,
				  OSP_OMS_PREDICATE_TYPE);
	if (json_unpack_ex(pred, &err, 0, "{s:{s:s, s:s, s:b, s?o}, s:o}", "serialization",
			   "method", &method, "hash_type", &hash, "allow_symlinks", &symlinks,
			   "ignore_paths", &ignore, "resources", &resources) != 0 ||
	    !json_is_array(resources) || (ignore != NULL && !json_is_array(ignore)))
		return osp_reject(v, "%s: malformed OMS predicate: %s", OSP_OMS_PATH, err.text);
	if (strcmp(method, "files") != 0 || strcmp(hash, "sha256") != 0)
		return osp_reject(v, "%s: serialization %s by %s, not files by sha256",
				  OSP_OMS_PATH, method, hash);
	if (json_array_size(resources) > OSP_OMS_FILES_MAX)
		return osp_reject(v, "%s: more than %d resources", OSP_OMS_PATH, OSP_OMS_FILES_MAX);
	rc = check_ignore(v, ignore);
	if (rc == OSPACK_OK)
		rc = read_resources(v, resources, hex, &res);
	if (rc == OSPACK_OK)
		rc = match_bag(v, res, json_array_size(resources), ignore);
	free(res);
	return rc;
}

ospack_error osp_vcheck_oms(struct osp_verifier *v)
{
	struct osp_vtag *t = osp_vtag_find(v, OSP_OMS_PATH);
	struct osp_sigstore b = {0};
	json_t *root = NULL, *st = NULL;
	bool trusted = false, any_ecdsa = false;
	ospack_error rc;

	if (t == NULL || t->dir)
		return OSPACK_OK;
	if (t->size > OSP_OMS_MAX)
		return osp_reject(v, "%s: %" PRIu64 " bytes, more than %u", OSP_OMS_PATH, t->size,
				  OSP_OMS_MAX);
	if (osp_vtag_load(v, t) != OSPACK_OK)
		return v->ctx->code;
	rc = read_bundle(v, OSP_OMS_PATH, t->data, t->size, &root, &b);
	for (size_t k = 0; k < v->ntrusted; k++)
		any_ecdsa = any_ecdsa || osp_key_type(v->trusted[k]) == OSP_KEY_ECDSA_P256;
	/* Only ECDSA keys make OMS signatures: trusting none, the file is checked for integrity. */
	if (rc == OSPACK_OK && any_ecdsa)
		rc = check_bundle_sig(v, OSP_OMS_PATH, &b, true, &trusted);
	if (rc == OSPACK_OK)
		rc = osp_vparse_json(v, OSP_OMS_PATH, (const char *)b.payload, b.payload_len,
				     OSP_OMS_VALUES_MAX, OSP_OMS_DEPTH_MAX, &st);
	if (rc == OSPACK_OK)
		rc = check_oms_statement(v, st);
	if (rc == OSPACK_OK)
		v->st->oms = trusted ? 2 : 1;
	json_decref(st);
	json_decref(root);
	osp_sigstore_clear(&b);
	return rc;
}

ospack_error osp_vcheck_detached(struct osp_verifier *v)
{
	const char *path = v->opts->sigstore_bundle;
	struct osp_sigstore b = {0};
	json_t *root = NULL;
	char *text = NULL;
	size_t len = 0;
	bool trusted = false;
	ospack_error rc;

	if (path == NULL)
		return OSPACK_OK;
	rc = osp_read_file(v->ctx, path, OSP_ENVELOPE_MAX, OSPACK_EREJECT, &text, &len);
	if (rc != OSPACK_OK)
		return rc;
	rc = read_bundle(v, path, text, len, &root, &b);
	if (rc == OSPACK_OK && (b.payload_len != v->st->payload_len ||
				memcmp(b.payload, v->st->payload, b.payload_len) != 0))
		rc = osp_reject(v, "%s: its statement is not the bundle's", path);
	if (rc == OSPACK_OK)
		rc = check_bundle_sig(v, path, &b, false, &trusted);
	if (rc == OSPACK_OK)
		v->st->detached = 1;
	json_decref(root);
	osp_sigstore_clear(&b);
	free(text);
	return rc;
}
