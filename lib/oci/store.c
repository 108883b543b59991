/* SPDX-License-Identifier: Apache-2.0 */
/* One interface over a registry's repository and an OCI image layout folder. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hash.h"
#include "store.h"

#define LAYOUT_FILE "{\"imageLayoutVersion\":\"1.0.0\"}"
#define READ_BLOCK (1024 * 1024)

struct osp_store {
	struct ospack_ctx *ctx;
	struct osp_registry *reg; /* or NULL: a layout */
	char *name;
	/* a layout */
	char *dir;   /* where it is written or read: the final folder, or the staging one */
	char *final; /* a new folder: its name once committed; NULL when it existed */
};

struct osp_store_upload {
	struct osp_store *s;
	struct osp_blob_upload *reg;
	/* a layout */
	int fd;
	char *tmp;
	struct osp_hash *h;
	uint64_t size, got;
};

ospack_error osp_oci_digest(struct ospack_ctx *ctx, const void *p, size_t n,
			    char digest[OSP_OCI_DIGEST_LEN])
{
	unsigned char d[32];

	if (osp_digest(ctx, OSP_SHA256, p, n, d) != OSPACK_OK)
		return ctx->code;
	memcpy(digest, "sha256:", 7);
	osp_hex(d, 32, digest + 7);
	return OSPACK_OK;
}

bool osp_oci_digest_valid(const char *s)
{
	return s != NULL && strncmp(s, "sha256:", 7) == 0 && strlen(s) == 71 &&
	       osp_is_lower_hex(s + 7, 64);
}

static char *blob_path(const struct osp_store *s, const char *digest)
{
	return osp_asprintf("%s/blobs/sha256/%s", s->dir, digest + 7);
}

static void remove_layout(const char *dir)
{
	char *blobs = osp_asprintf("%s/blobs/sha256", dir);
	DIR *d = blobs ? opendir(blobs) : NULL;
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *p;

		if (de->d_name[0] == '.')
			continue;
		p = osp_asprintf("%s/%s", blobs, de->d_name);
		if (p != NULL)
			unlink(p);
		free(p);
	}
	if (d != NULL)
		closedir(d);
	if (blobs != NULL) {
		rmdir(blobs);
		blobs[strlen(blobs) - 7] = '\0';
		rmdir(blobs);
	}
	free(blobs);
	blobs = osp_asprintf("%s/oci-layout", dir);
	if (blobs != NULL)
		unlink(blobs);
	free(blobs);
	blobs = osp_asprintf("%s/index.json", dir);
	if (blobs != NULL)
		unlink(blobs);
	free(blobs);
	rmdir(dir);
}

static ospack_error layout_make(struct osp_store *s, const char *dir)
{
	const char *slash = strrchr(dir, '/');
	char *p;
	ospack_error rc = OSPACK_OK;

	s->final = osp_strdup(dir);
	s->dir = slash ? osp_asprintf("%.*s/.%s.tmp-%ld", (int)(slash - dir), dir, slash + 1,
				      (long)getpid())
		       : osp_asprintf(".%s.tmp-%ld", dir, (long)getpid());
	if (s->final == NULL || s->dir == NULL)
		return osp_nomem(s->ctx);
	remove_layout(s->dir);
	if (mkdir(s->dir, 0755) != 0)
		return osp_errno(s->ctx, errno, "cannot create a folder beside", dir);
	p = osp_asprintf("%s/blobs", s->dir);
	if (p == NULL || mkdir(p, 0755) != 0)
		rc = p ? osp_errno(s->ctx, errno, "cannot create", p) : osp_nomem(s->ctx);
	free(p);
	p = rc == OSPACK_OK ? osp_asprintf("%s/blobs/sha256", s->dir) : NULL;
	if (rc == OSPACK_OK && (p == NULL || mkdir(p, 0755) != 0))
		rc = p ? osp_errno(s->ctx, errno, "cannot create", p) : osp_nomem(s->ctx);
	free(p);
	p = rc == OSPACK_OK ? osp_asprintf("%s/oci-layout", s->dir) : NULL;
	if (rc == OSPACK_OK)
		rc = p ? osp_write_file_atomic(s->ctx, p, LAYOUT_FILE, strlen(LAYOUT_FILE))
		       : osp_nomem(s->ctx);
	free(p);
	return rc;
}

