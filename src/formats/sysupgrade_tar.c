/*
 * OpenWrt NAND sysupgrade images: a POSIX (ustar or GNU) tar holding the directory
 * sysupgrade-BOARD/ with CONTROL ("BOARD=name"), kernel and root, sometimes dtb (formats.md 6.1;
 * openwrt/openwrt scripts/sysupgrade-tar.sh), fwtool metadata appended after the tar.
 * Tar headers (POSIX.1-1988 ustar, as GNU tar writes them): 512-byte blocks, name[100], size as
 * 11 octal digits at 124, header checksum at 148 (the sum of the header's bytes with the checksum
 * field taken as spaces, in octal), type at 156, "ustar" at 257; data padded to 512; two zero
 * blocks end the archive.
 */
#include <string.h>

#include "core/internal.h"
#include "formats/payload.h"

#define BLOCK 512
#define RECORD (20 * BLOCK)
#define MAX_MEMBERS 32
#define PREFIX "sysupgrade-"

struct member {
	char name[101];
	uint64_t header_at, data_at, size;
	char type;
};

struct systar {
	size_t n;
	struct member m[MAX_MEMBERS];
	char board[101];
	uint64_t end;       /* after the end-of-archive blocks (or the last member) */
	bool terminated;    /* the two zero blocks are there */
};

/* An octal number field (NUL or space terminated); false when it holds anything else. */
static bool octal(const uint8_t *p, size_t n, uint64_t *out)
{
	size_t i = 0;
	*out = 0;
	while (i < n && p[i] == ' ')
		i++;
	size_t digits = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++, digits++) {
		if (*out >> 60)
			return false;
		*out = *out * 8 + (uint64_t)(p[i] - '0');
	}
	for (; i < n; i++)
		if (p[i] != 0 && p[i] != ' ')
			return false;
	return digits > 0;
}

static bool header_sum_ok(const uint8_t *h)
{
	uint64_t stored, sum = 0;
	if (!octal(h + 148, 8, &stored))
		return false;
	for (size_t i = 0; i < BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : h[i];
	return sum == stored;
}

static bool zero_block(const uint8_t *p)
{
	for (size_t i = 0; i < BLOCK; i++)
		if (p[i])
			return false;
	return true;
}

/* The member whose header is at C's position; false at the end or on a bad header. */
static bool read_member(struct cursor *c, struct member *m)
{
	m->header_at = cursor_pos(c);
	const uint8_t *h = cursor_bytes(c, BLOCK);
	if (!h || memcmp(h + 257, "ustar", 5) != 0 || !header_sum_ok(h) || !octal(h + 124, 12, &m->size))
		return false;
	size_t nl = strnlen((const char *)h, 100);
	memcpy(m->name, h, nl);
	m->name[nl] = 0;
	m->type = (char)h[156];
	m->data_at = cursor_pos(c);
	uint64_t padded = (m->size + BLOCK - 1) / BLOCK * BLOCK;
	return padded <= cursor_remaining(c) && cursor_skip(c, (size_t)padded);
}

/* BOARD from the first member "sysupgrade-BOARD/..." */
static bool board_from(const char *name, char *board, size_t cap)
{
	if (strncmp(name, PREFIX, strlen(PREFIX)) != 0)
		return false;
	const char *b = name + strlen(PREFIX), *slash = strchr(b, '/');
	size_t n = slash ? (size_t)(slash - b) : strlen(b);
	if (!n || n >= cap)
		return false;
	memcpy(board, b, n);
	board[n] = 0;
	return true;
}

/* GNU tar fills the archive with zeros to a whole record (20 blocks): those bytes belong to it. */
static void skip_record_padding(struct cursor *c)
{
	size_t pos = cursor_pos(c), rec = (pos + RECORD - 1) / RECORD * RECORD;
	if (rec - pos > cursor_remaining(c))
		return;
	for (size_t i = pos; i < rec; i++)
		if (c->base[i])
			return;
	cursor_skip(c, rec - pos);
}

static bool parse(const uint8_t *buf, size_t len, struct systar *t)
{
	memset(t, 0, sizeof(*t));
	struct cursor c;
	cursor_init(&c, buf, len, 0);
	while (t->n < MAX_MEMBERS) {
		if (cursor_remaining(&c) >= BLOCK && zero_block(buf + cursor_pos(&c))) {
			t->terminated = cursor_remaining(&c) >= 2 * BLOCK && zero_block(buf + cursor_pos(&c) + BLOCK);
			if (t->terminated)
				cursor_skip(&c, 2 * BLOCK);
			skip_record_padding(&c);
			break;
		}
		struct cursor at = c;
		if (!read_member(&c, &t->m[t->n])) {
			c = at;
			break;
		}
		t->n++;
	}
	t->end = cursor_pos(&c);
	/* sysupgrade-tar.sh tars the directory itself: its entry comes first (a member further in
	 * never starts an archive of its own) */
	return t->n > 0 && t->m[0].type == '5' && board_from(t->m[0].name, t->board, sizeof(t->board));
}

/* The member sysupgrade-BOARD/NAME, or NULL. */
static const struct member *member(const struct systar *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++) {
		const char *slash = strchr(t->m[i].name, '/');
		if (slash && strcmp(slash + 1, name) == 0 && t->m[i].type != '5')
			return &t->m[i];
	}
	return NULL;
}

