/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by every module of libospack: errors, buffers, strings. */
#ifndef OSP_COMMON_H
#define OSP_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ospack.h"

#define OSP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* The deepest path a bundle holds, in components, bag folder included. */
#define OSP_DEPTH_MAX 128

struct ospack_ctx {
	ospack_error code;
	char msg[1024];
	ospack_warn_fn warn;
	void *warn_arg;
};

/* Records code and message on ctx and returns code. */
ospack_error osp_error(struct ospack_ctx *ctx, ospack_error code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
ospack_error osp_verror(struct ospack_ctx *ctx, ospack_error code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Prefixes the message already on ctx with "prefix: ". */
ospack_error osp_error_prefix(struct ospack_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
ospack_error osp_nomem(struct ospack_ctx *ctx);
/* An I/O error from errno: "what: path: strerror". */
/*
 * Writes len bytes to path through a temporary file beside it (mode 0644),
 * renamed into place once complete: a failure leaves no partial file.
 */
ospack_error osp_write_file_atomic(struct ospack_ctx *ctx, const char *path, const void *p,
				   size_t len);
ospack_error osp_errno(struct ospack_ctx *ctx, int err, const char *what, const char *path);
/* Writes all n bytes to fd (retried on EINTR unless interrupted); a failure names path. */
ospack_error osp_write_all(struct ospack_ctx *ctx, int fd, const void *p, size_t n,
			   const char *path);
void osp_warn(struct ospack_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool osp_interrupted(void);
/*
 * Clears the interrupt flag: each public operation that can be interrupted calls
 * it first, so that an interrupt stops the operation running then, not every
 * later one.
 */
void osp_interrupt_reset(void);

/* A growable byte buffer; data is always NUL-terminated. */
struct osp_buf {
	char *data;
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed: every later append is a no-op */
};

void osp_buf_free(struct osp_buf *b);
void osp_buf_add(struct osp_buf *b, const void *p, size_t n);
void osp_buf_puts(struct osp_buf *b, const char *s);
void osp_buf_putc(struct osp_buf *b, char c);
void osp_buf_printf(struct osp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the data over to the caller (NULL if an allocation failed) and resets b. */
char *osp_buf_steal(struct osp_buf *b, size_t *len);

char *osp_strdup(const char *s);
char *osp_strndup(const char *s, size_t n);
char *osp_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *osp_reallocarray(void *p, size_t n, size_t size);

/* A growable array of owned strings. */
struct osp_strv {
	char **v;
	size_t n;
	size_t cap;
};

int osp_strv_push(struct osp_strv *sv, const char *s); /* 0 or -1 on ENOMEM */
int osp_strv_push_owned(struct osp_strv *sv, char *s);
void osp_strv_free(struct osp_strv *sv);

/* True when s is well-formed UTF-8 (no overlongs, no surrogates). */
bool osp_utf8_valid(const char *s, size_t n);
/*
 * Untrusted text as it may reach a terminal in a one-line message: C0 controls
 * (line breaks and tabs too), DEL, the C1 controls U+0080..U+009F and every byte
 * that is not part of a well-formed UTF-8 character are shown as \xNN; the rest
 * is copied. The result is cut, whole escapes only, to fit outlen bytes.
 */
void osp_printable(const char *s, char *out, size_t outlen);
/* The same, as a new string (NULL on ENOMEM). */
char *osp_printable_dup(const char *s);
/* Lowercase hex of n bytes into out (2n+1 bytes). */
void osp_hex(const unsigned char *in, size_t n, char *out);
int osp_unhex(const char *hex, unsigned char *out, size_t n); /* 0 on success */
bool osp_is_lower_hex(const char *s, size_t n);

/* Reads a whole file of at most max bytes; a larger one is too_big with a message. */
ospack_error osp_read_file(struct ospack_ctx *ctx, const char *path, size_t max,
			   ospack_error too_big, char **out, size_t *len);

/*
 * Checks a relative path a manifest names or a source holds: UTF-8, no control
 * character, not absolute, no empty, "." or ".." component. what names the
 * source in the message (OSPACK_EMANIFEST).
 */
ospack_error osp_check_relpath(struct ospack_ctx *ctx, const char *what, const char *rel);

/*
 * Leftovers of a run killed outright (docs/leftovers.md). A build
 * writes its archive to ".BASE.tmp-XXXXXX" beside the target BASE and holds an
 * exclusive flock on it until it is renamed: a file of that name that no process
 * holds locked, owned by this user, is a leftover. osp_claim_temp takes that
 * lock on the file just made (false when a sweep removed it meanwhile: make
 * another); osp_sweep_temps removes the leftovers of target, and warns, naming
 * them, where the file system has no locks.
 */
bool osp_claim_temp(int fd);
void osp_sweep_temps(struct ospack_ctx *ctx, const char *target);

/* Human-readable byte count ("3.4 MiB") into out. */
void osp_human_size(uint64_t n, char *out, size_t outlen);

#endif
