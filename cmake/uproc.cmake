# Helpers shared by every folder's CMakeLists.txt.

# uproc_add_unit_test(NAME SOURCES... LIBS lib...)
# A cmocka test program registered with CTest under the label "unit".
function(uproc_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  target_include_directories(${name} PRIVATE ${UPROC_INCLUDE_DIR})
  add_test(NAME ${name} COMMAND ${name})
  set(labels unit ${T_LABELS})
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT 300)
endfunction()

# uproc_add_fuzz_target(NAME SOURCES... LIBS lib... CORPUS dir)
# A libFuzzer target. Under UPROC_FUZZ it is built and registered as a CTest test
# (label "fuzz") that runs for UPROC_FUZZ_SECONDS over a copy of its seed corpus.
# Without UPROC_FUZZ the same source is linked to a small driver that replays the
# seed corpus once, so every build keeps the target compiling and the seeds passing.
function(uproc_add_fuzz_target name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(UPROC_FUZZ)
    add_executable(${name} ${F_SOURCES})
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_include_directories(${name} PRIVATE ${UPROC_INCLUDE_DIR})
    add_test(NAME ${name}
             COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=1
                     ${CMAKE_SOURCE_DIR}/fuzz/run-fuzz.sh $<TARGET_FILE:${name}>
                     ${F_CORPUS} ${UPROC_FUZZ_SECONDS})
    set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 600)
  else()
    add_executable(${name} ${F_SOURCES} ${CMAKE_SOURCE_DIR}/fuzz/replay-main.c)
    target_link_libraries(${name} PRIVATE ${F_LIBS})
    target_include_directories(${name} PRIVATE ${UPROC_INCLUDE_DIR})
    add_test(NAME ${name}-replay COMMAND ${name} ${F_CORPUS})
    set_tests_properties(${name}-replay PROPERTIES LABELS "unit;replay" TIMEOUT 300)
  endif()
endfunction()

# uproc_add_component_dirs()
# Adds every subfolder of the current folder that has a CMakeLists.txt, in name
# order: each subfolder is one component and owns its build.
macro(uproc_add_component_dirs)
  file(GLOB _uproc_children LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
       ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT _uproc_children)
  foreach(_uproc_child ${_uproc_children})
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${_uproc_child}
       AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${_uproc_child}/CMakeLists.txt)
      add_subdirectory(${_uproc_child})
    endif()
  endforeach()
endmacro()
