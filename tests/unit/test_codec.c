/*
 * CRC-32 and the decompression checks, against streams made here by the same libraries'
 * encoders (zlib, liblzma, libzstd), whole, truncated and corrupted.
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
#include <zstd.h>

#include "fwkit/fwkit.h"

#define PLAIN_SIZE 200000

static uint8_t *plain(void)
{
	uint8_t *p = malloc(PLAIN_SIZE);
	uint32_t x = 12345;
	for (size_t i = 0; i < PLAIN_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)((x >> 16) % 7 + 'a'); /* compressible, not trivial */
	}
	return p;
}

static void crc32_matches_the_standard_check_value(void **state)
{
	(void)state;
	/* The CRC-32/ISO-HDLC check value of "123456789". */
	assert_int_equal(fwkit_crc32(0, "123456789", 9), 0xCBF43926u);
	assert_int_equal(fwkit_crc32(0, NULL, 0), 0);
	uint8_t *p = plain();
	uint32_t whole = fwkit_crc32(0, p, PLAIN_SIZE);
	uint32_t parts = 0;
	for (size_t off = 0; off < PLAIN_SIZE; off += 7777)
		parts = fwkit_crc32(parts, p + off, off + 7777 > PLAIN_SIZE ? PLAIN_SIZE - off : 7777);
	assert_int_equal(whole, parts);
	assert_int_equal(whole, (uint32_t)crc32(0, p, PLAIN_SIZE));
	free(p);
}

static size_t make_gzip(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	s.next_in = (Bytef *)(uintptr_t)in;
	s.avail_in = (uInt)len;
	s.next_out = out;
	s.avail_out = (uInt)cap;
	assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
	size_t n = s.total_out;
	deflateEnd(&s);
	return n;
}

static size_t make_lzma_alone(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	lzma_lzma_preset(&opt, 6);
	assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
	s.next_in = in;
	s.avail_in = len;
	s.next_out = out;
	s.avail_out = cap;
	assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	size_t n = s.total_out;
	lzma_end(&s);
	return n;
}

struct codec_case {
	enum fwkit_codec codec;
	size_t (*make)(const uint8_t *, size_t, uint8_t *, size_t);
};

static size_t make_xz(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t pos = 0;
	assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, out, &pos, cap), LZMA_OK);
	return pos;
}

static size_t make_zstd(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	/* With a content checksum, as the zstd tool writes by default: without one, a flipped
	 * literal byte decodes to wrong bytes of the right length and no decoder can tell. */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 19);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	size_t n = ZSTD_compress2(cc, out, cap, in, len);
	ZSTD_freeCCtx(cc);
	assert_false(ZSTD_isError(n));
	return n;
}

static void run_codec(enum fwkit_codec codec, size_t (*make)(const uint8_t *, size_t, uint8_t *, size_t))
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	uint8_t *p = plain();
	size_t cap = PLAIN_SIZE + 1024;
	uint8_t *z = malloc(cap);
	size_t zlen = make(p, PLAIN_SIZE, z, cap);
	struct fwkit_decompress_result r;

	assert_int_equal(fwkit_decompress_check(ctx, codec, z, zlen, 0, &r), FWKIT_OK);
	assert_true(r.checked);
	assert_true(r.ok);
	assert_int_equal(r.out_size, PLAIN_SIZE);
	assert_int_equal(r.in_used, zlen);

	/* cut short: fails, having produced less than the whole */
	assert_int_equal(fwkit_decompress_check(ctx, codec, z, zlen / 2, 0, &r), FWKIT_OK);
	assert_false(r.ok);
	assert_true(r.out_size < PLAIN_SIZE);
	assert_true(r.detail[0] != '\0');

	/* corrupted in the middle: fails */
	uint8_t *bad = malloc(zlen);
	memcpy(bad, z, zlen);
	for (size_t i = zlen / 3; i < zlen / 3 + 16; i++)
		bad[i] ^= 0x5A;
	assert_int_equal(fwkit_decompress_check(ctx, codec, bad, zlen, 0, &r), FWKIT_OK);
	assert_false(r.ok);

	/* a limit below the real size stops the check */
	assert_int_equal(fwkit_decompress_check(ctx, codec, z, zlen, 1000, &r), FWKIT_OK);
	assert_false(r.ok);
	assert_non_null(strstr(r.detail, "limit"));

	free(bad);
	free(z);
	free(p);
	fwkit_ctx_free(ctx);
}

static void gzip_checks(void **state) { (void)state; run_codec(FWKIT_CODEC_GZIP, make_gzip); }
static void lzma_checks(void **state) { (void)state; run_codec(FWKIT_CODEC_LZMA_ALONE, make_lzma_alone); }
static void xz_checks(void **state) { (void)state; run_codec(FWKIT_CODEC_XZ, make_xz); }
static void zstd_checks(void **state) { (void)state; run_codec(FWKIT_CODEC_ZSTD, make_zstd); }

static void trailing_bytes_after_a_stream_are_noted(void **state)
{
	(void)state;
	uint8_t *p = plain();
	uint8_t *z = malloc(PLAIN_SIZE + 2048);
	size_t zlen = make_gzip(p, 5000, z, PLAIN_SIZE);
	memset(z + zlen, 0xFF, 100);
	struct fwkit_decompress_result r;
	assert_int_equal(fwkit_decompress_check(NULL, FWKIT_CODEC_GZIP, z, zlen + 100, 0, &r), FWKIT_OK);
	assert_true(r.ok);
	assert_int_equal(r.out_size, 5000);
	assert_non_null(strstr(r.detail, "100 bytes follow"));
	free(z);
	free(p);
}

static void unchecked_codecs_say_so(void **state)
{
	(void)state;
	struct fwkit_decompress_result r;
	const uint8_t junk[4] = { 1, 2, 3, 4 };
	assert_int_equal(fwkit_decompress_check(NULL, FWKIT_CODEC_BZIP2, junk, 4, 0, &r), FWKIT_OK);
	assert_false(r.checked);
	assert_non_null(strstr(r.detail, "bzip2"));
	assert_int_equal(fwkit_decompress_check(NULL, FWKIT_CODEC_NONE, junk, 4, 0, &r), FWKIT_OK);
	assert_true(r.checked && r.ok);
	assert_int_equal(r.out_size, 4);
	assert_int_equal(fwkit_decompress_check(NULL, FWKIT_CODEC_LZMA_ALONE, junk, 0, 0, &r), FWKIT_OK);
	assert_false(r.ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc32_matches_the_standard_check_value),
		cmocka_unit_test(gzip_checks),
		cmocka_unit_test(lzma_checks),
		cmocka_unit_test(xz_checks),
		cmocka_unit_test(zstd_checks),
		cmocka_unit_test(trailing_bytes_after_a_stream_are_noted),
		cmocka_unit_test(unchecked_codecs_say_so),
	};
	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
