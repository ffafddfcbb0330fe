# Installation: `cmake --install BUILD [--prefix P]` (DESTDIR honoured), or
# `make install PREFIX=P DESTDIR=D`. What goes where (GNUInstallDirs):
#   bin/uproc, sbin/uprocd, libexec/uproc/{uproc-native-stub,uproc-emu-core}
#   LIBDIR/libuproc_LIB.so.0 (soname), .so, .a; LIBDIR/pkgconfig/uproc-LIB.pc
#   LIBDIR/cmake/uproc/ (find_package(uproc): uproc::LIB shared, uproc::LIB_static)
#   include/uproc/*.h
#   share/uproc/firmware-sdk/ (uproc_firmware.cmake: uproc_add_firmware() and
#   friends, with the freestanding messaging core it compiles into firmware)
#   share/uproc/firmware/{echo,tty,crash}.elf (the example images)
#   share/man/man{1,3,8}, lib/systemd/system/uprocd.service, lib/sysusers.d/uproc.conf,
#   share/doc/uproc/ (uprocd.conf.example, examples/: the echo firmware, and project/:
#   a host program and a firmware built with find_package(uproc))
# The installed libraries are made here from the build's objects: the shared ones
# carry a private copy of the internal helpers, and the native backend's copy looks
# for the core programs only in installed places (src/backends/native/native_paths.c).
# Included by the top CMakeLists.txt once every target exists (a deferred call).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)
if(UPROC_SANITIZE OR UPROC_TSAN OR UPROC_FUZZ)
  # Instrumented objects are not for installing (nor can they all link as shared
  # libraries): install from a normal build.
  return()
endif()

# Each library and what it needs (comma-separated): uproc libraries, and "threads".
set(UPROC_INSTALL_LIBS
  "virtio:"
  "rpmsg:virtio"
  "port_posix:threads"
  "fwimage:"
  "loop:threads"
  "remoteproc:fwimage,rpmsg,virtio,port_posix,loop,threads"
  "native:remoteproc,loop,fwimage"
  "hostmem:remoteproc,rpmsg,fwimage,loop,threads")

set(dist_dir ${CMAKE_BINARY_DIR}/dist)
set(pc_dir ${dist_dir}/pkgconfig)
file(RELATIVE_PATH UPROC_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
     ${CMAKE_INSTALL_PREFIX})
