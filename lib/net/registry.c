/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI distribution client of oci.h: blobs, uploads, mounts and manifests over libcurl. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "hash.h"
#include "oci.h"
#include "registry.h"

#define ERROR_BODY_MAX (64 * 1024)
#define CHUNK_DEFAULT (16u * 1024 * 1024)
#define MANIFEST_ACCEPT                                                                            \
	"Accept: application/vnd.oci.image.manifest.v1+json, "                                     \
	"application/vnd.oci.image.index.v1+json"

struct osp_registry {
	struct ospack_ctx *ctx;
	char *name; /* "host[:port]", first in every message */
	char *repo;
	char *base; /* "https://host[:port]" */
	bool push;
	struct osp_registry_creds creds;
	bool creds_loaded;
	char *auth; /* "Authorization: ..." sent with each request, or NULL */
	bool auth_bearer;
	char *token_scopes; /* the scopes the token was asked for */
	size_t chunk;
	struct osp_registry_stats stats;
};

struct osp_blob_upload {
	struct osp_registry *r;
	uint64_t size;
	uint64_t fed;  /* bytes given to write() */
	uint64_t sent; /* bytes the registry has */
	char *location;
	unsigned char *buf;
	size_t len, cap;
};

static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

const struct osp_registry_stats *osp_registry_stats(const struct osp_registry *r)
{
	return &r->stats;
}

static size_t chunk_size(void)
{
	const char *s = getenv("OSPACK_OCI_CHUNK_SIZE");
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0')
		return CHUNK_DEFAULT;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > 1024ull * 1024 * 1024)
		return CHUNK_DEFAULT;
	return (size_t)v;
}

ospack_error osp_registry_open(struct ospack_ctx *ctx, const struct osp_oci_ref *ref,
			       const struct osp_registry_opts *opts, struct osp_registry **out)
{
	struct osp_registry *r;

	*out = NULL;
	if (ref->layout || ref->registry == NULL || ref->repository == NULL)
		return osp_error(ctx, OSPACK_EUSAGE, "an OCI image layout is not a registry");
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return osp_nomem(ctx);
	r->ctx = ctx;
	r->push = opts != NULL && opts->push;
	r->chunk = chunk_size();
	r->name = osp_strdup(ref->registry);
	r->repo = osp_strdup(ref->repository);
	r->base = osp_asprintf("%s://%s", opts != NULL && opts->plain_http ? "http" : "https",
			       ref->registry);
	if (r->name == NULL || r->repo == NULL || r->base == NULL) {
		osp_registry_free(r);
		return osp_nomem(ctx);
	}
	*out = r;
	return OSPACK_OK;
}

void osp_registry_free(struct osp_registry *r)
{
	if (r == NULL)
		return;
	free(r->name);
	free(r->repo);
	free(r->base);
	osp_registry_creds_free(&r->creds);
	free_secret(r->auth);
	free(r->token_scopes);
	free(r);
}

/* ======== messages ======== */

/* "REGISTRY: WHAT: " before the message on ctx. */
static ospack_error fail_prefix(struct osp_registry *r, const char *what)
{
	if (r->ctx->code == OSPACK_ENOMEM || r->ctx->code == OSPACK_EINTR)
		return r->ctx->code;
	return osp_error_prefix(r->ctx, "%s: %s", r->name, what);
}

static ospack_error load_creds(struct osp_registry *r);

/* What the credentials were, for a 401. */
static void creds_hint(struct osp_registry *r, char *out, size_t n)
{
	if (!r->creds_loaded) {
		struct ospack_ctx quiet = {0}, *keep = r->ctx;

		r->ctx = &quiet;
		load_creds(r);
		r->ctx = keep;
	}
	if (r->creds.user != NULL)
		snprintf(out, n, " (the credentials from %s were refused)", r->creds.source);
	else
		snprintf(out, n,
			 " (no credentials found: set OSPACK_REGISTRY_USER and "
			 "OSPACK_REGISTRY_PASSWORD, or add an \"auths\" entry for %s to %s)",
			 r->name, r->creds.config ? r->creds.config : "~/.docker/config.json");
}

