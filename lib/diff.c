/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ospack_diff: what changed between two releases, from their statements and tag
 * files alone. The payload lists are merged as two sorted streams: memory grows
 * with the differences, not with the releases.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "common.h"
#include "oci/bundle.h"
#include "ospack.h"

/* A registry reference or an OCI layout, not a path: oci-layout:..., or a path that does not
 * exist whose first part names a host (has a dot or a port, or is localhost). */
static bool is_ref(const char *s)
{
	struct stat st;
	const char *slash = strchr(s, '/');
	size_t n;

	if (strncmp(s, "oci-layout:", 11) == 0)
		return true;
	if (stat(s, &st) == 0 || slash == NULL || s[0] == '.' || s[0] == '/')
		return false;
	n = (size_t)(slash - s);
	return memchr(s, '.', n) != NULL || memchr(s, ':', n) != NULL ||
	       (n == 9 && strncmp(s, "localhost", 9) == 0);
}

/* An input that is no readable release is invalid input (exit 3), not a failed verification:
 * for diff, exit 1 means the releases differ. */
static ospack_error open_input(struct ospack_ctx *ctx, const char *in,
			       const struct ospack_diff_opts *o, struct osp_obundle **out)
{
	ospack_error rc = is_ref(in) ? osp_obundle_fetch(ctx, in, o->plain_http, o->tmpdir, out)
				     : osp_obundle_open(ctx, in, o->tmpdir, out);

	if (rc == OSPACK_EREJECT)
		rc = ctx->code = OSPACK_EINPUT;
	return rc;
}

static bool same(json_t *x, json_t *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return json_equal(x, y);
}

/* Sets obj[key] to {"before": x, "after": y} when they differ; true then. */
static bool change(json_t *obj, const char *key, json_t *x, json_t *y)
{
	if (same(x, y))
		return false;
	json_object_set_new(obj, key,
			    json_pack("{s:O, s:O}", "before", x ? x : json_null(), "after",
				      y ? y : json_null()));
	return true;
}

/* What the openness report says in short: the MOF class and the levels met. */
static json_t *openness(json_t *pred)
{
	json_t *o = json_object_get(pred, "openness"), *levels, *met = json_array(), *v;
	json_t *cls = json_object_get(json_object_get(o, "mof"), "class");
	const char *k;

	if (o == NULL) {
		json_decref(met);
		return NULL;
	}
	levels = json_object_get(o, "levels");
	for (void *it = json_object_iter(levels); it != NULL;
	     it = json_object_iter_next(levels, it)) {
		k = json_object_iter_key(it);
		v = json_object_iter_value(it);
		if (json_is_true(json_object_get(v, "met")))
			json_array_append_new(met, json_string(k));
	}
	return json_pack("{s:O, s:o}", "class", cls ? cls : json_null(), "met", met);
}

static char *comp_key(const struct osp_ocomp *c)
{
	return osp_asprintf("%s/%s", c->section, c->name);
}

static json_t *comp_brief(const struct osp_ocomp *c)
{
	char *k = comp_key(c);
	json_t *j = json_pack("{s:s?, s:I, s:I}", "component", k, "files", (json_int_t)c->files,
			      "bytes", (json_int_t)c->bytes);

	free(k);
	return j;
}

struct diff {
	struct ospack_ctx *ctx;
	struct osp_obundle *a, *b;
	json_t *out, *added, *removed, *changed;
	bool differ;
};

/* The per-component change object of key, made on first use. */
static json_t *comp_obj(struct diff *d, const char *key)
{
	json_t *c = json_object_get(d->changed, key);

	if (c == NULL) {
		c = json_pack("{s:{s:[], s:[], s:[]}}", "files", "added", "removed", "changed");
		json_object_set_new(d->changed, key, c);
	}
	return c;
}

