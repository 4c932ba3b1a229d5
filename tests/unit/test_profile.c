/*
 * Device profiles: the selfcheck over every built-in profile (flashrom's selfcheck.c is the
 * model), the print-then-re-read round trip of the JSON format, and the reader's refusals.
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

static void every_builtin_passes_the_selfcheck(void **state)
{
	(void)state;
	size_t n = fwkit_profiles_builtin_count();
	assert_true(n >= 13);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	for (size_t i = 0; i < n; i++) {
		const struct fwkit_profile *p = fwkit_profiles_builtin_get(i);
		if (fwkit_profile_check(ctx, p) != FWKIT_OK)
			fail_msg("%s", fwkit_ctx_error(ctx)->what);
		/* unique ids, and ids in OpenWrt's device-name form */
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(fwkit_profiles_builtin_get(j)->id, p->id);
		assert_non_null(strchr(p->id, '_'));
		assert_true(p->source[0] && p->tested[0] && p->nrecovery >= 1);
	}
	assert_null(fwkit_profiles_builtin_get(n));
	/* the ids the issue names are all there */
	const char *ids[] = { "xiaomi_mi-router-3g-v2", "xiaomi_mi-router-4a-gigabit", "xiaomi_mi-router-4a-100m",
			      "xiaomi_mi-router-4c", "xiaomi_mi-router-3g", "hame_mpr-a1", "hame_mpr-a2",
			      "unbranded_a5-v11", "poray_m3", "poray_m4-4m", "poray_m4-8m", "poray_x5", "poray_x8" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		assert_non_null(fwkit_profile_find(ids[i], NULL, 0));
	fwkit_ctx_free(ctx);
}

static void same(const struct fwkit_profile *a, const struct fwkit_profile *b)
{
	assert_string_equal(a->id, b->id);
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->vendor, b->vendor);
	assert_string_equal(a->soc, b->soc);
	assert_int_equal(a->flash_size, b->flash_size);
	assert_int_equal(a->erase_size, b->erase_size);
	assert_int_equal(a->nand, b->nand);
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT; i++)
		assert_string_equal(a->compatible[i], b->compatible[i]);
	assert_int_equal(a->nparts, b->nparts);
	for (size_t i = 0; i < a->nparts; i++) {
		assert_string_equal(a->parts[i].name, b->parts[i].name);
		assert_int_equal(a->parts[i].offset, b->parts[i].offset);
		assert_int_equal(a->parts[i].size, b->parts[i].size);
		assert_int_equal(a->parts[i].read_only, b->parts[i].read_only);
		assert_int_equal(a->parts[i].content, b->parts[i].content);
	}
	assert_int_equal(a->nenvs, b->nenvs);
	for (size_t i = 0; i < a->nenvs; i++) {
		assert_string_equal(a->envs[i].partition, b->envs[i].partition);
		assert_int_equal(a->envs[i].offset, b->envs[i].offset);
		assert_int_equal(a->envs[i].size, b->envs[i].size);
		assert_int_equal(a->envs[i].redundant, b->envs[i].redundant);
		assert_int_equal(a->envs[i].bdata, b->envs[i].bdata);
	}
	assert_int_equal(a->nmacs, b->nmacs);
	for (size_t i = 0; i < a->nmacs; i++) {
		assert_string_equal(a->macs[i].partition, b->macs[i].partition);
		assert_int_equal(a->macs[i].offset, b->macs[i].offset);
		assert_int_equal(a->macs[i].role, b->macs[i].role);
		assert_int_equal(a->macs[i].delta, b->macs[i].delta);
	}
	assert_int_equal(a->neeproms, b->neeproms);
	for (size_t i = 0; i < a->neeproms; i++) {
		assert_string_equal(a->eeproms[i].partition, b->eeproms[i].partition);
		assert_int_equal(a->eeproms[i].offset, b->eeproms[i].offset);
		assert_int_equal(a->eeproms[i].size, b->eeproms[i].size);
		assert_int_equal(a->eeproms[i].chip_id, b->eeproms[i].chip_id);
		assert_string_equal(a->eeproms[i].band, b->eeproms[i].band);
	}
	assert_int_equal(a->firmware_max, b->firmware_max);
	assert_int_equal(a->nrecovery, b->nrecovery);
	for (size_t i = 0; i < a->nrecovery; i++) {
		assert_int_equal(a->recovery[i].kind, b->recovery[i].kind);
		assert_string_equal(a->recovery[i].device_ip, b->recovery[i].device_ip);
		assert_string_equal(a->recovery[i].server_ip, b->recovery[i].server_ip);
		assert_int_equal(a->recovery[i].prefix, b->recovery[i].prefix);
		assert_string_equal(a->recovery[i].file_name, b->recovery[i].file_name);
		assert_int_equal(a->recovery[i].accepts, b->recovery[i].accepts);
		assert_string_equal(a->recovery[i].target, b->recovery[i].target);
		assert_int_equal(a->recovery[i].max_size, b->recovery[i].max_size);
		assert_int_equal(a->recovery[i].load_addr, b->recovery[i].load_addr);
		assert_string_equal(a->recovery[i].board, b->recovery[i].board);
		assert_int_equal(a->recovery[i].flags, b->recovery[i].flags);
		assert_string_equal(a->recovery[i].steps, b->recovery[i].steps);
		assert_string_equal(a->recovery[i].source, b->recovery[i].source);
	}
	assert_string_equal(a->source, b->source);
	assert_string_equal(a->tested, b->tested);
}

