/* SPDX-License-Identifier: Apache-2.0 */
/* Compressed bundles read as the tar they hold: libarchive's raw format and filters. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "decompress.h"
#include "verify/plain.h"

#define UNZIP_BUF (1024 * 1024)

struct osp_unzip {
	pthread_t thread;
	int in;	 /* the compressed stream, closed at the end unless standard input */
	int out; /* the pipe's write end, closed by the thread when it ends */
	int err; /* 0; or a read or decompression fault, described by msg */
	char msg[512];
};

bool osp_compressed(int fd)
{
	unsigned char b[4];
	size_t n = osp_peek(fd, b, sizeof(b));

	return (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
	       (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd);
}

/*
 * Decompresses in into out until the stream's end. Returns 0; EPIPE when out's
 * reader went away (not a fault: it stopped reading); -1 with msg for a stream
 * that does not decompress; or the errno of a failed write.
 */
static int pump(int in, int out, char *msg, size_t msglen)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char *buf = malloc(UNZIP_BUF);
	int rc = 0;

	if (a == NULL || buf == NULL) {
		snprintf(msg, msglen, "out of memory");
		rc = -1;
		goto done;
	}
	if (archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(a) != ARCHIVE_OK ||
	    archive_read_open_fd(a, in, UNZIP_BUF) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		snprintf(msg, msglen, "%s",
			 archive_error_string(a) ? archive_error_string(a) : "unknown error");
		rc = -1;
		goto done;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, UNZIP_BUF);
		const char *p = buf;

		if (n == 0)
			break;
		if (n < 0) {
			snprintf(msg, msglen, "%s",
				 archive_error_string(a) ? archive_error_string(a)
							 : "unknown error");
			rc = -1;
			goto done;
		}
		while (n > 0) {
			ssize_t k = write(out, p, (size_t)n);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = errno;
				goto done;
			}
			p += k;
			n -= k;
		}
	}
done:
	if (a != NULL)
		archive_read_free(a);
	free(buf);
	return rc;
}

static void *unzip_main(void *arg)
{
	struct osp_unzip *z = arg;
	sigset_t pipe_sig;
	int rc;

	/* A reader that stops early closes the pipe: the write fails with EPIPE, and the
	 * SIGPIPE it raises stays pending on this thread, which then ends. */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	rc = pump(z->in, z->out, z->msg, sizeof(z->msg));
	if (rc > 0 && rc != EPIPE)
		snprintf(z->msg, sizeof(z->msg), "%s", strerror(rc));
	z->err = rc == EPIPE ? 0 : rc;
	close(z->out);
	return NULL;
}

ospack_error osp_unzip_start(struct ospack_ctx *ctx, int fd, int *tar_fd, struct osp_unzip **out)
{
	struct osp_unzip *z = calloc(1, sizeof(*z));
	int p[2];
	int e;

	*tar_fd = -1;
	*out = NULL;
	if (z == NULL) {
		if (fd > STDIN_FILENO)
			close(fd);
		return osp_nomem(ctx);
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		e = errno;
		if (fd > STDIN_FILENO)
			close(fd);
		free(z);
		return osp_errno(ctx, e, "cannot make a pipe for", "the decompressed bundle");
	}
	/* As for standard input: a larger pipe lets the two threads overlap. */
	fcntl(p[1], F_SETPIPE_SZ, UNZIP_BUF);
	z->in = fd;
	z->out = p[1];
	e = pthread_create(&z->thread, NULL, unzip_main, z);
	if (e != 0) {
		if (fd > STDIN_FILENO)
			close(fd);
		close(p[0]);
		close(p[1]);
		free(z);
		return osp_errno(ctx, e, "cannot start a thread for", "decompressing");
	}
	*tar_fd = p[0];
	*out = z;
	return OSPACK_OK;
}

ospack_error osp_unzip_finish(struct ospack_ctx *ctx, struct osp_unzip *z, int tar_fd,
			      ospack_error rc)
{
	if (tar_fd >= 0)
		close(tar_fd);
	if (z == NULL)
		return rc;
	pthread_join(z->thread, NULL);
	if (z->in > STDIN_FILENO)
		close(z->in);
	if (z->err != 0)
		rc = osp_error(ctx, OSPACK_EREJECT, "cannot decompress the bundle: %s", z->msg);
	free(z);
	return rc;
}

ospack_error osp_unzip_to_temp(struct ospack_ctx *ctx, int *fd, const char *tmpdir)
{
	const char *dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
	char *path = osp_asprintf("%s/ospack-unz.XXXXXX", dir);
	char msg[512] = "";
	ospack_error rc = OSPACK_OK;
	int tfd = -1, e;

	if (path == NULL)
		rc = osp_nomem(ctx);
	else if ((tfd = mkostemp(path, O_CLOEXEC)) < 0)
		rc = osp_errno(ctx, errno, "cannot create a temporary file in", dir);
	else
		unlink(path);
	if (rc == OSPACK_OK && (e = pump(*fd, tfd, msg, sizeof(msg))) != 0)
		rc = e < 0 ? osp_error(ctx, OSPACK_EREJECT, "cannot decompress the bundle: %s", msg)
			   : osp_errno(ctx, e, "cannot write a temporary file in", dir);
	if (rc == OSPACK_OK && lseek(tfd, 0, SEEK_SET) != 0)
		rc = osp_errno(ctx, errno, "cannot read a temporary file in", dir);
	if (rc != OSPACK_OK && tfd >= 0) {
		close(tfd);
		tfd = -1;
	}
	if (*fd > STDIN_FILENO)
		close(*fd);
	*fd = tfd;
	free(path);
	return rc;
}
