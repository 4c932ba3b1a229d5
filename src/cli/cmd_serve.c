/*
 * fwkit serve: a read-only TFTP server for recovery, which checks the image first and says what
 * the device's bootloader expects (address, file name, menu steps).
 */
#include <stdarg.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/emit.h"
#include "fwkit/tftp.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct serve_state {
	bool json;
	bool tty;
	bool force;
	int bar_width;
	bool single_file;                     /* serve FILE: it must be an image (a folder serves anything) */
	const struct fwkit_profile *device;   /* --device: fwkit check for its bootloader's TFTP path */
	const struct fwkit_profile *extra;
	size_t nextra;
};

static void print_event(void *user, const struct fwkit_tftp_event *ev)
{
	struct serve_state *ss = user;
	static const char *const kinds[] = { "listening", "request", "refused", "start", "progress", "done", "failed",
					     "ignored", "changed" };
	const char *kind = (unsigned)ev->kind < sizeof(kinds) / sizeof(kinds[0]) ? kinds[ev->kind] : "event";
	if (ss->json) {
		if (ev->kind == TFTP_EV_PROGRESS)
			return;
		struct emitter *e = emitter_new_compact(stdout);
		emit_string(e, "event", NULL, kind);
		emit_uint(e, "transfer", NULL, ev->transfer_id, NULL);
		emit_string(e, "peer", NULL, ev->peer);
		emit_string(e, "file", NULL, ev->filename);
		if (ev->options[0])
			emit_string(e, "options", NULL, ev->options);
		emit_string(e, "message", NULL, ev->message);
		if (ev->kind == TFTP_EV_DONE || ev->kind == TFTP_EV_FAILED) {
			emit_uint(e, "bytes", NULL, ev->bytes, NULL);
			emit_uint(e, "total", NULL, ev->total, NULL);
			emit_uint(e, "elapsed_ms", NULL, ev->elapsed_ms, NULL);
			emit_uint(e, "retransmissions", NULL, ev->retransmissions, NULL);
		}
		emitter_finish(e);
		emitter_free(e);
		fflush(stdout);
		return;
	}
	switch (ev->kind) {
	case TFTP_EV_LISTENING:
		printf("listening on %s, serving %s (read-only)\n", ev->peer, ev->filename);
		break;
	case TFTP_EV_REQUEST:
		printf("%s: %s \"%s\"%s%s\n", ev->peer, ev->message, ev->filename, ev->options[0] ? ", options asked: " : "",
		       ev->options);
		break;
	case TFTP_EV_REFUSED:
		printf("%s: refused \"%s\": %s\n", ev->peer, ev->filename, ev->message);
		break;
	case TFTP_EV_CHANGED:
		printf("%s: \"%s\" %s\n", ev->peer, ev->filename, ev->message);
		break;
	case TFTP_EV_IGNORED:
		printf("%s: ignored \"%s\": %s\n", ev->peer, ev->filename, ev->message);
		break;
	case TFTP_EV_START:
		printf("#%u %s: sending \"%s\": %s%s%s\n", ev->transfer_id, ev->peer, ev->filename, ev->message,
		       ev->options[0] ? "; granted: " : "", ev->options);
		break;
	case TFTP_EV_PROGRESS:
		if (ss->tty && ev->total) {
			int pct = (int)(ev->bytes * 100 / ev->total);
			int fill = pct * ss->bar_width / 100;
			double rate = ev->elapsed_ms ? (double)ev->bytes / 1048576.0 / ((double)ev->elapsed_ms / 1000.0) : 0;
			fprintf(stderr, "\r#%u [%-*.*s] %3d%% %.1f MiB/s", ev->transfer_id, ss->bar_width, fill,
				"##################################################", pct, rate);
		}
		break;
	case TFTP_EV_DONE:
	case TFTP_EV_FAILED: {
		if (ss->tty)
			fputc('\n', stderr);
		double secs = (double)ev->elapsed_ms / 1000.0;
		double rate = secs > 0 ? (double)ev->bytes / 1048576.0 / secs : 0;
		printf("#%u %s: %s \"%s\": %llu of %llu bytes in %.2f s (%.1f MiB/s), %llu retransmissions%s%s\n",
		       ev->transfer_id, ev->peer, ev->kind == TFTP_EV_DONE ? "done" : "FAILED", ev->filename,
		       (unsigned long long)ev->bytes, (unsigned long long)ev->total, secs, rate,
		       (unsigned long long)ev->retransmissions, ev->kind == TFTP_EV_FAILED ? ": " : "",
		       ev->kind == TFTP_EV_FAILED ? ev->message : "");
		break;
	}
	default:
		printf("%s: %s\n", ev->peer, ev->message);
	}
	fflush(stdout);
}

