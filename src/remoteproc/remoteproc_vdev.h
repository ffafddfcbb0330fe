/* SPDX-License-Identifier: MIT */
/*
 * remoteproc_vdev.h - a virtio device of the resource table (Linux's rproc_vdev):
 * its vrings and buffer area, and the host side of the device on top of them (an
 * rpmsg bus for id 7, two raw queues for a console, id 3). Private to src/remoteproc.
 */
#ifndef UPROC_REMOTEPROC_VDEV_H
#define UPROC_REMOTEPROC_VDEV_H

#include <pthread.h>

#include "remoteproc_internal.h"
#include "uproc/port.h"
#include "uproc/rpmsg.h"
#include "uproc/virtio.h"

/* Host buffers of a console: bytes each. */
#define RPROC_CONSOLE_BUF_SIZE 256u

struct rproc_vring {
	struct rproc_mem_entry *mem;
	uint64_t da;		/* the ring's device address, inside @mem */
	uint32_t num;
	uint32_t align;
	int notifyid;
	uint32_t rsc_offset;	/* of its struct rproc_rsc_vdev_vring */
	struct uproc_shm shm;
};

struct rproc_vdev {
	struct rproc_subdev subdev;
	struct rproc *rproc;
	unsigned int index;
	uint32_t id;
	uint32_t rsc_offset;	/* of its struct rproc_rsc_hdr */
	uint32_t dfeatures;
	uint32_t gfeatures;
	unsigned int num_vrings;
	struct rproc_vring vring[UPROC_RSC_MAX_VRINGS];
	struct rproc_mem_entry *buf_mem;
	struct uproc_shm buf_shm;
	bool attaching;		/* rebuild from live rings instead of resetting */
	bool inert;		/* no driver here (unknown id, unusable shape): never
				 * started, but it holds its index and notifyids */
	bool started;		/* up; false again from the start of its stop */

	/* rpmsg (id 7): the bus owns its port (struct rproc_bus_owner) */
	struct rpmsg_virtio_device *bus;
	int64_t rx_more_timer;	/* the bus stopped at its rx batch: served again; or -1 */

	/* console (id 3) */
	pthread_mutex_t con_lock;
	struct virtqueue vq[2];
	struct virtqueue_desc_state *vq_state[2];
	unsigned int con_rx_count;
	unsigned int con_tx_count;
	bool *con_tx_busy;
	bool con_tx_waiting;	/* a write found no free buffer: say when one is back */
	int con_broken[2];	/* a queue the remote broke, reported after con_lock */
};

/* remoteproc_vdev.c */
void upi_rproc_vdev_get_hooks(struct rproc *rproc, struct rproc_vdev_hooks *out);
void upi_rproc_vdev_kick_remote(struct rproc_vdev *rvdev, unsigned int vq_index);
void upi_rproc_vdev_broken(struct rproc_vdev *rvdev, unsigned int vq_index, int err);

/*
 * remoteproc_console.c: upi_rproc_console_start() once the rings are placed,
 * upi_rproc_console_free() when the vdev stops, upi_rproc_console_service() on a kick,
 * upi_rproc_console_queue() for rproc_console_write().
 */
int upi_rproc_console_start(struct rproc_vdev *rvdev);
void upi_rproc_console_free(struct rproc_vdev *rvdev);
void upi_rproc_console_service(struct rproc_vdev *rvdev);
ssize_t upi_rproc_console_queue(struct rproc_vdev *rvdev, const void *data, size_t len);

#endif /* UPROC_REMOTEPROC_VDEV_H */
