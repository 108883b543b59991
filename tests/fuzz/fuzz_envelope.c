/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the DSSE envelope and the in-toto statement inside it. The seed
 * bundle is rebuilt with the input as its envelope, then verified from a pipe
 * with no trusted key (so that an unsigned statement is read on) and inspected.
 * The first byte chooses what the rest is: even, the envelope's bytes; odd, the
 * statement, which the target wraps in an unsigned envelope.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "release.h"
#include "sign.h"
#include "stream.h"

struct seed_entry {
	char *path;
	unsigned mode;
	bool dir;
	char *data;
	size_t len;
};

static struct seed_entry seed[64];
static size_t nseed;
static size_t seed_bytes;

/* Reads the entries of the seed bundle once. */
static void load_seed(void)
{
	struct archive *a = archive_read_new();
	struct archive_entry *ae;

	if (a == NULL || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_filename(a, FUZZ_DIR "/bundle/seed.tar", 16384) != ARCHIVE_OK)
		abort();
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		struct seed_entry *e = &seed[nseed++];

		if (nseed > OSP_ARRAY_LEN(seed))
			abort();
		e->path = osp_strdup(archive_entry_pathname(ae));
		e->mode = archive_entry_perm(ae);
		e->dir = archive_entry_filetype(ae) == AE_IFDIR;
		e->len = (size_t)archive_entry_size(ae);
		e->data = malloc(e->len + 1);
		if (e->path == NULL || e->data == NULL ||
		    archive_read_data(a, e->data, e->len) != (la_ssize_t)e->len)
			abort();
		seed_bytes += e->len + 2048;
	}
	archive_read_free(a);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	load_seed();
	return 0;
}

static bool is_envelope(const char *path)
{
	const char *slash = strchr(path, '/');

	return slash != NULL && strcmp(slash + 1, OSP_ENVELOPE_PATH) == 0;
}

/* The seed bundle with env as its envelope, as a tar archive in memory. */
static char *make_bundle(const char *env, size_t envlen, size_t *outlen)
{
	size_t cap = seed_bytes + envlen + 65536, used = 0;
	char *buf = malloc(cap);
	struct archive *a = archive_write_new();
	struct archive_entry *ae = archive_entry_new();

	if (buf == NULL || a == NULL || ae == NULL ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
		abort();
	for (size_t i = 0; i < nseed; i++) {
		const struct seed_entry *e = &seed[i];
		bool swap = is_envelope(e->path);

		archive_entry_clear(ae);
		archive_entry_set_pathname(ae, e->path);
		archive_entry_set_filetype(ae, e->dir ? AE_IFDIR : AE_IFREG);
		archive_entry_set_perm(ae, e->mode);
		archive_entry_set_size(ae, e->dir ? 0
					   : swap ? (la_int64_t)envlen
						  : (la_int64_t)e->len);
		if (archive_write_header(a, ae) != ARCHIVE_OK)
			abort();
		if (!e->dir &&
		    archive_write_data(a, swap ? env : e->data, swap ? envlen : e->len) < 0)
			abort();
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		abort();
	archive_entry_free(ae);
	archive_write_free(a);
	*outlen = used;
	return buf;
}

/* An unsigned envelope around the statement. */
static char *wrap(const uint8_t *statement, size_t n, size_t *outlen)
{
	char *b64 = osp_base64_encode(statement, n), *out;
	json_t *env;

	if (b64 == NULL)
		abort();
	env = json_pack("{s:s, s:s, s:[]}", "payload", b64, "payloadType", OSP_PAYLOAD_TYPE,
			"signatures");
	out = env ? json_dumps(env, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (out == NULL)
		abort();
	json_decref(env);
	free(b64);
	*outlen = strlen(out);
	return out;
}

static void inspect(const char *bundle, size_t len)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	int fd = memfd_create("fuzz-bundle", MFD_CLOEXEC);
	char path[64], *text = NULL, *json = NULL;

	if (ctx == NULL || fd < 0 || write(fd, bundle, len) != (ssize_t)len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ospack_inspect(ctx, path, &text, &json) != OSPACK_OK &&
	    ospack_ctx_message(ctx)[0] == '\0')
		abort();
	free(text);
	free(json);
	close(fd);
	ospack_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ospack_ctx *ctx;
	char *env = NULL, *bundle;
	size_t envlen, len;

	if (size == 0 || size > FUZZ_STREAM_MAX / 2)
		return 0;
	if (data[0] & 1) {
		env = wrap(data + 1, size - 1, &envlen);
		bundle = make_bundle(env, envlen, &len);
	} else {
		bundle = make_bundle((const char *)data + 1, size - 1, &len);
	}
	ctx = ospack_ctx_new();
	if (ctx == NULL)
		abort();
	fuzz_verify_stream(ctx, (const uint8_t *)bundle, len, NULL, 0);
	ospack_ctx_free(ctx);
	inspect(bundle, len);
	free(bundle);
	free(env);
	return 0;
}
