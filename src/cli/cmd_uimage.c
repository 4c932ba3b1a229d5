/*
 * fwkit uimage list | verify | create | extract: U-Boot legacy images, with mkimage's and
 * dumpimage's option letters and, for good images, their exact output.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/emit.h"

#define MAX_DATA_FILES FWKIT_UIMAGE_MAX_PARTS

/* mkimage's "%d Bytes = %.2f KiB = %.2f MiB" (boot/image-host.c genimg_print_size). The byte
 * count is printed with %d, so sizes over 2 GiB show as negative there too. */
static void size_text(char *buf, size_t n, uint32_t size)
{
	int64_t as_int = size > INT32_MAX ? (int64_t)size - 4294967296LL : (int64_t)size;
	snprintf(buf, n, "%lld Bytes = %.2f KiB = %.2f MiB", (long long)as_int, (double)size / 1.024e3,
		 (double)size / 1.048576e6);
}

/* ctime() without its newline, in the local time zone, as mkimage -l prints it. */
static void time_text(char *buf, size_t n, uint32_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm) || !strftime(buf, n, "%a %b %e %H:%M:%S %Y", &tm))
		snprintf(buf, n, "%u", t);
}

static void utc_iso(char *buf, size_t n, uint32_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "%u", t);
}

static const char *trailer_name(enum fwkit_trailer_kind k)
{
	switch (k) {
	case FWKIT_TRAILER_NONE: return "none";
	case FWKIT_TRAILER_ERASED: return "erased";
	case FWKIT_TRAILER_ZERO: return "zero";
	case FWKIT_TRAILER_DATA: return "data";
	}
	return "unknown";
}

