/*
 * fwkit env find | list | get | set | unset | import | export | config | create | corrupt:
 * U-Boot environments inside whole flash dumps or as bare blobs. Every edit keeps the file's
 * size, changes bytes only inside the block, and says which byte ranges changed.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

/* What every env command shares: the input, and which block it is about. */
struct env_input {
	struct fwkit_ctx *ctx;
	struct fwkit_file *file;
	struct fwkit_env_scan scan;
	struct fwkit_env_block block; /* the selected block */
};

struct env_opts {
	uint64_t at, size;
	bool at_given;
	const char *out;
	bool in_place, dry_run, repair, sort, merge, follow;
};

static void input_close(struct env_input *in)
{
	fwkit_file_close(in->file);
	fwkit_ctx_free(in->ctx);
}

static int input_open(struct env_input *in, const char *path)
{
	memset(in, 0, sizeof(*in));
	in->ctx = fwkit_ctx_new();
	if (!in->ctx) {
		fprintf(stderr, "fwkit: out of memory\n");
		return EXIT_SYSTEM;
	}
	if (fwkit_file_open(in->ctx, path, &in->file) != FWKIT_OK)
		return cli_report_error(in->ctx);
	return EXIT_OK_;
}

/* Picks the block: --at OFFSET [--size N], else the library's default (fwkit_env_default: on a
 * device's dump, the U-Boot env where the device keeps it, never a block elsewhere). */
static int select_block(struct env_input *in, const struct env_opts *o, bool any_kind)
{
	const uint8_t *d = fwkit_file_data(in->file);
	size_t n = fwkit_file_size(in->file);
	if (o->at_given) {
		if (fwkit_env_block_at(in->ctx, d, n, o->at, o->size, &in->block) != FWKIT_OK)
			return cli_report_error(in->ctx);
		return EXIT_OK_;
	}
	if (fwkit_env_default(in->ctx, d, n, NULL, NULL, 0, any_kind, &in->block, NULL) != FWKIT_OK)
		return cli_report_error(in->ctx);
	/* --size without --at: the size of the block found (what --repair of a bad CRC needs) */
	if (o->size && fwkit_env_block_at(in->ctx, d, n, in->block.offset, o->size, &in->block) != FWKIT_OK)
		return cli_report_error(in->ctx);
	return EXIT_OK_;
}

/* Opens PATH, picks the block (any kind) and reads its variables; on failure reports, closes
 * and returns the exit code. */
static int open_vars(struct env_input *in, const char *path, const struct env_opts *o, struct fwkit_env_vars *vars)
{
	memset(vars, 0, sizeof(*vars));
	int code = input_open(in, path);
	if (!code)
		code = select_block(in, o, true);
	if (!code && fwkit_env_vars(in->ctx, fwkit_file_data(in->file), fwkit_file_size(in->file), &in->block, vars))
		code = cli_report_error(in->ctx);
	if (code)
		input_close(in);
	return code;
}

static void crc_text(char *buf, size_t n, const struct fwkit_env_block *b)
{
	if (!b->has_crc)
		snprintf(buf, n, "none");
	else if (b->crc_ok)
		snprintf(buf, n, "ok 0x%08x (%s-endian)", b->crc_stored, b->crc_big_endian ? "big" : "little");
	else
		snprintf(buf, n, "BAD: stored 0x%08x, computed 0x%08x", b->crc_stored, b->crc_computed);
}

static void describe_block(struct emitter *e, const struct fwkit_env_block *b)
{
	emit_uint(e, "offset", NULL, b->offset, NULL);
	emit_uint(e, "size", NULL, b->size, NULL);
	emit_bool(e, "size_known", NULL, b->size_known, NULL);
	emit_string(e, "kind", NULL, fwkit_env_kind_name(b->kind));
	emit_bool(e, "redundant", NULL, b->redundant, NULL);
	if (b->redundant) {
		emit_uint(e, "flag", NULL, b->flag, NULL);
		emit_string(e, "flag_scheme", NULL, fwkit_env_scheme_name(b->scheme));
		if (b->copy >= 0) {
			emit_uint(e, "copy", NULL, (uint64_t)b->copy, NULL);
			emit_uint(e, "other_offset", NULL, b->other_offset, NULL);
		}
	}
	emit_bool(e, "active", NULL, b->active, NULL);
	emit_bool(e, "has_crc", NULL, b->has_crc, NULL);
	if (b->has_crc) {
		emit_string(e, "crc_byte_order", NULL, b->crc_big_endian ? "big" : "little");
		emit_uint(e, "crc_stored", NULL, b->crc_stored, NULL);
		emit_uint(e, "crc_computed", NULL, b->crc_computed, NULL);
		emit_bool(e, "crc_ok", NULL, b->crc_ok, NULL);
	}
	emit_uint(e, "data_offset", NULL, b->data_offset, NULL);
	emit_uint(e, "data_size", NULL, b->data_size, NULL);
	emit_uint(e, "used", NULL, b->used, NULL);
	if (b->pad_byte >= 0)
		emit_uint(e, "pad_byte", NULL, (uint64_t)b->pad_byte, NULL);
	emit_uint(e, "variables", NULL, b->nvars, NULL);
}

