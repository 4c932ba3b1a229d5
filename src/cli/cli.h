/*
 * Shared pieces of the fwkit command line: exit codes, the option-table parser, the command
 * table and the helpers every command uses to report errors the same way.
 */
#ifndef FWKIT_CLI_H
#define FWKIT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fwkit/fwkit.h"

/* Exit codes: docs/exit-codes.md. */
enum {
	EXIT_OK_ = 0,      /* ran, nothing blocking found */
	EXIT_PROBLEM = 1,  /* the check ran and found a blocking problem */
	EXIT_USAGE = 2,    /* usage error */
	EXIT_INPUT = 3,    /* input unreadable or invalid */
	EXIT_SYSTEM = 4,   /* I/O or system error */
};

enum opt_kind {
	OPT_FLAG,   /* bool */
	OPT_STRING, /* const char * */
	OPT_UINT,   /* uint64_t, decimal or 0x hex */
	OPT_HEX,    /* uint64_t, hexadecimal with or without 0x (mkimage's -a/-e) */
};

struct cli_option {
	char short_name;       /* 0: none */
	const char *long_name; /* NULL: none */
	enum opt_kind kind;
	const char *arg_name;  /* shown in help, e.g. "N" */
	const char *help;
	void *value;           /* bool *, const char **, uint64_t * */
	bool *seen;            /* optional: set when given */
};

struct cli_command {
	const char *name;
	const char *synopsis; /* man-page form, without "fwkit " */
	const char *summary;
	/* ARGV[0] is the command's last word; the function declares its option table and calls cli_parse. */
	int (*run)(int argc, char **argv, const struct cli_command *self);
};

#define OPT_END { 0, NULL, OPT_FLAG, NULL, NULL, NULL, NULL }
/* Every command that writes a file takes --follow: without it a symlink output is refused. */
#define OPT_FOLLOW(var) { 0, "follow", OPT_FLAG, NULL, "the output may be a symbolic link: write the file it points at", &(var), NULL }

/* Common options every command takes. */
struct common_opts {
	bool json;
	bool help;
};

/*
 * Parses ARGV (ARGV[0] is the command name) against OPTIONS plus --json and --help.
 * Positional arguments are gathered into POS (at most MAXPOS). Returns -1 after printing a usage
 * error; otherwise the number of positional arguments.
 */
int cli_parse(const struct cli_command *cmd, const struct cli_option *options, int argc, char **argv,
	      struct common_opts *common, char **pos, int maxpos);
void cli_print_help(const struct cli_command *cmd, const struct cli_option *options, FILE *out);
/*
 * What cli_print_help prints: the --help text, a man-page subsection (troff), or one line of the
 * command's name and option spellings (for the shell completion). The man page and the completion
 * are made by running every command's --help in those formats (`fwkit help --man|--words`), so
 * they come from the same option tables as --help.
 */
enum cli_help_format { CLI_HELP_TEXT, CLI_HELP_TROFF, CLI_HELP_WORDS };
void cli_set_help_format(enum cli_help_format format);
/*
 * cli_parse for a command that takes exactly WANT positional arguments (named WHAT in the usage
 * error). Returns true to go on; false when the command must return *EXIT_CODE now (after --help,
 * 0; after a usage error, 2).
 */
bool cli_args(const struct cli_command *cmd, const struct cli_option *options, int argc, char **argv,
	      struct common_opts *common, char **pos, int want, const char *what, int *exit_code);
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reports the context's last error on stderr ("fwkit: FILE: offset 0x..: what: expected E, found F")
 * and returns the exit code for its status. */
int cli_report_error(struct fwkit_ctx *ctx);
/* The last message cli_report_error printed ("" when none): the --json failure document's error. */
const char *cli_last_error(void);
int cli_exit_for_status(enum fwkit_status st);

/* Reports a finding on stderr, as "fwkit: FILE: offset 0x..: severity: message: expected E, found F". */
void cli_report_finding(const char *file, const struct fwkit_finding *f);

