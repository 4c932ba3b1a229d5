/*
 * The uImage module: every header field, both CRCs, multi-file tables, vendor quirks,
 * every truncation, and the error records (offset, expected, found).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/cursor.h"
#include "fwkit/fwkit.h"

static uint8_t *build(const char *name, uint8_t type, const struct fwkit_iovec *parts, size_t nparts, size_t *len)
{
	struct fwkit_uimage_build_params p = {
		.os = 5, .arch = 5, .type = type, .comp = 0,
		.load = 0x80001000, .ep = 0x80001234, .time = 1700000000,
		.name = name, .parts = parts, .nparts = nparts,
	};
	uint8_t *out = NULL;
	assert_int_equal(fwkit_uimage_build(NULL, &p, &out, len), FWKIT_OK);
	return out;
}

static uint8_t *simple(size_t payload_len, size_t *len)
{
	uint8_t *data = malloc(payload_len + 1);
	for (size_t i = 0; i < payload_len; i++)
		data[i] = (uint8_t)(i * 7 + 1);
	struct fwkit_iovec v = { data, payload_len };
	uint8_t *img = build("MIPS OpenWrt Linux-5.4.43", 2, &v, 1, len);
	free(data);
	return img;
}

/* Rewrites the header CRC after a test changed a header byte. */
static void fix_hcrc(uint8_t *img)
{
	uint8_t h[64];
	memcpy(h, img, 64);
	memset(h + 4, 0, 4);
	store_be32(img + 4, fwkit_crc32(0, h, 64));
}

static bool has_finding(const struct fwkit_uimage *img, const char *code)
{
	for (size_t i = 0; i < img->findings.count; i++)
		if (strcmp(img->findings.items[i].code, code) == 0)
			return true;
	return false;
}

static void every_field_round_trips(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(1000, &len);
	assert_int_equal(len, 1064);
	/* the header bytes, as U-Boot's include/image.h lays them out, big-endian */
	assert_int_equal(load_be32(img), 0x27051956);
	assert_int_equal(load_be32(img + 8), 1700000000);
	assert_int_equal(load_be32(img + 12), 1000);
	assert_int_equal(load_be32(img + 16), 0x80001000);
	assert_int_equal(load_be32(img + 20), 0x80001234);
	assert_int_equal(load_be32(img + 24), fwkit_crc32(0, img + 64, 1000));
	assert_int_equal(img[28], 5);
	assert_int_equal(img[29], 5);
	assert_int_equal(img[30], 2);
	assert_int_equal(img[31], 0);
	assert_memory_equal(img + 32, "MIPS OpenWrt Linux-5.4.43\0", 26);

	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_true(u.hcrc_ok);
	assert_true(u.dcrc_ok && u.dcrc_checked && u.data_complete);
	assert_int_equal(u.hdr.time, 1700000000);
	assert_int_equal(u.hdr.load, 0x80001000);
	assert_int_equal(u.hdr.ep, 0x80001234);
	assert_int_equal(u.hdr.os, 5);
	assert_int_equal(u.hdr.arch, 5);
	assert_int_equal(u.hdr.type, 2);
	assert_int_equal(u.hdr.comp, 0);
	assert_int_equal(u.data_size, 1000);
	assert_int_equal(u.data_offset, 64);
	assert_int_equal(u.name_len, strlen("MIPS OpenWrt Linux-5.4.43"));
	assert_false(u.name_binary);
	assert_int_equal(u.trailer_size, 0);
	assert_int_equal(u.trailer_kind, FWKIT_TRAILER_NONE);
	assert_int_equal(u.findings.count, 0);
	free(img);
}

static void names_follow_mkimage(void **state)
{
	(void)state;
	assert_string_equal(fwkit_uimage_arch_name(5), "MIPS");
	assert_string_equal(fwkit_uimage_os_name(5), "Linux");
	assert_string_equal(fwkit_uimage_type_name(2), "Kernel Image");
	assert_string_equal(fwkit_uimage_type_name(1), "Standalone Program");
	assert_string_equal(fwkit_uimage_comp_name(3), "lzma compressed");
	assert_string_equal(fwkit_uimage_comp_name(99), "Unknown Compression");
	assert_string_equal(fwkit_uimage_os_name(13), "Unknown OS");
	assert_string_equal(fwkit_uimage_arch_name(200), "Unknown Architecture");
	assert_string_equal(fwkit_uimage_type_name(22), "Unknown Image");
	assert_int_equal(fwkit_uimage_arch_lookup("mips"), 5);
	assert_int_equal(fwkit_uimage_arch_lookup("ppc"), 7);
	assert_int_equal(fwkit_uimage_arch_lookup("MIPS"), 5);
	assert_int_equal(fwkit_uimage_type_lookup("multi"), 4);
	assert_int_equal(fwkit_uimage_comp_lookup("zstd"), 6);
	assert_int_equal(fwkit_uimage_os_lookup("u-boot"), 17);
	assert_int_equal(fwkit_uimage_os_lookup("nonsense"), -1);
}

