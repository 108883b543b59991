/* SPDX-License-Identifier: Apache-2.0 */
/* ospack init: a first manifest guessed from what a folder holds, with comments where a person
 * decides. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/* A folder with more entries than this is one entry; deeper folders are one entry too. */
#define FANOUT 32
#define MAX_DEPTH 6
#define MAX_ENTRIES 512
#define LICENSE_MAX (256 * 1024)

enum kind { K_OTHER, K_CKPT, K_CODE, K_DATA, K_EVAL, K_DOC, K_LICENSE };
enum section { S_DATASETS, S_CODE, S_CHECKPOINTS, S_EVALS, S_DOCS, S_COUNT };
static const char *const section_key[S_COUNT] = {"datasets", "code", "checkpoints", "evals",
						 "docs"};

struct ient {
	char *name;
	char *path;	  /* relative to the folder; a folder ends with '/' */
	const char *what; /* role (code) or type (docs) */
	char rev[41];	  /* git entries: HEAD's commit, "" when none */
	bool git;
	bool final;
	long step; /* -1: unknown */
	int64_t size;
};

struct init {
	struct ospack_ctx *ctx;
	char *root;
	struct ient *e[S_COUNT];
	size_t n[S_COUNT];
	size_t total;
	bool truncated;
	bool root_git;
	size_t loose_data; /* data files straight in the folder, when too many to list */
	char *license_file;
	const char *license; /* an SPDX id, or NULL */
	unsigned todos;
};

struct summary {
	unsigned mask; /* 1 << kind of every file, K_OTHER left out */
	size_t count;  /* direct entries */
	bool subdirs;
	bool git;
};

static bool ignored(const char *name)
{
	return name[0] == '.' || strcmp(name, "__pycache__") == 0 ||
	       strcmp(name, "manifest.yaml") == 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcasecmp(s + n - m, suf) == 0;
}

static bool has_prefix(const char *s, const char *pre)
{
	return strncasecmp(s, pre, strlen(pre)) == 0;
}

static bool any_suffix(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (has_suffix(s, *list))
			return true;
	return false;
}

/* What a file is, from its name, its parent folder's name and its depth. */
static enum kind file_kind(const char *name, const char *parent, int depth)
{
	static const char *const ckpt[] = {".safetensors", ".gguf", ".pt",   ".pth",
					   ".bin",	   ".ckpt", ".onnx", NULL};
	static const char *const data[] = {".parquet", ".jsonl", ".csv", ".arrow", NULL};

	if (any_suffix(name, ckpt))
		return K_CKPT;
	if (has_suffix(name, ".py") || has_suffix(name, ".sh"))
		return K_CODE;
	if (any_suffix(name, data))
		return K_DATA;
	if (has_suffix(name, ".json") &&
	    (has_prefix(name, "eval") || has_prefix(name, "results") ||
	     has_prefix(parent, "eval") || has_prefix(parent, "results")))
		return K_EVAL;
	if (depth == 0 && (strcmp(name, "LICENSE") == 0 || has_prefix(name, "LICENSE.") ||
			   strcmp(name, "COPYING") == 0 || has_prefix(name, "COPYING.")))
		return K_LICENSE;
	if ((depth == 0 && strcasecmp(name, "README.md") == 0) || has_prefix(name, "MODEL_CARD") ||
	    has_prefix(name, "DATA_CARD") || has_suffix(name, ".pdf") ||
	    has_prefix(name, "paper") || has_prefix(name, "report") ||
	    has_prefix(name, "technical-report"))
		return K_DOC;
	return K_OTHER;
}

static const char *base(const char *path)
{
	size_t n = strlen(path);
	const char *s;

	while (n > 1 && path[n - 1] == '/')
		n--;
	for (s = path + n; s > path && s[-1] != '/'; s--)
		;
	return s;
}

