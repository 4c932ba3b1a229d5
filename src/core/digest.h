/*
 * Digests of byte ranges, computed by nettle (Debian's nettle-dev; no hand-rolled hashes).
 * A digest may run over several spans in order, so a header can be hashed with one field
 * replaced (TP-Link's salted MD5) without copying the input.
 */
#ifndef FWKIT_DIGEST_H
#define FWKIT_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define MD5_SIZE 16

struct byte_span {
	const uint8_t *p;
	size_t n;
};

/* The MD5 of the N spans, one after another, into OUT. */
void md5_spans(const struct byte_span *spans, size_t n, uint8_t out[MD5_SIZE]);

/* The 32 hex digits of an MD5 into OUT (33 bytes with the terminator). */
void md5_hex(const uint8_t md5[MD5_SIZE], char out[2 * MD5_SIZE + 1]);

#endif
