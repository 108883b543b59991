/* SPDX-License-Identifier: Apache-2.0 */
/* ospack pull: a release from an OCI registry or layout, verified blob by blob. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum { OPT_PLAIN_HTTP = OPT_FIRST_LOCAL, OPT_ONLY };

static const char usage[] =
	"usage: ospack pull REF (-o FILE | -C DIR) [-k PUBKEY]... [--only SECTION[/ENTRY]]...\n"
	"                   [--plain-http] [--progress] [--json] [-q]\n"
	"\n"
	"Fetches a release that 'ospack push' published. The layer of tag files and\n"
	"signed statement comes first, and the signature is checked against the\n"
	"trusted keys before any payload byte is written; each layer is then hashed\n"
	"as it streams and must be what the signed statement says, and the whole is\n"
	"verified as 'ospack verify' verifies a bundle. Nothing is left behind when\n"
	"anything fails.\n"
	"\n"
	"REF is REGISTRY/REPOSITORY[:TAG] (default tag latest), REGISTRY/REPOSITORY@\n"
	"sha256:HEX, or oci-layout:DIR[:TAG] for an OCI image layout folder.\n"
	"\n"
	"  -o, --output FILE    reassemble the bundle archive, byte for byte the one\n"
	"                       that was pushed (written beside FILE, then renamed)\n"
	"  -C, --directory DIR  unpack the bundle into DIR, empty or new, as 'ospack\n"
	"                       extract' does: staged, nothing outside DIR\n"
	"      --only WHAT      with -C, fetch only this section (checkpoints, code,\n"
	"                       datasets, docs, evals) or component (checkpoints/final);\n"
	"                       repeatable. The components left out are named, and\n"
	"                       'ospack verify --partial' checks such a folder\n"
	"  -k, --key PUBKEY     require a valid signature by this public key; repeatable\n"
	"      --plain-http     talk http, not https\n"
	"      --progress       print progress to stderr as plain lines, one a second,\n"
	"                       even when it is not a terminal\n"
	"      --json           print the result as one JSON object: reference, digest,\n"
	"                       bag, output or directory, blobs, bytes_received,\n"
	"                       left_out, verify (what 'verify --json' prints)\n"
	"  -q, --quiet          print nothing on success, and no progress\n"
	"  -h, --help           show this help\n"
	"\n"
	"Credentials: OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD, else the\n"
	"registry's entry in $DOCKER_CONFIG/config.json (default\n"
	"~/.docker/config.json). OSPACK_TRUSTED_KEYS is used when no --key is given.\n"
	"Exit status: 0 pulled and verified, 1 a digest or signature is wrong or the\n"
	"artifact is not an ospack release, 2 usage error (DIR not empty), 3\n"
	"unreadable key, 4 network, registry or I/O error (the message gives the HTTP\n"
	"status and the registry's error code).\n";

int cmd_pull(int argc, char **argv)
{
	static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
						 {"directory", required_argument, NULL, 'C'},
						 {"only", required_argument, NULL, OPT_ONLY},
						 {"key", required_argument, NULL, 'k'},
						 {"plain-http", no_argument, NULL, OPT_PLAIN_HTTP},
						 {"progress", no_argument, NULL, OPT_PROGRESS},
						 {"json", no_argument, NULL, OPT_JSON},
						 {"quiet", no_argument, NULL, 'q'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	struct ospack_pull_opts o = {0};
	struct ospack_pull_result *res = NULL;
	struct ospack_ctx *ctx;
	struct cmd_keys keys = {0};
	struct cmd_progress progress;
	const char **only = NULL;
	size_t nonly = 0;
	bool json = false, quiet = false, plain = false;
	ospack_error rc;
	int c, status = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "o:C:k:qh", longopts, NULL)) != -1) {
		if (c == 'k' && !cmd_keys_add(&keys, optarg)) {
			status = cmd_nomem();
			goto out;
		} else if (c == OPT_ONLY && !cmd_list_add(&only, &nonly, optarg)) {
			status = cmd_nomem();
			goto out;
		} else if (c == 'o')
			o.output = optarg;
		else if (c == 'C')
			o.dir = optarg;
		else if (c == OPT_PLAIN_HTTP)
			o.plain_http = 1;
		else if (c == OPT_PROGRESS)
			plain = true;
		else if (c == OPT_JSON)
			json = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (c != 'k' && c != OPT_ONLY) {
			status = cmd_usage_error("pull", "unknown or incomplete option");
			goto out;
		}
	}
	if ((status = cmd_one_operand("pull", argc, optind, "REF")) != 0)
		goto out;
	status = EXIT_USAGE;
	if ((o.output == NULL) == (o.dir == NULL)) {
		status = cmd_usage_error("pull", "give one of -o FILE and -C DIR");
		goto out;
	}
	if (o.output != NULL && nonly > 0) {
		status = cmd_usage_error("pull", "--only needs -C DIR: a part of a release is "
						 "not a bundle archive");
		goto out;
	}
	if (!cmd_keys_default(&keys)) {
		status = cmd_nomem();
		goto out;
	}
	o.keys = keys.v;
	o.nkeys = keys.n;
	o.only = only;
	o.nonly = nonly;
	o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, quiet, plain)) {
		o.progress = cmd_progress;
		o.progress_arg = &progress;
	}
	ctx = cmd_ctx();
	cmd_signals();
	rc = ospack_pull(ctx, argv[optind], &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = quiet ? ospack_exit_status(rc) : cmd_fail(ctx, rc);
	} else {
		if (json) {
			printf("%s\n", res->json);
		} else if (!quiet) {
			fputs("pulled ", stdout);
			cmd_put_printable(res->bag, stdout);
			printf(" from ");
			cmd_put_printable(res->reference, stdout);
			printf(" into %s (%llu file%s, %llu bytes)\n", o.output ? o.output : o.dir,
			       (unsigned long long)res->verify->files,
			       res->verify->files == 1 ? "" : "s",
			       (unsigned long long)res->verify->bytes);
			if (res->nleft_out > 0) {
				printf("partial: %zu component%s left out:", res->nleft_out,
				       res->nleft_out == 1 ? "" : "s");
				for (size_t i = 0; i < res->nleft_out; i++) {
					fputs(i ? ", " : " ", stdout);
					cmd_put_printable(res->left_out[i], stdout);
				}
				fputs("\n", stdout);
			}
			cmd_print_trust(res->verify);
		}
		status = 0;
	}
	ospack_pull_result_free(res);
	ospack_ctx_free(ctx);
out:
	free(only);
	cmd_keys_free(&keys);
	return status;
}
