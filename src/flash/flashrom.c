/*
 * The flash backend on libflashrom (Debian's libflashrom-dev, flashrom 1.3.0): the only file of
 * fwkit that includes libflashrom.h. A range is read or written by giving flashrom a layout with
 * that one region included (flashrom_layout_*): flashrom then reads only that region, and on a
 * write erases only the erase blocks the region covers that need it.
 *
 * libflashrom has one log callback for the process and no user pointer, and drives one programmer
 * at a time; so the open backend is a static here. Its messages come in pieces ("Reading flash...
 * ", "done.\n"): they are joined into lines, the "Found ... flash chip" lines give the chip's name,
 * and every line goes to the caller's log callback.
 */
#include <libflashrom.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "flash/backend.h"

struct flash_backend {
	struct flashrom_programmer *prog;
	bool started; /* libflashrom 1.3.0 leaves PROG NULL: its shutdown takes NULL */
	struct flashrom_flashctx *chip;
	struct fwkit_flash_callbacks cb;
	struct fwkit_flash_chip *info; /* filled from the probe's messages */
	uint8_t *scratch;              /* the chip's size: flashrom may change the buffer it writes from */
	size_t size;
	char line[1024];
	size_t line_len;
	char last_error[256];          /* the last error-level line: the programmer's own reason */
};

static struct flash_backend *open_backend; /* the one libflashrom drives now (NULL: none) */

const char *flash_backend_version(void)
{
	static char version[96];
	if (!version[0]) {
		/* Debian's build records no version ("unknown"): then the name alone */
		const char *v = flashrom_version_info();
		str_printf(version, sizeof(version), "libflashrom%s%s", v && strcmp(v, "unknown") ? " " : "",
			   v && strcmp(v, "unknown") ? v : "");
	}
	return version;
}

/* `Found Winbond flash chip "W25Q128.V" (16384 kB, SPI) on dummy.` (flashrom's probe_flash) */
static void note_found_chip(struct flash_backend *b, const char *line)
{
	const char *v = strstr(line, "Found "), *mark = strstr(line, " flash chip \"");
	if (!v || !mark || mark < v)
		return;
	const char *name = mark + strlen(" flash chip \""), *q = strchr(name, '"');
	if (!q)
		return;
	struct fwkit_flash_chip *info = b->info;
	if (!info->nmatches) {
		str_printf(info->vendor, sizeof(info->vendor), "%.*s", (int)(mark - v - 6), v + 6);
		str_printf(info->name, sizeof(info->name), "%.*s", (int)(q - name), name);
		const char *bus = strstr(q, " kB, ");
		if (bus) {
			bus += 5;
			str_printf(info->bus, sizeof(info->bus), "%.*s", (int)strcspn(bus, ")"), bus);
		}
	}
	size_t used = strlen(info->matches);
	str_printf(info->matches + used, sizeof(info->matches) - used, "%s%.*s", used ? ", " : "", (int)(q - name), name);
	info->nmatches++;
}

static void end_line(struct flash_backend *b, int level)
{
	b->line[b->line_len] = 0;
	if (strstr(b->line, " flash chip \""))
		note_found_chip(b, b->line);
	if (level == FLASHROM_MSG_ERROR && b->line_len)
		str_printf(b->last_error, sizeof(b->last_error), "%s", b->line);
	if (b->cb.log && level <= b->cb.log_level && b->line_len)
		b->cb.log(b->cb.user, level, b->line);
	b->line_len = 0;
}

static int log_cb(enum flashrom_log_level level, const char *fmt, va_list ap)
{
	struct flash_backend *b = open_backend;
	/* the probe's "Found" lines are info, the reasons errors; debug and spew (every SPI command of
	 * the dummy programmer) only when the caller's log wants them */
	if (!b || ((int)level > FLASHROM_MSG_INFO && (!b->cb.log || (int)level > b->cb.log_level)))
		return 0;
	char piece[1024];
	int n = vsnprintf(piece, sizeof(piece), fmt, ap);
	if (n < 0)
		return 0;
	for (const char *p = piece; *p; p++) {
		if (*p == '\n' || b->line_len + 1 >= sizeof(b->line))
			end_line(b, (int)level);
		if (*p != '\n')
			b->line[b->line_len++] = *p;
	}
	return n;
}

static enum fwkit_status start_programmer(struct fwkit_ctx *ctx, struct flash_backend *b, const char *programmer)
{
	char name[64];
	const char *colon = strchr(programmer, ':');
	size_t nlen = colon ? (size_t)(colon - programmer) : strlen(programmer);
	if (nlen == 0 || nlen >= sizeof(name))
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "NAME or NAME:PARAMS (flashrom -p)", programmer,
				   "bad programmer");
	memcpy(name, programmer, nlen);
	name[nlen] = 0;
	if (flashrom_programmer_init(&b->prog, name, colon ? colon + 1 : "") != 0) {
		return FWKIT_RAISE(ctx, FWKIT_E_NO_DEVICE, FWKIT_NO_OFFSET, NULL, b->last_error[0] ? b->last_error : NULL,
				   "programmer %s did not start (is it plugged in? is the name one flashrom knows?)", name);
	}
	b->started = true;
	return FWKIT_OK;
}

