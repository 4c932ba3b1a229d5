/*
 * U-Boot legacy image (uImage) parser and builder.
 *
 * Layout and rules from U-Boot's include/image.h (struct legacy_img_hdr), boot/image.c
 * (image_check_hcrc/dcrc, image_multi_getimg) and tools/default_image.c / tools/mkimage.c
 * (how mkimage fills the header): 64 bytes, every field big-endian, header CRC over the header
 * with the CRC field zeroed, data CRC over exactly ih_size payload bytes. Multi-file and
 * script payloads start with a zero-terminated table of big-endian sizes; every part but the
 * last is padded to 4 bytes. Facts: ../shared/reference/formats.md section 1.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

#include "core/cursor.h"
#include "core/internal.h"
#include "formats/registry.h"
#include "fwkit/uimage.h"

/* Header field offsets (U-Boot include/image.h, struct legacy_img_hdr). */
enum {
	UIMAGE_OFF_MAGIC = 0x00,
	UIMAGE_OFF_HCRC = 0x04,
	UIMAGE_OFF_TIME = 0x08,
	UIMAGE_OFF_SIZE = 0x0C,
	UIMAGE_OFF_LOAD = 0x10,
	UIMAGE_OFF_EP = 0x14,
	UIMAGE_OFF_DCRC = 0x18,
	UIMAGE_OFF_OS = 0x1C,
	UIMAGE_OFF_ARCH = 0x1D,
	UIMAGE_OFF_TYPE = 0x1E,
	UIMAGE_OFF_COMP = 0x1F,
	UIMAGE_OFF_NAME = 0x20,
};
_Static_assert(UIMAGE_OFF_NAME + FWKIT_UIMAGE_NAME_LEN == FWKIT_UIMAGE_HEADER_SIZE, "uImage header is 64 bytes");

struct name_entry {
	const char *short_name; /* mkimage's -O/-A/-T/-C argument; NULL: no table entry */
	const char *long_name;  /* what mkimage -l prints */
};

/* Indexed by value. Gaps (values in U-Boot's enum without a name-table entry) print "Unknown". */
static const struct name_entry os_names[] = {
	[0] = { "invalid", "Invalid OS" },   [1] = { "openbsd", "OpenBSD" },
	[2] = { "netbsd", "NetBSD" },	     [3] = { "freebsd", "FreeBSD" },
	[4] = { "4_4bsd", "4_4BSD" },	     [5] = { "linux", "Linux" },
	[6] = { "svr4", "SVR4" },	     [7] = { "esix", "Esix" },
	[8] = { "solaris", "Solaris" },	     [9] = { "irix", "Irix" },
	[10] = { "sco", "SCO" },	     [11] = { "dell", "Dell" },
	[12] = { "ncr", "NCR" },	     [14] = { "vxworks", "VxWorks" },
	[15] = { "psos", "pSOS" },	     [16] = { "qnx", "QNX" },
	[17] = { "u-boot", "U-Boot" },	     [18] = { "rtems", "RTEMS" },
	[21] = { "integrity", "INTEGRITY" }, [22] = { "ose", "Enea OSE" },
	[23] = { "plan9", "Plan 9" },	     [24] = { "openrtos", "OpenRTOS" },
	[25] = { "arm-trusted-firmware", "ARM Trusted Firmware" },
	[26] = { "tee", "Trusted Execution Environment" },
	[27] = { "opensbi", "RISC-V OpenSBI" },
	[28] = { "efi", "EFI Firmware" },
	/* 29 elf: only with CONFIG_BOOTM_ELF, which the host tools (u-boot-tools 2023.01) lack */
};

