/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/layout.h - the firmware's memory layout as C constants. The build passes
 * the same numbers to the compiler (-D) and to the linker script (--defsym), see
 * uproc_add_native_firmware() in firmware/sdk/uproc_firmware.cmake.
 */
#ifndef UPROC_FW_LAYOUT_H
#define UPROC_FW_LAYOUT_H

#if !defined(UPROC_FW_RAM_DA) || !defined(UPROC_FW_RAM_SIZE) || \
	!defined(UPROC_FW_TRACE_SIZE) || !defined(UPROC_FW_STACK_SIZE)
#error "build firmware with uproc_add_native_firmware(): it defines the memory layout"
#endif

/* The trace buffer occupies the top of RAM (firmware.ld). */
#define UPROC_FW_TRACE_DA (UPROC_FW_RAM_DA + UPROC_FW_RAM_SIZE - UPROC_FW_TRACE_SIZE)

#endif /* UPROC_FW_LAYOUT_H */