static void block_line(char *buf, size_t n, const struct fwkit_env_block *b)
{
	char crc[96], copy[96] = "single";
	crc_text(crc, sizeof(crc), b);
	if (b->redundant && b->copy >= 0)
		snprintf(copy, sizeof(copy), "redundant copy %d of 2 (flag %u, %s scheme%s)", b->copy + 1, b->flag,
			 fwkit_env_scheme_name(b->scheme), b->active ? ", active" : "");
	else if (b->redundant)
		snprintf(copy, sizeof(copy), "redundant, unpaired (flag %u)", b->flag);
	snprintf(buf, n, "0x%08llx  %-13s size 0x%llx%s  CRC %s  %s  %zu variables", (unsigned long long)b->offset,
		 fwkit_env_kind_name(b->kind), (unsigned long long)b->size, b->size_known ? "" : " (guessed)", crc, copy,
		 b->nvars);
}

static int parse_common(const struct cli_command *self, struct cli_option *opts, int argc, char **argv,
			struct common_opts *common, char **pos, int maxpos, int minpos)
{
	int n = cli_parse(self, opts, argc, argv, common, pos, maxpos);
	if (common->help)
		return -2;
	if (n < 0)
		return -1;
	if (n < minpos) {
		cli_usage_error(self, "missing arguments");
		return -1;
	}
	return n;
}

#define OPT_AT(o) { 0, "at", OPT_UINT, "OFFSET", "the block at OFFSET (default: the U-Boot env where the device keeps it, else the first found)", &(o).at, &(o).at_given }
#define OPT_SIZE(o) { 0, "size", OPT_UINT, "N", "the env size, when its CRC cannot tell it", &(o).size, NULL }

static int run_find(int argc, char **argv, const struct cli_command *self)
{
	struct cli_option opts[] = { OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	struct env_input in;
	int code = input_open(&in, pos[0]);
	if (code) {
		input_close(&in);
		return code;
	}
	fwkit_env_find(in.ctx, fwkit_file_data(in.file), fwkit_file_size(in.file), &in.scan);
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "env find");
	emit_string(e, "file", NULL, pos[0]);
	emit_uint(e, "file_size", NULL, fwkit_file_size(in.file), NULL);
	emit_begin_list(e, "blocks", NULL);
	size_t bad = 0;
	uint64_t first_bad = 0;
	for (size_t i = 0; i < in.scan.count; i++) {
		const struct fwkit_env_block *b = &in.scan.blocks[i];
		char line[400];
		block_line(line, sizeof(line), b);
		emit_line(e, line);
		emit_begin(e, NULL);
		describe_block(e, b);
		emit_end(e);
		if (b->has_crc && !b->crc_ok && !bad++)
			first_bad = b->offset;
	}
	emit_end_list(e);
	if (!in.scan.count)
		fprintf(stderr, "fwkit: %s: no environment found\n", pos[0]);
	else if (bad)
		fprintf(stderr, "fwkit: %s: offset 0x%llx: env: %zu block%s with a bad CRC\n", pos[0], (unsigned long long)first_bad,
			bad, bad == 1 ? "" : "s");
	input_close(&in);
	code = !in.scan.count ? EXIT_INPUT : bad ? EXIT_PROBLEM : EXIT_OK_;
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int cmp_var(const void *a, const void *b)
{
	const struct fwkit_env_var *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);
	if (c)
		return c;
	return x->name_len < y->name_len ? -1 : x->name_len > y->name_len;
}

/* Reports a bad CRC as a finding on stderr (text) and returns whether the block is good. */
static bool report_crc(const char *path, const struct fwkit_env_block *b)
{
	if (!b->has_crc || b->crc_ok)
		return true;
	fprintf(stderr, "fwkit: %s: offset 0x%llx: error: env: bad CRC: expected 0x%08x, found 0x%08x%s\n", path,
		(unsigned long long)b->offset, b->crc_computed, b->crc_stored,
		b->size_known ? "" : " (env size guessed; give --size if it differs)");
	return false;
}

