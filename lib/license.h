/* SPDX-License-Identifier: Apache-2.0 */
/* License facts compiled into the library, and SPDX license expressions. */
#ifndef OSP_LICENSE_H
#define OSP_LICENSE_H

#include "common.h"

enum {
	OSP_LIC_OSI = 1u << 0,	      /* OSI-approved */
	OSP_LIC_FSF = 1u << 1,	      /* FSF-libre */
	OSP_LIC_OPEN_DATA = 1u << 2,  /* an open data or open content license (MOF list) */
	OSP_LIC_PERMISSIVE = 1u << 3, /* open, without copyleft or use restrictions */
	OSP_LIC_COPYLEFT = 1u << 4,   /* open, share-alike / copyleft */
	OSP_LIC_DEPRECATED = 1u << 5, /* a deprecated SPDX identifier */
	OSP_LIC_FOR_CODE = 1u << 6,   /* MOF content types the license is meant for */
	OSP_LIC_FOR_DATA = 1u << 7,
	OSP_LIC_FOR_DOC = 1u << 8,
};

/* What makes a license open: OSI-approved, FSF-libre, or an open data/content license. */
#define OSP_LIC_OPEN (OSP_LIC_OSI | OSP_LIC_FSF | OSP_LIC_OPEN_DATA)
#define OSP_LIC_FOR_ANY (OSP_LIC_FOR_CODE | OSP_LIC_FOR_DATA | OSP_LIC_FOR_DOC)

struct osp_license {
	const char *id;	  /* canonical SPDX identifier */
	const char *name; /* full name */
	unsigned flags;
};

/*
 * The generated table (lib/licenses.c, written by tools/gen-licenses.py): licenses and
 * exception identifiers, each sorted by identifier ignoring ASCII case.
 */
extern const struct osp_license osp_license_table[];
extern const size_t osp_license_table_len;
extern const char *const osp_exception_table[];
extern const size_t osp_exception_table_len;
extern const char osp_license_table_version[];

/* Looks an identifier up, case-insensitively as SPDX matches them; NULL if unknown. */
const struct osp_license *osp_license_find(const char *id);
/* The same for the n bytes at id, which need not be NUL-terminated. */
const struct osp_license *osp_license_findn(const char *id, size_t n);
/* Looks up a license exception identifier (for WITH); NULL if unknown. */
const char *osp_license_exception_find(const char *id);
const char *osp_license_exception_findn(const char *id, size_t n);
/* The version of the SPDX license list the table was generated from. */
const char *osp_license_list_version(void);

/* A parsed SPDX license expression. */
struct osp_spdx;

/* Bounds on what osp_spdx_parse() accepts. */
#define OSP_SPDX_MAX_LEN 4096 /* bytes */
#define OSP_SPDX_MAX_DEPTH 32 /* nested parentheses */

/*
 * Parses expr. On error returns OSPACK_EMANIFEST with a message that says what is
 * wrong and where ("unknown license identifier 'Apache2'", "expected a license
 * after 'AND'"...), without any location prefix: the caller adds that.
 * Operators must be written in upper case, as the SPDX specification matches them
 * case-sensitively ("and" is an error that says to write "AND"); identifiers,
 * exceptions and the LicenseRef-/DocumentRef- prefixes match ignoring case.
 */
ospack_error osp_spdx_parse(struct ospack_ctx *ctx, const char *expr, struct osp_spdx **out);
void osp_spdx_free(struct osp_spdx *e);
/*
 * The expression written canonically: identifiers in SPDX case, operators in upper
 * case, single spaces, nested AND/OR groups flattened and any group inside another
 * written in parentheses ("MIT OR (Apache-2.0 AND BSD-3-Clause)"). NULL if out of memory.
 */
char *osp_spdx_string(const struct osp_spdx *e);

/*
 * What an expression lets a user do. OR takes the most favourable choice,
 * AND requires every part; WITH keeps the license's facts; LicenseRef-* is
 * custom terms: not open, not permissive.
 */
struct osp_spdx_facts {
	bool open;	 /* every required part is OSI, FSF-libre or an open data/content license */
	bool permissive; /* open, and no copyleft and no use restriction */
	bool copyleft;	 /* open, but some chosen part is copyleft */
	bool custom;	 /* some chosen part is a LicenseRef-: custom terms */
	unsigned fits;	 /* OSP_LIC_FOR_* of the chosen licenses */
};
void osp_spdx_eval(const struct osp_spdx *e, struct osp_spdx_facts *out);

#endif
