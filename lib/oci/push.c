/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_push: a verified bundle as a ModelPack artifact in a registry or an OCI image layout. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle.h"
#include "decompress.h"
#include "hash.h"
#include "release.h"
#include "tar_write.h"

#define READ_BLOCK (1024 * 1024)

struct push {
	struct ospack_ctx *ctx;
	const struct ospack_push_opts *o;
	struct osp_obundle *b;
	struct osp_store *s;
	struct osp_ocursor cur;
	unsigned char *buf;
	json_t *layers, *diffids;
	struct ospack_push_result *r;
	struct ospack_progress prog;
	/* a tar layer on its way: where its bytes go */
	struct osp_hash *lhash;
	uint64_t lbytes;
	struct osp_store_upload *up;
};

static void report(struct push *p, bool done)
{
	p->prog.done = done;
	if (p->o->progress != NULL)
		p->o->progress(p->o->progress_arg, &p->prog);
}

/* Reads a payload file (from the folder, or the archive at its offset) into sink, checking it. */
static ospack_error read_file(struct push *p, const struct osp_ofile *f,
			      ospack_error (*sink)(void *arg, const void *q, size_t n), void *arg)
{
	struct ospack_ctx *ctx = p->ctx;
	struct osp_hash *h = NULL;
	struct osp_digests d;
	char *path = NULL, hex[65];
	uint64_t left = f->size, at = f->offset < 0 ? 0 : (uint64_t)f->offset;
	int fd = p->b->fd;
	ospack_error rc = osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256), &h);

	if (rc == OSPACK_OK && p->b->root != NULL) {
		path = osp_asprintf("%s/%s", p->b->root, f->path);
		if (path == NULL)
			rc = osp_nomem(ctx);
		else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			rc = osp_errno(ctx, errno, "cannot open", path);
	}
	while (rc == OSPACK_OK && left > 0) {
		size_t want = left < READ_BLOCK ? (size_t)left : READ_BLOCK;
		ssize_t n = pread(fd, p->buf, want, (off_t)at);

		if (n < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (n <= 0) {
			rc = n < 0 ? osp_errno(ctx, errno, "cannot read", path ? path : f->path)
				   : osp_error(ctx, OSPACK_EREJECT,
					       "%s: shorter than when it was verified", f->path);
			break;
		}
		rc = osp_hash_update(ctx, h, p->buf, (size_t)n);
		if (rc == OSPACK_OK)
			rc = sink(arg, p->buf, (size_t)n);
		left -= (uint64_t)n;
		at += (uint64_t)n;
		p->prog.bytes += (uint64_t)n;
	}
	if (rc == OSPACK_OK)
		rc = osp_hash_final(ctx, h, &d);
	if (rc == OSPACK_OK) {
		osp_hex(d.d[OSP_SHA256], 32, hex);
		if (strcmp(hex, f->sha256) != 0)
			rc = osp_error(ctx, OSPACK_EREJECT,
				       "%s: changed since it was verified (its SHA-256 is %s)",
				       f->path, hex);
	}
	if (path != NULL && fd >= 0)
		close(fd);
	free(path);
	osp_hash_free(h);
	return rc;
}

static ospack_error to_upload(void *arg, const void *q, size_t n)
{
	struct push *p = arg;

	p->r->bytes_sent += n;
	return osp_store_upload_write(p->up, q, n);
}

/* Sends a blob unless the store has it (or can mount it); fill() writes its bytes. */
static ospack_error send_blob(struct push *p, const char *digest, uint64_t size,
			      ospack_error (*fill)(struct push *p, void *arg), void *arg)
{
	bool have = false;
	ospack_error rc = osp_store_blob_exists(p->s, digest, &have);

	if (rc == OSPACK_OK && !have && p->o->mount_from != NULL && osp_store_stats(p->s) != NULL) {
		bool mounted = false;

		rc = osp_store_blob_mount(p->s, digest, p->o->mount_from, &mounted);
		if (rc == OSPACK_OK && mounted) {
			p->r->blobs_mounted++;
			return OSPACK_OK;
		}
	}
	if (rc != OSPACK_OK)
		return rc;
	if (have) {
		p->r->blobs_skipped++;
		p->prog.bytes += size;
		return OSPACK_OK;
	}
	rc = osp_store_upload_begin(p->s, size, &p->up);
	if (rc == OSPACK_OK)
		rc = fill(p, arg);
	if (rc == OSPACK_OK) {
		rc = osp_store_upload_finish(p->up, digest);
		p->up = NULL;
	}
	if (rc == OSPACK_OK)
		p->r->blobs_uploaded++;
	osp_store_upload_abort(p->up);
	p->up = NULL;
	return rc;
}

