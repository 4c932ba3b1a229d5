/*
 * U-Boot environment blocks: finding them in dumps, reading, editing and building them.
 *
 * Facts (../shared/reference/formats.md sections 2 and 4): U-Boot include/env_internal.h and
 * tools/env/fw_env.c for the layout; env/common.c env_check_redund for which redundant copy is
 * loaded; tools/mkenvimage.c for how blobs are built; xmir-patcher's read_info.py for the idea
 * of finding an env's size by trying candidate sizes until the CRC matches.
 *
 * A block is CRC(4) [flag(1)] data...; the CRC is zlib CRC-32 over the whole data area in the
 * target CPU's byte order (little-endian on MIPS el routers). Everything read from the input goes
 * through the cursor or through bounds already checked against the buffer length.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cursor.h"
#include "core/internal.h"
#include "devices/edit_target.h"
#include "fwkit/dump.h"
#include "formats/registry.h"
#include "fwkit/codec.h"
#include "fwkit/env.h"

enum {
	ENV_CRC_LEN = 4,
	ENV_FLAG_LEN = 1,
	SCAN_STEP = 0x200,           /* smallest sector anyone puts an env on (NAND page halves) */
	TEXT_SCAN_STEP = 0x1000,     /* CRC-less text is only believed on 4 KiB boundaries */
	SIZE_STEP = 0x10,            /* env sizes tried: multiples of 16 bytes ... */
	MAX_ENV_SIZE = 0x40000,      /* ... up to 256 KiB (xmir-patcher tries 1..255 KiB) */
	MAX_NAME = 128,
	MIN_TEXT_VARS = 3,           /* CRC-less text needs this many variables to count */
};

static const uint64_t STANDARD_SIZES[] = { 0x400, 0x800, 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x20000, 0x40000 };

const char *fwkit_env_kind_name(enum fwkit_env_kind kind)
{
	switch (kind) {
	case FWKIT_ENV_UBOOT: return "u-boot";
	case FWKIT_ENV_XIAOMI_BDATA: return "xiaomi-bdata";
	case FWKIT_ENV_BREED: return "breed";
	case FWKIT_ENV_TEXT_NO_CRC: return "text-no-crc";
	}
	return "unknown";
}

const char *fwkit_env_scheme_name(enum fwkit_env_flag_scheme scheme)
{
	switch (scheme) {
	case FWKIT_ENV_FLAGS_NONE: return "single";
	case FWKIT_ENV_FLAGS_BOOLEAN: return "boolean";
	case FWKIT_ENV_FLAGS_COUNTER: return "counter";
	}
	return "unknown";
}

static bool name_char(uint8_t c)
{
	return c > 0x20 && c < 0x7F && c != '=';
}

/* The characters real variable names use; stricter than what U-Boot accepts, for telling text
 * that starts a block from a CRC whose bytes happen to be printable. */
static bool plain_name_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

static bool all_plain(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!plain_name_char(p[i]))
			return false;
	return true;
}

/* Does P (N bytes available) start with "name=" for a plausible variable name? */
static bool starts_with_var(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n && i < MAX_NAME && name_char(p[i]))
		i++;
	return i > 0 && i < n && p[i] == '=';
}

/*
 * Walks the variable list at P (at most N bytes): counts entries, finds the terminating empty
 * string. *USED gets the bytes up to and including the final NUL. False when no terminator.
 */
static bool walk_vars(const uint8_t *p, size_t n, size_t *used, size_t *nvars, size_t *valid_vars)
{
	size_t pos = 0, count = 0, valid = 0;
	while (pos < n) {
		if (p[pos] == 0) {
			*used = pos + 1;
			*nvars = count;
			if (valid_vars)
				*valid_vars = valid;
			return true;
		}
		const uint8_t *nul = memchr(p + pos, 0, n - pos);
		if (!nul)
			return false;
		size_t elen = (size_t)(nul - (p + pos));
		if (starts_with_var(p + pos, elen))
			valid++;
		count++;
		pos += elen + 1;
	}
	return false;
}

/* The padding byte right after the terminator, if the rest of the area is that byte. */
static int pad_of(const uint8_t *p, size_t n)
{
	if (n == 0)
		return -1;
	uint8_t b = p[0];
	for (size_t i = 1; i < n; i++)
		if (p[i] != b)
			return -1;
	return b;
}

static bool looks_like_bdata(const uint8_t *p, size_t used)
{
	/* Xiaomi Bdata carries board identity and never a boot command (formats.md 4.1). */
	bool id = false, boot = false;
	size_t pos = 0;
	while (pos < used && p[pos]) {
		const uint8_t *nul = memchr(p + pos, 0, used - pos);
		size_t elen = nul ? (size_t)(nul - (p + pos)) : used - pos;
		if ((elen > 3 && memcmp(p + pos, "SN=", 3) == 0) || (elen > 12 && memcmp(p + pos, "CountryCode=", 12) == 0) ||
		    (elen > 6 && memcmp(p + pos, "color=", 6) == 0))
			id = true;
		if (elen > 8 && memcmp(p + pos, "bootcmd=", 8) == 0)
			boot = true;
		pos += elen + 1;
	}
	return id && !boot;
}

/* Fills the text-derived fields of B from its data area. */
static void fill_text(struct fwkit_env_block *b, const uint8_t *buf, size_t len)
{
	uint64_t avail = b->data_offset <= len ? len - b->data_offset : 0;
	uint64_t area = b->data_size < avail ? b->data_size : avail;
	size_t used = 0, nvars = 0;
	if (walk_vars(buf + b->data_offset, (size_t)area, &used, &nvars, NULL)) {
		b->used = used;
		/* an empty list is written as one NUL by mkenvimage and two by U-Boot: count both as used */
		if (used < area && nvars == 0 && buf[b->data_offset + used] == 0)
			b->used = used + 1;
		b->nvars = nvars;
		b->pad_byte = pad_of(buf + b->data_offset + b->used, (size_t)(area - b->used));
	} else {
		b->used = area;
		b->nvars = 0;
		b->pad_byte = -1;
	}
}

