/* SPDX-License-Identifier: Apache-2.0 */
/* The streaming side of the verifier: names, order, folders, and digests as entries go by. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "sign.h"
#include "spill.h"
#include "release.h"
#include "verifier.h"

/* Payload files waiting for their digest, in archive order: at most this many. */
#define RING_CAP 4096
/* Files at least this large are hashed by a worker, when there are workers. */
#define PARALLEL_MIN (1024 * 1024)
#define WORK_BUF (1024 * 1024)
/* Tag files held in memory; larger ones, or more, go to a spill file. */
#define TAG_MEM_ONE (1024 * 1024)
#define TAG_MEM_ALL (16 * 1024 * 1024)

enum { P_EMPTY, P_QUEUED, P_RUNNING, P_DONE };

struct osp_vpending {
	char *path;
	uint64_t size;
	unsigned mode;
	unsigned char sha256[32];
	int state;
	int err;	 /* a read error's errno */
	const char *why; /* or a reason to reject */
	struct osp_vjob job;
};

ospack_error osp_reject(struct osp_verifier *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	osp_verror(v->ctx, OSPACK_EREJECT, fmt, ap);
	va_end(ap);
	return OSPACK_EREJECT;
}

/* ---- workers ---- */

static void *worker(void *arg);

static unsigned default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
}

static ospack_error start_workers(struct osp_verifier *v, unsigned jobs)
{
	v->threads = calloc(jobs, sizeof(*v->threads));
	if (v->threads == NULL)
		return osp_nomem(v->ctx);
	for (unsigned i = 0; i < jobs; i++) {
		if (pthread_create(&v->threads[i], NULL, worker, v) != 0)
			break;
		v->nthreads++;
	}
	/* Without workers every file is hashed on the reading thread: slower, still right. */
	return OSPACK_OK;
}

static void stop_workers(struct osp_verifier *v)
{
	pthread_mutex_lock(&v->mu);
	v->stopping = true;
	pthread_cond_broadcast(&v->work);
	pthread_mutex_unlock(&v->mu);
	for (size_t i = 0; i < v->nthreads; i++)
		pthread_join(v->threads[i], NULL);
	v->nthreads = 0;
}

static struct osp_vpending *slot(struct osp_verifier *v, size_t seq)
{
	return &v->ring[seq % v->ring_cap];
}

