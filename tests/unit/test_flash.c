/*
 * Writing only what changed (include/fwkit/flash.h): the plan (which erase blocks, bootloader
 * last), and with flashrom's dummy programmer through libflashrom (when built in): a stop between
 * blocks leaves each block's state right and a second run finishes the job; a chip that does not
 * hold the backup is refused before anything is erased; blocks smaller than the chip's erase unit
 * keep their neighbours. The SoC a bootloader names (include/fwkit/build.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

#define KiB 1024u
#define CHIP (128 * KiB) /* dummy:emulate=M25P10.RES: 128 KiB, erased in 32 KiB sectors */

static uint8_t *filled(size_t len, uint8_t v)
{
	uint8_t *p = malloc(len);
	assert_non_null(p);
	memset(p, v, len);
	return p;
}

static void plan_orders_bootloader_last(void **state)
{
	(void)state;
	size_t len = 1024 * KiB;
	uint8_t *old = filled(len, 0xFF), *new_image = filled(len, 0xFF);
	new_image[0x5] = 1;      /* bootloader */
	new_image[0x30010] = 2;  /* env */
	memset(new_image + 0x40000, 3, 0x10000);
	new_image[0x80001] = 4;
	struct fwkit_flash_plan plan;
	assert_int_equal(fwkit_flash_plan(NULL, old, new_image, len, 0x10000, 0x30000, &plan), FWKIT_OK);
	assert_int_equal(plan.count, 4);
	assert_int_equal(plan.bootloader_blocks, 1);
	assert_int_equal(plan.bytes, 4 * 0x10000);
	uint64_t want[] = { 0x30000, 0x40000, 0x80000, 0x0 };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(plan.blocks[i].offset, want[i]);
		assert_int_equal(plan.blocks[i].length, 0x10000);
		assert_int_equal(plan.blocks[i].bootloader, i == 3);
		assert_int_equal(plan.blocks[i].state, FWKIT_BLOCK_OLD);
	}
	fwkit_flash_plan_free(&plan);
	assert_int_equal(fwkit_flash_plan(NULL, old, old, len, 0x10000, 0x30000, &plan), FWKIT_OK);
	assert_int_equal(plan.count, 0);
	fwkit_flash_plan_free(&plan);
	assert_int_equal(fwkit_flash_plan(NULL, old, new_image, len, 3000, 0, &plan), FWKIT_E_INVALID_ARG);
	free(old);
	free(new_image);
}

static void bootloader_soc_from_strings(void **state)
{
	(void)state;
	const char mt7621[] = "xxU-Boot 1.1.3 ... ASIC MT7621A DualCore";
	const char both[] = "MT7621 and RT5350";
	const char mt7688[] = "Breed MT7688";
	assert_string_equal(fwkit_bootloader_soc((const uint8_t *)mt7621, sizeof(mt7621)), "MT7621");
	assert_string_equal(fwkit_bootloader_soc((const uint8_t *)both, sizeof(both)), "?");
	assert_string_equal(fwkit_bootloader_soc((const uint8_t *)mt7688, sizeof(mt7688)), "MT7628");
	assert_string_equal(fwkit_bootloader_soc((const uint8_t *)"nothing", 7), "");
}

static int stop_after;
static bool cancel_after_two(void *user)
{
	(void)user;
	return stop_after-- <= 0;
}

static void without_backend_unsupported(void **state)
{
	(void)state;
	if (fwkit_flash_backend())
		skip();
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_flash *f = NULL;
	assert_int_equal(fwkit_flash_open(ctx, "dummy", NULL, NULL, &f), FWKIT_E_UNSUPPORTED);
	assert_null(f);
	fwkit_ctx_free(ctx);
}

/* Four 4 KiB blocks in the first 32 KiB sector of the emulated chip, one in the second. */
static uint8_t *changed_image(const uint8_t *old)
{
	uint8_t *n = malloc(CHIP);
	assert_non_null(n);
	memcpy(n, old, CHIP);
	for (size_t i = 0; i < 4; i++)
		n[0x1000 * (i + 1) + 7] = (uint8_t)(0x10 + i);
	n[0x9000] = 0x55;
	return n;
}

