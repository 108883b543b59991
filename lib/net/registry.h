/* SPDX-License-Identifier: Apache-2.0 */
/* What registry.c and registry_auth.c share: credentials, challenges, tokens. */
#ifndef OSP_REGISTRY_H
#define OSP_REGISTRY_H

#include "common.h"
#include "http.h"

/* Credentials for one registry, and where they came from (for messages; never the secret). */
struct osp_registry_creds {
	char *user;
	char *password;
	char *source; /* "OSPACK_REGISTRY_USER and OSPACK_REGISTRY_PASSWORD", or a config.json path
		       */
	char *config; /* the docker config.json looked at (for the hint when none are found) */
};

/*
 * Looks the credentials of registry ("host[:port]") up: the environment, then
 * the docker config.json. None found is OSPACK_OK with user NULL; a config.json
 * that is not JSON is OSPACK_EINPUT.
 */
ospack_error osp_registry_creds_load(struct ospack_ctx *ctx, const char *registry,
				     struct osp_registry_creds *out);
/* Wipes the password and frees. */
void osp_registry_creds_free(struct osp_registry_creds *c);

/* "Authorization: Basic ..." for the credentials (wiped by the caller), or NULL on ENOMEM. */
char *osp_registry_basic_header(const struct osp_registry_creds *c);

/* A WWW-Authenticate challenge. */
struct osp_auth_challenge {
	bool basic;
	bool bearer;
	char *realm;
	char *service;
	char *scope;
};
/* Parses the value of a WWW-Authenticate header; false when it is neither Basic nor Bearer. */
bool osp_auth_challenge_parse(const char *value, struct osp_auth_challenge *out);
void osp_auth_challenge_free(struct osp_auth_challenge *ch);

/*
 * Asks the challenge's realm for a token for scopes (space-separated), with
 * Basic credentials when creds has some; *token is the bare token, to be wiped.
 * registry names the registry in the checks of a plain http realm. Errors on
 * ctx without the registry prefix (the caller adds it); *status the realm's
 * answer (401 when it refused the credentials), 0 without one.
 */
ospack_error osp_registry_token(struct ospack_ctx *ctx, const char *registry,
				const struct osp_registry_creds *creds,
				const struct osp_auth_challenge *ch, const char *scopes,
				char **token, long *status, uint64_t *requests);

/* The text of a status ("not found"), for messages. */
const char *osp_http_status_text(long status);

#endif