/*
 * Tries CRC sizes for a block whose data starts at D (header HDR bytes before it): every
 * multiple of SIZE_STEP from the smallest that holds MIN_DATA bytes up to MAX_ENV_SIZE, plus
 * the size that reaches the end of the buffer (a bare blob). Returns the env size or 0.
 */
static uint64_t crc_size_search(const uint8_t *buf, size_t len, uint64_t block, unsigned hdr, size_t min_data,
				uint32_t stored_le, uint32_t stored_be, bool *big_endian)
{
	uint64_t data = block + hdr;
	if (data > len)
		return 0;
	uint64_t avail = len - data;
	uint64_t limit = avail < MAX_ENV_SIZE - hdr ? avail : MAX_ENV_SIZE - hdr;
	uint64_t first = min_data + hdr;
	first = (first + SIZE_STEP - 1) / SIZE_STEP * SIZE_STEP; /* env sizes, header included */
	uint64_t n = first - hdr;                                  /* data bytes covered so far */
	if (n > limit)
		n = limit;
	uint32_t crc = fwkit_crc32(0, buf + data, (size_t)n);
	for (;;) {
		if (n >= min_data && (crc == stored_le || crc == stored_be)) {
			*big_endian = crc != stored_le;
			return n + hdr;
		}
		if (n >= limit)
			break;
		uint64_t step = limit - n < SIZE_STEP ? limit - n : SIZE_STEP;
		/* land on the next multiple of SIZE_STEP in total size, or on the limit */
		uint64_t to_boundary = SIZE_STEP - ((n + hdr) % SIZE_STEP);
		if (to_boundary < step)
			step = to_boundary;
		crc = fwkit_crc32(crc, buf + data + n, (size_t)step);
		n += step;
	}
	/* a bare blob (the env alone in a file, at offset 0) larger than the search limit */
	if (block == 0 && avail > limit && avail <= 4 * MAX_ENV_SIZE * 16) {
		uint32_t whole = fwkit_crc32(crc, buf + data + n, (size_t)(avail - n));
		if (whole == stored_le || whole == stored_be) {
			*big_endian = whole != stored_le;
			return avail + hdr;
		}
	}
	return 0;
}

static uint64_t guess_size(uint64_t needed, uint64_t room)
{
	for (size_t i = 0; i < sizeof(STANDARD_SIZES) / sizeof(STANDARD_SIZES[0]); i++)
		if (STANDARD_SIZES[i] >= needed && STANDARD_SIZES[i] <= room)
			return STANDARD_SIZES[i];
	return needed <= room ? needed : room;
}

/*
 * The size of a block whose CRC cannot prove it, from its structure: U-Boot's saveenv writes the
 * whole env size, zero-filled after the variables (env_export), and the flash after it stays
 * erased. A zero run that ends at a standard size, followed by 0xFF or the end of the input, is
 * taken as the block's end; otherwise the smallest standard size that holds the variables.
 */
static uint64_t padded_size(const uint8_t *p, size_t room, uint64_t used)
{
	size_t end = (size_t)used;
	size_t limit = room < MAX_ENV_SIZE ? room : MAX_ENV_SIZE;
	while (end < limit && p[end] == 0)
		end++;
	if (end > used && (end == room || p[end] == 0xFF))
		for (size_t i = 0; i < sizeof(STANDARD_SIZES) / sizeof(STANDARD_SIZES[0]); i++)
			if (STANDARD_SIZES[i] == end)
				return end;
	return guess_size(used, room);
}

/*
 * Looks for a block at offset O. FORCED: the env size is given (0: find it). TEXT_OK: also
 * accept CRC-less text here. Returns true and fills *B when something env-like starts at O.
 */
static bool probe_at(const uint8_t *buf, size_t len, uint64_t o, uint64_t forced, bool text_ok,
		     struct fwkit_env_block *b)
{
	memset(b, 0, sizeof(*b));
	b->copy = -1;
	b->pad_byte = -1;
	b->offset = o;
	if (o > len || len - o < 8)
		return false;
	if (forced && forced > len - o)
		return false;
	const uint8_t *p = buf + o;
	size_t room = len - o;
	if (forced && forced <= ENV_CRC_LEN + ENV_FLAG_LEN)
		return false;

	/* Breed: "ENV\0" then variables (or nothing: an empty Breed env at the end of its area). */
	if (memcmp(p, "ENV\0", 4) == 0) {
		b->kind = FWKIT_ENV_BREED;
		b->data_offset = o + 4;
		b->size = forced ? forced : guess_size(room < 8 ? room : 8, room);
		if (!forced) {
			size_t used = 0, nvars = 0;
			if (walk_vars(p + 4, room - 4 < MAX_ENV_SIZE ? room - 4 : MAX_ENV_SIZE, &used, &nvars, NULL))
				b->size = guess_size(used + 4, room);
			else
				b->size = room < MAX_ENV_SIZE ? room : MAX_ENV_SIZE;
		}
		b->data_size = b->size - 4;
		b->size_known = forced != 0;
		b->active = true;
		fill_text(b, buf, len);
		return true;
	}

	struct cursor c;
	cursor_init(&c, p, room, o);
	uint32_t le = cursor_le32(&c);
	cursor_init(&c, p, room, o);
	uint32_t be = cursor_be32(&c);
	size_t window = room < MAX_ENV_SIZE ? room : MAX_ENV_SIZE;

