/* SPDX-License-Identifier: Apache-2.0 */
/* The manifest loader: strict YAML (libyaml) into struct ospack_manifest, with located errors. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "git.h"
#include "license.h"
#include "manifest.h"
#include "modelcard.h"
#include "suggest.h"
#include "yamlerr.h"

#define MANIFEST_MAX_BYTES (4u * 1024 * 1024)
/* Node visits allowed: aliases can make a small file look big, never unboundedly so. */
#define MANIFEST_MAX_VISITS 200000
/*
 * Bytes of scalars visited, aliases expanded: what the loader may copy or compare.
 * Without aliases a manifest never comes near it (a scalar is never longer than its text).
 */
#define MANIFEST_MAX_EXPANDED (8u * 1024 * 1024)
#define MANIFEST_MAX_DEPTH 32
/* Every file is matched against every pattern: both bounds keep that cost small. */
/* Entries in all sections: each is a component of the statement, whose size verify bounds. */
#define MANIFEST_MAX_ENTRIES 10000
#define EXCLUDE_MAX_PATTERNS 256
#define EXCLUDE_MAX_LEN 1000
#define NAME_MAX_LEN 128

struct loader {
	struct ospack_ctx *ctx;
	const char *file;
	const char *dir;
	yaml_document_t doc;
	size_t visits;
	size_t expanded; /* bytes of the scalars visited */
	char *realdir;	 /* the manifest's folder, symbolic links resolved; NULL until needed */
	struct ospack_manifest *m;
};

static const char *const section_names[OSP_NSECTIONS] = {"datasets", "code", "checkpoints", "evals",
							 "docs"};

const char *osp_section_name(enum osp_section s)
{
	return section_names[s];
}

void osp_entry_label(const struct osp_entry *e, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s[%zu]", section_names[e->section], e->index);
}

static struct osp_pos node_pos(const yaml_node_t *n)
{
	struct osp_pos p = {(unsigned)n->start_mark.line + 1, (unsigned)n->start_mark.column + 1};

	return p;
}

static ospack_error lerr(struct loader *L, struct osp_pos p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static ospack_error lerr(struct loader *L, struct osp_pos p, const char *key, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osp_error(L->ctx, OSPACK_EMANIFEST, "%s:%u:%u: %s: %s", L->file, p.line, p.col, key,
			 msg);
}

static ospack_error nerr(struct loader *L, const yaml_node_t *n, const char *key, const char *what)
{
	return lerr(L, node_pos(n), key, "%s", what);
}

/* Counts a scalar's bytes, as often as aliases make the loader see it. */
static ospack_error expand(struct loader *L, const yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE)
		return OSPACK_OK;
	L->expanded += n->data.scalar.length;
	if (L->expanded > MANIFEST_MAX_EXPANDED)
		return lerr(L, node_pos(n), key,
			    "the manifest's text, aliases expanded, exceeds %u MiB",
			    MANIFEST_MAX_EXPANDED / (1024 * 1024));
	return OSPACK_OK;
}

static ospack_error visit(struct loader *L, const yaml_node_t *n, const char *key)
{
	if (++L->visits > MANIFEST_MAX_VISITS)
		return nerr(L, n, key, "too many nodes (aliases expand beyond the limit)");
	return expand(L, n, key);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static bool is_null(const yaml_node_t *n)
{
	const char *s;

	if (!is_plain(n))
		return false;
	s = scalar(n);
	return s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* A string value: any non-null scalar, valid UTF-8 without control characters. */
static ospack_error get_str(struct loader *L, const yaml_node_t *n, const char *key, char **out)
{
	const char *s;
	size_t len;

	if (n->type != YAML_SCALAR_NODE || is_null(n))
		return nerr(L, n, key, "expected a string");
	s = scalar(n);
	len = n->data.scalar.length;
	if (strlen(s) != len || !osp_utf8_valid(s, len))
		return nerr(L, n, key, "not valid UTF-8 text");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n' && s[i] != '\t')
			return nerr(L, n, key, "control characters are not allowed");
	free(*out);
	*out = osp_strdup(s);
	return *out ? OSPACK_OK : osp_nomem(L->ctx);
}

/* A one-line string: no newline or tab either. */
static ospack_error get_line(struct loader *L, const yaml_node_t *n, const char *key, char **out)
{
	ospack_error rc = get_str(L, n, key, out);

	if (rc == OSPACK_OK && strpbrk(*out, "\n\t") != NULL)
		return nerr(L, n, key, "must be a single line");
	if (rc == OSPACK_OK && (*out)[0] == '\0')
		return nerr(L, n, key, "must not be empty");
	return rc;
}

static ospack_error get_int(struct loader *L, const yaml_node_t *n, const char *key, int64_t min,
			    int64_t *out)
{
	const char *s = n->type == YAML_SCALAR_NODE ? scalar(n) : "";
	char *end;
	long long v;

	if (!is_plain(n) || s[0] == '\0' || s[0] == '+' || (s[0] == '0' && s[1] != '\0'))
		return nerr(L, n, key, "expected an integer");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return nerr(L, n, key, "expected an integer");
	if (v < min)
		return lerr(L, node_pos(n), key, "must be at least %lld", (long long)min);
	*out = v;
	return OSPACK_OK;
}

static ospack_error get_bool(struct loader *L, const yaml_node_t *n, const char *key, bool *out)
{
	if (is_plain(n) && strcmp(scalar(n), "true") == 0)
		*out = true;
	else if (is_plain(n) && strcmp(scalar(n), "false") == 0)
		*out = false;
	else
		return nerr(L, n, key, "expected true or false");
	return OSPACK_OK;
}

static ospack_error get_number(struct loader *L, const yaml_node_t *n, const char *key,
			       struct osp_metric *out)
{
	const char *s = n->type == YAML_SCALAR_NODE ? scalar(n) : "";
	char *end;
	double v;

	if (!is_plain(n) || s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
		return nerr(L, n, key, "expected a number");
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v))
		return nerr(L, n, key, "expected a number");
	out->value = v;
	out->integer = strspn(s, "0123456789-") == strlen(s) && fabs(v) < 9007199254740992.0;
	return OSPACK_OK;
}

static ospack_error get_enum(struct loader *L, const yaml_node_t *n, const char *key,
			     const char *const *allowed, char **out)
{
	char list[256] = "";
	ospack_error rc = get_line(L, n, key, out);

	if (rc != OSPACK_OK)
		return rc;
	for (size_t i = 0; allowed[i] != NULL; i++)
		if (strcmp(*out, allowed[i]) == 0)
			return OSPACK_OK;
	for (size_t i = 0; allowed[i] != NULL; i++) {
		size_t len = strlen(list);

		snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", allowed[i]);
	}
	return lerr(L, node_pos(n), key, "'%s' is not one of %s", *out, list);
}

/* Iterates a mapping, rejecting non-scalar and duplicate keys. */
struct pair {
	const char *key;
	const yaml_node_t *knode, *value;
	size_t index;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = *(const struct pair *const *)a, *y = *(const struct pair *const *)b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Sorting finds duplicates in n log n: a manifest of many keys stays fast. */
static ospack_error check_dup_keys(struct loader *L, struct pair *v, size_t n)
{
	struct pair **sorted = calloc(n ? n : 1, sizeof(*sorted));
	const struct pair *dup = NULL, *first = v;

	if (sorted == NULL)
		return osp_nomem(L->ctx);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &v[i];
	qsort(sorted, n, sizeof(*sorted), pair_cmp);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(sorted[i - 1]->key, sorted[i]->key) != 0)
			continue;
		if (dup == NULL || sorted[i]->index < dup->index)
			dup = sorted[i];
	}
	free(sorted);
	if (dup == NULL)
		return OSPACK_OK;
	while (strcmp(first->key, dup->key) != 0)
		first++;
	return lerr(L, node_pos(dup->knode), dup->key, "duplicate key (first at line %u)",
		    node_pos(first->knode).line);
}