/* The image check (fwkit_image_check): a uImage must have good CRCs; other files pass with a note. */
/* Refuses (or, with --force, warns and serves) an image that fails: WHY gets the reason. */
static bool refuse(struct serve_state *ss, char *why, size_t why_size, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool refuse(struct serve_state *ss, char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	if (ss->force)
		fprintf(stderr, "fwkit: warning: serving anyway (--force): %s\n", why);
	return ss->force;
}

/* With --device: fwkit check for the bootloader's TFTP path (what `fwkit check --via uboot-tftp` says). */
static bool check_for_device(struct serve_state *ss, const char *path, const uint8_t *data, size_t size, char *why,
			     size_t why_size)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct fwkit_check_request req = { .device = ss->device, .via = FWKIT_VIA_UBOOT_TFTP, .extra = ss->extra, .nextra = ss->nextra };
	struct fwkit_node *n = NULL;
	bool ok;
	if (!ctx || fwkit_check(ctx, data, size, &req, &n) != FWKIT_OK) {
		ok = refuse(ss, why, why_size, "%s: not checked (%s)", path, ctx ? fwkit_ctx_error(ctx)->what : "out of memory");
	} else if (fwkit_check_verdict(n) == FWKIT_VERDICT_WILL_BRICK) {
		/* every blocking reason on its own line: the refusal itself must fit the server's log line */
		for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
			if (fwkit_node_finding(n, i)->severity == FWKIT_SEV_ERROR)
				fprintf(stderr, "fwkit: %s: will-brick %s via uboot-tftp: %s\n", path, ss->device->id,
					fwkit_node_finding(n, i)->message);
		ok = refuse(ss, why, why_size, "%s: will-brick via uboot-tftp (fwkit check %s --device %s --via uboot-tftp)", path,
			    path, ss->device->id);
	} else {
		for (size_t i = 0; i < fwkit_node_finding_count(n); i++)
			fprintf(stderr, "fwkit: %s: warning: %s\n", path, fwkit_node_finding(n, i)->message);
		ok = true;
	}
	fwkit_node_free(n);
	fwkit_ctx_free(ctx);
	return ok;
}

/* Without --device: a bootloader's TFTP path takes a firmware image, so a file that identify says is
 * something else is refused (served with --force): a whole dump, a partition read alone (the seed's
 * "never upgrade your boot loader"), a Poray file for the stock web UI, a file of no known kind. */
static bool check_kind(struct serve_state *ss, const char *path, const uint8_t *data, size_t size, char *why,
		       size_t why_size)
{
	struct fwkit_node *id = NULL;
	const struct fwkit_field *kind = NULL, *image = NULL, *part = NULL;
	if (fwkit_identify_file(NULL, data, size, ss->extra, ss->nextra, &id) == FWKIT_OK) {
		kind = fwkit_node_get(id, "kind");
		image = fwkit_node_get(id, "image");
		part = fwkit_node_get(id, "partition");
	}
	bool ok = true;
	if (!kind || kind->u == FWKIT_KIND_UNKNOWN)
		ok = refuse(ss, why, why_size, "%s: not a firmware image, flash image or partition (fwkit identify %s)", path, path);
	else if (kind->u == FWKIT_KIND_FLASH_DUMP)
		ok = refuse(ss, why, why_size, "%s: a whole flash dump (%zu bytes), not a firmware image: a bootloader writes what "
			    "it gets to the firmware partition; serve the firmware (fwkit extract %s --part firmware -o fw.bin), "
			    "or --force for a menu that writes the whole chip", path, size, path);
	else if (kind->u == FWKIT_KIND_PARTITION)
		ok = refuse(ss, why, why_size, "%s: a %.*s partition read alone, not a firmware image%s", path,
			    part ? (int)part->raw_len : 7, part ? (const char *)part->raw : "unknown",
			    part && part->raw_len == 10 && !memcmp(part->raw, "bootloader", 10)
				    ? ": only a bootloader's own 'write bootloader' item takes it, and a bad one bricks for good (--force)"
				    : " (--force to serve it anyway)");
	else if (image && image->text && !strcmp(image->text, "poray"))
		ok = refuse(ss, why, why_size, "%s: a Poray factory file for the stock web UI; the bootloader takes the uImage "
			    "inside it: fwkit poray decode %s -o fw.bin", path, path);
	fwkit_node_free(id);
	return ok;
}