static ospack_error fill_file(struct push *p, void *arg)
{
	return read_file(p, arg, to_upload, p);
}

static ospack_error fill_mem(struct push *p, void *arg)
{
	const struct osp_buf *m = arg;

	return to_upload(p, m->data, m->len);
}

static ospack_error add_layer(struct push *p, const char *mt, const char *digest, uint64_t size,
			      json_t *ann)
{
	json_t *d = json_pack("{s:s, s:s, s:I, s:o}", "mediaType", mt, "digest", digest, "size",
			      (json_int_t)size, "annotations", ann);

	if (d == NULL || json_array_append_new(p->layers, d) != 0 ||
	    json_array_append_new(p->diffids, json_string(digest)) != 0)
		return osp_nomem(p->ctx);
	return OSPACK_OK;
}

static ospack_error raw_layer(struct push *p, const struct osp_ocomp *c)
{
	const struct osp_ofile *f = &p->cur.cur;
	char digest[OSP_OCI_DIGEST_LEN], mt[96], meta[512], date[32], comp[600];
	const char *base = strrchr(f->path, '/') + 1;
	time_t t = (time_t)p->b->mtime;
	struct tm tm;
	json_t *ann, *name = json_string(base);
	char *qname = name ? json_dumps(name, JSON_ENCODE_ANY) : NULL;
	ospack_error rc;

	json_decref(name);
	if (qname == NULL)
		return osp_nomem(p->ctx);
	snprintf(digest, sizeof(digest), "sha256:%s", f->sha256);
	snprintf(mt, sizeof(mt), "application/vnd.cncf.model.%s.v1.raw",
		 osp_layer_kind(c->section));
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(meta, sizeof(meta),
		 "{\"gid\":0,\"mode\":%u,\"mtime\":\"%s\",\"name\":%s,\"size\":%llu,"
		 "\"typeflag\":48,\"uid\":0}",
		 f->mode, date, qname, (unsigned long long)f->size);
	free(qname);
	snprintf(comp, sizeof(comp), "%s/%s", c->section, c->name);
	rc = send_blob(p, digest, f->size, fill_file, (void *)f);
	ann = rc == OSPACK_OK ? json_pack("{s:s, s:s, s:s}", OSP_ANN_FILEPATH, f->path,
					  OSP_ANN_METADATA, meta, OSP_ANN_COMPONENT, comp)
			      : NULL;
	if (rc == OSPACK_OK && ann == NULL)
		rc = osp_nomem(p->ctx);
	if (rc == OSPACK_OK)
		rc = add_layer(p, mt, digest, f->size, ann);
	return rc;
}

/* ---- a component's folder as one tar layer: made twice, to hash it, then to send it ---- */

static ospack_error to_hash(void *arg, const void *q, size_t n)
{
	struct push *p = arg;

	p->lbytes += n;
	return osp_hash_update(p->ctx, p->lhash, q, n);
}

struct tarpass {
	struct push *p;
	struct osp_awriter *w;
};

static ospack_error tar_data(void *arg, const void *q, size_t n)
{
	struct tarpass *t = arg;

	return osp_awriter_data(t->p->ctx, t->w, q, n);
}

/* Writes the component's files (the cursor at its first) as a tar to sink. */
static ospack_error tar_pass(struct push *p, const struct osp_ocomp *c, uint64_t nfiles,
			     ospack_error (*sink)(void *arg, const void *q, size_t n))
{
	struct tarpass t = {.p = p};
	size_t dlen = strlen(c->dir);
	unsigned char sum[32];
	uint64_t bytes;
	ospack_error rc = osp_awriter_open_cb(p->ctx, sink, p, OSP_DEFAULT_MTIME, &t.w);

	for (uint64_t i = 0; rc == OSPACK_OK && i < nfiles; i++) {
		const struct osp_ofile *f = &p->cur.cur;

		if (i > 0 && osp_ocursor_next(&p->cur) != 1) {
			rc = p->ctx->code != OSPACK_OK
				     ? p->ctx->code
				     : osp_error(p->ctx, OSPACK_EREJECT,
						 "%s: fewer files than the statement says", c->dir);
			break;
		}
		if (strncmp(f->path, c->dir, dlen) != 0) {
			rc = osp_error(p->ctx, OSPACK_EREJECT,
				       "%s: fewer files than the statement says", c->dir);
			break;
		}
		rc = osp_awriter_begin(p->ctx, t.w, f->path + dlen, f->size, f->mode);
		if (rc == OSPACK_OK)
			rc = read_file(p, f, tar_data, &t);
	}
	if (rc == OSPACK_OK)
		rc = osp_awriter_finish(p->ctx, t.w, sum, &bytes);
	osp_awriter_free(t.w);
	return rc;
}

