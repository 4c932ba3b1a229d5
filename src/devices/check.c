/*
 * check: applies the rules of one write path (a method of the device's profile) to an image and
 * gives a verdict. Every rule adds a "rule" child with its result, reason, fix and source, so a
 * user sees what was checked, not only what failed. The rules and their sources: docs/check.md.
 */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cursor.h"
#include "core/internal.h"
#include "devices/rank.h"
#include "formats/payload.h"
#include "fwkit/check.h"
#include "fwkit/devicetree.h"
#include "fwkit/env.h"
#include "fwkit/imagecheck.h"
#include "fwkit/inspect.h"
#include "fwkit/poray.h"
#include "fwkit/scan.h"
#include "fwkit/sysupgrade.h"
#include "fwkit/uimage.h"

enum rule_result { RULE_PASS = 0, RULE_WARN, RULE_FAIL };
static const char *const RESULT_NAMES[] = { "pass", "warn", "fail" };
static const char *const VERDICT_NAMES[] = { "safe", "risky", "will-brick" };
static const char *const METHOD_NAMES[] = { "sysupgrade", "uboot-tftp", "breed-web", "vendor-web", "mtd-write", "flashrom" };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define SRC_FWTOOL "OpenWrt package/system/fwtool/files/lib/upgrade/fwtool.sh"
#define SRC_PLATFORM "OpenWrt target/linux/ramips/*/base-files/lib/upgrade/platform.sh"
#define SRC_BOOTM "U-Boot bootm: checks the uImage magic, header CRC and data CRC before it boots"

/* What a check run knows while its rules run. */
struct run {
	struct fwkit_ctx *ctx;
	const struct fwkit_check_request *req;
	const struct fwkit_profile *p;
	const struct fwkit_recovery *m;
	const uint8_t *img;
	size_t len;
	const uint8_t *payload;     /* the bytes the path writes to the target (decoded, stripped) */
	size_t payload_len;
	uint64_t target_offset;     /* where the payload lands on the flash */
	uint64_t limit;             /* bytes the path can write there */
	uint8_t *decoded;           /* a Poray file's firmware (owned) */
	struct fwkit_node *root, *id;
	unsigned bits;              /* enum fwkit_image_accept bits the image has */
	char kind[32];              /* what identify says it is */
	struct fwkit_fwtool fw;
	bool have_fw;
	struct fwkit_devicetree *dt;/* the image kernel's device tree, or NULL */
	struct fwkit_poray_info poray;
	bool is_poray;
	int worst;
};

const char *fwkit_verdict_name(enum fwkit_verdict v)
{
	return (unsigned)v < COUNT(VERDICT_NAMES) ? VERDICT_NAMES[v] : "unknown";
}

const char *fwkit_method_name(enum fwkit_method m)
{
	return (unsigned)m < COUNT(METHOD_NAMES) ? METHOD_NAMES[m] : "unknown";
}

bool fwkit_method_parse(const char *name, enum fwkit_method *out)
{
	for (size_t i = 0; name && i < COUNT(METHOD_NAMES); i++)
		if (!strcmp(name, METHOD_NAMES[i])) {
			*out = (enum fwkit_method)i;
			return true;
		}
	return false;
}

static bool kind_is_method(enum fwkit_recovery_kind k, enum fwkit_method m)
{
	switch (m) {
	case FWKIT_VIA_SYSUPGRADE: return k == FWKIT_RECOVERY_SYSUPGRADE;
	case FWKIT_VIA_UBOOT_TFTP: return k == FWKIT_RECOVERY_UBOOT_TFTP_MENU || k == FWKIT_RECOVERY_RESET_TFTP;
	case FWKIT_VIA_BREED_WEB: return k == FWKIT_RECOVERY_BREED_WEB;
	case FWKIT_VIA_VENDOR_WEB: return k == FWKIT_RECOVERY_VENDOR_WEB;
	case FWKIT_VIA_MTD_WRITE: return k == FWKIT_RECOVERY_MTD_WRITE;
	case FWKIT_VIA_FLASHROM: return k == FWKIT_RECOVERY_FLASHROM;
	}
	return false;
}

const struct fwkit_recovery *fwkit_profile_method(const struct fwkit_profile *p, enum fwkit_method m)
{
	for (size_t i = 0; p && i < p->nrecovery && i < FWKIT_PROFILE_MAX_RECOVERY; i++)
		if (kind_is_method(p->recovery[i].kind, m))
			return &p->recovery[i];
	return NULL;
}

enum fwkit_verdict fwkit_check_verdict(const struct fwkit_node *result)
{
	const struct fwkit_field *v = result ? fwkit_node_get(result, "verdict") : NULL;
	return v && v->u <= FWKIT_VERDICT_WILL_BRICK ? (enum fwkit_verdict)v->u : FWKIT_VERDICT_WILL_BRICK;
}

/* ---- recording rules ------------------------------------------------------------------- */

static void add_text(struct fwkit_node *n, const char *name, const char *s)
{
	fwkit_node_add_string(n, name, s, strlen(s));
}

/* One rule's outcome: a child "rule" of the result, and a finding of the root when it is not a pass. */
FWKIT_PRINTF(7, 8)
static void rule(struct run *r, const char *code, enum rule_result res, bool inferred, const char *source,
		 const char *fix, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct fwkit_node *n = fwkit_node_new("rule", 0, 0);
	if (!n)
		return;
	add_text(n, "code", code);
	fwkit_node_add_enum(n, "result", res, RESULT_NAMES[res]);
	add_text(n, "message", msg);
	add_text(n, "fix", fix ? fix : "");
	add_text(n, "source", source ? source : "");
	fwkit_node_add_bool(n, "inferred", inferred);
	fwkit_node_add_child(r->root, n);
	if (res != RULE_PASS) {
		struct fwkit_finding f = { .severity = res == RULE_FAIL ? FWKIT_SEV_ERROR : FWKIT_SEV_WARN };
		str_printf(f.code, sizeof(f.code), "check.%s", code);
		str_printf(f.message, sizeof(f.message), "%s", msg);
		fwkit_node_add_finding(r->root, &f);
	}
	if ((int)res > r->worst)
		r->worst = (int)res;
}

static const char *text_of(const struct fwkit_node *n, const char *name)
{
	const struct fwkit_field *f = n ? fwkit_node_get(n, name) : NULL;
	return f && f->text ? f->text : "";
}

