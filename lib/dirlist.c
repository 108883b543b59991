/* SPDX-License-Identifier: Apache-2.0 */
/* Reads a folder's names and sorts them in the byte order of the paths below it. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"

static int name_cmp(const void *pa, const void *pb)
{
	const struct osp_dirname *a = pa, *b = pb;
	size_t i = 0;
	unsigned ca, cb;

	while (a->bag[i] != '\0' && a->bag[i] == b->bag[i])
		i++;
	ca = a->bag[i] ? (unsigned char)a->bag[i] : (a->dir ? '/' : 0);
	cb = b->bag[i] ? (unsigned char)b->bag[i] : (b->dir ? '/' : 0);
	return ca < cb ? -1 : ca > cb;
}

void osp_dirlist_free(struct osp_dirlist *dl)
{
	free(dl->text);
	free(dl->v);
	memset(dl, 0, sizeof(*dl));
}

/* Appends name to the text block; its offset in *off. */
static int put_text(struct osp_dirlist *dl, const char *name, size_t *off)
{
	size_t len = strlen(name) + 1;

	if (dl->len + len > dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 4096;
		char *t;

		while (cap < dl->len + len)
			cap *= 2;
		t = realloc(dl->text, cap);
		if (t == NULL)
			return ENOMEM;
		dl->text = t;
		dl->cap = cap;
	}
	memcpy(dl->text + dl->len, name, len);
	*off = dl->len;
	dl->len += len;
	return 0;
}

static int add(struct osp_dirlist *dl, const char *name, bool dir)
{
	size_t off;
	int err;

	if (dl->n == dl->vcap) {
		size_t cap = dl->vcap ? dl->vcap * 2 : 64;
		struct osp_dirname *v = osp_reallocarray(dl->v, cap, sizeof(*v));

		if (v == NULL)
			return ENOMEM;
		dl->v = v;
		dl->vcap = cap;
	}
	if ((err = put_text(dl, name, &off)) != 0)
		return err;
	dl->v[dl->n++] = (struct osp_dirname){.off = off, .bagoff = off, .dir = dir};
	return 0;
}

/* The pointers into the text block, which may have moved, and the order of the bag names. */
static void settle(struct osp_dirlist *dl)
{
	for (size_t i = 0; i < dl->n; i++) {
		dl->v[i].name = dl->text + dl->v[i].off;
		dl->v[i].bag = dl->text + dl->v[i].bagoff;
	}
	if (dl->n > 1)
		qsort(dl->v, dl->n, sizeof(*dl->v), name_cmp);
}

static bool ascii(const char *s)
{
	while (*s != '\0' && (unsigned char)*s < 0x80)
		s++;
	return *s == '\0';
}

int osp_dirlist_rename(struct osp_dirlist *dl, const char *(*fn)(void *arg, const char *name),
		       void *arg)
{
	bool changed = false;
	int err = 0;

	/* Through offsets: the text block moves as bag names are added to it. */
	for (size_t i = 0; i < dl->n && err == 0; i++) {
		const char *bag;

		if (ascii(dl->text + dl->v[i].off))
			continue;
		bag = fn(arg, dl->text + dl->v[i].off);
		if (bag == NULL)
			err = -1;
		else if (strcmp(bag, dl->text + dl->v[i].off) != 0) {
			err = put_text(dl, bag, &dl->v[i].bagoff);
			changed = true;
		}
	}
	if (changed || err != 0)
		settle(dl);
	return err;
}

static int bag_cmp(const void *pa, const void *pb)
{
	const struct osp_dirname *const *a = pa, *const *b = pb;

	return strcmp((*a)->bag, (*b)->bag);
}

int osp_dirlist_clash(const struct osp_dirlist *dl,
		      bool (*keep)(void *arg, const struct osp_dirname *d), void *arg, size_t *a,
		      size_t *b)
{
	const struct osp_dirname **w = NULL;
	size_t n = 0;
	int found = 0;

	for (size_t i = 0; i < dl->n; i++)
		if (dl->v[i].bagoff != dl->v[i].off)
			n++;
	if (n == 0)
		return 0;
	/* A clash needs a changed name; the others it can meet have a byte >= 0x80 too. */
	n = 0;
	w = calloc(dl->n, sizeof(*w));
	if (w == NULL)
		return ENOMEM;
	for (size_t i = 0; i < dl->n; i++)
		if (!ascii(dl->v[i].name) && (keep == NULL || keep(arg, &dl->v[i])))
			w[n++] = &dl->v[i];
	qsort(w, n, sizeof(*w), bag_cmp);
	for (size_t i = 1; i < n && !found; i++)
		if (strcmp(w[i]->bag, w[i - 1]->bag) == 0) {
			found = -1;
			*a = (size_t)(w[i - 1] - dl->v);
			*b = (size_t)(w[i] - dl->v);
		}
	free(w);
	return found;
}

static bool is_dir(int fd, const struct dirent *de, bool follow)
{
	struct stat st;

	if (de->d_type == DT_DIR)
		return true;
	if (de->d_type == DT_REG || (de->d_type == DT_LNK && !follow))
		return false;
	return fstatat(fd, de->d_name, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

int osp_dirlist_read(int fd, bool follow, struct osp_dirlist *dl)
{
	int rfd = dup(fd); /* fdopendir owns what it gets; fd stays for the *at() calls */
	DIR *d = rfd >= 0 ? fdopendir(rfd) : NULL;
	int err = 0;

	memset(dl, 0, sizeof(*dl));
	if (d == NULL) {
		err = errno;
		if (rfd >= 0)
			close(rfd);
		return err;
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			err = errno;
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		err = add(dl, de->d_name, is_dir(fd, de, follow));
		if (err != 0)
			break;
	}
	closedir(d);
	settle(dl);
	return err;
}
