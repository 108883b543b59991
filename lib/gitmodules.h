/* SPDX-License-Identifier: Apache-2.0 */
/* A reader for the .gitmodules file of a commit: each submodule's path and URL. */
#ifndef OSP_GITMODULES_H
#define OSP_GITMODULES_H

#include "common.h"

struct osp_gitmodule {
	char *name; /* the subsection: [submodule "name"] */
	char *path; /* may be NULL */
	char *url;  /* may be NULL */
};

struct osp_gitmodules {
	struct osp_gitmodule *v;
	size_t n, cap;
};

/*
 * Parses git's configuration syntax (sections, quoting, escapes, comments,
 * continued lines) and keeps submodule.<name>.path and .url; the last value of
 * a key wins, as in git. Syntax errors are OSPACK_EINPUT naming the line.
 */
ospack_error osp_gitmodules_parse(struct ospack_ctx *ctx, const char *text, size_t len,
				  struct osp_gitmodules *out);
/* The submodule whose path is path, or NULL. */
const struct osp_gitmodule *osp_gitmodules_find(const struct osp_gitmodules *m, const char *path);
void osp_gitmodules_free(struct osp_gitmodules *m);

#endif
