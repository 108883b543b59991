/* SPDX-License-Identifier: Apache-2.0 */
/* A verified bundle's tag files, components and payload files, in the archive's order. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "bundle.h"
#include "oms.h"
#include "release.h"
#include "sign.h"
#include "tar_write.h"
#include "decompress.h"
#include "verify/tarscan.h"
#include "verify/verifier.h"

#define TAG_MAX (256u * 1024 * 1024)

const char *osp_layer_kind(const char *section)
{
	if (strcmp(section, "checkpoints") == 0)
		return "weight";
	if (strcmp(section, "code") == 0)
		return "code";
	if (strcmp(section, "datasets") == 0)
		return "dataset";
	return "doc"; /* docs and evals */
}

ospack_error osp_dirtrack_init(struct ospack_ctx *ctx, struct osp_dirtrack *dt)
{
	dt->prev = osp_strdup("data");
	return dt->prev ? OSPACK_OK : osp_nomem(ctx);
}

void osp_dirtrack_free(struct osp_dirtrack *dt)
{
	free(dt->prev);
	dt->prev = NULL;
}

/* As the build emits them: each folder between the last file's folder and this one's. */
ospack_error osp_dirtrack_file(struct ospack_ctx *ctx, struct osp_dirtrack *dt, const char *path,
			       ospack_error (*dir)(void *arg, const char *path), void *arg)
{
	const char *prev = dt->prev, *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) : 0, i = 0;
	char buf[OSP_TARHDR_PATH + 1];
	char *next;

	if (dlen > OSP_TARHDR_PATH)
		return osp_error(ctx, OSPACK_EREJECT, "%s: path too long", path);
	while (i < dlen && prev[i] != '\0' && prev[i] == path[i])
		i++;
	if (!((i == dlen || path[i] == '/') && (prev[i] == '\0' || prev[i] == '/'))) {
		do
			i--;
		while (i > 0 && path[i] != '/');
	}
	for (size_t k = i + 1; k <= dlen; k++) {
		if (k < dlen && path[k] != '/')
			continue;
		memcpy(buf, path, k);
		buf[k] = '\0';
		if (dir(arg, buf) != OSPACK_OK)
			return ctx->code;
	}
	next = osp_strndup(path, dlen);
	if (next == NULL)
		return osp_nomem(ctx);
	free(dt->prev);
	dt->prev = next;
	return OSPACK_OK;
}

void osp_obundle_remove_tags(struct osp_obundle *b)
{
	char *p;

	if (b == NULL || b->tagdir == NULL)
		return;
	for (size_t i = 0; i < b->ntags; i++)
		if ((p = osp_asprintf("%s/%s", b->tagdir, b->tags[i])) != NULL) {
			unlink(p);
			free(p);
		}
	if ((p = osp_asprintf("%s/ospack", b->tagdir)) != NULL) {
		rmdir(p);
		free(p);
	}
	rmdir(b->tagdir);
	if (b->workdir != NULL)
		rmdir(b->workdir);
}

void osp_obundle_free(struct osp_obundle *b)
{
	if (b == NULL)
		return;
	if (b->tagdir_tmp)
		osp_obundle_remove_tags(b);
	free(b->workdir);
	for (size_t i = 0; i < b->ntags; i++)
		free(b->tags[i]);
	free(b->tags);
	for (size_t i = 0; i < b->ncomps; i++) {
		free(b->comps[i].section);
		free(b->comps[i].name);
		free(b->comps[i].dir);
	}
	free(b->comps);
	json_decref(b->statement);
	if (b->fd >= 0)
		close(b->fd);
	free(b->bag);
	free(b->tagdir);
	free(b->root);
	free(b);
}

static ospack_error add_tag(struct osp_obundle *b, const char *rel)
{
	char **v = osp_reallocarray(b->tags, b->ntags + 1, sizeof(*v));

	if (v == NULL)
		return osp_nomem(b->ctx);
	b->tags = v;
	if ((v[b->ntags] = osp_strdup(rel)) == NULL)
		return osp_nomem(b->ctx);
	b->ntags++;
	return OSPACK_OK;
}

