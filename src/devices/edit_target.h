/*
 * Checks an edit makes before it writes: the file is the kind of file the edit assumes.
 * Internal to libfwkit; the public edit calls (fwkit_mac_set, fwkit_env_apply) run them.
 */
#ifndef FWKIT_EDIT_TARGET_H
#define FWKIT_EDIT_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include "fwkit/profile.h"
#include "fwkit/status.h"

/* FWKIT_E_UNSAFE when BUF starts with a verified firmware image (a uImage, ...) from the format table. */
enum fwkit_status edit_target_not_an_image(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len);
/* Not an image, and either the structure at OFF/SIZE is the whole file or the file is whole 4 KiB sectors. */
enum fwkit_status edit_target_flash_shaped(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t off,
					   uint64_t size);
/* Not an image, and exactly P's flash size, or PART's size when PART is given (a partition file). */
enum fwkit_status edit_target_dump_of(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf,
				      size_t len, const struct fwkit_partition *part);

/* A dump whose structures are those of a device with another flash size (a cut read, a grown
 * dump) is refused, saying where it grew or ends; a file that is just the structure at OFF/SIZE,
 * a partition read alone and a file no profile's structures fit pass. */
enum fwkit_status edit_target_whole_dump(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t off,
					 uint64_t size);

#endif
