/*
 * Poray / HAME / Nexx factory images (what mkporayfw makes, what these routers' stock web UI
 * accepts): a 28-byte header (hardware id, firmware length, flags), the firmware XORed with a
 * 15-byte key chosen by the board, and a 16-bit checksum of the plain firmware, XORed too.
 * Facts: ../shared/reference/formats.md section 5 (openwrt/firmware-utils mkporayfw.c).
 */
#ifndef FWKIT_PORAY_H
#define FWKIT_PORAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

#define FWKIT_PORAY_HEADER_SIZE 28
#define FWKIT_PORAY_FLAGS 0x020E0000u

struct fwkit_poray_board {
	const char *name;      /* mkporayfw's -B id, e.g. "MPR-L8" (matched ignoring case) */
	uint32_t hw_id;        /* little-endian at offset 0: the bytes read as ASCII, e.g. "R3G2" */
	uint32_t max_file;     /* the layout's limit for the whole file: 4M 0x3C0000, 8M 0x7C0000 */
	unsigned key;          /* index of the XOR key (fwkit_poray_key_name) */
};

FWKIT_API size_t fwkit_poray_board_count(void);
FWKIT_API const struct fwkit_poray_board *fwkit_poray_board_get(size_t i);
/* The board called NAME (ignoring case), or NULL. */
FWKIT_API const struct fwkit_poray_board *fwkit_poray_board_find(const char *name);
FWKIT_API const char *fwkit_poray_key_name(unsigned key);

/* mkporayfw's checksum of the plain firmware (formats.md 5.4, signed 32-bit wrap included). */
FWKIT_API uint16_t fwkit_poray_checksum(const uint8_t *data, size_t len);

/*
 * Makes the factory file for BOARD from the firmware IN (LEN bytes), byte-identical to
 * `mkporayfw -B BOARD -f IN`. MAX_FILE 0: the board's own layout limit. *OUT is malloc'ed.
 * FWKIT_E_DOES_NOT_FIT when the result would exceed the limit ("too big by N bytes").
 */
FWKIT_API enum fwkit_status fwkit_poray_encode(struct fwkit_ctx *ctx, const struct fwkit_poray_board *board,
					       const uint8_t *in, size_t len, uint32_t max_file, uint8_t **out,
					       size_t *out_len);

struct fwkit_poray_info {
	uint32_t hw_id, firmware_len, flags;
	bool flags_ok;
	unsigned key;                        /* the key that decoded it */
	char boards[64];                     /* the boards that use this hardware id and key, e.g. "MPR-A1, MPR-L8" */
	uint16_t checksum_stored, checksum_computed;
	bool checksum_ok;
	bool uimage_ok;                      /* the decoded firmware starts with a uImage whose header CRC holds */
	size_t trailing;                     /* bytes after the checksum (0 in mkporayfw's output) */
};

/*
 * Reads a factory file: tries every key that a board with this hardware id uses, and keeps the
 * one whose decoded firmware has a good checksum and starts with a valid uImage (so MPR-A1 and
 * A5-V11 files, which share "R3G2", are both told apart). *PAYLOAD (malloc'ed, may be NULL when
 * not wanted) gets the decoded firmware. FWKIT_E_BAD_MAGIC (unknown hardware id, bad flags),
 * FWKIT_E_TRUNCATED (shorter than its header says), FWKIT_E_BAD_CHECKSUM (no key gives a good
 * checksum; INFO still describes the header).
 */
FWKIT_API enum fwkit_status fwkit_poray_decode(struct fwkit_ctx *ctx, const uint8_t *in, size_t len,
					       struct fwkit_poray_info *info, uint8_t **payload, size_t *payload_len);

#endif