/* Entry names: [A-Za-z0-9][A-Za-z0-9._-]*, from a file's name without its extension. */
static char *entry_name(const char *file, bool strip_ext, bool lower)
{
	char *s = osp_strdup(file), *dot;
	size_t j = 0;

	if (s == NULL)
		return NULL;
	if (s[0] != '\0' && s[strlen(s) - 1] == '/')
		s[strlen(s) - 1] = '\0';
	if (strip_ext && (dot = strrchr(s, '.')) != NULL && dot != s)
		*dot = '\0';
	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (lower)
			c = (unsigned char)tolower(c);
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			c = '-';
		if (j == 0 && !isalnum(c))
			continue;
		if (c == '-' && j > 0 && s[j - 1] == '-')
			continue;
		s[j++] = (char)c;
	}
	while (j > 0 && !isalnum((unsigned char)s[j - 1]))
		j--;
	s[j] = '\0';
	if (j == 0) {
		free(s);
		return osp_strdup("release");
	}
	return s;
}

static const char *guess_role(const char *name)
{
	static const struct {
		const char *prefix, *role;
	} roles[] = {
		{"train", "training"},		 {"trainer", "training"},
		{"infer", "inference"},		 {"generate", "inference"},
		{"serve", "inference"},		 {"eval", "evaluation"},
		{"preprocess", "preprocessing"}, {"prepare", "preprocessing"},
		{"tokeniz", "preprocessing"},	 {"model", "architecture"},
		{"arch", "architecture"},
	};

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (has_prefix(name, roles[i].prefix))
			return roles[i].role;
	return "library";
}

static const char *doc_type(const char *name)
{
	if (has_prefix(name, "DATA_CARD"))
		return "data-card";
	if (has_suffix(name, ".pdf") || has_prefix(name, "paper"))
		return "paper";
	if (has_prefix(name, "report") || has_prefix(name, "technical-report"))
		return "technical-report";
	return "model-card";
}

static char *join(const char *a, const char *b)
{
	return a[0] == '\0' ? osp_strdup(b) : osp_asprintf("%s/%s", a, b);
}

static bool taken(const struct ient *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return true;
	return false;
}

/* Appends an entry to section s; *out NULL (and in->truncated) past MAX_ENTRIES. */
static ospack_error add(struct init *in, enum section s, const char *path, bool folder,
			struct ient **out)
{
	struct ient *e, *v;
	char *name, *uniq;

	*out = NULL;
	if (in->total >= MAX_ENTRIES) {
		in->truncated = true;
		return OSPACK_OK;
	}
	v = osp_reallocarray(in->e[s], in->n[s] + 1, sizeof(*v));
	if (v == NULL)
		return osp_nomem(in->ctx);
	in->e[s] = v;
	e = &v[in->n[s]];
	memset(e, 0, sizeof(*e));
	e->step = -1;
	uniq = name = entry_name(base(path[0] == '\0' ? in->root : path), !folder, false);
	/* Names are unique in a section: a second "model" becomes "model-2". */
	for (unsigned k = 2; uniq != NULL && taken(v, in->n[s], uniq); k++) {
		if (uniq != name)
			free(uniq);
		uniq = osp_asprintf("%s-%u", name, k);
	}
	if (uniq != name)
		free(name);
	e->name = uniq;
	e->path = folder ? osp_asprintf("%s/", path[0] == '\0' ? "." : path) : osp_strdup(path);
	if (e->name == NULL || e->path == NULL) {
		free(e->name);
		free(e->path);
		return osp_nomem(in->ctx);
	}
	in->n[s]++;
	in->total++;
	*out = e;
	return OSPACK_OK;
}

/* What a folder holds, to depth MAX_DEPTH: reading a huge folder costs time, never memory. */
static void summarize(const char *abs, const char *name, int depth, struct summary *sum)
{
	DIR *d = opendir(abs);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (strcmp(de->d_name, ".git") == 0)
			sum->git = depth == 0 ? true : sum->git;
		if (ignored(de->d_name))
			continue;
		if (depth == 0)
			sum->count++;
		if ((p = osp_asprintf("%s/%s", abs, de->d_name)) == NULL)
			break;
		if (lstat(p, &st) != 0) {
			free(p);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			sum->subdirs = depth == 0 ? true : sum->subdirs;
			if (depth < MAX_DEPTH)
				summarize(p, de->d_name, depth + 1, sum);
		} else if (S_ISREG(st.st_mode)) {
			enum kind k = file_kind(de->d_name, name, 1);

			if (k != K_OTHER)
				sum->mask |= 1u << k;
		}
		free(p);
	}
	closedir(d);
}