static void dummy_stop_and_resume(void **state)
{
	(void)state;
	if (!fwkit_flash_backend())
		skip();
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_flash *f = NULL;
	struct fwkit_flash_callbacks cb = { .cancel = cancel_after_two };
	stop_after = 1 << 30;
	assert_int_equal(fwkit_flash_open(ctx, "dummy:emulate=M25P10.RES", NULL, &cb, &f), FWKIT_OK);
	assert_int_equal(fwkit_flash_chip_info(f)->size, CHIP);
	uint8_t *old = filled(CHIP, 0xFF), *chip = filled(CHIP, 0);
	/* the emulated chip starts erased: the read says so */
	assert_int_equal(fwkit_flash_read(ctx, f, 0, CHIP, chip, CHIP), FWKIT_OK);
	assert_memory_equal(chip, old, CHIP);
	uint8_t *new_image = changed_image(old);

	/* a backup the chip does not hold: refused, nothing erased */
	uint8_t *wrong = filled(CHIP, 0xFF);
	wrong[0x2000] = 0;
	struct fwkit_flash_plan plan;
	assert_int_equal(fwkit_flash_plan(ctx, wrong, new_image, CHIP, 0x1000, 0, &plan), FWKIT_OK);
	assert_int_equal(fwkit_flash_write(ctx, f, wrong, new_image, CHIP, &plan), FWKIT_E_MISMATCH);
	assert_int_equal(fwkit_ctx_error(ctx)->offset, 0x2000);
	for (size_t i = 0; i < plan.count; i++)
		assert_int_equal(plan.blocks[i].state, FWKIT_BLOCK_OLD);
	assert_int_equal(fwkit_flash_verify(ctx, f, old, CHIP, 0, CHIP, NULL), FWKIT_OK);
	fwkit_flash_plan_free(&plan);

	/* stopped after two blocks: two new, the rest old, and the chip says the same */
	assert_int_equal(fwkit_flash_plan(ctx, old, new_image, CHIP, 0x1000, 0, &plan), FWKIT_OK);
	assert_int_equal(plan.count, 5);
	stop_after = 5 + 2; /* five asks while confirming, then two blocks */
	assert_int_equal(fwkit_flash_write(ctx, f, old, new_image, CHIP, &plan), FWKIT_E_CANCELLED);
	stop_after = 1 << 30;
	size_t n_new = 0;
	for (size_t i = 0; i < plan.count; i++) {
		const struct fwkit_flash_block *b = &plan.blocks[i];
		n_new += b->state == FWKIT_BLOCK_NEW;
		assert_true(b->state == (i < 2 ? FWKIT_BLOCK_NEW : FWKIT_BLOCK_OLD));
		const uint8_t *want = b->state == FWKIT_BLOCK_NEW ? new_image : old;
		assert_int_equal(fwkit_flash_verify(ctx, f, want, CHIP, b->offset, b->length, NULL), FWKIT_OK);
	}
	assert_int_equal(n_new, 2);
	fwkit_flash_plan_free(&plan);

	/* run again: the two new blocks are skipped, the rest written; the whole chip equals NEW */
	assert_int_equal(fwkit_flash_plan(ctx, old, new_image, CHIP, 0x1000, 0, &plan), FWKIT_OK);
	assert_int_equal(fwkit_flash_write(ctx, f, old, new_image, CHIP, &plan), FWKIT_OK);
	for (size_t i = 0; i < plan.count; i++)
		assert_int_equal(plan.blocks[i].state, FWKIT_BLOCK_NEW);
	assert_int_equal(fwkit_flash_verify(ctx, f, new_image, CHIP, 0, CHIP, NULL), FWKIT_OK);
	uint64_t bad = 0;
	assert_int_equal(fwkit_flash_verify(ctx, f, old, CHIP, 0, CHIP, &bad), FWKIT_E_MISMATCH);
	assert_int_equal(bad, 0x1007);
	fwkit_flash_plan_free(&plan);
	fwkit_flash_close(f);
	free(old);
	free(wrong);
	free(chip);
	free(new_image);
	fwkit_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_orders_bootloader_last),
		cmocka_unit_test(bootloader_soc_from_strings),
		cmocka_unit_test(without_backend_unsupported),
		cmocka_unit_test(dummy_stop_and_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