/* "REGISTRY: WHAT: STATUS CODE: MESSAGE" from an error answer (the registry's JSON errors). */
static ospack_error fail_status(struct osp_registry *r, const struct osp_http_call *c,
				const char *what)
{
	json_t *root = NULL, *e0;
	const char *code = NULL, *msg = NULL;
	char scode[64] = "", smsg[256] = "", hint[512] = "";

	if (c->resp_body.len > 0)
		root = json_loadb(c->resp_body.data, c->resp_body.len, 0, NULL);
	e0 = json_array_get(json_object_get(root, "errors"), 0);
	code = json_string_value(json_object_get(e0, "code"));
	msg = json_string_value(json_object_get(e0, "message"));
	if (code != NULL) {
		scode[0] = ' ';
		osp_printable(code, scode + 1, sizeof(scode) - 1);
	}
	osp_printable(msg != NULL ? msg : osp_http_status_text(c->status), smsg, sizeof(smsg));
	if (c->status == 401)
		creds_hint(r, hint, sizeof(hint));
	json_decref(root);
	return osp_error(r->ctx, OSPACK_EIO, "%s: %s: %ld%s: %s%s%s", r->name, what, c->status,
			 scode, smsg, hint, c->attempts > 1 ? " (after several attempts)" : "");
}

/* ======== requests, with authentication ======== */

static ospack_error load_creds(struct osp_registry *r)
{
	ospack_error rc;

	if (r->creds_loaded)
		return OSPACK_OK;
	if ((rc = osp_registry_creds_load(r->ctx, r->name, &r->creds)) != OSPACK_OK)
		return rc;
	r->creds_loaded = true;
	return OSPACK_OK;
}

static char *scopes_for(struct osp_registry *r, const char *extra_repo)
{
	const char *acts = r->push ? "pull,push" : "pull";

	if (extra_repo != NULL)
		return osp_asprintf("repository:%s:%s repository:%s:pull", r->repo, acts,
				    extra_repo);
	return osp_asprintf("repository:%s:%s", r->repo, acts);
}

/* Answers a 401: a token from the realm, or Basic. *again when the request should be sent anew. */
static ospack_error answer_challenge(struct osp_registry *r, const struct osp_http_call *c,
				     const char *what, const char *extra_repo, int *tries)
{
	const char *wa = osp_http_call_header(c, "WWW-Authenticate");
	struct osp_auth_challenge ch;
	ospack_error rc;
	char *scopes = NULL, *token = NULL;
	long status;
	char hint[512];

	if (wa == NULL || (*tries)++ > 0)
		return fail_status(r, c, what);
	if (!osp_auth_challenge_parse(wa, &ch)) {
		osp_auth_challenge_free(&ch);
		return fail_status(r, c, what);
	}
	if ((rc = load_creds(r)) != OSPACK_OK)
		goto out;
	if (ch.basic) {
		if (r->creds.user == NULL || (r->auth != NULL && !r->auth_bearer)) {
			rc = fail_status(r, c, what);
			goto out;
		}
		free_secret(r->auth);
		r->auth_bearer = false;
		if ((r->auth = osp_registry_basic_header(&r->creds)) == NULL)
			rc = osp_nomem(r->ctx);
		goto out;
	}
	if ((scopes = scopes_for(r, extra_repo)) == NULL) {
		rc = osp_nomem(r->ctx);
		goto out;
	}
	rc = osp_registry_token(r->ctx, r->name, &r->creds, &ch, scopes, &token, &status,
				&r->stats.requests);
	if (rc != OSPACK_OK) {
		if (status == 401) {
			creds_hint(r, hint, sizeof(hint));
			osp_error(r->ctx, rc, "%s%s", r->ctx->msg, hint);
		}
		rc = fail_prefix(r, what);
		goto out;
	}
	free_secret(r->auth);
	free(r->token_scopes);
	r->token_scopes = scopes;
	scopes = NULL;
	r->auth_bearer = true;
	if ((r->auth = osp_asprintf("Authorization: Bearer %s", token)) == NULL)
		rc = osp_nomem(r->ctx);
out:
	free_secret(token);
	free(scopes);
	osp_auth_challenge_free(&ch);
	return rc;
}

