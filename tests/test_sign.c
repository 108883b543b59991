/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of keys, signatures, DSSE PAE and base64, cross-checked with the openssl command. */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign.h"
#include "tap.h"

/* A fixed Ed25519 key made once with `openssl genpkey -algorithm ed25519`; for tests only. */
static const char golden_key[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIHMsdhOtjIqIHKSPeS0tKdZdw7pGhhTEW5SuCZh1DLwb\n"
	"-----END PRIVATE KEY-----\n";
static const char golden_pub[] = "-----BEGIN PUBLIC KEY-----\n"
				 "MCowBQYDK2VwAyEAsXFObjaopT6RV4dOnqOgrKImfk77mWgGMyan3dtkZU0=\n"
				 "-----END PUBLIC KEY-----\n";
/* `openssl pkey -pubin -in pub.pem -outform DER | sha256sum` */
static const char golden_id[] = "41998dd5b9c3597ad9bf064a7486a3a8e2bd41f08135940e32619f6b359620e2";
/* `openssl pkeyutl -sign -rawin -inkey key.pem -in msg` over the PAE of the DSSE example. */
static const char golden_sig[] = "6ae69401666dc5581a54d92023e7b10aff1f2f95184189a9212388ee2c41aed1"
				 "7a41074d65232daed3727229980ac47f410222c0f7a45139dd741fd00f0c9c0c";
static const char hello_pae[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";

static char tmpdir[PATH_MAX];
static bool have_openssl;

/* A path inside the test's temp folder; a small ring of buffers so a few can be live at once. */
static const char *tp(const char *name)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *p = ring[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(tp(name), "wb");

	if (f == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0)
		tap_diag("cannot write %s", tp(name));
}

/* Reads at most cap - 1 bytes of a file in the temp folder; returns the count or -1. */
static long read_file(const char *name, char *buf, size_t cap)
{
	FILE *f = fopen(tp(name), "rb");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (long)n;
}

static bool exists(const char *name)
{
	struct stat st;

	return lstat(tp(name), &st) == 0;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Runs a shell command in the temp folder, quietly; returns its exit status. */
static int sh(const char *fmt, ...)
{
	char cmd[2048], full[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "cd '%s' && { %s; } >/dev/null 2>&1", tmpdir, cmd);
	st = system(full);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The key id openssl computes from a PEM file (public, or private when priv). */
static void openssl_keyid(const char *name, bool priv, char out[65])
{
	char cmd[1024];
	FILE *p;

	out[0] = '\0';
	snprintf(cmd, sizeof(cmd), "openssl pkey %s -in '%s' -pubout -outform DER | sha256sum",
		 priv ? "" : "-pubin", tp(name));
	p = popen(cmd, "r");
	if (p == NULL)
		return;
	if (fgets(out, 65, p) == NULL)
		out[0] = '\0';
	pclose(p);
}

static void hex(const unsigned char *p, size_t n, char *out)
{
	osp_hex(p, n, out);
}

/* The passphrase for encrypted private keys (the command line reads OSPACK_KEY_PASSWORD). */
static const char *password;

static struct osp_key *load(const char *name, bool priv)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_key *k = NULL;
	ospack_error rc;

	if (priv)
		rc = osp_key_load_private(ctx, tp(name), password, &k);
	else
		rc = osp_key_load_public(ctx, tp(name), &k);
	if (rc != OSPACK_OK)
		tap_diag("loading %s: %s", name, ospack_ctx_message(ctx));
	ospack_ctx_free(ctx);
	return k;
}

/* Loading spec (a temp file name, or "env:..." as is) fails with OSPACK_EKEY and want. */
static void load_fails(const char *spec, bool priv, const char *want, const char *what)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	const char *s = strncmp(spec, "env:", 4) == 0 ? spec : tp(spec);
	struct osp_key *k = (struct osp_key *)&k;
	ospack_error rc;

	rc = priv ? osp_key_load_private(ctx, s, password, &k) : osp_key_load_public(ctx, s, &k);
	ok(rc == OSPACK_EKEY && k == NULL, "%s: refused with OSPACK_EKEY", what);
	has_str(ospack_ctx_message(ctx), want, "%s: message", what);
	osp_key_free(rc == OSPACK_OK ? k : NULL);
	ospack_ctx_free(ctx);
}

struct pae_case {
	const char *type, *body;
	size_t n;
	const char *want;
	size_t wantlen;
};

static void test_pae(void)
{
	static const struct pae_case cases[] = {
		{"http://example.com/HelloWorld", "hello world", 11, hello_pae,
		 sizeof(hello_pae) - 1},
		{"", "", 0, "DSSEv1 0  0 ", 12},
		{"a", "x\0y", 3, "DSSEv1 1 a 3 x\0y", 16},
		{"application/vnd.in-toto+json", "{}", 2,
		 "DSSEv1 28 application/vnd.in-toto+json 2 {}", 43},
	};

	for (size_t i = 0; i < OSP_ARRAY_LEN(cases); i++) {
		const struct pae_case *c = &cases[i];
		size_t len = 0;
		unsigned char *p = osp_dsse_pae(c->type, c->body, c->n, &len);

		ok(p != NULL && len == c->wantlen && memcmp(p, c->want, len) == 0,
		   "PAE of type '%s', %zu-byte body", c->type, c->n);
		free(p);
	}
}

struct b64_case {
	const char *plain, *enc;
};

static void test_base64_vectors(void)
{
	/* RFC 4648, section 10. */
	static const struct b64_case cases[] = {
		{"", ""},
		{"f", "Zg=="},
		{"fo", "Zm8="},
		{"foo", "Zm9v"},
		{"foob", "Zm9vYg=="},
		{"fooba", "Zm9vYmE="},
		{"foobar", "Zm9vYmFy"},
	};
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(cases); i++) {
		char *e = osp_base64_encode(cases[i].plain, strlen(cases[i].plain));
		unsigned char *d = NULL;
		size_t n = 0;
		ospack_error rc;

		is_str(e, cases[i].enc, "base64 of '%s'", cases[i].plain);
		rc = osp_base64_decode(ctx, cases[i].enc, strlen(cases[i].enc), &d, &n);
		ok(rc == OSPACK_OK && n == strlen(cases[i].plain) &&
			   memcmp(d, cases[i].plain, n) == 0,
		   "base64 decode of '%s'", cases[i].enc);
		free(e);
		free(d);
	}
	ospack_ctx_free(ctx);
}

static void test_base64_roundtrip(void)
{
	unsigned char all[256], *d = NULL;
	struct ospack_ctx *ctx = ospack_ctx_new();
	bool good = true;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(255 - i);
	for (size_t len = 0; len <= sizeof(all) && good; len++) {
		char *e = osp_base64_encode(all, len);
		size_t n = 0;

		good = e != NULL && strlen(e) == (len + 2) / 3 * 4 &&
		       osp_base64_decode(ctx, e, strlen(e), &d, &n) == OSPACK_OK && n == len &&
		       memcmp(d, all, len) == 0;
		free(e);
		free(d);
		d = NULL;
	}
	ok(good, "base64 round trip of every prefix of 256 bytes");
	ospack_ctx_free(ctx);
}

struct b64_bad {
	const char *enc;
	size_t len;
	const char *why;
	const char *msg;
};

static void test_base64_strict(void)
{
	static const struct b64_bad cases[] = {
		{"Zg", 2, "missing padding", "invalid base64: length 2 is not a multiple of 4"},
		{"Zg=", 3, "short padding", "invalid base64: length 3 is not a multiple of 4"},
		{"Zh==", 4, "non-zero bits under two pad characters",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm9=", 4, "non-zero bits under one pad character",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm 9v", 5, "a space", "invalid base64: length 5 is not a multiple of 4"},
		{"Zm9v\n", 5, "a trailing newline",
		 "invalid base64: length 5 is not a multiple of 4"},
		{"Zm9v\r\nZm9v", 10, "a CRLF line break",
		 "invalid base64: length 10 is not a multiple of 4"},
		{"Zm9v====", 8, "a whole group of padding",
		 "invalid base64: bad character or padding near offset 4"},
		{"Z===", 4, "three pad characters",
		 "invalid base64: bad character or padding near offset 0"},
		{"=Zm9", 4, "padding first",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm=v", 4, "padding inside a group",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zg==Zg==", 8, "padding before the end",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm-_", 4, "the URL-safe alphabet",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm9\0", 4, "a NUL byte",
		 "invalid base64: bad character or padding near offset 0"},
		{"Zm9\xc3", 4, "a non-ASCII byte",
		 "invalid base64: bad character or padding near offset 0"},
	};
	struct ospack_ctx *ctx = ospack_ctx_new();

	unsigned char *big = NULL;
	size_t bign = 0;

	/* The bound is checked before a byte is read. */
	ok(osp_base64_decode(ctx, "AAAA", (size_t)1 << 31, &big, &bign) == OSPACK_EINPUT &&
		   big == NULL,
	   "base64 refuses input over its bound");
	has_str(ospack_ctx_message(ctx), "invalid base64: longer than", "base64 bound message");
	for (size_t i = 0; i < OSP_ARRAY_LEN(cases); i++) {
		unsigned char *d = (unsigned char *)"x";
		size_t n = 1;
		ospack_error rc = osp_base64_decode(ctx, cases[i].enc, cases[i].len, &d, &n);

		ok(rc == OSPACK_EINPUT && d == NULL && n == 0, "base64 rejects %s", cases[i].why);
		is_str(ospack_ctx_message(ctx), cases[i].msg, "base64 message for %s",
		       cases[i].why);
	}
	ospack_ctx_free(ctx);
}

static void test_golden(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	unsigned char *sig = NULL, *sig2 = NULL;
	size_t n = 0, n2 = 0;
	struct osp_key *k, *pub;
	char sighex[129] = "";

	write_file("golden.key", golden_key, sizeof(golden_key) - 1);
	write_file("golden.pub", golden_pub, sizeof(golden_pub) - 1);
	k = load("golden.key", true);
	pub = load("golden.pub", false);
	ok(k != NULL && pub != NULL, "golden Ed25519 key pair loads");
	if (k == NULL || pub == NULL)
		goto out;
	is_str(osp_key_id(k), golden_id, "key id of the private key");
	is_str(osp_key_id(pub), golden_id, "key id of the public key");
	ok(osp_key_type(k) == OSP_KEY_ED25519, "type is Ed25519");
	ok(osp_key_sign(ctx, k, hello_pae, strlen(hello_pae), &sig, &n) == OSPACK_OK && n == 64,
	   "Ed25519 signs");
	if (sig != NULL)
		hex(sig, n, sighex);
	is_str(sighex, golden_sig, "signature equals the one openssl made");
	osp_key_sign(ctx, k, hello_pae, strlen(hello_pae), &sig2, &n2);
	ok(sig2 != NULL && n2 == n && memcmp(sig, sig2, n) == 0, "Ed25519 is deterministic");
	ok(osp_key_verify(pub, hello_pae, strlen(hello_pae), sig, n), "public key verifies");
	ok(osp_key_verify(k, hello_pae, strlen(hello_pae), sig, n), "private key verifies too");
out:
	free(sig);
	free(sig2);
	osp_key_free(k);
	osp_key_free(pub);
	ospack_ctx_free(ctx);
}

static void test_env(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_key *k = NULL;
	char *big;

	setenv("OSPACK_TEST_KEY", golden_key, 1);
	ok(osp_key_load_private(ctx, "env:OSPACK_TEST_KEY", password, &k) == OSPACK_OK,
	   "private key from env:NAME");
	is_str(k ? osp_key_id(k) : NULL, golden_id, "env key has the same id");
	osp_key_free(k);
	k = NULL;
	setenv("OSPACK_TEST_PUB", golden_pub, 1);
	ok(osp_key_load_public(ctx, "env:OSPACK_TEST_PUB", &k) == OSPACK_OK,
	   "public key from env:NAME");
	osp_key_free(k);
	unsetenv("OSPACK_TEST_UNSET");
	load_fails("env:OSPACK_TEST_UNSET", true,
		   "env:OSPACK_TEST_UNSET: the environment "
		   "variable OSPACK_TEST_UNSET is unset or empty",
		   "unset variable");
	setenv("OSPACK_TEST_EMPTY", "", 1);
	load_fails("env:OSPACK_TEST_EMPTY", false, "is unset or empty", "empty variable");
	load_fails("env:", true, "no variable name after env:", "env: without a name");
	setenv("OSPACK_TEST_JUNK", "not a key", 1);
	load_fails("env:OSPACK_TEST_JUNK", true, "env:OSPACK_TEST_JUNK: not a PEM key",
		   "junk in the variable");
	big = calloc(1, 70 * 1024);
	if (big != NULL) {
		memset(big, 'A', 70 * 1024 - 1);
		setenv("OSPACK_TEST_BIG", big, 1);
		free(big);
		load_fails("env:OSPACK_TEST_BIG", true, "too large for a key (over 64 KiB)",
			   "a huge variable");
		unsetenv("OSPACK_TEST_BIG");
	}
	ospack_ctx_free(ctx);
}

/* Signs with k, verifies with pub, and checks that tampering is caught. */
static void roundtrip(const char *what, struct osp_key *k, struct osp_key *pub,
		      struct osp_key *other)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	unsigned char *sig = NULL, *none = NULL, msg[] = "some statement bytes", junk[300];
	size_t n = 0, nn = 0;

	ok(osp_key_sign(ctx, k, msg, sizeof(msg), &sig, &n) == OSPACK_OK && sig != NULL,
	   "%s: signs", what);
	if (sig == NULL)
		goto out;
	ok(osp_key_verify(pub, msg, sizeof(msg), sig, n), "%s: verifies", what);
	msg[0] ^= 1;
	ok(!osp_key_verify(pub, msg, sizeof(msg), sig, n), "%s: tampered message fails", what);
	msg[0] ^= 1;
	sig[n / 2] ^= 0x20;
	ok(!osp_key_verify(pub, msg, sizeof(msg), sig, n), "%s: tampered signature fails", what);
	sig[n / 2] ^= 0x20;
	ok(!osp_key_verify(pub, msg, sizeof(msg), sig, n - 1), "%s: truncated signature fails",
	   what);
	ok(!osp_key_verify(other, msg, sizeof(msg), sig, n), "%s: another key fails", what);
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 37 + 11);
	ok(!osp_key_verify(pub, msg, sizeof(msg), junk, sizeof(junk)) &&
		   !osp_key_verify(pub, msg, sizeof(msg), junk, 64) &&
		   !osp_key_verify(pub, msg, sizeof(msg), junk, 1) &&
		   !osp_key_verify(pub, msg, sizeof(msg), junk, 0) &&
		   !osp_key_verify(pub, msg, sizeof(msg), NULL, 64),
	   "%s: garbage signatures fail without crashing", what);
	ok(osp_key_sign(ctx, pub, msg, sizeof(msg), &none, &nn) == OSPACK_EKEY && none == NULL,
	   "%s: a public key cannot sign", what);
	has_str(ospack_ctx_message(ctx), "is a public key: it cannot sign", "%s: message", what);
