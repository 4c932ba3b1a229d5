/*
 * OpenWrt's end-of-filesystem marker: DE AD C0 DE at the first erase-block boundary after the
 * squashfs rootfs (formats.md 6.1). At first boot the overlay (JFFS2) is formatted from there on.
 */
#include "core/internal.h"
#include "formats/registry.h"

static void jffs2_eof_probe(struct cursor *c, struct probe_result *r)
{
	if (cursor_be32(c) != 0xdeadc0deu)
		return;
	r->bits = 32 + 12; /* the marker, on a 4 KiB boundary */
	r->size = 4;
	str_printf(r->validated, sizeof(r->validated), "marker on an erase-block boundary");
}

static enum fwkit_status jffs2_eof_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	(void)buf;
	(void)len;
	fwkit_node_add_uint(n, "overlay_start", fwkit_node_offset(n), true);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_jffs2_eof = {
	.name = "jffs2-eof",
	.summary = "OpenWrt end-of-filesystem marker (the overlay starts here)",
	.role = FORMAT_FILESYSTEM,
	.magics = { { "\xde\xad\xc0\xde", 4 } },
	.align = 4096,
	.probe = jffs2_eof_probe,
	.describe = jffs2_eof_describe,
	.verified_bits = 44,
};
