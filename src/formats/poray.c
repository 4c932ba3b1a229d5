/*
 * Poray / HAME / Nexx factory images (mkporayfw): the board table and keys as data, encode,
 * decode with the key proved by checksum and uImage, and the format-table module.
 * Facts and their source: ../shared/reference/formats.md section 5.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "formats/registry.h"
#include "fwkit/codec.h"
#include "fwkit/poray.h"
#include "fwkit/uimage.h"

#define KEY_LEN 15
#define LAYOUT_4M 0x3C0000u
#define LAYOUT_8M 0x7C0000u

static const struct {
	const char *name;
	uint8_t bytes[KEY_LEN];
} KEYS[] = {
	{ "HAME", { 0xC8, 0x3C, 0x3A, 0x93, 0xA2, 0x95, 0xC3, 0x63, 0x48, 0x45, 0x58, 0x09, 0x12, 0x03, 0x08 } },
	{ "PORAY_1", { 0x89, 0x6B, 0x5A, 0x93, 0x92, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0xE6, 0xC7 } },
	{ "PORAY_2", { 0xC9, 0x1C, 0x3A, 0x93, 0x92, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0xE6, 0xC7 } },
	{ "PORAY_3", { 0x19, 0x1B, 0x3A, 0x93, 0x92, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0xE6, 0xC7 } },
	{ "PORAY_4", { 0x79, 0x7B, 0x7A, 0x93, 0x92, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0xE6, 0xC7 } },
	{ "NEXX_1", { 0x19, 0x1C, 0x4A, 0x93, 0x96, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0x16, 0xC6 } },
	{ "NEXX_2", { 0x39, 0x1C, 0x4A, 0x93, 0x96, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0x16, 0xC6 } },
	{ "A5_V11", { 0xC8, 0x3C, 0x3A, 0x93, 0xA2, 0x95, 0xC3, 0x63, 0x48, 0x45, 0x58, 0x09, 0x20, 0x11, 0x08 } },
};

/* mkporayfw's board table (formats.md 5.2), in its order: the first match of a name wins. */
static const struct fwkit_poray_board BOARDS[] = {
	{ "A5-V11", 0x32473352, LAYOUT_4M, 7 }, { "MPR-A1", 0x32473352, LAYOUT_4M, 0 },
	{ "MPR-L8", 0x32473352, LAYOUT_4M, 0 }, { "R50B", 0x31353033, LAYOUT_4M, 2 },
	{ "R50D", 0x33353033, LAYOUT_4M, 3 },   { "R50E", 0x34353033, LAYOUT_4M, 4 },
	{ "M3", 0x31353335, LAYOUT_4M, 1 },     { "M4", 0x32353335, LAYOUT_4M, 1 },
	{ "Q3", 0x33353335, LAYOUT_4M, 1 },     { "X5 or X6", 0x35353335, LAYOUT_8M, 1 },
	{ "X5", 0x35353335, LAYOUT_8M, 1 },     { "X6", 0x35353335, LAYOUT_8M, 1 },
	{ "X8", 0x36353335, LAYOUT_8M, 1 },     { "X1", 0x38353335, LAYOUT_8M, 1 },
	{ "WT1520", 0x30353332, LAYOUT_4M, 5 }, { "WT3020", 0x30323033, LAYOUT_4M, 6 },
};

#define NBOARDS (sizeof(BOARDS) / sizeof(BOARDS[0]))
#define NKEYS (sizeof(KEYS) / sizeof(KEYS[0]))

size_t fwkit_poray_board_count(void) { return NBOARDS; }
const struct fwkit_poray_board *fwkit_poray_board_get(size_t i) { return i < NBOARDS ? &BOARDS[i] : NULL; }
const char *fwkit_poray_key_name(unsigned key) { return key < NKEYS ? KEYS[key].name : "unknown"; }

const struct fwkit_poray_board *fwkit_poray_board_find(const char *name)
{
	for (size_t i = 0; name && i < NBOARDS; i++)
		if (strcasecmp(BOARDS[i].name, name) == 0)
			return &BOARDS[i];
	return NULL;
}

/* An arithmetic right shift of a 32-bit two's-complement value held in a uint32_t. */
static uint32_t asr32(uint32_t v, unsigned n)
{
	return (v >> n) | ((v & 0x80000000u) ? ~(0xFFFFFFFFu >> n) : 0);
}

