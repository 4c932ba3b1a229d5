/*
 * Helpers every command uses: error and finding reports, exit codes, closing stdout safely.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/emit.h"

int cli_exit_for_status(enum fwkit_status st)
{
	switch (st) {
	case FWKIT_OK: return EXIT_OK_;
	case FWKIT_E_INVALID_ARG:
	case FWKIT_E_OUTPUT_REFUSED: return EXIT_USAGE;
	case FWKIT_E_NOMEM:
	case FWKIT_E_IO: return EXIT_SYSTEM;
	case FWKIT_E_DOES_NOT_FIT:
	case FWKIT_E_UNSAFE: return EXIT_PROBLEM;
	default: return EXIT_INPUT;
	}
}

static char last_error[1024];

const char *cli_last_error(void)
{
	return last_error;
}

int cli_report_error(struct fwkit_ctx *ctx)
{
	const struct fwkit_error *err = fwkit_ctx_error(ctx);
	fwkit_error_format(err, last_error, sizeof(last_error));
	fprintf(stderr, "fwkit: %s\n", last_error);
	return cli_exit_for_status(err->status);
}

void cli_report_finding(const char *file, const struct fwkit_finding *f)
{
	size_t n = (size_t)snprintf(last_error, sizeof(last_error), "%s: offset 0x%llx: %s: %s", file,
				    (unsigned long long)f->offset, fwkit_severity_name(f->severity), f->message);
	if (n < sizeof(last_error) && f->expected[0] && f->found[0])
		snprintf(last_error + n, sizeof(last_error) - n, ": expected %s, found %s", f->expected, f->found);
	else if (n < sizeof(last_error) && f->expected[0])
		snprintf(last_error + n, sizeof(last_error) - n, ": expected %s", f->expected);
	fprintf(stderr, "fwkit: %s\n", last_error);
}

void cli_report_summary(const char *file, const struct fwkit_finding *f, int errors)
{
	fprintf(stderr, "fwkit: %s: offset 0x%llx: %d error%s, the first: %s\n", file, (unsigned long long)f->offset,
		errors, errors == 1 ? "" : "s", f->message);
}

int cli_finish_stdout(int code)
{
	/* A full disk or a closed pipe must not pass silently: git's rule. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "fwkit: cannot write to standard output: %s\n", strerror(errno));
		fclose(stdout);
		return EXIT_SYSTEM;
	}
	if (fclose(stdout) != 0) {
		fprintf(stderr, "fwkit: cannot close standard output: %s\n", strerror(errno));
		return EXIT_SYSTEM;
	}
	return code;
}

int cli_require_output(const struct cli_command *cmd, const char *input, const char *out)
{
	if (!out) {
		cli_usage_error(cmd, "give -o OUT");
		return EXIT_USAGE;
	}
	if (cli_same_file(input, out)) {
		fprintf(stderr, "fwkit: %s: refusing to overwrite the input\n", out);
		return EXIT_USAGE;
	}
	return EXIT_OK_;
}

int cli_print_node_json(struct fwkit_ctx *ctx, const struct fwkit_node *node)
{
	char *text = NULL;
	if (fwkit_node_to_json(ctx, node, true, &text) != FWKIT_OK)
		return cli_report_error(ctx);
	printf("%s\n", text);
	emit_note_json_printed();
	free(text);
	return EXIT_OK_;
}

int cli_write_file(struct fwkit_ctx *ctx, const char *path, const void *data, size_t len, bool follow)
{
	struct fwkit_iovec v = { data, len };
	if (fwkit_write_atomic_ex(ctx, path, &v, 1, follow ? FWKIT_WRITE_FOLLOW : 0) == FWKIT_OK)
		return EXIT_OK_;
	int code = cli_report_error(ctx);
	/* a refused output is the user's choice of name (2); anything else about writing is the system's (4) */
	return code == EXIT_USAGE ? code : EXIT_SYSTEM;
}

bool cli_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int64_t cli_source_date_epoch(int64_t fallback)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	if (!s)
		return fallback;
	/* mkimage: strtol(s, NULL, 10), so leading blanks and a sign are taken, junk after the
	 * digits is ignored, and no digits at all give 0. */
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	int64_t v = 0;
	while (*s >= '0' && *s <= '9' && v < INT64_MAX / 10 - 10)
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}
