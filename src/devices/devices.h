/*
 * The built-in device tables, one file per vendor family; devices.c lists them.
 */
#ifndef FWKIT_DEVICES_H
#define FWKIT_DEVICES_H

#include <stddef.h>

#include "fwkit/devicetree.h"
#include "fwkit/inspect.h"
#include "fwkit/profile.h"

/*
 * The paths every OpenWrt device has once OpenWrt runs on it, and the programmer path of a NOR
 * chip. sysupgrade: OpenWrt's fwtool.sh refuses an image whose metadata names none of the
 * board's names unless -F is given (package/system/fwtool/files/lib/upgrade/fwtool.sh);
 * ramips's platform_check_image wants a uImage first (target/linux/ramips/mt7621|rt305x
 * base-files/lib/upgrade/platform.sh). mtd write erases and writes whole erase blocks of one
 * partition (package/system/mtd). A programmer writes the whole chip.
 */
#define OPENWRT_SYSUPGRADE                                                                                        \
	{ .kind = FWKIT_RECOVERY_SYSUPGRADE, .accepts = FWKIT_ACCEPT_SYSUPGRADE | FWKIT_ACCEPT_UIMAGE,              \
	  .target = "firmware", .flags = FWKIT_METHOD_WHOLE_BLOCKS | FWKIT_METHOD_CHECKS_BOARD,                     \
	  .steps = "copy the image to /tmp on the router; sysupgrade -v /tmp/IMAGE (-n: do not keep settings)",     \
	  .source = "OpenWrt fwtool.sh, ramips platform.sh (formats.md 6)" }
#define OPENWRT_MTD_WRITE                                                                                         \
	{ .kind = FWKIT_RECOVERY_MTD_WRITE, .accepts = FWKIT_ACCEPT_SYSUPGRADE | FWKIT_ACCEPT_UIMAGE | FWKIT_ACCEPT_PARTITION, \
	  .target = "firmware", .flags = FWKIT_METHOD_WHOLE_BLOCKS,                                                 \
	  .steps = "mtd -r write /tmp/IMAGE firmware (or cp IMAGE /dev/mtdN) from a running system",               \
	  .source = "OpenWrt package/system/mtd; seed 002 (cp to /dev/mtd3)" }
#define PROGRAMMER_FLASHROM                                                                                       \
	{ .kind = FWKIT_RECOVERY_FLASHROM, .accepts = FWKIT_ACCEPT_FLASH_IMAGE, .flags = FWKIT_METHOD_WHOLE_BLOCKS, \
	  .steps = "flashrom -p ch341a_spi -w IMAGE with the clip on the chip (fwkit flash write)",                \
	  .source = "seed 000 (flashrom -p ch341a_spi)" }

extern const struct fwkit_profile fwkit_devices_xiaomi[];
extern const size_t fwkit_devices_xiaomi_count;
extern const struct fwkit_profile fwkit_devices_rt5350[];
extern const size_t fwkit_devices_rt5350_count;

#endif
