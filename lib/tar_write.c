/* SPDX-License-Identifier: Apache-2.0 */
/* A reproducible tar writer over libarchive: restricted pax, fixed metadata, hashed output. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include "tar_write.h"
#include "hash.h"

struct osp_awriter {
	struct archive *a;
	struct archive_entry *entry;
	int fd;
	/* or a callback takes the output; its failure is already on the context */
	ospack_error (*sink)(void *arg, const void *p, size_t n);
	void *sink_arg;
	bool sink_failed;
	int64_t mtime;
	struct osp_hasher *hasher; /* the whole output, hashed beside the writing */
	uint64_t bytes;
	int write_errno;  /* the first error of the output, kept for the message */
	const char *name; /* the output, for messages (borrowed); or NULL */
	struct osp_locale *loc;
	/*
	 * Compression, when asked for: libarchive's tar writer (w->a) makes the very
	 * tar an uncompressed build makes and hands it to out_write, which hashes and
	 * counts those tar bytes, then gives them to a second libarchive writer (w->z:
	 * the "raw" format, one entry, and the zstd or gzip filter), whose output is
	 * what reaches the fd or sink. So the digest is the tar's, never the
	 * compressed bytes', and the compressed bytes come from one fixed filter
	 * setting: the same at a given level whatever the thread count of the build.
	 */
	struct archive *z;
	/* Small pieces (headers, small files) are gathered: one write per OUT_BUF. */
	unsigned char *obuf;
	size_t ofill;
};

#define OUT_BUF (1024 * 1024)

struct osp_locale {
	locale_t utf8, prev;
};

struct osp_locale *osp_locale_utf8_push(void)
{
	struct osp_locale *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return NULL;
	l->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (l->utf8 == (locale_t)0)
		l->utf8 = newlocale(LC_CTYPE_MASK, "C.utf8", (locale_t)0);
	if (l->utf8 != (locale_t)0)
		l->prev = uselocale(l->utf8);
	return l;
}

void osp_locale_pop(struct osp_locale *l)
{
	if (l == NULL)
		return;
	if (l->utf8 != (locale_t)0) {
		uselocale(l->prev);
		freelocale(l->utf8);
	}
	free(l);
}

struct osp_tarname {
	struct osp_locale *loc;
	struct archive_entry *e;
};

struct osp_tarname *osp_tarname_new(void)
{
	struct osp_tarname *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->loc = osp_locale_utf8_push();
	t->e = archive_entry_new();
	if (t->loc == NULL || t->e == NULL) {
		osp_tarname_free(t);
		return NULL;
	}
	return t;
}

void osp_tarname_free(struct osp_tarname *t)
{
	if (t == NULL)
		return;
	archive_entry_free(t->e);
	osp_locale_pop(t->loc);
	free(t);
}

/*
 * libarchive turns a UTF-8 name into the locale's form when it is set, composing
 * decomposed sequences; the pax writer stores that form, and its reader composes
 * again (which changes nothing more). Asking it the same way gives the very bytes.
 */
const char *osp_tarname_get(struct osp_tarname *t, const char *name)
{
	const char *c = name;

	while (*c != '\0' && (unsigned char)*c < 0x80)
		c++;
	if (*c == '\0' || !osp_utf8_valid(name, strlen(name)))
		return name;
	if (archive_entry_update_pathname_utf8(t->e, name) == 0)
		return NULL;
	return archive_entry_pathname(t->e);
}

