/*
 * The format table: one entry per format module, each behind the same small interface.
 * Adding a format is one new file in src/formats/ and one line in registry.c.
 */
#ifndef FWKIT_FORMATS_REGISTRY_H
#define FWKIT_FORMATS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

struct fwkit_format {
	const char *name;    /* also the fixture folder tests/data/<name> and the --format value */
	const char *summary; /* one line */
	/* Confidence that BUF starts an instance: the number of bits actually verified
	 * (magic 32, plus header CRC 32, ...); 0 = no. Never reads past LEN. */
	int (*probe)(const uint8_t *buf, size_t len);
};

extern const struct fwkit_format fwkit_format_ubootenv;
extern const struct fwkit_format fwkit_format_uimage;

/* The table, in alphabetical order, terminated by NULL. */
extern const struct fwkit_format *const fwkit_formats[];

#endif
