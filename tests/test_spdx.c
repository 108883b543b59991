/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of SPDX license expressions: parsing, canonical form, facts, and every error. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "license.h"
#include "tap.h"

enum { P = 1, C = 2, O = 4, X = 8 }; /* permissive, copyleft, open, custom */

struct valid {
	const char *expr;
	const char *canonical;
	unsigned facts;
	unsigned fits;
};

#define FCODE OSP_LIC_FOR_CODE
#define FDATA OSP_LIC_FOR_DATA
#define FDOC OSP_LIC_FOR_DOC

static const struct valid valid[] = {
	{"MIT", "MIT", O | P, FCODE},
	{"mit", "MIT", O | P, FCODE},
	{"  MIT\t", "MIT", O | P, FCODE},
	{"Apache-2.0", "Apache-2.0", O | P, FCODE | FDOC},
	{"apache-2.0", "Apache-2.0", O | P, FCODE | FDOC},
	{"GPL-3.0-only", "GPL-3.0-only", O | C, 0},
	{"CC-BY-NC-4.0", "CC-BY-NC-4.0", 0, 0},
	{"CC-BY-4.0", "CC-BY-4.0", O | P, FDOC},
	{"CC-BY-SA-4.0", "CC-BY-SA-4.0", O | C, FDOC},
	{"OpenMDW-1.0", "OpenMDW-1.0", O | P, FCODE | FDATA | FDOC},
	{"MIT OR GPL-3.0-only", "MIT OR GPL-3.0-only", O | P, FCODE},
	{"GPL-3.0-only OR MIT", "GPL-3.0-only OR MIT", O | P, FCODE},
	{"MIT AND GPL-3.0-only", "MIT AND GPL-3.0-only", O | C, FCODE},
	{"MIT AND Apache-2.0", "MIT AND Apache-2.0", O | P, FCODE | FDOC},
	{"CC-BY-4.0 AND CC0-1.0", "CC-BY-4.0 AND CC0-1.0", O | P, FDATA | FDOC},
	{"CC-BY-NC-4.0 OR CC-BY-4.0", "CC-BY-NC-4.0 OR CC-BY-4.0", O | P, FDOC},
	{"CC-BY-NC-4.0 AND CC-BY-4.0", "CC-BY-NC-4.0 AND CC-BY-4.0", 0, FDOC},
	{"CC-BY-SA-4.0 OR GPL-3.0-only", "CC-BY-SA-4.0 OR GPL-3.0-only", O | C, FDOC},
	{"MIT OR Apache-2.0", "MIT OR Apache-2.0", O | P, FCODE | FDOC},
	{"GPL-2.0+", "GPL-2.0+", O | C, 0},
	{"LGPL-2.1+", "LGPL-2.1+", O | C, 0},
	{"Apache-2.0+", "Apache-2.0+", O | P, FCODE | FDOC},
	{"GPL-2.0-or-later WITH Classpath-exception-2.0",
	 "GPL-2.0-or-later WITH Classpath-exception-2.0", O | C, 0},
	{"Apache-2.0 WITH llvm-exception", "Apache-2.0 WITH LLVM-exception", O | P, FCODE | FDOC},
	{"GPL-2.0-only WITH Classpath-exception-2.0 OR MIT",
	 "GPL-2.0-only WITH Classpath-exception-2.0 OR MIT", O | P, FCODE},
	{"LicenseRef-my-license", "LicenseRef-my-license", X, 0},
	{"licenseref-x.1", "LicenseRef-x.1", X, 0},
	{"DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2",
	 "DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2", X, 0},
	{"documentref-a:licenseref-b", "DocumentRef-a:LicenseRef-b", X, 0},
	{"LicenseRef-x WITH LLVM-exception", "LicenseRef-x WITH LLVM-exception", X, 0},
	{"MIT OR LicenseRef-x", "MIT OR LicenseRef-x", O | P, FCODE},
	{"MIT AND LicenseRef-x", "MIT AND LicenseRef-x", X, FCODE},
	{"LicenseRef-a OR LicenseRef-b", "LicenseRef-a OR LicenseRef-b", X, 0},
	{"LicenseRef-a OR CC-BY-NC-4.0", "LicenseRef-a OR CC-BY-NC-4.0", 0, 0},
	{"(MIT)", "MIT", O | P, FCODE},
	{"((MIT))", "MIT", O | P, FCODE},
	{"(MIT)AND(Apache-2.0)", "MIT AND Apache-2.0", O | P, FCODE | FDOC},
	{"MIT\tOR\nApache-2.0\r\n", "MIT OR Apache-2.0", O | P, FCODE | FDOC},
	{"MIT OR Apache-2.0 AND BSD-3-Clause", "MIT OR (Apache-2.0 AND BSD-3-Clause)", O | P,
	 FCODE | FDOC},
	{"MIT AND Apache-2.0 OR GPL-3.0-only", "(MIT AND Apache-2.0) OR GPL-3.0-only", O | P,
	 FCODE | FDOC},
	{"(MIT OR Apache-2.0) AND BSD-3-Clause", "(MIT OR Apache-2.0) AND BSD-3-Clause", O | P,
	 FCODE | FDOC},
	{"(MIT OR Apache-2.0) AND GPL-2.0-only", "(MIT OR Apache-2.0) AND GPL-2.0-only", O | C,
	 FCODE | FDOC},
	{"MIT AND (Apache-2.0 AND BSD-3-Clause)", "MIT AND Apache-2.0 AND BSD-3-Clause", O | P,
	 FCODE | FDOC},
	{"(MIT OR Apache-2.0) OR ISC", "MIT OR Apache-2.0 OR ISC", O | P, FCODE | FDOC},
	{"((MIT OR ISC) AND (GPL-2.0-only OR LGPL-2.1-only)) OR CC-BY-NC-4.0",
	 "((MIT OR ISC) AND (GPL-2.0-only OR LGPL-2.1-only)) OR CC-BY-NC-4.0", O | C, FCODE},
	{"GPL-3.0-only AND LicenseRef-x", "GPL-3.0-only AND LicenseRef-x", X, 0},
	{"MIT+", "MIT+", O | P, FCODE},
};

