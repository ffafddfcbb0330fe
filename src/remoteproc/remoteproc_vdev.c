// SPDX-License-Identifier: MIT
/*
 * remoteproc_vdev.c - virtio devices of the resource table (Linux's rproc_vdev and
 * remoteproc_virtio.c): vring and buffer memory, notifyids, the write-back of vring
 * da, gfeatures and status, and the host side of the device: an rpmsg bus (id 7,
 * uproc/rpmsg.h) or a console's two raw queues (id 3, uproc/virtio.h). Each vdev is
 * a subdevice, so it starts after the remote and stops before it, as in Linux.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostutil.h"
#include "remoteproc_vdev.h"
#include "uproc/loop.h"

/* Most rx buffers one kick consumes before the loop serves its other events. */
#define RPROC_RX_BATCH 64u


static struct rproc_vdev *to_rvdev(struct rproc_subdev *subdev)
{
	return (struct rproc_vdev *)((char *)subdev - offsetof(struct rproc_vdev, subdev));
}

static size_t vdev_field(const struct rproc_vdev *rvdev, size_t member)
{
	return rvdev->rsc_offset + sizeof(struct rproc_rsc_hdr) + member;
}

static void rvdev_set_status(struct rproc_vdev *rvdev, uint8_t status)
{
	upi_rproc_table_write8(rvdev->rproc, vdev_field(rvdev, offsetof(struct rproc_rsc_vdev, status)),
			   status);
}

/* ---- hooks ------------------------------------------------------------------------ */

void upi_rproc_vdev_get_hooks(struct rproc *rproc, struct rproc_vdev_hooks *out)
{
	*out = rproc->vdev_hooks;
}

void rproc_set_vdev_hooks(struct rproc *rproc, const struct rproc_vdev_hooks *hooks)
{
	UPI_RPROC_ON_LOOP(rproc);
	if (hooks)
		rproc->vdev_hooks = *hooks;
	else
		memset(&rproc->vdev_hooks, 0, sizeof(rproc->vdev_hooks));
}

/* ---- kicks in both directions ------------------------------------------------------- */

void upi_rproc_vdev_kick_remote(struct rproc_vdev *rvdev, unsigned int vq_index)
{
	if (vq_index < rvdev->num_vrings)
		rvdev->rproc->ops->kick(rvdev->rproc, rvdev->vring[vq_index].notifyid);
}

void upi_rproc_vdev_broken(struct rproc_vdev *rvdev, unsigned int vq_index, int err)
{
	char reason[96];

	rproc_warn(rvdev->rproc, "vdev%u: the remote broke virtqueue %u (%d): reporting a crash",
		   rvdev->index, vq_index, err);
	snprintf(reason, sizeof(reason), "the remote broke vdev%u's virtqueue %u (%s)",
		 rvdev->index, vq_index, strerror(-err));
	rproc_report_crash_reason(rvdev->rproc, RPROC_FATAL_ERROR, reason);
}

static void rpmsg_notify_cb(void *priv, unsigned int vq_index)
{
	upi_rproc_vdev_kick_remote(priv, vq_index);
}

static void rpmsg_broken_cb(void *priv, unsigned int vq_index, int err)
{
	struct rproc_vdev *rvdev = priv;

	/* A bad message is dropped and logged; only a broken ring is a crash. */
	if (err == -EBADMSG && !rpmsg_virtio_is_broken(rvdev->bus))
		return;
	upi_rproc_vdev_broken(rvdev, vq_index, err);
}

/* The bus stopped at its rx batch: serve it again once the loop has done the rest. */
static void rpmsg_rx_more_run(struct uproc_loop *loop, void *arg)
{
	struct rproc_vdev *rvdev = arg;
	struct rproc *rproc = rvdev->rproc;

	(void)loop;
	rvdev->rx_more_timer = -1;
	if (!rvdev->started || !rvdev->bus)
		return;
	rproc->kicks++;
	rpmsg_virtio_handle_kick(rvdev->bus);
	rproc->kicks--;
}