string(REGEX REPLACE "/$" "" UPROC_PC_TO_PREFIX "${UPROC_PC_TO_PREFIX}")
find_package(Threads REQUIRED)
set(dist_targets "")
foreach(entry ${UPROC_INSTALL_LIBS})
  string(REGEX REPLACE ":.*" "" lib "${entry}")
  string(REGEX REPLACE "^[^:]*:" "" deps "${entry}")
  string(REPLACE "," ";" deps "${deps}")
  if(NOT TARGET uproc_${lib})
    continue()
  endif()
  if(lib STREQUAL "native")
    set(objs $<TARGET_OBJECTS:uproc_native_obj> $<TARGET_OBJECTS:uproc_native_dist_paths>)
  else()
    set(objs $<TARGET_OBJECTS:uproc_${lib}>)
  endif()
  list(APPEND objs $<TARGET_OBJECTS:uproc_hostutil>)
  add_library(uproc_${lib}_dist_shared SHARED ${objs})
  add_library(uproc_${lib}_dist_static STATIC ${objs})
  set(pc_requires "")
  set(pc_private "")
  foreach(kind shared static)
    set(t uproc_${lib}_dist_${kind})
    set_target_properties(${t} PROPERTIES OUTPUT_NAME uproc_${lib}
                          LIBRARY_OUTPUT_DIRECTORY ${dist_dir}
                          ARCHIVE_OUTPUT_DIRECTORY ${dist_dir})
    target_include_directories(${t} INTERFACE
      $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    foreach(d ${deps})
      if(d STREQUAL "threads")
        target_link_libraries(${t} PUBLIC Threads::Threads)
      else()
        target_link_libraries(${t} PUBLIC uproc_${d}_dist_${kind})
      endif()
    endforeach()
  endforeach()
  set_target_properties(uproc_${lib}_dist_shared PROPERTIES EXPORT_NAME ${lib}
                        VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
  target_link_options(uproc_${lib}_dist_shared PRIVATE -Wl,--no-undefined)
  set_target_properties(uproc_${lib}_dist_static PROPERTIES EXPORT_NAME ${lib}_static)
  list(APPEND dist_targets uproc_${lib}_dist_shared uproc_${lib}_dist_static)

  # pkg-config: uproc-LIB.pc; Requires names the uproc libraries it needs.
  foreach(d ${deps})
    if(d STREQUAL "threads")
      set(pc_private "-pthread")
    else()
      string(REPLACE "_" "-" dn ${d})
      list(APPEND pc_requires uproc-${dn})
    endif()
  endforeach()
  string(REPLACE ";" ", " UPROC_PC_REQUIRES "${pc_requires}")
  string(REPLACE "_" "-" UPROC_PC_NAME ${lib})
  set(UPROC_PC_LIB uproc_${lib})
  set(UPROC_PC_LIBS_PRIVATE "${pc_private}")
  configure_file(${CMAKE_CURRENT_LIST_DIR}/install/uproc-lib.pc.in
                 ${pc_dir}/uproc-${UPROC_PC_NAME}.pc @ONLY)
  install(FILES ${pc_dir}/uproc-${UPROC_PC_NAME}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
endforeach()

install(TARGETS ${dist_targets} EXPORT uprocTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT dev
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(EXPORT uprocTargets NAMESPACE uproc:: FILE uprocTargets.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/uproc COMPONENT dev)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/install/uprocConfig.cmake.in
  ${dist_dir}/uprocConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/uproc
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${dist_dir}/uprocConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${dist_dir}/uprocConfig.cmake ${dist_dir}/uprocConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/uproc COMPONENT dev)

install(DIRECTORY ${UPROC_INCLUDE_DIR}/uproc DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT dev FILES_MATCHING PATTERN "*.h")

# Programs; the core programs go where native_paths.c looks for them.
if(TARGET uproc)
  install(TARGETS uproc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
if(TARGET uprocd)
  install(TARGETS uprocd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
endif()
foreach(helper uproc-native-stub uproc-emu-core)
  if(TARGET ${helper})
    install(TARGETS ${helper} RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/uproc)
  endif()
endforeach()

# The firmware SDK, with the freestanding messaging core it compiles into firmware.
set(sdk_dest ${CMAKE_INSTALL_DATADIR}/uproc/firmware-sdk)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/firmware/sdk/ DESTINATION ${sdk_dest}
        COMPONENT dev PATTERN "CMakeLists.txt" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/src/virtio ${CMAKE_SOURCE_DIR}/src/rpmsg
        DESTINATION ${sdk_dest}/core COMPONENT dev
        FILES_MATCHING PATTERN "*.c" PATTERN "*.h")
install(FILES ${CMAKE_SOURCE_DIR}/firmware/examples/echo.c
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT dev)
# The example firmware images, to try uprocd and uproc run with.
foreach(fw echo tty crash)
  if(TARGET uproc_fw_${fw})
    install(FILES ${CMAKE_BINARY_DIR}/firmware/${fw}.elf
            DESTINATION ${CMAKE_INSTALL_DATADIR}/uproc/firmware)
  endif()
endforeach()
# A project of one's own: a host program and a firmware built against the install.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/dist/example-project/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/project COMPONENT dev)

# Manual pages: the programs', and section 3 from the public headers' kernel-doc.
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/uproc.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${CMAKE_SOURCE_DIR}/docs/man/uprocd.8 DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_FOUND)
  set(man3_dir ${dist_dir}/man3)
  file(GLOB public_headers ${UPROC_INCLUDE_DIR}/uproc/*.h)
  add_custom_command(OUTPUT ${man3_dir}/stamp
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${man3_dir}
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/scripts/kdoc2man.py
            --version ${PROJECT_VERSION} --out ${man3_dir} ${public_headers}
    COMMAND ${CMAKE_COMMAND} -E touch ${man3_dir}/stamp
    DEPENDS ${public_headers} ${CMAKE_SOURCE_DIR}/scripts/kdoc2man.py
    COMMENT "Section 3 manual pages from the public headers' kernel-doc")
  add_custom_target(uproc_man3 ALL DEPENDS ${man3_dir}/stamp)
  install(DIRECTORY ${man3_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man3 COMPONENT dev
          FILES_MATCHING PATTERN "*.3")
endif()

# systemd: the unit runs the daemon of the prefix installed to (decided at install
# time, so `cmake --install --prefix P` is right too; written straight to its place,
# so installs from one build to several places at once do not meet); sysusers.d
# creates its group.
install(CODE "
  set(sbindir \"${CMAKE_INSTALL_SBINDIR}\")
  if(NOT IS_ABSOLUTE \"\${sbindir}\")
    set(sbindir \"\${CMAKE_INSTALL_PREFIX}/\${sbindir}\")
  endif()
  set(UPROCD_PATH \"\${sbindir}/uprocd\")
  set(unit \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/lib/systemd/system/uprocd.service\")
  message(STATUS \"Installing: \${unit}\")
  configure_file(\"${CMAKE_SOURCE_DIR}/dist/systemd/uprocd.service.in\" \"\${unit}\" @ONLY)
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${unit}\")")
install(FILES ${CMAKE_SOURCE_DIR}/dist/sysusers.d/uproc.conf DESTINATION lib/sysusers.d)
install(FILES ${CMAKE_SOURCE_DIR}/dist/uprocd.conf.example DESTINATION ${CMAKE_INSTALL_DOCDIR})
