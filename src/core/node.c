/*
 * The result tree (include/fwkit/node.h): growable arrays of typed fields, findings and children,
 * serialised to JSON with json-c.
 */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fwkit/node.h"

struct fwkit_node {
	char *format;
	uint64_t offset, size;
	char *validated;
	int bits;
	struct fwkit_field *fields;
	size_t nfields, cap_fields;
	struct fwkit_finding *findings;
	size_t nfindings, cap_findings;
	struct fwkit_node **children;
	size_t nchildren, cap_children;
};

/* Makes room for one more element of SIZE bytes in *ARR (holding *N of *CAP). */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 4;
	if (ncap > SIZE_MAX / size)
		return false;
	void *p = realloc(*arr, ncap * size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

struct fwkit_node *fwkit_node_new(const char *format, uint64_t offset, uint64_t size)
{
	struct fwkit_node *n = calloc(1, sizeof(*n));
	if (!n || !(n->format = strdup(format ? format : ""))) {
		free(n);
		return NULL;
	}
	n->offset = offset;
	n->size = size;
	return n;
}

static void field_free(struct fwkit_field *f)
{
	free((void *)f->name);
	free((void *)f->raw);
	free((void *)f->text);
}

void fwkit_node_free(struct fwkit_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nfields; i++)
		field_free(&n->fields[i]);
	for (size_t i = 0; i < n->nchildren; i++)
		fwkit_node_free(n->children[i]); /* NULL after node_take_child */
	free(n->fields);
	free(n->findings);
	free(n->children);
	free(n->validated);
	free(n->format);
	free(n);
}

/* Appends F (taking ownership of its strings) or frees them on failure. */
static bool push_field(struct fwkit_node *n, struct fwkit_field *f)
{
	if (!f->name || !grow((void **)&n->fields, &n->cap_fields, n->nfields, sizeof(*f))) {
		field_free(f);
		return false;
	}
	n->fields[n->nfields++] = *f;
	return true;
}

bool fwkit_node_add_uint(struct fwkit_node *n, const char *name, uint64_t value, bool hex)
{
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_UINT, .u = value, .hex = hex };
	return push_field(n, &f);
}

bool fwkit_node_add_int(struct fwkit_node *n, const char *name, int64_t value)
{
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_INT, .i = value };
	return push_field(n, &f);
}

bool fwkit_node_add_bool(struct fwkit_node *n, const char *name, bool value)
{
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_BOOL, .u = value };
	return push_field(n, &f);
}

static uint8_t *dup_bytes(const void *bytes, size_t len, bool terminate)
{
	uint8_t *p = malloc(len + (terminate ? 1 : 0) + 1);
	if (!p)
		return NULL;
	if (len)
		memcpy(p, bytes, len);
	p[len] = 0;
	return p;
}

bool fwkit_node_add_string(struct fwkit_node *n, const char *name, const void *bytes, size_t len)
{
	uint8_t *raw = dup_bytes(bytes, len, false);
	char *text = (char *)dup_bytes(bytes, len, true);
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_STRING, .raw = raw, .raw_len = len, .text = text };
	if (!raw || !text) {
		field_free(&f);
		return false;
	}
	return push_field(n, &f);
}

bool fwkit_node_add_bytes(struct fwkit_node *n, const char *name, const void *bytes, size_t len)
{
	uint8_t *raw = dup_bytes(bytes, len, false);
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_BYTES, .raw = raw, .raw_len = len };
	if (!raw) {
		field_free(&f);
		return false;
	}
	return push_field(n, &f);
}

bool fwkit_node_add_enum(struct fwkit_node *n, const char *name, uint64_t value, const char *label)
{
	struct fwkit_field f = { .name = strdup(name), .kind = FWKIT_VALUE_ENUM, .u = value, .text = strdup(label ? label : "") };
	if (!f.text) {
		field_free(&f);
		return false;
	}
	return push_field(n, &f);
}

bool fwkit_node_add_finding(struct fwkit_node *n, const struct fwkit_finding *finding)
{
	if (!grow((void **)&n->findings, &n->cap_findings, n->nfindings, sizeof(*finding)))
		return false;
	n->findings[n->nfindings++] = *finding;
	return true;
}

bool fwkit_node_add_child(struct fwkit_node *n, struct fwkit_node *child)
{
	if (!grow((void **)&n->children, &n->cap_children, n->nchildren, sizeof(child))) {
		fwkit_node_free(child);
		return false;
	}
	n->children[n->nchildren++] = child;
	return true;
}

struct fwkit_node *node_take_child(struct fwkit_node *n, size_t i)
{
	if (i >= n->nchildren)
		return NULL;
	struct fwkit_node *c = n->children[i];
	n->children[i] = NULL;
	return c;
}

bool fwkit_node_set_validated(struct fwkit_node *n, const char *how, int bits)
{
	char *v = strdup(how ? how : "");
	if (!v)
		return false;
	free(n->validated);
	n->validated = v;
	n->bits = bits;
	return true;
}

bool fwkit_node_set_size(struct fwkit_node *n, uint64_t size)
{
	n->size = size;
	return true;
}

