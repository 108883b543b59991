/* SPDX-License-Identifier: Apache-2.0 */
/* ospack keygen: make a signing key pair. */
#include "config.h"

#include <getopt.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
	"usage: ospack keygen [-t ed25519|ecdsa-p256] -o PREFIX\n"
	"\n"
	"Writes PREFIX.key, the private key (PKCS#8 PEM, mode 0600, unencrypted), and\n"
	"PREFIX.pub, the public key to give to verifiers (SubjectPublicKeyInfo PEM).\n"
	"Never overwrites a file. Prints the key id: the SHA-256 of the DER public key.\n"
	"\n"
	"  -t, --type TYPE    ed25519 (default) or ecdsa-p256\n"
	"  -o, --output PREFIX  where to write the two files\n"
	"  -h, --help         show this help\n"
	"\n"
	"Exit status: 0 written, 2 usage error, 4 a file exists or cannot be written.\n";

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {{"type", required_argument, NULL, 't'},
						 {"output", required_argument, NULL, 'o'},
						 {"help", no_argument, NULL, 'h'},
						 {NULL, 0, NULL, 0}};
	const char *type = ospack_key_type_name(0), *prefix = NULL;
	struct ospack_ctx *ctx;
	char keyid[65];
	ospack_error rc;
	int c, i, status;

	while ((c = getopt_long(argc, argv, "t:o:h", longopts, NULL)) != -1) {
		if (c == 't')
			type = optarg;
		else if (c == 'o')
			prefix = optarg;
		else if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		} else
			return cmd_usage_error("keygen", "unknown or incomplete option");
	}
	if (optind != argc)
		return cmd_usage_error("keygen", "unexpected argument '%s'", argv[optind]);
	if (prefix == NULL)
		return cmd_usage_error("keygen", "-o PREFIX is required");
	for (i = 0; ospack_key_type_name(i) != NULL; i++)
		if (strcmp(type, ospack_key_type_name(i)) == 0)
			break;
	if (ospack_key_type_name(i) == NULL)
		return cmd_usage_error("keygen", "-t: '%s' is not %s", type,
				       cmd_one_of(ospack_key_type_name));
	ctx = cmd_ctx();
	rc = ospack_keygen(ctx, type, prefix, keyid);
	if (rc != OSPACK_OK) {
		status = cmd_fail(ctx, rc);
	} else {
		printf("%s\n", keyid);
		fprintf(stderr, "wrote %s.key (keep it secret) and %s.pub (%s)\n", prefix, prefix,
			type);
		status = 0;
	}
	ospack_ctx_free(ctx);
	return status;
}
