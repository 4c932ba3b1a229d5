#!/usr/bin/env bash
# bench/env.sh: time fwkit's U-Boot environment commands against fw_printenv (libubootenv-tool)
# on a 16 MiB flash dump, and write the report section "U-Boot environment".
#
#   bash bench/env.sh [OUT.md]     (from anywhere; see bench/README.md)
#
# bench/run.sh calls it (with FWKIT_BENCH_FWKIT set and OUT.md in its scratch folder) and puts the
# section into bench/results/latest.md. Called alone, it builds build/bench itself (unless
# FWKIT_BENCH_FWKIT is set), prints the section on stdout and keeps a copy in
# build/bench/hyperfine/env.md; it never touches bench/results/latest.md.
#
# Steps: (a) check the tools (installs nothing), (b) build the two 16 MiB dumps (fixed bytes),
# (c) check that fwkit and fw_printenv print the same thing, (d) one hyperfine run per dump,
# (e) the Markdown section.
#
# Environment (all optional):
#   FWKIT_BENCH_FWKIT  the fwkit binary to time (default: build build/bench and use its fwkit)
#   FWKIT_BENCH_RUNS   hyperfine run bounds as "MIN MAX" (default "20 200")
#
# Exit status: 0; 1 when an output check failed or a timed command exited non-zero (the section
# is still written and says so); 2 when it could not run (a missing tool, a failed build).
set -euo pipefail

