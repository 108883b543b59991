/* SPDX-License-Identifier: Apache-2.0 */
/* SPDX license expressions: a recursive-descent parser, the canonical form, and what they allow. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "license.h"

/*
 * The grammar (SPDX specification, annex D), AND binding tighter than OR:
 *
 *   or-expr  = and-expr *("OR" and-expr)
 *   and-expr = primary *("AND" primary)
 *   primary  = "(" or-expr ")" / simple ["WITH" exception-id]
 *   simple   = license-id ["+"] / ["DocumentRef-" idstring ":"] "LicenseRef-" idstring
 *
 * The parser recurses only through parentheses, whose depth is bounded, and keeps
 * AND and OR as lists, so that no walk of the tree recurses deeper than that.
 */

enum node_kind { NODE_LICENSE, NODE_REF, NODE_AND, NODE_OR };

struct osp_spdx {
	enum node_kind kind;
	const struct osp_license *lic; /* NODE_LICENSE */
	bool plus;		       /* NODE_LICENSE: "or any later version" */
	char *ref;		       /* NODE_REF: as written, prefixes in canonical case */
	const char *exception;	       /* leaves: canonical exception id, or NULL */
	struct osp_spdx **kids;	       /* NODE_AND, NODE_OR */
	size_t nkids;
};

enum tok_kind { TOK_NONE, TOK_END, TOK_OPEN, TOK_CLOSE, TOK_AND, TOK_OR, TOK_WITH, TOK_WORD };

struct token {
	enum tok_kind kind;
	const char *s; /* the token's text in the expression */
	size_t n;
};

struct parser {
	struct ospack_ctx *ctx;
	const char *p;	   /* next byte to read */
	struct token tok;  /* the current token */
	struct token prev; /* the token before it (TOK_NONE at the start) */
	unsigned depth;	   /* open parentheses */
};

/* Longest token text quoted in a message. */
#define QUOTE_MAX 80

static int quote_len(const struct token *t)
{
	return t->n > QUOTE_MAX ? QUOTE_MAX : (int)t->n;
}

static bool is_id_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool word_is(const struct token *t, const char *w)
{
	return t->n == strlen(w) && memcmp(t->s, w, t->n) == 0;
}

static bool word_is_nocase(const struct token *t, const char *w)
{
	if (t->n != strlen(w))
		return false;
	for (size_t i = 0; i < t->n; i++) {
		char c = t->s[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != w[i])
			return false;
	}
	return true;
}

static ospack_error bad_char(struct parser *ps, unsigned char c)
{
	if (c >= 0x21 && c < 0x7f)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "unexpected character '%c' in license expression", c);
	return osp_error(ps->ctx, OSPACK_EMANIFEST, "unexpected byte 0x%02x in license expression",
			 c);
}

/* Classifies a word: an operator, or a license, reference or exception to resolve later. */
static ospack_error word_kind(struct parser *ps, struct token *t)
{
	static const struct {
		const char *op;
		enum tok_kind kind;
	} ops[] = {{"AND", TOK_AND}, {"OR", TOK_OR}, {"WITH", TOK_WITH}};

	t->kind = TOK_WORD;
	for (size_t i = 0; i < OSP_ARRAY_LEN(ops); i++) {
		if (word_is(t, ops[i].op)) {
			t->kind = ops[i].kind;
			return OSPACK_OK;
		}
		if (word_is_nocase(t, ops[i].op))
			return osp_error(ps->ctx, OSPACK_EMANIFEST,
					 "operator '%.*s' must be written in upper case: '%s'",
					 (int)t->n, t->s, ops[i].op);
	}
	return OSPACK_OK;
}

/* Reads the next token into ps->tok. A word is idstring characters, ':' and one final '+'. */
static ospack_error next(struct parser *ps)
{
	struct token t = {TOK_END, NULL, 0};

	while (is_space(*ps->p))
		ps->p++;
	t.s = ps->p;
	ps->prev = ps->tok;
	if (*ps->p == '(' || *ps->p == ')') {
		t.kind = *ps->p == '(' ? TOK_OPEN : TOK_CLOSE;
		t.n = 1;
		ps->p++;
	} else if (*ps->p != '\0') {
		while (is_id_char(*ps->p) || *ps->p == ':')
			ps->p++;
		if (ps->p > t.s && *ps->p == '+')
			ps->p++;
		if (ps->p == t.s)
			return bad_char(ps, (unsigned char)*ps->p);
		/* a word ends at a space, a parenthesis or the end, never inside garbage */
		if (*ps->p != '\0' && *ps->p != '(' && *ps->p != ')' && !is_space(*ps->p))
			return bad_char(ps, (unsigned char)*ps->p);
		t.n = (size_t)(ps->p - t.s);
		if (word_kind(ps, &t) != OSPACK_OK)
			return OSPACK_EMANIFEST;
	}
	ps->tok = t;
	return OSPACK_OK;
}

