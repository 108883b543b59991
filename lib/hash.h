/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256/SHA-512 through OpenSSL, and a hasher that runs beside the I/O. */
#ifndef OSP_HASH_H
#define OSP_HASH_H

#include "common.h"

enum osp_alg { OSP_SHA256 = 0, OSP_SHA512 = 1, OSP_NALGS = 2 };
#define OSP_ALG_BIT(a) (1u << (a))
#define OSP_MAX_DIGEST 64

struct osp_digests {
	unsigned algs; /* OSP_ALG_BIT() of those set */
	unsigned char d[OSP_NALGS][OSP_MAX_DIGEST];
};

size_t osp_alg_len(enum osp_alg alg);
const char *osp_alg_name(enum osp_alg alg);
int osp_alg_parse(const char *name, enum osp_alg *alg); /* 0, or -1 if unknown */

struct osp_hash;
ospack_error osp_hash_new(struct ospack_ctx *ctx, unsigned algs, struct osp_hash **out);
ospack_error osp_hash_update(struct ospack_ctx *ctx, struct osp_hash *h, const void *p, size_t n);
/* Finishes into d and starts over for the next input. */
ospack_error osp_hash_final(struct ospack_ctx *ctx, struct osp_hash *h, struct osp_digests *d);
void osp_hash_free(struct osp_hash *h);
ospack_error osp_digest(struct ospack_ctx *ctx, enum osp_alg alg, const void *p, size_t n,
			unsigned char *out);

/*
 * A hasher thread. The caller takes a buffer with osp_hasher_get(), fills it,
 * hands it over with osp_hasher_put() and may keep reading the buffer (to write
 * it out) until its next osp_hasher_get(); osp_hasher_end() waits for the
 * queue and gives the digests of everything put since the last end.
 */
#define OSP_HASHER_BUFSIZE (1024 * 1024)
struct osp_hasher;
ospack_error osp_hasher_new(struct ospack_ctx *ctx, unsigned algs, struct osp_hasher **out);
unsigned char *osp_hasher_get(struct osp_hasher *hr);
void osp_hasher_put(struct osp_hasher *hr, size_t n);
/* Copies p into the hasher's buffers, handing each over when full (for many small writes). */
void osp_hasher_feed(struct osp_hasher *hr, const void *p, size_t n);
ospack_error osp_hasher_end(struct ospack_ctx *ctx, struct osp_hasher *hr, struct osp_digests *d);
void osp_hasher_free(struct osp_hasher *hr);

#endif
