/*
 * fwkit poray boards | show | decode | encode: the factory files of Poray, HAME and Nexx routers
 * (mkporayfw's), through the library (include/fwkit/poray.h). `encode` is the seed's HAME step:
 * the file the stock web UI accepts, made from an OpenWrt or vendor uImage.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

static int run_boards(int argc, char **argv, const struct cli_command *self)
{
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	struct cli_option opts[] = { OPT_END };
	if (!cli_args(self, opts, argc, argv, &common, pos, 0, "", &early))
		return early;
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "poray boards");
	emit_begin_list(e, "boards", NULL);
	for (size_t i = 0; i < fwkit_poray_board_count(); i++) {
		const struct fwkit_poray_board *b = fwkit_poray_board_get(i);
		char id[5] = { (char)(b->hw_id & 0xFF), (char)((b->hw_id >> 8) & 0xFF), (char)((b->hw_id >> 16) & 0xFF),
			       (char)(b->hw_id >> 24), 0 };
		char line[160];
		snprintf(line, sizeof(line), "%-10s hw_id 0x%08x \"%s\"  key %-8s  file at most %u bytes (%s)", b->name, b->hw_id,
			 id, fwkit_poray_key_name(b->key), b->max_file, b->max_file > 0x400000 ? "8M" : "4M");
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_string(e, "board", NULL, b->name);
		emit_uint(e, "hw_id", NULL, b->hw_id, NULL);
		emit_string(e, "key", NULL, fwkit_poray_key_name(b->key));
		emit_uint(e, "max_file", NULL, b->max_file, NULL);
		emit_end(e);
	}
	emit_end_list(e);
	int code = emitter_finish(e) ? EXIT_OK_ : EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

/* show and decode: read the file, decode it, report; decode also writes the firmware. */
static int show_or_decode(int argc, char **argv, const struct cli_command *self, bool decode)
{
	const char *out = NULL;
	bool dry_run = false, follow = false;
	struct cli_option opts[] = {
		{ 'o', NULL, OPT_STRING, "OUT", "write the decoded firmware (a uImage) to OUT", &out, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check everything, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct cli_option show_opts[] = { OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, decode ? opts : show_opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	if (decode && cli_require_output(self, pos[0], out))
		return EXIT_USAGE;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL;
	struct fwkit_poray_info info;
	uint8_t *payload = NULL;
	size_t plen = 0;
	int code = EXIT_OK_;
	enum fwkit_status st = FWKIT_E_IO;
	if (fwkit_file_open(ctx, pos[0], &file) == FWKIT_OK)
		st = fwkit_poray_decode(ctx, fwkit_file_data(file), fwkit_file_size(file), &info, &payload, &plen);
	if (st != FWKIT_OK && st != FWKIT_E_BAD_CHECKSUM) {
		code = cli_report_error(ctx);
		goto done;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	char line[200];
	char id[5] = { (char)(info.hw_id & 0xFF), (char)((info.hw_id >> 8) & 0xFF), (char)((info.hw_id >> 16) & 0xFF),
		       (char)(info.hw_id >> 24), 0 };
	emit_string(e, "command", NULL, decode ? "poray decode" : "poray show");
	emit_string(e, "file", "File", pos[0]);
	snprintf(line, sizeof(line), "0x%08x \"%s\"", info.hw_id, id);
	emit_string(e, NULL, "Hardware ID", line);
	emit_uint(e, "hw_id", NULL, info.hw_id, NULL);
	snprintf(line, sizeof(line), "%u bytes", info.firmware_len);
	emit_uint(e, "firmware_len", "Firmware", info.firmware_len, line);
	if (st == FWKIT_OK) {
		emit_string(e, "boards", "Board", info.boards);
		emit_string(e, "key", "Key", fwkit_poray_key_name(info.key));
		snprintf(line, sizeof(line), "0x%04x (ok)", info.checksum_stored);
		emit_string(e, NULL, "Checksum", line);
		emit_bool(e, "uimage_ok", NULL, info.uimage_ok, NULL);
		emit_string(e, NULL, "Payload", info.uimage_ok ? "a uImage whose header CRC holds" : "not a uImage");
	} else {
		snprintf(line, sizeof(line), "0x%04x, expected 0x%04x: BAD", info.checksum_stored, info.checksum_computed);
		emit_string(e, NULL, "Checksum", line);
		cli_report_error(ctx);
		code = EXIT_PROBLEM;
	}
	emit_bool(e, "checksum_ok", NULL, st == FWKIT_OK, NULL);
	if (decode && st == FWKIT_OK) {
		if (!dry_run)
			code = cli_write_file(ctx, out, payload, plen, follow);
		if (!code) {
			emit_string(e, "output", "Written", dry_run ? "(dry run: nothing written)" : out);
			emit_bool(e, "written", NULL, !dry_run, NULL);
		}
	}
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
done:
	free(payload);
	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	return code;
}

static int run_show(int argc, char **argv, const struct cli_command *self) { return show_or_decode(argc, argv, self, false); }
static int run_decode(int argc, char **argv, const struct cli_command *self) { return show_or_decode(argc, argv, self, true); }

/* Identify says FILE is a firmware image; else KIND gets what it is ("a bootloader partition"). */
static bool is_firmware(const char *path, const uint8_t *data, size_t len, char *kind, size_t cap)
{
	struct fwkit_node *id = NULL;
	bool ok = false;
	(void)path;
	snprintf(kind, cap, "a file of no known kind");
	if (fwkit_identify_file(NULL, data, len, NULL, 0, &id) == FWKIT_OK) {
		const struct fwkit_field *k = fwkit_node_get(id, "kind"), *part = fwkit_node_get(id, "partition");
		ok = k && k->u == FWKIT_KIND_FIRMWARE_IMAGE;
		if (part)
			snprintf(kind, cap, "a %.*s partition", (int)part->raw_len, (const char *)part->raw);
		else if (k)
			snprintf(kind, cap, "a %s", k->text);
	}
	fwkit_node_free(id);
	return ok;
}

/* fwkit check --via vendor-web of the encoded file for the devices of BOARD: a will-brick verdict
 * refuses the write with its reasons (no device profile names the board: nothing to check). */
static int check_for_board(struct fwkit_ctx *ctx, const char *path, const char *board, const uint8_t *enc, size_t len)
{
	struct fwkit_node *n = NULL;
	if (fwkit_check_poray_board(ctx, enc, len, board, NULL, 0, &n) != FWKIT_OK)
		return cli_report_error(ctx);
	int code = EXIT_OK_;
	if (n && fwkit_check_verdict(n) == FWKIT_VERDICT_WILL_BRICK) {
		for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
			if (fwkit_node_finding(n, i)->severity == FWKIT_SEV_ERROR)
				fprintf(stderr, "fwkit: %s: will-brick as a %s factory file: %s\n", path, board,
					fwkit_node_finding(n, i)->message);
		fprintf(stderr, "fwkit: %s: refusing to write a factory file that fwkit check calls will-brick (--force to "
				"write it anyway)\n", path);
		code = EXIT_PROBLEM;
	}
	fwkit_node_free(n);
	return code;
}

static int run_encode(int argc, char **argv, const struct cli_command *self)
{
	const char *out = NULL, *board_s = NULL, *layout = NULL;
	bool dry_run = false, follow = false, force = false;
	struct cli_option opts[] = {
		{ 0, "board", OPT_STRING, "BOARD", "the board (mkporayfw's -B; `fwkit poray boards` lists them)", &board_s, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "the factory file to write", &out, NULL },
		{ 0, "layout", OPT_STRING, "4M|8M", "the flash layout's size limit (default: the board's)", &layout, NULL },
		{ 0, "force", OPT_FLAG, NULL, "encode an input that is not a uImage whose CRCs hold", &force, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check everything, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "IMAGE", &early))
		return early;
	const struct fwkit_poray_board *b = fwkit_poray_board_find(board_s);
	if (!board_s || !out || !b) {
		cli_usage_error(self, board_s && !b ? "unknown board '%s' (fwkit poray boards)" : "give --board BOARD and -o OUT",
				board_s ? board_s : "");
		return EXIT_USAGE;
	}
	uint32_t limit = 0;
	if (layout && strcmp(layout, "4M") && strcmp(layout, "8M")) {
		cli_usage_error(self, "--layout takes 4M or 8M");
		return EXIT_USAGE;
	}
	if (layout)
		limit = strcmp(layout, "8M") ? 0x3C0000u : 0x7C0000u;
	if (cli_require_output(self, pos[0], out))
		return EXIT_USAGE;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *file = NULL;
	uint8_t *enc = NULL;
	size_t elen = 0;
	int code = EXIT_OK_;
	if (fwkit_file_open(ctx, pos[0], &file) != FWKIT_OK) {
		code = cli_report_error(ctx);
		goto done;
	}
	/* know what the input is (the format table, through the image check and identify): the stock
	 * web UI flashes what it decodes, so it must be a firmware uImage with nothing blocking in it */
	struct fwkit_image_check *chk = calloc(1, sizeof(*chk));
	bool is_image = chk && fwkit_image_check(ctx, fwkit_file_data(file), fwkit_file_size(file), chk) == FWKIT_OK &&
			chk->is_uimage && chk->ok;
	free(chk);
	if (!is_image && !force) {
		fprintf(stderr, "fwkit: %s: offset 0x0: not a uImage whose header and data CRCs hold: refusing to encode it "
				"(--force to encode it anyway)\n", pos[0]);
		code = EXIT_PROBLEM;
		goto done;
	}
	char kind[64];
	if (!force && !is_firmware(pos[0], fwkit_file_data(file), fwkit_file_size(file), kind, sizeof(kind))) {
		fprintf(stderr, "fwkit: %s: offset 0x0: expected a firmware image (a kernel uImage), found %s: the stock web UI "
				"writes it to the firmware partition; refusing to encode it (--force to encode it anyway)\n",
			pos[0], kind);
		code = EXIT_PROBLEM;
		goto done;
	}
	if (fwkit_poray_encode(ctx, b, fwkit_file_data(file), fwkit_file_size(file), limit, &enc, &elen) != FWKIT_OK) {
		code = cli_report_error(ctx);
		goto done;
	}
	/* the file as the devices whose web UI takes this board's files would get it (fwkit check) */
	if (!force && (code = check_for_board(ctx, pos[0], b->name, enc, elen)) != EXIT_OK_)
		goto done;
	if (!dry_run && (code = cli_write_file(ctx, out, enc, elen, follow)) != 0)
		goto done;
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "poray encode");
	emit_string(e, "board", "Board", b->name);
	emit_string(e, "key", "Key", fwkit_poray_key_name(b->key));
	char size[40];
	snprintf(size, sizeof(size), "%zu bytes", elen);
	emit_uint(e, "bytes", "Size", elen, size);
	emit_string(e, "output", "Written", dry_run ? "(dry run: nothing written)" : out);
	emit_bool(e, "written", NULL, !dry_run, NULL);
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
done:
	free(enc);
	fwkit_file_close(file);
	fwkit_ctx_free(ctx);
	return code;
}

const struct cli_command cmd_poray_boards = {
	.name = "poray boards",
	.synopsis = "poray boards [--json]",
	.summary = "list the Poray/HAME/Nexx boards: hardware id, key, size limit (mkporayfw's table)",
	.run = run_boards,
};
const struct cli_command cmd_poray_show = {
	.name = "poray show",
	.synopsis = "poray show FILE [--json]",
	.summary = "decode a Poray/HAME factory file: board, key, checksum, the uImage inside",
	.run = run_show,
};
const struct cli_command cmd_poray_decode = {
	.name = "poray decode",
	.synopsis = "poray decode FILE -o OUT [--dry-run] [--follow] [--json]",
	.summary = "write the firmware (uImage) inside a Poray/HAME factory file",
	.run = run_decode,
};
const struct cli_command cmd_poray_encode = {
	.name = "poray encode",
	.synopsis = "poray encode IMAGE --board BOARD -o OUT [--layout 4M|8M] [--force] [--dry-run] [--follow] [--json]",
	.summary = "make the factory file a Poray/HAME stock web UI accepts (as mkporayfw -B BOARD)",
	.run = run_encode,
};
