#!/usr/bin/env bash
# bench/inspect.sh: time `fwkit inspect DUMP` against `binwalk DUMP` on one 16 MiB flash dump (the
# layout of a Xiaomi Mi Router 3G v2), say what each one found, and write the report section
# "inspect against binwalk".
#
#   bash bench/inspect.sh [OUT.md]     (from anywhere; see bench/README.md)
#
# bench/run.sh calls it (with FWKIT_BENCH_FWKIT set and OUT.md in its scratch folder) and puts the
# section into bench/results/latest.md. Called alone, it builds build/bench itself (unless
# FWKIT_BENCH_FWKIT is set), prints the section on stdout and keeps a copy in
# build/bench/hyperfine/inspect.md; it never touches bench/results/latest.md.
#
# Steps: (a) check the tools (installs nothing), (b) build the dump: 0xFF, stock U-Boot @0, env
# @0x30000, Bdata @0x40000, factory (Wi-Fi EEPROMs) @0x50000, firmware @0x180000, (c) replace its
# MACs with 02:00:00:00:10:0x (`fwkit mac set --label`) and check that no other MAC is left in it,
# (d) run each tool once and keep what it found (plus binwalk on a copy with a damaged uImage, to
# show whether it checks CRCs), (e) one hyperfine run, the two commands side by side, (f) the
# Markdown section.
#
# Privacy: the real factory partition (if present) carries the MACs of a real router. They are
# replaced in step (c) before anything reads the dump, `fwkit mac set`'s own output (which names
# the old MACs) is never printed, and the section is refused (exit 2) if any MAC other than
# 02:00:00:00:10:xx, 00:00:00:00:00:00 or FF:FF:FF:FF:FF:FF appears in it.
#
# Environment (all optional):
#   FWKIT_BENCH_FWKIT         the fwkit binary to time (default: build build/bench and use its fwkit)
#   FWKIT_BENCH_DATA          the real test data folder (default ../shared/testdata/real): the
#                             factory EEPROM and the firmware are taken from it when present
#   FWKIT_BENCH_INSPECT_RUNS  hyperfine run bounds as "MIN MAX" (default "5 20"): hyperfine aims
#                             for ~3 s per command, so binwalk (~2 s a run) gets MIN runs
#
# Exit status: 0; 1 when a check failed (fwkit did not identify the device) or a timed command
# exited non-zero (the section is still written and says so); 2 when it could not run (a missing
# tool or input, a failed build, the MAC rewrite failed or left another MAC in the dump).
set -euo pipefail