static const struct name_entry arch_names[] = {
	[0] = { "invalid", "Invalid ARCH" }, [1] = { "alpha", "Alpha" },
	[2] = { "arm", "ARM" },		     [3] = { "x86", "Intel x86" },
	[4] = { "ia64", "IA64" },	     [5] = { "mips", "MIPS" },
	[6] = { "mips64", "MIPS 64 Bit" },   [7] = { "powerpc", "PowerPC" },
	[8] = { "s390", "IBM S390" },	     [9] = { "sh", "SuperH" },
	[10] = { "sparc", "SPARC" },	     [11] = { "sparc64", "SPARC 64 Bit" },
	[12] = { "m68k", "M68K" },	     [14] = { "microblaze", "MicroBlaze" },
	[15] = { "nios2", "NIOS II" },	     [16] = { "blackfin", "Blackfin" },
	[17] = { "avr32", "AVR32" },	     [19] = { "sandbox", "Sandbox" },
	[20] = { "nds32", "NDS32" },	     [21] = { "or1k", "OpenRISC 1000" },
	[22] = { "arm64", "AArch64" },	     [23] = { "arc", "ARC" },
	[24] = { "x86_64", "AMD x86_64" },   [25] = { "xtensa", "Xtensa" },
	[26] = { "riscv", "RISC-V" },
};

static const struct name_entry type_names[] = {
	[0] = { "invalid", "Invalid Image" },
	[1] = { "standalone", "Standalone Program" },
	[2] = { "kernel", "Kernel Image" },
	[3] = { "ramdisk", "RAMDisk Image" },
	[4] = { "multi", "Multi-File Image" },
	[5] = { "firmware", "Firmware" },
	[6] = { "script", "Script" },
	[7] = { "filesystem", "Filesystem Image" },
	[8] = { "flat_dt", "Flat Device Tree" },
	[9] = { "kwbimage", "Kirkwood Boot Image" },
	[10] = { "imximage", "Freescale i.MX Boot Image" },
	[11] = { "ublimage", "Davinci UBL image" },
	[12] = { "omapimage", "TI OMAP SPL With GP CH" },
	[13] = { "aisimage", "Davinci AIS image" },
	[14] = { "kernel_noload", "Kernel Image (no loading done)" },
	[15] = { "pblimage", "Freescale PBL Boot Image" },
	[16] = { "mxsimage", "Freescale MXS Boot Image" },
	[17] = { "gpimage", "TI Keystone SPL Image" },
	[18] = { "atmelimage", "ATMEL ROM-Boot Image" },
	[19] = { "socfpgaimage", "Altera SoCFPGA CV/AV preloader" },
	[20] = { "x86_setup", "x86 setup.bin" },
	[21] = { "lpc32xximage", "LPC32XX Boot Image" },
	[23] = { "rkimage", "Rockchip Boot Image" },
	[24] = { "rksd", "Rockchip SD Boot Image" },
	[25] = { "rkspi", "Rockchip SPI Boot Image" },
	[26] = { "zynqimage", "Xilinx Zynq Boot Image" },
	[27] = { "zynqmpimage", "Xilinx ZynqMP Boot Image" },
	[28] = { "zynqmpbif", "Xilinx ZynqMP Boot Image (bif)" },
	[29] = { "fpga", "FPGA Image" },
	[30] = { "vybridimage", "Vybrid Boot Image" },
	[31] = { "tee", "Trusted Execution Environment Image" },
	[32] = { "firmware_ivt", "Firmware with HABv4 IVT" },
	[33] = { "pmmc", "TI Power Management Micro-Controller Firmware" },
	[34] = { "stm32image", "STMicroelectronics STM32 Image" },
	[35] = { "socfpgaimage_v1", "Altera SoCFPGA A10 preloader" },
	[36] = { "mtk_image", "MediaTek BootROM loadable Image" },
	[37] = { "imx8mimage", "NXP i.MX8M Boot Image" },
	[38] = { "imx8image", "NXP i.MX8 Boot Image" },
	[39] = { "copro", "Coprocessor Image" },
	[40] = { "sunxi_egon", "Allwinner eGON Boot Image" },
	[41] = { "sunxi_toc0", "Allwinner TOC0 Boot Image" },
};

static const struct name_entry comp_names[] = {
	[0] = { "none", "uncompressed" },     [1] = { "gzip", "gzip compressed" },
	[2] = { "bzip2", "bzip2 compressed" }, [3] = { "lzma", "lzma compressed" },
	[4] = { "lzo", "lzo compressed" },     [5] = { "lz4", "lz4 compressed" },
	[6] = { "zstd", "zstd compressed" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct name_entry *entry(const struct name_entry *t, size_t n, uint8_t v)
{
	return v < n && t[v].long_name ? &t[v] : NULL;
}

static int lookup(const struct name_entry *t, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].short_name && strcasecmp(t[i].short_name, name) == 0)
			return (int)i;
	return -1;
}