/* Reads a job's bytes and hashes them; sets p->err or p->why on failure. */
static void run_job(struct osp_verifier *v, struct osp_vpending *p, struct osp_hash *h,
		    unsigned char *buf, struct ospack_ctx *ctx)
{
	uint64_t left = p->size, off = p->job.off >= 0 ? (uint64_t)p->job.off : 0;
	struct osp_digests d;

	while (left > 0) {
		size_t want = left < WORK_BUF ? (size_t)left : WORK_BUF;
		ssize_t n = p->job.off >= 0 ? pread(p->job.fd, buf, want, (off_t)off)
					    : read(p->job.fd, buf, want);

		if (n < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (n < 0) {
			p->err = errno;
			return;
		}
		if (n == 0) {
			p->why = p->job.off >= 0 ? "truncated" : "shrank while being verified";
			return;
		}
		osp_hash_update(ctx, h, buf, (size_t)n);
		left -= (uint64_t)n;
		off += (uint64_t)n;
		pthread_mutex_lock(&v->mu);
		v->worker_bytes += (uint64_t)n;
		pthread_mutex_unlock(&v->mu);
	}
	if (p->job.off < 0 && read(p->job.fd, buf, 1) > 0) {
		p->why = "grew while being verified";
		return;
	}
	if (osp_hash_final(ctx, h, &d) != OSPACK_OK) {
		p->err = ENOMEM;
		return;
	}
	memcpy(p->sha256, d.d[OSP_SHA256], 32);
}

static void *worker(void *arg)
{
	struct osp_verifier *v = arg;
	struct ospack_ctx ctx = {0};
	struct osp_hash *h = NULL;
	unsigned char *buf = malloc(WORK_BUF);

	osp_hash_new(&ctx, OSP_ALG_BIT(OSP_SHA256), &h);
	pthread_mutex_lock(&v->mu);
	for (;;) {
		struct osp_vpending *p = NULL;

		for (size_t i = 0; i < v->ring_len; i++) {
			struct osp_vpending *q = slot(v, v->ring_head + i);

			if (q->state == P_QUEUED) {
				p = q;
				break;
			}
		}
		if (p == NULL) {
			if (v->stopping)
				break;
			pthread_cond_wait(&v->work, &v->mu);
			continue;
		}
		p->state = P_RUNNING;
		v->queued--;
		pthread_mutex_unlock(&v->mu);
		if (buf == NULL || h == NULL)
			p->err = ENOMEM;
		else
			run_job(v, p, h, buf, &ctx);
		if (p->job.off < 0)
			close(p->job.fd);
		p->job.fd = -1;
		pthread_mutex_lock(&v->mu);
		p->state = P_DONE;
		pthread_cond_broadcast(&v->done);
	}
	pthread_mutex_unlock(&v->mu);
	osp_hash_free(h);
	free(buf);
	return NULL;
}

/* ---- the verifier ---- */

ospack_error osp_verifier_new(struct ospack_ctx *ctx, struct osp_key *const *trusted,
			      size_t ntrusted, bool folder, const struct ospack_verify_opts *opts,
			      struct osp_verifier **out)
{
	static const struct ospack_verify_opts none = {0};
	struct osp_verifier *v = calloc(1, sizeof(*v));
	unsigned jobs;
	ospack_error rc;

	*out = NULL;
	if (v == NULL)
		return osp_nomem(ctx);
	v->ctx = ctx;
	v->trusted = trusted;
	v->ntrusted = ntrusted;
	v->folder = folder;
	v->mtime = -1;
	v->opts = opts ? opts : &none;
	v->ring_cap = RING_CAP;
	v->ring = calloc(v->ring_cap, sizeof(*v->ring));
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->work, NULL);
	pthread_cond_init(&v->done, NULL);
	if (v->ring == NULL) {
		osp_verifier_free(v);
		return osp_nomem(ctx);
	}
	for (size_t i = 0; i < v->ring_cap; i++)
		v->ring[i].job.fd = -1;
	rc = osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256), &v->hash);
	if (rc == OSPACK_OK)
		rc = osp_hash_new(ctx, OSP_ALG_BIT(OSP_SHA256) | OSP_ALG_BIT(OSP_SHA512),
				  &v->taghash);
	jobs = v->opts->jobs ? v->opts->jobs : default_jobs();
	/* One worker would only take turns with the reading thread. */
	if (rc == OSPACK_OK && jobs > 1)
		rc = start_workers(v, jobs);
	if (rc != OSPACK_OK) {
		osp_verifier_free(v);
		return rc;
	}
	*out = v;
	return OSPACK_OK;
}

void osp_verifier_free(struct osp_verifier *v)
{
	if (v == NULL)
		return;
	stop_workers(v);
	for (size_t i = 0; i < v->ring_cap && v->ring != NULL; i++) {
		free(v->ring[i].path);
		if (v->ring[i].job.fd >= 0 && v->ring[i].job.off < 0)
			close(v->ring[i].job.fd);
	}
	free(v->ring);
	free(v->threads);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->work);
	pthread_cond_destroy(&v->done);
	for (int i = 0; i < v->ndirs; i++)
		free(v->dirs[i].path);
	for (size_t i = 0; i < v->ntags; i++) {
		free(v->tags[i].path);
		free(v->tags[i].data);
	}
	if (v->st_free != NULL)
		v->st_free(v);
	for (size_t i = 0; i < v->n; i++) {
		free(v->recs_v1[i].path);
		free(v->recs_v1[i].data);
	}
	free(v->recs_v1);
	osp_spill_free(v->recs);
	osp_spill_free(v->tagspill);
	free(v->root);
	free(v->cur);
	free(v->prevkey);
	free(v->unused_dir);
	for (int i = 0; i < v->nempty_sections; i++)
		free(v->empty_sections[i]);
	osp_buf_free(&v->tagbuf);
	osp_hash_free(v->hash);
	osp_hash_free(v->taghash);
	free(v);
}

const char *osp_verifier_current(const struct osp_verifier *v)
{
	return v->cur ? v->cur : "";
}

const char *osp_verifier_root(const struct osp_verifier *v)
{
	return v->root ? v->root : "";
}

