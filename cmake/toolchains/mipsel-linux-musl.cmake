# Static build for little-endian MIPS routers against musl, the C library OpenWrt itself runs on.
# Debian's gcc-mipsel-linux-gnu compiles; musl-dev:mipsel (headers, crt files, libc.a) and the
# mipsel -dev packages are unpacked by scripts/mipsel-sysroot.sh into FWKIT_MIPSEL_SYSROOT (default
# build/mipsel-sysroot). A gcc specs file written here swaps glibc for musl, as Debian's own
# musl-gcc.specs does for the native compiler, with the paths of the unpacked package.
#
# Why musl and not the cross compiler's glibc: a static glibc carries its dynamic loader, locale,
# gconv and wide stdio (about 700 KB of a 1.3 MB fwkit); musl's share is under 100 KB. The Debian
# libraries (zlib, liblzma, json-c, libfdt, nettle, libzstd, libsquashfs) are plain C built
# against glibc headers; of glibc's own symbols they call only its _FORTIFY_SOURCE entry points
# (src/compat/glibc_chk.c; any other fails the link), and no time_t crosses their interfaces,
# which is what musl's 64-bit time_t on 32-bit MIPS would break.
include("${CMAKE_CURRENT_LIST_DIR}/mipsel-common.cmake")
set(_musl "${FWKIT_MIPSEL_SYSROOT}/usr/lib/mipsel-linux-musl")
set(_musl_include "${FWKIT_MIPSEL_SYSROOT}/usr/include/mipsel-linux-musl")
if(NOT EXISTS "${_musl}/libc.a")
  message(FATAL_ERROR "no musl in ${FWKIT_MIPSEL_SYSROOT}: run scripts/mipsel-sysroot.sh")
endif()

# The specs: musl's headers only (-nostdinc, then gcc's own stddef.h and friends), musl's crt
# files and libc.a; crt1.o and crtbeginT.o for -static, as gcc picks for glibc.
set(FWKIT_MUSL_SPECS "${CMAKE_BINARY_DIR}/musl-gcc.specs")
file(WRITE "${FWKIT_MUSL_SPECS}" "%rename cpp_options old_cpp_options

*cpp_options:
-nostdinc -isystem ${_musl_include} -isystem include%s %(old_cpp_options)

*cc1:
%(cc1_cpu) -nostdinc -isystem ${_musl_include} -isystem include%s

*link_libgcc:
-L${_musl} -L .%s

*libgcc:
libgcc.a%s %:if-exists(libgcc_eh.a%s)

*startfile:
%{static:${_musl}/crt1.o;:${_musl}/Scrt1.o} ${_musl}/crti.o %{static:crtbeginT.o%s;:crtbeginS.o%s}

*endfile:
%{static:crtend.o%s;:crtendS.o%s} ${_musl}/crtn.o

*link:
-dynamic-linker /lib/ld-musl-mipsel.so.1 -nostdlib %{shared:-shared} %{static:-static} %{rdynamic:-export-dynamic}
")
# Each function and object in its own section, and the link drops those nothing reaches: the
# table-driven CLI still reaches most of libfwkit, but not the unused parts of each library.
set(CMAKE_C_FLAGS_INIT "-specs=${FWKIT_MUSL_SPECS} -ffunction-sections -fdata-sections")
# (the link command carries the C flags, so the specs are named once)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")

# CMakeLists.txt adds src/compat/glibc_chk.c: the fortify calls of the glibc-built libraries
set(FWKIT_LIBC_MUSL ON CACHE BOOL "the C library is musl (set by the toolchain file)" FORCE)

# headers and libraries from musl and the unpacked packages, never glibc's
set(CMAKE_FIND_ROOT_PATH "${FWKIT_MIPSEL_SYSROOT}")
