/* SPDX-License-Identifier: Apache-2.0 */
/* Progress on stderr: one line rewritten in place on a terminal, or plain lines once a second. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"

#define NS 1000000000LL
#define TTY_INTERVAL (NS / 10)
#define PLAIN_INTERVAL NS

/* The renderer whose terminal line is on screen: a warning clears it first. */
static struct cmd_progress *shown;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

bool cmd_progress_init(struct cmd_progress *pr, bool quiet, bool forced)
{
	memset(pr, 0, sizeof(*pr));
	if (quiet)
		pr->mode = CMD_PROGRESS_NONE;
	else if (forced)
		pr->mode = CMD_PROGRESS_PLAIN;
	else if (isatty(STDERR_FILENO))
		pr->mode = CMD_PROGRESS_TTY;
	else
		pr->mode = CMD_PROGRESS_NONE;
	pr->start = now_ns();
	return pr->mode != CMD_PROGRESS_NONE;
}

/* Binary units throughout: "812 B", "1.2 GiB". */
static void human(char *buf, size_t len, double n)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%.0f B", n);
		return;
	}
	n /= 1024;
	/* Stop where "%.1f" would round up to 1024.0. */
	while (n >= 1023.95 && u + 1 < sizeof(units) / sizeof(units[0])) {
		n /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", n, units[u]);
}

/* "m:ss", or "h:mm:ss" from an hour on. */
static void duration(char *buf, size_t len, double secs)
{
	unsigned long long s = (unsigned long long)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%llu:%02llu", s / 60, s % 60);
}

/* "1.2 GiB / 4.0 GiB  3/15 files  96.0 MiB/s  ETA 0:29"; totals, rate and ETA when known. */
static void format_line(char *line, size_t len, const struct ospack_progress *p, double elapsed)
{
	char done[32], total[40] = "", files[48], rate[40] = "", tail[40] = "", tmp[32];
	double bps = elapsed > 0 ? (double)p->bytes / elapsed : 0;

	human(done, sizeof(done), (double)p->bytes);
	if (p->bytes_total > 0) {
		human(tmp, sizeof(tmp), (double)p->bytes_total);
		snprintf(total, sizeof(total), " / %s", tmp);
	}
	if (p->files_total > 0)
		snprintf(files, sizeof(files), "%llu/%llu files", (unsigned long long)p->files,
			 (unsigned long long)p->files_total);
	else
		snprintf(files, sizeof(files), "%llu file%s", (unsigned long long)p->files,
			 p->files == 1 ? "" : "s");
	if (bps > 0) {
		human(tmp, sizeof(tmp), bps);
		snprintf(rate, sizeof(rate), "  %s/s", tmp);
	}
	if (p->done) {
		duration(tmp, sizeof(tmp), elapsed);
		snprintf(tail, sizeof(tail), "  done in %s", tmp);
	} else if (p->bytes_total > 0 && bps > 0 && p->bytes <= p->bytes_total) {
		double eta = (double)(p->bytes_total - p->bytes) / bps;

		if (eta < 100 * 3600)
			duration(tmp, sizeof(tmp), eta);
		snprintf(tail, sizeof(tail), "  ETA %s", eta < 100 * 3600 ? tmp : ">99h");
	}
	snprintf(line, len, "%s%s  %s%s%s", done, total, files, rate, tail);
}

static void render(struct cmd_progress *pr, const struct ospack_progress *p, int64_t now)
{
	char line[192], out[208];

	format_line(line, sizeof(line), p, (double)(now - pr->start) / NS);
	if (pr->mode == CMD_PROGRESS_TTY)
		snprintf(out, sizeof(out), "\r%s\033[K%s", line, p->done ? "\n" : "");
	else
		snprintf(out, sizeof(out), "%s\n", line);
	/* One write per line: stderr is unbuffered. */
	fputs(out, stderr);
	shown = pr->mode == CMD_PROGRESS_TTY && !p->done ? pr : NULL;
}

void cmd_progress(void *arg, const struct ospack_progress *p)
{
	struct cmd_progress *pr = arg;
	int64_t now;

	if (pr->finished)
		return;
	now = now_ns();
	if (!p->done && now < pr->next)
		return;
	pr->next = now + (pr->mode == CMD_PROGRESS_TTY ? TTY_INTERVAL : PLAIN_INTERVAL);
	pr->finished = p->done != 0;
	render(pr, p, now);
}

void cmd_progress_end(struct cmd_progress *pr)
{
	if (shown == pr) {
		fputs("\n", stderr);
		shown = NULL;
	}
	pr->finished = true;
}

void cmd_progress_clear(void)
{
	if (shown == NULL)
		return;
	fputs("\r\033[K", stderr);
	/* The next update draws the line again, whenever it comes. */
	shown->next = 0;
	shown = NULL;
}