/* The request's url is on the registry itself (not a redirect or upload host elsewhere). */
static bool on_registry(const struct osp_registry *r, const char *url)
{
	size_t n = strlen(r->base);

	return strncmp(url, r->base, n) == 0 && (url[n] == '/' || url[n] == '\0');
}

/*
 * Runs c with the registry's authorization and extra headers (NULL-terminated), answering
 * one 401 challenge; OSPACK_OK with c->status set whatever it is but a second 401.
 */
static ospack_error send_req(struct osp_registry *r, struct osp_http_call *c, const char *what,
			     const char *const *extra, const char *extra_repo)
{
	ospack_error rc;
	int tries = 0;

	/* A token asked for other scopes is asked for again (a mount needs the source's pull). */
	if (extra_repo != NULL && r->auth_bearer && r->token_scopes != NULL &&
	    strstr(r->token_scopes, extra_repo) == NULL) {
		free_secret(r->auth);
		r->auth = NULL;
	}
	for (;;) {
		struct curl_slist *h = NULL, *t;
		bool nomem = false;

		if (r->auth != NULL && on_registry(r, c->url))
			nomem = (h = curl_slist_append(h, r->auth)) == NULL;
		/* No wait for a "100 Continue" that some servers never send. */
		if (!nomem && c->body_len > 0) {
			nomem = (t = curl_slist_append(h, "Expect:")) == NULL;
			h = nomem ? h : t;
		}
		for (size_t i = 0; extra != NULL && extra[i] != NULL && !nomem; i++) {
			nomem = (t = curl_slist_append(h, extra[i])) == NULL;
			h = nomem ? h : t;
		}
		if (nomem) {
			curl_slist_free_all(h);
			return osp_nomem(r->ctx);
		}
		c->headers = h;
		rc = osp_http_call_run(r->ctx, c);
		r->stats.requests += (uint64_t)c->attempts;
		if (h != NULL && r->auth != NULL)
			OPENSSL_cleanse(h->data, strlen(h->data));
		curl_slist_free_all(h);
		c->headers = NULL;
		if (rc != OSPACK_OK)
			return fail_prefix(r, what);
		if (c->status != 401)
			return OSPACK_OK;
		if ((rc = answer_challenge(r, c, what, extra_repo, &tries)) != OSPACK_OK)
			return rc;
	}
}

static char *url_of(struct osp_registry *r, const char *kind, const char *ref)
{
	return osp_asprintf("%s/v2/%s/%s/%s", r->base, r->repo, kind, ref);
}

/* A Location, relative or not, resolved against the registry. */
static char *resolve(struct osp_registry *r, const char *loc)
{
	CURLU *u = curl_url();
	char *s = NULL, *out = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, r->base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, loc, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
		out = osp_strdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return out;
}

/* Takes the answer's Location as the upload's next URL. */
static ospack_error take_location(struct osp_registry *r, const struct osp_http_call *c,
				  const char *what, char **location)
{
	const char *loc = osp_http_call_header(c, "Location");
	char *u;

	if (loc == NULL || *loc == '\0')
		return osp_error(r->ctx, OSPACK_EIO, "%s: %s: %ld answer without a Location",
				 r->name, what, c->status);
	if ((u = resolve(r, loc)) == NULL)
		return osp_error(r->ctx, OSPACK_EIO, "%s: %s: a Location that is not a URL",
				 r->name, what);
	free(*location);
	*location = u;
	return OSPACK_OK;
}

static bool digest_valid(const char *d)
{
	return d != NULL && strncmp(d, "sha256:", 7) == 0 && strlen(d) == 71 &&
	       osp_is_lower_hex(d + 7, 64);
}

