/* SPDX-License-Identifier: Apache-2.0 */
/* ospack init: scaffold a manifest from what a folder holds, never overwriting one. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack init [DIR] [--stdout] [-q]\n"
	"\n"
	"Writes DIR/manifest.yaml (DIR defaults to the current folder), guessed from what\n"
	"DIR holds: checkpoints (.safetensors .gguf .pt .pth .bin .ckpt .onnx), code\n"
	"(.py .sh files and folders of them; a git repository pinned to its HEAD commit),\n"
	"datasets (data/ folders, .parquet .jsonl .csv .arrow files; a folder of shards is\n"
	"one entry), docs (README.md, MODEL_CARD, DATA_CARD, paper, report, .pdf), eval\n"
	"results (eval*.json, results*.json) and the license of a LICENSE or COPYING file.\n"
	"A comment marks every guess; what must be filled in says TODO, and 'ospack check'\n"
	"names it until it is. An existing manifest.yaml is never overwritten.\n"
	"\n"
	"  --stdout     print the manifest instead of writing DIR/manifest.yaml\n"
	"  -q, --quiet  say nothing on success\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 written, 2 usage error, 3 DIR/manifest.yaml exists, DIR is not\n"
	"a folder, or DIR holds nothing to describe, 4 system or I/O error.\n";

static int run(const char *dir, bool to_stdout, bool quiet)
{
	struct ospack_ctx *ctx = cmd_ctx();
	char *out = NULL, *yaml = NULL;
	unsigned todos = 0;
	ospack_error rc = OSPACK_OK;
	int status = 0;

	if (!to_stdout) {
		size_t n = strlen(dir) + sizeof("/manifest.yaml");

		if ((out = malloc(n)) == NULL) {
			ospack_ctx_free(ctx);
			return cmd_nomem();
		}
		snprintf(out, n, "%s%smanifest.yaml", dir,
			 dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/");
	}
	rc = ospack_init(ctx, dir, out, &yaml, &todos);
	if (rc != OSPACK_OK)
		status = cmd_fail(ctx, rc);
	else if (to_stdout)
		fputs(yaml, stdout);
	else if (!quiet && todos > 0)
		fprintf(stderr,
			"ospack init: wrote %s; settle its %u TODO%s, then run 'ospack check %s'\n",
			out, todos, todos == 1 ? "" : "s", out);
	else if (!quiet)
		fprintf(stderr,
			"ospack init: wrote %s; read its comments, then run 'ospack check %s'\n",
			out, out);
	free(out);
	ospack_free(yaml);
	ospack_ctx_free(ctx);
	return status;
}

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {{"stdout", no_argument, NULL, 's'},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	bool to_stdout = false, quiet = false;
	int c;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		if (c == 's')
			to_stdout = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("init", "unknown or incomplete option");
	}
	if (argc - optind > 1)
		return cmd_usage_error("init", "at most one DIR, please");
	return run(optind < argc ? argv[optind] : ".", to_stdout, quiet);
}
