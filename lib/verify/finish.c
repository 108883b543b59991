/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier's end: envelope and signatures, then a v2 statement's checks in
 * one ordered pass over the records, the payload manifest and ospack/files.txt.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bag.h"
#include "filelist.h"
#include "oms.h"
#include "release.h"
#include "sign.h"
#include "spill.h"
#include "verifier.h"
#include "vstate.h"

/* A manifest or files.txt line: at most a path, percent-encoded, and its digest or size. */
#define LINE_MAX_LEN (3 * OSP_PATH_MAX + 256)

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
	free(s->fstate);
	free(s->comps);
	free(s->sigs);
	free(s);
	v->st = NULL;
}

/*
 * One pass over JSON text: how many values it holds (keys count too) and how
 * deep they nest, stopping once a limit is passed. Jansson spends some hundred
 * bytes on each value, so a text of empty arrays costs it 50 times its size;
 * this costs nothing. Malformed text is left to Jansson to name.
 */
static bool json_shape_ok(const char *p, size_t len, size_t max_values, int max_depth,
			  bool *too_deep)
{
	size_t values = 0;
	int depth = 0;
	char prev = ','; /* the last byte outside strings and white space */

	*too_deep = false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		bool starts = c == '"' || c == '{' || c == '[' ||
			      (c != '\0' && strchr("-0123456789tfn", c) != NULL &&
			       strchr("[{,:", prev) != NULL);

		if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
			continue;
		if (starts && ++values > max_values)
			return false;
		if (c == '"') {
			for (i++; i < len && p[i] != '"'; i++)
				i += p[i] == '\\';
		} else if (c == '{' || c == '[') {
			*too_deep = ++depth > max_depth;
			if (*too_deep)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
		prev = c;
	}
	return true;
}

ospack_error osp_vparse_json(struct osp_verifier *v, const char *what, const char *text, size_t len,
			     size_t max_values, int max_depth, json_t **out)
{
	json_error_t err;
	bool too_deep;

	*out = NULL;
	if (!json_shape_ok(text, len, max_values, max_depth, &too_deep))
		return too_deep ? osp_reject(v,
					     "%s: JSON nested more than %d deep (ospack's is not)",
					     what, max_depth)
				: osp_reject(v,
					     "%s: more than %zu JSON values (ospack writes far "
					     "fewer)",
					     what, max_values);
	*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (*out == NULL)
		return osp_reject(v, "%s: not valid JSON: %s (line %d)", what, err.text, err.line);
	return OSPACK_OK;
}

/* A tag file that must be there, in memory. */
struct osp_vtag *osp_vtag_need(struct osp_verifier *v, const char *path, const char *why)
{
	struct osp_vtag *t = osp_vtag_find(v, path);

	if (t == NULL || t->dir) {
		osp_reject(v, "%s: missing%s", path, why ? why : "");
		return NULL;
	}
	return osp_vtag_load(v, t) == OSPACK_OK ? t : NULL;
}

