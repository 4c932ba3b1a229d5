/*
 * MAC and identify entry points with profiles a caller built: a profile that fails its selfcheck
 * (a MAC count past the array, an erase size of 0) is refused before its counts are followed
 * (under ASan the MAC count of 9 wrote past struct fwkit_mac_list before), and a good one works.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

static struct fwkit_profile good_profile(void)
{
	struct fwkit_profile p = *fwkit_profile_find("xiaomi_mi-router-3g-v2", NULL, 0);
	return p;
}

static void mac_read_refuses_a_count_past_the_array(void **state)
{
	(void)state;
	struct fwkit_profile p = good_profile();
	p.nmacs = FWKIT_PROFILE_MAX_MACS + 1;
	uint8_t *dump = calloc(1, p.flash_size);
	struct fwkit_mac_list l;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_mac_read(ctx, &p, dump, p.flash_size, &l), FWKIT_E_INVALID_ARG);
	assert_int_equal(l.n, 0);
	bool clone;
	assert_int_equal(fwkit_mac_set(ctx, &p, dump, p.flash_size, (const uint8_t *)"\x02\0\0\0\0\1", -1, &l, &clone),
			 FWKIT_E_INVALID_ARG);
	fwkit_ctx_free(ctx);
	free(dump);
}

static void mac_read_works_with_a_good_profile(void **state)
{
	(void)state;
	struct fwkit_profile p = good_profile();
	uint8_t *dump = malloc(p.flash_size);
	memset(dump, 0xFF, p.flash_size);
	struct fwkit_mac_list l;
	assert_int_equal(fwkit_mac_read(NULL, &p, dump, p.flash_size, &l), FWKIT_OK);
	assert_int_equal(l.n, p.nmacs);
	free(dump);
}

static void identify_refuses_a_broken_extra_profile(void **state)
{
	(void)state;
	struct fwkit_profile p = good_profile();
	p.erase_size = 0;
	uint8_t blob[4096];
	memset(blob, 0xFF, sizeof(blob));
	struct fwkit_node *n = NULL;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_identify_file(ctx, blob, sizeof(blob), &p, 1, &n), FWKIT_E_INVALID_ARG);
	assert_null(n);
	p = good_profile();
	assert_int_equal(fwkit_identify_file(ctx, blob, sizeof(blob), &p, 1, &n), FWKIT_OK);
	assert_non_null(n);
	fwkit_node_free(n);
	fwkit_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mac_read_refuses_a_count_past_the_array),
		cmocka_unit_test(mac_read_works_with_a_good_profile),
		cmocka_unit_test(identify_refuses_a_broken_extra_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
