/* SPDX-License-Identifier: MIT */
/*
 * ept_dev.c - <dev>/rpmsgM: one local rpmsg endpoint as a device file with
 * rpmsg_char's semantics (see rpmsg_dev.h). Loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpmsg_dev.h"
#include "uproc/loop.h"

static unsigned int queue_closed(const struct uprocd_eptdev *e)
{
	return e->r->proc->cfg->rpmsg_queue_closed;
}

static void queue_purge(struct uprocd_eptdev *e)
{
	while (e->rxq) {
		struct uprocd_msg *m = e->rxq;
		e->rxq = m->next;
		free(m);
	}
	e->rxq_tail = NULL;
	e->rxq_len = 0;
}

static void notify(struct uprocd_eptdev *e)
{
	uprocd_devfs_notify(e->opener);
}

static int ept_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct uprocd_eptdev *e = priv;

	(void)ept;
	(void)src;
	e->stats.rx_msgs++;
	e->stats.rx_bytes += len;
	if (e->readers.head) { /* a reader waits: it takes the message, cut to its buffer */
		struct uprocd_devwait *w = e->readers.head;
		size_t n = len < w->size ? len : w->size;
		fuse_reply_buf(uprocd_devwait_take(w), data, n);
		return 0;
	}
	/* Nobody has it open (a persistent or rpmsg-raw endpoint): at most
	 * rpmsg_queue_closed messages wait (rpmsg-raw: the open bound), as many as
	 * for a reader that does not keep up otherwise. */
	unsigned int bound = UPROCD_EPT_QUEUE;
	if (!e->opener && !e->raw)
		bound = queue_closed(e);
	if (e->rxq_len >= bound) {
		if (e->dropped++ % 1000 == 0)
			uprocd_log(e->r->proc->d, "rpmsg%u: %s: message dropped", e->minor,
				   e->opener ? "reader not keeping up" : "not open");
		return 0;
	}
	struct uprocd_msg *m = malloc(sizeof(*m) + len);
	if (!m)
		return 0;
	m->next = NULL;
	m->len = len;
	memcpy(m->data, data, len);
	if (e->rxq_tail)
		e->rxq_tail->next = m;
	else
		e->rxq = m;
	e->rxq_tail = m;
	e->rxq_len++;
	notify(e);
	return 0;
}

bool uprocd_eptdev_resolve_dst(struct uprocd_eptdev *e)
{
	if (e->dst != RPMSG_ADDR_ANY || !e->name[0] || !e->b)
		return false;
	struct rpmsg_device *ch = rpmsg_find_channel(e->b->bus, e->name, RPMSG_ADDR_ANY);
	uint32_t dst = ch ? ch->dst : RPMSG_ADDR_ANY;
	rpmsg_channel_put(ch);
	if (dst == RPMSG_ADDR_ANY)
		return false;
	e->dst = dst;
	return true;
}

/*
 * Send @len bytes now. 0 sent; -EAGAIN: no free buffer (the bus's tx_ready hook
 * is armed: the failed send armed it, and a buffer that came back meanwhile is
 * seen by rpmsg_poll(), which arms it too, so no wake-up is missed); -EDESTADDRREQ:
 * no destination yet; else -errno.
 */
static int send_now(struct uprocd_eptdev *e, const void *data, size_t len)
{
	int r;

	if (!e->ept_live)
		return -EPIPE;
	if (uprocd_eptdev_resolve_dst(e))
		uprocd_rpmsg_save(e->r);
	if (e->dst == RPMSG_ADDR_ANY)
		return -EDESTADDRREQ;
	while ((r = rpmsg_trysendto(&e->ept, data, len, e->dst)) == -ENOMEM) {
		unsigned int ready = rpmsg_poll(&e->ept);
		if (ready & RPMSG_POLLOUT)
			continue;
		if (ready & (RPMSG_POLLERR | RPMSG_POLLHUP))
			return -EPIPE;
		e->tx_blocked = true;
		struct uprocd *d = e->r->proc->d;
		if (d->verbose && ++e->tx_waits % 1000 == 1)
			uprocd_log(d, "rpmsg%u: the remote has no free buffer: waiting (wait %u)",
				   e->minor, e->tx_waits);
		return -EAGAIN;
	}
	if (r == 0) {
		e->stats.tx_msgs++;
		e->stats.tx_bytes += len;
	}
	return r;
}

/* Send what waits, oldest first, until one must wait on. */
static void drain_writers(struct uprocd_eptdev *e)
{
	while (e->writers.head && !e->tx_blocked) {
		struct uprocd_devwait *w = e->writers.head;
		int r = send_now(e, w->data, w->len);
		if (r == -EAGAIN)
			return;
		if (r == -EDESTADDRREQ) {
			w->timeout_err = EINVAL; /* Linux's errno for no destination */
			return;
		}
		size_t len = w->len;
		fuse_req_t req = uprocd_devwait_take(w);
		if (r < 0)
			fuse_reply_err(req, -r);
		else
			fuse_reply_write(req, len);
	}
	notify(e);
}

