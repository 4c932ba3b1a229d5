/*
 * The check an image passes before it is handed to a bootloader (include/fwkit/imagecheck.h):
 * the firmware-image formats of the table are matched by their magic at offset 0 (not by their
 * probe, which a damaged header fails), then described; any error finding blocks.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"
#include "fwkit/imagecheck.h"
#include "fwkit/uimage.h"

/* The firmware-image format whose magic BUF starts with, or NULL. */
static const struct fwkit_format *image_format_at_start(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		if (f->role != FORMAT_IMAGE || f->magic_offset)
			continue;
		for (size_t m = 0; m < FORMAT_MAX_MAGICS && f->magics[m].len; m++)
			if (len >= f->magics[m].len && memcmp(buf, f->magics[m].bytes, f->magics[m].len) == 0)
				return f;
	}
	return NULL;
}

static void blocking(struct fwkit_image_check *out, const struct fwkit_finding *f)
{
	out->ok = false;
	out->offset = f->offset;
	str_printf(out->why, sizeof(out->why), "offset 0x%llx: %s%s%s%s%s", (unsigned long long)f->offset, f->message,
		   f->expected[0] ? ": expected " : "", f->expected, f->found[0] ? ", found " : "", f->found);
}

enum fwkit_status fwkit_image_check(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				    struct fwkit_image_check *out)
{
	if (!out || (len && !buf))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "image check: a NULL argument");
	memset(out, 0, sizeof(*out));
	out->ok = true;
	const struct fwkit_format *f = image_format_at_start(buf, len);
	if (!f)
		return FWKIT_OK; /* not a firmware image fwkit knows: nothing it can judge */
	str_printf(out->format, sizeof(out->format), "%s", f->name);
	out->is_uimage = strcmp(f->name, "uimage") == 0;
	struct fwkit_node *n = fwkit_node_new(f->name, 0, len);
	if (!n)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	enum fwkit_status st = f->describe(NULL, buf, len, n);
	if (st == FWKIT_E_NOMEM) {
		fwkit_node_free(n);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	if (st != FWKIT_OK) {
		/* the magic is there, so only a header cut short fails to describe */
		out->ok = false;
		str_printf(out->why, sizeof(out->why), "truncated %s header", out->is_uimage ? "uImage" : f->name);
		fwkit_node_free(n);
		return FWKIT_OK;
	}
	out->header_complete = true;
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		const struct fwkit_finding *fd = fwkit_node_finding(n, i);
		if (out->findings.count < FWKIT_FINDINGS_MAX)
			out->findings.items[out->findings.count++] = *fd;
		else
			out->findings.dropped++;
		if (fd->severity == FWKIT_SEV_ERROR && out->ok)
			blocking(out, fd);
	}
	fwkit_node_free(n);
	return FWKIT_OK;
}