static bool exists(const char *dir, const char *rel)
{
	char *p = osp_asprintf("%s/%s", dir, rel);
	struct stat st;
	bool r = p != NULL && lstat(p, &st) == 0 && S_ISREG(st.st_mode);

	free(p);
	return r;
}

/* A folder's tag files in the order the build writes them: as the tag manifest lists them. */
static ospack_error folder_tags(struct osp_obundle *b)
{
	static const char *const after[] = {"tagmanifest-sha256.txt", "tagmanifest-sha512.txt",
					    OSP_OMS_PATH};
	char *text = NULL, *p = osp_asprintf("%s/tagmanifest-sha256.txt", b->tagdir);
	size_t len;
	ospack_error rc;

	if (p == NULL)
		return osp_nomem(b->ctx);
	rc = osp_read_file(b->ctx, p, TAG_MAX, OSPACK_EREJECT, &text, &len);
	free(p);
	for (char *line = text, *nl; rc == OSPACK_OK && line != NULL && *line != '\0';
	     line = nl ? nl + 1 : NULL) {
		char *sp = strstr(line, "  ");

		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (sp == NULL)
			rc = osp_error(b->ctx, OSPACK_EREJECT, "tagmanifest-sha256.txt: malformed");
		else
			rc = add_tag(b, sp + 2);
	}
	free(text);
	for (size_t i = 0; rc == OSPACK_OK && i < OSP_ARRAY_LEN(after); i++)
		if (exists(b->tagdir, after[i]))
			rc = add_tag(b, after[i]);
	return rc;
}

/* A read error is the system's (exit 4); a tar or a stream that libarchive cannot read to
 * its end (cut short, corrupt, not gzip or zstd as it begins) is the input's: bad. */
static ospack_error tar_error(struct ospack_ctx *ctx, struct archive *a, const char *label,
			      ospack_error bad)
{
	int e = archive_errno(a);
	const char *msg = archive_error_string(a) ? archive_error_string(a) : "unreadable";

	if (e == ENOMEM)
		return osp_nomem(ctx);
	if (e > 0 && e != EILSEQ && e != EINVAL)
		return osp_errno(ctx, e, "cannot read", label);
	return osp_error(ctx, bad, "%s: %s", label, msg);
}

/* A tag file's name in its bag: at the bag's top or in ospack/, nothing else. */
static bool tag_name_ok(const char *name)
{
	const char *n = strncmp(name, "ospack/", 7) == 0 ? name + 7 : name;

	if (*n == '\0' || n[0] == '.' || strchr(n, '/') != NULL || strlen(name) > 255)
		return false;
	for (const char *c = n; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '.' || *c == '-' || *c == '_'))
			return false;
	return true;
}

/* An entry's name in the bag of a bundle (in_bag), in rel: NULL when it is outside the bag
 * folder. False for an entry to skip: the bag folder, the payload, the ospack/ folder. */
static bool tag_entry(struct osp_obundle *b, struct archive_entry *e, const char *name, bool in_bag,
		      const char **rel)
{
	size_t n = strcspn(name, "/");
	const char *r;

	*rel = name;
	if (!in_bag)
		return true;
	if (strlen(b->bag) != n || strncmp(name, b->bag, n) != 0) {
		*rel = NULL;
		return true;
	}
	r = name[n] == '/' ? name + n + 1 : name + n;
	*rel = r;
	if (*r == '\0' || strcmp(r, "data") == 0 || strncmp(r, "data/", 5) == 0)
		return false;
	return !(archive_entry_filetype(e) == AE_IFDIR &&
		 (strcmp(r, "ospack") == 0 || strcmp(r, "ospack/") == 0));
}

