/*
 * Inspecting a whole flash dump: identify the device by evidence (rank.c), judge the dump, then
 * say what every partition of the device's map holds. The result is a node tree (node.h,
 * docs/json.md): each partition node holds the nodes of the formats found in it through the
 * format table (uImage, squashfs, U-Boot env, Wi-Fi EEPROM, bootloader version strings, the
 * JFFS2 end-of-filesystem marker), with typed fields and findings with stable codes.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/budget.h"
#include "core/internal.h"
#include "devices/rank.h"
#include "formats/registry.h"
#include "fwkit/codec.h"
#include "fwkit/devicetree.h"
#include "fwkit/env.h"
#include "fwkit/inspect.h"
#include "fwkit/scan.h"
#include "fwkit/uimage.h"

static bool all_byte(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

/*
 * A profile the caller built is checked before it is used (fwkit_profile_check): the code below
 * divides by its erase size and follows its partition names. A failing profile is refused with
 * FWKIT_E_INVALID_ARG and the selfcheck's reason.
 */
static enum fwkit_status require_valid(struct fwkit_ctx *ctx, const struct fwkit_profile *p)
{
	if (!p)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "inspect: no profile");
	if (fwkit_profile_check(ctx, p) == FWKIT_OK)
		return FWKIT_OK;
	char why[FWKIT_ERROR_TEXT_MAX] = "profile: fails its selfcheck";
	if (ctx)
		str_printf(why, sizeof(why), "%s", fwkit_ctx_error(ctx)->what);
	return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a profile that passes fwkit_profile_check", NULL,
			   "%s", why);
}

static enum fwkit_status require_valid_all(struct fwkit_ctx *ctx, const struct fwkit_profile *extra, size_t nextra)
{
	if (nextra && !extra)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "inspect: no extra profiles");
	for (size_t i = 0; i < nextra; i++) {
		enum fwkit_status st = require_valid(ctx, &extra[i]);
		if (st != FWKIT_OK)
			return st;
	}
	return FWKIT_OK;
}


enum fwkit_status fwkit_identify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *extra,
				 size_t nextra, struct fwkit_identification *out)
{
	if (!out || (len && !buf))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "identify: a NULL argument");
	memset(out, 0, sizeof(*out));
	enum fwkit_status st = require_valid_all(ctx, extra, nextra);
	if (st != FWKIT_OK)
		return st;
	struct firmware_facts *f = malloc(sizeof(*f));
	if (!f)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	st = rank_devices(ctx, buf, len, extra, nextra, false, out, f);
	free(f);
	return st;
}

/* ---- the dump itself --------------------------------------------------------------- */

static void judge_dump(const uint8_t *buf, size_t len, const struct fwkit_profile *p, struct fwkit_findings *f)
{
	if (len == 0) {
		findings_add(f, FWKIT_SEV_ERROR, "dump.empty", 0, NULL, NULL, "the dump is empty");
		return;
	}
	uint64_t pow = 1;
	while (pow < len)
		pow <<= 1;
	uint64_t below = pow >> 1;
	if (pow != len) {
		uint64_t near = (len - below < pow - len) ? below : pow;
		char unit[24];
		if (near >= 1 << 20)
			snprintf(unit, sizeof(unit), "%llu MiB", (unsigned long long)(near >> 20));
		else
			snprintf(unit, sizeof(unit), "%llu KiB", (unsigned long long)(near >> 10));
		if (near < len)
			findings_add(f, FWKIT_SEV_ERROR, "dump.size", 0, NULL, NULL,
				     "%zu bytes: %llu byte%s more than %s; a hex edit that inserted bytes?", len,
				     (unsigned long long)(len - near), len - near == 1 ? "" : "s", unit);
		else
			findings_add(f, FWKIT_SEV_ERROR, "dump.size", 0, NULL, NULL,
				     "%zu bytes: %llu byte%s fewer than %s; a truncated read or a hex edit that deleted bytes?",
				     len, (unsigned long long)(near - len), near - len == 1 ? "" : "s", unit);
	}
	if (p && !p->nand && len < p->flash_size)
		findings_add(f, FWKIT_SEV_ERROR, "dump.truncated", len, NULL, NULL,
			     "the dump has %zu bytes, the %s's flash %u: a truncated read", len, p->name, p->flash_size);
	if (all_byte(buf, len, 0xFF))
		findings_add(f, FWKIT_SEV_ERROR, "dump.blank", 0, NULL, NULL,
			     "every byte is 0xFF: an erased chip, or the clip made no contact");
	else if (all_byte(buf, len, 0x00))
		findings_add(f, FWKIT_SEV_ERROR, "dump.zero", 0, NULL, NULL,
			     "every byte is 0x00: the clip made no contact (or the chip is not powered)");
	else if (len >= 2 && len % 2 == 0 && memcmp(buf, buf + len / 2, len / 2) == 0)
		findings_add(f, FWKIT_SEV_ERROR, "dump.mirrored", len / 2, NULL, NULL,
			     "the second half repeats the first: read with the wrong chip size (the real chip is %zu bytes?)",
			     len / 2);
	else if (!p && !f->count)
		/* no profile's structures are in it: a size alone does not make a read whole */
		findings_add(f, FWKIT_SEV_WARN, "dump.unknown", 0, "a device's bootloader, env or EEPROM where its profile puts them",
			     "none", "no device profile matches this read: fwkit cannot tell whether it is a whole, sound read "
			     "(a clip on the wrong chip? give --device ID or --profiles FILE)");
}

