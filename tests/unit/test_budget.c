/*
 * The decompression budget (context.h, codec.h): one budget per context, shared by every
 * decompression the context does (payload checks and the device-tree search), with a total, a
 * ratio cap and a bound on candidate streams; streams made here by zlib and liblzma.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <lzma.h>
#include <zlib.h>

#include "fwkit/fwkit.h"

#define MiB (1u << 20)
#define STEP (64u * 1024) /* the checks charge the budget per 64 KiB of output */

/* LEN bytes of text-like data that compresses about 2.5:1 (far from a bomb). */
static uint8_t *plain(size_t len)
{
	uint8_t *p = malloc(len);
	assert_non_null(p);
	uint32_t x = 12345;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)((x >> 16) % 7 + 'a');
	}
	return p;
}

static uint8_t *gzip_of(const uint8_t *in, size_t len, size_t *zlen)
{
	size_t cap = len + len / 8 + 1024;
	uint8_t *out = malloc(cap);
	z_stream s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	*zlen = s.total_out;
	deflateEnd(&s);
	return out;
}

/* An LZMA-alone stream of LEN bytes of zeros (size unknown, as streaming encoders write it). */
static uint8_t *lzma_zeros(size_t len, uint32_t dict, size_t *zlen)
{
	uint8_t *in = calloc(1, len);
	size_t cap = len / 100 + 4096;
	uint8_t *out = malloc(cap);
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	lzma_lzma_preset(&opt, 0);
	opt.dict_size = dict;
	assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	*zlen = s.total_out;
	lzma_end(&s);
	free(in);
	return out;
}

static void defaults_are_documented_values(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	assert_int_equal(b.limit, 256ull * MiB);
	assert_int_equal(b.ratio, 1000);
	assert_int_equal(b.candidates, 16);
	assert_int_equal(b.used, 0);
	assert_false(b.hit);
	assert_int_equal(fwkit_ctx_decompress_limit(ctx), 256ull * MiB);
	fwkit_ctx_set_decompress_limit(ctx, 0); /* 0 would mean "nothing at all may run": taken as 1 */
	assert_int_equal(fwkit_ctx_decompress_limit(ctx), 1);
	fwkit_ctx_free(ctx);
}

/* Several checks draw on one total: three 1 MiB streams fit 3 MiB, the fourth is not run. */
static void the_total_is_shared_by_every_call(void **state)
{
	(void)state;
	uint8_t *p = plain(MiB);
	size_t zlen;
	uint8_t *z = gzip_of(p, MiB, &zlen);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	fwkit_ctx_set_decompress_limit(ctx, 3ull * MiB);
	struct fwkit_decompress_result r;
	struct fwkit_decompress_budget b;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 0, &r), FWKIT_OK);
		assert_true(r.ok);
		assert_false(r.limited);
		assert_int_equal(r.out_size, MiB);
		fwkit_decompress_budget(ctx, &b);
		assert_int_equal(b.used, (uint64_t)(i + 1) * MiB);
		assert_int_equal(b.streams, (uint64_t)(i + 1));
		assert_false(b.hit);
	}
	struct fwkit_findings f = { 0 };
	assert_false(fwkit_decompress_budget_report(ctx, FWKIT_SEV_WARN, &f));
	assert_int_equal(f.count, 0);

	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.checked);
	assert_false(r.ok);
	assert_true(r.limited);
	assert_int_equal(r.out_size, 0);
	fwkit_decompress_budget(ctx, &b);
	assert_true(b.hit);
	assert_int_equal(b.used, 3ull * MiB);
	assert_non_null(strstr(b.why, "decompression budget of 3145728 bytes hit after 3 streams"));
	assert_non_null(strstr(b.why, "the rest was not checked"));

	assert_true(fwkit_decompress_budget_report(ctx, FWKIT_SEV_ERROR, &f));
	assert_int_equal(f.count, 1);
	assert_string_equal(f.items[0].code, "budget.decompress");
	assert_int_equal(f.items[0].severity, FWKIT_SEV_ERROR);
	assert_string_equal(f.items[0].message, b.why);

	/* a new command: the whole budget again */
	fwkit_ctx_reset_decompress_budget(ctx);
	fwkit_decompress_budget(ctx, &b);
	assert_false(b.hit);
	assert_int_equal(b.used, 0);
	assert_int_equal(b.limit, 3ull * MiB);
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.ok);
	fwkit_ctx_free(ctx);
	free(z);
	free(p);
}

