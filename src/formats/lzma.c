/*
 * LZMA-alone streams (".lzma", what U-Boot's "lzma" and OpenWrt's ramips kernels use): a 13-byte
 * header (properties byte lc/lp/pb, dictionary size LE32, uncompressed size LE64 or all ones)
 * then the raw stream. There is no magic: the table looks for the usual properties 0x5D with a
 * dictionary of at least 64 KiB, and the probe proves the rest by decoding a prefix.
 */
#include "core/internal.h"
#include "formats/registry.h"
#include "formats/streams.h"

static bool lzma_header(struct cursor *c, uint8_t *props, uint32_t *dict, uint64_t *usize)
{
	*props = cursor_u8(c);
	*dict = cursor_le32(c);
	*usize = cursor_le64(c);
	/* props = (pb * 5 + lp) * 9 + lc < 225; dictionaries 4 KiB .. 1 GiB; a size or "unknown" */
	return cursor_ok(c) && *props < 225 && *dict >= 4096 && *dict <= (1u << 30) &&
	       (*usize == UINT64_MAX || *usize < (1ull << 32));
}

static void lzma_probe(struct cursor *c, struct probe_result *r)
{
	uint8_t props;
	uint32_t dict;
	uint64_t usize;
	size_t at = c->pos, produced;
	if (!lzma_header(c, &props, &dict, &usize))
		return;
	if (!stream_prefix_ok(FWKIT_CODEC_LZMA_ALONE, c->base + at, c->len - at, &produced))
		return;
	r->bits = 24 + 16 + (produced >= STREAM_PREFIX_OUT ? 32 : 8);
	str_printf(r->validated, sizeof(r->validated), "header, %zu bytes decoded", produced);
}

static enum fwkit_status lzma_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct cursor c;
	cursor_init(&c, buf, len, fwkit_node_offset(n));
	uint8_t props;
	uint32_t dict;
	uint64_t usize;
	if (!lzma_header(&c, &props, &dict, &usize))
		return FWKIT_OK;
	fwkit_node_add_uint(n, "properties", props, true);
	fwkit_node_add_uint(n, "dictionary_size", dict, false);
	if (usize != UINT64_MAX)
		fwkit_node_add_uint(n, "uncompressed_size", usize, false);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_lzma = {
	.name = "lzma",
	.summary = "LZMA-alone compressed stream",
	.role = FORMAT_STREAM,
	.magics = { { "\x5d\x00\x00", 3 }, { "\x6d\x00\x00", 3 } }, /* lc3 lp0 pb2 (the default), lc1 lp2 pb2 (OpenWrt ramips) */
	.align = 1,
	.probe = lzma_probe,
	.describe = lzma_describe,
	.verified_bits = 64,
	.codec = FWKIT_CODEC_LZMA_ALONE,
};
