/*
 * CRC-32 and decompression checks over zlib, liblzma and libzstd.
 *
 * A check decodes the whole stream into a reusable 64 KiB scratch buffer, so memory stays flat
 * whatever the decompressed size, and stops at a byte limit so a bomb cannot run away.
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/internal.h"
#include "fwkit/codec.h"

#define SCRATCH_SIZE (64 * 1024)
#define LZMA_MEMLIMIT (256ull * 1024 * 1024)

uint32_t fwkit_crc32(uint32_t crc, const void *data, size_t len)
{
	if (!len)
		return crc;
	return (uint32_t)crc32_z(crc, data, len);
}

const char *fwkit_codec_name(enum fwkit_codec codec)
{
	switch (codec) {
	case FWKIT_CODEC_NONE: return "none";
	case FWKIT_CODEC_GZIP: return "gzip";
	case FWKIT_CODEC_LZMA_ALONE: return "lzma";
	case FWKIT_CODEC_XZ: return "xz";
	case FWKIT_CODEC_ZSTD: return "zstd";
	case FWKIT_CODEC_BZIP2: return "bzip2";
	case FWKIT_CODEC_LZ4: return "lz4";
	case FWKIT_CODEC_LZO: return "lzo";
	}
	return "unknown";
}

static void finish(struct fwkit_decompress_result *r, size_t len)
{
	if (r->ok && r->in_used < len)
		str_printf(r->detail, sizeof(r->detail), "%llu bytes follow the end of the stream",
			   (unsigned long long)(len - r->in_used));
}

static void check_gzip(const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
		       struct fwkit_decompress_result *r)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
		str_printf(r->detail, sizeof(r->detail), "zlib: cannot initialise");
		return;
	}
	size_t pos = 0;
	int zr = Z_OK;
	while (zr == Z_OK) {
		if (s.avail_in == 0 && pos < len) {
			size_t chunk = len - pos > (1u << 30) ? (1u << 30) : len - pos;
			s.next_in = (Bytef *)(uintptr_t)(data + pos); /* zlib does not write through next_in */
			s.avail_in = (uInt)chunk;
			pos += chunk;
		}
		s.next_out = scratch;
		s.avail_out = SCRATCH_SIZE;
		uInt before = s.avail_in;
		zr = inflate(&s, Z_NO_FLUSH);
		r->out_size += SCRATCH_SIZE - s.avail_out;
		if (r->out_size > limit) {
			str_printf(r->detail, sizeof(r->detail), "output exceeds the limit of %llu bytes",
				   (unsigned long long)limit);
			break;
		}
		if (zr == Z_BUF_ERROR && s.avail_in == 0 && pos >= len) {
			str_printf(r->detail, sizeof(r->detail), "gzip stream ends early (truncated)");
			break;
		}
		if (zr == Z_BUF_ERROR && before == s.avail_in && s.avail_out == SCRATCH_SIZE) {
			str_printf(r->detail, sizeof(r->detail), "gzip stream ends early (truncated)");
			break;
		}
		if (zr == Z_BUF_ERROR)
			zr = Z_OK;
	}
	r->in_used = s.total_in;
	if (zr == Z_STREAM_END)
		r->ok = true;
	else if (!r->detail[0])
		str_printf(r->detail, sizeof(r->detail), "gzip: %s", s.msg ? s.msg : "corrupt stream");
	if (!r->ok)
		r->error_at = s.total_in;
	inflateEnd(&s);
}

