/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_build: one pass over the sources into a reproducible, signed BagIt tar bundle. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "tar_write.h"
#include "bag.h"
#include "git.h"
#include "oms.h"
#include "openness.h"
#include "release.h"
#include "sign.h"
#include "sigstore.h"
#include "spill.h"

/* Files smaller than this are hashed on the reading thread: a hand-off costs more. */
#define SMALL_FILE (256 * 1024)
#define MAX_TAGS 13
/* A manifest line: 64 hex digits, two spaces and a path percent-encoded. */
#define MAX_LINE (64 * 1024)

/* A signing key's file: no source may bundle it. */
struct keyfile {
	dev_t dev;
	ino_t ino;
	bool set; /* false for an env: key */
};

struct build {
	struct ospack_ctx *ctx;
	const struct ospack_build_opts *o;
	struct osp_release r;
	struct osp_key **keys;
	size_t nkeys;
	struct osp_hasher *hasher;
	struct osp_hash *hash;
	struct osp_awriter *w;
	struct osp_compress z; /* of the output; the digest is the uncompressed tar's */
	unsigned char *smallbuf;
	int fd;
	char *target;  /* NULL for stdout */
	char *tmp;     /* the temporary file beside target */
	char *prevdir; /* folder of the last payload file, relative to the bag */
	struct osp_tagfile tags[MAX_TAGS];
	size_t ntags;
	unsigned char sha256[32];
	uint64_t archive_bytes, payload_bytes;
	/* The per-file lists, written as the payload goes by: manifest-<alg>.txt, files.txt. */
	struct osp_spill *man[OSP_NALGS], *files;
	struct osp_hash *manhash[OSP_NALGS], *fileshash;
	struct osp_buf line;
	struct keyfile *keyfiles; /* per key */
	bool keyfile_set;	  /* some key is a file */
	struct stat target_st;	  /* of an existing output target: no source may be it */
	bool target_exists;
	struct ospack_progress prog;
	char *detached; /* --sigstore-out: the statement as a Sigstore bundle */
	size_t detached_len;
	bool oms; /* ospack/model.sig written */
};

static ospack_error load_keys(struct build *b)
{
	b->keys = calloc(b->o->nkeys ? b->o->nkeys : 1, sizeof(*b->keys));
	b->keyfiles = calloc(b->o->nkeys ? b->o->nkeys : 1, sizeof(*b->keyfiles));
	if (b->keys == NULL || b->keyfiles == NULL)
		return osp_nomem(b->ctx);
	for (size_t i = 0; i < b->o->nkeys; i++) {
		const char *spec = b->o->keys[i];
		ospack_error rc =
			osp_key_load_private(b->ctx, spec, b->o->key_password, &b->keys[i]);
		struct stat st;

		if (rc != OSPACK_OK)
			return rc;
		b->nkeys++;
		for (size_t k = 0; k < i; k++)
			if (strcmp(osp_key_id(b->keys[k]), osp_key_id(b->keys[i])) == 0)
				return osp_error(b->ctx, OSPACK_EKEY,
						 "%s: the same key is given twice", spec);
		if (strncmp(spec, "env:", 4) == 0)
			continue;
		if (stat(spec, &st) != 0)
			return osp_errno(b->ctx, errno, "cannot stat", spec);
		b->keyfiles[i] = (struct keyfile){st.st_dev, st.st_ino, true};
		b->keyfile_set = true;
	}
	return OSPACK_OK;
}

static ospack_error set_options(struct build *b)
{
	const char *hash = b->o->hash ? b->o->hash : "sha256";
	int n;

	if (osp_alg_parse(hash, &b->r.alg) != 0)
		return osp_error(b->ctx, OSPACK_EUSAGE,
				 "hash algorithm '%s' is not sha256 or sha512", hash);
	b->r.algs = OSP_ALG_BIT(OSP_SHA256) | OSP_ALG_BIT(b->r.alg);
	n = snprintf(b->r.bag, sizeof(b->r.bag), "%s-%s", b->r.m->name, b->r.m->version);
	if (n < 0 || (size_t)n >= sizeof(b->r.bag))
		return osp_error(b->ctx, OSPACK_EMANIFEST, "name and version are too long");
	b->r.mtime = b->o->mtime >= 0 ? b->o->mtime : OSP_DEFAULT_MTIME;
	b->r.outside = b->o->allow_outside ? OSP_OUTSIDE_ALLOW : OSP_OUTSIDE_REFUSE;
	return load_keys(b);
}

/* Whether st is the manifest: -o must not write over it (nor over a source, checked as listed). */
static bool is_manifest(const struct build *b, const struct stat *st)
{
	struct stat m;

	return stat(b->r.m->file, &m) == 0 && m.st_dev == st->st_dev && m.st_ino == st->st_ino;
}

