/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of hashing: known vectors for SHA-256 and SHA-512, and the hasher thread. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "tap.h"

struct vector {
	const char *input;
	size_t repeat;
	const char *sha256;
	const char *sha512;
};

/* FIPS 180-2 / NIST CSRC example vectors. */
static const struct vector vectors[] = {
	{"", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	 "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	 "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
	{"abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	 "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	 "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	{"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	 "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
	 "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
	{"a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	 "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
	 "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
};

static void test_vector(const struct vector *v)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_hash *h = NULL;
	struct osp_hasher *hr = NULL;
	struct osp_digests d, dt;
	char hex[2 * OSP_MAX_DIGEST + 1];
	size_t len = strlen(v->input), total = len * v->repeat, done = 0;
	char label[40];

	snprintf(label, sizeof(label), "'%.8s'%s", v->input, v->repeat > 1 ? " x 1000000" : "");
	ok(osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256) | OSP_ALG_BIT(OSP_SHA512), &h) == OSPACK_OK,
	   "hash context for %s", label);
	for (size_t i = 0; i < v->repeat; i++)
		osp_hash_update(ctx, h, v->input, len);
	osp_hash_final(ctx, h, &d);
	osp_hex(d.d[OSP_SHA256], 32, hex);
	is_str(hex, v->sha256, "sha256 of %s", label);
	osp_hex(d.d[OSP_SHA512], 64, hex);
	is_str(hex, v->sha512, "sha512 of %s", label);

	/* The same bytes through the hasher thread, in uneven chunks. */
	ok(osp_hasher_new(ctx, OSP_ALG_BIT(OSP_SHA256) | OSP_ALG_BIT(OSP_SHA512), &hr) == OSPACK_OK,
	   "hasher thread for %s", label);
	while (done < total) {
		unsigned char *buf = osp_hasher_get(hr);
		size_t n = 0, want = 777777 < total - done ? 777777 : total - done;

		while (n < want) {
			buf[n] = (unsigned char)v->input[(done + n) % len];
			n++;
		}
		osp_hasher_put(hr, n);
		done += n;
	}
	ok(osp_hasher_end(ctx, hr, &dt) == OSPACK_OK, "hasher ends for %s", label);
	ok(memcmp(d.d, dt.d, sizeof(d.d)) == 0, "hasher thread agrees for %s", label);
	osp_hasher_free(hr);
	osp_hash_free(h);
	ospack_ctx_free(ctx);
}

int main(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	unsigned char out[32];
	char hex[65];
	enum osp_alg alg;

	for (size_t i = 0; i < OSP_ARRAY_LEN(vectors); i++)
		test_vector(&vectors[i]);
	osp_digest(ctx, OSP_SHA256, "abc", 3, out);
	osp_hex(out, 32, hex);
	is_str(hex, vectors[1].sha256, "one-shot sha256");
	ok(osp_alg_parse("sha512", &alg) == 0 && alg == OSP_SHA512, "sha512 parses");
	ok(osp_alg_parse("md5", &alg) == -1, "md5 is refused");
	ok(osp_alg_parse("SHA256", &alg) == -1, "algorithm names are lower case");
	ospack_ctx_free(ctx);
	return tap_done();
}
