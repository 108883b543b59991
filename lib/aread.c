/* SPDX-License-Identifier: Apache-2.0 */
/* Reads a bundle once, as a stream: a tar archive through libarchive, or an unpacked folder. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "aread.h"
#include "awrite.h"
#include "tarscan.h"
#include "verify.h"

#define READ_BLOCK (1024 * 1024)

/*
 * Reads fill whole buffers, whatever pieces a pipe hands over. Every byte read
 * also goes through the strict scanner, to its very end.
 */
struct reader {
	struct ospack_ctx *ctx;
	int fd;
	unsigned char *buf;
	struct osp_tarscan *scan;
	bool eof;
	int read_errno;
};

static la_ssize_t on_read(struct archive *a, void *arg, const void **out)
{
	struct reader *r = arg;
	size_t got = 0;

	(void)a;
	while (!r->eof && got < READ_BLOCK) {
		ssize_t n;

		if (osp_interrupted()) {
			r->read_errno = EINTR;
			return -1;
		}
		n = read(r->fd, r->buf + got, READ_BLOCK - got);
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

/* What libarchive reports must be what the strict scanner found, entry for entry. */
static ospack_error same_entry(struct ospack_ctx *ctx, struct reader *r, const char *name, bool dir,
			       uint64_t size)
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

static const char *type_name(unsigned type)
{
	switch (type) {
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "not a regular file or folder";
	}
}

static ospack_error feed_entry(struct ospack_ctx *ctx, struct reader *r, struct archive *a,
			       struct archive_entry *e, struct osp_verifier *v,
			       const struct osp_sink *sink)
{
	const char *name = archive_entry_pathname_utf8(e);
	unsigned type = archive_entry_filetype(e);
	ospack_error rc;

	if (name == NULL)
		return osp_error(ctx, OSPACK_EREJECT, "an entry name is not valid UTF-8");
	if (archive_entry_hardlink(e) != NULL)
		return osp_error(ctx, OSPACK_EREJECT, "%s: a hard link", name);
	if (type != AE_IFDIR && type != AE_IFREG)
		return osp_error(ctx, OSPACK_EREJECT, "%s: %s", name, type_name(type));
	if (type == AE_IFREG && (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0))
		return osp_error(ctx, OSPACK_EREJECT, "%s: no size", name);
	rc = same_entry(ctx, r, name, type == AE_IFDIR,
			type == AE_IFDIR ? 0 : (uint64_t)archive_entry_size(e));
	if (rc != OSPACK_OK)
		return rc;
	if (type == AE_IFDIR) {
		rc = osp_verifier_dir(v, name, (unsigned)archive_entry_perm(e));
		if (rc == OSPACK_OK && sink != NULL)
			rc = sink->dir(sink->arg, osp_verifier_current(v));
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
	    archive_read_open(a, r, NULL, on_read, NULL) != ARCHIVE_OK) {
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
	struct reader r = {.ctx = ctx, .fd = fd};
	struct osp_locale *loc = osp_locale_utf8_push();
	struct archive *a = NULL;
	struct archive_entry *e = archive_entry_new();
	ospack_error rc = OSPACK_OK;

	r.buf = malloc(READ_BLOCK);
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
out:
	if (a != NULL)
		archive_read_free(a);
	archive_entry_free(e);
	free(r.buf);
	osp_tarscan_free(r.scan);
	osp_locale_pop(loc);
	return rc;
}

/* ---- an unpacked bundle folder ---- */

struct walker {
	struct ospack_ctx *ctx;
	struct osp_verifier *v;
	unsigned char *buf;
	int depth;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static ospack_error list_dir(struct walker *w, int fd, const char *name, struct osp_strv *names)
{
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return osp_errno(w->ctx, errno, "cannot read folder", name);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (osp_strv_push(names, de->d_name) != 0) {
			closedir(d);
			return osp_nomem(w->ctx);
		}
	}
	closedir(d);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(char *), cmp_names);
	return OSPACK_OK;
}

static ospack_error feed_file(struct walker *w, int dirfd, const char *base, const char *name,
			      const struct stat *st)
{
	int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	uint64_t left = (uint64_t)st->st_size;
	struct stat now;
	ospack_error rc;

	if (fd < 0)
		return osp_errno(w->ctx, errno, "cannot open", name);
	/* What was opened is what was listed: a swapped-in FIFO or other file is refused. */
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		return osp_error(w->ctx, OSPACK_EREJECT, "%s: changed while being verified", name);
	}
	rc = osp_verifier_begin(w->v, name, left, (unsigned)(st->st_mode & 07777));
	while (rc == OSPACK_OK && left > 0) {
		ssize_t n = read(fd, w->buf, READ_BLOCK);

		if (n < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (n < 0) {
			rc = osp_errno(w->ctx, errno, "cannot read", name);
			break;
		}
		if (n == 0)
			break;
		if ((uint64_t)n > left) {
			rc = osp_error(w->ctx, OSPACK_EREJECT, "%s: grew while being verified",
				       name);
			break;
		}
		rc = osp_verifier_data(w->v, w->buf, (size_t)n);
		left -= (uint64_t)n;
	}
	if (rc == OSPACK_OK && left == 0 && read(fd, w->buf, 1) > 0)
		rc = osp_error(w->ctx, OSPACK_EREJECT, "%s: grew while being verified", name);
	if (rc == OSPACK_OK)
		rc = osp_verifier_end(w->v);
	close(fd);
	return rc;
}

static ospack_error walk(struct walker *w, int fd, const char *name);

static ospack_error walk_child(struct walker *w, int fd, const char *base, const char *name)
{
	struct stat st;
	int cfd;

	if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return osp_errno(w->ctx, errno, "cannot stat", name);
	if (S_ISREG(st.st_mode))
		return feed_file(w, fd, base, name, &st);
	if (!S_ISDIR(st.st_mode))
		return osp_error(w->ctx, OSPACK_EREJECT, "%s: %s", name,
				 S_ISLNK(st.st_mode) ? "a symbolic link"
						     : "not a regular file or folder");
	if (w->depth >= OSP_DEPTH_MAX)
		return osp_error(w->ctx, OSPACK_EREJECT, "%s: folders nested too deeply", name);
	cfd = openat(fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0)
		return osp_errno(w->ctx, errno, "cannot open folder", name);
	return walk(w, cfd, name);
}

/* Feeds the folder open as fd (closing it) and everything below. */
static ospack_error walk(struct walker *w, int fd, const char *name)
{
	struct osp_strv names = {0};
	ospack_error rc = osp_verifier_dir(w->v, name, 0755);

	if (rc == OSPACK_OK)
		rc = list_dir(w, fd, name, &names);
	w->depth++;
	for (size_t i = 0; rc == OSPACK_OK && i < names.n; i++) {
		char *child = osp_asprintf("%s/%s", name, names.v[i]);

		if (child == NULL) {
			rc = osp_nomem(w->ctx);
			break;
		}
		rc = walk_child(w, fd, names.v[i], child);
		free(child);
	}
	w->depth--;
	osp_strv_free(&names);
	close(fd);
	return rc;
}

ospack_error osp_read_folder(struct ospack_ctx *ctx, const char *path, struct osp_verifier *v)
{
	struct walker w = {.ctx = ctx, .v = v};
	const char *base;
	char *trimmed = osp_strdup(path);
	size_t len;
	int fd;
	ospack_error rc;

	if (trimmed == NULL)
		return osp_nomem(ctx);
	len = strlen(trimmed);
	while (len > 1 && trimmed[len - 1] == '/')
		trimmed[--len] = '\0';
	base = strrchr(trimmed, '/') ? strrchr(trimmed, '/') + 1 : trimmed;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || base[0] == '\0')
		base = "bag";
	w.buf = malloc(READ_BLOCK);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (w.buf == NULL || fd < 0) {
		rc = w.buf == NULL ? osp_nomem(ctx) : osp_errno(ctx, errno, "cannot open", path);
		if (fd >= 0)
			close(fd);
	} else {
		rc = walk(&w, fd, base);
	}
	free(w.buf);
	free(trimmed);
	return rc;
}
