/*
 * Which device is this dump from? Every piece of evidence is scored with one documented weight
 * (docs/identification.md): sizes, EEPROM chip ids, envs and Bdata where the profile has them,
 * Bdata's model=, the bootloader's own model string, and what the firmware was built for (its
 * kernel's device tree, its sysupgrade metadata, or its compatible strings, counted once: they
 * are one source). Sources that name one device by themselves are kept as claims, so a dump
 * whose Bdata and firmware disagree says so instead of quietly picking one.
 */
#define _GNU_SOURCE /* memmem */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/budget.h"
#include "core/internal.h"
#include "devices/rank.h"
#include "fwkit/devicetree.h"
#include "fwkit/env.h"
#include "fwkit/inspect.h"
#include "fwkit/sysupgrade.h"
#include "fwkit/uimage.h"

/* The weights (docs/identification.md says why each is what it is). */
enum {
	W_SIZE = 10,
	W_SIZE_DIFFERS = -20,
	W_EEPROM_CHIP = 8,
	W_ENV = 4,
	W_BDATA = 6,
	W_KERNEL = 6,
	W_SOC = 3,
	W_BDATA_MODEL = 50,
	W_BOOTLOADER_MODEL = 25,
	W_BOOTLOADER_VENDOR = 15,
	W_BOOTLOADER_NOT_VENDOR = -10,
	W_DEVICE_TREE = 30,
	W_SUPPORTED_DEVICES = 20,
	W_COMPATIBLE = 10,
};

/*
 * Xiaomi's model codes as Bdata's model= and the stock U-Boot's default env carry them. Sources:
 * R3G in the Mi R3G stock U-Boot (../shared/testdata/real/xmir-patcher/uboot_r3g.bin "model=R3G");
 * R4A in the 4A Gigabit stock U-Boot (r4a-gigabit-installer/uboot3.bin, mi4c-install-openwrt/
 * ubootR4AGE.bin: "model=R4A", "Not R4A package."); R4AG named by issue 12 for a 4A Gigabit's
 * Bdata; R3GV2 in seed 000 ("model show r3gv2"); R4AC and R4CM are the 4A 100M's and the 4C's
 * model numbers (formats.md 4.4 device_id r4cm).
 */
static const struct {
	const char *code, *device;
} MODEL_CODES[] = {
	{ "R3G", "xiaomi_mi-router-3g" },         { "R3GV2", "xiaomi_mi-router-3g-v2" },
	{ "R4A", "xiaomi_mi-router-4a-gigabit" }, { "R4AG", "xiaomi_mi-router-4a-gigabit" },
	{ "R4AC", "xiaomi_mi-router-4a-100m" },   { "R4CM", "xiaomi_mi-router-4c" },
};

/* HAME's own U-Boot asks its TFTP server by MAC ("get hame message", in the MPR-A1 v2.2 U-Boot of
 * ../shared/testdata/real/openwrt-rt5350-jiapengli); the A5-V11's stock U-Boot has no such code. */
#define HAME_MARK "get hame message"

const char *fwkit_evidence_kind_name(enum fwkit_evidence_kind kind)
{
	switch (kind) {
	case FWKIT_EVIDENCE_SIZE: return "size";
	case FWKIT_EVIDENCE_EEPROM_CHIP: return "eeprom-chip";
	case FWKIT_EVIDENCE_ENV: return "env";
	case FWKIT_EVIDENCE_BDATA: return "bdata";
	case FWKIT_EVIDENCE_KERNEL: return "kernel";
	case FWKIT_EVIDENCE_SOC: return "soc";
	case FWKIT_EVIDENCE_BDATA_MODEL: return "bdata-model";
	case FWKIT_EVIDENCE_BOOTLOADER_MODEL: return "bootloader-model";
	case FWKIT_EVIDENCE_COMPATIBLE: return "compatible";
	case FWKIT_EVIDENCE_SUPPORTED_DEVICES: return "supported-devices";
	case FWKIT_EVIDENCE_DEVICE_TREE: return "device-tree";
	}
	return "unknown";
}

