/*
 * TP-Link firmware headers: 512 bytes, big-endian, two layouts (openwrt/firmware-utils
 * src/mktplinkfw.c and src/mktplinkfw2.c, read for the layout and the salts; formats.md 8).
 *  - mktplinkfw ("v1", header version 01 00 00 00, or 02 00 00 00 with -m 2): vendor[24] at 4,
 *    fw_version[36] at 28, hw_id, hw_rev, region code at 64, MD5 at 76, kernel and rootfs
 *    offsets and lengths at 116..151, firmware version u16s at 152;
 *  - mktplinkfw2 ("v2", MediaTek/Lantiq TP-Links, version 2 or 3 stored little-endian): fw_version[48]
 *    at 4, hw_id, hw_rev, hw_ver_add at 0x34, MD5 at 0x40, the same offsets at 0x68..0x8B, 0x55AA at
 *    0x8C and 0xA5 at 0x90.
 * The MD5 covers the whole file with a salt in the MD5 field (one salt when the boot loader length
 * is 0, another otherwise; each layout has its own pair). A kernel-only header (mktplinkfw -c, the
 * OpenWrt sysupgrade form) carries no MD5: the field is zero.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "core/digest.h"
#include "core/internal.h"
#include "formats/payload.h"
#include "fwkit/sysupgrade.h"

#define TPLINK_HEADER 512

/* The salts, per layout: [0] no boot loader, [1] with a boot loader. */
static const uint8_t SALTS[2][2][MD5_SIZE] = {
	{ { 0xdc, 0xd7, 0x3a, 0xa5, 0xc3, 0x95, 0x98, 0xfb, 0xdd, 0xf9, 0xe7, 0xf4, 0x0e, 0xae, 0x47, 0x38 },
	  { 0x8c, 0xef, 0x33, 0x5b, 0xd5, 0xc5, 0xce, 0xfa, 0xa7, 0x9c, 0x28, 0xda, 0xb2, 0xe9, 0x0f, 0x42 } },
	{ { 0xdc, 0xd7, 0x3a, 0xa5, 0xc3, 0x95, 0x98, 0xfb, 0xdc, 0xf9, 0xe7, 0xf4, 0x0e, 0xae, 0x47, 0x37 },
	  { 0x8c, 0xef, 0x33, 0x5f, 0xd5, 0xc5, 0xce, 0xfa, 0xac, 0x9c, 0x28, 0xda, 0xb2, 0xe9, 0x0f, 0x42 } },
};

struct tplink {
	int layout;        /* 1 mktplinkfw, 2 mktplinkfw2 */
	unsigned version;  /* the header version the tool wrote (1, 2, 3) */
	size_t vendor_len, fw_version_len;
	const uint8_t *vendor, *fw_version, *md5;
	size_t md5_at;
	uint32_t hw_id, hw_rev, extra; /* extra: region code (v1), additional hardware version (v2) */
	uint32_t kernel_la, kernel_ep, fw_length, kernel_ofs, kernel_len, rootfs_ofs, rootfs_len, boot_ofs, boot_len;
	unsigned ver_hi, ver_mid, ver_lo;
};

/* The nine words from the kernel load address to the boot loader length, at C. */
static void read_layout_words(struct cursor *c, struct tplink *t)
{
	t->kernel_la = cursor_be32(c);
	t->kernel_ep = cursor_be32(c);
	t->fw_length = cursor_be32(c);
	t->kernel_ofs = cursor_be32(c);
	t->kernel_len = cursor_be32(c);
	t->rootfs_ofs = cursor_be32(c);
	t->rootfs_len = cursor_be32(c);
	t->boot_ofs = cursor_be32(c);
	t->boot_len = cursor_be32(c);
}