out:
	free(sig);
	ospack_ctx_free(ctx);
}

static void check_mode(const char *name, mode_t want)
{
	struct stat st;

	ok(stat(tp(name), &st) == 0 && (st.st_mode & 07777) == want, "%s has mode %04o", name,
	   (unsigned)want);
}

/* Generates prefix.key/.pub with ospack_keygen and checks files, modes and ids. */
static void keygen_one(const char *type, const char *prefix, enum osp_keytype want)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	char id[65] = "", name[64], oid[65], text[256];
	struct osp_key *k, *pub;

	ok(ospack_keygen(ctx, type, tp(prefix), id) == OSPACK_OK, "keygen %s",
	   type ? type : "NULL");
	ok(osp_is_lower_hex(id, 64), "keygen %s gives a key id", prefix);
	snprintf(name, sizeof(name), "%s.key", prefix);
	check_mode(name, 0600);
	read_file(name, text, sizeof(text));
	ok(strncmp(text, "-----BEGIN PRIVATE KEY-----\n", 28) == 0, "%s is PKCS#8 PEM", name);
	k = load(name, true);
	if (have_openssl) {
		openssl_keyid(name, true, oid);
		is_str(oid, id, "%s: key id equals openssl's DER SHA-256", name);
	}
	snprintf(name, sizeof(name), "%s.pub", prefix);
	check_mode(name, 0644);
	pub = load(name, false);
	ok(k != NULL && pub != NULL && osp_key_type(k) == want && osp_key_type(pub) == want,
	   "%s pair loads with the right type", prefix);
	is_str(k ? osp_key_id(k) : NULL, id, "%s: loaded private key has that id", prefix);
	is_str(pub ? osp_key_id(pub) : NULL, id, "%s: loaded public key has that id", prefix);
	osp_key_free(k);
	osp_key_free(pub);
	ospack_ctx_free(ctx);
}

