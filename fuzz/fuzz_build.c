/*
 * Fuzz target for `fwkit build` and the flash write plan (include/fwkit/build.h, flash.h). The first
 * input byte picks what the rest is: a firmware image, or a bootloader, put into an erased 16 MiB
 * backup of the Xiaomi Mi Router 3G v2 layout; and the plan of the erase blocks where the two
 * halves of the input differ. Properties: a build that succeeds changes no byte outside the
 * partition it was given and leaves factory and Bdata alone; one that fails is an error with a
 * message; the plan's blocks are whole erase blocks, disjoint, covering every differing byte and
 * nothing else, with the bootloader's last. Replayed over fuzz/corpus/build in every test build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwkit/fwkit.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#define FLASH (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_build(struct fwkit_ctx *ctx, const uint8_t *part, size_t len, bool bootloader)
{
	static uint8_t *backup, *out;
	if (!backup) {
		if (!(backup = malloc(FLASH)) || !(out = malloc(FLASH)))
			abort();
		memset(backup, 0xFF, FLASH); /* fwkit_build never writes its backup */
	}
	const struct fwkit_profile *p = fwkit_profile_find("xiaomi_mi-router-3g-v2", NULL, 0);
	REQUIRE(p);
	struct fwkit_build_params bp = { .profile = p };
	if (bootloader) {
		bp.bootloader = len ? part : NULL;
		bp.bootloader_len = len;
	} else {
		bp.firmware = len ? part : NULL;
		bp.firmware_len = len;
	}
	struct fwkit_build_report r;
	enum fwkit_status st = fwkit_build(ctx, backup, FLASH, &bp, out, &r);
	if (st != FWKIT_OK) {
		REQUIRE(fwkit_ctx_error(ctx)->what[0]);
		return;
	}
	const struct fwkit_partition *given = fwkit_profile_partition(p, bootloader ? "u-boot" : "firmware");
	REQUIRE(given);
	uint64_t lo = given->offset, hi = (uint64_t)given->offset + given->size;
	REQUIRE(!memcmp(out, backup, lo) && !memcmp(out + hi, backup + hi, FLASH - hi));
	REQUIRE(len <= hi - lo && !memcmp(out + lo, part, len));
	REQUIRE(backup[lo] == 0xFF && backup[FLASH - 1] == 0xFF); /* the backup was not written */
}

static void check_plan(struct fwkit_ctx *ctx, const uint8_t *a, const uint8_t *b, size_t len, uint64_t erase,
		       uint64_t boot_end)
{
	struct fwkit_flash_plan plan;
	REQUIRE(fwkit_flash_plan(ctx, a, b, len, erase, boot_end, &plan) == FWKIT_OK);
	uint64_t covered = 0;
	bool seen_boot = false;
	size_t nunits = (size_t)((len + erase - 1) / erase);
	bool *planned = calloc(nunits ? nunits : 1, sizeof(*planned));
	if (!planned)
		abort();
	for (size_t i = 0; i < plan.count; i++) {
		const struct fwkit_flash_block *k = &plan.blocks[i];
		REQUIRE(k->offset % erase == 0 && k->length && k->offset + k->length <= len);
		REQUIRE(k->length == erase || k->offset + k->length == len);
		REQUIRE(memcmp(a + k->offset, b + k->offset, k->length) != 0);
		REQUIRE(k->bootloader == (k->offset < boot_end));
		REQUIRE(!seen_boot || k->bootloader); /* bootloader blocks come last */
		seen_boot |= k->bootloader;
		REQUIRE(!planned[k->offset / erase]); /* each block once */
		planned[k->offset / erase] = true;
		covered += k->length;
	}
	REQUIRE(covered == plan.bytes);
	/* every differing byte lies in a planned block */
	for (size_t i = 0; i < len; i++)
		REQUIRE(a[i] == b[i] || planned[i / erase]);
	free(planned);
	fwkit_flash_plan_free(&plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static struct fwkit_ctx *ctx;
	if (!ctx && !(ctx = fwkit_ctx_new()))
		return 0;
	fwkit_ctx_reset_decompress_budget(ctx);
	check_build(ctx, data + 1, size - 1, data[0] & 1);
	size_t half = (size - 1) / 2;
	uint64_t erase = 1u << (data[0] >> 5);        /* 1 .. 128 bytes: many blocks in a small input */
	check_plan(ctx, data + 1, data + 1 + half, half, erase, (uint64_t)(data[0] >> 1 & 15) * erase);
	return 0;
}
