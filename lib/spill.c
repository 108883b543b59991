/* SPDX-License-Identifier: Apache-2.0 */
/* Temporary files without a name, written and read back in order. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spill.h"

#define SPILL_BUF (1024 * 1024)
#define READ_BUF (256 * 1024)

struct osp_spill {
	int fd;
	char *dir;
	unsigned char *buf;
	size_t fill;
	uint64_t size; /* every byte written, buffered ones included */
};

static ospack_error spill_errno(struct ospack_ctx *ctx, const struct osp_spill *sp, int err)
{
	return osp_errno(ctx, err, "cannot write a temporary file in", sp->dir);
}

static int open_nameless(const char *dir)
{
	int fd;
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
#endif
	{
		char *name = osp_asprintf("%s/.ospack-spill-XXXXXX", dir);
		int err;

		if (name == NULL) {
			errno = ENOMEM;
			return -1;
		}
		fd = mkostemp(name, O_CLOEXEC);
		err = errno;
		if (fd >= 0)
			unlink(name);
		free(name);
		errno = err;
	}
	return fd;
}

ospack_error osp_spill_new(struct ospack_ctx *ctx, const char *tmpdir, struct osp_spill **out)
{
	struct osp_spill *sp = calloc(1, sizeof(*sp));

	*out = NULL;
	if (sp == NULL)
		return osp_nomem(ctx);
	sp->fd = -1;
	sp->dir = osp_strdup(tmpdir != NULL && tmpdir[0] != '\0' ? tmpdir : "/tmp");
	sp->buf = malloc(SPILL_BUF);
	if (sp->dir == NULL || sp->buf == NULL) {
		osp_spill_free(sp);
		return osp_nomem(ctx);
	}
	sp->fd = open_nameless(sp->dir);
	if (sp->fd < 0) {
		ospack_error rc =
			osp_errno(ctx, errno, "cannot create a temporary file in", sp->dir);

		osp_spill_free(sp);
		return rc;
	}
	*out = sp;
	return OSPACK_OK;
}

void osp_spill_free(struct osp_spill *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	free(sp->dir);
	free(sp->buf);
	free(sp);
}

ospack_error osp_spill_flush(struct ospack_ctx *ctx, struct osp_spill *sp)
{
	size_t done = 0;

	while (done < sp->fill) {
		ssize_t k = write(sp->fd, sp->buf + done, sp->fill - done);

		if (k < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (k < 0)
			return spill_errno(ctx, sp, errno);
		done += (size_t)k;
	}
	sp->fill = 0;
	return OSPACK_OK;
}

ospack_error osp_spill_write(struct ospack_ctx *ctx, struct osp_spill *sp, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n > 0) {
		size_t k = SPILL_BUF - sp->fill < n ? SPILL_BUF - sp->fill : n;

		memcpy(sp->buf + sp->fill, c, k);
		sp->fill += k;
		sp->size += k;
		c += k;
		n -= k;
		if (sp->fill == SPILL_BUF && osp_spill_flush(ctx, sp) != OSPACK_OK)
			return ctx->code;
	}
	return OSPACK_OK;
}

ospack_error osp_spill_puts(struct ospack_ctx *ctx, struct osp_spill *sp, const char *s)
{
	return osp_spill_write(ctx, sp, s, strlen(s));
}

uint64_t osp_spill_size(const struct osp_spill *sp)
{
	return sp->size;
}

int osp_spill_fd(const struct osp_spill *sp)
{
	return sp->fd;
}

const char *osp_spill_dir(const struct osp_spill *sp)
{
	return sp->dir;
}

/* ---- reading back ---- */

struct osp_sreader {
	int fd; /* -1: memory */
	const unsigned char *mem;
	uint64_t off, left; /* of the file region not yet in buf */
	unsigned char *buf;
	size_t pos, fill, cap;
	int err;
};

struct osp_sreader *osp_sreader_file(struct osp_spill *sp, uint64_t off, uint64_t len)
{
	struct osp_sreader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fd = sp->fd;
	r->off = off;
	r->left = len;
	r->cap = READ_BUF;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

struct osp_sreader *osp_sreader_mem(const void *p, size_t len)
{
	struct osp_sreader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fd = -1;
	r->mem = p;
	r->left = len;
	r->cap = READ_BUF;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		free(r);
		return NULL;
	}
	return r;
}

void osp_sreader_free(struct osp_sreader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r);
}

int osp_sreader_errno(const struct osp_sreader *r)
{
	return r->err;
}

/* Moves what is left to the front and reads more; 0 when nothing more came. */
static int refill(struct osp_sreader *r)
{
	size_t want;
	ssize_t k;

	if (r->left == 0)
		return 0;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->fill - r->pos);
		r->fill -= r->pos;
		r->pos = 0;
	}
	want = r->cap - r->fill;
	if (want > r->left)
		want = (size_t)r->left;
	if (want == 0)
		return 0;
	if (r->fd < 0) {
		memcpy(r->buf + r->fill, r->mem + r->off, want);
		k = (ssize_t)want;
	} else {
		do
			k = pread(r->fd, r->buf + r->fill, want, (off_t)r->off);
		while (k < 0 && errno == EINTR && !osp_interrupted());
	}
	if (k < 0) {
		r->err = errno;
		return -1;
	}
	if (k == 0) {
		r->err = EIO;
		return -1;
	}
	r->fill += (size_t)k;
	r->off += (uint64_t)k;
	r->left -= (uint64_t)k;
	return 1;
}

int osp_sreader_read(struct osp_sreader *r, void *p, size_t n)
{
	unsigned char *out = p;
	size_t got = 0;

	while (got < n) {
		size_t k = r->fill - r->pos;

		if (k == 0) {
			int st = refill(r);

			if (st < 0)
				return -1;
			if (st == 0)
				return got == 0 ? 0 : -1;
			continue;
		}
		if (k > n - got)
			k = n - got;
		memcpy(out + got, r->buf + r->pos, k);
		r->pos += k;
		got += k;
	}
	return 1;
}

int osp_sreader_line(struct osp_sreader *r, size_t max, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		const unsigned char *b = r->buf + r->pos;
		size_t avail = r->fill - r->pos;
		const unsigned char *nl = memchr(b + scanned, '\n', avail - scanned);

		if (nl != NULL) {
			*len = (size_t)(nl - b);
			if (*len > max)
				return -1;
			*line = (char *)b;
			(*line)[*len] = '\0';
			r->pos += *len + 1;
			return 1;
		}
		scanned = avail;
		*len = avail;
		if (avail > max)
			return -1;
		{
			int st = refill(r);

			if (st < 0)
				return -1;
			if (st == 0) {
				if (avail == 0)
					return 0;
				/* A last line without "\n". */
				*line = (char *)r->buf + r->pos;
				if (r->fill == r->cap)
					return -1;
				(*line)[avail] = '\0';
				r->pos += avail;
				return 1;
			}
		}
	}
}
