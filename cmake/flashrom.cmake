# Flash chip access through libflashrom (Debian's libflashrom-dev; README.md, dependencies).
# FWKIT_WITH_FLASHROM: AUTO (default: built in when pkg-config finds flashrom), ON (required),
# OFF (never). Without it the library's flash calls return FWKIT_E_UNSUPPORTED and `fwkit flash`
# says it is not built in. src/flash/flashrom.c is the only file that includes libflashrom.h;
# src/flash/absent.c stands in for it. Included once from CMakeLists.txt, after the library targets.
set(FWKIT_WITH_FLASHROM AUTO CACHE STRING "Build flash chip access on libflashrom: AUTO, ON or OFF")
set_property(CACHE FWKIT_WITH_FLASHROM PROPERTY STRINGS AUTO ON OFF)

set(FWKIT_HAVE_FLASHROM OFF)
if(NOT FWKIT_WITH_FLASHROM STREQUAL "OFF")
  if(FWKIT_WITH_FLASHROM STREQUAL "ON")
    pkg_check_modules(FLASHROM REQUIRED IMPORTED_TARGET flashrom)
  else()
    pkg_check_modules(FLASHROM IMPORTED_TARGET flashrom)
  endif()
  if(FLASHROM_FOUND)
    set(FWKIT_HAVE_FLASHROM ON)
  endif()
endif()

if(FWKIT_HAVE_FLASHROM)
  message(STATUS "fwkit: flash built in (libflashrom)")
  target_sources(fwkit PRIVATE ${PROJECT_SOURCE_DIR}/src/flash/flashrom.c)
  target_link_libraries(fwkit PUBLIC PkgConfig::FLASHROM)
  target_link_libraries(fwkit_static PUBLIC PkgConfig::FLASHROM)
  if(TARGET fwkit_shared)
    target_link_libraries(fwkit_shared PRIVATE PkgConfig::FLASHROM)
  endif()
  set(FWKIT_PC_REQUIRES_FLASHROM " flashrom")
else()
  message(STATUS "fwkit: flash not built in (FWKIT_WITH_FLASHROM=${FWKIT_WITH_FLASHROM}; needs libflashrom-dev)")
  target_sources(fwkit PRIVATE ${PROJECT_SOURCE_DIR}/src/flash/absent.c)
  set(FWKIT_PC_REQUIRES_FLASHROM "")
endif()
