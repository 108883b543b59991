/* SPDX-License-Identifier: Apache-2.0 */
/* opts.partial through the library: the result's left_out list and JSON, and the rejections. */
#include "config.h"

#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "tap.h"

#define V2 TOP_SRCDIR "/tests/data/v2-example.tar"
#define V1 TOP_SRCDIR "/tests/data/v1-example.tar"

static int rm(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static ospack_error verify(struct ospack_ctx *ctx, const char *input, int partial,
			   struct ospack_verify_result **r)
{
	struct ospack_verify_opts o = {0};

	o.partial = partial;
	o.jobs = 2;
	ospack_verify_result_free(*r);
	*r = NULL;
	return ospack_verify(ctx, input, &o, r);
}

int main(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_verify_result *r = NULL;
	char dir[] = "/tmp/ospack-partial.XXXXXX", target[64], bag[128], comp[192];

	if (ctx == NULL || mkdtemp(dir) == NULL)
		return 99;
	snprintf(target, sizeof(target), "%s/x", dir);
	is_int(ospack_extract(ctx, V2, target, NULL, &r), OSPACK_OK, "the v2 example unpacks: %s",
	       ospack_ctx_message(ctx));
	snprintf(bag, sizeof(bag), "%s/%s", target, r ? r->bag : "?");
	snprintf(comp, sizeof(comp), "%s/data/code/inference", bag);

	is_int(verify(ctx, bag, 1, &r), OSPACK_OK, "whole, with partial: verified");
	is_int(r ? (long long)r->nleft_out : -1, 0, "nothing left out");
	has_str(r ? r->json : NULL, "\"left_out\":[],", "the JSON has left_out []");
	has_str(r ? r->json : NULL, "\"partial\":false", "and partial false");

	is_int(nftw(comp, rm, 16, FTW_DEPTH | FTW_PHYS), 0, "data/code/inference removed");
	is_int(verify(ctx, bag, 0, &r), OSPACK_EREJECT, "without partial: rejected");
	has_str(ospack_ctx_message(ctx),
		"partial: 1 of 4 components are not here: code/inference (a partial pull? "
		"`ospack verify --partial` checks the rest)",
		"the message names the component, of all four (the url one too)");
	ok(r == NULL, "no result on a rejection");

	is_int(verify(ctx, bag, 1, &r), OSPACK_OK, "with partial: verified: %s",
	       ospack_ctx_message(ctx));
	if (ok(r != NULL && r->nleft_out == 1, "one component left out"))
		is_str(r->left_out[0], "code/inference", "it is code/inference");
	has_str(r ? r->json : NULL, "\"left_out\":[\"code/inference\"],",
		"the JSON lists it as left_out");
	has_str(r ? r->json : NULL, "\"partial\":true", "and says partial true");
	ok(r != NULL && r->url_files == 1 && r->url_fetched == 0,
	   "the url entry is counted as ever, not left out");

	is_int(verify(ctx, V1, 1, &r), OSPACK_EREJECT, "a format 1 bundle with partial: rejected");
	has_str(ospack_ctx_message(ctx), "partial verification needs format 2", "saying why");
	is_int(verify(ctx, V1, 0, &r), OSPACK_OK, "and verified without it");
	is_int(r ? (long long)r->nleft_out : -1, 0, "(nothing left out)");

	ospack_verify_result_free(r);
	ospack_ctx_free(ctx);
	nftw(dir, rm, 16, FTW_DEPTH | FTW_PHYS);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