static const struct fwkit_node *find_format(const struct fwkit_node *n, const char *format)
{
	if (!n)
		return NULL;
	if (!strcmp(fwkit_node_format(n), format))
		return n;
	for (size_t i = 0; i < fwkit_node_child_count(n); i++) {
		const struct fwkit_node *hit = find_format(fwkit_node_child(n, i), format);
		if (hit)
			return hit;
	}
	return NULL;
}

/* "1 234 567": the grouping the messages use, so a byte count reads at a glance. */
static const char *grouped(uint64_t v, char buf[32])
{
	char plain[24];
	snprintf(plain, sizeof(plain), "%llu", (unsigned long long)v);
	size_t n = strlen(plain), o = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = plain[i];
	}
	buf[o] = 0;
	return buf;
}

/* ---- names a device goes by -------------------------------------------------------------- */

/* A name an image gives its board matches profile P: one of its compatibles, or its id with the
 * vendor's '_' as ',' (OpenWrt's device names and DT compatibles), exactly and ignoring case. */
static bool names_device(const struct fwkit_profile *p, const char *name, size_t len)
{
	if (!len)
		return false;
	for (size_t k = 0; k < FWKIT_PROFILE_MAX_COMPAT; k++)
		if (p->compatible[k][0] && strlen(p->compatible[k]) == len && !strncasecmp(p->compatible[k], name, len))
			return true;
	char id[sizeof(p->id)];
	str_printf(id, sizeof(id), "%s", p->id);
	char *u = strchr(id, '_');
	if (u)
		*u = ',';
	return (strlen(id) == len && !strncasecmp(id, name, len)) || (strlen(p->id) == len && !strncasecmp(p->id, name, len));
}

/* The board names an image claims, gathered with their source, and whether one names the device. */
struct claims {
	char text[256];
	bool any, match, mismatch;
};

static void claim(struct claims *c, const struct fwkit_profile *p, const char *what, const char *name, size_t len)
{
	if (!len)
		return;
	bool m = names_device(p, name, len);
	c->any = true;
	c->match |= m;
	c->mismatch |= !m;
	size_t o = strlen(c->text);
	if (o + len + strlen(what) + 8 < sizeof(c->text))
		snprintf(c->text + o, sizeof(c->text) - o, "%s%s %.*s", o ? "; " : "", what, (int)len, name);
}

/* The board a vendor container at 0 names: a TP-Link hardware id, a NAND sysupgrade tar's board,
 * a Netgear CHK board id. */
static void claim_containers(struct run *r, struct claims *c)
{
	for (size_t i = 0; i < fwkit_node_child_count(r->id); i++) {
		const struct fwkit_node *n = fwkit_node_child(r->id, i);
		if (fwkit_node_offset(n) != 0)
			continue;
		const char *f = fwkit_node_format(n);
		const struct fwkit_field *hw = fwkit_node_get(n, "hw_id");
		if (!strcmp(f, "tplink") && hw) {
			char id[24];
			str_printf(id, sizeof(id), "0x%08llx", (unsigned long long)hw->u);
			claim(c, r->p, "TP-Link hardware id", id, strlen(id));
		}
		static const struct {
			const char *format, *field, *what;
		} named[] = { { "sysupgrade-tar", "board", "sysupgrade tar board" }, { "netgear-chk", "board_id", "Netgear board id" } };
		for (size_t k = 0; k < COUNT(named); k++) {
			const char *v = !strcmp(f, named[k].format) ? text_of(n, named[k].field) : "";
			claim(c, r->p, named[k].what, v, strlen(v));
		}
	}
}

/* supported_devices (and new_supported_devices) of the image's fwtool metadata. */
static void claim_metadata(struct run *r, struct claims *c, char *compat, size_t compat_cap)
{
	if (!r->have_fw || !r->fw.metadata)
		return;
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, r->fw.metadata, (int)r->fw.metadata_len) : NULL;
	json_tokener_free(tok);
	static const char *const keys[] = { "supported_devices", "new_supported_devices" };
	for (size_t k = 0; o && k < COUNT(keys); k++) {
		json_object *list;
		if (!json_object_object_get_ex(o, keys[k], &list) || !json_object_is_type(list, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(list) && i < 16; i++) {
			const char *s = json_object_get_string(json_object_array_get_idx(list, i));
			if (s)
				claim(c, r->p, k ? "new_supported_devices" : "supported_devices", s, strlen(s));
		}
	}
	json_object *cv;
	if (o && json_object_object_get_ex(o, "compat_version", &cv))
		str_printf(compat, compat_cap, "%s", json_object_get_string(cv));
	json_object_put(o);
}

static bool method_inferred(const struct run *r)
{
	return (r->m->flags & FWKIT_METHOD_INFERRED) != 0;
}

/* What identify calls a file, in words. */
static const char *noun(const char *kind)
{
	static const struct {
		const char *kind, *noun;
	} nouns[] = { { "openwrt-sysupgrade", "sysupgrade image" }, { "uimage-kernel", "kernel uImage" },
		      { "poray", "Poray factory file" },             { "flash-image", "whole-chip image" },
		      { "netgear-dni", "Netgear DNI factory file" },   { "trx", "TRX image" },
		      { "xiaomi-hdr", "Xiaomi stock image" },          { "tplink", "TP-Link factory image" },
		      { "seama", "Seama (D-Link) image" },             { "netgear-chk", "Netgear CHK image" },
		      { "sysupgrade-tar", "NAND sysupgrade tar" } };
	for (size_t i = 0; i < COUNT(nouns); i++)
		if (!strcmp(kind, nouns[i].kind))
			return nouns[i].noun;
	return kind;
}

/* ---- the rules ------------------------------------------------------------------------- */

