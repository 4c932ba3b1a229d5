/*
 * Flattened device tree blobs (the DTB OpenWrt appends to or builds into the kernel), checked
 * and read with libfdt: the header, then the whole structure (fdt_check_full).
 */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"

/* Device trees in routers are a few KiB; a header claiming more is not one of them. */
#define FDT_MAX_SIZE (1u << 20)

/* libfdt wants the blob 8-byte aligned (FDT_ERR_ALIGNMENT); inside a kernel it rarely is. */
static void *aligned_copy(const uint8_t *p, size_t n)
{
	void *a = NULL;
	if (posix_memalign(&a, 8, n ? n : 8) != 0)
		return NULL;
	memcpy(a, p, n);
	return a;
}

static void fdt_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *p = c->base + c->pos;
	size_t avail = cursor_remaining(c);
	if (avail < 40 || load_be32(p) != 0xd00dfeedu)
		return;
	uint32_t total = load_be32(p + 4);
	if (total < 40 || total > avail || total > FDT_MAX_SIZE)
		return;
	void *blob = aligned_copy(p, total);
	bool good = blob && fdt_check_header(blob) == 0 && fdt_check_full(blob, total) == 0;
	free(blob);
	if (!good)
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
	if (len < 40 || load_be32(buf + 4) > len || load_be32(buf + 4) > FDT_MAX_SIZE)
		return FWKIT_OK;
	void *blob = aligned_copy(buf, load_be32(buf + 4));
	if (!blob)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (fdt_check_header(blob) == 0) {
		add_prop(n, blob, "model");
		add_prop(n, blob, "compatible");
		fwkit_node_add_uint(n, "version", fdt_version(blob), false);
	}
	free(blob);
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
