/*
 * The U-Boot environment module: building (mkenvimage's rules), finding (size by CRC, byte
 * order, single/redundant, Bdata, Breed, CRC-less text, bad CRC), reading and editing.
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

#define DUMP_SIZE (1u << 20)

static uint8_t *blob(const char *text, uint64_t size, bool redundant, bool be, uint8_t pad)
{
	struct fwkit_env_build_params p = { .size = size, .redundant = redundant, .big_endian = be, .pad = pad,
					    .text = (const uint8_t *)text, .text_len = strlen(text) };
	uint8_t *out = NULL;
	size_t len = 0;
	assert_int_equal(fwkit_env_build(NULL, &p, &out, &len), FWKIT_OK);
	assert_int_equal(len, size);
	return out;
}

static uint8_t *dump_with(size_t n, const uint64_t *offs, uint8_t **blobs, const uint64_t *sizes)
{
	uint8_t *d = malloc(DUMP_SIZE);
	memset(d, 0xFF, DUMP_SIZE);
	for (size_t i = 0; i < n; i++)
		memcpy(d + offs[i], blobs[i], sizes[i]);
	return d;
}

static void build_follows_mkenvimage(void **state)
{
	(void)state;
	uint8_t *b = blob("a=1\nbb=22\n", 0x100, false, false, 0xFF);
	assert_memory_equal(b + 4, "a=1\0bb=22\0\0", 11);
	assert_int_equal(b[15], 0xFF);
	assert_int_equal(load_le32(b), fwkit_crc32(0, b + 4, 0x100 - 4));
	free(b);
	b = blob("a=1", 0x100, true, true, 0x00);
	assert_int_equal(b[4], 1); /* -r: the flag byte says active */
	assert_memory_equal(b + 5, "a=1\0\0", 5);
	assert_int_equal(b[10], 0x00);
	assert_int_equal(load_be32(b), fwkit_crc32(0, b + 5, 0x100 - 5));
	free(b);
}

static void text_rules(void **state)
{
	(void)state;
	uint8_t out[64];
	size_t used = 0;
	struct {
		const char *in;
		const char *want;
		size_t want_len;
	} cases[] = {
		{ "", "\0", 1 },
		{ "a=1", "a=1\0\0", 5 },
		{ "a=1\n", "a=1\0\0", 5 },
		{ "\n\na=1\n\n\nb=2\n", "a=1\0b=2\0\0", 9 },
		{ "#c\na=1\n#d\n", "a=1\0\0", 5 },
		{ "a=x#y\n #z\n", "a=x#y\0 #z\0\0", 11 },
		{ "a=1\\\n2\n", "a=1\n2\0\0", 7 },
		{ "a=1\r\n", "a=1\r\0\0", 6 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fwkit_env_text_parse(NULL, (const uint8_t *)cases[i].in, strlen(cases[i].in), out,
						      sizeof(out), &used), FWKIT_OK);
		assert_int_equal(used, cases[i].want_len);
		assert_memory_equal(out, cases[i].want, used);
	}
	/* exactly full fits; one byte less does not */
	assert_int_equal(fwkit_env_text_parse(NULL, (const uint8_t *)"a=1", 3, out, 5, &used), FWKIT_OK);
	assert_int_equal(fwkit_env_text_parse(NULL, (const uint8_t *)"a=1", 3, out, 4, &used), FWKIT_E_DOES_NOT_FIT);
	/* a trailing comment after the area filled up is fine, more text is not */
	assert_int_equal(fwkit_env_text_parse(NULL, (const uint8_t *)"a=1\n#x\n\n", 8, out, 5, &used), FWKIT_OK);
	assert_int_equal(fwkit_env_text_parse(NULL, (const uint8_t *)"a=1\nb=2\n", 8, out, 5, &used),
			 FWKIT_E_DOES_NOT_FIT);
}

