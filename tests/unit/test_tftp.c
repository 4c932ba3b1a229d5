/*
 * The TFTP state machine, driven without sockets: option negotiation, lost DATA, lost ACK,
 * duplicate ACKs, a window with a gap, block-number rollover, timeouts and client errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fwkit/tftp.h"

static uint8_t pkt[FWKIT_TFTP_MAX_PACKET];

static size_t rrq(uint8_t *buf, const char *name, const char *mode, const char *const *opts)
{
	size_t n = 0;
	buf[n++] = 0;
	buf[n++] = 1;
	memcpy(buf + n, name, strlen(name) + 1);
	n += strlen(name) + 1;
	memcpy(buf + n, mode, strlen(mode) + 1);
	n += strlen(mode) + 1;
	for (size_t i = 0; opts && opts[i]; i++) {
		memcpy(buf + n, opts[i], strlen(opts[i]) + 1);
		n += strlen(opts[i]) + 1;
	}
	return n;
}

static size_t ack(uint8_t *buf, unsigned block)
{
	buf[0] = 0;
	buf[1] = 4;
	buf[2] = (uint8_t)(block >> 8);
	buf[3] = (uint8_t)block;
	return 4;
}

static unsigned op_of(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }
static unsigned num_of(const uint8_t *p) { return (unsigned)(p[2] << 8 | p[3]); }

static struct fwkit_tftp_session *start(const char *const *opts, const uint8_t *data, size_t size,
					struct fwkit_tftp_request *req)
{
	char why[128];
	size_t n = rrq(pkt, "f.bin", "octet", opts);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, req, why, sizeof(why)), -1);
	int code = 0;
	struct fwkit_tftp_session *s = fwkit_tftp_session_new(req, data, size, NULL, 0, &code, why, sizeof(why));
	assert_non_null(s);
	return s;
}

static void parses_requests_and_refuses_malformed_ones(void **state)
{
	(void)state;
	struct fwkit_tftp_request r;
	char why[128];
	const char *opts[] = { "BLKSIZE", "1468", "tsize", "0", "WindowSize", "8", "foo", "bar", "timeout", "x", NULL };
	size_t n = rrq(pkt, "dir/f.bin", "OcTeT", opts);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, &r, why, sizeof(why)), -1);
	assert_string_equal(r.filename, "dir/f.bin");
	assert_false(r.netascii);
	assert_true(r.blksize.asked && r.blksize.valid);
	assert_int_equal(r.blksize.value, 1468);
	assert_int_equal(r.windowsize.value, 8);
	assert_true(r.timeout.asked);
	assert_false(r.timeout.valid); /* "x" */
	assert_int_equal(r.unknown_options, 1);
	/* a filename without its NUL */
	assert_int_equal(fwkit_tftp_parse_request((const uint8_t *)"\0\1abc", 5, &r, why, sizeof(why)), TFTP_EBADOP);
	/* no mode */
	assert_int_equal(fwkit_tftp_parse_request((const uint8_t *)"\0\1abc\0", 6, &r, why, sizeof(why)), TFTP_EBADOP);
	/* an option list with no terminating NUL */
	n = rrq(pkt, "f", "octet", NULL);
	memcpy(pkt + n, "blksize\0" "512", 11);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n + 11, &r, why, sizeof(why)), TFTP_EBADOP);
	assert_string_equal(why, "option list not terminated");
	/* unknown mode, empty name, a short packet, a DATA packet */
	n = rrq(pkt, "f", "mail", NULL);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, &r, why, sizeof(why)), TFTP_EBADOP);
	n = rrq(pkt, "", "octet", NULL);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, &r, why, sizeof(why)), TFTP_EBADOP);
	assert_int_equal(fwkit_tftp_parse_request(pkt, 1, &r, why, sizeof(why)), TFTP_EBADOP);
	assert_int_equal(fwkit_tftp_parse_request((const uint8_t *)"\0\3\0\1", 4, &r, why, sizeof(why)), TFTP_EBADOP);
	/* a WRQ parses (the server refuses it) */
	n = rrq(pkt, "up.bin", "octet", NULL);
	pkt[1] = 2;
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, &r, why, sizeof(why)), -1);
	assert_int_equal(r.opcode, TFTP_WRQ);
	size_t e = fwkit_tftp_error_packet(pkt, sizeof(pkt), TFTP_ENOTFOUND, "file not found");
	assert_int_equal(e, 4 + 14 + 1);
	assert_memory_equal(pkt, "\0\5\0\1file not found\0", e);
}

