/*
 * What is this file? A whole flash dump, one partition read alone, a firmware image, or unknown:
 * decided from what the format table finds in it (fwkit_scan), its size, and the device profiles.
 * Every other command asks this first, so none acts on a guess about its input.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/budget.h"
#include "core/internal.h"
#include "devices/rank.h"
#include "formats/registry.h"
#include "fwkit/container.h"
#include "fwkit/devicetree.h"
#include "fwkit/dump.h"
#include "fwkit/env.h"
#include "fwkit/inspect.h"
#include "fwkit/poray.h"
#include "fwkit/scan.h"
#include "fwkit/uimage.h"

const char *fwkit_file_kind_name(enum fwkit_file_kind kind)
{
	switch (kind) {
	case FWKIT_KIND_FLASH_DUMP: return "flash-dump";
	case FWKIT_KIND_PARTITION: return "partition";
	case FWKIT_KIND_FIRMWARE_IMAGE: return "firmware-image";
	case FWKIT_KIND_UNKNOWN: break;
	}
	return "unknown";
}

/* SPI NOR and the NAND chips of these routers: a power of two from 2 MiB to 256 MiB. (1 MiB is
 * the size of NAND bootloader partitions, ../shared/testdata/real/ixmu-openwrt-build/mtd0.bin.) */
static bool is_flash_size(size_t len)
{
	return len >= (2u << 20) && len <= (256u << 20) && (len & (len - 1)) == 0;
}

static const struct fwkit_node *hit_at(const struct fwkit_node *n, uint64_t offset, const char *format)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		if (fwkit_node_offset(c) == offset && (!format || strcmp(fwkit_node_format(c), format) == 0))
			return c;
	}
	return NULL;
}

/* The first hit of FORMAT anywhere in the tree (a version string inside a uImage counts). */
static const struct fwkit_node *first_hit(const struct fwkit_node *n, const char *format)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		if (strcmp(fwkit_node_format(c), format) == 0)
			return c;
		const struct fwkit_node *below = first_hit(c, format);
		if (below)
			return below;
	}
	return NULL;
}

static const struct fwkit_profile *profile_at(size_t i, const struct fwkit_profile *extra, size_t nextra)
{
	return i < nextra ? &extra[i] : fwkit_profiles_builtin_get(i - nextra);
}

/* The profiles whose compatible list holds one of the device tree's compatibles, exactly and
 * ignoring case ("xiaomi,mir3g" does not match "xiaomi,mir3g-v2"). */
static void add_devices_by_compatible(struct fwkit_node *n, const struct fwkit_devicetree *dt,
				      const struct fwkit_profile *extra, size_t nextra)
{
	size_t total = fwkit_profiles_builtin_count() + nextra, found = 0;
	for (size_t i = 0; i < total; i++) {
		const struct fwkit_profile *p = profile_at(i, extra, nextra);
		bool match = false;
		for (size_t k = 0; k < FWKIT_PROFILE_MAX_COMPAT && !match; k++)
			for (size_t d = 0; d < 4 && !match && p->compatible[k][0]; d++)
				match = dt->compatible[d][0] && strcasecmp(p->compatible[k], dt->compatible[d]) == 0;
		if (match) {
			fwkit_node_add_string(n, found ? "also_device" : "device", p->id, strlen(p->id));
			found++;
		}
	}
}

/* The board a kernel uImage (KERNEL, LEN bytes) was built for, from its own device tree. */
static void describe_kernel(struct fwkit_ctx *ctx, const uint8_t *kernel, size_t len, struct fwkit_node *n,
			    const struct fwkit_profile *extra, size_t nextra, const char *what)
{
	char why[160];
	uint32_t data_size = len >= FWKIT_UIMAGE_HEADER_SIZE ? load_be32(kernel + 12) : 0;
	uint64_t avail = len >= FWKIT_UIMAGE_HEADER_SIZE ? len - FWKIT_UIMAGE_HEADER_SIZE : 0;
	struct fwkit_devicetree *dt = calloc(1, sizeof(*dt));
	if (dt && avail && fwkit_devicetree_from_kernel(ctx, kernel + FWKIT_UIMAGE_HEADER_SIZE,
							data_size < avail ? data_size : avail, kernel[31], dt) == FWKIT_OK) {
		fwkit_node_add_string(n, "board_model", dt->model, strlen(dt->model));
		fwkit_node_add_string(n, "board_compatible", dt->compatible[0], strlen(dt->compatible[0]));
		add_devices_by_compatible(n, dt, extra, nextra);
		str_printf(why, sizeof(why), "%s; the board from the device tree in its kernel", what);
	} else {
		str_printf(why, sizeof(why), "%s (no device tree found in its kernel)", what);
	}
	fwkit_node_add_string(n, "evidence", why, strlen(why));
	free(dt);
}

