/*
 * fwkit image show | verify | unwrap: any whole-image container of the format table (uImage,
 * Poray, TRX, TP-Link, Seama, Netgear DNI and CHK, Xiaomi HDR, the NAND sysupgrade tar), found by
 * the library (include/fwkit/container.h) at offset 0 or named with --format. Text and --json
 * render the same result tree.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

/* A field's value as text: numbers in decimal or hex, strings as found (non-printable bytes
 * escaped), byte arrays in hex, enums by name. */
static void value_text(const struct fwkit_field *f, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = 0;
	switch (f->kind) {
	case FWKIT_VALUE_UINT: snprintf(out, cap, f->hex ? "0x%llx" : "%llu", (unsigned long long)f->u); break;
	case FWKIT_VALUE_INT: snprintf(out, cap, "%lld", (long long)f->i); break;
	case FWKIT_VALUE_BOOL: snprintf(out, cap, "%s", f->u ? "yes" : "no"); break;
	case FWKIT_VALUE_ENUM: snprintf(out, cap, "%s (%llu)", f->text, (unsigned long long)f->u); break;
	case FWKIT_VALUE_BYTES:
		for (size_t i = 0; i < f->raw_len && n + 3 < cap; i++)
			n += (size_t)snprintf(out + n, cap - n, "%02x", f->raw[i]);
		break;
	case FWKIT_VALUE_STRING:
		for (size_t i = 0; i < f->raw_len && n + 5 < cap; i++) {
			uint8_t c = f->raw[i];
			n += (size_t)snprintf(out + n, cap - n, c >= 0x20 && c < 0x7F && c != '\\' ? "%c" : "\\x%02x", c);
		}
		break;
	}
}

static void print_finding(const struct fwkit_finding *f)
{
	printf("%-23s %s at 0x%llx: %s", "Finding:", fwkit_severity_name(f->severity), (unsigned long long)f->offset, f->message);
	if (f->expected[0])
		printf(": expected %s", f->expected);
	if (f->found[0])
		printf(", found %s", f->found);
	printf(" [%s]\n", f->code);
}

static void print_text(const char *file, const struct fwkit_node *n, int errors)
{
	char v[600];
	printf("%-23s %s\n", "File:", file);
	printf("%-23s %s\n", "Format:", fwkit_node_format(n));
	printf("%-23s %llu bytes\n", "Size:", (unsigned long long)fwkit_node_size(n));
	printf("%-23s %s (%d bits)\n", "Validated:", fwkit_node_validated(n), fwkit_node_bits(n));
	for (size_t i = 0; i < fwkit_node_field_count(n); i++) {
		const struct fwkit_field *f = fwkit_node_field(n, i);
		char label[64];
		value_text(f, v, sizeof(v));
		snprintf(label, sizeof(label), "%s:", f->name);
		printf("%-23s %s\n", label, v);
	}
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
		print_finding(fwkit_node_finding(n, i));
	printf("%-23s %s\n", "Result:", errors ? "BAD" : "ok");
}

/* The first error finding of N and how many there are. */
static int errors_of(const struct fwkit_node *n, const struct fwkit_finding **first)
{
	int count = 0;
	*first = NULL;
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		const struct fwkit_finding *f = fwkit_node_finding(n, i);
		if (f->severity == FWKIT_SEV_ERROR && count++ == 0)
			*first = f;
	}
	return count;
}

struct loaded {
	struct fwkit_ctx *ctx;
	struct fwkit_file *file;
	struct fwkit_node *node;
};

static int load(struct loaded *l, const char *path, const char *format, bool verify)
{
	memset(l, 0, sizeof(*l));
	l->ctx = fwkit_ctx_new();
	if (!l->ctx)
		return EXIT_SYSTEM;
	if (fwkit_file_open(l->ctx, path, &l->file) != FWKIT_OK ||
	    fwkit_container_read(l->ctx, fwkit_file_data(l->file), fwkit_file_size(l->file), format, verify, &l->node) != FWKIT_OK) {
		return cli_report_error(l->ctx);
	}
	return EXIT_OK_;
}

static void unload(struct loaded *l)
{
	fwkit_node_free(l->node);
	fwkit_file_close(l->file);
	fwkit_ctx_free(l->ctx);
}

