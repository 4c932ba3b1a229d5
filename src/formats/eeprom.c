/*
 * MediaTek/Ralink Wi-Fi EEPROMs (the calibration data in a factory partition): word 0 is the chip
 * id (little-endian), then the version, then the MAC at 4 (formats.md 3.9, openwrt/mt76
 * MT_EE_CHIP_ID / MT_EE_VERSION / MT_EE_MAC_ADDR). They sit at the start of the factory
 * partition or at +0x8000 for the second radio, so candidates are looked for every 32 KiB.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"

static const struct {
	uint16_t id;
	const char *chip;
	uint16_t size; /* EEPROM bytes the driver reads */
} CHIPS[] = {
	{ 0x7603, "MT7603", 1024 }, { 0x7628, "MT7628", 1024 }, { 0x7612, "MT7612", 512 }, { 0x7662, "MT7662", 512 },
	{ 0x7610, "MT7610", 512 },  { 0x7650, "MT7650", 512 },  { 0x7615, "MT7615", 1024 }, { 0x7622, "MT7622", 1024 },
	{ 0x7663, "MT7663", 1536 }, { 0x7915, "MT7915", 3584 }, { 0x5350, "RT5350", 512 },
};

static int chip_index(uint16_t id)
{
	for (size_t i = 0; i < sizeof(CHIPS) / sizeof(CHIPS[0]); i++)
		if (CHIPS[i].id == id)
			return (int)i;
	return -1;
}

/* A MAC a factory writes: unicast, not all zero, not erased. */
static bool plausible_mac(const uint8_t *m)
{
	static const uint8_t zero[6], erased[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	return !(m[0] & 1) && memcmp(m, zero, 6) != 0 && memcmp(m, erased, 6) != 0;
}

static void eeprom_probe(struct cursor *c, struct probe_result *r)
{
	uint16_t id = cursor_le16(c);
	cursor_le16(c); /* version */
	const uint8_t *mac = cursor_bytes(c, 6);
	int k = chip_index(id);
	if (!mac || k < 0 || cursor_remaining(c) + 10 < CHIPS[k].size || !plausible_mac(mac))
		return;
	r->bits = 16 + 16 + 15; /* a known chip id on a 32 KiB boundary, a unicast MAC */
	r->size = CHIPS[k].size;
	str_printf(r->validated, sizeof(r->validated), "chip id %s on a 32 KiB boundary, a unicast MAC", CHIPS[k].chip);
}

static enum fwkit_status eeprom_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	if (len < 10)
		return FWKIT_OK;
	uint16_t id = (uint16_t)(buf[0] | (buf[1] << 8));
	int k = chip_index(id);
	fwkit_node_add_enum(n, "chip", id, k >= 0 ? CHIPS[k].chip : "unknown");
	fwkit_node_add_uint(n, "version", (uint16_t)(buf[2] | (buf[3] << 8)), true);
	char mac[18];
	str_printf(mac, sizeof(mac), "%02X:%02X:%02X:%02X:%02X:%02X", buf[4], buf[5], buf[6], buf[7], buf[8], buf[9]);
	fwkit_node_add_string(n, "mac", mac, 17);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_eeprom = {
	.name = "wifi-eeprom",
	.summary = "MediaTek/Ralink Wi-Fi EEPROM (factory calibration data)",
	.role = FORMAT_CONFIG,
	/* the chip ids little-endian: the table above, as two-byte magics */
	.magics = { { "\x03\x76", 2 }, { "\x28\x76", 2 }, { "\x12\x76", 2 }, { "\x62\x76", 2 }, { "\x10\x76", 2 },
		    { "\x50\x76", 2 }, { "\x15\x76", 2 }, { "\x22\x76", 2 }, { "\x63\x76", 2 }, { "\x15\x79", 2 },
		    { "\x50\x53", 2 } },
	.align = 0x8000,
	.probe = eeprom_probe,
	.describe = eeprom_describe,
	.verified_bits = 47,
};
