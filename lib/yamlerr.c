/* SPDX-License-Identifier: Apache-2.0 */
/* libyaml's usual syntax errors (indentation, tabs, a missing space) told in plain words. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "yamlerr.h"

#define KEY_MAX 48

/* What one line of the manifest starts with. */
struct line {
	unsigned no;   /* 1-based; 0: no such line */
	const char *s; /* its text, without the newline */
	size_t len;
	unsigned tab;	   /* column of a tab in its indentation, or 0 */
	bool dash;	   /* a list item: "- " */
	unsigned dashcol;  /* column of the '-' */
	unsigned col;	   /* column of the content after the indentation and any "- " */
	char key[KEY_MAX]; /* the key when the content is "key: ..." or "key:", else empty */
	size_t keyend;	   /* offset of that key's ':' in the line */
};

static bool meaningful(const struct line *l)
{
	return l->no != 0 && l->col - 1 < l->len && l->s[l->col - 1] != '#';
}

/* A key is shown only when it is short, printable ASCII: the message is safe on a terminal. */
static void find_key(struct line *l, size_t i)
{
	size_t j = i;

	while (j < l->len && l->s[j] >= 0x20 && l->s[j] < 0x7f && l->s[j] != '#' &&
	       !(l->s[j] == ':' && (j + 1 == l->len || l->s[j + 1] == ' ')))
		j++;
	if (j == i || j >= l->len || l->s[j] != ':' || j - i >= KEY_MAX || strchr("\"'[{", l->s[i]))
		return;
	memcpy(l->key, l->s + i, j - i);
	l->key[j - i] = '\0';
	l->keyend = j;
}

static void parse_line(struct line *l, unsigned no, const char *s, size_t len)
{
	size_t i = 0;

	memset(l, 0, sizeof(*l));
	l->no = no;
	l->s = s;
	l->len = len > 0 && s[len - 1] == '\r' ? len - 1 : len;
	for (; i < l->len && (s[i] == ' ' || s[i] == '\t'); i++)
		if (s[i] == '\t' && l->tab == 0)
			l->tab = (unsigned)i + 1;
	if (i < l->len && s[i] == '-' && (i + 1 == l->len || s[i + 1] == ' ')) {
		l->dash = true;
		l->dashcol = (unsigned)i + 1;
		for (i++; i < l->len && s[i] == ' '; i++)
			;
	}
	l->col = (unsigned)i + 1;
	find_key(l, i);
}

/* The lines that matter for an error at line `at`: it, the ones above it, and ctx. */
struct view {
	struct line at, prev, prev_dash, ctx;
	unsigned first_tab; /* first line up to `at` with a tab in its indentation */
};

