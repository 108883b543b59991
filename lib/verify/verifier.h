/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The verifier. A reader (an archive, an unpacked folder) feeds it the entries
 * of a bundle in order; it checks names, order and folders as they go by,
 * hashes each file (on this thread, or on its workers), and writes one record
 * per payload file to a spill file. At the end it reads the envelope, checks
 * the signatures, and compares the records with the signed per-file lists in
 * one ordered pass. Memory does not grow with the number of files.
 */
#ifndef OSP_VERIFIER_H
#define OSP_VERIFIER_H

#include <pthread.h>

#include "hash.h"

struct osp_key;
struct osp_spill;

/* Tag files (outside data/) are read whole at the end: these bound them. */
#define OSP_TAG_MAX (128u * 1024 * 1024)
#define OSP_TAGS_MAX (256ull * 1024 * 1024)
#define OSP_TAG_FILES_MAX 64
#define OSP_PATH_MAX 4096
/* Empty section folders a partial bundle may hold: more are rejected as unused. */
#define OSP_EMPTY_SECTIONS_MAX 16
/* Signatures in an envelope: each costs a verification per trusted key. */
#define OSP_SIGS_MAX 64
/*
 * What is read into memory before a signature is checked. A v2 statement lists
 * the tag files and one entry per component: 20,000 components of 600 bytes of
 * JSON (a path or url source, license, role, metrics, its openness entry) make
 * 12 MiB, 16 MiB in base64. Its JSON values are counted, and their nesting
 * measured, in one pass before Jansson builds a tree of them: a real statement
 * has some 25 values per component, an envelope 5 per signature
 * (at most 64, and some over them are still read to be named).
 */
#define OSP_ENVELOPE_MAX (16u * 1024 * 1024)
#define OSP_STATEMENT_VALUES_MAX 500000
#define OSP_STATEMENT_DEPTH_MAX 32
#define OSP_ENVELOPE_VALUES_MAX (8 + 8 * OSP_SIGS_MAX)
#define OSP_ENVELOPE_DEPTH_MAX 4
/* bag-info.txt: the manifest's description (the manifest is at most 4 MiB), and some lines. */
#define OSP_BAG_INFO_MAX (8u * 1024 * 1024)
/* A v1 statement listed every file: its bundle's tag files are checked in memory, up to this. */
#define OSP_V1_TAGS_MAX (32u * 1024 * 1024)

/* A tag file as it went by. */
struct osp_vtag {
	char *path;
	bool dir;
	uint64_t size;
	unsigned mode;
	struct osp_digests d; /* SHA-256 and SHA-512 */
	char *data;	      /* in memory, or NULL: in the tag spill at off */
	uint64_t off;
};

/* A payload file as the spill file keeps it (the path follows). */
struct osp_vrecord {
	uint32_t pathlen;
	uint32_t mode;
	uint64_t size;
	unsigned char sha256[32];
};

/* Where a worker reads a file from. */
struct osp_vjob {
	int fd;	     /* the archive (pread at off), or the file itself (owned, read whole) */
	int64_t off; /* < 0: read fd from its start to its end */
};

/* One entry of a bundle read by the old (v1) checks: the whole list in memory. */
struct osp_vrec {
	char *path;
	bool dir;
	bool tag;
	uint64_t size;
	unsigned mode;
	unsigned char sha256[32];
	char *data;
	size_t len;
};

struct osp_vpending;
struct osp_vstate;

struct osp_verifier {
	struct ospack_ctx *ctx;
	struct osp_key *const *trusted;
	size_t ntrusted;
	bool folder;
	bool url_lenient; /* a url entry's wrong file is recorded, not rejected (fetch) */
	const struct ospack_verify_opts *opts;
	char *root;
	int64_t mtime; /* every tar header's mtime, once the archive was read; -1 for a folder */
	/* the entry going by */
	char *cur;
	bool cur_tag, cur_spill;
	uint64_t cur_size, got;
	unsigned cur_mode;
	struct osp_hash *hash, *taghash;
	struct osp_buf tagbuf;
	/* order: the previous payload entry's key ("<path>" or "<path>/"), and whether tags began
	 */
	char *prevkey;
	bool in_tags;
	/* folders on the way down, each used once a file is under it */
	struct {
		char *path;
		bool used;
	} dirs[OSP_DEPTH_MAX + 1];
	int ndirs;
	char *unused_dir; /* the first folder that held no file */
	/* opts->partial: section folders (data/SECTION) that held no file, which are right
	   when every component of their section is left out (finish.c checks) */
	char *empty_sections[OSP_EMPTY_SECTIONS_MAX];
	int nempty_sections;
	/* payload files: records in order, waiting for their digests */
	struct osp_spill *recs;
	struct osp_vpending *ring;
	size_t ring_cap, ring_head, ring_len;
	uint64_t files, payload_bytes;
	/* tag files */
	struct osp_vtag tags[OSP_TAG_FILES_MAX];
	size_t ntags;
	struct osp_spill *tagspill;
	uint64_t tagbytes, tagmem;
	/* workers */
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	pthread_t *threads;
	size_t nthreads;
	bool stopping;
	size_t queued; /* jobs not yet taken by a worker */
	size_t busy;   /* jobs given out and not yet finished */
	uint64_t worker_bytes;
	struct ospack_progress prog;
	/* the end: its state, and how to free it (finish.c sets both) */
	struct osp_vstate *st;
	void (*st_free)(struct osp_verifier *v);
	struct osp_vrec *recs_v1; /* the old checks' list, made at the end for a v1 statement */
	size_t n, cap;
};

