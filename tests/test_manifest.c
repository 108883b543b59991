/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the manifest loader: every key, every rejection with its location, aliases. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manifest.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
#include <sanitizer/lsan_interface.h>
#endif

#define HEAD "ospack: 1\nname: x\nversion: 1\n"
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA512                                                                                     \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"                         \
	"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
#define C16 "abcdefghijklmnop"
#define C128 C16 C16 C16 C16 C16 C16 C16 C16
/* A url entry complete but for what a case adds. */
#define URL_ENTRY "datasets:\n  - name: d\n    url: https://example.org/d\n    sha256: " SHA "\n"

static char root[4096];
static int case_no;

/* Shows what a case got, when it did not get what it wanted. */
static void show_got(struct ospack_ctx *ctx, ospack_error rc)
{
	tap_diag("  got code %d: %s", (int)rc,
		 rc == OSPACK_OK ? "(loaded)" : ospack_ctx_message(ctx));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* Creates every parent folder of rel (a path under dir). */
static int make_parents(const char *dir, const char *rel)
{
	for (const char *s = strchr(rel, '/'); s != NULL; s = strchr(s + 1, '/')) {
		char *p = osp_asprintf("%s/%.*s", dir, (int)(s - rel), rel);
		int rc = p == NULL || (mkdir(p, 0755) != 0 && errno != EEXIST) ? -1 : 0;

		free(p);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/*
 * Creates, under dir, what spec names: a space-separated list where "a/b" is a file,
 * "a/" a folder and "fifo:p" a named pipe.
 */
static int make_files(const char *dir, const char *spec)
{
	const char *s = spec;

	while (*s) {
		size_t n = strcspn(s, " ");
		bool fifo = strncmp(s, "fifo:", 5) == 0;
		char *rel = fifo ? osp_strndup(s + 5, n - 5) : osp_strndup(s, n);
		char *p = rel ? osp_asprintf("%s/%s", dir, rel) : NULL;
		int rc = p == NULL || make_parents(dir, rel) != 0 ? -1 : 0;

		if (rc == 0 && fifo)
			rc = mkfifo(p, 0644);
		else if (rc == 0 && rel[n - 1] != '/')
			rc = write_file(p, "x\n", 2);
		free(rel);
		free(p);
		if (rc != 0)
			return -1;
		s += n;
		s += strspn(s, " ");
	}
	return 0;
}

/* A fresh folder for one case, holding the files named; returns it (owned). */
static char *new_case_dir(const char *files)
{
	char *dir = osp_asprintf("%s/case%03d-XXXXXX", root, ++case_no);

	if (dir == NULL || mkdtemp(dir) == NULL || make_files(dir, files) != 0) {
		tap_diag("cannot set up a case folder under %s: %s", root, strerror(errno));
		exit(99);
	}
	return dir;
}

/* Writes the manifest text into a fresh case folder and loads it. *path is owned by the caller. */
static ospack_error load_case(struct ospack_ctx *ctx, const char *files, const char *text,
			      size_t len, char **path, struct ospack_manifest **m)
{
	char *dir = new_case_dir(files);

	*path = osp_asprintf("%s/m.yaml", dir);
	free(dir);
	if (*path == NULL || write_file(*path, text, len) != 0) {
		tap_diag("cannot write a manifest under %s", root);
		exit(99);
	}
	return ospack_manifest_load(ctx, *path, m);
}

static ospack_error load_text(struct ospack_ctx *ctx, const char *files, const char *text,
			      char **path, struct ospack_manifest **m)
{
	return load_case(ctx, files, text, strlen(text), path, m);
}

struct reject {
	const char *what;
	const char *files; /* see make_files() */
	const char *yaml;
	const char *want; /* the whole message after "<manifest path>:" */
};

#define EX16 "p,p,p,p,p,p,p,p,p,p,p,p,p,p,p,p,"
#define P10 "pppppppppp"
#define P100 P10 P10 P10 P10 P10 P10 P10 P10 P10 P10
#define P1001 P100 P100 P100 P100 P100 P100 P100 P100 P100 P100 "p"

static const struct reject rejects[] = {
	/* Keys. */
	{"unknown top-level key", "", HEAD "colour: red\n", "4:1: colour: unknown key"},
	{"unknown entry key", "f", HEAD "datasets:\n  - name: d\n    path: f\n    colour: red\n",
	 "7:5: datasets[0].colour: unknown key"},
	{"final in datasets", "f", HEAD "datasets:\n  - name: d\n    path: f\n    final: true\n",
	 "7:5: datasets[0].final: unknown key in datasets"},
	{"role in evals", "f", HEAD "evals:\n  - name: e\n    path: f\n    role: training\n",
	 "7:5: evals[0].role: unknown key in evals"},
	{"type in code", "f", HEAD "code:\n  - name: c\n    path: f\n    type: paper\n",
	 "7:5: code[0].type: unknown key in code"},
	{"metrics in checkpoints", "f",
	 HEAD "checkpoints:\n  - name: c\n    path: f\n    metrics: {loss: 1}\n",
	 "7:5: checkpoints[0].metrics: unknown key in checkpoints"},
	{"dataset in docs", "f",
	 HEAD "docs:\n  - name: card\n    path: f\n    type: other\n    dataset: d\n",
	 "8:5: docs[0].dataset: unknown key in docs"},
	{"duplicate top-level key", "", "ospack: 1\nname: x\nname: y\nversion: 1\n",
	 "3:1: name: duplicate key (first at line 2)"},
	{"duplicate entry key", "f", HEAD "datasets:\n  - name: d\n    path: f\n    path: f\n",
	 "7:5: path: duplicate key (first at line 6)"},
	{"key that is not a string", "", HEAD "? [a]\n: b\n",
	 "4:3: manifest: keys must be strings"},
	{"top level a list", "", "- ospack: 1\n", "1:1: manifest: expected a mapping"},
	{"top level a string", "", "ospack\n", "1:1: manifest: expected a mapping"},

	/* Types. */
	{"name as a list", "", "ospack: 1\nname: [x]\nversion: 1\n",
	 "2:7: name: expected a string"},
	{"name null", "", "ospack: 1\nname: ~\nversion: 1\n", "2:7: name: expected a string"},
	{"ospack quoted", "", "ospack: \"1\"\nname: x\nversion: 1\n",
	 "1:9: ospack: expected an integer"},
	{"ospack 2", "", "ospack: 2\nname: x\nversion: 1\n",
	 "1:9: ospack: unsupported manifest version 2 (this ospack reads 1)"},
	{"ospack 1.0", "", "ospack: 1.0\nname: x\nversion: 1\n",
	 "1:9: ospack: expected an integer"},
	{"ospack 01", "", "ospack: 01\nname: x\nversion: 1\n", "1:9: ospack: expected an integer"},
	{"final quoted yes", "f",
	 HEAD "checkpoints:\n  - name: c\n    path: f\n    final: \"yes\"\n",
	 "7:12: checkpoints[0].final: expected true or false"},
	{"final plain yes", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    final: yes\n",
	 "7:12: checkpoints[0].final: expected true or false"},
	{"step -1", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    step: -1\n",
	 "7:11: checkpoints[0].step: must be at least 0"},
	{"step 1.5", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    step: 1.5\n",
	 "7:11: checkpoints[0].step: expected an integer"},
	{"step 007", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    step: 007\n",
	 "7:11: checkpoints[0].step: expected an integer"},
	{"step +5", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    step: +5\n",
	 "7:11: checkpoints[0].step: expected an integer"},
	{"step quoted", "f", HEAD "checkpoints:\n  - name: c\n    path: f\n    step: '5'\n",
	 "7:11: checkpoints[0].step: expected an integer"},
	{"size -1", "", HEAD URL_ENTRY "    size: -1\n",
	 "8:11: datasets[0].size: must be at least 0"},
	{"size beyond 64 bits", "", HEAD URL_ENTRY "    size: 99999999999999999999\n",
	 "8:11: datasets[0].size: expected an integer"},
	{"metrics value a string", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: abc}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics value quoted", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: \"1.5\"}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics value .inf", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: .inf}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics value out of range", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: 1e999}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics value 1-2", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: 1-2}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics value a list", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {loss: [1]}\n",
	 "7:21: evals[0].metrics: expected a number"},
	{"metrics a list", "f", HEAD "evals:\n  - name: e\n    path: f\n    metrics: [1]\n",
	 "7:14: evals[0].metrics: expected a mapping"},
	{"metrics duplicate name", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {a: 1, a: 2}\n",
	 "7:21: a: duplicate key (first at line 7)"},
	{"authors not a list", "", HEAD "authors: Ada\n",
	 "4:10: authors: expected a list of strings"},
	{"authors item a list", "", HEAD "authors: [[Ada]]\n", "4:11: authors: expected a string"},
	{"authors item empty", "", HEAD "authors: [Ada, '']\n", "4:16: authors: must not be empty"},
	{"exclude item a mapping", "d/",
	 HEAD "code:\n  - name: c\n    path: d\n    role: library\n    exclude: [{a: b}]\n",
	 "8:15: code[0].exclude: expected a string"},
	{"exclude a string", "d/",
	 HEAD "code:\n  - name: c\n    path: d\n    role: library\n    exclude: '*.pyc'\n",
	 "8:14: code[0].exclude: expected a list of strings"},
	{"follow_symlinks 1", "d/",
	 HEAD "datasets:\n  - name: d\n    path: d\n    follow_symlinks: 1\n",
	 "7:22: datasets[0].follow_symlinks: expected true or false"},
	{"description a mapping", "", HEAD "description: {a: b}\n",
	 "4:14: description: expected a string"},
	{"section a mapping", "", HEAD "datasets:\n  name: d\n",
	 "5:3: datasets: expected a list of entries"},
	{"section a string", "", HEAD "docs: card\n", "4:7: docs: expected a list of entries"},
	{"entry a string", "", HEAD "docs:\n  - card\n", "5:5: docs[0]: expected a mapping"},

	/* Required keys. */
	{"missing ospack", "", "name: x\nversion: 1\n",
	 "1:1: ospack: required key missing (the schema version, 1)"},
	{"missing name", "", "ospack: 1\nversion: 1\n", "1:1: name: required key missing"},
	{"missing version", "", "ospack: 1\nname: x\n", "1:1: version: required key missing"},
	{"entry missing name", "f", HEAD "datasets:\n  - path: f\n",
	 "5:5: datasets[0].name: required key missing"},
	{"second entry missing name", "f",
	 HEAD "docs:\n  - name: a\n    path: f\n    type: paper\n  - path: f\n",
	 "8:5: docs[1].name: required key missing"},
	{"missing source", "", HEAD "datasets:\n  - name: d\n",
	 "5:5: datasets[0]: needs exactly one of path, git or url"},
	{"two sources", "f", HEAD URL_ENTRY "    size: 1\n    path: f\n",
	 "5:5: datasets[0]: needs exactly one of path, git or url"},
	{"code entry without role", "f", HEAD "code:\n  - name: c\n    path: f\n",
	 "5:5: code[0].role: required key missing"},
	{"docs entry without type", "f", HEAD "docs:\n  - name: card\n    path: f\n",
	 "5:5: docs[0].type: required key missing"},

	/* Sources. */
	{"path that does not exist", "", HEAD "datasets:\n  - name: d\n    path: nope/x.bin\n",
	 "6:11: datasets[0].path: nope/x.bin: no such file or folder"},
	{"path under a regular file", "f", HEAD "datasets:\n  - name: d\n    path: f/x\n",
	 "6:11: datasets[0].path: f/x: Not a directory"},
	{"path a named pipe", "fifo:p", HEAD "datasets:\n  - name: d\n    path: p\n",
	 "6:11: datasets[0].path: p: not a regular file or folder"},
	{"path empty", "", HEAD "datasets:\n  - name: d\n    path: ''\n",
	 "6:11: datasets[0].path: must not be empty"},
	{"git a regular file", "f", HEAD "code:\n  - name: c\n    git: f\n    role: training\n",
	 "6:10: code[0].git: f: not a folder"},
	{"git that does not exist", "",
	 HEAD "code:\n  - name: c\n    git: ../nope\n    role: training\n",
	 "6:10: code[0].git: ../nope: no such file or folder"},
	{"url not a URL", "",
	 HEAD "datasets:\n  - name: d\n    url: example.org/d\n    sha256: " SHA "\n    size: 1\n",
	 "6:10: datasets[0].url: not a URL: example.org/d"},
	{"url with nothing after the scheme", "",
	 HEAD "datasets:\n  - name: d\n    url: https://\n    sha256: " SHA "\n    size: 1\n",
	 "6:10: datasets[0].url: not a URL: https://"},
	{"url with no scheme before ://", "",
	 HEAD "datasets:\n  - name: d\n    url: \"://example.org\"\n    sha256: " SHA
	      "\n    size: 1\n",
	 "6:10: datasets[0].url: not a URL: ://example.org"},
	{"url with a space", "",
	 HEAD "datasets:\n  - name: d\n    url: https://example.org/a b\n    sha256: " SHA
	      "\n    size: 1\n",
	 "6:10: datasets[0].url: not a URL: https://example.org/a b"},
	{"url without sha256", "",
	 HEAD "datasets:\n  - name: d\n    url: https://example.org/d\n    size: 1\n",
	 "5:5: datasets[0].sha256: required for url entries"},
	{"url with only sha512", "",
	 HEAD "datasets:\n  - name: d\n    url: https://example.org/d\n    sha512: " SHA512
	      "\n    size: 1\n",
	 "5:5: datasets[0].sha256: required for url entries"},
	{"url without size", "", HEAD URL_ENTRY, "5:5: datasets[0].size: required for url entries"},
	{"sha256 too short", "",
	 HEAD
	 "datasets:\n  - name: d\n    url: https://example.org/d\n    sha256: abc\n    size: 1\n",
	 "7:13: datasets[0].sha256: expected 64 hexadecimal digits"},
	{"sha256 not hex", "",
	 HEAD "datasets:\n  - name: d\n    url: https://example.org/d\n    sha256: "
	      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g\n    size: 1\n",
	 "7:13: datasets[0].sha256: expected 64 hexadecimal digits"},
	{"sha256 of 65 digits", "",
	 HEAD "datasets:\n  - name: d\n    url: https://example.org/d\n    sha256: " SHA
	      "0\n    size: 1\n",
	 "7:13: datasets[0].sha256: expected 64 hexadecimal digits"},
	{"sha256 a number", "",
	 HEAD
	 "datasets:\n  - name: d\n    url: https://example.org/d\n    sha256: 1234\n    size: 1\n",
	 "7:13: datasets[0].sha256: expected 64 hexadecimal digits"},
	{"sha512 of 64 digits", "", HEAD URL_ENTRY "    size: 1\n    sha512: " SHA "\n",
	 "9:13: datasets[0].sha512: expected 128 hexadecimal digits"},
	{"rev with a path source", "f", HEAD "datasets:\n  - name: d\n    path: f\n    rev: v1\n",
	 "7:10: datasets[0].rev: only allowed with git sources"},
	{"subdir with a path source", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    subdir: s\n",
	 "7:13: datasets[0].subdir: only allowed with git sources"},
	{"lfs with a path source", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    lfs: pointers\n",
	 "7:10: datasets[0].lfs: only allowed with git sources"},
	{"rev with a url source", "", HEAD URL_ENTRY "    size: 1\n    rev: main\n",
	 "9:10: datasets[0].rev: only allowed with git sources"},
	{"sha256 with a path source", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    sha256: " SHA "\n",
	 "7:13: datasets[0].sha256: only allowed with url sources"},
	{"size with a path source", "f", HEAD "datasets:\n  - name: d\n    path: f\n    size: 2\n",
	 "7:11: datasets[0].size: only allowed with url sources"},
	{"sha512 with a git source", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    role: training\n    sha512: " SHA512 "\n",
	 "8:13: code[0].sha512: only allowed with url sources"},
	{"exclude with a url source", "", HEAD URL_ENTRY "    size: 1\n    exclude: [x]\n",
	 "9:14: datasets[0].exclude: only allowed with path or git sources"},
	{"follow_symlinks with a url source", "",
	 HEAD URL_ENTRY "    size: 1\n    follow_symlinks: true\n",
	 "9:22: datasets[0].follow_symlinks: only allowed with path or git sources"},
	{"lfs not in its enum", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    role: training\n    lfs: maybe\n",
	 "8:10: code[0].lfs: 'maybe' is not one of error, pointers"},
	{"subdir leaving the repository", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    subdir: ../x\n    role: training\n",
	 "7:13: code[0].subdir: ../x: must be a relative path inside the repository"},
	{"subdir absolute", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    subdir: /etc\n    role: training\n",
	 "7:13: code[0].subdir: /etc: must be a relative path inside the repository"},
	{"repository with a path source", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    repository: https://example.org/r.git\n",
	 "7:17: datasets[0].repository: only allowed with git sources"},
	{"repository a local path", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    repository: /srv/r.git\n    role: training\n",
	 "7:17: code[0].repository: /srv/r.git: a local path, not a public URL (give https://, "
	 "http://, ssh://, git:// or user@host:path)"},
	{"repository a file URL", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    repository: file:///srv/r.git\n    role: "
	      "training\n",
	 "7:17: code[0].repository: file:///srv/r.git: a file:// URL names a local repository, not "
	 "a "
	 "public one (give https://, http://, ssh://, git:// or user@host:path)"},
	{"repository empty", "repo/",
	 HEAD "code:\n  - name: c\n    git: repo\n    repository: ''\n    role: training\n",
	 "7:17: code[0].repository: must not be empty"},

	/* Names. */
	{"uppercase release name", "", "ospack: 1\nname: Tiny\nversion: 1\n",
	 "2:7: name: must match [a-z0-9][a-z0-9._-]* (at most 128 characters)"},
	{"release name starting with a dot", "", "ospack: 1\nname: .x\nversion: 1\n",
	 "2:7: name: must match [a-z0-9][a-z0-9._-]* (at most 128 characters)"},
	{"release name with a space", "", "ospack: 1\nname: a b\nversion: 1\n",
	 "2:7: name: must match [a-z0-9][a-z0-9._-]* (at most 128 characters)"},
	{"release name of 129 characters", "", "ospack: 1\nname: " C128 "q\nversion: 1\n",
	 "2:7: name: must match [a-z0-9][a-z0-9._-]* (at most 128 characters)"},
	{"entry name with a slash", "f", HEAD "datasets:\n  - name: a/b\n    path: f\n",
	 "5:11: datasets[0].name: must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 128 characters)"},
	{"entry name ..", "f", HEAD "datasets:\n  - name: ..\n    path: f\n",
	 "5:11: datasets[0].name: must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 128 characters)"},
	{"entry name with a tab", "f", HEAD "datasets:\n  - name: \"a\\tb\"\n    path: f\n",
	 "5:11: datasets[0].name: must be a single line"},
	{"bad version", "", "ospack: 1\nname: x\nversion: 1.0 beta\n",
	 "3:10: version: must match [A-Za-z0-9][A-Za-z0-9._+-]* (at most 128 characters)"},
	{"version with a slash", "", "ospack: 1\nname: x\nversion: 1/2\n",
	 "3:10: version: must match [A-Za-z0-9][A-Za-z0-9._+-]* (at most 128 characters)"},
	{"version starting with a dash", "", "ospack: 1\nname: x\nversion: -1\n",
	 "3:10: version: must match [A-Za-z0-9][A-Za-z0-9._+-]* (at most 128 characters)"},
	{"duplicate entry names", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n  - name: d\n    path: f\n",
	 "7:5: datasets[1].name: duplicate entry name 'd' (also datasets[0])"},
	{"duplicate entry names apart", "f",
	 HEAD "docs:\n  - name: a\n    path: f\n    type: paper\n  - name: b\n    path: f\n"
	      "    type: paper\n  - name: a\n    path: f\n    type: other\n",
	 "11:5: docs[2].name: duplicate entry name 'a' (also docs[0])"},
	{"two final checkpoints", "f g",
	 HEAD "checkpoints:\n  - name: a\n    path: f\n    final: true\n  - name: b\n    path: g\n"
	      "    final: true\n",
	 "8:5: checkpoints[1].final: only one checkpoint can be final (also checkpoints[0])"},
	{"eval dataset naming no dataset", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    dataset: nope\n",
	 "5:5: evals[0].dataset: no dataset entry is named 'nope'"},
	{"eval dataset naming a code entry", "f",
	 HEAD "code:\n  - name: c\n    path: f\n    role: evaluation\nevals:\n  - name: e\n"
	      "    path: f\n    dataset: c\n",
	 "9:5: evals[0].dataset: no dataset entry is named 'c'"},
	{"dataset role not in its enum", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    role: testing\n",
	 "7:11: datasets[0].role: 'testing' is not one of training, evaluation, validation"},
	{"dataset role of code", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    role: inference\n",
	 "7:11: datasets[0].role: 'inference' is not one of training, evaluation, validation"},
	{"code role not in its enum", "f",
	 HEAD "code:\n  - name: c\n    path: f\n    role: tests\n",
	 "7:11: code[0].role: 'tests' is not one of training, inference, evaluation, "
	 "preprocessing, "
	 "architecture, library"},
	{"role in the wrong case", "f",
	 HEAD "code:\n  - name: c\n    path: f\n    role: Training\n",
	 "7:11: code[0].role: 'Training' is not one of training, inference, evaluation, "
	 "preprocessing, architecture, library"},
	{"docs type not in its enum", "f",
	 HEAD "docs:\n  - name: card\n    path: f\n    type: blog\n",
	 "7:11: docs[0].type: 'blog' is not one of model-card, data-card, paper, technical-report, "
	 "license, other"},
	{"empty list of roles", "f", HEAD "datasets:\n  - name: d\n    path: f\n    role: []\n",
	 "7:11: datasets[0].role: the list of roles must not be empty"},
	{"role listed twice", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    role: [training, training]\n",
	 "7:22: datasets[0].role: 'training' is listed twice"},
	{"role in a list not in its enum", "f",
	 HEAD "code:\n  - name: c\n    path: f\n    role: [training, tests]\n",
	 "7:22: code[0].role: 'tests' is not one of training, inference, evaluation, "
	 "preprocessing, architecture, library"},
	{"dataset role list with a code role", "f",
	 HEAD
	 "datasets:\n  - name: d\n    path: f\n    role:\n      - evaluation\n      - inference\n",
	 "9:9: datasets[0].role: 'inference' is not one of training, evaluation, validation"},
	{"role list holding a list", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    role: [[training]]\n",
	 "7:12: datasets[0].role: expected a string"},
	{"role a mapping", "f", HEAD "code:\n  - name: c\n    path: f\n    role: {a: b}\n",
	 "7:11: code[0].role: expected a string"},
	{"role list in docs", "f", HEAD "docs:\n  - name: c\n    path: f\n    role: [training]\n",
	 "7:5: docs[0].role: unknown key in docs"},
	{"metrics and metrics_from", "f card.md",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics: {a: 1}\n    metrics_from: card.md\n",
	 "8:19: evals[0].metrics_from: give metrics or metrics_from, not both"},
	{"metrics_from absolute", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics_from: /etc/passwd\n",
	 "7:19: evals[0].metrics_from: /etc/passwd: must be a relative path inside the manifest's "
	 "folder"},
	{"metrics_from climbing out", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics_from: ../card.md\n",
	 "7:19: evals[0].metrics_from: ../card.md: must be a relative path inside the manifest's "
	 "folder"},
	{"metrics_from missing", "f",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics_from: card.md\n",
	 "7:19: evals[0].metrics_from: card.md: no such file"},
	{"metrics_from a folder", "f d/x",
	 HEAD "evals:\n  - name: e\n    path: f\n    metrics_from: d\n",
	 "7:19: evals[0].metrics_from: d: not a regular file"},
	{"metrics_from in code", "f",
	 HEAD "code:\n  - name: c\n    path: f\n    role: training\n    metrics_from: f\n",
	 "8:5: code[0].metrics_from: unknown key in code"},

	/* Text. */
	{"control character in a string", "", HEAD "description: \"a\\x01b\"\n",
	 "4:14: description: control characters are not allowed"},
	{"escape character in an entry string", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    description: \"\\e[31m\"\n",
	 "7:18: datasets[0].description: control characters are not allowed"},
	{"NUL escape in a string", "", HEAD "description: \"a\\0b\"\n",
	 "4:14: description: not valid UTF-8 text"},
	{"name with a newline", "", "ospack: 1\nname: \"a\\nb\"\nversion: 1\n",
	 "2:7: name: must be a single line"},
	{"homepage with a newline", "", HEAD "homepage: |\n  https://example.org\n  more\n",
	 "4:11: homepage: must be a single line"},
	{"homepage empty", "", HEAD "homepage: \"\"\n", "4:11: homepage: must not be empty"},
	{"license empty", "", HEAD "license: ''\n", "4:10: license: must not be empty"},

	/* YAML. */
	{"YAML syntax error", "", "ospack: 1\n name: x\n",
	 "2:6: yaml: 'name:' is indented more than 'ospack:' above it (line 1) [libyaml: mapping "
	 "values are not allowed in this context]"},
	{"YAML unclosed flow sequence", "", HEAD "authors: [a, b\n",
	 "5:1: yaml: did not find expected ',' or ']' while parsing a flow sequence"},
	{"YAML tab indentation", "", "ospack: 1\n\tname: x\n",
	 "2:1: yaml: a tab character at line 2, column 1: YAML indents with spaces [libyaml: found "
	 "a tab character that violates indentation while scanning a plain scalar]"},
	{"YAML undefined alias", "", HEAD "description: *nope\n",
	 "4:14: yaml: found undefined alias"},
	{"empty file", "", "", "1:1: ospack: the manifest is empty"},
	{"only a comment", "", "# nothing here\n", "1:1: ospack: the manifest is empty"},
	{"a second YAML document", "", HEAD "---\nospack: 1\n",
	 "4:1: yaml: more than one YAML document"},
	{"an empty second YAML document", "", HEAD "---\n",
	 "4:1: yaml: more than one YAML document"},
	{"a second document after an end marker", "", HEAD "...\n---\nname: y\n",
	 "5:1: yaml: more than one YAML document"},
	/* Bounds on exclude: every file is matched against every pattern. */
	{"257 exclude patterns", "d/",
	 HEAD "datasets:\n  - name: d\n    path: d\n    exclude: [" EX16 EX16 EX16 EX16 EX16 EX16
		 EX16 EX16 EX16 EX16 EX16 EX16 EX16 EX16 EX16 EX16 "p]\n",
	 "7:14: datasets[0].exclude: 257 patterns; at most 256 are allowed"},
	{"an exclude pattern of 1001 bytes", "d/",
	 HEAD "datasets:\n  - name: d\n    path: d\n    exclude: [ok, " P1001 "]\n",
	 "7:19: datasets[0].exclude: a pattern longer than 1000 bytes"},
};

