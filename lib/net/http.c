/* SPDX-License-Identifier: Apache-2.0 */
/* A small libcurl wrapper: one GET streamed to a callback, resumed and retried (see http.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"

#define RETRY_DELAY_CAP_MS 30000

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* A whole number from the environment in [lo, hi], or def. */
static long env_long(const char *name, long def, long lo, long hi)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || v < lo || v > hi ? def : v;
}

/* What one transfer attempt saw. */
struct attempt {
	struct ospack_ctx *ctx;
	const struct osp_http_req *req;
	CURL *h;
	uint64_t delivered;  /* body bytes the sink has, over all attempts */
	uint64_t asked;	     /* the offset this attempt asked for (0: no Range) */
	int64_t range_start; /* the first byte of the response's Content-Range, or -1 */
	bool started;	     /* this attempt's first body bytes went by */
	ospack_error sink_rc;
	bool sink_failed; /* sink_rc came from the sink: its message stands alone */
	char agent[64];
};

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n;

	/* Each response of a redirect chain starts with its status line. */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		a->range_start = -1;
	else if (len > 20 && strncasecmp(p, "content-range: bytes ", 21) == 0) {
		char buf[32], *end;
		size_t k = len - 21 < sizeof(buf) - 1 ? len - 21 : sizeof(buf) - 1;
		unsigned long long v;

		memcpy(buf, p + 21, k);
		buf[k] = '\0';
		errno = 0;
		v = strtoull(buf, &end, 10);
		a->range_start =
			errno == 0 && end != buf && *end == '-' && v <= INT64_MAX ? (int64_t)v : -1;
	}
	return len;
}

static ospack_error sink(struct attempt *a, ospack_error rc)
{
	a->sink_failed = rc != OSPACK_OK;
	return rc;
}

/* The first bytes of a response: whether they continue what the sink has, or start over. */
static ospack_error on_start(struct attempt *a)
{
	long code = 0;

	curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &code);
	a->started = true;
	if (code == 206) {
		if (a->asked == 0 || a->range_start != (int64_t)a->asked)
			return osp_error(a->ctx, OSPACK_EIO,
					 "the server sent a part not asked for (Content-Range)");
		return OSPACK_OK;
	}
	if (a->delivered == 0)
		return OSPACK_OK;
	/* The server ignored Range: the whole body comes again. */
	a->delivered = 0;
	return sink(a, a->req->restart(a->req->arg));
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n;

	if (!a->started && (a->sink_rc = on_start(a)) != OSPACK_OK)
		return 0; /* curl reports CURLE_WRITE_ERROR */
	if (len == 0)
		return 0;
	a->sink_rc = sink(a, a->req->write(a->req->arg, p, len));
	if (a->sink_rc != OSPACK_OK)
		return 0;
	a->delivered += len;
	return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)arg, (void)dt, (void)dn, (void)ut, (void)un;
	return osp_interrupted() ? 1 : 0;
}

static bool common_options(CURL *h, char *agent, char *errbuf)
{
	snprintf(agent, 64, "ospack/%s", ospack_version());
	return
#if LIBCURL_VERSION_NUM >= 0x075500
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
#else
		curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) ==
			CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) ==
			CURLE_OK &&
#endif
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_USERAGENT, agent) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
				 env_long("OSPACK_HTTP_CONNECT_TIMEOUT", 30, 1, 3600)) ==
			CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
				 env_long("OSPACK_HTTP_STALL_TIMEOUT", 60, 1, 3600)) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_MAX_RECV_SPEED_LARGE,
				 (curl_off_t)env_long("OSPACK_HTTP_MAX_RATE", 0, 0, LONG_MAX)) ==
			CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_MAX_SEND_SPEED_LARGE,
				 (curl_off_t)env_long("OSPACK_HTTP_MAX_RATE", 0, 0, LONG_MAX)) ==
			CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
}

