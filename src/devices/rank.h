/*
 * Ranking the device profiles by the evidence in a dump (rank.c), shared by fwkit_identify,
 * fwkit_identify_file and fwkit_inspect so the firmware's kernel is decoded once per call.
 */
#ifndef FWKIT_DEVICES_RANK_H
#define FWKIT_DEVICES_RANK_H

#include <stdbool.h>
#include <stdint.h>

#include "fwkit/devicetree.h"
#include "fwkit/inspect.h"

/* What the firmware partition of the best candidate says it was built for. */
struct firmware_facts {
	bool searched;              /* a firmware partition lay inside the dump */
	uint64_t firmware_offset;   /* where it starts */
	bool dt_searched;           /* the kernel was decoded to look for its device tree */
	bool has_dt;
	struct fwkit_devicetree dt; /* its kernel's device tree, when HAS_DT */
	char supported[512];        /* its sysupgrade metadata's supported_devices, space-separated */
	uint64_t supported_offset;  /* where that metadata's JSON starts */
};

/* The ranking over profiles already checked; FACTS gets the firmware's own word. DEVICETREE: read
 * the kernel's device tree even when the hardware evidence decides alone (inspect wants it). */
enum fwkit_status rank_devices(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *extra,
			       size_t nextra, bool devicetree, struct fwkit_identification *out,
			       struct firmware_facts *facts);

/* Reads the firmware facts of P's firmware partition (the device tree within CTX's budget). */
void firmware_facts_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *p,
			 bool devicetree, struct firmware_facts *f);

/* Where P's firmware partition starts; UINT64_MAX when it has none. */
uint64_t profile_firmware_offset(const struct fwkit_profile *p);

/* fwkit_identify_file, also handing back the ranking and the firmware facts it used (for a flash
 * dump; zeroed otherwise), so fwkit_inspect scans and decodes once. */
/* The firmware image (format) BUF starts with, or NULL: what identify calls a firmware image and
 * no edit may change. A uImage at 0 that is a bootloader, in a file of at most 1 MiB (a bootloader
 * partition) or of a flash chip's size (a whole read), is no image. SCAN: the file's fwkit_scan
 * tree when the caller has one, else NULL. */
const struct fwkit_format *identify_image_at_start(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
						   const struct fwkit_node *scan);
enum fwkit_status identify_file_ranked(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				       const struct fwkit_profile *extra, size_t nextra, bool devicetree,
				       struct fwkit_node **out, struct fwkit_identification *id,
				       struct firmware_facts *facts);

bool profiles_same_layout(const struct fwkit_profile *a, const struct fwkit_profile *b);

#endif
