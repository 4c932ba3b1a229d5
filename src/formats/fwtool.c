/*
 * fwtool blocks at the end of OpenWrt sysupgrade images (formats.md 6.2): each ends in a 16-byte
 * trailer "FWx0", CRC, type, size; blocks are read backwards from the end of the file, and each
 * CRC (the raw CRC-32 state: start 0xFFFFFFFF, no final inversion, that is zlib's value inverted)
 * covers every byte before its trailer. The metadata's JSON is read with json-c.
 */
#define _GNU_SOURCE /* memmem */
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"
#include "fwkit/codec.h"
#include "fwkit/sysupgrade.h"

/* fwtool.c's limits: metadata up to 30 KiB, signatures up to 1 KiB (plus header and trailer). */
#define MAX_BLOCK (30 * 1024 + 8 + FWKIT_FWTOOL_TRAILER_SIZE)

/* A byte of the JSON text fwtool stores (printable, white space, UTF-8). */
static bool json_byte(uint8_t c) { return (c >= 0x20 && c != 0x7F) || c == '\n' || c == '\r' || c == '\t'; }

/*
 * The metadata block a cut file ends inside (struct fwkit_fwtool.cut): backwards from the end (or
 * from an "FWx0" among its last 15 bytes: a trailer cut after its magic), JSON text back to a '{'
 * that follows the block's 8-byte header of zeros, "metadata_version" in the text, and the block
 * outside every range a root file system, a stream or a uImage payload claims (so text that is a
 * file system's data is not taken for metadata).
 */
static void find_cut(const uint8_t *buf, size_t len, struct fwkit_fwtool *out)
{
	static const char key[] = "\"metadata_version\"";
	size_t text_end = len;
	for (size_t k = 4; k < FWKIT_FWTOOL_TRAILER_SIZE && k <= len; k++)
		if (!memcmp(buf + len - k, "FWx0", 4)) {
			text_end = len - k;
			break;
		}
	size_t p = text_end;
	while (p > 0 && text_end - p < MAX_BLOCK && json_byte(buf[p - 1]))
		p--;
	if (p < 8 || p == text_end || buf[p] != '{' || text_end - p < sizeof(key) ||
	    !memmem(buf + p, text_end - p, key, sizeof(key) - 1))
		return;
	for (size_t i = p - 8; i < p; i++)
		if (buf[i])
			return;
	struct format_range claimed[64];
	size_t n = formats_claimed_ranges(buf, len, claimed, sizeof(claimed) / sizeof(claimed[0]));
	for (size_t i = 0; i < n; i++)
		if (p - 8 >= claimed[i].start && p - 8 < claimed[i].end)
			return;
	out->cut = true;
	out->cut_at = p - 8;
	out->cut_json = text_end - p;
}

void fwtool_cut_finding(const uint8_t *buf, size_t len, const struct fwkit_fwtool *t, struct fwkit_finding *f)
{
	memset(f, 0, sizeof(*f));
	f->severity = FWKIT_SEV_ERROR;
	f->offset = t->cut_at;
	str_printf(f->code, sizeof(f->code), "fwtool.cut");
	/* the JSON whole (the cut is in the trailer) gives the block's size; else only a lower bound */
	const char *json = (const char *)buf + t->cut_at + 8;
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, json, (int)t->cut_json) : NULL;
	size_t text = o ? json_tokener_get_parse_end(tok) : 0;
	while (o && text < t->cut_json && strchr(" \t\r\n", json[text]))
		text++; /* fwtool keeps the new line after the object */
	if (tok)
		json_tokener_free(tok);
	json_object_put(o);
	unsigned long long found = (unsigned long long)(len - t->cut_at);
	str_printf(f->message, sizeof(f->message),
		   "fwtool: the file ends inside its fwtool metadata (the block at 0x%llx has no \"FWx0\" trailer): the image is cut",
		   (unsigned long long)t->cut_at);
	if (o)
		str_printf(f->expected, sizeof(f->expected), "%llu bytes (a 16-byte trailer ending them)",
			   (unsigned long long)(8 + text + FWKIT_FWTOOL_TRAILER_SIZE));
	else
		str_printf(f->expected, sizeof(f->expected), "over %llu bytes (the JSON's rest, a 16-byte trailer)",
			   found + FWKIT_FWTOOL_TRAILER_SIZE);
	str_printf(f->found, sizeof(f->found), "%llu bytes", found);
}

enum fwkit_status fwkit_fwtool_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_fwtool *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	uint64_t end = len;
	while (out->nblocks < sizeof(out->blocks) / sizeof(out->blocks[0]) && end >= FWKIT_FWTOOL_TRAILER_SIZE) {
		struct cursor c;
		cursor_init(&c, buf + end - FWKIT_FWTOOL_TRAILER_SIZE, FWKIT_FWTOOL_TRAILER_SIZE, end - FWKIT_FWTOOL_TRAILER_SIZE);
		uint32_t magic = cursor_be32(&c), crc = cursor_be32(&c);
		uint8_t type = cursor_u8(&c);
		cursor_skip(&c, 3);
		uint32_t size = cursor_be32(&c);
		if (!cursor_ok(&c) || magic != FWKIT_FWTOOL_MAGIC || type > 1 || size < FWKIT_FWTOOL_TRAILER_SIZE ||
		    size > MAX_BLOCK || size > end)
			break;
		struct fwkit_fwtool_block *b = &out->blocks[out->nblocks++];
		b->offset = end - size;
		b->size = size;
		b->type = type;
		b->crc_stored = crc;
		b->crc_computed = ~fwkit_crc32(0, buf, (size_t)(end - FWKIT_FWTOOL_TRAILER_SIZE));
		b->crc_ok = b->crc_computed == crc;
		if (type == 0)
			out->signed_image = true;
		/* metadata: an 8-byte header (version 0, flags 0), then the JSON */
		if (type == 1 && size >= 8 + FWKIT_FWTOOL_TRAILER_SIZE && !out->metadata) {
			out->metadata = (const char *)buf + b->offset + 8;
			out->metadata_len = size - 8 - FWKIT_FWTOOL_TRAILER_SIZE;
		}
		end -= size;
	}
	out->image_end = end;
	if (!out->nblocks)
		find_cut(buf, len, out);
	return FWKIT_OK;
}

