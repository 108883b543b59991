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

/* Splits OSPACK_TRUSTED_KEYS into keys; the copy they point into is *buf. */
bool cmd_env_keys(const char ***keys, size_t *n, char **buf);
/* Says which trusted key signed, or plainly that no signature was checked. */
void cmd_print_trust(const struct ospack_verify_result *r);

#endif
