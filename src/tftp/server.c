/*
 * The TFTP server: sockets and timers around the session state machine (session.c).
 *
 * One listening socket takes requests; each transfer gets its own socket, bound to the same
 * local address on an ephemeral port and connected to the client (the RFC 1350 "TID"), all in
 * one poll() loop. Read-only: write requests are refused. In a folder, names with "..", absolute
 * names and symbolic links are refused, and files are opened relative to the folder's own
 * descriptor, so nothing outside it can be reached (OpenBSD tftpd's rules). Started as root, the
 * server binds first, then drops to an unprivileged user (tftpd's order).
 *
 * Transfers read private heap copies taken when the file was checked (struct snapshot), never the
 * file or a mapping its owner can shrink. The policy against clients that hold slots lives here
 * (per-address and per-port limits); the first-response timer is the session's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "fwkit/tftp.h"

#define PROGRESS_INTERVAL_MS 250
#define PKT_CAP FWKIT_TFTP_MAX_PACKET
#define DEFAULT_MAX_FILE (1ull << 30)     /* 1 GiB: larger files are refused */
#define DEFAULT_MAX_SNAPSHOTS (2ull << 30) /* 2 GiB of private copies at once */
#define DEFAULT_PER_ADDRESS 8

/* What identifies one version of a file: a change of any of these means it must be read again. */
struct file_id {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
};

/*
 * A private copy of a served file, read into the heap when it was checked. Transfers read only
 * these, never a mapping or the file itself, so a file rewritten or truncated while it is served
 * cannot change (or SIGBUS) a running transfer. Shared, with a count, by the transfers of the same
 * unchanged file.
 */
struct snapshot {
	struct snapshot *next;
	unsigned refs;
	uint8_t *data;
	uint64_t size;
	struct file_id id;
};

struct transfer {
	int fd;
	unsigned id;
	struct fwkit_tftp_session *s;
	char peer[80];
	char name[4 * FWKIT_TFTP_MAX_FILENAME + 1];
	struct snapshot *snap; /* the bytes served (a reference) */
	struct sockaddr_storage addr; /* the client's address and port */
	uint64_t last_progress;
	bool paced;            /* the client lost a window: send it in short bursts from now on */
	unsigned burst;        /* packets per burst while paced (halved on a loss, grown on progress) */
	uint64_t seen_retx, seen_acked;
};

struct server {
	const struct fwkit_tftp_server_config *cfg;
	int listen_fd;
	int family;
	struct sockaddr_storage local;
	socklen_t local_len;
	int root_fd;           /* folder mode */
	struct snapshot *cur;  /* single-file mode: the copy that passed the check (a reference) */
	bool bad;              /* single-file mode: the file as it is now (bad_id) failed the check */
	struct file_id bad_id;
	char bad_why[300];
	const char *file_name; /* its base name */
	struct snapshot *snaps; /* every live copy */
	uint64_t snap_bytes;   /* ... their total size */
	uint64_t max_file, max_snap_bytes;
	unsigned max_per_address;
	struct transfer *t;
	size_t nt, cap;
	unsigned next_id;
	uint8_t *pkt;          /* PKT_CAP bytes each, on the heap */
	uint8_t *out;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void emit(struct server *sv, enum fwkit_tftp_event_kind kind, const struct transfer *t, const char *peer,
		 const char *filename, const char *options, const char *message)
{
	if (!sv->cfg->on_event)
		return;
	struct fwkit_tftp_event ev = { .kind = kind, .transfer_id = t ? t->id : 0, .peer = peer ? peer : "",
				       .filename = filename ? filename : "", .options = options ? options : "",
				       .message = message ? message : "" };
	if (t && t->s) {
		const struct fwkit_tftp_stats *st = fwkit_tftp_session_stats(t->s);
		ev.bytes = st->bytes_acked;
		ev.total = fwkit_tftp_session_size(t->s);
		ev.retransmissions = st->retransmissions;
		uint64_t end = st->finished_ms ? st->finished_ms : now_ms();
		ev.elapsed_ms = end - st->started_ms;
	}
	sv->cfg->on_event(sv->cfg->user, &ev);
}

/* Printable form of a client-supplied name: ASCII kept, everything else \xNN (tftpd's strnvis). */
static void escape_name(char *dst, size_t cap, const char *src, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 5 < cap; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"')
			dst[o++] = (char)c;
		else
			o += (size_t)snprintf(dst + o, cap - o, "\\x%02x", c);
	}
	dst[o] = 0;
}

static void peer_text(char *dst, size_t cap, const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
		snprintf(dst, cap, "%s:%u", host, port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
		snprintf(dst, cap, "[%s]:%u", host, port);
	}
}