static ospack_error open_output(struct build *b)
{
	const char *out = b->o->output;
	struct stat st;
	mode_t mask;

	if (out != NULL && strcmp(out, "-") == 0) {
		if (isatty(STDOUT_FILENO))
			return osp_error(b->ctx, OSPACK_EUSAGE,
					 "refusing to write an archive to a terminal");
		b->fd = STDOUT_FILENO;
		/* A 64 KiB pipe makes every 1 MiB write wait for the reader many times. */
		if (fstat(b->fd, &st) == 0 && S_ISFIFO(st.st_mode))
			fcntl(b->fd, F_SETPIPE_SZ, OSP_HASHER_BUFSIZE);
		return OSPACK_OK;
	}
	b->target = out ? osp_strdup(out)
			: osp_asprintf("%s.tar%s", b->r.bag,
				       b->z.kind == OSP_COMPRESS_ZSTD	? ".zst"
				       : b->z.kind == OSP_COMPRESS_GZIP ? ".gz"
									: "");
	if (b->target == NULL)
		return osp_nomem(b->ctx);
	if (stat(b->target, &st) == 0 && S_ISDIR(st.st_mode))
		return osp_error(b->ctx, OSPACK_EUSAGE, "%s: is a folder", b->target);
	if (stat(b->target, &st) == 0) {
		if (is_manifest(b, &st))
			return osp_error(b->ctx, OSPACK_EUSAGE,
					 "%s: is the manifest or one of the files it bundles",
					 b->target);
		b->target_st = st;
		b->target_exists = true;
	}
	{
		const char *slash = strrchr(b->target, '/');
		int dlen = slash ? (int)(slash - b->target) + 1 : 0;

		b->tmp = osp_asprintf("%.*s.%s.tmp-XXXXXX", dlen, b->target,
				      slash ? slash + 1 : b->target);
	}
	if (b->tmp == NULL)
		return osp_nomem(b->ctx);
	osp_sweep_temps(b->ctx, b->target);
	for (unsigned i = 0;; i++) {
		char *name = osp_strdup(b->tmp);

		b->fd = name ? mkostemp(name, O_CLOEXEC) : -1;
		if (b->fd < 0 || osp_claim_temp(b->fd) || i == 9) {
			int err = name ? errno : ENOMEM;

			free(b->tmp);
			b->tmp = name;
			if (b->fd < 0) {
				const char *slash = strrchr(b->target, '/');
				int dlen = slash ? (int)(slash - b->target) : 1;
				const char *dir = slash ? b->target : ".";

				free(b->tmp);
				b->tmp = NULL;
				if (err == ENOENT || err == ENOTDIR)
					return osp_error(
						b->ctx, OSPACK_EIO,
						"cannot create the archive in %.*s: no such "
						"folder",
						dlen, dir);
				return osp_errno(b->ctx, err, "cannot create the archive beside",
						 b->target);
			}
			break;
		}
		close(b->fd);
		free(name);
	}
	mask = umask(022);
	umask(mask);
	if (fchmod(b->fd, 0666 & ~mask) != 0)
		return osp_errno(b->ctx, errno, "cannot set the mode of", b->tmp);
	return OSPACK_OK;
}

/* Emits the folder entries between the previous payload file and this one. */
static ospack_error emit_dirs(struct build *b, const char *bagpath)
{
	const char *prev = b->prevdir;
	size_t dlen = (size_t)(strrchr(bagpath, '/') - bagpath), i = 0;
	char path[4096];

	while (i < dlen && prev[i] != '\0' && prev[i] == bagpath[i])
		i++;
	/* Back up to the last whole folder both paths share. */
	if (!((i == dlen || bagpath[i] == '/') && (prev[i] == '\0' || prev[i] == '/'))) {
		do
			i--;
		while (i > 0 && bagpath[i] != '/');
	}
	for (size_t k = i + 1; k <= dlen; k++) {
		if (k < dlen && bagpath[k] != '/')
			continue;
		if (snprintf(path, sizeof(path), "%s/%.*s", b->r.bag, (int)k, bagpath) >=
		    (int)sizeof(path))
			return osp_error(b->ctx, OSPACK_EMANIFEST, "%s: path too long", bagpath);
		if (osp_awriter_dir(b->ctx, b->w, path) != OSPACK_OK)
			return b->ctx->code;
	}
	free(b->prevdir);
	b->prevdir = osp_strndup(bagpath, dlen);
	return b->prevdir ? OSPACK_OK : osp_nomem(b->ctx);
}

