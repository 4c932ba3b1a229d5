/*
 * Breed, the closed-source recovery bootloader many of these routers get (formats.md 4.4), found
 * by the version string every Breed build carries: "Version 1.1 (r1286)" (seen in the r1163, r1211
 * and r1286 builds of ../shared/testdata/real/wc7086-breed and hc5661-liyun).
 */
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"

static size_t digits(const uint8_t *p, size_t len, size_t i)
{
	size_t s = i;
	while (i < len && i - s < 8 && p[i] >= '0' && p[i] <= '9')
		i++;
	return i - s;
}

/* Length of "Version N.N (rNNNN)" at P, or 0. */
static size_t breed_version(const uint8_t *p, size_t len)
{
	size_t i = 8; /* "Version " */
	size_t d = digits(p, len, i);
	if (!d || i + d >= len || p[i + d] != '.')
		return 0;
	i += d + 1;
	d = digits(p, len, i);
	if (!d || i + d + 3 >= len || memcmp(p + i + d, " (r", 3) != 0)
		return 0;
	i += d + 3;
	d = digits(p, len, i);
	if (d < 3 || i + d >= len || p[i + d] != ')')
		return 0;
	return i + d + 1;
}

static void breed_probe(struct cursor *c, struct probe_result *r)
{
	size_t n = breed_version(c->base + c->pos, cursor_remaining(c));
	if (!n)
		return;
	r->bits = 64 + 24; /* "Version ", a version, " (r" and a revision of at least three digits */
	r->size = n;
	str_printf(r->validated, sizeof(r->validated), "Breed version string");
}

static enum fwkit_status breed_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	fwkit_node_add_string(n, "version", buf, breed_version(buf, len));
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_breed = {
	.name = "breed",
	.summary = "Breed bootloader (version string)",
	.role = FORMAT_BOOTLOADER,
	.magics = { { "Version ", 8 } },
	.align = 1,
	.probe = breed_probe,
	.describe = breed_describe,
	.verified_bits = 88,
};