#define NAME_FUNCS(kind, table, unknown)                                                            \
	const char *fwkit_uimage_##kind##_name(uint8_t v)                                           \
	{                                                                                           \
		const struct name_entry *e = entry(table, COUNT(table), v);                         \
		return e ? e->long_name : unknown;                                                  \
	}                                                                                           \
	const char *fwkit_uimage_##kind##_short(uint8_t v)                                          \
	{                                                                                           \
		const struct name_entry *e = entry(table, COUNT(table), v);                         \
		return e ? e->short_name : "unknown";                                               \
	}

NAME_FUNCS(os, os_names, "Unknown OS")
NAME_FUNCS(arch, arch_names, "Unknown Architecture")
NAME_FUNCS(type, type_names, "Unknown Image")
NAME_FUNCS(comp, comp_names, "Unknown Compression")

int fwkit_uimage_os_lookup(const char *name) { return lookup(os_names, COUNT(os_names), name); }
int fwkit_uimage_type_lookup(const char *name) { return lookup(type_names, COUNT(type_names), name); }
int fwkit_uimage_comp_lookup(const char *name) { return lookup(comp_names, COUNT(comp_names), name); }
int fwkit_uimage_arch_lookup(const char *name)
{
	if (strcasecmp(name, "ppc") == 0) /* mkimage's alias */
		return 7;
	return lookup(arch_names, COUNT(arch_names), name);
}

static const uint8_t XZ_MAGIC[6] = { 0xFD, '7', 'z', 'X', 'Z', 0x00 };

enum fwkit_codec fwkit_uimage_codec(uint8_t comp, const uint8_t *payload, size_t len)
{
	switch (comp) {
	case 1: return FWKIT_CODEC_GZIP;
	case 2: return FWKIT_CODEC_BZIP2;
	case 3:
		/* Some build systems store an XZ stream under "lzma"; U-Boot cannot boot that, but
		 * the payload itself is still checkable. */
		if (payload && len >= sizeof(XZ_MAGIC) && memcmp(payload, XZ_MAGIC, sizeof(XZ_MAGIC)) == 0)
			return FWKIT_CODEC_XZ;
		return FWKIT_CODEC_LZMA_ALONE;
	case 4: return FWKIT_CODEC_LZO;
	case 5: return FWKIT_CODEC_LZ4;
	case 6: return FWKIT_CODEC_ZSTD;
	default: return FWKIT_CODEC_NONE;
	}
}

static uint32_t header_crc(const uint8_t *hdr)
{
	uint8_t copy[FWKIT_UIMAGE_HEADER_SIZE];
	memcpy(copy, hdr, sizeof(copy));
	memset(copy + UIMAGE_OFF_HCRC, 0, 4);
	return fwkit_crc32(0, copy, sizeof(copy));
}

static enum fwkit_trailer_kind classify_trailer(const uint8_t *p, size_t n)
{
	if (!n)
		return FWKIT_TRAILER_NONE;
	uint8_t first = p[0];
	if (first != 0xFF && first != 0x00)
		return FWKIT_TRAILER_DATA;
	for (size_t i = 1; i < n; i++)
		if (p[i] != first)
			return FWKIT_TRAILER_DATA;
	return first == 0xFF ? FWKIT_TRAILER_ERASED : FWKIT_TRAILER_ZERO;
}

