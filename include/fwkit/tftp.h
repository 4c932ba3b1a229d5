/*
 * TFTP (RFC 1350) read-only serving, with option negotiation (RFC 2347), blksize (RFC 2348),
 * timeout and tsize (RFC 2349) and windowsize (RFC 7440).
 *
 * The protocol is a state machine with no sockets (session): packets and the time go in, the
 * packets to send come out. The server (fwkit_tftp_serve) wraps it with sockets, one per
 * transfer, in one poll loop. Tests and the fuzzer drive the session directly.
 */
#ifndef FWKIT_TFTP_H
#define FWKIT_TFTP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

enum fwkit_tftp_opcode { TFTP_RRQ = 1, TFTP_WRQ = 2, TFTP_DATA = 3, TFTP_ACK = 4, TFTP_ERROR = 5, TFTP_OACK = 6 };

enum fwkit_tftp_error_code {
	TFTP_EUNDEF = 0,
	TFTP_ENOTFOUND = 1,
	TFTP_EACCESS = 2,
	TFTP_ENOSPACE = 3,
	TFTP_EBADOP = 4,
	TFTP_EBADID = 5,
	TFTP_EEXISTS = 6,
	TFTP_ENOUSER = 7,
	TFTP_EOPTNEG = 8,
};

#define FWKIT_TFTP_MAX_FILENAME 512
#define FWKIT_TFTP_MIN_BLKSIZE 8
#define FWKIT_TFTP_MAX_BLKSIZE 65464
#define FWKIT_TFTP_DEFAULT_BLKSIZE 512
#define FWKIT_TFTP_MAX_PACKET (FWKIT_TFTP_MAX_BLKSIZE + 4)

/* One option as the client sent it, and whether and how it was granted. */
struct fwkit_tftp_option {
	bool asked;
	uint64_t value;     /* what the client asked */
	bool valid;         /* parsed and in range */
	bool granted;       /* included in the OACK */
	uint64_t granted_value;
};

struct fwkit_tftp_request {
	enum fwkit_tftp_opcode opcode;       /* RRQ or WRQ */
	char filename[FWKIT_TFTP_MAX_FILENAME + 1];
	size_t filename_len;                  /* may contain bytes that need escaping before printing */
	bool netascii;                        /* mode netascii (else octet) */
	char mode[16];
	struct fwkit_tftp_option blksize, timeout, tsize, windowsize;
	unsigned unknown_options;             /* ignored, as RFC 2347 requires */
};

/*
 * Parses a request packet. On failure returns the TFTP error code to answer with
 * (TFTP_EBADOP for a malformed packet) and a reason in WHY; on success returns -1.
 */
FWKIT_API int fwkit_tftp_parse_request(const uint8_t *pkt, size_t len, struct fwkit_tftp_request *req, char *why,
				       size_t why_size);

/* Writes an ERROR packet; returns its length (0 if CAP is too small). */
FWKIT_API size_t fwkit_tftp_error_packet(uint8_t *buf, size_t cap, enum fwkit_tftp_error_code code, const char *msg);

struct fwkit_tftp_limits {
	unsigned max_blksize;     /* granted at most (default 65464) */
	unsigned max_windowsize;  /* granted at most (default 64) */
	unsigned timeout_ms;      /* retransmission timeout when the client sets none (default 1000) */
	unsigned max_retries;     /* retransmissions of one window before giving up (default 5) */
	/*
	 * Until the client's first ACK, the first OACK/DATA is resent every first_timeout_ms (default
	 * 1000, or the negotiated timeout when shorter) at most first_retries times (default 2),
	 * whatever timeout the client asked: a request that never answers frees its slot within
	 * about 3 s instead of 6 x 255 s.
	 */
	unsigned first_timeout_ms;
	unsigned first_retries;
};

enum fwkit_tftp_state { TFTP_SENDING = 0, TFTP_DONE, TFTP_FAILED };

struct fwkit_tftp_stats {
	uint64_t bytes_acked;     /* payload bytes the client has acknowledged */
	uint64_t packets_sent;
	uint64_t retransmissions; /* DATA/OACK packets sent again */
	uint64_t duplicate_acks;  /* ignored: answering them is the Sorcerer's Apprentice bug */
	uint64_t started_ms, finished_ms;
};

struct fwkit_tftp_session;

/*
 * Starts serving DATA (SIZE bytes, which must stay valid and unchanged for the session's life) for
 * REQ. For a netascii request DATA is the file as stored: the session converts it while sending
 * (LF to CR LF, CR to CR NUL), block by block, with no copy; tsize and the size are those of the
 * converted form (found by a counting pass).
 * Options are negotiated here: blksize 8..65464 (capped at the limit), timeout 1..255 s,
 * tsize, windowsize 1..65535 (capped); values out of range are ignored, except a blksize below 8,
 * which is refused: returns NULL with *ERR_CODE = TFTP_EOPTNEG and a reason in WHY. REQ's options
 * are updated with what was granted.
 */
FWKIT_API struct fwkit_tftp_session *fwkit_tftp_session_new(struct fwkit_tftp_request *req, const uint8_t *data,
							    uint64_t size, const struct fwkit_tftp_limits *limits,
							    uint64_t now_ms, int *err_code, char *why, size_t why_size);
FWKIT_API void fwkit_tftp_session_free(struct fwkit_tftp_session *s);

