/*
 * extract: a partition of a flash dump, one node of the scan tree, or every node into a folder
 * tree (include/fwkit/extract.h). Streams are decoded within the context's decompression budget;
 * squashfs file systems are read with libsquashfs (formats/squashfs.h).
 *
 * Safety of the folder tree: DIR is opened once (O_DIRECTORY|O_NOFOLLOW) and everything below it
 * is created relative to folder descriptors: mkdirat + openat(O_DIRECTORY|O_NOFOLLOW) for folders,
 * openat(O_CREAT|O_EXCL|O_NOFOLLOW) for files. No path is ever joined from names; names from an
 * image are escaped so that none is empty, ".", ".." or holds '/', a control byte or '\'.
 * Symlinks and device nodes of a file system are never created (fs.list records them).
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/budget.h"
#include "core/internal.h"
#include "formats/registry.h"
#include "formats/squashfs.h"
#include "formats/streams.h"
#include "fwkit/extract.h"
#include "fwkit/scan.h"

enum {
	REL_MAX = 4096,       /* the longest path below DIR recorded */
	MAX_LEVELS = 4,       /* levels of decoded data descended into (as scan --deep) */
	MAX_FS_DEPTH = 128,   /* folder depth unpacked from a file system */
	NODE_PATH_MAX = 16,   /* components in a --node path */
	NAME_MAX_BYTES = 255, /* a file name on Linux */
};

/* ---- partitions ----------------------------------------------------------------------------- */

enum fwkit_status fwkit_extract_partition(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *device,
					  const struct fwkit_profile *extra, size_t nextra, const char *name,
					  uint64_t *offset, uint64_t *size, const struct fwkit_profile **profile)
{
	if (!name || !offset || !size)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "extract: no partition name");
	const struct fwkit_profile *p = NULL;
	char found[FWKIT_ERROR_TEXT_MAX];
	if (device) {
		p = fwkit_profile_find(device, extra, nextra);
		if (!p)
			return FWKIT_RAISE(ctx, FWKIT_E_NOT_FOUND, FWKIT_NO_OFFSET, "a device profile id (fwkit profile list)",
					   device, "extract: no such device");
	} else {
		struct fwkit_node *id = NULL;
		enum fwkit_status st = fwkit_identify_file(ctx, buf, len, extra, nextra, &id);
		if (st != FWKIT_OK)
			return st;
		const struct fwkit_field *kind = fwkit_node_get(id, "kind");
		const struct fwkit_field *dev = fwkit_node_get(id, "device");
		if (fwkit_node_finding_count(id) && (!kind || kind->u == FWKIT_KIND_UNKNOWN)) {
			/* a grown or cut dump, a damaged container: identify's own reason */
			const struct fwkit_finding *f = fwkit_node_finding(id, 0);
			enum fwkit_status st2 = FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, f->offset, f->expected, f->found,
							    "extract: %s", f->message);
			fwkit_node_free(id);
			return st2;
		}
		if (!kind || kind->u != FWKIT_KIND_FLASH_DUMP || !dev) {
			str_printf(found, sizeof(found), "%s%s", kind ? kind->text : "unknown",
				   kind && kind->u == FWKIT_KIND_FLASH_DUMP ? " of no known device" : "");
			fwkit_node_free(id);
			return FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, FWKIT_NO_OFFSET, "a whole flash dump of a known device",
					   found, "extract: cannot tell which device this dump is from (name it with --device)");
		}
		p = fwkit_profile_find(dev->text, extra, nextra);
		fwkit_node_free(id);
		if (!p)
			return FWKIT_RAISE(ctx, FWKIT_E_NOT_FOUND, FWKIT_NO_OFFSET, NULL, NULL, "extract: identified device has no profile");
	}
	if (len != p->flash_size) {
		char expected[FWKIT_ERROR_TEXT_MAX];
		str_printf(expected, sizeof(expected), "0x%llx bytes (the flash of %s)", (unsigned long long)p->flash_size, p->id);
		str_printf(found, sizeof(found), "0x%llx bytes", (unsigned long long)len);
		return FWKIT_RAISE(ctx, FWKIT_E_DOES_NOT_FIT, FWKIT_NO_OFFSET, expected, found,
				   "extract: not a whole flash dump of this device");
	}
	const struct fwkit_partition *part = fwkit_profile_partition(p, name);
	if (!part) {
		char expected[FWKIT_ERROR_TEXT_MAX];
		size_t used = (size_t)snprintf(expected, sizeof(expected), "one of");
		for (size_t i = 0; i < p->nparts && used < sizeof(expected); i++)
			used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s %s", i ? "," : "", p->parts[i].name);
		return FWKIT_RAISE(ctx, FWKIT_E_NOT_FOUND, FWKIT_NO_OFFSET, expected, name, "extract: %s has no such partition",
				   p->id);
	}
	if ((uint64_t)part->offset + part->size > len) {
		str_printf(found, sizeof(found), "0x%llx bytes", (unsigned long long)len);
		return FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, part->offset, "the whole partition", found,
				   "extract: partition %s runs past the end of the file", part->name);
	}
	*offset = part->offset;
	*size = part->size;
	if (profile)
		*profile = p;
	return FWKIT_OK;
}

