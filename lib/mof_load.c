/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a Model Openness Tool model file (YAML) into the input of the MOF evaluation. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "mof.h"

/* The release-level licenses: one for distribution, and one per content type. */
enum { REL_DISTRIBUTION, REL_CODE, REL_DATA, REL_DOCUMENT, REL_N };

struct loader {
	struct ospack_ctx *ctx;
	const char *file;
	yaml_document_t *doc;
	struct osp_mof_model *m;
	const char *release_license[REL_N]; /* NULL or a non-empty name */
	bool own_key[OSP_MOF_NCOMPONENTS];  /* the component has its own license key */
	const char *own[OSP_MOF_NCOMPONENTS];
};

static ospack_error fail_at(struct loader *ld, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static ospack_error fail_at(struct loader *ld, yaml_mark_t mark, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return osp_error(ld->ctx, OSPACK_EINPUT, "%s:%zu:%zu: %s", ld->file, mark.line + 1,
			 mark.column + 1, msg);
}

static ospack_error yaml_fail(struct loader *ld, const yaml_parser_t *p)
{
	if (p->error == YAML_MEMORY_ERROR)
		return osp_nomem(ld->ctx);
	return fail_at(ld, p->problem_mark, "%s%s%s", p->context ? p->context : "",
		       p->context ? ": " : "", p->problem ? p->problem : "invalid YAML");
}

/*
 * Reads the event stream once before building the document, so that a file cannot make
 * the loader use unbounded memory or stack: a bound on events, depth and documents.
 */
static ospack_error prescan(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	size_t events = 0, depth = 0, docs = 0;
	ospack_error err = OSPACK_OK;
	bool done = false;

	if (!yaml_parser_initialize(&p))
		return osp_nomem(ld->ctx);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!done && err == OSPACK_OK) {
		if (!yaml_parser_parse(&p, &ev)) {
			err = yaml_fail(ld, &p);
			break;
		}
		if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT)
			depth++;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
			depth--;
		if (ev.type == YAML_DOCUMENT_START_EVENT)
			docs++;
		done = ev.type == YAML_STREAM_END_EVENT;
		if (++events > OSP_MOF_MAX_NODES)
			err = fail_at(ld, ev.start_mark, "more than %d YAML nodes",
				      OSP_MOF_MAX_NODES);
		else if (depth > OSP_MOF_MAX_DEPTH)
			err = fail_at(ld, ev.start_mark, "nested deeper than %d levels",
				      OSP_MOF_MAX_DEPTH);
		else if (docs > 1)
			err = fail_at(ld, ev.start_mark, "more than one YAML document");
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return err;
}

static bool is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < OSP_ARRAY_LEN(nulls); i++)
		if (strcmp(v, nulls[i]) == 0)
			return true;
	return false;
}

/* The value of key in a mapping, or NULL; a key given twice is an error. */
static ospack_error map_get(struct loader *ld, yaml_node_t *map, const char *key, yaml_node_t **out)
{
	*out = NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);

		if (k == NULL || k->type != YAML_SCALAR_NODE ||
		    strcmp((const char *)k->data.scalar.value, key) != 0)
			continue;
		if (*out != NULL)
			return fail_at(ld, k->start_mark, "'%s' given twice", key);
		*out = yaml_document_get_node(ld->doc, p->value);
	}
	return OSPACK_OK;
}

/* A string value (NULL for a YAML null); what, for messages, names the key. */
static ospack_error get_string(struct loader *ld, yaml_node_t *n, const char *what,
			       const char **out)
{
	*out = NULL;
	if (n == NULL || is_null(n))
		return OSPACK_OK;
	if (n->type != YAML_SCALAR_NODE)
		return fail_at(ld, n->start_mark, "%s: expected a string", what);
	*out = (const char *)n->data.scalar.value;
	return OSPACK_OK;
}

static ospack_error keep(struct loader *ld, const char *s, char **out)
{
	if (osp_strv_push(&ld->m->strings, s) != 0)
		return osp_nomem(ld->ctx);
	*out = ld->m->strings.v[ld->m->strings.n - 1];
	return OSPACK_OK;
}

