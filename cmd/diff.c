/* SPDX-License-Identifier: Apache-2.0 */
/* ospack diff: what changed between two releases, from their statements and tag files. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum { OPT_PLAIN_HTTP = OPT_FIRST_LOCAL };

static const char usage[] =
	"usage: ospack diff A B [--plain-http] [--json]\n"
	"\n"
	"Shows what changed from release A to release B: the name, version and\n"
	"license, the openness (MOF class and levels met), components added and\n"
	"removed, and per component its license, git commit and rev, evaluation\n"
	"metrics, and files added, removed and changed (digest, size or mode).\n"
	"\n"
	"A and B are each a bundle archive, an unpacked bundle folder, a registry\n"
	"reference REGISTRY/REPOSITORY[:TAG|@sha256:HEX] or oci-layout:DIR[:TAG].\n"
	"Only the statements and tag files are read, never the payload: diff compares\n"
	"what the statements and file lists say and verifies nothing ('ospack verify'\n"
	"checks that a bundle holds what they say).\n"
	"\n"
	"      --plain-http  talk http, not https, to a registry\n"
	"      --json        print one JSON object (see docs/diff.md)\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status: 0 no differences, 1 the releases differ, 2 usage error,\n"
	"3 an input is no readable bundle, 4 I/O, network or registry error.\n";

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {{"plain-http", no_argument, NULL, OPT_PLAIN_HTTP},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_diff_opts o = {0};
	struct ospack_ctx *ctx;
	char *text = NULL, *json = NULL;
	bool want_json = false;
	ospack_error rc;
	int c, status, differ = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == OPT_PLAIN_HTTP)
			o.plain_http = 1;
		else if (c == OPT_JSON)
			want_json = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("diff", "unknown or incomplete option");
	}
	if (argc - optind != 2)
		return cmd_usage_error("diff", "needs two operands, A and B (%d given)",
				       argc - optind);
	o.tmpdir = cmd_tmpdir();
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_diff(ctx, argv[optind], argv[optind + 1], &o, want_json ? NULL : &text,
			 want_json ? &json : NULL, &differ);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		fputs(want_json ? json : text, stdout);
		if (want_json)
			putchar('\n');
		status = differ ? 1 : 0;
	}
	ospack_free(text);
	ospack_free(json);
	ospack_ctx_free(ctx);
	return status;
}
