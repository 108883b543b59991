/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's final checks: envelope, signatures, statement, BagIt manifests, completeness. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bag.h"
#include "filelist.h"
#include "release.h"
#include "sign.h"
#include "verify_int.h"

struct osp_vstate {
	json_t *env, *statement;
	unsigned char *payload;
	size_t payload_len;
	const char *bag, *name, *version;
	enum osp_alg alg;
	struct osp_vsubj *subj;
	size_t nsubj;
	struct osp_vfetch *fetch;  /* in the statement's order, as fetch.txt lists them */
	struct osp_vfetch *byname; /* the same, sorted by path */
	size_t nfetch;
	struct ospack_verify_signature *sigs;
	size_t nsigs;
	bool authenticated;
	uint64_t files;
};

void osp_vstate_free(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;

	if (s == NULL)
		return;
	json_decref(s->env);
	json_decref(s->statement);
	free(s->payload);
	free(s->subj);
	free(s->fetch);
	free(s->byname);
	free(s->sigs);
	free(s);
	v->st = NULL;
}

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_vrec *)a)->path, ((const struct osp_vrec *)b)->path);
}

static struct osp_vrec *find_rec(struct osp_verifier *v, const char *path)
{
	struct osp_vrec key = {.path = (char *)path};

	return bsearch(&key, v->recs, v->n, sizeof(*v->recs), rec_cmp);
}

static int subj_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_vsubj *)a)->name, ((const struct osp_vsubj *)b)->name);
}

static struct osp_vsubj *find_subj(struct osp_vstate *s, const char *name)
{
	struct osp_vsubj key = {.name = name};

	return bsearch(&key, s->subj, s->nsubj, sizeof(*s->subj), subj_cmp);
}

static ospack_error sort_entries(struct osp_verifier *v)
{
	if (v->n > 1)
		qsort(v->recs, v->n, sizeof(*v->recs), rec_cmp);
	for (size_t i = 1; i < v->n; i++)
		if (strcmp(v->recs[i - 1].path, v->recs[i].path) == 0)
			return osp_reject(v, "%s%s: appears twice in the archive",
					  v->recs[i].path[0] ? v->recs[i].path : v->root,
					  v->recs[i].path[0] ? "" : "/");
	return OSPACK_OK;
}

static ospack_error parse_json(struct osp_verifier *v, const char *what, const char *text,
			       size_t len, json_t **out)
{
	json_error_t err;

	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (*out == NULL)
		return osp_reject(v, "%s: not valid JSON: %s (line %d)", what, err.text, err.line);
	return OSPACK_OK;
}

static ospack_error read_envelope(struct osp_verifier *v, json_t **sigs)
{
	struct osp_vstate *s = v->st;
	struct osp_vrec *r = find_rec(v, OSP_ENVELOPE_PATH);
	const char *payload, *type;
	json_error_t err;

	if (r == NULL || r->dir)
		return osp_reject(v, "%s: missing: this is not an ospack bundle",
				  OSP_ENVELOPE_PATH);
	if (parse_json(v, OSP_ENVELOPE_PATH, r->data, r->len, &s->env) != OSPACK_OK)
		return OSPACK_EREJECT;
	if (json_unpack_ex(s->env, &err, JSON_STRICT, "{s:s, s:s, s:o}", "payload", &payload,
			   "payloadType", &type, "signatures", sigs) != 0 ||
	    !json_is_array(*sigs))
		return osp_reject(v, "%s: not a DSSE envelope: %s", OSP_ENVELOPE_PATH, err.text);
	if (strcmp(type, OSP_PAYLOAD_TYPE) != 0)
		return osp_reject(v, "%s: payload type '%s', not %s", OSP_ENVELOPE_PATH, type,
				  OSP_PAYLOAD_TYPE);
	if (osp_base64_decode(v->ctx, payload, strlen(payload), &s->payload, &s->payload_len) !=
	    OSPACK_OK)
		return osp_reject(v, "%s: the payload is not valid base64", OSP_ENVELOPE_PATH);
	return OSPACK_OK;
}

