/*
 * Netgear DNI factory images (OpenWrt's mkdniimg): a 128-byte text header
 * "device:EX2700\nversion:V...\nregion:...\nhd_id:...\n" padded with zeros, the image, then one
 * checksum byte, 0xFF minus the sum of every byte before it (mod 256). Facts: PROVENANCE.md of
 * ../shared/testdata/real (#33, verified on the real EX2700 file) and formats.md 8.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"
#include "formats/registry.h"

#define DNI_HEADER 128

/* The value of "KEY:" in the header text, at most CAP-1 bytes; false when absent. */
static bool header_value(const uint8_t *h, const char *key, char *out, size_t cap)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i + klen < DNI_HEADER; i++) {
		if ((i == 0 || h[i - 1] == '\n') && memcmp(h + i, key, klen) == 0) {
			size_t s = i + klen, e = s;
			while (e < DNI_HEADER && h[e] != '\n' && h[e] != 0)
				e++;
			size_t n = e - s < cap - 1 ? e - s : cap - 1;
			memcpy(out, h + s, n);
			out[n] = 0;
			return true;
		}
	}
	return false;
}

static bool text_header(const uint8_t *h)
{
	size_t i = 0;
	while (i < DNI_HEADER && h[i] && (h[i] == '\n' || (h[i] >= 0x20 && h[i] < 0x7F)))
		i++;
	for (; i < DNI_HEADER; i++) /* the rest is zero padding */
		if (h[i])
			return false;
	return true;
}

static uint8_t dni_checksum(const uint8_t *d, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + d[i]);
	return (uint8_t)(0xFF - sum);
}

static void dni_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *h = cursor_bytes(c, DNI_HEADER);
	char v[64];
	if (!h || !text_header(h) || !header_value(h, "version:", v, sizeof(v)) || !header_value(h, "region:", v, sizeof(v)))
		return;
	/* the image runs to the end of the input, the checksum is its last byte */
	size_t total = c->len;
	if (total < DNI_HEADER + 1 || dni_checksum(c->base, total - 1) != c->base[total - 1])
		return;
	r->bits = 56 + 64 + 8 + 32; /* "device:", version and region lines, the checksum, the zero padding */
	r->size = total;
	str_printf(r->validated, sizeof(r->validated), "text header, checksum byte at the end");
}

static enum fwkit_status dni_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	if (len < DNI_HEADER + 1)
		return FWKIT_OK;
	static const char *const keys[][2] = { { "device:", "device" }, { "version:", "version" }, { "region:", "region" },
					       { "hd_id:", "hd_id" } };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char v[96];
		if (header_value(buf, keys[i][0], v, sizeof(v)))
			fwkit_node_add_string(n, keys[i][1], v, strlen(v));
	}
	fwkit_node_add_uint(n, "payload_offset", DNI_HEADER, false);
	fwkit_node_add_uint(n, "payload_size", len - DNI_HEADER - 1, false);
	fwkit_node_add_uint(n, "checksum", buf[len - 1], true);
	uint8_t sum = dni_checksum(buf, len - 1);
	fwkit_node_add_bool(n, "checksum_ok", sum == buf[len - 1]);
	if (sum != buf[len - 1]) {
		char exp[8], fnd[8];
		str_printf(exp, sizeof(exp), "0x%02x", sum);
		str_printf(fnd, sizeof(fnd), "0x%02x", buf[len - 1]);
		node_finding(n, FWKIT_SEV_ERROR, "netgear-dni.checksum", fwkit_node_offset(n) + len - 1, exp, fnd,
			     "netgear-dni: bad checksum byte (0xFF minus the sum of every byte before it)");
	}
	return FWKIT_OK;
}

static bool dni_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true; /* a factory file for the stock web UI */
}

const struct fwkit_format fwkit_format_dni = {
	.name = "netgear-dni",
	.summary = "Netgear DNI factory image (mkdniimg)",
	.role = FORMAT_IMAGE,
	.magics = { { "device:", 7 } },
	.align = 1,
	.probe = dni_probe,
	.describe = dni_describe,
	.whole_image = dni_whole_image,
	.verified_bits = 160,
};
