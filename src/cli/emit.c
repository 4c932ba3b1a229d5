/*
 * The emitter's two renderings: text lines to a stream, or a json-c tree printed at the end.
 * JSON is built and serialised by json-c; nothing here writes JSON syntax by hand.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/emit.h"
#include "fwkit/findings.h"

#define MAX_DEPTH 16
#define LABEL_COLUMN 14 /* mkimage pads "Image Name:" and friends to this column */

struct emitter {
	bool json;
	bool compact;
	FILE *out;
	int depth; /* text: nesting depth, for indentation */
	bool list_labelled[MAX_DEPTH];
	int list_top;
	json_object *stack[MAX_DEPTH];
	int top;
};

struct emitter *emitter_new(bool json, FILE *out)
{
	struct emitter *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->json = json;
	e->out = out;
	if (json) {
		e->stack[0] = json_object_new_object();
		json_object_object_add(e->stack[0], "schema", json_object_new_int(FWKIT_JSON_SCHEMA));
	}
	return e;
}

struct emitter *emitter_new_compact(FILE *out)
{
	struct emitter *e = emitter_new(true, out);
	if (e)
		e->compact = true;
	return e;
}

void emitter_free(struct emitter *e)
{
	if (!e)
		return;
	if (e->json)
		json_object_put(e->stack[0]);
	free(e);
}

bool emitter_is_json(const struct emitter *e)
{
	return e->json;
}

/* Attaches V to the current JSON container (under KEY for objects). Takes ownership of V. */
static void attach(struct emitter *e, const char *key, json_object *v)
{
	json_object *cur = e->stack[e->top];
	if (json_object_is_type(cur, json_type_array))
		json_object_array_add(cur, v);
	else if (key)
		json_object_object_add(cur, key, v);
	else
		json_object_put(v);
}

static void push(struct emitter *e, const char *key, json_object *v)
{
	if (e->top + 1 >= MAX_DEPTH) {
		json_object_put(v);
		return;
	}
	json_object_get(v);
	attach(e, key, v);
	e->stack[++e->top] = v;
}

static void pop(struct emitter *e)
{
	if (e->top > 0)
		json_object_put(e->stack[e->top--]);
}

void emit_begin(struct emitter *e, const char *key)
{
	if (e->json)
		push(e, key, json_object_new_object());
}

void emit_end(struct emitter *e)
{
	if (e->json)
		pop(e);
}

void emit_begin_list(struct emitter *e, const char *key, const char *label)
{
	if (e->json) {
		push(e, key, json_object_new_array());
		return;
	}
	/* Only a labelled list is a visible block in text; an unlabelled one is just its items. */
	if (label) {
		fprintf(e->out, "%*s%s:\n", e->depth * 3, "", label);
		e->depth++;
	}
	e->list_labelled[e->list_top < MAX_DEPTH ? e->list_top : MAX_DEPTH - 1] = label != NULL;
	e->list_top++;
}

void emit_end_list(struct emitter *e)
{
	if (e->json) {
		pop(e);
		return;
	}
	if (e->list_top > 0 && e->list_labelled[--e->list_top < MAX_DEPTH ? e->list_top : MAX_DEPTH - 1] && e->depth > 0)
		e->depth--;
}

static void text_field(struct emitter *e, const char *label, const char *value, size_t value_len)
{
	if (e->depth == 0) {
		int pad = LABEL_COLUMN - (int)strlen(label) - 1;
		fprintf(e->out, "%s:%*s", label, pad > 0 ? pad : 1, "");
	} else {
		fprintf(e->out, "%*s%s: ", e->depth * 3, "", label);
	}
	fwrite(value, 1, value_len, e->out);
	fputc('\n', e->out);
}

void emit_string(struct emitter *e, const char *key, const char *label, const char *value)
{
	if (e->json) {
		if (key) {
			char *esc = utf8_escape((const uint8_t *)value, strlen(value), NULL);
			attach(e, key, json_object_new_string(esc ? esc : ""));
			free(esc);
		}
	} else if (label) {
		text_field(e, label, value, strlen(value));
	}
}

