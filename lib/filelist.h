/* SPDX-License-Identifier: Apache-2.0 */
/* The payload files of a release: where each comes from and where it goes in the bag. */
#ifndef OSP_FILELIST_H
#define OSP_FILELIST_H

#include "hash.h"
#include "manifest.h"

struct osp_file {
	char *bagpath; /* "data/code/trainer/src/train.py" */
	char *src;     /* file to read (folder and file sources); NULL for git blobs */
	uint64_t size;
	unsigned mode;	   /* 0644 or 0755 */
	uint64_t dev, ino; /* of a file source, as listed: build never writes over one */
	const struct osp_entry *entry;
	int at;			    /* folder source: the folder that holds it, open as this fd */
	const char *atname;	    /* ... and its name there (openat); else AT_FDCWD and src */
	unsigned char oid[20];	    /* git blob id (git sources) */
	struct osp_digests digests; /* filled as the bundle is written */
};

struct osp_filelist {
	struct osp_file *v;
	size_t n, cap;
};

/* Appends a file; bagpath and src are copied. Returns the new file or NULL (ENOMEM). */
struct osp_file *osp_filelist_add(struct osp_filelist *fl, const struct osp_entry *e,
				  const char *bagpath, const char *src, uint64_t size,
				  unsigned mode);
void osp_filelist_sort(struct osp_filelist *fl); /* by bagpath, byte order */
void osp_filelist_free(struct osp_filelist *fl);

/* "data/<section>/<entry>" for an entry, into out. */
void osp_entry_bagdir(const struct osp_entry *e, char *out, size_t outlen);

/*
 * Whether the entry's exclude patterns leave out the file or folder at rel
 * (path from the source's top; name its last part). See docs/FORMAT.md.
 */
bool osp_excluded(const struct osp_entry *e, const char *rel, const char *name, bool isdir);

/* Called for each file found; f and its strings are valid during the call only. */
typedef ospack_error (*osp_file_fn)(void *arg, struct osp_file *f);

/*
 * Walks a path source (file or folder) and calls fn for every file, in byte
 * order of the bag paths, keeping in memory only the folders on the way down.
 */
ospack_error osp_walk_entry(struct ospack_ctx *ctx, const struct osp_entry *e, osp_file_fn fn,
			    void *arg);

#endif
