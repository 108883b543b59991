/* SPDX-License-Identifier: Apache-2.0 */
/* The MOF engine against the Model Openness Tool's own fixtures and 273 real model files. */
#include "config.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mof.h"
#include "tap.h"

/* The reference data: $SHARED (tests/lib.sh; make distcheck sets it), else ../shared beside
 * the sources. */
static char *mof_dir;

/* A path under mof_dir, to free. */
static char *mof(const char *rel)
{
	return osp_asprintf("%s/%s", mof_dir, rel);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yml files of dir, sorted. */
static void list_yml(const char *rel, struct osp_strv *out)
{
	char *dir = mof(rel);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;

	if (d == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0)
			osp_strv_push_owned(out, osp_asprintf("%s/%s", dir, de->d_name));
	}
	closedir(d);
	free(dir);
	qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

/* Drops a ',' that only white space separates from the end of b. */
static void drop_trailing_comma(struct osp_buf *b)
{
	size_t k = b->len;

	while (k > 0 && strchr(" \t\r\n", b->data[k - 1]) != NULL)
		k--;
	if (k > 0 && b->data[k - 1] == ',') {
		memmove(b->data + k - 1, b->data + k, b->len - k + 1);
		b->len--;
	}
}

/* Loads expected_results.json, which has trailing commas: drops each ',' before '}' or ']'. */
static json_t *load_expected(void)
{
	char *path = mof("Test_Data/expected_results.json");
	FILE *f = path ? fopen(path, "r") : NULL;
	struct osp_buf b = {0};
	json_error_t jerr;
	bool in_string = false, escaped = false;
	json_t *root;
	int c;

	free(path);
	if (f == NULL)
		return NULL;
	while ((c = getc(f)) != EOF) {
		if (in_string) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '}' || c == ']') {
			drop_trailing_comma(&b);
		}
		osp_buf_putc(&b, (char)c);
	}
	fclose(f);
	root = json_loads(b.data, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		tap_diag("expected_results.json: line %d: %s", jerr.line, jerr.text);
	osp_buf_free(&b);
	return root;
}

static json_t *find_expected(json_t *root, const char *name)
{
	json_t *models = json_object_get(root, "models"), *m;
	size_t i;

	json_array_foreach(models, i, m)
	{
		json_t *rel = json_object_get(m, "release");

		const char *s = json_string_value(json_object_get(rel, "name"));

		if (s != NULL && strcmp(s, name) == 0)
			return json_object_get(m, "classification");
	}
	return NULL;
}

static double progress_of(json_t *cls, const char *k)
{
	return json_number_value(json_object_get(json_object_get(cls, "progress"), k));
}

static void check_fixture(struct ospack_ctx *ctx, json_t *expected, const char *path,
			  unsigned *matched)
{
	const char *base = strrchr(path, '/') + 1;
	struct osp_mof_model *m = NULL;
	struct osp_mof_eval ev;
	json_t *want;
	double p[4];

	if (!ok(osp_mof_load(ctx, path, &m) == OSPACK_OK, "%s loads", base)) {
		tap_diag("%s", ospack_ctx_message(ctx));
		return;
	}
	want = find_expected(expected, m->name);
	if (ok(want != NULL, "%s has an expected result", base)) {
		osp_mof_evaluate(&m->in, &ev);
		(*matched)++;
		is_int(ev.mof_class, json_integer_value(json_object_get(want, "class")),
		       "%s: class", base);
		is_str(osp_mof_class_label(ev.mof_class),
		       json_string_value(json_object_get(want, "label")), "%s: label", base);
		p[1] = progress_of(want, "1");
		p[2] = progress_of(want, "2");
		p[3] = progress_of(want, "3");
		if (!ok(fabs(ev.progress[1] - p[1]) < 1e-9 && fabs(ev.progress[2] - p[2]) < 1e-9 &&
				fabs(ev.progress[3] - p[3]) < 1e-9,
			"%s: progress %.4g %.4g %.4g", base, p[1], p[2], p[3]))
			tap_diag("got %.17g %.17g %.17g", ev.progress[1], ev.progress[2],
				 ev.progress[3]);
	}
	osp_mof_model_free(m);
}

static void test_fixtures(struct ospack_ctx *ctx)
{
	struct osp_strv files = {0};
	json_t *expected = load_expected();
	unsigned matched = 0;

	if (!ok(expected != NULL, "expected_results.json parses, trailing commas dropped"))
		return;
	is_int(json_array_size(json_object_get(expected, "models")), 27, "27 expected results");
	list_yml("Test_Data", &files);
	is_int(files.n, 27, "27 fixtures");
	for (size_t i = 0; i < files.n; i++)
		check_fixture(ctx, expected, files.v[i], &matched);
	is_int(matched, 27, "every fixture matched its expected result by release.name");
	osp_strv_free(&files);
	json_decref(expected);
}

static void test_models(struct ospack_ctx *ctx)
{
	struct osp_strv files = {0};
	unsigned hist[4] = {0}, warned = 0, paper = 0;

	list_yml("models", &files);
	is_int(files.n, 273, "273 model files");
	for (size_t i = 0; i < files.n; i++) {
		struct osp_mof_model *m = NULL;
		struct osp_mof_eval ev;

		if (!ok(osp_mof_load(ctx, files.v[i], &m) == OSPACK_OK, "%s loads",
			strrchr(files.v[i], '/') + 1)) {
			tap_diag("%s", ospack_ctx_message(ctx));
			continue;
		}
		osp_mof_evaluate(&m->in, &ev);
		hist[ev.mof_class]++;
		paper += ev.paper_for_report;
		for (int k = 0; k < OSP_MOF_NCOMPONENTS; k++)
			warned += ev.status[k] == OSP_MOF_INCLUDED_WARNING;
		osp_mof_model_free(m);
	}
	tap_diag("classes of the %zu models: I %u, II %u, III %u, unclassified %u", files.n,
		 hist[1], hist[2], hist[3], hist[0]);
	tap_diag("%u components under an open license meant for other content; "
		 "%u models where the paper stands in for the report",
		 warned, paper);
	osp_strv_free(&files);
}

/* The public entry point on one fixture: the text and the JSON say the same. */
static void test_check_mof(struct ospack_ctx *ctx)
{
	struct osp_strv files = {0};
	char *text = NULL, *json = NULL;
	const char *path = NULL;
	json_t *o, *needed;

	list_yml("Test_Data", &files);
	for (size_t i = 0; i < files.n; i++)
		if (strstr(files.v[i], "/Class2RTestFile") != NULL)
			path = files.v[i];
	if (!ok(path != NULL, "the Class2R fixture is there") ||
	    !ok(ospack_check_mof(ctx, path, &text, &json) == OSPACK_OK, "ospack_check_mof runs"))
		goto out;
	has_str(text, "Class: Class II - Open Tooling Model", "the text gives the class");
	has_str(text, "Class I - Open Science Model needs:\n  - Datasets: missing",
		"the text says what class I needs");
	has_str(text, "the research paper stands in for the technical report",
		"the text says the paper stands in");
	o = json_loads(json, JSON_REJECT_DUPLICATES, NULL);
	ok(o != NULL && json_integer_value(json_object_get(o, "class")) == 2,
	   "the JSON gives class 2");
	ok(fabs(json_real_value(json_object_get(json_object_get(o, "progress"), "1")) -
		1000.0 / 13) < 1e-9,
	   "the JSON gives class I progress 76.9%%");
	is_int(json_array_size(json_object_get(o, "components")), 17,
	       "the JSON lists 17 components");
	needed = json_object_get(json_object_get(o, "needed"), "1");
	is_int(json_array_size(needed), 3, "class I still needs 3 components");
	is_str(json_string_value(json_array_get(needed, 0)), "Datasets", "the first is Datasets");
	ok(strchr(json, '\n') == NULL && strncmp(json, "{\"class\":2,", 11) == 0,
	   "the JSON is compact with sorted keys");
	json_decref(o);
	ok(ospack_check_mof(ctx, path, NULL, NULL) == OSPACK_OK, "both outputs are optional");
out:
	ospack_free(text);
	ospack_free(json);
	osp_strv_free(&files);
}

int main(void)
{
	const char *shared = getenv("SHARED");
	struct ospack_ctx *ctx;
	struct stat st;
	char *data, *models;
	bool there;

	mof_dir = shared && *shared ? osp_asprintf("%s/reference/mof", shared)
				    : osp_strdup(TOP_SRCDIR "/../shared/reference/mof");
	data = mof("Test_Data");
	models = mof("models");
	there = data && models && stat(data, &st) == 0 && stat(models, &st) == 0;
	free(data);
	free(models);
	if (!there)
		tap_need_skip_all("the MOF reference data (../shared/reference/mof) is absent");
	ctx = ospack_ctx_new();
	test_fixtures(ctx);
	test_models(ctx);
	test_check_mof(ctx);
	ospack_ctx_free(ctx);
	free(mof_dir);
	return tap_done();
}
