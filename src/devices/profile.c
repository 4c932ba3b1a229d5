/*
 * Device profiles: the table of built-in ones, the selfcheck, and the JSON profile format
 * (read and printed with json-c; nothing here writes JSON by hand).
 */
#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fwkit/poray.h"
#include "devices/devices.h"

/* The vendor tables, in the order profiles are listed. */
static const struct {
	const struct fwkit_profile *table;
	const size_t *count;
} VENDORS[] = {
	{ fwkit_devices_rt5350, &fwkit_devices_rt5350_count },
	{ fwkit_devices_xiaomi, &fwkit_devices_xiaomi_count },
};

size_t fwkit_profiles_builtin_count(void)
{
	size_t n = 0;
	for (size_t v = 0; v < sizeof(VENDORS) / sizeof(VENDORS[0]); v++)
		n += *VENDORS[v].count;
	return n;
}

const struct fwkit_profile *fwkit_profiles_builtin_get(size_t i)
{
	for (size_t v = 0; v < sizeof(VENDORS) / sizeof(VENDORS[0]); v++) {
		if (i < *VENDORS[v].count)
			return &VENDORS[v].table[i];
		i -= *VENDORS[v].count;
	}
	return NULL;
}

const struct fwkit_profile *fwkit_profile_find(const char *id, const struct fwkit_profile *extra, size_t nextra)
{
	for (size_t i = 0; i < nextra; i++)
		if (strcmp(extra[i].id, id) == 0)
			return &extra[i];
	for (size_t i = 0; i < fwkit_profiles_builtin_count(); i++)
		if (strcmp(fwkit_profiles_builtin_get(i)->id, id) == 0)
			return fwkit_profiles_builtin_get(i);
	return NULL;
}

const struct fwkit_partition *fwkit_profile_partition_at(const struct fwkit_profile *p, uint64_t offset)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (offset >= p->parts[i].offset && offset - p->parts[i].offset < p->parts[i].size)
			return &p->parts[i];
	return NULL;
}

const struct fwkit_partition *fwkit_profile_partition(const struct fwkit_profile *p, const char *name)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (strcmp(p->parts[i].name, name) == 0)
			return &p->parts[i];
	return NULL;
}

static const char *const CONTENT_NAMES[] = { "other", "bootloader", "u-boot-env", "bdata", "factory", "crash",
					     "config-backup", "overlay", "firmware", "kernel", "ubi", "reserved" };
static const char *const ROLE_NAMES[] = { "lan", "wan", "wlan-2.4ghz", "wlan-5ghz" };
static const char *const RECOVERY_NAMES[] = { "uboot-tftp-menu", "reset-tftp", "breed-web", "vendor-web",
					       "sysupgrade",      "mtd-write",  "flashrom" };
static const char *const ACCEPT_NAMES[] = { "uimage", "sysupgrade", "poray", "flash-image", "partition" };
static const char *const METHOD_FLAG_NAMES[] = { "whole-blocks", "checks-board", "checks-uimage", "needs-breed",
						 "inferred" };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *fwkit_part_content_name(enum fwkit_part_content c)
{
	return (unsigned)c < COUNT(CONTENT_NAMES) ? CONTENT_NAMES[c] : "unknown";
}
const char *fwkit_mac_role_name(enum fwkit_mac_role r)
{
	return (unsigned)r < COUNT(ROLE_NAMES) ? ROLE_NAMES[r] : "unknown";
}
const char *fwkit_recovery_kind_name(enum fwkit_recovery_kind k)
{
	return (unsigned)k < COUNT(RECOVERY_NAMES) ? RECOVERY_NAMES[k] : "unknown";
}

const char *fwkit_image_accept_name(unsigned bit)
{
	return bit < COUNT(ACCEPT_NAMES) ? ACCEPT_NAMES[bit] : NULL;
}
const char *fwkit_method_flag_name(unsigned bit)
{
	return bit < COUNT(METHOD_FLAG_NAMES) ? METHOD_FLAG_NAMES[bit] : NULL;
}

static enum fwkit_status check_method(struct fwkit_ctx *ctx, const struct fwkit_profile *p,
				      const struct fwkit_recovery *r, size_t i);

static bool pow2(uint64_t v) { return v && !(v & (v - 1)); }

#define CHECK(cond, ...)                                                                                    \
	do {                                                                                                \
		if (!(cond))                                                                                \
			return FWKIT_RAISE(ctx, FWKIT_E_CORRUPT, FWKIT_NO_OFFSET, NULL, NULL, __VA_ARGS__); \
	} while (0)

