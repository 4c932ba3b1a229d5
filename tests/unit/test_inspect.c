/*
 * Whole-dump entry points that take a device profile (fwkit_inspect, fwkit_identify): a profile
 * built by the caller is checked (fwkit_profile_check) before it is used, and the selfcheck itself
 * refuses what would make them divide by zero, dereference a missing partition or read past an
 * array. Also: how much stack an inspection takes (no 12 KB findings struct in any frame).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

#define FLASH 0x20000u
#define FW_AT 0x9000u

/* A small NOR router: bootloader, factory (EEPROM and MAC), firmware. */
static struct fwkit_profile tiny(void)
{
	struct fwkit_profile p;
	memset(&p, 0, sizeof(p));
	snprintf(p.id, sizeof(p.id), "test_tiny-router");
	snprintf(p.name, sizeof(p.name), "Tiny test router");
	snprintf(p.vendor, sizeof(p.vendor), "test");
	snprintf(p.soc, sizeof(p.soc), "MT7628AN");
	p.flash_size = FLASH;
	p.erase_size = 0x1000;
	p.nparts = 3;
	p.parts[0] = (struct fwkit_partition){ "u-boot", 0, 0x8000, true, FWKIT_PART_BOOTLOADER };
	p.parts[1] = (struct fwkit_partition){ "factory", 0x8000, 0x1000, true, FWKIT_PART_FACTORY };
	p.parts[2] = (struct fwkit_partition){ "firmware", FW_AT, FLASH - FW_AT, false, FWKIT_PART_FIRMWARE };
	p.firmware_max = FLASH - FW_AT;
	p.neeproms = 1;
	p.eeproms[0] = (struct fwkit_eeprom_location){ "factory", 0, 0x400, 0x7628, "2.4GHz" };
	p.nmacs = 1;
	p.macs[0] = (struct fwkit_mac_location){ "factory", 0x4, FWKIT_MAC_LAN, 0 };
	return p;
}

/* A dump of it: an EEPROM with its chip id and a MAC, and a kernel uImage (no rootfs) at FW_AT. */
static uint8_t *tiny_dump(void)
{
	uint8_t *d = malloc(FLASH);
	memset(d, 0xFF, FLASH);
	memcpy(d, "U-Boot 1.1.3 (Aug 18 2020 - 11:10:29)", 37); /* the shape U-Boot prints */
	d[0x8000] = 0x28;
	d[0x8001] = 0x76;
	memcpy(d + 0x8004, "\x02\x11\x22\x33\x44\x55", 6);
	uint8_t payload[0x1800];
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	struct fwkit_iovec v = { payload, sizeof(payload) };
	struct fwkit_uimage_build_params bp = { .os = 5, .arch = 5, .type = FWKIT_UIMAGE_TYPE_KERNEL, .comp = 0,
						.load = 0x80000000u, .ep = 0x80000000u, .name = "test kernel",
						.parts = &v, .nparts = 1 };
	uint8_t *img = NULL;
	size_t n = 0;
	assert_int_equal(fwkit_uimage_build(NULL, &bp, &img, &n), FWKIT_OK);
	assert_true(n <= FLASH - FW_AT);
	memcpy(d + FW_AT, img, n);
	free(img);
	return d;
}

/* The "partition" node called NAME of an inspect tree. */
static const struct fwkit_node *report_of(const struct fwkit_node *r, const char *name)
{
	for (size_t i = 0; i < fwkit_node_child_count(r); i++) {
		const struct fwkit_node *c = fwkit_node_child(r, i);
		if (strcmp(fwkit_node_format(c), "partition") == 0 && strcmp(fwkit_node_get(c, "name")->text, name) == 0)
			return c;
	}
	fail_msg("no partition node for %s", name);
	return NULL;
}