/* ---- streams ---------------------------------------------------------------------------------- */

/* Decodes stream node N of format F inside BUF/LEN. False when it does not decode or the budget
 * stopped it (*HIT_LIMIT). */
static bool decode_node(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n,
			const struct fwkit_format *f, uint8_t **out, size_t *out_len, bool *hit_limit)
{
	uint64_t off = fwkit_node_offset(n), size = fwkit_node_size(n);
	*out = NULL;
	*out_len = 0;
	*hit_limit = false;
	if (off > len)
		return false;
	size_t avail = len - (size_t)off;
	if (size && size < avail)
		avail = (size_t)size;
	uint64_t limit = fwkit_ctx_decompress_limit(ctx);
	size_t used = 0;
	if (!stream_decode_all(ctx, f->codec, buf + off, avail, (size_t)(limit > SIZE_MAX ? SIZE_MAX : limit), out, out_len,
			       &used, hit_limit))
		return false;
	if (!size)
		fwkit_node_set_size(n, used);
	return true;
}

static const struct fwkit_format *stream_format(const struct fwkit_node *n)
{
	const struct fwkit_format *f = formats_by_name(fwkit_node_format(n));
	return f && f->role == FORMAT_STREAM ? f : NULL;
}

/* ---- one node by path ------------------------------------------------------------------------ */

static struct fwkit_node *find_child(const struct fwkit_node *parent, const char *comp)
{
	uint64_t off = 0;
	bool by_offset = comp[0] >= '0' && comp[0] <= '9';
	if (by_offset && !num_parse_u64(comp, 0, UINT64_MAX, &off))
		return NULL;
	for (size_t i = 0; i < fwkit_node_child_count(parent); i++) {
		struct fwkit_node *c = fwkit_node_child(parent, i);
		if (c && (by_offset ? fwkit_node_offset(c) == off : strcmp(fwkit_node_format(c), comp) == 0))
			return c;
	}
	return NULL;
}

static void list_children(const struct fwkit_node *parent, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < fwkit_node_child_count(parent) && used < cap; i++) {
		const struct fwkit_node *c = fwkit_node_child(parent, i);
		used += (size_t)snprintf(out + used, cap - used, "%s0x%llx (%s)", i ? ", " : "one of ",
					 (unsigned long long)fwkit_node_offset(c), fwkit_node_format(c));
	}
	if (!out[0])
		str_printf(out, cap, "a node (there is none here)");
}

