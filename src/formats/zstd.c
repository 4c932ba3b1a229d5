/*
 * zstd frames (RFC 8878): the magic, a frame header libzstd accepts, and the frame's compressed
 * size, which libzstd finds by walking the block headers without decoding.
 */
#ifndef FWKIT_DISABLE_ZSTD
#include <zstd.h>
#endif

#include "core/internal.h"
#include "formats/registry.h"
#include "formats/streams.h"

static void zstd_probe(struct cursor *c, struct probe_result *r)
{
#ifdef FWKIT_DISABLE_ZSTD /* a build without libzstd validates no zstd frame */
	(void)c;
	(void)r;
#else
	const uint8_t *p = c->base + c->pos;
	size_t avail = cursor_remaining(c), produced;
	size_t size = ZSTD_findFrameCompressedSize(p, avail);
	if (ZSTD_isError(size) || !stream_prefix_ok(FWKIT_CODEC_ZSTD, p, avail, &produced))
		return;
	r->bits = 32 + 32 + 16;
	r->size = size;
	str_printf(r->validated, sizeof(r->validated), "magic, frame and block headers, %zu bytes decoded", produced);
#endif
}

static enum fwkit_status zstd_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
#ifdef FWKIT_DISABLE_ZSTD
	(void)buf;
	(void)len;
	(void)n;
#else
	unsigned long long content = ZSTD_getFrameContentSize(buf, len);
	if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != ZSTD_CONTENTSIZE_ERROR)
		fwkit_node_add_uint(n, "uncompressed_size", content, false);
#endif
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_zstd = {
	.name = "zstd",
	.summary = "zstd compressed frame",
	.role = FORMAT_STREAM,
	.magics = { { "\x28\xb5\x2f\xfd", 4 } },
	.align = 1,
	.probe = zstd_probe,
	.describe = zstd_describe,
	.verified_bits = 80,
	.codec = FWKIT_CODEC_ZSTD,
};