/* A fixed-size text field holds its terminator (a caller-built profile may fill it to the brim). */
#define TERMINATED(field) (memchr((field), 0, sizeof(field)) != NULL)

/* The part of the selfcheck every reader of a profile needs: counts within the arrays, text
 * fields terminated. A draft that fails the rest (profile from-dump) still passes this. */
static enum fwkit_status check_shape(struct fwkit_ctx *ctx, const struct fwkit_profile *p)
{
	if (!p)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "profile: no profile");
	CHECK(TERMINATED(p->id), "profile: the id is not terminated within %zu bytes", sizeof(p->id));
	CHECK(p->id[0], "profile: empty id");
	/* the counts first: every later check walks the arrays they bound */
	CHECK(p->nparts >= 1, "profile %s: no partitions", p->id);
	CHECK(p->nparts <= FWKIT_PROFILE_MAX_PARTS, "profile %s: %zu partitions, more than %d partitions", p->id, p->nparts,
	      FWKIT_PROFILE_MAX_PARTS);
	CHECK(p->nmacs <= FWKIT_PROFILE_MAX_MACS, "profile %s: %zu MACs, more than %d MACs", p->id, p->nmacs,
	      FWKIT_PROFILE_MAX_MACS);
	CHECK(p->neeproms <= FWKIT_PROFILE_MAX_EEPROMS, "profile %s: %zu EEPROMs, more than %d EEPROMs", p->id,
	      p->neeproms, FWKIT_PROFILE_MAX_EEPROMS);
	CHECK(p->nenvs <= FWKIT_PROFILE_MAX_ENVS, "profile %s: %zu envs, more than %d envs", p->id, p->nenvs,
	      FWKIT_PROFILE_MAX_ENVS);
	CHECK(p->nrecovery <= FWKIT_PROFILE_MAX_RECOVERY, "profile %s: %zu recovery methods, more than %d recovery methods",
	      p->id, p->nrecovery, FWKIT_PROFILE_MAX_RECOVERY);
	CHECK(TERMINATED(p->name) && TERMINATED(p->vendor) && TERMINATED(p->soc) && TERMINATED(p->source) &&
		      TERMINATED(p->tested),
	      "profile %s: a name, vendor, soc, source or tested field is not terminated", p->id);
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT; i++)
		CHECK(TERMINATED(p->compatible[i]), "profile %s: compatible %zu is not terminated", p->id, i);
	for (size_t i = 0; i < p->nparts; i++)
		CHECK(TERMINATED(p->parts[i].name), "profile %s: the name of partition %zu is not terminated", p->id, i);
	for (size_t i = 0; i < p->nmacs; i++)
		CHECK(TERMINATED(p->macs[i].partition), "profile %s: the partition of MAC %zu is not terminated", p->id, i);
	for (size_t i = 0; i < p->neeproms; i++)
		CHECK(TERMINATED(p->eeproms[i].partition) && TERMINATED(p->eeproms[i].band),
		      "profile %s: the partition or band of EEPROM %zu is not terminated", p->id, i);
	for (size_t i = 0; i < p->nenvs; i++)
		CHECK(TERMINATED(p->envs[i].partition), "profile %s: the partition of env %zu is not terminated", p->id, i);
	for (size_t i = 0; i < p->nrecovery; i++) {
		const struct fwkit_recovery *r = &p->recovery[i];
		CHECK(TERMINATED(r->device_ip) && TERMINATED(r->server_ip) && TERMINATED(r->file_name) &&
			      TERMINATED(r->target) && TERMINATED(r->board) && TERMINATED(r->steps) &&
			      TERMINATED(r->source),
		      "profile %s: a text field of recovery method %zu is not terminated", p->id, i);
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_profile_check(struct fwkit_ctx *ctx, const struct fwkit_profile *p)
{
	enum fwkit_status shape = check_shape(ctx, p);
	if (shape != FWKIT_OK)
		return shape;
	CHECK(pow2(p->flash_size), "profile %s: flash size 0x%x is not a power of two", p->id, p->flash_size);
	/* zero or not a power of two: the block arithmetic (offset / erase_size) would divide by zero
	 * or cut blocks where the chip has none */
	CHECK(pow2(p->erase_size) && p->erase_size <= p->flash_size, "profile %s: bad erase size 0x%x", p->id,
	      p->erase_size);
	uint64_t expect = 0;
	for (size_t i = 0; i < p->nparts; i++) {
		const struct fwkit_partition *a = &p->parts[i];
		CHECK(a->name[0], "profile %s: partition %zu has no name", p->id, i);
		CHECK(a->offset == expect, "profile %s: partition %s starts at 0x%x, expected 0x%llx (ordered, no gap or overlap)",
		      p->id, a->name, a->offset, (unsigned long long)expect);
		CHECK(a->size && a->offset % p->erase_size == 0 && a->size % p->erase_size == 0,
		      "profile %s: partition %s is not aligned to the erase size 0x%x", p->id, a->name, p->erase_size);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(p->parts[j].name, a->name) != 0, "profile %s: partition name %s used twice", p->id, a->name);
		expect = (uint64_t)a->offset + a->size;
	}
	/* NOR: the map covers the chip exactly; NAND: the bootloader-side map may stop short
	 * (the last blocks hold the bad-block table) */
	CHECK(p->nand ? expect <= p->flash_size : expect == p->flash_size,
	      "profile %s: partitions end at 0x%llx, the flash is 0x%x", p->id, (unsigned long long)expect, p->flash_size);
	for (size_t i = 0; i < p->nmacs; i++) {
		const struct fwkit_partition *a = fwkit_profile_partition(p, p->macs[i].partition);
		CHECK(a, "profile %s: MAC %zu names unknown partition %s", p->id, i, p->macs[i].partition);
		CHECK((uint64_t)p->macs[i].offset + 6 <= a->size, "profile %s: MAC at %s+0x%x is outside the partition", p->id,
		      a->name, p->macs[i].offset);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(p->macs[j].partition, p->macs[i].partition) != 0 || p->macs[j].offset != p->macs[i].offset,
			      "profile %s: two MACs at %s+0x%x", p->id, a->name, p->macs[i].offset);
	}
	for (size_t i = 0; i < p->neeproms; i++) {
		const struct fwkit_partition *a = fwkit_profile_partition(p, p->eeproms[i].partition);
		CHECK(a, "profile %s: EEPROM %zu names unknown partition %s", p->id, i, p->eeproms[i].partition);
		CHECK((uint64_t)p->eeproms[i].offset + p->eeproms[i].size <= a->size,
		      "profile %s: EEPROM at %s+0x%x is outside the partition", p->id, a->name, p->eeproms[i].offset);
	}
	for (size_t i = 0; i < p->nenvs; i++) {
		const struct fwkit_partition *a = fwkit_profile_partition(p, p->envs[i].partition);
		CHECK(a, "profile %s: env %zu names unknown partition %s", p->id, i, p->envs[i].partition);
		CHECK((uint64_t)p->envs[i].offset + p->envs[i].size <= a->size && p->envs[i].size >= 8,
		      "profile %s: env at %s+0x%x is outside the partition", p->id, a->name, p->envs[i].offset);
		CHECK(((uint64_t)a->offset + p->envs[i].offset) % 0x1000 == 0,
		      "profile %s: env at %s+0x%x is not on a 4 KiB sector", p->id, a->name, p->envs[i].offset);
	}
	bool have_fw = false;
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].content == FWKIT_PART_FIRMWARE || p->parts[i].content == FWKIT_PART_KERNEL) {
			have_fw = true;
			CHECK(p->firmware_max <= p->parts[i].size || p->parts[i].content == FWKIT_PART_KERNEL,
			      "profile %s: firmware limit 0x%x exceeds partition %s", p->id, p->firmware_max, p->parts[i].name);
		}
	CHECK(have_fw && p->firmware_max, "profile %s: no firmware partition or limit", p->id);
	for (size_t i = 0; i < p->nrecovery; i++) {
		struct in_addr a;
		const struct fwkit_recovery *r = &p->recovery[i];
		CHECK(!r->device_ip[0] || inet_pton(AF_INET, r->device_ip, &a) == 1, "profile %s: bad device_ip %s", p->id,
		      r->device_ip);
		CHECK(!r->server_ip[0] || inet_pton(AF_INET, r->server_ip, &a) == 1, "profile %s: bad server_ip %s", p->id,
		      r->server_ip);
		CHECK(r->prefix <= 32, "profile %s: bad prefix", p->id);
		enum fwkit_status st = check_method(ctx, p, r, i);
		if (st != FWKIT_OK)
			return st;
	}
	return FWKIT_OK;
}

