/* SPDX-License-Identifier: Apache-2.0 */
/* ospack fetch: download what fetch.txt names into an unpacked bundle, checked as it streams. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack fetch DIR [-j N] [--progress] [--json] [-q]\n"
	"\n"
	"Downloads the files of a bundle's url entries, as its fetch.txt names them,\n"
	"into DIR, the bundle unpacked (the <name>-<version> folder 'tar -xf' makes).\n"
	"DIR is verified first as 'ospack verify DIR' does. Each file streams into a\n"
	"temporary file in DIR, hashed as it comes and stopped once longer than the\n"
	"statement says; it is moved into place only when its size and digest are the\n"
	"statement's. A file already there and right is skipped; one there and wrong\n"
	"is removed and downloaded again. Only http and https URLs are followed;\n"
	"failed transfers are retried, resuming where the server allows it.\n"
	"\n"
	"  -j, --jobs N       downloads at a time, 1 to 1024 (default: one per online\n"
	"                     CPU); the verification before uses as many threads\n"
	"      --progress     print progress to stderr as plain lines, one a second, even\n"
	"                     when it is not a terminal (a terminal gets one line updated\n"
	"                     in place without it)\n"
	"      --json         print the result as one JSON object: bag, files, fetched,\n"
	"                     skipped, replaced, bytes\n"
	"  -q, --quiet        print nothing, no progress either; the exit status tells\n"
	"  -h, --help         show this help\n"
	"\n"
	"OSPACK_HTTP_RETRIES (default 5), OSPACK_HTTP_RETRY_DELAY_MS (default 1000,\n"
	"doubled after each retry), OSPACK_HTTP_CONNECT_TIMEOUT and\n"
	"OSPACK_HTTP_STALL_TIMEOUT (seconds; default 30 and 60) tune the transfers.\n"
	"Temporary files of a fetch that was killed are removed by the next fetch into\n"
	"DIR (docs/leftovers.md).\n"
	"Exit status: 0 every file there and right, 1 DIR does not verify or a download\n"
	"is not what the statement says, 2 usage error (or another fetch into DIR is\n"
	"running), 3 DIR is not an unpacked bundle, 4 network, server or I/O error (the\n"
	"message names the URL).\n";

int cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {{"jobs", required_argument, NULL, 'j'},
						 {"progress", no_argument, NULL, OPT_PROGRESS},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_fetch_opts o = {0};
	struct ospack_fetch_result *res = NULL;
	struct ospack_ctx *ctx;
	struct cmd_progress progress;
	bool json = false, quiet = false, plain = false;
	ospack_error rc;
	int c, status = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
		if (c == 'j' && cmd_parse_jobs("fetch", optarg, &o.jobs) != 0)
			return EXIT_USAGE;
		else if (c == OPT_PROGRESS)
			plain = true;
		else if (c == OPT_JSON)
			json = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else if (c != 'j')
			return cmd_usage_error("fetch", "unknown or incomplete option");
	}
	if ((status = cmd_one_operand("fetch", argc, optind, "DIR")) != 0)
		return status;
	o.verify_jobs = o.jobs;
	o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, quiet, plain)) {
		o.progress = cmd_progress;
		o.progress_arg = &progress;
	}
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_fetch(ctx, argv[optind], &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = quiet ? ospack_exit_status(rc) : cmd_fail(ctx, rc);
	} else {
		if (json) {
			printf("%s\n", res->json);
		} else if (!quiet) {
			fputs("fetched ", stdout);
			cmd_put_printable(res->bag, stdout);
			printf(": %llu of %llu files downloaded (%llu bytes), %llu already there\n",
			       (unsigned long long)res->fetched, (unsigned long long)res->files,
			       (unsigned long long)res->bytes, (unsigned long long)res->skipped);
		}
		status = 0;
	}
	ospack_fetch_result_free(res);
	ospack_ctx_free(ctx);
	return status;
}
