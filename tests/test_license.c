/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the license table: its order, its lookups, and the facts of well-known licenses. */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "license.h"
#include "tap.h"

static int lower_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);

		if (ca != cb || ca == '\0')
			return ca - cb;
	}
}

static void test_order(void)
{
	size_t bad = 0, badx = 0;

	ok(osp_license_table_len > 600, "the table holds %zu licenses", osp_license_table_len);
	for (size_t i = 1; i < osp_license_table_len; i++)
		if (lower_cmp(osp_license_table[i - 1].id, osp_license_table[i].id) >= 0)
			bad++;
	is_int(bad, 0, "licenses are sorted and unique, ignoring case");
	ok(osp_exception_table_len >= 40, "the table holds %zu exceptions",
	   osp_exception_table_len);
	for (size_t i = 1; i < osp_exception_table_len; i++)
		if (lower_cmp(osp_exception_table[i - 1], osp_exception_table[i]) >= 0)
			badx++;
	is_int(badx, 0, "exceptions are sorted and unique, ignoring case");
}

/* Every identifier is found as written, in lower case and in upper case. */
static void test_every_id(void)
{
	size_t missed = 0, flagged = 0;
	char buf[128];

	for (size_t i = 0; i < osp_license_table_len; i++) {
		const struct osp_license *l = &osp_license_table[i];
		unsigned f = l->flags;
		size_t n = strlen(l->id);

		for (size_t k = 0; k <= n && k < sizeof(buf); k++)
			buf[k] = (char)tolower((unsigned char)l->id[k]);
		if (osp_license_find(l->id) != l || osp_license_find(buf) != l)
			missed++;
		for (size_t k = 0; k < n && k < sizeof(buf); k++)
			buf[k] = (char)toupper((unsigned char)l->id[k]);
		if (osp_license_find(buf) != l)
			missed++;
		/* permissive and copyleft exclude each other, and both need an open license */
		if (((f & OSP_LIC_PERMISSIVE) && (f & OSP_LIC_COPYLEFT)) ||
		    ((f & (OSP_LIC_PERMISSIVE | OSP_LIC_COPYLEFT)) && !(f & OSP_LIC_OPEN)))
			flagged++;
	}
	is_int(missed, 0, "every license is found as written, in lower and in upper case");
	is_int(flagged, 0, "permissive and copyleft licenses are open, and never both");
	for (size_t i = 0; i < osp_exception_table_len; i++)
		if (osp_license_exception_find(osp_exception_table[i]) != osp_exception_table[i])
			missed++;
	is_int(missed, 0, "every exception is found");
}

struct fact {
	const char *id;
	unsigned set;	/* flags that must be set */
	unsigned unset; /* flags that must not be */
};

#define OSI OSP_LIC_OSI
#define FSF OSP_LIC_FSF
#define DATA OSP_LIC_OPEN_DATA
#define PERM OSP_LIC_PERMISSIVE
#define COPY OSP_LIC_COPYLEFT
#define DEPR OSP_LIC_DEPRECATED
#define FCODE OSP_LIC_FOR_CODE
#define FDATA OSP_LIC_FOR_DATA
#define FDOC OSP_LIC_FOR_DOC