/* Called on the loop thread, from inside a kick: a zero-delay timer runs after the fds. */
static void rpmsg_rx_more_cb(void *priv)
{
	struct rproc_vdev *rvdev = priv;

	if (rvdev->rx_more_timer >= 0 || !rvdev->rproc->loop)
		return;
	int64_t id = uproc_loop_add_timer(rvdev->rproc->loop, 0, rpmsg_rx_more_run, rvdev);
	rvdev->rx_more_timer = id > 0 ? id : -1;
}

/* A send that found no tx buffer could now succeed: tell the host's event loop. */
static void rpmsg_tx_ready_cb(void *priv)
{
	struct rproc_vdev *rvdev = priv;
	struct rproc_vdev_hooks hooks;

	upi_rproc_vdev_get_hooks(rvdev->rproc, &hooks);
	if (hooks.rpmsg_tx_ready && rvdev->bus)
		hooks.rpmsg_tx_ready(rvdev->rproc, rvdev->index, rvdev->bus, hooks.arg);
}

/* The remote announced a channel or its end: tell the host's event loop. */
static void rpmsg_channel_cb(void *priv, const struct rpmsg_channel_info *info, bool created)
{
	struct rproc_vdev *rvdev = priv;
	struct rproc_vdev_hooks hooks;

	upi_rproc_vdev_get_hooks(rvdev->rproc, &hooks);
	if (hooks.rpmsg_channel && rvdev->bus)
		hooks.rpmsg_channel(rvdev->rproc, rvdev->index, rvdev->bus, info, created,
				    hooks.arg);
}

/*
 * What an rpmsg bus keeps of its vdev: its port, and what its log lines need (the
 * loop and the object's name). The bus is counted and may outlive the vdev (a user
 * holding rproc_get_rpmsg()'s reference), so it points at this, never at the vdev;
 * it goes with the bus's last reference (rpmsg_bus_release()).
 */
struct rproc_bus_owner {
	struct uproc_port *port;
	struct uproc_loop *loop;
	char object[RPROC_NAME_MAX + 32];	/* "remoteproc NAME vdevN" */
};

/* The bus's lines, to the loop's sink (maybe on a sender's thread, port lock held). */
static void rpmsg_bus_log(void *arg, enum uproc_log_level level, const char *msg)
{
	struct rproc_bus_owner *owner = arg;

	uproc_loop_log(owner->loop, level, owner->object, "%s", msg);
}

/* The bus's last reference is gone: its port and owner record go with it. */
static void rpmsg_bus_release(void *arg)
{
	struct rproc_bus_owner *owner = arg;

	uproc_port_posix_free(owner->port);
	free(owner);
}

/* ---- subdevice ops ------------------------------------------------------------------ */