/* What the file is (identify), and which of the kinds a method takes it is. */
static bool rule_what(struct run *r)
{
	const struct fwkit_field *kind = fwkit_node_get(r->id, "kind");
	const struct fwkit_field *image = fwkit_node_get(r->id, "image");
	unsigned k = kind ? (unsigned)kind->u : FWKIT_KIND_UNKNOWN;
	if (k == FWKIT_KIND_FIRMWARE_IMAGE && image) {
		str_printf(r->kind, sizeof(r->kind), "%s", image->text ? image->text : "firmware image");
		if (!strcmp(r->kind, "poray"))
			r->bits = FWKIT_ACCEPT_PORAY;
		else if (!strcmp(r->kind, "uimage-kernel") || !strcmp(r->kind, "openwrt-sysupgrade"))
			r->bits = FWKIT_ACCEPT_UIMAGE | (r->have_fw ? FWKIT_ACCEPT_SYSUPGRADE : 0);
	} else if (k == FWKIT_KIND_FLASH_DUMP) {
		str_printf(r->kind, sizeof(r->kind), "flash-image");
		r->bits = FWKIT_ACCEPT_FLASH_IMAGE;
	} else if (k == FWKIT_KIND_PARTITION) {
		str_printf(r->kind, sizeof(r->kind), "%s partition", text_of(r->id, "partition"));
		r->bits = FWKIT_ACCEPT_PARTITION;
	} else {
		str_printf(r->kind, sizeof(r->kind), "unknown");
	}
	add_text(r->root, "image", r->kind);
	if (k == FWKIT_KIND_UNKNOWN && fwkit_node_finding_count(r->id)) {
		/* a damaged container (a Poray file cut short): its own reason */
		const struct fwkit_finding *f = fwkit_node_finding(r->id, 0);
		rule(r, "what", RULE_FAIL, false, "fwkit identify", "download or make the file again",
		     "%s at 0x%llx%s%s%s%s", f->message, (unsigned long long)f->offset, f->expected[0] ? ": expected " : "",
		     f->expected, f->found[0] ? ", found " : "", f->found);
		return false;
	}
	if (k == FWKIT_KIND_UNKNOWN) {
		rule(r, "what", RULE_FAIL, false, "fwkit identify", "check that this is the file you meant to write",
		     "%zu bytes that are no firmware image, flash image or partition fwkit knows", r->len);
		return false;
	}
	rule(r, "what", RULE_PASS, false, "fwkit identify", NULL, "a %s (%s)", noun(r->kind), text_of(r->id, "evidence"));
	return true;
}

/* The fix for an image of the wrong kind: the command that makes the kind the path takes. */
static void kind_fix(struct run *r, char *fix, size_t cap)
{
	unsigned want = r->m->accepts;
	if ((want & FWKIT_ACCEPT_PORAY) && (r->bits & FWKIT_ACCEPT_UIMAGE))
		str_printf(fix, cap, "run: fwkit poray encode IMAGE --board %s -o IMAGE.factory.bin", r->m->board);
	else if ((want & FWKIT_ACCEPT_UIMAGE) && r->is_poray)
		str_printf(fix, cap, "this path wants the uImage inside: run fwkit poray decode IMAGE -o IMAGE.uimage");
	else if (want & FWKIT_ACCEPT_FLASH_IMAGE)
		str_printf(fix, cap, "make a whole-chip image from your own backup: fwkit build --from BACKUP --firmware IMAGE -o NEW");
	else if (r->bits & FWKIT_ACCEPT_FLASH_IMAGE)
		str_printf(fix, cap, "write a whole-chip image with a programmer (--via flashrom), or take the firmware part: "
				     "fwkit extract IMAGE --part firmware -o FIRMWARE");
	else
		str_printf(fix, cap, "use the OpenWrt image made for this path (sysupgrade.bin for sysupgrade and the bootloader)");
}

static void accepts_text(unsigned bits, char *out, size_t cap)
{
	size_t o = 0;
	out[0] = 0;
	for (unsigned b = 0; fwkit_image_accept_name(b); b++)
		if (bits & (1u << b) && o + 24 < cap)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " or " : "", fwkit_image_accept_name(b));
}

static void rule_kind(struct run *r)
{
	char fix[160], want[96];
	accepts_text(r->m->accepts, want, sizeof(want));
	kind_fix(r, fix, sizeof(fix));
	if (!(r->bits & r->m->accepts)) {
		rule(r, "kind", RULE_FAIL, method_inferred(r), r->m->source, fix, "this is a %s; %s takes %s", noun(r->kind),
		     METHOD_NAMES[r->req->via], want);
		return;
	}
	/* the MPR-L8 stock family wants the Poray file, HAME's own takes a uImage (seed 002) */
	if (r->req->via == FWKIT_VIA_VENDOR_WEB && (r->m->accepts & FWKIT_ACCEPT_PORAY) && !r->is_poray) {
		rule(r, "kind", RULE_WARN, false, "seed 002 (blog): MPR-L8 firmware wants the encoded file, HAME firmware the uImage",
		     fix, "a plain uImage is taken only by the HAME stock firmware; the %s stock firmware family wants the Poray file",
		     r->m->board);
		return;
	}
	if (r->req->via == FWKIT_VIA_SYSUPGRADE && !r->have_fw) {
		if (r->fw.cut)
			rule(r, "kind", RULE_FAIL, false, SRC_FWTOOL, "download the image again",
			     "the file ends inside its fwtool metadata (the block at 0x%llx): the image is cut", (unsigned long long)r->fw.cut_at);
		else if (r->req->force)
			rule(r, "kind", RULE_WARN, false, SRC_FWTOOL, "prefer the image with metadata (…-sysupgrade.bin)",
			     "no metadata: sysupgrade -F takes it without checking which board it is for");
		else
			rule(r, "kind", RULE_FAIL, false, SRC_FWTOOL, "use the …-sysupgrade.bin image, which carries metadata",
			     "sysupgrade refuses it: \"Image metadata not present\"");
		return;
	}
	rule(r, "kind", RULE_PASS, method_inferred(r), r->m->source, NULL, "%s takes a %s", METHOD_NAMES[r->req->via], noun(r->kind));
}

/* WANT is one of the ", "-separated names of LIST, ignoring case. */
static bool in_list(const char *list, const char *want)
{
	size_t n = strlen(want);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");
		if (len == n && !strncasecmp(p, want, n))
			return true;
		p += len;
		p += strspn(p, ", ");
	}
	return false;
}

/* A and B place the same partitions on the same flash: a dump cannot tell them apart by layout. */
static bool same_layout(const struct fwkit_profile *a, const struct fwkit_profile *b)
{
	return a && b && profiles_same_layout(a, b);
}