static bool check_image(void *user, const char *path, const uint8_t *data, size_t size, char *why, size_t why_size)
{
	struct serve_state *ss = user;
	if (ss->device)
		return check_for_device(ss, path, data, size, why, why_size);
	struct fwkit_image_check *c = malloc(sizeof(*c));
	if (!c || fwkit_image_check(NULL, data, size, c) != FWKIT_OK) {
		snprintf(why, why_size, "%s: not checked (out of memory)", path);
		free(c);
		return false;
	}
	bool ok = c->ok;
	if (!ok) {
		snprintf(why, why_size, "%s: %s", path, c->why);
		if (ss->force && c->header_complete)
			fprintf(stderr, "fwkit: warning: serving anyway (--force): %s\n", why);
		ok = ss->force;
	} else if (ss->single_file) {
		ok = check_kind(ss, path, data, size, why, why_size);
	}
	free(c);
	return ok;
}

/* Does an interface of this machine have ADDR? Fills a suggestion of interfaces when not. */
static bool have_address(const char *addr, char *ifaces, size_t cap)
{
	struct ifaddrs *ifa = NULL;
	struct in_addr want;
	if (inet_pton(AF_INET, addr, &want) != 1 || getifaddrs(&ifa) != 0)
		return false;
	bool found = false;
	size_t o = 0;
	ifaces[0] = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == want.s_addr)
			found = true;
		if (!(i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP) && o + strlen(i->ifa_name) + 2 < cap &&
		    !strstr(ifaces, i->ifa_name))
			o += (size_t)snprintf(ifaces + o, cap - o, "%s%s", o ? " " : "", i->ifa_name);
	}
	freeifaddrs(ifa);
	return found;
}

/* "ADDR", "ADDR:PORT", "[V6]", "[V6]:PORT", or a bare V6 address. */
static bool parse_bind(const char *s, char *addr, size_t cap, uint16_t *port)
{
	const char *p = NULL;
	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= cap)
			return false;
		memcpy(addr, s + 1, (size_t)(end - s - 1));
		addr[end - s - 1] = 0;
		p = end[1] == ':' ? end + 2 : (end[1] ? NULL : "");
		if (!p)
			return false;
	} else {
		const char *colon = strchr(s, ':');
		if (colon && !strchr(colon + 1, ':')) {
			if ((size_t)(colon - s) >= cap)
				return false;
			memcpy(addr, s, (size_t)(colon - s));
			addr[colon - s] = 0;
			p = colon + 1;
		} else {
			snprintf(addr, cap, "%s", s);
			p = "";
		}
	}
	if (*p) {
		uint64_t v;
		if (!cli_parse_u64(p, 10, 65535, &v)) /* 0: any free port (the log says which) */
			return false;
		*port = (uint16_t)v;
	}
	return true;
}

