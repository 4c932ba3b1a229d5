/*
 * Finding and reading the device tree in an OpenWrt ramips kernel.
 *
 * OpenWrt's ramips kernels are "kernel + appended DTB", LZMA-compressed; Xiaomi MT7621 NOR images
 * wrap that in OpenWrt's self-decompressing lzma-loader under a uImage of type "none"
 * (formats.md 1.7). So: decompress the payload (or the LZMA stream found inside the loader: an
 * LZMA-alone header whose properties byte is valid (< 225), whose dictionary is a power of two
 * between 64 KiB and 16 MiB, whose size is unknown or at most 32 MiB and whose first range-coder
 * byte is 0), then look for the FDT magic d00dfeed at 4-byte steps and keep the first blob
 * libfdt's fdt_check_header accepts. Everything inside the DTB is read with libfdt. All of it is
 * bounded by the context's decompression budget (docs/formats/devicetree.md).
 */
#define _GNU_SOURCE /* memmem */
#include <libfdt.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/cursor.h"
#include "core/internal.h"
#include "formats/registry.h"
#include "fwkit/devicetree.h"

/*
 * Bounds of the search (docs/formats/devicetree.md). The DTB is appended to the kernel, so a
 * candidate stream must be decoded to its end: real ramips kernels with their DTB decompress to
 * 3-8 MiB (A5-V11 19.07: 4.0 MiB, Mi Router 3G v2: 7.4 MiB), so 32 MiB leaves room and bounds one
 * candidate. A dictionary larger than what may be decoded is never reached, so it is cut to that
 * (the output is the same), which bounds memory too. Every byte decoded draws on the context's
 * decompression budget, and every candidate on its bound of candidate streams.
 */
#define KERNEL_MAX (32u << 20)
#define PROBE_SIZE (64u << 10)         /* a candidate's first output, decoded with a small dictionary */
#define PROBE_DICT (PROBE_SIZE * 2)
#define LZMA_MEMLIMIT (KERNEL_MAX * 2ull)
#define CHUNK (1u << 20)               /* output per lzma_code call: the budget is charged per chunk */
#define FDT_LOOK_MAX (1u << 20)        /* the largest DTB looked for (the fdt module's bound) */

struct decoded {
	uint8_t *buf;
	size_t len;
	bool more;    /* the output reached the cap with the stream still going */
	bool stopped; /* the decompression budget stopped it */
};

/*
 * Decodes the LZMA-alone stream at IN (header included) into a buffer of at most MAX bytes, with
 * the dictionary cut to DICT bytes: the output up to MAX is the same as with the header's own
 * dictionary whenever DICT >= MAX (no match can reach further back than the output so far). Keeps
 * what decoded when the stream is corrupt or cut short (a loader's stream may be followed by
 * padding). False when nothing could be decoded.
 */
static bool lzma_decode(struct fwkit_ctx *b, const uint8_t *in, size_t len, uint32_t dict, size_t max,
			struct decoded *d)
{
	memset(d, 0, sizeof(*d));
	if (len < 13)
		return false;
	if (!budget_stream(b)) {
		d->stopped = true;
		return false;
	}
	uint8_t hdr[13];
	memcpy(hdr, in, sizeof(hdr));
	if (load_le32(hdr + 1) > dict) {
		hdr[1] = (uint8_t)dict;
		hdr[2] = (uint8_t)(dict >> 8);
		hdr[3] = (uint8_t)(dict >> 16);
		hdr[4] = (uint8_t)(dict >> 24);
	}
	size_t cap = max < CHUNK ? max : CHUNK; /* grows by doubling up to MAX */
	/* OpenWrt's kernels state their size: one buffer of that size, no copies while it grows */
	uint64_t usize = load_le32(hdr + 5) | (uint64_t)load_le32(hdr + 9) << 32;
	if (usize != UINT64_MAX && usize > cap && usize <= max)
		cap = (size_t)usize;
	uint8_t *out = malloc(cap);
	if (!out)
		return false;
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&s, LZMA_MEMLIMIT) != LZMA_OK) {
		free(out);
		return false;
	}
	s.next_in = hdr;
	s.avail_in = sizeof(hdr);
	s.next_out = out;
	s.avail_out = cap; /* the header makes no output, but liblzma wants room for some */
	lzma_ret r = lzma_code(&s, LZMA_RUN);
	if (r == LZMA_OK && s.avail_in == 0) {
		s.next_in = in + sizeof(hdr);
		s.avail_in = len - sizeof(hdr);
		uint64_t charged = 0;
		size_t used = 0;
		for (;;) {
			s.next_out = out + used;
			s.avail_out = cap - used < CHUNK ? cap - used : CHUNK;
			size_t room = s.avail_out;
			r = lzma_code(&s, LZMA_FINISH);
			used += room - s.avail_out;
			if (!budget_charge(b, s.total_out - charged, s.total_out, s.total_in, NULL, 0)) {
				d->stopped = true;
				break;
			}
			charged = s.total_out;
			if (r != LZMA_OK || s.avail_out != 0)
				break; /* the end, or corrupt, or cut short: keep what decoded */
			if (used < cap)
				continue;
			if (cap >= max) {
				d->more = true;
				break;
			}
			size_t ncap = cap * 2 < max ? cap * 2 : max;
			uint8_t *n = realloc(out, ncap);
			if (!n)
				break;
			out = n;
			cap = ncap;
		}
	}
	d->len = (size_t)s.total_out;
	lzma_end(&s);
	d->buf = out;
	return true;
}

