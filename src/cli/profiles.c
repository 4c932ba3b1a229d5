/*
 * --profiles FILE, shared by every command that uses device profiles.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* --profiles FILE: the user's own profiles, added to the built-in ones. */
int cli_load_profiles(const char *path, struct profiles *pr)
{
	memset(pr, 0, sizeof(*pr));
	if (!path)
		return EXIT_OK_;
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_file *f = NULL;
	int code = EXIT_OK_;
	if (fwkit_file_open(ctx, path, &f) != FWKIT_OK ||
	    fwkit_profiles_from_json(ctx, (const char *)fwkit_file_data(f), fwkit_file_size(f), &pr->extra, &pr->nextra) !=
		    FWKIT_OK) {
		const struct fwkit_error *e = fwkit_ctx_error(ctx);
		fprintf(stderr, "fwkit: %s: %s%s%s\n", path, e->what, e->found[0] ? ": " : "", e->found);
		code = EXIT_INPUT;
	}
	fwkit_file_close(f);
	fwkit_ctx_free(ctx);
	return code;
}