static void check_lzma(enum fwkit_codec codec, const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
		       struct fwkit_decompress_result *r)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret lr = codec == FWKIT_CODEC_XZ ? lzma_stream_decoder(&s, LZMA_MEMLIMIT, 0)
					      : lzma_alone_decoder(&s, LZMA_MEMLIMIT);
	if (lr != LZMA_OK) {
		str_printf(r->detail, sizeof(r->detail), "liblzma: cannot initialise (%d)", (int)lr);
		return;
	}
	s.next_in = data;
	s.avail_in = len;
	for (;;) {
		s.next_out = scratch;
		s.avail_out = SCRATCH_SIZE;
		lr = lzma_code(&s, s.avail_in ? LZMA_RUN : LZMA_FINISH);
		r->out_size += SCRATCH_SIZE - s.avail_out;
		if (r->out_size > limit) {
			str_printf(r->detail, sizeof(r->detail), "output exceeds the limit of %llu bytes",
				   (unsigned long long)limit);
			break;
		}
		if (lr == LZMA_STREAM_END) {
			r->ok = true;
			break;
		}
		if (lr != LZMA_OK) {
			const char *why = lr == LZMA_DATA_ERROR	   ? "corrupt data"
					  : lr == LZMA_FORMAT_ERROR ? "not a valid header"
					  : lr == LZMA_OPTIONS_ERROR ? "unsupported options"
					  : lr == LZMA_MEM_ERROR   ? "out of memory"
					  : lr == LZMA_MEMLIMIT_ERROR ? "needs more memory than allowed"
					  : lr == LZMA_BUF_ERROR   ? "stream ends early (truncated)"
								   : "decoder error";
			str_printf(r->detail, sizeof(r->detail), "%s: %s", codec == FWKIT_CODEC_XZ ? "xz" : "lzma", why);
			break;
		}
	}
	r->in_used = s.total_in;
	if (!r->ok)
		r->error_at = s.total_in;
	lzma_end(&s);
}

static void check_zstd(const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
		       struct fwkit_decompress_result *r)
{
	ZSTD_DStream *ds = ZSTD_createDStream();
	if (!ds) {
		str_printf(r->detail, sizeof(r->detail), "zstd: cannot initialise");
		return;
	}
	ZSTD_initDStream(ds);
	ZSTD_inBuffer in = { data, len, 0 };
	for (;;) {
		ZSTD_outBuffer out = { scratch, SCRATCH_SIZE, 0 };
		size_t zr = ZSTD_decompressStream(ds, &out, &in);
		r->out_size += out.pos;
		if (ZSTD_isError(zr)) {
			str_printf(r->detail, sizeof(r->detail), "zstd: %s", ZSTD_getErrorName(zr));
			break;
		}
		if (r->out_size > limit) {
			str_printf(r->detail, sizeof(r->detail), "output exceeds the limit of %llu bytes",
				   (unsigned long long)limit);
			break;
		}
		if (zr == 0) {
			r->ok = true;
			break;
		}
		if (in.pos == in.size && out.pos < out.size) {
			str_printf(r->detail, sizeof(r->detail), "zstd stream ends early (truncated)");
			break;
		}
	}
	r->in_used = in.pos;
	if (!r->ok)
		r->error_at = in.pos;
	ZSTD_freeDStream(ds);
}

enum fwkit_status fwkit_decompress_check(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *data,
					 size_t len, uint64_t limit, struct fwkit_decompress_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!limit)
		limit = ctx ? ctx->decompress_limit : 512ull * 1024 * 1024;
	if (codec == FWKIT_CODEC_NONE) {
		r->checked = r->ok = true;
		r->out_size = r->in_used = len;
		return FWKIT_OK;
	}
	if (codec == FWKIT_CODEC_BZIP2 || codec == FWKIT_CODEC_LZ4 || codec == FWKIT_CODEC_LZO) {
		str_printf(r->detail, sizeof(r->detail), "%s payloads are not checked by fwkit", fwkit_codec_name(codec));
		return FWKIT_OK;
	}
	uint8_t *scratch = malloc(SCRATCH_SIZE);
	if (!scratch)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	r->checked = true;
	switch (codec) {
	case FWKIT_CODEC_GZIP: check_gzip(data, len, limit, scratch, r); break;
	case FWKIT_CODEC_LZMA_ALONE:
	case FWKIT_CODEC_XZ: check_lzma(codec, data, len, limit, scratch, r); break;
	case FWKIT_CODEC_ZSTD: check_zstd(data, len, limit, scratch, r); break;
	default: break;
	}
	free(scratch);
	finish(r, len);
	return FWKIT_OK;
}
