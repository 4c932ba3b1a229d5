/*
 * Flattened device tree blobs (the DTB OpenWrt appends to or builds into the kernel), checked
 * and read with libfdt: the header, then the whole structure (fdt_check_full).
 */
#include <libfdt.h>
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"

static void fdt_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *p = c->base + c->pos;
	size_t avail = cursor_remaining(c);
	if (avail < 40 || load_be32(p) != 0xd00dfeedu)
		return;
	uint32_t total = load_be32(p + 4);
	if (total < 40 || total > avail || fdt_check_header(p) != 0)
		return;
	if (fdt_check_full(p, total) != 0)
		return;
	r->bits = 32 + 32 + 32; /* magic, header (version, offsets), a structure block that walks */
	r->size = total;
	str_printf(r->validated, sizeof(r->validated), "magic, header, full structure (libfdt)");
}

static void add_prop(struct fwkit_node *n, const void *fdt, const char *name)
{
	int len = 0;
	const char *v = fdt_getprop(fdt, 0, name, &len);
	if (v && len > 0) {
		size_t l = (size_t)len;
		while (l && v[l - 1] == 0)
			l--;
		/* compatible is a NUL-separated list: the first entry is the board */
		size_t first = strnlen(v, l);
		fwkit_node_add_string(n, name, v, first);
	}
}

static enum fwkit_status fdt_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	if (len < 40 || fdt_check_header(buf) != 0 || fdt_totalsize(buf) > len)
		return FWKIT_OK;
	add_prop(n, buf, "model");
	add_prop(n, buf, "compatible");
	fwkit_node_add_uint(n, "version", fdt_version(buf), false);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_fdt = {
	.name = "fdt",
	.summary = "flattened device tree (DTB)",
	.role = FORMAT_DEVICETREE,
	.magics = { { "\xd0\x0d\xfe\xed", 4 } },
	.align = 1,
	.probe = fdt_probe,
	.describe = fdt_describe,
	.verified_bits = 96,
};
