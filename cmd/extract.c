/* SPDX-License-Identifier: Apache-2.0 */
/* ospack extract: verify a bundle and unpack it, safely, into an empty folder. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack extract BUNDLE|- -C DIR [-k PUBKEY]... [-j N] [--progress] [-q]\n"
	"\n"
	"Verifies the bundle as 'ospack verify' does while unpacking it into DIR, which\n"
	"must be empty or not exist. Files are staged inside DIR and moved into place\n"
	"only when every check passed: a rejected bundle leaves nothing behind. Nothing\n"
	"is written outside DIR and no link is created or followed; DIR itself must not\n"
	"be a link. The staging folder of an extract that was killed outright is\n"
	"removed by the next extract into DIR (docs/leftovers.md).\n"
	"\n"
	"  -C, --directory DIR  where to unpack (required)\n"
	"  -k, --key PUBKEY     require a valid signature by this public key; repeatable\n"
	"  -j, --jobs N         threads that read and hash, 1 to 1024 (default: one per\n"
	"                       online CPU)\n"
	"      --progress       print progress to stderr as plain lines, one a second,\n"
	"                       even when it is not a terminal (a terminal gets one line\n"
	"                       updated in place without it)\n"
	"  -q, --quiet          print nothing on success, and no progress\n"
	"  -h, --help           show this help\n"
	"\n"
	"OSPACK_TRUSTED_KEYS is used when no --key is given, as for verify. TMPDIR is\n"
	"where temporary files may go.\n"
	"Exit status: 0 extracted, 1 rejected, 2 usage error (DIR not empty),\n"
	"3 unreadable key, 4 system or I/O error.\n";

int cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {{"directory", required_argument, NULL, 'C'},
						 {"key", required_argument, NULL, 'k'},
						 {"jobs", required_argument, NULL, 'j'},
						 {"progress", no_argument, NULL, OPT_PROGRESS},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_verify_opts o = {0};
	struct ospack_verify_result *res = NULL;
	struct ospack_ctx *ctx;
	const char *dir = NULL;
	struct cmd_keys keys = {0};
	struct cmd_progress progress;
	bool quiet = false, plain = false;
	ospack_error rc;
	int c, status = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "C:k:j:qh", longopts, NULL)) != -1) {
		if (c == 'k' && !cmd_keys_add(&keys, optarg)) {
			status = cmd_nomem();
			goto out;
		} else if (c == 'j' && cmd_parse_jobs("extract", optarg, &o.jobs) != 0)
			goto out;
		else if (c == OPT_PROGRESS)
			plain = true;
		else if (c == 'C')
			dir = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (c != 'k' && c != 'j') {
			status = cmd_usage_error("extract", "unknown or incomplete option");
			goto out;
		}
	}
	if ((status = cmd_one_operand("extract", argc, optind, "BUNDLE")) != 0)
		goto out;
	if (dir == NULL) {
		status = cmd_usage_error("extract", "-C DIR is required");
		goto out;
	}
	if (!cmd_keys_default(&keys)) {
		status = cmd_nomem();
		goto out;
	}
	o.keys = keys.v;
	o.nkeys = keys.n;
	o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, quiet, plain)) {
		o.progress = cmd_progress;
		o.progress_arg = &progress;
	}
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_extract(ctx, argv[optind], dir, &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		if (!quiet) {
			fputs("extracted ", stdout);
			cmd_put_printable(res->bag, stdout);
			printf(" into %s (%llu file%s, %llu bytes)\n", dir,
			       (unsigned long long)res->files, res->files == 1 ? "" : "s",
			       (unsigned long long)res->bytes);
			cmd_print_trust(res);
		}
		status = 0;
	}
	ospack_verify_result_free(res);
	ospack_ctx_free(ctx);
out:
	cmd_keys_free(&keys);
	return status;
}
