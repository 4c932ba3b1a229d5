/*
 * The format table: one entry per format module, each behind the same small interface.
 * Adding a format is one new file in src/formats/ and one line in registry.c.
 */
#ifndef FWKIT_FORMATS_REGISTRY_H
#define FWKIT_FORMATS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fwkit_format {
	const char *name;    /* also the fixture folder tests/data/<name> and the --format value */
	const char *summary; /* one line */
	/* Confidence that BUF starts an instance: the number of bits actually verified
	 * (magic 32, plus header CRC 32, ...); 0 = no. Never reads past LEN. */
	int (*probe)(const uint8_t *buf, size_t len);
	/* Optional: true when BUF (already probed) starts a whole firmware image (what a bootloader's
	 * TFTP menu or sysupgrade takes: a kernel image, not a bootloader), never flash contents as read
	 * from a chip. Edits of dumps refuse files that start with one. */
	bool (*whole_image)(const uint8_t *buf, size_t len);
	/* Bits a probe must return to count as verified (beyond the magic alone). */
	int verified_bits;
};

extern const struct fwkit_format fwkit_format_ubootenv;
extern const struct fwkit_format fwkit_format_uimage;

/* The table, in alphabetical order, terminated by NULL. */
extern const struct fwkit_format *const fwkit_formats[];

/* The firmware-image format that BUF starts with, verified beyond its magic; NULL when none. */
const struct fwkit_format *formats_image_at_start(const uint8_t *buf, size_t len);

#endif
