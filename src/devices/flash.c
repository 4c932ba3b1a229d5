/*
 * Writing only what changed (include/fwkit/flash.h): which erase blocks differ, in which order
 * they are written (bootloader last), confirming the chip holds the backup before the first erase,
 * and reading every written block back. The chip access itself is src/flash/ (libflashrom).
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "flash/backend.h"
#include "fwkit/dump.h"
#include "fwkit/flash.h"

/* Reads are cut into blocks of this size: a progress step and a point where Ctrl-C is honoured
 * (about one second on a CH341A). */
#define READ_STEP 0x10000u

struct fwkit_flash {
	struct flash_backend *backend;
	struct fwkit_flash_chip info;
	struct fwkit_flash_callbacks cb;
	uint8_t *scratch; /* the chip's size: blocks are read back into it */
};

const char *fwkit_flash_backend(void)
{
	return flash_backend_version();
}

enum fwkit_status fwkit_flash_open(struct fwkit_ctx *ctx, const char *programmer, const char *chip,
				   const struct fwkit_flash_callbacks *cb, struct fwkit_flash **out)
{
	if (!programmer || !out)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "NULL argument");
	*out = NULL;
	struct fwkit_flash *f = calloc(1, sizeof(*f));
	if (!f)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (cb)
		f->cb = *cb;
	enum fwkit_status st = flash_backend_open(ctx, programmer, chip, cb, &f->info, &f->backend);
	if (st == FWKIT_OK && !(f->scratch = malloc(f->info.size ? f->info.size : 1)))
		st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (st != FWKIT_OK) {
		fwkit_flash_close(f);
		return st;
	}
	*out = f;
	return FWKIT_OK;
}

const struct fwkit_flash_chip *fwkit_flash_chip_info(const struct fwkit_flash *f)
{
	return f ? &f->info : NULL;
}

void fwkit_flash_close(struct fwkit_flash *f)
{
	if (!f)
		return;
	flash_backend_close(f->backend);
	free(f->scratch);
	free(f);
}

static bool cancelled(const struct fwkit_flash *f)
{
	return f->cb.cancel && f->cb.cancel(f->cb.user);
}

static void progress(const struct fwkit_flash *f, enum fwkit_flash_op op, uint64_t done, uint64_t total)
{
	if (f->cb.progress)
		f->cb.progress(f->cb.user, op, done, total);
}

static enum fwkit_status check_range(struct fwkit_ctx *ctx, const struct fwkit_flash *f, uint64_t offset,
				     uint64_t length, size_t image_len)
{
	if (image_len != f->info.size) {
		char exp[48], got[48];
		str_printf(exp, sizeof(exp), "%llu bytes (the chip's size)", (unsigned long long)f->info.size);
		str_printf(got, sizeof(got), "%zu bytes", image_len);
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, FWKIT_NO_OFFSET, exp, got, "image and chip sizes differ");
	}
	if (offset > image_len || length > image_len - offset)
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, offset, NULL, NULL, "range past the end of the chip");
	return FWKIT_OK;
}

