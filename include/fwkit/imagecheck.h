/*
 * Is a file fit to hand to a bootloader (served by TFTP, written to flash)? The format table says
 * which firmware image it starts with (by the format's magic, so a damaged header still counts);
 * that format's describe must give no blocking (error) finding: for a uImage a complete header,
 * both CRCs good, the payload whole; for a Poray file a good checksum. Other files pass: fwkit
 * cannot judge them, and says so by an empty format.
 */
#ifndef FWKIT_IMAGECHECK_H
#define FWKIT_IMAGECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "findings.h"

#define FWKIT_IMAGE_CHECK_WHY_MAX 512

/* About 12.6 KB (it holds a struct fwkit_findings): allocate it on the heap. */
struct fwkit_image_check {
	bool is_uimage;       /* BUF starts with the uImage magic 0x27051956 */
	char format[24];      /* the firmware-image format of the table BUF starts with ("uimage", "poray",
			       * "netgear-dni"), or "" */
	bool header_complete; /* the 64-byte header is all there (false: cut short, not a verdict on CRCs) */
	bool ok;              /* nothing blocks it: not a uImage, or a whole uImage without an error finding */
	uint64_t offset;      /* where the blocking problem is, when !ok */
	/* the blocking problem in one line, when !ok: "offset 0x40: MESSAGE: expected E, found F"
	 * (the parts that are empty left out) or "truncated uImage header" */
	char why[FWKIT_IMAGE_CHECK_WHY_MAX];
	struct fwkit_findings findings; /* all of the image's findings, every severity */
};

/*
 * Checks BUF (LEN bytes) as the image `fwkit serve` is about to serve. Never fails on content: the
 * verdict is OUT->ok. Errors: FWKIT_E_INVALID_ARG (NULL OUT, or NULL BUF with LEN > 0),
 * FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_image_check(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					      struct fwkit_image_check *out);

#endif