/* An LZMA-alone header a kernel could have: properties < 225, a power-of-two dictionary between
 * 64 KiB and 16 MiB (kernels use <= 8 MiB), an unknown size or one we may decode, and the range
 * coder's first byte, which is always 0. */
static bool plausible_lzma(const uint8_t *p, size_t n)
{
	if (n < 14 || p[0] >= 225 || p[13] != 0)
		return false;
	uint32_t dict = load_le32(p + 1);
	if (dict < (1u << 16) || dict > (1u << 24) || (dict & (dict - 1)))
		return false;
	uint64_t size = load_le32(p + 5) | (uint64_t)load_le32(p + 9) << 32;
	return size == UINT64_MAX || size <= KERNEL_MAX;
}

static void read_partitions(const void *fdt, struct fwkit_devicetree *dt)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "fixed-partitions");
	if (node < 0)
		return;
	int child;
	fdt_for_each_subnode(child, fdt, node)
	{
		if (dt->nparts >= FWKIT_PROFILE_MAX_PARTS)
			break;
		int len = 0;
		const fdt32_t *reg = fdt_getprop(fdt, child, "reg", &len);
		if (!reg || len < 8)
			continue;
		struct fwkit_dt_partition *p = &dt->parts[dt->nparts++];
		p->offset = fdt32_to_cpu(reg[0]);
		p->size = fdt32_to_cpu(reg[1]);
		const char *label = fdt_getprop(fdt, child, "label", &len);
		if (!label || len <= 0 || label[len - 1] != 0)
			label = fdt_get_name(fdt, child, NULL);
		snprintf(p->label, sizeof(p->label), "%s", label ? label : "?");
		p->read_only = fdt_getprop(fdt, child, "read-only", NULL) != NULL;
	}
}

/* mtd-mac-address = <&partition offset> (older OpenWrt), anywhere in the tree. */
static void read_macs(const void *fdt, struct fwkit_devicetree *dt)
{
	for (int node = fdt_next_node(fdt, -1, NULL); node >= 0; node = fdt_next_node(fdt, node, NULL)) {
		int len = 0;
		const fdt32_t *v = fdt_getprop(fdt, node, "mtd-mac-address", &len);
		if (!v || len < 8 || dt->nmacs >= FWKIT_PROFILE_MAX_MACS)
			continue;
		int target = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(v[0]));
		if (target < 0)
			continue;
		struct fwkit_dt_mac *m = &dt->macs[dt->nmacs++];
		const char *label = fdt_getprop(fdt, target, "label", &len);
		if (!label || len <= 0 || label[len - 1] != 0)
			label = fdt_get_name(fdt, target, NULL);
		snprintf(m->partition, sizeof(m->partition), "%s", label ? label : "?");
		m->offset = fdt32_to_cpu(v[1]);
		const char *name = fdt_get_name(fdt, node, NULL);
		snprintf(m->node, sizeof(m->node), "%s", name ? name : "?");
	}
}

/* Where the next instance of format F may start in [FROM, LEN) of P: the nearest of its magics
 * (the format table's own), or LEN. */
