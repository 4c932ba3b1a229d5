/*
 * Whole-image containers found through the format table (include/fwkit/container.h).
 */
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"
#include "formats/registry.h"
#include "fwkit/container.h"
#include "fwkit/scan.h"

static bool is_container(const struct fwkit_format *f) { return f->role == FORMAT_IMAGE && f->probe && f->describe; }

const char *fwkit_container_name(size_t i)
{
	for (size_t k = 0; fwkit_formats[k]; k++)
		if (is_container(fwkit_formats[k]) && i-- == 0)
			return fwkit_formats[k]->name;
	return NULL;
}

/* A container whose magic BUF starts with (its probe may still reject the header), or NULL. */
static const struct fwkit_format *container_by_magic(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		for (size_t m = 0; is_container(f) && m < FORMAT_MAX_MAGICS && f->magics[m].len; m++)
			if (f->magic_offset < len && f->magics[m].len <= len - f->magic_offset &&
			    !memcmp(buf + f->magic_offset, f->magics[m].bytes, f->magics[m].len))
				return f;
	}
	return NULL;
}

/* The container whose probe verifies the most bits at the start of BUF, or NULL. */
static const struct fwkit_format *best_container(const uint8_t *buf, size_t len, struct probe_result *best)
{
	const struct fwkit_format *found = NULL;
	memset(best, 0, sizeof(*best));
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		struct probe_result r;
		if (!is_container(f))
			continue;
		formats_probe(f, buf, len, 0, &r);
		if (r.bits >= f->verified_bits && r.bits > best->bits) {
			*best = r;
			found = f;
		}
	}
	return found;
}

static void first_bytes(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	out[0] = 0;
	for (size_t i = 0; i < len && i < 8; i++)
		str_printf(out + strlen(out), cap - strlen(out), "%02x", buf[i]);
	if (!len)
		str_printf(out, cap, "an empty file");
}

static enum fwkit_status describe(struct fwkit_ctx *ctx, const struct fwkit_format *f, const uint8_t *buf, size_t len,
			       size_t dlen, const struct probe_result *r, bool verify, struct fwkit_node **out);

/* F's magic is at offset 0 but its probe rejects the header (a checksum or a length is wrong):
 * described as far as it goes, with the rejection as an error finding. */
static enum fwkit_status rejected(struct fwkit_ctx *ctx, const struct fwkit_format *f, const uint8_t *buf, size_t len,
				  bool verify, struct fwkit_node **out)
{
	struct probe_result r;
	memset(&r, 0, sizeof(r));
	str_printf(r.validated, sizeof(r.validated), "magic only (the header does not verify)");
	enum fwkit_status st = describe(ctx, f, buf, len, len, &r, verify, out);
	if (st != FWKIT_OK)
		return st;
	bool reported = false;
	for (size_t i = 0; i < fwkit_node_finding_count(*out); i++)
		reported = reported || fwkit_node_finding(*out, i)->severity == FWKIT_SEV_ERROR;
	if (!reported) {
		struct fwkit_finding fd = { .severity = FWKIT_SEV_ERROR, .offset = 0 };
		str_printf(fd.code, sizeof(fd.code), "%s.header", f->name);
		str_printf(fd.message, sizeof(fd.message), "%s: the magic is there but the header does not verify (a checksum or a length is wrong)", f->name);
		str_printf(fd.expected, sizeof(fd.expected), "a header whose checks hold");
		fwkit_node_add_finding(*out, &fd);
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_container_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *format,
				       bool verify, struct fwkit_node **out)
{
	*out = NULL;
	if (len && !buf)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "container: NULL buffer");
	const struct fwkit_format *f = NULL;
	struct probe_result r;
	char found[40];
	first_bytes(buf, len, found, sizeof(found));
	if (format) {
		f = formats_by_name(format);
		if (!f || !is_container(f))
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a container format (fwkit image show --help)",
					   format, "container: unknown format");
		formats_probe(f, buf, len, 0, &r);
		if (r.bits < f->verified_bits && container_by_magic(buf, len) == f)
			return rejected(ctx, f, buf, len, verify, out);
		if (r.bits < f->verified_bits) {
			char exp[64];
			str_printf(exp, sizeof(exp), "a %s header", f->name);
			return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, 0, exp, found, "%s: not a valid %s header at offset 0", f->name, f->name);
		}
	} else {
		f = best_container(buf, len, &r);
		if (!f && (f = container_by_magic(buf, len)) != NULL)
			return rejected(ctx, f, buf, len, verify, out);
		if (!f)
			return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, 0, "a firmware container (uImage, TRX, TP-Link, Seama, CHK, ...)",
					   found, "container: no container format of the table at offset 0");
	}
	size_t dlen = r.size && r.size < len ? (size_t)r.size : len;
	return describe(ctx, f, buf, len, dlen, &r, verify, out);
}

