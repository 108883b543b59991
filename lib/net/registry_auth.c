/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials (environment, docker config.json), WWW-Authenticate and bearer tokens. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "registry.h"

#define CONFIG_MAX (1024 * 1024)
#define TOKEN_ANSWER_MAX (1024 * 1024)
#define ENV_SOURCE "OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD"

static void free_secret(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

void osp_registry_creds_free(struct osp_registry_creds *c)
{
	if (c == NULL)
		return;
	free(c->user);
	free_secret(c->password);
	free(c->source);
	free(c->config);
	memset(c, 0, sizeof(*c));
}

static char *config_path(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");

	if (dir != NULL && *dir != '\0')
		return osp_asprintf("%s/config.json", dir);
	return osp_asprintf("%s/.docker/config.json", home != NULL ? home : "");
}

/* The host[:port] an "auths" key names: "host:port", "https://host:port", "https://host/v1/". */
static bool key_matches(const char *key, const char *registry)
{
	const char *p = strstr(key, "://");
	size_t n, rn = strlen(registry);

	p = p != NULL ? p + 3 : key;
	n = strcspn(p, "/");
	if (n == rn && strncasecmp(p, registry, n) == 0)
		return true;
	/* Docker Hub is filed under index.docker.io. */
	return n == 15 && strncasecmp(p, "index.docker.io", 15) == 0 &&
	       (strcasecmp(registry, "docker.io") == 0 ||
		strcasecmp(registry, "registry-1.docker.io") == 0);
}

/* "auth": base64 of user:password. */
static bool decode_auth(const char *b64, struct osp_registry_creds *out)
{
	size_t n = strlen(b64), len;
	unsigned char *raw;
	char *colon;
	int k;
	bool ok = false;

	if (n == 0 || n % 4 != 0 || n > 8192 || (raw = malloc(n / 4 * 3 + 1)) == NULL)
		return false;
	k = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	if (k >= 0) {
		len = (size_t)k - (b64[n - 1] == '=') - (n > 1 && b64[n - 2] == '=');
		raw[len] = '\0';
		colon = memchr(raw, ':', len);
		if (colon != NULL && strlen((char *)raw) == len) {
			out->user = osp_strndup((char *)raw, (size_t)(colon - (char *)raw));
			out->password = osp_strdup(colon + 1);
			ok = true;
		}
	}
	OPENSSL_cleanse(raw, n / 4 * 3 + 1);
	free(raw);
	return ok;
}

static ospack_error from_config(struct ospack_ctx *ctx, const char *registry,
				struct osp_registry_creds *out)
{
	char *text = NULL;
	size_t len;
	json_t *root = NULL, *auths, *v;
	json_error_t jerr;
	const char *key;
	ospack_error rc = OSPACK_OK;

	if (access(out->config, F_OK) != 0)
		return OSPACK_OK;
	if ((rc = osp_read_file(ctx, out->config, CONFIG_MAX, OSPACK_EINPUT, &text, &len)) !=
	    OSPACK_OK)
		return rc;
	root = json_loadb(text, len, 0, &jerr);
	if (root == NULL) {
		rc = osp_error(ctx, OSPACK_EINPUT, "%s: not JSON: %s (line %d)", out->config,
			       jerr.text, jerr.line);
		goto out;
	}
	auths = json_object_get(root, "auths");
	json_object_foreach(auths, key, v)
	{
		const char *auth = json_string_value(json_object_get(v, "auth"));
		const char *user = json_string_value(json_object_get(v, "username"));
		const char *pass = json_string_value(json_object_get(v, "password"));

		if (!key_matches(key, registry))
			continue;
		if (auth != NULL && *auth != '\0' && decode_auth(auth, out))
			break;
		if (user != NULL && pass != NULL) {
			out->user = osp_strdup(user);
			out->password = osp_strdup(pass);
			break;
		}
	}
	if (out->user != NULL && (out->source = osp_strdup(out->config)) == NULL)
		rc = osp_nomem(ctx);
out:
	json_decref(root);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

ospack_error osp_registry_creds_load(struct ospack_ctx *ctx, const char *registry,
				     struct osp_registry_creds *out)
{
	const char *user = getenv("OSPACK_REGISTRY_USER");
	const char *pass = getenv("OSPACK_REGISTRY_PASSWORD");
	ospack_error rc;

	memset(out, 0, sizeof(*out));
	if ((out->config = config_path()) == NULL)
		return osp_nomem(ctx);
	if (user != NULL && *user != '\0' && pass != NULL) {
		out->user = osp_strdup(user);
		out->password = osp_strdup(pass);
		out->source = osp_strdup(ENV_SOURCE);
	} else if ((rc = from_config(ctx, registry, out)) != OSPACK_OK) {
		osp_registry_creds_free(out);
		return rc;
	}
	if (out->user != NULL && (out->password == NULL || out->source == NULL)) {
		osp_registry_creds_free(out);
		return osp_nomem(ctx);
	}
	return OSPACK_OK;
}

char *osp_registry_basic_header(const struct osp_registry_creds *c)
{
	char *pair = osp_asprintf("%s:%s", c->user, c->password), *out = NULL;
	unsigned char *b64 = NULL;
	size_t n;

	if (pair == NULL)
		return NULL;
	n = strlen(pair);
	if (n < 6000 && (b64 = malloc((n + 2) / 3 * 4 + 1)) != NULL) {
		EVP_EncodeBlock(b64, (const unsigned char *)pair, (int)n);
		out = osp_asprintf("Authorization: Basic %s", (char *)b64);
		OPENSSL_cleanse(b64, (n + 2) / 3 * 4 + 1);
	}
	free(b64);
	free_secret(pair);
	return out;
}

void osp_auth_challenge_free(struct osp_auth_challenge *ch)
{
	if (ch == NULL)
		return;
	free(ch->realm);
	free(ch->service);
	free(ch->scope);
	memset(ch, 0, sizeof(*ch));
}

/* One name=value or name="value" of an auth-param list; *p moves past it and its comma. */
static bool next_param(const char **p, char *name, size_t nlen, struct osp_buf *value)
{
	const char *s = *p;
	size_t k;

	while (*s == ' ' || *s == ',' || *s == '\t')
		s++;
	k = strcspn(s, "= \t,");
	if (k == 0 || k >= nlen || s[k] != '=')
		return false;
	memcpy(name, s, k);
	name[k] = '\0';
	s += k + 1;
	if (*s == '"') {
		for (s++; *s != '\0' && *s != '"'; s++) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			osp_buf_putc(value, *s);
		}
		if (*s != '"')
			return false;
		s++;
	} else {
		k = strcspn(s, ", \t");
		osp_buf_add(value, s, k);
		s += k;
	}
	osp_buf_putc(value, '\0');
	value->len--;
	*p = s;
	return !value->failed;
}

bool osp_auth_challenge_parse(const char *value, struct osp_auth_challenge *out)
{
	const char *p = value;
	char name[32];

	memset(out, 0, sizeof(*out));
	while (*p == ' ')
		p++;
	if (strncasecmp(p, "Basic", 5) == 0 && (p[5] == '\0' || p[5] == ' ')) {
		out->basic = true;
		return true;
	}
	if (strncasecmp(p, "Bearer ", 7) != 0)
		return false;
	out->bearer = true;
	p += 7;
	for (;;) {
		struct osp_buf v = {0};
		char **slot;

		if (!next_param(&p, name, sizeof(name), &v)) {
			osp_buf_free(&v);
			break;
		}
		slot = strcasecmp(name, "realm") == 0	  ? &out->realm
		       : strcasecmp(name, "service") == 0 ? &out->service
		       : strcasecmp(name, "scope") == 0	  ? &out->scope
							  : NULL;
		if (slot != NULL && *slot == NULL)
			*slot = osp_buf_steal(&v, NULL);
		osp_buf_free(&v);
	}
	return out->realm != NULL;
}

/* Percent-encoding of a query value. */
static void put_escaped(struct osp_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			osp_buf_putc(b, (char)c);
		} else {
			osp_buf_putc(b, '%');
			osp_buf_putc(b, hex[c >> 4]);
			osp_buf_putc(b, hex[c & 15]);
		}
	}
}

