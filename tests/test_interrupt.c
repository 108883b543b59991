/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_interrupt() stops the operation running, and only that one: a later call works. */
#include "config.h"

#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "tap.h"

#define BUNDLE TOP_SRCDIR "/tests/data/v1-example.tar"

static void interrupt_now(void *arg, const struct ospack_progress *p)
{
	(void)p;
	*(int *)arg += 1;
	ospack_interrupt();
}

static ospack_error verify(struct ospack_ctx *ctx, const char *input,
			   const struct ospack_verify_opts *o)
{
	struct ospack_verify_result *r = NULL;
	ospack_error rc = ospack_verify(ctx, input, o, &r);

	ospack_verify_result_free(r);
	return rc;
}

static int rm(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int main(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_verify_opts o = {0};
	struct ospack_verify_result *r = NULL;
	char dir[] = "/tmp/ospack-interrupt.XXXXXX", target[64], bag[128];
	int calls = 0;

	if (ctx == NULL || mkdtemp(dir) == NULL)
		return 99;
	is_int(verify(ctx, BUNDLE, NULL), OSPACK_OK, "the bundle verifies");

	ospack_interrupt();
	is_int(verify(ctx, BUNDLE, NULL), OSPACK_OK,
	       "an interrupt raised before a verify does not fail it: %s", ospack_ctx_message(ctx));
	ospack_interrupt();
	snprintf(target, sizeof(target), "%s/x", dir);
	is_int(ospack_extract(ctx, BUNDLE, target, NULL, &r), OSPACK_OK, "nor an extract: %s",
	       ospack_ctx_message(ctx));
	snprintf(bag, sizeof(bag), "%s/%s", target, r ? r->bag : "?");
	ospack_verify_result_free(r);

	/* A folder is checked for an interrupt at every file; the archive at every 1 MiB read. */
	o.progress = interrupt_now;
	o.progress_arg = &calls;
	o.jobs = 1;
	is_int(verify(ctx, bag, &o), OSPACK_EINTR, "an interrupt during a verify stops it");
	ok(calls > 0, "(the interrupt came from the progress callback, %d calls)", calls);
	is_int(verify(ctx, bag, NULL), OSPACK_OK, "and the next verify in the process succeeds: %s",
	       ospack_ctx_message(ctx));

	ospack_ctx_free(ctx);
	nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
