/*
 * fwkit profile list | show, inspect, mac list | set, layout, compare: whole flash dumps and the
 * device profiles that explain them.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/emit.h"

static const struct fwkit_profile *pick_device(const char *id, const struct profiles *pr)
{
	const struct fwkit_profile *p = fwkit_profile_find(id, pr->extra, pr->nextra);
	if (!p) {
		fprintf(stderr, "fwkit: unknown device '%s' (see 'fwkit profile list')\n", id);
	}
	return p;
}

static int run_profile_list(int argc, char **argv, const struct cli_command *self)
{
	const char *pfile = NULL;
	struct cli_option opts[] = {
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 0);
	if (common.help)
		return EXIT_OK_;
	if (n < 0)
		return EXIT_USAGE;
	struct profiles pr;
	int code = cli_load_profiles(pfile, &pr);
	if (code)
		return code;
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "profile list");
	emit_begin_list(e, "profiles", NULL);
	size_t total = fwkit_profiles_builtin_count() + pr.nextra;
	for (size_t i = 0; i < total; i++) {
		const struct fwkit_profile *p = i < pr.nextra ? &pr.extra[i] : fwkit_profiles_builtin_get(i - pr.nextra);
		char line[200];
		snprintf(line, sizeof(line), "%-30s %3u MiB %-5s %s%s", p->id, p->flash_size >> 20, p->nand ? "NAND" : "NOR",
			 p->name, i < pr.nextra ? " (user)" : "");
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_string(e, "id", NULL, p->id);
		emit_string(e, "name", NULL, p->name);
		emit_uint(e, "flash_size", NULL, p->flash_size, NULL);
		emit_bool(e, "user", NULL, i < pr.nextra, NULL);
		emit_end(e);
	}
	emit_end_list(e);
	free(pr.extra);
	code = emitter_finish(e) ? EXIT_OK_ : EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_profile_show(int argc, char **argv, const struct cli_command *self)
{
	const char *pfile = NULL;
	struct cli_option opts[] = {
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "ID", &early))
		return early;
	struct profiles pr;
	int code = cli_load_profiles(pfile, &pr);
	if (code)
		return code;
	const struct fwkit_profile *p = pick_device(pos[0], &pr);
	char *text = NULL;
	if (!p) {
		code = EXIT_USAGE;
	} else if (fwkit_profile_to_json(NULL, p, &text) != FWKIT_OK) {
		code = EXIT_SYSTEM;
	} else {
		/* the profile format is JSON already: the same text with and without --json */
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	free(text);
	free(pr.extra);
	return code;
}

struct dump {
	struct fwkit_ctx *ctx;
	struct fwkit_file *file;
	struct profiles pr;
	int no_device_exit; /* device_for found none: why, as an exit code (usage, or a refused input) */
};

static int open_dump(struct dump *d, const char *path, const char *pfile)
{
	memset(d, 0, sizeof(*d));
	int code = cli_load_profiles(pfile, &d->pr);
	if (code)
		return code;
	d->ctx = fwkit_ctx_new();
	if (fwkit_file_open(d->ctx, path, &d->file) != FWKIT_OK)
		return cli_report_error(d->ctx);
	return EXIT_OK_;
}

static void close_dump(struct dump *d)
{
	fwkit_file_close(d->file);
	fwkit_ctx_free(d->ctx);
	free(d->pr.extra);
}

/* ---- inspect: the text rendered from the library's tree ------------------------------------ */

/* A string or enum field of N, or "". */
static const char *id_text(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = n ? fwkit_node_get(n, name) : NULL;
	return f && (f->kind == FWKIT_VALUE_STRING || f->kind == FWKIT_VALUE_ENUM) ? f->text : "";
}

static uint64_t id_uint(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = n ? fwkit_node_get(n, name) : NULL;
	return f ? f->u : 0;
}

static int64_t id_int(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = n ? fwkit_node_get(n, name) : NULL;
	return f ? f->i : 0;
}

static const struct fwkit_node *child_of(const struct fwkit_node *n, const char *format, size_t nth)
{
	for (size_t i = 0; n && i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *c = fwkit_node_child(n, i);
		if (strcmp(fwkit_node_format(c), format) == 0 && nth-- == 0)
			return c;
	}
	return NULL;
}

/* The findings of N, one line each, and the first error of the whole tree. */
static void print_findings(const struct fwkit_node *n, const struct fwkit_finding **first_error)
{
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++) {
		const struct fwkit_finding *it = fwkit_node_finding(n, i);
		if (it->severity == FWKIT_SEV_ERROR && !*first_error)
			*first_error = it;
		char tail[160] = "";
		if (it->expected[0] && it->found[0])
			snprintf(tail, sizeof(tail), " (expected %s, found %s)", it->expected, it->found);
		else if (it->expected[0])
			snprintf(tail, sizeof(tail), " (expected %s)", it->expected);
		else if (it->found[0])
			snprintf(tail, sizeof(tail), " (found %s)", it->found);
		printf("      %s: 0x%llx: %s%s\n", fwkit_severity_name(it->severity), (unsigned long long)it->offset, it->message,
		       tail);
	}
}

/* Every finding below N (the partition's own and its formats'). */
static void print_findings_below(const struct fwkit_node *n, const struct fwkit_finding **first_error)
{
	print_findings(n, first_error);
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		print_findings_below(fwkit_node_child(n, i), first_error);
}

/*
 * inspect reads whole flash dumps. When identify says FILE is a firmware image or one partition,
 * inspect says so, for which device, and which command checks such a file, instead of judging it
 * as a dump that is too small.
 */
