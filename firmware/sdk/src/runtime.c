// SPDX-License-Identifier: MIT
/*
 * runtime.c - the firmware runtime (uproc/fw/runtime.h): wait for the host's
 * DRIVER_OK, bring up rpmsg (device role) or raw virtqueues over the vrings the
 * host placed, announce services, and serve the queues.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "uproc/errno.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

/* How long to spin on the status before blocking on the doorbell between checks. */
#define READY_SPIN_NS 10000000u
#define READY_SPIN_ROUNDS 1000000u

static uint8_t vdev_status(const volatile struct uproc_fw_rsc_vdev2 *vdev)
{
	/* Pairs with the host's release store of the status after it wrote the vrings. */
	return uproc_shm_load8((const void *)&vdev->status, memory_order_acquire);
}

int uproc_fw_vdev_wait_ready(const volatile struct uproc_fw_rsc_vdev2 *vdev)
{
	uint64_t start = uproc_fw_now_ns();
	unsigned int rounds = 0;

	for (;;) {
		uint8_t s = vdev_status(vdev);
		if (s & (VIRTIO_CONFIG_S_FAILED | VIRTIO_CONFIG_S_NEEDS_RESET))
			return -EIO;
		if (s & VIRTIO_CONFIG_S_DRIVER_OK)
			return 0;
		bool spun = start ? uproc_fw_now_ns() - start >= READY_SPIN_NS
				  : ++rounds >= READY_SPIN_ROUNDS;
		if (spun)
			(void)uproc_fw_wait(UPROC_FW_FOREVER); /* the host kicks after DRIVER_OK */
		else
			uproc_fw_cpu_relax();
	}
}

struct vring_desc_info {
	uint32_t da;
	uint32_t align;
	uint32_t num;
	uint32_t notifyid;
};

static int read_vring(const volatile struct uproc_fw_rsc_vdev2 *vdev, unsigned int index,
		      struct vring_desc_info *out)
{
	if (index >= vdev->num_of_vrings || index >= 2)
		return -EINVAL;
	const volatile struct rproc_rsc_vdev_vring *vr = &vdev->vring[index];
	out->da = vr->da;
	out->align = vr->align;
	out->num = vr->num;
	out->notifyid = vr->notifyid;
	if (out->da == 0 || out->da == RPROC_RSC_ADDR_ANY || out->num == 0 ||
	    (out->num & (out->num - 1)) || out->align == 0 || (out->align & (out->align - 1)))
		return -EINVAL;
	return 0;
}

/*
 * Legacy vrings and rpmsg headers are in the host's byte order, little-endian
 * (uproc/emulated.h): a big-endian core converts.
 */
static bool rings_cross_endian(void)
{
	return uproc_host_byte_order() != UPROC_LITTLE_ENDIAN;
}

static void vq_notify(struct virtqueue *vq)
{
	uproc_fw_notify((unsigned int)(uintptr_t)vq->priv);
}

static void vq_broken(struct virtqueue *vq, int err)
{
	uproc_fw_trace("virtqueue %u: broken by the host (%d)\n", vq->index, err);
}

int uproc_fw_vq_init(struct virtqueue *vq, struct virtqueue_desc_state *state, unsigned int max,
		     const volatile struct uproc_fw_rsc_vdev2 *vdev, unsigned int index)
{
	struct vring_desc_info vr;
	int ret = read_vring(vdev, index, &vr);

	if (ret)
		return ret;
	if (vr.num > max)
		return -EINVAL;
	struct virtqueue_info info = {
		.role = VIRTIO_ROLE_DEVICE,
		.index = index,
		.num = vr.num,
		.align = vr.align,
		.ring_shm = uproc_fw_identity_shm(),
		.ring_da = vr.da,
		.buf_shm = uproc_fw_identity_shm(),
		.features = vdev->gfeatures,
		.state = state,
		.mode = VIRTQUEUE_INIT_RESET,
		.notify = vq_notify,
		.broken = vq_broken,
		.priv = (void *)(uintptr_t)vr.notifyid,
		.cross_endian = rings_cross_endian(),
	};
	return virtqueue_init(vq, &info);
}

/* ---- rpmsg ------------------------------------------------------------------------ */

static void rpmsg_notify(void *priv, unsigned int vq_index)
{
	struct uproc_fw_rpmsg *rp = priv;
	uproc_fw_notify(rp->notifyid[vq_index & 1]);
}

static void rpmsg_broken(void *priv, unsigned int vq_index, int err)
{
	(void)priv;
	uproc_fw_trace("rpmsg: queue %u: bad data from the host (%d)\n", vq_index, err);
}