static void header_crc_error_is_a_finding(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(100, &len);
	img[40] ^= 1; /* a name byte */
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_false(u.hcrc_ok);
	assert_true(u.dcrc_ok);
	assert_true(has_finding(&u, "uimage.header-crc"));
	assert_int_equal(u.findings.items[0].offset, 4);
	assert_int_equal(u.findings.items[0].severity, FWKIT_SEV_ERROR);
	free(img);
}

static void data_crc_error_is_a_finding(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(100, &len);
	img[64 + 50] ^= 0x80;
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_true(u.hcrc_ok);
	assert_false(u.dcrc_ok);
	assert_true(has_finding(&u, "uimage.data-crc"));
	char expect[16];
	snprintf(expect, sizeof(expect), "0x%08x", u.dcrc_computed);
	assert_string_equal(u.findings.items[0].expected, expect);
	free(img);
}

static void every_prefix_parses_safely(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(300, &len);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	for (size_t cut = 0; cut <= len; cut++) {
		/* a private copy of exactly CUT bytes, so ASan sees any read past it */
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, img, cut);
		struct fwkit_uimage u;
		enum fwkit_status st = fwkit_uimage_parse(ctx, copy, cut, 0, 0, &u);
		if (cut < 64) {
			assert_int_equal(st, FWKIT_E_TRUNCATED);
			const struct fwkit_error *e = fwkit_ctx_error(ctx);
			assert_true(e->has_offset);
			assert_int_equal(e->offset, 0);
			assert_string_equal(e->expected, "a 64-byte header");
		} else {
			assert_int_equal(st, FWKIT_OK);
			assert_int_equal(u.data_complete, cut == len);
			assert_int_equal(u.data_present, cut - 64);
			assert_int_equal(has_finding(&u, "uimage.truncated"), cut < len);
		}
		free(copy);
	}
	fwkit_ctx_free(ctx);
	free(img);
}

static void bad_magic_names_offset_expected_found(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(10, &len);
	uint8_t *shifted = calloc(1, len + 16);
	memcpy(shifted + 16, img, len);
	shifted[16] = 0x28;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(ctx, shifted, len + 16, 16, 0, &u), FWKIT_E_BAD_MAGIC);
	const struct fwkit_error *e = fwkit_ctx_error(ctx);
	assert_int_equal(e->offset, 16);
	assert_string_equal(e->expected, "0x27051956");
	assert_string_equal(e->found, "0x28051956");
	char msg[256];
	fwkit_error_format(e, msg, sizeof(msg));
	assert_string_equal(msg, "offset 0x10: uimage: bad magic: expected 0x27051956, found 0x28051956");
	/* the same image parses at its offset, and offsets in the result are absolute */
	shifted[16] = 0x27;
	assert_int_equal(fwkit_uimage_parse(ctx, shifted, len + 16, 16, 0, &u), FWKIT_OK);
	assert_int_equal(u.data_offset, 16 + 64);
	assert_true(u.dcrc_ok);
	/* an offset past the end is a range error, not a crash */
	assert_int_equal(fwkit_uimage_parse(ctx, shifted, len + 16, len + 17, 0, &u), FWKIT_E_RANGE);
	fwkit_ctx_free(ctx);
	free(shifted);
	free(img);
}

static void vendor_magic_is_accepted_when_asked(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(10, &len);
	store_be32(img, 0x12345678);
	fix_hcrc(img);
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_E_BAD_MAGIC);
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0x12345678, &u), FWKIT_OK);
	assert_true(u.hcrc_ok && u.dcrc_ok);
	assert_true(has_finding(&u, "uimage.vendor-magic"));
	free(img);
}

static void binary_and_unterminated_names_are_reported(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(10, &len);
	/* Padavan writes firmware version bytes then the product id into ih_name */
	memset(img + 32, 0, 32);
	memcpy(img + 32, "\x03\x04\x03\x09MI-R3G", 10);
	fix_hcrc(img);
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_true(u.name_binary);
	assert_int_equal(u.name_len, 10);
	assert_true(has_finding(&u, "uimage.name-binary"));
	memset(img + 32, 'N', 32);
	fix_hcrc(img);
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.name_len, 32);
	assert_false(u.name_binary);
	assert_true(has_finding(&u, "uimage.name-unterminated"));
	free(img);
}