/* The realm URL with service and one scope= per scope. */
static char *token_url(const struct osp_auth_challenge *ch, const char *scopes)
{
	struct osp_buf b = {0};
	char sep = strchr(ch->realm, '?') != NULL ? '&' : '?';

	osp_buf_puts(&b, ch->realm);
	if (ch->service != NULL) {
		osp_buf_putc(&b, sep);
		osp_buf_puts(&b, "service=");
		put_escaped(&b, ch->service);
		sep = '&';
	}
	for (const char *s = scopes; *s != '\0';) {
		size_t k = strcspn(s, " ");
		char *one = osp_strndup(s, k);

		if (one != NULL && k > 0) {
			osp_buf_putc(&b, sep);
			osp_buf_puts(&b, "scope=");
			put_escaped(&b, one);
			sep = '&';
		}
		free(one);
		s += k;
		while (*s == ' ')
			s++;
	}
	return osp_buf_steal(&b, NULL);
}

/* The host of an http(s) URL, or NULL. */
static char *url_host(const char *url)
{
	CURLU *u = curl_url();
	char *h = NULL, *out = NULL;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK)
		out = osp_strdup(h);
	curl_free(h);
	curl_url_cleanup(u);
	return out;
}

/* Credentials go over plain http only to the registry's own host. */
static ospack_error check_realm(struct ospack_ctx *ctx, const char *registry, const char *realm,
				bool with_creds)
{
	char *host = NULL, *reg = NULL;
	ospack_error rc = OSPACK_OK;

	if (strncasecmp(realm, "https://", 8) == 0)
		return OSPACK_OK;
	if (strncasecmp(realm, "http://", 7) != 0)
		return osp_error(ctx, OSPACK_EIO, "the token realm is not an http(s) URL");
	if (!with_creds)
		return OSPACK_OK;
	reg = osp_asprintf("http://%s/", registry);
	host = url_host(realm);
	char *rhost = reg ? url_host(reg) : NULL;

	if (host == NULL || rhost == NULL || strcasecmp(host, rhost) != 0)
		rc = osp_error(ctx, OSPACK_EIO,
			       "the token realm is on another host over plain http: credentials "
			       "are not sent there");
	free(rhost);
	free(host);
	free(reg);
	return rc;
}

