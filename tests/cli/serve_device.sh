#!/bin/bash
# fwkit serve --device: what the recovery path expects comes from the device profile, the
# address check names the exact command, and bad images are refused before serving.
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
# Servers here are stopped by signals. Under ASan, LeakSanitizer's exit-time scan of a process
# ended that way can hang (seen once in CI: the process spun under LSan's tracer until killed),
# so leak detection is off for this script; the unit tests and other CLI tests keep it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
head -c 5000 /dev/urandom > img.bin
# random bytes are no image: --force serves them anyway (the banner is what is tested here)
timeout -k 5 3 "$FWKIT" serve img.bin --device xiaomi_mi-router-4a-gigabit --force --bind 127.0.0.1:0 --user root > out.txt 2>&1
check device-name grep -q '^device:       Xiaomi Mi Router 4A Gigabit Edition (xiaomi_mi-router-4a-gigabit)$' out.txt
check device-addresses grep -q '^addresses:    this computer 192.168.31.100/24, the device 192.168.31.1$' out.txt
check device-any-name grep -q '^file name:    whatever the bootloader asks for' out.txt
check device-limit grep -q 'holds at most 15204352 bytes' out.txt
if ip -4 addr | grep -q ' 192\.168\.31\.100/'; then
	check device-address-present grep -q '^check:        ok' out.txt
else
	check device-address-command grep -qE '^ +ip addr add 192\.168\.31\.100/24 dev ' out.txt
fi
check device-listens grep -q '^listening on 127.0.0.1:' out.txt
"$FWKIT" serve img.bin --device no_such-device > /dev/null 2> err.txt
check unknown-device-exit-2 test $? = 2
check unknown-device-lists grep -q 'unbranded_a5-v11' err.txt
# a damaged uImage is refused before serving (exit 1), served with --force
printf 'payload' > p
"$FWKIT" uimage create -A mips -T kernel -C none -d p good.img > /dev/null
cp good.img bad.img
printf 'X' | dd of=bad.img bs=1 seek=66 conv=notrunc status=none
"$FWKIT" serve bad.img --bind 127.0.0.1:0 --user root > /dev/null 2> err.txt
check bad-image-refused test $? = 1
check bad-image-says-why grep -q 'refusing to serve: bad.img: offset 0x18: bad data CRC' err.txt
timeout -k 5 2 "$FWKIT" serve bad.img --force --bind 127.0.0.1:0 --user root > out.txt 2> err.txt
check forced-serves grep -q '^listening on' out.txt
check forced-warns grep -q 'serving anyway (--force)' err.txt
# port 69 without privileges says how to get them (as nobody, when run as root)
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	nob=$(mktemp -d /tmp/fwkit-serve.XXXXXX)
	chmod 755 "$nob"
	cp "$FWKIT" "$nob/fwkit"
	cp good.img "$nob/good.img"
	chmod 644 "$nob/good.img"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$nob/fwkit" serve "$nob/good.img" --bind 127.0.0.1:69 > /dev/null 2> err.txt
	rc=$?
	rm -rf "$nob"
	check port69-exit-4 test $rc = 4
	check port69-explains grep -q 'needs root or CAP_NET_BIND_SERVICE' err.txt
fi
# started as root, the server binds and then runs as nobody (or --user)
# ids_after_bind ARGS...: "UID GID" of a server started with ARGS once it listens
ids_after_bind() {
	"$FWKIT" serve good.img --bind 127.0.0.1:0 "$@" > drop.log 2>&1 &
	local pid=$! ids
	for _ in $(seq 50); do grep -q '^listening' drop.log && break; sleep 0.1; done
	ids="$(awk '/^Uid:/ {print $2}' /proc/$pid/status 2> /dev/null) $(awk '/^Gid:/ {print $2}' /proc/$pid/status 2> /dev/null)"
	kill $pid 2> /dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 $pid 2> /dev/null || break; sleep 0.2; done
	kill -9 $pid 2> /dev/null
	wait $pid 2> /dev/null
	echo "$ids"
}
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	check drops-to-nobody test "$(ids_after_bind | cut -d' ' -f1)" = "$(id -u nobody)"
	# a numeric UID:GID needs no user database (what the static router build takes)
	check drops-to-numeric-uid-gid test "$(ids_after_bind --user 4242:4243)" = "4242 4243"
	expect unknown-user-refused 2 'cannot drop privileges' "$FWKIT" serve good.img --bind 127.0.0.1:0 --user no-such-user-fwkit
else
	skip_part "not root (or no user nobody): dropping privileges after bind is not tested"
fi
done_testing
