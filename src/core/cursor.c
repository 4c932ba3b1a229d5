/*
 * The bounds-checked byte cursor (see cursor.h for the rules it enforces).
 */
#include "core/cursor.h"

#include <string.h>

void cursor_init(struct cursor *c, const uint8_t *base, size_t len, uint64_t origin)
{
	c->base = base;
	c->len = base ? len : 0;
	c->pos = 0;
	c->origin = origin;
	c->failed = false;
	c->fail_pos = 0;
	c->fail_need = 0;
}

/* Returns a pointer to N readable bytes and advances, or fails the cursor. */
static const uint8_t *take(struct cursor *c, size_t n)
{
	if (c->failed)
		return NULL;
	if (n > c->len - c->pos) {
		c->failed = true;
		c->fail_pos = c->pos;
		c->fail_need = n;
		return NULL;
	}
	const uint8_t *p = c->base + c->pos;
	c->pos += n;
	return p;
}

uint8_t cursor_u8(struct cursor *c)
{
	const uint8_t *p = take(c, 1);
	return p ? p[0] : 0;
}

uint16_t cursor_be16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);
	return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint16_t cursor_le16(struct cursor *c)
{
	const uint8_t *p = take(c, 2);
	return p ? (uint16_t)((p[1] << 8) | p[0]) : 0;
}

uint32_t cursor_be32(struct cursor *c)
{
	const uint8_t *p = take(c, 4);
	return p ? load_be32(p) : 0;
}

uint32_t cursor_le32(struct cursor *c)
{
	const uint8_t *p = take(c, 4);
	return p ? load_le32(p) : 0;
}

uint64_t cursor_be64(struct cursor *c)
{
	const uint8_t *p = take(c, 8);
	return p ? ((uint64_t)load_be32(p) << 32) | load_be32(p + 4) : 0;
}

uint64_t cursor_le64(struct cursor *c)
{
	const uint8_t *p = take(c, 8);
	return p ? ((uint64_t)load_le32(p + 4) << 32) | load_le32(p) : 0;
}

const uint8_t *cursor_bytes(struct cursor *c, size_t n)
{
	return take(c, n);
}

bool cursor_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = take(c, n);
	if (!p) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, p, n);
	return true;
}

bool cursor_skip(struct cursor *c, size_t n)
{
	return take(c, n) != NULL;
}

bool cursor_seek(struct cursor *c, size_t pos)
{
	if (c->failed)
		return false;
	if (pos > c->len) {
		c->failed = true;
		c->fail_pos = c->pos;
		c->fail_need = pos - c->pos;
		return false;
	}
	c->pos = pos;
	return true;
}

const char *cursor_cstr(struct cursor *c, size_t max, size_t *len)
{
	if (c->failed)
		return NULL;
	size_t avail = c->len - c->pos;
	size_t window = max < avail ? max + 1 : avail; /* room for the terminator itself */
	const uint8_t *start = c->base + c->pos;
	const uint8_t *nul = window ? memchr(start, 0, window) : NULL;
	if (!nul) {
		c->failed = true;
		c->fail_pos = c->pos;
		c->fail_need = window + 1;
		return NULL;
	}
	size_t n = (size_t)(nul - start);
	if (len)
		*len = n;
	c->pos += n + 1;
	return (const char *)start;
}

struct cursor cursor_sub(struct cursor *c, size_t n)
{
	struct cursor child;
	uint64_t origin = cursor_abs(c);
	const uint8_t *p = take(c, n);
	cursor_init(&child, p, p ? n : 0, origin);
	if (!p) {
		child.failed = true;
		child.fail_need = n;
	}
	return child;
}
