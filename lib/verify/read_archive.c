/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads a bundle archive once, through libarchive, with a strict scanner of the
 * raw headers beside it. On a file (not a pipe) and with workers, large files
 * are skipped over here and hashed by the workers, each reading its own range.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "tar_write.h"
#include "tarscan.h"
#include "verifier.h"

#define READ_BLOCK (1024 * 1024)
/* On a file with workers: smaller blocks, so that less of a skipped file is read here. */
#define SEEK_BLOCK (128 * 1024)

/*
 * Reads fill whole buffers, whatever pieces a pipe hands over. Every byte read
 * also goes through the strict scanner, to its very end.
 */
struct reader {
	struct ospack_ctx *ctx;
	int fd;
	unsigned char *buf;
	size_t block;
	struct osp_tarscan *scan;
	bool eof, seekable;
	uint64_t filesize; /* of a seekable archive: no skip goes past its end */
	int read_errno;
};

static la_ssize_t on_read(struct archive *a, void *arg, const void **out)
{
	struct reader *r = arg;
	size_t got = 0;

	(void)a;
	while (!r->eof && got < r->block) {
		ssize_t n;

		if (osp_interrupted()) {
			r->read_errno = EINTR;
			return -1;
		}
		n = read(r->fd, r->buf + got, r->block - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r->read_errno = errno;
			return -1;
		}
		if (n == 0)
			r->eof = true;
		got += (size_t)n;
	}
	/*
	 * The scanner reads ahead of libarchive; what it refuses is reported when
	 * libarchive reaches that entry (or at the end), so earlier problems come first.
	 */
	osp_tarscan_feed(r->scan, r->buf, got);
	*out = r->buf;
	return (la_ssize_t)got;
}

static ospack_error malformed(struct ospack_ctx *ctx, struct reader *r, struct archive *a)
{
	const char *msg = archive_error_string(a);

	if (r->read_errno != 0)
		return osp_errno(ctx, r->read_errno, "cannot read the bundle", NULL);
	if (msg != NULL && strstr(msg, "Unrecognized archive format") != NULL)
		return osp_error(ctx, OSPACK_EREJECT, "not a tar archive");
	if (osp_tarscan_error(r->scan) != NULL)
		return osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
				 osp_tarscan_error(r->scan));
	return osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s", msg ? msg : "unknown error");
}

/* Skips data on a file: the workers read it. */
static la_int64_t on_skip(struct archive *a, void *arg, la_int64_t request)
{
	struct reader *r = arg;

	off_t pos;

	(void)a;
	if (!r->seekable || request <= 0)
		return 0;
	/* The padding after the data is read, for the scanner to check. */
	if ((uint64_t)request > osp_tarscan_skippable(r->scan))
		request = (la_int64_t)osp_tarscan_skippable(r->scan);
	if (request <= 0)
		return 0;
	/* Past the end, libarchive reads instead, and finds the archive cut short. */
	pos = lseek(r->fd, 0, SEEK_CUR);
	if (pos < 0 || (uint64_t)pos + (uint64_t)request > r->filesize)
		return 0;
	if (lseek(r->fd, (off_t)request, SEEK_CUR) < 0) {
		r->read_errno = errno;
		return ARCHIVE_FATAL;
	}
	osp_tarscan_skip(r->scan, (uint64_t)request);
	return request;
}

/* What libarchive reports must be what the strict scanner found, entry for entry. */
static ospack_error same_entry(struct ospack_ctx *ctx, struct reader *r, const char *name, bool dir,
			       uint64_t size, uint64_t *offset)
{
	struct osp_tarentry t;
	size_t len = strlen(name);
	const char *shown = name;
	bool same;

	if (dir && len > 1 && name[len - 1] == '/')
		len--;
	/* Named inside the bag, as every other problem is. */
	if (strchr(name, '/') != NULL && strchr(name, '/') < name + len - 1)
		shown = strchr(name, '/') + 1;
	if (!osp_tarscan_next(r->scan, &t))
		return osp_error(ctx, OSPACK_EREJECT, "%s: %s", shown,
				 osp_tarscan_error(r->scan)
					 ? osp_tarscan_error(r->scan)
					 : "an entry the tar headers do not hold");
	same = strlen(t.path) == len && memcmp(t.path, name, len) == 0 && t.dir == dir &&
	       t.size == size;
	*offset = t.offset;
	free(t.path);
	if (!same)
		return osp_error(ctx, OSPACK_EREJECT, "%s: the tar headers read otherwise", shown);
	return OSPACK_OK;
}

static ospack_error feed_data(struct ospack_ctx *ctx, struct reader *r, struct archive *a,
			      struct osp_verifier *v, const struct osp_sink *sink, const char *name)
{
	int64_t expect = 0;

	for (;;) {
		const void *p;
		size_t len;
		la_int64_t off;
		int rc = archive_read_data_block(a, &p, &len, &off);

		if (rc == ARCHIVE_EOF)
			break;
		if (rc != ARCHIVE_OK) {
			malformed(ctx, r, a);
			return osp_error_prefix(ctx, "%s", osp_verifier_current(v));
		}
		if (off != expect)
			return osp_error(ctx, OSPACK_EREJECT, "%s: a sparse entry", name);
		expect += (int64_t)len;
		if (osp_verifier_data(v, p, len) != OSPACK_OK)
			return ctx->code;
		if (sink != NULL && sink->data(sink->arg, p, len) != OSPACK_OK)
			return ctx->code;
	}
	return OSPACK_OK;
}

static ospack_error feed_entry(struct ospack_ctx *ctx, struct reader *r, struct archive *a,
			       struct archive_entry *e, struct osp_verifier *v,
			       const struct osp_sink *sink)
{
	const char *name = archive_entry_pathname_utf8(e);
	unsigned type = archive_entry_filetype(e);
	uint64_t offset = 0, size;
	const char *slash;
	ospack_error rc;

	if (name == NULL)
		return osp_error(ctx, OSPACK_EREJECT, "an entry name is not valid UTF-8");
	if (archive_entry_hardlink(e) != NULL)
		return osp_error(ctx, OSPACK_EREJECT, "%s: a hard link", name);
	if (type != AE_IFDIR && type != AE_IFREG)
		return osp_error(ctx, OSPACK_EREJECT, "%s: %s", name, osp_tar_type_name(type));
	if (type == AE_IFREG && (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0))
		return osp_error(ctx, OSPACK_EREJECT, "%s: no size", name);
	size = type == AE_IFDIR ? 0 : (uint64_t)archive_entry_size(e);
	rc = same_entry(ctx, r, name, type == AE_IFDIR, size, &offset);
	if (rc != OSPACK_OK)
		return rc;
	if (type == AE_IFDIR) {
		rc = osp_verifier_dir(v, name, (unsigned)archive_entry_perm(e));
		if (rc == OSPACK_OK && sink != NULL)
			rc = sink->dir(sink->arg, osp_verifier_current(v));
		return rc;
	}
	slash = strchr(name, '/');
	if (sink == NULL && r->seekable && osp_verifier_parallel(v, size) && slash != NULL &&
	    strncmp(slash + 1, "data/", 5) == 0) {
		struct osp_vjob job = {.fd = r->fd, .off = (int64_t)offset};

		rc = osp_verifier_submit(v, name, size, (unsigned)archive_entry_perm(e), job);
		if (rc == OSPACK_OK && archive_read_data_skip(a) != ARCHIVE_OK) {
			malformed(ctx, r, a);
			return osp_error_prefix(ctx, "%s", osp_verifier_current(v));
		}
		return rc;
	}
	rc = osp_verifier_begin(v, name, (uint64_t)archive_entry_size(e),
				(unsigned)archive_entry_perm(e));
	if (rc == OSPACK_OK && sink != NULL)
		rc = sink->begin(sink->arg, osp_verifier_current(v),
				 (uint64_t)archive_entry_size(e), (unsigned)archive_entry_perm(e));
	if (rc == OSPACK_OK)
		rc = feed_data(ctx, r, a, v, sink, name);
	if (rc == OSPACK_OK)
		rc = osp_verifier_end(v);
	if (rc == OSPACK_OK && sink != NULL)
		rc = sink->end(sink->arg);
	return rc;
}

/* Reads the stream to its end: the scanner checks the end blocks and what follows. */
static ospack_error check_trailer(struct ospack_ctx *ctx, struct reader *r, struct archive *a)
{
	const void *ignored;
	const char *why;

	while (!r->eof)
		if (on_read(a, r, &ignored) < 0)
			return malformed(ctx, r, a);
	why = osp_tarscan_finish(r->scan);
	return why ? osp_error(ctx, OSPACK_EREJECT, "%s", why) : OSPACK_OK;
}

static ospack_error open_reader(struct ospack_ctx *ctx, struct reader *r, struct archive **out)
{
	struct archive *a = archive_read_new();

	*out = NULL;
	if (a == NULL)
		return osp_nomem(ctx);
	/* Only uncompressed tar: the bundle format is one, and fewer readers, fewer surprises. */
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(a) != ARCHIVE_OK ||
	    archive_read_set_callback_data(a, r) != ARCHIVE_OK ||
	    archive_read_set_read_callback(a, on_read) != ARCHIVE_OK ||
	    archive_read_set_skip_callback(a, on_skip) != ARCHIVE_OK ||
	    archive_read_open1(a) != ARCHIVE_OK) {
		ospack_error rc = malformed(ctx, r, a);

		archive_read_free(a);
		return rc;
	}
	*out = a;
	return OSPACK_OK;
}

ospack_error osp_read_archive(struct ospack_ctx *ctx, int fd, struct osp_verifier *v,
			      const struct osp_sink *sink)
{
	struct reader r = {.ctx = ctx, .fd = fd, .block = READ_BLOCK};
	struct osp_locale *loc = osp_locale_utf8_push();
	struct archive *a = NULL;
	struct archive_entry *e = archive_entry_new();
	struct stat fst;
	ospack_error rc = OSPACK_OK;

	/* Skipping needs a file, and workers to read what is skipped. */
	r.seekable = sink == NULL && osp_verifier_parallel(v, UINT64_MAX) && fstat(fd, &fst) == 0 &&
		     S_ISREG(fst.st_mode);
	if (r.seekable) {
		r.block = SEEK_BLOCK;
		r.filesize = (uint64_t)fst.st_size;
	}
	r.buf = malloc(r.block);
	r.scan = osp_tarscan_new();
	if (loc == NULL || e == NULL || r.buf == NULL || r.scan == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	rc = open_reader(ctx, &r, &a);
	while (rc == OSPACK_OK) {
		int st = archive_read_next_header2(a, e);

		if (st == ARCHIVE_EOF)
			break;
		if (st != ARCHIVE_OK) {
			rc = malformed(ctx, &r, a);
			break;
		}
		rc = feed_entry(ctx, &r, a, e, v, sink);
	}
	if (rc == OSPACK_OK)
		rc = check_trailer(ctx, &r, a);
	if (rc == OSPACK_OK)
		v->mtime = osp_tarscan_mtime(r.scan);
out:
	if (a != NULL)
		archive_read_free(a);
	archive_entry_free(e);
	free(r.buf);
	osp_tarscan_free(r.scan);
	osp_locale_pop(loc);
	return rc;
}