static void options_text(char *dst, size_t cap, const struct fwkit_tftp_request *r, bool granted)
{
	size_t o = 0;
	dst[0] = 0;
	const struct {
		const char *name;
		const struct fwkit_tftp_option *opt;
	} all[] = { { "blksize", &r->blksize }, { "timeout", &r->timeout }, { "tsize", &r->tsize },
		    { "windowsize", &r->windowsize } };
	for (size_t i = 0; i < 4; i++) {
		const struct fwkit_tftp_option *opt = all[i].opt;
		if (granted ? !opt->granted : !opt->asked)
			continue;
		int n = granted ? snprintf(dst + o, cap - o, "%s%s=%llu", o ? " " : "", all[i].name,
					   (unsigned long long)opt->granted_value)
				: opt->valid ? snprintf(dst + o, cap - o, "%s%s=%llu", o ? " " : "", all[i].name,
							(unsigned long long)opt->value)
					     : snprintf(dst + o, cap - o, "%s%s=(invalid)", o ? " " : "", all[i].name);
		if (n < 0 || (size_t)n >= cap - o)
			break;
		o += (size_t)n;
	}
	if (!granted && r->unknown_options && o + 24 < cap)
		snprintf(dst + o, cap - o, "%s%u unknown ignored", o ? " " : "", r->unknown_options);
}

static void send_error_to(struct server *sv, int fd, const struct sockaddr_storage *to, socklen_t tolen,
			  enum fwkit_tftp_error_code code, const char *msg)
{
	size_t n = fwkit_tftp_error_packet(sv->out, PKT_CAP, code, msg);
	if (n)
		(void)sendto(fd, sv->out, n, 0, (const struct sockaddr *)to, tolen);
}

