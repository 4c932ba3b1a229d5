#!/usr/bin/env bash
# bench/tftp.sh: time fwkit's TFTP server (fwkit serve) against atftpd and tftpd-hpa's in.tftpd,
# on loopback, and write the report section "TFTP server".
#
#   bash bench/tftp.sh [OUT.md]     (from anywhere; see bench/README.md)
#
# bench/run.sh calls it (with FWKIT_BENCH_FWKIT set and OUT.md in its scratch folder) and puts the
# section into bench/results/latest.md. Called alone, it builds build/bench itself (unless
# FWKIT_BENCH_FWKIT is set), prints the section on stdout and keeps a copy in
# build/bench/hyperfine/tftp.md; it never touches bench/results/latest.md.
#
# Steps: (a) tools and servers (atftpd from its package; in.tftpd from the tftpd-hpa .deb, fetched
# with `apt-get download` and unpacked, never installed), (b) a 64 MiB pseudo-random file (fixed
# seed), (c) the three servers in the background on 127.0.0.1, one high port each, for the whole
# run, (d) checks: one full fetch per server compared with cmp, and the options each server grants
# per option set, (e) one hyperfine invocation per option set (blksize 1468 / 65464 x windowsize
# 1 / 8 / 64), the servers' client commands side by side, (f) optional: real U-Boot under
# qemu-system-mipsel pulling 8 MiB from fwkit serve and from atftpd, over a tap device in a network
# namespace of its own (lab.md section 3), (g) the Markdown section.
#
# Network: the loopback runs use 127.0.0.1 only. Step (f) makes its own namespace (no route out;
# the server is 192.168.77.1 there, U-Boot 192.168.77.2) and deletes it on exit.
#
# Environment (all optional):
#   FWKIT_BENCH_FWKIT        the fwkit binary to time (default: build build/bench and use its fwkit)
#   FWKIT_BENCH_TFTP_RUNS    hyperfine runs per command as "N NLOSSY" (default "20 3"): NLOSSY for
#                            the loss-bound sets (blksize 65464 with windowsize 8 or 64), N for the rest
#   FWKIT_BENCH_TFTP_PORT    first of the three UDP ports on 127.0.0.1 (default 47069; fwkit,
#                            atftpd, in.tftpd take PORT, PORT+1, PORT+2; each must be free)
#   FWKIT_BENCH_TFTP_UBOOT   timed U-Boot pulls per server in step (f) (default 6; 0 skips step f)
#   FWKIT_BENCH_TFTP_LIMIT   seconds after which one fetch is cut off (default 15; see XFER_LIMIT)
#   FWKIT_BENCH_INTFTPD      an in.tftpd (tftpd-hpa) binary to use instead of finding or fetching one
#
# Exit status: 0; 1 when a check failed or a timed command exited non-zero (the section is still
# written and says so); 2 when it could not run (no hyperfine or atftp client, a failed build,
# fwkit serve would not start).
set -euo pipefail

