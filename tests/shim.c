/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An LD_PRELOAD library for the tests: it makes happen, at an exact point of a
 * run, what would otherwise take luck or timing. Each is asked for through the
 * environment of the test run only; ospack itself has no test hooks.
 *
 *   OSPSHIM_SWAP=DIR|OTHER  right after the first successful open or opendir of
 *                           the path DIR, renames DIR to DIR.orig and puts a
 *                           symbolic link to OTHER in its place
 *   OSPSHIM_FSTAT_FAIL=PATH fstat of the descriptor that opened PATH fails (EIO);
 *                           a later close of a descriptor that is not open is
 *                           reported on stderr as "ospshim: double close"
 *   OSPSHIM_FAIL_REALLOC=1  every realloc fails (ENOMEM)
 *   OSPSHIM_PAUSE_AT=CALL   at the first fsync or renameat (CALL), writes "paused"
 *   OSPSHIM_PAUSE_FIFO=PATH to the FIFO PATH and then waits forever, to be killed
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail_fd = -1;

/* Only ospack itself is meddled with, not the libtool wrapper script that starts it. */
static int is_ospack(void)
{
	return strstr(program_invocation_short_name, "ospack") != NULL;
}
static int swapped;

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static void after_open(const char *path, int fd)
{
	const char *swap = getenv("OSPSHIM_SWAP"), *fail = getenv("OSPSHIM_FSTAT_FAIL");
	char dir[4096], orig[4200];
	const char *bar;

	if (fd < 0 || !is_ospack())
		return;
	if (fail != NULL && strcmp(path, fail) == 0)
		fail_fd = fd;
	if (swap == NULL || swapped || (bar = strchr(swap, '|')) == NULL ||
	    (size_t)(bar - swap) >= sizeof(dir))
		return;
	memcpy(dir, swap, (size_t)(bar - swap));
	dir[bar - swap] = '\0';
	if (strcmp(path, dir) != 0)
		return;
	swapped = 1;
	snprintf(orig, sizeof(orig), "%s.orig", dir);
	if (rename(dir, orig) != 0 || symlink(bar + 1, dir) != 0) {
		perror("ospshim: swap");
		abort();
	}
}

static void maybe_pause(const char *call)
{
	const char *at = getenv("OSPSHIM_PAUSE_AT"), *fifo = getenv("OSPSHIM_PAUSE_FIFO");
	int fd;

	if (at == NULL || fifo == NULL || strcmp(at, call) != 0 || !is_ospack())
		return;
	fd = open(fifo, O_WRONLY);
	if (fd < 0 || write(fd, "paused\n", 7) != 7) {
		perror("ospshim: pause");
		abort();
	}
	close(fd);
	for (;;)
		pause();
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = REAL(open)(path, flags, mode);
	after_open(path, fd);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd;

	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	fd = REAL(open64)(path, flags, mode);
	after_open(path, fd);
	return fd;
}

DIR *opendir(const char *path)
{
	DIR *d = REAL(opendir)(path);

	if (d != NULL)
		after_open(path, dirfd(d));
	return d;
}

int fstat(int fd, struct stat *st)
{
	if (fd >= 0 && fd == fail_fd) {
		fail_fd = -1;
		errno = EIO;
		return -1;
	}
	return REAL(fstat)(fd, st);
}

int fstat64(int fd, struct stat64 *st)
{
	if (fd >= 0 && fd == fail_fd) {
		fail_fd = -1;
		errno = EIO;
		return -1;
	}
	return REAL(fstat64)(fd, st);
}

int close(int fd)
{
	int r = REAL(close)(fd);

	if (r != 0 && errno == EBADF && getenv("OSPSHIM_FSTAT_FAIL") != NULL && is_ospack())
		fprintf(stderr, "ospshim: double close of descriptor %d\n", fd);
	return r;
}

void *realloc(void *p, size_t n)
{
	static __typeof__(&realloc) real;
	const char *fail = getenv("OSPSHIM_FAIL_REALLOC");

	if (fail != NULL && fail[0] == '1' && is_ospack()) {
		errno = ENOMEM;
		return NULL;
	}
	if (real == NULL)
		real = REAL(realloc);
	return real(p, n);
}

int fsync(int fd)
{
	maybe_pause("fsync");
	return REAL(fsync)(fd);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	maybe_pause("renameat");
	return REAL(renameat)(olddirfd, oldpath, newdirfd, newpath);
}
