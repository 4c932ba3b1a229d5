/*
 * fwkit: the command-line tool. Finds the command in the table, runs it, and makes sure
 * stdout was really written before reporting success.
 */
#include <string.h>

#include <json-c/json_c_version.h>
#include <lzma.h>
#include <zlib.h>
#ifndef FWKIT_DISABLE_ZSTD
#include <zstd.h>
#endif

#include "cli/cli.h"
#include "cli/emit.h"

/* The parts a configure-time switch can leave out (CMakeLists.txt: FWKIT_DISABLE_*). */
static const struct optional_part {
	const char *name;
	bool built;
	const char *detail;
} optional_parts[] = {
#ifdef FWKIT_DISABLE_SQUASHFS
	{ "squashfs", false, "" },
#else
	{ "squashfs", true, " (libsquashfs " FWKIT_SQUASHFS_VERSION ")" },
#endif
#ifdef FWKIT_DISABLE_ZSTD
	{ "zstd", false, "" },
#else
	{ "zstd", true, "" },
#endif
#ifdef FWKIT_DISABLE_TFTP
	{ "tftp-server", false, "" },
#else
	{ "tftp-server", true, "" },
#endif
};

/* "optional parts: squashfs (libsquashfs 1.2.0), tftp-server" or "...: none; left out: tftp-server" */
static void print_parts(void)
{
	size_t n = sizeof(optional_parts) / sizeof(optional_parts[0]), built = 0;
	printf("optional parts:");
	for (size_t i = 0; i < n; i++)
		if (optional_parts[i].built)
			printf("%s %s%s", built++ ? "," : "", optional_parts[i].name, optional_parts[i].detail);
	if (!built)
		printf(" none");
	for (size_t i = 0, out = 0; i < n; i++)
		if (!optional_parts[i].built)
			printf("%s %s", out++ ? "," : "; left out:", optional_parts[i].name);
	printf("\n");
#ifdef FWKIT_NO_NSS
	printf("static build: no user-name lookups (serve --user takes UID[:GID])\n");
#endif
}

/*
 * fwkit --version: the tool's and the library's versions, then the libraries the parsers run on,
 * as their own version functions report them at run time (libfdt has none), then the optional
 * parts built in and left out, and whether flash (libflashrom) is. The only place the tool names
 * a library other than libfwkit.
 */
static void print_version(void)
{
	printf("fwkit %s (libfwkit %s)\n", FWKIT_VERSION_STRING, fwkit_version());
#ifdef FWKIT_DISABLE_ZSTD
	printf("built with: zlib %s, liblzma %s, json-c %s, libfdt\n", zlibVersion(), lzma_version_string(),
	       json_c_version());
#else
	printf("built with: zlib %s, liblzma %s, libzstd %s, json-c %s, libfdt\n", zlibVersion(),
	       lzma_version_string(), ZSTD_versionString(), json_c_version());
#endif
	print_parts();
	const char *flash = fwkit_flash_backend();
	printf("flash: %s\n", flash ? flash : "not built in (configure with libflashrom-dev)");
}

static void print_commands(FILE *out)
{
	fprintf(out, "usage: fwkit [--version] [help] <command> [<args>]\n\ncommands:\n");
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		fprintf(out, "  %-18s %s\n", (*c)->name, (*c)->summary);
	fprintf(out, "\n'fwkit <command> --help' describes one command; exit codes: docs/exit-codes.md\n");
}

/*
 * fwkit help --man | --words (for the build, not the user): every command's --help, from its own
 * option table, as a man-page subsection or as a completion line (cli_print_help).
 */
static int print_all_help(enum cli_help_format format)
{
	cli_set_help_format(format);
	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		const char *sp = strrchr((*c)->name, ' ');
		char *word = (char *)(sp ? sp + 1 : (*c)->name);
		char *hargv[] = { word, "--help", NULL };
		int code = (*c)->run(2, hargv, *c);
		if (code != EXIT_OK_)
			return code;
	}
	return EXIT_OK_;
}

/* Finds the command named by one or two words (e.g. "uimage list"); *used is how many. */
static const struct cli_command *find_command(int argc, char **argv, int *used)
{
	for (const struct cli_command *const *c = cli_commands; *c; c++) {
		const char *name = (*c)->name;
		const char *sp = strchr(name, ' ');
		if (!sp) {
			if (argc >= 1 && strcmp(argv[0], name) == 0) {
				*used = 1;
				return *c;
			}
		} else if (argc >= 2 && strlen(argv[0]) == (size_t)(sp - name) &&
			   strncmp(argv[0], name, (size_t)(sp - name)) == 0 && strcmp(argv[1], sp + 1) == 0) {
			*used = 2;
			return *c;
		}
	}
	return NULL;
}

static bool is_group(const char *word)
{
	size_t n = strlen(word);
	for (const struct cli_command *const *c = cli_commands; *c; c++)
		if (strncmp((*c)->name, word, n) == 0 && (*c)->name[n] == ' ')
			return true;
	return false;
}

/* --json among the command's arguments (before a "--" that ends the options). */
static bool wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return false;
		if (!strcmp(argv[i], "--json"))
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		print_version();
		return cli_finish_stdout(EXIT_OK_);
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		if (argc == 3 && strcmp(argv[2], "--man") == 0)
			return cli_finish_stdout(print_all_help(CLI_HELP_TROFF));
		if (argc == 3 && strcmp(argv[2], "--words") == 0)
			return cli_finish_stdout(print_all_help(CLI_HELP_WORDS));
		if (argc > 2) {
			int used = 0;
			const struct cli_command *c = find_command(argc - 2, argv + 2, &used);
			if (c) {
				char *hargv[] = { argv[1 + used], "--help", NULL };
				return cli_finish_stdout(c->run(2, hargv, c));
			}
		}
		print_commands(stdout);
		return cli_finish_stdout(EXIT_OK_);
	}
	int used = 0;
	const struct cli_command *c = find_command(argc - 1, argv + 1, &used);
	if (!c) {
		if (is_group(argv[1])) {
			fprintf(stderr, "fwkit: '%s' needs a subcommand%s%s\n", argv[1], argc > 2 ? ", not " : "",
				argc > 2 ? argv[2] : "");
			for (const struct cli_command *const *k = cli_commands; *k; k++)
				if (strncmp((*k)->name, argv[1], strlen(argv[1])) == 0)
					fprintf(stderr, "  fwkit %s\n", (*k)->synopsis);
		} else {
			fprintf(stderr, "fwkit: '%s' is not a fwkit command; see 'fwkit help'\n", argv[1]);
		}
		return EXIT_USAGE;
	}
	int code = c->run(argc - used, argv + used, c);
	/* --json promises one JSON document on standard output: a command that failed before it
	 * printed its own gets the failure document (the reason also went to stderr) */
	if (code != EXIT_OK_ && !emit_json_printed() && wants_json(argc - used, argv + used))
		emit_failure_document(stdout, c->name, code, cli_last_error());
	return cli_finish_stdout(code);
}
