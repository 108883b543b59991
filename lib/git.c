/* SPDX-License-Identifier: Apache-2.0 */
/* Git sources through libgit2: resolve a commit, refuse a dirty HEAD, list the commit's files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <git2.h>

#include "git.h"
#include "gitmodules.h"
#include "tar_write.h"

#define DIRTY_NAMED 5	     /* files a dirty-tree message names before "and N more" */
#define LINK_HOPS_MAX 40     /* links followed to resolve one path, as Linux allows */
#define LINK_TARGET_MAX 4096 /* bytes of a symbolic link's target */
#define PATH_LEN_MAX 4096    /* bytes of a path inside the repository */
#define GITMODULES_MAX (1024 * 1024)
#define LFS_POINTER_MAX 1024 /* git-lfs writes pointers of about 130 bytes */
#define FILES_MAX 10000000   /* files one entry may give, followed links included */

_Static_assert(sizeof(((struct osp_file *)0)->oid) == GIT_OID_RAWSZ, "blob ids are SHA-1");

static const char lfs_version[] = "version https://git-lfs.github.com/spec/v1";

struct osp_git {
	const struct osp_entry *e;
	char label[64]; /* "code[0]" */
	char *bagdir;	/* "data/code/trainer" */
	git_repository *repo;
	git_odb *odb;
	git_commit *commit;
	git_tree *root; /* the commit's tree */
	git_tree *sub;	/* the subdir's tree; NULL without subdir */
	char *subdir;	/* subdir without a trailing '/' */
	git_blob *blob; /* what osp_git_read gave last */
	struct osp_gitmodules modules;
	bool modules_read;
	bool initialised;
	struct osp_git_info info;
};

/* Translates libgit2's last error, once, where it enters. */
static ospack_error git_fail(struct ospack_ctx *ctx, const struct osp_git *g, const char *what)
{
	const git_error *err = git_error_last();
	const char *msg = err != NULL && err->message != NULL ? err->message : "unknown error";

	if (err != NULL && err->klass == GIT_ERROR_NOMEMORY)
		return osp_nomem(ctx);
	return osp_error(ctx,
			 err != NULL && err->klass == GIT_ERROR_OS ? OSPACK_EIO : OSPACK_EMANIFEST,
			 "%s: %s: %s: %s", g->label, g->e->src, what, msg);
}

/* An error about the repository as a whole: "code[0]: ../trainer: ...". */
static ospack_error repo_error(struct ospack_ctx *ctx, const struct osp_git *g, const char *fmt,
			       ...) __attribute__((format(printf, 3, 4)));
static ospack_error repo_error(struct ospack_ctx *ctx, const struct osp_git *g, const char *fmt,
			       ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: %s", g->label, g->e->src, msg);
}

static bool uses_head(const struct osp_entry *e)
{
	return e->rev == NULL || strcmp(e->rev, "HEAD") == 0;
}

/* ---- opening ---- */

static pthread_mutex_t owner_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Owner validation is off while ospack opens a repository. git's safe.directory
 * rule exists because git runs programs a repository's configuration names
 * (hooks, core.fsmonitor, filter and diff drivers). libgit2 runs none of them,
 * and ospack only reads objects, refs, the index and configuration values, so
 * a repository owned by someone else cannot make ospack execute anything;
 * refusing it would only break the common CI set-up where the checkout belongs
 * to another uid than the job. The setting is process-wide: it is restored
 * right after the open, under a lock.
 */
static int open_unvalidated(git_repository **repo, const char *path)
{
	int validate = 1, rc;

	pthread_mutex_lock(&owner_lock);
	git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &validate);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	/* NO_SEARCH: a plain folder inside some other repository is not that repository. */
	rc = git_repository_open_ext(repo, path, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL);
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, validate);
	pthread_mutex_unlock(&owner_lock);
	return rc;
}

/* A repository with no reference at all has no commit to take files from. */
static bool no_refs(git_repository *repo)
{
	git_reference_iterator *it = NULL;
	git_reference *ref = NULL;
	bool none;

	if (git_repository_head_unborn(repo) != 1)
		return false;
	if (git_reference_iterator_new(&it, repo) < 0)
		return false;
	none = git_reference_next(&ref, it) == GIT_ITEROVER;
	git_reference_free(ref);
	git_reference_iterator_free(it);
	return none;
}

static ospack_error open_repository(struct ospack_ctx *ctx, struct osp_git *g)
{
	struct stat st;
	int rc = open_unvalidated(&g->repo, g->e->abs);

	if (rc == GIT_ENOTFOUND) {
		if (stat(g->e->abs, &st) != 0)
			return repo_error(ctx, g, "%s", strerror(errno));
		return repo_error(ctx, g, "not a git repository");
	}
	if (rc < 0)
		return git_fail(ctx, g, "cannot open the repository");
	if (git_repository_is_empty(g->repo) == 1 || no_refs(g->repo))
		return repo_error(ctx, g, "the repository has no commits");
	if (git_repository_odb(&g->odb, g->repo) < 0)
		return git_fail(ctx, g, "cannot open the object database");
	return OSPACK_OK;
}

