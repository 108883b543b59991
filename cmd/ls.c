/* SPDX-License-Identifier: Apache-2.0 */
/* ospack ls: what a release in a registry holds, from its manifest and tag layer. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum { OPT_PLAIN_HTTP = OPT_FIRST_LOCAL };

static const char usage[] =
	"usage: ospack ls REF [--plain-http] [--json]\n"
	"\n"
	"Shows what a release that 'ospack push' published holds, as 'ospack inspect'\n"
	"shows a bundle, and its layers, reading the manifest and the layer of tag\n"
	"files alone: no payload is fetched, and nothing is verified ('ospack pull'\n"
	"verifies).\n"
	"\n"
	"REF is REGISTRY/REPOSITORY[:TAG] (default tag latest), REGISTRY/REPOSITORY@\n"
	"sha256:HEX, or oci-layout:DIR[:TAG] for an OCI image layout folder.\n"
	"\n"
	"      --plain-http  talk http, not https\n"
	"      --json        print one JSON object: reference, digest, release (what\n"
	"                    'inspect --json' prints), layers\n"
	"  -h, --help        show this help\n"
	"\n"
	"Credentials as for push and pull. Exit status: 0 shown, 1 not an ospack\n"
	"release, 2 usage error, 4 network, registry or I/O error.\n";

int cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {{"plain-http", no_argument, NULL, OPT_PLAIN_HTTP},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_pull_opts o = {0};
	struct ospack_ctx *ctx;
	char *text = NULL, *json = NULL;
	bool want_json = false;
	ospack_error rc;
	int c, status;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == OPT_PLAIN_HTTP)
			o.plain_http = 1;
		else if (c == OPT_JSON)
			want_json = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("ls", "unknown or incomplete option");
	}
	if ((status = cmd_one_operand("ls", argc, optind, "REF")) != 0)
		return status;
	o.tmpdir = cmd_tmpdir();
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_ls(ctx, argv[optind], &o, want_json ? NULL : &text, want_json ? &json : NULL);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		fputs(want_json ? json : text, stdout);
		if (want_json)
			putchar('\n');
		status = 0;
	}
	ospack_free(text);
	ospack_free(json);
	ospack_ctx_free(ctx);
	return status;
}