static ospack_error check_digest(struct osp_registry *r, const char *digest)
{
	char shown[96];

	if (digest_valid(digest))
		return OSPACK_OK;
	osp_printable(digest ? digest : "(null)", shown, sizeof(shown));
	return osp_error(r->ctx, OSPACK_EUSAGE, "%s: not a sha256 digest", shown);
}

/* ======== blobs ======== */

ospack_error osp_registry_blob_exists(struct osp_registry *r, const char *digest, bool *exists,
				      uint64_t *size)
{
	struct osp_http_call c = {.method = "HEAD", .max_body = ERROR_BODY_MAX};
	char what[128], *url = NULL;
	ospack_error rc;

	*exists = false;
	if ((rc = check_digest(r, digest)) != OSPACK_OK)
		return rc;
	snprintf(what, sizeof(what), "blob %s", digest);
	if ((c.url = url = url_of(r, "blobs", digest)) == NULL)
		return osp_nomem(r->ctx);
	if ((rc = send_req(r, &c, what, NULL, NULL)) != OSPACK_OK)
		goto out;
	if (c.status >= 300 && c.status < 400 && osp_http_call_header(&c, "Location") != NULL) {
		/* Redirected (object storage): the size is there; no Authorization goes along. */
		char *loc = resolve(r, osp_http_call_header(&c, "Location"));

		osp_http_call_reset(&c);
		c.url = loc;
		rc = loc == NULL ? osp_nomem(r->ctx) : osp_http_call_run(r->ctx, &c);
		r->stats.requests += (uint64_t)c.attempts;
		free(loc);
		if (rc != OSPACK_OK) {
			rc = fail_prefix(r, what);
			goto out;
		}
	}
	if (c.status == 200) {
		const char *len = osp_http_call_header(&c, "Content-Length");

		*exists = true;
		if (size != NULL)
			*size = len != NULL ? strtoull(len, NULL, 10) : 0;
	} else if (c.status != 404) {
		rc = fail_status(r, &c, what);
	}
out:
	osp_http_call_reset(&c);
	free(url);
	return rc;
}

/* Cancels an upload session, best effort. */
static void cancel_session(struct osp_registry *r, const char *location)
{
	struct osp_http_call c = {
		.method = "DELETE", .url = location, .max_body = ERROR_BODY_MAX, .no_retry = true};
	struct ospack_ctx quiet = {0};
	struct ospack_ctx *keep = r->ctx;

	/* Its failure is not the caller's: the message on ctx stays. */
	r->ctx = &quiet;
	send_req(r, &c, "cancel of an upload", NULL, NULL);
	r->ctx = keep;
	osp_http_call_reset(&c);
}

ospack_error osp_registry_blob_mount(struct osp_registry *r, const char *digest,
				     const char *from_repository, bool *mounted)
{
	struct osp_http_call c = {.method = "POST", .max_body = ERROR_BODY_MAX};
	static const char *const hdrs[] = {"Content-Type: application/octet-stream", NULL};
	char what[256], *url = NULL, *loc = NULL;
	ospack_error rc;

	*mounted = false;
	if ((rc = check_digest(r, digest)) != OSPACK_OK)
		return rc;
	snprintf(what, sizeof(what), "mount of blob %s from %s", digest, from_repository);
	url = osp_asprintf("%s/v2/%s/blobs/uploads/?mount=%s&from=%s", r->base, r->repo, digest,
			   from_repository);
	if ((c.url = url) == NULL)
		return osp_nomem(r->ctx);
	if ((rc = send_req(r, &c, what, hdrs, from_repository)) != OSPACK_OK)
		goto out;
	if (c.status == 201) {
		*mounted = true;
		r->stats.blobs_mounted++;
	} else if (c.status == 202) {
		/* Not mounted: the registry opened an upload session instead, which is not wanted.
		 */
		if (take_location(r, &c, what, &loc) == OSPACK_OK)
			cancel_session(r, loc);
		rc = OSPACK_OK;
	} else {
		rc = fail_status(r, &c, what);
	}
out:
	osp_http_call_reset(&c);
	free(loc);
	free(url);
	return rc;
}

