/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reads an unpacked bundle folder in the order of its archive: the bag folder,
 * data/ and the payload in byte order of the paths, then the tag files. Links
 * and special files are refused; large files go to the verifier's workers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "verifier.h"

#define READ_BLOCK (1024 * 1024)

struct walker {
	struct ospack_ctx *ctx;
	struct osp_verifier *v;
	unsigned char *buf;
	int depth;
};

/* Hashes a small file here, from the descriptor opened for it (and closes it). */
static ospack_error read_here(struct walker *w, int fd, const char *name, const struct stat *st)
{
	uint64_t left = (uint64_t)st->st_size;
	ospack_error rc = osp_verifier_begin(w->v, name, left, (unsigned)(st->st_mode & 07777));

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

static ospack_error feed_file(struct walker *w, int dirfd, const char *base, const char *name,
			      const struct stat *st)
{
	int fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat now;
	const char *slash = strchr(name, '/');

	if (fd < 0)
		return osp_errno(w->ctx, errno, "cannot open", name);
	/* What was opened is what was listed: a swapped-in FIFO or other file is refused. */
	if (fstat(fd, &now) != 0 || !S_ISREG(now.st_mode) || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(fd);
		return osp_error(w->ctx, OSPACK_EREJECT, "%s: changed while being verified", name);
	}
	if (osp_verifier_parallel(w->v, (uint64_t)st->st_size) && slash != NULL &&
	    strncmp(slash + 1, "data/", 5) == 0) {
		struct osp_vjob job = {.fd = fd, .off = -1};

		return osp_verifier_submit(w->v, name, (uint64_t)st->st_size,
					   (unsigned)(st->st_mode & 07777), job);
	}
	return read_here(w, fd, name, st);
}

static ospack_error walk(struct walker *w, int fd, const char *name, bool top);

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
	return walk(w, cfd, name, false);
}

/* Feeds the folder open as fd (closing it) and everything below; at the top, data/ first. */
static ospack_error walk(struct walker *w, int fd, const char *name, bool top)
{
	struct osp_dirlist dl = {0};
	ospack_error rc = osp_verifier_dir(w->v, name, 0755);
	int err = rc == OSPACK_OK ? osp_dirlist_read(fd, false, &dl) : 0;

	if (err != 0)
		rc = osp_errno(w->ctx, err, "cannot read folder", name);
	w->depth++;
	for (int pass = top ? 0 : 1; pass < 2; pass++) {
		for (size_t i = 0; rc == OSPACK_OK && i < dl.n; i++) {
			bool data = top && strcmp(dl.v[i].name, "data") == 0;
			char *child;

			if (top && data != (pass == 0))
				continue;
			if (osp_interrupted()) {
				rc = osp_error(w->ctx, OSPACK_EINTR, "interrupted");
				break;
			}
			child = osp_asprintf("%s/%s", name, dl.v[i].name);
			if (child == NULL) {
				rc = osp_nomem(w->ctx);
				break;
			}
			rc = walk_child(w, fd, dl.v[i].name, child);
			free(child);
		}
	}
	w->depth--;
	osp_dirlist_free(&dl);
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
		rc = walk(&w, fd, base, true);
	}
	free(w.buf);
	free(trimmed);
	return rc;
}
