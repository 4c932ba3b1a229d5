/*
 * TRX images (Broadcom, Netgear, Asus, Buffalo): a 28-byte little-endian header "HDR0", the
 * total length, a CRC-32 over bytes 12..length (the raw state: start 0xFFFFFFFF, no final
 * inversion, that is zlib's value inverted), flags, version (1 or 2) and three partition offsets
 * (formats.md 8; openwrt/firmware-utils otrx.c, trx.c).
 */
#include "core/internal.h"
#include "formats/payload.h"
#include "formats/registry.h"
#include "fwkit/codec.h"

#define TRX_HEADER 28

struct trx_header {
	uint32_t len, crc;
	uint16_t flags, version;
	uint32_t offsets[3];
};

static bool read_header(struct cursor *c, struct trx_header *h)
{
	if (cursor_le32(c) != 0x30524448u) /* "HDR0" */
		return false;
	h->len = cursor_le32(c);
	h->crc = cursor_le32(c);
	h->flags = cursor_le16(c);
	h->version = cursor_le16(c);
	for (int i = 0; i < 3; i++)
		h->offsets[i] = cursor_le32(c);
	return cursor_ok(c);
}

static void trx_probe(struct cursor *c, struct probe_result *r)
{
	struct trx_header h;
	const uint8_t *start = c->base + c->pos;
	size_t avail = cursor_remaining(c);
	if (!read_header(c, &h) || (h.version != 1 && h.version != 2) || h.len < TRX_HEADER || h.len > avail)
		return;
	for (int i = 0; i < 3; i++)
		if (h.offsets[i] >= h.len)
			return;
	if (~fwkit_crc32(0, start + 12, h.len - 12) != h.crc)
		return;
	r->bits = 32 + 16 + 32;
	r->size = h.len;
	str_printf(r->validated, sizeof(r->validated), "magic, version, CRC-32 over the image");
}

static enum fwkit_status trx_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct cursor c;
	cursor_init(&c, buf, len, fwkit_node_offset(n));
	struct trx_header h;
	if (!read_header(&c, &h))
		return FWKIT_OK;
	fwkit_node_add_uint(n, "version", h.version, false);
	fwkit_node_add_uint(n, "length", h.len, false);
	fwkit_node_add_uint(n, "crc", h.crc, true);
	fwkit_node_add_uint(n, "flags", h.flags, true);
	static const char *const names[3] = { "offset_0", "offset_1", "offset_2" };
	for (int i = 0; i < 3; i++)
		fwkit_node_add_uint(n, names[i], h.offsets[i], true);
	if (h.len >= TRX_HEADER && h.len <= len) {
		uint32_t crc = ~fwkit_crc32(0, buf + 12, h.len - 12);
		fwkit_node_add_bool(n, "crc_ok", crc == h.crc);
		char exp[16], fnd[16];
		str_printf(exp, sizeof(exp), "0x%08x", crc);
		str_printf(fnd, sizeof(fnd), "0x%08x", h.crc);
		if (crc != h.crc)
			node_finding(n, FWKIT_SEV_ERROR, "trx.crc", fwkit_node_offset(n) + 8, exp, fnd, "trx: bad CRC-32 over the image");
	}
	fwkit_node_add_uint(n, "payload_offset", TRX_HEADER, true);
	fwkit_node_add_uint(n, "payload_size", h.len > TRX_HEADER ? h.len - TRX_HEADER : 0, false);
	return FWKIT_OK;
}

static bool trx_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_trx = {
	.name = "trx",
	.summary = "TRX image (Broadcom, Netgear, Asus)",
	.role = FORMAT_IMAGE,
	.magics = { { "HDR0", 4 } },
	.align = 4,
	.probe = trx_probe,
	.describe = trx_describe,
	.whole_image = trx_whole_image,
	.verified_bits = 80,
};
