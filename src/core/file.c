/*
 * Input files (read whole into a private copy) and atomic output.
 *
 * Inputs are never written and never mapped: a shared mapping changes under the reader and a
 * truncation turns the next access into SIGBUS, so every command works on bytes it owns.
 * Outputs go to a temporary file in the target's own folder (so the rename cannot cross file
 * systems), are fsync'ed, renamed over the target and the folder is fsync'ed, so a power cut
 * leaves the old file or the new one, never a mix.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/internal.h"
#include "fwkit/file.h"

struct fwkit_file {
	char *path;
	uint8_t *data;
	size_t size;
	size_t map_len; /* data is an anonymous mapping of this length (large inputs), else malloc'ed */
};

/* Large inputs: a private anonymous mapping, populated in one go and backed by huge pages where
 * the kernel offers them, so reading 16 MiB costs a few faults instead of 4096. It is memory this
 * process owns, like malloc's: nothing maps the file itself. */
#define ANON_MAP_MIN (2u << 20)

static uint8_t *alloc_input(size_t n, size_t *map_len)
{
	*map_len = 0;
	if (n >= ANON_MAP_MIN) {
		void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED) {
#ifdef MADV_HUGEPAGE
			(void)madvise(p, n, MADV_HUGEPAGE);
#endif
			*map_len = n;
			return p;
		}
	}
	return malloc(n);
}

static void free_input(uint8_t *p, size_t map_len)
{
	if (map_len)
		munmap(p, map_len);
	else
		free(p);
}

static enum fwkit_status status_from_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR: return FWKIT_E_NOT_FOUND;
	case EISDIR: return FWKIT_E_IS_DIRECTORY;
	case EACCES:
	case EPERM: return FWKIT_E_PERMISSION;
	case ENOMEM: return FWKIT_E_NOMEM;
	default: return FWKIT_E_IO;
	}
}

static enum fwkit_status raise_errno(struct fwkit_ctx *ctx, int err, const char *what)
{
	if (err == ENOMEM)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "%s: out of memory", what);
	return FWKIT_RAISE(ctx, status_from_errno(err), FWKIT_NO_OFFSET, NULL, NULL, "%s: %s", what, strerror(err));
}

static const char *file_kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "not a regular file";
}

static enum fwkit_status too_large(struct fwkit_ctx *ctx, uint64_t size)
{
	char found[48];
	str_printf(found, sizeof(found), "%llu bytes", (unsigned long long)size);
	return FWKIT_RAISE(ctx, FWKIT_E_TOO_LARGE, FWKIT_NO_OFFSET, "at most 512 MiB (the largest flash fwkit knows)",
			   found, "refusing to read: larger than any flash chip");
}

/* Reads a stream (pipe, character device) whole, growing a buffer up to FWKIT_INPUT_MAX. */
static enum fwkit_status read_stream(struct fwkit_ctx *ctx, int fd, struct fwkit_file *f)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "cannot read: out of memory");
	for (;;) {
		if (len == cap) {
			if (cap > FWKIT_INPUT_MAX) {
				free(buf);
				return too_large(ctx, len);
			}
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "cannot read: out of memory");
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			free(buf);
			return raise_errno(ctx, err, "cannot read");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	f->data = buf;
	f->size = len;
	return FWKIT_OK;
}

static bool same_version(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads a regular file of ST's size, and proves it did not change while it was read. */
static enum fwkit_status read_regular(struct fwkit_ctx *ctx, int fd, const struct stat *st, struct fwkit_file *f)
{
	if ((uint64_t)st->st_size > FWKIT_INPUT_MAX)
		return too_large(ctx, (uint64_t)st->st_size);
	size_t size = (size_t)st->st_size;
	size_t map_len = 0;
	uint8_t *buf = alloc_input(size + 1, &map_len);
	if (!buf)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "cannot read: out of memory");
	size_t len = 0;
	/* one byte more than the size: a file that grew while it was read is caught here */
	while (len < size + 1) {
		ssize_t n = read(fd, buf + len, size + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;
			free_input(buf, map_len);
			return raise_errno(ctx, err, "cannot read");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	struct stat after;
	if (len != size || fstat(fd, &after) != 0 || !same_version(st, &after)) {
		char expected[48], found[48];
		str_printf(expected, sizeof(expected), "%zu bytes, unchanged", size);
		str_printf(found, sizeof(found), "%s%zu bytes", len > size ? "more than " : "", len > size ? size : len);
		free_input(buf, map_len);
		return FWKIT_RAISE(ctx, FWKIT_E_CHANGED, FWKIT_NO_OFFSET, expected, found,
				   "the file changed while it was read (is something still writing it?)");
	}
	f->data = buf;
	f->size = size;
	f->map_len = map_len;
	return FWKIT_OK;
}

enum fwkit_status fwkit_file_open_ex(struct fwkit_ctx *ctx, const char *path, unsigned flags, struct fwkit_file **out)
{
	*out = NULL;
	ctx_set_input_name(ctx, path);
	struct fwkit_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	/* O_NONBLOCK: opening a FIFO that has no writer must not hang; fstat decides before any read */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int err = errno;
		fwkit_file_close(f);
		return raise_errno(ctx, err, "cannot open");
	}
	struct stat st;
	enum fwkit_status rc = FWKIT_OK;
	if (fstat(fd, &st) != 0) {
		rc = raise_errno(ctx, errno, "cannot stat");
	} else if (S_ISDIR(st.st_mode)) {
		rc = FWKIT_RAISE(ctx, FWKIT_E_IS_DIRECTORY, FWKIT_NO_OFFSET, "a file", "a directory", "cannot read");
	} else if (S_ISREG(st.st_mode)) {
		rc = read_regular(ctx, fd, &st, f);
	} else if ((flags & FWKIT_OPEN_STREAM) && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0)
			rc = raise_errno(ctx, errno, "cannot read");
		else
			rc = read_stream(ctx, fd, f);
	} else {
		rc = FWKIT_RAISE(ctx, FWKIT_E_NOT_REGULAR, FWKIT_NO_OFFSET, "a regular file", file_kind(st.st_mode),
				 "refusing to read");
	}
	close(fd);
	if (rc != FWKIT_OK) {
		fwkit_file_close(f);
		return rc;
	}
	*out = f;
	return FWKIT_OK;
}

