/*
 * Inspecting a whole flash dump: identify the device by evidence, judge the dump, then say what
 * every partition of the device's map holds, each with findings. It reuses the format modules
 * (uImage, U-Boot env) and reads squashfs superblocks (formats.md 6.5), Wi-Fi EEPROM chip ids
 * (formats.md 3.9), Xiaomi's crash-partition factory flag (formats.md 4.3) and bootloader
 * version strings.
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/cursor.h"
#include "core/internal.h"
#include "devices/devices.h"
#include "formats/registry.h"
#include "fwkit/codec.h"
#include "fwkit/env.h"
#include "fwkit/devicetree.h"
#include "fwkit/inspect.h"
#include "fwkit/uimage.h"

static bool all_byte(const uint8_t *p, size_t n, uint8_t b)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != b)
			return false;
	return true;
}

static void evidence(struct fwkit_candidate *c, int w, const char *fmt, ...) FWKIT_PRINTF(3, 4);
static void evidence(struct fwkit_candidate *c, int w, const char *fmt, ...)
{
	c->score += w;
	if (c->nev >= FWKIT_MAX_EVIDENCE)
		return;
	struct fwkit_evidence *e = &c->ev[c->nev++];
	e->weight = w;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	return k <= n ? memmem(hay, n, needle, k) : NULL;
}

static bool same_layout(const struct fwkit_profile *a, const struct fwkit_profile *b)
{
	if (a->flash_size != b->flash_size || a->nparts != b->nparts || a->nmacs != b->nmacs)
		return false;
	for (size_t i = 0; i < a->nparts; i++)
		if (a->parts[i].offset != b->parts[i].offset || a->parts[i].size != b->parts[i].size ||
		    strcmp(a->parts[i].name, b->parts[i].name) != 0)
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

/*
 * Where the commas of BUF are: every vendor-prefixed compatible ("xiaomi,mir3g-v2") has one, so
 * one memchr pass serves all profiles' compatibles instead of a memmem pass over the whole dump
 * for each of them. NULL positions (too many commas, or no memory) fall back to memmem.
 */
struct comma_index {
	uint32_t *pos;
	size_t n;
};

#define COMMA_INDEX_MAX (1u << 20)

static void index_commas(const uint8_t *buf, size_t len, struct comma_index *ci)
{
	ci->n = 0;
	ci->pos = len <= UINT32_MAX ? malloc(COMMA_INDEX_MAX * sizeof(*ci->pos)) : NULL;
	for (const uint8_t *p = buf; ci->pos && (p = memchr(p, ',', len - (size_t)(p - buf))) != NULL; p++) {
		if (ci->n == COMMA_INDEX_MAX) {
			free(ci->pos);
			ci->pos = NULL;
			break;
		}
		ci->pos[ci->n++] = (uint32_t)(p - buf);
	}
}

static bool contains_compatible(const uint8_t *buf, size_t len, const struct comma_index *ci, const char *compat)
{
	if (!ci->pos)
		return find_bytes(buf, len, compat) != NULL;
	const char *comma = strchr(compat, ',');
	size_t pre = (size_t)(comma - compat), post = strlen(comma);
	for (size_t i = 0; i < ci->n; i++) {
		size_t at = ci->pos[i];
		if (at >= pre && post <= len - at && memcmp(buf + at - pre, compat, pre) == 0 && memcmp(buf + at, comma, post) == 0)
			return true;
	}
	return false;
}

