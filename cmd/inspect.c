/* SPDX-License-Identifier: Apache-2.0 */
/* ospack inspect: what a bundle holds, without extracting it. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack inspect BUNDLE|- [--json]\n"
	"\n"
	"Shows what a bundle's statement says: release, version, components with their\n"
	"source (git commit, url), files and sizes, the key ids of its signatures and its\n"
	"openness report. Payload data is skipped, not read. Nothing is verified: use\n"
	"'ospack verify' for that.\n"
	"\n"
	"      --json      print the statement's predicate as one JSON object\n"
	"  -h, --help      show this help\n"
	"\n"
	"Exit status: 0 shown, 1 not an ospack bundle, 2 usage error, 4 I/O error.\n";

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_ctx *ctx;
	char *text = NULL, *json = NULL;
	bool as_json = false;
	ospack_error rc;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'j')
			as_json = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("inspect", "unknown or incomplete option");
	}
	if (cmd_one_operand("inspect", argc, optind, "BUNDLE") != 0)
		return EXIT_USAGE;
	ctx = cmd_ctx();
	rc = ospack_inspect(ctx, argv[optind], as_json ? NULL : &text, as_json ? &json : NULL);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		if (as_json)
			printf("%s\n", json);
		else
			fputs(text, stdout);
		status = 0;
	}
	ospack_free(text);
	ospack_free(json);
	ospack_ctx_free(ctx);
	return status;
}