CURL *osp_http_handle(char *agent, char *errbuf)
{
	CURL *h;

	pthread_once(&init_once, global_init);
	if (init_rc != CURLE_OK)
		return NULL;
	h = curl_easy_init();
	if (h != NULL && !common_options(h, agent, errbuf)) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return h;
}

static bool set_options(CURL *h, struct attempt *a)
{
	return curl_easy_setopt(h, CURLOPT_URL, a->req->url) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)OSP_HTTP_REDIRS_MAX) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_HTTPHEADER, a->req->headers) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_HEADERDATA, a) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_WRITEDATA, a) == CURLE_OK;
}

bool osp_http_curl_transient(CURLcode res)
{
	switch (res) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

bool osp_http_status_transient(long code)
{
	return code == 408 || code == 429 || code >= 500;
}

/* Waits ms milliseconds, or less when interrupted; false then. */
static bool backoff(long ms)
{
	while (ms > 0 && !osp_interrupted()) {
		long step = ms < 50 ? ms : 50;
		struct timespec ts = {.tv_sec = 0, .tv_nsec = step * 1000000L};

		nanosleep(&ts, NULL);
		ms -= step;
	}
	return !osp_interrupted();
}

void osp_http_backoff_init(struct osp_http_backoff *b)
{
	b->left = env_long("OSPACK_HTTP_RETRIES", 5, 0, 100);
	b->delay_ms = env_long("OSPACK_HTTP_RETRY_DELAY_MS", 1000, 0, RETRY_DELAY_CAP_MS);
	b->tries = 1;
}

bool osp_http_backoff_wait(struct osp_http_backoff *b, long retry_after_ms, bool *interrupted)
{
	long ms = retry_after_ms > 0 ? retry_after_ms : b->delay_ms;

	*interrupted = false;
	if (b->left <= 0)
		return false;
	if (!backoff(ms > RETRY_DELAY_CAP_MS ? RETRY_DELAY_CAP_MS : ms)) {
		*interrupted = true;
		return false;
	}
	b->left--;
	b->tries++;
	b->delay_ms = b->delay_ms * 2 > RETRY_DELAY_CAP_MS ? RETRY_DELAY_CAP_MS : b->delay_ms * 2;
	return true;
}

char *osp_http_redact(const char *url)
{
	CURLU *u = curl_url();
	char *out = NULL, *s = NULL;

	if (u != NULL &&
	    curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_USER, NULL, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		out = osp_strdup(s);
	else if (strchr(url, '@') == NULL)
		out = osp_strdup(url); /* not a URL curl reads: nothing that looks like a user */
	else
		out = osp_strdup("(a URL that cannot be parsed)");
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

/* Why an attempt failed, as the message says it. */
static ospack_error attempt_error(struct ospack_ctx *ctx, CURLcode res, long code,
				  const char *errbuf, int tries)
{
	char after[48] = "";

	if (tries > 1)
		snprintf(after, sizeof(after), " (after %d attempts)", tries);
	if (res == CURLE_HTTP_RETURNED_ERROR)
		return osp_error(ctx, OSPACK_EIO, "HTTP status %ld%s", code, after);
	return osp_error(ctx, OSPACK_EIO, "%s%s", errbuf[0] ? errbuf : curl_easy_strerror(res),
			 after);
}

/* One attempt; *retry says whether another may do better. */
static ospack_error run_once(struct attempt *a, char *errbuf, int tries, bool last, bool *retry)
{
	char range[32];
	long code = 0;
	CURLcode res;

	*retry = false;
	a->asked = a->delivered;
	a->started = false;
	a->range_start = -1;
	a->sink_rc = OSPACK_OK;
	a->sink_failed = false;
	errbuf[0] = '\0';
	snprintf(range, sizeof(range), "%" PRIu64 "-", a->asked);
	if (curl_easy_setopt(a->h, CURLOPT_RANGE, a->asked > 0 ? range : NULL) != CURLE_OK)
		return osp_nomem(a->ctx);
	res = curl_easy_perform(a->h);
	curl_easy_getinfo(a->h, CURLINFO_RESPONSE_CODE, &code);
	if (res == CURLE_OK && !a->started && a->delivered > 0 && code == 200 && a->asked > 0) {
		/* an empty whole body after a partial one: start over as well */
		a->delivered = 0;
		if ((a->sink_rc = sink(a, a->req->restart(a->req->arg))) != OSPACK_OK)
			return a->sink_rc;
	}
	if (res == CURLE_OK && code >= 200 && code < 300)
		return OSPACK_OK;
	if (a->sink_rc != OSPACK_OK)
		return a->sink_rc;
	if (res == CURLE_ABORTED_BY_CALLBACK)
		return osp_error(a->ctx, OSPACK_EINTR, "interrupted");
	if (res == CURLE_OK)
		return osp_error(a->ctx, OSPACK_EIO, "HTTP status %ld, not a body", code);
	if (res == CURLE_HTTP_RETURNED_ERROR && code == 416 && a->asked > 0) {
		/* The range asked for is not there: the file changed, or ranges are broken. */
		a->delivered = 0;
		if ((a->sink_rc = sink(a, a->req->restart(a->req->arg))) != OSPACK_OK)
			return a->sink_rc;
		*retry = !last;
	} else {
		*retry = !last &&
			 (osp_http_curl_transient(res) ||
			  (res == CURLE_HTTP_RETURNED_ERROR && osp_http_status_transient(code)));
	}
	return attempt_error(a->ctx, res, code, errbuf, tries);
}

ospack_error osp_http_get(struct ospack_ctx *ctx, const struct osp_http_req *req, uint64_t *got)
{
	struct attempt a = {.ctx = ctx, .req = req, .delivered = req->offset};
	char errbuf[CURL_ERROR_SIZE];
	struct osp_http_backoff b;
	ospack_error rc;
	bool retry = true, intr;

	osp_http_backoff_init(&b);
	a.h = osp_http_handle(a.agent, errbuf);
	if (a.h == NULL || !set_options(a.h, &a)) {
		rc = osp_error(ctx, OSPACK_EIO, "cannot set up an HTTP request");
		goto out;
	}
	for (;;) {
		rc = run_once(&a, errbuf, b.tries, b.left <= 0, &retry);
		if (rc == OSPACK_OK || !retry)
			break;
		if (!osp_http_backoff_wait(&b, 0, &intr)) {
			if (intr)
				rc = osp_error(ctx, OSPACK_EINTR, "interrupted");
			break;
		}
	}
out:
	if (rc != OSPACK_OK && rc != OSPACK_ENOMEM && rc != OSPACK_EINTR && !a.sink_failed &&
	    !req->no_url_prefix) {
		char *shown = osp_http_redact(req->url);

		osp_error_prefix(ctx, "%s", shown ? shown : "(URL)");
		free(shown);
	}
	if (got != NULL)
		*got = a.delivered;
	curl_easy_cleanup(a.h);
	return rc;
}

/* ======== one request of any method (osp_http_call_run) ======== */

static size_t call_on_header(char *p, size_t size, size_t n, void *arg)
{
	struct osp_http_call *c = arg;
	size_t len = size * n, k = len;

	while (k > 0 && (p[k - 1] == '\r' || p[k - 1] == '\n'))
		k--;
	/* A new status line: an interim (100) or a new answer; only the last one's headers count.
	 */
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		osp_strv_free(&c->resp_headers);
		return len;
	}
	if (k == 0 || c->resp_headers.n >= 200 || k > 8192)
		return len;
	char *line = osp_strndup(p, k);

	if (line == NULL || osp_strv_push_owned(&c->resp_headers, line) != 0)
		return 0;
	return len;
}

static size_t call_on_body(char *p, size_t size, size_t n, void *arg)
{
	struct osp_http_call *c = arg;
	size_t len = size * n;

	if (len > c->max_body - c->resp_body.len) {
		c->too_long = true;
		return 0;
	}
	osp_buf_add(&c->resp_body, p, len);
	return c->resp_body.failed ? 0 : len;
}

const char *osp_http_call_header(const struct osp_http_call *c, const char *name)
{
	size_t k = strlen(name);

	for (size_t i = 0; i < c->resp_headers.n; i++) {
		const char *l = c->resp_headers.v[i];

		if (strncasecmp(l, name, k) == 0 && l[k] == ':') {
			l += k + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	}
	return NULL;
}

void osp_http_call_reset(struct osp_http_call *c)
{
	osp_strv_free(&c->resp_headers);
	osp_buf_free(&c->resp_body);
	c->status = 0;
	c->too_long = false;
}

/* Retry-After in whole seconds, as milliseconds; 0 when absent or a date. */
static long retry_after_ms(const struct osp_http_call *c)
{
	const char *s = osp_http_call_header(c, "Retry-After");
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || (*end != '\0' && *end != ' '))
		return 0;
	return v > RETRY_DELAY_CAP_MS / 1000 ? RETRY_DELAY_CAP_MS : v * 1000;
}

static bool call_options(CURL *h, struct osp_http_call *c)
{
	bool head = strcmp(c->method, "HEAD") == 0, get = strcmp(c->method, "GET") == 0;
	bool ok = curl_easy_setopt(h, CURLOPT_URL, c->url) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, call_on_header) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_HEADERDATA, c) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, call_on_body) == CURLE_OK &&
		  curl_easy_setopt(h, CURLOPT_WRITEDATA, c) == CURLE_OK;

	if (head)
		return ok && curl_easy_setopt(h, CURLOPT_NOBODY, 1L) == CURLE_OK;
	if (get)
		return ok && curl_easy_setopt(h, CURLOPT_HTTPGET, 1L) == CURLE_OK;
	if (strcmp(c->method, "DELETE") == 0)
		return ok && curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "DELETE") == CURLE_OK;
	/* PUT, POST, PATCH: the body from memory, Content-Length always sent (0 included). */
	return ok &&
	       curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len) ==
		       CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body ? c->body : "") == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method) == CURLE_OK;
}

