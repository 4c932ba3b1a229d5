/*
 * Status names, error formatting and findings.
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

const char *fwkit_status_name(enum fwkit_status status)
{
	switch (status) {
	case FWKIT_OK: return "ok";
	case FWKIT_E_INVALID_ARG: return "invalid-argument";
	case FWKIT_E_NOMEM: return "out-of-memory";
	case FWKIT_E_RANGE: return "out-of-range";
	case FWKIT_E_IO: return "io-error";
	case FWKIT_E_NOT_FOUND: return "not-found";
	case FWKIT_E_IS_DIRECTORY: return "is-a-directory";
	case FWKIT_E_PERMISSION: return "permission-denied";
	case FWKIT_E_NOT_REGULAR: return "not-a-regular-file";
	case FWKIT_E_TOO_LARGE: return "too-large";
	case FWKIT_E_CHANGED: return "changed-while-reading";
	case FWKIT_E_TRUNCATED: return "truncated";
	case FWKIT_E_BAD_MAGIC: return "bad-magic";
	case FWKIT_E_BAD_CHECKSUM: return "bad-checksum";
	case FWKIT_E_UNSUPPORTED: return "unsupported";
	case FWKIT_E_CORRUPT: return "corrupt";
	case FWKIT_E_MISMATCH: return "mismatch";
	case FWKIT_E_DOES_NOT_FIT: return "does-not-fit";
	case FWKIT_E_OUTPUT_REFUSED: return "output-refused";
	case FWKIT_E_CANCELLED: return "cancelled";
	case FWKIT_E_NO_DEVICE: return "no-device";
	case FWKIT_E_UNSAFE: return "unsafe";
	}
	return "unknown";
}

size_t fwkit_error_format(const struct fwkit_error *err, char *buf, size_t size)
{
	char off[40] = "";
	char tail[2 * FWKIT_ERROR_TEXT_MAX + 32] = "";
	if (err->has_offset)
		snprintf(off, sizeof(off), "offset 0x%llx: ", (unsigned long long)err->offset);
	if (err->expected[0] && err->found[0])
		snprintf(tail, sizeof(tail), ": expected %s, found %s", err->expected, err->found);
	else if (err->expected[0])
		snprintf(tail, sizeof(tail), ": expected %s", err->expected);
	else if (err->found[0])
		snprintf(tail, sizeof(tail), ": found %s", err->found);
	int n = snprintf(buf, size, "%s%s%s%s%s", err->file, err->file[0] ? ": " : "", off,
			 err->what[0] ? err->what : fwkit_status_name(err->status), tail);
	return n < 0 ? 0 : (size_t)n;
}

const char *fwkit_severity_name(enum fwkit_severity sev)
{
	switch (sev) {
	case FWKIT_SEV_INFO: return "info";
	case FWKIT_SEV_WARN: return "warning";
	case FWKIT_SEV_ERROR: return "error";
	}
	return "unknown";
}

int fwkit_findings_worst(const struct fwkit_findings *f)
{
	int worst = -1;
	for (size_t i = 0; i < f->count; i++)
		if ((int)f->items[i].severity > worst)
			worst = (int)f->items[i].severity;
	return worst;
}

void findings_add(struct fwkit_findings *f, enum fwkit_severity sev, const char *code, uint64_t offset,
		  const char *expected, const char *found, const char *fmt, ...)
{
	if (f->count >= FWKIT_FINDINGS_MAX) {
		f->dropped++;
		return;
	}
	struct fwkit_finding *it = &f->items[f->count++];
	memset(it, 0, sizeof(*it));
	it->severity = sev;
	it->offset = offset;
	str_printf(it->code, sizeof(it->code), "%s", code);
	str_printf(it->expected, sizeof(it->expected), "%s", expected ? expected : "");
	str_printf(it->found, sizeof(it->found), "%s", found ? found : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(it->message, sizeof(it->message), fmt, ap);
	va_end(ap);
}
