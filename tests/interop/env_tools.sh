#!/bin/bash
# Interop: `fwkit env ...` against the reference tools for U-Boot environments:
# mkenvimage (u-boot-tools) and fw_printenv / fw_setenv (libubootenv-tool 0.3.2).
#
#   1. env create == mkenvimage byte for byte: options, odd sizes, exact fit / one byte too small,
#      empty text, and ~200 random texts (fixed seed) in one loop
#   2. fwkit writes, fw_printenv reads: single env (bare and inside a bigger 0xFF file), redundant pairs
#      (mkenvimage -r copies, and a pair fw_setenv already bumped), set / unset / import / --merge,
#      export -> import round trip; fwkit's own `env config` is the config fw_printenv gets
#   3. fw_setenv writes, fwkit reads: list --sort == fw_printenv, find: CRC ok and the active copy is the one
#      fw_printenv uses (also across the 255 -> 0 flag wrap)
#   4. big-endian CRC (mkenvimage -b): find says big, set keeps a correct big-endian CRC
#   5. the seed scenario: 16 MiB dump with the Xiaomi R4A U-Boot, env at 0x30000, Bdata at 0x40000
#   6. real env blobs: a Breed partition and a Keenetic text env without CRC
#
# On a failure the lines starting with '#' give the command to reproduce it (files stay in $FWKIT_SCRATCH).
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need mkenvimage fw_printenv fw_setenv python3 cmp diff od
start=$(date +%s)

# ---- helpers ------------------------------------------------------------------------------------

note() { echo "#     $*"; }
show_diff() { diff -u "$1" "$2" | sed -n '3,22p' | sed 's/^/#     /'; }
fw() { "$FWKIT" "$@"; }
# byte FILE OFFSET: one unsigned byte
byte() { od -An -tu1 -j "$(($2))" -N1 "$1" | tr -d ' '; }
# setbyte FILE OFFSET VALUE
setbyte() { printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$(($2))" conv=notrunc status=none; }
# js JSONFILE PYEXPR: print a Python expression over the parsed JSON `j`
js() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2> /dev/null; }
# mkcfg FILE CFG: CFG = `fwkit env config FILE`
mkcfg() { fw env config "$1" > "$2" 2> "$2.err"; }

# same_as_printenv NAME FILE: `fwkit env list FILE --sort` == `fw_printenv -c <(fwkit env config FILE)`
same_as_printenv() {
	local n=$1 f=$2
	mkcfg "$f" "$f.cfg" || { bad "$n (fwkit env config failed: $(head -1 "$f.cfg.err"))"; return; }
	fw_printenv -c "$f.cfg" > "$f.pe" 2> "$f.pe.err"
	fw env list "$f" --sort > "$f.fl" 2> "$f.fl.err"
	if [ -s "$f.pe" ] && cmp -s "$f.pe" "$f.fl"; then ok "$n"; else
		bad "$n"
		note "cmd: $FWKIT env list $PWD/$f --sort   vs   fw_printenv -c $PWD/$f.cfg"
		show_diff "$f.pe" "$f.fl"
		sed 's/^/#     stderr: /' "$f.pe.err" "$f.fl.err" | head -4
	fi
}

# printenv_has NAME FILE VAR=VALUE...: fw_printenv (with fwkit's config) shows every VAR=VALUE line
printenv_has() {
	local n=$1 f=$2 l miss=''
	shift 2
	mkcfg "$f" "$f.cfg" || { bad "$n (fwkit env config failed)"; return; }
	fw_printenv -c "$f.cfg" > "$f.pe" 2> "$f.pe.err"
	for l in "$@"; do grep -qxF -- "$l" "$f.pe" || miss="$miss [$l]"; done
	if [ -z "$miss" ]; then ok "$n"; else
		bad "$n: fw_printenv lacks$miss"
		note "cmd: fw_printenv -c $PWD/$f.cfg"
		sed 's/^/#     got: /' "$f.pe" "$f.pe.err" | head -12
	fi
}

# printenv_lacks NAME FILE VAR...: no VAR= line in fw_printenv's output
printenv_lacks() {
	local n=$1 f=$2 v hit=''
	shift 2
	mkcfg "$f" "$f.cfg" || { bad "$n (fwkit env config failed)"; return; }
	fw_printenv -c "$f.cfg" > "$f.pe" 2> "$f.pe.err"
	for v in "$@"; do grep -q "^$v=" "$f.pe" && hit="$hit $v"; done
	if [ -z "$hit" ] && [ -s "$f.pe" ]; then ok "$n"; else
		bad "$n: still there:$hit"
		note "cmd: fw_printenv -c $PWD/$f.cfg"
	fi
}

# only_inside NAME OLD NEW LO HI: same size, every differing byte within [LO, HI]
only_inside() {
	local n=$1 a=$2 b=$3 lo=$(($4)) hi=$(($5)) r
	r=$(python3 - "$a" "$b" "$lo" "$hi" << 'EOF'
import sys
a = open(sys.argv[1], 'rb').read(); b = open(sys.argv[2], 'rb').read()
lo, hi = int(sys.argv[3]), int(sys.argv[4])
if len(a) != len(b): print("size %d -> %d" % (len(a), len(b))); sys.exit()
d = [i for i in range(len(a)) if a[i] != b[i]] if len(a) < 1 << 20 else None
if d is None:
    d = []
    for blk in range(0, len(a), 65536):
        if a[blk:blk + 65536] != b[blk:blk + 65536]:
            d += [i for i in range(blk, min(blk + 65536, len(a))) if a[i] != b[i]]
out = [i for i in d if i < lo or i > hi]
if not d: print("nothing changed")
elif out: print("changed outside: 0x%x (%d bytes outside)" % (out[0], len(out)))
else: print("ok")
EOF
	)
	if [ "$r" = ok ]; then ok "$n"; else bad "$n: $r"; note "cmd: cmp -l $PWD/$a $PWD/$b"; fi
}

