/*
 * Comparing whole flash dumps (include/fwkit/dump.h): the erase blocks two images differ in, and
 * the agreement and byte-wise majority of several reads of one chip. Pure byte comparison: no
 * input is parsed here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fwkit/dump.h"

void fwkit_ranges_free(struct fwkit_ranges *r)
{
	if (!r)
		return;
	free(r->items);
	r->items = NULL;
	r->count = 0;
}

/* Appends [OFF, OFF+N) to R (kept in order by the callers), growing it by doubling. */
static enum fwkit_status ranges_push(struct fwkit_ctx *ctx, struct fwkit_ranges *r, size_t *cap, uint64_t off,
				     uint64_t n)
{
	if (r->count == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct fwkit_byte_range *ni = ncap > SIZE_MAX / sizeof(*ni) ? NULL : realloc(r->items, ncap * sizeof(*ni));
		if (!ni)
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		r->items = ni;
		*cap = ncap;
	}
	r->items[r->count].offset = off;
	r->items[r->count].length = n;
	r->count++;
	return FWKIT_OK;
}

enum fwkit_status fwkit_layout_changed_blocks(struct fwkit_ctx *ctx, const uint8_t *a, const uint8_t *b, size_t len,
					      uint64_t erase_size, struct fwkit_ranges *out)
{
	if (!out)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "layout: no result list");
	memset(out, 0, sizeof(*out));
	if (erase_size == 0)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "an erase size above 0", "0",
				   "layout: bad erase size");
	if (len && (!a || !b))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "layout: no image to compare");
	size_t cap = 0;
	uint64_t run = UINT64_MAX;
	for (uint64_t o = 0; o < len;) {
		uint64_t n = len - o < erase_size ? len - o : erase_size;
		bool diff = memcmp(a + o, b + o, (size_t)n) != 0;
		if (diff && run == UINT64_MAX)
			run = o;
		if (!diff && run != UINT64_MAX) {
			enum fwkit_status st = ranges_push(ctx, out, &cap, run, o - run);
			if (st != FWKIT_OK) {
				fwkit_ranges_free(out);
				return st;
			}
			run = UINT64_MAX;
		}
		o += n; /* never past LEN, so never wraps */
	}
	if (run != UINT64_MAX) {
		enum fwkit_status st = ranges_push(ctx, out, &cap, run, len - run);
		if (st != FWKIT_OK) {
			fwkit_ranges_free(out);
			return st;
		}
	}
	return FWKIT_OK;
}

void fwkit_compare_result_free(struct fwkit_compare_result *r)
{
	if (r)
		fwkit_ranges_free(&r->ranges);
}

/* The majority vote at one offset: the value the most reads hold (the earliest read's among
 * equals); *MAJORITY when more than half of them hold it. */
static uint8_t vote(const uint8_t *const *reads, size_t n, size_t o, bool *majority)
{
	size_t bestc = 0;
	uint8_t best = reads[0][o];
	for (size_t i = 0; i < n && bestc * 2 <= n; i++) {
		size_t c = 0;
		for (size_t k = 0; k < n; k++)
			c += reads[k][o] == reads[i][o];
		if (c > bestc) {
			bestc = c;
			best = reads[i][o];
		}
	}
	*majority = bestc * 2 > n;
	return best;
}

enum { COMPARE_CHUNK = 4096 };

/* The byte every one of the LEN bytes at P holds, or -1 (also for LEN 0). */
static int uniform_byte(const uint8_t *p, size_t len)
{
	if (!len)
		return -1;
	for (size_t i = 1; i < len; i++)
		if (p[i] != p[0])
			return -1;
	return p[0];
}

/* Reads that agree on nothing but 0xFF (or 0x00) prove nothing: a clip without contact reads that
 * every time (inspect's "dump.blank"). The same for a majority written from them. */
static void blank_reads(const uint8_t *const *reads, size_t nreads, size_t len, const uint8_t *consensus,
			struct fwkit_compare_result *out)
{
	const uint8_t *what = !out->unstable ? reads[0] : consensus && !out->no_majority ? consensus : NULL;
	int b = what ? uniform_byte(what, len) : -1;
	if (b != 0xFF && b != 0x00)
		return;
	char who[48];
	if (what == consensus && out->unstable)
		str_printf(who, sizeof(who), "the majority of the %zu reads is", nreads);
	else if (nreads == 2)
		str_printf(who, sizeof(who), "both reads are");
	else
		str_printf(who, sizeof(who), "all %zu reads are", nreads);
	char found[64];
	str_printf(found, sizeof(found), "%zu bytes of 0x%02X", len, b);
	findings_add(&out->findings, FWKIT_SEV_ERROR, "compare.blank", 0, "reads that hold data", found, "%s all 0x%02X: %s",
		     who, b,
		     b == 0xFF ? "an erased chip, or the clip made no contact"
			       : "the clip made no contact (or the chip is not powered)");
}

enum fwkit_status fwkit_compare_reads(struct fwkit_ctx *ctx, const uint8_t *const *reads, size_t nreads, size_t len,
				      uint8_t *consensus, struct fwkit_compare_result *out)
{
	if (!out)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "compare: no result");
	memset(out, 0, sizeof(*out));
	if (!reads || nreads < 2) {
		char fnd[32];
		str_printf(fnd, sizeof(fnd), "%zu", reads ? nreads : 0);
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "at least 2 reads", fnd,
				   "compare: too few reads");
	}
	for (size_t i = 0; i < nreads; i++)
		if (len && !reads[i])
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "compare: read %zu is NULL", i);
	size_t cap = 0;
	uint64_t run = UINT64_MAX;
	enum fwkit_status st = FWKIT_OK;
	size_t o = 0;
	while (o < len && st == FWKIT_OK) {
		size_t chunk = len - o < COMPARE_CHUNK ? len - o : COMPARE_CHUNK;
		bool same = true;
		for (size_t i = 1; i < nreads && same; i++)
			same = memcmp(reads[0] + o, reads[i] + o, chunk) == 0;
		if (same) {
			/* every read agrees on the whole chunk: a differing run ends at its start */
			if (run != UINT64_MAX) {
				st = ranges_push(ctx, &out->ranges, &cap, run, o - run);
				run = UINT64_MAX;
			}
			if (consensus)
				memcpy(consensus + o, reads[0] + o, chunk);
			o += chunk;
			continue;
		}
		for (size_t end = o + chunk; o < end && st == FWKIT_OK; o++) {
			bool differ = false;
			for (size_t i = 1; i < nreads && !differ; i++)
				differ = reads[i][o] != reads[0][o];
			if (differ) {
				if (!out->unstable++)
					out->first_unstable = o;
				if (run == UINT64_MAX)
					run = o;
			} else if (run != UINT64_MAX) {
				st = ranges_push(ctx, &out->ranges, &cap, run, o - run);
				run = UINT64_MAX;
			}
			if (consensus) {
				bool majority = true;
				consensus[o] = differ ? vote(reads, nreads, o, &majority) : reads[0][o];
				if (!majority && !out->no_majority++)
					out->first_no_majority = o;
			}
		}
	}
	if (st == FWKIT_OK && run != UINT64_MAX)
		st = ranges_push(ctx, &out->ranges, &cap, run, len - run);
	if (st != FWKIT_OK)
		fwkit_compare_result_free(out);
	else
		blank_reads(reads, nreads, len, consensus, out);
	return st;
}
