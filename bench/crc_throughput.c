/*
 * fwkit-bench-crc: CRC-32 throughput of fwkit_crc32 against zlib's crc32 and crc32_z called
 * directly, on a 16 MiB buffer of pseudo-random bytes (fixed seed, so every run hashes the same
 * bytes). Each variant is timed as the best of N rounds with CLOCK_MONOTONIC; the rounds are
 * interleaved (fwkit, crc32, crc32_z, fwkit, ...) so drift in clock speed or load hits all three
 * alike. fwkit_crc32 is a thin wrapper over crc32_z, so the ratio fwkit/zlib should sit near 1.00;
 * the program checks that all three give the same CRC and exits 1 if not. It asserts nothing
 * about timing.
 *
 * Usage: fwkit-bench-crc [ROUNDS] [PASSES]   (defaults 100 and 1: each round hashes the buffer
 * PASSES times). Many short rounds beat few long ones on a shared 2-core machine: the best round
 * is more likely to be one nothing interrupted (100 x 1 repeats within about 1 %, 15 x 4 within
 * about 10 %).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zlib.h>

#include "fwkit/codec.h"

#define BUF_SIZE ((size_t)16 * 1024 * 1024)
#define SEED UINT64_C(0x5eedf00dcafe1234)

enum variant { V_FWKIT, V_CRC32, V_CRC32_Z, V_COUNT };

static const char *const variant_name[V_COUNT] = {
	"fwkit_crc32",
	"zlib crc32",
	"zlib crc32_z",
};

/* xorshift64*: fast, deterministic, and good enough to defeat any content shortcut. */
static uint64_t next_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

static void fill_random(unsigned char *buf, size_t len)
{
	uint64_t state = SEED;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t r = next_rand(&state);
		for (int b = 0; b < 8; b++)
			buf[i + (size_t)b] = (unsigned char)(r >> (8 * b));
	}
	if (i < len) {
		uint64_t r = next_rand(&state);
		for (; i < len; i++, r >>= 8)
			buf[i] = (unsigned char)r;
	}
}

static double now_seconds(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		perror("clock_gettime");
		exit(2);
	}
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t run_once(enum variant v, const unsigned char *buf, size_t len)
{
	switch (v) {
	case V_FWKIT:
		return fwkit_crc32(0, buf, len);
	case V_CRC32:
		/* crc32 takes a uInt length: 16 MiB fits. */
		return (uint32_t)crc32(0L, buf, (uInt)len);
	case V_CRC32_Z:
		return (uint32_t)crc32_z(0L, buf, len);
	case V_COUNT:
		break;
	}
	return 0;
}

static long parse_positive(const char *s, const char *what)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!end || *end || v <= 0 || v > 100000) {
		fprintf(stderr, "fwkit-bench-crc: bad %s '%s' (a positive integer)\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long rounds = 100, passes = 1;
	if (argc > 1)
		rounds = parse_positive(argv[1], "ROUNDS");
	if (argc > 2)
		passes = parse_positive(argv[2], "PASSES");
	if (argc > 3) {
		fprintf(stderr, "usage: fwkit-bench-crc [ROUNDS] [PASSES]\n");
		return 2;
	}

	unsigned char *buf = malloc(BUF_SIZE);
	if (!buf) {
		perror("malloc");
		return 2;
	}
	fill_random(buf, BUF_SIZE);

	/* Reference values, and a warm-up that faults every page in before any timing. */
	uint32_t crc[V_COUNT];
	for (int v = 0; v < V_COUNT; v++)
		crc[v] = run_once((enum variant)v, buf, BUF_SIZE);
	int same = crc[V_FWKIT] == crc[V_CRC32] && crc[V_FWKIT] == crc[V_CRC32_Z];

	double best[V_COUNT];
	for (int v = 0; v < V_COUNT; v++)
		best[v] = -1.0;
	volatile uint32_t sink = 0;
	for (long r = 0; r < rounds; r++) {
		for (int k = 0; k < V_COUNT; k++) {
			/* Rotate the starting variant each round so none is always first. */
			enum variant v = (enum variant)((k + r) % V_COUNT);
			double t0 = now_seconds();
			for (long p = 0; p < passes; p++) {
				uint32_t c = run_once(v, buf, BUF_SIZE);
				if (c != crc[v])
					same = 0;
				sink ^= c;
			}
			double dt = now_seconds() - t0;
			if (best[v] < 0 || dt < best[v])
				best[v] = dt;
		}
	}
	(void)sink;

	double mib = (double)BUF_SIZE * (double)passes / (1024.0 * 1024.0);
	printf("CRC-32 over %zu MiB of pseudo-random bytes (seed 0x%016" PRIx64 "), "
	       "best of %ld rounds x %ld pass%s, CLOCK_MONOTONIC\n\n",
	       BUF_SIZE / (1024 * 1024), (uint64_t)SEED, rounds, passes, passes == 1 ? "" : "es");
	printf("| function | CRC | best round (ms) | MiB/s |\n");
	printf("| --- | --- | ---: | ---: |\n");
	double rate[V_COUNT];
	for (int v = 0; v < V_COUNT; v++) {
		rate[v] = mib / best[v];
		printf("| %s | %08" PRIx32 " | %.2f | %.0f |\n", variant_name[v], crc[v], best[v] * 1e3, rate[v]);
	}
	printf("\nratio fwkit/zlib crc32 (throughput): %.3f\n", rate[V_FWKIT] / rate[V_CRC32]);
	printf("ratio fwkit/zlib crc32_z (throughput): %.3f\n", rate[V_FWKIT] / rate[V_CRC32_Z]);
	printf("(1.000 = same speed; above 1 fwkit is faster, below 1 slower)\n");
	printf("CRC match: %s\n", same ? "yes, all three agree" : "NO: the CRCs differ");

	free(buf);
	return same ? 0 : 1;
}