static void negotiation(void **state)
{
	(void)state;
	uint8_t data[100] = { 0 };
	struct fwkit_tftp_request r;
	char why[128];
	int code;
	const char *small[] = { "blksize", "7", NULL };
	size_t n = rrq(pkt, "f", "octet", small);
	fwkit_tftp_parse_request(pkt, n, &r, why, sizeof(why));
	assert_null(fwkit_tftp_session_new(&r, data, sizeof(data), NULL, 0, &code, why, sizeof(why)));
	assert_int_equal(code, TFTP_EOPTNEG);
	const char *big[] = { "blksize", "70000", "tsize", "0", "windowsize", "100000", "timeout", "0", NULL };
	struct fwkit_tftp_session *s = start(big, data, sizeof(data), &r);
	assert_int_equal(fwkit_tftp_session_blksize(s), 65464);
	assert_int_equal(fwkit_tftp_session_windowsize(s), 1); /* 100000 is out of range: ignored */
	n = fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	assert_int_equal(op_of(pkt), TFTP_OACK);
	const char want[] = "\0\6blksize\00065464\0tsize\000100\0";
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(pkt, want, n);
	/* nothing more until ACK 0 */
	assert_int_equal(fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)), 0);
	fwkit_tftp_session_input(s, pkt, ack(pkt, 0), 1);
	n = fwkit_tftp_session_next(s, 1, pkt, sizeof(pkt));
	assert_int_equal(op_of(pkt), TFTP_DATA);
	assert_int_equal(num_of(pkt), 1);
	assert_int_equal(n, 4 + 100);
	fwkit_tftp_session_free(s);
}

/* Drives a whole transfer with a client that acknowledges each window; returns packets seen. */
static uint64_t run_transfer(struct fwkit_tftp_session *s, const uint8_t *data, size_t size, unsigned blksize,
			     bool dup_acks)
{
	uint64_t now = 10, packets = 0, received = 0;
	unsigned expect = 1;
	uint8_t a[4];
	for (int guard = 0; fwkit_tftp_session_state(s) == TFTP_SENDING && guard < 10000000; guard++) {
		size_t n;
		unsigned last = 0;
		bool any = false;
		while ((n = fwkit_tftp_session_next(s, now, pkt, sizeof(pkt))) > 0) {
			packets++;
			assert_int_equal(op_of(pkt), TFTP_DATA);
			assert_int_equal(num_of(pkt), expect & 0xFFFF);
			assert_memory_equal(pkt + 4, data + received, n - 4);
			received += n - 4;
			last = num_of(pkt);
			expect++;
			any = true;
			assert_true(n - 4 <= blksize);
		}
		assert_true(any);
		fwkit_tftp_session_input(s, a, ack(a, last), now);
		if (dup_acks)
			fwkit_tftp_session_input(s, a, ack(a, last), now); /* U-Boot often ACKs twice */
		now++;
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_DONE);
	assert_int_equal(received, size);
	return packets;
}

static void rollover_past_block_65535(void **state)
{
	(void)state;
	/* 70000 blocks of 8 bytes: block numbers wrap to 0 after 65535 */
	size_t size = 70000 * 8 + 3;
	uint8_t *data = malloc(size);
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	struct fwkit_tftp_request r;
	const char *opts[] = { "blksize", "8", NULL };
	struct fwkit_tftp_session *s = start(opts, data, size, &r);
	size_t n = fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	assert_true(n > 0);
	fwkit_tftp_session_input(s, pkt, ack(pkt, 0), 1);
	uint64_t packets = run_transfer(s, data, size, 8, true);
	assert_int_equal(packets, 70001);
	const struct fwkit_tftp_stats *st = fwkit_tftp_session_stats(s);
	assert_int_equal(st->retransmissions, 0);
	assert_int_equal(st->duplicate_acks, 70000); /* all ignored, none answered (the last came after the end) */
	assert_int_equal(st->bytes_acked, size);
	fwkit_tftp_session_free(s);
	free(data);
}