enum fwkit_status fwkit_file_open(struct fwkit_ctx *ctx, const char *path, struct fwkit_file **out)
{
	return fwkit_file_open_ex(ctx, path, 0, out);
}

void fwkit_file_close(struct fwkit_file *f)
{
	if (!f)
		return;
	free_input(f->data, f->map_len);
	free(f->path);
	free(f);
}

const uint8_t *fwkit_file_data(const struct fwkit_file *f) { return f->size ? f->data : NULL; }
size_t fwkit_file_size(const struct fwkit_file *f) { return f->size; }
const char *fwkit_file_path(const struct fwkit_file *f) { return f->path; }

/* ---- output ------------------------------------------------------------------------------ */

#define TMP_TAG ".fwkit-tmp-"

static bool write_all(int fd, const struct fwkit_iovec *parts, size_t nparts)
{
	for (size_t i = 0; i < nparts; i++) {
		const uint8_t *p = parts[i].data;
		size_t len = parts[i].len;
		while (len) {
			ssize_t n = write(fd, p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				if (n == 0)
					errno = EIO;
				return false;
			}
			p += n;
			len -= (size_t)n;
		}
	}
	return true;
}

/* Removes ".BASE.fwkit-tmp-PID-*" files in DIR whose PID no longer runs (left by kill -9). */
static void remove_stale_temps(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char prefix[NAME_MAX + 1];
	str_printf(prefix, sizeof(prefix), ".%s" TMP_TAG, base);
	size_t plen = strlen(prefix);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, prefix, plen) != 0)
			continue;
		uint64_t pid = 0;
		const char *p = de->d_name + plen;
		while (*p >= '0' && *p <= '9' && pid < INT_MAX)
			pid = pid * 10 + (uint64_t)(*p++ - '0');
		if (*p != '-' || pid == 0 || pid > INT_MAX || (pid_t)pid == getpid())
			continue;
		if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/* What the output path is now: absent, a regular file (ST filled), or refused. */
static enum fwkit_status check_target(struct fwkit_ctx *ctx, const char *path, bool *exists, struct stat *st)
{
	*exists = false;
	if (lstat(path, st) != 0) {
		if (errno == ENOENT)
			return FWKIT_OK;
		return raise_errno(ctx, errno, "cannot look at the output");
	}
	if (S_ISLNK(st->st_mode))
		return FWKIT_RAISE(ctx, FWKIT_E_OUTPUT_REFUSED, FWKIT_NO_OFFSET, "a regular file", "a symbolic link",
				   "refusing to replace a symbolic link (--follow writes the file it points at)");
	if (!S_ISREG(st->st_mode))
		return FWKIT_RAISE(ctx, FWKIT_E_OUTPUT_REFUSED, FWKIT_NO_OFFSET, "a regular file", file_kind(st->st_mode),
				   "refusing to replace a special file");
	*exists = true;
	return FWKIT_OK;
}

/* Rewrites the existing file PATH (same inode as ST) with the parts: for hard links and owners we cannot restore. */
static enum fwkit_status copy_back(struct fwkit_ctx *ctx, const char *path, const struct stat *st,
				   const struct fwkit_iovec *parts, size_t nparts, const char *tmp)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return raise_errno(ctx, errno, "cannot open the output to rewrite it");
	struct stat now;
	enum fwkit_status rc = FWKIT_OK;
	off_t total = 0;
	for (size_t i = 0; i < nparts; i++)
		total += (off_t)parts[i].len;
	if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino || !S_ISREG(now.st_mode)) {
		rc = FWKIT_RAISE(ctx, FWKIT_E_CHANGED, FWKIT_NO_OFFSET, NULL, NULL,
				 "the output was replaced while fwkit wrote it; the new content is in %s", tmp);
	} else if (!write_all(fd, parts, nparts) || ftruncate(fd, total) != 0 || fsync(fd) != 0) {
		rc = FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL,
				 "cannot rewrite the file in place (%s); the complete new content is in %s", strerror(errno), tmp);
	}
	close(fd);
	return rc;
}