/* The one-line reason for exit 1 when the findings are on stdout: "FILE: offset 0x..: N errors, the first: MESSAGE". */
void cli_report_summary(const char *file, const struct fwkit_finding *first_error, int errors);

/* Flushes and closes stdout; a failure (full disk, closed pipe) becomes EXIT_SYSTEM. */
int cli_finish_stdout(int code);

/* -o OUT is given and does not name INPUT: EXIT_OK_, else the usage error printed and EXIT_USAGE. */
int cli_require_output(const struct cli_command *cmd, const char *input, const char *out);

/* Prints a result tree as JSON (the library's serialisation, schema 2); on failure reports the error. */
int cli_print_node_json(struct fwkit_ctx *ctx, const struct fwkit_node *node);

/* Writes DATA to PATH atomically (fwkit_write_atomic_ex, FOLLOW allows a symlink output); on failure
 * reports the error and returns its exit code, else 0. */
int cli_write_file(struct fwkit_ctx *ctx, const char *path, const void *data, size_t len, bool follow);

/* True when A and B name the same existing file (so an output would overwrite an input). */
bool cli_same_file(const char *a, const char *b);

/* mkimage's SOURCE_DATE_EPOCH rule: leading decimal number, 0 when none; FALLBACK when unset. */
int64_t cli_source_date_epoch(int64_t fallback);

/* Ranged number parsing (the only place strtoull is called). BASE 0 accepts 0x. */
bool cli_parse_u64(const char *s, int base, uint64_t max, uint64_t *out);

/* --profiles FILE: the user's own profiles, added to the built-in ones (free EXTRA with free()). */
struct profiles {
	struct fwkit_profile *extra;
	size_t nextra;
};
int cli_load_profiles(const char *path, struct profiles *pr);

/* The check before an image is written (check_image.c): `fwkit check --via flashrom --dump BACKUP`
 * for P, with the partitions of MAY_CHANGE (bits 1 << enum fwkit_part_content) allowed to differ;
 * a rule that fails for the backup too is the backup's own damage (reported, not refused). 0, or
 * the exit code after printing the reasons. */
int flash_check_image(struct fwkit_ctx *ctx, const char *path, const uint8_t *image, size_t len, const uint8_t *backup,
		      size_t backup_len, const struct fwkit_profile *p, unsigned may_change);
/* The device of IMAGE (named WHAT in messages): DEVICE (an id), else its clear best candidate; NULL after
 * saying why. */
const struct fwkit_profile *flash_device_of(struct fwkit_ctx *ctx, const struct profiles *pr, const char *device,
					    const uint8_t *image, size_t len, const char *what);

/* The command table (commands.c); each entry is defined in its cmd_<name>.c. */
extern const struct cli_command cmd_check;
extern const struct cli_command cmd_uimage_list, cmd_uimage_verify, cmd_uimage_create, cmd_uimage_extract;
extern const struct cli_command cmd_env_find, cmd_env_list, cmd_env_get, cmd_env_set, cmd_env_unset, cmd_env_import,
	cmd_env_export, cmd_env_config, cmd_env_create, cmd_env_corrupt, cmd_serve, cmd_scan, cmd_identify, cmd_poray_boards,
	cmd_poray_show, cmd_poray_decode, cmd_poray_encode, cmd_sysupgrade_show, cmd_sysupgrade_strip;
extern const struct cli_command cmd_profile_from_dump, cmd_profile_list, cmd_profile_show, cmd_inspect, cmd_mac_list, cmd_mac_set, cmd_layout,
	cmd_compare;
extern const struct cli_command cmd_extract;
extern const struct cli_command cmd_image_show, cmd_image_verify, cmd_image_unwrap;
extern const struct cli_command cmd_flash_probe, cmd_flash_read, cmd_flash_write, cmd_flash_env, cmd_flash_mac, cmd_build;
extern const struct cli_command *const cli_commands[];

#endif
