/* SPDX-License-Identifier: Apache-2.0 */
/* A reader for .gitmodules (git's configuration syntax): submodule paths and URLs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gitmodules.h"

struct parser {
	struct ospack_ctx *ctx;
	const char *p, *end;
	unsigned line;
	struct osp_gitmodules *out;
	struct osp_buf name; /* the key or the section being read */
	struct osp_buf value;
	char *module; /* the current [submodule "name"], or NULL in another section */
};

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_keychar(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '-';
}

static bool is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int peek(const struct parser *ps)
{
	return ps->p < ps->end ? (unsigned char)*ps->p : -1;
}

static void skip_blank(struct parser *ps)
{
	while (ps->p < ps->end && is_blank((unsigned char)*ps->p))
		ps->p++;
}

/* Leaves p on the line's '\n' (or at the end). */
static void skip_comment(struct parser *ps)
{
	const char *nl = memchr(ps->p, '\n', (size_t)(ps->end - ps->p));

	ps->p = nl != NULL ? nl : ps->end;
}

static ospack_error syntax(struct parser *ps, const char *what)
{
	return osp_error(ps->ctx, OSPACK_EINPUT, "line %u: %s", ps->line, what);
}

static struct osp_gitmodule *module_get(struct parser *ps, const char *name)
{
	struct osp_gitmodules *m = ps->out;

	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, name) == 0)
			return &m->v[i];
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct osp_gitmodule *v = osp_reallocarray(m->v, cap, sizeof(*v));

		if (v == NULL)
			return NULL;
		m->v = v;
		m->cap = cap;
	}
	memset(&m->v[m->n], 0, sizeof(m->v[m->n]));
	m->v[m->n].name = osp_strdup(name);
	if (m->v[m->n].name == NULL)
		return NULL;
	return &m->v[m->n++];
}

/* The quoted subsection of [section "sub"]: only \" and \\ are escapes, a newline ends badly. */
static ospack_error read_subsection(struct parser *ps)
{
	int c;

	ps->p++;
	while ((c = peek(ps)) != '"') {
		if (c == -1 || c == '\n')
			return syntax(ps, "unterminated section name");
		if (c == '\\') {
			ps->p++;
			c = peek(ps);
			if (c == -1 || c == '\n')
				return syntax(ps, "unterminated section name");
		}
		osp_buf_putc(&ps->value, (char)c);
		ps->p++;
	}
	ps->p++;
	return OSPACK_OK;
}

/* Sets ps->module from the section header; the legacy form [submodule.name] works too. */
static ospack_error enter_section(struct parser *ps, bool quoted)
{
	const char *section = ps->name.data, *dot = strchr(section, '.');
	bool submodule;

	free(ps->module);
	ps->module = NULL;
	if (quoted || dot == NULL) {
		submodule = quoted && strcasecmp(section, "submodule") == 0;
		if (submodule)
			ps->module = osp_strdup(ps->value.data);
	} else {
		submodule =
			(size_t)(dot - section) == 9 && strncasecmp(section, "submodule", 9) == 0;
		if (submodule)
			ps->module = osp_strdup(dot + 1);
	}
	if (submodule && ps->module == NULL)
		return osp_nomem(ps->ctx);
	return OSPACK_OK;
}

static ospack_error read_section(struct parser *ps)
{
	bool quoted = false;
	ospack_error rc;

	osp_buf_free(&ps->name);
	osp_buf_free(&ps->value);
	osp_buf_puts(&ps->value, "");
	ps->p++;
	while (ps->p < ps->end && (is_keychar((unsigned char)*ps->p) || *ps->p == '.'))
		osp_buf_putc(&ps->name, *ps->p++);
	if (ps->name.len == 0)
		return syntax(ps, "missing section name");
	skip_blank(ps);
	if (peek(ps) == '"') {
		if ((rc = read_subsection(ps)) != OSPACK_OK)
			return rc;
		quoted = true;
	}
	if (peek(ps) != ']')
		return syntax(ps, "bad section header");
	ps->p++;
	if (ps->name.failed || ps->value.failed)
		return osp_nomem(ps->ctx);
	return enter_section(ps, quoted);
}

