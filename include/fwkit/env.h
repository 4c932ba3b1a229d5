/*
 * U-Boot environments inside flash dumps or as bare blobs: find them, read them, edit them
 * safely, and build them as mkenvimage does.
 *
 * Layout (U-Boot include/env_internal.h, tools/env/fw_env.c): a CRC-32 (zlib) in the target's
 * byte order, for redundant copies a flag byte, then "name=value\0...\0\0" and padding up to
 * the env size; the CRC covers the whole data area, padding included. Xiaomi's Bdata is the
 * same format. Breed marks its env with "ENV\0" instead of a CRC. See docs/formats/ubootenv.md.
 */
#ifndef FWKIT_ENV_H
#define FWKIT_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "findings.h"
#include "profile.h"
#include "range.h" /* struct fwkit_byte_range */

enum fwkit_env_kind {
	FWKIT_ENV_UBOOT = 0,     /* CRC-protected U-Boot environment */
	FWKIT_ENV_XIAOMI_BDATA,  /* the same format, holding Xiaomi board data (SN, model, ...) */
	FWKIT_ENV_BREED,         /* "ENV\0" marker, no CRC */
	FWKIT_ENV_TEXT_NO_CRC,   /* name=value\0 text with no CRC header (not loadable by U-Boot) */
};

enum fwkit_env_flag_scheme {
	FWKIT_ENV_FLAGS_NONE = 0, /* single copy */
	FWKIT_ENV_FLAGS_BOOLEAN,  /* 1 = active, 0 = obsolete (U-Boot env/flash.c on NOR) */
	FWKIT_ENV_FLAGS_COUNTER,  /* the newer copy has the higher serial (env/common.c) */
};

struct fwkit_env_block {
	uint64_t offset;          /* start of the block (its CRC, or the Breed marker) */
	uint64_t size;            /* env size: header + data area, as in fw_env.config */
	bool size_known;          /* false: no CRC matched, size is the smallest standard size that fits */
	enum fwkit_env_kind kind;
	bool redundant;           /* a flag byte follows the CRC */
	uint8_t flag;
	int copy;                 /* 0 or 1 within a redundant pair, -1 when unpaired */
	uint64_t other_offset;    /* the pair's other copy */
	bool active;              /* the copy U-Boot would load */
	enum fwkit_env_flag_scheme scheme;
	bool crc_big_endian;      /* the byte order the CRC matched in (little-endian on mipsel) */
	bool has_crc;
	uint32_t crc_stored;
	uint32_t crc_computed;
	bool crc_ok;
	uint64_t data_offset;     /* first variable byte */
	uint64_t data_size;       /* the area the CRC covers */
	uint64_t used;            /* variable bytes including the closing double NUL */
	int pad_byte;             /* the byte after the terminator (0xFF, 0x00), -1 when none */
	size_t nvars;
};

#define FWKIT_ENV_MAX_BLOCKS 32

struct fwkit_env_scan {
	size_t count;
	struct fwkit_env_block blocks[FWKIT_ENV_MAX_BLOCKS];
};

/*
 * Finds every environment block in BUF: U-Boot envs (size found by CRC over candidate sizes,
 * both byte orders, single or redundant), Xiaomi Bdata, Breed envs, and env-like text without
 * a CRC. A bare blob (a file that is just one env) is found with its size = the file's size.
 * Never fails on content; FWKIT_E_INVALID_ARG only for a NULL argument.
 */
FWKIT_API enum fwkit_status fwkit_env_find(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					   struct fwkit_env_scan *out);

/*
 * Describes the block at OFFSET. SIZE 0: find the size by CRC (as fwkit_env_find does at that
 * offset). Errors: FWKIT_E_RANGE (offset or size past the end), FWKIT_E_TRUNCATED (block
 * shorter than a header), FWKIT_E_BAD_MAGIC (nothing env-like there).
 */
FWKIT_API enum fwkit_status fwkit_env_block_at(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					       uint64_t offset, uint64_t size, struct fwkit_env_block *out);

/*
 * The block `fwkit env list/get/set` use when no offset is given (src/devices/env_select.c).
 * The device: DEVICE, else the clear best candidate of fwkit_identify over the built-in profiles
 * and EXTRA (a lone one, one with a higher score, or a runner-up with the same flash layout);
 * it counts only when LEN is its flash size (a whole dump) and it names a partition for the
 * U-Boot env (an env location that is not Bdata, else a partition of content u-boot-env).
 * With such a device: the first U-Boot env inside that partition; a block found only elsewhere
 * (Xiaomi Bdata inside factory, a Breed env, text without a CRC) is never taken: FWKIT_E_UNSAFE
 * at the expected offset, expected "a U-Boot env in partition config at 0x20000", found naming
 * each block, its partition, and the --at that takes one anyway (EDIT = !ANY_KIND: one fwkit
 * edits). Without a device: the first U-Boot env found, else the first Bdata, else with ANY_KIND
 * the first block of any kind. Of a redundant pair, the active copy. *USED (may be NULL) gets the
 * device the rule used, NULL for none. Errors: FWKIT_E_NOT_FOUND (no block), FWKIT_E_UNSAFE,
 * FWKIT_E_INVALID_ARG (a NULL argument, a DEVICE that fails its selfcheck), FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_env_default(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					      const struct fwkit_profile *device, const struct fwkit_profile *extra,
					      size_t nextra, bool any_kind, struct fwkit_env_block *out,
					      const struct fwkit_profile **used);

struct fwkit_env_var {
	const char *name;   /* points into the input; not NUL-terminated at name_len */
	size_t name_len;
	const char *value;
	size_t value_len;
	uint64_t offset;    /* absolute offset of the entry */
};

