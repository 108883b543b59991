/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 and ECDSA P-256 keys through OpenSSL's EVP API: loading, key ids, signing, keygen. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "hash.h"
#include "sign.h"

/* A PEM key is a few hundred bytes; anything much larger is not a key. */
#define KEY_MAX_INPUT (64 * 1024)
#define WANT_TYPES "(want Ed25519 or ECDSA P-256)"

struct osp_key {
	EVP_PKEY *pkey;
	enum osp_keytype type;
	bool priv;
	char id[65];
};

struct pass_state {
	const char *pass;
	bool asked;
};

static ospack_error ssl_error(struct ospack_ctx *ctx, ospack_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records an OpenSSL failure with the reason OpenSSL gives, and empties its queue. */
static ospack_error ssl_error(struct ospack_ctx *ctx, ospack_error code, const char *fmt, ...)
{
	char what[512], reason[256] = "";
	unsigned long e = ERR_get_error();
	const char *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	ERR_clear_error();
	if (e != 0 && ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
		return osp_nomem(ctx);
	if (e != 0) {
		r = ERR_reason_error_string(e);
		if (r != NULL)
			snprintf(reason, sizeof(reason), "%s", r);
		else
			ERR_error_string_n(e, reason, sizeof(reason));
	}
	if (reason[0] != '\0')
		return osp_error(ctx, code, "%s (%s)", what, reason);
	return osp_error(ctx, code, "%s", what);
}

static ospack_error read_env(struct ospack_ctx *ctx, const char *spec, char *buf, size_t *len)
{
	const char *name = spec + 4, *v;
	size_t n;

	if (*name == '\0')
		return osp_error(ctx, OSPACK_EKEY, "%s: no variable name after env:", spec);
	v = getenv(name);
	if (v == NULL || *v == '\0')
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: the environment variable %s is unset or empty", spec, name);
	n = strnlen(v, KEY_MAX_INPUT + 1);
	if (n > KEY_MAX_INPUT)
		return osp_error(ctx, OSPACK_EKEY, "%s: too large for a key (over %d KiB)", spec,
				 KEY_MAX_INPUT / 1024);
	memcpy(buf, v, n);
	*len = n;
	return OSPACK_OK;
}

static ospack_error read_file(struct ospack_ctx *ctx, const char *path, char *buf, size_t *len)
{
	ospack_error rc = OSPACK_OK;
	size_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return osp_error(ctx, OSPACK_EKEY, "%s: %s", path, strerror(errno));
	while (n <= KEY_MAX_INPUT) {
		ssize_t got = read(fd, buf + n, KEY_MAX_INPUT + 1 - n);

		if (got < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (got < 0) {
			rc = osp_error(ctx, OSPACK_EKEY, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > KEY_MAX_INPUT) {
		rc = osp_error(ctx, OSPACK_EKEY, "%s: too large for a key (over %d KiB)", path,
			       KEY_MAX_INPUT / 1024);
		goto out;
	}
	*len = n;
out:
	close(fd);
	return rc;
}

/* Reads the PEM text a key spec names into a buffer of KEY_MAX_INPUT + 1 bytes. */
static ospack_error read_key_text(struct ospack_ctx *ctx, const char *spec, char **text,
				  size_t *len)
{
	ospack_error rc;

	*len = 0;
	*text = OPENSSL_malloc(KEY_MAX_INPUT + 1);
	if (*text == NULL)
		return osp_nomem(ctx);
	if (strncmp(spec, "env:", 4) == 0)
		rc = read_env(ctx, spec, *text, len);
	else
		rc = read_file(ctx, spec, *text, len);
	return rc;
}

static void free_key_text(char *text)
{
	OPENSSL_clear_free(text, KEY_MAX_INPUT + 1);
}

/*
 * Copies the label of the first PEM block into label; the EC PARAMETERS block
 * that `openssl ecparam -genkey` writes before the key is passed over.
 */
static bool pem_first_label(const char *text, size_t len, char *label, size_t cap)
{
	static const char begin[] = "-----BEGIN ", params[] = "EC PARAMETERS";
	const size_t blen = sizeof(begin) - 1;
	size_t i = 0;

	while (i < len) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - i, n;

		i += ll + 1;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll < blen + 5 || memcmp(line, begin, blen) != 0 ||
		    memcmp(line + ll - 5, "-----", 5) != 0)
			continue;
		n = ll - blen - 5;
		if (n == sizeof(params) - 1 && memcmp(line + blen, params, n) == 0)
			continue;
		if (n >= cap)
			n = cap - 1;
		memcpy(label, line + blen, n);
		label[n] = '\0';
		return true;
	}
	return false;
}

/* True when the text holds the END line of a block with that label. */
static bool pem_has_end(const char *text, size_t len, const char *label)
{
	char end[96];
	int n = snprintf(end, sizeof(end), "-----END %s-----", label);

	if (n < 0 || (size_t)n >= sizeof(end))
		return false;
	return memmem(text, len, end, (size_t)n) != NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Gives a clear error when the PEM text holds something other than the kind of key wanted. */
static ospack_error check_label(struct ospack_ctx *ctx, const char *spec, const char *text,
				size_t len, bool want_private)
{
	char label[64];

	if (!pem_first_label(text, len, label, sizeof(label)))
		return osp_error(ctx, OSPACK_EKEY, "%s: not a PEM key (no BEGIN line)", spec);
	if (!pem_has_end(text, len, label))
		return osp_error(ctx, OSPACK_EKEY, "%s: truncated PEM (no END line)", spec);
	if (strcmp(label, "OPENSSH PRIVATE KEY") == 0)
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: OpenSSH keys are not supported (want a PKCS#8 PEM key)",
				 spec);
	if (want_private && strcmp(label, "PUBLIC KEY") == 0)
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: this is a public key; a private key is needed here", spec);
	if (!want_private && ends_with(label, "PRIVATE KEY"))
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: this is a private key; give the public key here", spec);
	if (want_private && !ends_with(label, "PRIVATE KEY"))
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: unexpected PEM block \"%s\" (want a PKCS#8 private key)",
				 spec, label);
	if (!want_private && strcmp(label, "PUBLIC KEY") != 0)
		return osp_error(ctx, OSPACK_EKEY,
				 "%s: unexpected PEM block \"%s\" (want a SubjectPublicKeyInfo "
				 "public key)",
				 spec, label);
	return OSPACK_OK;
}

static int pass_cb(char *buf, int size, int rwflag, void *arg)
{
	struct pass_state *ps = arg;
	size_t n;

	ps->asked = true;
	if (ps->pass == NULL || size <= 0)
		return -1;
	n = strnlen(ps->pass, (size_t)size + 1);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, ps->pass, n);
	return (int)n;
}

static ospack_error parse_private(struct ospack_ctx *ctx, const char *spec, const char *text,
				  size_t len, const char *password, EVP_PKEY **pkey)
{
	struct pass_state ps = {password, false};
	ospack_error rc = OSPACK_OK;
	BIO *bio;

	if (ps.pass != NULL && *ps.pass == '\0')
		ps.pass = NULL;
	bio = BIO_new_mem_buf(text, (int)len);
	if (bio == NULL)
		return osp_nomem(ctx);
	*pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, pass_cb, &ps, NULL, NULL);
	if (*pkey != NULL)
		goto out;
	/* OpenSSL 3.0's decoders report only "unsupported" here: no detail worth passing on. */
	ERR_clear_error();
	if (!ps.asked)
		rc = osp_error(ctx, OSPACK_EKEY, "%s: damaged or unreadable private key", spec);
	else if (ps.pass == NULL)
		rc = osp_error(ctx, OSPACK_EKEY,
			       "%s: the key is encrypted, and no passphrase was given", spec);
	else
		rc = osp_error(ctx, OSPACK_EKEY, "%s: wrong passphrase or damaged key", spec);
out:
	BIO_free(bio);
	return rc;
}

static ospack_error parse_public(struct ospack_ctx *ctx, const char *spec, const char *text,
				 size_t len, EVP_PKEY **pkey)
{
	BIO *bio = BIO_new_mem_buf(text, (int)len);

	if (bio == NULL)
		return osp_nomem(ctx);
	*pkey = PEM_read_bio_PUBKEY_ex(bio, NULL, NULL, NULL, NULL, NULL);
	BIO_free(bio);
	if (*pkey == NULL) {
		ERR_clear_error();
		return osp_error(ctx, OSPACK_EKEY, "%s: damaged or unreadable public key", spec);
	}
	return OSPACK_OK;
}

static ospack_error check_type(struct ospack_ctx *ctx, const char *spec, EVP_PKEY *pkey,
			       enum osp_keytype *t)
{
	char group[80] = "";
	const char *name;
	size_t glen = 0;

	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*t = OSP_KEY_ED25519;
		return OSPACK_OK;
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), &glen) != 1)
			snprintf(group, sizeof(group), "with explicit curve parameters");
		ERR_clear_error();
		*t = OSP_KEY_ECDSA_P256;
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0)
			return OSPACK_OK;
		return osp_error(ctx, OSPACK_EKEY, "%s: unsupported key type ECDSA %s " WANT_TYPES,
				 spec, group);
	}
	name = EVP_PKEY_get0_type_name(pkey);
	if (name == NULL)
		name = "(unknown)";
	else if (strcmp(name, "ED448") == 0)
		name = "Ed448";
	return osp_error(ctx, OSPACK_EKEY, "%s: unsupported key type %s " WANT_TYPES, spec, name);
}