static size_t depth(const char *name, size_t len)
{
	size_t n = 1;

	for (size_t i = 0; i < len; i++)
		n += name[i] == '/';
	return n;
}

/*
 * Splits "<root>/<rel>" into the bag's root folder and the path inside it,
 * refusing anything an extractor could be tricked by.
 */
static ospack_error check_name(struct osp_verifier *v, const char *name, bool dir, char **rel)
{
	size_t len = strlen(name), rootlen;
	const char *p;

	if (dir && len > 1 && name[len - 1] == '/')
		len--;
	if (len == 0)
		return osp_reject(v, "an entry has an empty name");
	if (len > OSP_PATH_MAX)
		return osp_reject(v, "%.64s...: an entry name longer than %d bytes", name,
				  OSP_PATH_MAX);
	if (!osp_utf8_valid(name, len))
		return osp_reject(v, "an entry name is not valid UTF-8");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return osp_reject(v, "an entry name holds a control character");
	if (name[0] == '/')
		return osp_reject(v, "%.*s: absolute path", (int)len, name);
	for (p = name; p < name + len;) {
		size_t n = strcspn(p, "/");

		if (p + n > name + len)
			n = (size_t)(name + len - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return osp_reject(v, "%.*s: path with a '..' component", (int)len, name);
		if (n == 0 || (n == 1 && p[0] == '.'))
			return osp_reject(v, "%.*s: path with an empty or '.' component", (int)len,
					  name);
		p += n + 1;
	}
	if (depth(name, len) > OSP_DEPTH_MAX)
		return osp_reject(v, "%.64s...: nested deeper than %d folders", name,
				  OSP_DEPTH_MAX);
	rootlen = strcspn(name, "/");
	if (rootlen > len)
		rootlen = len;
	if (v->root == NULL && (v->root = osp_strndup(name, rootlen)) == NULL)
		return osp_nomem(v->ctx);
	if (strlen(v->root) != rootlen || memcmp(v->root, name, rootlen) != 0)
		return osp_reject(v, "%.*s: outside the bag folder %s/", (int)len, name, v->root);
	if (rootlen == len && !dir)
		return osp_reject(v, "%.*s: a file where the bag folder should be", (int)len, name);
	*rel = rootlen == len ? osp_strdup("") : osp_strndup(name + rootlen + 1, len - rootlen - 1);
	return *rel ? OSPACK_OK : osp_nomem(v->ctx);
}

static bool is_payload(const char *rel, bool dir)
{
	return rel[0] == '\0' || (dir && strcmp(rel, "data") == 0) || strncmp(rel, "data/", 5) == 0;
}

static const char *shown(const struct osp_verifier *v, const char *rel)
{
	return rel[0] ? rel : v->root;
}

/* "data/SECTION": a partial bundle may hold it empty. */
static bool is_section_dir(const char *d)
{
	return strncmp(d, "data/", 5) == 0 && d[5] != '\0' && strchr(d + 5, '/') == NULL;
}

/* The folders above rel stay on the stack; those left must have held a file. */
static ospack_error pop_dirs(struct osp_verifier *v, const char *rel)
{
	while (v->ndirs > 0) {
		const char *d = v->dirs[v->ndirs - 1].path;
		size_t len = strlen(d);
		bool above = len == 0 ? rel != NULL && rel[0] != '\0'
				      : rel != NULL && strncmp(rel, d, len) == 0 && rel[len] == '/';

		if (above)
			break;
		if (!v->dirs[v->ndirs - 1].used && v->opts->partial && is_section_dir(d) &&
		    v->nempty_sections < OSP_EMPTY_SECTIONS_MAX) {
			v->empty_sections[v->nempty_sections++] = v->dirs[--v->ndirs].path;
			continue;
		}
		/* Reported at the end, if nothing else is: a missing file says more. */
		if (!v->dirs[v->ndirs - 1].used && len > 0 && strcmp(d, "data") != 0 &&
		    v->unused_dir == NULL) {
			v->unused_dir = v->dirs[v->ndirs - 1].path;
			v->ndirs--;
			continue;
		}
		free(v->dirs[--v->ndirs].path);
	}
	return OSPACK_OK;
}

/*
 * Where an entry may come: the payload (the bag folder, data/ and what is in it)
 * in strictly increasing byte order of the paths (a folder's with a '/' after
 * it), as ospack writes it; then the tag files, each once.
 */
static ospack_error place(struct osp_verifier *v, const char *rel, bool dir)
{
	ospack_error rc;

	if (is_payload(rel, dir)) {
		size_t len = strlen(rel);
		char *key = malloc(len + 2);
		int cmp;

		if (key == NULL)
			return osp_nomem(v->ctx);
		memcpy(key, rel, len);
		key[len] = dir ? '/' : '\0';
		key[len + 1] = '\0';
		if (v->in_tags) {
			free(key);
			return osp_reject(v, "%s: a payload entry after the tag files",
					  shown(v, rel));
		}
		cmp = v->prevkey ? strcmp(key, v->prevkey) : 1;
		if (cmp <= 0) {
			free(key);
			return cmp == 0 ? osp_reject(v, "%s%s: appears twice in the archive",
						     shown(v, rel), rel[0] ? "" : "/")
					: osp_reject(v,
						     "%s: out of order (a bundle holds its payload "
						     "in byte order)",
						     shown(v, rel));
		}
		free(v->prevkey);
		v->prevkey = key;
	} else {
		v->in_tags = true;
		for (size_t i = 0; i < v->ntags; i++)
			if (strcmp(v->tags[i].path, rel) == 0)
				return osp_reject(v, "%s: appears twice in the archive", rel);
		if (v->ntags == OSP_TAG_FILES_MAX)
			return osp_reject(v, "more than %d tag files", OSP_TAG_FILES_MAX);
	}
	rc = pop_dirs(v, rel);
	if (rc != OSPACK_OK)
		return rc;
	if (dir) {
		if (v->ndirs > OSP_DEPTH_MAX)
			return osp_reject(v, "%s: folders nested too deeply", rel);
		v->dirs[v->ndirs].path = osp_strdup(rel);
		v->dirs[v->ndirs].used = false;
		if (v->dirs[v->ndirs].path == NULL)
			return osp_nomem(v->ctx);
		v->ndirs++;
	} else {
		for (int i = 0; i < v->ndirs; i++)
			v->dirs[i].used = true;
	}
	return OSPACK_OK;
}

/* Checks an entry's name and place and makes it the current entry. */
static ospack_error start_entry(struct osp_verifier *v, const char *name, bool dir)
{
	char *rel = NULL;
	ospack_error rc = check_name(v, name, dir, &rel);

	if (rc != OSPACK_OK)
		return rc;
	free(v->cur);
	v->cur = rel;
	return place(v, rel, dir);
}

static struct osp_vtag *add_tag(struct osp_verifier *v, bool dir, uint64_t size, unsigned mode)
{
	struct osp_vtag *t = &v->tags[v->ntags];

	memset(t, 0, sizeof(*t));
	t->path = osp_strdup(v->cur);
	if (t->path == NULL) {
		osp_nomem(v->ctx);
		return NULL;
	}
	t->dir = dir;
	t->size = size;
	t->mode = mode;
	v->ntags++;
	return t;
}

ospack_error osp_verifier_dir(struct osp_verifier *v, const char *name, unsigned mode)
{
	ospack_error rc = start_entry(v, name, true);

	if (rc != OSPACK_OK)
		return rc;
	/* An unpacked folder's modes come from whoever unpacked it. */
	if (!v->folder && mode != 0755)
		return osp_reject(v, "%s/: mode %04o, not 0755", shown(v, v->cur), mode);
	if (!is_payload(v->cur, true) && add_tag(v, true, 0, mode) == NULL)
		return v->ctx->code;
	return OSPACK_OK;
}

/* ---- payload records, in order ---- */

static void report(struct osp_verifier *v, bool done)
{
	if (v->opts->progress == NULL)
		return;
	v->prog.done = done;
	v->opts->progress(v->opts->progress_arg, &v->prog);
}

static ospack_error write_record(struct osp_verifier *v, const char *path, uint64_t size,
				 unsigned mode, const unsigned char sha256[32])
{
	struct osp_vrecord r = {.pathlen = (uint32_t)strlen(path), .mode = mode, .size = size};
	ospack_error rc = OSPACK_OK;

	if (v->recs == NULL)
		rc = osp_spill_new(v->ctx, v->opts->tmpdir, &v->recs);
	memcpy(r.sha256, sha256, 32);
	if (rc == OSPACK_OK)
		rc = osp_spill_write(v->ctx, v->recs, &r, sizeof(r));
	if (rc == OSPACK_OK)
		rc = osp_spill_write(v->ctx, v->recs, path, r.pathlen);
	v->files++;
	v->payload_bytes += size;
	v->prog.files = v->files;
	v->prog.bytes = v->payload_bytes;
	report(v, false);
	return rc;
}

/* Writes out the records at the head of the ring whose digests are in; mu held. */
static ospack_error flush_ring(struct osp_verifier *v)
{
	while (v->ring_len > 0) {
		struct osp_vpending *p = slot(v, v->ring_head);
		ospack_error rc;

		if (p->state != P_DONE)
			break;
		if (p->err != 0)
			rc = osp_errno(v->ctx, p->err, "cannot read", p->path);
		else if (p->why != NULL)
			rc = osp_reject(v, "%s: %s", p->path, p->why);
		else
			rc = write_record(v, p->path, p->size, p->mode, p->sha256);
		free(p->path);
		p->path = NULL;
		p->state = P_EMPTY;
		v->ring_head++;
		v->ring_len--;
		if (rc != OSPACK_OK)
			return rc;
	}
	return OSPACK_OK;
}

/* Waits for the oldest record's digest; mu held. */
static void wait_head(struct osp_verifier *v)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 250 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_cond_timedwait(&v->done, &v->mu, &ts);
	if (v->opts->progress != NULL) {
		struct ospack_progress p = v->prog;

		p.bytes += v->worker_bytes;
		v->opts->progress(v->opts->progress_arg, &p);
	}
}