static ospack_error map_pairs(struct loader *L, const yaml_node_t *n, const char *what,
			      struct pair **out, size_t *npairs)
{
	yaml_node_pair_t *p, *end;
	size_t count, i = 0;
	struct pair *v;

	*out = NULL;
	*npairs = 0;
	if (n->type != YAML_MAPPING_NODE)
		return nerr(L, n, what, "expected a mapping");
	p = n->data.mapping.pairs.start;
	end = n->data.mapping.pairs.top;
	count = (size_t)(end - p);
	v = calloc(count ? count : 1, sizeof(*v));
	if (v == NULL)
		return osp_nomem(L->ctx);
	for (; p < end; p++, i++) {
		v[i].index = i;
		v[i].knode = yaml_document_get_node(&L->doc, p->key);
		v[i].value = yaml_document_get_node(&L->doc, p->value);
		/* Keys count too: an aliased key is compared, and may be copied. */
		if (expand(L, v[i].knode, what) != OSPACK_OK ||
		    visit(L, v[i].value, what) != OSPACK_OK)
			goto fail;
		if (v[i].knode->type != YAML_SCALAR_NODE) {
			nerr(L, v[i].knode, what, "keys must be strings");
			goto fail;
		}
		v[i].key = scalar(v[i].knode);
	}
	if (check_dup_keys(L, v, count) != OSPACK_OK)
		goto fail;
	*out = v;
	*npairs = count;
	return OSPACK_OK;
fail:
	free(v);
	return L->ctx->code;
}

static ospack_error get_strv(struct loader *L, const yaml_node_t *n, const char *key,
			     struct osp_strv *out)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return nerr(L, n, key, "expected a list of strings");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		const yaml_node_t *item = yaml_document_get_node(&L->doc, *it);
		char *s = NULL;
		ospack_error rc = visit(L, item, key);

		if (rc == OSPACK_OK)
			rc = get_line(L, item, key, &s);
		if (rc != OSPACK_OK) {
			free(s);
			return rc;
		}
		if (osp_strv_push_owned(out, s) != 0)
			return osp_nomem(L->ctx);
	}
	return OSPACK_OK;
}

static bool name_ok(const char *s, const char *first, const char *rest)
{
	size_t len = strlen(s);

	return len > 0 && len <= NAME_MAX_LEN && strchr(first, s[0]) != NULL &&
	       strspn(s, rest) == len;
}