/* Reads the size table of a multi-file or script payload that is fully present. */
static void parse_parts(struct fwkit_uimage *img, const uint8_t *payload)
{
	struct cursor c;
	cursor_init(&c, payload, img->data_size, img->data_offset);
	uint32_t sizes[FWKIT_UIMAGE_MAX_PARTS];
	size_t n = 0;
	for (;;) {
		uint32_t sz = cursor_be32(&c);
		if (!cursor_ok(&c)) {
			findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.multi-table", cursor_abs(&c), "a 0 word",
				     "end of payload", "multi-file size table has no terminator");
			return;
		}
		if (sz == 0)
			break;
		if (n == FWKIT_UIMAGE_MAX_PARTS) {
			findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.multi-table", cursor_abs(&c), NULL, NULL,
				     "multi-file size table lists more than %d parts", FWKIT_UIMAGE_MAX_PARTS);
			return;
		}
		sizes[n++] = sz;
	}
	uint64_t pos = cursor_pos(&c);
	for (size_t i = 0; i < n; i++) {
		/* 64-bit arithmetic: sizes come from the input and may sum past 4 GiB; and the
		 * padding after the previous part may itself have run past the payload (a fuzzer
		 * found that: fuzz/corpus/uimage/regress-multi-pad-past-end). */
		if (pos > img->data_size || sizes[i] > img->data_size - pos) {
			char exp[32], fnd[32];
			snprintf(exp, sizeof(exp), "%llu bytes",
				 (unsigned long long)(pos > img->data_size ? 0 : img->data_size - pos));
			snprintf(fnd, sizeof(fnd), "%u bytes", sizes[i]);
			findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.multi-table", img->data_offset + pos, exp,
				     fnd, "multi-file part %zu runs past the end of the payload", i);
			img->nparts = 0;
			return;
		}
		img->parts[i].offset = img->data_offset + pos;
		img->parts[i].size = sizes[i];
		pos += sizes[i];
		if (i + 1 < n)
			pos += (4 - (sizes[i] & 3)) & 3;
		img->nparts = i + 1;
	}
}

