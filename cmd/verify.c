/* SPDX-License-Identifier: Apache-2.0 */
/* ospack verify: check, offline and in one pass, that a bundle is what its publisher signed. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack verify BUNDLE|DIR|- [-k PUBKEY]... [--fetched] [--partial]\n"
	"                     [--sigstore-bundle FILE] [-j N] [--progress] [--json] [-q]\n"
	"\n"
	"Checks a bundle in one streaming pass: every entry is a plain file or folder\n"
	"inside the bag folder, every byte matches the signed statement, nothing is\n"
	"missing or added, and the BagIt manifests agree. BUNDLE is an archive file,\n"
	"\"-\" reads it from standard input, DIR is an unpacked bundle folder.\n"
	"\n"
	"Any other BagIt bag (one without ospack/: a folder, a tar, .tar.gz or .tar.zst)\n"
	"is validated as RFC 8493 says: every manifest (md5, sha1, sha224, sha256,\n"
	"sha384, sha512), the tag manifests, fetch.txt and Payload-Oxum; what the RFC\n"
	"says should be and is not is a warning. Such a bag is unsigned: the output says\n"
	"so, and with --key it is rejected.\n"
	"\n"
	"  -k, --key PUBKEY   require a valid signature by this public key (PEM file, or\n"
	"                     env:NAME); repeat to accept any of several keys\n"
	"      --fetched      DIR must hold every file its fetch.txt names (url entries,\n"
	"                     see 'ospack fetch'), each what the statement says; without\n"
	"                     it they may be absent, and the output says how many are\n"
	"      --partial      whole components may be absent (as 'ospack pull --only'\n"
	"                     leaves them): they are named, not rejected; every file\n"
	"                     that is there is checked as strictly as ever. A component\n"
	"                     with only some of its files, or an empty folder, is\n"
	"                     still rejected\n"
	"      --sigstore-bundle FILE  also check FILE, a detached Sigstore bundle v0.3\n"
	"                     (as build --sigstore-out writes): its statement must be the\n"
	"                     bundle's, byte for byte, and its signature verify with a\n"
	"                     -k key; needs -k\n"
	"  -j, --jobs N       threads that read and hash, 1 to 1024 (default: one per\n"
	"                     online CPU)\n"
	"      --progress     print progress to stderr as plain lines, one a second, even\n"
	"                     when it is not a terminal (a terminal gets one line updated\n"
	"                     in place without it)\n"
	"      --json         print the result as one JSON object\n"
	"  -q, --quiet        print nothing, no progress either; the exit status tells\n"
	"  -h, --help         show this help\n"
	"\n"
	"OSPACK_TRUSTED_KEYS (a colon-separated list of public key files) is used when no\n"
	"--key is given. Without any trusted key the bundle's integrity and completeness\n"
	"are checked, but not who made it: the output says so. TMPDIR is where temporary\n"
	"files may go. ospack/model.sig, an OMS signature, when present, must agree with\n"
	"every file of the bag, and verify with a trusted ECDSA key when one is given.\n"
	"Exit status: 0 verified, 1 rejected (the message names the first problem),\n"
	"2 usage error, 3 unreadable key, 4 system or I/O error.\n";

enum { OPT_PARTIAL = OPT_FIRST_LOCAL };

static void print_result(const struct ospack_verify_result *r, const char *input,
			 const char *bundle)
{
	if (r->plain) {
		printf("%s: valid BagIt bag ", strcmp(input, "-") ? input : "stdin");
		cmd_put_printable(r->bag, stdout);
		printf(" (BagIt %s; %llu file%s, %llu bytes", r->version,
		       (unsigned long long)r->files, r->files == 1 ? "" : "s",
		       (unsigned long long)r->bytes);
		if (r->nwarnings > 0)
			printf("; %zu warning%s", r->nwarnings, r->nwarnings == 1 ? "" : "s");
		printf(")\nunsigned: a plain BagIt bag holds no ospack statement; its contents "
		       "are\n"
		       "complete and match its manifests, but authenticity was not checked.\n");
		return;
	}
	printf("%s: verified %s", strcmp(input, "-") ? input : "stdin",
	       r->nleft_out > 0 ? "part of " : "");
	cmd_put_printable(r->bag, stdout);
	printf(" (%llu file%s, %llu bytes", (unsigned long long)r->files, r->files == 1 ? "" : "s",
	       (unsigned long long)r->bytes);
	if (r->nleft_out > 0)
		printf("; not the whole release");
	printf(")\n");
	if (r->nleft_out > 0) {
		printf("partial: %zu component%s left out:", r->nleft_out,
		       r->nleft_out == 1 ? "" : "s");
		for (size_t i = 0; i < r->nleft_out; i++) {
			printf("%s ", i ? "," : "");
			cmd_put_printable(r->left_out[i], stdout);
		}
		printf("\n");
	}
	if (r->url_files > 0 && r->url_fetched == r->url_files)
		printf("all %llu files fetch.txt names are there and verified\n",
		       (unsigned long long)r->url_files);
	else if (r->url_files > 0)
		printf("%llu of the %llu files fetch.txt names are not fetched (ospack fetch "
		       "downloads them)\n",
		       (unsigned long long)(r->url_files - r->url_fetched),
		       (unsigned long long)r->url_files);
	cmd_print_trust(r);
	if (r->oms == 2)
		printf("OMS signature ospack/model.sig: agrees with every file%s, signed by a "
		       "trusted key\n",
		       r->nleft_out > 0 ? " that is here" : "");
	else if (r->oms == 1)
		printf("OMS signature ospack/model.sig: agrees with every file%s; its signature "
		       "was not checked against a trusted key\n",
		       r->nleft_out > 0 ? " that is here" : "");
	if (r->sigstore_bundle) {
		printf("Sigstore bundle ");
		cmd_put_printable(bundle, stdout);
		printf(": the same statement, signed by a trusted key\n");
	}
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"jobs", required_argument, NULL, 'j'},
		{"fetched", no_argument, NULL, OPT_FETCHED},
		{"partial", no_argument, NULL, OPT_PARTIAL},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"sigstore-bundle", required_argument, NULL, OPT_SIGSTORE_BUNDLE},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct ospack_verify_opts o = {0};
	struct ospack_verify_result *res = NULL;
	struct ospack_ctx *ctx;
	struct cmd_keys keys = {0};
	struct cmd_progress progress;
	bool json = false, quiet = false, plain = false;
	ospack_error rc;
	int c, status = EXIT_USAGE;

	while ((c = getopt_long(argc, argv, "k:j:qh", longopts, NULL)) != -1) {
		if (c == 'k' && !cmd_keys_add(&keys, optarg)) {
			status = cmd_nomem();
			goto out;
		} else if (c == 'j' && cmd_parse_jobs("verify", optarg, &o.jobs) != 0)
			goto out;
		else if (c == OPT_PROGRESS)
			plain = true;
		else if (c == OPT_FETCHED)
			o.fetched = 1;
		else if (c == OPT_PARTIAL)
			o.partial = 1;
		else if (c == OPT_SIGSTORE_BUNDLE)
			o.sigstore_bundle = optarg;
		else if (c == OPT_JSON)
			json = true;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			status = 0;
			goto out;
		} else if (c != 'k' && c != 'j') {
			status = cmd_usage_error("verify", "unknown or incomplete option");
			goto out;
		}
	}
	if ((status = cmd_one_operand("verify", argc, optind, "BUNDLE")) != 0)
		goto out;
	if (!cmd_keys_default(&keys)) {
		status = cmd_nomem();
		goto out;
	}
	o.keys = keys.v;
	o.nkeys = keys.n;
	if (o.sigstore_bundle != NULL && o.nkeys == 0) {
		status = cmd_usage_error(
			"verify", "--sigstore-bundle needs a trusted key to check it with (-k)");
		goto out;
	}
	o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, quiet, plain)) {
		o.progress = cmd_progress;
		o.progress_arg = &progress;
	}
	ctx = cmd_ctx();
	/* -q prints nothing: a plain bag's warnings neither. */
	if (quiet)
		ospack_ctx_set_warn(ctx, NULL, NULL);
	cmd_signals();
	rc = ospack_verify(ctx, argv[optind], &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = quiet ? ospack_exit_status(rc) : cmd_fail(ctx, rc);
		/* A plain bag's result says why it failed; else the error, for pipelines to log. */
		if (json && res != NULL)
			printf("%s\n", res->json);
		else if (json)
			cmd_print_json_error(ctx, argv[optind], status);
	} else {
		if (json)
			printf("%s\n", res->json);
		else if (!quiet)
			print_result(res, argv[optind], o.sigstore_bundle);
		status = 0;
	}
	ospack_verify_result_free(res);
	ospack_ctx_free(ctx);
out:
	cmd_keys_free(&keys);
	return status;
}
