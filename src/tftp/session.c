/*
 * The TFTP read-transfer state machine: no sockets, no clock of its own.
 *
 * Sources: RFC 1350 (packets, lock-step), RFC 2347 (OACK), RFC 2348 (blksize 8..65464),
 * RFC 2349 (timeout 1..255 s, tsize), RFC 7440 (windowsize 1..65535: the sender sends a window,
 * the receiver acknowledges its last in-order block; an earlier block acknowledged means a gap,
 * and the sender restarts after it). Blocks are counted with 64 bits inside and sent modulo
 * 65536, so transfers past block 65535 roll over to 0 as tftp-hpa, curl and U-Boot expect.
 *
 * Duplicate ACKs are never answered with data: answering them is the Sorcerer's Apprentice bug
 * (RFC 1123 4.2.3.1), and U-Boot sends the same ACK twice often (lab.md 2d). Only the timer
 * retransmits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cursor.h"
#include "fwkit/tftp.h"

/* Where a netascii block starts in the octet source: the next source byte, and the second byte of
 * a CR LF or CR NUL pair that the previous block ended in the middle of (-1: none). */
struct na_pos {
	uint64_t off;
	int carry;
};

struct fwkit_tftp_session {
	const uint8_t *data;
	uint64_t size;         /* bytes on the wire: the netascii form's size in netascii mode */
	uint64_t src_size;     /* bytes of DATA as given */
	bool netascii;
	struct na_pos *win;    /* netascii: start of blocks base, base + 1, ... (windowsize + 1 of them) */
	uint64_t win_valid;    /* ... how many are known */
	bool answered;         /* the client has sent an ACK: the first-response timer is over */
	unsigned first_timeout_ms, first_retries;
	unsigned blksize, windowsize;
	unsigned timeout_ms, max_retries;
	bool oack;             /* an OACK is (being) sent and ACK 0 is awaited */
	bool oack_pending;     /* the OACK still has to go out (first time or again) */
	uint8_t oack_pkt[256];
	size_t oack_len;
	uint64_t base;         /* first unacknowledged block (1-based) */
	uint64_t next;         /* next block to send in the current window */
	uint64_t window_end;   /* last block of the current window */
	uint64_t highest_sent; /* highest block sent so far */
	uint64_t last_block;   /* the final block: size / blksize + 1 (it may be empty) */
	uint64_t deadline;
	uint64_t last_nack_ms; /* when a window was last restarted on the client's word */
	bool nacked;           /* ... at least once */
	uint64_t restart_at;   /* a restarted window waits until then (0: none waiting) */
	uint64_t probe_at;     /* tail-loss probe: resend the window's last block then (0: none) */
	uint64_t window_sent_ms; /* when the current window's last block first went out */
	uint64_t srtt_ms;      /* smoothed round trip, window end to its ACK (0: not measured yet) */
	unsigned retries;
	bool resending;        /* the packets going out now are retransmissions */
	enum fwkit_tftp_state state;
	char failure[128];
	struct fwkit_tftp_stats stats;
};

/* The size of the netascii form: LF becomes CR LF, CR becomes CR NUL (RFC 764, RFC 1350). */
static uint64_t count_byte(const uint8_t *p, const uint8_t *end, int c)
{
	uint64_t k = 0;
	while (p < end && (p = memchr(p, c, (size_t)(end - p))) != NULL) {
		k++;
		p++;
	}
	return k;
}