/* Reads [OFFSET, OFFSET + LENGTH) in READ_STEP pieces, as OP. */
static enum fwkit_status read_steps(struct fwkit_ctx *ctx, struct fwkit_flash *f, enum fwkit_flash_op op,
				   uint64_t offset, uint64_t length, uint8_t *image, size_t image_len)
{
	for (uint64_t done = 0; done < length;) {
		if (cancelled(f))
			return FWKIT_RAISE(ctx, FWKIT_E_CANCELLED, offset + done, NULL, NULL, "cancelled");
		uint64_t step = length - done < READ_STEP ? length - done : READ_STEP;
		enum fwkit_status st = flash_backend_read(ctx, f->backend, offset + done, step, image, image_len);
		if (st != FWKIT_OK)
			return st;
		done += step;
		progress(f, op, done, length);
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_flash_read(struct fwkit_ctx *ctx, struct fwkit_flash *f, uint64_t offset, uint64_t length,
				   uint8_t *image, size_t image_len)
{
	if (!f || !image)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "NULL argument");
	enum fwkit_status st = check_range(ctx, f, offset, length, image_len);
	return st != FWKIT_OK ? st : read_steps(ctx, f, FWKIT_FLASH_OP_READ, offset, length, image, image_len);
}

/* The first byte of [OFFSET, OFFSET + LENGTH) where A and B differ, or UINT64_MAX. */
static uint64_t first_difference(const uint8_t *a, const uint8_t *b, uint64_t offset, uint64_t length)
{
	if (!memcmp(a + offset, b + offset, (size_t)length))
		return UINT64_MAX;
	for (uint64_t i = offset;; i++)
		if (a[i] != b[i])
			return i;
}

static enum fwkit_status raise_difference(struct fwkit_ctx *ctx, uint64_t at, uint8_t want, uint8_t got,
					  const char *what)
{
	char exp[8], fnd[8];
	str_printf(exp, sizeof(exp), "0x%02x", want);
	str_printf(fnd, sizeof(fnd), "0x%02x", got);
	return FWKIT_RAISE(ctx, FWKIT_E_MISMATCH, at, exp, fnd, "%s", what);
}

/* Reads a range back into the scratch image and compares it with WANT. */
static enum fwkit_status compare_chip(struct fwkit_ctx *ctx, struct fwkit_flash *f, enum fwkit_flash_op op,
				      const uint8_t *want, size_t len, uint64_t offset, uint64_t length, const char *what,
				      uint64_t *bad)
{
	enum fwkit_status st = read_steps(ctx, f, op, offset, length, f->scratch, len);
	if (st != FWKIT_OK)
		return st;
	uint64_t at = first_difference(want, f->scratch, offset, length);
	if (at == UINT64_MAX)
		return FWKIT_OK;
	if (bad)
		*bad = at;
	return raise_difference(ctx, at, want[at], f->scratch[at], what);
}

enum fwkit_status fwkit_flash_verify(struct fwkit_ctx *ctx, struct fwkit_flash *f, const uint8_t *image,
				     size_t image_len, uint64_t offset, uint64_t length, uint64_t *bad_offset)
{
	if (!f || !image)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "NULL argument");
	enum fwkit_status st = check_range(ctx, f, offset, length, image_len);
	if (st != FWKIT_OK)
		return st;
	return compare_chip(ctx, f, FWKIT_FLASH_OP_VERIFY, image, image_len, offset, length,
			    "verify failed: the chip differs from the image", bad_offset);
}

/* ---- planning --------------------------------------------------------------------------- */

static void order_bootloader_last(struct fwkit_flash_plan *plan)
{
	size_t n = 0;
	struct fwkit_flash_block *b = plan->blocks;
	/* stable: the other blocks keep their order, then the bootloader's in theirs */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = n; i < plan->count; i++)
			if (b[i].bootloader == (pass == 1)) {
				struct fwkit_flash_block t = b[i];
				memmove(&b[n + 1], &b[n], (i - n) * sizeof(*b));
				b[n++] = t;
			}
}

enum fwkit_status fwkit_flash_plan(struct fwkit_ctx *ctx, const uint8_t *old, const uint8_t *new_image, size_t len,
				   uint64_t erase_size, uint64_t bootloader_end, struct fwkit_flash_plan *out)
{
	if (!old || !new_image || !out || !erase_size || (erase_size & (erase_size - 1)))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "an erase size that is a power of two", NULL,
				   "bad flash plan arguments");
	memset(out, 0, sizeof(*out));
	out->erase_size = erase_size;
	struct fwkit_ranges runs;
	enum fwkit_status st = fwkit_layout_changed_blocks(ctx, old, new_image, len, erase_size, &runs);
	if (st != FWKIT_OK)
		return st;
	size_t count = 0;
	for (size_t i = 0; i < runs.count; i++)
		count += (size_t)((runs.items[i].length + erase_size - 1) / erase_size);
	out->blocks = calloc(count ? count : 1, sizeof(*out->blocks));
	if (!out->blocks) {
		fwkit_ranges_free(&runs);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	for (size_t i = 0; i < runs.count; i++) {
		uint64_t end = runs.items[i].offset + runs.items[i].length;
		for (uint64_t off = runs.items[i].offset; off < end; off += erase_size) {
			struct fwkit_flash_block *b = &out->blocks[out->count++];
			b->offset = off;
			b->length = end - off < erase_size ? end - off : erase_size;
			b->bootloader = off < bootloader_end;
			out->bootloader_blocks += b->bootloader;
			out->bytes += b->length;
		}
	}
	fwkit_ranges_free(&runs);
	order_bootloader_last(out);
	return FWKIT_OK;
}

void fwkit_flash_plan_free(struct fwkit_flash_plan *plan)
{
	if (!plan)
		return;
	free(plan->blocks);
	memset(plan, 0, sizeof(*plan));
}

const char *fwkit_flash_block_state_name(enum fwkit_flash_block_state s)
{
	switch (s) {
	case FWKIT_BLOCK_OLD: return "old";
	case FWKIT_BLOCK_WRITING: return "interrupted";
	case FWKIT_BLOCK_NEW: return "new";
	case FWKIT_BLOCK_BAD: return "bad";
	}
	return "unknown";
}

