/* SPDX-License-Identifier: Apache-2.0 */
/* Keys and signatures through OpenSSL's EVP API, and the DSSE pre-authentication encoding. */
#ifndef OSP_SIGN_H
#define OSP_SIGN_H

#include "common.h"

enum osp_keytype { OSP_KEY_ED25519, OSP_KEY_ECDSA_P256 };

struct osp_key;

/*
 * Loads a PKCS#8 PEM private key from a file or, for "env:NAME", from that
 * environment variable. An encrypted key needs password (NULL or "": none).
 * Anything but Ed25519 or ECDSA P-256 is refused. Errors are OSPACK_EKEY and
 * name the key ("key.pem: ...", "env:NAME: ...").
 */
ospack_error osp_key_load_private(struct ospack_ctx *ctx, const char *spec, const char *password,
				  struct osp_key **out);
/* Loads a SubjectPublicKeyInfo PEM public key from a file (or "env:NAME"). */
ospack_error osp_key_load_public(struct ospack_ctx *ctx, const char *spec, struct osp_key **out);
void osp_key_free(struct osp_key *k);

/* Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo. */
const char *osp_key_id(const struct osp_key *k);
enum osp_keytype osp_key_type(const struct osp_key *k);
/*
 * Lowercase hex SHA-256 of the public key's SubjectPublicKeyInfo PEM text, as
 * OpenSSL writes it: the hint a Sigstore bundle names its key by (model_signing
 * compares it with the same digest of the key it is given).
 */
ospack_error osp_key_pem_hint(struct ospack_ctx *ctx, const struct osp_key *k, char hint[65]);

/* Ed25519 over msg; ECDSA P-256 over SHA-256(msg), DER-encoded. *sig is malloc'd. */
ospack_error osp_key_sign(struct ospack_ctx *ctx, const struct osp_key *k, const void *msg,
			  size_t n, unsigned char **sig, size_t *siglen);
bool osp_key_verify(const struct osp_key *k, const void *msg, size_t n, const unsigned char *sig,
		    size_t siglen);

/*
 * Writes prefix.key (PKCS#8 PEM, created 0600 with O_EXCL) and prefix.pub
 * (SubjectPublicKeyInfo PEM); refuses to overwrite either; leaves neither
 * behind on failure. keyid receives the key id.
 */
ospack_error osp_keygen(struct ospack_ctx *ctx, enum osp_keytype t, const char *prefix,
			char keyid[65]);

/* DSSE PAE: "DSSEv1" SP len(type) SP type SP len(body) SP body. malloc'd. */
unsigned char *osp_dsse_pae(const char *type, const void *body, size_t n, size_t *outlen);

/* Standard base64 with padding. Decoding is strict: no whitespace, canonical padding. */
char *osp_base64_encode(const void *p, size_t n);
ospack_error osp_base64_decode(struct ospack_ctx *ctx, const char *s, size_t slen,
			       unsigned char **out, size_t *outlen);

#endif
