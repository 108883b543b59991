/* SPDX-License-Identifier: Apache-2.0 */
/* ospack check: is the manifest valid, and how open is the release it describes? */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack check MANIFEST [--require LEVEL] [--allow-dirty] [--json]\n"
	"       ospack check --mof FILE.yml [--json]\n"
	"\n"
	"Validates a manifest and its sources as 'ospack build' would, without reading or\n"
	"writing any file, and reports how open the release is: each Model Openness\n"
	"Framework component with its entries and license, and which levels it meets:\n"
	"\n"
	"  baseline      final weights and the code to run them (inference or\n"
	"                architecture) under permissive licenses, and a model card\n"
	"  open-science  the baseline plus training data, training and preprocessing\n"
	"                code, intermediate checkpoints, evaluation code and results and\n"
	"                a paper or technical report, all under open licenses\n"
	"  mof-class-3   MOF Class III, Open Model\n"
	"  mof-class-2   MOF Class II, Open Tooling Model\n"
	"  mof-class-1   MOF Class I, Open Science Model\n"
	"\n"
	"  --require LEVEL   exit 1 unless the release reaches LEVEL, saying what is missing\n"
	"  --allow-dirty     accept uncommitted changes in a git source used at HEAD\n"
	"  --mof FILE.yml    evaluate a Model Openness Tool model file instead\n"
	"  --json            print the report as one JSON object\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status: 0 valid (and LEVEL reached), 1 LEVEL not reached, 2 usage error,\n"
	"3 invalid manifest or model file, 4 system or I/O error.\n";

static int check_mof(const char *path, bool json)
{
	struct ospack_ctx *ctx = cmd_ctx();
	char *text = NULL, *js = NULL;
	ospack_error rc = ospack_check_mof(ctx, path, json ? NULL : &text, json ? &js : NULL);
	int status = 0;

	if (rc != OSPACK_OK)
		status = cmd_fail(ctx, rc);
	else if (json)
		printf("%s\n", js);
	else
		fputs(text, stdout);
	ospack_free(text);
	ospack_free(js);
	ospack_ctx_free(ctx);
	return status;
}

static int check_manifest(const char *path, const char *require, bool dirty, bool json)
{
	struct ospack_ctx *ctx = cmd_ctx();
	struct ospack_manifest *m = NULL;
	char *text = NULL, *js = NULL;
	ospack_error rc = ospack_manifest_load(ctx, path, &m);
	int status;

	if (rc == OSPACK_OK)
		rc = ospack_check(ctx, m, require, dirty, json ? NULL : &text, json ? &js : NULL);
	if (json && js != NULL)
		printf("%s\n", js);
	else if (text != NULL)
		fputs(text, stdout);
	status = rc == OSPACK_OK ? 0 : cmd_fail(ctx, rc);
	ospack_free(text);
	ospack_free(js);
	ospack_manifest_free(m);
	ospack_ctx_free(ctx);
	return status;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"require", required_argument, NULL, 'r'}, {"mof", required_argument, NULL, 'm'},
		{"allow-dirty", no_argument, NULL, 'D'},   {"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},	   {NULL, 0, NULL, 0}};
	const char *require = NULL, *mof = NULL;
	bool json = false, dirty = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'r')
			require = optarg;
		else if (c == 'm')
			mof = optarg;
		else if (c == 'D')
			dirty = true;
		else if (c == 'j')
			json = true;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("check", "unknown or incomplete option");
	}
	if (mof != NULL) {
		if (optind != argc)
			return cmd_usage_error("check", "--mof takes no MANIFEST");
		if (require != NULL || dirty)
			return cmd_usage_error("check",
					       "--require and --allow-dirty are for manifests");
		return check_mof(mof, json);
	}
	if (require != NULL && !ospack_level_known(require))
		return cmd_usage_error("check", "--require: '%s' is not %s", require, LEVELS);
	if (optind != argc - 1)
		return cmd_usage_error("check", optind == argc
							? "a MANIFEST (or --mof FILE) is required"
							: "exactly one MANIFEST, please");
	return check_manifest(argv[optind], require, dirty, json);
}
