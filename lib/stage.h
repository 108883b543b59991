/* SPDX-License-Identifier: Apache-2.0 */
/* Unpacking into an empty or new folder through a private staging folder (extract, pull). */
#ifndef OSP_STAGE_H
#define OSP_STAGE_H

#include "verify/verifier.h"

struct osp_stage;

/*
 * Opens dir once, never through a link (made when missing), locks it against
 * other runs, checks that it is empty but for leftovers of a killed run (which
 * are removed; docs/leftovers.md), and makes the staging folder in it. cmd
 * ("extract", "pull") names the command in messages.
 */
ospack_error osp_stage_open(struct ospack_ctx *ctx, const char *dir, const char *cmd,
			    struct osp_stage **out);
/* A sink that writes below the staging folder what v accepted; no link is followed or made. */
struct osp_sink osp_stage_sink(struct osp_stage *st, struct osp_verifier *v);
/* The staging folder's path, for work files that go with it (NULL on ENOMEM). */
char *osp_stage_path(const struct osp_stage *st);
/* Moves the folder root of the staging folder into dir. */
ospack_error osp_stage_commit(struct osp_stage *st, const char *root);
/* Removes the staging folder, and dir itself when this run made it and failed. */
void osp_stage_free(struct osp_stage *st, bool failed);

#endif
