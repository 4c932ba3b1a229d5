/*
 * Netgear CHK images (openwrt/openwrt tools/firmware-utils/src/mkchkimg.c; formats.md 8): a
 * big-endian header "*#$^", header length, 8 bytes (region, then the version's seven numbers),
 * kernel checksum, rootfs checksum, kernel length, rootfs length, image checksum, header checksum
 * (40 bytes), then the board id (up to 64 characters, header length - 40 bytes), then the kernel
 * and the rootfs. Checksums are Netgear's: c0 sums the bytes, c1 sums c0, each folded twice to
 * 16 bits, c1 << 16 | c0. The header checksum covers the 40 bytes (its own field zero) and the
 * board id; the image checksum covers the kernel and the rootfs.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"

#define CHK_MAGIC 0x2A23245Eu
#define CHK_FIXED 40
#define CHK_BOARD_MAX 64

struct chk {
	uint32_t header_len, kernel_sum, rootfs_sum, kernel_len, rootfs_len, image_sum, header_sum;
	const uint8_t *reserved, *board;
	size_t board_len;
};

struct netgear_sum {
	uint32_t c0, c1;
};

static void sum_add(struct netgear_sum *s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->c0 += p[i];
		s->c1 += s->c0;
	}
}

static uint32_t fold(uint32_t v)
{
	uint32_t b = (v & 0xFFFF) + (v >> 16);
	return ((b >> 16) + b) & 0xFFFF;
}

static uint32_t sum_end(const struct netgear_sum *s) { return fold(s->c1) << 16 | fold(s->c0); }

static uint32_t netgear_checksum(const uint8_t *p, size_t n)
{
	struct netgear_sum s = { 0, 0 };
	sum_add(&s, p, n);
	return sum_end(&s);
}

static bool parse(const uint8_t *buf, size_t len, struct chk *h)
{
	struct cursor c;
	cursor_init(&c, buf, len, 0);
	if (cursor_be32(&c) != CHK_MAGIC)
		return false;
	h->header_len = cursor_be32(&c);
	h->reserved = cursor_bytes(&c, 8);
	h->kernel_sum = cursor_be32(&c);
	h->rootfs_sum = cursor_be32(&c);
	h->kernel_len = cursor_be32(&c);
	h->rootfs_len = cursor_be32(&c);
	h->image_sum = cursor_be32(&c);
	h->header_sum = cursor_be32(&c);
	if (!cursor_ok(&c) || h->header_len <= CHK_FIXED || h->header_len > CHK_FIXED + CHK_BOARD_MAX)
		return false;
	h->board = cursor_bytes(&c, h->header_len - CHK_FIXED);
	if (!h->board || !text_field(h->board, h->header_len - CHK_FIXED, false, &h->board_len) ||
	    h->board_len != h->header_len - CHK_FIXED)
		return false;
	/* the kernel and the rootfs follow the header, inside the input */
	return h->kernel_len > 0 && (uint64_t)h->kernel_len + h->rootfs_len <= cursor_remaining(&c);
}

/* The header checksum: the 40 bytes with the header-checksum field zero, then the board id. */
static uint32_t header_checksum(const uint8_t *buf, const struct chk *h)
{
	uint8_t fixed[CHK_FIXED];
	memcpy(fixed, buf, CHK_FIXED);
	memset(fixed + 36, 0, 4);
	struct netgear_sum s = { 0, 0 };
	sum_add(&s, fixed, CHK_FIXED);
	sum_add(&s, h->board, h->board_len);
	return sum_end(&s);
}

static uint64_t extent(const struct chk *h) { return (uint64_t)h->header_len + h->kernel_len + h->rootfs_len; }

static void chk_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *buf = c->base + c->pos;
	struct chk h;
	if (!parse(buf, cursor_remaining(c), &h))
		return;
	r->bits = 32 + 16 + 16; /* magic, a header length that is the board id's, lengths inside the input */
	r->size = extent(&h);
	bool ok = header_checksum(buf, &h) == h.header_sum;
	if (ok)
		r->bits += 32;
	str_printf(r->validated, sizeof(r->validated), "magic, board id, lengths%s", ok ? ", header checksum" : " (header checksum bad)");
}

