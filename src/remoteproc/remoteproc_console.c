// SPDX-License-Identifier: MIT
/*
 * remoteproc_console.c - the host side of a virtio console vdev (id 3): two raw
 * split virtqueues, receiveq 0 (the remote writes into buffers the host posted)
 * and transmitq 1 (the host's bytes), over the vdev's buffer area. Received bytes
 * are copied once out of shared memory and handed to the console_rx hook.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "remoteproc_vdev.h"

static void console_notify_cb(struct virtqueue *vq)
{
	upi_rproc_vdev_kick_remote(vq->priv, vq->index);
}

/* Called by the virtqueue with con_lock held: noted, reported by console_report(). */
static void console_broken_cb(struct virtqueue *vq, int err)
{
	struct rproc_vdev *rvdev = vq->priv;

	rvdev->con_broken[vq->index & 1] = err;
}

/*
 * Report the queues found broken, once each, with con_lock released: the report
 * reaches the log hook and rproc_report_crash(), which must never run under a
 * uproc lock. Called at the end of each console entry point.
 */
static void console_report(struct rproc_vdev *rvdev)
{
	int err[2];

	pthread_mutex_lock(&rvdev->con_lock);
	for (int q = 0; q < 2; q++) {
		err[q] = rvdev->con_broken[q];
		rvdev->con_broken[q] = 0;
	}
	pthread_mutex_unlock(&rvdev->con_lock);
	for (unsigned int q = 0; q < 2; q++)
		if (err[q])
			upi_rproc_vdev_broken(rvdev, q, err[q]);
}

/* ---- console (id 3): receiveq 0, transmitq 1 --------------------------------------- */

static uint8_t *console_buf(struct rproc_vdev *rvdev, unsigned int i)
{
	return rvdev->buf_shm.base + (size_t)i * RPROC_CONSOLE_BUF_SIZE;
}

void upi_rproc_console_free(struct rproc_vdev *rvdev)
{
	for (int i = 0; i < 2; i++) {
		free(rvdev->vq_state[i]);
		rvdev->vq_state[i] = NULL;
	}
	free(rvdev->con_tx_busy);
	rvdev->con_tx_busy = NULL;
}

int upi_rproc_console_start(struct rproc_vdev *rvdev)
{
	struct rproc *rproc = rvdev->rproc;
	unsigned int total = (unsigned int)(rvdev->buf_shm.size / RPROC_CONSOLE_BUF_SIZE);
	int ret;

	if (rvdev->num_vrings < 2)
		return rproc_err(rproc, -EINVAL, "vdev%u: a console needs two vrings", rvdev->index);
	rvdev->con_rx_count = rvdev->vring[0].num < total / 2 ? rvdev->vring[0].num : total / 2;
	rvdev->con_tx_count = rvdev->vring[1].num < total - rvdev->con_rx_count ?
				      rvdev->vring[1].num : total - rvdev->con_rx_count;
	if (!rvdev->con_rx_count || !rvdev->con_tx_count)
		return rproc_err(rproc, -ENOMEM, "vdev%u: console buffer area too small",
				 rvdev->index);
	rvdev->con_broken[0] = rvdev->con_broken[1] = 0;
	rvdev->con_tx_busy = calloc(rvdev->con_tx_count, sizeof(bool));
	if (!rvdev->con_tx_busy)
		return rproc_err(rproc, -ENOMEM, "vdev%u: no memory", rvdev->index);
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue_info info = {
			.role = VIRTIO_ROLE_DRIVER,
			.index = q,
			.num = rvdev->vring[q].num,
			.align = rvdev->vring[q].align,
			.ring_shm = &rvdev->vring[q].shm,
			.ring_da = rvdev->vring[q].da,
			.buf_shm = &rvdev->buf_shm,
			.features = rvdev->gfeatures,
			.mode = rvdev->attaching ? VIRTQUEUE_INIT_ATTACH : VIRTQUEUE_INIT_RESET,
			.notify = console_notify_cb,
			.broken = console_broken_cb,
			.priv = rvdev,
		};

		rvdev->vq_state[q] = calloc(info.num, sizeof(struct virtqueue_desc_state));
		if (!rvdev->vq_state[q]) {
			ret = rproc_err(rproc, -ENOMEM, "vdev%u: no memory", rvdev->index);
			goto free_state;
		}
		info.state = rvdev->vq_state[q];
		ret = virtqueue_init(&rvdev->vq[q], &info);
		if (ret < 0) {
			rproc_err(rproc, ret, "vdev%u: console queue %u: %s (%d)", rvdev->index, q,
				  ret == -EPROTO ? "inconsistent live ring" : "bad ring", ret);
			goto free_state;
		}
	}
	/*
	 * Attached to a live console: transmit buffers the last host left in flight come
	 * back through the used ring; which ones they are is not known here, so while
	 * any is out, all count as busy and each is freed as it returns.
	 */
	if (rvdev->attaching && virtqueue_num_free(&rvdev->vq[1]) != rvdev->vring[1].num)
		for (unsigned int i = 0; i < rvdev->con_tx_count; i++)
			rvdev->con_tx_busy[i] = true;

	/* Post every receive buffer not already in flight (all of them on a fresh ring). */
	if (!rvdev->attaching || virtqueue_num_free(&rvdev->vq[0]) == rvdev->vring[0].num) {
		for (unsigned int i = 0; i < rvdev->con_rx_count; i++) {
			ret = virtqueue_add_inbuf(&rvdev->vq[0], console_buf(rvdev, i),
						  RPROC_CONSOLE_BUF_SIZE, console_buf(rvdev, i));
			if (ret < 0) {
				rproc_err(rproc, ret, "vdev%u: posting console buffers failed (%d)",
					  rvdev->index, ret);
				goto free_state;
			}
		}
	}
	return 0;

