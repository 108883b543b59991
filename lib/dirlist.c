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

	while (a->name[i] != '\0' && a->name[i] == b->name[i])
		i++;
	ca = a->name[i] ? (unsigned char)a->name[i] : (a->dir ? '/' : 0);
	cb = b->name[i] ? (unsigned char)b->name[i] : (b->dir ? '/' : 0);
	return ca < cb ? -1 : ca > cb;
}

void osp_dirlist_free(struct osp_dirlist *dl)
{
	free(dl->text);
	free(dl->v);
	memset(dl, 0, sizeof(*dl));
}

static int add(struct osp_dirlist *dl, const char *name, bool dir)
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
	if (dl->n == dl->vcap) {
		size_t cap = dl->vcap ? dl->vcap * 2 : 64;
		struct osp_dirname *v = osp_reallocarray(dl->v, cap, sizeof(*v));

		if (v == NULL)
			return ENOMEM;
		dl->v = v;
		dl->vcap = cap;
	}
	memcpy(dl->text + dl->len, name, len);
	dl->v[dl->n++] = (struct osp_dirname){.off = dl->len, .dir = dir};
	dl->len += len;
	return 0;
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
	for (size_t i = 0; i < dl->n; i++)
		dl->v[i].name = dl->text + dl->v[i].off;
	if (dl->n > 1)
		qsort(dl->v, dl->n, sizeof(*dl->v), name_cmp);
	return err;
}