static void rule_board(struct run *r)
{
	struct claims c = { 0 };
	char compat[16] = "";
	bool poray_other = false; /* a factory file for another board's web UI: its key decides, not the kernel */
	if (r->dt) {
		/* the first compatible is the board; the others (the SoC's) only count when they name the device */
		claim(&c, r->p, "device tree compatible", r->dt->compatible[0], strlen(r->dt->compatible[0]));
		for (size_t i = 1; i < 4; i++)
			if (names_device(r->p, r->dt->compatible[i], strlen(r->dt->compatible[i])))
				claim(&c, r->p, "device tree compatible", r->dt->compatible[i], strlen(r->dt->compatible[i]));
	}
	claim_metadata(r, &c, compat, sizeof(compat));
	if (r->is_poray) {
		/* the Poray boards of the file's key; the method's own board must be among them */
		const struct fwkit_recovery *web = fwkit_profile_method(r->p, FWKIT_VIA_VENDOR_WEB);
		const char *want = r->m->board[0] ? r->m->board : web && web->board[0] ? web->board : NULL;
		bool ok = want && in_list(r->poray.boards, want);
		size_t o = strlen(c.text);
		snprintf(c.text + o, sizeof(c.text) - o, "%sPoray board %s", o ? "; " : "", r->poray.boards);
		c.any = true;
		c.match |= ok;
		c.mismatch |= !ok;
		poray_other = !ok;
	}
	static const char *const vendor_names[] = { "dni_device", "xiaomi_device" };
	for (size_t i = 0; i < COUNT(vendor_names); i++) {
		const char *v = text_of(r->id, vendor_names[i]);
		claim(&c, r->p, vendor_names[i], v, strlen(v));
	}
	claim_containers(r, &c);
	add_text(r->root, "claims", c.text);
	/* a path that checks the board refuses the image (sysupgrade's fwtool.sh, unless -F); on every
	 * other path the image's own names are what says whom its kernel is for */
	bool path_checks = (r->m->flags & FWKIT_METHOD_CHECKS_BOARD) && !r->req->force;
	const char *src = path_checks && r->have_fw ? SRC_FWTOOL : r->dt ? "the image's own device tree" : "the image's metadata";
	const struct fwkit_profile *theirs = fwkit_profile_find(text_of(r->id, "device"), r->req->extra, r->req->nextra);
	if (!c.any) {
		rule(r, "board", RULE_WARN, false, src, "make sure the image was built for this device",
		     "the image does not say which board it is for (no device tree, no metadata)");
	} else if (!c.match && !poray_other && !path_checks && theirs && same_layout(r->p, theirs)) {
		/* the seed's 3G v2 image on a 4A Gigabit through U-Boot's TFTP menu: same partitions, and
		 * it booted; the other board's drivers (LEDs, buttons, switch ports, radios) came with it */
		char fix[160];
		str_printf(fix, sizeof(fix), "use the image built for %s (or sysupgrade to it from this one)", r->p->id);
		char path[64];
		if (r->m->flags & FWKIT_METHOD_CHECKS_BOARD)
			str_printf(path, sizeof(path), "--force (sysupgrade -F) skips the board check");
		else
			str_printf(path, sizeof(path), "nothing on the %s path checks the board", METHOD_NAMES[r->req->via]);
		rule(r, "board", RULE_WARN, false, "the device profiles: the two place the same partitions", fix,
		     "this is a %s for %s (%s), which has this device's flash layout: it boots, with that board's LEDs, "
		     "buttons, switch ports and radios; %s", noun(r->kind), theirs->id, c.text, path);
	} else if (!c.match || poray_other) {
		char fix[160];
		str_printf(fix, sizeof(fix), "use the image built for %s", r->p->id);
		rule(r, "board", RULE_FAIL, false, src, fix, "this is a %s for %s; this device is %s%s", noun(r->kind), c.text, r->p->id,
		     r->req->via == FWKIT_VIA_SYSUPGRADE && r->req->force
			     ? " (sysupgrade -F skips this check on the router; the kernel is still for the other board)"
			     : "");
	} else if (c.mismatch) {
		rule(r, "board", RULE_WARN, false, src, "make sure the image was built for this device",
		     "the image names this device and others: %s", c.text);
	} else {
		rule(r, "board", RULE_PASS, false, src, NULL, "made for this device: %s", c.text);
	}
	if (r->req->via == FWKIT_VIA_SYSUPGRADE && compat[0] && strcmp(compat, "1.0") != 0)
		rule(r, "compat-version", RULE_WARN, false, SRC_FWTOOL,
		     "upgrade with sysupgrade -n (settings not kept), after reading the release notes",
		     "compat_version %s: a router running a 1.0 layout refuses to keep its settings with this image", compat);
}

/* Fits the partition and the path's own limit, in whole erase blocks where the path erases them. */
static void rule_size(struct run *r)
{
	char a[32], b[32], c[32];
	if (r->req->via == FWKIT_VIA_FLASHROM) {
		if (r->len != r->p->flash_size)
			rule(r, "size", RULE_FAIL, false, "the chip's size (profile)", "write an image of exactly the chip's size",
			     "%s bytes; the chip holds %s bytes", grouped(r->len, a), grouped(r->p->flash_size, b));
		else
			rule(r, "size", RULE_PASS, false, "the chip's size (profile)", NULL, "exactly the chip's %s bytes",
			     grouped(r->len, a));
		return;
	}
	uint64_t need = r->payload_len;
	if (r->m->flags & FWKIT_METHOD_WHOLE_BLOCKS)
		need = (need + r->p->erase_size - 1) / r->p->erase_size * r->p->erase_size;
	fwkit_node_add_uint(r->root, "written", r->payload_len, false);
	fwkit_node_add_uint(r->root, "limit", r->limit, false);
	if (r->is_poray) {
		const struct fwkit_poray_board *pb = fwkit_poray_board_find(r->m->board);
		if (pb && r->len > pb->max_file)
			rule(r, "poray-size", RULE_FAIL, false, "mkporayfw.c (formats.md 5)", "use a smaller image",
			     "%s bytes: %s bytes more than a %s factory file may hold", grouped(r->len, a),
			     grouped(r->len - pb->max_file, b), pb->name);
	}
	if (r->payload_len > r->limit)
		rule(r, "size", RULE_FAIL, method_inferred(r), r->p->source, "use a smaller image (fewer packages) or the image built for this device",
		     "%s bytes: %s bytes more than the %s partition holds (%s bytes)", grouped(r->payload_len, a),
		     grouped(r->payload_len - r->limit, b), r->m->target, grouped(r->limit, c));
	else if (need > r->limit)
		rule(r, "size", RULE_FAIL, method_inferred(r), r->p->source, "use a smaller image",
		     "%s bytes fit, but this path erases whole %u-byte blocks: %s bytes, more than the %s bytes of the %s partition",
		     grouped(r->payload_len, a), r->p->erase_size, grouped(need, b), grouped(r->limit, c), r->m->target);
	else
		rule(r, "size", RULE_PASS, method_inferred(r), r->p->source, NULL, "%s bytes of the %s bytes the %s partition holds%s",
		     grouped(r->payload_len, a), grouped(r->limit, b), r->m->target, r->payload_len == r->limit ? " (an exact fit)" : "");
}

