/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier: fed the entries of a bundle (archive or folder), it decides whether to accept it.
 */
#ifndef OSP_VERIFY_H
#define OSP_VERIFY_H

#include "common.h"

struct osp_key;
struct osp_verifier;

/*
 * folder: the entries come from an unpacked folder, whose name and file
 * modes are not the archive's: only the executable bit is compared.
 */
ospack_error osp_verifier_new(struct ospack_ctx *ctx, struct osp_key *const *trusted,
			      size_t ntrusted, bool folder, struct osp_verifier **out);
void osp_verifier_free(struct osp_verifier *v);

/* Entry names as stored, "<bag>/..."; a folder name may end with '/'. */
ospack_error osp_verifier_dir(struct osp_verifier *v, const char *name, unsigned mode);
ospack_error osp_verifier_begin(struct osp_verifier *v, const char *name, uint64_t size,
				unsigned mode);
ospack_error osp_verifier_data(struct osp_verifier *v, const void *p, size_t n);
ospack_error osp_verifier_end(struct osp_verifier *v);
/* All entries seen: runs every check that needs the statement. */
ospack_error osp_verifier_finish(struct osp_verifier *v);

/* The current entry's path inside the bag ("" for the bag folder itself). */
const char *osp_verifier_current(const struct osp_verifier *v);
const char *osp_verifier_root(const struct osp_verifier *v);

/* After a successful finish: the result (owned by the caller). */
struct ospack_verify_result *osp_verifier_result(struct osp_verifier *v);

/* Loads trusted public keys; on error frees what it loaded. */
ospack_error osp_load_trusted(struct ospack_ctx *ctx, const char *const *specs, size_t n,
			      struct osp_key ***out);
void osp_free_keys(struct osp_key **keys, size_t n);

#endif
