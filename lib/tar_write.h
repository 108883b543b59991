/* SPDX-License-Identifier: Apache-2.0 */
/* The archive writer: a reproducible restricted-pax tar stream through libarchive. */
#ifndef OSP_AWRITE_H
#define OSP_AWRITE_H

#include "common.h"

struct osp_awriter;

/*
 * Writes to fd; every entry gets mtime, uid/gid 0 and no owner names. With
 * digest, the SHA-256 of all the output is computed beside the writing.
 */
ospack_error osp_awriter_open(struct ospack_ctx *ctx, int fd, int64_t mtime, bool digest,
			      struct osp_awriter **out);
/* Compression of the output; the digest and byte count stay those of the tar. */
enum osp_compress_kind { OSP_COMPRESS_NONE, OSP_COMPRESS_ZSTD, OSP_COMPRESS_GZIP };
struct osp_compress {
	enum osp_compress_kind kind;
	int level; /* zstd 1-19 (3), gzip 1-9 (6) */
};
/*
 * spec ("zstd[:L]", "gzip[:L]", "none", or NULL: what output's name says, .tar.zst
 * or .tar.gz, else none) into z; a bad spec, or one output's name contradicts
 * (output "-" or NULL contradicts nothing), is OSPACK_EUSAGE.
 */
ospack_error osp_compress_parse(struct ospack_ctx *ctx, const char *spec, const char *output,
				struct osp_compress *z);
/* osp_awriter_open, the output compressed as z says (z NULL: none). */
ospack_error osp_awriter_open_z(struct ospack_ctx *ctx, int fd, int64_t mtime, bool digest,
				const struct osp_compress *z, struct osp_awriter **out);
/* The same, its output given to sink (whose failure is on ctx already) instead of an fd. */
ospack_error osp_awriter_open_cb(struct ospack_ctx *ctx,
				 ospack_error (*sink)(void *arg, const void *p, size_t n),
				 void *arg, int64_t mtime, struct osp_awriter **out);
/* Names the output in write errors; name is borrowed and must outlive w. */
void osp_awriter_set_name(struct osp_awriter *w, const char *name);
/* A folder entry; path without the trailing slash. Mode 0755. */
ospack_error osp_awriter_dir(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path);
ospack_error osp_awriter_begin(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path,
			       uint64_t size, unsigned mode);
ospack_error osp_awriter_data(struct ospack_ctx *ctx, struct osp_awriter *w, const void *p,
			      size_t n);
/* A whole file from memory, mode 0644. */
ospack_error osp_awriter_file(struct ospack_ctx *ctx, struct osp_awriter *w, const char *path,
			      const void *p, size_t n);
/* Ends the archive; gives the size of every byte written and, if asked for, their SHA-256. */
ospack_error osp_awriter_finish(struct ospack_ctx *ctx, struct osp_awriter *w,
				unsigned char sha256[32], uint64_t *bytes);
void osp_awriter_free(struct osp_awriter *w);

/* Runs with a UTF-8 LC_CTYPE on this thread, as libarchive's name handling needs. */
struct osp_locale;
struct osp_locale *osp_locale_utf8_push(void);
void osp_locale_pop(struct osp_locale *l);

/*
 * Names as the archive stores them: a UTF-8 name with a byte >= 0x80 gets the form
 * libarchive gives it (its canonical composition: NFC for a name in NFC or NFD);
 * other names stay as they are. Runs with a UTF-8 LC_CTYPE on this thread from
 * new to free, which must nest with the other locale pushes.
 */
struct osp_tarname;
struct osp_tarname *osp_tarname_new(void); /* NULL on ENOMEM */
/* name itself, or the stored form (valid until the next call); NULL if libarchive fails. */
const char *osp_tarname_get(struct osp_tarname *t, const char *name);
void osp_tarname_free(struct osp_tarname *t);

#endif
