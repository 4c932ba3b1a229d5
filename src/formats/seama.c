/*
 * Seama (D-Link and some WD/NEC routers), big-endian (openwrt/openwrt tools/firmware-utils
 * src/seama.h, openwrt/firmware-utils src/oseama.c; formats.md 8):
 *   magic 0x5EA3A417, reserved u16, metasize u16, size u32,
 *   then, when size is not 0, the MD5 of the SIZE image bytes (an "entity": 28-byte header),
 *   then METASIZE bytes of meta data (NUL-terminated "key=value" strings, padded to 4),
 *   then the image.
 * A header whose size is 0 is a "seal" (12 bytes and its meta) followed by entities.
 */
#include <string.h>

#include "core/digest.h"
#include "core/internal.h"
#include "formats/payload.h"

#define SEAMA_MAGIC 0x5EA3A417u
#define SEAL_HEADER 12
#define ENTITY_HEADER 28
#define MAX_ENTITIES 8

struct seama_entity {
	uint64_t at;         /* the entity's header, from the container start */
	uint16_t metasize;
	uint32_t size;
	const uint8_t *md5;
	uint64_t meta_at, image_at;
};

struct seama {
	bool sealed;         /* a seal header (size 0) before the entities */
	uint16_t seal_metasize;
	size_t n;
	struct seama_entity e[MAX_ENTITIES];
	uint64_t end;        /* the extent of the whole */
};

/* Meta data: printable strings separated and padded by NULs. */
static bool meta_ok(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] && (p[i] < 0x20 || p[i] >= 0x7F))
			return false;
	return true;
}

static bool read_entity(struct cursor *c, struct seama_entity *e)
{
	e->at = cursor_pos(c);
	if (cursor_be32(c) != SEAMA_MAGIC)
		return false;
	cursor_skip(c, 2);
	e->metasize = cursor_be16(c);
	e->size = cursor_be32(c);
	e->md5 = cursor_bytes(c, MD5_SIZE);
	e->meta_at = cursor_pos(c);
	const uint8_t *meta = cursor_bytes(c, e->metasize);
	e->image_at = cursor_pos(c);
	return cursor_ok(c) && e->size > 0 && meta_ok(meta, e->metasize) && cursor_skip(c, e->size);
}

static bool parse(const uint8_t *buf, size_t len, struct seama *s)
{
	memset(s, 0, sizeof(*s));
	struct cursor c;
	cursor_init(&c, buf, len, 0);
	if (cursor_be32(&c) != SEAMA_MAGIC)
		return false;
	cursor_skip(&c, 2);
	uint16_t metasize = cursor_be16(&c);
	uint32_t size = cursor_be32(&c);
	if (!cursor_ok(&c))
		return false;
	if (size == 0) {
		s->sealed = true;
		s->seal_metasize = metasize;
		const uint8_t *meta = cursor_bytes(&c, metasize);
		if (!meta || !meta_ok(meta, metasize))
			return false;
	} else {
		cursor_seek(&c, 0);
	}
	while (s->n < MAX_ENTITIES && cursor_remaining(&c) >= ENTITY_HEADER && load_be32(buf + cursor_pos(&c)) == SEAMA_MAGIC) {
		if (!read_entity(&c, &s->e[s->n]))
			return false;
		s->n++;
		if (!s->sealed)
			break;
	}
	s->end = cursor_pos(&c);
	return s->n > 0;
}

static bool md5_ok(const uint8_t *buf, const struct seama_entity *e, uint8_t out[MD5_SIZE])
{
	const struct byte_span span = { buf + e->image_at, e->size };
	md5_spans(&span, 1, out);
	return memcmp(out, e->md5, MD5_SIZE) == 0;
}