#define LOWER_DIGITS "abcdefghijklmnopqrstuvwxyz0123456789"
#define ALNUM LOWER_DIGITS "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static ospack_error check_license(struct loader *L, const yaml_node_t *n, const char *key,
				  char **expr)
{
	struct osp_spdx *e = NULL;
	ospack_error rc = get_line(L, n, key, expr);
	char *canon;

	if (rc != OSPACK_OK)
		return rc;
	rc = osp_spdx_parse(L->ctx, *expr, &e);
	if (rc != OSPACK_OK) {
		char detail[sizeof(L->ctx->msg)];

		const char *hint = osp_suggest_license(*expr);

		memcpy(detail, L->ctx->msg, sizeof(detail));
		return lerr(L, node_pos(n), key, "invalid license expression: %s%s%s%s", detail,
			    hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
	}
	canon = osp_spdx_string(e);
	osp_spdx_free(e);
	if (canon == NULL)
		return osp_nomem(L->ctx);
	free(*expr);
	*expr = canon;
	return OSPACK_OK;
}

static char *resolve(const char *dir, const char *path)
{
	if (path[0] == '/' || strcmp(dir, ".") == 0)
		return osp_strdup(path);
	return osp_asprintf("%s/%s", dir, path);
}

/* The keys an entry may have, and where each is allowed. */
enum ekey {
	K_NAME,
	K_PATH,
	K_GIT,
	K_URL,
	K_LICENSE,
	K_DESCRIPTION,
	K_EXCLUDE,
	K_FOLLOW,
	K_REV,
	K_SUBDIR,
	K_LFS,
	K_REPOSITORY,
	K_SHA256,
	K_SHA512,
	K_SIZE,
	K_ROLE,
	K_TYPE,
	K_FINAL,
	K_STEP,
	K_DATASET,
	K_METRICS,
	K_METRICS_FROM,
	K_COUNT
};

#define ALL_SECTIONS ((1u << OSP_NSECTIONS) - 1)
#define SEC(s) (1u << (s))

static const struct {
	const char *name;
	unsigned sections;
} ekeys[K_COUNT] = {
	[K_NAME] = {"name", ALL_SECTIONS},
	[K_PATH] = {"path", ALL_SECTIONS},
	[K_GIT] = {"git", ALL_SECTIONS},
	[K_URL] = {"url", ALL_SECTIONS},
	[K_LICENSE] = {"license", ALL_SECTIONS},
	[K_DESCRIPTION] = {"description", ALL_SECTIONS},
	[K_EXCLUDE] = {"exclude", ALL_SECTIONS},
	[K_FOLLOW] = {"follow_symlinks", ALL_SECTIONS},
	[K_REV] = {"rev", ALL_SECTIONS},
	[K_SUBDIR] = {"subdir", ALL_SECTIONS},
	[K_LFS] = {"lfs", ALL_SECTIONS},
	[K_REPOSITORY] = {"repository", ALL_SECTIONS},
	[K_SHA256] = {"sha256", ALL_SECTIONS},
	[K_SHA512] = {"sha512", ALL_SECTIONS},
	[K_SIZE] = {"size", ALL_SECTIONS},
	[K_ROLE] = {"role", SEC(OSP_DATASETS) | SEC(OSP_CODE)},
	[K_TYPE] = {"type", SEC(OSP_DOCS)},
	[K_FINAL] = {"final", SEC(OSP_CHECKPOINTS)},
	[K_STEP] = {"step", SEC(OSP_CHECKPOINTS)},
	[K_DATASET] = {"dataset", SEC(OSP_EVALS)},
	[K_METRICS] = {"metrics", SEC(OSP_EVALS)},
	[K_METRICS_FROM] = {"metrics_from", SEC(OSP_EVALS)},
};

static const char *const dataset_roles[] = {"training", "evaluation", "validation", NULL};
static const char *const code_roles[] = {"training",	 "inference", "evaluation", "preprocessing",
					 "architecture", "library",   NULL};
static const char *const doc_types[] = {"model-card", "data-card", "paper", "technical-report",
					"license",    "other",	   NULL};
static const char *const lfs_modes[] = {"error", "pointers", NULL};

struct seen {
	unsigned mask;
	struct osp_pos pos[K_COUNT];
};

static ospack_error get_metrics(struct loader *L, struct osp_entry *e, const yaml_node_t *n,
				const char *key)
{
	struct pair *pairs = NULL;
	size_t npairs = 0;
	ospack_error rc = map_pairs(L, n, key, &pairs, &npairs);

	if (rc != OSPACK_OK)
		return rc;
	e->metrics = calloc(npairs ? npairs : 1, sizeof(*e->metrics));
	if (e->metrics == NULL) {
		rc = osp_nomem(L->ctx);
		goto out;
	}
	for (size_t i = 0; i < npairs; i++) {
		struct osp_metric *mt = &e->metrics[i];

		e->nmetrics++; /* counted now, so a rejected name is freed too */
		rc = get_line(L, pairs[i].knode, key, &mt->name);
		if (rc == OSPACK_OK)
			rc = get_number(L, pairs[i].value, key, mt);
		if (rc != OSPACK_OK)
			goto out;
	}
out:
	free(pairs);
	return rc;
}

/* role: one role, or a list of them (one repository can serve several purposes). */
static ospack_error get_roles(struct loader *L, struct osp_entry *e, const yaml_node_t *n,
			      const char *key)
{
	const char *const *allowed = e->section == OSP_CODE ? code_roles : dataset_roles;
	const yaml_node_item_t *it, *top;
	ospack_error rc = OSPACK_OK;

	if (n->type != YAML_SEQUENCE_NODE) {
		rc = get_enum(L, n, key, allowed, &e->role);
		if (rc == OSPACK_OK && osp_strv_push(&e->roles, e->role) != 0)
			rc = osp_nomem(L->ctx);
		return rc;
	}
	it = n->data.sequence.items.start;
	top = n->data.sequence.items.top;
	if (it == top)
		return nerr(L, n, key, "the list of roles must not be empty");
	for (; rc == OSPACK_OK && it < top; it++) {
		const yaml_node_t *item = yaml_document_get_node(&L->doc, *it);
		char *r = NULL;

		rc = visit(L, item, key);
		if (rc == OSPACK_OK)
			rc = get_enum(L, item, key, allowed, &r);
		for (size_t i = 0; rc == OSPACK_OK && i < e->roles.n; i++)
			if (strcmp(e->roles.v[i], r) == 0)
				rc = lerr(L, node_pos(item), key, "'%s' is listed twice", r);
		if (rc == OSPACK_OK && osp_strv_push_owned(&e->roles, r) != 0)
			rc = osp_nomem(L->ctx);
		else if (rc != OSPACK_OK)
			free(r);
	}
	if (rc == OSPACK_OK && (e->role = osp_strdup(e->roles.v[0])) == NULL)
		rc = osp_nomem(L->ctx);
	return rc;
}

static ospack_error get_hex(struct loader *L, const yaml_node_t *n, const char *key, size_t len,
			    char **out)
{
	ospack_error rc = get_line(L, n, key, out);

	if (rc != OSPACK_OK)
		return rc;
	for (char *c = *out; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	if (strlen(*out) != len || !osp_is_lower_hex(*out, len))
		return lerr(L, node_pos(n), key, "expected %zu hexadecimal digits", len);
	return OSPACK_OK;
}

static ospack_error get_exclude(struct loader *L, struct osp_entry *e, const yaml_node_t *v,
				const char *kn)
{
	size_t n;
	ospack_error rc;

	if (v->type == YAML_SEQUENCE_NODE) {
		n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		if (n > EXCLUDE_MAX_PATTERNS)
			return lerr(L, node_pos(v), kn, "%zu patterns; at most %d are allowed", n,
				    EXCLUDE_MAX_PATTERNS);
	}
	rc = get_strv(L, v, kn, &e->exclude);
	for (size_t i = 0; rc == OSPACK_OK && i < e->exclude.n; i++)
		if (strlen(e->exclude.v[i]) > EXCLUDE_MAX_LEN)
			return lerr(L,
				    node_pos(yaml_document_get_node(
					    &L->doc, v->data.sequence.items.start[i])),
				    kn, "a pattern longer than %d bytes", EXCLUDE_MAX_LEN);
	return rc;
}

/*
 * The repository's public URL, for the statement: never a local path, which
 * would differ between clones and tell a reader nothing. Credentials go.
 */
static ospack_error get_repository(struct loader *L, struct osp_entry *e, const yaml_node_t *v,
				   const char *kn)
{
	const char *why;
	char *url = NULL;
	ospack_error rc = get_line(L, v, kn, &url);

	if (rc != OSPACK_OK)
		goto out;
	if ((why = osp_git_url_problem(url)) != NULL) {
		rc = lerr(L, node_pos(v), kn,
			  "%s: %s (give https://, http://, ssh://, git:// or user@host:path)", url,
			  why);
		goto out;
	}
	free(e->repository);
	if ((e->repository = osp_git_strip_credentials(url)) == NULL) {
		rc = osp_nomem(L->ctx);
		goto out;
	}
	if (strcmp(e->repository, url) != 0)
		osp_warn(L->ctx, "%s:%u:%u: %s: credentials removed from the URL", L->file,
			 node_pos(v).line, node_pos(v).col, kn);
out:
	free(url);
	return rc;
}

/* " (did you mean 'x'?)" when a key valid here is close to key, else "". */
static void key_hint(const char *key, const char *const *cands, char *out, size_t n)
{
	const char *s = osp_suggest_word(key, cands);

	if (s != NULL)
		snprintf(out, n, " (did you mean '%s'?)", s);
}

static void entry_key_hint(enum osp_section sec, const char *key, char *out, size_t n)
{
	const char *cands[K_COUNT + 1];
	size_t nc = 0;

	for (int j = 0; j < K_COUNT; j++)
		if (ekeys[j].sections & SEC(sec))
			cands[nc++] = ekeys[j].name;
	cands[nc] = NULL;
	key_hint(key, cands, out, n);
}

static ospack_error entry_value(struct loader *L, struct osp_entry *e, enum ekey k,
				const yaml_node_t *v, const char *kn)
{
	int64_t num;
	ospack_error rc;

	switch (k) {
	case K_NAME:
		if (get_line(L, v, kn, &e->name) != OSPACK_OK)
			return L->ctx->code;
		if (!name_ok(e->name, ALNUM, ALNUM "._-"))
			return nerr(
				L, v, kn,
				"must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 128 characters)");
		return OSPACK_OK;
	case K_PATH:
	case K_GIT:
	case K_URL:
		return get_line(L, v, kn, &e->src);
	case K_LICENSE:
		return check_license(L, v, kn, &e->license);
	case K_DESCRIPTION:
		return get_str(L, v, kn, &e->description);
	case K_EXCLUDE:
		return get_exclude(L, e, v, kn);
	case K_FOLLOW:
		return get_bool(L, v, kn, &e->follow_symlinks);
	case K_REV:
		return get_line(L, v, kn, &e->rev);
	case K_SUBDIR:
		return get_line(L, v, kn, &e->subdir);
	case K_REPOSITORY:
		return get_repository(L, e, v, kn);
	case K_LFS: {
		char *mode = NULL;

		rc = get_enum(L, v, kn, lfs_modes, &mode);
		e->lfs_pointers = rc == OSPACK_OK && strcmp(mode, "pointers") == 0;
		free(mode);
		return rc;
	}
	case K_SHA256:
		return get_hex(L, v, kn, 64, &e->sha256);
	case K_SHA512:
		return get_hex(L, v, kn, 128, &e->sha512);
	case K_SIZE:
		rc = get_int(L, v, kn, 0, &num);
		e->size = (uint64_t)num;
		return rc;
	case K_ROLE:
		return get_roles(L, e, v, kn);
	case K_TYPE:
		return get_enum(L, v, kn, doc_types, &e->role);
	case K_FINAL:
		return get_bool(L, v, kn, &e->final);
	case K_STEP:
		e->has_step = true;
		return get_int(L, v, kn, 0, &e->step);
	case K_DATASET:
		return get_line(L, v, kn, &e->dataset);
	case K_METRICS:
		return get_metrics(L, e, v, kn);
	case K_METRICS_FROM:
		return get_line(L, v, kn, &e->metrics_from);
	case K_COUNT:
		break;
	}
	return OSPACK_OK;
}

/* Keys that only make sense with one kind of source. */
static ospack_error check_source_keys(struct loader *L, struct osp_entry *e, const struct seen *sn,
				      const char *label)
{
	static const struct {
		enum ekey key;
		enum osp_source source;
	} only[] = {
		{K_REV, OSP_SRC_GIT},	     {K_SUBDIR, OSP_SRC_GIT},	{K_LFS, OSP_SRC_GIT},
		{K_REPOSITORY, OSP_SRC_GIT}, {K_SHA256, OSP_SRC_URL},	{K_SHA512, OSP_SRC_URL},
		{K_SIZE, OSP_SRC_URL},	     {K_EXCLUDE, OSP_SRC_PATH}, {K_FOLLOW, OSP_SRC_PATH}};
	static const char *const src_key[] = {"path", "git", "url"};
	char kn[192];

	for (size_t i = 0; i < OSP_ARRAY_LEN(only); i++) {
		enum ekey k = only[i].key;

		if (!(sn->mask & (1u << k)) || e->source == only[i].source)
			continue;
		/* follow_symlinks and exclude apply to git trees as well. */
		if ((k == K_FOLLOW || k == K_EXCLUDE) && e->source == OSP_SRC_GIT)
			continue;
		snprintf(kn, sizeof(kn), "%s.%s", label, ekeys[k].name);
		return lerr(L, sn->pos[k], kn, "only allowed with %s%s",
			    k == K_FOLLOW || k == K_EXCLUDE ? "path or git"
							    : src_key[only[i].source],
			    " sources");
	}
	return OSPACK_OK;
}

static ospack_error check_url_entry(struct loader *L, struct osp_entry *e, const struct seen *sn,
				    const char *label)
{
	char kn[192];
	const char *colon = strstr(e->src, "://");

	snprintf(kn, sizeof(kn), "%s.url", label);
	if (colon == NULL || colon == e->src || colon[3] == '\0' || strchr(e->src, ' ') != NULL)
		return lerr(L, e->src_pos, kn, "not a URL: %s", e->src);
	if (!(sn->mask & (1u << K_SHA256))) {
		snprintf(kn, sizeof(kn), "%s.sha256", label);
		return lerr(L, e->pos, kn, "required for url entries");
	}
	if (!(sn->mask & (1u << K_SIZE))) {
		snprintf(kn, sizeof(kn), "%s.size", label);
		return lerr(L, e->pos, kn, "required for url entries");
	}
	return OSPACK_OK;
}

/* Whether path, made absolute and without symbolic links, is dir or inside it. */
static bool is_inside(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * A source outside the manifest's folder (absolute, climbing with "..", or
 * reached through a symbolic link) is marked: a build must be allowed to read it.
 */
static ospack_error mark_outside(struct loader *L, struct osp_entry *e, const char *kn)
{
	char *real;

	if (L->realdir == NULL && (L->realdir = realpath(L->dir, NULL)) == NULL)
		return lerr(L, e->src_pos, kn, "%s: cannot resolve the manifest's folder: %s",
			    L->dir, strerror(errno));
	real = realpath(e->abs, NULL);
	if (real == NULL)
		return lerr(L, e->src_pos, kn, "%s: %s", e->src, strerror(errno));
	e->outside = !is_inside(L->realdir, real);
	free(real);
	return OSPACK_OK;
}

static ospack_error check_fs_source(struct loader *L, struct osp_entry *e, const struct seen *sn,
				    const char *label)
{
	char kn[192];
	struct stat st;

	snprintf(kn, sizeof(kn), "%s.%s", label, e->source == OSP_SRC_GIT ? "git" : "path");
	e->abs = resolve(L->dir, e->src);
	if (e->abs == NULL)
		return osp_nomem(L->ctx);
	/* A path source is taken as it is: a link at its top is followed only when asked to. */
	if (lstat(e->abs, &st) != 0)
		return lerr(L, e->src_pos, kn, "%s: %s", e->src,
			    errno == ENOENT ? "no such file or folder" : strerror(errno));
	if (S_ISLNK(st.st_mode) && e->source == OSP_SRC_PATH && !e->follow_symlinks)
		return lerr(L, e->src_pos, kn,
			    "%s: a symbolic link (set follow_symlinks: true to bundle what it "
			    "points to)",
			    e->src);
	if (S_ISLNK(st.st_mode) && stat(e->abs, &st) != 0)
		return lerr(L, e->src_pos, kn, "%s: broken symbolic link: %s", e->src,
			    strerror(errno));
	if (e->source == OSP_SRC_GIT && !S_ISDIR(st.st_mode))
		return lerr(L, e->src_pos, kn, "%s: not a folder", e->src);
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return lerr(L, e->src_pos, kn, "%s: not a regular file or folder", e->src);
	if (e->source == OSP_SRC_PATH && mark_outside(L, e, kn) != OSPACK_OK)
		return L->ctx->code;
	snprintf(kn, sizeof(kn), "%s.subdir", label);
	if (e->source == OSP_SRC_GIT && e->subdir != NULL &&
	    (e->subdir[0] == '/' || osp_check_relpath(L->ctx, "subdir", e->subdir) != OSPACK_OK))
		return lerr(L, sn->pos[K_SUBDIR], kn,
			    "%s: must be a relative path inside the repository", e->subdir);
	return OSPACK_OK;
}

static ospack_error entry_source(struct loader *L, struct osp_entry *e, const struct seen *sn,
				 const char *label)
{
	unsigned srcs = sn->mask & ((1u << K_PATH) | (1u << K_GIT) | (1u << K_URL));
	ospack_error rc;

	if (srcs == 0 || (srcs & (srcs - 1)) != 0)
		return lerr(L, e->pos, label, "needs exactly one of path, git or url");
	e->source = srcs == (1u << K_PATH)  ? OSP_SRC_PATH
		    : srcs == (1u << K_GIT) ? OSP_SRC_GIT
					    : OSP_SRC_URL;
	e->src_pos = sn->pos[e->source == OSP_SRC_PATH	? K_PATH
			     : e->source == OSP_SRC_GIT ? K_GIT
							: K_URL];
	rc = check_source_keys(L, e, sn, label);
	if (rc != OSPACK_OK)
		return rc;
	if (e->source == OSP_SRC_URL)
		return check_url_entry(L, e, sn, label);
	return check_fs_source(L, e, sn, label);
}

static ospack_error entry_defaults(struct loader *L, struct osp_entry *e, const struct seen *sn,
				   const char *label)
{
	char kn[192];

	if (e->name == NULL) {
		snprintf(kn, sizeof(kn), "%s.name", label);
		return lerr(L, e->pos, kn, "required key missing");
	}
	if (e->section == OSP_DATASETS && e->role == NULL &&
	    ((e->role = osp_strdup("training")) == NULL || osp_strv_push(&e->roles, e->role) != 0))
		return osp_nomem(L->ctx);
	if ((e->section == OSP_CODE || e->section == OSP_DOCS) && e->role == NULL) {
		snprintf(kn, sizeof(kn), "%s.%s", label, e->section == OSP_CODE ? "role" : "type");
		return lerr(L, e->pos, kn, "required key missing");
	}
	if (e->license == NULL && L->m->license != NULL) {
		e->license = osp_strdup(L->m->license);
		if (e->license == NULL)
			return osp_nomem(L->ctx);
		e->license_inherited = true;
	}
	return entry_source(L, e, sn, label);
}

/* metrics_from: a model card inside the manifest's folder, its model-index read as metrics. */
static ospack_error load_metrics_from(struct loader *L, struct osp_entry *e, const struct seen *sn,
				      const char *label)
{
	struct osp_pos p = sn->pos[K_METRICS_FROM];
	char kn[192], msg[sizeof(L->ctx->msg)], *abs = NULL, *real = NULL;
	struct stat st;
	ospack_error rc;

	snprintf(kn, sizeof(kn), "%s.metrics_from", label);
	if (sn->mask & (1u << K_METRICS))
		return lerr(L, p, kn, "give metrics or metrics_from, not both");
	if (osp_check_relpath(L->ctx, "metrics_from", e->metrics_from) != OSPACK_OK)
		return lerr(L, p, kn, "%s: must be a relative path inside the manifest's folder",
			    e->metrics_from);
	if ((abs = resolve(L->dir, e->metrics_from)) == NULL)
		return osp_nomem(L->ctx);
	if (lstat(abs, &st) != 0) {
		rc = lerr(L, p, kn, "%s: %s", e->metrics_from,
			  errno == ENOENT ? "no such file" : strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = lerr(L, p, kn, "%s: %s", e->metrics_from,
			  S_ISLNK(st.st_mode) ? "a symbolic link, not a file"
					      : "not a regular file");
		goto out;
	}
	if ((L->realdir == NULL && (L->realdir = realpath(L->dir, NULL)) == NULL) ||
	    (real = realpath(abs, NULL)) == NULL || !is_inside(L->realdir, real)) {
		rc = lerr(L, p, kn, "%s: not inside the manifest's folder", e->metrics_from);
		goto out;
	}
	rc = osp_modelcard_metrics(L->ctx, abs, abs, &e->metrics, &e->nmetrics);
	if (rc == OSPACK_EMANIFEST) {
		memcpy(msg, L->ctx->msg, sizeof(msg));
		rc = osp_error(L->ctx, rc, "%s (read for %s at %s:%u:%u)", msg, kn, L->file, p.line,
			       p.col);
	}
out:
	free(abs);
	free(real);
	return rc;
}

static ospack_error load_entry(struct loader *L, struct osp_entry *e, const yaml_node_t *n)
{
	struct pair *pairs = NULL;
	size_t npairs = 0;
	struct seen sn = {0};
	char label[64], kn[192];
	ospack_error rc;

	osp_entry_label(e, label, sizeof(label));
	rc = map_pairs(L, n, label, &pairs, &npairs);
	for (size_t i = 0; rc == OSPACK_OK && i < npairs; i++) {
		enum ekey k = K_COUNT;

		for (int j = 0; j < K_COUNT; j++)
			if (strcmp(pairs[i].key, ekeys[j].name) == 0)
				k = (enum ekey)j;
		snprintf(kn, sizeof(kn), "%s.%s", label, pairs[i].key);
		if (k == K_COUNT || !(ekeys[k].sections & SEC(e->section))) {
			char hint[96] = "";

			if (k == K_COUNT)
				entry_key_hint(e->section, pairs[i].key, hint, sizeof(hint));
			rc = lerr(L, node_pos(pairs[i].knode), kn, "unknown key%s%s%s",
				  k == K_COUNT ? "" : " in ",
				  k == K_COUNT ? "" : section_names[e->section], hint);
			break;
		}
		sn.mask |= 1u << k;
		sn.pos[k] = node_pos(pairs[i].value);
		if (k == K_LICENSE)
			e->license_pos = sn.pos[k];
		rc = entry_value(L, e, k, pairs[i].value, kn);
	}
	free(pairs);
	if (rc == OSPACK_OK)
		rc = entry_defaults(L, e, &sn, label);
	if (rc == OSPACK_OK && e->metrics_from != NULL)
		rc = load_metrics_from(L, e, &sn, label);
	return rc;
}

static int entry_name_cmp(const void *a, const void *b)
{
	const struct osp_entry *x = *(const struct osp_entry *const *)a;
	const struct osp_entry *y = *(const struct osp_entry *const *)b;
	int c = x->section != y->section ? (x->section < y->section ? -1 : 1)
					 : strcmp(x->name, y->name);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Entry names are unique within a section; sorting keeps this fast for many entries. */
static ospack_error check_unique(struct loader *L)
{
	size_t n = L->m->nentries;
	const struct osp_entry **sorted = calloc(n ? n : 1, sizeof(*sorted));
	const struct osp_entry *dup = NULL, *first;
	char label[64], kn[192];

	if (sorted == NULL)
		return osp_nomem(L->ctx);
	for (size_t i = 0; i < n; i++)
		sorted[i] = &L->m->entries[i];
	qsort(sorted, n, sizeof(*sorted), entry_name_cmp);
	for (size_t i = 1; i < n; i++) {
		if (sorted[i - 1]->section != sorted[i]->section ||
		    strcmp(sorted[i - 1]->name, sorted[i]->name) != 0)
			continue;
		if (dup == NULL || sorted[i] < dup)
			dup = sorted[i];
	}
	free(sorted);
	if (dup == NULL)
		return OSPACK_OK;
	for (first = L->m->entries;
	     first->section != dup->section || strcmp(first->name, dup->name); first++)
		;
	osp_entry_label(dup, label, sizeof(label));
	snprintf(kn, sizeof(kn), "%s.name", label);
	return lerr(L, dup->pos, kn, "duplicate entry name '%s' (also %s[%zu])", dup->name,
		    section_names[first->section], first->index);
}

static ospack_error check_refs(struct loader *L, const struct osp_entry *e,
			       const struct osp_entry **final)
{
	char label[64], kn[192];

	osp_entry_label(e, label, sizeof(label));
	if (e->section == OSP_CHECKPOINTS && e->final) {
		if (*final != NULL) {
			snprintf(kn, sizeof(kn), "%s.final", label);
			return lerr(L, e->pos, kn,
				    "only one checkpoint can be final (also checkpoints[%zu])",
				    (*final)->index);
		}
		*final = e;
	}
	if (e->section != OSP_EVALS || e->dataset == NULL)
		return OSPACK_OK;
	for (size_t i = 0; i < L->m->nentries; i++) {
		const struct osp_entry *d = &L->m->entries[i];

		if (d->section == OSP_DATASETS && strcmp(d->name, e->dataset) == 0)
			return OSPACK_OK;
	}
	snprintf(kn, sizeof(kn), "%s.dataset", label);
	return lerr(L, e->pos, kn, "no dataset entry is named '%s'", e->dataset);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct osp_entry *x = a, *y = b;

	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static ospack_error check_entries(struct loader *L)
{
	const struct osp_entry *final = NULL;
	ospack_error rc = OSPACK_OK;

	if (L->m->nentries > 1)
		qsort(L->m->entries, L->m->nentries, sizeof(*L->m->entries), entry_cmp);
	rc = check_unique(L);
	for (size_t i = 0; rc == OSPACK_OK && i < L->m->nentries; i++)
		rc = check_refs(L, &L->m->entries[i], &final);
	return rc;
}

static ospack_error load_section(struct loader *L, enum osp_section s, const yaml_node_t *n)
{
	const char *key = section_names[s];
	size_t count, base = L->m->nentries;
	struct osp_entry *v;

	if (n->type != YAML_SEQUENCE_NODE)
		return nerr(L, n, key, "expected a list of entries");
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > MANIFEST_MAX_ENTRIES - base)
		return lerr(L, node_pos(n), key, "more than %u entries in all sections",
			    MANIFEST_MAX_ENTRIES);
	v = osp_reallocarray(L->m->entries, base + count, sizeof(*v));
	if (v == NULL)
		return osp_nomem(L->ctx);
	L->m->entries = v;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item =
			yaml_document_get_node(&L->doc, n->data.sequence.items.start[i]);
		struct osp_entry *e = &L->m->entries[base + i];
		ospack_error rc;

		memset(e, 0, sizeof(*e));
		L->m->nentries++;
		e->section = s;
		e->index = i;
		e->pos = node_pos(item);
		rc = visit(L, item, key);
		if (rc == OSPACK_OK)
			rc = load_entry(L, e, item);
		if (rc != OSPACK_OK)
			return rc;
	}
	return OSPACK_OK;
}

/* Every top-level key load_top_key() reads, for "did you mean". */
static const char *const top_keys[] = {
	"ospack",   "name", "version",	   "description", "homepage", "license", "authors",
	"datasets", "code", "checkpoints", "evals",	  "docs",     NULL};

static ospack_error load_top_key(struct loader *L, const struct pair *p, bool *have_ospack)
{
	struct ospack_manifest *m = L->m;
	const char *k = p->key;
	char hint[96] = "";
	int64_t v;

	for (int s = 0; s < OSP_NSECTIONS; s++)
		if (strcmp(k, section_names[s]) == 0)
			return load_section(L, (enum osp_section)s, p->value);
	if (strcmp(k, "ospack") == 0) {
		if (get_int(L, p->value, k, 0, &v) != OSPACK_OK)
			return L->ctx->code;
		if (v != 1)
			return lerr(L, node_pos(p->value), k,
				    "unsupported manifest version %lld (this ospack reads 1)",
				    (long long)v);
		*have_ospack = true;
		return OSPACK_OK;
	}
	if (strcmp(k, "name") == 0) {
		if (get_line(L, p->value, k, &m->name) != OSPACK_OK)
			return L->ctx->code;
		if (!name_ok(m->name, LOWER_DIGITS, LOWER_DIGITS "._-"))
			return nerr(L, p->value, k,
				    "must match [a-z0-9][a-z0-9._-]* (at most 128 characters)");
		return OSPACK_OK;
	}
	if (strcmp(k, "version") == 0) {
		if (get_line(L, p->value, k, &m->version) != OSPACK_OK)
			return L->ctx->code;
		if (!name_ok(m->version, ALNUM, ALNUM "._+-"))
			return nerr(
				L, p->value, k,
				"must match [A-Za-z0-9][A-Za-z0-9._+-]* (at most 128 characters)");
		return OSPACK_OK;
	}
	if (strcmp(k, "description") == 0)
		return get_str(L, p->value, k, &m->description);
	if (strcmp(k, "homepage") == 0)
		return get_line(L, p->value, k, &m->homepage);
	if (strcmp(k, "license") == 0)
		return check_license(L, p->value, k, &m->license);
	if (strcmp(k, "authors") == 0)
		return get_strv(L, p->value, k, &m->authors);
	key_hint(k, top_keys, hint, sizeof(hint));
	return lerr(L, node_pos(p->knode), k, "unknown key%s", hint);
}

static ospack_error load_root(struct loader *L, const yaml_node_t *root)
{
	struct pair *pairs = NULL;
	size_t npairs = 0;
	bool have_ospack = false;
	struct osp_pos top = {1, 1};
	ospack_error rc;

	if (root == NULL)
		return lerr(L, top, "ospack", "the manifest is empty");
	rc = map_pairs(L, root, "manifest", &pairs, &npairs);
	for (size_t i = 0; rc == OSPACK_OK && i < npairs; i++)
		rc = load_top_key(L, &pairs[i], &have_ospack);
	free(pairs);
	if (rc != OSPACK_OK)
		return rc;
	top = node_pos(root);
	if (!have_ospack)
		return lerr(L, top, "ospack", "required key missing (the schema version, 1)");
	if (L->m->name == NULL)
		return lerr(L, top, "name", "required key missing");
	if (L->m->version == NULL)
		return lerr(L, top, "version", "required key missing");
	return check_entries(L);
}

/* libyaml places reader errors (bad UTF-8, control characters) by offset only. */
static struct osp_pos problem_pos(const yaml_parser_t *p, const char *text, size_t len)
{
	struct osp_pos pos = {(unsigned)p->problem_mark.line + 1,
			      (unsigned)p->problem_mark.column + 1};

	if (p->error == YAML_READER_ERROR) {
		pos.line = 1;
		pos.col = 1;
		for (size_t i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				pos.line++;
				pos.col = 1;
			} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
				pos.col++;
			}
		}
	}
	return pos;
}

/* libyaml's words, after plain ones for the usual mistakes (lib/yamlerr.c). */
static ospack_error yaml_fail(struct loader *L, yaml_parser_t *parser, const char *text, size_t len)
{
	struct osp_pos pos = problem_pos(parser, text, len);
	struct osp_yaml_err ye = {parser->problem, pos.line, pos.col,
				  parser->context ? (unsigned)parser->context_mark.line + 1 : 0};
	char plain[384];
	const char *what = parser->problem ? parser->problem : "syntax error";
	const char *ctx = parser->context ? parser->context : "";

	if (parser->error != YAML_READER_ERROR &&
	    osp_yaml_explain(text, len, &ye, plain, sizeof(plain)))
		return lerr(L, pos, "yaml", "%s [libyaml: %s%s%s]", plain, what, *ctx ? " " : "",
			    ctx);
	return lerr(L, pos, "yaml", "%s%s%s", what, *ctx ? " " : "", ctx);
}

/*
 * A first pass over the events stops early at depths no manifest has: libyaml's
 * scanner spends time in proportion to the nesting on every token, so a deeply
 * nested document would otherwise take quadratic time before it is refused.
 */
static ospack_error prescan(struct loader *L, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	ospack_error rc = OSPACK_OK;
	unsigned depth = 0;
	bool end = false;

	if (!yaml_parser_initialize(&parser))
		return osp_nomem(L->ctx);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == OSPACK_OK && !end) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = yaml_fail(L, &parser, text, len);
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			struct osp_pos p = {(unsigned)ev.start_mark.line + 1,
					    (unsigned)ev.start_mark.column + 1};

			if (++depth > MANIFEST_MAX_DEPTH)
				rc = lerr(L, p, "yaml", "nested deeper than %d levels",
					  MANIFEST_MAX_DEPTH);
		} else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			   ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

