/* SPDX-License-Identifier: Apache-2.0 */
/* A small libcurl wrapper: one GET streamed to a callback, resumed and retried (see http.h). */
#include "config.h"

#include <errno.h>
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

static bool set_options(CURL *h, struct attempt *a, char *errbuf)
{
	snprintf(a->agent, sizeof(a->agent), "ospack/%s", ospack_version());
	return curl_easy_setopt(h, CURLOPT_URL, a->req->url) == CURLE_OK &&
#if LIBCURL_VERSION_NUM >= 0x075500
	       curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
#else
	       curl_easy_setopt(h, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) ==
		       CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) ==
		       CURLE_OK &&
#endif
	       curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)OSP_HTTP_REDIRS_MAX) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_USERAGENT, a->agent) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
				env_long("OSPACK_HTTP_CONNECT_TIMEOUT", 30, 1, 3600)) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
				env_long("OSPACK_HTTP_STALL_TIMEOUT", 60, 1, 3600)) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_HEADERDATA, a) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_WRITEDATA, a) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK &&
	       curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
}

/* Errors worth another attempt: the connection dropped or stalled mid-transfer. */
static bool transient(CURLcode res)
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
		*retry = !last && (transient(res) || (res == CURLE_HTTP_RETURNED_ERROR &&
						      (code == 408 || code == 429 || code >= 500)));
	}
	return attempt_error(a->ctx, res, code, errbuf, tries);
}

ospack_error osp_http_get(struct ospack_ctx *ctx, const struct osp_http_req *req, uint64_t *got)
{
	struct attempt a = {.ctx = ctx, .req = req, .delivered = req->offset};
	char errbuf[CURL_ERROR_SIZE];
	long retries = env_long("OSPACK_HTTP_RETRIES", 5, 0, 100);
	long delay = env_long("OSPACK_HTTP_RETRY_DELAY_MS", 1000, 0, RETRY_DELAY_CAP_MS);
	ospack_error rc;
	bool retry = true;

	pthread_once(&init_once, global_init);
	if (init_rc != CURLE_OK)
		return osp_error(ctx, OSPACK_EIO, "cannot start libcurl: %s",
				 curl_easy_strerror(init_rc));
	a.h = curl_easy_init();
	if (a.h == NULL || !set_options(a.h, &a, errbuf)) {
		rc = osp_error(ctx, OSPACK_EIO, "cannot set up an HTTP request");
		goto out;
	}
	for (int tries = 1;; tries++) {
		rc = run_once(&a, errbuf, tries, tries > retries, &retry);
		if (rc == OSPACK_OK || !retry)
			break;
		if (!backoff(delay)) {
			rc = osp_error(ctx, OSPACK_EINTR, "interrupted");
			break;
		}
		delay = delay * 2 > RETRY_DELAY_CAP_MS ? RETRY_DELAY_CAP_MS : delay * 2;
	}
out:
	if (rc != OSPACK_OK && rc != OSPACK_ENOMEM && rc != OSPACK_EINTR && !a.sink_failed) {
		char *shown = osp_http_redact(req->url);

		osp_error_prefix(ctx, "%s", shown ? shown : "(URL)");
		free(shown);
	}
	if (got != NULL)
		*got = a.delivered;
	curl_easy_cleanup(a.h);
	return rc;
}
