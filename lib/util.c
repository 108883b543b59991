/* SPDX-License-Identifier: Apache-2.0 */
/* Small string, buffer and encoding helpers used across the library. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

void osp_buf_free(struct osp_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

static bool buf_reserve(struct osp_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return false;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return true;
fail:
	b->failed = true;
	return false;
}

void osp_buf_add(struct osp_buf *b, const void *p, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void osp_buf_puts(struct osp_buf *b, const char *s)
{
	osp_buf_add(b, s, strlen(s));
}

void osp_buf_putc(struct osp_buf *b, char c)
{
	osp_buf_add(b, &c, 1);
}

void osp_buf_printf(struct osp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n)) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *osp_buf_steal(struct osp_buf *b, size_t *len)
{
	char *p = NULL;

	if (!b->failed && buf_reserve(b, 0)) {
		b->data[b->len] = '\0';
		p = b->data;
		if (len != NULL)
			*len = b->len;
		b->data = NULL;
	}
	osp_buf_free(b);
	return p;
}

char *osp_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

char *osp_strndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *osp_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (p == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void *osp_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	/* realloc(p, 0) may free p and return NULL: never ask for zero bytes. */
	return realloc(p, n * size != 0 ? n * size : 1);
}

int osp_strv_push_owned(struct osp_strv *sv, char *s)
{
	if (s == NULL)
		return -1;
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = osp_reallocarray(sv->v, cap, sizeof(*v));

		if (v == NULL) {
			free(s);
			return -1;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	return 0;
}

int osp_strv_push(struct osp_strv *sv, const char *s)
{
	return osp_strv_push_owned(sv, osp_strdup(s));
}

void osp_strv_free(struct osp_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

bool osp_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i];
		size_t len;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Bytes of the well-formed UTF-8 character at s (0: none); s is NUL-terminated. */
static size_t utf8_char(const char *s)
{
	unsigned char c = (unsigned char)s[0];
	size_t len = c >= 0xc2 && c <= 0xdf   ? 2
		     : c >= 0xe0 && c <= 0xef ? 3
		     : c >= 0xf0 && c <= 0xf4 ? 4
					      : 0;

	for (size_t k = 1; k < len; k++)
		if (s[k] == '\0')
			return 0;
	return len > 0 && osp_utf8_valid(s, len) ? len : 0;
}

/* Writes the printable form of s into out (outlen bytes); returns its length. */
static size_t printable(const char *s, char *out, size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return 0;
	while (*s != '\0') {
		unsigned char c = (unsigned char)*s;
		size_t len = c < 0x80 ? 1 : utf8_char(s);
		bool c1 = len == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0;

		if (len == 1 && c >= 0x20 && c != 0x7f) {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
			s++;
		} else if (len > 1 && !c1) {
			if (o + len >= outlen)
				break;
			memcpy(out + o, s, len);
			o += len;
			s += len;
		} else {
			/* A control character, or a byte of no character: each byte escaped. */
			size_t n = len ? len : 1;

			if (o + 4 * n >= outlen)
				break;
			for (size_t k = 0; k < n; k++, o += 4)
				snprintf(out + o, outlen - o, "\\x%02x", (unsigned char)s[k]);
			s += n;
		}
	}
	out[o] = '\0';
	return o;
}

void osp_printable(const char *s, char *out, size_t outlen)
{
	printable(s, out, outlen);
}

char *osp_printable_dup(const char *s)
{
	size_t n = strlen(s);
	char *out;

	if (n > (SIZE_MAX - 1) / 4)
		return NULL;
	out = malloc(4 * n + 1);
	if (out != NULL)
		printable(s, out, 4 * n + 1);
	return out;
}

OSPACK_API char *ospack_printable(const char *s)
{
	return osp_printable_dup(s);
}

void osp_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int osp_unhex(const char *hex, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo;

		if (hi < 0)
			return -1;
		lo = hexval(hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return hex[2 * n] == '\0' ? 0 : -1;
}

bool osp_is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

void osp_human_size(uint64_t n, char *out, size_t outlen)
{
	static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, outlen, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && u + 1 < OSP_ARRAY_LEN(units)) {
		v /= 1024;
		u++;
	}
	snprintf(out, outlen, "%.1f %s", v, units[u]);
}

ospack_error osp_read_file(struct ospack_ctx *ctx, const char *path, size_t max,
			   ospack_error too_big, char **out, size_t *len)
{
	struct osp_buf b = {0};
	char chunk[65536];
	ospack_error rc = OSPACK_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return osp_errno(ctx, errno, "cannot open", path);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (n < 0) {
			rc = osp_errno(ctx, errno, "cannot read", path);
			break;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			rc = osp_error(ctx, too_big, "%s: larger than %zu bytes", path, max);
			break;
		}
		osp_buf_add(&b, chunk, (size_t)n);
	}
	close(fd);
	if (rc == OSPACK_OK && (*out = osp_buf_steal(&b, len)) == NULL)
		rc = osp_nomem(ctx);
	osp_buf_free(&b);
	return rc;
}