enum fwkit_status fwkit_uimage_parse(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, size_t offset,
				     uint32_t magic, struct fwkit_uimage *img)
{
	memset(img, 0, sizeof(*img));
	if (!magic)
		magic = FWKIT_UIMAGE_MAGIC;
	img->offset = offset;
	if (offset > len) {
		char exp[40], fnd[40];
		snprintf(exp, sizeof(exp), "at most 0x%zx", len);
		snprintf(fnd, sizeof(fnd), "0x%zx", offset);
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, FWKIT_NO_OFFSET, exp, fnd, "uimage: offset past the end of the file");
	}
	struct cursor c;
	cursor_init(&c, buf + (buf ? offset : 0), len - offset, offset);
	struct fwkit_uimage_header *h = &img->hdr;
	h->magic = cursor_be32(&c);
	h->hcrc = cursor_be32(&c);
	h->time = cursor_be32(&c);
	h->size = cursor_be32(&c);
	h->load = cursor_be32(&c);
	h->ep = cursor_be32(&c);
	h->dcrc = cursor_be32(&c);
	h->os = cursor_u8(&c);
	h->arch = cursor_u8(&c);
	h->type = cursor_u8(&c);
	h->comp = cursor_u8(&c);
	cursor_copy(&c, h->name, sizeof(h->name));
	if (!cursor_ok(&c)) {
		char fnd[40];
		snprintf(fnd, sizeof(fnd), "%zu bytes", len - offset);
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, offset, "a 64-byte header", fnd, "uimage: header truncated");
	}
	if (h->magic != magic) {
		char exp[16], fnd[16];
		snprintf(exp, sizeof(exp), "0x%08x", magic);
		snprintf(fnd, sizeof(fnd), "0x%08x", h->magic);
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, offset, exp, fnd, "uimage: bad magic");
	}
	if (magic != FWKIT_UIMAGE_MAGIC)
		findings_add(&img->findings, FWKIT_SEV_INFO, "uimage.vendor-magic", offset, "0x27051956", NULL,
			     "non-standard magic 0x%08x (given with --magic); stock U-Boot will not boot it", magic);

	const uint8_t *hdr = buf + offset;
	img->hcrc_computed = header_crc(hdr);
	img->hcrc_ok = img->hcrc_computed == h->hcrc;
	if (!img->hcrc_ok) {
		char exp[16], fnd[16];
		snprintf(exp, sizeof(exp), "0x%08x", img->hcrc_computed);
		snprintf(fnd, sizeof(fnd), "0x%08x", h->hcrc);
		findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.header-crc", offset + UIMAGE_OFF_HCRC, exp, fnd,
			     "bad header CRC");
	}

	const uint8_t *nul = memchr(h->name, 0, sizeof(h->name));
	img->name_len = nul ? (size_t)(nul - h->name) : sizeof(h->name);
	for (size_t i = 0; i < img->name_len; i++)
		if (h->name[i] < 0x20 || h->name[i] >= 0x7F)
			img->name_binary = true;
	if (img->name_binary)
		findings_add(&img->findings, FWKIT_SEV_WARN, "uimage.name-binary", offset + UIMAGE_OFF_NAME, NULL, NULL,
			     "image name holds non-printable bytes (vendor version or id fields)");
	if (!nul)
		findings_add(&img->findings, FWKIT_SEV_INFO, "uimage.name-unterminated", offset + UIMAGE_OFF_NAME, NULL,
			     NULL, "image name fills all 32 bytes with no terminating NUL");

	uint64_t avail = cursor_remaining(&c);
	const uint8_t *payload = buf + offset + FWKIT_UIMAGE_HEADER_SIZE;
	img->data_offset = offset + FWKIT_UIMAGE_HEADER_SIZE;
	img->data_size = h->size;
	if (h->size > avail && (h->size >> 24) != 0 && (h->size & 0xFFFFFFu) <= avail &&
	    fwkit_crc32(0, payload, h->size & 0xFFFFFFu) == h->dcrc) {
		/* Seen in vendor RT5350 SDK images: the top byte of ih_size carries flags. Their own
		 * U-Boot masks it; the CRC over the low 24 bits proves that reading. */
		img->size_flags = (uint8_t)(h->size >> 24);
		img->data_size = h->size & 0xFFFFFFu;
		char fnd[16];
		snprintf(fnd, sizeof(fnd), "0x%08x", h->size);
		findings_add(&img->findings, FWKIT_SEV_WARN, "uimage.size-flags", offset + UIMAGE_OFF_SIZE, NULL, fnd,
			     "top byte 0x%02x of the size field taken as vendor flags; data size %u (the data CRC matches that)",
			     img->size_flags, img->data_size);
	}
	if (img->data_size <= avail) {
		img->data_complete = true;
		img->data_present = img->data_size;
		img->dcrc_checked = true;
		img->dcrc_computed = fwkit_crc32(0, payload, img->data_size);
		img->dcrc_ok = img->dcrc_computed == h->dcrc;
		if (!img->dcrc_ok) {
			char exp[16], fnd[16];
			snprintf(exp, sizeof(exp), "0x%08x", img->dcrc_computed);
			snprintf(fnd, sizeof(fnd), "0x%08x", h->dcrc);
			findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.data-crc", offset + UIMAGE_OFF_DCRC, exp, fnd,
				     "bad data CRC");
		}
		img->trailer_size = avail - img->data_size;
		img->trailer_kind = classify_trailer(payload + img->data_size, (size_t)img->trailer_size);
		if (h->type == FWKIT_UIMAGE_TYPE_MULTI || h->type == FWKIT_UIMAGE_TYPE_SCRIPT)
			parse_parts(img, payload);
	} else {
		img->data_present = avail;
		char exp[32], fnd[32];
		snprintf(exp, sizeof(exp), "%u bytes", img->data_size);
		snprintf(fnd, sizeof(fnd), "%llu bytes", (unsigned long long)avail);
		findings_add(&img->findings, FWKIT_SEV_ERROR, "uimage.truncated", offset + UIMAGE_OFF_SIZE, exp, fnd,
			     "payload runs %llu bytes past the end of the input (a truncated partition or dump?)",
			     (unsigned long long)(img->data_size - avail));
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_uimage_part_span(struct fwkit_ctx *ctx, const struct fwkit_uimage *img, size_t len,
					 unsigned index, uint64_t *offset, uint64_t *size)
{
	/* dumpimage picks out a part only for multi-file images (tools/default_image.c
	 * image_extract_subimage); for a script, as for any other type, it writes the whole payload. */
	bool multi = img->hdr.type == FWKIT_UIMAGE_TYPE_MULTI;
	if (multi && img->data_complete) {
		if (index >= img->nparts) {
			char exp[40], fnd[16];
			snprintf(exp, sizeof(exp), "a part below %zu", img->nparts);
			snprintf(fnd, sizeof(fnd), "%u", index);
			return FWKIT_RAISE(ctx, FWKIT_E_RANGE, img->data_offset, exp, fnd, "uimage: no such part");
		}
		*offset = img->parts[index].offset;
		*size = img->parts[index].size;
	} else {
		*offset = img->data_offset;
		*size = img->data_size;
	}
	if (*offset > len || *size > len - *offset) {
		char exp[32], fnd[32];
		snprintf(exp, sizeof(exp), "%llu bytes", (unsigned long long)*size);
		snprintf(fnd, sizeof(fnd), "%llu bytes", (unsigned long long)(*offset > len ? 0 : len - *offset));
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, img->offset + UIMAGE_OFF_SIZE, exp, fnd,
				   "uimage: payload runs past the end of the file");
	}
	return FWKIT_OK;
}

