/*
 * Input files and atomic output: every way an open fails, and what a write leaves behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "fwkit/fwkit.h"

static char dir[256];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fwkit-test-file-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void open_failures_have_their_own_status(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	char p[300];
	path(p, sizeof(p), "missing.bin");
	assert_int_equal(fwkit_file_open(ctx, p, &f), FWKIT_E_NOT_FOUND);
	assert_null(f);
	assert_string_equal(fwkit_ctx_error(ctx)->file, p);
	assert_int_equal(fwkit_file_open(ctx, dir, &f), FWKIT_E_IS_DIRECTORY);
	char msg[600];
	fwkit_error_format(fwkit_ctx_error(ctx), msg, sizeof(msg));
	assert_non_null(strstr(msg, "expected a file, found a directory"));
	fwkit_ctx_free(ctx);
}

static void empty_and_normal_files_open(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	char p[300];
	path(p, sizeof(p), "empty.bin");
	FILE *fp = fopen(p, "wb");
	fclose(fp);
	struct fwkit_file *f = NULL;
	assert_int_equal(fwkit_file_open(ctx, p, &f), FWKIT_OK);
	assert_int_equal(fwkit_file_size(f), 0);
	fwkit_file_close(f);
	path(p, sizeof(p), "data.bin");
	fp = fopen(p, "wb");
	fputs("hello", fp);
	fclose(fp);
	assert_int_equal(fwkit_file_open(ctx, p, &f), FWKIT_OK);
	assert_int_equal(fwkit_file_size(f), 5);
	assert_memory_equal(fwkit_file_data(f), "hello", 5);
	assert_string_equal(fwkit_file_path(f), p);
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
}

static size_t count_entries(void)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
			n++;
	closedir(d);
	return n;
}

static void atomic_write_creates_and_replaces(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	char p[300];
	path(p, sizeof(p), "out.bin");
	size_t before = count_entries();
	struct fwkit_iovec parts[] = { { "abc", 3 }, { "", 0 }, { "defg", 4 } };
	assert_int_equal(fwkit_write_atomic(ctx, p, parts, 3), FWKIT_OK);
	struct fwkit_file *f = NULL;
	assert_int_equal(fwkit_file_open(ctx, p, &f), FWKIT_OK);
	assert_int_equal(fwkit_file_size(f), 7);
	assert_memory_equal(fwkit_file_data(f), "abcdefg", 7);
	fwkit_file_close(f);
	/* no temporary file is left behind */
	assert_int_equal(count_entries(), before + 1);
	/* replacing keeps the old file's mode */
	chmod(p, 0640);
	struct fwkit_iovec one = { "x", 1 };
	assert_int_equal(fwkit_write_atomic(ctx, p, &one, 1), FWKIT_OK);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(st.st_size, 1);
	fwkit_ctx_free(ctx);
}

static void atomic_write_into_missing_folder_fails_cleanly(void **state)
{
	(void)state;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	char p[300];
	path(p, sizeof(p), "no/such/folder/out.bin");
	struct fwkit_iovec one = { "x", 1 };
	assert_int_equal(fwkit_write_atomic(ctx, p, &one, 1), FWKIT_E_NOT_FOUND);
	assert_non_null(strstr(fwkit_ctx_error(ctx)->what, "cannot create temporary file"));
	fwkit_ctx_free(ctx);
}

static void error_format_leaves_out_empty_parts(void **state)
{
	(void)state;
	struct fwkit_error e;
	memset(&e, 0, sizeof(e));
	e.status = FWKIT_E_BAD_CHECKSUM;
	char buf[256];
	fwkit_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "bad-checksum");
	snprintf(e.file, sizeof(e.file), "dump.bin");
	e.has_offset = 1;
	e.offset = 0x50000;
	snprintf(e.what, sizeof(e.what), "u-boot env: bad CRC");
	snprintf(e.expected, sizeof(e.expected), "0x1c2a4f90");
	snprintf(e.found, sizeof(e.found), "0x00000000");
	fwkit_error_format(&e, buf, sizeof(buf));
	assert_string_equal(buf, "dump.bin: offset 0x50000: u-boot env: bad CRC: expected 0x1c2a4f90, found 0x00000000");
	/* truncation is safe and reports the full length */
	char small[8];
	size_t need = fwkit_error_format(&e, small, sizeof(small));
	assert_int_equal(need, strlen(buf));
	assert_int_equal(small[7], '\0');
	assert_string_equal(fwkit_status_name(FWKIT_E_TRUNCATED), "truncated");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(open_failures_have_their_own_status),
		cmocka_unit_test(empty_and_normal_files_open),
		cmocka_unit_test(atomic_write_creates_and_replaces),
		cmocka_unit_test(atomic_write_into_missing_folder_fails_cleanly),
		cmocka_unit_test(error_format_leaves_out_empty_parts),
	};
	return cmocka_run_group_tests_name("file", tests, make_dir, remove_dir);
}
