/*
 * The built-in device tables, one file per vendor family; devices.c lists them.
 */
#ifndef FWKIT_DEVICES_H
#define FWKIT_DEVICES_H

#include <stddef.h>

#include "fwkit/devicetree.h"
#include "fwkit/inspect.h"
#include "fwkit/profile.h"

extern const struct fwkit_profile fwkit_devices_xiaomi[];
extern const size_t fwkit_devices_xiaomi_count;
extern const struct fwkit_profile fwkit_devices_rt5350[];
extern const size_t fwkit_devices_rt5350_count;

/*
 * The device tree of the kernel in P's firmware partition (decompressed within CTX's budget) into
 * *DT, added to the ranking ID as evidence for the profiles it names, and ID sorted again. False
 * when there is none. fwkit_inspect and fwkit_identify_file rank a dump with it.
 */
bool devices_rank_by_devicetree(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_profile *p,
				struct fwkit_identification *id, struct fwkit_devicetree *dt);

#endif