static void test_keygen_refusals(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	char id[65] = "unchanged";

	ok(ospack_keygen(ctx, NULL, tp("ed"), id) == OSPACK_EIO, "keygen refuses existing files");
	has_str(ospack_ctx_message(ctx), "ed.key: already exists", "message names the file");
	is_str(id, "unchanged", "key id untouched on failure");
	write_file("half.pub", "x", 1);
	ok(ospack_keygen(ctx, "ed25519", tp("half"), id) == OSPACK_EIO,
	   "keygen refuses when only the .pub exists");
	has_str(ospack_ctx_message(ctx), "half.pub: already exists", "message names the .pub");
	ok(!exists("half.key"), "and writes no .key");
	ok(symlink("nowhere", tp("dangling.key")) == 0 &&
		   ospack_keygen(ctx, NULL, tp("dangling"), id) == OSPACK_EIO &&
		   !exists("dangling.pub"),
	   "keygen refuses a dangling symbolic link");
	ok(ospack_keygen(ctx, "rsa", tp("r"), id) == OSPACK_EUSAGE, "keygen refuses type rsa");
	has_str(ospack_ctx_message(ctx), "unknown key type \"rsa\"", "message names the type");
	ok(ospack_keygen(ctx, NULL, tp("no/such/dir/k"), id) == OSPACK_EIO,
	   "keygen into a missing folder fails");
	has_str(ospack_ctx_message(ctx), "No such file or directory", "with the system's reason");
	ok(!exists("no"), "and leaves nothing");
	ok(ospack_keygen(ctx, NULL, "", id) == OSPACK_EUSAGE, "keygen wants a prefix");
	ospack_ctx_free(ctx);
}

