/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_tx.c - sending: the copy and zero-copy paths, blocking and try variants,
 * readiness (rpmsg_poll, the tx_ready callback).
 *
 * A blocking sender sleeps in the port's wait (no polling loop) with the tx queue's
 * notifications enabled; rpmsg_virtio_handle_kick() wakes it as soon as a buffer
 * comes back (host: the remote returned a tx buffer; device: the host posted a
 * buffer).
 */
#include "rpmsg_internal.h"

/* Take a tx buffer, waiting up to @ept's timeout when @wait. Lock held. */
static int tx_get(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept, bool wait,
		  uint8_t **bufp, uint32_t *cap)
{
	const struct uproc_port *port = vdev->port;
	uint64_t deadline = 0;
	bool have_deadline = false;
	for (;;) {
		if (vdev->shutdown)
			return -ESHUTDOWN;
		if (virtqueue_is_broken(&vdev->svq))
			return -EIO;
		*bufp = upi_rpmsg_tx_buf_get(vdev, cap);
		if (*bufp)
			return 0;
		if (!wait || !ept->send_timeout_ns || !port->wait || !port->now) {
			/* The event loop hears from tx_ready when one comes back. */
			vdev->tx_ready_armed = true;
			virtqueue_enable_cb(&vdev->svq);
			return -ENOMEM;
		}
		if (!have_deadline) {
			uint64_t now = port->now(port->ctx);
			deadline = ept->send_timeout_ns >= UPROC_PORT_FOREVER - now
					   ? UPROC_PORT_FOREVER
					   : now + ept->send_timeout_ns;
			have_deadline = true;
		}
		int r = 0;
		vdev->tx_waiters++;
		/* Ask the peer to notify; if it already returned something, look again. */
		if (virtqueue_enable_cb(&vdev->svq))
			r = port->wait(port->ctx, deadline);
		vdev->tx_waiters--;
		if (vdev->shutdown && port->wake)
			port->wake(port->ctx); /* rpmsg_virtio_deinit() counts waiters */
		if (r == -ETIMEDOUT) {
			*bufp = upi_rpmsg_tx_buf_get(vdev, cap);
			return *bufp ? 0 : -ETIMEDOUT;
		}
	}
}

/* One send; *@report says whether a report is due at the end of the call. */
static int send_one(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst, const void *data,
		    size_t len, bool wait, bool *report)
{
	if (!ept || !ept->vdev || (len && !data))
		return -EINVAL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	if (len > upi_rpmsg_mtu(vdev))
		return -EMSGSIZE;
	if (src == RPMSG_ADDR_ANY || dst == RPMSG_ADDR_ANY)
		return -EINVAL;
	uint8_t *buf;
	uint32_t cap;
	bool kick = false;
	upi_rpmsg_lock(vdev);
	int err = tx_get(vdev, ept, wait, &buf, &cap);
	if (err)
		goto unlock;
	if (len > cap - RPMSG_HDR_SIZE || len > UINT16_MAX) {
		upi_rpmsg_tx_buf_put(vdev, buf); /* a smaller buffer than the MTU (device role) */
		err = -EMSGSIZE;
		goto unlock;
	}
	if (len)
		__builtin_memcpy(buf + RPMSG_HDR_SIZE, data, len);
	err = upi_rpmsg_send_locked_buf(vdev, buf, src, dst, len, &kick);
unlock:
	*report = upi_rpmsg_report_due(vdev);
	upi_rpmsg_unlock(vdev);
	if (kick)
		vdev->cfg.notify(vdev->cfg.priv, vdev->svq.index);
	return err;
}

/* A send without the report at its end (the bus's own sends, inside its calls). */
int upi_rpmsg_send(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst, const void *data,
		   size_t len, bool wait)
{
	bool report = false;
	return send_one(ept, src, dst, data, len, wait, &report);
}

static int send_common(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst, const void *data,
		       size_t len, bool wait)
{
	bool report = false;
	int err = send_one(ept, src, dst, data, len, wait, &report);
	if (report)
		upi_rpmsg_report(ept->vdev);
	return err;
}

int rpmsg_send(struct rpmsg_endpoint *ept, const void *data, size_t len)
{
	if (!ept)
		return -EINVAL;
	return send_common(ept, ept->addr, ept->dst, data, len, true);
}

int rpmsg_sendto(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst)
{
	if (!ept)
		return -EINVAL;
	return send_common(ept, ept->addr, dst, data, len, true);
}

int rpmsg_send_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			  const void *data, size_t len)
{
	return send_common(ept, src, dst, data, len, true);
}

int rpmsg_trysend(struct rpmsg_endpoint *ept, const void *data, size_t len)
{
	if (!ept)
		return -EINVAL;
	return send_common(ept, ept->addr, ept->dst, data, len, false);
}

int rpmsg_trysendto(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst)
{
	if (!ept)
		return -EINVAL;
	return send_common(ept, ept->addr, dst, data, len, false);
}

int rpmsg_trysend_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			     const void *data, size_t len)
{
	return send_common(ept, src, dst, data, len, false);
}

/*
 * One lock, one index publish (the tx queue batched) and one kick decision for up
 * to RPMSG_SEND_BATCH_MAX messages. Each message still gets a buffer, a copy, a
 * header and a descriptor of its own, checked as a single send's are.
 */
