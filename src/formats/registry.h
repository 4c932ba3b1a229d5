/*
 * The format table: one entry per format module, each behind the same small interface
 * (libarchive's bidding is the model). Commands find formats only through this table.
 * Adding a format is one new file in src/formats/, one line in registry.c, fixtures in
 * tests/data/<name>/, a fuzz target and a page in docs/formats/ (docs/internals/formats.md).
 */
#ifndef FWKIT_FORMATS_REGISTRY_H
#define FWKIT_FORMATS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cursor.h"
#include "fwkit/codec.h"
#include "fwkit/context.h"
#include "fwkit/node.h"

#define FORMAT_MAX_MAGICS 12

/* What an instance of the format is, for identify and for the nesting rules of scan. */
enum format_role {
	FORMAT_IMAGE = 0,    /* a firmware image a bootloader or sysupgrade takes (uImage, ...) */
	FORMAT_STREAM,       /* a compressed stream (LZMA, XZ, gzip, zstd) */
	FORMAT_FILESYSTEM,   /* squashfs, JFFS2 marker */
	FORMAT_CONFIG,       /* partition content: env, EEPROM */
	FORMAT_BOOTLOADER,   /* a bootloader, found by its version string */
	FORMAT_DEVICETREE,   /* a flattened device tree blob */
};

/* What a probe verified about an instance starting at the cursor. */
struct probe_result {
	int bits;              /* how many bits were actually verified (magic 32, header CRC 32, ...); 0 = no */
	uint64_t size;         /* the instance's extent in bytes; 0 when unknown without decoding it */
	char validated[96];    /* "magic, header CRC" */
};

struct fwkit_format {
	const char *name;    /* also the fixture folder tests/data/<name> and the --format value */
	const char *summary; /* one line */
	enum format_role role;
	/* Where instances are looked for: any of the MAGICS (at least two bytes each) at MAGIC_OFFSET from the instance start,
	 * at starts that are multiples of ALIGN (0 or 1: anywhere). A format without a magic finds its
	 * own instances with SCAN instead. */
	struct format_magic {
		const char *bytes;
		size_t len;
	} magics[FORMAT_MAX_MAGICS];
	size_t magic_offset, align;
	/* C spans from the candidate start to the end of the input. Never reads past it. */
	void (*probe)(struct cursor *c, struct probe_result *r);
	/* Fills NODE (offset and size already set) from the instance's BUF/LEN (LEN = its size, or
	 * the rest of the input when the size is unknown). Findings go on the node. */
	enum fwkit_status (*describe)(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *node);
	/* Optional deep checks that cost real work (a file system's directory tree, payloads that
	 * must decode): run by scan --deep and extract, on the described node. */
	enum fwkit_status (*verify)(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *node);
	/* Optional: for formats without a magic, adds a node for every instance in BUF to PARENT. */
	enum fwkit_status (*scan)(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *parent);
	/* Optional: true when BUF (already probed) starts a whole firmware image (a kernel image, not
	 * a bootloader) rather than flash contents. Edits of dumps refuse files that start with one. */
	bool (*whole_image)(const uint8_t *buf, size_t len);
	/* Bits a probe must return to count as verified (beyond the magic alone). */
	int verified_bits;
	/* FORMAT_STREAM: the codec that decodes it (scan --deep descends into the output). */
	enum fwkit_codec codec;
};

extern const struct fwkit_format fwkit_format_ubootenv;
extern const struct fwkit_format fwkit_format_uimage;
extern const struct fwkit_format fwkit_format_squashfs;
extern const struct fwkit_format fwkit_format_lzma;
extern const struct fwkit_format fwkit_format_xz;
extern const struct fwkit_format fwkit_format_gzip;
extern const struct fwkit_format fwkit_format_zstd;
extern const struct fwkit_format fwkit_format_fdt;
extern const struct fwkit_format fwkit_format_jffs2_eof;
extern const struct fwkit_format fwkit_format_bootloader;
extern const struct fwkit_format fwkit_format_breed;
extern const struct fwkit_format fwkit_format_eeprom;
extern const struct fwkit_format fwkit_format_poray;
extern const struct fwkit_format fwkit_format_fwtool;
extern const struct fwkit_format fwkit_format_dni;
extern const struct fwkit_format fwkit_format_trx;
extern const struct fwkit_format fwkit_format_xiaomi_hdr;
extern const struct fwkit_format fwkit_format_tplink;
extern const struct fwkit_format fwkit_format_seama;
extern const struct fwkit_format fwkit_format_chk;
extern const struct fwkit_format fwkit_format_sysupgrade_tar;

/* The table, terminated by NULL. */
extern const struct fwkit_format *const fwkit_formats[];

/* A format by name, or NULL. */
const struct fwkit_format *formats_by_name(const char *name);

/* The firmware-image format that BUF starts with, verified beyond its magic; NULL when none. */
const struct fwkit_format *formats_image_at_start(const uint8_t *buf, size_t len);

/* Detaches the I-th child of PARENT (its slot becomes empty) and returns it; src/core/node.c. */
struct fwkit_node *node_take_child(struct fwkit_node *parent, size_t i);

/* A byte range [start, end) of the input. */
struct format_range {
	uint64_t start, end;
};

/* The ranges a decoder claims in BUF (squashfs, compressed streams of known extent, the payload
 * of a uImage): bytes there are that format's data. Returns how many (at most MAX) were written. */
size_t formats_claimed_ranges(const uint8_t *buf, size_t len, struct format_range *out, size_t max);

/* The error finding for the metadata block a cut file ends inside (T->cut, from fwkit_fwtool_read
 * over BUF, LEN bytes): its offset, expected and found sizes. src/formats/fwtool.c */
struct fwkit_fwtool;
void fwtool_cut_finding(const uint8_t *buf, size_t len, const struct fwkit_fwtool *t, struct fwkit_finding *f);

/* Probes F at BUF (LEN bytes to the end of the input). */
void formats_probe(const struct fwkit_format *f, const uint8_t *buf, size_t len, uint64_t origin,
		   struct probe_result *r);

#endif