static ospack_error compute_id(struct ospack_ctx *ctx, EVP_PKEY *pkey, char id[65])
{
	unsigned char *der = NULL, md[32];
	ospack_error rc;
	int n;

	n = i2d_PUBKEY(pkey, &der);
	if (n <= 0)
		return ssl_error(ctx, OSPACK_EKEY, "cannot encode the public key");
	rc = osp_digest(ctx, OSP_SHA256, der, (size_t)n, md);
	OPENSSL_free(der);
	if (rc == OSPACK_OK)
		osp_hex(md, sizeof(md), id);
	return rc;
}

/* Checks the key type and wraps the key; takes *pkey over on success. */
static ospack_error key_new(struct ospack_ctx *ctx, const char *spec, EVP_PKEY **pkey, bool priv,
			    struct osp_key **out)
{
	struct osp_key *k = NULL;
	ospack_error rc;

	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return osp_nomem(ctx);
	rc = check_type(ctx, spec, *pkey, &k->type);
	if (rc == OSPACK_OK)
		rc = compute_id(ctx, *pkey, k->id);
	if (rc != OSPACK_OK)
		goto out;
	k->priv = priv;
	k->pkey = *pkey;
	*pkey = NULL;
	*out = k;
	k = NULL;
out:
	free(k);
	return rc;
}

