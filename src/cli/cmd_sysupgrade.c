/*
 * fwkit sysupgrade show | strip: the fwtool blocks at the end of an OpenWrt sysupgrade image (the
 * metadata sysupgrade's fwtool.sh checks: supported devices, compat version), read offline.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

struct loaded_image {
	struct fwkit_ctx *ctx;
	struct fwkit_file *file;
	struct fwkit_fwtool t;
	struct fwkit_node *meta; /* the metadata block described by the format layer, or NULL */
};

static int load(struct loaded_image *li, const char *path)
{
	memset(li, 0, sizeof(*li));
	li->ctx = fwkit_ctx_new();
	struct fwkit_node *scan = NULL;
	if (fwkit_file_open(li->ctx, path, &li->file) != FWKIT_OK)
		return cli_report_error(li->ctx);
	fwkit_fwtool_read(li->ctx, fwkit_file_data(li->file), fwkit_file_size(li->file), &li->t);
	struct fwkit_scan_options o = { 0 };
	if (fwkit_scan(li->ctx, fwkit_file_data(li->file), fwkit_file_size(li->file), &o, &scan) != FWKIT_OK)
		return cli_report_error(li->ctx);
	li->meta = scan; /* kept whole: the metadata node is one of its children */
	return EXIT_OK_;
}

static void unload(struct loaded_image *li)
{
	fwkit_node_free(li->meta);
	fwkit_file_close(li->file);
	fwkit_ctx_free(li->ctx);
}

/* The metadata block's node, wherever the scan nested it. */
static const struct fwkit_node *metadata_node(const struct fwkit_node *n)
{
	for (size_t i = 0; n && i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		const struct fwkit_field *t = fwkit_node_get(c, "type");
		if (!strcmp(fwkit_node_format(c), "fwtool") && t && t->u == 1)
			return c;
		const struct fwkit_node *below = metadata_node(c);
		if (below)
			return below;
	}
	return NULL;
}

/* A cut metadata block (the file ends inside it): its error, as the fwtool module words it. */
static void report_cut(const char *path, const struct fwkit_node *m)
{
	for (size_t i = 0; m && i < fwkit_node_finding_count(m); i++)
		if (fwkit_node_finding(m, i)->severity == FWKIT_SEV_ERROR)
			cli_report_finding(path, fwkit_node_finding(m, i));
}

static int run_show(int argc, char **argv, const struct cli_command *self)
{
	struct cli_option opts[] = { OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "IMAGE", &early))
		return early;
	struct loaded_image li;
	int code = load(&li, pos[0]);
	if (code) {
		unload(&li);
		return code;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	char line[300];
	emit_string(e, "command", NULL, "sysupgrade show");
	emit_string(e, "file", "File", pos[0]);
	emit_uint(e, "image_end", NULL, li.t.image_end, NULL);
	if (li.t.cut)
		snprintf(line, sizeof(line), "%llu bytes, cut inside its metadata (`fwkit sysupgrade strip` refuses it)",
			 (unsigned long long)li.t.image_end);
	else
		snprintf(line, sizeof(line), "%llu bytes (what `fwkit sysupgrade strip` writes)", (unsigned long long)li.t.image_end);
	emit_string(e, NULL, "Image", line);
	emit_begin_list(e, "blocks", NULL);
	bool bad = false;
	for (size_t i = 0; i < li.t.nblocks; i++) {
		const struct fwkit_fwtool_block *b = &li.t.blocks[i];
		snprintf(line, sizeof(line), "Block:        0x%08llx %u bytes %s, CRC 0x%08x %s", (unsigned long long)b->offset,
			 b->size, b->type ? "metadata" : "signature", b->crc_stored, b->crc_ok ? "ok" : "BAD (sysupgrade: \"CRC error\")");
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, b->offset, NULL);
		emit_uint(e, "size", NULL, b->size, NULL);
		emit_string(e, "type", NULL, b->type ? "metadata" : "signature");
		emit_bool(e, "crc_ok", NULL, b->crc_ok, NULL);
		emit_end(e);
		if (!b->crc_ok) {
			bad = true;
			fprintf(stderr, "fwkit: %s: offset 0x%llx: fwtool: bad CRC: expected 0x%08x, found 0x%08x\n", pos[0],
				(unsigned long long)(b->offset + b->size - 12), b->crc_computed, b->crc_stored);
		}
	}
	emit_end_list(e);
	emit_bool(e, "signed", "Signed", li.t.signed_image, NULL);
	const struct fwkit_node *m = metadata_node(li.meta);
	static const struct {
		const char *field, *label;
	} shown[] = { { "supported_devices", "Supported" }, { "new_supported_devices", "New supported" },
		      { "compat_version", "Compat" }, { "metadata_version", "Metadata" }, { "dist", "Dist" },
		      { "version", "Version" }, { "revision", "Revision" }, { "target", "Target" }, { "board", "Board" } };
	for (size_t i = 0; m && i < sizeof(shown) / sizeof(shown[0]); i++) {
		const struct fwkit_field *f = fwkit_node_get(m, shown[i].field);
		if (f && f->kind == FWKIT_VALUE_STRING)
			emit_string(e, shown[i].field, shown[i].label, f->text);
	}
	if (li.t.cut) {
		/* the metadata block's own finding (the fwtool module's node in the scan) says how it is cut */
		snprintf(line, sizeof(line), "cut: the file ends inside the block at 0x%llx (the image is cut)", (unsigned long long)li.t.cut_at);
		emit_string(e, "metadata_cut", "Metadata", line);
		report_cut(pos[0], m);
		code = EXIT_PROBLEM;
	} else if (!li.t.nblocks) {
		emit_string(e, NULL, "Metadata", "none (sysupgrade: \"Image metadata not present\"; only -F flashes it)");
		fprintf(stderr, "fwkit: %s: no fwtool metadata at the end\n", pos[0]);
		code = EXIT_PROBLEM;
	}
	if (bad)
		code = EXIT_PROBLEM;
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	unload(&li);
	return code;
}

