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

#include "node.h"

#define FWKIT_MAX_CANDIDATES 24
#define FWKIT_MAX_EVIDENCE 12
#define FWKIT_MAX_CLAIMS 8
/* Two candidates whose scores differ by less than this are a near tie (docs/identification.md). */
#define FWKIT_NEAR_TIE 10

/* What a piece of evidence is; each kind has one documented weight (docs/identification.md). */
enum fwkit_evidence_kind {
	FWKIT_EVIDENCE_SIZE = 0,           /* the dump's size against the flash size */
	FWKIT_EVIDENCE_EEPROM_CHIP,        /* a Wi-Fi EEPROM chip id where the profile has one */
	FWKIT_EVIDENCE_ENV,                /* a U-Boot env with a good CRC where the profile has one */
	FWKIT_EVIDENCE_BDATA,              /* Xiaomi Bdata with a good CRC where the profile has it */
	FWKIT_EVIDENCE_KERNEL,             /* the firmware partition starts with a uImage */
	FWKIT_EVIDENCE_SOC,                /* the bootloader names the profile's SoC */
	FWKIT_EVIDENCE_BDATA_MODEL,        /* Bdata's model= names the device (R4AG, R3GV2, ...) */
	FWKIT_EVIDENCE_BOOTLOADER_MODEL,   /* the bootloader's own model string or vendor mark */
	FWKIT_EVIDENCE_COMPATIBLE,         /* a compatible of the profile, whole and exact, in the dump */
	FWKIT_EVIDENCE_SUPPORTED_DEVICES,  /* the sysupgrade metadata's supported_devices lists it */
	FWKIT_EVIDENCE_DEVICE_TREE,        /* the kernel's own device tree is compatible with it */
};

/* "size", "eeprom-chip", "env", "bdata", "kernel", "soc", "bdata-model", "bootloader-model",
 * "compatible", "supported-devices", "device-tree". */
FWKIT_API const char *fwkit_evidence_kind_name(enum fwkit_evidence_kind kind);

struct fwkit_evidence {
	enum fwkit_evidence_kind kind;
	int weight;                /* added to the score (negative: against the device) */
	uint64_t offset;           /* absolute offset of what was found, UINT64_MAX when none */
	char value[64];            /* what was found: "R4AG", "xiaomi,mir3g-v2", "0x7603", "0x1000000" */
	char text[128];            /* the same in words, for people; every fact in it is in the fields */
};

struct fwkit_candidate {
	const struct fwkit_profile *profile;
	int score;
	bool same_layout_as_best;  /* another candidate has exactly this flash layout */
	size_t nev;
	struct fwkit_evidence ev[FWKIT_MAX_EVIDENCE];
};

/* One source in the dump that names a single device by itself (Bdata's model=, the bootloader's
 * model string, the kernel's device tree, the sysupgrade metadata): when two disagree, both are
 * shown ("Bdata says R4AG; the firmware was built for xiaomi,mir3g-v2"). */
struct fwkit_claim {
	enum fwkit_evidence_kind kind;
	uint64_t offset;
	char value[64];
	const struct fwkit_profile *profile; /* the device it names; NULL when no profile has it */
};

/* About 40 KB on x86-64: allocate it on the heap. */
struct fwkit_identification {
	size_t n;                  /* sorted, best first */
	struct fwkit_candidate c[FWKIT_MAX_CANDIDATES];
	bool tie;                  /* the best two have the same score: the dump alone cannot tell */
	bool near_tie;             /* the best two are less than FWKIT_NEAR_TIE apart */
	bool claims_disagree;      /* two claims name different devices */
	bool device_tree_read;     /* the firmware's kernel was decoded for its device tree (it is
				    * not when the hardware evidence alone decides by more than the
				    * device tree could change: fwkit_identify is then fast) */
	size_t nclaims;
	struct fwkit_claim claims[FWKIT_MAX_CLAIMS];
};

/*
 * Ranks the built-in profiles and EXTRA by the evidence BUF holds, the best candidate's firmware
 * (its kernel's device tree, its sysupgrade metadata) included. Every profile of EXTRA is
 * checked first (fwkit_profile_check): one that fails is refused with FWKIT_E_INVALID_ARG and the
 * selfcheck's reason, and nothing is ranked. FWKIT_E_NOMEM when out of memory.
 */
FWKIT_API enum fwkit_status fwkit_identify(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					   const struct fwkit_profile *extra, size_t nextra,
					   struct fwkit_identification *out);

/* ID as a node "identification" (docs/json.md): candidates with typed evidence, claims, ties.
 * NULL when out of memory. */
FWKIT_API struct fwkit_node *fwkit_identification_node(const struct fwkit_identification *id);

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

/* L as a node "macs" with a child "mac" per location (docs/json.md): role, mac, partition,
 * label_delta, each problem as a boolean, and findings mac.invalid / mac.clone / mac.duplicate /
 * mac.rule. NULL when out of memory. */
FWKIT_API struct fwkit_node *fwkit_mac_list_node(const struct fwkit_mac_list *l);

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
 * Inspects BUF; PROFILE forces the device (NULL: the best candidate). *OUT gets a node tree
 * "inspect" (docs/json.md: the file's kind, the identification, the kernel's device tree, the
 * dump's soundness, one "partition" node per partition of the device's map with the formats
 * found in it through the format table, and the MAC addresses), which the caller frees with
 * fwkit_node_free. A file that is not a whole flash dump (fwkit_identify_file says a firmware
 * image or a partition) gets only its kind and identification. PROFILE and every profile of
 * EXTRA are checked first (fwkit_profile_check); one that fails is refused with
 * FWKIT_E_INVALID_ARG and the selfcheck's reason. FWKIT_E_INVALID_ARG also for a NULL OUT (or BUF
 * with LEN > 0), FWKIT_E_NOMEM when out of memory.
 */
FWKIT_API enum fwkit_status fwkit_inspect(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
					  const struct fwkit_profile *profile, const struct fwkit_profile *extra,
					  size_t nextra, struct fwkit_node **out);

#endif
