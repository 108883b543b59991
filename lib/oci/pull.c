/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ospack_pull and ospack_ls: a release from a registry or an OCI image layout.
 * The tag layer comes first and its signature is checked; then the layers go
 * by in the order of the archive, fed to the verifier as an archive's entries
 * would be, and to a staging folder or to the archive writer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "hash.h"
#include "release.h"
#include "stage.h"
#include "tar_write.h"
#include "verify/verifier.h"

#define READ_BLOCK (1024 * 1024)
/* The tag layer: the verifier's bound on tag files, and their headers. */
#define TAG_LAYER_MAX (OSP_TAGS_MAX + 64u * 1024 * 1024)

struct pull {
	struct ospack_ctx *ctx;
	const struct ospack_pull_opts *o;
	struct ospack_pull_result *r;
	struct osp_oci_ref ref;
	struct osp_store *s;
	json_t *man;
	const char *refname; /* for messages: the reference as given */
	struct osp_obundle *b;
	char *work; /* a private folder for the tag files and tar layers */
	struct osp_key **keys;
	/* the output */
	struct osp_stage *stage;
	char *outtmp;
	int outfd;
	struct osp_awriter *w;
	struct osp_verifier *v;
	struct ospack_verify_opts vo; /* the verifier keeps a pointer to it */
	struct osp_sink sink;
	struct osp_dirtrack dt;
	bool *wanted;	/* per component of b */
	json_t **layer; /* per component: its descriptor */
	struct ospack_progress prog;
	/* the file going by */
	struct osp_hash *fhash;
	uint64_t fskip; /* bytes to drop: a server started a blob over */
	uint64_t fgot;
	const struct osp_ofile *file;
	/* a blob going to a file */
	int blobfd;
	struct osp_hash *bhash;
	uint64_t bgot, bmax;
};

static void report(struct pull *p, bool done)
{
	p->prog.done = done;
	if (p->o->progress != NULL)
		p->o->progress(p->o->progress_arg, &p->prog);
}

/* ---- a blob into a file of the work folder, checked against its descriptor ---- */

static ospack_error blob_write(void *arg, const void *q, size_t n)
{
	struct pull *p = arg;

	if (p->bgot + n > p->bmax)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: a blob longer than its descriptor says", p->refname);
	if (osp_hash_update(p->ctx, p->bhash, q, n) != OSPACK_OK)
		return p->ctx->code;
	p->bgot += n;
	p->r->bytes_received += n;
	return osp_write_all(p->ctx, p->blobfd, q, n, p->work);
}

static ospack_error blob_restart(void *arg)
{
	struct pull *p = arg;
	struct osp_digests d;

	p->bgot = 0;
	if (ftruncate(p->blobfd, 0) != 0 || lseek(p->blobfd, 0, SEEK_SET) != 0)
		return osp_errno(p->ctx, errno, "cannot write in", p->work);
	return osp_hash_final(p->ctx, p->bhash, &d);
}

/* Fetches a layer into work/NAME; its bytes must have its descriptor's digest and size. */
static ospack_error fetch_blob(struct pull *p, json_t *desc, const char *name, uint64_t max,
			       char **path)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	char got[OSP_OCI_DIGEST_LEN] = "sha256:";
	struct osp_digests d;
	ospack_error rc;

	*path = osp_asprintf("%s/%s", p->work, name);
	if (*path == NULL)
		return osp_nomem(p->ctx);
	if (size < 0 || (uint64_t)size > max)
		return osp_error(p->ctx, OSPACK_EREJECT, "%s: layer %s: %lld bytes, more than %llu",
				 p->refname, digest, (long long)size, (unsigned long long)max);
	p->blobfd = open(*path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (p->blobfd < 0)
		return osp_errno(p->ctx, errno, "cannot create", *path);
	p->bgot = 0;
	p->bmax = (uint64_t)size;
	rc = osp_hash_new(p->ctx, OSP_ALG_BIT(OSP_SHA256), &p->bhash);
	if (rc == OSPACK_OK)
		rc = osp_store_blob_get(p->s, digest, (uint64_t)size, blob_write, blob_restart, p);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(p->ctx, p->bhash, &d);
	osp_hash_free(p->bhash);
	p->bhash = NULL;
	close(p->blobfd);
	p->blobfd = -1;
	if (rc != OSPACK_OK)
		return rc;
	p->r->blobs++;
	osp_hex(d.d[OSP_SHA256], 32, got + 7);
	if (p->bgot != (uint64_t)size || strcmp(got, digest) != 0)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: layer %s: its %llu bytes have the digest %s", p->refname,
				 digest, (unsigned long long)p->bgot, got);
	return OSPACK_OK;
}

/* ---- the manifest and the tag layer ---- */