static void exact_multiple_ends_with_an_empty_block(void **state)
{
	(void)state;
	uint8_t data[1024];
	memset(data, 'x', sizeof(data));
	struct fwkit_tftp_request r;
	struct fwkit_tftp_session *s = start(NULL, data, sizeof(data), &r);
	assert_int_equal(run_transfer(s, data, sizeof(data), 512, false), 3); /* 512 + 512 + 0 */
	fwkit_tftp_session_free(s);
	/* an empty file is one empty block */
	s = start(NULL, data, 0, &r);
	assert_int_equal(run_transfer(s, data, 0, 512, false), 1);
	fwkit_tftp_session_free(s);
}

static void lost_data_and_lost_ack_are_retransmitted_by_the_timer(void **state)
{
	(void)state;
	uint8_t data[2000];
	memset(data, 'y', sizeof(data));
	struct fwkit_tftp_request r;
	struct fwkit_tftp_session *s = start(NULL, data, sizeof(data), &r);
	uint8_t a[4];
	assert_int_equal(fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)), 516);
	assert_int_equal(num_of(pkt), 1);
	assert_int_equal(fwkit_tftp_session_deadline(s), 1000);
	/* DATA 1 lost: nothing happens before the deadline, then block 1 again */
	fwkit_tftp_session_tick(s, 999);
	assert_int_equal(fwkit_tftp_session_next(s, 999, pkt, sizeof(pkt)), 0);
	fwkit_tftp_session_tick(s, 1000);
	assert_int_equal(fwkit_tftp_session_next(s, 1000, pkt, sizeof(pkt)), 516);
	assert_int_equal(num_of(pkt), 1);
	/* ACK 1 arrives, block 2 goes; then ACK 2 is lost: the timer resends block 2 only */
	fwkit_tftp_session_input(s, a, ack(a, 1), 1100);
	assert_int_equal(fwkit_tftp_session_next(s, 1100, pkt, sizeof(pkt)), 516);
	assert_int_equal(num_of(pkt), 2);
	fwkit_tftp_session_tick(s, 2100);
	assert_int_equal(fwkit_tftp_session_next(s, 2100, pkt, sizeof(pkt)), 516);
	assert_int_equal(num_of(pkt), 2);
	assert_int_equal(fwkit_tftp_session_next(s, 2100, pkt, sizeof(pkt)), 0);
	/* a late duplicate of ACK 1 is ignored: no data is sent in answer */
	fwkit_tftp_session_input(s, a, ack(a, 1), 2150);
	assert_int_equal(fwkit_tftp_session_next(s, 2150, pkt, sizeof(pkt)), 0);
	const struct fwkit_tftp_stats *st = fwkit_tftp_session_stats(s);
	assert_int_equal(st->retransmissions, 2);
	assert_int_equal(st->duplicate_acks, 1);
	fwkit_tftp_session_free(s);
}

static void window_with_a_gap_restarts_after_the_last_good_block(void **state)
{
	(void)state;
	uint8_t data[512 * 20];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	struct fwkit_tftp_request r;
	const char *opts[] = { "windowsize", "8", NULL };
	struct fwkit_tftp_session *s = start(opts, data, sizeof(data), &r);
	uint8_t a[4];
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)); /* OACK */
	fwkit_tftp_session_input(s, a, ack(a, 0), 0);
	unsigned sent = 0;
	while (fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)) > 0)
		sent++;
	assert_int_equal(sent, 8);
	/* block 4 was lost: the client acknowledges 3, the last in order (RFC 7440) */
	fwkit_tftp_session_input(s, a, ack(a, 3), 1);
	/* the restart waits a few milliseconds for the rest of the old window to drain */
	assert_int_equal(fwkit_tftp_session_next(s, 1, pkt, sizeof(pkt)), 0);
	assert_false(fwkit_tftp_session_pending(s));
	assert_int_equal(fwkit_tftp_session_deadline(s), 4);
	unsigned first = 0, count = 0;
	while (fwkit_tftp_session_next(s, 4, pkt, sizeof(pkt)) > 0) {
		if (!count)
			first = num_of(pkt);
		count++;
	}
	assert_int_equal(first, 4);
	assert_int_equal(count, 8); /* 4..11 */
	/* the same ACK 3 again (U-Boot repeats it) changes nothing */
	fwkit_tftp_session_input(s, a, ack(a, 3), 2);
	assert_int_equal(fwkit_tftp_session_next(s, 2, pkt, sizeof(pkt)), 0);
	/* a stale ACK from before, and an ACK beyond what was sent, are ignored too */
	fwkit_tftp_session_input(s, a, ack(a, 1), 3);
	fwkit_tftp_session_input(s, a, ack(a, 40), 3);
	assert_int_equal(fwkit_tftp_session_next(s, 3, pkt, sizeof(pkt)), 0);
	fwkit_tftp_session_input(s, a, ack(a, 11), 4);
	assert_int_equal(fwkit_tftp_session_next(s, 4, pkt, sizeof(pkt)), 516);
	assert_int_equal(num_of(pkt), 12);
	const struct fwkit_tftp_stats *st = fwkit_tftp_session_stats(s);
	assert_int_equal(st->retransmissions, 5); /* blocks 4..8 went twice */
	/* the window 12..19 times out: all of it goes again (the receiver counts whole windows) */
	assert_true(fwkit_tftp_session_pending(s));
	while (fwkit_tftp_session_next(s, 4, pkt, sizeof(pkt)) > 0)
		;
	assert_false(fwkit_tftp_session_pending(s));
	fwkit_tftp_session_tick(s, 4 + 1000);
	unsigned again = 0;
	while (fwkit_tftp_session_next(s, 1004, pkt, sizeof(pkt)) > 0)
		again++;
	assert_int_equal(again, 8);
	fwkit_tftp_session_free(s);
}