/* A method names what it takes, a partition the profile has (or the whole chip for a
 * programmer), a limit inside that partition, and a mkporayfw board when it takes Poray files. */
static enum fwkit_status check_method(struct fwkit_ctx *ctx, const struct fwkit_profile *p,
				      const struct fwkit_recovery *r, size_t i)
{
	CHECK((unsigned)r->kind < COUNT(RECOVERY_NAMES), "profile %s: method %zu: unknown kind %u", p->id, i, (unsigned)r->kind);
	CHECK(r->accepts && r->accepts < (1u << COUNT(ACCEPT_NAMES)), "profile %s: method %zu (%s): accepts no known image kind",
	      p->id, i, RECOVERY_NAMES[r->kind]);
	CHECK(r->flags < (1u << COUNT(METHOD_FLAG_NAMES)), "profile %s: method %zu (%s): unknown flags 0x%x", p->id, i,
	      RECOVERY_NAMES[r->kind], r->flags);
	bool whole_chip = !r->target[0];
	CHECK(whole_chip == (r->kind == FWKIT_RECOVERY_FLASHROM), "profile %s: method %zu (%s): %s", p->id, i,
	      RECOVERY_NAMES[r->kind], whole_chip ? "no target partition" : "a programmer writes the whole chip, not a partition");
	CHECK(!(r->accepts & FWKIT_ACCEPT_FLASH_IMAGE) || whole_chip, "profile %s: method %zu (%s): a whole-chip image for one partition",
	      p->id, i, RECOVERY_NAMES[r->kind]);
	if (!whole_chip) {
		const struct fwkit_partition *t = fwkit_profile_partition(p, r->target);
		CHECK(t, "profile %s: method %zu (%s): no partition named %s", p->id, i, RECOVERY_NAMES[r->kind], r->target);
		CHECK(r->max_size <= t->size, "profile %s: method %zu (%s): limit 0x%x exceeds partition %s (0x%x)", p->id, i,
		      RECOVERY_NAMES[r->kind], r->max_size, t->name, t->size);
	}
	CHECK(!(r->accepts & FWKIT_ACCEPT_PORAY) || fwkit_poray_board_find(r->board),
	      "profile %s: method %zu (%s): takes Poray files but names no known mkporayfw board (\"%s\")", p->id, i,
	      RECOVERY_NAMES[r->kind], r->board);
	return FWKIT_OK;
}

