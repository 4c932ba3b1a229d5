/*
 * The byte cursor: the only way libfwkit reads fields out of input bytes.
 *
 * A cursor is a base pointer, a length and a position. Every read is bounds-checked with the
 * test "n > len - pos" (never "pos + n > len", which can wrap). Values are assembled from
 * unsigned bytes by shifts in the byte order the caller names; no struct is ever laid over the
 * input. Errors are sticky: after the first overrun the cursor records where and how many bytes
 * were wanted, stops moving and returns 0 from every read, so a parser reads all its fields and
 * checks cursor_ok() once. See docs/internals/cursor.md.
 */
#ifndef FWKIT_CURSOR_H
#define FWKIT_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cursor {
	const uint8_t *base;
	size_t len;
	size_t pos;
	uint64_t origin;  /* absolute offset of base[0] in the input, for messages */
	bool failed;
	size_t fail_pos;  /* position of the read that failed */
	size_t fail_need; /* bytes it wanted */
};

void cursor_init(struct cursor *c, const uint8_t *base, size_t len, uint64_t origin);

static inline bool cursor_ok(const struct cursor *c) { return !c->failed; }
static inline size_t cursor_pos(const struct cursor *c) { return c->pos; }
static inline size_t cursor_remaining(const struct cursor *c) { return c->len - c->pos; }
/* Absolute offset of the current position in the input. */
static inline uint64_t cursor_abs(const struct cursor *c) { return c->origin + c->pos; }

uint8_t cursor_u8(struct cursor *c);
uint16_t cursor_be16(struct cursor *c);
uint16_t cursor_le16(struct cursor *c);
uint32_t cursor_be32(struct cursor *c);
uint32_t cursor_le32(struct cursor *c);
uint64_t cursor_be64(struct cursor *c);
uint64_t cursor_le64(struct cursor *c);

/* A pointer to the next N bytes, advancing past them; NULL (and failed) when fewer remain. */
const uint8_t *cursor_bytes(struct cursor *c, size_t n);
/* Copies the next N bytes into DST (which holds N); zero-fills DST on failure. */
bool cursor_copy(struct cursor *c, void *dst, size_t n);
bool cursor_skip(struct cursor *c, size_t n);
/* Moves to absolute position POS within the cursor (0..len). */
bool cursor_seek(struct cursor *c, size_t pos);

/*
 * A NUL-terminated string of at most MAX bytes before its terminator. Returns a pointer to
 * the string and its length in *LEN, advancing past the NUL; NULL when no NUL is found within
 * MAX bytes or before the end. Never reads past the end.
 */
const char *cursor_cstr(struct cursor *c, size_t max, size_t *len);

/*
 * A child cursor over the next N bytes (advancing the parent past them). When fewer remain,
 * the parent fails and the child is empty and failed too.
 */
struct cursor cursor_sub(struct cursor *c, size_t n);

/* Byte-order helpers for code that already holds a checked buffer of known size. */
static inline uint32_t load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint32_t load_le32(const uint8_t *p)
{
	return ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | (uint32_t)p[0];
}
static inline void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif
