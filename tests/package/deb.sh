#!/bin/bash
# The Debian packages: `dpkg-buildpackage -us -uc -b` of a copy of this tree builds fwkit,
# libfwkit0 and libfwkit-dev; lintian finds no error in them; `dpkg -x` unpacks them into a
# scratch root (no dpkg database touched, no container), where the installed tool runs a real
# command on bundled data, its man page renders, and a program builds against the unpacked
# libfwkit-dev through pkg-config (PKG_CONFIG_SYSROOT_DIR) and runs on the unpacked libfwkit0.
# Run by scripts/test-all.sh as its own stage: FWKIT_SOURCE_DIR, FWKIT_TEST_DATA, FWKIT_SCRATCH.
FWKIT=${FWKIT:-unused}
. "$FWKIT_SOURCE_DIR/tests/lib.sh"
need dpkg-buildpackage dh lintian dpkg-deb pkg-config cc readelf
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
VERSION=$(dpkg-parsechangelog -l "$FWKIT_SOURCE_DIR/debian/changelog" -S Version)

# --- 1. build, from a copy of the tracked and new files (the build writes into its tree and ..)
mkdir src
(cd "$FWKIT_SOURCE_DIR" && git ls-files -co --exclude-standard -z 2> /dev/null || find . -path ./build -prune -o -type f -print0) |
	(cd "$FWKIT_SOURCE_DIR" && tar --null -T - -cf -) | tar -xf - -C src
(cd src && DEB_BUILD_OPTIONS="parallel=$(nproc) nocheck" dpkg-buildpackage -us -uc -b) > build.log 2>&1
rc=$?
check dpkg-buildpackage-exit-0 test $rc = 0
[ $rc = 0 ] || tail -40 build.log
for p in fwkit libfwkit0 libfwkit-dev; do
	check "built-$p" test -f "${p}_${VERSION}_$ARCH.deb"
done

# --- 2. lintian: no error (warnings and infos are printed, not fatal)
lintian --fail-on error --tag-display-limit 0 ./*.changes > lintian.txt 2>&1
check lintian-no-error test $? = 0
echo "lintian: $(grep -c '^E:' lintian.txt) errors, $(grep -c '^W:' lintian.txt) warnings, $(grep -c '^I:' lintian.txt) infos"
grep -E '^(E|W):' lintian.txt

# --- 3. the files each package holds
dpkg-deb -c "fwkit_${VERSION}_$ARCH.deb" | awk '{print $6}' > fwkit.list
dpkg-deb -c "libfwkit-dev_${VERSION}_$ARCH.deb" | awk '{print $6}' > dev.list
check pkg-fwkit-tool grep -qx './usr/bin/fwkit' fwkit.list
check pkg-fwkit-man grep -qx './usr/share/man/man1/fwkit.1.gz' fwkit.list
check pkg-fwkit-completion grep -qx './usr/share/bash-completion/completions/fwkit' fwkit.list
check pkg-dev-header grep -qx './usr/include/fwkit/fwkit.h' dev.list
check pkg-dev-pc grep -qx "./usr/lib/$MA/pkgconfig/fwkit.pc" dev.list
check pkg-dev-static grep -qx "./usr/lib/$MA/libfwkit.a" dev.list
check pkg-lib-depends grep -q "libfwkit0 (= $VERSION)" <(dpkg-deb -f "libfwkit-dev_${VERSION}_$ARCH.deb" Depends)

# --- 4. unpacked into a scratch root, the installed tool runs
R=$PWD/root
for d in ./*.deb; do dpkg -x "$d" "$R"; done
T=$R/usr/bin/fwkit
"$T" --version > version.txt 2>&1
check tool-version test "$(head -1 version.txt)" = "fwkit $VERSION (libfwkit $VERSION)"
cat version.txt
bash "$FWKIT_SOURCE_DIR/scripts/demo-dump.sh" dump.bin "$T" > /dev/null 2>&1
expect tool-identify-demo-dump 0 "" "$T" identify dump.bin
check tool-names-a5-v11 grep -qx 'Device        unbranded_a5-v11' out.txt
expect tool-uimage-verify 0 "" "$T" uimage verify "$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin"
check tool-verify-result grep -qx 'Result:       ok' out.txt
if command -v man > /dev/null 2>&1; then
	MANWIDTH=120 man -l "$R/usr/share/man/man1/fwkit.1.gz" 2> man.err | col -b > man.txt
	check man-renders grep -q 'env list' man.txt
else
	skip_part "man (man-db) not installed: the packaged page is not rendered"
fi

# --- 5. a program against the unpacked libfwkit-dev (sysroot = the scratch root)
export PKG_CONFIG_SYSROOT_DIR=$R PKG_CONFIG_LIBDIR=$R/usr/lib/$MA/pkgconfig:/usr/lib/$MA/pkgconfig:/usr/share/pkgconfig
check pc-modversion test "$(pkg-config --modversion fwkit)" = "$VERSION"
inc=$(pkg-config --cflags-only-I fwkit)
first_inc=${inc%% *}
check pc-includes-in-root test -f "${first_inc#-I}/fwkit/fwkit.h"
check pc-includes-not-system grep -q "^-I$R/" <<< "$inc"
IMG=$FWKIT_TEST_DATA/uimage/good/a5-v11-19.07.7-sysupgrade.bin
# shellcheck disable=SC2046
cc -std=c17 -Wall -Wextra -Werror "$FWKIT_SOURCE_DIR/tests/install/consumer.c" $(pkg-config --cflags --libs fwkit) -o consumer 2> cc.err
check consumer-builds test $? = 0
cat cc.err
check consumer-links-root-lib grep -q "libfwkit.so.0 => $R/usr/lib/$MA/libfwkit.so.0" <(LD_LIBRARY_PATH=$R/usr/lib/$MA ldd consumer)
LD_LIBRARY_PATH=$R/usr/lib/$MA ./consumer "$VERSION" "$IMG" "MIPS OpenWrt Linux-4.14.221" 1347662 scan.json identify.json > run.out 2> run.err
check consumer-runs test $? = 0
check consumer-checks-ran test "$(grep -c '^PASS' run.out)" -ge 15
done_testing