static void score_profile(const struct fwkit_profile *p, const uint8_t *buf, size_t len, struct fwkit_candidate *c,
			  struct fwkit_uimage *img, const struct comma_index *ci)
{
	memset(c, 0, sizeof(*c));
	c->profile = p;
	if (len == p->flash_size)
		evidence(c, 10, "dump size 0x%zx equals the flash size", len);
	else if (!p->nand)
		evidence(c, -20, "dump size 0x%zx differs from the flash size 0x%x", len, p->flash_size);
	for (size_t i = 0; i < p->neeproms; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition(p, p->eeproms[i].partition);
		if (!part)
			continue; /* the selfcheck refuses this; never followed */
		uint64_t off = (uint64_t)part->offset + p->eeproms[i].offset;
		if (off + 2 <= len && (uint16_t)(buf[off] | (buf[off + 1] << 8)) == p->eeproms[i].chip_id)
			evidence(c, 8, "%s+0x%x: EEPROM chip id 0x%04x (%s)", part->name, p->eeproms[i].offset,
				 p->eeproms[i].chip_id, p->eeproms[i].band);
	}
	for (size_t i = 0; i < p->nenvs; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition(p, p->envs[i].partition);
		if (!part)
			continue;
		uint64_t off = (uint64_t)part->offset + p->envs[i].offset;
		struct fwkit_env_block b;
		if (off < len && fwkit_env_block_at(NULL, buf, len, off, p->envs[i].size, &b) == FWKIT_OK && b.crc_ok)
			evidence(c, p->envs[i].bdata ? 6 : 4, "%s at 0x%llx: %s with a good CRC (size 0x%x)", part->name,
				 (unsigned long long)off, p->envs[i].bdata ? "Bdata" : "U-Boot env", p->envs[i].size);
	}
	for (size_t i = 0; i < p->nparts; i++) {
		const struct fwkit_partition *part = &p->parts[i];
		if (part->content != FWKIT_PART_FIRMWARE || (uint64_t)part->offset + 64 > len)
			continue;
		if (img && fwkit_uimage_parse(NULL, buf, len, part->offset, 0, img) == FWKIT_OK && img->hcrc_ok)
			evidence(c, 6, "%s at 0x%x starts with a uImage (\"%.*s\")", part->name, part->offset, (int)img->name_len,
				 img->hdr.name);
	}
	/* the SoC named in the bootloader's strings */
	size_t boot = p->parts[0].size < len ? p->parts[0].size : len;
	if (p->soc[0]) {
		char soc[16];
		snprintf(soc, sizeof(soc), "%.6s", p->soc); /* "MT7621", "MT7628", "RT5350" */
		if (find_bytes(buf, boot, soc))
			evidence(c, 3, "the bootloader mentions %s", soc);
	}
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT && p->compatible[i][0]; i++) {
		if (strchr(p->compatible[i], ',') && contains_compatible(buf, len, ci, p->compatible[i])) {
			evidence(c, 20, "the dump contains \"%s\" (device tree or metadata)", p->compatible[i]);
			break;
		}
	}
}

/* Best score first; equal scores by id, so the order is the same on every libc. */
static int by_score(const void *a, const void *b)
{
	const struct fwkit_candidate *x = a, *y = b;
	if (x->score != y->score)
		return (y->score > x->score) - (y->score < x->score);
	return strcmp(x->profile->id, y->profile->id);
}

