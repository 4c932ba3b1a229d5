/*
 * Fuzz target for fwkit_extract_all over arbitrary bytes, with --deep and --fs, within a 1 MiB
 * decompression budget. Properties beyond "does not crash":
 * - a dry run (memory only) lists paths that are relative, with no empty, "." or ".." component;
 * - a real run into a fresh temporary folder creates only regular files and folders (no symlink,
 *   device or FIFO), every one of them inside that folder, as many files as it reports; and
 *   nothing appears beside that folder. The folder is removed afterwards.
 * - extracting node "0x0" never fails other than with a status (no crash, no leak).
 */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwkit/extract.h"
#include "fwkit/fwkit.h"

#define REQUIRE(c)                                                                                 \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rel(const char *p, size_t len)
{
	REQUIRE(len > 0 && p[0] != '/');
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || p[i] == '/') {
			size_t n = i - start;
			REQUIRE(n > 0);
			REQUIRE(!(n == 1 && p[start] == '.'));
			REQUIRE(!(n == 2 && p[start] == '.' && p[start + 1] == '.'));
			start = i + 1;
		}
	}
}

static uint64_t seen_files;

static int visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)path, (void)ftw;
	REQUIRE(flag == FTW_F || flag == FTW_D || flag == FTW_DP);
	REQUIRE(S_ISREG(sb->st_mode) || S_ISDIR(sb->st_mode));
	if (S_ISREG(sb->st_mode))
		seen_files++;
	return 0;
}

static int unlink_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

/* The entries of DIR other than "." and "..". */
static size_t count_entries(const char *dir)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx)
		return 0;
	fwkit_ctx_set_decompress_limit(ctx, 1 << 20);
	struct fwkit_extract_options o = { .deep = true, .fs = true, .dry_run = true };
	struct fwkit_node *res = NULL;
	if (fwkit_extract_all(ctx, data, size, NULL, &o, &res) == FWKIT_OK) {
		for (size_t i = 0; i < fwkit_node_child_count(res); i++) {
			const struct fwkit_field *p = fwkit_node_get(fwkit_node_child(res, i), "path");
			REQUIRE(p && p->kind == FWKIT_VALUE_STRING);
			check_rel((const char *)p->raw, p->raw_len);
		}
		fwkit_node_free(res);
		res = NULL;
	}

	/* a real run, in a fresh temporary folder inside another one (so "beside it" is observable) */
	char outer[] = "/tmp/fwkit-fuzz-extract-XXXXXX";
	if (size <= (256u << 10) && mkdtemp(outer)) {
		char dir[sizeof(outer) + 8];
		snprintf(dir, sizeof(dir), "%s/out", outer);
		fwkit_ctx_reset_decompress_budget(ctx);
		o.dry_run = false;
		if (fwkit_extract_all(ctx, data, size, dir, &o, &res) == FWKIT_OK) {
			seen_files = 0;
			REQUIRE(nftw(dir, visit, 16, FTW_PHYS) == 0);
			REQUIRE(seen_files == fwkit_node_get(res, "files")->u);
			fwkit_node_free(res);
		}
		/* nothing beside "out" */
		REQUIRE(count_entries(outer) <= 1);
		nftw(outer, unlink_one, 16, FTW_DEPTH | FTW_PHYS);
	}

	uint8_t *bytes = NULL;
	size_t n = 0;
	fwkit_ctx_reset_decompress_budget(ctx);
	if (fwkit_extract_node(ctx, data, size, "0x0", &bytes, &n, NULL) == FWKIT_OK)
		free(bytes);
	fwkit_ctx_free(ctx);
	return 0;
}