static ospack_error load_key(struct ospack_ctx *ctx, const char *spec, bool priv,
			     const char *password, struct osp_key **out)
{
	EVP_PKEY *pkey = NULL;
	char *text = NULL;
	ospack_error rc;
	size_t len;

	*out = NULL;
	if (spec == NULL || *spec == '\0')
		return osp_error(ctx, OSPACK_EKEY, "no key file given");
	rc = read_key_text(ctx, spec, &text, &len);
	if (rc != OSPACK_OK)
		goto out;
	rc = check_label(ctx, spec, text, len, priv);
	if (rc != OSPACK_OK)
		goto out;
	if (priv)
		rc = parse_private(ctx, spec, text, len, password, &pkey);
	else
		rc = parse_public(ctx, spec, text, len, &pkey);
	if (rc != OSPACK_OK)
		goto out;
	rc = key_new(ctx, spec, &pkey, priv, out);
out:
	EVP_PKEY_free(pkey);
	free_key_text(text);
	return rc;
}

ospack_error osp_key_load_private(struct ospack_ctx *ctx, const char *spec, const char *password,
				  struct osp_key **out)
{
	return load_key(ctx, spec, true, password, out);
}

ospack_error osp_key_load_public(struct ospack_ctx *ctx, const char *spec, struct osp_key **out)
{
	return load_key(ctx, spec, false, NULL, out);
}

