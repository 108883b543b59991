/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_fetch: download the files fetch.txt names into an unpacked bundle, checked as they come.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hash.h"
#include "http.h"
#include "verify/verifier.h"

#define TEMP_PREFIX ".ospack-fetch-"

struct fetcher {
	struct ospack_ctx *ctx;
	const char *dir;
	int rootfd; /* the bag folder, locked for the whole run */
	struct osp_url_list list;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t next, running;
	bool stop; /* interrupted or out of memory: no new download */
	ospack_error rc;
	char msg[sizeof(((struct ospack_ctx *)0)->msg)];
	struct ospack_progress prog;
	uint64_t fetched, replaced, skipped;
};

/* One download, on a worker. */
struct job {
	struct fetcher *f;
	struct ospack_ctx ctx; /* this worker's errors */
	const struct osp_url_file *u;
	char *shown; /* the URL without credentials */
	char tmp[sizeof(TEMP_PREFIX) + 12];
	int fd;
	struct osp_hash *h;
	uint64_t got;
};

static void add_progress(struct fetcher *f, int64_t bytes)
{
	pthread_mutex_lock(&f->mu);
	f->prog.bytes = (uint64_t)((int64_t)f->prog.bytes + bytes);
	pthread_mutex_unlock(&f->mu);
}

static ospack_error on_write(void *arg, const void *p, size_t n)
{
	struct job *j = arg;
	const char *c = p;

	if (n > j->u->size - j->got)
		return osp_error(&j->ctx, OSPACK_EREJECT,
				 "%s: %s sends more than the statement's %" PRIu64
				 " bytes; stopped",
				 j->u->path, j->shown, j->u->size);
	if (osp_hash_update(&j->ctx, j->h, p, n) != OSPACK_OK)
		return j->ctx.code;
	for (size_t done = 0; done < n;) {
		ssize_t w = write(j->fd, c + done, n - done);

		if (w < 0 && errno == EINTR && !osp_interrupted())
			continue;
		if (w < 0)
			return osp_errno(&j->ctx, errno, "cannot write a download into", j->f->dir);
		done += (size_t)w;
	}
	j->got += n;
	add_progress(j->f, (int64_t)n);
	return osp_interrupted() ? osp_error(&j->ctx, OSPACK_EINTR, "interrupted") : OSPACK_OK;
}

static ospack_error on_restart(void *arg)
{
	struct job *j = arg;
	struct osp_digests d;

	if (ftruncate(j->fd, 0) != 0 || lseek(j->fd, 0, SEEK_SET) != 0)
		return osp_errno(&j->ctx, errno, "cannot start a download over in", j->f->dir);
	add_progress(j->f, -(int64_t)j->got);
	j->got = 0;
	return osp_hash_final(&j->ctx, j->h, &d);
}

