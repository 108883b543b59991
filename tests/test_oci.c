/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lib/net/oci.h: without arguments, the unit tests of reference parsing (TAP); with them, a
 * command-line driver of the registry client for tests/registry_client.sh (plain http).
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "net/oci.h"
#include "tap.h"

static const char usage[] =
	"usage: test_oci parse REF\n"
	"       test_oci push-blob REF FILE       (prints the digest)\n"
	"       test_oci exists REF DIGEST        (prints yes SIZE or no)\n"
	"       test_oci mount REF DIGEST FROM    (prints mounted or not mounted)\n"
	"       test_oci put-manifest REF TAG FILE MEDIA-TYPE\n"
	"       test_oci get-manifest REF REFERENCE OUT\n"
	"       test_oci get-blob REF DIGEST SIZE OUT\n"
	"Errors: \"error CODE: MESSAGE\" on stderr, exit CODE. Stats on stderr after each call.\n"
	"TEST_OCI_INTERRUPT_MS=N calls ospack_interrupt() N ms after the start.\n";

static void *interrupter(void *arg)
{
	struct timespec ts = {.tv_sec = *(long *)arg / 1000,
			      .tv_nsec = *(long *)arg % 1000 * 1000000};

	nanosleep(&ts, NULL);
	ospack_interrupt();
	return NULL;
}

static ospack_error file_digest(struct ospack_ctx *ctx, const char *buf, size_t n,
				char out[OSP_OCI_DIGEST_LEN])
{
	unsigned char d[32];
	ospack_error rc = osp_digest(ctx, OSP_SHA256, buf, n, d);

	memcpy(out, "sha256:", 7);
	osp_hex(d, sizeof(d), out + 7);
	return rc;
}

static ospack_error push_blob(struct ospack_ctx *ctx, struct osp_registry *r, const char *path)
{
	char *buf = NULL, digest[OSP_OCI_DIGEST_LEN];
	size_t n;
	struct osp_blob_upload *u = NULL;
	ospack_error rc;

	if ((rc = osp_read_file(ctx, path, 1u << 30, OSPACK_EIO, &buf, &n)) != OSPACK_OK ||
	    (rc = file_digest(ctx, buf, n, digest)) != OSPACK_OK ||
	    (rc = osp_registry_upload_begin(r, n, &u)) != OSPACK_OK)
		goto out;
	/* In odd pieces, to cross chunk boundaries mid-write. */
	for (size_t off = 0; off < n && rc == OSPACK_OK; off += 1000)
		rc = osp_registry_upload_write(u, buf + off, n - off < 1000 ? n - off : 1000);
	if (rc != OSPACK_OK) {
		osp_registry_upload_abort(u);
		goto out;
	}
	if ((rc = osp_registry_upload_finish(u, digest)) == OSPACK_OK)
		printf("%s\n", digest);
out:
	free(buf);
	return rc;
}

static ospack_error put_manifest(struct ospack_ctx *ctx, struct osp_registry *r, const char *tag,
				 const char *path, const char *type)
{
	char *buf = NULL, digest[OSP_OCI_DIGEST_LEN];
	size_t n;
	ospack_error rc;

	if ((rc = osp_read_file(ctx, path, OSP_OCI_MANIFEST_MAX, OSPACK_EIO, &buf, &n)) ==
		    OSPACK_OK &&
	    (rc = osp_registry_manifest_put(r, tag, type, buf, n, digest)) == OSPACK_OK)
		printf("%s\n", digest);
	free(buf);
	return rc;
}

static ospack_error get_manifest(struct ospack_ctx *ctx, struct osp_registry *r, const char *ref,
				 const char *out)
{
	char *body = NULL, digest[OSP_OCI_DIGEST_LEN];
	size_t n;
	ospack_error rc = osp_registry_manifest_get(r, ref, &body, &n, digest);

	if (rc == OSPACK_OK && (rc = osp_write_file_atomic(ctx, out, body, n)) == OSPACK_OK)
		printf("%s\n", digest);
	free(body);
	return rc;
}

static ospack_error on_write(void *arg, const void *p, size_t n)
{
	return fwrite(p, 1, n, arg) == n ? OSPACK_OK : OSPACK_EIO;
}

static ospack_error on_restart(void *arg)
{
	return fseek(arg, 0, SEEK_SET) == 0 ? OSPACK_OK : OSPACK_EIO;
}

