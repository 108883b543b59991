/* SPDX-License-Identifier: Apache-2.0 */
/* What the verifier's end knows of the statement, and the checks both forms share. */
#ifndef OSP_VSTATE_H
#define OSP_VSTATE_H

#include <jansson.h>

#include "verifier.h"

/* A file a v1 statement lists. */
struct osp_vsubj {
	const char *name;
	unsigned char sha256[32];
	const char *sha512; /* hex, or NULL */
	bool in_component;
	uint64_t size; /* payload files: from the predicate */
	unsigned mode;
};

/* A url source: a file of the payload manifest that the archive does not hold. */
struct osp_vfetch {
	const char *path, *url, *sha256, *sha512;
	uint64_t size;
};

/* A v2 component: its folder and what the statement says it holds. */
struct osp_vcomp {
	char dir[512]; /* "data/<section>/<name>/" */
	uint64_t files, bytes;
	uint64_t seen_files, seen_bytes;
	/* files.txt's lines of it that the bundle lacks; all of them: it is left out */
	uint64_t missing_files, missing_bytes;
	bool left_out;
};

struct osp_vstate {
	json_t *env, *statement;
	unsigned char *payload;
	size_t payload_len;
	const char *bag, *name, *version;
	enum osp_alg alg;
	struct osp_vsubj *subj; /* v1 */
	size_t nsubj;
	struct osp_vcomp *comps; /* v2, sorted by folder */
	size_t ncomps;
	/* partial: the components left out, and the files and bytes they would hold */
	size_t nleft_out;
	uint64_t left_files, left_bytes;
	struct osp_vfetch *fetch;  /* in the statement's order, as fetch.txt lists them */
	struct osp_vfetch *byname; /* the same, sorted by path */
	size_t nfetch;
	unsigned char
		*fstate; /* OSP_URL_*, per entry of byname: whether its file is in the folder */
	uint64_t url_seen, url_seen_bytes; /* url entries' files in the folder, right or not */
	uint64_t url_ok;		   /* those that are what the statement says */
	struct ospack_verify_signature *sigs;
	size_t nsigs;
	bool authenticated;
	uint64_t files;
	int oms; /* ospack/model.sig: 0 absent, 1 integrity checked, 2 and signed by a trusted key
		  */
	int detached; /* a detached Sigstore bundle of the statement verified */
};

void osp_vstate_free(struct osp_verifier *v);
/* Parses JSON of at most max_values values nested at most max_depth deep. */
ospack_error osp_vparse_json(struct osp_verifier *v, const char *what, const char *text, size_t len,
			     size_t max_values, int max_depth, json_t **out);
ospack_error osp_vdigest_of(struct osp_verifier *v, json_t *digest, const char *what,
			    unsigned char sha256[32], const char **sha512);
/* The v2 component a payload path is in, or NULL. */
struct osp_vcomp *osp_vcomponent_of(struct osp_vstate *s, const char *path);
/* Reads a url component's source into s->fetch (sized by the caller). */
ospack_error osp_vread_url_source(struct osp_verifier *v, json_t *src);
ospack_error osp_vsort_fetch(struct osp_verifier *v);
const struct osp_vfetch *osp_vfind_fetch(const struct osp_vstate *s, const char *path);
/*
 * A url entry's file that a folder holds (fetched): its size and SHA-256 must be the
 * statement's. In an archive it is refused. With v->url_lenient a wrong one is recorded
 * as OSP_URL_WRONG instead of rejected.
 */
ospack_error osp_vcheck_fetched(struct osp_verifier *v, const struct osp_vfetch *fe, uint64_t size,
				const unsigned char sha256[32]);
/* With opts->fetched: every url entry's file must be there, and right. */
ospack_error osp_vcheck_all_fetched(struct osp_verifier *v);
/* A tag file that must be there, loaded; NULL with the rejection recorded. */
struct osp_vtag *osp_vtag_need(struct osp_verifier *v, const char *path, const char *why);
/*
 * bagit.txt, the tag manifests (tagmanifest-sha256.txt, when sha256_always, and
 * the statement's algorithm's), Payload-Oxum and fetch.txt.
 */
ospack_error osp_vcheck_bag_rest(struct osp_verifier *v, bool sha256_always);

/* ospack/model.sig, when present: its signature and its agreement with the bag (oms.c). */
ospack_error osp_vcheck_oms(struct osp_verifier *v);
/* The detached Sigstore bundle of the statement the options name, if any. */
ospack_error osp_vcheck_detached(struct osp_verifier *v);

/* The checks of a v1 statement (finish_v1.c), on the entries loaded into memory. */
ospack_error osp_finish_v1(struct osp_verifier *v, json_t *subjects, json_t *pred);

#endif
