# Static mipsel build against the cross compiler's glibc (/usr/mipsel-linux-gnu): preset
# mipsel-static-glibc, kept to compare with the musl build (preset mipsel-static,
# mipsel-linux-musl.cmake), which is 0.6 MB smaller (README "The router build").
include("${CMAKE_CURRENT_LIST_DIR}/mipsel-common.cmake")

set(CMAKE_C_FLAGS_INIT "-ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,--gc-sections")
set(CMAKE_FIND_ROOT_PATH /usr/mipsel-linux-gnu "${FWKIT_MIPSEL_SYSROOT}")