static enum fwkit_status probe_chip(struct fwkit_ctx *ctx, struct flash_backend *b, const char *chip)
{
	int rc = flashrom_flash_probe(&b->chip, b->prog, chip);
	if (rc == 0) {
		b->size = flashrom_flash_getsize(b->chip);
		b->info->size = b->size;
		return FWKIT_OK;
	}
	b->chip = NULL;
	if (rc == 3)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, "one chip definition", b->info->matches,
				   "several flash chip definitions match: give the chip's name with -c");
	if (rc == 2) {
		if (chip)
			return FWKIT_RAISE(ctx, FWKIT_E_NO_DEVICE, FWKIT_NO_OFFSET, NULL, NULL,
					   "no flash chip \"%s\" found: check the name (flashrom -L), the clip's contact "
					   "and that its pin 1 (red wire) is on the chip's pin 1 (the dot)", chip);
		return FWKIT_RAISE(ctx, FWKIT_E_NO_DEVICE, FWKIT_NO_OFFSET, NULL, NULL,
				   "no EEPROM/flash device found: check the clip (every pin touching; reseat it) and "
				   "that its pin 1 (red wire) is on the chip's pin 1 (the dot)");
	}
	return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, b->last_error[0] ? b->last_error : NULL,
			   "probing for a flash chip failed");
}

enum fwkit_status flash_backend_open(struct fwkit_ctx *ctx, const char *programmer, const char *chip,
				     const struct fwkit_flash_callbacks *cb, struct fwkit_flash_chip *info,
				     struct flash_backend **out)
{
	static bool initialised;
	*out = NULL;
	if (open_backend)
		return FWKIT_RAISE(ctx, FWKIT_E_INVALID_ARG, FWKIT_NO_OFFSET, NULL, NULL,
				   "libflashrom drives one programmer at a time: one is open already");
	struct flash_backend *b = calloc(1, sizeof(*b));
	if (!b)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (cb)
		b->cb = *cb;
	b->info = info;
	open_backend = b;
	flashrom_set_log_callback(log_cb);
	if (!initialised) {
		if (flashrom_init(1) != 0) {
			flash_backend_close(b);
			return FWKIT_RAISE(ctx, FWKIT_E_IO, FWKIT_NO_OFFSET, NULL, NULL, "libflashrom failed its selfcheck");
		}
		initialised = true;
	}
	enum fwkit_status st = start_programmer(ctx, b, programmer);
	if (st == FWKIT_OK)
		st = probe_chip(ctx, b, chip);
	if (st == FWKIT_OK && !(b->scratch = malloc(b->size ? b->size : 1)))
		st = FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "out of memory");
	if (st != FWKIT_OK) {
		flash_backend_close(b);
		return st;
	}
	flashrom_flag_set(b->chip, FLASHROM_FLAG_VERIFY_AFTER_WRITE, false); /* fwkit reads back itself */
	*out = b;
	return FWKIT_OK;
}

void flash_backend_close(struct flash_backend *b)
{
	if (!b)
		return;
	if (b->chip)
		flashrom_flash_release(b->chip);
	if (b->started)
		flashrom_programmer_shutdown(b->prog); /* the dummy programmer writes its image file here */
	if (b->line_len)
		end_line(b, FLASHROM_MSG_INFO);
	open_backend = NULL;
	flashrom_set_log_callback(NULL);
	free(b->scratch);
	free(b);
}

/* Sets a layout with the one region [OFF, OFF + LEN) included; the caller releases it. */
static enum fwkit_status set_region(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				    struct flashrom_layout **layout)
{
	if (len == 0 || off > b->size || len > b->size - off)
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, off, NULL, NULL, "range past the end of the %zu-byte chip", b->size);
	if (flashrom_layout_new(layout) != 0 ||
	    flashrom_layout_add_region(*layout, (size_t)off, (size_t)(off + len - 1), "fwkit") != 0 ||
	    flashrom_layout_include_region(*layout, "fwkit") != 0) {
		flashrom_layout_release(*layout);
		*layout = NULL;
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, off, NULL, NULL, "libflashrom could not make a layout");
	}
	flashrom_layout_set(b->chip, *layout);
	return FWKIT_OK;
}

static void clear_region(struct flash_backend *b, struct flashrom_layout *layout)
{
	flashrom_layout_set(b->chip, NULL);
	flashrom_layout_release(layout);
}

enum fwkit_status flash_backend_read(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				     uint8_t *image, size_t image_len)
{
	struct flashrom_layout *layout = NULL;
	enum fwkit_status st = set_region(ctx, b, off, len, &layout);
	if (st != FWKIT_OK)
		return st;
	int rc = flashrom_image_read(b->chip, image, image_len);
	clear_region(b, layout);
	if (rc != 0)
		return FWKIT_RAISE(ctx, FWKIT_E_IO, off, NULL, b->last_error[0] ? b->last_error : NULL,
				   "reading 0x%llx bytes failed", (unsigned long long)len);
	return FWKIT_OK;
}

enum fwkit_status flash_backend_write(struct fwkit_ctx *ctx, struct flash_backend *b, uint64_t off, uint64_t len,
				      const uint8_t *new_image, const uint8_t *old_image, size_t image_len)
{
	if (image_len != b->size)
		return FWKIT_RAISE(ctx, FWKIT_E_RANGE, FWKIT_NO_OFFSET, NULL, NULL, "image is not the chip's size");
	struct flashrom_layout *layout = NULL;
	enum fwkit_status st = set_region(ctx, b, off, len, &layout);
	if (st != FWKIT_OK)
		return st;
	/* the chip holds OLD there (the caller read it back): flashrom need not read it again */
	memcpy(b->scratch, new_image, image_len);
	int rc = flashrom_image_write(b->chip, b->scratch, image_len, old_image);
	clear_region(b, layout);
	if (rc == 0)
		return FWKIT_OK;
	return FWKIT_RAISE(ctx, FWKIT_E_IO, off, NULL, b->last_error[0] ? b->last_error : NULL,
			   rc == 3 ? "erase/write failed before changing the chip" : "erase/write failed (the block may be changed)");
}