/* Every checksum: the container's, the uImage's (U-Boot's bootm refuses a bad one), fwtool's. */
static void rule_checksums(struct run *r)
{
	if (r->is_poray && !r->poray.checksum_ok) {
		rule(r, "checksum", RULE_FAIL, false, "mkporayfw.c (formats.md 5)", "download the file again",
		     "the Poray checksum does not hold: expected 0x%04x, found 0x%04x", r->poray.checksum_computed,
		     r->poray.checksum_stored);
		return;
	}
	if (r->fw.cut) {
		struct fwkit_finding f;
		fwtool_cut_finding(r->img, r->len, &r->fw, &f);
		rule(r, "checksum", RULE_FAIL, false, SRC_FWTOOL, "download the image again", "offset 0x%llx: %s: expected %s, found %s",
		     (unsigned long long)f.offset, f.message, f.expected, f.found);
		return;
	}
	for (size_t i = 0; r->have_fw && i < r->fw.nblocks; i++)
		if (!r->fw.blocks[i].crc_ok) {
			rule(r, "checksum", RULE_FAIL, false, SRC_FWTOOL, "download the image again",
			     "the metadata block at 0x%llx has a bad CRC: sysupgrade refuses the image",
			     (unsigned long long)r->fw.blocks[i].offset);
			return;
		}
	struct fwkit_image_check *ic = calloc(1, sizeof(*ic));
	if (!ic)
		return;
	if (fwkit_image_check(r->ctx, r->payload, r->payload_len, ic) == FWKIT_OK && !ic->ok)
		rule(r, "checksum", RULE_FAIL, false, SRC_BOOTM, "download or build the image again", "%s", ic->why);
	else if (ic->is_uimage)
		rule(r, "checksum", RULE_PASS, false, SRC_BOOTM, NULL, "the uImage header and data CRCs hold%s",
		     r->is_poray ? ", and the Poray checksum" : r->have_fw ? ", and the metadata CRC" : "");
	free(ic);
}

/* The payload decodes and a root file system follows the kernel (scan --deep, within the budget). */
static void rule_payload(struct run *r, const struct fwkit_node *deep)
{
	const struct fwkit_finding *e = NULL;
	if (payload_errors(deep, false, &e, 1)) {
		rule(r, "payload", RULE_FAIL, false, "the format table's verify (scan --deep)", "download or build the image again",
		     "offset 0x%llx: %s", (unsigned long long)e->offset, e->message);
		return;
	}
	bool fs = find_format(deep, "squashfs") != NULL;
	if (!fs && r->m->accepts != FWKIT_ACCEPT_FLASH_IMAGE)
		rule(r, "payload", RULE_WARN, false, "OpenWrt images: kernel + squashfs root", "write the sysupgrade image, not the kernel or initramfs alone",
		     "a kernel with no root file system after it (an initramfs image boots, but keeps nothing)");
	else
		rule(r, "payload", RULE_PASS, false, "the format table's verify (scan --deep)", NULL,
		     "the kernel decodes%s", fs ? " and the squashfs root file system reads" : "");
}

static const struct fwkit_dt_partition *dt_part(const struct fwkit_devicetree *dt, const char *label)
{
	for (size_t i = 0; dt && i < dt->nparts && i < FWKIT_PROFILE_MAX_PARTS; i++)
		if (!strcmp(dt->parts[i].label, label))
			return &dt->parts[i];
	return NULL;
}

/* The image's own partition map (its device tree) against the device's. */
static void rule_partition_map(struct run *r)
{
	const struct fwkit_dt_partition *fw = dt_part(r->dt, "firmware");
	const struct fwkit_partition *mine = fwkit_profile_partition(r->p, "firmware");
	if (!r->dt) {
		rule(r, "partition-map", RULE_WARN, false, "the image's own device tree", "make sure the image was built for this device",
		     "no device tree found in the image's kernel: its partition map is unknown");
		return;
	}
	if (!fw || !mine) {
		rule(r, "partition-map", RULE_WARN, false, "the image's own device tree", "make sure the image was built for this device",
		     "the image's device tree declares no firmware partition to compare with this device's");
		return;
	}
	if (fw->offset != mine->offset || fw->size != mine->size) {
		char fix[96];
		str_printf(fix, sizeof(fix), "use the image built for %s", r->p->id);
		rule(r, "partition-map", RULE_FAIL, false, "the image's own device tree; the device profile", fix,
		     "the image's kernel looks for its firmware at 0x%x (0x%x bytes); on %s it is at 0x%x (0x%x bytes)", fw->offset,
		     fw->size, r->p->id, mine->offset, mine->size);
		return;
	}
	const struct fwkit_dt_partition *fac = dt_part(r->dt, "factory");
	const struct fwkit_partition *myfac = fwkit_profile_partition(r->p, "factory");
	if (fac && myfac && fac->offset != myfac->offset) {
		rule(r, "partition-map", RULE_FAIL, false, "the image's own device tree; the device profile",
		     "use the image built for this device",
		     "the image's kernel reads its calibration data and MACs at 0x%x; on this device they are at 0x%x",
		     fac->offset, myfac->offset);
		return;
	}
	rule(r, "partition-map", RULE_PASS, false, "the image's own device tree", NULL,
	     "the image's device tree puts the firmware at 0x%x (0x%x bytes), as this device has it", fw->offset, fw->size);
}

/* ---- the user's own backup ----------------------------------------------------------------- */