/* A free place at the tail of the ring; mu held. */
static ospack_error ring_reserve(struct osp_verifier *v, struct osp_vpending **out)
{
	ospack_error rc = flush_ring(v);

	while (rc == OSPACK_OK && v->ring_len == v->ring_cap) {
		if (osp_interrupted())
			return osp_error(v->ctx, OSPACK_EINTR, "interrupted");
		wait_head(v);
		rc = flush_ring(v);
	}
	if (rc != OSPACK_OK)
		return rc;
	*out = slot(v, v->ring_head + v->ring_len);
	memset(*out, 0, sizeof(**out));
	(*out)->job.fd = -1;
	return OSPACK_OK;
}

static ospack_error add_done(struct osp_verifier *v, uint64_t size, unsigned mode,
			     const unsigned char sha256[32])
{
	struct osp_vpending *p;
	ospack_error rc;

	pthread_mutex_lock(&v->mu);
	if (v->ring_len == 0) {
		/* Nothing waits: straight to the spill file. */
		pthread_mutex_unlock(&v->mu);
		return write_record(v, v->cur, size, mode, sha256);
	}
	rc = ring_reserve(v, &p);
	if (rc == OSPACK_OK && (p->path = osp_strdup(v->cur)) == NULL)
		rc = osp_nomem(v->ctx);
	if (rc == OSPACK_OK) {
		p->size = size;
		p->mode = mode;
		memcpy(p->sha256, sha256, 32);
		p->state = P_DONE;
		v->ring_len++;
	}
	pthread_mutex_unlock(&v->mu);
	return rc;
}