static void describe_image(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_node *scan,
			   struct fwkit_node *n, const struct fwkit_profile *extra, size_t nextra)
{
	const struct fwkit_node *poray = hit_at(scan, 0, "poray");
	if (poray) {
		/* a factory file for a stock web UI: its board from the container, the kernel's board from
		 * the device tree inside the decoded firmware */
		fwkit_node_add_enum(n, "image", 2, "poray");
		const struct fwkit_field *boards = fwkit_node_get(poray, "board");
		if (boards)
			fwkit_node_add_string(n, "poray_board", boards->raw, boards->raw_len);
		struct fwkit_poray_info info;
		uint8_t *fw = NULL;
		size_t fwlen = 0;
		if (fwkit_poray_decode(ctx, buf, len, &info, &fw, &fwlen) == FWKIT_OK)
			describe_kernel(ctx, fw, fwlen, n, extra, nextra, "a Poray/HAME factory file (mkporayfw) holding a kernel uImage");
		free(fw);
		return;
	}
	const struct fwkit_node *dni = hit_at(scan, 0, "netgear-dni");
	if (dni) {
		/* the Netgear stock web UI's file: its device from the text header, the kernel after it */
		fwkit_node_add_enum(n, "image", 3, "netgear-dni");
		const struct fwkit_field *dev = fwkit_node_get(dni, "device");
		if (dev)
			fwkit_node_add_string(n, "dni_device", dev->raw, dev->raw_len);
		if (len > 129)
			describe_kernel(ctx, buf + 128, len - 129, n, extra, nextra, "a Netgear DNI factory file holding a kernel uImage");
		return;
	}
	/* vendor containers, numbered from 4 in this order (the "image" enum) */
	static const char *const containers[] = { "trx", "xiaomi-hdr", "tplink", "seama", "netgear-chk", "sysupgrade-tar" };
	const struct fwkit_node *container = NULL;
	unsigned which = 0;
	for (; !container && which < sizeof(containers) / sizeof(containers[0]); which++)
		container = hit_at(scan, 0, containers[which]);
	if (container) {
		/* a vendor container: the board from the kernel uImage inside it */
		bool trx = !strcmp(fwkit_node_format(container), "trx");
		fwkit_node_add_enum(n, "image", 3 + which, fwkit_node_format(container));
		const struct fwkit_field *dev = fwkit_node_get(container, "device");
		if (dev)
			fwkit_node_add_string(n, "xiaomi_device", dev->text, strlen(dev->text));
		const struct fwkit_node *k = first_hit(container, "uimage");
		if (k && fwkit_node_offset(k) < len)
			describe_kernel(ctx, buf + fwkit_node_offset(k), len - (size_t)fwkit_node_offset(k), n, extra, nextra,
					trx ? "a TRX image holding a kernel uImage"
					    : which == 2 ? "a Xiaomi container holding a kernel uImage" : "a vendor container holding a kernel uImage");
		return;
	}
	bool rootfs = first_hit(scan, "squashfs") != NULL;
	fwkit_node_add_enum(n, "image", rootfs ? 1 : 0, rootfs ? "openwrt-sysupgrade" : "uimage-kernel");
	describe_kernel(ctx, buf, len, n, extra, nextra, "a kernel uImage at 0");
}

static void describe_dump(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n,
			  const struct fwkit_profile *extra, size_t nextra, bool devicetree,
			  struct fwkit_identification *id, struct firmware_facts *facts)
{
	fwkit_node_add_uint(n, "flash_size", len, true);
	if (rank_devices(ctx, buf, len, extra, nextra, devicetree, id, facts) == FWKIT_OK && id->n) {
		const struct fwkit_candidate *best = &id->c[0];
		fwkit_node_add_string(n, "device", best->profile->id, strlen(best->profile->id));
		fwkit_node_add_int(n, "score", best->score);
		fwkit_node_add_bool(n, "tie", id->tie);
		fwkit_node_add_bool(n, "near_tie", id->near_tie);
		for (size_t i = 1; i < id->n; i++)
			if (id->c[i].same_layout_as_best)
				fwkit_node_add_string(n, "same_layout", id->c[i].profile->id, strlen(id->c[i].profile->id));
		for (size_t i = 0; i < best->nev; i++)
			fwkit_node_add_string(n, "evidence", best->ev[i].text, strlen(best->ev[i].text));
	} else {
		fwkit_node_add_string(n, "evidence", "the size of a flash chip; no device profile matches its content",
				      strlen("the size of a flash chip; no device profile matches its content"));
	}
	/* the typed form of all of it: candidates, weighted evidence, claims (docs/json.md) */
	struct fwkit_node *idn = fwkit_identification_node(id);
	if (idn)
		fwkit_node_add_child(n, idn);
}