void uprocd_eptdev_announced(struct uprocd_eptdev *e, const struct rpmsg_channel_info *info)
{
	if (e->dst != RPMSG_ADDR_ANY || !e->name[0] ||
	    strncmp(e->name, info->name, UPROCD_NAME_SIZE) != 0)
		return;
	e->dst = info->dst;
	uprocd_rpmsg_save(e->r);
	drain_writers(e);
}

void uprocd_eptdev_tx_ready(struct uprocd_eptdev *e)
{
	e->tx_blocked = false;
	drain_writers(e);
}

/* A waiting write left by itself (interrupt, deadline): the next may go. */
static void writers_changed(void *arg)
{
	struct uprocd_eptdev *e = arg;

	if (!e->tx_blocked)
		drain_writers(e);
}

/* ---- the file ------------------------------------------------------------------- */

static int ept_open(struct uprocd_devfile *f, void *obj)
{
	struct uprocd_eptdev *e = obj;

	if (!e)
		return -ENODEV;
	if (e->opener)
		return -EBUSY;
	if (!e->b)
		return -ENETRESET;
	if (!e->ept_live) {
		/* Linux's rpmsg_eptdev_open(): the endpoint is made now */
		if (rpmsg_create_ept(&e->ept, e->b->bus, e->src, e->dst, ept_rx, e) < 0)
			return -EINVAL;
		e->ept_live = true;
	}
	e->opener = f;
	return 0;
}

static void ept_release(struct uprocd_devfile *f, void *obj)
{
	struct uprocd_eptdev *e = obj;

	if (!e || e->opener != f)
		return;
	e->opener = NULL;
	uprocd_devwait_fail_all(&e->readers, EBADF);
	uprocd_devwait_fail_all(&e->writers, EBADF);
	if (!e->persistent && !e->raw && e->ept_live) {
		/* Linux's rpmsg_eptdev_release(): the endpoint goes with the file */
		rpmsg_destroy_ept(&e->ept);
		e->ept_live = false;
		e->tx_blocked = false;
	}
	if (!e->persistent)
		queue_purge(e); /* Linux discards what was not read */
}

static void ept_read(fuse_req_t req, struct uprocd_devfile *f, void *obj, size_t size,
		     int flags)
{
	struct uprocd_eptdev *e = obj;

	(void)f;
	if (!e || !e->ept_live) {
		fuse_reply_err(req, EPIPE);
		return;
	}
	if (e->rxq) {
		struct uprocd_msg *m = e->rxq;
		e->rxq = m->next;
		if (!e->rxq)
			e->rxq_tail = NULL;
		e->rxq_len--;
		fuse_reply_buf(req, (const char *)m->data, m->len < size ? m->len : size);
		free(m);
		return;
	}
	if (flags & O_NONBLOCK) {
		fuse_reply_err(req, EAGAIN);
		return;
	}
	uprocd_devwait_add(e->r->proc->d, &e->readers, req, size, NULL, 0, 0);
}

static void ept_write(fuse_req_t req, struct uprocd_devfile *f, void *obj, const void *buf,
		      size_t len, int flags)
{
	struct uprocd_eptdev *e = obj;

	(void)f;
	if (!e || !e->ept_live) {
		fuse_reply_err(req, EPIPE);
		return;
	}
	int mtu = rpmsg_get_mtu(&e->ept);
	if (mtu > 0 && len > (size_t)mtu) {
		fuse_reply_err(req, EMSGSIZE);
		return;
	}
	int r = -EAGAIN;
	if (!e->writers.head)
		r = e->tx_blocked ? -EAGAIN : send_now(e, buf, len);
	if (r == 0) {
		fuse_reply_write(req, len);
		return;
	}
	if (r != -EAGAIN && r != -EDESTADDRREQ) {
		fuse_reply_err(req, -r);
		return;
	}
	if (flags & O_NONBLOCK) {
		/* no buffer: EAGAIN, as Linux; no destination: EINVAL, as Linux */
		fuse_reply_err(req, r == -EDESTADDRREQ ? EINVAL : EAGAIN);
		return;
	}
	struct uprocd_devwait *w = uprocd_devwait_add(e->r->proc->d, &e->writers, req, 0, buf,
						      len, RPMSG_DEFAULT_SEND_TIMEOUT_MS);
	if (w && r == -EDESTADDRREQ) {
		w->timeout_err = EINVAL;
		if (e->r->proc->d->verbose)
			uprocd_log(e->r->proc->d, "rpmsg%u: waiting for the remote to announce '%s'",
				   e->minor, e->name);
	}
}

