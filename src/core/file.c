/*
 * Input files (read-only, memory-mapped) and atomic output.
 *
 * Inputs are never written. Outputs go to a temporary file in the target's own folder (so the
 * rename cannot cross file systems), are fsync'ed, renamed over the target and the folder is
 * fsync'ed, so a power cut leaves the old file or the new one, never a mix.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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
	bool mapped;
};

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
	return FWKIT_RAISE(ctx, status_from_errno(err), FWKIT_NO_OFFSET, NULL, NULL, "%s: %s", what, strerror(err));
}

/* Reads a non-mappable input (pipe, character device) whole, growing a buffer. */
static enum fwkit_status read_whole(struct fwkit_ctx *ctx, int fd, struct fwkit_file *f)
{
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "cannot read: out of memory");
	for (;;) {
		if (len == cap) {
			uint8_t *nb = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
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
	f->mapped = false;
	return FWKIT_OK;
}

enum fwkit_status fwkit_file_open(struct fwkit_ctx *ctx, const char *path, struct fwkit_file **out)
{
	*out = NULL;
	ctx_set_input_name(ctx, path);
	struct fwkit_file *f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
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
	} else if (S_ISREG(st.st_mode) && st.st_size == 0) {
		f->size = 0; /* mmap refuses length 0; an empty file is simply empty */
	} else if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > SIZE_MAX) {
			rc = FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL, "file too large to map");
		} else {
			void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED) {
				rc = read_whole(ctx, fd, f);
			} else {
				f->data = p;
				f->size = (size_t)st.st_size;
				f->mapped = true;
			}
		}
	} else {
		rc = read_whole(ctx, fd, f);
	}
	close(fd);
	if (rc != FWKIT_OK) {
		fwkit_file_close(f);
		return rc;
	}
	*out = f;
	return FWKIT_OK;
}

void fwkit_file_close(struct fwkit_file *f)
{
	if (!f)
		return;
	if (f->mapped && f->data)
		munmap(f->data, f->size);
	else
		free(f->data);
	free(f->path);
	free(f);
}

const uint8_t *fwkit_file_data(const struct fwkit_file *f) { return f->data; }
size_t fwkit_file_size(const struct fwkit_file *f) { return f->size; }
const char *fwkit_file_path(const struct fwkit_file *f) { return f->path; }

static bool write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

enum fwkit_status fwkit_write_atomic(struct fwkit_ctx *ctx, const char *path, const struct fwkit_iovec *parts,
				     size_t nparts)
{
	ctx_set_input_name(ctx, path);
	char *dcopy = strdup(path), *bcopy = strdup(path);
	char *tmp = NULL;
	enum fwkit_status rc = FWKIT_OK;
	int fd = -1;
	if (!dcopy || !bcopy) {
		rc = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		goto out;
	}
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	size_t tlen = strlen(dir) + strlen(base) + 16;
	tmp = malloc(tlen);
	if (!tmp) {
		rc = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
		goto out;
	}
	snprintf(tmp, tlen, "%s/.%s.XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = raise_errno(ctx, errno, "cannot create temporary file");
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* mkstemp makes 0600; give the result the mode a plain creat() would (0666 & ~umask). */
	mode_t mask = umask(0);
	umask(mask);
	struct stat st;
	mode_t mode = (stat(path, &st) == 0 && S_ISREG(st.st_mode)) ? (st.st_mode & 07777) : (0666 & ~mask);
	if (fchmod(fd, mode) != 0) {
		rc = raise_errno(ctx, errno, "cannot set mode");
		goto fail;
	}
	for (size_t i = 0; i < nparts; i++) {
		if (parts[i].len && !write_all(fd, parts[i].data, parts[i].len)) {
			rc = raise_errno(ctx, errno ? errno : EIO, "cannot write");
			goto fail;
		}
	}
	if (fsync(fd) != 0) {
		rc = raise_errno(ctx, errno, "cannot fsync");
		goto fail;
	}
	int cfd = fd;
	fd = -1;
	if (close(cfd) != 0) {
		rc = raise_errno(ctx, errno, "cannot close");
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		rc = raise_errno(ctx, errno, "cannot rename temporary file into place");
		goto fail;
	}
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		/* Some file systems refuse fsync on a folder (EINVAL); the data itself is already safe. */
		if (fsync(dfd) != 0 && errno != EINVAL) {
			rc = raise_errno(ctx, errno, "cannot fsync folder");
		}
		close(dfd);
	}
	goto out;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	free(dcopy);
	free(bcopy);
	return rc;
}