static void printed_profiles_parse_back_the_same(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	for (size_t i = 0; i < fwkit_profiles_builtin_count(); i++) {
		const struct fwkit_profile *p = fwkit_profiles_builtin_get(i);
		char *text = NULL;
		assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_OK);
		struct fwkit_profile *back = NULL;
		size_t n = 0;
		if (fwkit_profiles_from_json(ctx, text, strlen(text), &back, &n) != FWKIT_OK)
			fail_msg("%s: %s", p->id, fwkit_ctx_error(ctx)->what);
		assert_int_equal(n, 1);
		same(p, back);
		char *again = NULL;
		assert_int_equal(fwkit_profile_to_json(ctx, back, &again), FWKIT_OK);
		assert_string_equal(text, again);
		free(again);
		free(back);
		free(text);
	}
	fwkit_ctx_free(ctx);
}

static void the_reader_refuses_mistakes(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	char *text = NULL;
	assert_int_equal(fwkit_profile_to_json(ctx, fwkit_profile_find("hame_mpr-a1", NULL, 0), &text), FWKIT_OK);
	struct fwkit_profile *ps = NULL;
	size_t n = 0;
	struct {
		const char *from, *to, *why;
	} cases[] = {
		{ "\"read_only\"", "\"readonly\"", "unknown key \"readonly\"" },
		{ "\"0x3b0000\"", "\"0x3c0000\"", "partitions end at 0x410000" },
		{ "\"u-boot-env\"", "\"u-boot\"", "name u-boot used twice" },
		{ "\"lan\"", "\"lanx\"", "unknown value \"lanx\"" },
		{ "\"0x400000\"", "\"0x400001\"", "not a power of two" },
		{ "\"192.168.1.55\"", "\"192.168.1.555\"", "bad server_ip" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *bad = malloc(strlen(text) + 16);
		const char *at = strstr(text, cases[i].from);
		assert_non_null(at);
		size_t pre = (size_t)(at - text);
		memcpy(bad, text, pre);
		strcpy(bad + pre, cases[i].to);
		strcat(bad, at + strlen(cases[i].from));
		assert_int_equal(fwkit_profiles_from_json(ctx, bad, strlen(bad), &ps, &n), FWKIT_E_CORRUPT);
		if (!strstr(fwkit_ctx_error(ctx)->what, cases[i].why))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, fwkit_ctx_error(ctx)->what, cases[i].why);
		free(bad);
	}
	assert_int_equal(fwkit_profiles_from_json(ctx, "{", 1, &ps, &n), FWKIT_E_CORRUPT);
	/* a list of profiles, in the {"profiles": [...]} form */
	char *two = malloc(2 * strlen(text) + 32);
	sprintf(two, "{\"profiles\": [%s, %s]}", text, text);
	assert_int_equal(fwkit_profiles_from_json(ctx, two, strlen(two), &ps, &n), FWKIT_OK);
	assert_int_equal(n, 2);
	free(ps);
	free(two);
	free(text);
	fwkit_ctx_free(ctx);
}