static const char *tok_name(enum tok_kind k)
{
	switch (k) {
	case TOK_AND:
		return "AND";
	case TOK_OR:
		return "OR";
	case TOK_WITH:
		return "WITH";
	case TOK_OPEN:
		return "(";
	case TOK_CLOSE:
		return ")";
	case TOK_NONE:
	case TOK_END:
	case TOK_WORD:
		break;
	}
	return NULL;
}

/* The message for a token found where a license should start. */
static ospack_error want_license(struct parser *ps)
{
	const struct token *t = &ps->tok, *pv = &ps->prev;

	if (pv->kind == TOK_NONE) {
		if (t->kind == TOK_END)
			return osp_error(ps->ctx, OSPACK_EMANIFEST, "empty license expression");
		if (t->kind == TOK_CLOSE)
			return osp_error(ps->ctx, OSPACK_EMANIFEST, "unbalanced ')'");
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "expected a license before '%s'",
				 tok_name(t->kind));
	}
	if (pv->kind == TOK_OPEN && t->kind == TOK_CLOSE)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "empty parentheses");
	if (t->kind == TOK_END)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "expected a license after '%s'",
				 tok_name(pv->kind));
	return osp_error(ps->ctx, OSPACK_EMANIFEST, "expected a license after '%s', found '%s'",
			 tok_name(pv->kind), tok_name(t->kind));
}

/* The message for a token found where an operator, ')' or the end should be. */
static ospack_error want_operator(struct parser *ps)
{
	const struct token *t = &ps->tok, *pv = &ps->prev;

	if (t->kind == TOK_END)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "missing ')'");
	if (t->kind == TOK_CLOSE)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "unbalanced ')'");
	if (t->kind == TOK_WITH && pv->kind == TOK_CLOSE)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "'WITH' must follow a single license, not ')'");
	if (t->kind == TOK_WITH)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "unexpected 'WITH' after '%.*s': a license takes one exception",
				 quote_len(pv), pv->s);
	if (t->kind == TOK_OPEN)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "expected 'AND' or 'OR' before '('");
	return osp_error(ps->ctx, OSPACK_EMANIFEST,
			 "expected 'AND' or 'OR' between '%.*s' and '%.*s'", quote_len(pv), pv->s,
			 quote_len(t), t->s);
}

static void node_free(struct osp_spdx *e)
{
	if (e == NULL)
		return;
	for (size_t i = 0; i < e->nkids; i++)
		node_free(e->kids[i]);
	free(e->kids);
	free(e->ref);
	free(e);
}

void osp_spdx_free(struct osp_spdx *e)
{
	node_free(e);
}

static bool valid_idstring(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_id_char(s[i]))
			return false;
	return true;
}

static bool has_prefix_nocase(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++) {
		char a = s[i], b = prefix[i];

		if (a >= 'A' && a <= 'Z')
			a = (char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return true;
}

/* Validates "[DocumentRef-x:]LicenseRef-y" and stores it with canonical prefixes. */
static ospack_error make_ref(struct parser *ps, const struct token *t, struct osp_spdx *e)
{
	static const char doc[] = "DocumentRef-", lic[] = "LicenseRef-";
	const char *s = t->s, *colon = memchr(t->s, ':', t->n), *id;
	size_t n = t->n, docn = 0, idn;

	if (s[n - 1] == '+')
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "'+' applies to a listed license, not to '%.*s'", quote_len(t), s);
	if (colon != NULL) {
		docn = (size_t)(colon - s) - (sizeof(doc) - 1);
		if (!has_prefix_nocase(s, n, doc) || !valid_idstring(s + sizeof(doc) - 1, docn))
			goto bad;
		s = colon + 1;
		n = t->n - (size_t)(s - t->s);
	}
	if (!has_prefix_nocase(s, n, lic))
		goto bad;
	id = s + sizeof(lic) - 1;
	idn = n - (sizeof(lic) - 1);
	if (!valid_idstring(id, idn))
		goto bad;
	if (colon != NULL)
		e->ref = osp_asprintf("%s%.*s:%s%.*s", doc, (int)docn, t->s + sizeof(doc) - 1, lic,
				      (int)idn, id);
	else
		e->ref = osp_asprintf("%s%.*s", lic, (int)idn, id);
	if (e->ref == NULL)
		return osp_nomem(ps->ctx);
	e->kind = NODE_REF;
	return OSPACK_OK;
bad:
	return osp_error(ps->ctx, OSPACK_EMANIFEST, "invalid license reference '%.*s'",
			 quote_len(t), t->s);
}