/* The next packet to send now, written to BUF; returns its length or 0 when there is none. */
FWKIT_API size_t fwkit_tftp_session_next(struct fwkit_tftp_session *s, uint64_t now_ms, uint8_t *buf, size_t cap);
/* True when fwkit_tftp_session_next has a packet to give now. */
FWKIT_API bool fwkit_tftp_session_pending(const struct fwkit_tftp_session *s);
/* A packet from the client. */
FWKIT_API void fwkit_tftp_session_input(struct fwkit_tftp_session *s, const uint8_t *pkt, size_t len, uint64_t now_ms);
/* Lets time pass: retransmits on timeout, fails after the retry limit. */
FWKIT_API void fwkit_tftp_session_tick(struct fwkit_tftp_session *s, uint64_t now_ms);
/* When tick next needs calling (UINT64_MAX: never). */
FWKIT_API uint64_t fwkit_tftp_session_deadline(const struct fwkit_tftp_session *s);

FWKIT_API enum fwkit_tftp_state fwkit_tftp_session_state(const struct fwkit_tftp_session *s);
FWKIT_API const struct fwkit_tftp_stats *fwkit_tftp_session_stats(const struct fwkit_tftp_session *s);
/* Why a session failed ("timed out", "client error 0: ..."); empty otherwise. */
FWKIT_API const char *fwkit_tftp_session_failure(const struct fwkit_tftp_session *s);
FWKIT_API unsigned fwkit_tftp_session_blksize(const struct fwkit_tftp_session *s);
FWKIT_API unsigned fwkit_tftp_session_windowsize(const struct fwkit_tftp_session *s);
FWKIT_API uint64_t fwkit_tftp_session_size(const struct fwkit_tftp_session *s);

/* ---- the server ---------------------------------------------------------------------- */

enum fwkit_tftp_event_kind {
	TFTP_EV_LISTENING = 0, /* bound; message says where */
	TFTP_EV_REQUEST,       /* a request arrived (filename, options asked) */
	TFTP_EV_REFUSED,       /* refused with an ERROR packet (message says why) */
	TFTP_EV_START,         /* transfer begins (options granted) */
	TFTP_EV_PROGRESS,      /* bytes acknowledged so far */
	TFTP_EV_DONE,          /* completed */
	TFTP_EV_FAILED,        /* timed out or aborted by the client */
	TFTP_EV_IGNORED,       /* a packet that was dropped (message says why) */
	TFTP_EV_CHANGED,       /* the served file changed on disk: re-read and re-checked (message says the outcome) */
};

struct fwkit_tftp_event {
	enum fwkit_tftp_event_kind kind;
	unsigned transfer_id;
	const char *peer;       /* "192.168.31.1:1234" or "[::1]:5678" */
	const char *filename;   /* escaped, printable */
	const char *options;    /* "blksize=1468 windowsize=8" asked (REQUEST) or granted (START) */
	const char *message;
	uint64_t bytes, total;
	uint64_t elapsed_ms;
	uint64_t retransmissions;
};

typedef void fwkit_tftp_event_fn(void *user, const struct fwkit_tftp_event *ev);
/* Decides whether a file may be served (e.g. its uImage CRCs hold); fills WHY when not. */
typedef bool fwkit_tftp_check_fn(void *user, const char *path, const uint8_t *data, size_t size, char *why,
				 size_t why_size);

struct fwkit_tftp_server_config {
	const char *root;        /* a folder to serve (read-only), or NULL with file set */
	const char *file;        /* one file to serve */
	bool any_name;           /* serve FILE whatever name is asked */
	const char *bind;        /* numeric address, IPv4 or IPv6 (default "0.0.0.0") */
	uint16_t port;           /* 69 for bootloaders; 0 for any free port (the LISTENING event says which) */
	bool once;               /* return after one complete transfer */
	const char *drop_user;   /* when started as root: user (name or "UID[:GID]") to switch to after binding (NULL: "nobody") */
	struct fwkit_tftp_limits limits;
	fwkit_tftp_event_fn *on_event;
	fwkit_tftp_check_fn *check;
	void *user;
	unsigned max_sessions;   /* default 64 */
	unsigned max_per_address; /* transfers at once from one client address (default 8) */
	uint64_t max_file_bytes; /* larger files are refused (default 1 GiB) */
	uint64_t max_snapshot_bytes; /* total of the private copies being served (default 2 GiB) */
};

/*
 * Every transfer serves a private copy of the file read into memory when it was checked, never the
 * file itself: a file rewritten or truncated meanwhile does not change a running transfer. In
 * single-file mode the file's identity (device, inode, size, mtime, ctime) is looked at before each
 * new transfer; when it changed, the file is read and checked again (a TFTP_EV_CHANGED event says
 * the outcome) and refused if the check fails. Only regular files are served (opened without
 * blocking: FIFOs and devices are refused). A repeated request from a client address and port whose
 * transfer is running is ignored (the client retrying).
 *
 * Serves until *STOP becomes nonzero (or after one transfer with ONCE). Fails before serving
 * with FWKIT_E_PERMISSION when the port needs privileges (the message says how to get them),
 * FWKIT_E_IO when the address cannot be bound.
 */
FWKIT_API enum fwkit_status fwkit_tftp_serve(struct fwkit_ctx *ctx, const struct fwkit_tftp_server_config *cfg,
					     volatile sig_atomic_t *stop);

#endif