static void finds_blocks_of_every_kind(void **state)
{
	(void)state;
	uint8_t *env = blob("bootcmd=tftp\nbootdelay=1\nipaddr=192.168.31.1\n", 0x1000, false, false, 0xFF);
	uint8_t *bdata = blob("SN=1234/56789\ncolor=101\nCountryCode=CN\nmodel=R3G\n", 0x4000, false, false, 0x00);
	uint8_t *r0 = blob("x=1\ny=2\n", 0x2000, true, false, 0xFF);
	uint8_t *r1 = blob("x=3\ny=4\n", 0x2000, true, false, 0xFF);
	r1[4] = 2; /* a newer serial, counter scheme */
	store_le32(r1, fwkit_crc32(0, r1 + 5, 0x2000 - 5));
	uint8_t *be = blob("big=endian\n", 0x800, false, true, 0xFF);
	uint8_t *bad = blob("broken=crc\nsecond=var\n", 0x1000, false, false, 0xFF);
	bad[0] ^= 0x55;
	const char text[] = "bootcmd=tftp\0bootdelay=2\0baudrate=57600\0ethaddr=00:11:22:33:44:55\0\0";
	uint8_t *t = malloc(0x1000);
	memset(t, 0, 0x1000);
	memcpy(t, text, sizeof(text));
	uint8_t breed[16] = "ENV\0a=1\0b=2\0\0";
	uint64_t offs[] = { 0x30000, 0x40000, 0x60000, 0x62000, 0x80000, 0x90000, 0xA0000, 0xB0000 };
	uint8_t *blobs[] = { env, bdata, r0, r1, be, bad, t, breed };
	uint64_t sizes[] = { 0x1000, 0x4000, 0x2000, 0x2000, 0x800, 0x1000, 0x1000, sizeof(breed) };
	uint8_t *d = dump_with(8, offs, blobs, sizes);

	struct fwkit_env_scan s;
	assert_int_equal(fwkit_env_find(NULL, d, DUMP_SIZE, &s), FWKIT_OK);
	assert_int_equal(s.count, 8);
	const struct fwkit_env_block *b = s.blocks;
	assert_int_equal(b[0].offset, 0x30000);
	assert_int_equal(b[0].size, 0x1000);
	assert_int_equal(b[0].kind, FWKIT_ENV_UBOOT);
	assert_true(b[0].crc_ok && !b[0].crc_big_endian && !b[0].redundant);
	assert_int_equal(b[0].nvars, 3);
	assert_int_equal(b[0].pad_byte, 0xFF);
	assert_int_equal(b[1].kind, FWKIT_ENV_XIAOMI_BDATA);
	assert_int_equal(b[1].size, 0x4000);
	assert_int_equal(b[1].pad_byte, 0x00);
	assert_true(b[2].redundant && b[3].redundant);
	assert_int_equal(b[2].copy, 0);
	assert_int_equal(b[3].copy, 1);
	assert_int_equal(b[2].other_offset, 0x62000);
	assert_int_equal(b[2].scheme, FWKIT_ENV_FLAGS_COUNTER);
	assert_false(b[2].active);
	assert_true(b[3].active); /* flag 2 beats flag 1 */
	assert_true(b[4].crc_big_endian && b[4].crc_ok);
	assert_int_equal(b[4].size, 0x800);
	assert_int_equal(b[5].offset, 0x90000);
	assert_false(b[5].crc_ok);
	assert_false(b[5].size_known);
	assert_int_equal(b[5].size, 0x400); /* the smallest standard size that holds it */
	assert_int_equal(b[6].kind, FWKIT_ENV_TEXT_NO_CRC);
	assert_int_equal(b[6].nvars, 4);
	assert_int_equal(b[7].kind, FWKIT_ENV_BREED);
	assert_int_equal(b[7].nvars, 2);

	/* a bare blob is found with the file's size */
	assert_int_equal(fwkit_env_find(NULL, env, 0x1000, &s), FWKIT_OK);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.blocks[0].size, 0x1000);
	/* nothing env-like: nothing found, no error */
	uint8_t zeros[4096] = { 0 };
	assert_int_equal(fwkit_env_find(NULL, zeros, sizeof(zeros), &s), FWKIT_OK);
	assert_int_equal(s.count, 0);
	free(d);
	free(t);
	free(env);
	free(bdata);
	free(r0);
	free(r1);
	free(be);
	free(bad);
}