/* Writes the entry's data into b->tagdir/rel, a file that must not exist yet. */
static ospack_error unpack_file(struct osp_obundle *b, struct archive *a, const char *rel,
				const char *label, ospack_error bad)
{
	char *path = osp_asprintf("%s/%s", b->tagdir, rel);
	ospack_error rc = add_tag(b, rel);
	int fd = -1;

	if (path == NULL)
		rc = osp_nomem(b->ctx);
	if (rc == OSPACK_OK &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		rc = errno == EEXIST
			     ? osp_error(b->ctx, OSPACK_EREJECT, "%s holds %s twice", label, rel)
			     : osp_errno(b->ctx, errno, "cannot create", path);
	while (rc == OSPACK_OK) {
		const void *q;
		size_t n;
		la_int64_t off;
		int r = archive_read_data_block(a, &q, &n, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			rc = tar_error(b->ctx, a, label, bad);
		else
			rc = osp_write_all(b->ctx, fd, q, n, path);
	}
	if (fd >= 0 && close(fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(b->ctx, errno, "cannot write", path);
	free(path);
	return rc;
}

ospack_error osp_obundle_unpack_tags(struct osp_obundle *b, const char *tar, bool in_bag,
				     const char *label, ospack_error bad)
{
	struct osp_locale *loc = osp_locale_utf8_push();
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	ospack_error rc = OSPACK_OK;
	char *sub = osp_asprintf("%s/ospack", b->tagdir);

	if (loc == NULL || a == NULL || sub == NULL)
		rc = osp_nomem(b->ctx);
	else if (mkdir(sub, 0700) != 0)
		rc = osp_errno(b->ctx, errno, "cannot create", sub);
	/* A bundle may be a .tar.zst or .tar.gz (libarchive decompresses it on the way); a tag
	   layer is a plain tar. */
	else if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
		 (in_bag && (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
			     archive_read_support_filter_zstd(a) != ARCHIVE_OK)) ||
		 archive_read_open_filename(a, tar, 1024 * 1024) != ARCHIVE_OK)
		rc = tar_error(b->ctx, a, label, bad);
	while (rc == OSPACK_OK) {
		int st = archive_read_next_header(a, &e);
		const char *name, *rel;

		if (st == ARCHIVE_EOF)
			break;
		name = st == ARCHIVE_OK ? archive_entry_pathname_utf8(e) : NULL;
		if (name == NULL) {
			rc = tar_error(b->ctx, a, label, bad);
			break;
		}
		/* A bundle's bag folder is the one its first entry names. */
		if (in_bag && b->bag == NULL &&
		    (b->bag = osp_strndup(name, strcspn(name, "/"))) == NULL) {
			rc = osp_nomem(b->ctx);
			break;
		}
		if (!tag_entry(b, e, name, in_bag, &rel))
			continue;
		if (rel == NULL || archive_entry_filetype(e) != AE_IFREG || !tag_name_ok(rel) ||
		    b->ntags >= OSP_TAG_FILES_MAX) {
			rc = osp_error(b->ctx, OSPACK_EREJECT, "%s holds %s, which is no tag file",
				       label, name);
			break;
		}
		rc = unpack_file(b, a, rel, label, bad);
	}
	free(sub);
	if (a != NULL)
		archive_read_free(a);
	osp_locale_pop(loc);
	return rc;
}

/* Copies an archive's tag files into a temporary folder, skipping the payload. */
static ospack_error archive_tags(struct osp_obundle *b, const char *input, const char *tmpdir)
{
	char *tmpl = osp_asprintf("%s/ospack-push-XXXXXX", tmpdir ? tmpdir : "/tmp");

	if (tmpl == NULL)
		return osp_nomem(b->ctx);
	if (mkdtemp(tmpl) == NULL) {
		free(tmpl);
		return osp_errno(b->ctx, errno, "cannot create a temporary folder in",
				 tmpdir ? tmpdir : "/tmp");
	}
	b->tagdir = tmpl;
	b->tagdir_tmp = true;
	/* An archive libarchive cannot read to its end is not a readable release (diff's exit 3;
	 * push verified it first); a read error is the system's. A name no tag file has is
	 * rejected. */
	return osp_obundle_unpack_tags(b, input, true, input, OSPACK_EINPUT);
}

static int comp_cmp(const void *x, const void *y)
{
	return strcmp(((const struct osp_ocomp *)x)->dir, ((const struct osp_ocomp *)y)->dir);
}

/* The statement, its predicate and components, from the tag folder. */
ospack_error osp_obundle_load(struct osp_obundle *b)
{
	char *p = osp_asprintf("%s/%s", b->tagdir, OSP_ENVELOPE_PATH), *text = NULL;
	unsigned char *payload = NULL;
	size_t len, plen = 0;
	json_t *env = NULL, *comps, *m;
	json_error_t err;
	const char *b64, *bag;
	ospack_error rc;

	if (p == NULL)
		return osp_nomem(b->ctx);
	rc = osp_read_file(b->ctx, p, 16u * 1024 * 1024, OSPACK_EREJECT, &text, &len);
	free(p);
	if (rc == OSPACK_OK && ((env = json_loadb(text, len, 0, &err)) == NULL ||
				(b64 = json_string_value(json_object_get(env, "payload"))) == NULL))
		rc = osp_error(b->ctx, OSPACK_EREJECT, "%s: not a DSSE envelope",
			       OSP_ENVELOPE_PATH);
	if (rc == OSPACK_OK)
		rc = osp_base64_decode(b->ctx, b64, strlen(b64), &payload, &plen);
	if (rc == OSPACK_OK &&
	    (b->statement = json_loadb((const char *)payload, plen, 0, &err)) == NULL &&
	    json_error_code(&err) == json_error_out_of_memory)
		rc = osp_nomem(b->ctx);
	else if (rc == OSPACK_OK &&
		 (b->statement == NULL ||
		  !json_is_object(b->pred = json_object_get(b->statement, "predicate")) ||
		  json_integer_value(json_object_get(b->pred, "ospack")) != 2))
		rc = osp_error(b->ctx, OSPACK_EREJECT,
			       "%s: not a format 2 statement (rebuild the bundle with this "
			       "ospack)",
			       OSP_ENVELOPE_PATH);
	free(text);
	free(payload);
	json_decref(env);
	if (rc != OSPACK_OK)
		return rc;
	m = json_object_get(b->pred, "mtime");
	bag = json_string_value(json_object_get(b->pred, "bag"));
	comps = json_object_get(b->pred, "components");
	if (!json_is_integer(m) || bag == NULL || !json_is_array(comps))
		return osp_error(b->ctx, OSPACK_EREJECT, "%s: a malformed statement",
				 OSP_ENVELOPE_PATH);
	b->mtime = json_integer_value(m);
	if (b->bag == NULL && (b->bag = osp_strdup(bag)) == NULL)
		return osp_nomem(b->ctx);
	b->comps = calloc(json_array_size(comps) + 1, sizeof(*b->comps));
	if (b->comps == NULL)
		return osp_nomem(b->ctx);
	for (size_t i = 0; i < json_array_size(comps); i++) {
		json_t *c = json_array_get(comps, i);
		struct osp_ocomp *o = &b->comps[b->ncomps];
		const char *sec = json_string_value(json_object_get(c, "section"));
		const char *name = json_string_value(json_object_get(c, "name"));
		const char *type =
			json_string_value(json_object_get(json_object_get(c, "source"), "type"));

		if (sec == NULL || name == NULL)
			return osp_error(b->ctx, OSPACK_EREJECT, "%s: a malformed component",
					 OSP_ENVELOPE_PATH);
		o->json = c;
		o->url = type != NULL && strcmp(type, "url") == 0;
		o->files = (uint64_t)json_integer_value(json_object_get(c, "files"));
		o->bytes = (uint64_t)json_integer_value(json_object_get(c, "bytes"));
		o->section = osp_strdup(sec);
		o->name = osp_strdup(name);
		o->dir = osp_asprintf("data/%s/%s/", sec, name);
		b->ncomps++;
		if (o->section == NULL || o->name == NULL || o->dir == NULL)
			return osp_nomem(b->ctx);
	}
	qsort(b->comps, b->ncomps, sizeof(*b->comps), comp_cmp);
	return OSPACK_OK;
}

struct osp_ocomp *osp_obundle_comp_of(struct osp_obundle *b, const char *path)
{
	for (size_t i = 0; i < b->ncomps; i++)
		if (strncmp(path, b->comps[i].dir, strlen(b->comps[i].dir)) == 0)
			return &b->comps[i];
	return NULL;
}

ospack_error osp_obundle_open(struct ospack_ctx *ctx, const char *input, const char *tmpdir,
			      struct osp_obundle **out)
{
	struct osp_obundle *b = calloc(1, sizeof(*b));
	struct stat st;
	ospack_error rc = OSPACK_OK;

	*out = NULL;
	if (b == NULL)
		return osp_nomem(ctx);
	b->ctx = ctx;
	b->fd = -1;
	if (stat(input, &st) != 0 && errno == ENOENT)
		rc = osp_error(ctx, OSPACK_EINPUT, "%s: no such file", input);
	else if (stat(input, &st) != 0)
		rc = osp_errno(ctx, errno, "cannot open", input);
	else if (S_ISDIR(st.st_mode)) {
		b->root = osp_strdup(input);
		b->tagdir = osp_strdup(input);
		if (b->root == NULL || b->tagdir == NULL)
			rc = osp_nomem(ctx);
		if (rc == OSPACK_OK)
			rc = folder_tags(b);
	} else {
		b->fd = open(input, O_RDONLY | O_CLOEXEC);
		if (b->fd < 0) {
			rc = osp_errno(ctx, errno, "cannot open", input);
		} else {
			/* A .tar.zst or .tar.gz: libarchive decompresses it on the way. */
			b->compressed = osp_compressed(b->fd);
			rc = archive_tags(b, input, tmpdir);
		}
	}
	if (rc == OSPACK_OK)
		rc = osp_obundle_load(b);
	if (rc != OSPACK_OK) {
		osp_obundle_free(b);
		return rc;
	}
	*out = b;
	return OSPACK_OK;
}

/* ---- the payload files ---- */

static FILE *open_tag(struct osp_obundle *b, const char *rel)
{
	char *p = osp_asprintf("%s/%s", b->tagdir, rel);
	FILE *f = p ? fopen(p, "re") : NULL;

	if (p == NULL)
		osp_nomem(b->ctx);
	else if (f == NULL)
		osp_errno(b->ctx, errno, "cannot open", p);
	free(p);
	return f;
}

static uint64_t hdr_len(const char *bag, const char *rel, bool dir, unsigned mode, uint64_t size,
			int64_t mtime)
{
	unsigned char out[OSP_TARHDR_MAX];
	char path[OSP_TARHDR_PATH + 1];

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", bag, rel[0] ? "/" : "", rel) >=
	    sizeof(path))
		return 0;
	return osp_tar_header(out, path, dir, mode, size, mtime);
}

ospack_error osp_ocursor_open(struct osp_obundle *b, struct osp_ocursor *c)
{
	memset(c, 0, sizeof(*c));
	c->b = b;
	c->files = open_tag(b, OSP_FILES_PATH);
	c->man = c->files ? open_tag(b, "manifest-sha256.txt") : NULL;
	if (c->man == NULL)
		return b->ctx->code;
	c->off = hdr_len(b->bag, "", true, 0755, 0, b->mtime) +
		 hdr_len(b->bag, "data", true, 0755, 0, b->mtime);
	return osp_dirtrack_init(b->ctx, &c->dt);
}

void osp_ocursor_close(struct osp_ocursor *c)
{
	if (c->files != NULL)
		fclose(c->files);
	if (c->man != NULL)
		fclose(c->man);
	osp_dirtrack_free(&c->dt);
	free(c->line_buf);
	free(c->cur.path);
	memset(c, 0, sizeof(*c));
}

/* "%25", "%0A" and "%0D" back to their bytes, in place. */
static void decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && s[1] == '2' && s[2] == '5')
			*o++ = '%', s += 2;
		else if (s[0] == '%' && s[1] == '0' && (s[2] == 'A' || s[2] == 'D'))
			*o++ = s[2] == 'A' ? '\n' : '\r', s += 2;
		else
			*o++ = *s;
	}
	*o = '\0';
}

