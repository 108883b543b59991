/* SPDX-License-Identifier: Apache-2.0 */
/* The DSSE pre-authentication encoding and strict standard base64. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sign.h"

/* An envelope is read whole; nothing ospack signs comes near this size. */
#define BASE64_MAX_INPUT ((size_t)1 << 30)

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

unsigned char *osp_dsse_pae(const char *type, const void *body, size_t n, size_t *outlen)
{
	struct osp_buf b = {0};
	size_t tlen = strlen(type);

	osp_buf_printf(&b, "DSSEv1 %zu ", tlen);
	osp_buf_add(&b, type, tlen);
	osp_buf_printf(&b, " %zu ", n);
	osp_buf_add(&b, body, n);
	return (unsigned char *)osp_buf_steal(&b, outlen);
}

char *osp_base64_encode(const void *p, size_t n)
{
	const unsigned char *in = p;
	size_t groups = n / 3 + (n % 3 != 0), i, o = 0;
	char *out;

	if (groups > (SIZE_MAX - 1) / 4)
		return NULL;
	out = malloc(groups * 4 + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i > 0) {
		uint32_t v = (uint32_t)in[i] << 16 | (n - i == 2 ? (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = b64_alphabet[v >> 18];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = n - i == 2 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return out;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes one group of four characters into up to three bytes; returns how
 * many, or -1. Padding is allowed only when last is set, and the bits it
 * drops must be zero, so that every byte string has one encoding.
 */
static int b64_group(const unsigned char *s, bool last, unsigned char *out)
{
	int pad = 0, v[4];

	if (last)
		pad = s[3] != '=' ? 0 : s[2] != '=' ? 1 : 2;
	for (int k = 0; k < 4 - pad; k++) {
		v[k] = b64_value(s[k]);
		if (v[k] < 0)
			return -1;
	}
	for (int k = 4 - pad; k < 4; k++)
		v[k] = 0;
	if ((pad == 2 && (v[1] & 15) != 0) || (pad == 1 && (v[2] & 3) != 0))
		return -1;
	out[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
	out[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
	out[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	return 3 - pad;
}

ospack_error osp_base64_decode(struct ospack_ctx *ctx, const char *s, size_t slen,
			       unsigned char **out, size_t *outlen)
{
	const unsigned char *in = (const unsigned char *)s;
	unsigned char *buf = NULL;
	ospack_error rc = OSPACK_OK;
	size_t o = 0;

	*out = NULL;
	*outlen = 0;
	if (slen > BASE64_MAX_INPUT)
		return osp_error(ctx, OSPACK_EINPUT, "invalid base64: longer than %zu bytes",
				 BASE64_MAX_INPUT);
	if (slen % 4 != 0)
		return osp_error(ctx, OSPACK_EINPUT,
				 "invalid base64: length %zu is not a multiple of 4", slen);
	buf = malloc(slen / 4 * 3 + 1);
	if (buf == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; i < slen; i += 4) {
		int got = b64_group(in + i, i + 4 == slen, buf + o);

		if (got < 0) {
			rc = osp_error(ctx, OSPACK_EINPUT,
				       "invalid base64: bad character or padding near offset %zu",
				       i);
			goto out;
		}
		o += (size_t)got;
	}
	*out = buf;
	*outlen = o;
	buf = NULL;
out:
	free(buf);
	return rc;
}
