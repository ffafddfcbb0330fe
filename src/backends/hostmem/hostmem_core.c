// SPDX-License-Identifier: MIT
/*
 * hostmem_core.c - the firmware's side of a host-memory core: its memory, its
 * resource table, its doorbells, and the device side of an rpmsg vdev.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostmem_internal.h"
#include "uproc/fwimage.h"
#include "uproc/rpmsg.h"

void *uproc_hostmem_da_to_va(struct uproc_hostmem_core *core, uint64_t da, size_t len)
{
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		const struct hm_region *r = &core->regions[i];

		if (r->used && da >= r->da && uproc_range_ok(da - r->da, len, r->len))
			return r->va + (da - r->da);
	}
	return NULL;
}

void *uproc_hostmem_rsc_table(struct uproc_hostmem_core *core, size_t *size)
{
	if (size)
		*size = core->table ? core->table_size : 0;
	return core->table;
}

int64_t uproc_hostmem_wait(struct uproc_hostmem_core *core, int timeout_ms)
{
	struct timespec ts;
	int64_t bits;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (timeout_ms > 0) {
		ts.tv_sec += timeout_ms / 1000;
		ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&core->lock);
	while (!core->stop && !core->to_core) {
		if (timeout_ms == 0)
			break;
		if (timeout_ms < 0)
			pthread_cond_wait(&core->cond, &core->lock);
		else if (pthread_cond_timedwait(&core->cond, &core->lock, &ts) == ETIMEDOUT)
			break;
	}
	if (core->stop) {
		bits = -ESHUTDOWN;
	} else {
		/* Bit 63 would make the value negative: report it as "all" (bit 62 up). */
		bits = (int64_t)(core->to_core & ~(1ull << 63));
		if (core->to_core >> 63)
			bits |= 1ll << 62;
		core->to_core = 0;
	}
	pthread_mutex_unlock(&core->lock);
	return bits;
}

void uproc_hostmem_kick(struct uproc_hostmem_core *core, unsigned int notifyid)
{
	uint64_t one = 1;

	atomic_fetch_or(&core->to_host, 1ull << (notifyid < 63 ? notifyid : 63));
	if (write(core->efd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the host will look */
	}
}

bool uproc_hostmem_should_stop(struct uproc_hostmem_core *core)
{
	bool v;

	pthread_mutex_lock(&core->lock);
	v = core->stop;
	pthread_mutex_unlock(&core->lock);
	return v;
}

void uproc_hostmem_crash(struct uproc_hostmem_core *core, int code)
{
	uint64_t one = 1;
	int expected = 0;

	pthread_mutex_lock(&core->lock);
	core->exit_code = code ? code : -1;
	pthread_mutex_unlock(&core->lock);
	atomic_compare_exchange_strong(&core->crash_code, &expected, code ? code : -1);
	if (write(core->efd, &one, sizeof(one)) < 0) {
		/* already signalled */
	}
}

unsigned int uproc_hostmem_boot_count(struct uproc_hostmem_core *core)
{
	unsigned int n;

	pthread_mutex_lock(&core->lock);
	n = core->boots;
	pthread_mutex_unlock(&core->lock);
	return n;
}

/* ---- device side of an rpmsg vdev -------------------------------------------------------- */

static void hm_dev_notify(void *priv, unsigned int vq_index)
{
	struct hm_dev *dev = priv;

	if (vq_index < 2)
		uproc_hostmem_kick(dev->core, dev->notifyid[vq_index]);
}

/* Find vdev @index in a snapshot of the loaded table. 1 found, 0 not (yet), <0 error. */
static int find_vdev(struct uproc_hostmem_core *core, unsigned int index,
		     struct uproc_rsc_vdev *out)
{
	struct uproc_rsc_table table;
	uint8_t *copy;
	unsigned int seen = 0;
	int ret;

	if (!core->table)
		return -ENOENT;
	copy = malloc(core->table_size);
	if (!copy)
		return -ENOMEM;
	/*
	 * The host writes the table while this runs: read each byte once. Acquire pairs
	 * with the host's release store of the status, so a DRIVER_OK seen here comes
	 * with the rings and addresses the host set up before it.
	 */
	for (size_t i = 0; i < core->table_size; i++)
		copy[i] = uproc_shm_load8(core->table + i, memory_order_acquire);
	ret = uproc_rsc_table_parse(&table, copy, core->table_size, core->order, core->name, NULL);
	if (ret < 0)
		goto out;
	ret = -ENOENT;
	for (uint32_t i = 0; i < table.num; i++) {
		struct uproc_rsc_entry e;

		if (uproc_rsc_get(&table, i, &e) < 0 || e.kind != UPROC_RSC_VDEV)
			continue;
		if (seen++ != index)
			continue;
		*out = e.u.vdev;
		ret = 1;
		break;
	}
out:
	free(copy);
	return ret;
}

static int region_shm(struct uproc_hostmem_core *core, uint64_t da, struct uproc_shm *shm)
{
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		const struct hm_region *r = &core->regions[i];

		if (r->used && da >= r->da && da - r->da < r->len) {
			uproc_shm_init(shm, r->va, r->da, r->len);
			return 0;
		}
	}
	return -EFAULT;
}