bool osp_verifier_parallel(const struct osp_verifier *v, uint64_t size)
{
	return v->nthreads > 0 && size >= PARALLEL_MIN;
}

ospack_error osp_verifier_submit(struct osp_verifier *v, const char *name, uint64_t size,
				 unsigned mode, struct osp_vjob job)
{
	struct osp_vpending *p;
	ospack_error rc = start_entry(v, name, false);

	if (rc == OSPACK_OK && !is_payload(v->cur, false))
		rc = osp_error(v->ctx, OSPACK_EUSAGE, "%s: a tag file handed to a worker", v->cur);
	if (rc == OSPACK_OK && !v->folder && mode != 0644 && mode != 0755)
		rc = osp_reject(v, "%s: mode %04o (a bundle holds only 0644 and 0755)", v->cur,
				mode);
	if (rc != OSPACK_OK) {
		if (job.off < 0)
			close(job.fd);
		return rc;
	}
	pthread_mutex_lock(&v->mu);
	rc = ring_reserve(v, &p);
	if (rc == OSPACK_OK && (p->path = osp_strdup(v->cur)) == NULL)
		rc = osp_nomem(v->ctx);
	if (rc != OSPACK_OK) {
		pthread_mutex_unlock(&v->mu);
		if (job.off < 0)
			close(job.fd);
		return rc;
	}
	p->size = size;
	p->mode = mode;
	p->job = job;
	p->state = P_QUEUED;
	v->ring_len++;
	v->queued++;
	pthread_cond_signal(&v->work);
	pthread_mutex_unlock(&v->mu);
	return OSPACK_OK;
}