static void size_flags_in_top_byte_are_recognised(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(5000, &len);
	store_be32(img + 12, 0x01000000u | 5000u);
	fix_hcrc(img);
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.size_flags, 1);
	assert_int_equal(u.data_size, 5000);
	assert_true(u.dcrc_ok);
	assert_true(has_finding(&u, "uimage.size-flags"));
	/* but only when the CRC proves it: otherwise it is a plain truncation */
	img[64] ^= 1;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.size_flags, 0);
	assert_false(u.data_complete);
	assert_true(has_finding(&u, "uimage.truncated"));
	free(img);
}

static void trailers_are_classified(void **state)
{
	(void)state;
	size_t len;
	uint8_t *img = simple(100, &len);
	uint8_t *big = malloc(len + 4096);
	memcpy(big, img, len);
	struct fwkit_uimage u;
	memset(big + len, 0xFF, 4096);
	assert_int_equal(fwkit_uimage_parse(NULL, big, len + 4096, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.trailer_kind, FWKIT_TRAILER_ERASED);
	assert_int_equal(u.trailer_size, 4096);
	memset(big + len, 0x00, 4096);
	assert_int_equal(fwkit_uimage_parse(NULL, big, len + 4096, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.trailer_kind, FWKIT_TRAILER_ZERO);
	big[len + 4095] = 'h';
	assert_int_equal(fwkit_uimage_parse(NULL, big, len + 4096, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.trailer_kind, FWKIT_TRAILER_DATA);
	assert_true(u.dcrc_ok);
	free(big);
	free(img);
}

static void multi_file_layout(void **state)
{
	(void)state;
	uint8_t a[3000], b[3];
	memset(a, 'a', sizeof(a));
	memset(b, 'b', sizeof(b));
	struct fwkit_iovec parts[] = { { a, sizeof(a) }, { b, sizeof(b) }, { a, sizeof(a) } };
	size_t len;
	uint8_t *img = build("multi", FWKIT_UIMAGE_TYPE_MULTI, parts, 3, &len);
	/* formats.md 1.4: 16 (3 sizes + 0) + 3000 + 3 + 1 pad + 3000 */
	assert_int_equal(len, 64 + 6020);
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_int_equal(u.nparts, 3);
	assert_int_equal(u.parts[0].offset, 64 + 16);
	assert_int_equal(u.parts[1].offset, 64 + 16 + 3000);
	assert_int_equal(u.parts[1].size, 3);
	assert_int_equal(u.parts[2].offset, 64 + 16 + 3004);
	uint64_t off, size;
	assert_int_equal(fwkit_uimage_part_span(NULL, &u, len, 1, &off, &size), FWKIT_OK);
	assert_int_equal(off, 64 + 16 + 3000);
	assert_int_equal(size, 3);
	assert_int_equal(img[off], 'b');
	assert_int_equal(fwkit_uimage_part_span(NULL, &u, len, 3, &off, &size), FWKIT_E_RANGE);

	/* a script keeps its table, but extraction gives the whole payload, as dumpimage does */
	size_t slen;
	uint8_t *script = build("script", FWKIT_UIMAGE_TYPE_SCRIPT, parts, 2, &slen);
	struct fwkit_uimage su;
	assert_int_equal(fwkit_uimage_parse(NULL, script, slen, 0, 0, &su), FWKIT_OK);
	assert_int_equal(su.nparts, 2);
	assert_int_equal(fwkit_uimage_part_span(NULL, &su, slen, 1, &off, &size), FWKIT_OK);
	assert_int_equal(off, 64);
	assert_int_equal(size, su.data_size);
	free(script);

	/* a size table whose part runs past the payload is reported, not followed */
	store_be32(img + 64 + 4, 999999);
	store_be32(img + 24, fwkit_crc32(0, img + 64, len - 64));
	fix_hcrc(img);
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_true(u.dcrc_ok);
	assert_true(has_finding(&u, "uimage.multi-table"));
	assert_int_equal(u.nparts, 0);
	/* and one without a terminator */
	memset(img + 64, 0x11, len - 64);
	store_be32(img + 24, fwkit_crc32(0, img + 64, len - 64));
	fix_hcrc(img);
	assert_int_equal(fwkit_uimage_parse(NULL, img, len, 0, 0, &u), FWKIT_OK);
	assert_true(has_finding(&u, "uimage.multi-table"));
	free(img);
}

static void build_follows_mkimage_rules(void **state)
{
	(void)state;
	uint8_t d[5] = { 1, 2, 3, 4, 5 };
	struct fwkit_iovec v = { d, sizeof(d) };
	uint8_t *out = NULL;
	size_t len = 0;
	/* a 40-character name keeps 32 bytes and no terminator (include/image.h image_set_name) */
	uint8_t *img = build("0123456789012345678901234567890123456789", 2, &v, 1, &len);
	assert_memory_equal(img + 32, "01234567890123456789012345678901", 32);
	free(img);
	struct fwkit_uimage_build_params p = { .type = 9, .parts = &v, .nparts = 1 };
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_uimage_build(ctx, &p, &out, &len), FWKIT_E_INVALID_ARG);
	assert_null(out);
	struct fwkit_iovec two[] = { v, v };
	p.type = 2;
	p.parts = two;
	p.nparts = 2;
	assert_int_equal(fwkit_uimage_build(ctx, &p, &out, &len), FWKIT_E_INVALID_ARG);
	p.nparts = 0;
	assert_int_equal(fwkit_uimage_build(ctx, &p, &out, &len), FWKIT_E_INVALID_ARG);
	/* an empty part would end a multi-file size table early: refused, as mkimage refuses it */
	struct fwkit_iovec with_empty[] = { v, { d, 0 }, v };
	p.type = FWKIT_UIMAGE_TYPE_MULTI;
	p.parts = with_empty;
	p.nparts = 3;
	assert_int_equal(fwkit_uimage_build(ctx, &p, &out, &len), FWKIT_E_INVALID_ARG);
	assert_null(out);
	fwkit_ctx_free(ctx);
}

static void codec_follows_comp_and_magic(void **state)
{
	(void)state;
	static const uint8_t xz[] = { 0xFD, '7', 'z', 'X', 'Z', 0, 0 };
	static const uint8_t lz[] = { 0x6D, 0, 0, 0x80, 0 };
	assert_int_equal(fwkit_uimage_codec(3, xz, sizeof(xz)), FWKIT_CODEC_XZ);
	assert_int_equal(fwkit_uimage_codec(3, lz, sizeof(lz)), FWKIT_CODEC_LZMA_ALONE);
	assert_int_equal(fwkit_uimage_codec(1, lz, sizeof(lz)), FWKIT_CODEC_GZIP);
	assert_int_equal(fwkit_uimage_codec(6, NULL, 0), FWKIT_CODEC_ZSTD);
	assert_int_equal(fwkit_uimage_codec(0, lz, sizeof(lz)), FWKIT_CODEC_NONE);
}

/* A real file when the shared test data is beside the clone; skipped visibly otherwise. */
static void real_truncated_padavan_kernel(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	if (fwkit_file_open(ctx, FWKIT_REAL_DATA "/mir3g-padavan-mtd-backup/Kernel.bin", &f) != FWKIT_OK) {
		fwkit_ctx_free(ctx);
		print_message("SKIP: real data not present\n");
		skip();
	}
	struct fwkit_uimage u;
	assert_int_equal(fwkit_uimage_parse(ctx, fwkit_file_data(f), fwkit_file_size(f), 0, 0, &u), FWKIT_OK);
	assert_true(u.hcrc_ok);
	assert_false(u.data_complete);
	assert_true(u.name_binary);
	assert_int_equal(u.hdr.size, 14969137);
	assert_int_equal(u.data_present, fwkit_file_size(f) - 64);
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_field_round_trips),
		cmocka_unit_test(names_follow_mkimage),
		cmocka_unit_test(header_crc_error_is_a_finding),
		cmocka_unit_test(data_crc_error_is_a_finding),
		cmocka_unit_test(every_prefix_parses_safely),
		cmocka_unit_test(bad_magic_names_offset_expected_found),
		cmocka_unit_test(vendor_magic_is_accepted_when_asked),
		cmocka_unit_test(binary_and_unterminated_names_are_reported),
		cmocka_unit_test(size_flags_in_top_byte_are_recognised),
		cmocka_unit_test(trailers_are_classified),
		cmocka_unit_test(multi_file_layout),
		cmocka_unit_test(build_follows_mkimage_rules),
		cmocka_unit_test(codec_follows_comp_and_magic),
		cmocka_unit_test(real_truncated_padavan_kernel),
	};
	return cmocka_run_group_tests_name("uimage", tests, NULL, NULL);
}
