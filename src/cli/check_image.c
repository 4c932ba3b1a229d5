/*
 * The check every image gets before `fwkit build` writes it to a file or `fwkit flash write` to a
 * chip. One function, so that `fwkit check` (include/fwkit/check.h) takes its place in one spot.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* How many error findings the inspect tree N holds, and the first of them. */
static int count_errors(const struct fwkit_node *n, const struct fwkit_finding **first)
{
	int count = 0;
	for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
		if (fwkit_node_finding(n, i)->severity == FWKIT_SEV_ERROR && !count++ && !*first)
			*first = fwkit_node_finding(n, i);
	for (size_t i = 0; i < fwkit_node_child_count(n); i++)
		count += count_errors(fwkit_node_child(n, i), first);
	return count;
}

int flash_check_image(struct fwkit_ctx *ctx, const char *path, const uint8_t *image, size_t len, const uint8_t *backup,
		      size_t backup_len, const struct fwkit_profile *p)
{
	if (len != backup_len || len != p->flash_size) {
		fprintf(stderr, "fwkit: %s: %zu bytes: expected %u (the flash of %s, and the backup's %zu)\n", path, len,
			p->flash_size, p->id, backup_len);
		return EXIT_PROBLEM;
	}
	struct fwkit_node *id = NULL;
	if (fwkit_identify_file(ctx, image, len, NULL, 0, &id) != FWKIT_OK)
		return cli_report_error(ctx);
	const struct fwkit_field *field = fwkit_node_get(id, "kind");
	enum fwkit_file_kind kind = field ? (enum fwkit_file_kind)field->u : FWKIT_KIND_UNKNOWN;
	fwkit_node_free(id);
	if (kind != FWKIT_KIND_FLASH_DUMP) {
		fprintf(stderr, "fwkit: %s: expected a whole flash dump (a bootloader at 0), found %s\n", path,
			fwkit_file_kind_name(kind));
		return EXIT_PROBLEM;
	}
	struct fwkit_node *now = NULL, *before = NULL;
	int code = EXIT_OK_;
	const struct fwkit_finding *first = NULL, *unused = NULL;
	if (fwkit_inspect(ctx, image, len, p, NULL, 0, &now) != FWKIT_OK ||
	    fwkit_inspect(ctx, backup, len, p, NULL, 0, &before) != FWKIT_OK) {
		code = cli_report_error(ctx);
	} else {
		int errors = count_errors(now, &first), had = count_errors(before, &unused);
		/* a backup's own damage is the user's to see (inspect), not this write's to refuse */
		if (errors > had) {
			fprintf(stderr, "fwkit: %s: offset 0x%llx: inspect finds %d error%s (the backup %d), the first: %s\n", path,
				(unsigned long long)first->offset, errors, errors == 1 ? "" : "s", had, first->message);
			code = EXIT_PROBLEM;
		}
	}
	fwkit_node_free(now);
	fwkit_node_free(before);
	return code;
}

/* The device: --device, else the one the image identifies as (clear best candidate). */
const struct fwkit_profile *flash_device_of(struct fwkit_ctx *ctx, const struct profiles *pr, const char *device,
					     const uint8_t *image, size_t len, const char *what)
{
	if (device) {
		const struct fwkit_profile *p = fwkit_profile_find(device, pr->extra, pr->nextra);
		if (!p)
			fprintf(stderr, "fwkit: unknown device '%s' (see 'fwkit profile list')\n", device);
		return p;
	}
	struct fwkit_identification *id = calloc(1, sizeof(*id));
	const struct fwkit_profile *p = NULL;
	if (id && fwkit_identify(ctx, image, len, pr->extra, pr->nextra, id) == FWKIT_OK && id->n &&
	    (id->n == 1 || id->c[1].score < id->c[0].score || id->c[1].same_layout_as_best))
		p = id->c[0].profile;
	else
		fprintf(stderr, "fwkit: %s: cannot tell which device this is; give --device ID\n", what);
	free(id);
	return p;
}