void emit_bytes(struct emitter *e, const char *key, const char *label, const uint8_t *bytes, size_t len)
{
	if (!e->json) {
		if (label)
			text_field(e, label, (const char *)bytes, len);
		return;
	}
	if (!key)
		return;
	bool changed = false;
	char *esc = utf8_escape(bytes, len, &changed);
	attach(e, key, json_object_new_string(esc ? esc : ""));
	free(esc);
	if (!changed)
		return;
	char *hex = malloc(2 * len + 1);
	if (!hex)
		return;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	hex[2 * len] = '\0';
	char hexkey[64];
	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	attach(e, hexkey, json_object_new_string(hex));
	free(hex);
}

void emit_uint(struct emitter *e, const char *key, const char *label, uint64_t value, const char *text)
{
	if (e->json) {
		if (key)
			attach(e, key, json_object_new_uint64(value));
		return;
	}
	if (!label)
		return;
	char buf[32];
	if (!text) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
		text = buf;
	}
	text_field(e, label, text, strlen(text));
}

void emit_bool(struct emitter *e, const char *key, const char *label, bool value, const char *text)
{
	if (e->json) {
		if (key)
			attach(e, key, json_object_new_boolean(value));
		return;
	}
	if (label) {
		const char *t = text ? text : (value ? "yes" : "no");
		text_field(e, label, t, strlen(t));
	}
}

void emit_line(struct emitter *e, const char *line)
{
	if (!e->json)
		fprintf(e->out, "%s\n", line);
}

void emit_raw_line(struct emitter *e, const void *bytes, size_t len)
{
	if (!e->json) {
		fwrite(bytes, 1, len, e->out);
		fputc('\n', e->out);
	}
}

void emit_finding(struct emitter *e, const struct fwkit_finding *it)
{
	emit_begin(e, NULL);
	emit_string(e, "severity", NULL, fwkit_severity_name(it->severity));
	emit_string(e, "code", NULL, it->code);
	emit_uint(e, "offset", NULL, it->offset, NULL);
	emit_string(e, "message", NULL, it->message);
	if (it->expected[0])
		emit_string(e, "expected", NULL, it->expected);
	if (it->found[0])
		emit_string(e, "found", NULL, it->found);
	emit_end(e);
}

static bool json_printed;

void emit_note_json_printed(void)
{
	json_printed = true;
}

bool emit_json_printed(void)
{
	return json_printed;
}

void emit_failure_document(FILE *out, const char *command, int exit_code, const char *message)
{
	json_object *o = json_object_new_object();
	json_object_object_add(o, "schema", json_object_new_int(FWKIT_JSON_SCHEMA));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "exit_code", json_object_new_int(exit_code));
	json_object_object_add(o, "error", message && message[0] ? json_object_new_string(message) : NULL);
	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), out);
	fputc('\n', out);
	json_object_put(o);
}

bool emitter_finish(struct emitter *e)
{
	if (e->json) {
		json_printed = true;
		int flags = (e->compact ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY) | JSON_C_TO_STRING_NOSLASHESCAPE;
		const char *s = json_object_to_json_string_ext(e->stack[0], flags);
		fputs(s, e->out);
		fputc('\n', e->out);
	}
	return !ferror(e->out);
}

/* Length of the valid UTF-8 sequence at P (RFC 3629: no overlongs, no surrogates, <= U+10FFFF), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t b = p[0];
	if (b == 0)
		return 0; /* a NUL would end the C string json-c copies: escape it */
	if (b < 0x80)
		return 1;
	size_t len;
	uint32_t min, cp;
	if ((b & 0xE0) == 0xC0) {
		len = 2, min = 0x80, cp = b & 0x1F;
	} else if ((b & 0xF0) == 0xE0) {
		len = 3, min = 0x800, cp = b & 0x0F;
	} else if ((b & 0xF8) == 0xF0) {
		len = 4, min = 0x10000, cp = b & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

char *utf8_escape(const uint8_t *bytes, size_t len, bool *changed)
{
	if (changed)
		*changed = false;
	char *out = malloc(4 * len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(bytes + i, len - i);
		if (n) {
			memcpy(out + o, bytes + i, n);
			o += n;
			i += n;
		} else {
			snprintf(out + o, 5, "\\x%02x", bytes[i]);
			if (changed)
				*changed = true;
			o += 4;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}
