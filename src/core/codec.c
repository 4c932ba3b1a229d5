/*
 * CRC-32 and decompression checks over zlib, liblzma and libzstd, and the decompression budget
 * every decompression of a context draws on (src/core/budget.h).
 *
 * A check decodes the whole stream into a reusable 64 KiB scratch buffer, so memory stays flat
 * whatever the decompressed size, and charges each 64 KiB to the budget, so neither a bomb nor
 * many streams can run away.
 */
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifndef FWKIT_DISABLE_ZSTD
#include <zstd.h>
#endif

#include "core/budget.h"
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

/* ---- the budget ------------------------------------------------------------------------ */

void budget_init(struct fwkit_ctx *ctx)
{
	ctx->decompress_limit = BUDGET_DEFAULT_TOTAL;
	ctx->decompress_ratio = BUDGET_DEFAULT_RATIO;
	ctx->decompress_candidates = BUDGET_DEFAULT_CANDIDATES;
	ctx->decompress_used = 0;
	ctx->decompress_streams = 0;
	ctx->decompress_tried = 0;
	ctx->decompress_hit = false;
	ctx->decompress_why[0] = '\0';
}

struct fwkit_ctx *budget_ctx(struct fwkit_ctx *ctx, struct fwkit_ctx *local)
{
	if (ctx)
		return ctx;
	memset(local, 0, sizeof(*local));
	budget_init(local);
	return local;
}

static void budget_hit(struct fwkit_ctx *ctx, const char *fmt, ...) FWKIT_PRINTF(2, 3);
static void budget_hit(struct fwkit_ctx *ctx, const char *fmt, ...)
{
	if (ctx->decompress_hit)
		return; /* the first limit hit is the one reported */
	ctx->decompress_hit = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->decompress_why, sizeof(ctx->decompress_why), fmt, ap);
	va_end(ap);
}

static void budget_spent(struct fwkit_ctx *ctx)
{
	budget_hit(ctx, "decompression budget of %llu bytes hit after %llu stream%s; the rest was not checked",
		   (unsigned long long)ctx->decompress_limit, (unsigned long long)ctx->decompress_streams,
		   ctx->decompress_streams == 1 ? "" : "s");
}

bool budget_stream(struct fwkit_ctx *ctx)
{
	if (ctx->decompress_hit)
		return false; /* a limit was hit: the command decompresses nothing more */
	if (ctx->decompress_used >= ctx->decompress_limit) {
		budget_spent(ctx);
		return false;
	}
	ctx->decompress_streams++;
	return true;
}

bool budget_candidate(struct fwkit_ctx *ctx, const char *what)
{
	if (ctx->decompress_hit)
		return false;
	if (ctx->decompress_tried >= ctx->decompress_candidates) {
		budget_hit(ctx, "decompression budget: %s tried its %u candidate streams; the rest was not searched",
			   what, ctx->decompress_candidates);
		return false;
	}
	ctx->decompress_tried++;
	return true;
}

bool budget_charge(struct fwkit_ctx *ctx, uint64_t delta, uint64_t out, uint64_t in, char *why, size_t why_size)
{
	ctx->decompress_used += delta;
	bool stop = false;
	char text[sizeof(ctx->decompress_why)];
	if (ctx->decompress_used > ctx->decompress_limit) {
		ctx->decompress_used = ctx->decompress_limit;
		budget_spent(ctx);
		str_printf(text, sizeof(text), "decompression budget of %llu bytes hit; the rest was not checked",
			   (unsigned long long)ctx->decompress_limit);
		stop = true;
	} else if (ctx->decompress_ratio && out >= BUDGET_RATIO_FLOOR && out / ctx->decompress_ratio > in) {
		str_printf(text, sizeof(text),
			   "decompression budget: a stream made %llu bytes from %llu, over %u times its input "
			   "(a bomb); the rest was not checked",
			   (unsigned long long)out, (unsigned long long)in, ctx->decompress_ratio);
		budget_hit(ctx, "%s", text);
		stop = true;
	}
	if (stop && why)
		str_printf(why, why_size, "%s", text);
	return !stop;
}

void fwkit_decompress_budget(const struct fwkit_ctx *ctx, struct fwkit_decompress_budget *out)
{
	memset(out, 0, sizeof(*out));
	struct fwkit_ctx local;
	const struct fwkit_ctx *c = ctx ? ctx : budget_ctx(NULL, &local);
	out->limit = c->decompress_limit;
	out->ratio = c->decompress_ratio;
	out->candidates = c->decompress_candidates;
	out->used = c->decompress_used;
	out->streams = c->decompress_streams;
	out->tried = c->decompress_tried;
	out->hit = c->decompress_hit;
	str_printf(out->why, sizeof(out->why), "%s", c->decompress_why);
}