/* The value of NAME in the first Breed env of the dump, into OUT; false when there is none. */
static bool breed_var(struct run *r, const char *name, char *out, size_t cap, uint64_t *at)
{
	struct fwkit_env_scan *s = calloc(1, sizeof(*s));
	bool found = false;
	if (s && fwkit_env_find(r->ctx, r->req->dump, r->req->dump_len, s) == FWKIT_OK) {
		for (size_t i = 0; i < s->count && !found; i++) {
			if (s->blocks[i].kind != FWKIT_ENV_BREED)
				continue;
			struct fwkit_env_vars v = { 0 };
			if (fwkit_env_vars(r->ctx, r->req->dump, r->req->dump_len, &s->blocks[i], &v) != FWKIT_OK)
				continue;
			*at = s->blocks[i].offset;
			out[0] = 0;
			for (size_t k = 0; k < v.count && !found; k++)
				if (v.items[k].name_len == strlen(name) && !memcmp(v.items[k].name, name, v.items[k].name_len)) {
					str_printf(out, cap, "%.*s", (int)v.items[k].value_len, v.items[k].value);
					found = true;
				}
			fwkit_env_vars_free(&v);
			if (!found)
				found = (out[0] = 0, true); /* a Breed env without the variable: Breed's default */
		}
	}
	free(s);
	return found;
}

/* Breed boots what its autoboot.command names ("boot flash 0x180000"); it must be where this
 * path puts the kernel. Breed is closed source: the rule is inferred from its ENV (formats.md 4.4). */
static void rule_breed(struct run *r, bool breed)
{
	const char *src = "Breed's ENV autoboot.command (formats.md 4.4; xmir-patcher breed_boot_change)";
	if (!breed) {
		if (r->m->flags & FWKIT_METHOD_NEEDS_BREED)
			rule(r, "bootloader", RULE_FAIL, false, src, "install Breed first, or use --via uboot-tftp",
			     "your backup's bootloader is not Breed: there is no Breed web page on this router");
		return;
	}
	if (r->req->via == FWKIT_VIA_UBOOT_TFTP && r->req->dump) {
		/* the backup's bootloader is Breed: the stock U-Boot's TFTP menu (or its hold-reset TFTP
		 * pull) that this path relies on is gone with it; Breed recovers through its web page */
		rule(r, "bootloader", RULE_FAIL, true, "your backup's bootloader (Breed replaced U-Boot)", "use --via breed-web",
		     "your backup's bootloader is Breed, not the stock U-Boot whose TFTP recovery this path uses");
		return;
	}
	char cmd[128];
	uint64_t at = 0;
	if (!r->req->dump) {
		rule(r, "bootloader", RULE_WARN, true, src, "give your backup with --dump: fwkit then reads Breed's autoboot address",
		     "Breed boots what its autoboot.command names; without your backup fwkit cannot see where that is");
		return;
	}
	if (!breed_var(r, "autoboot.command", cmd, sizeof(cmd), &at) || !cmd[0]) {
		rule(r, "bootloader", RULE_WARN, true, src, "set autoboot.command in Breed to boot flash 0x<firmware offset>",
		     "Breed is the bootloader and no autoboot.command is set: where it boots from by default is not documented");
		return;
	}
	/* the first 0x number of the command: "boot flash 0x180000" */
	const char *hex = strstr(cmd, "0x");
	char digits[20] = "";
	uint64_t addr = UINT64_MAX;
	if (hex) {
		size_t n = strspn(hex + 2, "0123456789abcdefABCDEF");
		if (n && n < sizeof(digits)) {
			memcpy(digits, hex + 2, n);
			if (!num_parse_u64(digits, 16, UINT32_MAX, &addr))
				addr = UINT64_MAX;
		}
	}
	if (addr != r->target_offset) {
		char fix[96];
		str_printf(fix, sizeof(fix), "set Breed's autoboot.command to boot flash 0x%llx", (unsigned long long)r->target_offset);
		rule(r, "bootloader", RULE_FAIL, true, src, fix,
		     "Breed boots \"%s\" (its ENV at 0x%llx); this image is written at 0x%llx", cmd, (unsigned long long)at,
		     (unsigned long long)r->target_offset);
	} else {
		rule(r, "bootloader", RULE_PASS, true, src, NULL, "Breed boots \"%s\", where this image is written", cmd);
	}
}

/* The device tree of the kernel uImage at OFFSET of BUF, or NULL. */
static struct fwkit_devicetree *kernel_dt(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, uint64_t offset)
{
	if (offset >= len || len - offset < FWKIT_UIMAGE_HEADER_SIZE)
		return NULL;
	const uint8_t *k = buf + offset;
	if (load_be32(k) != FWKIT_UIMAGE_MAGIC)
		return NULL;
	uint64_t avail = len - offset - FWKIT_UIMAGE_HEADER_SIZE;
	uint32_t size = load_be32(k + 12);
	struct fwkit_devicetree *dt = calloc(1, sizeof(*dt));
	if (dt && fwkit_devicetree_from_kernel(ctx, k + FWKIT_UIMAGE_HEADER_SIZE, size < avail ? size : avail, k[31], dt) !=
			  FWKIT_OK) {
		free(dt);
		dt = NULL;
	}
	return dt;
}

/* The running system of the backup (its kernel's device tree) puts the firmware where this image's does. */
static void rule_running_map(struct run *r)
{
	const struct fwkit_partition *fw = fwkit_profile_partition(r->p, "firmware");
	struct fwkit_devicetree *now = fw ? kernel_dt(r->ctx, r->req->dump, r->req->dump_len, fw->offset) : NULL;
	const struct fwkit_dt_partition *a = dt_part(now, "firmware"), *b = dt_part(r->dt, "firmware");
	if (a && b && (a->offset != b->offset || a->size != b->size))
		rule(r, "running-layout", RULE_FAIL, false, "the device trees of the installed kernel and of the image",
		     "flash with the bootloader (--via uboot-tftp) or a programmer, which write where this image expects",
		     "the system on your router has its firmware at 0x%x (0x%x bytes); this image expects 0x%x (0x%x bytes): "
		     "written from that system it lands where the new kernel does not look",
		     a->offset, a->size, b->offset, b->size);
	else if (a && b)
		rule(r, "running-layout", RULE_PASS, false, "the device trees of the installed kernel and of the image", NULL,
		     "the installed system and the image agree on the firmware partition (0x%x)", a->offset);
	free(now);
}