struct tarfill {
	const struct osp_ocomp *c;
	uint64_t nfiles;
	struct osp_ocursor_mark *mark;
};

static ospack_error fill_tar(struct push *p, void *arg)
{
	struct tarfill *tf = arg;
	ospack_error rc = osp_ocursor_reset(&p->cur, tf->mark);

	if (rc == OSPACK_OK && osp_ocursor_next(&p->cur) != 1)
		rc = p->ctx->code;
	if (rc == OSPACK_OK)
		rc = tar_pass(p, tf->c, tf->nfiles, to_upload);
	return rc;
}

static ospack_error tar_layer(struct push *p, const struct osp_ocomp *c, uint64_t nfiles,
			      struct osp_ocursor_mark *mark)
{
	char digest[OSP_OCI_DIGEST_LEN] = "sha256:", mt[96], comp[600];
	struct tarfill tf = {c, nfiles, mark};
	struct osp_digests d;
	uint64_t done = p->prog.bytes;
	json_t *ann;
	ospack_error rc;

	p->lbytes = 0;
	rc = osp_hash_new(p->ctx, OSP_ALG_BIT(OSP_SHA256), &p->lhash);
	if (rc == OSPACK_OK)
		rc = tar_pass(p, c, nfiles, to_hash);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(p->ctx, p->lhash, &d);
	osp_hash_free(p->lhash);
	p->lhash = NULL;
	if (rc != OSPACK_OK)
		return rc;
	osp_hex(d.d[OSP_SHA256], 32, digest + 7);
	/* The hashing pass counted as progress; the sending pass counts again from there. */
	p->prog.bytes = done;
	rc = send_blob(p, digest, p->lbytes, fill_tar, &tf);
	if (rc != OSPACK_OK)
		return rc;
	snprintf(mt, sizeof(mt), "application/vnd.cncf.model.%s.v1.tar",
		 osp_layer_kind(c->section));
	snprintf(comp, sizeof(comp), "%s/%s", c->section, c->name);
	ann = json_pack("{s:s%, s:s}", OSP_ANN_FILEPATH, c->dir, strlen(c->dir) - 1,
			OSP_ANN_COMPONENT, comp);
	return ann ? add_layer(p, mt, digest, p->lbytes, ann) : osp_nomem(p->ctx);
}

/* Every component with bundled files, in the order of the archive. */
static ospack_error component_layers(struct push *p)
{
	struct osp_ocursor_mark mark = {0};
	ospack_error rc = osp_ocursor_open(p->b, &p->cur);
	int more = -1;

	/* A mark is taken before each component's first line is read: a tar layer goes twice. */
	if (rc == OSPACK_OK)
		rc = osp_ocursor_mark(&p->cur, &mark);
	if (rc == OSPACK_OK)
		more = osp_ocursor_next(&p->cur);
	for (size_t i = 0; rc == OSPACK_OK && i < p->b->ncomps; i++) {
		const struct osp_ocomp *c = &p->b->comps[i];
		size_t dlen = strlen(c->dir);
		uint64_t n = c->files;

		if (c->url)
			continue;
		if (more != 1 || strncmp(p->cur.cur.path, c->dir, dlen) != 0) {
			rc = more < 0 ? p->ctx->code
				      : osp_error(p->ctx, OSPACK_EREJECT,
						  "%s: no file of component %s/%s", OSP_FILES_PATH,
						  c->section, c->name);
			break;
		}
		if (n == 1 && strchr(p->cur.cur.path + dlen, '/') == NULL)
			rc = raw_layer(p, c);
		else
			rc = tar_layer(p, c, n, &mark);
		osp_ocursor_mark_free(&mark);
		if (rc == OSPACK_OK)
			rc = osp_ocursor_mark(&p->cur, &mark);
		if (rc == OSPACK_OK)
			more = osp_ocursor_next(&p->cur);
	}
	osp_ocursor_mark_free(&mark);
	if (rc == OSPACK_OK && more != 0)
		rc = more < 0 ? p->ctx->code
			      : osp_error(p->ctx, OSPACK_EREJECT, "%s: %s is in no component",
					  OSP_FILES_PATH, p->cur.cur.path);
	osp_ocursor_close(&p->cur);
	return rc;
}

