#!/bin/bash
# libfwkit can be installed and used: `cmake --install` of this build tree into a scratch prefix,
# then a program (consumer.c) built against nothing but the installed headers and libraries, as
# `pkg-config --cflags --libs fwkit` names them, once against libfwkit.so and once statically
# against libfwkit.a, run on a real OpenWrt image and checked against mkimage and fdtget.
# The installed .so exports exactly the functions the installed headers declare FWKIT_API.
# A DESTDIR-staged install lands under DESTDIR and is usable from there.
# Environment (tests/CMakeLists.txt): FWKIT_BUILD_DIR, FWKIT_CMAKE, FWKIT_CC, FWKIT_VERSION,
# FWKIT_CONSUMER_CFLAGS (the sanitizer flags of the build, if any).
. "$(dirname "$0")/../lib.sh"
: "${FWKIT_BUILD_DIR:?}" "${FWKIT_CMAKE:?}" "${FWKIT_CC:?}" "${FWKIT_VERSION:?}"
need pkg-config nm readelf python3 mkimage fdtget
CFLAGS_STRICT="-std=c17 -Wall -Wextra -Werror -pedantic ${FWKIT_CONSUMER_CFLAGS:-}"
IMG=$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin
DTB=$FWKIT_TEST_DATA/fdt/good/a5-v11.dtb
P=$FWKIT_SCRATCH/prefix

# --- 1. install ------------------------------------------------------------------------------
"$FWKIT_CMAKE" --install "$FWKIT_BUILD_DIR" --prefix "$P" > install.log 2>&1
check install-exit-0 test $? = 0
echo "installed:"
(cd "$P" && find . \( -type f -o -type l \) | sort | sed 's/^\.\//  /')
pc=$(find "$P" -name fwkit.pc -path '*/pkgconfig/*')
check pc-installed test -n "$pc"
LIBDIR=$(dirname "$(dirname "$pc")")
so=$LIBDIR/libfwkit.so.$FWKIT_VERSION
check tool-installed test -x "$P/bin/fwkit"
check static-lib-installed test -f "$LIBDIR/libfwkit.a"
check shared-lib-installed test -f "$so"
check soname-link test "$(readlink "$LIBDIR/libfwkit.so.0")" = "libfwkit.so.$FWKIT_VERSION"
check dev-link test "$(readlink "$LIBDIR/libfwkit.so")" = libfwkit.so.0
check soname-is-libfwkit.so.0 grep -q 'SONAME.*\[libfwkit\.so\.0\]' <(readelf -d "$so")
# the public headers, all and only them
(cd "$FWKIT_SOURCE_DIR/include/fwkit" && ls) > headers.src
(cd "$P/include/fwkit" && ls) > headers.inst
check headers-installed cmp -s headers.src headers.inst
check headers-same-bytes diff -r "$FWKIT_SOURCE_DIR/include/fwkit" "$P/include/fwkit"
check no-internal-headers test -z "$(find "$P" -name '*.h' ! -path "$P/include/fwkit/*")"
# the man page and the bash completion made from the command tables (tests/cli/manpage.sh)
check man-page-installed test -s "$P/share/man/man1/fwkit.1"
check completion-installed test -s "$P/share/bash-completion/completions/fwkit"

# the installed tool, and what it says it was built with: the versions Debian's packages report
"$P/bin/fwkit" --version > version.txt 2> version.err
check tool-version-exit-0 test $? = 0
check tool-version-line grep -qx "fwkit $FWKIT_VERSION (libfwkit $FWKIT_VERSION)" version.txt
built="built with: zlib $(pkg-config --modversion zlib), liblzma $(pkg-config --modversion liblzma)"
built="$built, libzstd $(pkg-config --modversion libzstd), json-c $(pkg-config --modversion json-c), libfdt"
check tool-version-built-with grep -qxF "$built" version.txt
check tool-version-quiet test ! -s version.err
# this build leaves out no optional part (CMakeLists.txt FWKIT_DISABLE_*): all are listed as built in
check tool-version-parts grep -qxF "optional parts: squashfs (libsquashfs $(pkg-config --modversion libsquashfs1)), zstd, tftp-server" version.txt
check tool-static-no-libfwkit-so sh -c "! readelf -d '$P/bin/fwkit' | grep -q 'NEEDED.*libfwkit'"

# --- 2. pkg-config ---------------------------------------------------------------------------
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig
check pc-modversion test "$(pkg-config --modversion fwkit)" = "$FWKIT_VERSION"
incdir=$(pkg-config --variable=includedir fwkit)
check pc-includedir-in-prefix test "$(realpath "$incdir")" = "$(realpath "$P/include")"
check pc-libdir-in-prefix test "$(realpath "$(pkg-config --variable=libdir fwkit)")" = "$(realpath "$LIBDIR")"
# libflashrom only when flash is built in (cmake/flashrom.cmake)
want_private="json-c liblzma libsquashfs1 libzstd nettle zlib "
"$FWKIT" --version | grep -q '^flash: libflashrom' && want_private="flashrom $want_private"
check pc-requires-private test "$(pkg-config --print-requires-private fwkit | awk '{print $1}' | sort | tr '\n' ' ')" = \
	"$want_private"
check pc-libs-shared test "$(pkg-config --libs-only-l fwkit | xargs)" = "-lfwkit"
static_l=$(pkg-config --static --libs-only-l fwkit)
for l in -lfwkit -lfdt -lz -llzma -lzstd -ljson-c -lsquashfs; do
	check "pc-static-libs$l" grep -qw -- "$l" <<< "$static_l"
done

# --- 3. a program on the installed library ---------------------------------------------------
cp "$FWKIT_SOURCE_DIR/tests/install/consumer.c" .
hdr=$(head -c 64 "$IMG" | od -An -tu1 -j12 -N4 | awk '{print ($1 * 16777216) + ($2 * 65536) + ($3 * 256) + $4}')
head -c $((64 + hdr)) "$IMG" > uimage.bin
mkimage -l -T kernel uimage.bin > mkimage.txt
NAME=$(sed -n 's/^Image Name: *//p' mkimage.txt)
SIZE=$(sed -n 's/^Data Size: *\([0-9]*\) Bytes.*/\1/p' mkimage.txt)
echo "mkimage -l: name '$NAME', data size $SIZE"
check mkimage-facts test "$NAME" = "MIPS OpenWrt Linux-4.14.221" -a "$SIZE" = 1347662

