/* SPDX-License-Identifier: Apache-2.0 */
/* Temporary stand-ins for the license, git and signing modules while they are written. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "git.h"

ospack_error osp_git_open(struct ospack_ctx *ctx, const struct osp_entry *e, bool allow_dirty,
			  struct osp_git **out)
{
	return osp_error(ctx, OSPACK_EMANIFEST, "git sources are not available yet");
}
const struct osp_git_info *osp_git_info(const struct osp_git *g)
{
	return NULL;
}
ospack_error osp_git_collect(struct ospack_ctx *ctx, struct osp_git *g, struct osp_filelist *fl)
{
	return OSPACK_EMANIFEST;
}
ospack_error osp_git_read(struct ospack_ctx *ctx, struct osp_git *g, const struct osp_file *f,
			  const void **data, size_t *len)
{
	return OSPACK_EMANIFEST;
}
void osp_git_free(struct osp_git *g)
{
}
