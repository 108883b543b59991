/* SPDX-License-Identifier: Apache-2.0 */
/* The ospack program: one function per command, sharing option parsing and output helpers. */
#ifndef OSPACK_CMD_H
#define OSPACK_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "ospack.h"

#define EXIT_USAGE 2
#define LEVELS "baseline, open-science, mof-class-3, mof-class-2 or mof-class-1"

struct cmd_common {
	bool json;
	bool quiet;
};

int cmd_build(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_extract(int argc, char **argv);

/* A context whose warnings go to stderr as "ospack: warning: ...". */
struct ospack_ctx *cmd_ctx(void);
/* Prints "ospack: <message>" and gives the exit status of rc. */
int cmd_fail(struct ospack_ctx *ctx, ospack_error rc);
/* Prints "ospack CMD: <message>" and a hint, and gives exit status 2. */
int cmd_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Installs the signal handlers that make a running operation stop and clean up. */
void cmd_signals(void);
/* Adds value to a NULL-terminated growable list; false on ENOMEM. */
bool cmd_list_add(const char ***list, size_t *n, const char *value);

/* Trusted public keys from -k, or else from OSPACK_TRUSTED_KEYS. */
struct cmd_keys {
	const char **v;
	size_t n;
	char *envbuf; /* the copy of OSPACK_TRUSTED_KEYS that v points into */
};
bool cmd_keys_add(struct cmd_keys *k, const char *key);
/* With no -k, takes OSPACK_TRUSTED_KEYS; false on ENOMEM. */
bool cmd_keys_default(struct cmd_keys *k);
void cmd_keys_free(struct cmd_keys *k);
/* Checks that exactly one operand follows the options; else a usage error (status 2). */
int cmd_one_operand(const char *cmd, int argc, int optind, const char *what);
/* Says which trusted key signed, or plainly that no signature was checked. */
void cmd_print_trust(const struct ospack_verify_result *r);

#endif