static void test_reject(const struct reject *r)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *path = NULL, *want;
	ospack_error rc = load_case(ctx, r->files, r->yaml, strlen(r->yaml), &path, &m);

	want = osp_asprintf("%s:%s", path, r->want);
	if (!ok(rc == OSPACK_EMANIFEST && m == NULL, "%s: rejected", r->what))
		tap_diag("  got code %d", (int)rc);
	is_str(ospack_ctx_message(ctx), want, "%s: message", r->what);
	ospack_manifest_free(rc == OSPACK_OK ? m : NULL);
	free(want);
	free(path);
	ospack_ctx_free(ctx);
}

/* Loads text that must be accepted; prints the message if it is not. */
static struct ospack_manifest *load_ok(struct ospack_ctx *ctx, const char *files, const char *text,
				       char **path, const char *what)
{
	struct ospack_manifest *m = NULL;
	ospack_error rc = load_case(ctx, files, text, strlen(text), path, &m);

	if (!ok(rc == OSPACK_OK && m != NULL, "%s: loads", what))
		tap_diag("  %s", ospack_ctx_message(ctx));
	return rc == OSPACK_OK ? m : NULL;
}

static const char full_yaml[] =
	"# Every key of every section; the sections are not in their usual order.\n"
	"ospack: 1\n"
	"name: tiny-stories-15m\n"
	"version: 1.0.0+build.7\n"
	"description: |\n"
	"  A 15M-parameter model.\n"
	"  Trained on TinyStories.\n"
	"license: Apache-2.0 OR MIT\n"
	"authors: [\"Ada Lovelace <ada@example.org>\", Charles Babbage]\n"
	"homepage: https://example.org/tiny\n"
	"docs:\n"
	"  - name: model-card\n"
	"    path: MODEL_CARD.md\n"
	"    type: model-card\n"
	"    license: CC-BY-4.0\n"
	"evals:\n"
	"  - name: val\n"
	"    path: evals/val.json\n"
	"    dataset: tinystories\n"
	"    metrics: {loss: 1.25, tokens: 20000, delta: -3, tiny: 1.5e-3, big: 1e3, zero: 0}\n"
	"checkpoints:\n"
	"  - name: final\n"
	"    path: out/model.safetensors\n"
	"    final: true\n"
	"    step: 20000\n"
	"  - name: step-10000\n"
	"    path: out/ckpt-10000.safetensors\n"
	"    step: 10000\n"
	"    final: false\n"
	"code:\n"
	"  - name: inference\n"
	"    path: src/infer/\n"
	"    role: inference\n"
	"    exclude: [\"__pycache__/\", \"*.pyc\"]\n"
	"    follow_symlinks: true\n"
	"    description: \"tab\\there\"\n"
	"datasets:\n"
	"  - name: tinystories\n"
	"    path: data/tinystories/\n"
	"    license: CDLA-Sharing-1.0\n"
	"  - name: Pile_subset.v2\n"
	"    url: https://example.org/pile-subset.jsonl.zst\n"
	"    sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\n"
	"    sha512: " SHA512 "\n"
	"    size: 1048576\n"
	"    role: validation\n"
	"    description: Not bundled.\n";

