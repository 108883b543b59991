/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Validates a BagIt bag that holds no ospack statement, as RFC 8493 says: the
 * declaration, every payload manifest (each algorithm listed is checked), the
 * tag manifests, fetch.txt and Payload-Oxum. Manifests are loaded into compact
 * tables; the payload is walked once, in byte order, and hashed with every
 * algorithm at once, on worker threads. What RFC 8493 says should be and is not
 * is a warning; the first thing it says must be and is not rejects the bag.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "ospack.h"
#include "plain.h"

#define READ_BLOCK (1024 * 1024)
#define PARALLEL_MIN (256 * 1024)
/* Payload files not in any manifest, kept to be matched by normalization: past this, rejected. */
#define UNLISTED_MAX 10000

/* A payload file in no manifest, with its digests: a manifest may name it otherwise. */
struct unlisted {
	char *path;
	unsigned char d[PB_NALGS][PB_MAX_DIGEST];
	bool resolved;
};

struct job {
	int fd;
	uint64_t seq, size;
	char *path;
	const unsigned char *want[PB_NALGS]; /* the digests the manifests give, or NULL */
	struct unlisted *unl;
};

struct pb {
	struct ospack_ctx *ctx;
	int root;
	const struct ospack_verify_opts *opts;
	int major, minor;
	bool strict;
	char *encoding;
	struct osp_pbtable man[PB_NALGS];
	unsigned algs; /* bits of the payload manifests found */
	struct osp_pbtable fetch;
	bool has_fetch;
	uint64_t files, bytes, fetch_missing;
	struct unlisted *unl;
	size_t nunl;
	json_t *warnings;
	size_t nwarn;
	/* the walk: the first failure by the walk's order wins */
	pthread_mutex_t mu;
	pthread_cond_t more, room;
	struct job *q;
	size_t qcap, qhead, qlen;
	bool stop, done;
	pthread_t *threads;
	size_t nthreads;
	uint64_t seq;
	uint64_t fail_seq;
	ospack_error fail_code;
	char *fail_msg;
};

/* ---- errors and warnings ---- */

