/*
 * The flash chip itself, through a programmer (a CH341A on a clip, or flashrom's dummy
 * programmer in tests): probe it, read it, and write only the erase blocks that differ between
 * the user's backup and a new image, after reading them back to confirm the chip still holds the
 * backup there, then verify what was written.
 *
 * The access itself is libflashrom's (Debian's libflashrom-dev); the one file that includes
 * libflashrom.h is src/flash/flashrom.c. fwkit builds without it (cmake -DFWKIT_WITH_FLASHROM=OFF,
 * or libflashrom-dev absent): then fwkit_flash_backend() is NULL and every call that touches a
 * chip returns FWKIT_E_UNSUPPORTED. The planning calls (fwkit_flash_plan) work either way.
 *
 * libflashrom drives one programmer at a time, so one struct fwkit_flash may be open at a time.
 */
#ifndef FWKIT_FLASH_H
#define FWKIT_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

/* What the programmer found. */
struct fwkit_flash_chip {
	char vendor[32];
	char name[64];      /* flashrom's name, "W25Q128.V" */
	uint64_t size;      /* bytes */
	char bus[32];       /* "SPI" */
	/* every chip definition the probe matched, comma separated (more than one: fwkit_flash_open
	 * refuses and asks for the chip's name) */
	size_t nmatches;
	char matches[320];
};

enum fwkit_flash_op {
	FWKIT_FLASH_OP_READ = 0, /* reading the chip (fwkit_flash_read) */
	FWKIT_FLASH_OP_CONFIRM,  /* reading the blocks to be written, to compare with the backup */
	FWKIT_FLASH_OP_WRITE,    /* erasing and writing blocks */
	FWKIT_FLASH_OP_VERIFY,   /* reading written blocks back */
};

struct fwkit_flash_callbacks {
	/* after each block of OP: DONE of TOTAL bytes (the caller draws a bar, prints JSON lines) */
	void (*progress)(void *user, enum fwkit_flash_op op, uint64_t done, uint64_t total);
	/* asked before each block: true stops there (a Ctrl-C); never in the middle of a block */
	bool (*cancel)(void *user);
	/* libflashrom's messages up to LOG_LEVEL (0 error .. 5 spew, flashrom's levels), one line each */
	void (*log)(void *user, int level, const char *line);
	int log_level;
	void *user;
};

struct fwkit_flash;

/* "libflashrom 1.3.0 (...)" when built in, else NULL. */
FWKIT_API const char *fwkit_flash_backend(void);

/*
 * Initialises PROGRAMMER ("NAME" or "NAME:PARAMS", as flashrom -p) and probes for a chip (CHIP:
 * flashrom's name of it, as -c; NULL probes for all). CB may be NULL. Errors: FWKIT_E_UNSUPPORTED
 * (not built in), FWKIT_E_NO_DEVICE (the programmer does not start: not connected, unknown name;
 * or no chip answers: the clip, pin 1), FWKIT_E_INVALID_ARG (several chip definitions match: the
 * error names them; give CHIP), FWKIT_E_IO (another failure), FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_flash_open(struct fwkit_ctx *ctx, const char *programmer, const char *chip,
					     const struct fwkit_flash_callbacks *cb, struct fwkit_flash **out);
FWKIT_API const struct fwkit_flash_chip *fwkit_flash_chip_info(const struct fwkit_flash *f);
/* Shuts the programmer down (the dummy programmer writes its image file here). NULL is fine. */
FWKIT_API void fwkit_flash_close(struct fwkit_flash *f);

/*
 * Reads [OFFSET, OFFSET + LENGTH) of the chip into IMAGE at the same offsets; IMAGE_LEN must be the
 * chip's size. Reads 64 KiB at a time, reporting progress and asking cancel between them.
 * Errors: FWKIT_E_RANGE, FWKIT_E_IO, FWKIT_E_CANCELLED, FWKIT_E_UNSUPPORTED.
 */
FWKIT_API enum fwkit_status fwkit_flash_read(struct fwkit_ctx *ctx, struct fwkit_flash *f, uint64_t offset,
					     uint64_t length, uint8_t *image, size_t image_len);

/*
 * Reads [OFFSET, OFFSET + LENGTH) back and compares it with IMAGE (the chip's size). A difference:
 * FWKIT_E_MISMATCH, the error's offset the first differing byte, and *BAD_OFFSET (may be NULL) too.
 */
FWKIT_API enum fwkit_status fwkit_flash_verify(struct fwkit_ctx *ctx, struct fwkit_flash *f, const uint8_t *image,
					       size_t image_len, uint64_t offset, uint64_t length, uint64_t *bad_offset);

enum fwkit_flash_block_state {
	FWKIT_BLOCK_OLD = 0,  /* not touched: holds the backup's bytes */
	FWKIT_BLOCK_WRITING,  /* erase or write started and did not finish: neither old nor new */
	FWKIT_BLOCK_NEW,      /* written and verified */
	FWKIT_BLOCK_BAD,      /* written, and the read-back differs from the new image */
};

struct fwkit_flash_block {
	uint64_t offset, length;  /* one erase block */
	bool bootloader;          /* inside a bootloader partition: written last */
	enum fwkit_flash_block_state state;
	uint64_t bad_offset;      /* first differing byte, when BAD */
};

struct fwkit_flash_plan {
	size_t count;
	struct fwkit_flash_block *blocks; /* in the order they are written: bootloader blocks last */
	uint64_t erase_size;
	size_t bootloader_blocks;
	uint64_t bytes;                   /* bytes in all blocks */
};

/*
 * The erase blocks (ERASE_SIZE, a power of two) where OLD and NEW (LEN bytes each) differ, one
 * block each, in write order: those below BOOTLOADER_END (the end of the bootloader partitions,
 * 0: none) last, so that an interrupted write leaves the bootloader whole. Free with
 * fwkit_flash_plan_free. Errors: FWKIT_E_INVALID_ARG, FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_flash_plan(struct fwkit_ctx *ctx, const uint8_t *old, const uint8_t *new_image,
					     size_t len, uint64_t erase_size, uint64_t bootloader_end,
					     struct fwkit_flash_plan *out);
FWKIT_API void fwkit_flash_plan_free(struct fwkit_flash_plan *plan);

/*
 * Writes PLAN: first reads every planned block and compares it with OLD (all of them, before
 * anything is erased; a block that holds neither OLD nor NEW is FWKIT_E_MISMATCH "the chip does
 * not hold the backup", nothing written; one that holds NEW already, as after a stopped write run
 * again, is marked new and skipped); then for each block in order: asks cancel, erases and writes it (flashrom
 * erases only the sectors inside that need it), reads it back and compares with NEW. Each block's
 * state says where it stands, also after an error or a cancel. LEN must be the chip's size.
 * Errors: FWKIT_E_MISMATCH (backup or verify, the error's offset the first differing byte),
 * FWKIT_E_CANCELLED, FWKIT_E_IO (the write failed), FWKIT_E_RANGE, FWKIT_E_UNSUPPORTED.
 */
FWKIT_API enum fwkit_status fwkit_flash_write(struct fwkit_ctx *ctx, struct fwkit_flash *f, const uint8_t *old,
					      const uint8_t *new_image, size_t len, struct fwkit_flash_plan *plan);

FWKIT_API const char *fwkit_flash_block_state_name(enum fwkit_flash_block_state s);

#endif
