#!/bin/bash
# Installs the Debian 12 packages fwkit needs, only those missing. Sourced by the two
# quick-start scripts; needs root (or sudo). Each package is justified in README.md.
#   deps.sh build   what building fwkit needs
#   deps.sh test    plus the real tools the test suite runs against, the Debian packaging tools
#                   and the mipsel cross compiler and qemu-user (the router build's stages)
set -eu
BUILD_PKGS="cmake make gcc pkg-config zlib1g-dev liblzma-dev libzstd-dev libjson-c-dev libfdt-dev libsquashfs-dev libcmocka-dev nettle-dev libflashrom-dev"
TEST_PKGS="u-boot-tools qemu-system-mips u-boot-qemu expect python3 gzip bzip2 xz-utils zstd lz4 lzop
           clang libclang-rt-14-dev util-linux binutils libubootenv-tool tftp-hpa atftp curl iproute2
           flashrom squashfs-tools binwalk device-tree-compiler strace
           man-db groff-base bash-completion dpkg-dev debhelper lintian
           gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user-static"
want=$BUILD_PKGS
[ "${1:-build}" = test ] && want="$BUILD_PKGS $TEST_PKGS"
# the mipsel -dev packages of the router build are unpacked, not installed (scripts/mipsel-sysroot.sh):
# apt only needs to know the architecture to download them
if [ "${1:-build}" = test ] && ! dpkg --print-foreign-architectures | grep -qx mipsel; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	$SUDO dpkg --add-architecture mipsel
	$SUDO apt-get update -qq
fi
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" = 0 ] || SUDO=sudo
	echo "installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