static void components(struct diff *d)
{
	size_t i = 0, k = 0;

	while (i < d->a->ncomps || k < d->b->ncomps) {
		struct osp_ocomp *x = i < d->a->ncomps ? &d->a->comps[i] : NULL;
		struct osp_ocomp *y = k < d->b->ncomps ? &d->b->comps[k] : NULL;
		int c = x == NULL ? 1 : y == NULL ? -1 : strcmp(x->dir, y->dir);
		json_t *sx, *sy, *o;
		char *key;
		bool ch = false;

		if (c < 0) {
			json_array_append_new(d->removed, comp_brief(x));
			d->differ = true;
			i++;
			continue;
		}
		if (c > 0) {
			json_array_append_new(d->added, comp_brief(y));
			d->differ = true;
			k++;
			continue;
		}
		key = comp_key(x);
		if (key == NULL)
			return;
		o = comp_obj(d, key);
		sx = json_object_get(x->json, "source");
		sy = json_object_get(y->json, "source");
		ch |= change(o, "license", json_object_get(x->json, "license"),
			     json_object_get(y->json, "license"));
		ch |= change(o, "commit", json_object_get(sx, "commit"),
			     json_object_get(sy, "commit"));
		ch |= change(o, "rev", json_object_get(sx, "rev"), json_object_get(sy, "rev"));
		ch |= change(o, "metrics", json_object_get(x->json, "metrics"),
			     json_object_get(y->json, "metrics"));
		/* one role is a string, several a list: a single role is never a list */
		ch |= change(o, "role", json_object_get(x->json, "role"),
			     json_object_get(y->json, "role"));
		d->differ |= ch;
		free(key);
		i++, k++;
	}
}

/* The component of path in both releases, or NULL when it is in one only. */
static json_t *file_comp(struct diff *d, const char *path)
{
	struct osp_ocomp *x = osp_obundle_comp_of(d->a, path), *y = osp_obundle_comp_of(d->b, path);
	json_t *o;
	char *key;

	if (x == NULL || y == NULL || strcmp(x->dir, y->dir) != 0)
		return NULL;
	if ((key = comp_key(x)) == NULL)
		return NULL;
	o = json_object_get(json_object_get(d->changed, key), "files");
	free(key);
	return o;
}

static json_t *file_json(const struct osp_ofile *f)
{
	char mode[8];

	snprintf(mode, sizeof(mode), "%04o", f->mode);
	return json_pack("{s:s, s:I, s:s, s:s}", "path", f->path, "size", (json_int_t)f->size,
			 "mode", mode, "sha256", f->sha256);
}

static ospack_error files(struct diff *d)
{
	struct osp_ocursor ca, cb;
	ospack_error rc = osp_ocursor_open(d->a, &ca);
	int ra = 0, rb = 0;

	if (rc != OSPACK_OK)
		return rc;
	if ((rc = osp_ocursor_open(d->b, &cb)) != OSPACK_OK) {
		osp_ocursor_close(&ca);
		return rc;
	}
	ra = osp_ocursor_next(&ca);
	rb = osp_ocursor_next(&cb);
	while ((ra > 0 || rb > 0) && ra >= 0 && rb >= 0) {
		int c = ra <= 0 ? 1 : rb <= 0 ? -1 : strcmp(ca.cur.path, cb.cur.path);
		const struct osp_ofile *f = c <= 0 ? &ca.cur : &cb.cur;
		json_t *fo = file_comp(d, f->path);

		if (c < 0 && fo != NULL) {
			json_array_append_new(json_object_get(fo, "removed"), file_json(&ca.cur));
			d->differ = true;
		} else if (c > 0 && fo != NULL) {
			json_array_append_new(json_object_get(fo, "added"), file_json(&cb.cur));
			d->differ = true;
		} else if (c == 0 && fo != NULL &&
			   (ca.cur.size != cb.cur.size || ca.cur.mode != cb.cur.mode ||
			    strcmp(ca.cur.sha256, cb.cur.sha256) != 0)) {
			json_array_append_new(json_object_get(fo, "changed"),
					      json_pack("{s:s, s:o, s:o}", "path", ca.cur.path,
							"before", file_json(&ca.cur), "after",
							file_json(&cb.cur)));
			d->differ = true;
		}
		if (c <= 0)
			ra = osp_ocursor_next(&ca);
		if (c >= 0)
			rb = osp_ocursor_next(&cb);
	}
	rc = ra < 0 || rb < 0 ? d->ctx->code : OSPACK_OK;
	osp_ocursor_close(&ca);
	osp_ocursor_close(&cb);
	return rc;
}

