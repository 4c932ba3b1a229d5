/*
 * The flash backend of a build without libflashrom (cmake -DFWKIT_WITH_FLASHROM=OFF, or
 * libflashrom-dev not installed): every chip access says so.
 */
#include "core/internal.h"
#include "flash/backend.h"

#define NOT_BUILT_IN "flash: not built in (configure with libflashrom-dev)"

const char *flash_backend_version(void)
{
	return NULL;
}

enum fwkit_status flash_backend_open(struct fwkit_ctx *ctx, const char *programmer, const char *chip,
				     const struct fwkit_flash_callbacks *cb, struct fwkit_flash_chip *info,
				     struct flash_backend **out)
{
	(void)programmer, (void)chip, (void)cb, (void)info;
	*out = NULL;
	return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, NULL, NULL, NOT_BUILT_IN);
}

void flash_backend_close(struct flash_backend *b)
{
	(void)b;
}

enum fwkit_status flash_backend_read(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				     uint8_t *image, size_t image_len)
{
	(void)b, (void)off, (void)len, (void)image, (void)image_len;
	return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, NULL, NULL, NOT_BUILT_IN);
}

enum fwkit_status flash_backend_write(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				      const uint8_t *new_image, const uint8_t *old_image, size_t image_len)
{
	(void)b, (void)off, (void)len, (void)new_image, (void)old_image, (void)image_len;
	return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, FWKIT_NO_OFFSET, NULL, NULL, NOT_BUILT_IN);
}
