/*
 * fwkit flash probe | read | write | env set | mac set: the chip itself, through a programmer
 * (libflashrom, include/fwkit/flash.h). Reads are compared before they are trusted; writes touch
 * only the erase blocks that differ from the backup, after confirming the chip holds the backup
 * there, and read every written block back. Progress: a bar with rate and time left on a
 * terminal, JSON lines on stderr otherwise. Ctrl-C stops between blocks, with a report of which
 * blocks are new and which old.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/emit.h"

/* cli_usage_error prints; a usage error exits 2 */
#define USAGE(...) (cli_usage_error(__VA_ARGS__), EXIT_USAGE)

#define MAX_READS 8

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* The programmer options every flash command takes, and what its run needs. */
struct flash_opts {
	const char *programmer, *chip, *device, *log_path, *pfile;
	bool follow, dry_run;
	uint64_t reads;
	bool reads_seen;
};

#define FLASH_OPTS(o)                                                                                              \
	{ 'p', "programmer", OPT_STRING, "PROGRAMMER", "flashrom's programmer: ch341a_spi, dummy:emulate=W25Q128FV,image=F ...", \
	  &(o).programmer, NULL },                                                                                \
	{ 'c', "chip", OPT_STRING, "CHIP", "the chip's flashrom name (when several match)", &(o).chip, NULL },     \
	{ 0, "device", OPT_STRING, "ID", "the device (default: identified from the flash)", &(o).device, NULL },   \
	{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &(o).pfile, NULL },                \
	{ 0, "log", OPT_STRING, "FILE", "append libflashrom's messages (all levels) to FILE", &(o).log_path, NULL }

/* ---- progress ----------------------------------------------------------------------------- */