static const char full_files[] = "MODEL_CARD.md evals/val.json out/model.safetensors "
				 "out/ckpt-10000.safetensors src/infer/ data/tinystories/";

struct want_entry {
	enum osp_section section;
	size_t index;
	const char *name;
	unsigned line, col;
};

static void test_full(void)
{
	static const struct want_entry order[] = {
		{OSP_DATASETS, 0, "tinystories", 38, 5},
		{OSP_DATASETS, 1, "Pile_subset.v2", 41, 5},
		{OSP_CODE, 0, "inference", 31, 5},
		{OSP_CHECKPOINTS, 0, "final", 22, 5},
		{OSP_CHECKPOINTS, 1, "step-10000", 26, 5},
		{OSP_EVALS, 0, "val", 17, 5},
		{OSP_DOCS, 0, "model-card", 12, 5},
	};
	static const struct {
		const char *name;
		double value;
		bool integer;
	} metrics[] = {
		{"loss", 1.25, false},	 {"tokens", 20000, true}, {"delta", -3, true},
		{"tiny", 1.5e-3, false}, {"big", 1000, false},	  {"zero", 0, true},
	};
	struct ospack_ctx *ctx = ospack_ctx_new();
	char *path = NULL, *dir, *abs;
	struct ospack_manifest *m = load_ok(ctx, full_files, full_yaml, &path, "full manifest");
	const struct osp_entry *e;

	if (m == NULL) {
		free(path);
		ospack_ctx_free(ctx);
		return;
	}
	dir = osp_strndup(path, strlen(path) - strlen("/m.yaml"));
	is_str(m->file, path, "full: file is the path given");
	is_str(m->dir, dir, "full: dir is the manifest's folder");
	is_str(ospack_manifest_name(m), "tiny-stories-15m", "full: name");
	is_str(ospack_manifest_version(m), "1.0.0+build.7", "full: version");
	is_str(m->description, "A 15M-parameter model.\nTrained on TinyStories.\n",
	       "full: multi-line description kept");
	is_str(m->license, "Apache-2.0 OR MIT", "full: valid license expression kept");
	is_str(m->homepage, "https://example.org/tiny", "full: homepage");
	is_int(m->authors.n, 2, "full: two authors");
	if (m->authors.n == 2) {
		is_str(m->authors.v[0], "Ada Lovelace <ada@example.org>", "full: first author");
		is_str(m->authors.v[1], "Charles Babbage", "full: second author");
	}

	is_int(m->nentries, OSP_ARRAY_LEN(order), "full: seven entries");
	for (size_t i = 0; i < OSP_ARRAY_LEN(order) && i < m->nentries; i++) {
		char label[64];

		e = &m->entries[i];
		ok(e->section == order[i].section && e->index == order[i].index &&
			   strcmp(e->name, order[i].name) == 0,
		   "full: entry %zu is %s[%zu] %s", i, osp_section_name(order[i].section),
		   order[i].index, order[i].name);
		ok(e->pos.line == order[i].line && e->pos.col == order[i].col,
		   "full: entry %zu starts at %u:%u", i, order[i].line, order[i].col);
		osp_entry_label(e, label, sizeof(label));
		if (i == 1)
			is_str(label, "datasets[1]", "full: entry label");
	}
	if (m->nentries != OSP_ARRAY_LEN(order))
		goto out;

	e = &m->entries[0]; /* datasets[0]: a folder with its own license */
	ok(e->source == OSP_SRC_PATH, "full: datasets[0] is a path source");
	is_str(e->src, "data/tinystories/", "full: datasets[0] path as written");
	abs = osp_asprintf("%s/data/tinystories/", dir);
	is_str(e->abs, abs, "full: datasets[0] path resolved against the manifest's folder");
	free(abs);
	ok(e->src_pos.line == 39 && e->src_pos.col == 11, "full: datasets[0] source position");
	is_str(e->license, "CDLA-Sharing-1.0", "full: datasets[0] own license");
	ok(!e->license_inherited, "full: datasets[0] license not inherited");
	ok(e->license_pos.line == 40 && e->license_pos.col == 14,
	   "full: datasets[0] license position");
	is_str(e->role, "training", "full: datasets[0] role defaults to training");
	ok(e->exclude.n == 0 && !e->follow_symlinks && e->rev == NULL && e->sha256 == NULL,
	   "full: datasets[0] has nothing it did not say");

	e = &m->entries[1]; /* datasets[1]: a url */
	ok(e->source == OSP_SRC_URL, "full: datasets[1] is a url source");
	is_str(e->src, "https://example.org/pile-subset.jsonl.zst", "full: datasets[1] url");
	ok(e->abs == NULL, "full: a url is not resolved as a path");
	is_str(e->sha256, SHA, "full: datasets[1] sha256 lowercased");
	is_str(e->sha512, SHA512, "full: datasets[1] sha512");
	is_int(e->size, 1048576, "full: datasets[1] size");
	is_str(e->role, "validation", "full: datasets[1] role");
	is_str(e->license, "Apache-2.0 OR MIT", "full: datasets[1] license from the release");
	ok(e->license_inherited, "full: datasets[1] license inherited");
	is_str(e->description, "Not bundled.", "full: datasets[1] description");

	e = &m->entries[2]; /* code[0] */
	is_str(e->role, "inference", "full: code[0] role");
	ok(e->exclude.n == 2 && strcmp(e->exclude.v[0], "__pycache__/") == 0 &&
		   strcmp(e->exclude.v[1], "*.pyc") == 0,
	   "full: code[0] exclude list in order");
	ok(e->follow_symlinks, "full: code[0] follow_symlinks");
	is_str(e->description, "tab\there", "full: a tab is allowed in a description");
	ok(e->license_inherited, "full: code[0] license inherited");

	e = &m->entries[3]; /* checkpoints[0] */
	ok(e->final && e->has_step && e->step == 20000, "full: checkpoints[0] final at step 20000");
	ok(e->role == NULL, "full: a checkpoint has no role");
	e = &m->entries[4];
	ok(!e->final && e->has_step && e->step == 10000,
	   "full: checkpoints[1] not final, step 10000");

	e = &m->entries[5]; /* evals[0] */
	is_str(e->dataset, "tinystories", "full: evals[0] dataset");
	is_int(e->nmetrics, OSP_ARRAY_LEN(metrics), "full: evals[0] metric count");
	for (size_t i = 0; i < OSP_ARRAY_LEN(metrics) && i < e->nmetrics; i++) {
		const struct osp_metric *mt = &e->metrics[i];

		ok(strcmp(mt->name, metrics[i].name) == 0 && mt->value == metrics[i].value &&
			   mt->integer == metrics[i].integer,
		   "full: metric %s = %g (%s)", metrics[i].name, metrics[i].value,
		   metrics[i].integer ? "integer" : "not an integer");
	}

	e = &m->entries[6]; /* docs[0] */
	is_str(e->role, "model-card", "full: docs[0] type");
	is_str(e->license, "CC-BY-4.0", "full: docs[0] own license");
	ok(!e->license_inherited, "full: docs[0] license not inherited");
out:
	ospack_manifest_free(m);
	free(dir);
	free(path);
	ospack_ctx_free(ctx);
}

