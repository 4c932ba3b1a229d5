/*
 * Comparing whole flash dumps: which erase blocks differ between two images of one chip (what
 * flashrom needs to write, `fwkit layout --changed-against`), and whether several reads of one
 * chip agree, with their byte-wise majority (`fwkit compare`).
 */
#ifndef FWKIT_DUMP_H
#define FWKIT_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "findings.h"
#include "profile.h"
#include "range.h"

/*
 * The erase blocks where A and B (LEN bytes each) differ, as merged ranges: BUF is cut into
 * blocks of ERASE_SIZE bytes from offset 0 (the last may be shorter), and every run of
 * consecutive differing blocks is one range [offset, offset + length), the last one ending at
 * LEN. No range when A and B are equal. OUT->items is malloc'ed (fwkit_ranges_free).
 * Errors: FWKIT_E_INVALID_ARG (ERASE_SIZE 0, a NULL argument), FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_layout_changed_blocks(struct fwkit_ctx *ctx, const uint8_t *a, const uint8_t *b,
							size_t len, uint64_t erase_size, struct fwkit_ranges *out);

struct fwkit_compare_result {
	struct fwkit_ranges ranges; /* runs of bytes where the reads do not all agree, in order */
	uint64_t unstable;          /* bytes where they do not all agree */
	uint64_t first_unstable;    /* offset of the first such byte (0 when none) */
	uint64_t no_majority;       /* with a consensus: bytes no value holds in more than half the reads */
	uint64_t first_no_majority; /* offset of the first such byte (0 when none) */
	struct fwkit_findings findings; /* an error "compare.blank" when reads that agree (or their
					 * majority) hold only 0xFF or only 0x00: no contact, or an erased chip */
};

/*
 * Compares NREADS (at least 2) reads of LEN bytes each, byte by byte. CONSENSUS (LEN bytes, may
 * be NULL) gets the byte-wise majority: the value more than half of the reads hold; where no value
 * does, the most common value (the earliest read's among equals) is written and the byte is
 * counted in no_majority (a consensus with no_majority > 0 is not to be trusted). Reads that all
 * agree, or a consensus, holding nothing but 0xFF or nothing but 0x00 get the error finding
 * "compare.blank" (what a clip without contact reads; an agreement of such reads proves nothing).
 * Free OUT with
 * fwkit_compare_result_free. Errors: FWKIT_E_INVALID_ARG (fewer than two reads, a NULL argument),
 * FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_compare_reads(struct fwkit_ctx *ctx, const uint8_t *const *reads, size_t nreads,
						size_t len, uint8_t *consensus, struct fwkit_compare_result *out);
FWKIT_API void fwkit_compare_result_free(struct fwkit_compare_result *r);

/*
 * Is BUF a whole read of a device's flash, and if it grew or shrank, where? The structures a
 * profile places (each env block with a good CRC, each Wi-Fi EEPROM's chip id, the firmware's
 * uImage header) are looked for where the profile puts them and LEN - flash size bytes further:
 * the bytes were inserted or deleted between the last structure in place and the first that
 * moved; when every structure inside LEN is in place, the read ends early. DEVICE NULL: the
 * built-in profiles and EXTRA are tried, and the one with the most structures found is named.
 */
struct fwkit_dump_fit {
	const struct fwkit_profile *device; /* whose structures these are; NULL when none are found */
	int64_t delta;                      /* LEN minus the device's flash size */
	unsigned in_place, moved;           /* structures found where the profile puts them / DELTA further */
	bool cut;                           /* shorter, every structure inside it in place: the read ends early */
	uint64_t after, before;             /* the edit lies in [after, before) (when moved > 0) */
	char where[240];                    /* one line: what moved or where the read ends */
};
FWKIT_API enum fwkit_status fwkit_dump_fit(struct fwkit_ctx *ctx, const struct fwkit_profile *device, const uint8_t *buf,
					   size_t len, const struct fwkit_profile *extra, size_t nextra,
					   struct fwkit_dump_fit *out);

#endif