static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);

		if (k < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (k < 0)
			return -1;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

/* Streams size bytes of fd into the archive, hashing the very bytes written. */
static ospack_error copy_fd(struct build *b, struct osp_file *f, int fd, uint64_t size)
{
	bool small = size < SMALL_FILE || b->hasher == NULL;
	uint64_t left = size;
	unsigned char extra;
	ospack_error rc = OSPACK_OK;

	while (left > 0 && rc == OSPACK_OK) {
		unsigned char *buf = small ? b->smallbuf : osp_hasher_get(b->hasher);
		size_t want = left < OSP_HASHER_BUFSIZE ? (size_t)left : OSP_HASHER_BUFSIZE;
		ssize_t n = read_full(fd, buf, want);

		if (osp_interrupted())
			return osp_error(b->ctx, OSPACK_EINTR, "interrupted");
		if (n < 0)
			return osp_errno(b->ctx, errno, "cannot read", f->src);
		if (n == 0)
			return osp_error(b->ctx, OSPACK_EIO,
					 "%s: the file shrank while being read (%" PRIu64
					 " bytes expected, %" PRIu64 " read)",
					 f->src, size, size - left);
		if (small)
			rc = osp_hash_update(b->ctx, b->hash, buf, (size_t)n);
		else
			osp_hasher_put(b->hasher, (size_t)n);
		if (rc == OSPACK_OK)
			rc = osp_awriter_data(b->ctx, b->w, buf, (size_t)n);
		left -= (uint64_t)n;
	}
	if (rc == OSPACK_OK && read_full(fd, &extra, 1) > 0)
		rc = osp_error(b->ctx, OSPACK_EIO,
			       "%s: the file grew while being read (%" PRIu64 " bytes expected)",
			       f->src, size);
	if (small)
		return rc != OSPACK_OK ? rc : osp_hash_final(b->ctx, b->hash, &f->digests);
	{
		ospack_error rc2 = osp_hasher_end(b->ctx, b->hasher, &f->digests);

		return rc != OSPACK_OK ? rc : rc2;
	}
}

static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	if (S_ISDIR(m))
		return "a folder";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

/*
 * Opens a listed file for reading. O_NONBLOCK makes the open of a FIFO (or a
 * device) swapped in since the listing return at once; the type is then
 * checked on the descriptor itself, and the flag cleared for the reads.
 */
static ospack_error open_source(struct build *b, const struct osp_file *f, int *out)
{
	char label[64];
	struct stat st;
	int fd, flags;

	*out = -1;
	osp_entry_label(f->entry, label, sizeof(label));
	fd = openat(f->at, f->atname,
		    O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
			    (f->entry->follow_symlinks ? 0 : O_NOFOLLOW));
	if (fd < 0 && errno == ELOOP && !f->entry->follow_symlinks)
		return osp_error(b->ctx, OSPACK_EMANIFEST,
				 "%s: %s: became a symbolic link since it was listed", label,
				 f->src);
	if (fd < 0)
		return osp_error(b->ctx, errno == ENOMEM ? OSPACK_ENOMEM : OSPACK_EIO,
				 "%s: %s: cannot open: %s", label, f->src, strerror(errno));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return osp_errno(b->ctx, errno, "cannot stat", f->src);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return osp_error(b->ctx, OSPACK_EMANIFEST,
				 "%s: %s: %s, not a regular file: refusing to read it", label,
				 f->src, file_kind(st.st_mode));
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		close(fd);
		return osp_errno(b->ctx, errno, "cannot set up reading", f->src);
	}
	if ((uint64_t)st.st_size != f->size) {
		close(fd);
		return osp_error(b->ctx, OSPACK_EIO,
				 "%s: %s: the file changed size since it was listed", label,
				 f->src);
	}
	*out = fd;
	return OSPACK_OK;
}

static ospack_error write_fs_file(struct build *b, struct osp_file *f, const char *path)
{
	int fd;
	ospack_error rc = open_source(b, f, &fd);

	if (rc != OSPACK_OK)
		return rc;
	if (f->size >= SMALL_FILE)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	rc = osp_awriter_begin(b->ctx, b->w, path, f->size, f->mode);
	if (rc == OSPACK_OK)
		rc = copy_fd(b, f, fd, f->size);
	close(fd);
	return rc;
}

static ospack_error write_git_file(struct build *b, struct osp_file *f, const char *path)
{
	size_t r = (size_t)(f->entry - b->r.m->entries);
	const void *data;
	size_t len;
	ospack_error rc = osp_git_read(b->ctx, b->r.git[r], f, &data, &len);

	if (rc == OSPACK_OK && len != f->size)
		rc = osp_error(b->ctx, OSPACK_EIO, "%s: blob size changed", f->bagpath);
	if (rc == OSPACK_OK)
		rc = osp_awriter_begin(b->ctx, b->w, path, len, f->mode);
	if (rc == OSPACK_OK)
		rc = osp_hash_update(b->ctx, b->hash, data, len);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(b->ctx, b->hash, &f->digests);
	if (rc == OSPACK_OK)
		rc = osp_awriter_data(b->ctx, b->w, data, len);
	return rc;
}

/* Appends the line in b->line to a per-file list, hashing it as its tag file's digest. */
static ospack_error put_line(struct build *b, struct osp_spill *sp, struct osp_hash *h)
{
	ospack_error rc;

	if (b->line.failed)
		return osp_nomem(b->ctx);
	rc = osp_spill_write(b->ctx, sp, b->line.data, b->line.len);
	if (rc == OSPACK_OK)
		rc = osp_hash_update(b->ctx, h, b->line.data, b->line.len);
	b->line.len = 0;
	return rc;
}

/* The payload manifests' line for path, one per algorithm the bag lists. */
static ospack_error manifest_lines(struct build *b, const char *path, const char *const hex[])
{
	ospack_error rc = OSPACK_OK;

	for (int a = 0; rc == OSPACK_OK && a < OSP_NALGS; a++) {
		if (b->man[a] == NULL)
			continue;
		osp_bag_manifest_line(&b->line, hex[a], path);
		rc = put_line(b, b->man[a], b->manhash[a]);
	}
	return rc;
}

static void report(struct build *b, bool done)
{
	if (b->o->progress == NULL)
		return;
	b->prog.done = done;
	b->o->progress(b->o->progress_arg, &b->prog);
}