bool osp_claim_temp(int fd)
{
	struct stat st;

	/* Without locks on this file system nothing is swept: nothing to claim. */
	if (flock(fd, LOCK_EX) != 0)
		return true;
	return fstat(fd, &st) != 0 || st.st_nlink > 0;
}

/* ".BASE.tmp-" and six characters of mkstemp's. */
static bool is_temp_of(const char *name, const char *base)
{
	size_t n = strlen(base);

	return name[0] == '.' && strncmp(name + 1, base, n) == 0 &&
	       strncmp(name + 1 + n, ".tmp-", 5) == 0 && strlen(name + n + 6) == 6 &&
	       strspn(name + n + 6,
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") == 6;
}

static void sweep_one(struct ospack_ctx *ctx, int dfd, const char *dir, const char *name)
{
	struct stat st, now;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			/* Unlocked: no live run holds it. Removed if the name still is it. */
			if (fstatat(dfd, name, &now, AT_SYMLINK_NOFOLLOW) == 0 &&
			    now.st_dev == st.st_dev && now.st_ino == st.st_ino)
				unlinkat(dfd, name, 0);
		} else if (errno != EWOULDBLOCK) {
			osp_warn(ctx,
				 "%s/%s: may be left by an ospack build that was stopped; if none "
				 "is running, delete it",
				 dir, name);
		}
	}
	close(fd);
}

void osp_sweep_temps(struct ospack_ctx *ctx, const char *target)
{
	const char *slash = strrchr(target, '/'), *base = slash ? slash + 1 : target;
	char *dir = slash == NULL
			    ? osp_strdup(".")
			    : osp_strndup(target, slash == target ? 1 : (size_t)(slash - target));
	int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	int fd = dfd >= 0 ? dup(dfd) : -1;
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL && fd >= 0)
		close(fd);
	while (d != NULL && base[0] != '\0' && (de = readdir(d)) != NULL)
		if (is_temp_of(de->d_name, base))
			sweep_one(ctx, dfd, dir, de->d_name);
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	free(dir);
}

ospack_error osp_write_file_atomic(struct ospack_ctx *ctx, const char *path, const void *p,
				   size_t len)
{
	const char *slash = strrchr(path, '/');
	struct osp_buf tmp = {0};
	const char *c = p;
	ospack_error rc = OSPACK_OK;
	char *name;
	int fd;

	if (slash != NULL)
		osp_buf_add(&tmp, path, (size_t)(slash - path + 1));
	osp_buf_printf(&tmp, ".%s.tmp-XXXXXX", slash ? slash + 1 : path);
	name = osp_buf_steal(&tmp, NULL);
	if (name == NULL)
		return osp_nomem(ctx);
	fd = mkstemp(name);
	if (fd < 0) {
		rc = osp_errno(ctx, errno, "cannot create a file beside", path);
		free(name);
		return rc;
	}
	while (rc == OSPACK_OK && len > 0) {
		ssize_t w = write(fd, c, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = osp_errno(ctx, w < 0 ? errno : EIO, "cannot write", path);
		else {
			c += w;
			len -= (size_t)w;
		}
	}
	if (rc == OSPACK_OK && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
		rc = osp_errno(ctx, errno, "cannot write", path);
	if (close(fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(ctx, errno, "cannot write", path);
	if (rc == OSPACK_OK && rename(name, path) != 0)
		rc = osp_errno(ctx, errno, "cannot rename a temporary file to", path);
	if (rc != OSPACK_OK)
		unlink(name);
	free(name);
	return rc;
}

ospack_error osp_write_all(struct ospack_ctx *ctx, int fd, const void *p, size_t n,
			   const char *path)
{
	const char *c = p;

	while (n > 0) {
		ssize_t k = write(fd, c, n);

		if (k < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (k < 0)
			return osp_errno(ctx, errno, "cannot write", path);
		c += k;
		n -= (size_t)k;
	}
	return OSPACK_OK;
}