/* Smaller acceptances, each checking the one thing it names. */
static void test_accept(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m;
	char *path = NULL;

	m = load_ok(ctx, "f",
		    HEAD "datasets:\n  - name: same\n    path: f\ncode:\n  - name: same\n"
			 "    path: f\n    role: library\n",
		    &path, "same entry name in two sections");
	ok(m != NULL && m->nentries == 2, "same entry name in two sections: both kept");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "f", HEAD "docs:\n  - name: card\n    path: f\n    type: paper\n", &path,
		    "no release license");
	ok(m != NULL && m->license == NULL && m->entries[0].license == NULL &&
		   !m->entries[0].license_inherited,
	   "no release license: the entry has none, and nothing is inherited");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "", "ospack: 1\nname: " C128 "\nversion: " C128 "\n", &path,
		    "128-character name and version");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "", "ospack: 1\nname: 0.a_b-c\nversion: \"2024.01\"\ndatasets: []\n",
		    &path, "an empty section and a quoted version");
	ok(m != NULL && m->nentries == 0 && strcmp(m->version, "2024.01") == 0,
	   "an empty section: no entries, version kept as written");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "f",
		    HEAD "checkpoints:\n  - name: c\n    path: f\n    step: 0\n"
			 "evals:\n  - name: e\n    path: f\n    metrics: {}\n",
		    &path, "step 0 and empty metrics");
	ok(m != NULL && m->entries[0].has_step && m->entries[0].step == 0 && !m->entries[0].final &&
		   m->entries[1].nmetrics == 0,
	   "step 0 kept, final defaults to false, no metrics");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "", HEAD URL_ENTRY "    size: 0\n", &path, "url entry of size 0");
	ok(m != NULL && m->entries[0].size == 0 && m->entries[0].sha512 == NULL,
	   "url entry: size 0, no sha512");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "", HEAD "...\n", &path, "a document end marker alone");
	ospack_manifest_free(m);
	free(path);

	m = load_ok(ctx, "",
		    "\xef\xbb\xbfospack: 1\nname: x\nversion: 1\ndescription: \"caf\\u00e9\"\n",
		    &path, "a byte order mark and a UTF-8 escape");
	ok(m != NULL && strcmp(m->description, "caf\xc3\xa9") == 0, "UTF-8 text decoded");
	ospack_manifest_free(m);
	free(path);
	ospack_ctx_free(ctx);
}

