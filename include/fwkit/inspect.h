/*
 * Understanding a whole flash dump: which device it is (ranked by evidence), what each
 * partition holds with a verdict, the dump's own soundness, and the MAC addresses.
 * Verdicts are findings (findings.h), returned as data.
 */
#ifndef FWKIT_INSPECT_H
#define FWKIT_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "findings.h"
#include "profile.h"

#define FWKIT_MAX_CANDIDATES 24
#define FWKIT_MAX_EVIDENCE 10

struct fwkit_evidence {
	int weight;
	char text[128];
};

struct fwkit_candidate {
	const struct fwkit_profile *profile;
	int score;
	bool same_layout_as_best;  /* another candidate has exactly this flash layout */
	size_t nev;
	struct fwkit_evidence ev[FWKIT_MAX_EVIDENCE];
};

/* About 32 KB on x86-64 (FWKIT_MAX_CANDIDATES candidates of ~1.3 KB): allocate it on the heap. */
struct fwkit_identification {
	size_t n;                  /* sorted, best first */
	struct fwkit_candidate c[FWKIT_MAX_CANDIDATES];
};

/*
 * Ranks the built-in profiles and EXTRA by the evidence BUF holds. Every profile of EXTRA is
 * checked first (fwkit_profile_check): one that fails is refused with FWKIT_E_INVALID_ARG and the
 * selfcheck's reason, and nothing is ranked. FWKIT_E_NOMEM when out of memory.
 */
FWKIT_API enum fwkit_status fwkit_identify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					   const struct fwkit_profile *extra, size_t nextra,
					   struct fwkit_identification *out);

/* ---- MAC addresses ------------------------------------------------------------------- */

enum fwkit_mac_problem {
	FWKIT_MACP_MULTICAST = 1 << 0,
	FWKIT_MACP_ZERO = 1 << 1,
	FWKIT_MACP_BROADCAST = 1 << 2,   /* all 0xFF: erased, no MAC written */
	FWKIT_MACP_CLONE = 1 << 3,       /* found in public dumps */
	FWKIT_MACP_DUPLICATE = 1 << 4,   /* equal to another MAC of the same dump */
	FWKIT_MACP_OFF_RULE = 1 << 5,    /* does not follow the profile's rule from the label MAC */
	FWKIT_MACP_OUTSIDE = 1 << 6,     /* the location is past the end of the dump */
};

struct fwkit_mac_entry {
	char partition[24];
	uint64_t offset;           /* absolute */
	enum fwkit_mac_role role;
	int8_t delta;
	uint8_t mac[6];
	unsigned problems;
	const char *clone_source;  /* where the clone was seen, when FWKIT_MACP_CLONE */
};

struct fwkit_mac_list {
	size_t n;
	struct fwkit_mac_entry e[FWKIT_PROFILE_MAX_MACS];
	bool has_label;
	uint8_t label[6];          /* the MAC the rule is anchored on (delta 0, or derived) */
};

FWKIT_API bool fwkit_mac_parse(const char *text, uint8_t mac[6]);
FWKIT_API void fwkit_mac_format(const uint8_t mac[6], char out[18]);
/* MAC + DELTA in the last three bytes (the NIC part), wrapping inside them, as OpenWrt's macaddr_add. */
FWKIT_API void fwkit_mac_add(const uint8_t mac[6], int delta, uint8_t out[6]);
/* The public dump MAC was seen in, or NULL. */
FWKIT_API const char *fwkit_mac_known_clone(const uint8_t mac[6]);

/* Reads every MAC location of PROFILE in BUF, with their problems. */
FWKIT_API enum fwkit_status fwkit_mac_read(struct fwkit_ctx *ctx, const struct fwkit_profile *p, const uint8_t *buf,
					   size_t len, struct fwkit_mac_list *out);

/*
 * Sets MACs in BUF (the caller's copy): every location from LABEL by the profile's rules, or only
 * the locations of ROLE (ROLE >= 0) to LABEL itself. Refuses (FWKIT_E_UNSAFE, nothing changed)
 * multicast, all-zero, broadcast and duplicate results. CLONE is set when a result is a known
 * public clone (a warning for the caller to show). CHANGED gets the new list.
 */
FWKIT_API enum fwkit_status fwkit_mac_set(struct fwkit_ctx *ctx, const struct fwkit_profile *p, uint8_t *buf,
					  size_t len, const uint8_t label[6], int role, struct fwkit_mac_list *changed,
					  bool *clone);

/* ---- inspect ------------------------------------------------------------------------- */

/*
 * Sizes (x86-64, fixed by the array bounds): a struct fwkit_findings is FWKIT_FINDINGS_MAX (32)
 * findings of 376 bytes, about 12 KB, and findings past 32 are only counted ('dropped'); a part
 * report is about 12.5 KB; a struct fwkit_inspection holds FWKIT_PROFILE_MAX_PARTS of them plus
 * the identification, about 256 KB. Callers allocate them on the heap (a thread's stack may be
 * as small as 64 KB); the library itself keeps none of these, nor a struct fwkit_uimage, on its
 * stack.
 */
struct fwkit_part_report {
	struct fwkit_partition part;
	bool present;              /* the dump reaches this partition */
	char holds[64];            /* "U-Boot 1.1.3 (May  8 2019 - 07:40:27)", "uImage + squashfs", "erased" */
	char detail[320];          /* one line of the most useful facts */
	struct fwkit_findings findings;
};

struct fwkit_inspection {
	uint64_t size;
	bool has_dt;                         /* a device tree was found in the firmware's kernel */
	char dt_model[64];
	char dt_compatible[48];
	struct fwkit_findings dt_findings;   /* where the profile and the dump's device tree disagree */
	const struct fwkit_profile *profile; /* the device used for the map (best candidate or forced) */
	bool forced;
	struct fwkit_identification id;
	struct fwkit_findings dump;          /* the dump itself: size, mirrored halves, blank */
	size_t nparts;
	struct fwkit_part_report parts[FWKIT_PROFILE_MAX_PARTS];
	struct fwkit_mac_list macs;
};

/*
 * Inspects BUF; PROFILE forces the device (NULL: the best candidate). OUT is large (about 256 KB):
 * allocate it. PROFILE and every profile of EXTRA are checked first (fwkit_profile_check); one
 * that fails is refused with FWKIT_E_INVALID_ARG and the selfcheck's reason. FWKIT_E_INVALID_ARG
 * also for a NULL OUT (or BUF with LEN > 0), FWKIT_E_NOMEM when out of memory.
 */
FWKIT_API enum fwkit_status fwkit_inspect(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					  const struct fwkit_profile *profile, const struct fwkit_profile *extra,
					  size_t nextra, struct fwkit_inspection *out);

#endif