/* The tag files, paths relative to the bag, in the archive's order. */
static ospack_error fill_tags(struct push *p, void *arg)
{
	struct osp_awriter *w = NULL;
	unsigned char sum[32];
	uint64_t bytes;
	ospack_error rc;

	(void)arg;
	rc = osp_awriter_open_cb(p->ctx, p->up ? to_upload : to_hash, p, p->b->mtime, &w);
	for (size_t i = 0; rc == OSPACK_OK && i < p->b->ntags; i++) {
		char *path = osp_asprintf("%s/%s", p->b->tagdir, p->b->tags[i]), *text = NULL;
		size_t len = 0;

		rc = path ? osp_read_file(p->ctx, path, 256u * 1024 * 1024, OSPACK_EREJECT, &text,
					  &len)
			  : osp_nomem(p->ctx);
		if (rc == OSPACK_OK)
			rc = osp_awriter_file(p->ctx, w, p->b->tags[i], text, len);
		free(text);
		free(path);
	}
	if (rc == OSPACK_OK)
		rc = osp_awriter_finish(p->ctx, w, sum, &bytes);
	osp_awriter_free(w);
	return rc;
}

static ospack_error tag_layer(struct push *p)
{
	char digest[OSP_OCI_DIGEST_LEN] = "sha256:";
	struct osp_digests d;
	json_t *ann;
	ospack_error rc;

	p->lbytes = 0;
	p->up = NULL;
	rc = osp_hash_new(p->ctx, OSP_ALG_BIT(OSP_SHA256), &p->lhash);
	if (rc == OSPACK_OK)
		rc = fill_tags(p, NULL);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(p->ctx, p->lhash, &d);
	osp_hash_free(p->lhash);
	p->lhash = NULL;
	if (rc != OSPACK_OK)
		return rc;
	osp_hex(d.d[OSP_SHA256], 32, digest + 7);
	rc = send_blob(p, digest, p->lbytes, fill_tags, NULL);
	ann = rc == OSPACK_OK ? json_pack("{s:s}", "org.opencontainers.image.title", p->b->bag)
			      : NULL;
	if (rc == OSPACK_OK && ann == NULL)
		rc = osp_nomem(p->ctx);
	return rc == OSPACK_OK ? add_layer(p, OSP_MT_BAG, digest, p->lbytes, ann) : rc;
}

static int strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every license expression of the release, once each, sorted. */
static json_t *licenses(json_t *pred)
{
	json_t *set = json_object(), *arr = json_array(),
	       *comps = json_object_get(pred, "components");
	const char *lic = json_string_value(json_object_get(pred, "license"));
	const char *key;
	json_t *v;

	if (set == NULL || arr == NULL) {
		json_decref(set);
		json_decref(arr);
		return NULL;
	}
	if (lic != NULL)
		json_object_set_new(set, lic, json_true());
	for (size_t i = 0; i < json_array_size(comps); i++) {
		lic = json_string_value(json_object_get(json_array_get(comps, i), "license"));
		if (lic != NULL)
			json_object_set_new(set, lic, json_true());
	}
	/* Jansson keeps insertion order; the keys are sorted here. */
	{
		size_t n = json_object_size(set), k = 0;
		const char **keys = calloc(n + 1, sizeof(*keys));

		if (keys == NULL) {
			json_decref(set);
			json_decref(arr);
			return NULL;
		}
		json_object_foreach(set, key, v) keys[k++] = key;
		qsort(keys, n, sizeof(*keys), strcmp_ptr);
		for (k = 0; k < n; k++)
			json_array_append_new(arr, json_string(keys[k]));
		free(keys);
	}
	json_decref(set);
	return arr;
}

static void created_at(int64_t mtime, char out[32])
{
	time_t t = (time_t)mtime;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 32, "1980-01-01T00:00:00Z");
}