/* A relative manifest path: sources resolve against the folder as written. */
static void test_relative(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *dir = new_case_dir("sub/data/f");
	char *mpath = osp_asprintf("%s/sub/m.yaml", dir);
	char cwd[4096];
	ospack_error rc;

	static const char yaml[] = HEAD "datasets:\n  - name: d\n    path: data/f\n";

	if (getcwd(cwd, sizeof(cwd)) == NULL || mpath == NULL ||
	    write_file(mpath, yaml, sizeof(yaml) - 1) != 0 || chdir(dir) != 0) {
		tap_diag("cannot set up the relative case");
		exit(99);
	}
	rc = ospack_manifest_load(ctx, "sub/m.yaml", &m);
	ok(rc == OSPACK_OK && m != NULL, "relative manifest path loads");
	if (m != NULL) {
		is_str(m->dir, "sub", "relative: dir is the folder as written");
		is_str(m->entries[0].abs, "sub/data/f", "relative: source resolved against it");
	}
	ospack_manifest_free(m);
	m = NULL;
	if (chdir("sub") != 0)
		exit(99);
	rc = ospack_manifest_load(ctx, "m.yaml", &m);
	ok(rc == OSPACK_OK && m != NULL, "manifest in the current folder loads");
	if (m != NULL) {
		is_str(m->dir, ".", "current folder: dir is '.'");
		is_str(m->entries[0].abs, "data/f", "current folder: source kept as written");
	}
	ospack_manifest_free(m);
	if (chdir(cwd) != 0)
		exit(99);
	free(mpath);
	free(dir);
	ospack_ctx_free(ctx);
}