static void test_keygen(void)
{
	struct osp_key *ed, *edpub, *ec, *ecpub;

	umask(022);
	keygen_one(NULL, "ed", OSP_KEY_ED25519);
	keygen_one("ecdsa-p256", "ec", OSP_KEY_ECDSA_P256);
	ed = load("ed.key", true);
	edpub = load("ed.pub", false);
	ec = load("ec.key", true);
	ecpub = load("ec.pub", false);
	if (ed && edpub && ec && ecpub) {
		roundtrip("Ed25519", ed, edpub, ecpub);
		roundtrip("ECDSA P-256", ec, ecpub, edpub);
	} else {
		ok(0, "generated keys load");
	}
	osp_key_free(ed);
	osp_key_free(edpub);
	osp_key_free(ec);
	osp_key_free(ecpub);
	test_keygen_refusals();
}

static void test_bad_files(void)
{
	static const char trunc[] = "-----BEGIN PRIVATE KEY-----\n"
				    "MC4CAQAwBQYDK2VwBCIEIHMsdhOtjIqIHKSP\n";
	static const char ssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"
				  "-----END OPENSSH PRIVATE KEY-----\n";
	static const char cert[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
	static const char damaged[] =
		"-----BEGIN PRIVATE KEY-----\n"
		"MC4CAQAwBQYDK2VwBCIEIHMsdhOtjIqIHKSPeS0tKdZdw7pGhhTEW5SuCZh1DL\n"
		"-----END PRIVATE KEY-----\n";
	static const char damaged_pub[] = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAsXFO\n"
					  "-----END PUBLIC KEY-----\n";
	static char big[70 * 1024];

	write_file("garbage.pem", "hello, I am not a key\n", 22);
	load_fails("garbage.pem", true, "garbage.pem: not a PEM key", "garbage");
	write_file("empty.pem", "", 0);
	load_fails("empty.pem", false, "empty.pem: not a PEM key", "empty file");
	write_file("trunc.pem", trunc, sizeof(trunc) - 1);
	load_fails("trunc.pem", true, "trunc.pem: truncated PEM (no END line)", "truncated");
	write_file("damaged.pem", damaged, sizeof(damaged) - 1);
	load_fails("damaged.pem", true, "damaged.pem: damaged or unreadable", "damaged body");
	write_file("damaged.pub", damaged_pub, sizeof(damaged_pub) - 1);
	load_fails("damaged.pub", false, "damaged.pub: damaged or unreadable public key",
		   "damaged public key");
	load_fails("missing.pem", true, "missing.pem: No such file or directory", "missing file");
	load_fails(".", true, "Is a directory", "a folder");
	memset(big, 'A', sizeof(big));
	write_file("big.pem", big, sizeof(big));
	load_fails("big.pem", true, "big.pem: too large for a key (over 64 KiB)", "huge file");
	write_file("ssh.pem", ssh, sizeof(ssh) - 1);
	load_fails("ssh.pem", true, "OpenSSH keys are not supported", "OpenSSH key");
	write_file("cert.pem", cert, sizeof(cert) - 1);
	load_fails("cert.pem", true, "unexpected PEM block \"CERTIFICATE\"", "certificate");
	load_fails("cert.pem", false, "unexpected PEM block \"CERTIFICATE\"", "certificate (pub)");
	load_fails("golden.pub", true, "golden.pub: this is a public key; a private key is needed",
		   "public key given as private");
	load_fails("golden.key", false, "golden.key: this is a private key; give the public key",
		   "private key given as public");
}

/* A key openssl made loads, and its signatures check out both ways with openssl. */
static void openssl_key(const char *what, const char *gen, enum osp_keytype t)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_key *k = NULL, *pub = NULL;
	unsigned char *sig = NULL, osig[256];
	char oid[65];
	size_t n = 0;
	long on;

	ok(sh("%s > o.key && openssl pkey -in o.key -pubout -out o.pub", gen) == 0,
	   "%s: openssl makes the key", what);
	k = load("o.key", true);
	pub = load("o.pub", false);
	ok(k != NULL && pub != NULL && osp_key_type(k) == t, "%s: loads", what);
	if (k == NULL || pub == NULL)
		goto out;
	openssl_keyid("o.pub", false, oid);
	is_str(osp_key_id(k), oid, "%s: key id equals openssl's", what);
	write_file("msg", hello_pae, strlen(hello_pae));
	osp_key_sign(ctx, k, hello_pae, strlen(hello_pae), &sig, &n);
	write_file("sig", sig, n);
	if (t == OSP_KEY_ED25519)
		ok(sh("openssl pkeyutl -verify -pubin -inkey o.pub -rawin -in msg -sigfile sig") ==
			   0,
		   "%s: openssl pkeyutl -verify -rawin accepts ospack's signature", what);
	else
		ok(sh("openssl dgst -sha256 -verify o.pub -signature sig msg") == 0,
		   "%s: openssl dgst -sha256 -verify accepts ospack's signature", what);
	if (t == OSP_KEY_ED25519)
		sh("openssl pkeyutl -sign -inkey o.key -rawin -in msg -out osig");
	else
		sh("openssl dgst -sha256 -sign o.key -out osig msg");
	on = read_file("osig", (char *)osig, sizeof(osig));
	ok(on > 0 && osp_key_verify(pub, hello_pae, strlen(hello_pae), osig, (size_t)on),
	   "%s: ospack accepts openssl's signature", what);
out:
	free(sig);
	osp_key_free(k);
	osp_key_free(pub);
	ospack_ctx_free(ctx);
}

