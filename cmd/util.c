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