static void print_not_a_dump(const char *path, const struct fwkit_node *id)
{
	enum fwkit_file_kind kind = (enum fwkit_file_kind)id_uint(id, "kind");
	char buf[600], next[400];
	const char *device = id_text(id, "device");
	printf("%-13s %s\n", "File:", path);
	if (kind == FWKIT_KIND_FIRMWARE_IMAGE) {
		snprintf(buf, sizeof(buf), "a firmware image (%s), not a flash dump", id_text(id, "image"));
		if (!strcmp(id_text(id, "image"), "poray"))
			snprintf(next, sizeof(next), "fwkit poray show %s (board, key, checksum); fwkit poray decode %s -o kernel.bin", path, path);
		else
			snprintf(next, sizeof(next), "fwkit uimage verify %s (every CRC, and that the kernel decompresses); fwkit scan %s", path, path);
	} else {
		const char *part = id_text(id, "partition");
		snprintf(buf, sizeof(buf), "one partition read alone (%s), not a whole flash dump", part);
		if (!strcmp(part, "factory"))
			snprintf(next, sizeof(next), "fwkit mac list %s --device ID (the MACs), fwkit scan %s", path, path);
		else if (!strcmp(part, "u-boot-env") || !strcmp(part, "bdata"))
			snprintf(next, sizeof(next), "fwkit env list %s", path);
		else
			snprintf(next, sizeof(next), "fwkit scan %s", path);
	}
	printf("%-13s %s\n", "Kind:", buf);
	const char *model = id_text(id, "board_model");
	if (device[0] && model[0])
		printf("%-13s %s (its own device tree: model \"%s\", compatible \"%s\")\n", "Device:", device, model,
		       id_text(id, "board_compatible"));
	else if (device[0])
		printf("%-13s %s\n", "Device:", device);
	else if (model[0])
		printf("%-13s no profile; its own device tree says model \"%s\", compatible \"%s\"\n", "Device:", model,
		       id_text(id, "board_compatible"));
	printf("%-13s %s\n", "Next:", next);
}

static void print_candidates(const struct fwkit_node *idn)
{
	printf("Candidates:\n");
	for (size_t i = 0, shown = 0; shown < 6 && i < fwkit_node_child_count(idn); i++) {
		const struct fwkit_node *c = fwkit_node_child(idn, i);
		if (strcmp(fwkit_node_format(c), "candidate") != 0)
			continue;
		bool same = fwkit_node_get(c, "same_layout_as_best")->u;
		printf("   %-30s score %3lld%s\n", id_text(c, "device"), (long long)id_int(c, "score"),
		       same && shown > 0 ? "  same flash layout as the first: the dump alone cannot tell them apart" : "");
		for (size_t k = 0; shown == 0 && k < fwkit_node_child_count(c); k++) {
			const struct fwkit_node *e = fwkit_node_child(c, k);
			printf("      %+lld %s\n", (long long)id_int(e, "weight"), id_text(e, "text"));
		}
		shown++;
	}
	/* ties, and sources that name different devices, said as such */
	if (fwkit_node_get(idn, "near_tie") && fwkit_node_get(idn, "near_tie")->u) {
		const struct fwkit_node *a = child_of(idn, "candidate", 0), *b = child_of(idn, "candidate", 1);
		printf("   %s: %s or %s (scores %lld and %lld)%s\n", fwkit_node_get(idn, "tie")->u ? "tie" : "near tie",
		       id_text(a, "device"), id_text(b, "device"), (long long)id_int(a, "score"), (long long)id_int(b, "score"),
		       fwkit_node_get(b, "same_layout_as_best")->u ? ": same layout" : "");
	}
	for (size_t i = 0; fwkit_node_get(idn, "claims_disagree")->u && i < fwkit_node_child_count(idn); i++) {
		const struct fwkit_node *c = fwkit_node_child(idn, i);
		if (strcmp(fwkit_node_format(c), "claim") == 0)
			printf("   %s says %s%s%s%s\n", id_text(c, "kind"), id_text(c, "value"), id_text(c, "device")[0] ? " (" : "",
			       id_text(c, "device"), id_text(c, "device")[0] ? ")" : "");
	}
}

static void bootloader_text(const struct fwkit_node *pn, char *holds, size_t hcap, char *detail, size_t dcap)
{
	const struct fwkit_node *v = child_of(pn, "u-boot", 0), *b = child_of(pn, "breed", 0), *u = child_of(pn, "uimage", 0);
	if (v)
		snprintf(holds, hcap, "%s", id_text(v, "version"));
	else if (b)
		snprintf(holds, hcap, "Breed %s", id_text(b, "version"));
	else
		snprintf(holds, hcap, "bootloader (no version string found)");
	if (u)
		snprintf(detail, dcap, "uImage \"%s\", %llu bytes, header CRC %s, data CRC %s", id_text(u, "name"),
			 (unsigned long long)id_uint(u, "data_size"), id_uint(u, "header_crc_ok") ? "ok" : "BAD",
			 id_uint(u, "data_crc_checked") ? (id_uint(u, "data_crc_ok") ? "ok" : "BAD") : "n/a");
	else
		snprintf(detail, dcap, "raw code (no uImage header)");
}

static const char *var_or_dash(const struct fwkit_node *n, const char *name)
{
	return fwkit_node_get(n, name) ? id_text(n, name) : "-";
}

static void env_text(const struct fwkit_node *pn, char *holds, size_t hcap, char *detail, size_t dcap)
{
	const struct fwkit_node *e = child_of(pn, "ubootenv", 0);
	bool bdata = id_uint(e, "bdata");
	const char *crc = !fwkit_node_get(e, "crc_ok") ? "no CRC" : id_uint(e, "crc_ok") ? "CRC ok" : "CRC BAD";
	if (!strcmp(id_text(e, "kind"), "breed")) {
		/* Breed's env: "ENV\0" then its variables, no CRC and no fixed size (formats.md 4.4) */
		snprintf(holds, hcap, "Breed env at 0x%llx", (unsigned long long)fwkit_node_offset(e));
		snprintf(detail, dcap, "%s, %llu variables, autoboot.command=%s", crc, (unsigned long long)id_uint(e, "variables"),
			 var_or_dash(e, "autoboot.command"));
		return;
	}
	snprintf(holds, hcap, "%s env (size 0x%llx%s)", bdata ? "Bdata" : id_text(e, "kind"),
		 (unsigned long long)id_uint(e, "env_size"), id_uint(e, "size_known") ? "" : ", guessed");
	snprintf(detail, dcap, "%s, %llu variables, %s=%s, uart_en=%s, boot_wait=%s", crc,
		 (unsigned long long)id_uint(e, "variables"), bdata ? "model" : "bootdelay",
		 var_or_dash(e, bdata ? "model" : "bootdelay"), var_or_dash(e, "uart_en"), var_or_dash(e, "boot_wait"));
}

