/*
 * Whole-image containers (the firmware-image formats of the format table: uImage, Poray, TRX,
 * TP-Link, Seama, Netgear DNI and CHK, Xiaomi HDR, the NAND sysupgrade tar): which one a file
 * starts with, its typed fields, and its checks, as one result tree (include/fwkit/node.h).
 */
#ifndef FWKIT_CONTAINER_H
#define FWKIT_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "node.h"

/* The name of the I-th container format of the table, or NULL past the last. */
FWKIT_API const char *fwkit_container_name(size_t i);

/*
 * The container at the start of BUF (LEN bytes): the format FORMAT (NULL: of the table's
 * containers, the one whose probe verifies the most bits at offset 0), described into *OUT
 * (checksums as fields and error findings), and with VERIFY its payload checks run too (the
 * kernel or rootfs it carries must parse as a format of the table). Content problems are findings
 * on the node, not errors. Errors: FWKIT_E_INVALID_ARG (FORMAT is not a container of the table),
 * FWKIT_E_BAD_MAGIC (BUF does not start with that container, or with any), FWKIT_E_NOMEM.
 * Free *OUT with fwkit_node_free.
 */
FWKIT_API enum fwkit_status fwkit_container_read(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
						 const char *format, bool verify, struct fwkit_node **out);

#endif
