/*
 * What `fwkit layout --changed-against`, `fwkit compare` and `fwkit serve` decide, as library
 * calls: the erase blocks two images differ in, the agreement and byte-wise majority of several
 * reads, and whether an image may be handed to a bootloader. Expected values are worked out by
 * hand from where the test puts its differences; uImage facts from U-Boot's include/image.h
 * (ih_dcrc at byte 24, big-endian) and zlib's crc32.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <zlib.h>

#include "fwkit/fwkit.h"

static uint8_t *pattern(size_t n, unsigned seed)
{
	uint8_t *p = malloc(n ? n : 1);
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
	return p;
}

static uint8_t *dup_of(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	memcpy(q, p, n);
	return q;
}

static void assert_range(const struct fwkit_byte_range *r, uint64_t offset, uint64_t length)
{
	if (r->offset != offset || r->length != length)
		fail_msg("range 0x%llx+0x%llx, expected 0x%llx+0x%llx", (unsigned long long)r->offset,
			 (unsigned long long)r->length, (unsigned long long)offset, (unsigned long long)length);
}

/* ---- layout: changed erase blocks -------------------------------------------------------- */

static void changed_blocks_are_merged_runs(void **state)
{
	(void)state;
	enum { BLK = 0x1000, LEN = 10 * BLK + 0x123 }; /* ten whole blocks and a short last one */
	uint8_t *a = pattern(LEN, 1), *b = dup_of(a, LEN);
	struct fwkit_ranges r;
	/* identical: nothing to write */
	assert_int_equal(fwkit_layout_changed_blocks(NULL, a, b, LEN, BLK, &r), FWKIT_OK);
	assert_int_equal(r.count, 0);
	fwkit_ranges_free(&r);
	b[0x1FFF] ^= 1; /* last byte of block 1 */
	b[0x2000] ^= 1; /* first byte of block 2: one run with block 1 */
	b[0x5800] ^= 1; /* block 5 alone */
	b[0x7000] ^= 1; /* blocks 7 and 8 ... */
	b[0x8FFF] ^= 1;
	b[LEN - 1] ^= 1; /* ... and the short block 10, a separate run (block 9 is equal) */
	assert_int_equal(fwkit_layout_changed_blocks(NULL, a, b, LEN, BLK, &r), FWKIT_OK);
	assert_int_equal(r.count, 4);
	assert_range(&r.items[0], 0x1000, 0x2000);
	assert_range(&r.items[1], 0x5000, 0x1000);
	assert_range(&r.items[2], 0x7000, 0x2000);
	assert_range(&r.items[3], 0xA000, 0x123); /* the short last block ends at LEN */
	fwkit_ranges_free(&r);
	assert_null(r.items);
	/* a change in block 9 joins the last two runs */
	b[0x9000] ^= 1;
	assert_int_equal(fwkit_layout_changed_blocks(NULL, a, b, LEN, BLK, &r), FWKIT_OK);
	assert_int_equal(r.count, 3);
	assert_range(&r.items[2], 0x7000, LEN - 0x7000);
	fwkit_ranges_free(&r);
	/* a larger erase size groups differently: 64 KiB covers the whole buffer */
	assert_int_equal(fwkit_layout_changed_blocks(NULL, a, b, LEN, 0x10000, &r), FWKIT_OK);
	assert_int_equal(r.count, 1);
	assert_range(&r.items[0], 0, LEN);
	fwkit_ranges_free(&r);
	/* an empty buffer; refusals */
	assert_int_equal(fwkit_layout_changed_blocks(NULL, NULL, NULL, 0, BLK, &r), FWKIT_OK);
	assert_int_equal(r.count, 0);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_layout_changed_blocks(ctx, a, b, LEN, 0, &r), FWKIT_E_INVALID_ARG);
	assert_string_equal(fwkit_ctx_error(ctx)->found, "0");
	assert_int_equal(fwkit_layout_changed_blocks(ctx, a, NULL, LEN, BLK, &r), FWKIT_E_INVALID_ARG);
	assert_int_equal(fwkit_layout_changed_blocks(ctx, a, b, LEN, BLK, NULL), FWKIT_E_INVALID_ARG);
	fwkit_ctx_free(ctx);
	free(a);
	free(b);
}

/* ---- compare: reads of one chip -------------------------------------------------------- */

static void reads_that_agree(void **state)
{
	(void)state;
	enum { LEN = 3 * 4096 + 7 };
	uint8_t *a = pattern(LEN, 2), *b = dup_of(a, LEN), *c = dup_of(a, LEN);
	const uint8_t *reads[] = { a, b, c };
	uint8_t *cons = malloc(LEN);
	memset(cons, 0x5A, LEN);
	struct fwkit_compare_result res;
	assert_int_equal(fwkit_compare_reads(NULL, reads, 3, LEN, cons, &res), FWKIT_OK);
	assert_int_equal(res.unstable, 0);
	assert_int_equal(res.ranges.count, 0);
	assert_int_equal(res.no_majority, 0);
	assert_memory_equal(cons, a, LEN);
	fwkit_compare_result_free(&res);
	free(cons);
	free(a);
	free(b);
	free(c);
}