# ranges_ok NAME JSON OLD NEW: the "changed" list of an edit's --json lies inside the file, is sorted and
# covers every byte that really changed
ranges_ok() {
	local n=$1 r
	r=$(python3 - "$2" "$3" "$4" << 'EOF'
import sys, json
try:
    j = json.load(open(sys.argv[1]))
except Exception as e:
    print("no JSON: %s" % e); sys.exit()
a = open(sys.argv[2], 'rb').read(); b = open(sys.argv[3], 'rb').read()
rs = [(c['offset'], c['length']) for c in j.get('changed', [])]
errs = []
for o, l in rs:
    if l <= 0 or o + l > len(b):
        errs.append("range offset 0x%x length %d is outside the %d-byte file" % (o, l, len(b)))
if rs != sorted(rs): errs.append("ranges not sorted")
d = [i for i in range(len(a)) if a[i] != b[i]]
miss = [i for i in d if not any(o <= i < o + l for o, l in rs)]
if miss: errs.append("changed byte 0x%x not in any range" % miss[0])
print("; ".join(errs) if errs else "ok")
EOF
	)
	if [ "$r" = ok ]; then ok "$n"; else bad "$n: $r"; fi
}

# edit NAME CMD FILE OUT ARGS...: fwkit env CMD FILE ARGS -o OUT --json > OUT.json; ok when exit 0
edit() {
	local n=$1 cmd=$2 f=$3 o=$4 rc
	shift 4
	rm -f "$o"
	fw env "$cmd" "$f" "$@" -o "$o" --json > "$o.json" 2> "$o.err"
	rc=$?
	if [ $rc -eq 0 ] && [ -s "$o" ]; then ok "$n"; else
		bad "$n (exit $rc)"
		note "cmd: $FWKIT env $cmd $PWD/$f $* -o $PWD/$o"
		sed 's/^/#     stderr: /' "$o.err" | head -3
		return 1
	fi
}

# active_matches NAME FILE: for a redundant pair, find's active copy is the one fw_printenv uses
# (the copy whose own sorted list equals fw_printenv's output), and every block's CRC is ok
active_matches() {
	local n=$1 f=$2 offs o m='' act crcok
	mkcfg "$f" "$f.cfg"
	fw_printenv -c "$f.cfg" > "$f.pe" 2> /dev/null
	fw env find "$f" --json > "$f.find.json" 2> /dev/null
	IFS='|' read -r offs act crcok <<< "$(js "$f.find.json" "'%s|%s|%s' % (' '.join(str(b['offset']) for b in j['blocks'] if b.get('kind') == 'u-boot'), ' '.join(str(b['offset']) for b in j['blocks'] if b.get('kind') == 'u-boot' and b.get('active')), all(b.get('crc_ok') for b in j['blocks']))")"
	for o in $offs; do
		fw env list "$f" --at "$o" --sort > "$f.at$o" 2> /dev/null
		cmp -s "$f.at$o" "$f.pe" && m="$m $o"
	done
	if [ "$crcok" != True ]; then
		bad "$n: a block's CRC is not ok"
		note "cmd: $FWKIT env find $PWD/$f"
	elif [ "$(echo $m)" != "$act" ]; then
		bad "$n: fw_printenv uses the copy at [$(echo $m)], find says active [$act]"
		note "cmd: $FWKIT env find $PWD/$f; fw_printenv -c $PWD/$f.cfg"
	else ok "$n"; fi
}

# =================================================================================================
# 1. env create == mkenvimage
# =================================================================================================

printf 'bootcmd=bootm 0x9f050000\nbootdelay=3\n# a comment\n\nipaddr=192.168.1.1\nserverip=192.168.1.100\nbootargs=console=ttyS0,115200 \\\nroot=/dev/mtdblock5\n' > base.txt
# the same without the continuation line (no value with a newline)
printf 'bootcmd=bootm 0x9f050000\nbootdelay=3\n# a comment\n\nipaddr=192.168.1.1\nserverip=192.168.1.100\nbootargs=console=ttyS0,115200 root=/dev/mtdblock5\n' > plain.txt

# create_same NAME TEXT OPTIONS...: both succeed and the blobs are identical, or both fail and fwkit
# writes nothing
create_same() {
	local n=$1 t=$2 mrc frc
	shift 2
	rm -f cs.mk cs.fw
	mkenvimage "$@" -o cs.mk "$t" > /dev/null 2> cs.mk.err
	mrc=$?
	fw env create "$@" -o cs.fw "$t" > /dev/null 2> cs.fw.err
	frc=$?
	if [ $mrc -eq 0 ]; then
		if [ $frc -eq 0 ] && cmp -s cs.mk cs.fw; then ok "$n"; else
			bad "$n (fwkit exit $frc)"
			note "cmd: mkenvimage $* -o mk.bin $PWD/$t; $FWKIT env create $* -o fw.bin $PWD/$t; cmp mk.bin fw.bin"
			[ -f cs.fw ] && cmp cs.mk cs.fw 2>&1 | sed 's/^/#     /'
			sed 's/^/#     stderr: /' cs.fw.err | head -2
		fi
	else
		if [ $frc -ne 0 ] && [ ! -e cs.fw ]; then ok "$n (both refuse)"; else
			bad "$n: mkenvimage exit $mrc, fwkit exit $frc$([ -e cs.fw ] && echo ', fwkit wrote output')"
			note "cmd: $FWKIT env create $* -o fw.bin $PWD/$t"
		fi
	fi
}

