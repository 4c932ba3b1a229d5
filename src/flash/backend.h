/*
 * The chip access under include/fwkit/flash.h: one implementation on libflashrom
 * (src/flash/flashrom.c, the only file that includes libflashrom.h) and one for builds without it
 * (src/flash/absent.c). cmake/flashrom.cmake picks one. Ranges are whole; the callers in
 * src/devices/flash.c cut them into blocks, report progress and ask cancel.
 */
#ifndef FWKIT_FLASH_BACKEND_H
#define FWKIT_FLASH_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "fwkit/flash.h"

struct flash_backend;

/* "libflashrom VERSION", or NULL when not built in. */
const char *flash_backend_version(void);

/* Starts PROGRAMMER, probes CHIP (NULL: any) and fills INFO (also on a several-matches refusal). */
enum fwkit_status flash_backend_open(struct fwkit_ctx *ctx, const char *programmer, const char *chip,
				     const struct fwkit_flash_callbacks *cb, struct fwkit_flash_chip *info,
				     struct flash_backend **out);
void flash_backend_close(struct flash_backend *b);

/* Reads [OFF, OFF + LEN) into IMAGE (the chip's size) at the same offsets. */
enum fwkit_status flash_backend_read(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				     uint8_t *image, size_t image_len);

/* Erases and writes [OFF, OFF + LEN) from NEW_IMAGE; the chip holds OLD_IMAGE there (both the chip's size). */
enum fwkit_status flash_backend_write(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				      const uint8_t *new_image, const uint8_t *old_image, size_t image_len);

#endif