/* Checks one signature against every trusted key whose id it names. */
static ospack_error check_sig(struct osp_verifier *v, json_t *sig, const unsigned char *pae,
			      size_t paelen, struct ospack_verify_signature *out)
{
	const char *keyid = "", *b64;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	json_error_t err;

	if (json_unpack_ex(sig, &err, JSON_STRICT, "{s?s, s:s}", "keyid", &keyid, "sig", &b64) != 0)
		return osp_reject(v, "%s: malformed signature: %s", OSP_ENVELOPE_PATH, err.text);
	if (osp_base64_decode(v->ctx, b64, strlen(b64), &raw, &rawlen) != OSPACK_OK)
		return osp_reject(v, "%s: a signature is not valid base64", OSP_ENVELOPE_PATH);
	/* A key id is 64 hex digits: anything else is not repeated to a terminal. */
	snprintf(out->keyid, sizeof(out->keyid), "%s",
		 strlen(keyid) == 64 && osp_is_lower_hex(keyid, 64) ? keyid : "");
	for (size_t k = 0; k < v->ntrusted; k++) {
		const char *id = osp_key_id(v->trusted[k]);

		if (keyid[0] != '\0' && strcmp(keyid, id) != 0)
			continue;
		if (osp_key_verify(v->trusted[k], pae, paelen, raw, rawlen)) {
			out->trusted = 1;
			snprintf(out->keyid, sizeof(out->keyid), "%s", id);
			break;
		}
		if (keyid[0] != '\0') {
			free(raw);
			return osp_reject(v, "%s: the signature by key %s does not verify",
					  OSP_ENVELOPE_PATH, id);
		}
	}
	free(raw);
	return OSPACK_OK;
}

static ospack_error check_signatures(struct osp_verifier *v, json_t *sigs)
{
	struct osp_vstate *s = v->st;
	size_t n = json_array_size(sigs), paelen;
	unsigned char *pae;
	ospack_error rc = OSPACK_OK;

	if (n > OSP_SIGS_MAX)
		return osp_reject(v, "%s: %zu signatures (at most %d are read)", OSP_ENVELOPE_PATH,
				  n, OSP_SIGS_MAX);
	s->sigs = calloc(n ? n : 1, sizeof(*s->sigs));
	pae = osp_dsse_pae(OSP_PAYLOAD_TYPE, s->payload, s->payload_len, &paelen);
	if (s->sigs == NULL || pae == NULL) {
		free(pae);
		return osp_nomem(v->ctx);
	}
	for (size_t i = 0; rc == OSPACK_OK && i < n; i++) {
		rc = check_sig(v, json_array_get(sigs, i), pae, paelen, &s->sigs[i]);
		s->nsigs++;
		s->authenticated = s->authenticated || s->sigs[i].trusted;
	}
	free(pae);
	if (rc != OSPACK_OK || v->ntrusted == 0 || s->authenticated)
		return rc;
	if (n == 0)
		return osp_reject(
			v,
			"%s: the statement is not signed, and a signature by a trusted key "
			"is required",
			OSP_ENVELOPE_PATH);
	return osp_reject(v, "%s: no valid signature by a trusted key (signed by %s%s)",
			  OSP_ENVELOPE_PATH,
			  s->sigs[0].keyid[0] ? s->sigs[0].keyid : "a key without id",
			  n > 1 ? " and others" : "");
}

static ospack_error digest_of(struct osp_verifier *v, json_t *digest, const char *what,
			      unsigned char sha256[32], const char **sha512)
{
	const char *h256 = NULL, *h512 = NULL;
	json_error_t err;

	if (json_unpack_ex(digest, &err, JSON_STRICT, "{s:s, s?s}", "sha256", &h256, "sha512",
			   &h512) != 0 ||
	    strlen(h256) != 64 || !osp_is_lower_hex(h256, 64) || osp_unhex(h256, sha256, 32) != 0 ||
	    (h512 != NULL && (strlen(h512) != 128 || !osp_is_lower_hex(h512, 128))))
		return osp_reject(v, "%s: %s: malformed digest", OSP_ENVELOPE_PATH, what);
	if (sha512 != NULL)
		*sha512 = h512;
	return OSPACK_OK;
}

