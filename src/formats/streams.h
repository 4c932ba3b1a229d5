/*
 * Shared by the compressed-stream modules (lzma.c, xz.c, gzip.c, zstd.c): decoding a short
 * prefix proves a candidate is a real stream at the cost of microseconds, not a full decode.
 */
#ifndef FWKIT_FORMATS_STREAMS_H
#define FWKIT_FORMATS_STREAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fwkit/codec.h"

/* Output bytes a prefix decode must produce (or reach the stream's end) to validate a candidate. */
#define STREAM_PREFIX_OUT 4096u
/* Input bytes a prefix decode may read. */
#define STREAM_PREFIX_IN (64u * 1024)

/* Decodes at most STREAM_PREFIX_IN bytes of BUF as CODEC; true when STREAM_PREFIX_OUT bytes came
 * out (or the whole stream ended cleanly) without an error. *OUT gets the bytes produced. */
bool stream_prefix_ok(enum fwkit_codec codec, const uint8_t *buf, size_t len, size_t *out);


/*
 * Decodes the stream at BUF (at most LEN input bytes) as CODEC into a malloc'ed *OUT, at most
 * LIMIT output bytes, drawing on CTX's decompression budget. *IN_USED: the stream's compressed
 * size (its extent). Returns false when the stream fails or is cut short (*OUT is then NULL);
 * *HIT_LIMIT is set when LIMIT or the budget stopped it.
 */
struct fwkit_ctx;
bool stream_decode_all(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *buf, size_t len, size_t limit, uint8_t **out,
		       size_t *out_len, size_t *in_used, bool *hit_limit);

#endif
