/* SPDX-License-Identifier: Apache-2.0 */
/* What the commands share: error printing, warnings and signal handling. */
#include "config.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static void on_warning(void *arg, const char *message)
{
	(void)arg;
	fprintf(stderr, "ospack: warning: %s\n", message);
}

struct ospack_ctx *cmd_ctx(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	if (ctx == NULL) {
		fprintf(stderr, "ospack: out of memory\n");
		exit(4);
	}
	ospack_ctx_set_warn(ctx, on_warning, NULL);
	return ctx;
}

int cmd_fail(struct ospack_ctx *ctx, ospack_error rc)
{
	fprintf(stderr, "ospack: %s\n", ospack_ctx_message(ctx));
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

bool cmd_env_keys(const char ***keys, size_t *n, char **buf)
{
	const char *env = getenv("OSPACK_TRUSTED_KEYS");

	*buf = NULL;
	if (env == NULL || env[0] == '\0')
		return true;
	*buf = strdup(env);
	if (*buf == NULL)
		return false;
	for (char *p = *buf, *next; p != NULL; p = next) {
		next = strchr(p, ':');
		if (next != NULL)
			*next++ = '\0';
		if (p[0] != '\0' && !cmd_list_add(keys, n, p))
			return false;
	}
	return true;
}

void cmd_print_trust(const struct ospack_verify_result *r)
{
	if (r->authenticated) {
		for (size_t i = 0; i < r->nsignatures; i++)
			if (r->signatures[i].trusted)
				printf("signed by trusted key %s\n", r->signatures[i].keyid);
		return;
	}
	printf("warning: no signature was checked against a trusted key: the contents are intact\n"
	       "and complete as the statement says, but nothing shows who made it (use --key).\n");
	for (size_t i = 0; i < r->nsignatures; i++)
		printf("the bundle claims a signature by key %s (not checked)\n",
		       r->signatures[i].keyid[0] ? r->signatures[i].keyid : "(no key id)");
}