enum fwkit_status fwkit_extract_node(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *path,
				     uint8_t **out, size_t *out_len, const char **format)
{
	*out = NULL;
	*out_len = 0;
	char comps[NODE_PATH_MAX][32];
	size_t ncomp = 0;
	for (const char *p = path ? path : ""; ; ) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n >= sizeof(comps[0]) || ncomp == NODE_PATH_MAX)
			return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "OFFSET or FORMAT, '/'-separated (e.g. 0x180000/lzma)",
					   path ? path : "", "extract: malformed node path");
		memcpy(comps[ncomp], p, n);
		comps[ncomp++][n] = '\0';
		if (!slash)
			break;
		p = slash + 1;
	}
	/* every level of decoded data keeps its buffer and scan tree until the end */
	uint8_t *bufs[NODE_PATH_MAX + 1] = { 0 };
	struct fwkit_node *roots[NODE_PATH_MAX + 1] = { 0 };
	size_t levels = 0;
	struct fwkit_scan_options so = { .deep = false };
	enum fwkit_status st = fwkit_scan(ctx, buf, len, &so, &roots[levels++]);
	const uint8_t *cur = buf;
	size_t cur_len = len;
	struct fwkit_node *parent = roots[0], *node = NULL;
	for (size_t i = 0; st == FWKIT_OK && i < ncomp; i++) {
		node = find_child(parent, comps[i]);
		if (!node) {
			char expected[FWKIT_ERROR_TEXT_MAX];
			list_children(parent, expected, sizeof(expected));
			st = FWKIT_RAISE(ctx, FWKIT_E_NOT_FOUND, FWKIT_NO_OFFSET, expected, comps[i], "extract: no node %s in %s",
					 comps[i], i ? "the path so far" : "the file");
			break;
		}
		const struct fwkit_format *f = stream_format(node);
		bool last = i + 1 == ncomp;
		if (!f) {
			if (last) {
				uint64_t off = fwkit_node_offset(node), size = fwkit_node_size(node);
				if (!size || off > cur_len || size > cur_len - off) {
					char found[64];
					str_printf(found, sizeof(found), "%llu bytes", (unsigned long long)size);
					st = FWKIT_RAISE(ctx, FWKIT_E_TRUNCATED, off, "a node whose extent is known and inside the data",
							 found, "extract: %s node has no extent to copy", fwkit_node_format(node));
					break;
				}
				*out = malloc(size ? size : 1);
				if (!*out) {
					st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "extract: out of memory");
					break;
				}
				memcpy(*out, cur + off, size);
				*out_len = size;
			}
			parent = node;
			continue;
		}
		uint8_t *dec = NULL;
		size_t dec_len = 0;
		bool hit = false;
		if (!decode_node(ctx, cur, cur_len, node, f, &dec, &dec_len, &hit)) {
			char expected[64];
			str_printf(expected, sizeof(expected), "a %s stream that decodes to its end", f->name);
			st = FWKIT_RAISE(ctx, hit ? FWKIT_E_TOO_LARGE : FWKIT_E_CORRUPT, fwkit_node_offset(node), expected,
					 hit ? "the decompression budget stopped it" : "a stream that does not decode",
					 "extract: %s stream does not decode", f->name);
			break;
		}
		if (last) {
			*out = dec ? dec : malloc(1);
			*out_len = dec_len;
			break;
		}
		bufs[levels] = dec;
		st = fwkit_scan(ctx, dec, dec_len, &so, &roots[levels]);
		parent = roots[levels++];
		cur = dec;
		cur_len = dec_len;
	}
	if (st == FWKIT_OK && format && node)
		*format = formats_by_name(fwkit_node_format(node)) ? formats_by_name(fwkit_node_format(node))->name : "file";
	for (size_t i = 0; i < levels; i++) {
		fwkit_node_free(roots[i]);
		free(bufs[i]);
	}
	if (st != FWKIT_OK) {
		free(*out);
		*out = NULL;
		*out_len = 0;
	}
	return st;
}

/* ---- every node into a folder tree ------------------------------------------------------------- */

struct xstate {
	struct fwkit_ctx *ctx;
	const struct fwkit_extract_options *o;
	struct fwkit_node *res;
	uint64_t files, folders, bytes, symlinks, skipped;
	char rel[REL_MAX]; /* the path below DIR of the current folder */
	size_t rel_len;
};

