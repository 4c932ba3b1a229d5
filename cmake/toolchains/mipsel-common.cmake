# What both mipsel toolchain files share (mipsel-linux-musl.cmake for preset mipsel-static,
# mipsel-linux-gnu.cmake for mipsel-static-glibc): Debian's gcc-mipsel-linux-gnu, the mipsel -dev
# packages unpacked by scripts/mipsel-sysroot.sh into FWKIT_MIPSEL_SYSROOT (default
# build/mipsel-sysroot), pkg-config reading those, and qemu-mipsel-static to run what the build
# runs (the man page). The including file sets CMAKE_FIND_ROOT_PATH: its C library's folders.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR mips)
set(CMAKE_C_COMPILER mipsel-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE mipsel-linux-gnu)

if(NOT FWKIT_MIPSEL_SYSROOT)
  get_filename_component(FWKIT_MIPSEL_SYSROOT "${CMAKE_CURRENT_LIST_DIR}/../../build/mipsel-sysroot" ABSOLUTE)
endif()
set(FWKIT_MIPSEL_SYSROOT "${FWKIT_MIPSEL_SYSROOT}" CACHE PATH "mipsel -dev packages unpacked (scripts/mipsel-sysroot.sh)")
if(NOT EXISTS "${FWKIT_MIPSEL_SYSROOT}/usr/lib/mipsel-linux-gnu/libz.a")
  message(FATAL_ERROR "no mipsel libraries in ${FWKIT_MIPSEL_SYSROOT}: run scripts/mipsel-sysroot.sh")
endif()

# headers and libraries from the C library and the unpacked packages, never the host's
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# pkg-config reads the unpacked packages' .pc files, their paths inside the sysroot
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${FWKIT_MIPSEL_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${FWKIT_MIPSEL_SYSROOT}/usr/lib/mipsel-linux-gnu/pkgconfig:${FWKIT_MIPSEL_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

find_program(FWKIT_QEMU_MIPSEL qemu-mipsel-static)
if(FWKIT_QEMU_MIPSEL)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${FWKIT_QEMU_MIPSEL}")
endif()