/* The listing: mkimage -l's lines first (byte for byte), then what follows the image. */
static void describe_image(struct emitter *e, const struct fwkit_uimage *img, size_t file_size)
{
	const struct fwkit_uimage_header *h = &img->hdr;
	char buf[256];
	emit_begin(e, "image");
	emit_bytes(e, "name", "Image Name", h->name, img->name_len);
	time_text(buf, sizeof(buf), h->time);
	emit_string(e, NULL, "Created", buf);
	emit_uint(e, "created", NULL, h->time, NULL);
	utc_iso(buf, sizeof(buf), h->time);
	emit_string(e, "created_utc", NULL, buf);
	snprintf(buf, sizeof(buf), "%s %s %s (%s)", fwkit_uimage_arch_name(h->arch), fwkit_uimage_os_name(h->os),
		 fwkit_uimage_type_name(h->type), fwkit_uimage_comp_name(h->comp));
	emit_string(e, NULL, "Image Type", buf);
	emit_uint(e, "arch", NULL, h->arch, NULL);
	emit_string(e, "arch_name", NULL, fwkit_uimage_arch_short(h->arch));
	emit_uint(e, "os", NULL, h->os, NULL);
	emit_string(e, "os_name", NULL, fwkit_uimage_os_short(h->os));
	emit_uint(e, "type", NULL, h->type, NULL);
	emit_string(e, "type_name", NULL, fwkit_uimage_type_short(h->type));
	emit_uint(e, "comp", NULL, h->comp, NULL);
	emit_string(e, "comp_name", NULL, fwkit_uimage_comp_short(h->comp));
	size_text(buf, sizeof(buf), h->size);
	emit_uint(e, "size_field", "Data Size", h->size, buf);
	emit_uint(e, "data_size", NULL, img->data_size, NULL);
	snprintf(buf, sizeof(buf), "%08x", h->load);
	emit_uint(e, "load_address", "Load Address", h->load, buf);
	snprintf(buf, sizeof(buf), "%08x", h->ep);
	emit_uint(e, "entry_point", "Entry Point", h->ep, buf);
	if (h->type == 32) {
		/* mkimage prints the i.MX HAB block range for firmware_ivt images (boot/image.c
		 * image_print_contents): load - header, and size + header + flash header - 0x2060. */
		snprintf(buf, sizeof(buf), "0x%08x   0x0000   0x%08x", h->load - FWKIT_UIMAGE_HEADER_SIZE,
			 h->size + FWKIT_UIMAGE_HEADER_SIZE + 32u - 0x2060u);
		emit_string(e, NULL, "HAB Blocks", buf);
	}
	if (img->nparts) {
		emit_begin_list(e, "parts", "Contents");
		for (size_t i = 0; i < img->nparts; i++) {
			emit_begin(e, NULL);
			emit_uint(e, "index", NULL, i, NULL);
			size_text(buf, sizeof(buf), img->parts[i].size);
			char label[32];
			snprintf(label, sizeof(label), "Image %zu", i);
			emit_uint(e, "size", label, img->parts[i].size, buf);
			emit_uint(e, "offset", NULL, img->parts[i].offset, NULL);
			if (h->type == FWKIT_UIMAGE_TYPE_SCRIPT && i > 0) {
				/* mkimage prints a host pointer here; the file offset is what means something. */
				snprintf(buf, sizeof(buf), "    Offset = 0x%08llx", (unsigned long long)img->parts[i].offset);
				emit_line(e, buf);
			}
			emit_end(e);
		}
		emit_end_list(e);
	}
	emit_uint(e, "header_crc", NULL, h->hcrc, NULL);
	emit_bool(e, "header_crc_ok", NULL, img->hcrc_ok, NULL);
	emit_uint(e, "data_crc", NULL, h->dcrc, NULL);
	if (img->dcrc_checked)
		emit_bool(e, "data_crc_ok", NULL, img->dcrc_ok, NULL);
	emit_uint(e, "data_offset", NULL, img->data_offset, NULL);
	emit_uint(e, "data_present", NULL, img->data_present, NULL);
	emit_bool(e, "data_complete", NULL, img->data_complete, NULL);
	if (!img->data_complete) {
		snprintf(buf, sizeof(buf), "payload needs %u bytes, the file holds %llu after the header (%llu missing)",
			 img->data_size, (unsigned long long)img->data_present,
			 (unsigned long long)(img->data_size - img->data_present));
		emit_string(e, NULL, "Truncated", buf);
	} else if (img->trailer_size) {
		const char *what = img->trailer_kind == FWKIT_TRAILER_ERASED ? "erased (all 0xFF)"
				   : img->trailer_kind == FWKIT_TRAILER_ZERO ? "all 0x00"
									      : "not erased (data)";
		uint64_t end = img->data_offset + img->data_size;
		snprintf(buf, sizeof(buf), "%llu bytes after the image (0x%llx..0x%llx): %s",
			 (unsigned long long)img->trailer_size, (unsigned long long)end, (unsigned long long)file_size,
			 what);
		emit_string(e, NULL, "Trailing Data", buf);
	}
	emit_begin(e, "trailer");
	emit_uint(e, "size", NULL, img->trailer_size, NULL);
	emit_string(e, "kind", NULL, trailer_name(img->trailer_kind));
	emit_end(e);
	emit_end(e);
}

/* Findings: JSON array; in text, one line each on stderr so stdout stays mkimage's. */
static void emit_findings(struct emitter *e, const char *path, const struct fwkit_findings *f)
{
	emit_begin_list(e, "findings", NULL);
	for (size_t i = 0; i < f->count; i++) {
		const struct fwkit_finding *it = &f->items[i];
		if (!emitter_is_json(e)) {
			cli_report_finding(path, it);
			continue;
		}
		emit_finding(e, it);
	}
	emit_end_list(e);
}

struct loaded {
	struct fwkit_ctx *ctx;
	struct fwkit_file *file;
	struct fwkit_uimage img;
};