static ospack_error read_escape(struct parser *ps)
{
	static const char from[] = "ntb\"\\", to[] = "\n\t\b\"\\";
	const char *k;
	int c;

	ps->p++;
	c = peek(ps);
	if (c == '\n' || (c == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')) {
		/* A continued line. */
		ps->p += c == '\r' ? 2 : 1;
		ps->line++;
		return OSPACK_OK;
	}
	if (c <= 0 || (k = strchr(from, c)) == NULL)
		return syntax(ps, "bad escape in value");
	osp_buf_putc(&ps->value, to[k - from]);
	ps->p++;
	return OSPACK_OK;
}

/*
 * A value: double quotes group (and keep blanks), '#' or ';' outside quotes
 * starts a comment, blanks at the end outside quotes are dropped.
 */
static ospack_error read_value(struct parser *ps)
{
	ospack_error rc;
	size_t keep = 0;
	bool quote = false;
	int c;

	osp_buf_free(&ps->value);
	osp_buf_puts(&ps->value, "");
	skip_blank(ps);
	while ((c = peek(ps)) != -1 && c != '\n') {
		if (!quote && (c == '#' || c == ';')) {
			skip_comment(ps);
			break;
		}
		if (c == '\\') {
			size_t before = ps->value.len;

			if ((rc = read_escape(ps)) != OSPACK_OK)
				return rc;
			if (ps->value.len != before)
				keep = ps->value.len;
			continue;
		}
		ps->p++;
		if (c == '"') {
			quote = !quote;
			keep = ps->value.len;
			continue;
		}
		osp_buf_putc(&ps->value, (char)c);
		if (quote || !is_blank(c))
			keep = ps->value.len;
	}
	if (quote)
		return syntax(ps, "unterminated quote in value");
	if (ps->value.failed)
		return osp_nomem(ps->ctx);
	ps->value.len = keep;
	ps->value.data[keep] = '\0';
	return OSPACK_OK;
}

static ospack_error store(struct parser *ps)
{
	struct osp_gitmodule *m;
	bool is_path = strcasecmp(ps->name.data, "path") == 0;
	char **field, *copy;

	if (ps->module == NULL || (!is_path && strcasecmp(ps->name.data, "url") != 0))
		return OSPACK_OK;
	m = module_get(ps, ps->module);
	copy = osp_strdup(ps->value.data);
	if (m == NULL || copy == NULL) {
		free(copy);
		return osp_nomem(ps->ctx);
	}
	field = is_path ? &m->path : &m->url;
	free(*field);
	*field = copy;
	return OSPACK_OK;
}

/* "key = value", or a bare "key" (a boolean, of no interest here). */
static ospack_error read_entry(struct parser *ps)
{
	ospack_error rc;
	int c;

	osp_buf_free(&ps->name);
	while (ps->p < ps->end && is_keychar((unsigned char)*ps->p))
		osp_buf_putc(&ps->name, *ps->p++);
	if (ps->name.failed)
		return osp_nomem(ps->ctx);
	skip_blank(ps);
	c = peek(ps);
	if (c == -1 || c == '\n' || c == '#' || c == ';')
		return OSPACK_OK;
	if (c != '=')
		return syntax(ps, "expected '=' after the key");
	ps->p++;
	if ((rc = read_value(ps)) != OSPACK_OK)
		return rc;
	return store(ps);
}

static ospack_error parse_all(struct parser *ps)
{
	ospack_error rc = OSPACK_OK;
	int c;

	while (rc == OSPACK_OK) {
		skip_blank(ps);
		c = peek(ps);
		if (c == -1)
			break;
		if (c == '\n') {
			ps->p++;
			ps->line++;
		} else if (c == '#' || c == ';') {
			skip_comment(ps);
		} else if (c == '[') {
			rc = read_section(ps);
		} else if (is_alpha(c)) {
			rc = read_entry(ps);
		} else {
			rc = syntax(ps, "unexpected character");
		}
	}
	return rc;
}

ospack_error osp_gitmodules_parse(struct ospack_ctx *ctx, const char *text, size_t len,
				  struct osp_gitmodules *out)
{
	struct parser ps = {.ctx = ctx, .p = text, .end = text + len, .line = 1, .out = out};
	ospack_error rc;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len) != NULL) {
		rc = osp_error(ctx, OSPACK_EINPUT, "the file contains a NUL byte");
		goto out;
	}
	/* git skips a UTF-8 byte order mark. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	rc = parse_all(&ps);
out:
	osp_buf_free(&ps.name);
	osp_buf_free(&ps.value);
	free(ps.module);
	if (rc != OSPACK_OK)
		osp_gitmodules_free(out);
	return rc;
}

const struct osp_gitmodule *osp_gitmodules_find(const struct osp_gitmodules *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].path != NULL && strcmp(m->v[i].path, path) == 0)
			return &m->v[i];
	return NULL;
}

void osp_gitmodules_free(struct osp_gitmodules *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].path);
		free(m->v[i].url);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}