#ifndef FWKIT_DISABLE_SQUASHFS /* names come only from a file system */
/* Escapes one name from an image into OUT: control bytes, DEL, '\' and (unless SLASH_OK) '/' as
 * \xNN; as a name (not SLASH_OK), "", "." and ".." get their first byte escaped. False when it
 * would not fit. SLASH_OK is for symlink targets, which are only listed. */
static bool escape_name(const uint8_t *name, size_t len, bool slash_ok, char *out, size_t cap)
{
	size_t o = 0;
	if (!slash_ok && (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))) {
		if (cap < 5)
			return false;
		memcpy(out, len ? "\\x2e" : "\\x00", 4);
		o = 4;
		name += len ? 1 : 0;
		len -= len ? 1 : 0;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t c = name[i];
		bool esc = c < 0x20 || c == 0x7f || c == '\\' || (c == '/' && !slash_ok);
		if (o + (esc ? 4 : 1) + 1 > cap)
			return false;
		if (esc)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}
#endif

/* Appends "/NAME" to the state's relative path; returns the old length (to restore), or SIZE_MAX. */
static size_t rel_push(struct xstate *s, const char *name)
{
	size_t old = s->rel_len, n = strlen(name);
	if (old + 1 + n + 1 > sizeof(s->rel))
		return SIZE_MAX;
	if (old)
		s->rel[s->rel_len++] = '/';
	memcpy(s->rel + s->rel_len, name, n + 1);
	s->rel_len += n;
	return old;
}

static void rel_pop(struct xstate *s, size_t old)
{
	s->rel_len = old;
	s->rel[old] = '\0';
}

static void note(struct xstate *s, enum fwkit_severity sev, const char *code, uint64_t off, const char *fmt, ...)
	FWKIT_PRINTF(5, 6);
