/*
 * Findings: verdicts about an input (bad CRC, truncated payload, odd vendor field).
 * A finding is data, not an error: the call that produced it succeeded.
 */
#ifndef FWKIT_FINDINGS_H
#define FWKIT_FINDINGS_H

#include <stdint.h>
#include <stddef.h>
#include "status.h"

enum fwkit_severity {
	FWKIT_SEV_INFO = 0,  /* worth knowing, harmless */
	FWKIT_SEV_WARN = 1,  /* unusual, may matter on some devices */
	FWKIT_SEV_ERROR = 2, /* blocking: this will not boot or flash as it is */
};

#define FWKIT_FINDINGS_MAX 32

struct fwkit_finding {
	enum fwkit_severity severity;
	char code[32];      /* stable identifier, e.g. "uimage.data-crc" */
	uint64_t offset;    /* absolute offset in the input the finding is about */
	char message[200];  /* one line, no trailing full stop */
	char expected[64];  /* may be empty */
	char found[64];     /* may be empty */
};

struct fwkit_findings {
	size_t count;
	size_t dropped; /* findings that did not fit in the array */
	struct fwkit_finding items[FWKIT_FINDINGS_MAX];
};

FWKIT_API const char *fwkit_severity_name(enum fwkit_severity sev);
/* The highest severity present, or -1 when there is none. */
FWKIT_API int fwkit_findings_worst(const struct fwkit_findings *f);

#endif