static json_t *find_layer(json_t *layers, const char *key, const char *value)
{
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *l = json_array_get(layers, i);
		const char *v = strcmp(key, "mediaType") == 0
					? json_string_value(json_object_get(l, key))
					: json_string_value(json_object_get(
						  json_object_get(l, "annotations"), key));

		if (v != NULL && strcmp(v, value) == 0)
			return l;
	}
	return NULL;
}

static bool good_desc(json_t *d)
{
	return json_is_object(d) &&
	       osp_oci_digest_valid(json_string_value(json_object_get(d, "digest"))) &&
	       json_is_integer(json_object_get(d, "size")) &&
	       json_integer_value(json_object_get(d, "size")) >= 0;
}

static ospack_error get_manifest(struct pull *p)
{
	char *body = NULL;
	size_t len = 0;
	json_error_t err;
	json_t *layers;
	const char *mt;
	ospack_error rc = osp_store_manifest_get(p->s, p->ref.digest ? p->ref.digest : p->ref.tag,
						 &body, &len, p->r->digest);

	if (rc != OSPACK_OK)
		return rc;
	p->man = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	free(body);
	if (p->man == NULL && json_error_code(&err) == json_error_out_of_memory)
		return osp_nomem(p->ctx);
	if (p->man == NULL)
		return osp_error(p->ctx, OSPACK_EREJECT, "%s: the manifest is not JSON: %s",
				 p->refname, err.text);
	mt = json_string_value(json_object_get(p->man, "mediaType"));
	if (mt != NULL && strcmp(mt, OSP_MT_INDEX) == 0)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: an image index, not the manifest of an ospack release",
				 p->refname);
	layers = json_object_get(p->man, "layers");
	if (!json_is_array(layers))
		return osp_error(p->ctx, OSPACK_EREJECT, "%s: not an OCI image manifest",
				 p->refname);
	for (size_t i = 0; i < json_array_size(layers); i++)
		if (!good_desc(json_array_get(layers, i)))
			return osp_error(p->ctx, OSPACK_EREJECT,
					 "%s: the manifest's layer %zu is malformed", p->refname,
					 i);
	if (find_layer(layers, "mediaType", OSP_MT_BAG) == NULL)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: not an ospack release (no layer of type %s)", p->refname,
				 OSP_MT_BAG);
	return OSPACK_OK;
}

/* Unpacks the tag layer into work/tags. */
static ospack_error unpack_tags(struct pull *p, const char *blob)
{
	char *dir = osp_asprintf("%s/tags", p->work),
	     *label = osp_asprintf("%s: the tag layer", p->refname);
	ospack_error rc = OSPACK_OK;

	if (dir == NULL || label == NULL)
		rc = osp_nomem(p->ctx);
	else if (mkdir(dir, 0700) != 0)
		rc = osp_errno(p->ctx, errno, "cannot create", dir);
	else {
		p->b->tagdir = dir;
		dir = NULL;
		rc = osp_obundle_unpack_tags(p->b, blob, false, label, OSPACK_EREJECT);
	}
	free(dir);
	free(label);
	return rc;
}

static ospack_error tag_layer(struct pull *p)
{
	json_t *desc = find_layer(json_object_get(p->man, "layers"), "mediaType", OSP_MT_BAG);
	char *blob = NULL;
	ospack_error rc;

	p->b = calloc(1, sizeof(*p->b));
	if (p->b == NULL)
		return osp_nomem(p->ctx);
	p->b->ctx = p->ctx;
	p->b->fd = -1;
	rc = fetch_blob(p, desc, "tags.tar", TAG_LAYER_MAX, &blob);
	if (rc == OSPACK_OK)
		rc = unpack_tags(p, blob);
	if (blob != NULL)
		unlink(blob);
	free(blob);
	if (rc == OSPACK_OK)
		rc = osp_obundle_load(p->b);
	return rc;
}

/* ---- what to fetch ---- */

