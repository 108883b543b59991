/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256/SHA-512 through OpenSSL's EVP API, synchronously or on a worker thread. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "hash.h"

#define HASHER_NBUF 4

struct osp_hash {
	unsigned algs;
	EVP_MD_CTX *md[OSP_NALGS];
};

size_t osp_alg_len(enum osp_alg alg)
{
	return alg == OSP_SHA512 ? 64 : 32;
}

const char *osp_alg_name(enum osp_alg alg)
{
	return alg == OSP_SHA512 ? "sha512" : "sha256";
}

int osp_alg_parse(const char *name, enum osp_alg *alg)
{
	if (strcmp(name, "sha256") == 0)
		*alg = OSP_SHA256;
	else if (strcmp(name, "sha512") == 0)
		*alg = OSP_SHA512;
	else
		return -1;
	return 0;
}

static const EVP_MD *alg_md(enum osp_alg alg)
{
	return alg == OSP_SHA512 ? EVP_sha512() : EVP_sha256();
}

void osp_hash_free(struct osp_hash *h)
{
	if (h == NULL)
		return;
	for (int a = 0; a < OSP_NALGS; a++)
		EVP_MD_CTX_free(h->md[a]);
	free(h);
}

ospack_error osp_hash_new(struct ospack_ctx *ctx, unsigned algs, struct osp_hash **out)
{
	struct osp_hash *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (h == NULL)
		return osp_nomem(ctx);
	h->algs = algs;
	for (int a = 0; a < OSP_NALGS; a++) {
		if (!(algs & OSP_ALG_BIT(a)))
			continue;
		h->md[a] = EVP_MD_CTX_new();
		if (h->md[a] == NULL || EVP_DigestInit_ex(h->md[a], alg_md(a), NULL) != 1) {
			osp_hash_free(h);
			return osp_error(ctx, OSPACK_EIO, "cannot set up %s", osp_alg_name(a));
		}
	}
	*out = h;
	return OSPACK_OK;
}

ospack_error osp_hash_update(struct ospack_ctx *ctx, struct osp_hash *h, const void *p, size_t n)
{
	for (int a = 0; a < OSP_NALGS; a++)
		if (h->md[a] != NULL && EVP_DigestUpdate(h->md[a], p, n) != 1)
			return osp_error(ctx, OSPACK_EIO, "%s failed", osp_alg_name(a));
	return OSPACK_OK;
}

ospack_error osp_hash_final(struct ospack_ctx *ctx, struct osp_hash *h, struct osp_digests *d)
{
	memset(d, 0, sizeof(*d));
	d->algs = h->algs;
	for (int a = 0; a < OSP_NALGS; a++) {
		if (h->md[a] == NULL)
			continue;
		if (EVP_DigestFinal_ex(h->md[a], d->d[a], NULL) != 1 ||
		    EVP_DigestInit_ex(h->md[a], alg_md(a), NULL) != 1)
			return osp_error(ctx, OSPACK_EIO, "%s failed", osp_alg_name(a));
	}
	return OSPACK_OK;
}

ospack_error osp_digest(struct ospack_ctx *ctx, enum osp_alg alg, const void *p, size_t n,
			unsigned char *out)
{
	if (EVP_Digest(p, n, out, NULL, alg_md(alg), NULL) != 1)
		return osp_error(ctx, OSPACK_EIO, "%s failed", osp_alg_name(alg));
	return OSPACK_OK;
}

struct osp_hasher {
	struct osp_hash *h;
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv_work; /* a buffer was queued, or stop */
	pthread_cond_t cv_done; /* a buffer was hashed */
	unsigned char *buf[HASHER_NBUF];
	size_t len[HASHER_NBUF];
	unsigned head, tail, pending;
	bool stop;
	bool failed;
	unsigned char *cur; /* osp_hasher_feed(): the buffer being filled */
	size_t fill;
};

static void *hasher_main(void *arg)
{
	struct osp_hasher *hr = arg;

	pthread_mutex_lock(&hr->mu);
	for (;;) {
		unsigned i;
		bool ok;

		while (hr->pending == 0 && !hr->stop)
			pthread_cond_wait(&hr->cv_work, &hr->mu);
		if (hr->pending == 0)
			break;
		i = hr->tail;
		pthread_mutex_unlock(&hr->mu);
		ok = osp_hash_update(NULL, hr->h, hr->buf[i], hr->len[i]) == OSPACK_OK;
		pthread_mutex_lock(&hr->mu);
		if (!ok)
			hr->failed = true;
		hr->tail = (hr->tail + 1) % HASHER_NBUF;
		hr->pending--;
		pthread_cond_signal(&hr->cv_done);
	}
	pthread_mutex_unlock(&hr->mu);
	return NULL;
}