/* Opens PATH and parses the image at OFFSET; on failure reports and returns the exit code. */
static int load_image(struct loaded *l, const char *path, uint64_t offset, uint32_t magic)
{
	memset(l, 0, sizeof(*l));
	l->ctx = fwkit_ctx_new();
	if (!l->ctx) {
		fprintf(stderr, "fwkit: out of memory\n");
		return EXIT_SYSTEM;
	}
	if (fwkit_file_open(l->ctx, path, &l->file) != FWKIT_OK)
		return cli_report_error(l->ctx);
	size_t len = fwkit_file_size(l->file);
	if (offset > len) {
		fprintf(stderr, "fwkit: %s: offset 0x%llx: uimage: offset past the end of the file: expected at most 0x%zx\n",
			path, (unsigned long long)offset, len);
		return EXIT_INPUT;
	}
	if (fwkit_uimage_parse(l->ctx, fwkit_file_data(l->file), len, (size_t)offset, magic, &l->img) != FWKIT_OK)
		return cli_report_error(l->ctx);
	return EXIT_OK_;
}

static void unload(struct loaded *l)
{
	fwkit_file_close(l->file);
	fwkit_ctx_free(l->ctx);
}

static int finish(struct emitter *e, int code)
{
	if (!emitter_finish(e) && code == EXIT_OK_)
		code = EXIT_SYSTEM;
	emitter_free(e);
	return code;
}

static int run_list(int argc, char **argv, const struct cli_command *self)
{
	uint64_t offset = 0, magic = 0;
	const struct cli_option opts[] = {
		{ 0, "offset", OPT_UINT, "N", "where the image starts in FILE (default 0)", &offset, NULL },
		{ 0, "magic", OPT_HEX, "HEX", "accept a vendor magic instead of 27051956", &magic, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 1);
	if (common.help)
		return EXIT_OK_;
	if (n < 0)
		return EXIT_USAGE;
	if (n != 1) {
		cli_usage_error(self, "expected one FILE");
		return EXIT_USAGE;
	}
	if (magic > UINT32_MAX) {
		cli_usage_error(self, "--magic must fit 32 bits");
		return EXIT_USAGE;
	}
	struct loaded l;
	int code = load_image(&l, pos[0], offset, (uint32_t)magic);
	if (code != EXIT_OK_) {
		unload(&l);
		return code;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "uimage list");
	emit_string(e, "file", NULL, pos[0]);
	emit_uint(e, "offset", NULL, offset, NULL);
	describe_image(e, &l.img, fwkit_file_size(l.file));
	emit_findings(e, pos[0], &l.img.findings);
	code = fwkit_findings_worst(&l.img.findings) >= FWKIT_SEV_ERROR ? EXIT_PROBLEM : EXIT_OK_;
	unload(&l);
	return finish(e, code);
}

/* One verify check: a text line "Label: ok ..." (or WORD instead of ok/FAILED) and a JSON
 * {name, ok, detail}; a check not ok is added to the list FAILED. */
static void emit_check_as(struct emitter *e, const char *name, const char *label, bool ok, const char *word,
			  const char *detail, char *failed, size_t failed_size)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s%s%s", word ? word : ok ? "ok" : "FAILED", detail[0] ? ": " : "", detail);
	emit_string(e, NULL, label, buf);
	emit_begin(e, NULL);
	emit_string(e, "check", NULL, name);
	emit_bool(e, "ok", NULL, ok, NULL);
	emit_string(e, "detail", NULL, detail);
	emit_end(e);
	if (!ok) {
		size_t used = strlen(failed);
		snprintf(failed + used, failed_size - used, "%s%s", used ? ", " : "", name);
	}
}

static void emit_check(struct emitter *e, const char *name, const char *label, bool ok, const char *detail,
		       char *failed, size_t failed_size)
{
	emit_check_as(e, name, label, ok, NULL, detail, failed, failed_size);
}

/* The lists of checks that failed and of checks the decompression budget left unfinished. */
struct verdict {
	char failed[256];
	char unchecked[256];
};

