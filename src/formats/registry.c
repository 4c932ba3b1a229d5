/*
 * The table of formats, one line each (libarchive's flat list is the model). Order matters only
 * for ties in identify: cheap, strongly validated formats first.
 */
#include <string.h>

#include "formats/registry.h"

const struct fwkit_format *const fwkit_formats[] = {
	&fwkit_format_uimage,
	&fwkit_format_poray,
	&fwkit_format_dni,
	&fwkit_format_trx,
	&fwkit_format_xiaomi_hdr,
	&fwkit_format_seama,
	&fwkit_format_chk,
	&fwkit_format_sysupgrade_tar,
	&fwkit_format_tplink,
	&fwkit_format_squashfs,
	&fwkit_format_fdt,
	&fwkit_format_xz,
	&fwkit_format_zstd,
	&fwkit_format_gzip,
	&fwkit_format_lzma,
	&fwkit_format_jffs2_eof,
	&fwkit_format_ubootenv,
	&fwkit_format_fwtool,
	&fwkit_format_bootloader,
	&fwkit_format_breed,
	&fwkit_format_eeprom,
	NULL,
};

const struct fwkit_format *formats_by_name(const char *name)
{
	for (size_t i = 0; fwkit_formats[i]; i++)
		if (strcmp(fwkit_formats[i]->name, name) == 0)
			return fwkit_formats[i];
	return NULL;
}

void formats_probe(const struct fwkit_format *f, const uint8_t *buf, size_t len, uint64_t origin,
		   struct probe_result *r)
{
	memset(r, 0, sizeof(*r));
	if (!f->probe)
		return;
	struct cursor c;
	cursor_init(&c, buf, len, origin);
	f->probe(&c, r);
}

const struct fwkit_format *formats_image_at_start(const uint8_t *buf, size_t len)
{
	for (size_t i = 0; fwkit_formats[i]; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		if (!f->whole_image)
			continue;
		struct probe_result r;
		formats_probe(f, buf, len, 0, &r);
		if (r.bits >= f->verified_bits && f->whole_image(buf, len))
			return f;
	}
	return NULL;
}
