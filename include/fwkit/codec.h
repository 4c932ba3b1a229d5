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
#include "findings.h"

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
	bool limited;         /* stopped by the context's decompression budget (total or ratio): the
				 rest of the stream was not checked, which is neither ok nor corrupt */
	uint64_t out_size;    /* bytes produced (so far, when !ok) */
	uint64_t in_used;     /* compressed bytes consumed by the stream */
	uint64_t error_at;    /* input offset near which decoding failed (when !ok) */
	char detail[160];     /* why it failed, or a remark ("12 bytes after the stream") */
};

/*
 * Decodes DATA as CODEC into a scratch buffer, counting the output. It draws on CTX's
 * decompression budget (context.h; NULL: a default budget for this call alone): when the budget
 * is spent or the stream passes the ratio cap, decoding stops with LIMITED set and the context
 * remembers it (fwkit_decompress_budget_report). LIMIT, when not 0, also stops this one stream
 * after LIMIT bytes (ok false, "output exceeds the limit"). The outcome is in *RESULT; the call
 * itself fails only on a system error (out of memory). FWKIT_CODEC_NONE succeeds with
 * out_size = len.
 */
FWKIT_API enum fwkit_status fwkit_decompress_check(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *data,
						   size_t len, uint64_t limit, struct fwkit_decompress_result *result);

/* What a context's decompression budget allows and what was spent. */
struct fwkit_decompress_budget {
	uint64_t limit;       /* output bytes, all streams together */
	uint32_t ratio;       /* output/input cap of one stream (0: none) */
	uint32_t candidates;  /* candidate streams a search may try */
	uint64_t used;        /* output bytes produced so far */
	uint64_t streams;     /* streams started so far */
	uint32_t tried;       /* candidate streams tried so far */
	bool hit;             /* a limit stopped a decompression: something was not checked */
	char why[160];        /* the first limit hit, in words */
};

FWKIT_API void fwkit_decompress_budget(const struct fwkit_ctx *ctx, struct fwkit_decompress_budget *out);

/*
 * When CTX's budget was hit, appends the finding "budget.decompress" (severity SEV, the message
 * says which limit and that the rest was not checked) to F and returns true; false otherwise.
 */
FWKIT_API bool fwkit_decompress_budget_report(const struct fwkit_ctx *ctx, enum fwkit_severity sev,
					      struct fwkit_findings *f);

#endif
