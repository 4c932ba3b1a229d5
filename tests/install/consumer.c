/*
 * A program built on an installed libfwkit, the way a user's program would be: it sees only
 * <fwkit/fwkit.h> from the install prefix and links what `pkg-config --libs fwkit` names
 * (tests/install/consumer.sh builds it twice: against the .so, and statically against the .a).
 *
 *   consumer VERSION FILE NAME DATA_SIZE SCAN_JSON IDENTIFY_JSON
 *
 * VERSION is the project version CMake was given; NAME and DATA_SIZE are what mkimage -l says of
 * the uImage at the start of FILE. It checks them against the library, writes the scan and
 * identify trees of FILE as JSON (the script parses them with an independent parser) and exits 0
 * only when every check passed.
 */
#include <fwkit/fwkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int failed;

static void check(int ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (!ok)
		failed++;
}

static int log_calls;

static void on_log(void *user, enum fwkit_log_level level, const char *message)
{
	(void)user;
	(void)level;
	(void)message;
	log_calls++;
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	int ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Writes NODE's JSON to PATH; false when the library or the write failed. */
static int node_json(struct fwkit_ctx *ctx, const struct fwkit_node *node, const char *path)
{
	char *json = NULL;
	if (fwkit_node_to_json(ctx, node, true, &json) != FWKIT_OK || !json)
		return 0;
	int ok = json[0] == '{' && write_text(path, json);
	free(json);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: consumer VERSION FILE NAME DATA_SIZE SCAN_JSON IDENTIFY_JSON\n");
		return 2;
	}
	const char *version = argv[1], *path = argv[2], *name = argv[3];
	unsigned long long data_size = strtoull(argv[4], NULL, 10);

	check(strcmp(fwkit_version(), version) == 0, "fwkit_version() is the project version");

	struct fwkit_ctx *ctx = fwkit_ctx_new();
	if (!ctx) {
		check(0, "fwkit_ctx_new");
		return 1;
	}
	fwkit_ctx_set_log(ctx, on_log, NULL);

	/* An error comes back as a status and a filled record, not as text on stderr. */
	struct fwkit_file *missing = NULL;
	enum fwkit_status st = fwkit_file_open(ctx, "/nonexistent/fwkit-consumer", &missing);
	check(st == FWKIT_E_NOT_FOUND && missing == NULL, "fwkit_file_open of a missing file: FWKIT_E_NOT_FOUND");
	const struct fwkit_error *err = fwkit_ctx_error(ctx);
	check(err && err->status == FWKIT_E_NOT_FOUND, "fwkit_ctx_error records it");
	check(strcmp(fwkit_status_name(st), "not-found") == 0, "fwkit_status_name");

	struct fwkit_file *file = NULL;
	st = fwkit_file_open(ctx, path, &file);
	check(st == FWKIT_OK && file, "fwkit_file_open");
	if (st != FWKIT_OK || !file) {
		fwkit_ctx_free(ctx);
		return 1;
	}
	const uint8_t *buf = fwkit_file_data(file);
	size_t len = fwkit_file_size(file);
	struct stat sb;
	check(stat(path, &sb) == 0 && (size_t)sb.st_size == len, "fwkit_file_size is the size stat gives");

	/* The uImage header, against mkimage -l. */
	struct fwkit_uimage *img = calloc(1, sizeof(*img));
	st = img ? fwkit_uimage_parse(ctx, buf, len, 0, 0, img) : FWKIT_E_NOMEM;
	check(st == FWKIT_OK, "fwkit_uimage_parse");
	if (st == FWKIT_OK) {
		printf("uimage name \"%.*s\", data size %u\n", (int)img->name_len, (const char *)img->hdr.name,
		       img->data_size);
		check(img->name_len == strlen(name) && memcmp(img->hdr.name, name, img->name_len) == 0,
		      "uImage name is mkimage's");
		check(img->data_size == data_size, "uImage data size is mkimage's");
		check(img->hcrc_ok && img->dcrc_checked && img->dcrc_ok, "both CRCs check");
		check(fwkit_findings_worst(&img->findings) < FWKIT_SEV_ERROR, "no blocking finding");
		check(strcmp(fwkit_uimage_comp_short(img->hdr.comp), "lzma") == 0, "compression lzma");
	}
	free(img);

	/* scan: the tree, with the uImage as the first hit, written as JSON for the script. */
	struct fwkit_scan_options opts = { 0 };
	struct fwkit_node *tree = NULL;
	st = fwkit_scan(ctx, buf, len, &opts, &tree);
	check(st == FWKIT_OK && tree, "fwkit_scan");
	if (tree) {
		check(fwkit_node_size(tree) == len, "scan root spans the file");
		const struct fwkit_node *first = fwkit_node_child_count(tree) ? fwkit_node_child(tree, 0) : NULL;
		check(first && strcmp(fwkit_node_format(first), "uimage") == 0 && fwkit_node_offset(first) == 0,
		      "first hit: uimage at 0");
		const struct fwkit_field *f = first ? fwkit_node_get(first, "data_size") : NULL;
		check(f && f->kind == FWKIT_VALUE_UINT && f->u == data_size, "its data_size field");
		check(node_json(ctx, tree, argv[5]), "fwkit_node_to_json (scan)");
		fwkit_node_free(tree);
	}

	/* identify */
	struct fwkit_node *id = NULL;
	st = fwkit_identify_file(ctx, buf, len, NULL, 0, &id);
	check(st == FWKIT_OK && id, "fwkit_identify_file");
	if (id) {
		check(strcmp(fwkit_file_kind_name(FWKIT_KIND_FIRMWARE_IMAGE), "firmware-image") == 0,
		      "fwkit_file_kind_name");
		check(node_json(ctx, id, argv[6]), "fwkit_node_to_json (identify)");
		fwkit_node_free(id);
	}

	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	printf("log messages: %d\n", log_calls);
	printf("consumer: %s\n", failed ? "FAILED" : "all passed");
	return failed ? 1 : 0;
}
