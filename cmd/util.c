/* SPDX-License-Identifier: Apache-2.0 */
/* What the commands share: error printing, warnings and signal handling. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"

/*
 * The library describes a problem without naming the command line's flags or
 * environment variables; these hints add them, after the library's message.
 */
static const struct {
	const char *match, *hint;
} hints[] = {
	{"the key is encrypted, and no passphrase was given", "set OSPACK_KEY_PASSWORD"},
	{"sha512: required for a bag whose manifests use sha512", "--hash sha512"},
	{"outside the manifest's folder, and the build does not allow that",
	 "--allow-outside allows it"},
	{"outside the manifest's folder; a build refuses it unless allowed",
	 "ospack build --allow-outside allows it"},
	{"or accept a dirty tree)", "--allow-dirty"},
};

static void print_message(const char *prefix, const char *message)
{
	const char *hint = NULL;

	for (size_t i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strstr(message, hints[i].match) != NULL)
			hint = hints[i].hint;
	if (hint != NULL)
		fprintf(stderr, "ospack: %s%s (%s)\n", prefix, message, hint);
	else
		fprintf(stderr, "ospack: %s%s\n", prefix, message);
}

static void on_warning(void *arg, const char *message)
{
	(void)arg;
	cmd_progress_clear();
	print_message("warning: ", message);
}

struct ospack_ctx *cmd_ctx(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	if (ctx == NULL)
		exit(cmd_nomem());
	ospack_ctx_set_warn(ctx, on_warning, NULL);
	return ctx;
}

const char *cmd_one_of(const char *(*name)(int))
{
	static char list[256];
	size_t n = 0;

	list[0] = '\0';
	for (int i = 0; name(i) != NULL && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
				      i == 0		    ? ""
				      : name(i + 1) == NULL ? " or "
							    : ", ",
				      name(i));
	return list;
}

int cmd_nomem(void)
{
	cmd_progress_clear();
	fprintf(stderr, "ospack: out of memory\n");
	return ospack_exit_status(OSPACK_ENOMEM);
}

void cmd_put_printable(const char *s, FILE *out)
{
	char *p = ospack_printable(s);

	/* Without memory for the copy, nothing untrusted is shown at all. */
	fputs(p != NULL ? p : "?", out);
	ospack_free(p);
}

int cmd_fail(struct ospack_ctx *ctx, ospack_error rc)
{
	cmd_progress_clear();
	print_message("", ospack_ctx_message(ctx));
	return ospack_exit_status(rc);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ospack %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'ospack %s --help'.\n", cmd);
	return EXIT_USAGE;
}

static void on_signal(int sig)
{
	(void)sig;
	ospack_interrupt();
}

void cmd_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or write returns so the work can stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

bool cmd_list_add(const char ***list, size_t *n, const char *value)
{
	const char **v = realloc(*list, (*n + 2) * sizeof(*v));

	if (v == NULL)
		return false;
	v[(*n)++] = value;
	v[*n] = NULL;
	*list = v;
	return true;
}

bool cmd_keys_add(struct cmd_keys *k, const char *key)
{
	return cmd_list_add(&k->v, &k->n, key);
}

bool cmd_keys_default(struct cmd_keys *k)
{
	const char *env = getenv("OSPACK_TRUSTED_KEYS");

	if (k->n > 0 || env == NULL || env[0] == '\0')
		return true;
	k->envbuf = strdup(env);
	if (k->envbuf == NULL)
		return false;
	for (char *p = k->envbuf, *next; p != NULL; p = next) {
		next = strchr(p, ':');
		if (next != NULL)
			*next++ = '\0';
		if (p[0] != '\0' && !cmd_keys_add(k, p))
			return false;
	}
	return true;
}

void cmd_keys_free(struct cmd_keys *k)
{
	free(k->v);
	free(k->envbuf);
}

int cmd_one_operand(const char *cmd, int argc, int optind, const char *what)
{
	if (optind == argc - 1)
		return 0;
	return cmd_usage_error(cmd, optind == argc ? "a %s is required" : "exactly one %s, please",
			       what);
}

int cmd_parse_jobs(const char *cmd, const char *arg, unsigned *jobs)
{
	unsigned long v = 0;

	/* Digits only: strtoul would take a sign, spaces, or nothing at all. */
	if (arg[0] != '\0' && strspn(arg, "0123456789") == strlen(arg))
		v = strtoul(arg, NULL, 10);
	if (v < 1 || v > JOBS_MAX)
		return cmd_usage_error(cmd, "-j/--jobs: '%s' is not a number from 1 to %d", arg,
				       JOBS_MAX);
	*jobs = (unsigned)v;
	return 0;
}

const char *cmd_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t != NULL && t[0] != '\0' ? t : NULL;
}

void cmd_print_trust(const struct ospack_verify_result *r)
{
	if (r->authenticated) {
		for (size_t i = 0; i < r->nsignatures; i++)
			if (r->signatures[i].trusted)
				printf("signed by trusted key %s\n", r->signatures[i].keyid);
		return;
	}
	if (r->nleft_out > 0)
		printf("warning: no signature was checked against a trusted key: the files that "
		       "are\n"
		       "here are intact as the statement says, but nothing shows who made them "
		       "(use\n"
		       "--key).\n");
	else
		printf("warning: no signature was checked against a trusted key: the contents are "
		       "intact\n"
		       "and complete as the statement says, but nothing shows who made it (use "
		       "--key).\n");
	for (size_t i = 0; i < r->nsignatures; i++)
		printf("the bundle claims a signature by key %s (not checked)\n",
		       r->signatures[i].keyid[0] ? r->signatures[i].keyid : "(no key id)");
}

void cmd_print_json_error(struct ospack_ctx *ctx, const char *file, int status)
{
	json_t *j = json_pack("{s:b, s:s, s:s, s:i}", "ok", 0, "error", ospack_ctx_message(ctx),
			      "file", file, "exit", status);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(j);
}