	for (unsigned hdr = ENV_CRC_LEN; hdr <= ENV_CRC_LEN + ENV_FLAG_LEN; hdr++) {
		if (!starts_with_var(p + hdr, window - hdr))
			continue;
		size_t used = 0, nvars = 0, valid = 0;
		if (!walk_vars(p + hdr, (forced ? forced : window) - hdr, &used, &nvars, &valid))
			continue;
		/* an environment is name=value text: when most entries are not, this is other data whose
		 * bytes happened to start like a variable (compressed streams do), and no CRC is tried */
		if (!forced && valid * 2 <= nvars)
			continue;
		bool big = false;
		uint64_t size = 0;
		if (forced) {
			uint32_t crc = fwkit_crc32(0, p + hdr, (size_t)(forced - hdr));
			if (crc == le || crc == be) {
				size = forced;
				big = crc != le;
			}
		} else if (le != 0 && le != 0xFFFFFFFFu) {
			size = crc_size_search(buf, len, o, hdr, used, le, be, &big);
		}
		if (!size)
			continue;
		b->kind = FWKIT_ENV_UBOOT;
		b->size = size;
		b->size_known = true;
		b->redundant = hdr == ENV_CRC_LEN + ENV_FLAG_LEN;
		b->flag = b->redundant ? p[ENV_CRC_LEN] : 0;
		b->has_crc = true;
		b->crc_big_endian = big;
		b->crc_stored = big ? be : le;
		b->data_offset = o + hdr;
		b->data_size = size - hdr;
		b->crc_computed = b->crc_stored;
		b->crc_ok = true;
		b->active = true;
		fill_text(b, buf, len);
		if (!b->redundant && looks_like_bdata(buf + b->data_offset, (size_t)b->used))
			b->kind = FWKIT_ENV_XIAOMI_BDATA;
		return true;
	}

	/* No CRC matched. Text right at O with no header: env-like text without a CRC. */
	size_t used = 0, nvars = 0, valid = 0;
	if (text_ok && all_plain(p, 4) && starts_with_var(p, window) && walk_vars(p, window, &used, &nvars, &valid) &&
	    valid >= MIN_TEXT_VARS) {
		b->kind = FWKIT_ENV_TEXT_NO_CRC;
		b->data_offset = o;
		b->size = forced ? forced : guess_size(used, room);
		b->data_size = b->size;
		fill_text(b, buf, len);
		return true;
	}
	/* A header, then plausible variables, but no size makes the CRC match: a U-Boot env whose
	 * CRC is bad. Its size cannot be proven; take FORCED or the smallest standard size. */
	for (unsigned hdr = ENV_CRC_LEN; hdr <= ENV_CRC_LEN + ENV_FLAG_LEN; hdr++) {
		if (!starts_with_var(p + hdr, window - hdr) || all_plain(p, 4))
			continue;
		if (!walk_vars(p + hdr, window - hdr, &used, &nvars, &valid) || valid < 1 || valid * 2 < nvars)
			continue;
		if (hdr == ENV_CRC_LEN + ENV_FLAG_LEN && name_char(p[ENV_CRC_LEN]))
			continue;
		b->kind = FWKIT_ENV_UBOOT;
		b->size = forced ? forced : (o == 0 && len <= MAX_ENV_SIZE ? len : padded_size(p, room, used + hdr));
		b->size_known = forced != 0;
		b->redundant = hdr == ENV_CRC_LEN + ENV_FLAG_LEN;
		b->flag = b->redundant ? p[ENV_CRC_LEN] : 0;
		b->has_crc = true;
		b->crc_big_endian = false;
		b->crc_stored = le;
		b->data_offset = o + hdr;
		b->data_size = b->size - hdr;
		b->crc_computed = fwkit_crc32(0, buf + b->data_offset, (size_t)b->data_size);
		b->crc_ok = false;
		fill_text(b, buf, len);
		return true;
	}
	return false;
}

/* U-Boot's env_check_redund: which of two good copies is loaded. */
static int active_copy(const struct fwkit_env_block *a, const struct fwkit_env_block *b)
{
	if (a->crc_ok != b->crc_ok)
		return a->crc_ok ? 0 : 1;
	if (a->flag == 255 && b->flag == 0)
		return 1;
	if (a->flag == 0 && b->flag == 255)
		return 0;
	return b->flag > a->flag ? 1 : 0;
}

/* U-Boot gives both copies of a pair one size: a copy whose CRC is bad had its size guessed, and
 * takes its good partner's when it lies at least that far away (its text is read again with it). */
static void adopt_partner_size(struct fwkit_env_block *a, struct fwkit_env_block *b, const uint8_t *buf, size_t len)
{
	struct fwkit_env_block *bad = !a->crc_ok && !a->size_known ? a : !b->crc_ok && !b->size_known ? b : NULL;
	struct fwkit_env_block *good = bad == a ? b : a;
	if (!buf || !bad || !good->crc_ok || !good->size_known || b->offset - a->offset < good->size ||
	    bad->offset + good->size > len)
		return;
	uint64_t hdr = bad->data_offset - bad->offset;
	bad->size = good->size;
	bad->size_known = true;
	bad->data_size = bad->size - hdr;
	bad->crc_computed = fwkit_crc32(0, buf + bad->data_offset, (size_t)bad->data_size);
	fill_text(bad, buf, len);
}

static void pair_redundant(struct fwkit_env_scan *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < s->count; i++) {
		struct fwkit_env_block *a = &s->blocks[i];
		if (!a->redundant || a->copy >= 0)
			continue;
		for (size_t j = i + 1; j < s->count; j++) {
			struct fwkit_env_block *b = &s->blocks[j];
			if (!b->redundant || b->copy >= 0 || b->offset - a->offset > MAX_ENV_SIZE)
				continue;
			adopt_partner_size(a, b, buf, len);
			/* the partner has the same geometry and follows within one maximal env size */
			if (b->size != a->size || b->crc_big_endian != a->crc_big_endian)
				continue;
			a->copy = 0;
			b->copy = 1;
			a->other_offset = b->offset;
			b->other_offset = a->offset;
			enum fwkit_env_flag_scheme scheme = (a->flag <= 1 && b->flag <= 1) ? FWKIT_ENV_FLAGS_BOOLEAN
											   : FWKIT_ENV_FLAGS_COUNTER;
			a->scheme = b->scheme = scheme;
			int act = active_copy(a, b);
			a->active = act == 0 && a->crc_ok;
			b->active = act == 1 && b->crc_ok;
			break;
		}
	}
}

static void add_block(struct fwkit_env_scan *s, const struct fwkit_env_block *b)
{
	if (s->count < FWKIT_ENV_MAX_BLOCKS)
		s->blocks[s->count++] = *b;
}

static bool looks_like_env_text(const uint8_t *p, size_t len);

