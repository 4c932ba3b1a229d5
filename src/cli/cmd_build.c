/*
 * fwkit build: a new full flash image from the user's own backup (include/fwkit/build.h): a
 * firmware in the firmware partition, optionally a bootloader, env and MAC edits. Every check
 * runs on the result before a byte is written; the output is the chip's size; --layout writes the
 * flashrom layout of the erase blocks that differ from the backup.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

/* cli_usage_error prints; a usage error exits 2 */
#define USAGE(...) (cli_usage_error(__VA_ARGS__), EXIT_USAGE)

#define MAX_ENV 32

struct build_opts {
	const char *backup, *firmware, *bootloader, *mac, *device, *out, *layout, *pfile;
	const char *env[MAX_ENV];
	size_t nenv;
	bool dry_run, follow;
};

/* The flashrom layout of the runs of differing erase blocks, named after their partitions. */
static char *layout_text(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *old, const uint8_t *new_image,
			 size_t len, size_t *text_len)
{
	struct fwkit_ranges runs;
	if (fwkit_layout_changed_blocks(ctx, old, new_image, len, p->erase_size, &runs) != FWKIT_OK)
		return NULL;
	size_t cap = 64 * (runs.count + 1);
	char *text = malloc(cap);
	*text_len = 0;
	for (size_t i = 0; text && i < runs.count; i++) {
		const struct fwkit_partition *part = fwkit_profile_partition_at(p, runs.items[i].offset);
		*text_len += (size_t)snprintf(text + *text_len, cap - *text_len, "%08llx:%08llx %s_%zu\n",
					      (unsigned long long)runs.items[i].offset,
					      (unsigned long long)(runs.items[i].offset + runs.items[i].length - 1),
					      part ? part->name : "flash", i);
	}
	fwkit_ranges_free(&runs);
	return text;
}

struct inputs {
	struct fwkit_file *backup, *firmware, *bootloader;
};

static int open_inputs(struct fwkit_ctx *ctx, const struct build_opts *o, struct inputs *in)
{
	if (fwkit_file_open(ctx, o->backup, &in->backup) != FWKIT_OK ||
	    (o->firmware && fwkit_file_open(ctx, o->firmware, &in->firmware) != FWKIT_OK) ||
	    (o->bootloader && fwkit_file_open(ctx, o->bootloader, &in->bootloader) != FWKIT_OK))
		return cli_report_error(ctx);
	return EXIT_OK_;
}

static void close_inputs(struct inputs *in)
{
	fwkit_file_close(in->backup);
	fwkit_file_close(in->firmware);
	fwkit_file_close(in->bootloader);
}

/* Which input a build error is about, for the message. */
static const char *blame(const struct build_opts *o, const struct fwkit_build_report *r)
{
	if (r->stage && !strcmp(r->stage, "firmware"))
		return o->firmware;
	if (r->stage && !strcmp(r->stage, "bootloader"))
		return o->bootloader;
	return o->backup;
}

/* The library's error, named after the input it is about (not the last file opened). */
static void report_build_error(struct fwkit_ctx *ctx, const struct build_opts *o, const struct fwkit_build_report *r)
{
	struct fwkit_error err = *fwkit_ctx_error(ctx);
	char msg[1024];
	err.file[0] = 0;
	fwkit_error_format(&err, msg, sizeof(msg));
	fprintf(stderr, "fwkit: %s: %s\n", blame(o, r), msg);
}