int uproc_fw_rpmsg_init(struct uproc_fw_rpmsg *rp, const volatile struct uproc_fw_rsc_vdev2 *rsc)
{
	struct vring_desc_info vr[2];
	int ret;

	rp->vdev = NULL;
	rp->rsc = rsc;
	rp->services = NULL;
	ret = uproc_fw_vdev_wait_ready(rsc);
	if (ret) {
		uproc_fw_trace("rpmsg: the host failed the device (status %#x)\n", vdev_status(rsc));
		return ret;
	}
	for (unsigned int i = 0; i < 2; i++) {
		ret = read_vring(rsc, i, &vr[i]);
		if (ret) {
			uproc_fw_trace("rpmsg: vring %u: unusable placement\n", i);
			return ret;
		}
		rp->notifyid[i] = vr[i].notifyid;
	}
	struct rpmsg_virtio_config cfg = {
		.role = VIRTIO_ROLE_DEVICE,
		.port = uproc_fw_port(),
		.vring = {
			{ uproc_fw_identity_shm(), vr[0].da, vr[0].num, vr[0].align },
			{ uproc_fw_identity_shm(), vr[1].da, vr[1].num, vr[1].align },
		},
		.buf_shm = uproc_fw_identity_shm(),
		.features = rsc->gfeatures,
		.notify = rpmsg_notify,
		.broken = rpmsg_broken,
		.priv = rp,
		.cross_endian = rings_cross_endian(),
	};
	size_t need = rpmsg_virtio_mem_size(&cfg);
	if (need && need <= sizeof(rp->mem)) {
		cfg.mem = rp->mem;
		cfg.mem_size = sizeof(rp->mem);
	}
	ret = rpmsg_virtio_init(&rp->vdev, &cfg);
	if (ret) {
		uproc_fw_trace("rpmsg: cannot start (%d)\n", ret);
		rp->vdev = NULL;
		return ret;
	}
	uproc_fw_trace("rpmsg: up, vrings at %#x and %#x, %u entries, features %#x\n",
		       (unsigned int)vr[0].da, (unsigned int)vr[1].da, (unsigned int)vr[0].num,
		       (unsigned int)rsc->gfeatures);
	return 0;
}

static struct uproc_fw_service *service_of(struct rpmsg_device *rpdev)
{
	return (struct uproc_fw_service *)((unsigned char *)rpdev->drv -
					   __builtin_offsetof(struct uproc_fw_service, drv));
}

static int service_probe(struct rpmsg_device *rpdev)
{
	struct uproc_fw_service *svc = service_of(rpdev);

	svc->ept = rpdev->ept;
	if (svc->ept)
		svc->ept->priv = svc->priv;
	return svc->probe ? svc->probe(rpdev) : 0;
}

int uproc_fw_rpmsg_add_service(struct uproc_fw_rpmsg *rp, struct uproc_fw_service *svc)
{
	struct rpmsg_channel_info info;
	size_t n;
	int ret;

	if (!rp->vdev || !svc->name || !svc->callback)
		return -EINVAL;
	n = strnlen(svc->name, RPMSG_NAME_SIZE);
	if (n == 0 || n >= RPMSG_NAME_SIZE)
		return -EINVAL;
	memset(svc->ids, 0, sizeof(svc->ids));
	memcpy(svc->ids[0].name, svc->name, n);
	memset(&svc->drv, 0, sizeof(svc->drv));
	svc->drv.name = svc->name;
	svc->drv.id_table = svc->ids;
	svc->drv.probe = service_probe;
	svc->drv.callback = svc->callback;
	svc->ept = NULL;
	ret = rpmsg_register_driver(rp->vdev, &svc->drv);
	if (ret)
		return ret;

	memset(&info, 0, sizeof(info));
	memcpy(info.name, svc->name, n);
	info.src = RPMSG_ADDR_ANY;
	info.dst = RPMSG_ADDR_ANY;
	ret = rpmsg_create_channel(rp->vdev, &info, NULL);
	if (ret) {
		rpmsg_unregister_driver(rp->vdev, &svc->drv);
		uproc_fw_trace("rpmsg: cannot create channel %s (%d)\n", svc->name, ret);
		return ret;
	}
	svc->next = rp->services;
	rp->services = svc;
	uproc_fw_trace("rpmsg: channel %s at address %u\n", svc->name,
		       svc->ept ? (unsigned int)svc->ept->addr : 0u);
	return 0;
}

/* A new host took over: its bus knows none of our channels. Announce them again. */
static void announce_again(struct uproc_fw_rpmsg *rp)
{
	for (struct uproc_fw_service *svc = rp->services; svc; svc = svc->next) {
		if (!svc->ept)
			continue;
		int ret = rpmsg_announce_create(svc->ept, svc->name);
		uproc_fw_trace("rpmsg: new host: channel %s announced again (%d)\n", svc->name,
			       ret);
	}
}

int uproc_fw_run(struct uproc_fw_rpmsg *rp, uproc_fw_idle_fn idle, void *arg)
{
	uint32_t epoch = uproc_fw_host_epoch();

	for (;;) {
		uproc_fw_heartbeat();
		uint32_t now = uproc_fw_host_epoch();
		if (now != epoch && rp && rp->vdev) {
			epoch = now;
			announce_again(rp);
		}
		if (rp && rp->vdev)
			(void)rpmsg_virtio_handle_kick(rp->vdev);
		int more = idle ? idle(arg) : 0;
		if (more < 0)
			return more;
		/* Kicks a blocking send took while waiting: serve them before sleeping. */
		if (uproc_fw_pending_kicks())
			continue;
		if (more > 0)
			(void)uproc_fw_poll(); /* every queue is served each round anyway */
		else
			(void)uproc_fw_wait(UPROC_FW_FOREVER);
	}
}
