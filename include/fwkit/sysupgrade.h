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
	/* The file ends inside a metadata block: its 8-byte header (version 0, flags 0) and the start
	 * of its JSON ('{', then "metadata_version" in the text) are there, after the end of any root
	 * file system or stream, but no "FWx0" trailer ends the file: the image is cut. Then nblocks is
	 * 0, image_end is LEN, and cut_at is where that block starts (cut_json: the JSON's bytes there). */
	bool cut;
	uint64_t cut_at;
	size_t cut_json;
};

/*
 * Finds the fwtool blocks at the end of BUF. Never fails on content: an image without blocks
 * gives nblocks 0 and image_end LEN. A block whose CRC is bad is still listed (crc_ok false); a
 * metadata block cut short sets cut.
 */
FWKIT_API enum fwkit_status fwkit_fwtool_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					      struct fwkit_fwtool *out);

#endif
