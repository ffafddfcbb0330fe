# uproc firmware SDK: build rules for native-core firmware (x86-64, freestanding).
#
#   include(${CMAKE_SOURCE_DIR}/firmware/sdk/uproc_firmware.cmake)
#   uproc_add_native_firmware(NAME
#       SOURCES a.c b.c ...           the firmware's own sources
#       [RPMSG]                       link the SDK runtime and the virtio/rpmsg core
#       [RAM_DA addr] [RAM_SIZE n]    default 0x100000, 0x200000 (uproc/native.h)
#       [STACK_SIZE n] [TRACE_SIZE n] default 0x10000, 0x4000
#       [INCLUDES dirs...] [DEFINES defs...])
#
# Produces ${CMAKE_BINARY_DIR}/firmware/NAME.elf, built by the target uproc_fw_NAME
# (part of "all"). The target's property UPROC_FIRMWARE_FILE holds the path.
#
# The firmware is compiled by the build's C compiler (gcc or clang) called directly
# with its own flags: none of the host's options (sanitizers, PIE, coverage) apply.
# Decisions: -O2 -g; -ffreestanding -nostdlib -static -fno-pic -no-pie; no stack
# protector (no TLS canary in a core); no unwind tables; CET off. The red zone is
# kept: nothing asynchronous ever runs on the firmware's stack (the stub's fault
# handler runs on its own alternate stack and never returns).
# Included by every folder that builds firmware (variables are per directory).

set(UPROC_FW_SDK_DIR ${CMAKE_CURRENT_LIST_DIR})
set(UPROC_FW_PLATFORM_DIR ${UPROC_FW_SDK_DIR}/platform/native-x86_64)

# Can the compiler build native-core firmware here?
set(UPROC_FW_SUPPORTED OFF)
if(CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND
   CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
  set(UPROC_FW_SUPPORTED ON)
endif()

set(UPROC_FW_CFLAGS
  -std=c11 -O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector
  -fno-asynchronous-unwind-tables -fno-unwind-tables -fcf-protection=none
  -ffunction-sections -fdata-sections -fno-common
  -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wno-unused-parameter)
# gcc links position-dependent only when told; clang does by default with -static.
set(UPROC_FW_NO_PIE "")
if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
  set(UPROC_FW_NO_PIE -no-pie)
  # Keep the compiler from turning libc.c's loops into calls to themselves.
  list(APPEND UPROC_FW_CFLAGS -fno-tree-loop-distribute-patterns)
endif()

# uproc_fw_sdk_sources(out_var RPMSG): the SDK's own sources (and, with RPMSG, the
# runtime plus the freestanding virtio and rpmsg core of src/).
function(uproc_fw_sdk_sources out rpmsg)
  set(srcs
    ${UPROC_FW_PLATFORM_DIR}/crt0.S
    ${UPROC_FW_PLATFORM_DIR}/platform.c
    ${UPROC_FW_SDK_DIR}/src/libc.c
    ${UPROC_FW_SDK_DIR}/src/trace.c)
  if(rpmsg)
    # src/virtio and src/rpmsg publish their freestanding sources.
    set(virtio_srcs ${UPROC_VIRTIO_SOURCES})
    set(rpmsg_srcs ${UPROC_RPMSG_SOURCES})
    if(NOT virtio_srcs)
      file(GLOB virtio_srcs ${CMAKE_SOURCE_DIR}/src/virtio/*.c)
    endif()
    if(NOT rpmsg_srcs)
      file(GLOB rpmsg_srcs ${CMAKE_SOURCE_DIR}/src/rpmsg/*.c)
    endif()
    list(APPEND srcs ${UPROC_FW_SDK_DIR}/src/port.c ${UPROC_FW_SDK_DIR}/src/runtime.c
         ${virtio_srcs} ${rpmsg_srcs})
  endif()
  set(${out} ${srcs} PARENT_SCOPE)
endfunction()

function(uproc_add_native_firmware name)
  cmake_parse_arguments(FW "RPMSG" "RAM_DA;RAM_SIZE;STACK_SIZE;TRACE_SIZE"
                        "SOURCES;INCLUDES;DEFINES" ${ARGN})
  if(NOT UPROC_FW_SUPPORTED)
    message(STATUS "firmware ${name}: needs an x86-64 host and gcc or clang, skipped")
    return()
  endif()
  foreach(v RAM_DA:0x100000 RAM_SIZE:0x200000 STACK_SIZE:0x10000 TRACE_SIZE:0x4000)
    string(REPLACE ":" ";" kv ${v})
    list(GET kv 0 k)
    list(GET kv 1 d)
    if(NOT FW_${k})
      set(FW_${k} ${d})
    endif()
  endforeach()

  set(outdir ${CMAKE_BINARY_DIR}/firmware)
  set(objdir ${CMAKE_CURRENT_BINARY_DIR}/fw-${name}.objs)
  file(MAKE_DIRECTORY ${outdir} ${objdir})
  set(elf ${outdir}/${name}.elf)

  set(incs -I${UPROC_FW_SDK_DIR}/include -I${UPROC_INCLUDE_DIR})
  foreach(d ${FW_INCLUDES})
    list(APPEND incs -I${d})
  endforeach()
  set(defs -DUPROC_FW_RAM_DA=${FW_RAM_DA} -DUPROC_FW_RAM_SIZE=${FW_RAM_SIZE}
           -DUPROC_FW_STACK_SIZE=${FW_STACK_SIZE} -DUPROC_FW_TRACE_SIZE=${FW_TRACE_SIZE})
  foreach(d ${FW_DEFINES})
    list(APPEND defs -D${d})
  endforeach()

  uproc_fw_sdk_sources(sdk_srcs "${FW_RPMSG}")
  set(objs "")
  set(i 0)
  foreach(src ${sdk_srcs} ${FW_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME_WE)
    set(obj ${objdir}/${i}-${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${CMAKE_C_COMPILER} ${UPROC_FW_CFLAGS} ${incs} ${defs}
              -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "Firmware ${name}: compiling ${base}"
      VERBATIM)
    list(APPEND objs ${obj})
    math(EXPR i "${i} + 1")
  endforeach()

  set(ld ${UPROC_FW_PLATFORM_DIR}/firmware.ld)
  add_custom_command(OUTPUT ${elf}
    COMMAND ${CMAKE_C_COMPILER} -nostdlib -static ${UPROC_FW_NO_PIE} -fuse-ld=bfd
            -Wl,--build-id=none -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack
            -Wl,--gc-sections -Wl,--no-warn-rwx-segments
            -Wl,--defsym=__uproc_ram_da=${FW_RAM_DA}
            -Wl,--defsym=__uproc_ram_size=${FW_RAM_SIZE}
            -Wl,--defsym=__uproc_stack_size=${FW_STACK_SIZE}
            -Wl,--defsym=__uproc_trace_size=${FW_TRACE_SIZE}
            -Wl,-T,${ld} ${objs} -o ${elf}
    DEPENDS ${objs} ${ld}
    COMMENT "Firmware ${name}: linking ${name}.elf"
    VERBATIM)
  add_custom_target(uproc_fw_${name} ALL DEPENDS ${elf})
  set_target_properties(uproc_fw_${name} PROPERTIES UPROC_FIRMWARE_FILE ${elf})
endfunction()