static void test_valid(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(valid); i++) {
		const struct valid *v = &valid[i];
		struct osp_spdx *e = NULL;
		struct osp_spdx_facts f;
		unsigned got;
		char *s;

		if (!ok(osp_spdx_parse(ctx, v->expr, &e) == OSPACK_OK, "parses: %s", v->expr)) {
			tap_diag("%s", ospack_ctx_message(ctx));
			continue;
		}
		s = osp_spdx_string(e);
		is_str(s, v->canonical, "canonical form of: %s", v->expr);
		free(s);
		osp_spdx_eval(e, &f);
		got = (f.permissive ? P : 0) | (f.copyleft ? C : 0) | (f.open ? O : 0) |
		      (f.custom ? X : 0);
		is_int(got, v->facts, "facts of: %s", v->expr);
		is_int(f.fits, v->fits, "content types of: %s", v->expr);
		osp_spdx_free(e);
	}
	ospack_ctx_free(ctx);
}

struct invalid {
	const char *expr;
	const char *message;
};

static const struct invalid invalid[] = {
	{"", "empty license expression"},
	{"   \t", "empty license expression"},
	{"Apache2", "unknown license identifier 'Apache2'"},
	{"Apache 2.0", "unknown license identifier 'Apache'"},
	{"MIT AND Apache2", "unknown license identifier 'Apache2'"},
	{"ODC-PDDL-1.0", "unknown license identifier 'ODC-PDDL-1.0'"},
	{"Gemma+", "unknown license identifier 'Gemma+'"},
	{"MIT AND", "expected a license after 'AND'"},
	{"MIT OR", "expected a license after 'OR'"},
	{"AND MIT", "expected a license before 'AND'"},
	{"OR", "expected a license before 'OR'"},
	{"WITH LLVM-exception", "expected a license before 'WITH'"},
	{"MIT AND OR Apache-2.0", "expected a license after 'AND', found 'OR'"},
	{"MIT OR )", "expected a license after 'OR', found ')'"},
	{"(AND MIT)", "expected a license after '(', found 'AND'"},
	{"(", "expected a license after '('"},
	{"MIT WITH", "expected an exception after 'WITH'"},
	{"MIT WITH AND", "expected an exception after 'WITH', found 'AND'"},
	{"MIT WITH (LLVM-exception)", "expected an exception after 'WITH', found '('"},
	{"GPL-2.0-only WITH Foo-exception", "unknown license exception 'Foo-exception'"},
	{"GPL-2.0-only WITH MIT", "'MIT' is a license, not a license exception"},
	{"Classpath-exception-2.0",
	 "'Classpath-exception-2.0' is a license exception: write it after 'WITH'"},
	{"MIT WITH LLVM-exception WITH LLVM-exception",
	 "unexpected 'WITH' after 'LLVM-exception': a license takes one exception"},
	{"(MIT OR Apache-2.0) WITH LLVM-exception", "'WITH' must follow a single license, not ')'"},
	{"(MIT", "missing ')'"},
	{"((MIT OR ISC)", "missing ')'"},
	{"MIT)", "unbalanced ')'"},
	{")", "unbalanced ')'"},
	{"(MIT))", "unbalanced ')'"},
	{"()", "empty parentheses"},
	{"MIT AND ()", "empty parentheses"},
	{"MIT Apache-2.0", "expected 'AND' or 'OR' between 'MIT' and 'Apache-2.0'"},
	{"(MIT) ISC", "expected 'AND' or 'OR' between ')' and 'ISC'"},
	{"(MIT ISC)", "expected 'AND' or 'OR' between 'MIT' and 'ISC'"},
	{"MIT (Apache-2.0)", "expected 'AND' or 'OR' before '('"},
	{"mit and apache-2.0", "operator 'and' must be written in upper case: 'AND'"},
	{"MIT or Apache-2.0", "operator 'or' must be written in upper case: 'OR'"},
	{"GPL-2.0-only With Classpath-exception-2.0",
	 "operator 'With' must be written in upper case: 'WITH'"},
	{"MIT/Apache-2.0", "unexpected character '/' in license expression"},
	{"MIT, Apache-2.0", "unexpected character ',' in license expression"},
	{"MIT \"", "unexpected character '\"' in license expression"},
	{"+MIT", "unexpected character '+' in license expression"},
	{"GPL-2.0++", "unexpected character '+' in license expression"},
	{"MIT\001", "unexpected byte 0x01 in license expression"},
	{"Licen\303\247a", "unexpected byte 0xc3 in license expression"},
	{"LicenseRef-", "invalid license reference 'LicenseRef-'"},
	{"LicenseRef-a:b", "invalid license reference 'LicenseRef-a:b'"},
	{"LicenseRef-a+", "'+' applies to a listed license, not to 'LicenseRef-a+'"},
	{"DocumentRef-x", "invalid license reference 'DocumentRef-x'"},
	{"DocumentRef-:LicenseRef-x", "invalid license reference 'DocumentRef-:LicenseRef-x'"},
	{"DocumentRef-a:LicenseRef-", "invalid license reference 'DocumentRef-a:LicenseRef-'"},
	{"DocumentRef-a:MIT", "invalid license reference 'DocumentRef-a:MIT'"},
	{"DocumentRef-a:b:LicenseRef-c",
	 "invalid license reference 'DocumentRef-a:b:LicenseRef-c'"},
};