# shellcheck disable=SC2046,SC2086
"$FWKIT_CC" $CFLAGS_STRICT -MMD -MF consumer.d consumer.c $(pkg-config --cflags --libs fwkit) -o consumer 2> cc.err
check build-shared test $? = 0
cat cc.err
# every fwkit header the compiler read (its -MMD list) is an installed one
grep -o '[^ ]*/fwkit/[a-z]*\.h' consumer.d | xargs -r realpath > used-headers.txt
check uses-installed-headers grep -qx "$(realpath "$P")/include/fwkit/fwkit.h" used-headers.txt
check only-installed-headers test -z "$(grep -v "^$(realpath "$P")/include/fwkit/" used-headers.txt)"
check needs-libfwkit.so.0 grep -q 'NEEDED.*\[libfwkit\.so\.0\]' <(readelf -d consumer)
check loads-installed-so grep -q "libfwkit.so.0 => $LIBDIR/libfwkit.so.0" <(LD_LIBRARY_PATH=$LIBDIR ldd consumer)
LD_LIBRARY_PATH=$LIBDIR ./consumer "$FWKIT_VERSION" "$IMG" "$NAME" "$SIZE" scan.json identify.json > run.out 2> run.err
check consumer-shared-passes test $? = 0
cat run.out
check consumer-checks-ran test "$(grep -c '^PASS' run.out)" -ge 15
check library-prints-nothing test ! -s run.err
cat run.err

# The JSON, read by Python's own parser, holds the facts mkimage and fdtget give.
MODEL=$(fdtget -t s "$DTB" / model)
COMPAT=$(fdtget -t s "$DTB" / compatible | awk '{print $1}')
echo "fdtget: model '$MODEL', compatible '$COMPAT'"
json_check() {
	python3 - "$@" << 'EOF'
import json, sys
scan, ident, name, size, model, compat = sys.argv[1:]
s = json.load(open(scan))
i = json.load(open(ident))
u = s["children"][0]
ok = (s["format"] == "file" and u["format"] == "uimage" and u["offset"] == 0
      and u["fields"]["name"] == name and u["fields"]["data_size"] == int(size)
      and i["fields"]["kind"]["name"] == "firmware-image"
      and i["fields"]["board_model"] == model and i["fields"]["board_compatible"] == compat)
sys.exit(0 if ok else 1)
EOF
}
check json-parses-and-matches json_check scan.json identify.json "$NAME" "$SIZE" "$MODEL" "$COMPAT"