static ospack_error rev_error(struct ospack_ctx *ctx, const struct osp_git *g, const char *spec,
			      int rc)
{
	char what[300];

	if (rc == GIT_EAMBIGUOUS)
		return repo_error(ctx, g, "revision '%s' is ambiguous", spec);
	if (rc != GIT_ENOTFOUND && rc != GIT_EINVALIDSPEC) {
		snprintf(what, sizeof(what), "cannot resolve revision '%s'", spec);
		return git_fail(ctx, g, what);
	}
	if (g->e->rev == NULL && git_repository_head_unborn(g->repo) == 1)
		return repo_error(ctx, g, "HEAD has no commits yet (set rev: to a branch or tag)");
	if (git_repository_is_shallow(g->repo) == 1)
		return repo_error(ctx, g,
				  "unknown revision '%s' (the repository is a shallow clone: the "
				  "commit may lie beyond its history; fetch more of it)",
				  spec);
	return repo_error(ctx, g, "unknown revision '%s'", spec);
}

/* Resolves rev (HEAD when NULL) to a commit, peeling annotated tags. */
static ospack_error resolve_rev(struct ospack_ctx *ctx, struct osp_git *g)
{
	const char *spec = g->e->rev != NULL ? g->e->rev : "HEAD";
	git_object *obj = NULL, *commit = NULL;
	ospack_error ret = OSPACK_OK;
	int rc;

	rc = git_revparse_single(&obj, g->repo, spec);
	if (rc < 0) {
		ret = rev_error(ctx, g, spec, rc);
		goto out;
	}
	rc = git_object_peel(&commit, obj, GIT_OBJECT_COMMIT);
	if (rc == GIT_EINVALIDSPEC || rc == GIT_EPEEL) {
		ret = repo_error(ctx, g, "revision '%s' names a %s, not a commit", spec,
				 git_object_type2string(git_object_type(obj)));
		goto out;
	}
	if (rc < 0) {
		ret = git_fail(ctx, g, "cannot read the commit");
		goto out;
	}
	g->commit = (git_commit *)commit;
	commit = NULL;
	if (git_commit_tree(&g->root, g->commit) < 0) {
		ret = git_fail(ctx, g, "cannot read the commit's tree");
		goto out;
	}
	git_oid_tostr(g->info.commit, sizeof(g->info.commit), git_commit_id(g->commit));
	git_oid_tostr(g->info.tree, sizeof(g->info.tree), git_tree_id(g->root));
	g->info.commit_time = (int64_t)git_commit_time(g->commit);
out:
	git_object_free(obj);
	git_object_free(commit);
	return ret;
}

static ospack_error find_subdir(struct ospack_ctx *ctx, struct osp_git *g)
{
	git_tree_entry *te = NULL;
	const char *sub = g->e->subdir;
	size_t n = strlen(sub);
	ospack_error ret;
	char what[128];
	int rc;

	while (n > 1 && sub[n - 1] == '/')
		n--;
	if ((g->subdir = osp_strndup(sub, n)) == NULL)
		return osp_nomem(ctx);
	snprintf(what, sizeof(what), "%s: subdir", g->label);
	if ((ret = osp_check_relpath(ctx, what, g->subdir)) != OSPACK_OK)
		return ret;
	rc = git_tree_entry_bypath(&te, g->root, g->subdir);
	if (rc == GIT_ENOTFOUND)
		ret = repo_error(ctx, g, "subdir '%s' does not exist at commit %.12s", g->subdir,
				 g->info.commit);
	else if (rc < 0)
		ret = git_fail(ctx, g, "cannot look up the subdir");
	else if (git_tree_entry_filemode(te) != GIT_FILEMODE_TREE)
		ret = repo_error(ctx, g, "subdir '%s' is not a folder at commit %.12s", g->subdir,
				 g->info.commit);
	else if (git_tree_lookup(&g->sub, g->repo, git_tree_entry_id(te)) < 0)
		ret = git_fail(ctx, g, "cannot read the subdir");
	git_tree_entry_free(te);
	return ret;
}

/* ---- the working tree ---- */

static ospack_error diff_paths(struct ospack_ctx *ctx, const git_diff *diff, struct osp_strv *paths)
{
	size_t n = git_diff_num_deltas(diff);

	for (size_t i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const char *p = d->new_file.path != NULL ? d->new_file.path : d->old_file.path;

		if (osp_strv_push(paths, p) != 0)
			return osp_nomem(ctx);
	}
	return OSPACK_OK;
}

