/*
 * The command table, git-style: one line per command, each defined in its own cmd_<name>.c.
 * `fwkit help` and the --help test walk this table.
 */
#include "cli/cli.h"

const struct cli_command *const cli_commands[] = {
	&cmd_compare,
	&cmd_env_config,
	&cmd_env_corrupt,
	&cmd_env_create,
	&cmd_env_export,
	&cmd_env_find,
	&cmd_env_get,
	&cmd_env_import,
	&cmd_env_list,
	&cmd_env_set,
	&cmd_env_unset,
	&cmd_extract,
	&cmd_identify,
	&cmd_image_show,
	&cmd_image_unwrap,
	&cmd_image_verify,
	&cmd_inspect,
	&cmd_layout,
	&cmd_mac_list,
	&cmd_mac_set,
	&cmd_poray_boards,
	&cmd_poray_decode,
	&cmd_poray_encode,
	&cmd_poray_show,
	&cmd_profile_from_dump,
	&cmd_profile_list,
	&cmd_profile_show,
	&cmd_scan,
	&cmd_serve,
	&cmd_sysupgrade_show,
	&cmd_sysupgrade_strip,
	&cmd_uimage_create,
	&cmd_uimage_extract,
	&cmd_uimage_list,
	&cmd_uimage_verify,
	NULL,
};
