/* SPDX-License-Identifier: Apache-2.0 */
/* The names in one folder, sorted as whole paths sort: the order of a bag's entries. */
#ifndef OSP_DIRLIST_H
#define OSP_DIRLIST_H

#include "common.h"

/*
 * One block of text and an index into it. A folder sorts as its name followed
 * by '/', so that "a.b" comes before everything in "a/", as whole paths compare.
 */
struct osp_dirlist {
	char *text;
	size_t len, cap;
	struct osp_dirname {
		size_t off, bagoff;
		const char *name; /* as on disk */
		const char *bag; /* as in the bag: the name, unless osp_dirlist_rename changed it */
		bool dir;
	} * v;
	size_t n, vcap;
};

/*
 * Reads the folder open as fd (which stays open), without "." and "..";
 * follow: a symbolic link to a folder counts as a folder. 0, or an errno.
 */
int osp_dirlist_read(int fd, bool follow, struct osp_dirlist *out);
void osp_dirlist_free(struct osp_dirlist *dl);

/*
 * Gives each name with a byte >= 0x80 its bag name, fn(arg, name) (NULL on
 * failure: then -1), and sorts the list by bag names. 0, -1, or ENOMEM.
 */
int osp_dirlist_rename(struct osp_dirlist *dl, const char *(*fn)(void *arg, const char *name),
		       void *arg);
/*
 * Two names that have one bag name, both passing keep (which may be NULL): -1,
 * with their indices in *a and *b; 0 when there are none; ENOMEM. Only names
 * with a byte >= 0x80 can clash: the bag name of one has such a byte too.
 */
int osp_dirlist_clash(const struct osp_dirlist *dl,
		      bool (*keep)(void *arg, const struct osp_dirname *d), void *arg, size_t *a,
		      size_t *b);

#endif