static bool parse_v1(const uint8_t *h, struct tplink *t)
{
	struct cursor c;
	cursor_init(&c, h, TPLINK_HEADER, 0);
	t->layout = 1;
	t->version = h[0];
	t->vendor = h + 4;
	t->fw_version = h + 28;
	/* text, NUL-terminated within the field (mktplinkfw pads with zeros; what follows the NUL is not
	 * checked, so a vendor tool's padding does not matter) */
	if (!text_field(t->vendor, 24, false, &t->vendor_len) || t->vendor_len < 2 ||
	    !text_field(t->fw_version, 36, false, &t->fw_version_len))
		return false;
	cursor_seek(&c, 64);
	t->hw_id = cursor_be32(&c);
	t->hw_rev = cursor_be32(&c);
	t->extra = cursor_be32(&c);
	t->md5_at = 76;
	cursor_seek(&c, 116);
	read_layout_words(&c, t);
	t->ver_hi = cursor_be16(&c);
	t->ver_mid = cursor_be16(&c);
	t->ver_lo = cursor_be16(&c);
	return cursor_ok(&c);
}

static bool parse_v2(const uint8_t *h, struct tplink *t)
{
	struct cursor c;
	cursor_init(&c, h, TPLINK_HEADER, 0);
	t->layout = 2;
	t->version = h[0];
	t->fw_version = h + 4;
	if (!text_field(t->fw_version, 48, false, &t->fw_version_len) && t->fw_version[0] != 0)
		return false;
	cursor_seek(&c, 0x34);
	t->hw_id = cursor_be32(&c);
	t->hw_rev = cursor_be32(&c);
	t->extra = cursor_be32(&c);
	t->md5_at = 0x40;
	cursor_seek(&c, 0x68);
	read_layout_words(&c, t);
	cursor_seek(&c, 0x91);
	t->ver_hi = cursor_u8(&c);
	t->ver_mid = cursor_u8(&c);
	t->ver_lo = cursor_u8(&c);
	return cursor_ok(&c);
}

/* The header at BUF in either layout, checked for what both tools always write: the version word,
 * the text fields, the kernel right after the 512-byte header and inside LEN. */
static bool parse(const uint8_t *buf, size_t len, struct tplink *t)
{
	memset(t, 0, sizeof(*t));
	if (len < TPLINK_HEADER || buf[1] || buf[2] || buf[3] || buf[0] < 1 || buf[0] > 3)
		return false;
	bool v2 = buf[0x8C] == 0x55 && buf[0x8D] == 0xAA && buf[0x90] == 0xA5 && buf[0] >= 2;
	if (!(v2 ? parse_v2(buf, t) : buf[0] <= 2 && parse_v1(buf, t)))
		return false;
	t->md5 = buf + t->md5_at;
	return t->kernel_ofs == TPLINK_HEADER && t->kernel_len > 0 && t->kernel_len <= len - TPLINK_HEADER;
}

static bool md5_present(const struct tplink *t)
{
	for (size_t i = 0; i < MD5_SIZE; i++)
		if (t->md5[i])
			return true;
	return false;
}

/* The salted MD5 of BUF[0..LEN) as mktplinkfw computes it (LEN: the file it wrote). */
static void salted_md5(const uint8_t *buf, size_t len, const struct tplink *t, uint8_t out[MD5_SIZE])
{
	const struct byte_span spans[3] = {
		{ buf, t->md5_at },
		{ SALTS[t->layout - 1][t->boot_len != 0], MD5_SIZE },
		{ buf + t->md5_at + MD5_SIZE, len - t->md5_at - MD5_SIZE },
	};
	md5_spans(spans, 3, out);
}

/*
 * The extent the stored MD5 covers, or 0 when none does (*MD5 then holds the MD5 of the whole
 * input). mktplinkfw's file is the whole input; OpenWrt appends fwtool metadata after it
 * (sysupgrade images), and mktplinkfw2 -c hashes only the header and the kernel.
 */
static size_t md5_extent(const uint8_t *buf, size_t len, const struct tplink *t, uint8_t md5[MD5_SIZE])
{
	struct fwkit_fwtool fw;
	fwkit_fwtool_read(NULL, buf, len, &fw);
	uint64_t rootfs_end = (uint64_t)t->rootfs_ofs + t->rootfs_len;
	const uint64_t ends[4] = { len, fw.image_end, TPLINK_HEADER + (uint64_t)t->kernel_len, t->rootfs_len ? rootfs_end : 0 };
	uint8_t got[MD5_SIZE];
	for (size_t i = 0; i < 4; i++) {
		if (ends[i] < TPLINK_HEADER || ends[i] > len || (i && ends[i] == len))
			continue;
		salted_md5(buf, (size_t)ends[i], t, i ? got : md5);
		if (!memcmp(i ? got : md5, t->md5, MD5_SIZE))
			return (size_t)ends[i];
	}
	return 0;
}

