/*
 * The byte cursor: bounds, byte order, sticky failure, bounded strings, child cursors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/cursor.h"

static const uint8_t BYTES[] = { 0x27, 0x05, 0x19, 0x56, 0x01, 0x02, 0x03, 0x04, 0xAA, 0xBB };

static void reads_big_and_little_endian(void **state)
{
	(void)state;
	struct cursor c;
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_int_equal(cursor_be32(&c), 0x27051956);
	assert_int_equal(cursor_le32(&c), 0x04030201);
	assert_int_equal(cursor_be16(&c), 0xAABB);
	assert_true(cursor_ok(&c));
	assert_int_equal(cursor_remaining(&c), 0);
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_int_equal(cursor_le16(&c), 0x0527);
	assert_int_equal(cursor_u8(&c), 0x19);
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_true(cursor_be64(&c) == 0x2705195601020304ull);
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_true(cursor_le64(&c) == 0x0403020156190527ull);
}

static void overrun_is_sticky_and_reads_zero(void **state)
{
	(void)state;
	struct cursor c;
	cursor_init(&c, BYTES, 3, 100);
	assert_int_equal(cursor_be16(&c), 0x2705);
	assert_int_equal(cursor_be32(&c), 0); /* only 1 byte left */
	assert_false(cursor_ok(&c));
	assert_int_equal(c.fail_pos, 2);
	assert_int_equal(c.fail_need, 4);
	/* the position stopped moving, and even a 1-byte read now fails */
	assert_int_equal(cursor_pos(&c), 2);
	assert_int_equal(cursor_u8(&c), 0);
	assert_int_equal(cursor_pos(&c), 2);
	assert_int_equal(cursor_abs(&c), 102);
}

static void huge_lengths_do_not_wrap(void **state)
{
	(void)state;
	struct cursor c;
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	cursor_u8(&c);
	/* pos + SIZE_MAX wraps; the check "n > len - pos" must not */
	assert_null(cursor_bytes(&c, SIZE_MAX));
	assert_false(cursor_ok(&c));
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_false(cursor_skip(&c, SIZE_MAX - 1));
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_false(cursor_seek(&c, sizeof(BYTES) + 1));
	cursor_init(&c, BYTES, sizeof(BYTES), 0);
	assert_true(cursor_seek(&c, sizeof(BYTES)));
	assert_int_equal(cursor_remaining(&c), 0);
}

static void empty_and_null_buffers(void **state)
{
	(void)state;
	struct cursor c;
	cursor_init(&c, NULL, 100, 0); /* a NULL base is an empty cursor whatever the length */
	assert_int_equal(cursor_remaining(&c), 0);
	assert_int_equal(cursor_u8(&c), 0);
	assert_false(cursor_ok(&c));
	cursor_init(&c, BYTES, 0, 0);
	assert_non_null(cursor_bytes(&c, 0)); /* zero bytes are always available */
	assert_true(cursor_ok(&c));
	size_t len = 99;
	assert_null(cursor_cstr(&c, 10, &len));
	assert_false(cursor_ok(&c));
}

static void cstr_is_bounded(void **state)
{
	(void)state;
	static const uint8_t s[] = { 'a', 'b', 'c', 0, 'd', 'e', 'f' };
	struct cursor c;
	size_t len = 0;
	cursor_init(&c, s, sizeof(s), 0);
	const char *p = cursor_cstr(&c, 16, &len);
	assert_non_null(p);
	assert_int_equal(len, 3);
	assert_string_equal(p, "abc");
	assert_int_equal(cursor_pos(&c), 4);
	/* "def" has no terminator before the end: fails without reading past it */
	assert_null(cursor_cstr(&c, 16, &len));
	assert_false(cursor_ok(&c));
	/* a terminator beyond MAX is not accepted */
	cursor_init(&c, s, sizeof(s), 0);
	assert_null(cursor_cstr(&c, 2, &len));
	cursor_init(&c, s, sizeof(s), 0);
	assert_non_null(cursor_cstr(&c, 3, &len));
}

static void sub_cursor_is_exact(void **state)
{
	(void)state;
	struct cursor c, child;
	cursor_init(&c, BYTES, sizeof(BYTES), 0x1000);
	cursor_u8(&c);
	child = cursor_sub(&c, 4);
	assert_true(cursor_ok(&c));
	assert_int_equal(cursor_pos(&c), 5);
	assert_int_equal(child.origin, 0x1001);
	assert_int_equal(cursor_be32(&child), 0x05195601);
	assert_int_equal(cursor_u8(&child), 0); /* the child cannot see its parent's bytes */
	assert_false(cursor_ok(&child));
	child = cursor_sub(&c, 100);
	assert_false(cursor_ok(&c));
	assert_false(cursor_ok(&child));
	assert_int_equal(cursor_remaining(&child), 0);
}

static void copy_zero_fills_on_failure(void **state)
{
	(void)state;
	uint8_t dst[4] = { 9, 9, 9, 9 };
	struct cursor c;
	cursor_init(&c, BYTES, 2, 0);
	assert_false(cursor_copy(&c, dst, sizeof(dst)));
	for (size_t i = 0; i < sizeof(dst); i++)
		assert_int_equal(dst[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_big_and_little_endian), cmocka_unit_test(overrun_is_sticky_and_reads_zero),
		cmocka_unit_test(huge_lengths_do_not_wrap),	 cmocka_unit_test(empty_and_null_buffers),
		cmocka_unit_test(cstr_is_bounded),		 cmocka_unit_test(sub_cursor_is_exact),
		cmocka_unit_test(copy_zero_fills_on_failure),
	};
	return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