/* Resolves a word that names a license: a listed identifier or a reference. */
static ospack_error make_license(struct parser *ps, const struct token *t, struct osp_spdx *e)
{
	size_t n = t->n;

	if (has_prefix_nocase(t->s, n, "LicenseRef-") || has_prefix_nocase(t->s, n, "DocumentRef-"))
		return make_ref(ps, t, e);
	e->kind = NODE_LICENSE;
	if (t->s[n - 1] == '+') {
		e->plus = true;
		n--;
	}
	e->lic = osp_license_findn(t->s, n);
	if (e->lic != NULL)
		return OSPACK_OK;
	if (osp_license_exception_findn(t->s, n) != NULL)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "'%.*s' is a license exception: write it after 'WITH'",
				 quote_len(t), t->s);
	return osp_error(ps->ctx, OSPACK_EMANIFEST, "unknown license identifier '%.*s'",
			 quote_len(t), t->s);
}

/* After "WITH": the exception identifier. */
static ospack_error parse_exception(struct parser *ps, struct osp_spdx *e)
{
	const struct token *t = &ps->tok;

	if (t->kind == TOK_END)
		return osp_error(ps->ctx, OSPACK_EMANIFEST, "expected an exception after 'WITH'");
	if (t->kind != TOK_WORD)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "expected an exception after 'WITH', found '%s'",
				 tok_name(t->kind));
	e->exception = osp_license_exception_findn(t->s, t->n);
	if (e->exception != NULL)
		return next(ps);
	if (osp_license_findn(t->s, t->n) != NULL)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "'%.*s' is a license, not a license exception", quote_len(t),
				 t->s);
	return osp_error(ps->ctx, OSPACK_EMANIFEST, "unknown license exception '%.*s'",
			 quote_len(t), t->s);
}

static ospack_error parse_or(struct parser *ps, struct osp_spdx **out);

static ospack_error parse_group(struct parser *ps, struct osp_spdx **out)
{
	ospack_error err;

	if (++ps->depth > OSP_SPDX_MAX_DEPTH)
		return osp_error(ps->ctx, OSPACK_EMANIFEST,
				 "license expression nested deeper than %d parentheses",
				 OSP_SPDX_MAX_DEPTH);
	err = next(ps);
	if (err == OSPACK_OK)
		err = parse_or(ps, out);
	if (err != OSPACK_OK)
		return err;
	if (ps->tok.kind != TOK_CLOSE)
		return want_operator(ps);
	ps->depth--;
	return next(ps);
}

/* primary = "(" or-expr ")" / simple ["WITH" exception] */
static ospack_error parse_primary(struct parser *ps, struct osp_spdx **out)
{
	struct osp_spdx *e = NULL;
	ospack_error err;

	if (ps->tok.kind == TOK_OPEN)
		return parse_group(ps, out);
	if (ps->tok.kind != TOK_WORD)
		return want_license(ps);
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return osp_nomem(ps->ctx);
	err = make_license(ps, &ps->tok, e);
	if (err == OSPACK_OK)
		err = next(ps);
	if (err == OSPACK_OK && ps->tok.kind == TOK_WITH) {
		err = next(ps);
		if (err == OSPACK_OK)
			err = parse_exception(ps, e);
	}
	if (err != OSPACK_OK)
		goto out;
	*out = e;
	e = NULL;
out:
	node_free(e);
	return err;
}