create_same "create: single 0x1000" base.txt -s 0x1000
create_same "create: -r" base.txt -r -s 0x1000
create_same "create: -b" base.txt -b -s 0x1000
create_same "create: -r -b" base.txt -r -b -s 0x2000
create_same "create: -p 0" base.txt -p 0 -s 0x1000
create_same "create: -p 0x5a -r" base.txt -p 0x5a -r -s 4096
create_same "create: size 0x1001" base.txt -s 0x1001
create_same "create: size 777" base.txt -s 777
create_same "create: size 0777 (octal)" base.txt -s 0777
create_same "create: 0x4000 Bdata-sized" base.txt -s 0x4000
printf 'a=1\n' > one.txt
create_same "create: size 9 (exact fit of a=1)" one.txt -s 9
create_same "create: size 10 -r (exact fit of a=1)" one.txt -r -s 10

# exact fit of base.txt: find the smallest size mkenvimage accepts, then compare at it and one below
fit=0
for s in $(seq 120 220); do mkenvimage -s "$s" -o /dev/null base.txt > /dev/null 2>&1 && { fit=$s; break; }; done
if [ "$fit" -gt 0 ]; then
	create_same "create: exact fit ($fit bytes)" base.txt -s "$fit"
	create_same "create: one too small ($((fit - 1)) bytes, mkenvimage: too large)" base.txt -s "$((fit - 1))"
	create_same "create: -r exact fit ($((fit + 1)) bytes)" base.txt -r -s "$((fit + 1))"
	create_same "create: -r one too small ($fit bytes)" base.txt -r -s "$fit"
else bad "create: could not find the exact-fit size with mkenvimage (test setup)"; fi
rm -f small.out
fw env create -s 8 -o small.out one.txt > /dev/null 2>&1
rc=$?
if [ $rc -ne 0 ] && [ ! -e small.out ]; then ok "create: too large exits $rc and writes nothing"; else
	bad "create: too large: exit $rc, output $([ -e small.out ] && echo written || echo absent)"; fi
: > empty.txt
create_same "create: empty text file" empty.txt -s 0x1000
create_same "create: empty text file -r -p 0" empty.txt -r -p 0 -s 64
printf '\n\n\nx=1' > lead.txt
create_same "create: leading newlines, no trailing newline" lead.txt -s 64
printf 'a=1\r\nb=2\r\n\r\n#c\r\nd=x\\\r\ny\r\n' > crlf.txt
create_same "create: CRLF text" crlf.txt -s 128
mkenvimage -s 0x1000 -o stdout.mk base.txt
if fw env create -s 0x1000 -o - base.txt 2> /dev/null | cmp -s - stdout.mk; then ok "create: -o - writes the blob to stdout"; else
	bad "create: -o - output differs from mkenvimage"; fi

# ---- ~200 random texts in one loop --------------------------------------------------------------
mkdir -p rnd
python3 - << 'EOF'
import random
R = random.Random(20240611)
K = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_."
V = K + " =,:;/-#\\\t\r!\"'$%&()*+<>?@[]^`{|}~"
def word(a, lo, hi): return "".join(R.choice(a) for _ in range(R.randint(lo, hi)))
def line():
    r = R.random()
    if r < 0.40: return word(K, 1, 12) + "=" + word(V, 0, 40)
    if r < 0.50: return ""
    if r < 0.58: return "#" + word(V, 0, 30)
    if r < 0.65: return word(K, 1, 8) + "=" + word(K, 0, 8) + "#" + word(V, 0, 10)
    if r < 0.75: return word(K, 1, 8) + "=" + "\\\n".join(word(V, 0, 15) for _ in range(R.randint(2, 4)))
    if r < 0.80: return R.choice(["\r", word(K, 1, 8) + "=" + word(K, 0, 8) + "\r", "\r#x"])
    if r < 0.85: return R.choice([" ", "\t", "  # indented comment", " k=v"])
    if r < 0.90: return word(K, 1, 10)                 # no '='
    if r < 0.93: return word(K, 1, 5) + "=" + word(V, 0, 5) + "\\"   # continuation into next line
    return word(K, 1, 6) + "=" + word(V, 300, 900)     # long value