static ospack_error get_blob(struct ospack_ctx *ctx, struct osp_registry *r, const char *digest,
			     const char *size, const char *out)
{
	FILE *f = fopen(out, "wb");
	ospack_error rc;

	if (f == NULL)
		return osp_error(ctx, OSPACK_EIO, "cannot create %s", out);
	rc = osp_registry_blob_get(r, digest, strtoull(size, NULL, 10), on_write, on_restart, f);
	if (fclose(f) != 0 && rc == OSPACK_OK)
		rc = osp_error(ctx, OSPACK_EIO, "cannot write %s", out);
	return rc;
}

static ospack_error parse(struct ospack_ctx *ctx, const char *s)
{
	struct osp_oci_ref ref;
	ospack_error rc = osp_oci_ref_parse(ctx, s, &ref);

	if (rc == OSPACK_OK)
		printf("registry=%s repository=%s tag=%s digest=%s layout=%d path=%s\n",
		       ref.registry ? ref.registry : "-", ref.repository ? ref.repository : "-",
		       ref.tag ? ref.tag : "-", ref.digest ? ref.digest : "-", ref.layout,
		       ref.path ? ref.path : "-");
	osp_oci_ref_free(&ref);
	return rc;
}

static ospack_error run(struct ospack_ctx *ctx, int argc, char **argv, struct osp_registry *r)
{
	const char *cmd = argv[1];
	bool yes;
	uint64_t size = 0;
	ospack_error rc;

	if (strcmp(cmd, "push-blob") == 0 && argc == 4)
		return push_blob(ctx, r, argv[3]);
	if (strcmp(cmd, "exists") == 0 && argc == 4) {
		if ((rc = osp_registry_blob_exists(r, argv[3], &yes, &size)) == OSPACK_OK)
			printf(yes ? "yes %" PRIu64 "\n" : "no\n", size);
		return rc;
	}
	if (strcmp(cmd, "mount") == 0 && argc == 5) {
		if ((rc = osp_registry_blob_mount(r, argv[3], argv[4], &yes)) == OSPACK_OK)
			printf("%s\n", yes ? "mounted" : "not mounted");
		return rc;
	}
	if (strcmp(cmd, "put-manifest") == 0 && argc == 6)
		return put_manifest(ctx, r, argv[3], argv[4], argv[5]);
	if (strcmp(cmd, "get-manifest") == 0 && argc == 5)
		return get_manifest(ctx, r, argv[3], argv[4]);
	if (strcmp(cmd, "get-blob") == 0 && argc == 6)
		return get_blob(ctx, r, argv[3], argv[4], argv[5]);
	fputs(usage, stderr);
	return OSPACK_EUSAGE;
}

static const struct good {
	const char *in, *registry, *repository, *tag, *digest, *path;
} goods[] = {
	{"localhost/m", "localhost", "m", "latest", NULL, NULL},
	{"localhost:5000/team/model:v1.0", "localhost:5000", "team/model", "v1.0", NULL, NULL},
	{"registry.example.org/a/b/c", "registry.example.org", "a/b/c", "latest", NULL, NULL},
	{"127.0.0.1:5000/x__y/a-b--c.d_e:_T-9", "127.0.0.1:5000", "x__y/a-b--c.d_e", "_T-9", NULL,
	 NULL},
	{"[::1]:5000/m:1", "[::1]:5000", "m", "1", NULL, NULL},
	{"reg.io/m@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	 "reg.io", "m", NULL,
	 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL},
	{"reg.io/m:t@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	 "reg.io", "m", "t",
	 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL},
	{"oci-layout:out", NULL, NULL, NULL, NULL, "out"},
	{"oci-layout:/tmp/a:b/out:v2", NULL, NULL, "v2", NULL, "/tmp/a:b/out"},
	{"oci-layout:/tmp/a:b/out", NULL, NULL, NULL, NULL, "/tmp/a:b/out"},
};