/* Every env-like block in BUF, noise included: fwkit_env_find filters, the scan engine nests. */
static enum fwkit_status find_blocks(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_env_scan *out)
{
	if (!out)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "env: no result buffer");
	memset(out, 0, sizeof(*out));
	if (!buf)
		return FWKIT_OK;
	uint64_t o = 0;
	while (o + 8 <= len && out->count < FWKIT_ENV_MAX_BLOCKS) {
		struct fwkit_env_block b;
		const uint8_t *p = buf + o;
		/* cheap filters first: a header followed by a variable name, or a Breed marker */
		bool maybe = memcmp(p, "ENV\0", 4) == 0 || starts_with_var(p + 4, len - o - 4) ||
			     (len - o > 5 && starts_with_var(p + 5, len - o - 5)) ||
			     (o % TEXT_SCAN_STEP == 0 && starts_with_var(p, len - o));
		if (maybe && probe_at(buf, len, o, 0, o % TEXT_SCAN_STEP == 0, &b)) {
			add_block(out, &b);
			uint64_t end = b.size_known ? o + b.size : b.data_offset + b.used;
			o = (end + SCAN_STEP - 1) / SCAN_STEP * SCAN_STEP;
			continue;
		}
		o += SCAN_STEP;
	}
	/* Breed keeps an empty env as a bare "ENV\0" marker at the end of its area, which need not be
	 * on a scan step (the Mi Router 4C's sits in the last 4 bytes of the 192 KiB partition). */
	for (uint64_t m = 0; m + 4 <= len && out->count < FWKIT_ENV_MAX_BLOCKS; m += 4) {
		if (buf[m] != 'E' || memcmp(buf + m, "ENV\0", 4) != 0 || (m + 4) % 0x1000 != 0)
			continue;
		bool known = false;
		for (size_t i = 0; i < out->count; i++)
			if (m >= out->blocks[i].offset && m < out->blocks[i].offset + out->blocks[i].size)
				known = true;
		if (known)
			continue;
		struct fwkit_env_block b;
		memset(&b, 0, sizeof(b));
		b.kind = FWKIT_ENV_BREED;
		b.offset = m;
		b.size = 4;
		b.size_known = true;
		b.data_offset = m + 4;
		b.copy = -1;
		b.pad_byte = -1;
		b.active = true;
		add_block(out, &b);
	}
	pair_redundant(out, buf, len);
	return FWKIT_OK;
}

enum fwkit_status fwkit_env_block_at(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t offset,
				     uint64_t size, struct fwkit_env_block *out)
{
	char exp[48], fnd[80];
	if (offset > len || (size && size > len - offset)) {
		snprintf(exp, sizeof(exp), "at most 0x%zx", len);
		/* the end as a person reads it: never a value wrapped past 2^64 */
		if (size > UINT64_MAX - offset)
			snprintf(fnd, sizeof(fnd), "0x%llx + 0x%llx (past 2^64)", (unsigned long long)offset,
				 (unsigned long long)size);
		else
			snprintf(fnd, sizeof(fnd), "0x%llx", (unsigned long long)(offset + size));
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, offset, exp, fnd, "env: block runs past the end of the file");
	}
	if (len - offset < 8 || (size && size < 8)) {
		snprintf(fnd, sizeof(fnd), "%llu bytes", (unsigned long long)(size ? size : len - offset));
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, offset, "at least 8 bytes", fnd, "env: block too short");
	}
	if (!probe_at(buf, len, offset, size, true, out))
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_MAGIC, offset, "a CRC then name=value text", NULL,
				   "env: no environment here");
	/* a redundant copy: look for its partner right after it, to know which copy is active */
	if (out->redundant && out->size_known) {
		struct fwkit_env_block next;
		if (probe_at(buf, len, offset + out->size, out->size, false, &next) && next.redundant) {
			struct fwkit_env_scan s = { .count = 2 };
			s.blocks[0] = *out;
			s.blocks[1] = next;
			pair_redundant(&s, buf, len);
			*out = s.blocks[0];
		}
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_env_vars(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				 const struct fwkit_env_block *b, struct fwkit_env_vars *out)
{
	memset(out, 0, sizeof(*out));
	if (b->data_offset > len)
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, b->data_offset, NULL, NULL, "env: data past the end of the file");
	uint64_t avail = len - b->data_offset;
	uint64_t area = b->data_size < avail ? b->data_size : avail;
	const uint8_t *p = buf + b->data_offset;
	size_t cap = 0;
	size_t pos = 0;
	while (pos < area) {
		if (p[pos] == 0) {
			out->terminated = true;
			break;
		}
		const uint8_t *nul = memchr(p + pos, 0, (size_t)(area - pos));
		size_t elen = nul ? (size_t)(nul - (p + pos)) : (size_t)(area - pos);
		const uint8_t *eq = memchr(p + pos, '=', elen);
		if (!eq || eq == p + pos) {
			out->malformed++;
		} else {
			if (out->count == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct fwkit_env_var *ni = realloc(out->items, ncap * sizeof(*ni));
				if (!ni) {
					fwkit_env_vars_free(out);
					return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
				}
				out->items = ni;
				cap = ncap;
			}
			struct fwkit_env_var *v = &out->items[out->count++];
			v->name = (const char *)(p + pos);
			v->name_len = (size_t)(eq - (p + pos));
			v->value = (const char *)(eq + 1);
			v->value_len = elen - v->name_len - 1;
			v->offset = b->data_offset + pos;
		}
		if (!nul)
			break;
		pos += elen + 1;
	}
	return FWKIT_OK;
}

void fwkit_env_vars_free(struct fwkit_env_vars *vars)
{
	free(vars->items);
	vars->items = NULL;
	vars->count = 0;
}

enum fwkit_status fwkit_env_check_var(struct fwkit_ctx *ctx, const char *name, size_t name_len, const char *value,
				      size_t value_len)
{
	if (name_len == 0)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a name", "an empty name",
				   "env: invalid variable name");
	for (size_t i = 0; i < name_len; i++) {
		unsigned char ch = (unsigned char)name[i];
		if (ch == '=' || ch == 0 || ch == '\n' || ch == '\r' || ch <= 0x20 || ch == 0x7F)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "no '=', blank or control character",
					   ch == '=' ? "'='" : "a blank or control character",
					   "env: invalid variable name \"%.*s\"", (int)(name_len < 64 ? name_len : 64), name);
	}
	if (value) {
		for (size_t i = 0; i < value_len; i++)
			if (value[i] == 0 || value[i] == '\n')
				return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "one line of text",
						   value[i] ? "a newline" : "a NUL byte", "env: invalid value for \"%.*s\"",
						   (int)(name_len < 64 ? name_len : 64), name);
	}
	return FWKIT_OK;
}