/* Tracked files whose staged or working copy differs from the commit (untracked: no matter). */
static ospack_error changed_files(struct ospack_ctx *ctx, struct osp_git *g, struct osp_strv *paths)
{
	git_diff_options opts;
	git_diff *staged = NULL, *unstaged = NULL;
	char *spec[1] = {g->subdir};
	ospack_error ret;

	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	/* Of a submodule only a moved HEAD counts: its commit is all that is recorded. */
	opts.ignore_submodules = GIT_SUBMODULE_IGNORE_DIRTY;
	if (g->subdir != NULL && !g->e->follow_symlinks) {
		/* Nothing outside subdir is bundled (a followed link might reach out). */
		opts.pathspec.strings = spec;
		opts.pathspec.count = 1;
		opts.flags |= GIT_DIFF_DISABLE_PATHSPEC_MATCH;
	}
	if (git_diff_tree_to_index(&staged, g->repo, g->root, NULL, &opts) < 0 ||
	    git_diff_index_to_workdir(&unstaged, g->repo, NULL, &opts) < 0) {
		ret = git_fail(ctx, g, "cannot compare the working tree with HEAD");
		goto out;
	}
	ret = diff_paths(ctx, staged, paths);
	if (ret == OSPACK_OK)
		ret = diff_paths(ctx, unstaged, paths);
out:
	git_diff_free(staged);
	git_diff_free(unstaged);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "a, b, c and 4 more", from the sorted, distinct paths. */
static char *name_files(struct osp_strv *paths)
{
	struct osp_buf b = {0};
	size_t distinct = 0;

	qsort(paths->v, paths->n, sizeof(*paths->v), cmp_str);
	for (size_t i = 0; i < paths->n; i++) {
		if (i > 0 && strcmp(paths->v[i], paths->v[i - 1]) == 0)
			continue;
		if (distinct < DIRTY_NAMED)
			osp_buf_printf(&b, "%s%s", distinct > 0 ? ", " : "", paths->v[i]);
		distinct++;
	}
	if (distinct > DIRTY_NAMED)
		osp_buf_printf(&b, " and %zu more", distinct - DIRTY_NAMED);
	/* Messages are one line, whatever the file names hold. */
	for (size_t i = 0; i < b.len; i++)
		if ((unsigned char)b.data[i] < 0x20)
			b.data[i] = '?';
	return osp_buf_steal(&b, NULL);
}

static ospack_error check_dirty(struct ospack_ctx *ctx, struct osp_git *g, bool allow_dirty)
{
	struct osp_strv paths = {0};
	char *list = NULL;
	ospack_error ret;

	if (!uses_head(g->e) || git_repository_is_bare(g->repo) == 1)
		return OSPACK_OK;
	ret = changed_files(ctx, g, &paths);
	if (ret != OSPACK_OK || paths.n == 0)
		goto out;
	if ((list = name_files(&paths)) == NULL) {
		ret = osp_nomem(ctx);
		goto out;
	}
	if (!allow_dirty) {
		ret = repo_error(ctx, g,
				 "uncommitted changes to tracked files: %s (commit them, or "
				 "accept a dirty tree)",
				 list);
		goto out;
	}
	osp_warn(ctx, "%s: %s: uncommitted changes to %s are not bundled; commit %.12s is",
		 g->label, g->e->src, list, g->info.commit);
	g->info.dirty = true;
out:
	free(list);
	osp_strv_free(&paths);
	return ret;
}

static ospack_error open_steps(struct ospack_ctx *ctx, struct osp_git *g, bool allow_dirty)
{
	ospack_error rc;

	if ((rc = open_repository(ctx, g)) != OSPACK_OK)
		return rc;
	if ((rc = resolve_rev(ctx, g)) != OSPACK_OK)
		return rc;
	if (g->e->subdir != NULL && (rc = find_subdir(ctx, g)) != OSPACK_OK)
		return rc;
	if ((rc = check_dirty(ctx, g, allow_dirty)) != OSPACK_OK)
		return rc;
	if (g->e->rev != NULL && (g->info.rev = osp_strdup(g->e->rev)) == NULL)
		return osp_nomem(ctx);
	return OSPACK_OK;
}

ospack_error osp_git_open(struct ospack_ctx *ctx, const struct osp_entry *e, bool allow_dirty,
			  struct osp_git **out)
{
	struct osp_git *g = NULL;
	char dir[4096];
	ospack_error rc;

	*out = NULL;
	if (e->source != OSP_SRC_GIT || e->abs == NULL || e->src == NULL || e->name == NULL)
		return osp_error(ctx, OSPACK_EUSAGE, "osp_git_open: not a git entry");
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return osp_nomem(ctx);
	g->e = e;
	osp_entry_label(e, g->label, sizeof(g->label));
	osp_entry_bagdir(e, dir, sizeof(dir));
	if (strlen(dir) + 1 >= sizeof(dir)) {
		rc = osp_error(ctx, OSPACK_EMANIFEST, "%s: the entry's name is too long", g->label);
		goto out;
	}
	if ((g->bagdir = osp_strdup(dir)) == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	if (git_libgit2_init() < 0) {
		rc = git_fail(ctx, g, "cannot initialise libgit2");
		goto out;
	}
	g->initialised = true;
	rc = open_steps(ctx, g, allow_dirty);
out:
	if (rc != OSPACK_OK) {
		osp_git_free(g);
		return rc;
	}
	*out = g;
	return OSPACK_OK;
}

const struct osp_git_info *osp_git_info(const struct osp_git *g)
{
	return &g->info;
}

/* ---- the commit's files ---- */

/* A folder being walked, as a path in the repository ("" for the root): no link may lead here. */
struct frame {
	const char *real;
	const struct frame *up;
};

struct walk {
	struct ospack_ctx *ctx;
	struct osp_git *g;
	struct osp_filelist *fl;
	size_t count;
	struct osp_tarname *names; /* the names as the archive stores them */
};

/* An error about one path of the entry: "code[0]: src/x is ...". */
static ospack_error walk_error(struct walk *w, const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static ospack_error walk_error(struct walk *w, const char *rel, const char *fmt, ...)
{
	const char *sub = w->g->subdir;
	char msg[700];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s%s%s %s", w->g->label,
			 sub != NULL ? sub : "", sub != NULL ? "/" : "", rel, msg);
}

static char *join(const char *dir, const char *name)
{
	return dir[0] == '\0' ? osp_strdup(name) : osp_asprintf("%s/%s", dir, name);
}

static ospack_error walk_tree(struct walk *w, const git_tree *tree, const struct frame *self,
			      const char *out);

static ospack_error check_lfs(struct walk *w, const git_oid *oid, size_t size, const char *rel)
{
	git_blob *blob = NULL;
	bool pointer;

	if (size < sizeof(lfs_version) - 1 || size >= LFS_POINTER_MAX)
		return OSPACK_OK;
	if (git_blob_lookup(&blob, w->g->repo, oid) < 0)
		return git_fail(w->ctx, w->g, "cannot read a blob");
	pointer = memcmp(git_blob_rawcontent(blob), lfs_version, sizeof(lfs_version) - 1) == 0;
	git_blob_free(blob);
	if (pointer)
		return walk_error(w, rel,
				  "is a Git LFS pointer, the content is not in the repository "
				  "(set lfs: pointers to bundle the pointer files)");
	return OSPACK_OK;
}

static ospack_error add_blob(struct walk *w, const git_oid *oid, git_filemode_t mode,
			     const char *rel)
{
	git_object_t type;
	struct osp_file *f;
	char *bagpath;
	size_t size;
	ospack_error rc;

	if (++w->count > FILES_MAX)
		return walk_error(w, rel, "is one file too many (at most %d)", FILES_MAX);
	if (git_odb_read_header(&size, &type, w->g->odb, oid) < 0)
		return walk_error(w, rel, "is missing from the object database (a partial clone?)");
	if (type != GIT_OBJECT_BLOB)
		return walk_error(w, rel, "is not a blob in the object database");
	if (!w->g->e->lfs_pointers && (rc = check_lfs(w, oid, size, rel)) != OSPACK_OK)
		return rc;
	bagpath = osp_asprintf("%s/%s", w->g->bagdir, rel);
	f = bagpath == NULL ? NULL
			    : osp_filelist_add(w->fl, w->g->e, bagpath, NULL, size,
					       mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
	free(bagpath);
	if (f == NULL)
		return osp_nomem(w->ctx);
	memcpy(f->oid, oid->id, sizeof(f->oid));
	return OSPACK_OK;
}

/* Reads .gitmodules of the commit once; a file git cannot use either only costs the URLs. */
static ospack_error load_modules(struct walk *w)
{
	struct ospack_ctx local = {0};
	struct osp_git *g = w->g;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	ospack_error ret = OSPACK_OK;
	int rc;

	if (g->modules_read)
		return OSPACK_OK;
	g->modules_read = true;
	rc = git_tree_entry_bypath(&te, g->root, ".gitmodules");
	if (rc == GIT_ENOTFOUND || (rc == 0 && git_tree_entry_filemode(te) != GIT_FILEMODE_BLOB))
		goto out;
	if (rc < 0 || git_blob_lookup(&blob, g->repo, git_tree_entry_id(te)) < 0) {
		ret = git_fail(w->ctx, g, "cannot read .gitmodules");
		goto out;
	}
	if (git_blob_rawsize(blob) > GITMODULES_MAX) {
		osp_warn(w->ctx,
			 "%s: %s: .gitmodules is too large; submodule URLs are not recorded",
			 g->label, g->e->src);
		goto out;
	}
	rc = osp_gitmodules_parse(&local, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
				  &g->modules);
	if (rc == OSPACK_ENOMEM)
		ret = osp_nomem(w->ctx);
	else if (rc != OSPACK_OK)
		osp_warn(w->ctx, "%s: %s: .gitmodules: %s; submodule URLs are not recorded",
			 g->label, g->e->src, local.msg);
out:
	git_blob_free(blob);
	git_tree_entry_free(te);
	return ret;
}

static ospack_error add_submodule(struct walk *w, const git_oid *oid, const char *real,
				  const char *rel)
{
	struct osp_git_info *info = &w->g->info;
	const struct osp_gitmodule *m;
	struct osp_git_submodule *v, *s;
	ospack_error rc;

	if ((rc = load_modules(w)) != OSPACK_OK)
		return rc;
	v = osp_reallocarray(info->submodules, info->nsubmodules + 1, sizeof(*v));
	if (v == NULL)
		return osp_nomem(w->ctx);
	info->submodules = v;
	s = &v[info->nsubmodules];
	memset(s, 0, sizeof(*s));
	git_oid_tostr(s->commit, sizeof(s->commit), oid);
	m = osp_gitmodules_find(&w->g->modules, real);
	s->path = osp_strdup(rel);
	s->url = m != NULL ? osp_git_strip_credentials(m->url) : NULL;
	if (s->path == NULL || (m != NULL && m->url != NULL && s->url == NULL)) {
		free(s->path);
		free(s->url);
		return osp_nomem(w->ctx);
	}
	/* A URL relative to the repository's own (../lib.git) is the same in every clone and
	 * says where to look; a path on this machine says nothing to anyone else. */
	if (s->url != NULL && strncmp(s->url, "./", 2) != 0 && strncmp(s->url, "../", 3) != 0 &&
	    osp_git_url_problem(s->url) != NULL) {
		osp_warn(w->ctx,
			 "%s: submodule %s: its URL in .gitmodules is not public (%s); "
			 "the statement records none",
			 w->g->label, rel, osp_git_url_problem(s->url));
		free(s->url);
		s->url = NULL;
	}
	info->nsubmodules++;
	osp_warn(w->ctx, "%s: submodule %s%s%s (commit %s) is recorded, not bundled", w->g->label,
		 w->g->subdir != NULL ? w->g->subdir : "", w->g->subdir != NULL ? "/" : "", rel,
		 s->commit);
	return OSPACK_OK;
}

/* ---- symbolic links ---- */

/* Where a link leads: a path in the commit's tree, never through another link. */
struct target {
	char *real;
	git_oid oid;
	git_filemode_t mode;
};

struct resolver {
	struct walk *w;
	const char *rel;     /* the link, for messages */
	struct osp_buf done; /* resolved so far, from the repository root */
	struct osp_buf todo; /* still to resolve, from pos */
	size_t pos;
	unsigned hops;
	bool in_file; /* done names a file: nothing may follow */
};

/* Puts the target of the link blob oid in front of what remains to resolve. */
static ospack_error expand(struct resolver *r, const git_oid *oid)
{
	struct osp_buf next = {0};
	git_blob *blob = NULL;
	const char *data;
	size_t n;
	ospack_error rc = OSPACK_OK;

	if (git_blob_lookup(&blob, r->w->g->repo, oid) < 0)
		return git_fail(r->w->ctx, r->w->g, "cannot read a symbolic link");
	data = git_blob_rawcontent(blob);
	n = (size_t)git_blob_rawsize(blob);
	if (n == 0 || n > LINK_TARGET_MAX || memchr(data, '\0', n) != NULL) {
		rc = walk_error(r->w, r->rel, "is a symbolic link with an empty or invalid target");
		goto out;
	}
	if (data[0] == '/') {
		rc = walk_error(r->w, r->rel,
				"is a symbolic link to an absolute path, outside the repository");
		goto out;
	}
	osp_buf_add(&next, data, n);
	if (r->pos < r->todo.len) {
		osp_buf_putc(&next, '/');
		osp_buf_puts(&next, r->todo.data + r->pos);
	}
	if (next.failed) {
		rc = osp_nomem(r->w->ctx);
		goto out;
	}
	osp_buf_free(&r->todo);
	r->todo = next;
	next = (struct osp_buf){0};
	r->pos = 0;
out:
	osp_buf_free(&next);
	git_blob_free(blob);
	return rc;
}

static ospack_error pop(struct resolver *r)
{
	char *slash;

	if (r->done.len == 0)
		return walk_error(r->w, r->rel,
				  "is a symbolic link that leads outside the repository");
	slash = strrchr(r->done.data, '/');
	r->done.len = slash != NULL ? (size_t)(slash - r->done.data) : 0;
	r->done.data[r->done.len] = '\0';
	return OSPACK_OK;
}

/* Resolves the next component of todo: ".", "..", a name, or a link to expand. */
static ospack_error resolve_step(struct resolver *r)
{
	const char *comp = r->todo.data + r->pos;
	size_t n = strcspn(comp, "/"), keep = r->done.len;
	git_tree_entry *te = NULL;
	ospack_error rc = OSPACK_OK;
	int err;

	r->pos += n + (comp[n] == '/' ? 1 : 0);
	if (r->in_file)
		return walk_error(r->w, r->rel, "is a symbolic link through %s, which is a file",
				  r->done.data);
	if (n == 0 || (n == 1 && comp[0] == '.'))
		return OSPACK_OK;
	if (n == 2 && comp[0] == '.' && comp[1] == '.')
		return pop(r);
	if (keep > 0)
		osp_buf_putc(&r->done, '/');
	osp_buf_add(&r->done, comp, n);
	if (r->done.failed || r->done.len > PATH_LEN_MAX)
		return r->done.failed ? osp_nomem(r->w->ctx)
				      : walk_error(r->w, r->rel, "is a symbolic link too long");
	err = git_tree_entry_bypath(&te, r->w->g->root, r->done.data);
	if (err == GIT_ENOTFOUND)
		return walk_error(r->w, r->rel, "is a symbolic link to %s, which does not exist",
				  r->done.data);
	if (err < 0)
		return git_fail(r->w->ctx, r->w->g, "cannot resolve a symbolic link");
	if (git_tree_entry_filemode(te) != GIT_FILEMODE_LINK) {
		r->in_file = git_tree_entry_filemode(te) != GIT_FILEMODE_TREE;
	} else if (++r->hops > LINK_HOPS_MAX) {
		rc = walk_error(r->w, r->rel, "is a symbolic link with too many levels of links");
	} else {
		r->done.len = keep;
		r->done.data[keep] = '\0';
		rc = expand(r, git_tree_entry_id(te));
	}
	git_tree_entry_free(te);
	return rc;
}

/*
 * Resolves the link blob oid found in folder dir, inside the commit's tree:
 * relative to dir, through further links, never above the repository root.
 */
static ospack_error resolve_link(struct walk *w, const char *dir, const git_oid *oid,
				 const char *rel, struct target *t)
{
	struct resolver r = {.w = w, .rel = rel};
	git_tree_entry *te = NULL;
	ospack_error rc;

	osp_buf_puts(&r.done, dir);
	rc = r.done.failed ? osp_nomem(w->ctx) : expand(&r, oid);
	while (rc == OSPACK_OK && r.pos < r.todo.len)
		rc = resolve_step(&r);
	if (rc != OSPACK_OK)
		goto out;
	if (r.done.len == 0) {
		git_oid_cpy(&t->oid, git_tree_id(w->g->root));
		t->mode = GIT_FILEMODE_TREE;
	} else if (git_tree_entry_bypath(&te, w->g->root, r.done.data) == 0) {
		git_oid_cpy(&t->oid, git_tree_entry_id(te));
		t->mode = git_tree_entry_filemode(te);
	} else {
		rc = git_fail(w->ctx, w->g, "cannot resolve a symbolic link");
		goto out;
	}
	if ((t->real = osp_strdup(r.done.data)) == NULL)
		rc = osp_nomem(w->ctx);
out:
	git_tree_entry_free(te);
	osp_buf_free(&r.done);
	osp_buf_free(&r.todo);
	return rc;
}

static ospack_error link_to_tree(struct walk *w, const struct target *t, const struct frame *dir,
				 const char *rel)
{
	struct frame self = {t->real, dir};
	size_t n = strlen(t->real);
	git_tree *tree = NULL;
	ospack_error rc;

	/* Walking a folder that holds the one being walked would meet this link again. */
	for (const struct frame *p = dir; p != NULL; p = p->up)
		if (n == 0 || (strncmp(p->real, t->real, n) == 0 &&
			       (p->real[n] == '\0' || p->real[n] == '/')))
			return walk_error(w, rel, "is a symbolic link to %s, which contains it",
					  n == 0 ? "the repository root" : t->real);
	if (git_tree_lookup(&tree, w->g->repo, &t->oid) < 0)
		return git_fail(w->ctx, w->g, "cannot read a folder");
	rc = walk_tree(w, tree, &self, rel);
	git_tree_free(tree);
	return rc;
}

static ospack_error follow_link(struct walk *w, const git_tree_entry *te, const struct frame *dir,
				const char *rel)
{
	struct target t = {0};
	ospack_error rc;

	if (!w->g->e->follow_symlinks)
		return walk_error(w, rel,
				  "is a symbolic link (set follow_symlinks: true to bundle "
				  "its target)");
	rc = resolve_link(w, dir->real, git_tree_entry_id(te), rel, &t);
	if (rc != OSPACK_OK)
		goto out;
	switch (t.mode) {
	case GIT_FILEMODE_TREE:
		rc = link_to_tree(w, &t, dir, rel);
		break;
	case GIT_FILEMODE_BLOB:
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		rc = add_blob(w, &t.oid, t.mode, rel);
		break;
	default:
		rc = walk_error(w, rel,
				"is a symbolic link to %s, a submodule, which is not bundled",
				t.real);
		break;
	}
out:
	free(t.real);
	return rc;
}

/* ---- the walk ---- */

static ospack_error walk_subtree(struct walk *w, const git_oid *oid, const char *real,
				 const struct frame *dir, const char *rel)
{
	struct frame self = {real, dir};
	git_tree *tree = NULL;
	ospack_error rc;

	if (git_tree_lookup(&tree, w->g->repo, oid) < 0)
		return git_fail(w->ctx, w->g, "cannot read a folder");
	rc = walk_tree(w, tree, &self, rel);
	git_tree_free(tree);
	return rc;
}

static ospack_error check_name(struct walk *w, const char *name, const char *rel)
{
	if (strchr(name, '/') != NULL)
		return walk_error(w, rel, "has a '/' in a tree entry's name");
	/* Any case: on a case-insensitive file system .GIT is a repository too. */
	if (strcasecmp(name, ".git") == 0)
		return walk_error(w, rel, "is named like git's own folder, which git refuses");
	if (strlen(rel) > PATH_LEN_MAX)
		return walk_error(w, rel, "is too long a path");
	return osp_check_relpath(w->ctx, w->g->label, rel);
}

static ospack_error walk_entry(struct walk *w, const git_tree_entry *te, const struct frame *dir,
			       const char *out)
{
	const char *name = git_tree_entry_name(te), *bag = osp_tarname_get(w->names, name);
	git_filemode_t mode = git_tree_entry_filemode(te);
	char *real = join(dir->real, name), *rel = bag != NULL ? join(out, bag) : NULL;
	ospack_error rc;

	if (bag == NULL) {
		rc = walk_error(w, out, "holds a name that cannot be converted for the archive");
		goto out;
	}
	if (real == NULL || rel == NULL) {
		rc = osp_nomem(w->ctx);
		goto out;
	}
	if (osp_interrupted()) {
		rc = osp_error(w->ctx, OSPACK_EINTR, "interrupted");
		goto out;
	}
	if ((rc = check_name(w, name, rel)) != OSPACK_OK)
		goto out;
	if (osp_excluded(w->g->e, rel, strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel,
			 mode == GIT_FILEMODE_TREE))
		goto out;
	if (mode == GIT_FILEMODE_TREE)
		rc = walk_subtree(w, git_tree_entry_id(te), real, dir, rel);
	else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE)
		rc = add_blob(w, git_tree_entry_id(te), mode, rel);
	else if (mode == GIT_FILEMODE_LINK)
		rc = follow_link(w, te, dir, rel);
	else if (mode == GIT_FILEMODE_COMMIT)
		rc = add_submodule(w, git_tree_entry_id(te), real, rel);
	else
		rc = walk_error(w, rel, "has an unknown file mode %o", (unsigned)mode);
out:
	free(real);
	free(rel);
	return rc;
}

struct bagname {
	char *bag;
	const char *name;
	bool changed;
};

static int cmp_bagname(const void *a, const void *b)
{
	return strcmp(((const struct bagname *)a)->bag, ((const struct bagname *)b)->bag);
}

/* The bag name of a tree entry with a byte >= 0x80 that the entry bundles, into *v. */
static ospack_error bagname_of(struct walk *w, const git_tree_entry *te, const char *out,
			       struct bagname *v, bool *kept)
{
	const char *name = git_tree_entry_name(te), *bag;
	char *rel;

	*kept = false;
	for (const char *c = name; !*kept && *c != '\0'; c++)
		*kept = (unsigned char)*c >= 0x80;
	if (!*kept)
		return OSPACK_OK;
	if ((bag = osp_tarname_get(w->names, name)) == NULL)
		return walk_error(w, out, "holds a name that cannot be converted for the archive");
	*v = (struct bagname){osp_strdup(bag), name, strcmp(bag, name) != 0};
	rel = join(out, bag);
	if (v->bag == NULL || rel == NULL) {
		free(v->bag);
		free(rel);
		return osp_nomem(w->ctx);
	}
	*kept = !osp_excluded(w->g->e, rel, v->bag,
			      git_tree_entry_filemode(te) == GIT_FILEMODE_TREE);
	free(rel);
	if (!*kept)
		free(v->bag);
	return OSPACK_OK;
}

static ospack_error clash_error(struct walk *w, const char *out, const char *a, const char *b)
{
	const char *src = w->g->e->src, *sub = w->g->subdir != NULL ? w->g->subdir : "";
	size_t n = strlen(src);
	bool slash = n > 0 && src[n - 1] == '/';

	return osp_error(w->ctx, OSPACK_EMANIFEST,
			 "%s: folder '%.*s%s%s%s%s' holds '%s' and '%s', one name after Unicode "
			 "normalization (NFC): the bag can hold only one; rename one of them",
			 w->g->label, (int)(n - slash), src, sub[0] ? "/" : "", sub,
			 out[0] ? "/" : "", out, a, b);
}

/*
 * Two entries of one tree that are one name in the bag (the same text, composed
 * and decomposed) are refused, as in a folder on disk: the bag holds one only.
 */
static ospack_error check_clash(struct walk *w, const git_tree *tree, const char *out)
{
	size_t n = git_tree_entrycount(tree), k = 0, changed = 0;
	struct bagname *v = calloc(n ? n : 1, sizeof(*v));
	ospack_error rc = v == NULL ? osp_nomem(w->ctx) : OSPACK_OK;

	for (size_t i = 0; i < n && rc == OSPACK_OK; i++) {
		bool kept;

		rc = bagname_of(w, git_tree_entry_byindex(tree, i), out, &v[k], &kept);
		if (rc == OSPACK_OK && kept)
			changed += v[k++].changed;
	}
	if (rc == OSPACK_OK && changed > 0) {
		qsort(v, k, sizeof(*v), cmp_bagname);
		for (size_t i = 1; i < k && rc == OSPACK_OK; i++)
			if (strcmp(v[i].bag, v[i - 1].bag) == 0)
				rc = clash_error(w, out, v[i - 1].name, v[i].name);
	}
	for (size_t i = 0; i < k; i++)
		free(v[i].bag);
	free(v);
	return rc;
}

/* In the tree's own order (git sorts entries), so the walk is the same in every clone. */
static ospack_error walk_tree(struct walk *w, const git_tree *tree, const struct frame *self,
			      const char *out)
{
	size_t n = git_tree_entrycount(tree);
	ospack_error rc = check_clash(w, tree, out);

	for (size_t i = 0; i < n && rc == OSPACK_OK; i++)
		rc = walk_entry(w, git_tree_entry_byindex(tree, i), self, out);
	return rc;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct osp_file *)a)->bagpath, ((const struct osp_file *)b)->bagpath);
}