/* Opens NAME inside the served folder without following any symbolic link. */
static int open_in_root(struct server *sv, const char *name, char *why, size_t why_size, int *code)
{
	char path[FWKIT_TFTP_MAX_FILENAME + 1];
	snprintf(path, sizeof(path), "%s", name);
	for (char *p = path; *p; p++)
		if (*p == '\\')
			*p = '/'; /* Windows clients (tftpd32 users) send backslashes */
	if (path[0] == '/') {
		*code = TFTP_EACCESS;
		snprintf(why, why_size, "absolute file names are refused");
		return -1;
	}
	int dir = dup(sv->root_fd);
	char *save = path;
	while (dir >= 0) {
		char *slash = strchr(save, '/');
		if (slash)
			*slash = 0;
		if (strcmp(save, "..") == 0) {
			close(dir);
			*code = TFTP_EACCESS;
			snprintf(why, why_size, "\"..\" in a file name is refused");
			return -1;
		}
		if (!slash) {
			int fd = openat(dir, save, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
			int err = errno;
			close(dir);
			if (fd < 0) {
				*code = err == ENOENT ? TFTP_ENOTFOUND : TFTP_EACCESS;
				snprintf(why, why_size, "%s", err == ELOOP ? "symbolic links are not followed" : strerror(err));
			}
			return fd;
		}
		if (save[0] == 0 || strcmp(save, ".") == 0) {
			save = slash + 1;
			continue;
		}
		int next = openat(dir, save, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int err = errno;
		close(dir);
		if (next < 0) {
			*code = err == ENOENT ? TFTP_ENOTFOUND : TFTP_EACCESS;
			snprintf(why, why_size, "%s", err == ELOOP || err == ENOTDIR ? "not a folder (symbolic links are not followed)" : strerror(err));
			return -1;
		}
		dir = next;
		save = slash + 1;
	}
	*code = TFTP_EUNDEF;
	snprintf(why, why_size, "cannot open the served folder");
	return -1;
}

static void id_of(const struct stat *st, struct file_id *id)
{
	memset(id, 0, sizeof(*id));
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtim = st->st_mtim;
	id->ctim = st->st_ctim;
}

static bool same_id(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtim.tv_sec == b->mtim.tv_sec &&
	       a->mtim.tv_nsec == b->mtim.tv_nsec && a->ctim.tv_sec == b->ctim.tv_sec && a->ctim.tv_nsec == b->ctim.tv_nsec;
}

static void snap_release(struct server *sv, struct snapshot *sn)
{
	if (!sn || --sn->refs > 0)
		return;
	for (struct snapshot **pp = &sv->snaps; *pp; pp = &(*pp)->next)
		if (*pp == sn) {
			*pp = sn->next;
			break;
		}
	sv->snap_bytes -= sn->size;
	free(sn->data);
	free(sn);
}

/* A live copy of the file with identity ID, with one more reference; NULL when there is none. */
static struct snapshot *snap_find(struct server *sv, const struct file_id *id)
{
	for (struct snapshot *sn = sv->snaps; sn; sn = sn->next)
		if (same_id(&sn->id, id)) {
			sn->refs++;
			return sn;
		}
	return NULL;
}

/*
 * Reads the open file FD into a new copy (one reference). Refuses anything but a regular file
 * (a FIFO or a device is never read), files over the size bound, and copies that would take the
 * total over the memory bound. The file's identity is taken before and after the read: a file
 * that changed meanwhile is read once more, then refused. On failure returns NULL with the TFTP
 * error code in *CODE and the reason in WHY.
 */
static struct snapshot *snap_read(struct server *sv, int fd, int *code, char *why, size_t why_size)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		struct stat st;
		if (fstat(fd, &st) != 0) {
			*code = TFTP_EACCESS;
			snprintf(why, why_size, "cannot stat the file: %s", strerror(errno));
			return NULL;
		}
		if (!S_ISREG(st.st_mode)) {
			*code = TFTP_EACCESS;
			snprintf(why, why_size, "not a regular file (%s)",
				 S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode) ? "a character device" :
				 S_ISBLK(st.st_mode) ? "a block device" : S_ISDIR(st.st_mode) ? "a folder" :
				 S_ISSOCK(st.st_mode) ? "a socket" : "another kind");
			return NULL;
		}
		uint64_t size = (uint64_t)st.st_size;
		if (size > sv->max_file) {
			*code = TFTP_EACCESS;
			snprintf(why, why_size, "file of %llu bytes is over the limit of %llu bytes",
				 (unsigned long long)size, (unsigned long long)sv->max_file);
			return NULL;
		}
		if (size > sv->max_snap_bytes - sv->snap_bytes) {
			*code = TFTP_EUNDEF;
			snprintf(why, why_size,
				 "server memory limit: %llu bytes of copies are being served, %llu more would pass the limit of %llu bytes",
				 (unsigned long long)sv->snap_bytes, (unsigned long long)size,
				 (unsigned long long)sv->max_snap_bytes);
			return NULL;
		}
		struct snapshot *sn = calloc(1, sizeof(*sn));
		uint8_t *data = sn ? malloc(size ? (size_t)size : 1) : NULL;
		if (!data) {
			free(sn);
			*code = TFTP_EUNDEF;
			snprintf(why, why_size, "out of memory (a copy of %llu bytes)", (unsigned long long)size);
			return NULL;
		}
		uint64_t got = 0;
		while (got < size) {
			size_t chunk = size - got > (1u << 20) ? (1u << 20) : (size_t)(size - got);
			ssize_t r = pread(fd, data + got, chunk, (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			got += (uint64_t)r;
		}
		struct stat after;
		if (got == size && fstat(fd, &after) == 0) {
			struct file_id a, b;
			id_of(&st, &a);
			id_of(&after, &b);
			if (same_id(&a, &b)) {
				sn->refs = 1;
				sn->data = data;
				sn->size = size;
				sn->id = a;
				sn->next = sv->snaps;
				sv->snaps = sn;
				sv->snap_bytes += size;
				return sn;
			}
		}
		free(data);
		free(sn);
	}
	*code = TFTP_EUNDEF;
	snprintf(why, why_size, "the file kept changing while it was being read");
	return NULL;
}

/* Runs the configured check on a new copy; false (with WHY) when it fails. */
static bool run_check(struct server *sv, const char *path, const struct snapshot *sn, char *why, size_t why_size)
{
	why[0] = 0;
	return !sv->cfg->check || sv->cfg->check(sv->cfg->user, path, sn->data, (size_t)sn->size, why, why_size);
}

/* Same client address (and port, when PORT_TOO)? */
static bool same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b, bool port_too)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a, *y = (const struct sockaddr_in *)b;
		return x->sin_addr.s_addr == y->sin_addr.s_addr && (!port_too || x->sin_port == y->sin_port);
	}
	const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a, *y = (const struct sockaddr_in6 *)b;
	return memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 && (!port_too || x->sin6_port == y->sin6_port);
}

static void close_transfer(struct server *sv, size_t i)
{
	struct transfer *t = &sv->t[i];
	if (t->fd >= 0)
		close(t->fd);
	fwkit_tftp_session_free(t->s);
	snap_release(sv, t->snap);
	sv->t[i] = sv->t[--sv->nt];
}

