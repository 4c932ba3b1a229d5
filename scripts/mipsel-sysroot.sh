#!/bin/bash
# The mipsel libraries fwkit links statically, from Debian's own mipsel -dev packages, unpacked
# (dpkg -x) into a folder: build/mipsel-sysroot (or $1), with musl-dev, the C library the preset
# mipsel-static links. The cross compiler (and the glibc of preset mipsel-static-glibc) come from
# gcc-mipsel-linux-gnu (/usr/mipsel-linux-gnu); scripts/deps.sh test installs both.
#
# Why unpacked, not installed as multiarch packages (apt-get install zlib1g-dev:mipsel): bookworm
# builds security updates for amd64 but not for mipsel (bookworm-security lists amd64 arm64 armhf
# i386 ppc64el), and a Multi-Arch: same library must have the same version on every architecture,
# so on an up-to-date amd64 machine liblzma5 (+deb12u2 on amd64, +deb12u1 on mipsel), libpcre2
# and linux-libc-dev cannot be installed for mipsel beside their amd64 versions. Unpacked, the
# mipsel .a files need nothing of the host's package set.
set -eu
cd "$(dirname "$0")/.."
root=${1:-build/mipsel-sysroot}
PKGS="zlib1g-dev liblz4-dev liblzma-dev libzstd-dev libjson-c-dev libfdt-dev libsquashfs-dev"
# nettle-dev: MD5 for the TP-Link and Seama checksums
PKGS="$PKGS nettle-dev"
# musl-dev: the C library of the router build (preset mipsel-static), in usr/lib/mipsel-linux-musl
PKGS="$PKGS musl-dev"
stamp=$root/.packages
want="$PKGS $(apt-cache policy $(printf '%s:mipsel ' $PKGS) 2> /dev/null | awk '/Candidate:/ {print $2}' | tr '\n' ' ')"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
rm -rf "$root"
mkdir -p "$root/debs"
(cd "$root/debs" && apt-get download $(printf '%s:mipsel ' $PKGS))
for d in "$root"/debs/*.deb; do dpkg -x "$d" "$root"; done
# the -dev packages' .so links point at runtime packages not unpacked here: static links only
find "$root/usr/lib/mipsel-linux-gnu" -name '*.so' -type l -delete
for l in libz libjson-c libfdt liblzma libzstd libsquashfs libnettle; do
	test -f "$root/usr/lib/mipsel-linux-gnu/$l.a" || { echo "mipsel-sysroot: no $l.a in $PKGS" >&2; exit 1; }
done
test -f "$root/usr/lib/mipsel-linux-musl/libc.a" || { echo "mipsel-sysroot: no musl libc.a from musl-dev" >&2; exit 1; }
echo "$want" > "$stamp"
echo "mipsel libraries unpacked in $root"
