/* SPDX-License-Identifier: Apache-2.0 */
/* What the BagIt checks read with: manifest tables, text tag files in any encoding, name keys. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plain.h"

static const struct {
	const char *name;
	size_t len;
} algs[PB_NALGS] = {{"md5", 16},    {"sha1", 20},   {"sha224", 28},
		    {"sha256", 32}, {"sha384", 48}, {"sha512", 64}};

const char *osp_pb_alg_name(int alg)
{
	return algs[alg].name;
}

size_t osp_pb_alg_len(int alg)
{
	return algs[alg].len;
}

int osp_pb_alg_parse(const char *name)
{
	for (int i = 0; i < PB_NALGS; i++)
		if (strcmp(name, algs[i].name) == 0)
			return i;
	return -1;
}

/* ---- tables ---- */

/* A record: 4 bytes of path length, 1 byte of mark, the path and its NUL, the digest. */
#define REC_HEAD 5
#define ARENA_MAX (4ull * 1024 * 1024 * 1024)

static uint64_t hash_path(uint64_t seed, const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

ospack_error osp_pbtable_init(struct ospack_ctx *ctx, struct osp_pbtable *t, const char *name,
			      int alg, size_t dlen)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->alg = alg;
	t->dlen = dlen;
	t->nslot = 1024;
	t->slot = calloc(t->nslot, sizeof(*t->slot));
	/* A seed no bag can know: names cannot be made to pile up on one slot. */
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)(uintptr_t)t ^ (uint64_t)getpid();
	return t->slot ? OSPACK_OK : osp_nomem(ctx);
}

void osp_pbtable_free(struct osp_pbtable *t)
{
	free(t->arena);
	free(t->slot);
	t->arena = NULL;
	t->slot = NULL;
}

static void rec_at(const struct osp_pbtable *t, size_t off, struct osp_pbrec *rec)
{
	uint32_t len;

	memcpy(&len, t->arena + off, 4);
	rec->pathlen = len;
	rec->seen = t->arena + off + 4;
	rec->path = (const char *)t->arena + off + REC_HEAD;
	rec->digest = t->arena + off + REC_HEAD + len + 1;
}

static size_t probe(const struct osp_pbtable *t, const char *path, size_t len, bool *found)
{
	size_t i = hash_path(t->seed, path, len) & (t->nslot - 1);

	*found = false;
	for (;; i = (i + 1) & (t->nslot - 1)) {
		struct osp_pbrec r;

		if (t->slot[i] == 0)
			return i;
		rec_at(t, t->slot[i] - 1, &r);
		if (r.pathlen == len && memcmp(r.path, path, len) == 0) {
			*found = true;
			return i;
		}
	}
}

static ospack_error grow_index(struct ospack_ctx *ctx, struct osp_pbtable *t)
{
	size_t n = t->nslot * 2;
	uint64_t *old = t->slot, *slot = calloc(n, sizeof(*slot));
	size_t oldn = t->nslot;

	if (slot == NULL)
		return osp_nomem(ctx);
	t->slot = slot;
	t->nslot = n;
	for (size_t i = 0; i < oldn; i++) {
		struct osp_pbrec r;
		bool found;

		if (old[i] == 0)
			continue;
		rec_at(t, old[i] - 1, &r);
		t->slot[probe(t, r.path, r.pathlen, &found)] = old[i];
	}
	free(old);
	return OSPACK_OK;
}

ospack_error osp_pbtable_add(struct ospack_ctx *ctx, struct osp_pbtable *t, const char *path,
			     size_t len, const unsigned char *digest, bool *dup,
			     struct osp_pbrec *old)
{
	size_t need = REC_HEAD + len + 1 + t->dlen, i;
	uint32_t len32 = (uint32_t)len;
	bool found;

	i = probe(t, path, len, &found);
	*dup = found;
	if (found) {
		rec_at(t, t->slot[i] - 1, old);
		return OSPACK_OK;
	}
	if (t->alen + need > t->acap) {
		size_t cap = t->acap ? t->acap * 2 : 64 * 1024;
		unsigned char *a;

		while (cap < t->alen + need)
			cap *= 2;
		if (cap > ARENA_MAX)
			return osp_error(ctx, OSPACK_EREJECT, "%s: too many entries", t->name);
		if ((a = realloc(t->arena, cap)) == NULL)
			return osp_nomem(ctx);
		t->arena = a;
		t->acap = cap;
	}
	memcpy(t->arena + t->alen, &len32, 4);
	t->arena[t->alen + 4] = 0;
	memcpy(t->arena + t->alen + REC_HEAD, path, len);
	t->arena[t->alen + REC_HEAD + len] = '\0';
	memcpy(t->arena + t->alen + REC_HEAD + len + 1, digest, t->dlen);
	t->slot[i] = t->alen + 1;
	t->alen += need;
	t->n++;
	/* At most half full, so that a probe ends soon. */
	if (t->n * 2 > t->nslot)
		return grow_index(ctx, t);
	return OSPACK_OK;
}

bool osp_pbtable_find(const struct osp_pbtable *t, const char *path, size_t len,
		      struct osp_pbrec *rec)
{
	bool found;
	size_t i = probe(t, path, len, &found);

