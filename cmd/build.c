/* SPDX-License-Identifier: Apache-2.0 */
/* ospack build: a manifest becomes a reproducible, signed BagIt tar bundle. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack build MANIFEST [-o FILE] [-k KEY]... [--hash sha256|sha512]\n"
	"                    [--require LEVEL] [--allow-dirty] [-j N] [--progress]\n"
	"                    [--json] [-q]\n"
	"\n"
	"Hashes every file the manifest names and writes one reproducible tar archive,\n"
	"<name>-<version>.tar, whose folder is a BagIt bag with a signed statement.\n"
	"\n"
	"  -o, --output FILE     write FILE instead (\"-\" for standard output)\n"
	"  -k, --key KEY         sign with this private key (PEM file, or env:NAME to read\n"
	"                        it from an environment variable); repeat for more signatures\n"
	"      --hash ALG        BagIt manifest algorithm: sha256 (default) or sha512\n"
	"      --require LEVEL   fail (exit 1) and write nothing unless the release reaches\n"
	"                        LEVEL: baseline, open-science, mof-class-3, mof-class-2,\n"
	"                        mof-class-1\n"
	"      --allow-dirty     accept uncommitted changes in a git source used at HEAD\n"
	"  -j, --jobs N          threads that read and hash, 1 to 1024 (default: one per\n"
	"                        online CPU); the archive is the same whatever N\n"
	"      --progress        print progress to stderr as plain lines, one a second,\n"
	"                        even when it is not a terminal (a terminal gets one line\n"
	"                        updated in place without it)\n"
	"      --json            print the result as one JSON object\n"
	"  -q, --quiet           print nothing on success, and no progress (and skip\n"
	"                        computing the archive's SHA-256, which only the output\n"
	"                        shows)\n"
	"  -h, --help            show this help\n"
	"\n"
	"The archive is written beside its target and renamed into place when complete.\n"
	"SOURCE_DATE_EPOCH sets the timestamp of every entry. An encrypted key takes its\n"
	"passphrase from OSPACK_KEY_PASSWORD. TMPDIR is where temporary files may go.\n"
	"Exit status: 0 built, 1 openness requirement not met, 2 usage error,\n"
	"3 invalid manifest or key, 4 system or I/O error.\n";

static void print_summary(const struct ospack_build_result *r, FILE *out)
{
	fprintf(out, "wrote %s: %llu files, %llu payload bytes, %llu archive bytes\n",
		strcmp(r->output, "-") == 0 ? "standard output" : r->output,
		(unsigned long long)r->files, (unsigned long long)r->bytes,
		(unsigned long long)r->archive_bytes);
	fprintf(out, "sha256 %s\n", r->bundle_sha256);
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
						 {"key", required_argument, NULL, 'k'},
						 {"hash", required_argument, NULL, 'H'},
						 {"require", required_argument, NULL, 'r'},
						 {"allow-dirty", no_argument, NULL, 'D'},
						 {"jobs", required_argument, NULL, 'j'},
						 {"progress", no_argument, NULL, OPT_PROGRESS},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_build_opts o = {.mtime = -1};
	struct ospack_build_result *res = NULL;
	struct ospack_manifest *m = NULL;
	struct ospack_ctx *ctx;
	struct cmd_progress progress;
	const char **keys = NULL;
	bool json = false, quiet = false, plain = false;
	ospack_error rc;
	int c, status;

	while ((c = getopt_long(argc, argv, "o:k:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.output = optarg;
			break;
		case 'k':
			if (!cmd_list_add(&keys, &o.nkeys, optarg))
				return 4;
			break;
		case 'H':
			o.hash = optarg;
			break;
		case 'r':
			o.require = optarg;
			break;
		case 'D':
			o.allow_dirty = 1;
			break;
		case 'j':
			if (cmd_parse_jobs("build", optarg, &o.jobs) != 0) {
				free(keys);
				return EXIT_USAGE;
			}
			break;
		case OPT_PROGRESS:
			plain = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			free(keys);
			return 0;
		default:
			free(keys);
			return cmd_usage_error("build", "unknown or incomplete option");
		}
	}
	if (cmd_one_operand("build", argc, optind, "MANIFEST") != 0) {
		free(keys);
		return EXIT_USAGE;
	}
	if (o.require != NULL && !ospack_level_known(o.require)) {
		free(keys);
		return cmd_usage_error("build", "--require: '%s' is not %s", o.require, LEVELS);
	}
	if (json && o.output != NULL && strcmp(o.output, "-") == 0) {
		free(keys);
		return cmd_usage_error("build", "--json and -o - both want standard output");
	}
	o.keys = keys;
	/* Nobody will see the archive's digest: spare the second hashing pass. */
	o.no_digest = quiet && !json;
	o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, quiet, plain)) {
		o.progress = cmd_progress;
		o.progress_arg = &progress;
	}
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_manifest_load(ctx, argv[optind], &m);
	if (rc == OSPACK_OK)
		rc = ospack_build(ctx, m, &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		if (json)
			printf("%s\n", res->json);
		else if (!quiet)
			print_summary(res, strcmp(res->output, "-") == 0 ? stderr : stdout);
		status = 0;
	}
	ospack_build_result_free(res);
	ospack_manifest_free(m);
	ospack_ctx_free(ctx);
	free(keys);
	return status;
}