ospack_error osp_hasher_new(struct ospack_ctx *ctx, unsigned algs, struct osp_hasher **out)
{
	struct osp_hasher *hr = calloc(1, sizeof(*hr));
	ospack_error rc;

	*out = NULL;
	if (hr == NULL)
		return osp_nomem(ctx);
	pthread_mutex_init(&hr->mu, NULL);
	pthread_cond_init(&hr->cv_work, NULL);
	pthread_cond_init(&hr->cv_done, NULL);
	rc = osp_hash_new(ctx, algs, &hr->h);
	if (rc != OSPACK_OK)
		goto fail;
	for (int i = 0; i < HASHER_NBUF; i++) {
		hr->buf[i] = malloc(OSP_HASHER_BUFSIZE);
		if (hr->buf[i] == NULL) {
			rc = osp_nomem(ctx);
			goto fail;
		}
	}
	if (pthread_create(&hr->thread, NULL, hasher_main, hr) != 0) {
		rc = osp_error(ctx, OSPACK_EIO, "cannot start the hashing thread");
		goto fail;
	}
	hr->started = true;
	*out = hr;
	return OSPACK_OK;
fail:
	osp_hasher_free(hr);
	return rc;
}

unsigned char *osp_hasher_get(struct osp_hasher *hr)
{
	unsigned char *b;

	pthread_mutex_lock(&hr->mu);
	while (hr->pending == HASHER_NBUF)
		pthread_cond_wait(&hr->cv_done, &hr->mu);
	b = hr->buf[hr->head];
	pthread_mutex_unlock(&hr->mu);
	return b;
}

void osp_hasher_put(struct osp_hasher *hr, size_t n)
{
	pthread_mutex_lock(&hr->mu);
	hr->len[hr->head] = n;
	hr->head = (hr->head + 1) % HASHER_NBUF;
	hr->pending++;
	pthread_cond_signal(&hr->cv_work);
	pthread_mutex_unlock(&hr->mu);
}

void osp_hasher_feed(struct osp_hasher *hr, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		size_t k;

		if (hr->cur == NULL) {
			hr->cur = osp_hasher_get(hr);
			hr->fill = 0;
		}
		k = n < OSP_HASHER_BUFSIZE - hr->fill ? n : OSP_HASHER_BUFSIZE - hr->fill;
		memcpy(hr->cur + hr->fill, c, k);
		hr->fill += k;
		c += k;
		n -= k;
		if (hr->fill == OSP_HASHER_BUFSIZE) {
			osp_hasher_put(hr, hr->fill);
			hr->cur = NULL;
		}
	}
}

ospack_error osp_hasher_end(struct ospack_ctx *ctx, struct osp_hasher *hr, struct osp_digests *d)
{
	bool failed;

	if (hr->cur != NULL) {
		osp_hasher_put(hr, hr->fill);
		hr->cur = NULL;
	}
	pthread_mutex_lock(&hr->mu);
	while (hr->pending > 0)
		pthread_cond_wait(&hr->cv_done, &hr->mu);
	failed = hr->failed;
	hr->failed = false;
	pthread_mutex_unlock(&hr->mu);
	if (failed)
		return osp_error(ctx, OSPACK_EIO, "hashing failed");
	return osp_hash_final(ctx, hr->h, d);
}

void osp_hasher_free(struct osp_hasher *hr)
{
	if (hr == NULL)
		return;
	if (hr->started) {
		pthread_mutex_lock(&hr->mu);
		hr->stop = true;
		pthread_cond_signal(&hr->cv_work);
		pthread_mutex_unlock(&hr->mu);
		pthread_join(hr->thread, NULL);
	}
	for (int i = 0; i < HASHER_NBUF; i++)
		free(hr->buf[i]);
	osp_hash_free(hr->h);
	pthread_mutex_destroy(&hr->mu);
	pthread_cond_destroy(&hr->cv_work);
	pthread_cond_destroy(&hr->cv_done);
	free(hr);
}