static void repeated_ack_in_a_window_restarts_it_once(void **state)
{
	(void)state;
	uint8_t data[512 * 40];
	memset(data, 'w', sizeof(data));
	struct fwkit_tftp_request r;
	const char *opts[] = { "windowsize", "4", NULL };
	struct fwkit_tftp_session *s = start(opts, data, sizeof(data), &r);
	uint8_t a[4];
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)); /* OACK */
	fwkit_tftp_session_input(s, a, ack(a, 0), 0);
	while (fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)) > 0)
		;
	fwkit_tftp_session_input(s, a, ack(a, 4), 10); /* window 1..4 complete */
	while (fwkit_tftp_session_next(s, 10, pkt, sizeof(pkt)) > 0)
		;
	/* block 5 lost: U-Boot acknowledges 4 again, the last it has in order */
	fwkit_tftp_session_input(s, a, ack(a, 4), 20);
	assert_int_equal(fwkit_tftp_session_next(s, 20, pkt, sizeof(pkt)), 0);
	unsigned first = 0, count = 0;
	while (fwkit_tftp_session_next(s, 23, pkt, sizeof(pkt)) > 0) {
		if (!count)
			first = num_of(pkt);
		count++;
	}
	assert_int_equal(first, 5);
	assert_int_equal(count, 4);
	/* the same ACK again right away (a duplicate of the duplicate): no second resend */
	fwkit_tftp_session_input(s, a, ack(a, 4), 30);
	assert_int_equal(fwkit_tftp_session_next(s, 30, pkt, sizeof(pkt)), 0);
	/* ... but after a quarter of the timeout, a repeat restarts the window again */
	fwkit_tftp_session_input(s, a, ack(a, 4), 30 + 250);
	assert_true(fwkit_tftp_session_next(s, 283, pkt, sizeof(pkt)) > 0);
	assert_int_equal(num_of(pkt), 5);
	fwkit_tftp_session_free(s);
	/* in lock-step a repeated ACK is never answered with data */
	s = start(NULL, data, sizeof(data), &r);
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	fwkit_tftp_session_input(s, a, ack(a, 1), 1);
	fwkit_tftp_session_next(s, 1, pkt, sizeof(pkt));
	fwkit_tftp_session_input(s, a, ack(a, 1), 900);
	assert_int_equal(fwkit_tftp_session_next(s, 900, pkt, sizeof(pkt)), 0);
	fwkit_tftp_session_free(s);
}

static void empty_file_leaves_tsize_out(void **state)
{
	(void)state;
	struct fwkit_tftp_request r;
	const char *opts[] = { "tsize", "0", "blksize", "1024", NULL };
	struct fwkit_tftp_session *s = start(opts, (const uint8_t *)"", 0, &r);
	size_t n = fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	const char want[] = "\0\6blksize\0" "1024\0";
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(pkt, want, n);
	fwkit_tftp_session_free(s);
}