const char *fwkit_node_format(const struct fwkit_node *n) { return n->format; }
uint64_t fwkit_node_offset(const struct fwkit_node *n) { return n->offset; }
uint64_t fwkit_node_size(const struct fwkit_node *n) { return n->size; }
const char *fwkit_node_validated(const struct fwkit_node *n) { return n->validated ? n->validated : ""; }
int fwkit_node_bits(const struct fwkit_node *n) { return n->bits; }
size_t fwkit_node_field_count(const struct fwkit_node *n) { return n->nfields; }
const struct fwkit_field *fwkit_node_field(const struct fwkit_node *n, size_t i) { return i < n->nfields ? &n->fields[i] : NULL; }
size_t fwkit_node_finding_count(const struct fwkit_node *n) { return n->nfindings; }
const struct fwkit_finding *fwkit_node_finding(const struct fwkit_node *n, size_t i) { return i < n->nfindings ? &n->findings[i] : NULL; }
size_t fwkit_node_child_count(const struct fwkit_node *n) { return n->nchildren; }
struct fwkit_node *fwkit_node_child(const struct fwkit_node *n, size_t i) { return i < n->nchildren ? n->children[i] : NULL; }

const struct fwkit_field *fwkit_node_get(const struct fwkit_node *n, const char *name)
{
	for (size_t i = 0; i < n->nfields; i++)
		if (strcmp(n->fields[i].name, name) == 0)
			return &n->fields[i];
	return NULL;
}

int fwkit_node_worst(const struct fwkit_node *n)
{
	int worst = -1;
	for (size_t i = 0; i < n->nfindings; i++)
		if ((int)n->findings[i].severity > worst)
			worst = (int)n->findings[i].severity;
	for (size_t i = 0; i < n->nchildren; i++) {
		int w = fwkit_node_worst(n->children[i]);
		if (w > worst)
			worst = w;
	}
	return worst;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static bool valid_utf8(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint8_t c = s[i];
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (!n || n > len - i || c == 0)
			return false;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

static json_object *hex_string(const uint8_t *p, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *t = malloc(len * 2 + 1);
	if (!t)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		t[2 * i] = digits[p[i] >> 4];
		t[2 * i + 1] = digits[p[i] & 15];
	}
	t[2 * len] = 0;
	json_object *o = json_object_new_string(t);
	free(t);
	return o;
}

static void field_to_json(json_object *obj, const struct fwkit_field *f)
{
	switch (f->kind) {
	case FWKIT_VALUE_UINT:
		/* json-c holds unsigned 64-bit values exactly (json_object_new_uint64) */
		json_object_object_add(obj, f->name, json_object_new_uint64(f->u));
		break;
	case FWKIT_VALUE_INT: json_object_object_add(obj, f->name, json_object_new_int64(f->i)); break;
	case FWKIT_VALUE_BOOL: json_object_object_add(obj, f->name, json_object_new_boolean(f->u != 0)); break;
	case FWKIT_VALUE_STRING:
		if (valid_utf8(f->raw, f->raw_len)) {
			json_object_object_add(obj, f->name, json_object_new_string_len(f->text, (int)f->raw_len));
		} else {
			/* not text: the printable form plus the exact bytes */
			char key[160];
			str_printf(key, sizeof(key), "%s_hex", f->name);
			json_object_object_add(obj, f->name, json_object_new_string("(binary)"));
			json_object_object_add(obj, key, hex_string(f->raw, f->raw_len));
		}
		break;
	case FWKIT_VALUE_BYTES: json_object_object_add(obj, f->name, hex_string(f->raw, f->raw_len)); break;
	case FWKIT_VALUE_ENUM: {
		json_object *e = json_object_new_object();
		json_object_object_add(e, "value", json_object_new_uint64(f->u));
		json_object_object_add(e, "name", json_object_new_string(f->text));
		json_object_object_add(obj, f->name, e);
		break;
	}
	}
}

static json_object *finding_to_json(const struct fwkit_finding *f)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "code", json_object_new_string(f->code));
	json_object_object_add(o, "severity", json_object_new_string(fwkit_severity_name(f->severity)));
	json_object_object_add(o, "offset", json_object_new_uint64(f->offset));
	json_object_object_add(o, "message", json_object_new_string(f->message));
	if (f->expected[0])
		json_object_object_add(o, "expected", json_object_new_string(f->expected));
	if (f->found[0])
		json_object_object_add(o, "found", json_object_new_string(f->found));
	return o;
}

static json_object *node_to_json(const struct fwkit_node *n, unsigned depth)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string(n->format));
	json_object_object_add(o, "offset", json_object_new_uint64(n->offset));
	json_object_object_add(o, "size", json_object_new_uint64(n->size));
	json_object_object_add(o, "validated", json_object_new_string(fwkit_node_validated(n)));
	json_object_object_add(o, "bits", json_object_new_int(n->bits));
	json_object *fields = json_object_new_object();
	for (size_t i = 0; i < n->nfields; i++)
		field_to_json(fields, &n->fields[i]);
	json_object_object_add(o, "fields", fields);
	json_object *fl = json_object_new_array();
	for (size_t i = 0; i < n->nfindings; i++)
		json_object_array_add(fl, finding_to_json(&n->findings[i]));
	json_object_object_add(o, "findings", fl);
	json_object *ch = json_object_new_array();
	/* the tree is built by fwkit with a bounded depth; this bound only guards the recursion */
	for (size_t i = 0; depth < 64 && i < n->nchildren; i++)
		json_object_array_add(ch, node_to_json(n->children[i], depth + 1));
	json_object_object_add(o, "children", ch);
	return o;
}

enum fwkit_status fwkit_node_to_json(struct fwkit_ctx *ctx, const struct fwkit_node *n, bool pretty, char **out)
{
	*out = NULL;
	json_object *o = node_to_json(n, 0);
	json_object_object_add(o, "schema", json_object_new_int(FWKIT_NODE_SCHEMA));
	const char *s = json_object_to_json_string_ext(o, (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) |
								  JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = s ? strdup(s) : NULL;
	json_object_put(o);
	if (!copy)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	*out = copy;
	return FWKIT_OK;
}