static void compare_with_devicetree(const struct fwkit_profile *p, const struct fwkit_devicetree *dt,
				    struct fwkit_findings *f)
{
	bool compat = false;
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT && p->compatible[i][0]; i++)
		for (size_t k = 0; k < 4 && dt->compatible[k][0]; k++)
			if (strcasecmp(p->compatible[i], dt->compatible[k]) == 0) /* as identify and check: "A5-V11" */
				compat = true;
	if (!compat)
		findings_add(f, FWKIT_SEV_WARN, "dt.compatible", 0, p->compatible[0], dt->compatible[0],
			     "the firmware was built for \"%s\", not for %s", dt->model[0] ? dt->model : dt->compatible[0], p->id);
	for (size_t i = 0; i < dt->nparts; i++) {
		const struct fwkit_partition *q = fwkit_profile_partition(p, dt->parts[i].label);
		char exp[48], fnd[48];
		snprintf(fnd, sizeof(fnd), "0x%x+0x%x", dt->parts[i].offset, dt->parts[i].size);
		if (!q) {
			findings_add(f, FWKIT_SEV_WARN, "dt.partition", dt->parts[i].offset, NULL, fnd,
				     "the device tree has a partition \"%s\" the profile does not", dt->parts[i].label);
			continue;
		}
		snprintf(exp, sizeof(exp), "0x%x+0x%x", q->offset, q->size);
		if (q->offset != dt->parts[i].offset || q->size != dt->parts[i].size)
			findings_add(f, FWKIT_SEV_WARN, "dt.partition", dt->parts[i].offset, exp, fnd,
				     "partition %s: the profile and the device tree disagree", q->name);
	}
	for (size_t i = 0; i < dt->nmacs; i++) {
		bool known = false;
		for (size_t k = 0; k < p->nmacs; k++)
			if (strcmp(p->macs[k].partition, dt->macs[i].partition) == 0 && p->macs[k].offset == dt->macs[i].offset)
				known = true;
		if (!known)
			findings_add(f, FWKIT_SEV_WARN, "dt.mac", 0, NULL, NULL,
				     "the device tree reads a MAC at %s+0x%x that the profile does not list", dt->macs[i].partition,
				     dt->macs[i].offset);
	}
}

/* ---- building the tree ------------------------------------------------------------------- */

static bool adopt(struct fwkit_node *parent, struct fwkit_node *child)
{
	return child && fwkit_node_add_child(parent, child);
}

static bool add_text(struct fwkit_node *n, const char *name, const char *text)
{
	return fwkit_node_add_string(n, name, text, strlen(text));
}

static void finding(struct fwkit_node *n, enum fwkit_severity sev, const char *code, uint64_t offset, const char *expected,
		    const char *found, const char *fmt, ...) FWKIT_PRINTF(7, 8);
