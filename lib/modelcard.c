/* SPDX-License-Identifier: Apache-2.0 */
/* Evaluation metrics read from the model-index in a model card's front matter, with libyaml. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "modelcard.h"

/* The manifest's bounds: aliases never make a small front matter cost much. */
#define CARD_MAX_VISITS 200000
#define CARD_MAX_EXPANDED (8u * 1024 * 1024)
#define CARD_MAX_DEPTH 32

struct card {
	struct ospack_ctx *ctx;
	const char *shown;
	unsigned line0; /* the file's line of the front matter's first line, less one */
	yaml_document_t doc;
	size_t visits, expanded;
	struct found *v; /* every metric, in order */
	size_t n, cap;
	const char *first_ds; /* the first result's dataset name */
	bool several;	      /* the results name more than one dataset */
};

struct found {
	const char *dataset, *key;
	const yaml_node_t *where, *value;
};

bool osp_metric_number(const char *s, double *v, bool *integer)
{
	char *end;

	if (s[0] == '\0' || strspn(s, "0123456789+-.eE") != strlen(s))
		return false;
	errno = 0;
	*v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || !isfinite(*v))
		return false;
	*integer = strspn(s, "0123456789-") == strlen(s) && fabs(*v) < 9007199254740992.0;
	return true;
}

