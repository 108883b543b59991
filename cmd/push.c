/* SPDX-License-Identifier: Apache-2.0 */
/* ospack push: publish a verified bundle to an OCI registry, or as an OCI image layout. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

enum { OPT_PLAIN_HTTP = OPT_FIRST_LOCAL, OPT_OCI_LAYOUT, OPT_MOUNT_FROM };

static const char usage[] =
	"usage: ospack push BUNDLE|DIR REF [-k PUBKEY]... [--plain-http] [--mount-from REPO]\n"
	"                   [-j N] [--progress] [--json] [-q]\n"
	"       ospack push --oci-layout OUT BUNDLE|DIR\n"
	"\n"
	"Verifies the bundle (an archive or an unpacked bundle folder) as 'ospack\n"
	"verify' does, then publishes it as an OCI artifact in the ModelPack form\n"
	"(docs/registries.md): each component one layer (a single file as it is, a\n"
	"folder as a reproducible tar of its files), the bag's tag files and signed\n"
	"statement one more layer, and a ModelPack config. Blobs the repository has\n"
	"already are not sent again, so a new version sends only what changed; the\n"
	"same bundle always gives the same manifest digest.\n"
	"\n"
	"REF is REGISTRY/REPOSITORY[:TAG] (default tag latest), REGISTRY/REPOSITORY@\n"
	"sha256:HEX (pushed by digest, which must be the bundle's), or\n"
	"oci-layout:DIR[:TAG] (default tag: the release's version).\n"
	"\n"
	"  -k, --key PUBKEY       require a valid signature by this public key before\n"
	"                         pushing; repeatable\n"
	"      --oci-layout OUT   write an OCI image layout folder (oci-layout,\n"
	"                         index.json, blobs/sha256/) instead, tagged with the\n"
	"                         version; 'skopeo copy oci:OUT:VERSION docker://...'\n"
	"                         can push it\n"
	"      --plain-http       talk http, not https (a registry on loopback or a lab\n"
	"                         network)\n"
	"      --mount-from REPO  mount blobs the registry holds in repository REPO\n"
	"                         instead of sending them\n"
	"  -j, --jobs N           threads that verify, 1 to 1024 (default: one per\n"
	"                         online CPU)\n"
	"      --progress         print progress to stderr as plain lines, one a second,\n"
	"                         even when it is not a terminal\n"
	"      --json             print the result as one JSON object: reference,\n"
	"                         digest, bag, layers, blobs_uploaded, blobs_skipped,\n"
	"                         blobs_mounted, bytes_sent\n"
	"  -q, --quiet            print nothing on success, and no progress\n"
	"  -h, --help             show this help\n"
	"\n"
	"Credentials: OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD, else the\n"
	"registry's entry in $DOCKER_CONFIG/config.json (default\n"
	"~/.docker/config.json). OSPACK_TRUSTED_KEYS is used when no --key is given.\n"
	"Exit status: 0 pushed, 1 the bundle does not verify, 2 usage error, 3\n"
	"unreadable key, 4 network, registry or I/O error (the message gives the HTTP\n"
	"status and the registry's error code).\n";

int cmd_push(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"key", required_argument, NULL, 'k'},
		{"oci-layout", required_argument, NULL, OPT_OCI_LAYOUT},
		{"plain-http", no_argument, NULL, OPT_PLAIN_HTTP},
		{"mount-from", required_argument, NULL, OPT_MOUNT_FROM},
		{"jobs", required_argument, NULL, 'j'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct ospack_push_opts o = {0};
	struct ospack_push_result *res = NULL;
	struct ospack_ctx *ctx;
	struct cmd_keys keys = {0};
	struct cmd_progress progress;
	bool json = false, quiet = false, plain = false;
	ospack_error rc;
	int c, status = EXIT_USAGE, want;

	while ((c = getopt_long(argc, argv, "k:j:qh", longopts, NULL)) != -1) {
		if (c == 'k' && !cmd_keys_add(&keys, optarg)) {
			status = cmd_nomem();
			goto out;
		} else if (c == 'j' && cmd_parse_jobs("push", optarg, &o.jobs) != 0)
			goto out;
		else if (c == OPT_OCI_LAYOUT)
			o.oci_layout = optarg;
		else if (c == OPT_PLAIN_HTTP)
			o.plain_http = 1;
		else if (c == OPT_MOUNT_FROM)
			o.mount_from = optarg;
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
		} else if (c != 'k' && c != 'j') {
			status = cmd_usage_error("push", "unknown or incomplete option");
			goto out;
		}
	}
	want = o.oci_layout ? 1 : 2;
	if (argc - optind != want) {
		status = cmd_usage_error("push", "%s",
					 o.oci_layout ? "push --oci-layout OUT takes one BUNDLE"
						      : "push takes BUNDLE and REF");
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
	rc = ospack_push(ctx, argv[optind], want == 2 ? argv[optind + 1] : NULL, &o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK) {
		status = quiet ? ospack_exit_status(rc) : cmd_fail(ctx, rc);
	} else {
		if (json) {
			printf("%s\n", res->json);
		} else if (!quiet) {
			fputs("pushed ", stdout);
			cmd_put_printable(res->reference, stdout);
			printf("@%s: %llu layers, %llu blobs sent (%llu bytes), %llu already there",
			       res->digest, (unsigned long long)res->layers,
			       (unsigned long long)res->blobs_uploaded,
			       (unsigned long long)res->bytes_sent,
			       (unsigned long long)res->blobs_skipped);
			if (res->blobs_mounted > 0)
				printf(", %llu mounted", (unsigned long long)res->blobs_mounted);
			putchar('\n');
		}
		status = 0;
	}
	ospack_push_result_free(res);
	ospack_ctx_free(ctx);
out:
	cmd_keys_free(&keys);
	return status;
}
