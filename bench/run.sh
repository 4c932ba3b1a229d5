#!/usr/bin/env bash
# bench/run.sh: time fwkit against U-Boot's own tools and zlib, and write the report.
#
#   bash bench/run.sh            (from the repo root; see bench/README.md)
#
# Steps: (a) check the tools (installs nothing), (b) release build in build/bench,
# (c) hyperfine, per real uImage and one 16 MiB synthetic image: fwkit uimage list / verify
# against mkimage -l and dumpimage -l, (c2) bench/env.sh: fwkit env list / find against
# fw_printenv on 16 MiB flash dumps, (c3) bench/tftp.sh: fwkit serve against atftpd and tftpd-hpa's
# in.tftpd on 127.0.0.1 (and, optionally, real U-Boot under QEMU pulling from fwkit serve and
# atftpd), (c4) bench/inspect.sh: fwkit inspect against binwalk on a 16 MiB flash dump (time, and
# what each one found), (d) the in-process CRC bench, (e) the report, written to
# bench/results/latest.md and printed; (c5) bench/scan.sh: fwkit scan, scan --deep, identify and
# inspect against binwalk, appended as its own section.
#
# Environment (all optional):
#   FWKIT_BENCH_DATA   folder searched for real uImages (default ../shared/testdata/real)
#   FWKIT_BENCH_RUNS   hyperfine run bounds as "MIN MAX" (default "20 200"); hyperfine aims
#                      for ~3 s per command within these bounds (uImage and env benches alike)
#   FWKIT_BENCH_CRC    arguments for fwkit-bench-crc, "ROUNDS PASSES" (default "100 1")
#   FWKIT_BENCH_TFTP_* passed on to bench/tftp.sh (see its header and bench/README.md)
#   FWKIT_BENCH_INSPECT_RUNS passed on to bench/inspect.sh (default "5 20")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=$ROOT/build/bench
DATA=${FWKIT_BENCH_DATA:-$ROOT/../shared/testdata/real}
read -r MIN_RUNS MAX_RUNS <<<"${FWKIT_BENCH_RUNS:-20 200}"
read -r CRC_ROUNDS CRC_PASSES <<<"${FWKIT_BENCH_CRC:-100 1}"
RESULTS=$ROOT/bench/results
REPORT=$RESULTS/latest.md

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- (a) tools
missing=()
for tool in hyperfine mkimage dumpimage mkenvimage fw_printenv cmake python3; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "bench/run.sh: missing tools: ${missing[*]}" >&2
	echo "  install them with:  apt-get install hyperfine u-boot-tools libubootenv-tool" >&2
	echo "  (cmake and python3 come from the packages of the same names)" >&2
	exit 1
fi

# ---------------------------------------------------------------- (b) build
log "configuring and building a release build in build/bench"
cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DFWKIT_BENCH=ON >/dev/null
cmake --build build/bench >/dev/null
FWKIT=$BUILD/fwkit
CRCBENCH=$BUILD/bench/fwkit-bench-crc
for exe in "$FWKIT" "$CRCBENCH"; do
	[[ -x $exe ]] || { echo "bench/run.sh: $exe was not built" >&2; exit 1; }
done

# Scratch: cut images and the synthetic image live in a temp dir; hyperfine's JSON and text are kept in
# build/bench/hyperfine (not committed) for anyone who wants the raw runs.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwkit-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
JSON_DIR=$BUILD/hyperfine
rm -rf "$JSON_DIR"
mkdir -p "$JSON_DIR" "$RESULTS"
CASES=$WORK/cases.tsv   # id <TAB> source (for the report) <TAB> cut image <TAB> json
SKIPPED=$WORK/skipped.tsv
: >"$CASES"
: >"$SKIPPED"

