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
		size_t off;
		const char *name;
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

#endif