uint16_t fwkit_poray_checksum(const uint8_t *d, size_t len)
{
	/* mkporayfw keeps the sum in a signed int: it wraps past 2^31 and shifts arithmetically
	 * (formats.md 5.4); uint32_t arithmetic wraps the same way without undefined behaviour */
	uint32_t acc = 0;
	size_t i = 0;
	for (; i + 1 < len; i += 2)
		acc += (uint32_t)d[i] | ((uint32_t)d[i + 1] << 8);
	if (i < len)
		acc += d[i];
	uint32_t t = acc + asr32(acc, 16) + 0xFFFFu;
	return (uint16_t)(~(t + asr32(t, 16)) & 0xFFFFu);
}

static void xor_key(uint8_t *d, size_t len, unsigned key)
{
	for (size_t i = 0; i < len; i++)
		d[i] ^= KEYS[key].bytes[i % KEY_LEN];
}

enum fwkit_status fwkit_poray_encode(struct fwkit_ctx *ctx, const struct fwkit_poray_board *b, const uint8_t *in,
				     size_t len, uint32_t max_file, uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (!b || b->key >= NKEYS)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a board of the table", NULL, "poray: no board");
	uint64_t limit = max_file ? max_file : b->max_file;
	/* mkporayfw: "firmware image is too big" when the input exceeds the limit less the header */
	if ((uint64_t)len > limit - FWKIT_PORAY_HEADER_SIZE) {
		char exp[64], fnd[64];
		str_printf(exp, sizeof(exp), "at most %llu bytes", (unsigned long long)(limit - FWKIT_PORAY_HEADER_SIZE));
		str_printf(fnd, sizeof(fnd), "%zu bytes", len);
		return FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, FWKIT_NO_OFFSET, exp, fnd,
				   "poray: the firmware is too big for %s by %llu bytes", b->name,
				   (unsigned long long)(len - (limit - FWKIT_PORAY_HEADER_SIZE)));
	}
	size_t total = FWKIT_PORAY_HEADER_SIZE + len + 2;
	uint8_t *o = calloc(1, total);
	if (!o)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	store_le32(o, b->hw_id);
	store_le32(o + 4, (uint32_t)len);
	store_le32(o + 8, FWKIT_PORAY_FLAGS);
	if (len)
		memcpy(o + FWKIT_PORAY_HEADER_SIZE, in, len);
	uint16_t sum = fwkit_poray_checksum(in, len);
	o[FWKIT_PORAY_HEADER_SIZE + len] = (uint8_t)sum;
	o[FWKIT_PORAY_HEADER_SIZE + len + 1] = (uint8_t)(sum >> 8);
	xor_key(o + FWKIT_PORAY_HEADER_SIZE, len + 2, b->key);
	*out = o;
	*out_len = total;
	return FWKIT_OK;
}

/* The boards of HW_ID that use KEY, as "MPR-A1, MPR-L8". */
static void boards_of(uint32_t hw_id, unsigned key, char *buf, size_t cap)
{
	buf[0] = 0;
	for (size_t i = 0; i < NBOARDS; i++)
		if (BOARDS[i].hw_id == hw_id && BOARDS[i].key == key)
			str_printf(buf + strlen(buf), cap - strlen(buf), "%s%s", buf[0] ? ", " : "", BOARDS[i].name);
}

static bool known_hw_id(uint32_t hw_id)
{
	for (size_t i = 0; i < NBOARDS; i++)
		if (BOARDS[i].hw_id == hw_id)
			return true;
	return false;
}

/* The 64 bytes at the start of the payload under KEY form a uImage header whose CRC holds. */
static bool uimage_under_key(const uint8_t *scrambled, size_t len, unsigned key)
{
	if (len < FWKIT_UIMAGE_HEADER_SIZE)
		return false;
	uint8_t h[FWKIT_UIMAGE_HEADER_SIZE];
	memcpy(h, scrambled, sizeof(h));
	xor_key(h, sizeof(h), key);
	uint32_t stored = load_be32(h + 4);
	memset(h + 4, 0, 4);
	return load_be32(h) == FWKIT_UIMAGE_MAGIC && fwkit_crc32(0, h, sizeof(h)) == stored;
}