static const struct fwkit_node *child_of(const struct fwkit_node *n, const char *format)
{
	for (size_t i = 0; n && i < fwkit_node_child_count(n); i++)
		if (strcmp(fwkit_node_format(fwkit_node_child(n, i)), format) == 0)
			return fwkit_node_child(n, i);
	return NULL;
}

static size_t count_format(const struct fwkit_node *n, const char *format)
{
	size_t k = 0;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		k += strcmp(fwkit_node_format(fwkit_node_child(n, i)), format) == 0;
	return k;
}

static void a_good_profile_is_inspected(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_profile_check(ctx, &p), FWKIT_OK);
	uint8_t *d = tiny_dump();
	struct fwkit_node *r = NULL;
	assert_int_equal(fwkit_inspect(ctx, d, FLASH, &p, NULL, 0, &r), FWKIT_OK);
	assert_string_equal(fwkit_node_get(r, "device")->text, p.id);
	assert_true(fwkit_node_get(r, "device_forced")->u);
	assert_int_equal(count_format(r, "partition"), 3);
	/* typed fields, not prose: the bootloader's version node, the kernel's uImage node */
	const struct fwkit_node *boot = report_of(r, "u-boot");
	assert_string_equal(fwkit_node_get(boot, "holds")->text, "bootloader");
	assert_non_null(child_of(boot, "u-boot"));
	assert_string_equal(fwkit_node_get(child_of(boot, "u-boot"), "version")->text, "U-Boot 1.1.3 (Aug 18 2020 - 11:10:29)");
	const struct fwkit_node *fw = report_of(r, "firmware");
	assert_string_equal(fwkit_node_get(fw, "holds")->text, "kernel");
	assert_non_null(child_of(fw, "uimage"));
	assert_true(fwkit_node_get(child_of(fw, "uimage"), "header_crc_ok")->u);
	assert_true(fwkit_node_get(child_of(fw, "uimage"), "data_crc_ok")->u);
	const struct fwkit_node *eeprom = child_of(report_of(r, "factory"), "wifi-eeprom");
	assert_non_null(eeprom);
	assert_int_equal(fwkit_node_get(eeprom, "chip_id")->u, 0x7628); /* as the profile says: no finding */
	assert_int_equal(fwkit_node_worst(report_of(r, "factory")), -1);
	const struct fwkit_node *macs = child_of(r, "macs");
	assert_int_equal(fwkit_node_child_count(macs), 1);
	assert_string_equal(fwkit_node_get(fwkit_node_child(macs, 0), "mac")->text, "02:11:22:33:44:55");
	fwkit_node_free(r);
	/* the same profile given as an extra one is scored: its EEPROM chip id is evidence */
	assert_int_equal(fwkit_inspect(ctx, d, FLASH, NULL, &p, 1, &r), FWKIT_OK);
	const struct fwkit_node *id = child_of(r, "identification");
	assert_non_null(id);
	assert_string_equal(fwkit_node_get(id, "device")->text, p.id);
	const struct fwkit_node *best = child_of(id, "candidate");
	assert_non_null(best);
	bool chip = false;
	for (size_t i = 0; i < fwkit_node_child_count(best); i++) {
		const struct fwkit_node *e = fwkit_node_child(best, i);
		chip |= fwkit_node_get(e, "kind")->u == FWKIT_EVIDENCE_EEPROM_CHIP && fwkit_node_get(e, "weight")->i == 8 &&
			strcmp(fwkit_node_get(e, "value")->text, "0x7628") == 0;
	}
	assert_true(chip);
	fwkit_node_free(r);
	free(d);
	fwkit_ctx_free(ctx);
}