/* A partition of a whole-chip image that must stay the user's own: factory (calibration, MACs), Bdata. */
static void rule_keep(struct run *r, enum fwkit_part_content content, const char *what)
{
	for (size_t i = 0; i < r->p->nparts; i++) {
		const struct fwkit_partition *pt = &r->p->parts[i];
		if (pt->content != content || (uint64_t)pt->offset + pt->size > r->len)
			continue;
		if ((uint64_t)pt->offset + pt->size > r->req->dump_len)
			continue;
		bool differs = memcmp(r->img + pt->offset, r->req->dump + pt->offset, pt->size) != 0;
		if (differs && (r->req->may_change & (1u << content)))
			rule(r, "keep-partitions", RULE_PASS, false, "the device profile's partitions", NULL,
			     "the %s partition (%s) differs from your backup, as asked", pt->name, what);
		else if (differs)
			rule(r, "keep-partitions", RULE_FAIL, false, "the device profile's partitions",
			     "build the image from your own backup: fwkit build --from BACKUP --firmware IMAGE -o NEW",
			     "this image would overwrite the %s partition that holds your %s", pt->name, what);
		else
			rule(r, "keep-partitions", RULE_PASS, false, "the device profile's partitions", NULL,
			     "the %s partition (%s) is your backup's, byte for byte", pt->name, what);
	}
}

static void rule_dump(struct run *r, bool *breed)
{
	char a[32], b[32];
	*breed = false;
	if (r->req->dump_len != r->p->flash_size) {
		bool grew = r->req->dump_len > r->p->flash_size;
		rule(r, "backup", RULE_FAIL, false, "the device's flash size (profile)", "read the chip again (fwkit flash read)",
		     "the backup is %s bytes, %s bytes %s than this device's flash: it is not a whole read of it",
		     grouped(r->req->dump_len, a), grouped(grew ? r->req->dump_len - r->p->flash_size : r->p->flash_size - r->req->dump_len, b),
		     grew ? "more" : "fewer");
		return;
	}
	struct fwkit_node *scan = NULL;
	const struct fwkit_partition *boot = NULL;
	for (size_t i = 0; i < r->p->nparts && !boot; i++)
		if (r->p->parts[i].content == FWKIT_PART_BOOTLOADER)
			boot = &r->p->parts[i];
	if (boot && fwkit_scan(r->ctx, r->req->dump + boot->offset, boot->size, NULL, &scan) == FWKIT_OK)
		*breed = find_format(scan, "breed") != NULL;
	fwkit_node_free(scan);
	add_text(r->root, "backup_bootloader", *breed ? "breed" : "u-boot");
	rule(r, "backup", RULE_PASS, false, "the device's flash size (profile)", NULL, "a whole read of this device's %s-byte flash; its bootloader: %s",
	     grouped(r->req->dump_len, a), *breed ? "Breed" : "U-Boot");
	if (r->req->via == FWKIT_VIA_SYSUPGRADE || r->req->via == FWKIT_VIA_MTD_WRITE)
		rule_running_map(r);
}

/* A whole-chip image: its own parts checked against the device, and against the backup. */
static void rule_flash_image(struct run *r)
{
	if (r->req->dump && r->req->dump_len == r->len) {
		rule_keep(r, FWKIT_PART_FACTORY, "calibration data and MACs");
		rule_keep(r, FWKIT_PART_BDATA, "board data (serial number, model)");
		const struct fwkit_partition *boot = NULL;
		for (size_t i = 0; i < r->p->nparts && !boot; i++)
			if (r->p->parts[i].content == FWKIT_PART_BOOTLOADER)
				boot = &r->p->parts[i];
		if (boot && memcmp(r->img + boot->offset, r->req->dump + boot->offset, boot->size) != 0)
			rule(r, "bootloader", RULE_WARN, false, "the device profile's partitions", "keep your bootloader unless you mean to replace it",
			     "this image replaces your bootloader (%s at 0x%x differs from your backup)", boot->name, boot->offset);
		return;
	}
	struct fwkit_mac_list *ml = calloc(1, sizeof(*ml));
	if (ml && fwkit_mac_read(r->ctx, r->p, r->img, r->len, ml) == FWKIT_OK) {
		for (size_t i = 0; i < ml->n; i++)
			if (ml->e[i].problems & FWKIT_MACP_CLONE) {
				char mac[18];
				fwkit_mac_format(ml->e[i].mac, mac);
				rule(r, "macs", RULE_FAIL, false, "fwkit's list of MACs published in others' dumps",
				     "build the image from your own backup: fwkit build --from BACKUP --firmware IMAGE -o NEW",
				     "this image carries %s (published in %s): it is someone else's calibration data and MACs", mac,
				     ml->e[i].clone_source ? ml->e[i].clone_source : "a public dump");
				free(ml);
				return;
			}
	}
	free(ml);
	rule(r, "macs", RULE_WARN, false, "the device profile's partitions", "give your own backup with --dump",
	     "without your backup fwkit cannot tell whether the calibration data and MACs in this image are yours");
}

/* ---- the run ------------------------------------------------------------------------------ */

static enum fwkit_status method_missing(struct fwkit_ctx *ctx, const struct fwkit_check_request *req)
{
	char have[160] = "";
	size_t o = 0;
	for (unsigned m = 0; m < COUNT(METHOD_NAMES); m++)
		if (fwkit_profile_method(req->device, (enum fwkit_method)m) && o + 16 < sizeof(have))
			o += (size_t)snprintf(have + o, sizeof(have) - o, "%s%s", o ? ", " : "", METHOD_NAMES[m]);
	return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, have, METHOD_NAMES[req->via],
			   "%s has no %s path", req->device->id, METHOD_NAMES[req->via]);
}

/* A whole-chip image names its device by identification; a device of the same layout is a warning. */
static void rule_chip_board(struct run *r)
{
	const char *dev = text_of(r->id, "device");
	bool alike = same_layout(r->p, fwkit_profile_find(dev, r->req->extra, r->req->nextra));
	if (dev[0] && !strcmp(dev, r->p->id))
		rule(r, "board", RULE_PASS, false, "fwkit identify", NULL, "a whole-chip image of %s", dev);
	else if (alike)
		rule(r, "board", RULE_WARN, false, "fwkit identify", "make sure this is your device's chip image",
		     "a whole-chip image that looks most like %s, which has this device's layout", dev);
	else
		rule(r, "board", RULE_FAIL, false, "fwkit identify", "use a whole-chip image of this device",
		     "a whole-chip image of %s; this device is %s", dev[0] ? dev : "an unknown device", r->p->id);
}