# One hyperfine invocation per image: the four commands side by side, no shell in between.
# -i keeps a failing command from aborting the run; its exit codes are in the JSON and the
# report flags them.
time_image() {
	local id=$1 src=$2 img=$3
	local json=$JSON_DIR/$id.json
	log "hyperfine: $src"
	hyperfine -N -i --warmup 3 --min-runs "$MIN_RUNS" --max-runs "$MAX_RUNS" \
		--style basic --export-json "$json" \
		-n fwkit-list "$FWKIT uimage list $img" \
		-n fwkit-verify "$FWKIT uimage verify $img" \
		-n mkimage-l "mkimage -l -T kernel $img" \
		-n dumpimage-l "dumpimage -l -T kernel $img" \
		>"$JSON_DIR/$id.txt" 2>&1 || {
		cat "$JSON_DIR/$id.txt" >&2
		echo "bench/run.sh: hyperfine failed on $src" >&2
		exit 1
	}
	printf '%s\t%s\t%s\t%s\n' "$id" "$src" "$img" "$json" >>"$CASES"
}

# ---------------------------------------------------------------- (c) real uImages
# A real uImage: first 4 bytes 27 05 19 56. mkimage/dumpimage refuse files with trailing data,
# so every tool gets the file cut to 64 + ih_size bytes (the same bytes for all, so the work is
# equal). Files whose ih_size runs past their end are skipped.
if [[ -d $DATA ]]; then
	n=0
	while IFS= read -r -d '' f; do
		rel=${f#"$DATA"/}
		size=$(stat -c %s "$f")
		((size >= 64)) || continue
		[[ $(od -An -tx1 -N4 "$f" | tr -d ' \n') == 27051956 ]] || continue
		ih_size=$(od -An -tu4 --endian=big -j12 -N4 "$f" | tr -d ' \n')
		need=$((64 + ih_size))
		if ((need > size)); then
			printf '%s\tih_size %s needs %s bytes, the file has %s\n' "$rel" "$ih_size" "$need" "$size" >>"$SKIPPED"
			continue
		fi
		n=$((n + 1))
		id=$(printf 'real%02d' "$n")
		# Plain file name (no spaces or quotes): hyperfine -N splits its command on whitespace.
		img=$WORK/$id.uimage
		head -c "$need" "$f" >"$img"
		time_image "$id" "$rel" "$img"
	done < <(find "$DATA" -type f -print0 | sort -z)
else
	log "no real test data at $DATA: only the synthetic case runs"
fi

# ---------------------------------------------------------------- synthetic 16 MiB image
# A 16 MiB pseudo-random payload (fixed seed) wrapped by mkimage -C none, with a fixed
# timestamp so the image is the same bytes on every run.
log "building the synthetic 16 MiB image"
python3 - "$WORK/payload.bin" <<'PY'
import random, sys
with open(sys.argv[1], "wb") as f:
    f.write(random.Random(0x5EED).randbytes(16 * 1024 * 1024))
PY
SOURCE_DATE_EPOCH=1700000000 mkimage -A mips -O linux -T kernel -C none -a 0x80000000 -e 0x80000000 \
	-n "fwkit bench 16MiB random" -d "$WORK/payload.bin" "$WORK/synthetic.uimage" >/dev/null
time_image synthetic "synthetic: 16 MiB random payload, mkimage -C none" "$WORK/synthetic.uimage"

# ---------------------------------------------------------------- (c2) U-Boot environment
# bench/env.sh builds its own two 16 MiB dumps, checks that fwkit and fw_printenv print the same
# variables, times them, and writes its report section, which (e) puts into latest.md. Its exit
# status: 1 = an output check failed or a command exited non-zero (the section says which),
# 2 = it could not run (no section).
log "U-Boot environment bench: bench/env.sh"
env_rc=0
FWKIT_BENCH_FWKIT=$FWKIT FWKIT_BENCH_RUNS="$MIN_RUNS $MAX_RUNS" \
	bash "$ROOT/bench/env.sh" "$WORK/env.md" || env_rc=$?
[[ -s $WORK/env.md ]] || : >"$WORK/env.md"

# ---------------------------------------------------------------- (c3) TFTP server
# bench/tftp.sh runs the three servers on 127.0.0.1 itself (and fetches tftpd-hpa's in.tftpd
# with apt-get download when it is not there; a server it cannot get is skipped and named in the
# section). Its exit status: 1 = a check failed or a transfer exited non-zero, 2 = it could not run.
log "TFTP server bench: bench/tftp.sh"
tftp_rc=0
FWKIT_BENCH_FWKIT=$FWKIT bash "$ROOT/bench/tftp.sh" "$WORK/tftp.md" || tftp_rc=$?
[[ -s $WORK/tftp.md ]] || : >"$WORK/tftp.md"

# ---------------------------------------------------------------- (c4) inspect against binwalk
# bench/inspect.sh builds its own 16 MiB dump (Mi Router 3G v2 layout, MACs replaced by
# 02:00:00:00:10:0x), runs fwkit inspect and binwalk once each to compare what they found, then times
# them side by side. It needs binwalk (apt-get install binwalk); without it the section says it did
# not run. Its exit status: 1 = a check failed or a command exited non-zero, 2 = it could not run.
log "inspect against binwalk: bench/inspect.sh"
inspect_rc=0
FWKIT_BENCH_FWKIT=$FWKIT bash "$ROOT/bench/inspect.sh" "$WORK/inspect.md" || inspect_rc=$?
[[ -s $WORK/inspect.md ]] || : >"$WORK/inspect.md"

# bench/scan.sh: fwkit scan / scan --deep / identify / inspect against binwalk in one hyperfine run
log "scan against binwalk: bench/scan.sh"
scan_rc=0
FWKIT_BENCH_FWKIT=$FWKIT bash "$ROOT/bench/scan.sh" "$WORK/scan.md" >/dev/null || scan_rc=$?
[[ -s $WORK/scan.md ]] || echo "No scan figures: bench/scan.sh exited $scan_rc." >"$WORK/scan.md"

# ---------------------------------------------------------------- (d) CRC bench
log "CRC bench: fwkit-bench-crc $CRC_ROUNDS $CRC_PASSES"
crc_rc=0
"$CRCBENCH" "$CRC_ROUNDS" "$CRC_PASSES" >"$WORK/crc.txt" 2>&1 || crc_rc=$?

# ---------------------------------------------------------------- (d2) Poray bench
# bench/poray_throughput.c: Poray encode/decode of 4 MiB against memcpy + XOR; its own section
# in bench/results/poray.md, appended to the report below.
log "Poray bench: fwkit-bench-poray"
poray_rc=0
"$BUILD/bench/fwkit-bench-poray" 30 >"$RESULTS/poray.md" 2>&1 || poray_rc=$?

# ---------------------------------------------------------------- (e) report
log "writing bench/results/latest.md"
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no -- src include CMakeLists.txt 2>/dev/null) ]]; then
	commit="$commit (src/include/CMakeLists.txt modified)"