/* (memchr: a 128 MiB file is counted in milliseconds, no copy needed) */
static uint64_t netascii_size(const uint8_t *d, uint64_t n)
{
	return n + count_byte(d, d + n, '\n') + count_byte(d, d + n, '\r');
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

size_t fwkit_tftp_error_packet(uint8_t *buf, size_t cap, enum fwkit_tftp_error_code code, const char *msg)
{
	size_t mlen = strlen(msg);
	if (mlen > 200)
		mlen = 200;
	if (cap < 5 + mlen)
		return 0;
	put16(buf, TFTP_ERROR);
	put16(buf + 2, (unsigned)code);
	memcpy(buf + 4, msg, mlen);
	buf[4 + mlen] = 0;
	return 5 + mlen;
}

/* A decimal option value, 1 to 20 digits, nothing else (no sign, no blanks). */
static bool parse_value(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

int fwkit_tftp_parse_request(const uint8_t *pkt, size_t len, struct fwkit_tftp_request *req, char *why, size_t why_size)
{
	memset(req, 0, sizeof(*req));
	struct cursor c;
	cursor_init(&c, pkt, len, 0);
	unsigned op = cursor_be16(&c);
	if (!cursor_ok(&c)) {
		snprintf(why, why_size, "packet of %zu bytes is too short for an opcode", len);
		return TFTP_EBADOP;
	}
	if (op != TFTP_RRQ && op != TFTP_WRQ) {
		snprintf(why, why_size, "opcode %u is not a request", op);
		return TFTP_EBADOP;
	}
	req->opcode = (enum fwkit_tftp_opcode)op;
	size_t flen = 0, mlen = 0;
	const char *fname = cursor_cstr(&c, FWKIT_TFTP_MAX_FILENAME, &flen);
	if (!fname) {
		snprintf(why, why_size, "file name not terminated (or longer than %d bytes)", FWKIT_TFTP_MAX_FILENAME);
		return TFTP_EBADOP;
	}
	memcpy(req->filename, fname, flen);
	req->filename[flen] = 0;
	req->filename_len = flen;
	const char *mode = cursor_cstr(&c, sizeof(req->mode) - 1, &mlen);
	if (!mode) {
		snprintf(why, why_size, "transfer mode missing or not terminated");
		return TFTP_EBADOP;
	}
	memcpy(req->mode, mode, mlen);
	req->mode[mlen] = 0;
	if (strcasecmp(req->mode, "octet") == 0)
		req->netascii = false;
	else if (strcasecmp(req->mode, "netascii") == 0)
		req->netascii = true;
	else {
		snprintf(why, why_size, "transfer mode \"%s\" is not supported (octet, netascii)", req->mode);
		return TFTP_EBADOP;
	}
	if (flen == 0) {
		snprintf(why, why_size, "empty file name");
		return TFTP_EBADOP;
	}
	/* options: name\0value\0 pairs up to the end of the packet */
	while (cursor_remaining(&c) > 0) {
		size_t nlen = 0, vlen = 0;
		const char *name = cursor_cstr(&c, 64, &nlen);
		const char *value = name ? cursor_cstr(&c, 64, &vlen) : NULL;
		if (!name || !value) {
			snprintf(why, why_size, "option list not terminated");
			return TFTP_EBADOP;
		}
		struct fwkit_tftp_option *o = NULL;
		if (nlen == 7 && strncasecmp(name, "blksize", 7) == 0)
			o = &req->blksize;
		else if (nlen == 7 && strncasecmp(name, "timeout", 7) == 0)
			o = &req->timeout;
		else if (nlen == 5 && strncasecmp(name, "tsize", 5) == 0)
			o = &req->tsize;
		else if (nlen == 10 && strncasecmp(name, "windowsize", 10) == 0)
			o = &req->windowsize;
		if (!o) {
			req->unknown_options++; /* RFC 2347: unknown options are ignored */
			continue;
		}
		o->asked = true;
		o->valid = parse_value(value, vlen, &o->value);
	}
	return -1;
}

struct fwkit_tftp_session *fwkit_tftp_session_new(struct fwkit_tftp_request *req, const uint8_t *data, uint64_t size,
						  const struct fwkit_tftp_limits *lim, uint64_t now, int *err_code,
						  char *why, size_t why_size)
{
	*err_code = -1;
	struct fwkit_tftp_limits l = lim ? *lim : (struct fwkit_tftp_limits){ 0 };
	if (!l.max_blksize || l.max_blksize > FWKIT_TFTP_MAX_BLKSIZE)
		l.max_blksize = FWKIT_TFTP_MAX_BLKSIZE;
	if (l.max_blksize < FWKIT_TFTP_MIN_BLKSIZE)
		l.max_blksize = FWKIT_TFTP_MIN_BLKSIZE;
	if (!l.max_windowsize)
		l.max_windowsize = 64;
	if (!l.timeout_ms)
		l.timeout_ms = 1000;
	if (!l.max_retries)
		l.max_retries = 5;
	if (!l.first_timeout_ms)
		l.first_timeout_ms = 1000;
	if (!l.first_retries)
		l.first_retries = 2;

	if (req->blksize.asked && req->blksize.valid && req->blksize.value < FWKIT_TFTP_MIN_BLKSIZE) {
		*err_code = TFTP_EOPTNEG;
		snprintf(why, why_size, "blksize %llu is below the minimum of 8 (RFC 2348)",
			 (unsigned long long)req->blksize.value);
		return NULL;
	}
	struct fwkit_tftp_session *s = calloc(1, sizeof(*s));
	if (!s) {
		*err_code = TFTP_EUNDEF;
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	s->data = data;
	s->src_size = size;
	s->size = req->netascii ? netascii_size(data, size) : size;
	s->netascii = req->netascii;
	s->first_timeout_ms = l.first_timeout_ms;
	s->first_retries = l.first_retries;
	s->blksize = FWKIT_TFTP_DEFAULT_BLKSIZE;
	s->windowsize = 1;
	s->timeout_ms = l.timeout_ms;
	s->max_retries = l.max_retries;
	s->stats.started_ms = now;

	/* negotiate: grant what is valid, capped by our limits; ignore the rest (RFC 2347) */
	uint8_t *w = s->oack_pkt;
	put16(w, TFTP_OACK);
	size_t pos = 2;
	char val[24];
#define GRANT(opt, name, v)                                                                              \
	do {                                                                                             \
		(opt).granted = true;                                                                    \
		(opt).granted_value = (v);                                                               \
		int n_ = snprintf(val, sizeof(val), "%llu", (unsigned long long)(v));                    \
		size_t nl_ = strlen(name);                                                               \
		memcpy(w + pos, name, nl_ + 1);                                                          \
		pos += nl_ + 1;                                                                          \
		memcpy(w + pos, val, (size_t)n_ + 1);                                                    \
		pos += (size_t)n_ + 1;                                                                   \
	} while (0)
	if (req->blksize.asked && req->blksize.valid) {
		uint64_t v = req->blksize.value > l.max_blksize ? l.max_blksize : req->blksize.value;
		s->blksize = (unsigned)v;
		GRANT(req->blksize, "blksize", v);
	}
	if (req->timeout.asked && req->timeout.valid && req->timeout.value >= 1 && req->timeout.value <= 255) {
		s->timeout_ms = (unsigned)req->timeout.value * 1000;
		GRANT(req->timeout, "timeout", req->timeout.value);
	}
	/* tsize 0 is valid (RFC 2349), but curl refuses an OACK that says it: leave it out */
	if (req->tsize.asked && req->tsize.valid && s->size > 0)
		GRANT(req->tsize, "tsize", s->size);
	if (req->windowsize.asked && req->windowsize.valid && req->windowsize.value >= 1 &&
	    req->windowsize.value <= 65535) {
		uint64_t v = req->windowsize.value > l.max_windowsize ? l.max_windowsize : req->windowsize.value;
		s->windowsize = (unsigned)v;
		GRANT(req->windowsize, "windowsize", v);
	}
#undef GRANT
	s->oack_len = pos;
	s->oack = pos > 2;
	s->oack_pending = s->oack;
	s->last_block = s->size / s->blksize + 1;
	if (s->netascii) {
		s->win = calloc((size_t)s->windowsize + 1, sizeof(*s->win));
		if (!s->win) {
			free(s);
			*err_code = TFTP_EUNDEF;
			snprintf(why, why_size, "out of memory");
			return NULL;
		}
		s->win[0] = (struct na_pos){ 0, -1 };
		s->win_valid = 1;
	}
	s->base = 1;
	s->next = s->oack ? 0 : 1; /* with an OACK, DATA waits for ACK 0 */
	s->window_end = s->oack ? 0 : (s->windowsize < s->last_block ? s->windowsize : s->last_block);
	s->deadline = UINT64_MAX;
	return s;
}

void fwkit_tftp_session_free(struct fwkit_tftp_session *s)
{
	if (s)
		free(s->win);
	free(s);
}

/* The retransmission timer and retry limit: short until the client has answered at all. */
static unsigned cur_timeout(const struct fwkit_tftp_session *s)
{
	if (s->answered || s->first_timeout_ms >= s->timeout_ms)
		return s->timeout_ms;
	return s->first_timeout_ms;
}

static unsigned cur_retries(const struct fwkit_tftp_session *s)
{
	return s->answered ? s->max_retries : s->first_retries;
}

/* Writes N bytes of the netascii form from position P on, and moves P past them. */
static size_t netascii_fill(const uint8_t *src, uint64_t src_size, struct na_pos *p, uint8_t *out, size_t n)
{
	size_t w = 0;
	while (w < n) {
		if (p->carry >= 0) {
			out[w++] = (uint8_t)p->carry;
			p->carry = -1;
			continue;
		}
		if (p->off >= src_size)
			break;
		uint8_t c = src[p->off++];
		out[w++] = c == '\n' ? '\r' : c;
		if (c == '\n')
			p->carry = '\n';
		else if (c == '\r')
			p->carry = 0;
	}
	return w;
}

static void fail(struct fwkit_tftp_session *s, uint64_t now, const char *why)
{
	snprintf(s->failure, sizeof(s->failure), "%s", why);
	s->state = TFTP_FAILED;
	s->stats.finished_ms = now;
	s->deadline = UINT64_MAX;
}

static void start_window(struct fwkit_tftp_session *s);

size_t fwkit_tftp_session_next(struct fwkit_tftp_session *s, uint64_t now, uint8_t *buf, size_t cap)
{
	if (s->state != TFTP_SENDING)
		return 0;
	if (s->oack_pending) {
		if (cap < s->oack_len)
			return 0;
		memcpy(buf, s->oack_pkt, s->oack_len);
		s->oack_pending = false;
		s->deadline = now + cur_timeout(s);
		s->stats.packets_sent++;
		if (s->resending)
			s->stats.retransmissions++;
		return s->oack_len;
	}
	if (s->restart_at) {
		if (now < s->restart_at)
			return 0;
		start_window(s);
	}
	if (s->oack || s->next == 0 || s->next > s->window_end)
		return 0;
	uint64_t blk = s->next;
	uint64_t off = (blk - 1) * s->blksize;
	size_t n = off >= s->size ? 0 : (s->size - off < s->blksize ? (size_t)(s->size - off) : s->blksize);
	if (cap < 4 + n)
		return 0;
	put16(buf, TFTP_DATA);
	put16(buf + 2, (unsigned)(blk & 0xFFFF));
	if (s->netascii) {
		/* produced on demand from where the block starts; a resent block starts there again */
		uint64_t i = blk - s->base;
		if (blk < s->base || i >= s->win_valid) {
			fail(s, now, "internal error: netascii block position unknown");
			return 0;
		}
		struct na_pos p = s->win[i];
		if (netascii_fill(s->data, s->src_size, &p, buf + 4, n) != n) {
			fail(s, now, "internal error: netascii source ended early");
			return 0;
		}
		if (i + 1 == s->win_valid && i + 1 <= s->windowsize) {
			s->win[i + 1] = p;
			s->win_valid++;
		}
	} else if (n) {
		memcpy(buf + 4, s->data + off, n);
	}
	s->next++;
	s->stats.packets_sent++;
	if (blk <= s->highest_sent)
		s->stats.retransmissions++;
	else
		s->highest_sent = blk;
	if (s->next > s->window_end) {
		s->deadline = now + cur_timeout(s); /* the window is out: wait for its ACK */
		s->window_sent_ms = s->resending ? 0 : now; /* round trips are measured on first sends only */
		/*
		 * A lost last block of a window leaves the receiver nothing to complain about: only a
		 * timeout reveals it, and U-Boot counts every timeout against the whole transfer. So a
		 * window that is not acknowledged within a few round trips gets its last block sent
		 * once more (a tail-loss probe, as TCP does); a receiver that had it reports where it
		 * is instead. Lock-step transfers never probe (RFC 1123's rule on duplicates).
		 */
		if (s->windowsize > 1 && !s->probe_at) {
			uint64_t pto = s->srtt_ms ? 4 * s->srtt_ms : 20;
			if (pto < 10)
				pto = 10;
			if (pto > s->timeout_ms / 2)
				pto = s->timeout_ms / 2;
			s->probe_at = now + pto;
		}
	}
	return 4 + n;
}

/*
 * After the client reports a gap, the rest of the old window is still arriving at it; a small
 * receiver (U-Boot keeps 4 receive buffers) drops whatever comes on top, so the restarted window
 * waits a moment for the old one to drain instead of going out at once (lab.md 2d).
 */
#define NACK_HOLDOFF_MS 3

static void start_window(struct fwkit_tftp_session *s)
{
	s->restart_at = 0;
	s->probe_at = 0;
	s->next = s->base;
	uint64_t end = s->base + s->windowsize - 1;
	s->window_end = end < s->last_block ? end : s->last_block;
	s->retries = 0;
	s->deadline = UINT64_MAX;
}

void fwkit_tftp_session_input(struct fwkit_tftp_session *s, const uint8_t *pkt, size_t len, uint64_t now)
{
	if (s->state != TFTP_SENDING || len < 4)
		return;
	struct cursor c;
	cursor_init(&c, pkt, len, 0);
	unsigned op = cursor_be16(&c);
	unsigned num = cursor_be16(&c);
	if (op == TFTP_ERROR) {
		size_t mlen = 0;
		const char *msg = cursor_cstr(&c, 100, &mlen);
		snprintf(s->failure, sizeof(s->failure), "client sent error %u: %.*s", num, (int)(msg ? mlen : 0),
			 msg ? msg : "");
		s->state = TFTP_FAILED;
		s->stats.finished_ms = now;
		return;
	}
	if (op != TFTP_ACK)
		return; /* anything else on a read transfer is ignored */
	s->answered = true; /* from now on the negotiated timeout and retry limit */
	if (s->oack) {
		if (num != 0) {
			s->stats.duplicate_acks++;
			return;
		}
		s->oack = false;
		s->base = 1;
		start_window(s);
		return;
	}
	/* map the 16-bit block number into the window: prev is the last block acknowledged */
	uint64_t prev = s->base - 1;
	uint64_t acked = prev + ((num - (unsigned)(prev & 0xFFFF)) & 0xFFFF);
	if (acked > s->highest_sent) {
		s->stats.duplicate_acks++; /* from before a wrap, or nonsense: ignored */
		return;
	}
	if (acked == prev) {
		s->stats.duplicate_acks++;
		/*
		 * A repeated ACK. In lock-step it is never answered with data (the Sorcerer's
		 * Apprentice). In a window it can also mean "the first block of your window was lost":
		 * RFC 7440 receivers, U-Boot among them, acknowledge the last block they have in
		 * order when one goes missing, and U-Boot counts every timeout it waits through
		 * against the whole transfer, so waiting for our timer makes it give up after a few
		 * losses. So a repeated ACK restarts the window, but at most once per quarter of the
		 * timeout: duplicates caused by our own resends cannot start a storm.
		 */
		if (s->windowsize > 1 && s->highest_sent >= s->base &&
		    (!s->nacked || now >= s->last_nack_ms + s->timeout_ms / 4)) {
			s->nacked = true;
			s->last_nack_ms = now;
			s->resending = true;
			start_window(s);
			s->restart_at = now + NACK_HOLDOFF_MS;
			s->deadline = UINT64_MAX;
		}
		return;
	}
	uint64_t acked_bytes = acked * s->blksize;
	s->stats.bytes_acked = acked_bytes > s->size ? s->size : acked_bytes;
	if (s->netascii && acked < s->last_block) {
		uint64_t shift = acked + 1 - s->base; /* the start of block acked + 1 becomes win[0] */
		if (shift >= s->win_valid) {
			fail(s, now, "internal error: netascii block position unknown");
			return;
		}
		memmove(s->win, s->win + shift, (size_t)(s->win_valid - shift) * sizeof(*s->win));
		s->win_valid -= shift;
	}
	s->base = acked + 1;
	if (s->base > s->last_block) {
		s->state = TFTP_DONE;
		s->stats.bytes_acked = s->size;
		s->stats.finished_ms = now;
		s->deadline = UINT64_MAX;
		return;
	}
	if (acked == s->window_end && s->window_sent_ms && now >= s->window_sent_ms) {
		uint64_t rtt = now - s->window_sent_ms;
		s->srtt_ms = s->srtt_ms ? (7 * s->srtt_ms + rtt) / 8 : rtt + 1;
	}
	s->resending = acked < s->window_end; /* a gap inside the window: restart after it (RFC 7440) */
	start_window(s);
	if (s->resending) {
		s->nacked = true;
		s->last_nack_ms = now;
		s->restart_at = now + NACK_HOLDOFF_MS;
	}
}

void fwkit_tftp_session_tick(struct fwkit_tftp_session *s, uint64_t now)
{
	if (s->state != TFTP_SENDING)
		return;
	if (s->probe_at && now >= s->probe_at && now < s->deadline && !s->oack && !s->restart_at) {
		s->probe_at = UINT64_MAX; /* once per window */
		s->next = s->window_end;  /* next() sends just the last block again */
		s->resending = true;
		return;
	}
	if (now < s->deadline)
		return;
	if (++s->retries > cur_retries(s)) {
		if (s->answered)
			snprintf(s->failure, sizeof(s->failure), "timed out: no acknowledgement after %u retransmissions",
				 s->max_retries);
		else
			snprintf(s->failure, sizeof(s->failure),
				 "timed out: the client never answered (first packet sent %u times, %u ms apart)",
				 s->first_retries + 1, cur_timeout(s));
		s->state = TFTP_FAILED;
		s->stats.finished_ms = now;
		s->deadline = UINT64_MAX;
		return;
	}
	unsigned retries = s->retries;
	if (s->oack) {
		s->oack_pending = true;
	} else {
		start_window(s);
		s->retries = retries;
	}
	s->resending = true;
	s->deadline = UINT64_MAX; /* set again when the retransmission has gone out */
}

bool fwkit_tftp_session_pending(const struct fwkit_tftp_session *s)
{
	return s->state == TFTP_SENDING && !s->restart_at &&
	       (s->oack_pending || (!s->oack && s->next && s->next <= s->window_end));
}

uint64_t fwkit_tftp_session_deadline(const struct fwkit_tftp_session *s)
{
	if (s->state != TFTP_SENDING)
		return UINT64_MAX;
	if (s->restart_at)
		return s->restart_at;
	if (s->probe_at && s->probe_at != UINT64_MAX && s->probe_at < s->deadline)
		return s->probe_at;
	return s->deadline;
}

enum fwkit_tftp_state fwkit_tftp_session_state(const struct fwkit_tftp_session *s) { return s->state; }
const struct fwkit_tftp_stats *fwkit_tftp_session_stats(const struct fwkit_tftp_session *s) { return &s->stats; }
const char *fwkit_tftp_session_failure(const struct fwkit_tftp_session *s) { return s->failure; }
unsigned fwkit_tftp_session_blksize(const struct fwkit_tftp_session *s) { return s->blksize; }
unsigned fwkit_tftp_session_windowsize(const struct fwkit_tftp_session *s) { return s->windowsize; }
uint64_t fwkit_tftp_session_size(const struct fwkit_tftp_session *s) { return s->size; }
