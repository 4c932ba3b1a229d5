/*
 * Input files and safe output.
 *
 * Inputs are memory-mapped read-only (or read whole when mapping is impossible) and never
 * modified. Outputs are written atomically: a temporary file in the target's folder, fsync,
 * rename over the target, fsync of the folder. A crash leaves either the old file or the new
 * one, never half of each.
 */
#ifndef FWKIT_FILE_H
#define FWKIT_FILE_H

#include <stdint.h>
#include <stddef.h>
#include "context.h"

struct fwkit_file;

/*
 * Opens PATH read-only. On success *out is a handle the caller frees with fwkit_file_close().
 * Errors: FWKIT_E_NOT_FOUND, FWKIT_E_IS_DIRECTORY, FWKIT_E_PERMISSION, FWKIT_E_IO.
 * An empty file opens fine, with size 0.
 */
FWKIT_API enum fwkit_status fwkit_file_open(struct fwkit_ctx *ctx, const char *path, struct fwkit_file **out);
FWKIT_API void fwkit_file_close(struct fwkit_file *file);
/* The bytes (valid until close; NULL when the size is 0), their count, and the path given. */
FWKIT_API const uint8_t *fwkit_file_data(const struct fwkit_file *file);
FWKIT_API size_t fwkit_file_size(const struct fwkit_file *file);
FWKIT_API const char *fwkit_file_path(const struct fwkit_file *file);

/*
 * A chunked output being assembled in memory, then committed atomically.
 * Parts are appended in order; commit writes them all or nothing.
 */
struct fwkit_iovec {
	const void *data;
	size_t len;
};

/* Writes the parts to PATH atomically (temp file, fsync, rename, fsync folder). */
FWKIT_API enum fwkit_status fwkit_write_atomic(struct fwkit_ctx *ctx, const char *path,
					       const struct fwkit_iovec *parts, size_t nparts);

#endif