static ospack_error parse_doc(struct loader *L, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	ospack_error rc = OSPACK_OK;

	rc = prescan(L, text, len);
	if (rc != OSPACK_OK)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return osp_nomem(L->ctx);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &L->doc)) {
		rc = yaml_fail(L, &parser, text, len);
		yaml_parser_delete(&parser);
		return rc;
	}
	/* The manifest is exactly one document: anything after it is an error too. */
	if (!yaml_parser_load(&parser, &extra)) {
		rc = yaml_fail(L, &parser, text, len);
	} else {
		if (yaml_document_get_root_node(&extra) != NULL) {
			struct osp_pos p = {(unsigned)extra.start_mark.line + 1, 1};

			rc = lerr(L, p, "yaml", "more than one YAML document");
		}
		yaml_document_delete(&extra);
	}
	yaml_parser_delete(&parser);
	if (rc != OSPACK_OK)
		yaml_document_delete(&L->doc);
	return rc;
}

ospack_error osp_manifest_parse(struct ospack_ctx *ctx, const char *file, const char *dir,
				const char *text, size_t len, struct ospack_manifest **out)
{
	struct loader L = {.ctx = ctx, .file = file, .dir = dir};
	ospack_error rc;

	*out = NULL;
	L.m = calloc(1, sizeof(*L.m));
	if (L.m == NULL)
		return osp_nomem(ctx);
	L.m->file = osp_strdup(file);
	L.m->dir = osp_strdup(dir);
	if (L.m->file == NULL || L.m->dir == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		struct osp_pos p = {1, 1};

		rc = lerr(&L, p, "yaml", "the manifest contains a NUL byte");
		goto out;
	}
	rc = parse_doc(&L, text, len);
	if (rc != OSPACK_OK)
		goto out;
	rc = load_root(&L, yaml_document_get_root_node(&L.doc));
	yaml_document_delete(&L.doc);
out:
	free(L.realdir);
	if (rc != OSPACK_OK)
		ospack_manifest_free(L.m);
	else
		*out = L.m;
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return osp_strdup(".");
	if (slash == path)
		return osp_strdup("/");
	return osp_strndup(path, (size_t)(slash - path));
}