static ospack_error select_components(struct pull *p)
{
	struct osp_obundle *b = p->b;
	json_t *layers = json_object_get(p->man, "layers");
	struct osp_buf names = {0};
	ospack_error rc = OSPACK_OK;

	p->wanted = calloc(b->ncomps + 1, sizeof(*p->wanted));
	p->layer = calloc(b->ncomps + 1, sizeof(*p->layer));
	if (p->wanted == NULL || p->layer == NULL)
		return osp_nomem(p->ctx);
	for (size_t i = 0; i < b->ncomps; i++) {
		osp_buf_printf(&names, "%s%s/%s", i ? ", " : "", b->comps[i].section,
			       b->comps[i].name);
		p->wanted[i] = p->o->nonly == 0;
	}
	for (size_t k = 0; rc == OSPACK_OK && k < p->o->nonly; k++) {
		const char *want = p->o->only[k];
		bool found = false;

		for (size_t i = 0; i < b->ncomps; i++) {
			size_t sl = strlen(b->comps[i].section);
			bool match =
				strcmp(want, b->comps[i].section) == 0 ||
				(strncmp(want, b->comps[i].section, sl) == 0 && want[sl] == '/' &&
				 strcmp(want + sl + 1, b->comps[i].name) == 0);

			if (match)
				p->wanted[i] = found = true;
		}
		if (!found)
			rc = osp_error(p->ctx, OSPACK_EUSAGE,
				       "--only %s: the release has no such section or component "
				       "(it has %s)",
				       want, names.failed ? "?" : names.data);
	}
	osp_buf_free(&names);
	for (size_t i = 0; rc == OSPACK_OK && i < b->ncomps; i++) {
		char comp[600];

		if (b->comps[i].url || !p->wanted[i])
			continue;
		snprintf(comp, sizeof(comp), "%s/%s", b->comps[i].section, b->comps[i].name);
		p->layer[i] = find_layer(layers, OSP_ANN_COMPONENT, comp);
		if (p->layer[i] == NULL)
			rc = osp_error(p->ctx, OSPACK_EREJECT,
				       "%s: the manifest has no layer for component %s", p->refname,
				       comp);
		else {
			p->prog.files_total += b->comps[i].files;
			p->prog.bytes_total += b->comps[i].bytes;
		}
	}
	return rc;
}

/* ---- the entries, to the verifier and the output ---- */

static ospack_error emit_dir(void *arg, const char *rel)
{
	struct pull *p = arg;
	char *name = osp_asprintf("%s/%s%s", p->b->bag, rel, rel[0] ? "/" : "");
	ospack_error rc;

	if (name == NULL)
		return osp_nomem(p->ctx);
	rc = osp_verifier_dir(p->v, name, 0755);
	name[strlen(name) - 1] = '\0';
	if (rc == OSPACK_OK && p->w != NULL)
		rc = osp_awriter_dir(p->ctx, p->w, name);
	else if (rc == OSPACK_OK && p->sink.dir != NULL)
		rc = p->sink.dir(p->sink.arg, osp_verifier_current(p->v));
	free(name);
	return rc;
}

static ospack_error emit_begin(struct pull *p, const char *rel, uint64_t size, unsigned mode)
{
	char *name = osp_asprintf("%s/%s", p->b->bag, rel);
	ospack_error rc;

	if (name == NULL)
		return osp_nomem(p->ctx);
	rc = osp_verifier_begin(p->v, name, size, mode);
	if (rc == OSPACK_OK && p->w != NULL)
		rc = osp_awriter_begin(p->ctx, p->w, name, size, mode);
	else if (rc == OSPACK_OK && p->sink.begin != NULL)
		rc = p->sink.begin(p->sink.arg, osp_verifier_current(p->v), size, mode);
	free(name);
	return rc;
}

static ospack_error emit_data(struct pull *p, const void *q, size_t n)
{
	ospack_error rc = osp_verifier_data(p->v, q, n);

	if (rc == OSPACK_OK && p->w != NULL)
		rc = osp_awriter_data(p->ctx, p->w, q, n);
	else if (rc == OSPACK_OK && p->sink.data != NULL)
		rc = p->sink.data(p->sink.arg, q, n);
	return rc;
}

static ospack_error emit_end(struct pull *p)
{
	ospack_error rc = osp_verifier_end(p->v);

	if (rc == OSPACK_OK && p->w == NULL && p->sink.end != NULL)
		rc = p->sink.end(p->sink.arg);
	return rc;
}

/* A payload file's bytes: hashed, counted, passed on; a started-over blob is skipped ahead. */
static ospack_error file_write(void *arg, const void *q, size_t n)
{
	struct pull *p = arg;
	const char *c = q;

	if (p->fskip > 0) {
		size_t k = p->fskip < n ? (size_t)p->fskip : n;

		p->fskip -= k;
		c += k;
		n -= k;
	}
	if (n == 0)
		return OSPACK_OK;
	if (p->fgot + n > p->file->size)
		return osp_error(p->ctx, OSPACK_EREJECT, "%s: longer than the statement says",
				 p->file->path);
	if (osp_hash_update(p->ctx, p->fhash, c, n) != OSPACK_OK)
		return p->ctx->code;
	p->fgot += n;
	p->prog.bytes += n;
	p->r->bytes_received += n;
	return emit_data(p, c, n);
}

static ospack_error file_restart(void *arg)
{
	struct pull *p = arg;

	p->fskip = p->fgot;
	return OSPACK_OK;
}

