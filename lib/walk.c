/* SPDX-License-Identifier: Apache-2.0 */
/* Walks a path source, a single file or a folder, in the byte order of the bag paths. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "filelist.h"
#include "tar_write.h"

/* data/<section>/<entry>/ and the file come on top, within OSP_DEPTH_MAX. */
#define WALK_MAX_DEPTH (OSP_DEPTH_MAX - 8)
#define PATH_BUF 8192

struct walk {
	struct ospack_ctx *ctx;
	const struct osp_entry *e;
	osp_file_fn fn;
	void *arg;
	char label[64];
	/*
	 * "<bagdir>/<rel>" and "<abs>/<rel>", rel growing as the walk goes down: in
	 * the bag with the names as the archive stores them, on disk as they are.
	 */
	char bagpath[PATH_BUF];
	char src[PATH_BUF];
	size_t bagtop, srctop; /* where rel starts in each */
	struct osp_tarname *names;
	size_t keeplen; /* the bag rel of the folder being listed, for keep() */
	/* folders on the current path, to stop at a symbolic link loop */
	dev_t dev[WALK_MAX_DEPTH];
	ino_t ino[WALK_MAX_DEPTH];
	int depth;
};

static unsigned file_mode(mode_t m)
{
	return (m & (S_IXUSR | S_IXGRP | S_IXOTH)) ? 0755 : 0644;
}

static const char *bag_name(void *arg, const char *name)
{
	return osp_tarname_get(((struct walk *)arg)->names, name);
}

/* Appends "/name" (or "name" at the top) to a path whose rel is len long; -1 when too long. */
static int push(char *path, size_t top, size_t len, const char *name)
{
	size_t n = strlen(name), sep = len > 0;

	if (top + len + sep + n >= PATH_BUF)
		return -1;
	if (sep)
		path[top + len] = '/';
	memcpy(path + top + len + sep, name, n + 1);
	return 0;
}

/* Whether a name listed in the folder goes into the bag: its exclude patterns, in bag names. */
static bool keep(void *arg, const struct osp_dirname *d)
{
	struct walk *w = arg;
	bool kept = push(w->bagpath, w->bagtop, w->keeplen, d->bag) != 0 ||
		    !osp_excluded(w->e, w->bagpath + w->bagtop, d->bag, d->dir);

	w->bagpath[w->bagtop + w->keeplen] = '\0';
	return kept;
}

/*
 * The names in a folder, without ".", ".." and ".git", sorted by their names in
 * the bag. Two names that are one there (the same text, composed and decomposed)
 * are refused: the bag could hold only one of them.
 */
static ospack_error read_names(struct walk *w, int fd, const char *shown, size_t blen,
			       struct osp_dirlist *dl)
{
	int err = osp_dirlist_read(fd, w->e->follow_symlinks, dl);
	size_t k = 0, a, b;

	if (err != 0)
		return osp_errno(w->ctx, err, "cannot read folder", shown);
	for (size_t i = 0; i < dl->n; i++)
		if (strcmp(dl->v[i].name, ".git") != 0)
			dl->v[k++] = dl->v[i];
	dl->n = k;
	err = osp_dirlist_rename(dl, bag_name, w);
	if (err == ENOMEM)
		return osp_nomem(w->ctx);
	if (err != 0)
		return osp_error(w->ctx, OSPACK_EIO,
				 "%s: %s: cannot convert a name for the archive", w->label, shown);
	w->keeplen = blen;
	err = osp_dirlist_clash(dl, keep, w, &a, &b);
	if (err == ENOMEM)
		return osp_nomem(w->ctx);
	if (err != 0) {
		size_t n = strlen(w->e->src), slen = strlen(w->src + w->srctop);
		bool slash = n > 0 && w->e->src[n - 1] == '/';

		return osp_error(
			w->ctx, OSPACK_EMANIFEST,
			"%s: folder '%.*s%s%s' holds '%s' and '%s', one name after Unicode "
			"normalization (NFC): the bag can hold only one; rename one of them",
			w->label, (int)(n - slash), w->e->src, slen ? "/" : "", w->src + w->srctop,
			dl->v[a].name, dl->v[b].name);
	}
	return OSPACK_OK;
}

static ospack_error walk_dir(struct walk *w, int fd, size_t blen, size_t slen);

static ospack_error enter_dir(struct walk *w, int parent, const char *name, size_t blen,
			      size_t slen, const struct stat *st)
{
	const char *rel = w->bagpath + w->bagtop;
	ospack_error rc;
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
		return osp_error(w->ctx,
				 errno == ENOTDIR || errno == ELOOP ? OSPACK_EMANIFEST : OSPACK_EIO,
				 "%s: %s: cannot open folder: %s", w->label, rel,
				 errno == ELOOP ? "it became a symbolic link" : strerror(errno));
	w->dev[w->depth] = st->st_dev;
	w->ino[w->depth] = st->st_ino;
	w->depth++;
	rc = walk_dir(w, fd, blen, slen);
	w->depth--;
	return rc;
}

