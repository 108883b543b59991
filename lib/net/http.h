/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP(S) downloads through libcurl: streamed, resumed with Range, retried with backoff. */
#ifndef OSP_HTTP_H
#define OSP_HTTP_H

#include "common.h"

/*
 * One GET, with everything a download of a large file over a poor network
 * needs. Only http and https, at the start and after each redirect (at most
 * OSP_HTTP_REDIRS_MAX); TLS peers verified. A connection that takes more than
 * OSPACK_HTTP_CONNECT_TIMEOUT seconds (default 30) to open, or a transfer that
 * moves nothing for OSPACK_HTTP_STALL_TIMEOUT seconds (default 60), fails.
 *
 * Retried, OSPACK_HTTP_RETRIES more times (default 5) after waiting
 * OSPACK_HTTP_RETRY_DELAY_MS (default 1000) milliseconds, doubled each time and
 * at most 30 s: a 408, 429 or 5xx status, and a connection dropped or stalled
 * mid-transfer. A retry that has bytes already asks for the rest with Range;
 * a server that answers with the whole body (200) starts it over: restart() is
 * called first so that the sink can drop what it has. The environment variables
 * are for tests and for networks that need more patience.
 */
#define OSP_HTTP_REDIRS_MAX 10

struct osp_http_req {
	const char *url;
	/* The next bytes of the body; returns OSPACK_OK, or an error already set on ctx. */
	ospack_error (*write)(void *arg, const void *p, size_t n);
	/* The body starts over from its first byte. */
	ospack_error (*restart)(void *arg);
	void *arg;
	uint64_t offset; /* bytes the sink already has: the first request asks for the rest */
};

/*
 * Runs the request. On failure ctx says "URL: reason", the URL without
 * credentials, the reason the HTTP status or curl's error; OSPACK_EIO for
 * network and server errors, OSPACK_EINTR on ospack_interrupt(), or what a
 * callback returned. *got (may be NULL) receives the body bytes delivered in all,
 * offset included.
 */
ospack_error osp_http_get(struct ospack_ctx *ctx, const struct osp_http_req *req, uint64_t *got);

/* url without user name and password (for messages), or NULL on ENOMEM. */
char *osp_http_redact(const char *url);

#endif