/* Starts a payload file: its folders, then its entry. */
static ospack_error file_begin(struct pull *p, const struct osp_ofile *f)
{
	ospack_error rc = osp_dirtrack_file(p->ctx, &p->dt, f->path, emit_dir, p);

	p->file = f;
	p->fgot = p->fskip = 0;
	if (rc == OSPACK_OK)
		rc = emit_begin(p, f->path, f->size, f->mode);
	return rc;
}

/* Ends it: every byte there, and of the digest the signed manifest gives. */
static ospack_error file_end(struct pull *p)
{
	const struct osp_ofile *f = p->file;
	struct osp_digests d;
	char hex[65];
	ospack_error rc = osp_hash_final(p->ctx, p->fhash, &d);

	if (rc != OSPACK_OK)
		return rc;
	if (p->fgot != f->size)
		return osp_error(p->ctx, OSPACK_EREJECT, "%s: %llu bytes, not the %llu signed",
				 f->path, (unsigned long long)p->fgot, (unsigned long long)f->size);
	osp_hex(d.d[OSP_SHA256], 32, hex);
	if (strcmp(hex, f->sha256) != 0)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: digest mismatch: the registry's blob is not the signed file",
				 f->path);
	p->prog.files++;
	report(p, false);
	return emit_end(p);
}

static ospack_error raw_layer(struct pull *p, json_t *desc, const struct osp_ofile *f)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	ospack_error rc;

	if (strcmp(digest + 7, f->sha256) != 0 ||
	    (uint64_t)json_integer_value(json_object_get(desc, "size")) != f->size)
		return osp_error(p->ctx, OSPACK_EREJECT,
				 "%s: the manifest's layer for it (%s) is not the signed file",
				 f->path, digest);
	rc = file_begin(p, f);
	if (rc == OSPACK_OK)
		rc = osp_store_blob_get(p->s, digest, f->size, file_write, file_restart, p);
	if (rc == OSPACK_OK)
		p->r->blobs++;
	return rc == OSPACK_OK ? file_end(p) : rc;
}

/* A folder's tar layer: fetched whole, then its entries, which must be the signed files. */
static ospack_error tar_layer(struct pull *p, json_t *desc, struct osp_ocursor *cur,
			      const struct osp_ocomp *c)
{
	struct osp_locale *loc = NULL;
	struct archive *a = NULL;
	struct archive_entry *e;
	size_t dlen = strlen(c->dir);
	char *blob = NULL, *buf = NULL;
	ospack_error rc = fetch_blob(p, desc, "layer.tar", UINT64_MAX, &blob);

	if (rc == OSPACK_OK) {
		loc = osp_locale_utf8_push();
		a = archive_read_new();
		buf = malloc(READ_BLOCK);
		if (loc == NULL || a == NULL || buf == NULL)
			rc = osp_nomem(p->ctx);
		else if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
			 archive_read_open_filename(a, blob, READ_BLOCK) != ARCHIVE_OK)
			rc = osp_error(p->ctx, OSPACK_EREJECT, "%s: %s", c->dir,
				       archive_error_string(a));
	}
	for (uint64_t i = 0; rc == OSPACK_OK && i < c->files; i++) {
		const char *name;
		int st;

		if (i > 0 && osp_ocursor_next(cur) != 1) {
			rc = p->ctx->code;
			break;
		}
		st = archive_read_next_header(a, &e);
		name = st == ARCHIVE_OK ? archive_entry_pathname_utf8(e) : NULL;
		if (name == NULL || archive_entry_filetype(e) != AE_IFREG ||
		    strcmp(name, cur->cur.path + dlen) != 0 ||
		    (uint64_t)archive_entry_size(e) != cur->cur.size) {
			rc = osp_error(p->ctx, OSPACK_EREJECT,
				       "%s: the layer's entry %zu is not the signed %s", c->dir,
				       (size_t)i + 1, cur->cur.path + dlen);
			break;
		}
		rc = file_begin(p, &cur->cur);
		while (rc == OSPACK_OK) {
			la_ssize_t n = archive_read_data(a, buf, READ_BLOCK);

			if (n == 0)
				break;
			if (n < 0)
				rc = osp_error(p->ctx, OSPACK_EREJECT, "%s%s: %s", c->dir, name,
					       archive_error_string(a));
			else
				rc = file_write(p, buf, (size_t)n);
		}
		if (rc == OSPACK_OK)
			rc = file_end(p);
	}
	if (rc == OSPACK_OK && archive_read_next_header(a, &e) != ARCHIVE_EOF)
		rc = osp_error(p->ctx, OSPACK_EREJECT,
			       "%s: the layer holds more than the signed files", c->dir);
	if (a != NULL)
		archive_read_free(a);
	osp_locale_pop(loc);
	free(buf);
	if (blob != NULL)
		unlink(blob);
	free(blob);
	return rc;
}