/* Appends kid to list, splicing in the members of a group of the same operator. */
static ospack_error add_kid(struct parser *ps, struct osp_spdx *list, struct osp_spdx *kid)
{
	size_t add = kid->kind == list->kind ? kid->nkids : 1;
	struct osp_spdx **v = osp_reallocarray(list->kids, list->nkids + add, sizeof(*v));

	if (v == NULL) {
		node_free(kid);
		return osp_nomem(ps->ctx);
	}
	list->kids = v;
	if (kid->kind == list->kind) {
		memcpy(v + list->nkids, kid->kids, add * sizeof(*v));
		kid->nkids = 0;
		node_free(kid);
	} else {
		v[list->nkids] = kid;
	}
	list->nkids += add;
	return OSPACK_OK;
}

/* A list of operands joined by op; one operand alone is returned as it is. */
static ospack_error parse_list(struct parser *ps, enum tok_kind op, struct osp_spdx **out)
{
	enum node_kind kind = op == TOK_AND ? NODE_AND : NODE_OR;
	struct osp_spdx *list = NULL, *kid = NULL;
	ospack_error err;

	err = op == TOK_AND ? parse_primary(ps, &kid) : parse_list(ps, TOK_AND, &kid);
	while (err == OSPACK_OK && ps->tok.kind == op) {
		if (list == NULL) {
			list = calloc(1, sizeof(*list));
			if (list == NULL) {
				err = osp_nomem(ps->ctx);
				break;
			}
			list->kind = kind;
		}
		err = add_kid(ps, list, kid);
		kid = NULL;
		if (err == OSPACK_OK)
			err = next(ps);
		if (err == OSPACK_OK)
			err = op == TOK_AND ? parse_primary(ps, &kid)
					    : parse_list(ps, TOK_AND, &kid);
	}
	if (err == OSPACK_OK && list != NULL) {
		err = add_kid(ps, list, kid);
		kid = list;
		list = NULL;
	}
	if (err != OSPACK_OK)
		goto out;
	*out = kid;
	kid = NULL;
out:
	node_free(kid);
	node_free(list);
	return err;
}

static ospack_error parse_or(struct parser *ps, struct osp_spdx **out)
{
	return parse_list(ps, TOK_OR, out);
}

/* The length of the canonical form (put_node below), without building it. */
static size_t canon_len(const struct osp_spdx *e)
{
	size_t n = 0;

	switch (e->kind) {
	case NODE_LICENSE:
	case NODE_REF:
		n = strlen(e->kind == NODE_REF ? e->ref : e->lic->id) + (e->plus ? 1 : 0);
		if (e->exception != NULL)
			n += strlen(" WITH ") + strlen(e->exception);
		return n;
	case NODE_AND:
	case NODE_OR:
		break;
	}
	for (size_t i = 0; i < e->nkids; i++) {
		const struct osp_spdx *k = e->kids[i];

		n += canon_len(k) + (k->kind == NODE_AND || k->kind == NODE_OR ? 2 : 0);
		if (i > 0)
			n += e->kind == NODE_AND ? strlen(" AND ") : strlen(" OR ");
	}
	return n;
}

/* The parentheses the canonical form nests: one pair per AND or OR below the top. */
static unsigned canon_depth(const struct osp_spdx *e)
{
	unsigned deepest = 0;

	for (size_t i = 0; i < e->nkids; i++) {
		const struct osp_spdx *k = e->kids[i];
		unsigned d = k->kind == NODE_AND || k->kind == NODE_OR ? 1 + canon_depth(k) : 0;

		if (d > deepest)
			deepest = d;
	}
	return deepest;
}

ospack_error osp_spdx_parse(struct ospack_ctx *ctx, const char *expr, struct osp_spdx **out)
{
	struct parser ps = {ctx, expr, {TOK_NONE, NULL, 0}, {TOK_NONE, NULL, 0}, 0};
	struct osp_spdx *e = NULL;
	ospack_error err;

	*out = NULL;
	if (strnlen(expr, OSP_SPDX_MAX_LEN + 1) > OSP_SPDX_MAX_LEN)
		return osp_error(ctx, OSPACK_EMANIFEST, "license expression longer than %d bytes",
				 OSP_SPDX_MAX_LEN);
	err = next(&ps);
	if (err == OSPACK_OK)
		err = parse_or(&ps, &e);
	if (err != OSPACK_OK)
		goto out;
	if (ps.tok.kind != TOK_END) {
		err = ps.tok.kind == TOK_CLOSE ? osp_error(ctx, OSPACK_EMANIFEST, "unbalanced ')'")
					       : want_operator(&ps);
		goto out;
	}
	/* The canonical form adds parentheses ("A OR B AND C" is "A OR (B AND C)"), and it is
	 * what the manifest keeps and parses again: it must be within the bound as well. */
	if (canon_len(e) > OSP_SPDX_MAX_LEN) {
		err = osp_error(ctx, OSPACK_EMANIFEST,
				"license expression longer than %d bytes once written with its "
				"parentheses",
				OSP_SPDX_MAX_LEN);
		goto out;
	}
	if (canon_depth(e) > OSP_SPDX_MAX_DEPTH) {
		err = osp_error(ctx, OSPACK_EMANIFEST,
				"license expression nested deeper than %d parentheses once written "
				"with its parentheses",
				OSP_SPDX_MAX_DEPTH);
		goto out;
	}
	*out = e;
	e = NULL;
out:
	node_free(e);
	return err;
}