/* Creates the temporary file beside PATH (DIR/.BASE.fwkit-tmp-PID-XXXXXX) with the parts, fsync'ed. */
static enum fwkit_status write_temp(struct fwkit_ctx *ctx, const char *dir, const char *base, mode_t mode,
				    const struct fwkit_iovec *parts, size_t nparts, char **tmp_out)
{
	size_t tlen = strlen(dir) + strlen(base) + 48;
	char *tmp = malloc(tlen);
	if (!tmp)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	str_printf(tmp, tlen, "%s/.%s" TMP_TAG "%ld-XXXXXX", dir, base, (long)getpid());
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int err = errno;
		free(tmp);
		return raise_errno(ctx, err, "cannot create temporary file");
	}
	enum fwkit_status rc = FWKIT_OK;
	if (fchmod(fd, mode) != 0)
		rc = raise_errno(ctx, errno, "cannot set the mode");
	else if (!write_all(fd, parts, nparts))
		rc = raise_errno(ctx, errno, "cannot write");
	else if (fsync(fd) != 0)
		rc = raise_errno(ctx, errno, "cannot fsync");
	if (close(fd) != 0 && rc == FWKIT_OK)
		rc = raise_errno(ctx, errno, "cannot close");
	if (rc != FWKIT_OK) {
		unlink(tmp);
		free(tmp);
		return rc;
	}
	*tmp_out = tmp;
	return FWKIT_OK;
}

static void fsync_dir(const char *dir)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		/* Some file systems refuse fsync on a folder (EINVAL); the data itself is already safe. */
		(void)fsync(dfd);
		close(dfd);
	}
}

/* The atomic write once PATH is known to be absent or a regular file (EXISTS, ST). */
static enum fwkit_status write_checked(struct fwkit_ctx *ctx, const char *path, bool exists, const struct stat *st,
				       const struct fwkit_iovec *parts, size_t nparts)
{
	char *dcopy = strdup(path), *bcopy = strdup(path);
	if (!dcopy || !bcopy) {
		free(dcopy);
		free(bcopy);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	remove_stale_temps(dir, base);
	mode_t mask = umask(0);
	umask(mask);
	mode_t mode = exists ? (st->st_mode & 07777) : (0666 & ~mask);
	/* Held signals: Ctrl-C while the temporary file exists takes effect once it is gone. */
	sigset_t hold, old;
	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigaddset(&hold, SIGQUIT);
	sigprocmask(SIG_BLOCK, &hold, &old);
	char *tmp = NULL;
	enum fwkit_status rc = write_temp(ctx, dir, base, mode, parts, nparts, &tmp);
	if (rc == FWKIT_OK) {
		bool same_owner = !exists || (st->st_uid == geteuid() && st->st_gid == getegid());
		bool in_place = exists && (st->st_nlink > 1 ||
					   (!same_owner && chown(tmp, st->st_uid, st->st_gid) != 0));
		if (in_place) {
			rc = copy_back(ctx, path, st, parts, nparts, tmp);
			if (rc == FWKIT_OK)
				unlink(tmp);
		} else if (rename(tmp, path) != 0) {
			rc = raise_errno(ctx, errno, "cannot rename the temporary file into place");
			unlink(tmp);
		} else {
			fsync_dir(dir);
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(tmp);
	free(dcopy);
	free(bcopy);
	return rc;
}

enum fwkit_status fwkit_write_atomic_ex(struct fwkit_ctx *ctx, const char *path, const struct fwkit_iovec *parts,
					size_t nparts, unsigned flags)
{
	ctx_set_input_name(ctx, path);
	bool exists;
	struct stat st;
	enum fwkit_status rc = check_target(ctx, path, &exists, &st);
	if (rc == FWKIT_E_OUTPUT_REFUSED && (flags & FWKIT_WRITE_FOLLOW) && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (!real)
			return raise_errno(ctx, errno, "cannot follow the symbolic link");
		rc = check_target(ctx, real, &exists, &st);
		if (rc == FWKIT_OK)
			rc = write_checked(ctx, real, exists, &st, parts, nparts);
		free(real);
		return rc;
	}
	if (rc != FWKIT_OK)
		return rc;
	return write_checked(ctx, path, exists, &st, parts, nparts);
}

enum fwkit_status fwkit_write_atomic(struct fwkit_ctx *ctx, const char *path, const struct fwkit_iovec *parts,
				     size_t nparts)
{
	return fwkit_write_atomic_ex(ctx, path, parts, nparts, 0);
}
