/*
 * RT5350 routers with the Ralink SDK layout: HAME MPR-A1/A2, the unbranded A5-V11 and Poray
 * M3/M4/X5/X8 (formats.md 3.5-3.7: OpenWrt rt5350_*.dts and image/rt305x.mk). One MAC, at
 * factory 0x4, which is also the RT5350 EEPROM's own MAC field; IMAGE_SIZE is the firmware limit.
 * Recovery facts: the seed blog post (../shared/seeds/002, secondary): the stock web UI wants
 * the mkporayfw encoding, and holding reset at power-on pulls an image with the PC at 192.168.1.55.
 */
#include "devices/devices.h"

#define RT5350_LAYOUT(flash, fw)                                                                                  \
	.soc = "RT5350", .flash_size = (flash), .erase_size = 0x10000, .nparts = 4,                               \
	.parts = {                                                                                                \
		{ "u-boot", 0x00000, 0x30000, true, FWKIT_PART_BOOTLOADER },                                      \
		{ "u-boot-env", 0x30000, 0x10000, true, FWKIT_PART_UBOOT_ENV },                                   \
		{ "factory", 0x40000, 0x10000, true, FWKIT_PART_FACTORY },                                        \
		{ "firmware", 0x50000, (fw), false, FWKIT_PART_FIRMWARE },                                        \
	},                                                                                                        \
	.nmacs = 1, .macs = { { "factory", 0x0004, FWKIT_MAC_LAN, 0 } },                                          \
	.neeproms = 1, .eeproms = { { "factory", 0x0000, 0x200, 0x5350, "2.4GHz" } }, .firmware_max = (fw)

#define RESET_TFTP                                                                                                \
	{ .kind = FWKIT_RECOVERY_RESET_TFTP, .device_ip = "192.168.1.1", .server_ip = "192.168.1.55", .prefix = 24, \
	  .accepts = FWKIT_ACCEPT_UIMAGE | FWKIT_ACCEPT_SYSUPGRADE, .target = "firmware",                          \
	  .flags = FWKIT_METHOD_WHOLE_BLOCKS,                                                                       \
	  .steps = "cable to the LAN port; hold reset while powering on, about 5 s; the router pulls the image",  \
	  .source = "seed 002 (blog)" }

/* The MPR-L8 stock family wants the Poray file; HAME's own stock firmware takes the plain uImage
 * (seed 002): ACCEPTS may hold both, and check says which family wants which. */
#define VENDOR_WEB(brd, also)                                                                                   \
	{ .kind = FWKIT_RECOVERY_VENDOR_WEB, .device_ip = "192.168.169.1", .prefix = 24,                           \
	  .accepts = FWKIT_ACCEPT_PORAY | (also), .board = brd, .target = "firmware",                            \
	  .flags = FWKIT_METHOD_WHOLE_BLOCKS,                                                                       \
	  .steps = "stock web UI, upgrade page: the image must be mkporayfw-encoded for this board",              \
	  .source = "seed 002 (blog); formats.md 5" }

const struct fwkit_profile fwkit_devices_rt5350[] = {
	{
		.id = "hame_mpr-a1",
		.name = "HAME MPR-A1",
		.vendor = "HAME",
		.compatible = { "hame,mpr-a1", "mpr-a1" },
		RT5350_LAYOUT(0x400000, 0x3B0000),
		.nrecovery = 5,
		.recovery = { RESET_TFTP, VENDOR_WEB("MPR-L8", FWKIT_ACCEPT_UIMAGE), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_hame_mpr-a1.dts, rt305x.mk (formats.md 3.5)",
		.tested = "built dump in tests/cli/inspect",
	},
	{
		.id = "hame_mpr-a2",
		.name = "HAME MPR-A2",
		.vendor = "HAME",
		.compatible = { "hame,mpr-a2", "mpr-a2" },
		RT5350_LAYOUT(0x800000, 0x7B0000),
		.nrecovery = 4,
		.recovery = { RESET_TFTP, OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_hame_mpr-a2.dts, rt305x.mk (formats.md 3.5)",
		.tested = "selfcheck only",
	},
	{
		.id = "unbranded_a5-v11",
		.name = "A5-V11 (unbranded)",
		.vendor = "unbranded",
		.compatible = { "unbranded,a5-v11", "a5-v11" },
		RT5350_LAYOUT(0x400000, 0x3B0000),
		.nrecovery = 5,
		.recovery = { RESET_TFTP, VENDOR_WEB("A5-V11", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_unbranded_a5-v11.dts, rt305x.mk (formats.md 3.6)",
		.tested = "built dump in tests/cli/inspect",
	},
	{
		.id = "poray_m3",
		.name = "Poray M3",
		.vendor = "Poray",
		.compatible = { "poray,m3", "m3" },
		RT5350_LAYOUT(0x400000, 0x3B0000),
		.nrecovery = 4,
		.recovery = { VENDOR_WEB("M3", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_poray_m3.dts, rt305x.mk (formats.md 3.7)",
		.tested = "selfcheck only",
	},
	{
		.id = "poray_m4-4m",
		.name = "Poray M4 (4 MiB)",
		.vendor = "Poray",
		.compatible = { "poray,m4-4m", "m4-4M" },
		RT5350_LAYOUT(0x400000, 0x3B0000),
		.nrecovery = 4,
		.recovery = { VENDOR_WEB("M4", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_poray_m4-4m.dts, rt305x.mk (formats.md 3.7)",
		.tested = "selfcheck only",
	},
	{
		.id = "poray_m4-8m",
		.name = "Poray M4 (8 MiB)",
		.vendor = "Poray",
		.compatible = { "poray,m4-8m", "m4-8M" },
		RT5350_LAYOUT(0x800000, 0x7B0000),
		.nrecovery = 4,
		.recovery = { VENDOR_WEB("M4", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_poray_m4-8m.dts, rt305x.mk (formats.md 3.7)",
		.tested = "selfcheck only",
	},
	{
		.id = "poray_x5",
		.name = "Poray X5/X6",
		.vendor = "Poray",
		.compatible = { "poray,x5", "x5" },
		RT5350_LAYOUT(0x800000, 0x7B0000),
		.nrecovery = 4,
		.recovery = { VENDOR_WEB("X5", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_poray_x5.dts, rt305x.mk (formats.md 3.7)",
		.tested = "selfcheck only",
	},
	{
		.id = "poray_x8",
		.name = "Poray X8",
		.vendor = "Poray",
		.compatible = { "poray,x8", "x8" },
		RT5350_LAYOUT(0x800000, 0x7B0000),
		.nrecovery = 4,
		.recovery = { VENDOR_WEB("X8", 0), OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt rt5350_poray_x8.dts, rt305x.mk (formats.md 3.7)",
		.tested = "selfcheck only",
	},
};
const size_t fwkit_devices_rt5350_count = sizeof(fwkit_devices_rt5350) / sizeof(fwkit_devices_rt5350[0]);