/* The ranking itself, over profiles already checked. */
static enum fwkit_status identify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				  const struct fwkit_profile *extra, size_t nextra, struct fwkit_identification *out)
{
	memset(out, 0, sizeof(*out));
	/* a uImage holds a findings struct (12 KB): on the heap, not in this frame */
	struct fwkit_uimage *img = malloc(sizeof(*img));
	struct fwkit_candidate *c = malloc(sizeof(*c));
	if (!img || !c) {
		free(img);
		free(c);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	struct comma_index ci;
	index_commas(buf, len, &ci);
	size_t total = fwkit_profiles_builtin_count() + nextra;
	for (size_t i = 0; i < total && out->n < FWKIT_MAX_CANDIDATES; i++) {
		const struct fwkit_profile *p = i < nextra ? &extra[i] : fwkit_profiles_builtin_get(i - nextra);
		score_profile(p, buf, len, c, img, &ci);
		if (c->score > 10) /* more than the size alone */
			out->c[out->n++] = *c;
	}
	free(ci.pos);
	free(c);
	free(img);
	qsort(out->c, out->n, sizeof(out->c[0]), by_score);
	for (size_t i = 1; i < out->n; i++)
		if (out->c[i].score == out->c[0].score && same_layout(out->c[i].profile, out->c[0].profile)) {
			out->c[i].same_layout_as_best = true;
			out->c[0].same_layout_as_best = true;
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
	return identify(ctx, buf, len, extra, nextra, out);
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
}

/* ---- partitions --------------------------------------------------------------------- */

static void bootloader_report(const uint8_t *p, size_t n, struct fwkit_part_report *r)
{
	const uint8_t *u = find_bytes(p, n, "U-Boot ");
	const uint8_t *breed = find_bytes(p, n, "Breed");
	if (u && u + 7 < p + n && u[7] >= '0' && u[7] <= '9') {
		size_t k = 0;
		while (u + k < p + n && k < 60 && u[k] >= 0x20 && u[k] < 0x7F)
			k++;
		snprintf(r->holds, sizeof(r->holds), "%.*s", (int)k, (const char *)u);
	} else if (breed) {
		const uint8_t *v = find_bytes(p, n, "Version ");
		snprintf(r->holds, sizeof(r->holds), "Breed%s%.*s", v ? " " : "", v ? 24 : 0, v ? (const char *)v : "");
		for (char *c = r->holds; *c; c++)
			if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7F)
				*c = 0;
	} else {
		snprintf(r->holds, sizeof(r->holds), "bootloader (no version string found)");
	}
	struct fwkit_uimage *img = malloc(sizeof(*img)); /* 12 KB of findings: not on the stack */
	if (img && n >= 64 && fwkit_uimage_parse(NULL, p, n, 0, 0, img) == FWKIT_OK)
		snprintf(r->detail, sizeof(r->detail), "uImage \"%.*s\", %u bytes, header CRC %s, data CRC %s", (int)img->name_len,
			 img->hdr.name, img->data_size, img->hcrc_ok ? "ok" : "BAD",
			 img->dcrc_checked ? (img->dcrc_ok ? "ok" : "BAD") : "n/a");
	else
		snprintf(r->detail, sizeof(r->detail), "raw code (no uImage header)");
	free(img);
}

static void env_value(const uint8_t *buf, size_t len, const struct fwkit_env_block *b, const char *name, char *out,
		      size_t cap)
{
	struct fwkit_env_vars v;
	snprintf(out, cap, "-");
	if (fwkit_env_vars(NULL, buf, len, b, &v) != FWKIT_OK)
		return;
	for (size_t i = 0; i < v.count; i++)
		if (v.items[i].name_len == strlen(name) && memcmp(v.items[i].name, name, v.items[i].name_len) == 0)
			snprintf(out, cap, "%.*s", (int)(v.items[i].value_len < 32 ? v.items[i].value_len : 32), v.items[i].value);
	fwkit_env_vars_free(&v);
}

static void env_report(const uint8_t *buf, size_t len, const struct fwkit_profile *p, const struct fwkit_partition *part,
		       struct fwkit_part_report *r)
{
	const struct fwkit_env_location *loc = NULL;
	for (size_t i = 0; i < p->nenvs; i++)
		if (strcmp(p->envs[i].partition, part->name) == 0)
			loc = &p->envs[i];
	struct fwkit_env_block b;
	uint64_t off = (uint64_t)part->offset + (loc ? loc->offset : 0);
	if (fwkit_env_block_at(NULL, buf, len, off, loc ? loc->size : 0, &b) != FWKIT_OK) {
		struct fwkit_env_scan s;
		uint64_t plen = part->size < len - part->offset ? part->size : len - part->offset;
		fwkit_env_find(NULL, buf + part->offset, (size_t)plen, &s);
		if (!s.count) {
			snprintf(r->holds, sizeof(r->holds), all_byte(buf + part->offset, (size_t)plen, 0xFF) ? "erased" : "no environment found");
			if (loc)
				findings_add(&r->findings, FWKIT_SEV_WARN, "env.missing", off, NULL, NULL,
					     "no %s at 0x%llx (%s defaults apply)", loc->bdata ? "Bdata" : "U-Boot env",
					     (unsigned long long)off, loc->bdata ? "the firmware's" : "U-Boot's");
			return;
		}
		b = s.blocks[0];
		b.offset += part->offset;
		b.data_offset += part->offset;
		b.other_offset += part->offset;
	}
	snprintf(r->holds, sizeof(r->holds), "%s env (size 0x%llx%s)", b.kind == FWKIT_ENV_XIAOMI_BDATA || (loc && loc->bdata) ? "Bdata" : fwkit_env_kind_name(b.kind),
		 (unsigned long long)b.size, b.size_known ? "" : ", guessed");
	char bootdelay[40], uart[40], bootwait[40], model[40];
	env_value(buf, len, &b, "bootdelay", bootdelay, sizeof(bootdelay));
	env_value(buf, len, &b, "uart_en", uart, sizeof(uart));
	env_value(buf, len, &b, "boot_wait", bootwait, sizeof(bootwait));
	env_value(buf, len, &b, "model", model, sizeof(model));
	if (loc && loc->bdata)
		snprintf(r->detail, sizeof(r->detail), "CRC %s, %zu variables, model=%s, uart_en=%s, boot_wait=%s",
			 b.crc_ok ? "ok" : "BAD", b.nvars, model, uart, bootwait);
	else
		snprintf(r->detail, sizeof(r->detail), "CRC %s, %zu variables, bootdelay=%s, uart_en=%s, boot_wait=%s",
			 b.crc_ok ? "ok" : "BAD", b.nvars, bootdelay, uart, bootwait);
	if (b.has_crc && !b.crc_ok) {
		char exp[16], fnd[16];
		snprintf(exp, sizeof(exp), "0x%08x", b.crc_computed);
		snprintf(fnd, sizeof(fnd), "0x%08x", b.crc_stored);
		findings_add(&r->findings, FWKIT_SEV_ERROR, "env.crc", b.offset, exp, fnd,
			     "bad env CRC: the bootloader will use its default environment");
	}
	if (loc && b.size_known && b.size != loc->size)
		findings_add(&r->findings, FWKIT_SEV_WARN, "env.size", b.offset, NULL, NULL,
			     "env size 0x%llx differs from the profile's 0x%x", (unsigned long long)b.size, loc->size);
}

static const char *eeprom_chip(uint16_t id)
{
	switch (id) {
	case 0x7603: return "MT7603";
	case 0x7628: return "MT7628";
	case 0x7612: return "MT7612";
	case 0x7662: return "MT7662";
	case 0x7610: return "MT7610";
	case 0x7615: return "MT7615";
	case 0x7663: return "MT7663";
	case 0x7915: return "MT7915";
	case 0x5350: return "RT5350";
	default: return NULL;
	}
}

static void factory_report(const uint8_t *buf, size_t len, const struct fwkit_profile *p,
			   const struct fwkit_partition *part, const struct fwkit_mac_list *macs, struct fwkit_part_report *r)
{
	size_t o = 0;
	snprintf(r->holds, sizeof(r->holds), "Wi-Fi calibration (EEPROM) and MACs");
	for (size_t i = 0; i < p->neeproms; i++) {
		if (strcmp(p->eeproms[i].partition, part->name) != 0)
			continue;
		uint64_t off = (uint64_t)part->offset + p->eeproms[i].offset;
		uint16_t id = off + 2 <= len ? (uint16_t)(buf[off] | (buf[off + 1] << 8)) : 0;
		const char *chip = eeprom_chip(id);
		o += (size_t)snprintf(r->detail + o, sizeof(r->detail) - o, "%s+0x%x: %s EEPROM 0x%04x; ", part->name,
				      p->eeproms[i].offset, chip ? chip : "unknown", id);
		if (o >= sizeof(r->detail))
			o = sizeof(r->detail) - 1;
		if (id != p->eeproms[i].chip_id) {
			char exp[8], fnd[8];
			snprintf(exp, sizeof(exp), "0x%04x", p->eeproms[i].chip_id);
			snprintf(fnd, sizeof(fnd), "0x%04x", id);
			findings_add(&r->findings, id == 0xFFFF ? FWKIT_SEV_ERROR : FWKIT_SEV_WARN, "eeprom.chip", off, exp, fnd,
				     id == 0xFFFF ? "%s EEPROM is erased: Wi-Fi will not work" : "%s EEPROM chip id differs from the profile's",
				     p->eeproms[i].band);
		}
	}
	for (size_t i = 0; i < macs->n; i++) {
		const struct fwkit_mac_entry *e = &macs->e[i];
		if (strcmp(e->partition, part->name) != 0)
			continue;
		char t[18];
		fwkit_mac_format(e->mac, t);
		o += (size_t)snprintf(r->detail + o, sizeof(r->detail) - o, "%s %s; ", fwkit_mac_role_name(e->role), t);
		if (o >= sizeof(r->detail))
			o = sizeof(r->detail) - 1;
		if (e->problems & (FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO | FWKIT_MACP_MULTICAST))
			findings_add(&r->findings, FWKIT_SEV_ERROR, "mac.invalid", e->offset, "a unicast MAC", t,
				     "%s MAC is not a usable address", fwkit_mac_role_name(e->role));
		if (e->problems & FWKIT_MACP_CLONE)
			findings_add(&r->findings, FWKIT_SEV_ERROR, "mac.clone", e->offset, NULL, t,
				     "%s MAC %s is a known public clone (%s): set your own with fwkit mac set --label",
				     fwkit_mac_role_name(e->role), t, e->clone_source);
		if (e->problems & FWKIT_MACP_DUPLICATE)
			findings_add(&r->findings, FWKIT_SEV_ERROR, "mac.duplicate", e->offset, NULL, t,
				     "%s MAC %s is used twice in this dump", fwkit_mac_role_name(e->role), t);
		if ((e->problems & FWKIT_MACP_OFF_RULE) && !(e->problems & (FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO)))
			findings_add(&r->findings, FWKIT_SEV_INFO, "mac.rule", e->offset, NULL, t,
				     "%s MAC does not follow the profile's rule (label %+d)", fwkit_mac_role_name(e->role), e->delta);
	}
	if (o >= 2 && r->detail[o - 2] == ';')
		r->detail[o - 2] = 0;
}

/* The squashfs at FS (the input ends at END) through the format table: its node, which the
 * caller frees, or NULL when the squashfs probe does not verify it. */
static struct fwkit_node *squashfs_at(const uint8_t *buf, uint64_t fs, uint64_t end)
{
	const struct fwkit_format *f = formats_by_name("squashfs");
	struct probe_result r;
	formats_probe(f, buf + fs, (size_t)(end - fs), fs, &r);
	if (r.bits < f->verified_bits)
		return NULL;
	struct fwkit_node *n = fwkit_node_new(f->name, fs, r.size);
	if (n)
		f->describe(NULL, buf + fs, (size_t)(end - fs), n);
	return n;
}

static void firmware_report_with(const uint8_t *buf, size_t len, const struct fwkit_profile *p,
				 const struct fwkit_partition *part, struct fwkit_part_report *r, struct fwkit_uimage *img)
{
	uint64_t end = (uint64_t)part->offset + part->size;
	if (end > len)
		end = len;
	const uint8_t *pp = buf + part->offset;
	size_t plen = (size_t)(end - part->offset);
	if (all_byte(pp, plen, 0xFF)) {
		snprintf(r->holds, sizeof(r->holds), "erased");
		findings_add(&r->findings, FWKIT_SEV_ERROR, "firmware.erased", part->offset, NULL, NULL,
			     "the firmware partition is erased: nothing to boot");
		return;
	}
	if (fwkit_uimage_parse(NULL, buf, (size_t)end, part->offset, 0, img) != FWKIT_OK) {
		snprintf(r->holds, sizeof(r->holds), "no uImage at the start");
		findings_add(&r->findings, FWKIT_SEV_ERROR, "firmware.no-kernel", part->offset, "a uImage (27 05 19 56)", NULL,
			     "the firmware partition does not start with a kernel uImage");
		return;
	}
	size_t o = (size_t)snprintf(r->detail, sizeof(r->detail), "kernel \"%.*s\" %u bytes %s, CRCs %s",
				    (int)img->name_len, img->hdr.name, img->data_size, fwkit_uimage_comp_short(img->hdr.comp),
				    img->hcrc_ok && img->dcrc_ok ? "ok" : "BAD");
	for (size_t i = 0; i < img->findings.count; i++)
		if (img->findings.items[i].severity == FWKIT_SEV_ERROR) {
			struct fwkit_finding f = img->findings.items[i];
			findings_add(&r->findings, FWKIT_SEV_ERROR, "firmware.kernel", f.offset, f.expected, f.found, "kernel: %s",
				     f.message);
		}
	snprintf(r->holds, sizeof(r->holds), "uImage kernel");
	/* the rootfs: right after the kernel, or at the next erase-block boundaries (mtdsplit's rule) */
	uint64_t kend = img->data_offset + img->data_size;
	uint64_t cand = kend;
	uint64_t fs = 0;
	struct fwkit_node *sq = NULL;
	while (cand + 96 <= end) {
		if ((sq = squashfs_at(buf, cand, end)) != NULL) {
			fs = cand;
			break;
		}
		cand = (cand / p->erase_size + 1) * p->erase_size;
	}
	if (!fs) {
		o += (size_t)snprintf(r->detail + o, sizeof(r->detail) - o, "; no squashfs rootfs found");
		findings_add(&r->findings, FWKIT_SEV_WARN, "firmware.no-rootfs", kend, "squashfs (hsqs)", NULL,
			     "no squashfs root file system after the kernel");
		return;
	}
	const struct fwkit_field *comp = fwkit_node_get(sq, "compression");
	uint64_t block = fwkit_node_get(sq, "block_size") ? fwkit_node_get(sq, "block_size")->u : 0;
	uint64_t used = fwkit_node_size(sq);
	snprintf(r->holds, sizeof(r->holds), "uImage kernel + squashfs");
	/* the squashfs probe only takes version 4.0 */
	o += (size_t)snprintf(r->detail + o, sizeof(r->detail) - o, "; squashfs 4.x at 0x%llx, %s, block %llu KiB, %llu bytes used",
			      (unsigned long long)fs, comp ? comp->text : "?", (unsigned long long)(block >> 10),
			      (unsigned long long)used);
	fwkit_node_free(sq);
	if (fs + used > (uint64_t)part->offset + part->size) {
		char exp[32], fnd[32];
		snprintf(exp, sizeof(exp), "end at most 0x%llx", (unsigned long long)((uint64_t)part->offset + part->size));
		snprintf(fnd, sizeof(fnd), "0x%llx", (unsigned long long)(fs + used));
		findings_add(&r->findings, FWKIT_SEV_ERROR, "firmware.rootfs-overflow", fs, exp, fnd,
			     "the root file system runs past the firmware partition");
		return;
	}
	uint64_t data = (fs + used + p->erase_size - 1) / p->erase_size * p->erase_size;
	if (data < end) {
		size_t rest = (size_t)(end - data);
		const char *what = all_byte(buf + data, rest, 0xFF)              ? "erased"
				   : memcmp(buf + data, "\xde\xad\xc0\xde", 4) == 0 ? "marked for formatting (deadc0de)"
										     : "in use (data)";
		if (o < sizeof(r->detail))
			snprintf(r->detail + o, sizeof(r->detail) - o, "; overlay 0x%llx..0x%llx (%zu KiB) %s", (unsigned long long)data,
				 (unsigned long long)end, rest >> 10, what);
	}
}

static void firmware_report(const uint8_t *buf, size_t len, const struct fwkit_profile *p,
			    const struct fwkit_partition *part, struct fwkit_part_report *r)
{
	struct fwkit_uimage *img = malloc(sizeof(*img)); /* 12 KB of findings: not on the stack */
	if (!img) {
		snprintf(r->holds, sizeof(r->holds), "not checked (out of memory)");
		return;
	}
	firmware_report_with(buf, len, p, part, r, img);
	free(img);
}

/* The device tree of the kernel in the first firmware partition of P, decompressed within CTX's
 * budget. */
static bool find_devicetree(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *p,
			    struct fwkit_devicetree *dt)
{
	struct fwkit_uimage *img = malloc(sizeof(*img)); /* 12 KB of findings: not on the stack */
	bool found = false;
	for (size_t i = 0; img && !found && p && i < p->nparts; i++) {
		if (p->parts[i].content != FWKIT_PART_FIRMWARE || p->parts[i].offset >= len)
			continue;
		if (fwkit_uimage_parse(NULL, buf, len, p->parts[i].offset, 0, img) == FWKIT_OK && img->data_complete &&
		    fwkit_devicetree_from_kernel(ctx, buf + img->data_offset, img->data_size, img->hdr.comp, dt) == FWKIT_OK)
			found = true;
	}
	free(img);
	return found;
}

bool devices_rank_by_devicetree(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *p,
				struct fwkit_identification *id, struct fwkit_devicetree *dt)
{
	if (!find_devicetree(ctx, buf, len, p, dt))
		return false;
	/* the kernel's own device tree is the strongest evidence of all */
	for (size_t i = 0; i < id->n; i++)
		for (size_t c = 0; c < FWKIT_PROFILE_MAX_COMPAT && id->c[i].profile->compatible[c][0]; c++)
			if (strcmp(id->c[i].profile->compatible[c], dt->compatible[0]) == 0) {
				evidence(&id->c[i], 30, "the kernel's device tree: model \"%s\", compatible \"%s\"", dt->model,
					 dt->compatible[0]);
				break;
			}
	qsort(id->c, id->n, sizeof(id->c[0]), by_score);
	for (size_t i = 0; i < id->n; i++)
		id->c[i].same_layout_as_best = false;
	for (size_t i = 1; i < id->n; i++)
		if (id->c[i].score == id->c[0].score && same_layout(id->c[i].profile, id->c[0].profile))
			id->c[i].same_layout_as_best = id->c[0].same_layout_as_best = true;
	return true;
}

static void compare_with_devicetree(const struct fwkit_profile *p, const struct fwkit_devicetree *dt,
				    struct fwkit_findings *f)
{
	bool compat = false;
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT && p->compatible[i][0]; i++)
		for (size_t k = 0; k < 4 && dt->compatible[k][0]; k++)
			if (strcmp(p->compatible[i], dt->compatible[k]) == 0)
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

enum fwkit_status fwkit_inspect(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *profile,
				const struct fwkit_profile *extra, size_t nextra, struct fwkit_inspection *out)
{
	if (!out || (len && !buf))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "inspect: a NULL argument");
	memset(out, 0, sizeof(*out));
	enum fwkit_status st = profile ? require_valid(ctx, profile) : FWKIT_OK;
	if (st == FWKIT_OK)
		st = require_valid_all(ctx, extra, nextra);
	if (st != FWKIT_OK)
		return st;
	out->size = len;
	st = identify(ctx, buf, len, extra, nextra, &out->id);
	if (st != FWKIT_OK)
		return st;
	out->profile = profile ? profile : (out->id.n ? out->id.c[0].profile : NULL);
	/* the one budget every decompression of this inspection draws on (a default one without CTX) */
	struct fwkit_ctx local;
	struct fwkit_ctx *b = budget_ctx(ctx, &local);
	struct fwkit_devicetree *dt = malloc(sizeof(*dt));
	if (dt && devices_rank_by_devicetree(b, buf, len, out->profile, &out->id, dt)) {
		out->has_dt = true;
		snprintf(out->dt_model, sizeof(out->dt_model), "%s", dt->model);
		snprintf(out->dt_compatible, sizeof(out->dt_compatible), "%s", dt->compatible[0]);
		if (!profile && out->id.n)
			out->profile = out->id.c[0].profile;
		if (out->profile)
			compare_with_devicetree(out->profile, dt, &out->dt_findings);
	}
	free(dt);
	/* a search the budget cut short is said, not hidden: the device tree may be there unseen */
	fwkit_decompress_budget_report(b, FWKIT_SEV_WARN, &out->dt_findings);
	out->forced = profile != NULL;
	judge_dump(buf, len, out->profile, &out->dump);
	const struct fwkit_profile *p = out->profile;
	if (!p)
		return FWKIT_OK;
	fwkit_mac_read(ctx, p, buf, len, &out->macs);
	for (size_t i = 0; i < p->nparts; i++) {
		struct fwkit_part_report *r = &out->parts[out->nparts++];
		r->part = p->parts[i];
		r->present = r->part.offset < len;
		if (!r->present) {
			snprintf(r->holds, sizeof(r->holds), "not in the dump");
			findings_add(&r->findings, FWKIT_SEV_ERROR, "part.missing", r->part.offset, NULL, NULL,
				     "partition %s lies past the end of the dump", r->part.name);
			continue;
		}
		uint64_t plen = r->part.size < len - r->part.offset ? r->part.size : len - r->part.offset;
		const uint8_t *pp = buf + r->part.offset;
		switch (r->part.content) {
		case FWKIT_PART_BOOTLOADER:
			if (all_byte(pp, (size_t)plen, 0xFF)) {
				snprintf(r->holds, sizeof(r->holds), "erased");
				findings_add(&r->findings, FWKIT_SEV_ERROR, "boot.erased", r->part.offset, NULL, NULL,
					     "the bootloader partition is erased: the router will not start");
			} else {
				bootloader_report(pp, (size_t)plen, r);
			}
			break;
		case FWKIT_PART_UBOOT_ENV:
		case FWKIT_PART_BDATA:
			env_report(buf, len, p, &p->parts[i], r);
			break;
		case FWKIT_PART_FACTORY:
			factory_report(buf, len, p, &p->parts[i], &out->macs, r);
			break;
		case FWKIT_PART_FIRMWARE:
		case FWKIT_PART_KERNEL:
			firmware_report(buf, len, p, &p->parts[i], r);
			break;
		case FWKIT_PART_CRASH:
			if (plen >= 4 && memcmp(pp, "\xa5\x5a\x00\x00", 4) == 0) {
				snprintf(r->holds, sizeof(r->holds), "factory-mode flag (A5 5A 00 00)");
				findings_add(&r->findings, FWKIT_SEV_WARN, "crash.factory-mode", r->part.offset, NULL, "a5 5a 00 00",
					     "factory mode is on: U-Boot will set uart_en=1 and boot_wait=on");
				break;
			}
			/* fall through */
		default:
			snprintf(r->holds, sizeof(r->holds), "%s", all_byte(pp, (size_t)plen, 0xFF) ? "erased"
								  : all_byte(pp, (size_t)plen, 0x00) ? "all 0x00"
												     : "data");
		}
		if (plen < r->part.size)
			findings_add(&r->findings, FWKIT_SEV_ERROR, "part.truncated", len, NULL, NULL,
				     "partition %s is cut short by the end of the dump", r->part.name);
	}
	return FWKIT_OK;
}