static int rproc_vdev_do_start(struct rproc_subdev *subdev)
{
	struct rproc_vdev *rvdev = to_rvdev(subdev);
	struct rproc *rproc = rvdev->rproc;
	struct rproc_vdev_hooks hooks;
	int ret;

	for (unsigned int i = 0; i < rvdev->num_vrings; i++) {
		struct rproc_vring *rv = &rvdev->vring[i];

		uproc_shm_init(&rv->shm, rv->mem->va, rv->mem->da, rv->mem->len);
		if (rvdev->attaching) {
			/* The live ring is where the table says: it must lie in its region. */
			uint64_t need = uproc_vring_size(rv->num, rv->align);

			if (!uproc_shm_da_to_ptr(&rv->shm, rv->da, need))
				return rproc_err(rproc, -EINVAL,
						 "vdev%u: live vring %u at da 0x%llx is outside %s",
						 rvdev->index, i, (unsigned long long)rv->da,
						 rv->mem->name);
		} else {
			rv->da = rv->mem->da;
			/* A fresh ring: zero it and tell the remote where it is. */
			memset(rv->mem->va, 0, rv->mem->len);
			ret = upi_rproc_table_write32(rproc, rv->rsc_offset +
						  offsetof(struct rproc_rsc_vdev_vring, da),
						  (uint32_t)rv->da);
			if (ret < 0)
				return rproc_err(rproc, ret, "vdev%u: vring %u da write-back failed",
						 rvdev->index, i);
		}
	}
	uproc_shm_init(&rvdev->buf_shm, rvdev->buf_mem->va, rvdev->buf_mem->da, rvdev->buf_mem->len);

	if (!rvdev->attaching) {
		/* The virtio core's sequence: reset, ACKNOWLEDGE, DRIVER, features, DRIVER_OK. */
		rvdev_set_status(rvdev, 0);
		rvdev_set_status(rvdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
		rvdev_set_status(rvdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	}

	if (rvdev->id == VIRTIO_ID_RPMSG) {
		struct rpmsg_virtio_config cfg = {
			.role = VIRTIO_ROLE_DRIVER,
			.buf_shm = &rvdev->buf_shm,
			.buf_da = rvdev->buf_mem->da,
			.features = rvdev->attaching ? rvdev->gfeatures : rvdev->dfeatures,
			.supported = rvdev->attaching ? rvdev->gfeatures : 0,
			.attach = rvdev->attaching,
			.notify = rpmsg_notify_cb,
			.broken = rpmsg_broken_cb,
			.tx_ready = rpmsg_tx_ready_cb,
			.channel = rpmsg_channel_cb,
			.priv = rvdev,
			/* Without a loop to come back from, nothing could resume a batch. */
			.rx_batch = rproc->loop ? RPROC_RX_BATCH : 0,
			.rx_more = rpmsg_rx_more_cb,
		};
		size_t fit = rvdev->buf_mem->len / RPMSG_BUF_SIZE;
		size_t want = 2u * rvdev->vring[0].num;

		if (want > RPMSG_MAX_NUM_BUFS)
			want = RPMSG_MAX_NUM_BUFS;
		if (fit < 2)
			return rproc_err(rproc, -EINVAL,
					 "vdev%u: buffer area of 0x%zx bytes holds no rx and tx buffer",
					 rvdev->index, rvdev->buf_mem->len);
		cfg.buf_count = (uint32_t)(fit < want ? fit : want);
		for (int i = 0; i < 2; i++) {
			cfg.vring[i].shm = &rvdev->vring[i].shm;
			cfg.vring[i].da = rvdev->vring[i].da;
			cfg.vring[i].num = rvdev->vring[i].num;
			cfg.vring[i].align = rvdev->vring[i].align;
		}
		struct rproc_bus_owner *owner = calloc(1, sizeof(*owner));

		if (!owner)
			return rproc_err(rproc, -ENOMEM, "vdev%u: no memory for the rpmsg bus",
					 rvdev->index);
		ret = uproc_port_posix_new(&owner->port);
		if (ret < 0) {
			free(owner);
			return rproc_err(rproc, ret, "vdev%u: no port (%d)", rvdev->index, ret);
		}
		owner->loop = rproc->loop;
		snprintf(owner->object, sizeof(owner->object), "remoteproc %s vdev%u", rproc->name,
			 rvdev->index);
		/* Every line goes on: the loop's sink filters by level. */
		uproc_port_posix_set_log_level(owner->port, UPROC_LOG_DEBUG);
		uproc_port_posix_set_log(owner->port, rpmsg_bus_log, owner);
		cfg.port = owner->port;
		cfg.release = rpmsg_bus_release;
		cfg.release_priv = owner;
		ret = rpmsg_virtio_init(&rvdev->bus, &cfg);
		if (ret < 0) {
			rpmsg_bus_release(owner);
			rvdev->bus = NULL;
			return rproc_err(rproc, ret, "vdev%u: the rpmsg bus could not start: %s (%d)",
					 rvdev->index,
					 ret == -EPROTO ? "the live rings are inconsistent" :
					 ret == -EFAULT ? "a ring or the buffers lie outside their memory" :
							  "bad configuration",
					 ret);
		}
		uint32_t g = (uint32_t)rpmsg_virtio_get_features(rvdev->bus);

		rvdev->gfeatures = g;
	} else {
		ret = upi_rproc_console_start(rvdev);
		if (ret < 0)
			return ret;
	}

	if (!rvdev->attaching)
		upi_rproc_table_write32(rproc, vdev_field(rvdev, offsetof(struct rproc_rsc_vdev, gfeatures)),
				    rvdev->gfeatures);

	/* The user sets up endpoints and drivers before the first message is delivered. */
	upi_rproc_vdev_get_hooks(rproc, &hooks);
	if (rvdev->bus && hooks.rpmsg_ready)
		hooks.rpmsg_ready(rproc, rvdev->index, rvdev->bus, hooks.arg);

	if (!rvdev->attaching)
		rvdev_set_status(rvdev, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					VIRTIO_CONFIG_S_DRIVER_OK);
	rvdev->started = true;

	/*
	 * Ring every vring's doorbell once, unconditionally: a remote that gave up
	 * spinning on the status is asleep on its doorbell, and the ring-level kicks
	 * (buffers posted before DRIVER_OK) may already have been consumed or be
	 * suppressed. Then serve what the remote queued while we were away.
	 */
	for (unsigned int i = 0; i < rvdev->num_vrings; i++)
		rproc->ops->kick(rproc, rvdev->vring[i].notifyid);
	if (rvdev->bus) {
		rpmsg_virtio_handle_kick(rvdev->bus);
	} else {
		pthread_mutex_lock(&rvdev->con_lock);
		virtqueue_kick(&rvdev->vq[0]);
		pthread_mutex_unlock(&rvdev->con_lock);
		upi_rproc_console_service(rvdev);
	}
	return 0;
}

static void rproc_vdev_do_stop(struct rproc_subdev *subdev, bool crashed)
{
	struct rproc_vdev *rvdev = to_rvdev(subdev);
	struct rproc *rproc = rvdev->rproc;
	struct rproc_vdev_hooks hooks;

	/*
	 * No kick is being handled (a lifecycle call from inside one is refused:
	 * upi_rproc_op_begin()); from here on none gets in.
	 */
	if (!rvdev->started)
		return;
	rvdev->started = false;
	if (rvdev->rx_more_timer >= 0) {
		uproc_loop_cancel_timer(rproc->loop, rvdev->rx_more_timer);
		rvdev->rx_more_timer = -1;
	}

	upi_rproc_vdev_get_hooks(rproc, &hooks);
	if (rvdev->bus) {
		if (hooks.rpmsg_removing)
			hooks.rpmsg_removing(rproc, rvdev->index, rvdev->bus, hooks.arg);
		/* The port goes with the bus's last reference (rpmsg_bus_release()). */
		rpmsg_virtio_deinit(rvdev->bus);
		rvdev->bus = NULL;
	} else {
		upi_rproc_console_free(rvdev);
	}
	/* Detaching leaves the device live for the next host; stopping resets it. */
	if (!rproc->detaching)
		rvdev_set_status(rvdev, 0);
	(void)crashed;
	rvdev->attaching = false;
}

/* ---- resource handling ------------------------------------------------------------------ */

static int rproc_vdev_place_vrings(struct rproc *rproc, struct rproc_vdev *rvdev,
				   const struct uproc_rsc_vdev *rsc, bool attaching);

int upi_rproc_handle_vdev(struct rproc *rproc, const struct uproc_rsc_entry *entry, bool attaching)
{
	const struct uproc_rsc_vdev *rsc = &entry->u.vdev;
	struct rproc_vdev *rvdev;
	int ret;

	/* A virtio id with no host driver here still takes its vdev index, its vrings'
	 * memory and notifyids, as in Linux (which registers the device whether or not
	 * a driver binds): the vdevs after it keep Linux's names (vdev<N>vring<M>,
	 * vdev<N>buffer) and numbers. It is never started. */
	bool known = rsc->id == VIRTIO_ID_RPMSG || rsc->id == VIRTIO_ID_CONSOLE;
	if (!known)
		rproc_warn(rproc, "vdev with virtio id %u (entry %u) has no driver: not started",
			   rsc->id, entry->index);
	/* An rpmsg vdev needs two vrings. Linux boots such firmware all the same
	 * (only the rpmsg driver's probe fails): so does uproc, without the bus. */
	if (rsc->id == VIRTIO_ID_RPMSG && rsc->num_of_vrings != 2) {
		rproc_warn(rproc, "rpmsg vdev (entry %u) has %u vrings, needs 2: not started",
			   entry->index, rsc->num_of_vrings);
		known = false;
	}
	if (rproc->nvdevs >= RPROC_MAX_VDEVS)
		return rproc_err(rproc, -ENOSPC, "more than %d vdevs", RPROC_MAX_VDEVS);

	rvdev = calloc(1, sizeof(*rvdev));
	if (!rvdev)
		return rproc_err(rproc, -ENOMEM, "no memory for a vdev");
	rvdev->rproc = rproc;
	rvdev->index = rproc->nvdevs;
	rvdev->id = rsc->id;
	rvdev->rsc_offset = entry->offset;
	rvdev->dfeatures = rsc->dfeatures;
	rvdev->gfeatures = rsc->gfeatures;
	rvdev->num_vrings = rsc->num_of_vrings;
	rvdev->attaching = attaching;
	rvdev->inert = !known;
	rvdev->rx_more_timer = -1;
	pthread_mutex_init(&rvdev->con_lock, NULL);
	rvdev->subdev.start = rproc_vdev_do_start;
	rvdev->subdev.stop = rproc_vdev_do_stop;
	ret = rproc_vdev_place_vrings(rproc, rvdev, rsc, attaching);
	if (ret < 0) {
		/* Memories already registered go with the carveouts at cleanup. */
		pthread_mutex_destroy(&rvdev->con_lock);
		free(rvdev);
		return ret;
	}
	/* Complete: published to kicks and queries, then tied to the lifecycle. */
	rproc->vdevs[rproc->nvdevs++] = rvdev;
	if (known)
		rproc_add_subdev(rproc, &rvdev->subdev);
	return 0;
}

static int rproc_vdev_place_vrings(struct rproc *rproc, struct rproc_vdev *rvdev,
				   const struct uproc_rsc_vdev *rsc, bool attaching)
{
	char name[32];

	for (unsigned int i = 0; i < rsc->num_of_vrings; i++) {
		const struct uproc_rsc_vring *vr = &rsc->vring[i];
		struct rproc_vring *rv = &rvdev->vring[i];
		uint64_t size = uproc_vring_size(vr->num, vr->align);

		if (!size || vr->num > VIRTQUEUE_MAX_NUM)
			return rproc_err(rproc, -EINVAL, "vdev%u vring %u: bad num %u / align %u",
					 rvdev->index, i, vr->num, vr->align);
		size = upi_page_align(size);
		rv->num = vr->num;
		rv->align = vr->align;
		rv->rsc_offset = vr->offset;
		snprintf(name, sizeof(name), "vdev%uvring%u", rvdev->index, i);
		rv->mem = rproc_find_carveout_by_name(rproc, name);
		if (rv->mem) {
			if (rv->mem->len < size)
				return rproc_err(rproc, -EINVAL,
						 "%s: region of 0x%zx bytes, the vring needs 0x%llx",
						 name, rv->mem->len, (unsigned long long)size);
			if (!attaching && vr->da != RPROC_RSC_ADDR_ANY && rv->mem->da != RPROC_RSC_ADDR_ANY &&
			    vr->da != rv->mem->da)
				return rproc_err(rproc, -EINVAL,
						 "%s: the table puts it at 0x%x, the region is at 0x%llx",
						 name, vr->da, (unsigned long long)rv->mem->da);
		} else if (attaching && rvdev->inert) {
			/* never started: its live ring is none of the host's business */
		} else if (attaching) {
			return rproc_err(rproc, -EINVAL,
					 "%s: the backend registered no memory for the live vring",
					 name);
		} else {
			rv->mem = upi_rproc_mem_new(name, vr->da, (size_t)size);
			if (!rv->mem)
				return rproc_err(rproc, -ENOMEM, "no memory for %s", name);
			upi_rproc_add_mem(rproc, rv->mem, false);
		}
		if (attaching) {
			/*
			 * The remote kicks with the notifyids it was given: keep them, once
			 * checked to be the ones a boot gives (the same order from 0). A
			 * remote that rewrote them would end attached and unreachable.
			 */
			int given = rproc->next_notifyid++;

			if (vr->notifyid != (uint32_t)given)
				return rproc_err(rproc, -EINVAL,
						 "%s: notifyid %u in the live table, %d was given at boot",
						 name, vr->notifyid, given);
			rv->notifyid = given;
			rv->da = vr->da;
		} else {
			rv->notifyid = rproc->next_notifyid++;
			upi_rproc_table_write32(rproc, vr->offset + offsetof(struct rproc_rsc_vdev_vring,
									 notifyid),
					    (uint32_t)rv->notifyid);
		}
	}
	return 0;
}

/* After the whole table: each vdev gets its buffer area ("vdev%ubuffer"). */
int upi_rproc_vdev_add_buffers(struct rproc *rproc)
{
	for (unsigned int v = 0; v < rproc->nvdevs; v++) {
		struct rproc_vdev *rvdev = rproc->vdevs[v];
		char name[32];
		size_t want;

		if (rvdev->inert)
			continue; /* no driver: no buffers */
		snprintf(name, sizeof(name), "vdev%ubuffer", rvdev->index);
		rvdev->buf_mem = rproc_find_carveout_by_name(rproc, name);
		if (rvdev->buf_mem)
			continue;
		if (rvdev->attaching)
			return rproc_err(rproc, -EINVAL,
					 "%s: the backend registered no memory for the live buffers",
					 name);
		if (rvdev->id == VIRTIO_ID_RPMSG) {
			want = 2u * rvdev->vring[0].num;
			if (want > RPMSG_MAX_NUM_BUFS)
				want = RPMSG_MAX_NUM_BUFS;
			want *= RPMSG_BUF_SIZE;
		} else {
			want = (size_t)(rvdev->vring[0].num +
					(rvdev->num_vrings > 1 ? rvdev->vring[1].num : 0)) *
			       RPROC_CONSOLE_BUF_SIZE;
			if (want > 512u * RPROC_CONSOLE_BUF_SIZE)
				want = 512u * RPROC_CONSOLE_BUF_SIZE;
		}
		want = (size_t)upi_page_align(want);
		rvdev->buf_mem = upi_rproc_mem_new(name, RPROC_RSC_ADDR_ANY, want);
		if (!rvdev->buf_mem)
			return rproc_err(rproc, -ENOMEM, "no memory for %s", name);
		upi_rproc_add_mem(rproc, rvdev->buf_mem, false);
	}
	return 0;
}

void upi_rproc_vdev_remove_all(struct rproc *rproc)
{
	struct rproc_vdev *vdevs[RPROC_MAX_VDEVS];
	unsigned int n;

	/* Unpublished first: a late kick finds nothing (stopped vdevs ignore kicks). */
	n = rproc->nvdevs;
	memcpy(vdevs, rproc->vdevs, sizeof(vdevs));
	memset(rproc->vdevs, 0, sizeof(rproc->vdevs));
	rproc->nvdevs = 0;

	for (unsigned int v = 0; v < n; v++) {
		struct rproc_vdev *rvdev = vdevs[v];

		rproc_remove_subdev(rproc, &rvdev->subdev);
		/* Linux's rproc_free_vring(): the table forgets where the rings were. */
		for (unsigned int i = 0; i < rvdev->num_vrings; i++) {
			if (!rvdev->vring[i].rsc_offset)
				continue;
			upi_rproc_table_write32(rproc, rvdev->vring[i].rsc_offset +
					    offsetof(struct rproc_rsc_vdev_vring, da), 0);
			upi_rproc_table_write32(rproc, rvdev->vring[i].rsc_offset +
					    offsetof(struct rproc_rsc_vdev_vring, notifyid),
					    0xFFFFFFFFu);
		}
		pthread_mutex_destroy(&rvdev->con_lock);
		free(rvdev);
	}
}

int upi_rproc_vdev_interrupt(struct rproc *rproc, int notifyid)
{
	int found = 0;

	for (unsigned int v = 0; v < RPROC_MAX_VDEVS; v++) {
		struct rproc_vdev *rvdev;
		bool match = false;

		rvdev = v < rproc->nvdevs ? rproc->vdevs[v] : NULL;
		if (rvdev) {
			for (unsigned int i = 0; i < rvdev->num_vrings; i++)
				if (notifyid < 0 || rvdev->vring[i].notifyid == notifyid)
					match = true;
		}
		if (match)
			found++;
		if (!match || !rvdev->started)
			continue;
		/* Callbacks run from here: no lifecycle call may free the vdev meanwhile. */
		rproc->kicks++;
		if (rvdev->bus)
			rpmsg_virtio_handle_kick(rvdev->bus);
		else
			upi_rproc_console_service(rvdev);
		rproc->kicks--;
	}
	return found ? 0 : -ENOENT;
}

int rproc_vq_interrupt(struct rproc *rproc, int notifyid)
{
	UPI_RPROC_ON_LOOP(rproc);
	rproc->kicked = true;	/* the remote works far enough to talk: a crash now ends no crash loop */
	return upi_rproc_vdev_interrupt(rproc, notifyid);
}

/* ---- public queries ---------------------------------------------------------------------- */

int rproc_vdev_count(struct rproc *rproc)
{
	int n;

	UPI_RPROC_ON_LOOP(rproc);
	n = (int)rproc->nvdevs;
	return n;
}

int rproc_get_vdev_info(struct rproc *rproc, unsigned int index, struct rproc_vdev_info *info)
{
	struct rproc_vdev *rvdev;

	UPI_RPROC_ON_LOOP(rproc);
	memset(info, 0, sizeof(*info));
	if (index >= rproc->nvdevs)
		return -ENOENT;
	rvdev = rproc->vdevs[index];
	info->index = rvdev->index;
	info->id = rvdev->id;
	info->dfeatures = rvdev->dfeatures;
	info->gfeatures = rvdev->gfeatures;
	info->num_vrings = rvdev->num_vrings;
	info->active = rvdev->started;
	for (unsigned int i = 0; i < rvdev->num_vrings; i++) {
		/* Placed once started (the memories are being allocated before that). */
		info->vring[i].da = info->active ? rvdev->vring[i].da : RPROC_RSC_ADDR_ANY;
		info->vring[i].num = rvdev->vring[i].num;
		info->vring[i].align = rvdev->vring[i].align;
		info->vring[i].notifyid = rvdev->vring[i].notifyid;
	}
	if (info->active) {
		info->buf_da = rvdev->buf_mem->da;
		info->buf_len = rvdev->buf_mem->len;
		info->broken = rvdev->bus ? rpmsg_virtio_is_broken(rvdev->bus) :
			       (virtqueue_is_broken(&rvdev->vq[0]) ||
				virtqueue_is_broken(&rvdev->vq[1]));
	}
	return 0;
}

struct rpmsg_virtio_device *rproc_get_rpmsg(struct rproc *rproc, unsigned int index)
{
	struct rpmsg_virtio_device *bus = NULL;

	UPI_RPROC_ON_LOOP(rproc);
	if (index < rproc->nvdevs && rproc->vdevs[index]->started)
		bus = rproc->vdevs[index]->bus;
	if (bus)
		rpmsg_virtio_get(bus);
	return bus;
}

ssize_t rproc_console_write(struct rproc *rproc, unsigned int index, const void *data,
			    size_t len)
{
	struct rproc_vdev *rvdev = NULL;

	UPI_RPROC_ON_LOOP(rproc);
	if (!data && len)
		return -EINVAL;
	if (index < rproc->nvdevs)
		rvdev = rproc->vdevs[index];
	if (!rvdev || rvdev->id != VIRTIO_ID_CONSOLE || !rvdev->started)
		return -ENODEV;
	return len ? upi_rproc_console_queue(rvdev, data, len) : 0;
}