static void ept_ioctl(fuse_req_t req, struct uprocd_devfile *f, void *obj, unsigned int cmd,
		      uintptr_t arg, const void *in, size_t in_size, size_t out_size)
{
	struct uprocd_eptdev *e = obj;

	(void)f;
	(void)in;
	(void)in_size;
	switch (cmd) {
	case UPROCD_RPMSG_DESTROY_EPT:
		if (!e || e->raw) { /* Linux: a default endpoint is not destroyed */
			fuse_reply_err(req, EINVAL);
			return;
		}
		uprocd_rpmsg_save(e->r);
		uprocd_eptdev_destroy(e);
		fuse_reply_ioctl(req, 0, NULL, 0);
		return;
	case UPROCD_RPMSG_GET_OUTGOING_FLOWCONTROL: {
		int v = 0; /* virtio rpmsg has no flow control: never restricted */
		if (out_size < sizeof(v)) {
			fuse_reply_err(req, EFAULT);
			return;
		}
		fuse_reply_ioctl(req, 0, &v, sizeof(v));
		return;
	}
	case UPROCD_RPMSG_SET_INCOMING_FLOWCONTROL:
		/* the argument is the value; over virtio Linux has no such operation */
		fuse_reply_err(req, arg > 1 ? EINVAL : EOPNOTSUPP);
		return;
	default:
		fuse_reply_err(req, EINVAL);
		return;
	}
}

static unsigned int ept_poll(struct uprocd_devfile *f, void *obj)
{
	struct uprocd_eptdev *e = obj;
	unsigned int mask = 0;

	(void)f;
	if (!e || !e->ept_live)
		return POLLERR;
	if (e->rxq)
		mask |= POLLIN | POLLRDNORM;
	if (!e->writers.head && !e->tx_blocked) {
		unsigned int ready = rpmsg_poll(&e->ept); /* arms tx_ready when not ready */
		if (ready & RPMSG_POLLOUT)
			mask |= POLLOUT | POLLWRNORM;
		if (ready & (RPMSG_POLLERR | RPMSG_POLLHUP))
			mask |= POLLERR;
	}
	return mask;
}

const struct uprocd_dev_ops uprocd_ept_ops = {
	.open = ept_open,
	.release = ept_release,
	.read = ept_read,
	.write = ept_write,
	.ioctl = ept_ioctl,
	.poll = ept_poll,
};

int uprocd_eptdev_create(struct uprocd_rpmsg_bus *b, const struct uprocd_endpoint_info *info,
			 unsigned int want_minor, bool raw, struct uprocd_eptdev **out)
{
	struct uprocd_rpmsg *r = b->r;
	struct uprocd *d = r->proc->d;
	struct uprocd_eptdev *e;
	int ret;

	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->r = r;
	e->b = b;
	e->raw = raw;
	e->persistent = r->proc->cfg->rpmsg_queue_closed > 0;
	memcpy(e->name, info->name, UPROCD_NAME_SIZE);
	e->name[UPROCD_NAME_SIZE - 1] = '\0';
	e->src = info->src;
	e->dst = info->dst;
	e->writers.changed = writers_changed;
	e->writers.arg = e;
	ret = uprocd_minor_alloc(d->ept_minors, want_minor);
	if (ret < 0)
		goto free_e;
	e->minor = (unsigned int)ret;
	if (e->persistent || e->raw) {
		ret = rpmsg_create_ept(&e->ept, b->bus, info->src, info->dst, ept_rx, e);
		if (ret < 0)
			goto free_minor;
		e->ept_live = true;
		e->src = e->ept.addr; /* the same address after a restart */
	}
	uprocd_eptdev_resolve_dst(e);
	uprocd_dev_node(d, "rpmsg", e->minor, e->path, sizeof(e->path));
	ret = uprocd_devfs_add(d, UPROCD_DEV_EPT, e->minor, e, NULL);
	if (ret < 0)
		goto destroy_ept;
	e->next = r->epts;
	r->epts = e;
	if (out)
		*out = e;
	return 0;

destroy_ept:
	if (e->ept_live)
		rpmsg_destroy_ept(&e->ept);
free_minor:
	uprocd_minor_free(d->ept_minors, e->minor);
free_e:
	free(e);
	return ret;
}

void uprocd_eptdev_destroy(struct uprocd_eptdev *e)
{
	struct uprocd_rpmsg *r = e->r;
	struct uprocd *d = r->proc->d;

	for (struct uprocd_eptdev **pp = &r->epts; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	/* The opener sees it go: reads and writes fail with EPIPE, poll POLLERR. */
	uprocd_devwait_fail_all(&e->readers, EPIPE);
	uprocd_devwait_fail_all(&e->writers, EPIPE);
	uprocd_devfs_remove(d, UPROCD_DEV_EPT, e->minor);
	if (e->ept_live)
		rpmsg_destroy_ept(&e->ept);
	uprocd_minor_free(d->ept_minors, e->minor);
	queue_purge(e);
	free(e);
}