/* A file on disk must be neither the output target nor a signing key (same device and inode). */
static ospack_error check_source(void *arg, struct osp_file *f)
{
	struct build *b = arg;
	char label[64];

	if (f->src == NULL)
		return OSPACK_OK;
	if (b->target_exists && f->dev == (uint64_t)b->target_st.st_dev &&
	    f->ino == (uint64_t)b->target_st.st_ino)
		return osp_error(b->ctx, OSPACK_EUSAGE,
				 "%s: is the manifest or one of the files it bundles", b->target);
	for (size_t i = 0; i < b->nkeys; i++) {
		if (!b->keyfiles[i].set || f->dev != (uint64_t)b->keyfiles[i].dev ||
		    f->ino != (uint64_t)b->keyfiles[i].ino)
			continue;
		osp_entry_label(f->entry, label, sizeof(label));
		return osp_error(b->ctx, OSPACK_EMANIFEST,
				 "%s: %s: is the signing key %s: refusing to bundle a private key",
				 label, f->src, b->o->keys[i]);
	}
	return OSPACK_OK;
}

static ospack_error write_file(void *arg, struct osp_file *f)
{
	struct build *b = arg;
	char path[4096], hex[OSP_NALGS][2 * OSP_MAX_DIGEST + 1];
	const char *hexv[OSP_NALGS] = {hex[0], hex[1]};
	ospack_error rc = check_source(b, f);

	if (rc != OSPACK_OK)
		return rc;
	if (snprintf(path, sizeof(path), "%s/%s", b->r.bag, f->bagpath) >= (int)sizeof(path))
		return osp_error(b->ctx, OSPACK_EMANIFEST, "%s: path too long", f->bagpath);
	rc = emit_dirs(b, f->bagpath);
	if (rc == OSPACK_OK)
		rc = f->src ? write_fs_file(b, f, path) : write_git_file(b, f, path);
	if (rc != OSPACK_OK)
		return rc;
	for (int a = 0; a < OSP_NALGS; a++)
		if (f->digests.algs & OSP_ALG_BIT(a))
			osp_hex(f->digests.d[a], osp_alg_len((enum osp_alg)a), hex[a]);
	rc = manifest_lines(b, f->bagpath, hexv);
	if (rc == OSPACK_OK) {
		osp_buf_printf(&b->line, "%04o %" PRIu64 " ", f->mode, f->size);
		osp_bag_encode_path(&b->line, f->bagpath);
		osp_buf_putc(&b->line, '\n');
		rc = put_line(b, b->files, b->fileshash);
	}
	b->payload_bytes += f->size;
	b->prog.files++;
	b->prog.bytes += f->size;
	report(b, false);
	return rc;
}

/* A url entry: not in the archive, but in the payload manifests (and fetch.txt). */
static ospack_error write_url(struct build *b, size_t i)
{
	const struct osp_entry *e = &b->r.m->entries[i];
	const char *hexv[OSP_NALGS] = {e->sha256, e->sha512};

	return manifest_lines(b, b->r.fetch_path[i], hexv);
}

static ospack_error open_lists(struct build *b)
{
	ospack_error rc = OSPACK_OK;

	for (int a = 0; rc == OSPACK_OK && a < OSP_NALGS; a++) {
		/* SHA-256 always: verify checks every payload file against it. */
		if (a != OSP_SHA256 && a != (int)b->r.alg)
			continue;
		rc = osp_spill_new(b->ctx, b->o->tmpdir, &b->man[a]);
		if (rc == OSPACK_OK)
			rc = osp_hash_new(b->ctx, b->r.algs, &b->manhash[a]);
	}
	if (rc == OSPACK_OK)
		rc = osp_spill_new(b->ctx, b->o->tmpdir, &b->files);
	if (rc == OSPACK_OK)
		rc = osp_hash_new(b->ctx, b->r.algs, &b->fileshash);
	return rc;
}

/*
 * With progress shown, the totals come first: a walk that reads no file. The
 * walk while writing refuses a key file or the target among the sources before
 * writing a byte of it, and a file output is removed on error; standard output
 * cannot be taken back, so there this walk also finds a key file among the
 * sources before a byte goes out.
 */
static ospack_error count_totals(struct build *b)
{
	struct osp_release *r = &b->r;
	ospack_error rc = OSPACK_OK;

	if (b->o->progress == NULL && !(b->keyfile_set && b->target == NULL))
		return OSPACK_OK;
	for (size_t k = 0; rc == OSPACK_OK && k < r->m->nentries; k++)
		rc = osp_release_each(b->ctx, r, r->order[k], check_source, b);
	b->prog.files_total = r->files;
	b->prog.bytes_total = r->bytes;
	r->files = r->bytes = 0;
	memset(r->sum, 0, r->m->nentries * sizeof(*r->sum));
	return rc;
}

static ospack_error write_payload(struct build *b)
{
	char path[4096];
	ospack_error rc;

	rc = osp_awriter_dir(b->ctx, b->w, b->r.bag);
	snprintf(path, sizeof(path), "%s/data", b->r.bag);
	if (rc == OSPACK_OK)
		rc = osp_awriter_dir(b->ctx, b->w, path);
	b->prevdir = osp_strdup("data");
	if (b->prevdir == NULL)
		return osp_nomem(b->ctx);
	report(b, false);
	for (size_t k = 0; rc == OSPACK_OK && k < b->r.m->nentries; k++) {
		size_t i = b->r.order[k];

		if (b->r.m->entries[i].source == OSP_SRC_URL)
			rc = write_url(b, i);
		else
			rc = osp_release_each(b->ctx, &b->r, i, write_file, b);
	}
	return rc;
}