/* A stream that runs past what is left stops there, neither ok nor called corrupt; and once the
 * budget is hit, nothing more is decompressed, even a stream that would fit. */
static void a_stream_stops_where_the_budget_ends(void **state)
{
	(void)state;
	uint8_t *p = plain(MiB);
	size_t zlen, slen;
	uint8_t *z = gzip_of(p, MiB, &zlen);
	uint8_t *small = gzip_of(p, 1000, &slen);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	fwkit_ctx_set_decompress_limit(ctx, MiB + MiB / 2);
	struct fwkit_decompress_result r;
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.ok);
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 0, &r), FWKIT_OK);
	assert_false(r.ok);
	assert_true(r.limited);
	assert_true(r.out_size > MiB / 2 && r.out_size <= MiB / 2 + STEP);
	assert_non_null(strstr(r.detail, "budget"));
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, small, slen, 0, &r), FWKIT_OK);
	assert_true(r.limited);
	assert_false(r.ok);
	assert_int_equal(r.out_size, 0);
	/* the caller's own per-call limit is not the budget: ok false, limited false */
	fwkit_ctx_reset_decompress_budget(ctx);
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_GZIP, z, zlen, 1000, &r), FWKIT_OK);
	assert_false(r.ok);
	assert_false(r.limited);
	assert_non_null(strstr(r.detail, "limit"));
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	assert_false(b.hit);
	fwkit_ctx_free(ctx);
	free(small);
	free(z);
	free(p);
}

/* A bomb: 64 MiB of zeros from a few KiB is stopped by the ratio cap after 1 MiB of output. */
static void the_ratio_cap_stops_a_bomb_early(void **state)
{
	(void)state;
	size_t zlen;
	uint8_t *z = lzma_zeros(64u * MiB, 1u << 20, &zlen);
	assert_true(zlen < 64u * 1024);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_decompress_result r;
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_LZMA_ALONE, z, zlen, 0, &r), FWKIT_OK);
	assert_false(r.ok);
	assert_true(r.limited);
	assert_true(r.out_size >= MiB && r.out_size <= MiB + STEP);
	assert_non_null(strstr(r.detail, "over 1000 times its input"));
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	assert_true(b.hit);
	assert_true(b.used <= MiB + STEP);

	/* without a context the call has a default budget of its own: stopped the same way */
	assert_int_equal(fwkit_decompress_check(NULL, FWKIT_CODEC_LZMA_ALONE, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.limited);
	assert_true(r.out_size <= MiB + STEP);

	/* ratio 0 turns the cap off: the total alone bounds it, and here it fits */
	fwkit_ctx_reset_decompress_budget(ctx);
	fwkit_ctx_set_decompress_ratio(ctx, 0);
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_LZMA_ALONE, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.ok);
	assert_false(r.limited);
	assert_int_equal(r.out_size, 64u * MiB);
	fwkit_ctx_free(ctx);
	free(z);
}

/* The device-tree search tries at most the context's number of candidate streams, and its output
 * counts against the same total as the payload checks. */