static ospack_error read_envelope(struct osp_verifier *v, json_t **sigs)
{
	struct osp_vstate *s = v->st;
	struct osp_vtag *t = osp_vtag_need(v, OSP_ENVELOPE_PATH, ": this is not an ospack bundle");
	const char *payload, *type;
	json_error_t err;

	if (t == NULL)
		return v->ctx->code;
	if (osp_vparse_json(v, OSP_ENVELOPE_PATH, t->data, t->size, OSP_ENVELOPE_VALUES_MAX,
			    OSP_ENVELOPE_DEPTH_MAX, &s->env) != OSPACK_OK)
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

ospack_error osp_vdigest_of(struct osp_verifier *v, json_t *digest, const char *what,
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

ospack_error osp_vread_url_source(struct osp_verifier *v, json_t *src)
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
	if (osp_vdigest_of(v, digest, fe->path, sha256, &fe->sha512) != OSPACK_OK)
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

const struct osp_vfetch *osp_vfind_fetch(const struct osp_vstate *s, const char *path)
{
	struct osp_vfetch key = {.path = path};

	return s->nfetch ? bsearch(&key, s->byname, s->nfetch, sizeof(*s->byname), fetch_cmp)
			 : NULL;
}

/* The url sources sorted by path, each path once. */
ospack_error osp_vsort_fetch(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;

	s->byname = calloc(s->nfetch ? s->nfetch : 1, sizeof(*s->byname));
	s->fstate = calloc(s->nfetch ? s->nfetch : 1, sizeof(*s->fstate));
	if (s->byname == NULL || s->fstate == NULL)
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

ospack_error osp_vcheck_fetched(struct osp_verifier *v, const struct osp_vfetch *fe, uint64_t size,
				const unsigned char sha256[32])
{
	struct osp_vstate *s = v->st;
	unsigned char *state = &s->fstate[fe - s->byname];
	char hex[65];

	if (!v->folder)
		return osp_reject(v, "%s: a url entry's file, which a bundle archive never holds",
				  fe->path);
	if (*state != OSP_URL_ABSENT)
		return osp_reject(v, "%s: listed twice", fe->path);
	s->url_seen++;
	s->url_seen_bytes += size;
	osp_hex(sha256, 32, hex);
	if (size == fe->size && strcmp(hex, fe->sha256) == 0) {
		*state = OSP_URL_OK;
		s->url_ok++;
		return OSPACK_OK;
	}
	*state = OSP_URL_WRONG;
	if (v->url_lenient)
		return OSPACK_OK;
	if (size != fe->size)
		return osp_reject(v,
				  "%s: a url entry's file of %" PRIu64
				  " bytes, the statement says %" PRIu64,
				  fe->path, size, fe->size);
	return osp_reject(v, "%s: a url entry's file whose digest differs from the statement's",
			  fe->path);
}

ospack_error osp_vcheck_all_fetched(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;

	if (!v->opts->fetched || s->url_ok == s->nfetch)
		return OSPACK_OK;
	for (size_t i = 0; i < s->nfetch; i++) {
		const struct osp_vfetch *fe = osp_vfind_fetch(s, s->fetch[i].path);

		if (fe != NULL && s->fstate[fe - s->byname] != OSP_URL_OK)
			return osp_reject(v,
					  "%s: not fetched (%zu of the %zu files fetch.txt names "
					  "are missing; ospack fetch downloads them)",
					  fe->path, (size_t)(s->nfetch - s->url_ok), s->nfetch);
	}
	return OSPACK_OK;
}

static ospack_error check_bag_info(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	struct osp_vtag *t = osp_vtag_find(v, "bag-info.txt");
	/*
	 * s->files leaves fetched files out already; the payload's bytes hold them. The
	 * components left out count as the statement gives them: the Oxum is the release's.
	 */
	uint64_t octets = v->payload_bytes - s->url_seen_bytes + s->left_bytes,
		 count = s->files + s->left_files, o, c;

	if (t != NULL && !t->dir && t->size > OSP_BAG_INFO_MAX)
		return osp_reject(v,
				  "bag-info.txt: %" PRIu64 " bytes, more than the %u ospack reads",
				  t->size, OSP_BAG_INFO_MAX);
	t = osp_vtag_need(v, "bag-info.txt", NULL);
	if (t == NULL)
		return v->ctx->code;
	for (size_t i = 0; i < s->nfetch; i++) {
		octets += s->fetch[i].size;
		count++;
	}
	if (osp_bag_oxum(t->data, t->size, &o, &c) != 0)
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
	struct osp_vtag *t = osp_vtag_find(v, "fetch.txt");
	struct osp_buf want = {0};
	bool same;

	if (s->nfetch == 0)
		return t == NULL ? OSPACK_OK
				 : osp_reject(v, "fetch.txt: the statement lists no url source");
	if (t == NULL || t->dir)
		return osp_reject(v, "fetch.txt: missing, but the statement lists url sources");
	for (size_t i = 0; i < s->nfetch; i++)
		osp_bag_fetch_line(&want, s->fetch[i].url, s->fetch[i].size, s->fetch[i].path);
	if (want.failed) {
		osp_buf_free(&want);
		return osp_nomem(v->ctx);
	}
	/* Only a fetch.txt of the size the statement gives is read into memory. */
	same = want.len == t->size;
	if (same && osp_vtag_load(v, t) != OSPACK_OK) {
		osp_buf_free(&want);
		return v->ctx->code;
	}
	same = same && memcmp(want.data, t->data, t->size) == 0;
	osp_buf_free(&want);
	return same ? OSPACK_OK
		    : osp_reject(v, "fetch.txt: differs from the statement's url sources");
}

static bool is_tagmanifest(const char *path)
{
	return strcmp(path, "tagmanifest-sha256.txt") == 0 ||
	       strcmp(path, "tagmanifest-sha512.txt") == 0;
}

/* Tag files no tag manifest lists: the tag manifests, and the OMS signature written after them. */
static bool is_unlisted(const char *path)
{
	return is_tagmanifest(path) || strcmp(path, OSP_OMS_PATH) == 0;
}

/* A tag manifest lists every tag file but the tag manifests, each once, with its digest. */
static ospack_error check_tag_manifest(struct osp_verifier *v, enum osp_alg alg)
{
	char name[64], hex[2 * OSP_MAX_DIGEST + 1];
	struct osp_vtag *t;
	struct osp_sreader *rd;
	size_t n = 0, ntags = 0;
	bool *listed;
	ospack_error rc = OSPACK_OK;

	snprintf(name, sizeof(name), "tagmanifest-%s.txt", osp_alg_name(alg));
	t = osp_vtag_need(v, name, NULL);
	if (t == NULL)
		return v->ctx->code;
	rd = osp_vtag_reader(v, t);
	listed = calloc(v->ntags ? v->ntags : 1, sizeof(*listed));
	if (rd == NULL || listed == NULL) {
		osp_sreader_free(rd);
		free(listed);
		return osp_nomem(v->ctx);
	}
	for (;;) {
		struct osp_bag_line l = {0};
		struct osp_vtag *f;
		char *line;
		size_t len;
		int st = osp_sreader_line(rd, LINE_MAX_LEN, &line, &len);

		if (st == 0)
			break;
		if (st < 0) {
			rc = osp_reject(v, "%s: line %zu: too long", name, n + 1);
			break;
		}
		n++;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		rc = osp_bag_parse_line(v->ctx, name, (unsigned)n, line, len, 2 * osp_alg_len(alg),
					&l);
		f = rc == OSPACK_OK ? osp_vtag_find(v, l.path) : NULL;
		if (rc == OSPACK_OK && (f == NULL || f->dir || is_unlisted(f->path)))
			rc = osp_reject(v, "%s: line %zu: %s is not a tag file of the bundle", name,
					n, l.path);
		if (rc == OSPACK_OK && listed[f - v->tags])
			rc = osp_reject(v, "%s: line %zu: %s is listed twice", name, n, l.path);
		if (rc == OSPACK_OK) {
			listed[f - v->tags] = true;
			osp_hex(f->d.d[alg], osp_alg_len(alg), hex);
			if (strcmp(hex, l.hex) != 0)
				rc = osp_reject(v, "%s: line %zu: %s: digest mismatch", name, n,
						l.path);
		}
		free(l.hex);
		free(l.path);
		if (rc != OSPACK_OK)
			break;
	}
	osp_sreader_free(rd);
	free(listed);
	for (size_t i = 0; i < v->ntags; i++)
		ntags += !v->tags[i].dir && !is_unlisted(v->tags[i].path);
	if (rc == OSPACK_OK && n != ntags)
		rc = osp_reject(v, "%s: lists %zu tag files, the bundle holds %zu", name, n, ntags);
	return rc;
}

/* What every statement's bag holds besides its lists: BagIt's declaration, info, fetch.txt. */
ospack_error osp_vcheck_bag_rest(struct osp_verifier *v, bool sha256_always)
{
	struct osp_vtag *t = osp_vtag_find(v, "bagit.txt");
	ospack_error rc;

	if (t != NULL && !t->dir && t->size != strlen(OSP_BAGIT_TXT))
		return osp_reject(v, "bagit.txt: not the BagIt 1.0 declaration");
	t = osp_vtag_need(v, "bagit.txt", ": this is not a BagIt bag");
	if (t == NULL)
		return v->ctx->code;
	if (memcmp(t->data, OSP_BAGIT_TXT, t->size) != 0)
		return osp_reject(v, "bagit.txt: not the BagIt 1.0 declaration");
	rc = check_tag_manifest(v, sha256_always ? OSP_SHA256 : v->st->alg);
	if (rc == OSPACK_OK && sha256_always && v->st->alg != OSP_SHA256)
		rc = check_tag_manifest(v, v->st->alg);
	if (rc == OSPACK_OK)
		rc = check_bag_info(v);
	if (rc == OSPACK_OK)
		rc = check_fetch(v);
	return rc;
}

/* ---- a v2 statement ---- */

static int comp_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_vcomp *)a)->dir, ((const struct osp_vcomp *)b)->dir);
}