/* Every payload file: the components wanted from their layers, the others skipped. */
static ospack_error payload(struct pull *p)
{
	struct osp_obundle *b = p->b;
	struct osp_ocursor cur;
	ospack_error rc = osp_ocursor_open(b, &cur);
	int more = rc == OSPACK_OK ? osp_ocursor_next(&cur) : -1;

	if (rc == OSPACK_OK)
		rc = osp_dirtrack_init(p->ctx, &p->dt);
	if (rc == OSPACK_OK)
		rc = emit_dir(p, "");
	if (rc == OSPACK_OK)
		rc = emit_dir(p, "data");
	for (size_t i = 0; rc == OSPACK_OK && i < b->ncomps; i++) {
		const struct osp_ocomp *c = &b->comps[i];
		size_t dlen = strlen(c->dir);

		if (c->url)
			continue;
		if (more != 1 || strncmp(cur.cur.path, c->dir, dlen) != 0) {
			rc = more < 0 ? p->ctx->code
				      : osp_error(p->ctx, OSPACK_EREJECT,
						  "%s: no file of component %s/%s", OSP_FILES_PATH,
						  c->section, c->name);
			break;
		}
		if (!p->wanted[i]) {
			for (uint64_t k = 1; more == 1 && k < c->files; k++)
				more = osp_ocursor_next(&cur);
		} else if (c->files == 1 && strchr(cur.cur.path + dlen, '/') == NULL) {
			rc = raw_layer(p, p->layer[i], &cur.cur);
		} else {
			rc = tar_layer(p, p->layer[i], &cur, c);
		}
		if (rc == OSPACK_OK && more == 1)
			more = osp_ocursor_next(&cur);
	}
	if (rc == OSPACK_OK && more != 0)
		rc = more < 0 ? p->ctx->code
			      : osp_error(p->ctx, OSPACK_EREJECT, "%s: %s is in no component",
					  OSP_FILES_PATH, cur.cur.path);
	osp_ocursor_close(&cur);
	return rc;
}

/* The tag files after the payload, ospack/ before the first of its files. */
static ospack_error tags(struct pull *p)
{
	bool ospack_dir = false;
	ospack_error rc = OSPACK_OK;

	for (size_t i = 0; rc == OSPACK_OK && i < p->b->ntags; i++) {
		const char *rel = p->b->tags[i];
		char *path = osp_asprintf("%s/%s", p->b->tagdir, rel), *text = NULL;
		size_t len = 0;

		if (!ospack_dir && strncmp(rel, "ospack/", 7) == 0) {
			rc = emit_dir(p, "ospack");
			ospack_dir = true;
		}
		if (rc == OSPACK_OK)
			rc = path ? osp_read_file(p->ctx, path, OSP_TAG_MAX, OSPACK_EREJECT, &text,
						  &len)
				  : osp_nomem(p->ctx);
		if (rc == OSPACK_OK)
			rc = emit_begin(p, rel, len, 0644);
		if (rc == OSPACK_OK)
			rc = emit_data(p, text, len);
		if (rc == OSPACK_OK)
			rc = emit_end(p);
		free(text);
		free(path);
	}
	return rc;
}

/*
 * The signature, before any payload byte is written: the tag files alone go
 * through a verifier for which every component is left out.
 */
static ospack_error precheck(struct pull *p)
{
	struct ospack_verify_opts vo = {.jobs = 1, .tmpdir = p->o->tmpdir, .partial = 1};
	ospack_error rc = osp_verifier_new(p->ctx, p->keys, p->o->nkeys, false, &vo, &p->v);

	if (rc == OSPACK_OK)
		rc = emit_dir(p, "");
	if (rc == OSPACK_OK)
		rc = tags(p);
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(p->v);
	osp_verifier_free(p->v);
	p->v = NULL;
	return rc;
}

static ospack_error open_output(struct pull *p)
{
	const char *out = p->o->output;
	ospack_error rc;

	if (p->o->dir != NULL) {
		rc = osp_stage_open(p->ctx, p->o->dir, "pull", &p->stage);
		if (rc == OSPACK_OK) {
			char *sp = osp_stage_path(p->stage);

			p->work = sp ? osp_asprintf("%s/.pull", sp) : NULL;
			free(sp);
			if (p->work == NULL)
				rc = osp_nomem(p->ctx);
			else if (mkdir(p->work, 0700) != 0)
				rc = osp_errno(p->ctx, errno, "cannot create", p->work);
		}
		return rc;
	} else {
		const char *slash = strrchr(out, '/');

		p->work = slash ? osp_asprintf("%.*s/.%s.pull-XXXXXX", (int)(slash - out), out,
					       slash + 1)
				: osp_asprintf(".%s.pull-XXXXXX", out);
		if (p->work == NULL)
			return osp_nomem(p->ctx);
		if (mkdtemp(p->work) == NULL) {
			free(p->work);
			p->work = NULL;
			return osp_errno(p->ctx, errno, "cannot create a folder beside", out);
		}
	}
	return OSPACK_OK;
}

