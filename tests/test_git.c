/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of git sources: repositories made with the git command, read back through libgit2. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <git2.h>

#include "git.h"
#include "gitmodules.h"
#include "tap.h"

#define BAG "data/code/trainer/"

static char top[1024]; /* HOME, and one folder per test */
static char T[2048];   /* the current test's folder */
static int failed_before;
static struct osp_buf warnings;
static struct ospack_ctx *ctx;

static void on_warn(void *arg, const char *msg)
{
	(void)arg;
	osp_buf_printf(&warnings, "%s\n", msg);
}

static void begin(const char *name)
{
	snprintf(T, sizeof(T), "%s/%s", top, name);
	mkdir(T, 0755);
	osp_buf_free(&warnings);
	osp_buf_puts(&warnings, "");
	failed_before = tap_failed;
	ospack_ctx_free(ctx);
	ctx = ospack_ctx_new();
	ospack_ctx_set_warn(ctx, on_warn, NULL);
	tap_diag("%s", name);
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Removes the test's folder, unless one of its cases failed. */
static void end(void)
{
	if (tap_failed == failed_before)
		sh("rm -rf '%s'", T);
	else
		tap_diag("kept %s", T);
}

/* Runs a shell command in the test's folder, its output into T/log; returns its status. */
static int sh(const char *fmt, ...)
{
	char cmd[8192], full[8192 + 4200];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && { %s\n} >>'%s/log' 2>&1", T, cmd, top);
	rc = system(full);
	if (rc != 0)
		tap_diag("command failed (%d): %s", rc, cmd);
	return rc;
}

/* The first line a shell command prints. */
static void capture(char *out, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void capture(char *out, size_t n, const char *fmt, ...)
{
	char cmd[4096], full[4096 + 2100];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && %s", T, cmd);
	out[0] = '\0';
	p = popen(full, "r");
	if (p == NULL)
		return;
	if (fgets(out, (int)n, p) != NULL)
		out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

static const char *at(const char *rel)
{
	static char bufs[4][4096];
	static int i;

	i = (i + 1) % 4;
	snprintf(bufs[i], sizeof(bufs[i]), "%s/%s", T, rel);
	return bufs[i];
}

static struct osp_entry git_entry(const char *abs, const char *rev)
{
	struct osp_entry e;

	memset(&e, 0, sizeof(e));
	e.section = OSP_CODE;
	e.index = 0;
	e.name = (char *)"trainer";
	e.source = OSP_SRC_GIT;
	e.src = (char *)"../trainer";
	e.abs = (char *)abs;
	e.rev = (char *)rev;
	return e;
}

/* Opens and collects; on failure g is NULL and the message is on ctx. */
static ospack_error load(const struct osp_entry *e, bool allow_dirty, struct osp_git **g,
			 struct osp_filelist *fl)
{
	ospack_error rc = osp_git_open(ctx, e, allow_dirty, g);

	memset(fl, 0, sizeof(*fl));
	if (rc != OSPACK_OK)
		return rc;
	rc = osp_git_collect(ctx, *g, fl);
	if (rc != OSPACK_OK) {
		osp_git_free(*g);
		osp_filelist_free(fl);
		*g = NULL;
	}
	osp_filelist_sort(fl);
	return rc;
}

static const struct osp_file *find(const struct osp_filelist *fl, const char *rel)
{
	char bagpath[4096];

	snprintf(bagpath, sizeof(bagpath), BAG "%s", rel);
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->v[i].bagpath, bagpath) == 0)
			return &fl->v[i];
	return NULL;
}

/* The content of a collected file as a string (static, overwritten by the next call). */
static const char *content(struct osp_git *g, const struct osp_filelist *fl, const char *rel)
{
	static char buf[4096];
	const struct osp_file *f = find(fl, rel);
	const void *data;
	size_t len;

	if (f == NULL || osp_git_read(ctx, g, f, &data, &len) != OSPACK_OK || len >= sizeof(buf))
		return NULL;
	memcpy(buf, data, len);
	buf[len] = '\0';
	return buf;
}

/* "a b c": the collected paths below the entry's bag folder. */
static const char *listing(const struct osp_filelist *fl)
{
	static char buf[4096];
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < fl->n && o < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? " " : "",
				      fl->v[i].bagpath + strlen(BAG));
	return buf;
}

/* The info of an open source; an empty one when opening failed, so a failing case cannot crash. */
static const struct osp_git_info *info(const struct osp_git *g)
{
	static const struct osp_git_info none;

	return g != NULL ? osp_git_info(g) : &none;
}

static unsigned mode_of(const struct osp_filelist *fl, const char *rel)
{
	const struct osp_file *f = find(fl, rel);

	return f != NULL ? f->mode : 0;
}

static void done(struct osp_git *g, struct osp_filelist *fl)
{
	osp_git_free(g);
	osp_filelist_free(fl);
}

