/* SPDX-License-Identifier: Apache-2.0 */
/* The payload file list: appending, sorting, bag folders and checks of names found in sources. */
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
 * A name as it may appear in a one-line message: control characters, and every
 * byte above 0x7f when the name is not UTF-8, shown as \xNN.
 */
static void printable(const char *s, char *out, size_t outlen)
{
	bool utf8 = osp_utf8_valid(s, strlen(s));
	size_t o = 0;

	for (; *s != '\0' && o + 5 < outlen; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || (c >= 0x80 && !utf8)) {
			snprintf(out + o, outlen - o, "\\x%02x", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
}

static bool bad_component(const char *p, size_t n)
{
	return n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
}

ospack_error osp_check_relpath(struct ospack_ctx *ctx, const char *what, const char *rel)
{
	char shown[512];
	const char *p = rel, *slash;

	printable(rel, shown, sizeof(shown));
	if (rel[0] == '\0')
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: empty file name", what);
	if (!osp_utf8_valid(rel, strlen(rel)))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: file name is not valid UTF-8",
				 what, shown);
	if (strpbrk(rel, "\r\n") != NULL)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: file name contains a line break",
				 what, shown);
	for (const char *c = rel; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return osp_error(ctx, OSPACK_EMANIFEST,
					 "%s: %s: file name contains a control character", what,
					 shown);
	if (rel[0] == '/')
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: absolute path", what, shown);
	for (;;) {
		slash = strchr(p, '/');
		if (bad_component(p, slash != NULL ? (size_t)(slash - p) : strlen(p)))
			return osp_error(ctx, OSPACK_EMANIFEST,
					 "%s: %s: empty, '.' or '..' path component", what, shown);
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return OSPACK_OK;
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
