/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: a bundle as `ospack verify - --key tests/fuzz/testkey.pub` reads
 * it, from a pipe. The seed is a bundle signed with that (committed, test-only) key.
 */
#include <locale.h>
#include <stdlib.h>

#include "common.h"
#include "stream.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {FUZZ_DIR "/testkey.pub"};
	struct ospack_ctx *ctx = ospack_ctx_new();

	if (ctx == NULL)
		abort();
	fuzz_verify_stream(ctx, data, size, keys, 1);
	ospack_ctx_free(ctx);
	return 0;
}