static void every_prefix_is_safe(void **state)
{
	(void)state;
	uint8_t *env = blob("a=1\nb=2\n", 0x100, true, false, 0xFF);
	for (size_t cut = 0; cut <= 0x100; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, env, cut);
		struct fwkit_env_scan s;
		assert_int_equal(fwkit_env_find(NULL, c, cut, &s), FWKIT_OK);
		for (size_t i = 0; i < s.count; i++)
			assert_true(s.blocks[i].offset + s.blocks[i].size <= cut || !s.blocks[i].size_known);
		free(c);
	}
	free(env);
}

static struct fwkit_env_block only_block(const uint8_t *d, size_t len)
{
	struct fwkit_env_scan s;
	assert_int_equal(fwkit_env_find(NULL, d, len, &s), FWKIT_OK);
	assert_true(s.count >= 1);
	return s.blocks[0];
}

static void set_keeps_order_size_pad_and_byte_order(void **state)
{
	(void)state;
	uint8_t *env = blob("bootdelay=1\nuart_en=0\nz=last\n", 0x1000, false, true, 0x00);
	uint64_t offs[] = { 0x30000 };
	uint8_t *blobs[] = { env };
	uint64_t sizes[] = { 0x1000 };
	uint8_t *d = dump_with(1, offs, blobs, sizes);
	uint8_t *orig = malloc(DUMP_SIZE);
	memcpy(orig, d, DUMP_SIZE);
	struct fwkit_env_block b = only_block(d, DUMP_SIZE);
	struct fwkit_env_edit edits[] = { { "bootdelay", "5" }, { "uart_en", "1" }, { "new", "v" } };
	struct fwkit_env_change ch;
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &b, edits, 3, false, false, &ch), FWKIT_OK);
	assert_memory_equal(d + 0x30004, "bootdelay=5\0uart_en=1\0z=last\0new=v\0\0", 36);
	assert_int_equal(d[0x30004 + 36], 0x00); /* the block's own pad byte */
	assert_int_equal(load_be32(d + 0x30000), fwkit_crc32(0, d + 0x30004, 0x1000 - 4));
	/* only bytes of the block changed, and the ranges say which */
	for (size_t i = 0; i < DUMP_SIZE; i++)
		if (d[i] != orig[i])
			assert_true(i >= 0x30000 && i < 0x31000);
	assert_true(ch.nranges >= 1);
	for (size_t r = 0; r < ch.nranges; r++)
		assert_true(ch.ranges[r].offset >= 0x30000 && ch.ranges[r].offset + ch.ranges[r].length <= 0x31000);
	/* unset, then replace everything */
	b = only_block(d, DUMP_SIZE);
	struct fwkit_env_edit del[] = { { "z", NULL } };
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &b, del, 1, false, false, &ch), FWKIT_OK);
	assert_memory_equal(d + 0x30004, "bootdelay=5\0uart_en=1\0new=v\0\0", 30);
	b = only_block(d, DUMP_SIZE);
	struct fwkit_env_edit only[] = { { "just", "this" } };
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &b, only, 1, true, false, &ch), FWKIT_OK);
	assert_memory_equal(d + 0x30004, "just=this\0\0", 11);
	free(orig);
	free(d);
	free(env);
}