static int write_all(struct osp_awriter *w, const void *buf, size_t n)
{
	const char *p = buf;

	if (w->sink != NULL) {
		if (w->sink(w->sink_arg, buf, n) == OSPACK_OK)
			return 0;
		w->sink_failed = true;
		return -1;
	}
	while (n > 0) {
		ssize_t k;

		if (osp_interrupted()) {
			w->write_errno = EINTR;
			return -1;
		}
		k = write(w->fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			w->write_errno = errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int flush_out(struct osp_awriter *w)
{
	int rc = w->ofill > 0 ? write_all(w, w->obuf, w->ofill) : 0;

	w->ofill = 0;
	return rc;
}

/*
 * libarchive hands over each header and each piece of data as it comes: small
 * ones are gathered, large ones go straight out. Either way the bytes, and so
 * the archive, are the same whatever the output is.
 */
static int to_out(struct osp_awriter *w, const void *buf, size_t n)
{
	/* What is gathered goes out first: a large piece must never overtake it. */
	if ((w->ofill + n > OUT_BUF || n >= OUT_BUF / 2) && flush_out(w) != 0)
		return -1;
	if (n >= OUT_BUF / 2) {
		if (write_all(w, buf, n) != 0)
			return -1;
	} else {
		memcpy(w->obuf + w->ofill, buf, n);
		w->ofill += n;
	}
	return 0;
}

/* The compressed stream, from w->z. */
static la_ssize_t zout_write(struct archive *a, void *arg, const void *buf, size_t n)
{
	(void)a;
	return to_out(arg, buf, n) != 0 ? -1 : (la_ssize_t)n;
}

/* The tar bytes: hashed and counted here, then out or into the compressor. */
static la_ssize_t out_write(struct archive *a, void *arg, const void *buf, size_t n)
{
	struct osp_awriter *w = arg;

	(void)a;
	if (w->hasher != NULL)
		osp_hasher_feed(w->hasher, buf, n);
	if (w->z != NULL) {
		const char *c = buf;
		size_t left = n;

		while (left > 0) {
			la_ssize_t k = archive_write_data(w->z, c, left);

			if (k <= 0)
				return -1;
			c += k;
			left -= (size_t)k;
		}
	} else if (to_out(w, buf, n) != 0) {
		return -1;
	}
	w->bytes += n;
	return (la_ssize_t)n;
}

void osp_awriter_set_name(struct osp_awriter *w, const char *name)
{
	w->name = name;
}

static ospack_error aerr(struct ospack_ctx *ctx, struct osp_awriter *w, const char *what)
{
	if (w->sink_failed)
		return ctx->code;
	if (w->write_errno != 0)
		return osp_errno(ctx, w->write_errno, "cannot write the archive", w->name);
	if (w->z != NULL && archive_errno(w->z) != 0)
		return osp_error(ctx, OSPACK_EIO, "%s: %s", what, archive_error_string(w->z));
	return osp_error(ctx, OSPACK_EIO, "%s: %s", what, archive_error_string(w->a));
}

void osp_awriter_free(struct osp_awriter *w)
{
	if (w == NULL)
		return;
	if (w->a != NULL)
		archive_write_free(w->a);
	if (w->z != NULL)
		archive_write_free(w->z);
	archive_entry_free(w->entry);
	osp_hasher_free(w->hasher);
	osp_locale_pop(w->loc);
	free(w->obuf);
	free(w);
}

ospack_error osp_compress_parse(struct ospack_ctx *ctx, const char *spec, const char *output,
				struct osp_compress *z)
{
	const char *colon;
	size_t n;
	enum osp_compress_kind by_name = OSP_COMPRESS_NONE;
	size_t olen = output != NULL ? strlen(output) : 0;
	static const char *const names[] = {"none", "zstd", "gzip"};

	bool says = true; /* the name says what it holds: .tar, .tar.zst or .tar.gz */

	if (olen > 8 && strcmp(output + olen - 8, ".tar.zst") == 0)
		by_name = OSP_COMPRESS_ZSTD;
	else if (olen > 7 && strcmp(output + olen - 7, ".tar.gz") == 0)
		by_name = OSP_COMPRESS_GZIP;
	else if (olen <= 4 || strcmp(output + olen - 4, ".tar") != 0)
		says = false;
	z->kind = by_name;
	z->level = by_name == OSP_COMPRESS_ZSTD ? 3 : by_name == OSP_COMPRESS_GZIP ? 6 : 0;
	if (spec == NULL)
		return OSPACK_OK;
	colon = strchr(spec, ':');
	n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);
	if (n == 4 && strncmp(spec, "zstd", 4) == 0) {
		z->kind = OSP_COMPRESS_ZSTD;
		z->level = 3;
	} else if (n == 4 && strncmp(spec, "gzip", 4) == 0) {
		z->kind = OSP_COMPRESS_GZIP;
		z->level = 6;
	} else if (n == 4 && strncmp(spec, "none", 4) == 0 && colon == NULL) {
		z->kind = OSP_COMPRESS_NONE;
		z->level = 0;
	} else {
		return osp_error(ctx, OSPACK_EUSAGE,
				 "--compress %s: expected zstd[:LEVEL], gzip[:LEVEL] or none",
				 spec);
	}
	if (colon != NULL) {
		int max = z->kind == OSP_COMPRESS_ZSTD ? 19 : 9;
		char *end;
		long v;

		errno = 0;
		v = strtol(colon + 1, &end, 10);
		if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || v < 1 ||
		    v > max)
			return osp_error(ctx, OSPACK_EUSAGE,
					 "--compress %s: the %s level must be 1 to %d", spec,
					 names[z->kind], max);
		z->level = (int)v;
	}
	/* Another name (or "-") holds what --compress says; without it, nothing compressed. */
	if (says && z->kind != by_name)
		return osp_error(ctx, OSPACK_EUSAGE,
				 "-o %s contradicts --compress %s: the name says %s", output, spec,
				 by_name == OSP_COMPRESS_ZSTD	? "zstd (.tar.zst)"
				 : by_name == OSP_COMPRESS_GZIP ? "gzip (.tar.gz)"
								: "no compression");
	return OSPACK_OK;
}

/*
 * gzip: level, and no timestamp (libarchive's gzip filter stores the time of
 * writing unless told not to) nor file name. zstd: level, and one worker thread
 * per core. libzstd's output with workers is the same whatever their number
 * (it differs from its single-threaded mode, which ospack never uses), so the
 * bytes do not depend on the machine or on -j.
 */
static int open_compressor(struct osp_awriter *w, const struct osp_compress *z)
{
	char level[8], threads[8];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct archive_entry *e = archive_entry_new();
	int ok;

	w->z = archive_write_new();
	if (w->z == NULL || e == NULL) {
		archive_entry_free(e);
		return -1;
	}
	snprintf(level, sizeof(level), "%d", z->level);
	snprintf(threads, sizeof(threads), "%ld", ncpu < 1 ? 1 : ncpu > 64 ? 64 : ncpu);
	if (z->kind == OSP_COMPRESS_ZSTD)
		ok = archive_write_add_filter_zstd(w->z) == ARCHIVE_OK &&
		     archive_write_set_filter_option(w->z, "zstd", "compression-level", level) ==
			     ARCHIVE_OK &&
		     archive_write_set_filter_option(w->z, "zstd", "threads", threads) ==
			     ARCHIVE_OK;
	else
		ok = archive_write_add_filter_gzip(w->z) == ARCHIVE_OK &&
		     archive_write_set_filter_option(w->z, "gzip", "compression-level", level) ==
			     ARCHIVE_OK &&
		     archive_write_set_filter_option(w->z, "gzip", "timestamp", NULL) == ARCHIVE_OK;
	ok = ok && archive_write_set_format_raw(w->z) == ARCHIVE_OK &&
	     archive_write_set_bytes_per_block(w->z, 0) == ARCHIVE_OK &&
	     archive_write_set_bytes_in_last_block(w->z, 1) == ARCHIVE_OK &&
	     archive_write_open2(w->z, w, NULL, zout_write, NULL, NULL) == ARCHIVE_OK;
	if (ok) {
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_pathname(e, "bundle.tar");
		ok = archive_write_header(w->z, e) == ARCHIVE_OK;
	}
	archive_entry_free(e);
	return ok ? 0 : -1;
}

ospack_error osp_awriter_open(struct ospack_ctx *ctx, int fd, int64_t mtime, bool digest,
			      struct osp_awriter **out)
{
	return osp_awriter_open_z(ctx, fd, mtime, digest, NULL, out);
}

ospack_error osp_awriter_open_z(struct ospack_ctx *ctx, int fd, int64_t mtime, bool digest,
				const struct osp_compress *z, struct osp_awriter **out)
{
	struct osp_awriter *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (w == NULL)
		return osp_nomem(ctx);
	w->fd = fd;
	w->mtime = mtime;
	w->loc = osp_locale_utf8_push();
	w->a = archive_write_new();
	w->entry = archive_entry_new();
	w->obuf = malloc(OUT_BUF);
	if (w->loc == NULL || w->a == NULL || w->entry == NULL || w->obuf == NULL) {
		osp_awriter_free(w);
		return osp_nomem(ctx);
	}
	if (digest && osp_hasher_new(ctx, OSP_ALG_BIT(OSP_SHA256), &w->hasher) != OSPACK_OK) {
		osp_awriter_free(w);
		return ctx->code;
	}
	/* Unbuffered: libarchive hands our buffers straight to out_write, and the
	 * end of the archive is never padded, so a pipe and a file get the same bytes. */
	if (z != NULL && z->kind != OSP_COMPRESS_NONE && open_compressor(w, z) != 0) {
		ospack_error rc =
			w->z != NULL && archive_error_string(w->z) != NULL
				? osp_error(ctx, OSPACK_EIO, "cannot start the compressor: %s",
					    archive_error_string(w->z))
				: osp_nomem(ctx);

		osp_awriter_free(w);
		return rc;
	}
	if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(w->a, 0) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open2(w->a, w, NULL, out_write, NULL, NULL) != ARCHIVE_OK) {
		ospack_error rc = aerr(ctx, w, "cannot start the archive");

		osp_awriter_free(w);
		return rc;
	}
	*out = w;
	return OSPACK_OK;
}

