/* SPDX-License-Identifier: Apache-2.0 */
/* ospack build: a manifest becomes a reproducible, signed BagIt tar bundle. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack build MANIFEST [-o FILE] [-k KEY]... [--hash sha256|sha512]\n"
	"                    [--require LEVEL] [--allow-dirty] [--allow-outside]\n"
	"                    [--sigstore-out FILE] [--compress C] [-j N] [--progress]\n"
	"                    [--json] [-q]\n"
	"\n"
	"Hashes every file the manifest names and writes one reproducible tar archive,\n"
	"<name>-<version>.tar, whose folder is a BagIt bag with a signed statement.\n"
	"\n"
	"  -o, --output FILE     write FILE instead (\"-\" for standard output); a name\n"
	"                        ending .tar.zst is written zstd-compressed, .tar.gz\n"
	"                        gzip-compressed, any other name uncompressed\n"
	"      --compress C      zstd[:LEVEL] (1-19, default 3), gzip[:LEVEL] (1-9,\n"
	"                        default 6) or none; a name -o gives must agree (without\n"
	"                        -o the archive is <name>-<version>.tar.zst or .tar.gz).\n"
	"                        The SHA-256 shown is always the uncompressed tar's,\n"
	"                        which is what is signed; readers detect compression\n"
	"                        by content\n"
	"  -k, --key KEY         sign with this private key (PEM file, or env:NAME to read\n"
	"                        it from an environment variable); repeat for more signatures\n"
	"      --sigstore-out FILE  also write the signed statement as a Sigstore bundle\n"
	"                        v0.3 (DSSE, public key named by its hint, no log\n"
	"                        entry), signed by the first -k key; needs -k\n"
	"      --hash ALG        BagIt manifest algorithm: sha256 (default) or sha512\n"
	"      --require LEVEL   fail (exit 1) and write nothing unless the release reaches\n"
	"                        LEVEL: baseline, open-science, mof-class-3, mof-class-2,\n"
	"                        mof-class-1\n"
	"      --allow-dirty     accept uncommitted changes in a git source used at HEAD\n"
	"      --allow-outside   bundle path sources outside the manifest's folder\n"
	"                        (absolute, climbing with .., or through a symbolic\n"
	"                        link), with a warning for each; without it they are\n"
	"                        an error, so a manifest alone cannot publish other files\n"
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
	"A source that is, or holds, a key file given with -k is refused.\n"
	"With an ECDSA key among -k, the first one also writes ospack/model.sig, an\n"
	"OpenSSF Model Signing (OMS) v1.0 signature over every file of the bag.\n"
	"SOURCE_DATE_EPOCH sets the timestamp of every entry. An encrypted key takes its\n"
	"passphrase from OSPACK_KEY_PASSWORD. TMPDIR is where temporary files may go.\n"
	"Exit status: 0 built, 1 openness requirement not met, 2 usage error,\n"
	"3 invalid manifest or key, 4 system or I/O error.\n";

static void print_summary(const struct ospack_build_result *r, FILE *out)
{
	fprintf(out, "wrote %s: %llu file%s, %llu payload bytes, %llu archive bytes\n",
		strcmp(r->output, "-") == 0 ? "standard output" : r->output,
		(unsigned long long)r->files, r->files == 1 ? "" : "s",
		(unsigned long long)r->bytes, (unsigned long long)r->archive_bytes);
	fprintf(out, "sha256 %s\n", r->bundle_sha256);
}

/* SOURCE_DATE_EPOCH, when set, is the timestamp of every entry. */
static int parse_sde(int64_t *mtime)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	long long v;

	*mtime = -1;
	if (sde == NULL || sde[0] == '\0')
		return 0;
	errno = 0;
	v = strtoll(sde, NULL, 10);
	/* Digits only: strtoll would take a sign or spaces. */
	if (strspn(sde, "0123456789") != strlen(sde) || errno != 0 || v > 8589934591LL) {
		fprintf(stderr,
			"ospack: SOURCE_DATE_EPOCH: '%s' is not a number of seconds since 1970\n",
			sde);
		return EXIT_USAGE;
	}
	*mtime = v;
	return 0;
}

