/* SPDX-License-Identifier: Apache-2.0 */
/* The in-toto statement that describes a release, and the DSSE envelope that signs it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "git.h"
#include "openness.h"
#include "release.h"
#include "sign.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15))

static json_t *digest_obj(const struct osp_digests *d)
{
	json_t *o = json_object();
	char hex[2 * OSP_MAX_DIGEST + 1];

	for (int a = 0; o != NULL && a < OSP_NALGS; a++) {
		if (!(d->algs & OSP_ALG_BIT(a)))
			continue;
		osp_hex(d->d[a], osp_alg_len((enum osp_alg)a), hex);
		json_object_set_new(o, osp_alg_name((enum osp_alg)a), json_string(hex));
	}
	return o;
}

static json_t *git_obj(const struct osp_git *g, const struct osp_entry *e)
{
	const struct osp_git_info *gi = osp_git_info(g);
	json_t *o =
		json_pack("{s:s, s:s, s:s, s:I, s:b}", "type", "git", "commit", gi->commit, "tree",
			  gi->tree, "committed", (json_int_t)gi->commit_time, "dirty", gi->dirty);
	json_t *subs = json_array();

	if (o == NULL || subs == NULL) {
		json_decref(o);
		json_decref(subs);
		return NULL;
	}
	json_object_set_new(o, "rev", gi->rev ? json_string(gi->rev) : json_null());
	/* Only the URL the manifest names: a clone's origin differs from clone to clone. */
	json_object_set_new(o, "remote", e->repository ? json_string(e->repository) : json_null());
	if (e->subdir != NULL)
		json_object_set_new(o, "subdir", json_string(e->subdir));
	for (size_t i = 0; i < gi->nsubmodules; i++) {
		const struct osp_git_submodule *s = &gi->submodules[i];

		json_array_append_new(subs, json_pack("{s:s, s:s, s:o}", "path", s->path, "commit",
						      s->commit, "url",
						      s->url ? json_string(s->url) : json_null()));
	}
	json_object_set_new(o, "submodules", subs);
	return o;
}

static json_t *url_obj(const struct osp_entry *e, const char *path)
{
	json_t *digest = json_pack("{s:s}", "sha256", e->sha256);

	if (digest != NULL && e->sha512 != NULL)
		json_object_set_new(digest, "sha512", json_string(e->sha512));
	return json_pack("{s:s, s:s, s:I, s:s, s:o}", "type", "url", "url", e->src, "size",
			 (json_int_t)e->size, "path", path, "digest", digest);
}

static json_t *source_obj(const struct osp_release *r, size_t i)
{
	const struct osp_entry *e = &r->m->entries[i];

	if (e->source == OSP_SRC_GIT)
		return git_obj(r->git[i], e);
	if (e->source == OSP_SRC_URL)
		return url_obj(e, r->fetch_path[i]);
	return json_pack("{s:s}", "type", "path");
}

static void set_opt_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

static json_t *metrics_obj(const struct osp_entry *e)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < e->nmetrics; i++) {
		const struct osp_metric *mt = &e->metrics[i];

		json_object_set_new(o, mt->name,
				    mt->integer ? json_integer((json_int_t)mt->value)
						: json_real(mt->value));
	}
	return o;
}

static json_t *roles_array(const struct osp_strv *roles)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < roles->n; i++)
		json_array_append_new(a, json_string(roles->v[i]));
	return a;
}

static json_t *component_obj(const struct osp_release *r, size_t i)
{
	const struct osp_entry *e = &r->m->entries[i];
	json_t *c = json_pack("{s:s, s:s, s:o, s:I, s:I}", "section", osp_section_name(e->section),
			      "name", e->name, "source", source_obj(r, i), "files",
			      (json_int_t)r->sum[i].files, "bytes", (json_int_t)r->sum[i].bytes);

	if (c == NULL)
		return NULL;
	json_object_set_new(c, "license", e->license ? json_string(e->license) : json_null());
	set_opt_str(c, "description", e->description);
	if (e->section == OSP_DOCS)
		set_opt_str(c, "type", e->role);
	else if (e->roles.n > 1) /* one role stays a string: older bundles read the same */
		json_object_set_new(c, "role", roles_array(&e->roles));
	else
		set_opt_str(c, "role", e->role);
	if (e->section == OSP_CHECKPOINTS)
		json_object_set_new(c, "final", json_boolean(e->final));
	if (e->has_step)
		json_object_set_new(c, "step", json_integer((json_int_t)e->step));
	set_opt_str(c, "dataset", e->dataset);
	if (e->nmetrics > 0)
		json_object_set_new(c, "metrics", metrics_obj(e));
	set_opt_str(c, "metrics_from", e->metrics_from);
	return c;
}

