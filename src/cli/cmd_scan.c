/*
 * fwkit scan: every validated instance of every known format in a file, one line each, nested
 * by extent; the library finds them (fwkit_scan) and this file only renders the tree.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* One field as text: strings quoted with non-printable bytes escaped, enums by name. */
static void field_text(const struct fwkit_field *f, char *out, size_t cap)
{
	switch (f->kind) {
	case FWKIT_VALUE_UINT:
		snprintf(out, cap, f->hex ? "%s=0x%llx" : "%s=%llu", f->name, (unsigned long long)f->u);
		break;
	case FWKIT_VALUE_INT: snprintf(out, cap, "%s=%lld", f->name, (long long)f->i); break;
	case FWKIT_VALUE_BOOL: snprintf(out, cap, "%s=%s", f->name, f->u ? "yes" : "no"); break;
	case FWKIT_VALUE_ENUM: snprintf(out, cap, "%s=%s", f->name, f->text); break;
	case FWKIT_VALUE_BYTES: snprintf(out, cap, "%s=(%zu bytes)", f->name, f->raw_len); break;
	case FWKIT_VALUE_STRING: {
		size_t n = (size_t)snprintf(out, cap, "%s=\"", f->name);
		for (size_t i = 0; i < f->raw_len && n + 6 < cap; i++) {
			uint8_t c = f->raw[i];
			n += (size_t)snprintf(out + n, cap - n, c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? "%c" : "\\x%02x", c);
		}
		if (n + 2 <= cap)
			snprintf(out + n, cap - n, "\"");
		break;
	}
	}
}

static void print_node(const struct fwkit_node *n, int depth, unsigned *count)
{
	char size[24], facts[400] = "";
	if (fwkit_node_size(n))
		snprintf(size, sizeof(size), "%llu", (unsigned long long)fwkit_node_size(n));
	else
		snprintf(size, sizeof(size), "?");
	size_t used = 0;
	for (size_t i = 0; i < fwkit_node_field_count(n) && i < 5 && used + 2 < sizeof(facts); i++) {
		char one[200];
		field_text(fwkit_node_field(n, i), one, sizeof(one));
		used += (size_t)snprintf(facts + used, sizeof(facts) - used, "%s%s", used ? " " : "", one);
	}
	printf("%*s0x%08llx  %-10s %10s  %-44s %s\n", depth * 2, "", (unsigned long long)fwkit_node_offset(n),
	       fwkit_node_format(n), size, fwkit_node_validated(n), facts);
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		const struct fwkit_finding *f = fwkit_node_finding(n, i);
		printf("%*s  %s: 0x%llx: %s [%s]\n", depth * 2, "", fwkit_severity_name(f->severity),
		       (unsigned long long)f->offset, f->message, f->code);
	}
	(*count)++;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		print_node(fwkit_node_child(n, i), depth + 1, count);
}

static int run_scan(int argc, char **argv, const struct cli_command *self)
{
	bool deep = false;
	uint64_t min_bits = 0;
	struct cli_option opts[] = {
		{ 0, "deep", OPT_FLAG, NULL, "decode compressed streams (within the decompression limit) and scan inside them", &deep, NULL },
		{ 0, "min-confidence", OPT_UINT, "BITS", "report only hits whose probe verified at least BITS bits", &min_bits, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	if (min_bits > 1024) {
		cli_usage_error(self, "--min-confidence takes 0..1024 bits");
		return EXIT_USAGE;
	}
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL;
	struct fwkit_node *root = NULL;
	int code = EXIT_OK_;
	struct fwkit_scan_options o = { .deep = deep, .min_bits = (int)min_bits };
	if (fwkit_file_open(ctx, pos[0], &file) != FWKIT_OK ||
	    fwkit_scan(ctx, fwkit_file_data(file), fwkit_file_size(file), &o, &root) != FWKIT_OK) {
		code = cli_report_error(ctx);
	} else if (common.json) {
		code = cli_print_node_json(ctx, root);
	} else {
		printf("%-12s %-10s %10s  %-44s %s\n", "OFFSET", "FORMAT", "SIZE", "VALIDATED BY", "FACTS");
		unsigned count = 0;
		for (size_t i = 0; i < fwkit_node_child_count(root); i++)
			print_node(fwkit_node_child(root, i), 0, &count);
		const struct fwkit_field *sup = fwkit_node_get(root, "suppressed");
		printf("%u hit%s in %llu bytes", count, count == 1 ? "" : "s", (unsigned long long)fwkit_node_size(root));
		if (sup)
			printf("; %llu magic match%s inside compressed data or a file system not reported",
			       (unsigned long long)sup->u, sup->u == 1 ? "" : "es");
		printf("\n");
	}
	fwkit_node_free(root);
	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	return code;
}

const struct cli_command cmd_scan = {
	.name = "scan",
	.synopsis = "scan FILE [--deep] [--min-confidence BITS] [--json]",
	.summary = "list every validated format instance in FILE (offset, format, size, what validated it, key facts)",
	.run = run_scan,
};
