/* SPDX-License-Identifier: Apache-2.0 */
/* Lookups in the generated license and exception tables. */
#include "config.h"

#include <string.h>

#include "license.h"

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Compares the n bytes at key with the NUL-terminated id, ignoring ASCII case,
 * in the order the generator sorted the tables (byte order of lowercased text).
 * Done by hand because strcasecmp() follows the locale.
 */
static int casecmp_n(const char *key, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		int a = ascii_lower((unsigned char)key[i]), b = ascii_lower((unsigned char)id[i]);

		if (b == '\0' || a != b)
			return b == '\0' ? 1 : a - b;
	}
	return id[n] == '\0' ? 0 : -1;
}

const struct osp_license *osp_license_findn(const char *id, size_t n)
{
	size_t lo = 0, hi = osp_license_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = casecmp_n(id, n, osp_license_table[mid].id);

		if (c == 0)
			return &osp_license_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct osp_license *osp_license_find(const char *id)
{
	return id == NULL ? NULL : osp_license_findn(id, strlen(id));
}

const char *osp_license_exception_findn(const char *id, size_t n)
{
	size_t lo = 0, hi = osp_exception_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = casecmp_n(id, n, osp_exception_table[mid]);

		if (c == 0)
			return osp_exception_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *osp_license_exception_find(const char *id)
{
	return id == NULL ? NULL : osp_license_exception_findn(id, strlen(id));
}

const char *osp_license_list_version(void)
{
	return osp_license_table_version;
}