static void seama_probe(struct cursor *c, struct probe_result *r)
{
	const uint8_t *buf = c->base + c->pos;
	struct seama s;
	if (!parse(buf, cursor_remaining(c), &s))
		return;
	r->bits = 32 + 16;
	r->size = s.end;
	uint8_t md5[MD5_SIZE];
	bool all = true;
	for (size_t i = 0; i < s.n; i++)
		all = all && md5_ok(buf, &s.e[i], md5);
	if (all)
		r->bits += 128;
	str_printf(r->validated, sizeof(r->validated), "magic, sizes, meta text%s", all ? ", MD5 of every image" : " (MD5 bad)");
}

/* The meta strings of one header as fields PREFIX_meta_N. */
static void add_meta(struct fwkit_node *n, const char *prefix, const uint8_t *p, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len;) {
		size_t sl = strnlen((const char *)p + i, len - i);
		if (sl) {
			char key[40];
			str_printf(key, sizeof(key), "%smeta_%zu", prefix, k++);
			fwkit_node_add_string(n, key, p + i, sl);
		}
		i += sl + 1;
	}
}

static enum fwkit_status seama_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct seama s;
	if (!parse(buf, len, &s))
		return FWKIT_OK;
	fwkit_node_add_bool(n, "sealed", s.sealed);
	if (s.sealed)
		add_meta(n, "seal_", buf + SEAL_HEADER, s.seal_metasize);
	fwkit_node_add_uint(n, "entities", s.n, false);
	for (size_t i = 0; i < s.n; i++) {
		const struct seama_entity *e = &s.e[i];
		char prefix[24], key[48];
		str_printf(prefix, sizeof(prefix), "entity_%zu_", i);
		str_printf(key, sizeof(key), "%soffset", prefix);
		fwkit_node_add_uint(n, key, e->at, true);
		str_printf(key, sizeof(key), "%ssize", prefix);
		fwkit_node_add_uint(n, key, e->size, false);
		add_meta(n, prefix, buf + e->meta_at, e->metasize);
		uint8_t md5[MD5_SIZE];
		bool ok = md5_ok(buf, e, md5);
		str_printf(key, sizeof(key), "%smd5", prefix);
		fwkit_node_add_bytes(n, key, e->md5, MD5_SIZE);
		str_printf(key, sizeof(key), "%smd5_ok", prefix);
		fwkit_node_add_bool(n, key, ok);
		if (!ok) {
			char exp[2 * MD5_SIZE + 1], fnd[2 * MD5_SIZE + 1];
			md5_hex(md5, exp);
			md5_hex(e->md5, fnd);
			node_finding(n, FWKIT_SEV_ERROR, "seama.md5", fwkit_node_offset(n) + e->at + SEAL_HEADER, exp, fnd,
				     "seama: bad MD5 of entity %zu's %u-byte image", i, e->size);
		}
	}
	if (s.n == 1) {
		fwkit_node_add_uint(n, "payload_offset", s.e[0].image_at, true);
		fwkit_node_add_uint(n, "payload_size", s.e[0].size, false);
	}
	return FWKIT_OK;
}

/* Every entity's image must be a format of the table: a kernel (uImage, ...) or a file system. */
static enum fwkit_status seama_verify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct seama s;
	enum fwkit_status st = FWKIT_OK;
	if (!parse(buf, len, &s))
		return FWKIT_OK;
	for (size_t i = 0; i < s.n && st == FWKIT_OK; i++) {
		char what[24];
		str_printf(what, sizeof(what), "entity_%zu", i);
		payload_check(ctx, n, "seama.payload", what, buf, len, s.e[i].image_at, s.e[i].size,
			      PAYLOAD_KERNEL | PAYLOAD_ROOTFS, &st);
	}
	return st;
}

static bool seama_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_seama = {
	.name = "seama",
	.summary = "Seama image (D-Link; seama, oseama)",
	.role = FORMAT_IMAGE,
	.magics = { { "\x5e\xa3\xa4\x17", 4 } },
	.align = 4,
	.probe = seama_probe,
	.describe = seama_describe,
	.verify = seama_verify,
	.whole_image = seama_whole_image,
	.verified_bits = 48,
};