static int run_serve(int argc, char **argv, const struct cli_command *self)
{
	const char *bind_s = NULL, *device = NULL, *user = NULL, *pfile = NULL;
	bool any_name = false, once = false, force = false;
	uint64_t max_blksize = 0, max_window = 0, max_memory = 0, per_address = 0;
	struct cli_option opts[] = {
		{ 0, "bind", OPT_STRING, "ADDR[:PORT]", "address and port to listen on (default 0.0.0.0:69; [::]:69 for IPv6)", &bind_s, NULL },
		{ 0, "any-name", OPT_FLAG, NULL, "serve FILE whatever name the bootloader asks for", &any_name, NULL },
		{ 0, "once", OPT_FLAG, NULL, "exit 0 after one complete transfer", &once, NULL },
		{ 0, "device", OPT_STRING, "ID", "say what this device's recovery expects, and check this machine's address", &device, NULL },
		{ 0, "force", OPT_FLAG, NULL, "serve an image even when its check fails", &force, NULL },
		{ 0, "user", OPT_STRING, "USER", "when started as root, switch to USER (a name, or UID[:GID]) after binding (default nobody)", &user, NULL },
		{ 0, "max-blksize", OPT_UINT, "N", "largest block size granted (default 65464)", &max_blksize, NULL },
		{ 0, "max-windowsize", OPT_UINT, "N", "largest window granted (default 64)", &max_window, NULL },
		{ 0, "per-address", OPT_UINT, "N", "transfers at once from one client address (default 8)", &per_address, NULL },
		{ 0, "max-memory", OPT_UINT, "MIB", "memory for the copies of the files being served (default 2048)", &max_memory, NULL },
		{ 0, "profiles", OPT_STRING, "FILE", "add the device profiles in FILE (JSON)", &pfile, NULL },
		OPT_END,
	};
	struct common_opts common = { 0 };
	char *pos[1];
	int n = cli_parse(self, opts, argc, argv, &common, pos, 1);
	if (common.help)
		return EXIT_OK_;
	if (n != 1) {
		if (n >= 0)
			cli_usage_error(self, "expected one FILE or DIR");
		return EXIT_USAGE;
	}
	char addr[64] = "0.0.0.0";
	uint16_t port = 69;
	if (bind_s && !parse_bind(bind_s, addr, sizeof(addr), &port)) {
		cli_usage_error(self, "--bind '%s': expected ADDR, ADDR:PORT or [IPV6]:PORT", bind_s);
		return EXIT_USAGE;
	}
	const struct fwkit_profile *checked_device = NULL;
	struct profiles device_profiles = { 0 };
	if (device) {
		/* what the device's recovery path expects, from its profile (src/devices/) */
		struct profiles pr;
		int perr = cli_load_profiles(pfile, &pr);
		if (perr)
			return perr;
		struct fwkit_profile *extra = pr.extra;
		size_t nextra = pr.nextra;
		const struct fwkit_profile *p = fwkit_profile_find(device, extra, nextra);
		const struct fwkit_recovery *rec = fwkit_profile_method(p, FWKIT_VIA_UBOOT_TFTP);
		if (!p || !rec) {
			fprintf(stderr, "fwkit: %s '%s'; devices with a TFTP recovery path:", p ? "no TFTP recovery path known for" : "unknown device", device);
			for (size_t i = 0; i < fwkit_profiles_builtin_count(); i++)
				if (fwkit_profile_method(fwkit_profiles_builtin_get(i), FWKIT_VIA_UBOOT_TFTP))
					fprintf(stderr, " %s", fwkit_profiles_builtin_get(i)->id);
			fputc('\n', stderr);
			free(extra);
			return EXIT_USAGE;
		}
		char ifaces[256];
		bool have = have_address(rec->server_ip, ifaces, sizeof(ifaces));
		printf("device:       %s (%s)\n", p->name, p->id);
		printf("recovery:     %s: %s\n", fwkit_recovery_kind_name(rec->kind), rec->steps);
		printf("addresses:    this computer %s/%u, the device %s\n", rec->server_ip, rec->prefix, rec->device_ip);
		printf("file name:    %s\n", rec->file_name[0] ? rec->file_name : "whatever the bootloader asks for (served under any name)");
		char want[96] = "";
		for (unsigned b = 0; fwkit_image_accept_name(b); b++)
			if (rec->accepts & (1u << b))
				snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", want[0] ? " or " : "", fwkit_image_accept_name(b));
		printf("image:        %s; the %s partition holds at most %u bytes (fwkit check --via uboot-tftp runs on every file)\n",
		       want, rec->target, p->firmware_max);
		printf("source:       %s\n", rec->source);
		if (have)
			printf("check:        ok, %s is an address of this machine\n", rec->server_ip);
		else
			printf("check:        no interface here has %s. Add it (as root; fwkit never changes the network):\n"
			       "                ip addr add %s/%u dev %s\n",
			       rec->server_ip, rec->server_ip, rec->prefix, ifaces[0] ? ifaces : "<interface>");
		if (!rec->file_name[0])
			any_name = true;
		fflush(stdout);
		checked_device = p;
		device_profiles = pr;
	}
	struct serve_state ss = { .json = common.json, .tty = isatty(STDERR_FILENO) && !common.json, .force = force,
				  .bar_width = 40, .device = checked_device, .extra = device_profiles.extra,
				  .nextra = device_profiles.nextra };
	struct fwkit_tftp_server_config cfg = {
		.any_name = any_name,
		.bind = addr,
		.port = port,
		.once = once,
		.drop_user = user,
		.limits = { .max_blksize = (unsigned)(max_blksize > 65464 ? 65464 : max_blksize),
			    .max_windowsize = (unsigned)(max_window > 65535 ? 65535 : max_window) },
		.on_event = print_event,
		.check = check_image,
		.max_per_address = (unsigned)(per_address > 65535 ? 65535 : per_address),
		.max_snapshot_bytes = (max_memory > (1u << 20) ? (1u << 20) : max_memory) << 20,
		.user = &ss,
	};
	struct stat st;
	if (stat(pos[0], &st) == 0 && S_ISDIR(st.st_mode))
		cfg.root = pos[0];
	else
		cfg.file = pos[0];
	ss.single_file = cfg.file != NULL;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	enum fwkit_status rc = fwkit_tftp_serve(ctx, &cfg, &stop_flag);
	int code = EXIT_OK_;
	if (rc != FWKIT_OK) {
		code = cli_report_error(ctx);
		if (rc == FWKIT_E_PERMISSION)
			code = EXIT_SYSTEM;
		if (rc == FWKIT_E_UNSAFE)
			code = EXIT_PROBLEM;
	}
	fwkit_ctx_free(ctx);
	free(device_profiles.extra);
	return code;
}

const struct cli_command cmd_serve = {
	.name = "serve",
	.synopsis = "serve FILE|DIR [--bind ADDR[:PORT]] [--any-name] [--once] [--device ID] [--profiles FILE] [--force] [--user USER] [--per-address N] [--max-memory MIB] [--json]",
	.summary = "serve an image to a bootloader over TFTP (read-only), checking it first and saying what the device expects",
	.run = run_serve,
};
