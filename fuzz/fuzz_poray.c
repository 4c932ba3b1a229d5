/*
 * Fuzz target for the Poray container: decode arbitrary bytes, and round-trip them as firmware.
 * Properties beyond "does not crash":
 * - a successful decode's firmware re-encoded for a board of the found hardware id and key is the
 *   input's first 28 + len + 2 bytes again (decode and encode agree);
 * - any input encoded for every board decodes back to itself with a good checksum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwkit/fwkit.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx)
		return 0;
	struct fwkit_poray_info info;
	uint8_t *fw = NULL;
	size_t fwlen = 0;
	if (fwkit_poray_decode(ctx, data, size, &info, &fw, &fwlen) == FWKIT_OK) {
		REQUIRE(info.checksum_ok && fwlen == info.firmware_len);
		for (size_t i = 0; i < fwkit_poray_board_count(); i++) {
			const struct fwkit_poray_board *b = fwkit_poray_board_get(i);
			if (b->hw_id != info.hw_id || b->key != info.key)
				continue;
			uint8_t *enc = NULL;
			size_t elen = 0;
			if (fwkit_poray_encode(ctx, b, fw, fwlen, 0xFFFFFFFFu, &enc, &elen) == FWKIT_OK) {
				REQUIRE(elen <= size && memcmp(enc, data, elen) == 0);
				free(enc);
			}
			break;
		}
		free(fw);
	}
	/* the input as firmware, for every board: decode gives it back */
	for (size_t i = 0; i < fwkit_poray_board_count(); i++) {
		uint8_t *enc = NULL, *back = NULL;
		size_t elen = 0, blen = 0;
		if (fwkit_poray_encode(ctx, fwkit_poray_board_get(i), data, size, 0, &enc, &elen) != FWKIT_OK)
			continue;
		enum fwkit_status st = fwkit_poray_decode(ctx, enc, elen, &info, &back, &blen);
		/* two keys of one id may both give a good checksum on data that is not a uImage; any
		 * key that decodes must give the same bytes only when it is the board's own */
		REQUIRE(st == FWKIT_OK);
		if (info.key == fwkit_poray_board_get(i)->key)
			REQUIRE(blen == size && (size == 0 || memcmp(back, data, size) == 0));
		free(enc);
		free(back);
	}
	fwkit_ctx_free(ctx);
	return 0;
}
