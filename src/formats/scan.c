/*
 * The scan engine: every format's magic searched with memmem (the hot loop is libc's), each
 * candidate proved by its probe, the hits sorted and nested by extent.
 */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "formats/registry.h"
#include "formats/streams.h"
#include "fwkit/scan.h"
#include "fwkit/uimage.h"

/* Candidates a format may try per buffer: a file full of one magic costs bounded time. */
#define MAX_CANDIDATES_PER_FORMAT 20000u
#define DEFAULT_MAX_DEPTH 4u

struct hit {
	struct fwkit_node *node;
	const struct fwkit_format *format;
};

struct hits {
	struct hit *v;
	size_t n, cap;
	uint64_t suppressed;
};

static bool push_hit(struct hits *h, struct fwkit_node *node, const struct fwkit_format *f)
{
	if (h->n == h->cap) {
		size_t ncap = h->cap ? h->cap * 2 : 32;
		struct hit *p = realloc(h->v, ncap * sizeof(*p));
		if (!p) {
			fwkit_node_free(node);
			return false;
		}
		h->v = p;
		h->cap = ncap;
	}
	h->v[h->n++] = (struct hit){ node, f };
	return true;
}

const char *fwkit_format_name(size_t i, const char **summary)
{
	for (size_t k = 0; fwkit_formats[k]; k++) {
		if (k == i) {
			if (summary)
				*summary = fwkit_formats[k]->summary;
			return fwkit_formats[k]->name;
		}
	}
	return NULL;
}

static int required_bits(const struct fwkit_format *f, const struct fwkit_scan_options *o)
{
	return o->min_bits > f->verified_bits ? o->min_bits : f->verified_bits;
}

static bool opaque(const struct fwkit_format *f);

/* One candidate: F's probe at START, and a hit when it verifies enough. */
static enum fwkit_status try_candidate(struct fwkit_ctx *ctx, const struct fwkit_format *f, const uint8_t *buf,
				       size_t len, size_t start, const struct fwkit_scan_options *o, struct hits *h)
{
	struct probe_result r;
	formats_probe(f, buf + start, len - start, start, &r);
	if (r.bits < required_bits(f, o))
		return FWKIT_OK;
	struct fwkit_node *n = fwkit_node_new(f->name, start, r.size);
	if (!n || !fwkit_node_set_validated(n, r.validated, r.bits) || !push_hit(h, n, f)) {
		fwkit_node_free(n);
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "scan: out of memory");
	}
	size_t dlen = r.size && r.size < len - start ? (size_t)r.size : len - start;
	enum fwkit_status st = f->describe ? f->describe(ctx, buf + start, dlen, n) : FWKIT_OK;
	if (st == FWKIT_OK && o->deep && f->verify)
		st = f->verify(ctx, buf + start, dlen, n);
	return st == FWKIT_E_NOMEM ? st : FWKIT_OK;
}

/* The magics of the table, keyed by their first two bytes (every magic has at least three). */
struct magic_index {
	uint8_t first2[65536 / 8]; /* bit set: some magic starts with these two bytes */
	size_t n;
	struct {
		const struct fwkit_format *f;
		const struct format_magic *m;
		unsigned tried;
	} refs[64];
};

static void index_magics(struct magic_index *ix)
{
	memset(ix, 0, sizeof(*ix));
	for (size_t i = 0; fwkit_formats[i]; i++)
		for (size_t m = 0; m < FORMAT_MAX_MAGICS && fwkit_formats[i]->magics[m].len >= 2; m++) {
			const struct format_magic *mg = &fwkit_formats[i]->magics[m];
			uint16_t k = (uint16_t)((uint8_t)mg->bytes[0] | ((uint8_t)mg->bytes[1] << 8));
			ix->first2[k >> 3] |= (uint8_t)(1u << (k & 7));
			if (ix->n < sizeof(ix->refs) / sizeof(ix->refs[0])) {
				ix->refs[ix->n].f = fwkit_formats[i];
				ix->refs[ix->n].m = mg;
				ix->n++;
			}
		}
}

/*
 * One pass over BUF for every magic at once: a two-byte prefix bitmap (8 KiB, in L1) says where
 * a magic may start; erased (FF) and zero runs are skipped eight bytes at a time, as no magic
 * starts with FF FF or 00 00.
 */