/* ---- JSON ---------------------------------------------------------------------------- */

static json_object *hex(uint64_t v)
{
	char b[24];
	snprintf(b, sizeof(b), "0x%llx", (unsigned long long)v);
	return json_object_new_string(b);
}

/* A bit set as the list of its names (the JSON profile format writes flags by name, never as numbers). */
static json_object *bit_names(uint32_t bits, const char *const *names, size_t n)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		if (bits & (1u << i))
			json_object_array_add(a, json_object_new_string(names[i]));
	return a;
}

enum fwkit_status fwkit_profile_to_json(struct fwkit_ctx *ctx, const struct fwkit_profile *p, char **out)
{
	if (!out)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "profile: no output");
	*out = NULL;
	/* a draft that fails the selfcheck may be printed, but not one whose arrays cannot be read */
	if (check_shape(ctx, p) != FWKIT_OK) {
		char why[FWKIT_ERROR_TEXT_MAX] = "profile: counts or text fields out of bounds";
		if (ctx)
			str_printf(why, sizeof(why), "%s", fwkit_ctx_error(ctx)->what);
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a profile whose counts and text fields are in bounds",
				   NULL, "%s", why);
	}
	json_object *o = json_object_new_object();
	if (!o)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	json_object_object_add(o, "id", json_object_new_string(p->id));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "vendor", json_object_new_string(p->vendor));
	json_object_object_add(o, "soc", json_object_new_string(p->soc));
	json_object_object_add(o, "flash_size", hex(p->flash_size));
	json_object_object_add(o, "erase_size", hex(p->erase_size));
	json_object_object_add(o, "nand", json_object_new_boolean(p->nand));
	json_object *compat = json_object_new_array();
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT && p->compatible[i][0]; i++)
		json_object_array_add(compat, json_object_new_string(p->compatible[i]));
	json_object_object_add(o, "compatible", compat);
	json_object *parts = json_object_new_array();
	for (size_t i = 0; i < p->nparts; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "name", json_object_new_string(p->parts[i].name));
		json_object_object_add(x, "offset", hex(p->parts[i].offset));
		json_object_object_add(x, "size", hex(p->parts[i].size));
		json_object_object_add(x, "read_only", json_object_new_boolean(p->parts[i].read_only));
		json_object_object_add(x, "content", json_object_new_string(fwkit_part_content_name(p->parts[i].content)));
		json_object_array_add(parts, x);
	}
	json_object_object_add(o, "partitions", parts);
	json_object *envs = json_object_new_array();
	for (size_t i = 0; i < p->nenvs; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "partition", json_object_new_string(p->envs[i].partition));
		json_object_object_add(x, "offset", hex(p->envs[i].offset));
		json_object_object_add(x, "size", hex(p->envs[i].size));
		json_object_object_add(x, "redundant", json_object_new_boolean(p->envs[i].redundant));
		json_object_object_add(x, "bdata", json_object_new_boolean(p->envs[i].bdata));
		json_object_array_add(envs, x);
	}
	json_object_object_add(o, "envs", envs);
	json_object *macs = json_object_new_array();
	for (size_t i = 0; i < p->nmacs; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "partition", json_object_new_string(p->macs[i].partition));
		json_object_object_add(x, "offset", hex(p->macs[i].offset));
		json_object_object_add(x, "role", json_object_new_string(fwkit_mac_role_name(p->macs[i].role)));
		json_object_object_add(x, "delta", json_object_new_int(p->macs[i].delta));
		json_object_array_add(macs, x);
	}
	json_object_object_add(o, "macs", macs);
	json_object *ee = json_object_new_array();
	for (size_t i = 0; i < p->neeproms; i++) {
		json_object *x = json_object_new_object();
		json_object_object_add(x, "partition", json_object_new_string(p->eeproms[i].partition));
		json_object_object_add(x, "offset", hex(p->eeproms[i].offset));
		json_object_object_add(x, "size", hex(p->eeproms[i].size));
		json_object_object_add(x, "chip_id", hex(p->eeproms[i].chip_id));
		json_object_object_add(x, "band", json_object_new_string(p->eeproms[i].band));
		json_object_array_add(ee, x);
	}
	json_object_object_add(o, "eeproms", ee);
	json_object_object_add(o, "firmware_max", hex(p->firmware_max));
	json_object *rec = json_object_new_array();
	for (size_t i = 0; i < p->nrecovery; i++) {
		const struct fwkit_recovery *r = &p->recovery[i];
		json_object *x = json_object_new_object();
		json_object_object_add(x, "kind", json_object_new_string(fwkit_recovery_kind_name(r->kind)));
		json_object_object_add(x, "device_ip", json_object_new_string(r->device_ip));
		json_object_object_add(x, "server_ip", json_object_new_string(r->server_ip));
		json_object_object_add(x, "prefix", json_object_new_int(r->prefix));
		json_object_object_add(x, "file_name", json_object_new_string(r->file_name));
		json_object_object_add(x, "accepts", bit_names(r->accepts, ACCEPT_NAMES, COUNT(ACCEPT_NAMES)));
		json_object_object_add(x, "target", json_object_new_string(r->target));
		json_object_object_add(x, "max_size", hex(r->max_size));
		json_object_object_add(x, "load_addr", hex(r->load_addr));
		json_object_object_add(x, "board", json_object_new_string(r->board));
		json_object_object_add(x, "flags", bit_names(r->flags, METHOD_FLAG_NAMES, COUNT(METHOD_FLAG_NAMES)));
		json_object_object_add(x, "steps", json_object_new_string(r->steps));
		json_object_object_add(x, "source", json_object_new_string(r->source));
		json_object_array_add(rec, x);
	}
	json_object_object_add(o, "recovery", rec);
	json_object_object_add(o, "source", json_object_new_string(p->source));
	json_object_object_add(o, "tested", json_object_new_string(p->tested));
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	*out = strdup(s ? s : "");
	json_object_put(o);
	return *out ? FWKIT_OK : FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
}

