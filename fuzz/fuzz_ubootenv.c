/*
 * Fuzz target for the U-Boot environment module. Properties checked, beyond survival:
 * - every block found with a proven size lies inside the input, and a CRC said to be good is;
 * - every variable returned lies inside its block's data area;
 * - an edit of a good block leaves every byte outside the block (and its partner's flag byte)
 *   unchanged, and the block reads back with a good CRC and the new value;
 * - mkenvimage's text parser never writes past its buffer, and the blob build is consistent.
 * Replayed over fuzz/corpus/ubootenv in every test build (fuzz/replay).
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

static void check_edit(const uint8_t *data, size_t size, const struct fwkit_env_block *b)
{
	uint8_t *copy = malloc(size);
	if (!copy)
		return;
	memcpy(copy, data, size);
	struct fwkit_env_edit e[] = { { "fuzz", "value" }, { "bootdelay", NULL } };
	struct fwkit_env_change ch;
	if (fwkit_env_apply(NULL, copy, size, b, e, 2, false, false, &ch) == FWKIT_OK) {
		uint64_t lo = ch.written_offset, hi = ch.written_offset + b->size;
		for (size_t i = 0; i < size; i++) {
			if (copy[i] == data[i] || (i >= lo && i < hi))
				continue;
			/* the only byte allowed outside: the old copy's flag (boolean scheme) */
			REQUIRE(b->redundant && (i == b->offset + 4 || i == b->other_offset + 4));
		}
		struct fwkit_env_block again;
		REQUIRE(fwkit_env_block_at(NULL, copy, size, ch.written_offset, b->size, &again) == FWKIT_OK);
		REQUIRE(again.crc_ok);
		struct fwkit_env_vars v;
		REQUIRE(fwkit_env_vars(NULL, copy, size, &again, &v) == FWKIT_OK);
		bool seen = false;
		for (size_t i = 0; i < v.count; i++)
			if (v.items[i].name_len == 4 && memcmp(v.items[i].name, "fuzz", 4) == 0)
				seen = v.items[i].value_len == 5 && memcmp(v.items[i].value, "value", 5) == 0;
		REQUIRE(seen);
		fwkit_env_vars_free(&v);
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwkit_env_scan s;
	REQUIRE(fwkit_env_find(NULL, data, size, &s) == FWKIT_OK);
	REQUIRE(s.count <= FWKIT_ENV_MAX_BLOCKS);
	bool edited = false;
	for (size_t i = 0; i < s.count; i++) {
		const struct fwkit_env_block *b = &s.blocks[i];
		if (b->size_known)
			REQUIRE(b->offset <= size && b->size <= size - b->offset);
		if (b->crc_ok && b->size_known) {
			size_t hdr = b->redundant ? 5 : 4;
			REQUIRE(b->data_offset == b->offset + hdr);
			REQUIRE(fwkit_crc32(0, data + b->data_offset, (size_t)b->data_size) == b->crc_stored);
		}
		struct fwkit_env_vars v;
		if (fwkit_env_vars(NULL, data, size, b, &v) == FWKIT_OK) {
			for (size_t k = 0; k < v.count; k++) {
				REQUIRE(v.items[k].offset >= b->data_offset);
				REQUIRE((const uint8_t *)v.items[k].value + v.items[k].value_len <= data + size);
			}
			fwkit_env_vars_free(&v);
		}
		if (!edited && b->crc_ok && b->size_known && b->kind == FWKIT_ENV_UBOOT) {
			check_edit(data, size, b);
			edited = true;
		}
	}
	/* the same bytes as mkenvimage input text, into a small exact buffer */
	size_t cap = 64, used = 0;
	uint8_t *out = malloc(cap);
	if (out) {
		if (fwkit_env_text_parse(NULL, data, size, out, cap, &used) == FWKIT_OK)
			REQUIRE(used >= 1 && used <= cap && out[used - 1] == 0);
		free(out);
	}
	return 0;
}
