/*
 * Where a dump grew or shrank. A hex edit that inserts a byte moves every structure after it by
 * one; a cut read ends inside a partition. The structures a profile places are looked for at
 * their offsets and at their offsets plus the size difference, so the message can say between
 * which two structures the bytes went, not only that the size is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/internal.h"
#include "devices/rank.h"
#include "fwkit/dump.h"
#include "fwkit/env.h"
#include "fwkit/uimage.h"

/* One structure a profile places: its name and absolute offset, and how to recognise it. */
struct anchor {
	char name[48];
	uint64_t offset;
	enum { A_ENV, A_EEPROM, A_UIMAGE } kind;
	uint64_t size;    /* env size */
	uint16_t chip_id; /* EEPROM */
};

static size_t anchors_of(const struct fwkit_profile *p, struct anchor *a, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < p->nenvs && n < max; i++) {
		const struct fwkit_partition *pt = fwkit_profile_partition(p, p->envs[i].partition);
		if (pt)
			a[n++] = (struct anchor){ .offset = (uint64_t)pt->offset + p->envs[i].offset, .kind = A_ENV,
						  .size = p->envs[i].size };
		if (pt)
			str_printf(a[n - 1].name, sizeof(a[n - 1].name), "the env of %s", pt->name);
	}
	for (size_t i = 0; i < p->neeproms && n < max; i++) {
		const struct fwkit_partition *pt = fwkit_profile_partition(p, p->eeproms[i].partition);
		if (!pt)
			continue;
		a[n] = (struct anchor){ .offset = (uint64_t)pt->offset + p->eeproms[i].offset, .kind = A_EEPROM,
					.chip_id = p->eeproms[i].chip_id };
		str_printf(a[n].name, sizeof(a[n].name), "the %s EEPROM of %s", p->eeproms[i].band, pt->name);
		n++;
	}
	for (size_t i = 0; i < p->nparts && n < max; i++)
		if (p->parts[i].content == FWKIT_PART_FIRMWARE || p->parts[i].content == FWKIT_PART_KERNEL) {
			a[n] = (struct anchor){ .offset = p->parts[i].offset, .kind = A_UIMAGE };
			str_printf(a[n].name, sizeof(a[n].name), "the uImage of %s", p->parts[i].name);
			n++;
		}
	return n;
}

/* Is anchor A's structure at OFFSET of BUF? */
static bool anchor_at(struct fwkit_ctx *ctx, const struct anchor *a, const uint8_t *buf, size_t len, int64_t offset)
{
	if (offset < 0 || (uint64_t)offset >= len)
		return false;
	uint64_t off = (uint64_t)offset;
	switch (a->kind) {
	case A_EEPROM:
		return len - off >= 2 && (uint16_t)(buf[off] | buf[off + 1] << 8) == a->chip_id;
	case A_UIMAGE: {
		if (len - off < FWKIT_UIMAGE_HEADER_SIZE || load_be32(buf + off) != FWKIT_UIMAGE_MAGIC)
			return false;
		struct fwkit_uimage *img = calloc(1, sizeof(*img));
		bool ok = img && fwkit_uimage_parse(ctx, buf, len, (size_t)off, 0, img) == FWKIT_OK && img->hcrc_ok;
		free(img);
		return ok;
	}
	case A_ENV: {
		if (a->size > len - off)
			return false;
		struct fwkit_env_block b;
		return fwkit_env_block_at(ctx, buf, len, off, a->size, &b) == FWKIT_OK && b.has_crc && b.crc_ok;
	}
	}
	return false;
}