static void evidence(struct fwkit_candidate *c, enum fwkit_evidence_kind kind, int w, uint64_t offset, const char *value,
		     const char *fmt, ...) FWKIT_PRINTF(6, 7);
static void evidence(struct fwkit_candidate *c, enum fwkit_evidence_kind kind, int w, uint64_t offset, const char *value,
		     const char *fmt, ...)
{
	c->score += w;
	if (c->nev >= FWKIT_MAX_EVIDENCE)
		return;
	struct fwkit_evidence *e = &c->ev[c->nev++];
	e->kind = kind;
	e->weight = w;
	e->offset = offset;
	str_printf(e->value, sizeof(e->value), "%s", value);
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

bool profiles_same_layout(const struct fwkit_profile *a, const struct fwkit_profile *b)
{
	if (a->flash_size != b->flash_size || a->nparts != b->nparts || a->nmacs != b->nmacs)
		return false;
	for (size_t i = 0; i < a->nparts; i++)
		if (a->parts[i].offset != b->parts[i].offset || a->parts[i].size != b->parts[i].size ||
		    strcmp(a->parts[i].name, b->parts[i].name) != 0)
			return false;
	return true;
}

static const struct fwkit_profile *profile_at(size_t i, const struct fwkit_profile *extra, size_t nextra)
{
	return i < nextra ? &extra[i] : fwkit_profiles_builtin_get(i - nextra);
}

/* The profile whose compatibles hold NAME exactly, ignoring case ("xiaomi,mir3g" is not
 * "xiaomi,mir3g-v2"; "a5-v11" without a vendor prefix counts), or NULL. */
static bool profile_has_compatible(const struct fwkit_profile *p, const char *name)
{
	for (size_t k = 0; k < FWKIT_PROFILE_MAX_COMPAT && p->compatible[k][0]; k++)
		if (strcasecmp(p->compatible[k], name) == 0)
			return true;
	return false;
}

static const struct fwkit_profile *profile_by_compatible(const char *name, const struct fwkit_profile *extra,
							 size_t nextra)
{
	size_t total = fwkit_profiles_builtin_count() + nextra;
	for (size_t i = 0; i < total; i++)
		if (profile_has_compatible(profile_at(i, extra, nextra), name))
			return profile_at(i, extra, nextra);
	return NULL;
}

static const char *device_of_model_code(const char *code)
{
	for (size_t i = 0; i < sizeof(MODEL_CODES) / sizeof(MODEL_CODES[0]); i++)
		if (strcasecmp(MODEL_CODES[i].code, code) == 0)
			return MODEL_CODES[i].device;
	return NULL;
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

/* A byte that may end or start a whole compatible: NUL (device tree string lists), a quote
 * (JSON metadata), white space. Anything else means the match is part of a longer name. */
static bool name_boundary(uint8_t b)
{
	return b == 0 || b == '"' || b == ' ' || b == '\n' || b == '\t';
}

/* Whether BUF holds COMPAT as a whole name, ignoring case; its offset in *AT. */
static bool contains_compatible(const uint8_t *buf, size_t len, const struct comma_index *ci, const char *compat,
				uint64_t *at)
{
	const char *comma = strchr(compat, ',');
	size_t pre = (size_t)(comma - compat), post = strlen(comma);
	for (size_t i = 0; ci->pos && i < ci->n; i++) {
		size_t c = ci->pos[i];
		if (c < pre || post > len - c || strncasecmp((const char *)buf + c - pre, compat, pre) != 0 ||
		    strncasecmp((const char *)buf + c, comma, post) != 0)
			continue;
		size_t start = c - pre, end = c + post;
		if ((start == 0 || name_boundary(buf[start - 1])) && (end == len || name_boundary(buf[end]))) {
			*at = start;
			return true;
		}
	}
	return false;
}

/* The text of an env variable NAME in the block at OFF (size SIZE, 0: guess), if its CRC is good. */
static bool env_var(const uint8_t *buf, size_t len, uint64_t off, uint32_t size, const char *name, char *out, size_t cap,
		    uint64_t *where)
{
	struct fwkit_env_block b;
	struct fwkit_env_vars v;
	if (off >= len || fwkit_env_block_at(NULL, buf, len, off, size, &b) != FWKIT_OK || !b.crc_ok ||
	    fwkit_env_vars(NULL, buf, len, &b, &v) != FWKIT_OK)
		return false;
	bool found = false;
	for (size_t i = 0; i < v.count && !found; i++)
		if (v.items[i].name_len == strlen(name) && memcmp(v.items[i].name, name, v.items[i].name_len) == 0) {
			str_printf(out, cap, "%.*s", (int)(v.items[i].value_len < cap - 1 ? v.items[i].value_len : cap - 1),
				   v.items[i].value);
			*where = v.items[i].offset;
			found = true;
		}
	fwkit_env_vars_free(&v);
	return found;
}

/* "model=CODE" in the bootloader's default environment. */
static bool bootloader_model(const uint8_t *boot, size_t n, char *out, size_t cap, uint64_t *where)
{
	const uint8_t *m = find_bytes(boot, n, "model=");
	if (!m)
		return false;
	size_t k = 0, at = (size_t)(m - boot) + 6;
	while (at + k < n && k + 1 < cap && boot[at + k] > 0x20 && boot[at + k] < 0x7F)
		k++;
	if (!k || (at + k < n && boot[at + k] != 0))
		return false;
	/* a model= inside an environment with a good CRC (Bdata, within a large NAND bootloader
	 * partition's span on a NOR dump) is that environment's, not the bootloader's */
	struct fwkit_env_block b;
	uint64_t block = (at - 6) & ~(uint64_t)0xFFFF;
	if (fwkit_env_block_at(NULL, boot, n, block, 0, &b) == FWKIT_OK && b.crc_ok)
		return false;
	memcpy(out, boot + at, k);
	out[k] = 0;
	*where = at - 6;
	return true;
}

/* ---- the firmware's own word ---------------------------------------------------------- */

/* The sysupgrade metadata in the firmware partition [START, END): found by its fwtool trailer
 * ("FWx0"), read by fwkit_fwtool_read and json-c. Fills SUPPORTED (space-separated). */
static void read_supported_devices(const uint8_t *buf, uint64_t start, uint64_t end, struct firmware_facts *f)
{
	const uint8_t *p = buf + start;
	size_t n = (size_t)(end - start);
	for (const uint8_t *t = p; (t = find_bytes(t, n - (size_t)(t - p), "FWx0")) != NULL; t++) {
		size_t tend = (size_t)(t - p) + FWKIT_FWTOOL_TRAILER_SIZE;
		struct fwkit_fwtool ft;
		if (tend > n || fwkit_fwtool_read(NULL, p, tend, &ft) != FWKIT_OK || !ft.metadata)
			continue;
		char *text = strndup(ft.metadata, ft.metadata_len);
		json_object *o = text ? json_tokener_parse(text) : NULL;
		free(text);
		json_object *list;
		if (o && json_object_object_get_ex(o, "supported_devices", &list) && json_object_is_type(list, json_type_array)) {
			for (size_t i = 0; i < json_object_array_length(list); i++) {
				const char *s = json_object_get_string(json_object_array_get_idx(list, i));
				size_t used = strlen(f->supported);
				if (s && used + strlen(s) + 2 < sizeof(f->supported))
					str_printf(f->supported + used, sizeof(f->supported) - used, "%s%s", used ? " " : "", s);
			}
			f->supported_offset = (uint64_t)(ft.metadata - (const char *)buf);
		}
		json_object_put(o);
		if (f->supported[0])
			return;
	}
}

/* The device tree of the kernel uImage at OFFSET (its firmware partition), within CTX's budget. */
static bool find_devicetree(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t offset,
			    struct fwkit_devicetree *dt)
{
	struct fwkit_uimage *img = malloc(sizeof(*img)); /* 12 KB of findings: not on the stack */
	bool found = img && offset < len && fwkit_uimage_parse(NULL, buf, len, offset, 0, img) == FWKIT_OK &&
		     img->data_complete &&
		     fwkit_devicetree_from_kernel(ctx, buf + img->data_offset, img->data_size, img->hdr.comp, dt) == FWKIT_OK;
	free(img);
	return found;
}

static uint64_t firmware_span(const struct fwkit_profile *p, uint64_t *end)
{
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].content == FWKIT_PART_FIRMWARE) {
			*end = (uint64_t)p->parts[i].offset + p->parts[i].size;
			return p->parts[i].offset;
		}
	return UINT64_MAX;
}