/* The types mkimage's legacy ("default") handler creates as a plain 64-byte header + payload. */
static bool buildable_type(uint8_t type)
{
	return (type >= 1 && type <= 7) || type == 14;
}

enum fwkit_status fwkit_uimage_build(struct fwkit_ctx *ctx, const struct fwkit_uimage_build_params *p,
				     uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	ctx_set_input_name(ctx, "");
	if (!buildable_type(p->type))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "standalone, kernel, ramdisk, multi, firmware, script, filesystem or kernel_noload",
				   fwkit_uimage_type_short(p->type), "uimage: type not supported for legacy images");
	bool multi = p->type == FWKIT_UIMAGE_TYPE_MULTI || p->type == FWKIT_UIMAGE_TYPE_SCRIPT;
	if (p->nparts == 0 || (!multi && p->nparts != 1) || p->nparts > FWKIT_UIMAGE_MAX_PARTS)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, multi ? "1 to 64 data files" : "one data file",
				   NULL, "uimage: wrong number of data files");
	uint64_t payload = multi ? 4ull * (p->nparts + 1) : 0;
	for (size_t i = 0; i < p->nparts; i++) {
		/* mkimage refuses empty inputs; in a multi-file table a 0 size would end the table
		 * early and silently hide the parts after it. */
		if (p->parts[i].len == 0)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a non-empty file", "0 bytes",
					   "uimage: data file %zu is empty", i);
		if (p->parts[i].len > UINT32_MAX)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "under 4 GiB", NULL,
					   "uimage: data file %zu too large", i);
		payload += p->parts[i].len;
		if (multi && i + 1 < p->nparts)
			payload += (4 - (p->parts[i].len & 3)) & 3;
	}
	if (payload > UINT32_MAX)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "under 4 GiB", NULL, "uimage: payload too large");
	size_t total = FWKIT_UIMAGE_HEADER_SIZE + (size_t)payload;
	uint8_t *img = calloc(1, total);
	if (!img)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	uint8_t *w = img + FWKIT_UIMAGE_HEADER_SIZE;
	if (multi) {
		for (size_t i = 0; i < p->nparts; i++, w += 4)
			store_be32(w, (uint32_t)p->parts[i].len);
		w += 4; /* the terminating 0 word (calloc) */
	}
	for (size_t i = 0; i < p->nparts; i++) {
		if (p->parts[i].len)
			memcpy(w, p->parts[i].data, p->parts[i].len);
		w += p->parts[i].len;
		if (multi && i + 1 < p->nparts)
			w += (4 - (p->parts[i].len & 3)) & 3; /* zero padding (calloc) */
	}
	store_be32(img + UIMAGE_OFF_MAGIC, FWKIT_UIMAGE_MAGIC);
	store_be32(img + UIMAGE_OFF_TIME, p->time);
	store_be32(img + UIMAGE_OFF_SIZE, (uint32_t)payload);
	store_be32(img + UIMAGE_OFF_LOAD, p->load);
	store_be32(img + UIMAGE_OFF_EP, p->ep);
	store_be32(img + UIMAGE_OFF_DCRC, fwkit_crc32(0, img + FWKIT_UIMAGE_HEADER_SIZE, (size_t)payload));
	img[UIMAGE_OFF_OS] = p->os;
	img[UIMAGE_OFF_ARCH] = p->arch;
	img[UIMAGE_OFF_TYPE] = p->type;
	img[UIMAGE_OFF_COMP] = p->comp;
	if (p->name) /* strnlen(name, 32) bytes, no terminator at 32: include/image.h image_set_name */
		memcpy(img + UIMAGE_OFF_NAME, p->name, strnlen(p->name, FWKIT_UIMAGE_NAME_LEN));
	store_be32(img + UIMAGE_OFF_HCRC, header_crc(img));
	*out = img;
	*out_len = total;
	return FWKIT_OK;
}

