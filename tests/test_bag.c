/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the BagIt tag files, and of the path, UTF-8 and hex helpers they rely on. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bag.h"
#include "filelist.h"
#include "hash.h"
#include "tap.h"

#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_UPPER "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"

/* Printable form of a short string for test names: CR, LF and bytes >= 0x80 escaped. */
static const char *show(const char *s, size_t n)
{
	static char out[4][256];
	static int slot;
	char *o = out[slot++ % 4];
	size_t k = 0;

	for (size_t i = 0; i < n && k + 5 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '#' && c != '\\')
			o[k++] = (char)c;
		else
			k += (size_t)snprintf(o + k, sizeof(out[0]) - k, "\\x%02x", c);
	}
	o[k] = '\0';
	return o;
}

struct encode_case {
	const char *raw, *encoded;
};

static const struct encode_case encode_cases[] = {
	{"data/a.txt", "data/a.txt"},
	{"", ""},
	{"data/100%.txt", "data/100%25.txt"},
	{"a\nb", "a%0Ab"},
	{"a\rb", "a%0Db"},
	{"\r\n%", "%0D%0A%25"},
	{"%0A", "%250A"},
	{"%%", "%25%25"},
	{"with space/and\ttab.txt", "with space/and\ttab.txt"},
	{"caf\xc3\xa9/\xe2\x82\xac \xf0\x9f\x98\x80.bin",
	 "caf\xc3\xa9/\xe2\x82\xac \xf0\x9f\x98\x80.bin"},
	{"data/*.txt #1", "data/*.txt #1"},
};

static void test_encode(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(encode_cases); i++) {
		const struct encode_case *c = &encode_cases[i];
		struct osp_buf b = {0};
		char *back;

		osp_buf_puts(&b, "");
		osp_bag_encode_path(&b, c->raw);
		is_str(b.data, c->encoded, "encode '%s'", show(c->raw, strlen(c->raw)));
		back = osp_bag_decode_path(b.data, b.len);
		if (c->raw[0] != '\0')
			is_str(back, c->raw, "decode back '%s'",
			       show(c->encoded, strlen(c->encoded)));
		else /* osp_buf_steal() of an empty buffer returns memory it never terminated */
			ok(back != NULL && back[0] == '\0', "decode of an empty path is empty");
		free(back);
		osp_buf_free(&b);
	}
}

struct decode_case {
	const char *in;
	size_t n; /* bytes of in to decode */
	const char *out;
};

static const struct decode_case decode_cases[] = {
	{"a%0ab", 5, "a\nb"},
	{"a%0db", 5, "a\rb"},
	{"%0a%0D%25", 9, "\n\r%"},
	{"%41%20%2", 8, "%41%20%2"}, /* other escapes, and a cut one, stay as written */
	{"%", 1, "%"},
	{"%2525", 5, "%25"}, /* one pass only */
	{"x%25", 4, "x%"},   /* an escape that ends the input */
	{"%0A", 2, "%0"},    /* n bounds the input */
	{"a%0Axyz", 4, "a\n"},
	{"%0g", 3, "%0g"},
};

static void test_decode(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];
		char *got = osp_bag_decode_path(c->in, c->n);

		is_str(got, c->out, "decode %zu bytes of '%s'", c->n, show(c->in, strlen(c->in)));
		free(got);
	}
	{
		char *got = osp_bag_decode_path("%2\x15", 4);

		/* The case folding that accepts %0a also turns 0x15 into '5'. */
		ok(got != NULL && strcmp(got, "%2\x15") == 0,
		   "decode keeps an unknown escape with a control byte");
		free(got);
	}
}

static void test_lines(void)
{
	struct osp_buf b = {0};

	osp_bag_manifest_line(&b, SHA, "data/docs/card/MODEL CARD.md");
	osp_bag_manifest_line(&b, SHA, "data/a%\nb");
	is_str(b.data, SHA "  data/docs/card/MODEL CARD.md\n" SHA "  data/a%25%0Ab\n",
	       "manifest lines: hex, two spaces, encoded path, newline");
	osp_buf_free(&b);

	osp_bag_fetch_line(&b, "https://example.org/pile.jsonl.zst?v=2", 1048576,
			   "data/datasets/pile/pile.jsonl.zst");
	osp_bag_fetch_line(&b, "https://example.org/x", UINT64_MAX, "data/datasets/x/100%\r");
	osp_bag_fetch_line(&b, "https://example.org/e", 0, "data/datasets/e/e");
	is_str(b.data,
	       "https://example.org/pile.jsonl.zst?v=2 1048576 data/datasets/pile/pile.jsonl.zst\n"
	       "https://example.org/x 18446744073709551615 data/datasets/x/100%25%0D\n"
	       "https://example.org/e 0 data/datasets/e/e\n",
	       "fetch lines: url, size, encoded path");
	osp_buf_free(&b);
}