[[ -n ${FWKIT_BENCH_FWKIT:-} && $FWKIT_BENCH_FWKIT != /* ]] && FWKIT_BENCH_FWKIT=$PWD/$FWKIT_BENCH_FWKIT
[[ -n ${FWKIT_BENCH_DATA:-} && $FWKIT_BENCH_DATA != /* ]] && FWKIT_BENCH_DATA=$PWD/$FWKIT_BENCH_DATA
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=$ROOT/build/bench
OUT=${1:-}
DATA=${FWKIT_BENCH_DATA:-$ROOT/../shared/testdata/real}
read -r MIN_RUNS MAX_RUNS <<<"${FWKIT_BENCH_INSPECT_RUNS:-5 20}"
DEVICE=xiaomi_mi-router-3g-v2
LABEL=02:00:00:00:10:00
BOOTLOADER=$ROOT/tests/data/bootloader/xiaomi-r4a-gigabit-uboot3.bin
REAL_EEPROM=$DATA/mi-r3g-noob/eeprom.bin
REAL_FIRMWARE=$DATA/openwrtinvasion/openwrt-ramips-mt7621-xiaomi_mir3g-v2-squashfs-sysupgrade.bin
FALLBACK_FIRMWARE=$ROOT/tests/data/uimage/good/a5-v11-19.07.7-sysupgrade.bin

log() { printf '==> inspect: %s\n' "$*" >&2; }
die() { echo "bench/inspect.sh: $*" >&2; exit 2; }
# Anything shown from a step that saw the original MACs goes through this first.
mask_macs() { sed -E 's/[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}/XX:XX:XX:XX:XX:XX/g'; }

# ---------------------------------------------------------------- (a) tools
missing=()
for tool in hyperfine binwalk mkenvimage python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "bench/inspect.sh: missing tools: ${missing[*]}" >&2
	echo "  install them with:  apt-get install hyperfine binwalk u-boot-tools" >&2
	echo "  (mkenvimage is in u-boot-tools)" >&2
	exit 2
fi
[[ -r $BOOTLOADER ]] || die "missing $BOOTLOADER"

if [[ -n ${FWKIT_BENCH_FWKIT:-} ]]; then
	FWKIT=$FWKIT_BENCH_FWKIT
else
	command -v cmake >/dev/null 2>&1 || die "missing cmake (apt-get install cmake)"
	log "configuring and building a release build in build/bench"
	cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DFWKIT_BENCH=ON >/dev/null || die "cmake configure failed"
	cmake --build build/bench >/dev/null || die "build failed"
	FWKIT=$BUILD/fwkit
fi
[[ -x $FWKIT ]] || die "$FWKIT is not an executable"

# Scratch: the dump and every raw output (the dump holds a real EEPROM: it never leaves WORK).
# Plain paths without spaces: hyperfine -N splits its commands on whitespace.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwkit-bench-inspect.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
JSON_DIR=$BUILD/hyperfine
mkdir -p "$JSON_DIR"
DUMP=$WORK/mir3g-v2.bin

# ---------------------------------------------------------------- (b) the dump
cat >"$WORK/env.txt" <<'EOF'
bootcmd=tftp
bootdelay=5
baudrate=115200
ipaddr=192.168.31.1
serverip=192.168.31.100
netmask=255.255.255.0
stdin=serial
stdout=serial
stderr=serial
uart_en=1
boot_wait=on
flag_boot_rootfs=0
flag_last_success=0
flag_boot_success=1
flag_try_sys1_failed=0
flag_try_sys2_failed=0
restore_defaults=0
EOF
cat >"$WORK/bdata.txt" <<'EOF'
SN=25123/A0ZZ12345
color=101
CountryCode=CN
model=R3G
EOF
mkenvimage -s 0x1000 -o "$WORK/env.bin" "$WORK/env.txt"
mkenvimage -s 0x4000 -o "$WORK/bdata.bin" "$WORK/bdata.txt"
if [[ -r $REAL_EEPROM ]]; then
	FACTORY=$REAL_EEPROM
	FACTORY_DESC="first 64 KiB of \`${REAL_EEPROM#"$DATA"/}\` (a real Mi Router 3G factory partition; its MACs replaced below)"
else
	FACTORY=-
	FACTORY_DESC="built: 64 KiB of 0xFF with \`03 76\` at 0x0 and \`62 76\` at 0x8000 (MT7603 and MT7662 EEPROM ids; real data not found)"
fi
if [[ -r $REAL_FIRMWARE ]]; then
	FIRMWARE=$REAL_FIRMWARE
	FIRMWARE_DESC="\`${REAL_FIRMWARE#"$DATA"/}\` (an OpenWrt sysupgrade image for this router)"
else
	[[ -r $FALLBACK_FIRMWARE ]] || die "missing $FALLBACK_FIRMWARE"
	FIRMWARE=$FALLBACK_FIRMWARE
	FIRMWARE_DESC="\`${FALLBACK_FIRMWARE#"$ROOT"/}\` (OpenWrt for the A5-V11, not this router: real data not found)"
fi
LAYOUT=$WORK/layout.tsv # offset <TAB> what <TAB> size in bytes
log "building the 16 MiB dump"
python3 - "$DUMP" "$LAYOUT" "$BOOTLOADER" "$WORK/env.bin" "$WORK/bdata.bin" "$FACTORY" "$FIRMWARE" \
	"$FACTORY_DESC" "$FIRMWARE_DESC" <<'PY'
import os, sys
dump, layout, boot, envb, bdata, factory, firmware, factory_desc, firmware_desc = sys.argv[1:10]
SIZE = 16 * 1024 * 1024
d = bytearray(b"\xff" * SIZE)
rows = []

def put(off, data, what):
    assert off + len(data) <= SIZE, what
    d[off:off + len(data)] = data
    rows.append((off, what, len(data)))

put(0x000000, open(boot, "rb").read(), "stock U-Boot: `tests/data/bootloader/%s`" % os.path.basename(boot))
put(0x030000, open(envb, "rb").read(), "U-Boot env: `mkenvimage -s 0x1000`, 17 variables (no MAC among them)")
put(0x040000, open(bdata, "rb").read(), "Xiaomi Bdata: `mkenvimage -s 0x4000`, SN, color=101, CountryCode=CN, model=R3G")
if factory == "-":
    f = bytearray(b"\xff" * 0x10000)
    f[0x0:0x2] = b"\x03\x76"
    f[0x8000:0x8002] = b"\x62\x76"
else:
    f = open(factory, "rb").read()[:0x10000]
put(0x050000, bytes(f), "factory: " + factory_desc)
put(0x180000, open(firmware, "rb").read(), "firmware: " + firmware_desc)
with open(dump, "wb") as o:
    o.write(d)
with open(layout, "w") as o:
    for off, what, n in rows:
        o.write("%d\t%s\t%d\n" % (off, what, n))
PY

# ---------------------------------------------------------------- (c) MACs: replace, then check
# The MACs before (never printed; only compared below), the rewrite (its output names the old MACs,
# so it goes to a file that is never shown), then the checks: every MAC fwkit lists is one of ours,
# and none of the old ones is left anywhere in the dump.
log "replacing the dump's MACs: fwkit mac set --label $LABEL --device $DEVICE"
"$FWKIT" mac list --json --device "$DEVICE" "$DUMP" >"$WORK/macs-before.json" 2>/dev/null || true
if ! "$FWKIT" mac set "$DUMP" --label "$LABEL" --in-place --device "$DEVICE" --json \
	>"$WORK/macset.json" 2>"$WORK/macset.err"; then
	mask_macs <"$WORK/macset.err" >&2
	die "fwkit mac set failed: not going on with a dump that may hold real MACs"
fi
"$FWKIT" mac list --json --device "$DEVICE" "$DUMP" >"$WORK/macs.json" 2>"$WORK/macs.err" ||
	{ mask_macs <"$WORK/macs.err" >&2; die "fwkit mac list failed after the rewrite"; }
python3 - "$DUMP" "$WORK/macs-before.json" "$WORK/macs.json" "$LABEL" <<'PY' || die "the MAC check failed (above): no section written"
import json, sys
dump, before_p, after_p, label = sys.argv[1:5]
ours = label.lower()[:15]  # 02:00:00:00:10:
def macs(p):
    # `mac list --json`: the library's tree, a node "macs" with a child "mac" per location
    try:
        return [c["fields"]["mac"].lower() for c in json.load(open(p)).get("children", []) if c["format"] == "mac"]
    except Exception:
        return []
after = macs(after_p)
if not after:
    sys.exit("bench/inspect.sh: fwkit mac list found no MAC after the rewrite")
bad = [m for m in after if not m.startswith(ours)]
if bad:
    sys.exit("bench/inspect.sh: %d MAC(s) not of the form %sxx after the rewrite" % (len(bad), ours))
data = open(dump, "rb").read()
left = 0
for m in set(macs(before_p)) - set(after):
    b = bytes.fromhex(m.replace(":", ""))
    if b in (b"\xff" * 6, b"\x00" * 6):
        continue
    if b in data:
        left += 1
if left:
    sys.exit("bench/inspect.sh: %d of the dump's original MACs are still in it after the rewrite" % left)
PY
rm -f "$WORK/macs-before.json" "$WORK/macset.err"
SHA=$(sha256sum "$DUMP" | cut -c1-16)

# ---------------------------------------------------------------- (d) what each one finds
log "running each tool once on the dump"
fail=0
inspect_rc=0
"$FWKIT" inspect "$DUMP" >"$WORK/fwkit.txt" 2>"$WORK/fwkit.err" || inspect_rc=$?
"$FWKIT" inspect --json "$DUMP" >"$WORK/fwkit.json" 2>/dev/null || true
"$FWKIT" env find "$DUMP" >"$WORK/envfind.txt" 2>&1 || true
binwalk_rc=0
binwalk "$DUMP" >"$WORK/binwalk.txt" 2>"$WORK/binwalk.err" || binwalk_rc=$?
# Does binwalk check a uImage's CRCs? A copy with the stored header CRC changed and one payload
# byte flipped: fwkit inspect reports both CRCs bad; if binwalk's uImage line differs only in the
# header CRC value it prints, it did not check them.
python3 - "$DUMP" "$WORK/damaged.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[0x180000 + 4] ^= 0x01            # ih_hcrc itself: the stored header CRC is now wrong
d[0x180000 + 64 + 1000] ^= 0xFF    # in the payload: breaks the data CRC
open(sys.argv[2], "wb").write(d)
PY
binwalk "$WORK/damaged.bin" >"$WORK/binwalk-damaged.txt" 2>/dev/null || true
"$FWKIT" inspect "$WORK/damaged.bin" >"$WORK/fwkit-damaged.txt" 2>&1 || true
rm -f "$WORK/damaged.bin"

# ---------------------------------------------------------------- (e) hyperfine
# One invocation, the two commands side by side (-N: no shell; --warmup 2). -i keeps a failing
# command from aborting the run; its exit codes are in the JSON and the section flags them.
JSON=$JSON_DIR/inspect.json
log "hyperfine: fwkit inspect against binwalk (binwalk takes about 2 s a run)"
hyperfine -N -i --warmup 2 --min-runs "$MIN_RUNS" --max-runs "$MAX_RUNS" \
	--style basic --export-json "$JSON" \
	-n fwkit-inspect "$FWKIT inspect $DUMP" \
	-n binwalk "binwalk $DUMP" \
	>"$JSON_DIR/inspect.txt" 2>&1 || {
	cat "$JSON_DIR/inspect.txt" >&2
	die "hyperfine failed"
}

# ---------------------------------------------------------------- (f) the section
INS_FWKIT=$("$FWKIT" --version 2>&1 | head -n1 || true)
INS_BINWALK=$(dpkg-query -W -f '${Package} ${Version}' binwalk 2>/dev/null ||
	binwalk --help 2>&1 | sed -n 's/^\(Binwalk v.*\)/\1/p' | head -n1 || true)
INS_HYPERFINE=$(hyperfine --version || true)
export INS_FWKIT INS_BINWALK INS_HYPERFINE DEVICE LABEL SHA inspect_rc binwalk_rc MIN_RUNS MAX_RUNS
py_rc=0
python3 - "$WORK" "$JSON" "$LAYOUT" >"$WORK/section.md" <<'PY' || py_rc=$?
import json, os, re, sys

work, json_path, layout_path = sys.argv[1:4]
env = os.environ
def read(name):
    p = os.path.join(work, name)
    return open(p).read() if os.path.exists(p) else ""

failures, checks_failed = [], []

# --- timing
res = {r["command"]: r for r in json.load(open(json_path))["results"]}
for name, r in res.items():
    bad = sorted({c for c in r.get("exit_codes", []) if c != 0})
    if bad:
        failures.append("`%s` exited %s" % (name, ", ".join(map(str, bad))))
fw, bw = res["fwkit-inspect"], res["binwalk"]
def ms(r):
    return "%.1f ± %.1f" % (r["mean"] * 1e3, (r.get("stddev") or 0.0) * 1e3)
ratio = bw["mean"] / fw["mean"]

# --- binwalk's findings: "DECIMAL  0xHEX  DESCRIPTION"
def binwalk_lines(text):
    out = []
    for line in text.splitlines():
        m = re.match(r"^(\d+)\s+0x([0-9A-Fa-f]+)\s+(.*)$", line)
        if m:
            out.append((int(m.group(1)), m.group(3).strip()))
    return out
bw_lines = binwalk_lines(read("binwalk.txt"))
bw_damaged = binwalk_lines(read("binwalk-damaged.txt"))

DROP = {"header size", "data address", "entry point", "os", "cpu", "image type", "properties",
        "dictionary size", "little endian", "version 4.0"}
def trim(desc, limit=200):
    """binwalk's description without the fields that say little here, cut at a field boundary."""
    parts = [p.strip() for p in desc.split(",")]
    keep = [parts[0]] + [p for p in parts[1:] if p.split(":")[0].strip().lower() not in DROP]
    s = ""
    for p in keep:
        nxt = (s + ", " + p) if s else p
        if len(nxt) > limit:
            return s + ", …"
        s = nxt
    return s

def kind(desc):
    return desc.split(",")[0].split(":")[0].strip()

# --- fwkit's findings
fwkit_text = read("fwkit.txt")

# `inspect --json` and `mac list --json` are the library's result trees (docs/json.md, schema 2):
# flattened here into what the report reads; a partition's words are its line of the text output
def field(n, k, d=None):
    v = (n or {}).get("fields", {}).get(k, d)
    return v["name"] if isinstance(v, dict) and "name" in v else v

def kids(n, fmt):
    return [c for c in (n or {}).get("children", []) if c["format"] == fmt]

def all_findings(n):
    out = list(n.get("findings", []))
    for c in n.get("children", []):
        out += all_findings(c)
    return out

def flatten(t):
    lines = {}
    for l in fwkit_text.splitlines():
        m = re.match(r"\s+0x[0-9a-f]{8} 0x[0-9a-f]{8} (\S+)\s+r[ow] (.*)$", l)
        if m:
            lines[m.group(1)] = m.group(2)
    idn = (kids(t, "identification") or [None])[0]
    dt = (kids(t, "devicetree") or [None])[0]
    dump = (kids(t, "dump") or [{}])[0]
    parts = []
    for p in kids(t, "partition"):
        holds, _, detail = lines.get(field(p, "name"), "").partition(": ")
        parts.append({"name": field(p, "name"), "offset": p["offset"], "size": p["size"], "holds": holds,
                      "detail": detail, "findings": all_findings(p)})
    return {"device": field(t, "device"), "errors": field(t, "errors", 0), "warnings": field(t, "warnings", 0),
            "candidates": [{"id": field(c, "device"), "score": field(c, "score"),
                            "same_layout_as_best": field(c, "same_layout_as_best")} for c in kids(idn, "candidate")],
            "partitions": parts, "dt_model": field(dt, "model"), "dt_compatible": field(dt, "compatible"),
            "dt_findings": (dt or {}).get("findings", []) + t.get("findings", []),
            "dump_findings": dump.get("findings", [])}

MAC_PROBLEMS = ("multicast", "zero", "erased", "clone", "duplicate", "off-rule", "outside")
fj = flatten(json.loads(read("fwkit.json") or "{}"))
parts = fj.get("partitions", [])
macs = [{"role": field(m, "role"), "mac": field(m, "mac"), "label_delta": field(m, "label_delta", 0),
         "problems": ", ".join(k for k in MAC_PROBLEMS if field(m, k))}
        for m in kids(json.loads(read("macs.json") or "{}"), "mac")]
macset = json.loads(read("macset.json") or "{}").get("changed", [])
envfind = [l for l in read("envfind.txt").splitlines() if l.startswith("0x")]
device = fj.get("device") or "(none)"
cands = fj.get("candidates", [])
if device != env["DEVICE"]:
    checks_failed.append("fwkit inspect identified `%s`, not `%s`" % (device, env["DEVICE"]))
if env["inspect_rc"] != "0":
    failures.append("`fwkit inspect` (the run kept for the findings) exited %s" % env["inspect_rc"])
if env["binwalk_rc"] != "0":
    failures.append("`binwalk` (the run kept for the findings) exited %s" % env["binwalk_rc"])

def findings_text(fs):
    return "; ".join("%s: %s" % (f.get("severity", "?"), f.get("message", "")) for f in fs)

def verdict(p):
    fs = p.get("findings", [])
    return "ok" if not fs else findings_text(fs)

def fwkit_says(p):
    s = p.get("holds", "")
    if p.get("detail"):
        s += ": " + p["detail"]
    return s

def part_of(off):
    for p in parts:
        if p["offset"] <= off < p["offset"] + p["size"]:
            return p
    return None

# A binwalk line is "also reported by fwkit" when fwkit's report names the same thing at the same
# place: the same quoted string, the same offset, or (uImage) a uImage at that partition's start,
# or (LZMA) the payload of an lzma uImage. Everything else is binwalk's alone.
def matched(off, desc):
    p = part_of(off)
    k = kind(desc)
    text = fwkit_text.lower()
    q = re.search(r'"([^"]+)"', desc)
    if k == "U-Boot version string" and q and q.group(1).lower() in text:
        return "fwkit names the bootloader by the same string"
    if k == "uImage header" and p and p["offset"] == off and p.get("holds", "").startswith("uImage"):
        return "fwkit reads the same header and checks both CRCs"
    if k == "LZMA compressed data" and p and off == p["offset"] + 64 and " lzma," in p.get("detail", ""):
        return "the uImage's payload: fwkit reports it as comp lzma"
    if ("0x%x" % off) in text:
        return "fwkit reports the same offset"
    return None

def why(off, desc):
    p = part_of(off)
    k = kind(desc)
    where = ("fwkit's line for %s is \"%s\"" % (p["name"], fwkit_says(p))) if p else "outside fwkit's partitions"
    if k == "Copyright string":
        return "a text string; fwkit does not report strings"
    if k == "LZMA compressed data":
        return ("an LZMA stream inside the kernel image (OpenWrt's lzma-loader: the uImage itself is "
                "not compressed); fwkit finds and decompresses this stream to read the kernel's device "
                "tree, but does not print its offset or header")
    if k in ("CRC32 polynomial table", "AES S-Box", "AES Inverse S-Box"):
        return "constant tables in code; " + where
    return "fwkit has no counterpart for this signature; " + where

L = []
L.append("## inspect against binwalk: fwkit inspect and binwalk on a 16 MiB flash dump")
L.append("")
L.append("Tools: %s (`fwkit inspect DUMP`); %s (`binwalk DUMP`, its default signature scan); %s. "
         "Mean wall time per process (± standard deviation), whole process from exec to exit, "
         "`hyperfine -N --warmup 2`, the two commands side by side in one hyperfine run. "
         "A ratio above 1 means fwkit took less time than binwalk; below 1, more."
         % (env["INS_FWKIT"], env["INS_BINWALK"] or "binwalk", env["INS_HYPERFINE"]))
L.append("")
L.append("### The dump (16 MiB, built by bench/inspect.sh; the layout of a Xiaomi Mi Router 3G v2)")
L.append("")
L.append("| offset | what | bytes |")
L.append("| --- | --- | ---: |")
for line in open(layout_path):
    off, what, n = line.rstrip("\n").split("\t")
    L.append("| 0x%06X | %s | %s |" % (int(off), what, f"{int(n):,}"))
L.append("")
roles = ", ".join("%s %s" % (c.get("role", "?"), c.get("new", "?")) for c in macset)
L.append("Everything else is 0xFF. Then `fwkit mac set DUMP --label %s --in-place --device %s` "
         "rewrote %d MACs (%s), so no real device's MAC is in the dump or in this report: the "
         "script checks that every MAC fwkit lists afterwards is one of these and that none of the "
         "original ones is left anywhere in the dump (their values are never printed). "
         "sha256 of the dump after the rewrite: `%s`."
         % (env["LABEL"], env["DEVICE"], len(macset), roles or "none", env["SHA"]))
L.append("")
L.append("### Time")
L.append("")
L.append("| runs (fwkit, binwalk) | fwkit inspect (ms) | binwalk (ms) | binwalk / fwkit |")
L.append("| --- | ---: | ---: | ---: |")
L.append("| %d, %d | %s | %s | **%.1f** |" % (len(fw["times"]), len(bw["times"]), ms(fw), ms(bw), ratio))
L.append("")
L.append("Not the same work. binwalk tries its whole signature set at every offset of the 16 MiB "
         "and prints what matches, with the header fields it decodes. fwkit inspect scores its "
         "device profiles against the dump, reads each partition where the chosen profile puts it, "
         "checks env CRCs and both uImage CRCs, reads the squashfs superblock, finds the MACs "
         "and EEPROMs, and decompresses the kernel (LZMA) to read its device tree. "
         "hyperfine picks the run counts (about 3 s per command within %s..%s runs), so binwalk "
         "gets the fewest." % (env["MIN_RUNS"], env["MAX_RUNS"]))
L.append("")
L.append("### What each found")
L.append("")
L.append("Side by side, by partition (fwkit's partitions, from the profile of the device it identified; "
         "binwalk's signature lines placed in the partition they fall in, trimmed of fields that say "
         "little here: header size, load and entry address, OS, CPU, image type, LZMA properties and "
         "dictionary size, squashfs byte order and version; the full outputs of both tools are kept in "
         "`build/bench/hyperfine/inspect-binwalk.txt` and `inspect-fwkit.txt`):")
L.append("")
L.append("| partition | range | fwkit inspect | verdict | binwalk |")
L.append("| --- | --- | --- | --- | --- |")
placed = set()
def esc(s):
    return s.replace("|", "\\|")
for p in parts:
    inside = [(o, d) for o, d in bw_lines if p["offset"] <= o < p["offset"] + p["size"]]
    placed.update(inside)
    bws = "<br>".join("0x%X %s" % (o, esc(trim(d))) for o, d in inside) or "(nothing)"
    L.append("| %s | 0x%06X..0x%06X | %s | %s | %s |" % (
        p["name"], p["offset"], p["offset"] + p["size"], esc(fwkit_says(p)), esc(verdict(p)), bws))
rest = [x for x in bw_lines if x not in placed]
if rest:
    L.append("| (outside fwkit's partitions) | | | | %s |" % "<br>".join("0x%X %s" % (o, esc(trim(d))) for o, d in rest))
L.append("")

# summary of fwkit's side
eeproms = re.findall(r"(factory\+0x[0-9a-f]+): (\S+) EEPROM (0x[0-9a-f]+)", " ".join(p.get("detail", "") for p in parts))
best = cands[0] if cands else {}
runner = cands[1] if len(cands) > 1 else None
dev_line = "`%s`, score %s" % (device, best.get("score", "?"))
if runner:
    dev_line += " (runner-up `%s`, %s%s)" % (runner["id"], runner["score"],
                                             ", same flash layout: the dump alone cannot tell them apart" if runner.get("same_layout_as_best") else "")
if fj.get("dt_model"):
    dev_line += "; the kernel's device tree says model \"%s\", compatible \"%s\"" % (fj["dt_model"], fj.get("dt_compatible", ""))
other_findings = fj.get("dt_findings", []) + fj.get("dump_findings", [])
nonok = [p for p in parts if p.get("findings")]
L.append("In short:")
L.append("")
kinds = {}
for o, d in bw_lines:
    kinds[kind(d)] = kinds.get(kind(d), 0) + 1
L.append("- **binwalk**: %d signature lines (%s). It has no notion of a device, a partition or an "
         "environment, and judges nothing: it says what bytes look like what." % (
             len(bw_lines), ", ".join("%s ×%d" % (k, n) if n > 1 else k for k, n in kinds.items()) or "none"))
L.append("- **fwkit inspect**: the device: %s. %d partitions, each with what it holds and a verdict "
         "(%s); overall verdict: %d errors, %d warnings%s." % (
             dev_line, len(parts),
             "all ok" if not nonok else "%d with findings: %s" % (len(nonok), ", ".join(p["name"] for p in nonok)),
             fj.get("errors", 0), fj.get("warnings", 0),
             (" (" + findings_text(other_findings) + ")") if other_findings else ""))
L.append("  - environment blocks (`fwkit env find`): %d" % len(envfind))
for l in envfind:
    L.append("    - `%s`" % re.sub(r"\s+", " ", l))
L.append("  - Wi-Fi EEPROMs: %s" % ("; ".join("%s at %s (id %s)" % (chip, where, cid) for where, chip, cid in eeproms) or "none"))
L.append("  - MACs (`fwkit mac list`): %d: %s" % (len(macs), ", ".join(
    "%s %s (label%+d%s)" % (m["role"], m["mac"], m.get("label_delta", 0), ", " + m["problems"] if m.get("problems") else "")
    for m in macs)))
L.append("")
L.append("What fwkit reports that binwalk does not:")
L.append("")
L.append("- The device, with the evidence for it, and a verdict for the dump and for every partition.")
silent = [p for p in parts if p.get("holds") != "erased"
          and not any(p["offset"] <= o < p["offset"] + p["size"] for o, d in bw_lines)]
erased = [p["name"] for p in parts if p.get("holds") == "erased"]
if silent:
    L.append("- binwalk found nothing in %s, where fwkit found: %s. A U-Boot environment, Xiaomi's Bdata, "
             "a Wi-Fi EEPROM and the MACs in it have no signature binwalk knows." % (
                 ", ".join(p["name"] for p in silent), "; ".join("%s: %s" % (p["name"], p.get("holds", "")) for p in silent)))
if erased:
    L.append("- binwalk prints nothing for an erased partition (%s), as it prints nothing for bytes it does "
             "not recognise; fwkit says \"erased\"." % ", ".join(erased))
if "deadc0de" in fwkit_text and "deadc0de" not in read("binwalk.txt").lower():
    L.append("- The overlay marker `deadc0de` after the squashfs (which tells OpenWrt to format the rest "
             "as its overlay) is in fwkit's report, not in binwalk's.")
L.append("")
L.append("What binwalk reports that fwkit does not:")
L.append("")
only = []
for o, d in bw_lines:
    m = matched(o, d)
    if not m:
        only.append((o, d))
groups = {}  # the same reason once, for all the lines it covers
for o, d in only:
    groups.setdefault(why(o, d), []).append("0x%X %s" % (o, trim(d, 90)))
for reason, items in groups.items():
    L.append("- %s: %s." % ("; ".join(items), reason))
also = [(o, d, matched(o, d)) for o, d in bw_lines if matched(o, d)]
# Fields of the lines both report whose value does not appear anywhere in fwkit's report.
def fields(desc):
    out = []
    for f in [x.strip() for x in desc.split(",")[1:]]:
        if ":" in f:
            k, v = [x.strip() for x in f.split(":", 1)]
        else:
            m = re.match(r"^(\d+) (\w+)$", f)  # "756 inodes"
            if not m:
                continue
            out.append((f, m.group(1)))
            continue
        if re.match(r"^[A-Za-z][A-Za-z ]*$", k):
            out.append(("%s %s" % (k, v), v.strip('"')))
    return out
low = fwkit_text.lower()
missing = []
for o, d, why in also:
    def shown(v):
        v = v.lower()
        n = re.match(r"^(\d+) bytes$", v)
        kib = n and int(n.group(1)) % 1024 == 0 and ("%d kib" % (int(n.group(1)) // 1024)) in low
        return v in low or (n and n.group(1) in low) or kib
    miss = [label for label, v in fields(d) if not shown(v)]
    if miss:
        missing.append("%s at 0x%X: %s" % (kind(d), o, "; ".join(miss)))
if missing:
    L.append("- Header fields binwalk prints, for things both report, whose values fwkit's report does "
             "not show: " + ". ".join(missing) + ".")
if also:
    L.append("")
    L.append("binwalk lines fwkit also reports: " + "; ".join("0x%X %s (%s)" % (o, kind(d), why) for o, d, why in also) + ".")
L.append("")
# CRC check, shown on a damaged copy
ui = [d for o, d in bw_lines if kind(d) == "uImage header"]
ui_d = [d for o, d in bw_damaged if kind(d) == "uImage header"]
fw_d = [l.strip() for l in read("fwkit-damaged.txt").splitlines() if "CRC" in l and ("error" in l or "Verdict" in l)]
fw_v = [l.strip() for l in read("fwkit-damaged.txt").splitlines() if l.startswith("Verdict")]
if ui and ui_d:
    hcrc = lambda d: re.sub(r"header CRC: 0x[0-9A-Fa-f]+", "header CRC: X", d)
    same = [hcrc(x) for x in ui] == [hcrc(x) for x in ui_d]
    L.append("Does binwalk check a uImage's CRCs? On a copy of the dump with the header's stored CRC "
             "changed and one byte of the payload flipped, fwkit inspect reports %s. binwalk's uImage "
             "line is %s." % (
                 "; ".join("`%s`" % re.sub(r"\s+", " ", x) for x in (fw_d[:2] + fw_v[:1])) or "(nothing)",
                 "the same as on the good dump apart from the header CRC value it prints, with no word "
                 "that either CRC is wrong: binwalk prints the CRCs stored in the header, it does not "
                 "check them" if same else
                 "not the same as on the good dump (it may check them: compare the two lines in "
                 "`build/bench/hyperfine/inspect-binwalk.txt`)"))
    L.append("")
if checks_failed:
    L.append("**Check failed**: " + "; ".join(checks_failed) + ".")
    L.append("")
if failures:
    L.append("**Commands that exited non-zero** (their times are of a failing run):")
    L.append("")
    L += ["- " + x for x in failures]
    L.append("")
text = "\n".join(L).rstrip("\n")

# The privacy guard: no MAC but ours (and the all-0 / all-1 placeholders) may appear.
ok = re.compile(r"^(02:00:00:00:10:[0-9a-f]{2}|00:00:00:00:00:00|ff:ff:ff:ff:ff:ff)$")
strays = [m.group(0) for t in (text, fwkit_text, read("binwalk.txt"), read("binwalk-damaged.txt"))
          for m in re.finditer(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}(?![0-9A-Fa-f:])", t)
          if not ok.match(m.group(0).lower().replace("-", ":"))]
if strays:
    sys.stderr.write("bench/inspect.sh: %d unexpected MAC-like strings in the section: not written\n" % len(strays))
    sys.exit(4)
print(text)
sys.exit(3 if (failures or checks_failed) else 0)
PY
case $py_rc in
0) ;;
3) fail=1 ;; # a check failed or a command exited non-zero: the section says which
4) die "the section held a MAC that is not ours: refused" ;;
*) die "writing the section failed (python exit $py_rc)" ;;
esac

# The raw outputs passed the same MAC check as the section: keep them next to hyperfine's.
cat "$WORK/binwalk.txt" - "$WORK/binwalk-damaged.txt" >"$JSON_DIR/inspect-binwalk.txt" <<'EOF'

---- the same dump with the uImage's stored header CRC changed and one payload byte flipped:
EOF
cp "$WORK/fwkit.txt" "$JSON_DIR/inspect-fwkit.txt"
if [[ -n $OUT ]]; then
	cp "$WORK/section.md" "$OUT"
else
	cp "$WORK/section.md" "$JSON_DIR/inspect.md"
	cat "$WORK/section.md"
fi
if ((fail)); then
	echo "bench/inspect.sh: a check failed or a timed command exited non-zero (see the section)" >&2
	exit 1
fi
