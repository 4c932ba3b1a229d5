/*
 * extract: bytes out of a file, by partition, by scan node, or all of them into a folder tree.
 *
 * - A partition of a whole flash dump, by its name in the device's profile.
 * - One node of the scan tree by its path ("0x180000", "0x180000/lzma", "0x0/0x40/0x3fac0c"): each
 *   component is a node's offset as scan prints it (in the file, or in the decoded data of the
 *   stream above it) or its format name (the first such child). A stream node gives its decoded
 *   bytes, any other node its bytes [offset, offset + size).
 * - Every node into a folder DIR (empty or new): one folder per node, "0x%08llx.FORMAT", nested as
 *   the tree is, holding data.bin (the node's bytes), decoded.bin (a stream's decoded bytes) and,
 *   with FS, a squashfs's files under fs/ with fs.list (every entry, symlinks with their target).
 *   Everything is created below DIR relative to folder descriptors (openat, O_NOFOLLOW, O_EXCL):
 *   no path from an image is ever joined or followed, names from an image are escaped.
 * All decompression draws on the context's decompression budget (codec.h).
 */
#ifndef FWKIT_EXTRACT_H
#define FWKIT_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "node.h"
#include "profile.h"

/*
 * The partition NAME of the flash dump BUF/LEN. DEVICE: a profile id (among the built-ins and
 * EXTRA); NULL: the device fwkit_identify_file names. Refuses a file whose size is not the device's
 * flash size, an unknown device, an unknown partition (FWKIT_E_DOES_NOT_FIT, FWKIT_E_NOT_FOUND,
 * with expected/found). On success *OFFSET and *SIZE give the range and *PROFILE the device.
 */
FWKIT_API enum fwkit_status fwkit_extract_partition(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
						    const char *device, const struct fwkit_profile *extra, size_t nextra,
						    const char *name, uint64_t *offset, uint64_t *size,
						    const struct fwkit_profile **profile);

/*
 * The bytes of the scan node at PATH in BUF/LEN, as a malloc'ed *OUT (*OUT_LEN bytes; freed by the
 * caller; an empty result is a 1-byte allocation). *FORMAT (optional) gets the node's format name,
 * which stays valid. Errors: FWKIT_E_NOT_FOUND (no such node: expected names what there is),
 * FWKIT_E_INVALID_ARG (a malformed path), FWKIT_E_CORRUPT (a stream that does not decode),
 * FWKIT_E_TOO_LARGE (the decompression budget stopped it).
 */
FWKIT_API enum fwkit_status fwkit_extract_node(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *path,
					       uint8_t **out, size_t *out_len, const char **format);

struct fwkit_extract_options {
	bool deep;    /* scan inside decoded streams and extract what is found there too */
	bool fs;      /* unpack squashfs file systems (regular files and folders; symlinks only listed) */
	bool dry_run; /* write nothing: only say what would be written (DIR may then be NULL) */
};

/*
 * Extracts every node of BUF/LEN into DIR (which must not exist, or be an empty folder; a symlink is
 * refused). *OUT is a node "extract" with the fields dir, files, folders, bytes, symlinks_listed,
 * skipped, and one child "output" per file written (fields path, relative to DIR, and size; offset
 * and size are the source node's). Streams the budget stopped and entries that could not be
 * created are findings on *OUT, not errors.
 */
FWKIT_API enum fwkit_status fwkit_extract_all(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *dir,
					      const struct fwkit_extract_options *opts, struct fwkit_node **out);

#endif