/*
 * Sends what the session has to send. A client whose receive buffer is smaller than a window
 * (64 x 8 KiB is 512 KiB; Linux gives a UDP socket about 208 KiB) drops the window's tail, and
 * RFC 7440 has no way but the timer to recover. So once a transfer has needed a retransmission,
 * its windows go out in bursts of PACED_BURST bytes, with the poll loop waiting a millisecond in
 * between for the client to drain its buffer. Fast clients never pay for this.
 */
#define PACED_MAX_BYTES (48 * 1024)
#define PACED_MAX_BURST 64u

static void pump(struct server *sv, struct transfer *t)
{
	uint64_t now = now_ms();
	size_t n, sent = 0;
	unsigned packets = 0;
	const struct fwkit_tftp_stats *st = fwkit_tftp_session_stats(t->s);
	if (!t->paced && st->retransmissions > 0) {
		t->paced = true;
		t->burst = 4; /* what the smallest receivers hold (U-Boot: 4 receive buffers) */
	}
	if (t->paced) {
		/* halve the burst on a new loss, grow it by one while the client keeps up */
		if (st->retransmissions > t->seen_retx)
			t->burst = t->burst > 1 ? t->burst / 2 : 1;
		else if (st->bytes_acked > t->seen_acked && t->burst < PACED_MAX_BURST)
			t->burst++;
		t->seen_retx = st->retransmissions;
		t->seen_acked = st->bytes_acked;
	}
	while ((!t->paced || (sent < PACED_MAX_BYTES && packets < t->burst)) &&
	       (n = fwkit_tftp_session_next(t->s, now, sv->out, PKT_CAP)) > 0) {
		sent += n;
		packets++;
		if (send(t->fd, sv->out, n, 0) < 0 && errno != EAGAIN && errno != ECONNREFUSED)
			break; /* lost like any datagram; the timer retransmits */
	}
}

