/* SPDX-License-Identifier: Apache-2.0 */
/* ospack: dispatch to one command. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{"build", cmd_build, "hash, bundle and sign a release described by a manifest"},
	{"check", cmd_check, "validate a manifest and report how open the release is"},
	{"verify", cmd_verify, "check a bundle is intact, complete, signed; or any BagIt bag"},
	{"extract", cmd_extract, "verify a bundle and unpack it into an empty folder"},
	{"fetch", cmd_fetch, "download the files fetch.txt names into an unpacked bundle"},
	{"inspect", cmd_inspect, "show what a bundle holds, without extracting it"},
	{"push", cmd_push, "publish a bundle to an OCI registry or an OCI image layout"},
	{"pull", cmd_pull, "fetch a release from a registry, verified blob by blob"},
	{"ls", cmd_ls, "show what a release in a registry holds, without its payload"},
	{"diff", cmd_diff, "show what changed between two releases (exit 1 when they differ)"},
	{"keygen", cmd_keygen, "make a signing key pair"},
	{"init", cmd_init, "scaffold a manifest from what a folder holds, never overwriting"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: ospack COMMAND [ARGS]\n\n"
		     "Packages an open AI release into one signed, reproducible BagIt tar bundle,\n"
		     "verifies such bundles, and reports how open a release is.\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'ospack help COMMAND' or 'ospack COMMAND --help' tells more. 'ospack "
		     "--version'\n"
		     "prints the version.\n");
}

int main(int argc, char **argv)
{
	/* libarchive needs a UTF-8 character type for non-ASCII names. */
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "C.utf8");
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("ospack %s\n", ospack_version());
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 && argc == 3) {
		char help[] = "--help", *args[] = {argv[2], help, NULL};

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[2], commands[i].name) == 0)
				return commands[i].fn(2, args);
		fprintf(stderr, "ospack help: '%s' is not a command\n", argv[2]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 && argc > 3) {
		fprintf(stderr, "ospack help: one command at most\n");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "ospack: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