static void factory_text(const struct fwkit_node *pn, const struct fwkit_node *macs, char *detail, size_t dcap)
{
	size_t o = 0;
	detail[0] = 0;
	for (size_t i = 0; i < fwkit_node_child_count(pn) && o < dcap; i++) {
		const struct fwkit_node *e = fwkit_node_child(pn, i);
		const char *chip = id_text(e, "chip");
		o += (size_t)snprintf(detail + o, dcap - o, "%s%s+0x%llx: %s EEPROM 0x%04llx", o ? "; " : "", id_text(pn, "name"),
				      (unsigned long long)id_uint(e, "partition_offset"), chip[0] ? chip : "unknown",
				      (unsigned long long)id_uint(e, "chip_id"));
	}
	for (size_t i = 0; i < fwkit_node_child_count(macs) && o < dcap; i++) {
		const struct fwkit_node *m = fwkit_node_child(macs, i);
		if (strcmp(id_text(m, "partition"), id_text(pn, "name")) == 0)
			o += (size_t)snprintf(detail + o, dcap - o, "%s%s %s", o ? "; " : "", id_text(m, "role"), id_text(m, "mac"));
	}
}

static void firmware_text(const struct fwkit_node *pn, char *detail, size_t dcap)
{
	const struct fwkit_node *k = child_of(pn, "uimage", 0), *sq = child_of(pn, "squashfs", 0);
	const struct fwkit_node *ov = child_of(pn, "jffs2-eof", 0);
	size_t o = (size_t)snprintf(detail, dcap, "kernel \"%s\" %llu bytes %s, CRCs %s", id_text(k, "name"),
				    (unsigned long long)id_uint(k, "data_size"), id_text(k, "compression"),
				    id_uint(k, "header_crc_ok") && id_uint(k, "data_crc_ok") ? "ok" : "BAD");
	if (!sq) {
		snprintf(detail + o, dcap - o, "; no squashfs rootfs found");
		return;
	}
	o += (size_t)snprintf(detail + o, dcap - o, "; squashfs 4.x at 0x%llx, %s, block %llu KiB, %llu bytes used",
			      (unsigned long long)fwkit_node_offset(sq), id_text(sq, "compression"),
			      (unsigned long long)(id_uint(sq, "block_size") >> 10), (unsigned long long)fwkit_node_size(sq));
	if (ov && o < dcap) {
		static const char *const STATES[] = { "marked for formatting (deadc0de)", "erased", "in use (JFFS2)", "in use (data)" };
		uint64_t st = id_uint(ov, "state");
		snprintf(detail + o, dcap - o, "; overlay 0x%llx..0x%llx (%llu KiB) %s", (unsigned long long)fwkit_node_offset(ov),
			 (unsigned long long)(fwkit_node_offset(ov) + fwkit_node_size(ov)),
			 (unsigned long long)(fwkit_node_size(ov) >> 10), st < 4 ? STATES[st] : "?");
	}
}

static void print_partition(const struct fwkit_node *pn, const struct fwkit_node *macs)
{
	char holds[128] = "", detail[512] = "";
	const char *h = id_text(pn, "holds");
	if (!strcmp(h, "bootloader"))
		bootloader_text(pn, holds, sizeof(holds), detail, sizeof(detail));
	else if (!strcmp(h, "env"))
		env_text(pn, holds, sizeof(holds), detail, sizeof(detail));
	else if (!strcmp(h, "eeprom")) {
		snprintf(holds, sizeof(holds), "Wi-Fi calibration (EEPROM) and MACs");
		factory_text(pn, macs, detail, sizeof(detail));
	} else if (!strcmp(h, "kernel") || !strcmp(h, "kernel+rootfs")) {
		snprintf(holds, sizeof(holds), "%s", !strcmp(h, "kernel") ? "uImage kernel" : "uImage kernel + squashfs");
		firmware_text(pn, detail, sizeof(detail));
	} else {
		static const struct {
			const char *holds, *text;
		} WORDS[] = { { "missing", "not in the dump" }, { "all-zero", "all 0x00" }, { "no-env", "no environment found" },
			      { "no-kernel", "no uImage at the start" }, { "factory-mode", "factory-mode flag (A5 5A 00 00)" },
			      { "not-checked", "not checked (out of memory)" } };
		snprintf(holds, sizeof(holds), "%s", h);
		for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
			if (!strcmp(h, WORDS[i].holds))
				snprintf(holds, sizeof(holds), "%s", WORDS[i].text);
	}
	printf("   0x%08llx 0x%08llx %-12s %s %s%s%s\n", (unsigned long long)fwkit_node_offset(pn),
	       (unsigned long long)fwkit_node_size(pn), id_text(pn, "name"), id_uint(pn, "read_only") ? "ro" : "rw", holds,
	       detail[0] ? ": " : "", detail);
}

static void print_inspection(const char *path, const struct fwkit_node *root, const struct fwkit_finding **first_error)
{
	printf("%-13s %s (%llu bytes)\n", "File:", path, (unsigned long long)fwkit_node_size(root));
	const struct fwkit_node *idn = child_of(root, "identification", 0), *dt = child_of(root, "devicetree", 0);
	const struct fwkit_node *dump = child_of(root, "dump", 0), *macs = child_of(root, "macs", 0);
	if (id_text(root, "device")[0])
		printf("%-13s %s (%s)%s\n", "Device:", id_text(root, "device_name"), id_text(root, "device"),
		       id_uint(root, "device_forced") ? ", given with --device" : "");
	else
		printf("%-13s %s\n", "Device:", "not identified (no profile matches; give --device ID or --profiles FILE)");
	if (dt) {
		printf("%-13s model \"%s\", compatible \"%s\" (from the kernel in the firmware partition)\n", "Device Tree:",
		       id_text(dt, "model"), id_text(dt, "compatible"));
		print_findings(dt, first_error);
	}
	print_findings(root, first_error);
	if (idn)
		print_candidates(idn);
	printf("%s\n", fwkit_node_finding_count(dump) ? "Dump:" : "Dump:         size and content look like a whole chip read");
	print_findings(dump, first_error);
	if (id_text(root, "device")[0])
		printf("Partitions:\n");
	for (size_t i = 0; i < fwkit_node_child_count(root); i++) {
		const struct fwkit_node *pn = fwkit_node_child(root, i);
		if (strcmp(fwkit_node_format(pn), "partition") != 0)
			continue;
		print_partition(pn, macs);
		print_findings_below(pn, first_error);
		/* a MAC's findings show under the partition that holds it */
		for (size_t k = 0; k < fwkit_node_child_count(macs); k++)
			if (!strcmp(id_text(fwkit_node_child(macs, k), "partition"), id_text(pn, "name")))
				print_findings(fwkit_node_child(macs, k), first_error);
	}
	printf("%-13s %llu error%s, %llu warning%s\n", "Verdict:", (unsigned long long)id_uint(root, "errors"),
	       id_uint(root, "errors") == 1 ? "" : "s", (unsigned long long)id_uint(root, "warnings"),
	       id_uint(root, "warnings") == 1 ? "" : "s");
}

