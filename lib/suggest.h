/* SPDX-License-Identifier: Apache-2.0 */
/* "Did you mean": the closest manifest key, or the SPDX identifier a license text means. */
#ifndef OSP_SUGGEST_H
#define OSP_SUGGEST_H

#include "common.h"

/* Words longer than this get no suggestion: the work per candidate stays small. */
#define OSP_SUGGEST_MAX_LEN 64

/*
 * The optimal-string-alignment distance (insertions, deletions, substitutions and
 * swaps of two neighbours) between a and b, ignoring ASCII case; max + 1 when it
 * exceeds max or either is longer than OSP_SUGGEST_MAX_LEN.
 */
size_t osp_edit_distance(const char *a, const char *b, size_t max);

/*
 * From the NULL-terminated list cands, the one closest to word when it is close
 * enough for word's length (1 edit up to 3 characters, 2 up to 6, else 3), the
 * first in list order on a tie; NULL if none is.
 */
const char *osp_suggest_word(const char *word, const char *const *cands);

/*
 * The SPDX license identifier that text, not a valid SPDX expression, most likely
 * means, or NULL. docs/licenses.md states the rule.
 */
const char *osp_suggest_license(const char *text);

#endif