/* Reading: every key known, every value of the right type and size; errors name the JSON path. */
struct reader {
	struct fwkit_ctx *ctx;
	char path[128];
	enum fwkit_status st;
};

#define FAIL(r, ...)                                                                                             \
	do {                                                                                                     \
		if ((r)->st == FWKIT_OK) {                                                                       \
			char what_[160];                                                                         \
			snprintf(what_, sizeof(what_), __VA_ARGS__);                                             \
			(r)->st = FWKIT_RAISE((r)->ctx, FWKIT_E_CORRUPT, FWKIT_NO_OFFSET, NULL, NULL, "profile %s: %s", \
					      (r)->path, what_);                                                 \
		}                                                                                        \
	} while (0)

static void get_str(struct reader *r, json_object *v, const char *key, char *dst, size_t cap)
{
	if (!json_object_is_type(v, json_type_string)) {
		FAIL(r, "%s: expected a string", key);
		return;
	}
	const char *s = json_object_get_string(v);
	if (strlen(s) >= cap) {
		FAIL(r, "%s: longer than %zu characters", key, cap - 1);
		return;
	}
	snprintf(dst, cap, "%s", s);
}

static uint64_t get_num(struct reader *r, json_object *v, const char *key, uint64_t max)
{
	uint64_t n = 0;
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		if (i < 0) {
			FAIL(r, "%s: negative", key);
			return 0;
		}
		n = (uint64_t)i;
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);
		bool hexa = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
		if (!num_parse_u64(s, hexa ? 16 : 10, UINT64_MAX, &n)) {
			FAIL(r, "%s: \"%s\" is not a number", key, s);
			return 0;
		}
	} else {
		FAIL(r, "%s: expected a number or a \"0x...\" string", key);
		return 0;
	}
	if (n > max)
		FAIL(r, "%s: %llu is out of range (at most %llu)", key, (unsigned long long)n, (unsigned long long)max);
	return n;
}