fi
# Context for the report. "|| true": a version probe that fails (or SIGPIPEs into head) must
# not end the run under set -e/pipefail.
BENCH_COMMIT=$commit
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BENCH_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1 || true)
BENCH_NPROC=$(nproc)
BENCH_KERNEL=$(uname -sr)
BENCH_HYPERFINE=$(hyperfine --version || true)
BENCH_MKIMAGE=$(mkimage -V 2>&1 | head -n1 || true)
BENCH_FW_PRINTENV=$(dpkg-query -W -f '${Package} ${Version}' libubootenv-tool 2>/dev/null || true)
BENCH_FWKIT=$("$FWKIT" --version 2>&1 | head -n1 || true)
BENCH_CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$BUILD/CMakeCache.txt")
BENCH_CC_VERSION=$("$BENCH_CC" --version 2>/dev/null | head -n1 || true)
BENCH_RUNS="$MIN_RUNS..$MAX_RUNS"
BENCH_CRC_RC=$crc_rc
BENCH_ENV_RC=$env_rc
BENCH_TFTP_RC=$tftp_rc
BENCH_INSPECT_RC=$inspect_rc
export BENCH_TFTP_RC BENCH_INSPECT_RC
export BENCH_COMMIT BENCH_DATE BENCH_CPU BENCH_NPROC BENCH_KERNEL BENCH_HYPERFINE BENCH_MKIMAGE \
	BENCH_FW_PRINTENV BENCH_FWKIT BENCH_CC BENCH_CC_VERSION BENCH_RUNS BENCH_CRC_RC BENCH_ENV_RC