static ospack_error read_token(struct ospack_ctx *ctx, const struct osp_http_call *c, char **token)
{
	json_t *root =
		json_loadb(c->resp_body.data ? c->resp_body.data : "", c->resp_body.len, 0, NULL);
	const char *t = json_string_value(json_object_get(root, "token"));
	ospack_error rc = OSPACK_OK;

	if (t == NULL || *t == '\0')
		t = json_string_value(json_object_get(root, "access_token"));
	if (t == NULL || *t == '\0' || strcspn(t, "\r\n") != strlen(t))
		rc = osp_error(ctx, OSPACK_EIO, "the token server's answer holds no token");
	else if ((*token = osp_strdup(t)) == NULL)
		rc = osp_nomem(ctx);
	json_decref(root);
	return rc;
}

ospack_error osp_registry_token(struct ospack_ctx *ctx, const char *registry,
				const struct osp_registry_creds *creds,
				const struct osp_auth_challenge *ch, const char *scopes,
				char **token, long *status, uint64_t *requests)
{
	struct osp_http_call c = {.method = "GET", .max_body = TOKEN_ANSWER_MAX};
	struct curl_slist *hdrs = NULL;
	char *url = NULL, *basic = NULL;
	ospack_error rc;

	*token = NULL;
	*status = 0;
	if ((rc = check_realm(ctx, registry, ch->realm, creds->user != NULL)) != OSPACK_OK)
		return rc;
	if ((url = token_url(ch, scopes)) == NULL)
		return osp_nomem(ctx);
	if (creds->user != NULL) {
		if ((basic = osp_registry_basic_header(creds)) == NULL ||
		    (hdrs = curl_slist_append(NULL, basic)) == NULL) {
			rc = osp_nomem(ctx);
			goto out;
		}
	}
	c.url = url;
	c.headers = hdrs;
	rc = osp_http_call_run(ctx, &c);
	*requests += (uint64_t)c.attempts;
	*status = c.status;
	if (rc != OSPACK_OK)
		goto out;
	if (c.status != 200)
		rc = osp_error(ctx, OSPACK_EIO, "%ld %s", c.status, osp_http_status_text(c.status));
	else
		rc = read_token(ctx, &c, token);
out:
	if (rc != OSPACK_OK && rc != OSPACK_ENOMEM && rc != OSPACK_EINTR) {
		char *shown = osp_http_redact(ch->realm);

		osp_error_prefix(ctx, "token request to %s", shown ? shown : "the realm");
		free(shown);
	}
	osp_http_call_reset(&c);
	for (struct curl_slist *h = hdrs; h != NULL; h = h->next)
		OPENSSL_cleanse(h->data, strlen(h->data));
	curl_slist_free_all(hdrs);
	free_secret(basic);
	free(url);
	return rc;
}

const char *osp_http_status_text(long status)
{
	switch (status) {
	case 400:
		return "bad request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not found";
	case 405:
		return "method not allowed";
	case 408:
		return "request timeout";
	case 409:
		return "conflict";
	case 413:
		return "payload too large";
	case 416:
		return "range not satisfiable";
	case 429:
		return "too many requests";
	case 500:
		return "internal server error";
	case 502:
		return "bad gateway";
	case 503:
		return "service unavailable";
	case 504:
		return "gateway timeout";
	default:
		return status >= 500 ? "server error" : "unexpected answer";
	}
}