/* The first error anywhere in the tree (named on stderr when the exit is 1). */
static const struct fwkit_finding *first_error_in(const struct fwkit_node *n)
{
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
		if (fwkit_node_finding(n, i)->severity == FWKIT_SEV_ERROR)
			return fwkit_node_finding(n, i);
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_finding *f = first_error_in(fwkit_node_child(n, i));
		if (f)
			return f;
	}
	return NULL;
}

static int run_inspect(int argc, char **argv, const struct cli_command *self)
{
	const char *device = NULL, *pfile = NULL;
	struct cli_option opts[] = {
		{ 0, "device", OPT_STRING, "ID", "use this device's profile instead of identifying it", &device, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "DUMP", &early))
		return early;
	struct dump d;
	int code = open_dump(&d, pos[0], pfile);
	if (code) {
		close_dump(&d);
		return code;
	}
	const struct fwkit_profile *forced = NULL;
	if (device && !(forced = pick_device(device, &d.pr))) {
		close_dump(&d);
		return EXIT_USAGE;
	}
	struct fwkit_node *root = NULL;
	if (fwkit_inspect(d.ctx, fwkit_file_data(d.file), fwkit_file_size(d.file), forced, d.pr.extra, d.pr.nextra, &root) !=
	    FWKIT_OK) {
		code = cli_report_error(d.ctx);
		close_dump(&d);
		return code;
	}
	enum fwkit_file_kind kind = (enum fwkit_file_kind)id_uint(root, "kind");
	const struct fwkit_node *id = child_of(root, "identify", 0);
	const struct fwkit_finding *first = first_error_in(root);
	if (common.json)
		code = cli_print_node_json(d.ctx, root);
	else if (id && (kind == FWKIT_KIND_FIRMWARE_IMAGE || kind == FWKIT_KIND_PARTITION))
		print_not_a_dump(pos[0], id);
	else
		print_inspection(pos[0], root, &first);
	if (!code && !id && first) {
		code = EXIT_PROBLEM;
		cli_report_summary(pos[0], first, (int)id_uint(root, "errors"));
	}
	fwkit_node_free(root);
	close_dump(&d);
	return code;
}

/* A file identify says is a firmware image, or a dump of the wrong size: says so (exit 1) and
 * returns true. */
static bool refuse_non_dump(struct dump *d, const char *path)
{
	struct fwkit_node *n = NULL;
	bool refused = false;
	if (fwkit_identify_file(d->ctx, fwkit_file_data(d->file), fwkit_file_size(d->file), d->pr.extra, d->pr.nextra, &n) !=
	    FWKIT_OK)
		return false;
	const struct fwkit_field *kind = fwkit_node_get(n, "kind"), *image = fwkit_node_get(n, "image");
	if (kind && kind->u == FWKIT_KIND_FIRMWARE_IMAGE) {
		fprintf(stderr, "fwkit: %s: offset 0x0: a firmware image, not a flash dump: its MACs and environment live in the "
				"flash, not in the image: expected a flash dump or a partition read from flash, found %s\n",
			path, image && image->text ? image->text : "a firmware image");
		refused = true;
	} else if (fwkit_node_finding_count(n)) {
		cli_report_finding(path, fwkit_node_finding(n, 0));
		refused = true;
	}
	fwkit_node_free(n);
	if (refused)
		d->no_device_exit = EXIT_PROBLEM;
	return refused;
}

/* The profile for a dump: --device, or the best candidate when it is clear. */
static const struct fwkit_profile *device_for(struct dump *d, const char *device, const char *path)
{
	if (device)
		return pick_device(device, &d->pr);
	/* about 60 KB: on the heap */
	struct fwkit_identification *id = calloc(1, sizeof(*id));
	const struct fwkit_profile *p = NULL;
	d->no_device_exit = EXIT_USAGE;
	if (!id || fwkit_identify(d->ctx, fwkit_file_data(d->file), fwkit_file_size(d->file), d->pr.extra, d->pr.nextra, id) !=
			   FWKIT_OK || !id->n) {
		/* what the file is first: an image or a grown dump is refused as such, not for want of --device */
		if (!refuse_non_dump(d, path))
			fprintf(stderr, "fwkit: %s: cannot tell which device this is; give --device ID (see 'fwkit profile list')\n",
				path);
	}
	else if (id->n > 1 && id->c[1].score == id->c[0].score && !id->c[1].same_layout_as_best)
		fprintf(stderr, "fwkit: %s: %s and %s match equally; give --device ID\n", path, id->c[0].profile->id,
			id->c[1].profile->id);
	else
		p = id->c[0].profile;
	free(id);
	return p;
}

static void problems_text(unsigned p, char *out, size_t cap)
{
	out[0] = 0;
	struct {
		unsigned bit;
		const char *t;
	} names[] = { { FWKIT_MACP_MULTICAST, "multicast" }, { FWKIT_MACP_ZERO, "all-zero" },
		      { FWKIT_MACP_BROADCAST, "erased (FF)" }, { FWKIT_MACP_CLONE, "KNOWN PUBLIC CLONE" },
		      { FWKIT_MACP_DUPLICATE, "duplicate" }, { FWKIT_MACP_OFF_RULE, "off the label rule" },
		      { FWKIT_MACP_OUTSIDE, "past the end of the dump" } };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (p & names[i].bit)
			snprintf(out + strlen(out), cap - strlen(out), "%s%s", out[0] ? ", " : "", names[i].t);
}

