/*
 * Prefix decodes for the compressed-stream probes, on liblzma, zlib and libzstd.
 */
#include <lzma.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifndef FWKIT_DISABLE_ZSTD /* a build without libzstd decodes no zstd stream */
#include <zstd.h>
#endif

#include "core/budget.h"
#include "formats/streams.h"

static bool lzma_prefix(bool xz, const uint8_t *buf, size_t len, uint8_t *out, size_t *produced)
{
	lzma_stream s = LZMA_STREAM_INIT;
	/* 64 MiB covers every dictionary a router kernel uses; a header asking for more is not one */
	lzma_ret rc = xz ? lzma_stream_decoder(&s, 64u << 20, 0) : lzma_alone_decoder(&s, 64u << 20);
	if (rc != LZMA_OK)
		return false;
	s.next_in = buf;
	s.avail_in = len < STREAM_PREFIX_IN ? len : STREAM_PREFIX_IN;
	s.next_out = out;
	s.avail_out = STREAM_PREFIX_OUT;
	rc = lzma_code(&s, LZMA_FINISH);
	*produced = STREAM_PREFIX_OUT - s.avail_out;
	lzma_end(&s);
	return rc == LZMA_STREAM_END || ((rc == LZMA_OK || rc == LZMA_BUF_ERROR) && *produced == STREAM_PREFIX_OUT);
}

static bool gzip_prefix(const uint8_t *buf, size_t len, uint8_t *out, size_t *produced)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return false;
	s.next_in = (Bytef *)(uintptr_t)buf; /* zlib does not write through next_in */
	s.avail_in = (uInt)(len < STREAM_PREFIX_IN ? len : STREAM_PREFIX_IN);
	s.next_out = out;
	s.avail_out = STREAM_PREFIX_OUT;
	int rc = inflate(&s, Z_SYNC_FLUSH);
	*produced = STREAM_PREFIX_OUT - s.avail_out;
	inflateEnd(&s);
	return rc == Z_STREAM_END || ((rc == Z_OK || rc == Z_BUF_ERROR) && *produced == STREAM_PREFIX_OUT);
}

#ifndef FWKIT_DISABLE_ZSTD
static bool zstd_prefix(const uint8_t *buf, size_t len, uint8_t *out, size_t *produced)
{
	ZSTD_DStream *d = ZSTD_createDStream();
	if (!d)
		return false;
	ZSTD_inBuffer in = { buf, len < STREAM_PREFIX_IN ? len : STREAM_PREFIX_IN, 0 };
	ZSTD_outBuffer o = { out, STREAM_PREFIX_OUT, 0 };
	size_t rc = ZSTD_decompressStream(d, &o, &in);
	*produced = o.pos;
	ZSTD_freeDStream(d);
	return !ZSTD_isError(rc) && (rc == 0 || o.pos == STREAM_PREFIX_OUT);
}
#endif

bool stream_prefix_ok(enum fwkit_codec codec, const uint8_t *buf, size_t len, size_t *produced)
{
	uint8_t out[STREAM_PREFIX_OUT];
	*produced = 0;
	switch (codec) {
	case FWKIT_CODEC_LZMA_ALONE: return lzma_prefix(false, buf, len, out, produced);
	case FWKIT_CODEC_XZ: return lzma_prefix(true, buf, len, out, produced);
	case FWKIT_CODEC_GZIP: return gzip_prefix(buf, len, out, produced);
#ifndef FWKIT_DISABLE_ZSTD
	case FWKIT_CODEC_ZSTD: return zstd_prefix(buf, len, out, produced);
#endif
	default: return false;
	}
}

/* Grows *BUF (capacity *CAP) to hold at least NEED bytes, never past LIMIT. */
static bool reserve(uint8_t **buf, size_t *cap, size_t need, size_t limit)
{
	if (need <= *cap)
		return true;
	size_t ncap = *cap ? *cap : 1u << 20;
	while (ncap < need)
		ncap *= 2;
	if (ncap > limit)
		ncap = limit;
	if (ncap < need)
		return false;
	uint8_t *p = realloc(*buf, ncap);
	if (!p)
		return false;
	*buf = p;
	*cap = ncap;
	return true;
}