# A relative FWKIT_BENCH_FWKIT is taken from the caller's directory, before the cd below.
[[ -n ${FWKIT_BENCH_FWKIT:-} && $FWKIT_BENCH_FWKIT != /* ]] && FWKIT_BENCH_FWKIT=$PWD/$FWKIT_BENCH_FWKIT
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=$ROOT/build/bench
OUT=${1:-}
read -r MIN_RUNS MAX_RUNS <<<"${FWKIT_BENCH_RUNS:-20 200}"
BOOTLOADER=$ROOT/tests/data/bootloader/xiaomi-r4a-gigabit-uboot3.bin

log() { printf '==> env: %s\n' "$*" >&2; }
die() { echo "bench/env.sh: $*" >&2; exit 2; }

# ---------------------------------------------------------------- (a) tools
missing=()
for tool in hyperfine fw_printenv mkenvimage python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "bench/env.sh: missing tools: ${missing[*]}" >&2
	echo "  install them with:  apt-get install hyperfine libubootenv-tool u-boot-tools" >&2
	echo "  (fw_printenv is in libubootenv-tool, mkenvimage in u-boot-tools)" >&2
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

# Scratch: the dumps and configs. Plain paths without spaces: hyperfine -N splits its commands
# on whitespace. hyperfine's JSON and text stay in build/bench/hyperfine (not committed).
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwkit-bench-env.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
JSON_DIR=$BUILD/hyperfine
mkdir -p "$JSON_DIR"

# ---------------------------------------------------------------- (b) the dumps
# The environments: mkenvimage blobs from fixed text, so the same bytes on every run.
cat >"$WORK/env.txt" <<'EOF'
bootcmd=tftp
bootdelay=5
baudrate=115200
ethaddr=00:aa:bb:cc:dd:10
ipaddr=192.168.31.1
serverip=192.168.31.100
netmask=255.255.255.0
bootargs=console=ttyS0,115200 root=/dev/mtdblock5 rootfstype=squashfs
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
telnet_en=0
ssh_en=0
model=R4AG
EOF
cat >"$WORK/bdata.txt" <<'EOF'
model=R4AG
color=101
CountryCode=CN
SN=25123/A0ZZ12345
wl0_ssid=Xiaomi_1234_5G
wl1_ssid=Xiaomi_1234
telnet_en=0
ssh_en=0
uart_en=0
EOF
# The second redundant copy differs in one value, so the output check also shows that both
# tools read the same copy (mkenvimage -r writes flag 1 in both; U-Boot then takes the first).
sed 's/^bootdelay=5$/bootdelay=3/' "$WORK/env.txt" >"$WORK/env-copy2.txt"
mkenvimage -s 0x1000 -o "$WORK/env.bin" "$WORK/env.txt"
mkenvimage -s 0x4000 -o "$WORK/bdata.bin" "$WORK/bdata.txt"
mkenvimage -r -s 0x10000 -o "$WORK/env-r1.bin" "$WORK/env.txt"
mkenvimage -r -s 0x10000 -o "$WORK/env-r2.bin" "$WORK/env-copy2.txt"

# single.bin:    0xFF fill; bootloader @0, env (0x1000) @0x30000, Bdata (0x4000) @0x40000,
#                1 MiB pseudo-random "kernel" @0x180000.
# redundant.bin: the same without the env @0x30000, plus two redundant copies (0x10000 each)
#                back to back @0x3E0000 and @0x3F0000 (the last 128 KiB of the first 4 MiB).
log "building the two 16 MiB dumps"
python3 - "$WORK" "$BOOTLOADER" <<'PY'
import random, sys
work, bootloader = sys.argv[1:3]
SIZE = 16 * 1024 * 1024
kernel = random.Random(0xE1F5EED).randbytes(1024 * 1024)

def dump(name, parts):
    d = bytearray(b"\xff" * SIZE)
    for off, path in parts:
        b = open(path, "rb").read()
        d[off:off + len(b)] = b
    d[0x180000:0x180000 + len(kernel)] = kernel
    assert len(d) == SIZE
    with open("%s/%s" % (work, name), "wb") as f:
        f.write(d)

dump("single.bin", [(0, bootloader), (0x30000, work + "/env.bin"), (0x40000, work + "/bdata.bin")])
dump("redundant.bin", [(0, bootloader), (0x40000, work + "/bdata.bin"),
                       (0x3E0000, work + "/env-r1.bin"), (0x3F0000, work + "/env-r2.bin")])
PY

# ---------------------------------------------------------------- (c) configs and output checks
# CASES: id <TAB> dump <TAB> offset of the env (for --at) <TAB> expected config lines (";"-joined)
CASES=$WORK/cases.tsv
printf '%s\t%s\t%s\t%s\n' \
	single "$WORK/single.bin" 0x30000 "$WORK/single.bin 0x30000 0x1000 0x10000" \
	redundant "$WORK/redundant.bin" 0x3e0000 "$WORK/redundant.bin 0x3e0000 0x10000 0x10000;$WORK/redundant.bin 0x3f0000 0x10000 0x10000" \
	>"$CASES"
CHECKS=$WORK/checks.tsv # id <TAB> what <TAB> ok|FAIL <TAB> detail file
: >"$CHECKS"
fail=0

check_case() {
	local id=$1 dump=$2 at=$3 want=$4
	local cfg=$WORK/$id.config
	"$FWKIT" env find "$dump" >"$WORK/$id.find.txt" 2>&1 || true
	if ! "$FWKIT" env config "$dump" >"$cfg" 2>"$WORK/$id.config.err"; then
		printf '%s\tconfig\tFAIL\t%s\n' "$id" "$WORK/$id.config.err" >>"$CHECKS"
		fail=1
		return
	fi
	# The config fwkit prints: comment lines, then one line per copy. Compare the lines that
	# count (path as is, the numbers lower-cased, blanks squeezed) with the dump's layout.
	local got
	got=$(awk '!/^[[:space:]]*(#|$)/ { l = $1; for (i = 2; i <= NF; i++) l = l " " tolower($i); print l }' "$cfg" |
		paste -sd ';')
	if [[ $got == "$want" ]]; then
		printf '%s\tconfig\tok\t%s\n' "$id" "$cfg" >>"$CHECKS"
	else
		printf 'expected: %s\ngot:      %s\n' "$want" "$got" >"$WORK/$id.config.diff"
		printf '%s\tconfig\tFAIL\t%s\n' "$id" "$WORK/$id.config.diff" >>"$CHECKS"
		fail=1
	fi
	fw_printenv -c "$cfg" >"$WORK/$id.fw_printenv.txt" 2>"$WORK/$id.fw_printenv.err" || true
	"$FWKIT" env list --sort "$dump" >"$WORK/$id.list.txt" 2>"$WORK/$id.list.err" || true
	"$FWKIT" env list --sort --at "$at" "$dump" >"$WORK/$id.list-at.txt" 2>"$WORK/$id.list-at.err" || true
	local what
	for what in list list-at; do
		if [[ ! -s $WORK/$id.fw_printenv.txt ]]; then
			cat "$WORK/$id.fw_printenv.err" >"$WORK/$id.$what.diff"
			printf '%s\t%s\tFAIL\t%s\n' "$id" "$what" "$WORK/$id.$what.diff" >>"$CHECKS"
			fail=1
		elif diff -u "$WORK/$id.fw_printenv.txt" "$WORK/$id.$what.txt" >"$WORK/$id.$what.diff" 2>&1; then
			printf '%s\t%s\tok\t%s\n' "$id" "$what" "$WORK/$id.$what.txt" >>"$CHECKS"
		else
			cat "$WORK/$id.$what.err" >>"$WORK/$id.$what.diff"
			printf '%s\t%s\tFAIL\t%s\n' "$id" "$what" "$WORK/$id.$what.diff" >>"$CHECKS"
			fail=1
		fi
	done
}

while IFS=$'\t' read -r id dump at want; do
	log "checking outputs: $id"
	check_case "$id" "$dump" "$at" "$want"
done <"$CASES"

# ---------------------------------------------------------------- (d) hyperfine
# One invocation per dump, the commands side by side (-N: no shell; --warmup 3). -i keeps a
# failing command from aborting the run; its exit codes are in the JSON and the section flags them.
time_case() {
	local id=$1 dump=$2 at=$3
	local cfg=$WORK/$id.config json=$JSON_DIR/env-$id.json
	local extra=()
	[[ $id == single ]] && extra=(-n fwkit-find "$FWKIT env find $dump")
	log "hyperfine: $id"
	hyperfine -N -i --warmup 3 --min-runs "$MIN_RUNS" --max-runs "$MAX_RUNS" \
		--style basic --export-json "$json" \
		-n fwkit-list "$FWKIT env list --sort $dump" \
		-n fwkit-list-at "$FWKIT env list --sort --at $at $dump" \
		-n fw_printenv "fw_printenv -c $cfg" \
		"${extra[@]}" \
		>"$JSON_DIR/env-$id.txt" 2>&1 || {
		cat "$JSON_DIR/env-$id.txt" >&2
		die "hyperfine failed on the $id dump"
	}
}
while IFS=$'\t' read -r id dump at want; do
	[[ -f $WORK/$id.config ]] || { log "no config for $id: not timed"; continue; }
	time_case "$id" "$dump" "$at"
done <"$CASES"

# ---------------------------------------------------------------- (e) the section
ENV_FW_PRINTENV=$(dpkg-query -W -f '${Package} ${Version}' libubootenv-tool 2>/dev/null ||
	printf 'fw_printenv %s' "$(fw_printenv -V 2>&1 | head -n1 || true)")
ENV_MKENVIMAGE=$(mkenvimage -V 2>&1 | head -n1 || true)
export ENV_FW_PRINTENV ENV_MKENVIMAGE
py_rc=0
python3 - "$WORK" "$CASES" "$CHECKS" "$JSON_DIR" >"$WORK/section.md" <<'PY' || py_rc=$?
import hashlib, json, os, sys

work, cases_path, checks_path, json_dir = sys.argv[1:5]
env = os.environ
MIB = 1024 * 1024

def ms(r):
    return "%.2f ± %.2f" % (r["mean"] * 1e3, (r.get("stddev") or 0.0) * 1e3)

def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()

cases = [l.rstrip("\n").split("\t") for l in open(cases_path) if l.strip()]
checks = [l.rstrip("\n").split("\t") for l in open(checks_path) if l.strip()]
status = {(c[0], c[1]): (c[2], c[3]) for c in checks}
results, failures = {}, []
for cid, dump, at, want in cases:
    p = os.path.join(json_dir, "env-%s.json" % cid)
    if not os.path.exists(p):
        continue
    res = {r["command"]: r for r in json.load(open(p))["results"]}
    results[cid] = res
    for name, r in res.items():
        bad = sorted({c for c in r.get("exit_codes", []) if c != 0})
        if bad:
            failures.append("%s dump: `%s` exited %s" % (cid, name, ", ".join(map(str, bad))))

def short(path):
    return path.replace(work + "/", "")

L = []
L.append("## U-Boot environment: fwkit env against fw_printenv")
L.append("")
L.append("Tools: %s (`fw_printenv -c CONFIG`); environments made with %s. "
         "Mean wall time per process (± standard deviation), whole process from exec to exit, "
         "`hyperfine -N --warmup 3`, one hyperfine run per dump with its commands side by side. "
         "A ratio above 1 means fwkit took less time than fw_printenv; below 1, more."
         % (env["ENV_FW_PRINTENV"], env["ENV_MKENVIMAGE"] or "mkenvimage"))
L.append("")
L.append("### The dumps (16 MiB each, built by bench/env.sh, same bytes every run)")
L.append("")
L.append("| dump | 0x000000 | 0x030000 | 0x040000 | 0x180000 | 0x3E0000, 0x3F0000 | sha256 |")
L.append("| --- | --- | --- | --- | --- | --- | --- |")
boot = "xiaomi-r4a-gigabit-uboot3.bin (143,292 bytes)"
bdata = "Bdata, `mkenvimage -s 0x4000`, 9 vars (SN, color, CountryCode, model, ...)"
kern = "1 MiB pseudo-random (seed 0xE1F5EED)"
for cid, dump, at, want in cases:
    if cid == "single":
        L.append("| single | %s | env, `mkenvimage -s 0x1000`, 22 vars | %s | %s | 0xFF | `%s` |" % (boot, bdata, kern, sha(dump)[:16]))
    else:
        L.append("| redundant | %s | 0xFF | %s | %s | env copies 1 and 2, `mkenvimage -r -s 0x10000` each, 22 vars (copy 2: bootdelay=3 instead of 5) | `%s` |" % (boot, bdata, kern, sha(dump)[:16]))
L.append("")
L.append("Everything else is 0xFF. CONFIG is what `fwkit env config DUMP` prints, saved to a file "
         "(comment lines, then one line per copy):")
L.append("")
for cid, dump, at, want in cases:
    cfg = os.path.join(work, cid + ".config")
    if os.path.exists(cfg):
        lines = [short(l.rstrip("\n")) for l in open(cfg) if l.strip() and not l.lstrip().startswith("#")]
        L.append("- %s: %s" % (cid, "; ".join("`%s`" % l for l in lines)))
L.append("")
L.append("### Output check (before timing)")
L.append("")
for cid, dump, at, want in cases:
    st_cfg = status.get((cid, "config"), ("FAIL", ""))[0]
    st_l = status.get((cid, "list"), ("FAIL", ""))
    st_a = status.get((cid, "list-at"), ("FAIL", ""))
    n = len(open(os.path.join(work, cid + ".fw_printenv.txt")).read().splitlines()) if os.path.exists(os.path.join(work, cid + ".fw_printenv.txt")) else 0
    if st_cfg == "ok" and st_l[0] == "ok" and st_a[0] == "ok":
        L.append("- %s dump: **identical**. `diff` of `fw_printenv -c CONFIG` against `fwkit env list --sort DUMP` "
                 "and against `fwkit env list --sort --at %s DUMP`: no difference (%d lines each); "
                 "the config lines are the dump's layout." % (cid, at, n))
    else:
        L.append("- %s dump: **MISMATCH** (config %s, list %s, list --at %s):" % (cid, st_cfg, st_l[0], st_a[0]))
        for what in ("config", "list", "list-at"):
            st = status.get((cid, what))
            if st and st[0] != "ok" and os.path.exists(st[1]):
                L.append("")
                L.append("  ```")
                L += ["  " + short(x) for x in open(st[1]).read().splitlines()[:30]]
                L.append("  ```")
if "redundant" in results and status.get(("redundant", "list"), ("",))[0] == "ok":
    L.append("- On the redundant dump both tools print copy 1 (bootdelay=5, copy 2 has 3): both copies carry "
             "flag 1 (`mkenvimage -r`), and with equal flags U-Boot takes the first copy; so do both tools.")
L.append("")
L.append("### list: fwkit against fw_printenv")
L.append("")
L.append("| dump | runs | fwkit env list --sort (ms) | fwkit env list --sort --at (ms) | fw_printenv -c (ms) | fw_printenv / fwkit-list | fw_printenv / fwkit-list --at |")
L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for cid, dump, at, want in cases:
    res = results.get(cid)
    if not res:
        L.append("| %s | - | not timed | | | | |" % cid)
        continue
    k = ["fwkit-list", "fwkit-list-at", "fw_printenv"]
    runs = min(len(res[x]["times"]) for x in k)
    L.append("| %s | %d | %s | %s | %s | **%.2f** | **%.2f** |" % (
        cid, runs, ms(res["fwkit-list"]), ms(res["fwkit-list-at"]), ms(res["fw_printenv"]),
        res["fw_printenv"]["mean"] / res["fwkit-list"]["mean"],
        res["fw_printenv"]["mean"] / res["fwkit-list-at"]["mean"]))
L.append("")
L.append("Not the same work: `fwkit env list DUMP` without `--at` first scans the whole 16 MiB dump for "
         "environment blocks (the scan `env find` does) and then lists the first U-Boot env it found; "
         "`fw_printenv` is told the offset and size by CONFIG and reads only that block (4 KiB, or two "
         "64 KiB copies). The fw_printenv / fwkit-list ratio is therefore mostly the price of the scan. "
         "The `--at` column (fwkit given the offset, as fw_printenv is given CONFIG) is the like-for-like "
         "comparison; on the redundant dump `--at` reads the one copy at 0x3E0000 while fw_printenv "
         "reads both and picks one.")
L.append("")
L.append("### find: scanning the dump (no peer tool does this)")
L.append("")
if "single" in results and "fwkit-find" in results["single"]:
    r = results["single"]["fwkit-find"]
    size = os.path.getsize(cases[0][1])
    L.append("| dump | runs | fwkit env find (ms) | dump scanned (MiB/s) |")
    L.append("| --- | ---: | ---: | ---: |")
    L.append("| single (16 MiB) | %d | %s | **%.0f** |" % (len(r["times"]), ms(r), size / MIB / r["mean"]))
    L.append("")
    L.append("MiB/s = 16 MiB / mean wall time of the whole process (start-up, reading the file and printing "
             "included), so it understates the scan loop's own speed a little. Timed in the single dump's "
             "hyperfine run. What it found:")
    L.append("")
    L.append("```")
    L += open(os.path.join(work, "single.find.txt")).read().rstrip("\n").splitlines()
    L.append("```")
else:
    L.append("Not timed.")
L.append("")
if failures:
    L.append("**Commands that exited non-zero** (their times are of a failing run):")
    L.append("")
    L += ["- " + x for x in failures]
    L.append("")
print("\n".join(L).rstrip("\n"))
if failures:
    sys.exit(3)
PY
case $py_rc in
0) ;;
3) fail=1 ;; # a timed command exited non-zero: the section says which
*) die "writing the section failed (python exit $py_rc)" ;;
esac

if [[ -n $OUT ]]; then
	cp "$WORK/section.md" "$OUT"
else
	cp "$WORK/section.md" "$JSON_DIR/env.md"
	cat "$WORK/section.md"
fi
if ((fail)); then
	echo "bench/env.sh: an output check failed or a timed command exited non-zero (see the section)" >&2
	exit 1
fi