static ospack_error layout_open(struct osp_store *s, const char *dir, bool push)
{
	struct stat st;
	char *p;
	ospack_error rc = OSPACK_OK;

	if (stat(dir, &st) != 0 && errno == ENOENT && push)
		return layout_make(s, dir);
	if (stat(dir, &st) != 0)
		return osp_errno(s->ctx, errno, "cannot open the OCI image layout", dir);
	if (!S_ISDIR(st.st_mode))
		return osp_error(s->ctx, OSPACK_EUSAGE, "%s: not a folder", dir);
	s->dir = osp_strdup(dir);
	p = osp_asprintf("%s/oci-layout", dir);
	if (s->dir == NULL || p == NULL)
		rc = osp_nomem(s->ctx);
	else if (stat(p, &st) != 0)
		rc = osp_error(s->ctx, push ? OSPACK_EUSAGE : OSPACK_EREJECT,
			       "%s: not an OCI image layout (no oci-layout file)%s", dir,
			       push ? "; push writes a new folder or adds to a layout" : "");
	free(p);
	return rc;
}

ospack_error osp_store_open(struct ospack_ctx *ctx, const struct osp_oci_ref *ref, bool plain_http,
			    bool push, struct osp_store **out)
{
	struct osp_store *s = calloc(1, sizeof(*s));
	ospack_error rc;

	*out = NULL;
	if (s == NULL)
		return osp_nomem(ctx);
	s->ctx = ctx;
	if (ref->layout) {
		rc = layout_open(s, ref->path, push);
		s->name = osp_strdup(ref->path);
	} else {
		const struct osp_registry_opts o = {.plain_http = plain_http, .push = push};

		rc = osp_registry_open(ctx, ref, &o, &s->reg);
		s->name = osp_asprintf("%s/%s", ref->registry, ref->repository);
	}
	if (rc == OSPACK_OK && s->name == NULL)
		rc = osp_nomem(ctx);
	if (rc != OSPACK_OK) {
		osp_store_free(s);
		return rc;
	}
	*out = s;
	return OSPACK_OK;
}

ospack_error osp_store_commit(struct osp_store *s)
{
	ospack_error rc = OSPACK_OK;

	if (s->final != NULL) {
		if (rename(s->dir, s->final) != 0)
			rc = osp_errno(s->ctx, errno, "cannot move the OCI image layout to",
				       s->final);
		else {
			free(s->final);
			s->final = NULL;
		}
	}
	osp_store_free(s);
	return rc;
}

void osp_store_free(struct osp_store *s)
{
	if (s == NULL)
		return;
	if (s->final != NULL && s->dir != NULL)
		remove_layout(s->dir);
	osp_registry_free(s->reg);
	free(s->name);
	free(s->dir);
	free(s->final);
	free(s);
}

const char *osp_store_name(const struct osp_store *s)
{
	return s->name;
}

const struct osp_registry_stats *osp_store_stats(const struct osp_store *s)
{
	return s->reg ? osp_registry_stats(s->reg) : NULL;
}

ospack_error osp_store_blob_exists(struct osp_store *s, const char *digest, bool *exists)
{
	uint64_t size;
	struct stat st;
	char *p;

	if (s->reg != NULL)
		return osp_registry_blob_exists(s->reg, digest, exists, &size);
	p = blob_path(s, digest);
	if (p == NULL)
		return osp_nomem(s->ctx);
	*exists = stat(p, &st) == 0 && S_ISREG(st.st_mode);
	free(p);
	return OSPACK_OK;
}

ospack_error osp_store_blob_mount(struct osp_store *s, const char *digest, const char *from,
				  bool *mounted)
{
	*mounted = false;
	return s->reg ? osp_registry_blob_mount(s->reg, digest, from, mounted) : OSPACK_OK;
}

ospack_error osp_store_upload_begin(struct osp_store *s, uint64_t size,
				    struct osp_store_upload **out)
{
	struct osp_store_upload *u = calloc(1, sizeof(*u));
	ospack_error rc;