static ospack_error read_subjects(struct osp_verifier *v, json_t *arr)
{
	struct osp_vstate *s = v->st;
	size_t n = json_array_size(arr);

	s->subj = calloc(n ? n : 1, sizeof(*s->subj));
	if (s->subj == NULL)
		return osp_nomem(v->ctx);
	for (size_t i = 0; i < n; i++) {
		struct osp_vsubj *sj = &s->subj[i];
		json_t *digest;
		json_error_t err;

		if (json_unpack_ex(json_array_get(arr, i), &err, JSON_STRICT, "{s:s, s:o}", "name",
				   &sj->name, "digest", &digest) != 0)
			return osp_reject(v, "%s: malformed subject: %s", OSP_ENVELOPE_PATH,
					  err.text);
		if (digest_of(v, digest, sj->name, sj->sha256, &sj->sha512) != OSPACK_OK)
			return OSPACK_EREJECT;
		s->nsubj++;
	}
	qsort(s->subj, s->nsubj, sizeof(*s->subj), subj_cmp);
	for (size_t i = 1; i < s->nsubj; i++)
		if (strcmp(s->subj[i - 1].name, s->subj[i].name) == 0)
			return osp_reject(v, "%s: the statement lists %s twice", OSP_ENVELOPE_PATH,
					  s->subj[i].name);
	return OSPACK_OK;
}

static ospack_error read_file(struct osp_verifier *v, json_t *f)
{
	struct osp_vstate *s = v->st;
	const char *path, *mode, *sha512;
	json_int_t size;
	json_t *digest;
	unsigned char sha256[32];
	struct osp_vsubj *sj;
	json_error_t err;

	if (json_unpack_ex(f, &err, JSON_STRICT, "{s:s, s:I, s:s, s:o}", "path", &path, "size",
			   &size, "mode", &mode, "digest", &digest) != 0 ||
	    size < 0)
		return osp_reject(v, "%s: malformed file record: %s", OSP_ENVELOPE_PATH, err.text);
	if (digest_of(v, digest, path, sha256, &sha512) != OSPACK_OK)
		return OSPACK_EREJECT;
	sj = find_subj(s, path);
	if (sj == NULL || strncmp(path, "data/", 5) != 0 || sj->in_component ||
	    memcmp(sj->sha256, sha256, 32) != 0 || (sha512 == NULL) != (sj->sha512 == NULL) ||
	    (sha512 != NULL && strcmp(sha512, sj->sha512) != 0))
		return osp_reject(v, "%s: %s: the predicate and the subjects disagree",
				  OSP_ENVELOPE_PATH, path);
	if (strcmp(mode, "0644") != 0 && strcmp(mode, "0755") != 0)
		return osp_reject(v, "%s: %s: mode %s is not 0644 or 0755", OSP_ENVELOPE_PATH, path,
				  mode);
	sj->in_component = true;
	sj->size = (uint64_t)size;
	sj->mode = strcmp(mode, "0755") == 0 ? 0755 : 0644;
	s->files++;
	return OSPACK_OK;
}

static ospack_error read_url_source(struct osp_verifier *v, json_t *src)
{
	struct osp_vstate *s = v->st;
	struct osp_vfetch *fe = &s->fetch[s->nfetch];
	const char *type;
	json_int_t size;
	json_t *digest;
	unsigned char sha256[32];
	json_error_t err;

	if (json_unpack_ex(src, &err, JSON_STRICT, "{s:s, s:s, s:I, s:s, s:o}", "type", &type,
			   "url", &fe->url, "size", &size, "path", &fe->path, "digest",
			   &digest) != 0 ||
	    size < 0)
		return osp_reject(v, "%s: malformed url source: %s", OSP_ENVELOPE_PATH, err.text);
	if (digest_of(v, digest, fe->path, sha256, &fe->sha512) != OSPACK_OK)
		return OSPACK_EREJECT;
	fe->sha256 = json_string_value(json_object_get(digest, "sha256"));
	fe->size = (uint64_t)size;
	s->nfetch++;
	/* fetch.txt tells BagIt tools where to write: only a plain path under data/. */
	if (strncmp(fe->path, "data/", 5) != 0 ||
	    osp_check_relpath(v->ctx, "fetch.txt", fe->path) != OSPACK_OK)
		return osp_reject(v, "%s: a url source's path is not a plain path under data/",
				  OSP_ENVELOPE_PATH);
	for (const char *c = fe->url; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return osp_reject(
				v, "%s: a url source's URL holds a space or control character",
				OSP_ENVELOPE_PATH);
	return OSPACK_OK;
}

static int fetch_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_vfetch *)a)->path, ((const struct osp_vfetch *)b)->path);
}

