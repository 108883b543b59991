/* SPDX-License-Identifier: Apache-2.0 */
/* Feeding bytes to the verifier as `ospack verify -` reads them: through a pipe. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "stream.h"
#include "verify/verifier.h"

/* Writes all of data into a new pipe and returns its read end, the write end closed. */
static int pipe_with(const uint8_t *data, size_t size)
{
	int p[2];
	size_t done = 0;

	if (pipe2(p, O_CLOEXEC) != 0)
		abort();
	if (fcntl(p[1], F_SETPIPE_SZ, FUZZ_STREAM_MAX) < FUZZ_STREAM_MAX)
		abort();
	while (done < size) {
		ssize_t w = write(p[1], data + done, size - done);

		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	close(p[1]);
	return p[0];
}

int fuzz_verify_stream(struct ospack_ctx *ctx, const uint8_t *data, size_t size,
		       const char *const *key_specs, size_t n)
{
	struct ospack_verify_opts opts = {.keys = key_specs, .nkeys = n, .jobs = 1};
	struct osp_verifier *v = NULL;
	struct osp_key **keys = NULL;
	int fd;
	ospack_error rc;

	if (size > FUZZ_STREAM_MAX)
		return OSPACK_EUSAGE;
	fd = pipe_with(data, size);
	rc = osp_load_trusted(ctx, key_specs, n, &keys);
	if (rc != OSPACK_OK)
		abort(); /* the committed test key must load */
	rc = osp_verifier_new(ctx, keys, n, false, &opts, &v);
	if (rc == OSPACK_OK)
		rc = osp_read_archive(ctx, fd, v, NULL);
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(v);
	if (rc == OSPACK_OK) {
		struct ospack_verify_result *r = osp_verifier_result(v);

		if (r == NULL || r->bag == NULL || r->json == NULL)
			abort();
		ospack_verify_result_free(r);
	} else if (ospack_ctx_message(ctx)[0] == '\0') {
		abort(); /* every rejection says why */
	}
	osp_verifier_free(v);
	osp_free_keys(keys, n);
	close(fd);
	return rc;
}