/* The file or folder name (on disk; bag its name in the bag) of the folder open as fd. */
static ospack_error walk_one(struct walk *w, int fd, const char *name, const char *bag)
{
	const char *rel = w->bagpath + w->bagtop;
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
	if (osp_excluded(w->e, rel, bag, S_ISDIR(st.st_mode)))
		return OSPACK_OK;
	rc = osp_check_relpath(w->ctx, w->label, rel);
	if (rc != OSPACK_OK)
		return rc;
	if (S_ISDIR(st.st_mode))
		return enter_dir(w, fd, name, strlen(rel), strlen(w->src + w->srctop), &st);
	if (S_ISREG(st.st_mode)) {
		struct osp_file f = {.bagpath = w->bagpath,
				     .src = w->src,
				     .size = (uint64_t)st.st_size,
				     .mode = file_mode(st.st_mode),
				     .dev = (uint64_t)st.st_dev,
				     .ino = (uint64_t)st.st_ino,
				     .entry = w->e,
				     .at = fd,
				     .atname = name};

		return w->fn(w->arg, &f);
	}
	return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s: not a regular file or folder", w->label,
			 rel);
}

/*
 * Walks the folder open as fd (and closes it); its path from the source's top
 * is blen long in the bag, slen on disk.
 */
static ospack_error walk_dir(struct walk *w, int fd, size_t blen, size_t slen)
{
	struct osp_dirlist ns;
	const char *shown = blen ? w->bagpath + w->bagtop : w->e->src;
	ospack_error rc = read_names(w, fd, shown, blen, &ns);

	for (size_t i = 0; rc == OSPACK_OK && i < ns.n; i++) {
		if (osp_interrupted()) {
			rc = osp_error(w->ctx, OSPACK_EINTR, "interrupted");
			break;
		}
		if (push(w->bagpath, w->bagtop, blen, ns.v[i].bag) != 0 ||
		    push(w->src, w->srctop, slen, ns.v[i].name) != 0) {
			rc = osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s/%s: path too long",
				       w->label, shown, ns.v[i].name);
			break;
		}
		rc = walk_one(w, fd, ns.v[i].name, ns.v[i].bag);
	}
	w->bagpath[w->bagtop + blen] = '\0';
	w->src[w->srctop + slen] = '\0';
	osp_dirlist_free(&ns);
	close(fd);
	return rc;
}

static ospack_error walk_top(struct walk *w)
{
	struct ospack_ctx *ctx = w->ctx;
	const struct osp_entry *e = w->e;
	struct stat st;
	char bagdir[400];
	int fd;

	osp_entry_bagdir(e, bagdir, sizeof(bagdir));
	/* As in the folder: a link, at the top too, is followed only when the entry says so. */
	if (lstat(e->abs, &st) != 0)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: %s", w->label, e->src,
				 strerror(errno));
	if (S_ISLNK(st.st_mode) && !e->follow_symlinks)
		return osp_error(
			ctx, OSPACK_EMANIFEST,
			"%s: %s: a symbolic link (set follow_symlinks: true to bundle what "
			"it points to)",
			w->label, e->src);
	if (S_ISLNK(st.st_mode) && stat(e->abs, &st) != 0)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: broken symbolic link: %s",
				 w->label, e->src, strerror(errno));
	if (S_ISREG(st.st_mode)) {
		const char *base = strrchr(e->abs, '/');
		struct osp_file f = {.src = e->abs,
				     .size = (uint64_t)st.st_size,
				     .mode = file_mode(st.st_mode),
				     .dev = (uint64_t)st.st_dev,
				     .ino = (uint64_t)st.st_ino,
				     .entry = e,
				     .at = AT_FDCWD,
				     .atname = e->abs};
		ospack_error rc;

		base = base ? base + 1 : e->abs;
		rc = osp_check_relpath(ctx, w->label, base);
		if (rc != OSPACK_OK)
			return rc;
		if ((base = osp_tarname_get(w->names, base)) == NULL)
			return osp_error(ctx, OSPACK_EIO,
					 "%s: %s: cannot convert the name for the archive",
					 w->label, e->src);
		if (snprintf(w->bagpath, sizeof(w->bagpath), "%s/%s", bagdir, base) >=
		    (int)sizeof(w->bagpath))
			return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: path too long", w->label,
					 base);
		f.bagpath = w->bagpath;
		return w->fn(w->arg, &f);
	}
	if (!S_ISDIR(st.st_mode))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: not a regular file or folder",
				 w->label, e->src);
	w->bagtop = (size_t)snprintf(w->bagpath, sizeof(w->bagpath), "%s/", bagdir);
	w->srctop = (size_t)snprintf(w->src, sizeof(w->src), "%s/", e->abs);
	if (w->bagtop >= sizeof(w->bagpath) / 2 || w->srctop >= sizeof(w->src) / 2)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: path too long", w->label, e->src);
	fd = open(e->abs,
		  O_RDONLY | O_DIRECTORY | O_CLOEXEC | (e->follow_symlinks ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return osp_error(ctx,
				 errno == ENOTDIR || errno == ELOOP ? OSPACK_EMANIFEST : OSPACK_EIO,
				 "%s: %s: cannot open folder: %s", w->label, e->src,
				 errno == ELOOP ? "it became a symbolic link" : strerror(errno));
	w->dev[0] = st.st_dev;
	w->ino[0] = st.st_ino;
	w->depth = 1;
	return walk_dir(w, fd, 0, 0);
}

ospack_error osp_walk_entry(struct ospack_ctx *ctx, const struct osp_entry *e, osp_file_fn fn,
			    void *arg)
{
	struct walk *w = calloc(1, sizeof(*w));
	ospack_error rc;

	if (w == NULL || (w->names = osp_tarname_new()) == NULL) {
		free(w);
		return osp_nomem(ctx);
	}
	*w = (struct walk){.ctx = ctx, .e = e, .fn = fn, .arg = arg, .names = w->names};
	osp_entry_label(e, w->label, sizeof(w->label));
	rc = walk_top(w);
	osp_tarname_free(w->names);
	free(w);
	return rc;
}