struct progress {
	bool bar;          /* a terminal: one redrawn line */
	FILE *log;         /* --log */
	enum fwkit_flash_op op;
	double start;      /* when OP started */
	double last;       /* the previous report (or the chip's opening): where the next step began */
	bool drawn;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *op_name(enum fwkit_flash_op op)
{
	switch (op) {
	case FWKIT_FLASH_OP_READ: return "read";
	case FWKIT_FLASH_OP_CONFIRM: return "confirm";
	case FWKIT_FLASH_OP_WRITE: return "write";
	case FWKIT_FLASH_OP_VERIFY: return "verify";
	}
	return "?";
}

static void on_progress(void *user, enum fwkit_flash_op op, uint64_t done, uint64_t total)
{
	struct progress *pr = user;
	double t = now_s();
	if (op != pr->op || !pr->drawn) {
		if (pr->drawn && pr->bar)
			fputc('\n', stderr);
		pr->op = op;
		pr->start = pr->last;
		pr->drawn = true;
	}
	pr->last = t;
	if (t - pr->start < 1e-6)
		pr->start = t - 1e-6;
	double rate = (double)done / (t - pr->start), left = rate > 0 ? (double)(total - done) / rate : 0;
	if (!pr->bar) {
		fprintf(stderr, "{\"progress\":\"%s\",\"done\":%llu,\"total\":%llu,\"bytes_per_s\":%.0f,\"seconds_left\":%.1f}\n",
			op_name(op), (unsigned long long)done, (unsigned long long)total, rate, left);
		return;
	}
	char bar[31];
	int fill = total ? (int)(30 * done / total) : 30;
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = 0;
	fprintf(stderr, "\r%-7s [%s] %3d%% %7.1f KiB/s  %d:%02d left ", op_name(op), bar,
		total ? (int)(100 * done / total) : 100, rate / 1024, (int)left / 60, (int)left % 60);
	if (done == total) {
		fputc('\n', stderr);
		pr->drawn = false;
	}
}

static bool on_cancel(void *user)
{
	(void)user;
	return interrupted != 0;
}

static void on_log(void *user, int level, const char *line)
{
	struct progress *pr = user;
	if (pr->log)
		fprintf(pr->log, "%d %s\n", level, line);
}

/* ---- opening the chip --------------------------------------------------------------------- */

struct chip {
	void (*old_sigint)(int); /* put back when the chip is closed */
	bool sigint_set;
	struct fwkit_ctx *ctx;
	struct fwkit_flash *flash;
	struct progress progress;
	struct profiles pr;
};

static int exit_for_flash(struct fwkit_ctx *ctx)
{
	enum fwkit_status st = fwkit_ctx_error(ctx)->status;
	if (st == FWKIT_E_UNSUPPORTED) {
		fprintf(stderr, "fwkit: flash: not built in (configure with libflashrom-dev)\n");
		return EXIT_SYSTEM;
	}
	int code = cli_report_error(ctx);
	if (st == FWKIT_E_NO_DEVICE || st == FWKIT_E_CANCELLED)
		return EXIT_SYSTEM;
	if (st == FWKIT_E_MISMATCH)
		return EXIT_PROBLEM;
	return code;
}

static int chip_open(struct chip *c, const struct cli_command *self, const struct flash_opts *o, bool json)
{
	memset(c, 0, sizeof(*c));
	if (!o->programmer)
		return USAGE(self, "give the programmer with -p (e.g. -p ch341a_spi)");
	int code = cli_load_profiles(o->pfile, &c->pr);
	if (code)
		return code;
	c->ctx = fwkit_ctx_new();
	if (!c->ctx)
		return EXIT_SYSTEM;
	if (!fwkit_flash_backend()) {
		fprintf(stderr, "fwkit: flash: not built in (configure with libflashrom-dev)\n");
		return EXIT_SYSTEM;
	}
	c->progress.bar = !json && isatty(STDERR_FILENO);
	if (o->log_path && !(c->progress.log = fopen(o->log_path, "a"))) {
		fprintf(stderr, "fwkit: %s: cannot open the log for appending\n", o->log_path);
		return EXIT_SYSTEM;
	}
	c->progress.last = now_s();
	struct fwkit_flash_callbacks cb = { on_progress, on_cancel, o->log_path ? on_log : NULL, 5, &c->progress };
	interrupted = 0;
	c->old_sigint = signal(SIGINT, on_sigint);
	c->sigint_set = true;
	if (fwkit_flash_open(c->ctx, o->programmer, o->chip, &cb, &c->flash) != FWKIT_OK)
		return exit_for_flash(c->ctx);
	return EXIT_OK_;
}

static void chip_close(struct chip *c)
{
	fwkit_flash_close(c->flash);
	if (c->sigint_set)
		signal(SIGINT, c->old_sigint);
	if (c->progress.log)
		fclose(c->progress.log);
	fwkit_ctx_free(c->ctx);
	free(c->pr.extra);
}

static void describe_chip(struct emitter *e, const struct fwkit_flash_chip *info)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s %s (%llu bytes = %llu MiB, %s)", info->vendor, info->name,
		 (unsigned long long)info->size, (unsigned long long)(info->size >> 20), info->bus);
	emit_string(e, NULL, "Chip", buf);
	emit_begin(e, "chip");
	emit_string(e, "vendor", NULL, info->vendor);
	emit_string(e, "name", NULL, info->name);
	emit_uint(e, "size", NULL, info->size, NULL);
	emit_string(e, "bus", NULL, info->bus);
	emit_end(e);
}

/* The chip and the device agree on the flash size. */
static int check_chip_size(const struct fwkit_flash_chip *info, uint64_t want, const char *whose)
{
	if (info->size == want)
		return EXIT_OK_;
	fprintf(stderr, "fwkit: chip %s: %llu bytes, but %s has %llu: another chip, or another device's image\n",
		info->name, (unsigned long long)info->size, whose, (unsigned long long)want);
	return EXIT_PROBLEM;
}

/* ---- probe -------------------------------------------------------------------------------- */