/* ======== uploads ======== */

ospack_error osp_registry_upload_begin(struct osp_registry *r, uint64_t size,
				       struct osp_blob_upload **out)
{
	struct osp_http_call c = {.method = "POST", .max_body = ERROR_BODY_MAX};
	static const char *const hdrs[] = {"Content-Type: application/octet-stream", NULL};
	struct osp_blob_upload *u;
	ospack_error rc;
	char *url = NULL;

	*out = NULL;
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return osp_nomem(r->ctx);
	u->r = r;
	u->size = size;
	u->cap = size < r->chunk ? (size_t)size : r->chunk;
	if ((u->buf = malloc(u->cap > 0 ? u->cap : 1)) == NULL ||
	    (c.url = url = osp_asprintf("%s/v2/%s/blobs/uploads/", r->base, r->repo)) == NULL) {
		rc = osp_nomem(r->ctx);
		goto out;
	}
	if ((rc = send_req(r, &c, "start of an upload", hdrs, NULL)) != OSPACK_OK)
		goto out;
	if (c.status != 202)
		rc = fail_status(r, &c, "start of an upload");
	else
		rc = take_location(r, &c, "start of an upload", &u->location);
out:
	osp_http_call_reset(&c);
	free(url);
	if (rc == OSPACK_OK)
		*out = u;
	else
		osp_registry_upload_abort(u);
	return rc;
}

/* The end of the Range an upload's status gives ("0-N": N + 1 bytes there), or -1. */
static int64_t range_end(const struct osp_http_call *c)
{
	const char *s = osp_http_call_header(c, "Range");
	char *end;
	unsigned long long v;

	if (s == NULL)
		return -1;
	if (strncmp(s, "bytes=", 6) == 0)
		s += 6;
	if (strncmp(s, "0-", 2) != 0)
		return -1;
	errno = 0;
	v = strtoull(s + 2, &end, 10);
	return errno != 0 || end == s + 2 || v >= INT64_MAX ? -1 : (int64_t)v;
}

/* After a failed send: asks the session how many bytes it has (GET of the upload URL). */
static ospack_error upload_status(struct osp_blob_upload *u, const char *what)
{
	struct osp_http_call c = {.method = "GET", .url = u->location, .max_body = ERROR_BODY_MAX};
	ospack_error rc;
	int64_t e;

	if ((rc = send_req(u->r, &c, what, NULL, NULL)) != OSPACK_OK)
		goto out;
	if (c.status != 204 && c.status != 200) {
		rc = fail_status(u->r, &c, what);
		goto out;
	}
	e = range_end(&c);
	/* "0-0" is both nothing and one byte: the registry cannot tell; nothing is the safe side.
	 */
	u->sent = e <= 0 ? 0 : (uint64_t)e + 1;
	if (osp_http_call_header(&c, "Location") != NULL)
		rc = take_location(u->r, &c, what, &u->location);
out:
	osp_http_call_reset(&c);
	return rc;
}

/*
 * Sends the buffer (bytes u->sent - (u->fed - u->len) on) with a PATCH, or with the final
 * PUT when digest is given; on a dropped connection or a server error, asks the session
 * where it stands and sends the rest from there.
 */