/* The example shipped for users parses and passes the selfcheck (bgpd's shipped-example check). */
static void the_shipped_example_parses(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	assert_int_equal(fwkit_file_open(ctx, FWKIT_SOURCE_DIR "/examples/profiles/hame_mpr-a1-8m.json", &f), FWKIT_OK);
	struct fwkit_profile *ps = NULL;
	size_t n = 0;
	if (fwkit_profiles_from_json(ctx, (const char *)fwkit_file_data(f), fwkit_file_size(f), &ps, &n) != FWKIT_OK)
		fail_msg("%s", fwkit_ctx_error(ctx)->what);
	assert_int_equal(n, 1);
	assert_string_equal(ps[0].id, "hame_mpr-a1-8m");
	assert_int_equal(ps[0].flash_size, 0x800000);
	assert_ptr_equal(fwkit_profile_find("hame_mpr-a1-8m", ps, n), &ps[0]);
	free(ps);
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
}

/*
 * A profile built by the caller with a count past its array, or a name without its terminator:
 * the selfcheck and the JSON printer refuse it instead of reading past the array (before: the
 * selfcheck walked macs[8..] and recovery[4..], the printer the same, past the struct's end).
 */
static void counts_and_text_fields_are_bounded(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	const struct fwkit_profile *base = fwkit_profile_find("xiaomi_mi-router-4a-gigabit", NULL, 0);
	assert_non_null(base);
	struct fwkit_profile *p = malloc(sizeof(*p)); /* on the heap: ASan sees a read past its end */
	char *text = NULL;
	*p = *base;
	assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_OK);
	free(text);
	text = NULL;
	p->nrecovery = FWKIT_PROFILE_MAX_RECOVERY + 3;
	assert_int_equal(fwkit_profile_check(ctx, p), FWKIT_E_CORRUPT);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "11 recovery methods, more than 8"));
	assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_E_INVALID_ARG);
	assert_null(text);
	*p = *base;
	p->nmacs = FWKIT_PROFILE_MAX_MACS + 1;
	assert_int_equal(fwkit_profile_check(ctx, p), FWKIT_E_CORRUPT);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "9 MACs, more than 8"));
	assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_E_INVALID_ARG);
	*p = *base;
	memset(p->tested, 'x', sizeof(p->tested)); /* the last field: an unterminated read runs off the struct */
	assert_int_equal(fwkit_profile_check(ctx, p), FWKIT_E_CORRUPT);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "not terminated"));
	assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_E_INVALID_ARG);
	assert_null(text);
	/* a draft that fails only the layout rules is still printed (profile from-dump does this) */
	*p = *base;
	p->parts[0].size += 0x1000;
	assert_int_equal(fwkit_profile_check(ctx, p), FWKIT_E_CORRUPT);
	assert_int_equal(fwkit_profile_to_json(ctx, p, &text), FWKIT_OK);
	assert_non_null(text);
	free(text);
	free(p);
	fwkit_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_builtin_passes_the_selfcheck),
		cmocka_unit_test(printed_profiles_parse_back_the_same),
		cmocka_unit_test(the_reader_refuses_mistakes),
		cmocka_unit_test(counts_and_text_fields_are_bounded),
		cmocka_unit_test(the_shipped_example_parses),
	};
	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
