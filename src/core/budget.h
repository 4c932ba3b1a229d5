/*
 * The decompression budget, inside the library (codec.h says what it is for callers). Every
 * decompression draws on the context's budget through these calls, so one command's streams
 * together never produce more than the budget allows, however many streams its input holds.
 */
#ifndef FWKIT_BUDGET_H
#define FWKIT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* The defaults (docs/fwkit.md, "Decompression budget", says why these values). */
#define BUDGET_DEFAULT_TOTAL (256ull << 20) /* output bytes per command */
#define BUDGET_DEFAULT_RATIO 1000u          /* output over 1000 x the input consumed: a bomb */
#define BUDGET_DEFAULT_CANDIDATES 16u       /* LZMA/XZ candidate streams a search may try */
#define BUDGET_RATIO_FLOOR (1ull << 20)     /* the ratio is judged once a stream has made 1 MiB */

/* Sets the budget fields of CTX to the defaults, nothing spent. */
void budget_init(struct fwkit_ctx *ctx);

/*
 * The context a decompression draws on: CTX, or (CTX NULL) LOCAL set to the defaults, so a call
 * without a context still has a bounded budget of its own.
 */
struct fwkit_ctx *budget_ctx(struct fwkit_ctx *ctx, struct fwkit_ctx *local);

/* Starts a stream. False once the budget is spent or any limit was hit: from then on the command
 * decompresses nothing more (what it could not check, it reports as not checked). */
bool budget_stream(struct fwkit_ctx *ctx);

/* A search is about to decode one more candidate stream (WHAT names the search in the finding).
 * False once a limit was hit, or (marking the budget hit) when the candidate bound is reached. */
bool budget_candidate(struct fwkit_ctx *ctx, const char *what);

/*
 * Charges DELTA more output bytes of a stream that has now produced OUT bytes from IN input bytes.
 * False: stop the stream here (the total budget or the ratio cap was hit; the context records
 * why, and WHY gets the same text when not NULL).
 */
bool budget_charge(struct fwkit_ctx *ctx, uint64_t delta, uint64_t out, uint64_t in, char *why, size_t why_size);

#endif