static ospack_error send_data(struct osp_blob_upload *u, const char *digest, const char *what)
{
	struct osp_registry *r = u->r;
	uint64_t start = u->fed - u->len;
	struct osp_http_backoff b;
	ospack_error rc;
	bool intr;

	osp_http_backoff_init(&b);
	for (;;) {
		struct osp_http_call c = {.method = digest ? "PUT" : "PATCH",
					  .max_body = ERROR_BODY_MAX,
					  .no_retry = true};
		char range[64], *url = NULL;
		const char *hdrs[] = {"Content-Type: application/octet-stream", range, NULL};
		size_t skip, n;

		if (u->sent < start || u->sent > u->fed)
			return osp_error(r->ctx, OSPACK_EIO,
					 "%s: %s: the registry has %" PRIu64
					 " bytes of the upload, not a part of what was sent",
					 r->name, what, u->sent);
		skip = (size_t)(u->sent - start);
		n = u->len - skip;
		snprintf(range, sizeof(range), "Content-Range: %" PRIu64 "-%" PRIu64, u->sent,
			 u->sent + n - 1);
		if (n == 0)
			hdrs[1] = NULL;
		if (digest != NULL)
			url = osp_asprintf("%s%cdigest=%s", u->location,
					   strchr(u->location, '?') ? '&' : '?', digest);
		c.url = digest != NULL ? url : u->location;
		c.body = u->buf + skip;
		c.body_len = n;
		rc = c.url == NULL ? osp_nomem(r->ctx) : send_req(r, &c, what, hdrs, NULL);
		free(url);
		if (rc == OSPACK_OK && c.status == (digest ? 201 : 202)) {
			r->stats.bytes_sent += n;
			u->sent = u->fed;
			if (!digest)
				rc = take_location(r, &c, what, &u->location);
			osp_http_call_reset(&c);
			return rc;
		}
		bool again = rc == OSPACK_EIO ||
			     (rc == OSPACK_OK &&
			      (osp_http_status_transient(c.status) || c.status == 416));

		if (rc == OSPACK_OK)
			rc = fail_status(r, &c, what);
		osp_http_call_reset(&c);
		if (!again)
			return rc;
		if (!osp_http_backoff_wait(&b, 0, &intr))
			return intr ? osp_error(r->ctx, OSPACK_EINTR, "interrupted") : rc;
		if ((rc = upload_status(u, what)) != OSPACK_OK)
			return rc;
	}
}

ospack_error osp_registry_upload_write(struct osp_blob_upload *u, const void *p, size_t n)
{
	const unsigned char *s = p;
	ospack_error rc;
	char what[64];

	if (n > u->size - u->fed)
		return osp_error(u->r->ctx, OSPACK_EUSAGE,
				 "more than the %" PRIu64 " bytes of the upload", u->size);
	while (n > 0) {
		size_t k;

		if (u->len == u->cap) {
			snprintf(what, sizeof(what), "upload of bytes %" PRIu64 "-%" PRIu64,
				 u->fed - u->len, u->fed - 1);
			if ((rc = send_data(u, NULL, what)) != OSPACK_OK)
				return rc;
			u->len = 0;
		}
		k = n < u->cap - u->len ? n : u->cap - u->len;
		memcpy(u->buf + u->len, s, k);
		u->len += k;
		u->fed += k;
		s += k;
		n -= k;
	}
	return OSPACK_OK;
}

ospack_error osp_registry_upload_finish(struct osp_blob_upload *u, const char *digest)
{
	struct osp_registry *r = u->r;
	ospack_error rc;
	char what[128];

	if ((rc = check_digest(r, digest)) != OSPACK_OK)
		goto fail;
	if (u->fed != u->size) {
		rc = osp_error(r->ctx, OSPACK_EUSAGE,
			       "an upload of %" PRIu64 " bytes finished after %" PRIu64, u->size,
			       u->fed);
		goto fail;
	}
	snprintf(what, sizeof(what), "push of blob %s", digest);
	if ((rc = send_data(u, digest, what)) != OSPACK_OK)
		goto fail;
	r->stats.blobs_uploaded++;
	free(u->location);
	u->location = NULL;
	osp_registry_upload_abort(u);
	return OSPACK_OK;
fail:
	osp_registry_upload_abort(u);
	return rc;
}

void osp_registry_upload_abort(struct osp_blob_upload *u)
{
	if (u == NULL)
		return;
	if (u->location != NULL)
		cancel_session(u->r, u->location);
	free(u->location);
	free(u->buf);
	free(u);
}

/* ======== downloads ======== */

