/* SPDX-License-Identifier: Apache-2.0 */
/* HTTP(S) downloads through libcurl: streamed, resumed with Range, retried with backoff. */
#ifndef OSP_HTTP_H
#define OSP_HTTP_H

#include <curl/curl.h>

#include "common.h"

/*
 * One GET, with everything a download of a large file over a poor network
 * needs. Only http and https, at the start and after each redirect (at most
 * OSP_HTTP_REDIRS_MAX); TLS peers verified. A connection that takes more than
 * OSPACK_HTTP_CONNECT_TIMEOUT seconds (default 30) to open, or a transfer that
 * moves nothing for OSPACK_HTTP_STALL_TIMEOUT seconds (default 60), fails.
 * OSPACK_HTTP_MAX_RATE (bytes per second, default 0: no limit) caps each transfer.
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
	/*
	 * Extra request headers, or NULL. An Authorization header among them goes to
	 * the first host only: libcurl drops it on a redirect to another one.
	 */
	const struct curl_slist *headers;
	/* Failures without the "URL: " prefix: the caller names the request itself. */
	bool no_url_prefix;
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

/*
 * The retry policy osp_http_get follows, for other clients (lib/net/registry.c):
 * OSPACK_HTTP_RETRIES more attempts, OSPACK_HTTP_RETRY_DELAY_MS doubled each
 * time up to 30 s.
 */
struct osp_http_backoff {
	long left;     /* attempts still allowed after this one */
	long delay_ms; /* the next wait */
	int tries;     /* attempts made so far */
};
void osp_http_backoff_init(struct osp_http_backoff *b);
/*
 * Before another attempt: false when none is left; else waits retry_after_ms
 * when the server asked for it (> 0, at most 30 s), the next delay otherwise,
 * and true. *interrupted is set when ospack_interrupt() cut the wait short.
 */
bool osp_http_backoff_wait(struct osp_http_backoff *b, long retry_after_ms, bool *interrupted);
/* A status worth another attempt (408, 429, 5xx), and a curl error that is (a dropped or
 * stalled connection). */
bool osp_http_status_transient(long code);
bool osp_http_curl_transient(CURLcode res);

/*
 * A new curl handle with what every request of ospack sets: http and https only,
 * TLS peers verified, the connect and stall timeouts, the user agent (kept in
 * agent, 64 bytes), ospack_interrupt() aborting the transfer (CURLE_ABORTED_BY_CALLBACK),
 * curl's reason in errbuf (CURL_ERROR_SIZE bytes). NULL when it cannot be made
 * (curl_global_init failed, or out of memory).
 */
CURL *osp_http_handle(char *agent, char *errbuf);

/*
 * One request of any method, its body from memory, the answer's status, headers
 * and body (at most max_body bytes kept) recorded; retried as osp_http_get is on
 * 408, 429, 5xx and dropped connections (honouring a Retry-After in seconds)
 * unless no_retry. Redirects are not followed. Every status is OSPACK_OK with
 * status set; OSPACK_EIO when no answer came (ctx says curl's reason), OSPACK_EINTR
 * on ospack_interrupt(), OSPACK_EIO when the body is longer than max_body
 * (too_long is set then).
 */
struct osp_http_call {
	const char *method; /* "GET", "HEAD", "PUT", "POST", "PATCH", "DELETE" */
	const char *url;
	const struct curl_slist *headers; /* extra request headers, or NULL */
	const void *body;		  /* the request body (PUT, POST, PATCH), or NULL */
	size_t body_len;
	size_t max_body;
	bool no_retry;
	/* the answer */
	long status;
	struct osp_strv resp_headers; /* "name: value" of the last answer, without CRLF */
	struct osp_buf resp_body;
	bool too_long;
	int attempts;
};
ospack_error osp_http_call_run(struct ospack_ctx *ctx, struct osp_http_call *c);
/* The value of a header of the answer (case-insensitive name), or NULL. */
const char *osp_http_call_header(const struct osp_http_call *c, const char *name);
/* Frees what the answer holds; the call can run again. */
void osp_http_call_reset(struct osp_http_call *c);

#endif