static const struct fact facts[] = {
	{"Apache-2.0", OSI | FSF | PERM | FCODE | FDOC, COPY | DEPR | DATA},
	{"MIT", OSI | FSF | PERM | FCODE, COPY},
	{"BSD-3-Clause", OSI | PERM, COPY},
	{"0BSD", OSI | PERM, COPY},
	{"Unlicense", OSI | FSF | PERM, COPY},
	{"ISC", OSI | PERM | FCODE, COPY},
	{"BSL-1.0", OSI | PERM, COPY},
	{"Zlib", OSI | PERM, COPY},
	{"Artistic-2.0", OSI | PERM, COPY},
	{"CECILL-B", FSF | PERM, COPY},
	{"CECILL-C", FSF | COPY, PERM},
	{"CECILL-2.1", OSI | COPY, PERM},
	{"GPL-3.0-only", OSI | FSF | COPY, PERM | DEPR},
	{"GPL-3.0-or-later", OSI | FSF | COPY, PERM},
	{"GPL-2.0", COPY | DEPR, PERM},
	{"GPL-2.0+", COPY | DEPR, PERM},
	{"LGPL-2.1-only", OSI | COPY, PERM},
	{"AGPL-3.0-only", OSI | COPY, PERM},
	{"MPL-2.0", OSI | COPY, PERM},
	{"MPL-2.0-no-copyleft-exception", OSI | COPY, PERM},
	{"EPL-2.0", OSI | COPY, PERM},
	{"CDDL-1.0", OSI | COPY, PERM},
	{"EUPL-1.2", OSI | COPY, PERM},
	{"OSL-3.0", OSI | COPY, PERM},
	{"CPL-1.0", OSI | COPY, PERM},
	{"OFL-1.1", OSI | COPY, PERM},
	{"CC0-1.0", DATA | PERM | FDATA | FDOC, COPY | OSI},
	{"CC-BY-4.0", DATA | PERM | FDOC, COPY | OSI},
	{"CC-BY-3.0-US", DATA | PERM, COPY},
	{"CC-BY-SA-4.0", DATA | COPY | FDOC, PERM},
	{"CC-BY-SA-3.0", DATA | COPY, PERM},
	{"CC-BY-NC-4.0", 0, DATA | PERM | COPY | OSI | FSF},
	{"CC-BY-NC-SA-4.0", 0, DATA | PERM | COPY | OSI | FSF},
	{"CC-BY-ND-4.0", 0, DATA | PERM | COPY | OSI | FSF},
	{"CC-BY-SA-3.0-IGO", 0, DATA | PERM | COPY},
	{"CDLA-Permissive-2.0", DATA | PERM | FDATA, COPY},
	{"CDLA-Permissive-1.0", DATA | PERM | FDATA, COPY},
	{"CDLA-Sharing-1.0", DATA | COPY, PERM},
	{"ODbL-1.0", DATA | COPY, PERM},
	{"ODC-By-1.0", DATA | PERM, COPY},
	{"PDDL-1.0", DATA | PERM | FDATA, COPY},
	{"GFDL-1.3", DATA | COPY | DEPR, PERM},
	{"GFDL-1.3-only", FSF | COPY, PERM | DATA},
	{"OGL-UK-3.0", DATA | PERM, COPY},
	{"OGL-Canada-2.0", DATA | PERM, COPY},
	{"OpenMDW-1.0", DATA | PERM | FCODE | FDATA | FDOC, COPY | OSI | FSF},
	{"C-UDA-1.0", FDATA, DATA | PERM | COPY},
	{"JSON", 0, PERM | COPY | OSI},
	{"BUSL-1.1", 0, PERM | COPY | OSI},
	{"SSPL-1.0", 0, PERM | COPY | OSI},
	{"Elastic-2.0", 0, PERM | COPY | OSI},
};

static void test_facts(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(facts); i++) {
		const struct fact *f = &facts[i];
		const struct osp_license *l = osp_license_find(f->id);

		if (!ok(l != NULL, "%s is known", f->id))
			continue;
		is_str(l->id, f->id, "%s is its canonical spelling", f->id);
		ok((l->flags & f->set) == f->set && (l->flags & f->unset) == 0,
		   "%s has flags %#x, lacks %#x (has %#x)", f->id, f->set, f->unset, l->flags);
	}
}

struct lookup {
	const char *query;
	const char *want; /* NULL: not found */
};

static const struct lookup lookups[] = {
	{"apache-2.0", "Apache-2.0"},
	{"APACHE-2.0", "Apache-2.0"},
	{"mit", "MIT"},
	{"gpl-3.0-ONLY", "GPL-3.0-only"},
	{"cc-by-4.0", "CC-BY-4.0"},
	{"openmdw-1.0", "OpenMDW-1.0"},
	{"0bsd", "0BSD"},
	{"zpl-2.1", "ZPL-2.1"},
	{"Apache2", NULL},
	{"Apache-2", NULL},
	{"Apache-2.0x", NULL},
	{"Apache 2.0", NULL},
	{"MIT ", NULL},
	{"", NULL},
	{"ODC-PDDL-1.0", NULL},
	{"Classpath-exception-2.0", NULL},
};

static void test_lookups(void)
{
	for (size_t i = 0; i < OSP_ARRAY_LEN(lookups); i++) {
		const struct osp_license *l = osp_license_find(lookups[i].query);

		if (lookups[i].want == NULL)
			ok(l == NULL, "'%s' is not a license identifier", lookups[i].query);
		else
			is_str(l ? l->id : NULL, lookups[i].want, "'%s' finds %s", lookups[i].query,
			       lookups[i].want);
	}
	ok(osp_license_find(NULL) == NULL, "NULL is not a license");
	is_str(osp_license_findn("MIT AND", 3)->id, "MIT", "a lookup by length stops there");
	ok(osp_license_findn("MIT", 2) == NULL, "a prefix of an identifier is not it");
	is_str(osp_license_exception_find("classpath-exception-2.0"), "Classpath-exception-2.0",
	       "exceptions are found ignoring case");
	is_str(osp_license_exception_find("LLVM-exception"), "LLVM-exception",
	       "LLVM-exception is an exception");
	ok(osp_license_exception_find("MIT") == NULL, "MIT is not an exception");
	ok(osp_license_exception_find(NULL) == NULL, "NULL is not an exception");
	has_str(osp_license_list_version(), "3.19", "the list version names SPDX 3.19");
}

int main(void)
{
	test_order();
	test_every_id();
	test_facts();
	test_lookups();
	return tap_done();
}
