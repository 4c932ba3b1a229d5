/*
 * squashfs 4.0 (the OpenWrt rootfs): the 96-byte little-endian superblock (squashfs-tools
 * squashfs_fs.h; formats.md 6.5). The probe proves version 4.0, a block size that is a power of
 * two matching its log, a known compressor and tables that lie in order inside bytes_used.
 */
#include "core/internal.h"
#include "formats/registry.h"

enum { SQUASHFS_SUPERBLOCK_SIZE = 96 };

struct squashfs_super {
	uint32_t inodes, mkfs_time, block_size, fragments;
	uint16_t compression, block_log, flags, ids, major, minor;
	uint64_t root_inode, bytes_used, id_table, xattr_table, inode_table, dir_table, frag_table, export_table;
};

static const char *const COMPRESSORS[] = { "unknown", "gzip", "lzma", "lzo", "xz", "lz4", "zstd" };

static bool read_super(struct cursor *c, struct squashfs_super *s)
{
	if (cursor_le32(c) != 0x73717368u) /* "hsqs" */
		return false;
	s->inodes = cursor_le32(c);
	s->mkfs_time = cursor_le32(c);
	s->block_size = cursor_le32(c);
	s->fragments = cursor_le32(c);
	s->compression = cursor_le16(c);
	s->block_log = cursor_le16(c);
	s->flags = cursor_le16(c);
	s->ids = cursor_le16(c);
	s->major = cursor_le16(c);
	s->minor = cursor_le16(c);
	s->root_inode = cursor_le64(c);
	s->bytes_used = cursor_le64(c);
	s->id_table = cursor_le64(c);
	s->xattr_table = cursor_le64(c);
	s->inode_table = cursor_le64(c);
	s->dir_table = cursor_le64(c);
	s->frag_table = cursor_le64(c);
	s->export_table = cursor_le64(c);
	return cursor_ok(c);
}

static bool plausible(const struct squashfs_super *s)
{
	return s->major == 4 && s->minor == 0 && s->block_log >= 12 && s->block_log <= 20 &&
	       s->block_size == (1u << s->block_log) && s->compression >= 1 && s->compression <= 6 &&
	       s->bytes_used >= SQUASHFS_SUPERBLOCK_SIZE && s->inode_table >= SQUASHFS_SUPERBLOCK_SIZE &&
	       s->inode_table < s->dir_table && s->dir_table < s->bytes_used && s->id_table < s->bytes_used;
}

static void squashfs_probe(struct cursor *c, struct probe_result *r)
{
	struct squashfs_super s;
	if (!read_super(c, &s) || !plausible(&s))
		return;
	r->bits = 32 + 32 + 16; /* magic, version + block size/log + compressor, table order */
	r->size = s.bytes_used;
	str_printf(r->validated, sizeof(r->validated), "magic, version 4.0, block size, compressor, table order");
}

static enum fwkit_status squashfs_describe(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	struct cursor c;
	cursor_init(&c, buf, len, fwkit_node_offset(n));
	struct squashfs_super s;
	if (!read_super(&c, &s))
		return FWKIT_OK;
	fwkit_node_add_enum(n, "compression", s.compression, s.compression <= 6 ? COMPRESSORS[s.compression] : "unknown");
	fwkit_node_add_uint(n, "block_size", s.block_size, false);
	fwkit_node_add_uint(n, "bytes_used", s.bytes_used, false);
	fwkit_node_add_uint(n, "inodes", s.inodes, false);
	fwkit_node_add_uint(n, "mkfs_time", s.mkfs_time, false);
	fwkit_node_add_uint(n, "flags", s.flags, true);
	if (s.bytes_used > len) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "squashfs.truncated",
					   .offset = fwkit_node_offset(n) + 40 };
		str_printf(f.message, sizeof(f.message), "squashfs: the file system runs past the end of the input");
		str_printf(f.expected, sizeof(f.expected), "%llu bytes", (unsigned long long)s.bytes_used);
		str_printf(f.found, sizeof(f.found), "%zu bytes", len);
		fwkit_node_add_finding(n, &f);
	}
	return FWKIT_OK;
}

const struct fwkit_format fwkit_format_squashfs = {
	.name = "squashfs",
	.summary = "squashfs 4.0 file system",
	.role = FORMAT_FILESYSTEM,
	.magics = { { "hsqs", 4 } },
	.align = 1,
	.probe = squashfs_probe,
	.describe = squashfs_describe,
	.verified_bits = 80,
};
