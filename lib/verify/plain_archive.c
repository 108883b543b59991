/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which verifier a bag goes to, and a foreign archive unpacked for the BagIt
 * checks. Only a tar whose first header is one ospack's writer makes goes to
 * the strict bundle reader; any other tar, compressed or not, is unpacked into a
 * private temporary folder (regular files and folders only: no link, no '..',
 * no absolute name, no entry twice) and checked there as a folder.
 */
#include "config.h"

#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "ospack.h"
#include "plain.h"
#include "tarscan.h"

#define PEEK_MAX (OSP_TARHDR_MAX + 512)
#define WRITE_BLOCK (1024 * 1024)

bool osp_plain_folder(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool plain;

	if (fd < 0)
		return false;
	plain = fstatat(fd, "ospack", &st, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT;
	close(fd);
	return plain;
}

static bool enough(const unsigned char *p, size_t n, size_t want)
{
	/* A first block that is not a pax header holds all the first entry's header. */
	return n >= want || (n >= 512 && p[156] != 'x');
}

/* What a pipe holds, read without taking it out of the pipe (tee), up to want bytes. */
static size_t peek_pipe(int fd, unsigned char *buf, size_t want)
{
	int p[2];
	size_t got = 0;

	if (pipe2(p, O_CLOEXEC) != 0)
		return 0;
	for (int tries = 0; tries < 10000; tries++) {
		ssize_t n = tee(fd, p[1], want, 0);
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		struct timespec ms = {0, 1000000};

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got = 0;
		while (got < (size_t)n) {
			ssize_t r = read(p[0], buf + got, (size_t)n - got);

			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (enough(buf, got, want))
			break;
		/* Fewer bytes than wanted: more may come, unless the writer is gone. */
		if (poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP))
			break;
		nanosleep(&ms, NULL);
	}
	close(p[0]);
	close(p[1]);
	return got;
}

static size_t peek(int fd, unsigned char *buf, size_t want)
{
	struct stat st;
	off_t at;
	size_t got = 0;

	if (fstat(fd, &st) != 0)
		return 0;
	if (S_ISFIFO(st.st_mode))
		return peek_pipe(fd, buf, want);
	if (!S_ISREG(st.st_mode) || (at = lseek(fd, 0, SEEK_CUR)) < 0)
		return 0;
	while (got < want) {
		ssize_t n = pread(fd, buf + got, want - got, at + (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

size_t osp_peek(int fd, unsigned char *buf, size_t want)
{
	return peek(fd, buf, want);
}

bool osp_plain_archive(int fd)
{
	unsigned char *buf = malloc(PEEK_MAX);
	size_t n = buf ? peek(fd, buf, PEEK_MAX) : 0;
	struct osp_tarscan *ts = NULL;
	struct osp_tarentry e;
	bool plain = false;

	/* A .tar.gz or .tar.zst reaches here decompressed (osp_open_bundle). */
	if (n >= 512 && memcmp(buf + 257, "ustar", 5) == 0 && (ts = osp_tarscan_new()) != NULL) {
		osp_tarscan_feed(ts, buf, n);
		if (osp_tarscan_next(ts, &e))
			free(e.path);
		else
			plain = true;
	}
	osp_tarscan_free(ts);
	free(buf);
	return plain;
}

/* ---- unpacking ---- */

static ospack_error rm_tree_at(int parent, const char *name, int depth)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (unlinkat(parent, name, 0) == 0 || errno == ENOENT)
		return OSPACK_OK;
	if (depth > OSP_DEPTH_MAX + 2)
		return OSPACK_EIO;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return OSPACK_EIO;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			rm_tree_at(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return unlinkat(parent, name, AT_REMOVEDIR) == 0 ? OSPACK_OK : OSPACK_EIO;
}

/* Checks an entry's name; *rel is the name below the archive's top, without "./" or a final '/'. */
static ospack_error entry_name(struct ospack_ctx *ctx, const char *name, char **rel)
{
	const char *p = name;
	char *r;
	size_t n;
	int depth = 0;

	*rel = NULL;
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return osp_error(ctx, OSPACK_EREJECT,
					 "an entry name holds a control character");
	if (name[0] == '/')
		return osp_error(ctx, OSPACK_EREJECT, "%s: absolute path", name);
	while (strncmp(p, "./", 2) == 0)
		p += 2;
	if ((r = osp_strdup(p)) == NULL)
		return osp_nomem(ctx);
	n = strlen(r);
	while (n > 0 && r[n - 1] == '/')
		r[--n] = '\0';
	for (char *c = r, *slash; n > 0; c = slash + 1, depth++) {
		size_t len;

		slash = strchr(c, '/');
		len = slash ? (size_t)(slash - c) : strlen(c);
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			free(r);
			return osp_error(ctx, OSPACK_EREJECT, "%s: path with a '..' component",
					 name);
		}
		if (len == 0 || (len == 1 && c[0] == '.')) {
			free(r);
			return osp_error(ctx, OSPACK_EREJECT,
					 "%s: path with an empty or '.' component", name);
		}
		if (depth > OSP_DEPTH_MAX) {
			free(r);
			return osp_error(ctx, OSPACK_EREJECT, "%s: folders nested too deeply",
					 name);
		}
		if (slash == NULL)
			break;
	}
	*rel = r;
	return OSPACK_OK;
}

/*
 * Opens the folder that holds rel's last component, making the folders on the
 * way (0700: made for a name below them, not by an entry of their own).
 */
static int parent_of(int top, char *rel, const char **last)
{
	int fd = dup(top);
	char *p = rel, *slash;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, p, 0700) != 0 && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*last = p;
	return fd;
}

static ospack_error unpack_dir(struct ospack_ctx *ctx, int pfd, const char *base, const char *name)
{
	struct stat st;

	if (mkdirat(pfd, base, 0755) == 0)
		return fchmodat(pfd, base, 0755, 0) == 0
			       ? OSPACK_OK
			       : osp_errno(ctx, errno, "cannot make", name);
	if (errno != EEXIST || fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return osp_errno(ctx, errno, "cannot make folder", name);
	/* A folder made by an entry of its own has 0755; one made for a name below it, 0700. */
	if (!S_ISDIR(st.st_mode) || (st.st_mode & 0777) == 0755)
		return osp_error(ctx, OSPACK_EREJECT, "%s: appears twice in the archive", name);
	return fchmodat(pfd, base, 0755, 0) == 0 ? OSPACK_OK
						 : osp_errno(ctx, errno, "cannot make", name);
}

static ospack_error unpack_file(struct ospack_ctx *ctx, struct archive *a, int pfd,
				const char *base, const char *name)
{
	int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	int64_t expect = 0;
	ospack_error rc = OSPACK_OK;

	if (fd < 0)
		return errno == EEXIST ? osp_error(ctx, OSPACK_EREJECT,
						   "%s: appears twice in the archive", name)
				       : osp_errno(ctx, errno, "cannot write", name);
	while (rc == OSPACK_OK) {
		const void *p;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &p, &len, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			rc = osp_error(ctx, OSPACK_EREJECT, "%s: malformed archive: %s", name,
				       archive_error_string(a) ? archive_error_string(a) : "?");
		else if (off != expect)
			rc = osp_error(ctx, OSPACK_EREJECT, "%s: a sparse entry", name);
		else if (osp_interrupted())
			rc = osp_error(ctx, OSPACK_EINTR, "interrupted");
		for (size_t done = 0; rc == OSPACK_OK && done < len;) {
			ssize_t n = write(fd, (const char *)p + done, len - done);

			if (n < 0 && errno != EINTR)
				rc = osp_errno(ctx, errno, "cannot write", name);
			else if (n > 0)
				done += (size_t)n;
		}
		expect += (int64_t)len;
	}
	if (close(fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(ctx, errno, "cannot write", name);
	return rc;
}

static ospack_error unpack_entry(struct ospack_ctx *ctx, struct archive *a, struct archive_entry *e,
				 int top)
{
	const char *name = archive_entry_pathname_utf8(e), *base;
	unsigned type = archive_entry_filetype(e);
	char *rel = NULL;
	int pfd;
	ospack_error rc;

	if (name == NULL)
		return osp_error(ctx, OSPACK_EREJECT, "an entry name is not valid UTF-8");
	if (archive_entry_hardlink(e) != NULL)
		return osp_error(ctx, OSPACK_EREJECT, "%s: a hard link", name);
	if (type != AE_IFDIR && type != AE_IFREG)
		return osp_error(ctx, OSPACK_EREJECT, "%s: %s", name, osp_tar_type_name(type));
	if ((rc = entry_name(ctx, name, &rel)) != OSPACK_OK)
		return rc;
	if (rel[0] == '\0') {
		free(rel);
		return type == AE_IFDIR
			       ? OSPACK_OK
			       : osp_error(ctx, OSPACK_EREJECT, "%s: not a file name", name);
	}
	pfd = parent_of(top, rel, &base);
	if (pfd < 0)
		rc = errno == ENOTDIR || errno == ELOOP
			     ? osp_error(ctx, OSPACK_EREJECT, "%s: a file where a folder should be",
					 name)
			     : osp_errno(ctx, errno, "cannot make folder for", name);
	else if (type == AE_IFDIR)
		rc = unpack_dir(ctx, pfd, base, name);
	else
		rc = unpack_file(ctx, a, pfd, base, name);
	if (pfd >= 0)
		close(pfd);
	free(rel);
	return rc;
}

static ospack_error unpack(struct ospack_ctx *ctx, int fd, int top)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	ospack_error rc = OSPACK_OK;
	int r;

	if (a == NULL)
		return osp_nomem(ctx);
	if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, fd, 1024 * 1024) != ARCHIVE_OK) {
		const char *msg = archive_error_string(a);

		rc = msg && strstr(msg, "Unrecognized archive format")
			     ? osp_error(ctx, OSPACK_EREJECT, "not a tar archive")
			     : osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
					 msg ? msg : "?");
		archive_read_free(a);
		return rc;
	}
	while (rc == OSPACK_OK && (r = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			rc = osp_error(ctx, OSPACK_EREJECT, "malformed archive: %s",
				       archive_error_string(a) ? archive_error_string(a) : "?");
		else
			rc = unpack_entry(ctx, a, e, top);
	}
	archive_read_free(a);
	return rc;
}

/* The bag in what was unpacked: bagit.txt at the top, or in the one top folder. */
static ospack_error find_bag(struct ospack_ctx *ctx, int top, int *bagfd, char **shown)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char *only = NULL;
	int n = 0, fd = dup(top);

	*bagfd = -1;
	if (fstatat(top, "bagit.txt", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		*shown = osp_strdup("bag");
		*bagfd = fd;
		return *shown ? OSPACK_OK : osp_nomem(ctx);
	}
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return osp_errno(ctx, errno, "cannot read", "the unpacked archive");
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 && n++ == 0)
			only = osp_strdup(de->d_name);
	closedir(d);
	if (n == 1 && only != NULL)
		*bagfd = openat(top, only, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*bagfd < 0) {
		free(only);
		return osp_error(ctx, OSPACK_EREJECT,
				 "not a bag: no bagit.txt at the archive's top, and not one top "
				 "folder to hold it");
	}
	*shown = only;
	return OSPACK_OK;
}

ospack_error osp_plain_archive_verify(struct ospack_ctx *ctx, int fd,
				      const struct ospack_verify_opts *opts,
				      struct ospack_verify_result **out)
{
	const char *tmp = opts && opts->tmpdir ? opts->tmpdir : "/tmp";
	char *dir = osp_asprintf("%s/ospack-bag.XXXXXX", tmp), *shown = NULL;
	int top = -1, bag = -1;
	struct stat st;
	ospack_error rc;

	*out = NULL;
	if (dir == NULL)
		return osp_nomem(ctx);
	if (mkdtemp(dir) == NULL) {
		rc = osp_errno(ctx, errno, "cannot make a temporary folder in", tmp);
		free(dir);
		return rc;
	}
	top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = top < 0 ? osp_errno(ctx, errno, "cannot open", dir) : unpack(ctx, fd, top);
	if (rc == OSPACK_OK)
		rc = find_bag(ctx, top, &bag, &shown);
	if (rc == OSPACK_OK && fstatat(bag, "ospack", &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = osp_error(ctx, OSPACK_EREJECT,
			       "%s/ospack/: an ospack bundle, but not the uncompressed tar ospack "
			       "writes (compressed, or packed again by another tool): verify reads "
			       "a bundle only as ospack wrote it",
			       shown);
	if (rc == OSPACK_OK)
		rc = osp_plain_bag(ctx, bag, shown, opts, out);
	if (bag >= 0)
		close(bag);
	if (top >= 0)
		close(top);
	rm_tree_at(AT_FDCWD, dir, 0);
	free(shown);
	free(dir);
	return rc;
}
