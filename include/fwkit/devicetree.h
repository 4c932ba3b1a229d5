/*
 * The device tree inside a router's firmware. OpenWrt ramips kernels carry their DTB appended
 * to the kernel, inside the LZMA-compressed kernel (behind OpenWrt's lzma-loader for uImage
 * "none" images); fwkit finds and decompresses it, then reads it with libfdt (never by hand).
 */
#ifndef FWKIT_DEVICETREE_H
#define FWKIT_DEVICETREE_H

#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "profile.h"

struct fwkit_dt_partition {
	char label[24];
	uint32_t offset, size;
	bool read_only;
};

struct fwkit_dt_mac {
	char partition[24];  /* the partition label the cell points into */
	uint32_t offset;     /* within that partition */
	char node[48];       /* the node that uses it ("ethernet@1e100000", "port@4") */
};

struct fwkit_devicetree {
	uint64_t lzma_offset;   /* where the LZMA stream was found in the payload */
	uint64_t dtb_offset;    /* offset of the DTB in the decompressed kernel */
	uint32_t dtb_size;
	char model[64];
	char compatible[4][48];
	size_t nparts;
	struct fwkit_dt_partition parts[FWKIT_PROFILE_MAX_PARTS];
	size_t nmacs;
	struct fwkit_dt_mac macs[FWKIT_PROFILE_MAX_MACS];
};

/*
 * Looks for the DTB in a kernel uImage's PAYLOAD (COMP as ih_comp): decompresses an lzma payload,
 * or finds the LZMA stream inside an lzma-loader, then searches the kernel for a DTB that libfdt
 * accepts. FWKIT_E_BAD_MAGIC when none is found.
 */
FWKIT_API enum fwkit_status fwkit_devicetree_from_kernel(struct fwkit_ctx *ctx, const uint8_t *payload, size_t len,
							 uint8_t comp, struct fwkit_devicetree *out);

/* A profile made from the device tree: partitions, MAC cells, model; DUMP_SIZE sizes the flash. */
FWKIT_API enum fwkit_status fwkit_profile_from_devicetree(struct fwkit_ctx *ctx, const struct fwkit_devicetree *dt,
							  uint64_t dump_size, struct fwkit_profile *out);

#endif