static void refusals(void **state)
{
	(void)state;
	uint8_t *env = blob("a=1\n", 0x40, false, false, 0xFF);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_env_block b = only_block(env, 0x40);
	struct fwkit_env_change ch;
	char big[100];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	struct fwkit_env_edit e1[] = { { "long", big } };
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, e1, 1, false, false, &ch), FWKIT_E_DOES_NOT_FIT);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "needs 110 bytes, block holds 60"));
	struct fwkit_env_edit e2[] = { { "", "x" } };
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, e2, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	struct fwkit_env_edit e3[] = { { "a=b", "x" } };
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, e3, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	struct fwkit_env_edit e4[] = { { "a", "two\nlines" } };
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, e4, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_string_equal(fwkit_ctx_error(ctx)->found, "a newline");
	/* a bad CRC: refused, unless repairing */
	env[10] = 'X';
	b = only_block(env, 0x40);
	assert_false(b.crc_ok);
	struct fwkit_env_edit ok[] = { { "a", "2" } };
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, ok, 1, false, false, &ch), FWKIT_E_BAD_CHECKSUM);
	b.size_known = true; /* as --size 0x40 would say */
	assert_int_equal(fwkit_env_apply(ctx, env, 0x40, &b, ok, 1, false, true, &ch), FWKIT_OK);
	b = only_block(env, 0x40);
	assert_true(b.crc_ok);
	/* a stored CRC whose first byte is printable is still a bad CRC, not a missing env
	 * (the QEMU test's env corrupt case: 0x88aa9f56 stored little-endian starts with 'V') */
	store_le32(env, 0x88aa9f56u);
	b = only_block(env, 0x40);
	assert_int_equal(b.kind, FWKIT_ENV_UBOOT);
	assert_false(b.crc_ok);
	fwkit_ctx_free(ctx);
	free(env);
}

static void redundant_pair_is_written_like_uboot(void **state)
{
	(void)state;
	uint8_t *c0 = blob("v=0\n", 0x1000, true, false, 0xFF);
	uint8_t *c1 = blob("v=0\n", 0x1000, true, false, 0xFF);
	uint64_t offs[] = { 0x10000, 0x11000 };
	uint8_t *blobs[] = { c0, c1 };
	uint64_t sizes[] = { 0x1000, 0x1000 };
	uint8_t *d = dump_with(2, offs, blobs, sizes);
	/* both flags 1: boolean scheme, copy 0 active; the write goes to copy 1, copy 0 becomes obsolete */
	struct fwkit_env_block b = only_block(d, DUMP_SIZE);
	assert_int_equal(b.scheme, FWKIT_ENV_FLAGS_BOOLEAN);
	struct fwkit_env_edit e[] = { { "v", "1" } };
	struct fwkit_env_change ch;
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &b, e, 1, false, false, &ch), FWKIT_OK);
	assert_int_equal(ch.written_offset, 0x11000);
	assert_int_equal(d[0x11004], 1);
	assert_int_equal(d[0x10004], 0);
	assert_memory_equal(d + 0x11005, "v=1\0\0", 5);
	assert_memory_equal(d + 0x10005, "v=0\0\0", 5);
	struct fwkit_env_scan s;
	fwkit_env_find(NULL, d, DUMP_SIZE, &s);
	assert_int_equal(s.count, 2);
	assert_false(s.blocks[0].active);
	assert_true(s.blocks[1].active);
	/* the next write goes back to copy 0 and reads from copy 1 */
	struct fwkit_env_edit e2[] = { { "w", "2" } };
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &s.blocks[0], e2, 1, false, false, &ch), FWKIT_OK);
	assert_int_equal(ch.written_offset, 0x10000);
	assert_memory_equal(d + 0x10005, "v=1\0w=2\0\0", 9);
	/* counter scheme: the new copy gets the next serial, the old one is left alone */
	d[0x10004] = 7;
	store_le32(d + 0x10000, fwkit_crc32(0, d + 0x10005, 0x1000 - 5));
	d[0x11004] = 6;
	store_le32(d + 0x11000, fwkit_crc32(0, d + 0x11005, 0x1000 - 5));
	fwkit_env_find(NULL, d, DUMP_SIZE, &s);
	assert_int_equal(s.blocks[0].scheme, FWKIT_ENV_FLAGS_COUNTER);
	assert_true(s.blocks[0].active);
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &s.blocks[0], e, 1, false, false, &ch), FWKIT_OK);
	assert_int_equal(ch.written_offset, 0x11000);
	assert_int_equal(d[0x11004], 8);
	assert_int_equal(d[0x10004], 7);
	/* copy 1 active (flags 7, 8): the edit goes to copy 0 with flag 9, read from copy 1, and the
	 * changed ranges come back sorted even though the pair is written back to front */
	fwkit_env_find(NULL, d, DUMP_SIZE, &s);
	assert_true(s.blocks[1].active);
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &s.blocks[0], e2, 1, false, false, &ch), FWKIT_OK);
	assert_int_equal(ch.written_offset, 0x10000);
	assert_int_equal(d[0x10004], 9);
	fwkit_env_find(NULL, d, DUMP_SIZE, &s);
	assert_true(s.blocks[0].active);
	for (size_t r = 0; r + 1 < ch.nranges; r++)
		assert_true(ch.ranges[r].offset + ch.ranges[r].length <= ch.ranges[r + 1].offset);
	/* boolean pair written back to front: the flag byte of the old copy (lower offset) and the
	 * new copy both appear, in order, with sane lengths */
	memset(d, 0xFF, DUMP_SIZE);
	memcpy(d + 0x10000, c0, 0x1000);
	memcpy(d + 0x11000, c1, 0x1000);
	d[0x10004] = 0; /* copy 1 active in the boolean scheme */
	fwkit_env_find(NULL, d, DUMP_SIZE, &s);
	assert_true(s.blocks[1].active);
	assert_int_equal(fwkit_env_apply(NULL, d, DUMP_SIZE, &s.blocks[0], e, 1, false, false, &ch), FWKIT_OK);
	assert_int_equal(ch.written_offset, 0x10000);
	assert_int_equal(d[0x10004], 1);
	assert_int_equal(d[0x11004], 0);
	assert_true(ch.nranges >= 2);
	assert_int_equal(ch.ranges[ch.nranges - 1].offset, 0x11004);
	assert_int_equal(ch.ranges[ch.nranges - 1].length, 1);
	for (size_t r = 0; r < ch.nranges; r++)
		assert_true(ch.ranges[r].length < 0x1000);
	free(d);
	free(c0);
	free(c1);
}