/* The ModelPack config: the release's description, and the layers' digests. */
static ospack_error config_blob(struct push *p, json_t **desc)
{
	json_t *pred = p->b->pred, *d, *cfg, *v;
	char date[32], digest[OSP_OCI_DIGEST_LEN];
	struct osp_buf m = {0};
	char *text;
	ospack_error rc;

	created_at(p->b->mtime, date);
	d = json_pack("{s:O, s:O, s:s, s:o}", "name", json_object_get(pred, "name"), "version",
		      json_object_get(pred, "version"), "createdAt", date, "licenses",
		      licenses(pred));
	if (d != NULL && (v = json_object_get(pred, "description")) != NULL)
		json_object_set(d, "description", v);
	if (d != NULL && json_array_size(v = json_object_get(pred, "authors")) > 0)
		json_object_set(d, "authors", v);
	if (d != NULL && (v = json_object_get(pred, "homepage")) != NULL)
		json_object_set(d, "docURL", v);
	cfg = d ? json_pack("{s:o, s:{}, s:{s:s, s:O}}", "descriptor", d, "config", "modelfs",
			    "type", "layers", "diffIds", p->diffids)
		: NULL;
	text = cfg ? json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(cfg);
	if (text == NULL)
		return osp_nomem(p->ctx);
	osp_buf_puts(&m, text);
	free(text);
	rc = m.failed ? osp_nomem(p->ctx) : osp_oci_digest(p->ctx, m.data, m.len, digest);
	if (rc == OSPACK_OK)
		rc = send_blob(p, digest, m.len, fill_mem, &m);
	if (rc == OSPACK_OK &&
	    (*desc = json_pack("{s:s, s:s, s:I}", "mediaType", OSP_MT_CONFIG, "digest", digest,
			       "size", (json_int_t)m.len)) == NULL)
		rc = osp_nomem(p->ctx);
	osp_buf_free(&m);
	return rc;
}

static ospack_error result_json(struct push *p)
{
	struct ospack_push_result *r = p->r;
	json_t *j =
		json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I}", "reference", r->reference,
			  "digest", r->digest, "bag", p->b->bag, "layers", (json_int_t)r->layers,
			  "blobs_uploaded", (json_int_t)r->blobs_uploaded, "blobs_skipped",
			  (json_int_t)r->blobs_skipped, "blobs_mounted",
			  (json_int_t)r->blobs_mounted, "bytes_sent", (json_int_t)r->bytes_sent);

	r->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	return r->json ? OSPACK_OK : osp_nomem(p->ctx);
}

