/*
 * The output emitter: every command describes its result through these calls once, and the
 * same calls drive both renderings, so text and --json cannot disagree.
 *
 * A field has a JSON key and a text label. A NULL key means "text rendering only" (a line
 * laid out for people, such as mkimage's "Image Type:" composite); a NULL label means "JSON
 * only" (a raw number behind that line). Text fields print as "Label:" padded to column 14,
 * mkimage's layout; inside a list they print indented by three spaces. See docs/internals/emitter.md.
 */
#ifndef FWKIT_CLI_EMIT_H
#define FWKIT_CLI_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FWKIT_JSON_SCHEMA 1

struct emitter;

struct emitter *emitter_new(bool json, FILE *out);
/* JSON on one line (JSON Lines, for event streams). */
struct emitter *emitter_new_compact(FILE *out);
void emitter_free(struct emitter *e);
bool emitter_is_json(const struct emitter *e);

/* Nested object: under KEY in the current object, or appended when inside a list. */
void emit_begin(struct emitter *e, const char *key);
void emit_end(struct emitter *e);
/* A list; LABEL (text) prints "Label:" on a line of its own when non-NULL. */
void emit_begin_list(struct emitter *e, const char *key, const char *label);
void emit_end_list(struct emitter *e);

void emit_string(struct emitter *e, const char *key, const char *label, const char *value);
/* Bytes from firmware: text prints them as they are (as U-Boot's tools do); JSON escapes every
 * byte that is not valid UTF-8 as \xNN and then adds KEY_hex with the raw bytes in hex. */
void emit_bytes(struct emitter *e, const char *key, const char *label, const uint8_t *bytes, size_t len);
/* TEXT, when non-NULL, is what the text rendering shows instead of the decimal number. */
void emit_uint(struct emitter *e, const char *key, const char *label, uint64_t value, const char *text);
void emit_bool(struct emitter *e, const char *key, const char *label, bool value, const char *text);
/* A line for the text rendering only, printed as it is. */
void emit_line(struct emitter *e, const char *line);
/* Raw bytes and a newline, text rendering only (firmware text shown as the peer tools show it). */
void emit_raw_line(struct emitter *e, const void *bytes, size_t len);

/* A finding as a JSON object {severity, code, offset, message, expected?, found?} (JSON only). */
struct fwkit_finding;
void emit_finding(struct emitter *e, const struct fwkit_finding *f);

/* Writes the JSON document (JSON mode). Returns false when the output stream failed. */
bool emitter_finish(struct emitter *e);

/* Whether this process printed a JSON document on standard output (emitter_finish in JSON mode,
 * cli_print_node_json note it), and the document for a command that failed before it printed
 * one: {"schema":1,"command":...,"ok":false,"exit_code":N,"error":MESSAGE or null}. */
void emit_note_json_printed(void);
bool emit_json_printed(void);
void emit_failure_document(FILE *out, const char *command, int exit_code, const char *message);

/* Escapes bytes that are not valid UTF-8 as the four characters \xNN. Caller frees.
 * *CHANGED (when non-NULL) tells whether anything had to be escaped. */
char *utf8_escape(const uint8_t *bytes, size_t len, bool *changed);

#endif
