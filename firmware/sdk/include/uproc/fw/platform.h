/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/platform.h - what a firmware platform provides to the SDK and to the
 * firmware: doorbells, waiting, time, exit. One implementation per platform, in
 * firmware/sdk/platform/<platform>/ (native-x86_64 today; Cortex-M or RISC-V cores
 * would add theirs beside it with their mailbox and timer).
 *
 * The SDK is single-threaded: these functions are called from the firmware's one
 * thread of execution, never concurrently.
 */
#ifndef UPROC_FW_PLATFORM_H
#define UPROC_FW_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A deadline that never comes. */
#define UPROC_FW_FOREVER UINT64_MAX

/**
 * uproc_fw_platform_init() - called by the startup code before main() with what
 * the platform's boot protocol passes (native-x86_64: the control page and the two
 * doorbell fds). Firmware does not call it.
 */
void uproc_fw_platform_init(void *boot_info, long arg1, long arg2);

/**
 * uproc_fw_notify() - tell the host that virtqueue @notifyid has news (ring its
 * doorbell, unless the host is known to be awake).
 */
void uproc_fw_notify(unsigned int notifyid);

/**
 * uproc_fw_poll() - take the host's pending kicks without waiting.
 * Returns the kicked virtqueues as a bit mask (bit n: notifyid n; bit 63: 63 and
 * above), or 0 when none.
 */
uint64_t uproc_fw_poll(void);

/**
 * uproc_fw_wait() - wait for a kick from the host: spin for the platform's spin
 * time, then block until the host rings (native: a blocking read of the doorbell).
 * With a finite @deadline_ns it returns 0 once now() passes it; the native platform
 * has no timer, so past the spin it blocks until the host's next ring and only then
 * notices the deadline.
 * Returns the kicked virtqueues (as uproc_fw_poll()), or 0 (deadline, or a ring
 * without bits: the caller checks every queue).
 */
uint64_t uproc_fw_wait(uint64_t deadline_ns);

/**
 * uproc_fw_host_epoch() - a number that changes whenever a new host takes over the
 * running firmware (attaches after the previous one detached or died). The runtime
 * announces its channels again when it changes. 0 on platforms without attach.
 */
uint32_t uproc_fw_host_epoch(void);

/**
 * uproc_fw_heartbeat() - show the host's watchdog that the firmware makes progress.
 * The runtime's loop and uproc_fw_wait() call it; call it in long computations.
 */
void uproc_fw_heartbeat(void);

/** uproc_fw_now_ns() - monotonic time in nanoseconds (0 if the platform has none). */
uint64_t uproc_fw_now_ns(void);

/** uproc_fw_cpu_relax() - a spin-loop hint (x86: pause). */
void uproc_fw_cpu_relax(void);

/** uproc_fw_exit() - stop the firmware (the host sees the core end: a crash). */
__attribute__((noreturn)) void uproc_fw_exit(int code);

/**
 * uproc_fw_platform_name() - "native-x86_64", ... (for traces).
 */
const char *uproc_fw_platform_name(void);

/* The firmware's own entry point, called by the startup code. */
int main(void);

#endif /* UPROC_FW_PLATFORM_H */
