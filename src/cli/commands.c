/*
 * The command table, git-style: one line per command, each defined in its own cmd_<name>.c.
 * `fwkit help` and the --help test walk this table.
 */
#include "cli/cli.h"

const struct cli_command *const cli_commands[] = {
	&cmd_uimage_create,
	&cmd_uimage_extract,
	&cmd_uimage_list,
	&cmd_uimage_verify,
	NULL,
};
