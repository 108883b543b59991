/* TEMPORARY local stub, never committed */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "net/oci.h"
ospack_error osp_oci_ref_parse(struct ospack_ctx *ctx, const char *s, struct osp_oci_ref *out)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(s, "oci-layout:", 11) == 0) {
		const char *c = strrchr(s + 11, ':');
		out->layout = true;
		out->path = c ? osp_strndup(s + 11, (size_t)(c - s - 11)) : osp_strdup(s + 11);
		out->tag = c ? osp_strdup(c + 1) : NULL;
		return OSPACK_OK;
	}
	return osp_error(ctx, OSPACK_EUSAGE, "stub");
}
void osp_oci_ref_free(struct osp_oci_ref *r) { free(r->registry); free(r->repository); free(r->tag); free(r->digest); free(r->path); }
ospack_error osp_registry_open(struct ospack_ctx *ctx, const struct osp_oci_ref *ref, const struct osp_registry_opts *opts, struct osp_registry **out) { (void)ref; (void)opts; *out = NULL; return osp_error(ctx, OSPACK_EIO, "stub"); }
void osp_registry_free(struct osp_registry *r) { (void)r; }
const struct osp_registry_stats *osp_registry_stats(const struct osp_registry *r) { (void)r; return NULL; }
ospack_error osp_registry_blob_exists(struct osp_registry *r, const char *digest, bool *exists, uint64_t *size) { (void)r; (void)digest; (void)exists; (void)size; return OSPACK_EIO; }
ospack_error osp_registry_blob_mount(struct osp_registry *r, const char *digest, const char *from_repository, bool *mounted) { (void)r; (void)digest; (void)from_repository; (void)mounted; return OSPACK_EIO; }
ospack_error osp_registry_upload_begin(struct osp_registry *r, uint64_t size, struct osp_blob_upload **out) { (void)r; (void)size; (void)out; return OSPACK_EIO; }
ospack_error osp_registry_upload_write(struct osp_blob_upload *u, const void *p, size_t n) { (void)u; (void)p; (void)n; return OSPACK_EIO; }
ospack_error osp_registry_upload_finish(struct osp_blob_upload *u, const char *digest) { (void)u; (void)digest; return OSPACK_EIO; }
void osp_registry_upload_abort(struct osp_blob_upload *u) { (void)u; }
ospack_error osp_registry_blob_get(struct osp_registry *r, const char *digest, uint64_t size, ospack_error (*write)(void *arg, const void *p, size_t n), ospack_error (*restart)(void *arg), void *arg) { (void)r; (void)digest; (void)size; (void)write; (void)restart; (void)arg; return OSPACK_EIO; }
ospack_error osp_registry_manifest_put(struct osp_registry *r, const char *reference, const char *media_type, const void *body, size_t len, char digest[OSP_OCI_DIGEST_LEN]) { (void)r; (void)reference; (void)media_type; (void)body; (void)len; (void)digest; return OSPACK_EIO; }
ospack_error osp_registry_manifest_get(struct osp_registry *r, const char *reference, char **body, size_t *len, char digest[OSP_OCI_DIGEST_LEN]) { (void)r; (void)reference; (void)body; (void)len; (void)digest; return OSPACK_EIO; }