static void unstable_bytes_ranges_and_majority(void **state)
{
	(void)state;
	enum { LEN = 5 * 4096 };
	uint8_t *a = pattern(LEN, 3), *b = dup_of(a, LEN), *c = dup_of(a, LEN);
	/* byte 10: three different values, no majority */
	b[10] ^= 0x01;
	c[10] ^= 0x02;
	/* 4094..4097: one run across the comparison's 4 KiB chunks, c alone differs */
	for (size_t o = 4094; o <= 4097; o++)
		c[o] ^= 0xFF;
	/* 8190..8191: a run ending at a chunk end, the next chunk equal in all reads */
	b[8190] ^= 0x10;
	b[8191] ^= 0x10;
	/* the last byte: a run closed by the end of the buffer */
	b[LEN - 1] ^= 0x80;
	const uint8_t *reads[] = { a, b, c };
	uint8_t *cons = malloc(LEN);
	struct fwkit_compare_result res;
	assert_int_equal(fwkit_compare_reads(NULL, reads, 3, LEN, cons, &res), FWKIT_OK);
	assert_int_equal(res.unstable, 1 + 4 + 2 + 1);
	assert_int_equal(res.first_unstable, 10);
	assert_int_equal(res.ranges.count, 4);
	assert_range(&res.ranges.items[0], 10, 1);
	assert_range(&res.ranges.items[1], 4094, 4);
	assert_range(&res.ranges.items[2], 8190, 2);
	assert_range(&res.ranges.items[3], LEN - 1, 1);
	assert_int_equal(res.no_majority, 1);
	assert_int_equal(res.first_no_majority, 10);
	/* the majority is read A everywhere else; at 10 no value wins and the first read's is kept */
	assert_memory_equal(cons, a, LEN);
	fwkit_compare_result_free(&res);
	assert_null(res.ranges.items);
	/* without a consensus buffer the majority is not counted */
	assert_int_equal(fwkit_compare_reads(NULL, reads, 3, LEN, NULL, &res), FWKIT_OK);
	assert_int_equal(res.unstable, 8);
	assert_int_equal(res.no_majority, 0);
	fwkit_compare_result_free(&res);
	/* a majority of four reads needs three: 2 against 2 is none */
	uint8_t *d = dup_of(b, LEN);
	const uint8_t *four[] = { a, c, b, d };
	assert_int_equal(fwkit_compare_reads(NULL, four, 4, LEN, cons, &res), FWKIT_OK);
	/* 10: a c b d = x, x^2, x^1, x^1: no value holds 3; 8190, 8191 and the last byte: 2 against 2 */
	assert_int_equal(res.no_majority, 1 + 2 + 1);
	assert_int_equal(res.first_no_majority, 10);
	assert_int_equal(cons[4094], a[4094]); /* 3 of 4 */
	fwkit_compare_result_free(&res);
	free(d);
	free(cons);
	free(a);
	free(b);
	free(c);
}

static void compare_refusals(void **state)
{
	(void)state;
	uint8_t x[4] = { 1, 2, 3, 4 };
	const uint8_t *one[] = { x };
	const uint8_t *with_null[] = { x, NULL };
	struct fwkit_compare_result res;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_compare_reads(ctx, one, 1, sizeof(x), NULL, &res), FWKIT_E_INVALID_ARG);
	assert_string_equal(fwkit_ctx_error(ctx)->expected, "at least 2 reads");
	assert_string_equal(fwkit_ctx_error(ctx)->found, "1");
	assert_int_equal(fwkit_compare_reads(ctx, with_null, 2, sizeof(x), NULL, &res), FWKIT_E_INVALID_ARG);
	assert_int_equal(fwkit_compare_reads(ctx, one, 2, sizeof(x), NULL, NULL), FWKIT_E_INVALID_ARG);
	fwkit_ctx_free(ctx);
}

