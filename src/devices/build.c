/*
 * A new full flash image from the user's backup (include/fwkit/build.h). Each part is checked
 * before it is placed: the firmware through the image check and its own device tree, the
 * bootloader through the format table and the SoC its strings name. Env and MAC edits go through
 * the same calls as `env set` and `mac set`. Afterwards factory and Bdata are compared with the
 * backup, so no step can change them unasked.
 */
#define _GNU_SOURCE /* memmem */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "devices/rank.h"
#include "devices/edit_target.h"
#include "fwkit/build.h"
#include "fwkit/imagecheck.h"
#include "fwkit/inspect.h"
#include "fwkit/node.h"
#include "fwkit/scan.h"
#include "fwkit/sysupgrade.h"

/* SoC names as vendor U-Boots ("MT7621A", "ASIC 7628_MP") and Breed ("Breed MT7621") print them;
 * the MT7628 and MT7688 are one family (the same bootloader runs on both). */
static const struct {
	const char *text;
	const char *family;
} soc_names[] = {
	{ "MT7621", "MT7621" }, { "MT7628", "MT7628" }, { "MT7688", "MT7628" }, { "MT76x8", "MT7628" },
	{ "RT5350", "RT5350" }, { "RT3052", "RT3052" }, { "RT3050", "RT3052" }, { "MT7620", "MT7620" },
};

const char *fwkit_bootloader_soc(const uint8_t *buf, size_t len)
{
	const char *found = "";
	for (size_t i = 0; i < sizeof(soc_names) / sizeof(soc_names[0]); i++) {
		if (!buf || !memmem(buf, len, soc_names[i].text, strlen(soc_names[i].text)))
			continue;
		if (found[0] && strcmp(found, soc_names[i].family) != 0)
			return "?";
		found = soc_names[i].family;
	}
	return found;
}

/* The family of a profile's SoC ("MT7621A" -> "MT7621"), "" when unknown. */
static const char *profile_soc_family(const struct fwkit_profile *p)
{
	for (size_t i = 0; i < sizeof(soc_names) / sizeof(soc_names[0]); i++)
		if (!strncmp(p->soc, soc_names[i].text, strlen(soc_names[i].text)))
			return soc_names[i].family;
	return "";
}

static const struct fwkit_partition *part_of(const struct fwkit_profile *p, enum fwkit_part_content c)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].content == c)
			return &p->parts[i];
	return NULL;
}

/* The end of the bootloader partitions at the start of the flash (0: none). */
static uint64_t bootloader_end(const struct fwkit_profile *p)
{
	uint64_t end = 0;
	for (size_t i = 0; i < p->nparts && p->parts[i].content == FWKIT_PART_BOOTLOADER && p->parts[i].offset == end; i++)
		end = (uint64_t)p->parts[i].offset + p->parts[i].size;
	return end;
}

static const char *node_text(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = fwkit_node_get(n, name);
	return f && (f->kind == FWKIT_VALUE_STRING || f->kind == FWKIT_VALUE_ENUM) ? f->text : "";
}

static bool profile_has_compatible(const struct fwkit_profile *p, const char *compat)
{
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT; i++)
		if (compat[0] && !strcmp(p->compatible[i], compat))
			return true;
	return false;
}

static enum fwkit_status too_big(struct fwkit_ctx *ctx, const char *what, const struct fwkit_partition *part,
				 uint64_t room, size_t len)
{
	char exp[96], fnd[64];
	str_printf(exp, sizeof(exp), "at most %llu bytes (partition %s)", (unsigned long long)room, part->name);
	str_printf(fnd, sizeof(fnd), "%zu bytes, %llu too many", len, (unsigned long long)(len - room));
	return FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, part->offset, exp, fnd, "the %s does not fit", what);
}

/* The firmware is an intact image (fwkit_image_check) that names this device in its own device tree. */
static enum fwkit_status check_firmware(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *fw,
					size_t len, struct fwkit_build_report *r)
{
	struct fwkit_image_check *chk = calloc(1, sizeof(*chk));
	if (!chk)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	enum fwkit_status st = fwkit_image_check(ctx, fw, len, chk);
	if (st == FWKIT_OK && strcmp(chk->format, "uimage") != 0)
		st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, "a kernel uImage (what the firmware partition starts with)",
				 chk->format[0] ? chk->format : "no firmware image format",
				 "the firmware is not an image for the firmware partition");
	else if (st == FWKIT_OK && !chk->ok)
		st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, chk->offset, NULL, NULL, "the firmware image is damaged: %s", chk->why);
	free(chk);
	if (st != FWKIT_OK)
		return st;
	struct fwkit_node *id = NULL;
	if ((st = fwkit_identify_file(ctx, fw, len, NULL, 0, &id)) != FWKIT_OK)
		return st;
	const char *device = node_text(id, "device"), *compat = node_text(id, "board_compatible");
	str_printf(r->firmware_device, sizeof(r->firmware_device), "%s", device[0] ? device : compat);
	if (!device[0] && !compat[0])
		st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, p->id, "no device tree naming a board",
				 "cannot tell which device the firmware is for");
	else if (strcmp(device, p->id) != 0 && !profile_has_compatible(p, compat)) {
		const struct fwkit_profile *theirs = fwkit_profile_find(device, NULL, 0);
		if (theirs && profiles_same_layout(p, theirs))
			r->firmware_other_board = true; /* same partitions: as check --via flashrom, a warning */
		else
			st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, p->id, r->firmware_device,
					 "the firmware is for another device (its own device tree says compatible \"%s\")", compat);
	}
	fwkit_node_free(id);
	return st;
}