static void test_invalid(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();

	for (size_t i = 0; i < OSP_ARRAY_LEN(invalid); i++) {
		struct osp_spdx *e = (struct osp_spdx *)ctx; /* must be reset to NULL */
		ospack_error err = osp_spdx_parse(ctx, invalid[i].expr, &e);

		ok(err == OSPACK_EMANIFEST && e == NULL, "rejects: %s", invalid[i].expr);
		is_str(ospack_ctx_message(ctx), invalid[i].message, "message for: %s",
		       invalid[i].expr);
		osp_spdx_free(e);
	}
	ospack_ctx_free(ctx);
}

/* "(((...MIT...)))" with depth parentheses. */
static char *nested(unsigned depth)
{
	char *s = malloc(2 * depth + 4);

	memset(s, '(', depth);
	memcpy(s + depth, "MIT", 3);
	memset(s + depth + 3, ')', depth);
	s[2 * depth + 3] = '\0';
	return s;
}

/* "MIT AND MIT AND ..." of exactly len bytes (len = 3 + 8k). */
static char *long_and(size_t len)
{
	char *s = malloc(len + 1);

	memcpy(s, "MIT", 3);
	for (size_t i = 3; i + 8 <= len; i += 8)
		memcpy(s + i, " AND MIT", 8);
	s[len] = '\0';
	return s;
}

/* "MIT AND MIT OR MIT AND MIT OR ...": n groups, whose canonical form adds 2 bytes each. */
static char *or_of_ands(unsigned n)
{
	struct osp_buf b = {0};

	for (unsigned i = 0; i < n; i++)
		osp_buf_puts(&b, i ? " OR MIT AND MIT" : "MIT AND MIT");
	return osp_buf_steal(&b, NULL);
}

/* levels parentheses of alternating AND and OR around "MIT OR MIT AND MIT", whose canonical
 * form needs one pair more. */
static char *alternating(unsigned levels)
{
	char *s = osp_strdup("MIT OR MIT AND MIT");

	for (unsigned i = 0; i < levels; i++) {
		char *t = osp_asprintf("MIT %s (%s)", i % 2 ? "OR" : "AND", s);

		free(s);
		s = t;
	}
	return s;
}

