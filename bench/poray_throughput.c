/*
 * fwkit-bench-poray: Poray encode and decode (mkporayfw's format, docs/formats/poray.md) of a
 * 4 MiB firmware, side by side with the limit of the work: a plain memcpy into a new buffer and a
 * XOR with a 15-byte key (what any Poray coder must at least do; fwkit also sums the 16-bit
 * checksum, and decode tries the hardware id's keys and checks the uImage header).
 * Pseudo-random bytes with a fixed seed; board X5 (8M layout: 4 MiB fits); best of ROUNDS rounds
 * each, interleaved, CLOCK_MONOTONIC. Checks decode(encode(x)) == x (exit 1 if not); asserts
 * nothing about time. Prints a Markdown section (bench/results/poray.md).
 *
 * Usage: fwkit-bench-poray [ROUNDS]   (default 30)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fwkit/fwkit.h"

#define SIZE ((size_t)4 * 1024 * 1024)
#define MIB (1024.0 * 1024.0)

static const uint8_t KEY[15] = { 0x89, 0x6B, 0x5A, 0x93, 0x92, 0x95, 0xC3, 0x63, 0xD0, 0xA3, 0x9C, 0x92, 0x2E, 0xE6, 0xC7 };

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The limit: copy to a fresh buffer, XOR with the key repeated. */
static uint8_t *copy_xor(const uint8_t *in, size_t len)
{
	uint8_t *o = malloc(len);
	if (!o)
		return NULL;
	memcpy(o, in, len);
	for (size_t i = 0; i < len; i++)
		o[i] ^= KEY[i % sizeof(KEY)];
	return o;
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 30;
	if (rounds <= 0 || rounds > 10000)
		rounds = 30;
	uint8_t *fw = malloc(SIZE);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	const struct fwkit_poray_board *b = fwkit_poray_board_find("X5");
	if (!fw || !ctx || !b)
		return 2;
	uint64_t s = 0x5eed;
	for (size_t i = 0; i < SIZE; i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		fw[i] = (uint8_t)(s >> 56);
	}
	double best[3] = { 1e9, 1e9, 1e9 };
	int same = 1;
	for (long r = 0; r < rounds; r++) {
		uint8_t *enc = NULL, *dec = NULL, *lim = NULL;
		size_t elen = 0, dlen = 0;
		struct fwkit_poray_info info;
		double t0 = now();
		lim = copy_xor(fw, SIZE);
		double t1 = now();
		if (fwkit_poray_encode(ctx, b, fw, SIZE, 0, &enc, &elen) != FWKIT_OK)
			return 2;
		double t2 = now();
		if (fwkit_poray_decode(ctx, enc, elen, &info, &dec, &dlen) != FWKIT_OK)
			return 2;
		double t3 = now();
		same = same && lim && dlen == SIZE && memcmp(dec, fw, SIZE) == 0;
		double t[3] = { t1 - t0, t2 - t1, t3 - t2 };
		for (int k = 0; k < 3; k++)
			best[k] = t[k] < best[k] ? t[k] : best[k];
		free(lim);
		free(enc);
		free(dec);
	}
	printf("## Poray encode and decode: fwkit against memcpy + XOR\n\n");
	printf("`build/bench/bench/fwkit-bench-poray %ld`: a 4 MiB pseudo-random firmware, board X5, best of %ld rounds "
	       "(in process, CLOCK_MONOTONIC). The limit is a memcpy into a new buffer plus the XOR with a 15-byte key; "
	       "fwkit also computes mkporayfw's checksum (encode) and, decoding, finds the key by checksum and uImage.\n\n",
	       rounds, rounds);
	printf("| operation | best (ms) | MiB/s | limit / operation |\n| --- | ---: | ---: | ---: |\n");
	static const char *const names[3] = { "memcpy + XOR (the limit)", "fwkit_poray_encode", "fwkit_poray_decode" };
	for (int k = 0; k < 3; k++)
		printf("| %s | %.2f | %.0f | %.2f |\n", names[k], best[k] * 1e3, SIZE / MIB / best[k], best[0] / best[k]);
	printf("\ndecode(encode(x)) == x: %s\n", same ? "yes" : "NO");
	fwkit_ctx_free(ctx);
	free(fw);
	return same ? 0 : 1;
}
