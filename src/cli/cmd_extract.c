/*
 * fwkit extract: a partition of a flash dump (--part), one node of the scan tree (--node), or every
 * node into a folder tree (--all -C DIR). The library finds and writes (include/fwkit/extract.h);
 * this file parses the options and reports.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "fwkit/extract.h"

/* One result as JSON or text; the node's children (the files written) only in JSON and with --all. */
static int report(struct fwkit_ctx *ctx, const struct fwkit_node *n, bool json, bool list_files)
{
	if (json)
		return cli_print_node_json(ctx, n);
	for (size_t i = 0; list_files && i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		const struct fwkit_field *p = fwkit_node_get(c, "path"), *sz = fwkit_node_get(c, "size");
		if (p && sz)
			printf("%12llu  %.*s\n", (unsigned long long)sz->u, (int)p->raw_len, (const char *)p->raw);
	}
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		const struct fwkit_finding *f = fwkit_node_finding(n, i);
		printf("%s: %s [%s]\n", fwkit_severity_name(f->severity), f->message, f->code);
	}
	return EXIT_OK_;
}

static int run_extract(int argc, char **argv, const struct cli_command *self)
{
	const char *part = NULL, *node = NULL, *dir = NULL, *out_path = NULL, *device = NULL, *pfile = NULL;
	bool all = false, deep = false, fs = false, dry_run = false, follow = false;
	struct cli_option opts[] = {
		{ 0, "part", OPT_STRING, "NAME", "the partition NAME of a whole flash dump (the device's profile)", &part, NULL },
		{ 0, "node", OPT_STRING, "PATH", "one node of the scan tree: OFFSET or FORMAT components, '/'-separated (0x180000/lzma)", &node, NULL },
		{ 0, "all", OPT_FLAG, NULL, "every node into the folder tree DIR (-C)", &all, NULL },
		{ 'C', NULL, OPT_STRING, "DIR", "the folder --all writes into (empty or new)", &dir, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "the file --part or --node writes", &out_path, NULL },
		{ 0, "device", OPT_STRING, "ID", "the device profile (default: the device the dump is identified as)", &device, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		{ 0, "deep", OPT_FLAG, NULL, "--all: also extract what is found inside decoded streams", &deep, NULL },
		{ 0, "fs", OPT_FLAG, NULL, "--all: unpack squashfs file systems (files and folders; symlinks only listed)", &fs, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "say what would be written, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	if ((part != NULL) + (node != NULL) + all != 1) {
		cli_usage_error(self, "give exactly one of --part NAME, --node PATH, --all");
		return EXIT_USAGE;
	}
	if (all && (!dir || out_path)) {
		cli_usage_error(self, "--all writes into -C DIR (not -o)");
		return EXIT_USAGE;
	}
	if (!all && (dir || (!out_path && !dry_run))) {
		cli_usage_error(self, "--part and --node write -o OUT (not -C)");
		return EXIT_USAGE;
	}
	if (!all && (deep || fs)) {
		cli_usage_error(self, "--deep and --fs go with --all");
		return EXIT_USAGE;
	}
	if (out_path && cli_same_file(pos[0], out_path)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input file\n", out_path);
		return EXIT_USAGE;
	}
	struct profiles pr = { 0 };
	int code = cli_load_profiles(pfile, &pr);
	if (code)
		return code;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL;
	struct fwkit_node *res = NULL;
	if (fwkit_file_open(ctx, pos[0], &file) != FWKIT_OK) {
		code = cli_report_error(ctx);
		goto done;
	}
	const uint8_t *data = fwkit_file_data(file);
	size_t len = fwkit_file_size(file);
	if (all) {
		struct fwkit_extract_options o = { .deep = deep, .fs = fs, .dry_run = dry_run };
		if (fwkit_extract_all(ctx, data, len, dir, &o, &res) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto done;
		}
		code = report(ctx, res, common.json, true);
		if (!common.json && !code)
			printf("%s %llu files (%llu bytes) in %llu folders under %s; %llu symlinks listed, %llu entries skipped\n",
			       dry_run ? "would write" : "wrote", (unsigned long long)fwkit_node_get(res, "files")->u,
			       (unsigned long long)fwkit_node_get(res, "bytes")->u, (unsigned long long)fwkit_node_get(res, "folders")->u,
			       dir, (unsigned long long)fwkit_node_get(res, "symlinks_listed")->u,
			       (unsigned long long)fwkit_node_get(res, "skipped")->u);
		if (!code && fwkit_node_worst(res) >= FWKIT_SEV_ERROR)
			code = EXIT_PROBLEM;
		goto done;
	}
	uint8_t *owned = NULL;
	const uint8_t *bytes = NULL;
	size_t nbytes = 0;
	uint64_t off = 0, size = 0;
	const char *format = "partition";
	const struct fwkit_profile *prof = NULL;
	if (part) {
		if (fwkit_extract_partition(ctx, data, len, device, pr.extra, pr.nextra, part, &off, &size, &prof) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto done;
		}
		bytes = data + off;
		nbytes = (size_t)size;
	} else {
		if (fwkit_extract_node(ctx, data, len, node, &owned, &nbytes, &format) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto done;
		}
		bytes = owned;
	}
	if (!dry_run)
		code = cli_write_file(ctx, out_path, bytes, nbytes, follow);
	free(owned);
	if (code)
		goto done;
	res = fwkit_node_new("extract", off, part ? size : nbytes);
	fwkit_node_add_string(res, part ? "partition" : "node", part ? part : node, strlen(part ? part : node));
	if (prof)
		fwkit_node_add_string(res, "device", prof->id, strlen(prof->id));
	else
		fwkit_node_add_string(res, "format", format, strlen(format));
	fwkit_node_add_uint(res, "bytes", nbytes, false);
	fwkit_node_add_string(res, "output", out_path ? out_path : "", out_path ? strlen(out_path) : 0);
	fwkit_node_add_bool(res, "dry_run", dry_run);
	if (common.json)
		code = report(ctx, res, true, false);
	else if (part)
		printf("%s %llu bytes (partition %s of %s, 0x%llx..0x%llx) to %s\n", dry_run ? "would write" : "wrote",
		       (unsigned long long)nbytes, part, prof->id, (unsigned long long)off, (unsigned long long)(off + size),
		       out_path ? out_path : "(nothing)");
	else
		printf("%s %llu bytes (node %s, %s) to %s\n", dry_run ? "would write" : "wrote", (unsigned long long)nbytes,
		       node, format, out_path ? out_path : "(nothing)");
done:
	fwkit_node_free(res);
	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	free(pr.extra);
	return code;
}

const struct cli_command cmd_extract = {
	.name = "extract",
	.synopsis = "extract FILE (--part NAME | --node PATH | --all -C DIR) [-o OUT] [--device ID] [--profiles FILE] [--deep] [--fs] [--dry-run] [--follow] [--json]",
	.summary = "write out a partition of a flash dump, one node of the scan tree (streams decoded), or every node into a folder tree",
	.run = run_extract,
};
