/*
 * Internal helpers shared by the library's modules. Nothing here is public API.
 */
#ifndef FWKIT_INTERNAL_H
#define FWKIT_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "fwkit/context.h"
#include "fwkit/findings.h"
#include "fwkit/status.h"

struct fwkit_ctx {
	fwkit_log_fn *log_fn;
	void *log_user;
	/* the decompression budget one command draws on (codec.h; the defaults in src/core/budget.h) */
	uint64_t decompress_limit;      /* output bytes, all streams together */
	uint32_t decompress_ratio;      /* a stream past this many times its input is a bomb */
	uint32_t decompress_candidates; /* LZMA/XZ candidate streams a search may try */
	uint64_t decompress_used;       /* output bytes so far */
	uint64_t decompress_streams;    /* streams started so far */
	uint32_t decompress_tried;      /* candidate streams tried so far */
	bool decompress_hit;            /* a decompression stopped at the budget: the rest was not checked */
	char decompress_why[160];       /* the first limit hit, as the finding's message */
	char input_name[FWKIT_ERROR_PATH_MAX]; /* named in errors raised while parsing */
	struct fwkit_error error;
};

#if defined(__GNUC__)
#define FWKIT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define FWKIT_PRINTF(a, b)
#endif

/* Names the input the next errors are about (a file path, or "<buffer>"). */
void ctx_set_input_name(struct fwkit_ctx *ctx, const char *name);

/*
 * Fills the context's error record and returns STATUS, so a failing path reads
 *   return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, off, "0x27051956", found, "uimage: bad magic");
 * EXPECTED and FOUND may be NULL. OFFSET < 0 means "no offset applies".
 */
enum fwkit_status ctx_raise(struct fwkit_ctx *ctx, enum fwkit_status status, const char *src_file, int src_line,
			    int64_t offset, const char *expected, const char *found, const char *fmt, ...)
	FWKIT_PRINTF(8, 9);
#define FWKIT_RAISE(ctx, status, offset, expected, found, ...)                                    \
	ctx_raise((ctx), (status), __FILE__, __LINE__, (int64_t)(offset), (expected), (found), __VA_ARGS__)
#define FWKIT_NO_OFFSET (-1)

void ctx_log(struct fwkit_ctx *ctx, enum fwkit_log_level level, const char *fmt, ...) FWKIT_PRINTF(3, 4);

/* Appends a finding; when the array is full the finding is counted in 'dropped'. */
void findings_add(struct fwkit_findings *f, enum fwkit_severity sev, const char *code, uint64_t offset,
		  const char *expected, const char *found, const char *fmt, ...) FWKIT_PRINTF(7, 8);

/* A whole string as an unsigned number in BASE (0: 0x hex, 0 octal, decimal), at most MAX. */
bool num_parse_u64(const char *s, int base, uint64_t max, uint64_t *out);

/* Bounded formatting that always terminates and never overflows (snprintf with truncation). */
void str_printf(char *dst, size_t size, const char *fmt, ...) FWKIT_PRINTF(3, 4);

#endif