/* A malformed tree can name an entry twice; the bag must not. */
static ospack_error check_unique(struct walk *w, size_t first)
{
	struct osp_file *v = w->fl->v + first;
	size_t n = w->fl->n - first;

	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_file);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i].bagpath, v[i - 1].bagpath) == 0)
			return osp_error(w->ctx, OSPACK_EMANIFEST, "%s: %s: %s appears twice",
					 w->g->label, w->g->e->src, v[i].bagpath);
	return OSPACK_OK;
}

static void free_submodules(struct osp_git_info *info)
{
	for (size_t i = 0; i < info->nsubmodules; i++) {
		free(info->submodules[i].path);
		free(info->submodules[i].url);
	}
	free(info->submodules);
	info->submodules = NULL;
	info->nsubmodules = 0;
}

ospack_error osp_git_collect(struct ospack_ctx *ctx, struct osp_git *g, struct osp_filelist *fl)
{
	struct walk w = {.ctx = ctx, .g = g, .fl = fl};
	struct frame top = {g->subdir != NULL ? g->subdir : "", NULL};
	size_t first = fl->n;
	ospack_error rc;

	free_submodules(&g->info);
	if ((w.names = osp_tarname_new()) == NULL)
		return osp_nomem(ctx);
	rc = walk_tree(&w, g->sub != NULL ? g->sub : g->root, &top, "");
	osp_tarname_free(w.names);
	if (rc == OSPACK_OK)
		rc = check_unique(&w, first);
	if (rc != OSPACK_OK) {
		/* Leave the list as it was. */
		for (size_t i = first; i < fl->n; i++)
			free(fl->v[i].bagpath);
		fl->n = first;
	}
	return rc;
}