static bool get_bool(struct reader *r, json_object *v, const char *key)
{
	if (!json_object_is_type(v, json_type_boolean))
		FAIL(r, "%s: expected true or false", key);
	return json_object_get_boolean(v);
}

static int get_enum(struct reader *r, json_object *v, const char *key, const char *const *names, size_t n)
{
	char s[32] = "";
	get_str(r, v, key, s, sizeof(s));
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	FAIL(r, "%s: unknown value \"%s\"", key, s);
	return 0;
}

static size_t get_array(struct reader *r, json_object *v, const char *key, size_t max);

/* A list of names, each one bit of NAMES. */
static uint32_t get_bits(struct reader *r, json_object *v, const char *key, const char *const *names, size_t n)
{
	uint32_t bits = 0;
	size_t count = get_array(r, v, key, 32);
	for (size_t i = 0; i < count; i++)
		bits |= 1u << get_enum(r, json_object_array_get_idx(v, i), key, names, n);
	return bits;
}

static size_t get_array(struct reader *r, json_object *v, const char *key, size_t max)
{
	if (!json_object_is_type(v, json_type_array)) {
		FAIL(r, "%s: expected a list", key);
		return 0;
	}
	size_t n = json_object_array_length(v);
	if (n > max) {
		FAIL(r, "%s: more than %zu entries", key, max);
		return 0;
	}
	return n;
}

#define FOREACH_KEY(obj, k, v) json_object_object_foreach(obj, k, v)

