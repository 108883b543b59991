/* SPDX-License-Identifier: Apache-2.0 */
/* BagIt (RFC 8493) tag files: writing them, and reading them back for verification. */
#ifndef OSP_BAG_H
#define OSP_BAG_H

#include "common.h"

#define OSP_BAGIT_TXT "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

/* Appends path to b with %, CR and LF percent-encoded as RFC 8493 requires. */
void osp_bag_encode_path(struct osp_buf *b, const char *path);
/* Decodes %25, %0A, %0D (any case); other % sequences are kept as they are. NULL on ENOMEM. */
char *osp_bag_decode_path(const char *s, size_t n);

/* "<hex>  <encoded path>\n": the form sha256sum -c reads. */
void osp_bag_manifest_line(struct osp_buf *b, const char *hex, const char *path);
/* "<url> <size> <encoded path>\n" */
void osp_bag_fetch_line(struct osp_buf *b, const char *url, uint64_t size, const char *path);

struct osp_bag_info {
	const char *external_identifier;
	const char *description; /* may be NULL; newlines become continuation lines */
	int64_t date;		 /* Bagging-Date, seconds since the epoch (UTC day is written) */
	uint64_t octets, count;	 /* Payload-Oxum */
};
void osp_bag_info_txt(struct osp_buf *b, const struct osp_bag_info *info);

/* One line of a manifest read back. */
struct osp_bag_line {
	char *path; /* decoded */
	char *hex;  /* lowercase as written */
	unsigned line;
};

/*
 * Parses manifest text. Every line must be "<hex of hexlen> <ws> <path>";
 * returns OSPACK_EREJECT naming the file and line otherwise.
 */
ospack_error osp_bag_parse_manifest(struct ospack_ctx *ctx, const char *file, const char *text,
				    size_t len, size_t hexlen, struct osp_bag_line **out,
				    size_t *n);
void osp_bag_lines_free(struct osp_bag_line *v, size_t n);
/* One line (without its end of line) into out, whose strings the caller frees. */
ospack_error osp_bag_parse_line(struct ospack_ctx *ctx, const char *file, unsigned lineno,
				const char *s, size_t n, size_t hexlen, struct osp_bag_line *out);

/* Finds the Payload-Oxum of bag-info.txt text; -1 when absent or malformed. */
int osp_bag_oxum(const char *text, size_t len, uint64_t *octets, uint64_t *count);

#endif