/* Components with nothing changed leave the report; so do empty file lists. */
static void prune(struct diff *d)
{
	const char *key;
	json_t *o;
	void *tmp;

	for (void *it = json_object_iter(d->changed); it != NULL; it = tmp) {
		json_t *f;

		tmp = json_object_iter_next(d->changed, it);
		key = json_object_iter_key(it);
		o = json_object_iter_value(it);
		f = json_object_get(o, "files");

		if (json_array_size(json_object_get(f, "added")) == 0 &&
		    json_array_size(json_object_get(f, "removed")) == 0 &&
		    json_array_size(json_object_get(f, "changed")) == 0) {
			json_object_del(o, "files");
			if (json_object_size(o) == 0)
				json_object_del(d->changed, key);
		}
	}
}

/* Untrusted text: control characters as \xNN. */
static void put(struct osp_buf *t, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			osp_buf_printf(t, "\\x%02x", c);
		else
			osp_buf_putc(t, (char)c);
	}
}

/* "removed component NAME (N files, N bytes)", one line for each of list's components. */
static void put_components(struct osp_buf *t, const char *what, json_t *list)
{
	json_t *v;

	for (size_t i = 0; (v = json_array_get(list, i)) != NULL; i++) {
		osp_buf_printf(t, "%s component ", what);
		put(t, json_string_value(json_object_get(v, "component")));
		osp_buf_printf(
			t, " (%" JSON_INTEGER_FORMAT " files, %" JSON_INTEGER_FORMAT " bytes)\n",
			json_integer_value(json_object_get(v, "files")),
			json_integer_value(json_object_get(v, "bytes")));
	}
}

/* A value as text: a string bare (escaped), anything else as compact JSON. */
static void put_value(struct osp_buf *t, json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		put(t, json_string_value(v));
		return;
	}
	if (v == NULL || json_is_null(v)) {
		osp_buf_puts(t, "(none)");
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS);
	if (s == NULL)
		t->failed = true;
	else
		osp_buf_puts(t, s);
	free(s);
}

static void put_change(struct osp_buf *t, const char *indent, const char *label, json_t *c)
{
	if (c == NULL)
		return;
	osp_buf_printf(t, "%s%s: ", indent, label);
	put_value(t, json_object_get(c, "before"));
	osp_buf_puts(t, " -> ");
	put_value(t, json_object_get(c, "after"));
	osp_buf_putc(t, '\n');
}

static void put_openness(struct osp_buf *t, json_t *o)
{
	json_t *v;
	size_t i;

	if (o == NULL || json_is_null(o)) {
		osp_buf_puts(t, "(none)");
		return;
	}
	osp_buf_puts(t, "class ");
	put_value(t, json_object_get(o, "class"));
	osp_buf_puts(t, ", met:");
	for (i = 0; (v = json_array_get(json_object_get(o, "met"), i)) != NULL; i++) {
		osp_buf_puts(t, i ? ", " : " ");
		put(t, json_string_value(v));
	}
	if (json_array_size(json_object_get(o, "met")) == 0)
		osp_buf_puts(t, " none");
}

static void put_file(struct osp_buf *t, const char *what, json_t *f)
{
	osp_buf_printf(t, "  %s ", what);
	put(t, json_string_value(json_object_get(f, "path")));
	osp_buf_printf(t, " (%" JSON_INTEGER_FORMAT " bytes)\n",
		       json_integer_value(json_object_get(f, "size")));
}

