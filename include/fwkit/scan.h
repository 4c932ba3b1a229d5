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

#endif
