/*
 * Status codes and the error detail record.
 *
 * Every libfwkit call that can fail returns an enum fwkit_status and, on failure, fills the
 * context's error record (fwkit_ctx_error()): file, offset, what was expected and what was
 * found. The numbers are fixed and never renumbered; gaps are left for new codes in each family.
 * Verdicts about an image (bad CRC, truncated payload) are not errors: they are findings
 * (findings.h), returned as data by a call that succeeded.
 */
#ifndef FWKIT_STATUS_H
#define FWKIT_STATUS_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define FWKIT_API __attribute__((visibility("default")))
#else
#define FWKIT_API
#endif

enum fwkit_status {
	FWKIT_OK = 0,

	/* caller mistakes */
	FWKIT_E_INVALID_ARG = 10,
	FWKIT_E_NOMEM = 11,
	FWKIT_E_RANGE = 12, /* an index or count outside what the input holds */

	/* input files and the system */
	FWKIT_E_IO = 20,
	FWKIT_E_NOT_FOUND = 21,
	FWKIT_E_IS_DIRECTORY = 22,
	FWKIT_E_PERMISSION = 23,
	FWKIT_E_NOT_REGULAR = 24, /* a FIFO, device or socket where a regular file is needed */
	FWKIT_E_TOO_LARGE = 25,   /* larger than any flash fwkit knows (FWKIT_INPUT_MAX) */
	FWKIT_E_CHANGED = 26,     /* the file changed while it was being read */

	/* input content */
	FWKIT_E_TRUNCATED = 30,
	FWKIT_E_BAD_MAGIC = 31,
	FWKIT_E_BAD_CHECKSUM = 32,
	FWKIT_E_UNSUPPORTED = 33,
	FWKIT_E_CORRUPT = 34,
	FWKIT_E_MISMATCH = 35, /* a flash chip does not hold what was expected (backup, or a verify after writing) */

	/* refusals */
	FWKIT_E_DOES_NOT_FIT = 40,
	FWKIT_E_OUTPUT_REFUSED = 41, /* an output that is a symlink or a special file */
	FWKIT_E_CANCELLED = 42,      /* the caller's cancel callback asked to stop (between flash blocks) */
	FWKIT_E_NO_DEVICE = 43,      /* no flash programmer, or no chip on it */
	FWKIT_E_UNSAFE = 50,
};

#define FWKIT_ERROR_TEXT_MAX 320
#define FWKIT_ERROR_PATH_MAX 512

/* What went wrong, where. Fields that do not apply are empty strings, has_offset 0. */
struct fwkit_error {
	enum fwkit_status status;
	char file[FWKIT_ERROR_PATH_MAX];
	int has_offset;
	uint64_t offset;
	char what[FWKIT_ERROR_TEXT_MAX];     /* "uimage: bad magic" */
	char expected[FWKIT_ERROR_TEXT_MAX]; /* "0x27051956" */
	char found[FWKIT_ERROR_TEXT_MAX];    /* "0x00000000" */
	const char *src_file;                /* where in libfwkit the error was raised (debugging) */
	int src_line;
};

/* Short stable name of a status, e.g. "bad-magic". Never NULL. */
FWKIT_API const char *fwkit_status_name(enum fwkit_status status);

/*
 * Formats an error the way every fwkit message reads:
 *   "FILE: offset 0xOFF: WHAT: expected E, found F"
 * leaving out the parts that are empty. Writes at most size bytes including the NUL;
 * returns the length the full message needs (as snprintf).
 */
FWKIT_API size_t fwkit_error_format(const struct fwkit_error *err, char *buf, size_t size);

#endif