cases = []
for i in range(200):
    lines = [line() for _ in range(R.randint(0, 25))]
    text = "\n".join(lines)
    if R.random() < 0.7: text += "\n"
    if R.random() < 0.2: text = "\n" * R.randint(1, 3) + text
    if R.random() < 0.1: text += "\\"                  # backslash at end of file
    if R.random() < 0.1: text = text.replace("\n", "\r\n")
    data = text.encode("latin-1")
    open("rnd/t%03d.txt" % i, "wb").write(data)
    need = len(data) + 6
    size = R.choice([R.randint(max(6, need // 2), need + 8), R.randint(need, need * 2 + 64), R.choice([0x1000, 0x4000])])
    opts = []
    if R.random() < 0.3: opts.append("-r")
    if R.random() < 0.3: opts.append("-b")
    if R.random() < 0.3: opts += ["-p", R.choice(["0", "0xff", "0x5a", "0377", str(R.randint(0, 255))])]
    opts += ["-s", R.choice(["%d", "0x%x", "0x%X", "0%o"]) % size]
    cases.append("t%03d %s" % (i, " ".join(opts)))
open("rnd/cases", "w").write("\n".join(cases) + "\n")
EOF
rn=0 rsame=0 rrefuse=0 rbad=0
while read -r t opts; do
	rn=$((rn + 1))
	rm -f rnd/o.mk rnd/o.fw
	# shellcheck disable=SC2086
	mkenvimage $opts -o rnd/o.mk "rnd/$t.txt" > /dev/null 2>&1
	mrc=$?
	# shellcheck disable=SC2086
	"$FWKIT" env create $opts -o rnd/o.fw "rnd/$t.txt" > /dev/null 2>&1
	frc=$?
	if [ $mrc -eq 0 ] && [ $frc -eq 0 ] && cmp -s rnd/o.mk rnd/o.fw; then rsame=$((rsame + 1))
	elif [ $mrc -ne 0 ] && [ $frc -ne 0 ] && [ ! -e rnd/o.fw ]; then rrefuse=$((rrefuse + 1))
	else
		rbad=$((rbad + 1))
		[ $rbad -le 5 ] && note "random $t: mkenvimage exit $mrc, fwkit exit $frc; cmd: $FWKIT env create $opts -o fw.bin $PWD/rnd/$t.txt vs mkenvimage"
	fi
done < rnd/cases
if [ $rn -ge 200 ] && [ $rbad -eq 0 ]; then ok "create: $rn random texts == mkenvimage ($rsame identical, $rrefuse too large for both)"; else
	bad "create: random texts: $rbad of $rn differ from mkenvimage ($rsame identical, $rrefuse refused by both)"; fi

# =================================================================================================
# 2. fwkit writes, fw_printenv reads
# =================================================================================================

# single env, bare blob
mkenvimage -s 0x1000 -o s.bin base.txt
same_as_printenv "single blob: list --sort == fw_printenv (before any edit)" s.bin
if edit "single blob: set" set s.bin s1.bin bootdelay=7 'bootcmd=run a; run b' newvar=with=equals 'sp=a  b'; then
	printenv_has "single blob: fw_printenv reads the set values" s1.bin bootdelay=7 'bootcmd=run a; run b' newvar=with=equals 'sp=a  b' ipaddr=192.168.1.1
	same_as_printenv "single blob: list --sort == fw_printenv after set" s1.bin
	ranges_ok "single blob: set --json 'changed' ranges are right" s1.bin.json s.bin s1.bin
	cmp -s s.bin <(mkenvimage -s 0x1000 -o - base.txt) && ok "single blob: input file unchanged" || bad "single blob: input file was modified"
fi
fw env get s1.bin bootcmd > get.out 2> /dev/null
fw_printenv -c s1.bin.cfg -n bootcmd > get.pe 2> /dev/null
if [ -s get.pe ] && cmp -s get.out get.pe; then ok "single blob: env get == fw_printenv -n"; else bad "single blob: env get differs from fw_printenv -n"; show_diff get.pe get.out; fi
fw env get s1.bin nosuchvar > /dev/null 2>&1
rc=$?
[ $rc -eq 1 ] && ok "single blob: env get of an undefined variable exits 1" || bad "single blob: env get undefined: exit $rc (want 1)"
rm -f dry.bin
fw env set s.bin x=1 -o dry.bin --dry-run > /dev/null 2>&1
[ ! -e dry.bin ] && ok "single blob: --dry-run writes nothing" || bad "single blob: --dry-run wrote dry.bin"
if edit "single blob: unset" unset s1.bin s2.bin sp newvar; then
	printenv_lacks "single blob: fw_printenv no longer shows the unset variables" s2.bin sp newvar
	same_as_printenv "single blob: list --sort == fw_printenv after unset" s2.bin
fi
printf 'alpha=1\n# comment\n\nbeta=two words\ngamma=x=y\n' > imp.txt
printf 'alpha=1\nbeta=two words\ngamma=x=y\n' > imp.want
if edit "single blob: import (replace)" import s.bin s3.bin imp.txt; then
	mkcfg s3.bin s3.bin.cfg && fw_printenv -c s3.bin.cfg > imp.got 2> /dev/null
	if cmp -s imp.want imp.got; then ok "single blob: fw_printenv shows exactly the imported variables"; else
		bad "single blob: fw_printenv after import"; show_diff imp.want imp.got; fi
	same_as_printenv "single blob: list --sort == fw_printenv after import" s3.bin
fi
# a mkenvimage text with a continuation line (a value with a newline), as env create and mkenvimage take it
printf 'alpha=1\nmulti=line1\\\nline2\n' > imp_ml.txt
if edit "single blob: import of a text with a continuation line (multi-line value)" import s.bin s3m.bin imp_ml.txt; then
	printf 'alpha=1\nmulti=line1\nline2\n' > imp_ml.want
	mkcfg s3m.bin s3m.bin.cfg && fw_printenv -c s3m.bin.cfg > imp_ml.got 2> /dev/null
	cmp -s imp_ml.want imp_ml.got && ok "single blob: fw_printenv shows the multi-line value" || { bad "single blob: multi-line import"; show_diff imp_ml.want imp_ml.got; }
fi
# --merge == fw_setenv -s with the same script
printf 'bootdelay=9\n# comment\nipaddr=\nfresh=value with spaces\n' > merge.txt
cp s.bin sm_ref.bin
printf '%s 0x0 0x1000\n' "$PWD/sm_ref.bin" > sm_ref.cfg
fw_setenv -c sm_ref.cfg -s merge.txt > /dev/null 2>&1
if edit "single blob: import --merge" import s.bin sm.bin merge.txt --merge; then
	mkcfg sm.bin sm.bin.cfg
	fw_printenv -c sm.bin.cfg > sm.got 2> /dev/null
	fw_printenv -c sm_ref.cfg > sm.want 2> /dev/null
	if [ -s sm.want ] && cmp -s sm.want sm.got; then ok "single blob: import --merge == fw_setenv -s (fw_printenv view)"; else
		bad "single blob: import --merge differs from fw_setenv -s"; show_diff sm.want sm.got; fi
fi
# export -> import round trip: plain values, then values with a newline (mkenvimage continuation lines)
mkenvimage -s 0x1000 -o p.bin plain.txt
fw env set p.bin 'sp=a  b' eq=x=y -o p1.bin > /dev/null 2>&1
for f in p1 s1; do
	fw env export $f.bin > $f.exp 2> /dev/null
	case $f in p1) what="plain values" ;; *) what="a multi-line value" ;; esac
	fw env list $f.bin > $f.rt.a 2> /dev/null
	if edit "export -> import ($what): import" import $f.bin $f.rt.bin $f.exp; then
		fw env list $f.rt.bin > $f.rt.b 2> /dev/null
		if [ -s $f.rt.a ] && cmp -s $f.rt.a $f.rt.b; then ok "export -> import ($what) keeps list identical"; else
			bad "export -> import ($what) changed list"; show_diff $f.rt.a $f.rt.b; fi
	fi
	fw env create -s 0x1000 -o $f.rt.c $f.exp > /dev/null 2>&1
	fw env list $f.rt.c > $f.rt.c.l 2> /dev/null
	cmp -s $f.rt.a $f.rt.c.l && ok "export -> env create ($what) lists the same" || { bad "export -> env create ($what) lists differently"; show_diff $f.rt.a $f.rt.c.l; }
done

# single env inside a bigger file at 0x30000, the rest 0xFF
python3 -c '
d = bytearray(b"\xff" * 0x100000); e = open("s.bin", "rb").read(); d[0x30000:0x30000 + len(e)] = e
open("big.bin", "wb").write(d)'
fw env find big.bin --json > big.find.json 2> /dev/null
[ "$(js big.find.json "[(b['offset'], b['size'], b['kind'], b['crc_ok']) for b in j['blocks']]")" = "[(196608, 4096, 'u-boot', True)]" ] &&
	ok "in-file env: find reports u-boot at 0x30000 size 0x1000, CRC ok" || { bad "in-file env: find"; fw env find big.bin | sed 's/^/#     /'; }
same_as_printenv "in-file env: list --sort == fw_printenv (before edit)" big.bin
if edit "in-file env: set" set big.bin big1.bin bootdelay=0 added=yes; then
	printenv_has "in-file env: fw_printenv reads the new values" big1.bin bootdelay=0 added=yes serverip=192.168.1.100
	same_as_printenv "in-file env: list --sort == fw_printenv after set" big1.bin
	only_inside "in-file env: only bytes 0x30000..0x30fff change, size kept" big.bin big1.bin 0x30000 0x30fff
	ranges_ok "in-file env: set --json 'changed' ranges are right" big1.bin.json big.bin big1.bin
fi
if edit "in-file env: second set on the result" set big1.bin big2.bin added=again; then
	printenv_has "in-file env: fw_printenv reads the second set" big2.bin added=again bootdelay=0
fi

# ---- redundant pairs ----------------------------------------------------------------------------
mkenvimage -r -s 0x1000 -o r1copy.bin plain.txt
cat r1copy.bin r1copy.bin > rA.bin
mkcfg rA.bin rA.cfg
[ "$(grep -vc '^#' rA.cfg)" = 2 ] && ok "redundant: env config prints two lines" || { bad "redundant: env config"; sed 's/^/#     /' rA.cfg; }
same_as_printenv "redundant (1,1): list --sort == fw_printenv" rA.bin

# redundant_chain TAG FILE: three fwkit sets in a row; after each fw_printenv sees the values, fwkit list
# agrees, the written copy alternates, and with the boolean scheme the other copy's flag becomes 0
redundant_chain() {
	local tag=$1 cur=$2 i nxt prev_w='' w scheme oflag
	for i in 1 2 3; do
		nxt=${cur%.bin}_s$i.bin
		edit "$tag: set #$i" set "$cur" "$nxt" "step=$i" "v$i=x$i" || return
		printenv_has "$tag: fw_printenv reads set #$i" "$nxt" "step=$i" "v$i=x$i" bootdelay=3
		same_as_printenv "$tag: list --sort == fw_printenv after set #$i" "$nxt"
		active_matches "$tag: find's active copy is fw_printenv's after set #$i" "$nxt"
		ranges_ok "$tag: set #$i --json 'changed' ranges are right" "$nxt.json" "$cur" "$nxt"
		read -r w scheme <<< "$(js "$nxt.json" "'%s %s' % (j['written_offset'], j['block'].get('flag_scheme'))")"
		if [ -n "$prev_w" ]; then
			[ "$w" != "$prev_w" ] && ok "$tag: set #$i wrote the other copy (0x$(printf %x "$w"))" || bad "$tag: set #$i wrote the same copy again (offset $w)"
		fi
		if [ "$scheme" = boolean ]; then
			oflag=$(byte "$nxt" $(((w == 0 ? 0x1000 : 0) + 4)))
			[ "$oflag" = 0 ] && ok "$tag: boolean scheme: set #$i left the old copy's flag 0 (obsolete)" ||
				{ bad "$tag: boolean scheme: after set #$i (wrote 0x$(printf %x "$w")) the old copy's flag is $oflag, not 0"; note "cmd: $FWKIT env set $PWD/$cur step=$i v$i=x$i -o out.bin; $FWKIT env find out.bin"; }
		fi
		prev_w=$w
		cur=$nxt
	done
}
redundant_chain "redundant (1,1)" rA.bin

# a pair fw_setenv already bumped: flags (1,2)
cp rA.bin rB.bin
mkcfg rB.bin rB.cfg
fw_setenv -c rB.cfg bumped yes > /dev/null 2>&1
[ "$(byte rB.bin 4) $(byte rB.bin 0x1004)" = "1 2" ] && ok "redundant (1,2): fw_setenv made flags 1,2 (setup)" || bad "redundant (1,2): setup flags are $(byte rB.bin 4),$(byte rB.bin 0x1004)"
same_as_printenv "redundant (1,2): list --sort == fw_printenv" rB.bin
redundant_chain "redundant (1,2)" rB.bin

# a pair whose second copy is damaged (one byte of its text): still a pair of the good copy's size;
# env set writes the damaged copy and makes it active, as U-Boot and fw_setenv do, so the only good
# copy stays as the fallback; both tools then read the new value, and the config names both copies
# with one sector size that does not span the other copy
cp rA.bin rD.bin
printf 'X' | dd of=rD.bin bs=1 seek=$((0x1010)) conv=notrunc status=none
"$FWKIT" env find rD.bin --json > rD.json
got=$(js rD.json "[(b['offset'], b['size'], b['crc_ok'], b.get('copy')) for b in j['blocks']]")
[ "$got" = "[(0, 4096, True, 0), (4096, 4096, False, 1)]" ] && ok "damaged copy: still a pair of two 0x1000 copies" || bad "damaged copy: find says $got"
"$FWKIT" env config rD.bin > rD.cfg 2> /dev/null
[ "$(grep -v '^#' rD.cfg | awk '{print $2, $3, $4}' | tr '\n' ' ')" = "0x0 0x1000 0x1000 0x1000 0x1000 0x1000 " ] &&
	ok "damaged copy: env config names both copies, sector 0x1000 each" || { bad "damaged copy: env config"; sed 's/^/#     /' rD.cfg; }
"$FWKIT" env set rD.bin bootdelay=9 -o rD2.bin > /dev/null 2>&1
cmp -s <(head -c 4096 rD.bin | tail -c +6) <(head -c 4096 rD2.bin | tail -c +6) &&
	ok "damaged copy: the good copy's text is kept" || bad "damaged copy: env set rewrote the good copy's text"
printenv_has "damaged copy: fw_printenv reads the new value from the written copy" rD2.bin bootdelay=9
cp rD.bin rD3.bin && mkcfg rD3.bin rD3.cfg && fw_setenv -c rD3.cfg bootdelay 9 > /dev/null 2>&1
[ "$(cmp -l rD.bin rD3.bin | awk '$1 <= 4096' | wc -l)" = 0 ] && ok "damaged copy: fw_setenv too leaves the good copy alone (reference)" || bad "damaged copy: fw_setenv changed the good copy"
# the counter goes on from fw_setenv's flag
if [ -f rB_s1.bin ]; then
	w=$(js rB_s1.bin.json "(j['written_offset'], j['new_flag'])")
	[ "$w" = "(0, 3)" ] && ok "redundant (1,2): fwkit writes copy 0 with flag 3" || bad "redundant (1,2): fwkit wrote (offset, flag) = $w, want (0, 3)"
fi

# unset / import / merge / export round trip on a redundant pair whose active copy is copy 2
if edit "redundant: unset" unset rB.bin rBu.bin bumped ipaddr; then
	printenv_lacks "redundant: fw_printenv no longer shows the unset variables" rBu.bin bumped ipaddr
	same_as_printenv "redundant: list --sort == fw_printenv after unset" rBu.bin
fi
if edit "redundant: import" import rB.bin rBi.bin imp.txt; then
	mkcfg rBi.bin rBi.bin.cfg
	fw_printenv -c rBi.bin.cfg > rBi.got 2> /dev/null
	cmp -s imp.want rBi.got && ok "redundant: fw_printenv shows exactly the imported variables" || { bad "redundant: fw_printenv after import"; show_diff imp.want rBi.got; }
	same_as_printenv "redundant: list --sort == fw_printenv after import" rBi.bin
fi
cp rB.bin rBm_ref.bin
mkcfg rBm_ref.bin rBm_ref.cfg
fw_setenv -c rBm_ref.cfg -s merge.txt > /dev/null 2>&1
if edit "redundant: import --merge" import rB.bin rBm.bin merge.txt --merge; then
	mkcfg rBm.bin rBm.bin.cfg
	fw_printenv -c rBm.bin.cfg > rBm.got 2> /dev/null
	fw_printenv -c rBm_ref.cfg > rBm.want 2> /dev/null
	cmp -s rBm.want rBm.got && ok "redundant: import --merge == fw_setenv -s (fw_printenv view)" || { bad "redundant: import --merge differs from fw_setenv -s"; show_diff rBm.want rBm.got; }
fi
fw env export rB.bin > rBexp.txt 2> /dev/null
fw_printenv -c rB.cfg > rBexp.want 2> /dev/null
# no multi-line values here, so the sorted export lines are fw_printenv's lines
sort rBexp.txt > rBexp.sorted
cmp -s rBexp.want rBexp.sorted && ok "redundant: export shows the active copy's variables" || { bad "redundant: export is not the active copy (fw_printenv's view)"; show_diff rBexp.want rBexp.sorted; note "cmd: $FWKIT env export $PWD/rB.bin; $FWKIT env find $PWD/rB.bin"; }
fw env get rB.bin bumped > rBget 2> /dev/null
[ "$(cat rBget)" = yes ] && ok "redundant: env get reads the active copy" || { bad "redundant: env get bumped: '$(cat rBget)', want 'yes' (the active copy 2 has it)"; note "cmd: $FWKIT env get $PWD/rB.bin bumped"; }
if edit "redundant: import of export" import rB.bin rBrt.bin rBexp.txt; then
	mkcfg rBrt.bin rBrt.cfg
	fw_printenv -c rBrt.cfg > rBrt.got 2> /dev/null
	cmp -s rBexp.want rBrt.got && ok "redundant: export -> import keeps fw_printenv's view identical" || { bad "redundant: export -> import changed the variables"; show_diff rBexp.want rBrt.got; }
fi

# =================================================================================================
# 3. fw_setenv writes, fwkit reads
# =================================================================================================

cp s.bin w1.bin
printf '%s 0x0 0x1000\n' "$PWD/w1.bin" > w1.cfg
cp big.bin w2.bin
printf '%s 0x30000 0x1000 0x10000\n' "$PWD/w2.bin" > w2.cfg
cp rA.bin w3.bin
printf '%s 0x0 0x1000\n%s 0x1000 0x1000\n' "$PWD/w3.bin" "$PWD/w3.bin" > w3.cfg
fwsetenv_round() {
	local tag=$1 f=$2 c=$3 i fails=0 why=''
	rm -f "$f.w.diff"
	for i in 1 2 3 4 5; do
		case $i in
			1) fw_setenv -c "$c" k1 v1 ;;
			2) fw_setenv -c "$c" spaced two words here ;;
			3) fw_setenv -c "$c" bootdelay ;;
			4) fw_setenv -c "$c" k1 'changed=again' ;;
			5) fw_setenv -c "$c" zz 'last' ;;
		esac > /dev/null 2>&1 || { why="$why fw_setenv #$i failed;"; fails=$((fails + 1)); continue; }
		fw_printenv -c "$c" > "$f.w.pe" 2> /dev/null
		fw env list "$f" --sort > "$f.w.fl" 2> /dev/null
		cmp -s "$f.w.pe" "$f.w.fl" || { why="$why list differs after #$i;"; fails=$((fails + 1)); [ -e "$f.w.diff" ] || show_diff "$f.w.pe" "$f.w.fl" > "$f.w.diff"; }
		fw env find "$f" > "$f.w.find" 2> /dev/null
		[ -s "$f.w.find" ] && ! grep -v 'CRC ok' "$f.w.find" > /dev/null || { why="$why CRC not ok after #$i;"; fails=$((fails + 1)); }
	done
	if [ $fails -eq 0 ]; then ok "$tag: 5 fw_setenv runs, each time list --sort == fw_printenv and CRC ok"; else
		bad "$tag:$why"; note "cmd: fw_setenv -c $PWD/$c ...; $FWKIT env list $PWD/$f --sort vs fw_printenv -c $PWD/$c"
		[ -e "$f.w.diff" ] && cat "$f.w.diff"; fi
}
fwsetenv_round "fw_setenv single blob" w1.bin w1.cfg
fwsetenv_round "fw_setenv env at 0x30000" w2.bin w2.cfg
only_inside "fw_setenv env at 0x30000: (setup) only the block changed" big.bin w2.bin 0x30000 0x30fff
fwsetenv_round "fw_setenv redundant" w3.bin w3.cfg
# active copy across several fw_setenv runs, and across the 255 -> 0 wrap (flags are outside the CRC)
cp rA.bin w4.bin
printf '%s 0x0 0x1000\n%s 0x1000 0x1000\n' "$PWD/w4.bin" "$PWD/w4.bin" > w4.cfg
for i in 1 2 3; do
	fw_setenv -c w4.cfg round "$i" > /dev/null 2>&1
	active_matches "fw_setenv redundant run $i (flags $(byte w4.bin 4),$(byte w4.bin 0x1004)): find's active copy == fw_printenv's" w4.bin
	[ "$(js w4.bin.find.json "sorted((b['copy'], b['flag']) for b in j['blocks'])")" = "[(0, $(byte w4.bin 4)), (1, $(byte w4.bin 0x1004))]" ] &&
		ok "fw_setenv redundant run $i: find reports copy and flag of both copies" || { bad "fw_setenv redundant run $i: find's copy/flag"; fw env find w4.bin | sed 's/^/#     /'; }