static void test_encrypted(void)
{
	struct osp_key *k;

	ok(sh("openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:x -in golden.key -out enc.key") ==
		   0,
	   "openssl encrypts a key");
	password = "x";
	k = load("enc.key", true);
	is_str(k ? osp_key_id(k) : NULL, golden_id, "encrypted key loads with its passphrase");
	osp_key_free(k);
	password = "y";
	load_fails("enc.key", true, "enc.key: wrong passphrase or damaged key", "wrong passphrase");
	password = NULL;
	load_fails("enc.key", true, "enc.key: the key is encrypted, and no passphrase was given",
		   "no passphrase");
	password = "";
	load_fails("enc.key", true, "no passphrase was given", "empty passphrase");
	/* The older SEC1 form with a Proc-Type header, as `openssl ec -aes256` writes it. */
	ok(sh("openssl ecparam -name prime256v1 -genkey -noout -out sec1.key && "
	      "openssl ec -in sec1.key -aes256 -passout pass:x -out sec1enc.key") == 0,
	   "openssl writes an encrypted SEC1 key");
	password = "x";
	k = load("sec1enc.key", true);
	ok(k != NULL, "encrypted SEC1 key loads with its passphrase");
	osp_key_free(k);
	password = NULL;
	load_fails("sec1enc.key", true, "the key is encrypted, and no passphrase was given",
		   "encrypted SEC1 key without passphrase");
}

