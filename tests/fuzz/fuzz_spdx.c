/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: SPDX license expressions, and that the canonical form parses back to itself. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "license.h"
#include "mof.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_spdx *e = NULL, *again = NULL;
	struct osp_spdx_facts facts, facts2;
	char *expr = malloc(size + 1), *canon = NULL, *canon2 = NULL;

	if (ctx == NULL || expr == NULL)
		abort();
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (osp_spdx_parse(ctx, expr, &e) == OSPACK_OK) {
		osp_spdx_eval(e, &facts);
		canon = osp_spdx_string(e);
		if (canon == NULL)
			abort();
		/* The canonical form is itself valid, canonical, and means the same. */
		if (osp_spdx_parse(ctx, canon, &again) != OSPACK_OK)
			abort();
		canon2 = osp_spdx_string(again);
		if (canon2 == NULL || strcmp(canon, canon2) != 0)
			abort();
		osp_spdx_eval(again, &facts2);
		if (facts.open != facts2.open || facts.permissive != facts2.permissive ||
		    facts.copyleft != facts2.copyleft || facts.custom != facts2.custom ||
		    facts.fits != facts2.fits)
			abort();
	} else if (ospack_ctx_code(ctx) != OSPACK_EMANIFEST || ospack_ctx_message(ctx)[0] == '\0') {
		abort(); /* a rejection is always a manifest error with a message */
	}
	osp_mof_license_status(true, expr, OSP_MOF_CODE);
	free(canon2);
	free(canon);
	osp_spdx_free(again);
	osp_spdx_free(e);
	free(expr);
	ospack_ctx_free(ctx);
	return 0;
}