struct fwkit_env_vars {
	size_t count;
	struct fwkit_env_var *items; /* malloc'ed; free with fwkit_env_vars_free */
	bool terminated;             /* the list ended with an empty string (double NUL) */
	size_t malformed;            /* entries without '=' (skipped) */
};

/* The variables of BLOCK, in stored order. The pointers point into BUF. */
FWKIT_API enum fwkit_status fwkit_env_vars(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					   const struct fwkit_env_block *block, struct fwkit_env_vars *out);
FWKIT_API void fwkit_env_vars_free(struct fwkit_env_vars *vars);

/* One edit: set NAME to VALUE, or delete NAME when VALUE is NULL. */
struct fwkit_env_edit {
	const char *name;
	const char *value;
};

#define FWKIT_ENV_MAX_RANGES 16

struct fwkit_env_change {
	size_t nranges;                       /* byte ranges of BUF that differ afterwards */
	struct fwkit_byte_range ranges[FWKIT_ENV_MAX_RANGES];
	uint64_t written_offset;              /* the copy that was written */
	uint8_t new_flag;                     /* for redundant pairs */
	uint64_t needed;                      /* bytes the new variable list needs */
	uint64_t capacity;                    /* bytes the data area holds */
};

/*
 * Applies EDITS to the env BLOCK inside BUF (the caller's writable copy of the whole input).
 * REPLACE: the result holds only the variables set by EDITS (import); otherwise existing
 * variables keep their order, changed ones their place, new ones are appended.
 * Only bytes inside the block (and, for a redundant pair, its partner's flag byte) change. The CRC
 * is recomputed in the block's own byte order; padding keeps the block's pad byte. A redundant
 * pair is written the way U-Boot writes it: into the copy that is not active, which becomes active.
 * BLOCK is checked against BUF before anything is written: the block is probed again at its
 * offset with its size, and one whose kind, size, header (redundant), data_offset, data_size or
 * CRC byte order differ from what BUF holds there is refused; its CRC state is taken from BUF, not
 * from BLOCK. A redundant partner (other_offset) is probed the same way and must not overlap it.
 * Errors: FWKIT_E_INVALID_ARG (bad name or value, a NULL argument, a BLOCK that does not describe
 * the bytes at its offset, overlapping copies), FWKIT_E_RANGE (BLOCK past the end of BUF),
 * FWKIT_E_DOES_NOT_FIT ("needs N bytes, block holds M"), FWKIT_E_BAD_CHECKSUM (the block's CRC is
 * already bad and REPAIR is false), FWKIT_E_UNSUPPORTED (a block kind that cannot be written).
 */
FWKIT_API enum fwkit_status fwkit_env_apply(struct fwkit_ctx *ctx, uint8_t *buf, size_t len,
					    const struct fwkit_env_block *block, const struct fwkit_env_edit *edits,
					    size_t nedits, bool replace, bool repair, struct fwkit_env_change *change);

/* Checks a variable name and value as fwkit_env_apply would; FWKIT_E_INVALID_ARG with a reason. */
FWKIT_API enum fwkit_status fwkit_env_check_var(struct fwkit_ctx *ctx, const char *name, size_t name_len,
						const char *value, size_t value_len);

/*
 * mkenvimage's text parser: one name=value per line, empty lines and lines starting with '#'
 * skipped, a backslash before a newline continues the value with an embedded newline; each line
 * ends in NUL and the list with a second NUL. Writes at most CAP bytes to OUT and sets *USED.
 * FWKIT_E_DOES_NOT_FIT when the text needs more than CAP bytes.
 */
FWKIT_API enum fwkit_status fwkit_env_text_parse(struct fwkit_ctx *ctx, const uint8_t *text, size_t text_len,
						 uint8_t *out, size_t cap, size_t *used);

struct fwkit_env_build_params {
	uint64_t size;        /* whole blob */
	bool redundant;       /* add a flag byte (value 1), as mkenvimage -r */
	bool big_endian;      /* CRC big-endian, as mkenvimage -b */
	uint8_t pad;          /* fill byte, 0xFF by default in mkenvimage */
	const uint8_t *text;  /* mkenvimage input text */
	size_t text_len;
};

/* Builds a blob byte-identical to mkenvimage's. *OUT is malloc'ed, the caller frees it. */
FWKIT_API enum fwkit_status fwkit_env_build(struct fwkit_ctx *ctx, const struct fwkit_env_build_params *p,
					    uint8_t **out, size_t *out_len);

FWKIT_API const char *fwkit_env_kind_name(enum fwkit_env_kind kind);
FWKIT_API const char *fwkit_env_scheme_name(enum fwkit_env_flag_scheme scheme);

#endif
