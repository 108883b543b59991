/* SPDX-License-Identifier: Apache-2.0 */
/* Git sources through libgit2: the files of one commit's tree, never the working tree. */
#ifndef OSP_GIT_H
#define OSP_GIT_H

#include "filelist.h"

struct osp_git_submodule {
	char *path; /* inside the entry, relative to subdir when given */
	char commit[41];
	char *url; /* from .gitmodules at that commit, credentials removed; may be NULL */
};

struct osp_git_info {
	char commit[41];     /* the resolved commit id */
	char tree[41];	     /* the commit's root tree id */
	char *rev;	     /* rev as written in the manifest; NULL when HEAD was used */
	int64_t commit_time; /* committer time, seconds since the epoch */
	bool dirty;	     /* HEAD was used and tracked files had uncommitted changes */
	struct osp_git_submodule *submodules;
	size_t nsubmodules;
};

struct osp_git;

/*
 * Opens the entry's repository (e->abs; bare repositories work), resolves
 * e->rev (branch, tag, short or full commit id; HEAD when NULL) to a commit and
 * checks e->subdir exists there. With HEAD, uncommitted changes to tracked
 * files are an OSPACK_EMANIFEST error naming them, unless allow_dirty (then a
 * warning through osp_warn and info.dirty). Errors are OSPACK_EMANIFEST and
 * name the entry ("code[0]: ...").
 */
ospack_error osp_git_open(struct ospack_ctx *ctx, const struct osp_entry *e, bool allow_dirty,
			  struct osp_git **out);
const struct osp_git_info *osp_git_info(const struct osp_git *g);

/*
 * Adds the files of the commit's tree (under subdir) to fl, at
 * osp_entry_bagdir(e)/<relative path>, with src NULL, oid, size and mode 0644 or
 * 0755 from the tree's file mode. Submodules are recorded in the info and a
 * warning says they are not bundled. Symbolic links are errors naming the link
 * unless e->follow_symlinks. Git LFS pointer files are errors naming the file
 * unless e->lfs_pointers.
 */
ospack_error osp_git_collect(struct ospack_ctx *ctx, struct osp_git *g, struct osp_filelist *fl);

/* The content of a file osp_git_collect added; valid until the next call or osp_git_free. */
ospack_error osp_git_read(struct ospack_ctx *ctx, struct osp_git *g, const struct osp_file *f,
			  const void **data, size_t *len);
void osp_git_free(struct osp_git *g);

/* Removes user:password@ from a URL (into a new string). */
char *osp_git_strip_credentials(const char *url);

/*
 * NULL when url may name a repository publicly: https://, http://, ssh:// or
 * git:// with a host, or scp-like [user@]host:path. Else why not (a local path,
 * file://, another scheme), as a phrase for a message.
 */
const char *osp_git_url_problem(const char *url);

#endif
