/*
 * gzip members (RFC 1952): magic 1f 8b, method 8 (deflate), no reserved flag bits, then a
 * decoded prefix.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"
#include "formats/streams.h"

static void gzip_probe(struct cursor *c, struct probe_result *r)
{
	size_t at = c->pos, produced;
	const uint8_t *h = cursor_bytes(c, 10);
	if (!h || h[2] != 8 || (h[3] & 0xE0) || (h[8] != 0 && h[8] != 2 && h[8] != 4))
		return;
	if (!stream_prefix_ok(FWKIT_CODEC_GZIP, c->base + at, c->len - at, &produced))
		return;
	r->bits = 24 + 3 + 16 + (produced >= STREAM_PREFIX_OUT ? 32 : 8);
	str_printf(r->validated, sizeof(r->validated), "magic, header, %zu bytes decoded", produced);
}

static enum fwkit_status gzip_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	if (len < 10)
		return FWKIT_OK;
	fwkit_node_add_uint(n, "mtime", load_le32(buf + 4), false);
	fwkit_node_add_uint(n, "os", buf[9], false);
	if ((buf[3] & 0x08) && len > 10) { /* FNAME, when no FEXTRA precedes it */
		if (!(buf[3] & 0x04)) {
			size_t l = strnlen((const char *)buf + 10, len - 10 < 256 ? len - 10 : 256);
			fwkit_node_add_string(n, "file_name", buf + 10, l);
		}
	}
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_gzip = {
	.name = "gzip",
	.summary = "gzip compressed stream",
	.role = FORMAT_STREAM,
	.magics = { { "\x1f\x8b\x08", 3 } },
	.align = 1,
	.probe = gzip_probe,
	.describe = gzip_describe,
	.verified_bits = 51,
	.codec = FWKIT_CODEC_GZIP,
};
