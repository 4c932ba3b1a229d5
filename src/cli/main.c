/*
 * fwkit: the command-line tool. Finds the command in the table, runs it, and makes sure
 * stdout was really written before reporting success.
 */
#include <string.h>

#include <json-c/json_c_version.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "cli/cli.h"

/*
 * fwkit --version: the tool's and the library's versions, then the libraries the parsers run on,
 * as their own version functions report them at run time (libfdt has none); then the optional
 * parts: flash (libflashrom), built in or not. The only place the tool
 * names a library other than libfwkit.
 */
static void print_version(void)
{
	printf("fwkit %s (libfwkit %s)\n", FWKIT_VERSION_STRING, fwkit_version());
	printf("built with: zlib %s, liblzma %s, libzstd %s, json-c %s, libfdt\n", zlibVersion(),
	       lzma_version_string(), ZSTD_versionString(), json_c_version());
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
	return cli_finish_stdout(code);
}