static struct osp_tagfile *add_tag(struct build *b, const char *path, struct osp_buf *buf)
{
	struct osp_tagfile *t = &b->tags[b->ntags];
	ospack_error rc;

	snprintf(t->path, sizeof(t->path), "%s", path);
	t->data = osp_buf_steal(buf, &t->len);
	if (t->data == NULL) {
		osp_nomem(b->ctx);
		return NULL;
	}
	b->ntags++;
	rc = osp_hash_update(b->ctx, b->hash, t->data, t->len);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(b->ctx, b->hash, &t->d);
	return rc == OSPACK_OK ? t : NULL;
}

/* A per-file list as a tag file: its content stays in its spill file. */
static ospack_error add_list_tag(struct build *b, const char *path, struct osp_spill *sp,
				 struct osp_hash *h)
{
	struct osp_tagfile *t = &b->tags[b->ntags];
	ospack_error rc = osp_spill_flush(b->ctx, sp);

	snprintf(t->path, sizeof(t->path), "%s", path);
	if (rc == OSPACK_OK)
		rc = osp_hash_final(b->ctx, h, &t->d);
	if (rc != OSPACK_OK)
		return rc;
	t->spill = sp;
	t->len = (size_t)osp_spill_size(sp);
	b->ntags++;
	return OSPACK_OK;
}

static ospack_error fetch_txt(struct build *b, struct osp_buf *fetch, struct osp_bag_info *info)
{
	const struct ospack_manifest *m = b->r.m;

	info->octets = b->payload_bytes;
	info->count = b->r.files;
	for (size_t i = 0; i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (e->source != OSP_SRC_URL)
			continue;
		osp_bag_fetch_line(fetch, e->src, e->size, b->r.fetch_path[i]);
		info->octets += e->size;
		info->count++;
	}
	return fetch->failed ? osp_nomem(b->ctx) : OSPACK_OK;
}

static ospack_error mof_yaml(struct build *b, struct osp_buf *out)
{
	char *text = NULL;
	size_t len = 0;
	ospack_error rc = osp_openness_mof_yaml(b->ctx, b->r.openness, b->r.mtime, &text, &len);

	if (rc == OSPACK_OK)
		osp_buf_add(out, text, len);
	free(text);
	return rc;
}

static ospack_error statement(struct build *b, struct osp_buf *env)
{
	char *st = NULL, *envtext = NULL;
	size_t stlen = 0, envlen = 0;
	ospack_error rc = osp_statement_build(b->ctx, &b->r, b->tags, b->ntags, &st, &stlen);

	if (rc == OSPACK_OK)
		rc = osp_envelope_build(b->ctx, st, stlen, b->keys, b->nkeys, &envtext, &envlen);
	if (rc == OSPACK_OK)
		osp_buf_add(env, envtext, envlen);
	/* A Sigstore bundle holds one signature: the first key's, in command-line order. */
	if (rc == OSPACK_OK && b->o->sigstore_out != NULL)
		rc = osp_sigstore_build(b->ctx, b->keys[0], st, stlen, &b->detached,
					&b->detached_len);
	free(st);
	free(envtext);
	return rc;
}

/* tagmanifest-<alg>.txt for each algorithm of the payload manifests. */
static ospack_error tag_manifests(struct build *b)
{
	size_t ntags = b->ntags;
	char name[64], hex[2 * OSP_MAX_DIGEST + 1];

	for (int a = 0; a < OSP_NALGS; a++) {
		struct osp_buf tagman = {0};

		if (b->man[a] == NULL)
			continue;
		for (size_t i = 0; i < ntags; i++) {
			osp_hex(b->tags[i].d.d[a], osp_alg_len((enum osp_alg)a), hex);
			osp_bag_manifest_line(&tagman, hex, b->tags[i].path);
		}
		snprintf(name, sizeof(name), "tagmanifest-%s.txt", osp_alg_name((enum osp_alg)a));
		if (add_tag(b, name, &tagman) == NULL) {
			osp_buf_free(&tagman);
			return b->ctx->code;
		}
	}
	return OSPACK_OK;
}