bool fwkit_decompress_budget_report(const struct fwkit_ctx *ctx, enum fwkit_severity sev, struct fwkit_findings *f)
{
	if (!ctx || !ctx->decompress_hit)
		return false;
	findings_add(f, sev, "budget.decompress", 0, NULL, NULL, "%s", ctx->decompress_why);
	return true;
}

/* ---- the checks ------------------------------------------------------------------------ */

static void finish(struct fwkit_decompress_result *r, size_t len)
{
	if (r->ok && r->in_used < len)
		str_printf(r->detail, sizeof(r->detail), "%llu bytes follow the end of the stream",
			   (unsigned long long)(len - r->in_used));
}

/* Counts DELTA more output bytes (IN input consumed so far): false when the stream must stop here,
 * at the caller's LIMIT or at the budget (then LIMITED is set). */
static bool step(struct fwkit_ctx *ctx, uint64_t limit, uint64_t delta, uint64_t in, struct fwkit_decompress_result *r)
{
	r->out_size += delta;
	if (limit && r->out_size > limit) {
		str_printf(r->detail, sizeof(r->detail), "output exceeds the limit of %llu bytes", (unsigned long long)limit);
		return false;
	}
	if (!budget_charge(ctx, delta, r->out_size, in, r->detail, sizeof(r->detail))) {
		r->limited = true;
		return false;
	}
	return true;
}

static void check_gzip(struct fwkit_ctx *ctx, const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
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
		if (!step(ctx, limit, SCRATCH_SIZE - s.avail_out, s.total_in, r))
			break;
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
	if (zr == Z_STREAM_END && !r->detail[0]) /* not when a limit stopped the step that ended it */
		r->ok = true;
	else if (!r->detail[0])
		str_printf(r->detail, sizeof(r->detail), "gzip: %s", s.msg ? s.msg : "corrupt stream");
	if (!r->ok)
		r->error_at = s.total_in;
	inflateEnd(&s);
}

static void check_lzma(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
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
		if (!step(ctx, limit, SCRATCH_SIZE - s.avail_out, s.total_in, r))
			break;
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

#ifndef FWKIT_DISABLE_ZSTD
static void check_zstd(struct fwkit_ctx *ctx, const uint8_t *data, size_t len, uint64_t limit, uint8_t *scratch,
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
		if (ZSTD_isError(zr)) {
			r->out_size += out.pos;
			str_printf(r->detail, sizeof(r->detail), "zstd: %s", ZSTD_getErrorName(zr));
			break;
		}
		if (!step(ctx, limit, out.pos, in.pos, r))
			break;
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
#endif

enum fwkit_status fwkit_decompress_check(struct fwkit_ctx *ctx, enum fwkit_codec codec, const uint8_t *data,
					 size_t len, uint64_t limit, struct fwkit_decompress_result *r)
{
	memset(r, 0, sizeof(*r));
	if (codec == FWKIT_CODEC_NONE) {
		r->checked = r->ok = true;
		r->out_size = r->in_used = len;
		return FWKIT_OK;
	}
	if (codec == FWKIT_CODEC_BZIP2 || codec == FWKIT_CODEC_LZ4 || codec == FWKIT_CODEC_LZO) {
		str_printf(r->detail, sizeof(r->detail), "%s payloads are not checked by fwkit", fwkit_codec_name(codec));
		return FWKIT_OK;
	}
#ifdef FWKIT_DISABLE_ZSTD
	if (codec == FWKIT_CODEC_ZSTD) {
		str_printf(r->detail, sizeof(r->detail), "zstd payloads are not checked by this fwkit (built without libzstd)");
		return FWKIT_OK;
	}
#endif
	struct fwkit_ctx local;
	struct fwkit_ctx *b = budget_ctx(ctx, &local);
	r->checked = true;
	if (!budget_stream(b)) {
		r->limited = true;
		str_printf(r->detail, sizeof(r->detail), "the decompression budget was hit before this stream (%s)",
			   b->decompress_used >= b->decompress_limit ? "all of it spent" : "a limit stopped an earlier stream");
		return FWKIT_OK;
	}
	uint8_t *scratch = malloc(SCRATCH_SIZE);
	if (!scratch)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	switch (codec) {
	case FWKIT_CODEC_GZIP: check_gzip(b, data, len, limit, scratch, r); break;
	case FWKIT_CODEC_LZMA_ALONE:
	case FWKIT_CODEC_XZ: check_lzma(b, codec, data, len, limit, scratch, r); break;
#ifndef FWKIT_DISABLE_ZSTD
	case FWKIT_CODEC_ZSTD: check_zstd(b, data, len, limit, scratch, r); break;
#endif
	default: break;
	}
	free(scratch);
	finish(r, len);
	return FWKIT_OK;
}
