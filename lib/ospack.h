/* SPDX-License-Identifier: Apache-2.0 */
/* libospack: package an open AI release into one verifiable BagIt tar bundle. */
#ifndef OSPACK_H
#define OSPACK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(OSPACK_BUILDING) && defined(__GNUC__)
#define OSPACK_API __attribute__((visibility("default")))
#else
#define OSPACK_API
#endif

/*
 * Error codes. Values are only ever appended. Every fallible call returns one;
 * the one-line detail is kept on the context (ospack_ctx_message()).
 */
typedef enum ospack_error {
	OSPACK_OK = 0,
	OSPACK_ENOMEM = 1,    /* out of memory */
	OSPACK_EUSAGE = 2,    /* a caller's argument is wrong */
	OSPACK_EMANIFEST = 3, /* the manifest is invalid */
	OSPACK_EKEY = 4,      /* a key is unreadable, wrong or unsupported */
	OSPACK_EREJECT = 5,   /* a bundle did not verify */
	OSPACK_EPOLICY = 6,   /* the release falls short of a required level */
	OSPACK_EIO = 7,	      /* a system or I/O error */
	OSPACK_EINTR = 8,     /* interrupted by ospack_interrupt() */
	OSPACK_EINPUT = 9     /* some other input (model file, policy) is invalid */
} ospack_error;

OSPACK_API const char *ospack_strerror(ospack_error code);
/* The process exit status DESIGN.md gives this code: 0, 1, 2, 3 or 4. */
OSPACK_API int ospack_exit_status(ospack_error code);

/* A context holds the last error and the callback that receives warnings. */
struct ospack_ctx;
typedef void (*ospack_warn_fn)(void *arg, const char *message);

OSPACK_API struct ospack_ctx *ospack_ctx_new(void);
OSPACK_API void ospack_ctx_free(struct ospack_ctx *ctx);
OSPACK_API const char *ospack_ctx_message(const struct ospack_ctx *ctx);
OSPACK_API ospack_error ospack_ctx_code(const struct ospack_ctx *ctx);
OSPACK_API void ospack_ctx_set_warn(struct ospack_ctx *ctx, ospack_warn_fn fn, void *arg);

/*
 * Asks every running operation to stop at its next check and clean up.
 * Async-signal-safe: meant to be called from a signal handler. An operation
 * started later clears the request and runs: one interrupt stops what runs now.
 */
OSPACK_API void ospack_interrupt(void);

OSPACK_API const char *ospack_version(void);

/* Frees a string returned by the library. */
OSPACK_API void ospack_free(void *p);

/*
 * s made safe to show on a terminal: control characters (C0, DEL and C1) and bytes
 * that are not well-formed UTF-8 become \xNN. Messages on a context are already so.
 * Free it with ospack_free(); NULL on ENOMEM.
 */
OSPACK_API char *ospack_printable(const char *s);

/* ---- manifests ---- */

struct ospack_manifest;

/* Loads and validates a manifest; source paths resolve against its folder. */
OSPACK_API ospack_error ospack_manifest_load(struct ospack_ctx *ctx, const char *path,
					     struct ospack_manifest **out);
OSPACK_API void ospack_manifest_free(struct ospack_manifest *m);
OSPACK_API const char *ospack_manifest_name(const struct ospack_manifest *m);
OSPACK_API const char *ospack_manifest_version(const struct ospack_manifest *m);

/* ---- progress ---- */

/*
 * How far build, verify or extract has got, reported on the calling thread
 * after each file and at least every few MiB of a large one. bytes_total and
 * files_total are 0 when not known (a pipe). The last call has done set.
 */
struct ospack_progress {
	uint64_t bytes, bytes_total; /* payload bytes done, and in all */
	uint64_t files, files_total; /* payload files done, and in all */
	int done;
};
typedef void (*ospack_progress_fn)(void *arg, const struct ospack_progress *p);

/* ---- build ---- */