static ospack_error tag_files(struct build *b)
{
	struct osp_buf bagit = {0}, info = {0}, fetch = {0}, mof = {0}, env = {0};
	struct osp_bag_info bi = {.external_identifier = b->r.bag,
				  .description = b->r.m->description,
				  .date = b->r.mtime};
	char name[64];
	ospack_error rc = fetch_txt(b, &fetch, &bi);

	if (rc != OSPACK_OK)
		goto out;
	osp_buf_puts(&bagit, OSP_BAGIT_TXT);
	osp_bag_info_txt(&info, &bi);
	rc = mof_yaml(b, &mof);
	if (rc != OSPACK_OK)
		goto out;
	if (add_tag(b, "bagit.txt", &bagit) == NULL || add_tag(b, "bag-info.txt", &info) == NULL) {
		rc = b->ctx->code;
		goto out;
	}
	for (int a = 0; rc == OSPACK_OK && a < OSP_NALGS; a++) {
		if (b->man[a] == NULL)
			continue;
		snprintf(name, sizeof(name), "manifest-%s.txt", osp_alg_name((enum osp_alg)a));
		rc = add_list_tag(b, name, b->man[a], b->manhash[a]);
	}
	if (rc == OSPACK_OK && fetch.len > 0 && add_tag(b, "fetch.txt", &fetch) == NULL)
		rc = b->ctx->code;
	if (rc == OSPACK_OK)
		rc = add_list_tag(b, OSP_FILES_PATH, b->files, b->fileshash);
	if (rc == OSPACK_OK && add_tag(b, OSP_MOF_PATH, &mof) == NULL)
		rc = b->ctx->code;
	if (rc == OSPACK_OK)
		rc = statement(b, &env);
	if (rc == OSPACK_OK && add_tag(b, OSP_ENVELOPE_PATH, &env) == NULL)
		rc = b->ctx->code;
	if (rc == OSPACK_OK)
		rc = tag_manifests(b);
out:
	osp_buf_free(&bagit);
	osp_buf_free(&info);
	osp_buf_free(&fetch);
	osp_buf_free(&mof);
	osp_buf_free(&env);
	return rc;
}

/* ---- the OMS signature, ospack/model.sig ---- */

/* The first ECDSA key among -k, in command-line order; NULL: no OMS signature. */
static const struct osp_key *oms_key(const struct build *b)
{
	for (size_t i = 0; i < b->nkeys; i++)
		if (osp_key_type(b->keys[i]) == OSP_KEY_ECDSA_P256)
			return b->keys[i];
	return NULL;
}

static bool is_url_path(const struct build *b, const char *path)
{
	const struct ospack_manifest *m = b->r.m;

	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].source == OSP_SRC_URL && strcmp(b->r.fetch_path[i], path) == 0)
			return true;
	return false;
}

static void res_free(struct osp_oms_res *res, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(res[i].name);
	free(res);
}

/* The payload files (manifest-sha256.txt read back, url entries left out), then the tags. */
static ospack_error oms_resources(struct build *b, struct osp_oms_res *res, size_t cap, size_t *n)
{
	const struct osp_tagfile *man = NULL;
	struct osp_sreader *rd;
	ospack_error rc = OSPACK_OK;
	unsigned lineno = 0;

	for (size_t i = 0; i < b->ntags; i++)
		if (strcmp(b->tags[i].path, "manifest-sha256.txt") == 0)
			man = &b->tags[i];
	rd = man ? osp_sreader_file(man->spill, 0, man->len) : NULL;
	if (rd == NULL)
		return osp_nomem(b->ctx);
	for (;;) {
		struct osp_bag_line l = {0};
		char *line;
		size_t len;
		int st = osp_sreader_line(rd, MAX_LINE, &line, &len);

		if (st <= 0) {
			if (st < 0)
				rc = osp_errno(b->ctx,
					       osp_sreader_errno(rd) ? osp_sreader_errno(rd) : EIO,
					       "cannot read a temporary file in",
					       osp_spill_dir(man->spill));
			break;
		}
		rc = osp_bag_parse_line(b->ctx, man->path, ++lineno, line, len, 64, &l);
		/* The lines but the url entries' are the payload files: cap holds them all. */
		if (rc == OSPACK_OK && !is_url_path(b, l.path) && *n == cap)
			rc = osp_error(b->ctx, OSPACK_EIO, "%s: more lines than payload files",
				       man->path);
		if (rc == OSPACK_OK && !is_url_path(b, l.path)) {
			osp_unhex(l.hex, res[*n].sha256, 32);
			res[(*n)++].name = l.path;
			l.path = NULL;
		}
		free(l.path);
		free(l.hex);
		if (rc != OSPACK_OK)
			break;
	}
	osp_sreader_free(rd);
	for (size_t i = 0; rc == OSPACK_OK && i < b->ntags && *n < cap; i++) {
		res[*n].name = osp_strdup(b->tags[i].path);
		if (res[*n].name == NULL)
			return osp_nomem(b->ctx);
		memcpy(res[(*n)++].sha256, b->tags[i].d.d[OSP_SHA256], 32);
	}
	return rc;
}

/*
 * ospack/model.sig: an OMS signature over every file of the unpacked bag, so it
 * comes after all of them, the tag manifests included, and no other file
 * lists it. model_signing is told to ignore it, the git paths it ignores by
 * default, and the files of url entries (not in the bag until fetched).
 */