	*out = NULL;
	if (u == NULL)
		return osp_nomem(s->ctx);
	u->s = s;
	u->fd = -1;
	u->size = size;
	if (s->reg != NULL) {
		rc = osp_registry_upload_begin(s->reg, size, &u->reg);
	} else {
		u->tmp = osp_asprintf("%s/blobs/sha256/.upload-XXXXXX", s->dir);
		rc = u->tmp ? osp_hash_new(s->ctx, OSP_ALG_BIT(OSP_SHA256), &u->h)
			    : osp_nomem(s->ctx);
		if (rc == OSPACK_OK && (u->fd = mkstemp(u->tmp)) < 0)
			rc = osp_errno(s->ctx, errno, "cannot create a blob in", s->dir);
		if (rc == OSPACK_OK && fchmod(u->fd, 0644) != 0)
			rc = osp_errno(s->ctx, errno, "cannot set the mode of", u->tmp);
	}
	if (rc != OSPACK_OK) {
		osp_store_upload_abort(u);
		return rc;
	}
	*out = u;
	return OSPACK_OK;
}

ospack_error osp_store_upload_write(struct osp_store_upload *u, const void *p, size_t n)
{
	struct ospack_ctx *ctx = u->s->ctx;

	if (u->reg != NULL)
		return osp_registry_upload_write(u->reg, p, n);
	if (osp_hash_update(ctx, u->h, p, n) != OSPACK_OK)
		return ctx->code;
	u->got += n;
	return osp_write_all(ctx, u->fd, p, n, u->tmp);
}

ospack_error osp_store_upload_finish(struct osp_store_upload *u, const char *digest)
{
	struct ospack_ctx *ctx = u->s->ctx;
	struct osp_digests d;
	char got[OSP_OCI_DIGEST_LEN] = "sha256:";
	char *path = NULL;
	ospack_error rc;

	if (u->reg != NULL) {
		rc = osp_registry_upload_finish(u->reg, digest);
		u->reg = NULL;
		osp_store_upload_abort(u);
		return rc;
	}
	rc = osp_hash_final(ctx, u->h, &d);
	if (rc == OSPACK_OK) {
		osp_hex(d.d[OSP_SHA256], 32, got + 7);
		if (strcmp(got, digest) != 0 || u->got != u->size)
			rc = osp_error(ctx, OSPACK_EREJECT,
				       "blob %s: its %llu bytes have the digest %s", digest,
				       (unsigned long long)u->got, got);
	}
	if (rc == OSPACK_OK && (fsync(u->fd) != 0 || close(u->fd) != 0))
		rc = osp_errno(ctx, errno, "cannot write", u->tmp);
	else if (rc == OSPACK_OK)
		u->fd = -1;
	if (rc == OSPACK_OK && (path = blob_path(u->s, digest)) == NULL)
		rc = osp_nomem(ctx);
	if (rc == OSPACK_OK && rename(u->tmp, path) != 0)
		rc = osp_errno(ctx, errno, "cannot write", path);
	else if (rc == OSPACK_OK) {
		free(u->tmp);
		u->tmp = NULL;
	}
	free(path);
	osp_store_upload_abort(u);
	return rc;
}

void osp_store_upload_abort(struct osp_store_upload *u)
{
	if (u == NULL)
		return;
	if (u->reg != NULL)
		osp_registry_upload_abort(u->reg);
	if (u->fd >= 0)
		close(u->fd);
	if (u->tmp != NULL)
		unlink(u->tmp);
	free(u->tmp);
	osp_hash_free(u->h);
	free(u);
}