static char *render_text(json_t *j)
{
	struct osp_buf t = {0};
	json_t *v, *o;
	const char *key;
	size_t i;

	osp_buf_puts(&t, "--- ");
	put(&t, json_string_value(json_object_get(j, "a")));
	osp_buf_puts(&t, "\n+++ ");
	put(&t, json_string_value(json_object_get(j, "b")));
	osp_buf_putc(&t, '\n');
	put_change(&t, "", "name", json_object_get(j, "name"));
	put_change(&t, "", "version", json_object_get(j, "version"));
	put_change(&t, "", "license", json_object_get(j, "license"));
	if ((o = json_object_get(j, "openness")) != NULL) {
		osp_buf_puts(&t, "openness: ");
		put_openness(&t, json_object_get(o, "before"));
		osp_buf_puts(&t, " -> ");
		put_openness(&t, json_object_get(o, "after"));
		osp_buf_putc(&t, '\n');
	}
	put_components(&t, "removed", json_object_get(j, "removed"));
	put_components(&t, "added", json_object_get(j, "added"));
	for (void *it = json_object_iter(json_object_get(j, "changed")); it != NULL;
	     it = json_object_iter_next(json_object_get(j, "changed"), it)) {
		json_t *f;

		key = json_object_iter_key(it);
		o = json_object_iter_value(it);
		f = json_object_get(o, "files");

		osp_buf_puts(&t, "changed component ");
		put(&t, key);
		osp_buf_puts(&t, ":\n");
		put_change(&t, "  ", "license", json_object_get(o, "license"));
		put_change(&t, "  ", "commit", json_object_get(o, "commit"));
		put_change(&t, "  ", "rev", json_object_get(o, "rev"));
		put_change(&t, "  ", "metrics", json_object_get(o, "metrics"));
		put_change(&t, "  ", "role", json_object_get(o, "role"));
		for (i = 0; (v = json_array_get(json_object_get(f, "removed"), i)) != NULL; i++)
			put_file(&t, "removed", v);
		for (i = 0; (v = json_array_get(json_object_get(f, "added"), i)) != NULL; i++)
			put_file(&t, "added", v);
		for (i = 0; (v = json_array_get(json_object_get(f, "changed"), i)) != NULL; i++) {
			json_t *b = json_object_get(v, "before"), *a = json_object_get(v, "after");

			osp_buf_puts(&t, "  changed ");
			put(&t, json_string_value(json_object_get(v, "path")));
			osp_buf_printf(
				&t, " (%" JSON_INTEGER_FORMAT " -> %" JSON_INTEGER_FORMAT " bytes",
				json_integer_value(json_object_get(b, "size")),
				json_integer_value(json_object_get(a, "size")));
			if (!json_equal(json_object_get(b, "mode"), json_object_get(a, "mode")))
				osp_buf_printf(&t, ", mode %s -> %s",
					       json_string_value(json_object_get(b, "mode")),
					       json_string_value(json_object_get(a, "mode")));
			osp_buf_puts(&t, ")\n");
		}
	}
	if (!json_is_true(json_object_get(j, "differ")))
		osp_buf_puts(&t, "no differences\n");
	return osp_buf_steal(&t, NULL);
}

OSPACK_API ospack_error ospack_diff(struct ospack_ctx *ctx, const char *a, const char *b,
				    const struct ospack_diff_opts *opts, char **text, char **json,
				    int *differ)
{
	static const struct ospack_diff_opts defaults = {0};
	const struct ospack_diff_opts *o = opts ? opts : &defaults;
	struct diff d = {.ctx = ctx};
	json_t *oa = NULL, *ob = NULL;
	ospack_error rc;

	if (text != NULL)
		*text = NULL;
	if (json != NULL)
		*json = NULL;
	*differ = 0;
	osp_interrupt_reset();
	rc = open_input(ctx, a, o, &d.a);
	if (rc == OSPACK_OK)
		rc = open_input(ctx, b, o, &d.b);
	if (rc == OSPACK_OK) {
		d.out = json_pack("{s:s, s:s, s:[], s:[], s:{}}", "a", a, "b", b, "added",
				  "removed", "changed");
		if (d.out == NULL)
			rc = osp_nomem(ctx);
	}
	if (rc == OSPACK_OK) {
		d.added = json_object_get(d.out, "added");
		d.removed = json_object_get(d.out, "removed");
		d.changed = json_object_get(d.out, "changed");
		d.differ |= change(d.out, "name", json_object_get(d.a->pred, "name"),
				   json_object_get(d.b->pred, "name"));
		d.differ |= change(d.out, "version", json_object_get(d.a->pred, "version"),
				   json_object_get(d.b->pred, "version"));
		d.differ |= change(d.out, "license", json_object_get(d.a->pred, "license"),
				   json_object_get(d.b->pred, "license"));
		oa = openness(d.a->pred);
		ob = openness(d.b->pred);
		d.differ |= change(d.out, "openness", oa, ob);
		components(&d);
		rc = files(&d);
	}
	if (rc == OSPACK_OK) {
		prune(&d);
		json_object_set_new(d.out, "differ", json_boolean(d.differ));
		if (json != NULL &&
		    (*json = json_dumps(d.out, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
			rc = osp_nomem(ctx);
		if (rc == OSPACK_OK && text != NULL && (*text = render_text(d.out)) == NULL)
			rc = osp_nomem(ctx);
		if (rc != OSPACK_OK && json != NULL) {
			free(*json);
			*json = NULL;
		}
		*differ = d.differ;
	}
	json_decref(oa);
	json_decref(ob);
	json_decref(d.out);
	osp_obundle_free(d.a);
	osp_obundle_free(d.b);
	return rc;
}