ospack_error osp_verifier_new(struct ospack_ctx *ctx, struct osp_key *const *trusted,
			      size_t ntrusted, bool folder, const struct ospack_verify_opts *opts,
			      struct osp_verifier **out);
void osp_verifier_free(struct osp_verifier *v);

/* Entry names as stored, "<bag>/..."; a folder name may end with '/'. */
ospack_error osp_verifier_dir(struct osp_verifier *v, const char *name, unsigned mode);
/* A file hashed on this thread: begin, its bytes, end. */
ospack_error osp_verifier_begin(struct osp_verifier *v, const char *name, uint64_t size,
				unsigned mode);
ospack_error osp_verifier_data(struct osp_verifier *v, const void *p, size_t n);
ospack_error osp_verifier_end(struct osp_verifier *v);
/* Whether a payload file of this size would go to a worker. */
bool osp_verifier_parallel(const struct osp_verifier *v, uint64_t size);
/*
 * A payload file hashed by a worker, which reads it as job says (a job that
 * owns a file descriptor has it closed whatever happens).
 */
ospack_error osp_verifier_submit(struct osp_verifier *v, const char *name, uint64_t size,
				 unsigned mode, struct osp_vjob job);
/* All entries seen: waits for the workers' digests and closes the open folders. */
ospack_error osp_verifier_drain(struct osp_verifier *v);
/* Then runs every check that needs the statement. */
ospack_error osp_verifier_finish(struct osp_verifier *v);

/* The current entry's path inside the bag ("" for the bag folder itself). */
const char *osp_verifier_current(const struct osp_verifier *v);
const char *osp_verifier_root(const struct osp_verifier *v);
/* After a successful finish: the result (owned by the caller). */
struct ospack_verify_result *osp_verifier_result(struct osp_verifier *v);

/* Records why the bundle is rejected; returns OSPACK_EREJECT. */
ospack_error osp_reject(struct osp_verifier *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A tag file by path, or NULL. */
struct osp_vtag *osp_vtag_find(struct osp_verifier *v, const char *path);
/* Its content in memory (read back from the spill when it is there). */
ospack_error osp_vtag_load(struct osp_verifier *v, struct osp_vtag *t);
/* Reads back its content in order. */
struct osp_sreader *osp_vtag_reader(struct osp_verifier *v, struct osp_vtag *t);
/* Reads back the payload records in order: 1 with one, 0 at the end, -1 on an error. */
int osp_vrecord_next(struct osp_verifier *v, struct osp_sreader *r, struct osp_vrecord *rec,
		     char *path);

/* ---- url entries, for ospack_fetch ---- */

enum { OSP_URL_ABSENT = 0, OSP_URL_OK = 1, OSP_URL_WRONG = 2 };

/* A url entry of a verified folder: fetch.txt's line, the statement's digests. */
struct osp_url_file {
	char *url, *path;
	char sha256[65], sha512[129]; /* lowercase hex; sha512 "" when the statement has none */
	uint64_t size;
	int state; /* OSP_URL_*: its file in the folder */
};

struct osp_url_list {
	char *bag;
	struct osp_url_file *v; /* in fetch.txt's order */
	size_t n;
};

/*
 * Verifies an unpacked bundle folder as ospack_verify does, but records a url
 * entry's file that is there and wrong instead of rejecting it, and lists the url
 * entries with the state of their files.
 */
ospack_error osp_verify_urls(struct ospack_ctx *ctx, const char *dir,
			     const struct ospack_verify_opts *opts, struct osp_url_list *out);
void osp_url_list_free(struct osp_url_list *l);

/* ---- readers ---- */

/* Receives every entry the verifier accepted so far, as it streams (extract uses this). */
struct osp_sink {
	ospack_error (*dir)(void *arg, const char *rel);
	ospack_error (*begin)(void *arg, const char *rel, uint64_t size, unsigned mode);
	ospack_error (*data)(void *arg, const void *p, size_t n);
	ospack_error (*end)(void *arg);
	void *arg;
};

/*
 * Reads a tar archive from fd to its end; only zero padding may follow the
 * archive. With no sink and a seekable fd, large files go to the workers.
 */
ospack_error osp_read_archive(struct ospack_ctx *ctx, int fd, struct osp_verifier *v,
			      const struct osp_sink *sink);
/* Walks an unpacked bundle folder: payload in byte order, then the tag files. */
ospack_error osp_read_folder(struct ospack_ctx *ctx, const char *path, struct osp_verifier *v);

/*
 * Opens a bundle archive ("-": standard input); *isdir, and no fd, when it is a folder.
 * A gzip or zstd archive (found by its first bytes) is read through *unzip: *fd is
 * then the tar it holds, decompressed on a thread (decompress.h). Every success is
 * ended by osp_close_bundle.
 */
struct osp_unzip;
ospack_error osp_open_bundle(struct ospack_ctx *ctx, const char *input, int *fd, bool *isdir,
			     struct osp_unzip **unzip);
/* Closes what osp_open_bundle opened; returns rc, or the decompressor's fault. */
ospack_error osp_close_bundle(struct ospack_ctx *ctx, int fd, struct osp_unzip *unzip,
			      ospack_error rc);

/* Loads trusted public keys; on error frees what it loaded. */
ospack_error osp_load_trusted(struct ospack_ctx *ctx, const char *const *specs, size_t n,
			      struct osp_key ***out);
void osp_free_keys(struct osp_key **keys, size_t n);

#endif