ospack_error osp_awriter_open_cb(struct ospack_ctx *ctx,
				 ospack_error (*sink)(void *arg, const void *p, size_t n),
				 void *arg, int64_t mtime, struct osp_awriter **out)
{
	ospack_error rc = osp_awriter_open(ctx, -1, mtime, false, out);

	if (rc == OSPACK_OK) {
		(*out)->sink = sink;
		(*out)->sink_arg = arg;
	}
	return rc;
}

static ospack_error header(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path,
			   unsigned type, unsigned mode, uint64_t size)
{
	struct archive_entry *e = w->entry;

	archive_entry_clear(e);
	archive_entry_set_pathname_utf8(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)w->mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	if (archive_write_header(w->a, e) != ARCHIVE_OK)
		return aerr(ctx, w, path);
	return OSPACK_OK;
}

ospack_error osp_awriter_dir(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path)
{
	char *p = osp_asprintf("%s/", path);
	ospack_error rc;

	if (p == NULL)
		return osp_nomem(ctx);
	rc = header(ctx, w, p, AE_IFDIR, 0755, 0);
	free(p);
	return rc;
}

ospack_error osp_awriter_begin(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path,
			       uint64_t size, unsigned mode)
{
	return header(ctx, w, path, AE_IFREG, mode, size);
}