static const struct osp_vfetch *find_fetch(const struct osp_vstate *s, const char *path)
{
	struct osp_vfetch key = {.path = path};

	return s->nfetch ? bsearch(&key, s->byname, s->nfetch, sizeof(*s->byname), fetch_cmp)
			 : NULL;
}

static ospack_error read_components(struct osp_verifier *v, json_t *comps)
{
	struct osp_vstate *s = v->st;
	size_t n = json_array_size(comps);

	s->fetch = calloc(n ? n : 1, sizeof(*s->fetch));
	if (s->fetch == NULL)
		return osp_nomem(v->ctx);
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(comps, i), *files = json_object_get(c, "files");
		json_t *src = json_object_get(c, "source");
		const char *type = json_string_value(json_object_get(src, "type"));

		if (!json_is_object(c) || !json_is_array(files) || type == NULL)
			return osp_reject(v, "%s: malformed component", OSP_ENVELOPE_PATH);
		for (size_t k = 0; k < json_array_size(files); k++)
			if (read_file(v, json_array_get(files, k)) != OSPACK_OK)
				return OSPACK_EREJECT;
		if (strcmp(type, "url") == 0 && read_url_source(v, src) != OSPACK_OK)
			return OSPACK_EREJECT;
	}
	for (size_t i = 0; i < s->nsubj; i++)
		if (strncmp(s->subj[i].name, "data/", 5) == 0 && !s->subj[i].in_component)
			return osp_reject(v, "%s: %s: the predicate and the subjects disagree",
					  OSP_ENVELOPE_PATH, s->subj[i].name);
	s->byname = calloc(s->nfetch ? s->nfetch : 1, sizeof(*s->byname));
	if (s->byname == NULL)
		return osp_nomem(v->ctx);
	if (s->nfetch > 0)
		memcpy(s->byname, s->fetch, s->nfetch * sizeof(*s->fetch));
	qsort(s->byname, s->nfetch, sizeof(*s->byname), fetch_cmp);
	for (size_t i = 1; i < s->nfetch; i++)
		if (strcmp(s->byname[i - 1].path, s->byname[i].path) == 0)
			return osp_reject(v, "%s: two url sources name %s", OSP_ENVELOPE_PATH,
					  s->byname[i].path);
	return OSPACK_OK;
}

static ospack_error read_statement(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	const char *type, *ptype, *hash;
	json_t *subjects, *pred, *comps;
	json_error_t err;

	if (parse_json(v, "the statement", (const char *)s->payload, s->payload_len,
		       &s->statement) != OSPACK_OK)
		return OSPACK_EREJECT;
	if (json_unpack_ex(s->statement, &err, JSON_STRICT, "{s:s, s:o, s:s, s:o}", "_type", &type,
			   "subject", &subjects, "predicateType", &ptype, "predicate",
			   &pred) != 0 ||
	    !json_is_array(subjects))
		return osp_reject(v, "%s: not an in-toto statement: %s", OSP_ENVELOPE_PATH,
				  err.text);
	if (strcmp(type, OSP_STATEMENT_TYPE) != 0 || strcmp(ptype, OSP_PREDICATE_TYPE) != 0)
		return osp_reject(v, "%s: statement type %s with predicate %s is not ospack's",
				  OSP_ENVELOPE_PATH, type, ptype);
	if (json_unpack_ex(pred, &err, 0, "{s:s, s:s, s:s, s:s, s:o}", "bag", &s->bag, "name",
			   &s->name, "version", &s->version, "hash", &hash, "components",
			   &comps) != 0 ||
	    !json_is_array(comps) || osp_alg_parse(hash, &s->alg) != 0)
		return osp_reject(v, "%s: malformed release predicate: %s", OSP_ENVELOPE_PATH,
				  err.text);
	if (read_subjects(v, subjects) != OSPACK_OK)
		return OSPACK_EREJECT;
	return read_components(v, comps);
}