/* The checksum of the payload as KEY decodes it, without a copy. */
static uint16_t checksum_under_key(const uint8_t *scrambled, size_t len, unsigned key, uint16_t *stored)
{
	uint8_t chunk[4096];
	uint32_t acc = 0;
	bool odd = false;
	uint8_t low = 0;
	for (size_t done = 0; done < len;) {
		size_t n = len - done < sizeof(chunk) - (sizeof(chunk) % KEY_LEN) ? len - done : sizeof(chunk) - (sizeof(chunk) % KEY_LEN);
		memcpy(chunk, scrambled + done, n);
		xor_key(chunk, n, key); /* N is a multiple of the key length except at the end: the keystream lines up */
		for (size_t i = 0; i < n; i++) {
			if (odd)
				acc += (uint32_t)low | ((uint32_t)chunk[i] << 8);
			else
				low = chunk[i];
			odd = !odd;
		}
		done += n;
	}
	if (odd)
		acc += low;
	uint8_t tail[2] = { scrambled[len], scrambled[len + 1] };
	tail[0] ^= KEYS[key].bytes[len % KEY_LEN];
	tail[1] ^= KEYS[key].bytes[(len + 1) % KEY_LEN];
	*stored = (uint16_t)(tail[0] | (tail[1] << 8));
	uint32_t t = acc + asr32(acc, 16) + 0xFFFFu;
	return (uint16_t)(~(t + asr32(t, 16)) & 0xFFFFu);
}

enum fwkit_status fwkit_poray_decode(struct fwkit_ctx *ctx, const uint8_t *in, size_t len, struct fwkit_poray_info *info,
				     uint8_t **payload, size_t *payload_len)
{
	memset(info, 0, sizeof(*info));
	if (payload)
		*payload = NULL;
	if (payload_len)
		*payload_len = 0;
	struct cursor c;
	cursor_init(&c, in, len, 0);
	info->hw_id = cursor_le32(&c);
	info->firmware_len = cursor_le32(&c);
	info->flags = cursor_le32(&c);
	info->flags_ok = info->flags == FWKIT_PORAY_FLAGS;
	if (!cursor_ok(&c) || len < FWKIT_PORAY_HEADER_SIZE)
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, 0, "a 28-byte header", NULL, "poray: file shorter than its header");
	char found[16];
	str_printf(found, sizeof(found), "0x%08x", info->hw_id);
	if (!known_hw_id(info->hw_id))
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, 0, "a Poray hardware id (mkporayfw's table)", found,
				   "poray: unknown hardware id");
	if (!info->flags_ok) {
		str_printf(found, sizeof(found), "0x%08x", info->flags);
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, 8, "flags 0x020e0000", found, "poray: unexpected flags");
	}
	uint64_t need = (uint64_t)FWKIT_PORAY_HEADER_SIZE + info->firmware_len + 2;
	if (need > len) {
		char exp[48];
		str_printf(exp, sizeof(exp), "%llu bytes", (unsigned long long)need);
		str_printf(found, sizeof(found), "%zu bytes", len);
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, 4, exp, found, "poray: the file is shorter than its firmware length says");
	}
	info->trailing = len - (size_t)need;
	const uint8_t *scrambled = in + FWKIT_PORAY_HEADER_SIZE;
	size_t flen = info->firmware_len;
	/* every key a board with this id uses; a good checksum and a valid uImage decide */
	int best = -1;
	for (size_t i = 0; i < NBOARDS; i++) {
		if (BOARDS[i].hw_id != info->hw_id || (best >= 0 && (unsigned)best == BOARDS[i].key))
			continue;
		unsigned key = BOARDS[i].key;
		uint16_t stored = 0, computed = checksum_under_key(scrambled, flen, key, &stored);
		bool image = uimage_under_key(scrambled, flen, key);
		if (computed == stored && (best < 0 || image)) {
			best = (int)key;
			info->checksum_stored = stored;
			info->checksum_computed = computed;
			info->uimage_ok = image;
			if (image)
				break;
		} else if (best < 0 && !info->checksum_stored) {
			info->checksum_stored = stored;
			info->checksum_computed = computed;
		}
	}
	if (best < 0) {
		char exp[16];
		str_printf(exp, sizeof(exp), "0x%04x", info->checksum_computed);
		str_printf(found, sizeof(found), "0x%04x", info->checksum_stored);
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_CHECKSUM, FWKIT_PORAY_HEADER_SIZE + (int64_t)flen, exp, found,
				   "poray: no key of this hardware id gives a good checksum");
	}
	info->key = (unsigned)best;
	info->checksum_ok = true;
	boards_of(info->hw_id, info->key, info->boards, sizeof(info->boards));
	if (payload) {
		uint8_t *p = malloc(flen ? flen : 1);
		if (!p)
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		memcpy(p, scrambled, flen);
		xor_key(p, flen, info->key);
		*payload = p;
		if (payload_len)
			*payload_len = flen;
	}
	return FWKIT_OK;
}

/* ---- the format-table module ----------------------------------------------------------------- */

