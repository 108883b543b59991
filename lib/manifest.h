/* SPDX-License-Identifier: Apache-2.0 */
/* The release manifest as loaded and validated from YAML. */
#ifndef OSP_MANIFEST_H
#define OSP_MANIFEST_H

#include "common.h"

enum osp_section { OSP_DATASETS, OSP_CODE, OSP_CHECKPOINTS, OSP_EVALS, OSP_DOCS, OSP_NSECTIONS };
enum osp_source { OSP_SRC_PATH, OSP_SRC_GIT, OSP_SRC_URL };

struct osp_pos {
	unsigned line, col; /* 1-based */
};

struct osp_metric {
	char *name;
	double value;
	bool integer;
};

struct osp_entry {
	enum osp_section section;
	size_t index; /* position within its section */
	char *name;
	struct osp_pos pos; /* where the entry starts */
	enum osp_source source;
	char *src; /* path or git as written, or url */
	char *abs; /* path or git resolved against the manifest's folder */
	struct osp_pos src_pos;
	/* git */
	char *rev; /* as written; NULL for HEAD */
	char *subdir;
	bool lfs_pointers; /* lfs: pointers */
	char *repository;  /* the public URL named for the statement, credentials removed */
	/* url */
	char *sha256, *sha512; /* lowercase hex */
	uint64_t size;
	/* every entry */
	char *license; /* SPDX expression: the entry's own or the release's; may be NULL */
	bool license_inherited;
	struct osp_pos license_pos;
	char *description;
	struct osp_strv exclude;
	bool follow_symlinks;
	bool outside; /* a path source outside the manifest's folder */
	/* datasets and code: role (the first when several); docs: type */
	char *role;
	struct osp_strv roles; /* datasets and code: every role, as written; at least one */
	/* checkpoints */
	bool final;
	bool has_step;
	int64_t step;
	/* evals */
	char *dataset;
	struct osp_metric *metrics;
	size_t nmetrics;
	char *metrics_from; /* the model card the metrics were read from, as written; or NULL */
};

struct ospack_manifest {
	char *file; /* the path it was loaded from */
	char *dir;  /* its folder, against which sources resolve */
	char *name, *version, *description, *license, *homepage;
	struct osp_strv authors;
	struct osp_entry
		*entries; /* every section in order: datasets, code, checkpoints, evals, docs */
	size_t nentries;
};

const char *osp_section_name(enum osp_section s);
/* "datasets[2]" */
void osp_entry_label(const struct osp_entry *e, char *out, size_t outlen);

/* Parses a manifest from memory; file names it in messages and dir anchors paths. */
ospack_error osp_manifest_parse(struct ospack_ctx *ctx, const char *file, const char *dir,
				const char *text, size_t len, struct ospack_manifest **out);

#endif
