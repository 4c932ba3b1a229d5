/*
 * fwkit identify: what a file is (a whole flash dump, one partition, a firmware image, unknown),
 * for which device, and the evidence. The library decides (fwkit_identify_file); this renders.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static void print_field(const struct fwkit_field *f)
{
	static const struct {
		const char *name, *label;
	} labels[] = { { "flash_size", "Flash size" }, { "device", "Device" }, { "also_device", "Also" },
		       { "same_layout", "Same layout" }, { "score", "Score" }, { "partition", "Partition" },
		       { "image", "Image" }, { "poray_board", "Poray board" }, { "dni_device", "DNI device" }, { "xiaomi_device", "Xiaomi model" }, { "board_model", "Board model" }, { "board_compatible", "Compatible" },
		       { "evidence", "Evidence" }, { "tie", "Tie" }, { "near_tie", "Near tie" } };
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
		if (strcmp(f->name, labels[i].name) != 0)
			continue;
		printf("%-13s ", labels[i].label);
		if (f->kind == FWKIT_VALUE_STRING)
			printf("%.*s\n", (int)f->raw_len, (const char *)f->raw);
		else if (f->kind == FWKIT_VALUE_ENUM)
			printf("%s\n", f->text);
		else if (f->kind == FWKIT_VALUE_BOOL)
			printf("%s\n", f->u ? "yes" : "no");
		else if (f->kind == FWKIT_VALUE_INT)
			printf("%lld\n", (long long)f->i);
		else
			printf(f->hex ? "0x%llx\n" : "%llu\n", (unsigned long long)f->u);
	}
}

static int run_identify(int argc, char **argv, const struct cli_command *self)
{
	const char *pfile = NULL;
	struct cli_option opts[] = {
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	struct profiles pr = { 0 };
	int code = cli_load_profiles(pfile, &pr);
	if (code)
		return code;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL;
	struct fwkit_node *n = NULL;
	if (fwkit_file_open(ctx, pos[0], &file) != FWKIT_OK ||
	    fwkit_identify_file(ctx, fwkit_file_data(file), fwkit_file_size(file), pr.extra, pr.nextra, &n) != FWKIT_OK) {
		code = cli_report_error(ctx);
	} else if (common.json) {
		code = cli_print_node_json(ctx, n);
	} else {
		printf("%-13s %s (%llu bytes)\n", "File", pos[0], (unsigned long long)fwkit_file_size(file));
		printf("%-13s %s\n", "Kind", fwkit_node_get(n, "kind")->text);
		for (size_t i = 0; i < fwkit_node_field_count(n); i++)
			print_field(fwkit_node_field(n, i));
		for (size_t i = 0, shown = 0; i < fwkit_node_child_count(n); i++) {
			const struct fwkit_node *c = fwkit_node_child(n, i);
			if (strcmp(fwkit_node_format(c), "identification") == 0)
				continue; /* its evidence is printed above, word for word */
			printf("%-13s 0x%08llx %s (%s)\n", shown++ ? "" : "Found", (unsigned long long)fwkit_node_offset(c),
			       fwkit_node_format(c), fwkit_node_validated(c));
		}
		if (fwkit_node_get(n, "kind")->u == FWKIT_KIND_UNKNOWN) {
			/* a damaged container says what is wrong with it; else the file is of no known kind */
			if (fwkit_node_finding_count(n))
				cli_report_finding(pos[0], fwkit_node_finding(n, 0));
			else
				fprintf(stderr, "fwkit: %s: not a flash dump, a partition or a firmware image fwkit knows\n", pos[0]);
			code = EXIT_INPUT;
		}
	}
	fwkit_node_free(n);
	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	free(pr.extra);
	return code;
}

const struct cli_command cmd_identify = {
	.name = "identify",
	.synopsis = "identify FILE [--profiles FILE] [--json]",
	.summary = "say what FILE is (flash dump, partition, firmware image) and for which device, with the evidence",
	.run = run_identify,
};
