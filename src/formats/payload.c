/*
 * A container's payload checked through the format table (src/formats/payload.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"

void node_finding(struct fwkit_node *n, enum fwkit_severity sev, const char *code, uint64_t offset,
		  const char *expected, const char *found, const char *fmt, ...)
{
	struct fwkit_finding f = { .severity = sev, .offset = offset };
	str_printf(f.code, sizeof(f.code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	if (expected)
		str_printf(f.expected, sizeof(f.expected), "%s", expected);
	if (found)
		str_printf(f.found, sizeof(f.found), "%s", found);
	fwkit_node_add_finding(n, &f);
}

bool text_field(const uint8_t *p, size_t cap, bool zero_pad, size_t *len)
{
	size_t i = 0;
	while (i < cap && p[i] >= 0x20 && p[i] < 0x7F)
		i++;
	*len = i;
	if (i == 0 || (i < cap && p[i] != 0))
		return false;
	for (size_t j = i; zero_pad && j < cap; j++)
		if (p[j])
			return false;
	return true;
}

bool payload_format(const char *format)
{
	static const char *const formats[] = { "uimage", "lzma", "xz", "gzip", "zstd", "squashfs", "fdt", "file" };
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (!strcmp(format, formats[i]))
			return true;
	return false;
}

size_t payload_errors(const struct fwkit_node *tree, bool with_fwtool, const struct fwkit_finding **out, size_t max)
{
	const char *format = tree ? fwkit_node_format(tree) : "";
	if (!tree || !(payload_format(format) || (with_fwtool && !strcmp(format, "fwtool"))))
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < fwkit_node_finding_count(tree); i++)
		if (fwkit_node_finding(tree, i)->severity == FWKIT_SEV_ERROR) {
			if (n < max)
				out[n] = fwkit_node_finding(tree, i);
			n++;
		}
	for (size_t i = 0; i < fwkit_node_child_count(tree); i++)
		n += payload_errors(fwkit_node_child(tree, i), with_fwtool, out + (n < max ? n : max), n < max ? max - n : 0);
	return n;
}

/* The format of ROLES whose probe verifies the most bits at BUF, or NULL. */
static const struct fwkit_format *best_at(const uint8_t *buf, size_t len, uint64_t origin, unsigned roles,
					  struct probe_result *best)
{
	const struct fwkit_format *found = NULL;
	memset(best, 0, sizeof(*best));
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		if (!f->probe || !(roles & ROLE_BIT(f->role)))
			continue;
		struct probe_result r;
		formats_probe(f, buf, len, origin, &r);
		if (r.bits >= f->verified_bits && r.bits > best->bits) {
			*best = r;
			found = f;
		}
	}
	return found;
}

/* Copies the error findings of the payload's node P onto the container's node N. */
static void lift_errors(struct fwkit_node *n, const struct fwkit_node *p)
{
	for (size_t i = 0; i < fwkit_node_finding_count(p); i++) {
		const struct fwkit_finding *f = fwkit_node_finding(p, i);
		if (f->severity == FWKIT_SEV_ERROR)
			fwkit_node_add_finding(n, f);
	}
}

const struct fwkit_format *payload_check(struct fwkit_ctx *ctx, struct fwkit_node *n, const char *code, const char *what,
					 const uint8_t *buf, size_t len, uint64_t off, uint64_t plen, unsigned roles,
					 enum fwkit_status *st)
{
	*st = FWKIT_OK;
	uint64_t base = fwkit_node_offset(n);
	char key[48], exp[48], fnd[48];
	if (off > len || plen > len - off) {
		str_printf(exp, sizeof(exp), "at most %zu bytes", len);
		str_printf(fnd, sizeof(fnd), "%llu + %llu", (unsigned long long)off, (unsigned long long)plen);
		node_finding(n, FWKIT_SEV_ERROR, code, base + off, exp, fnd, "%s: the %s runs past the end of the image", fwkit_node_format(n), what);
		return NULL;
	}
	struct probe_result r;
	const struct fwkit_format *f = best_at(buf + off, (size_t)plen, base + off, roles, &r);
	if (!f) {
		node_finding(n, FWKIT_SEV_ERROR, code, base + off, roles & ROLE_BIT(FORMAT_FILESYSTEM) ? "a file system" : "a kernel (uImage, FIT, LZMA, ...)",
			     "no format fwkit knows", "%s: the %s is no format of the table", fwkit_node_format(n), what);
		return NULL;
	}
	str_printf(key, sizeof(key), "%s_format", what);
	fwkit_node_add_string(n, key, f->name, strlen(f->name));
	size_t dlen = r.size && r.size < plen ? (size_t)r.size : (size_t)plen;
	struct fwkit_node *p = fwkit_node_new(f->name, base + off, r.size);
	if (!p) {
		*st = FWKIT_E_NOMEM;
		return f;
	}
	enum fwkit_status s = f->describe ? f->describe(ctx, buf + off, dlen, p) : FWKIT_OK;
	if (s == FWKIT_OK && f->verify)
		s = f->verify(ctx, buf + off, dlen, p);
	lift_errors(n, p);
	fwkit_node_free(p);
	*st = s == FWKIT_E_NOMEM ? s : FWKIT_OK;
	return f;
}
