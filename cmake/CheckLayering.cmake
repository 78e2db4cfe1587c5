# The include rules of ../shared/DESIGN.md ("Who may include whom"), checked
# over the sources: run as a ctest (Layering.IncludeRules) with
#   cmake -DSOURCE_DIR=<repo> -P cmake/CheckLayering.cmake
# Every breach is listed with its file and line; any breach fails the test.
#
# Rules (folder: headers it must not include):
#   simd/, hw/     anything from host/ (leaf libraries)
#   host/net       host/mpc, host/nn, host/backend, host/data, host/plain, host/cli (knows no protocol)
#   host/mpc       host/nn, host/data, host/plain, host/cli (knows no layer or model)
#   host/nn        host/net, host/cli, host/plain (reaches the network only through the protocol)
#   host/*         simd/ and hw/, except host/backend (the only door to the kernels) and
#                  host/net's transport cipher simd/aes_gcm.h (TLS records, not protocol work)
#   host/*         CLI/CLI.hpp, except host/cli (the only place that parses flags)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "CheckLayering.cmake: pass -DSOURCE_DIR=<repository root>")
endif()

set(breaches "")
function(check_folder folder forbidden_regex)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cc")
  foreach(path IN LISTS sources)
    file(STRINGS "${path}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" header "${line}")
      if(header MATCHES "${forbidden_regex}")
        file(RELATIVE_PATH rel "${SOURCE_DIR}" "${path}")
        if(NOT (rel MATCHES "^host/net/" AND header STREQUAL "simd/aes_gcm.h"))
          list(APPEND breaches "${rel} includes ${header}")
        endif()
      endif()
    endforeach()
  endforeach()
  set(breaches "${breaches}" PARENT_SCOPE)
endfunction()

check_folder(simd "^host/")
check_folder(hw "^host/")
check_folder(host/net "^(host/(mpc|nn|backend|data|plain|cli)/|simd/|hw/|CLI/)")
check_folder(host/mpc "^(host/(nn|data|plain|cli)/|simd/|hw/|CLI/)")
check_folder(host/nn "^(host/(net|cli|plain)/|simd/|hw/|CLI/)")
check_folder(host/data "^(host/(net|mpc|nn|backend|plain|cli)/|simd/|hw/|CLI/)")
check_folder(host/plain "^(host/(net|mpc|backend|cli)/|simd/|hw/|CLI/)")
check_folder(host/core "^(host/(net|mpc|nn|backend|data|plain|cli)/|simd/|hw/|CLI/)")
check_folder(host/backend "^(host/(net|mpc|nn|data|plain|cli)/|CLI/)")

list(LENGTH breaches count)
if(count GREATER 0)
  list(JOIN breaches "\n  " text)
  message(FATAL_ERROR "${count} include(s) break the layering rules of ../shared/DESIGN.md:\n  ${text}")
endif()
message(STATUS "include rules hold")
