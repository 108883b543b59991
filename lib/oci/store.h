/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where an OCI artifact lives: a repository of a registry (lib/net/oci.h), or an
 * OCI image layout folder. push and pull see one interface.
 */
#ifndef OSP_OCI_STORE_H
#define OSP_OCI_STORE_H

#include "net/oci.h"

#define OSP_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OSP_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OSP_MT_ARTIFACT "application/vnd.cncf.model.manifest.v1+json"
#define OSP_MT_CONFIG "application/vnd.cncf.model.config.v1+json"
#define OSP_MT_BAG "application/vnd.ospack.bag.v1.tar"
#define OSP_ANN_FILEPATH "org.cncf.model.filepath"
#define OSP_ANN_METADATA "org.cncf.model.file.metadata+json"
#define OSP_ANN_COMPONENT "org.ospack.component"
#define OSP_ANN_REF_NAME "org.opencontainers.image.ref.name"

struct osp_store;

/* Opens ref's store; a layout folder that does not exist is made only for push. */
ospack_error osp_store_open(struct ospack_ctx *ctx, const struct osp_oci_ref *ref, bool plain_http,
			    bool push, struct osp_store **out);
/* Commits what push wrote (a new layout folder is renamed into place) and frees s. */
ospack_error osp_store_commit(struct osp_store *s);
/* Frees s; a new layout folder that was not committed is removed. */
void osp_store_free(struct osp_store *s);
/* "host:port/repo" or the layout folder, for messages and results. */
const char *osp_store_name(const struct osp_store *s);
/* The registry's counters, or NULL for a layout. */
const struct osp_registry_stats *osp_store_stats(const struct osp_store *s);

ospack_error osp_store_blob_exists(struct osp_store *s, const char *digest, bool *exists);
/* A registry mounts the blob from another of its repositories when it can. */
ospack_error osp_store_blob_mount(struct osp_store *s, const char *digest, const char *from,
				  bool *mounted);

struct osp_store_upload;
ospack_error osp_store_upload_begin(struct osp_store *s, uint64_t size,
				    struct osp_store_upload **out);
ospack_error osp_store_upload_write(struct osp_store_upload *u, const void *p, size_t n);
/* Completes it under digest (checked); frees u in any case. */
ospack_error osp_store_upload_finish(struct osp_store_upload *u, const char *digest);
void osp_store_upload_abort(struct osp_store_upload *u);

ospack_error osp_store_blob_get(struct osp_store *s, const char *digest, uint64_t size,
				ospack_error (*write)(void *arg, const void *p, size_t n),
				ospack_error (*restart)(void *arg), void *arg);

/* A manifest under a tag; a layout's index.json gets (or has replaced) the entry of that tag. */
ospack_error osp_store_manifest_put(struct osp_store *s, const char *tag, const void *body,
				    size_t len, char digest[OSP_OCI_DIGEST_LEN]);
/* The manifest ref names (its tag or digest; a layout's only one when NULL). */
ospack_error osp_store_manifest_get(struct osp_store *s, const char *reference, char **body,
				    size_t *len, char digest[OSP_OCI_DIGEST_LEN]);

/* "sha256:" + hex of the SHA-256 of p. */
ospack_error osp_oci_digest(struct ospack_ctx *ctx, const void *p, size_t n,
			    char digest[OSP_OCI_DIGEST_LEN]);
/* Whether s is "sha256:" and 64 lowercase hex digits. */
bool osp_oci_digest_valid(const char *s);

#endif