	if (found)
		rec_at(t, t->slot[i] - 1, rec);
	return found;
}

bool osp_pbtable_next(const struct osp_pbtable *t, size_t *off, struct osp_pbrec *rec)
{
	if (*off >= t->alen)
		return false;
	rec_at(t, *off, rec);
	*off += REC_HEAD + rec->pathlen + 1 + t->dlen;
	return true;
}

/* ---- text tag files ---- */

#define RAW_BLOCK (256 * 1024)

struct osp_pbtext {
	struct ospack_ctx *ctx;
	char *rel;
	int fd;
	iconv_t cd; /* (iconv_t)-1: UTF-8, checked line by line */
	char *encoding;
	char raw[RAW_BLOCK];
	size_t rawlen; /* undecoded bytes kept from the last read */
	char *buf;     /* decoded text: [pos, len) not yet handed out */
	size_t pos, len, cap;
	bool eof, terminated;
	unsigned long lineno;
};

bool osp_pb_encoding_known(const char *encoding)
{
	iconv_t cd;

	if (strcasecmp(encoding, "UTF-8") == 0)
		return true;
	cd = iconv_open("UTF-8", encoding);
	if (cd == (iconv_t)-1)
		return false;
	iconv_close(cd);
	return true;
}

int osp_pb_open_below(int dirfd, const char *rel, int flags)
{
	char *copy = osp_strdup(rel), *p, *slash;
	int fd = dirfd, next;

	if (copy == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (p = copy; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		*slash = '\0';
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd != dirfd)
			close(fd);
		if (next < 0) {
			free(copy);
			return -1;
		}
		fd = next;
	}
	next = openat(fd, p, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd != dirfd) {
		int err = errno;

		close(fd);
		errno = err;
	}
	free(copy);
	return next;
}

