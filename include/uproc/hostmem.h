/* SPDX-License-Identifier: MIT */
/*
 * uproc/hostmem.h - the host-memory backend: a remote processor that is a thread
 * of this process, over plain host memory.
 *
 * What it is for: simulating a remote processor (developing host programs before
 * the hardware exists, testing the remoteproc core and rpmsg users without a real
 * core, running two ends of a protocol in one debugger). The firmware image is
 * loaded exactly as on a real core (segments at their device addresses, the
 * resource table handled and copied into device memory), but what runs is a C
 * function of this process, its "firmware main", given the core's view: device
 * addresses, the loaded resource table, two doorbells. It can bring up the device
 * side of an rpmsg vdev with uproc/rpmsg.h (uproc_hostmem_rpmsg_init()).
 *
 * Cores live on a board (struct uproc_hostmem), not in an rproc: a core whose rproc
 * detaches keeps running with its memory, and a new rproc (a "new host") on the same
 * board finds it (ops->probe_running) and attaches without restarting it.
 *
 * Memory: a fixed-da request is backed by its own allocation at that da (or shares
 * the region that wholly contains it, like a trace carveout inside the RAM); requests
 * with RPROC_RSC_ADDR_ANY are carved from one window per core (UPROC_HOSTMEM_WINDOW_DA,
 * window_size bytes), so the device side can translate every buffer address the
 * host gives it through that window.
 *
 * Doorbells: a pending-bit mailbox each way; host to core wakes a condition
 * variable, core to host writes an eventfd the rproc's loop watches, whose handler
 * calls rproc_vq_interrupt(). A firmware main that returns non-zero (or calls
 * uproc_hostmem_crash()) is reported as a crash (RPROC_FATAL_ERROR) on the loop.
 *
 * Library: uproc_hostmem (links uproc_remoteproc, uproc_rpmsg, uproc_loop).
 * Threading: rproc ops run under the rproc's lifecycle lock; the core's functions
 * below are for the firmware thread.
 */
#ifndef UPROC_HOSTMEM_H
#define UPROC_HOSTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rproc;
struct uproc_loop;
struct uproc_port;
struct rpmsg_virtio_device;
struct uproc_hostmem;
struct uproc_hostmem_core;

#define UPROC_HOSTMEM_WINDOW_DA 0x10000000u
#define UPROC_HOSTMEM_WINDOW_SIZE (4u << 20)

/**
 * typedef uproc_hostmem_main_fn - the firmware: runs on the core's own thread from
 * start (or a restart after recovery) until it returns. It must return soon after
 * uproc_hostmem_should_stop() becomes true (uproc_hostmem_wait() returns
 * -ESHUTDOWN then). Returns 0 (stopped) or non-zero (crashed).
 */
typedef int (*uproc_hostmem_main_fn)(struct uproc_hostmem_core *core, void *arg);

/**
 * struct uproc_hostmem_config - a core.
 * @name:        the rproc's and the core's name (board-unique)
 * @main:        the firmware main
 * @arg:         its argument
 * @window_size: bytes of the window for RPROC_RSC_ADDR_ANY memories (0: default)
 * @handle_rsc:  optional: the vendor resources (types 128..512) of the firmware's
 *               table, as struct rproc_ops's handle_rsc, given @arg last
 *               (without it they are ignored, RPROC_RSC_IGNORED)
 */
struct uproc_hostmem_config {
	const char *name;
	uproc_hostmem_main_fn main;
	void *arg;
	size_t window_size;
	int (*handle_rsc)(struct rproc *rproc, uint32_t rsc_type, void *rsc, int offset,
			  int avail, void *arg);
};

/** uproc_hostmem_new() - a board. Returns 0 or -ENOMEM. */
int uproc_hostmem_new(struct uproc_hostmem **out);

/**
 * uproc_hostmem_free() - stop every core still running (joining their threads) and
 * free the board. Every rproc of the board must have been freed.
 */
void uproc_hostmem_free(struct uproc_hostmem *board);

/**
 * uproc_hostmem_rproc_alloc() - an rproc whose remote is core @cfg->name of @board.
 * @firmware: the image to load (copied; may be NULL)
 * Returns the rproc (OFFLINE; rproc_add() attaches if the core already runs) or
 * NULL (bad configuration, no memory). Free it with rproc_del() + rproc_free().
 */
struct rproc *uproc_hostmem_rproc_alloc(struct uproc_hostmem *board, struct uproc_loop *loop,
					const struct uproc_hostmem_config *cfg,
					const char *firmware);

/* ---- the firmware's side (call from the firmware main) ------------------------------ */

/** uproc_hostmem_da_to_va() - the core's memory at [da, da + len), or NULL. */
void *uproc_hostmem_da_to_va(struct uproc_hostmem_core *core, uint64_t da, size_t len);

/**
 * uproc_hostmem_rsc_table() - the loaded resource table (device memory) and its
 * size, as the firmware sees its own ".resource_table" section. NULL if none.
 */
void *uproc_hostmem_rsc_table(struct uproc_hostmem_core *core, size_t *size);

/**
 * uproc_hostmem_wait() - wait for a kick from the host, up to @timeout_ms (-1:
 * forever). Returns the pending notifyid bits (bit 63: 63 and up), 0 on timeout, or
 * -ESHUTDOWN when the core must stop.
 */
int64_t uproc_hostmem_wait(struct uproc_hostmem_core *core, int timeout_ms);

/** uproc_hostmem_kick() - ring the host's doorbell for virtqueue @notifyid. */
void uproc_hostmem_kick(struct uproc_hostmem_core *core, unsigned int notifyid);

/** uproc_hostmem_should_stop() - the host stops this core: return from main. */
bool uproc_hostmem_should_stop(struct uproc_hostmem_core *core);

/**
 * uproc_hostmem_crash() - report a crash now (the main should then return non-zero
 * or wait for the stop). @code goes into the coredump's note.
 */
void uproc_hostmem_crash(struct uproc_hostmem_core *core, int code);

/** uproc_hostmem_boot_count() - starts of this core so far (1 on the first run). */
unsigned int uproc_hostmem_boot_count(struct uproc_hostmem_core *core);

/**
 * uproc_hostmem_rpmsg_init() - the device side of rpmsg vdev @vdev_index (counting
 * vdev entries of the loaded table from 0): waits up to @timeout_ms for the host's
 * DRIVER_OK, then brings the bus up over the vrings the host placed, with the
 * features the host wrote. Serve it with rpmsg_virtio_handle_kick() after each
 * uproc_hostmem_wait(); tear it down with rpmsg_virtio_deinit().
 * @port: the firmware's port (e.g. uproc_port_posix_new()), outlives the bus
 * Returns 0, -ETIMEDOUT, -ESHUTDOWN, -ENOENT (no such vdev) or an rpmsg error.
 */
int uproc_hostmem_rpmsg_init(struct uproc_hostmem_core *core, unsigned int vdev_index,
			     const struct uproc_port *port, int timeout_ms,
			     struct rpmsg_virtio_device **out);

#endif /* UPROC_HOSTMEM_H */