static ospack_error read_components_v2(struct osp_verifier *v, json_t *comps)
{
	struct osp_vstate *s = v->st;
	size_t n = json_array_size(comps);

	s->fetch = calloc(n ? n : 1, sizeof(*s->fetch));
	s->comps = calloc(n ? n : 1, sizeof(*s->comps));
	if (s->fetch == NULL || s->comps == NULL)
		return osp_nomem(v->ctx);
	for (size_t i = 0; i < n; i++) {
		struct osp_vcomp *c = &s->comps[i];
		json_t *src = NULL;
		const char *section, *name, *type;
		json_int_t files, bytes;
		json_error_t err;

		if (json_unpack_ex(json_array_get(comps, i), &err, 0, "{s:s, s:s, s:o, s:I, s:I}",
				   "section", &section, "name", &name, "source", &src, "files",
				   &files, "bytes", &bytes) != 0 ||
		    files < 0 || bytes < 0 ||
		    (type = json_string_value(json_object_get(src, "type"))) == NULL)
			return osp_reject(v, "%s: malformed component", OSP_ENVELOPE_PATH);
		if (strlen(section) + strlen(name) + 8 > sizeof(c->dir) ||
		    strchr(section, '/') != NULL || strchr(name, '/') != NULL)
			return osp_reject(v, "%s: a component's name is not a plain name",
					  OSP_ENVELOPE_PATH);
		snprintf(c->dir, sizeof(c->dir), "data/%s/%s/", section, name);
		c->files = (uint64_t)files;
		c->bytes = (uint64_t)bytes;
		s->ncomps++;
		if (strcmp(type, "url") == 0 && osp_vread_url_source(v, src) != OSPACK_OK)
			return OSPACK_EREJECT;
	}
	qsort(s->comps, s->ncomps, sizeof(*s->comps), comp_cmp);
	for (size_t i = 1; i < s->ncomps; i++)
		if (strcmp(s->comps[i - 1].dir, s->comps[i].dir) == 0)
			return osp_reject(v, "%s: two components are %.*s", OSP_ENVELOPE_PATH,
					  (int)strlen(s->comps[i].dir) - 1, s->comps[i].dir);
	return osp_vsort_fetch(v);
}

static bool is_listed_tag(const char *path)
{
	return strcmp(path, OSP_ENVELOPE_PATH) == 0 || is_unlisted(path);
}

