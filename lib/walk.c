/* SPDX-License-Identifier: Apache-2.0 */
/* Collects the files of a path source: a single file, or a folder walked in byte order. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filelist.h"

/* data/<section>/<entry>/ and the file come on top, within OSP_DEPTH_MAX. */
#define WALK_MAX_DEPTH (OSP_DEPTH_MAX - 8)

struct walk {
	struct ospack_ctx *ctx;
	const struct osp_entry *e;
	struct osp_filelist *fl;
	char label[64];
	char bagdir[400];
	/* folders on the current path, to stop at a symbolic link loop */
	dev_t dev[WALK_MAX_DEPTH];
	ino_t ino[WALK_MAX_DEPTH];
	int depth;
};

static unsigned file_mode(mode_t m)
{
	return (m & (S_IXUSR | S_IXGRP | S_IXOTH)) ? 0755 : 0644;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a folder, sorted, without "." and "..". */
static ospack_error read_names(struct walk *w, int fd, const char *rel, struct osp_strv *names)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	ospack_error rc = OSPACK_OK;

	if (d == NULL) {
		close(fd);
		return osp_errno(w->ctx, errno, "cannot read folder", rel);
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (osp_strv_push(names, de->d_name) != 0) {
			rc = osp_nomem(w->ctx);
			break;
		}
	}
	if (rc == OSPACK_OK && errno != 0)
		rc = osp_errno(w->ctx, errno, "cannot read folder", rel);
	closedir(d);
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(char *), name_cmp);
	return rc;
}

static ospack_error walk_dir(struct walk *w, int fd, const char *rel);

static ospack_error add_file(struct walk *w, const char *rel, const struct stat *st)
{
	char *bagpath = osp_asprintf("%s/%s", w->bagdir, rel);
	char *src = osp_asprintf("%s/%s", w->e->abs, rel);
	ospack_error rc = OSPACK_OK;
	struct osp_file *f = NULL;

	if (bagpath == NULL || src == NULL ||
	    (f = osp_filelist_add(w->fl, w->e, bagpath, src, (uint64_t)st->st_size,
				  file_mode(st->st_mode))) == NULL)
		rc = osp_nomem(w->ctx);
	else
		f->dev = st->st_dev, f->ino = st->st_ino;
	free(bagpath);
	free(src);
	return rc;
}

static ospack_error enter_dir(struct walk *w, int parent, const char *name, const char *rel,
			      const struct stat *st)
{
	int fd;

	for (int i = 0; i < w->depth; i++)
		if (w->dev[i] == st->st_dev && w->ino[i] == st->st_ino)
			return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s: symbolic link loop",
					 w->label, rel);
	if (w->depth >= WALK_MAX_DEPTH)
		return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s: folders nested too deeply",
				 w->label, rel);
	fd = openat(parent, name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | (w->e->follow_symlinks ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return osp_errno(w->ctx, errno, "cannot open folder", rel);
	w->dev[w->depth] = st->st_dev;
	w->ino[w->depth] = st->st_ino;
	w->depth++;
	{
		ospack_error rc = walk_dir(w, fd, rel);

		w->depth--;
		return rc;
	}
}

static ospack_error walk_one(struct walk *w, int fd, const char *name, const char *rel)
{
	struct stat st;
	ospack_error rc;

	if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return osp_errno(w->ctx, errno, "cannot stat", rel);
	if (S_ISLNK(st.st_mode)) {
		if (!w->e->follow_symlinks)
			return osp_error(w->ctx, OSPACK_EMANIFEST,
					 "%s: %s: a symbolic link (set follow_symlinks: true to "
					 "bundle what it points to)",
					 w->label, rel);
		if (fstatat(fd, name, &st, 0) != 0)
			return osp_error(w->ctx, OSPACK_EMANIFEST,
					 "%s: %s: broken symbolic link: %s", w->label, rel,
					 strerror(errno));
	}
	if (osp_excluded(w->e, rel, name, S_ISDIR(st.st_mode)))
		return OSPACK_OK;
	rc = osp_check_relpath(w->ctx, w->label, rel);
	if (rc != OSPACK_OK)
		return rc;
	if (S_ISDIR(st.st_mode))
		return enter_dir(w, fd, name, rel, &st);
	if (S_ISREG(st.st_mode))
		return add_file(w, rel, &st);
	return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s: not a regular file or folder", w->label,
			 rel);
}

/* Walks the folder open as fd (and closes it), rel its path from the source's top. */
static ospack_error walk_dir(struct walk *w, int fd, const char *rel)
{
	struct osp_strv names = {0};
	const char *shown = rel ? rel : w->e->src;
	int rfd = dup(fd); /* fdopendir owns what it gets; fd stays for the *at() calls */
	ospack_error rc;

	rc = rfd < 0 ? osp_errno(w->ctx, errno, "cannot read folder", shown)
		     : read_names(w, rfd, shown, &names);
	for (size_t i = 0; rc == OSPACK_OK && i < names.n; i++) {
		const char *name = names.v[i];
		char *child;

		if (strcmp(name, ".git") == 0)
			continue;
		if (osp_interrupted()) {
			rc = osp_error(w->ctx, OSPACK_EINTR, "interrupted");
			break;
		}
		child = rel ? osp_asprintf("%s/%s", rel, name) : osp_strdup(name);
		if (child == NULL) {
			rc = osp_nomem(w->ctx);
			break;
		}
		rc = walk_one(w, fd, name, child);
		free(child);
	}
	osp_strv_free(&names);
	close(fd);
	return rc;
}

ospack_error osp_walk_entry(struct ospack_ctx *ctx, const struct osp_entry *e,
			    struct osp_filelist *fl)
{
	struct walk w = {.ctx = ctx, .e = e, .fl = fl};
	struct stat st;
	int fd;

	osp_entry_label(e, w.label, sizeof(w.label));
	osp_entry_bagdir(e, w.bagdir, sizeof(w.bagdir));
	if (stat(e->abs, &st) != 0)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: %s", w.label, e->src,
				 strerror(errno));
	if (S_ISREG(st.st_mode)) {
		const char *base = strrchr(e->abs, '/');
		struct osp_file *f = NULL;
		char *bagpath;
		ospack_error rc;

		base = base ? base + 1 : e->abs;
		rc = osp_check_relpath(ctx, w.label, base);
		if (rc != OSPACK_OK)
			return rc;
		bagpath = osp_asprintf("%s/%s", w.bagdir, base);
		if (bagpath == NULL ||
		    (f = osp_filelist_add(fl, e, bagpath, e->abs, (uint64_t)st.st_size,
					  file_mode(st.st_mode))) == NULL)
			rc = osp_nomem(ctx);
		else
			f->dev = st.st_dev, f->ino = st.st_ino;
		free(bagpath);
		return rc;
	}
	if (!S_ISDIR(st.st_mode))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: not a regular file or folder",
				 w.label, e->src);
	fd = open(e->abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return osp_errno(ctx, errno, "cannot open folder", e->src);
	w.dev[0] = st.st_dev;
	w.ino[0] = st.st_ino;
	w.depth = 1;
	return walk_dir(&w, fd, NULL);
}
