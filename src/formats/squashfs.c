/*
 * squashfs 4.0 (the OpenWrt rootfs): the 96-byte little-endian superblock (squashfs-tools
 * squashfs_fs.h; formats.md 6.5). The probe proves version 4.0, a block size that is a power of
 * two matching its log, a known compressor and tables that lie in order inside bytes_used.
 * When the whole file system is present, describe also reads it through libsquashfs (from
 * memory, bounded by bytes_used): the superblock again, the compressor, the id table and the
 * whole directory tree, and reports how many files, folders, symlinks and other entries it holds.
 */
#include <string.h>

#ifndef FWKIT_DISABLE_SQUASHFS
#include <sqfs/error.h>
#endif

#include "core/internal.h"
#include "formats/registry.h"
#include "formats/squashfs.h"

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


#ifndef FWKIT_DISABLE_SQUASHFS /* a build without libsquashfs checks the superblock only */
/* ---- libsquashfs over a memory buffer ---------------------------------------------------- */

static int mem_read_at(sqfs_file_t *f, sqfs_u64 offset, void *buffer, size_t size)
{
	const struct squashfs_memfile *m = (const struct squashfs_memfile *)f;
	if (offset > m->len || size > m->len - offset)
		return SQFS_ERROR_OUT_OF_BOUNDS;
	if (size)
		memcpy(buffer, m->buf + offset, size);
	return 0;
}

static int mem_write_at(sqfs_file_t *f, sqfs_u64 offset, const void *buffer, size_t size)
{
	(void)f, (void)offset, (void)buffer, (void)size;
	return SQFS_ERROR_IO; /* read-only */
}

static sqfs_u64 mem_get_size(const sqfs_file_t *f)
{
	return ((const struct squashfs_memfile *)f)->len;
}

static int mem_truncate(sqfs_file_t *f, sqfs_u64 size)
{
	(void)f, (void)size;
	return SQFS_ERROR_IO;
}

static void mem_destroy(sqfs_object_t *o)
{
	(void)o; /* lives inside struct squashfs_fs */
}

bool squashfs_is_file(const sqfs_inode_generic_t *i)
{
	return i->base.type == SQFS_INODE_FILE || i->base.type == SQFS_INODE_EXT_FILE;
}

bool squashfs_is_dir(const sqfs_inode_generic_t *i)
{
	return i->base.type == SQFS_INODE_DIR || i->base.type == SQFS_INODE_EXT_DIR;
}

bool squashfs_is_symlink(const sqfs_inode_generic_t *i)
{
	return i->base.type == SQFS_INODE_SLINK || i->base.type == SQFS_INODE_EXT_SLINK;
}

static void count_tree(struct squashfs_fs *fs, const sqfs_tree_node_t *n, unsigned depth)
{
	for (const sqfs_tree_node_t *c = n->children; c; c = c->next) {
		const sqfs_inode_generic_t *i = c->inode;
		if (squashfs_is_dir(i)) {
			fs->dirs++;
			if (depth < 256)
				count_tree(fs, c, depth + 1);
		} else if (squashfs_is_file(i)) {
			fs->files++;
		} else if (squashfs_is_symlink(i)) {
			fs->symlinks++;
		} else if (i->base.type == SQFS_INODE_BDEV || i->base.type == SQFS_INODE_CDEV ||
			   i->base.type == SQFS_INODE_EXT_BDEV || i->base.type == SQFS_INODE_EXT_CDEV) {
			fs->devices++;
		} else {
			fs->others++;
		}
	}
}

void squashfs_fs_close(struct squashfs_fs *fs)
{
	if (fs->root)
		sqfs_dir_tree_destroy(fs->root);
	sqfs_destroy(fs->data);
	sqfs_destroy(fs->dir);
	sqfs_destroy(fs->ids);
	sqfs_destroy(fs->cmp);
	fs->root = NULL;
	fs->data = NULL;
	fs->dir = NULL;
	fs->ids = NULL;
	fs->cmp = NULL;
}