struct refused {
	const char *gen, *want;
};

static void test_refused_types(void)
{
	static const struct refused cases[] = {
		{"openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024",
		 "unsupported key type RSA (want Ed25519 or ECDSA P-256)"},
		{"openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384",
		 "unsupported key type ECDSA secp384r1 (want Ed25519 or ECDSA P-256)"},
		{"openssl genpkey -algorithm ed448",
		 "unsupported key type Ed448 (want Ed25519 or ECDSA P-256)"},
		{"openssl genpkey -algorithm x25519", "unsupported key type X25519"},
		{"openssl genrsa 1024", "unsupported key type RSA"},
	};

	for (size_t i = 0; i < OSP_ARRAY_LEN(cases); i++) {
		char what[128];

		ok(sh("%s > r.key && openssl pkey -in r.key -pubout -out r.pub", cases[i].gen) == 0,
		   "made a key with: %s", cases[i].gen);
		snprintf(what, sizeof(what), "private key of '%s'", cases[i].gen);
		load_fails("r.key", true, cases[i].want, what);
		snprintf(what, sizeof(what), "public key of '%s'", cases[i].gen);
		load_fails("r.pub", false, cases[i].want, what);
	}
}

static void test_openssl(void)
{
	if (!have_openssl) {
		tap_diag("no openssl command: the cross-checks with it are skipped");
		return;
	}
	openssl_key("genpkey ed25519", "openssl genpkey -algorithm ed25519", OSP_KEY_ED25519);
	openssl_key("genpkey EC P-256",
		    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256",
		    OSP_KEY_ECDSA_P256);
	openssl_key("ecparam -genkey (EC PARAMETERS + SEC1)",
		    "openssl ecparam -name prime256v1 -genkey", OSP_KEY_ECDSA_P256);
	openssl_key("ecparam -genkey -noout", "openssl ecparam -name prime256v1 -genkey -noout",
		    OSP_KEY_ECDSA_P256);
	test_encrypted();
	test_refused_types();
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/ospack-sign.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		tap_skip_all("cannot make a temp folder");
	have_openssl = system("openssl version >/dev/null 2>&1") == 0;
	test_pae();
	test_base64_vectors();
	test_base64_roundtrip();
	test_base64_strict();
	test_golden();
	test_env();
	test_keygen();
	test_bad_files();
	test_openssl();
	if (tap_failed == 0)
		sh("rm -rf '%s'", tmpdir);
	else
		tap_diag("kept %s for inspection", tmpdir);
	return tap_done();
}