static void read_profile(struct reader *r, json_object *o, struct fwkit_profile *p)
{
	if (!json_object_is_type(o, json_type_object)) {
		FAIL(r, "expected an object");
		return;
	}
	memset(p, 0, sizeof(*p));
	size_t base = strlen(r->path);
	FOREACH_KEY(o, key, v)
	{
		if (!strcmp(key, "id"))
			get_str(r, v, key, p->id, sizeof(p->id));
		else if (!strcmp(key, "name"))
			get_str(r, v, key, p->name, sizeof(p->name));
		else if (!strcmp(key, "vendor"))
			get_str(r, v, key, p->vendor, sizeof(p->vendor));
		else if (!strcmp(key, "soc"))
			get_str(r, v, key, p->soc, sizeof(p->soc));
		else if (!strcmp(key, "source"))
			get_str(r, v, key, p->source, sizeof(p->source));
		else if (!strcmp(key, "tested"))
			get_str(r, v, key, p->tested, sizeof(p->tested));
		else if (!strcmp(key, "flash_size"))
			p->flash_size = (uint32_t)get_num(r, v, key, UINT32_MAX);
		else if (!strcmp(key, "erase_size"))
			p->erase_size = (uint32_t)get_num(r, v, key, UINT32_MAX);
		else if (!strcmp(key, "firmware_max"))
			p->firmware_max = (uint32_t)get_num(r, v, key, UINT32_MAX);
		else if (!strcmp(key, "nand"))
			p->nand = get_bool(r, v, key);
		else if (!strcmp(key, "compatible")) {
			size_t n = get_array(r, v, key, FWKIT_PROFILE_MAX_COMPAT);
			for (size_t i = 0; i < n; i++)
				get_str(r, json_object_array_get_idx(v, i), key, p->compatible[i], sizeof(p->compatible[i]));
		} else if (!strcmp(key, "partitions")) {
			p->nparts = get_array(r, v, key, FWKIT_PROFILE_MAX_PARTS);
			for (size_t i = 0; i < p->nparts; i++) {
				snprintf(r->path + base, sizeof(r->path) - base, ".partitions[%zu]", i);
				struct fwkit_partition *x = &p->parts[i];
				json_object *el = json_object_array_get_idx(v, i);
				if (!json_object_is_type(el, json_type_object)) {
					FAIL(r, "expected an object");
					break;
				}
				FOREACH_KEY(el, k2, v2)
				{
					if (!strcmp(k2, "name"))
						get_str(r, v2, k2, x->name, sizeof(x->name));
					else if (!strcmp(k2, "offset"))
						x->offset = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "size"))
						x->size = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "read_only"))
						x->read_only = get_bool(r, v2, k2);
					else if (!strcmp(k2, "content"))
						x->content = (enum fwkit_part_content)get_enum(r, v2, k2, CONTENT_NAMES, COUNT(CONTENT_NAMES));
					else
						FAIL(r, "unknown key \"%s\"", k2);
				}
			}
		} else if (!strcmp(key, "envs")) {
			p->nenvs = get_array(r, v, key, FWKIT_PROFILE_MAX_ENVS);
			for (size_t i = 0; i < p->nenvs; i++) {
				snprintf(r->path + base, sizeof(r->path) - base, ".envs[%zu]", i);
				struct fwkit_env_location *x = &p->envs[i];
				json_object *el = json_object_array_get_idx(v, i);
				if (!json_object_is_type(el, json_type_object)) {
					FAIL(r, "expected an object");
					break;
				}
				FOREACH_KEY(el, k2, v2)
				{
					if (!strcmp(k2, "partition"))
						get_str(r, v2, k2, x->partition, sizeof(x->partition));
					else if (!strcmp(k2, "offset"))
						x->offset = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "size"))
						x->size = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "redundant"))
						x->redundant = get_bool(r, v2, k2);
					else if (!strcmp(k2, "bdata"))
						x->bdata = get_bool(r, v2, k2);
					else
						FAIL(r, "unknown key \"%s\"", k2);
				}
			}
		} else if (!strcmp(key, "macs")) {
			p->nmacs = get_array(r, v, key, FWKIT_PROFILE_MAX_MACS);
			for (size_t i = 0; i < p->nmacs; i++) {
				snprintf(r->path + base, sizeof(r->path) - base, ".macs[%zu]", i);
				struct fwkit_mac_location *x = &p->macs[i];
				json_object *el = json_object_array_get_idx(v, i);
				if (!json_object_is_type(el, json_type_object)) {
					FAIL(r, "expected an object");
					break;
				}
				FOREACH_KEY(el, k2, v2)
				{
					if (!strcmp(k2, "partition"))
						get_str(r, v2, k2, x->partition, sizeof(x->partition));
					else if (!strcmp(k2, "offset"))
						x->offset = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "role"))
						x->role = (enum fwkit_mac_role)get_enum(r, v2, k2, ROLE_NAMES, COUNT(ROLE_NAMES));
					else if (!strcmp(k2, "delta")) {
						if (!json_object_is_type(v2, json_type_int) || json_object_get_int(v2) < -128 ||
						    json_object_get_int(v2) > 127)
							FAIL(r, "delta: expected an integer -128..127");
						x->delta = (int8_t)json_object_get_int(v2);
					} else
						FAIL(r, "unknown key \"%s\"", k2);
				}
			}
		} else if (!strcmp(key, "eeproms")) {
			p->neeproms = get_array(r, v, key, FWKIT_PROFILE_MAX_EEPROMS);
			for (size_t i = 0; i < p->neeproms; i++) {
				snprintf(r->path + base, sizeof(r->path) - base, ".eeproms[%zu]", i);
				struct fwkit_eeprom_location *x = &p->eeproms[i];
				json_object *el = json_object_array_get_idx(v, i);
				if (!json_object_is_type(el, json_type_object)) {
					FAIL(r, "expected an object");
					break;
				}
				FOREACH_KEY(el, k2, v2)
				{
					if (!strcmp(k2, "partition"))
						get_str(r, v2, k2, x->partition, sizeof(x->partition));
					else if (!strcmp(k2, "offset"))
						x->offset = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "size"))
						x->size = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "chip_id"))
						x->chip_id = (uint16_t)get_num(r, v2, k2, 0xFFFF);
					else if (!strcmp(k2, "band"))
						get_str(r, v2, k2, x->band, sizeof(x->band));
					else
						FAIL(r, "unknown key \"%s\"", k2);
				}
			}
		} else if (!strcmp(key, "recovery")) {
			p->nrecovery = get_array(r, v, key, FWKIT_PROFILE_MAX_RECOVERY);
			for (size_t i = 0; i < p->nrecovery; i++) {
				snprintf(r->path + base, sizeof(r->path) - base, ".recovery[%zu]", i);
				struct fwkit_recovery *x = &p->recovery[i];
				json_object *el = json_object_array_get_idx(v, i);
				if (!json_object_is_type(el, json_type_object)) {
					FAIL(r, "expected an object");
					break;
				}
				FOREACH_KEY(el, k2, v2)
				{
					if (!strcmp(k2, "kind"))
						x->kind = (enum fwkit_recovery_kind)get_enum(r, v2, k2, RECOVERY_NAMES, COUNT(RECOVERY_NAMES));
					else if (!strcmp(k2, "device_ip"))
						get_str(r, v2, k2, x->device_ip, sizeof(x->device_ip));
					else if (!strcmp(k2, "server_ip"))
						get_str(r, v2, k2, x->server_ip, sizeof(x->server_ip));
					else if (!strcmp(k2, "prefix"))
						x->prefix = (uint8_t)get_num(r, v2, k2, 32);
					else if (!strcmp(k2, "file_name"))
						get_str(r, v2, k2, x->file_name, sizeof(x->file_name));
					else if (!strcmp(k2, "accepts"))
						x->accepts = get_bits(r, v2, k2, ACCEPT_NAMES, COUNT(ACCEPT_NAMES));
					else if (!strcmp(k2, "target"))
						get_str(r, v2, k2, x->target, sizeof(x->target));
					else if (!strcmp(k2, "max_size"))
						x->max_size = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "load_addr"))
						x->load_addr = (uint32_t)get_num(r, v2, k2, UINT32_MAX);
					else if (!strcmp(k2, "board"))
						get_str(r, v2, k2, x->board, sizeof(x->board));
					else if (!strcmp(k2, "flags"))
						x->flags = get_bits(r, v2, k2, METHOD_FLAG_NAMES, COUNT(METHOD_FLAG_NAMES));
					else if (!strcmp(k2, "steps"))
						get_str(r, v2, k2, x->steps, sizeof(x->steps));
					else if (!strcmp(k2, "source"))
						get_str(r, v2, k2, x->source, sizeof(x->source));
					else
						FAIL(r, "unknown key \"%s\"", k2);
				}
			}
		} else {
			FAIL(r, "unknown key \"%s\"", key);
		}
		r->path[base] = 0;
	}
}