static void scan(const char *text, size_t len, unsigned at, unsigned ctx, struct view *v)
{
	const char *p = text, *end = text + len;
	struct line l;

	memset(v, 0, sizeof(*v));
	for (unsigned no = 1; no <= at && p <= end; no++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		parse_line(&l, no, p, n);
		if (l.tab && v->first_tab == 0)
			v->first_tab = no;
		if (no == ctx)
			v->ctx = l;
		if (no == at) {
			v->at = l;
		} else if (meaningful(&l)) {
			v->prev = l;
			if (l.dash)
				v->prev_dash = l;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* "'name:'", "the list item" or "the text", for a message. */
static const char *what(const struct line *l, char *buf, size_t n)
{
	if (l->key[0] != '\0')
		snprintf(buf, n, "'%s:'", l->key);
	else
		snprintf(buf, n, "%s", l->dash ? "the list item" : "the text");
	return buf;
}

static bool tab_hint(const struct view *v, const struct osp_yaml_err *e, char *out, size_t n)
{
	unsigned col = v->at.tab;
	bool at_mark = e->col >= 1 && e->col <= v->at.len && v->at.s[e->col - 1] == '\t';

	if (col == 0 && at_mark)
		col = e->col;
	if (col != 0) {
		snprintf(out, n, "a tab character at line %u, column %u: YAML indents with spaces",
			 v->at.no, col);
		return true;
	}
	if (e->problem != NULL && strstr(e->problem, "tab") != NULL && v->first_tab != 0) {
		snprintf(out, n,
			 "a tab character in the indentation of line %u: YAML indents "
			 "with spaces",
			 v->first_tab);
		return true;
	}
	return false;
}

/* "mapping values are not allowed in this context": a ': ' where no key can start. */
static bool colon_hint(const struct view *v, const struct osp_yaml_err *e, char *out, size_t n)
{
	const struct line *a = &v->at, *p = &v->prev;
	char wa[KEY_MAX + 8], wp[KEY_MAX + 8];

	if (a->key[0] != '\0' && e->col > a->keyend + 1) {
		snprintf(out, n,
			 "a second ': ' on line %u, in the value of '%s:': put the value in "
			 "quotes",
			 a->no, a->key);
		return true;
	}
	if (p->no == 0 || a->col <= p->col)
		return false;
	snprintf(out, n, "%s is indented more than %s above it (line %u)", what(a, wa, sizeof(wa)),
		 what(p, wp, sizeof(wp)), p->no);
	return true;
}

/* "did not find expected key" or "... '-' indicator": a line out of line with its block. */
static bool align_hint(const struct view *v, char *out, size_t n)
{
	const struct line *a = &v->at, *p = &v->prev;
	char wa[KEY_MAX + 8], wp[KEY_MAX + 8];

	if (!a->dash && a->col <= a->len && a->s[a->col - 1] == '-') {
		snprintf(out, n,
			 "a '-' at line %u, column %u needs a space after it to start a "
			 "list item",
			 a->no, a->col);
		return true;
	}
	if (a->dash && v->prev_dash.no != 0 && v->prev_dash.dashcol != a->dashcol) {
		snprintf(out, n,
			 "the list item at line %u (column %u) does not line up with the list "
			 "item at line %u (column %u)",
			 a->no, a->dashcol, v->prev_dash.no, v->prev_dash.dashcol);
		return true;
	}
	if (p->no == 0)
		return false;
	if (a->dash && a->dashcol == p->col && !p->dash) {
		snprintf(out, n,
			 "a list item at line %u, where a key like %s above it (line %u) is "
			 "expected",
			 a->no, what(p, wp, sizeof(wp)), p->no);
		return true;
	}
	if (a->dash || a->col == p->col)
		return false;
	snprintf(out, n,
		 "%s (line %u, column %u) is indented %s than %s above it (line %u, "
		 "column %u): keys of one mapping start in the same column",
		 what(a, wa, sizeof(wa)), a->no, a->col, a->col < p->col ? "less" : "more",
		 what(p, wp, sizeof(wp)), p->no, p->col);
	return true;
}

/* "could not find expected ':'": a line that is not "key: value". */
static bool key_hint(const struct view *v, char *out, size_t n)
{
	const struct line *c = &v->ctx;
	const char *colon;
	int shown;

	if (c->no == 0 || c->col > c->len)
		return false;
	colon = memchr(c->s, ':', c->len);
	shown = (int)(c->len - (c->col - 1));
	for (int i = 0; i < shown; i++)
		if (c->s[c->col - 1 + i] < 0x20 || c->s[c->col - 1 + i] >= 0x7f)
			return false;
	if (shown > 40)
		shown = 40;
	if (colon != NULL && colon + 1 < c->s + c->len && colon[1] != ' ')
		snprintf(out, n, "'%.*s' at line %u: a key needs a space after its ':'", shown,
			 c->s + c->col - 1, c->no);
	else
		snprintf(out, n, "'%.*s' at line %u is not 'key: value': a ':' is missing", shown,
			 c->s + c->col - 1, c->no);
	return true;
}

static bool problem_is(const struct osp_yaml_err *e, const char *p)
{
	return e->problem != NULL && strncmp(e->problem, p, strlen(p)) == 0;
}

bool osp_yaml_explain(const char *text, size_t len, const struct osp_yaml_err *e, char *out,
		      size_t outlen)
{
	struct view v;
	const struct line *a = &v.at;

	if (e->line == 0)
		return false;
	scan(text, len, e->line, e->ctx_line, &v);
	if (a->no == 0)
		return false;
	if (tab_hint(&v, e, out, outlen))
		return true;
	if (problem_is(e, "mapping values are not allowed"))
		return colon_hint(&v, e, out, outlen);
	if (problem_is(e, "did not find expected key") ||
	    problem_is(e, "did not find expected '-' indicator"))
		return align_hint(&v, out, outlen);
	if (problem_is(e, "block sequence entries are not allowed") && a->key[0] != '\0' &&
	    e->col > a->keyend + 1) {
		snprintf(out, outlen,
			 "a list cannot start on the same line as '%s:' (line %u): put '- ' on the "
			 "next line, indented",
			 a->key, a->no);
		return true;
	}
	if (problem_is(e, "could not find expected ':'"))
		return key_hint(&v, out, outlen);
	return false;
}
