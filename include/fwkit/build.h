/*
 * A new full flash image from the user's own backup (`fwkit build`, and the edits `fwkit flash
 * env set | mac set` make on a chip): the backup with a firmware written into the firmware
 * partition, optionally a bootloader, env edits and MACs. Everything is checked before the caller
 * writes a byte: the backup is a dump of the device, the firmware an intact image for this device
 * that fits, the bootloader one for this SoC that fits; afterwards the partitions that must not
 * change (factory, Bdata) are compared with the backup. The result is always the chip's size.
 */
#ifndef FWKIT_BUILD_H
#define FWKIT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "env.h"
#include "profile.h"

struct fwkit_build_params {
	const struct fwkit_profile *profile;  /* the device (required) */
	const uint8_t *firmware;              /* NULL: the firmware partition is kept */
	size_t firmware_len;
	const uint8_t *bootloader;            /* NULL: the bootloader is kept */
	size_t bootloader_len;
	const struct fwkit_env_edit *env;     /* edits of the profile's U-Boot env (not Bdata) */
	size_t nenv;
	const uint8_t *label_mac;             /* 6 bytes: set every MAC from it (fwkit_mac_set); NULL: kept */
};

#define FWKIT_BUILD_MAX_PARTS 16

struct fwkit_build_report {
	uint64_t firmware_offset, firmware_len, firmware_room; /* room: the partition's size */
	uint64_t firmware_trailer;            /* bytes of fwtool blocks (sysupgrade metadata) not written */
	char firmware_device[48];             /* the device the image's own device tree names */
	bool firmware_other_board;            /* ... another device with this one's partitions (the
					       * 3G v2 image on a 4A Gigabit boots, seed 000): built,
					       * with its LEDs, buttons and radios; a warning */
	char bootloader_soc[16];              /* the SoC the bootloader names */
	uint64_t bootloader_room;
	bool env_changed, macs_changed, mac_clone;
	const char *stage;                    /* on an error, the part it is about: "backup", "firmware",
					       * "bootloader", "env", "mac", "result" */
	size_t nchanged;                      /* partitions whose bytes differ from the backup */
	char changed[FWKIT_BUILD_MAX_PARTS][24];
};

/*
 * Builds OUT (LEN bytes, the caller's buffer) from BACKUP (LEN bytes) and P. Nothing of OUT is to
 * be used unless this returns FWKIT_OK. Errors, with file offsets and expected/found:
 * FWKIT_E_UNSAFE (the backup is not a dump of this device; the firmware is not an intact image, is
 * for another device or names none; the bootloader is not one, or for another SoC, or names none, or
 * on MT7621/MT7628 is uImage-wrapped (their NAND format, not what they run from NOR);
 * factory or Bdata would change unasked), FWKIT_E_DOES_NOT_FIT (firmware or bootloader larger
 * than its partition), FWKIT_E_INVALID_ARG, FWKIT_E_NOMEM, and fwkit_env_apply's and
 * fwkit_mac_set's own.
 */
FWKIT_API enum fwkit_status fwkit_build(struct fwkit_ctx *ctx, const uint8_t *backup, size_t len,
					const struct fwkit_build_params *p, uint8_t *out, struct fwkit_build_report *report);

/*
 * The SoC family a bootloader names in its strings ("MT7621", "MT7628", "RT5350", ...), as the
 * vendor U-Boot and Breed print it; "" when it names none, "?" when it names several.
 */
FWKIT_API const char *fwkit_bootloader_soc(const uint8_t *buf, size_t len);

#endif
