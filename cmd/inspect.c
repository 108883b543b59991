/* SPDX-License-Identifier: Apache-2.0 */
/* ospack inspect: what a bundle holds, without extracting it. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack inspect BUNDLE|- [--files] [--json]\n"
	"\n"
	"Shows what a bundle's statement says, as a summary: release, version, format,\n"
	"digest algorithm, the key ids of its signatures, each component (role, license,\n"
	"file count, size, git commit), the totals and the openness levels and MOF class\n"
	"the statement records. Payload data is skipped, not read. Nothing is verified:\n"
	"use 'ospack verify' for that.\n"
	"\n"
	"      --files     list every payload file instead, one a line: MODE SIZE  PATH\n"
	"      --json      print the statement's predicate as one JSON object (with\n"
	"                  --files: one JSON object per file and line)\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 shown, 1 not an ospack bundle, 2 usage error, 4 I/O error.\n";

static int print_file(void *arg, const struct ospack_inspect_file *f)
{
	const bool *as_json = arg;

	return printf("%s\n", *as_json ? f->json : f->text) < 0;
}

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
						 {"files", no_argument, NULL, 'f'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_ctx *ctx;
	char *text = NULL, *json = NULL;
	bool as_json = false, files = false;
	ospack_error rc;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j')
			as_json = true;
		else if (c == 'f')
			files = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("inspect", "unknown or incomplete option");
	}
	if (cmd_one_operand("inspect", argc, optind, "BUNDLE") != 0)
		return EXIT_USAGE;
	ctx = cmd_ctx();
	if (files)
		rc = ospack_inspect_files(ctx, argv[optind], cmd_tmpdir(), print_file, &as_json);
	else
		rc = ospack_inspect(ctx, argv[optind], as_json ? NULL : &text,
				    as_json ? &json : NULL);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		if (as_json && !files)
			printf("%s\n", json);
		else if (!files)
			fputs(text, stdout);
		status = 0;
	}
	ospack_free(text);
	ospack_free(json);
	ospack_ctx_free(ctx);
	return status;
}