/* The section a whole folder goes to: the kind of most weight in it. */
static enum section folder_section(unsigned mask, bool data)
{
	if (data || (mask & (1u << K_DATA)))
		return S_DATASETS;
	if (mask & (1u << K_CKPT))
		return S_CHECKPOINTS;
	if (mask & (1u << K_CODE))
		return S_CODE;
	if (mask & (1u << K_EVAL))
		return S_EVALS;
	return S_DOCS;
}

static ospack_error git_head(struct init *in, const char *abs, struct ient *e)
{
	git_repository *repo = NULL;
	git_oid oid;

	if (git_libgit2_init() < 0)
		return osp_error(in->ctx, OSPACK_EIO, "cannot initialise libgit2");
	if (git_repository_open(&repo, abs) == 0 &&
	    git_reference_name_to_id(&oid, repo, "HEAD") == 0)
		git_oid_tostr(e->rev, sizeof(e->rev), &oid);
	git_repository_free(repo);
	git_libgit2_shutdown();
	return OSPACK_OK;
}

static ospack_error add_folder(struct init *in, const char *rel, enum section s, bool git)
{
	struct ient *e;
	ospack_error rc = add(in, s, rel, true, &e);

	if (rc != OSPACK_OK || e == NULL)
		return rc;
	if (s == S_CODE)
		e->what = guess_role(e->name);
	if (s == S_DOCS)
		e->what = "other";
	if (!git)
		return OSPACK_OK;
	e->git = true;
	free(e->path);
	if ((e->path = osp_strdup(rel[0] == '\0' ? "." : rel)) == NULL)
		return osp_nomem(in->ctx);
	{
		char *abs = rel[0] == '\0' ? osp_strdup(in->root) : join(in->root, rel);

		if (abs == NULL)
			return osp_nomem(in->ctx);
		rc = git_head(in, abs, e);
		free(abs);
	}
	return rc;
}

/* ckpt-1000, step_500, checkpoint-20000.pt: the step number; -1 when the name has none. */
static long name_step(const char *name)
{
	static const char *const marks[] = {"step", "ckpt", "checkpoint", "iter", NULL};
	long step = -1;

	for (const char *const *m = marks; *m != NULL; m++) {
		const char *p = strcasestr(name, *m);

		if (p == NULL)
			continue;
		p += strlen(*m);
		while (*p == '-' || *p == '_' || *p == '=')
			p++;
		if (isdigit((unsigned char)*p)) {
			char *end;

			errno = 0;
			step = strtol(p, &end, 10);
			if (errno != 0)
				step = -1;
			break;
		}
	}
	return step;
}

/* Lower case, every run of blanks one space: license texts differ in wrapping only. */
static void normalize(char *s)
{
	size_t j = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isspace(c) || c == '*' || c == '#') {
			if (j > 0 && s[j - 1] != ' ')
				s[j++] = ' ';
			continue;
		}
		s[j++] = (char)tolower(c);
	}
	s[j] = '\0';
}

