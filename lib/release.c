/* SPDX-License-Identifier: Apache-2.0 */
/* A release's payload: the files of every source, listed (not read), and what it owns. */
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

ospack_error osp_release_collect(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty)
{
	const struct ospack_manifest *m = r->m;
	ospack_error rc = OSPACK_OK;

	r->git = calloc(m->nentries ? m->nentries : 1, sizeof(*r->git));
	r->fetch_path = calloc(m->nentries ? m->nentries : 1, sizeof(*r->fetch_path));
	if (r->git == NULL || r->fetch_path == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; rc == OSPACK_OK && i < m->nentries; i++) {
		const struct osp_entry *e = &m->entries[i];

		if (e->source == OSP_SRC_PATH) {
			rc = osp_walk_entry(ctx, e, &r->files);
		} else if (e->source == OSP_SRC_GIT) {
			rc = osp_git_open(ctx, e, allow_dirty, &r->git[i]);
			if (rc == OSPACK_OK)
				rc = osp_git_collect(ctx, r->git[i], &r->files);
		}
		/* A source the manifest names wrongly: say where it names it. */
		if (rc == OSPACK_EMANIFEST && e->source != OSP_SRC_URL)
			osp_error_prefix(ctx, "%s:%u:%u", m->file, e->src_pos.line, e->src_pos.col);
		if (e->source == OSP_SRC_URL) {
			r->fetch_path[i] = fetch_path(e);
			if (r->fetch_path[i] == NULL)
				rc = osp_nomem(ctx);
			if (rc == OSPACK_OK && r->alg == OSP_SHA512 && e->sha512 == NULL) {
				char label[64];

				osp_entry_label(e, label, sizeof(label));
				rc = osp_error(ctx, OSPACK_EMANIFEST,
					       "%s:%u:%u: %s.sha512: required with --hash sha512",
					       m->file, e->pos.line, e->pos.col, label);
			}
		}
	}
	osp_filelist_sort(&r->files);
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
	osp_filelist_free(&r->files);
	osp_openness_free(r->openness);
	r->git = NULL;
	r->fetch_path = NULL;
	r->openness = NULL;
}
