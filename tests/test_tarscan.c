/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the strict tar header scanner: what ospack writes passes, anything else is named.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "verify/tarscan.h"

#define BLOCK 512

struct stream {
	unsigned char *p;
	size_t len;
};

static void put(struct stream *s, const void *p, size_t n)
{
	s->p = realloc(s->p, s->len + n);
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void octal(unsigned char *f, size_t len, unsigned long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%0*llo", (int)len - 1, v);
	memcpy(f, buf, len - 1);
	f[len - 1] = '\0';
}

static void checksum(unsigned char *b)
{
	unsigned sum = 0;

	memset(b + 148, ' ', 8);
	for (int i = 0; i < BLOCK; i++)
		sum += b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
}

/* A header as ospack's writer makes it; tweak() may change it before the checksum. */
static void header(struct stream *s, const char *name, char type, unsigned mode,
		   unsigned long long size, void (*tweak)(unsigned char *))
{
	unsigned char b[BLOCK] = {0};

	memcpy(b, name, strlen(name) < 100 ? strlen(name) : 100);
	octal(b + 100, 8, mode);
	octal(b + 108, 8, 0);
	octal(b + 116, 8, 0);
	octal(b + 124, 12, size);
	octal(b + 136, 12, 315532800);
	b[156] = (unsigned char)type;
	memcpy(b + 257,
	       "ustar\0"
	       "00",
	       8);
	octal(b + 329, 8, 0);
	octal(b + 337, 8, 0);
	if (tweak != NULL)
		tweak(b);
	checksum(b);
	put(s, b, BLOCK);
}

static void data(struct stream *s, const char *text, size_t n)
{
	unsigned char pad[BLOCK] = {0};

	put(s, text, n);
	put(s, pad, (BLOCK - n % BLOCK) % BLOCK);
}

/* One pax record "LEN key=value\n", its length counted as the format wants. */
static const char *rec(const char *key, const char *value)
{
	static char buf[4][256];
	static int slot;
	char *out = buf[slot++ % 4];
	size_t body = strlen(key) + strlen(value) + 3, len = body + 1;

	while (len != body + (size_t)snprintf(NULL, 0, "%zu", len))
		len = body + (size_t)snprintf(NULL, 0, "%zu", len);
	snprintf(out, sizeof(buf[0]), "%zu %s=%s\n", len, key, value);
	return out;
}

static void pax(struct stream *s, const char *records)
{
	header(s, "PaxHeader/x", 'x', 0644, strlen(records), NULL);
	data(s, records, strlen(records));
}

static void end(struct stream *s)
{
	unsigned char z[2 * BLOCK] = {0};

	put(s, z, sizeof(z));
}

/* A small valid bundle: a folder, a file, a file with a pax path. */
static void good(struct stream *s)
{
	header(s, "b-1/", '5', 0755, 0, NULL);
	header(s, "b-1/data/x.txt", '0', 0644, 5, NULL);
	data(s, "hello", 5);
	pax(s, rec("path", "b-1/data/long-name."));
	header(s, "b-1/data/long", '0', 0755, 3, NULL);
	data(s, "abc", 3);
	end(s);
}

/* Feeds the stream in pieces of step bytes; gives the finish message (NULL: accepted). */
static const char *scan(struct stream *s, size_t step, struct osp_tarscan **out)
{
	struct osp_tarscan *ts = osp_tarscan_new();

	for (size_t i = 0; i < s->len; i += step)
		osp_tarscan_feed(ts, s->p + i, s->len - i < step ? s->len - i : step);
	*out = ts;
	return osp_tarscan_finish(ts);
}

static void expect(struct stream *s, const char *want, const char *what)
{
	struct osp_tarscan *ts;
	const char *got = scan(s, 700, &ts);

	if (want == NULL)
		ok(got == NULL, "%s: accepted%s%s", what, got ? " - got: " : "", got ? got : "");
	else
		has_str(got, want, "%s: refused", what);
	osp_tarscan_free(ts);
	free(s->p);
	s->p = NULL;
	s->len = 0;
}

static void uid1(unsigned char *b)
{
	octal(b + 108, 8, 1000);
}

static void uname(unsigned char *b)
{
	memcpy(b + 265, "root", 4);
}

static void gnu_magic(unsigned char *b)
{
	memcpy(b + 257, "ustar  \0", 8);
}

static void linkname(unsigned char *b)
{
	memcpy(b + 157, "target", 6);
}

static void bad_size(unsigned char *b)
{
	memcpy(b + 124, "12x4", 4);
}

static void test_entries(void)
{
	struct stream s = {0};
	struct osp_tarscan *ts;
	struct osp_tarentry e = {0};

	good(&s);
	for (size_t step = 1; step <= 1024; step = step * 3 + 1) {
		ok(scan(&s, step, &ts) == NULL, "a good stream, fed %zu bytes at a time", step);
		osp_tarscan_free(ts);
	}
	ok(scan(&s, s.len, &ts) == NULL, "a good stream, in one piece");
	ok(osp_tarscan_next(ts, &e) && strcmp(e.path, "b-1") == 0 && e.dir && e.size == 0,
	   "first entry: the folder, without its slash");
	free(e.path);
	e.path = NULL;
	ok(osp_tarscan_next(ts, &e) && strcmp(e.path, "b-1/data/x.txt") == 0 && !e.dir &&
		   e.size == 5,
	   "second entry: the file and its size");
	free(e.path);
	e.path = NULL;
	ok(osp_tarscan_next(ts, &e) && strcmp(e.path, "b-1/data/long-name.") == 0 && e.size == 3,
	   "third entry: the pax path wins over the header's name");
	free(e.path);
	ok(!osp_tarscan_next(ts, &e), "no fourth entry");
	osp_tarscan_free(ts);
	free(s.p);
}

static void test_refusals(void)
{
	struct stream s = {0};
	unsigned char zeros[BLOCK] = {0};

	header(&s, "b-1/data/x", '0', 0644, 1, NULL);
	data(&s, "x", 1);
	expect(&s, "truncated archive: the end-of-archive blocks are missing", "no end blocks");

	header(&s, "b-1/data/x", '0', 0644, 1, NULL);
	data(&s, "x", 1);
	put(&s, zeros, BLOCK);
	expect(&s, "truncated archive", "one end block only");

	good(&s);
	put(&s, "junk", 4);
	expect(&s, "trailing data after the end of the archive", "bytes after the end");

	good(&s);
	put(&s, zeros, 100);
	expect(&s, "trailing data after the end of the archive", "padding not in whole blocks");

	header(&s, "b-1/a", '0', 0644, 0, NULL);
	put(&s, zeros, BLOCK);
	header(&s, "b-1/hidden", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "an entry after an end-of-archive block", "an entry after one zero block");

	header(&s, "b-1/a", '0', 0644, 0, uid1);
	end(&s);
	expect(&s, "owned by someone else than 0/0", "uid 1000");

	header(&s, "b-1/a", '0', 0644, 0, uname);
	end(&s);
	expect(&s, "owned by someone else than 0/0", "an owner name");

	header(&s, "b-1/a", '0', 0644, 0, gnu_magic);
	end(&s);
	expect(&s, "a header that is not POSIX ustar", "GNU tar's magic");

	header(&s, "b-1/a", '0', 0644, 0, linkname);
	end(&s);
	expect(&s, "an entry with a link name or device numbers", "a link name");

	header(&s, "b-1/a", '0', 0644, 0, bad_size);
	end(&s);
	expect(&s, "a header with a malformed number", "a size that is not octal");

	header(&s, "b-1/a", '2', 0644, 0, NULL);
	end(&s);
	expect(&s, "an entry of tar type '2'", "a symbolic link header");

	header(&s, "b-1/a", 'L', 0644, 0, NULL);
	end(&s);
	expect(&s, "an entry of tar type 'L'", "a GNU long name header");

	header(&s, "b-1/a", '5', 0755, 7, NULL);
	end(&s);
	expect(&s, "a folder entry with a size", "a folder with a size");

	pax(&s, rec("comment", "x"));
	header(&s, "b-1/a", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "a pax header with the record 'comment'", "a pax comment");

	pax(&s, rec("path", "b-1/a"));
	pax(&s, rec("path", "b-1/b"));
	header(&s, "b-1/a", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "two pax headers for one entry", "two pax headers");

	pax(&s, rec("path", "b-1/a"));
	end(&s);
	expect(&s, "a pax header without an entry after it", "a pax header before the end");

	pax(&s, "99 path=b-1/a\n");
	header(&s, "b-1/a", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "a malformed pax record", "a pax record of the wrong length");

	pax(&s, rec("size", "-1"));
	header(&s, "b-1/a", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "a malformed pax size", "a negative pax size");

	pax(&s, rec("path", ""));
	header(&s, "b-1/a", '0', 0644, 0, NULL);
	end(&s);
	expect(&s, "an entry with an empty name", "an empty pax path");

	header(&s, "PaxHeader/x", 'x', 0644, 70000, NULL);
	end(&s);
	expect(&s, "a pax header of a size ospack never writes", "a 70000-byte pax header");

	header(&s, "b-1/a", '0', 0644, 0, NULL);
	s.p[148] ^= 1;
	end(&s);
	expect(&s, "a header with a wrong checksum", "a wrong checksum");

	good(&s);
	for (int i = 0; i < 2100; i++)
		put(&s, zeros, BLOCK);
	expect(&s, "more zero padding after the archive", "a megabyte of zeros after the end");

	good(&s);
	for (int i = 0; i < 18; i++)
		put(&s, zeros, BLOCK);
	expect(&s, NULL, "GNU tar's padding to a 10240-byte record");
}

int main(void)
{
	test_entries();
	test_refusals();
	return tap_done();
}
