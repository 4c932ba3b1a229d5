/*
 * MAC addresses in factory partitions: reading them by the profile's locations, judging them,
 * and setting them from the label MAC by the profile's rules (label + delta in the NIC part,
 * as OpenWrt's macaddr_add does).
 */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "devices/edit_target.h"
#include "fwkit/inspect.h"

/* MACs seen in dumps that were shared publicly and flashed by others, so many routers carry
 * them. Each line names where it was seen. */
static const struct {
	uint8_t mac[6];
	const char *source;
} CLONES[] = {
	{ { 0xEC, 0x41, 0x18, 0xC8, 0xD4, 0x2C }, "Mi Router 3G v2 dump shared on the OpenWrt forum (seed 000)" },
	{ { 0xEC, 0x41, 0x18, 0xC8, 0xD4, 0x2D }, "Mi Router 3G v2 dump shared on the OpenWrt forum (seed 000)" },
	{ { 0xEC, 0x41, 0x18, 0xC8, 0xD4, 0x2E }, "Mi Router 3G v2 dump shared on the OpenWrt forum (seed 000)" },
	{ { 0xEC, 0x41, 0x18, 0xC8, 0xD4, 0x2F }, "Mi Router 3G v2 dump shared on the OpenWrt forum (seed 000)" },
	{ { 0x00, 0xAA, 0xBB, 0xCC, 0xDD, 0x10 }, "KeeneticOS build kit env template for the Mi Router 4A 100M" },
};

bool fwkit_mac_parse(const char *t, uint8_t mac[6])
{
	unsigned v[6];
	size_t n = strlen(t);
	int used = 0;
	if (n == 17 && (t[2] == ':' || t[2] == '-')) {
		char sep = t[2];
		for (int i = 0; i < 6; i++) {
			if (i < 5 && t[i * 3 + 2] != sep)
				return false;
			char hex[3] = { t[i * 3], t[i * 3 + 1], 0 };
			if (sscanf(hex, "%2x%n", &v[i], &used) != 1 || used != 2)
				return false;
		}
	} else if (n == 12) {
		for (int i = 0; i < 6; i++) {
			char hex[3] = { t[i * 2], t[i * 2 + 1], 0 };
			if (sscanf(hex, "%2x%n", &v[i], &used) != 1 || used != 2)
				return false;
		}
	} else {
		return false;
	}
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return true;
}