static int run_probe(int argc, char **argv, const struct cli_command *self)
{
	struct flash_opts o = { 0 };
	struct cli_option opts[] = { FLASH_OPTS(o), OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 0, "", &early))
		return early;
	struct chip c;
	int code = chip_open(&c, self, &o, common.json);
	if (code) {
		chip_close(&c);
		return code;
	}
	const struct fwkit_flash_chip *info = fwkit_flash_chip_info(c.flash);
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "flash probe");
	emit_string(e, "programmer", "Programmer", o.programmer);
	describe_chip(e, info);
	/* libflashrom does not expose the chip's erasers: fwkit writes in the device's erase blocks, and
	 * flashrom erases the smallest unit inside them that needs it */
	emit_string(e, NULL, "Erase", "fwkit writes in the device profile's erase blocks (64 KiB); inside each, flashrom "
				      "picks the chip's erase commands (libflashrom does not list them) and erases only what differs");
	emit_uint(e, "write_block", NULL, 0x10000, NULL);
	char buf[200];
	for (size_t i = 0; i < fwkit_profiles_builtin_count(); i++) {
		const struct fwkit_profile *p = fwkit_profiles_builtin_get(i);
		if (p->flash_size == info->size && !p->nand) {
			snprintf(buf, sizeof(buf), "%s (%s)", p->id, p->name);
			emit_string(e, NULL, "Fits", buf);
		}
	}
	chip_close(&c);
	code = emitter_finish(e) ? EXIT_OK_ : EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

/* ---- read --------------------------------------------------------------------------------- */

struct reads {
	uint8_t *buf[MAX_READS];
	size_t n, len;
	uint8_t *result; /* the read to keep: buf[0], or the majority */
	uint8_t *majority;
};

static void reads_free(struct reads *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->buf[i]);
	free(r->majority);
	memset(r, 0, sizeof(*r));
}

/* N whole-chip reads, compared (fwkit_compare_reads, as `fwkit compare`). */
static int read_chip(struct chip *c, size_t n, bool majority, struct reads *r, struct emitter *e)
{
	const struct fwkit_flash_chip *info = fwkit_flash_chip_info(c->flash);
	r->len = (size_t)info->size;
	for (r->n = 0; r->n < n; r->n++) {
		if (!(r->buf[r->n] = malloc(r->len)))
			return EXIT_SYSTEM;
		if (fwkit_flash_read(c->ctx, c->flash, 0, r->len, r->buf[r->n], r->len) != FWKIT_OK) {
			r->n++;
			return exit_for_flash(c->ctx);
		}
	}
	if (majority && !(r->majority = malloc(r->len)))
		return EXIT_SYSTEM;
	struct fwkit_compare_result cmp;
	if (fwkit_compare_reads(c->ctx, (const uint8_t *const *)r->buf, n, r->len, r->majority, &cmp) != FWKIT_OK)
		return cli_report_error(c->ctx);
	char buf[200];
	snprintf(buf, sizeof(buf), "%zu reads, %llu unstable bytes in %zu ranges%s", n, (unsigned long long)cmp.unstable,
		 cmp.ranges.count, cmp.unstable ? "" : ": the reads agree");
	emit_string(e, NULL, "Reads", buf);
	emit_uint(e, "reads", NULL, n, NULL);
	emit_uint(e, "unstable_bytes", NULL, cmp.unstable, NULL);
	emit_begin_list(e, "differ", NULL);
	for (size_t i = 0; i < cmp.ranges.count; i++) {
		const struct fwkit_byte_range *rg = &cmp.ranges.items[i];
		if (i < 20) {
			snprintf(buf, sizeof(buf), "differ:       0x%08llx..0x%08llx (%llu bytes)", (unsigned long long)rg->offset,
				 (unsigned long long)(rg->offset + rg->length - 1), (unsigned long long)rg->length);
			emit_line(e, buf);
		}
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, rg->offset, NULL);
		emit_uint(e, "length", NULL, rg->length, NULL);
		emit_end(e);
	}
	emit_end_list(e);
	int code = EXIT_OK_;
	r->result = r->buf[0];
	const struct fwkit_finding *blank = NULL;
	for (size_t i = 0; i < cmp.findings.count && !blank; i++)
		if (cmp.findings.items[i].severity == FWKIT_SEV_ERROR)
			blank = &cmp.findings.items[i];
	if (blank) {
		/* reads that agree on nothing but 0xFF/0x00 are no backup (a clip without contact) */
		cli_report_finding("chip", blank);
		fprintf(stderr, "fwkit: chip: nothing written; reseat the clip (pin 1, power) and read again\n");
		code = EXIT_PROBLEM;
	} else if (cmp.unstable && !majority) {
		fprintf(stderr, "fwkit: chip: offset 0x%llx: the reads differ (%llu unstable bytes): not a trustworthy read, "
				"nothing written; reseat the clip and read again (or --reads 3 --majority)\n",
			(unsigned long long)cmp.first_unstable, (unsigned long long)cmp.unstable);
		code = EXIT_PROBLEM;
	} else if (cmp.unstable && cmp.no_majority) {
		fprintf(stderr, "fwkit: chip: offset 0x%llx: %llu bytes have no majority: nothing written; read again\n",
			(unsigned long long)cmp.first_no_majority, (unsigned long long)cmp.no_majority);
		code = EXIT_PROBLEM;
	} else if (cmp.unstable) {
		r->result = r->majority;
		emit_string(e, NULL, "Kept", "the byte-wise majority of the reads");
	}
	fwkit_compare_result_free(&cmp);
	return code;
}