/* release.license.<kind>: a mapping whose name is the license. */
static ospack_error load_release_license(struct loader *ld, yaml_node_t *lic, int kind,
					 const char *key)
{
	yaml_node_t *v = NULL, *name = NULL;
	const char *s = NULL;
	char what[64];
	ospack_error err;

	snprintf(what, sizeof(what), "release.license.%s", key);
	err = map_get(ld, lic, key, &v);
	if (err != OSPACK_OK || v == NULL || is_null(v))
		return err;
	if (v->type != YAML_MAPPING_NODE)
		return fail_at(ld, v->start_mark, "%s: expected a mapping with a name", what);
	err = map_get(ld, v, "name", &name);
	if (err == OSPACK_OK)
		err = get_string(ld, name, what, &s);
	if (err == OSPACK_OK && s != NULL && s[0] != '\0')
		ld->release_license[kind] = s;
	return err;
}

/* release.license: absent, null, a mapping by content type, or one name for everything. */
static ospack_error load_release_licenses(struct loader *ld, yaml_node_t *rel)
{
	static const char *const keys[REL_N] = {"distribution", "code", "data", "document"};
	yaml_node_t *lic = NULL;
	ospack_error err = map_get(ld, rel, "license", &lic);

	if (err != OSPACK_OK || lic == NULL || is_null(lic))
		return err;
	if (lic->type == YAML_SCALAR_NODE) {
		ld->release_license[REL_DISTRIBUTION] = (const char *)lic->data.scalar.value;
		return OSPACK_OK;
	}
	if (lic->type != YAML_MAPPING_NODE)
		return fail_at(ld, lic->start_mark, "release.license: expected a mapping");
	for (int k = 0; k < REL_N && err == OSPACK_OK; k++)
		err = load_release_license(ld, lic, k, keys[k]);
	return err;
}

/* One item of release.components: a name the MOF knows, and maybe a license. */
static ospack_error load_component(struct loader *ld, yaml_node_t *c)
{
	yaml_node_t *name = NULL, *lic = NULL;
	const char *s = NULL;
	ospack_error err;
	int i;

	if (c->type != YAML_MAPPING_NODE)
		return fail_at(ld, c->start_mark, "release.components: expected a mapping");
	err = map_get(ld, c, "name", &name);
	if (err == OSPACK_OK)
		err = get_string(ld, name, "component name", &s);
	if (err != OSPACK_OK)
		return err;
	if (s == NULL)
		return fail_at(ld, c->start_mark, "component without a name");
	i = osp_mof_component_find(s);
	if (i < 0)
		return fail_at(ld, name->start_mark, "unknown MOF component '%s'", s);
	if (ld->m->in.part[i].present)
		return fail_at(ld, name->start_mark, "component '%s' listed twice", s);
	ld->m->in.part[i].present = true;
	err = map_get(ld, c, "license", &lic);
	if (err == OSPACK_OK && lic != NULL) {
		ld->own_key[i] = true;
		err = get_string(ld, lic, "license", &ld->own[i]);
	}
	return err;
}

static ospack_error load_components(struct loader *ld, yaml_node_t *rel)
{
	yaml_node_t *list = NULL;
	ospack_error err = map_get(ld, rel, "components", &list);

	if (err != OSPACK_OK || list == NULL || is_null(list))
		return err;
	if (list->type != YAML_SEQUENCE_NODE)
		return fail_at(ld, list->start_mark, "release.components: expected a list");
	for (yaml_node_item_t *it = list->data.sequence.items.start;
	     it < list->data.sequence.items.top && err == OSPACK_OK; it++)
		err = load_component(ld, yaml_document_get_node(ld->doc, *it));
	return err;
}

/* The tool's license resolution: own key, else the release's for the type, else distribution. */
static ospack_error resolve_licenses(struct loader *ld)
{
	static const int by_type[] = {
		[OSP_MOF_CODE] = REL_CODE, [OSP_MOF_DATA] = REL_DATA, [OSP_MOF_DOC] = REL_DOCUMENT};
	struct osp_mof_input *in = &ld->m->in;

	for (int i = 0; i < OSP_MOF_NCOMPONENTS; i++) {
		const char *s = ld->own[i];
		char *kept = NULL;

		if (!in->part[i].present)
			continue;
		if (!ld->own_key[i])
			s = ld->release_license[by_type[in->part[i].type]];
		if (!ld->own_key[i] && s == NULL)
			s = ld->release_license[REL_DISTRIBUTION];
		if (s == NULL)
			continue;
		if (keep(ld, s, &kept) != OSPACK_OK)
			return OSPACK_ENOMEM;
		in->part[i].license = kept;
	}
	return OSPACK_OK;
}

