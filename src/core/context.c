/*
 * The library context, error raising and logging. The library never prints: messages go to
 * the caller's log callback, errors into the context's error record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/budget.h"
#include "core/internal.h"

struct fwkit_ctx *fwkit_ctx_new(void)
{
	struct fwkit_ctx *ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	budget_init(ctx);
	return ctx;
}

void fwkit_ctx_free(struct fwkit_ctx *ctx)
{
	free(ctx);
}

void fwkit_ctx_set_log(struct fwkit_ctx *ctx, fwkit_log_fn *fn, void *user)
{
	ctx->log_fn = fn;
	ctx->log_user = user;
}

void fwkit_ctx_set_decompress_limit(struct fwkit_ctx *ctx, uint64_t bytes)
{
	ctx->decompress_limit = bytes ? bytes : 1;
}

void fwkit_ctx_set_decompress_ratio(struct fwkit_ctx *ctx, uint32_t ratio)
{
	ctx->decompress_ratio = ratio;
}

void fwkit_ctx_set_decompress_candidates(struct fwkit_ctx *ctx, uint32_t streams)
{
	ctx->decompress_candidates = streams;
}

void fwkit_ctx_reset_decompress_budget(struct fwkit_ctx *ctx)
{
	ctx->decompress_used = 0;
	ctx->decompress_streams = 0;
	ctx->decompress_tried = 0;
	ctx->decompress_hit = false;
	ctx->decompress_why[0] = '\0';
}

uint64_t fwkit_ctx_decompress_limit(const struct fwkit_ctx *ctx)
{
	return ctx->decompress_limit;
}

const struct fwkit_error *fwkit_ctx_error(const struct fwkit_ctx *ctx)
{
	return &ctx->error;
}

const char *fwkit_version(void)
{
	return FWKIT_VERSION_STRING;
}

void ctx_set_input_name(struct fwkit_ctx *ctx, const char *name)
{
	if (!ctx)
		return; /* a NULL context is allowed: errors then carry only the status */
	str_printf(ctx->input_name, sizeof(ctx->input_name), "%s", name ? name : "");
}

void str_printf(char *dst, size_t size, const char *fmt, ...)
{
	if (!size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		dst[0] = '\0';
}

enum fwkit_status ctx_raise(struct fwkit_ctx *ctx, enum fwkit_status status, const char *src_file, int src_line,
			    int64_t offset, const char *expected, const char *found, const char *fmt, ...)
{
	if (!ctx)
		return status;
	struct fwkit_error *e = &ctx->error;
	memset(e, 0, sizeof(*e));
	e->status = status;
	str_printf(e->file, sizeof(e->file), "%s", ctx->input_name);
	e->has_offset = offset >= 0;
	e->offset = offset >= 0 ? (uint64_t)offset : 0;
	str_printf(e->expected, sizeof(e->expected), "%s", expected ? expected : "");
	str_printf(e->found, sizeof(e->found), "%s", found ? found : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	e->src_file = src_file;
	e->src_line = src_line;
	return status;
}

void ctx_log(struct fwkit_ctx *ctx, enum fwkit_log_level level, const char *fmt, ...)
{
	if (!ctx || !ctx->log_fn)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->log_fn(ctx->log_user, level, buf);
}
