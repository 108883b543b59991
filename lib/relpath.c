/* SPDX-License-Identifier: Apache-2.0 */
/* Checks of the relative paths a manifest names or a source holds. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "common.h"

static bool bad_component(const char *p, size_t n)
{
	return n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.');
}

ospack_error osp_check_relpath(struct ospack_ctx *ctx, const char *what, const char *rel)
{
	char shown[512];
	const char *p = rel, *slash;

	osp_printable(rel, shown, sizeof(shown));
	if (rel[0] == '\0')
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: empty file name", what);
	if (!osp_utf8_valid(rel, strlen(rel)))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: file name is not valid UTF-8",
				 what, shown);
	if (strpbrk(rel, "\r\n") != NULL)
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: file name contains a line break",
				 what, shown);
	for (const char *c = rel; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return osp_error(ctx, OSPACK_EMANIFEST,
					 "%s: %s: file name contains a control character", what,
					 shown);
	if (rel[0] == '/')
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: %s: absolute path", what, shown);
	for (;;) {
		slash = strchr(p, '/');
		if (bad_component(p, slash != NULL ? (size_t)(slash - p) : strlen(p)))
			return osp_error(ctx, OSPACK_EMANIFEST,
					 "%s: %s: empty, '.' or '..' path component", what, shown);
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	return OSPACK_OK;
}
