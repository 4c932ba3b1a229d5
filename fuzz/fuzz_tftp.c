/*
 * Fuzz target for the TFTP request parser and session state machine. The input is:
 *   2 bytes file size, 1 byte request length, the request packet, then events:
 *   a byte < 0x80 lets that many 100 ms pass (tick); a byte >= 0x80 is followed by a length
 *   byte and that many bytes of a packet from the client.
 * Properties: every DATA packet carries exactly the file's bytes for its block number (for a
 * netascii request, the bytes of an independent whole-file conversion: the session converts block
 * by block) and no more than blksize; nothing is sent while the session is finished; a finished transfer has
 * acknowledged the whole file. Replayed over fuzz/corpus/tftp in every test build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwkit/tftp.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t file[65536];
static uint8_t want[2 * 65536]; /* what the client must receive */
static uint8_t out[FWKIT_TFTP_MAX_PACKET];

/* The reference netascii conversion (RFC 764): CR becomes CR NUL, LF becomes CR LF. */
static size_t netascii(const uint8_t *d, size_t n, uint8_t *o)
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

static void drain(struct fwkit_tftp_session *s, uint64_t now, size_t fsize)
{
	size_t n;
	int guard = 0;
	while ((n = fwkit_tftp_session_next(s, now, out, sizeof(out))) > 0 && guard++ < 70000) {
		REQUIRE(n >= 4 && n <= sizeof(out));
		unsigned op = (unsigned)(out[0] << 8 | out[1]);
		REQUIRE(op == TFTP_DATA || op == TFTP_OACK);
		if (op != TFTP_DATA)
			continue;
		unsigned blk = (unsigned)(out[2] << 8 | out[3]);
		unsigned bs = fwkit_tftp_session_blksize(s);
		REQUIRE(blk >= 1 && n - 4 <= bs);
		uint64_t off = (uint64_t)(blk - 1) * bs;
		REQUIRE(off <= fsize);
		REQUIRE(n - 4 == (fsize - off < bs ? fsize - off : bs));
		REQUIRE(memcmp(out + 4, want + off, n - 4) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	for (size_t i = 0; i < sizeof(file); i++)
		file[i] = (uint8_t)(i * 131 + 17);
	size_t fsize = (size_t)(data[0] << 8 | data[1]);
	size_t rlen = data[2];
	if (size < 3 + rlen)
		return 0;
	struct fwkit_tftp_request req;
	char why[160];
	int code = fwkit_tftp_parse_request(data + 3, rlen, &req, why, sizeof(why));
	if (code >= 0) {
		REQUIRE(code <= TFTP_EOPTNEG);
		return 0;
	}
	REQUIRE(req.filename_len <= FWKIT_TFTP_MAX_FILENAME && req.filename[req.filename_len] == 0);
	size_t wsize = fsize;
	if (req.netascii)
		wsize = netascii(file, fsize, want);
	else
		memcpy(want, file, fsize);
	struct fwkit_tftp_limits lim = { .max_windowsize = 16, .max_retries = 3 };
	struct fwkit_tftp_session *s = fwkit_tftp_session_new(&req, file, fsize, &lim, 0, &code, why, sizeof(why));
	if (!s) {
		REQUIRE(code == TFTP_EOPTNEG);
		return 0;
	}
	REQUIRE(fwkit_tftp_session_blksize(s) >= 8 && fwkit_tftp_session_blksize(s) <= 65464);
	REQUIRE(fwkit_tftp_session_size(s) == wsize);
	uint64_t now = 0;
	drain(s, now, wsize);
	size_t pos = 3 + rlen;
	while (pos < size) {
		uint8_t ev = data[pos++];
		if (ev < 0x80) {
			now += (uint64_t)ev * 100;
			fwkit_tftp_session_tick(s, now);
		} else {
			if (pos >= size)
				break;
			size_t plen = data[pos++];
			if (plen > size - pos)
				plen = size - pos;
			fwkit_tftp_session_input(s, data + pos, plen, now);
			pos += plen;
		}
		enum fwkit_tftp_state st = fwkit_tftp_session_state(s);
		if (st != TFTP_SENDING) {
			REQUIRE(fwkit_tftp_session_next(s, now, out, sizeof(out)) == 0);
			if (st == TFTP_DONE)
				REQUIRE(fwkit_tftp_session_stats(s)->bytes_acked == wsize);
			break;
		}
		drain(s, now, wsize);
	}
	fwkit_tftp_session_free(s);
	return 0;
}