ospack_error osp_awriter_data(struct ospack_ctx *ctx, struct osp_awriter *w, const void *p,
			      size_t n)
{
	const char *c = p;

	while (n > 0) {
		la_ssize_t k = archive_write_data(w->a, c, n);

		if (k <= 0)
			return aerr(ctx, w, "cannot write the archive");
		c += k;
		n -= (size_t)k;
	}
	return OSPACK_OK;
}

ospack_error osp_awriter_file(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path,
			      const void *p, size_t n)
{
	ospack_error rc = osp_awriter_begin(ctx, w, path, n, 0644);

	if (rc == OSPACK_OK)
		rc = osp_awriter_data(ctx, w, p, n);
	return rc;
}

ospack_error osp_awriter_finish(struct ospack_ctx *ctx, struct osp_awriter *w,
				unsigned char sha256[32], uint64_t *bytes)
{
	struct osp_digests d;

	if (archive_write_close(w->a) != ARCHIVE_OK ||
	    (w->z != NULL && archive_write_close(w->z) != ARCHIVE_OK) || flush_out(w) != 0)
		return aerr(ctx, w, "cannot finish the archive");
	memset(sha256, 0, 32);
	if (w->hasher != NULL && osp_hasher_end(ctx, w->hasher, &d) != OSPACK_OK)
		return ctx->code;
	if (w->hasher != NULL)
		memcpy(sha256, d.d[OSP_SHA256], 32);
	*bytes = w->bytes;
	return OSPACK_OK;
}