static void check_payload(struct emitter *e, struct loaded *l, size_t index, const char *label, struct verdict *v)
{
	char *failed = v->failed;
	size_t failed_size = sizeof(v->failed);
	const struct fwkit_uimage *img = &l->img;
	uint64_t off = 0, size = 0;
	char detail[320];
	char name[32];
	snprintf(name, sizeof(name), img->nparts ? "payload-%zu" : "payload", index);
	if (fwkit_uimage_part_span(l->ctx, img, fwkit_file_size(l->file), (unsigned)index, &off, &size) != FWKIT_OK) {
		snprintf(detail, sizeof(detail), "not present in the file");
		emit_check(e, name, label, false, detail, failed, failed_size);
		return;
	}
	const uint8_t *p = fwkit_file_data(l->file) + off;
	if (img->hdr.comp > 6) {
		snprintf(detail, sizeof(detail), "not checked: unknown compression %u", img->hdr.comp);
		emit_check(e, name, label, true, detail, failed, failed_size);
		return;
	}
	enum fwkit_codec codec = fwkit_uimage_codec(img->hdr.comp, p, (size_t)size);
	struct fwkit_decompress_result r;
	if (fwkit_decompress_check(l->ctx, codec, p, (size_t)size, 0, &r) != FWKIT_OK) {
		snprintf(detail, sizeof(detail), "cannot check: out of memory");
		emit_check(e, name, label, false, detail, failed, failed_size);
		return;
	}
	if (r.limited) {
		/* neither good nor corrupt: the budget stopped the check (docs/fwkit.md) */
		if (r.out_size)
			snprintf(detail, sizeof(detail), "%s payload not fully checked, stopped after %llu output bytes: %s",
				 fwkit_codec_name(codec), (unsigned long long)r.out_size, r.detail);
		else
			snprintf(detail, sizeof(detail), "%s payload not checked: %s", fwkit_codec_name(codec), r.detail);
		emit_check_as(e, name, label, false, "NOT CHECKED", detail, v->unchecked, sizeof(v->unchecked));
		return;
	}
	if (!r.checked)
		snprintf(detail, sizeof(detail), "not checked: %s", r.detail);
	else if (codec == FWKIT_CODEC_NONE)
		snprintf(detail, sizeof(detail), "uncompressed, %llu bytes", (unsigned long long)size);
	else if (r.ok)
		snprintf(detail, sizeof(detail), "%s, decompresses to %llu bytes%s%s%s", fwkit_codec_name(codec),
			 (unsigned long long)r.out_size, r.detail[0] ? " (" : "", r.detail, r.detail[0] ? ")" : "");
	else
		snprintf(detail, sizeof(detail), "%s at payload offset 0x%llx (file offset 0x%llx) after %llu output bytes",
			 r.detail, (unsigned long long)r.error_at, (unsigned long long)(off + r.error_at),
			 (unsigned long long)r.out_size);
	if (codec == FWKIT_CODEC_XZ && r.ok) {
		size_t used = strlen(detail);
		snprintf(detail + used, sizeof(detail) - used, "; an xz stream under \"lzma\": U-Boot's lzma cannot boot it");
	}
	emit_check(e, name, label, !r.checked || r.ok, detail, failed, failed_size);
}

