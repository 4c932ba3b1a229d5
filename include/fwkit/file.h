/*
 * Input files and safe output.
 *
 * Inputs are read whole into a private copy (never memory-mapped: a mapping dies of SIGBUS when
 * the file's owner truncates it, and changes under the reader) and never modified. Only regular
 * files are read unless the caller asks for a stream; a FIFO or a device is refused at open,
 * without blocking. Inputs larger than FWKIT_INPUT_MAX are refused before a byte is read.
 *
 * Outputs are written atomically: a temporary file in the target's folder, fsync, rename over the
 * target, fsync of the folder. A crash leaves either the old file or the new one, never half of
 * each. An output that is a symlink or a special file is refused (FWKIT_E_OUTPUT_REFUSED).
 */
#ifndef FWKIT_FILE_H
#define FWKIT_FILE_H

#include <stdint.h>
#include <stddef.h>
#include "context.h"

struct fwkit_file;

/* The largest input read: 512 MiB, twice the largest SPI NOR chip (256 MiB) and the size of the
 * NAND chips in the routers fwkit knows. A 4 GiB (often sparse) file is refused up front. */
#define FWKIT_INPUT_MAX (512ull * 1024 * 1024)

enum fwkit_open_flags {
	FWKIT_OPEN_STREAM = 1u << 0, /* also read a pipe or character device (standard input), up to FWKIT_INPUT_MAX */
};

/*
 * Opens PATH and reads it whole. On success *out is a handle the caller frees with
 * fwkit_file_close(). Errors: FWKIT_E_NOT_FOUND, FWKIT_E_IS_DIRECTORY, FWKIT_E_PERMISSION,
 * FWKIT_E_NOT_REGULAR (a FIFO, device or socket, unless FWKIT_OPEN_STREAM), FWKIT_E_TOO_LARGE,
 * FWKIT_E_CHANGED (the file grew or shrank while it was read), FWKIT_E_NOMEM, FWKIT_E_IO.
 * An empty file opens fine, with size 0.
 */
FWKIT_API enum fwkit_status fwkit_file_open_ex(struct fwkit_ctx *ctx, const char *path, unsigned flags,
					       struct fwkit_file **out);
/* fwkit_file_open_ex with no flags: regular files only. */
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

enum fwkit_write_flags {
	FWKIT_WRITE_FOLLOW = 1u << 0, /* PATH may be a symlink: write the regular file it points at */
};

/*
 * Writes the parts to PATH atomically (temp file, fsync, rename, fsync folder).
 * - PATH must be a regular file or not exist: a symlink is refused unless FWKIT_WRITE_FOLLOW, a
 *   FIFO, device, socket or folder always (FWKIT_E_OUTPUT_REFUSED); nothing is written then.
 * - Replacing a file keeps its mode, owner and group. A file with several hard links, or one
 *   whose owner this process cannot give back, is not replaced but rewritten in place from the
 *   fsync'ed temporary copy, so every link sees the new bytes; if that copy-back fails, the error
 *   names the temporary file that holds the complete new content.
 * - The temporary file is named ".NAME.fwkit-tmp-PID-XXXXXX" beside PATH. SIGINT, SIGTERM, SIGHUP
 *   and SIGQUIT are held while it exists (delivered once it is renamed or removed), and every
 *   write first removes such files left by processes that no longer run (after kill -9).
 */
FWKIT_API enum fwkit_status fwkit_write_atomic_ex(struct fwkit_ctx *ctx, const char *path,
						  const struct fwkit_iovec *parts, size_t nparts, unsigned flags);
/* fwkit_write_atomic_ex with no flags. */
FWKIT_API enum fwkit_status fwkit_write_atomic(struct fwkit_ctx *ctx, const char *path,
					       const struct fwkit_iovec *parts, size_t nparts);

#endif
