/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the strict tar header scanner: what ospack writes passes, anything else is named.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "tap.h"
#include "tar_write.h"
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

/* A raw header block of type, the rest as ospack's writer fills it; tweak() may change it. */
static void header(struct stream *s, const char *name, char type, unsigned mode,
		   unsigned long long size, void (*tweak)(unsigned char *))
{
	unsigned char b[OSP_TARHDR_MAX];
	size_t n = osp_tar_header(b, "x", false, mode, size, 315532800);

	memset(b, 0, 100);
	memcpy(b, name, strlen(name) < 100 ? strlen(name) : 100);
	b[156] = (unsigned char)type;
	if (tweak != NULL)
		tweak(b);
	checksum(b);
	put(s, b, n);
}

/* The headers ospack's writer makes for an entry; tweak() may change the last block. */
static void entry(struct stream *s, const char *path, bool dir, unsigned mode,
		  unsigned long long size, void (*tweak)(unsigned char *))
{
	unsigned char b[OSP_TARHDR_MAX];
	size_t n = osp_tar_header(b, path, dir, mode, size, 315532800);

	if (n == 0) {
		ok(0, "a header for %s", path);
		return;
	}
	if (tweak != NULL) {
		tweak(b + n - BLOCK);
		checksum(b + n - BLOCK);
	}
	put(s, b, n);
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
#define LONG                                                                                       \
	"b-1/data/a-file-name-of-more-than-one-hundred-bytes-that-ustar-cannot-hold-in-its-name-"  \
	"field-alone-nor-split-at-a-slash.bin"

static void good(struct stream *s)
{
	entry(s, "b-1", true, 0755, 0, NULL);
	entry(s, "b-1/data/x.txt", false, 0644, 5, NULL);
	data(s, "hello", 5);
	entry(s, LONG, false, 0755, 3, NULL);
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
	ok(osp_tarscan_next(ts, &e) && strcmp(e.path, LONG) == 0 && e.size == 3,
	   "third entry: the pax path wins over the header's name");
	free(e.path);
	ok(!osp_tarscan_next(ts, &e), "no fourth entry");
	osp_tarscan_free(ts);
	free(s.p);
}

static void later(unsigned char *b)
{
	octal(b + 136, 12, 315532801);
	b[147] = ' ';
}

static void name_junk(unsigned char *b)
{
	memcpy(b + 20, "junk", 4);
}

static void zero_mode(unsigned char *b)
{
	memcpy(b + 100, "0000644", 8);
}

static void dotdot(unsigned char *b)
{
	memset(b, 0, 100);
	memset(b + 345, 0, 155);
	memcpy(b, "../evil", 7);
}

/* Headers that hold the right entry, in bytes ospack's writer never makes. */
static void test_not_the_writers(void)
{
	struct stream s = {0};

	entry(&s, "b-1", true, 0755, 0, NULL);
	entry(&s, "b-1/data/x.txt", false, 0644, 5, later);
	data(&s, "hello", 5);
	end(&s);
	expect(&s, "a tar header that differs from ospack's in its mtime field", "another mtime");

	entry(&s, "b-1/data/x.txt", false, 0644, 5, name_junk);
	data(&s, "hello", 5);
	end(&s);
	expect(&s, "a tar header that differs from ospack's in its name field",
	       "bytes after a name's NUL");

	entry(&s, "b-1/data/x.txt", false, 0644, 5, zero_mode);
	data(&s, "hello", 5);
	end(&s);
	expect(&s, "a tar header that differs from ospack's in its mode field",
	       "a mode of 7 digits and a NUL");

	pax(&s, rec("size", "5"));
	entry(&s, "b-1/data/x.txt", false, 0644, 0, NULL);
	data(&s, "hello", 5);
	end(&s);
	expect(&s, "a pax header where ospack writes none", "a pax size over a ustar size of 0");

	pax(&s, rec("path", LONG));
	header(&s, "../evil", '0', 0644, 3, NULL);
	data(&s, "abc", 3);
	end(&s);
	expect(&s, "a pax header that differs from ospack's in its name field",
	       "a pax header named otherwise, over a ustar name ../evil");

	{
		unsigned char b[OSP_TARHDR_MAX];
		size_t n = osp_tar_header(b, LONG, false, 0644, 3, 315532800);

		dotdot(b + n - BLOCK);
		checksum(b + n - BLOCK);
		put(&s, b, n);
	}
	data(&s, "abc", 3);
	end(&s);
	expect(&s, "a tar header that differs from ospack's in its name field",
	       "ospack's pax header over a ustar name ../evil");

	entry(&s, "b-1/data/x.txt", false, 0644, 5, NULL);
	s.p[124] = 0x80;
	memset(s.p + 125, 0, 10);
	s.p[135] = 5;
	checksum(s.p);
	data(&s, "hello", 5);
	end(&s);
	expect(&s, "a tar header that differs from ospack's in its size field", "a base-256 size");
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

/* ---- the encoder against the real writer ---- */

struct sink {
	unsigned char buf[OSP_TARHDR_MAX];
	size_t len;
	bool stop;
};

/* Keeps the first bytes; fails once stopped, so that no file data is written. */
static la_ssize_t sink_write(struct archive *a, void *arg, const void *p, size_t n)
{
	struct sink *k = arg;
	size_t m = n < sizeof(k->buf) - k->len ? n : sizeof(k->buf) - k->len;

	(void)a;
	if (k->stop)
		return -1;
	memcpy(k->buf + k->len, p, m);
	k->len += m;
	return (la_ssize_t)n;
}

/* The header bytes libarchive, set up as lib/tar_write.c sets it up, writes for an entry. */
static size_t writer_header(struct sink *k, const char *path, bool dir, unsigned mode,
			    uint64_t size, int64_t mtime)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char *p = osp_asprintf(dir ? "%s/" : "%s", path);
	int rc;

	memset(k, 0, sizeof(*k));
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_none(a);
	archive_write_set_bytes_per_block(a, 0);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open2(a, k, NULL, sink_write, NULL, NULL);
	archive_entry_set_pathname_utf8(e, p);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, mode);
	archive_entry_set_size(e, dir ? 0 : (la_int64_t)size);
	archive_entry_set_mtime(e, (time_t)mtime, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	rc = archive_write_header(a, e);
	k->stop = true;
	archive_write_free(a);
	archive_entry_free(e);
	free(p);
	return rc == ARCHIVE_OK ? k->len : 0;
}

static int mismatches;

static void cross(const char *path, bool dir, unsigned mode, uint64_t size, int64_t mtime)
{
	static struct sink k;
	unsigned char mine[OSP_TARHDR_MAX];
	size_t n = osp_tar_header(mine, path, dir, mode, size, mtime);
	size_t w = writer_header(&k, path, dir, mode, size, mtime);

	if (n == w && n > 0 && memcmp(mine, k.buf, n) == 0)
		return;
	if (++mismatches <= 5) {
		size_t at = 0;

		while (at < n && at < w && mine[at] == k.buf[at])
			at++;
		tap_diag("differs from libarchive: %s%s mode %o size %llu mtime %lld: %zu vs %zu "
			 "bytes, "
			 "first difference at %zu",
			 path, dir ? "/" : "", mode, (unsigned long long)size, (long long)mtime, n,
			 w, at);
	}
}

static unsigned long long rnd_state = 88172645463325252ULL;

static unsigned rnd(unsigned n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return (unsigned)(rnd_state % n);
}

/* A name of components of the given lengths' kind: ASCII, or now and then UTF-8. */
static void random_name(char *out, size_t max)
{
	static const char *const pieces[] = {"a", "b", "z",	   "0",		  "-",
					     "_", ".", "\xc3\xa9", "\xe6\x97\xa5"};
	size_t len = 0, want = 1 + rnd(rnd(2) ? 120 : 420);

	while (len < want && len + 8 < max) {
		size_t comp = 1 + rnd(rnd(4) ? 12 : 140);

		if (len > 0)
			out[len++] = '/';
		for (size_t i = 0; i < comp && len + 8 < max; i++) {
			const char *p = pieces[rnd(rnd(6) ? 6 : 9)];

			memcpy(out + len, p, strlen(p));
			len += strlen(p);
		}
	}
	out[len] = '\0';
}

static void test_against_writer(void)
{
	static const uint64_t sizes[] = {0,
					 1,
					 511,
					 512,
					 077777777777ULL,
					 (uint64_t)1 << 33,
					 ((uint64_t)1 << 36) - 1,
					 (uint64_t)1 << 36,
					 100ULL << 30,
					 (uint64_t)1 << 62};
	static const int64_t mtimes[] = {315532800,    0,	    0x7ffffffe, 0x7fffffff,
					 4000000000LL, 8589934591LL};
	char name[700], fixed[8][700];
	int cases = 0;

	memset(fixed, 0, sizeof(fixed));
	snprintf(fixed[0], 700, "b-1/data/x.txt");
	memset(fixed[1], 'n', 100);			   /* 100 bytes: ustar's name field, full */
	memset(fixed[2], 'n', 101);			   /* 101 bytes, no '/': a pax path */
	snprintf(fixed[3], 700, "b-1/%0150d/%099d", 0, 0); /* splits into prefix and name */
	snprintf(fixed[4], 700, "b-1/%0160d/%040d/x", 0, 0); /* prefix too long */
	snprintf(fixed[5], 700, "b-1/data/%0300d", 0);	     /* a file name of 300 bytes */
	snprintf(fixed[6], 700, "b-1/data/caf\xc3\xa9.txt");
	snprintf(fixed[7], 700, "b-1/%0200d/\xe6\x97\xa5%0120d", 0, 0);
	for (int f = 0; f < 8; f++)
		for (int d = 0; d < 2; d++)
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				for (size_t t = 0; t < sizeof(mtimes) / sizeof(mtimes[0]); t++)
					for (unsigned mode = 0644; mode <= 0755;
					     mode += 0755 - 0644) {
						cross(fixed[f], d, mode, d ? 0 : sizes[s],
						      mtimes[t]);
						cases++;
					}
	for (int i = 0; i < 20000; i++) {
		random_name(name, sizeof(name));
		cross(name, rnd(4) == 0, rnd(2) ? 0644 : 0755, sizes[rnd(10)],
		      rnd(8) ? 315532800 : mtimes[rnd(6)]);
		cases++;
	}
	ok(mismatches == 0, "the encoder gives libarchive's bytes in %d cases of %d",
	   cases - mismatches, cases);
}

/*
 * Build names its entries with osp_tarname_get: for any name, that form is
 * what libarchive's writer stores when given the name as it is on disk, it is
 * a fixed point (libarchive's reader composes it to itself), and the encoder
 * gives its header bytes. NFC and ASCII names are their own form.
 */
static void test_stored_names(void)
{
	static const struct {
		const char *disk, *stored;
	} names[] = {
		{"b-1/data/cafe\xcc\x81.txt", "b-1/data/caf\xc3\xa9.txt"}, /* NFD */
		{"b-1/data/caf\xc3\xa9.txt", "b-1/data/caf\xc3\xa9.txt"},  /* NFC */
		{"b-1/e\xcc\x81/e\xcc\x81", "b-1/\xc3\xa9/\xc3\xa9"},	   /* folders too */
		{"b-1/\xe1\x84\x80\xe1\x85\xa1", "b-1/\xea\xb0\x80"},	   /* Hangul jamo */
		{"b-1/a\xcc\x82\xcc\x81", "b-1/\xe1\xba\xa5"},		   /* two marks */
		{"b-1/\xe2\x84\xab", "b-1/\xe2\x84\xab"},		   /* left as it is */
		{"b-1/data/x.txt", "b-1/data/x.txt"},
	};
	struct osp_tarname *t = osp_tarname_new();
	static struct sink k;
	unsigned char mine[OSP_TARHDR_MAX];
	int right = 0, n = (int)(sizeof(names) / sizeof(names[0]));

	ok(t != NULL, "the name converter starts");
	if (t == NULL)
		return;
	for (int i = 0; i < n; i++) {
		const char *got = osp_tarname_get(t, names[i].disk);
		char *stored = got ? osp_strdup(got) : NULL;
		size_t len, w;
		bool fine;

		if (stored == NULL)
			continue;
		len = osp_tar_header(mine, stored, false, 0644, 3, 315532800);
		w = writer_header(&k, names[i].disk, false, 0644, 3, 315532800);
		got = osp_tarname_get(t, stored);
		fine = strcmp(stored, names[i].stored) == 0 && got != NULL &&
		       strcmp(got, stored) == 0 && len > 0 && len == w &&
		       memcmp(mine, k.buf, len) == 0;
		if (!fine)
			tap_diag("stored form of name %d: %s", i, stored);
		right += fine;
		free(stored);
	}
	ok(right == n, "names in the stored form: %d of %d as libarchive writes them", right, n);
	ok(strcmp(osp_tarname_get(t, names[1].disk), names[1].disk) == 0 &&
		   osp_tarname_get(t, names[6].disk) == names[6].disk,
	   "NFC and ASCII names are their own stored form");
	ok(osp_tarname_get(t, "b-1/\xff\xfe") != NULL,
	   "a name that is not UTF-8 is left to the path checks");
	osp_tarname_free(t);
}

/* A stream the real writer (lib/tar_write.c) made is accepted, entry for entry. */
static void test_real_writer(void)
{
	static const char *const files[] = {
		"b-1/data/x.txt", LONG, "b-1/data/caf\xc3\xa9.txt",
		"b-1/data/"
		"0123456789012345678901234567890123456789012345678901234567890123456789"
		"0123456789012345678901234567890123456789/"
		"y.bin"};
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_awriter *w = NULL;
	struct osp_tarscan *ts = osp_tarscan_new();
	struct osp_tarentry e;
	unsigned char sha[32], buf[65536];
	uint64_t bytes;
	FILE *f = tmpfile();
	size_t n, count = 0;
	bool same = true;

	ok(f != NULL && osp_awriter_open(ctx, fileno(f), 4000000000LL, false, &w) == OSPACK_OK,
	   "the writer opens");
	if (w == NULL)
		return;
	osp_awriter_dir(ctx, w, "b-1");
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		osp_awriter_file(ctx, w, files[i], "abc", i);
	ok(osp_awriter_finish(ctx, w, sha, &bytes) == OSPACK_OK, "the writer finishes");
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		osp_tarscan_feed(ts, buf, n);
	ok(osp_tarscan_finish(ts) == NULL, "the scanner accepts what the writer wrote%s%s",
	   osp_tarscan_error(ts) ? ": " : "", osp_tarscan_error(ts) ? osp_tarscan_error(ts) : "");
	while (osp_tarscan_next(ts, &e)) {
		same = same && strcmp(e.path, count == 0 ? "b-1" : files[count - 1]) == 0;
		free(e.path);
		count++;
	}
	ok(same && count == 5, "with the writer's entries (%zu)", count);
	ok(osp_tarscan_mtime(ts) == 4000000000LL, "and its mtime");
	osp_awriter_free(w);
	osp_tarscan_free(ts);
	ospack_ctx_free(ctx);
	fclose(f);
}

int main(void)
{
	struct osp_locale *loc = osp_locale_utf8_push();

	test_against_writer();
	test_real_writer();
	test_stored_names();
	test_entries();
	test_refusals();
	test_not_the_writers();
	osp_locale_pop(loc);
	return tap_done();
}