/* Failures found before the YAML is parsed: the file itself. */
static void test_files(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *dir = new_case_dir("");
	char *path = osp_asprintf("%s/nope.yaml", dir), *want;
	static const char nul[] = "ospack: 1\nname: x\0y\nversion: 1\n";
	struct osp_buf big = {0};
	ospack_error rc;

	rc = ospack_manifest_load(ctx, dir, &m);
	want = osp_asprintf("%s: is a folder, not a manifest", dir);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "a folder as manifest: rejected");
	is_str(ospack_ctx_message(ctx), want, "a folder as manifest: message");
	free(want);

	rc = ospack_manifest_load(ctx, path, &m);
	want = osp_asprintf("%s: no such file", path);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "a missing manifest: rejected");
	is_str(ospack_ctx_message(ctx), want, "a missing manifest: message");
	free(want);
	free(path);

	rc = load_case(ctx, "", nul, sizeof(nul) - 1, &path, &m);
	want = osp_asprintf("%s:1:1: yaml: the manifest contains a NUL byte", path);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "a NUL byte: rejected");
	is_str(ospack_ctx_message(ctx), want, "a NUL byte: message");
	free(want);
	free(path);

	/* One byte over 4 MiB, made of comments. */
	osp_buf_puts(&big, HEAD);
	while (big.len < 4u * 1024 * 1024 - 64)
		osp_buf_puts(&big, "# padding padding padding padding padding padding padding\n");
	while (big.len < 4u * 1024 * 1024 + 1)
		osp_buf_putc(&big, '\n');
	rc = load_case(ctx, "", big.data, big.len, &path, &m);
	want = osp_asprintf("%s: larger than 4194304 bytes", path);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "a manifest over 4 MiB: rejected");
	is_str(ospack_ctx_message(ctx), want, "a manifest over 4 MiB: message");
	free(want);
	free(path);
	big.len = 4u * 1024 * 1024;
	big.data[big.len] = '\0';
	m = load_ok(ctx, "", big.data, &path, "a manifest of exactly 4 MiB");
	ospack_manifest_free(m);
	free(path);
	osp_buf_free(&big);

	/* osp_manifest_parse() names the file it is told, and needs no file at all. */
	rc = osp_manifest_parse(ctx, "inline.yaml", ".", "ospack: 3\n", 10, &m);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "parse from memory: rejected");
	is_str(ospack_ctx_message(ctx),
	       "inline.yaml:1:9: ospack: unsupported manifest version 3 (this ospack reads 1)",
	       "parse from memory: the file name given is in the message");
	rc = osp_manifest_parse(ctx, "inline.yaml", "/nowhere", HEAD "name: y\n", strlen(HEAD) + 8,
				&m);
	is_str(ospack_ctx_message(ctx), "inline.yaml:4:1: name: duplicate key (first at line 2)",
	       "parse from memory: length respected");
	rc = osp_manifest_parse(ctx, "inline.yaml", "/nowhere", HEAD "name: y\n", strlen(HEAD), &m);
	ok(rc == OSPACK_OK && m != NULL && strcmp(m->dir, "/nowhere") == 0,
	   "parse from memory: only len bytes are read, dir kept");
	ospack_manifest_free(m);
	free(dir);
	ospack_ctx_free(ctx);
}