/* Every file is in the statement with its digest, size and mode, and nothing is missing. */
static ospack_error check_files(struct osp_verifier *v, const char *tagman)
{
	struct osp_vstate *s = v->st;

	for (size_t i = 0; i < v->n; i++) {
		const struct osp_vrec *r = &v->recs[i];
		struct osp_vsubj *sj;

		if (r->dir || strcmp(r->path, OSP_ENVELOPE_PATH) == 0 ||
		    strcmp(r->path, tagman) == 0)
			continue;
		sj = find_subj(s, r->path);
		if (sj == NULL)
			return osp_reject(v, "%s: not covered by the statement", r->path);
		if (memcmp(sj->sha256, r->sha256, 32) != 0)
			return osp_reject(v, "%s: digest mismatch", r->path);
		if (r->tag) {
			if (!v->folder && r->mode != 0644)
				return osp_reject(v, "%s: mode %04o, not 0644", r->path, r->mode);
			continue;
		}
		if (sj->size != r->size)
			return osp_reject(
				v, "%s: size %" PRIu64 " differs from the statement's %" PRIu64,
				r->path, r->size, sj->size);
		if (v->folder ? ((r->mode & 0111) != 0) != (sj->mode == 0755) : r->mode != sj->mode)
			return osp_reject(v, "%s: mode %04o differs from the statement's %04o",
					  r->path, r->mode, sj->mode);
	}
	for (size_t i = 0; i < s->nsubj; i++) {
		struct osp_vrec *r = find_rec(v, s->subj[i].name);

		if (r == NULL || r->dir)
			return osp_reject(v,
					  "%s: listed in the statement but missing from the bundle",
					  s->subj[i].name);
	}
	return OSPACK_OK;
}

/* Folders are only those the files need. */
static ospack_error check_dirs(struct osp_verifier *v)
{
	for (size_t i = 0; i < v->n; i++) {
		const struct osp_vrec *r = &v->recs[i];
		size_t len = strlen(r->path);
		bool used = false;

		if (!r->dir || len == 0 || strcmp(r->path, "data") == 0)
			continue;
		/* Sorted: the first path under r->path/ follows it closely. */
		for (size_t k = i + 1;
		     !used && k < v->n && strncmp(v->recs[k].path, r->path, len) == 0; k++)
			if (v->recs[k].path[len] == '/' && !v->recs[k].dir)
				used = true;
		if (!used)
			return osp_reject(v, "%s/: a folder the statement does not account for",
					  r->path);
	}
	return OSPACK_OK;
}

static const char *expected_hex(struct osp_verifier *v, const char *path, char *buf)
{
	struct osp_vstate *s = v->st;
	struct osp_vsubj *sj = strncmp(path, "data/", 5) == 0 ? find_subj(s, path) : NULL;

	if (sj != NULL) {
		if (s->alg == OSP_SHA512)
			return sj->sha512;
		osp_hex(sj->sha256, 32, buf);
		return buf;
	}
	{
		const struct osp_vfetch *fe = find_fetch(s, path);

		if (fe != NULL)
			return s->alg == OSP_SHA512 ? fe->sha512 : fe->sha256;
	}
	return NULL;
}

static int line_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_bag_line *)a)->path,
		      ((const struct osp_bag_line *)b)->path);
}

/* Parses a manifest tag file and sorts its lines, refusing a path listed twice. */
static ospack_error read_manifest(struct osp_verifier *v, const char *name,
				  struct osp_bag_line **lines, size_t *n)
{
	struct osp_vrec *r = find_rec(v, name);
	size_t hexlen = 2 * osp_alg_len(v->st->alg);

	*lines = NULL;
	*n = 0;
	if (r == NULL || r->dir)
		return osp_reject(v, "%s: missing", name);
	if (osp_bag_parse_manifest(v->ctx, name, r->data, r->len, hexlen, lines, n) != OSPACK_OK)
		return v->ctx->code;
	if (*n > 1)
		qsort(*lines, *n, sizeof(**lines), line_cmp);
	for (size_t i = 1; i < *n; i++)
		if (strcmp((*lines)[i - 1].path, (*lines)[i].path) == 0)
			return osp_reject(v, "%s: %s is listed twice", name, (*lines)[i].path);
	return OSPACK_OK;
}