static void vars_and_block_at(void **state)
{
	(void)state;
	uint8_t *env = blob("a=1\nbee=two words\n", 0x200, false, false, 0xFF);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_env_block b;
	assert_int_equal(fwkit_env_block_at(ctx, env, 0x200, 0, 0, &b), FWKIT_OK);
	struct fwkit_env_vars v;
	assert_int_equal(fwkit_env_vars(ctx, env, 0x200, &b, &v), FWKIT_OK);
	assert_int_equal(v.count, 2);
	assert_true(v.terminated);
	assert_int_equal(v.items[1].name_len, 3);
	assert_memory_equal(v.items[1].value, "two words", 9);
	assert_int_equal(v.items[1].offset, 8);
	fwkit_env_vars_free(&v);
	assert_int_equal(fwkit_env_block_at(ctx, env, 0x200, 0x1F0, 0, &b), FWKIT_E_BAD_MAGIC);
	assert_int_equal(fwkit_env_block_at(ctx, env, 0x200, 0x100, 0x200, &b), FWKIT_E_RANGE);
	assert_int_equal(fwkit_env_block_at(ctx, env, 0x200, 0x1FC, 0, &b), FWKIT_E_TRUNCATED);
	fwkit_ctx_free(ctx);
	free(env);
}

/*
 * A block is a description the caller hands back, and may have been changed: fwkit_env_apply
 * probes the bytes at its offset again and refuses a block that does not describe them, before a
 * byte is written. Before this check, a data_size past the buffer made the serialised area be
 * copied over the end of BUF (an ASan heap-buffer-overflow), and a moved data_offset made the
 * variables be read from elsewhere.
 */