ospack_error osp_git_read(struct ospack_ctx *ctx, struct osp_git *g, const struct osp_file *f,
			  const void **data, size_t *len)
{
	git_oid oid;

	git_blob_free(g->blob);
	g->blob = NULL;
	git_oid_fromraw(&oid, f->oid);
	if (git_blob_lookup(&g->blob, g->repo, &oid) < 0)
		return git_fail(ctx, g, "cannot read a blob");
	if (git_blob_rawsize(g->blob) != f->size || git_blob_rawsize(g->blob) > SIZE_MAX)
		return osp_error(ctx, OSPACK_EIO,
				 "%s: %s: %s: the blob's size is not the listed one", g->label,
				 g->e->src, f->bagpath);
	*data = git_blob_rawcontent(g->blob);
	*len = (size_t)git_blob_rawsize(g->blob);
	return OSPACK_OK;
}

void osp_git_free(struct osp_git *g)
{
	if (g == NULL)
		return;
	git_blob_free(g->blob);
	git_tree_free(g->sub);
	git_tree_free(g->root);
	git_commit_free(g->commit);
	git_odb_free(g->odb);
	git_repository_free(g->repo);
	osp_gitmodules_free(&g->modules);
	free_submodules(&g->info);
	free(g->info.rev);
	free(g->subdir);
	free(g->bagdir);
	if (g->initialised)
		git_libgit2_shutdown();
	free(g);
}

