/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Any BagIt bag (RFC 8493, and the drafts 0.93 to 0.97) that holds no ospack
 * statement: validated as the RFC says, complete and valid, with warnings for
 * what it says should be and is not. Nothing here checks who made the bag.
 */
#ifndef OSP_PLAIN_H
#define OSP_PLAIN_H

#include <jansson.h>

#include "common.h"

/* Digest algorithms of manifest-ALG.txt that OpenSSL gives. */
enum { PB_MD5, PB_SHA1, PB_SHA224, PB_SHA256, PB_SHA384, PB_SHA512, PB_NALGS };
#define PB_MAX_DIGEST 64
#define PB_LINE_MAX (1024 * 1024)
/* Warnings kept for the result and printed; more are only counted. */
#define PB_WARNINGS_MAX 1000

const char *osp_pb_alg_name(int alg);
size_t osp_pb_alg_len(int alg);
/* The algorithm of a normalized name ("sha256"), or -1. */
int osp_pb_alg_parse(const char *name);

/*
 * The entries of one manifest (or of fetch.txt): paths with a digest (or a
 * length), in one block of memory with an open-addressing index, and a mark for
 * the entries a file was found for. Offsets stay valid as the block grows.
 */
struct osp_pbtable {
	char name[64];
	int alg;     /* -1: fetch.txt, whose "digest" is a uint64_t length */
	size_t dlen; /* bytes of each digest */
	unsigned char *arena;
	size_t alen, acap;
	uint64_t *slot; /* offset + 1 of a record, 0: empty */
	size_t nslot, n;
	uint64_t seed;
};

/* A record: its path (NUL-terminated), its digest and its mark. */
struct osp_pbrec {
	const char *path;
	size_t pathlen;
	const unsigned char *digest;
	unsigned char *seen;
};

ospack_error osp_pbtable_init(struct ospack_ctx *ctx, struct osp_pbtable *t, const char *name,
			      int alg, size_t dlen);
void osp_pbtable_free(struct osp_pbtable *t);
/* Adds path; *dup is set (and nothing added) when it is there already, with *old its record. */
ospack_error osp_pbtable_add(struct ospack_ctx *ctx, struct osp_pbtable *t, const char *path,
			     size_t len, const unsigned char *digest, bool *dup,
			     struct osp_pbrec *old);
bool osp_pbtable_find(const struct osp_pbtable *t, const char *path, size_t len,
		      struct osp_pbrec *rec);
/* Walks the records in the order they were added: *off starts at 0; false at the end. */
bool osp_pbtable_next(const struct osp_pbtable *t, size_t *off, struct osp_pbrec *rec);

/* A text tag file read line by line in the bag's encoding, decoded to UTF-8. */
struct osp_pbtext;
/*
 * Opens rel below the bag folder dirfd (no link followed). encoding NULL or
 * UTF-8: read as is; else converted with iconv. *bom is set when a UTF-8 file
 * starts with a byte-order mark (skipped).
 */
ospack_error osp_pbtext_open(struct ospack_ctx *ctx, int dirfd, const char *rel,
			     const char *encoding, bool *bom, struct osp_pbtext **out);
/* The next line, NUL-terminated, without its CR, LF or CRLF: 1; 0 at the end; -1 on error. */
int osp_pbtext_line(struct osp_pbtext *t, char **line, size_t *len);
/* After the end: whether the last line had a line ending (true for an empty file). */
bool osp_pbtext_terminated(const struct osp_pbtext *t);
unsigned long osp_pbtext_lineno(const struct osp_pbtext *t);
void osp_pbtext_free(struct osp_pbtext *t);
/* Whether iconv knows the encoding. */
bool osp_pb_encoding_known(const char *encoding);

/*
 * A key under which names that differ only in Unicode normalization (for the
 * Latin letters with diacritics) and, with fold, in case, compare equal.
 */
char *osp_pb_name_key(const char *s, bool fold);

/* Opens rel (a relative path of clean components) below dirfd without following links. */
int osp_pb_open_below(int dirfd, const char *rel, int flags);

/*
 * Validates the bag folder open as dirfd. shown names it in messages; keys: how
 * many trusted keys were required. The result (ok or not) is always made unless
 * memory runs out; *out carries the JSON.
 */
struct ospack_verify_opts;
struct ospack_verify_result;
ospack_error osp_plain_bag(struct ospack_ctx *ctx, int dirfd, const char *shown,
			   const struct ospack_verify_opts *opts,
			   struct ospack_verify_result **out);

/* Whether a folder given to verify is a plain bag: it has no ospack/ folder. */
bool osp_plain_folder(const char *path);
/*
 * Whether the archive open as fd is to be read as a plain bag: it is compressed,
 * or its first tar header is not one ospack's writer makes. Reads nothing from fd.
 */
bool osp_plain_archive(int fd);
/* Up to want first bytes of fd, left for the next read (a file or a pipe). */
size_t osp_peek(int fd, unsigned char *buf, size_t want);
/* Unpacks the archive fd into a private temporary folder and validates the bag in it. */
ospack_error osp_plain_archive_verify(struct ospack_ctx *ctx, int fd,
				      const struct ospack_verify_opts *opts,
				      struct ospack_verify_result **out);

#endif