int uproc_hostmem_rpmsg_init(struct uproc_hostmem_core *core, unsigned int vdev_index,
			     const struct uproc_port *port, int timeout_ms,
			     struct rpmsg_virtio_device **out)
{
	struct uproc_rsc_vdev vdev;
	struct rpmsg_virtio_config cfg;
	struct hm_dev *dev;
	int waited = 0;
	int ret;

	if (vdev_index >= HM_MAX_DEVS || !port || !out)
		return -EINVAL;
	dev = &core->devs[vdev_index];
	/* The host writes DRIVER_OK after placing the rings: wait for it. */
	for (;;) {
		ret = find_vdev(core, vdev_index, &vdev);
		if (ret < 0)
			return ret;
		if (vdev.id != VIRTIO_ID_RPMSG || vdev.num_of_vrings != 2)
			return -ENOENT;
		if (vdev.status & VIRTIO_CONFIG_S_DRIVER_OK)
			break;
		if (uproc_hostmem_should_stop(core))
			return -ESHUTDOWN;
		if (timeout_ms >= 0 && waited >= timeout_ms)
			return -ETIMEDOUT;
		usleep(1000);
		waited++;
	}
	dev->core = core;
	for (int i = 0; i < 2; i++) {
		dev->notifyid[i] = vdev.vring[i].notifyid;
		ret = region_shm(core, vdev.vring[i].da, &dev->ring[i]);
		if (ret < 0)
			return ret;
	}
	/* The host's buffers: its "vdev<N>buffer" region, else the window they come from. */
	uproc_shm_init(&dev->buf, core->window, UPROC_HOSTMEM_WINDOW_DA, core->window_size);
	char name[32];
	snprintf(name, sizeof(name), "vdev%ubuffer", vdev_index);
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		const struct hm_region *r = &core->regions[i];

		if (r->used && !r->in_window && !strcmp(r->name, name))
			uproc_shm_init(&dev->buf, r->va, r->da, r->len);
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.role = VIRTIO_ROLE_DEVICE;
	cfg.port = port;
	for (int i = 0; i < 2; i++) {
		cfg.vring[i].shm = &dev->ring[i];
		cfg.vring[i].da = vdev.vring[i].da;
		cfg.vring[i].num = vdev.vring[i].num;
		cfg.vring[i].align = vdev.vring[i].align;
	}
	cfg.buf_shm = &dev->buf;
	cfg.features = vdev.gfeatures;
	cfg.notify = hm_dev_notify;
	cfg.priv = dev;
	return rpmsg_virtio_init(out, &cfg);
}
