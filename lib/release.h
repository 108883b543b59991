/* SPDX-License-Identifier: Apache-2.0 */
/* What a build knows of a release: manifest, payload files, git commits, tag files. */
#ifndef OSP_RELEASE_H
#define OSP_RELEASE_H

#include <jansson.h>

#include "filelist.h"
#include "hash.h"
#include "manifest.h"

struct osp_git;

#define OSP_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
/* The statement's form: v2 signs the tag files (the per-file lists among them). */
#define OSP_PREDICATE_TYPE "https://ospack.dev/release/v2"
#define OSP_PREDICATE_TYPE_V1 "https://ospack.dev/release/v1"
#define OSP_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define OSP_ENVELOPE_PATH "ospack/statement.dsse.json"
#define OSP_MOF_PATH "ospack/mof.yaml"
#define OSP_FILES_PATH "ospack/files.txt"
/* The timestamp of every entry when the caller gives none (no SOURCE_DATE_EPOCH): 1980-01-01. */
#define OSP_DEFAULT_MTIME 315532800

struct osp_spill;
/* A tag file: in memory, or (the per-file lists) in a spill file. */
struct osp_tagfile {
	char path[64];
	char *data;
	size_t len;
	struct osp_spill *spill; /* when not NULL: the content is all of it */
	struct osp_digests d;
};

/* What one manifest entry adds to the payload. */
struct osp_component_sum {
	uint64_t files, bytes;
};

/* What opening a release does with a path source outside the manifest's folder. */
enum osp_outside {
	OSP_OUTSIDE_REPORT, /* warn that a build would refuse it: what check does */
	OSP_OUTSIDE_REFUSE, /* an error */
	OSP_OUTSIDE_ALLOW   /* warn that it is bundled */
};

struct osp_release {
	const struct ospack_manifest *m;
	enum osp_outside outside;
	char bag[300];	  /* "<name>-<version>": the one folder of the archive */
	enum osp_alg alg; /* the BagIt manifests' algorithm */
	unsigned algs;	  /* computed for every file: SHA-256 always, and alg */
	int64_t mtime;
	size_t *order;		       /* manifest entries in the bag's byte order */
	struct osp_component_sum *sum; /* per manifest entry, as counted */
	uint64_t files, bytes;	       /* payload files in the archive, and their bytes */
	struct osp_git **git;	       /* per manifest entry, NULL unless a git source */
	char **fetch_path;	       /* per manifest entry, bag path of a url source */
	struct osp_openness *openness; /* the openness report, or NULL */
};

/*
 * Opens the sources of r->m (git repositories, url entries) and orders the
 * entries as the bag does. r->alg must be set: url entries then need their digest.
 */
ospack_error osp_release_open(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty);
/*
 * Calls fn for every payload file of entry i (folder walk or git tree), in byte
 * order, reading no file; a url entry has none. Counts them into r->sum[i].
 */
ospack_error osp_release_each(struct ospack_ctx *ctx, struct osp_release *r, size_t i,
			      osp_file_fn fn, void *arg);
/* Opens, then lists every entry without keeping the list: what check does. */
ospack_error osp_release_collect(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty);
void osp_release_free(struct osp_release *r);

/* The statement as compact JSON with sorted keys: it signs the tag files given. */
ospack_error osp_statement_build(struct ospack_ctx *ctx, const struct osp_release *r,
				 const struct osp_tagfile *tags, size_t ntags, char **out,
				 size_t *len);

struct osp_key;
/* The DSSE envelope around payload, signed by every key (sorted by key id). */
ospack_error osp_envelope_build(struct ospack_ctx *ctx, const char *payload, size_t len,
				struct osp_key *const *keys, size_t nkeys, char **out,
				size_t *outlen);

/*
 * inspect's reading of an envelope: the predicate, with the key ids the envelope
 * claims under "signatures" (nothing verified); and its text for people.
 */
ospack_error osp_inspect_envelope(struct ospack_ctx *ctx, const char *env, size_t len,
				  json_t **pred);
char *osp_inspect_text(json_t *pred);

#endif