struct ospack_build_opts {
	const char *output;	 /* NULL: "<name>-<version>.tar"; "-": stdout */
	const char *hash;	 /* "sha256" (NULL) or "sha512" */
	const char *const *keys; /* private keys to sign with: file paths or "env:NAME" */
	size_t nkeys;
	int allow_dirty;	     /* accept a dirty git HEAD, and say so in the statement */
	const char *require;	     /* openness level the release must reach, or NULL */
	int64_t mtime;		     /* entry timestamp, seconds since 1970; < 0: 1980-01-01 */
	int no_digest;		     /* skip the archive's SHA-256, a second pass of hashing */
	unsigned jobs;		     /* threads that read and hash; 0: the online CPUs */
	const char *tmpdir;	     /* where to spill what must wait for the end; NULL: /tmp */
	ospack_progress_fn progress; /* or NULL */
	void *progress_arg;
	/* Appended: a caller that zeroes the struct gets the safe defaults. */
	const char *key_password; /* passphrase of encrypted private keys, or NULL */
	int allow_outside;	  /* bundle path sources outside the manifest's folder (with a
				     warning each); 0: they are an error */
	const char *sigstore_out; /* also write the statement, signed by the first key, as a
				     Sigstore bundle v0.3 to this file; needs a key */
	/* "zstd[:LEVEL]" (1-19, default 3), "gzip[:LEVEL]" (1-9, default 6) or "none";
	   NULL: as output's name says (.tar.zst, .tar.gz, else none). A name that
	   contradicts it is OSPACK_EUSAGE. bundle_sha256 and archive_bytes stay those
	   of the uncompressed tar, which is what is signed. */
	const char *compress;
};

struct ospack_build_result {
	char *output;		/* the path written, or "-" */
	char bundle_sha256[65]; /* SHA-256 of the archive bytes (the uncompressed tar) */
	uint64_t files;		/* payload files in the archive */
	uint64_t bytes;		/* payload bytes in the archive */
	uint64_t archive_bytes; /* size of the archive */
	char *json;		/* the whole result as one compact JSON object */
};

OSPACK_API ospack_error ospack_build(struct ospack_ctx *ctx, const struct ospack_manifest *m,
				     const struct ospack_build_opts *opts,
				     struct ospack_build_result **out);
OSPACK_API void ospack_build_result_free(struct ospack_build_result *r);

/* ---- openness ---- */

/*
 * Validates the manifest's sources as a build would (folders walked, git
 * revisions resolved, nothing read) and reports how open the release is: each
 * MOF component with its entries and license, and whether baseline,
 * open-science, mof-class-3, mof-class-2 and mof-class-1 are met, with what is
 * missing. With require (one of those levels) a release that falls short gives
 * OSPACK_EPOLICY, the report still filled in. *text is for people, *json one
 * compact JSON object; either may be NULL. Free them with ospack_free().
 */
/* Whether name is one of the levels above: for checking options before any work. */
OSPACK_API int ospack_level_known(const char *name);
/* The levels' names, lowest first: the i-th, or NULL past the last. */
OSPACK_API const char *ospack_level_name(int i);

OSPACK_API ospack_error ospack_check(struct ospack_ctx *ctx, const struct ospack_manifest *m,
				     const char *require, int allow_dirty, char **text,
				     char **json);

/* ---- keys ---- */

/*
 * Generates a key pair and writes PREFIX.key (unencrypted PKCS#8 PEM, mode
 * 0600) and PREFIX.pub (SubjectPublicKeyInfo PEM). type is "ed25519" (NULL)
 * or "ecdsa-p256". Refuses when either file exists and leaves nothing behind
 * on failure. keyid receives the key id: lowercase hex SHA-256 of the DER
 * public key.
 */
OSPACK_API ospack_error ospack_keygen(struct ospack_ctx *ctx,
				      const char *type /* "ed25519" (NULL) or "ecdsa-p256" */,
				      const char *prefix, char keyid[65]);
/* The key types keygen makes, the default first: the i-th, or NULL past the last. */
OSPACK_API const char *ospack_key_type_name(int i);

/* ---- the Model Openness Framework ---- */

/*
 * Evaluates a Model Openness Tool model file (YAML) as the tool does: which MOF class
 * the release reaches ("Class I - Open Science Model", "Class II - Open Tooling Model",
 * "Class III - Open Model" or "Unclassified"), the progress towards each class, the
 * status and license of each of the 17 components, and what each class not reached
 * still needs. *text gets a report for people, *json the same as one compact JSON
 * object with sorted keys; either pointer may be NULL when not wanted, and what is
 * returned is freed with ospack_free(). Reaching no class is not an error; a malformed
 * model file is OSPACK_EINPUT, an unreadable one OSPACK_EIO.
 */
