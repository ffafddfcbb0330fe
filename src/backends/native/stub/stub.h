/* SPDX-License-Identifier: MIT */
/*
 * stub.h - the native core's stub program, private declarations.
 *
 * Command line (built by the host, see core_process.c):
 *   uproc-native-stub --in FD --out FD --entry HEX [--cpu N]
 *                     --region FD,DA,SIZE,FLAGS ...
 * FLAGS: letters r w x (protection in the core) and c (this region is the control
 * page). Numbers are decimal or 0x-prefixed hexadecimal.
 */
#ifndef UPROC_NATIVE_STUB_H
#define UPROC_NATIVE_STUB_H

/* Most regions one core maps. */
#define STUB_MAX_REGIONS 64

/**
 * stub_sandbox() - install the seccomp filter allowing only read(@doorbell_in),
 * write(@doorbell_out), exit and exit_group. Returns 0 or -errno.
 */
int stub_sandbox(int doorbell_in, int doorbell_out);

#endif /* UPROC_NATIVE_STUB_H */