[[ -n ${FWKIT_BENCH_FWKIT:-} && $FWKIT_BENCH_FWKIT != /* ]] && FWKIT_BENCH_FWKIT=$PWD/$FWKIT_BENCH_FWKIT
[[ -n ${FWKIT_BENCH_INTFTPD:-} && $FWKIT_BENCH_INTFTPD != /* ]] && FWKIT_BENCH_INTFTPD=$PWD/$FWKIT_BENCH_INTFTPD
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=$ROOT/build/bench
OUT=${1:-}
read -r RUNS RUNS_LOSSY <<<"${FWKIT_BENCH_TFTP_RUNS:-20 3}"
PORT0=${FWKIT_BENCH_TFTP_PORT:-47069}
UB_PULLS=${FWKIT_BENCH_TFTP_UBOOT:-6}
HOST=127.0.0.1            # loopback only, never any other address
SIZE=$((64 * 1024 * 1024)) # the timed file
UB_SIZE=$((8 * 1024 * 1024))
# The option sets: "blksize windowsize". in.tftpd (no RFC 7440) only runs the windowsize-1 ones.
SETS=("1468 1" "65464 1" "1468 8" "65464 8" "1468 64" "65464 64")
# The client's retransmission timer (atftp --tftp-timeout, seconds; default 5). Not a TFTP option:
# nothing is negotiated with it. It only matters when a datagram is lost, and it bounds each stall
# of the loss-bound sets to about a second instead of five (see README).
CLIENT_TIMEOUT=1
# coreutils timeout around each client run: a transfer still going after this many seconds is cut
# off (exit 124) and reported as "cut off", a lower bound on its time, instead of holding up the run.
XFER_LIMIT=${FWKIT_BENCH_TFTP_LIMIT:-15}

log() { printf '==> tftp: %s\n' "$*" >&2; }
die() { echo "bench/tftp.sh: $*" >&2; exit 2; }

# ---------------------------------------------------------------- (a) tools and servers
missing=()
for tool in hyperfine atftp python3 cmp timeout ss; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
	echo "bench/tftp.sh: missing tools: ${missing[*]}" >&2
	echo "  install them with:  apt-get install hyperfine atftp atftpd   (ss: iproute2, cmp: diffutils)" >&2
	exit 2
fi

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

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwkit-bench-tftp.XXXXXX")
JSON_DIR=$BUILD/hyperfine
mkdir -p "$JSON_DIR"
NOTES=$WORK/notes.tsv # server <TAB> what happened (skips, versions): read by (g)
: >"$NOTES"
note() { printf '%s\t%s\n' "$1" "$2" >>"$NOTES"; }

# Everything started here is ended here, by its own PID; the namespace of step (f) likewise.
PIDS=()
NETNS=
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	[[ -n $NETNS ]] && ip netns del "$NETNS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

# atftpd comes from its Debian package. The package also installs /usr/sbin/in.tftpd as a link to
# atftpd, so "in.tftpd" on the PATH is not necessarily tftpd-hpa: -V tells them apart.
ATFTPD=$(command -v atftpd || true)
[[ -x $ATFTPD ]] || ATFTPD=
if [[ -z $ATFTPD ]]; then
	log "atftpd not found: skipped (apt-get install atftpd)"
	note atftpd "not run: atftpd is not installed (\`apt-get install atftpd\`)"
fi

is_hpa() { [[ -x $1 ]] && "$1" -V 2>&1 | grep -q 'tftp-hpa'; }
INTFTPD=
HPA_CACHE=$BUILD/tftpd-hpa # the unpacked .deb (not committed); fetched again if missing
if [[ -n ${FWKIT_BENCH_INTFTPD:-} ]]; then
	is_hpa "$FWKIT_BENCH_INTFTPD" && INTFTPD=$FWKIT_BENCH_INTFTPD
elif sys=$(command -v in.tftpd) && is_hpa "$sys"; then
	INTFTPD=$sys
elif is_hpa "$HPA_CACHE/usr/sbin/in.tftpd"; then
	INTFTPD=$HPA_CACHE/usr/sbin/in.tftpd
elif command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1; then
	# Not installed (it conflicts with atftpd, lab.md section 0): download the .deb into a temp
	# folder and unpack it under build/bench/tftpd-hpa. Nothing is installed.
	log "in.tftpd (tftpd-hpa) not installed: apt-get download tftpd-hpa, unpacked into build/bench/tftpd-hpa"
	# (As root, apt warns that the download is "performed unsandboxed": harmless.)
	dl=$WORK/deb
	mkdir -p "$dl"
	if (cd "$dl" && apt-get download tftpd-hpa) >"$WORK/apt-download.log" 2>&1 &&
		deb=$(ls "$dl"/tftpd-hpa_*.deb 2>/dev/null | head -n1) && [[ -n $deb ]]; then
		rm -rf "$HPA_CACHE"
		mkdir -p "$HPA_CACHE"
		dpkg-deb -x "$deb" "$HPA_CACHE" && cp "$deb" "$HPA_CACHE/" || true
	fi
	is_hpa "$HPA_CACHE/usr/sbin/in.tftpd" && INTFTPD=$HPA_CACHE/usr/sbin/in.tftpd
fi
if [[ -z $INTFTPD ]]; then
	log "in.tftpd (tftpd-hpa) not available: skipped"
	if [[ -n ${FWKIT_BENCH_INTFTPD:-} ]]; then
		note in.tftpd "not run: FWKIT_BENCH_INTFTPD=$FWKIT_BENCH_INTFTPD is not a tftpd-hpa in.tftpd (\`-V\` does not say tftp-hpa)"
	else
		note in.tftpd "not run: tftpd-hpa is not installed, and \`apt-get download tftpd-hpa\` + \`dpkg-deb -x\` did not give an in.tftpd"
	fi
fi

# ---------------------------------------------------------------- (b) the file
# World-readable folder and file: atftpd and in.tftpd switch to nobody, and so does fwkit serve
# (its --user default) when started as root.
SRV=$WORK/srv
mkdir -p "$SRV"
chmod 755 "$WORK" "$SRV"
log "writing the 64 MiB pseudo-random file"
python3 - "$SRV" "$SIZE" "$UB_SIZE" <<'PY'
import random, sys
srv, size, ub = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = random.Random(0x7F7BE4C4).randbytes(size)
open(srv + "/f64.bin", "wb").write(data)
open(srv + "/f8.bin", "wb").write(data[:ub])       # step (f)
open(srv + "/small.bin", "wb").write(data[:5000])  # the option checks
PY
chmod 644 "$SRV"/*

# ---------------------------------------------------------------- (c) the servers
port_free() { [[ -z $(ss -Hlun "sport = :$1" 2>/dev/null) ]]; }
for p in "$PORT0" $((PORT0 + 1)) $((PORT0 + 2)); do
	port_free "$p" || die "UDP port $p is taken (set FWKIT_BENCH_TFTP_PORT to another first port)"
done
NAMES=() PORTS=() # the servers that are up, in table order
start_server() {  # name port command...
	local name=$1 port=$2
	shift 2
	"$@" >"$WORK/$name.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	local i
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		port_free "$port" || { NAMES+=("$name"); PORTS+=("$port"); return 0; }
		sleep 0.1
	done
	log "$name did not start on $HOST:$port: $(head -c 300 "$WORK/$name.log")"
	note "$name" "not run: it did not start on $HOST:$port ($(head -n1 "$WORK/$name.log"))"
	return 1
}
log "starting the servers on $HOST:$PORT0..$((PORT0 + 2)) (fwkit serve, atftpd, in.tftpd; a skipped one leaves its port unused)"
start_server fwkit "$PORT0" "$FWKIT" serve "$SRV" --bind "$HOST:$PORT0" ||
	die "fwkit serve did not start: $(cat "$WORK/fwkit.log")"
[[ -n $ATFTPD ]] && { start_server atftpd $((PORT0 + 1)) "$ATFTPD" --daemon --no-fork \
	--bind-address "$HOST" --port $((PORT0 + 1)) --logfile /dev/null "$SRV" || true; }
[[ -n $INTFTPD ]] && { start_server in.tftpd $((PORT0 + 2)) "$INTFTPD" -L -s "$SRV" \
	--address "$HOST:$((PORT0 + 2))" || true; }
port_of() {
	local i
	for i in "${!NAMES[@]}"; do
		[[ ${NAMES[$i]} == "$1" ]] && echo "${PORTS[$i]}"
	done
	return 0
}

client() { # port blksize windowsize [extra atftp args]: the client command, as hyperfine runs it
	local port=$1 bs=$2 ws=$3
	shift 3
	echo "timeout $XFER_LIMIT atftp --tftp-timeout $CLIENT_TIMEOUT --option \"blksize $bs\" --option \"windowsize $ws\" $* 127.0.0.1 $port"
}

# ---------------------------------------------------------------- (d) checks
# One full fetch per server (blksize 1468, windowsize 1, the set all three run), compared with the
# original; then, per option set and server, what the server grants: the OACK that atftp --trace
# shows on a 5000-byte file.
CHECKS=$WORK/checks.tsv # server <TAB> ok|FAIL <TAB> detail
OACKS=$WORK/oacks.tsv   # server <TAB> blksize <TAB> windowsize <TAB> OACK contents (or "none")
: >"$CHECKS"
: >"$OACKS"
fail=0
for name in "${NAMES[@]}"; do
	port=$(port_of "$name")
	log "checking $name: full fetch and cmp"
	rc=0
	eval "$(client "$port" 1468 1 -g -r f64.bin -l "$WORK/fetched.bin")" >"$WORK/$name.fetch.log" 2>&1 || rc=$?
	if ((rc == 0)) && cmp -s "$WORK/fetched.bin" "$SRV/f64.bin"; then
		printf '%s\tok\tidentical (%s bytes)\n' "$name" "$SIZE" >>"$CHECKS"
	else
		got=$(stat -c %s "$WORK/fetched.bin" 2>/dev/null || echo 0)
		printf '%s\tFAIL\tclient exit %s, %s bytes fetched, %s\n' "$name" "$rc" "$got" \
			"$(cmp "$WORK/fetched.bin" "$SRV/f64.bin" 2>&1 | head -n1 | sed "s|$WORK/||g")" >>"$CHECKS"
		fail=1
	fi
	rm -f "$WORK/fetched.bin"
	for set in "${SETS[@]}"; do
		read -r bs ws <<<"$set"
		oack=$(eval "$(client "$port" "$bs" "$ws" --trace -g -r small.bin -l /dev/null)" 2>&1 |
			sed -n 's/^received OACK <\(.*\)>$/\1/p' | head -n1 || true)
		printf '%s\t%s\t%s\t%s\n' "$name" "$bs" "$ws" "${oack:-none}" >>"$OACKS"
	done
done

# ---------------------------------------------------------------- (e) hyperfine
# One invocation per option set, the servers' client commands side by side (-N: no shell; the
# quoted --option arguments are split as a shell would). -i: a failing transfer does not abort the
# run; its exit code is in the JSON and the section flags it. fwkit's log offset before and after
# each set lets (g) count fwkit's retransmissions per set.
# Flush the page cache's dirty pages first (the 64 MiB file and the checks' fetched copies): their
# write-back otherwise lands in the first set's first command and slows a few of its runs ~10x.
sync
sleep 1
T_LOAD=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
SETS_TSV=$WORK/sets.tsv # blksize <TAB> windowsize <TAB> runs <TAB> json <TAB> fwkit log start <TAB> end
: >"$SETS_TSV"
for set in "${SETS[@]}"; do
	read -r bs ws <<<"$set"
	runs=$RUNS
	((bs == 65464 && ws > 1)) && runs=$RUNS_LOSSY
	args=()
	for name in "${NAMES[@]}"; do
		[[ $name == in.tftpd && $ws != 1 ]] && continue # no windowsize support
		args+=(-n "$name" "$(client "$(port_of "$name")" "$bs" "$ws" -g -r f64.bin -l /dev/null)")
	done
	json=$JSON_DIR/tftp-$bs-$ws.json
	log "hyperfine: blksize $bs, windowsize $ws ($runs runs)"
	off0=$(stat -c %s "$WORK/fwkit.log")
	hyperfine -N -i --warmup 1 --runs "$runs" --style basic --export-json "$json" "${args[@]}" \
		>"$JSON_DIR/tftp-$bs-$ws.txt" 2>&1 || {
		cat "$JSON_DIR/tftp-$bs-$ws.txt" >&2
		die "hyperfine failed on blksize $bs windowsize $ws"
	}
	sleep 0.2 # let fwkit's last "done" line reach its log
	off1=$(stat -c %s "$WORK/fwkit.log")
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$bs" "$ws" "$runs" "$json" "$off0" "$off1" >>"$SETS_TSV"
done
cp "$WORK/fwkit.log" "$JSON_DIR/tftp-fwkit-serve.log"

# Stop the loopback servers now: step (f) needs the CPU, and they are done.
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
PIDS=()

# ---------------------------------------------------------------- (f) U-Boot (optional)
# lab.md sections 1 and 3: Debian's maltael U-Boot under qemu-system-mipsel, its pcnet NIC on a tap
# device inside a namespace made here (no route out), the server at 192.168.77.1:69 in that
# namespace. One U-Boot session per server: one warm-up pull (ARP), then UB_PULLS timed pulls of
# the 8 MiB file, each followed by crc32. U-Boot's defaults otherwise: blksize 1468, windowsize 1.
UB=$WORK/uboot.tsv # server <TAB> pull <TAB> ms   (pull 0 is the warm-up)
: >"$UB"
ub_skip() { note uboot "$1"; log "U-Boot step skipped: $1"; }
uboot_step() {
	local need=() t
	for t in ip qemu-system-mipsel expect objcopy mkenvimage; do
		command -v "$t" >/dev/null 2>&1 || need+=("$t")
	done
	((${#need[@]})) && { ub_skip "not run: missing ${need[*]} (apt-get install qemu-system-mips u-boot-qemu expect)"; return; }
	[[ -r /usr/lib/u-boot/maltael/u-boot.bin ]] || { ub_skip "not run: no /usr/lib/u-boot/maltael/u-boot.bin (apt-get install u-boot-qemu)"; return; }
	((EUID == 0)) && [[ -c /dev/net/tun ]] || { ub_skip "not run: needs root and /dev/net/tun (a network namespace and a tap device)"; return; }
	[[ -n $ATFTPD ]] || { ub_skip "not run: atftpd is not installed"; return; }

	local ub=$WORK/uboot
	mkdir -p "$ub"
	objcopy -I binary -O binary --reverse-bytes=4 /usr/lib/u-boot/maltael/u-boot.bin "$ub/u-boot-swap.bin"
	printf 'fdtcontroladdr=8ff6fae0\nbootdelay=1\nipaddr=192.168.77.2\nserverip=192.168.77.1\ntftptimeout=1000\n' >"$ub/env.txt"
	mkenvimage -s 0x20000 -o "$ub/env.bin" "$ub/env.txt"
	head -c 4194304 /dev/zero | tr '\0' '\377' >"$ub/flash.bin"
	dd if="$ub/u-boot-swap.bin" of="$ub/flash.bin" conv=notrunc status=none
	dd if="$ub/env.bin" of="$ub/flash.bin" bs=64k seek=62 conv=notrunc status=none # 0x3E0000
	cat >"$ub/pull.exp" <<'EXP'
#!/usr/bin/expect -f
# usage: pull.exp FLASH FILE N   (QEMU network args in env UBNET); prints "UBTIME i ms" per pull
set timeout 60
lassign $argv flash file n
eval spawn -noecho qemu-system-mipsel -M malta -m 256 -display none -vga none \
    -monitor none -serial stdio -no-reboot -global pcnet.romfile= \
    -drive if=pflash,format=raw,file=$flash,readonly=on $env(UBNET)
proc prompt {what} {
    expect {
        "maltael # " {}
        timeout { puts "\nUBEXP: timeout ($what)"; exit 2 }
        eof     { puts "\nUBEXP: qemu exited ($what)"; exit 4 }
    }
}
prompt boot
send -- "setenv ipaddr 192.168.77.2; setenv serverip 192.168.77.1; setenv tftptimeout 1000\r"
prompt setenv
for {set i 0} {$i <= $n} {incr i} {
    set t0 [clock milliseconds]
    send -- "tftpboot 0x81000000 $file\r"
    prompt tftpboot
    set t1 [clock milliseconds]
    puts "\nUBTIME $i [expr {$t1 - $t0}]"
    send -- "crc32 \${fileaddr} \${filesize}\r"
    prompt crc32
}
send -- "reset\r"
expect eof
puts "\nUBEXP: done"
exit 0
EXP
	NETNS=fwkit-bench-tftp-$$
	if ip netns list | grep -qw -- "$NETNS"; then
		NETNS=
		ub_skip "not run: a namespace named fwkit-bench-tftp-$$ already exists (not ours: left alone)"
		return
	fi
	ip netns add "$NETNS" || { NETNS=; ub_skip "not run: ip netns add failed"; return; }
	ip -n "$NETNS" link set lo up
	ip -n "$NETNS" tuntap add dev tap0 mode tap
	ip -n "$NETNS" addr add 192.168.77.1/24 dev tap0
	ip -n "$NETNS" link set tap0 up
	ip netns exec "$NETNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 || true
	local crc name rc pid i
	crc=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$SRV/f8.bin")
	echo "$crc" >"$ub/crc"
	for name in fwkit atftpd; do
		log "U-Boot: $((UB_PULLS + 1)) pulls of 8 MiB from $name in namespace $NETNS"
		if [[ $name == fwkit ]]; then
			ip netns exec "$NETNS" "$FWKIT" serve "$SRV" --bind 192.168.77.1:69 >"$ub/$name.srv.log" 2>&1 &
		else
			ip netns exec "$NETNS" "$ATFTPD" --daemon --no-fork --bind-address 192.168.77.1 --port 69 \
				--logfile - -v6 "$SRV" >"$ub/$name.srv.log" 2>&1 &
		fi
		pid=$!
		PIDS+=("$pid")
		for i in $(seq 50); do
			[[ -n $(ip netns exec "$NETNS" ss -Hlun 'sport = :69') ]] && break
			sleep 0.1
		done
		rc=0
		UBNET="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -net nic,model=pcnet,netdev=n0" \
			timeout 300 ip netns exec "$NETNS" expect -f "$ub/pull.exp" "$ub/flash.bin" f8.bin "$UB_PULLS" \
			>"$ub/$name.log" 2>&1 || rc=$?
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		PIDS=()
		tr -d '\r' <"$ub/$name.log" | sed -n 's/^UBTIME \([0-9]*\) \([0-9]*\)$/\1\t\2/p' |
			sed "s/^/$name\t/" >>"$UB"
		local pulls crcs bytes
		pulls=$(tr -d '\r' <"$ub/$name.log" | grep -c '^UBTIME ' || true)
		crcs=$(grep -c -- "==> $crc" "$ub/$name.log" || true)
		bytes=$(grep -c "Bytes transferred = $UB_SIZE " "$ub/$name.log" || true)
		if ((rc == 0 && pulls == UB_PULLS + 1 && crcs == pulls && bytes == pulls)); then
			printf 'uboot-%s\tok\t%s pulls, %s bytes each, CRC32 %s each time\n' "$name" "$pulls" "$UB_SIZE" "$crc" >>"$CHECKS"
		else
			printf 'uboot-%s\tFAIL\texpect exit %s, %s pulls timed, %s with the right size, %s with the right CRC32\n' \
				"$name" "$rc" "$pulls" "$bytes" "$crcs" >>"$CHECKS"
			fail=1
		fi
		cp "$ub/$name.log" "$JSON_DIR/tftp-uboot-$name.log"
		cp "$ub/$name.srv.log" "$JSON_DIR/tftp-uboot-$name-server.log"
	done
	# U-Boot's own view of the options: the first request each server logged.
	grep -m1 'options asked' "$ub/fwkit.srv.log" >"$ub/fwkit.rrq" 2>/dev/null || true
	ip netns del "$NETNS" || true
	NETNS=
}
if ((UB_PULLS > 0)); then
	uboot_step
else
	note uboot "not run (FWKIT_BENCH_TFTP_UBOOT=0)"
fi

# ---------------------------------------------------------------- (g) the section
T_ATFTPD=$(dpkg-query -W -f '${Package} ${Version}' atftpd 2>/dev/null || echo atftpd)
T_ATFTP=$(dpkg-query -W -f '${Package} ${Version}' atftp 2>/dev/null || echo atftp)
T_HPA=
if [[ -n $INTFTPD ]]; then
	T_HPA=$("$INTFTPD" -V 2>&1 | head -n1 || true)
	deb=$(ls "$(dirname "$(dirname "$(dirname "$INTFTPD")")")"/tftpd-hpa_*.deb 2>/dev/null | head -n1 || true)
	[[ -n $deb ]] && T_HPA="$T_HPA (from $(basename "$deb"), unpacked, not installed)"
fi
T_FWKIT=$("$FWKIT" --version 2>&1 | head -n1 || true)
T_RMEM=$(cat /proc/sys/net/core/rmem_default 2>/dev/null || echo '?')
export T_LOAD T_ATFTPD T_ATFTP T_HPA T_FWKIT T_RMEM HOST CLIENT_TIMEOUT XFER_LIMIT UB_PULLS RUNS RUNS_LOSSY PORT0
py_rc=0
python3 - "$WORK" "$SETS_TSV" "$CHECKS" "$OACKS" "$NOTES" "$UB" "$SIZE" "$UB_SIZE" >"$WORK/section.md" <<'PY' || py_rc=$?
import hashlib, json, math, os, re, statistics, sys

work, sets_path, checks_path, oacks_path, notes_path, ub_path = sys.argv[1:7]
size, ub_size = int(sys.argv[7]), int(sys.argv[8])
env = os.environ
MIB = 1024 * 1024
SERVERS = ["fwkit", "atftpd", "in.tftpd"]

def rows(path):
    return [l.rstrip("\n").split("\t") for l in open(path) if l.strip()]

sets = rows(sets_path)
checks = {r[0]: (r[1], r[2]) for r in rows(checks_path)}
oacks = {(r[0], r[1], r[2]): r[3] for r in rows(oacks_path)}
notes = {}
for r in rows(notes_path):
    notes.setdefault(r[0], []).append(r[1])
fwlog = open(os.path.join(work, "fwkit.log"), "rb").read()

def ms(r):
    return "%.1f ± %.1f" % (r["mean"] * 1e3, (r.get("stddev") or 0.0) * 1e3)

def retrans(off0, off1):
    """fwkit's own count, from its log: (transfers, retransmissions, transfers that did not finish)."""
    n = t = failed = 0
    for line in fwlog[int(off0):int(off1)].decode("utf-8", "replace").splitlines():
        m = re.search(r'(done|FAILED) "f64\.bin": .* (\d+) retransmissions', line)
        if m:
            n += 1
            t += int(m.group(2))
            failed += m.group(1) == "FAILED"
    return n, t, failed

def granted(oack):
    if oack == "none":
        return "no OACK"
    kv = dict(re.findall(r"(\w+): (\w+)", oack))
    return ", ".join("%s %s" % (k, kv[k]) for k in ("blksize", "windowsize") if k in kv) or oack

results, failures, present = [], [], []
for bs, ws, runs, jpath, off0, off1 in sets:
    res = {r["command"]: r for r in json.load(open(jpath))["results"]}
    for name, r in res.items():
        if name not in present:
            present.append(name)
        bad = sorted({c for c in r.get("exit_codes", []) if c not in (0, 124)})
        if bad:
            failures.append("blksize %s windowsize %s: `%s` client exited %s" % (bs, ws, name, ", ".join(map(str, bad))))
    results.append((int(bs), int(ws), int(runs), res, retrans(off0, off1)))
present = [s for s in SERVERS if s in present]

L = []
L.append("## TFTP server: fwkit serve against atftpd and tftpd-hpa's in.tftpd")
L.append("")
L.append("Servers: fwkit serve (%s; `fwkit serve DIR --bind %s:PORT`), atftpd (%s; `atftpd --daemon --no-fork "
         "--bind-address %s --port PORT --logfile /dev/null DIR`) and tftpd-hpa's in.tftpd (%s; `in.tftpd -L -s DIR "
         "--address %s:PORT`). Client: %s. The three servers run in the background on %s, one port each (%s, %s, %s), "
         "for the whole run (a server that was not run leaves its port unused), serving the same folder; each switches to `nobody` after binding." % (
             env["T_FWKIT"], env["HOST"], env["T_ATFTPD"], env["HOST"], env["T_HPA"] or "not run", env["HOST"],
             env["T_ATFTP"], env["HOST"], env["PORT0"], int(env["PORT0"]) + 1, int(env["PORT0"]) + 2))
L.append("")
L.append("The file: 64 MiB (67,108,864 bytes) of pseudo-random bytes (Python `random`, seed 0x7F7BE4C4; sha256 `%s`). "
         "Each timed command is one whole client process fetching it to /dev/null: `timeout %s atftp --tftp-timeout %s "
         "--option \"blksize B\" --option \"windowsize W\" -g -r f64.bin -l /dev/null %s PORT`. "
         "`hyperfine -N -i --warmup 1`, one invocation per option set with the servers' commands side by side; "
         "%s runs per command (%s for the two loss-bound sets, blksize 65464 with windowsize 8 or 64). "
         "MiB/s = 64 MiB / mean wall time of the client process (start-up and the request included). "
         "A ratio above 1 means fwkit took less time than the other server; below 1, more. "
         "Load average (1, 5, 15 min) when the timing began: %s." % (
             hashlib.sha256(open(os.path.join(work, "srv", "f64.bin"), "rb").read()).hexdigest()[:16],
             env["XFER_LIMIT"], env["CLIENT_TIMEOUT"], env["HOST"], env["RUNS"], env["RUNS_LOSSY"], env["T_LOAD"]))
L.append("")
for name in SERVERS + ["uboot"]:
    for n in notes.get(name, []):
        L.append("- **%s**: %s" % (name if name != "uboot" else "U-Boot pull", n))
if any(notes.values()):
    L.append("")
L.append("tftpd-hpa has no windowsize (RFC 7440) support, so in.tftpd runs only the windowsize-1 sets; "
         "asked for a window it answers with an OACK that leaves windowsize out and sends lock-step.")
L.append("")
L.append("### Checks (before timing)")
L.append("")
for name in present + [s for s in SERVERS if s in checks and s not in present]:
    st, detail = checks.get(name, ("FAIL", "not checked"))
    L.append("- %s: full fetch (blksize 1468, windowsize 1) compared with `cmp`: %s" % (
        name, "**identical** (%s bytes)" % f"{size:,}" if st == "ok" else "**FAILED**: " + detail))
L.append("")
L.append("Options granted (the OACK each server sent, per option set asked, from `atftp --trace` on a 5,000-byte file):")
L.append("")
hdr = [s for s in SERVERS if any(k[0] == s for k in oacks)]
L.append("| asked | " + " | ".join(hdr) + " |")
L.append("| --- | " + " | ".join("---" for _ in hdr) + " |")
for bs, ws, runs, res, rt in results:
    L.append("| blksize %d, windowsize %d | %s |" % (bs, ws, " | ".join(
        granted(oacks.get((s, str(bs), str(ws)), "none")) for s in hdr)))
L.append("")
L.append("### Loopback: 64 MiB, mean time per fetch")
L.append("")
L.append("| blksize | windowsize | runs | fwkit (ms) | fwkit MiB/s | atftpd (ms) | atftpd MiB/s | in.tftpd (ms) | in.tftpd MiB/s | atftpd / fwkit | in.tftpd / fwkit | fwkit retransmissions |")
L.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
LIMIT = float(env["XFER_LIMIT"])

def cut(r):
    """How many of the command's runs (warm-up not included) were cut off by the time limit."""
    return sum(1 for c in r.get("exit_codes", []) if c == 124)

ratios = {"atftpd": [], "in.tftpd": []}
cutoffs = []
for bs, ws, runs, res, (nx, rt, nfail) in results:
    lossy = bs == 65464 and ws > 1
    cells = []
    for s in SERVERS:
        if s in res:
            r, k = res[s], cut(res[s])
            if k:
                # a cut-off run counts as LIMIT seconds: the mean is then a lower bound
                cells += ["≥ %s (%d of %d cut off at %d s)" % (ms(r), k, len(r["times"]), LIMIT),
                          "≤ %.1f" % (size / MIB / r["mean"])]
                cutoffs.append("blksize %d windowsize %d: %s, %d of %d runs" % (bs, ws, s, k, len(r["times"])))
            else:
                cells += [ms(r), "%.0f" % (size / MIB / r["mean"])]
        elif s == "in.tftpd" and ws != 1 and "in.tftpd" in present:
            cells += ["n/a (no windowsize)", ""]
        else:
            cells += ["not run", ""]
    rs = []
    for s in ("atftpd", "in.tftpd"):
        if s in res and "fwkit" in res:
            r = res[s]["mean"] / res["fwkit"]["mean"]
            kf, ko = cut(res["fwkit"]), cut(res[s])
            if kf and ko:
                rs.append("?")
            else:
                rs.append("**%s%.2f**" % ("≤ " if kf else "≥ " if ko else "", r))
            if not lossy and not kf and not ko:
                ratios[s].append(r)
        else:
            rs.append("")
    L.append("| %d | %d | %d | %s | %s | %s | %s |" % (bs, ws, runs, " | ".join(cells), rs[0], rs[1],
             "%d in %d transfers%s" % (rt, nx, ", %d not finished" % nfail if nfail else "")))
L.append("")
def gm(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs))
parts = []
if ratios["atftpd"]:
    parts.append("atftpd / fwkit **%.2f** over %d sets" % (gm(ratios["atftpd"]), len(ratios["atftpd"])))
if ratios["in.tftpd"]:
    parts.append("in.tftpd / fwkit **%.2f** over %d sets" % (gm(ratios["in.tftpd"]), len(ratios["in.tftpd"])))
if parts:
    L.append("Geometric mean of the ratios over the sets not bound by loss (all but blksize 65464 with windowsize 8 "
             "or 64; sets with a cut-off run left out too): " + "; ".join(parts) + ".")
    L.append("")
if cutoffs:
    L.append("**Cut off** (the fetch was still running after %d s and `timeout` ended the client, exit 124): %s. "
             "A cut-off run counts as %d s in its mean, so that mean is a lower bound, its MiB/s an upper bound, "
             "and the ratio a bound (≤: fwkit was at least that much slower). fwkit's own log says how far such a "
             "transfer had got (`build/bench/hyperfine/tftp-fwkit-serve.log`, `FAILED` lines)." % (
                 LIMIT, "; ".join(cutoffs), LIMIT))
    L.append("")
L.append("fwkit retransmissions: what `fwkit serve` logged for the set's transfers (warm-up included); "
         "the other servers were not asked. Loopback loses nothing by itself: a loss means the client's "
         "UDP receive buffer (net.core.rmem_default = %s bytes here; atftp does not enlarge it) overflowed. "
         "With blksize 65464 a window of 8 or 64 blocks (0.5 or 4 MiB) cannot fit in it, so those two sets "
         "lose datagrams on every run whatever the server, and their times are made of stalls of about a "
         "second (atftp's --tftp-timeout %s, then the server's own 1 s timer) whose number varies from run to run: "
         "there the means and ratios say how each server recovers from loss, not how fast it sends, "
         "and they move a lot between runs." % (env["T_RMEM"], env["CLIENT_TIMEOUT"]))
L.append("")
if failures:
    L.append("**Commands that exited non-zero** (their times are of a failing run):")
    L.append("")
    L += ["- " + x for x in failures]
    L.append("")

ub = rows(ub_path)
if ub:
    L.append("### U-Boot pulling 8 MiB over a tap device (QEMU), fwkit serve against atftpd")
    L.append("")
    L.append("Debian's U-Boot 2023.01 (`maltael`) under `qemu-system-mipsel -M malta`, its pcnet NIC on a tap device "
             "in a network namespace made for the run (no route out, deleted at the end); the server at "
             "192.168.77.1:69 in that namespace, U-Boot at 192.168.77.2 (recipe: reference lab.md section 3). "
             "`tftptimeout 1000` and U-Boot's default options (it asks blksize 1468 and timeout 1, no windowsize: lock-step). "
             "One U-Boot session per server: "
             "one warm-up pull (it also resolves ARP), then %s timed `tftpboot 0x81000000 f8.bin` (the first 8 MiB "
             "of the same file), each checked with `crc32`. Time = from sending the command to U-Boot's prompt, "
             "measured by the expect driver." % env["UB_PULLS"])
    L.append("")
    t = {}
    for name, i, v in ub:
        if int(i) > 0:
            t.setdefault(name, []).append(int(v) / 1e3)
    def resent(name):
        """The server's own count over all its pulls (warm-up included), from its log."""
        p = os.path.join(work, "uboot", name + ".srv.log")
        if not os.path.exists(p):
            return "?"
        text = open(p, errors="replace").read()
        if name == "fwkit":
            return str(sum(int(x) for x in re.findall(r'done "f8\.bin": .* (\d+) retransmissions', text)))
        return str(len(re.findall(r"timeout block \d+: retrying", text)))
    L.append("| server | pulls | mean (s) | min … max (s) | MiB/s | server timeouts | check |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    for name in ("fwkit", "atftpd"):
        xs = t.get(name, [])
        st, detail = checks.get("uboot-" + name, ("FAIL", "no result"))
        if xs:
            sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
            L.append("| %s | %d | %.2f ± %.2f | %.2f … %.2f | %.1f | %s | %s |" % (
                name, len(xs), statistics.mean(xs), sd, min(xs), max(xs), ub_size / MIB / statistics.mean(xs),
                resent(name), "ok: " + detail if st == "ok" else "**FAILED**: " + detail))
        else:
            L.append("| %s | 0 | | | | %s | %s |" % (name, resent(name), "**FAILED**: " + detail))
    L.append("")
    L.append("Server timeouts: how often the server's 1 s timer fired and it resent (fwkit: retransmissions in its "
             "`done` lines; atftpd: its `timeout block N: retrying` lines at `-v6`), over all pulls including the "
             "warm-up. With windowsize 1 each one is a lost frame (DATA or ACK) and about a second of the pull.")
    L.append("")
    if t.get("fwkit") and t.get("atftpd"):
        L.append("Ratio atftpd / fwkit (mean pull time): **%.2f**. QEMU's pcnet loses a frame now and then and each "
                 "loss costs about a second (the 1 s timeout), while a pull without loss takes about 0.35 s, so a "
                 "pull's time is mostly its count of losses; with %s pulls per server, read this ratio together with "
                 "the timeout counts." % (
                     statistics.mean(t["atftpd"]) / statistics.mean(t["fwkit"]), env["UB_PULLS"]))
        L.append("")
    rrq = os.path.join(work, "uboot", "fwkit.rrq")
    if os.path.exists(rrq) and open(rrq).read().strip():
        L.append("U-Boot's request, as fwkit logged it: `%s`" % re.sub(r"^\S+ ", "", open(rrq).read().strip()))
        L.append("")
print("\n".join(L).rstrip("\n"))
if failures:
    sys.exit(3)
PY
case $py_rc in
0) ;;
3) fail=1 ;;
*) die "writing the section failed (python exit $py_rc)" ;;
esac
grep -q $'\tFAIL\t' "$CHECKS" && fail=1

if [[ -n $OUT ]]; then
	cp "$WORK/section.md" "$OUT"
else
	cp "$WORK/section.md" "$JSON_DIR/tftp.md"
	cat "$WORK/section.md"
fi
if ((fail)); then
	echo "bench/tftp.sh: a check failed or a timed command exited non-zero (see the section)" >&2
	exit 1
fi
