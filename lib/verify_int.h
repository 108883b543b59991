/* SPDX-License-Identifier: Apache-2.0 */
/* The verifier's state, shared by its streaming side and its final checks. */
#ifndef OSP_VERIFY_INT_H
#define OSP_VERIFY_INT_H

#include "hash.h"
#include "verify.h"

/* Tag files are read whole: these bound the memory they take. */
#define OSP_TAG_MAX (128u * 1024 * 1024)
#define OSP_TAGS_MAX (256ull * 1024 * 1024)
/* What a bundle may hold: bounds on the memory its list of entries takes. */
#define OSP_ENTRIES_MAX 2000000
#define OSP_PATH_MAX 4096
#define OSP_NAMES_MAX (256ull * 1024 * 1024) /* bytes of all entry names */
/* Signatures in an envelope: each costs a verification per trusted key. */
#define OSP_SIGS_MAX 64

/* One entry of the bundle as it went by. */
struct osp_vrec {
	char *path; /* inside the bag; "" for the bag folder */
	bool dir;
	bool tag; /* outside data/: content kept in data */
	uint64_t size;
	unsigned mode;
	unsigned char sha256[32];
	char *data;
	size_t len;
};

/* A file the statement lists. */
struct osp_vsubj {
	const char *name;
	unsigned char sha256[32];
	const char *sha512; /* hex, or NULL */
	bool in_component;
	uint64_t size; /* payload files: from the predicate */
	unsigned mode;
};

struct osp_vfetch {
	const char *path, *url, *sha256, *sha512;
	uint64_t size;
};

struct osp_vstate;

struct osp_verifier {
	struct ospack_ctx *ctx;
	struct osp_key *const *trusted;
	size_t ntrusted;
	bool folder;
	char *root;
	struct osp_vrec *recs;
	size_t n, cap;
	long cur;
	struct osp_hash *hash;
	uint64_t got;
	struct osp_buf tag;
	uint64_t tagbytes;
	uint64_t payload_bytes;
	uint64_t namebytes;
	struct osp_vstate *st;
};

void osp_vstate_free(struct osp_verifier *v);
/* Records why the bundle is rejected; returns OSPACK_EREJECT. */
ospack_error osp_reject(struct osp_verifier *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
