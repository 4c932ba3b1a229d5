/*
 * What a container's payload is, found through the format table: the container formats
 * (TP-Link, Seama, Netgear CHK, the NAND sysupgrade tar) check that the kernel or rootfs they
 * carry parses as one of the table's formats, with that format's own probe and describe.
 */
#ifndef FWKIT_FORMATS_PAYLOAD_H
#define FWKIT_FORMATS_PAYLOAD_H

#include "formats/registry.h"

#define ROLE_BIT(r) (1u << (r))
/* What a kernel may be: a uImage, a raw compressed kernel, a FIT (a device tree blob). */
#define PAYLOAD_KERNEL (ROLE_BIT(FORMAT_IMAGE) | ROLE_BIT(FORMAT_STREAM) | ROLE_BIT(FORMAT_DEVICETREE))
#define PAYLOAD_ROOTFS ROLE_BIT(FORMAT_FILESYSTEM)

/*
 * The payload WHAT at [OFF, OFF + PLEN) of the container BUF (LEN bytes, at absolute offset
 * ORIGIN): it must lie inside BUF and be an instance of a table format of a role in ROLES whose
 * probe verifies. Adds "WHAT_format" (the format's name) to N and the payload's own error
 * findings (a uImage's data CRC, ...); when nothing matches, an error finding CODE. Returns the
 * format, or NULL. FWKIT_E_NOMEM is the only failure (*ST).
 */
const struct fwkit_format *payload_check(struct fwkit_ctx *ctx, struct fwkit_node *n, const char *code, const char *what,
					 const uint8_t *buf, size_t len, uint64_t off, uint64_t plen, unsigned roles,
					 enum fwkit_status *st);

/* True when the errors of FORMAT mean a firmware image does not decode or boot: the kernel's
 * container and streams, the root file system, the device tree, scan's root ("file"); an env-like
 * text inside a file system is not one of them. */
bool payload_format(const char *format);

/*
 * The error findings of a scan --deep tree TREE that make an image fail (check's payload rule,
 * image verify): depth first, those of the nodes of a payload format (payload_format; with
 * WITH_FWTOOL also fwtool's blocks: a bad CRC, a cut metadata block), not descending into nodes of
 * other formats. Up to MAX pointers into TREE go to OUT; returns how many were found (may exceed MAX).
 */
size_t payload_errors(const struct fwkit_node *tree, bool with_fwtool, const struct fwkit_finding **out, size_t max);

/* Adds a finding to N: SEV, CODE, absolute OFFSET, EXPECTED and FOUND (NULL: none), message. */
void node_finding(struct fwkit_node *n, enum fwkit_severity sev, const char *code, uint64_t offset,
		  const char *expected, const char *found, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* True when P[0..CAP) is a printable ASCII string (at least one character) ended by a NUL or by
 * CAP, and, when ZERO_PAD, only NULs follow it. *LEN gets its length. */
bool text_field(const uint8_t *p, size_t cap, bool zero_pad, size_t *len);

#endif
