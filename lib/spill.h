/* SPDX-License-Identifier: Apache-2.0 */
/* Temporary files for what must wait for the end: nameless from the start, never left behind. */
#ifndef OSP_SPILL_H
#define OSP_SPILL_H

#include "common.h"

/*
 * A spill file lives in the temporary folder (NULL: /tmp) without a name
 * (O_TMPFILE, or created and unlinked at once), so that no exit, not even
 * SIGKILL, leaves it behind. Writes are buffered; errors name the folder.
 */
struct osp_spill;

ospack_error osp_spill_new(struct ospack_ctx *ctx, const char *tmpdir, struct osp_spill **out);
void osp_spill_free(struct osp_spill *sp);
ospack_error osp_spill_write(struct ospack_ctx *ctx, struct osp_spill *sp, const void *p, size_t n);
ospack_error osp_spill_puts(struct ospack_ctx *ctx, struct osp_spill *sp, const char *s);
/* Bytes written so far. */
uint64_t osp_spill_size(const struct osp_spill *sp);
/* Writes out what is buffered: the file then holds every byte written. */
ospack_error osp_spill_flush(struct ospack_ctx *ctx, struct osp_spill *sp);
int osp_spill_fd(const struct osp_spill *sp);
const char *osp_spill_dir(const struct osp_spill *sp);

/*
 * Reads back len bytes from offset off of a spill file (flushed by the caller) or of
 * a memory block, in order: whole records, or lines.
 */
struct osp_sreader;
struct osp_sreader *osp_sreader_file(struct osp_spill *sp, uint64_t off, uint64_t len);
struct osp_sreader *osp_sreader_mem(const void *p, size_t len);
void osp_sreader_free(struct osp_sreader *r);
/* Exactly n bytes into p: 1; at the end: 0; a short record or a read error: -1. */
int osp_sreader_read(struct osp_sreader *r, void *p, size_t n);
/*
 * The next line without its "\n" (and NUL-terminated in place): 1; at the end: 0;
 * -1 on a read error or a line longer than max (*len then says which).
 */
int osp_sreader_line(struct osp_sreader *r, size_t max, char **line, size_t *len);
/* errno of the last read error, or 0. */
int osp_sreader_errno(const struct osp_sreader *r);

#endif