static enum fwkit_status scan_magics(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				     const struct fwkit_scan_options *o, struct hits *h)
{
	struct magic_index *ix = malloc(sizeof(*ix));
	if (!ix)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "scan: out of memory");
	index_magics(ix);
	enum fwkit_status st = FWKIT_OK;
	size_t i = 0;
	/* the bytes of a squashfs (or a stream of known extent) are its data: magic matches there are
	 * not even probed (nest() would drop them), only counted */
	uint64_t opaque_end = 0;
	while (st == FWKIT_OK && i + 1 < len) {
		if ((buf[i] == 0 || buf[i] == 0xFF) && i + 8 <= len) {
			uint64_t w;
			memcpy(&w, buf + i, 8); /* a value copy, not an overlay: no alignment or aliasing assumed */
			if (w == 0 || w == UINT64_MAX) {
				i += 7;
				continue;
			}
		}
		uint16_t k = (uint16_t)(buf[i] | (buf[i + 1] << 8));
		if (ix->first2[k >> 3] & (1u << (k & 7))) {
			for (size_t r = 0; r < ix->n && st == FWKIT_OK; r++) {
				const struct fwkit_format *f = ix->refs[r].f;
				const struct format_magic *m = ix->refs[r].m;
				size_t align = f->align ? f->align : 1;
				if (m->len > len - i || memcmp(buf + i, m->bytes, m->len) != 0 || i < f->magic_offset ||
				    (i - f->magic_offset) % align)
					continue;
				if (i < opaque_end) {
					h->suppressed++;
					continue;
				}
				if (++ix->refs[r].tried > MAX_CANDIDATES_PER_FORMAT)
					continue;
				size_t before = h->n;
				st = try_candidate(ctx, f, buf, len, i - f->magic_offset, o, h);
				if (h->n > before && opaque(f) && fwkit_node_size(h->v[h->n - 1].node) > 0) {
					uint64_t end = fwkit_node_offset(h->v[h->n - 1].node) + fwkit_node_size(h->v[h->n - 1].node);
					opaque_end = end > opaque_end ? end : opaque_end;
				}
			}
		}
		i++;
	}
	free(ix);
	return st;
}

/* Formats without a magic find their own instances. */
static enum fwkit_status scan_self(struct fwkit_ctx *ctx, const struct fwkit_format *f, const uint8_t *buf, size_t len,
				   const struct fwkit_scan_options *o, struct hits *h)
{
	struct fwkit_node *tmp = fwkit_node_new("tmp", 0, len);
	if (!tmp)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "scan: out of memory");
	enum fwkit_status st = f->scan(ctx, buf, len, tmp);
	for (size_t i = 0; i < fwkit_node_child_count(tmp); i++) {
		struct fwkit_node *c = node_take_child(tmp, i);
		if (fwkit_node_bits(c) < required_bits(f, o))
			fwkit_node_free(c);
		else if (!push_hit(h, c, f))
			return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "scan: out of memory");
	}
	fwkit_node_free(tmp);
	return st;
}

static int by_offset(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;
	uint64_t xo = fwkit_node_offset(x->node), yo = fwkit_node_offset(y->node);
	if (xo != yo)
		return xo < yo ? -1 : 1;
	uint64_t xs = fwkit_node_size(x->node), ys = fwkit_node_size(y->node);
	return xs > ys ? -1 : xs < ys ? 1 : 0; /* the larger (the container) first */
}

static bool opaque(const struct fwkit_format *f)
{
	return f->role == FORMAT_STREAM || f->role == FORMAT_FILESYSTEM;
}

/*
 * Builds the tree: a hit inside an earlier hit's extent is its child, except that the bytes of a
 * stream or a file system belong to it (a hit there is dropped as noise). A stream of unknown
 * size inside a container claims the rest of the container.
 */
static void nest(struct hits *h, struct fwkit_node *root, uint64_t len)
{
	struct open {
		struct fwkit_node *node;
		const struct fwkit_format *f;
		uint64_t end;
	} stack[16];
	size_t depth = 0;
	for (size_t i = 0; i < h->n; i++) {
		struct fwkit_node *n = h->v[i].node;
		const struct fwkit_format *f = h->v[i].format;
		uint64_t off = fwkit_node_offset(n), size = fwkit_node_size(n);
		/* close the containers this hit is not inside: it starts past their end, or (a container
		 * that is not opaque data) it runs past their end, so it overlaps them as a sibling */
		while (depth && (off >= stack[depth - 1].end ||
				 (size && size > stack[depth - 1].end - off && !opaque(stack[depth - 1].f))))
			depth--;
		if (depth && opaque(stack[depth - 1].f)) {
			h->suppressed++;
			fwkit_node_free(n);
			continue;
		}
		struct fwkit_node *parent = depth ? stack[depth - 1].node : root;
		uint64_t limit = depth ? stack[depth - 1].end : len;
		uint64_t end = size ? (size > limit - off ? limit : off + size) : (depth && opaque(f) ? limit : off);
		fwkit_node_add_child(parent, n);
		if (end > off && depth < sizeof(stack) / sizeof(stack[0]))
			stack[depth++] = (struct open){ n, f, end };
	}
	h->n = 0;
}

static enum fwkit_status scan_into(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				   const struct fwkit_scan_options *o, unsigned level, struct fwkit_node *root);

