/*
 * fwkit check: will this image brick this device, written this way? The library applies the
 * rules (fwkit_check); this renders the verdict and every rule with its reason, fix and source.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *field_text(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = fwkit_node_get(n, name);
	return f && f->text ? f->text : "";
}

static void print_rules(const struct fwkit_node *n)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *r = fwkit_node_child(n, i);
		const struct fwkit_field *inferred = fwkit_node_get(r, "inferred");
		printf("  %-4s  %-15s %s%s\n", field_text(r, "result"), field_text(r, "code"), field_text(r, "message"),
		       inferred && inferred->u ? " (inferred, not documented)" : "");
		if (strcmp(field_text(r, "result"), "pass") != 0 && field_text(r, "fix")[0])
			printf("  %-4s  %-15s fix: %s\n", "", "", field_text(r, "fix"));
		if (strcmp(field_text(r, "result"), "pass") != 0 && field_text(r, "source")[0])
			printf("  %-4s  %-15s source: %s\n", "", "", field_text(r, "source"));
	}
}

/* The rule that decided a will-brick verdict: the first that failed. */
static const struct fwkit_node *first_failed(const struct fwkit_node *n)
{
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		if (!strcmp(field_text(fwkit_node_child(n, i), "result"), "fail"))
			return fwkit_node_child(n, i);
	return NULL;
}

static int load_dump(struct fwkit_ctx *ctx, const char *path, struct fwkit_file **dump)
{
	if (!path)
		return EXIT_OK_;
	return fwkit_file_open(ctx, path, dump) == FWKIT_OK ? EXIT_OK_ : cli_report_error(ctx);
}

static int run_check(int argc, char **argv, const struct cli_command *self)
{
	const char *device = NULL, *via = NULL, *dump_path = NULL, *pfile = NULL;
	bool force = false;
	struct cli_option opts[] = {
		{ 0, "device", OPT_STRING, "ID", "the device the image is for (fwkit profile list)", &device, NULL },
		{ 0, "via", OPT_STRING, "METHOD", "how it is written: sysupgrade, uboot-tftp, breed-web, vendor-web, mtd-write, flashrom", &via, NULL },
		{ 0, "dump", OPT_STRING, "BACKUP", "your own whole-chip backup of this device: its bootloader, layout and MACs", &dump_path, NULL },
		{ 0, "force", OPT_FLAG, NULL, "as sysupgrade -F: the router skips its board check", &force, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int code = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "IMAGE", &code))
		return code;
	struct fwkit_check_request req = { 0 };
	if (!device || !via) {
		cli_usage_error(self, "--device ID and --via METHOD are both needed");
		return EXIT_USAGE;
	}
	if (!fwkit_method_parse(via, &req.via)) {
		cli_usage_error(self, "--via '%s': expected sysupgrade, uboot-tftp, breed-web, vendor-web, mtd-write or flashrom", via);
		return EXIT_USAGE;
	}
	struct profiles pr = { 0 };
	if ((code = cli_load_profiles(pfile, &pr)) != 0)
		return code;
	req.device = fwkit_profile_find(device, pr.extra, pr.nextra);
	if (!req.device) {
		free(pr.extra);
		cli_usage_error(self, "unknown device '%s' (fwkit profile list shows the ids)", device);
		return EXIT_USAGE;
	}
	req.force = force;
	req.extra = pr.extra;
	req.nextra = pr.nextra;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL, *dump = NULL;
	struct fwkit_node *n = NULL;
	if ((code = load_dump(ctx, dump_path, &dump)) == EXIT_OK_) {
		req.dump = dump ? fwkit_file_data(dump) : NULL;
		req.dump_len = dump ? fwkit_file_size(dump) : 0;
		if (fwkit_file_open(ctx, pos[0], &file) != FWKIT_OK ||
		    fwkit_check(ctx, fwkit_file_data(file), fwkit_file_size(file), &req, &n) != FWKIT_OK)
			code = cli_report_error(ctx);
	}
	if (n) {
		enum fwkit_verdict v = fwkit_check_verdict(n);
		if (common.json) {
			code = cli_print_node_json(ctx, n);
		} else {
			printf("%s: %s, for %s via %s%s\n", pos[0], field_text(n, "image"), req.device->id, via,
			       force ? " (-F)" : "");
			print_rules(n);
			printf("verdict: %s\n", fwkit_verdict_name(v));
		}
		const struct fwkit_node *why = first_failed(n);
		if (v == FWKIT_VERDICT_WILL_BRICK && why)
			fprintf(stderr, "fwkit: %s: will-brick: %s\n", pos[0], field_text(why, "message"));
		if (!code && v == FWKIT_VERDICT_WILL_BRICK)
			code = EXIT_PROBLEM;
	}
	fwkit_node_free(n);
	fwkit_file_close(file);
	fwkit_file_close(dump);
	fwkit_ctx_free(ctx);
	free(pr.extra);
	return code;
}

const struct cli_command cmd_check = {
	.name = "check",
	.synopsis = "check IMAGE --device ID --via METHOD [--dump BACKUP] [--force] [--profiles FILE] [--json]",
	.summary = "say whether an image will brick a device written a given way: safe, risky or will-brick, with the reasons",
	.run = run_check,
};
