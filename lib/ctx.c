/* SPDX-License-Identifier: Apache-2.0 */
/* The error context, error codes and the process-wide interrupt flag. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static volatile sig_atomic_t interrupted;

OSPACK_API void ospack_interrupt(void)
{
	interrupted = 1;
}

void osp_interrupt_reset(void)
{
	interrupted = 0;
}

bool osp_interrupted(void)
{
	return interrupted != 0;
}

OSPACK_API const char *ospack_version(void)
{
	return PACKAGE_VERSION;
}

OSPACK_API void ospack_free(void *p)
{
	free(p);
}

OSPACK_API const char *ospack_strerror(ospack_error code)
{
	switch (code) {
	case OSPACK_OK:
		return "no error";
	case OSPACK_ENOMEM:
		return "out of memory";
	case OSPACK_EUSAGE:
		return "usage error";
	case OSPACK_EMANIFEST:
		return "invalid manifest";
	case OSPACK_EKEY:
		return "invalid key";
	case OSPACK_EREJECT:
		return "bundle rejected";
	case OSPACK_EPOLICY:
		return "openness requirement not met";
	case OSPACK_EIO:
		return "system or I/O error";
	case OSPACK_EINTR:
		return "interrupted";
	case OSPACK_EINPUT:
		return "invalid input";
	}
	return "unknown error";
}

OSPACK_API int ospack_exit_status(ospack_error code)
{
	switch (code) {
	case OSPACK_OK:
		return 0;
	case OSPACK_EREJECT:
	case OSPACK_EPOLICY:
		return 1;
	case OSPACK_EUSAGE:
		return 2;
	case OSPACK_EMANIFEST:
	case OSPACK_EKEY:
	case OSPACK_EINPUT:
		return 3;
	case OSPACK_ENOMEM:
	case OSPACK_EIO:
	case OSPACK_EINTR:
		return 4;
	}
	return 4;
}

OSPACK_API struct ospack_ctx *ospack_ctx_new(void)
{
	return calloc(1, sizeof(struct ospack_ctx));
}

OSPACK_API void ospack_ctx_free(struct ospack_ctx *ctx)
{
	free(ctx);
}

OSPACK_API const char *ospack_ctx_message(const struct ospack_ctx *ctx)
{
	if (ctx->code != OSPACK_OK && ctx->msg[0] == '\0')
		return ospack_strerror(ctx->code);
	return ctx->msg;
}

OSPACK_API ospack_error ospack_ctx_code(const struct ospack_ctx *ctx)
{
	return ctx->code;
}

OSPACK_API void ospack_ctx_set_warn(struct ospack_ctx *ctx, ospack_warn_fn fn, void *arg)
{
	ctx->warn = fn;
	ctx->warn_arg = arg;
}

ospack_error osp_verror(struct ospack_ctx *ctx, ospack_error code, const char *fmt, va_list ap)
{
	if (ctx == NULL)
		return code;
	char raw[sizeof(ctx->msg)];

	ctx->code = code;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	/* Names and strings from bundles, statements and manifests reach a terminal. */
	osp_printable(raw, ctx->msg, sizeof(ctx->msg));
	return code;
}

ospack_error osp_error(struct ospack_ctx *ctx, ospack_error code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	osp_verror(ctx, code, fmt, ap);
	va_end(ap);
	return code;
}

ospack_error osp_error_prefix(struct ospack_ctx *ctx, const char *fmt, ...)
{
	char prefix[512], old[sizeof(ctx->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, ctx->msg, sizeof(old));
	osp_printable(prefix, ctx->msg, sizeof(ctx->msg));
	snprintf(ctx->msg + strlen(ctx->msg), sizeof(ctx->msg) - strlen(ctx->msg), ": %s", old);
	return ctx->code;
}

ospack_error osp_nomem(struct ospack_ctx *ctx)
{
	return osp_error(ctx, OSPACK_ENOMEM, "out of memory");
}

ospack_error osp_errno(struct ospack_ctx *ctx, int err, const char *what, const char *path)
{
	if (err == ENOMEM)
		return osp_nomem(ctx);
	if (err == EINTR && osp_interrupted())
		return osp_error(ctx, OSPACK_EINTR, "interrupted");
	if (path != NULL)
		return osp_error(ctx, OSPACK_EIO, "%s: %s: %s", what, path, strerror(err));
	return osp_error(ctx, OSPACK_EIO, "%s: %s", what, strerror(err));
}

void osp_warn(struct ospack_ctx *ctx, const char *fmt, ...)
{
	char raw[1024], msg[1024];
	va_list ap;

	if (ctx == NULL || ctx->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	osp_printable(raw, msg, sizeof(msg));
	ctx->warn(ctx->warn_arg, msg);
}
