/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The checks of a v1 statement, which lists every file: the bundles ospack
 * made before the per-file lists moved out of the statement. The entries are
 * loaded into memory and compared with the statement's lists.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bag.h"
#include "filelist.h"
#include "release.h"
#include "sign.h"
#include "spill.h"
#include "vstate.h"

static int rec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct osp_vrec *)a)->path, ((const struct osp_vrec *)b)->path);
}

static struct osp_vrec *find_rec(struct osp_verifier *v, const char *path)
{
	struct osp_vrec key = {.path = (char *)path};

	return bsearch(&key, v->recs_v1, v->n, sizeof(*v->recs_v1), rec_cmp);
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
		qsort(v->recs_v1, v->n, sizeof(*v->recs_v1), rec_cmp);
	for (size_t i = 1; i < v->n; i++)
		if (strcmp(v->recs_v1[i - 1].path, v->recs_v1[i].path) == 0)
			return osp_reject(v, "%s%s: appears twice in the archive",
					  v->recs_v1[i].path[0] ? v->recs_v1[i].path : v->root,
					  v->recs_v1[i].path[0] ? "" : "/");
	return OSPACK_OK;
}

/* Checks one signature against every trusted key whose id it names. */

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
		if (osp_vdigest_of(v, digest, sj->name, sj->sha256, &sj->sha512) != OSPACK_OK)
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
	if (osp_vdigest_of(v, digest, path, sha256, &sha512) != OSPACK_OK)
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
		if (strcmp(type, "url") == 0 && osp_vread_url_source(v, src) != OSPACK_OK)
			return OSPACK_EREJECT;
	}
	for (size_t i = 0; i < s->nsubj; i++)
		if (strncmp(s->subj[i].name, "data/", 5) == 0 && !s->subj[i].in_component)
			return osp_reject(v, "%s: %s: the predicate and the subjects disagree",
					  OSP_ENVELOPE_PATH, s->subj[i].name);
	return osp_vsort_fetch(v);
}