static void test_aliases(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m;
	char *path = NULL;

	m = load_ok(ctx, "src/",
		    HEAD "license: &lic MIT\n"
			 "code:\n"
			 "  - name: a\n    path: src\n    role: library\n"
			 "    exclude: &ex [\"*.pyc\", \"__pycache__/\"]\n"
			 "  - name: b\n    path: src\n    role: training\n    exclude: *ex\n"
			 "    license: *lic\n",
		    &path, "a legitimate alias");
	ok(m != NULL && m->nentries == 2 && m->entries[1].exclude.n == 2 &&
		   strcmp(m->entries[1].exclude.v[1], "__pycache__/") == 0,
	   "the aliased exclude list is read for both entries");
	ok(m != NULL && m->nentries == 2 && strcmp(m->entries[1].license, "MIT") == 0 &&
		   !m->entries[1].license_inherited,
	   "an aliased license is the entry's own");
	ospack_manifest_free(m);
	free(path);
	ospack_ctx_free(ctx);
}

/* Loads generated text that must be refused; returns the seconds it took. */
static double reject_generated(const char *files, const struct osp_buf *b, const char *what,
			       const char *want)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *path = NULL;
	double t0 = now(), t;
	ospack_error rc;

	if (b->data == NULL) {
		tap_diag("out of memory building %s", what);
		exit(99);
	}
	rc = load_case(ctx, files, b->data, b->len, &path, &m);
	t = now() - t0;
	if (!ok(rc == OSPACK_EMANIFEST && m == NULL, "%s: rejected", what))
		ospack_manifest_free(m);
	has_str(ospack_ctx_message(ctx), want, "%s: message", what);
	tap_diag("%s: %zu bytes of YAML, refused in %.3f s", what, b->len, t);
	free(path);
	ospack_ctx_free(ctx);
	return t;
}

/*
 * Aliases multiply what a small file holds: entries × exclude items here, 9,000 aliases (within
 * the 10,000 entries a manifest may have) of an entry whose list has 250 items: 2,250,000
 * strings, far over the nodes a manifest may visit.
 */
static void test_laughs(void)
{
	struct osp_buf b = {0};
	struct rusage ru;

	osp_buf_puts(&b, HEAD "code:\n  - &e {name: c, path: d, role: library, exclude: [");
	for (int i = 0; i < 250; i++)
		osp_buf_puts(&b, i ? ",p" : "p");
	osp_buf_puts(&b, "]}\n");
	for (int i = 0; i < 9000; i++)
		osp_buf_puts(&b, "  - *e\n");
	reject_generated("d/", &b, "entries times exclude items",
			 ".exclude: too many nodes (aliases expand beyond the limit)");
	osp_buf_free(&b);

	/*
	 * Few nodes, many bytes: a 1 MiB scalar and aliases of it. The node count alone let
	 * each alias copy a megabyte; the expanded text is bounded at 8 MiB.
	 */
	osp_buf_puts(&b, HEAD "description: &a ");
	for (int i = 0; i < 1024 * 1024; i++)
		osp_buf_putc(&b, 'a');
	osp_buf_puts(&b, "\nauthors: [");
	for (int i = 0; i < 100000; i++)
		osp_buf_puts(&b, i ? ", *a" : "*a");
	osp_buf_puts(&b, "]\n");
	reject_generated("", &b, "aliases of a long scalar",
			 ":4:14: authors: the manifest's text, aliases expanded, exceeds 8 MiB");
	osp_buf_free(&b);

	/* The same through keys: an aliased key is compared with its siblings as a whole. */
	osp_buf_puts(&b, HEAD "description: &k ");
	for (int i = 0; i < 1024 * 1024; i++)
		osp_buf_putc(&b, 'k');
	osp_buf_puts(&b, "\nevals:\n  - name: e\n    path: f\n    metrics: {");
	for (int i = 0; i < 100000; i++)
		osp_buf_puts(&b, i ? ", *k : 1" : "*k : 1");
	osp_buf_puts(&b, "}\n");
	reject_generated("f", &b, "aliases of a long scalar as keys",
			 ":4:14: evals[0].metrics: the manifest's text, aliases expanded, exceeds "
			 "8 MiB");
	osp_buf_free(&b);

	/*
	 * The classic shape: ten levels of lists of ten aliases of the level below. No key
	 * takes nested lists, so the type check stops it at its first item, before the bound.
	 */
	osp_buf_puts(&b, HEAD "authors: [&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]");
	for (int level = 1; level < 10; level++) {
		osp_buf_printf(&b, ", &l%d [", level);
		for (int i = 0; i < 10; i++)
			osp_buf_printf(&b, "%s*l%d", i ? ", " : "", level - 1);
		osp_buf_puts(&b, "]");
	}
	osp_buf_puts(&b, "]\n");
	reject_generated("", &b, "nested aliases in authors", ":4:11: authors: expected a string");
	osp_buf_free(&b);

	/* The same, ten levels deep, in an entry's metrics. */
	osp_buf_puts(&b,
		     HEAD "evals:\n  - name: e\n    path: f\n    metrics: {m0: &m0 {a: 1, b: 2}");
	for (int level = 1; level < 10; level++) {
		osp_buf_printf(&b, ", m%d: &m%d {", level, level);
		for (int i = 0; i < 10; i++)
			osp_buf_printf(&b, "%sk%d: *m%d", i ? ", " : "", i, level - 1);
		osp_buf_puts(&b, "}");
	}
	osp_buf_puts(&b, "}\n");
	reject_generated("f", &b, "nested aliases in metrics",
			 ":7:19: evals[0].metrics: expected a number");
	osp_buf_free(&b);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		tap_diag("peak resident memory so far: %ld KiB", ru.ru_maxrss);
}