/* Entries of the new list: pointers into the source env or into the edits. */
struct entry {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	bool deleted;
};

/* Adds [OFF, OFF+N) to the sorted, disjoint list of changed ranges, joining ranges a few bytes
 * apart; when the list is full the nearest range grows to cover the new one. */
static void add_range(struct fwkit_env_change *ch, uint64_t off, uint64_t n)
{
	uint64_t end = off + n;
	size_t i = 0;
	while (i < ch->nranges && ch->ranges[i].offset + ch->ranges[i].length + 8 < off)
		i++;
	if (i < ch->nranges && ch->ranges[i].offset <= end + 8) {
		/* overlaps or touches range i: merge, then absorb any later ranges it now reaches */
		struct fwkit_byte_range *r = &ch->ranges[i];
		uint64_t lo = off < r->offset ? off : r->offset;
		uint64_t hi = end > r->offset + r->length ? end : r->offset + r->length;
		size_t j = i + 1;
		while (j < ch->nranges && ch->ranges[j].offset <= hi + 8) {
			uint64_t jend = ch->ranges[j].offset + ch->ranges[j].length;
			if (jend > hi)
				hi = jend;
			j++;
		}
		r->offset = lo;
		r->length = hi - lo;
		memmove(&ch->ranges[i + 1], &ch->ranges[j], (ch->nranges - j) * sizeof(ch->ranges[0]));
		ch->nranges -= j - (i + 1);
		return;
	}
	if (ch->nranges == FWKIT_ENV_MAX_RANGES) {
		size_t k = i < ch->nranges ? i : ch->nranges - 1;
		struct fwkit_byte_range *r = &ch->ranges[k];
		uint64_t lo = off < r->offset ? off : r->offset;
		uint64_t hi = end > r->offset + r->length ? end : r->offset + r->length;
		r->offset = lo;
		r->length = hi - lo;
		return;
	}
	memmove(&ch->ranges[i + 1], &ch->ranges[i], (ch->nranges - i) * sizeof(ch->ranges[0]));
	ch->ranges[i].offset = off;
	ch->ranges[i].length = n;
	ch->nranges++;
}

/* Records the differing runs between OLD and NEW (N bytes at absolute offset BASE). */
static void diff_ranges(struct fwkit_env_change *ch, const uint8_t *old, const uint8_t *new, size_t n, uint64_t base)
{
	size_t i = 0;
	while (i < n) {
		if (old[i] == new[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && old[j] != new[j])
			j++;
		add_range(ch, base + i, j - i);
		i = j;
	}
}

/*
 * The block a caller hands back is only a description: its fields may have been changed, or it
 * may describe another buffer. Probes BUF again at the block's offset with its size and refuses
 * (FWKIT_E_INVALID_ARG) a block whose geometry differs from what is there. *OUT gets what the
 * bytes say (CRC state included), with the caller's pairing and size_known kept: those say which
 * partner to write and whether the size was given, and are checked again where they are used.
 */
static enum fwkit_status recheck_block(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				       const struct fwkit_env_block *block, struct fwkit_env_block *out)
{
	char exp[48], fnd[48];
	if (!probe_at(buf, len, block->offset, block->size, false, out) || !out->has_crc) {
		snprintf(exp, sizeof(exp), "an env of size 0x%llx", (unsigned long long)block->size);
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, block->offset, exp, "no such env there",
				   "env: the block does not describe the bytes at its offset");
	}
	const char *field = NULL;
	uint64_t want = 0, have = 0;
#define FIELD(f)                                                   \
	if (!field && (uint64_t)out->f != (uint64_t)block->f) { \
		field = #f;                                        \
		want = (uint64_t)out->f;                           \
		have = (uint64_t)block->f;                         \
	}
	FIELD(kind)
	FIELD(size)
	FIELD(redundant)
	FIELD(data_offset)
	FIELD(data_size)
	FIELD(crc_big_endian)
#undef FIELD
	if (field) {
		snprintf(exp, sizeof(exp), "%s 0x%llx", field, (unsigned long long)want);
		snprintf(fnd, sizeof(fnd), "%s 0x%llx", field, (unsigned long long)have);
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, block->offset, exp, fnd,
				   "env: the block does not describe the bytes at its offset (changed by the caller?)");
	}
	out->copy = block->copy;
	out->other_offset = block->other_offset;
	out->size_known = block->size_known;
	out->scheme = block->scheme;
	out->active = block->active;
	return FWKIT_OK;
}

