/*
 * OpenWrt sysupgrade images: the fwtool blocks appended at the end (metadata JSON, signature),
 * read backwards from the end of the file as fwtool does (formats.md 6.2, openwrt/openwrt
 * package/system/fwtool). What OpenWrt's own sysupgrade checks (fwtool.sh) comes from here.
 */
#ifndef FWKIT_SYSUPGRADE_H
#define FWKIT_SYSUPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

#define FWKIT_FWTOOL_MAGIC 0x46577830u /* "FWx0" */
#define FWKIT_FWTOOL_TRAILER_SIZE 16

struct fwkit_fwtool_block {
	uint64_t offset;         /* where the block starts */
	uint32_t size;           /* block size, trailer included */
	uint8_t type;            /* 0 signature, 1 metadata */
	uint32_t crc_stored, crc_computed;
	bool crc_ok;             /* fwtool's CRC (raw CRC-32 state) over every byte before the trailer */
};

struct fwkit_fwtool {
	size_t nblocks;                    /* found from the end backwards */
	struct fwkit_fwtool_block blocks[4];
	uint64_t image_end;                /* the image without its blocks ends here (fwtool -T) */
	const char *metadata;              /* the JSON text inside BUF (not NUL-terminated), or NULL */
	size_t metadata_len;
	bool signed_image;                 /* a signature block is present */
};

/*
 * Finds the fwtool blocks at the end of BUF. Never fails on content: an image without blocks
 * gives nblocks 0 and image_end LEN. A block whose CRC is bad is still listed (crc_ok false).
 */
FWKIT_API enum fwkit_status fwkit_fwtool_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					      struct fwkit_fwtool *out);

#endif