done
cp rA.bin w5.bin
setbyte w5.bin 4 254
setbyte w5.bin 0x1004 253
printf '%s 0x0 0x1000\n%s 0x1000 0x1000\n' "$PWD/w5.bin" "$PWD/w5.bin" > w5.cfg
for i in 1 2 3 4; do
	fw_setenv -c w5.cfg wrap "$i" > /dev/null 2>&1
	active_matches "fw_setenv flag wrap run $i (flags $(byte w5.bin 4),$(byte w5.bin 0x1004)): find's active copy == fw_printenv's" w5.bin
done
# fwkit continues a fw_setenv-made wrapped pair, fw_setenv continues fwkit's
cp w5.bin w6.bin
if edit "wrap: fwkit set on a fw_setenv pair (flags $(byte w5.bin 4),$(byte w5.bin 0x1004))" set w6.bin w7.bin after=fwkit; then
	printenv_has "wrap: fw_printenv reads fwkit's set" w7.bin after=fwkit wrap=4
	mkcfg w7.bin w7.cfg
	fw_setenv -c w7.cfg after2 fw_setenv > /dev/null 2>&1
	fw_printenv -c w7.cfg > w7.pe 2> /dev/null
	fw env list w7.bin --sort > w7.fl 2> /dev/null
	grep -qx after=fwkit w7.pe && grep -qx after2=fw_setenv w7.pe && cmp -s w7.pe w7.fl &&
		ok "wrap: fw_setenv after fwkit keeps fwkit's value, fwkit list agrees" || { bad "wrap: fw_setenv after fwkit"; show_diff w7.pe w7.fl; }