/* ---- remote URLs ---- */

static bool is_web(const char *url, size_t scheme_len)
{
	return (scheme_len == 4 && strncasecmp(url, "http", 4) == 0) ||
	       (scheme_len == 5 && strncasecmp(url, "https", 5) == 0);
}

/*
 * https://user:token@host/x and https://token@host/x become https://host/x: on
 * the web the user name is often the token. Other schemes keep the user
 * (ssh://git@host/x) and lose only a password. scp-like git@host:x has none.
 */
char *osp_git_strip_credentials(const char *url)
{
	const char *sep, *host, *at = NULL, *colon;
	size_t n;

	if (url == NULL)
		return NULL;
	sep = strstr(url, "://");
	if (sep == NULL)
		return osp_strdup(url);
	host = sep + 3;
	n = strcspn(host, "/?#");
	for (size_t i = 0; i < n; i++)
		if (host[i] == '@')
			at = host + i;
	if (at == NULL)
		return osp_strdup(url);
	if (is_web(url, (size_t)(sep - url)))
		return osp_asprintf("%.*s%s", (int)(host - url), url, at + 1);
	colon = memchr(host, ':', (size_t)(at - host));
	if (colon == NULL)
		return osp_strdup(url);
	return osp_asprintf("%.*s%s", (int)(colon - url), url, at);
}