static void timeouts_give_up_and_client_errors_end(void **state)
{
	(void)state;
	uint8_t data[10] = { 0 };
	struct fwkit_tftp_request r;
	const char *opts[] = { "timeout", "2", NULL };
	struct fwkit_tftp_session *s = start(opts, data, sizeof(data), &r);
	uint64_t now = 0;
	/* until the client answers at all, the OACK is resent on the short first-response timer
	 * (1 s, not the 2 s asked) twice, then the session gives up: a silent request frees its
	 * slot after 3 s */
	for (int i = 0; i < 3; i++) {
		assert_true(fwkit_tftp_session_next(s, now, pkt, sizeof(pkt)) > 0);
		assert_int_equal(op_of(pkt), TFTP_OACK);
		assert_int_equal(fwkit_tftp_session_deadline(s), now + 1000);
		now += 1000;
		fwkit_tftp_session_tick(s, now);
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_FAILED);
	assert_int_equal(now, 3000);
	assert_non_null(strstr(fwkit_tftp_session_failure(s), "never answered"));
	fwkit_tftp_session_free(s);
	/* once the client has answered (ACK 0), the negotiated 2 s and 5 retries apply */
	s = start(opts, data, sizeof(data), &r);
	now = 0;
	assert_true(fwkit_tftp_session_next(s, now, pkt, sizeof(pkt)) > 0);
	uint8_t a[4];
	fwkit_tftp_session_input(s, a, ack(a, 0), 10);
	now = 10;
	for (int i = 0; i < 6; i++) {
		assert_int_equal(fwkit_tftp_session_next(s, now, pkt, sizeof(pkt)), 14);
		assert_int_equal(op_of(pkt), TFTP_DATA);
		assert_int_equal(fwkit_tftp_session_deadline(s), now + 2000);
		now += 2000;
		fwkit_tftp_session_tick(s, now);
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_FAILED);
	assert_non_null(strstr(fwkit_tftp_session_failure(s), "timed out"));
	fwkit_tftp_session_free(s);
	s = start(NULL, data, sizeof(data), &r);
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	size_t n = fwkit_tftp_error_packet(pkt, sizeof(pkt), TFTP_EUNDEF, "user cancelled");
	fwkit_tftp_session_input(s, pkt, n, 5);
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_FAILED);
	assert_non_null(strstr(fwkit_tftp_session_failure(s), "user cancelled"));
	fwkit_tftp_session_free(s);
}

/* The netascii form as RFC 764 defines it, converted whole: CR becomes CR NUL, LF becomes CR LF. */
static size_t netascii_ref(const uint8_t *d, size_t n, uint8_t *o)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (d[i] == '\r') {
			o[w++] = '\r';
			o[w++] = 0;
		} else if (d[i] == '\n') {
			o[w++] = '\r';
			o[w++] = '\n';
		} else {
			o[w++] = d[i];
		}
	}
	return w;
}

static struct fwkit_tftp_session *start_mode(const char *mode, const char *const *opts, const uint8_t *data,
					     size_t size, struct fwkit_tftp_request *req)
{
	char why[128];
	size_t n = rrq(pkt, "f.txt", mode, opts);
	assert_int_equal(fwkit_tftp_parse_request(pkt, n, req, why, sizeof(why)), -1);
	int code = 0;
	struct fwkit_tftp_session *s = fwkit_tftp_session_new(req, data, size, NULL, 0, &code, why, sizeof(why));
	assert_non_null(s);
	return s;
}

/* DATA packet PKT (of N bytes) is block BLK of the reference form WANT (WLEN bytes) at blksize BS. */
static void is_block(const uint8_t *p, size_t n, unsigned blk, const uint8_t *want, size_t wlen, size_t bs)
{
	assert_int_equal(op_of(p), TFTP_DATA);
	assert_int_equal(num_of(p), blk);
	size_t off = (blk - 1) * bs;
	assert_true(off <= wlen);
	size_t len = wlen - off < bs ? wlen - off : bs;
	assert_int_equal(n, 4 + len);
	assert_memory_equal(p + 4, want + off, len);
}

