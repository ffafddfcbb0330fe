/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/runtime.h - the firmware runtime: bring up the vdevs of the resource
 * table once the host is ready, run rpmsg services, and the service loop.
 *
 * A firmware is one C file plus a table:
 *
 *   UPROC_FW_RSC_TABLE_RPMSG(256);
 *
 *   static int on_msg(struct rpmsg_endpoint *ept, void *data, size_t len,
 *                     uint32_t src, void *priv)
 *   {
 *           return rpmsg_sendto(ept, data, len, src);
 *   }
 *
 *   static struct uproc_fw_service echo = { .name = "rpmsg-client-sample",
 *                                           .callback = on_msg };
 *
 *   int main(void)
 *   {
 *           static struct uproc_fw_rpmsg rp;
 *           uproc_fw_rpmsg_init(&rp, &resource_table.vdev);
 *           uproc_fw_rpmsg_add_service(&rp, &echo);
 *           return uproc_fw_run(&rp, NULL, NULL);
 *   }
 *
 * Single-threaded: everything runs on the firmware's one thread. Callbacks run from
 * uproc_fw_run() (and from blocking sends, which serve the queues while they wait).
 *
 * Device addresses: on the native core, Cortex-M and RISC-V a device address is the
 * firmware's own address (memories are mapped at their da), so the runtime
 * translates them one to one over the 32-bit device space [64 KiB, 4 GiB); on MIPS
 * the firmware reaches device address da at kseg0 da + 0x80000000, for [64 KiB,
 * 512 MiB). Big-endian firmware swaps the rings' and rpmsg headers' fields (they
 * are in the host's order, little-endian; uproc/emulated.h).
 */
#ifndef UPROC_FW_RUNTIME_H
#define UPROC_FW_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/port.h"
#include "uproc/rpmsg.h"
#include "uproc/fw/rsc.h"
#include "uproc/shm.h"
#include "uproc/virtio.h"

/* Bytes of the static pool behind the port's alloc (channels from the host, tables). */
#ifndef UPROC_FW_HEAP_SIZE
#define UPROC_FW_HEAP_SIZE (64 * 1024)
#endif

/* Bytes of static storage for one rpmsg device's state. */
#ifndef UPROC_FW_RPMSG_MEM_SIZE
#define UPROC_FW_RPMSG_MEM_SIZE (16 * 1024)
#endif

/**
 * uproc_fw_port() - the SDK's struct uproc_port: no-op lock (one thread), wait =
 * uproc_fw_wait() (spin, then block on the doorbell), now = uproc_fw_now_ns(),
 * alloc/free from a static pool, log lines into the trace buffer.
 */
const struct uproc_port *uproc_fw_port(void);

/** uproc_fw_identity_shm() - the one-to-one window over the device address space. */
const struct uproc_shm *uproc_fw_identity_shm(void);

/**
 * uproc_fw_vdev_wait_ready() - wait until the host has set DRIVER_OK in @vdev's
 * status (the loaded table's entry). Spins, then blocks on the doorbell between
 * checks. Returns 0, or -EIO if the host set FAILED or NEEDS_RESET.
 */
int uproc_fw_vdev_wait_ready(const volatile struct uproc_fw_rsc_vdev2 *vdev);

/**
 * uproc_fw_vq_init() - set up virtqueue @index of @vdev (the device role) over the
 * vring the host placed, for raw virtio devices (console).
 * @state: @vq's per-descriptor storage, @max entries (at least the vring's num)
 * Returns 0, -EINVAL (index, num > @max, a vring at da 0/ANY), or virtqueue_init()'s error.
 */
int uproc_fw_vq_init(struct virtqueue *vq, struct virtqueue_desc_state *state, unsigned int max,
		     const volatile struct uproc_fw_rsc_vdev2 *vdev, unsigned int index);

/**
 * struct uproc_fw_service - an rpmsg channel the firmware announces, with its
 * default endpoint's callback. Caller-owned, static storage.
 * @name:     the channel name (announced to the host)
 * @callback: receives the channel's messages (src: the sender, to answer to)
 * @probe:    optional: the channel exists (rpdev->ept is its endpoint)
 * @priv:     passed to @callback as priv (public, read-write)
 * @ept:      the endpoint, once the channel is up (read-only)
 * The rest is private.
 */
struct uproc_fw_service {
	const char *name;
	rpmsg_rx_cb_t callback;
	int (*probe)(struct rpmsg_device *rpdev);
	void *priv;
	struct rpmsg_endpoint *ept;

	/* private */
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[2];
	struct uproc_fw_service *next;
};

/**
 * struct uproc_fw_rpmsg - one rpmsg vdev of the table, device role. Caller-owned,
 * static storage.
 * @vdev: the rpmsg bus once up (read-only)
 * The rest is private.
 */
struct uproc_fw_rpmsg {
	struct rpmsg_virtio_device *vdev;

	/* private */
	const volatile struct uproc_fw_rsc_vdev2 *rsc;
	unsigned int notifyid[2];
	struct uproc_fw_service *services;
	_Alignas(16) unsigned char mem[UPROC_FW_RPMSG_MEM_SIZE];
};

/**
 * uproc_fw_rpmsg_init() - wait for the host (DRIVER_OK), then bring up the rpmsg
 * device over the vrings and the negotiated features it wrote into @rsc.
 * Returns 0 or -errno (traced).
 */
int uproc_fw_rpmsg_init(struct uproc_fw_rpmsg *rp, const volatile struct uproc_fw_rsc_vdev2 *rsc);

/**
 * uproc_fw_rpmsg_add_service() - create and announce the channel @svc->name with
 * a dynamic address; @svc->callback gets its messages. Returns 0 or -errno.
 */
int uproc_fw_rpmsg_add_service(struct uproc_fw_rpmsg *rp, struct uproc_fw_service *svc);

/**
 * typedef uproc_fw_idle_fn - called by uproc_fw_run() on every round, after the
 * queues were served. Return > 0 when it has more to do right away (the loop then
 * polls instead of blocking), 0 to let the loop wait for the host, < 0 to stop the
 * loop with that value.
 */
typedef int (*uproc_fw_idle_fn)(void *arg);

/**
 * uproc_fw_run() - the service loop: serve @rp's queues (NULL: none), call @idle,
 * wait for the host's next kick; forever, or until @idle returns < 0 (returned).
 */
int uproc_fw_run(struct uproc_fw_rpmsg *rp, uproc_fw_idle_fn idle, void *arg);

/**
 * uproc_fw_pending_kicks() - kicks that arrived while the firmware waited inside a
 * blocking send (the port's wait); taken and cleared. For loops of their own.
 */
uint64_t uproc_fw_pending_kicks(void);

#endif /* UPROC_FW_RUNTIME_H */