bool squashfs_fs_open(struct squashfs_fs *fs, const uint8_t *buf, size_t len, bool with_data, char *why, size_t why_size)
{
	memset(fs, 0, sizeof(*fs));
	fs->file.base.base.destroy = mem_destroy;
	fs->file.base.read_at = mem_read_at;
	fs->file.base.write_at = mem_write_at;
	fs->file.base.get_size = mem_get_size;
	fs->file.base.truncate = mem_truncate;
	fs->file.buf = buf;
	fs->file.len = len;
	sqfs_file_t *file = &fs->file.base;
	const char *step = "superblock";
	int rc = sqfs_super_read(&fs->super, file);
	if (rc == 0 && fs->super.bytes_used < len)
		fs->file.len = (size_t)fs->super.bytes_used; /* nothing past the file system is read */
	sqfs_compressor_config_t cfg;
	if (rc == 0) {
		step = "compressor";
		rc = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)fs->super.compression_id, fs->super.block_size,
						 SQFS_COMP_FLAG_UNCOMPRESS);
	}
	if (rc == 0)
		rc = sqfs_compressor_create(&cfg, &fs->cmp);
	if (rc == 0 && (fs->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS)) {
		/* Decoding needs none of the options (an xz or gzip stream carries its own parameters).
		 * OpenWrt's mksquashfs writes 12 bytes of xz options where libsquashfs expects 8: such
		 * options are noted (options_ok false) and decoding goes on without them. */
		fs->options_ok = fs->cmp->read_options(fs->cmp, file) == 0;
	} else {
		fs->options_ok = true;
	}
	if (rc == 0) {
		step = "id table";
		fs->ids = sqfs_id_table_create(0);
		rc = fs->ids ? sqfs_id_table_read(fs->ids, file, &fs->super, fs->cmp) : SQFS_ERROR_ALLOC;
	}
	if (rc == 0) {
		step = "directory table";
		fs->dir = sqfs_dir_reader_create(&fs->super, fs->cmp, file, 0);
		rc = fs->dir ? sqfs_dir_reader_get_full_hierarchy(fs->dir, fs->ids, NULL, 0, &fs->root) : SQFS_ERROR_ALLOC;
	}
	if (rc == 0 && !squashfs_is_dir(fs->root->inode)) {
		step = "root inode";
		rc = SQFS_ERROR_NOT_DIR;
	}
	if (rc == 0 && with_data) {
		step = "fragment table";
		fs->data = sqfs_data_reader_create(file, fs->super.block_size, fs->cmp, 0);
		rc = fs->data ? sqfs_data_reader_load_fragment_table(fs->data, &fs->super) : SQFS_ERROR_ALLOC;
	}
	if (rc != 0) {
		str_printf(why, why_size, "the %s does not read (libsquashfs error %d)", step, rc);
		squashfs_fs_close(fs);
		return false;
	}
	count_tree(fs, fs->root, 0);
	return true;
}

#endif

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
		str_printf(f.message, sizeof(f.message), "squashfs: the file system at 0x%llx runs past the end of the input (bytes_used)",
			   (unsigned long long)fwkit_node_offset(n));
		str_printf(f.expected, sizeof(f.expected), "%llu bytes", (unsigned long long)s.bytes_used);
		str_printf(f.found, sizeof(f.found), "%zu bytes", len);
		fwkit_node_add_finding(n, &f);
		return FWKIT_OK;
	}
	return FWKIT_OK;
}

#ifndef FWKIT_DISABLE_SQUASHFS
/* The deep check (scan --deep, extract): the whole file system is here, so its tables and its
 * directory tree must read with libsquashfs. It decompresses metadata, so plain scans skip it. */
static enum fwkit_status squashfs_verify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n)
{
	(void)ctx;
	const struct fwkit_field *used = fwkit_node_get(n, "bytes_used");
	if (!used || used->u > len)
		return FWKIT_OK; /* cut short: describe said so */
	struct squashfs_fs fs;
	char why[120];
	if (!squashfs_fs_open(&fs, buf, len, false, why, sizeof(why))) {
		struct fwkit_finding f = { .severity = FWKIT_SEV_ERROR, .code = "squashfs.unreadable",
					   .offset = fwkit_node_offset(n) };
		str_printf(f.message, sizeof(f.message), "squashfs: %s", why);
		str_printf(f.expected, sizeof(f.expected), "a directory tree libsquashfs reads");
		str_printf(f.found, sizeof(f.found), "%s", why);
		fwkit_node_add_finding(n, &f);
		return FWKIT_OK;
	}
	fwkit_node_add_uint(n, "files", fs.files, false);
	fwkit_node_add_uint(n, "dirs", fs.dirs, false);
	fwkit_node_add_uint(n, "symlinks", fs.symlinks, false);
	fwkit_node_add_uint(n, "other_entries", fs.devices + fs.others, false);
	if (!fs.options_ok)
		fwkit_node_add_bool(n, "compressor_options_read", false);
	char how[160];
	str_printf(how, sizeof(how), "%s, directory tree (libsquashfs)", fwkit_node_validated(n));
	fwkit_node_set_validated(n, how, fwkit_node_bits(n));
	squashfs_fs_close(&fs);
	return FWKIT_OK;
}

#endif

const struct fwkit_format fwkit_format_squashfs = {
	.name = "squashfs",
	.summary = "squashfs 4.0 file system",
	.role = FORMAT_FILESYSTEM,
	.magics = { { "hsqs", 4 } },
	.align = 1,
	.probe = squashfs_probe,
	.describe = squashfs_describe,
#ifndef FWKIT_DISABLE_SQUASHFS
	.verify = squashfs_verify,
#endif
	.verified_bits = 80,
};