# statically, against libfwkit.a (GNU ld's -l: picks the archive although the .so is beside it)
# shellcheck disable=SC2046,SC2086
"$FWKIT_CC" $CFLAGS_STRICT consumer.c $(pkg-config --static --cflags fwkit) \
	$(pkg-config --static --libs fwkit | sed 's/-lfwkit\b/-l:libfwkit.a/') -o consumer-static 2> cc-static.err
check build-static test $? = 0
cat cc-static.err
check static-no-libfwkit-so sh -c "! readelf -d consumer-static | grep -q 'NEEDED.*libfwkit'"
check static-has-api grep -q ' T fwkit_scan$' <(nm consumer-static)
./consumer-static "$FWKIT_VERSION" "$IMG" "$NAME" "$SIZE" scan-static.json identify-static.json > run-static.out 2> run-static.err
check consumer-static-passes test $? = 0
check static-same-json cmp -s scan.json scan-static.json

# --- 4. exported symbols: exactly the FWKIT_API functions of the installed headers ----------
grep -h '^FWKIT_API' "$P"/include/fwkit/*.h | sed -E 's/\(.*//; s/.*[ *]//' | sort > api.txt
# every FWKIT_API use but the #define starts a line, so the list above missed none
uses=$(grep -h 'FWKIT_API' "$P"/include/fwkit/*.h | grep -cv '#define')
check api-list-complete test "$(wc -l < api.txt)" = "$uses"
check api-list-names test -z "$(grep -vx 'fwkit_[a-z0-9_]*' api.txt)"
check api-list-not-empty test "$(wc -l < api.txt)" -ge 100
nm -D --defined-only "$so" | awk '$2 != "A" {print $3}' | sed 's/@.*//' | sort > exported.txt
echo "exported: $(wc -l < exported.txt) symbols, FWKIT_API functions: $(wc -l < api.txt)"
comm -23 api.txt exported.txt > not-exported.txt
comm -13 api.txt exported.txt > extra-exported.txt
check every-api-exported test ! -s not-exported.txt
sed 's/^/  not exported (add to src\/libfwkit.map): /' not-exported.txt
check nothing-else-exported test ! -s extra-exported.txt
sed 's/^/  exported, not FWKIT_API: /' extra-exported.txt
check versioned-FWKIT_0 test "$(nm -D --defined-only "$so" | grep -c '@@FWKIT_0$')" = "$(wc -l < api.txt)"
# internals exist in the static library (so the check means something) and are not exported
nm --defined-only -g "$LIBDIR/libfwkit.a" 2> /dev/null | awk 'NF == 3 {print $3}' | sort -u > static-globals.txt
for sym in cursor_init cursor_be32 ctx_raise findings_add budget_charge formats_probe node_take_child str_printf; do
	check "internal-$sym-in-static" grep -qx "$sym" static-globals.txt
	check "internal-$sym-hidden" sh -c "! grep -qx '$sym' exported.txt"
done
check internals-hidden-in-bulk test "$(comm -23 static-globals.txt api.txt | wc -l)" -ge 20
check no-internal-prefix-exported sh -c "! grep -qE '^(cursor_|budget_|formats_|findings_|node_|str_|ctx_)' exported.txt"

# --- 5. DESTDIR: staged under it, nothing outside, usable where it lands ---------------------
STAGE=$FWKIT_SCRATCH/stage
DEST_PREFIX=/opt/fwkit-install-test-$$
DESTDIR=$STAGE "$FWKIT_CMAKE" --install "$FWKIT_BUILD_DIR" --prefix "$DEST_PREFIX" > destdir.log 2>&1
check destdir-exit-0 test $? = 0
check destdir-nothing-outside test ! -e "$DEST_PREFIX"
check destdir-tool test -x "$STAGE$DEST_PREFIX/bin/fwkit"
spc=$(find "$STAGE" -name fwkit.pc)
check destdir-pc test -n "$spc"
check destdir-same-files test "$(cd "$STAGE$DEST_PREFIX" && find . | sort)" = "$(cd "$P" && find . | sort)"
# shellcheck disable=SC2046,SC2086
PKG_CONFIG_PATH=$(dirname "$spc") sh -c "'$FWKIT_CC' $CFLAGS_STRICT consumer.c \$(pkg-config --cflags --libs fwkit) -o consumer-staged"
check destdir-build test $? = 0
check destdir-links-staged grep -q "libfwkit.so.0 => $STAGE" <(LD_LIBRARY_PATH=$(dirname "$(dirname "$spc")") ldd consumer-staged)

done_testing