/* ---- the format-table module: the metadata block, found from the end of the input ------------ */

static void add_list(struct fwkit_node *n, json_object *o, const char *key)
{
	json_object *list;
	if (!json_object_object_get_ex(o, key, &list) || !json_object_is_type(list, json_type_array))
		return;
	char joined[1024] = "";
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *s = json_object_get_string(json_object_array_get_idx(list, i));
		str_printf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s", i ? " " : "", s ? s : "");
	}
	fwkit_node_add_string(n, key, joined, strlen(joined));
}

static void add_text(struct fwkit_node *n, json_object *o, const char *key, const char *name)
{
	json_object *v;
	if (json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		fwkit_node_add_string(n, name, s, strlen(s));
	}
}

/* The fields of the metadata JSON that sysupgrade's fwtool.sh decides on. */
static void describe_metadata(struct fwkit_node *n, const char *json, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, json, (int)len) : NULL;
	if (tok)
		json_tokener_free(tok);
	if (!o || !json_object_is_type(o, json_type_object)) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "fwtool.json", .offset = fwkit_node_offset(n) + 8 };
		str_printf(f.message, sizeof(f.message), "fwtool: the metadata is not a JSON object");
		fwkit_node_add_finding(n, &f);
		json_object_put(o);
		return;
	}
	add_text(n, o, "metadata_version", "metadata_version");
	add_text(n, o, "compat_version", "compat_version");
	add_list(n, o, "supported_devices");
	add_list(n, o, "new_supported_devices");
	json_object *v;
	if (json_object_object_get_ex(o, "version", &v) && json_object_is_type(v, json_type_object)) {
		add_text(n, v, "dist", "dist");
		add_text(n, v, "version", "version");
		add_text(n, v, "revision", "revision");
		add_text(n, v, "target", "target");
		add_text(n, v, "board", "board");
	}
	json_object_put(o);
}

static enum fwkit_status fwtool_scan(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *parent)
{
	struct fwkit_fwtool t;
	fwkit_fwtool_read(ctx, buf, len, &t);
	if (t.cut) {
		struct fwkit_node *n = fwkit_node_new("fwtool", t.cut_at, len - t.cut_at);
		struct fwkit_finding f;
		fwtool_cut_finding(buf, len, &t, &f);
		if (!n || !fwkit_node_set_validated(n, "metadata header and JSON start at the end, no trailer (cut)", 96) ||
		    !fwkit_node_add_enum(n, "type", 1, "metadata") || !fwkit_node_add_finding(n, &f)) {
			fwkit_node_free(n);
			n = NULL;
		}
		if (!n || !fwkit_node_add_child(parent, n)) /* add_child frees N when it fails */
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		return FWKIT_OK;
	}
	for (size_t i = t.nblocks; i-- > 0;) {
		const struct fwkit_fwtool_block *b = &t.blocks[i];
		struct fwkit_node *n = fwkit_node_new("fwtool", b->offset, b->size);
		if (!n)
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		fwkit_node_set_validated(n, b->crc_ok ? "trailer at the end, CRC over everything before it" : "trailer at the end (CRC bad)",
					 b->crc_ok ? 96 : 64);
		fwkit_node_add_enum(n, "type", b->type, b->type ? "metadata" : "signature");
		fwkit_node_add_uint(n, "crc", b->crc_stored, true);
		fwkit_node_add_bool(n, "crc_ok", b->crc_ok);
		if (!b->crc_ok) {
			struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "fwtool.crc",
						   .offset = b->offset + b->size - FWKIT_FWTOOL_TRAILER_SIZE + 4 };
			str_printf(f.message, sizeof(f.message), "fwtool: bad CRC (sysupgrade says \"CRC error\")");
			str_printf(f.expected, sizeof(f.expected), "0x%08x", b->crc_computed);
			str_printf(f.found, sizeof(f.found), "0x%08x", b->crc_stored);
			fwkit_node_add_finding(n, &f);
		}
		if (b->type == 1)
			describe_metadata(n, (const char *)buf + b->offset + 8, b->size - 8 - FWKIT_FWTOOL_TRAILER_SIZE);
		if (!fwkit_node_add_child(parent, n))
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	return FWKIT_OK;
}

static enum fwkit_status fwtool_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	if (len >= 8 + FWKIT_FWTOOL_TRAILER_SIZE && buf[len - 8] == 1)
		describe_metadata(n, (const char *)buf + 8, len - 8 - FWKIT_FWTOOL_TRAILER_SIZE);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_fwtool = {
	.name = "fwtool",
	.summary = "OpenWrt sysupgrade metadata and signature blocks (fwtool)",
	.role = FORMAT_CONFIG,
	.describe = fwtool_describe,
	.scan = fwtool_scan,
	.verified_bits = 96,
};