static bool lzma_all(struct fwkit_ctx *ctx, bool xz, const uint8_t *buf, size_t len, size_t limit, uint8_t **out, size_t *out_len,
		     size_t *in_used, bool *hit_limit)
{
	lzma_stream s = LZMA_STREAM_INIT;
	if ((xz ? lzma_stream_decoder(&s, 64u << 20, 0) : lzma_alone_decoder(&s, 64u << 20)) != LZMA_OK)
		return false;
	size_t cap = 0, produced = 0;
	uint8_t *o = NULL;
	s.next_in = buf;
	s.avail_in = len;
	lzma_ret rc = LZMA_OK;
	while (rc == LZMA_OK) {
		if (produced == cap && !reserve(&o, &cap, produced + 1, limit)) {
			*hit_limit = produced >= limit;
			break;
		}
		s.next_out = o + produced;
		s.avail_out = cap - produced;
		rc = lzma_code(&s, LZMA_FINISH);
		size_t before = produced;
		produced = cap - s.avail_out;
		if (!budget_charge(ctx, produced - before, produced, len - s.avail_in, NULL, 0)) {
			*hit_limit = true;
			break;
		}
	}
	*in_used = len - s.avail_in;
	lzma_end(&s);
	if (rc != LZMA_STREAM_END) {
		free(o);
		return false;
	}
	*out = o;
	*out_len = produced;
	return true;
}

static bool gzip_all(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, size_t limit, uint8_t **out, size_t *out_len, size_t *in_used,
		     bool *hit_limit)
{
	z_stream s;
	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return false;
	size_t cap = 0, produced = 0;
	uint8_t *o = NULL;
	s.next_in = (Bytef *)(uintptr_t)buf;
	s.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
	int rc = Z_OK;
	while (rc == Z_OK) {
		if (produced == cap && !reserve(&o, &cap, produced + 1, limit)) {
			*hit_limit = produced >= limit;
			break;
		}
		size_t room = cap - produced > UINT32_MAX ? UINT32_MAX : cap - produced;
		s.next_out = o + produced;
		s.avail_out = (uInt)room;
		rc = inflate(&s, Z_NO_FLUSH);
		produced += room - s.avail_out;
		if (!budget_charge(ctx, room - s.avail_out, produced, s.total_in, NULL, 0)) {
			*hit_limit = true;
			break;
		}
		if (rc == Z_BUF_ERROR && s.avail_out != 0)
			break; /* input ended inside the stream */
		if (rc == Z_BUF_ERROR)
			rc = Z_OK;
	}
	*in_used = (size_t)s.total_in;
	inflateEnd(&s);
	if (rc != Z_STREAM_END) {
		free(o);
		return false;
	}
	*out = o;
	*out_len = produced;
	return true;
}

#ifndef FWKIT_DISABLE_ZSTD
static bool zstd_all(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, size_t limit, uint8_t **out, size_t *out_len, size_t *in_used,
		     bool *hit_limit)
{
	size_t frame = ZSTD_findFrameCompressedSize(buf, len);
	if (ZSTD_isError(frame))
		return false;
	ZSTD_DStream *d = ZSTD_createDStream();
	if (!d)
		return false;
	size_t cap = 0, rc = 1;
	uint8_t *o = NULL;
	ZSTD_inBuffer in = { buf, frame, 0 };
	ZSTD_outBuffer ob = { NULL, 0, 0 };
	while (rc != 0 && !ZSTD_isError(rc)) {
		if (ob.pos == cap && !reserve(&o, &cap, ob.pos + 1, limit)) {
			*hit_limit = ob.pos >= limit;
			break;
		}
		ob.dst = o;
		ob.size = cap;
		size_t before = ob.pos;
		rc = ZSTD_decompressStream(d, &ob, &in);
		if (!ZSTD_isError(rc) && !budget_charge(ctx, ob.pos - before, ob.pos, in.pos, NULL, 0)) {
			*hit_limit = true;
			break;
		}
		if (rc != 0 && in.pos == in.size && ob.pos < ob.size)
			break; /* the frame ended early */
	}
	ZSTD_freeDStream(d);
	*in_used = frame;
	if (rc != 0) {
		free(o);
		return false;
	}
	*out = o;
	*out_len = ob.pos;
	return true;
}
#endif

bool stream_decode_all(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *buf, size_t len, size_t limit,
		       uint8_t **out, size_t *out_len, size_t *in_used, bool *hit_limit)
{
	*out = NULL;
	*out_len = *in_used = 0;
	*hit_limit = false;
	if (!budget_stream(ctx)) {
		*hit_limit = true;
		return false;
	}
	switch (codec) {
	case FWKIT_CODEC_LZMA_ALONE: return lzma_all(ctx, false, buf, len, limit, out, out_len, in_used, hit_limit);
	case FWKIT_CODEC_XZ: return lzma_all(ctx, true, buf, len, limit, out, out_len, in_used, hit_limit);
	case FWKIT_CODEC_GZIP: return gzip_all(ctx, buf, len, limit, out, out_len, in_used, hit_limit);
#ifndef FWKIT_DISABLE_ZSTD
	case FWKIT_CODEC_ZSTD: return zstd_all(ctx, buf, len, limit, out, out_len, in_used, hit_limit);
#endif
	default: return false;
	}
}
