/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A fault injector for tests/faults.sh, loaded with LD_PRELOAD into the ospack
 * program only (a process whose name is not ospack or lt-ospack is left alone).
 * Driven by the environment:
 *
 *   OSPACK_FAULT_WRITE=ENOSPC|EIO      make writes fail with that error,
 *   OSPACK_FAULT_WRITE_PATH=TEXT         to files whose path contains TEXT (default: any
 *                                        regular file),
 *   OSPACK_FAULT_WRITE_AFTER=N           once N bytes were written to such files (a write
 *                                        that crosses N is cut short at N), or
 *   OSPACK_FAULT_WRITE_CALL=N            on the Nth write call to such files (and after).
 *   OSPACK_FAULT_SHORT_READ=N            read() and pread() return at most N bytes.
 *   OSPACK_FAULT_VANISH=TEXT             the first file opened whose path contains TEXT:
 *   OSPACK_FAULT_VANISH_MODE=remove      is removed as it is opened (the open fails), or
 *                           |truncate    truncated to 0 bytes once opened.
 *
 * Each injected fault is told on stderr as "faultshim: ..." so a test can see it happened.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);

static bool active;
static int write_errno;
static const char *write_path, *vanish, *vanish_mode;
static long long write_after = -1, write_call = -1, short_read = -1;
static long long written, calls;
static bool vanished, told_write;

static void tell(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0 && real_write != NULL)
		real_write(STDERR_FILENO, msg,
			   (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

static long long env_num(const char *name)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtoll(s, NULL, 10) : -1;
}

__attribute__((constructor)) static void init(void)
{
	const char *s;

	real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	real_pwrite = (ssize_t(*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, "pwrite");
	real_writev = (ssize_t(*)(int, const struct iovec *, int))dlsym(RTLD_NEXT, "writev");
	real_read = (ssize_t(*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real_pread = (ssize_t(*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread");
	real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	real_openat = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	s = program_invocation_short_name;
	active = strcmp(s, "ospack") == 0 || strcmp(s, "lt-ospack") == 0;
	s = getenv("OSPACK_FAULT_WRITE");
	if (s != NULL && strcmp(s, "ENOSPC") == 0)
		write_errno = ENOSPC;
	else if (s != NULL && strcmp(s, "EIO") == 0)
		write_errno = EIO;
	write_path = getenv("OSPACK_FAULT_WRITE_PATH");
	write_after = env_num("OSPACK_FAULT_WRITE_AFTER");
	write_call = env_num("OSPACK_FAULT_WRITE_CALL");
	short_read = env_num("OSPACK_FAULT_SHORT_READ");
	vanish = getenv("OSPACK_FAULT_VANISH");
	vanish_mode = getenv("OSPACK_FAULT_VANISH_MODE");
}

static bool fd_path(int fd, char *path, size_t len)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, len - 1);
	if (n < 0)
		return false;
	path[n] = '\0';
	return true;
}

static bool write_target(int fd)
{
	char path[4096];
	struct stat st;

	if (!active || write_errno == 0)
		return false;
	if (write_path != NULL)
		return fd_path(fd, path, sizeof(path)) && strstr(path, write_path) != NULL;
	return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* How many of n bytes may go to fd: n, fewer, or -1 with errno set. */
static ssize_t allowed(int fd, size_t n)
{
	if (!write_target(fd))
		return (ssize_t)n;
	calls++;
	if ((write_call > 0 && calls >= write_call) ||
	    (write_after >= 0 && written >= write_after)) {
		if (!told_write)
			tell("faultshim: write %lld to fd %d fails: %s\n", calls, fd,
			     strerror(write_errno));
		told_write = true;
		errno = write_errno;
		return -1;
	}
	if (write_after >= 0 && written + (long long)n > write_after)
		n = (size_t)(write_after - written);
	written += (long long)n;
	return (ssize_t)n;
}

EXPORT ssize_t write(int fd, const void *p, size_t n)
{
	ssize_t k = allowed(fd, n);

	return k < 0 ? -1 : real_write(fd, p, (size_t)k);
}

EXPORT ssize_t pwrite(int fd, const void *p, size_t n, off_t off)
{
	ssize_t k = allowed(fd, n);

	return k < 0 ? -1 : real_pwrite(fd, p, (size_t)k, off);
}

EXPORT ssize_t pwrite64(int fd, const void *p, size_t n, off_t off)
{
	return pwrite(fd, p, n, off);
}

EXPORT ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	size_t total = 0;
	ssize_t k;

	for (int i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	k = allowed(fd, total);
	if (k < 0)
		return -1;
	if ((size_t)k == total)
		return real_writev(fd, iov, cnt);
	/* cut short: only the first k bytes go, as with a short writev */
	total = 0;
	for (int i = 0; i < cnt && (ssize_t)total < k; i++) {
		size_t part = iov[i].iov_len;
		ssize_t w;

		if (part > (size_t)k - total)
			part = (size_t)k - total;
		w = real_write(fd, iov[i].iov_base, part);
		if (w < 0)
			return total > 0 ? (ssize_t)total : -1;
		total += (size_t)w;
		if ((size_t)w < part)
			break;
	}
	return (ssize_t)total;
}

EXPORT ssize_t read(int fd, void *p, size_t n)
{
	if (active && short_read > 0 && n > (size_t)short_read)
		n = (size_t)short_read;
	return real_read(fd, p, n);
}

EXPORT ssize_t pread(int fd, void *p, size_t n, off_t off)
{
	if (active && short_read > 0 && n > (size_t)short_read)
		n = (size_t)short_read;
	return real_pread(fd, p, n, off);
}

EXPORT ssize_t pread64(int fd, void *p, size_t n, off_t off)
{
	return pread(fd, p, n, off);
}

/* After fd was opened: the vanishing file's turn, if it is the one. */
static int opened(int fd)
{
	char path[4096];

	if (fd < 0 || !active || vanish == NULL || vanished || !fd_path(fd, path, sizeof(path)) ||
	    strstr(path, vanish) == NULL)
		return fd;
	vanished = true;
	if (vanish_mode != NULL && strcmp(vanish_mode, "truncate") == 0) {
		tell("faultshim: truncating %s\n", path);
		if (truncate(path, 0) != 0)
			tell("faultshim: cannot truncate %s\n", path);
		return fd;
	}
	tell("faultshim: removing %s\n", path);
	close(fd);
	unlink(path);
	errno = ENOENT;
	return -1;
}

EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return opened(real_open(path, flags, mode));
}

EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return opened(real_open(path, flags, mode));
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return opened(real_openat(dirfd, path, flags, mode));
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;

		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return opened(real_openat(dirfd, path, flags, mode));
}