static bool is_scheme(const char *url, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(url, name, n) == 0;
}

/* host of scp-like [user@]host:path: a name or [address], never one letter (C:\ is a drive). */
static bool scp_host_ok(const char *host, size_t n)
{
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']')
		return true;
	if (n < 2)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)host[i]) && strchr(".-_", host[i]) == NULL)
			return false;
	return true;
}

/*
 * What the statement may name: the repository's public address, never a path
 * on the machine that built the bundle (which says nothing to anyone else and
 * differs from one clone to the next).
 */
const char *osp_git_url_problem(const char *url)
{
	static const char *const schemes[] = {"https", "http", "ssh", "git"};
	const char *sep = strstr(url, "://"), *colon, *slash, *host;
	size_t n;

	for (const char *c = url; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return "a URL has no spaces or control characters";
	if (sep != NULL) {
		n = (size_t)(sep - url);
		if (is_scheme(url, n, "file"))
			return "a file:// URL names a local repository, not a public one";
		for (size_t i = 0; i < OSP_ARRAY_LEN(schemes); i++)
			if (is_scheme(url, n, schemes[i])) {
				host = sep + 3;
				n = strcspn(host, "/?#");
				if (memchr(host, '@', n) != NULL)
					host = (const char *)memchr(host, '@', n) + 1;
				return strcspn(host, "/?#:") == 0 ? "the URL names no host" : NULL;
			}
		return "unsupported scheme";
	}
	colon = strchr(url, ':');
	slash = strchr(url, '/');
	/* [2001:db8::1]:path: the colon that ends the host follows the bracket. */
	host = strchr(url, '[');
	if (host != NULL && colon != NULL && host < colon && strstr(host, "]:") != NULL)
		colon = strstr(host, "]:") + 1;
	if (colon == NULL || (slash != NULL && slash < colon) || colon[1] == '\0')
		return "a local path, not a public URL";
	host = memchr(url, '@', (size_t)(colon - url));
	host = host != NULL ? host + 1 : url;
	if (!scp_host_ok(host, (size_t)(colon - host)))
		return "a local path, not a public URL";
	return NULL;
}
