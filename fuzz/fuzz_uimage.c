/*
 * Fuzz target for the uImage parser. Beyond "does not crash", it asserts properties:
 * - a parse that succeeds describes spans inside the input;
 * - a CRC said to be good really is (recomputed here independently of the parser's path);
 * - a well-formed single image rebuilt from its parsed fields is the same bytes (parse and
 *   build agree), which is what makes `create` and `list` trustworthy together;
 * - every part span fwkit_uimage_part_span hands out lies inside the input.
 * Built with libFuzzer (fuzz preset), and replayed over fuzz/corpus/uimage by a plain main()
 * in every normal test run (fuzz/replay).
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
	fwkit_ctx_set_decompress_limit(ctx, 1 << 20);
	/* leading 0xFF bytes (up to 16, like erased flash before a header) move the offset, so
	 * headers that do not start at 0 get exercised too */
	size_t offset = 0;
	while (offset < size && offset < 16 && data[offset] == 0xFF)
		offset++;
	struct fwkit_uimage img;
	enum fwkit_status st = fwkit_uimage_parse(ctx, data, size, offset, 0, &img);
	if (st != FWKIT_OK) {
		REQUIRE(st == FWKIT_E_TRUNCATED || st == FWKIT_E_BAD_MAGIC || st == FWKIT_E_RANGE);
		fwkit_ctx_free(ctx);
		return 0;
	}
	REQUIRE(img.data_offset == offset + FWKIT_UIMAGE_HEADER_SIZE);
	REQUIRE(img.data_present <= size - img.data_offset);
	REQUIRE(img.findings.count <= FWKIT_FINDINGS_MAX);
	if (img.dcrc_checked) {
		REQUIRE(img.data_complete);
		REQUIRE(img.dcrc_ok == (fwkit_crc32(0, data + img.data_offset, img.data_size) == img.hdr.dcrc));
		REQUIRE(img.data_offset + img.data_size + img.trailer_size == size);
	}
	for (size_t i = 0; i < img.nparts; i++) {
		REQUIRE(img.parts[i].offset >= img.data_offset);
		REQUIRE(img.parts[i].offset + img.parts[i].size <= img.data_offset + img.data_size);
	}
	for (unsigned i = 0; i < 3; i++) {
		uint64_t off = 0, len = 0;
		if (fwkit_uimage_part_span(ctx, &img, size, i, &off, &len) == FWKIT_OK) {
			REQUIRE(off <= size && len <= size - off);
			struct fwkit_decompress_result r;
			enum fwkit_codec codec = fwkit_uimage_codec(img.hdr.comp, data + off, (size_t)len);
			REQUIRE(fwkit_decompress_check(ctx, codec, data + off, (size_t)len, 0, &r) == FWKIT_OK);
			REQUIRE(r.out_size <= (1 << 20) + 65536);
			REQUIRE(!(r.limited && r.ok)); /* a check the budget stopped is never ok */
		}
	}
	/* the parts share one budget: together they never pass it */
	struct fwkit_decompress_budget b;
	fwkit_decompress_budget(ctx, &b);
	REQUIRE(b.used <= b.limit);

	/* parse and build agree on canonical single images */
	bool multi = img.hdr.type == FWKIT_UIMAGE_TYPE_MULTI || img.hdr.type == FWKIT_UIMAGE_TYPE_SCRIPT;
	bool buildable = (img.hdr.type >= 1 && img.hdr.type <= 7) || img.hdr.type == 14;
	bool name_canonical = true;
	for (size_t i = img.name_len; i < FWKIT_UIMAGE_NAME_LEN; i++)
		if (img.hdr.name[i] != 0)
			name_canonical = false;
	if (img.hcrc_ok && img.dcrc_checked && img.dcrc_ok && !multi && buildable && name_canonical &&
	    !img.size_flags) {
		char name[FWKIT_UIMAGE_NAME_LEN + 1];
		memcpy(name, img.hdr.name, img.name_len);
		name[img.name_len] = '\0';
		struct fwkit_iovec v = { data + img.data_offset, img.data_size };
		struct fwkit_uimage_build_params p = {
			.os = img.hdr.os, .arch = img.hdr.arch, .type = img.hdr.type, .comp = img.hdr.comp,
			.load = img.hdr.load, .ep = img.hdr.ep, .time = img.hdr.time, .name = name,
			.parts = &v, .nparts = 1,
		};
		uint8_t *out = NULL;
		size_t out_len = 0;
		REQUIRE(fwkit_uimage_build(ctx, &p, &out, &out_len) == FWKIT_OK);
		REQUIRE(out_len == FWKIT_UIMAGE_HEADER_SIZE + img.data_size);
		REQUIRE(memcmp(out, data + offset, out_len) == 0);
		free(out);
	}
	fwkit_ctx_free(ctx);
	return 0;
}