static ospack_error oms_sign(struct build *b)
{
	const struct osp_key *k = oms_key(b);
	const struct ospack_manifest *m = b->r.m;
	size_t cap = (size_t)b->r.files + b->ntags, n = 0, nign = 0;
	struct osp_oms_res *res = NULL;
	const char **ign = NULL;
	char *st = NULL, *sig = NULL;
	size_t stlen = 0, siglen = 0;
	struct osp_buf buf = {0};
	ospack_error rc;

	if (k == NULL)
		return OSPACK_OK;
	if (cap > OSP_OMS_FILES_MAX) {
		osp_warn(b->ctx,
			 "%zu files in the bag, more than the %d an OMS signature covers: no %s "
			 "is written (the DSSE statement signs every file)",
			 cap, OSP_OMS_FILES_MAX, OSP_OMS_PATH);
		return OSPACK_OK;
	}
	res = calloc(cap, sizeof(*res));
	ign = calloc(m->nentries + 5, sizeof(*ign));
	if (res == NULL || ign == NULL) {
		rc = osp_nomem(b->ctx);
		goto out;
	}
	for (size_t i = 0; i < OSP_ARRAY_LEN(osp_oms_git_paths); i++)
		ign[nign++] = osp_oms_git_paths[i];
	ign[nign++] = OSP_OMS_PATH;
	for (size_t i = 0; i < m->nentries; i++)
		if (m->entries[i].source == OSP_SRC_URL)
			ign[nign++] = b->r.fetch_path[i];
	rc = oms_resources(b, res, cap, &n);
	if (rc == OSPACK_OK)
		rc = osp_oms_statement(b->ctx, b->r.bag, res, n, ign, nign, &st, &stlen);
	if (rc == OSPACK_OK)
		rc = osp_sigstore_build(b->ctx, k, st, stlen, &sig, &siglen);
	if (rc == OSPACK_OK) {
		osp_buf_add(&buf, sig, siglen);
		if (add_tag(b, OSP_OMS_PATH, &buf) == NULL)
			rc = b->ctx->code;
		else
			b->oms = true;
	}
out:
	osp_buf_free(&buf);
	res_free(res, n);
	free(ign);
	free(st);
	free(sig);
	return rc;
}

static ospack_error write_list_tag(struct build *b, const struct osp_tagfile *t, const char *path)
{
	struct osp_sreader *rd = osp_sreader_file(t->spill, 0, t->len);
	ospack_error rc =
		rd ? osp_awriter_begin(b->ctx, b->w, path, t->len, 0644) : osp_nomem(b->ctx);

	uint64_t done = 0;

	while (rc == OSPACK_OK && done < t->len) {
		size_t n = OSP_HASHER_BUFSIZE;
		int st;

		if (n > t->len - done)
			n = (size_t)(t->len - done);
		st = osp_sreader_read(rd, b->smallbuf, n);
		if (st <= 0) {
			rc = osp_errno(b->ctx, st < 0 ? osp_sreader_errno(rd) : EIO,
				       "cannot read a temporary file in", osp_spill_dir(t->spill));
			break;
		}
		rc = osp_awriter_data(b->ctx, b->w, b->smallbuf, n);
		done += n;
	}
	osp_sreader_free(rd);
	return rc;
}

static ospack_error write_tags(struct build *b)
{
	char path[512];
	bool ospack_dir = false;

	for (size_t i = 0; i < b->ntags; i++) {
		const struct osp_tagfile *t = &b->tags[i];
		ospack_error rc;

		if (!ospack_dir && strncmp(t->path, "ospack/", 7) == 0) {
			snprintf(path, sizeof(path), "%s/ospack", b->r.bag);
			if (osp_awriter_dir(b->ctx, b->w, path) != OSPACK_OK)
				return b->ctx->code;
			ospack_dir = true;
		}
		snprintf(path, sizeof(path), "%s/%s", b->r.bag, t->path);
		rc = t->spill ? write_list_tag(b, t, path)
			      : osp_awriter_file(b->ctx, b->w, path, t->data, t->len);
		if (rc != OSPACK_OK)
			return rc;
	}
	return OSPACK_OK;
}

/* The rename itself is durable once the folder that holds the target is synced. */
static void sync_dir(const char *target)
{
	const char *slash = strrchr(target, '/');
	char *dir = slash == NULL
			    ? osp_strdup(".")
			    : osp_strndup(target, slash == target ? 1 : (size_t)(slash - target));
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static ospack_error finish_output(struct build *b)
{
	if (b->target == NULL)
		return OSPACK_OK;
	if (fsync(b->fd) != 0)
		return osp_errno(b->ctx, errno, "cannot write", b->tmp);
	/* Renamed while still open, so still locked: no sweep takes it for a leftover. */
	if (rename(b->tmp, b->target) != 0)
		return osp_errno(b->ctx, errno, "cannot rename the archive to", b->target);
	free(b->tmp);
	b->tmp = NULL;
	if (close(b->fd) != 0) {
		b->fd = -1;
		return osp_errno(b->ctx, errno, "cannot write", b->target);
	}
	b->fd = -1;
	sync_dir(b->target);
	return OSPACK_OK;
}

static ospack_error write_bundle(struct build *b)
{
	ospack_error rc = open_output(b);

	/* -j 1: every byte hashed on this thread; else large files on a hasher beside it. */
	if (rc == OSPACK_OK && b->o->jobs != 1)
		rc = osp_hasher_new(b->ctx, b->r.algs, &b->hasher);
	if (rc == OSPACK_OK)
		rc = osp_hash_new(b->ctx, b->r.algs, &b->hash);
	if (rc == OSPACK_OK)
		rc = open_lists(b);
	if (rc == OSPACK_OK)
		rc = count_totals(b);
	if (rc == OSPACK_OK && (b->smallbuf = malloc(OSP_HASHER_BUFSIZE)) == NULL)
		rc = osp_nomem(b->ctx);
	if (rc == OSPACK_OK)
		rc = osp_awriter_open_z(b->ctx, b->fd, b->r.mtime, !b->o->no_digest, &b->z, &b->w);
	if (rc == OSPACK_OK)
		osp_awriter_set_name(b->w, b->target ? b->target : "standard output");
	if (rc == OSPACK_OK)
		rc = write_payload(b);
	if (rc == OSPACK_OK)
		rc = tag_files(b);
	if (rc == OSPACK_OK)
		rc = oms_sign(b);
	if (rc == OSPACK_OK)
		rc = write_tags(b);
	if (rc == OSPACK_OK)
		rc = osp_awriter_finish(b->ctx, b->w, b->sha256, &b->archive_bytes);
	if (rc == OSPACK_OK)
		rc = finish_output(b);
	if (rc == OSPACK_OK && b->detached != NULL)
		rc = osp_write_file_atomic(b->ctx, b->o->sigstore_out, b->detached,
					   b->detached_len);
	if (rc == OSPACK_OK)
		report(b, true);
	return rc;
}

static json_t *result_components(const struct build *b)
{
	const struct ospack_manifest *m = b->r.m;
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];
		uint64_t files = b->r.sum[i].files, bytes = b->r.sum[i].bytes;

		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:I, s:I, s:o}", "section",
				       osp_section_name(e->section), "name", e->name, "files",
				       (json_int_t)files, "bytes", (json_int_t)bytes, "license",
				       e->license ? json_string(e->license) : json_null()));
	}
	return arr;
}