static ospack_error check_payload_manifest(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	char name[64], buf[65];
	struct osp_bag_line *lines;
	size_t n;
	ospack_error rc;

	snprintf(name, sizeof(name), "manifest-%s.txt", osp_alg_name(s->alg));
	rc = read_manifest(v, name, &lines, &n);
	for (size_t i = 0; rc == OSPACK_OK && i < n; i++) {
		const char *want = expected_hex(v, lines[i].path, buf);

		if (want == NULL)
			rc = osp_reject(v, "%s: line %u: %s is not a payload file of the bundle",
					name, lines[i].line, lines[i].path);
		else if (strcmp(want, lines[i].hex) != 0)
			rc = osp_reject(v, "%s: line %u: %s: digest differs from the statement",
					name, lines[i].line, lines[i].path);
	}
	if (rc == OSPACK_OK && n != s->files + s->nfetch)
		rc = osp_reject(v, "%s: lists %zu files, the statement %" PRIu64, name, n,
				s->files + s->nfetch);
	osp_bag_lines_free(lines, n);
	return rc;
}

static ospack_error check_tag_manifest(struct osp_verifier *v, const char *tagman)
{
	struct osp_bag_line *lines;
	size_t n, ntags = 0;
	char hex[2 * OSP_MAX_DIGEST + 1];
	ospack_error rc = read_manifest(v, tagman, &lines, &n);

	for (size_t i = 0; rc == OSPACK_OK && i < n; i++) {
		struct osp_vrec *r = find_rec(v, lines[i].path);
		unsigned char d[OSP_MAX_DIGEST];

		if (r == NULL || r->dir || !r->tag || strcmp(r->path, tagman) == 0) {
			rc = osp_reject(v, "%s: line %u: %s is not a tag file of the bundle",
					tagman, lines[i].line, lines[i].path);
			break;
		}
		if (v->st->alg == OSP_SHA256)
			memcpy(d, r->sha256, 32);
		else
			rc = osp_digest(v->ctx, OSP_SHA512, r->data, r->len, d);
		osp_hex(d, osp_alg_len(v->st->alg), hex);
		if (rc == OSPACK_OK && strcmp(hex, lines[i].hex) != 0)
			rc = osp_reject(v, "%s: line %u: %s: digest mismatch", tagman,
					lines[i].line, lines[i].path);
	}
	for (size_t i = 0; i < v->n; i++)
		ntags += v->recs[i].tag && !v->recs[i].dir && strcmp(v->recs[i].path, tagman) != 0;
	if (rc == OSPACK_OK && n != ntags)
		rc = osp_reject(v, "%s: lists %zu tag files, the bundle holds %zu", tagman, n,
				ntags);
	osp_bag_lines_free(lines, n);
	return rc;
}

static ospack_error check_bag_info(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	struct osp_vrec *r = find_rec(v, "bag-info.txt");
	uint64_t octets = v->payload_bytes, count = s->files, o, c;

	for (size_t i = 0; i < s->nfetch; i++) {
		octets += s->fetch[i].size;
		count++;
	}
	if (r == NULL || r->dir)
		return osp_reject(v, "bag-info.txt: missing");
	if (osp_bag_oxum(r->data, r->len, &o, &c) != 0)
		return osp_reject(v, "bag-info.txt: no valid Payload-Oxum");
	if (o != octets || c != count)
		return osp_reject(v,
				  "bag-info.txt: Payload-Oxum %" PRIu64 ".%" PRIu64
				  " does not match the payload (%" PRIu64 ".%" PRIu64 ")",
				  o, c, octets, count);
	return OSPACK_OK;
}

static ospack_error check_fetch(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	struct osp_vrec *r = find_rec(v, "fetch.txt");
	struct osp_buf want = {0};
	bool same;

	if (s->nfetch == 0)
		return r == NULL ? OSPACK_OK
				 : osp_reject(v, "fetch.txt: the statement lists no url source");
	if (r == NULL || r->dir)
		return osp_reject(v, "fetch.txt: missing, but the statement lists url sources");
	for (size_t i = 0; i < s->nfetch; i++)
		osp_bag_fetch_line(&want, s->fetch[i].url, s->fetch[i].size, s->fetch[i].path);
	if (want.failed) {
		osp_buf_free(&want);
		return osp_nomem(v->ctx);
	}
	same = want.len == r->len && memcmp(want.data, r->data, r->len) == 0;
	osp_buf_free(&want);
	return same ? OSPACK_OK
		    : osp_reject(v, "fetch.txt: differs from the statement's url sources");
}