/* ---- writing ---------------------------------------------------------------------------- */

/*
 * Before anything is erased, every planned block holds OLD, or already NEW (a write that was
 * stopped and is run again: that block is marked new and skipped).
 */
static enum fwkit_status confirm_backup(struct fwkit_ctx *ctx, struct fwkit_flash *f, const uint8_t *old,
					const uint8_t *new_image, size_t len, struct fwkit_flash_plan *plan)
{
	uint64_t done = 0;
	for (size_t i = 0; i < plan->count; i++) {
		struct fwkit_flash_block *b = &plan->blocks[i];
		if (cancelled(f))
			return FWKIT_RAISE(ctx, FWKIT_E_CANCELLED, b->offset, NULL, NULL, "cancelled before writing");
		enum fwkit_status st = flash_backend_read(ctx, f->backend, b->offset, b->length, f->scratch, len);
		if (st != FWKIT_OK)
			return st;
		uint64_t at = first_difference(old, f->scratch, b->offset, b->length);
		if (at != UINT64_MAX && first_difference(new_image, f->scratch, b->offset, b->length) == UINT64_MAX)
			b->state = FWKIT_BLOCK_NEW;
		else if (at != UINT64_MAX)
			return raise_difference(ctx, at, old[at], f->scratch[at],
						"the chip does not hold the backup there (another chip, or the backup is not "
						"this chip's read): nothing written");
		done += b->length;
		progress(f, FWKIT_FLASH_OP_CONFIRM, done, plan->bytes);
	}
	return FWKIT_OK;
}

/* CURRENT: what the chip holds now (OLD with the blocks written so far), so that flashrom, when its
 * erase unit is larger than the block, writes back the chip's real bytes around it. */
static enum fwkit_status write_block(struct fwkit_ctx *ctx, struct fwkit_flash *f, uint8_t *current,
				     const uint8_t *new_image, size_t len, struct fwkit_flash_block *b)
{
	b->state = FWKIT_BLOCK_WRITING;
	enum fwkit_status st = flash_backend_write(ctx, f->backend, b->offset, b->length, new_image, current, len);
	if (st != FWKIT_OK)
		return st;
	st = flash_backend_read(ctx, f->backend, b->offset, b->length, f->scratch, len);
	if (st != FWKIT_OK)
		return st;
	uint64_t at = first_difference(new_image, f->scratch, b->offset, b->length);
	if (at != UINT64_MAX) {
		b->state = FWKIT_BLOCK_BAD;
		b->bad_offset = at;
		return raise_difference(ctx, at, new_image[at], f->scratch[at],
					"verify failed: the block reads back different from what was written");
	}
	b->state = FWKIT_BLOCK_NEW;
	memcpy(current + b->offset, new_image + b->offset, (size_t)b->length);
	return FWKIT_OK;
}

enum fwkit_status fwkit_flash_write(struct fwkit_ctx *ctx, struct fwkit_flash *f, const uint8_t *old,
				    const uint8_t *new_image, size_t len, struct fwkit_flash_plan *plan)
{
	if (!f || !old || !new_image || !plan)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "NULL argument");
	enum fwkit_status st = check_range(ctx, f, 0, len, len);
	if (st == FWKIT_OK)
		st = confirm_backup(ctx, f, old, new_image, len, plan);
	uint8_t *current = st == FWKIT_OK ? malloc(len ? len : 1) : NULL;
	if (st == FWKIT_OK && !current)
		st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (current) {
		memcpy(current, old, len);
		for (size_t i = 0; i < plan->count; i++)
			if (plan->blocks[i].state == FWKIT_BLOCK_NEW)
				memcpy(current + plan->blocks[i].offset, new_image + plan->blocks[i].offset,
				       (size_t)plan->blocks[i].length);
	}
	uint64_t done = 0;
	for (size_t i = 0; i < plan->count && st == FWKIT_OK; i++) {
		struct fwkit_flash_block *b = &plan->blocks[i];
		if (b->state != FWKIT_BLOCK_NEW) {
			if (cancelled(f)) {
				st = FWKIT_RAISE(ctx, FWKIT_E_CANCELLED, b->offset, NULL, NULL, "cancelled between blocks");
				break;
			}
			st = write_block(ctx, f, current, new_image, len, b);
		}
		done += b->length;
		progress(f, FWKIT_FLASH_OP_WRITE, done, plan->bytes);
	}
	free(current);
	return st;
}
