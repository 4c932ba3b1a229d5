/*
 * The library context: no global state lives in libfwkit. A context holds the log hook,
 * the last error and limits. Several contexts may live side by side (one per thread).
 */
#ifndef FWKIT_CONTEXT_H
#define FWKIT_CONTEXT_H

#include "status.h"

struct fwkit_ctx;

enum fwkit_log_level { FWKIT_LOG_ERROR = 0, FWKIT_LOG_WARN = 1, FWKIT_LOG_INFO = 2, FWKIT_LOG_DEBUG = 3 };

/* The library never prints: messages go to this callback, with the caller's pointer. */
typedef void fwkit_log_fn(void *user, enum fwkit_log_level level, const char *message);

/* Returns a new context, or NULL when out of memory. Free it with fwkit_ctx_free(). */
FWKIT_API struct fwkit_ctx *fwkit_ctx_new(void);
FWKIT_API void fwkit_ctx_free(struct fwkit_ctx *ctx);

FWKIT_API void fwkit_ctx_set_log(struct fwkit_ctx *ctx, fwkit_log_fn *fn, void *user);

/*
 * The decompression budget (codec.h, docs/fwkit.md "Decompression budget"): every decompression
 * done with this context (payload checks, the device-tree search) draws on one budget, so a
 * decompression bomb, or an input holding thousands of streams, stops with the finding
 * "budget.decompress" instead of exhausting memory or time. The budget is spent, not refilled:
 * one context per command, or fwkit_ctx_reset_decompress_budget() between commands.
 *
 *   limit       output bytes of all streams together (default 256 MiB; 0 is taken as 1)
 *   ratio       a stream whose output passes RATIO times the input it consumed, once it has
 *               made 1 MiB, is stopped as a bomb (default 1000; 0 turns the cap off)
 *   candidates  LZMA/XZ candidate streams a search may try to decode (default 16)
 *
 * Once any of them is hit the context decompresses nothing more: later checks say "not checked".
 */
FWKIT_API void fwkit_ctx_set_decompress_limit(struct fwkit_ctx *ctx, uint64_t bytes);
FWKIT_API uint64_t fwkit_ctx_decompress_limit(const struct fwkit_ctx *ctx);
FWKIT_API void fwkit_ctx_set_decompress_ratio(struct fwkit_ctx *ctx, uint32_t ratio);
FWKIT_API void fwkit_ctx_set_decompress_candidates(struct fwkit_ctx *ctx, uint32_t streams);
/* Forgets what was spent (the limits stay): the next command starts with the whole budget. */
FWKIT_API void fwkit_ctx_reset_decompress_budget(struct fwkit_ctx *ctx);

/* The error record of the last failed call on this context. Owned by the context. */
FWKIT_API const struct fwkit_error *fwkit_ctx_error(const struct fwkit_ctx *ctx);

/* The library version, e.g. "0.1.0". */
FWKIT_API const char *fwkit_version(void);

#endif