/* Registry hooks. The probe proves magic and header CRC (64 bits); the extent is header + payload. */
static void uimage_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *h = cursor_bytes(c, FWKIT_UIMAGE_HEADER_SIZE);
	if (!h || load_be32(h) != FWKIT_UIMAGE_MAGIC || header_crc(h) != load_be32(h + UIMAGE_OFF_HCRC))
		return;
	r->bits = 64;
	r->size = FWKIT_UIMAGE_HEADER_SIZE + (uint64_t)load_be32(h + UIMAGE_OFF_SIZE);
	str_printf(r->validated, sizeof(r->validated), "magic, header CRC");
}

static enum fwkit_status uimage_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct fwkit_uimage *img = calloc(1, sizeof(*img));
	if (!img)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	enum fwkit_status st = fwkit_uimage_parse(ctx, buf, len, 0, 0, img);
	if (st == FWKIT_OK) {
		const struct fwkit_uimage_header *h = &img->hdr;
		fwkit_node_add_string(n, "name", h->name, img->name_len);
		fwkit_node_add_enum(n, "type", h->type, fwkit_uimage_type_short(h->type));
		fwkit_node_add_enum(n, "os", h->os, fwkit_uimage_os_short(h->os));
		fwkit_node_add_enum(n, "arch", h->arch, fwkit_uimage_arch_short(h->arch));
		fwkit_node_add_enum(n, "compression", h->comp, fwkit_uimage_comp_short(h->comp));
		fwkit_node_add_uint(n, "load", h->load, true);
		fwkit_node_add_uint(n, "entry", h->ep, true);
		fwkit_node_add_uint(n, "time", h->time, false);
		fwkit_node_add_uint(n, "data_size", img->data_size, false);
		fwkit_node_add_uint(n, "header_crc", h->hcrc, true);
		fwkit_node_add_uint(n, "data_crc", h->dcrc, true);
		fwkit_node_add_bool(n, "data_crc_ok", img->dcrc_checked && img->dcrc_ok);
		if (img->nparts)
			fwkit_node_add_uint(n, "parts", img->nparts, false);
		if (img->dcrc_checked && img->dcrc_ok)
			fwkit_node_set_validated(n, "magic, header CRC, data CRC", 96);
		for (size_t i = 0; i < img->findings.count; i++) {
			struct fwkit_finding f = img->findings.items[i];
			f.offset += fwkit_node_offset(n);
			fwkit_node_add_finding(n, &f);
		}
	}
	free(img);
	return st;
}

/* A kernel (or multi-file kernel + ramdisk) image is a firmware image; a U-Boot that is itself
 * wrapped in a uImage (type firmware, as on the RT5350 boards) starts a flash dump instead. */
static bool uimage_whole_image(const uint8_t *buf, size_t len)
{
	if (len <= UIMAGE_OFF_TYPE)
		return false;
	uint8_t type = buf[UIMAGE_OFF_TYPE];
	return type == FWKIT_UIMAGE_TYPE_KERNEL || type == FWKIT_UIMAGE_TYPE_MULTI || type == FWKIT_UIMAGE_TYPE_KERNEL_NOLOAD;
}

const struct fwkit_format fwkit_format_uimage = {
	.name = "uimage",
	.summary = "U-Boot legacy image (mkimage)",
	.role = FORMAT_IMAGE,
	.magics = { { "\x27\x05\x19\x56", 4 } },
	.align = 1,
	.probe = uimage_probe,
	.describe = uimage_describe,
	.whole_image = uimage_whole_image,
	.verified_bits = 64, /* magic and header CRC */
};