/* The SPDX id of a license text, from phrases found in that license alone; NULL if unknown. */
static const char *license_id(const char *t)
{
	static const struct {
		const char *id, *a, *b;
	} known[] = {
		{"Apache-2.0", "apache license", "version 2.0"},
		{"MIT", "permission is hereby granted, free of charge",
		 "above copyright notice and this permission notice shall be included"},
		{"BSD-3-Clause", "redistribution and use in source and binary forms",
		 "neither the name"},
		{"BSD-2-Clause", "redistribution and use in source and binary forms",
		 "this list of conditions"},
		{"LGPL-3.0-only", "gnu lesser general public license", "version 3, 29 june 2007"},
		{"LGPL-2.1-only", "gnu lesser general public license",
		 "version 2.1, february 1999"},
		{"GPL-3.0-only", "gnu general public license", "version 3, 29 june 2007"},
		{"GPL-2.0-only", "gnu general public license", "version 2, june 1991"},
		{"MPL-2.0", "mozilla public license", "version 2.0"},
		{"CC-BY-SA-4.0", "attribution-sharealike 4.0 international", "creative commons"},
		{"CC-BY-4.0", "attribution 4.0 international", "creative commons"},
		{"CDLA-Permissive-2.0", "community data license agreement",
		 "permissive - version 2.0"},
		{"Unlicense", "free and unencumbered software released into the public domain",
		 "unlicense"},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strstr(t, known[i].a) != NULL && strstr(t, known[i].b) != NULL)
			return known[i].id;
	return NULL;
}

static ospack_error read_license(struct init *in, const char *rel)
{
	char *abs = join(in->root, rel), *text = NULL;
	size_t len = 0;
	ospack_error rc;

	if (abs == NULL)
		return osp_nomem(in->ctx);
	if (in->license_file != NULL) { /* a second LICENSE: the first, by name, decides */
		free(abs);
		return OSPACK_OK;
	}
	rc = osp_read_file(in->ctx, abs, LICENSE_MAX, OSPACK_EINPUT, &text, &len);
	free(abs);
	if (rc != OSPACK_OK && rc != OSPACK_EINPUT) /* too big to be a license we know */
		return rc;
	if (text != NULL) {
		normalize(text);
		in->license = license_id(text);
	}
	free(text);
	if ((in->license_file = osp_strdup(rel)) == NULL)
		return osp_nomem(in->ctx);
	return OSPACK_OK;
}