/* Where the path writes, how much it can write there, and which bytes it writes. */
static void place(struct run *r)
{
	r->payload = r->decoded ? r->decoded : r->img;
	r->payload_len = r->decoded ? r->poray.firmware_len : r->len;
	if (r->req->via == FWKIT_VIA_SYSUPGRADE && r->have_fw && r->fw.image_end <= r->len)
		r->payload_len = (size_t)r->fw.image_end; /* fwtool.sh strips the metadata before writing */
	const struct fwkit_partition *fw = fwkit_profile_partition(r->p, r->m->target[0] ? r->m->target : "firmware");
	if (r->bits & FWKIT_ACCEPT_FLASH_IMAGE) {
		/* the firmware inside a whole-chip image is checked as the firmware it is */
		r->limit = r->p->flash_size;
		if (fw && (uint64_t)fw->offset + fw->size <= r->len) {
			r->payload = r->img + fw->offset;
			r->payload_len = fw->size;
			r->target_offset = fw->offset;
		}
		return;
	}
	if (fw) {
		r->target_offset = fw->offset;
		r->limit = r->m->max_size ? r->m->max_size : fw->content == FWKIT_PART_FIRMWARE ? r->p->firmware_max : fw->size;
	}
}

static void run_rules(struct run *r)
{
	if (r->req->via == FWKIT_VIA_FLASHROM && r->len != r->p->flash_size) {
		rule_size(r); /* a programmer writes the chip: any other size is wrong, whatever the file is */
		return;
	}
	if (!rule_what(r))
		return;
	if (r->is_poray &&
	    fwkit_poray_decode(r->ctx, r->img, r->len, &r->poray, &r->decoded, &(size_t){ 0 }) != FWKIT_OK) {
		rule(r, "checksum", RULE_FAIL, false, "mkporayfw.c (formats.md 5)", "download the file again",
		     "the Poray file does not decode under any key of its hardware id");
		return;
	}
	if (r->is_poray && !identify_image_at_start(r->ctx, r->decoded, r->poray.firmware_len, NULL)) {
		/* a bootloader wrapped for the web UI, which writes it where the kernel belongs */
		rule(r, "what", RULE_FAIL, false, "fwkit identify", "encode the firmware (a kernel uImage), not a bootloader",
		     "a Poray factory file holding a bootloader, not firmware: the stock web UI writes it to the firmware partition");
		return;
	}
	place(r);
	r->dt = kernel_dt(r->ctx, r->payload, r->payload_len, 0);
	rule_kind(r);
	bool flash_image = (r->bits & FWKIT_ACCEPT_FLASH_IMAGE) != 0;
	if (flash_image) {
		rule_chip_board(r);
	} else {
		rule_board(r);
	}
	if (r->worst == RULE_FAIL && !(r->bits & r->m->accepts))
		return;
	rule_size(r);
	rule_checksums(r);
	struct fwkit_node *deep = NULL;
	struct fwkit_scan_options so = { .deep = true };
	if (fwkit_scan(r->ctx, r->payload, r->payload_len, &so, &deep) == FWKIT_OK)
		rule_payload(r, deep);
	fwkit_node_free(deep);
	rule_partition_map(r);
	bool breed = false;
	if (r->req->dump)
		rule_dump(r, &breed);
	if (r->req->via == FWKIT_VIA_BREED_WEB || (r->req->dump && breed))
		rule_breed(r, breed || !r->req->dump);
	if (flash_image)
		rule_flash_image(r);
}

enum fwkit_status fwkit_check(struct fwkit_ctx *ctx, const uint8_t *image, size_t len,
			      const struct fwkit_check_request *req, struct fwkit_node **out)
{
	if (!out || !req || !req->device || (!image && len))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "check: no image, device or result");
	*out = NULL;
	if ((unsigned)req->via >= COUNT(METHOD_NAMES))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL, "check: unknown method %u", (unsigned)req->via);
	if (fwkit_profile_check(ctx, req->device) != FWKIT_OK)
		return FWKIT_E_INVALID_ARG;
	struct run r = { .ctx = ctx, .req = req, .p = req->device, .img = image, .len = len };
	r.m = fwkit_profile_method(r.p, req->via);
	if (!r.m)
		return method_missing(ctx, req);
	r.root = fwkit_node_new("check", 0, len);
	if (!r.root)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	add_text(r.root, "device", r.p->id);
	fwkit_node_add_enum(r.root, "method", req->via, METHOD_NAMES[req->via]);
	fwkit_node_add_bool(r.root, "force", req->force);
	fwkit_node_add_bool(r.root, "with_backup", req->dump != NULL);
	r.have_fw = fwkit_fwtool_read(ctx, image, len, &r.fw) == FWKIT_OK && r.fw.nblocks > 0;
	enum fwkit_status st = fwkit_identify_file(ctx, image, len, req->extra, req->nextra, &r.id);
	if (st != FWKIT_OK) {
		fwkit_node_free(r.root);
		return st;
	}
	r.is_poray = !strcmp(text_of(r.id, "image"), "poray");
	run_rules(&r);
	fwkit_node_add_enum(r.root, "verdict", (uint64_t)r.worst, VERDICT_NAMES[r.worst]);
	fwkit_node_free(r.id);
	free(r.decoded);
	free(r.dt);
	*out = r.root;
	return FWKIT_OK;
}

enum fwkit_status fwkit_check_poray_board(struct fwkit_ctx *ctx, const uint8_t *file, size_t len, const char *board,
					  const struct fwkit_profile *extra, size_t nextra, struct fwkit_node **out)
{
	*out = NULL;
	size_t total = nextra + fwkit_profiles_builtin_count();
	for (size_t i = 0; i < total; i++) {
		const struct fwkit_profile *p = i < nextra ? &extra[i] : fwkit_profiles_builtin_get(i - nextra);
		const struct fwkit_recovery *web = fwkit_profile_method(p, FWKIT_VIA_VENDOR_WEB);
		if (!web || !(web->accepts & FWKIT_ACCEPT_PORAY) || strcasecmp(web->board, board) != 0)
			continue;
		struct fwkit_check_request req = { .device = p, .via = FWKIT_VIA_VENDOR_WEB, .extra = extra, .nextra = nextra };
		struct fwkit_node *n = NULL;
		enum fwkit_status st = fwkit_check(ctx, file, len, &req, &n);
		if (st != FWKIT_OK) {
			fwkit_node_free(*out);
			*out = NULL;
			return st;
		}
		if (!*out || fwkit_check_verdict(n) < fwkit_check_verdict(*out)) {
			fwkit_node_free(*out);
			*out = n;
		} else {
			fwkit_node_free(n);
		}
	}
	return FWKIT_OK;
}