/* What osp_bag_manifest_line() writes, checked by sha256sum -c itself. */
static void test_sha256sum(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	const char *tmp = getenv("TMPDIR");
	char dir[4096], hex[65], *cmd = NULL, *file = NULL, *mf = NULL;
	unsigned char d[32];
	struct osp_buf b = {0};
	FILE *f;
	int rc;

	if (system("command -v sha256sum >/dev/null 2>&1") != 0) {
		printf("ok %d # SKIP sha256sum not found\n", ++tap_n);
		printf("ok %d # SKIP sha256sum not found\n", ++tap_n);
		ospack_ctx_free(ctx);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/ospack-test-bag-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("Bail out! cannot create a temporary folder: %s\n", strerror(errno));
		exit(99);
	}
	file = osp_asprintf("%s/a file.txt", dir);
	mf = osp_asprintf("%s/manifest-sha256.txt", dir);
	f = fopen(file, "wb");
	if (f == NULL || fputs("hello bag\n", f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", file);
		exit(99);
	}
	osp_digest(ctx, OSP_SHA256, "hello bag\n", 10, d);
	osp_hex(d, sizeof(d), hex);
	osp_bag_manifest_line(&b, hex, "a file.txt");
	f = fopen(mf, "wb");
	if (f == NULL || fputs(b.data, f) < 0 || fclose(f) != 0)
		exit(99);
	cmd = osp_asprintf("cd '%s' && sha256sum -c --strict manifest-sha256.txt >/dev/null 2>&1",
			   dir);
	rc = system(cmd);
	ok(rc == 0, "sha256sum -c accepts a manifest line");

	/* The same line with another digest must fail, or the check above proves nothing. */
	osp_buf_free(&b);
	osp_bag_manifest_line(&b, SHA, "a file.txt");
	f = fopen(mf, "wb");
	if (f == NULL || fputs(b.data, f) < 0 || fclose(f) != 0)
		exit(99);
	rc = system(cmd);
	ok(rc != 0, "sha256sum -c refuses a wrong digest in the same form");

	remove(mf);
	remove(file);
	rmdir(dir);
	free(cmd);
	free(file);
	free(mf);
	osp_buf_free(&b);
	ospack_ctx_free(ctx);
}

static char *info(const char *id, const char *desc, int64_t date, uint64_t octets, uint64_t count)
{
	struct osp_bag_info bi = {id, desc, date, octets, count};
	struct osp_buf b = {0};

	osp_bag_info_txt(&b, &bi);
	return osp_buf_steal(&b, NULL);
}

static void test_info(void)
{
	char *got;

	/* A zone ten hours behind UTC: 00:13 UTC is still the day before there. */
	setenv("TZ", "HST10", 1);
	tzset();
	got = info("tiny-stories-15m-1.0.0",
		   "A small model.\nTrained on stories.\n\n  Second paragraph.\t\n", 1700007200,
		   12345, 7);
	is_str(got,
	       "Bag-Software-Agent: ospack\n"
	       "Bagging-Date: 2023-11-15\n"
	       "External-Description: A small model.\n"
	       "  Trained on stories.\n"
	       "  Second paragraph.\n"
	       "External-Identifier: tiny-stories-15m-1.0.0\n"
	       "Payload-Oxum: 12345.7\n",
	       "bag-info.txt: exact text, description folded, date in UTC");
	free(got);

	got = info("x-1", NULL, 0, 0, 0);
	is_str(got,
	       "Bag-Software-Agent: ospack\nBagging-Date: 1970-01-01\nExternal-Identifier: x-1\n"
	       "Payload-Oxum: 0.0\n",
	       "bag-info.txt: no description, epoch date, empty payload");
	free(got);

	got = info("x-1", "", -1, UINT64_MAX, 1);
	is_str(got,
	       "Bag-Software-Agent: ospack\nBagging-Date: 1969-12-31\nExternal-Identifier: x-1\n"
	       "Payload-Oxum: 18446744073709551615.1\n",
	       "bag-info.txt: empty description left out, date before the epoch, large oxum");
	free(got);

	got = info("x-1", "one\r\ntwo\tthree", 86399, 1, 1);
	has_str(got, "\nBagging-Date: 1970-01-01\nExternal-Description: one\n  two three\n",
		"bag-info.txt: CR dropped, tab made a space, last second of a day");
	free(got);
	unsetenv("TZ");
	tzset();
}

struct bad_manifest {
	const char *what, *text, *want;
	size_t hexlen;
};

static const struct bad_manifest bad_manifests[] = {
	{"63 hex digits",
	 SHA "  a\n"
	     "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0  b\n",
	 "m.txt: line 2: malformed manifest line", 64},
	{"65 hex digits", SHA "0  a\n", "m.txt: line 1: malformed manifest line", 64},
	{"a non-hex digit", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g  a\n",
	 "m.txt: line 1: malformed manifest line", 64},
	{"no separator", SHA "*a\n", "m.txt: line 1: malformed manifest line", 64},
	{"hex alone", SHA "\n", "m.txt: line 1: malformed manifest line", 64},
	{"no path after the separator", SHA "  \n", "m.txt: line 1: no file path", 64},
	{"no path after the marker", SHA " *", "m.txt: line 1: no file path", 64},
	{"an empty line", SHA "  a\n\n" SHA "  b\n", "m.txt: line 2: malformed manifest line", 64},
	{"sha256 read as sha512", SHA "  a\n", "m.txt: line 1: malformed manifest line", 128},
	{"leading space", " " SHA "  a\n", "m.txt: line 1: malformed manifest line", 64},
};

static void test_parse_manifest(void)
{
	static const char text[] =
		SHA "  data/a.txt\n" SHA_UPPER "\tdata/b c.txt\r\n" SHA " *data/100%25.bin\n" SHA
		    "  data/x%0Ay\r\n" SHA "   data/ lead";
	static const char *const paths[] = {"data/a.txt", "data/b c.txt", "data/100%.bin",
					    "data/x\ny", "data/ lead"};
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_bag_line *v = NULL;
	size_t n = 0;
	ospack_error rc;

	rc = osp_bag_parse_manifest(ctx, "m.txt", text, sizeof(text) - 1, 64, &v, &n);
	ok(rc == OSPACK_OK, "manifest: valid lines parse");
	is_int(n, OSP_ARRAY_LEN(paths), "manifest: five lines");
	for (size_t i = 0; rc == OSPACK_OK && i < n && i < OSP_ARRAY_LEN(paths); i++) {
		is_str(v[i].path, paths[i], "manifest: line %zu path decoded", i + 1);
		ok(strcmp(v[i].hex, SHA) == 0 && v[i].line == i + 1,
		   "manifest: line %zu digest in lower case, line number", i + 1);
	}
	if (rc == OSPACK_OK)
		osp_bag_lines_free(v, n);

	rc = osp_bag_parse_manifest(ctx, "m.txt", "", 0, 64, &v, &n);
	ok(rc == OSPACK_OK && n == 0, "manifest: empty text, no lines");
	if (rc == OSPACK_OK)
		osp_bag_lines_free(v, n);

	for (size_t i = 0; i < OSP_ARRAY_LEN(bad_manifests); i++) {
		const struct bad_manifest *c = &bad_manifests[i];

		v = NULL;
		rc = osp_bag_parse_manifest(ctx, "m.txt", c->text, strlen(c->text), c->hexlen, &v,
					    &n);
		ok(rc == OSPACK_EREJECT, "manifest with %s: rejected", c->what);
		is_str(ospack_ctx_message(ctx), c->want, "manifest with %s: message", c->what);
		if (rc == OSPACK_OK)
			osp_bag_lines_free(v, n);
	}
	ospack_ctx_free(ctx);
}

struct oxum_case {
	const char *what, *text;
	int rc;
	uint64_t octets, count;
};

static const struct oxum_case oxum_cases[] = {
	{"present", "Bag-Software-Agent: ospack\nPayload-Oxum: 12345.7\nBagging-Date: x\n", 0,
	 12345, 7},
	{"first line, no newline", "Payload-Oxum: 5.1", 0, 5, 1},
	{"no space after the colon", "Payload-Oxum:0.0\n", 0, 0, 0},
	{"largest values", "Payload-Oxum: 18446744073709551615.18446744073709551615\n", 0,
	 UINT64_MAX, UINT64_MAX},
	{"absent", "Bag-Software-Agent: ospack\n", -1, 0, 0},
	{"empty text", "", -1, 0, 0},
	{"not at a line start", "X-Payload-Oxum: 1.2\n", -1, 0, 0},
	{"no value", "Payload-Oxum:\n", -1, 0, 0},
	{"only spaces", "Payload-Oxum:   \n", -1, 0, 0},
	{"no dot", "Payload-Oxum: 123\n", -1, 0, 0},
	{"two dots", "Payload-Oxum: 1.2.3\n", -1, 0, 0},
	{"no octets", "Payload-Oxum: .7\n", -1, 0, 0},
	{"no count", "Payload-Oxum: 7.\n", -1, 0, 0},
	{"letters", "Payload-Oxum: a.b\n", -1, 0, 0},
	{"a sign", "Payload-Oxum: -1.2\n", -1, 0, 0},
	{"a space inside", "Payload-Oxum: 1 .2\n", -1, 0, 0},
	{"a value too long",
	 "Payload-Oxum: 1234567890123456789012345678901234567890."
	 "12345678901234567890123456789\n",
	 -1, 0, 0},
};

static void test_oxum(void)
{
	uint64_t octets, count;
	int rc;

	for (size_t i = 0; i < OSP_ARRAY_LEN(oxum_cases); i++) {
		const struct oxum_case *c = &oxum_cases[i];

		octets = count = 42;
		rc = osp_bag_oxum(c->text, strlen(c->text), &octets, &count);
		if (c->rc == 0)
			ok(rc == 0 && octets == c->octets && count == c->count,
			   "oxum %s: %llu.%llu", c->what, (unsigned long long)c->octets,
			   (unsigned long long)c->count);
		else
			is_int(rc, -1, "oxum %s: refused", c->what);
	}
	/* Only the given length is read. */
	rc = osp_bag_oxum("Payload-Oxum: 12.34", 18, &octets, &count);
	ok(rc == 0 && octets == 12 && count == 3, "oxum: length bounds the text");

	rc = osp_bag_oxum("Payload-Oxum: 12.3\r\n", 20, &octets, &count);
	ok(rc == 0 && octets == 12 && count == 3, "oxum in a bag-info.txt with CRLF line ends");
	rc = osp_bag_oxum("Payload-Oxum: 18446744073709551616.1\n", 37, &octets, &count);
	ok(rc == -1, "oxum beyond 64 bits refused");
}

struct relpath_case {
	const char *rel, *want; /* want NULL: accepted */
};

static const struct relpath_case relpath_cases[] = {
	{"a", NULL},
	{"a/b.txt", NULL},
	{"a/.hidden", NULL},
	{"a/..b/c...", NULL},
	{"with space/caf\xc3\xa9", NULL},
	{"", "code[0]: empty file name"},
	{"/etc/passwd", "code[0]: /etc/passwd: absolute path"},
	{"a//b", "code[0]: a//b: empty, '.' or '..' path component"},
	{".", "code[0]: .: empty, '.' or '..' path component"},
	{"..", "code[0]: ..: empty, '.' or '..' path component"},
	{"./a", "code[0]: ./a: empty, '.' or '..' path component"},
	{"a/./b", "code[0]: a/./b: empty, '.' or '..' path component"},
	{"../a", "code[0]: ../a: empty, '.' or '..' path component"},
	{"a/..", "code[0]: a/..: empty, '.' or '..' path component"},
	{"a/", "code[0]: a/: empty, '.' or '..' path component"},
	{"a/b/", "code[0]: a/b/: empty, '.' or '..' path component"},
	{"a\nb", "code[0]: a\\x0ab: file name contains a line break"},
	{"a\rb", "code[0]: a\\x0db: file name contains a line break"},
	{"caf\xe9", "code[0]: caf\\xe9: file name is not valid UTF-8"},
};

static void test_relpath(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(relpath_cases); i++) {
		const struct relpath_case *c = &relpath_cases[i];
		ospack_error rc = osp_check_relpath(ctx, "code[0]", c->rel);
		const char *shown = show(c->rel, strlen(c->rel));

		if (c->want == NULL) {
			is_int(rc, OSPACK_OK, "relpath '%s' accepted", shown);
			continue;
		}
		if (!ok(rc == OSPACK_EMANIFEST && strcmp(ospack_ctx_message(ctx), c->want) == 0,
			"relpath '%s' refused with its message", shown))
			tap_diag("  got %d '%s'", (int)rc, ospack_ctx_message(ctx));
	}
	ospack_ctx_free(ctx);
}