/* A new temporary file in the bag folder, ".ospack-fetch-" and 12 random characters. */
static ospack_error make_temp(struct job *j)
{
	static const char chars[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	for (int tries = 0; tries < 100; tries++) {
		unsigned char rnd[12];
		size_t k = strlen(TEMP_PREFIX);

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return osp_errno(&j->ctx, errno, "cannot get random bytes for a name in",
					 j->f->dir);
		memcpy(j->tmp, TEMP_PREFIX, k);
		for (size_t i = 0; i < sizeof(rnd); i++)
			j->tmp[k + i] = chars[rnd[i] % (sizeof(chars) - 1)];
		j->tmp[k + sizeof(rnd)] = '\0';
		j->fd = openat(j->f->rootfd, j->tmp,
			       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (j->fd >= 0)
			return OSPACK_OK;
		if (errno != EEXIST)
			break;
	}
	j->tmp[0] = '\0';
	return osp_errno(&j->ctx, errno, "cannot create a temporary file in", j->f->dir);
}

/*
 * The folder that holds path (relative to the bag folder), opened component by
 * component without following a link; made when missing and create is set.
 * *base points to the last component. -1 with errno on failure.
 */
static int open_parent(int rootfd, const char *path, bool create, const char **base)
{
	int fd = dup(rootfd);
	const char *p = path, *slash;

	while (fd >= 0 && (slash = strchr(p, '/')) != NULL) {
		char name[256];
		size_t len = (size_t)(slash - p);
		int next;

		if (len == 0 || len >= sizeof(name) || (len <= 2 && strncmp(p, "..", len) == 0)) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create &&
		    (mkdirat(fd, name, 0755) == 0 || errno == EEXIST))
			next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		p = slash + 1;
	}
	*base = p;
	return fd;
}

/* The download is complete: size and digests checked, then made durable and put in place. */
static ospack_error settle(struct job *j)
{
	const struct osp_url_file *u = j->u;
	struct osp_digests d;
	char hex[2 * OSP_MAX_DIGEST + 1];
	const char *base;
	int pfd;

	if (j->got != u->size)
		return osp_error(&j->ctx, OSPACK_EREJECT,
				 "%s: %s sent %" PRIu64 " bytes, the statement says %" PRIu64,
				 u->path, j->shown, j->got, u->size);
	if (osp_hash_final(&j->ctx, j->h, &d) != OSPACK_OK)
		return j->ctx.code;
	for (int a = 0; a < OSP_NALGS; a++) {
		const char *want = a == OSP_SHA256 ? u->sha256 : u->sha512;

		if (want[0] == '\0')
			continue;
		osp_hex(d.d[a], osp_alg_len(a), hex);
		if (strcmp(hex, want) != 0)
			return osp_error(&j->ctx, OSPACK_EREJECT,
					 "%s: %s sent %s %s, the statement says %s", u->path,
					 j->shown, osp_alg_name(a), hex, want);
	}
	if (fsync(j->fd) != 0)
		return osp_errno(&j->ctx, errno, "cannot write a download into", j->f->dir);
	pfd = open_parent(j->f->rootfd, u->path, true, &base);
	if (pfd < 0)
		return osp_errno(&j->ctx, errno, "cannot make the folder of", u->path);
	if (renameat(j->f->rootfd, j->tmp, pfd, base) != 0) {
		int err = errno;

		close(pfd);
		return osp_errno(&j->ctx, err, "cannot move a download into place at", u->path);
	}
	j->tmp[0] = '\0';
	fsync(pfd);
	close(pfd);
	return OSPACK_OK;
}

/*
 * The folders of path under data/ that are empty once its file went, deepest
 * first: a folder that holds no file is one verify refuses.
 */
static void remove_empty_parents(int rootfd, const char *path)
{
	char *dir = osp_strdup(path);
	char *slash;

	while (dir != NULL && (slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (strchr(dir, '/') == NULL || unlinkat(rootfd, dir, AT_REMOVEDIR) != 0)
			break; /* data/ itself, or a folder that holds more */
	}
	free(dir);
}

/* A file that is there and wrong goes first: nothing wrong stays at its path. */
static ospack_error remove_wrong(struct job *j)
{
	const char *base;
	int pfd = open_parent(j->f->rootfd, j->u->path, false, &base);

	osp_warn(&j->ctx, "%s: there, but not what the statement says: downloading it again",
		 j->u->path);
	if (pfd < 0 || (unlinkat(pfd, base, 0) != 0 && errno != ENOENT)) {
		int err = errno;

		if (pfd >= 0)
			close(pfd);
		return osp_errno(&j->ctx, err, "cannot remove", j->u->path);
	}
	close(pfd);
	remove_empty_parents(j->f->rootfd, j->u->path);
	return OSPACK_OK;
}

static ospack_error download(struct job *j)
{
	unsigned algs = OSP_ALG_BIT(OSP_SHA256) | (j->u->sha512[0] ? OSP_ALG_BIT(OSP_SHA512) : 0);
	struct osp_http_req req = {
		.url = j->u->url, .write = on_write, .restart = on_restart, .arg = j};
	ospack_error rc = OSPACK_OK;

	j->fd = -1;
	j->shown = osp_http_redact(j->u->url);
	if (j->shown == NULL)
		return osp_nomem(&j->ctx);
	if (j->u->state == OSP_URL_WRONG)
		rc = remove_wrong(j);
	if (rc == OSPACK_OK)
		rc = osp_hash_new(&j->ctx, algs, &j->h);
	if (rc == OSPACK_OK)
		rc = make_temp(j);
	if (rc == OSPACK_OK)
		rc = osp_http_get(&j->ctx, &req, NULL);
	if (rc == OSPACK_OK)
		rc = settle(j);
	if (j->fd >= 0)
		close(j->fd);
	if (j->tmp[0] != '\0')
		unlinkat(j->f->rootfd, j->tmp, 0);
	if (rc != OSPACK_OK)
		add_progress(j->f, -(int64_t)j->got);
	osp_hash_free(j->h);
	free(j->shown);
	return rc;
}

/* The first error becomes the run's; later ones are warnings. */
static void record(struct fetcher *f, struct job *j, ospack_error rc)
{
	pthread_mutex_lock(&f->mu);
	if (rc == OSPACK_OK) {
		f->fetched++;
		f->replaced += j->u->state == OSP_URL_WRONG;
		f->prog.files++;
	} else if (f->rc == OSPACK_OK) {
		f->rc = rc;
		snprintf(f->msg, sizeof(f->msg), "%s", j->ctx.msg);
	} else if (rc != OSPACK_EINTR) {
		osp_warn(f->ctx, "%s", j->ctx.msg);
	}
	f->stop = f->stop || rc == OSPACK_EINTR || rc == OSPACK_ENOMEM;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

static void *worker(void *arg)
{
	struct fetcher *f = arg;

	for (;;) {
		struct job j = {.f = f};
		size_t i;

		pthread_mutex_lock(&f->mu);
		while (f->next < f->list.n && f->list.v[f->next].state == OSP_URL_OK)
			f->next++;
		if (f->stop || f->next >= f->list.n) {
			f->running--;
			pthread_cond_broadcast(&f->cv);
			pthread_mutex_unlock(&f->mu);
			return NULL;
		}
		i = f->next++;
		pthread_mutex_unlock(&f->mu);
		j.ctx.warn = f->ctx->warn;
		j.ctx.warn_arg = f->ctx->warn_arg;
		j.u = &f->list.v[i];
		record(f, &j, download(&j));
	}
}

/*
 * The bag folder, locked: a second fetch into it is refused, and every
 * ".ospack-fetch-*" file in it is a leftover of a run that was killed.
 */
static ospack_error lock_and_sweep(struct fetcher *f)
{
	bool locks = true;
	DIR *d;
	int dfd;
	struct dirent *de;

	f->rootfd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->rootfd < 0 && errno == ENOTDIR)
		return osp_error(f->ctx, OSPACK_EINPUT,
				 "%s: not a folder: fetch works on an unpacked bundle (tar -xf the "
				 "archive first)",
				 f->dir);
	if (f->rootfd < 0)
		return osp_errno(f->ctx, errno, "cannot open", f->dir);
	/* Nothing is swept or written in a folder that is not a bundle's. */
	if (faccessat(f->rootfd, "bagit.txt", F_OK, AT_SYMLINK_NOFOLLOW) != 0)
		return osp_error(
			f->ctx, OSPACK_EINPUT,
			"%s: no bagit.txt: not an unpacked bundle (the folder that tar -xf "
			"of a bundle makes)",
			f->dir);
	if (flock(f->rootfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return osp_error(f->ctx, OSPACK_EUSAGE,
					 "%s: another ospack fetch is running into this folder",
					 f->dir);
		locks = false;
	}
	dfd = dup(f->rootfd);
	d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (d == NULL) {
		if (dfd >= 0)
			close(dfd);
		return osp_errno(f->ctx, errno, "cannot read folder", f->dir);
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strncmp(de->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) != 0 ||
		    fstatat(f->rootfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (locks)
			unlinkat(f->rootfd, de->d_name, 0);
		else
			osp_warn(f->ctx,
				 "%s/%s: may be left by an ospack fetch that was stopped; if none "
				 "is running, delete it",
				 f->dir, de->d_name);
	}
	closedir(d);
	return OSPACK_OK;
}

/* Runs the workers, reporting progress on this thread until they are done. */
static ospack_error run_workers(struct fetcher *f, unsigned jobs, const struct ospack_fetch_opts *o)
{
	pthread_t *threads = calloc(jobs, sizeof(*threads));
	size_t started = 0;

	if (threads == NULL)
		return osp_nomem(f->ctx);
	pthread_mutex_lock(&f->mu);
	for (; started < jobs; started++) {
		f->running++;
		if (pthread_create(&threads[started], NULL, worker, f) != 0) {
			f->running--;
			break;
		}
	}
	while (f->running > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&f->cv, &f->mu, &ts);
		if (osp_interrupted())
			f->stop = true;
		if (o->progress != NULL && f->running > 0) {
			struct ospack_progress p = f->prog;

			pthread_mutex_unlock(&f->mu);
			o->progress(o->progress_arg, &p);
			pthread_mutex_lock(&f->mu);
		}
	}
	pthread_mutex_unlock(&f->mu);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	if (started == 0)
		return osp_error(f->ctx, OSPACK_EIO, "cannot start a thread");
	if (f->rc != OSPACK_OK)
		return osp_error(f->ctx, f->rc, "%s", f->msg);
	if (osp_interrupted())
		return osp_error(f->ctx, OSPACK_EINTR, "interrupted");
	return OSPACK_OK;
}

static ospack_error make_result(struct fetcher *f, struct ospack_fetch_result **out)
{
	struct ospack_fetch_result *r = calloc(1, sizeof(*r));
	json_t *j;

	if (r == NULL)
		return osp_nomem(f->ctx);
	r->bag = osp_strdup(f->list.bag);
	r->files = f->list.n;
	r->fetched = f->fetched;
	r->skipped = f->skipped;
	r->replaced = f->replaced;
	r->bytes = f->prog.bytes;
	j = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I}", "bag", r->bag, "files",
		      (json_int_t)r->files, "fetched", (json_int_t)r->fetched, "skipped",
		      (json_int_t)r->skipped, "replaced", (json_int_t)r->replaced, "bytes",
		      (json_int_t)r->bytes);
	r->json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (r->bag == NULL || r->json == NULL) {
		ospack_fetch_result_free(r);
		return osp_nomem(f->ctx);
	}
	*out = r;
	return OSPACK_OK;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 1024 ? 1024 : (unsigned)n;
}

OSPACK_API ospack_error ospack_fetch(struct ospack_ctx *ctx, const char *dir,
				     const struct ospack_fetch_opts *opts,
				     struct ospack_fetch_result **out)
{
	static const struct ospack_fetch_opts none = {0};
	const struct ospack_fetch_opts *o = opts ? opts : &none;
	struct ospack_verify_opts vo = {.jobs = o->verify_jobs, .tmpdir = o->tmpdir};
	struct fetcher f = {.ctx = ctx, .dir = dir, .rootfd = -1};
	unsigned jobs = o->jobs ? o->jobs : online_cpus();
	size_t todo = 0;
	ospack_error rc;

	*out = NULL;
	osp_interrupt_reset();
	pthread_mutex_init(&f.mu, NULL);
	pthread_cond_init(&f.cv, NULL);
	rc = lock_and_sweep(&f);
	if (rc == OSPACK_OK)
		rc = osp_verify_urls(ctx, dir, &vo, &f.list);
	for (size_t i = 0; rc == OSPACK_OK && i < f.list.n; i++) {
		if (f.list.v[i].state == OSP_URL_OK) {
			f.skipped++;
			continue;
		}
		todo++;
		f.prog.files_total++;
		f.prog.bytes_total += f.list.v[i].size;
	}
	if (rc == OSPACK_OK && todo > 0)
		rc = run_workers(&f, jobs < todo ? jobs : (unsigned)todo, o);
	if (rc == OSPACK_OK && o->progress != NULL) {
		f.prog.done = 1;
		o->progress(o->progress_arg, &f.prog);
	}
	if (rc == OSPACK_OK)
		rc = make_result(&f, out);
	osp_url_list_free(&f.list);
	if (f.rootfd >= 0)
		close(f.rootfd);
	pthread_cond_destroy(&f.cv);
	pthread_mutex_destroy(&f.mu);
	return rc;
}

OSPACK_API void ospack_fetch_result_free(struct ospack_fetch_result *r)
{
	if (r == NULL)
		return;
	free(r->bag);
	free(r->json);
	free(r);
}