static void warn(struct pb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct pb *b, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	b->nwarn++;
	if (b->nwarn > PB_WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return;
	if (b->nwarn == PB_WARNINGS_MAX)
		osp_warn(b->ctx, "%s (and any further warnings are only counted)", msg);
	else
		osp_warn(b->ctx, "%s", msg);
	json_array_append_new(b->warnings, json_string(msg));
	free(msg);
}

static ospack_error reject(struct pb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static ospack_error reject(struct pb *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	osp_verror(b->ctx, OSPACK_EREJECT, fmt, ap);
	va_end(ap);
	return OSPACK_EREJECT;
}

/* What BagIt 1.0 forbids and its drafts allowed: an error in a 1.0 bag, else a warning. */
static ospack_error lapse(struct pb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ospack_error lapse(struct pb *b, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (msg == NULL)
		return osp_nomem(b->ctx);
	if (b->strict) {
		osp_error(b->ctx, OSPACK_EREJECT, "%s", msg);
		free(msg);
		return OSPACK_EREJECT;
	}
	warn(b, "%s (tolerated before BagIt 1.0)", msg);
	free(msg);
	return OSPACK_OK;
}

/* A failure found during the walk, by a worker or the walker; keeps the earliest. */
static void fail(struct pb *b, uint64_t seq, ospack_error code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void fail(struct pb *b, uint64_t seq, ospack_error code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	pthread_mutex_lock(&b->mu);
	if (b->fail_code == OSPACK_OK || seq < b->fail_seq) {
		free(b->fail_msg);
		b->fail_msg = msg;
		b->fail_seq = seq;
		b->fail_code = msg ? code : OSPACK_ENOMEM;
		msg = NULL;
	}
	b->stop = true;
	pthread_cond_broadcast(&b->room);
	pthread_mutex_unlock(&b->mu);
	free(msg);
}

/* A copy of s fit to print between quotes (NULL only when memory runs out). */
#define Q(s) osp_printable_dup(s)

/* ---- bagit.txt ---- */

static bool parse_version(struct pb *b, const char *line)
{
	const char *p = line + strlen("BagIt-Version: ");
	char *end;
	unsigned long major, minor;

	if (strncmp(line, "BagIt-Version: ", 15) != 0 || *p < '0' || *p > '9')
		return false;
	major = strtoul(p, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	minor = strtoul(end + 1, &end, 10);
	if (*end != '\0' || major > 1000 || minor > 1000)
		return false;
	b->major = (int)major;
	b->minor = (int)minor;
	b->strict = major >= 1;
	return true;
}

static bool parse_encoding(struct pb *b, const char *line)
{
	const char *p = line + strlen("Tag-File-Character-Encoding: ");

	if (strncmp(line, "Tag-File-Character-Encoding: ", 29) != 0 || *p == '\0' ||
	    strpbrk(p, " \t\v\f") != NULL)
		return false;
	b->encoding = osp_strdup(p);
	return true;
}

static ospack_error check_declaration_lines(struct pb *b, char *lines[2], bool terminated)
{
	static const char *const known[] = {"0.93", "0.94", "0.95", "0.96", "0.97", "1.0"};
	char v[32];
	bool found = false;
	char *q;

	if (!parse_version(b, lines[0])) {
		q = Q(lines[0]);
		reject(b, "bagit.txt: first line must be 'BagIt-Version: M.N', not '%s'",
		       q ? q : "?");
		free(q);
		return OSPACK_EREJECT;
	}
	if (!parse_encoding(b, lines[1])) {
		q = Q(lines[1]);
		reject(b,
		       "bagit.txt: second line must be 'Tag-File-Character-Encoding: ENCODING', "
		       "not '%s'",
		       q ? q : "?");
		free(q);
		return OSPACK_EREJECT;
	}
	if (b->encoding == NULL)
		return osp_nomem(b->ctx);
	if (!osp_pb_encoding_known(b->encoding))
		return reject(b, "bagit.txt: unknown character encoding '%s'", b->encoding);
	snprintf(v, sizeof(v), "%d.%d", b->major, b->minor);
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		found = found || strcmp(v, known[i]) == 0;
	if (!found)
		warn(b, "bagit.txt: unknown BagIt version %s", v);
	if (!terminated && b->strict)
		return reject(b, "bagit.txt: the last line has no line ending");
	if (b->strict && strcasecmp(b->encoding, "UTF-8") != 0)
		warn(b, "tag files are encoded in %s; BagIt 1.0 strongly recommends UTF-8",
		     b->encoding);
	return OSPACK_OK;
}

static ospack_error check_declaration(struct pb *b)
{
	struct osp_pbtext *t = NULL;
	char *lines[2] = {NULL, NULL}, *line;
	size_t n = 0, len;
	bool bom;
	int r;
	ospack_error rc = osp_pbtext_open(b->ctx, b->root, "bagit.txt", NULL, &bom, &t);

	if (rc != OSPACK_OK)
		return rc;
	if (bom) {
		osp_pbtext_free(t);
		return reject(b, "bagit.txt starts with a byte-order mark");
	}
	while ((r = osp_pbtext_line(t, &line, &len)) == 1) {
		if (n < 2 && (lines[n] = osp_strdup(line)) == NULL) {
			r = -1;
			osp_nomem(b->ctx);
			break;
		}
		n++;
	}
	if (r < 0)
		rc = b->ctx->code;
	else if (n != 2)
		rc = reject(b, "bagit.txt must have exactly two lines, it has %zu", n);
	else
		rc = check_declaration_lines(b, lines, osp_pbtext_terminated(t));
	free(lines[0]);
	free(lines[1]);
	osp_pbtext_free(t);
	return rc;
}

/* ---- paths in manifests and fetch.txt ---- */

/* BagIt 1.0 percent-encodes CR, LF and '%' in names; the drafts encode nothing. */
static void decode_path(struct pb *b, char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (b->strict && r[0] == '%' &&
		    (strncasecmp(r + 1, "0A", 2) == 0 || strncasecmp(r + 1, "0D", 2) == 0 ||
		     strncmp(r + 1, "25", 2) == 0)) {
			*w++ = r[2] == '5' ? '%' : (r[2] == 'A' || r[2] == 'a') ? '\n' : '\r';
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Cleans a path in place; *path points into s. OSPACK_EREJECT names what is wrong. */
static ospack_error clean_path(struct pb *b, const char *where, char *s, bool payload, char **path)
{
	char *p, *q = Q(s);
	ospack_error rc = OSPACK_OK;
	bool outside = false, unclean = false;

	if (q == NULL)
		return osp_nomem(b->ctx);
	decode_path(b, s);
	p = s;
	if (strncmp(p, "./", 2) == 0)
		warn(b, "%s: '%s' starts with './'", where, q);
	while (strncmp(p, "./", 2) == 0)
		p += 2;
	outside = p[0] == '/' || p[0] == '~';
	for (char *c = p, *slash;; c = slash + 1) {
		size_t n;

		slash = strchr(c, '/');
		n = slash ? (size_t)(slash - c) : strlen(c);
		outside = outside || (n == 2 && c[0] == '.' && c[1] == '.');
		unclean = unclean || n == 0 || (n == 1 && c[0] == '.');
		if (slash == NULL)
			break;
	}
	if (outside)
		rc = reject(b, "%s: '%s' points outside the bag", where, q);
	else if (unclean)
		rc = reject(b, "%s: '%s' is not a clean relative path", where, q);
	else if (payload && strncmp(p, "data/", 5) != 0)
		rc = reject(b, "%s: '%s' is outside the payload folder data/", where, q);
	else if (!payload && strncmp(p, "data/", 5) == 0)
		rc = reject(b, "%s: a tag manifest lists the payload file '%s'", where, q);
	else if (strchr(p, '\\') != NULL)
		warn(b, "%s: '%s' holds a backslash; BagIt paths use '/'", where, q);
	free(q);
	*path = p;
	return rc;
}

/* ---- manifests ---- */

static int unhex_any(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i += 2) {
		int v = 0;

		for (int k = 0; k < 2; k++) {
			char c = s[i + (size_t)k];

			v <<= 4;
			if (c >= '0' && c <= '9')
				v |= c - '0';
			else if (c >= 'a' && c <= 'f')
				v |= c - 'a' + 10;
			else if (c >= 'A' && c <= 'F')
				v |= c - 'A' + 10;
			else
				return -1;
		}
		out[i / 2] = (unsigned char)v;
	}
	return 0;
}

static ospack_error manifest_line(struct pb *b, struct osp_pbtable *t, char *line, bool payload)
{
	unsigned char d[PB_MAX_DIGEST];
	size_t hex = strspn(line, "0123456789abcdefABCDEF"), ws;
	char *raw, *path, *q;
	struct osp_pbrec old;
	bool dup;
	ospack_error rc;

	ws = strspn(line + hex, " \t");
	raw = line + hex + ws;
	if (hex == 0 || ws == 0 || *raw == '\0') {
		q = Q(line);
		rc = reject(b, "%s: malformed line '%s'", t->name, q ? q : "?");
		free(q);
		return rc;
	}
	if (hex != 2 * t->dlen) {
		line[hex] = '\0';
		return reject(b, "%s: '%s' is not a %s digest", t->name, line,
			      osp_pb_alg_name(t->alg));
	}
	unhex_any(line, hex, d);
	if (*raw == '*') {
		q = Q(raw);
		warn(b, "%s: '%s' carries md5sum's binary-mode '*'; strict validators reject it",
		     t->name, q ? q : "?");
		free(q);
		raw++;
	}
	if ((rc = clean_path(b, t->name, raw, payload, &path)) != OSPACK_OK)
		return rc;
	rc = osp_pbtable_add(b->ctx, t, path, strlen(path), d, &dup, &old);
	if (rc != OSPACK_OK || !dup)
		return rc;
	q = Q(path);
	if (memcmp(old.digest, d, t->dlen) != 0)
		rc = reject(b, "%s: '%s' is listed twice with different digests", t->name,
			    q ? q : "?");
	else
		rc = lapse(b, "%s: '%s' is listed twice", t->name, q ? q : "?");
	free(q);
	return rc;
}

/* Reads a text tag file line by line into fn; BOMs and line endings as the version says. */
static ospack_error read_lines(struct pb *b, const char *rel,
			       ospack_error (*fn)(struct pb *b, void *arg, char *line), void *arg)
{
	struct osp_pbtext *t = NULL;
	char *line;
	size_t len;
	bool bom;
	int r;
	ospack_error rc = osp_pbtext_open(b->ctx, b->root, rel, b->encoding, &bom, &t);

	if (rc == OSPACK_OK && bom)
		rc = lapse(b, "%s starts with a byte-order mark", rel);
	while (rc == OSPACK_OK && (r = osp_pbtext_line(t, &line, &len)) != 0) {
		if (r < 0)
			rc = b->ctx->code;
		else if (osp_interrupted())
			rc = osp_error(b->ctx, OSPACK_EINTR, "interrupted");
		else
			rc = fn(b, arg, line);
	}
	/* The drafts were silent on it, and many of their bags end without one. */
	if (rc == OSPACK_OK && !osp_pbtext_terminated(t) && b->strict)
		rc = reject(b, "%s: the last line has no line ending", rel);
	osp_pbtext_free(t);
	return rc;
}

struct mline {
	struct osp_pbtable *t;
	bool payload;
};

static ospack_error on_manifest_line(struct pb *b, void *arg, char *line)
{
	struct mline *m = arg;

	if (line[strspn(line, " \t")] == '\0')
		return lapse(b, "%s: blank line", m->t->name);
	return manifest_line(b, m->t, line, m->payload);
}

static ospack_error load_manifest(struct pb *b, struct osp_pbtable *t, const char *name, int alg,
				  bool payload)
{
	struct mline m = {t, payload};
	ospack_error rc = osp_pbtable_init(b->ctx, t, name, alg, osp_pb_alg_len(alg));

	return rc == OSPACK_OK ? read_lines(b, name, on_manifest_line, &m) : rc;
}

/* The algorithm of prefix-ALG.txt, -1 when name is not one, or -2 after a rejection. */
static int manifest_alg(struct pb *b, const char *name, const char *prefix)
{
	size_t pl = strlen(prefix), n = strlen(name);
	char alg[32];
	int a;

	if (n <= pl + 5 || strncasecmp(name, prefix, pl) != 0 || name[pl] != '-' ||
	    strcasecmp(name + n - 4, ".txt") != 0)
		return -1;
	if (strncmp(name, prefix, pl) != 0 || strcmp(name + n - 4, ".txt") != 0) {
		reject(b, "%s: manifest names are lower case", name);
		return -2;
	}
	if (n - pl - 5 >= sizeof(alg) ||
	    strspn(name + pl + 1, "abcdefghijklmnopqrstuvwxyz0123456789") != n - pl - 5) {
		reject(b,
		       "%s: the algorithm name is not normalized (lower case letters and digits "
		       "only)",
		       name);
		return -2;
	}
	memcpy(alg, name + pl + 1, n - pl - 5);
	alg[n - pl - 5] = '\0';
	if ((a = osp_pb_alg_parse(alg)) < 0) {
		reject(b, "%s: unsupported checksum algorithm %s", name, alg);
		return -2;
	}
	return a;
}

static ospack_error load_payload_manifests(struct pb *b, const struct osp_dirlist *top)
{
	ospack_error rc = OSPACK_OK;
	bool strong = false;

	for (size_t i = 0; rc == OSPACK_OK && i < top->n; i++) {
		int a = manifest_alg(b, top->v[i].name, "manifest");

		if (a == -2)
			return OSPACK_EREJECT;
		if (a < 0)
			continue;
		rc = load_manifest(b, &b->man[a], top->v[i].name, a, true);
		b->algs |= 1u << a;
		strong = strong || a == PB_SHA256 || a == PB_SHA512;
	}
	if (rc == OSPACK_OK && b->algs == 0)
		return reject(b, "no payload manifest (manifest-ALGORITHM.txt)");
	if (rc == OSPACK_OK && !strong)
		warn(b, "the payload manifests use only %s; RFC 8493 asks for sha256 or sha512",
		     b->algs == (1u << PB_MD5)	  ? "md5"
		     : b->algs == (1u << PB_SHA1) ? "sha1"
						  : "weaker algorithms");
	return rc;
}

/* ---- fetch.txt ---- */

static ospack_error on_fetch_line(struct pb *b, void *arg, char *line)
{
	char *url = line + strspn(line, " \t"), *len, *raw, *path, *q;
	unsigned char lenbuf[8];
	uint64_t n = UINT64_MAX;
	struct osp_pbrec old;
	bool dup;
	ospack_error rc;

	(void)arg;
	if (*url == '\0')
		return lapse(b, "fetch.txt: blank line");
	len = url + strcspn(url, " \t");
	raw = len + strspn(len, " \t");
	len = raw;
	raw = len + strcspn(len, " \t");
	if (*raw != '\0')
		*raw++ = '\0';
	raw += strspn(raw, " \t");
	if (url != line || *len == '\0' || *raw == '\0') {
		q = Q(line);
		rc = reject(b, "fetch.txt: malformed line '%s'", q ? q : "?");
		free(q);
		return rc;
	}
	url[strcspn(url, " \t")] = '\0';
	if (!((url[0] | 0x20) >= 'a' && (url[0] | 0x20) <= 'z' &&
	      url[strspn(url,
			 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")] ==
		      ':'))
		return reject(b, "fetch.txt: '%s' is not an absolute URL", url);
	if (strcmp(len, "-") != 0) {
		if (len[strspn(len, "0123456789")] != '\0' || strlen(len) > 19)
			return reject(b, "fetch.txt: '%s' is not a length or '-'", len);
		n = strtoull(len, NULL, 10);
	}
	memcpy(lenbuf, &n, 8);
	if ((rc = clean_path(b, "fetch.txt", raw, true, &path)) != OSPACK_OK)
		return rc;
	rc = osp_pbtable_add(b->ctx, &b->fetch, path, strlen(path), lenbuf, &dup, &old);
	if (rc == OSPACK_OK && dup) {
		q = Q(path);
		warn(b, "fetch.txt: '%s' is listed twice", q ? q : "?");
		free(q);
	}
	return rc;
}

static ospack_error load_fetch(struct pb *b)
{
	struct stat st;
	ospack_error rc;

	if (fstatat(b->root, "fetch.txt", &st, AT_SYMLINK_NOFOLLOW) != 0)
		return OSPACK_OK;
	if (!S_ISREG(st.st_mode))
		return reject(b, "fetch.txt is not a regular file");
	if ((rc = osp_pbtable_init(b->ctx, &b->fetch, "fetch.txt", -1, 8)) != OSPACK_OK)
		return rc;
	b->has_fetch = true;
	return read_lines(b, "fetch.txt", on_fetch_line, NULL);
}

/* Every file fetch.txt names must be in every payload manifest. */
static ospack_error fetch_in_manifests(struct pb *b)
{
	struct osp_pbrec r, m;
	size_t off = 0;

	while (b->has_fetch && osp_pbtable_next(&b->fetch, &off, &r))
		for (int a = 0; a < PB_NALGS; a++)
			if ((b->algs & (1u << a)) &&
			    !osp_pbtable_find(&b->man[a], r.path, r.pathlen, &m)) {
				char *q = Q(r.path);

				reject(b, "fetch.txt lists '%s', which manifest-%s.txt does not",
				       q ? q : "?", osp_pb_alg_name(a));
				free(q);
				return OSPACK_EREJECT;
			}
	return OSPACK_OK;
}

/* ---- hashing ---- */

/* The digests, fetched once: an implicit fetch on every file costs more than a small file's hash.
 */
static const char *const md_names[PB_NALGS] = {"MD5",	 "SHA1",   "SHA224",
					       "SHA256", "SHA384", "SHA512"};
static EVP_MD *mds[PB_NALGS];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void fetch_mds(void)
{
	for (int a = 0; a < PB_NALGS; a++)
		mds[a] = EVP_MD_fetch(NULL, md_names[a], NULL);
}

static const EVP_MD *alg_md(int alg)
{
	pthread_once(&mds_once, fetch_mds);
	return mds[alg];
}

/*
 * Hashes fd from its start to its end with every algorithm in algs, into d; *got
 * is the byte count. 0, or an errno (EPROTO: OpenSSL failed).
 */
static int hash_fd(int fd, unsigned algs, unsigned char *buf, unsigned char d[][PB_MAX_DIGEST],
		   uint64_t *got)
{
	EVP_MD_CTX *c[PB_NALGS] = {NULL};
	int err = 0;
	ssize_t n;

	*got = 0;
	for (int a = 0; a < PB_NALGS && err == 0; a++)
		if ((algs & (1u << a)) && ((c[a] = EVP_MD_CTX_new()) == NULL ||
					   !EVP_DigestInit_ex(c[a], alg_md(a), NULL)))
			err = EPROTO;
	while (err == 0 && (n = read(fd, buf, READ_BLOCK)) != 0) {
		if (n < 0) {
			if (errno != EINTR || osp_interrupted())
				err = errno;
			continue;
		}
		*got += (uint64_t)n;
		for (int a = 0; a < PB_NALGS && err == 0; a++)
			if (c[a] != NULL && !EVP_DigestUpdate(c[a], buf, (size_t)n))
				err = EPROTO;
	}
	for (int a = 0; a < PB_NALGS; a++) {
		if (c[a] != NULL && err == 0 && !EVP_DigestFinal_ex(c[a], d[a], NULL))
			err = EPROTO;
		EVP_MD_CTX_free(c[a]);
	}
	return err;
}

static void run_job(struct pb *b, struct job *j, unsigned char *buf)
{
	unsigned char d[PB_NALGS][PB_MAX_DIGEST];
	uint64_t got;
	int err = hash_fd(j->fd, b->algs, buf, d, &got);
	char *q;

	close(j->fd);
	if (err != 0) {
		fail(b, j->seq, err == EINTR ? OSPACK_EINTR : OSPACK_EIO, "cannot read %s: %s",
		     j->path, err == EPROTO ? "OpenSSL failed" : strerror(err));
		return;
	}
	if (got != j->size) {
		fail(b, j->seq, OSPACK_EREJECT, "'%s' changed while being verified", j->path);
		return;
	}
	if (j->unl != NULL)
		memcpy(j->unl->d, d, sizeof(d));
	for (int a = 0; a < PB_NALGS; a++)
		if (j->want[a] != NULL && memcmp(j->want[a], d[a], osp_pb_alg_len(a)) != 0) {
			q = Q(j->path);
			fail(b, j->seq, OSPACK_EREJECT,
			     "manifest-%s.txt: the %s digest of '%s' does not match",
			     osp_pb_alg_name(a), osp_pb_alg_name(a), q ? q : "?");
			free(q);
			return;
		}
}

static void *worker(void *arg)
{
	struct pb *b = arg;
	unsigned char *buf = malloc(READ_BLOCK);

	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct job j;

		while (b->qlen == 0 && !b->done)
			pthread_cond_wait(&b->more, &b->mu);
		if (b->qlen == 0)
			break;
		j = b->q[b->qhead];
		b->qhead = (b->qhead + 1) % b->qcap;
		b->qlen--;
		pthread_cond_signal(&b->room);
		pthread_mutex_unlock(&b->mu);
		if (buf == NULL) {
			close(j.fd);
			fail(b, j.seq, OSPACK_ENOMEM, "out of memory");
		} else if (b->stop) {
			close(j.fd);
		} else {
			run_job(b, &j, buf);
		}
		free(j.path);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	free(buf);
	return NULL;
}

static unsigned jobs_wanted(const struct ospack_verify_opts *o)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (o != NULL && o->jobs > 0)
		return o->jobs;
	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

static ospack_error start_workers(struct pb *b)
{
	unsigned n = jobs_wanted(b->opts);

	if (n <= 1)
		return OSPACK_OK;
	b->qcap = 8 * (size_t)n;
	b->q = calloc(b->qcap, sizeof(*b->q));
	b->threads = calloc(n, sizeof(*b->threads));
	if (b->q == NULL || b->threads == NULL)
		return osp_nomem(b->ctx);
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&b->threads[i], NULL, worker, b) != 0)
			return osp_error(b->ctx, OSPACK_EIO, "cannot start a thread");
		b->nthreads++;
	}
	return OSPACK_OK;
}

static void stop_workers(struct pb *b)
{
	pthread_mutex_lock(&b->mu);
	b->done = true;
	pthread_cond_broadcast(&b->more);
	pthread_mutex_unlock(&b->mu);
	for (size_t i = 0; i < b->nthreads; i++)
		pthread_join(b->threads[i], NULL);
	b->nthreads = 0;
	/* Jobs left when the workers stopped early. */
	for (; b->qlen > 0; b->qlen--, b->qhead = (b->qhead + 1) % b->qcap) {
		close(b->q[b->qhead].fd);
		free(b->q[b->qhead].path);
	}
}

/* Hands a file to a worker, or hashes it here when there are none. */
static void submit(struct pb *b, struct job *j, unsigned char *buf)
{
	/* A small file costs less to hash here than to hand over. */
	if (b->nthreads == 0 || j->size < PARALLEL_MIN) {
		run_job(b, j, buf);
		free(j->path);
		return;
	}
	pthread_mutex_lock(&b->mu);
	while (b->qlen == b->qcap && !b->stop)
		pthread_cond_wait(&b->room, &b->mu);
	if (b->stop) {
		pthread_mutex_unlock(&b->mu);
		close(j->fd);
		free(j->path);
		return;
	}
	b->q[(b->qhead + b->qlen) % b->qcap] = *j;
	b->qlen++;
	pthread_cond_signal(&b->more);
	pthread_mutex_unlock(&b->mu);
}

/* ---- the payload ---- */

static bool system_file(const char *name)
{
	static const char *const names[] = {".DS_Store",  "Thumbs.db",	     "desktop.ini",
					    ".directory", ".Spotlight-V100", ".Trashes",
					    ".fseventsd", "ehthumbs.db"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "._", 2) == 0;
}

/* A payload file as the walk finds it: listed where, and off to be hashed. */
static void payload_file(struct pb *b, int fd, const char *base, const char *path,
			 const struct stat *st, unsigned char *buf)
{
	struct job j = {.fd = -1, .seq = ++b->seq, .size = (uint64_t)st->st_size};
	unsigned listed = 0;
	char *q = NULL;

	if (system_file(base)) {
		q = Q(path);
		warn(b, "'%s' is a file the operating system made, not content", q ? q : "?");
	}
	for (int a = 0; a < PB_NALGS; a++) {
		struct osp_pbrec r;

		if ((b->algs & (1u << a)) && osp_pbtable_find(&b->man[a], path, strlen(path), &r)) {
			*r.seen = 1;
			j.want[a] = r.digest;
			listed |= 1u << a;
		}
	}
	b->files++;
	b->bytes += (uint64_t)st->st_size;
	if (listed == 0) {
		if (b->nunl >= UNLISTED_MAX) {
			free(q);
			q = Q(path);
			fail(b, j.seq, OSPACK_EREJECT,
			     "payload file '%s' is in no payload manifest", q ? q : "?");
			free(q);
			return;
		}
		j.unl = &b->unl[b->nunl];
		if ((j.unl->path = osp_strdup(path)) == NULL) {
			fail(b, j.seq, OSPACK_ENOMEM, "out of memory");
			free(q);
			return;
		}
		b->nunl++;
	} else if (listed != b->algs) {
		for (int a = 0; a < PB_NALGS; a++)
			if ((b->algs & ~listed & (1u << a)) && q == NULL)
				q = Q(path);
		for (int a = 0; a < PB_NALGS; a++)
			if ((b->algs & ~listed & (1u << a)) &&
			    lapse(b, "payload file '%s' is not in manifest-%s.txt", q ? q : "?",
				  osp_pb_alg_name(a)) != OSPACK_OK) {
				fail(b, j.seq, b->ctx->code, "%s", b->ctx->msg);
				free(q);
				return;
			}
	}
	free(q);
	j.fd = openat(fd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	j.path = osp_strdup(path);
	if (j.fd < 0 || j.path == NULL) {
		if (j.fd >= 0)
			close(j.fd);
		free(j.path);
		fail(b, j.seq, j.fd < 0 ? OSPACK_EIO : OSPACK_ENOMEM, "cannot open %s: %s", path,
		     strerror(errno));
		return;
	}
	submit(b, &j, buf);
}

static void walk(struct pb *b, int fd, const char *path, int depth, unsigned char *buf);

static void walk_child(struct pb *b, int fd, const char *base, const char *path, int depth,
		       unsigned char *buf)
{
	struct stat st;
	char *q;
	int cfd;

	if (fstatat(fd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		fail(b, ++b->seq, OSPACK_EIO, "cannot stat %s: %s", path, strerror(errno));
		return;
	}
	if (S_ISREG(st.st_mode)) {
		payload_file(b, fd, base, path, &st, buf);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		q = Q(path);
		fail(b, ++b->seq, OSPACK_EREJECT, "'%s' is %s", q ? q : "?",
		     S_ISLNK(st.st_mode) ? "a symbolic link (not followed)"
					 : "neither a regular file nor a folder");
		free(q);
		return;
	}
	if (depth >= OSP_DEPTH_MAX) {
		fail(b, ++b->seq, OSPACK_EREJECT, "%s: folders nested too deeply", path);
		return;
	}
	cfd = openat(fd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (cfd < 0) {
		fail(b, ++b->seq, OSPACK_EIO, "cannot open folder %s: %s", path, strerror(errno));
		return;
	}
	walk(b, cfd, path, depth + 1, buf);
}

struct sibling {
	char *key;
	const char *name;
};

static int by_key(const void *x, const void *y)
{
	return strcmp(((const struct sibling *)x)->key, ((const struct sibling *)y)->key);
}

/* Names in one folder that differ only in case or normalization collide on many file systems. */
static void lookalikes(struct pb *b, const char *path, const struct osp_dirlist *dl)
{
	struct sibling *v = dl->n > 1 ? calloc(dl->n, sizeof(*v)) : NULL;
	size_t n = 0;

	for (size_t i = 0; v != NULL && i < dl->n; i++, n++)
		if ((v[i].key = osp_pb_name_key(dl->v[i].name, true)) == NULL)
			break;
		else
			v[i].name = dl->v[i].name;
	if (v != NULL && n == dl->n) {
		qsort(v, n, sizeof(*v), by_key);
		for (size_t i = 1; i < n; i++)
			if (strcmp(v[i - 1].key, v[i].key) == 0) {
				char *q1 = osp_asprintf("%s/%s", path, v[i - 1].name);
				char *q2 = osp_asprintf("%s/%s", path, v[i].name);
				char *p1 = q1 ? Q(q1) : NULL, *p2 = q2 ? Q(q2) : NULL;

				warn(b,
				     "payload files '%s' and '%s' differ only in case or Unicode "
				     "normalization; they collide on many file systems",
				     p1 ? p1 : "?", p2 ? p2 : "?");
				free(q1);
				free(q2);
				free(p1);
				free(p2);
			}
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

/* Walks the folder open as fd (and closes it), in byte order of the paths. */
static void walk(struct pb *b, int fd, const char *path, int depth, unsigned char *buf)
{
	struct osp_dirlist dl = {0};
	int err = osp_dirlist_read(fd, false, &dl);

	if (err != 0)
		fail(b, ++b->seq, OSPACK_EIO, "cannot read folder %s: %s", path, strerror(err));
	else
		lookalikes(b, path, &dl);
	for (size_t i = 0; err == 0 && i < dl.n && !b->stop; i++) {
		char *child = osp_asprintf("%s/%s", path, dl.v[i].name);

		if (osp_interrupted()) {
			fail(b, ++b->seq, OSPACK_EINTR, "interrupted");
			break;
		}
		if (child == NULL) {
			fail(b, ++b->seq, OSPACK_ENOMEM, "out of memory");
			break;
		}
		walk_child(b, fd, dl.v[i].name, child, depth, buf);
		free(child);
	}
	osp_dirlist_free(&dl);
	close(fd);
}

static ospack_error walk_payload(struct pb *b)
{
	unsigned char *buf = malloc(READ_BLOCK);
	ospack_error rc;
	int fd;

	b->unl = calloc(UNLISTED_MAX, sizeof(*b->unl));
	if (buf == NULL || b->unl == NULL) {
		free(buf);
		return osp_nomem(b->ctx);
	}
	fd = openat(b->root, "data", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return reject(b, "the payload folder data/ is missing (or not a folder)");
	}
	rc = start_workers(b);
	if (rc == OSPACK_OK)
		walk(b, fd, "data", 1, buf);
	else
		close(fd);
	stop_workers(b);
	free(buf);
	if (rc == OSPACK_OK && b->fail_code != OSPACK_OK)
		rc = b->fail_code == OSPACK_ENOMEM
			     ? osp_nomem(b->ctx)
			     : osp_error(b->ctx, b->fail_code, "%s", b->fail_msg);
	return rc;
}

/* ---- what the manifests list and the walk did not find ---- */

/* A record of t, other than path, whose key equals key; NULL-terminated copy in *found. */
static bool seen_alike(struct osp_pbtable *t, const char *path, const char *key, bool fold,
		       struct osp_pbrec *found)
{
	size_t off = 0;

	while (osp_pbtable_next(t, &off, found)) {
		char *k;
		bool same;

		if (!*found->seen || strcmp(found->path, path) == 0)
			continue;
		if ((k = osp_pb_name_key(found->path, fold)) == NULL)
			return false;
		same = strcmp(k, key) == 0;
		free(k);
		if (same)
			return true;
	}
	return false;
}

static struct unlisted *unlisted_alike(struct pb *b, const char *key)
{
	for (size_t i = 0; i < b->nunl; i++) {
		char *k = osp_pb_name_key(b->unl[i].path, false);
		bool same = k != NULL && strcmp(k, key) == 0;

		free(k);
		if (same)
			return &b->unl[i];
	}
	return NULL;
}

static ospack_error digest_of_alike(struct pb *b, struct osp_pbtable *t, const char *path,
				    const unsigned char *want, const unsigned char *have)
{
	char *q;
	ospack_error rc = OSPACK_OK;

	if (memcmp(want, have, t->dlen) != 0) {
		q = Q(path);
		rc = reject(b, "%s: the %s digest of '%s' does not match", t->name,
			    osp_pb_alg_name(t->alg), q ? q : "?");
		free(q);
	}
	return rc;
}

/*
 * A listed file the walk did not find: awaited through fetch.txt, or on disk
 * under a name that differs only in Unicode normalization or case (RFC 8493
 * asks validators to tolerate these, with a warning), or missing.
 */
static ospack_error not_found(struct pb *b, struct osp_pbtable *t, struct osp_pbrec *r)
{
	struct osp_pbrec f, other;
	char *key = osp_pb_name_key(r->path, false), *fkey = osp_pb_name_key(r->path, true);
	char *q = Q(r->path), *q2 = NULL;
	struct unlisted *u;
	struct stat st;
	ospack_error rc = OSPACK_OK;

	if (key == NULL || fkey == NULL || q == NULL) {
		rc = osp_nomem(b->ctx);
	} else if (b->has_fetch && osp_pbtable_find(&b->fetch, r->path, r->pathlen, &f)) {
		warn(b, "%s: '%s' is not here yet (fetch.txt lists it); its digest is not checked",
		     t->name, q);
		if (!*f.seen) {
			*f.seen = 1;
			b->fetch_missing++;
		}
	} else if ((u = unlisted_alike(b, key)) != NULL) {
		q2 = Q(u->path);
		warn(b, "'%s' is on disk as '%s': the names differ in Unicode normalization", q,
		     q2 ? q2 : "?");
		u->resolved = true;
		rc = digest_of_alike(b, t, r->path, r->digest, u->d[t->alg]);
	} else if (seen_alike(t, r->path, key, false, &other)) {
		q2 = Q(other.path);
		warn(b, "'%s' and '%s' are one file: the names differ in Unicode normalization", q,
		     q2 ? q2 : "?");
		rc = digest_of_alike(b, t, r->path, r->digest, other.digest);
	} else if (seen_alike(t, r->path, fkey, true, &other)) {
		q2 = Q(other.path);
		warn(b,
		     "'%s' and '%s' differ only in case: one file on a case-insensitive file "
		     "system, but only '%s' exists here",
		     q, q2 ? q2 : "?", q2 ? q2 : "?");
		rc = digest_of_alike(b, t, r->path, r->digest, other.digest);
	} else if (fstatat(b->root, r->path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		   S_ISDIR(st.st_mode)) {
		rc = reject(b, "%s: '%s' is a folder; manifests list files", t->name, q);
	} else {
		rc = reject(b, "%s lists '%s', which is missing", t->name, q);
	}
	free(key);
	free(fkey);
	free(q);
	free(q2);
	return rc;
}

static ospack_error check_complete(struct pb *b)
{
	ospack_error rc = OSPACK_OK;

	for (int a = 0; rc == OSPACK_OK && a < PB_NALGS; a++) {
		struct osp_pbrec r;
		size_t off = 0;

		while (rc == OSPACK_OK && (b->algs & (1u << a)) &&
		       osp_pbtable_next(&b->man[a], &off, &r))
			if (!*r.seen)
				rc = not_found(b, &b->man[a], &r);
	}
	for (size_t i = 0; rc == OSPACK_OK && i < b->nunl; i++)
		if (!b->unl[i].resolved) {
			char *q = Q(b->unl[i].path);

			rc = reject(b, "payload file '%s' is in no payload manifest", q ? q : "?");
			free(q);
		}
	return rc;
}

/* ---- tag manifests ---- */

static ospack_error check_tag_entry(struct pb *b, struct osp_pbtable *t, struct osp_pbrec *r,
				    unsigned char *buf)
{
	unsigned char d[PB_NALGS][PB_MAX_DIGEST];
	uint64_t got;
	struct stat st;
	char *q = Q(r->path);
	int fd = -1, err;
	ospack_error rc = OSPACK_OK;

	if (q == NULL)
		return osp_nomem(b->ctx);
	if (strcmp(r->path, t->name) == 0) {
		rc = reject(b, "%s lists itself", t->name);
		goto out;
	}
	fd = osp_pb_open_below(b->root, r->path, O_RDONLY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = reject(b, "%s lists '%s', which is missing (or not a regular file)", t->name,
			    q);
		goto out;
	}
	if ((err = hash_fd(fd, 1u << t->alg, buf, d, &got)) != 0) {
		rc = osp_errno(b->ctx, err == EPROTO ? EIO : err, "cannot read", r->path);
		goto out;
	}
	if (memcmp(d[t->alg], r->digest, t->dlen) != 0)
		rc = reject(b, "%s: the %s digest of '%s' does not match", t->name,
			    osp_pb_alg_name(t->alg), q);
out:
	if (fd >= 0)
		close(fd);
	free(q);
	return rc;
}

static ospack_error check_tag_manifest(struct pb *b, const char *name, int alg, unsigned char *buf)
{
	struct osp_pbtable t = {0};
	struct osp_pbrec r;
	size_t off = 0;
	ospack_error rc = load_manifest(b, &t, name, alg, false);

	for (int a = 0; rc == OSPACK_OK && a < PB_NALGS; a++) {
		char m[64];

		snprintf(m, sizeof(m), "manifest-%s.txt", osp_pb_alg_name(a));
		if ((b->algs & (1u << a)) && !osp_pbtable_find(&t, m, strlen(m), &r))
			rc = lapse(b, "%s does not list %s", name, m);
	}
	while (rc == OSPACK_OK && osp_pbtable_next(&t, &off, &r))
		rc = check_tag_entry(b, &t, &r, buf);
	osp_pbtable_free(&t);
	return rc;
}

static ospack_error check_tag_manifests(struct pb *b, const struct osp_dirlist *top)
{
	unsigned char *buf = malloc(READ_BLOCK);
	ospack_error rc = buf ? OSPACK_OK : osp_nomem(b->ctx);
	bool any = false;

	for (size_t i = 0; rc == OSPACK_OK && i < top->n; i++) {
		int a = manifest_alg(b, top->v[i].name, "tagmanifest");

		if (a == -2)
			rc = OSPACK_EREJECT;
		else if (a >= 0) {
			any = true;
			rc = check_tag_manifest(b, top->v[i].name, a, buf);
		}
	}
	if (rc == OSPACK_OK && !any)
		warn(b,
		     "no tag manifest (tagmanifest-ALGORITHM.txt): the tag files are not checked");
	free(buf);
	return rc;
}

/* ---- bag-info.txt ---- */

struct baginfo {
	unsigned long line;
	bool any; /* an element was read: a continuation line has one to continue */
	int noxum;
	char oxum[64];
};

static ospack_error on_info_line(struct pb *b, void *arg, char *line)
{
	struct baginfo *bi = arg;
	char *colon, *label = line, *value, *end;

	bi->line++;
	if ((line[0] == ' ' || line[0] == '\t') && line[strspn(line, " \t")] != '\0') {
		if (!bi->any)
			return reject(
				b, "bag-info.txt:%lu: a continuation line with nothing to continue",
				bi->line);
		return OSPACK_OK;
	}
	if (line[strspn(line, " \t")] == '\0')
		return lapse(b, "bag-info.txt:%lu: blank line", bi->line);
	colon = strchr(line, ':');
	if (!b->strict)
		label += strspn(label, " \t");
	end = colon;
	if (colon != NULL && !b->strict)
		while (end > label && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
	value = colon ? colon + 1 : NULL;
	if (colon == NULL || end == label ||
	    (b->strict && (end[-1] == ' ' || end[-1] == '\t' || strchr(" \t", *label) != NULL ||
			   (*value != ' ' && *value != '\t')))) {
		char *q = Q(line);
		ospack_error rc = reject(b, "bag-info.txt:%lu: not 'Label: value': '%s'", bi->line,
					 q ? q : "?");

		free(q);
		return rc;
	}
	bi->any = true;
	if ((size_t)(end - label) == 12 && strncasecmp(label, "Payload-Oxum", 12) == 0) {
		value += b->strict ? 1 : strspn(value, " \t");
		if (!b->strict)
			value[strcspn(value, " \t")] = '\0';
		bi->noxum++;
		snprintf(bi->oxum, sizeof(bi->oxum), "%s", value);
	}
	return OSPACK_OK;
}

static ospack_error check_oxum(struct pb *b, const struct baginfo *bi)
{
	unsigned long long octets, streams;
	char *end;

	if (bi->noxum == 0) {
		warn(b, "bag-info.txt gives no Payload-Oxum");
		return OSPACK_OK;
	}
	if (bi->noxum > 1)
		return reject(b, "bag-info.txt: Payload-Oxum appears %d times", bi->noxum);
	if (bi->oxum[0] < '0' || bi->oxum[0] > '9' ||
	    (octets = strtoull(bi->oxum, &end, 10), *end != '.') || end[1] < '0' || end[1] > '9' ||
	    (streams = strtoull(end + 1, &end, 10), *end != '\0'))
		return reject(b, "bag-info.txt: Payload-Oxum '%s' is not OCTETS.STREAMS", bi->oxum);
	if (b->fetch_missing > 0) {
		warn(b, "bag-info.txt: Payload-Oxum not checked: files listed in fetch.txt are not "
			"here yet");
		return OSPACK_OK;
	}
	if (octets != b->bytes || streams != b->files)
		return reject(
			b,
			"bag-info.txt: Payload-Oxum says %llu.%llu but the payload holds %llu "
			"bytes in %llu files",
			octets, streams, (unsigned long long)b->bytes,
			(unsigned long long)b->files);
	return OSPACK_OK;
}

static ospack_error check_bag_info(struct pb *b)
{
	struct baginfo bi = {0};
	struct stat st;
	ospack_error rc;

	if (fstatat(b->root, "bag-info.txt", &st, AT_SYMLINK_NOFOLLOW) != 0) {
		warn(b, "no bag-info.txt, so no Payload-Oxum");
		return OSPACK_OK;
	}
	if (!S_ISREG(st.st_mode))
		return reject(b, "bag-info.txt is not a regular file");
	rc = read_lines(b, "bag-info.txt", on_info_line, &bi);
	return rc == OSPACK_OK ? check_oxum(b, &bi) : rc;
}

/* ---- the whole bag ---- */

static ospack_error check_bag(struct pb *b)
{
	struct osp_dirlist top = {0};
	int err = osp_dirlist_read(b->root, false, &top);
	ospack_error rc;

	if (err != 0)
		return osp_errno(b->ctx, err, "cannot read folder", ".");
	rc = check_declaration(b);
	if (rc == OSPACK_OK)
		rc = load_fetch(b);
	if (rc == OSPACK_OK)
		rc = load_payload_manifests(b, &top);
	if (rc == OSPACK_OK)
		rc = fetch_in_manifests(b);
	if (rc == OSPACK_OK)
		rc = walk_payload(b);
	if (rc == OSPACK_OK)
		rc = check_complete(b);
	if (rc == OSPACK_OK)
		rc = check_tag_manifests(b, &top);
	if (rc == OSPACK_OK)
		rc = check_bag_info(b);
	osp_dirlist_free(&top);
	return rc;
}

static struct ospack_verify_result *make_result(struct pb *b, const char *shown, ospack_error rc)
{
	struct ospack_verify_result *r = calloc(1, sizeof(*r));
	json_t *j, *algs = json_array();
	char version[32];

	if (r == NULL || algs == NULL) {
		free(r);
		json_decref(algs);
		return NULL;
	}
	for (int a = 0; a < PB_NALGS; a++)
		if (b->algs & (1u << a))
			json_array_append_new(algs, json_string(osp_pb_alg_name(a)));
	snprintf(version, sizeof(version), "%d.%d", b->major, b->minor);
	r->bag = osp_strdup(shown);
	r->name = osp_strdup(shown);
	r->version = osp_strdup(b->encoding ? version : "");
	r->files = b->files;
	r->bytes = b->bytes;
	r->signatures = calloc(1, sizeof(*r->signatures));
	r->plain = 1;
	r->nwarnings = b->nwarn;
	j = json_pack("{s:b, s:s, s:s, s:s?, s:I, s:I, s:o, s:b, s:b, s:O, s:I, s:s?}", "ok",
		      rc == OSPACK_OK, "kind", "bagit", "bag", shown, "bagit_version",
		      b->encoding ? version : NULL, "files", (json_int_t)b->files, "bytes",
		      (json_int_t)b->bytes, "manifests", algs, "signed", 0, "authenticated", 0,
		      "warnings", b->warnings, "warnings_total", (json_int_t)b->nwarn, "error",
		      rc == OSPACK_OK ? NULL : b->ctx->msg);
	r->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (r->bag == NULL || r->name == NULL || r->version == NULL || r->signatures == NULL ||
	    r->json == NULL) {
		ospack_verify_result_free(r);
		return NULL;
	}
	return r;
}

static void pb_free(struct pb *b)
{
	for (int a = 0; a < PB_NALGS; a++)
		osp_pbtable_free(&b->man[a]);
	osp_pbtable_free(&b->fetch);
	for (size_t i = 0; b->unl != NULL && i < b->nunl; i++)
		free(b->unl[i].path);
	free(b->unl);
	free(b->q);
	free(b->threads);
	free(b->fail_msg);
	free(b->encoding);
	json_decref(b->warnings);
	pthread_mutex_destroy(&b->mu);
	pthread_cond_destroy(&b->more);
	pthread_cond_destroy(&b->room);
}

ospack_error osp_plain_bag(struct ospack_ctx *ctx, int dirfd, const char *shown,
			   const struct ospack_verify_opts *opts, struct ospack_verify_result **out)
{
	struct pb b = {.ctx = ctx, .root = dirfd, .opts = opts};
	ospack_error rc;

	*out = NULL;
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.more, NULL);
	pthread_cond_init(&b.room, NULL);
	b.warnings = json_array();
	rc = b.warnings ? check_bag(&b) : osp_nomem(ctx);
	/* A signature was asked for, and a plain bag has none to check. */
	if (rc == OSPACK_OK && opts != NULL && opts->nkeys > 0)
		rc = osp_error(ctx, OSPACK_EREJECT,
			       "a plain BagIt bag, valid but not signed (no ospack statement): no "
			       "signature by a trusted key");
	if ((rc == OSPACK_OK || rc == OSPACK_EREJECT) && b.warnings != NULL &&
	    (*out = make_result(&b, shown, rc)) == NULL && rc == OSPACK_OK)
		rc = osp_nomem(ctx);
	pb_free(&b);
	return rc;
}