/* What the read is: identify's kind and device, inspect's verdict. */
static void describe_dump(struct chip *c, struct emitter *e, const uint8_t *buf, size_t len, const char *path,
			  const struct fwkit_profile *forced)
{
	struct fwkit_node *in = NULL;
	if (fwkit_inspect(c->ctx, buf, len, forced, c->pr.extra, c->pr.nextra, &in) != FWKIT_OK)
		return;
	/* the library's tree: its counts and device as typed fields (docs/json.md) */
	char line[300];
	const struct fwkit_field *dev = fwkit_node_get(in, "device");
	const struct fwkit_field *ef = fwkit_node_get(in, "errors"), *wf = fwkit_node_get(in, "warnings");
	uint64_t errors = ef ? ef->u : 0, warnings = wf ? wf->u : 0;
	snprintf(line, sizeof(line), "%s", dev ? dev->text : "not identified (give --device ID)");
	emit_string(e, "device", "Device", line);
	snprintf(line, sizeof(line), "%llu error%s, %llu warning%s (details: fwkit inspect %s)", (unsigned long long)errors,
		 errors == 1 ? "" : "s", (unsigned long long)warnings, warnings == 1 ? "" : "s", path);
	emit_string(e, NULL, "Inspect", line);
	emit_uint(e, "inspect_errors", NULL, errors, NULL);
	fwkit_node_free(in);
}

static int run_read(int argc, char **argv, const struct cli_command *self)
{
	struct flash_opts o = { .reads = 2 };
	const char *out = NULL;
	bool majority = false;
	struct cli_option opts[] = {
		FLASH_OPTS(o),
		{ 0, "reads", OPT_UINT, "N", "read the chip N times and compare (default 2)", &o.reads, NULL },
		{ 0, "majority", OPT_FLAG, NULL, "with N >= 3, keep the byte-wise majority where reads differ", &majority, NULL },
		{ 'o', NULL, OPT_STRING, "DUMP", "write the read here", &out, NULL },
		OPT_FOLLOW(o.follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 0, "", &early))
		return early;
	if (!out)
		return USAGE(self, "give the output with -o DUMP");
	if (o.reads < 2 || o.reads > MAX_READS || (majority && o.reads < 3))
		return USAGE(self, "--reads N: 2 to %d, and at least 3 with --majority", MAX_READS);
	struct chip c;
	int code = chip_open(&c, self, &o, common.json);
	const struct fwkit_profile *forced = NULL;
	if (!code && o.device && !(forced = fwkit_profile_find(o.device, c.pr.extra, c.pr.nextra))) {
		fprintf(stderr, "fwkit: unknown device '%s' (see 'fwkit profile list')\n", o.device);
		code = EXIT_USAGE;
	}
	if (!code && forced)
		code = check_chip_size(fwkit_flash_chip_info(c.flash), forced->flash_size, forced->id);
	if (code) {
		chip_close(&c);
		return code;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "flash read");
	describe_chip(e, fwkit_flash_chip_info(c.flash));
	struct reads r = { 0 };
	code = read_chip(&c, (size_t)o.reads, majority, &r, e);
	if (!code)
		code = cli_write_file(c.ctx, out, r.result, r.len, o.follow);
	if (!code) {
		char line[600];
		snprintf(line, sizeof(line), "%s (%zu bytes)", out, r.len);
		emit_string(e, "output", "Output", line);
		describe_dump(&c, e, r.result, r.len, out, forced);
	}
	reads_free(&r);
	chip_close(&c);
	if (!emitter_finish(e) && !code)
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

/* ---- write -------------------------------------------------------------------------------- */

static const char *part_name(const struct fwkit_profile *p, uint64_t off)
{
	const struct fwkit_partition *part = fwkit_profile_partition_at(p, off);
	return part ? part->name : "?";
}

static void emit_blocks(struct emitter *e, const struct fwkit_flash_plan *plan, const struct fwkit_profile *p)
{
	char line[200];
	emit_begin_list(e, "blocks", NULL);
	for (size_t i = 0; i < plan->count; i++) {
		const struct fwkit_flash_block *b = &plan->blocks[i];
		snprintf(line, sizeof(line), "Block:        0x%06llx..0x%06llx %-12s %s%s", (unsigned long long)b->offset,
			 (unsigned long long)(b->offset + b->length - 1), part_name(p, b->offset),
			 fwkit_flash_block_state_name(b->state), b->bootloader ? " (bootloader, written last)" : "");
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, b->offset, NULL);
		emit_uint(e, "length", NULL, b->length, NULL);
		emit_string(e, "partition", NULL, part_name(p, b->offset));
		emit_string(e, "state", NULL, fwkit_flash_block_state_name(b->state));
		emit_bool(e, "bootloader", NULL, b->bootloader, NULL);
		emit_end(e);
	}
	emit_end_list(e);
}

