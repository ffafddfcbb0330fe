/* SPDX-License-Identifier: MIT */
/*
 * bench_host.h - private to the native-core benchmarks: a host that boots one
 * firmware on a native core, binds a driver to one of its channels and measures
 * what goes through it (round trips, streams, command answers).
 */
#ifndef UPROC_BENCH_HOST_H
#define UPROC_BENCH_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

struct bench_host {
	struct uproc_loop *loop;
	struct rproc *rproc;
	struct rpmsg_driver driver;
	struct rpmsg_device_id ids[2];
	struct rpmsg_endpoint *ept;
	char runtime_dir[64];
	bool shared_loop, shared_dir;

	/* round trips */
	uint64_t *rtt_ns;
	size_t rounds, done;
	uint64_t sent_at;
	size_t size;
	bool from_loop; /* the next ping is sent by the caller, between dispatches */
	/* streams */
	uint64_t received, expected, last_rx_ns, checksum;
	char reply[128];
	bool got_reply;
};

/**
 * struct bench_host_opts - how to open a host.
 * @name:	the core's name (NULL: "bench")
 * @loop:	an event loop to share (NULL: the host makes its own)
 * @runtime_dir: a runtime directory to share (NULL: a fresh one under /tmp)
 * @cpu:	the CPU to pin the core to, or -1
 * @host_spins:	whether the host polls the mailbox after a doorbell (the default)
 * @ram_size:	the core's RAM (0: the default)
 */
struct bench_host_opts {
	const char *name;
	struct uproc_loop *loop;
	const char *runtime_dir;
	int cpu;
	bool host_spins;
	uint64_t ram_size;
};

int host_open(struct bench_host *h, const char *fw, const char *channel,
	      const struct bench_host_opts *o);
/* Boot and wait for the channel; returns the time it took in ns, or 0 on failure. */
uint64_t host_boot(struct bench_host *h);
void host_close(struct bench_host *h);
/* Dispatch the loop until the round trips, the stream or the reply are done. */
int run_until_stopped(struct bench_host *h, unsigned int timeout_s);
/* Send a command to the firmware (the reply lands in h->reply). */
int command(struct bench_host *h, const char *cmd);
/* Send the next round trip's message. */
void send_ping(struct bench_host *h);

#endif