/* Waits for every worker's digest and writes the last records. */
static ospack_error drain(struct osp_verifier *v)
{
	ospack_error rc;

	pthread_mutex_lock(&v->mu);
	rc = flush_ring(v);
	while (rc == OSPACK_OK && v->ring_len > 0) {
		if (osp_interrupted()) {
			rc = osp_error(v->ctx, OSPACK_EINTR, "interrupted");
			break;
		}
		wait_head(v);
		rc = flush_ring(v);
	}
	pthread_mutex_unlock(&v->mu);
	if (rc == OSPACK_OK && v->recs != NULL)
		rc = osp_spill_flush(v->ctx, v->recs);
	return rc;
}

/* ---- files hashed on this thread ---- */

ospack_error osp_verifier_begin(struct osp_verifier *v, const char *name, uint64_t size,
				unsigned mode)
{
	ospack_error rc = start_entry(v, name, false);

	if (rc != OSPACK_OK)
		return rc;
	v->cur_tag = !is_payload(v->cur, false);
	v->cur_spill = false;
	v->cur_size = size;
	v->cur_mode = mode;
	v->got = 0;
	if (!v->folder && mode != 0644 && mode != 0755)
		return osp_reject(v, "%s: mode %04o (a bundle holds only 0644 and 0755)", v->cur,
				  mode);
	if (!v->cur_tag)
		return OSPACK_OK;
	if (!v->folder && mode != 0644)
		return osp_reject(v, "%s: mode %04o, not 0644", v->cur, mode);
	if (size > OSP_TAG_MAX)
		return osp_reject(v, "%s: tag file too large (%llu bytes)", v->cur,
				  (unsigned long long)size);
	/* Read whole before any signature is checked: bounded to what a statement needs. */
	if (size > OSP_ENVELOPE_MAX && strcmp(v->cur, OSP_ENVELOPE_PATH) == 0)
		return osp_reject(v,
				  "%s: %llu bytes, more than the %u (16 MiB) an envelope may have "
				  "(a v1 bundle listing this many files is not supported)",
				  v->cur, (unsigned long long)size, OSP_ENVELOPE_MAX);
	if (v->tagbytes + size > OSP_TAGS_MAX)
		return osp_reject(v, "%s: tag files too large in all", v->cur);
	v->tagbytes += size;
	{
		struct osp_vtag *t = add_tag(v, false, size, mode);

		if (t == NULL)
			return v->ctx->code;
		if (size <= TAG_MEM_ONE && v->tagmem + size <= TAG_MEM_ALL) {
			v->tagmem += size;
			return OSPACK_OK;
		}
		if (v->tagspill == NULL)
			rc = osp_spill_new(v->ctx, v->opts->tmpdir, &v->tagspill);
		if (rc == OSPACK_OK)
			t->off = osp_spill_size(v->tagspill);
		v->cur_spill = true;
	}
	return rc;
}

ospack_error osp_verifier_data(struct osp_verifier *v, const void *p, size_t n)
{
	if (n > v->cur_size - v->got)
		return osp_reject(v, "%s: more data than its size", v->cur);
	v->got += n;
	if (!v->cur_tag)
		return osp_hash_update(v->ctx, v->hash, p, n);
	if (v->cur_spill) {
		ospack_error rc = osp_spill_write(v->ctx, v->tagspill, p, n);

		if (rc != OSPACK_OK)
			return rc;
	} else {
		osp_buf_add(&v->tagbuf, p, n);
	}
	return osp_hash_update(v->ctx, v->taghash, p, n);
}