static uint64_t bootloader_end(const struct fwkit_profile *p)
{
	uint64_t end = 0;
	for (size_t i = 0; i < p->nparts && p->parts[i].content == FWKIT_PART_BOOTLOADER && p->parts[i].offset == end; i++)
		end = (uint64_t)p->parts[i].offset + p->parts[i].size;
	return end;
}

/* After a stop: which blocks hold what, so the user knows what the chip holds now. */
static void report_stop(const struct fwkit_flash_plan *plan)
{
	size_t n[4] = { 0 };
	for (size_t i = 0; i < plan->count; i++)
		n[plan->blocks[i].state]++;
	fprintf(stderr, "fwkit: stopped: %zu block%s new (verified), %zu old (untouched), %zu interrupted, %zu bad\n",
		n[FWKIT_BLOCK_NEW], n[FWKIT_BLOCK_NEW] == 1 ? "" : "s", n[FWKIT_BLOCK_OLD], n[FWKIT_BLOCK_WRITING],
		n[FWKIT_BLOCK_BAD]);
	if (n[FWKIT_BLOCK_WRITING] + n[FWKIT_BLOCK_BAD])
		fprintf(stderr, "fwkit: interrupted and bad blocks hold neither image: do not power the device off the "
				"programmer; find the cause (write protection, the clip) and write NEW again\n");
	else
		fprintf(stderr, "fwkit: run the same command again to finish: blocks that hold NEW already are skipped\n");
	for (size_t i = 0; i < plan->count; i++)
		if (plan->blocks[i].state != FWKIT_BLOCK_OLD)
			fprintf(stderr, "fwkit:   0x%06llx..0x%06llx %s\n", (unsigned long long)plan->blocks[i].offset,
				(unsigned long long)(plan->blocks[i].offset + plan->blocks[i].length - 1),
				fwkit_flash_block_state_name(plan->blocks[i].state));
}

/*
 * The shared end of write, env set and mac set: NEW differs from OLD (the chip's content) in the
 * planned blocks; confirm, write, verify, and report. FULL: verify the whole chip after.
 */
