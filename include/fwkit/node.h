/*
 * The result tree: what fwkit found in a file, as typed data.
 *
 * A node is one validated instance of a format at an offset: {format, offset, size, validated,
 * fields, findings, children}. Fields are typed (unsigned and signed integers, booleans, strings
 * with their raw bytes, byte arrays, enums with their names), so no fact travels only inside an
 * English sentence. The library serialises a tree to JSON itself (schema in docs/json.md); the
 * tool renders text from the same tree. Every array grows as needed: no fixed-size results.
 */
#ifndef FWKIT_NODE_H
#define FWKIT_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "findings.h"

/* The version of the JSON form of a node tree ("schema" in every document). */
#define FWKIT_NODE_SCHEMA 2

enum fwkit_value_kind {
	FWKIT_VALUE_UINT = 0,
	FWKIT_VALUE_INT,
	FWKIT_VALUE_BOOL,
	FWKIT_VALUE_STRING, /* text as found, with its raw bytes (it may not be UTF-8) */
	FWKIT_VALUE_BYTES,
	FWKIT_VALUE_ENUM,   /* a number with its name, e.g. compression 3 "lzma" */
};

struct fwkit_field {
	const char *name;
	enum fwkit_value_kind kind;
	bool hex;             /* UINT: show as hexadecimal (offsets, CRCs, magics) */
	uint64_t u;           /* UINT, ENUM (the number), BOOL (0/1) */
	int64_t i;            /* INT */
	const uint8_t *raw;   /* STRING, BYTES: the bytes; ENUM: NULL */
	size_t raw_len;
	const char *text;     /* STRING: the bytes NUL-terminated; ENUM: the name */
};

struct fwkit_node;

FWKIT_API struct fwkit_node *fwkit_node_new(const char *format, uint64_t offset, uint64_t size);
/* Frees NODE and all its children. NULL is fine. */
FWKIT_API void fwkit_node_free(struct fwkit_node *node);

/* Adders return false only when out of memory (the node stays valid). Names are copied. */
FWKIT_API bool fwkit_node_add_uint(struct fwkit_node *node, const char *name, uint64_t value, bool hex);
FWKIT_API bool fwkit_node_add_int(struct fwkit_node *node, const char *name, int64_t value);
FWKIT_API bool fwkit_node_add_bool(struct fwkit_node *node, const char *name, bool value);
FWKIT_API bool fwkit_node_add_string(struct fwkit_node *node, const char *name, const void *bytes, size_t len);
FWKIT_API bool fwkit_node_add_bytes(struct fwkit_node *node, const char *name, const void *bytes, size_t len);
FWKIT_API bool fwkit_node_add_enum(struct fwkit_node *node, const char *name, uint64_t value, const char *label);
FWKIT_API bool fwkit_node_add_finding(struct fwkit_node *node, const struct fwkit_finding *finding);
/* Takes ownership of CHILD (also on failure, when it is freed). */
FWKIT_API bool fwkit_node_add_child(struct fwkit_node *node, struct fwkit_node *child);
/* What validated the node beyond its magic ("magic, header CRC, data CRC"); copied. */
FWKIT_API bool fwkit_node_set_validated(struct fwkit_node *node, const char *how, int bits);
FWKIT_API bool fwkit_node_set_size(struct fwkit_node *node, uint64_t size);

FWKIT_API const char *fwkit_node_format(const struct fwkit_node *node);
FWKIT_API uint64_t fwkit_node_offset(const struct fwkit_node *node);
FWKIT_API uint64_t fwkit_node_size(const struct fwkit_node *node);
FWKIT_API const char *fwkit_node_validated(const struct fwkit_node *node);
FWKIT_API int fwkit_node_bits(const struct fwkit_node *node);
FWKIT_API size_t fwkit_node_field_count(const struct fwkit_node *node);
FWKIT_API const struct fwkit_field *fwkit_node_field(const struct fwkit_node *node, size_t i);
/* The first field called NAME, or NULL. */
FWKIT_API const struct fwkit_field *fwkit_node_get(const struct fwkit_node *node, const char *name);
FWKIT_API size_t fwkit_node_finding_count(const struct fwkit_node *node);
FWKIT_API const struct fwkit_finding *fwkit_node_finding(const struct fwkit_node *node, size_t i);
FWKIT_API size_t fwkit_node_child_count(const struct fwkit_node *node);
FWKIT_API struct fwkit_node *fwkit_node_child(const struct fwkit_node *node, size_t i);
/* The highest severity in NODE and below it, or -1. */
FWKIT_API int fwkit_node_worst(const struct fwkit_node *node);

/*
 * NODE as a JSON object (json-c): {"format","offset","size","validated","bits","fields":{...},
 * "findings":[...],"children":[...]}. Strings that are not valid UTF-8 carry a NAME_hex twin.
 * *OUT is malloc'ed text the caller frees. PRETTY: indented.
 */
FWKIT_API enum fwkit_status fwkit_node_to_json(struct fwkit_ctx *ctx, const struct fwkit_node *node, bool pretty,
					       char **out);

#endif
