/*
 * XZ streams: the 6-byte magic, stream flags and their CRC-32 (xz file format 1.0.4, 2.1.1),
 * then a decoded prefix.
 */
#include "core/internal.h"
#include "formats/registry.h"
#include "formats/streams.h"
#include "fwkit/codec.h"

static void xz_probe(struct cursor *c, struct probe_result *r)
{
	size_t at = c->pos, produced;
	const uint8_t *h = cursor_bytes(c, 12);
	if (!h || h[6] != 0 || h[7] > 0x0F || fwkit_crc32(0, h + 6, 2) != load_le32(h + 8))
		return;
	if (!stream_prefix_ok(FWKIT_CODEC_XZ, c->base + at, c->len - at, &produced))
		return;
	r->bits = 48 + 32 + 16;
	str_printf(r->validated, sizeof(r->validated), "magic, stream flags CRC, %zu bytes decoded", produced);
}

static enum fwkit_status xz_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	static const char *const checks[16] = { [0] = "none", [1] = "crc32", [4] = "crc64", [10] = "sha256" };
	if (len >= 8)
		fwkit_node_add_enum(n, "check", buf[7] & 0x0F, checks[buf[7] & 0x0F] ? checks[buf[7] & 0x0F] : "reserved");
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_xz = {
	.name = "xz",
	.summary = "XZ compressed stream",
	.role = FORMAT_STREAM,
	.magics = { { "\xfd" "7zXZ\x00", 6 } },
	.align = 1,
	.probe = xz_probe,
	.describe = xz_describe,
	.verified_bits = 96,
	.codec = FWKIT_CODEC_XZ,
};
