/*
 * The table of formats, alphabetical, one line each (libarchive's flat list is the model).
 */
#include "formats/registry.h"

const struct fwkit_format *const fwkit_formats[] = {
	&fwkit_format_ubootenv,
	&fwkit_format_uimage,
	NULL,
};

const struct fwkit_format *formats_image_at_start(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		if (f->whole_image && f->probe(buf, len) >= f->verified_bits && f->whole_image(buf, len))
			return f;
	}
	return NULL;
}
