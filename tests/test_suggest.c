/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of "did you mean": edit distance, manifest keys, license identifiers. */
#include "config.h"

#include <string.h>

#include "suggest.h"
#include "tap.h"

static const struct {
	const char *a, *b;
	size_t max, want;
} distances[] = {
	{"license", "license", 3, 0},
	{"LICENSE", "license", 3, 0},
	{"licence", "license", 3, 1},
	{"rol", "role", 3, 1},
	{"descripton", "description", 3, 1},
	{"descirption", "description", 3, 1}, /* a swap is one edit */
	{"", "abc", 3, 3},
	{"abc", "", 3, 3},
	{"kitten", "sitting", 3, 3},
	{"kitten", "sitting", 2, 3},   /* above max: max + 1 */
	{"a", "abcdefgh", 2, 3},       /* lengths alone exceed max */
	{"path", "checkpoints", 3, 4}, /* rows all above max: stops early */
};

static void test_distance(void)
{
	char longer[OSP_SUGGEST_MAX_LEN + 2];

	for (size_t i = 0; i < OSP_ARRAY_LEN(distances); i++)
		is_int(osp_edit_distance(distances[i].a, distances[i].b, distances[i].max),
		       distances[i].want, "distance '%s' '%s' (max %zu)", distances[i].a,
		       distances[i].b, distances[i].max);
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	is_int(osp_edit_distance(longer, longer, 3), 4,
	       "a word over the length bound: no distance");
}

static const char *const top_keys[] = {
	"ospack",   "name", "version",	   "description", "license", "authors", "homepage",
	"datasets", "code", "checkpoints", "evals",	  "docs",    NULL};
static const char *const entry_keys[] = {"name",    "path",	   "git", "url",
					 "license", "role",	   "rev", "subdir",
					 "exclude", "description", NULL};

static const struct {
	const char *word;
	const char *const *cands;
	const char *want; /* NULL: no suggestion */
} words[] = {
	{"licence", top_keys, "license"},
	{"License", top_keys, "license"},
	{"descripton", top_keys, "description"},
	{"verison", top_keys, "version"},
	{"dataset", top_keys, "datasets"},
	{"checkpoint", top_keys, "checkpoints"},
	{"author", top_keys, "authors"},
	{"rol", entry_keys, "role"},
	{"pth", entry_keys, "path"},
	{"Name", entry_keys, "name"},
	{"exlude", entry_keys, "exclude"},
	{"colour", top_keys, NULL},
	{"x", entry_keys, NULL},
	{"metrics", entry_keys, NULL},
	{"sources", entry_keys, NULL},
};

static void test_words(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(words); i++) {
		const char *got = osp_suggest_word(words[i].word, words[i].cands);

		if (words[i].want == NULL)
			ok(got == NULL, "no suggestion for '%s' (got '%s')", words[i].word,
			   got ? got : "");
		else
			is_str(got, words[i].want, "'%s' suggests '%s'", words[i].word,
			       words[i].want);
	}
}

static const struct {
	const char *text;
	const char *want; /* NULL: no suggestion */
} licenses[] = {
	{"mit", "MIT"},
	{"apache-2.0", "Apache-2.0"},
	{"apache 2", "Apache-2.0"},
	{"Apache 2.0", "Apache-2.0"},
	{"Apache2", "Apache-2.0"},
	{"Apache License 2.0", "Apache-2.0"},
	{"Apache License, Version 2.0", "Apache-2.0"},
	{"MIT License", "MIT"},
	{"The MIT License", "MIT"},
	{"GPL v3", "GPL-3.0-only"},
	{"GPLv3", "GPL-3.0-only"},
	{"GPL-3.0", "GPL-3.0-only"},
	{"GPL-2.0+", "GPL-2.0-or-later"},
	{"LGPL v2.1", "LGPL-2.1-only"},
	{"BSD 3 clause", "BSD-3-Clause"},
	{"BSD-3", "BSD-3-Clause"},
	{"bsd 2-clause", "BSD-2-Clause"},
	{"CC BY 4.0", "CC-BY-4.0"},
	{"CC-BY-SA 4.0", "CC-BY-SA-4.0"},
	{"cc0", "CC0-1.0"},
	{"Apahce-2.0", "Apache-2.0"},
	{"GNU General Public License v3.0 only", "GPL-3.0-only"},
	{"Unlicence", "Unlicense"}, /* no version: 1 edit at most */
	{"TODO", NULL},		    /* not TOSL */
	{"none", NULL},		    /* not NOSL */
	{"gpl", NULL},		    /* not NGPL */
	{"openrail", NULL},	    /* not OpenSSL */
	{"apache", NULL},	    /* no version: no guess at one */
	{"bsd", NULL},
	{"proprietary", NULL},
	{"", NULL},
	{"---", NULL},
};

static void test_licenses(void)
{
	char longer[200];

	for (size_t i = 0; i < OSP_ARRAY_LEN(licenses); i++) {
		const char *got = osp_suggest_license(licenses[i].text);

		if (licenses[i].want == NULL)
			ok(got == NULL, "no license suggested for '%s' (got '%s')",
			   licenses[i].text, got ? got : "");
		else
			is_str(got, licenses[i].want, "'%s' suggests '%s'", licenses[i].text,
			       licenses[i].want);
	}
	memset(longer, 'm', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ok(osp_suggest_license(longer) == NULL, "a very long text gets no suggestion");
}

int main(void)
{
	test_distance();
	test_words();
	test_licenses();
	return tap_done();
}