static void netascii_lock_step_carries_a_pair_across_blocks_and_resends_it_exactly(void **state)
{
	(void)state;
	/* blksize 8: "abcdefg\n" converts to "abcdefg\r" | "\n..." (the CR LF pair is split), and
	 * "hijklm\r" puts CR | NUL across the next boundary */
	static const uint8_t text[] = "abcdefg\nhijklm\rop\n\n\r\rq";
	size_t tlen = sizeof(text) - 1;
	uint8_t want[64];
	size_t wlen = netascii_ref(text, tlen, want);
	assert_int_equal(wlen, tlen + 6);
	assert_int_equal(want[7], '\r');
	assert_int_equal(want[8], '\n');
	assert_int_equal(want[15], '\r');
	assert_int_equal(want[16], 0);
	assert_int_equal(want[24], 0); /* and "\r\r" puts CR NUL CR | NUL across the third */
	struct fwkit_tftp_request r;
	const char *opts[] = { "blksize", "8", "tsize", "0", NULL };
	struct fwkit_tftp_session *s = start_mode("netascii", opts, text, tlen, &r);
	/* tsize and the size are those of the netascii form, what the client receives */
	assert_int_equal(fwkit_tftp_session_size(s), wlen);
	assert_int_equal(r.tsize.granted_value, wlen);
	uint8_t a[4];
	size_t n = fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	assert_int_equal(op_of(pkt), TFTP_OACK);
	fwkit_tftp_session_input(s, a, ack(a, 0), 1);
	uint64_t now = 1;
	unsigned blocks = (unsigned)(wlen / 8 + 1);
	for (unsigned b = 1; b <= blocks; b++) {
		n = fwkit_tftp_session_next(s, now, pkt, sizeof(pkt));
		is_block(pkt, n, b, want, wlen, 8);
		if (b == 2 || b == 3) {
			/* lost: the timer resends the block that starts with the carried LF (2) or NUL (3) */
			fwkit_tftp_session_tick(s, now + 1000);
			now += 1000;
			n = fwkit_tftp_session_next(s, now, pkt, sizeof(pkt));
			is_block(pkt, n, b, want, wlen, 8);
		}
		fwkit_tftp_session_input(s, a, ack(a, b), now);
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_DONE);
	assert_int_equal(fwkit_tftp_session_stats(s)->bytes_acked, wlen);
	fwkit_tftp_session_free(s);
}

static void netascii_window_restarts_resend_exact_blocks(void **state)
{
	(void)state;
	/* a text where almost every block boundary splits a pair */
	uint8_t text[300];
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = i % 7 == 6 ? '\n' : i % 11 == 10 ? '\r' : (uint8_t)('a' + i % 26);
	uint8_t want[600];
	size_t wlen = netascii_ref(text, sizeof(text), want);
	struct fwkit_tftp_request r;
	const char *opts[] = { "blksize", "8", "windowsize", "4", NULL };
	struct fwkit_tftp_session *s = start_mode("netascii", opts, text, sizeof(text), &r);
	uint8_t a[4];
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)); /* OACK */
	fwkit_tftp_session_input(s, a, ack(a, 0), 0);
	/* window 1..4 */
	for (unsigned b = 1; b <= 4; b++)
		is_block(pkt, fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)), b, want, wlen, 8);
	assert_int_equal(fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt)), 0);
	/* block 3 lost: ACK 2, the window restarts at 3 with the same bytes as before */
	fwkit_tftp_session_input(s, a, ack(a, 2), 1);
	for (unsigned b = 3; b <= 6; b++)
		is_block(pkt, fwkit_tftp_session_next(s, 10, pkt, sizeof(pkt)), b, want, wlen, 8);
	/* the whole window 3..6 times out: sent again from 3 */
	fwkit_tftp_session_tick(s, 10 + 1000);
	for (unsigned b = 3; b <= 6; b++)
		is_block(pkt, fwkit_tftp_session_next(s, 1010, pkt, sizeof(pkt)), b, want, wlen, 8);
	/* then the rest, each window acknowledged whole; a repeated ACK restarts one window */
	uint64_t now = 1010;
	unsigned last = (unsigned)(wlen / 8 + 1), acked = 6, nacks = 0;
	fwkit_tftp_session_input(s, a, ack(a, acked), now);
	while (fwkit_tftp_session_state(s) == TFTP_SENDING) {
		unsigned b = acked + 1, got = 0;
		size_t n;
		now += 300;
		while ((n = fwkit_tftp_session_next(s, now, pkt, sizeof(pkt))) > 0) {
			is_block(pkt, n, b, want, wlen, 8);
			b++;
			got++;
		}
		assert_true(got >= 1 && got <= 4);
		if (acked == 14 && nacks == 0) {
			nacks++;
			fwkit_tftp_session_input(s, a, ack(a, acked), now); /* "your window's first block is missing" */
			continue;
		}
		acked = b - 1;
		fwkit_tftp_session_input(s, a, ack(a, acked), now);
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_DONE);
	assert_int_equal(acked, last);
	assert_int_equal(nacks, 1);
	assert_int_equal(fwkit_tftp_session_stats(s)->bytes_acked, wlen);
	fwkit_tftp_session_free(s);
}