static ospack_error load_release(struct loader *ld, yaml_node_t *root)
{
	yaml_node_t *rel = NULL, *name = NULL, *version = NULL;
	const char *s = NULL, *v = NULL;
	ospack_error err;

	if (root->type != YAML_MAPPING_NODE)
		return fail_at(ld, root->start_mark, "expected a mapping with a release");
	err = map_get(ld, root, "release", &rel);
	if (err != OSPACK_OK)
		return err;
	if (rel == NULL || rel->type != YAML_MAPPING_NODE)
		return fail_at(ld, rel ? rel->start_mark : root->start_mark,
			       "release: expected a mapping");
	err = map_get(ld, rel, "name", &name);
	if (err == OSPACK_OK)
		err = get_string(ld, name, "release.name", &s);
	if (err == OSPACK_OK && (s == NULL || s[0] == '\0'))
		err = fail_at(ld, name ? name->start_mark : rel->start_mark,
			      "release.name: expected a non-empty string");
	if (err == OSPACK_OK)
		err = map_get(ld, rel, "version", &version);
	if (err == OSPACK_OK)
		err = get_string(ld, version, "release.version", &v);
	if (err == OSPACK_OK)
		err = keep(ld, s, &ld->m->name);
	if (err == OSPACK_OK)
		err = keep(ld, v ? v : "", &ld->m->version);
	if (err == OSPACK_OK)
		err = load_release_licenses(ld, rel);
	if (err == OSPACK_OK)
		err = load_components(ld, rel);
	return err == OSPACK_OK ? resolve_licenses(ld) : err;
}

void osp_mof_model_free(struct osp_mof_model *m)
{
	if (m == NULL)
		return;
	osp_strv_free(&m->strings);
	free(m);
}

static ospack_error load_document(struct loader *ld, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_node_t *root;
	ospack_error err;

	if (!yaml_parser_initialize(&p))
		return osp_nomem(ld->ctx);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, ld->doc)) {
		err = yaml_fail(ld, &p);
		yaml_parser_delete(&p);
		return err;
	}
	yaml_parser_delete(&p);
	root = yaml_document_get_root_node(ld->doc);
	if (root == NULL) {
		yaml_mark_t start = {0, 0, 0};

		err = fail_at(ld, start, "empty model file");
	} else {
		err = load_release(ld, root);
	}
	yaml_document_delete(ld->doc);
	return err;
}

ospack_error osp_mof_parse(struct ospack_ctx *ctx, const char *file, const char *text, size_t len,
			   struct osp_mof_model **out)
{
	yaml_document_t doc;
	struct loader ld = {.ctx = ctx, .file = file, .doc = &doc};
	ospack_error err;

	*out = NULL;
	if (len > OSP_MOF_MAX_FILE)
		return osp_error(ctx, OSPACK_EINPUT, "%s: larger than %u bytes", file,
				 OSP_MOF_MAX_FILE);
	ld.m = calloc(1, sizeof(*ld.m));
	if (ld.m == NULL)
		return osp_nomem(ctx);
	osp_mof_input_init(&ld.m->in);
	err = prescan(&ld, text, len);
	if (err == OSPACK_OK)
		err = load_document(&ld, text, len);
	if (err != OSPACK_OK)
		goto out;
	*out = ld.m;
	ld.m = NULL;
out:
	osp_mof_model_free(ld.m);
	return err;
}

ospack_error osp_mof_load(struct ospack_ctx *ctx, const char *path, struct osp_mof_model **out)
{
	char *text = NULL;
	size_t len = 0;
	ospack_error err;

	*out = NULL;
	err = osp_read_file(ctx, path, OSP_MOF_MAX_FILE, OSPACK_EINPUT, &text, &len);
	if (err == OSPACK_OK)
		err = osp_mof_parse(ctx, path, text, len, out);
	free(text);
	return err;
}