static void handle_request(struct server *sv, size_t len, const struct sockaddr_storage *from, socklen_t fromlen)
{
	char peer[80], why[256], name[4 * FWKIT_TFTP_MAX_FILENAME + 1], opts[160];
	peer_text(peer, sizeof(peer), from);
	/* Only requests are answered on the listening port. A stray DATA, ACK, OACK or ERROR (or an
	 * unknown opcode) is dropped without a word: answering an ERROR with an ERROR lets two
	 * servers bounce errors at each other forever (the "Loop DoS", CVE-2024-2169). */
	unsigned opcode = len >= 2 ? (unsigned)(sv->pkt[0] << 8 | sv->pkt[1]) : 0;
	if (opcode != TFTP_RRQ && opcode != TFTP_WRQ)
		return;
	struct fwkit_tftp_request req;
	int code = fwkit_tftp_parse_request(sv->pkt, len, &req, why, sizeof(why));
	escape_name(name, sizeof(name), req.filename, req.filename_len);
	if (code >= 0) {
		emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, why);
		send_error_to(sv, sv->listen_fd, from, fromlen, (enum fwkit_tftp_error_code)code, why);
		return;
	}
	options_text(opts, sizeof(opts), &req, false);
	emit(sv, TFTP_EV_REQUEST, NULL, peer, name, opts, req.opcode == TFTP_WRQ ? "write request" : "read request");
	if (req.opcode == TFTP_WRQ) {
		emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, "write requests are refused: fwkit serves read-only");
		send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EACCESS, "read-only server: write requests are refused");
		return;
	}
	/* one transfer per client address and port: a repeated request is the client retrying (our
	 * own timer resends the first packet), not a new transfer */
	unsigned from_addr = 0;
	for (size_t i = 0; i < sv->nt; i++) {
		if (same_peer(&sv->t[i].addr, from, true)) {
			snprintf(why, sizeof(why), "duplicate request: transfer #%u for this address and port is running",
				 sv->t[i].id);
			emit(sv, TFTP_EV_IGNORED, NULL, peer, name, NULL, why);
			return;
		}
		if (same_peer(&sv->t[i].addr, from, false))
			from_addr++;
	}
	if (sv->nt >= (sv->cfg->max_sessions ? sv->cfg->max_sessions : 64)) {
		emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, "too many transfers at once");
		send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EUNDEF, "server busy, try again");
		return;
	}
	if (from_addr >= sv->max_per_address) {
		snprintf(why, sizeof(why), "too many transfers from this address (%u at once)", sv->max_per_address);
		emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, why);
		send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EUNDEF, "too many transfers from your address, try again");
		return;
	}

	/* the bytes to serve: a private copy that passed the check */
	struct snapshot *snap = NULL;
	char msg[400];
	if (sv->root_fd < 0) {
		const char *base = strrchr(req.filename, '/');
		base = base ? base + 1 : req.filename;
		if (!sv->cfg->any_name && strcmp(req.filename, sv->file_name) != 0 && strcmp(base, sv->file_name) != 0) {
			snprintf(why, sizeof(why), "file not found (this server offers \"%s\"; --any-name serves it under any name)",
				 sv->file_name);
			emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, why);
			send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_ENOTFOUND, "file not found");
			return;
		}
		/* the file as it is now: the copy checked earlier, or a new copy checked again */
		struct stat st;
		struct file_id now_id;
		if (stat(sv->cfg->file, &st) != 0) {
			snprintf(msg, sizeof(msg), "the served file is gone: %s", strerror(errno));
			emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, msg);
			send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_ENOTFOUND, "file not found");
			return;
		}
		id_of(&st, &now_id);
		if (sv->cur && same_id(&sv->cur->id, &now_id)) {
			snap = sv->cur;
			snap->refs++;
		} else if (sv->bad && same_id(&sv->bad_id, &now_id)) {
			emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, sv->bad_why);
			send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EACCESS, "image failed fwkit's check");
			return;
		} else {
			int fd = open(sv->cfg->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
			code = TFTP_EACCESS;
			if (fd < 0)
				snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
			else
				snap = snap_read(sv, fd, &code, why, sizeof(why));
			if (fd >= 0)
				close(fd);
			bool good = snap && run_check(sv, sv->cfg->file, snap, why, sizeof(why));
			if (good) {
				snprintf(msg, sizeof(msg), "changed on disk since it was checked: read again (%llu bytes) and checked again: ok",
					 (unsigned long long)snap->size);
				emit(sv, TFTP_EV_CHANGED, NULL, peer, name, NULL, msg);
				snap_release(sv, sv->cur);
				sv->cur = snap;
				snap->refs++;
				sv->bad = false;
			} else {
				snprintf(msg, sizeof(msg), "changed on disk since it was checked: %s: %s",
					 snap ? "checked again: refused by the image check" : "cannot be read again", why);
				emit(sv, TFTP_EV_CHANGED, NULL, peer, name, NULL, msg);
				snap_release(sv, sv->cur); /* the old copy is not what the user serves any more */
				sv->cur = NULL;
				if (snap) {
					sv->bad = true;
					sv->bad_id = snap->id;
					snprintf(sv->bad_why, sizeof(sv->bad_why), "refused by the image check: %s", why);
					code = TFTP_EACCESS;
				}
				snap_release(sv, snap);
				emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, msg);
				send_error_to(sv, sv->listen_fd, from, fromlen, (enum fwkit_tftp_error_code)code,
					      code == TFTP_EACCESS ? "image failed fwkit's check" : "cannot read the file");
				return;
			}
		}
	} else {
		int fd = open_in_root(sv, req.filename, why, sizeof(why), &code);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
			struct file_id id;
			id_of(&st, &id);
			snap = snap_find(sv, &id); /* the same unchanged file is being served: share its copy */
			if (!snap) {
				snap = snap_read(sv, fd, &code, why, sizeof(why));
				if (snap && !run_check(sv, req.filename, snap, why, sizeof(why))) {
					snap_release(sv, snap);
					snap = NULL;
					snprintf(msg, sizeof(msg), "refused by the image check: %s", why);
					code = -2;
				}
			}
		} else if (fd >= 0) {
			snap = snap_read(sv, fd, &code, why, sizeof(why)); /* says why it is not a regular file */
			snap_release(sv, snap);
			snap = NULL;
		}
		if (fd >= 0)
			close(fd);
		if (!snap) {
			emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, code == -2 ? msg : why);
			send_error_to(sv, sv->listen_fd, from, fromlen, code == -2 ? TFTP_EACCESS : (enum fwkit_tftp_error_code)code,
				      code == -2 ? "image failed fwkit's check" : code == TFTP_ENOTFOUND ? "file not found" :
				      code == TFTP_EACCESS ? "access violation" : why);
			return;
		}
	}

	if (sv->nt == sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 8;
		struct transfer *nt = realloc(sv->t, nc * sizeof(*nt));
		if (!nt) {
			snap_release(sv, snap);
			emit(sv, TFTP_EV_REFUSED, NULL, peer, name, NULL, "out of memory");
			send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EUNDEF, "server out of memory");
			return;
		}
		sv->t = nt;
		sv->cap = nc;
	}
	struct transfer *t = &sv->t[sv->nt];
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->snap = snap;
	memcpy(&t->addr, from, fromlen < sizeof(t->addr) ? fromlen : sizeof(t->addr));
	t->id = ++sv->next_id;
	snprintf(t->peer, sizeof(t->peer), "%s", peer);
	snprintf(t->name, sizeof(t->name), "%s", name);
	sv->nt++;
	/* the transfer's own socket: same local address, new port, connected to the client */
	t->fd = socket(sv->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_storage local = sv->local;
	if (local.ss_family == AF_INET)
		((struct sockaddr_in *)&local)->sin_port = 0;
	else
		((struct sockaddr_in6 *)&local)->sin6_port = 0;
	int big = 4 << 20;
	if (t->fd < 0 || bind(t->fd, (struct sockaddr *)&local, sv->local_len) != 0 ||
	    connect(t->fd, (const struct sockaddr *)from, fromlen) != 0) {
		snprintf(why, sizeof(why), "cannot open a socket for the transfer: %s", strerror(errno));
		emit(sv, TFTP_EV_REFUSED, t, peer, name, NULL, why);
		send_error_to(sv, sv->listen_fd, from, fromlen, TFTP_EUNDEF, "server error");
		close_transfer(sv, sv->nt - 1);
		return;
	}
	(void)setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	(void)setsockopt(t->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	int err_code = -1;
	t->s = fwkit_tftp_session_new(&req, snap->data, snap->size, &sv->cfg->limits, now_ms(), &err_code, why, sizeof(why));
	if (!t->s) {
		emit(sv, TFTP_EV_REFUSED, t, peer, name, NULL, why);
		size_t n = fwkit_tftp_error_packet(sv->out, PKT_CAP, (enum fwkit_tftp_error_code)err_code, why);
		if (n)
			(void)send(t->fd, sv->out, n, 0);
		close_transfer(sv, sv->nt - 1);
		return;
	}
	options_text(opts, sizeof(opts), &req, true);
	snprintf(why, sizeof(why), "%s, blksize %u, windowsize %u, %llu bytes", req.netascii ? "netascii" : "octet",
		 fwkit_tftp_session_blksize(t->s), fwkit_tftp_session_windowsize(t->s),
		 (unsigned long long)fwkit_tftp_session_size(t->s));
	emit(sv, TFTP_EV_START, t, peer, name, opts, why);
	t->last_progress = now_ms();
	pump(sv, t);
}

/* Returns true when a transfer completed (for --once). */
static bool service_transfer(struct server *sv, size_t i, bool readable)
{
	struct transfer *t = &sv->t[i];
	uint64_t now = now_ms();
	if (readable) {
		for (;;) {
			ssize_t n = recv(t->fd, sv->pkt, PKT_CAP, MSG_DONTWAIT);
			if (n < 0)
				break;
			fwkit_tftp_session_input(t->s, sv->pkt, (size_t)n, now);
		}
	}
	fwkit_tftp_session_tick(t->s, now);
	enum fwkit_tftp_state st = fwkit_tftp_session_state(t->s);
	if (st == TFTP_SENDING) {
		pump(sv, t);
		if (now - t->last_progress >= PROGRESS_INTERVAL_MS) {
			t->last_progress = now;
			emit(sv, TFTP_EV_PROGRESS, t, t->peer, t->name, NULL, NULL);
		}
		return false;
	}
	bool done = st == TFTP_DONE;
	emit(sv, done ? TFTP_EV_DONE : TFTP_EV_FAILED, t, t->peer, t->name, NULL,
	     done ? "transfer complete" : fwkit_tftp_session_failure(t->s));
	close_transfer(sv, i);
	return done;
}

/* ADDR (numeric IPv4 or IPv6, as --bind takes it) and PORT as a socket address. inet_pton, not
 * getaddrinfo: nothing here may consult the name service (a static build has no NSS). */
static bool numeric_sockaddr(const char *addr, unsigned port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return true;
	}
	if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return true;
	}
	return false;
}

