/*
 * Xiaomi stock firmware containers "HDR1" and "HDR2" (formats.md 4.5: openwrt/firmware-utils
 * xiaomifw.c; HDR2 as unblob's handler reads it): little-endian header with a CRC-32 over bytes
 * [12, end) (the raw state, zlib's value inverted), a device id, up to eight blob offsets; each
 * blob has a 48-byte header (magic BE BA 00 00, flash offset, size, type, name).
 */
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"
#include "formats/registry.h"
#include "fwkit/codec.h"

#define BLOB_HEADER 48
#define MAX_BLOBS 8

static const struct {
	uint16_t id;
	const char *model;
} DEVICES[] = { { 0x0003, "r1cm" }, { 0x0004, "r2d" }, { 0x0005, "r1cl" }, { 0x0007, "r3" }, { 0x0008, "r3d" },
		{ 0x000d, "r3g" },  { 0x0012, "r4cm" }, { 0x0016, "r2100" }, { 0x0025, "ra70" } };

/* Where the blob offsets start: 0x10 in HDR1, 0x30 in HDR2. */
static size_t table_at(const uint8_t *p) { return p[3] == '1' ? 0x10 : 0x30; }

/* The blobs' offsets, each checked to hold a blob header inside LEN; false when one does not. */
static bool blobs(const uint8_t *p, size_t len, uint32_t *off, size_t *n)
{
	struct cursor c;
	cursor_init(&c, p, len, 0);
	cursor_seek(&c, table_at(p));
	*n = 0;
	for (size_t i = 0; i < MAX_BLOBS; i++) {
		uint32_t o = cursor_le32(&c);
		if (!cursor_ok(&c))
			return false;
		if (!o)
			break;
		if (o > len || len - o < BLOB_HEADER || load_le32(p + o) != 0x0000BABEu)
			return false;
		off[(*n)++] = o;
	}
	return *n > 0;
}

static void hdr_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *p = c->base + c->pos;
	size_t len = cursor_remaining(c);
	uint32_t off[MAX_BLOBS];
	size_t n;
	if (len < 0x50 || !blobs(p, len, off, &n))
		return;
	/* the CRC covers everything to the end of the file: the container is the whole input */
	if (~fwkit_crc32(0, p + 12, len - 12) != load_le32(p + 8))
		return;
	r->bits = 32 + 32 + 32;
	r->size = len;
	str_printf(r->validated, sizeof(r->validated), "magic, blob headers, CRC-32 to the end");
}

static enum fwkit_status hdr_describe(struct fwkit_ctx *ctx, const uint8_t *p, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	uint32_t off[MAX_BLOBS];
	size_t nb = 0;
	if (len < 0x50 || !blobs(p, len, off, &nb))
		return FWKIT_OK;
	uint16_t dev = p[3] == '1' ? (uint16_t)(p[14] | (p[15] << 8)) : (uint16_t)(p[16] | (p[17] << 8));
	const char *model = "unknown";
	for (size_t i = 0; i < sizeof(DEVICES) / sizeof(DEVICES[0]); i++)
		if (DEVICES[i].id == dev)
			model = DEVICES[i].model;
	fwkit_node_add_enum(n, "device", dev, model);
	fwkit_node_add_uint(n, "signature_offset", load_le32(p + 4), true);
	uint32_t crc = ~fwkit_crc32(0, p + 12, len - 12);
	fwkit_node_add_bool(n, "crc_ok", crc == load_le32(p + 8));
	if (crc != load_le32(p + 8)) {
		char exp[16], fnd[16];
		str_printf(exp, sizeof(exp), "0x%08x", crc);
		str_printf(fnd, sizeof(fnd), "0x%08x", load_le32(p + 8));
		node_finding(n, FWKIT_SEV_ERROR, "xiaomi-hdr.crc", fwkit_node_offset(n) + 8, exp, fnd, "xiaomi-hdr: bad CRC-32 to the end");
	}
	fwkit_node_add_uint(n, "blobs", nb, false);
	for (size_t i = 0; i < nb; i++) {
		char key[24];
		str_printf(key, sizeof(key), "blob_%zu", i);
		size_t nl = strnlen((const char *)p + off[i] + 16, 32);
		fwkit_node_add_string(n, key, p + off[i] + 16, nl);
	}
	return FWKIT_OK;
}

static bool hdr_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_xiaomi_hdr = {
	.name = "xiaomi-hdr",
	.summary = "Xiaomi stock firmware container (HDR1, HDR2)",
	.role = FORMAT_IMAGE,
	.magics = { { "HDR1", 4 }, { "HDR2", 4 } },
	.align = 4,
	.probe = hdr_probe,
	.describe = hdr_describe,
	.whole_image = hdr_whole_image,
	.verified_bits = 96,
};