/* Three commits: v1 (lightweight), v2 (annotated, main), dev (a branch one further). */
static void make_repo(const char *name)
{
	sh("git init -q %s && cd %s && mkdir src data &&"
	   "printf 'hello v1\\n' >README.md && printf 'print(1)\\n' >src/train.py &&"
	   "printf '#!/bin/sh\\necho run\\n' >run.sh && chmod +x run.sh &&"
	   "printf 'small\\n' >data/small.txt && git add -A && git commit -q -m one &&"
	   "git tag v1 && printf 'hello v2\\n' >README.md && printf 'class M: pass\\n' "
	   ">src/model.py &&"
	   "git rm -q data/small.txt && git add -A &&"
	   "GIT_COMMITTER_DATE='@1700000100 +0000' git commit -q -m two &&"
	   "git tag -a v2 -m 'release two' && git checkout -q -b dev && printf 'dev\\n' >dev.txt &&"
	   "git add dev.txt && GIT_COMMITTER_DATE='@1700000200 +0000' git commit -q -m three &&"
	   "git checkout -q main && git remote add origin "
	   "https://user:token@example.org/trainer.git",
	   name, name);
}

static void test_tags(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;
	char c1[64], c2[64], tag[64], tree[64];

	begin("tags");
	make_repo("repo");
	capture(c1, sizeof(c1), "git -C repo rev-parse v1");
	capture(c2, sizeof(c2), "git -C repo rev-parse 'v2^{commit}'");
	capture(tag, sizeof(tag), "git -C repo rev-parse v2");
	capture(tree, sizeof(tree), "git -C repo rev-parse 'v2^{tree}'");

	e = git_entry(at("repo"), "v1");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "lightweight tag v1 opens");
	is_str(listing(&fl), "README.md data/small.txt run.sh src/train.py", "files at v1");
	is_str(content(g, &fl, "README.md"), "hello v1\n", "README.md as of v1");
	is_str(info(g)->commit, c1, "v1 is the first commit");
	done(g, &fl);

	e = git_entry(at("repo"), "v2");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "annotated tag v2 opens");
	is_str(listing(&fl), "README.md run.sh src/model.py src/train.py", "files at v2");
	is_str(content(g, &fl, "README.md"), "hello v2\n", "README.md as of v2");
	is_str(info(g)->commit, c2, "an annotated tag peels to its commit");
	ok(strcmp(info(g)->commit, tag) != 0, "not to the tag object");
	is_str(info(g)->tree, tree, "the commit's root tree");
	is_str(info(g)->rev, "v2", "rev as written");
	is_int(info(g)->commit_time, 1700000100, "committer time");
	is_int(mode_of(&fl, "run.sh"), 0755, "an executable stays executable");
	is_int(mode_of(&fl, "README.md"), 0644, "other files are 0644");
	ok(find(&fl, "README.md") != NULL && find(&fl, "README.md")->size == 9 &&
		   find(&fl, "README.md")->src == NULL,
	   "size from the object database, no src");
	done(g, &fl);
	end();
}

static void test_revision_forms(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;
	char c1[64], c2[64], c3[64];

	begin("revision-forms");
	make_repo("repo");
	capture(c1, sizeof(c1), "git -C repo rev-parse v1");
	capture(c2, sizeof(c2), "git -C repo rev-parse 'v2^{commit}'");
	capture(c3, sizeof(c3), "git -C repo rev-parse dev");
	c1[7] = '\0';
	e = git_entry(at("repo"), c1);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a short commit id resolves");
	ok(g != NULL && strncmp(info(g)->commit, c1, 7) == 0, "to that commit");
	done(g, &fl);

	e = git_entry(at("repo"), c2);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a full commit id resolves");
	done(g, &fl);

	e = git_entry(at("repo"), "dev");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a branch resolves");
	ok(g != NULL && strcmp(info(g)->commit, c3) == 0, "to its tip");
	ok(find(&fl, "dev.txt") != NULL, "with the branch's files");
	done(g, &fl);

	e = git_entry(at("repo"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "HEAD of a clean tree opens");
	ok(g != NULL && strcmp(info(g)->commit, c2) == 0 && info(g)->rev == NULL && !info(g)->dirty,
	   "HEAD is main, rev NULL, not dirty");
	done(g, &fl);
	end();
}

static void test_bad_revisions(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("bad-revisions");
	make_repo("repo");
	e = git_entry(at("repo"), "nope");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "an unknown revision is refused");
	has_str(ospack_ctx_message(ctx), "code[0]: ../trainer: unknown revision 'nope'",
		"the message names the entry and the revision");
	e = git_entry(at("repo"), "v2:README.md");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a revision naming a blob is refused");
	has_str(ospack_ctx_message(ctx), "names a blob, not a commit", "and says why");
	e = git_entry(at("repo"), "v2^{tree}");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a revision naming a tree is refused");
	end();
}