static int by_offset(const void *x, const void *y)
{
	const struct anchor *a = x, *b = y;
	return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Fits OUT for profile P; the count of structures found (in place or moved). */
static unsigned fit_profile(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf, size_t len,
			    struct fwkit_dump_fit *out)
{
	struct anchor a[16];
	size_t n = anchors_of(p, a, 16);
	qsort(a, n, sizeof(a[0]), by_offset);
	memset(out, 0, sizeof(*out));
	out->device = p;
	out->delta = (int64_t)len - (int64_t)p->flash_size;
	const struct anchor *last_in = NULL, *first_moved = NULL, *first_outside = NULL;
	for (size_t i = 0; i < n; i++) {
		if (anchor_at(ctx, &a[i], buf, len, (int64_t)a[i].offset)) {
			out->in_place++;
			if (!first_moved)
				last_in = &a[i];
		} else if (out->delta && anchor_at(ctx, &a[i], buf, len, (int64_t)a[i].offset + out->delta)) {
			out->moved++;
			if (!first_moved)
				first_moved = &a[i];
		} else if (a[i].offset >= len && !first_outside) {
			first_outside = &a[i];
		}
	}
	if (first_moved) {
		out->after = last_in ? last_in->offset : 0;
		out->before = first_moved->offset;
		char after[64] = "";
		if (last_in)
			str_printf(after, sizeof(after), " (%s is in place)", last_in->name);
		str_printf(out->where, sizeof(out->where), "%lld byte%s %s after 0x%llx%s and before 0x%llx (%s is at 0x%llx)",
			   (long long)llabs(out->delta), llabs(out->delta) == 1 ? "" : "s", out->delta > 0 ? "inserted" : "deleted",
			   (unsigned long long)out->after, after, (unsigned long long)out->before, first_moved->name,
			   (unsigned long long)((int64_t)first_moved->offset + out->delta));
	} else if (out->delta < 0) {
		out->cut = true;
		const struct fwkit_partition *pt = fwkit_profile_partition_at(p, len);
		str_printf(out->where, sizeof(out->where), "the read ends at 0x%zx%s%s, %lld bytes before the end of the %u MiB flash%s%s",
			   len, pt ? " inside partition " : "", pt ? pt->name : "", (long long)-out->delta, p->flash_size >> 20,
			   first_outside ? "; missing: " : "", first_outside ? first_outside->name : "");
	} else if (out->delta > 0) {
		str_printf(out->where, sizeof(out->where), "%lld bytes more than the %u MiB flash, after the last structure in place",
			   (long long)out->delta, p->flash_size >> 20);
	}
	return out->in_place + out->moved;
}

/* Devices of one layout (the 3G v2 and the 4A Gigabit) fit alike: the one identification ranks
 * first (Bdata's model=, the bootloader's model) among those with BEST structures is named. */
static void name_by_identification(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				   const struct fwkit_profile *extra, size_t nextra, unsigned best,
				   struct fwkit_dump_fit *out)
{
	struct fwkit_identification *id = malloc(sizeof(*id));
	struct firmware_facts *facts = malloc(sizeof(*facts));
	if (id && facts && rank_devices(ctx, buf, len, extra, nextra, false, id, facts) == FWKIT_OK) {
		for (size_t i = 0; i < id->n; i++) {
			struct fwkit_dump_fit f;
			if (fit_profile(ctx, id->c[i].profile, buf, len, &f) == best) {
				*out = f;
				break;
			}
		}
	}
	free(id);
	free(facts);
}

enum fwkit_status fwkit_dump_fit(struct fwkit_ctx *ctx, const struct fwkit_profile *device, const uint8_t *buf, size_t len,
				 const struct fwkit_profile *extra, size_t nextra, struct fwkit_dump_fit *out)
{
	if (!out || (!buf && len))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "dump fit: no buffer or result");
	memset(out, 0, sizeof(*out));
	if (device) {
		if (fwkit_profile_check(ctx, device) != FWKIT_OK)
			return FWKIT_E_INVALID_ARG;
		fit_profile(ctx, device, buf, len, out);
		return FWKIT_OK;
	}
	unsigned best = 0;
	bool tie = false;
	size_t total = nextra + fwkit_profiles_builtin_count();
	for (size_t i = 0; i < total; i++) {
		const struct fwkit_profile *p = i < nextra ? &extra[i] : fwkit_profiles_builtin_get(i - nextra);
		if (i < nextra && fwkit_profile_check(ctx, p) != FWKIT_OK)
			return FWKIT_E_INVALID_ARG;
		struct fwkit_dump_fit f;
		unsigned found = fit_profile(ctx, p, buf, len, &f);
		/* two structures at least: one chip id alone is too weak to name a device */
		if (found >= 2 && found > best) {
			best = found;
			tie = false;
			*out = f;
		} else if (found >= 2 && found == best) {
			tie = true;
		}
	}
	if (tie)
		name_by_identification(ctx, buf, len, extra, nextra, best, out);
	return FWKIT_OK;
}
