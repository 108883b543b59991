/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OSP_DECOMPRESS_H
#define OSP_DECOMPRESS_H

/*
 * A bundle compressed with zstd or gzip (.tar.zst, .tar.gz) is read as the tar it
 * holds, which is what was signed. Compression is found by the first bytes, never
 * by the name. libarchive's filters do the decompressing.
 */

#include <stdbool.h>

#include "common.h"

/* Whether fd (a file at its current offset, or a pipe, left unread) starts a gzip or
 * zstd stream. */
bool osp_compressed(int fd);

struct osp_unzip;

/*
 * Decompresses fd on a thread of its own into a pipe: *tar_fd reads the tar, in one
 * pass and bounded memory, as standard input would be read. fd is taken over (closed
 * by osp_unzip_finish, or now on failure, unless standard input). Must be followed by
 * osp_unzip_finish.
 */
ospack_error osp_unzip_start(struct ospack_ctx *ctx, int fd, int *tar_fd, struct osp_unzip **out);

/*
 * Closes tar_fd (the reader may stop before the end) and waits for the thread. A
 * stream that did not decompress to its end (cut short, corrupt, a read error)
 * turns rc into OSPACK_EREJECT "cannot decompress the bundle: ...", even when the
 * reader had found another fault: the decompressor's is the first cause.
 */
ospack_error osp_unzip_finish(struct ospack_ctx *ctx, struct osp_unzip *z, int tar_fd,
			      ospack_error rc);

/*
 * Replaces *fd (closed unless standard input) with an unlinked temporary file in
 * tmpdir (NULL: /tmp) holding the tar decompressed, read from its start, for a
 * reader that needs offsets (push). On failure *fd is -1.
 */
ospack_error osp_unzip_to_temp(struct ospack_ctx *ctx, int *fd, const char *tmpdir);

#endif