/* Removes the work folder of -o (the staging folder takes -C's with it). */
static void remove_work(struct pull *p)
{
	char *path;

	if (p->work == NULL || p->stage != NULL)
		return;
	osp_obundle_remove_tags(p->b);
	for (size_t i = 0; i < 3; i++) {
		static const char *const names[] = {"tags.tar", "layer.tar", "bundle.tar"};

		if ((path = osp_asprintf("%s/%s", p->work, names[i])) != NULL) {
			unlink(path);
			free(path);
		}
	}
	rmdir(p->work);
}

/* What every way through a pull holds once done: the bundle (its tag folder is the work
 * folder's, removed by remove_work), the store, the manifest, the reference, the work path. */
static void pull_release(struct pull *p)
{
	if (p->b != NULL) {
		p->b->tagdir_tmp = false;
		osp_obundle_free(p->b);
		p->b = NULL;
	}
	osp_store_free(p->s);
	json_decref(p->man);
	osp_oci_ref_free(&p->ref);
	free(p->work);
}

static ospack_error start_output(struct pull *p)
{
	ospack_error rc;

	p->vo = (struct ospack_verify_opts){
		.jobs = p->o->jobs, .tmpdir = p->o->tmpdir, .partial = p->o->nonly > 0};
	rc = osp_verifier_new(p->ctx, p->keys, p->o->nkeys, false, &p->vo, &p->v);

	if (rc != OSPACK_OK)
		return rc;
	if (p->stage != NULL) {
		p->sink = osp_stage_sink(p->stage, p->v);
		return OSPACK_OK;
	}
	p->outtmp = osp_asprintf("%s/bundle.tar", p->work);
	if (p->outtmp == NULL)
		return osp_nomem(p->ctx);
	p->outfd = open(p->outtmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (p->outfd < 0)
		return osp_errno(p->ctx, errno, "cannot create", p->outtmp);
	rc = osp_awriter_open(p->ctx, p->outfd, p->b->mtime, false, &p->w);
	if (rc == OSPACK_OK)
		osp_awriter_set_name(p->w, p->o->output);
	return rc;
}

static ospack_error finish_output(struct pull *p)
{
	unsigned char sum[32];
	uint64_t bytes;
	ospack_error rc;

	if (p->stage != NULL)
		return osp_stage_commit(p->stage, osp_verifier_root(p->v));
	rc = osp_awriter_finish(p->ctx, p->w, sum, &bytes);
	if (rc == OSPACK_OK && (fsync(p->outfd) != 0 || close(p->outfd) != 0))
		rc = osp_errno(p->ctx, errno, "cannot write", p->o->output);
	p->outfd = -1;
	if (rc == OSPACK_OK && rename(p->outtmp, p->o->output) != 0)
		rc = osp_errno(p->ctx, errno, "cannot write", p->o->output);
	return rc;
}

static ospack_error result(struct pull *p)
{
	struct ospack_pull_result *r = p->r;
	json_t *left = json_array(), *j, *v = NULL;

	if (left == NULL)
		return osp_nomem(p->ctx);
	r->left_out = calloc(p->b->ncomps + 1, sizeof(*r->left_out));
	if (r->left_out == NULL || (r->bag = osp_strdup(p->b->bag)) == NULL ||
	    (r->verify = osp_verifier_result(p->v)) == NULL) {
		json_decref(left);
		return osp_nomem(p->ctx);
	}
	for (size_t i = 0; i < p->b->ncomps; i++) {
		if (p->wanted[i] || p->b->comps[i].url)
			continue;
		r->left_out[r->nleft_out] =
			osp_asprintf("%s/%s", p->b->comps[i].section, p->b->comps[i].name);
		if (r->left_out[r->nleft_out] == NULL) {
			json_decref(left);
			return osp_nomem(p->ctx);
		}
		json_array_append_new(left, json_string(r->left_out[r->nleft_out++]));
	}
	if (r->verify->json != NULL && (v = json_loads(r->verify->json, 0, NULL)) == NULL) {
		json_decref(left);
		return osp_nomem(p->ctx);
	}
	j = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:o, s:o*}", "reference", r->reference,
		      "digest", r->digest, "bag", r->bag, "output", p->o->output, "directory",
		      p->o->dir, "blobs", (json_int_t)r->blobs, "bytes_received",
		      (json_int_t)r->bytes_received, "left_out", left, "verify", v);
	r->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return r->json ? OSPACK_OK : osp_nomem(p->ctx);
}

