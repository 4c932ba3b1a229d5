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

/* What the overlay at BUF (LEN bytes, to the end of the firmware partition) is: marked for
 * formatting at first boot (the marker), erased, a JFFS2 file system already in use (node magic
 * 0x1985, either byte order: linux/jffs2.h JFFS2_MAGIC_BITMASK), or other data. */
enum overlay_state { OVERLAY_MARKED = 0, OVERLAY_ERASED, OVERLAY_JFFS2, OVERLAY_DATA };

static enum overlay_state overlay_state(const uint8_t *buf, size_t len)
{
	if (len >= 4 && load_be32(buf) == 0xdeadc0deu)
		return OVERLAY_MARKED;
	size_t i = 0;
	while (i < len && buf[i] == 0xFF)
		i++;
	if (i == len)
		return OVERLAY_ERASED;
	if (len >= 2 && ((buf[0] == 0x85 && buf[1] == 0x19) || (buf[0] == 0x19 && buf[1] == 0x85)))
		return OVERLAY_JFFS2;
	return OVERLAY_DATA;
}

static enum fwkit_status jffs2_eof_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	static const char *const NAMES[] = { "marked", "erased", "jffs2", "data" };
	(void)ctx;
	enum overlay_state st = overlay_state(buf, len);
	fwkit_node_add_uint(n, "overlay_start", fwkit_node_offset(n), true);
	fwkit_node_add_enum(n, "state", st, NAMES[st]);
	if (len > 4)
		fwkit_node_add_uint(n, "overlay_size", len, false);
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
