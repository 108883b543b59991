/* SPDX-License-Identifier: Apache-2.0 */
/* What a build knows of a release: manifest, payload files, git commits, tag files. */
#ifndef OSP_RELEASE_H
#define OSP_RELEASE_H

#include "filelist.h"
#include "hash.h"
#include "manifest.h"

struct osp_git;

#define OSP_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define OSP_PREDICATE_TYPE "https://ospack.dev/release/v1"
#define OSP_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define OSP_ENVELOPE_PATH "ospack/statement.dsse.json"
#define OSP_MOF_PATH "ospack/mof.yaml"
/* The timestamp of every entry when SOURCE_DATE_EPOCH is not set: 1980-01-01. */
#define OSP_DEFAULT_MTIME 315532800

struct osp_tagfile {
	char path[64];
	char *data;
	size_t len;
	struct osp_digests d;
};

struct osp_release {
	const struct ospack_manifest *m;
	char bag[300];	  /* "<name>-<version>": the one folder of the archive */
	enum osp_alg alg; /* the BagIt manifests' algorithm */
	unsigned algs;	  /* computed for every file: SHA-256 always, and alg */
	int64_t mtime;
	struct osp_filelist files;     /* payload in the archive, sorted */
	struct osp_git **git;	       /* per manifest entry, NULL unless a git source */
	char **fetch_path;	       /* per manifest entry, bag path of a url source */
	struct osp_openness *openness; /* the openness report, or NULL */
};

/*
 * Lists the payload of r->m (folder walks, git trees, url entries) without reading
 * any file, and sorts it. r->alg must be set: url entries then need their digest.
 */
ospack_error osp_release_collect(struct ospack_ctx *ctx, struct osp_release *r, bool allow_dirty);
void osp_release_free(struct osp_release *r);

/* The statement as compact JSON with sorted keys. */
ospack_error osp_statement_build(struct ospack_ctx *ctx, const struct osp_release *r,
				 const struct osp_tagfile *tags, size_t ntags, char **out,
				 size_t *len);

struct osp_key;
/* The DSSE envelope around payload, signed by every key (sorted by key id). */
ospack_error osp_envelope_build(struct ospack_ctx *ctx, const char *payload, size_t len,
				struct osp_key *const *keys, size_t nkeys, char **out,
				size_t *outlen);

#endif