/* The subjects are the tag files but the envelope and the tag manifests, digests alike. */
static ospack_error check_subjects_v2(struct osp_verifier *v, json_t *arr)
{
	static const char *const required[] = {"bagit.txt", "bag-info.txt", "manifest-sha256.txt",
					       OSP_FILES_PATH};
	size_t n = json_array_size(arr), ntags = 0;

	for (size_t i = 0; i < n; i++) {
		const char *name, *sha512 = NULL;
		unsigned char sha256[32];
		char hex[2 * OSP_MAX_DIGEST + 1];
		json_t *digest;
		struct osp_vtag *t;
		json_error_t err;

		if (json_unpack_ex(json_array_get(arr, i), &err, JSON_STRICT, "{s:s, s:o}", "name",
				   &name, "digest", &digest) != 0)
			return osp_reject(v, "%s: malformed subject: %s", OSP_ENVELOPE_PATH,
					  err.text);
		if (osp_vdigest_of(v, digest, name, sha256, &sha512) != OSPACK_OK)
			return OSPACK_EREJECT;
		for (size_t k = 0; k < i; k++)
			if (strcmp(name, json_string_value(json_object_get(json_array_get(arr, k),
									   "name"))) == 0)
				return osp_reject(v, "%s: the statement lists %s twice",
						  OSP_ENVELOPE_PATH, name);
		t = osp_vtag_find(v, name);
		if (t == NULL || t->dir || is_listed_tag(name))
			return osp_reject(
				v, "%s: listed in the statement but missing from the bundle", name);
		if (memcmp(t->d.d[OSP_SHA256], sha256, 32) != 0)
			return osp_reject(v, "%s: digest mismatch", name);
		osp_hex(t->d.d[OSP_SHA512], 64, hex);
		if (sha512 != NULL && strcmp(hex, sha512) != 0)
			return osp_reject(v, "%s: digest mismatch", name);
	}
	for (size_t i = 0; i < v->ntags; i++) {
		const struct osp_vtag *t = &v->tags[i];
		bool found = false;

		if (t->dir || is_listed_tag(t->path))
			continue;
		ntags++;
		for (size_t k = 0; !found && k < n; k++)
			found = strcmp(t->path, json_string_value(json_object_get(
							json_array_get(arr, k), "name"))) == 0;
		if (!found)
			return osp_reject(v, "%s: not covered by the statement", t->path);
	}
	for (size_t i = 0; i < OSP_ARRAY_LEN(required); i++)
		if (osp_vtag_find(v, required[i]) == NULL)
			return osp_reject(v, "%s: missing", required[i]);
	return OSPACK_OK;
}

/* Reading a per-file list line by line, in byte order. */
struct list {
	const char *name;
	struct osp_sreader *rd;
	unsigned lineno;
	char *prev;
	bool end;
	/* the current line */
	char *path, *hex;
	unsigned mode;
	uint64_t size;
};

static void list_free(struct list *l)
{
	osp_sreader_free(l->rd);
	free(l->prev);
	free(l->path);
	free(l->hex);
}

static ospack_error list_open(struct osp_verifier *v, struct list *l, const char *name)
{
	struct osp_vtag *t = osp_vtag_find(v, name);

	memset(l, 0, sizeof(*l));
	l->name = name;
	if (t == NULL || t->dir)
		return osp_reject(v, "%s: missing", name);
	l->rd = osp_vtag_reader(v, t);
	return l->rd ? OSPACK_OK : osp_nomem(v->ctx);
}

/* "MODE SIZE PATH": a line of ospack/files.txt. */
static ospack_error parse_files_line(struct osp_verifier *v, struct list *l, char *s, size_t n)
{
	char *end;
	unsigned long long size;

	if (n < 7 || (memcmp(s, "0644 ", 5) != 0 && memcmp(s, "0755 ", 5) != 0) || s[5] < '0' ||
	    s[5] > '9' || (s[5] == '0' && s[6] != ' '))
		return osp_reject(v, "%s: line %u: malformed", l->name, l->lineno);
	l->mode = s[1] == '7' ? 0755 : 0644;
	errno = 0;
	size = strtoull(s + 5, &end, 10);
	if (errno != 0 || *end != ' ' || end[1] == '\0')
		return osp_reject(v, "%s: line %u: malformed", l->name, l->lineno);
	l->size = size;
	l->path = osp_bag_decode_path(end + 1, n - (size_t)(end + 1 - s));
	return l->path ? OSPACK_OK : osp_nomem(v->ctx);
}

/* The next line (l->end at the end); paths must come in strictly increasing byte order. */
static ospack_error list_next(struct osp_verifier *v, struct list *l, size_t hexlen)
{
	char *line;
	size_t len;
	int st;
	ospack_error rc;

	free(l->prev);
	l->prev = l->path;
	l->path = NULL;
	free(l->hex);
	l->hex = NULL;
	st = osp_sreader_line(l->rd, LINE_MAX_LEN, &line, &len);
	if (st == 0) {
		l->end = true;
		return OSPACK_OK;
	}
	l->lineno++;
	if (st < 0)
		return osp_sreader_errno(l->rd) != 0
			       ? osp_errno(v->ctx, osp_sreader_errno(l->rd),
					   "cannot read a temporary file for", l->name)
			       : osp_reject(v, "%s: line %u: too long", l->name, l->lineno);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (hexlen > 0) {
		struct osp_bag_line b = {0};

		rc = osp_bag_parse_line(v->ctx, l->name, l->lineno, line, len, hexlen, &b);
		l->path = b.path;
		l->hex = b.hex;
	} else {
		rc = parse_files_line(v, l, line, len);
	}
	if (rc != OSPACK_OK)
		return rc;
	if (l->prev != NULL && strcmp(l->prev, l->path) >= 0)
		return osp_reject(v, "%s: line %u: %s is %s", l->name, l->lineno, l->path,
				  strcmp(l->prev, l->path) == 0 ? "listed twice"
								: "out of byte order");
	return OSPACK_OK;
}