/* Reads that agree on nothing but 0xFF or 0x00 (a clip without contact) get "compare.blank". */
static void blank_reads_are_an_error(void **state)
{
	(void)state;
	uint8_t ff[64], ff2[64], zero[64], zero2[64], data[64], cons[64];
	memset(ff, 0xFF, sizeof(ff));
	memcpy(ff2, ff, sizeof(ff2));
	memset(zero, 0, sizeof(zero));
	memcpy(zero2, zero, sizeof(zero2));
	memcpy(data, ff, sizeof(data));
	data[10] = 0x42;
	const uint8_t *two_ff[] = { ff, ff2 }, *two_zero[] = { zero, zero2 }, *two_data[] = { data, data };
	const uint8_t *maj_ff[] = { ff, data, ff2 };
	struct fwkit_compare_result res;
	assert_int_equal(fwkit_compare_reads(NULL, two_ff, 2, sizeof(ff), NULL, &res), FWKIT_OK);
	assert_int_equal(res.findings.count, 1);
	assert_int_equal(res.findings.items[0].severity, FWKIT_SEV_ERROR);
	assert_string_equal(res.findings.items[0].code, "compare.blank");
	assert_string_equal(res.findings.items[0].message, "both reads are all 0xFF: an erased chip, or the clip made no contact");
	fwkit_compare_result_free(&res);
	assert_int_equal(fwkit_compare_reads(NULL, two_zero, 2, sizeof(zero), NULL, &res), FWKIT_OK);
	assert_int_equal(res.findings.count, 1);
	assert_string_equal(res.findings.items[0].found, "64 bytes of 0x00");
	fwkit_compare_result_free(&res);
	/* one byte of data: no finding */
	assert_int_equal(fwkit_compare_reads(NULL, two_data, 2, sizeof(data), NULL, &res), FWKIT_OK);
	assert_int_equal(res.findings.count, 0);
	fwkit_compare_result_free(&res);
	/* the reads differ, their majority is blank: the consensus is refused too */
	assert_int_equal(fwkit_compare_reads(NULL, maj_ff, 3, sizeof(ff), cons, &res), FWKIT_OK);
	assert_int_equal(res.unstable, 1);
	assert_int_equal(res.findings.count, 1);
	assert_string_equal(res.findings.items[0].message,
			    "the majority of the 3 reads is all 0xFF: an erased chip, or the clip made no contact");
	fwkit_compare_result_free(&res);
	/* without a consensus, differing reads are already refused: no blank finding on top */
	assert_int_equal(fwkit_compare_reads(NULL, maj_ff, 3, sizeof(ff), NULL, &res), FWKIT_OK);
	assert_int_equal(res.findings.count, 0);
	fwkit_compare_result_free(&res);
}

/* ---- the image check of `serve` ------------------------------------------------------------ */

static uint8_t *kernel_image(size_t *len)
{
	uint8_t *payload = pattern(3000, 4);
	struct fwkit_iovec v = { payload, 3000 };
	struct fwkit_uimage_build_params p = { .os = 5, .arch = 5, .type = FWKIT_UIMAGE_TYPE_KERNEL, .comp = 0,
					       .load = 0x80000000u, .ep = 0x80000000u, .name = "test kernel",
					       .parts = &v, .nparts = 1 };
	uint8_t *img = NULL;
	assert_int_equal(fwkit_uimage_build(NULL, &p, &img, len), FWKIT_OK);
	assert_int_equal(*len, 64 + 3000);
	free(payload);
	return img;
}

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void image_check_verdicts(void **state)
{
	(void)state;
	size_t len = 0;
	uint8_t *img = kernel_image(&len);
	struct fwkit_image_check *c = malloc(sizeof(*c));
	/* a good image */
	assert_int_equal(fwkit_image_check(NULL, img, len, c), FWKIT_OK);
	assert_true(c->is_uimage && c->header_complete && c->ok);
	assert_string_equal(c->why, "");
	/* a payload byte changed: the data CRC (ih_dcrc, byte 24) no longer matches */
	img[64 + 100] ^= 0x40;
	char want[128];
	snprintf(want, sizeof(want), "offset 0x18: bad data CRC: expected 0x%08lx, found 0x%08x",
		 crc32(0, img + 64, 3000), be32(img + 24));
	assert_int_equal(fwkit_image_check(NULL, img, len, c), FWKIT_OK);
	assert_true(c->is_uimage && c->header_complete);
	assert_false(c->ok);
	assert_int_equal(c->offset, 24);
	assert_string_equal(c->why, want);
	assert_true(c->findings.count >= 1);
	img[64 + 100] ^= 0x40;
	/* the payload cut short */
	assert_int_equal(fwkit_image_check(NULL, img, len - 1, c), FWKIT_OK);
	assert_false(c->ok);
	/* the header cut short */
	assert_int_equal(fwkit_image_check(NULL, img, 40, c), FWKIT_OK);
	assert_true(c->is_uimage);
	assert_false(c->header_complete);
	assert_false(c->ok);
	assert_string_equal(c->why, "truncated uImage header");
	/* not a uImage: passes unjudged */
	assert_int_equal(fwkit_image_check(NULL, (const uint8_t *)"#!/bin/sh\n", 10, c), FWKIT_OK);
	assert_false(c->is_uimage);
	assert_true(c->ok);
	assert_int_equal(fwkit_image_check(NULL, img, 3, c), FWKIT_OK); /* the magic's first 3 bytes */
	assert_false(c->is_uimage);
	assert_true(c->ok);
	assert_int_equal(fwkit_image_check(NULL, NULL, 0, c), FWKIT_OK);
	assert_true(c->ok);
	assert_int_equal(fwkit_image_check(NULL, NULL, 5, c), FWKIT_E_INVALID_ARG);
	assert_int_equal(fwkit_image_check(NULL, img, len, NULL), FWKIT_E_INVALID_ARG);
	free(c);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(changed_blocks_are_merged_runs),
		cmocka_unit_test(reads_that_agree),
		cmocka_unit_test(unstable_bytes_ranges_and_majority),
		cmocka_unit_test(compare_refusals),
		cmocka_unit_test(blank_reads_are_an_error),
		cmocka_unit_test(image_check_verdicts),
	};
	return cmocka_run_group_tests_name("dump", tests, NULL, NULL);
}