uint64_t profile_firmware_offset(const struct fwkit_profile *p)
{
	uint64_t end = 0;
	return firmware_span(p, &end);
}

void firmware_facts_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *p,
			 bool devicetree, struct firmware_facts *f)
{
	memset(f, 0, sizeof(*f));
	uint64_t end = 0, off = p ? firmware_span(p, &end) : UINT64_MAX;
	if (off >= len)
		return;
	f->searched = true;
	f->firmware_offset = off;
	/* the kernel's device tree costs a decode of the whole kernel (most of inspect's time) */
	f->dt_searched = devicetree;
	f->has_dt = devicetree && find_devicetree(ctx, buf, len, off, &f->dt);
	read_supported_devices(buf, off, end < len ? end : len, f);
}

/* ---- scoring ----------------------------------------------------------------------------- */

static void add_claim(struct fwkit_identification *id, enum fwkit_evidence_kind kind, uint64_t offset, const char *value,
		      const struct fwkit_profile *p)
{
	if (id->nclaims >= FWKIT_MAX_CLAIMS)
		return;
	struct fwkit_claim *c = &id->claims[id->nclaims++];
	c->kind = kind;
	c->offset = offset;
	str_printf(c->value, sizeof(c->value), "%s", value);
	c->profile = p;
}

static void score_hardware(const struct fwkit_profile *p, const uint8_t *buf, size_t len, struct fwkit_candidate *c,
			   struct fwkit_uimage *img)
{
	char v[64];
	str_printf(v, sizeof(v), "0x%zx", len);
	if (len == p->flash_size)
		evidence(c, FWKIT_EVIDENCE_SIZE, W_SIZE, UINT64_MAX, v, "dump size 0x%zx equals the flash size", len);
	else if (!p->nand)
		evidence(c, FWKIT_EVIDENCE_SIZE, W_SIZE_DIFFERS, UINT64_MAX, v,
			 "dump size 0x%zx differs from the flash size 0x%x", len, p->flash_size);
	for (size_t i = 0; i < p->neeproms; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition(p, p->eeproms[i].partition);
		if (!part)
			continue; /* the selfcheck refuses this; never followed */
		uint64_t off = (uint64_t)part->offset + p->eeproms[i].offset;
		str_printf(v, sizeof(v), "0x%04x", p->eeproms[i].chip_id);
		if (off + 2 <= len && (uint16_t)(buf[off] | (buf[off + 1] << 8)) == p->eeproms[i].chip_id)
			evidence(c, FWKIT_EVIDENCE_EEPROM_CHIP, W_EEPROM_CHIP, off, v, "%s+0x%x: EEPROM chip id 0x%04x (%s)",
				 part->name, p->eeproms[i].offset, p->eeproms[i].chip_id, p->eeproms[i].band);
	}
	for (size_t i = 0; i < p->nenvs; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition(p, p->envs[i].partition);
		if (!part)
			continue;
		uint64_t off = (uint64_t)part->offset + p->envs[i].offset;
		struct fwkit_env_block b;
		str_printf(v, sizeof(v), "0x%x", p->envs[i].size);
		if (off < len && fwkit_env_block_at(NULL, buf, len, off, p->envs[i].size, &b) == FWKIT_OK && b.crc_ok)
			evidence(c, p->envs[i].bdata ? FWKIT_EVIDENCE_BDATA : FWKIT_EVIDENCE_ENV, p->envs[i].bdata ? W_BDATA : W_ENV,
				 off, v, "%s at 0x%llx: %s with a good CRC (size 0x%x)", part->name, (unsigned long long)off,
				 p->envs[i].bdata ? "Bdata" : "U-Boot env", p->envs[i].size);
	}
	for (size_t i = 0; i < p->nparts; i++) {
		const struct fwkit_partition *part = &p->parts[i];
		if (part->content != FWKIT_PART_FIRMWARE || (uint64_t)part->offset + 64 > len)
			continue;
		if (img && fwkit_uimage_parse(NULL, buf, len, part->offset, 0, img) == FWKIT_OK && img->hcrc_ok) {
			str_printf(v, sizeof(v), "%.*s", (int)img->name_len, img->hdr.name);
			evidence(c, FWKIT_EVIDENCE_KERNEL, W_KERNEL, part->offset, v, "%s at 0x%x starts with a uImage (\"%s\")",
				 part->name, part->offset, v);
		}
	}
}