OSPACK_API ospack_error ospack_check_mof(struct ospack_ctx *ctx, const char *path, char **text,
					 char **json);

/* ---- verify, extract, inspect ---- */

struct ospack_verify_opts {
	const char *const *keys; /* trusted public keys: file paths or "env:NAME" */
	size_t nkeys;
	unsigned jobs;		     /* threads that read and hash; 0: the online CPUs */
	const char *tmpdir;	     /* where to spill what must wait for the end; NULL: /tmp */
	ospack_progress_fn progress; /* or NULL */
	void *progress_arg;
	/* Appended: a caller that zeroes the struct gets the defaults. */
	int fetched; /* an unpacked folder must hold every file fetch.txt names, and right */
	/* Appended: a detached Sigstore bundle of the statement, checked with the keys. */
	const char *sigstore_bundle;
	/*
	 * Appended: components may be wholly absent (a partial pull): they are named in
	 * the result, not rejected. What is there is checked as strictly as ever.
	 */
	int partial;
};

struct ospack_verify_signature {
	char keyid[65];
	int trusted; /* verified with one of the trusted keys */
};

struct ospack_verify_result {
	char *bag; /* "<name>-<version>" */
	char *name, *version;
	uint64_t files;	      /* payload files checked */
	uint64_t bytes;	      /* payload bytes checked */
	int authenticated;    /* a signature by a trusted key verified */
	size_t nkeys_checked; /* trusted keys given */
	struct ospack_verify_signature *signatures;
	size_t nsignatures;
	char *json; /* the whole result as one compact JSON object */
	/* url entries (fetch.txt), and how many of their files a folder holds, checked */
	uint64_t url_files, url_fetched;
	/* Appended. ospack/model.sig: 0 absent, 1 checked for integrity only, 2 also its
	   signature by a trusted key. sigstore_bundle: 1 when a detached bundle verified. */
	int oms;
	int sigstore_bundle;
	/* Appended: */
	int plain;	  /* a BagIt bag without an ospack statement: nothing is signed */
	size_t nwarnings; /* what RFC 8493 says should be and is not (a plain bag) */
	/*
	 * Appended: with opts->partial, the components none of whose files (nor their
	 * folder) are here, "SECTION/NAME", in the byte order of their folders
	 * data/SECTION/NAME/ (the archive's order).
	 */
	char **left_out;
	size_t nleft_out;
};

/*
 * Verifies a bundle: an archive file, "-" for standard input, or an unpacked
 * bundle folder. OSPACK_EREJECT names the first problem and the file it
 * concerns. Without trusted keys, integrity and completeness are checked and
 * result->authenticated is 0.
 *
 * Any other BagIt bag (one without ospack/: a folder, a tar, a .tar.gz or a
 * .tar.zst) is validated as RFC 8493 says, and result->plain is 1; warnings go
 * to the context's callback. For such a bag *out is set on OSPACK_EREJECT too,
 * its JSON saying "ok": false and the error. With trusted keys, a plain bag is
 * rejected: there is no signature to check.
 */
OSPACK_API ospack_error ospack_verify(struct ospack_ctx *ctx, const char *input,
				      const struct ospack_verify_opts *opts,
				      struct ospack_verify_result **out);
OSPACK_API void ospack_verify_result_free(struct ospack_verify_result *r);

/*
 * Verifies a bundle archive while unpacking it into dir, which must be empty or
 * new. Files go to a staging folder inside dir and are moved into place only
 * when every check passed: a rejected bundle leaves nothing. Nothing is written
 * outside dir, and no link is followed or created.
 */
OSPACK_API ospack_error ospack_extract(struct ospack_ctx *ctx, const char *input, const char *dir,
				       const struct ospack_verify_opts *opts,
				       struct ospack_verify_result **out);

/* ---- fetch ---- */

struct ospack_fetch_opts {
	unsigned jobs;		     /* downloads at a time; 0: 4 */
	unsigned verify_jobs;	     /* threads that hash the folder first; 0: the online CPUs */
	const char *tmpdir;	     /* where verify may spill; NULL: /tmp */
	ospack_progress_fn progress; /* or NULL: bytes and files downloaded */
	void *progress_arg;
};