/* Every entry point refuses P with FWKIT_E_INVALID_ARG and the selfcheck's reason (WHY). */
static void refused_everywhere(const struct fwkit_profile *p, const char *why)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	assert_int_equal(fwkit_profile_check(ctx, p), FWKIT_E_CORRUPT);
	if (!strstr(fwkit_ctx_error(ctx)->what, why))
		fail_msg("selfcheck said \"%s\", expected \"%s\"", fwkit_ctx_error(ctx)->what, why);
	uint8_t *d = tiny_dump();
	struct fwkit_node *r = NULL;
	/* among the extra profiles to rank */
	struct fwkit_identification *id = calloc(1, sizeof(*id));
	assert_int_equal(fwkit_identify(ctx, d, FLASH, p, 1, id), FWKIT_E_INVALID_ARG);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, why));
	assert_int_equal(id->n, 0);
	assert_int_equal(fwkit_inspect(ctx, d, FLASH, NULL, p, 1, &r), FWKIT_E_INVALID_ARG);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, why));
	/* forced */
	assert_int_equal(fwkit_inspect(ctx, d, FLASH, p, NULL, 0, &r), FWKIT_E_INVALID_ARG);
	if (!strstr(fwkit_ctx_error(ctx)->what, why))
		fail_msg("inspect said \"%s\", expected \"%s\"", fwkit_ctx_error(ctx)->what, why);
	assert_string_equal(fwkit_ctx_error(ctx)->expected, "a profile that passes fwkit_profile_check");
	/* without a context the refusal is the same */
	assert_int_equal(fwkit_inspect(NULL, d, FLASH, p, NULL, 0, &r), FWKIT_E_INVALID_ARG);
	assert_int_equal(fwkit_identify(NULL, d, FLASH, p, 1, id), FWKIT_E_INVALID_ARG);
	assert_null(r);
	free(id);
	free(d);
	fwkit_ctx_free(ctx);
}

/* Before: the rootfs search stepped by erase blocks, cand / p->erase_size: SIGFPE (UBSan:
 * "division by zero") in firmware_report. */
static void erase_size_zero_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	p.erase_size = 0;
	refused_everywhere(&p, "bad erase size 0x0");
}

/* Before: inspected as if it were fine (wrong result); its block arithmetic is meaningless. */
static void erase_size_not_a_power_of_two_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	p.erase_size = 0x1800;
	refused_everywhere(&p, "bad erase size 0x1800");
}

/* Before: score_profile took fwkit_profile_partition() == NULL and read part->offset: SEGV. */
static void eeprom_in_a_missing_partition_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	snprintf(p.eeproms[0].partition, sizeof(p.eeproms[0].partition), "art");
	refused_everywhere(&p, "EEPROM 0 names unknown partition art");
}

static void env_in_a_missing_partition_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	p.nenvs = 1;
	p.envs[0] = (struct fwkit_env_location){ "u-boot-env", 0, 0x1000, false, false };
	refused_everywhere(&p, "env 0 names unknown partition u-boot-env");
}

static void mac_in_a_missing_partition_is_refused(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	snprintf(p.macs[0].partition, sizeof(p.macs[0].partition), "Factory");
	refused_everywhere(&p, "MAC 0 names unknown partition Factory");
}

/* Counts past the arrays and names without a terminator were read past their arrays before. */
static void counts_and_names_are_bounded(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	p.nmacs = FWKIT_PROFILE_MAX_MACS + 1;
	refused_everywhere(&p, "more than 8 MACs");
	p = tiny();
	p.neeproms = FWKIT_PROFILE_MAX_EEPROMS + 1;
	refused_everywhere(&p, "more than 4 EEPROMs");
	p = tiny();
	p.nenvs = FWKIT_PROFILE_MAX_ENVS + 1;
	refused_everywhere(&p, "more than 4 envs");
	p = tiny();
	p.nrecovery = FWKIT_PROFILE_MAX_RECOVERY + 1;
	refused_everywhere(&p, "more than 8 recovery");
	p = tiny();
	memset(p.parts[1].name, 'f', sizeof(p.parts[1].name));
	refused_everywhere(&p, "not terminated");
	p = tiny();
	memset(p.macs[0].partition, 'f', sizeof(p.macs[0].partition));
	refused_everywhere(&p, "not terminated");
}

/* ---- stack ----------------------------------------------------------------------------- */