static ospack_error add_file(struct init *in, const char *rel, const char *name, const char *parent,
			     int depth, bool data, int64_t size)
{
	enum kind k = data ? K_DATA : file_kind(name, parent, depth);
	static const enum section sec[] = {[K_CKPT] = S_CHECKPOINTS,
					   [K_CODE] = S_CODE,
					   [K_DATA] = S_DATASETS,
					   [K_EVAL] = S_EVALS,
					   [K_DOC] = S_DOCS};
	struct ient *e;
	ospack_error rc;

	if (k == K_OTHER)
		return OSPACK_OK;
	/* A license text is read for its id, and bundled as a docs entry of type license. */
	if (k == K_LICENSE && (rc = read_license(in, rel)) != OSPACK_OK)
		return rc;
	if ((rc = add(in, k == K_LICENSE ? S_DOCS : sec[k], rel, false, &e)) != OSPACK_OK ||
	    e == NULL)
		return rc;
	e->size = size;
	if (k == K_CODE)
		e->what = guess_role(name);
	else if (k == K_DOC)
		e->what = doc_type(name);
	else if (k == K_LICENSE)
		e->what = "license";
	else if (k == K_CKPT)
		e->step = name_step(name);
	return OSPACK_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The names in a folder, sorted, ignored ones left out. A subfolder with more
 * than FANOUT is *big (its names not kept): it becomes one entry. The top
 * folder keeps its names, but loose data files past FANOUT are only counted.
 */
static ospack_error list_dir(struct init *in, const char *abs, int depth, struct osp_strv *names,
			     bool *big)
{
	DIR *d = opendir(abs);
	struct dirent *de;
	size_t ndata = 0;

	*big = false;
	if (d == NULL)
		return osp_errno(in->ctx, errno, "cannot read the folder", abs);
	while ((de = readdir(d)) != NULL) {
		if (ignored(de->d_name))
			continue;
		if (depth > 0 && names->n >= FANOUT) {
			*big = true;
			break;
		}
		if (depth == 0 && file_kind(de->d_name, "", 0) == K_DATA && ++ndata > FANOUT)
			continue;
		if (depth == 0 && names->n >= 4 * MAX_ENTRIES) {
			in->truncated = true;
			continue;
		}
		if (osp_strv_push(names, de->d_name) != 0) {
			closedir(d);
			return osp_nomem(in->ctx);
		}
	}
	closedir(d);
	if (ndata > FANOUT)
		in->loose_data = ndata;
	if (names->n > 0)
		qsort(names->v, names->n, sizeof(char *), cmp_str);
	return OSPACK_OK;
}

static ospack_error walk(struct init *in, const char *rel, int depth, bool data);

/* A subfolder: one entry (a git repository, a folder of data or code), or walked into. */
static ospack_error visit_dir(struct init *in, const char *rel, const char *abs, const char *name,
			      int depth, bool data)
{
	struct summary sum = {0};
	unsigned m;

	summarize(abs, name, 0, &sum);
	m = sum.mask;
	if (sum.git)
		return add_folder(in, rel, S_CODE, true);
	data = data || strcmp(name, "data") == 0 || strcmp(name, "datasets") == 0;
	if (data && (depth > 0 || !sum.subdirs))
		return add_folder(in, rel, S_DATASETS, false);
	if (m == 0 && !data)
		return OSPACK_OK;
	if (!sum.subdirs && (m == 1u << K_DATA || m == 1u << K_CODE))
		return add_folder(in, rel, m == 1u << K_DATA ? S_DATASETS : S_CODE, false);
	if (sum.count > FANOUT || depth + 1 >= MAX_DEPTH)
		return add_folder(in, rel, folder_section(m, data), false);
	return walk(in, rel, depth + 1, data);
}

static ospack_error walk(struct init *in, const char *rel, int depth, bool data)
{
	struct osp_strv names = {0};
	char *abs = rel[0] == '\0' ? osp_strdup(in->root) : join(in->root, rel);
	ospack_error rc;
	bool big;

	if (abs == NULL)
		return osp_nomem(in->ctx);
	rc = list_dir(in, abs, depth, &names, &big);
	if (rc == OSPACK_OK && big && depth > 0)
		rc = add_folder(in, rel, S_DATASETS, false);
	for (size_t i = 0; rc == OSPACK_OK && !(big && depth > 0) && i < names.n; i++) {
		char *crel = join(rel, names.v[i]), *cabs = join(in->root, crel ? crel : "");
		struct stat st;

		if (crel == NULL || cabs == NULL)
			rc = osp_nomem(in->ctx);
		else if (lstat(cabs, &st) != 0)
			rc = osp_errno(in->ctx, errno, "cannot read", cabs);
		else if (!osp_utf8_valid(names.v[i], strlen(names.v[i])) ||
			 strpbrk(names.v[i], "\r\n") != NULL)
			osp_warn(in->ctx, "skipped a name a manifest cannot hold in %s", abs);
		else if (S_ISDIR(st.st_mode))
			rc = visit_dir(in, crel, cabs, names.v[i], depth, data);
		else if (S_ISREG(st.st_mode) && !(depth == 0 && in->loose_data > 0 &&
						  file_kind(names.v[i], "", 0) == K_DATA))
			rc = add_file(in, crel, names.v[i], base(rel), depth, data, st.st_size);
		free(crel);
		free(cabs);
	}
	osp_strv_free(&names);
	free(abs);
	return rc;
}

/* A YAML double-quoted scalar: paths and names may hold any character. */
static void put_str(struct osp_buf *b, const char *s)
{
	osp_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			osp_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			osp_buf_printf(b, "\\x%02x", c);
		else
			osp_buf_putc(b, (char)c);
	}
	osp_buf_putc(b, '"');
}

/* The final checkpoint: one named final*, else model*, else the largest file. */
static const char *mark_final(struct init *in)
{
	struct ient *v = in->e[S_CHECKPOINTS], *best = NULL;
	static const char *const names[] = {"final", "model"};

	for (size_t k = 0; k < 2 && best == NULL; k++)
		for (size_t i = 0; i < in->n[S_CHECKPOINTS] && best == NULL; i++)
			if (has_prefix(base(v[i].path), names[k]))
				best = &v[i];
	if (best != NULL) {
		best->final = true;
		return "named like the final model";
	}
	for (size_t i = 0; i < in->n[S_CHECKPOINTS]; i++)
		if (best == NULL || v[i].size > best->size)
			best = &v[i];
	if (best == NULL)
		return NULL;
	best->final = true;
	return "the largest checkpoint";
}