static size_t next_magic(const struct fwkit_format *f, const uint8_t *p, size_t from, size_t len)
{
	size_t best = len;
	for (size_t m = 0; m < FORMAT_MAX_MAGICS && f->magics[m].bytes; m++) {
		if (from >= best)
			break;
		const uint8_t *hit = memmem(p + from, best - from, f->magics[m].bytes, f->magics[m].len);
		if (hit && (size_t)(hit - p) >= f->magic_offset)
			best = (size_t)(hit - p) - f->magic_offset;
	}
	return best;
}

/* Reads the DTB of TOTAL bytes at P (verified by the fdt module) into DT, at kernel offset AT. */
static bool read_dtb(const uint8_t *p, uint32_t total, uint64_t at, struct fwkit_devicetree *dt)
{
	/* an aligned private copy: libfdt wants the blob in its own buffer */
	void *fdt = malloc(total);
	if (!fdt)
		return false;
	memcpy(fdt, p, total);
	dt->dtb_offset = at;
	dt->dtb_size = total;
	int len = 0;
	const char *model = fdt_getprop(fdt, 0, "model", &len);
	if (model && len > 0 && model[len - 1] == 0)
		snprintf(dt->model, sizeof(dt->model), "%s", model);
	const char *compat = fdt_getprop(fdt, 0, "compatible", &len);
	for (int off = 0, n = 0; compat && off < len && n < 4; n++) {
		size_t sl = strnlen(compat + off, (size_t)(len - off));
		snprintf(dt->compatible[n], sizeof(dt->compatible[n]), "%.*s", (int)sl, compat + off);
		off += (int)sl + 1;
	}
	read_partitions(fdt, dt);
	read_macs(fdt, dt);
	free(fdt);
	return dt->model[0] || dt->compatible[0][0];
}

/* What looking at [FROM, LEN) of K (K[0] is kernel offset BASE) found. */
enum dtb_look { DTB_NONE, DTB_FOUND, DTB_NEED_MORE };

/*
 * Looks for the DTB in K from FROM: the fdt module's magic at a 4-byte aligned kernel offset, the
 * blob verified by that module's probe (libfdt's full check). DTB_NEED_MORE when a candidate's
 * blob runs past LEN (*FROM is then that candidate, to look at again with more bytes).
 */
static enum dtb_look look_for_dtb(const uint8_t *k, size_t len, uint64_t base, size_t *from, bool final,
				  struct fwkit_devicetree *dt)
{
	const struct fwkit_format *f = &fwkit_format_fdt;
	for (size_t i = next_magic(f, k, *from, len); i < len; i = next_magic(f, k, i + 1, len)) {
		if ((base + i) % 4)
			continue;
		if (!final && (len - i < 8 || (load_be32(k + i + 4) <= FDT_LOOK_MAX && load_be32(k + i + 4) > len - i))) {
			*from = i; /* its header says more bytes than have been decoded yet */
			return DTB_NEED_MORE;
		}
		struct probe_result r;
		formats_probe(f, k + i, len - i, base + i, &r);
		if (r.bits >= f->verified_bits && read_dtb(k + i, (uint32_t)r.size, base + i, dt))
			return DTB_FOUND;
	}
	*from = len > 3 ? len - 3 : 0; /* a magic may straddle the end */
	return DTB_NONE;
}

/* The first DTB in the decoded kernel K that the fdt module of the format table verifies. */
static bool parse_dtb(const uint8_t *k, size_t klen, struct fwkit_devicetree *dt)
{
	size_t from = 0;
	return look_for_dtb(k, klen, 0, &from, true, dt) == DTB_FOUND;
}

/*
 * Decodes the kernel stream at IN (LZMA-alone, header included) chunk by chunk and looks for its
 * DTB in what comes out, keeping only a window of the output: memory stays at the window (not
 * the whole kernel), and the decode stops as soon as a DTB is complete and verified. The window
 * holds a whole DTB (at most FDT_LOOK_MAX) plus a chunk.
 */