static void first_ack_timeout_frees_a_silent_request_in_seconds(void **state)
{
	(void)state;
	uint8_t data[2000];
	memset(data, 'z', sizeof(data));
	struct fwkit_tftp_request r;
	/* the client asks for 255 s: before its first ACK, the first DATA goes every 1 s, 3 times */
	const char *opts[] = { "timeout", "255", NULL };
	struct fwkit_tftp_session *s = start(opts, data, sizeof(data), &r);
	assert_int_equal(r.timeout.granted_value, 255);
	assert_int_equal(op_of(pkt), TFTP_RRQ); /* (unchanged: start only parsed) */
	uint64_t now = 0;
	unsigned sent = 0;
	while (fwkit_tftp_session_state(s) == TFTP_SENDING && now < 600000) {
		if (fwkit_tftp_session_next(s, now, pkt, sizeof(pkt)) > 0)
			sent++;
		now = fwkit_tftp_session_deadline(s);
		fwkit_tftp_session_tick(s, now);
	}
	assert_int_equal(fwkit_tftp_session_state(s), TFTP_FAILED);
	assert_int_equal(sent, 3);
	assert_int_equal(now, 3000); /* not 6 x 255 s */
	fwkit_tftp_session_free(s);
	/* without options (no OACK): DATA 1 is the first packet; the same rule */
	s = start(NULL, data, sizeof(data), &r);
	now = 0;
	sent = 0;
	while (fwkit_tftp_session_state(s) == TFTP_SENDING && now < 600000) {
		if (fwkit_tftp_session_next(s, now, pkt, sizeof(pkt)) > 0) {
			assert_int_equal(num_of(pkt), 1);
			sent++;
		}
		now = fwkit_tftp_session_deadline(s);
		fwkit_tftp_session_tick(s, now);
	}
	assert_int_equal(sent, 3);
	assert_int_equal(now, 3000);
	fwkit_tftp_session_free(s);
	/* a client that answered once gets the timeout it asked: 255 s between resends */
	s = start(opts, data, sizeof(data), &r);
	fwkit_tftp_session_next(s, 0, pkt, sizeof(pkt));
	uint8_t a[4];
	fwkit_tftp_session_input(s, a, ack(a, 0), 500);
	assert_int_equal(fwkit_tftp_session_next(s, 500, pkt, sizeof(pkt)), 516);
	assert_int_equal(fwkit_tftp_session_deadline(s), 500 + 255000);
	fwkit_tftp_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_requests_and_refuses_malformed_ones),
		cmocka_unit_test(negotiation),
		cmocka_unit_test(rollover_past_block_65535),
		cmocka_unit_test(exact_multiple_ends_with_an_empty_block),
		cmocka_unit_test(lost_data_and_lost_ack_are_retransmitted_by_the_timer),
		cmocka_unit_test(window_with_a_gap_restarts_after_the_last_good_block),
		cmocka_unit_test(timeouts_give_up_and_client_errors_end),
		cmocka_unit_test(repeated_ack_in_a_window_restarts_it_once),
		cmocka_unit_test(empty_file_leaves_tsize_out),
		cmocka_unit_test(netascii_lock_step_carries_a_pair_across_blocks_and_resends_it_exactly),
		cmocka_unit_test(netascii_window_restarts_resend_exact_blocks),
		cmocka_unit_test(first_ack_timeout_frees_a_silent_request_in_seconds),
	};
	return cmocka_run_group_tests_name("tftp", tests, NULL, NULL);
}