/* Whatever parses has a canonical form that parses too: the manifest keeps that form, and
 * openness and verify read it again. */
static void test_canonical_bounds(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_spdx *e = NULL, *again = NULL;
	char *s, *c;

	s = or_of_ands(240); /* 3,596 bytes, canonical 4,076 */
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_OK, "%zu bytes of ORed ANDs parse", strlen(s));
	c = e ? osp_spdx_string(e) : NULL;
	ok(c != NULL && strlen(c) == 4076 && osp_spdx_parse(ctx, c, &again) == OSPACK_OK,
	   "and their canonical form of 4,076 bytes parses again");
	free(c);
	osp_spdx_free(again);
	osp_spdx_free(e);
	free(s);
	s = or_of_ands(273); /* 4,091 bytes, canonical 4,637 */
	ok(strlen(s) <= OSP_SPDX_MAX_LEN && osp_spdx_parse(ctx, s, &e) == OSPACK_EMANIFEST &&
		   e == NULL,
	   "%zu bytes whose canonical form exceeds %d are refused", strlen(s), OSP_SPDX_MAX_LEN);
	is_str(ospack_ctx_message(ctx),
	       "license expression longer than 4096 bytes once written with its parentheses",
	       "the message says why a short expression is too long");
	free(s);

	s = alternating(OSP_SPDX_MAX_DEPTH - 1);
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_OK, "%d alternating levels parse",
	   OSP_SPDX_MAX_DEPTH - 1);
	c = e ? osp_spdx_string(e) : NULL;
	ok(c != NULL && osp_spdx_parse(ctx, c, &again) == OSPACK_OK,
	   "and their canonical form, %d deep, parses again", OSP_SPDX_MAX_DEPTH);
	free(c);
	osp_spdx_free(again);
	osp_spdx_free(e);
	free(s);
	s = alternating(OSP_SPDX_MAX_DEPTH);
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_EMANIFEST && e == NULL,
	   "%d levels whose canonical form nests %d deep are refused", OSP_SPDX_MAX_DEPTH,
	   OSP_SPDX_MAX_DEPTH + 1);
	is_str(ospack_ctx_message(ctx),
	       "license expression nested deeper than 32 parentheses once written with its "
	       "parentheses",
	       "the message says why");
	free(s);
	ospack_ctx_free(ctx);
}

static void test_bounds(void)
{
	struct ospack_ctx *ctx = ospack_ctx_new();
	struct osp_spdx *e = NULL;
	char *s, *c;

	s = nested(OSP_SPDX_MAX_DEPTH);
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_OK, "%d nested parentheses parse",
	   OSP_SPDX_MAX_DEPTH);
	c = e ? osp_spdx_string(e) : NULL;
	is_str(c, "MIT", "and their canonical form is plain");
	free(c);
	osp_spdx_free(e);
	free(s);
	s = nested(OSP_SPDX_MAX_DEPTH + 1);
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_EMANIFEST, "%d nested parentheses do not",
	   OSP_SPDX_MAX_DEPTH + 1);
	is_str(ospack_ctx_message(ctx), "license expression nested deeper than 32 parentheses",
	       "the message says how deep is too deep");
	free(s);
	s = nested(100000);
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_EMANIFEST, "a deeply nested expression is refused");
	free(s);

	s = long_and(4091); /* 3 + 8 * 511 */
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_OK, "an expression of %zu bytes parses", strlen(s));
	c = e ? osp_spdx_string(e) : NULL;
	ok(c != NULL && strcmp(c, s) == 0, "and comes back the same, 512 licenses long");
	free(c);
	osp_spdx_free(e);
	free(s);
	s = malloc(OSP_SPDX_MAX_LEN + 2);
	memset(s, ' ', OSP_SPDX_MAX_LEN + 1);
	memcpy(s, "MIT", 3);
	s[OSP_SPDX_MAX_LEN + 1] = '\0';
	ok(osp_spdx_parse(ctx, s, &e) == OSPACK_EMANIFEST && e == NULL,
	   "an expression of %d bytes is refused", OSP_SPDX_MAX_LEN + 1);
	is_str(ospack_ctx_message(ctx), "license expression longer than 4096 bytes",
	       "the message gives the bound");
	free(s);
	ok(osp_spdx_parse(NULL, "Apache2", &e) == OSPACK_EMANIFEST && e == NULL,
	   "parsing without a context still reports the error code");
	ospack_ctx_free(ctx);
}

int main(void)
{
	test_valid();
	test_invalid();
	test_bounds();
	test_canonical_bounds();
	return tap_done();
}