static bool dtb_from_stream(struct fwkit_ctx *b, const uint8_t *in, size_t len, struct fwkit_devicetree *dt)
{
	if (len < 13 || !budget_stream(b))
		return false;
	uint8_t hdr[13];
	memcpy(hdr, in, sizeof(hdr));
	if (load_le32(hdr + 1) > KERNEL_MAX) { /* never reached: the same output (lzma_decode) */
		hdr[1] = 0;
		hdr[2] = 0;
		hdr[3] = (uint8_t)(KERNEL_MAX >> 16);
		hdr[4] = (uint8_t)(KERNEL_MAX >> 24);
	}
	const size_t cap = FDT_LOOK_MAX + 2 * CHUNK;
	uint8_t *win = malloc(cap);
	lzma_stream s = LZMA_STREAM_INIT;
	if (!win || lzma_alone_decoder(&s, LZMA_MEMLIMIT) != LZMA_OK) {
		free(win);
		return false;
	}
	s.next_in = hdr;
	s.avail_in = sizeof(hdr);
	s.next_out = win;
	s.avail_out = cap;
	lzma_ret r = lzma_code(&s, LZMA_RUN);
	bool found = false;
	if (r == LZMA_OK && s.avail_in == 0) {
		s.next_in = in + sizeof(hdr);
		s.avail_in = len - sizeof(hdr);
		uint64_t base = 0, charged = 0; /* base: the kernel offset of win[0] */
		size_t used = 0, from = 0;
		enum dtb_look look = DTB_NONE;
		while (!found && s.total_out < KERNEL_MAX) {
			if (cap - used < CHUNK) { /* slide: keep what is still to be looked at */
				size_t drop = from & ~(size_t)3;
				memmove(win, win + drop, used - drop);
				base += drop;
				used -= drop;
				from -= drop;
			}
			s.next_out = win + used;
			s.avail_out = CHUNK;
			r = lzma_code(&s, LZMA_FINISH);
			used += CHUNK - s.avail_out;
			if (!budget_charge(b, s.total_out - charged, s.total_out, s.total_in, NULL, 0))
				break;
			charged = s.total_out;
			bool end = r != LZMA_OK || s.avail_out != 0; /* the end, or corrupt, or cut short */
			look = look_for_dtb(win, used, base, &from, end, dt);
			found = look == DTB_FOUND;
			if (end)
				break;
		}
	}
	lzma_end(&s);
	free(win);
	return found;
}

/* A stream the lzma module of the format table verifies (its magics, a decoded prefix) with a
 * header a kernel could have (plausible_lzma). */
static bool lzma_candidate(const uint8_t *p, size_t n)
{
	struct probe_result r;
	formats_probe(&fwkit_format_lzma, p, n, 0, &r);
	return r.bits >= fwkit_format_lzma.verified_bits && plausible_lzma(p, n);
}

enum fwkit_status fwkit_devicetree_from_kernel(struct fwkit_ctx *ctx, const uint8_t *payload, size_t len, uint8_t comp,
					       struct fwkit_devicetree *dt)
{
	memset(dt, 0, sizeof(*dt));
	struct fwkit_ctx local;
	struct fwkit_ctx *b = budget_ctx(ctx, &local);
	if (comp == 3) { /* lzma: the payload is the stream (a candidate too: a dump may hold many kernels) */
		if (budget_candidate(b, "devicetree: the LZMA kernel search") && dtb_from_stream(b, payload, len, dt))
			return FWKIT_OK;
	} else if (comp == 0) {
		/* the lzma-loader: the kernel's LZMA stream sits inside the loader image */
		const struct fwkit_format *lz = &fwkit_format_lzma;
		size_t end = len < (1u << 20) ? len : (1u << 20);
		for (size_t i = next_magic(lz, payload, 0, end); i + 13 <= len && i < end; i = next_magic(lz, payload, i + 1, end)) {
			if (!lzma_candidate(payload + i, len - i))
				continue;
			if (!budget_candidate(b, "devicetree: the LZMA kernel search"))
				break; /* what is left is the uncompressed look below */
			/* most candidates are not streams at all: find out with a small dictionary and buffer */
			struct decoded d;
			if (!lzma_decode(b, payload + i, len - i, PROBE_DICT, PROBE_SIZE, &d))
				continue;
			bool ok = d.more ? dtb_from_stream(b, payload + i, len - i, dt) : d.len >= 4096 && parse_dtb(d.buf, d.len, dt);
			free(d.buf);
			if (ok) {
				dt->lzma_offset = i;
				return FWKIT_OK;
			}
		}
		/* or the DTB lies uncompressed in the payload */
		if (parse_dtb(payload, len, dt))
			return FWKIT_OK;
	}
	if (b->decompress_hit)
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, FWKIT_NO_OFFSET, "a device tree (d00dfeed) in the kernel", NULL,
				   "devicetree: none found before the decompression budget was hit");
	return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, FWKIT_NO_OFFSET, "a device tree (d00dfeed) in the kernel", NULL,
			   "devicetree: none found");
}