void fwkit_mac_format(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void fwkit_mac_add(const uint8_t mac[6], int delta, uint8_t out[6])
{
	uint32_t nic = ((uint32_t)mac[3] << 16) | ((uint32_t)mac[4] << 8) | mac[5];
	nic = (uint32_t)((int64_t)nic + delta) & 0xFFFFFFu;
	memcpy(out, mac, 3);
	out[3] = (uint8_t)(nic >> 16);
	out[4] = (uint8_t)(nic >> 8);
	out[5] = (uint8_t)nic;
}

const char *fwkit_mac_known_clone(const uint8_t mac[6])
{
	for (size_t i = 0; i < sizeof(CLONES) / sizeof(CLONES[0]); i++)
		if (memcmp(CLONES[i].mac, mac, 6) == 0)
			return CLONES[i].source;
	return NULL;
}

static unsigned judge(const uint8_t m[6])
{
	static const uint8_t zero[6], ff[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	if (memcmp(m, ff, 6) == 0)
		return FWKIT_MACP_BROADCAST;
	if (memcmp(m, zero, 6) == 0)
		return FWKIT_MACP_ZERO;
	unsigned p = 0;
	if (m[0] & 1)
		p |= FWKIT_MACP_MULTICAST;
	if (fwkit_mac_known_clone(m))
		p |= FWKIT_MACP_CLONE;
	return p;
}

/*
 * A file of exactly the size of the one partition that holds all of P's MACs (a factory partition
 * read alone, `cat /dev/mtd2`) is that partition; anything else is taken as a whole dump.
 * The content checks of fwkit_mac_set decide whether it really is.
 */
static const struct fwkit_partition *partition_file(const struct fwkit_profile *p, size_t len)
{
	if (len == p->flash_size || p->nmacs == 0)
		return NULL;
	const struct fwkit_partition *part = fwkit_profile_partition(p, p->macs[0].partition);
	for (size_t i = 1; part && i < p->nmacs; i++)
		if (strcmp(p->macs[i].partition, part->name) != 0)
			return NULL;
	return part && part->size == len ? part : NULL;
}

/* Offsets in the file: a whole dump (FILE_PART NULL) or the partition FILE_PART alone. */
static void read_in(const struct fwkit_profile *p, const uint8_t *buf, size_t len,
		    const struct fwkit_partition *file_part, struct fwkit_mac_list *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t base = file_part ? file_part->offset : 0;
	for (size_t i = 0; i < p->nmacs; i++) {
		const struct fwkit_mac_location *loc = &p->macs[i];
		const struct fwkit_partition *part = fwkit_profile_partition(p, loc->partition);
		struct fwkit_mac_entry *e = &out->e[out->n++];
		snprintf(e->partition, sizeof(e->partition), "%s", loc->partition);
		bool elsewhere = !part || (file_part && strcmp(part->name, file_part->name) != 0);
		e->offset = (uint64_t)(part && !elsewhere ? part->offset - base : 0) + loc->offset;
		e->role = loc->role;
		e->delta = loc->delta;
		if (elsewhere || e->offset > len || len - e->offset < 6) {
			e->problems = FWKIT_MACP_OUTSIDE;
			continue;
		}
		memcpy(e->mac, buf + e->offset, 6);
		e->problems = judge(e->mac);
		e->clone_source = fwkit_mac_known_clone(e->mac);
	}
	for (size_t i = 0; i < out->n; i++)
		for (size_t j = 0; j < out->n; j++)
			if (i != j && !(out->e[i].problems & (FWKIT_MACP_OUTSIDE | FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO)) &&
			    memcmp(out->e[i].mac, out->e[j].mac, 6) == 0)
				out->e[i].problems |= FWKIT_MACP_DUPLICATE;
	/* the label: the first usable MAC, taken back by its delta; then who follows the rule */
	for (size_t i = 0; i < out->n && !out->has_label; i++) {
		if (out->e[i].problems & (FWKIT_MACP_OUTSIDE | FWKIT_MACP_BROADCAST | FWKIT_MACP_ZERO))
			continue;
		fwkit_mac_add(out->e[i].mac, -out->e[i].delta, out->label);
		out->has_label = true;
	}
	for (size_t i = 0; out->has_label && i < out->n; i++) {
		uint8_t want[6];
		fwkit_mac_add(out->label, out->e[i].delta, want);
		if (!(out->e[i].problems & FWKIT_MACP_OUTSIDE) && memcmp(want, out->e[i].mac, 6) != 0)
			out->e[i].problems |= FWKIT_MACP_OFF_RULE;
	}
}

/* A profile from the caller passes its selfcheck before its counts and names are followed (a MAC
 * count past the array, a partition that does not exist). */
static enum fwkit_status usable(struct fwkit_ctx *ctx, const struct fwkit_profile *p)
{
	if (!p)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a profile", NULL, "mac: no profile");
	if (fwkit_profile_check(ctx, p) != FWKIT_OK) {
		if (ctx)
			ctx->error.status = FWKIT_E_INVALID_ARG; /* the selfcheck's reason stays in the message */
		return FWKIT_E_INVALID_ARG;
	}
	return FWKIT_OK;
}

enum fwkit_status fwkit_mac_read(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf, size_t len,
				 struct fwkit_mac_list *out)
{
	memset(out, 0, sizeof(*out));
	enum fwkit_status st = usable(ctx, p);
	if (st != FWKIT_OK)
		return st;
	read_in(p, buf, len, partition_file(p, len), out);
	return FWKIT_OK;
}

/* The Wi-Fi EEPROMs P keeps in partition PART_NAME carry their chip ids (little-endian word 0). */
static enum fwkit_status check_eeproms(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf,
				       size_t len, const struct fwkit_partition *file_part, const char *part_name)
{
	uint64_t base = file_part ? file_part->offset : 0;
	for (size_t i = 0; i < p->neeproms; i++) {
		const struct fwkit_eeprom_location *ee = &p->eeproms[i];
		const struct fwkit_partition *part = fwkit_profile_partition(p, ee->partition);
		if (!part || strcmp(ee->partition, part_name) != 0)
			continue;
		uint64_t at = part->offset - base + ee->offset;
		if (at > len || len - at < 2)
			return FWKIT_RAISE(ctx, FWKIT_E_RANGE, at, "a Wi-Fi EEPROM inside the file", "the end of the file",
					   "mac: the %s EEPROM of %s is past the end", ee->band, p->id);
		uint16_t id = (uint16_t)(buf[at] | (buf[at + 1] << 8));
		if (id != ee->chip_id) {
			char expected[64], found[16];
			str_printf(expected, sizeof(expected), "%s EEPROM chip id 0x%04x", ee->band, ee->chip_id);
			str_printf(found, sizeof(found), "0x%04x", id);
			return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, at, expected, found,
					   "mac: no Wi-Fi EEPROM where %s keeps one (a dump of another device, or the wrong "
					   "--device?); refusing to write MACs",
					   p->id);
		}
	}
	return FWKIT_OK;
}

/* What is there now is a MAC or erased bytes: never text or code that happens to sit there. */
static enum fwkit_status check_mac_field(struct fwkit_ctx *ctx, const struct fwkit_profile *p,
					 const struct fwkit_mac_entry *e)
{
	static const uint8_t erased[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	if (!(e->mac[0] & 1) || memcmp(e->mac, erased, 6) == 0)
		return FWKIT_OK;
	char found[40];
	str_printf(found, sizeof(found), "%02x %02x %02x %02x %02x %02x", e->mac[0], e->mac[1], e->mac[2], e->mac[3],
		   e->mac[4], e->mac[5]);
	return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, e->offset, "a unicast MAC or erased bytes (ff)", found,
			   "mac: the %s MAC field of %s holds no MAC; refusing to overwrite what is there",
			   fwkit_mac_role_name(e->role), p->id);
}

/* Every structure the edit touches is where the profile says, before a byte is written. */
static enum fwkit_status verify_targets(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf,
					size_t len, const struct fwkit_partition *file_part,
					const struct fwkit_mac_list *now, const bool *touch)
{
	enum fwkit_status st = FWKIT_OK;
	for (size_t i = 0; st == FWKIT_OK && i < now->n; i++) {
		if (!touch[i] || (now->e[i].problems & FWKIT_MACP_OUTSIDE))
			continue;
		st = check_eeproms(ctx, p, buf, len, file_part, now->e[i].partition);
		if (st == FWKIT_OK)
			st = check_mac_field(ctx, p, &now->e[i]);
	}
	return st;
}

enum fwkit_status fwkit_mac_set(struct fwkit_ctx *ctx, const struct fwkit_profile *p, uint8_t *buf, size_t len,
				const uint8_t label[6], int role, struct fwkit_mac_list *changed, bool *clone)
{
	*clone = false;
	enum fwkit_status st = usable(ctx, p);
	if (st != FWKIT_OK)
		return st;
	const struct fwkit_partition *file_part = partition_file(p, len);
	st = edit_target_dump_of(ctx, p, buf, len, file_part);
	if (st != FWKIT_OK)
		return st;
	struct fwkit_mac_list now;
	read_in(p, buf, len, file_part, &now);
	uint8_t result[FWKIT_PROFILE_MAX_MACS][6];
	bool touch[FWKIT_PROFILE_MAX_MACS] = { 0 };
	size_t ntouch = 0;
	char text[18];
	for (size_t i = 0; i < now.n; i++) {
		memcpy(result[i], now.e[i].mac, 6);
		if (role >= 0 && now.e[i].role != (enum fwkit_mac_role)role)
			continue;
		if (now.e[i].problems & FWKIT_MACP_OUTSIDE)
			return FWKIT_RAISE(ctx, FWKIT_E_RANGE, now.e[i].offset, "a MAC inside the dump", "the end of the dump",
					   "mac: location 0x%llx (partition %s) is past the end", (unsigned long long)now.e[i].offset,
					   now.e[i].partition);
		if (role >= 0)
			memcpy(result[i], label, 6);
		else
			fwkit_mac_add(label, now.e[i].delta, result[i]);
		touch[i] = true;
		ntouch++;
	}
	if (!ntouch)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "a role this device has", NULL,
				   "mac: %s has no MAC of that role", p->id);
	st = verify_targets(ctx, p, buf, len, file_part, &now, touch);
	if (st != FWKIT_OK)
		return st;
	for (size_t i = 0; i < now.n; i++) {
		if (!touch[i])
			continue;
		unsigned bad = judge(result[i]);
		fwkit_mac_format(result[i], text);
		if (bad & (FWKIT_MACP_MULTICAST | FWKIT_MACP_ZERO | FWKIT_MACP_BROADCAST))
			return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, now.e[i].offset, "a unicast, non-zero MAC", text,
					   "mac: refusing to write %s MAC %s",
					   bad & FWKIT_MACP_MULTICAST ? "a multicast" : bad & FWKIT_MACP_ZERO ? "an all-zero" : "a broadcast",
					   text);
		if (bad & FWKIT_MACP_CLONE)
			*clone = true;
		for (size_t j = 0; j < now.n; j++)
			if (j != i && memcmp(result[i], result[j], 6) == 0)
				return FWKIT_RAISE(ctx, FWKIT_E_UNSAFE, now.e[i].offset, "distinct MACs", text,
						   "mac: refusing: %s would be used twice (0x%llx in %s and 0x%llx in %s)", text,
						   (unsigned long long)now.e[i].offset, now.e[i].partition,
						   (unsigned long long)now.e[j].offset, now.e[j].partition);
	}
	for (size_t i = 0; i < now.n; i++)
		if (touch[i])
			memcpy(buf + now.e[i].offset, result[i], 6);
	read_in(p, buf, len, file_part, changed);
	return FWKIT_OK;
}
