# uproc firmware SDK: build rules for firmware of every platform uproc runs.
#
#   include(${CMAKE_SOURCE_DIR}/firmware/sdk/uproc_firmware.cmake)
#   (installed: include(${UPROC_FIRMWARE_SDK_DIR}/uproc_firmware.cmake) after
#   find_package(uproc), or <prefix>/share/uproc/firmware-sdk/uproc_firmware.cmake)
#   uproc_add_firmware(NAME
#       [PLATFORM p]                  native-x86_64 (default), cortex-m, riscv32,
#                                     mips32be, mips32le
#       SOURCES a.c b.c ...           the firmware's own sources
#       [RPMSG]                       link the SDK runtime and the virtio/rpmsg core
#       [CPU cpu]                     cortex-m only: -mcpu (default cortex-m4)
#       [RAM_DA addr] [RAM_SIZE n]    default 0x100000, 0x200000
#       [STACK_SIZE n] [TRACE_SIZE n] default 0x10000, 0x4000
#       [INCLUDES dirs...] [DEFINES defs...])
#   uproc_add_native_firmware(NAME ...)   = uproc_add_firmware(NAME PLATFORM native-x86_64 ...)
#
# Produces ${CMAKE_BINARY_DIR}/firmware/NAME.elf, built by the target uproc_fw_NAME
# (part of "all"). The target's property UPROC_FIRMWARE_FILE holds the path.
# uproc_firmware_platform_supported(p out_var) says whether p can be built here
# (its compiler found); a platform that cannot is skipped with a message.
#
# The firmware is compiled by the platform's compiler called directly with its own
# flags: none of the host's options (sanitizers, PIE, coverage) apply.
#   native-x86_64  the build's C compiler (gcc or clang); CET off; the red zone is
#                  kept (nothing asynchronous runs on the firmware's stack)
#   cortex-m       arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
#   riscv32        riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -mcmodel=medlow
#   mips32be/le    mips-linux-gnu-gcc / mipsel-linux-gnu-gcc -EB/-EL -march=mips32r2
#                  -mno-abicalls -fno-pic -G0 -msoft-float, linked in kseg0
# Common: -O2 -g -ffreestanding -nostdlib -static -fno-stack-protector, no unwind
# tables, the project's warnings as errors. The emulated platforms link libgcc for
# 64-bit division (MIPS: the SDK's own, platform/mips32/libgcc.c).

set(UPROC_FW_SDK_DIR ${CMAKE_CURRENT_LIST_DIR})
# Installed (share/uproc/firmware-sdk), the public headers are in <prefix>/include.
if(NOT UPROC_INCLUDE_DIR)
  get_filename_component(UPROC_INCLUDE_DIR ${UPROC_FW_SDK_DIR}/../../../include ABSOLUTE)
endif()
set(UPROC_FW_PLATFORMS native-x86_64 cortex-m riscv32 mips32be mips32le)

set(UPROC_FW_COMMON_CFLAGS
  -std=c11 -O2 -g -ffreestanding -fno-pic -fno-stack-protector
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  -ffunction-sections -fdata-sections -fno-common
  -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wno-unused-parameter)

find_program(UPROC_FW_ARM_CC arm-none-eabi-gcc)
find_program(UPROC_FW_RISCV_CC riscv64-unknown-elf-gcc)
find_program(UPROC_FW_MIPS_CC mips-linux-gnu-gcc)
find_program(UPROC_FW_MIPSEL_CC mipsel-linux-gnu-gcc)

