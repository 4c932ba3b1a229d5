/*
 * Which env block `env list/get/set` mean when no offset is given. On a dump of a known device
 * that is the U-Boot env where the device keeps it; a block found elsewhere (Xiaomi's Bdata at
 * factory+0x1000 on a 4C, a Breed env) is named, never taken silently: writing "the U-Boot env"
 * into a calibration partition is what the red-team found (finding 6).
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fwkit/env.h"
#include "fwkit/inspect.h"

/* The dump's device: DEVICE, else the clear best candidate (a lone one, one with a higher score,
 * or one whose runner-up has the same flash layout); only for a whole read of its flash. */
static const struct fwkit_profile *device_of(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					     const struct fwkit_profile *device, const struct fwkit_profile *extra,
					     size_t nextra)
{
	const struct fwkit_profile *p = device;
	if (!p) {
		struct fwkit_identification *id = calloc(1, sizeof(*id));
		if (id && fwkit_identify(ctx, buf, len, extra, nextra, id) == FWKIT_OK && id->n &&
		    (id->n == 1 || id->c[1].score < id->c[0].score || id->c[1].same_layout_as_best))
			p = id->c[0].profile;
		free(id);
	}
	return p && p->flash_size == len ? p : NULL;
}

/* Is absolute OFFSET inside a partition where P keeps its U-Boot env (an env location that is not
 * Bdata, else a partition whose content is the U-Boot env)? *ANY: P names such a partition at all. */
static bool in_env_partition(const struct fwkit_profile *p, uint64_t offset, bool *any)
{
	const struct fwkit_partition *at = fwkit_profile_partition_at(p, offset);
	bool hit = false;
	*any = false;
	for (size_t i = 0; i < p->nenvs; i++)
		if (!p->envs[i].bdata && fwkit_profile_partition(p, p->envs[i].partition)) {
			*any = true;
			hit = hit || (at && strcmp(at->name, p->envs[i].partition) == 0);
		}
	if (*any)
		return hit;
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].content == FWKIT_PART_UBOOT_ENV) {
			*any = true;
			hit = hit || at == &p->parts[i];
		}
	return hit;
}

/* Where P expects its U-Boot env, in words, and its absolute offset. */
static uint64_t expected_env(const struct fwkit_profile *p, char *buf, size_t cap)
{
	for (size_t i = 0; i < p->nenvs; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition(p, p->envs[i].partition);
		if (!p->envs[i].bdata && part) {
			uint64_t off = (uint64_t)part->offset + p->envs[i].offset;
			str_printf(buf, cap, "a U-Boot env in partition %s at 0x%llx", part->name, (unsigned long long)off);
			return off;
		}
	}
	for (size_t i = 0; i < p->nparts; i++)
		if (p->parts[i].content == FWKIT_PART_UBOOT_ENV) {
			str_printf(buf, cap, "a U-Boot env in partition %s at 0x%x", p->parts[i].name, p->parts[i].offset);
			return p->parts[i].offset;
		}
	buf[0] = 0;
	return 0;
}

/* What was found instead, one clause per block, and which --at would take one anyway. */
static void found_instead(const struct fwkit_profile *p, const struct fwkit_env_scan *s, bool edit, char *buf, size_t cap)
{
	size_t o = 0, listed = 0;
	const struct fwkit_env_block *hint = NULL;
	buf[0] = 0;
	for (size_t i = 0; i < s->count; i++) {
		const struct fwkit_env_block *b = &s->blocks[i];
		bool editable = b->has_crc && (b->kind == FWKIT_ENV_UBOOT || b->kind == FWKIT_ENV_XIAOMI_BDATA);
		if (!hint && (editable || !edit))
			hint = b;
		if (listed == 4 || o >= cap)
			continue;
		const struct fwkit_partition *part = fwkit_profile_partition_at(p, b->offset);
		char where[48] = "";
		if (part)
			str_printf(where, sizeof(where), " inside partition %s", part->name);
		if (b->kind == FWKIT_ENV_BREED)
			str_printf(buf + o, cap - o, "%sBreed's env at 0x%llx%s", listed ? "; " : "", (unsigned long long)b->offset, where);
		else
			str_printf(buf + o, cap - o, "%sa %s block at 0x%llx%s", listed ? "; " : "", fwkit_env_kind_name(b->kind),
				   (unsigned long long)b->offset, where);
		o += strlen(buf + o);
		listed++;
	}
	if (s->count > listed && o < cap) {
		str_printf(buf + o, cap - o, "; %zu more", s->count - listed);
		o += strlen(buf + o);
	}
	if (hint && o < cap)
		str_printf(buf + o, cap - o, "; use --at 0x%llx to %s it anyway", (unsigned long long)hint->offset,
			   edit ? "edit" : "read");
	else if (!hint && o < cap)
		str_printf(buf + o, cap - o, "; none of them is a block fwkit edits");
}

enum fwkit_status fwkit_env_default(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				    const struct fwkit_profile *device, const struct fwkit_profile *extra, size_t nextra,
				    bool any_kind, struct fwkit_env_block *out, const struct fwkit_profile **used)
{
	if (!out || (!buf && len) || (nextra && !extra))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "env: a NULL argument");
	if (used)
		*used = NULL;
	if (device && fwkit_profile_check(ctx, device) != FWKIT_OK)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "env: the device profile fails its selfcheck");
	struct fwkit_env_scan *s = calloc(1, sizeof(*s));
	if (!s)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	fwkit_env_find(ctx, buf, len, s);
	const struct fwkit_profile *p = device_of(ctx, buf, len, device, extra, nextra);
	bool partitioned = false;
	if (p)
		in_env_partition(p, 0, &partitioned);
	if (!partitioned)
		p = NULL; /* a device that names no U-Boot env partition: the rule without a device */
	if (used)
		*used = p;
	const struct fwkit_env_block *pick = NULL;
	for (int pass = 0; pass < (p ? 1 : 2) && !pick; pass++)
		for (size_t i = 0; i < s->count && !pick; i++) {
			const struct fwkit_env_block *b = &s->blocks[i];
			bool any;
			if (p ? b->kind == FWKIT_ENV_UBOOT && in_env_partition(p, b->offset, &any)
			      : pass == 0 ? b->kind == FWKIT_ENV_UBOOT : (any_kind || b->kind == FWKIT_ENV_XIAOMI_BDATA))
				pick = b;
		}
	enum fwkit_status st = FWKIT_OK;
	if (pick) {
		*out = *pick;
		/* of a redundant pair, the copy U-Boot would load is the one that is read */
		if (pick->redundant && pick->copy >= 0 && !pick->active)
			for (size_t k = 0; k < s->count; k++)
				if (s->blocks[k].offset == pick->other_offset && s->blocks[k].active)
					*out = s->blocks[k];
	} else if (!p || !s->count) {
		char expected[160] = "";
		if (p)
			expected_env(p, expected, sizeof(expected));
		st = FWKIT_RAISE(ctx, FWKIT_E_NOT_FOUND, FWKIT_NO_OFFSET, p ? expected : NULL, p ? "no environment block" : NULL,
				 "env: no U-Boot environment found in %zu bytes (give --at OFFSET [--size N])", len);
	} else {
		char expected[160], found[FWKIT_ERROR_TEXT_MAX];
		uint64_t off = expected_env(p, expected, sizeof(expected));
		found_instead(p, s, !any_kind, found, sizeof(found));
		st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, off, expected, found,
				 "env: no U-Boot env where %s keeps it, and no other block is taken without --at", p->id);
	}
	free(s);
	return st;
}
