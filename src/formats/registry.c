/*
 * The table of formats, alphabetical, one line each (libarchive's flat list is the model).
 */
#include "formats/registry.h"

const struct fwkit_format *const fwkit_formats[] = {
	&fwkit_format_ubootenv,
	&fwkit_format_uimage,
	NULL,
};
