/* SPDX-License-Identifier: Apache-2.0 */
/* "Did you mean": edit distance for manifest keys, a forgiving match for license ids. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "license.h"
#include "suggest.h"

/* A normalized license text: "Apache License, Version 2.0" and "Apache-2.0" both "apache2". */
#define NORM_MAX 96

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	c = lower(c);
	return c >= 'a' && c <= 'z';
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

size_t osp_edit_distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t rows[3][OSP_SUGGEST_MAX_LEN + 1];
	size_t *pp = rows[0], *p = rows[1], *c = rows[2];

	if (la > OSP_SUGGEST_MAX_LEN || lb > OSP_SUGGEST_MAX_LEN ||
	    (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (size_t j = 0; j <= lb; j++)
		p[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t rowmin = c[0] = i, *t;
		int ai = lower((unsigned char)a[i - 1]);

		for (size_t j = 1; j <= lb; j++) {
			int bj = lower((unsigned char)b[j - 1]);
			size_t v = min3(p[j] + 1, c[j - 1] + 1, p[j - 1] + (ai != bj));

			/* Two neighbours swapped ("descirption") count as one edit. */
			if (i > 1 && j > 1 && ai == lower((unsigned char)b[j - 2]) &&
			    lower((unsigned char)a[i - 2]) == bj && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > max)
			return max + 1;
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[lb] > max ? max + 1 : p[lb];
}

static size_t allowed(size_t len)
{
	return len <= 3 ? 1 : len <= 6 ? 2 : 3;
}

const char *osp_suggest_word(const char *word, const char *const *cands)
{
	size_t max = allowed(strlen(word)), best_d = max + 1;
	const char *best = NULL;

	for (size_t i = 0; cands[i] != NULL; i++) {
		size_t d = osp_edit_distance(word, cands[i], max);

		if (d < best_d) {
			best_d = d;
			best = cands[i];
		}
	}
	return best;
}

static bool is_noise(const char *w, size_t n)
{
	static const char *const noise[] = {"license", "licence", "version", "the", "v"};

	for (size_t i = 0; i < OSP_ARRAY_LEN(noise); i++)
		if (strlen(noise[i]) == n && memcmp(noise[i], w, n) == 0)
			return true;
	return false;
}

/* Appends one lower-cased word, without a version's "v" ("v3", "GPLv3"). */
static bool add_word(const char *w, size_t n, char *out, size_t *len)
{
	for (size_t i = 0; i < n; i++) {
		int ch = w[i], prev = i > 0 ? w[i - 1] : 0, next = i + 1 < n ? w[i + 1] : 0;

		if (ch == 'v' && (i == 0 || is_alpha(prev)) && is_digit(next))
			continue;
		if (ch == '.' && !(is_digit(prev) && is_digit(next)))
			continue;
		if (*len + 1 >= NORM_MAX)
			return false;
		out[(*len)++] = (char)ch;
	}
	out[*len] = '\0';
	return true;
}

/* Drops ".0" closing a version number: "2.0" is "2", "1.0.0" is "1", "2.1" stays. */
static void drop_zero_minor(char *s)
{
	for (size_t i = 1; s[i] != '\0';) {
		if (s[i] == '.' && s[i + 1] == '0' && is_digit(s[i - 1]) && !is_digit(s[i + 2]) &&
		    s[i + 2] != '.')
			memmove(s + i, s + i + 2, strlen(s + i + 2) + 1);
		else
			i++;
	}
}

/*
 * Lower case, words joined without separators, the words "license", "licence",
 * "version", "the" and a lone "v" left out. False if text is too long.
 */
static bool normalize(const char *text, char *out)
{
	char w[NORM_MAX];
	size_t len = 0;

	out[0] = '\0';
	for (const char *s = text; *s != '\0';) {
		size_t n = 0;

		while (*s != '\0' && !is_alpha(*s) && !is_digit(*s) && *s != '.' && *s != '+')
			s++;
		while (is_alpha(*s) || is_digit(*s) || *s == '.' || *s == '+') {
			if (n + 1 >= sizeof(w))
				return false;
			w[n++] = (char)lower((unsigned char)*s++);
		}
		if (n > 0 && !is_noise(w, n) && !add_word(w, n, out, &len))
			return false;
	}
	drop_zero_minor(out);
	return true;
}

/* A deprecated identifier is suggested as its successor: GPL-3.0 as GPL-3.0-only. */
static const char *successor(const struct osp_license *l)
{
	char id[NORM_MAX];
	size_t n = strlen(l->id);
	const struct osp_license *s;

	if (!(l->flags & OSP_LIC_DEPRECATED) || n + sizeof("-or-later") > sizeof(id))
		return l->id;
	if (l->id[n - 1] == '+')
		snprintf(id, sizeof(id), "%.*s-or-later", (int)(n - 1), l->id);
	else
		snprintf(id, sizeof(id), "%s-only", l->id);
	s = osp_license_find(id);
	return s != NULL ? s->id : l->id;
}

/* The license whose normalized id (or full name) is want; non-deprecated first. */
static const struct osp_license *find_exact(const char *want, bool by_name)
{
	const struct osp_license *found = NULL;
	char n[NORM_MAX];

	for (size_t i = 0; i < osp_license_table_len; i++) {
		const struct osp_license *l = &osp_license_table[i];

		if (!normalize(by_name ? l->name : l->id, n) || strcmp(n, want) != 0)
			continue;
		if (found == NULL || (found->flags & OSP_LIC_DEPRECATED))
			found = l;
	}
	return found;
}

static void digits(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s != '\0' && n + 1 < outlen; s++)
		if (is_digit(*s))
			out[n++] = *s;
	out[n] = '\0';
}

/*
 * The closest id by edit distance among those whose version digits start with want's;
 * a value without digits must be 5 characters or more and 1 edit away.
 */
static const struct osp_license *find_near(const char *want)
{
	const struct osp_license *best = NULL;
	size_t max = allowed(strlen(want)), best_d;
	char wd[NORM_MAX], n[NORM_MAX], nd[NORM_MAX];

	digits(want, wd, sizeof(wd));
	/* Without a version, short words are too near too many ids ("TODO", "TOSL"). */
	if (wd[0] == '\0')
		max = strlen(want) >= 5 ? 1 : 0;
	if (max == 0)
		return NULL;
	best_d = max + 1;
	for (size_t i = 0; i < osp_license_table_len; i++) {
		const struct osp_license *l = &osp_license_table[i];
		size_t d;

		if (!normalize(l->id, n))
			continue;
		digits(n, nd, sizeof(nd));
		if (strcmp(wd, nd) != 0 && (wd[0] == '\0' || strncmp(wd, nd, strlen(wd)) != 0))
			continue;
		d = osp_edit_distance(want, n, max);
		if (d < best_d ||
		    (d == best_d && best != NULL && (best->flags & OSP_LIC_DEPRECATED) &&
		     !(l->flags & OSP_LIC_DEPRECATED))) {
			best_d = d;
			best = l;
		}
	}
	return best;
}

/* An expression with operators is not one license written loosely: no guess. */
static bool has_operator(const char *text)
{
	static const char *const ops[] = {"AND", "OR", "WITH"};

	for (const char *s = text; *s != '\0';) {
		size_t n = 0;

		while (*s == ' ' || *s == '(' || *s == ')')
			s++;
		while (s[n] != '\0' && s[n] != ' ' && s[n] != '(' && s[n] != ')')
			n++;
		for (size_t i = 0; i < OSP_ARRAY_LEN(ops); i++)
			if (n == strlen(ops[i]) && memcmp(s, ops[i], n) == 0)
				return true;
		s += n;
	}
	return false;
}

const char *osp_suggest_license(const char *text)
{
	char want[NORM_MAX], clause[NORM_MAX + 8];
	const struct osp_license *l;

	if (strlen(text) > OSP_SUGGEST_MAX_LEN * 2 || has_operator(text) ||
	    !normalize(text, want) || want[0] == '\0')
		return NULL;
	snprintf(clause, sizeof(clause), "%sclause", want);
	if ((l = find_exact(want, false)) == NULL && (l = find_exact(clause, false)) == NULL &&
	    (l = find_exact(want, true)) == NULL)
		l = find_near(want);
	return l != NULL ? successor(l) : NULL;
}