/* What the bootloader partition says of itself: the SoC, its model code, HAME's mark. */
static void score_bootloader(const struct fwkit_profile *p, const uint8_t *buf, size_t len, struct fwkit_candidate *c)
{
	size_t boot = p->parts[0].size < len ? p->parts[0].size : len;
	char v[64];
	if (p->soc[0]) {
		str_printf(v, sizeof(v), "%.6s", p->soc); /* "MT7621", "MT7628", "RT5350" */
		const uint8_t *at = find_bytes(buf, boot, v);
		if (at)
			evidence(c, FWKIT_EVIDENCE_SOC, W_SOC, (uint64_t)(at - buf), v, "the bootloader mentions %s", v);
	}
	uint64_t where = 0;
	const char *dev;
	if (bootloader_model(buf, boot, v, sizeof(v), &where) && (dev = device_of_model_code(v)) != NULL &&
	    strcmp(dev, p->id) == 0)
		evidence(c, FWKIT_EVIDENCE_BOOTLOADER_MODEL, W_BOOTLOADER_MODEL, where, v,
			 "the bootloader's own model string model=%s", v);
	if (strcmp(p->vendor, "HAME") != 0 && strncmp(p->id, "hame_", 5) != 0)
		return;
	const uint8_t *mark = find_bytes(buf, boot, HAME_MARK);
	if (mark)
		evidence(c, FWKIT_EVIDENCE_BOOTLOADER_MODEL, W_BOOTLOADER_VENDOR, (uint64_t)(mark - buf), "hame",
			 "the bootloader is HAME's own (\"%s\")", HAME_MARK);
	else if (find_bytes(buf, boot, "U-Boot "))
		evidence(c, FWKIT_EVIDENCE_BOOTLOADER_MODEL, W_BOOTLOADER_NOT_VENDOR, UINT64_MAX, "not-hame",
			 "the bootloader is a U-Boot without HAME's TFTP-by-MAC code (\"%s\")", HAME_MARK);
}