static void test_dirty(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;
	const char *msg;

	begin("dirty");
	make_repo("repo");
	sh("cd repo && printf 'changed\\n' >README.md && rm src/train.py &&"
	   "printf 'echo staged\\n' >>run.sh && git add run.sh && printf 'new\\n' >untracked.txt");
	e = git_entry(at("repo"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a dirty HEAD is refused");
	msg = ospack_ctx_message(ctx);
	has_str(msg, "code[0]: ../trainer: uncommitted changes to tracked files", "it says why");
	has_str(msg, "README.md", "naming a modified file");
	has_str(msg, "src/train.py", "a deleted file");
	has_str(msg, "run.sh", "and a staged one");
	ok(strstr(msg, "untracked.txt") == NULL, "but not an untracked one");
	has_str(msg, "(commit them, or accept a dirty tree)",
		"and how to go on (the command line names the flag)");

	is_int(load(&e, true, &g, &fl), OSPACK_OK, "allow_dirty accepts it");
	ok(g != NULL && info(g)->dirty, "and flags it");
	has_str(warnings.data, "uncommitted changes to README.md, run.sh, src/train.py",
		"with a warning");
	is_str(content(g, &fl, "README.md"), "hello v2\n", "the files are the commit's");
	ok(find(&fl, "src/train.py") != NULL && find(&fl, "untracked.txt") == NULL,
	   "deleted files are there, untracked ones are not");
	done(g, &fl);

	e = git_entry(at("repo"), "v2");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a named revision ignores the working tree");
	done(g, &fl);
	e = git_entry(at("repo"), "HEAD");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "rev: HEAD is checked like no rev");

	sh("cd repo && git checkout -q -- . && git reset -q && rm untracked.txt &&"
	   "printf 'changed\\n' >README.md");
	e = git_entry(at("repo"), NULL);
	e.subdir = (char *)"src";
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "changes outside subdir do not count");
	done(g, &fl);
	sh("cd repo && printf 'changed\\n' >>src/train.py");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "changes inside subdir do");
	has_str(ospack_ctx_message(ctx), "tracked files: src/train.py (", "naming only those");
	end();
}

static void test_dirty_many(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("dirty-many");
	e = git_entry(at("many"), NULL);
	sh("git init -q many && cd many && for i in 1 2 3 4 5 6 7 8; do echo $i >f$i; done &&"
	   "git add -A && git commit -q -m files && for i in 1 2 3 4 5 6 7 8; do echo x >>f$i; "
	   "done");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "eight modified files");
	has_str(ospack_ctx_message(ctx), "f1, f2, f3, f4, f5 and 3 more", "the list is bounded");
	end();
}

static void test_untracked(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("untracked");
	make_repo("repo");
	sh("cd repo && mkdir newdir && echo x >newdir/a && echo y >notes.txt");
	e = git_entry(at("repo"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "untracked files do not make HEAD dirty");
	ok(g != NULL && !info(g)->dirty, "not flagged");
	ok(find(&fl, "notes.txt") == NULL && find(&fl, "newdir/a") == NULL, "nor bundled");
	is_str(warnings.data, "", "no warning");
	done(g, &fl);
	end();
}

static bool same_files(struct osp_git *ga, const struct osp_filelist *a, struct osp_git *gb,
		       const struct osp_filelist *b)
{
	const void *da, *db;
	size_t la, lb;
	char *copy;
	bool same;

	if (a->n != b->n || a->n == 0)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct osp_file *x = &a->v[i], *y = &b->v[i];

		if (strcmp(x->bagpath, y->bagpath) != 0 || x->size != y->size ||
		    x->mode != y->mode || memcmp(x->oid, y->oid, sizeof(x->oid)) != 0)
			return false;
		if (osp_git_read(ctx, ga, x, &da, &la) != OSPACK_OK ||
		    (copy = malloc(la + 1)) == NULL)
			return false;
		memcpy(copy, da, la);
		same = osp_git_read(ctx, gb, y, &db, &lb) == OSPACK_OK && la == lb &&
		       memcmp(copy, db, la) == 0;
		free(copy);
		if (!same)
			return false;
	}
	return true;
}

static void test_clone(void)
{
	struct osp_entry ea, eb;
	struct osp_git *ga, *gb;
	struct osp_filelist fa, fb;

	begin("clone");
	make_repo("repo");
	sh("git clone -q repo clone && cd clone && git checkout -q dev && chmod -x run.sh &&"
	   "find . -path ./.git -prune -o -type f -exec touch -d @86400 {} +");
	ea = git_entry(at("repo"), "v2");
	eb = git_entry(at("clone"), "v2");
	is_int(load(&ea, false, &ga, &fa), OSPACK_OK, "v2 in the repository");
	is_int(load(&eb, false, &gb, &fb), OSPACK_OK, "v2 in a clone with another checkout");
	ok(ga != NULL && gb != NULL && same_files(ga, &fa, gb, &fb),
	   "same paths, sizes, modes, blob ids and bytes");
	ok(gb != NULL && strcmp(info(ga)->commit, info(gb)->commit) == 0 &&
		   strcmp(info(ga)->tree, info(gb)->tree) == 0,
	   "same commit and tree");
	done(ga, &fa);
	done(gb, &fb);
	end();
}

struct strip_case {
	const char *in, *out;
};

static const struct strip_case strip_cases[] = {
	{"https://user:token@example.org/repo", "https://example.org/repo"},
	{"https://ghp_secret@github.com/o/r.git", "https://github.com/o/r.git"},
	{"HTTP://u:p@host:8080/r", "HTTP://host:8080/r"},
	{"https://example.org/a@b", "https://example.org/a@b"},
	{"https://host/r?x=a@b", "https://host/r?x=a@b"},
	{"https://u:p:q@h@host/r", "https://host/r"},
	{"ssh://git@example.org/r.git", "ssh://git@example.org/r.git"},
	{"ssh://git:pw@example.org/r.git", "ssh://git@example.org/r.git"},
	{"git@github.com:o/r.git", "git@github.com:o/r.git"},
	{"/srv/git/r.git", "/srv/git/r.git"},
	{"file:///srv/git/r.git", "file:///srv/git/r.git"},
	{"https://host", "https://host"},
	{"https://u:p@host", "https://host"},
};