static void tplink_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *buf = c->base + c->pos;
	size_t len = cursor_remaining(c);
	struct tplink t;
	if (!parse(buf, len, &t))
		return;
	r->bits = t.layout == 1 ? 32 + 16 + 32 : 32 + 24 + 32; /* version, text (v1) or 55AA/A5 (v2), kernel offset */
	if (!md5_present(&t)) {
		/* a kernel-only header: the image is the header and the kernel */
		r->size = TPLINK_HEADER + (uint64_t)t.kernel_len;
		str_printf(r->validated, sizeof(r->validated), "version, %s, kernel offset (no MD5: kernel-only header)",
			   t.layout == 1 ? "text fields" : "0x55AA/0xA5 markers");
		return;
	}
	uint8_t md5[MD5_SIZE];
	size_t covered = md5_extent(buf, len, &t, md5);
	r->size = covered ? covered : len;
	if (covered) {
		r->bits += 128;
		str_printf(r->validated, sizeof(r->validated), "version, %s, kernel offset, salted MD5",
			   t.layout == 1 ? "text fields" : "0x55AA/0xA5 markers");
	} else {
		str_printf(r->validated, sizeof(r->validated), "version, %s, kernel offset (MD5 bad)",
			   t.layout == 1 ? "text fields" : "0x55AA/0xA5 markers");
	}
}

static void add_text(struct fwkit_node *n, const char *name, const uint8_t *p, size_t len)
{
	fwkit_node_add_string(n, name, p, len);
}

static void describe_md5(const uint8_t *buf, size_t len, const struct tplink *t, struct fwkit_node *n)
{
	if (!md5_present(t)) {
		fwkit_node_add_string(n, "md5", "none (kernel-only header)", strlen("none (kernel-only header)"));
		return;
	}
	uint8_t md5[MD5_SIZE];
	size_t covered = md5_extent(buf, len, t, md5);
	fwkit_node_add_bytes(n, "md5", t->md5, MD5_SIZE);
	fwkit_node_add_bool(n, "md5_ok", covered != 0);
	if (covered) {
		fwkit_node_add_uint(n, "md5_covers", covered, false);
	} else {
		char exp[2 * MD5_SIZE + 1], fnd[2 * MD5_SIZE + 1];
		md5_hex(md5, exp);
		md5_hex(t->md5, fnd);
		node_finding(n, FWKIT_SEV_ERROR, "tplink.md5", fwkit_node_offset(n) + t->md5_at, exp, fnd,
			     "tplink: bad MD5 (salted, over the %zu-byte file)", len);
	}
}

static enum fwkit_status tplink_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct tplink t;
	if (!parse(buf, len, &t))
		return FWKIT_OK; /* not this format's header: nothing to say (the image check matches by magic alone) */
	fwkit_node_add_enum(n, "layout", (uint64_t)t.layout, t.layout == 1 ? "mktplinkfw" : "mktplinkfw2");
	fwkit_node_add_uint(n, "header_version", t.version, false);
	if (t.layout == 1)
		add_text(n, "vendor", t.vendor, t.vendor_len);
	add_text(n, "fw_version", t.fw_version, t.fw_version_len);
	fwkit_node_add_uint(n, "hw_id", t.hw_id, true);
	fwkit_node_add_uint(n, "hw_rev", t.hw_rev, true);
	fwkit_node_add_uint(n, t.layout == 1 ? "region_code" : "hw_ver_add", t.extra, true);
	char ver[40];
	str_printf(ver, sizeof(ver), "%u.%u.%u", t.ver_hi, t.ver_mid, t.ver_lo);
	fwkit_node_add_string(n, "version", ver, strlen(ver));
	fwkit_node_add_uint(n, "kernel_la", t.kernel_la, true);
	fwkit_node_add_uint(n, "kernel_ep", t.kernel_ep, true);
	fwkit_node_add_uint(n, "fw_length", t.fw_length, true);
	fwkit_node_add_uint(n, "kernel_ofs", t.kernel_ofs, true);
	fwkit_node_add_uint(n, "kernel_len", t.kernel_len, false);
	fwkit_node_add_uint(n, "rootfs_ofs", t.rootfs_ofs, true);
	fwkit_node_add_uint(n, "rootfs_len", t.rootfs_len, false);
	fwkit_node_add_uint(n, "boot_ofs", t.boot_ofs, true);
	fwkit_node_add_uint(n, "boot_len", t.boot_len, false);
	fwkit_node_add_uint(n, "payload_offset", TPLINK_HEADER, true);
	fwkit_node_add_uint(n, "payload_size", len - TPLINK_HEADER, false);
	describe_md5(buf, len, &t, n);
	return FWKIT_OK;
}

