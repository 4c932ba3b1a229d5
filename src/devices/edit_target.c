/*
 * Before an edit writes a byte: is the file the kind of file the edit assumes? A firmware image
 * is not a flash dump; a dump that grew or shrank by a hex edit has every structure at a shifted
 * offset; a dump of another device has other structures where the profile points. Each check
 * says what it expected and what it found, and nothing is written when one fails.
 */
#include <stdio.h>

#include "core/internal.h"
#include "fwkit/dump.h"
#include "devices/edit_target.h"
#include "devices/rank.h"
#include "formats/registry.h"

/* The smallest erase unit of the SPI NOR chips in these routers: a dump or a partition read from
 * flash is always a whole number of them. */
#define SECTOR_SIZE 4096u

enum fwkit_status edit_target_not_an_image(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len)
{
	const struct fwkit_format *f = identify_image_at_start(ctx, buf, len, NULL);
	if (!f)
		return FWKIT_OK;
	return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, 0, "a flash dump or a partition read from flash", f->summary,
			   "refusing to edit a firmware image: its MACs and environment live in the flash, not in the image");
}

enum fwkit_status edit_target_flash_shaped(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t off,
					   uint64_t size)
{
	enum fwkit_status st = edit_target_not_an_image(ctx, buf, len);
	if (st != FWKIT_OK)
		return st;
	if (off == 0 && size == len)
		return FWKIT_OK; /* the file is just this structure (a bare env blob) */
	if (len % SECTOR_SIZE == 0)
		return FWKIT_OK;
	char found[80];
	str_printf(found, sizeof(found), "%zu bytes (%zu past a 4 KiB boundary)", len, len % SECTOR_SIZE);
	struct fwkit_dump_fit fit = { 0 };
	fwkit_dump_fit(ctx, NULL, buf, len, NULL, 0, &fit);
	return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, FWKIT_NO_OFFSET, "a whole number of 4 KiB flash sectors", found,
			   "not a flash dump or a partition as read from flash (grown or cut by an edit?); refusing to "
			   "write at offsets that may have moved%s%s%s%s", fit.device ? ": a " : "", fit.device ? fit.device->id : "",
			   fit.device ? " dump with " : "", fit.where);
}

enum fwkit_status edit_target_dump_of(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf,
				      size_t len, const struct fwkit_partition *part)
{
	enum fwkit_status st = edit_target_not_an_image(ctx, buf, len);
	if (st != FWKIT_OK)
		return st;
	uint64_t want = part ? part->size : p->flash_size;
	if (len == want)
		return FWKIT_OK;
	char expected[120], found[80];
	if (part)
		str_printf(expected, sizeof(expected), "%llu bytes (partition %s of %s)", (unsigned long long)want, part->name, p->id);
	else
		str_printf(expected, sizeof(expected), "%llu bytes (the %llu MiB flash of %s)", (unsigned long long)want,
			   (unsigned long long)(want >> 20), p->id);
	if (len > want)
		str_printf(found, sizeof(found), "%zu bytes, %llu more", len, (unsigned long long)(len - want));
	else
		str_printf(found, sizeof(found), "%zu bytes, %llu fewer", len, (unsigned long long)(want - len));
	/* where it grew or ends, from the structures that moved (a partition file has none to go by) */
	struct fwkit_dump_fit fit = { 0 };
	if (!part)
		fwkit_dump_fit(ctx, p, buf, len, NULL, 0, &fit);
	return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, FWKIT_NO_OFFSET, expected, found, "%s%s%s",
			   len > want ? "the dump is larger than the flash (bytes inserted by an edit?); refusing to write at shifted offsets"
				      : "the dump is smaller than the flash (a cut read or deleted bytes?); refusing to write at shifted offsets",
			   fit.where[0] ? ": " : "", fit.where);
}

enum fwkit_status edit_target_whole_dump(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t off, uint64_t size)
{
	if (off == 0 && size == len)
		return FWKIT_OK;
	struct fwkit_dump_fit fit;
	if (fwkit_dump_fit(ctx, NULL, buf, len, NULL, 0, &fit) != FWKIT_OK || !fit.device || fit.delta == 0)
		return FWKIT_OK; /* no device's structures, a whole read, or a partition file read alone */
	char expected[96], found[64];
	str_printf(expected, sizeof(expected), "%u bytes (the %u MiB flash of %s, whose structures these are)",
		   fit.device->flash_size, fit.device->flash_size >> 20, fit.device->id);
	str_printf(found, sizeof(found), "%zu bytes", len);
	return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, FWKIT_NO_OFFSET, expected, found,
			   "not a whole read of the flash: %s; refusing to write (read the chip again, or undo the edit)", fit.where);
}