void osp_key_free(struct osp_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

const char *osp_key_id(const struct osp_key *k)
{
	return k->id;
}

enum osp_keytype osp_key_type(const struct osp_key *k)
{
	return k->type;
}

ospack_error osp_key_pem_hint(struct ospack_ctx *ctx, const struct osp_key *k, char hint[65])
{
	BIO *bio = BIO_new(BIO_s_mem());
	unsigned char md[32];
	char *pem = NULL;
	long n;
	ospack_error rc;

	if (bio == NULL)
		return osp_nomem(ctx);
	if (PEM_write_bio_PUBKEY(bio, k->pkey) != 1 || (n = BIO_get_mem_data(bio, &pem)) <= 0) {
		BIO_free(bio);
		return ssl_error(ctx, OSPACK_EKEY, "key %s: cannot write its PEM form", k->id);
	}
	rc = osp_digest(ctx, OSP_SHA256, pem, (size_t)n, md);
	BIO_free(bio);
	if (rc == OSPACK_OK)
		osp_hex(md, sizeof(md), hint);
	return rc;
}

/* Ed25519 signs the message itself (no digest); ECDSA signs its SHA-256. */
static const char *key_md(const struct osp_key *k)
{
	return k->type == OSP_KEY_ED25519 ? NULL : "SHA256";
}

ospack_error osp_key_sign(struct ospack_ctx *ctx, const struct osp_key *k, const void *msg,
			  size_t n, unsigned char **sig, size_t *siglen)
{
	ospack_error rc = OSPACK_OK;
	unsigned char *buf = NULL;
	EVP_MD_CTX *md = NULL;
	size_t len = 0;

	*sig = NULL;
	*siglen = 0;
	if (!k->priv)
		return osp_error(ctx, OSPACK_EKEY, "key %s is a public key: it cannot sign", k->id);
	if (msg == NULL)
		msg = "";
	md = EVP_MD_CTX_new();
	if (md == NULL)
		return osp_nomem(ctx);
	if (EVP_DigestSignInit_ex(md, NULL, key_md(k), NULL, NULL, k->pkey, NULL) != 1 ||
	    EVP_DigestSign(md, NULL, &len, msg, n) != 1) {
		rc = ssl_error(ctx, OSPACK_EKEY, "key %s: cannot sign", k->id);
		goto out;
	}
	buf = malloc(len);
	if (buf == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	if (EVP_DigestSign(md, buf, &len, msg, n) != 1) {
		rc = ssl_error(ctx, OSPACK_EKEY, "key %s: cannot sign", k->id);
		goto out;
	}
	*sig = buf;
	*siglen = len;
	buf = NULL;
out:
	free(buf);
	EVP_MD_CTX_free(md);
	return rc;
}

bool osp_key_verify(const struct osp_key *k, const void *msg, size_t n, const unsigned char *sig,
		    size_t siglen)
{
	EVP_MD_CTX *md = NULL;
	bool good = false;

	if (k == NULL || sig == NULL || siglen == 0)
		return false;
	if (msg == NULL)
		msg = "";
	md = EVP_MD_CTX_new();
	if (md == NULL)
		goto out;
	if (EVP_DigestVerifyInit_ex(md, NULL, key_md(k), NULL, NULL, k->pkey, NULL) != 1)
		goto out;
	good = EVP_DigestVerify(md, sig, siglen, msg, n) == 1;
out:
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return good;
}

static ospack_error refuse_existing(struct ospack_ctx *ctx, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return osp_error(ctx, OSPACK_EIO, "%s: already exists; not overwriting it", path);
	if (errno != ENOENT)
		return osp_errno(ctx, errno, "cannot check", path);
	return OSPACK_OK;
}

static ospack_error write_all(struct ospack_ctx *ctx, int fd, const char *path, const char *p,
			      size_t n)
{
	while (n > 0) {
		ssize_t done = write(fd, p, n);

		if (done < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (done < 0)
			return osp_errno(ctx, errno, "cannot write", path);
		p += done;
		n -= (size_t)done;
	}
	if (fsync(fd) != 0)
		return osp_errno(ctx, errno, "cannot write", path);
	return OSPACK_OK;
}

/*
 * Writes the private (PKCS#8, unencrypted) or public PEM of pkey to a new
 * file; *made says whether the file was created, so the caller can undo it.
 */
static ospack_error write_pem(struct ospack_ctx *ctx, const char *path, EVP_PKEY *pkey, bool priv,
			      bool *made)
{
	ospack_error rc = OSPACK_OK;
	char *data = NULL;
	BIO *bio = NULL;
	long len;
	int fd = -1, ok;

	/* The secure-memory BIO wipes the private PEM when it is freed. */
	bio = BIO_new(priv ? BIO_s_secmem() : BIO_s_mem());
	if (bio == NULL)
		return osp_nomem(ctx);
	if (priv)
		ok = PEM_write_bio_PKCS8PrivateKey(bio, pkey, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_bio_PUBKEY(bio, pkey);
	len = BIO_get_mem_data(bio, &data);
	if (ok != 1 || len <= 0) {
		rc = ssl_error(ctx, OSPACK_EKEY, "%s: cannot encode the key", path);
		goto out;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, priv ? 0600 : 0644);
	if (fd < 0) {
		rc = errno == EEXIST ? refuse_existing(ctx, path)
				     : osp_errno(ctx, errno, "cannot create", path);
		goto out;
	}
	*made = true;
	rc = write_all(ctx, fd, path, data, (size_t)len);
out:
	if (fd >= 0 && close(fd) != 0 && rc == OSPACK_OK)
		rc = osp_errno(ctx, errno, "cannot write", path);
	BIO_free(bio);
	return rc;
}

static EVP_PKEY *generate(enum osp_keytype t)
{
	if (t == OSP_KEY_ED25519)
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

ospack_error osp_keygen(struct ospack_ctx *ctx, enum osp_keytype t, const char *prefix,
			char keyid[65])
{
	char *keypath = NULL, *pubpath = NULL;
	bool made_key = false, made_pub = false;
	EVP_PKEY *pkey = NULL;
	ospack_error rc;
	char id[65];

	keypath = osp_asprintf("%s.key", prefix);
	pubpath = osp_asprintf("%s.pub", prefix);
	if (keypath == NULL || pubpath == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	rc = refuse_existing(ctx, keypath);
	if (rc == OSPACK_OK)
		rc = refuse_existing(ctx, pubpath);
	if (rc != OSPACK_OK)
		goto out;
	pkey = generate(t);
	if (pkey == NULL) {
		rc = ssl_error(ctx, OSPACK_EKEY, "cannot generate a key");
		goto out;
	}
	rc = compute_id(ctx, pkey, id);
	if (rc == OSPACK_OK)
		rc = write_pem(ctx, keypath, pkey, true, &made_key);
	if (rc == OSPACK_OK)
		rc = write_pem(ctx, pubpath, pkey, false, &made_pub);
	if (rc == OSPACK_OK)
		memcpy(keyid, id, sizeof(id));
out:
	if (rc != OSPACK_OK && made_pub)
		unlink(pubpath);
	if (rc != OSPACK_OK && made_key)
		unlink(keypath);
	EVP_PKEY_free(pkey);
	free(keypath);
	free(pubpath);
	return rc;
}

/* The key types keygen makes, the default first. */
static const struct {
	const char *name;
	enum osp_keytype type;
} key_types[] = {{"ed25519", OSP_KEY_ED25519}, {"ecdsa-p256", OSP_KEY_ECDSA_P256}};

OSPACK_API const char *ospack_key_type_name(int i)
{
	return i >= 0 && (size_t)i < OSP_ARRAY_LEN(key_types) ? key_types[i].name : NULL;
}

OSPACK_API ospack_error ospack_keygen(struct ospack_ctx *ctx, const char *type, const char *prefix,
				      char keyid[65])
{
	enum osp_keytype t = key_types[0].type;
	size_t i = 0;

	osp_interrupt_reset();
	while (type != NULL && i < OSP_ARRAY_LEN(key_types) && strcmp(type, key_types[i].name) != 0)
		i++;
	if (i == OSP_ARRAY_LEN(key_types)) {
		struct osp_buf b = {0};

		for (i = 0; i < OSP_ARRAY_LEN(key_types); i++)
			osp_buf_printf(&b, "%s%s",
				       i == 0				   ? ""
				       : i == OSP_ARRAY_LEN(key_types) - 1 ? " or "
									   : ", ",
				       key_types[i].name);
		osp_error(ctx, OSPACK_EUSAGE, "unknown key type \"%s\" (want %s)", type,
			  b.failed ? "another" : b.data);
		osp_buf_free(&b);
		return OSPACK_EUSAGE;
	}
	t = key_types[i].type;
	if (prefix == NULL || *prefix == '\0')
		return osp_error(ctx, OSPACK_EUSAGE, "no output prefix given for the key files");
	return osp_keygen(ctx, t, prefix, keyid);
}