enum fwkit_status fwkit_env_apply(struct fwkit_ctx *ctx, uint8_t *buf, size_t len, const struct fwkit_env_block *given,
				  const struct fwkit_env_edit *edits, size_t nedits, bool replace, bool repair,
				  struct fwkit_env_change *ch)
{
	if (!ch || !given || !buf || (nedits && !edits))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "env: a NULL argument");
	memset(ch, 0, sizeof(*ch));
	if (given->kind == FWKIT_ENV_TEXT_NO_CRC || given->kind == FWKIT_ENV_BREED || !given->has_crc)
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, given->offset, "a CRC-protected U-Boot env",
				   fwkit_env_kind_name(given->kind), "env: this kind of block is not edited by fwkit");
	if (given->offset > len || given->size > len - given->offset)
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, given->offset, NULL, NULL, "env: block past the end of the file");
	struct fwkit_env_block checked;
	enum fwkit_status re = recheck_block(ctx, buf, len, given, &checked);
	if (re != FWKIT_OK)
		return re;
	const struct fwkit_env_block *block = &checked;
	enum fwkit_status shape = edit_target_flash_shaped(ctx, buf, len, block->offset, block->size);
	if (shape == FWKIT_OK)
		shape = edit_target_whole_dump(ctx, buf, len, block->offset, block->size);
	if (shape != FWKIT_OK)
		return shape;
	for (size_t i = 0; i < nedits; i++) {
		/* An import may carry multi-line values (mkenvimage's backslash continuation, and U-Boot
		 * stores them); a single edit may not, so a stray newline never splits a variable. */
		if (!edits[i].name)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a name", "NULL",
					   "env: edit %zu has no variable name", i);
		const char *v = edits[i].value;
		size_t vlen = v ? strlen(v) : 0;
		enum fwkit_status st = fwkit_env_check_var(ctx, edits[i].name, strlen(edits[i].name),
							   replace ? NULL : v, replace ? 0 : vlen);
		if (st != FWKIT_OK)
			return st;
	}

	/* Source: the copy U-Boot loads. Target: for a pair, the other copy; else the block itself. */
	struct fwkit_env_block src = *block, dst = *block, other;
	bool paired = block->redundant && block->copy >= 0;
	enum fwkit_env_flag_scheme scheme = FWKIT_ENV_FLAGS_NONE;
	if (paired) {
		if (!probe_at(buf, len, block->other_offset, block->size, false, &other) || !other.redundant)
			paired = false;
		/* the partner must be a block of its own: copies that overlap would be written over each other */
		else if (other.offset < block->offset + block->size && block->offset < other.offset + other.size)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, block->other_offset, "a partner copy outside the block",
					   "a partner that overlaps it", "env: the redundant pair's copies overlap");
	}
	if (paired) {
		other.copy = block->copy ? 0 : 1;
		const struct fwkit_env_block *first = block->copy == 0 ? block : &other;
		const struct fwkit_env_block *second = block->copy == 0 ? &other : block;
		int act = active_copy(first, second);
		src = act == 0 ? *first : *second;
		dst = act == 0 ? *second : *first;
		/* the scheme is a property of the pair: both flags 0/1 means boolean */
		scheme = (first->flag <= 1 && second->flag <= 1) ? FWKIT_ENV_FLAGS_BOOLEAN : FWKIT_ENV_FLAGS_COUNTER;
	}
	if (!src.crc_ok && !repair) {
		char exp[16], fnd[16];
		snprintf(exp, sizeof(exp), "0x%08x", src.crc_computed);
		snprintf(fnd, sizeof(fnd), "0x%08x", src.crc_stored);
		return FWKIT_RAISE(ctx, FWKIT_E_BAD_CHECKSUM, src.offset, exp, fnd,
				   "env: the block's CRC is already bad; refusing to edit it (--repair to rewrite it)");
	}

	if (!dst.size_known) {
		char found[64];
		str_printf(found, sizeof(found), "a guessed size of 0x%llx", (unsigned long long)dst.size);
		return FWKIT_RAISE(ctx, FWKIT_E_UNSUPPORTED, dst.offset, "an env size proven by its CRC", found,
				   "env: refusing to write a block whose size is not known: add --size 0x%llx if that is the "
				   "env size (fw_env.config's, or your device profile's)",
				   (unsigned long long)dst.size);
	}

	struct fwkit_env_vars vars = { 0 };
	enum fwkit_status st = FWKIT_OK;
	if (!replace) {
		st = fwkit_env_vars(ctx, buf, len, &src, &vars);
		if (st != FWKIT_OK)
			return st;
	}
	size_t cap = vars.count + nedits;
	struct entry *list = calloc(cap ? cap : 1, sizeof(*list));
	uint8_t *area = NULL, *before = NULL;
	if (!list) {
		fwkit_env_vars_free(&vars);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	size_t n = 0;
	for (size_t i = 0; i < vars.count; i++)
		list[n++] = (struct entry){ vars.items[i].name, vars.items[i].name_len, vars.items[i].value,
					    vars.items[i].value_len, false };
	for (size_t e = 0; e < nedits; e++) {
		size_t nl = strlen(edits[e].name);
		bool found = false;
		for (size_t i = 0; i < n; i++) {
			if (list[i].deleted || list[i].name_len != nl || memcmp(list[i].name, edits[e].name, nl) != 0)
				continue;
			if (!edits[e].value || found) {
				list[i].deleted = true; /* deleting, or a duplicate of a name just set */
			} else {
				list[i].value = edits[e].value;
				list[i].value_len = strlen(edits[e].value);
				found = true;
			}
		}
		if (!found && edits[e].value)
			list[n++] = (struct entry){ edits[e].name, nl, edits[e].value, strlen(edits[e].value), false };
	}

	/* serialise: name=value\0 ... \0, then the block's padding */
	uint64_t need = 1;
	for (size_t i = 0; i < n; i++)
		if (!list[i].deleted)
			need += list[i].name_len + 1 + list[i].value_len + 1;
	if (need == 1)
		need = 2; /* an empty environment is written as two NULs, as U-Boot's export does */
	ch->needed = need;
	ch->capacity = dst.data_size;
	if (need > dst.data_size) {
		char exp[64], fnd[64];
		snprintf(exp, sizeof(exp), "at most %llu bytes", (unsigned long long)dst.data_size);
		snprintf(fnd, sizeof(fnd), "%llu bytes", (unsigned long long)need);
		st = FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, dst.offset, exp, fnd,
				 "env: the new environment needs %llu bytes, block holds %llu", (unsigned long long)need,
				 (unsigned long long)dst.data_size);
		goto out;
	}
	area = malloc((size_t)dst.data_size);
	before = malloc((size_t)dst.size);
	if (!area || !before) {
		st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		goto out;
	}
	int pad = src.pad_byte >= 0 ? src.pad_byte : 0x00;
	memset(area, pad, (size_t)dst.data_size);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (list[i].deleted)
			continue;
		memcpy(area + w, list[i].name, list[i].name_len);
		w += list[i].name_len;
		area[w++] = '=';
		memcpy(area + w, list[i].value, list[i].value_len);
		w += list[i].value_len;
		area[w++] = 0;
	}
	area[w++] = 0;
	if (w < 2)
		area[w++] = 0;

	/* everything is checked: now change the caller's buffer */
	memcpy(before, buf + dst.offset, (size_t)dst.size);
	uint8_t *blk = buf + dst.offset;
	unsigned hdr = dst.redundant ? ENV_CRC_LEN + ENV_FLAG_LEN : ENV_CRC_LEN;
	memcpy(blk + hdr, area, (size_t)dst.data_size);
	uint8_t new_flag = dst.flag;
	if (paired)
		new_flag = scheme == FWKIT_ENV_FLAGS_COUNTER ? (uint8_t)(src.flag + 1) : 1;
	if (dst.redundant)
		blk[ENV_CRC_LEN] = new_flag;
	uint32_t crc = fwkit_crc32(0, blk + hdr, (size_t)dst.data_size);
	if (dst.crc_big_endian)
		store_be32(blk, crc);
	else
		store_le32(blk, crc);
	diff_ranges(ch, before, blk, (size_t)dst.size, dst.offset);
	if (paired && scheme == FWKIT_ENV_FLAGS_BOOLEAN && buf[src.offset + ENV_CRC_LEN] != 0) {
		/* the boolean scheme: the old copy is marked obsolete, its flag byte alone rewritten */
		buf[src.offset + ENV_CRC_LEN] = 0;
		add_range(ch, src.offset + ENV_CRC_LEN, 1);
	}
	ch->written_offset = dst.offset;
	ch->new_flag = new_flag;
