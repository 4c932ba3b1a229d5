/*
 * Finding and reading the device tree in an OpenWrt ramips kernel.
 *
 * OpenWrt's ramips kernels are "kernel + appended DTB", LZMA-compressed; Xiaomi MT7621 NOR images
 * wrap that in OpenWrt's self-decompressing lzma-loader under a uImage of type "none"
 * (formats.md 1.7). So: decompress the payload (or the LZMA stream found inside the loader: an
 * LZMA-alone header whose properties byte is valid (< 225) and whose dictionary is a power of two
 * between 64 KiB and 16 MiB), then look for the FDT magic d00dfeed at 4-byte steps and keep the
 * first blob libfdt's fdt_check_header accepts. Everything inside the DTB is read with libfdt.
 */
#include <libfdt.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/internal.h"
#include "fwkit/devicetree.h"

#define KERNEL_MAX (64u << 20)

static uint8_t *lzma_decode(const uint8_t *in, size_t len, size_t *out_len)
{
	size_t cap = 1u << 20; /* grows by doubling up to KERNEL_MAX */
	uint8_t *out = malloc(cap);
	if (!out)
		return NULL;
	lzma_stream s = LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&s, 256u << 20) != LZMA_OK) {
		free(out);
		return NULL;
	}
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	for (;;) {
		lzma_ret r = lzma_code(&s, LZMA_FINISH);
		if (r == LZMA_STREAM_END)
			break;
		if (r == LZMA_OK && s.avail_out == 0 && cap < KERNEL_MAX) {
			size_t used = cap;
			uint8_t *n = realloc(out, cap * 2);
			if (!n)
				break;
			out = n;
			cap *= 2;
			s.next_out = out + used;
			s.avail_out = cap - used;
			continue;
		}
		/* a loader's stream may be followed by padding: keep what decoded if it is substantial */
		break;
	}
	*out_len = (size_t)s.total_out;
	lzma_end(&s);
	if (*out_len < 4096) {
		free(out);
		return NULL;
	}
	return out;
}

static bool plausible_lzma(const uint8_t *p, size_t n)
{
	if (n < 13 || p[0] >= 225)
		return false;
	uint32_t dict = load_le32(p + 1);
	return dict >= (1u << 16) && dict <= (1u << 24) && !(dict & (dict - 1)); /* kernels use <= 8 MiB */
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

static bool parse_dtb(const uint8_t *k, size_t klen, struct fwkit_devicetree *dt)
{
	for (size_t i = 0; i + 40 <= klen; i += 4) {
		if (k[i] != 0xd0 || load_be32(k + i) != 0xd00dfeedu)
			continue;
		uint32_t total = load_be32(k + i + 4);
		if (total < 40 || total > klen - i)
			continue;
		/* an aligned private copy: libfdt wants the blob in its own buffer */
		void *fdt = malloc(total);
		if (!fdt)
			return false;
		memcpy(fdt, k + i, total);
		if (fdt_check_header(fdt) != 0 || fdt_totalsize(fdt) != total) {
			free(fdt);
			continue;
		}
		dt->dtb_offset = i;
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
	return false;
}

enum fwkit_status fwkit_devicetree_from_kernel(struct fwkit_ctx *ctx, const uint8_t *payload, size_t len, uint8_t comp,
					       struct fwkit_devicetree *dt)
{
	memset(dt, 0, sizeof(*dt));
	if (comp == 3) { /* lzma: the payload is the stream */
		size_t klen = 0;
		uint8_t *k = lzma_decode(payload, len, &klen);
		bool ok = k && parse_dtb(k, klen, dt);
		free(k);
		if (ok)
			return FWKIT_OK;
	} else if (comp == 0) {
		/* the lzma-loader: the kernel's LZMA stream sits inside the loader image */
		for (size_t i = 0; i + 13 <= len && i < (1u << 20); i++) {
			if (!plausible_lzma(payload + i, len - i))
				continue;
			size_t klen = 0;
			uint8_t *k = lzma_decode(payload + i, len - i, &klen);
			if (!k)
				continue;
			bool ok = parse_dtb(k, klen, dt);
			free(k);
			if (ok) {
				dt->lzma_offset = i;
				return FWKIT_OK;
			}
		}
		/* or the DTB lies uncompressed in the payload */
		if (parse_dtb(payload, len, dt))
			return FWKIT_OK;
	}
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
