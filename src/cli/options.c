/*
 * Option-table parsing and generated help. Each command declares its options as a table;
 * --help text comes from that table, so help and behaviour cannot drift apart.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char *kind_default_arg(enum opt_kind k)
{
	switch (k) {
	case OPT_UINT: return "N";
	case OPT_HEX: return "HEX";
	case OPT_STRING: return "VALUE";
	default: return NULL;
	}
}

static enum cli_help_format help_format = CLI_HELP_TEXT;

void cli_set_help_format(enum cli_help_format format)
{
	help_format = format;
}

/* The option's left column: "-o, --out OUT", "-f", "    --json". */
static void option_spelling(const struct cli_option *o, char *left, size_t size)
{
	const char *arg = o->arg_name ? o->arg_name : kind_default_arg(o->kind);
	if (o->short_name && o->long_name)
		snprintf(left, size, "-%c, --%s%s%s", o->short_name, o->long_name, arg ? " " : "", arg ? arg : "");
	else if (o->short_name)
		snprintf(left, size, "-%c%s%s", o->short_name, arg ? " " : "", arg ? arg : "");
	else
		snprintf(left, size, "    --%s%s%s", o->long_name, arg ? " " : "", arg ? arg : "");
}

/* The options every command takes, after its own table. */
static const struct cli_option common_options[] = {
	{ 0, "json", OPT_FLAG, NULL, "print the result as JSON (schema " "1" ")", NULL, NULL },
	{ 'h', "help", OPT_FLAG, NULL, "print this help and exit", NULL, NULL },
	OPT_END,
};

/* troff text: a leading '.' or '\'' would start a request, a backslash an escape. */
static void troff_text(const char *s, FILE *out)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void print_options_troff(const struct cli_option *options, FILE *out)
{
	for (const struct cli_option *o = options; o && (o->short_name || o->long_name); o++) {
		char left[64];
		option_spelling(o, left, sizeof(left));
		const char *l = left;
		while (*l == ' ')
			l++;
		fputs(".TP\n\\fB", out);
		troff_text(l, out);
		fputs("\\fR\n", out);
		troff_text(o->help, out);
		fputc('\n', out);
	}
}

/* One man-page subsection: the synopsis as its heading, the summary, the options. */
static void print_help_troff(const struct cli_command *cmd, const struct cli_option *options, FILE *out)
{
	fputs(".SS \"", out);
	troff_text(cmd->name, out);
	fputs("\"\n.B fwkit\n", out);
	troff_text(cmd->synopsis, out);
	fputs("\n.PP\n", out);
	troff_text(cmd->summary, out);
	fputc('\n', out);
	print_options_troff(options, out);
	print_options_troff(common_options, out);
}

/* One line for the shell completion: the command's name, a tab, every option spelling. */
static void print_help_words(const struct cli_command *cmd, const struct cli_option *options, FILE *out)
{
	fprintf(out, "%s\t", cmd->name);
	const struct cli_option *tables[] = { options, common_options };
	for (size_t t = 0; t < 2; t++)
		for (const struct cli_option *o = tables[t]; o && (o->short_name || o->long_name); o++) {
			if (o->short_name)
				fprintf(out, "-%c ", o->short_name);
			if (o->long_name)
				fprintf(out, "--%s ", o->long_name);
		}
	fputc('\n', out);
}

void cli_print_help(const struct cli_command *cmd, const struct cli_option *options, FILE *out)
{
	if (help_format == CLI_HELP_TROFF) {
		print_help_troff(cmd, options, out);
		return;
	}
	if (help_format == CLI_HELP_WORDS) {
		print_help_words(cmd, options, out);
		return;
	}
	fprintf(out, "usage: fwkit %s\n\n%s\n\noptions:\n", cmd->synopsis, cmd->summary);
	const struct cli_option *tables[] = { options, common_options };
	for (size_t t = 0; t < 2; t++)
		for (const struct cli_option *o = tables[t]; o && (o->short_name || o->long_name); o++) {
			char left[64];
			option_spelling(o, left, sizeof(left));
			fprintf(out, "  %-24s %s\n", left, o->help);
		}
}

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fwkit: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: fwkit %s\n(see 'fwkit %s --help')\n", cmd->synopsis, cmd->name);
	return -1;
}

bool cli_parse_u64(const char *s, int base, uint64_t max, uint64_t *out)
{
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, base);
	if (errno || !end || *end || end == s || v > max)
		return false;
	*out = v;
	return true;
}

static int set_value(const struct cli_command *cmd, const struct cli_option *o, const char *arg, const char *spelled)
{
	if (o->seen)
		*o->seen = true;
	switch (o->kind) {
	case OPT_FLAG: *(bool *)o->value = true; return 0;
	case OPT_STRING: *(const char **)o->value = arg; return 0;
	case OPT_UINT:
	case OPT_HEX:
		if (!cli_parse_u64(arg, o->kind == OPT_HEX ? 16 : 0, UINT64_MAX, (uint64_t *)o->value))
			return cli_usage_error(cmd, "option '%s': '%s' is not a %s number", spelled, arg,
					       o->kind == OPT_HEX ? "hexadecimal" : "non-negative");
		return 0;
	}
	return 0;
}

int cli_parse(const struct cli_command *cmd, const struct cli_option *options, int argc, char **argv,
	      struct common_opts *common, char **pos, int maxpos)
{
	int npos = 0;
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || a[1] == '\0') {
			if (npos >= maxpos)
				return cli_usage_error(cmd, "unexpected argument '%s'", a);
			pos[npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			common->json = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			/* help wins over everything else on the line */
			cli_print_help(cmd, options, stdout);
			common->help = true;
			return 0;
		}
		const struct cli_option *found = NULL;
		const char *inline_arg = NULL;
		if (a[1] == '-') {
			const char *name = a + 2;
			const char *eq = strchr(name, '=');
			size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
			for (const struct cli_option *o = options; o && (o->short_name || o->long_name); o++)
				if (o->long_name && strlen(o->long_name) == nlen && strncmp(o->long_name, name, nlen) == 0)
					found = o;
			if (eq)
				inline_arg = eq + 1;
		} else {
			for (const struct cli_option *o = options; o && (o->short_name || o->long_name); o++)
				if (o->short_name == a[1])
					found = o;
			if (found && a[2])
				inline_arg = a + 2;
		}
		if (!found)
			return cli_usage_error(cmd, "unknown option '%s'", a);
		if (found->kind == OPT_FLAG) {
			if (inline_arg)
				return cli_usage_error(cmd, "option '%s' takes no value", a);
			set_value(cmd, found, NULL, a);
			continue;
		}
		const char *arg = inline_arg;
		if (!arg) {
			if (i + 1 >= argc)
				return cli_usage_error(cmd, "option '%s' needs a value", a);
			arg = argv[++i];
		}
		if (set_value(cmd, found, arg, a) < 0)
			return -1;
	}
	return npos;
}

bool cli_args(const struct cli_command *cmd, const struct cli_option *options, int argc, char **argv,
	      struct common_opts *common, char **pos, int want, const char *what, int *exit_code)
{
	int n = cli_parse(cmd, options, argc, argv, common, pos, want);
	if (common->help) {
		*exit_code = EXIT_OK_;
		return false;
	}
	if (n != want) {
		if (n >= 0)
			cli_usage_error(cmd, want == 1 ? "expected one %s" : "expected %s", what);
		*exit_code = EXIT_USAGE;
		return false;
	}
	return true;
}
