/* SPDX-License-Identifier: Apache-2.0 */
/* A strict shadow reading of tar headers: only the restricted pax form ospack writes. */
#ifndef OSP_TARSCAN_H
#define OSP_TARSCAN_H

#include "common.h"

/*
 * libarchive reads every tar dialect and quietly skips what it does not show
 * (ACL, volume and global headers, unknown types). Other tar readers do not
 * skip the same things, so an archive can show them other files. The scanner
 * sees the raw bytes too and accepts only what ospack writes: ustar headers of
 * type 0 and 5, each optionally after one pax header, owned by 0/0 without
 * names, then two zero blocks and zero padding; and each entry's header blocks
 * byte for byte those ospack's writer makes for its path, type, mode and size
 * (and the first entry's mtime), since no signature covers them and tar readers
 * disagree on other spellings. The entries it finds are compared with those
 * libarchive reports.
 */
struct osp_tarscan;

struct osp_tarentry {
	char *path; /* without a trailing slash */
	bool dir;
	uint64_t size;
	uint64_t offset; /* of its data in the stream */
};

/* The longest entry name the scanner takes, and the bytes of its headers at most. */
#define OSP_TARHDR_PATH 8192
#define OSP_TARHDR_MAX (OSP_TARHDR_PATH + 3 * 512)
/* ospack's writer takes mtimes below 2^33 (SOURCE_DATE_EPOCH). */
#define OSP_TAR_MTIME_MAX 8589934591LL

/*
 * The header blocks ospack's writer (lib/tar_write.c: libarchive's restricted
 * pax) makes for an entry, its path given without a folder's trailing '/':
 * the pax header, its records and padding when it needs them, then the ustar
 * header. Gives their length, or 0 when the writer would take no such entry.
 */
size_t osp_tar_header(unsigned char *out, const char *path, bool dir, unsigned mode, uint64_t size,
		      int64_t mtime);

struct osp_tarscan *osp_tarscan_new(void);
void osp_tarscan_free(struct osp_tarscan *ts);
/* Scans the next n bytes of the stream; false once the stream broke a rule. */
bool osp_tarscan_feed(struct osp_tarscan *ts, const unsigned char *p, size_t n);
/*
 * n bytes of an entry's data (and padding) were skipped, not read: false unless
 * the scanner is in that data with at least n bytes of it left.
 */
bool osp_tarscan_skip(struct osp_tarscan *ts, uint64_t n);
/* How much may be skipped now: the rest of the entry's data, never its padding (read, and
 * checked to be zeros). */
uint64_t osp_tarscan_skippable(const struct osp_tarscan *ts);
/* The next entry found, or false when none is pending; the caller frees e->path. */
bool osp_tarscan_next(struct osp_tarscan *ts, struct osp_tarentry *e);
/*
 * The stream ended: NULL when both end blocks were seen and only zero padding,
 * in whole blocks, followed; else what is wrong.
 */
const char *osp_tarscan_finish(struct osp_tarscan *ts);
/* The mtime of every entry's header, once one was scanned; else -1. */
int64_t osp_tarscan_mtime(const struct osp_tarscan *ts);
/* Why the stream was refused, or NULL. */
const char *osp_tarscan_error(const struct osp_tarscan *ts);
/* What an entry of libarchive's type AE_IF* is, for a message refusing it. */
const char *osp_tar_type_name(unsigned type);

#endif
