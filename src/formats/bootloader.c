/*
 * A bootloader found by its version string, as U-Boot prints it at start-up:
 * "U-Boot 1.1.3 (May  8 2019 - 07:40:27)" (version_string in U-Boot's cmd/version.c and
 * common/main.c of the vendor SDKs). The probe proves the version and the build date shape.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"

static bool is_version_char(uint8_t ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '.' ||
	       ch == '-' || ch == '_' || ch == '+';
}

/* Length of "U-Boot VERSION (Mmm dd yyyy - hh:mm:ss...)" at P, or 0. */
static size_t version_string(const uint8_t *p, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	size_t i = 7; /* "U-Boot " */
	size_t v = i;
	while (i < len && i - v < 48 && is_version_char(p[i]))
		i++;
	if (i - v < 3 || p[v] < '0' || p[v] > '9' || i + 6 > len || p[i] != ' ' || p[i + 1] != '(')
		return 0;
	i += 2;
	bool month = false;
	for (size_t m = 0; m < 36; m += 3)
		month |= memcmp(p + i, months + m, 3) == 0;
	if (!month)
		return 0;
	size_t close = i;
	while (close < len && close - i < 48 && p[close] != ')' && p[close] >= 0x20 && p[close] < 0x7F)
		close++;
	if (close >= len || p[close] != ')' || !memchr(p + i, ':', close - i))
		return 0;
	return close + 1;
}

static void bootloader_probe(struct cursor *c, struct probe_result *r)
{
	size_t n = version_string(c->base + c->pos, cursor_remaining(c));
	if (!n)
		return;
	r->bits = 56 + 24; /* "U-Boot ", a version, a build date */
	r->size = n;
	str_printf(r->validated, sizeof(r->validated), "version string with build date");
}

static enum fwkit_status bootloader_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	size_t l = version_string(buf, len);
	fwkit_node_add_string(n, "version", buf, l);
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_bootloader = {
	.name = "u-boot",
	.summary = "U-Boot bootloader (version string)",
	.role = FORMAT_BOOTLOADER,
	.magics = { { "U-Boot ", 7 } },
	.align = 1,
	.probe = bootloader_probe,
	.describe = bootloader_describe,
	.verified_bits = 80,
};
