/* SPDX-License-Identifier: Apache-2.0 */
/* A client of the OCI Distribution Specification v1.1: the few calls push and pull make. */
#ifndef OSP_OCI_H
#define OSP_OCI_H

#include "common.h"

/* "sha256:" and 64 lowercase hex digits, and the NUL. */
#define OSP_OCI_DIGEST_LEN 72
/* A manifest (or an index.json) is read whole, up to this. */
#define OSP_OCI_MANIFEST_MAX (4u * 1024 * 1024)

/*
 * A reference: REGISTRY/REPOSITORY[:TAG][@sha256:HEX]. REGISTRY is a host name
 * with a dot or a colon (a port), or "localhost"; REPOSITORY is lowercase path
 * components ([a-z0-9]+ joined by '.', '_', '__' or '-'), as the distribution
 * spec fixes them; TAG is [A-Za-z0-9_][A-Za-z0-9._-]{0,127}. Without tag and
 * digest, the tag is "latest".
 *
 * "oci-layout:DIR[:TAG]" names an OCI image layout folder instead: layout is
 * then set, registry and repository are NULL and DIR is in path; without a TAG,
 * tag is NULL (pull takes the layout's only manifest, push tags the version).
 */
struct osp_oci_ref {
	char *registry;	  /* "host[:port]" */
	char *repository; /* "team/model" */
	char *tag;	  /* or NULL */
	char *digest;	  /* "sha256:..." or NULL */
	bool layout;
	char *path; /* the layout folder */
};

/* OSPACK_EUSAGE naming what is wrong with s. */
ospack_error osp_oci_ref_parse(struct ospack_ctx *ctx, const char *s, struct osp_oci_ref *out);
void osp_oci_ref_free(struct osp_oci_ref *r);

struct osp_registry;

struct osp_registry_opts {
	bool plain_http; /* http:// instead of https:// */
	bool push;	 /* ask for push and pull rights, not pull alone */
};

/*
 * A client of one repository of one registry. No request is made yet.
 * Credentials come from OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD,
 * else from $DOCKER_CONFIG/config.json (default ~/.docker/config.json): the
 * "auths" entry of the registry, with "auth" (base64 of user:password) or
 * "username" and "password". A request answered 401 is sent again with what
 * WWW-Authenticate asks for: HTTP Basic, or a Bearer token got from the realm
 * it names (for its service and scope, with Basic credentials when there are
 * any), kept for the next requests. No credential or token is ever put in a
 * message.
 *
 * Every request is retried as osp_http_get retries (the same environment
 * variables): 408, 429, 5xx and a dropped connection. Errors are OSPACK_EIO,
 * their messages "REGISTRY: WHAT: STATUS CODE: MESSAGE", for example
 * "localhost:5000: push of blob sha256:ab12...: 401 UNAUTHORIZED: authentication
 * required", or with curl's reason when there was no answer.
 *
 * (lib/net/registry.c.) A layout reference is OSPACK_EUSAGE. Credentials are
 * read at the first 401; a 401 that stands says where they came from or that
 * none were found. A config.json that is not JSON is OSPACK_EINPUT. Retry-After
 * in seconds replaces the retry delay (at most 30 s). docs/registries.md tells
 * users the same.
 */
ospack_error osp_registry_open(struct ospack_ctx *ctx, const struct osp_oci_ref *ref,
			       const struct osp_registry_opts *opts, struct osp_registry **out);
void osp_registry_free(struct osp_registry *r);

/* Counters of what went over the wire. */
struct osp_registry_stats {
	uint64_t bytes_sent;	 /* blob and manifest bodies uploaded */
	uint64_t bytes_received; /* blob and manifest bodies downloaded */
	uint64_t blobs_uploaded; /* uploads completed */
	uint64_t blobs_mounted;	 /* blobs mounted from another repository */
	uint64_t requests;
};
const struct osp_registry_stats *osp_registry_stats(const struct osp_registry *r);

/* HEAD of a blob: *size set when it exists (a redirect followed, without Authorization). */
ospack_error osp_registry_blob_exists(struct osp_registry *r, const char *digest, bool *exists,
				      uint64_t *size);
/* Mounts a blob from another repository of the same registry; *mounted false when it did not. */
ospack_error osp_registry_blob_mount(struct osp_registry *r, const char *digest,
				     const char *from_repository, bool *mounted);

/*
 * Uploads a blob of a known size, fed in order. Below OSPACK_OCI_CHUNK_SIZE
 * bytes (default 16 MiB) the body is kept and sent in one PUT; above, each
 * chunk of that size goes in a PATCH (retried on its own from the offset the
 * registry reports), and the last with the PUT. Memory: one chunk.
 * More bytes than size, a finish before size bytes or with a digest that is not
 * "sha256:" and 64 lowercase hex digits: OSPACK_EUSAGE.
 */
struct osp_blob_upload;
ospack_error osp_registry_upload_begin(struct osp_registry *r, uint64_t size,
				       struct osp_blob_upload **out);
ospack_error osp_registry_upload_write(struct osp_blob_upload *u, const void *p, size_t n);
/* Completes it under digest (which the registry checks too); frees u in any case. */
ospack_error osp_registry_upload_finish(struct osp_blob_upload *u, const char *digest);
/* Cancels it (a DELETE of the session, best effort) and frees u. */
void osp_registry_upload_abort(struct osp_blob_upload *u);

/*
 * GET of a blob, streamed to write() (redirects followed, a dropped transfer
 * resumed with Range, as osp_http_get does; restart() when a server starts it
 * over). size is the descriptor's: more bytes than that fail, and fewer; both
 * OSPACK_EREJECT. An error of write() or restart() is returned as it is.
 */
ospack_error osp_registry_blob_get(struct osp_registry *r, const char *digest, uint64_t size,
				   ospack_error (*write)(void *arg, const void *p, size_t n),
				   ospack_error (*restart)(void *arg), void *arg);

/* PUT of a manifest under a tag (or its digest); gives its digest. */
ospack_error osp_registry_manifest_put(struct osp_registry *r, const char *reference,
				       const char *media_type, const void *body, size_t len,
				       char digest[OSP_OCI_DIGEST_LEN]);
/*
 * GET of a manifest by tag or digest (Accept: the OCI image manifest and
 * index), at most OSP_OCI_MANIFEST_MAX bytes. *body (NUL-terminated, freed by
 * the caller) and its digest, computed here; when reference is a digest, a body
 * of another digest is OSPACK_EREJECT, and so is a larger body.
 */
ospack_error osp_registry_manifest_get(struct osp_registry *r, const char *reference, char **body,
				       size_t *len, char digest[OSP_OCI_DIGEST_LEN]);

#endif
