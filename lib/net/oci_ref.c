/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing of registry references (REGISTRY/REPOSITORY[:TAG][@DIGEST]) and oci-layout:DIR[:TAG]. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oci.h"

#define LAYOUT_PREFIX "oci-layout:"
#define REPOSITORY_MAX 255

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [A-Za-z0-9_][A-Za-z0-9._-]{0,127} */
static bool tag_valid(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(alnum(t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(alnum(t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return false;
	return true;
}

/* [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, components joined by '/'. */
static bool repository_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > REPOSITORY_MAX)
		return false;
	for (;;) {
		if (i >= n || !lower_alnum(s[i]))
			return false;
		while (i < n && lower_alnum(s[i]))
			i++;
		if (i == n)
			return true;
		if (s[i] == '/')
			i++;
		else if (s[i] == '.')
			i++;
		else if (s[i] == '_')
			i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
		else if (s[i] == '-')
			while (i < n && s[i] == '-')
				i++;
		else
			return false;
	}
}

/* host[:port]: DNS labels ([A-Za-z0-9-], not starting or ending with '-') or [IPv6]. */
static bool registry_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n > 0 && s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i == n || i < 3 || strspn(s + 1, "0123456789abcdefABCDEF:.") != i - 1)
			return false;
		i++;
	} else {
		size_t label = 0;

		for (; i < n && s[i] != ':'; i++) {
			if (s[i] == '.') {
				if (label == 0 || s[i - 1] == '-')
					return false;
				label = 0;
			} else if (alnum(s[i]) || (s[i] == '-' && label > 0)) {
				label++;
			} else {
				return false;
			}
		}
		if (label == 0 || s[i - 1] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n || n - i - 1 > 5)
		return false;
	unsigned long port = 0;

	for (i++; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (unsigned long)(s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

static bool digest_valid(const char *d)
{
	return strncmp(d, "sha256:", 7) == 0 && strlen(d) == 71 && osp_is_lower_hex(d + 7, 64);
}

/* Docker's rule: the first component names a registry when it has a dot or a port, or is
 * localhost. */
static bool looks_like_registry(const char *s, size_t n)
{
	return memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL ||
	       memchr(s, '[', n) != NULL || (n == 9 && strncmp(s, "localhost", 9) == 0);
}

static ospack_error bad(struct ospack_ctx *ctx, const char *s, const char *why)
{
	char shown[256];

	osp_printable(s, shown, sizeof(shown));
	return osp_error(ctx, OSPACK_EUSAGE, "%s: %s", shown, why);
}

static ospack_error parse_layout(struct ospack_ctx *ctx, const char *s, struct osp_oci_ref *out)
{
	const char *dir = s + strlen(LAYOUT_PREFIX);
	const char *colon = strrchr(dir, ':');
	const char *tag = NULL;
	size_t dlen = strlen(dir);

	/* The text after the last ':' is a tag unless it holds a '/' (then it is part of DIR). */
	if (colon != NULL && strchr(colon, '/') == NULL) {
		tag = colon + 1;
		dlen = (size_t)(colon - dir);
		if (!tag_valid(tag))
			return bad(ctx, s,
				   "not a valid tag after the last ':' (a tag is up to 128 of "
				   "A-Z a-z 0-9 _ . -, not starting with . or -)");
	}
	if (dlen == 0)
		return bad(ctx, s, "no folder after oci-layout:");
	out->layout = true;
	out->path = osp_strndup(dir, dlen);
	out->tag = tag ? osp_strdup(tag) : NULL;
	if (out->path == NULL || (tag != NULL && out->tag == NULL))
		return osp_nomem(ctx);
	return OSPACK_OK;
}

/* Splits off @DIGEST and :TAG of name (the text after the registry), both checked. */
static ospack_error parse_name(struct ospack_ctx *ctx, const char *s, const char *name,
			       struct osp_oci_ref *out)
{
	const char *at = strchr(name, '@'), *end = at ? at : name + strlen(name);
	const char *slash = name, *colon;

	if (at != NULL) {
		if (!digest_valid(at + 1))
			return bad(ctx, s,
				   "not a valid digest after '@' (sha256: and 64 lowercase hex "
				   "digits)");
		if ((out->digest = osp_strdup(at + 1)) == NULL)
			return osp_nomem(ctx);
	}
	for (const char *p = name; p < end; p++)
		if (*p == '/')
			slash = p;
	colon = memchr(slash, ':', (size_t)(end - slash));
	if (colon != NULL) {
		if ((out->tag = osp_strndup(colon + 1, (size_t)(end - colon - 1))) == NULL)
			return osp_nomem(ctx);
		if (!tag_valid(out->tag))
			return bad(ctx, s,
				   "not a valid tag (up to 128 of A-Z a-z 0-9 _ . -, not starting "
				   "with . or -)");
		end = colon;
	} else if (at == NULL && (out->tag = osp_strdup("latest")) == NULL) {
		return osp_nomem(ctx);
	}
	if (!repository_valid(name, (size_t)(end - name)))
		return bad(ctx, s,
			   "not a valid repository name (lowercase a-z 0-9 components joined by "
			   "'.', '_', '__' or '-', separated by '/', at most 255 characters)");
	if ((out->repository = osp_strndup(name, (size_t)(end - name))) == NULL)
		return osp_nomem(ctx);
	return OSPACK_OK;
}

ospack_error osp_oci_ref_parse(struct ospack_ctx *ctx, const char *s, struct osp_oci_ref *out)
{
	const char *slash;
	size_t hlen;
	ospack_error rc;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, LAYOUT_PREFIX, strlen(LAYOUT_PREFIX)) == 0)
		rc = parse_layout(ctx, s, out);
	else if ((slash = strchr(s, '/')) == NULL)
		rc = bad(ctx, s,
			 "no repository (a reference is REGISTRY/REPOSITORY[:TAG][@DIGEST])");
	else if (!looks_like_registry(s, hlen = (size_t)(slash - s)))
		rc = bad(ctx, s,
			 "no registry: the first component must be a host name with a dot or a "
			 "port, or localhost (e.g. registry.example.org/team/model:1)");
	else if (!registry_valid(s, hlen))
		rc = bad(ctx, s, "not a valid registry host[:port]");
	else if ((out->registry = osp_strndup(s, hlen)) == NULL)
		rc = osp_nomem(ctx);
	else
		rc = parse_name(ctx, s, slash + 1, out);
	if (rc != OSPACK_OK)
		osp_oci_ref_free(out);
	return rc;
}

void osp_oci_ref_free(struct osp_oci_ref *r)
{
	if (r == NULL)
		return;
	free(r->registry);
	free(r->repository);
	free(r->tag);
	free(r->digest);
	free(r->path);
	memset(r, 0, sizeof(*r));
}
