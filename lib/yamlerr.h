/* SPDX-License-Identifier: Apache-2.0 */
/* libyaml's usual syntax errors (indentation, tabs, a missing space) told in plain words. */
#ifndef OSP_YAMLERR_H
#define OSP_YAMLERR_H

#include "common.h"

/* What libyaml reported: its problem text and marks, lines and columns counted from 1. */
struct osp_yaml_err {
	const char *problem; /* may be NULL */
	unsigned line, col;
	unsigned ctx_line; /* where the construct being read began; 0 if unknown */
};

/*
 * Writes into out a sentence on what is wrong in text that names the lines involved
 * ("'path:' is indented more than 'name:' above it (line 7)"), and returns true;
 * returns false when the error is not one it knows. Reads text up to the error's
 * line once, keeping no more than two lines' facts.
 */
bool osp_yaml_explain(const char *text, size_t len, const struct osp_yaml_err *e, char *out,
		      size_t outlen);

#endif