int rpmsg_trysendto_batch(struct rpmsg_endpoint *ept, uint32_t dst, const struct rpmsg_msg *msgs,
			  unsigned int n)
{
	if (!ept || !ept->vdev || (n && !msgs))
		return -EINVAL;
	if (ept->addr == RPMSG_ADDR_ANY || dst == RPMSG_ADDR_ANY)
		return -EINVAL;
	if (!n)
		return 0;
	if (n > RPMSG_SEND_BATCH_MAX)
		n = RPMSG_SEND_BATCH_MAX;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	uint32_t mtu = upi_rpmsg_mtu(vdev);
	int sent = 0, err = 0;
	bool kick = false;
	upi_rpmsg_lock(vdev);
	virtqueue_batch_begin(&vdev->svq);
	for (unsigned int i = 0; i < n; i++) {
		size_t len = msgs[i].len;
		if (len > mtu) {
			err = -EMSGSIZE;
			break;
		}
		if (len && !msgs[i].data) {
			err = -EINVAL;
			break;
		}
		uint8_t *buf;
		uint32_t cap;
		err = tx_get(vdev, ept, false, &buf, &cap);
		if (err)
			break;
		if (len > cap - RPMSG_HDR_SIZE || len > UINT16_MAX) {
			upi_rpmsg_tx_buf_put(vdev, buf);
			err = -EMSGSIZE;
			break;
		}
		if (len)
			__builtin_memcpy(buf + RPMSG_HDR_SIZE, msgs[i].data, len);
		err = upi_rpmsg_send_locked_buf(vdev, buf, ept->addr, dst, len, NULL);
		if (err)
			break;
		sent++;
	}
	/* Publishes the batch, then decides once whether the peer must hear of it. */
	kick = virtqueue_kick_prepare(&vdev->svq);
	bool report = upi_rpmsg_report_due(vdev);
	upi_rpmsg_unlock(vdev);
	if (kick)
		vdev->cfg.notify(vdev->cfg.priv, vdev->svq.index);
	if (report)
		upi_rpmsg_report(vdev);
	return sent ? sent : err;
}

/* ---- zero copy ----------------------------------------------------------------------- */

void *rpmsg_get_tx_payload_buffer(struct rpmsg_endpoint *ept, uint32_t *len, bool wait)
{
	if (!ept || !ept->vdev)
		return NULL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	uint8_t *buf;
	uint32_t cap;
	upi_rpmsg_lock(vdev);
	int err = tx_get(vdev, ept, wait, &buf, &cap);
	upi_rpmsg_unlock(vdev);
	upi_rpmsg_report(vdev);
	if (err)
		return NULL;
	if (len)
		*len = rpmsg_min32(cap - RPMSG_HDR_SIZE, UINT16_MAX);
	return buf + RPMSG_HDR_SIZE;
}

int rpmsg_send_offchannel_nocopy(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
				 const void *data, size_t len)
{
	if (!ept || !ept->vdev || !data)
		return -EINVAL;
	if (src == RPMSG_ADDR_ANY || dst == RPMSG_ADDR_ANY)
		return -EINVAL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	uint8_t *buf = (uint8_t *)data - RPMSG_HDR_SIZE;
	bool kick = false;
	int err;
	upi_rpmsg_lock(vdev);
	uint32_t cap = upi_rpmsg_tx_buf_cap(vdev, buf);
	if (!cap) {
		err = -EINVAL;
	} else if (len > cap - RPMSG_HDR_SIZE || len > UINT16_MAX) {
		err = -EMSGSIZE;
	} else if (vdev->shutdown) {
		upi_rpmsg_tx_buf_put(vdev, buf);
		err = -ESHUTDOWN;
	} else if (virtqueue_is_broken(&vdev->svq)) {
		upi_rpmsg_tx_buf_put(vdev, buf);
		err = -EIO;
	} else {
		err = upi_rpmsg_send_locked_buf(vdev, buf, src, dst, len, &kick);
	}
	upi_rpmsg_unlock(vdev);
	if (kick)
		vdev->cfg.notify(vdev->cfg.priv, vdev->svq.index);
	upi_rpmsg_report(vdev);
	return err;
}

int rpmsg_send_nocopy(struct rpmsg_endpoint *ept, const void *data, size_t len)
{
	if (!ept)
		return -EINVAL;
	return rpmsg_send_offchannel_nocopy(ept, ept->addr, ept->dst, data, len);
}

int rpmsg_sendto_nocopy(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst)
{
	if (!ept)
		return -EINVAL;
	return rpmsg_send_offchannel_nocopy(ept, ept->addr, dst, data, len);
}

int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *data)
{
	if (!ept || !ept->vdev || !data)
		return -EINVAL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	upi_rpmsg_lock(vdev);
	int err = upi_rpmsg_tx_buf_put(vdev, (uint8_t *)data - RPMSG_HDR_SIZE);
	upi_rpmsg_unlock(vdev);
	upi_rpmsg_report(vdev);
	return err;
}

/* ---- readiness ------------------------------------------------------------------------- */

unsigned int rpmsg_poll(struct rpmsg_endpoint *ept)
{
	if (!ept || !ept->vdev)
		return RPMSG_POLLERR;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	unsigned int mask = 0;
	upi_rpmsg_lock(vdev);
	if (!(ept->state & EPT_LINKED) || vdev->shutdown)
		mask |= RPMSG_POLLHUP;
	if (rpmsg_virtio_is_broken(vdev))
		mask |= RPMSG_POLLERR;
	if (!mask) {
		if (upi_rpmsg_tx_buf_ready(vdev)) {
			mask |= RPMSG_POLLOUT;
		} else {
			vdev->tx_ready_armed = true;
			virtqueue_enable_cb(&vdev->svq);
		}
	}
	upi_rpmsg_unlock(vdev);
	upi_rpmsg_report(vdev);
	return mask;
}