static void put_header(struct init *in, struct osp_buf *b)
{
	char *name = entry_name(base(in->root), false, true);

	osp_buf_puts(b,
		     "# Scaffolded by 'ospack init' from what this folder holds: every comment\n"
		     "# marks a guess or a choice for you. Lines with TODO must be settled before\n"
		     "# 'ospack check manifest.yaml' passes.\n"
		     "ospack: 1\nname: ");
	put_str(b, name != NULL ? name : "release");
	free(name);
	osp_buf_puts(b, " # from the folder's name\nversion: \"0.1.0\"\n"
			"# description: one sentence on what this release is\n");
	if (in->license != NULL)
		osp_buf_printf(b, "license: %s # recognised in %s\n", in->license,
			       in->license_file);
	else {
		in->todos++;
		osp_buf_printf(
			b, "license: TODO # TODO: the SPDX id of the release's license (%s%s)\n",
			in->license_file ? in->license_file : "no LICENSE file found",
			in->license_file ? " was not recognised" : "");
	}
	osp_buf_puts(
		b,
		"# authors: [\"Name <email>\"]\n# homepage: https://\n"
		"# Roles of code: training, inference, evaluation, preprocessing, architecture,\n"
		"# library. Each entry may carry its own license: SPDX-ID and a description.\n");
	if (in->truncated)
		osp_buf_printf(
			b, "# Only the first %d entries are listed: group files into folders.\n",
			MAX_ENTRIES);
	if (in->loose_data > 0)
		osp_buf_printf(
			b,
			"# %zu data files lie loose in this folder: move them into a folder\n"
			"# (data/NAME/) and run 'ospack init' again to describe them as one "
			"dataset.\n",
			in->loose_data);
}

static void put_entry(struct init *in, struct osp_buf *b, enum section s, const struct ient *e,
		      const char *why)
{
	osp_buf_puts(b, "  - name: ");
	put_str(b, e->name);
	osp_buf_printf(b, "\n    %s: ", e->git ? "git" : "path");
	put_str(b, e->path);
	osp_buf_putc(b, '\n');
	if (e->git && e->rev[0] != '\0')
		osp_buf_printf(
			b, "    rev: %s # the commit checked out now (HEAD); a tag reads better\n",
			e->rev);
	else if (e->git) {
		in->todos++;
		osp_buf_puts(b, "    rev: TODO # TODO: the repository has no commit yet\n");
	}
	switch (s) {
	case S_DATASETS:
		osp_buf_puts(b,
			     "    role: training # guessed: training, evaluation or validation\n");
		break;
	case S_CODE:
		osp_buf_printf(b, "    role: %s # guessed from the name\n", e->what);
		if (!e->git)
			osp_buf_puts(b, "    exclude: [\"__pycache__/\", \"*.pyc\"]\n");
		break;
	case S_CHECKPOINTS:
		if (e->final)
			osp_buf_printf(b, "    final: true # %s: check\n", why);
		if (e->step >= 0)
			osp_buf_printf(b, "    step: %ld # from the name\n", e->step);
		else
			osp_buf_puts(b, "    # step: the training step it was saved at\n");
		break;
	case S_EVALS:
		osp_buf_printf(b,
			       "    # dataset: the name of the dataset entry it was measured on\n"
			       "    # metrics: {loss: 0.0} # TODO: the headline numbers in %s\n",
			       e->path);
		break;
	case S_DOCS:
		osp_buf_printf(b, "    type: %s # %s\n", e->what,
			       strcmp(e->what, "license") == 0
				       ? "the license text: counts as the release's license file"
				       : "guessed from the name");
		break;
	case S_COUNT:
		break;
	}
}