static void emit_macs(struct emitter *e, const struct fwkit_mac_list *l)
{
	char buf[300], t[18], probs[160];
	emit_begin_list(e, "macs", NULL);
	for (size_t i = 0; i < l->n; i++) {
		const struct fwkit_mac_entry *m = &l->e[i];
		fwkit_mac_format(m->mac, t);
		problems_text(m->problems, probs, sizeof(probs));
		snprintf(buf, sizeof(buf), "%-12s %s  0x%06llx (%s)  label%+d%s%s", fwkit_mac_role_name(m->role), t,
			 (unsigned long long)m->offset, m->partition, m->delta, probs[0] ? "  " : "", probs);
		emit_line(e, buf);
		emit_begin(e, NULL);
		emit_string(e, "role", NULL, fwkit_mac_role_name(m->role));
		emit_string(e, "mac", NULL, t);
		emit_uint(e, "offset", NULL, m->offset, NULL);
		emit_string(e, "partition", NULL, m->partition);
		emit_uint(e, "label_delta", NULL, (uint64_t)(int64_t)m->delta, NULL);
		emit_string(e, "problems", NULL, probs);
		if (m->clone_source)
			emit_string(e, "clone_source", NULL, m->clone_source);
		emit_end(e);
	}
	emit_end_list(e);
}

