/* SPDX-License-Identifier: Apache-2.0 */
/* Sigstore bundles v0.3 around a DSSE envelope: writing one, reading one back. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "release.h"
#include "sigstore.h"
#include "sign.h"

static json_t *envelope_json(struct ospack_ctx *ctx, const struct osp_key *k, const char *payload,
			     size_t len)
{
	unsigned char *pae = NULL, *sig = NULL;
	char *b64payload = NULL, *b64sig = NULL;
	size_t paelen = 0, siglen = 0;
	json_t *env = NULL;

	pae = osp_dsse_pae(OSP_PAYLOAD_TYPE, payload, len, &paelen);
	if (pae == NULL) {
		osp_nomem(ctx);
		goto out;
	}
	if (osp_key_sign(ctx, k, pae, paelen, &sig, &siglen) != OSPACK_OK)
		goto out;
	b64payload = osp_base64_encode(payload, len);
	b64sig = osp_base64_encode(sig, siglen);
	if (b64payload == NULL || b64sig == NULL) {
		osp_nomem(ctx);
		goto out;
	}
	/* No keyid: the bundle names its key by the hint, as model_signing does. */
	env = json_pack("{s:s, s:s, s:[{s:s}]}", "payload", b64payload, "payloadType",
			OSP_PAYLOAD_TYPE, "signatures", "sig", b64sig);
	if (env == NULL)
		osp_nomem(ctx);
out:
	free(pae);
	free(sig);
	free(b64payload);
	free(b64sig);
	return env;
}

ospack_error osp_sigstore_build(struct ospack_ctx *ctx, const struct osp_key *k,
				const char *payload, size_t len, char **out, size_t *outlen)
{
	char hint[65];
	json_t *env = NULL, *root = NULL;
	ospack_error rc;

	*out = NULL;
	*outlen = 0;
	rc = osp_key_pem_hint(ctx, k, hint);
	if (rc != OSPACK_OK)
		return rc;
	env = envelope_json(ctx, k, payload, len);
	if (env == NULL)
		return ctx->code;
	root = json_pack("{s:s, s:{s:{s:s}, s:[]}, s:o}", "mediaType", OSP_SIGSTORE_MEDIA_TYPE,
			 "verificationMaterial", "publicKey", "hint", hint, "tlogEntries",
			 "dsseEnvelope", env);
	if (root == NULL)
		return osp_nomem(ctx);
	*out = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(root);
	if (*out == NULL)
		return osp_nomem(ctx);
	*outlen = strlen(*out);
	return OSPACK_OK;
}

static ospack_error read_material(struct ospack_ctx *ctx, const char *what, json_t *vm,
				  struct osp_sigstore *out)
{
	json_t *pk = json_is_object(vm) ? json_object_get(vm, "publicKey") : NULL;
	json_t *hint = json_is_object(pk) ? json_object_get(pk, "hint") : NULL;
	json_t *tlog = json_is_object(vm) ? json_object_get(vm, "tlogEntries") : NULL;

	if (!json_is_object(pk))
		return osp_error(ctx, OSPACK_EINPUT,
				 "%s: verificationMaterial names no public key (a certificate "
				 "or keyless bundle is not checked offline)",
				 what);
	if (hint != NULL && !json_is_string(hint) && !json_is_null(hint))
		return osp_error(ctx, OSPACK_EINPUT, "%s: the public key's hint is not a string",
				 what);
	if (tlog != NULL && !json_is_array(tlog))
		return osp_error(ctx, OSPACK_EINPUT, "%s: tlogEntries is not a list", what);
	out->hint = json_is_string(hint) ? json_string_value(hint) : "";
	return OSPACK_OK;
}

static ospack_error decode(struct ospack_ctx *ctx, const char *what, const char *field,
			   const char *s, unsigned char **p, size_t *n)
{
	if (osp_base64_decode(ctx, s, strlen(s), p, n) != OSPACK_OK)
		return osp_error(ctx, OSPACK_EINPUT, "%s: the %s is not valid base64", what, field);
	return OSPACK_OK;
}

ospack_error osp_sigstore_read(struct ospack_ctx *ctx, const char *what, json_t *root,
			       struct osp_sigstore *out)
{
	const char *media = NULL, *payload = NULL, *type = NULL, *sig = NULL;
	json_t *vm = NULL, *sigs = NULL;
	json_error_t err;
	ospack_error rc;

	memset(out, 0, sizeof(*out));
	if (json_unpack_ex(root, &err, 0, "{s:s, s:o, s:{s:s, s:s, s:o}}", "mediaType", &media,
			   "verificationMaterial", &vm, "dsseEnvelope", "payload", &payload,
			   "payloadType", &type, "signatures", &sigs) != 0)
		return osp_error(ctx, OSPACK_EINPUT,
				 "%s: not a Sigstore bundle with a DSSE envelope: %s", what,
				 err.text);
	if (strcmp(media, OSP_SIGSTORE_MEDIA_TYPE) != 0)
		return osp_error(ctx, OSPACK_EINPUT, "%s: media type '%s', not %s", what, media,
				 OSP_SIGSTORE_MEDIA_TYPE);
	if (strcmp(type, OSP_PAYLOAD_TYPE) != 0)
		return osp_error(ctx, OSPACK_EINPUT, "%s: payload type '%s', not %s", what, type,
				 OSP_PAYLOAD_TYPE);
	if (!json_is_array(sigs) || json_array_size(sigs) == 0 ||
	    json_unpack_ex(json_array_get(sigs, 0), &err, 0, "{s:s}", "sig", &sig) != 0)
		return osp_error(ctx, OSPACK_EINPUT, "%s: the envelope holds no signature", what);
	rc = read_material(ctx, what, vm, out);
	if (rc == OSPACK_OK)
		rc = decode(ctx, what, "payload", payload, &out->payload, &out->payload_len);
	if (rc == OSPACK_OK)
		rc = decode(ctx, what, "signature", sig, &out->sig, &out->siglen);
	if (rc != OSPACK_OK)
		osp_sigstore_clear(out);
	return rc;
}

void osp_sigstore_clear(struct osp_sigstore *b)
{
	free(b->payload);
	free(b->sig);
	memset(b, 0, sizeof(*b));
}

bool osp_sigstore_names(struct ospack_ctx *ctx, const struct osp_sigstore *b,
			const struct osp_key *k)
{
	char hint[65];

	if (b->hint == NULL || b->hint[0] == '\0')
		return true;
	return osp_key_pem_hint(ctx, k, hint) == OSPACK_OK && strcmp(hint, b->hint) == 0;
}

bool osp_sigstore_verify(const struct osp_sigstore *b, const struct osp_key *k)
{
	size_t paelen = 0;
	unsigned char *pae = osp_dsse_pae(OSP_PAYLOAD_TYPE, b->payload, b->payload_len, &paelen);
	bool good = pae != NULL && osp_key_verify(k, pae, paelen, b->sig, b->siglen);

	free(pae);
	return good;
}
