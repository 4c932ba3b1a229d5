/*
 * scan: every validated instance of every format in a buffer, found through the format table,
 * nested by extent (a stream inside a uImage is its child), as a node tree (node.h).
 * A hit is reported only when its probe verified more than its magic. Bytes inside a compressed
 * stream or a file system are that format's data: other "hits" there are noise and are dropped
 * (counted in the root's "suppressed" field). --deep decodes streams (within the context's
 * decompression limit) and scans what comes out; those children's offsets are offsets in the
 * decoded data, and the stream node says so ("decoded_size").
 */
#ifndef FWKIT_SCAN_H
#define FWKIT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "node.h"
#include "profile.h"

struct fwkit_scan_options {
	bool deep;          /* decode compressed streams and scan their contents */
	int min_bits;       /* report only hits whose probe verified at least this many bits (0: each format's own minimum) */
	unsigned max_depth; /* levels of decoded data to descend into (0: 4) */
};

/* Scans BUF; *OUT is a node "file" (offset 0, size LEN) whose children are the hits. */
FWKIT_API enum fwkit_status fwkit_scan(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				       const struct fwkit_scan_options *opts, struct fwkit_node **out);

/* The names of the formats in the table, one per call (NULL past the end), with a one-line summary. */
FWKIT_API const char *fwkit_format_name(size_t i, const char **summary);

/* ---- identify: what is this file? ------------------------------------------------------- */

enum fwkit_file_kind {
	FWKIT_KIND_UNKNOWN = 0,
	FWKIT_KIND_FLASH_DUMP,     /* a whole chip read: the size of a flash chip, a bootloader at 0 */
	FWKIT_KIND_PARTITION,      /* one partition read alone: bootloader, env, factory/EEPROM, firmware */
	FWKIT_KIND_FIRMWARE_IMAGE, /* what a bootloader or sysupgrade takes: a kernel image (+ rootfs) */
};

FWKIT_API const char *fwkit_file_kind_name(enum fwkit_file_kind kind);

/*
 * Says what BUF is, with the evidence: a node "identify" with the fields kind (enum),
 * size, and by kind: flash_size and device (the best profile among the built-ins and EXTRA,
 * with score and same-layout alternatives); partition (bootloader, u-boot-env, bdata,
 * factory, firmware) and device when the content names one; image (uimage-kernel,
 * openwrt-sysupgrade), board_model and board_compatible from the image's own device tree,
 * and devices (the profiles whose compatible matches). Its children are scan's top-level hits.
 */
FWKIT_API enum fwkit_status fwkit_identify_file(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
						const struct fwkit_profile *extra, size_t nextra, struct fwkit_node **out);

#endif
