/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Runs a fuzz target's entry point once on every file of its seed corpus
 * (tests/fuzz/<target>/) and of its crash regressions (tests/fuzz/regressions/<target>/),
 * printing TAP: `make check` proves each target builds and takes its inputs.
 * FUZZ_TARGET names the target; a file given on the command line is run alone.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "fuzz.h"
#include "../tap.h"

static int run_file(const char *path)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	char *data = NULL;
	size_t len = 0;
	ospack_error rc = osp_read_file(ctx, path, 16u << 20, OSPACK_EIO, &data, &len);

	if (rc == OSPACK_OK)
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	else
		printf("# %s\n", ospack_ctx_message(ctx));
	free(data);
	ospack_ctx_free(ctx);
	return rc == OSPACK_OK ? 0 : -1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of dir in name order; returns how many, or -1 when dir is unreadable. */
static int run_dir(const char *dir)
{
	struct osp_strv names = {0};
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && osp_strv_push(&names, de->d_name) != 0)
			abort();
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), name_cmp);
	for (size_t i = 0; i < names.n; i++) {
		char *path = osp_asprintf("%s/%s", dir, names.v[i]);

		ok(path != NULL && run_file(path) == 0, "%s %s", FUZZ_TARGET, names.v[i]);
		free(path);
	}
	n = names.n;
	osp_strv_free(&names);
	return (int)n;
}

int main(int argc, char **argv)
{
	int n;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			ok(run_file(argv[i]) == 0, "%s", argv[i]);
	} else {
		n = run_dir(FUZZ_DIR "/" FUZZ_TARGET);
		ok(n > 0, "the seed corpus of %s has inputs", FUZZ_TARGET);
		run_dir(FUZZ_DIR "/regressions/" FUZZ_TARGET);
	}
	return tap_done();
}