ospack_error osp_http_call_run(struct ospack_ctx *ctx, struct osp_http_call *c)
{
	char errbuf[CURL_ERROR_SIZE], agent[64];
	struct osp_http_backoff b;
	CURL *h = osp_http_handle(agent, errbuf);
	ospack_error rc = OSPACK_OK;
	bool intr;

	osp_http_backoff_init(&b);
	if (c->no_retry)
		b.left = 0;
	if (h == NULL || !call_options(h, c)) {
		rc = osp_error(ctx, OSPACK_EIO, "cannot set up an HTTP request");
		goto out;
	}
	for (;;) {
		CURLcode res;

		osp_http_call_reset(c);
		errbuf[0] = '\0';
		c->attempts = b.tries;
		res = curl_easy_perform(h);
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
		if (res == CURLE_ABORTED_BY_CALLBACK) {
			rc = osp_error(ctx, OSPACK_EINTR, "interrupted");
			break;
		}
		if (c->resp_body.failed) {
			rc = osp_nomem(ctx);
			break;
		}
		if (c->too_long) {
			rc = osp_error(ctx, OSPACK_EIO, "an answer longer than %zu bytes",
				       c->max_body);
			break;
		}
		bool again = res == CURLE_OK ? osp_http_status_transient(c->status)
					     : osp_http_curl_transient(res);

		if (res != CURLE_OK)
			rc = osp_error(ctx, OSPACK_EIO, "%s%s",
				       errbuf[0] ? errbuf : curl_easy_strerror(res),
				       b.tries > 1 ? " (after several attempts)" : "");
		else
			rc = OSPACK_OK;
		if (!again)
			break;
		if (!osp_http_backoff_wait(&b, res == CURLE_OK ? retry_after_ms(c) : 0, &intr)) {
			if (intr)
				rc = osp_error(ctx, OSPACK_EINTR, "interrupted");
			break;
		}
	}
out:
	curl_easy_cleanup(h);
	return rc;
}
