/*
 * Device profiles: what a router's flash holds and where, as data (flashrom's chip table is the
 * model). Built-in profiles are const tables in src/devices/<vendor>.c; users add their own in a
 * JSON file (fwkit_profiles_load). `fwkit profile show ID` prints a profile in that same format,
 * and the printed text parses back to the same profile.
 */
#ifndef FWKIT_PROFILE_H
#define FWKIT_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"

#define FWKIT_PROFILE_MAX_PARTS 16
#define FWKIT_PROFILE_MAX_MACS 8
#define FWKIT_PROFILE_MAX_EEPROMS 4
#define FWKIT_PROFILE_MAX_ENVS 4
#define FWKIT_PROFILE_MAX_RECOVERY 8
#define FWKIT_PROFILE_MAX_COMPAT 4

enum fwkit_part_content {
	FWKIT_PART_OTHER = 0,
	FWKIT_PART_BOOTLOADER,
	FWKIT_PART_UBOOT_ENV,
	FWKIT_PART_BDATA,
	FWKIT_PART_FACTORY,
	FWKIT_PART_CRASH,
	FWKIT_PART_CONFIG_BACKUP,
	FWKIT_PART_OVERLAY,
	FWKIT_PART_FIRMWARE,
	FWKIT_PART_KERNEL,
	FWKIT_PART_UBI,
	FWKIT_PART_RESERVED,
};

enum fwkit_mac_role { FWKIT_MAC_LAN = 0, FWKIT_MAC_WAN, FWKIT_MAC_WLAN_2G, FWKIT_MAC_WLAN_5G };

/*
 * How an image reaches the flash: the paths of `fwkit check --via` (docs/check.md). Two kinds are
 * the same method for check: the bootloader's serial TFTP menu and its reset-button TFTP are both
 * "uboot-tftp".
 */
enum fwkit_recovery_kind {
	FWKIT_RECOVERY_UBOOT_TFTP_MENU = 0, /* serial console menu, the bootloader pulls by TFTP */
	FWKIT_RECOVERY_RESET_TFTP,          /* hold reset at power-on, the bootloader pulls by TFTP */
	FWKIT_RECOVERY_BREED_WEB,           /* Breed's web page */
	FWKIT_RECOVERY_VENDOR_WEB,          /* the stock web UI's upgrade page */
	FWKIT_RECOVERY_SYSUPGRADE,          /* OpenWrt's sysupgrade on the running router (fwtool.sh checks) */
	FWKIT_RECOVERY_MTD_WRITE,           /* `mtd write` / `cp` to one partition from a running system */
	FWKIT_RECOVERY_FLASHROM,            /* the whole chip with a programmer (flashrom, CH341A) */
};

/* What a method takes: bits of struct fwkit_recovery.accepts. */
enum fwkit_image_accept {
	FWKIT_ACCEPT_UIMAGE = 1u << 0,      /* a kernel uImage at 0: a vendor uImage, kernel + rootfs */
	FWKIT_ACCEPT_SYSUPGRADE = 1u << 1,  /* an OpenWrt sysupgrade image (uImage first, fwtool metadata) */
	FWKIT_ACCEPT_PORAY = 1u << 2,       /* mkporayfw's encoding for the method's board */
	FWKIT_ACCEPT_FLASH_IMAGE = 1u << 3, /* a whole-chip image of the flash size */
	FWKIT_ACCEPT_PARTITION = 1u << 4,   /* the raw content of the target partition */
};

/* How a method behaves: bits of struct fwkit_recovery.flags. */
enum fwkit_method_flag {
	FWKIT_METHOD_WHOLE_BLOCKS = 1u << 0,   /* erases whole erase blocks: the size is rounded up to them */
	FWKIT_METHOD_CHECKS_BOARD = 1u << 1,   /* refuses metadata naming another board (fwtool.sh; off with -F) */
	FWKIT_METHOD_CHECKS_UIMAGE = 1u << 2,  /* the bootloader checks the uImage header before it writes */
	FWKIT_METHOD_NEEDS_BREED = 1u << 3,    /* only where Breed is the bootloader */
	FWKIT_METHOD_INFERRED = 1u << 4,       /* the rules of this method are inferred, not documented */
};

struct fwkit_partition {
	char name[24];
	uint32_t offset, size;
	bool read_only;
	enum fwkit_part_content content;
};

struct fwkit_mac_location {
	char partition[24];
	uint32_t offset;          /* within the partition */
	enum fwkit_mac_role role;
	int8_t delta;             /* this MAC = label MAC + delta */
};

struct fwkit_eeprom_location {
	char partition[24];
	uint32_t offset, size;
	uint16_t chip_id;         /* little-endian word 0, e.g. 0x7603 */
	char band[8];             /* "2.4GHz", "5GHz" */
};

struct fwkit_env_location {
	char partition[24];
	uint32_t offset, size;    /* within the partition; size = env size */
	bool redundant;
	bool bdata;               /* Xiaomi board data rather than the U-Boot env */
};