static const struct bad {
	const char *in, *msg;
} bads[] = {
	{"model", "model: no repository (a reference is REGISTRY/REPOSITORY[:TAG][@DIGEST])"},
	{"team/model:1", "team/model:1: no registry: the first component must be a host name"},
	{"localhos/m", "localhos/m: no registry"},
	{"reg.io/Team/model", "reg.io/Team/model: not a valid repository name"},
	{"reg.io/", "reg.io/: not a valid repository name"},
	{"reg.io/a//b", "reg.io/a//b: not a valid repository name"},
	{"reg.io/a/", "reg.io/a/: not a valid repository name"},
	{"reg.io/-a", "reg.io/-a: not a valid repository name"},
	{"reg.io/a___b", "reg.io/a___b: not a valid repository name"},
	{"reg.io/a.", "reg.io/a.: not a valid repository name"},
	{"reg.io/m:", "reg.io/m:: not a valid tag"},
	{"reg.io/m:.x", "reg.io/m:.x: not a valid tag"},
	{"reg.io/m:a+b", "reg.io/m:a+b: not a valid tag"},
	{"reg.io/m@sha256:abc", "reg.io/m@sha256:abc: not a valid digest after '@'"},
	{"reg.io/m@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	 "not a valid digest"},
	{"reg.io/m@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	 "not a valid digest"},
	{"reg.io:0/m", "reg.io:0/m: not a valid registry host[:port]"},
	{"reg.io:99999/m", "not a valid registry host[:port]"},
	{"reg.io:/m", "not a valid registry host[:port]"},
	{"-reg.io/m", "not a valid registry host[:port]"},
	{"reg..io/m", "not a valid registry host[:port]"},
	{"re_g.io/m", "not a valid registry host[:port]"},
	{"oci-layout:", "oci-layout:: no folder after oci-layout:"},
	{"oci-layout::v1", "oci-layout::v1: no folder after oci-layout:"},
	{"oci-layout:out:bad tag", "oci-layout:out:bad tag: not a valid tag after the last ':'"},
	{"reg.io/m\n:1", "reg.io/m\\x0a:1: not a valid repository name"},
};

static bool same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int unit_tests(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(goods); i++) {
		const struct good *g = &goods[i];
		struct osp_oci_ref r;
		ospack_error rc = osp_oci_ref_parse(ctx, g->in, &r);

		ok(rc == OSPACK_OK && same(r.registry, g->registry) &&
			   same(r.repository, g->repository) && same(r.tag, g->tag) &&
			   same(r.digest, g->digest) && same(r.path, g->path) &&
			   r.layout == (g->path != NULL),
		   "%s parses", g->in);
		if (rc != OSPACK_OK)
			tap_diag("%s", ospack_ctx_message(ctx));
		osp_oci_ref_free(&r);
	}
	for (size_t i = 0; i < OSP_ARRAY_LEN(bads); i++) {
		struct osp_oci_ref r;

		is_int(osp_oci_ref_parse(ctx, bads[i].in, &r), OSPACK_EUSAGE, "refused: %s",
		       bads[i].msg);
		has_str(ospack_ctx_message(ctx), bads[i].msg,
			"with a message naming what is wrong");
		ok(r.registry == NULL && r.repository == NULL && r.tag == NULL && r.path == NULL,
		   "and nothing is left set");
	}
	ospack_ctx_free(ctx);
	return tap_done();
}

int main(int argc, char **argv)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_oci_ref ref = {0};
	struct osp_registry *r = NULL;
	struct osp_registry_opts o = {.plain_http = true};
	ospack_error rc;

	if (ctx == NULL)
		return 99;
	if (argc == 1) {
		ospack_ctx_free(ctx);
		return unit_tests();
	}
	if (argc < 3) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[1], "parse") == 0) {
		rc = parse(ctx, argv[2]);
	} else {
		static long ms;
		pthread_t th;

		if (getenv("TEST_OCI_INTERRUPT_MS") != NULL &&
		    (ms = strtol(getenv("TEST_OCI_INTERRUPT_MS"), NULL, 10)) > 0)
			pthread_create(&th, NULL, interrupter, &ms);
		o.push = strcmp(argv[1], "push-blob") == 0 || strcmp(argv[1], "mount") == 0 ||
			 strcmp(argv[1], "put-manifest") == 0;
		if ((rc = osp_oci_ref_parse(ctx, argv[2], &ref)) == OSPACK_OK &&
		    (rc = osp_registry_open(ctx, &ref, &o, &r)) == OSPACK_OK) {
			rc = run(ctx, argc, argv, r);
			const struct osp_registry_stats *s = osp_registry_stats(r);

			fprintf(stderr,
				"stats requests=%" PRIu64 " sent=%" PRIu64 " received=%" PRIu64
				" uploaded=%" PRIu64 " mounted=%" PRIu64 "\n",
				s->requests, s->bytes_sent, s->bytes_received, s->blobs_uploaded,
				s->blobs_mounted);
		}
	}
	if (rc != OSPACK_OK)
		fprintf(stderr, "error %d: %s\n", (int)rc, ospack_ctx_message(ctx));
	osp_registry_free(r);
	osp_oci_ref_free(&ref);
	ospack_ctx_free(ctx);
	return (int)rc;
}
