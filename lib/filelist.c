/* SPDX-License-Identifier: Apache-2.0 */
/* The payload file list: appending, sorting, bag folders, and what exclude patterns leave out. */
#include "config.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filelist.h"

struct osp_file *osp_filelist_add(struct osp_filelist *fl, const struct osp_entry *e,
				  const char *bagpath, const char *src, uint64_t size,
				  unsigned mode)
{
	struct osp_file *f;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 64;
		struct osp_file *v = osp_reallocarray(fl->v, cap, sizeof(*v));

		if (v == NULL)
			return NULL;
		fl->v = v;
		fl->cap = cap;
	}
	f = &fl->v[fl->n];
	memset(f, 0, sizeof(*f));
	f->bagpath = osp_strdup(bagpath);
	f->src = osp_strdup(src);
	if (f->bagpath == NULL || (src != NULL && f->src == NULL)) {
		free(f->bagpath);
		free(f->src);
		return NULL;
	}
	f->size = size;
	f->mode = mode;
	f->entry = e;
	fl->n++;
	return f;
}

static int cmp_bagpath(const void *a, const void *b)
{
	const struct osp_file *fa = a, *fb = b;

	/* strcmp compares as unsigned char: byte order, whatever the locale. */
	return strcmp(fa->bagpath, fb->bagpath);
}

void osp_filelist_sort(struct osp_filelist *fl)
{
	if (fl->n > 1)
		qsort(fl->v, fl->n, sizeof(*fl->v), cmp_bagpath);
}

void osp_filelist_free(struct osp_filelist *fl)
{
	if (fl == NULL)
		return;
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->v[i].bagpath);
		free(fl->v[i].src);
	}
	free(fl->v);
	fl->v = NULL;
	fl->n = fl->cap = 0;
}

void osp_entry_bagdir(const struct osp_entry *e, char *out, size_t outlen)
{
	snprintf(out, outlen, "data/%s/%s", osp_section_name(e->section), e->name);
}

/*
 * exclude patterns: "name/" matches folders only; a pattern with a slash
 * matches the path from the source's top ("/" at the start anchors it there);
 * any other pattern matches a file or folder name at any depth.
 */
bool osp_excluded(const struct osp_entry *e, const char *rel, const char *name, bool isdir)
{
	for (size_t i = 0; i < e->exclude.n; i++) {
		const char *pat = e->exclude.v[i];
		char buf[1024];
		size_t len = strlen(pat);
		bool dironly = len > 0 && pat[len - 1] == '/';

		if (len >= sizeof(buf))
			continue;
		memcpy(buf, pat, len + 1);
		if (dironly)
			buf[--len] = '\0';
		if (dironly && !isdir)
			continue;
		if (strchr(buf, '/') != NULL) {
			const char *p = buf[0] == '/' ? buf + 1 : buf;

			if (fnmatch(p, rel, FNM_PATHNAME) == 0)
				return true;
		} else if (fnmatch(buf, name, 0) == 0) {
			return true;
		}
	}
	return false;
}
