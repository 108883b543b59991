/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a bundle as one stream of entries into a verifier (and an optional sink). */
#ifndef OSP_AREAD_H
#define OSP_AREAD_H

#include "common.h"

struct osp_verifier;

/* Receives every entry the verifier accepted so far, as it streams (extract uses this). */
struct osp_sink {
	ospack_error (*dir)(void *arg, const char *rel);
	ospack_error (*begin)(void *arg, const char *rel, uint64_t size, unsigned mode);
	ospack_error (*data)(void *arg, const void *p, size_t n);
	ospack_error (*end)(void *arg);
	void *arg;
};

/* Reads a tar archive from fd to its end; only zero padding may follow the archive. */
ospack_error osp_read_archive(struct ospack_ctx *ctx, int fd, struct osp_verifier *v,
			      const struct osp_sink *sink);
/* Walks an unpacked bundle folder in byte order, refusing links and special files. */
ospack_error osp_read_folder(struct ospack_ctx *ctx, const char *path, struct osp_verifier *v);

/* Opens a bundle archive ("-": standard input); *isdir, and no fd, when it is a folder. */
ospack_error osp_open_bundle(struct ospack_ctx *ctx, const char *input, int *fd, bool *isdir);

#endif
