/* SPDX-License-Identifier: Apache-2.0 */
/* ospack: dispatch to one command. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ospack %s\n", ospack_version());
		return 0;
	}
	fprintf(stderr, "usage: ospack COMMAND [ARGS]\n");
	return 2;
}