/* A JSON syntax error with its line and column (1-based, as editors count), and what was wrong. */
static enum fwkit_status json_syntax_error(struct fwkit_ctx *ctx, const char *text, size_t len, size_t at,
					   enum json_tokener_error jerr, bool trailing)
{
	size_t line = 1, col = 1;
	for (size_t i = 0; i < at && i < len; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	const char *why = trailing ? "text after the end of the JSON value"
		: jerr == json_tokener_continue ? "the text ends inside a value (an unclosed {, [ or string?)"
		: json_tokener_error_desc(jerr);
	return FWKIT_RAISE(ctx, FWKIT_E_CORRUPT, (int64_t)at, "a JSON profile", why,
			   "profile: not valid JSON at line %zu, column %zu", line, col);
}

enum fwkit_status fwkit_profiles_from_json(struct fwkit_ctx *ctx, const char *text, size_t len,
					    struct fwkit_profile **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	json_tokener *tok = json_tokener_new();
	if (!tok)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (len > INT32_MAX) {
		json_tokener_free(tok);
		return FWKIT_RAISE(ctx, FWKIT_E_TOO_LARGE, FWKIT_NO_OFFSET, "at most 2 GiB of JSON", NULL, "profile: file too large");
	}
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t at = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	size_t rest = at;
	while (rest < len && (text[rest] == ' ' || text[rest] == '\t' || text[rest] == '\n' || text[rest] == '\r'))
		rest++;
	if (!root || jerr != json_tokener_success || rest < len) {
		json_object_put(root);
		return json_syntax_error(ctx, text, len, root && jerr == json_tokener_success ? rest : at, jerr, root != NULL);
	}
	struct reader r = { .ctx = ctx, .st = FWKIT_OK };
	json_object *list = root, *profiles = NULL;
	size_t n = 1;
	bool wrapped = json_object_is_type(root, json_type_object) && json_object_object_get_ex(root, "profiles", &profiles);
	if (wrapped) {
		list = profiles;
		n = get_array(&r, list, "profiles", 1024);
	}
	struct fwkit_profile *ps = calloc(n ? n : 1, sizeof(*ps));
	if (!ps) {
		json_object_put(root);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	for (size_t i = 0; i < n && r.st == FWKIT_OK; i++) {
		snprintf(r.path, sizeof(r.path), wrapped ? "profiles[%zu]" : "%.0zu", i);
		read_profile(&r, wrapped ? json_object_array_get_idx(list, i) : root, &ps[i]);
		if (r.st == FWKIT_OK)
			r.st = fwkit_profile_check(ctx, &ps[i]);
	}
	json_object_put(root);
	if (r.st != FWKIT_OK) {
		free(ps);
		return r.st;
	}
	*out = ps;
	*count = n;
	return FWKIT_OK;
}