static void note(struct xstate *s, enum fwkit_severity sev, const char *code, uint64_t off, const char *fmt, ...)
{
	struct fwkit_finding f = { .severity = sev, .offset = off };
	str_printf(f.code, sizeof(f.code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	fwkit_node_add_finding(s->res, &f);
}

/* Creates the folder NAME in DIRFD and opens it (dry run: -2). -1 with errno on failure. */
static int make_dir(struct xstate *s, int dirfd, const char *name)
{
	if (s->o->dry_run) {
		s->folders++;
		return -2;
	}
	if (mkdirat(dirfd, name, 0755) != 0)
		return -1;
	s->folders++;
	return openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* Creates the file NAME in DIRFD, never through a symlink and never over anything (dry run: -2). */
static int make_file(struct xstate *s, int dirfd, const char *name)
{
	if (s->o->dry_run)
		return -2;
	return openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
}

static bool write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Records a file written at the state's current path + NAME. */
static void record(struct xstate *s, const char *name, uint64_t size, uint64_t src_off, uint64_t src_size)
{
	s->files++;
	s->bytes += size;
	size_t old = rel_push(s, name);
	struct fwkit_node *c = fwkit_node_new("output", src_off, src_size);
	if (c && fwkit_node_add_string(c, "path", s->rel, strlen(s->rel)) && fwkit_node_add_uint(c, "size", size, false))
		fwkit_node_add_child(s->res, c);
	else
		fwkit_node_free(c);
	if (old != SIZE_MAX)
		rel_pop(s, old);
}

static enum fwkit_status put_file(struct xstate *s, int dirfd, const char *name, const uint8_t *data, size_t len,
				  uint64_t src_off, uint64_t src_size)
{
	int fd = make_file(s, dirfd, name);
	if (fd == -1 || (fd >= 0 && !write_all(fd, data, len))) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return FWKIT_RAISE(s->ctx, e == EEXIST ? FWKIT_E_OUTPUT_REFUSED : FWKIT_E_IO, FWKIT_NO_OFFSET, "a new file",
				   strerror(e), "extract: %s/%s cannot be written", s->rel, name);
	}
	if (fd >= 0)
		close(fd);
	record(s, name, len, src_off, src_size);
	return FWKIT_OK;
}

/* ---- squashfs --fs -------------------------------------------------------------------------- */
#ifndef FWKIT_DISABLE_SQUASHFS

struct fsx {
	struct xstate *s;
	struct squashfs_fs *fs;
	int listfd;              /* fs.list (dry run: -2) */
	char path[REL_MAX];      /* the entry's path inside the file system, escaped */
	size_t path_len;
	uint64_t fs_size, out_total, list_bytes;
	bool stopped;            /* the budget stopped file contents */
};

static void list_line(struct fsx *x, char type, const char *extra)
{
	char line[REL_MAX + 300];
	int n = snprintf(line, sizeof(line), "%c\t%s%s%s\n", type, x->path_len ? x->path : "/", extra ? "\t" : "", extra ? extra : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1, line[n - 1] = '\n';
	if (x->listfd >= 0 && !write_all(x->listfd, (const uint8_t *)line, (size_t)n))
		return;
	x->list_bytes += (uint64_t)n;
}

static enum fwkit_status fs_file(struct fsx *x, int dirfd, const char *name, const sqfs_inode_generic_t *inode)
{
	struct xstate *s = x->s;
	sqfs_u64 size = 0;
	sqfs_inode_get_file_size(inode, &size);
	int fd = make_file(s, dirfd, name);
	if (fd == -1) {
		s->skipped++;
		note(s, FWKIT_SEV_WARN, "extract.skipped", 0, "extract: %s/%s: not created (%s)", s->rel, name, strerror(errno));
		list_line(x, '!', "not created");
		return FWKIT_OK;
	}
	uint8_t chunk[64 * 1024];
	sqfs_u64 done = 0;
	bool ok = true;
	while (done < size) {
		sqfs_u32 want = (sqfs_u32)(size - done < sizeof(chunk) ? size - done : sizeof(chunk));
		if (x->stopped || !budget_charge(s->ctx, want, x->out_total + want, x->fs_size, NULL, 0)) {
			x->stopped = true;
			ok = false;
			break;
		}
		sqfs_s32 got = sqfs_data_reader_read(x->fs->data, inode, done, chunk, want);
		if (got <= 0) {
			ok = false;
			break;
		}
		x->out_total += (uint64_t)got;
		if (fd >= 0 && !write_all(fd, chunk, (size_t)got)) {
			int e = errno;
			close(fd);
			return FWKIT_RAISE(s->ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, "a written file", strerror(e),
					   "extract: %s/%s cannot be written", s->rel, name);
		}
		done += (sqfs_u64)got;
	}
	if (fd >= 0)
		close(fd);
	char extra[48];
	str_printf(extra, sizeof(extra), ok ? "%llu" : "%llu of %llu bytes (incomplete)", (unsigned long long)done,
		   (unsigned long long)size);
	list_line(x, 'f', extra);
	record(s, name, done, 0, 0);
	if (!ok) {
		s->skipped++;
		note(s, FWKIT_SEV_WARN, x->stopped ? "budget.decompress" : "extract.incomplete", 0,
		     "extract: %s/%s: incomplete (%s)", s->rel, name,
		     x->stopped ? "the decompression budget stopped it" : "its data does not read");
	}
	return FWKIT_OK;
}

static enum fwkit_status fs_dir(struct fsx *x, int dirfd, const sqfs_tree_node_t *dir, unsigned depth)
{
	struct xstate *s = x->s;
	enum fwkit_status st = FWKIT_OK;
	for (const sqfs_tree_node_t *c = dir->children; c && st == FWKIT_OK; c = c->next) {
		char name[NAME_MAX_BYTES * 4 + 8];
		size_t old_path = x->path_len;
		if (!escape_name(c->name, strlen((const char *)c->name), false, name, sizeof(name)) ||
		    x->path_len + 1 + strlen(name) + 1 > sizeof(x->path)) {
			s->skipped++;
			continue;
		}
		x->path[x->path_len++] = '/';
		memcpy(x->path + x->path_len, name, strlen(name) + 1);
		x->path_len += strlen(name);
		const sqfs_inode_generic_t *in = c->inode;
		if (strlen(name) > NAME_MAX_BYTES) {
			s->skipped++;
			list_line(x, '!', "name too long: not created");
		} else if (squashfs_is_dir(in)) {
			list_line(x, 'd', NULL);
			size_t old = rel_push(s, name);
			int fd = depth < MAX_FS_DEPTH && old != SIZE_MAX ? make_dir(s, dirfd, name) : -1;
			if (fd == -1) {
				s->skipped++;
				note(s, FWKIT_SEV_WARN, "extract.skipped", 0, "extract: %s: not created (%s)", s->rel,
				     depth < MAX_FS_DEPTH ? strerror(errno) : "too deep");
			} else {
				st = fs_dir(x, fd, c, depth + 1);
				if (fd >= 0)
					close(fd);
			}
			if (old != SIZE_MAX)
				rel_pop(s, old);
		} else if (squashfs_is_file(in)) {
			st = fs_file(x, dirfd, name, in);
		} else if (squashfs_is_symlink(in)) {
			char target[REL_MAX];
			size_t tlen = in->data.slink.target_size;
			if (tlen > in->payload_bytes_used)
				tlen = in->payload_bytes_used;
			if (!escape_name((const uint8_t *)in->extra, tlen, true, target, sizeof(target)))
				str_printf(target, sizeof(target), "(target too long)");
			char extra[REL_MAX + 8];
			str_printf(extra, sizeof(extra), "-> %s", target);
			list_line(x, 'l', extra);
			s->symlinks++;
		} else {
			char t = in->base.type == SQFS_INODE_CDEV || in->base.type == SQFS_INODE_EXT_CDEV   ? 'c'
				 : in->base.type == SQFS_INODE_BDEV || in->base.type == SQFS_INODE_EXT_BDEV ? 'b'
				 : in->base.type == SQFS_INODE_FIFO || in->base.type == SQFS_INODE_EXT_FIFO ? 'p'
													     : 's';
			list_line(x, t, "not created");
			s->skipped++;
		}
		x->path_len = old_path;
		x->path[old_path] = '\0';
	}
	return st;
}

/* Unpacks the squashfs at BUF/LEN into fs/ inside DIRFD, with fs.list beside it. */
static enum fwkit_status unpack_fs(struct xstate *s, const uint8_t *buf, size_t len, uint64_t off, int dirfd)
{
	struct squashfs_fs fs;
	char why[120];
	if (!squashfs_fs_open(&fs, buf, len, true, why, sizeof(why))) {
		note(s, FWKIT_SEV_ERROR, "squashfs.unreadable", off, "extract: %s: the file system was not unpacked: %s", s->rel, why);
		return FWKIT_OK;
	}
	struct fsx x = { .s = s, .fs = &fs, .listfd = -2, .fs_size = len };
	enum fwkit_status st = FWKIT_OK;
	if (!s->o->dry_run) {
		x.listfd = make_file(s, dirfd, "fs.list");
		if (x.listfd < 0)
			st = FWKIT_RAISE(s->ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, "a new file", strerror(errno),
					 "extract: %s/fs.list cannot be written", s->rel);
	}
	size_t old = rel_push(s, "fs");
	int fd = st == FWKIT_OK ? make_dir(s, dirfd, "fs") : -1;
	if (st == FWKIT_OK && fd == -1)
		st = FWKIT_RAISE(s->ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, "a new folder", strerror(errno), "extract: %s cannot be created", s->rel);
	if (st == FWKIT_OK)
		st = fs_dir(&x, fd, fs.root, 0);
	if (fd >= 0)
		close(fd);
	if (old != SIZE_MAX)
		rel_pop(s, old);
	if (x.listfd >= 0) {
		close(x.listfd);
	}
	if (st == FWKIT_OK)
		record(s, "fs.list", x.list_bytes, off, len);
	squashfs_fs_close(&fs);
	return st;
}

#else
/* A build without libsquashfs (FWKIT_DISABLE_SQUASHFS) writes the file system's bytes, not its files. */
static enum fwkit_status unpack_fs(struct xstate *s, const uint8_t *buf, size_t len, uint64_t off, int dirfd)
{
	(void)buf;
	(void)len;
	(void)dirfd;
	note(s, FWKIT_SEV_ERROR, "squashfs.unreadable", off,
	     "extract: %s: the file system was not unpacked: this fwkit was built without libsquashfs", s->rel);
	return FWKIT_OK;
}
#endif

/* ---- the node walk ---------------------------------------------------------------------------- */

static enum fwkit_status walk(struct xstate *s, const uint8_t *buf, size_t len, struct fwkit_node *n, int dirfd,
			      unsigned level);

static enum fwkit_status walk_children(struct xstate *s, const uint8_t *buf, size_t len, const struct fwkit_node *n,
				       int dirfd, unsigned level)
{
	enum fwkit_status st = FWKIT_OK;
	for (size_t i = 0; i < fwkit_node_child_count(n) && st == FWKIT_OK; i++) {
		struct fwkit_node *c = fwkit_node_child(n, i);
		if (c)
			st = walk(s, buf, len, c, dirfd, level);
	}
	return st;
}

static enum fwkit_status walk(struct xstate *s, const uint8_t *buf, size_t len, struct fwkit_node *n, int dirfd,
			      unsigned level)
{
	char name[64];
	uint64_t off = fwkit_node_offset(n);
	str_printf(name, sizeof(name), "0x%08llx.%s", (unsigned long long)off, fwkit_node_format(n));
	size_t old = rel_push(s, name);
	if (old == SIZE_MAX)
		return FWKIT_OK;
	enum fwkit_status st = FWKIT_OK;
	int fd = make_dir(s, dirfd, name);
	if (fd == -1) {
		st = FWKIT_RAISE(s->ctx, errno == EEXIST ? FWKIT_E_OUTPUT_REFUSED : FWKIT_E_IO, FWKIT_NO_OFFSET, "a new folder",
				 strerror(errno), "extract: %s cannot be created", s->rel);
		rel_pop(s, old);
		return st;
	}
	const struct fwkit_format *f = stream_format(n);
	uint8_t *dec = NULL;
	size_t dec_len = 0;
	bool decoded = false;
	if (f) {
		bool hit = false;
		decoded = decode_node(s->ctx, buf, len, n, f, &dec, &dec_len, &hit);
		if (!decoded)
			note(s, FWKIT_SEV_WARN, hit ? "budget.decompress" : "stream.corrupt", off,
			     "extract: %s: %s: no decoded.bin", s->rel, hit ? "the decompression budget stopped this stream" : "the stream does not decode to its end");
	}
	uint64_t size = fwkit_node_size(n);
	if (size && off <= len && size <= len - off)
		st = put_file(s, fd, "data.bin", buf + off, (size_t)size, off, size);
	if (st == FWKIT_OK && decoded)
		st = put_file(s, fd, "decoded.bin", dec ? dec : (const uint8_t *)"", dec_len, off, size);
	if (st == FWKIT_OK && decoded && s->o->deep && level + 1 < MAX_LEVELS) {
		struct fwkit_node *inner = NULL;
		struct fwkit_scan_options so = { .deep = false };
		st = fwkit_scan(s->ctx, dec, dec_len, &so, &inner);
		if (st == FWKIT_OK)
			st = walk_children(s, dec, dec_len, inner, fd, level + 1);
		fwkit_node_free(inner);
	}
	free(dec);
	if (st == FWKIT_OK && s->o->fs && strcmp(fwkit_node_format(n), "squashfs") == 0 && size && off <= len &&
	    size <= len - off)
		st = unpack_fs(s, buf + off, (size_t)size, off, fd);
	if (st == FWKIT_OK)
		st = walk_children(s, buf, len, n, fd, level);
	if (fd >= 0)
		close(fd);
	rel_pop(s, old);
	return st;
}

/* Opens DIR for extraction: created when missing, else an empty folder that is not a symlink. */
static enum fwkit_status open_target(struct fwkit_ctx *ctx, const char *dir, int *out)
{
	char path[FWKIT_ERROR_PATH_MAX];
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--; /* "link/" would follow the symlink */
	if (n == 0 || n >= sizeof(path))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a folder name", dir, "extract: bad output folder");
	memcpy(path, dir, n);
	path[n] = '\0';
	struct stat sb;
	if (lstat(path, &sb) != 0) {
		if (errno != ENOENT || mkdir(path, 0755) != 0)
			return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, "a folder fwkit can create", strerror(errno),
					   "extract: %s cannot be created", path);
	} else if (!S_ISDIR(sb.st_mode)) {
		return FWKIT_RAISE(ctx, FWKIT_E_OUTPUT_REFUSED, FWKIT_NO_OFFSET, "an empty folder or no file",
				   S_ISLNK(sb.st_mode) ? "a symbolic link" : "a file that is not a folder",
				   "extract: %s is refused as the output folder", path);
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return FWKIT_RAISE(ctx, errno == ELOOP || errno == ENOTDIR ? FWKIT_E_OUTPUT_REFUSED : FWKIT_E_IO, FWKIT_NO_OFFSET,
				   "an empty folder", strerror(errno), "extract: %s is refused as the output folder", path);
	int dfd = dup(fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		close(fd);
		return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, "a readable folder", strerror(errno), "extract: %s", path);
	}
	const struct dirent *e;
	char found[FWKIT_ERROR_TEXT_MAX] = "";
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			str_printf(found, sizeof(found), "a folder holding '%s'", e->d_name);
			break;
		}
	}
	/* a folder that cannot be listed is not known to be empty */
	if (!e && errno)
		str_printf(found, sizeof(found), "a folder that cannot be listed (%s)", strerror(errno));
	closedir(d);
	if (found[0]) {
		close(fd);
		return FWKIT_RAISE(ctx, FWKIT_E_OUTPUT_REFUSED, FWKIT_NO_OFFSET, "an empty folder or no file", found,
				   "extract: %s is refused as the output folder", path);
	}
	*out = fd;
	return FWKIT_OK;
}