static void systar_probe(struct cursor *c, struct probe_result *r)
{
	struct systar t;
	if (!parse(c->base + c->pos, cursor_remaining(c), &t))
		return;
	r->bits = 32 + 40 + 32; /* the header checksum, "ustar", the sysupgrade- directory */
	if (member(&t, "kernel") || member(&t, "root"))
		r->bits += 16;
	r->size = t.end;
	str_printf(r->validated, sizeof(r->validated), "tar header checksums, %zu member%s under sysupgrade-%s/", t.n,
		   t.n == 1 ? "" : "s", t.board);
}

/* The BOARD= line of CONTROL. */
static void describe_control(struct fwkit_node *n, const uint8_t *buf, const struct member *m)
{
	const char *p = (const char *)buf + m->data_at, *end = p + m->size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ll > 6 && memcmp(p, "BOARD=", 6) == 0)
			fwkit_node_add_string(n, "control_board", p + 6, ll - 6);
		p += ll + 1;
	}
}

static enum fwkit_status systar_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct systar t;
	if (!parse(buf, len, &t))
		return FWKIT_OK;
	fwkit_node_add_string(n, "board", t.board, strlen(t.board));
	fwkit_node_add_uint(n, "members", t.n, false);
	for (size_t i = 0; i < t.n; i++) {
		char key[32];
		str_printf(key, sizeof(key), "member_%zu", i);
		fwkit_node_add_string(n, key, t.m[i].name, strlen(t.m[i].name));
		str_printf(key, sizeof(key), "member_%zu_size", i);
		fwkit_node_add_uint(n, key, t.m[i].size, false);
	}
	const struct member *control = member(&t, "CONTROL");
	if (control)
		describe_control(n, buf, control);
	const struct member *root = member(&t, "root");
	if (root && root->size >= 4) {
		const uint8_t *p = buf + root->data_at;
		const char *kind = !memcmp(p, "UBI#", 4) ? "ubi" : !memcmp(p, "hsqs", 4) ? "squashfs" : "other";
		fwkit_node_add_string(n, "root_kind", kind, strlen(kind));
	}
	fwkit_node_add_bool(n, "terminated", t.terminated);
	static const char *const needed[] = { "CONTROL", "kernel", "root" };
	for (size_t i = 0; i < 3; i++)
		if (!member(&t, needed[i]))
			node_finding(n, FWKIT_SEV_ERROR, "sysupgrade-tar.member", fwkit_node_offset(n) + t.end, needed[i], "absent",
				     "sysupgrade-tar: no member sysupgrade-%s/%s (sysupgrade needs it)", t.board, needed[i]);
	return FWKIT_OK;
}

/* The kernel member is a kernel of the table; the root a squashfs or a UBI image. */
static enum fwkit_status systar_verify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	struct systar t;
	enum fwkit_status st = FWKIT_OK;
	if (!parse(buf, len, &t))
		return FWKIT_OK;
	const struct member *k = member(&t, "kernel"), *root = member(&t, "root");
	if (k)
		payload_check(ctx, n, "sysupgrade-tar.kernel", "kernel", buf, len, k->data_at, k->size, PAYLOAD_KERNEL, &st);
	if (st == FWKIT_OK && root && !(root->size >= 4 && !memcmp(buf + root->data_at, "UBI#", 4)))
		payload_check(ctx, n, "sysupgrade-tar.root", "root", buf, len, root->data_at, root->size, PAYLOAD_ROOTFS, &st);
	return st;
}

static bool systar_whole_image(const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return true;
}

const struct fwkit_format fwkit_format_sysupgrade_tar = {
	.name = "sysupgrade-tar",
	.summary = "OpenWrt NAND sysupgrade tar (sysupgrade-BOARD/CONTROL, kernel, root)",
	.role = FORMAT_IMAGE,
	.magics = { { "ustar", 5 } },
	.magic_offset = 257,
	.align = BLOCK,
	.probe = systar_probe,
	.describe = systar_describe,
	.verify = systar_verify,
	.whole_image = systar_whole_image,
	.verified_bits = 104,
};
