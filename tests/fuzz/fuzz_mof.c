/* SPDX-License-Identifier: Apache-2.0 */
/* Fuzz target: Model Openness Tool model files, loaded, evaluated and reported. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mof.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_mof_model *m = NULL;
	struct osp_mof_eval ev;
	ospack_error rc;

	if (ctx == NULL)
		abort();
	rc = osp_mof_parse(ctx, "fuzz.yml", (const char *)data, size, &m);
	if (rc == OSPACK_OK) {
		char *text, *json;

		osp_mof_evaluate(&m->in, &ev);
		text = osp_mof_report_text(m, &ev);
		json = osp_mof_report_json(m, &ev);
		if (text == NULL || json == NULL)
			abort();
		free(text);
		free(json);
	} else if (rc != OSPACK_EINPUT || ospack_ctx_message(ctx)[0] == '\0') {
		abort(); /* a malformed model file is an input error with a message */
	}
	osp_mof_model_free(m);
	ospack_ctx_free(ctx);
	return 0;
}
