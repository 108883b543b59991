/* SPDX-License-Identifier: Apache-2.0 */
/* BagIt tag files: percent-encoded paths, manifests, fetch.txt and bag-info.txt. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bag.h"

void osp_bag_encode_path(struct osp_buf *b, const char *path)
{
	for (const char *p = path; *p; p++) {
		if (*p == '%')
			osp_buf_puts(b, "%25");
		else if (*p == '\n')
			osp_buf_puts(b, "%0A");
		else if (*p == '\r')
			osp_buf_puts(b, "%0D");
		else
			osp_buf_putc(b, *p);
	}
}

char *osp_bag_decode_path(const char *s, size_t n)
{
	struct osp_buf b = {0};

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n) {
			char c1 = s[i + 1], c2 = s[i + 2];

			if (c2 == 'A' || c2 == 'D')
				c2 = (char)(c2 - 'A' + 'a');

			if (c1 == '2' && c2 == '5') {
				osp_buf_putc(&b, '%');
				i += 2;
				continue;
			}
			if (c1 == '0' && (c2 == 'a' || c2 == 'd')) {
				osp_buf_putc(&b, c2 == 'a' ? '\n' : '\r');
				i += 2;
				continue;
			}
		}
		osp_buf_putc(&b, s[i]);
	}
	return osp_buf_steal(&b, NULL);
}

void osp_bag_manifest_line(struct osp_buf *b, const char *hex, const char *path)
{
	osp_buf_puts(b, hex);
	osp_buf_puts(b, "  ");
	osp_bag_encode_path(b, path);
	osp_buf_putc(b, '\n');
}

void osp_bag_fetch_line(struct osp_buf *b, const char *url, uint64_t size, const char *path)
{
	osp_buf_printf(b, "%s %" PRIu64 " ", url, size);
	osp_bag_encode_path(b, path);
	osp_buf_putc(b, '\n');
}

/* A value continued over lines: each newline becomes a newline and two spaces. */
static void put_value(struct osp_buf *b, const char *v)
{
	size_t len = strlen(v);

	while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\n') {
			osp_buf_puts(b, "\n  ");
			while (i + 1 < len && (v[i + 1] == '\n' || v[i + 1] == ' '))
				i++;
		} else if (v[i] == '\r') {
			continue;
		} else {
			osp_buf_putc(b, v[i] == '\t' ? ' ' : v[i]);
		}
	}
	osp_buf_putc(b, '\n');
}

void osp_bag_info_txt(struct osp_buf *b, const struct osp_bag_info *info)
{
	time_t t = (time_t)info->date;
	struct tm tm;
	char date[32];

	if (gmtime_r(&t, &tm) == NULL || strftime(date, sizeof(date), "%Y-%m-%d", &tm) == 0)
		snprintf(date, sizeof(date), "1970-01-01");
	osp_buf_printf(b, "Bag-Software-Agent: ospack\n");
	osp_buf_printf(b, "Bagging-Date: %s\n", date);
	if (info->description != NULL && info->description[0] != '\0') {
		osp_buf_puts(b, "External-Description: ");
		put_value(b, info->description);
	}
	osp_buf_printf(b, "External-Identifier: %s\n", info->external_identifier);
	osp_buf_printf(b, "Payload-Oxum: %" PRIu64 ".%" PRIu64 "\n", info->octets, info->count);
}

void osp_bag_lines_free(struct osp_bag_line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].path);
		free(v[i].hex);
	}
	free(v);
}

ospack_error osp_bag_parse_line(struct ospack_ctx *ctx, const char *file, unsigned lineno,
				const char *s, size_t n, size_t hexlen, struct osp_bag_line *out)
{
	size_t i = 0;

	while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			 (s[i] >= 'A' && s[i] <= 'F')))
		i++;
	if (i != hexlen || i == n || (s[i] != ' ' && s[i] != '\t'))
		return osp_error(ctx, OSPACK_EREJECT, "%s: line %u: malformed manifest line", file,
				 lineno);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i < n && s[i] == '*') /* sha256sum's binary-mode marker */
		i++;
	if (i == n)
		return osp_error(ctx, OSPACK_EREJECT, "%s: line %u: no file path", file, lineno);
	out->hex = osp_strndup(s, hexlen);
	out->path = osp_bag_decode_path(s + i, n - i);
	out->line = lineno;
	if (out->hex == NULL || out->path == NULL)
		return osp_nomem(ctx);
	for (char *c = out->hex; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	return OSPACK_OK;
}

ospack_error osp_bag_parse_manifest(struct ospack_ctx *ctx, const char *file, const char *text,
				    size_t len, size_t hexlen, struct osp_bag_line **out, size_t *n)
{
	struct osp_bag_line *v = NULL;
	size_t count = 0, cap = 0, pos = 0;
	unsigned lineno = 0;
	ospack_error rc = OSPACK_OK;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;

		lineno++;
		if (l > 0 && text[pos + l - 1] == '\r')
			l--;
		if (count == cap) {
			struct osp_bag_line *nv;

			cap = cap ? cap * 2 : 64;
			nv = osp_reallocarray(v, cap, sizeof(*v));
			if (nv == NULL) {
				rc = osp_nomem(ctx);
				break;
			}
			v = nv;
		}
		memset(&v[count], 0, sizeof(v[count]));
		rc = osp_bag_parse_line(ctx, file, lineno, text + pos, l, hexlen, &v[count]);
		count++;
		if (rc != OSPACK_OK)
			break;
		pos = end + 1;
	}
	if (rc != OSPACK_OK) {
		osp_bag_lines_free(v, count);
		return rc;
	}
	*out = v;
	*n = count;
	return OSPACK_OK;
}

int osp_bag_oxum(const char *text, size_t len, uint64_t *octets, uint64_t *count)
{
	static const char tag[] = "Payload-Oxum:";
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t next = nl ? (size_t)(nl - text) + 1 : len, end = nl ? next - 1 : len;

		if (end > pos && text[end - 1] == '\r')
			end--;
		if (end - pos > sizeof(tag) - 1 && memcmp(text + pos, tag, sizeof(tag) - 1) == 0) {
			char buf[64], *dot, *e1, *e2;
			size_t vl = end - pos - (sizeof(tag) - 1);
			const char *v = text + pos + sizeof(tag) - 1;

			while (vl > 0 && *v == ' ') {
				v++;
				vl--;
			}
			if (vl == 0 || vl >= sizeof(buf))
				return -1;
			memcpy(buf, v, vl);
			buf[vl] = '\0';
			dot = strchr(buf, '.');
			if (dot == NULL || strspn(buf, "0123456789.") != vl)
				return -1;
			*dot = '\0';
			errno = 0;
			*octets = strtoull(buf, &e1, 10);
			*count = strtoull(dot + 1, &e2, 10);
			return *e1 == '\0' && *e2 == '\0' && e1 != buf && e2 != dot + 1 &&
					       errno == 0
				       ? 0
				       : -1;
		}
		pos = next;
	}
	return -1;
}