ospack_error osp_verifier_end(struct osp_verifier *v)
{
	struct osp_digests d;
	ospack_error rc;

	rc = osp_hash_final(v->ctx, v->cur_tag ? v->taghash : v->hash, &d);
	if (rc != OSPACK_OK)
		return rc;
	if (v->got != v->cur_size)
		return osp_reject(v, "%s: truncated (%llu of %llu bytes)", v->cur,
				  (unsigned long long)v->got, (unsigned long long)v->cur_size);
	if (!v->cur_tag)
		return add_done(v, v->cur_size, v->cur_mode, d.d[OSP_SHA256]);
	{
		struct osp_vtag *t = &v->tags[v->ntags - 1];

		t->d = d;
		if (v->tagbuf.failed)
			return osp_nomem(v->ctx);
		if (v->tagbuf.len > 0 || t->size == 0) {
			t->data = osp_buf_steal(&v->tagbuf, NULL);
			if (t->data == NULL && !(t->data = calloc(1, 1)))
				return osp_nomem(v->ctx);
		}
	}
	return OSPACK_OK;
}

/* ---- reading back ---- */

struct osp_vtag *osp_vtag_find(struct osp_verifier *v, const char *path)
{
	for (size_t i = 0; i < v->ntags; i++)
		if (strcmp(v->tags[i].path, path) == 0)
			return &v->tags[i];
	return NULL;
}

ospack_error osp_vtag_load(struct osp_verifier *v, struct osp_vtag *t)
{
	struct osp_sreader *r;
	int st;

	if (t->data != NULL)
		return OSPACK_OK;
	if (osp_spill_flush(v->ctx, v->tagspill) != OSPACK_OK)
		return v->ctx->code;
	t->data = malloc(t->size + 1);
	r = osp_sreader_file(v->tagspill, t->off, t->size);
	if (t->data == NULL || r == NULL) {
		osp_sreader_free(r);
		return osp_nomem(v->ctx);
	}
	st = t->size > 0 ? osp_sreader_read(r, t->data, t->size) : 1;
	if (st != 1) {
		int err = osp_sreader_errno(r);

		osp_sreader_free(r);
		return osp_errno(v->ctx, err ? err : EIO, "cannot read a temporary file in",
				 osp_spill_dir(v->tagspill));
	}
	t->data[t->size] = '\0';
	osp_sreader_free(r);
	return OSPACK_OK;
}

struct osp_sreader *osp_vtag_reader(struct osp_verifier *v, struct osp_vtag *t)
{
	if (t->data != NULL)
		return osp_sreader_mem(t->data, t->size);
	if (osp_spill_flush(v->ctx, v->tagspill) != OSPACK_OK)
		return NULL;
	return osp_sreader_file(v->tagspill, t->off, t->size);
}

int osp_vrecord_next(struct osp_verifier *v, struct osp_sreader *r, struct osp_vrecord *rec,
		     char *path)
{
	int st = osp_sreader_read(r, rec, sizeof(*rec));

	(void)v;
	if (st != 1)
		return st;
	if (rec->pathlen > OSP_PATH_MAX || osp_sreader_read(r, path, rec->pathlen) != 1)
		return -1;
	path[rec->pathlen] = '\0';
	return 1;
}

ospack_error osp_verifier_drain(struct osp_verifier *v)
{
	ospack_error rc = drain(v);

	if (rc == OSPACK_OK)
		rc = pop_dirs(v, NULL);
	if (rc == OSPACK_OK && v->tagspill != NULL)
		rc = osp_spill_flush(v->ctx, v->tagspill);
	return rc;
}

ospack_error osp_load_trusted(struct ospack_ctx *ctx, const char *const *specs, size_t n,
			      struct osp_key ***out)
{
	struct osp_key **keys = calloc(n ? n : 1, sizeof(*keys));

	*out = NULL;
	if (keys == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; i < n; i++) {
		ospack_error rc = osp_key_load_public(ctx, specs[i], &keys[i]);

		if (rc != OSPACK_OK) {
			osp_free_keys(keys, i);
			return rc;
		}
	}
	*out = keys;
	return OSPACK_OK;
}

void osp_free_keys(struct osp_key **keys, size_t n)
{
	for (size_t i = 0; keys != NULL && i < n; i++)
		osp_key_free(keys[i]);
	free(keys);
}