/* --deep: decode a stream node and scan what comes out, as its children. */
static enum fwkit_status descend(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, struct fwkit_node *n,
				 const struct fwkit_format *f, const struct fwkit_scan_options *o, unsigned level)
{
	uint64_t off = fwkit_node_offset(n);
	uint8_t *out = NULL;
	size_t out_len = 0, used = 0;
	bool hit_limit = false;
	uint64_t limit = fwkit_ctx_decompress_limit(ctx);
	if (!stream_decode_all(ctx, f->codec, buf + off, len - off, (size_t)(limit > SIZE_MAX ? SIZE_MAX : limit), &out,
			       &out_len, &used, &hit_limit)) {
		struct fwkit_finding fd = { .severity = hit_limit ? FWKIT_SEV_WARN : FWKIT_SEV_ERROR, .offset = off };
		str_printf(fd.code, sizeof(fd.code), "%s", hit_limit ? "budget.decompress" : "stream.corrupt");
		str_printf(fd.message, sizeof(fd.message), hit_limit ? "the decompression budget (%llu bytes) stopped this stream; its contents were not scanned"
								     : "the stream does not decode to its end", (unsigned long long)limit);
		fwkit_node_add_finding(n, &fd);
		return FWKIT_OK;
	}
	if (!fwkit_node_size(n))
		fwkit_node_set_size(n, used);
	fwkit_node_add_uint(n, "decoded_size", out_len, false);
	enum fwkit_status st = scan_into(ctx, out, out_len, o, level + 1, n);
	free(out);
	return st;
}

static enum fwkit_status scan_into(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len,
				   const struct fwkit_scan_options *o, unsigned level, struct fwkit_node *root)
{
	struct hits h = { 0 };
	enum fwkit_status st = scan_magics(ctx, buf, len, o, &h);
	for (size_t i = 0; fwkit_formats[i] && st == FWKIT_OK; i++) {
		const struct fwkit_format *f = fwkit_formats[i];
		if (!f->magics[0].len && f->scan)
			st = scan_self(ctx, f, buf, len, o, &h);
	}
	if (h.n)
		qsort(h.v, h.n, sizeof(*h.v), by_offset);
	/* decode streams first, so their extent is known when the tree is nested */
	unsigned max_depth = o->max_depth ? o->max_depth : DEFAULT_MAX_DEPTH;
	for (size_t i = 0; st == FWKIT_OK && o->deep && level < max_depth && i < h.n; i++)
		if (h.v[i].format->role == FORMAT_STREAM)
			st = descend(ctx, buf, len, h.v[i].node, h.v[i].format, o, level);
	size_t count = h.n;
	nest(&h, root, len);
	if (h.suppressed)
		fwkit_node_add_uint(root, "suppressed", h.suppressed, false);
	(void)count;
	free(h.v);
	return st;
}

size_t formats_claimed_ranges(const uint8_t *buf, size_t len, struct format_range *out, size_t max)
{
	struct fwkit_ctx *ctx = fwkit_ctx_new();
	struct hits h = { 0 };
	static const struct fwkit_scan_options o = { 0 };
	size_t n = 0;
	if (ctx && scan_magics(ctx, buf, len, &o, &h) == FWKIT_OK) {
		for (size_t i = 0; i < h.n && n < max; i++) {
			const struct fwkit_node *hit = h.v[i].node;
			uint64_t off = fwkit_node_offset(hit), size = fwkit_node_size(hit);
			if (h.v[i].format->role == FORMAT_IMAGE && size > FWKIT_UIMAGE_HEADER_SIZE)
				out[n++] = (struct format_range){ off + FWKIT_UIMAGE_HEADER_SIZE, off + size };
			else if ((h.v[i].format->role == FORMAT_STREAM || h.v[i].format->role == FORMAT_FILESYSTEM) && size > 4)
				out[n++] = (struct format_range){ off, off + size };
		}
	}
	for (size_t i = 0; i < h.n; i++)
		fwkit_node_free(h.v[i].node);
	free(h.v);
	fwkit_ctx_free(ctx);
	return n;
}

enum fwkit_status fwkit_scan(struct fwkit_ctx *ctx, const uint8_t *buf, size_t len, const struct fwkit_scan_options *opts,
			     struct fwkit_node **out)
{
	static const struct fwkit_scan_options defaults = { 0 };
	const struct fwkit_scan_options *o = opts ? opts : &defaults;
	*out = NULL;
	struct fwkit_node *root = fwkit_node_new("file", 0, len);
	if (!root)
		return FWKIT_RAISE(ctx, FWKIT_E_NOMEM, FWKIT_NO_OFFSET, NULL, NULL, "scan: out of memory");
	fwkit_node_set_validated(root, "", 0);
	enum fwkit_status st = scan_into(ctx, buf, len, o, 0, root);
	if (st != FWKIT_OK) {
		fwkit_node_free(root);
		return st;
	}
	*out = root;
	return FWKIT_OK;
}
