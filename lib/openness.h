/* SPDX-License-Identifier: Apache-2.0 */
/* How open a release is: the baseline, open science, and the MOF classes, from its manifest. */
#ifndef OSP_OPENNESS_H
#define OSP_OPENNESS_H

#include <jansson.h>

#include "manifest.h"
#include "mof.h"

enum osp_level {
	OSP_LEVEL_BASELINE,
	OSP_LEVEL_OPEN_SCIENCE,
	OSP_LEVEL_MOF3,
	OSP_LEVEL_MOF2,
	OSP_LEVEL_MOF1,
	OSP_NLEVELS
};

/*
 * Makes every string in j printable, in place (osp_printable), before it is shown
 * as text: what a statement or a manifest says must not drive the terminal.
 * false on ENOMEM.
 */
bool osp_json_printable(json_t *j);

/* By name, as ospack_level_name() gives them. */
int osp_level_parse(const char *name, enum osp_level *l); /* 0, or -1 if unknown */

/* A code entry can serve every role there is: each maps to one component. */
#define OSP_ENTRY_MAX_COMPONENTS 6
/*
 * The MOF components a manifest entry counts toward, one per role (deduplicated,
 * in the order of its roles): none for docs of type license or other.
 */
size_t osp_entry_components(const struct osp_entry *e, int out[OSP_ENTRY_MAX_COMPONENTS]);
bool osp_entry_in_component(const struct osp_entry *e, int c);
/* The first of them, or -1. */
int osp_entry_component(const struct osp_entry *e);

struct osp_openness;

ospack_error osp_openness_eval(struct ospack_ctx *ctx, const struct ospack_manifest *m,
			       struct osp_openness **out);
void osp_openness_free(struct osp_openness *o);
/* The report as JSON (a new reference): what the statement and --json carry. */
json_t *osp_openness_json(const struct osp_openness *o);
/* The report for people, rendered from its JSON form (so a bundle's report renders too). */
char *osp_openness_text(json_t *report);
/* The same without the table of MOF components: the levels, what each lacks, the class. */
char *osp_openness_levels_text(json_t *report);
/*
 * --require LEVEL: OSPACK_EUSAGE for an unknown level, OSPACK_EPOLICY naming what
 * is missing when o falls short (o NULL: the level name only is checked).
 */
ospack_error osp_openness_require(struct ospack_ctx *ctx, const struct osp_openness *o,
				  const char *level);
/* "level not met: reason; reason" for --require, into a new string. */
char *osp_openness_shortfall(const struct osp_openness *o, enum osp_level l);
/* A MOF model file describing the release, valid against the MOF schema. */
ospack_error osp_openness_mof_yaml(struct ospack_ctx *ctx, const struct osp_openness *o,
				   int64_t date, char **out, size_t *len);

#endif