static ospack_error add_dir_off(void *arg, const char *path)
{
	struct osp_ocursor *c = arg;
	uint64_t n = hdr_len(c->b->bag, path, true, 0755, 0, c->b->mtime);

	if (n == 0)
		return osp_error(c->b->ctx, OSPACK_EREJECT, "%s: a name too long", path);
	c->off += n;
	return OSPACK_OK;
}

int osp_ocursor_next(struct osp_ocursor *c)
{
	struct ospack_ctx *ctx = c->b->ctx;
	ssize_t n = getline(&c->line_buf, &c->line_cap, c->files);
	char *end, *path;
	unsigned long long size;
	uint64_t h;

	if (n < 0)
		return 0;
	c->line++;
	if (n > 0 && c->line_buf[n - 1] == '\n')
		c->line_buf[--n] = '\0';
	errno = 0;
	size = strtoull(c->line_buf + 5, &end, 10);
	if (n < 8 || c->line_buf[4] != ' ' || errno != 0 || *end != ' ') {
		osp_error(ctx, OSPACK_EREJECT, "%s: line %u: malformed", OSP_FILES_PATH, c->line);
		return -1;
	}
	path = end + 1;
	decode(path);
	free(c->cur.path);
	c->cur.path = osp_strdup(path);
	if (c->cur.path == NULL) {
		osp_nomem(ctx);
		return -1;
	}
	c->cur.mode = c->line_buf[1] == '7' ? 0755 : 0644;
	c->cur.size = size;
	/* manifest-sha256.txt lists url files too, which files.txt does not. */
	for (;;) {
		char *sp;

		n = getline(&c->line_buf, &c->line_cap, c->man);
		if (n < 0) {
			osp_error(ctx, OSPACK_EREJECT, "manifest-sha256.txt: %s is not listed",
				  c->cur.path);
			return -1;
		}
		if (n > 0 && c->line_buf[n - 1] == '\n')
			c->line_buf[--n] = '\0';
		sp = strstr(c->line_buf, "  ");
		if (sp == NULL || sp - c->line_buf != 64) {
			osp_error(ctx, OSPACK_EREJECT, "manifest-sha256.txt: malformed");
			return -1;
		}
		decode(sp + 2);
		if (strcmp(sp + 2, c->cur.path) == 0) {
			memcpy(c->cur.sha256, c->line_buf, 64);
			c->cur.sha256[64] = '\0';
			break;
		}
	}
	if (osp_dirtrack_file(ctx, &c->dt, c->cur.path, add_dir_off, c) != OSPACK_OK)
		return -1;
	h = hdr_len(c->b->bag, c->cur.path, false, c->cur.mode, c->cur.size, c->b->mtime);
	if (h == 0) {
		osp_error(ctx, OSPACK_EREJECT, "%s: a name too long", c->cur.path);
		return -1;
	}
	c->cur.offset = c->b->root ? -1 : (int64_t)(c->off + h);
	c->off += h + (c->cur.size + 511) / 512 * 512;
	return 1;
}

ospack_error osp_ocursor_mark(struct osp_ocursor *c, struct osp_ocursor_mark *m)
{
	m->files = ftello(c->files);
	m->man = ftello(c->man);
	m->line = c->line;
	m->off = c->off;
	m->prev = osp_strdup(c->dt.prev);
	return m->prev ? OSPACK_OK : osp_nomem(c->b->ctx);
}

ospack_error osp_ocursor_reset(struct osp_ocursor *c, struct osp_ocursor_mark *m)
{
	char *prev = osp_strdup(m->prev);

	if (prev == NULL)
		return osp_nomem(c->b->ctx);
	if (fseeko(c->files, m->files, SEEK_SET) != 0 || fseeko(c->man, m->man, SEEK_SET) != 0) {
		free(prev);
		return osp_errno(c->b->ctx, errno, "cannot read", OSP_FILES_PATH);
	}
	c->line = m->line;
	c->off = m->off;
	free(c->dt.prev);
	c->dt.prev = prev;
	return OSPACK_OK;
}

void osp_ocursor_mark_free(struct osp_ocursor_mark *m)
{
	free(m->prev);
	m->prev = NULL;
}
