/*
 * U-Boot legacy images ("uImage"): the 64-byte big-endian header of U-Boot's include/image.h
 * (struct legacy_img_hdr), single and multi-file/script payloads.
 *
 * Parsing is tolerant of what real vendor files do (trailing partition data, a binary or
 * unterminated name, flags in the top byte of the size, a payload cut short by the partition
 * end, a vendor magic): those become findings, not failures. See docs/formats/uimage.md.
 */
#ifndef FWKIT_UIMAGE_H
#define FWKIT_UIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "context.h"
#include "file.h"
#include "findings.h"

#define FWKIT_UIMAGE_HEADER_SIZE 64
#define FWKIT_UIMAGE_MAGIC 0x27051956u
#define FWKIT_UIMAGE_NAME_LEN 32
#define FWKIT_UIMAGE_MAX_PARTS 64

/* ih_type values with a meaning for the payload layout. */
#define FWKIT_UIMAGE_TYPE_KERNEL 2 /* U-Boot image.h IH_TYPE_KERNEL */
#define FWKIT_UIMAGE_TYPE_MULTI 4
#define FWKIT_UIMAGE_TYPE_KERNEL_NOLOAD 14 /* IH_TYPE_KERNEL_NOLOAD */
#define FWKIT_UIMAGE_TYPE_SCRIPT 6

struct fwkit_uimage_header {
	uint32_t magic, hcrc, time, size, load, ep, dcrc;
	uint8_t os, arch, type, comp;
	uint8_t name[FWKIT_UIMAGE_NAME_LEN]; /* raw bytes, not necessarily NUL-terminated */
};

struct fwkit_uimage_part {
	uint64_t offset; /* absolute offset in the input */
	uint32_t size;   /* unpadded size from the size table */
};

enum fwkit_trailer_kind {
	FWKIT_TRAILER_NONE = 0, /* the image ends where the input ends */
	FWKIT_TRAILER_ERASED,   /* all 0xFF: erased flash */
	FWKIT_TRAILER_ZERO,     /* all 0x00 */
	FWKIT_TRAILER_DATA,     /* anything else (a rootfs, a second copy, metadata) */
};

struct fwkit_uimage {
	uint64_t offset; /* where the header starts */
	struct fwkit_uimage_header hdr;
	uint32_t hcrc_computed;
	bool hcrc_ok;
	size_t name_len;        /* bytes before the first NUL, at most 32 */
	bool name_binary;       /* contains bytes outside printable ASCII */
	uint32_t data_size;     /* the payload size used: hdr.size, or its low 24 bits (see size_flags) */
	uint8_t size_flags;     /* nonzero when the size's top byte was taken as vendor flags */
	uint64_t data_offset;   /* absolute offset of the payload */
	uint64_t data_present;  /* payload bytes present in the input (< data_size when truncated) */
	bool data_complete;
	bool dcrc_checked;      /* false when the payload is incomplete */
	uint32_t dcrc_computed;
	bool dcrc_ok;
	uint64_t trailer_size;  /* bytes after header + payload */
	enum fwkit_trailer_kind trailer_kind;
	size_t nparts;          /* multi and script images: parts in the size table; else 0 */
	struct fwkit_uimage_part parts[FWKIT_UIMAGE_MAX_PARTS];
	struct fwkit_findings findings;
};

/*
 * Parses the image whose header starts at OFFSET in BUF (LEN bytes), computing both CRCs.
 * MAGIC is the magic to expect (0: the standard 0x27051956).
 * Errors (status returned, context error filled with offset, expected and found):
 *   FWKIT_E_RANGE      OFFSET lies past the end
 *   FWKIT_E_TRUNCATED  fewer than 64 bytes from OFFSET
 *   FWKIT_E_BAD_MAGIC  the magic differs
 * Everything else (CRCs, truncated payload, odd fields) is reported in out->findings.
 */
FWKIT_API enum fwkit_status fwkit_uimage_parse(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, size_t offset,
					       uint32_t magic, struct fwkit_uimage *out);

/*
 * The span of payload part INDEX: for multi/script images part INDEX of the size table, for
 * any other image the whole payload (INDEX ignored, as dumpimage does).
 * FWKIT_E_RANGE when INDEX is not in the table; FWKIT_E_TRUNCATED when the span is not present.
 */
FWKIT_API enum fwkit_status fwkit_uimage_part_span(struct fwkit_ctx *ctx, const struct fwkit_uimage *img, size_t len,
						   unsigned index, uint64_t *offset, uint64_t *size);

/* The codec a payload of this ih_comp should be, refined by its first bytes (an XZ stream
 * stored under "lzma" is FWKIT_CODEC_XZ). */
FWKIT_API enum fwkit_codec fwkit_uimage_codec(uint8_t comp, const uint8_t *payload, size_t len);

/* Names, as mkimage prints and accepts them. Unknown values give mkimage's "Unknown ..." text. */
FWKIT_API const char *fwkit_uimage_os_name(uint8_t os);
FWKIT_API const char *fwkit_uimage_arch_name(uint8_t arch);
FWKIT_API const char *fwkit_uimage_type_name(uint8_t type);
FWKIT_API const char *fwkit_uimage_comp_name(uint8_t comp);
FWKIT_API const char *fwkit_uimage_os_short(uint8_t os);
FWKIT_API const char *fwkit_uimage_arch_short(uint8_t arch);
FWKIT_API const char *fwkit_uimage_type_short(uint8_t type);
FWKIT_API const char *fwkit_uimage_comp_short(uint8_t comp);
/* Short name (mkimage's -O/-A/-T/-C argument) to value; -1 when unknown. Case-insensitive. */
FWKIT_API int fwkit_uimage_os_lookup(const char *name);
FWKIT_API int fwkit_uimage_arch_lookup(const char *name);
FWKIT_API int fwkit_uimage_type_lookup(const char *name);
FWKIT_API int fwkit_uimage_comp_lookup(const char *name);

struct fwkit_uimage_build_params {
	uint8_t os, arch, type, comp;
	uint32_t load, ep, time;
	const char *name;                 /* copied up to 32 bytes, as mkimage does */
	const struct fwkit_iovec *parts;  /* one for ordinary images; several for multi/script */
	size_t nparts;
};

/*
 * Builds an image exactly as mkimage does for the same parameters. On success *out is a
 * malloc'ed buffer of *out_len bytes the caller frees with free().
 * FWKIT_E_INVALID_ARG for a type mkimage's legacy handler refuses, several parts for a type
 * that is neither multi nor script, or a payload over 4 GiB.
 */
FWKIT_API enum fwkit_status fwkit_uimage_build(struct fwkit_ctx *ctx, const struct fwkit_uimage_build_params *p,
					       uint8_t **out, size_t *out_len);

#endif
