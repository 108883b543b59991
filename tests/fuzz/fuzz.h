/* SPDX-License-Identifier: Apache-2.0 */
/* What every fuzz target defines: libFuzzer's entry point, and its optional set-up. */
#ifndef OSP_FUZZ_H
#define OSP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
/* The committed files the targets read: the seed release, its bundle and its key. */
#define FUZZ_DIR TOP_SRCDIR "/tests/fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