/*
 * What follows the container's own extent (an OpenWrt sysupgrade: the kernel uImage, then the
 * squashfs root, then fwtool's blocks), verified as check's payload rule verifies an image: scan
 * --deep of the file, and of the root file systems and fwtool blocks found past the container,
 * their errors (payload_errors: a root file system that runs past the end of the file or does not
 * read, a bad fwtool CRC, metadata cut short) go onto the container's node. Other hits there (a
 * second copy of a bootloader) are not judged. The first file system there is named
 * (rootfs_format, rootfs_offset) unless the container's own verify named one.
 */
static enum fwkit_status verify_trailing(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, size_t dlen,
					 struct fwkit_node *n)
{
	struct fwkit_node *tree = NULL;
	struct fwkit_scan_options so = { .deep = true };
	enum fwkit_status st = fwkit_scan(ctx, buf, len, &so, &tree);
	if (st != FWKIT_OK)
		return st;
	for (size_t i = 0; i < fwkit_node_child_count(tree); i++) {
		const struct fwkit_node *c = fwkit_node_child(tree, i);
		const struct fwkit_format *f = formats_by_name(fwkit_node_format(c));
		if (!f || fwkit_node_offset(c) < dlen || (f->role != FORMAT_FILESYSTEM && f != &fwkit_format_fwtool))
			continue;
		if (f->role == FORMAT_FILESYSTEM && !fwkit_node_get(n, "rootfs_format")) {
			fwkit_node_add_string(n, "rootfs_format", f->name, strlen(f->name));
			fwkit_node_add_uint(n, "rootfs_offset", fwkit_node_offset(c), true);
		}
		const struct fwkit_finding *errors[8];
		size_t count = payload_errors(c, true, errors, sizeof(errors) / sizeof(errors[0]));
		for (size_t k = 0; k < count && k < sizeof(errors) / sizeof(errors[0]); k++)
			fwkit_node_add_finding(n, errors[k]);
	}
	fwkit_node_free(tree);
	return FWKIT_OK;
}

static enum fwkit_status describe(struct fwkit_ctx *ctx, const struct fwkit_format *f, const uint8_t *buf, size_t len,
			       size_t dlen, const struct probe_result *r, bool verify, struct fwkit_node **out)
{
	struct fwkit_node *n = fwkit_node_new(f->name, 0, dlen);
	if (!n || !fwkit_node_set_validated(n, r->validated, r->bits)) {
		fwkit_node_free(n);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	enum fwkit_status st = f->describe(ctx, buf, dlen, n);
	if (st == FWKIT_OK && verify && f->verify)
		st = f->verify(ctx, buf, dlen, n);
	if (st != FWKIT_OK) {
		fwkit_node_free(n);
		return st == FWKIT_E_NOMEM ? FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory") : st;
	}
	if (len > dlen)
		fwkit_node_add_uint(n, "trailing", len - dlen, false);
	if (verify && len > dlen && (st = verify_trailing(ctx, buf, len, dlen, n)) != FWKIT_OK) {
		fwkit_node_free(n);
		return st;
	}
	*out = n;
	return FWKIT_OK;
}

