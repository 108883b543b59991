/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A staging folder inside an empty or new target: what a verifier accepts is
 * written below it, and moved into place only when everything verified.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage.h"

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

struct extraction {
	struct ospack_ctx *ctx;
	const char *dir;
	const char *cmd; /* "extract" or "pull", for messages */
	int dirfd;	 /* the target, opened once: everything below goes through it */
	char stage[64];
	bool made;
};

/* A name "<STAGE_PREFIX><pid>-<n>", as make_stage gives its staging folder. */
static bool is_stage_name(const char *name)
{
	const char *p = name + strlen(STAGE_PREFIX);
	size_t pid, n;

	if (strncmp(name, STAGE_PREFIX, strlen(STAGE_PREFIX)) != 0)
		return false;
	pid = strspn(p, "0123456789");
	if (pid == 0 || p[pid] != '-')
		return false;
	n = strspn(p + pid + 1, "0123456789");
	return n > 0 && p[pid + 1 + n] == '\0';
}

/*
 * Removes a staging folder a killed run left in the target. Called only while
 * holding the target's lock, which every run holds until it ends: a staging
 * folder seen then belongs to no live run (docs/leftovers.md).
 */
static bool is_stage_dir(struct extraction *e, const char *name)
{
	struct stat st;

	return fstatat(e->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid();
}

static bool is_link(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

static bool remove_stale_stage(struct extraction *e, const char *name)
{
	int fd;

	fd = openat(e->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	remove_tree(fd);
	return unlinkat(e->dirfd, name, AT_REMOVEDIR) == 0;
}

/*
 * Opens the target once, never through a link (it is made when missing, and
 * e->made set), locks it against other runs and checks that it is empty, but
 * for leftovers of a killed run, which are removed.
 */
static ospack_error open_target(struct extraction *e)
{
	const char *dir = e->dir;
	ospack_error rc = OSPACK_OK;
	bool locked = false;
	struct dirent *de;
	DIR *d;
	int fd;

	if (mkdir(dir, 0755) == 0)
		e->made = true;
	else if (errno != EEXIST)
		return osp_errno(e->ctx, errno, "cannot create", dir);
	e->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (e->dirfd < 0 && (errno == ELOOP || errno == ENOTDIR) && is_link(dir))
		return osp_error(e->ctx, OSPACK_EUSAGE,
				 "%s: a symbolic link; extract wants a folder itself, not a link "
				 "to one",
				 dir);
	if (e->dirfd < 0)
		return errno == ENOTDIR ? osp_error(e->ctx, OSPACK_EUSAGE, "%s: not a folder", dir)
					: osp_errno(e->ctx, errno, "cannot open", dir);
	if (flock(e->dirfd, LOCK_EX | LOCK_NB) == 0)
		locked = true;
	else if (errno == EWOULDBLOCK)
		return osp_error(e->ctx, OSPACK_EUSAGE,
				 "%s: another ospack extract or pull is running into this folder",
				 dir);
	/* Else the file system has no locks: leftovers are then named, not removed. */
	fd = dup(e->dirfd);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		rc = osp_errno(e->ctx, errno, "cannot read", dir);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	/* Every leftover is removed, even when something else makes the folder unfit. */
	while ((de = readdir(d)) != NULL) {
		ospack_error why = OSPACK_OK;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (is_stage_name(de->d_name) && is_stage_dir(e, de->d_name)) {
			if (locked && remove_stale_stage(e, de->d_name))
				continue;
			if (rc == OSPACK_OK)
				why = osp_error(
					e->ctx, OSPACK_EUSAGE,
					"%s: holds %s, left by an ospack extract that was "
					"stopped; if none is running, delete that folder and "
					"retry",
					dir, de->d_name);
		} else if (rc == OSPACK_OK) {
			why = osp_error(e->ctx, OSPACK_EUSAGE,
					"%s: not empty (%s wants an empty or new folder)", dir,
					e->cmd);
		}
		if (rc == OSPACK_OK)
			rc = why;
	}
	closedir(d);
	return rc;
}

static ospack_error make_stage(struct extraction *e, struct xsink *x)
{
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

/* Removes the target made by this run when it failed, if the name still is that folder. */
static void unmake_target(struct extraction *e)
{
	struct stat mine, now;

	if (e->dirfd >= 0 && fstat(e->dirfd, &mine) == 0 &&
	    fstatat(AT_FDCWD, e->dir, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
	    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
		rmdir(e->dir);
}

struct osp_stage {
	struct extraction e;
	struct xsink x;
};

ospack_error osp_stage_open(struct ospack_ctx *ctx, const char *dir, const char *cmd,
			    struct osp_stage **out)
{
	struct osp_stage *st = calloc(1, sizeof(*st));
	ospack_error rc;

	*out = NULL;
	if (st == NULL)
		return osp_nomem(ctx);
	st->e = (struct extraction){.ctx = ctx, .dir = dir, .dirfd = -1, .cmd = cmd};
	st->x = (struct xsink){.ctx = ctx, .stagefd = -1, .fd = -1};
	rc = open_target(&st->e);
	if (rc == OSPACK_OK)
		rc = make_stage(&st->e, &st->x);
	if (rc != OSPACK_OK) {
		osp_stage_free(st, true);
		return rc;
	}
	*out = st;
	return OSPACK_OK;
}

struct osp_sink osp_stage_sink(struct osp_stage *st, struct osp_verifier *v)
{
	st->x.v = v;
	return (struct osp_sink){on_dir, on_begin, on_data, on_end, &st->x};
}

char *osp_stage_path(const struct osp_stage *st)
{
	return osp_asprintf("%s/%s", st->e.dir, st->e.stage);
}

ospack_error osp_stage_commit(struct osp_stage *st, const char *root)
{
	if (renameat(st->x.stagefd, root, st->e.dirfd, root) != 0)
		return osp_errno(st->e.ctx, errno, "cannot move the bundle into", st->e.dir);
	fsync(st->e.dirfd);
	return OSPACK_OK;
}

void osp_stage_free(struct osp_stage *st, bool failed)
{
	if (st == NULL)
		return;
	if (st->x.fd >= 0)
		close(st->x.fd);
	if (st->x.stagefd >= 0)
		remove_tree(st->x.stagefd);
	if (st->e.dirfd >= 0 && st->e.stage[0] != '\0')
		unlinkat(st->e.dirfd, st->e.stage, AT_REMOVEDIR);
	if (failed && st->e.made)
		unmake_target(&st->e);
	if (st->e.dirfd >= 0)
		close(st->e.dirfd);
	free(st->x.path);
	free(st);
}
