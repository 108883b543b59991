/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluation results from a model card's YAML front matter (Hugging Face's model-index). */
#ifndef OSP_MODELCARD_H
#define OSP_MODELCARD_H

#include "manifest.h"

/* The largest front matter read: a model card's results never come near it. */
#define OSP_MODELCARD_MAX_FRONT (1024u * 1024)

/*
 * The metrics of the model-index in the front matter of the Markdown file at
 * path (shown names it in messages): key the metric's type (else its name), or
 * DATASET/TYPE when the results cover more than one dataset. Every problem is
 * OSPACK_EMANIFEST with "shown:line:col: where: what"; an unreadable file OSPACK_EIO.
 */
ospack_error osp_modelcard_metrics(struct ospack_ctx *ctx, const char *path, const char *shown,
				   struct osp_metric **out, size_t *n);

/* "1.5", "-3", "2e-4": a number as a metric may hold; sets *integer when it has no fraction. */
bool osp_metric_number(const char *s, double *v, bool *integer);

#endif
