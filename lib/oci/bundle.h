/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A verified bundle as push reads it, and the order of a bundle's entries that
 * push and pull share: the bag folder, data/, the payload files in the order
 * of ospack/files.txt with each folder before its first file, then the tag
 * files, ospack/ before the first of them under it.
 */
#ifndef OSP_OCI_BUNDLE_H
#define OSP_OCI_BUNDLE_H

#include <stdio.h>

#include <jansson.h>

#include "store.h"

/* A component of the statement. */
struct osp_ocomp {
	char *section, *name;
	char *dir;    /* "data/SECTION/NAME/" */
	json_t *json; /* the statement's component (borrowed) */
	bool url;     /* its file is fetched, not bundled */
	uint64_t files, bytes;
};

/* A payload file, as ospack/files.txt and manifest-sha256.txt give it. */
struct osp_ofile {
	char *path; /* "data/...", decoded */
	unsigned mode;
	uint64_t size;
	char sha256[65];
	int64_t offset; /* of its data in the archive; -1 for a folder */
};

struct osp_obundle {
	struct ospack_ctx *ctx;
	char *bag;
	char *tagdir; /* the tag files: the bag folder itself, or a temporary copy */
	bool tagdir_tmp;
	char *workdir; /* or NULL: a temporary folder holding tagdir, removed with it */
	char *root;    /* the bag folder, or NULL: the payload is in the archive fd */
	int fd;
	bool compressed;	  /* fd is a .tar.zst or .tar.gz: its offsets are the tar's, see
				     osp_unzip_to_temp */
	json_t *statement, *pred; /* pred is borrowed from statement */
	int64_t mtime;
	char **tags; /* the tag files in the archive's order */
	size_t ntags;
	struct osp_ocomp *comps; /* in the order of their folders */
	size_t ncomps;
};

/* Reads the tag files of a bundle already verified: an archive, or a bag folder. */
ospack_error osp_obundle_open(struct ospack_ctx *ctx, const char *input, const char *tmpdir,
			      struct osp_obundle **out);
void osp_obundle_free(struct osp_obundle *b);
/* Removes b's tag files, its tag folder and its work folder (if any), whether temporary or not;
 * osp_obundle_free does when tagdir_tmp. */
void osp_obundle_remove_tags(struct osp_obundle *b);
/* Unpacks the tag files of the tar at path tar into b->tagdir, an empty folder (made with its
 * ospack/ folder here), and lists them in b->tags in the archive's order. A bundle's entries
 * (in_bag) are in its bag folder, whose name goes to b->bag, and its payload is skipped; a
 * tag layer's are the tag files alone. Anything else (a link, a folder, a name no tag file
 * has, one twice, more than OSP_TAG_FILES_MAX) is rejected. label starts the messages; an
 * archive that libarchive cannot read gives the code bad. */
ospack_error osp_obundle_unpack_tags(struct osp_obundle *b, const char *tar, bool in_bag,
				     const char *label, ospack_error bad);
/* Fetches a release's manifest and tag layer alone (no payload) from a registry or an OCI
 * image layout into a temporary folder that osp_obundle_free removes. Nothing is verified. */
ospack_error osp_obundle_fetch(struct ospack_ctx *ctx, const char *ref, int plain_http,
			       const char *tmpdir, struct osp_obundle **out);
/* Reads the tag files of a bag folder (a pull's staging, the tag layer unpacked). */
ospack_error osp_obundle_load(struct osp_obundle *b);
/* The component whose folder holds path, or NULL. */
struct osp_ocomp *osp_obundle_comp_of(struct osp_obundle *b, const char *path);

/* Folders emitted so far on the way through the payload. */
struct osp_dirtrack {
	char *prev; /* the folder of the last file, bag-relative; "data" at first */
};
ospack_error osp_dirtrack_init(struct ospack_ctx *ctx, struct osp_dirtrack *dt);
void osp_dirtrack_free(struct osp_dirtrack *dt);
/* Calls dir() for each folder (bag-relative, no slash) that path's file needs first. */
ospack_error osp_dirtrack_file(struct ospack_ctx *ctx, struct osp_dirtrack *dt, const char *path,
			       ospack_error (*dir)(void *arg, const char *path), void *arg);

/* The payload files one after the other, with their archive offsets. */
struct osp_ocursor {
	struct osp_obundle *b;
	FILE *files, *man;
	unsigned line;
	struct osp_dirtrack dt;
	uint64_t off; /* the next header's offset in the archive */
	char *line_buf;
	size_t line_cap;
	struct osp_ofile cur;
};
/* A saved place of a cursor. */
struct osp_ocursor_mark {
	off_t files, man;
	unsigned line;
	char *prev;
	uint64_t off;
};

ospack_error osp_ocursor_open(struct osp_obundle *b, struct osp_ocursor *c);
void osp_ocursor_close(struct osp_ocursor *c);
/* 1 with the next file in c->cur, 0 at the end, or -1 with an error on the context. */
int osp_ocursor_next(struct osp_ocursor *c);
ospack_error osp_ocursor_mark(struct osp_ocursor *c, struct osp_ocursor_mark *m);
ospack_error osp_ocursor_reset(struct osp_ocursor *c, struct osp_ocursor_mark *m);
void osp_ocursor_mark_free(struct osp_ocursor_mark *m);

/* The media type of a component's layer: "application/vnd.cncf.model.KIND.v1.FORM". */
const char *osp_layer_kind(const char *section);

#endif