static int run_verify(int argc, char **argv, const struct cli_command *self)
{
	uint64_t offset = 0, magic = 0;
	const struct cli_option opts[] = {
		{ 0, "offset", OPT_UINT, "N", "where the image starts in FILE (default 0)", &offset, NULL },
		{ 0, "magic", OPT_HEX, "HEX", "accept a vendor magic instead of 27051956", &magic, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int early = 0;
	if (!cli_args(self, opts, argc, argv, &common, pos, 1, "FILE", &early))
		return early;
	if (magic > UINT32_MAX) {
		cli_usage_error(self, "--magic must fit 32 bits");
		return EXIT_USAGE;
	}
	struct loaded l;
	int code = load_image(&l, pos[0], offset, (uint32_t)magic);
	if (code != EXIT_OK_) {
		unload(&l);
		return code;
	}
	const struct fwkit_uimage *img = &l.img;
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "uimage verify");
	emit_string(e, "file", NULL, pos[0]);
	emit_uint(e, "offset", NULL, offset, NULL);
	emit_bytes(e, "name", "Image Name", img->hdr.name, img->name_len);
	struct verdict v = { "", "" };
	char *failed = v.failed, detail[256];
	emit_begin_list(e, "checks", NULL);
	if (img->hcrc_ok)
		snprintf(detail, sizeof(detail), "0x%08x", img->hdr.hcrc);
	else
		snprintf(detail, sizeof(detail), "offset 0x%llx: stored 0x%08x, computed 0x%08x",
			 (unsigned long long)(img->offset + 4), img->hdr.hcrc, img->hcrc_computed);
	emit_check(e, "header-crc", "Header CRC", img->hcrc_ok, detail, failed, sizeof(v.failed));
	if (img->data_complete)
		snprintf(detail, sizeof(detail), "%u bytes, all present%s", img->data_size,
			 img->size_flags ? " (size field top byte taken as flags)" : "");
	else
		snprintf(detail, sizeof(detail), "offset 0x%llx: expected %u bytes after the header, found %llu",
			 (unsigned long long)(img->offset + 12), img->data_size, (unsigned long long)img->data_present);
	emit_check(e, "data-size", "Data Size", img->data_complete, detail, failed, sizeof(v.failed));
	if (img->dcrc_checked) {
		if (img->dcrc_ok)
			snprintf(detail, sizeof(detail), "0x%08x", img->hdr.dcrc);
		else
			snprintf(detail, sizeof(detail), "offset 0x%llx: stored 0x%08x, computed 0x%08x",
				 (unsigned long long)(img->offset + 0x18), img->hdr.dcrc, img->dcrc_computed);
		emit_check(e, "data-crc", "Data CRC", img->dcrc_ok, detail, failed, sizeof(v.failed));
	} else {
		emit_check(e, "data-crc", "Data CRC", false, "not checked: the payload is incomplete", failed,
			   sizeof(v.failed));
	}
	if (img->data_complete) {
		if (img->nparts) {
			for (size_t i = 0; i < img->nparts; i++) {
				char label[32];
				snprintf(label, sizeof(label), "Payload %zu", i);
				check_payload(e, &l, i, label, &v);
			}
		} else {
			check_payload(e, &l, 0, "Payload", &v);
		}
	}
	emit_end_list(e);
	/* a payload the decompression budget cut short is not vouched for: never "ok" (exit 1) */
	emit_bool(e, "ok", NULL, !failed[0] && !v.unchecked[0], NULL);
	emit_bool(e, "complete", NULL, !v.unchecked[0], NULL);
	char result[sizeof(v.failed) + sizeof(v.unchecked) + 64];
	if (failed[0])
		snprintf(result, sizeof(result), "FAILED: %s%s%s", failed, v.unchecked[0] ? "; not fully checked: " : "",
			 v.unchecked);
	else if (v.unchecked[0])
		snprintf(result, sizeof(result), "NOT FULLY CHECKED: %s (decompression budget hit)", v.unchecked);
	else
		snprintf(result, sizeof(result), "ok");
	emit_string(e, NULL, "Result", result);
	struct fwkit_findings *all = malloc(sizeof(*all));
	if (all) {
		*all = img->findings;
		fwkit_decompress_budget_report(l.ctx, FWKIT_SEV_ERROR, all);
	}
	emit_findings(e, pos[0], all ? all : &img->findings);
	free(all);
	code = failed[0] || v.unchecked[0] ? EXIT_PROBLEM : EXIT_OK_;
	unload(&l);
	return finish(e, code);
}

static int lookup_or_fail(const struct cli_command *self, int (*lookup)(const char *), const char *what,
			  const char *value, uint8_t *out)
{
	int v = lookup(value);
	if (v < 0) {
		cli_usage_error(self, "unknown %s '%s' (mkimage's names, e.g. mips, linux, kernel, lzma)", what, value);
		return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

static int run_create(int argc, char **argv, const struct cli_command *self)
{
	const char *arch = "powerpc", *os = "linux", *type = "kernel", *comp = "gzip", *name = NULL, *data = NULL;
	uint64_t load = 0, ep = 0;
	bool ep_given = false, dry_run = false, follow = false;
	/* Defaults are mkimage's (tools/mkimage.c params): arch ppc, os linux, type kernel, comp gzip. */
	const struct cli_option opts[] = {
		{ 'A', NULL, OPT_STRING, "ARCH", "architecture (default powerpc, as mkimage)", &arch, NULL },
		{ 'O', NULL, OPT_STRING, "OS", "operating system (default linux)", &os, NULL },
		{ 'T', NULL, OPT_STRING, "TYPE", "image type (default kernel)", &type, NULL },
		{ 'C', NULL, OPT_STRING, "COMP", "compression the payload already has (default gzip)", &comp, NULL },
		{ 'a', NULL, OPT_HEX, "LOAD", "load address, hexadecimal (default 0)", &load, NULL },
		{ 'e', NULL, OPT_HEX, "ENTRY", "entry point, hexadecimal (default: the load address)", &ep, &ep_given },
		{ 'n', NULL, OPT_STRING, "NAME", "image name (at most 32 bytes are kept)", &name, NULL },
		{ 'd', NULL, OPT_STRING, "DATA", "payload file; DATA1:DATA2:... for multi and script images", &data, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check and list the image, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 1);
	if (common.help)
		return EXIT_OK_;
	if (n < 0)
		return EXIT_USAGE;
	if (n != 1 || !data) {
		cli_usage_error(self, n != 1 ? "expected one OUT file" : "-d DATA is required");
		return EXIT_USAGE;
	}
	struct fwkit_uimage_build_params p = { 0 };
	if (lookup_or_fail(self, fwkit_uimage_arch_lookup, "architecture", arch, &p.arch) ||
	    lookup_or_fail(self, fwkit_uimage_os_lookup, "operating system", os, &p.os) ||
	    lookup_or_fail(self, fwkit_uimage_type_lookup, "image type", type, &p.type) ||
	    lookup_or_fail(self, fwkit_uimage_comp_lookup, "compression", comp, &p.comp))
		return EXIT_USAGE;
	if (p.os == 26) {
		/* mkimage takes load and entry for -O tee from the OP-TEE header inside the payload
		 * (tools/default_image.c); fwkit does not reproduce that, so it refuses rather than
		 * write an image whose addresses would differ from mkimage's. */
		cli_usage_error(self, "-O tee is not supported: mkimage derives its addresses from the OP-TEE header");
		return EXIT_USAGE;
	}
	if (load > UINT32_MAX || ep > UINT32_MAX) {
		cli_usage_error(self, "addresses must fit 32 bits");
		return EXIT_USAGE;
	}
	p.load = (uint32_t)load;
	p.ep = ep_given ? (uint32_t)ep : (uint32_t)load;
	p.name = name;
	p.time = (uint32_t)cli_source_date_epoch((int64_t)time(NULL));

	/* Only multi and script images split -d on ':' (mkimage does the same). */
	bool multi = p.type == FWKIT_UIMAGE_TYPE_MULTI || p.type == FWKIT_UIMAGE_TYPE_SCRIPT;
	char *list = strdup(data);
	char *names[MAX_DATA_FILES];
	size_t nfiles = 0;
	if (!list) {
		fprintf(stderr, "fwkit: out of memory\n");
		return EXIT_SYSTEM;
	}
	if (multi) {
		char *s = list;
		for (;;) {
			char *colon = strchr(s, ':');
			if (colon)
				*colon = '\0';
			if (nfiles == MAX_DATA_FILES) {
				free(list);
				cli_usage_error(self, "at most %d data files", MAX_DATA_FILES);
				return EXIT_USAGE;
			}
			names[nfiles++] = s;
			if (!colon)
				break;
			s = colon + 1;
		}
	} else {
		names[nfiles++] = list;
	}
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *files[MAX_DATA_FILES] = { 0 };
	struct fwkit_iovec parts[MAX_DATA_FILES];
	int code = EXIT_OK_;
	uint8_t *out = NULL;
	size_t out_len = 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (cli_same_file(names[i], pos[0])) {
			fprintf(stderr, "fwkit: %s: refusing to overwrite an input file\n", pos[0]);
			code = EXIT_USAGE;
			goto out;
		}
		if (fwkit_file_open(ctx, names[i], &files[i]) != FWKIT_OK) {
			code = cli_report_error(ctx);
			goto out;
		}
		parts[i].data = fwkit_file_data(files[i]);
		parts[i].len = fwkit_file_size(files[i]);
		if (parts[i].len == 0) {
			fprintf(stderr, "fwkit: %s: data file is empty: expected at least 1 byte (mkimage refuses it too)\n",
				names[i]);
			code = EXIT_INPUT;
			goto out;
		}
	}
	p.parts = parts;
	p.nparts = nfiles;
	if (fwkit_uimage_build(ctx, &p, &out, &out_len) != FWKIT_OK) {
		code = cli_report_error(ctx);
		goto out;
	}
	if (!dry_run) {
		code = cli_write_file(ctx, pos[0], out, out_len, follow);
		if (code)
			goto out;
	}
	/* Like mkimage, list what was made (parsed back from the bytes written). */
	struct fwkit_uimage img;
	if (fwkit_uimage_parse(ctx, out, out_len, 0, 0, &img) != FWKIT_OK) {
		code = cli_report_error(ctx);
		goto out;
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "uimage create");
	emit_string(e, "file", NULL, pos[0]);
	emit_bool(e, "written", NULL, !dry_run, NULL);
	emit_uint(e, "bytes", NULL, out_len, NULL);
	describe_image(e, &img, out_len);
	if (dry_run)
		emit_line(e, "(dry run: nothing written)");
	code = finish(e, EXIT_OK_);
out:
	free(out);
	for (size_t i = 0; i < nfiles; i++)
		fwkit_file_close(files[i]);
	fwkit_ctx_free(ctx);
	free(list);
	return code;
}

static int run_extract(int argc, char **argv, const struct cli_command *self)
{
	uint64_t offset = 0, magic = 0, part = 0;
	const char *out_path = NULL;
	bool force = false, dry_run = false, follow = false;
	const struct cli_option opts[] = {
		{ 'p', NULL, OPT_UINT, "N", "part of a multi-file image (default 0; other types, scripts included, give the whole payload, as dumpimage)", &part, NULL },
		{ 'o', NULL, OPT_STRING, "OUT", "file to write the payload to", &out_path, NULL },
		{ 0, "offset", OPT_UINT, "N", "where the image starts in FILE (default 0)", &offset, NULL },
		{ 0, "magic", OPT_HEX, "HEX", "accept a vendor magic instead of 27051956", &magic, NULL },
		{ 0, "force", OPT_FLAG, NULL, "extract even when a CRC is bad", &force, NULL },
		{ 0, "dry-run", OPT_FLAG, NULL, "check everything, write nothing", &dry_run, NULL },
		OPT_FOLLOW(follow),
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 1);
	if (common.help)
		return EXIT_OK_;
	if (n < 0)
		return EXIT_USAGE;
	if (n != 1 || !out_path) {
		cli_usage_error(self, n != 1 ? "expected one FILE" : "-o OUT is required");
		return EXIT_USAGE;
	}
	if (magic > UINT32_MAX || part > 1000) {
		cli_usage_error(self, "--magic must fit 32 bits and -p be a part number");
		return EXIT_USAGE;
	}
	if (cli_same_file(pos[0], out_path)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input file\n", out_path);
		return EXIT_USAGE;
	}
	struct loaded l;
	int code = load_image(&l, pos[0], offset, (uint32_t)magic);
	if (code != EXIT_OK_) {
		unload(&l);
		return code;
	}
	const struct fwkit_uimage *img = &l.img;
	if (!force && (!img->hcrc_ok || (img->dcrc_checked && !img->dcrc_ok))) {
		for (size_t i = 0; i < img->findings.count; i++)
			if (img->findings.items[i].severity == FWKIT_SEV_ERROR)
				cli_report_finding(pos[0], &img->findings.items[i]);
		fprintf(stderr, "fwkit: %s: refusing to extract from a damaged image (--force to extract anyway)\n", pos[0]);
		unload(&l);
		return EXIT_PROBLEM;
	}
	uint64_t off = 0, size = 0;
	if (fwkit_uimage_part_span(l.ctx, img, fwkit_file_size(l.file), (unsigned)part, &off, &size) != FWKIT_OK) {
		code = cli_report_error(l.ctx);
		/* a payload cut short is a verdict on the image (1), as verify says; no such part stays 3 */
		if (fwkit_ctx_error(l.ctx)->status == FWKIT_E_TRUNCATED)
			code = EXIT_PROBLEM;
		unload(&l);
		return code;
	}
	if (!dry_run) {
		code = cli_write_file(l.ctx, out_path, fwkit_file_data(l.file) + off, (size_t)size, follow);
		if (code) {
			unload(&l);
			return code;
		}
	}
	struct emitter *e = emitter_new(common.json, stdout);
	emit_string(e, "command", NULL, "uimage extract");
	emit_string(e, "file", NULL, pos[0]);
	emit_string(e, "output", NULL, out_path);
	emit_uint(e, "part", NULL, img->nparts ? part : 0, NULL);
	emit_uint(e, "source_offset", NULL, off, NULL);
	emit_uint(e, "bytes", NULL, size, NULL);
	emit_bool(e, "written", NULL, !dry_run, NULL);
	char buf[600];
	snprintf(buf, sizeof(buf), "%s%llu bytes from offset 0x%llx (part %llu) to %s", dry_run ? "(dry run) would write " : "",
		 (unsigned long long)size, (unsigned long long)off, (unsigned long long)(img->nparts ? part : 0), out_path);
	emit_string(e, NULL, "Extracted", buf);
	unload(&l);
	return finish(e, EXIT_OK_);
}

const struct cli_command cmd_uimage_list = {
	.name = "uimage list",
	.synopsis = "uimage list FILE [--offset N] [--magic HEX] [--json]",
	.summary = "list a U-Boot legacy image's header (mkimage -l -T kernel's lines), then what follows it",
	.run = run_list,
};

const struct cli_command cmd_uimage_verify = {
	.name = "uimage verify",
	.synopsis = "uimage verify FILE [--offset N] [--magic HEX] [--json]",
	.summary = "check header CRC, data size, data CRC and that the payload decompresses; exit 1 if any fails",
	.run = run_verify,
};

const struct cli_command cmd_uimage_create = {
	.name = "uimage create",
	.synopsis = "uimage create -A ARCH -O OS -T TYPE -C COMP -a LOAD -e ENTRY -n NAME -d DATA[:DATA2...] [--dry-run] [--json] OUT",
	.summary = "make a U-Boot legacy image, byte-identical to mkimage's for the same arguments and SOURCE_DATE_EPOCH",
	.run = run_create,
};

const struct cli_command cmd_uimage_extract = {
	.name = "uimage extract",
	.synopsis = "uimage extract FILE [-p N] -o OUT [--offset N] [--magic HEX] [--force] [--dry-run] [--json]",
	.summary = "write an image's payload (or part N of a multi-file image) to OUT, as dumpimage -T kernel -p N",
	.run = run_extract,
};