struct utf8_case {
	const char *what, *s;
	size_t n;
	bool valid;
};

#define U(what, lit, valid)                                                                        \
	{                                                                                          \
		what, lit, sizeof(lit) - 1, valid                                                  \
	}

static const struct utf8_case utf8_cases[] = {
	U("empty", "", true),
	U("ASCII", "abc", true),
	U("embedded NUL", "a\0b", true),
	U("U+0080", "\xc2\x80", true),
	U("U+07FF", "\xdf\xbf", true),
	U("U+0800", "\xe0\xa0\x80", true),
	U("U+20AC", "\xe2\x82\xac", true),
	U("U+D7FF", "\xed\x9f\xbf", true),
	U("U+E000", "\xee\x80\x80", true),
	U("U+FFFF", "\xef\xbf\xbf", true),
	U("U+10000", "\xf0\x90\x80\x80", true),
	U("U+1F600", "\xf0\x9f\x98\x80", true),
	U("U+10FFFF", "\xf4\x8f\xbf\xbf", true),
	U("overlong NUL", "\xc0\x80", false),
	U("overlong U+007F", "\xc1\xbf", false),
	U("overlong U+0000 in 3", "\xe0\x80\x80", false),
	U("overlong U+07FF", "\xe0\x9f\xbf", false),
	U("overlong U+0000 in 4", "\xf0\x80\x80\x80", false),
	U("overlong U+FFFF", "\xf0\x8f\xbf\xbf", false),
	U("surrogate U+D800", "\xed\xa0\x80", false),
	U("surrogate U+DBFF", "\xed\xaf\xbf", false),
	U("surrogate U+DC00", "\xed\xb0\x80", false),
	U("surrogate U+DFFF", "\xed\xbf\xbf", false),
	U("U+110000", "\xf4\x90\x80\x80", false),
	U("lead F5", "\xf5\x80\x80\x80", false),
	U("five bytes", "\xf8\x88\x80\x80\x80", false),
	U("byte FE", "\xfe", false),
	U("byte FF", "\xff", false),
	U("lone continuation", "\x80", false),
	U("continuation after ASCII", "a\xbf", false),
	U("truncated 2", "\xc3", false),
	U("truncated 3", "\xe2\x82", false),
	U("truncated 4", "\xf0\x9f\x98", false),
	U("truncated at the end", "ok\xe2\x82", false),
	U("bad continuation", "\xe2\x28\xa1", false),
	U("ASCII as continuation", "\xc3\x29", false),
	U("Latin-1", "caf\xe9", false),
};