static enum fwkit_status bind_listener(struct fwkit_ctx *ctx, struct server *sv)
{
	const struct fwkit_tftp_server_config *cfg = sv->cfg;
	const char *addr = cfg->bind && cfg->bind[0] ? cfg->bind : "0.0.0.0";
	char port[8];
	snprintf(port, sizeof(port), "%u", cfg->port); /* 0: any free port */
	struct sockaddr_storage sa;
	socklen_t sa_len = 0;
	if (!numeric_sockaddr(addr, cfg->port, &sa, &sa_len))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a numeric IPv4 or IPv6 address", addr,
				   "serve: cannot use bind address");
	sv->family = sa.ss_family;
	sv->listen_fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sv->listen_fd < 0)
		return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL, "serve: socket: %s", strerror(errno));
	if (sa.ss_family == AF_INET6) {
		int off = 0; /* "::" serves IPv4 clients too */
		(void)setsockopt(sv->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	}
	if (bind(sv->listen_fd, (struct sockaddr *)&sa, sa_len) != 0) {
		int err = errno;
		if (err == EACCES)
			return FWKIT_RAISE(ctx, FWKIT_E_PERMISSION, FWKIT_NO_OFFSET, NULL, NULL,
					   "serve: binding UDP port %s needs root or CAP_NET_BIND_SERVICE: run fwkit with sudo, "
					   "or give it the capability (sudo setcap cap_net_bind_service=+ep \"$(command -v fwkit)\"), "
					   "or use --bind %s:6969 with a client that can change port",
					   port, addr);
		if (err == EADDRINUSE)
			return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL,
					   "serve: UDP port %s on %s is already in use (another TFTP server? see: ss -ulnp | grep ':%s ')",
					   port, addr, port);
		if (err == EADDRNOTAVAIL)
			return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL,
					   "serve: %s is not an address of this machine (add it to an interface first)", addr);
		return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL, "serve: bind %s port %s: %s", addr, port,
				   strerror(err));
	}
	sv->local_len = sizeof(sv->local);
	getsockname(sv->listen_fd, (struct sockaddr *)&sv->local, &sv->local_len);
	int big = 4 << 20;
	(void)setsockopt(sv->listen_fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return FWKIT_OK;
}

