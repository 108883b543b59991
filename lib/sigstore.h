/* SPDX-License-Identifier: Apache-2.0 */
/* Sigstore bundles v0.3 holding one DSSE envelope, with a public key named by its hint. */
#ifndef OSP_SIGSTORE_H
#define OSP_SIGSTORE_H

#include <jansson.h>

#include "common.h"

#define OSP_SIGSTORE_MEDIA_TYPE "application/vnd.dev.sigstore.bundle.v0.3+json"

struct osp_key;

/*
 * A bundle whose envelope carries payload (of type OSP_PAYLOAD_TYPE) signed by
 * k over the DSSE PAE, naming k by its PEM hint, with no transparency log
 * entry and no certificate. Compact JSON, sorted keys, no final newline.
 */
ospack_error osp_sigstore_build(struct ospack_ctx *ctx, const struct osp_key *k,
				const char *payload, size_t len, char **out, size_t *outlen);

/* A bundle read back: what its verification needs. */
struct osp_sigstore {
	const char *hint; /* "" when the bundle gives none; borrowed from the JSON */
	unsigned char *payload;
	size_t payload_len;
	unsigned char *sig; /* the first signature, the one Sigstore's verifiers check */
	size_t siglen;
};

/*
 * Reads a parsed bundle (what names it in messages). Errors are OSPACK_EINPUT
 * with the reason; the JSON must outlive out.
 */
ospack_error osp_sigstore_read(struct ospack_ctx *ctx, const char *what, json_t *root,
			       struct osp_sigstore *out);
void osp_sigstore_clear(struct osp_sigstore *b);
/* Whether the bundle's hint names k (a bundle without a hint names any key). */
bool osp_sigstore_names(struct ospack_ctx *ctx, const struct osp_sigstore *b,
			const struct osp_key *k);
/* Whether its first signature verifies with k over the DSSE PAE of its payload. */
bool osp_sigstore_verify(const struct osp_sigstore *b, const struct osp_key *k);

#endif