ospack_error osp_store_blob_get(struct osp_store *s, const char *digest, uint64_t size,
				ospack_error (*write)(void *arg, const void *p, size_t n),
				ospack_error (*restart)(void *arg), void *arg)
{
	unsigned char *buf;
	struct stat st;
	uint64_t left;
	char *p;
	int fd;
	ospack_error rc = OSPACK_OK;

	if (s->reg != NULL)
		return osp_registry_blob_get(s->reg, digest, size, write, restart, arg);
	p = blob_path(s, digest);
	if (p == NULL)
		return osp_nomem(s->ctx);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = errno == ENOENT ? osp_error(s->ctx, OSPACK_EREJECT,
						 "%s: blob %s is not in the layout", s->dir, digest)
				     : osp_errno(s->ctx, errno, "cannot open", p);
		free(p);
		return rc;
	}
	buf = malloc(READ_BLOCK);
	if (buf == NULL)
		rc = osp_nomem(s->ctx);
	else if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		rc = osp_error(s->ctx, OSPACK_EREJECT, "%s: not a regular file", p);
	else if ((uint64_t)st.st_size != size)
		rc = osp_error(s->ctx, OSPACK_EREJECT,
			       "%s: blob %s has %lld bytes, not the %llu its descriptor says",
			       s->dir, digest, (long long)st.st_size, (unsigned long long)size);
	for (left = size; rc == OSPACK_OK && left > 0;) {
		ssize_t n = read(fd, buf, left < READ_BLOCK ? (size_t)left : READ_BLOCK);

		if (n < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (n <= 0)
			rc = osp_errno(s->ctx, n < 0 ? errno : EIO, "cannot read", p);
		else {
			rc = write(arg, buf, (size_t)n);
			left -= (uint64_t)n;
		}
	}
	free(buf);
	free(p);
	close(fd);
	return rc;
}

static ospack_error read_index(struct osp_store *s, json_t **out)
{
	char *p = osp_asprintf("%s/index.json", s->dir), *text = NULL;
	json_error_t err;
	size_t len;
	struct stat st;
	ospack_error rc;

	*out = NULL;
	if (p == NULL)
		return osp_nomem(s->ctx);
	if (stat(p, &st) != 0 && errno == ENOENT) {
		free(p);
		*out = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", OSP_MT_INDEX,
				 "manifests");
		return *out ? OSPACK_OK : osp_nomem(s->ctx);
	}
	rc = osp_read_file(s->ctx, p, OSP_OCI_MANIFEST_MAX, OSPACK_EREJECT, &text, &len);
	if (rc == OSPACK_OK) {
		*out = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
		if (*out == NULL && json_error_code(&err) == json_error_out_of_memory)
			rc = osp_nomem(s->ctx);
		else if (*out == NULL || !json_is_array(json_object_get(*out, "manifests")))
			rc = osp_error(s->ctx, OSPACK_EREJECT, "%s: not an OCI image index%s%s", p,
				       *out ? "" : ": ", *out ? "" : err.text);
	}
	free(text);
	free(p);
	return rc;
}