struct ospack_fetch_result {
	char *bag;	   /* "<name>-<version>" */
	uint64_t files;	   /* url entries fetch.txt names */
	uint64_t fetched;  /* downloaded now */
	uint64_t skipped;  /* already there and right */
	uint64_t replaced; /* there but wrong: downloaded again */
	uint64_t bytes;	   /* downloaded now */
	char *json;	   /* the whole result as one compact JSON object */
};

/*
 * Downloads the files a bundle folder's fetch.txt names into it. The folder
 * is verified first, as ospack_verify does (no trusted key); each file is
 * streamed to a temporary file in the bag folder, hashed as it comes, stopped
 * once longer than the statement's size, and renamed into place only when its
 * size and digest are the statement's. A file already there and right is
 * skipped; one there and wrong is removed and downloaded again. OSPACK_EREJECT
 * when a download is not what the statement says, OSPACK_EIO when the network
 * or the server fails (the message names the URL).
 */
OSPACK_API ospack_error ospack_fetch(struct ospack_ctx *ctx, const char *dir,
				     const struct ospack_fetch_opts *opts,
				     struct ospack_fetch_result **out);
OSPACK_API void ospack_fetch_result_free(struct ospack_fetch_result *r);

/*
 * What a bundle says it holds (release, components, files, claimed signers,
 * openness), read from its statement without extracting or verifying. *text is
 * for people, *json one compact JSON object; either may be NULL.
 */
OSPACK_API ospack_error ospack_inspect(struct ospack_ctx *ctx, const char *input, char **text,
				       char **json);

/* One payload file as ospack_inspect_files() gives it; valid during the call only. */
struct ospack_inspect_file {
	const char *path;      /* in the bag, decoded: "data/SECTION/NAME/..." */
	const char *component; /* "SECTION/NAME" */
	uint64_t size;
	unsigned mode;	  /* 0644 or 0755 */
	const char *text; /* a line for people, "MODE SIZE  PATH" with the path escaped, no \n */
	const char *json; /* the same as one compact JSON object with sorted keys */
};
/* Returns 0 to go on; anything else stops the listing (ospack_inspect_files: OSPACK_EIO). */
typedef int (*ospack_inspect_file_fn)(void *arg, const struct ospack_inspect_file *f);

/*
 * Every payload file a bundle holds, in the statement's order: a v2 bundle's
 * ospack/files.txt, streamed (memory does not grow with the file count), or a
 * v1 statement's lists. Nothing is verified, but files.txt must have the digest
 * the statement gives it, and all of it is read and checked before the first
 * call of fn: a bundle rejected (OSPACK_EREJECT) gives no call at all. Files of
 * url entries (fetch.txt), not in the archive, are not listed. files.txt waits
 * in a nameless file in tmpdir (NULL: /tmp).
 */
OSPACK_API ospack_error ospack_inspect_files(struct ospack_ctx *ctx, const char *input,
					     const char *tmpdir, ospack_inspect_file_fn fn,
					     void *arg);

/* ---- registries: push, pull, ls ---- */

/*
 * A release as an OCI artifact in the ModelPack form (docs/registries.md): one
 * layer per component (a single file as it is, a folder as a reproducible
 * tar of its files), the bag's tag files and signed statement in a layer of
 * their own, and a ModelPack config. References are REGISTRY/REPOSITORY[:TAG]
 * or ...@sha256:HEX, or "oci-layout:DIR[:TAG]" for an OCI image layout folder.
 */
struct ospack_push_opts {
	const char *const *keys; /* trusted public keys the bundle is verified with first */
	size_t nkeys;
	int plain_http;		     /* http:// instead of https:// */
	const char *oci_layout;	     /* write an OCI image layout folder instead; ref is NULL */
	unsigned jobs;		     /* threads that verify; 0: the online CPUs */
	const char *tmpdir;	     /* NULL: /tmp */
	ospack_progress_fn progress; /* or NULL: bytes of the layers sent */
	void *progress_arg;
	/* a repository of the same registry to mount missing blobs from, or NULL */
	const char *mount_from;
};

