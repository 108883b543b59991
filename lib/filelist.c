/* SPDX-License-Identifier: Apache-2.0 */
/* The list of payload files and the rules every path inside a source must follow. */
#include "config.h"

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
	f->entry = e;
	f->size = size;
	f->mode = mode;
	fl->n++;
	return f;
}

static int file_cmp(const void *a, const void *b)
{
	const struct osp_file *x = a, *y = b;

	return strcmp(x->bagpath, y->bagpath);
}

void osp_filelist_sort(struct osp_filelist *fl)
{
	if (fl->n > 1)
		qsort(fl->v, fl->n, sizeof(*fl->v), file_cmp);
}

void osp_filelist_free(struct osp_filelist *fl)
{
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

ospack_error osp_check_relpath(struct ospack_ctx *ctx, const char *what, const char *rel)
{
	size_t len = strlen(rel);
	const char *p = rel;

	if (!osp_utf8_valid(rel, len))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: a file name is not valid UTF-8", what);
	if (strpbrk(rel, "\r\n") != NULL)
		return osp_error(ctx, OSPACK_EMANIFEST,
				 "%s: %s: file names with CR or LF are not allowed", what, rel);
	if (len == 0 || rel[0] == '/')
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: '%s': not a relative path", what, rel);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return osp_error(ctx, OSPACK_EMANIFEST,
					 "%s: '%s': empty, '.' or '..' path component", what, rel);
		p += n;
		if (*p == '/')
			p++;
		if (*p == '\0' && p[-1] == '/')
			return osp_error(ctx, OSPACK_EMANIFEST, "%s: '%s': trailing slash", what, rel);
	}
	return OSPACK_OK;
}