static ospack_error open_ref(struct pull *p, const char *ref, int plain_http)
{
	ospack_error rc = osp_oci_ref_parse(p->ctx, ref, &p->ref);

	p->refname = ref;
	if (rc == OSPACK_OK)
		rc = osp_store_open(p->ctx, &p->ref, plain_http, false, &p->s);
	if (rc == OSPACK_OK)
		rc = get_manifest(p);
	return rc;
}

static ospack_error run(struct pull *p, const char *ref)
{
	ospack_error rc = OSPACK_OK;

	if ((p->o->output == NULL) == (p->o->dir == NULL))
		return osp_error(p->ctx, OSPACK_EUSAGE, "pull needs one of -o FILE and -C DIR");
	if (p->o->output != NULL && p->o->nonly > 0)
		return osp_error(p->ctx, OSPACK_EUSAGE,
				 "--only needs -C DIR: a part of a release is not a bundle "
				 "archive");
	if (p->o->output != NULL && strcmp(p->o->output, "-") == 0)
		return osp_error(p->ctx, OSPACK_EUSAGE,
				 "pull -o takes a file: a pull that fails must leave nothing");
	p->r->reference = osp_strdup(ref);
	if (p->r->reference == NULL)
		return osp_nomem(p->ctx);
	rc = osp_load_trusted(p->ctx, p->o->keys, p->o->nkeys, &p->keys);
	if (rc == OSPACK_OK)
		rc = open_ref(p, ref, p->o->plain_http);
	if (rc == OSPACK_OK)
		rc = open_output(p);
	if (rc == OSPACK_OK)
		rc = tag_layer(p);
	if (rc == OSPACK_OK)
		rc = precheck(p);
	if (rc == OSPACK_OK)
		rc = select_components(p);
	if (rc == OSPACK_OK)
		rc = osp_hash_new(p->ctx, OSP_ALG_BIT(OSP_SHA256), &p->fhash);
	if (rc == OSPACK_OK)
		rc = start_output(p);
	if (rc == OSPACK_OK) {
		report(p, false);
		rc = payload(p);
	}
	if (rc == OSPACK_OK)
		rc = tags(p);
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(p->v);
	/* The result is made before the output is moved into place: nothing fails after. */
	if (rc == OSPACK_OK)
		rc = result(p);
	if (rc == OSPACK_OK)
		rc = finish_output(p);
	if (rc == OSPACK_OK)
		report(p, true);
	return rc;
}

OSPACK_API ospack_error ospack_pull(struct ospack_ctx *ctx, const char *ref,
				    const struct ospack_pull_opts *opts,
				    struct ospack_pull_result **out)
{
	static const struct ospack_pull_opts defaults = {0};
	struct pull p = {.ctx = ctx, .o = opts ? opts : &defaults, .outfd = -1, .blobfd = -1};
	ospack_error rc;

	*out = NULL;
	osp_interrupt_reset();
	p.r = calloc(1, sizeof(*p.r));
	if (p.r == NULL)
		return osp_nomem(ctx);
	rc = run(&p, ref);
	osp_awriter_free(p.w);
	if (p.outfd >= 0)
		close(p.outfd);
	if (p.outtmp != NULL && rc != OSPACK_OK)
		unlink(p.outtmp);
	remove_work(&p);
	osp_stage_free(p.stage, rc != OSPACK_OK);
	osp_verifier_free(p.v);
	osp_dirtrack_free(&p.dt);
	osp_hash_free(p.fhash);
	osp_hash_free(p.bhash);
	osp_free_keys(p.keys, p.o->nkeys);
	pull_release(&p);
	free(p.wanted);
	free(p.layer);
	free(p.outtmp);
	if (rc != OSPACK_OK) {
		ospack_pull_result_free(p.r);
		return rc;
	}
	*out = p.r;
	return OSPACK_OK;
}

OSPACK_API void ospack_pull_result_free(struct ospack_pull_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nleft_out; i++)
		free(r->left_out[i]);
	free(r->left_out);
	free(r->reference);
	free(r->bag);
	free(r->json);
	ospack_verify_result_free(r->verify);
	free(r);
}

/* ---- ls ---- */