static void test_strip(void)
{
	char *s;

	tap_diag("strip-credentials");
	for (size_t i = 0; i < OSP_ARRAY_LEN(strip_cases); i++) {
		s = osp_git_strip_credentials(strip_cases[i].in);
		is_str(s, strip_cases[i].out, "credentials of %s", strip_cases[i].in);
		free(s);
	}
	ok(osp_git_strip_credentials(NULL) == NULL, "NULL stays NULL");
}

/* URLs a manifest's repository: may name (NULL) or not (what the message says). */
static const struct strip_case url_cases[] = {
	{"https://example.org/o/r.git", NULL},
	{"HTTP://example.org:8080/r", NULL},
	{"ssh://git@example.org/r.git", NULL},
	{"git://example.org/r.git", NULL},
	{"https://[2001:db8::1]/r.git", NULL},
	{"git@github.com:o/r.git", NULL},
	{"example.org:o/r.git", NULL},
	{"git@[2001:db8::1]:r.git", NULL},
	{"/srv/git/r.git", "a local path, not a public URL"},
	{"../trainer", "a local path, not a public URL"},
	{"trainer", "a local path, not a public URL"},
	{"./a:b", "a local path, not a public URL"},
	{"C:\\repo", "a local path, not a public URL"},
	{"host:", "a local path, not a public URL"},
	{"@:x", "a local path, not a public URL"},
	{"file:///srv/git/r.git", "a file:// URL names a local repository, not a public one"},
	{"FILE://host/r.git", "a file:// URL names a local repository, not a public one"},
	{"ftp://example.org/r.git", "unsupported scheme"},
	{"://example.org/r", "unsupported scheme"},
	{"https://", "the URL names no host"},
	{"https:///r.git", "the URL names no host"},
	{"https://user@/r.git", "the URL names no host"},
	{"https://example.org/a b", "a URL has no spaces or control characters"},
};

static void test_url_problem(void)
{
	tap_diag("url-problem");
	for (size_t i = 0; i < OSP_ARRAY_LEN(url_cases); i++) {
		const char *why = osp_git_url_problem(url_cases[i].in);

		if (url_cases[i].out == NULL)
			ok(why == NULL, "%s names a repository publicly (%s)", url_cases[i].in,
			   why ? why : "");
		else
			is_str(why, url_cases[i].out, "%s is refused", url_cases[i].in);
	}
}

/* target.txt, lib/{a.txt,sub/b.txt} and links to them; then tags each adding one bad link. */
static void make_links(void)
{
	sh("git init -q links && cd links && mkdir -p lib/sub docs && echo target >target.txt &&"
	   "echo a >lib/a.txt && echo b >lib/sub/b.txt && printf '#!/bin/sh\\n' >lib/run &&"
	   "chmod +x lib/run && ln -s target.txt link-file && ln -s lib link-dir &&"
	   "ln -s link-file chain && ln -s ../target.txt docs/up && ln -s link-dir/a.txt via &&"
	   "ln -s lib/run runner && git add -A && git commit -q -m links && git tag plain");
	sh("cd links && for t in escape:../outside absolute:/etc/passwd dangling:gone loop:. "
	   "self:bad root:docs/.. through:target.txt/x; do name=${t%%%%:*}; "
	   "ln -s \"${t#*:}\" bad && git add bad && git commit -q -m $name && git tag $name &&"
	   "git rm -q bad && git commit -q -m undo || exit 1; done");
	sh("cd links && mkdir x y && ln -s ../y x/l1 && ln -s ../x y/l2 && git add -A &&"
	   "git commit -q -m mutual && git tag mutual");
}

static void test_symlinks(void)
{
	static const struct {
		const char *tag, *msg;
	} bad[] = {
		{"escape", "bad is a symbolic link that leads outside the repository"},
		{"absolute", "bad is a symbolic link to an absolute path"},
		{"dangling", "bad is a symbolic link to gone, which does not exist"},
		{"loop", "bad is a symbolic link to the repository root, which contains it"},
		{"self", "bad is a symbolic link with too many levels of links"},
		{"root", "bad is a symbolic link to the repository root, which contains it"},
		{"through", "bad is a symbolic link through target.txt, which is a file"},
		{"mutual", "code[0]: x/l1/l2 is a symbolic link to x, which contains it"},
	};
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("symlinks");
	make_links();
	e = git_entry(at("links"), "plain");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a symbolic link is refused");
	is_str(ospack_ctx_message(ctx),
	       "code[0]: chain is a symbolic link (set follow_symlinks: true to bundle its target)",
	       "naming the link");
	e.follow_symlinks = true;
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "follow_symlinks follows them");
	is_str(listing(&fl),
	       "chain docs/up lib/a.txt lib/run lib/sub/b.txt link-dir/a.txt link-dir/run "
	       "link-dir/sub/b.txt link-file runner target.txt via",
	       "targets appear under the links' paths");
	is_str(content(g, &fl, "chain"), "target\n", "a chain of links reaches the file");
	is_str(content(g, &fl, "docs/up"), "target\n", "relative to the link's folder");
	is_str(content(g, &fl, "via"), "a\n", "through a linked folder");
	is_str(content(g, &fl, "link-dir/sub/b.txt"), "b\n", "a linked folder's subfolders");
	is_int(mode_of(&fl, "runner"), 0755, "the target's executable bit");
	done(g, &fl);

	e.subdir = (char *)"docs";
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a link may leave subdir");
	is_str(listing(&fl), "up", "its target is under the link's name");
	done(g, &fl);
	e.subdir = NULL;

	for (size_t i = 0; i < OSP_ARRAY_LEN(bad); i++) {
		e.rev = (char *)bad[i].tag;
		is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "link %s is refused",
		       bad[i].tag);
		has_str(ospack_ctx_message(ctx), bad[i].msg, "link %s: the message", bad[i].tag);
	}
	end();
}