static ospack_error put_manifest(struct push *p, const char *tag, const char *want)
{
	json_t *pred = p->b->pred, *config = NULL, *man;
	char date[32], *text;
	ospack_error rc = config_blob(p, &config);

	if (rc != OSPACK_OK)
		return rc;
	created_at(p->b->mtime, date);
	man = json_pack("{s:i, s:s, s:s, s:o, s:O, s:{s:O, s:O, s:s, s:s}}", "schemaVersion", 2,
			"mediaType", OSP_MT_MANIFEST, "artifactType", OSP_MT_ARTIFACT, "config",
			config, "layers", p->layers, "annotations",
			"org.opencontainers.image.title", json_object_get(pred, "name"),
			"org.opencontainers.image.version", json_object_get(pred, "version"),
			"org.opencontainers.image.created", date, "org.ospack.bag", p->b->bag);
	text = man ? json_dumps(man, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(man);
	if (text == NULL)
		return osp_nomem(p->ctx);
	rc = osp_oci_digest(p->ctx, text, strlen(text), p->r->digest);
	if (rc == OSPACK_OK && want != NULL && strcmp(want, p->r->digest) != 0)
		rc = osp_error(p->ctx, OSPACK_EUSAGE,
			       "the bundle's manifest is %s, not the %s the reference names",
			       p->r->digest, want);
	/* The result is made before the manifest is sent: nothing fails once it is there. */
	p->r->layers = json_array_size(p->layers);
	if (rc == OSPACK_OK)
		rc = result_json(p);
	if (rc == OSPACK_OK)
		rc = osp_store_manifest_put(p->s, tag ? tag : want, text, strlen(text),
					    p->r->digest);
	free(text);
	return rc;
}

static ospack_error run(struct push *p, const char *bundle, struct osp_oci_ref *ref)
{
	struct ospack_verify_opts vo = {.keys = p->o->keys,
					.nkeys = p->o->nkeys,
					.jobs = p->o->jobs,
					.tmpdir = p->o->tmpdir};
	struct ospack_verify_result *vr = NULL;
	const char *tag;
	ospack_error rc = ospack_verify(p->ctx, bundle, &vo, &vr);

	if (rc == OSPACK_OK && vr->plain)
		rc = osp_error(p->ctx, OSPACK_EREJECT,
			       "%s: a BagIt bag without an ospack statement; push takes ospack "
			       "bundles",
			       bundle);
	ospack_verify_result_free(vr);
	if (rc == OSPACK_OK)
		rc = osp_obundle_open(p->ctx, bundle, p->o->tmpdir, &p->b);
	/* Files are read by their offsets in the tar: a compressed bundle's tar is
	   decompressed into a temporary file first (the disk space of the tar). */
	if (rc == OSPACK_OK && p->b->compressed && lseek(p->b->fd, 0, SEEK_SET) != 0)
		rc = osp_errno(p->ctx, errno, "cannot read", bundle);
	if (rc == OSPACK_OK && p->b->compressed &&
	    (rc = osp_unzip_to_temp(p->ctx, &p->b->fd, p->o->tmpdir)) == OSPACK_EREJECT)
		osp_error_prefix(p->ctx, "%s", bundle);
	if (rc != OSPACK_OK)
		return rc;
	/* A layout is tagged with the version unless the reference says otherwise. */
	tag = ref->tag ? ref->tag
	      : ref->layout && ref->digest == NULL
		      ? json_string_value(json_object_get(p->b->pred, "version"))
		      : NULL;
	p->r->reference =
		ref->layout ? osp_asprintf("oci-layout:%s:%s", ref->path, tag ? tag : "")
		: tag	    ? osp_asprintf("%s/%s:%s", ref->registry, ref->repository, tag)
			    : osp_asprintf("%s/%s@%s", ref->registry, ref->repository, ref->digest);
	p->buf = malloc(READ_BLOCK);
	p->layers = json_array();
	p->diffids = json_array();
	if (p->r->reference == NULL || p->buf == NULL || p->layers == NULL || p->diffids == NULL)
		return osp_nomem(p->ctx);
	rc = osp_store_open(p->ctx, ref, p->o->plain_http, true, &p->s);
	if (rc != OSPACK_OK)
		return rc;
	p->prog.bytes_total = 0;
	for (size_t i = 0; i < p->b->ncomps; i++)
		if (!p->b->comps[i].url)
			p->prog.bytes_total += p->b->comps[i].bytes;
	report(p, false);
	rc = component_layers(p);
	if (rc == OSPACK_OK)
		rc = tag_layer(p);
	if (rc == OSPACK_OK)
		rc = put_manifest(p, tag, ref->digest);
	if (rc == OSPACK_OK) {
		rc = osp_store_commit(p->s);
		p->s = NULL;
	}
	if (rc == OSPACK_OK)
		report(p, true);
	return rc;
}

OSPACK_API ospack_error ospack_push(struct ospack_ctx *ctx, const char *bundle, const char *ref,
				    const struct ospack_push_opts *opts,
				    struct ospack_push_result **out)
{
	static const struct ospack_push_opts defaults = {0};
	struct push p = {.ctx = ctx, .o = opts ? opts : &defaults};
	struct osp_oci_ref r = {0};
	ospack_error rc = OSPACK_OK;

	*out = NULL;
	osp_interrupt_reset();
	p.r = calloc(1, sizeof(*p.r));
	if (p.r == NULL)
		return osp_nomem(ctx);
	if (p.o->oci_layout != NULL) {
		r.layout = true;
		if ((r.path = osp_strdup(p.o->oci_layout)) == NULL)
			rc = osp_nomem(ctx);
	} else if (ref == NULL)
		rc = osp_error(ctx, OSPACK_EUSAGE,
			       "push needs a reference or an OCI layout folder");
	else
		rc = osp_oci_ref_parse(ctx, ref, &r);
	if (rc == OSPACK_OK)
		rc = run(&p, bundle, &r);
	if (p.up != NULL)
		osp_store_upload_abort(p.up);
	osp_store_free(p.s);
	osp_obundle_free(p.b);
	json_decref(p.layers);
	json_decref(p.diffids);
	free(p.buf);
	osp_oci_ref_free(&r);
	if (rc != OSPACK_OK) {
		ospack_push_result_free(p.r);
		return rc;
	}
	*out = p.r;
	return OSPACK_OK;
}

OSPACK_API void ospack_push_result_free(struct ospack_push_result *r)
{
	if (r == NULL)
		return;
	free(r->reference);
	free(r->json);
	free(r);
}