static enum fwkit_status place_firmware(struct fwkit_ctx *ctx, const struct fwkit_build_params *bp, uint8_t *out,
					size_t len, struct fwkit_build_report *r)
{
	const struct fwkit_profile *p = bp->profile;
	const struct fwkit_partition *part = part_of(p, FWKIT_PART_FIRMWARE);
	if (!part || (uint64_t)part->offset + part->size > len)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, "a firmware partition", p->id,
				   "the profile has no firmware partition");
	uint64_t room = p->firmware_max && p->firmware_max < part->size ? p->firmware_max : part->size;
	/* a sysupgrade's fwtool blocks (metadata, signature) are for sysupgrade to read, not for the bootloader
	 * or the kernel: the flash gets the image without them, as `fwtool -t` cuts it (formats.md 6.2) */
	struct fwkit_fwtool tool;
	enum fwkit_status st = fwkit_fwtool_read(ctx, bp->firmware, bp->firmware_len, &tool);
	if (st != FWKIT_OK)
		return st;
	size_t len_image = (size_t)tool.image_end;
	r->firmware_offset = part->offset;
	r->firmware_len = len_image;
	r->firmware_trailer = bp->firmware_len - len_image;
	r->firmware_room = room;
	if (len_image > room)
		return too_big(ctx, "firmware", part, room, len_image);
	if ((st = check_firmware(ctx, p, bp->firmware, len_image, r)) != FWKIT_OK)
		return st;
	/* the rest of the partition erased, as a flash of the image alone leaves it */
	memset(out + part->offset, 0xFF, part->size);
	memcpy(out + part->offset, bp->firmware, len_image);
	return FWKIT_OK;
}

/* A bootloader by the format table, naming this device's SoC and no other. */
static enum fwkit_status place_bootloader(struct fwkit_ctx *ctx, const struct fwkit_build_params *bp, uint8_t *out,
					  struct fwkit_build_report *r)
{
	const struct fwkit_profile *p = bp->profile;
	uint64_t room = bootloader_end(p);
	r->bootloader_room = room;
	if (!room)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, 0, "a bootloader partition at 0", p->id,
				   "the profile has no bootloader partition");
	if (bp->bootloader_len > room)
		return too_big(ctx, "bootloader", &p->parts[0], room, bp->bootloader_len);
	struct fwkit_node *id = NULL;
	enum fwkit_status st = fwkit_identify_file(ctx, bp->bootloader, bp->bootloader_len, NULL, 0, &id);
	if (st != FWKIT_OK)
		return st;
	bool is_bootloader = !strcmp(node_text(id, "partition"), "bootloader");
	fwkit_node_free(id);
	if (!is_bootloader)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, "a bootloader (U-Boot or Breed)", "no bootloader the format table knows",
				   "refusing to write it over the bootloader");
	const char *soc = fwkit_bootloader_soc(bp->bootloader, bp->bootloader_len), *want = profile_soc_family(p);
	str_printf(r->bootloader_soc, sizeof(r->bootloader_soc), "%s", soc);
	if (!want[0] || strcmp(soc, want) != 0) {
		char fnd[64];
		str_printf(fnd, sizeof(fnd), "%s", !soc[0] ? "no SoC named" : !strcmp(soc, "?") ? "several SoCs named" : soc);
		return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, p->soc, fnd,
				   "the bootloader is not one for this device's SoC: refusing to write it");
	}
	/* MT7621/MT7628 boot raw code from SPI NOR; their NAND bootloaders carry a uImage header (the real
	 * files in ../shared/testdata/real: PROVENANCE.md 1-4, 10, 12, 14, 34). A wrapped one on a NOR
	 * device is a NAND bootloader (Breed for the NAND Mi R3G) or an upgrade-page file: it would not boot. */
	bool wrapped = bp->bootloader_len >= 4 && bp->bootloader[0] == 0x27 && bp->bootloader[1] == 0x05 &&
		       bp->bootloader[2] == 0x19 && bp->bootloader[3] == 0x56;
	if (wrapped && (!strcmp(want, "MT7621") || !strcmp(want, "MT7628")))
		return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, "a raw bootloader (what this SoC runs from SPI NOR)",
				   "a uImage header (0x27051956)",
				   "the bootloader is a NAND or upgrade-page image, not one for this device's NOR flash");
	memset(out, 0xFF, (size_t)room);
	memcpy(out, bp->bootloader, bp->bootloader_len);
	return FWKIT_OK;
}