static int write_changes(struct chip *c, struct emitter *e, const struct fwkit_profile *p, const uint8_t *old,
			 const uint8_t *new_image, size_t len, bool full, bool dry_run)
{
	struct fwkit_flash_plan plan;
	if (fwkit_flash_plan(c->ctx, old, new_image, len, p->erase_size, bootloader_end(p), &plan) != FWKIT_OK)
		return cli_report_error(c->ctx);
	char line[300];
	snprintf(line, sizeof(line), "%zu erase block%s of %llu KiB differ (%llu of %zu bytes, %.2f %% of the chip)",
		 plan.count, plan.count == 1 ? "" : "s", (unsigned long long)(p->erase_size >> 10),
		 (unsigned long long)plan.bytes, len, len ? 100.0 * (double)plan.bytes / (double)len : 0);
	emit_string(e, NULL, "Plan", line);
	emit_uint(e, "changed_bytes", NULL, plan.bytes, NULL);
	emit_uint(e, "changed_blocks", NULL, plan.count, NULL);
	emit_bool(e, "bootloader_changes", NULL, plan.bootloader_blocks > 0, NULL);
	if (plan.bootloader_blocks) {
		snprintf(line, sizeof(line), "changes (%zu block%s): written last, after every other block is verified",
			 plan.bootloader_blocks, plan.bootloader_blocks == 1 ? "" : "s");
		emit_string(e, NULL, "Bootloader", line);
	}
	enum fwkit_status st = FWKIT_OK;
	int code = EXIT_OK_;
	if (dry_run) {
		/* read only: the chip holds the backup where the write would go */
		for (size_t i = 0; i < plan.count && st == FWKIT_OK; i++)
			st = fwkit_flash_verify(c->ctx, c->flash, old, len, plan.blocks[i].offset, plan.blocks[i].length, NULL);
		emit_string(e, NULL, "Dry Run", st == FWKIT_OK ? "the chip holds the backup in those blocks; nothing written"
							       : "the chip does not hold the backup; nothing written");
	} else if (plan.count) {
		st = fwkit_flash_write(c->ctx, c->flash, old, new_image, len, &plan);
		if (st == FWKIT_OK && full)
			st = fwkit_flash_verify(c->ctx, c->flash, new_image, len, 0, len, NULL);
	}
	emit_blocks(e, &plan, p);
	if (st != FWKIT_OK) {
		code = exit_for_flash(c->ctx);
		bool touched = false;
		for (size_t i = 0; i < plan.count; i++)
			touched |= plan.blocks[i].state != FWKIT_BLOCK_OLD;
		if (touched)
			report_stop(&plan);
		else if (!dry_run)
			fprintf(stderr, "fwkit: nothing was written to the chip\n");
	} else if (!dry_run) {
		snprintf(line, sizeof(line), "%zu block%s written and read back equal%s", plan.count,
			 plan.count == 1 ? "" : "s", full ? "; the whole chip verified" : "");
		emit_string(e, NULL, "Result", plan.count ? line : "the chip already holds the image: nothing written");
	}
	emit_bool(e, "written", NULL, st == FWKIT_OK && !dry_run && plan.count, NULL);
	fwkit_flash_plan_free(&plan);
	return code;
}