struct blob_sink {
	struct osp_registry *r;
	const char *what;
	uint64_t size, got;
	ospack_error (*write)(void *arg, const void *p, size_t n);
	ospack_error (*restart)(void *arg);
	void *arg;
	bool failed; /* the error came from here or the caller's callbacks: it stands alone */
};

static ospack_error sink_write(void *arg, const void *p, size_t n)
{
	struct blob_sink *s = arg;
	ospack_error rc;

	s->failed = true;
	if (n > s->size - s->got)
		return osp_error(s->r->ctx, OSPACK_EREJECT,
				 "%s: %s: more than the descriptor's %" PRIu64 " bytes; stopped",
				 s->r->name, s->what, s->size);
	s->got += n;
	s->r->stats.bytes_received += n;
	if ((rc = s->write(s->arg, p, n)) == OSPACK_OK)
		s->failed = false;
	return rc;
}

static ospack_error sink_restart(void *arg)
{
	struct blob_sink *s = arg;
	ospack_error rc = s->restart(s->arg);

	s->got = 0;
	s->failed = rc != OSPACK_OK;
	return rc;
}

ospack_error osp_registry_blob_get(struct osp_registry *r, const char *digest, uint64_t size,
				   ospack_error (*write)(void *arg, const void *p, size_t n),
				   ospack_error (*restart)(void *arg), void *arg)
{
	char what[128], *url = NULL;
	struct blob_sink s = {
		.r = r, .what = what, .size = size, .write = write, .restart = restart, .arg = arg};
	struct osp_http_req req = {
		.write = sink_write, .restart = sink_restart, .arg = &s, .no_url_prefix = true};
	struct curl_slist *h = NULL;
	bool exists;
	ospack_error rc;

	if ((rc = check_digest(r, digest)) != OSPACK_OK)
		return rc;
	snprintf(what, sizeof(what), "download of blob %s", digest);
	/* A HEAD first: it answers the challenge, so the GET goes with the right authorization. */
	if ((rc = osp_registry_blob_exists(r, digest, &exists, NULL)) != OSPACK_OK)
		return rc;
	if (!exists)
		return osp_error(r->ctx, OSPACK_EIO, "%s: %s: 404 BLOB_UNKNOWN: not in %s", r->name,
				 what, r->repo);
	if ((req.url = url = url_of(r, "blobs", digest)) == NULL ||
	    (r->auth != NULL && (h = curl_slist_append(NULL, r->auth)) == NULL)) {
		rc = osp_nomem(r->ctx);
		goto out;
	}
	req.headers = h;
	rc = osp_http_get(r->ctx, &req, NULL);
	r->stats.requests++;
	if (rc != OSPACK_OK && !s.failed)
		fail_prefix(r, what);
	else if (rc == OSPACK_OK && s.got != size)
		rc = osp_error(r->ctx, OSPACK_EREJECT,
			       "%s: %s: %" PRIu64 " bytes, the descriptor says %" PRIu64, r->name,
			       what, s.got, size);
out:
	if (h != NULL)
		OPENSSL_cleanse(h->data, strlen(h->data));
	curl_slist_free_all(h);
	free(url);
	return rc;
}

/* ======== manifests ======== */

static ospack_error sha256_digest(struct ospack_ctx *ctx, const void *p, size_t n,
				  char out[OSP_OCI_DIGEST_LEN])
{
	unsigned char d[32];
	ospack_error rc = osp_digest(ctx, OSP_SHA256, p, n, d);

	if (rc != OSPACK_OK)
		return rc;
	memcpy(out, "sha256:", 7);
	osp_hex(d, sizeof(d), out + 7);
	return OSPACK_OK;
}

