/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_extract: verify while unpacking into a private staging folder, then move it into place. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "verify/verifier.h"

#define STAGE_PREFIX ".ospack-extract-"

struct xsink {
	struct ospack_ctx *ctx;
	struct osp_verifier *v;
	int stagefd; /* the staging folder: everything is created below it */
	int fd;	     /* the file being written */
	char *path;  /* its path below the staging folder, for messages */
	unsigned mode;
};

static ospack_error exists_error(struct xsink *x, const char *path)
{
	return osp_error(x->ctx, OSPACK_EREJECT, "%s: appears twice in the archive", path);
}

/* Opens (creating as needed) each folder of path's first n bytes, never following links. */
static ospack_error open_dirs(struct xsink *x, const char *path, size_t n, int *out)
{
	int fd = dup(x->stagefd);
	const char *p = path;

	while (fd >= 0 && p < path + n) {
		size_t len = strcspn(p, "/");
		char comp[256];
		int next;

		if (len > n - (size_t)(p - path))
			len = n - (size_t)(p - path);
		if (len == 0 || len >= sizeof(comp)) {
			close(fd);
			return osp_error(x->ctx, OSPACK_EREJECT, "%s: a path component is too long",
					 path);
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (mkdirat(fd, comp, 0755) != 0 && errno != EEXIST) {
			close(fd);
			return osp_errno(x->ctx, errno, "cannot create folder", path);
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return errno == ENOTDIR || errno == ELOOP
				       ? exists_error(x, path)
				       : osp_errno(x->ctx, errno, "cannot open folder", path);
		fd = next;
		p += len + 1;
	}
	if (fd < 0)
		return osp_errno(x->ctx, errno, "cannot open the staging folder", NULL);
	*out = fd;
	return OSPACK_OK;
}

static char *full_path(struct xsink *x, const char *rel)
{
	const char *root = osp_verifier_root(x->v);

	return rel[0] ? osp_asprintf("%s/%s", root, rel) : osp_strdup(root);
}

static ospack_error on_dir(void *arg, const char *rel)
{
	struct xsink *x = arg;
	char *path = full_path(x, rel);
	ospack_error rc;
	int fd = -1;

	if (path == NULL)
		return osp_nomem(x->ctx);
	rc = open_dirs(x, path, strlen(path), &fd);
	if (rc == OSPACK_OK && fchmod(fd, 0755) != 0)
		rc = osp_errno(x->ctx, errno, "cannot set the mode of", path);
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

static ospack_error on_begin(void *arg, const char *rel, uint64_t size, unsigned mode)
{
	struct xsink *x = arg;
	const char *slash;
	ospack_error rc;
	int dfd = -1;

	(void)size;
	free(x->path);
	x->path = full_path(x, rel);
	if (x->path == NULL)
		return osp_nomem(x->ctx);
	slash = strrchr(x->path, '/');
	rc = open_dirs(x, x->path, (size_t)(slash - x->path), &dfd);
	if (rc != OSPACK_OK)
		return rc;
	x->fd = openat(dfd, slash + 1, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	close(dfd);
	if (x->fd < 0 && errno == ENAMETOOLONG)
		return osp_error(x->ctx, OSPACK_EREJECT, "%s: a file name too long to create",
				 x->path);
	if (x->fd < 0)
		return errno == EEXIST ? exists_error(x, x->path)
				       : osp_errno(x->ctx, errno, "cannot create", x->path);
	x->mode = mode == 0755 ? 0755 : 0644;
	return OSPACK_OK;
}

static ospack_error on_data(void *arg, const void *p, size_t n)
{
	struct xsink *x = arg;
	const char *c = p;

	while (n > 0) {
		ssize_t k = write(x->fd, c, n);

		if (k < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (k < 0)
			return osp_errno(x->ctx, errno, "cannot write", x->path);
		c += k;
		n -= (size_t)k;
	}
	return OSPACK_OK;
}

static ospack_error on_end(void *arg)
{
	struct xsink *x = arg;
	ospack_error rc = OSPACK_OK;

	if (fchmod(x->fd, x->mode) != 0)
		rc = osp_errno(x->ctx, errno, "cannot set the mode of", x->path);
	if (close(x->fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(x->ctx, errno, "cannot write", x->path);
	x->fd = -1;
	return rc;
}

/* Removes what the extraction created below fd (closing fd). Links are never followed. */
static void remove_tree(int fd)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		int sub;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			remove_tree(sub);
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
		}
	}
	closedir(d);
}

/* The target must be an empty folder, or not exist (then it is made, and *made is set). */
static ospack_error prepare_target(struct ospack_ctx *ctx, const char *dir, bool *made)
{
	DIR *d;
	struct dirent *de;

	*made = false;
	if (mkdir(dir, 0755) == 0) {
		*made = true;
		return OSPACK_OK;
	}
	if (errno != EEXIST)
		return osp_errno(ctx, errno, "cannot create", dir);
	d = opendir(dir);
	if (d == NULL)
		return errno == ENOTDIR ? osp_error(ctx, OSPACK_EUSAGE, "%s: not a folder", dir)
					: osp_errno(ctx, errno, "cannot open", dir);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
			closedir(d);
			return osp_error(ctx, OSPACK_EUSAGE,
					 "%s: not empty (extract wants an empty or new folder)",
					 dir);
		}
	}
	closedir(d);
	return OSPACK_OK;
}

struct extraction {
	struct ospack_ctx *ctx;
	const char *dir;
	int dirfd;
	char stage[64];
	bool made;
};

static ospack_error make_stage(struct extraction *e, struct xsink *x)
{
	e->dirfd = open(e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (e->dirfd < 0)
		return osp_errno(e->ctx, errno, "cannot open", e->dir);
	for (unsigned i = 0; i < 100; i++) {
		snprintf(e->stage, sizeof(e->stage), STAGE_PREFIX "%ld-%u", (long)getpid(), i);
		if (mkdirat(e->dirfd, e->stage, 0700) == 0)
			break;
		if (errno != EEXIST)
			return osp_errno(e->ctx, errno, "cannot create a staging folder in",
					 e->dir);
	}
	x->stagefd = openat(e->dirfd, e->stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (x->stagefd < 0)
		return osp_errno(e->ctx, errno, "cannot open the staging folder in", e->dir);
	return OSPACK_OK;
}

static ospack_error run(struct extraction *e, struct xsink *x, int fd)
{
	const struct osp_sink sink = {on_dir, on_begin, on_data, on_end, x};
	const char *root;
	ospack_error rc = make_stage(e, x);

	if (rc == OSPACK_OK)
		rc = osp_read_archive(e->ctx, fd, x->v, &sink);
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(x->v);
	if (rc != OSPACK_OK)
		return rc;
	root = osp_verifier_root(x->v);
	if (renameat(x->stagefd, root, e->dirfd, root) != 0)
		return osp_errno(e->ctx, errno, "cannot move the bundle into", e->dir);
	fsync(e->dirfd);
	return OSPACK_OK;
}

OSPACK_API ospack_error ospack_extract(struct ospack_ctx *ctx, const char *input, const char *dir,
				       const struct ospack_verify_opts *opts,
				       struct ospack_verify_result **out)
{
	struct extraction e = {.ctx = ctx, .dir = dir, .dirfd = -1};
	struct xsink x = {.ctx = ctx, .stagefd = -1, .fd = -1};
	struct osp_key **keys = NULL;
	size_t nkeys = opts ? opts->nkeys : 0;
	bool isdir = false;
	int fd = -1;
	ospack_error rc;

	*out = NULL;
	rc = osp_load_trusted(ctx, opts ? opts->keys : NULL, nkeys, &keys);
	if (rc == OSPACK_OK)
		rc = osp_open_bundle(ctx, input, &fd, &isdir);
	if (rc == OSPACK_OK && isdir)
		rc = osp_error(ctx, OSPACK_EUSAGE, "%s: a folder; extract reads an archive", input);
	if (rc == OSPACK_OK)
		rc = prepare_target(ctx, dir, &e.made);
	if (rc == OSPACK_OK)
		rc = osp_verifier_new(ctx, keys, nkeys, false, opts, &x.v);
	if (rc == OSPACK_OK)
		rc = run(&e, &x, fd);
	if (rc == OSPACK_OK && (*out = osp_verifier_result(x.v)) == NULL)
		rc = osp_nomem(ctx);
	if (x.fd >= 0)
		close(x.fd);
	if (x.stagefd >= 0)
		remove_tree(x.stagefd);
	if (e.dirfd >= 0) {
		unlinkat(e.dirfd, e.stage, AT_REMOVEDIR);
		close(e.dirfd);
	}
	if (rc != OSPACK_OK && e.made)
		rmdir(dir);
	if (rc == OSPACK_EREJECT && strcmp(input, "-") != 0)
		osp_error_prefix(ctx, "%s", input);
	free(x.path);
	osp_verifier_free(x.v);
	osp_free_keys(keys, nkeys);
	if (fd > STDIN_FILENO)
		close(fd);
	return rc;
}
