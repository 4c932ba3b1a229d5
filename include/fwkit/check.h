/*
 * check: the offline "will this brick my router?". An image, a device profile and the path the
 * image takes to the flash (a method of the profile: sysupgrade, the bootloader's TFTP, Breed's
 * web page, the stock web UI, mtd write, a programmer) give a verdict with every rule that was
 * applied, each with its reason, its fix and where the rule comes from (docs/check.md).
 */
#ifndef FWKIT_CHECK_H
#define FWKIT_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "node.h"
#include "profile.h"

enum fwkit_verdict {
	FWKIT_VERDICT_SAFE = 0,   /* every rule passed */
	FWKIT_VERDICT_RISKY,      /* warnings: it may work; the reasons say what to make sure of */
	FWKIT_VERDICT_WILL_BRICK, /* a blocking rule failed: do not write this this way */
};

/* The methods of `--via` (a profile's recovery kinds; "uboot-tftp" is both TFTP kinds). */
enum fwkit_method {
	FWKIT_VIA_SYSUPGRADE = 0,
	FWKIT_VIA_UBOOT_TFTP,
	FWKIT_VIA_BREED_WEB,
	FWKIT_VIA_VENDOR_WEB,
	FWKIT_VIA_MTD_WRITE,
	FWKIT_VIA_FLASHROM,
};

struct fwkit_check_request {
	const struct fwkit_profile *device;      /* required; selfchecked first */
	enum fwkit_method via;
	bool force;                              /* sysupgrade -F: skips the board check on the router */
	const uint8_t *dump;                     /* the user's own backup of this device, or NULL */
	size_t dump_len;
	const struct fwkit_profile *extra;       /* the caller's own profiles, for identification */
	size_t nextra;
	unsigned may_change;                     /* bits 1 << enum fwkit_part_content: partitions of a
						  * whole-chip image that may differ from the backup
						  * (a MAC edit changes factory) */
};

/*
 * Checks IMAGE (LEN bytes) for REQ. *OUT is a node "check" with the fields device, method,
 * image (what identify says the file is), size, limit (bytes the path can write), verdict
 * (enum), and one child "rule" per rule applied: code, result (pass/warn/fail), message, fix,
 * source, inferred (the rule is not documented behaviour). Failed and warned rules are also
 * findings of the root (codes "check.<rule>"). A file that cannot be read as anything gives a
 * will-brick verdict, not an error. Errors: FWKIT_E_INVALID_ARG (no device, a profile that
 * fails the selfcheck, a method the profile does not have: the message lists those it has),
 * FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_check(struct fwkit_ctx *ctx, const uint8_t *image, size_t len,
					const struct fwkit_check_request *req, struct fwkit_node **out);

/*
 * A Poray factory file (FILE, LEN bytes) for the stock web UI of BOARD (mkporayfw's -B name):
 * fwkit_check --via vendor-web for every profile (EXTRA, then the built-in ones) whose web UI
 * takes BOARD's files. *OUT is the result with the best verdict (a board whose devices differ,
 * e.g. in flash size, is safe when one of them takes it), or NULL when no profile names BOARD.
 */
FWKIT_API enum fwkit_status fwkit_check_poray_board(struct fwkit_ctx *ctx, const uint8_t *file, size_t len,
						    const char *board, const struct fwkit_profile *extra, size_t nextra,
						    struct fwkit_node **out);

/* The verdict stored in a result of fwkit_check (WILL_BRICK for anything else). */
FWKIT_API enum fwkit_verdict fwkit_check_verdict(const struct fwkit_node *result);
FWKIT_API const char *fwkit_verdict_name(enum fwkit_verdict v);

/* "sysupgrade", "uboot-tftp", "breed-web", "vendor-web", "mtd-write", "flashrom". */
FWKIT_API const char *fwkit_method_name(enum fwkit_method m);
FWKIT_API bool fwkit_method_parse(const char *name, enum fwkit_method *out);
/* The profile's entry for method M (the first one), or NULL when the device has no such path. */
FWKIT_API const struct fwkit_recovery *fwkit_profile_method(const struct fwkit_profile *p, enum fwkit_method m);

#endif