static void emit_report(struct emitter *e, const struct build_opts *o, const struct fwkit_build_report *r,
			const struct fwkit_profile *p, size_t len)
{
	char line[700];
	emit_string(e, "device", NULL, p->id);
	snprintf(line, sizeof(line), "%s (%s), from %s (%zu bytes)", p->name, p->id, o->backup, len);
	emit_string(e, NULL, "Device", line);
	if (o->firmware) {
		snprintf(line, sizeof(line), "%s: %llu bytes at 0x%06llx (room %llu, the rest erased to 0xFF), for %s",
			 o->firmware, (unsigned long long)r->firmware_len, (unsigned long long)r->firmware_offset,
			 (unsigned long long)r->firmware_room, r->firmware_device);
		if (r->firmware_trailer)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
				 "; its %llu bytes of sysupgrade metadata left out (as fwtool -t cuts them)",
				 (unsigned long long)r->firmware_trailer);
		emit_string(e, NULL, "Firmware", line);
		emit_begin(e, "firmware");
		emit_uint(e, "metadata_left_out", NULL, r->firmware_trailer, NULL);
		emit_string(e, "file", NULL, o->firmware);
		emit_uint(e, "offset", NULL, r->firmware_offset, NULL);
		emit_uint(e, "length", NULL, r->firmware_len, NULL);
		emit_uint(e, "room", NULL, r->firmware_room, NULL);
		emit_string(e, "for_device", NULL, r->firmware_device);
		emit_bool(e, "other_board", NULL, r->firmware_other_board, NULL);
		emit_end(e);
		if (r->firmware_other_board)
			fprintf(stderr, "fwkit: %s: warning: the firmware is for %s, which has %s's partitions: it boots, with "
					"that board's LEDs, buttons, switch ports and radios; build the image for %s when there is one\n",
				o->firmware, r->firmware_device, p->id, p->id);
	}
	if (o->bootloader) {
		snprintf(line, sizeof(line), "%s: a %s bootloader at 0x000000 (room %llu)", o->bootloader, r->bootloader_soc,
			 (unsigned long long)r->bootloader_room);
		emit_string(e, NULL, "Bootloader", line);
		emit_begin(e, "bootloader");
		emit_string(e, "file", NULL, o->bootloader);
		emit_string(e, "soc", NULL, r->bootloader_soc);
		emit_uint(e, "room", NULL, r->bootloader_room, NULL);
		emit_end(e);
	}
	emit_begin_list(e, "changed_partitions", NULL);
	line[0] = 0;
	for (size_t i = 0; i < r->nchanged; i++) {
		emit_begin(e, NULL);
		emit_string(e, "name", NULL, r->changed[i]);
		emit_end(e);
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? ", " : "", r->changed[i]);
	}
	emit_end_list(e);
	emit_string(e, NULL, "Changed", r->nchanged ? line : "nothing (the image equals the backup)");
}

static int build(const struct build_opts *o, bool json)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct inputs in = { 0 };
	struct profiles pr = { 0 };
	struct fwkit_env_edit edits[MAX_ENV];
	uint8_t mac[6], *out = NULL;
	char *layout = NULL;
	size_t layout_len = 0;
	int code = cli_load_profiles(o->pfile, &pr);
	if (!code)
		code = open_inputs(ctx, o, &in);
	const struct fwkit_profile *p = NULL;
	if (!code && !(p = flash_device_of(ctx, &pr, o->device, fwkit_file_data(in.backup), fwkit_file_size(in.backup),
					   o->backup)))
		code = EXIT_USAGE;
	size_t len = in.backup ? fwkit_file_size(in.backup) : 0;
	for (size_t i = 0; !code && i < o->nenv; i++) {
		const char *eq = strchr(o->env[i], '=');
		char *name = eq ? strndup(o->env[i], (size_t)(eq - o->env[i])) : NULL;
		edits[i] = (struct fwkit_env_edit){ name, eq ? eq + 1 : NULL };
		if (!eq || !name) {
			fprintf(stderr, "fwkit: --env '%s': expected NAME=VALUE\n", o->env[i]);
			code = EXIT_USAGE;
		}
	}
	if (!code && o->mac && !fwkit_mac_parse(o->mac, mac)) {
		fprintf(stderr, "fwkit: --mac '%s': not a MAC address (AA:BB:CC:DD:EE:FF)\n", o->mac);
		code = EXIT_USAGE;
	}
	if (!code && !(out = malloc(len ? len : 1)))
		code = EXIT_SYSTEM;
	struct fwkit_build_report rep = { 0 };
	if (!code) {
		struct fwkit_build_params bp = {
			.profile = p,
			.firmware = in.firmware ? fwkit_file_data(in.firmware) : NULL,
			.firmware_len = in.firmware ? fwkit_file_size(in.firmware) : 0,
			.bootloader = in.bootloader ? fwkit_file_data(in.bootloader) : NULL,
			.bootloader_len = in.bootloader ? fwkit_file_size(in.bootloader) : 0,
			.env = edits,
			.nenv = o->nenv,
			.label_mac = o->mac ? mac : NULL,
		};
		if (fwkit_build(ctx, fwkit_file_data(in.backup), len, &bp, out, &rep) != FWKIT_OK) {
			report_build_error(ctx, o, &rep);
			code = cli_exit_for_status(fwkit_ctx_error(ctx)->status);
		}
	}
	/* the check the written image must pass, before anything is written */
	if (!code)
		code = flash_check_image(ctx, o->out, out, len, fwkit_file_data(in.backup), len, p,
					  o->mac ? 1u << FWKIT_PART_FACTORY : 0);
	if (!code && o->layout && !(layout = layout_text(ctx, p, fwkit_file_data(in.backup), out, len, &layout_len)))
		code = EXIT_SYSTEM;
	if (!code && !o->dry_run)
		code = cli_write_file(ctx, o->out, out, len, o->follow);
	if (!code && !o->dry_run && o->layout)
		code = cli_write_file(ctx, o->layout, layout, layout_len, o->follow);
	if (!code) {
		struct emitter *e = emitter_new(json, stdout);
		emit_string(e, "command", NULL, "build");
		emit_report(e, o, &rep, p, len);
		char line[700];
		snprintf(line, sizeof(line), "%s%s (%zu bytes, the chip's size)%s", o->dry_run ? "(dry run) would write " : "",
			 o->out, len, o->layout ? "; layout of the changed erase blocks in " : "");
		if (o->layout)
			snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s", o->layout);
		emit_string(e, NULL, "Output", line);
		emit_string(e, "output", NULL, o->out);
		emit_bool(e, "written", NULL, !o->dry_run, NULL);
		if (!emitter_finish(e))
			code = EXIT_SYSTEM;
		emitter_free(e);
	}
	for (size_t i = 0; i < o->nenv; i++)
		free((char *)edits[i].name);
	free(layout);
	free(out);
	close_inputs(&in);
	free(pr.extra);
	fwkit_ctx_free(ctx);
	return code;
}