static json_t *components(const struct osp_release *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->m->nentries; i++)
		if (json_array_append_new(arr, component_obj(r, i)) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static json_t *predicate(const struct osp_release *r)
{
	const struct ospack_manifest *m = r->m;
	json_t *p = json_pack("{s:i, s:s, s:s, s:s, s:s, s:I, s:o}", "ospack", 2, "bag", r->bag,
			      "name", m->name, "version", m->version, "hash", osp_alg_name(r->alg),
			      "mtime", (json_int_t)r->mtime, "components", components(r));
	json_t *authors;

	if (p == NULL)
		return NULL;
	json_object_set_new(p, "license", m->license ? json_string(m->license) : json_null());
	set_opt_str(p, "description", m->description);
	set_opt_str(p, "homepage", m->homepage);
	authors = json_array();
	for (size_t i = 0; authors != NULL && i < m->authors.n; i++)
		json_array_append_new(authors, json_string(m->authors.v[i]));
	json_object_set_new(p, "authors", authors);
	if (r->openness != NULL)
		json_object_set_new(p, "openness", osp_openness_json(r->openness));
	return p;
}

/* The tag files given (the per-file lists among them), sorted by name. */
static json_t *subjects(const struct osp_tagfile *tags, size_t ntags)
{
	const struct osp_tagfile **v = calloc(ntags ? ntags : 1, sizeof(*v));
	json_t *arr = json_array();

	if (v == NULL || arr == NULL)
		goto fail;
	for (size_t k = 0; k < ntags; k++)
		v[k] = &tags[k];
	/* A handful: insertion sort. */
	for (size_t i = 1; i < ntags; i++)
		for (size_t k = i; k > 0 && strcmp(v[k - 1]->path, v[k]->path) > 0; k--) {
			const struct osp_tagfile *t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	for (size_t i = 0; i < ntags; i++)
		if (json_array_append_new(arr, json_pack("{s:s, s:o}", "name", v[i]->path, "digest",
							 digest_obj(&v[i]->d))) != 0)
			goto fail;
	free(v);
	return arr;
fail:
	free(v);
	json_decref(arr);
	return NULL;
}

static ospack_error dump(struct ospack_ctx *ctx, json_t *j, char **out, size_t *len)
{
	*out = j ? json_dumps(j, JSON_FLAGS) : NULL;
	json_decref(j);
	if (*out == NULL)
		return osp_nomem(ctx);
	*len = strlen(*out);
	return OSPACK_OK;
}

ospack_error osp_statement_build(struct ospack_ctx *ctx, const struct osp_release *r,
				 const struct osp_tagfile *tags, size_t ntags, char **out,
				 size_t *len)
{
	json_t *st = json_pack("{s:s, s:o, s:s, s:o}", "_type", OSP_STATEMENT_TYPE, "subject",
			       subjects(tags, ntags), "predicateType", OSP_PREDICATE_TYPE,
			       "predicate", predicate(r));

	return dump(ctx, st, out, len);
}

struct sigent {
	const char *keyid;
	char *sig;
};

static int sig_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sigent *)a)->keyid, ((const struct sigent *)b)->keyid);
}

static ospack_error sign_all(struct ospack_ctx *ctx, const char *payload, size_t len,
			     struct osp_key *const *keys, size_t nkeys, struct sigent *sigs)
{
	size_t paelen;
	unsigned char *pae = osp_dsse_pae(OSP_PAYLOAD_TYPE, payload, len, &paelen);
	ospack_error rc = OSPACK_OK;

	if (pae == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; rc == OSPACK_OK && i < nkeys; i++) {
		unsigned char *sig = NULL;
		size_t siglen = 0;

		sigs[i].keyid = osp_key_id(keys[i]);
		rc = osp_key_sign(ctx, keys[i], pae, paelen, &sig, &siglen);
		if (rc == OSPACK_OK && (sigs[i].sig = osp_base64_encode(sig, siglen)) == NULL)
			rc = osp_nomem(ctx);
		free(sig);
	}
	free(pae);
	return rc;
}

ospack_error osp_envelope_build(struct ospack_ctx *ctx, const char *payload, size_t len,
				struct osp_key *const *keys, size_t nkeys, char **out,
				size_t *outlen)
{
	struct sigent *sigs = calloc(nkeys ? nkeys : 1, sizeof(*sigs));
	char *b64 = osp_base64_encode(payload, len);
	json_t *env = NULL, *arr;
	ospack_error rc;

	if (sigs == NULL || b64 == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	rc = sign_all(ctx, payload, len, keys, nkeys, sigs);
	if (rc != OSPACK_OK)
		goto out;
	qsort(sigs, nkeys, sizeof(*sigs), sig_cmp);
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < nkeys; i++)
		json_array_append_new(
			arr, json_pack("{s:s, s:s}", "keyid", sigs[i].keyid, "sig", sigs[i].sig));
	env = json_pack("{s:s, s:s, s:o}", "payload", b64, "payloadType", OSP_PAYLOAD_TYPE,
			"signatures", arr);
	rc = dump(ctx, env, out, outlen);
out:
	for (size_t i = 0; sigs != NULL && i < nkeys; i++)
		free(sigs[i].sig);
	free(sigs);
	free(b64);
	return rc;
}