static void test_utf8(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];

		ok(osp_utf8_valid(c->s, c->n) == c->valid, "utf8 %s: %s", c->what,
		   c->valid ? "valid" : "invalid");
	}
	ok(!osp_utf8_valid("\xc3\xa9", 1), "utf8: a sequence cut by the length is invalid");
	ok(osp_utf8_valid("a\xff", 1), "utf8: bytes past the length are not read");
}

static void test_hex(void)
{
	static const unsigned char bytes[] = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
	unsigned char all[256], back[256];
	char hex[2 * 256 + 1];

	osp_hex(bytes, sizeof(bytes), hex);
	is_str(hex, "00017f80abff", "hex: lower case, two digits a byte");
	osp_hex(bytes, 0, hex);
	is_str(hex, "", "hex: no bytes, empty string");
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	osp_hex(all, sizeof(all), hex);
	ok(osp_unhex(hex, back, sizeof(back)) == 0 && memcmp(all, back, sizeof(all)) == 0,
	   "unhex: every byte value round-trips");
	ok(osp_unhex("00017F80ABff", back, 6) == 0 && memcmp(back, bytes, 6) == 0,
	   "unhex: upper case accepted");
	ok(osp_unhex("", back, 0) == 0, "unhex: empty for zero bytes");
	ok(osp_unhex("00017f80abf", back, 6) == -1, "unhex: one digit short");
	ok(osp_unhex("00017f80ab", back, 6) == -1, "unhex: one byte short");
	ok(osp_unhex("00017f80abff00", back, 6) == -1, "unhex: too long");
	ok(osp_unhex("0g", back, 1) == -1, "unhex: a non-hex low digit");
	ok(osp_unhex("g0", back, 1) == -1, "unhex: a non-hex high digit");
	ok(osp_unhex(" 0", back, 1) == -1, "unhex: a space");
	ok(osp_is_lower_hex("0af9", 4), "is_lower_hex: lower case digits");
	ok(!osp_is_lower_hex("0AF9", 4), "is_lower_hex: upper case refused");
	ok(!osp_is_lower_hex("0af9", 3), "is_lower_hex: longer than n refused");
	ok(!osp_is_lower_hex("0ag9", 4), "is_lower_hex: non-hex refused");
}

int main(void)
{
	test_encode();
	test_decode();
	test_lines();
	test_sha256sum();
	test_info();
	test_parse_manifest();
	test_oxum();
	test_relpath();
	test_utf8();
	test_hex();
	return tap_done();
}