OSPACK_API ospack_error ospack_manifest_load(struct ospack_ctx *ctx, const char *path,
					     struct ospack_manifest **out)
{
	char *text = NULL, *dir = NULL;
	size_t len = 0;
	ospack_error rc;
	struct stat st;

	*out = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return osp_error(ctx, OSPACK_EMANIFEST, "%s: is a folder, not a manifest", path);
	rc = osp_read_file(ctx, path, MANIFEST_MAX_BYTES, OSPACK_EMANIFEST, &text, &len);
	if (rc == OSPACK_EIO && errno == ENOENT)
		rc = osp_error(ctx, OSPACK_EMANIFEST, "%s: no such file", path);
	if (rc != OSPACK_OK)
		goto out;
	dir = dir_of(path);
	if (dir == NULL) {
		rc = osp_nomem(ctx);
		goto out;
	}
	rc = osp_manifest_parse(ctx, path, dir, text, len, out);
out:
	free(text);
	free(dir);
	return rc;
}

static void entry_free(struct osp_entry *e)
{
	free(e->name);
	free(e->src);
	free(e->abs);
	free(e->rev);
	free(e->subdir);
	free(e->repository);
	free(e->sha256);
	free(e->sha512);
	free(e->license);
	free(e->description);
	osp_strv_free(&e->exclude);
	free(e->role);
	osp_strv_free(&e->roles);
	free(e->dataset);
	free(e->metrics_from);
	for (size_t i = 0; i < e->nmetrics; i++)
		free(e->metrics[i].name);
	free(e->metrics);
}

OSPACK_API void ospack_manifest_free(struct ospack_manifest *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->nentries; i++)
		entry_free(&m->entries[i]);
	free(m->entries);
	free(m->file);
	free(m->dir);
	free(m->name);
	free(m->version);
	free(m->description);
	free(m->license);
	free(m->homepage);
	osp_strv_free(&m->authors);
	free(m);
}

OSPACK_API const char *ospack_manifest_name(const struct ospack_manifest *m)
{
	return m->name;
}

OSPACK_API const char *ospack_manifest_version(const struct ospack_manifest *m)
{
	return m->version;
}