ospack_error osp_pbtext_open(struct ospack_ctx *ctx, int dirfd, const char *rel,
			     const char *encoding, bool *bom, struct osp_pbtext **out)
{
	struct osp_pbtext *t = calloc(1, sizeof(*t));
	struct stat st;

	*out = NULL;
	*bom = false;
	if (t == NULL)
		return osp_nomem(ctx);
	t->ctx = ctx;
	t->cd = (iconv_t)-1;
	t->rel = osp_strdup(rel);
	t->fd = osp_pb_open_below(dirfd, rel, O_RDONLY | O_NONBLOCK);
	if (t->rel == NULL) {
		osp_pbtext_free(t);
		return osp_nomem(ctx);
	}
	if (t->fd < 0 || fstat(t->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		int err = t->fd < 0 ? errno : 0;

		osp_pbtext_free(t);
		if (err != 0 && err != ENOENT && err != ELOOP && err != ENOTDIR)
			return osp_errno(ctx, err, "cannot open", rel);
		return osp_error(ctx, OSPACK_EREJECT, "%s is missing (or not a regular file)", rel);
	}
	if (encoding != NULL && strcasecmp(encoding, "UTF-8") != 0) {
		t->cd = iconv_open("UTF-8", encoding);
		t->encoding = osp_strdup(encoding);
		if (t->cd == (iconv_t)-1 || t->encoding == NULL) {
			osp_pbtext_free(t);
			return osp_error(ctx, OSPACK_EREJECT, "%s: unknown character encoding '%s'",
					 rel, encoding);
		}
	}
	t->terminated = true;
	*out = t;
	/* A UTF-8 byte-order mark is looked for before anything is decoded. */
	if (t->cd == (iconv_t)-1) {
		ssize_t n = pread(t->fd, t->raw, 3, 0);

		if (n == 3 && memcmp(t->raw, "\xef\xbb\xbf", 3) == 0) {
			*bom = true;
			if (lseek(t->fd, 3, SEEK_SET) != 3)
				return osp_errno(ctx, errno, "cannot read", rel);
		}
	}
	return OSPACK_OK;
}

static int reserve(struct osp_pbtext *t, size_t more)
{
	if (t->pos > 0) {
		memmove(t->buf, t->buf + t->pos, t->len - t->pos);
		t->len -= t->pos;
		t->pos = 0;
	}
	if (t->len + more + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 64 * 1024;
		char *b;

		while (cap < t->len + more + 1)
			cap *= 2;
		if ((b = realloc(t->buf, cap)) == NULL) {
			osp_nomem(t->ctx);
			return -1;
		}
		t->buf = b;
		t->cap = cap;
	}
	return 0;
}

static int decode(struct osp_pbtext *t)
{
	char *in = t->raw;
	size_t inleft = t->rawlen;

	while (inleft > 0) {
		char *outp;
		size_t outleft, r;

		if (reserve(t, inleft * 4 + 16) != 0)
			return -1;
		outp = t->buf + t->len;
		outleft = t->cap - t->len - 1;
		r = iconv(t->cd, &in, &inleft, &outp, &outleft);
		t->len = (size_t)(outp - t->buf);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		if (errno == EINVAL && !t->eof)
			break;
		osp_error(t->ctx, OSPACK_EREJECT, "%s is not valid %s", t->rel, t->encoding);
		return -1;
	}
	memmove(t->raw, in, inleft);
	t->rawlen = inleft;
	return 0;
}

/* Reads more: 0, or -1 with the error on the context. */
static int refill(struct osp_pbtext *t)
{
	ssize_t n;

	do
		n = read(t->fd, t->raw + t->rawlen, RAW_BLOCK - t->rawlen);
	while (n < 0 && errno == EINTR && !osp_interrupted());
	if (n < 0) {
		osp_errno(t->ctx, errno, "cannot read", t->rel);
		return -1;
	}
	if (n == 0)
		t->eof = true;
	t->rawlen += (size_t)n;
	if (t->cd != (iconv_t)-1)
		return decode(t);
	if (reserve(t, t->rawlen) != 0)
		return -1;
	memcpy(t->buf + t->len, t->raw, t->rawlen);
	t->len += t->rawlen;
	t->rawlen = 0;
	return 0;
}

int osp_pbtext_line(struct osp_pbtext *t, char **line, size_t *len)
{
	for (;;) {
		char *start = t->buf + t->pos, *end = NULL;
		size_t avail = t->len - t->pos, n, skip;

		for (size_t i = 0; i < avail; i++)
			if (start[i] == '\n' || start[i] == '\r') {
				end = start + i;
				break;
			}
		/* A CR at the end of what was read may be the first half of a CRLF. */
		if (end != NULL && (*end == '\n' || end + 1 < start + avail || t->eof)) {
			n = (size_t)(end - start);
			skip = *end == '\r' && end + 1 < start + avail && end[1] == '\n' ? 2 : 1;
			t->terminated = true;
		} else if (end == NULL && t->eof) {
			if (avail == 0)
				return 0;
			n = avail;
			skip = 0;
			t->terminated = false;
		} else {
			if (avail > PB_LINE_MAX) {
				osp_error(t->ctx, OSPACK_EREJECT,
					  "%s: line %lu is longer than %d bytes", t->rel,
					  t->lineno + 1, PB_LINE_MAX);
				return -1;
			}
			if (refill(t) != 0)
				return -1;
			continue;
		}
		t->lineno++;
		start[n] = '\0';
		t->pos += n + skip;
		if (skip == 0)
			t->pos = t->len;
		if (memchr(start, '\0', n) != NULL ||
		    (t->cd == (iconv_t)-1 && !osp_utf8_valid(start, n))) {
			osp_error(t->ctx, OSPACK_EREJECT, "%s: line %lu is not valid %s", t->rel,
				  t->lineno, t->cd == (iconv_t)-1 ? "UTF-8" : t->encoding);
			return -1;
		}
		*line = start;
		*len = n;
		return 1;
	}
}

bool osp_pbtext_terminated(const struct osp_pbtext *t)
{
	return t->terminated;
}

unsigned long osp_pbtext_lineno(const struct osp_pbtext *t)
{
	return t->lineno;
}

void osp_pbtext_free(struct osp_pbtext *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	if (t->cd != (iconv_t)-1)
		iconv_close(t->cd);
	free(t->encoding);
	free(t->rel);
	free(t->buf);
	free(t);
}

/* ---- names that differ only in normalization or case ---- */

/* The Latin letters with diacritics and their canonical decomposition (Unicode's NFD). */
static const struct {
	uint16_t cp;
	char base;
	uint16_t m1, m2;
} decomp[] = {
#include "plain_nfd.inc"
};

static void put_utf8(struct osp_buf *b, uint32_t cp)
{
	char s[4];

	if (cp < 0x80) {
		osp_buf_putc(b, (char)cp);
		return;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		osp_buf_add(b, s, 2);
		return;
	}
	s[0] = (char)(0xe0 | (cp >> 12));
	s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	s[2] = (char)(0x80 | (cp & 0x3f));
	osp_buf_add(b, s, 3);
}

static int find_decomp(uint32_t cp)
{
	int lo = 0, hi = (int)(sizeof(decomp) / sizeof(decomp[0])) - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (decomp[mid].cp == cp)
			return mid;
		if (decomp[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

char *osp_pb_name_key(const char *s, bool fold)
{
	struct osp_buf b = {0};
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp = *p;
		int len = 1, d;

		if (cp >= 0xc0 && cp < 0xe0 && (p[1] & 0xc0) == 0x80) {
			cp = ((cp & 0x1f) << 6) | (p[1] & 0x3f);
			len = 2;
		}
		if (len == 2 && (d = find_decomp(cp)) >= 0) {
			char base = decomp[d].base;

			osp_buf_putc(&b,
				     fold && base >= 'A' && base <= 'Z' ? (char)(base + 32) : base);
			put_utf8(&b, decomp[d].m1);
			if (decomp[d].m2)
				put_utf8(&b, decomp[d].m2);
		} else if (len == 1 && fold && cp >= 'A' && cp <= 'Z') {
			osp_buf_putc(&b, (char)(cp + 32));
		} else {
			osp_buf_add(&b, p, (size_t)len);
		}
		p += len;
	}
	return osp_buf_steal(&b, NULL);
}