struct job {
	void (*fn)(void *);
	void *arg;
};

static void *run_job(void *p)
{
	struct job *j = p;
	j->fn(j->arg);
	return NULL;
}

#define PAINT 0xA5
#define STACK_SIZE (1u << 20)

#if defined(__GNUC__)
__attribute__((no_sanitize_address))
#endif
static size_t untouched(const volatile uint8_t *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] == PAINT)
		i++;
	return i;
}

/* Bytes of stack FN used, on a painted stack of its own (the stack grows down). */
static size_t stack_used(void (*fn)(void *), void *arg)
{
	uint8_t *stack = aligned_alloc(4096, STACK_SIZE);
	assert_non_null(stack);
	memset(stack, PAINT, STACK_SIZE);
	pthread_attr_t a;
	pthread_t t;
	struct job j = { fn, arg };
	assert_int_equal(pthread_attr_init(&a), 0);
	assert_int_equal(pthread_attr_setstack(&a, stack, STACK_SIZE), 0);
	assert_int_equal(pthread_create(&t, &a, run_job, &j), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	pthread_attr_destroy(&a);
	size_t used = STACK_SIZE - untouched(stack, STACK_SIZE);
	free(stack);
	return used;
}

static void nothing(void *arg)
{
	(void)arg;
}

struct inspect_args {
	const struct fwkit_profile *p;
	const uint8_t *d;
	struct fwkit_node *r;
	enum fwkit_status st;
};

static void do_inspect(void *arg)
{
	struct inspect_args *x = arg;
	fwkit_node_free(x->r);
	x->st = fwkit_inspect(NULL, x->d, FLASH, x->p, NULL, 0, &x->r);
}

static void do_inspect_ranked(void *arg)
{
	struct inspect_args *x = arg;
	fwkit_node_free(x->r);
	x->st = fwkit_inspect(NULL, x->d, FLASH, NULL, x->p, 1, &x->r);
}

/*
 * A fwkit_findings is FWKIT_FINDINGS_MAX findings of ~380 bytes (12 KB), and a fwkit_uimage holds
 * one: a frame that keeps either on the stack makes the call use more than that. Before, both the
 * scoring of a profile and the firmware report kept a fwkit_uimage on the stack.
 */
static void inspect_keeps_no_findings_on_the_stack(void **state)
{
	(void)state;
	struct fwkit_profile p = tiny();
	uint8_t *d = tiny_dump();
	size_t base = stack_used(nothing, NULL);
	struct inspect_args x = { &p, d, NULL, FWKIT_E_IO };
	size_t forced = stack_used(do_inspect, &x) - base;
	assert_int_equal(x.st, FWKIT_OK);
	assert_string_equal(fwkit_node_get(report_of(x.r, "firmware"), "holds")->text, "kernel");
	x.st = FWKIT_E_IO;
	size_t ranked = stack_used(do_inspect_ranked, &x) - base;
	assert_int_equal(x.st, FWKIT_OK);
	print_message("stack: inspect %zu bytes, with ranking %zu bytes (a findings struct is %zu)\n", forced, ranked,
		      sizeof(struct fwkit_findings));
	assert_true(sizeof(struct fwkit_findings) >= 10000);
	assert_true(forced < sizeof(struct fwkit_findings));
	assert_true(ranked < sizeof(struct fwkit_findings));
	fwkit_node_free(x.r);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_good_profile_is_inspected),
		cmocka_unit_test(erase_size_zero_is_refused),
		cmocka_unit_test(erase_size_not_a_power_of_two_is_refused),
		cmocka_unit_test(eeprom_in_a_missing_partition_is_refused),
		cmocka_unit_test(env_in_a_missing_partition_is_refused),
		cmocka_unit_test(mac_in_a_missing_partition_is_refused),
		cmocka_unit_test(counts_and_names_are_bounded),
		cmocka_unit_test(inspect_keeps_no_findings_on_the_stack),
	};
	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