static ospack_error ls_render(struct pull *p, json_t *pred, char **text, char **json)
{
	json_t *layers = json_object_get(p->man, "layers"), *ls = json_array(), *j;
	struct osp_buf b = {0};
	char *itext = text ? osp_inspect_text(pred) : NULL;

	if (ls == NULL || (text != NULL && itext == NULL)) {
		json_decref(ls);
		free(itext);
		return osp_nomem(p->ctx);
	}
	osp_buf_printf(&b, "%s\nmanifest %s\n\n%s\nlayers:\n", p->refname, p->r->digest,
		       itext ? itext : "");
	for (size_t i = 0; i < json_array_size(layers); i++) {
		json_t *l = json_array_get(layers, i), *ann = json_object_get(l, "annotations");
		const char *comp = json_string_value(json_object_get(ann, OSP_ANN_COMPONENT));
		const char *mt = json_string_value(json_object_get(l, "mediaType"));
		char human[32];

		osp_human_size((uint64_t)json_integer_value(json_object_get(l, "size")), human,
			       sizeof(human));
		osp_buf_printf(&b, "  %-10s %s  %s\n", human, mt ? mt : "?",
			       comp ? comp : "(tag files and statement)");
		json_array_append_new(ls, json_pack("{s:O, s:O, s:O, s:s?}", "mediaType",
						    json_object_get(l, "mediaType"), "digest",
						    json_object_get(l, "digest"), "size",
						    json_object_get(l, "size"), "component", comp));
	}
	j = json_pack("{s:s, s:s, s:O, s:o}", "reference", p->refname, "digest", p->r->digest,
		      "release", pred, "layers", ls);
	if (json != NULL)
		*json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	free(itext);
	if (text != NULL)
		*text = osp_buf_steal(&b, NULL);
	else
		osp_buf_free(&b);
	if ((json != NULL && *json == NULL) || (text != NULL && *text == NULL))
		return osp_nomem(p->ctx);
	return OSPACK_OK;
}

OSPACK_API ospack_error ospack_ls(struct ospack_ctx *ctx, const char *ref,
				  const struct ospack_pull_opts *opts, char **text, char **json)
{
	static const struct ospack_pull_opts defaults = {0};
	struct pull p = {.ctx = ctx, .o = opts ? opts : &defaults, .outfd = -1, .blobfd = -1};
	json_t *pred = NULL;
	char *env = NULL, *path = NULL;
	size_t len = 0;
	ospack_error rc;

	if (text != NULL)
		*text = NULL;
	if (json != NULL)
		*json = NULL;
	osp_interrupt_reset();
	p.r = calloc(1, sizeof(*p.r));
	p.work = osp_asprintf("%s/ospack-ls-XXXXXX", p.o->tmpdir ? p.o->tmpdir : "/tmp");
	if (p.r == NULL || p.work == NULL)
		rc = osp_nomem(ctx);
	else if (mkdtemp(p.work) == NULL) {
		rc = osp_errno(ctx, errno, "cannot create a temporary folder", p.work);
		free(p.work);
		p.work = NULL;
	} else
		rc = open_ref(&p, ref, p.o->plain_http);
	if (rc == OSPACK_OK)
		rc = tag_layer(&p);
	if (rc == OSPACK_OK &&
	    (path = osp_asprintf("%s/%s", p.b->tagdir, OSP_ENVELOPE_PATH)) == NULL)
		rc = osp_nomem(ctx);
	if (rc == OSPACK_OK)
		rc = osp_read_file(ctx, path, OSP_ENVELOPE_MAX, OSPACK_EREJECT, &env, &len);
	if (rc == OSPACK_OK)
		rc = osp_inspect_envelope(ctx, env, len, &pred);
	if (rc == OSPACK_OK)
		rc = ls_render(&p, pred, text, json);
	json_decref(pred);
	free(env);
	free(path);
	remove_work(&p);
	pull_release(&p);
	ospack_pull_result_free(p.r);
	return rc;
}

/* ---- diff ---- */

ospack_error osp_obundle_fetch(struct ospack_ctx *ctx, const char *ref, int plain_http,
			       const char *tmpdir, struct osp_obundle **out)
{
	static const struct ospack_pull_opts defaults = {0};
	struct pull p = {.ctx = ctx, .o = &defaults, .outfd = -1, .blobfd = -1};
	ospack_error rc;

	*out = NULL;
	p.r = calloc(1, sizeof(*p.r));
	p.work = osp_asprintf("%s/ospack-diff-XXXXXX", tmpdir ? tmpdir : "/tmp");
	if (p.r == NULL || p.work == NULL)
		rc = osp_nomem(ctx);
	else if (mkdtemp(p.work) == NULL) {
		rc = osp_errno(ctx, errno, "cannot create a temporary folder", p.work);
		free(p.work);
		p.work = NULL;
	} else
		rc = open_ref(&p, ref, plain_http);
	if (rc == OSPACK_OK)
		rc = tag_layer(&p);
	if (rc == OSPACK_OK) {
		/* The bundle removes its tag files and the work folder when freed. */
		p.b->tagdir_tmp = true;
		p.b->workdir = p.work;
		p.work = NULL;
		*out = p.b;
		p.b = NULL;
	} else {
		remove_work(&p);
	}
	pull_release(&p);
	ospack_pull_result_free(p.r);
	return rc;
}