static void finding(struct fwkit_node *n, enum fwkit_severity sev, const char *code, uint64_t offset, const char *expected,
		    const char *found, const char *fmt, ...)
{
	struct fwkit_finding f = { .severity = sev, .offset = offset };
	str_printf(f.code, sizeof(f.code), "%s", code);
	str_printf(f.expected, sizeof(f.expected), "%s", expected ? expected : "");
	str_printf(f.found, sizeof(f.found), "%s", found ? found : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	fwkit_node_add_finding(n, &f);
}

static void move_findings(struct fwkit_node *n, const struct fwkit_findings *f)
{
	for (size_t i = 0; i < f->count; i++)
		fwkit_node_add_finding(n, &f->items[i]);
}

/* Copies the fields of SRC to DST (not its findings: the caller words those for its context). */
static void copy_fields(struct fwkit_node *dst, const struct fwkit_node *src)
{
	for (size_t i = 0; i < fwkit_node_field_count(src); i++) {
		const struct fwkit_field *f = fwkit_node_field(src, i);
		switch (f->kind) {
		case FWKIT_VALUE_UINT: fwkit_node_add_uint(dst, f->name, f->u, f->hex); break;
		case FWKIT_VALUE_INT: fwkit_node_add_int(dst, f->name, f->i); break;
		case FWKIT_VALUE_BOOL: fwkit_node_add_bool(dst, f->name, f->u != 0); break;
		case FWKIT_VALUE_STRING: fwkit_node_add_string(dst, f->name, f->raw, f->raw_len); break;
		case FWKIT_VALUE_BYTES: fwkit_node_add_bytes(dst, f->name, f->raw, f->raw_len); break;
		case FWKIT_VALUE_ENUM: fwkit_node_add_enum(dst, f->name, f->u, f->text); break;
		}
	}
}

/* The instance of format NAME at AT (the input ends at END) through the format table: its node,
 * or NULL when the probe does not verify it. */
static struct fwkit_node *format_at(const char *name, const uint8_t *buf, uint64_t at, uint64_t end)
{
	const struct fwkit_format *f = formats_by_name(name);
	struct probe_result r;
	if (!f || at >= end)
		return NULL;
	formats_probe(f, buf + at, (size_t)(end - at), at, &r);
	if (r.bits < f->verified_bits)
		return NULL;
	struct fwkit_node *n = fwkit_node_new(f->name, at, r.size);
	if (n) {
		fwkit_node_set_validated(n, r.validated, r.bits);
		f->describe(NULL, buf + at, (size_t)(r.size && r.size < end - at ? r.size : end - at), n);
	}
	return n;
}

/* The first verified instance of format NAME in [START, END), found by its magics. */
static struct fwkit_node *first_format(const char *name, const uint8_t *buf, uint64_t start, uint64_t end)
{
	const struct fwkit_format *f = formats_by_name(name);
	for (size_t m = 0; f && m < FORMAT_MAX_MAGICS && f->magics[m].bytes; m++) {
		for (uint64_t at = start; at < end;) {
			const uint8_t *hit = memmem(buf + at, (size_t)(end - at), f->magics[m].bytes, f->magics[m].len);
			if (!hit)
				break;
			at = (uint64_t)(hit - buf);
			struct fwkit_node *n = at >= start + f->magic_offset ? format_at(name, buf, at - f->magic_offset, end) : NULL;
			if (n)
				return n;
			at++;
		}
	}
	return NULL;
}

/* ---- partitions ---------------------------------------------------------------------------- */

/* What a partition holds, as an enum in its node ("holds"). */
enum holds {
	HOLDS_MISSING = 0,
	HOLDS_ERASED,
	HOLDS_ZERO,
	HOLDS_DATA,
	HOLDS_BOOTLOADER,
	HOLDS_ENV,
	HOLDS_NO_ENV,
	HOLDS_EEPROM,
	HOLDS_KERNEL,
	HOLDS_KERNEL_ROOTFS,
	HOLDS_NO_KERNEL,
	HOLDS_FACTORY_MODE,
	HOLDS_NOT_CHECKED,
};

static const char *const HOLDS_NAMES[] = { "missing", "erased", "all-zero", "data", "bootloader", "env", "no-env",
					   "eeprom", "kernel", "kernel+rootfs", "no-kernel", "factory-mode", "not-checked" };

static void set_holds(struct fwkit_node *n, enum holds h)
{
	fwkit_node_add_enum(n, "holds", h, HOLDS_NAMES[h]);
}

static enum holds plain_content(const uint8_t *p, size_t n)
{
	return all_byte(p, n, 0xFF) ? HOLDS_ERASED : all_byte(p, n, 0x00) ? HOLDS_ZERO : HOLDS_DATA;
}

/* A uImage at OFF: the format's fields, plus whether its header CRC holds (the node exists for a
 * bad header CRC too, so the report can say so). */
static struct fwkit_node *uimage_node(const uint8_t *buf, uint64_t off, uint64_t end, struct fwkit_uimage *img)
{
	if (fwkit_uimage_parse(NULL, buf, (size_t)end, off, 0, img) != FWKIT_OK)
		return NULL;
	struct fwkit_node *scratch = fwkit_node_new("uimage", off, FWKIT_UIMAGE_HEADER_SIZE + (uint64_t)img->data_size);
	struct fwkit_node *n = fwkit_node_new("uimage", off, FWKIT_UIMAGE_HEADER_SIZE + (uint64_t)img->data_size);
	if (scratch && n) {
		formats_by_name("uimage")->describe(NULL, buf + off, (size_t)(end - off), scratch);
		copy_fields(n, scratch);
		fwkit_node_set_validated(n, fwkit_node_validated(scratch), fwkit_node_bits(scratch));
		fwkit_node_add_bool(n, "header_crc_ok", img->hcrc_ok);
		fwkit_node_add_bool(n, "data_crc_checked", img->dcrc_checked);
	}
	fwkit_node_free(scratch);
	return n;
}

static void bootloader_part(const uint8_t *buf, const struct fwkit_partition *part, uint64_t end, struct fwkit_node *pn,
			    struct fwkit_uimage *img)
{
	const uint8_t *pp = buf + part->offset;
	size_t plen = (size_t)(end - part->offset);
	if (all_byte(pp, plen, 0xFF)) {
		set_holds(pn, HOLDS_ERASED);
		finding(pn, FWKIT_SEV_ERROR, "boot.erased", part->offset, NULL, NULL,
			"the bootloader partition is erased: the router will not start");
		return;
	}
	set_holds(pn, HOLDS_BOOTLOADER);
	struct fwkit_node *v = first_format("u-boot", buf, part->offset, end);
	if (!v)
		v = first_format("breed", buf, part->offset, end);
	if (v)
		adopt(pn, v);
	if (plen >= FWKIT_UIMAGE_HEADER_SIZE)
		adopt(pn, uimage_node(buf, part->offset, end, img));
}

static void env_part(const uint8_t *buf, size_t len, const struct fwkit_profile *p, const struct fwkit_partition *part,
		     uint64_t end, struct fwkit_node *pn)
{
	const struct fwkit_env_location *loc = NULL;
	for (size_t i = 0; i < p->nenvs; i++)
		if (strcmp(p->envs[i].partition, part->name) == 0)
			loc = &p->envs[i];
	struct fwkit_env_block b;
	uint64_t off = (uint64_t)part->offset + (loc ? loc->offset : 0);
	if (fwkit_env_block_at(NULL, buf, len, off, loc ? loc->size : 0, &b) != FWKIT_OK) {
		struct fwkit_env_scan s;
		size_t plen = (size_t)(end - part->offset);
		fwkit_env_find(NULL, buf + part->offset, plen, &s);
		if (!s.count) {
			set_holds(pn, all_byte(buf + part->offset, plen, 0xFF) ? HOLDS_ERASED : HOLDS_NO_ENV);
			if (loc)
				finding(pn, FWKIT_SEV_WARN, "env.missing", off, NULL, NULL, "no %s at 0x%llx (%s defaults apply)",
					loc->bdata ? "Bdata" : "U-Boot env", (unsigned long long)off,
					loc->bdata ? "the firmware's" : "U-Boot's");
			return;
		}
		b = s.blocks[0];
		b.offset += part->offset;
		b.data_offset += part->offset;
		b.other_offset += part->offset;
	}
	set_holds(pn, HOLDS_ENV);
	struct fwkit_node *n = fwkit_node_new("ubootenv", b.offset, b.size);
	if (!n)
		return;
	bool bdata = b.kind == FWKIT_ENV_XIAOMI_BDATA || (loc && loc->bdata);
	fwkit_node_add_bool(n, "bdata", bdata);
	fwkit_node_add_enum(n, "kind", b.kind, fwkit_env_kind_name(b.kind));
	fwkit_node_add_uint(n, "env_size", b.size, true);
	fwkit_node_add_bool(n, "size_known", b.size_known);
	if (b.has_crc) /* a Breed env ("ENV\0", formats.md 4.4) and text without a header have none */
		fwkit_node_add_bool(n, "crc_ok", b.crc_ok);
	fwkit_node_add_uint(n, "variables", b.nvars, false);
	/* the variables a user of these routers looks for first (formats.md 4.1, 4.2; Breed 4.4) */
	struct fwkit_env_vars v;
	static const char *const KEYS[] = { "bootdelay", "uart_en", "boot_wait", "model", "autoboot.command" };
	if (fwkit_env_vars(NULL, buf, len, &b, &v) == FWKIT_OK) {
		for (size_t k = 0; k < sizeof(KEYS) / sizeof(KEYS[0]); k++)
			for (size_t i = 0; i < v.count; i++)
				if (v.items[i].name_len == strlen(KEYS[k]) && memcmp(v.items[i].name, KEYS[k], v.items[i].name_len) == 0) {
					fwkit_node_add_string(n, KEYS[k], v.items[i].value, v.items[i].value_len);
					break;
				}
		fwkit_env_vars_free(&v);
	}
	if (b.has_crc && !b.crc_ok) {
		char exp[16], fnd[16];
		snprintf(exp, sizeof(exp), "0x%08x", b.crc_computed);
		snprintf(fnd, sizeof(fnd), "0x%08x", b.crc_stored);
		finding(n, FWKIT_SEV_ERROR, "env.crc", b.offset, exp, fnd, "bad env CRC: the bootloader will use its default environment");
	}
	if (loc && b.size_known && b.has_crc && b.size != loc->size)
		finding(n, FWKIT_SEV_WARN, "env.size", b.offset, NULL, NULL, "env size 0x%llx differs from the profile's 0x%x",
			(unsigned long long)b.size, loc->size);
	adopt(pn, n);
}

static void factory_part(const uint8_t *buf, size_t len, const struct fwkit_profile *p, const struct fwkit_partition *part,
			 struct fwkit_node *pn)
{
	set_holds(pn, HOLDS_EEPROM);
	for (size_t i = 0; i < p->neeproms; i++) {
		if (strcmp(p->eeproms[i].partition, part->name) != 0)
			continue;
		uint64_t off = (uint64_t)part->offset + p->eeproms[i].offset;
		struct fwkit_node *n = fwkit_node_new("wifi-eeprom", off, 0);
		if (!n)
			return;
		if (off + 10 <= len)
			formats_by_name("wifi-eeprom")->describe(NULL, buf + off, len - (size_t)off, n);
		uint16_t id = off + 2 <= len ? (uint16_t)(buf[off] | (buf[off + 1] << 8)) : 0;
		fwkit_node_add_uint(n, "chip_id", id, true);
		fwkit_node_add_uint(n, "expected_chip_id", p->eeproms[i].chip_id, true);
		add_text(n, "band", p->eeproms[i].band);
		fwkit_node_add_uint(n, "partition_offset", p->eeproms[i].offset, true);
		if (id != p->eeproms[i].chip_id) {
			char exp[8], fnd[8];
			snprintf(exp, sizeof(exp), "0x%04x", p->eeproms[i].chip_id);
			snprintf(fnd, sizeof(fnd), "0x%04x", id);
			finding(n, id == 0xFFFF ? FWKIT_SEV_ERROR : FWKIT_SEV_WARN, "eeprom.chip", off, exp, fnd,
				id == 0xFFFF ? "%s EEPROM is erased: Wi-Fi will not work" : "%s EEPROM chip id differs from the profile's",
				p->eeproms[i].band);
		}
		adopt(pn, n);
	}
}

/* The overlay after the rootfs, described by the jffs2-eof module: erased, marked for formatting
 * (deadc0de) or in use. */
static struct fwkit_node *overlay_node(const uint8_t *buf, uint64_t data, uint64_t end)
{
	struct fwkit_node *n = fwkit_node_new("jffs2-eof", data, end - data);
	if (n)
		formats_by_name("jffs2-eof")->describe(NULL, buf + data, (size_t)(end - data), n);
	return n;
}

static void firmware_part(const uint8_t *buf, const struct fwkit_profile *p, const struct fwkit_partition *part,
			  uint64_t end, struct fwkit_node *pn, struct fwkit_uimage *img)
{
	if (all_byte(buf + part->offset, (size_t)(end - part->offset), 0xFF)) {
		set_holds(pn, HOLDS_ERASED);
		finding(pn, FWKIT_SEV_ERROR, "firmware.erased", part->offset, NULL, NULL,
			"the firmware partition is erased: nothing to boot");
		return;
	}
	struct fwkit_node *k = uimage_node(buf, part->offset, end, img);
	if (!k) {
		set_holds(pn, HOLDS_NO_KERNEL);
		finding(pn, FWKIT_SEV_ERROR, "firmware.no-kernel", part->offset, "a uImage (27 05 19 56)", NULL,
			"the firmware partition does not start with a kernel uImage");
		return;
	}
	for (size_t i = 0; i < img->findings.count; i++)
		if (img->findings.items[i].severity == FWKIT_SEV_ERROR) {
			const struct fwkit_finding *f = &img->findings.items[i];
			finding(pn, FWKIT_SEV_ERROR, "firmware.kernel", f->offset, f->expected, f->found, "kernel: %s", f->message);
		}
	/* the rootfs: right after the kernel, or at the next erase-block boundaries (mtdsplit's rule) */
	uint64_t kend = img->data_offset + img->data_size;
	struct fwkit_node *sq = NULL;
	for (uint64_t cand = kend; !sq && cand + 96 <= end; cand = (cand / p->erase_size + 1) * p->erase_size)
		sq = format_at("squashfs", buf, cand, end);
	if (!adopt(pn, k) || !sq) {
		set_holds(pn, HOLDS_KERNEL);
		finding(pn, FWKIT_SEV_WARN, "firmware.no-rootfs", kend, "squashfs (hsqs)", NULL,
			"no squashfs root file system after the kernel");
		return;
	}
	set_holds(pn, HOLDS_KERNEL_ROOTFS);
	uint64_t fs = fwkit_node_offset(sq), used = fwkit_node_size(sq);
	adopt(pn, sq);
	if (fs + used > (uint64_t)part->offset + part->size) {
		char exp[32], fnd[32];
		snprintf(exp, sizeof(exp), "end at most 0x%llx", (unsigned long long)((uint64_t)part->offset + part->size));
		snprintf(fnd, sizeof(fnd), "0x%llx", (unsigned long long)(fs + used));
		finding(pn, FWKIT_SEV_ERROR, "firmware.rootfs-overflow", fs, exp, fnd,
			"the root file system runs past the firmware partition");
		return;
	}
	uint64_t data = (fs + used + p->erase_size - 1) / p->erase_size * p->erase_size;
	if (data < end)
		adopt(pn, overlay_node(buf, data, end));
}

static void other_part(const uint8_t *pp, size_t plen, const struct fwkit_partition *part, struct fwkit_node *pn)
{
	if (part->content == FWKIT_PART_CRASH && plen >= 4 && memcmp(pp, "\xa5\x5a\x00\x00", 4) == 0) {
		set_holds(pn, HOLDS_FACTORY_MODE);
		finding(pn, FWKIT_SEV_WARN, "crash.factory-mode", part->offset, NULL, "a5 5a 00 00",
			"factory mode is on: U-Boot will set uart_en=1 and boot_wait=on");
		return;
	}
	set_holds(pn, plain_content(pp, plen));
}

static struct fwkit_node *partition_node(const uint8_t *buf, size_t len, const struct fwkit_profile *p,
					 const struct fwkit_partition *part, struct fwkit_uimage *img)
{
	struct fwkit_node *pn = fwkit_node_new("partition", part->offset, part->size);
	if (!pn)
		return NULL;
	add_text(pn, "name", part->name);
	fwkit_node_add_bool(pn, "read_only", part->read_only);
	fwkit_node_add_enum(pn, "content", part->content, fwkit_part_content_name(part->content));
	fwkit_node_add_bool(pn, "present", part->offset < len);
	if (part->offset >= len) {
		set_holds(pn, HOLDS_MISSING);
		finding(pn, FWKIT_SEV_ERROR, "part.missing", part->offset, NULL, NULL, "partition %s lies past the end of the dump",
			part->name);
		return pn;
	}
	uint64_t end = (uint64_t)part->offset + part->size < len ? (uint64_t)part->offset + part->size : len;
	const uint8_t *pp = buf + part->offset;
	size_t plen = (size_t)(end - part->offset);
	switch (part->content) {
	case FWKIT_PART_BOOTLOADER: bootloader_part(buf, part, end, pn, img); break;
	case FWKIT_PART_UBOOT_ENV:
	case FWKIT_PART_BDATA: env_part(buf, len, p, part, end, pn); break;
	case FWKIT_PART_FACTORY: factory_part(buf, len, p, part, pn); break;
	case FWKIT_PART_FIRMWARE:
	case FWKIT_PART_KERNEL: firmware_part(buf, p, part, end, pn, img); break;
	default: other_part(pp, plen, part, pn);
	}
	if (plen < part->size)
		finding(pn, FWKIT_SEV_ERROR, "part.truncated", len, NULL, NULL, "partition %s is cut short by the end of the dump",
			part->name);
	return pn;
}

/* ---- MACs ------------------------------------------------------------------------------------ */

static const struct {
	unsigned bit;
	const char *name;
} MAC_PROBLEMS[] = { { FWKIT_MACP_MULTICAST, "multicast" }, { FWKIT_MACP_ZERO, "zero" },
		     { FWKIT_MACP_BROADCAST, "erased" },     { FWKIT_MACP_CLONE, "clone" },
		     { FWKIT_MACP_DUPLICATE, "duplicate" },  { FWKIT_MACP_OFF_RULE, "off-rule" },
		     { FWKIT_MACP_OUTSIDE, "outside" } };

static void mac_findings(struct fwkit_node *n, const struct fwkit_mac_entry *e, const char *t)
{
	const char *role = fwkit_mac_role_name(e->role);
	if (e->problems & (FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO | FWKIT_MACP_MULTICAST))
		finding(n, FWKIT_SEV_ERROR, "mac.invalid", e->offset, "a unicast MAC", t, "%s MAC is not a usable address", role);
	if (e->problems & FWKIT_MACP_CLONE)
		finding(n, FWKIT_SEV_ERROR, "mac.clone", e->offset, NULL, t,
			"%s MAC %s is a known public clone (%s): set your own with fwkit mac set --label", role, t, e->clone_source);
	if (e->problems & FWKIT_MACP_DUPLICATE)
		finding(n, FWKIT_SEV_ERROR, "mac.duplicate", e->offset, NULL, t, "%s MAC %s is used twice in this dump", role, t);
	if ((e->problems & FWKIT_MACP_OFF_RULE) && !(e->problems & (FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO)))
		finding(n, FWKIT_SEV_INFO, "mac.rule", e->offset, NULL, t, "%s MAC does not follow the profile's rule (label %+d)",
			role, e->delta);
}

struct fwkit_node *fwkit_mac_list_node(const struct fwkit_mac_list *l)
{
	struct fwkit_node *ms = l ? fwkit_node_new("macs", 0, 0) : NULL;
	for (size_t i = 0; ms && i < l->n; i++) {
		const struct fwkit_mac_entry *e = &l->e[i];
		struct fwkit_node *n = fwkit_node_new("mac", e->offset, 6);
		char t[18];
		fwkit_mac_format(e->mac, t);
		if (!n)
			break;
		fwkit_node_add_enum(n, "role", e->role, fwkit_mac_role_name(e->role));
		add_text(n, "mac", t);
		add_text(n, "partition", e->partition);
		fwkit_node_add_int(n, "label_delta", e->delta);
		for (size_t k = 0; k < sizeof(MAC_PROBLEMS) / sizeof(MAC_PROBLEMS[0]); k++)
			if (e->problems & MAC_PROBLEMS[k].bit)
				fwkit_node_add_bool(n, MAC_PROBLEMS[k].name, true);
		if (e->clone_source)
			add_text(n, "clone_source", e->clone_source);
		mac_findings(n, e, t);
		adopt(ms, n);
	}
	return ms;
}

/* ---- the dump, the device tree, the whole ------------------------------------------------------ */

static struct fwkit_node *dump_node(const uint8_t *buf, size_t len, const struct fwkit_profile *p)
{
	struct fwkit_node *n = fwkit_node_new("dump", 0, len);
	struct fwkit_findings *f = calloc(1, sizeof(*f));
	if (n && f) {
		judge_dump(buf, len, p, f);
		fwkit_node_add_bool(n, "whole_chip", f->count == 0);
		move_findings(n, f);
	}
	free(f);
	return n;
}

static struct fwkit_node *devicetree_node(const struct fwkit_profile *p, const struct firmware_facts *facts)
{
	struct fwkit_node *n = fwkit_node_new("devicetree", facts->firmware_offset, facts->dt.dtb_size);
	struct fwkit_findings *f = calloc(1, sizeof(*f));
	if (n && f) {
		add_text(n, "model", facts->dt.model);
		add_text(n, "compatible", facts->dt.compatible[0]);
		for (size_t i = 1; i < 4 && facts->dt.compatible[i][0]; i++)
			add_text(n, "also_compatible", facts->dt.compatible[i]);
		fwkit_node_add_uint(n, "dtb_offset", facts->dt.dtb_offset, true);
		fwkit_node_add_uint(n, "partitions", facts->dt.nparts, false);
		if (p)
			compare_with_devicetree(p, &facts->dt, f);
		move_findings(n, f);
	}
	free(f);
	return n;
}

/* Counts the errors and warnings of the tree below N. */
static void tally(const struct fwkit_node *n, uint64_t *errors, uint64_t *warnings)
{
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		enum fwkit_severity s = fwkit_node_finding(n, i)->severity;
		*errors += s == FWKIT_SEV_ERROR;
		*warnings += s == FWKIT_SEV_WARN;
	}
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		tally(fwkit_node_child(n, i), errors, warnings);
}