python3 - "$CASES" "$SKIPPED" "$WORK/crc.txt" "$WORK/env.md" "$WORK/tftp.md" "$WORK/inspect.md" >"$WORK/latest.md" <<'PY'
import json, math, os, sys

cases_path, skipped_path, crc_path, env_path, tftp_path, inspect_path = sys.argv[1:7]
env = os.environ
COMP = {0: "none", 1: "gzip", 2: "bzip2", 3: "lzma", 4: "lzo", 5: "lz4", 6: "zstd"}
ORDER = ["fwkit-list", "fwkit-verify", "mkimage-l", "dumpimage-l"]

def header(path):
    with open(path, "rb") as f:
        h = f.read(64)
    return int.from_bytes(h[12:16], "big"), h[31]

def ms(r):
    return "%.2f ± %.2f" % (r["mean"] * 1e3, r["stddev"] * 1e3 if r.get("stddev") is not None else 0.0)

rows, ratios, failures = [], {"mk/list": [], "dump/list": [], "mk/verify": []}, []
synthetic = None
with open(cases_path) as f:
    for line in f:
        cid, src, img, jpath = line.rstrip("\n").split("\t")
        with open(jpath) as jf:
            res = {r["command"]: r for r in json.load(jf)["results"]}
        for name in ORDER:
            bad = sorted({c for c in res[name].get("exit_codes", []) if c != 0})
            if bad:
                failures.append("%s: `%s` exited %s" % (src, name, ", ".join(map(str, bad))))
        size, comp = header(img)
        m = {k: res[k]["mean"] for k in ORDER}
        r = {
            "mk/list": m["mkimage-l"] / m["fwkit-list"],
            "dump/list": m["dumpimage-l"] / m["fwkit-list"],
            "mk/verify": m["mkimage-l"] / m["fwkit-verify"],
        }
        runs = min(len(res[k]["times"]) for k in ORDER)
        row = (src, size, COMP.get(comp, str(comp)), res, r, runs)
        if cid == "synthetic":
            synthetic = row
        else:
            rows.append(row)
            ratios["mk/list"].append(r["mk/list"])
            ratios["dump/list"].append(r["dump/list"])
            if comp == 0:  # verify vs mkimage -l is like for like only without decompression
                ratios["mk/verify"].append(r["mk/verify"])