static int run_strip(int argc, char **argv, const struct cli_command *self)
{
	const char *out = NULL;
	bool dry_run = false, follow = false;
	struct cli_option opts[] = {
		{ 'o', NULL, OPT_STRING, "OUT", "write the image without its fwtool blocks to OUT", &out, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check everything, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "IMAGE", &early))
		return early;
	if (cli_require_output(self, pos[0], out))
		return EXIT_USAGE;
	struct loaded_image li;
	int code = load(&li, pos[0]);
	if (!code && li.t.cut) {
		report_cut(pos[0], metadata_node(li.meta));
		code = EXIT_PROBLEM;
	} else if (!code && !li.t.nblocks) {
		fprintf(stderr, "fwkit: %s: no fwtool blocks at the end: nothing to strip\n", pos[0]);
		code = EXIT_PROBLEM;
	}
	if (!code && !dry_run)
		code = cli_write_file(li.ctx, out, fwkit_file_data(li.file), (size_t)li.t.image_end, follow);
	if (!code) {
		struct emitter *e = emitter_new(common.json, stdout);
		char line[100];
		snprintf(line, sizeof(line), "%llu bytes (%zu block%s removed)", (unsigned long long)li.t.image_end,
			 li.t.nblocks, li.t.nblocks == 1 ? "" : "s");
		emit_string(e, "command", NULL, "sysupgrade strip");
		emit_string(e, NULL, "Image", line);
		emit_uint(e, "bytes", NULL, li.t.image_end, NULL);
		emit_string(e, "output", "Written", dry_run ? "(dry run: nothing written)" : out);
		if (!emitter_finish(e))
			code = EXIT_SYSTEM;
		emitter_free(e);
	}
	unload(&li);
	return code;
}

const struct cli_command cmd_sysupgrade_show = {
	.name = "sysupgrade show",
	.synopsis = "sysupgrade show IMAGE [--json]",
	.summary = "the fwtool metadata of an OpenWrt image: supported devices, compat version, CRCs, signature",
	.run = run_show,
};
const struct cli_command cmd_sysupgrade_strip = {
	.name = "sysupgrade strip",
	.synopsis = "sysupgrade strip IMAGE -o OUT [--dry-run] [--follow] [--json]",
	.summary = "write the image without its fwtool metadata and signature blocks (fwtool -T)",
	.run = run_strip,
};