static int run_mac_list(int argc, char **argv, const struct cli_command *self)
{
	const char *device = NULL, *pfile = NULL;
	struct cli_option opts[] = {
		{ 0, "device", OPT_STRING, "ID", "the device (default: identified from the dump)", &device, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "DUMP", &early))
		return early;
	struct dump d;
	int code = open_dump(&d, pos[0], pfile);
	const struct fwkit_profile *p = code ? NULL : device_for(&d, device, pos[0]);
	if (!p) {
		code = code ? code : d.no_device_exit ? d.no_device_exit : EXIT_USAGE;
		close_dump(&d);
		return code;
	}
	struct fwkit_mac_list l;
	fwkit_mac_read(d.ctx, p, fwkit_file_data(d.file), fwkit_file_size(d.file), &l);
	struct emitter *e = NULL;
	code = EXIT_OK_;
	if (common.json) {
		/* the library's tree (docs/json.md, schema 2), with the device it was read for */
		struct fwkit_node *n = fwkit_mac_list_node(&l);
		if (!n || !fwkit_node_add_string(n, "device", p->id, strlen(p->id)))
			code = EXIT_SYSTEM;
		else
			code = cli_print_node_json(d.ctx, n);
		fwkit_node_free(n);
	} else {
		e = emitter_new(false, stdout);
		emit_macs(e, &l);
	}
	for (size_t i = 0; i < l.n; i++) {
		if (!(l.e[i].problems & ~(unsigned)FWKIT_MACP_OFF_RULE) || code)
			continue;
		char probs[160];
		problems_text(l.e[i].problems & ~(unsigned)FWKIT_MACP_OFF_RULE, probs, sizeof(probs));
		fprintf(stderr, "fwkit: %s: offset 0x%llx: mac: the %s MAC is %s\n", pos[0],
			(unsigned long long)l.e[i].offset, fwkit_mac_role_name(l.e[i].role), probs);
		code = EXIT_PROBLEM;
	}
	close_dump(&d);
	if (e && !emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int role_by_name(const char *s)
{
	for (int r = 0; r <= FWKIT_MAC_WLAN_5G; r++)
		if (strcmp(fwkit_mac_role_name((enum fwkit_mac_role)r), s) == 0)
			return r;
	if (!strcmp(s, "2g") || !strcmp(s, "wlan2g") || !strcmp(s, "2.4ghz"))
		return FWKIT_MAC_WLAN_2G;
	if (!strcmp(s, "5g") || !strcmp(s, "wlan5g") || !strcmp(s, "5ghz"))
		return FWKIT_MAC_WLAN_5G;
	return -1;
}

static int run_mac_set(int argc, char **argv, const struct cli_command *self)
{
	const char *device = NULL, *pfile = NULL, *label_s = NULL, *role_s = NULL, *out = NULL;
	bool in_place = false, dry_run = false, follow = false;
	struct cli_option opts[] = {
		{ 0, "label", OPT_STRING, "MAC", "the MAC on the device's label: every MAC is set from it by the profile's rules", &label_s, NULL },
		{ 0, "role", OPT_STRING, "ROLE", "set only the MAC(s) of ROLE (lan, wan, wlan-2.4ghz, wlan-5ghz) to the MAC given after it", &role_s, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "write the edited dump to OUT (same size)", &out, NULL },
		{ 0, "in-place", OPT_FLAG, NULL, "replace DUMP itself (atomically)", &in_place, NULL },
		OPT_FOLLOW(follow),
		{ 0, "dry-run", OPT_FLAG, NULL, "show the changes, write nothing", &dry_run, NULL },
		{ 0, "device", OPT_STRING, "ID", "the device (default: identified from the dump)", &device, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[2];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 2);
	if (common.help)
		return EXIT_OK_;
	if (n < 1 || (!label_s && !role_s) || (label_s && role_s) || (role_s && n != 2) || (label_s && n != 1)) {
		if (n >= 0)
			cli_usage_error(self, "expected DUMP --label MAC, or DUMP --role ROLE MAC");
		return EXIT_USAGE;
	}
	if (!out == !in_place) {
		cli_usage_error(self, "give exactly one of -o OUT and --in-place");
		return EXIT_USAGE;
	}
	if (out && cli_same_file(pos[0], out)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input (use --in-place)\n", out);
		return EXIT_USAGE;
	}
	uint8_t mac[6];
	const char *mac_s = label_s ? label_s : pos[1];
	if (!fwkit_mac_parse(mac_s, mac)) {
		cli_usage_error(self, "'%s' is not a MAC address (AA:BB:CC:DD:EE:FF)", mac_s);
		return EXIT_USAGE;
	}
	int role = role_s ? role_by_name(role_s) : -1;
	if (role_s && role < 0) {
		cli_usage_error(self, "unknown role '%s' (lan, wan, wlan-2.4ghz, wlan-5ghz)", role_s);
		return EXIT_USAGE;
	}
	struct dump d;
	int code = open_dump(&d, pos[0], pfile);
	const struct fwkit_profile *p = code ? NULL : device_for(&d, device, pos[0]);
	if (!p) {
		code = code ? code : d.no_device_exit ? d.no_device_exit : EXIT_USAGE;
		close_dump(&d);
		return code;
	}
	size_t len = fwkit_file_size(d.file);
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy) {
		close_dump(&d);
		return EXIT_SYSTEM;
	}
	memcpy(copy, fwkit_file_data(d.file), len);
	struct fwkit_mac_list before, after;
	fwkit_mac_read(d.ctx, p, copy, len, &before);
	bool clone = false;
	if (fwkit_mac_set(d.ctx, p, copy, len, mac, role, &after, &clone) != FWKIT_OK) {
		code = cli_report_error(d.ctx);
		if (fwkit_ctx_error(d.ctx)->status == FWKIT_E_UNSAFE)
			code = EXIT_PROBLEM;
		free(copy);
		close_dump(&d);
		return code;
	}
	if (clone)
		fprintf(stderr, "fwkit: warning: the new MACs include a known public clone: is this really your label?\n");
	const char *target = in_place ? pos[0] : out;
	if (!dry_run) {
		code = cli_write_file(d.ctx, target, copy, len, follow);
		if (code) {
			free(copy);
			close_dump(&d);
			return code;
		}
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "mac set");
	emit_string(e, "device", NULL, p->id);
	emit_string(e, "output", NULL, target);
	emit_bool(e, "written", NULL, !dry_run, NULL);
	emit_begin_list(e, "changed", NULL);
	for (size_t i = 0; i < after.n; i++) {
		if (!memcmp(before.e[i].mac, after.e[i].mac, 6))
			continue;
		char a[18], b[18], line[200];
		fwkit_mac_format(before.e[i].mac, a);
		fwkit_mac_format(after.e[i].mac, b);
		snprintf(line, sizeof(line), "Changed:      0x%06llx..0x%06llx %-12s %s -> %s", (unsigned long long)after.e[i].offset,
			 (unsigned long long)after.e[i].offset + 5, fwkit_mac_role_name(after.e[i].role), a, b);
		emit_line(e, line);
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, after.e[i].offset, NULL);
		emit_string(e, "role", NULL, fwkit_mac_role_name(after.e[i].role));
		emit_string(e, "old", NULL, a);
		emit_string(e, "new", NULL, b);
		emit_end(e);
	}
	emit_end_list(e);
	char line[600];
	snprintf(line, sizeof(line), "Output:       %s%s (%zu bytes, the input's size)", dry_run ? "(dry run) would write " : "",
		 target, len);
	emit_line(e, line);
	free(copy);
	close_dump(&d);
	code = emitter_finish(e) ? EXIT_OK_ : EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_layout(int argc, char **argv, const struct cli_command *self)
{
	const char *device = NULL, *pfile = NULL, *other = NULL;
	struct cli_option opts[] = {
		{ 0, "device", OPT_STRING, "ID", "the device (default: identified from the dump)", &device, NULL },
		{ 0, "changed-against", OPT_STRING, "OTHER", "only the erase blocks where DUMP differs from OTHER", &other, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "DUMP", &early))
		return early;
	struct dump d;
	int code = open_dump(&d, pos[0], pfile);
	const struct fwkit_profile *p = code ? NULL : device_for(&d, device, pos[0]);
	if (!p) {
		code = code ? code : d.no_device_exit ? d.no_device_exit : EXIT_USAGE;
		close_dump(&d);
		return code;
	}
	size_t len = fwkit_file_size(d.file);
	const uint8_t *a = fwkit_file_data(d.file);
	struct fwkit_dump_fit fit;
	if (fwkit_dump_fit(d.ctx, p, a, len, d.pr.extra, d.pr.nextra, &fit) == FWKIT_OK && fit.delta != 0) {
		/* a layout of a grown or cut dump would name the wrong bytes for flashrom to write */
		fprintf(stderr, "fwkit: %s: %zu bytes, not the %u bytes of %s's flash: %s\n", pos[0], len, p->flash_size, p->id,
			fit.where[0] ? fit.where : "no structure of the profile found to say where");
		close_dump(&d);
		return EXIT_PROBLEM;
	}
	struct fwkit_file *of = NULL;
	if (other) {
		if (fwkit_file_open(d.ctx, other, &of) != FWKIT_OK) {
			code = cli_report_error(d.ctx);
			close_dump(&d);
			return code;
		}
		if (fwkit_file_size(of) != len) {
			fprintf(stderr, "fwkit: %s: %zu bytes, but %s has %zu: flashrom writes whole-chip images of one size\n", other,
				fwkit_file_size(of), pos[0], len);
			fwkit_file_close(of);
			close_dump(&d);
			return EXIT_INPUT;
		}
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "layout");
	emit_string(e, "device", NULL, p->id);
	emit_begin_list(e, "regions", NULL);
	char line[160], names[2048] = "";
	size_t nregions = 0;
	bool failed = false;
	for (size_t i = 0; i < p->nparts; i++) {
		const struct fwkit_partition *part = &p->parts[i];
		uint64_t start = part->offset, end = (uint64_t)part->offset + part->size;
		if (start >= len)
			break;
		if (end > len)
			end = len;
		if (!of) {
			snprintf(line, sizeof(line), "%08llx:%08llx %s", (unsigned long long)start, (unsigned long long)end - 1, part->name);
			emit_line(e, line);
			emit_begin(e, NULL);
			emit_string(e, "name", NULL, part->name);
			emit_uint(e, "start", NULL, start, NULL);
			emit_uint(e, "end", NULL, end - 1, NULL);
			emit_end(e);
			continue;
		}
		/* runs of differing erase blocks inside this partition, one region each (partitions
		 * start on erase blocks: the profile's selfcheck says so) */
		struct fwkit_ranges changed;
		if (fwkit_layout_changed_blocks(d.ctx, a + start, fwkit_file_data(of) + start, (size_t)(end - start),
						p->erase_size, &changed) != FWKIT_OK) {
			failed = true;
			break;
		}
		for (size_t k = 0; k < changed.count; k++) {
			uint64_t run = start + changed.items[k].offset, last = run + changed.items[k].length - 1;
			char name[48];
			snprintf(name, sizeof(name), "%s_%zu", part->name, k);
			snprintf(line, sizeof(line), "%08llx:%08llx %s", (unsigned long long)run, (unsigned long long)last, name);
			emit_line(e, line);
			emit_begin(e, NULL);
			emit_string(e, "name", NULL, name);
			emit_uint(e, "start", NULL, run, NULL);
			emit_uint(e, "end", NULL, last, NULL);
			emit_end(e);
			if (strlen(names) + strlen(name) + 5 < sizeof(names))
				snprintf(names + strlen(names), sizeof(names) - strlen(names), " -i %s", name);
			nregions++;
		}
		fwkit_ranges_free(&changed);
	}
	emit_end_list(e);
	if (failed) {
		code = cli_report_error(d.ctx);
		fwkit_file_close(of);
		close_dump(&d);
		emitter_free(e);
		return code;
	}
	if (of) {
		if (nregions)
			fprintf(stderr, "fwkit: write only what changed: flashrom -p PROGRAMMER -l LAYOUT%s -w %s\n", names, pos[0]);
		else
			fprintf(stderr, "fwkit: %s and %s are identical: nothing to write\n", pos[0], other);
	}
	fwkit_file_close(of);
	close_dump(&d);
	code = emitter_finish(e) ? EXIT_OK_ : EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_compare(int argc, char **argv, const struct cli_command *self)
{
	const char *out = NULL;
	bool follow = false;
	struct cli_option opts[] = {
		{ 'o', NULL, OPT_STRING, "CONSENSUS", "with three or more reads, write the byte-wise majority here", &out, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[16];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 16);
	if (common.help)
		return EXIT_OK_;
	if (n < 2) {
		if (n >= 0)
			cli_usage_error(self, "expected at least two reads");
		return EXIT_USAGE;
	}
	if (out && n < 3) {
		cli_usage_error(self, "a majority needs three or more reads");
		return EXIT_USAGE;
	}
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f[16] = { 0 };
	int code = EXIT_OK_;
	for (int i = 0; i < n; i++) {
		if (out && cli_same_file(pos[i], out)) {
			fprintf(stderr, "fwkit: %s: refusing to overwrite a read\n", out);
			code = EXIT_USAGE;
			goto done;
		}
		if (fwkit_file_open(ctx, pos[i], &f[i]) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto done;
		}
		if (fwkit_file_size(f[i]) != fwkit_file_size(f[0])) {
			fprintf(stderr, "fwkit: %s: %zu bytes, but %s has %zu: not reads of one chip\n", pos[i],
				fwkit_file_size(f[i]), pos[0], fwkit_file_size(f[0]));
			code = EXIT_INPUT;
			goto done;
		}
	}
	size_t len = fwkit_file_size(f[0]);
	const uint8_t *reads[16];
	for (int i = 0; i < n; i++)
		reads[i] = fwkit_file_data(f[i]);
	uint8_t *cons = out ? malloc(len ? len : 1) : NULL;
	if (out && !cons) {
		fprintf(stderr, "fwkit: out of memory\n");
		code = EXIT_SYSTEM;
		goto done;
	}
	struct fwkit_compare_result cmp;
	if (fwkit_compare_reads(ctx, reads, (size_t)n, len, cons, &cmp) != FWKIT_OK) {
		code = cli_report_error(ctx);
		free(cons);
		goto done;
	}
	uint64_t unstable = cmp.unstable, no_majority = cmp.no_majority, first_nomaj = cmp.first_no_majority,
		 first_unstable = cmp.first_unstable, nranges = cmp.ranges.count;
	struct fwkit_findings blank = cmp.findings; /* "compare.blank": reads that agree on nothing */
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "compare");
	emit_uint(e, "reads", NULL, (uint64_t)n, NULL);
	emit_uint(e, "size", NULL, len, NULL);
	emit_begin_list(e, "ranges", NULL);
	for (size_t r = 0; r < cmp.ranges.count; r++) {
		uint64_t run = cmp.ranges.items[r].offset, rlen = cmp.ranges.items[r].length;
		if (r < 50) {
			char line[96];
			snprintf(line, sizeof(line), "differ:       0x%08llx..0x%08llx (%llu bytes)", (unsigned long long)run,
				 (unsigned long long)(run + rlen - 1), (unsigned long long)rlen);
			emit_line(e, line);
		}
		emit_begin(e, NULL);
		emit_uint(e, "offset", NULL, run, NULL);
		emit_uint(e, "length", NULL, rlen, NULL);
		emit_end(e);
	}
	fwkit_compare_result_free(&cmp);
	emit_end_list(e);
	char line[200];
	snprintf(line, sizeof(line), "%llu differing range%s, %llu unstable byte%s%s", (unsigned long long)nranges,
		 nranges == 1 ? "" : "s", (unsigned long long)unstable, unstable == 1 ? "" : "s",
		 unstable ? "" : blank.count ? ": the reads agree, but hold no data" : ": the reads agree");
	emit_string(e, NULL, "Result", line);
	emit_uint(e, "unstable_bytes", NULL, unstable, NULL);
	emit_begin_list(e, "findings", NULL);
	for (size_t i = 0; i < blank.count; i++) {
		emit_begin(e, NULL);
		emit_string(e, "severity", NULL, fwkit_severity_name(blank.items[i].severity));
		emit_string(e, "code", NULL, blank.items[i].code);
		emit_uint(e, "offset", NULL, blank.items[i].offset, NULL);
		emit_string(e, "message", NULL, blank.items[i].message);
		emit_end(e);
	}
	emit_end_list(e);
	code = unstable || fwkit_findings_worst(&blank) == FWKIT_SEV_ERROR ? EXIT_PROBLEM : EXIT_OK_;
	if (unstable)
		fprintf(stderr, "fwkit: %s: offset 0x%llx: the reads differ: %llu unstable bytes in %llu ranges (a loose clip? read again)\n",
			pos[1], (unsigned long long)first_unstable, (unsigned long long)unstable, (unsigned long long)nranges);
	for (size_t i = 0; i < blank.count; i++)
		cli_report_finding(pos[0], &blank.items[i]);
	if (cons) {
		if (blank.count) {
			fprintf(stderr, "fwkit: %s: not written: reads that hold no data are no backup; check the clip and read again\n",
				out);
		} else if (no_majority) {
			fprintf(stderr, "fwkit: %llu bytes have no majority (first at 0x%llx): read the chip again; nothing written\n",
				(unsigned long long)no_majority, (unsigned long long)first_nomaj);
			code = EXIT_PROBLEM;
		} else {
			int wcode = cli_write_file(ctx, out, cons, len, follow);
			if (wcode) {
				code = wcode;
			} else {
				snprintf(line, sizeof(line), "%s (%zu bytes, byte-wise majority of %d reads)", out, len, n);
				emit_string(e, NULL, "Consensus", line);
				emit_string(e, "consensus", NULL, out);
			}
		}
		free(cons);
	}
	if (!emitter_finish(e))
		code = EXIT_SYSTEM;
	emitter_free(e);
done:
	for (int i = 0; i < n; i++)
		fwkit_file_close(f[i]);
	fwkit_ctx_free(ctx);
	return code;
}

static int run_profile_from_dump(int argc, char **argv, const struct cli_command *self)
{
	struct cli_option opts[] = { OPT_END };
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "DUMP", &early))
		return early;
	struct dump d;
	int code = open_dump(&d, pos[0], NULL);
	if (code) {
		close_dump(&d);
		return code;
	}
	const uint8_t *buf = fwkit_file_data(d.file);
	size_t len = fwkit_file_size(d.file);
	struct fwkit_devicetree dt;
	bool found = false;
	/* the kernel uImage: at the start of a firmware image, or on any 64 KiB boundary of a dump */
	for (size_t off = 0; off + 64 <= len && !found; off += 0x10000) {
		struct fwkit_uimage img;
		if (fwkit_uimage_parse(NULL, buf, len, off, 0, &img) != FWKIT_OK || !img.hcrc_ok || !img.data_complete ||
		    img.hdr.type != 2)
			continue;
		found = fwkit_devicetree_from_kernel(d.ctx, buf + img.data_offset, img.data_size, img.hdr.comp, &dt) == FWKIT_OK;
	}
	/* the decompression budget cut the search short: say so (stderr; with --json, a findings document
	 * on stdout when no profile is printed) */
	struct fwkit_findings budget = { 0 };
	if (fwkit_decompress_budget_report(d.ctx, FWKIT_SEV_WARN, &budget))
		cli_report_finding(pos[0], &budget.items[0]);
	if (!found) {
		fprintf(stderr, "fwkit: %s: no kernel with a device tree found (looked for a uImage on every 64 KiB boundary)\n",
			pos[0]);
		if (common.json && budget.count) {
			struct emitter *e = emitter_new(true, stdout);
			emit_string(e, "command", NULL, "profile from-dump");
			emit_string(e, "file", NULL, pos[0]);
			emit_begin_list(e, "findings", NULL);
			emit_finding(e, &budget.items[0]);
			emit_end_list(e);
			emitter_finish(e);
			emitter_free(e);
		}
		close_dump(&d);
		return EXIT_INPUT;
	}
	struct fwkit_profile p;
	if (fwkit_profile_from_devicetree(d.ctx, &dt, len, &p) != FWKIT_OK) {
		code = cli_report_error(d.ctx);
		close_dump(&d);
		return code;
	}
	char *text = NULL;
	if (fwkit_profile_to_json(d.ctx, &p, &text) == FWKIT_OK) {
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	if (fwkit_profile_check(d.ctx, &p) != FWKIT_OK)
		fprintf(stderr, "fwkit: warning: the derived profile fails the selfcheck: %s\n", fwkit_ctx_error(d.ctx)->what);
	free(text);
	close_dump(&d);
	return EXIT_OK_;
}

const struct cli_command cmd_profile_from_dump = {
	.name = "profile from-dump",
	.synopsis = "profile from-dump DUMP",
	.summary = "print the profile the dump's own device tree describes (model, partitions, MAC cells)",
	.run = run_profile_from_dump,
};

const struct cli_command cmd_profile_list = {
	.name = "profile list",
	.synopsis = "profile list [--profiles FILE] [--json]",
	.summary = "list the device profiles (built in, and the user's with --profiles)",
	.run = run_profile_list,
};
const struct cli_command cmd_profile_show = {
	.name = "profile show",
	.synopsis = "profile show ID [--profiles FILE]",
	.summary = "print a device profile in the JSON profile format (what --profiles reads)",
	.run = run_profile_show,
};
const struct cli_command cmd_inspect = {
	.name = "inspect",
	.synopsis = "inspect DUMP [--device ID] [--profiles FILE] [--json]",
	.summary = "identify the device, judge the dump, and say what every partition holds, with verdicts",
	.run = run_inspect,
};
const struct cli_command cmd_mac_list = {
	.name = "mac list",
	.synopsis = "mac list DUMP [--device ID] [--profiles FILE] [--json]",
	.summary = "every MAC address in the dump, with its role, offset and problems (clone, duplicate, invalid)",
	.run = run_mac_list,
};
const struct cli_command cmd_mac_set = {
	.name = "mac set",
	.synopsis = "mac set DUMP (--label MAC | --role ROLE MAC) (-o OUT | --in-place) [--dry-run] [--device ID] [--profiles FILE] [--json]",
	.summary = "set the MACs from the label MAC by the device's rules (or one role); only MAC bytes change",
	.run = run_mac_set,
};
const struct cli_command cmd_layout = {
	.name = "layout",
	.synopsis = "layout DUMP [--device ID] [--changed-against OTHER] [--profiles FILE] [--json]",
	.summary = "a flashrom layout file of the partitions, or of only the erase blocks that changed",
	.run = run_layout,
};
const struct cli_command cmd_compare = {
	.name = "compare",
	.synopsis = "compare A B [C ...] [-o CONSENSUS] [--json]",
	.summary = "do several reads of one chip agree: differing ranges, unstable bytes, a majority dump",
	.run = run_compare,
};