struct ospack_push_result {
	char *reference;	 /* what was written: "REGISTRY/REPO:TAG" or "oci-layout:DIR:TAG" */
	char digest[72];	 /* the manifest's "sha256:..." */
	uint64_t layers;	 /* layers in the manifest */
	uint64_t blobs_uploaded; /* layers and config sent */
	uint64_t blobs_skipped;	 /* already there */
	uint64_t blobs_mounted;	 /* mounted from opts->mount_from */
	uint64_t bytes_sent;	 /* bytes of the blobs sent */
	char *json;		 /* the whole result as one compact JSON object */
};

/*
 * Verifies a bundle (archive or unpacked folder), then writes it to ref as an
 * artifact; blobs already there are not sent again, and the same bundle gives
 * the same manifest digest. OSPACK_EREJECT when the bundle does not verify,
 * OSPACK_EIO for network and registry errors.
 */
OSPACK_API ospack_error ospack_push(struct ospack_ctx *ctx, const char *bundle, const char *ref,
				    const struct ospack_push_opts *opts,
				    struct ospack_push_result **out);
OSPACK_API void ospack_push_result_free(struct ospack_push_result *r);

struct ospack_pull_opts {
	const char *const *keys; /* trusted public keys */
	size_t nkeys;
	int plain_http;
	const char *output;	 /* reassemble the bundle archive here, or NULL */
	const char *dir;	 /* or unpack into this empty or new folder */
	const char *const *only; /* "SECTION" or "SECTION/NAME": fetch only these (with dir) */
	size_t nonly;
	unsigned jobs; /* unused: files are hashed as they stream, one at a time */
	const char *tmpdir;
	ospack_progress_fn progress; /* or NULL: payload bytes and files received */
	void *progress_arg;
};

struct ospack_pull_result {
	char *reference;
	char digest[72]; /* the manifest's */
	char *bag;
	struct ospack_verify_result *verify; /* what the verification of the pulled bundle found */
	uint64_t blobs;			     /* blobs fetched */
	uint64_t bytes_received;
	char **left_out; /* components not pulled (--only), "SECTION/NAME" */
	size_t nleft_out;
	char *json;
};

/*
 * Pulls a release: the tag layer first, its signature checked against the
 * trusted keys before any payload byte is written; then each layer, hashed as
 * it streams and checked against the signed statement, into a staging folder
 * or temporary file that is moved into place only when everything verified.
 * OSPACK_EREJECT for a digest or signature that is wrong, OSPACK_EIO for network
 * and registry errors.
 */
OSPACK_API ospack_error ospack_pull(struct ospack_ctx *ctx, const char *ref,
				    const struct ospack_pull_opts *opts,
				    struct ospack_pull_result **out);
OSPACK_API void ospack_pull_result_free(struct ospack_pull_result *r);

/*
 * What a release in a registry holds, from its manifest and tag layer, without
 * its payload: opts gives plain_http and tmpdir (may be NULL). Nothing is verified.
 */
OSPACK_API ospack_error ospack_ls(struct ospack_ctx *ctx, const char *ref,
				  const struct ospack_pull_opts *opts, char **text, char **json);

/* What ospack_diff reads a registry reference with; zeroes for the defaults. */
struct ospack_diff_opts {
	int plain_http;
	const char *tmpdir;
};

/*
 * What changed from release a to release b: each a bundle archive, an unpacked
 * bundle folder, a registry reference or oci-layout:DIR[:TAG]. Reads statements
 * and tag files only, and verifies nothing. *text is for people, *json one
 * object with sorted keys (either may be NULL); *differ is 1 when they differ.
 */
OSPACK_API ospack_error ospack_diff(struct ospack_ctx *ctx, const char *a, const char *b,
				    const struct ospack_diff_opts *opts, char **text, char **json,
				    int *differ);

/*
 * Scaffolds a manifest for the release in folder dir from what it holds:
 * checkpoints, code (a git repository pinned to its HEAD commit), datasets,
 * docs, evaluation results and a LICENSE file recognised as an SPDX id. The
 * YAML, with a comment wherever a person must decide, goes to *yaml (free with
 * ospack_free). When out is not NULL it is also written there, atomically and
 * never over an existing file (OSPACK_EINPUT naming it). A folder holding
 * nothing to describe is OSPACK_EINPUT; *todos counts what must be filled in.
 */
OSPACK_API ospack_error ospack_init(struct ospack_ctx *ctx, const char *dir, const char *out,
				    char **yaml, unsigned *todos);

#ifdef __cplusplus
}
#endif
#endif