ospack_error osp_store_manifest_put(struct osp_store *s, const char *tag, const void *body,
				    size_t len, char digest[OSP_OCI_DIGEST_LEN])
{
	struct osp_store_upload *u = NULL;
	json_t *index = NULL, *arr, *ent;
	char *text = NULL, *p = NULL;
	bool exists = false;
	ospack_error rc;

	if (s->reg != NULL)
		return osp_registry_manifest_put(s->reg, tag, OSP_MT_MANIFEST, body, len, digest);
	rc = osp_oci_digest(s->ctx, body, len, digest);
	if (rc == OSPACK_OK)
		rc = osp_store_blob_exists(s, digest, &exists);
	if (rc == OSPACK_OK && !exists) {
		rc = osp_store_upload_begin(s, len, &u);
		if (rc == OSPACK_OK)
			rc = osp_store_upload_write(u, body, len);
		if (rc == OSPACK_OK)
			rc = osp_store_upload_finish(u, digest);
		else
			osp_store_upload_abort(u);
	}
	if (rc == OSPACK_OK)
		rc = read_index(s, &index);
	if (rc != OSPACK_OK)
		return rc;
	arr = json_object_get(index, "manifests");
	for (size_t i = json_array_size(arr); i-- > 0;) {
		const char *name = json_string_value(json_object_get(
			json_object_get(json_array_get(arr, i), "annotations"), OSP_ANN_REF_NAME));

		if (name != NULL && strcmp(name, tag) == 0)
			json_array_remove(arr, i);
	}
	ent = json_pack("{s:s, s:s, s:I, s:s, s:{s:s}}", "mediaType", OSP_MT_MANIFEST, "digest",
			digest, "size", (json_int_t)len, "artifactType", OSP_MT_ARTIFACT,
			"annotations", OSP_ANN_REF_NAME, tag);
	if (ent == NULL || json_array_append_new(arr, ent) != 0 ||
	    (text = json_dumps(index, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    (p = osp_asprintf("%s/index.json", s->dir)) == NULL)
		rc = osp_nomem(s->ctx);
	else
		rc = osp_write_file_atomic(s->ctx, p, text, strlen(text));
	free(p);
	free(text);
	json_decref(index);
	return rc;
}

struct membuf {
	struct ospack_ctx *ctx;
	struct osp_buf b;
};

static ospack_error mem_write(void *arg, const void *p, size_t n)
{
	struct membuf *m = arg;

	osp_buf_add(&m->b, p, n);
	return m->b.failed ? osp_nomem(m->ctx) : OSPACK_OK;
}

static ospack_error mem_restart(void *arg)
{
	struct membuf *m = arg;

	m->b.len = 0;
	return OSPACK_OK;
}

/* The index entry that reference names, or the only one. */
static ospack_error find_entry(struct osp_store *s, json_t *index, const char *reference,
			       json_t **out)
{
	json_t *arr = json_object_get(index, "manifests");
	struct osp_buf tags = {0};
	size_t n = json_array_size(arr);
	ospack_error rc;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		const char *name = json_string_value(
			json_object_get(json_object_get(e, "annotations"), OSP_ANN_REF_NAME));
		const char *digest = json_string_value(json_object_get(e, "digest"));

		if (reference == NULL && n == 1)
			*out = e;
		else if (reference != NULL && ((name != NULL && strcmp(name, reference) == 0) ||
					       (digest != NULL && strcmp(digest, reference) == 0)))
			*out = e;
		else if (name != NULL)
			osp_buf_printf(&tags, "%s%s", tags.len ? ", " : "", name);
	}
	if (*out != NULL)
		return OSPACK_OK;
	if (reference == NULL && n == 0)
		rc = osp_error(s->ctx, OSPACK_EREJECT, "%s: the layout holds no manifest", s->dir);
	else if (reference == NULL)
		rc = osp_error(s->ctx, OSPACK_EUSAGE,
			       "%s: the layout holds %zu manifests; name one as oci-layout:%s:TAG "
			       "(tags: %s)",
			       s->dir, n, s->dir, tags.len ? tags.data : "none");
	else
		rc = osp_error(s->ctx, OSPACK_EREJECT, "%s: no manifest tagged %s (tags: %s)",
			       s->dir, reference, tags.len ? tags.data : "none");
	osp_buf_free(&tags);
	return rc;
}

ospack_error osp_store_manifest_get(struct osp_store *s, const char *reference, char **body,
				    size_t *len, char digest[OSP_OCI_DIGEST_LEN])
{
	struct membuf m = {.ctx = s->ctx};
	json_t *index = NULL, *ent = NULL;
	const char *want;
	json_int_t size;
	ospack_error rc;

	*body = NULL;
	if (s->reg != NULL)
		return osp_registry_manifest_get(s->reg, reference ? reference : "latest", body,
						 len, digest);
	rc = read_index(s, &index);
	if (rc == OSPACK_OK)
		rc = find_entry(s, index, reference, &ent);
	if (rc != OSPACK_OK) {
		json_decref(index);
		return rc;
	}
	want = json_string_value(json_object_get(ent, "digest"));
	size = json_integer_value(json_object_get(ent, "size"));
	if (!osp_oci_digest_valid(want) || size <= 0 || size > OSP_OCI_MANIFEST_MAX)
		rc = osp_error(s->ctx, OSPACK_EREJECT, "%s/index.json: a malformed descriptor",
			       s->dir);
	if (rc == OSPACK_OK)
		rc = osp_store_blob_get(s, want, (uint64_t)size, mem_write, mem_restart, &m);
	if (rc == OSPACK_OK)
		rc = osp_oci_digest(s->ctx, m.b.data, m.b.len, digest);
	if (rc == OSPACK_OK && strcmp(digest, want) != 0)
		rc = osp_error(s->ctx, OSPACK_EREJECT, "%s: blob %s has the digest %s", s->dir,
			       want, digest);
	json_decref(index);
	if (rc != OSPACK_OK) {
		osp_buf_free(&m.b);
		return rc;
	}
	*body = osp_buf_steal(&m.b, len);
	return *body ? OSPACK_OK : osp_nomem(s->ctx);
}
