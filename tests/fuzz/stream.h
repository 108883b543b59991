/* SPDX-License-Identifier: Apache-2.0 */
/* Feeding bytes to the verifier as `ospack verify -` reads them: through a pipe. */
#ifndef OSP_FUZZ_STREAM_H
#define OSP_FUZZ_STREAM_H

#include "fuzz.h"

struct ospack_ctx;

/* The largest input fed: what one pipe of 1 MiB holds, written before reading starts. */
#define FUZZ_STREAM_MAX (1024 * 1024)

/*
 * Verifies size bytes at data as a bundle read from a pipe, with the public
 * keys at key_specs (n of them). Returns the library's code; aborts when an
 * error comes without a message, or when the harness itself fails.
 */
int fuzz_verify_stream(struct ospack_ctx *ctx, const uint8_t *data, size_t size,
		       const char *const *key_specs, size_t n);

#endif