static void test_lfs(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("lfs");
	sh("git init -q lfs && cd lfs && printf 'version https://git-lfs.github.com/spec/v1\\n"
	   "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\\n"
	   "size 12345\\n' >model.bin && head -c 2000 /dev/zero | tr '\\0' x >>big.txt &&"
	   "{ echo 'version https://git-lfs.github.com/spec/v1'; cat big.txt; } >big2.txt &&"
	   "mv big2.txt big.txt && git add -A && git commit -q -m lfs");
	e = git_entry(at("lfs"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "an LFS pointer is refused");
	is_str(ospack_ctx_message(ctx),
	       "code[0]: model.bin is a Git LFS pointer, the content is not in the repository "
	       "(set lfs: pointers to bundle the pointer files)",
	       "naming the file");
	e.lfs_pointers = true;
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "lfs: pointers bundles it");
	ok(find(&fl, "model.bin") != NULL && find(&fl, "model.bin")->size == 130,
	   "the pointer file itself");
	ok(find(&fl, "big.txt") != NULL, "a large file that starts the same way is no pointer");
	done(g, &fl);
	end();
}

static void test_submodule(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;
	const struct osp_git_info *gi;
	char sub[64], want[256];

	begin("submodule");
	sh("git init -q lib && cd lib && echo lib >lib.c && git add -A && git commit -q -m lib");
	sh("git init -q main && cd main && echo main >main.c && git add -A && git commit -q -m m &&"
	   "git -c protocol.file.allow=always submodule add -q '%s/lib' vendor/lib &&"
	   "git config -f .gitmodules submodule.vendor/lib.url "
	   "https://bob:secret@example.org/lib.git && git add -A && git commit -q -m sub",
	   T);
	capture(sub, sizeof(sub), "git -C lib rev-parse HEAD");
	e = git_entry(at("main"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a repository with a submodule opens");
	gi = info(g);
	is_int(gi->nsubmodules, 1, "one submodule recorded");
	if (gi->nsubmodules == 1) {
		is_str(gi->submodules[0].path, "vendor/lib", "its path");
		is_str(gi->submodules[0].commit, sub, "its commit");
		is_str(gi->submodules[0].url, "https://example.org/lib.git",
		       "its URL, without credentials");
	}
	is_str(listing(&fl), ".gitmodules main.c", "its files are not bundled");
	snprintf(want, sizeof(want), "code[0]: submodule vendor/lib (commit %s) is recorded", sub);
	has_str(warnings.data, want, "and a warning says so");
	has_str(warnings.data, ") is recorded, not bundled", "in those words");
	done(g, &fl);

	e.subdir = (char *)"vendor";
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "subdir holding the submodule");
	ok(g != NULL && info(g)->nsubmodules == 1 &&
		   strcmp(info(g)->submodules[0].path, "lib") == 0,
	   "the path is relative to subdir");
	done(g, &fl);
	e.subdir = NULL;

	sh("cd main/vendor/lib && echo x >untracked && echo y >>lib.c");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "changes inside a submodule do not count");
	done(g, &fl);
	sh("cd main/vendor/lib && git commit -q -am moved");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a moved submodule HEAD is dirty");
	has_str(ospack_ctx_message(ctx), "tracked files: vendor/lib", "naming it");
	end();
}

static void test_subdir(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("subdir");
	make_repo("repo");
	e = git_entry(at("repo"), "v2");
	e.subdir = (char *)"src";
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "subdir src");
	is_str(listing(&fl), "model.py train.py", "restricts the files, paths relative to it");
	done(g, &fl);
	e.subdir = (char *)"src/";
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "a trailing slash is fine");
	is_str(listing(&fl), "model.py train.py", "same files");
	done(g, &fl);
	e.subdir = (char *)"data";
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a subdir missing at that commit");
	has_str(ospack_ctx_message(ctx),
		"code[0]: ../trainer: subdir 'data' does not exist at commit", "is named");
	e.subdir = (char *)"README.md";
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a subdir that is a file");
	has_str(ospack_ctx_message(ctx), "subdir 'README.md' is not a folder", "is named");
	e.subdir = (char *)"../x";
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a subdir with ..");
	has_str(ospack_ctx_message(ctx), "code[0]: subdir: ../x", "is named");
	end();
}