/* "UID" or "UID:GID" in decimal: an account without a user-name lookup. */
static bool numeric_account(const char *name, uid_t *uid, gid_t *gid)
{
	char num[24];
	const char *colon = strchr(name, ':');
	size_t n = colon ? (size_t)(colon - name) : strlen(name);
	uint64_t u, g;
	if (n == 0 || n >= sizeof(num))
		return false;
	memcpy(num, name, n);
	num[n] = '\0';
	if (!num_parse_u64(num, 10, UINT32_MAX - 1, &u))
		return false;
	g = u;
	if (colon && !num_parse_u64(colon + 1, 10, UINT32_MAX - 1, &g))
		return false;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return true;
}

/*
 * The account to run as: a numeric UID[:GID] as given, else the user name looked up through the
 * system's user database (NSS). A static build (FWKIT_NO_NSS: glibc's getpwnam would load NSS
 * modules of the build machine's glibc at run time) looks up no names: "nobody" is 65534:65534,
 * as on Debian and OpenWrt, and any other name is refused with the numeric form to use instead.
 */
static bool find_account(const char *name, uid_t *uid, gid_t *gid, char *why, size_t why_size)
{
	if (numeric_account(name, uid, gid))
		return true;
#ifdef FWKIT_NO_NSS
	if (strcmp(name, "nobody") == 0) {
		*uid = 65534;
		*gid = 65534;
		return true;
	}
	str_printf(why, why_size, "a static fwkit looks up no user names: give --user UID[:GID] (e.g. 65534:65534)");
	return false;
#else
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		str_printf(why, why_size, "no such user");
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
#endif
}

static enum fwkit_status drop_privileges(struct fwkit_ctx *ctx, const char *user)
{
	if (geteuid() != 0)
		return FWKIT_OK;
	const char *name = user ? user : "nobody";
	if (strcmp(name, "root") == 0)
		return FWKIT_OK; /* asked to stay root */
	uid_t uid;
	gid_t gid;
	char why[120];
	if (!find_account(name, &uid, &gid, why, sizeof(why)))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "an existing user or UID[:GID]", name,
				   "serve: cannot drop privileges: %s", why);
	if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return FWKIT_RAISE(ctx, FWKIT_E_PERMISSION, FWKIT_NO_OFFSET, NULL, NULL,
				   "serve: cannot switch to user %s: %s", name, strerror(errno));
	return FWKIT_OK;
}

