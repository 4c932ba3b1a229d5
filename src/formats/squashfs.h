/*
 * A squashfs image read through libsquashfs (squashfs-tools-ng) from a memory buffer: the
 * superblock, the compressor, the id and fragment tables and the whole directory tree. Shared by
 * the squashfs module's describe (file and folder counts) and by extract --fs (unpacking).
 */
#ifndef FWKIT_FORMATS_SQUASHFS_H
#define FWKIT_FORMATS_SQUASHFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef FWKIT_DISABLE_SQUASHFS
#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir_reader.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/super.h>

/* An sqfs_file_t over a read-only memory buffer: reads outside [0, len) fail, writes always fail. */
struct squashfs_memfile {
	sqfs_file_t base;
	const uint8_t *buf;
	size_t len;
};

struct squashfs_fs {
	struct squashfs_memfile file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_dir_reader_t *dir;
	sqfs_data_reader_t *data; /* only when opened WITH_DATA */
	sqfs_tree_node_t *root;
	/* counts from the tree: every entry below the root */
	uint64_t files, dirs, symlinks, devices, others;
	/* false: the compressor options block is one libsquashfs does not know (decoding does not need it) */
	bool options_ok;
};

/*
 * Opens the squashfs at BUF (LEN bytes, the file system's bytes_used or more) and reads its whole
 * directory tree. WITH_DATA also prepares the data and fragment readers for file contents.
 * False on failure, with what failed in WHY (the fs is then closed).
 */
bool squashfs_fs_open(struct squashfs_fs *fs, const uint8_t *buf, size_t len, bool with_data, char *why, size_t why_size);
void squashfs_fs_close(struct squashfs_fs *fs);

/* True for a regular file (basic or extended), a folder, a symlink. */
bool squashfs_is_file(const sqfs_inode_generic_t *inode);
bool squashfs_is_dir(const sqfs_inode_generic_t *inode);
bool squashfs_is_symlink(const sqfs_inode_generic_t *inode);
#endif

#endif
