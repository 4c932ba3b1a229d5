/*
 * The check an image passes before it is handed to a bootloader (include/fwkit/imagecheck.h):
 * a uImage with a whole header and no error finding; anything else passes unjudged.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "fwkit/imagecheck.h"
#include "fwkit/uimage.h"

enum fwkit_status fwkit_image_check(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				    struct fwkit_image_check *out)
{
	if (!out || (len && !buf))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "image check: a NULL argument");
	memset(out, 0, sizeof(*out));
	out->ok = true;
	if (len < 4 || !(buf[0] == 0x27 && buf[1] == 0x05 && buf[2] == 0x19 && buf[3] == 0x56))
		return FWKIT_OK; /* not a uImage: nothing fwkit can judge */
	out->is_uimage = true;
	struct fwkit_uimage *img = malloc(sizeof(*img)); /* 13 KB: not on the stack */
	if (!img)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (fwkit_uimage_parse(NULL, buf, len, 0, 0, img) != FWKIT_OK) {
		/* the magic is there, so only a header cut short fails to parse */
		out->ok = false;
		out->offset = 0;
		str_printf(out->why, sizeof(out->why), "truncated uImage header");
		free(img);
		return FWKIT_OK;
	}
	out->header_complete = true;
	out->findings = img->findings;
	free(img);
	for (size_t i = 0; i < out->findings.count; i++) {
		const struct fwkit_finding *f = &out->findings.items[i];
		if (f->severity != FWKIT_SEV_ERROR)
			continue;
		out->ok = false;
		out->offset = f->offset;
		str_printf(out->why, sizeof(out->why), "offset 0x%llx: %s%s%s%s%s", (unsigned long long)f->offset, f->message,
			   f->expected[0] ? ": expected " : "", f->expected, f->found[0] ? ", found " : "", f->found);
		break;
	}
	return FWKIT_OK;
}