/* Where the squashfs really is when the header's rootfs offset holds none (stock TP-Link files
 * keep 0x100000 there while the squashfs follows the kernel). */
static void locate_rootfs(const uint8_t *buf, size_t len, const struct tplink *t, struct fwkit_node *n)
{
	size_t from = TPLINK_HEADER + (size_t)t->kernel_len;
	const uint8_t *hit = from < len ? memmem(buf + from, len - from, "hsqs", 4) : NULL;
	char at[48];
	str_printf(at, sizeof(at), hit ? "a squashfs at 0x%llx" : "no squashfs after the kernel",
		   hit ? (unsigned long long)(fwkit_node_offset(n) + (uint64_t)(hit - buf)) : 0ull);
	node_finding(n, FWKIT_SEV_WARN, "tplink.rootfs-offset", fwkit_node_offset(n) + t->rootfs_ofs, "a squashfs", at,
		     "tplink: no file system at the header's rootfs offset 0x%x", t->rootfs_ofs);
	if (!hit)
		return;
	const struct fwkit_format *sq = formats_by_name("squashfs");
	struct probe_result r;
	size_t off = (size_t)(hit - buf);
	formats_probe(sq, hit, len - off, fwkit_node_offset(n) + off, &r);
	if (r.bits >= sq->verified_bits) {
		fwkit_node_add_string(n, "rootfs_format", "squashfs", strlen("squashfs"));
		fwkit_node_add_uint(n, "rootfs_found_at", off, true);
	}
}

static enum fwkit_status tplink_verify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct tplink t;
	enum fwkit_status st = FWKIT_OK;
	if (!parse(buf, len, &t))
		return FWKIT_OK;
	payload_check(ctx, n, "tplink.kernel", "kernel", buf, len, t.kernel_ofs, t.kernel_len, PAYLOAD_KERNEL, &st);
	if (st != FWKIT_OK || !t.rootfs_len)
		return st;
	if (t.rootfs_ofs > len || t.rootfs_len > len - t.rootfs_ofs) {
		char exp[40], fnd[40];
		str_printf(exp, sizeof(exp), "at most %zu bytes", len);
		str_printf(fnd, sizeof(fnd), "0x%x + %u", t.rootfs_ofs, t.rootfs_len);
		/* a warning: the MD5 vouches for the file, and stock files' rootfs fields describe the flash */
		node_finding(n, FWKIT_SEV_WARN, "tplink.rootfs", fwkit_node_offset(n) + t.rootfs_ofs, exp, fnd,
			     "tplink: the header's rootfs runs past the end of the file");
		locate_rootfs(buf, len, &t, n);
		return FWKIT_OK;
	}
	struct probe_result r;
	const struct fwkit_format *sq = formats_by_name("squashfs");
	formats_probe(sq, buf + t.rootfs_ofs, t.rootfs_len, fwkit_node_offset(n) + t.rootfs_ofs, &r);
	if (r.bits >= sq->verified_bits)
		fwkit_node_add_string(n, "rootfs_format", "squashfs", strlen("squashfs"));
	else
		locate_rootfs(buf, len, &t, n);
	return FWKIT_OK;
}

static bool tplink_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_tplink = {
	.name = "tplink",
	.summary = "TP-Link firmware header (mktplinkfw v1, mktplinkfw2)",
	.role = FORMAT_IMAGE,
	.magics = { { "\x01\x00\x00\x00", 4 }, { "\x02\x00\x00\x00", 4 }, { "\x03\x00\x00\x00", 4 } },
	.align = 4,
	.probe = tplink_probe,
	.describe = tplink_describe,
	.verify = tplink_verify,
	.whole_image = tplink_whole_image,
	.verified_bits = 80,
};