struct spdx_case {
	const char *what;
	const char *files;
	const char *yaml;
	const char *want; /* the message's start after "<manifest path>:" */
};

static const struct spdx_case spdx_rejects[] = {
	{"unknown license Apache2", "", HEAD "license: Apache2\n",
	 "4:10: license: invalid license expression: "},
	{"expression ending in AND", "f",
	 HEAD "datasets:\n  - name: d\n    path: f\n    license: MIT AND\n",
	 "7:14: datasets[0].license: invalid license expression: "},
	{"unclosed parenthesis", "", HEAD "license: (MIT\n",
	 "4:10: license: invalid license expression: "},
	{"OR without a right side", "", HEAD "license: MIT OR\n",
	 "4:10: license: invalid license expression: "},
	{"WITH an unknown exception", "", HEAD "license: GPL-2.0-only WITH No-Such-exception\n",
	 "4:10: license: invalid license expression: "},
};

static void test_spdx(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(spdx_rejects); i++) {
		const struct spdx_case *c = &spdx_rejects[i];
		struct ospack_ctx *ctx = ospack_ctx_new();
		struct ospack_manifest *m = NULL;
		char *path = NULL, *want;
		ospack_error rc = load_case(ctx, c->files, c->yaml, strlen(c->yaml), &path, &m);

		want = osp_asprintf("%s:%s", path, c->want);
		ok(rc == OSPACK_EMANIFEST &&
			   strncmp(ospack_ctx_message(ctx), want, strlen(want)) == 0,
		   "license: %s rejected with its location", c->what);
		show_got(ctx, rc);
		ospack_manifest_free(m);
		free(want);
		free(path);
		ospack_ctx_free(ctx);
	}
}

/* Loads text in a child process: 0 when it loads, 1 when refused, -1 when the child crashed. */
static int load_in_child(const char *files, const char *text)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct ospack_ctx *ctx = ospack_ctx_new();
		struct ospack_manifest *m = NULL;
		char *path = NULL;
		ospack_error rc = load_text(ctx, files, text, &path, &m);

		ospack_manifest_free(m);
		free(path);
		ospack_ctx_free(ctx);
		_exit(rc == OSPACK_OK ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0 ? 0 : 1;
}

/*
 * Loader defects found while writing these tests, kept as TODO points so they show
 * up as unexpected passes once fixed.
 */
static void test_known_gaps(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *path = NULL, *want;
	ospack_error rc;

	/* libyaml's reader errors carry an offset, not a mark: the location is lost. */
	rc = load_text(ctx, "", HEAD "description: a\x01z\n", &path, &m);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "raw control byte: rejected");
	has_str(ospack_ctx_message(ctx), ": yaml: control characters are not allowed",
		"raw control byte: libyaml's problem in the message");
	want = osp_asprintf("%s:4:15: yaml: control characters are not allowed", path);
	ok(strcmp(ospack_ctx_message(ctx), want) == 0, "raw control byte: located where it is");
	show_got(ctx, rc);
	free(want);
	free(path);

	rc = load_text(ctx, "", HEAD "description: caf\xe9\n", &path, &m);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "invalid UTF-8 byte: rejected");
	has_str(ospack_ctx_message(ctx), ": yaml: incomplete UTF-8 octet sequence",
		"invalid UTF-8 byte: libyaml's problem");
	want = osp_asprintf("%s:4:17: yaml: ", path);
	ok(strncmp(ospack_ctx_message(ctx), want, strlen(want)) == 0,
	   "invalid UTF-8 byte: located where it is");
	show_got(ctx, rc);
	free(want);
	free(path);

	/* A syntax error in a second document is not seen: the manifest loads. */
	rc = load_text(ctx, "", HEAD "---\n[unclosed\n", &path, &m);
	ok(rc == OSPACK_EMANIFEST, "a second document with a syntax error: rejected");
	show_got(ctx, rc);
	ospack_manifest_free(rc == OSPACK_OK ? m : NULL);
	free(path);

	/*
	 * Two empty sections: the first reallocates the entries to 0 bytes (malloc(0)), the
	 * second realloc(p, 0) frees p and returns NULL, reported as out of memory, and the
	 * manifest's free then frees p again. Run in a child: it aborts.
	 */
	ok(load_in_child("", HEAD "datasets: []\ncode: []\n") == 0, "two empty sections load");

	/* subdir errors: the key should be the entry's, the location the subdir value's. */
	rc = load_text(ctx, "repo/",
		       HEAD
		       "code:\n  - name: c\n    git: repo\n    subdir: ../x\n    role: training\n",
		       &path, &m);
	want = osp_asprintf("%s:7:13: code[0].subdir: ../x: must be a relative path inside the "
			    "repository",
			    path);
	ok(rc == OSPACK_EMANIFEST && strcmp(ospack_ctx_message(ctx), want) == 0,
	   "subdir: key and location of the value");
	show_got(ctx, rc);
	free(want);
	free(path);
	ospack_ctx_free(ctx);
}

/*
 * get_metrics() leaks the name of a metric it rejects (get_line() keeps the copy it
 * made, and nmetrics does not count it). The message is checked here; under
 * AddressSanitizer the leak is checked in a child process, so the known leak does not
 * fail the whole run.
 */
static void test_metric_name_leak(void)
{
	static const char yaml[] =
		HEAD "evals:\n  - name: e\n    path: f\n    metrics: {\"\": 1}\n";
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	char *path = NULL, *want;
	ospack_error rc;

#ifdef TEST_ASAN
	__lsan_disable();
#endif
	rc = load_case(ctx, "f", yaml, sizeof(yaml) - 1, &path, &m);
#ifdef TEST_ASAN
	__lsan_enable();
#endif
	want = osp_asprintf("%s:7:15: evals[0].metrics: must not be empty", path);
	ok(rc == OSPACK_EMANIFEST && m == NULL, "empty metric name: rejected");
	is_str(ospack_ctx_message(ctx), want, "empty metric name: message");
	free(want);
	free(path);
#ifdef TEST_ASAN
	{
		pid_t pid;
		int status = 0;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			rc = load_case(ctx, "f", yaml, sizeof(yaml) - 1, &path, &m);
			free(path);
			ospack_ctx_free(ctx);
			_exit(__lsan_do_recoverable_leak_check() ? 1 : 0);
		}
		waitpid(pid, &status, 0);
		ok(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "empty metric name: nothing leaks");
	}
#endif
	ospack_ctx_free(ctx);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(root, sizeof(root), "%s/ospack-test-manifest-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		printf("Bail out! cannot create a temporary folder: %s\n", strerror(errno));
		return 99;
	}
	for (size_t i = 0; i < OSP_ARRAY_LEN(rejects); i++)
		test_reject(&rejects[i]);
	test_full();
	test_accept();
	test_relative();
	test_files();
	test_aliases();
	test_laughs();
	test_spdx();
	test_known_gaps();
	test_metric_name_leak();
	if (tap_failed == 0)
		nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		tap_diag("case folders kept in %s", root);
	return tap_done();
}