static void poray_probe(struct cursor *c, struct probe_result *r)
{
	uint32_t hw_id = cursor_le32(c), flen = cursor_le32(c), flags = cursor_le32(c);
	const uint8_t *zero = cursor_bytes(c, 16);
	if (!zero || !known_hw_id(hw_id) || flags != FWKIT_PORAY_FLAGS)
		return;
	for (int i = 0; i < 16; i++)
		if (zero[i])
			return;
	if ((uint64_t)flen + 2 > cursor_remaining(c))
		return;
	const uint8_t *payload = c->base + c->pos;
	for (size_t i = 0; i < NBOARDS; i++) {
		if (BOARDS[i].hw_id == hw_id && uimage_under_key(payload, flen, BOARDS[i].key)) {
			r->bits = 32 + 32 + 128 + 64; /* hardware id, flags, zero padding, a uImage header CRC under the key */
			r->size = FWKIT_PORAY_HEADER_SIZE + (uint64_t)flen + 2;
			str_printf(r->validated, sizeof(r->validated), "hardware id, flags, a uImage under key %s",
				   KEYS[BOARDS[i].key].name);
			return;
		}
	}
}

static enum fwkit_status poray_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct fwkit_poray_info info;
	uint8_t *payload = NULL;
	size_t plen = 0;
	enum fwkit_status st = fwkit_poray_decode(ctx, buf, len, &info, &payload, &plen);
	fwkit_node_add_uint(n, "hw_id", info.hw_id, true);
	char ascii[5] = { (char)(info.hw_id & 0xFF), (char)((info.hw_id >> 8) & 0xFF), (char)((info.hw_id >> 16) & 0xFF),
			  (char)(info.hw_id >> 24), 0 };
	fwkit_node_add_string(n, "hw_id_text", ascii, 4);
	fwkit_node_add_uint(n, "firmware_len", info.firmware_len, false);
	if (st == FWKIT_OK) {
		fwkit_node_add_string(n, "board", info.boards, strlen(info.boards));
		fwkit_node_add_enum(n, "key", info.key, KEYS[info.key].name);
		fwkit_node_add_uint(n, "checksum", info.checksum_stored, true);
		fwkit_node_add_bool(n, "checksum_ok", info.checksum_ok);
		if (payload && plen >= FWKIT_UIMAGE_HEADER_SIZE && info.uimage_ok) {
			size_t nl = strnlen((const char *)payload + 32, FWKIT_UIMAGE_NAME_LEN);
			fwkit_node_add_string(n, "uimage_name", payload + 32, nl);
		}
		fwkit_node_set_validated(n, "hardware id, flags, uImage header CRC and checksum under the key", 256);
	} else if (st == FWKIT_E_BAD_CHECKSUM) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "poray.checksum",
					   .offset = fwkit_node_offset(n) + FWKIT_PORAY_HEADER_SIZE + info.firmware_len };
		str_printf(f.message, sizeof(f.message), "poray: bad checksum");
		str_printf(f.expected, sizeof(f.expected), "0x%04x", info.checksum_computed);
		str_printf(f.found, sizeof(f.found), "0x%04x", info.checksum_stored);
		fwkit_node_add_finding(n, &f);
		st = FWKIT_OK;
	} else if (st != FWKIT_E_NOMEM) {
		/* a cut file, unknown flags: the decoder's own reason, with what it expected and found */
		const struct fwkit_error *e = fwkit_ctx_error(ctx);
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR,
					   .offset = fwkit_node_offset(n) + (e->has_offset ? e->offset : 0) };
		str_printf(f.code, sizeof(f.code), "poray.%s", fwkit_status_name(st));
		str_printf(f.message, sizeof(f.message), "%s", e->what);
		str_printf(f.expected, sizeof(f.expected), "%s", e->expected);
		str_printf(f.found, sizeof(f.found), "%s", e->found);
		fwkit_node_add_finding(n, &f);
	}
	free(payload);
	return st == FWKIT_E_NOMEM ? st : FWKIT_OK;
}

static bool poray_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true; /* a factory file for a stock web UI: never flash contents */
}

const struct fwkit_format fwkit_format_poray = {
	.name = "poray",
	.summary = "Poray/HAME/Nexx factory image (mkporayfw)",
	.role = FORMAT_IMAGE,
	.magics = { { "R3G2", 4 }, { "3051", 4 }, { "3053", 4 }, { "3054", 4 }, { "5351", 4 }, { "5352", 4 },
		    { "5353", 4 }, { "5355", 4 }, { "5356", 4 }, { "5358", 4 }, { "2350", 4 }, { "3020", 4 } },
	.align = 1,
	.probe = poray_probe,
	.describe = poray_describe,
	.whole_image = poray_whole_image,
	.verified_bits = 256,
};
