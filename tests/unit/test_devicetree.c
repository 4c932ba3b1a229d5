/*
 * The device tree inside real OpenWrt kernels: an lzma uImage (A5-V11, bundled) and a uImage
 * "none" holding OpenWrt's lzma-loader (Mi Router 3G v2, from the shared real data when present).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

static bool load_dt(const char *path, struct fwkit_devicetree *dt, size_t *file_size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	if (fwkit_file_open(ctx, path, &f) != FWKIT_OK) {
		fwkit_ctx_free(ctx);
		return false;
	}
	struct fwkit_uimage img;
	assert_int_equal(fwkit_uimage_parse(ctx, fwkit_file_data(f), fwkit_file_size(f), 0, 0, &img), FWKIT_OK);
	assert_int_equal(fwkit_devicetree_from_kernel(ctx, fwkit_file_data(f) + img.data_offset, img.data_size, img.hdr.comp, dt),
			 FWKIT_OK);
	*file_size = fwkit_file_size(f);
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
	return true;
}

static void lzma_kernel_a5v11(void **state)
{
	(void)state;
	struct fwkit_devicetree dt;
	size_t sz;
	assert_true(load_dt(FWKIT_TEST_DATA "/uimage/good/a5-v11-19.07.7-sysupgrade.bin", &dt, &sz));
	assert_string_equal(dt.model, "A5-V11");
	assert_string_equal(dt.compatible[0], "unbranded,a5-v11");
	assert_int_equal(dt.nparts, 4);
	assert_string_equal(dt.parts[3].label, "firmware");
	assert_int_equal(dt.parts[3].offset, 0x50000);
	assert_int_equal(dt.parts[3].size, 0x3b0000);
	assert_true(dt.parts[0].read_only);
	/* the profile it describes agrees with the built-in one */
	struct fwkit_profile p;
	assert_int_equal(fwkit_profile_from_devicetree(NULL, &dt, 0x400000, &p), FWKIT_OK);
	assert_string_equal(p.id, "unbranded_a5-v11");
	assert_int_equal(fwkit_profile_check(NULL, &p), FWKIT_OK);
	const struct fwkit_profile *b = fwkit_profile_find("unbranded_a5-v11", NULL, 0);
	assert_int_equal(p.nparts, b->nparts);
	for (size_t i = 0; i < p.nparts; i++) {
		assert_int_equal(p.parts[i].offset, b->parts[i].offset);
		assert_int_equal(p.parts[i].size, b->parts[i].size);
	}
	assert_int_equal(p.nmacs, 1);
	assert_int_equal(p.macs[0].offset, b->macs[0].offset);
}

static void lzma_loader_mir3g_v2(void **state)
{
	(void)state;
	struct fwkit_devicetree dt;
	size_t sz;
	if (!load_dt(FWKIT_REAL_DATA "/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin", &dt, &sz)) {
		print_message("SKIP: shared real data not present\n");
		skip();
	}
	assert_string_equal(dt.model, "Xiaomi Mi Router 3G v2");
	assert_string_equal(dt.compatible[0], "xiaomi,mir3g-v2");
	assert_true(dt.lzma_offset > 0); /* found inside the lzma-loader */
	assert_int_equal(dt.nmacs, 2);
	assert_string_equal(dt.macs[0].partition, "factory");
	assert_int_equal(dt.macs[0].offset, 0xe000);
	assert_int_equal(dt.macs[1].offset, 0xe006);
	assert_int_equal(dt.nparts, 8);
}

static void no_devicetree_in_random_bytes(void **state)
{
	(void)state;
	uint8_t junk[4096];
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 7 + 3);
	struct fwkit_devicetree dt;
	assert_int_equal(fwkit_devicetree_from_kernel(NULL, junk, sizeof(junk), 0, &dt), FWKIT_E_BAD_MAGIC);
	assert_int_equal(fwkit_devicetree_from_kernel(NULL, junk, sizeof(junk), 3, &dt), FWKIT_E_BAD_MAGIC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lzma_kernel_a5v11),
		cmocka_unit_test(lzma_loader_mir3g_v2),
		cmocka_unit_test(no_devicetree_in_random_bytes),
	};
	return cmocka_run_group_tests_name("devicetree", tests, NULL, NULL);
}