/* Options that say what to build; 0, or the exit status of a usage error. */
static int check_options(const struct ospack_build_opts *o, bool json)
{
	if (o->hash != NULL && strcmp(o->hash, "sha256") != 0 && strcmp(o->hash, "sha512") != 0)
		return cmd_usage_error("build", "--hash: '%s' is not sha256 or sha512", o->hash);
	if (o->require != NULL && !ospack_level_known(o->require))
		return cmd_usage_error("build", "--require: '%s' is not %s", o->require, LEVELS);
	if (o->sigstore_out != NULL && o->nkeys == 0)
		return cmd_usage_error("build", "--sigstore-out needs a key to sign with (-k)");
	if (json && o->output != NULL && strcmp(o->output, "-") == 0)
		return cmd_usage_error("build", "--json and -o - both want standard output");
	return 0;
}

enum { OPT_ALLOW_OUTSIDE = OPT_FIRST_LOCAL, OPT_SIGSTORE_OUT, OPT_COMPRESS };

struct build_args {
	struct ospack_build_opts o;
	const char **keys;
	bool json, quiet, plain;
};

/* 0 to go on, or the status to exit with: -1 for a plain 0 (--help). */
static int parse_args(int argc, char **argv, struct build_args *a)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"key", required_argument, NULL, 'k'},
		{"hash", required_argument, NULL, 'H'},
		{"require", required_argument, NULL, 'r'},
		{"allow-dirty", no_argument, NULL, 'D'},
		{"allow-outside", no_argument, NULL, OPT_ALLOW_OUTSIDE},
		{"sigstore-out", required_argument, NULL, OPT_SIGSTORE_OUT},
		{"compress", required_argument, NULL, OPT_COMPRESS},
		{"jobs", required_argument, NULL, 'j'},
		{"progress", no_argument, NULL, OPT_PROGRESS},
		{"json", no_argument, NULL, OPT_JSON},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, "o:k:j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->o.output = optarg;
			break;
		case 'k':
			if (!cmd_list_add(&a->keys, &a->o.nkeys, optarg))
				return cmd_nomem();
			break;
		case 'H':
			a->o.hash = optarg;
			break;
		case 'r':
			a->o.require = optarg;
			break;
		case 'D':
			a->o.allow_dirty = 1;
			break;
		case OPT_ALLOW_OUTSIDE:
			a->o.allow_outside = 1;
			break;
		case OPT_COMPRESS:
			a->o.compress = optarg;
			break;
		case OPT_SIGSTORE_OUT:
			a->o.sigstore_out = optarg;
			break;
		case 'j':
			if (cmd_parse_jobs("build", optarg, &a->o.jobs) != 0)
				return EXIT_USAGE;
			break;
		case OPT_PROGRESS:
			a->plain = true;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return cmd_usage_error("build", "unknown or incomplete option");
		}
	}
	if (cmd_one_operand("build", argc, optind, "MANIFEST") != 0)
		return EXIT_USAGE;
	return check_options(&a->o, a->json);
}

static int run(const char *manifest, struct build_args *a)
{
	struct ospack_build_result *res = NULL;
	struct ospack_manifest *m = NULL;
	struct ospack_ctx *ctx = cmd_ctx();
	struct cmd_progress progress;
	const char *pass = getenv("OSPACK_KEY_PASSWORD");
	ospack_error rc;
	int status = 0;

	a->o.keys = a->keys;
	a->o.key_password = pass != NULL && pass[0] != '\0' ? pass : NULL;
	/* Nobody will see the archive's digest: spare the second hashing pass. */
	a->o.no_digest = a->quiet && !a->json;
	a->o.tmpdir = cmd_tmpdir();
	if (cmd_progress_init(&progress, a->quiet, a->plain)) {
		a->o.progress = cmd_progress;
		a->o.progress_arg = &progress;
	}
	cmd_signals();
	rc = ospack_manifest_load(ctx, manifest, &m);
	if (rc == OSPACK_OK)
		rc = ospack_build(ctx, m, &a->o, &res);
	cmd_progress_end(&progress);
	if (rc != OSPACK_OK)
		status = cmd_fail(ctx, rc);
	else if (a->json)
		printf("%s\n", res->json);
	else if (!a->quiet)
		print_summary(res, strcmp(res->output, "-") == 0 ? stderr : stdout);
	ospack_build_result_free(res);
	ospack_manifest_free(m);
	ospack_ctx_free(ctx);
	return status;
}

int cmd_build(int argc, char **argv)
{
	struct build_args a = {.o = {.mtime = -1}};
	int status = parse_args(argc, argv, &a);

	if (status == 0)
		status = parse_sde(&a.o.mtime);
	if (status == 0)
		status = run(argv[optind], &a);
	free(a.keys);
	return status < 0 ? 0 : status;
}