out:
	free(before);
	free(area);
	free(list);
	fwkit_env_vars_free(&vars);
	return st;
}

enum fwkit_status fwkit_env_text_parse(struct fwkit_ctx *ctx, const uint8_t *t, size_t tlen, uint8_t *out, size_t cap,
				       size_t *used)
{
	/* tools/mkenvimage.c, rule for rule: empty lines and '#' lines (at a line start) are skipped,
	 * "\\\n" becomes an embedded newline, every other newline ends a variable. */
	size_t ep = 0, fp = 0;
	for (; fp < tlen && ep < cap; ++fp) {
		if (t[fp] == '\n') {
			if (fp == 0 || t[fp - 1] == '\n')
				continue;
			else if (t[fp - 1] == '\\')
				out[ep - 1] = '\n';
			else
				out[ep++] = '\0';
		} else if ((fp == 0 || t[fp - 1] == '\n') && t[fp] == '#') {
			while (++fp < tlen && t[fp] != '\n')
				;
		} else {
			out[ep++] = t[fp];
		}
	}
	/* The area filled up: what is left may only be blank lines and comments. */
	for (; fp < tlen; ++fp) {
		if (t[fp] == '\n' && (fp == 0 || t[fp - 1] == '\n'))
			continue;
		if ((fp == 0 || t[fp - 1] == '\n') && t[fp] == '#') {
			while (++fp < tlen && t[fp] != '\n')
				;
			continue;
		}
		break;
	}
	bool too_large = fp < tlen;
	if (!too_large && ep > 0 && out[ep - 1] != '\0') {
		if (ep >= cap)
			too_large = true;
		else
			out[ep++] = '\0';
	}
	if (!too_large) {
		if (ep >= cap)
			too_large = true;
		else
			out[ep++] = '\0';
	}
	if (too_large) {
		char exp[40];
		snprintf(exp, sizeof(exp), "at most %zu bytes", cap);
		return FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, FWKIT_NO_OFFSET, exp, "more",
				   "env: the environment text is too large for the environment size");
	}
	*used = ep;
	return FWKIT_OK;
}

enum fwkit_status fwkit_env_build(struct fwkit_ctx *ctx, const struct fwkit_env_build_params *p, uint8_t **out,
				  size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	unsigned hdr = p->redundant ? ENV_CRC_LEN + ENV_FLAG_LEN : ENV_CRC_LEN;
	if (p->size <= hdr || p->size > (1ull << 31)) {
		char fnd[32];
		snprintf(fnd, sizeof(fnd), "%llu", (unsigned long long)p->size);
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "more than the header, at most 2 GiB", fnd,
				   "env: bad environment size");
	}
	uint8_t *blob = malloc((size_t)p->size);
	if (!blob)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	size_t data = (size_t)p->size - hdr;
	memset(blob, p->pad, (size_t)p->size);
	size_t used = 0;
	enum fwkit_status st = fwkit_env_text_parse(ctx, p->text, p->text_len, blob + hdr, data, &used);
	if (st != FWKIT_OK) {
		free(blob);
		return st;
	}
	if (p->redundant)
		blob[ENV_CRC_LEN] = 1; /* mkenvimage -r: the copy is active */
	uint32_t crc = fwkit_crc32(0, blob + hdr, data);
	if (p->big_endian)
		store_be32(blob, crc);
	else
		store_le32(blob, crc);
	*out = blob;
	*out_len = (size_t)p->size;
	return FWKIT_OK;
}

/* Registry hooks. The probe: a header whose CRC matches proves 32 bits, plus 8 for the text. */
static void ubootenv_probe(struct cursor *c, struct probe_result *r)
{
	struct fwkit_env_block b;
	if (!probe_at(c->base + c->pos, cursor_remaining(c), 0, 0, false, &b) || !b.crc_ok)
		return;
	r->bits = 40;
	r->size = b.size;
	str_printf(r->validated, sizeof(r->validated), "CRC-32 over the data, name=value text");
}

/* "name=value\0" then the list's end or a second such variable: what an environment's text looks
 * like (a bad-CRC block elsewhere is noise). */
static bool looks_like_env_text(const uint8_t *p, size_t len)
{
	size_t i = 0;
	for (int var = 0; var < 2; var++) {
		if (var == 1 && i < len && p[i] == 0)
			return true; /* a one-variable environment */
		size_t start = i;
		while (i < len && (isalnum(p[i]) || p[i] == '_' || p[i] == '.' || p[i] == '-'))
			i++;
		if (i == start || i >= len || p[i] != '=')
			return false;
		while (++i < len && p[i] >= 0x20 && p[i] < 0x7F)
			;
		if (i >= len || p[i] != 0)
			return false;
		i++;
	}
	return true;
}