static enum fwkit_part_content content_for(const char *label)
{
	static const struct {
		const char *label;
		enum fwkit_part_content c;
	} map[] = { { "u-boot", FWKIT_PART_BOOTLOADER }, { "bootloader", FWKIT_PART_BOOTLOADER },
		    { "Bootloader", FWKIT_PART_BOOTLOADER }, { "u-boot-env", FWKIT_PART_UBOOT_ENV },
		    { "config", FWKIT_PART_UBOOT_ENV }, { "Config", FWKIT_PART_UBOOT_ENV }, { "Bdata", FWKIT_PART_BDATA },
		    { "factory", FWKIT_PART_FACTORY }, { "crash", FWKIT_PART_CRASH }, { "cfg_bak", FWKIT_PART_CONFIG_BACKUP },
		    { "overlay", FWKIT_PART_OVERLAY }, { "firmware", FWKIT_PART_FIRMWARE }, { "kernel", FWKIT_PART_KERNEL },
		    { "ubi", FWKIT_PART_UBI } };
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].label, label) == 0)
			return map[i].c;
	return FWKIT_PART_OTHER;
}

enum fwkit_status fwkit_profile_from_devicetree(struct fwkit_ctx *ctx, const struct fwkit_devicetree *dt,
						uint64_t dump_size, struct fwkit_profile *p)
{
	memset(p, 0, sizeof(*p));
	if (!dt->nparts)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, "a fixed-partitions node", NULL,
				   "devicetree: no partition map in the device tree");
	/* OpenWrt's device name is the first compatible with ',' turned into '_' */
	snprintf(p->id, sizeof(p->id), "%s", dt->compatible[0][0] ? dt->compatible[0] : "unknown");
	for (char *c = p->id; *c; c++)
		if (*c == ',')
			*c = '_';
	snprintf(p->name, sizeof(p->name), "%s", dt->model[0] ? dt->model : p->id);
	snprintf(p->vendor, sizeof(p->vendor), "%.*s", (int)strcspn(dt->compatible[0], ","), dt->compatible[0]);
	for (size_t i = 0; i < 4 && i < FWKIT_PROFILE_MAX_COMPAT; i++)
		snprintf(p->compatible[i], sizeof(p->compatible[i]), "%s", dt->compatible[i]);
	uint64_t end = 0;
	for (size_t i = 0; i < dt->nparts; i++) {
		struct fwkit_partition *x = &p->parts[p->nparts++];
		snprintf(x->name, sizeof(x->name), "%s", dt->parts[i].label);
		x->offset = dt->parts[i].offset;
		x->size = dt->parts[i].size;
		x->read_only = dt->parts[i].read_only;
		x->content = content_for(x->name);
		if (x->content == FWKIT_PART_FIRMWARE)
			p->firmware_max = x->size;
		if ((uint64_t)x->offset + x->size > end)
			end = (uint64_t)x->offset + x->size;
	}
	uint64_t flash = 1;
	while (flash < end || flash < dump_size)
		flash <<= 1;
	p->flash_size = (uint32_t)flash;
	p->erase_size = 0x10000;
	for (size_t i = 0; i < dt->nmacs && p->nmacs < FWKIT_PROFILE_MAX_MACS; i++) {
		struct fwkit_mac_location *m = &p->macs[p->nmacs];
		snprintf(m->partition, sizeof(m->partition), "%s", dt->macs[i].partition);
		m->offset = dt->macs[i].offset;
		/* the device tree says which MAC each interface uses, not the label rule: order them */
		m->role = strstr(dt->macs[i].node, "wan") || strstr(dt->macs[i].node, "port@4") || strstr(dt->macs[i].node, "mac@1")
				  ? FWKIT_MAC_WAN
				  : FWKIT_MAC_LAN;
		m->delta = (int8_t)p->nmacs;
		p->nmacs++;
	}
	snprintf(p->source, sizeof(p->source), "device tree inside the dump's kernel (model \"%s\")", dt->model);
	snprintf(p->tested, sizeof(p->tested), "derived by fwkit profile from-dump");
	return FWKIT_OK;
}
