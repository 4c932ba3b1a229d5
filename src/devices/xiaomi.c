/*
 * Xiaomi routers. Layouts from OpenWrt's device trees (formats.md 3.2-3.4: the
 * mt7621_xiaomi_mi-router-4a-3g-v2 dtsi family, mt7628an_xiaomi_mi-router-4.dtsi,
 * mt7621_xiaomi_nand_128m.dtsi), env sizes from uboot-envtools (formats.md 3.8). MACs of the
 * 3G v2 / 4A Gigabit: the label is the WAN MAC (OpenWrt's dtsi: label-mac-device = &wan, factory
 * 0xE006), and the seed forum thread's stock values (../shared/seeds/000: eth0.1 ..2C at 0xE000,
 * eth0.2 ..2D at 0xE006, radio0 ..2E, radio1 ..2F) give LAN -1, 2.4 GHz +1, 5 GHz +2. (The seed's
 * user took the sticker for eth0.1's; OpenWrt's device tree, which sets the label device, says wan.)
 */
#include "devices/devices.h"

#define XIAOMI_TFTP_MENU                                                                                          \
	{ .kind = FWKIT_RECOVERY_UBOOT_TFTP_MENU, .device_ip = "192.168.31.1", .server_ip = "192.168.31.100",     \
	  .prefix = 24, .accepts = FWKIT_ACCEPT_SYSUPGRADE | FWKIT_ACCEPT_UIMAGE, .target = "firmware",            \
	  .load_addr = 0x80100000, .flags = FWKIT_METHOD_WHOLE_BLOCKS,                                              \
	  .steps = "serial 115200 8N1; at \"Please choose the operation\" press 2 (Load system code then write to "  \
		   "Flash via TFTP); device IP 192.168.31.1, server IP 192.168.31.100; type the file name",          \
	  .source = "seed 000 (forum); formats.md 4.6" }

/* Breed, the third-party bootloader many of these routers get (formats.md 4.4): its recovery web
 * page. Seed 000: it did not take an OpenWrt sysupgrade.bin. Breed is closed source: where it
 * writes the file and what it refuses is not documented; it boots what its ENV's
 * autoboot.command names ("boot flash 0x..."), so check compares that address with the firmware
 * partition the image's device tree declares (docs/check.md). Inferred, and marked so. */
#define BREED_WEB                                                                                                 \
	{ .kind = FWKIT_RECOVERY_BREED_WEB, .device_ip = "192.168.1.1", .server_ip = "192.168.1.2", .prefix = 24,   \
	  .accepts = FWKIT_ACCEPT_UIMAGE, .target = "firmware",                                                    \
	  .flags = FWKIT_METHOD_WHOLE_BLOCKS | FWKIT_METHOD_NEEDS_BREED | FWKIT_METHOD_INFERRED,                   \
	  .steps = "hold reset while powering on until the LED blinks; open http://192.168.1.1 (Breed web recovery)", \
	  .source = "seed 000 (forum: Breed rejected sysupgrade.bin); community documentation" }

/* 3G v2 and 4A Gigabit share one flash layout (formats.md 3.2). The MT7612E 5 GHz EEPROM reports chip
 * id 0x7662 (seen in the Mi Router 3G factory dump of ../shared/testdata/real/mi-r3g-noob). */
#define XIAOMI_MT7621_NOR_LAYOUT                                                                                  \
	.soc = "MT7621A", .flash_size = 0x1000000, .erase_size = 0x10000, .nparts = 8,                            \
	.parts = {                                                                                                \
		{ "u-boot", 0x000000, 0x30000, true, FWKIT_PART_BOOTLOADER },                                     \
		{ "u-boot-env", 0x030000, 0x10000, true, FWKIT_PART_UBOOT_ENV },                                  \
		{ "Bdata", 0x040000, 0x10000, true, FWKIT_PART_BDATA },                                           \
		{ "factory", 0x050000, 0x10000, true, FWKIT_PART_FACTORY },                                       \
		{ "crash", 0x060000, 0x10000, true, FWKIT_PART_CRASH },                                           \
		{ "cfg_bak", 0x070000, 0x10000, true, FWKIT_PART_CONFIG_BACKUP },                                 \
		{ "overlay", 0x080000, 0x100000, true, FWKIT_PART_OVERLAY },                                      \
		{ "firmware", 0x180000, 0xE80000, false, FWKIT_PART_FIRMWARE },                                   \
	},                                                                                                        \
	.nenvs = 2,                                                                                               \
	.envs = { { "u-boot-env", 0, 0x1000, false, false }, { "Bdata", 0, 0x4000, false, true } },              \
	.nmacs = 4,                                                                                               \
	.macs = {                                                                                                 \
		{ "factory", 0xE000, FWKIT_MAC_LAN, -1 },                                                         \
		{ "factory", 0xE006, FWKIT_MAC_WAN, 0 },                                                          \
		{ "factory", 0x0004, FWKIT_MAC_WLAN_2G, 1 },                                                      \
		{ "factory", 0x8004, FWKIT_MAC_WLAN_5G, 2 },                                                      \
	},                                                                                                        \
	.neeproms = 2,                                                                                            \
	.eeproms = { { "factory", 0x0000, 0x400, 0x7603, "2.4GHz" }, { "factory", 0x8000, 0x200, 0x7662, "5GHz" } }, \
	.firmware_max = 0xE80000, .nrecovery = 5,                                                                 \
	.recovery = { XIAOMI_TFTP_MENU, BREED_WEB, OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM }

/* 4A (100M) and 4C share one flash layout (formats.md 3.3). */
#define XIAOMI_MT7628_LAYOUT                                                                                      \
	.soc = "MT7628AN", .flash_size = 0x1000000, .erase_size = 0x10000, .nparts = 7,                           \
	.parts = {                                                                                                \
		{ "bootloader", 0x000000, 0x20000, true, FWKIT_PART_BOOTLOADER },                                 \
		{ "config", 0x020000, 0x10000, true, FWKIT_PART_UBOOT_ENV },                                      \
		{ "factory", 0x030000, 0x10000, true, FWKIT_PART_FACTORY },                                       \
		{ "crash", 0x040000, 0x10000, true, FWKIT_PART_CRASH },                                           \
		{ "cfg_bak", 0x050000, 0x10000, true, FWKIT_PART_CONFIG_BACKUP },                                 \
		{ "overlay", 0x060000, 0x100000, true, FWKIT_PART_OVERLAY },                                      \
		{ "firmware", 0x160000, 0xEA0000, false, FWKIT_PART_FIRMWARE },                                   \
	},                                                                                                        \
	.nenvs = 1, .envs = { { "config", 0, 0x1000, false, false } }, .firmware_max = 0xEA0000

const struct fwkit_profile fwkit_devices_xiaomi[] = {
	{
		.id = "xiaomi_mi-router-3g-v2",
		.name = "Xiaomi Mi Router 3G v2",
		.vendor = "Xiaomi",
		.compatible = { "xiaomi,mi-router-3g-v2", "xiaomi,mir3g-v2" },
		XIAOMI_MT7621_NOR_LAYOUT,
		.source = "OpenWrt mt7621_xiaomi_mi-router-3g-v2.dts (formats.md 3.2); seed 000",
		.tested = "built dump in tests/cli/inspect",
	},
	{
		.id = "xiaomi_mi-router-4a-gigabit",
		.name = "Xiaomi Mi Router 4A Gigabit Edition",
		.vendor = "Xiaomi",
		.compatible = { "xiaomi,mi-router-4a-gigabit" },
		XIAOMI_MT7621_NOR_LAYOUT,
		.source = "OpenWrt mt7621_xiaomi_mi-router-4a-gigabit.dts (formats.md 3.2); seed 000",
		.tested = "built dump in tests/cli/inspect",
	},
	{
		.id = "xiaomi_mi-router-4a-100m",
		.name = "Xiaomi Mi Router 4A (100M)",
		.vendor = "Xiaomi",
		.compatible = { "xiaomi,mi-router-4a-100m", "xiaomi,mir4a-100m" },
		XIAOMI_MT7628_LAYOUT,
		/* ethernet = factory 0x4 minus 1 (mac-address-increment -1); the 5 GHz delta is assumed */
		.nmacs = 2,
		.macs = { { "factory", 0x0004, FWKIT_MAC_WLAN_2G, 1 }, { "factory", 0x8004, FWKIT_MAC_WLAN_5G, 2 } },
		.neeproms = 2,
		.eeproms = { { "factory", 0x0000, 0x400, 0x7628, "2.4GHz" }, { "factory", 0x8000, 0x200, 0x7662, "5GHz" } },
		.nrecovery = 4,
		.recovery = { XIAOMI_TFTP_MENU, OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt mt7628an_xiaomi_mi-router-4a-100m.dts (formats.md 3.3)",
		.tested = "selfcheck only",
	},
	{
		.id = "xiaomi_mi-router-4c",
		.name = "Xiaomi Mi Router 4C",
		.vendor = "Xiaomi",
		.compatible = { "xiaomi,mi-router-4c" },
		XIAOMI_MT7628_LAYOUT,
		/* ethernet (the label) = factory 0x28; the WMAC's delta is assumed */
		.nmacs = 2,
		.macs = { { "factory", 0x0028, FWKIT_MAC_LAN, 0 }, { "factory", 0x0004, FWKIT_MAC_WLAN_2G, 1 } },
		.neeproms = 1,
		.eeproms = { { "factory", 0x0000, 0x400, 0x7628, "2.4GHz" } },
		.nrecovery = 4,
		.recovery = { XIAOMI_TFTP_MENU, OPENWRT_SYSUPGRADE, OPENWRT_MTD_WRITE, PROGRAMMER_FLASHROM },
		.source = "OpenWrt mt7628an_xiaomi_mi-router-4c.dts (formats.md 3.3)",
		.tested = "selfcheck only",
	},
	{
		.id = "xiaomi_mi-router-3g",
		.name = "Xiaomi Mi Router 3G (NAND, bootloader-side partitions)",
		.vendor = "Xiaomi",
		.soc = "MT7621A",
		.compatible = { "xiaomi,mi-router-3g", "xiaomi,mir3g", "mir3g", "R3G" },
		.flash_size = 0x8000000,
		.erase_size = 0x20000,
		.nand = true,
		.nparts = 10,
		.parts = {
			{ "Bootloader", 0x000000, 0x80000, true, FWKIT_PART_BOOTLOADER },
			{ "Config", 0x080000, 0x40000, false, FWKIT_PART_UBOOT_ENV },
			{ "Bdata", 0x0C0000, 0x40000, true, FWKIT_PART_BDATA },
			{ "factory", 0x100000, 0x40000, true, FWKIT_PART_FACTORY },
			{ "crash", 0x140000, 0x40000, false, FWKIT_PART_CRASH },
			{ "crash_syslog", 0x180000, 0x40000, false, FWKIT_PART_OTHER },
			{ "reserved0", 0x1C0000, 0x40000, true, FWKIT_PART_RESERVED },
			{ "kernel_stock", 0x200000, 0x400000, false, FWKIT_PART_KERNEL },
			{ "kernel", 0x600000, 0x400000, false, FWKIT_PART_KERNEL },
			{ "ubi", 0xA00000, 0x7580000, false, FWKIT_PART_UBI },
		},
		.nenvs = 2,
		.envs = { { "Config", 0, 0x1000, false, false }, { "Bdata", 0, 0x4000, false, true } },
		/* which of the two MACs goes to gmac0 differs between DTS versions (formats.md 3.4) */
		.nmacs = 2,
		.macs = { { "factory", 0xE000, FWKIT_MAC_LAN, 0 }, { "factory", 0xE006, FWKIT_MAC_WAN, 1 } },
		.neeproms = 2,
		.eeproms = { { "factory", 0x0000, 0x400, 0x7603, "2.4GHz" }, { "factory", 0x8000, 0x200, 0x7662, "5GHz" } },
		.firmware_max = 0x400000,
		/* on NAND the menu's option 2 writes the kernel partition; the rootfs is UBI (inferred) */
		.nrecovery = 2,
		.recovery = {
			{ .kind = FWKIT_RECOVERY_UBOOT_TFTP_MENU, .device_ip = "192.168.31.1", .server_ip = "192.168.31.100",
			  .prefix = 24, .accepts = FWKIT_ACCEPT_UIMAGE, .target = "kernel",
			  .flags = FWKIT_METHOD_WHOLE_BLOCKS | FWKIT_METHOD_INFERRED,
			  .steps = "serial 115200 8N1; menu option 2; the file is a kernel uImage",
			  .source = "formats.md 4.6 (secondary)" },
			{ .kind = FWKIT_RECOVERY_MTD_WRITE, .accepts = FWKIT_ACCEPT_UIMAGE | FWKIT_ACCEPT_PARTITION,
			  .target = "kernel", .flags = FWKIT_METHOD_WHOLE_BLOCKS,
			  .steps = "mtd write kernel1.bin kernel1 from the stock system (OpenWrt's NAND install)",
			  .source = "lede-project/source#1299 (install via mtd write)" },
		},
		.source = "OpenWrt mt7621_xiaomi_nand_128m.dtsi (formats.md 3.4)",
		.tested = "selfcheck only",
	},
};
const size_t fwkit_devices_xiaomi_count = sizeof(fwkit_devices_xiaomi) / sizeof(fwkit_devices_xiaomi[0]);
