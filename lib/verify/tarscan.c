/* SPDX-License-Identifier: Apache-2.0 */
/* A strict shadow reading of the raw tar stream, so that no header goes unseen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tarscan.h"

#define BLOCK 512
#define PAX_MAX (64 * 1024)
/* Zero padding accepted after the end blocks: GNU tar's records, and then some. */
#define TRAILER_MAX (1024 * 1024 + 10240)

enum state { S_HEADER, S_PAX, S_SKIP, S_DONE };

struct osp_tarscan {
	enum state st;
	unsigned char blk[BLOCK];
	size_t fill;
	unsigned char *pax; /* the pax header's records */
	size_t paxlen, paxwant, paxpad;
	uint64_t skip;
	uint64_t pos; /* bytes of the stream scanned or skipped */
	bool have_pax, pax_size_set;
	char *pax_path;
	uint64_t pax_size;
	int zeros;
	uint64_t trailer;
	struct osp_tarentry *q; /* entries found, not yet taken: a ring */
	size_t qhead, qlen, qcap;
	bool failed;
	char err[300];
};

static bool fail(struct osp_tarscan *ts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static bool fail(struct osp_tarscan *ts, const char *fmt, ...)
{
	va_list ap;

	if (!ts->failed) {
		va_start(ap, fmt);
		vsnprintf(ts->err, sizeof(ts->err), fmt, ap);
		va_end(ap);
	}
	ts->failed = true;
	return false;
}

struct osp_tarscan *osp_tarscan_new(void)
{
	return calloc(1, sizeof(struct osp_tarscan));
}

void osp_tarscan_free(struct osp_tarscan *ts)
{
	if (ts == NULL)
		return;
	for (size_t i = 0; i < ts->qlen; i++)
		free(ts->q[(ts->qhead + i) % ts->qcap].path);
	free(ts->q);
	free(ts->pax);
	free(ts->pax_path);
	free(ts);
}

static bool push(struct osp_tarscan *ts, char *path, bool dir, uint64_t size, uint64_t offset)
{
	if (ts->qlen == ts->qcap) {
		size_t cap = ts->qcap ? ts->qcap * 2 : 64;
		struct osp_tarentry *q = calloc(cap, sizeof(*q));

		if (q == NULL) {
			free(path);
			return fail(ts, "out of memory");
		}
		for (size_t i = 0; i < ts->qlen; i++)
			q[i] = ts->q[(ts->qhead + i) % ts->qcap];
		free(ts->q);
		ts->q = q;
		ts->qcap = cap;
		ts->qhead = 0;
	}
	ts->q[(ts->qhead + ts->qlen) % ts->qcap] = (struct osp_tarentry){path, dir, size, offset};
	ts->qlen++;
	return true;
}

bool osp_tarscan_next(struct osp_tarscan *ts, struct osp_tarentry *e)
{
	if (ts->qlen == 0)
		return false;
	*e = ts->q[ts->qhead];
	ts->qhead = (ts->qhead + 1) % ts->qcap;
	ts->qlen--;
	return true;
}

const char *osp_tarscan_finish(struct osp_tarscan *ts)
{
	if (ts->failed)
		return ts->err;
	if (ts->st != S_DONE)
		fail(ts, "truncated archive: the end-of-archive blocks are missing");
	else if (ts->trailer % BLOCK != 0)
		fail(ts, "trailing data after the end of the archive");
	return ts->failed ? ts->err : NULL;
}

const char *osp_tarscan_error(const struct osp_tarscan *ts)
{
	return ts->failed ? ts->err : NULL;
}

/* An octal field (NUL or space terminated), or base-256 for big sizes. */
static bool number(const unsigned char *f, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (f[0] == 0x80) {
		for (i = 1; i < len; i++) {
			if (v >> 56)
				return false;
			v = v << 8 | f[i];
		}
		*out = v;
		return true;
	}
	while (i < len && f[i] == ' ')
		i++;
	if (i == len || f[i] < '0' || f[i] > '7')
		return false;
	for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	for (; i < len; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return false;
	*out = v;
	return true;
}

static bool zero_field(const unsigned char *f, size_t len, bool octal_ok)
{
	uint64_t v;

	for (size_t i = 0; i < len; i++)
		if (f[i] != '\0')
			return octal_ok && number(f, len, &v) && v == 0;
	return true;
}

static bool checksum_ok(const unsigned char *b)
{
	uint64_t want, sum = 0;

	for (size_t i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : b[i];
	return number(b + 148, 8, &want) && want == sum;
}

/* The fields every header of ospack's has: magic, owner 0/0 without names, no link. */
static bool check_common(struct osp_tarscan *ts, const unsigned char *b)
{
	if (memcmp(b + 257,
		   "ustar\0"
		   "00",
		   8) != 0)
		return fail(ts, "a header that is not POSIX ustar");
	if (!checksum_ok(b))
		return fail(ts, "a header with a wrong checksum");
	if (!zero_field(b + 108, 8, true) || !zero_field(b + 116, 8, true) ||
	    !zero_field(b + 265, 32, false) || !zero_field(b + 297, 32, false))
		return fail(ts,
			    "an entry owned by someone else than 0/0 (with no user or group name)");
	if (!zero_field(b + 157, 100, false) || !zero_field(b + 329, 8, true) ||
	    !zero_field(b + 337, 8, true))
		return fail(ts, "an entry with a link name or device numbers");
	return true;
}

static char *field_path(const unsigned char *b)
{
	size_t nlen = strnlen((const char *)b, 100), plen = strnlen((const char *)b + 345, 155);

	if (plen == 0)
		return osp_strndup((const char *)b, nlen);
	return osp_asprintf("%.*s/%.*s", (int)plen, (const char *)b + 345, (int)nlen,
			    (const char *)b);
}

static bool entry_header(struct osp_tarscan *ts, const unsigned char *b, bool dir)
{
	uint64_t size, mode;
	char *path;
	size_t len;

	/* Modes are the verifier's to judge: libarchive reads them as every tar does. */
	if (!number(b + 124, 12, &size) || !number(b + 100, 8, &mode))
		return fail(ts, "a header with a malformed number");
	if (ts->pax_size_set)
		size = ts->pax_size;
	if (dir && size != 0)
		return fail(ts, "a folder entry with a size");
	path = ts->pax_path ? ts->pax_path : field_path(b);
	ts->pax_path = NULL;
	if (path == NULL)
		return fail(ts, "out of memory");
	len = strlen(path);
	if (len > 0 && path[len - 1] == '/')
		path[--len] = '\0';
	if (len == 0) {
		free(path);
		return fail(ts, "an entry with an empty name");
	}
	ts->have_pax = ts->pax_size_set = false;
	if (!push(ts, path, dir, size, ts->pos))
		return false;
	ts->skip = dir ? 0 : (size + BLOCK - 1) / BLOCK * BLOCK;
	ts->st = ts->skip ? S_SKIP : S_HEADER;
	return true;
}

static bool header(struct osp_tarscan *ts, const unsigned char *b)
{
	uint64_t size;
	bool zero = true;

	for (size_t i = 0; i < BLOCK && zero; i++)
		zero = b[i] == 0;
	if (zero) {
		if (ts->have_pax)
			return fail(ts, "a pax header without an entry after it");
		if (++ts->zeros == 2)
			ts->st = S_DONE;
		return true;
	}
	if (ts->zeros > 0)
		return fail(ts, "an entry after an end-of-archive block");
	if (!check_common(ts, b))
		return false;
	switch (b[156]) {
	case '0':
		return entry_header(ts, b, false);
	case '5':
		return entry_header(ts, b, true);
	case 'x':
		if (ts->have_pax)
			return fail(ts, "two pax headers for one entry");
		if (!number(b + 124, 12, &size) || size == 0 || size > PAX_MAX)
			return fail(ts, "a pax header of a size ospack never writes");
		free(ts->pax);
		ts->pax = malloc((size_t)size);
		if (ts->pax == NULL)
			return fail(ts, "out of memory");
		ts->paxlen = 0;
		ts->paxwant = (size_t)size;
		ts->paxpad = (BLOCK - size % BLOCK) % BLOCK;
		ts->have_pax = true;
		ts->st = S_PAX;
		return true;
	default:
		return fail(ts, "an entry of tar type '%c' (a bundle holds files and folders only)",
			    b[156] >= 0x20 && b[156] < 0x7f ? b[156] : '?');
	}
}

/* One "LEN key=value\n" record of the pax header at p; its length in *used. */
static bool pax_record(struct osp_tarscan *ts, const char *p, size_t left, size_t *used)
{
	const char *sp = memchr(p, ' ', left < 8 ? left : 8), *eq;
	size_t len = 0;

	if (sp == NULL || sp == p || *p == '0')
		return fail(ts, "a malformed pax record");
	for (const char *d = p; d < sp; d++) {
		if (*d < '0' || *d > '9')
			return fail(ts, "a malformed pax record");
		len = len * 10 + (size_t)(*d - '0');
	}
	if (len > left || len < (size_t)(sp - p) + 4 || p[len - 1] != '\n')
		return fail(ts, "a malformed pax record");
	eq = memchr(sp + 1, '=', len - (size_t)(sp + 1 - p));
	if (eq == NULL)
		return fail(ts, "a malformed pax record");
	*used = len;
	if ((size_t)(eq - sp - 1) == 4 && memcmp(sp + 1, "path", 4) == 0 && ts->pax_path == NULL) {
		ts->pax_path = osp_strndup(eq + 1, (size_t)(p + len - 1 - eq - 1));
		if (ts->pax_path == NULL || strlen(ts->pax_path) != (size_t)(p + len - 2 - eq))
			return fail(ts, "a pax path with a NUL byte");
		return true;
	}
	if ((size_t)(eq - sp - 1) == 4 && memcmp(sp + 1, "size", 4) == 0 && !ts->pax_size_set) {
		uint64_t v = 0;

		for (const char *d = eq + 1; d < p + len - 1; d++) {
			if (*d < '0' || *d > '9' || v > UINT64_MAX / 10 - 9)
				return fail(ts, "a malformed pax size");
			v = v * 10 + (uint64_t)(*d - '0');
		}
		ts->pax_size = v;
		ts->pax_size_set = eq + 1 < p + len - 1;
		return ts->pax_size_set ? true : fail(ts, "a malformed pax size");
	}
	return fail(ts, "a pax header with the record '%.*s' (ospack writes path and size only)",
		    (int)(eq - sp - 1 < 40 ? eq - sp - 1 : 40), sp + 1);
}

static bool pax(struct osp_tarscan *ts)
{
	size_t pos = 0, used = 0;

	while (pos < ts->paxlen) {
		if (!pax_record(ts, (const char *)ts->pax + pos, ts->paxlen - pos, &used))
			return false;
		pos += used;
	}
	ts->skip = ts->paxpad;
	ts->st = ts->skip ? S_SKIP : S_HEADER;
	return true;
}

bool osp_tarscan_skip(struct osp_tarscan *ts, uint64_t n)
{
	if (ts->failed)
		return false;
	if (ts->st != S_SKIP || n > ts->skip)
		return fail(ts, "a skip past an entry's data");
	ts->skip -= n;
	ts->pos += n;
	if (ts->skip == 0)
		ts->st = S_HEADER;
	return true;
}

bool osp_tarscan_feed(struct osp_tarscan *ts, const unsigned char *p, size_t n)
{
	while (n > 0 && !ts->failed) {
		size_t k = n;

		switch (ts->st) {
		case S_HEADER:
			k = n < BLOCK - ts->fill ? n : BLOCK - ts->fill;
			memcpy(ts->blk + ts->fill, p, k);
			ts->fill += k;
			ts->pos += k;
			if (ts->fill == BLOCK) {
				ts->fill = 0;
				header(ts, ts->blk);
			}
			break;
		case S_PAX:
			k = n < ts->paxwant - ts->paxlen ? n : ts->paxwant - ts->paxlen;
			ts->pos += k;
			memcpy(ts->pax + ts->paxlen, p, k);
			ts->paxlen += k;
			if (ts->paxlen == ts->paxwant)
				pax(ts);
			break;
		case S_SKIP:
			k = n < ts->skip ? n : (size_t)ts->skip;
			ts->skip -= k;
			ts->pos += k;
			if (ts->skip == 0)
				ts->st = S_HEADER;
			break;
		case S_DONE:
			k = n;
			for (size_t i = 0; i < n; i++)
				if (p[i] != 0)
					return fail(ts,
						    "trailing data after the end of the archive");
			ts->trailer += n;
			if (ts->trailer > TRAILER_MAX)
				return fail(ts, "more zero padding after the archive than a tar "
						"record holds");
			break;
		}
		p += k;
		n -= k;
	}
	return !ts->failed;
}