static int show_or_verify(int argc, char **argv, const struct cli_command *self, bool verify)
{
	const char *format = NULL;
	struct cli_option opts[] = {
		{ 0, "format", OPT_STRING, "F", "read FILE as container F (default: the one the table finds at offset 0)", &format, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	struct loaded l;
	int code = load(&l, pos[0], format, verify);
	if (code == EXIT_OK_) {
		const struct fwkit_finding *first;
		int errors = errors_of(l.node, &first);
		if (common.json)
			code = cli_print_node_json(l.ctx, l.node);
		else
			print_text(pos[0], l.node, errors);
		if (errors) {
			cli_report_finding(pos[0], first);
			code = code ? code : EXIT_PROBLEM;
		}
	}
	unload(&l);
	return code;
}

static int run_show(int argc, char **argv, const struct cli_command *self) { return show_or_verify(argc, argv, self, false); }
static int run_verify(int argc, char **argv, const struct cli_command *self) { return show_or_verify(argc, argv, self, true); }

/* The payload of the loaded container: decoded (Poray) or the range its fields name. *OWNED is
 * set when *DATA must be freed. */
static int payload_of(struct loaded *l, const char *path, const uint8_t **data, size_t *len, uint8_t **owned)
{
	const uint8_t *buf = fwkit_file_data(l->file);
	*owned = NULL;
	if (!strcmp(fwkit_node_format(l->node), "poray")) {
		struct fwkit_poray_info info;
		if (fwkit_poray_decode(l->ctx, buf, fwkit_file_size(l->file), &info, owned, len) != FWKIT_OK)
			return cli_report_error(l->ctx);
		*data = *owned;
		return EXIT_OK_;
	}
	const struct fwkit_field *off = fwkit_node_get(l->node, "payload_offset"), *size = fwkit_node_get(l->node, "payload_size");
	if (!off || !size || off->u > fwkit_file_size(l->file) || size->u > fwkit_file_size(l->file) - off->u) {
		fprintf(stderr, "fwkit: %s: a %s container holds no single payload to unwrap (fwkit extract writes its parts)\n", path,
			fwkit_node_format(l->node));
		return EXIT_PROBLEM;
	}
	*data = buf + off->u;
	*len = (size_t)size->u;
	return EXIT_OK_;
}

static int run_unwrap(int argc, char **argv, const struct cli_command *self)
{
	const char *format = NULL, *out = NULL;
	bool dry_run = false, follow = false;
	struct cli_option opts[] = {
		{ 0, "format", OPT_STRING, "F", "read FILE as container F (default: the one the table finds at offset 0)", &format, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "write the payload to OUT", &out, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check everything, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	if (cli_require_output(self, pos[0], out))
		return EXIT_USAGE;
	struct loaded l;
	int code = load(&l, pos[0], format, true);
	const struct fwkit_finding *first = NULL;
	int errors = code ? 0 : errors_of(l.node, &first);
	if (errors) {
		/* a damaged container is not unwrapped: its payload is not what the header vouches for */
		cli_report_finding(pos[0], first);
		code = EXIT_PROBLEM;
	}
	const uint8_t *data = NULL;
	size_t len = 0;
	uint8_t *owned = NULL;
	if (!code)
		code = payload_of(&l, pos[0], &data, &len, &owned);
	if (!code && !dry_run)
		code = cli_write_file(l.ctx, out, data, len, follow);
	if (!code) {
		struct emitter *e = emitter_new(common.json, stdout);
		emit_string(e, "command", NULL, "image unwrap");
		emit_string(e, "format", "Format", fwkit_node_format(l.node));
		emit_uint(e, "bytes", "Payload", len, NULL);
		emit_string(e, "output", "Written", dry_run ? "(dry run: nothing written)" : out);
		if (!emitter_finish(e))
			code = EXIT_SYSTEM;
		emitter_free(e);
	}
	free(owned);
	unload(&l);
	return code;
}

const struct cli_command cmd_image_show = {
	.name = "image show",
	.synopsis = "image show FILE [--format F] [--json]",
	.summary = "the container FILE starts with (uImage, Poray, TRX, TP-Link, Seama, Netgear DNI/CHK, Xiaomi HDR, sysupgrade tar): its fields and checksums",
	.run = run_show,
};
const struct cli_command cmd_image_verify = {
	.name = "image verify",
	.synopsis = "image verify FILE [--format F] [--json]",
	.summary = "check a container: every checksum, and the kernel and rootfs it carries parse as what they should (exit 1 when not)",
	.run = run_verify,
};
const struct cli_command cmd_image_unwrap = {
	.name = "image unwrap",
	.synopsis = "image unwrap FILE -o OUT [--format F] [--dry-run] [--follow] [--json]",
	.summary = "write the payload of a verified single-payload container (TP-Link body, Seama image, TRX, CHK, DNI; Poray decoded)",
	.run = run_unwrap,
};