free_state:
	upi_rproc_console_free(rvdev);
	return ret;
}

static int console_tx_index(struct rproc_vdev *rvdev, const void *token)
{
	const uint8_t *p = token;
	const uint8_t *first = console_buf(rvdev, rvdev->con_rx_count);

	if (p < first)
		return -1;
	size_t i = (size_t)(p - first) / RPROC_CONSOLE_BUF_SIZE;
	return i < rvdev->con_tx_count ? (int)i : -1;
}

/* Serve both console queues: received bytes go to the hook, sent buffers come back. */
void upi_rproc_console_service(struct rproc_vdev *rvdev)
{
	struct rproc_vdev_hooks hooks;
	uint8_t chunk[RPROC_CONSOLE_BUF_SIZE];

	bool tx_ready = false;

	upi_rproc_vdev_get_hooks(rvdev->rproc, &hooks);
	for (;;) {
		uint32_t len = 0;
		void *tok;

		pthread_mutex_lock(&rvdev->con_lock);
		while ((tok = virtqueue_get_buf(&rvdev->vq[1], &len))) {
			int i = console_tx_index(rvdev, tok);

			if (i >= 0) {
				rvdev->con_tx_busy[i] = false;
				tx_ready |= rvdev->con_tx_waiting;
				rvdev->con_tx_waiting = false;
			}
		}
		tok = virtqueue_get_buf(&rvdev->vq[0], &len);
		if (tok) {
			/* get_buf() bounded len by the buffer; copy once, then recycle. */
			if (len > RPROC_CONSOLE_BUF_SIZE)
				len = RPROC_CONSOLE_BUF_SIZE;
			memcpy(chunk, tok, len);
			virtqueue_add_inbuf(&rvdev->vq[0], tok, RPROC_CONSOLE_BUF_SIZE, tok);
		} else if (!virtqueue_enable_cb(&rvdev->vq[0])) {
			pthread_mutex_unlock(&rvdev->con_lock);
			continue;
		}
		pthread_mutex_unlock(&rvdev->con_lock);
		if (!tok)
			break;
		if (len && hooks.console_rx)
			hooks.console_rx(rvdev->rproc, rvdev->index, chunk, len, hooks.arg);
	}
	pthread_mutex_lock(&rvdev->con_lock);
	virtqueue_kick(&rvdev->vq[0]);
	pthread_mutex_unlock(&rvdev->con_lock);
	console_report(rvdev);
	if (tx_ready && hooks.console_tx_ready)
		hooks.console_tx_ready(rvdev->rproc, rvdev->index, hooks.arg);
}

ssize_t upi_rproc_console_queue(struct rproc_vdev *rvdev, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t done = 0;

	ssize_t ret;

	pthread_mutex_lock(&rvdev->con_lock);
	if (virtqueue_is_broken(&rvdev->vq[1])) {
		pthread_mutex_unlock(&rvdev->con_lock);
		return -EIO;
	}
	for (unsigned int i = 0; i < rvdev->con_tx_count && done < len; i++) {
		uint8_t *buf = console_buf(rvdev, rvdev->con_rx_count + i);
		size_t n = len - done;

		if (rvdev->con_tx_busy[i])
			continue;
		if (n > RPROC_CONSOLE_BUF_SIZE)
			n = RPROC_CONSOLE_BUF_SIZE;
		memcpy(buf, p + done, n);
		if (virtqueue_add_outbuf(&rvdev->vq[1], buf, (uint32_t)n, buf) < 0)
			break;
		rvdev->con_tx_busy[i] = true;
		done += n;
	}
	if (done)
		virtqueue_kick(&rvdev->vq[1]);
	if (done < len)
		rvdev->con_tx_waiting = true;	/* the rest waits for console_tx_ready */
	ret = done ? (ssize_t)done : -EAGAIN;
	pthread_mutex_unlock(&rvdev->con_lock);
	console_report(rvdev);
	return ret;
}

