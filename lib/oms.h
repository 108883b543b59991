/* SPDX-License-Identifier: Apache-2.0 */
/* OpenSSF Model Signing (OMS) v1.0: the statement over every file of an unpacked bag. */
#ifndef OSP_OMS_H
#define OSP_OMS_H

#include "common.h"

#define OSP_OMS_PATH "ospack/model.sig"
#define OSP_OMS_PREDICATE_TYPE "https://model_signing/signature/v1.0"
/*
 * Files an OMS signature covers at most: its resources are one JSON tree in
 * memory when it is written and when it is verified (about 300 bytes each).
 */
#define OSP_OMS_FILES_MAX 50000
/* model.sig: 170 bytes of JSON per file, 8 values per file, and room for the rest. */
#define OSP_OMS_MAX (16u * 1024 * 1024)
#define OSP_OMS_VALUES_MAX (8 * OSP_OMS_FILES_MAX + 1000)
#define OSP_OMS_DEPTH_MAX 8

/* One file of the model: its path relative to the bag folder, and SHA-256. */
struct osp_oms_res {
	char *name;
	unsigned char sha256[32];
};

/*
 * The order model_signing gives its resources: paths compared component by
 * component (as Python compares PurePosixPath), each component in byte order.
 */
int osp_oms_path_cmp(const char *a, const char *b);

/*
 * The in-toto statement of an OMS signature over res (sorted here), named
 * model (the bag folder, as model_signing names a model after its folder),
 * with ignore (nignore paths, written sorted) as serialization.ignore_paths.
 */
ospack_error osp_oms_statement(struct ospack_ctx *ctx, const char *model, struct osp_oms_res *res,
			       size_t n, const char *const *ignore, size_t nignore, char **out,
			       size_t *len);

/* The git paths model_signing ignores by default, written into ignore_paths. */
extern const char *const osp_oms_git_paths[4];

#endif
