/* SPDX-License-Identifier: Apache-2.0 */
/* A strict shadow reading of the raw tar stream, so that no header goes unseen. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive_entry.h>

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
	size_t paxlen, paxwant;
	uint64_t skip;
	uint64_t pos;	   /* bytes of the stream scanned or skipped */
	uint64_t data_end; /* where the entry's data ends and its zero padding begins */
	char *last;	   /* that entry's path, for messages */
	bool have_pax, pax_size_set;
	unsigned char paxblk[BLOCK]; /* the pax header itself */
	size_t paxdata;		     /* its records' length, without the padding */
	char *pax_path;
	uint64_t pax_size;
	bool mtime_set; /* the first entry's mtime: every header must have it */
	int64_t mtime;
	unsigned char want[OSP_TARHDR_MAX];
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
	free(ts->last);
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

/* ---- the headers ospack's writer makes ---- */

/* libarchive's octal field: s digits, zero-padded; the template's terminator is left as is. */
static bool put_octal(unsigned char *p, size_t s, uint64_t v)
{
	for (size_t i = s; i > 0; i--) {
		p[i - 1] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
	return v == 0;
}

/* A number as libarchive writes it when not strict: s digits, more up to max, then base-256. */
static void put_number(unsigned char *p, size_t s, size_t max, uint64_t v)
{
	for (; s <= max; s++)
		if (s * 3 >= 64 || v >> (s * 3) == 0) {
			put_octal(p, s, v);
			return;
		}
	for (size_t i = max; i > 0; i--) {
		p[i - 1] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	p[0] |= 0x80;
}

/*
 * libarchive's name for the ustar fields of a path that does not fit them:
 * leading folders (up to byte 154), then as many further folders as fit,
 * insert and a '/' when given, then the start of the file name, all but the
 * leading folders in 98 bytes (97 when a trailing '/' is kept). These are the
 * numbers libarchive 3.6 uses, one short of the fields' sizes; the unit test
 * holds them against the real writer.
 */
static size_t short_name(char *dest, const char *src, size_t len, const char *insert)
{
	size_t room = 98, ins = insert ? strlen(insert) + 2 : 0, fend = len, fname, pend, send,
	       n = 0;
	bool slash = false;

	if (len < 100 && insert == NULL) {
		memcpy(dest, src, len);
		return len;
	}
	for (;;) {
		if (fend > 0 && src[fend - 1] == '/') {
			fend--;
			slash = true;
		} else if (fend > 1 && src[fend - 1] == '.' && src[fend - 2] == '/') {
			fend -= 2;
			slash = true;
		} else {
			break;
		}
	}
	room -= slash + ins;
	fname = fend > 0 ? fend - 1 : 0;
	while (fname > 0 && src[fname] != '/')
		fname--;
	if (src[fname] == '/' && fname + 1 < fend)
		fname++;
	if (fend > fname + room)
		fend = fname + room;
	room -= fend - fname;
	pend = fname < 154 ? fname : 154;
	while (pend > 0 && src[pend] != '/')
		pend--;
	if (pend < fname && src[pend] == '/')
		pend++;
	send = pend + room < fname ? pend + room : fname;
	while (send > pend && src[send] != '/')
		send--;
	if (send < fname && src[send] == '/')
		send++;
	memcpy(dest, src, send);
	n = send;
	if (insert != NULL) {
		memcpy(dest + n, insert, ins - 2);
		n += ins - 2;
		dest[n++] = '/';
	}
	memcpy(dest + n, src + fname, fend - fname);
	n += fend - fname;
	if (slash)
		dest[n++] = '/';
	return n;
}

/* Where ustar puts a name: in its 100 bytes, or split at a '/' into prefix and name. */
static bool put_name(unsigned char *b, const char *name, size_t len)
{
	const char *p;

	if (len <= 100) {
		memcpy(b, name, len);
		return true;
	}
	p = memchr(name + len - 101, '/', 101);
	if (p == name)
		p = memchr(p + 1, '/', len - 1);
	if (p == NULL || p + 1 == name + len || p - name > 155)
		return false;
	memcpy(b + 345, name, (size_t)(p - name));
	memcpy(b, p + 1, (size_t)(name + len - p - 1));
	return true;
}

static bool ustar_block(unsigned char *b, const char *name, size_t len, char type, unsigned mode,
			uint64_t size, uint64_t mtime, bool strict)
{
	uint64_t sum = 0;

	static const size_t zeros[] = {100, 108, 116, 329, 337};

	memset(b, 0, BLOCK);
	/* libarchive's template: "000000 " and a NUL, "00000000000 ", the checksum blank. */
	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
		memcpy(b + zeros[i], "000000 ", 7);
	memcpy(b + 124, "00000000000 00000000000         ", 32);
	memcpy(b + 257,
	       "ustar\0"
	       "00",
	       8);
	if (!put_name(b, name, len))
		return false;
	put_octal(b + 100, 6, mode & 07777);
	if (strict) {
		if (!put_octal(b + 124, 11, size) || !put_octal(b + 136, 11, mtime))
			return false;
	} else {
		put_number(b + 124, 11, 12, size);
		put_number(b + 136, 11, 12, mtime);
	}
	b[156] = (unsigned char)type;
	for (size_t i = 0; i < BLOCK; i++)
		sum += b[i];
	put_octal(b + 148, 6, sum);
	b[154] = '\0';
	return true;
}

/* One pax record, "LEN key=value\n", LEN counting itself. */
static size_t pax_put(char *out, const char *key, const char *val, size_t vlen)
{
	size_t body = strlen(key) + vlen + 3, len = body + 1;

	while (len != body + (size_t)snprintf(NULL, 0, "%zu", len))
		len = body + (size_t)snprintf(NULL, 0, "%zu", len);
	snprintf(out, 24, "%zu %s=", len, key);
	memcpy(out + len - vlen - 1, val, vlen);
	out[len - 1] = '\n';
	return len;
}

static bool ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

/* Whether ustar holds the name as it is (else a pax path record does). */
static bool ustar_fits(const char *path, size_t len)
{
	const char *p;

	if (!ascii(path, len))
		return false;
	if (len <= 100)
		return true;
	p = memchr(path + len - 101, '/', 101);
	if (p == path)
		p = memchr(p + 1, '/', len - 1);
	return p != NULL && p + 1 != path + len && p - path <= 155;
}

/* libarchive's name for a pax header: "PaxHeader/" before the file name, shortened to fit. */
static size_t pax_name(char *dest, const char *src, size_t len)
{
	while (len > 0 &&
	       (src[len - 1] == '/' || (len > 1 && src[len - 1] == '.' && src[len - 2] == '/')))
		len--;
	if (len == 0) {
		memcpy(dest, "/PaxHeader/rootdir", 18);
		return 18;
	}
	if (len == 1 && src[0] == '.') {
		memcpy(dest, "PaxHeader/currentdir", 20);
		return 20;
	}
	return short_name(dest, src, len, "PaxHeader");
}

size_t osp_tar_header(unsigned char *out, const char *path, bool dir, unsigned mode, uint64_t size,
		      int64_t mtime)
{
	char name[OSP_TARHDR_PATH + 2], ustar[OSP_TARHDR_PATH + 2], paxname[OSP_TARHDR_PATH + 16];
	char recs[OSP_TARHDR_MAX - 2 * BLOCK], num[24];
	size_t len = strlen(path), ulen, plen, rlen = 0, pad;
	uint64_t t = (uint64_t)mtime;

	if (len == 0 || len > OSP_TARHDR_PATH || mtime < 0)
		return 0;
	memcpy(name, path, len);
	if (dir)
		name[len++] = '/';
	if (dir)
		size = 0;
	ulen = len;
	memcpy(ustar, name, len);
	if (!ustar_fits(name, len)) {
		rlen += pax_put(recs + rlen, "path", name, len);
		ulen = short_name(ustar, name, len, NULL);
	}
	/* libarchive's order: path, then mtime (out of ustar's signed 32-bit range), then size. */
	if (t >= 0x7fffffff) {
		snprintf(num, sizeof(num), "%" PRIu64, t);
		rlen += pax_put(recs + rlen, "mtime", num, strlen(num));
	}
	if (size >= (uint64_t)1 << 33) {
		snprintf(num, sizeof(num), "%" PRIu64, size);
		rlen += pax_put(recs + rlen, "size", num, strlen(num));
	}
	if (rlen == 0)
		return ustar_block(out, ustar, ulen, dir ? '5' : '0', mode, size, t, false) ? BLOCK
											    : 0;
	plen = pax_name(paxname, name, len);
	pad = (BLOCK - rlen % BLOCK) % BLOCK;
	if (!ustar_block(out, paxname, plen, 'x', mode, rlen, t < 0x7fffffff ? t : 0x7fffffff,
			 true))
		return 0;
	memcpy(out + BLOCK, recs, rlen);
	memset(out + BLOCK + rlen, 0, pad);
	if (!ustar_block(out + BLOCK + rlen + pad, ustar, ulen, dir ? '5' : '0', mode, size, t,
			 false))
		return 0;
	return 2 * BLOCK + rlen + pad;
}

static const char *field(size_t off)
{
	static const struct {
		size_t end;
		const char *name;
	} f[] = {{100, "name"},	     {108, "mode"},	{116, "uid"},	    {124, "gid"},
		 {136, "size"},	     {148, "mtime"},	{156, "checksum"},  {157, "type"},
		 {257, "link name"}, {265, "magic"},	{297, "user name"}, {329, "group name"},
		 {337, "devmajor"},  {345, "devminor"}, {500, "prefix"},    {512, "padding"}};
	size_t i = 0;

	while (f[i].end <= off)
		i++;
	return f[i].name;
}

static size_t differs(const unsigned char *a, const unsigned char *b)
{
	size_t i = 0;

	while (i < BLOCK && a[i] == b[i])
		i++;
	return i;
}

/*
 * The headers must be, byte for byte, what ospack's writer makes for this
 * entry: what other tar readers make of any other bytes, no signature covers.
 */
static bool same_as_writer(struct osp_tarscan *ts, const unsigned char *b, const char *path,
			   bool dir, uint64_t mode, uint64_t size)
{
	size_t n, at;

	if (mode > 07777)
		return fail(ts, "a header with a mode ospack never writes");
	n = osp_tar_header(ts->want, path, dir, (unsigned)mode, size, ts->mtime);
	if (n == 0)
		return fail(ts, "a header ospack never writes (a name of more than %d bytes)",
			    OSP_TARHDR_PATH);
	if (n > BLOCK && !ts->have_pax)
		return fail(ts, "no pax header where ospack writes one");
	if (n == BLOCK && ts->have_pax)
		return fail(ts, "a pax header where ospack writes none");
	if (n > BLOCK) {
		if ((at = differs(ts->paxblk, ts->want)) < BLOCK)
			return fail(ts, "a pax header that differs from ospack's in its %s field",
				    field(at));
		if (ts->paxwant != n - 2 * BLOCK ||
		    memcmp(ts->pax, ts->want + BLOCK, ts->paxwant) != 0)
			return fail(ts, "pax records that differ from ospack's");
	}
	if ((at = differs(b, ts->want + n - BLOCK)) < BLOCK)
		return fail(ts, "a tar header that differs from ospack's in its %s field",
			    field(at));
	return true;
}

static bool entry_header(struct osp_tarscan *ts, const unsigned char *b, bool dir)
{
	uint64_t size, mode, mtime;
	char *path;
	size_t len;

	/* Modes are the verifier's to judge: libarchive reads them as every tar does. */
	if (!number(b + 124, 12, &size) || !number(b + 100, 8, &mode) ||
	    !number(b + 136, 12, &mtime))
		return fail(ts, "a header with a malformed number");
	if (!ts->mtime_set && mtime > OSP_TAR_MTIME_MAX)
		return fail(ts, "a header with an mtime ospack never writes");
	if (!ts->mtime_set)
		ts->mtime = (int64_t)mtime;
	ts->mtime_set = true;
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
	if (!same_as_writer(ts, b, path, dir, mode, size)) {
		free(path);
		return false;
	}
	ts->have_pax = ts->pax_size_set = false;
	if (!push(ts, path, dir, size, ts->pos))
		return false;
	ts->skip = dir ? 0 : (size + BLOCK - 1) / BLOCK * BLOCK;
	ts->data_end = ts->pos + (dir ? 0 : size);
	free(ts->last);
	ts->last = ts->skip ? osp_strdup(path) : NULL;
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
		ts->paxdata = (size_t)size;
		ts->paxwant = ts->paxdata + (BLOCK - size % BLOCK) % BLOCK;
		ts->pax = malloc(ts->paxwant);
		if (ts->pax == NULL)
			return fail(ts, "out of memory");
		memcpy(ts->paxblk, b, BLOCK);
		ts->paxlen = 0;
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
	if ((size_t)(eq - sp - 1) == 5 && memcmp(sp + 1, "mtime", 5) == 0) {
		*used = len;
		return true;
	}
	return fail(ts,
		    "a pax header with the record '%.*s' (ospack writes path, size, mtime only)",
		    (int)(eq - sp - 1 < 40 ? eq - sp - 1 : 40), sp + 1);
}

static bool pax(struct osp_tarscan *ts)
{
	size_t pos = 0, used = 0;

	while (pos < ts->paxdata) {
		if (!pax_record(ts, (const char *)ts->pax + pos, ts->paxdata - pos, &used))
			return false;
		pos += used;
	}
	ts->st = S_HEADER;
	return true;
}

uint64_t osp_tarscan_skippable(const struct osp_tarscan *ts)
{
	return ts->st == S_SKIP && !ts->failed && ts->data_end > ts->pos ? ts->data_end - ts->pos
									 : 0;
}

bool osp_tarscan_skip(struct osp_tarscan *ts, uint64_t n)
{
	if (ts->failed)
		return false;
	if (ts->st != S_SKIP || n > ts->skip || ts->pos + n > ts->data_end)
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
			/* The padding after the data is unsigned: it must be zeros, as written. */
			for (size_t i = 0; i < k; i++)
				if (p[i] != 0 && ts->pos + i >= ts->data_end)
					return fail(ts,
						    "non-zero bytes in the padding after the "
						    "data of %s",
						    ts->last ? ts->last : "an entry");
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

int64_t osp_tarscan_mtime(const struct osp_tarscan *ts)
{
	return ts->mtime_set ? ts->mtime : -1;
}

const char *osp_tar_type_name(unsigned type)
{
	switch (type) {
	case AE_IFLNK:
		return "a symbolic link";
	case AE_IFCHR:
	case AE_IFBLK:
		return "a device";
	case AE_IFIFO:
		return "a FIFO";
	case AE_IFSOCK:
		return "a socket";
	default:
		return "not a regular file or folder";
	}
}
