/* SPDX-License-Identifier: Apache-2.0 */
/* ospack_verify: opens a bundle (file, standard input or folder) and runs the verifier over it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decompress.h"
#include "plain.h"
#include "verifier.h"
#include "vstate.h"

/* Opens a bundle archive ("-": standard input); *isdir when it is a folder. *fd is -1 after
 * a failure, and when a folder: the caller closes it only when it is above STDIN_FILENO. */
/* A compressed archive: *fd becomes the decompressed tar's pipe. */
static ospack_error maybe_unzip(struct ospack_ctx *ctx, int *fd, struct osp_unzip **unzip)
{
	int src = *fd;

	if (!osp_compressed(src))
		return OSPACK_OK;
	return osp_unzip_start(ctx, src, fd, unzip);
}

ospack_error osp_open_bundle(struct ospack_ctx *ctx, const char *input, int *fd, bool *isdir,
			     struct osp_unzip **unzip)
{
	struct stat st;

	*isdir = false;
	*unzip = NULL;
	if (strcmp(input, "-") == 0) {
		*fd = STDIN_FILENO;
		/* A larger pipe lets the writer run ahead while the reader hashes. */
		if (fstat(*fd, &st) == 0 && S_ISFIFO(st.st_mode))
			fcntl(*fd, F_SETPIPE_SZ, 1024 * 1024);
		return maybe_unzip(ctx, fd, unzip);
	}
	*fd = open(input, O_RDONLY | O_CLOEXEC);
	/* As a manifest that is not there: the same message and exit status. */
	if (*fd < 0 && errno == ENOENT)
		return osp_error(ctx, OSPACK_EINPUT, "%s: no such file", input);
	if (*fd < 0)
		return osp_errno(ctx, errno, "cannot open", input);
	if (fstat(*fd, &st) != 0) {
		int err = errno;

		close(*fd);
		*fd = -1;
		return osp_errno(ctx, err, "cannot stat", input);
	}
	if (S_ISDIR(st.st_mode)) {
		close(*fd);
		*fd = -1;
		*isdir = true;
		return OSPACK_OK;
	}
	return maybe_unzip(ctx, fd, unzip);
}

ospack_error osp_close_bundle(struct ospack_ctx *ctx, int fd, struct osp_unzip *unzip,
			      ospack_error rc)
{
	if (unzip != NULL)
		return osp_unzip_finish(ctx, unzip, fd, rc);
	if (fd > STDIN_FILENO)
		close(fd);
	return rc;
}

/* A bag without an ospack statement: the BagIt checks alone (plain_bag.c). */
static ospack_error verify_plain(struct ospack_ctx *ctx, const char *input, int fd, bool isdir,
				 const struct ospack_verify_opts *opts,
				 struct ospack_verify_result **out)
{
	const char *base;
	char *trimmed;
	size_t len;
	int dirfd;
	ospack_error rc;

	if (!isdir)
		return osp_plain_archive_verify(ctx, fd, opts, out);
	if ((trimmed = osp_strdup(input)) == NULL)
		return osp_nomem(ctx);
	len = strlen(trimmed);
	while (len > 1 && trimmed[len - 1] == '/')
		trimmed[--len] = '\0';
	base = strrchr(trimmed, '/') ? strrchr(trimmed, '/') + 1 : trimmed;
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || base[0] == '\0')
		base = "bag";
	dirfd = open(input, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		rc = osp_errno(ctx, errno, "cannot open", input);
	else
		rc = osp_plain_bag(ctx, dirfd, base, opts, out);
	if (dirfd >= 0)
		close(dirfd);
	free(trimmed);
	return rc;
}

OSPACK_API ospack_error ospack_verify(struct ospack_ctx *ctx, const char *input,
				      const struct ospack_verify_opts *opts,
				      struct ospack_verify_result **out)
{
	struct osp_key **keys = NULL;
	size_t nkeys = opts ? opts->nkeys : 0;
	struct osp_verifier *v = NULL;
	struct osp_unzip *unzip = NULL;
	bool isdir = false;
	int fd = -1;
	ospack_error rc;

