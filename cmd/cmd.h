/* SPDX-License-Identifier: Apache-2.0 */
/* The ospack program: one function per command, sharing option parsing and output helpers. */
#ifndef OSPACK_CMD_H
#define OSPACK_CMD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ospack.h"

#define EXIT_USAGE 2

struct cmd_common {
	bool json;
	bool quiet;
};

/* getopt codes of long-only options: above any character, so no short option can clash. */
/* Long options without a short letter; a command's own start at OPT_FIRST_LOCAL. */
enum { OPT_JSON = 256, OPT_PROGRESS, OPT_FETCHED, OPT_SIGSTORE_BUNDLE, OPT_FIRST_LOCAL };
#define JOBS_MAX 1024

int cmd_build(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_pull(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_init(int argc, char **argv);

/* A context whose warnings go to stderr as "ospack: warning: ...". */
struct ospack_ctx *cmd_ctx(void);
/* "a, b or c" from a library's list (ospack_level_name, ospack_key_type_name). */
const char *cmd_one_of(const char *(*name)(int));
#define LEVELS cmd_one_of(ospack_level_name)
/* Prints "ospack: out of memory" and gives its exit status, 4. */
int cmd_nomem(void);
/* Writes untrusted text (a name from a bundle) to out, control characters escaped. */
void cmd_put_printable(const char *s, FILE *out);
/* Prints "ospack: <message>" (with a hint naming a flag, where one helps) and gives the exit
 * status of rc. */
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
/* Parses the value of -j/--jobs (1 to JOBS_MAX) into *jobs; else a usage error (status 2). */
int cmd_parse_jobs(const char *cmd, const char *arg, unsigned *jobs);
/* $TMPDIR, or NULL when unset or empty: the library itself reads no environment for it. */
const char *cmd_tmpdir(void);
/* One JSON object on stdout for a failure: {"ok": false, "error", "file", "exit"}. */
void cmd_print_json_error(struct ospack_ctx *ctx, const char *file, int status);
/* Says which trusted key signed, or plainly that no signature was checked. */
void cmd_print_trust(const struct ospack_verify_result *r);

/*
 * Progress on stderr, as an ospack_progress_fn: none with -q; plain lines, one a
 * second, with --progress; else one line rewritten in place when stderr is a
 * terminal, and nothing when it is not.
 */
enum cmd_progress_mode { CMD_PROGRESS_NONE, CMD_PROGRESS_TTY, CMD_PROGRESS_PLAIN };
struct cmd_progress {
	enum cmd_progress_mode mode;
	int64_t start, next; /* CLOCK_MONOTONIC, ns: when it began, and no line before next */
	bool finished;
};
/* Picks the mode; false when nothing is to be shown (leave the callback NULL then). */
bool cmd_progress_init(struct cmd_progress *pr, bool quiet, bool forced);
/* The callback: arg is the struct cmd_progress. */
void cmd_progress(void *arg, const struct ospack_progress *p);
/* Ends a terminal line left open (the operation failed before done); no more lines after. */
void cmd_progress_end(struct cmd_progress *pr);
/* Wipes the terminal line, if one shows, so that a message can take its place. */
void cmd_progress_clear(void);

#endif