/* The block and its variables (env list; env export --json): text "name=value" lines, JSON typed. */
static void emit_variables(struct emitter *e, const char *command, const char *file, const struct fwkit_env_block *block,
			   const struct fwkit_env_vars *vars)
{
	emit_string(e, "command", NULL, command);
	emit_string(e, "file", NULL, file);
	emit_begin(e, "block");
	describe_block(e, block);
	emit_end(e);
	emit_begin_list(e, "variables", NULL);
	for (size_t i = 0; i < vars->count; i++) {
		const struct fwkit_env_var *v = &vars->items[i];
		size_t len = v->name_len + 1 + v->value_len;
		char *line = malloc(len + 1);
		if (line) {
			memcpy(line, v->name, v->name_len);
			line[v->name_len] = '=';
			memcpy(line + v->name_len + 1, v->value, v->value_len);
			emit_raw_line(e, line, len);
			free(line);
		}
		emit_begin(e, NULL);
		emit_bytes(e, "name", NULL, (const uint8_t *)v->name, v->name_len);
		emit_bytes(e, "value", NULL, (const uint8_t *)v->value, v->value_len);
		emit_uint(e, "offset", NULL, v->offset, NULL);
		emit_end(e);
	}
	emit_end_list(e);
}

static int run_list(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = {
		OPT_AT(o), OPT_SIZE(o),
		{ 0, "sort", OPT_FLAG, NULL, "sort by name, as fw_printenv prints", &o.sort, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	struct env_input in;
	struct fwkit_env_vars vars;
	int code = open_vars(&in, pos[0], &o, &vars);
	if (code)
		return code;
	if (o.sort && vars.count)
		qsort(vars.items, vars.count, sizeof(vars.items[0]), cmp_var);
	struct emitter *e = emitter_new(common.json, stdout);
	emit_variables(e, "env list", pos[0], &in.block, &vars);
	if (!vars.terminated)
		fprintf(stderr, "fwkit: %s: offset 0x%llx: warning: env: variable list not terminated within the block\n",
			pos[0], (unsigned long long)in.block.data_offset);
	code = report_crc(pos[0], &in.block) ? EXIT_OK_ : EXIT_PROBLEM;
	fwkit_env_vars_free(&vars);
	input_close(&in);
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_get(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = { OPT_AT(o), OPT_SIZE(o), OPT_END };
	struct common_opts common = { 0 };
	char *pos[2];
	int n = parse_common(self, opts, argc, argv, &common, pos, 2, 2);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	struct env_input in;
	struct fwkit_env_vars vars;
	int code = open_vars(&in, pos[0], &o, &vars);
	if (code)
		return code;
	const struct fwkit_env_var *hit = NULL;
	for (size_t i = 0; i < vars.count; i++)
		if (vars.items[i].name_len == strlen(pos[1]) && memcmp(vars.items[i].name, pos[1], vars.items[i].name_len) == 0)
			hit = &vars.items[i];
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "env get");
	emit_string(e, "name", NULL, pos[1]);
	emit_bool(e, "defined", NULL, hit != NULL, NULL);
	if (hit) {
		emit_bytes(e, "value", NULL, (const uint8_t *)hit->value, hit->value_len);
		emit_raw_line(e, hit->value, hit->value_len);
		code = report_crc(pos[0], &in.block) ? EXIT_OK_ : EXIT_PROBLEM;
	} else {
		fprintf(stderr, "fwkit: %s: offset 0x%llx: env: \"%s\" not defined\n", pos[0],
			(unsigned long long)in.block.offset, pos[1]);
		code = EXIT_PROBLEM;
	}
	fwkit_env_vars_free(&vars);
	input_close(&in);
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

/* Where an edit goes: -o OUT or --in-place, never both, and never OUT == the input by accident. */
static int check_output(const struct cli_command *self, const char *in, const struct env_opts *o)
{
	if (!o->out == !o->in_place) {
		cli_usage_error(self, "give exactly one of -o OUT and --in-place");
		return EXIT_USAGE;
	}
	if (o->out && cli_same_file(in, o->out)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input (use --in-place to edit it)\n", o->out);
		return EXIT_USAGE;
	}
	return EXIT_OK_;
}

/* Applies EDITS to a copy of the input and writes it; prints what changed. */
static int edit_and_write(const struct cli_command *self, const char *path, struct env_opts *o, bool json,
			  const struct fwkit_env_edit *edits, size_t nedits, bool replace)
{
	(void)self;
	struct env_input in;
	int code = input_open(&in, path);
	if (!code)
		code = select_block(&in, o, false);
	if (code) {
		input_close(&in);
		return code;
	}
	size_t len = fwkit_file_size(in.file);
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		input_close(&in);
		fprintf(stderr, "fwkit: out of memory\n");
		return EXIT_SYSTEM;
	}
	memcpy(copy, fwkit_file_data(in.file), len);
	struct fwkit_env_change ch;
	if (fwkit_env_apply(in.ctx, copy, len, &in.block, edits, nedits, replace, o->repair, &ch) != FWKIT_OK) {
		code = cli_report_error(in.ctx);
		if (fwkit_ctx_error(in.ctx)->status == FWKIT_E_BAD_CHECKSUM || fwkit_ctx_error(in.ctx)->status == FWKIT_E_DOES_NOT_FIT ||
		    fwkit_ctx_error(in.ctx)->status == FWKIT_E_UNSUPPORTED)
			code = EXIT_PROBLEM;
		free(copy);
		input_close(&in);
		return code;
	}
	const char *target = o->in_place ? path : o->out;
	if (!o->dry_run) {
		code = cli_write_file(in.ctx, target, copy, len, o->follow);
		if (code) {
			free(copy);
			input_close(&in);
			return code;
		}
	}
	struct emitter *e = emitter_new(json, stdout);
	char buf[512];
	emit_string(e, "command", NULL, replace ? "env import" : "env edit");
	emit_string(e, "file", NULL, path);
	emit_string(e, "output", NULL, target);
	emit_bool(e, "written", NULL, !o->dry_run, NULL);
	emit_begin(e, "block");
	describe_block(e, &in.block);
	emit_end(e);
	snprintf(buf, sizeof(buf), "%s at 0x%llx, size 0x%llx, CRC %s-endian%s", fwkit_env_kind_name(in.block.kind),
		 (unsigned long long)in.block.offset, (unsigned long long)in.block.size,
		 in.block.crc_big_endian ? "big" : "little", in.block.redundant ? ", redundant" : "");
	emit_string(e, NULL, "Block", buf);
	if (in.block.redundant && in.block.copy >= 0) {
		snprintf(buf, sizeof(buf), "copy at 0x%llx, now active with flag %u", (unsigned long long)ch.written_offset,
			 ch.new_flag);
		emit_string(e, NULL, "Written Copy", buf);
	}
	emit_uint(e, "written_offset", NULL, ch.written_offset, NULL);
	emit_uint(e, "new_flag", NULL, ch.new_flag, NULL);
	for (size_t i = 0; i < nedits; i++) {
		if (edits[i].value)
			snprintf(buf, sizeof(buf), "%s=%s", edits[i].name, edits[i].value);
		else
			snprintf(buf, sizeof(buf), "%s (deleted)", edits[i].name);
		emit_string(e, NULL, edits[i].value ? "Set" : "Unset", buf);
	}
	snprintf(buf, sizeof(buf), "%llu of %llu bytes", (unsigned long long)ch.needed, (unsigned long long)ch.capacity);
	emit_string(e, NULL, "Env Used", buf);
	emit_uint(e, "needed", NULL, ch.needed, NULL);
	emit_uint(e, "capacity", NULL, ch.capacity, NULL);
	emit_begin_list(e, "changed", NULL);
	for (size_t i = 0; i < ch.nranges; i++) {
		snprintf(buf, sizeof(buf), "0x%llx..0x%llx (%llu bytes)", (unsigned long long)ch.ranges[i].offset,
			 (unsigned long long)(ch.ranges[i].offset + ch.ranges[i].length - 1),
			 (unsigned long long)ch.ranges[i].length);
		emit_string(e, NULL, "Changed", buf);
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, ch.ranges[i].offset, NULL);
		emit_uint(e, "length", NULL, ch.ranges[i].length, NULL);
		emit_end(e);
	}
	emit_end_list(e);
	if (!ch.nranges)
		emit_string(e, NULL, "Changed", "nothing (the environment already held these values)");
	snprintf(buf, sizeof(buf), "%s%s (%zu bytes, the input's size)", o->dry_run ? "(dry run) would write " : "", target,
		 len);
	emit_string(e, NULL, "Output", buf);
	free(copy);
	input_close(&in);
	code = EXIT_OK_;
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

#define OPT_WRITE(o)                                                                                              \
	{ 'o', NULL, OPT_STRING, "OUT", "write the edited file to OUT (same size as FILE)", &(o).out, NULL },     \
	{ 0, "in-place", OPT_FLAG, NULL, "replace FILE itself (atomically)", &(o).in_place, NULL },              \
	OPT_FOLLOW((o).follow),                                                                                   \
	{ 0, "dry-run", OPT_FLAG, NULL, "check and show the changes, write nothing", &(o).dry_run, NULL },       \
	{ 0, "repair", OPT_FLAG, NULL, "allow editing a block whose CRC is already bad", &(o).repair, NULL }

static int run_set_or_unset(int argc, char **argv, const struct cli_command *self, bool set)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = { OPT_AT(o), OPT_SIZE(o), OPT_WRITE(o), OPT_END };
	struct common_opts common = { 0 };
	char *pos[65];
	int n = parse_common(self, opts, argc, argv, &common, pos, 65, 2);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	int code = check_output(self, pos[0], &o);
	if (code)
		return code;
	struct fwkit_env_edit edits[64];
	char *names[64] = { 0 };
	size_t nedits = 0;
	for (int i = 1; i < n; i++) {
		const char *arg = pos[i];
		const char *eq = set ? strchr(arg, '=') : NULL;
		if (set && !eq) {
			cli_usage_error(self, "'%s': expected NAME=VALUE", arg);
			code = EXIT_USAGE;
			goto out;
		}
		size_t nl = set ? (size_t)(eq - arg) : strlen(arg);
		names[nedits] = strndup(arg, nl);
		edits[nedits].name = names[nedits];
		edits[nedits].value = set ? eq + 1 : NULL;
		struct fwkit_ctx *ctx = fwkit_ctx_new();
		if (!names[nedits] || !ctx ||
		    fwkit_env_check_var(ctx, arg, nl, set ? eq + 1 : NULL, set ? strlen(eq + 1) : 0) != FWKIT_OK) {
			if (ctx)
				cli_report_error(ctx);
			fwkit_ctx_free(ctx);
			nedits++;
			code = EXIT_USAGE;
			goto out;
		}
		fwkit_ctx_free(ctx);
		nedits++;
	}
	code = edit_and_write(self, pos[0], &o, common.json, edits, nedits, false);
out:
	for (size_t i = 0; i < nedits; i++)
		free(names[i]);
	return code;
}

static int run_set(int argc, char **argv, const struct cli_command *self) { return run_set_or_unset(argc, argv, self, true); }
static int run_unset(int argc, char **argv, const struct cli_command *self) { return run_set_or_unset(argc, argv, self, false); }

/* Splits NUL-separated "name=value" entries into edits that point into TEXT. */
static size_t split_entries(char *text, size_t used, struct fwkit_env_edit *edits, size_t max)
{
	size_t n = 0, pos = 0;
	while (pos < used && text[pos] && n < max) {
		char *entry = text + pos;
		size_t elen = strlen(entry);
		char *eq = strchr(entry, '=');
		if (eq) {
			*eq = '\0';
			edits[n].name = entry;
			edits[n].value = eq + 1;
			n++;
		}
		pos += elen + 1;
	}
	return n;
}

/* fw_setenv -s lines: the name ends at the first blank or '='; no value deletes; '#' and
 * empty lines are skipped; a CR before the LF is dropped (tools/env/fw_env.c fw_parse_script). */
static size_t parse_script(char *text, struct fwkit_env_edit *edits, size_t max)
{
	size_t n = 0;
	char *next = text;
	while (next && *next && n < max) {
		char *line = next;
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (!l || line[0] == '#')
			continue;
		char *end = line + strcspn(line, " \t=");
		char *value = NULL;
		if (*end) {
			*end = '\0';
			value = end + 1;
			while (*value == ' ' || *value == '\t')
				value++;
			if (!*value)
				value = NULL;
		}
		edits[n].name = line;
		edits[n].value = value;
		n++;
	}
	return n;
}

static int run_import(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = {
		OPT_AT(o), OPT_SIZE(o), OPT_WRITE(o),
		{ 0, "merge", OPT_FLAG, NULL, "apply TEXTFILE as a fw_setenv -s script (set and delete) instead of replacing", &o.merge, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[2];
	int n = parse_common(self, opts, argc, argv, &common, pos, 2, 2);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	int code = check_output(self, pos[0], &o);
	if (code)
		return code;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *tf = NULL;
	if (fwkit_file_open_ex(ctx, pos[1], FWKIT_OPEN_STREAM, &tf) != FWKIT_OK) {
		code = cli_report_error(ctx);
		fwkit_ctx_free(ctx);
		return code;
	}
	size_t tlen = fwkit_file_size(tf);
	size_t cap = tlen + 2;
	char *text = calloc(1, cap + 1);
	enum { MAX_EDITS = 8192 };
	struct fwkit_env_edit *edits = calloc(MAX_EDITS, sizeof(*edits));
	size_t nedits = 0;
	if (!text || !edits) {
		fprintf(stderr, "fwkit: out of memory\n");
		code = EXIT_SYSTEM;
		goto out;
	}
	if (o.merge) {
		if (tlen)
			memcpy(text, fwkit_file_data(tf), tlen);
		nedits = parse_script(text, edits, MAX_EDITS);
	} else {
		size_t used = 0;
		if (fwkit_env_text_parse(ctx, fwkit_file_data(tf), tlen, (uint8_t *)text, cap, &used) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto out;
		}
		nedits = split_entries(text, used, edits, MAX_EDITS);
	}
	code = edit_and_write(self, pos[0], &o, common.json, edits, nedits, !o.merge);
out:
	free(edits);
	free(text);
	fwkit_file_close(tf);
	fwkit_ctx_free(ctx);
	return code;
}

static int run_export(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = { OPT_AT(o), OPT_SIZE(o), OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	struct env_input in;
	struct fwkit_env_vars vars;
	int code = open_vars(&in, pos[0], &o, &vars);
	if (code)
		return code;
	if (common.json) {
		struct emitter *e = emitter_new(true, stdout);
		emit_variables(e, "env export", pos[0], &in.block, &vars);
		code = report_crc(pos[0], &in.block) ? EXIT_OK_ : EXIT_PROBLEM;
		if (!emitter_finish(e))
			code = EXIT_SYSTEM;
		emitter_free(e);
		fwkit_env_vars_free(&vars);
		input_close(&in);
		return code;
	}
	/* mkenvimage's text form: name=value lines, an embedded newline written as backslash-newline */
	for (size_t i = 0; i < vars.count; i++) {
		const struct fwkit_env_var *v = &vars.items[i];
		fwrite(v->name, 1, v->name_len, stdout);
		fputc('=', stdout);
		for (size_t k = 0; k < v->value_len; k++) {
			if (v->value[k] == '\n')
				fputc('\\', stdout);
			fputc(v->value[k], stdout);
		}
		fputc('\n', stdout);
	}
	code = report_crc(pos[0], &in.block) ? EXIT_OK_ : EXIT_PROBLEM;
	fwkit_env_vars_free(&vars);
	input_close(&in);
	return code;
}

/* The sector size column: the largest power of two up to 64 KiB that the offset is aligned to,
 * and no smaller than needed for U-Boot's "starts on a sector boundary" rule. */
static uint64_t sector_for(uint64_t offset, uint64_t size)
{
	uint64_t s = 0x10000;
	while (s > 0x200 && offset % s)
		s >>= 1;
	if (offset == 0) {
		s = 0x200;
		while (s < size && s < 0x10000)
			s <<= 1;
	}
	return s;
}

static int run_config(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = { OPT_AT(o), OPT_SIZE(o), OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	struct env_input in;
	int code = input_open(&in, pos[0]);
	if (!code)
		code = select_block(&in, &o, true);
	if (code) {
		input_close(&in);
		return code;
	}
	const struct fwkit_env_block *b = &in.block;
	if (b->kind == FWKIT_ENV_BREED || b->kind == FWKIT_ENV_TEXT_NO_CRC) {
		fprintf(stderr, "fwkit: %s: offset 0x%llx: env: a %s block has no CRC; fw_printenv cannot read it\n", pos[0],
			(unsigned long long)b->offset, fwkit_env_kind_name(b->kind));
		input_close(&in);
		return EXIT_PROBLEM;
	}
	char *abs = realpath(pos[0], NULL);
	const char *dev = abs ? abs : pos[0];
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "env config");
	emit_begin_list(e, "lines", NULL);
	uint64_t offs[2] = { b->offset, b->other_offset };
	size_t ncopies = (b->redundant && b->copy >= 0) ? 2 : 1;
	if (ncopies == 2 && b->copy == 1) {
		offs[0] = b->other_offset;
		offs[1] = b->offset;
	}
	/* one sector size for both copies, never one whose erase at the first copy takes the second */
	uint64_t sector = sector_for(offs[0], b->size);
	if (ncopies == 2) {
		uint64_t apart = offs[1] > offs[0] ? offs[1] - offs[0] : offs[0] - offs[1];
		uint64_t s2 = sector_for(offs[1], b->size);
		sector = s2 < sector ? s2 : sector;
		while (sector > 0x200 && sector > apart)
			sector >>= 1;
	}
	char line[1200];
	snprintf(line, sizeof(line), "# fw_env.config for %s (%s env, %s) - made by fwkit", pos[0], fwkit_env_kind_name(b->kind),
		 ncopies == 2 ? "redundant" : "single copy");
	emit_line(e, line);
	emit_line(e, "# device/file  offset  env size  sector size");
	for (size_t i = 0; i < ncopies; i++) {
		snprintf(line, sizeof(line), "%s 0x%llx 0x%llx 0x%llx", dev, (unsigned long long)offs[i],
			 (unsigned long long)b->size, (unsigned long long)sector);
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_string(e, "device", NULL, dev);
		emit_uint(e, "offset", NULL, offs[i], NULL);
		emit_uint(e, "env_size", NULL, b->size, NULL);
		emit_uint(e, "sector_size", NULL, sector, NULL);
		emit_string(e, "line", NULL, line);
		emit_end(e);
	}
	emit_end_list(e);
	if (b->has_crc && !b->crc_ok)
		report_crc(pos[0], b);
	if (!b->size_known)
		fprintf(stderr, "fwkit: %s: warning: the env size is a guess (no CRC matched); check it before writing\n", pos[0]);
	free(abs);
	input_close(&in);
	code = EXIT_OK_;
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_create(int argc, char **argv, const struct cli_command *self)
{
	const char *size_s = NULL, *pad_s = NULL, *out = NULL;
	bool redundant = false, big = false, follow = false;
	struct cli_option opts[] = {
		{ 's', NULL, OPT_STRING, "SIZE", "environment size, header included (decimal, 0x hex or 0 octal, as mkenvimage)", &size_s, NULL },
		{ 'r', NULL, OPT_FLAG, NULL, "redundant: add the flag byte (1)", &redundant, NULL },
		{ 'b', NULL, OPT_FLAG, NULL, "big-endian CRC (for big-endian targets)", &big, NULL },
		{ 'p', NULL, OPT_STRING, "BYTE", "fill byte for the unused area (default 0xff)", &pad_s, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "output file ('-': standard output)", &out, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	uint64_t size = 0, pad = 0xFF;
	if (!size_s || !out) {
		cli_usage_error(self, "-s SIZE and -o OUT are required");
		return EXIT_USAGE;
	}
	if (!cli_parse_u64(size_s, 0, 1ull << 31, &size) || (pad_s && !cli_parse_u64(pad_s, 0, 0xFF, &pad))) {
		cli_usage_error(self, "-s needs a size and -p a byte value (0..255)");
		return EXIT_USAGE;
	}
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *tf = NULL;
	if (fwkit_file_open_ex(ctx, strcmp(pos[0], "-") ? pos[0] : "/dev/stdin", FWKIT_OPEN_STREAM, &tf) != FWKIT_OK) {
		int code = cli_report_error(ctx);
		fwkit_ctx_free(ctx);
		return code;
	}
	struct fwkit_env_build_params p = { .size = size, .redundant = redundant, .big_endian = big, .pad = (uint8_t)pad,
					    .text = fwkit_file_data(tf), .text_len = fwkit_file_size(tf) };
	uint8_t *blob = NULL;
	size_t blen = 0;
	int code = EXIT_OK_;
	if (fwkit_env_build(ctx, &p, &blob, &blen) != FWKIT_OK) {
		code = cli_report_error(ctx);
		if (fwkit_ctx_error(ctx)->status == FWKIT_E_DOES_NOT_FIT)
			code = EXIT_PROBLEM;
	} else if (strcmp(out, "-") == 0) {
		if (fwrite(blob, 1, blen, stdout) != blen)
			code = EXIT_SYSTEM;
	} else if (cli_same_file(pos[0], out)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input text\n", out);
		code = EXIT_USAGE;
	} else {
		code = cli_write_file(ctx, out, blob, blen, follow);
		if (!code && common.json) {
			struct emitter *e = emitter_new(true, stdout);
			emit_string(e, "command", NULL, "env create");
			emit_string(e, "output", NULL, out);
			emit_uint(e, "bytes", NULL, blen, NULL);
			emit_bool(e, "redundant", NULL, redundant, NULL);
			emit_bool(e, "written", NULL, true, NULL);
			if (!emitter_finish(e))
				code = EXIT_SYSTEM;
			emitter_free(e);
		}
	}
	free(blob);
	fwkit_file_close(tf);
	fwkit_ctx_free(ctx);
	return code;
}

static int run_corrupt(int argc, char **argv, const struct cli_command *self)
{
	struct env_opts o = { 0 };
	struct cli_option opts[] = {
		OPT_AT(o), OPT_SIZE(o),
		{ 'o', NULL, OPT_STRING, "OUT", "write the damaged copy to OUT", &o.out, NULL },
		{ 0, "in-place", OPT_FLAG, NULL, "damage FILE itself", &o.in_place, NULL },
		OPT_FOLLOW(o.follow),
		{ 0, "dry-run", OPT_FLAG, NULL, "show what would change, write nothing", &o.dry_run, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = parse_common(self, opts, argc, argv, &common, pos, 1, 1);
	if (n < 0)
		return n == -2 ? EXIT_OK_ : EXIT_USAGE;
	int code = check_output(self, pos[0], &o);
	struct env_input in;
	if (code)
		return code;
	code = input_open(&in, pos[0]);
	if (!code)
		code = select_block(&in, &o, false);
	if (code) {
		input_close(&in);
		return code;
	}
	size_t len = fwkit_file_size(in.file);
	uint8_t *copy = malloc(len);
	if (!copy) {
		input_close(&in);
		return EXIT_SYSTEM;
	}
	memcpy(copy, fwkit_file_data(in.file), len);
	/* invert the stored CRC: the data stays readable, and no CRC can match it by chance */
	for (int i = 0; i < 4; i++)
		copy[in.block.offset + (uint64_t)i] ^= 0xFF;
	const char *target = o.in_place ? pos[0] : o.out;
	if (!o.dry_run) {
		code = cli_write_file(in.ctx, target, copy, len, o.follow);
	}
	if (!code) {
		char line[120];
		snprintf(line, sizeof(line), "0x%llx..0x%llx (4 bytes: the stored CRC, inverted)%s",
			 (unsigned long long)in.block.offset, (unsigned long long)in.block.offset + 3, o.dry_run ? " (dry run)" : "");
		struct emitter *e = emitter_new(common.json, stdout);
		emit_string(e, "command", NULL, "env corrupt");
		emit_string(e, NULL, "Changed", line);
		emit_uint(e, "offset", NULL, in.block.offset, NULL);
		emit_uint(e, "length", NULL, 4, NULL);
		emit_bool(e, "written", NULL, !o.dry_run, NULL);
		if (!emitter_finish(e))
			code = EXIT_SYSTEM;
		emitter_free(e);
	}
	free(copy);
	input_close(&in);
	return code;
}

const struct cli_command cmd_env_find = {
	.name = "env find",
	.synopsis = "env find FILE [--json]",
	.summary = "find every environment block in a dump or blob: offset, size (by CRC), byte order, copies, kind",
	.run = run_find,
};
const struct cli_command cmd_env_list = {
	.name = "env list",
	.synopsis = "env list FILE [--at OFFSET] [--size N] [--sort] [--json]",
	.summary = "print the variables of one block (with --sort, exactly as fw_printenv prints them)",
	.run = run_list,
};
const struct cli_command cmd_env_get = {
	.name = "env get",
	.synopsis = "env get FILE NAME [--at OFFSET] [--size N] [--json]",
	.summary = "print one variable's value; exit 1 when it is not defined",
	.run = run_get,
};
const struct cli_command cmd_env_set = {
	.name = "env set",
	.synopsis = "env set FILE NAME=VALUE... (-o OUT | --in-place) [--at OFFSET] [--size N] [--dry-run] [--repair] [--json]",
	.summary = "set variables; the file keeps its size, only the block's bytes change, the CRC is recomputed",
	.run = run_set,
};
const struct cli_command cmd_env_unset = {
	.name = "env unset",
	.synopsis = "env unset FILE NAME... (-o OUT | --in-place) [--at OFFSET] [--size N] [--dry-run] [--repair] [--json]",
	.summary = "delete variables, with the same guarantees as env set",
	.run = run_unset,
};
const struct cli_command cmd_env_import = {
	.name = "env import",
	.synopsis = "env import FILE TEXTFILE (-o OUT | --in-place) [--merge] [--at OFFSET] [--size N] [--dry-run] [--repair] [--json]",
	.summary = "replace the variables with those of a mkenvimage text file (--merge: apply a fw_setenv -s script)",
	.run = run_import,
};
const struct cli_command cmd_env_export = {
	.name = "env export",
	.synopsis = "env export FILE [--at OFFSET] [--size N]",
	.summary = "print the variables as mkenvimage text (what env import and env create read)",
	.run = run_export,
};
const struct cli_command cmd_env_config = {
	.name = "env config",
	.synopsis = "env config FILE [--at OFFSET] [--size N] [--json]",
	.summary = "print the fw_env.config line(s) for the block, for fw_printenv/fw_setenv -c",
	.run = run_config,
};
const struct cli_command cmd_env_create = {
	.name = "env create",
	.synopsis = "env create -s SIZE [-r] [-b] [-p BYTE] -o OUT TEXTFILE",
	.summary = "build an environment blob, byte-identical to mkenvimage with the same options",
	.run = run_create,
};
const struct cli_command cmd_env_corrupt = {
	.name = "env corrupt",
	.synopsis = "env corrupt FILE (-o OUT | --in-place) [--at OFFSET] [--size N] [--dry-run]",
	.summary = "invert a block's stored CRC, to test what a bootloader does with a bad environment",
	.run = run_corrupt,
};
