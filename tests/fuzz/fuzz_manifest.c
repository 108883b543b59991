/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the manifest loader. A manifest that loads is also checked, its
 * sources resolved against the seed release's folder (tests/fuzz/release/).
 */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "manifest.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct ospack_manifest *m = NULL;
	ospack_error rc;

	if (ctx == NULL)
		abort();
	rc = osp_manifest_parse(ctx, "fuzz.yaml", FUZZ_DIR "/release", (const char *)data, size,
				&m);
	if (rc == OSPACK_OK) {
		char *text = NULL, *json = NULL;

		if (m->name == NULL || m->version == NULL)
			abort();
		rc = ospack_check(ctx, m, "baseline", 0, &text, &json);
		if (rc != OSPACK_OK && ospack_ctx_message(ctx)[0] == '\0')
			abort(); /* every error says what went wrong */
		ospack_free(text);
		ospack_free(json);
	} else if (rc != OSPACK_EMANIFEST ||
		   strncmp(ospack_ctx_message(ctx), "fuzz.yaml:", 10) != 0) {
		abort(); /* a manifest error names the file (and where in it) */
	}
	ospack_manifest_free(m);
	ospack_ctx_free(ctx);
	return 0;
}