static ospack_error cerr_at(struct card *c, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static ospack_error cerr_at(struct card *c, unsigned line, unsigned col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osp_error(c->ctx, OSPACK_EMANIFEST, "%s:%u:%u: %s", c->shown, line, col, msg);
}

static ospack_error cerr(struct card *c, const yaml_node_t *n, const char *what)
{
	return cerr_at(c, c->line0 + (unsigned)n->start_mark.line + 1,
		       (unsigned)n->start_mark.column + 1, "%s", what);
}

static ospack_error visit(struct card *c, const yaml_node_t *n)
{
	if (++c->visits > CARD_MAX_VISITS)
		return cerr(c, n, "too many nodes (aliases expand beyond the limit)");
	if (n->type == YAML_SCALAR_NODE &&
	    (c->expanded += n->data.scalar.length) > CARD_MAX_EXPANDED)
		return cerr(c, n, "the front matter, aliases expanded, is too large");
	return OSPACK_OK;
}

/* The value of key in mapping m, or NULL. */
static const yaml_node_t *get(struct card *c, const yaml_node_t *m, const char *key)
{
	if (m == NULL || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		const yaml_node_t *k = yaml_document_get_node(&c->doc, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(&c->doc, p->value);
	}
	return NULL;
}

/* A non-empty one-line text scalar, or NULL. */
static const char *text(const yaml_node_t *n)
{
	const char *s;

	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	s = (const char *)n->data.scalar.value;
	if (s[0] == '\0' || strlen(s) != n->data.scalar.length || strpbrk(s, "\r\n\t") != NULL ||
	    !osp_utf8_valid(s, n->data.scalar.length))
		return NULL;
	return s;
}

static ospack_error need(struct card *c, const yaml_node_t *n, yaml_node_type_t type,
			 const char *what)
{
	char msg[128];

	if (n != NULL && n->type == type)
		return visit(c, n);
	snprintf(msg, sizeof(msg), "%s: expected a %s", what,
		 type == YAML_SEQUENCE_NODE ? "list" : "mapping");
	return cerr(c, n, msg);
}

static ospack_error add_metric(struct card *c, const char *dataset, const yaml_node_t *m)
{
	const char *key = text(get(c, m, "type"));
	ospack_error rc = need(c, m, YAML_MAPPING_NODE, "metrics[]");

	if (rc != OSPACK_OK)
		return rc;
	if (key == NULL)
		key = text(get(c, m, "name"));
	if (key == NULL)
		return cerr(c, m, "metrics[]: a metric needs a type or a name");
	if (get(c, m, "value") == NULL)
		return cerr(c, m, "metrics[]: a metric needs a value");
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct found *v = osp_reallocarray(c->v, cap, sizeof(*v));

		if (v == NULL)
			return osp_nomem(c->ctx);
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = (struct found){dataset, key, m, get(c, m, "value")};
	return OSPACK_OK;
}

static ospack_error add_result(struct card *c, const yaml_node_t *r)
{
	const yaml_node_t *ds, *metrics;
	const char *name;
	ospack_error rc = need(c, r, YAML_MAPPING_NODE, "results[]");

	if (rc != OSPACK_OK)
		return rc;
	ds = get(c, r, "dataset");
	name = text(get(c, ds, "name"));
	if (name == NULL)
		name = text(get(c, ds, "type"));
	if (name == NULL)
		return cerr(c, ds ? ds : r, "results[].dataset: needs a name or a type");
	if (c->first_ds == NULL)
		c->first_ds = name;
	c->several = c->several || strcmp(c->first_ds, name) != 0;
	metrics = get(c, r, "metrics");
	rc = need(c, metrics ? metrics : r, YAML_SEQUENCE_NODE, "results[].metrics");
	for (yaml_node_item_t *it = metrics ? metrics->data.sequence.items.start : NULL;
	     rc == OSPACK_OK && it < metrics->data.sequence.items.top; it++)
		rc = add_metric(c, name, yaml_document_get_node(&c->doc, *it));
	return rc;
}

static ospack_error walk(struct card *c, const yaml_node_t *index)
{
	ospack_error rc = need(c, index, YAML_SEQUENCE_NODE, "model-index");

	if (rc != OSPACK_OK)
		return rc;
	for (yaml_node_item_t *it = index->data.sequence.items.start;
	     rc == OSPACK_OK && it < index->data.sequence.items.top; it++) {
		const yaml_node_t *model = yaml_document_get_node(&c->doc, *it), *results;

		rc = need(c, model, YAML_MAPPING_NODE, "model-index[]");
		if (rc != OSPACK_OK)
			break;
		results = get(c, model, "results");
		rc = need(c, results ? results : model, YAML_SEQUENCE_NODE,
			  "model-index[].results");
		for (yaml_node_item_t *r = results ? results->data.sequence.items.start : NULL;
		     rc == OSPACK_OK && r < results->data.sequence.items.top; r++)
			rc = add_result(c, yaml_document_get_node(&c->doc, *r));
	}
	return rc;
}

static ospack_error metric_value(struct card *c, const struct found *f, struct osp_metric *mt)
{
	const char *s =
		f->value->type == YAML_SCALAR_NODE ? (const char *)f->value->data.scalar.value : "";

	if (!osp_metric_number(s, &mt->value, &mt->integer))
		return cerr(c, f->value, "metrics[].value: expected a number");
	if (c->several)
		mt->name = osp_asprintf("%s/%s", f->dataset, f->key);
	else
		mt->name = osp_strdup(f->key);
	return mt->name ? OSPACK_OK : osp_nomem(c->ctx);
}

static unsigned line_of(const struct card *c, const struct found *f)
{
	return c->line0 + (unsigned)f->where->start_mark.line + 1;
}

static int by_name(const void *a, const void *b)
{
	const struct osp_metric *x = *(const struct osp_metric *const *)a;
	const struct osp_metric *y = *(const struct osp_metric *const *)b;
	int r = strcmp(x->name, y->name);

	return r ? r : (x > y) - (x < y);
}

/* A key seen twice is an error at its second place; sorting keeps many metrics fast. */
static ospack_error check_dups(struct card *c, struct osp_metric *v)
{
	struct osp_metric **sorted = calloc(c->n, sizeof(*sorted));
	size_t dup = c->n, first = 0;

	if (sorted == NULL)
		return osp_nomem(c->ctx);
	for (size_t i = 0; i < c->n; i++)
		sorted[i] = &v[i];
	qsort(sorted, c->n, sizeof(*sorted), by_name);
	for (size_t i = 1, g = 0; i < c->n; i++) {
		if (strcmp(sorted[i]->name, sorted[g]->name) != 0) {
			g = i;
			continue;
		}
		if ((size_t)(sorted[i] - v) < dup) {
			dup = (size_t)(sorted[i] - v);
			first = (size_t)(sorted[g] - v);
		}
	}
	free(sorted);
	if (dup == c->n)
		return OSPACK_OK;
	return cerr_at(c, line_of(c, &c->v[dup]), (unsigned)c->v[dup].where->start_mark.column + 1,
		       "metrics[]: duplicate metric '%s' (first at line %u)", v[dup].name,
		       line_of(c, &c->v[first]));
}

/* The metrics, keyed. */
static ospack_error build(struct card *c, struct osp_metric **out, size_t *n)
{
	struct osp_metric *v = calloc(c->n, sizeof(*v));
	ospack_error rc = v ? OSPACK_OK : osp_nomem(c->ctx);
	size_t i;

	for (i = 0; rc == OSPACK_OK && i < c->n; i++)
		rc = metric_value(c, &c->v[i], &v[i]);
	if (rc == OSPACK_OK)
		rc = check_dups(c, v);
	if (rc != OSPACK_OK) {
		for (size_t k = 0; v != NULL && k < i; k++)
			free(v[k].name);
		free(v);
		return rc;
	}
	*out = v;
	*n = c->n;
	return OSPACK_OK;
}

/* Refuses nesting no card has before libyaml's scanner spends quadratic time on it. */
static ospack_error prescan(struct card *c, const char *front, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	ospack_error rc = OSPACK_OK;
	unsigned depth = 0;
	bool end = false;

	if (!yaml_parser_initialize(&p))
		return osp_nomem(c->ctx);
	yaml_parser_set_input_string(&p, (const unsigned char *)front, len);
	while (rc == OSPACK_OK && !end) {
		if (!yaml_parser_parse(&p, &ev)) {
			rc = cerr_at(c, c->line0 + (unsigned)p.problem_mark.line + 1,
				     (unsigned)p.problem_mark.column + 1, "front matter: %s",
				     p.problem ? p.problem : "not valid YAML");
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
			if (++depth > CARD_MAX_DEPTH)
				rc = cerr_at(c, c->line0 + (unsigned)ev.start_mark.line + 1,
					     (unsigned)ev.start_mark.column + 1,
					     "front matter nested deeper than %d levels",
					     CARD_MAX_DEPTH);
		} else if (ev.type == YAML_SEQUENCE_END_EVENT ||
			   ev.type == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return rc;
}

static ospack_error parse_front(struct card *c, const char *front, size_t len,
				struct osp_metric **out, size_t *n)
{
	yaml_parser_t p;
	const yaml_node_t *root, *index;
	ospack_error rc = prescan(c, front, len);

	if (rc != OSPACK_OK)
		return rc;
	if (!yaml_parser_initialize(&p))
		return osp_nomem(c->ctx);
	yaml_parser_set_input_string(&p, (const unsigned char *)front, len);
	if (!yaml_parser_load(&p, &c->doc)) {
		yaml_parser_delete(&p);
		return osp_nomem(c->ctx); /* prescan parsed it: only memory can fail */
	}
	yaml_parser_delete(&p);
	root = yaml_document_get_root_node(&c->doc);
	index = get(c, root, "model-index");
	if (index == NULL)
		rc = cerr_at(c, c->line0 + 1, 1, "the front matter has no model-index");
	else
		rc = walk(c, index);
	if (rc == OSPACK_OK && c->n == 0)
		rc = cerr(c, index, "model-index: no metrics in its results");
	if (rc == OSPACK_OK)
		rc = build(c, out, n);
	yaml_document_delete(&c->doc);
	return rc;
}

/* Up to max bytes from the start of the file; *full when the file has more. */
static ospack_error read_head(struct ospack_ctx *ctx, const char *path, size_t max, char **buf,
			      size_t *len, bool *full)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	char *b = malloc(max + 1);
	size_t got = 0;
	ospack_error rc = OSPACK_OK;

	if (fd < 0 || b == NULL) {
		rc = b == NULL ? osp_nomem(ctx) : osp_errno(ctx, errno, "cannot open", path);
		goto out;
	}
	while (got < max + 1) {
		ssize_t r = read(fd, b + got, max + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = osp_errno(ctx, errno, "cannot read", path);
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	*full = got > max;
	*len = got > max ? max : got;
	*buf = b;
	b = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(b);
	return rc;
}

/* The length of the line at p (without its end), and where the next starts. */
static size_t line_at(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	*next = nl ? nl + 1 : end;
	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

static bool is_fence(const char *p, size_t n)
{
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return n == 3 && (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0);
}

ospack_error osp_modelcard_metrics(struct ospack_ctx *ctx, const char *path, const char *shown,
				   struct osp_metric **out, size_t *n)
{
	struct card c = {.ctx = ctx, .shown = shown, .line0 = 1};
	char *buf = NULL;
	const char *p, *next, *end, *front;
	size_t len = 0;
	bool full = false;
	unsigned line = 2;
	ospack_error rc;

	*out = NULL;
	*n = 0;
	/* the opening line, the front matter, and the closing line */
	rc = read_head(ctx, path, OSP_MODELCARD_MAX_FRONT + 16, &buf, &len, &full);
	if (rc != OSPACK_OK)
		return rc;
	end = buf + len;
	if (!is_fence(buf, line_at(buf, end, &front)) || buf[0] != '-') {
		rc = cerr_at(&c, 1, 1,
			     "no YAML front matter (the file must start with a line '---')");
		goto out;
	}
	for (p = front; p < end; p = next, line++)
		if (is_fence(p, line_at(p, end, &next)))
			break;
	if (p >= end || (size_t)(p - front) > OSP_MODELCARD_MAX_FRONT)
		rc = full || (size_t)(p - front) > OSP_MODELCARD_MAX_FRONT
			     ? cerr_at(&c, 1, 1, "the front matter is larger than %u MiB",
				       OSP_MODELCARD_MAX_FRONT / (1024 * 1024))
			     : cerr_at(&c, line, 1,
				       "the front matter does not end (no closing line '---')");
	else if (memchr(front, '\0', (size_t)(p - front)) != NULL)
		rc = cerr_at(&c, 2, 1, "the front matter contains a NUL byte");
	else
		rc = parse_front(&c, front, (size_t)(p - front), out, n);
out:
	free(c.v);
	free(buf);
	return rc;
}
