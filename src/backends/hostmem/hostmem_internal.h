/* SPDX-License-Identifier: MIT */
/*
 * hostmem_internal.h - the host-memory backend's private declarations: the board,
 * its cores (thread, mailboxes, memory) and the device-side rpmsg state.
 */
#ifndef UPROC_HOSTMEM_INTERNAL_H
#define UPROC_HOSTMEM_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hostutil.h"
#include "uproc/hostmem.h"
#include "uproc/shm.h"

#define HM_NAME_MAX 64
#define HM_MAX_REGIONS 32
#define HM_MAX_DEVS 4

struct hm_region {
	char name[32];
	uint64_t da;
	size_t len;
	uint8_t *va;
	bool in_window;
	bool alias;		/* inside another region, which owns the memory */
	bool used;
};

/* Device-side state of one rpmsg vdev (what the notify hook needs). */
struct hm_dev {
	struct uproc_hostmem_core *core;
	unsigned int notifyid[2];
	struct uproc_shm ring[2];
	struct uproc_shm buf;
};

struct uproc_hostmem_core {
	struct uproc_hostmem *board;
	struct uproc_hostmem_core *next;
	char name[HM_NAME_MAX];
	uproc_hostmem_main_fn main;
	void *arg;
	int (*handle_rsc)(struct rproc *rproc, uint32_t rsc_type, void *rsc, int offset,
			  int avail, void *arg);

	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t to_core;	/* pending notifyid bits, host -> core */
	bool stop;
	bool running;		/* the thread runs the main */
	bool thread_valid;	/* joinable */
	pthread_t thread;
	unsigned int boots;
	int exit_code;

	/* core -> host */
	int efd;
	_Atomic uint64_t to_host;
	_Atomic int crash_code;	/* non-zero: a crash to report */
	bool fd_watched;
	struct uproc_loop *loop;
	struct rproc *rproc;	/* the host driving it, NULL while detached */

	/* memory, kept while the core runs detached */
	uint8_t *window;
	size_t window_size;
	size_t window_used;
	struct hm_region regions[HM_MAX_REGIONS];

	/* the loaded resource table (inside a region) */
	uint8_t *table;
	size_t table_size;
	enum uproc_byte_order order;

	struct hm_dev devs[HM_MAX_DEVS];
};

struct uproc_hostmem {
	pthread_mutex_t lock;
	struct uproc_hostmem_core *cores;
};

#endif /* UPROC_HOSTMEM_INTERNAL_H */
