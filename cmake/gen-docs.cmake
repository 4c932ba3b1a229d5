# Makes the man page fwkit(1) and the bash completion from the built tool (cmake -P):
#   cmake -DFWKIT=... -DSRC=<source dir> -DOUT=<build dir> -DVERSION=... -P gen-docs.cmake
# Both come from `fwkit help --man|--words`, which print every command's --help from its own
# option table (src/cli/options.c), so neither can disagree with --help, and a command added to
# the table (src/cli/commands.c) appears in both with no edit here.
foreach(var FWKIT SRC OUT VERSION)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "gen-docs.cmake: -D${var}= is missing")
  endif()
endforeach()
set(EMU)
if(DEFINED EMULATOR AND NOT EMULATOR STREQUAL "")
  set(EMU ${EMULATOR})
endif()
foreach(mode man words)
  execute_process(COMMAND ${EMU} ${FWKIT} help --${mode}
    OUTPUT_VARIABLE help_${mode} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "fwkit help --${mode} failed (${rc})")
  endif()
endforeach()

set(FWKIT_VERSION ${VERSION})
set(FWKIT_MAN_COMMANDS "${help_man}")
string(REGEX REPLACE "\n$" "" FWKIT_MAN_COMMANDS "${FWKIT_MAN_COMMANDS}")
configure_file(${SRC}/docs/man/fwkit.1.in ${OUT}/fwkit.1 @ONLY)

set(FWKIT_COMMANDS "")
set(FWKIT_COMPLETION_CASES "")
string(REGEX REPLACE "\n$" "" help_words "${help_words}")
string(REPLACE "\n" ";" lines "${help_words}")
foreach(line IN LISTS lines)
  string(REGEX MATCH "^([^\t]*)\t(.*)$" m "${line}")
  set(name "${CMAKE_MATCH_1}")
  string(STRIP "${CMAKE_MATCH_2}" opts)
  string(APPEND FWKIT_COMMANDS "${name}\n")
  string(APPEND FWKIT_COMPLETION_CASES "\t\"${name}\") echo '${opts}' ;;\n")
endforeach()
string(REGEX REPLACE "\n$" "" FWKIT_COMMANDS "${FWKIT_COMMANDS}")
string(REGEX REPLACE "\n$" "" FWKIT_COMPLETION_CASES "${FWKIT_COMPLETION_CASES}")
configure_file(${SRC}/cmake/fwkit-completion.bash.in ${OUT}/fwkit.bash-completion @ONLY)