fi

# =================================================================================================
# 4. big-endian CRC
# =================================================================================================

mkenvimage -b -s 0x2000 -o be.bin base.txt
fw env find be.bin --json > be.json 2> /dev/null
[ "$(js be.json "(j['blocks'][0]['crc_byte_order'], j['blocks'][0]['crc_ok'], j['blocks'][0]['size'])")" = "('big', True, 8192)" ] &&
	ok "big-endian: find reports byte order big, CRC ok, size 0x2000" || { bad "big-endian: find"; fw env find be.bin | sed 's/^/#     /'; }
# becrc FILE HDR: "ok" when the stored CRC is big-endian and right for data from HDR on
becrc() { python3 -c '
import sys, zlib, struct
d = open(sys.argv[1], "rb").read(); h = int(sys.argv[2])
c = zlib.crc32(d[h:]) & 0xffffffff
print("ok" if struct.unpack(">I", d[:4])[0] == c else "stored %s, want big-endian %08x" % (d[:4].hex(), c))' "$1" "$2"; }
if edit "big-endian: set" set be.bin be1.bin bootdelay=1 endian=big; then
	r=$(becrc be1.bin 4)
	[ "$r" = ok ] && ok "big-endian: the new CRC is big-endian and correct (python zlib)" || bad "big-endian: $r"
	[ "$(fw env get be1.bin endian 2> /dev/null)" = big ] && ok "big-endian: env get reads the new value" || bad "big-endian: env get endian"
fi
mkenvimage -b -r -s 0x1000 -o ber1.bin base.txt
cat ber1.bin ber1.bin > ber.bin
if edit "big-endian redundant: set" set ber.bin ber2.bin endian=big; then
	w=$(js ber2.bin.json "j['written_offset']")
	dd if=ber2.bin of=ber2.copy bs=4096 skip=$((w / 4096)) count=1 status=none
	r=$(becrc ber2.copy 5)
	[ "$r" = ok ] && ok "big-endian redundant: the written copy's CRC is big-endian and correct" || bad "big-endian redundant: $r"
fi

# =================================================================================================
# 5. the seed scenario
# =================================================================================================

printf 'bootcmd=tftp\nbootdelay=1\nipaddr=192.168.31.1\nserverip=192.168.31.100\nbaudrate=115200\n' > seed_env.txt
printf 'SN=24567/A0ZV12345\ncolor=101\nCountryCode=CN\nmodel=R3G\n' > seed_bdata.txt
mkenvimage -s 0x1000 -o seed_env.bin seed_env.txt
mkenvimage -s 0x4000 -o seed_bdata.bin seed_bdata.txt
python3 - "$FWKIT_TEST_DATA/bootloader/xiaomi-r4a-gigabit-uboot3.bin" << 'EOF'
import sys
d = bytearray(b"\xff" * 0x1000000)
bl = open(sys.argv[1], "rb").read(); d[0:len(bl)] = bl
e = open("seed_env.bin", "rb").read(); d[0x30000:0x30000 + len(e)] = e
b = open("seed_bdata.bin", "rb").read(); d[0x40000:0x40000 + len(b)] = b
open("dump.bin", "wb").write(d)
EOF
fw env find dump.bin --json > dump.json 2> /dev/null
got=$(js dump.json "[(hex(b['offset']), b['kind'], hex(b['size']), b['crc_ok']) for b in j['blocks']]")
want="[('0x30000', 'u-boot', '0x1000', True), ('0x40000', 'xiaomi-bdata', '0x4000', True)]"
[ "$got" = "$want" ] && ok "seed: find reports u-boot 0x30000/0x1000 and xiaomi-bdata 0x40000/0x4000, CRC ok" ||
	{ bad "seed: find: $got"; note "want $want; cmd: $FWKIT env find $PWD/dump.bin"; }
if edit "seed: env set dump bootdelay=5 uart_en=1" set dump.bin new.bin bootdelay=5 uart_en=1; then
	[ "$(stat -c %s new.bin)" = 16777216 ] && ok "seed: NEW has the same size" || bad "seed: NEW size $(stat -c %s new.bin)"
	lo_hi=$(cmp -l dump.bin new.bin | awk 'NR==1{lo=$1-1} {hi=$1-1} END{printf "%d %d", lo, hi}')
	set -- $lo_hi
	[ $# -eq 2 ] && [ "$1" -ge $((0x30000)) ] && [ "$2" -le $((0x30fff)) ] &&
		ok "seed: cmp -l: bytes change only inside 0x30000..0x30fff (0x$(printf %x "$1")..0x$(printf %x "$2"))" ||
		bad "seed: cmp -l: changed range $lo_hi is not inside 0x30000..0x30fff"
	printenv_has "seed: fw_printenv reads bootdelay=5 and uart_en=1" new.bin bootdelay=5 uart_en=1 baudrate=115200
	same_as_printenv "seed: list --sort == fw_printenv" new.bin
	printf '%s 0x40000 0x4000 0x10000\n' "$PWD/new.bin" > bdata.cfg
	fw_printenv -c bdata.cfg > bdata.pe 2> /dev/null
	fw env list new.bin --at 0x40000 --sort > bdata.fl 2> /dev/null
	grep -qx model=R3G bdata.pe && cmp -s bdata.pe bdata.fl && ok "seed: Bdata intact, fwkit list --at 0x40000 == fw_printenv" ||
		{ bad "seed: Bdata list"; show_diff bdata.pe bdata.fl; }
fi

# =================================================================================================
# 6. real env blobs
# =================================================================================================

fw env find "$FWKIT_TEST_DATA/ubootenv/good/xiaomi-r4c-breed-partition.bin" --json > breed.json 2> /dev/null
got=$(js breed.json "[(b['kind'], hex(b['offset'])) for b in j['blocks']]")
[ "$got" = "[('breed', '0x2fffc')]" ] && ok "real: Breed partition: kind breed at 0x2fffc" || bad "real: Breed partition: $got"
fw env find "$FWKIT_TEST_DATA/ubootenv/good/keenetic-r4a100m-ENV.bin" --json > keen.json 2> /dev/null
got=$(js keen.json "[(b['kind'], b['offset'], b['has_crc']) for b in j['blocks']]")
[ "$got" = "[('text-no-crc', 0, False)]" ] && ok "real: Keenetic ENV.bin: kind text-no-crc at 0, no CRC" || bad "real: Keenetic ENV.bin: $got"

echo "# run time: $(($(date +%s) - start)) s"
done_testing