static ospack_error make_result(struct build *b, struct ospack_build_result **out)
{
	struct ospack_build_result *res = calloc(1, sizeof(*res));
	json_t *j, *signers = json_array();

	if (res == NULL)
		return osp_nomem(b->ctx);
	res->output = osp_strdup(b->target ? b->target : "-");
	if (!b->o->no_digest)
		osp_hex(b->sha256, 32, res->bundle_sha256);
	res->files = b->r.files;
	res->bytes = b->payload_bytes;
	res->archive_bytes = b->archive_bytes;
	for (size_t i = 0; signers != NULL && i < b->nkeys; i++)
		json_array_append_new(signers, json_string(osp_key_id(b->keys[i])));
	j = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:o, s:o}", "output",
		      res->output ? res->output : "-", "sha256",
		      b->o->no_digest ? json_null() : json_string(res->bundle_sha256), "bag",
		      b->r.bag, "name", b->r.m->name, "version", b->r.m->version, "hash",
		      osp_alg_name(b->r.alg), "files", (json_int_t)res->files, "bytes",
		      (json_int_t)res->bytes, "archive_bytes", (json_int_t)res->archive_bytes,
		      "signed_by", signers, "components", result_components(b));
	if (j != NULL)
		json_object_set_new(j, "oms_signature",
				    b->oms ? json_string(OSP_OMS_PATH) : json_null());
	if (j != NULL && b->o->sigstore_out != NULL)
		json_object_set_new(j, "sigstore_bundle", json_string(b->o->sigstore_out));
	res->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (res->output == NULL || res->json == NULL) {
		ospack_build_result_free(res);
		return osp_nomem(b->ctx);
	}
	*out = res;
	return OSPACK_OK;
}

static void build_free(struct build *b)
{
	osp_awriter_free(b->w);
	if (b->fd >= 0 && b->target != NULL)
		close(b->fd);
	if (b->tmp != NULL)
		unlink(b->tmp);
	free(b->tmp);
	free(b->target);
	free(b->prevdir);
	free(b->smallbuf);
	free(b->detached);
	osp_hasher_free(b->hasher);
	osp_hash_free(b->hash);
	for (size_t i = 0; i < b->nkeys; i++)
		osp_key_free(b->keys[i]);
	free(b->keys);
	free(b->keyfiles);
	for (size_t i = 0; i < b->ntags; i++)
		free(b->tags[i].data);
	for (int a = 0; a < OSP_NALGS; a++) {
		osp_spill_free(b->man[a]);
		osp_hash_free(b->manhash[a]);
	}
	osp_spill_free(b->files);
	osp_hash_free(b->fileshash);
	osp_buf_free(&b->line);
	osp_release_free(&b->r);
}

OSPACK_API ospack_error ospack_build(struct ospack_ctx *ctx, const struct ospack_manifest *m,
				     const struct ospack_build_opts *opts,
				     struct ospack_build_result **out)
{
	struct ospack_build_opts defaults = {.mtime = -1};
	struct build b = {.ctx = ctx, .o = opts ? opts : &defaults, .fd = -1};
	ospack_error rc;

	osp_interrupt_reset();
	*out = NULL;
	b.r.m = m;
	rc = set_options(&b);
	if (rc == OSPACK_OK)
		rc = osp_compress_parse(ctx, b.o->compress, b.o->output, &b.z);
	if (rc == OSPACK_OK)
		rc = osp_release_open(ctx, &b.r, b.o->allow_dirty != 0);
	if (rc == OSPACK_OK)
		rc = osp_openness_eval(ctx, m, &b.r.openness);
	if (rc == OSPACK_OK)
		rc = osp_openness_require(ctx, b.r.openness, b.o->require);
	if (rc == OSPACK_OK)
		rc = write_bundle(&b);
	if (rc == OSPACK_OK)
		rc = make_result(&b, out);
	build_free(&b);
	return rc;
}

OSPACK_API void ospack_build_result_free(struct ospack_build_result *r)
{
	if (r == NULL)
		return;
	free(r->output);
	free(r->json);
	free(r);
}
