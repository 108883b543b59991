/* SPDX-License-Identifier: Apache-2.0 */
/* A release's payload: the files of every source, listed in bag order (not read), and counted. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git.h"
#include "openness.h"
#include "release.h"

/* The bag path of a url entry's file: the last part of the URL's path, if it is a plain name. */
static char *fetch_path(const struct osp_entry *e)
{
	static const char plain[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
	const char *host = strstr(e->src, "://") + 3, *end = host + strcspn(host, "?#"), *base;
	char dir[400];
	size_t n;

	osp_entry_bagdir(e, dir, sizeof(dir));
	for (base = end; base > host && base[-1] != '/';)
		base--;
	n = base == host ? 0 : (size_t)(end - base); /* no '/' after the host: no file name */
	if (n == 0 || strspn(base, plain) < n || (n <= 2 && base[0] == '.'))
		return osp_asprintf("%s/%s", dir, e->name);
	return osp_asprintf("%s/%.*s", dir, (int)n, base);
}

struct order_key {
	size_t i;
	char dir[402]; /* "data/<section>/<entry>/" */
};

static int order_cmp(const void *a, const void *b)
{
	return strcmp(((const struct order_key *)a)->dir, ((const struct order_key *)b)->dir);
}

/* Entries in the byte order of their bag folders: the order of their files in the bag. */
static ospack_error order_entries(struct ospack_ctx *ctx, struct osp_release *r)
{
	size_t n = r->m->nentries;
	struct order_key *k = calloc(n ? n : 1, sizeof(*k));

	r->order = calloc(n ? n : 1, sizeof(*r->order));
	if (k == NULL || r->order == NULL) {
		free(k);
		return osp_nomem(ctx);
	}
	for (size_t i = 0; i < n; i++) {
		size_t len;

		k[i].i = i;
		osp_entry_bagdir(&r->m->entries[i], k[i].dir, sizeof(k[i].dir) - 1);
		len = strlen(k[i].dir);
		k[i].dir[len] = '/';
		k[i].dir[len + 1] = '\0';
	}
	if (n > 1)
		qsort(k, n, sizeof(*k), order_cmp);
	for (size_t i = 0; i < n; i++)
		r->order[i] = k[i].i;
	free(k);
	return OSPACK_OK;
}

static ospack_error source_error(struct ospack_ctx *ctx, const struct osp_release *r,
				 const struct osp_entry *e, ospack_error rc)
{
	/* A source the manifest names wrongly: say where it names it. */
	if (rc == OSPACK_EMANIFEST && e->source != OSP_SRC_URL)
		osp_error_prefix(ctx, "%s:%u:%u", r->m->file, e->src_pos.line, e->src_pos.col);
	return rc;
}

/* A path source outside the manifest's folder: a manifest alone cannot make a build read it. */
static ospack_error outside(struct ospack_ctx *ctx, const struct osp_release *r,
			    const struct osp_entry *e)
{
	char label[64];

	osp_entry_label(e, label, sizeof(label));
	switch (r->outside) {
	case OSP_OUTSIDE_REPORT:
		osp_warn(ctx,
			 "%s:%u:%u: %s.path: %s: outside the manifest's folder; a build refuses "
			 "it unless allowed",
			 r->m->file, e->src_pos.line, e->src_pos.col, label, e->src);
		return OSPACK_OK;
	case OSP_OUTSIDE_ALLOW:
		osp_warn(ctx,
			 "%s:%u:%u: %s.path: %s: outside the manifest's folder, bundled as allowed",
			 r->m->file, e->src_pos.line, e->src_pos.col, label, e->src);
		return OSPACK_OK;
	case OSP_OUTSIDE_REFUSE:
		break;
	}
	return osp_error(ctx, OSPACK_EMANIFEST,
			 "%s:%u:%u: %s.path: %s: outside the manifest's folder, and the build "
			 "does not allow that",
			 r->m->file, e->src_pos.line, e->src_pos.col, label, e->src);
}

ospack_error osp_release_open(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty)
{
	const struct ospack_manifest *m = r->m;
	ospack_error rc = OSPACK_OK;

	r->git = calloc(m->nentries ? m->nentries : 1, sizeof(*r->git));
	r->fetch_path = calloc(m->nentries ? m->nentries : 1, sizeof(*r->fetch_path));
	r->sum = calloc(m->nentries ? m->nentries : 1, sizeof(*r->sum));
	if (r->git == NULL || r->fetch_path == NULL || r->sum == NULL)
		return osp_nomem(ctx);
	rc = order_entries(ctx, r);
	for (size_t i = 0; rc == OSPACK_OK && i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (e->source == OSP_SRC_GIT) {
			rc = source_error(ctx, r, e, osp_git_open(ctx, e, allow_dirty, &r->git[i]));
		} else if (e->source == OSP_SRC_URL) {
			r->fetch_path[i] = fetch_path(e);
			if (r->fetch_path[i] == NULL)
				rc = osp_nomem(ctx);
			if (rc == OSPACK_OK && r->alg == OSP_SHA512 && e->sha512 == NULL) {
				char label[64];

				osp_entry_label(e, label, sizeof(label));
				rc = osp_error(ctx, OSPACK_EMANIFEST,
					       "%s:%u:%u: %s.sha512: required for a bag whose "
					       "manifests use sha512",
					       m->file, e->pos.line, e->pos.col, label);
			}
		} else if (e->outside) {
			rc = outside(ctx, r, e);
		}
	}
	return rc;
}

struct counting {
	struct osp_release *r;
	size_t i;
	osp_file_fn fn;
	void *arg;
};

static ospack_error count_file(void *arg, struct osp_file *f)
{
	struct counting *c = arg;

	c->r->sum[c->i].files++;
	c->r->sum[c->i].bytes += f->size;
	c->r->files++;
	c->r->bytes += f->size;
	return c->fn != NULL ? c->fn(c->arg, f) : OSPACK_OK;
}

static ospack_error each_git_file(struct ospack_ctx *ctx, struct osp_git *g, osp_file_fn fn,
				  void *arg)
{
	struct osp_filelist fl = {0};
	ospack_error rc = osp_git_collect(ctx, g, &fl);

	if (rc == OSPACK_OK)
		osp_filelist_sort(&fl);
	for (size_t k = 0; rc == OSPACK_OK && k < fl.n; k++) {
		fl.v[k].at = -1;
		rc = fn(arg, &fl.v[k]);
	}
	osp_filelist_free(&fl);
	return rc;
}

ospack_error osp_release_each(struct ospack_ctx *ctx, struct osp_release *r, size_t i,
			      osp_file_fn fn, void *arg)
{
	const struct osp_entry *e = &r->m->entries[i];
	struct counting c = {r, i, fn, arg};

	if (e->source == OSP_SRC_PATH)
		return source_error(ctx, r, e, osp_walk_entry(ctx, e, count_file, &c));
	if (e->source == OSP_SRC_GIT)
		return source_error(ctx, r, e, each_git_file(ctx, r->git[i], count_file, &c));
	return OSPACK_OK;
}

ospack_error osp_release_collect(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty)
{
	ospack_error rc = osp_release_open(ctx, r, allow_dirty);

	for (size_t k = 0; rc == OSPACK_OK && k < r->m->nentries; k++)
		rc = osp_release_each(ctx, r, r->order[k], NULL, NULL);
	return rc;
}

void osp_release_free(struct osp_release *r)
{
	for (size_t i = 0; r->git != NULL && i < r->m->nentries; i++)
		osp_git_free(r->git[i]);
	for (size_t i = 0; r->fetch_path != NULL && i < r->m->nentries; i++)
		free(r->fetch_path[i]);
	free(r->git);
	free(r->fetch_path);
	free(r->order);
	free(r->sum);
	osp_openness_free(r->openness);
	r->git = NULL;
	r->fetch_path = NULL;
	r->order = NULL;
	r->sum = NULL;
	r->openness = NULL;
}