static void the_search_draws_on_the_same_budget(void **state)
{
	(void)state;
	/* five LZMA-alone streams of 8 KiB of zeros (each a plausible kernel header; no DTB) */
	size_t zlen;
	uint8_t *z = lzma_zeros(8192, 1u << 20, &zlen);
	size_t len = 64 + 5 * zlen;
	uint8_t *payload = calloc(1, len);
	for (size_t i = 0; i < 64; i++)
		payload[i] = (uint8_t)(0xE1 + i % 16); /* no plausible header in the "loader" */
	for (int k = 0; k < 5; k++)
		memcpy(payload + 64 + k * zlen, z, zlen);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_devicetree *dt = malloc(sizeof(*dt));
	struct fwkit_decompress_budget b;

	assert_int_equal(fwkit_devicetree_from_kernel(ctx, payload, len, 0, dt), FWKIT_E_BAD_MAGIC);
	fwkit_decompress_budget(ctx, &b);
	assert_int_equal(b.tried, 5);
	assert_false(b.hit);
	assert_int_equal(b.used, 5 * 8192);

	fwkit_ctx_reset_decompress_budget(ctx);
	fwkit_ctx_set_decompress_candidates(ctx, 2);
	assert_int_equal(fwkit_devicetree_from_kernel(ctx, payload, len, 0, dt), FWKIT_E_BAD_MAGIC);
	fwkit_decompress_budget(ctx, &b);
	assert_int_equal(b.tried, 2);
	assert_true(b.hit);
	assert_non_null(strstr(b.why, "candidate streams"));
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "budget"));
	/* and the payload checks of the same command then run no more */
	struct fwkit_decompress_result r;
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_LZMA_ALONE, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.limited);

	/* a total spent by payload checks leaves the search nothing: it still ends, found nothing */
	fwkit_ctx_reset_decompress_budget(ctx);
	fwkit_ctx_set_decompress_candidates(ctx, 16);
	fwkit_ctx_set_decompress_limit(ctx, 8192);
	assert_int_equal(fwkit_decompress_check(ctx, FWKIT_CODEC_LZMA_ALONE, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.ok);
	assert_int_equal(fwkit_devicetree_from_kernel(ctx, payload, len, 0, dt), FWKIT_E_BAD_MAGIC);
	fwkit_decompress_budget(ctx, &b);
	assert_true(b.hit);
	assert_int_equal(b.used, 8192);
	assert_non_null(strstr(b.why, "decompression budget of 8192 bytes hit"));
	free(dt);
	fwkit_ctx_free(ctx);
	free(payload);
	free(z);
}

/* A real kernel's DTB is still found, and the budget says what it cost. */
static void a_real_kernel_fits_the_default_budget(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	assert_int_equal(fwkit_file_open(ctx, FWKIT_TEST_DATA "/uimage/good/a5-v11-19.07.7-sysupgrade.bin", &f), FWKIT_OK);
	struct fwkit_uimage img;
	assert_int_equal(fwkit_uimage_parse(ctx, fwkit_file_data(f), fwkit_file_size(f), 0, 0, &img), FWKIT_OK);
	struct fwkit_devicetree *dt = malloc(sizeof(*dt));
	assert_int_equal(fwkit_devicetree_from_kernel(ctx, fwkit_file_data(f) + img.data_offset, img.data_size, img.hdr.comp, dt),
			 FWKIT_OK);
	assert_string_equal(dt->model, "A5-V11");
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	assert_false(b.hit);
	assert_int_equal(b.tried, 1);
	assert_int_equal(b.used, 4180841); /* the kernel's size: decoded once, to its end */
	/* with a total below the kernel's size the DTB (at its end) is out of reach, and that is said */
	fwkit_ctx_reset_decompress_budget(ctx);
	fwkit_ctx_set_decompress_limit(ctx, 2 * MiB);
	assert_int_equal(fwkit_devicetree_from_kernel(ctx, fwkit_file_data(f) + img.data_offset, img.data_size, img.hdr.comp, dt),
			 FWKIT_E_BAD_MAGIC);
	fwkit_decompress_budget(ctx, &b);
	assert_true(b.hit);
	free(dt);
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_documented_values),
		cmocka_unit_test(the_total_is_shared_by_every_call),
		cmocka_unit_test(a_stream_stops_where_the_budget_ends),
		cmocka_unit_test(the_ratio_cap_stops_a_bomb_early),
		cmocka_unit_test(the_search_draws_on_the_same_budget),
		cmocka_unit_test(a_real_kernel_fits_the_default_budget),
	};
	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