/* Field NAME with the stored checksum, NAME_ok, and an error finding when it does not match. */
static void describe_sum(struct fwkit_node *n, const char *name, uint32_t stored, uint32_t computed, uint64_t at)
{
	char key[40];
	fwkit_node_add_uint(n, name, stored, true);
	str_printf(key, sizeof(key), "%s_ok", name);
	fwkit_node_add_bool(n, key, stored == computed);
	if (stored != computed) {
		char exp[16], fnd[16];
		str_printf(exp, sizeof(exp), "0x%08x", computed);
		str_printf(fnd, sizeof(fnd), "0x%08x", stored);
		node_finding(n, FWKIT_SEV_ERROR, "chk.checksum", at, exp, fnd, "chk: bad %s", name);
	}
}

static enum fwkit_status chk_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct chk h;
	if (!parse(buf, len, &h))
		return FWKIT_OK;
	uint64_t o = fwkit_node_offset(n);
	fwkit_node_add_string(n, "board_id", h.board, h.board_len);
	fwkit_node_add_enum(n, "region", h.reserved[0], h.reserved[0] == 1 ? "WW" : h.reserved[0] == 2 ? "NA" : "unknown");
	char ver[48];
	str_printf(ver, sizeof(ver), "%u.%u.%u.%u_%u.%u.%u", h.reserved[1], h.reserved[2], h.reserved[3], h.reserved[4],
		   h.reserved[5], h.reserved[6], h.reserved[7]);
	fwkit_node_add_string(n, "version", ver, strlen(ver));
	fwkit_node_add_uint(n, "header_len", h.header_len, false);
	fwkit_node_add_uint(n, "kernel_len", h.kernel_len, false);
	fwkit_node_add_uint(n, "rootfs_len", h.rootfs_len, false);
	const uint8_t *kernel = buf + h.header_len, *rootfs = kernel + h.kernel_len;
	describe_sum(n, "header_checksum", h.header_sum, header_checksum(buf, &h), o + 36);
	describe_sum(n, "kernel_checksum", h.kernel_sum, netgear_checksum(kernel, h.kernel_len), o + 16);
	/* mkchkimg leaves the rootfs checksum 0 when there is no rootfs */
	describe_sum(n, "rootfs_checksum", h.rootfs_sum, h.rootfs_len ? netgear_checksum(rootfs, h.rootfs_len) : 0, o + 20);
	describe_sum(n, "image_checksum", h.image_sum, netgear_checksum(kernel, (size_t)h.kernel_len + h.rootfs_len), o + 32);
	fwkit_node_add_uint(n, "payload_offset", h.header_len, true);
	fwkit_node_add_uint(n, "payload_size", (uint64_t)h.kernel_len + h.rootfs_len, false);
	return FWKIT_OK;
}

/* The kernel part must be a kernel of the table (a TRX or a uImage); a rootfs part a file system. */
static enum fwkit_status chk_verify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct chk h;
	enum fwkit_status st = FWKIT_OK;
	if (!parse(buf, len, &h))
		return FWKIT_OK;
	payload_check(ctx, n, "chk.kernel", "kernel", buf, len, h.header_len, h.kernel_len, PAYLOAD_KERNEL, &st);
	if (st == FWKIT_OK && h.rootfs_len)
		payload_check(ctx, n, "chk.rootfs", "rootfs", buf, len, (uint64_t)h.header_len + h.kernel_len, h.rootfs_len,
			      PAYLOAD_ROOTFS, &st);
	return st;
}

static bool chk_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_chk = {
	.name = "netgear-chk",
	.summary = "Netgear CHK image (mkchkimg)",
	.role = FORMAT_IMAGE,
	.magics = { { "*#$^", 4 } },
	.align = 1,
	.probe = chk_probe,
	.describe = chk_describe,
	.verify = chk_verify,
	.whole_image = chk_whole_image,
	.verified_bits = 64,
};