static int run_write(int argc, char **argv, const struct cli_command *self)
{
	struct flash_opts o = { 0 };
	const char *backup = NULL;
	bool full = false;
	struct cli_option opts[] = {
		FLASH_OPTS(o),
		{ 0, "backup", OPT_STRING, "OLD", "the chip's own read (what it holds now)", &backup, NULL },
		{ 0, "full", OPT_FLAG, NULL, "verify the whole chip after writing", &full, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "confirm the chip holds OLD where NEW differs; write nothing", &o.dry_run, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "NEW", &early))
		return early;
	if (!backup)
		return USAGE(self, "give the chip's own read with --backup OLD");
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *nf = NULL, *of = NULL;
	struct profiles pr = { 0 };
	int code = cli_load_profiles(o.pfile, &pr);
	if (!code && (fwkit_file_open(ctx, pos[0], &nf) != FWKIT_OK || fwkit_file_open(ctx, backup, &of) != FWKIT_OK))
		code = cli_report_error(ctx);
	const struct fwkit_profile *p = NULL;
	if (!code && !(p = flash_device_of(ctx, &pr, o.device, fwkit_file_data(of), fwkit_file_size(of), backup)))
		code = EXIT_USAGE;
	size_t len = nf ? fwkit_file_size(nf) : 0;
	if (!code)
		code = flash_check_image(ctx, pos[0], fwkit_file_data(nf), len, fwkit_file_data(of), fwkit_file_size(of), p, 0);
	struct chip c = { 0 };
	if (!code)
		code = chip_open(&c, self, &o, common.json);
	if (!code)
		code = check_chip_size(fwkit_flash_chip_info(c.flash), len, pos[0]);
	if (code) {
		chip_close(&c);
		fwkit_file_close(nf);
		fwkit_file_close(of);
		fwkit_ctx_free(ctx);
		free(pr.extra);
		return code;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "flash write");
	describe_chip(e, fwkit_flash_chip_info(c.flash));
	char line[700];
	snprintf(line, sizeof(line), "%s for %s: a whole flash dump, no error inspect did not find in %s", pos[0], p->id, backup);
	emit_string(e, NULL, "Check", line);
	emit_string(e, "device", NULL, p->id);
	code = write_changes(&c, e, p, fwkit_file_data(of), fwkit_file_data(nf), len, full, o.dry_run);
	chip_close(&c);
	fwkit_file_close(nf);
	fwkit_file_close(of);
	fwkit_ctx_free(ctx);
	free(pr.extra);
	if (!emitter_finish(e) && !code)
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

/* ---- env set, mac set: read, back up, edit, write what changed ---------------------------- */

#define FLASH_EDIT_OPTS(o, backup_to)                                                                             \
	{ 0, "backup-to", OPT_STRING, "FILE", "save the chip's read here first", &(backup_to), NULL },             \
	{ 0, "reads", OPT_UINT, "N", "read the chip N times and compare (default 2)", &(o).reads, NULL },         \
	{ 0, "dry-run", OPT_FLAG, NULL, "read, back up and plan; write nothing to the chip", &(o).dry_run, NULL }, \
	OPT_FOLLOW((o).follow)

static int edit_on_chip(const struct cli_command *self, const struct flash_opts *o, const char *backup_to, bool json,
			const char *name, struct fwkit_build_params *bp)
{
	if (!backup_to)
		return USAGE(self, "give --backup-to FILE: the chip's read is saved there before anything is written");
	if (o->reads < 2 || o->reads > MAX_READS)
		return USAGE(self, "--reads N: 2 to %d", MAX_READS);
	struct chip c;
	int code = chip_open(&c, self, o, json);
	if (code) {
		chip_close(&c);
		return code;
	}
	struct emitter *e = emitter_new(json, stdout);
	emit_string(e, "command", NULL, name);
	describe_chip(e, fwkit_flash_chip_info(c.flash));
	struct reads r = { 0 };
	uint8_t *edited = NULL;
	const struct fwkit_profile *p = NULL;
	code = read_chip(&c, (size_t)o->reads, false, &r, e);
	if (!code)
		code = cli_write_file(c.ctx, backup_to, r.result, r.len, o->follow);
	if (!code) {
		emit_string(e, "backup", "Backup", backup_to);
		if (!(p = flash_device_of(c.ctx, &c.pr, o->device, r.result, r.len, "chip")))
			code = EXIT_USAGE;
	}
	if (!code)
		code = check_chip_size(fwkit_flash_chip_info(c.flash), p->flash_size, p->id);
	struct fwkit_build_report rep;
	if (!code && !(edited = malloc(r.len)))
		code = EXIT_SYSTEM;
	if (!code) {
		bp->profile = p;
		if (fwkit_build(c.ctx, r.result, r.len, bp, edited, &rep) != FWKIT_OK)
			code = exit_for_flash(c.ctx);
	}
	if (!code)
		code = flash_check_image(c.ctx, "the edited image", edited, r.len, r.result, r.len, p,
					  bp->label_mac ? 1u << FWKIT_PART_FACTORY : 0);
	if (!code) {
		emit_string(e, "device", "Device", p->id);
		if (rep.mac_clone)
			fprintf(stderr, "fwkit: warning: the new MACs include a known public clone: is this really your label?\n");
		code = write_changes(&c, e, p, r.result, edited, r.len, false, o->dry_run);
	}
	free(edited);
	reads_free(&r);
	chip_close(&c);
	if (!emitter_finish(e) && !code)
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_env(int argc, char **argv, const struct cli_command *self)
{
	struct flash_opts o = { .reads = 2 };
	const char *backup_to = NULL;
	struct cli_option opts[] = {
		FLASH_OPTS(o),
		FLASH_EDIT_OPTS(o, backup_to),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[33];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 33);
	if (common.help)
		return EXIT_OK_;
	if (n < 0)
		return EXIT_USAGE;
	if (n < 2 || strcmp(pos[0], "set") != 0)
		return USAGE(self, "expected: flash env set NAME=VALUE ...");
	struct fwkit_env_edit edits[32];
	for (int i = 1; i < n; i++) {
		char *eq = strchr(pos[i], '=');
		if (!eq)
			return USAGE(self, "'%s' is not NAME=VALUE", pos[i]);
		*eq = 0;
		edits[i - 1] = (struct fwkit_env_edit){ pos[i], eq + 1 };
		if (fwkit_env_check_var(NULL, pos[i], strlen(pos[i]), eq + 1, strlen(eq + 1)) != FWKIT_OK)
			return USAGE(self, "invalid env variable '%s'", pos[i]);
	}
	struct fwkit_build_params bp = { .env = edits, .nenv = (size_t)(n - 1) };
	return edit_on_chip(self, &o, backup_to, common.json, "flash env set", &bp);
}

static int run_mac(int argc, char **argv, const struct cli_command *self)
{
	struct flash_opts o = { .reads = 2 };
	const char *backup_to = NULL, *label = NULL;
	struct cli_option opts[] = {
		FLASH_OPTS(o),
		{ 0, "label", OPT_STRING, "MAC", "the MAC on the device's label: every MAC set by the device's rules", &label, NULL },
		FLASH_EDIT_OPTS(o, backup_to),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "set", &early))
		return early;
	uint8_t mac[6];
	if (strcmp(pos[0], "set") != 0 || !label)
		return USAGE(self, "expected: flash mac set --label MAC");
	if (!fwkit_mac_parse(label, mac))
		return USAGE(self, "'%s' is not a MAC address (AA:BB:CC:DD:EE:FF)", label);
	struct fwkit_build_params bp = { .label_mac = mac };
	return edit_on_chip(self, &o, backup_to, common.json, "flash mac set", &bp);
}

#define FLASH_SYN "-p PROGRAMMER [-c CHIP] [--device ID] [--profiles FILE] [--log FILE]"

const struct cli_command cmd_flash_probe = {
	.name = "flash probe",
	.synopsis = "flash probe " FLASH_SYN " [--json]",
	.summary = "the chip on the programmer: name, size, erase blocks, the devices it fits",
	.run = run_probe,
};
const struct cli_command cmd_flash_read = {
	.name = "flash read",
	.synopsis = "flash read " FLASH_SYN " [--reads N] [--majority] -o DUMP [--follow] [--json]",
	.summary = "read the chip N times (2), refuse reads that differ, then identify and inspect the dump",
	.run = run_read,
};
const struct cli_command cmd_flash_write = {
	.name = "flash write",
	.synopsis = "flash write " FLASH_SYN " NEW --backup OLD [--full] [--dry-run] [--json]",
	.summary = "write only the erase blocks where NEW differs from OLD, after confirming the chip holds OLD",
	.run = run_write,
};
const struct cli_command cmd_flash_env = {
	.name = "flash env",
	.synopsis = "flash env set " FLASH_SYN " --backup-to FILE [--reads N] [--dry-run] [--follow] NAME=VALUE... [--json]",
	.summary = "set U-Boot env variables on the chip: read twice, back up, edit, write the changed block",
	.run = run_env,
};
const struct cli_command cmd_flash_mac = {
	.name = "flash mac",
	.synopsis = "flash mac set " FLASH_SYN " --label MAC --backup-to FILE [--reads N] [--dry-run] [--follow] [--json]",
	.summary = "set the MACs on the chip from the label MAC: read twice, back up, edit, write the changed block",
	.run = run_mac,
};