/* A partition read alone: which one, from its content. False when nothing says. */
static bool describe_partition(const uint8_t *buf, size_t len, const struct fwkit_node *scan, struct fwkit_node *n)
{
	const char *part = NULL, *why = NULL;
	const struct fwkit_node *env = hit_at(scan, 0, "ubootenv");
	if (env) {
		const struct fwkit_field *kind = fwkit_node_get(env, "kind");
		bool bdata = kind && kind->u == FWKIT_ENV_XIAOMI_BDATA;
		part = bdata ? "bdata" : "u-boot-env";
		why = bdata ? "Xiaomi board data (an env with a good CRC) at 0" : "a U-Boot environment at 0";
	}
	if (!part && hit_at(scan, 0, "wifi-eeprom") && len <= (1u << 20)) {
		part = "factory";
		why = "a Wi-Fi EEPROM (chip id and MAC) at 0";
	}
	if (!part && (first_hit(scan, "u-boot") || first_hit(scan, "breed") ||
		      (len > 31 && hit_at(scan, 0, "uimage") && buf[30] != FWKIT_UIMAGE_TYPE_KERNEL)) &&
	    len <= (1u << 20)) {
		part = "bootloader";
		why = "a bootloader (its version string or its uImage) and the size of a bootloader partition";
	}
	if (!part && hit_at(scan, 0, "squashfs")) {
		part = "rootfs";
		why = "a squashfs file system at 0";
	}
	if (!part)
		return false;
	fwkit_node_add_string(n, "partition", part, strlen(part));
	fwkit_node_add_string(n, "evidence", why, strlen(why));
	return true;
}

/* The first hit of FORMAT in the tree that starts before END. */
static const struct fwkit_node *hit_before(const struct fwkit_node *n, const char *format, uint64_t end)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		if (fwkit_node_offset(c) < end && strcmp(fwkit_node_format(c), format) == 0)
			return c;
		const struct fwkit_node *below = hit_before(c, format, end);
		if (below)
			return below;
	}
	return NULL;
}

/* A uImage at 0 that is a bootloader: a type no kernel has (the MediaTek SDK stamps U-Boot and
 * Breed "standalone", 1), or a bootloader's version string inside its extent (Breed r1163 for
 * RT5350 is stamped "kernel", so the type alone does not say). SCAN: the file's scan when the
 * caller has one; else the uImage's extent is scanned here (a bootloader is ~100 KB). */
static bool bootloader_at_start(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_node *scan)
{
	struct fwkit_uimage img;
	if (fwkit_uimage_parse(ctx, buf, len, 0, 0, &img) != FWKIT_OK)
		return false; /* formats_image_at_start verified it: not reached */
	uint8_t type = img.hdr.type;
	if (type != FWKIT_UIMAGE_TYPE_KERNEL && type != FWKIT_UIMAGE_TYPE_MULTI && type != FWKIT_UIMAGE_TYPE_KERNEL_NOLOAD)
		return true;
	uint64_t end = img.data_offset + img.data_present;
	if (scan)
		return hit_before(scan, "u-boot", end) || hit_before(scan, "breed", end);
	struct fwkit_node *own = NULL;
	struct fwkit_scan_options o = { 0 };
	if (fwkit_scan(ctx, buf, (size_t)end, &o, &own) != FWKIT_OK)
		return false;
	bool found = first_hit(own, "u-boot") || first_hit(own, "breed");
	fwkit_node_free(own);
	return found;
}

/* A file of no known kind that starts with a container's magic (a Poray file cut short, a DNI file
 * with a wrong checksum): the container's own errors, so the answer says what is wrong with it. */
static void add_damaged_container(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct fwkit_node *c = NULL;
	if (fwkit_container_read(ctx, buf, len, NULL, false, &c) != FWKIT_OK)
		return;
	for (size_t i = 0; i < fwkit_node_finding_count(c); i++)
		if (fwkit_node_finding(c, i)->severity == FWKIT_SEV_ERROR)
			fwkit_node_add_finding(n, fwkit_node_finding(c, i));
	fwkit_node_free(c);
}

/* A file a few bytes off a chip's size whose structures are a device's (a hex edit that grew the
 * dump, a read cut short): which device, by how much, and where the bytes moved (fwkit_dump_fit). */