static void score_bdata_model(const struct fwkit_profile *p, const char *model, uint64_t where, struct fwkit_candidate *c)
{
	const char *dev = model[0] ? device_of_model_code(model) : NULL;
	if (dev && strcmp(dev, p->id) == 0)
		evidence(c, FWKIT_EVIDENCE_BDATA_MODEL, W_BDATA_MODEL, where, model, "Bdata says model=%s", model);
}

/* What the firmware was built for: one source, so only its strongest form counts. */
static void score_firmware(const struct fwkit_profile *p, const uint8_t *buf, size_t len, const struct comma_index *ci,
			   const struct firmware_facts *f, struct fwkit_candidate *c)
{
	for (size_t d = 0; f && f->has_dt && d < 4 && f->dt.compatible[d][0]; d++)
		if (profile_has_compatible(p, f->dt.compatible[d])) {
			evidence(c, FWKIT_EVIDENCE_DEVICE_TREE, W_DEVICE_TREE, f->firmware_offset, f->dt.compatible[d],
				 "the kernel's device tree: model \"%s\", compatible \"%s\"", f->dt.model, f->dt.compatible[d]);
			return;
		}
	if (f && f->supported[0]) {
		char list[sizeof(f->supported)];
		str_printf(list, sizeof(list), "%s", f->supported);
		char *save = NULL;
		for (char *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save))
			if (profile_has_compatible(p, t)) {
				evidence(c, FWKIT_EVIDENCE_SUPPORTED_DEVICES, W_SUPPORTED_DEVICES, f->supported_offset, t,
					 "the sysupgrade metadata lists \"%s\" in supported_devices", t);
				return;
			}
	}
	for (size_t i = 0; i < FWKIT_PROFILE_MAX_COMPAT && p->compatible[i][0]; i++) {
		uint64_t at = 0;
		if (strchr(p->compatible[i], ',') && contains_compatible(buf, len, ci, p->compatible[i], &at)) {
			evidence(c, FWKIT_EVIDENCE_COMPATIBLE, W_COMPATIBLE, at, p->compatible[i],
				 "the dump contains \"%s\" as a whole name (device tree or metadata)", p->compatible[i]);
			return;
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

/* The claims: each source that names one device by itself. */
static void collect_claims(struct fwkit_identification *id, const uint8_t *buf, size_t len, const char *bdata_model,
			   uint64_t bdata_where, const struct firmware_facts *f, const struct fwkit_profile *extra,
			   size_t nextra)
{
	const char *dev;
	if (bdata_model[0])
		add_claim(id, FWKIT_EVIDENCE_BDATA_MODEL, bdata_where, bdata_model,
			  (dev = device_of_model_code(bdata_model)) ? fwkit_profile_find(dev, extra, nextra) : NULL);
	char v[64];
	uint64_t where = 0;
	size_t boot = id->n ? id->c[0].profile->parts[0].size : 0;
	if (bootloader_model(buf, boot < len ? boot : len, v, sizeof(v), &where))
		add_claim(id, FWKIT_EVIDENCE_BOOTLOADER_MODEL, where, v,
			  (dev = device_of_model_code(v)) ? fwkit_profile_find(dev, extra, nextra) : NULL);
	if (f && f->has_dt && f->dt.compatible[0][0])
		add_claim(id, FWKIT_EVIDENCE_DEVICE_TREE, f->firmware_offset, f->dt.compatible[0],
			  profile_by_compatible(f->dt.compatible[0], extra, nextra));
	if (f && f->supported[0]) {
		str_printf(v, sizeof(v), "%.*s", (int)strcspn(f->supported, " "), f->supported);
		add_claim(id, FWKIT_EVIDENCE_SUPPORTED_DEVICES, f->supported_offset, v, profile_by_compatible(v, extra, nextra));
	}
	for (size_t i = 0; i < id->nclaims; i++)
		for (size_t k = i + 1; k < id->nclaims; k++)
			if (id->claims[i].profile && id->claims[k].profile && id->claims[i].profile != id->claims[k].profile)
				id->claims_disagree = true;
}

static void sort_candidates(struct fwkit_identification *out)
{
	qsort(out->c, out->n, sizeof(out->c[0]), by_score);
	for (size_t i = 0; i < out->n; i++)
		out->c[i].same_layout_as_best = false;
	for (size_t i = 1; i < out->n; i++)
		if (out->c[i].score >= out->c[0].score - FWKIT_NEAR_TIE + 1 &&
		    profiles_same_layout(out->c[i].profile, out->c[0].profile))
			out->c[i].same_layout_as_best = out->c[0].same_layout_as_best = true;
	out->tie = out->n > 1 && out->c[1].score == out->c[0].score;
	out->near_tie = out->n > 1 && out->c[0].score - out->c[1].score < FWKIT_NEAR_TIE;
}

/* The Bdata model= of the first profile location with a Bdata that carries one. */
static void find_bdata_model(const uint8_t *buf, size_t len, const struct fwkit_profile *extra, size_t nextra, char *out,
			     size_t cap, uint64_t *where)
{
	out[0] = 0;
	size_t total = fwkit_profiles_builtin_count() + nextra;
	for (size_t i = 0; i < total && !out[0]; i++) {
		const struct fwkit_profile *p = profile_at(i, extra, nextra);
		for (size_t k = 0; k < p->nenvs && !out[0]; k++) {
			const struct fwkit_partition *part = fwkit_profile_partition(p, p->envs[k].partition);
			if (part && p->envs[k].bdata)
				env_var(buf, len, (uint64_t)part->offset + p->envs[k].offset, p->envs[k].size, "model", out, cap, where);
		}
	}
}

/* Whose firmware partition to read: the best candidate whose firmware partition starts with a
 * kernel uImage (one decode serves every profile with the same map), else the best. */
static size_t firmware_candidate(const struct fwkit_identification *id)
{
	for (size_t i = 0; i < id->n; i++)
		for (size_t k = 0; k < id->c[i].nev; k++)
			if (id->c[i].ev[k].kind == FWKIT_EVIDENCE_KERNEL)
				return i;
	return 0;
}

enum fwkit_status rank_devices(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *extra,
			       size_t nextra, bool devicetree, struct fwkit_identification *out, struct firmware_facts *facts)
{
	memset(out, 0, sizeof(*out));
	memset(facts, 0, sizeof(*facts));
	/* a uImage holds a findings struct (12 KB): on the heap, not in this frame */
	struct fwkit_uimage *img = malloc(sizeof(*img));
	if (!img)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	struct comma_index ci;
	index_commas(buf, len, &ci);
	char bdata_model[32];
	uint64_t bdata_where = 0;
	find_bdata_model(buf, len, extra, nextra, bdata_model, sizeof(bdata_model), &bdata_where);
	size_t total = fwkit_profiles_builtin_count() + nextra;
	/* the hardware first; the firmware of the best candidate so far is read once, then scored */
	for (size_t i = 0; i < total && out->n < FWKIT_MAX_CANDIDATES; i++) {
		struct fwkit_candidate *c = &out->c[out->n];
		memset(c, 0, sizeof(*c));
		c->profile = profile_at(i, extra, nextra);
		score_hardware(c->profile, buf, len, c, img);
		score_bootloader(c->profile, buf, len, c);
		score_bdata_model(c->profile, bdata_model, bdata_where, c);
		if (c->score > W_SIZE) /* more than the size alone */
			out->n++;
	}
	free(img);
	if (out->n) {
		qsort(out->c, out->n, sizeof(out->c[0]), by_score);
		/* the firmware's word adds at most W_DEVICE_TREE to one candidate: when the hardware
		 * already decides by more, the kernel need not be decoded, unless the caller wants it */
		bool decided = out->n == 1 || out->c[0].score - out->c[1].score > W_DEVICE_TREE;
		firmware_facts_read(ctx, buf, len, out->c[firmware_candidate(out)].profile, devicetree || !decided, facts);
	}
	/* a profile with no hardware evidence may still be the one the firmware names */
	for (size_t i = 0; i < out->n; i++)
		score_firmware(out->c[i].profile, buf, len, &ci, facts, &out->c[i]);
	free(ci.pos);
	sort_candidates(out);
	collect_claims(out, buf, len, bdata_model, bdata_where, facts, extra, nextra);
	out->device_tree_read = facts->dt_searched;
	return FWKIT_OK;
}

/* ---- the tree ------------------------------------------------------------------------------ */

static bool add_text(struct fwkit_node *n, const char *name, const char *text)
{
	return fwkit_node_add_string(n, name, text, strlen(text));
}

static struct fwkit_node *evidence_node(const struct fwkit_evidence *e)
{
	struct fwkit_node *n = fwkit_node_new("evidence", e->offset == UINT64_MAX ? 0 : e->offset, 0);
	if (!n)
		return NULL;
	bool ok = fwkit_node_add_enum(n, "kind", e->kind, fwkit_evidence_kind_name(e->kind)) &&
		  fwkit_node_add_int(n, "weight", e->weight) && add_text(n, "value", e->value) &&
		  fwkit_node_add_bool(n, "located", e->offset != UINT64_MAX) && add_text(n, "text", e->text);
	if (!ok) {
		fwkit_node_free(n);
		return NULL;
	}
	return n;
}

static struct fwkit_node *candidate_node(const struct fwkit_candidate *c)
{
	struct fwkit_node *n = fwkit_node_new("candidate", 0, 0);
	if (!n)
		return NULL;
	bool ok = add_text(n, "device", c->profile->id) && add_text(n, "name", c->profile->name) &&
		  fwkit_node_add_int(n, "score", c->score) && fwkit_node_add_bool(n, "same_layout_as_best", c->same_layout_as_best);
	for (size_t i = 0; ok && i < c->nev; i++)
		ok = fwkit_node_add_child(n, evidence_node(&c->ev[i]));
	if (!ok) {
		fwkit_node_free(n);
		return NULL;
	}
	return n;
}

static struct fwkit_node *claim_node(const struct fwkit_claim *c)
{
	struct fwkit_node *n = fwkit_node_new("claim", c->offset, 0);
	if (!n)
		return NULL;
	bool ok = fwkit_node_add_enum(n, "kind", c->kind, fwkit_evidence_kind_name(c->kind)) && add_text(n, "value", c->value);
	if (ok && c->profile)
		ok = add_text(n, "device", c->profile->id);
	if (!ok) {
		fwkit_node_free(n);
		return NULL;
	}
	return n;
}

struct fwkit_node *fwkit_identification_node(const struct fwkit_identification *id)
{
	struct fwkit_node *n = id ? fwkit_node_new("identification", 0, 0) : NULL;
	if (!n)
		return NULL;
	bool ok = true;
	if (id->n)
		ok = add_text(n, "device", id->c[0].profile->id) && fwkit_node_add_int(n, "score", id->c[0].score);
	ok = ok && fwkit_node_add_bool(n, "device_tree_read", id->device_tree_read) && fwkit_node_add_bool(n, "tie", id->tie) && fwkit_node_add_bool(n, "near_tie", id->near_tie) &&
	     fwkit_node_add_bool(n, "claims_disagree", id->claims_disagree);
	if (ok && id->n > 1)
		ok = fwkit_node_add_int(n, "margin", id->c[0].score - id->c[1].score);
	for (size_t i = 0; ok && i < id->n; i++)
		ok = fwkit_node_add_child(n, candidate_node(&id->c[i]));
	for (size_t i = 0; ok && i < id->nclaims; i++)
		ok = fwkit_node_add_child(n, claim_node(&id->claims[i]));
	if (ok && id->claims_disagree) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_INFO, .code = "identify.claims-disagree", .offset = 0 };
		str_printf(f.message, sizeof(f.message), "the sources that name a device disagree (see the claims)");
		ok = fwkit_node_add_finding(n, &f);
	}
	if (!ok) {
		fwkit_node_free(n);
		return NULL;
	}
	return n;
}
