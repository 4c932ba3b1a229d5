/*
 * Checksums and decompression checks, on the Debian-packaged libraries that do them
 * (zlib for CRC-32 and deflate, liblzma for LZMA and XZ, libzstd for zstd). Nothing here is
 * hand-rolled.
 */
#ifndef FWKIT_CODEC_H
#define FWKIT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "context.h"

/* zlib's CRC-32 (the one U-Boot uses): continue from CRC (0 to start) over LEN bytes. */
FWKIT_API uint32_t fwkit_crc32(uint32_t crc, const void *data, size_t len);

enum fwkit_codec {
	FWKIT_CODEC_NONE = 0,
	FWKIT_CODEC_GZIP,
	FWKIT_CODEC_LZMA_ALONE, /* .lzma: 13-byte header, what U-Boot's "lzma" means */
	FWKIT_CODEC_XZ,
	FWKIT_CODEC_ZSTD,
	FWKIT_CODEC_BZIP2, /* recognised, not checked */
	FWKIT_CODEC_LZ4,   /* recognised, not checked */
	FWKIT_CODEC_LZO,   /* recognised, not checked */
};

FWKIT_API const char *fwkit_codec_name(enum fwkit_codec codec);

struct fwkit_decompress_result {
	bool checked;         /* false: this codec is not checked by fwkit (bzip2, lz4, lzo) */
	bool ok;              /* the stream decoded to its end without error */
	uint64_t out_size;    /* bytes produced (so far, when !ok) */
	uint64_t in_used;     /* compressed bytes consumed by the stream */
	uint64_t error_at;    /* input offset near which decoding failed (when !ok) */
	char detail[160];     /* why it failed, or a remark ("12 bytes after the stream") */
};

/*
 * Decodes DATA as CODEC into a scratch buffer, counting the output and stopping at LIMIT bytes
 * (0: the context's limit). The outcome is in *RESULT; the call itself fails only on a system
 * error (out of memory). FWKIT_CODEC_NONE succeeds with out_size = len.
 */
FWKIT_API enum fwkit_status fwkit_decompress_check(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *data,
						   size_t len, uint64_t limit, struct fwkit_decompress_result *result);

#endif