struct fwkit_recovery {
	enum fwkit_recovery_kind kind;
	char device_ip[16], server_ip[16];
	uint8_t prefix;
	char file_name[48];       /* empty: whatever is typed */
	uint32_t accepts;         /* enum fwkit_image_accept bits */
	char target[24];          /* the partition it writes; empty: the whole chip */
	uint32_t max_size;        /* 0: the target's size (firmware_max for the firmware partition) */
	uint32_t load_addr;       /* where the bootloader loads the file; 0: not known */
	char board[16];           /* the mkporayfw board, with FWKIT_ACCEPT_PORAY */
	uint32_t flags;           /* enum fwkit_method_flag bits */
	char steps[240];
	char source[96];
};

struct fwkit_profile {
	char id[48];              /* OpenWrt's device name, e.g. xiaomi_mi-router-4a-gigabit */
	char name[64];
	char vendor[24];
	char soc[24];
	uint32_t flash_size, erase_size;
	bool nand;                /* partitions describe the bootloader side of a NAND chip */
	char compatible[FWKIT_PROFILE_MAX_COMPAT][48]; /* DT compatibles / sysupgrade names */
	size_t nparts;
	struct fwkit_partition parts[FWKIT_PROFILE_MAX_PARTS];
	size_t nenvs;
	struct fwkit_env_location envs[FWKIT_PROFILE_MAX_ENVS];
	size_t nmacs;
	struct fwkit_mac_location macs[FWKIT_PROFILE_MAX_MACS];
	size_t neeproms;
	struct fwkit_eeprom_location eeproms[FWKIT_PROFILE_MAX_EEPROMS];
	uint32_t firmware_max;    /* bytes the firmware partition holds (OpenWrt IMAGE_SIZE) */
	size_t nrecovery;
	struct fwkit_recovery recovery[FWKIT_PROFILE_MAX_RECOVERY];
	char source[160];         /* where the layout comes from */
	char tested[48];          /* how it was checked */
};

/* The built-in profiles: how many, and the I-th (NULL past the end). */
FWKIT_API size_t fwkit_profiles_builtin_count(void);
FWKIT_API const struct fwkit_profile *fwkit_profiles_builtin_get(size_t i);

/* A profile by id among the built-ins and EXTRA (may be NULL); NULL when unknown. */
FWKIT_API const struct fwkit_profile *fwkit_profile_find(const char *id, const struct fwkit_profile *extra,
							 size_t nextra);

/* The partition of P holding absolute OFFSET, or NULL. */
FWKIT_API const struct fwkit_partition *fwkit_profile_partition_at(const struct fwkit_profile *p, uint64_t offset);
FWKIT_API const struct fwkit_partition *fwkit_profile_partition(const struct fwkit_profile *p, const char *name);

/*
 * Serialises P as the JSON profile format (what users write). *OUT is malloc'ed text the caller
 * frees. P need not pass the selfcheck (a draft may be printed), but its counts must be within
 * the arrays and its text fields terminated. Errors: FWKIT_E_INVALID_ARG (a count past its array,
 * an unterminated text field, NULL), FWKIT_E_NOMEM.
 */
FWKIT_API enum fwkit_status fwkit_profile_to_json(struct fwkit_ctx *ctx, const struct fwkit_profile *p, char **out);

/*
 * Reads profiles from JSON TEXT: one profile object, or {"profiles": [ ... ]}. *OUT is a malloc'ed
 * array of *COUNT profiles (free with free()). Unknown keys are errors (a typo must not pass
 * silently); every profile is validated (fwkit_profile_check). Errors: FWKIT_E_CORRUPT with the
 * JSON path of the problem.
 */
FWKIT_API enum fwkit_status fwkit_profiles_from_json(struct fwkit_ctx *ctx, const char *text, size_t len,
						      struct fwkit_profile **out, size_t *count);

/*
 * The selfcheck: counts within the arrays and every text field terminated; flash size a power of
 * two; erase size a power of two (never 0) no larger than the flash; partitions ordered,
 * non-overlapping, erase-aligned, covering the flash exactly (NOR); MACs, EEPROMs and envs naming
 * partitions the profile has, inside them; env blocks aligned; names unique. Returns
 * FWKIT_E_CORRUPT with the first problem in the context's error (FWKIT_E_INVALID_ARG for NULL).
 * Every entry point that takes a profile built by the caller (fwkit_identify's EXTRA,
 * fwkit_inspect's PROFILE and EXTRA) runs it first and refuses a profile that fails it with
 * FWKIT_E_INVALID_ARG and the selfcheck's reason.
 */
FWKIT_API enum fwkit_status fwkit_profile_check(struct fwkit_ctx *ctx, const struct fwkit_profile *p);

FWKIT_API const char *fwkit_part_content_name(enum fwkit_part_content c);
FWKIT_API const char *fwkit_mac_role_name(enum fwkit_mac_role r);
FWKIT_API const char *fwkit_recovery_kind_name(enum fwkit_recovery_kind k);
/* The names of enum fwkit_image_accept's bit I (0-based), and of enum fwkit_method_flag's; NULL past the last. */
FWKIT_API const char *fwkit_image_accept_name(unsigned bit);
FWKIT_API const char *fwkit_method_flag_name(unsigned bit);

#endif