struct inspection {
	struct fwkit_identification id;
	struct firmware_facts facts;
	struct fwkit_mac_list macs;
	struct fwkit_uimage img;
};

static void inspect_dump(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *forced,
			 struct inspection *in, struct fwkit_node *root)
{
	const struct fwkit_profile *p = forced ? forced : (in->id.n ? in->id.c[0].profile : NULL);
	/* the one budget every decompression of this inspection draws on (a default one without CTX) */
	struct fwkit_ctx local;
	struct fwkit_ctx *b = budget_ctx(ctx, &local);
	if (forced && (!in->facts.searched || in->facts.firmware_offset != profile_firmware_offset(forced)))
		firmware_facts_read(b, buf, len, forced, true, &in->facts);
	if (p) {
		add_text(root, "device", p->id);
		add_text(root, "device_name", p->name);
	}
	fwkit_node_add_bool(root, "device_forced", forced != NULL);
	adopt(root, fwkit_identification_node(&in->id));
	if (in->facts.has_dt)
		adopt(root, devicetree_node(p, &in->facts));
	struct fwkit_findings *bf = calloc(1, sizeof(*bf));
	/* a search the budget cut short is said, not hidden: the device tree may be there unseen */
	if (bf && fwkit_decompress_budget_report(b, FWKIT_SEV_WARN, bf))
		move_findings(root, bf);
	free(bf);
	adopt(root, dump_node(buf, len, p));
	if (!p)
		return;
	fwkit_mac_read(ctx, p, buf, len, &in->macs);
	for (size_t i = 0; i < p->nparts; i++)
		adopt(root, partition_node(buf, len, p, &p->parts[i], &in->img));
	adopt(root, fwkit_mac_list_node(&in->macs));
}