static void add_wrong_size_dump(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *extra,
				size_t nextra, struct fwkit_node *n)
{
	struct fwkit_dump_fit fit;
	if (fwkit_dump_fit(ctx, NULL, buf, len, extra, nextra, &fit) != FWKIT_OK || !fit.device)
		return;
	struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "dump.size", .offset = fit.moved ? fit.after : 0 };
	str_printf(f.message, sizeof(f.message), "a %s dump of the wrong size: %s", fit.device->id, fit.where);
	str_printf(f.expected, sizeof(f.expected), "%u bytes (the flash of %s)", fit.device->flash_size, fit.device->id);
	str_printf(f.found, sizeof(f.found), "%zu bytes", len);
	fwkit_node_add_finding(n, &f);
}

const struct fwkit_format *identify_image_at_start(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
						   const struct fwkit_node *scan)
{
	const struct fwkit_format *f = formats_image_at_start(buf, len);
	if (!f || strcmp(f->name, "uimage") != 0)
		return f; /* a vendor container is always an image */
	/* a bootloader partition read alone, or a chip-sized read that starts with its bootloader
	 * (the A5-V11 read with Breed r1163 at 0), is no firmware image */
	if ((len <= (1u << 20) || is_flash_size(len)) && bootloader_at_start(ctx, buf, len, scan))
		return NULL;
	return f;
}

enum fwkit_status identify_file_ranked(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				       const struct fwkit_profile *extra, size_t nextra, bool devicetree,
				       struct fwkit_node **out, struct fwkit_identification *id,
				       struct firmware_facts *facts)
{
	*out = NULL;
	memset(id, 0, sizeof(*id));
	memset(facts, 0, sizeof(*facts));
	/* the caller's profiles pass their selfcheck before their names and counts are followed */
	for (size_t i = 0; i < nextra; i++)
		if (fwkit_profile_check(ctx, &extra[i]) != FWKIT_OK)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "profiles that pass fwkit_profile_check",
					   extra[i].id, "identify: a profile given fails its selfcheck");
	/* a file of a flash chip's size that starts with no firmware image is a dump whatever scan
	 * finds in it: inspect (DEVICETREE) does not keep scan's hits, so it skips the scan (~20 ms
	 * of 16 MiB) */
	const struct fwkit_format *at_start = formats_image_at_start(buf, len);
	struct fwkit_node *scan = NULL;
	struct fwkit_scan_options o = { 0 };
	enum fwkit_status st = devicetree && !at_start && is_flash_size(len) ? FWKIT_OK : fwkit_scan(ctx, buf, len, &o, &scan);
	if (st != FWKIT_OK)
		return st;
	if (!scan && !(scan = fwkit_node_new("file", 0, len)))
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	struct fwkit_node *n = fwkit_node_new("identify", 0, len);
	if (!n) {
		fwkit_node_free(scan);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	enum fwkit_file_kind kind = FWKIT_KIND_UNKNOWN;
	fwkit_node_add_uint(n, "size", len, false);
	if (at_start)
		at_start = identify_image_at_start(ctx, buf, len, scan);
	if (at_start) {
		kind = FWKIT_KIND_FIRMWARE_IMAGE;
		describe_image(ctx, buf, len, scan, n, extra, nextra);
	} else if (is_flash_size(len)) {
		kind = FWKIT_KIND_FLASH_DUMP;
		describe_dump(ctx, buf, len, n, extra, nextra, devicetree, id, facts);
	} else if (describe_partition(buf, len, scan, n)) {
		kind = FWKIT_KIND_PARTITION;
	}
	fwkit_node_add_enum(n, "kind", kind, fwkit_file_kind_name(kind));
	if (kind == FWKIT_KIND_UNKNOWN)
		add_damaged_container(ctx, buf, len, n);
	if (kind == FWKIT_KIND_UNKNOWN && !fwkit_node_finding_count(n))
		add_wrong_size_dump(ctx, buf, len, extra, nextra, n);
	for (size_t i = 0; i < fwkit_node_child_count(scan); i++)
		fwkit_node_add_child(n, node_take_child(scan, i));
	fwkit_node_free(scan);
	*out = n;
	return FWKIT_OK;
}

enum fwkit_status fwkit_identify_file(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				      const struct fwkit_profile *extra, size_t nextra, struct fwkit_node **out)
{
	struct fwkit_identification *id = malloc(sizeof(*id));
	struct firmware_facts *facts = malloc(sizeof(*facts));
	enum fwkit_status st = id && facts ? identify_file_ranked(ctx, buf, len, extra, nextra, false, out, id, facts)
					   : FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	free(id);
	free(facts);
	return st;
}