static ospack_error check_bag(struct osp_verifier *v, const char *tagman)
{
	struct osp_vrec *r = find_rec(v, "bagit.txt");
	ospack_error rc;

	if (r == NULL || r->dir)
		return osp_reject(v, "bagit.txt: missing: this is not a BagIt bag");
	if (r->len != strlen(OSP_BAGIT_TXT) || memcmp(r->data, OSP_BAGIT_TXT, r->len) != 0)
		return osp_reject(v, "bagit.txt: not the BagIt 1.0 declaration");
	rc = check_payload_manifest(v);
	if (rc == OSPACK_OK)
		rc = check_tag_manifest(v, tagman);
	if (rc == OSPACK_OK)
		rc = check_bag_info(v);
	if (rc == OSPACK_OK)
		rc = check_fetch(v);
	return rc;
}

ospack_error osp_verifier_finish(struct osp_verifier *v)
{
	char tagman[64];
	json_t *sigs = NULL;
	ospack_error rc;

	if (v->root == NULL)
		return osp_reject(v, "the archive is empty");
	v->st = calloc(1, sizeof(*v->st));
	if (v->st == NULL)
		return osp_nomem(v->ctx);
	rc = sort_entries(v);
	if (rc == OSPACK_OK)
		rc = read_envelope(v, &sigs);
	if (rc == OSPACK_OK)
		rc = check_signatures(v, sigs);
	if (rc == OSPACK_OK)
		rc = read_statement(v);
	if (rc != OSPACK_OK)
		return rc;
	if (!v->folder && strcmp(v->root, v->st->bag) != 0)
		return osp_reject(v, "%s/: the bag folder of %s should be %s/", v->root,
				  v->st->name, v->st->bag);
	snprintf(tagman, sizeof(tagman), "tagmanifest-%s.txt", osp_alg_name(v->st->alg));
	rc = check_files(v, tagman);
	if (rc == OSPACK_OK)
		rc = check_bag(v, tagman);
	if (rc == OSPACK_OK)
		rc = check_dirs(v);
	return rc;
}

static json_t *result_json(const struct osp_verifier *v, const struct ospack_verify_result *r)
{
	json_t *sigs = json_array();

	for (size_t i = 0; sigs != NULL && i < r->nsignatures; i++)
		json_array_append_new(sigs, json_pack("{s:s, s:b}", "keyid", r->signatures[i].keyid,
						      "trusted", r->signatures[i].trusted));
	return json_pack("{s:b, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:o, s:s}", "verified", 1, "bag",
			 r->bag, "name", r->name, "version", r->version, "files",
			 (json_int_t)r->files, "bytes", (json_int_t)r->bytes, "authenticated",
			 r->authenticated, "trusted_keys", (json_int_t)r->nkeys_checked,
			 "signatures", sigs, "hash", osp_alg_name(v->st->alg));
}

struct ospack_verify_result *osp_verifier_result(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	struct ospack_verify_result *r = calloc(1, sizeof(*r));
	json_t *j;

	if (r == NULL)
		return NULL;
	r->bag = osp_strdup(s->bag);
	r->name = osp_strdup(s->name);
	r->version = osp_strdup(s->version);
	r->files = s->files;
	r->bytes = v->payload_bytes;
	r->authenticated = s->authenticated;
	r->nkeys_checked = v->ntrusted;
	r->nsignatures = s->nsigs;
	r->signatures = calloc(s->nsigs ? s->nsigs : 1, sizeof(*r->signatures));
	if (r->signatures != NULL && s->nsigs > 0)
		memcpy(r->signatures, s->sigs, s->nsigs * sizeof(*s->sigs));
	j = result_json(v, r);
	r->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (r->bag == NULL || r->name == NULL || r->version == NULL || r->signatures == NULL ||
	    r->json == NULL) {
		ospack_verify_result_free(r);
		return NULL;
	}
	return r;
}

OSPACK_API void ospack_verify_result_free(struct ospack_verify_result *r)
{
	if (r == NULL)
		return;
	free(r->bag);
	free(r->name);
	free(r->version);
	free(r->signatures);
	free(r->json);
	free(r);
}