/* Whether LEN is the flash size of the device given or of one of the caller's own profiles: the
 * caller says that such a file is a dump of it, whatever its content looks like alone. */
static bool is_a_profiles_flash(size_t len, const struct fwkit_profile *forced, const struct fwkit_profile *extra,
				size_t nextra)
{
	if (forced)
		return len == forced->flash_size;
	for (size_t i = 0; i < nextra; i++)
		if (len == extra[i].flash_size)
			return true;
	return false;
}

enum fwkit_status fwkit_inspect(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *profile,
				const struct fwkit_profile *extra, size_t nextra, struct fwkit_node **out)
{
	if (!out || (len && !buf))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "inspect: a NULL argument");
	*out = NULL;
	enum fwkit_status st = profile ? require_valid(ctx, profile) : FWKIT_OK;
	if (st == FWKIT_OK)
		st = require_valid_all(ctx, extra, nextra);
	if (st != FWKIT_OK)
		return st;
	struct inspection *in = calloc(1, sizeof(*in));
	struct fwkit_node *root = fwkit_node_new("inspect", 0, len);
	struct fwkit_node *id = NULL;
	if (!in || !root) {
		free(in);
		fwkit_node_free(root);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	/* know what the file is before judging it as a dump: one scan and one ranking serve both */
	st = identify_file_ranked(ctx, buf, len, extra, nextra, true, &id, &in->id, &in->facts);
	if (st == FWKIT_OK) {
		const struct fwkit_field *kind = fwkit_node_get(id, "kind");
		fwkit_node_add_enum(root, "kind", kind->u, kind->text);
		fwkit_node_add_uint(root, "size", len, false);
		if ((kind->u == FWKIT_KIND_FIRMWARE_IMAGE || kind->u == FWKIT_KIND_PARTITION) &&
		    !is_a_profiles_flash(len, profile, extra, nextra)) {
			adopt(root, id);
			id = NULL;
		} else {
			/* identify ranks devices only for a file of a flash chip's size */
			if (kind->u != FWKIT_KIND_FLASH_DUMP)
				st = rank_devices(ctx, buf, len, extra, nextra, true, &in->id, &in->facts);
			if (st == FWKIT_OK)
				inspect_dump(ctx, buf, len, profile, in, root);
		}
		uint64_t errors = 0, warnings = 0;
		tally(root, &errors, &warnings);
		fwkit_node_add_uint(root, "errors", errors, false);
		fwkit_node_add_uint(root, "warnings", warnings, false);
	}
	fwkit_node_free(id);
	free(in);
	if (st != FWKIT_OK) {
		fwkit_node_free(root);
		return st;
	}
	*out = root;
	return FWKIT_OK;
}
