/* SPDX-License-Identifier: Apache-2.0 */
/* The OMS v1.0 statement: resources in model_signing's order and their root digest. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hash.h"
#include "oms.h"
#include "release.h"

const char *const osp_oms_git_paths[4] = {".git", ".gitattributes", ".github", ".gitignore"};

int osp_oms_path_cmp(const char *a, const char *b)
{
	/* Like strcmp, but '/' ends a component and so sorts before every other byte. */
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x == y) {
			if (x == '\0')
				return 0;
			continue;
		}
		if (x == '\0' || y == '\0')
			return x == '\0' ? -1 : 1;
		if (x == '/' || y == '/')
			return x == '/' ? -1 : 1;
		return x < y ? -1 : 1;
	}
}

static int res_cmp(const void *a, const void *b)
{
	return osp_oms_path_cmp(((const struct osp_oms_res *)a)->name,
				((const struct osp_oms_res *)b)->name);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *resources(struct ospack_ctx *ctx, const struct osp_oms_res *res, size_t n,
			 unsigned char root[32])
{
	json_t *arr = json_array();
	struct osp_hash *h = NULL;
	char hex[65];

	if (arr == NULL || osp_hash_new(ctx, 1u << OSP_SHA256, &h) != OSPACK_OK)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		osp_hex(res[i].sha256, 32, hex);
		if (json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "name", res[i].name,
							 "algorithm", "sha256", "digest", hex)) !=
			    0 ||
		    osp_hash_update(ctx, h, res[i].sha256, 32) != OSPACK_OK)
			goto fail;
	}
	{
		struct osp_digests d;

		if (osp_hash_final(ctx, h, &d) != OSPACK_OK)
			goto fail;
		memcpy(root, d.d[OSP_SHA256], 32);
	}
	osp_hash_free(h);
	return arr;
fail:
	osp_hash_free(h);
	json_decref(arr);
	if (ctx->code == OSPACK_OK)
		osp_nomem(ctx);
	return NULL;
}

ospack_error osp_oms_statement(struct ospack_ctx *ctx, const char *model, struct osp_oms_res *res,
			       size_t n, const char *const *ignore, size_t nignore, char **out,
			       size_t *len)
{
	const char **sorted = calloc(nignore ? nignore : 1, sizeof(*sorted));
	json_t *arr = NULL, *ign = json_array(), *st = NULL;
	unsigned char root[32];
	char hex[65];

	*out = NULL;
	*len = 0;
	if (sorted == NULL || ign == NULL)
		goto nomem;
	qsort(res, n, sizeof(*res), res_cmp);
	memcpy(sorted, ignore, nignore * sizeof(*sorted));
	qsort(sorted, nignore, sizeof(*sorted), str_cmp);
	for (size_t i = 0; i < nignore; i++)
		if (json_array_append_new(ign, json_string(sorted[i])) != 0)
			goto nomem;
	arr = resources(ctx, res, n, root);
	if (arr == NULL)
		goto fail;
	osp_hex(root, 32, hex);
	st = json_pack("{s:s, s:[{s:s, s:{s:s}}], s:s, s:{s:{s:s, s:s, s:b, s:O}, s:O}}", "_type",
		       OSP_STATEMENT_TYPE, "subject", "name", model, "digest", "sha256", hex,
		       "predicateType", OSP_OMS_PREDICATE_TYPE, "predicate", "serialization",
		       "method", "files", "hash_type", "sha256", "allow_symlinks", 0,
		       "ignore_paths", ign, "resources", arr);
	if (st == NULL || (*out = json_dumps(st, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		goto nomem;
	*len = strlen(*out);
	json_decref(st);
	json_decref(arr);
	json_decref(ign);
	free(sorted);
	return OSPACK_OK;
nomem:
	osp_nomem(ctx);
fail:
	json_decref(st);
	json_decref(arr);
	json_decref(ign);
	free(sorted);
	return ctx->code;
}
