/*
 * The check every image gets before `fwkit build` writes it to a file or `fwkit flash write` /
 * `flash env set` / `flash mac set` to a chip: `fwkit check --via flashrom --dump BACKUP`
 * (include/fwkit/check.h), the same rules as the check command.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Runs fwkit check for a programmer's write of IMAGE over BACKUP; *OUT the result tree. */
static enum fwkit_status check_flashrom(struct fwkit_ctx *ctx, const uint8_t *image, size_t len, const uint8_t *backup,
					size_t backup_len, const struct fwkit_profile *p, unsigned may_change,
					struct fwkit_node **out)
{
	/* a profile of the user's without a programmer path still has its chip: the whole-chip path */
	struct fwkit_profile *copy = NULL;
	if (!fwkit_profile_method(p, FWKIT_VIA_FLASHROM) && p->nrecovery < FWKIT_PROFILE_MAX_RECOVERY &&
	    (copy = malloc(sizeof(*copy)))) {
		*copy = *p;
		copy->recovery[copy->nrecovery++] = (struct fwkit_recovery){
			.kind = FWKIT_RECOVERY_FLASHROM, .accepts = FWKIT_ACCEPT_FLASH_IMAGE, .flags = FWKIT_METHOD_WHOLE_BLOCKS,
			.steps = "a programmer writes the whole chip", .source = "fwkit flash" };
	}
	struct fwkit_check_request req = { .device = copy ? copy : p, .via = FWKIT_VIA_FLASHROM, .dump = backup,
					   .dump_len = backup_len, .may_change = may_change };
	enum fwkit_status st = fwkit_check(ctx, image, len, &req, out);
	free(copy);
	return st;
}

static const char *rule_text(const struct fwkit_node *r, const char *name)
{
	const struct fwkit_field *f = fwkit_node_get(r, name);
	return f && f->text ? f->text : "";
}

/* The rule CODE of a check result failed. */
static bool failed(const struct fwkit_node *n, const char *code)
{
	for (size_t i = 0; n && i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *r = fwkit_node_child(n, i);
		if (!strcmp(rule_text(r, "code"), code) && !strcmp(rule_text(r, "result"), "fail"))
			return true;
	}
	return false;
}

int flash_check_image(struct fwkit_ctx *ctx, const char *path, const uint8_t *image, size_t len, const uint8_t *backup,
		      size_t backup_len, const struct fwkit_profile *p, unsigned may_change)
{
	if (len != backup_len || len != p->flash_size) {
		fprintf(stderr, "fwkit: %s: %zu bytes: expected %u (the flash of %s, and the backup's %zu)\n", path, len,
			p->flash_size, p->id, backup_len);
		return EXIT_PROBLEM;
	}
	struct fwkit_node *now = NULL, *before = NULL;
	if (check_flashrom(ctx, image, len, backup, backup_len, p, may_change, &now) != FWKIT_OK ||
	    check_flashrom(ctx, backup, len, backup, backup_len, p, may_change, &before) != FWKIT_OK) {
		fwkit_node_free(now);
		return cli_report_error(ctx);
	}
	int code = EXIT_OK_;
	for (size_t i = 0; i < fwkit_node_child_count(now); i++) {
		const struct fwkit_node *r = fwkit_node_child(now, i);
		const char *res = rule_text(r, "result"), *rcode = rule_text(r, "code");
		if (!strcmp(res, "pass"))
			continue;
		/* a backup's own damage is the user's to see (inspect), not this write's to refuse */
		bool blocking = !strcmp(res, "fail") && !failed(before, rcode);
		fprintf(stderr, "fwkit: %s: %s: %s: %s%s\n", path, blocking ? "will-brick" : "warning", rcode,
			rule_text(r, "message"), !strcmp(res, "fail") && !blocking ? " (your backup has this too)" : "");
		if (blocking) {
			fprintf(stderr, "fwkit: %s: fix: %s\n", path, rule_text(r, "fix"));
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