static void put_node(struct osp_buf *b, const struct osp_spdx *e, bool nested)
{
	switch (e->kind) {
	case NODE_LICENSE:
	case NODE_REF:
		osp_buf_puts(b, e->kind == NODE_REF ? e->ref : e->lic->id);
		if (e->plus)
			osp_buf_putc(b, '+');
		if (e->exception != NULL)
			osp_buf_printf(b, " WITH %s", e->exception);
		return;
	case NODE_AND:
	case NODE_OR:
		break;
	}
	if (nested)
		osp_buf_putc(b, '(');
	for (size_t i = 0; i < e->nkids; i++) {
		if (i > 0)
			osp_buf_puts(b, e->kind == NODE_AND ? " AND " : " OR ");
		put_node(b, e->kids[i], true);
	}
	if (nested)
		osp_buf_putc(b, ')');
}

char *osp_spdx_string(const struct osp_spdx *e)
{
	struct osp_buf b = {0};

	put_node(&b, e, false);
	return osp_buf_steal(&b, NULL);
}

/* How favourable a choice is: permissive, then copyleft, then any other open, then closed. */
static int rank(const struct osp_spdx_facts *f)
{
	if (f->permissive)
		return 3;
	if (f->copyleft)
		return 2;
	return f->open ? 1 : 0;
}

static void eval_leaf(const struct osp_spdx *e, struct osp_spdx_facts *out)
{
	unsigned flags = e->kind == NODE_LICENSE ? e->lic->flags : 0;

	out->open = (flags & OSP_LIC_OPEN) != 0;
	out->permissive = (flags & OSP_LIC_PERMISSIVE) != 0;
	out->copyleft = (flags & OSP_LIC_COPYLEFT) != 0;
	out->custom = e->kind == NODE_REF;
	out->fits = flags & OSP_LIC_FOR_ANY;
}

static void eval_node(const struct osp_spdx *e, struct osp_spdx_facts *out);

/* AND: every part applies at once. */
static void eval_and(const struct osp_spdx *e, struct osp_spdx_facts *out)
{
	struct osp_spdx_facts f;

	*out = (struct osp_spdx_facts){true, true, false, false, 0};
	for (size_t i = 0; i < e->nkids; i++) {
		eval_node(e->kids[i], &f);
		out->open = out->open && f.open;
		out->permissive = out->permissive && f.permissive;
		out->copyleft = out->copyleft || f.copyleft;
		out->custom = out->custom || f.custom;
		out->fits |= f.fits;
	}
	out->permissive = out->open && out->permissive;
	out->copyleft = out->open && out->copyleft;
}

/* OR: the user picks the most favourable part; equally good parts are all on offer. */
static void eval_or(const struct osp_spdx *e, struct osp_spdx_facts *out)
{
	struct osp_spdx_facts f;

	eval_node(e->kids[0], out);
	for (size_t i = 1; i < e->nkids; i++) {
		eval_node(e->kids[i], &f);
		if (rank(&f) > rank(out)) {
			*out = f;
		} else if (rank(&f) == rank(out)) {
			out->fits |= f.fits;
			out->custom = out->custom && f.custom;
		}
	}
}

static void eval_node(const struct osp_spdx *e, struct osp_spdx_facts *out)
{
	switch (e->kind) {
	case NODE_LICENSE:
	case NODE_REF:
		eval_leaf(e, out);
		return;
	case NODE_AND:
		eval_and(e, out);
		return;
	case NODE_OR:
		eval_or(e, out);
		return;
	}
}

void osp_spdx_eval(const struct osp_spdx *e, struct osp_spdx_facts *out)
{
	eval_node(e, out);
}