enum fwkit_status fwkit_tftp_serve(struct fwkit_ctx *ctx, const struct fwkit_tftp_server_config *cfg,
				   volatile sig_atomic_t *stop)
{
	struct server sv;
	memset(&sv, 0, sizeof(sv));
	sv.cfg = cfg;
	sv.listen_fd = -1;
	sv.root_fd = -1;
	sv.max_file = cfg->max_file_bytes ? cfg->max_file_bytes : DEFAULT_MAX_FILE;
	sv.max_snap_bytes = cfg->max_snapshot_bytes ? cfg->max_snapshot_bytes : DEFAULT_MAX_SNAPSHOTS;
	sv.max_per_address = cfg->max_per_address ? cfg->max_per_address : DEFAULT_PER_ADDRESS;
	enum fwkit_status st = FWKIT_OK;
	char why[256];
	sv.pkt = malloc(PKT_CAP);
	sv.out = malloc(PKT_CAP);
	if (!sv.pkt || !sv.out) {
		st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "serve: out of memory");
		goto out;
	}
	if (cfg->file) {
		ctx_set_input_name(ctx, cfg->file);
		/* never blocks (a FIFO without a writer), and only a regular file is read */
		int fd = open(cfg->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd < 0) {
			st = FWKIT_RAISE(ctx, errno == ENOENT ? FWKIT_E_NOT_FOUND : FWKIT_E_IO, FWKIT_NO_OFFSET,
					 "a readable regular file", NULL, "serve: cannot serve this file: %s", strerror(errno));
			goto out;
		}
		int code = 0;
		sv.cur = snap_read(&sv, fd, &code, why, sizeof(why));
		close(fd);
		if (!sv.cur) {
			st = FWKIT_RAISE(ctx, strncmp(why, "out of memory", 13) == 0 ? FWKIT_E_NOMEM : FWKIT_E_IO, FWKIT_NO_OFFSET,
					 "a readable regular file", NULL, "serve: cannot serve this file: %s", why);
			goto out;
		}
		sv.file_name = strrchr(cfg->file, '/') ? strrchr(cfg->file, '/') + 1 : cfg->file;
		if (!run_check(&sv, cfg->file, sv.cur, why, sizeof(why))) {
			st = FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, FWKIT_NO_OFFSET, NULL, NULL, "serve: refusing to serve: %s", why);
			goto out;
		}
	} else {
		ctx_set_input_name(ctx, cfg->root);
		sv.root_fd = open(cfg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sv.root_fd < 0) {
			st = FWKIT_RAISE(ctx, errno == ENOENT ? FWKIT_E_NOT_FOUND : FWKIT_E_IO, FWKIT_NO_OFFSET, "a folder", NULL,
					 "serve: cannot open the folder: %s", strerror(errno));
			goto out;
		}
	}
	st = bind_listener(ctx, &sv);
	if (st != FWKIT_OK)
		goto out;
	st = drop_privileges(ctx, cfg->drop_user);
	if (st != FWKIT_OK)
		goto out;
	{
		char where[120];
		peer_text(where, sizeof(where), &sv.local);
		emit(&sv, TFTP_EV_LISTENING, NULL, where, sv.file_name ? sv.file_name : cfg->root, NULL, "listening");
	}
	struct pollfd *pfd = NULL;
	size_t pcap = 0;
	while (!(stop && *stop)) {
		if (pcap < sv.nt + 1) {
			pcap = (sv.nt + 1) * 2;
			struct pollfd *np = realloc(pfd, pcap * sizeof(*np));
			if (!np) {
				st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "serve: out of memory");
				break;
			}
			pfd = np;
		}
		pfd[0] = (struct pollfd){ .fd = sv.listen_fd, .events = POLLIN };
		uint64_t now = now_ms(), wake = now + PROGRESS_INTERVAL_MS;
		for (size_t i = 0; i < sv.nt; i++) {
			pfd[i + 1] = (struct pollfd){ .fd = sv.t[i].fd, .events = POLLIN };
			uint64_t d = fwkit_tftp_session_deadline(sv.t[i].s);
			if (fwkit_tftp_session_pending(sv.t[i].s))
				d = now + 1; /* a paced window still going out */
			if (d < wake)
				wake = d;
		}
		int timeout = wake > now ? (int)(wake - now) : 0;
		size_t polled = sv.nt;
		int pr = poll(pfd, polled + 1, timeout);
		if (pr < 0 && errno != EINTR)
			break;
		bool finished = false;
		/* transfers first (they may close and reorder the array, so walk it backwards) */
		for (size_t i = polled; i-- > 0;) {
			bool readable = pr > 0 && (pfd[i + 1].revents & (POLLIN | POLLERR));
			if (service_transfer(&sv, i, readable))
				finished = true;
		}
		if (pr > 0 && (pfd[0].revents & POLLIN)) {
			for (int k = 0; k < 64; k++) {
				struct sockaddr_storage from;
				socklen_t fromlen = sizeof(from);
				ssize_t n = recvfrom(sv.listen_fd, sv.pkt, PKT_CAP, MSG_DONTWAIT, (struct sockaddr *)&from,
						     &fromlen);
				if (n < 0)
					break;
				handle_request(&sv, (size_t)n, &from, fromlen);
			}
		}
		if (finished && cfg->once)
			break;
	}
	free(pfd);
out:
	while (sv.nt)
		close_transfer(&sv, sv.nt - 1);
	free(sv.t);
	if (sv.listen_fd >= 0)
		close(sv.listen_fd);
	if (sv.root_fd >= 0)
		close(sv.root_fd);
	snap_release(&sv, sv.cur);
	free(sv.pkt);
	free(sv.out);
	return st;
}
