# SPDX-License-Identifier: Apache-2.0
# Fuzz corpus replay, in EVERY build (included from tests/CMakeLists.txt). Every libFuzzer target
# tests/fuzz/fuzz_NAME.c is also linked with replay.c, a plain main() that feeds it each file of
# tests/fuzz/corpus/NAME/ once, so the committed corpora run under gcc release and ASan too, not
# only in the clang fuzz build (tests/fuzz/CMakeLists.txt, MT_FUZZ=ON):
#   replay_NAME  -> test fuzz_replay_NAME  (labels fuzz, replay)
# A target without its corpus folder fails its test (replay exits 1 when it finds no input).
# LeakSanitizer (ASan builds) reads tests/fuzz/lsan.supp: leaks inside libSBML, with reasons.

set(MT_FUZZ_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}")
file(GLOB MT_FUZZ_TARGETS CONFIGURE_DEPENDS "${MT_FUZZ_SOURCE_DIR}/fuzz_*.c")
list(SORT MT_FUZZ_TARGETS)
set(MT_FUZZ_LSAN "LSAN_OPTIONS=suppressions=${MT_FUZZ_SOURCE_DIR}/lsan.supp:print_suppressions=0")
foreach(src IN LISTS MT_FUZZ_TARGETS)
  get_filename_component(name "${src}" NAME_WE)
  string(REGEX REPLACE "^fuzz_" "" name "${name}")
  add_executable("replay_${name}" "${MT_FUZZ_SOURCE_DIR}/replay.c" "${src}")
  target_include_directories("replay_${name}" PRIVATE "${PROJECT_SOURCE_DIR}/include"
                                                      "${PROJECT_SOURCE_DIR}/src")
  target_compile_options("replay_${name}" PRIVATE ${MT_WARN})
  target_link_libraries("replay_${name}" PRIVATE medtwin)
  add_test(NAME "fuzz_replay_${name}"
           COMMAND "replay_${name}" "${MT_FUZZ_SOURCE_DIR}/corpus/${name}"
           WORKING_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}")
  set_tests_properties("fuzz_replay_${name}" PROPERTIES LABELS "fuzz;replay" TIMEOUT 600
                                                        ENVIRONMENT "${MT_FUZZ_LSAN}")
endforeach()
