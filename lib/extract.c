/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_extract: verify while unpacking into a private staging folder, then move it into place. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stage.h"

OSPACK_API ospack_error ospack_extract(struct ospack_ctx *ctx, const char *input, const char *dir,
				       const struct ospack_verify_opts *opts,
				       struct ospack_verify_result **out)
{
	struct osp_stage *st = NULL;
	struct osp_verifier *v = NULL;
	struct osp_key **keys = NULL;
	size_t nkeys = opts ? opts->nkeys : 0;
	struct osp_unzip *unzip = NULL;
	bool isdir = false;
	int fd = -1;
	ospack_error rc;

	*out = NULL;
	osp_interrupt_reset();
	rc = osp_load_trusted(ctx, opts ? opts->keys : NULL, nkeys, &keys);
	if (rc == OSPACK_OK)
		rc = osp_open_bundle(ctx, input, &fd, &isdir, &unzip);
	if (rc == OSPACK_OK && isdir)
		rc = osp_error(ctx, OSPACK_EUSAGE, "%s: a folder; extract reads an archive", input);
	if (rc == OSPACK_OK)
		rc = osp_stage_open(ctx, dir, "extract", &st);
	if (rc == OSPACK_OK)
		rc = osp_verifier_new(ctx, keys, nkeys, false, opts, &v);
	if (rc == OSPACK_OK) {
		const struct osp_sink sink = osp_stage_sink(st, v);

		rc = osp_read_archive(ctx, fd, v, &sink);
	}
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(v);
	/* A compressed stream is good only when it decompressed to its end. */
	rc = osp_close_bundle(ctx, fd, unzip, rc);
	if (rc == OSPACK_OK)
		rc = osp_stage_commit(st, osp_verifier_root(v));
	if (rc == OSPACK_OK && (*out = osp_verifier_result(v)) == NULL)
		rc = osp_nomem(ctx);
	osp_stage_free(st, rc != OSPACK_OK);
	if (rc == OSPACK_EREJECT && strcmp(input, "-") != 0)
		osp_error_prefix(ctx, "%s", input);
	osp_verifier_free(v);
	osp_free_keys(keys, nkeys);
	return rc;
}