/* A tag or a digest, as a manifest reference. */
static ospack_error check_reference(struct osp_registry *r, const char *ref)
{
	char shown[160];
	size_t n = strspn(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	if (digest_valid(ref) ||
	    (n == strlen(ref) && n > 0 && n <= 128 && ref[0] != '.' && ref[0] != '-'))
		return OSPACK_OK;
	osp_printable(ref, shown, sizeof(shown));
	return osp_error(r->ctx, OSPACK_EUSAGE, "%s: not a tag or a sha256 digest", shown);
}

ospack_error osp_registry_manifest_put(struct osp_registry *r, const char *reference,
				       const char *media_type, const void *body, size_t len,
				       char digest[OSP_OCI_DIGEST_LEN])
{
	struct osp_http_call c = {
		.method = "PUT", .body = body, .body_len = len, .max_body = ERROR_BODY_MAX};
	char what[192], *url = NULL, *ctype = NULL;
	const char *hdrs[2] = {NULL, NULL}, *theirs;
	ospack_error rc;

	if ((rc = check_reference(r, reference)) != OSPACK_OK ||
	    (rc = sha256_digest(r->ctx, body, len, digest)) != OSPACK_OK)
		return rc;
	snprintf(what, sizeof(what), "push of manifest %s", reference);
	if ((c.url = url = url_of(r, "manifests", reference)) == NULL ||
	    (hdrs[0] = ctype = osp_asprintf("Content-Type: %s", media_type)) == NULL) {
		rc = osp_nomem(r->ctx);
		goto out;
	}
	if ((rc = send_req(r, &c, what, hdrs, NULL)) != OSPACK_OK)
		goto out;
	if (c.status != 201 && c.status != 200) {
		rc = fail_status(r, &c, what);
		goto out;
	}
	r->stats.bytes_sent += len;
	theirs = osp_http_call_header(&c, "Docker-Content-Digest");
	if (theirs != NULL && strcmp(theirs, digest) != 0) {
		char shown[96];

		osp_printable(theirs, shown, sizeof(shown));
		rc = osp_error(r->ctx, OSPACK_EIO,
			       "%s: %s: the registry says its digest is %s, not %s", r->name, what,
			       shown, digest);
	}
out:
	osp_http_call_reset(&c);
	free(ctype);
	free(url);
	return rc;
}

ospack_error osp_registry_manifest_get(struct osp_registry *r, const char *reference, char **body,
				       size_t *len, char digest[OSP_OCI_DIGEST_LEN])
{
	struct osp_http_call c = {.method = "GET", .max_body = OSP_OCI_MANIFEST_MAX};
	static const char *const hdrs[] = {MANIFEST_ACCEPT, NULL};
	char what[192], *url = NULL;
	ospack_error rc;

	*body = NULL;
	*len = 0;
	if ((rc = check_reference(r, reference)) != OSPACK_OK)
		return rc;
	snprintf(what, sizeof(what), "manifest %s", reference);
	if ((c.url = url = url_of(r, "manifests", reference)) == NULL)
		return osp_nomem(r->ctx);
	rc = send_req(r, &c, what, hdrs, NULL);
	if (rc != OSPACK_OK && c.too_long) {
		rc = osp_error(r->ctx, OSPACK_EREJECT, "%s: %s: larger than %u bytes", r->name,
			       what, OSP_OCI_MANIFEST_MAX);
		goto out;
	}
	if (rc != OSPACK_OK)
		goto out;
	if (c.status != 200) {
		rc = fail_status(r, &c, what);
		goto out;
	}
	r->stats.bytes_received += c.resp_body.len;
	if ((rc = sha256_digest(r->ctx, c.resp_body.data ? c.resp_body.data : "", c.resp_body.len,
				digest)) != OSPACK_OK)
		goto out;
	if (digest_valid(reference) && strcmp(reference, digest) != 0) {
		rc = osp_error(r->ctx, OSPACK_EREJECT,
			       "%s: %s: the registry sent a body of digest %s", r->name, what,
			       digest);
		goto out;
	}
	if (c.resp_body.data == NULL && (c.resp_body.data = osp_strdup("")) == NULL) {
		rc = osp_nomem(r->ctx);
		goto out;
	}
	*body = osp_buf_steal(&c.resp_body, len);
	if (*body == NULL)
		rc = osp_nomem(r->ctx);
out:
	osp_http_call_reset(&c);
	free(url);
	return rc;
}