/* Every file is in the statement with its digest, size and mode, and nothing is missing. */
static ospack_error check_files(struct osp_verifier *v, const char *tagman)
{
	struct osp_vstate *s = v->st;

	for (size_t i = 0; i < v->n; i++) {
		const struct osp_vrec *r = &v->recs_v1[i];
		struct osp_vsubj *sj;

		if (r->dir || strcmp(r->path, OSP_ENVELOPE_PATH) == 0 ||
		    strcmp(r->path, tagman) == 0)
			continue;
		sj = find_subj(s, r->path);
		if (sj == NULL && !r->tag && osp_vfind_fetch(s, r->path) != NULL) {
			/* a url entry's file, fetched into the folder */
			if (osp_vcheck_fetched(v, osp_vfind_fetch(s, r->path), r->size,
					       r->sha256) != OSPACK_OK)
				return OSPACK_EREJECT;
			continue;
		}
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
		const struct osp_vfetch *fe = osp_vfind_fetch(s, path);

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

/* The entries as the old checks want them: every file, payload and tags, sorted by path. */
static ospack_error materialize(struct osp_verifier *v)
{
	struct osp_sreader *rd = NULL;
	struct osp_vrecord r;
	char *path = malloc(OSP_PATH_MAX + 1);
	size_t n = v->files + v->ntags;
	int got = 0;

	v->recs_v1 = calloc(n ? n : 1, sizeof(*v->recs_v1));
	if (path == NULL || v->recs_v1 == NULL ||
	    (v->recs != NULL &&
	     (rd = osp_sreader_file(v->recs, 0, osp_spill_size(v->recs))) == NULL)) {
		free(path);
		return osp_nomem(v->ctx);
	}
	while (rd != NULL && v->n < n && (got = osp_vrecord_next(v, rd, &r, path)) == 1) {
		struct osp_vrec *e = &v->recs_v1[v->n];

		e->path = osp_strdup(path);
		if (e->path == NULL)
			break;
		e->size = r.size;
		e->mode = r.mode;
		memcpy(e->sha256, r.sha256, 32);
		v->n++;
	}
	osp_sreader_free(rd);
	free(path);
	if (got < 0)
		return osp_errno(v->ctx, EIO, "cannot read a temporary file in", v->opts->tmpdir);
	for (size_t i = 0; i < v->ntags && v->n < n; i++) {
		struct osp_vtag *t = &v->tags[i];
		struct osp_vrec *e = &v->recs_v1[v->n];

		if (t->dir)
			continue;
		if (osp_vtag_load(v, t) != OSPACK_OK)
			return v->ctx->code;
		e->path = osp_strdup(t->path);
		e->data = malloc(t->size + 1);
		if (e->path == NULL || e->data == NULL) {
			free(e->path);
			free(e->data);
			e->path = e->data = NULL;
			return osp_nomem(v->ctx);
		}
		memcpy(e->data, t->data, t->size + 1);
		e->len = t->size;
		e->tag = true;
		e->size = t->size;
		e->mode = t->mode;
		memcpy(e->sha256, t->d.d[OSP_SHA256], 32);
		v->n++;
	}
	return sort_entries(v);
}

ospack_error osp_finish_v1(struct osp_verifier *v, json_t *subjects, json_t *pred)
{
	struct osp_vstate *s = v->st;
	const char *hash;
	json_t *comps;
	char tagman[64];
	size_t nfiles = v->files, nurls = 0;
	json_error_t err;
	ospack_error rc;

	/* A v1 statement lists files, not components by folder: none can be said left out. */
	if (v->opts->partial)
		return osp_reject(v,
				  "%s: a format 1 bundle: partial verification needs format 2 "
				  "(verify it without --partial)",
				  OSP_ENVELOPE_PATH);
	if (json_unpack_ex(pred, &err, 0, "{s:s, s:s, s:s, s:s, s:o}", "bag", &s->bag, "name",
			   &s->name, "version", &s->version, "hash", &hash, "components",
			   &comps) != 0 ||
	    !json_is_array(comps) || osp_alg_parse(hash, &s->alg) != 0)
		return osp_reject(v, "%s: malformed release predicate: %s", OSP_ENVELOPE_PATH,
				  err.text);
	/*
	 * The statement lists every file but two, and a folder may hold the url entries' files:
	 * more are refused before they are loaded.
	 */
	for (size_t i = 0; i < v->ntags; i++)
		nfiles += !v->tags[i].dir;
	for (size_t i = 0; v->folder && i < json_array_size(comps); i++) {
		const char *t = json_string_value(json_object_get(
			json_object_get(json_array_get(comps, i), "source"), "type"));

		nurls += t != NULL && strcmp(t, "url") == 0;
	}
	if (nfiles > json_array_size(subjects) + 2 + nurls)
		return osp_reject(v, "the bundle holds %zu files, the statement lists %zu", nfiles,
				  json_array_size(subjects));
	/* Its tag files are loaded whole, the statement among them: bounded. */
	if (v->tagbytes > OSP_V1_TAGS_MAX)
		return osp_reject(v,
				  "a v1 bundle with %" PRIu64
				  " bytes of tag files, more than the %u "
				  "(32 MiB) its checks read into memory: rebuild it as format v2",
				  v->tagbytes, OSP_V1_TAGS_MAX);
	rc = materialize(v);
	if (rc == OSPACK_OK)
		rc = read_subjects(v, subjects);
	if (rc == OSPACK_OK)
		rc = read_components(v, comps);
	if (rc != OSPACK_OK)
		return rc;
	if (!v->folder && strcmp(v->root, s->bag) != 0)
		return osp_reject(v, "%s/: the bag folder of %s should be %s/", v->root, s->name,
				  s->bag);
	snprintf(tagman, sizeof(tagman), "tagmanifest-%s.txt", osp_alg_name(s->alg));
	rc = check_files(v, tagman);
	if (rc == OSPACK_OK)
		rc = check_payload_manifest(v);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_bag_rest(v, false);
	if (rc == OSPACK_OK)
		rc = osp_vcheck_all_fetched(v);
	return rc;
}