static void test_not_repositories(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("not-repositories");
	make_repo("repo");
	sh("mkdir plain && echo x >plain/file && git init -q empty");
	e = git_entry(at("plain"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a plain folder is refused");
	is_str(ospack_ctx_message(ctx), "code[0]: ../trainer: not a git repository", "clearly");
	e = git_entry(at("repo/src"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a folder inside a repository too");
	has_str(ospack_ctx_message(ctx), "not a git repository", "it is not searched upwards");
	e = git_entry(at("missing"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a missing folder is refused");
	has_str(ospack_ctx_message(ctx), "code[0]: ../trainer: No such file", "clearly");
	e = git_entry(at("empty"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "an empty repository is refused");
	is_str(ospack_ctx_message(ctx), "code[0]: ../trainer: the repository has no commits",
	       "clearly");
	e = git_entry(at("empty"), "main");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "also with a rev");
	end();
}

static void test_bare_and_shallow(void)
{
	struct osp_entry e, eb;
	struct osp_git *g, *gb;
	struct osp_filelist fl, fb;
	char c1[64];

	begin("bare-shallow");
	make_repo("repo");
	sh("git clone -q --bare repo bare.git && git clone -q --depth 1 'file://%s/repo' shallow",
	   T);
	capture(c1, sizeof(c1), "git -C repo rev-parse v1");
	e = git_entry(at("repo"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "HEAD of the repository");

	eb = git_entry(at("bare.git"), NULL);
	is_int(load(&eb, false, &gb, &fb), OSPACK_OK, "a bare repository opens at HEAD");
	ok(gb != NULL && !info(gb)->dirty, "it has no working tree to be dirty");
	ok(gb != NULL && g != NULL && same_files(g, &fl, gb, &fb), "same files as the original");
	done(gb, &fb);

	eb = git_entry(at("shallow"), NULL);
	is_int(load(&eb, false, &gb, &fb), OSPACK_OK, "a shallow clone opens at HEAD");
	ok(gb != NULL && g != NULL && same_files(g, &fl, gb, &fb), "same files as the original");
	ok(gb != NULL && strcmp(info(gb)->commit, info(g)->commit) == 0, "same commit id");
	done(gb, &fb);
	eb.rev = c1;
	is_int(load(&eb, false, &gb, &fb), OSPACK_EMANIFEST, "a commit beyond its history");
	has_str(ospack_ctx_message(ctx), "the repository is a shallow clone", "says why");
	done(g, &fl);
	end();
}

static bool same_as_disk(struct osp_git *g, const struct osp_filelist *fl, const char *rel,
			 const char *path)
{
	const struct osp_file *f = find(fl, rel);
	const void *data;
	size_t len, got;
	struct stat st;
	char *buf;
	FILE *fp;
	bool same;

	if (f == NULL || stat(path, &st) != 0 || (uint64_t)st.st_size != f->size ||
	    ((st.st_mode & 0100) != 0) != (f->mode == 0755))
		return false;
	if (osp_git_read(ctx, g, f, &data, &len) != OSPACK_OK || (fp = fopen(path, "rb")) == NULL)
		return false;
	buf = malloc(len + 1);
	got = buf != NULL ? fread(buf, 1, len + 1, fp) : 0;
	same = buf != NULL && got == len && memcmp(buf, data, len) == 0;
	free(buf);
	fclose(fp);
	return same;
}

static void test_archive(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;
	char line[4096], cmd[4096];
	size_t files = 0, matching = 0;
	FILE *p;

	begin("archive");
	make_repo("repo");
	sh("mkdir out && git -C repo archive --format=tar v2 | tar -xf - -C out");
	e = git_entry(at("repo"), "v2");
	is_int(load(&e, false, &g, &fl), OSPACK_OK, "v2 collected");
	snprintf(cmd, sizeof(cmd), "cd '%s/out' && find . -type f | LC_ALL=C sort", T);
	p = popen(cmd, "r");
	while (p != NULL && g != NULL && fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		files++;
		snprintf(cmd, sizeof(cmd), "%s/out/%s", T, line + 2);
		if (same_as_disk(g, &fl, line + 2, cmd))
			matching++;
		else
			tap_diag("differs: %s", line);
	}
	if (p != NULL)
		pclose(p);
	is_int(files, fl.n, "git archive has as many files");
	is_int(matching, files, "with the same paths, bytes and executable bits");
	done(g, &fl);
	end();
}

static void test_bad_names(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("bad-names");
	sh("git init -q nl && cd nl && touch \"$(printf 'bad\\nname')\" && git add -A &&"
	   "git commit -q -m nl");
	sh("git init -q latin1 && cd latin1 && touch \"$(printf 'caf\\351')\" && git add -A &&"
	   "git commit -q -m latin1");
	e = git_entry(at("nl"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a name with a line break is refused");
	is_str(ospack_ctx_message(ctx), "code[0]: bad\\x0aname: file name contains a line break",
	       "shown escaped");
	e = git_entry(at("latin1"), NULL);
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a name not in UTF-8 is refused");
	is_str(ospack_ctx_message(ctx), "code[0]: caf\\xe9: file name is not valid UTF-8",
	       "shown escaped");
	end();
}

/* Trees git itself would not write: made with git mktree, which checks little. */
static void test_malformed(void)
{
	struct osp_entry e;
	struct osp_git *g;
	struct osp_filelist fl;

	begin("malformed");
	sh("git init -q bad && cd bad && b=$(echo hi | git hash-object -w --stdin) &&"
	   "t=$(printf '100644 blob %%s\tx\n' $b | git mktree) &&"
	   "d=$(printf '040000 tree %%s\t.Git\n' $t | git mktree) &&"
	   "git tag dotgit $(git commit-tree $d -m dotgit) &&"
	   "u=$(printf '100644 blob %%s\tdup\n100644 blob %%s\tdup\n' $b $b | git mktree) &&"
	   "git tag dup $(git commit-tree $u -m dup)");
	e = git_entry(at("bad"), "dotgit");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a .git folder in a tree is refused");
	is_str(ospack_ctx_message(ctx),
	       "code[0]: .Git is named like git's own folder, which git refuses", "naming it");
	e = git_entry(at("bad"), "dup");
	is_int(load(&e, false, &g, &fl), OSPACK_EMANIFEST, "a name twice in a tree is refused");
	is_str(ospack_ctx_message(ctx), "code[0]: ../trainer: data/code/trainer/dup appears twice",
	       "naming it");
	end();
}

/* As another user: bit 0 libgit2 refuses, bit 1 ospack reads, bit 2 validation restored. */
static int owner_child(void)
{
	struct osp_entry e = git_entry(at("repo"), NULL);
	git_repository *repo = NULL;
	struct osp_git *g = NULL;
	struct osp_filelist fl;
	int bits = 0, validate = 0;

	if (setgid(65534) != 0 || setuid(65534) != 0)
		return 0;
	git_libgit2_init();
	/* libgit2 1.5.1 says GIT_EOWNER, or GIT_ENOTFOUND when no safe.directory is set at all. */
	if (git_repository_open(&repo, at("repo")) < 0)
		bits |= 1;
	git_repository_free(repo);
	if (load(&e, false, &g, &fl) == OSPACK_OK && fl.n == 4)
		bits |= 2;
	else
		printf("# %s\n", ospack_ctx_message(ctx));
	git_libgit2_opts(GIT_OPT_GET_OWNER_VALIDATION, &validate);
	if (validate == 1)
		bits |= 4;
	fflush(stdout);
	return bits;
}

/* A repository owned by another user opens (see open_unvalidated); needs root to set up. */
static void test_owner(void)
{
	int status = 0;
	pid_t pid;

	if (geteuid() != 0) {
		ok(1, "# SKIP owner validation: only root can act as another user");
		return;
	}
	begin("owner");
	make_repo("repo");
	/* Neither root (libgit2 trusts the administrator's repositories) nor the child. */
	sh("chown -R 4242:4242 repo");
	chmod(top, 0755);
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(owner_child());
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		status = 0;
	else
		status = WEXITSTATUS(status);
	ok(status & 1, "libgit2 alone does not open a repository owned by another user");
	ok(status & 2, "ospack reads it");
	ok(status & 4, "and leaves owner validation on for the rest of the process");
	end();
}

struct modules_case {
	const char *text;
	const char *path, *want_url; /* want_url NULL: no URL for that path */
	const char *error;	     /* NULL: parses */
};

static const struct modules_case modules_cases[] = {
	{"[submodule \"a\"]\n\tpath = lib/a\n\turl = https://h/a.git\n", "lib/a", "https://h/a.git",
	 NULL},
	{"# c\n[Submodule \"a\"] ; c\n PATH=lib/a # c\n URL = \"x y \" ; c\n", "lib/a", "x y ",
	 NULL},
	{"[submodule.a]\npath = p\nurl = u\n", "p", "u", NULL},
	{"[submodule \"a\"]\npath = p\nurl = first\nurl = last\n", "p", "last", NULL},
	{"[submodule \"a\"]\npath = p\nurl = a\\\nb\\tc\n", "p", "ab\tc", NULL},
	{"[submodule \"a\"]\r\npath = p\r\nurl = u\r\n", "p", "u", NULL},
	{"[core]\nurl = nope\n[submodule \"a\"]\npath = p\n", "p", NULL, NULL},
	{"[submodule \"a\"]\npath = p\nbare\nurl = u\n", "p", "u", NULL},
	{"[submodule \"a\\\"b\"]\npath = p\nurl = u\n", "p", "u", NULL},
	{"[submodule \"a\"]\npath = p\n\n[submodule \"b\"]\npath = q\nurl = v\n", "q", "v", NULL},
	{"[submodule \"a\"\npath = p\n", NULL, NULL, "line 1: bad section header"},
	{"[submodule \"a\"]\npath = p\nurl = \"open\n", NULL, NULL,
	 "line 3: unterminated quote in value"},
	{"[submodule \"a\"]\npath p\n", NULL, NULL, "line 2: expected '=' after the key"},
	{"[submodule \"a\"]\n\npath = \\q\n", NULL, NULL, "line 3: bad escape in value"},
	{"= x\n", NULL, NULL, "line 1: unexpected character"},
};

static void test_gitmodules(void)
{
	struct ospack_ctx *c = ospack_ctx_new();
	struct osp_gitmodules m;
	const struct osp_gitmodule *mod;

	tap_diag("gitmodules");
	for (size_t i = 0; i < OSP_ARRAY_LEN(modules_cases); i++) {
		const struct modules_case *k = &modules_cases[i];
		ospack_error rc = osp_gitmodules_parse(c, k->text, strlen(k->text), &m);

		if (k->error != NULL) {
			ok(rc == OSPACK_EINPUT && strcmp(ospack_ctx_message(c), k->error) == 0,
			   ".gitmodules case %zu fails: %s (got '%s')", i, k->error,
			   ospack_ctx_message(c));
			continue;
		}
		mod = rc == OSPACK_OK ? osp_gitmodules_find(&m, k->path) : NULL;
		ok(mod != NULL &&
			   (k->want_url == NULL
				    ? mod->url == NULL
				    : mod->url != NULL && strcmp(mod->url, k->want_url) == 0),
		   ".gitmodules case %zu: %s -> %s", i, k->path,
		   k->want_url ? k->want_url : "none");
		osp_gitmodules_free(&m);
	}
	ospack_ctx_free(c);
}

static void test_filelist(void)
{
	static const struct {
		const char *rel, *error;
	} cases[] = {
		{"a/b.txt", NULL},
		{"caf\xc3\xa9/..a/.b", NULL},
		{"", "x: empty file name"},
		{"/etc/passwd", "x: /etc/passwd: absolute path"},
		{"a//b", "x: a//b: empty, '.' or '..' path component"},
		{"a/", "x: a/: empty, '.' or '..' path component"},
		{"./a", "x: ./a: empty, '.' or '..' path component"},
		{"a/..", "x: a/..: empty, '.' or '..' path component"},
		{"a\rb", "x: a\\x0db: file name contains a line break"},
		{"\xc0\xaf", "x: \\xc0\\xaf: file name is not valid UTF-8"},
	};
	struct ospack_ctx *c = ospack_ctx_new();
	struct osp_filelist fl = {0};
	struct osp_entry e = git_entry("/x", NULL);
	char dir[64];

	tap_diag("filelist");
	for (size_t i = 0; i < OSP_ARRAY_LEN(cases); i++) {
		ospack_error rc = osp_check_relpath(c, "x", cases[i].rel);

		if (cases[i].error == NULL)
			is_int(rc, OSPACK_OK, "relpath case %zu accepted", i);
		else
			ok(rc == OSPACK_EMANIFEST &&
				   strcmp(ospack_ctx_message(c), cases[i].error) == 0,
			   "relpath case %zu: %s (got '%s')", i, cases[i].error,
			   ospack_ctx_message(c));
	}
	osp_entry_bagdir(&e, dir, sizeof(dir));
	is_str(dir, "data/code/trainer", "bag folder of a code entry");
	e.section = OSP_CHECKPOINTS;
	e.name = (char *)"final";
	osp_entry_bagdir(&e, dir, sizeof(dir));
	is_str(dir, "data/checkpoints/final", "bag folder of a checkpoint");
	ok(osp_filelist_add(&fl, &e, "data/b", "/src/b", 1, 0644) != NULL &&
		   osp_filelist_add(&fl, &e, "data/a\xc3\xa9", NULL, 2, 0755) != NULL &&
		   osp_filelist_add(&fl, &e, "data/a", NULL, 3, 0644) != NULL,
	   "files added");
	osp_filelist_sort(&fl);
	ok(fl.n == 3 && strcmp(fl.v[0].bagpath, "data/a") == 0 &&
		   strcmp(fl.v[1].bagpath, "data/a\xc3\xa9") == 0 &&
		   strcmp(fl.v[2].bagpath, "data/b") == 0 && strcmp(fl.v[2].src, "/src/b") == 0,
	   "sorted in byte order, src copied");
	osp_filelist_free(&fl);
	ok(fl.n == 0 && fl.v == NULL, "freed");
	ospack_ctx_free(c);
}

static void setup(void)
{
	snprintf(top, sizeof(top), "%s/ospack-git.XXXXXX",
		 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(top) == NULL)
		tap_skip_all("cannot make a temp folder");
	snprintf(T, sizeof(T), "%s", top);
	setenv("HOME", top, 1);
	setenv("XDG_CONFIG_HOME", top, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Ada Lovelace", 1);
	setenv("GIT_AUTHOR_EMAIL", "ada@example.org", 1);
	setenv("GIT_COMMITTER_NAME", "Ada Lovelace", 1);
	setenv("GIT_COMMITTER_EMAIL", "ada@example.org", 1);
	setenv("GIT_AUTHOR_DATE", "@1700000000 +0000", 1);
	setenv("GIT_COMMITTER_DATE", "@1700000000 +0000", 1);
	setenv("TZ", "UTC", 1);
	setenv("LC_ALL", "C", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	if (system("git --version >/dev/null 2>&1") != 0)
		tap_skip_all("the git command is not installed");
	sh("git config --global init.defaultBranch main && git config --global advice.detachedHead "
	   "false && git config --global protocol.file.allow always");
}

int main(void)
{
	setup();
	test_filelist();
	test_strip();
	test_url_problem();
	test_gitmodules();
	test_tags();
	test_revision_forms();
	test_bad_revisions();
	test_dirty();
	test_dirty_many();
	test_untracked();
	test_clone();
	test_symlinks();
	test_lfs();
	test_submodule();
	test_subdir();
	test_not_repositories();
	test_bare_and_shallow();
	test_archive();
	test_bad_names();
	test_malformed();
	test_owner();
	ospack_ctx_free(ctx);
	osp_buf_free(&warnings);
	snprintf(T, sizeof(T), "%s", top);
	if (tap_failed == 0)
		sh("cd / && rm -rf '%s'", top);
	else
		tap_diag("kept %s", top);
	return tap_done();
}