static void apply_checks_the_block_against_the_buffer(void **state)
{
	(void)state;
	enum { LEN = 0x2000, AT = 0x1000, SIZE = 0x1000 };
	uint8_t *env = blob("bootdelay=1\nuart_en=0\n", SIZE, false, false, 0xFF);
	uint8_t *d = malloc(LEN);
	memset(d, 0xFF, LEN);
	memcpy(d + AT, env, SIZE);
	uint8_t *orig = malloc(LEN);
	memcpy(orig, d, LEN);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_env_block good;
	assert_int_equal(fwkit_env_block_at(ctx, d, LEN, AT, 0, &good), FWKIT_OK);
	assert_int_equal(good.size, SIZE);
	assert_int_equal(good.data_size, SIZE - 4);
	struct fwkit_env_edit e[] = { { "bootdelay", "5" } };
	struct fwkit_env_change ch;

	/* the data area grown past the end of the buffer (offset + 4 + data_size > LEN) */
	struct fwkit_env_block b = good;
	b.data_size = 2 * SIZE;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_string_equal(fwkit_ctx_error(ctx)->expected, "data_size 0xffc");
	assert_string_equal(fwkit_ctx_error(ctx)->found, "data_size 0x2000");
	assert_memory_equal(d, orig, LEN);
	/* a data area larger than the block although the block fits */
	b = good;
	b.data_size = SIZE;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d, orig, LEN);
	/* the data read from somewhere else */
	b = good;
	b.data_offset = AT + 0x800;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d, orig, LEN);
	/* a size whose CRC does not match is a different (bad-CRC) block, and its data_size must follow */
	b = good;
	b.size = 0x800;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, true, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d, orig, LEN);
	/* a flag byte claimed where there is none */
	b = good;
	b.redundant = true;
	b.data_offset = AT + 5;
	b.data_size = SIZE - 5;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d, orig, LEN);
	/* a block at an offset where there is no env */
	b = good;
	b.offset = 0;
	b.data_offset = 4;
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d, orig, LEN);
	/* a claimed good CRC does not make a bad one good: the CRC state comes from the bytes */
	d[AT + 4] = 'B';
	b = good;
	assert_true(b.crc_ok);
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &b, e, 1, false, false, &ch), FWKIT_E_BAD_CHECKSUM);
	d[AT + 4] = 'b';
	/* the block as found is written */
	assert_int_equal(fwkit_env_apply(ctx, d, LEN, &good, e, 1, false, false, &ch), FWKIT_OK);
	assert_memory_equal(d + AT + 4, "bootdelay=5\0uart_en=0\0\0", 23);
	assert_int_equal(load_le32(d + AT), fwkit_crc32(0, d + AT + 4, SIZE - 4));
	fwkit_ctx_free(ctx);
	free(orig);
	free(d);
	free(env);
}

/* A redundant copy whose partner offset points into the copy itself is refused, not written over itself. */
static void apply_refuses_an_overlapping_partner(void **state)
{
	(void)state;
	uint8_t *c0 = blob("v=0\n", 0x1000, true, false, 0xFF);
	uint8_t *c1 = blob("v=0\n", 0x1000, true, false, 0xFF);
	uint64_t offs[] = { 0x10000, 0x11000 };
	uint8_t *blobs[] = { c0, c1 };
	uint64_t sizes[] = { 0x1000, 0x1000 };
	uint8_t *d = dump_with(2, offs, blobs, sizes);
	struct fwkit_env_block b = only_block(d, DUMP_SIZE);
	assert_int_equal(b.copy, 0);
	assert_int_equal(b.other_offset, 0x11000);
	b.other_offset = b.offset; /* "the partner is this very block" */
	struct fwkit_env_edit e[] = { { "v", "1" } };
	struct fwkit_env_change ch;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_env_apply(ctx, d, DUMP_SIZE, &b, e, 1, false, false, &ch), FWKIT_E_INVALID_ARG);
	assert_memory_equal(d + 0x10000, c0, 0x1000);
	assert_memory_equal(d + 0x11000, c1, 0x1000);
	fwkit_ctx_free(ctx);
	free(d);
	free(c0);
	free(c1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_follows_mkenvimage),
		cmocka_unit_test(text_rules),
		cmocka_unit_test(finds_blocks_of_every_kind),
		cmocka_unit_test(every_prefix_is_safe),
		cmocka_unit_test(set_keeps_order_size_pad_and_byte_order),
		cmocka_unit_test(refusals),
		cmocka_unit_test(redundant_pair_is_written_like_uboot),
		cmocka_unit_test(vars_and_block_at),
		cmocka_unit_test(apply_checks_the_block_against_the_buffer),
		cmocka_unit_test(apply_refuses_an_overlapping_partner),
	};
	return cmocka_run_group_tests_name("env", tests, NULL, NULL);
}