# uproc_firmware_platform_supported(PLATFORM OUT): ON when PLATFORM builds here.
function(uproc_firmware_platform_supported platform out)
  set(ok OFF)
  if(platform STREQUAL "native-x86_64")
    if(CMAKE_HOST_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64" AND
       CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
      set(ok ON)
    endif()
  elseif(platform STREQUAL "cortex-m" AND UPROC_FW_ARM_CC)
    set(ok ON)
  elseif(platform STREQUAL "riscv32" AND UPROC_FW_RISCV_CC)
    set(ok ON)
  elseif(platform STREQUAL "mips32be" AND UPROC_FW_MIPS_CC)
    set(ok ON)
  elseif(platform STREQUAL "mips32le" AND UPROC_FW_MIPSEL_CC)
    set(ok ON)
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

# Kept for folders that test it: native-x86_64 builds here.
uproc_firmware_platform_supported(native-x86_64 UPROC_FW_SUPPORTED)

# uproc_fw_platform(PLATFORM CPU): sets in the caller fw_cc, fw_cflags (compile),
# fw_ldflags (link, before the objects), fw_libs (after them), fw_srcs (the
# platform's startup and platform layer), fw_ld (linker script), fw_va_offset.
macro(uproc_fw_platform platform cpu)
  set(fw_srcs "")
  set(fw_libs "")
  set(fw_va_offset 0)
  set(emu ${UPROC_FW_SDK_DIR}/platform/emulated)
  if(${platform} STREQUAL "native-x86_64")
    set(dir ${UPROC_FW_SDK_DIR}/platform/native-x86_64)
    set(fw_cc ${CMAKE_C_COMPILER})
    set(fw_cflags -fno-pie -fcf-protection=none)
    set(fw_ldflags -no-pie -fuse-ld=bfd -Wl,-z,noexecstack)
    if(CMAKE_C_COMPILER_ID STREQUAL "GNU")
      # Keep the compiler from turning libc.c's loops into calls to themselves.
      list(APPEND fw_cflags -fno-tree-loop-distribute-patterns)
    else()
      set(fw_ldflags -fuse-ld=bfd -Wl,-z,noexecstack)
    endif()
    set(fw_srcs ${dir}/crt0.S ${dir}/platform.c)
    set(fw_ld ${dir}/firmware.ld)
  else()
    set(fw_ld ${emu}/firmware.ld)
    set(fw_ldflags -Wl,-z,noexecstack)
    set(fw_cflags -fno-tree-loop-distribute-patterns -I${emu})
    if(${platform} STREQUAL "cortex-m")
      set(dir ${UPROC_FW_SDK_DIR}/platform/cortex-m)
      set(fw_cc ${UPROC_FW_ARM_CC})
      list(APPEND fw_cflags -mcpu=${cpu} -mthumb -mfloat-abi=soft)
      list(APPEND fw_ldflags -mcpu=${cpu} -mthumb -mfloat-abi=soft -Wl,-e,Reset_Handler)
      set(fw_libs -lgcc)
    elseif(${platform} STREQUAL "riscv32")
      set(dir ${UPROC_FW_SDK_DIR}/platform/riscv32)
      set(fw_cc ${UPROC_FW_RISCV_CC})
      list(APPEND fw_cflags -march=rv32imac_zicsr_zifencei -mabi=ilp32 -mcmodel=medlow)
      list(APPEND fw_ldflags -march=rv32imac -mabi=ilp32 -Wl,-e,_start)
      set(fw_libs -lgcc)
    else()
      set(dir ${UPROC_FW_SDK_DIR}/platform/mips32)
      if(${platform} STREQUAL "mips32be")
        set(fw_cc ${UPROC_FW_MIPS_CC})
        set(endian -EB)
      else()
        set(fw_cc ${UPROC_FW_MIPSEL_CC})
        set(endian -EL)
      endif()
      set(mips_flags ${endian} -march=mips32r2 -mno-abicalls -fno-pic -G0 -msoft-float)
      list(APPEND fw_cflags ${mips_flags} -mno-shared)
      list(APPEND fw_ldflags ${mips_flags} -Wl,-e,_start)
      set(fw_srcs ${dir}/libgcc.c)
      set(fw_va_offset 0x80000000)
    endif()
    list(APPEND fw_srcs ${dir}/crt.S ${dir}/arch.c ${emu}/platform.c)
  endif()
endmacro()

# uproc_fw_sdk_sources(out_var RPMSG): the SDK's shared sources (and, with RPMSG,
# the runtime plus the freestanding virtio and rpmsg core of src/).
function(uproc_fw_sdk_sources out rpmsg)
  set(srcs ${UPROC_FW_SDK_DIR}/src/libc.c ${UPROC_FW_SDK_DIR}/src/trace.c)
  if(rpmsg)
    # src/virtio and src/rpmsg publish their freestanding sources.
    set(virtio_srcs ${UPROC_VIRTIO_SOURCES})
    set(rpmsg_srcs ${UPROC_RPMSG_SOURCES})
    # Installed, the SDK carries them in core/ (cmake/uproc_install.cmake).
    set(core ${CMAKE_SOURCE_DIR}/src)
    if(EXISTS ${UPROC_FW_SDK_DIR}/core/virtio)
      set(core ${UPROC_FW_SDK_DIR}/core)
    endif()
    if(NOT virtio_srcs)
      file(GLOB virtio_srcs ${core}/virtio/*.c)
    endif()
    if(NOT rpmsg_srcs)
      file(GLOB rpmsg_srcs ${core}/rpmsg/*.c)
    endif()
    list(APPEND srcs ${UPROC_FW_SDK_DIR}/src/port.c ${UPROC_FW_SDK_DIR}/src/runtime.c
         ${virtio_srcs} ${rpmsg_srcs})
  endif()
  set(${out} ${srcs} PARENT_SCOPE)
endfunction()

function(uproc_add_firmware name)
  cmake_parse_arguments(FW "RPMSG" "PLATFORM;CPU;RAM_DA;RAM_SIZE;STACK_SIZE;TRACE_SIZE"
                        "SOURCES;INCLUDES;DEFINES" ${ARGN})
  if(NOT FW_PLATFORM)
    set(FW_PLATFORM native-x86_64)
  endif()
  if(NOT FW_PLATFORM IN_LIST UPROC_FW_PLATFORMS)
    message(FATAL_ERROR "firmware ${name}: unknown platform ${FW_PLATFORM} (one of ${UPROC_FW_PLATFORMS})")
  endif()
  uproc_firmware_platform_supported(${FW_PLATFORM} ok)
  if(NOT ok)
    message(STATUS "firmware ${name}: no compiler for ${FW_PLATFORM} here, skipped")
    return()
  endif()
  if(NOT FW_CPU)
    set(FW_CPU cortex-m4)
  endif()
  foreach(v RAM_DA:0x100000 RAM_SIZE:0x200000 STACK_SIZE:0x10000 TRACE_SIZE:0x4000)
    string(REPLACE ":" ";" kv ${v})
    list(GET kv 0 k)
    list(GET kv 1 d)
    if(NOT FW_${k})
      set(FW_${k} ${d})
    endif()
  endforeach()
  uproc_fw_platform(${FW_PLATFORM} ${FW_CPU})

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
  foreach(src ${fw_srcs} ${sdk_srcs} ${FW_SOURCES})
    get_filename_component(abs ${src} ABSOLUTE)
    get_filename_component(base ${src} NAME_WE)
    set(obj ${objdir}/${i}-${base}.o)
    add_custom_command(OUTPUT ${obj}
      COMMAND ${fw_cc} ${UPROC_FW_COMMON_CFLAGS} ${fw_cflags} ${incs} ${defs}
              -MD -MF ${obj}.d -c ${abs} -o ${obj}
      DEPENDS ${abs}
      DEPFILE ${obj}.d
      COMMENT "Firmware ${name}: compiling ${base}"
      VERBATIM)
    list(APPEND objs ${obj})
    math(EXPR i "${i} + 1")
  endforeach()

  add_custom_command(OUTPUT ${elf}
    COMMAND ${fw_cc} -nostdlib -static ${fw_ldflags}
            -Wl,--build-id=none -Wl,-z,max-page-size=0x1000
            -Wl,--gc-sections -Wl,--no-warn-rwx-segments
            -Wl,--defsym=__uproc_ram_da=${FW_RAM_DA}
            -Wl,--defsym=__uproc_ram_size=${FW_RAM_SIZE}
            -Wl,--defsym=__uproc_stack_size=${FW_STACK_SIZE}
            -Wl,--defsym=__uproc_trace_size=${FW_TRACE_SIZE}
            -Wl,--defsym=__uproc_va_offset=${fw_va_offset}
            -Wl,-T,${fw_ld} ${objs} ${fw_libs} -o ${elf}
    DEPENDS ${objs} ${fw_ld}
    COMMENT "Firmware ${name}: linking ${name}.elf (${FW_PLATFORM})"
    VERBATIM)
  add_custom_target(uproc_fw_${name} ALL DEPENDS ${elf})
  set_target_properties(uproc_fw_${name} PROPERTIES UPROC_FIRMWARE_FILE ${elf}
                        UPROC_FIRMWARE_PLATFORM ${FW_PLATFORM})
endfunction()

function(uproc_add_native_firmware name)
  uproc_add_firmware(${name} PLATFORM native-x86_64 ${ARGN})
endfunction()
