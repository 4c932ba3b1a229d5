/*
 * fwkit_check over every built-in device x method x kind of file the method takes: each gives a
 * verdict (never an error), the verdict is the worst rule, and the kinds a path does not take are
 * refused by the "kind" rule. The case corpus with real images is tests/cli/check.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

static const char *rule_result(const struct fwkit_node *n, const char *code)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *r = fwkit_node_child(n, i);
		if (!strcmp(fwkit_node_get(r, "code")->text, code))
			return fwkit_node_get(r, "result")->text;
	}
	return "none";
}

/* A kernel uImage of 64 KiB of zeros (mkimage's layout through fwkit_uimage_build). */
static uint8_t *kernel(size_t *len)
{
	static uint8_t zeros[65536];
	struct fwkit_iovec part = { zeros, sizeof(zeros) };
	struct fwkit_uimage_build_params bp = { .os = 5, .arch = 5, .type = 2, .comp = 0, .load = 0x80001000,
						.ep = 0x80001000, .name = "test kernel", .parts = &part, .nparts = 1 };
	uint8_t *out = NULL;
	assert_int_equal(fwkit_uimage_build(NULL, &bp, &out, len), FWKIT_OK);
	return out;
}

static struct fwkit_node *run(const struct fwkit_profile *p, enum fwkit_method m, const uint8_t *img, size_t len)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_check_request req = { .device = p, .via = m };
	struct fwkit_node *n = NULL;
	if (fwkit_check(ctx, img, len, &req, &n) != FWKIT_OK)
		fail_msg("%s via %s: %s", p->id, fwkit_method_name(m), fwkit_ctx_error(ctx)->what);
	fwkit_ctx_free(ctx);
	return n;
}

static void every_device_and_method_gives_a_verdict(void **state)
{
	(void)state;
	size_t klen;
	uint8_t *k = kernel(&klen);
	size_t checked = 0;
	for (size_t i = 0; i < fwkit_profiles_builtin_count(); i++) {
		const struct fwkit_profile *p = fwkit_profiles_builtin_get(i);
		for (unsigned m = 0; m <= FWKIT_VIA_FLASHROM; m++) {
			const struct fwkit_recovery *r = fwkit_profile_method(p, (enum fwkit_method)m);
			if (!r)
				continue;
			struct fwkit_node *n = run(p, (enum fwkit_method)m, k, klen);
			/* a bare kernel uImage: taken by every path that takes uImages, refused by the others and
			 * by sysupgrade, which wants metadata (fwtool.sh: "Image metadata not present") */
			const char *kind = rule_result(n, m == FWKIT_VIA_FLASHROM ? "size" : "kind");
			if (m == FWKIT_VIA_FLASHROM || m == FWKIT_VIA_SYSUPGRADE || !(r->accepts & FWKIT_ACCEPT_UIMAGE))
				assert_string_equal(kind, "fail");
			else if (strcmp(kind, "fail") == 0)
				fail_msg("%s via %s refused a kernel uImage", p->id, fwkit_method_name((enum fwkit_method)m));
			/* no device tree and no metadata: nothing names the board, so never safe */
			assert_int_not_equal(fwkit_check_verdict(n), FWKIT_VERDICT_SAFE);
			fwkit_node_free(n);
			checked++;
		}
	}
	assert_true(checked >= 30);
	free(k);
}

static void a_method_the_device_lacks_is_refused_with_the_list(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_check_request req = { .device = fwkit_profile_find("xiaomi_mi-router-4a-gigabit", NULL, 0),
					   .via = FWKIT_VIA_VENDOR_WEB };
	struct fwkit_node *n = NULL;
	uint8_t b[16] = { 0 };
	assert_int_equal(fwkit_check(ctx, b, sizeof(b), &req, &n), FWKIT_E_INVALID_ARG);
	assert_null(n);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->expected, "uboot-tftp"));
	fwkit_ctx_free(ctx);
}

static void a_profile_failing_its_selfcheck_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = *fwkit_profile_find("unbranded_a5-v11", NULL, 0);
	p.recovery[0].accepts = 0; /* a path that takes nothing */
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_check_request req = { .device = &p, .via = FWKIT_VIA_UBOOT_TFTP };
	struct fwkit_node *n = NULL;
	uint8_t b[16] = { 0 };
	assert_int_equal(fwkit_check(ctx, b, sizeof(b), &req, &n), FWKIT_E_INVALID_ARG);
	p = *fwkit_profile_find("unbranded_a5-v11", NULL, 0);
	strcpy(p.recovery[0].target, "nope");
	assert_int_equal(fwkit_profile_check(ctx, &p), FWKIT_E_CORRUPT);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "no partition named nope"));
	fwkit_ctx_free(ctx);
}

/* The erase-block rounding: a payload that fits in bytes but not in whole blocks fails, with both figures. */
static void whole_blocks_are_counted(void **state)
{
	(void)state;
	struct fwkit_profile p = *fwkit_profile_find("unbranded_a5-v11", NULL, 0);
	size_t klen;
	uint8_t *k = kernel(&klen);
	/* a limit one byte above the kernel: fits in bytes, not in 64 KiB blocks */
	for (size_t i = 0; i < p.nrecovery; i++)
		if (p.recovery[i].kind == FWKIT_RECOVERY_RESET_TFTP)
			p.recovery[i].max_size = (uint32_t)klen + 1;
	struct fwkit_node *n = run(&p, FWKIT_VIA_UBOOT_TFTP, k, klen);
	assert_string_equal(rule_result(n, "size"), "fail");
	assert_int_equal(fwkit_check_verdict(n), FWKIT_VERDICT_WILL_BRICK);
	fwkit_node_free(n);
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_device_and_method_gives_a_verdict),
		cmocka_unit_test(a_method_the_device_lacks_is_refused_with_the_list),
		cmocka_unit_test(a_profile_failing_its_selfcheck_is_refused),
		cmocka_unit_test(whole_blocks_are_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
