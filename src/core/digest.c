/*
 * MD5 through nettle (src/core/digest.h).
 */
#include <nettle/md5.h>

#include "core/digest.h"
#include "core/internal.h"

void md5_spans(const struct byte_span *spans, size_t n, uint8_t out[MD5_SIZE])
{
	struct md5_ctx c;
	md5_init(&c);
	for (size_t i = 0; i < n; i++)
		if (spans[i].n)
			md5_update(&c, spans[i].n, spans[i].p);
	md5_digest(&c, MD5_SIZE, out);
}

void md5_hex(const uint8_t md5[MD5_SIZE], char out[2 * MD5_SIZE + 1])
{
	for (size_t i = 0; i < MD5_SIZE; i++)
		str_printf(out + 2 * i, 3, "%02x", md5[i]);
}
