/* SPDX-License-Identifier: MIT */
/*
 * pair.h - two rpmsg peers in one process over one shared region: a host
 * (driver role) and a remote (device role), as the tests and the fuzzer use them.
 */
#ifndef UPROC_TEST_RPMSG_PAIR_H
#define UPROC_TEST_RPMSG_PAIR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "uproc/port.h"
#include "uproc/rpmsg.h"

#define PAIR_DA 0x10000000u

struct pair {
	uint8_t *mem;
	uint64_t mem_size;
	struct uproc_shm shm;
	struct uproc_port *hport, *dport;
	struct rpmsg_virtio_config hcfg, dcfg;
	struct rpmsg_virtio_device *host, *dev;
	uint64_t vring_da[2], buf_da;
	atomic_int host_kicked;   /* the device notified the host */
	atomic_int dev_kicked;    /* the host notified the device */
	atomic_int broken[2][2];  /* [host, dev][vq] */
	atomic_int badmsg[2];     /* [host, dev] -EBADMSG reports */
	atomic_int tx_ready[2];
	atomic_int channels[2][2];  /* [host, dev][destroyed, created] announcements seen */
	void *host_mem;           /* caller-provided storage of the host (for death) */
};

/*
 * pair_open() - a host over vrings of @num entries and @buf_count buffers
 * (0 = default), then the device. @features: what the resource table offers.
 */
int pair_open(struct pair *p, unsigned int num, uint32_t buf_count, uint64_t features);
/* pair_host_open() - (re)create only the host, in @attach mode or reset. */
int pair_host_open(struct pair *p, bool attach);
/* pair_dev_open() - create the device with the host's negotiated features. */
int pair_dev_open(struct pair *p);
/* pair_pump() - run both kick handlers until neither has work. Returns messages. */
int pair_pump(struct pair *p);
/* pair_has_channel() - does @bus have a channel @name (to @dst unless ANY)? */
bool pair_has_channel(struct rpmsg_virtio_device *bus, const char *name, uint32_t dst);
/* pair_close() - tear both down. */
void pair_close(struct pair *p);

#endif