enum fwkit_status fwkit_extract_all(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const char *dir,
				    const struct fwkit_extract_options *opts, struct fwkit_node **out)
{
	static const struct fwkit_extract_options defaults = { 0 };
	const struct fwkit_extract_options *o = opts ? opts : &defaults;
	*out = NULL;
	if (!dir && !o->dry_run)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "an output folder", NULL, "extract: no output folder");
	struct fwkit_node *root = NULL;
	struct fwkit_scan_options so = { .deep = false };
	enum fwkit_status st = fwkit_scan(ctx, buf, len, &so, &root);
	if (st != FWKIT_OK)
		return st;
	int dirfd = -2;
	if (!o->dry_run && (st = open_target(ctx, dir, &dirfd)) != FWKIT_OK) {
		fwkit_node_free(root);
		return st;
	}
	struct xstate *s = calloc(1, sizeof(*s));
	struct fwkit_node *res = fwkit_node_new("extract", 0, len);
	if (!s || !res) {
		free(s);
		fwkit_node_free(res);
		fwkit_node_free(root);
		if (dirfd >= 0)
			close(dirfd);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "extract: out of memory");
	}
	*s = (struct xstate){ .ctx = ctx, .o = o, .res = res };
	st = walk_children(s, buf, len, root, dirfd, 0);
	if (dirfd >= 0) {
		fsync(dirfd);
		close(dirfd);
	}
	fwkit_node_add_string(res, "dir", dir ? dir : "", dir ? strlen(dir) : 0);
	fwkit_node_add_uint(res, "files", s->files, false);
	fwkit_node_add_uint(res, "folders", s->folders, false);
	fwkit_node_add_uint(res, "bytes", s->bytes, false);
	fwkit_node_add_uint(res, "symlinks_listed", s->symlinks, false);
	fwkit_node_add_uint(res, "skipped", s->skipped, false);
	fwkit_node_add_bool(res, "dry_run", o->dry_run);
	free(s);
	fwkit_node_free(root);
	if (st != FWKIT_OK) {
		fwkit_node_free(res);
		return st;
	}
	*out = res;
	return FWKIT_OK;
}