static char *render(struct init *in)
{
	struct osp_buf b = {0};
	const char *why = mark_final(in);

	put_header(in, &b);
	for (int s = 0; s < S_COUNT; s++) {
		if (in->n[s] == 0)
			continue;
		osp_buf_printf(&b, "\n%s:\n", section_key[s]);
		for (size_t i = 0; i < in->n[s]; i++)
			put_entry(in, &b, (enum section)s, &in->e[s][i], why);
	}
	return osp_buf_steal(&b, NULL);
}

/* Writes beside path, then links into place: an existing file is never replaced, even in a race. */
static ospack_error write_new(struct ospack_ctx *ctx, const char *path, const char *text)
{
	char *tmp = osp_asprintf("%s.tmp-XXXXXX", path);
	size_t len = strlen(text);
	ospack_error rc = OSPACK_OK;
	int fd;

	if (tmp == NULL)
		return osp_nomem(ctx);
	if ((fd = mkstemp(tmp)) < 0) {
		rc = osp_errno(ctx, errno, "cannot create a file beside", path);
		free(tmp);
		return rc;
	}
	for (const char *p = text; rc == OSPACK_OK && len > 0;) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = osp_errno(ctx, w < 0 ? errno : EIO, "cannot write", tmp);
		else {
			p += w;
			len -= (size_t)w;
		}
	}
	if (rc == OSPACK_OK && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		rc = osp_errno(ctx, errno, "cannot write", tmp);
	if (close(fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(ctx, errno, "cannot write", tmp);
	if (rc == OSPACK_OK && link(tmp, path) != 0)
		rc = errno == EEXIST
			     ? osp_error(ctx, OSPACK_EINPUT,
					 "%s exists: 'ospack init' never overwrites a file", path)
			     : osp_errno(ctx, errno, "cannot create", path);
	unlink(tmp);
	free(tmp);
	return rc;
}

static void init_free(struct init *in)
{
	for (int s = 0; s < S_COUNT; s++) {
		for (size_t i = 0; i < in->n[s]; i++) {
			free(in->e[s][i].name);
			free(in->e[s][i].path);
		}
		free(in->e[s]);
	}
	free(in->root);
	free(in->license_file);
}

ospack_error ospack_init(struct ospack_ctx *ctx, const char *dir, const char *out, char **yaml,
			 unsigned *todos)
{
	struct init in = {.ctx = ctx};
	struct stat st;
	ospack_error rc = OSPACK_OK;
	char *git = NULL, *text = NULL;

	*yaml = NULL;
	*todos = 0;
	if (out != NULL && lstat(out, &st) == 0)
		return osp_error(ctx, OSPACK_EINPUT,
				 "%s exists: 'ospack init' never overwrites a file", out);
	if ((in.root = realpath(dir, NULL)) == NULL)
		return errno == ENOENT || errno == ENOTDIR
			       ? osp_error(ctx, OSPACK_EINPUT, "%s: no such folder", dir)
			       : osp_errno(ctx, errno, "cannot open the folder", dir);
	if (stat(in.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
		rc = osp_error(ctx, OSPACK_EINPUT, "%s is not a folder", dir);
		goto out;
	}
	if ((git = osp_asprintf("%s/.git", in.root)) == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	if (lstat(git, &st) == 0)
		rc = add_folder(&in, "", S_CODE, true);
	if (rc == OSPACK_OK)
		rc = walk(&in, "", 0, false);
	if (rc != OSPACK_OK)
		goto out;
	if (in.total == 0 && in.loose_data == 0) {
		rc = osp_error(
			ctx, OSPACK_EINPUT,
			"%s holds nothing to describe: no checkpoint, code, data, eval result "
			"or document that 'ospack init' recognises",
			dir);
		goto out;
	}
	if ((text = render(&in)) == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	if (out != NULL)
		rc = write_new(ctx, out, text);
out:
	if (rc == OSPACK_OK) {
		*yaml = text;
		*todos = in.todos;
	} else
		free(text);
	free(git);
	init_free(&in);
	return rc;
}