	*out = NULL;
	osp_interrupt_reset();
	rc = osp_load_trusted(ctx, opts ? opts->keys : NULL, nkeys, &keys);
	if (rc == OSPACK_OK)
		rc = osp_open_bundle(ctx, input, &fd, &isdir, &unzip);
	if (rc == OSPACK_OK && (isdir ? osp_plain_folder(input) : osp_plain_archive(fd))) {
		rc = verify_plain(ctx, input, fd, isdir, opts, out);
	} else {
		if (rc == OSPACK_OK)
			rc = osp_verifier_new(ctx, keys, nkeys, isdir, opts, &v);
		if (rc == OSPACK_OK)
			rc = isdir ? osp_read_folder(ctx, input, v)
				   : osp_read_archive(ctx, fd, v, NULL);
		if (rc == OSPACK_OK)
			rc = osp_verifier_finish(v);
	}
	/* A compressed stream is good only when it decompressed to its end. */
	rc = osp_close_bundle(ctx, fd, unzip, rc);
	if (rc == OSPACK_OK && *out == NULL && (*out = osp_verifier_result(v)) == NULL)
		rc = osp_nomem(ctx);
	if (rc != OSPACK_OK && *out != NULL) {
		ospack_verify_result_free(*out);
		*out = NULL;
	}
	if (rc == OSPACK_EREJECT && input != NULL && strcmp(input, "-") != 0)
		osp_error_prefix(ctx, "%s", input);
	osp_verifier_free(v);
	osp_free_keys(keys, nkeys);
	return rc;
}

void osp_url_list_free(struct osp_url_list *l)
{
	for (size_t i = 0; l->v != NULL && i < l->n; i++) {
		free(l->v[i].url);
		free(l->v[i].path);
	}
	free(l->v);
	free(l->bag);
	memset(l, 0, sizeof(*l));
}

/* The url entries the verifier read, in fetch.txt's order, with their files' state. */
static ospack_error copy_urls(struct ospack_ctx *ctx, const struct osp_vstate *s,
			      struct osp_url_list *out)
{
	out->bag = osp_strdup(s->bag);
	out->v = calloc(s->nfetch ? s->nfetch : 1, sizeof(*out->v));
	if (out->bag == NULL || out->v == NULL)
		return osp_nomem(ctx);
	for (size_t i = 0; i < s->nfetch; i++) {
		const struct osp_vfetch *fe = &s->fetch[i];
		const struct osp_vfetch *sorted = osp_vfind_fetch(s, fe->path);
		struct osp_url_file *f = &out->v[i];

		f->url = osp_strdup(fe->url);
		f->path = osp_strdup(fe->path);
		out->n++;
		if (f->url == NULL || f->path == NULL)
			return osp_nomem(ctx);
		snprintf(f->sha256, sizeof(f->sha256), "%s", fe->sha256);
		snprintf(f->sha512, sizeof(f->sha512), "%s", fe->sha512 ? fe->sha512 : "");
		f->size = fe->size;
		f->state = sorted != NULL ? s->fstate[sorted - s->byname] : OSP_URL_ABSENT;
	}
	return OSPACK_OK;
}

ospack_error osp_verify_urls(struct ospack_ctx *ctx, const char *dir,
			     const struct ospack_verify_opts *opts, struct osp_url_list *out)
{
	struct osp_verifier *v = NULL;
	ospack_error rc;

	memset(out, 0, sizeof(*out));
	rc = osp_verifier_new(ctx, NULL, 0, true, opts, &v);
	if (rc == OSPACK_OK) {
		v->url_lenient = true;
		rc = osp_read_folder(ctx, dir, v);
	}
	if (rc == OSPACK_OK)
		rc = osp_verifier_finish(v);
	if (rc == OSPACK_OK)
		rc = copy_urls(ctx, v->st, out);
	if (rc == OSPACK_EREJECT)
		osp_error_prefix(ctx, "%s", dir);
	if (rc != OSPACK_OK)
		osp_url_list_free(out);
	osp_verifier_free(v);
	return rc;
}