static void describe_block(struct fwkit_node *n, const struct fwkit_env_block *b)
{
	fwkit_node_add_enum(n, "kind", b->kind, fwkit_env_kind_name(b->kind));
	fwkit_node_add_uint(n, "env_size", b->size, true);
	fwkit_node_add_bool(n, "size_known", b->size_known);
	fwkit_node_add_bool(n, "redundant", b->redundant);
	if (b->redundant) {
		fwkit_node_add_uint(n, "flag", b->flag, false);
		fwkit_node_add_bool(n, "active", b->active);
	}
	if (b->has_crc) {
		fwkit_node_add_uint(n, "crc_stored", b->crc_stored, true);
		fwkit_node_add_uint(n, "crc_computed", b->crc_computed, true);
		fwkit_node_add_bool(n, "crc_ok", b->crc_ok);
		fwkit_node_add_enum(n, "crc_byte_order", b->crc_big_endian, b->crc_big_endian ? "big-endian" : "little-endian");
	}
	fwkit_node_add_uint(n, "variables", b->nvars, false);
	fwkit_node_add_uint(n, "used", b->used, false);
	if (b->has_crc && !b->crc_ok) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "env.crc", .offset = b->offset };
		str_printf(f.message, sizeof(f.message), "env: bad CRC");
		str_printf(f.expected, sizeof(f.expected), "0x%08x", b->crc_computed);
		str_printf(f.found, sizeof(f.found), "0x%08x", b->crc_stored);
		fwkit_node_add_finding(n, &f);
	}
}

static enum fwkit_status ubootenv_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct fwkit_env_block b;
	enum fwkit_status st = fwkit_env_block_at(ctx, buf, len, 0, 0, &b);
	if (st == FWKIT_OK) {
		b.offset += fwkit_node_offset(n);
		describe_block(n, &b);
	}
	return st;
}

/*
 * A block whose CRC cannot give its size takes it from the device profile whose structures the
 * dump has (fwkit_dump_fit) when the profile puts an env exactly there: a guess with a source.
 */
static void size_from_profile(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_env_scan *out)
{
	bool any = false;
	for (size_t i = 0; i < out->count; i++)
		any |= !out->blocks[i].size_known && out->blocks[i].kind == FWKIT_ENV_UBOOT;
	struct fwkit_dump_fit fit;
	if (!any || fwkit_dump_fit(ctx, NULL, buf, len, NULL, 0, &fit) != FWKIT_OK || !fit.device || fit.delta)
		return;
	const struct fwkit_profile *p = fit.device;
	for (size_t i = 0; i < out->count; i++) {
		struct fwkit_env_block *b = &out->blocks[i];
		for (size_t e = 0; e < p->nenvs && !b->size_known && b->kind == FWKIT_ENV_UBOOT; e++) {
			const struct fwkit_partition *pt = fwkit_profile_partition(p, p->envs[e].partition);
			if (pt && (uint64_t)pt->offset + p->envs[e].offset == b->offset && p->envs[e].size <= len - b->offset) {
				b->size = p->envs[e].size;
				b->data_size = b->size - (b->data_offset - b->offset);
				b->crc_computed = fwkit_crc32(0, buf + b->data_offset, (size_t)b->data_size);
			}
		}
	}
}

/*
 * The blocks a person would call environments: none inside data a decoder claims (a squashfs, a
 * compressed stream, a uImage's payload: formats_claimed_ranges), and a block whose CRC is bad
 * only when its text reads like an environment. LZMA and squashfs data are full of "CRC BAD" noise.
 */
enum fwkit_status fwkit_env_find(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_env_scan *out)
{
	enum fwkit_status st = find_blocks(ctx, buf, len, out);
	if (st != FWKIT_OK || !out->count)
		return st;
	struct format_range claimed[64];
	size_t nclaimed = formats_claimed_ranges(buf, len, claimed, sizeof(claimed) / sizeof(claimed[0]));
	size_t kept = 0;
	for (size_t i = 0; i < out->count; i++) {
		const struct fwkit_env_block *b = &out->blocks[i];
		bool inside = false;
		for (size_t k = 0; k < nclaimed && !inside; k++)
			inside = b->offset >= claimed[k].start && b->offset < claimed[k].end;
		bool noise = b->has_crc && !b->crc_ok &&
			     !(b->data_offset < len && looks_like_env_text(buf + b->data_offset, len - b->data_offset));
		if (!inside && !noise)
			out->blocks[kept++] = *b;
	}
	out->count = kept;
	size_from_profile(ctx, buf, len, out);
	return FWKIT_OK;
}

/* Environments have no magic: fwkit_env_find's search, keeping blocks whose CRC holds and
 * bad-CRC blocks whose text reads like an environment. */
static enum fwkit_status ubootenv_scan(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *parent)
{
	struct fwkit_env_scan *s = malloc(sizeof(*s));
	if (!s)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	enum fwkit_status st = find_blocks(ctx, buf, len, s);
	for (size_t i = 0; st == FWKIT_OK && i < s->count; i++) {
		const struct fwkit_env_block *b = &s->blocks[i];
		bool plausible = b->crc_ok || (b->kind == FWKIT_ENV_BREED) ||
				 (b->data_offset < len && looks_like_env_text(buf + b->data_offset, len - b->data_offset));
		/* text without a CRC is everywhere in bootloaders (their default env): only a file that
		 * starts with it is an env (a partition read alone, as the Keenetic kit's ENV.bin) */
		if (!plausible || (b->kind == FWKIT_ENV_TEXT_NO_CRC && b->offset != 0))
			continue;
		struct fwkit_node *n = fwkit_node_new("ubootenv", b->offset, b->size);
		if (!n)
			break;
		fwkit_node_set_validated(n, b->crc_ok ? "CRC-32 over the data, name=value text"
					 : b->has_crc ? "name=value text (CRC bad)" : "name=value text at the start, no CRC",
					 b->crc_ok ? 40 : 16);
		describe_block(n, b);
		fwkit_node_add_child(parent, n);
	}
	free(s);
	return st;
}

const struct fwkit_format fwkit_format_ubootenv = {
	.name = "ubootenv",
	.summary = "U-Boot environment (single, redundant, Xiaomi Bdata, Breed)",
	.role = FORMAT_CONFIG,
	.probe = ubootenv_probe,
	.describe = ubootenv_describe,
	.scan = ubootenv_scan,
	.verified_bits = 16, /* name=value text; 40 with a CRC that matches */
};