static int run_build(int argc, char **argv, const struct cli_command *self)
{
	struct build_opts o = { 0 };
	/* --env may be given several times: the option table keeps the last, so collect them first */
	char **rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (!rest)
		return EXIT_SYSTEM;
	int nrest = 0;
	for (int i = 0; i < argc; i++) {
		if (i > 0 && !strcmp(argv[i], "--env") && i + 1 < argc) {
			if (o.nenv == MAX_ENV) {
				free(rest);
				return USAGE(self, "at most %d --env edits", MAX_ENV);
			}
			o.env[o.nenv++] = argv[++i];
			continue;
		}
		rest[nrest++] = argv[i];
	}
	const char *env_unused = NULL;
	struct cli_option opts[] = {
		{ 0, "from", OPT_STRING, "BACKUP", "the chip's own read: the new image starts as its copy", &o.backup, NULL },
		{ 0, "firmware", OPT_STRING, "IMAGE", "write this firmware (a kernel uImage, sysupgrade) into the firmware partition", &o.firmware, NULL },
		{ 0, "bootloader", OPT_STRING, "FILE", "replace the bootloader (one for this SoC only)", &o.bootloader, NULL },
		{ 0, "env", OPT_STRING, "NAME=VALUE", "set a U-Boot env variable (repeat for more)", &env_unused, NULL },
		{ 0, "mac", OPT_STRING, "LABEL", "set every MAC from the label MAC by the device's rules", &o.mac, NULL },
		{ 0, "device", OPT_STRING, "ID", "the device (default: identified from BACKUP)", &o.device, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &o.pfile, NULL },
		{ 'o', NULL, OPT_STRING, "NEW", "write the new image here", &o.out, NULL },
		{ 0, "layout", OPT_STRING, "FILE", "write the flashrom layout of the erase blocks that differ from BACKUP", &o.layout, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "build and check; write nothing", &o.dry_run, NULL },
		OPT_FOLLOW(o.follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	bool go = cli_args(self, opts, nrest, rest, &common, pos, 0, "", &early);
	free(rest);
	if (!go)
		return early;
	if (!o.backup || !o.out)
		return USAGE(self, "give --from BACKUP and -o NEW");
	const char *inputs[] = { o.backup, o.firmware, o.bootloader, o.layout };
	for (size_t i = 0; i < 4; i++)
		if (inputs[i] && (cli_same_file(inputs[i], o.out) || (i < 3 && o.layout && cli_same_file(inputs[i], o.layout))))
			return USAGE(self, "refusing to overwrite an input (%s)", inputs[i]);
	return build(&o, common.json);
}

const struct cli_command cmd_build = {
	.name = "build",
	.synopsis = "build --from BACKUP [--firmware IMAGE] [--bootloader FILE] [--env NAME=VALUE ...] [--mac LABEL] "
		    "[--device ID] [--profiles FILE] -o NEW [--layout FILE] [--dry-run] [--follow] [--json]",
	.summary = "a new full flash image from your own backup: firmware, bootloader, env and MACs, all checked first",
	.run = run_build,
};