struct osp_vcomp *osp_vcomponent_of(struct osp_vstate *s, const char *path)
{
	size_t lo = 0, hi = s->ncomps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strncmp(path, s->comps[mid].dir, strlen(s->comps[mid].dir));

		if (c == 0)
			return &s->comps[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A payload manifest line for a file the archive does not hold: it must be fetched. */
static ospack_error fetched_line(struct osp_verifier *v, struct list *man, struct list *man2,
				 size_t *nfetched)
{
	struct osp_vstate *s = v->st;
	const struct osp_vfetch *fe = osp_vfind_fetch(s, man->path);

	if (fe == NULL)
		return osp_reject(v, "%s: listed in the statement but missing from the bundle",
				  man->path);
	if (strcmp(fe->sha256, man->hex) != 0 ||
	    (man2 != NULL && (fe->sha512 == NULL || strcmp(fe->sha512, man2->hex) != 0)))
		return osp_reject(v, "%s: line %u: %s: digest differs from the statement",
				  man->name, man->lineno, man->path);
	(*nfetched)++;
	return OSPACK_OK;
}

/* Whether path is in folder c->dir or is that folder ("data/S/N", no '/' at its end). */
static bool in_comp(const struct osp_vcomp *c, const char *path)
{
	size_t n = strlen(c->dir) - 1;

	return strncmp(path, c->dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * A payload file that both lists name and the bundle lacks, next (the next file
 * the bundle holds, or NULL). Missing beside a file or a folder of its component
 * that is here, it is rejected; else it is counted: once the pass is over, a
 * component all of whose files are missing is left out (check_left_out).
 */
static ospack_error absent_line(struct osp_verifier *v, struct list *man, struct list *files,
				const char *next)
{
	struct osp_vstate *s = v->st;
	struct osp_vcomp *c;

	if (!files->end && strcmp(files->path, man->path) < 0)
		return osp_reject(v, "%s: listed in the statement but missing from the bundle",
				  files->path);
	c = osp_vcomponent_of(s, man->path);
	/* Records come in byte order and a component's paths are together: the next one
	 * tells whether any file of it is here; an empty folder of it was held by none. */
	if (files->end || strcmp(files->path, man->path) != 0 || c == NULL || c->seen_files > 0 ||
	    (next != NULL && in_comp(c, next)) ||
	    (v->unused_dir != NULL && in_comp(c, v->unused_dir)))
		return osp_reject(v, "%s: listed in the statement but missing from the bundle",
				  man->path);
	c->missing_files++;
	c->missing_bytes += files->size;
	return list_next(v, files, 0);
}

/* One payload file: its manifest line and its files.txt line. */
static ospack_error check_record(struct osp_verifier *v, const struct osp_vrecord *r,
				 const char *path, struct list *man, struct list *files)
{
	struct osp_vcomp *c;
	char hex[65];

	osp_hex(r->sha256, 32, hex);
	if (strcmp(hex, man->hex) != 0)
		return osp_reject(v, "%s: digest mismatch", path);
	if (files->end || strcmp(files->path, path) > 0)
		return osp_reject(v, "%s: not covered by the statement", path);
	if (strcmp(files->path, path) < 0)
		return osp_reject(v, "%s: listed in the statement but missing from the bundle",
				  files->path);
	if (files->size != r->size)
		return osp_reject(v, "%s: size %" PRIu64 " differs from the statement's %" PRIu64,
				  path, r->size, files->size);
	if (v->folder ? ((r->mode & 0111) != 0) != (files->mode == 0755) : r->mode != files->mode)
		return osp_reject(v, "%s: mode %04o differs from the statement's %04o", path,
				  r->mode, files->mode);
	c = osp_vcomponent_of(v->st, path);
	if (c == NULL)
		return osp_reject(v, "%s: in no component of the statement", path);
	c->seen_files++;
	c->seen_bytes += r->size;
	return OSPACK_OK;
}

/* "a/b, c/d" into buf: at most 10 names, as many as fit; *shown says how many. */
static void left_out_names(const struct osp_vstate *s, char *buf, size_t cap, size_t *shown)
{
	size_t len = 0;

	buf[0] = '\0';
	*shown = 0;
	for (size_t i = 0; i < s->ncomps && *shown < 10; i++) {
		const struct osp_vcomp *c = &s->comps[i];
		int n;

		if (!c->left_out)
			continue;
		n = snprintf(buf + len, cap - len, "%s%.*s", len ? ", " : "",
			     (int)strlen(c->dir) - 6, c->dir + 5);
		if (n < 0 || (size_t)n >= cap - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)n;
		(*shown)++;
	}
}

/* An empty section folder "data/SECTION" of a partial bundle: all its components are left out. */
static bool section_left_out(const struct osp_vstate *s, const char *dir)
{
	size_t len = strlen(dir);
	bool any = false;

	for (size_t i = 0; i < s->ncomps; i++) {
		const struct osp_vcomp *c = &s->comps[i];

		if (strncmp(c->dir, dir, len) != 0 || c->dir[len] != '/')
			continue;
		if (!c->left_out)
			return false;
		any = true;
	}
	return any;
}

/*
 * The components none of whose files are here: left out, if their folder is not
 * here either. Accepted with opts->partial, else one rejection names them.
 */
static ospack_error check_left_out(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	char names[560]; /* the message, with the input path before it, fits in 1024 bytes */
	size_t shown;

	for (size_t i = 0; i < s->ncomps; i++) {
		struct osp_vcomp *c = &s->comps[i];
		size_t dl = strlen(c->dir);

		if (c->missing_files == 0)
			continue;
		if (c->missing_files != c->files || c->missing_bytes != c->bytes)
			return osp_reject(v,
					  "%.*s: files.txt lists %" PRIu64 " files of %" PRIu64
					  " bytes, the statement says %" PRIu64 " files of %" PRIu64
					  " bytes",
					  (int)dl - 1, c->dir, c->missing_files, c->missing_bytes,
					  c->files, c->bytes);
		c->left_out = true;
		s->nleft_out++;
		s->left_files += c->files;
		s->left_bytes += c->bytes;
	}
	for (int i = 0; i < v->nempty_sections; i++)
		if (!section_left_out(s, v->empty_sections[i]))
			return osp_reject(v, "%s/: a folder the statement does not account for",
					  v->empty_sections[i]);
	if (s->nleft_out == 0 || v->opts->partial)
		return OSPACK_OK;
	left_out_names(s, names, sizeof(names), &shown);
	if (shown < s->nleft_out)
		return osp_reject(
			v,
			"partial: %zu of %zu components are not here: %s, and %zu more (a "
			"partial pull? `ospack verify --partial` checks the rest)",
			s->nleft_out, s->ncomps, names, s->nleft_out - shown);
	return osp_reject(v,
			  "partial: %zu of %zu components are not here: %s (a partial pull? "
			  "`ospack verify --partial` checks the rest)",
			  s->nleft_out, s->ncomps, names);
}

/*
 * One pass in byte order over three lists: the records of the files the bundle
 * holds, manifest-sha256.txt (which also lists fetched files) and files.txt.
 */
static ospack_error check_payload_v2(struct osp_verifier *v)
{
	struct osp_vstate *s = v->st;
	struct list man, man2 = {0}, files;
	char name2[64], *path = malloc(OSP_PATH_MAX + 1);
	struct osp_sreader *recs = NULL;
	struct osp_vrecord r;
	size_t nfetched = 0;
	int got = 0;
	bool two = s->alg != OSP_SHA256;
	ospack_error rc;

	snprintf(name2, sizeof(name2), "manifest-%s.txt", osp_alg_name(s->alg));
	/* both freed at the end, even when path could not be allocated */
	memset(&man, 0, sizeof(man));
	memset(&files, 0, sizeof(files));
	rc = path ? list_open(v, &man, "manifest-sha256.txt") : osp_nomem(v->ctx);
	if (rc == OSPACK_OK)
		rc = list_open(v, &files, OSP_FILES_PATH);
	if (rc == OSPACK_OK && two)
		rc = list_open(v, &man2, name2);
	if (rc == OSPACK_OK && v->recs != NULL &&
	    (recs = osp_sreader_file(v->recs, 0, osp_spill_size(v->recs))) == NULL)
		rc = osp_nomem(v->ctx);
	if (rc == OSPACK_OK)
		rc = list_next(v, &man, 64);
	if (rc == OSPACK_OK && two)
		rc = list_next(v, &man2, 2 * osp_alg_len(s->alg));
	if (rc == OSPACK_OK)
		rc = list_next(v, &files, 0);
	if (rc == OSPACK_OK && recs != NULL && (got = osp_vrecord_next(v, recs, &r, path)) < 0)
		rc = osp_errno(v->ctx, EIO, "cannot read a temporary file in", v->opts->tmpdir);
	while (rc == OSPACK_OK && (got == 1 || !man.end)) {
		int cmp = got != 1 ? 1 : man.end ? -1 : strcmp(path, man.path);

		if (two &&
		    (man2.end != man.end || (!man.end && strcmp(man.path, man2.path) != 0))) {
			rc = osp_reject(v, "%s: line %u: does not list the files %s lists", name2,
					man2.lineno, man.name);
			break;
		}
		if (cmp < 0) {
			rc = osp_reject(v, "%s: not covered by the statement", path);
			break;
		}
		if (cmp > 0 && osp_vfind_fetch(s, man.path) == NULL) {
			rc = absent_line(v, &man, &files, got == 1 ? path : NULL);
		} else if (cmp > 0) {
			rc = fetched_line(v, &man, two ? &man2 : NULL, &nfetched);
		} else if (osp_vfind_fetch(s, path) != NULL) {
			/* a url entry's file, fetched into the folder */
			rc = fetched_line(v, &man, two ? &man2 : NULL, &nfetched);
			if (rc == OSPACK_OK)
				rc = osp_vcheck_fetched(v, osp_vfind_fetch(s, path), r.size,
							r.sha256);
			if (rc == OSPACK_OK && (got = osp_vrecord_next(v, recs, &r, path)) < 0)
				rc = osp_errno(v->ctx, EIO, "cannot read a temporary file in",
					       v->opts->tmpdir);
		} else {
			rc = check_record(v, &r, path, &man, &files);
			if (rc == OSPACK_OK)
				rc = list_next(v, &files, 0);
			if (rc == OSPACK_OK && (got = osp_vrecord_next(v, recs, &r, path)) < 0)
				rc = osp_errno(v->ctx, EIO, "cannot read a temporary file in",
					       v->opts->tmpdir);
		}
		if (rc == OSPACK_OK && cmp >= 0) {
			rc = list_next(v, &man, 64);
			if (rc == OSPACK_OK && two)
				rc = list_next(v, &man2, 2 * osp_alg_len(s->alg));
		}
	}
	if (rc == OSPACK_OK && !files.end)
		rc = osp_reject(v, "%s: listed in the statement but missing from the bundle",
				files.path);
	if (rc == OSPACK_OK && nfetched != s->nfetch)
		rc = osp_reject(v,
				"manifest-sha256.txt: lists %zu of the statement's %zu url sources",
				nfetched, s->nfetch);
	if (rc == OSPACK_OK)
		rc = check_left_out(v);
	for (size_t i = 0; rc == OSPACK_OK && i < s->ncomps; i++) {
		const struct osp_vcomp *c = &s->comps[i];

		if (c->left_out)
			continue;
		if (c->seen_files != c->files || c->seen_bytes != c->bytes)
			rc = osp_reject(v,
					"%.*s: %" PRIu64 " files of %" PRIu64
					" bytes, the statement says %" PRIu64 " files of %" PRIu64
					" bytes",
					(int)strlen(c->dir) - 1, c->dir, c->seen_files,
					c->seen_bytes, c->files, c->bytes);
	}
	s->files = v->files - s->url_seen;
	osp_sreader_free(recs);
	list_free(&man);
	list_free(&man2);
	list_free(&files);
	free(path);
	return rc;
}

static ospack_error finish_v2(struct osp_verifier *v, json_t *subjects, json_t *pred)
{
	struct osp_vstate *s = v->st;
	const char *hash;
	json_int_t format;
	json_t *comps;
	json_error_t err;
	ospack_error rc;

	if (json_unpack_ex(pred, &err, 0, "{s:I, s:s, s:s, s:s, s:s, s:o}", "ospack", &format,
			   "bag", &s->bag, "name", &s->name, "version", &s->version, "hash", &hash,
			   "components", &comps) != 0 ||
	    !json_is_array(comps) || osp_alg_parse(hash, &s->alg) != 0 || !json_is_array(subjects))
		return osp_reject(v, "%s: malformed release predicate: %s", OSP_ENVELOPE_PATH,
				  err.text);
	if (format != 2)
		return osp_reject(v, "%s: format %" PRId64 " under a v2 predicate type",
				  OSP_ENVELOPE_PATH, (int64_t)format);
	if (!v->folder && strcmp(v->root, s->bag) != 0)
		return osp_reject(v, "%s/: the bag folder of %s should be %s/", v->root, s->name,
				  s->bag);
	rc = read_components_v2(v, comps);
	if (rc == OSPACK_OK)
		rc = check_subjects_v2(v, subjects);
	if (rc == OSPACK_OK)
		rc = check_payload_v2(v);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_bag_rest(v, true);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_all_fetched(v);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_oms(v);
	return rc;
}

/* The headers' one mtime is the statement's: no header byte is left that nothing signed. */
static ospack_error check_mtime(struct osp_verifier *v, json_t *pred)
{
	json_t *m = json_is_object(pred) ? json_object_get(pred, "mtime") : NULL;

	if (v->mtime < 0)
		return OSPACK_OK; /* a folder: no headers, and unpacking changes mtimes */
	if (!json_is_integer(m))
		return osp_reject(v, "%s: the statement gives no mtime", OSP_ENVELOPE_PATH);
	if (json_integer_value(m) != v->mtime)
		return osp_reject(
			v, "%s/: the entries' mtime %" PRId64 " is not the statement's %" PRId64,
			v->root, v->mtime, (int64_t)json_integer_value(m));
	return OSPACK_OK;
}

ospack_error osp_verifier_finish(struct osp_verifier *v)
{
	struct osp_vstate *s;
	const char *type, *ptype;
	json_t *sigs = NULL, *subjects, *pred;
	json_error_t err;
	ospack_error rc;

	if (v->root == NULL)
		return osp_reject(v, "the archive is empty");
	rc = osp_verifier_drain(v);
	if (rc != OSPACK_OK)
		return rc;
	s = v->st = calloc(1, sizeof(*v->st));
	if (s == NULL)
		return osp_nomem(v->ctx);
	v->st_free = osp_vstate_free;
	rc = read_envelope(v, &sigs);
	if (rc == OSPACK_OK)
		rc = check_signatures(v, sigs);
	/* The envelope's tree holds the payload in base64: not needed beside the statement's. */
	json_decref(s->env);
	s->env = NULL;
	if (rc == OSPACK_OK)
		rc = osp_vparse_json(v, "the statement", (const char *)s->payload, s->payload_len,
				     OSP_STATEMENT_VALUES_MAX, OSP_STATEMENT_DEPTH_MAX,
				     &s->statement);
	if (rc != OSPACK_OK)
		return rc;
	if (json_unpack_ex(s->statement, &err, JSON_STRICT, "{s:s, s:o, s:s, s:o}", "_type", &type,
			   "subject", &subjects, "predicateType", &ptype, "predicate",
			   &pred) != 0 ||
	    !json_is_array(subjects))
		return osp_reject(v, "%s: not an in-toto statement: %s", OSP_ENVELOPE_PATH,
				  err.text);
	rc = check_mtime(v, pred);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_detached(v);
	if (rc != OSPACK_OK)
		return rc;
	if (strcmp(type, OSP_STATEMENT_TYPE) == 0 && strcmp(ptype, OSP_PREDICATE_TYPE) == 0)
		rc = finish_v2(v, subjects, pred);
	else if (strcmp(type, OSP_STATEMENT_TYPE) == 0 && strcmp(ptype, OSP_PREDICATE_TYPE_V1) == 0)
		rc = osp_finish_v1(v, subjects, pred);
	else
		rc = osp_reject(v, "%s: statement type %s with predicate %s is not ospack's",
				OSP_ENVELOPE_PATH, type, ptype);
	if (rc == OSPACK_OK && v->unused_dir != NULL)
		rc = osp_reject(v, "%s/: a folder the statement does not account for",
				v->unused_dir);
	if (rc == OSPACK_OK && v->opts->progress != NULL) {
		v->prog.done = 1;
		v->opts->progress(v->opts->progress_arg, &v->prog);
	}
	return rc;
}

static json_t *result_json(const struct osp_verifier *v, const struct ospack_verify_result *r)
{
	json_t *sigs = json_array(), *left = json_array();

	for (size_t i = 0; left != NULL && i < r->nleft_out; i++)
		if (json_array_append_new(left, json_string(r->left_out[i])) != 0) {
			json_decref(left);
			left = NULL;
		}

	for (size_t i = 0; sigs != NULL && i < r->nsignatures; i++)
		if (json_array_append_new(sigs,
					  json_pack("{s:s, s:b}", "keyid", r->signatures[i].keyid,
						    "trusted", r->signatures[i].trusted)) != 0) {
			json_decref(sigs); /* out of memory: no result, never a shorter list */
			sigs = NULL;
		}
	static const char *const oms[] = {"absent", "integrity", "trusted"};

	return json_pack("{s:b, s:b, s:s, s:s, s:s, s:I, s:I, s:b, s:I, s:o, s:s, s:I, s:I, s:s, "
			 "s:b, s:o, s:b}",
			 "ok", 1, "verified", 1, "bag", r->bag, "name", r->name, "version",
			 r->version, "files", (json_int_t)r->files, "bytes", (json_int_t)r->bytes,
			 "authenticated", r->authenticated, "trusted_keys",
			 (json_int_t)r->nkeys_checked, "signatures", sigs, "hash",
			 osp_alg_name(v->st->alg), "url_files", (json_int_t)r->url_files,
			 "url_fetched", (json_int_t)r->url_fetched, "oms_signature", oms[r->oms],
			 "sigstore_bundle", r->sigstore_bundle, "left_out", left, "partial",
			 r->nleft_out > 0);
}

/* The components left out, "SECTION/NAME" in their folders' order. */
static ospack_error result_left_out(const struct osp_vstate *s, struct ospack_verify_result *r)
{
	r->left_out = calloc(s->nleft_out ? s->nleft_out : 1, sizeof(*r->left_out));
	if (r->left_out == NULL)
		return OSPACK_ENOMEM;
	for (size_t i = 0; i < s->ncomps; i++) {
		const struct osp_vcomp *c = &s->comps[i];
		size_t len = strlen(c->dir) - 6; /* without "data/" and the last '/' */

		if (!c->left_out)
			continue;
		r->left_out[r->nleft_out] = malloc(len + 1);
		if (r->left_out[r->nleft_out] == NULL)
			return OSPACK_ENOMEM;
		memcpy(r->left_out[r->nleft_out], c->dir + 5, len);
		r->left_out[r->nleft_out++][len] = '\0';
	}
	return OSPACK_OK;
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
	r->bytes = v->payload_bytes - s->url_seen_bytes;
	r->url_files = s->nfetch;
	r->url_fetched = s->url_ok;
	r->authenticated = s->authenticated;
	r->oms = s->oms;
	r->sigstore_bundle = s->detached;
	r->nkeys_checked = v->ntrusted;
	r->signatures = calloc(s->nsigs ? s->nsigs : 1, sizeof(*r->signatures));
	if (r->signatures != NULL && s->nsigs > 0)
		memcpy(r->signatures, s->sigs, s->nsigs * sizeof(*s->sigs));
	r->nsignatures = r->signatures != NULL ? s->nsigs : 0;
	if (result_left_out(s, r) != OSPACK_OK) {
		ospack_verify_result_free(r);
		return NULL;
	}
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
	for (size_t i = 0; i < r->nleft_out; i++)
		free(r->left_out[i]);
	free(r->left_out);
	free(r);
}