/* The U-Boot env: where the profile keeps it, else the one env edits take on its dump (fwkit_env_default). */
static enum fwkit_status find_env(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf, size_t len,
				  struct fwkit_env_block *block)
{
	for (size_t i = 0; i < p->nenvs; i++) {
		const struct fwkit_env_location *loc = &p->envs[i];
		const struct fwkit_partition *part = fwkit_profile_partition(p, loc->partition);
		if (!loc->bdata && part)
			return fwkit_env_block_at(ctx, buf, len, (uint64_t)part->offset + loc->offset, loc->size, block);
	}
	return fwkit_env_default(ctx, buf, len, p, NULL, 0, false, block, NULL);
}

static enum fwkit_status apply_env(struct fwkit_ctx *ctx, const struct fwkit_build_params *bp, uint8_t *out,
				   size_t len, struct fwkit_build_report *r)
{
	struct fwkit_env_block block;
	struct fwkit_env_change ch;
	enum fwkit_status st = find_env(ctx, bp->profile, out, len, &block);
	if (st == FWKIT_OK)
		st = fwkit_env_apply(ctx, out, len, &block, bp->env, bp->nenv, false, false, &ch);
	r->env_changed = st == FWKIT_OK && ch.nranges > 0;
	return st;
}

/* Factory and Bdata keep the backup's bytes unless MACs were asked for (they live in factory). */
static enum fwkit_status check_kept(struct fwkit_ctx *ctx, const struct fwkit_build_params *bp, const uint8_t *backup,
				   const uint8_t *out, size_t len, struct fwkit_build_report *r)
{
	const struct fwkit_profile *p = bp->profile;
	for (size_t i = 0; i < p->nparts; i++) {
		const struct fwkit_partition *part = &p->parts[i];
		if ((uint64_t)part->offset + part->size > len || !memcmp(backup + part->offset, out + part->offset, part->size))
			continue;
		if (r->nchanged < FWKIT_BUILD_MAX_PARTS)
			str_printf(r->changed[r->nchanged++], sizeof(r->changed[0]), "%s", part->name);
		bool asked = part->content == FWKIT_PART_FACTORY && bp->label_mac;
		if ((part->content == FWKIT_PART_FACTORY || part->content == FWKIT_PART_BDATA) && !asked)
			return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, part->offset, "unchanged", "changed",
					   "partition %s would change unasked: nothing written", part->name);
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_build(struct fwkit_ctx *ctx, const uint8_t *backup, size_t len, const struct fwkit_build_params *bp,
			      uint8_t *out, struct fwkit_build_report *r)
{
	if (!backup || !bp || !bp->profile || !out || !r || (bp->firmware == NULL) != (bp->firmware_len == 0) ||
	    (bp->bootloader == NULL) != (bp->bootloader_len == 0) || (bp->nenv && !bp->env))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "bad build arguments");
	memset(r, 0, sizeof(*r));
	r->stage = "backup";
	const struct fwkit_profile *p = bp->profile;
	enum fwkit_status st = fwkit_profile_check(ctx, p);
	if (st != FWKIT_OK)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "profile %s fails the selfcheck", p->id);
	if (p->nand)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, "a NOR flash device", p->id,
				   "building whole flash images of NAND devices is not supported");
	if ((st = edit_target_dump_of(ctx, p, backup, len, NULL)) != FWKIT_OK)
		return st;
	memcpy(out, backup, len);
	r->stage = "firmware";
	if (bp->firmware && (st = place_firmware(ctx, bp, out, len, r)) != FWKIT_OK)
		return st;
	r->stage = "bootloader";
	if (bp->bootloader && (st = place_bootloader(ctx, bp, out, r)) != FWKIT_OK)
		return st;
	r->stage = "env";
	if (bp->nenv && (st = apply_env(ctx, bp, out, len, r)) != FWKIT_OK)
		return st;
	r->stage = "mac";
	if (bp->label_mac) {
		struct fwkit_mac_list after;
		if ((st = fwkit_mac_set(ctx, p, out, len, bp->label_mac, -1, &after, &r->mac_clone)) != FWKIT_OK)
			return st;
		r->macs_changed = true;
	}
	r->stage = "result";
	return check_kept(ctx, bp, backup, out, len, r);
}