def table(rs):
    out = ["| image | payload | comp | runs | fwkit list (ms) | fwkit verify (ms) | mkimage -l (ms) | dumpimage -l (ms) | mkimage / fwkit-list | dumpimage / fwkit-list | mkimage / fwkit-verify |",
           "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for src, size, comp, res, r, runs in rs:
        out.append("| %s | %s | %s | %d | %s | %s | %s | %s | **%.2f** | **%.2f** | **%.2f** |" % (
            src.replace("|", "\\|"), f"{size:,}", comp, runs,
            ms(res["fwkit-list"]), ms(res["fwkit-verify"]), ms(res["mkimage-l"]), ms(res["dumpimage-l"]),
            r["mk/list"], r["dump/list"], r["mk/verify"]))
    return out

def gmean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")

L = []
L.append("# fwkit benchmark: latest measured figures")
L.append("")
L.append("Written by `bash bench/run.sh` (see bench/README.md for what is measured and how to read it).")
L.append("")
L.append("| | |")
L.append("| --- | --- |")
L.append("| date | %s |" % env["BENCH_DATE"])
L.append("| commit | %s |" % env["BENCH_COMMIT"])
L.append("| machine | %s, %s cores, %s |" % (env["BENCH_CPU"] or "unknown CPU", env["BENCH_NPROC"], env["BENCH_KERNEL"]))
L.append("| build | CMAKE_BUILD_TYPE=Release, %s |" % env["BENCH_CC_VERSION"])
L.append("| tools | %s; %s; %s; %s |" % (env["BENCH_FWKIT"], env["BENCH_MKIMAGE"],
                                        env["BENCH_FW_PRINTENV"] or "fw_printenv", env["BENCH_HYPERFINE"]))
L.append("| hyperfine | `-N` (no shell), `--warmup 3`, runs per command %s (about 3 s each within those bounds) |" % env["BENCH_RUNS"])
L.append("")
L.append("## uImage listing and checking: fwkit against mkimage and dumpimage")
L.append("")
L.append("Mean wall time per process (± standard deviation), whole process from exec to exit. Each image is "
         "cut to 64 + ih_size bytes and the same cut file is given to every tool. "
         "A ratio above 1 means fwkit took less time than the peer tool; below 1, more.")
L.append("")
L.append("Note: `fwkit uimage verify` also decompresses the payload (gzip, lzma or zstd) to check it, "
         "so on compressed images it does more work than `mkimage -l`, which only checks the two CRCs (as `fwkit uimage list` does too). "
         "The mkimage / fwkit-verify column is therefore not like for like on compressed images; "
         "on uncompressed ones (comp none, including the synthetic case) it is.")
L.append("")
if rows:
    L.append("### Real images (from the test data)")
    L.append("")
    L += table(rows)
    L.append("")
    L.append("Geometric mean of the ratios over the %d real images: mkimage / fwkit-list **%.2f**, "
             "dumpimage / fwkit-list **%.2f**; mkimage / fwkit-verify **%.2f** over the %d uncompressed ones "
             "(on the %d compressed ones verify also decompresses, so that ratio is left out of the mean)." % (
                 len(rows), gmean(ratios["mk/list"]), gmean(ratios["dump/list"]), gmean(ratios["mk/verify"]),
                 len(ratios["mk/verify"]), len(rows) - len(ratios["mk/verify"])))
    L.append("")
else:
    L.append("No real uImages were found in the test data folder.")
    L.append("")
skipped = [l.rstrip("\n").split("\t") for l in open(skipped_path) if l.strip()]
if skipped:
    L.append("Skipped (ih_size runs past the end of the file):")
    L.append("")
    for name, why in skipped:
        L.append("- %s: %s" % (name, why))
    L.append("")
if synthetic:
    L.append("### Synthetic: 16 MiB pseudo-random payload wrapped by `mkimage -C none`")
    L.append("")
    L += table([synthetic])
    L.append("")
    L.append("Here every tool reads 16 MiB and CRCs it; nothing is decompressed, so all four do the same work.")
    L.append("")
if failures:
    L.append("**Commands that exited non-zero** (their times are of a failing run, not a check):")
    L.append("")
    L += ["- " + x for x in failures]
    L.append("")
L.append("## CRC-32 throughput: fwkit_crc32 against zlib (in process)")
L.append("")
L.append("`build/bench/bench/fwkit-bench-crc`; fwkit_crc32 wraps zlib's crc32_z, so the ratio should be close to 1.00.")
L.append("")
L += open(crc_path).read().rstrip("\n").splitlines()
if env["BENCH_CRC_RC"] != "0":
    L.append("")
    L.append("**fwkit-bench-crc exited %s.**" % env["BENCH_CRC_RC"])
L.append("")
env_section = open(env_path).read().rstrip("\n")
if env_section:
    L += env_section.splitlines()
else:
    L.append("## U-Boot environment: fwkit env against fw_printenv")
    L.append("")
    L.append("No figures: bench/env.sh exited %s before writing its section (its messages went to stderr)." % env["BENCH_ENV_RC"])
if env["BENCH_ENV_RC"] != "0":
    L.append("")
    L.append("**bench/env.sh exited %s** (an output check failed or a command exited non-zero; see above)." % env["BENCH_ENV_RC"])
L.append("")
tftp_section = open(tftp_path).read().rstrip("\n")
if tftp_section:
    L += tftp_section.splitlines()
else:
    L.append("## TFTP server: fwkit serve against atftpd and tftpd-hpa's in.tftpd")
    L.append("")
    L.append("No figures: bench/tftp.sh exited %s before writing its section (its messages went to stderr)." % env["BENCH_TFTP_RC"])
if env["BENCH_TFTP_RC"] != "0":
    L.append("")
    L.append("**bench/tftp.sh exited %s** (a check failed or a transfer exited non-zero; see above)." % env["BENCH_TFTP_RC"])
L.append("")
inspect_section = open(inspect_path).read().rstrip("\n")
if inspect_section:
    L += inspect_section.splitlines()
else:
    L.append("## inspect against binwalk: fwkit inspect and binwalk on a 16 MiB flash dump")
    L.append("")
    L.append("No figures: bench/inspect.sh exited %s before writing its section (its messages went to stderr; "
             "binwalk missing: `apt-get install binwalk`)." % env["BENCH_INSPECT_RC"])
if env["BENCH_INSPECT_RC"] != "0":
    L.append("")
    L.append("**bench/inspect.sh exited %s** (a check failed or a command exited non-zero; see above)." % env["BENCH_INSPECT_RC"])
L.append("")
L.append("## Caveats")
L.append("")
L.append("- A 2-core machine, shared with whatever else runs on it: figures of a millisecond or two move "
         "by 10-30 % from run to run; compare ratios, not absolute times, and distrust differences under ~15 %.")
L.append("- Small images take about a millisecond, mostly process start-up and dynamic linking, so those "
         "ratios compare start-up costs more than parsing or CRC speed. The synthetic 16 MiB case is the one "
         "dominated by reading and CRC work.")
L.append("- `fwkit uimage verify` decompresses compressed payloads; `mkimage -l` and `dumpimage -l` do not.")
L.append("- `fwkit env list DUMP` without `--at` scans the whole dump before listing; `fw_printenv` is given "
         "the block's offset by its config. The `--at` column is the like-for-like one.")
L.append("- TFTP: the loopback figures are whole client processes on a 2-core machine where client and server "
         "share the CPUs; the blksize-65464 sets with windowsize 8 or 64 are bound by datagram loss at the "
         "client's socket buffer, so their times count stalls, not sending speed. The U-Boot pulls are few "
         "and each lost frame costs about a second.")
L.append("- inspect against binwalk: one dump, a few runs of binwalk (about 2 s each); the two tools do "
         "different work (a signature scan of every offset against a profile-driven reading of each "
         "partition), so the ratio says how long each takes to tell you about this dump, not which "
         "parser is faster.")
print("\n".join(L))
PY
{ echo; cat "$WORK/scan.md"; } >>"$WORK/latest.md"
{ echo; cat "$RESULTS/poray.md"; } >>"$WORK/latest.md"
cp "$WORK/latest.md" "$REPORT"
cat "$REPORT"
status=0
if ((crc_rc != 0)); then
	echo "bench/run.sh: fwkit-bench-crc exited $crc_rc (CRC mismatch?)" >&2
	status=1
fi
if ((env_rc != 0)); then
	echo "bench/run.sh: bench/env.sh exited $env_rc (output mismatch, failing command, or could not run)" >&2
	status=1
fi
if ((tftp_rc != 0)); then
	echo "bench/run.sh: bench/tftp.sh exited $tftp_rc (a check failed, a transfer failed, or could not run)" >&2
	status=1
fi
if ((inspect_rc != 0)); then
	echo "bench/run.sh: bench/inspect.sh exited $inspect_rc (a check failed, a command failed, or could not run)" >&2
	status=1
fi
if ((poray_rc != 0)); then
	echo "bench/run.sh: fwkit-bench-poray exited $poray_rc (decode(encode(x)) differs, or it could not run)" >&2
	status=1
fi
exit "$status"
