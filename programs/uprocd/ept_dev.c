/* SPDX-License-Identifier: MIT */
/*
 * ept_dev.c - <dev>/rpmsgM: one local rpmsg endpoint as a SOCK_SEQPACKET socket,
 * with rpmsg_char's semantics (see rpmsg_dev.h). Loop thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rpmsg_dev.h"
#include "uproc/loop.h"

static struct uproc_loop *loop_of(struct uprocd_eptdev *e)
{
	return e->r->proc->d->loop;
}

static void on_client(struct uproc_loop *loop, int fd, uint32_t events, void *arg);

/* Watch the client for what we wait for. Nothing to wait for: not watched at all,
 * since a hung-up socket is always reported and would make the loop spin while a
 * message waits for a buffer or a destination. */
static void client_events(struct uprocd_eptdev *e)
{
	uint32_t ev = 0;

	if (e->client_fd < 0)
		return;
	if (!e->tx)
		ev |= UPROC_LOOP_IN; /* no reading while the remote has no buffer for us */
	if (e->rxq)
		ev |= UPROC_LOOP_OUT;
	if (!ev) {
		if (e->client_watched)
			uproc_loop_del_fd(loop_of(e), e->client_fd);
		e->client_watched = false;
	} else if (e->client_watched) {
		uproc_loop_mod_fd(loop_of(e), e->client_fd, ev);
	} else if (uproc_loop_add_fd(loop_of(e), e->client_fd, ev, on_client, e) == 0) {
		e->client_watched = true;
	}
}

/* The message no longer waits for its destination: disarm the deadline. */
static void dst_wait_end(struct uprocd_eptdev *e)
{
	if (e->dst_timer) {
		uproc_loop_cancel_timer(loop_of(e), e->dst_timer);
		e->dst_timer = 0;
	}
}

static void client_close(struct uprocd_eptdev *e)
{
	if (e->client_fd < 0)
		return;
	if (e->client_watched)
		uproc_loop_del_fd(loop_of(e), e->client_fd);
	e->client_watched = false;
	close(e->client_fd);
	e->client_fd = -1;
	free(e->tx);
	e->tx = NULL;
	e->tx_blocked = false;
	dst_wait_end(e);
}

/* Hand queued messages to the client while its socket takes them. */
static int flush_rx(struct uprocd_eptdev *e)
{
	while (e->rxq && e->client_fd >= 0) {
		struct uprocd_msg *m = e->rxq;
		ssize_t n = send(e->client_fd, m->data, m->len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		e->rxq = m->next;
		if (!e->rxq)
			e->rxq_tail = NULL;
		e->rxq_len--;
		free(m);
	}
	client_events(e);
	return 0;
}

static int ept_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct uprocd_eptdev *e = priv;

	e->stats.rx_msgs++;
	e->stats.rx_bytes += len;
	if (e->client_fd >= 0 && !e->rxq) {
		ssize_t n = send(e->client_fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return 0;
		if (errno != EAGAIN && errno != EINTR) {
			client_close(e);
		}
	}
	if (e->rxq_len >= UPROCD_EPT_QUEUE) {
		if (e->dropped++ % 1000 == 0)
			uprocd_log(e->r->proc->d, "rpmsg%u: client not reading: message dropped",
				   e->minor);
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
	client_events(e);
	return 0;
}

/* The waiting message is done with (sent, failed or dropped): read the client again. */
static void tx_done(struct uprocd_eptdev *e)
{
	dst_wait_end(e);
	free(e->tx);
	e->tx = NULL;
	client_events(e);
}

/* The send timeout passed and the remote announced no channel of the name. */
static void dst_deadline(struct uproc_loop *loop, void *arg)
{
	struct uprocd_eptdev *e = arg;

	e->dst_timer = 0;
	if (!e->tx || e->dst != RPMSG_ADDR_ANY)
		return;
	uprocd_log(e->r->proc->d, "rpmsg%u: send failed: no destination (the remote announced "
		   "no channel '%s' within %u ms): message dropped", e->minor, e->name,
		   RPMSG_DEFAULT_SEND_TIMEOUT_MS);
	tx_done(e);
}

bool uprocd_eptdev_resolve_dst(struct uprocd_eptdev *e)
{
	if (e->dst != RPMSG_ADDR_ANY || !e->name[0] || !e->r->bus)
		return false;
	struct rpmsg_device *ch = rpmsg_find_channel(e->r->bus, e->name, RPMSG_ADDR_ANY);
	if (!ch || ch->dst == RPMSG_ADDR_ANY)
		return false;
	e->dst = ch->dst;
	return true;
}

/*
 * Send the waiting message. No free buffer (-ENOMEM): the endpoint waits, its client
 * unread, for the bus's tx_ready hook (uprocd_eptdev_tx_ready()), which the failed
 * send armed; a buffer that came back meanwhile is seen by rpmsg_poll() (which
 * arms the hook too), so no wake-up is missed. No destination yet: the message
 * waits for the remote to announce the endpoint's channel (the bus's channel hook,
 * uprocd_eptdev_announced()), bounded by one deadline timer of the send timeout;
 * then it is dropped (Linux's write fails with EINVAL).
 */
static void try_tx(struct uprocd_eptdev *e)
{
	struct uprocd *d = e->r->proc->d;
	int r;

	if (!e->tx || e->tx_blocked)
		return;
	if (uprocd_eptdev_resolve_dst(e))
		uprocd_rpmsg_save(e->r);
	if (e->dst == RPMSG_ADDR_ANY && e->name[0]) {
		if (e->dst_timer)
			return; /* still waiting */
		int64_t id = uproc_loop_add_timer(loop_of(e), RPMSG_DEFAULT_SEND_TIMEOUT_MS,
						  dst_deadline, e);
		if (id > 0) {
			e->dst_timer = id;
			if (d->verbose)
				uprocd_log(d, "rpmsg%u: waiting for the remote to announce '%s'",
					   e->minor, e->name);
			return;
		}
		uprocd_log(d, "rpmsg%u: no timer (%s): message dropped", e->minor,
			   strerror((int)-id));
	} else if (e->dst != RPMSG_ADDR_ANY) {
		while ((r = rpmsg_trysendto(&e->ept, e->tx, e->tx_len, e->dst)) == -ENOMEM) {
			unsigned int ready = rpmsg_poll(&e->ept);
			if (ready & RPMSG_POLLOUT)
				continue;
			if (ready & (RPMSG_POLLERR | RPMSG_POLLHUP)) {
				r = -EPIPE;
				break;
			}
			e->tx_blocked = true;
			if (d->verbose && ++e->tx_waits % 1000 == 1)
				uprocd_log(d, "rpmsg%u: the remote has no free buffer: waiting "
					   "(wait %u)", e->minor, e->tx_waits);
			return;
		}
		if (r < 0) {
			uprocd_log(d, "rpmsg%u: send failed: %s", e->minor, strerror(-r));
		} else {
			e->stats.tx_msgs++;
			e->stats.tx_bytes += e->tx_len;
		}
	} else {
		uprocd_log(d, "rpmsg%u: send failed: no destination: message dropped", e->minor);
	}
	tx_done(e);
}

void uprocd_eptdev_announced(struct uprocd_eptdev *e, const struct rpmsg_channel_info *info)
{
	if (e->dst != RPMSG_ADDR_ANY || !e->name[0] ||
	    strncmp(e->name, info->name, UPROCD_NAME_SIZE) != 0)
		return;
	e->dst = info->dst;
	uprocd_rpmsg_save(e->r);
	try_tx(e);
}

void uprocd_eptdev_tx_ready(struct uprocd_eptdev *e)
{
	if (!e->tx_blocked)
		return;
	e->tx_blocked = false;
	try_tx(e);
}

static void on_client(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_eptdev *e = arg;
	uint8_t buf[RPMSG_BUF_SIZE * 8];

	if (events & UPROC_LOOP_OUT) {
		if (flush_rx(e) < 0) {
			client_close(e);
			return;
		}
	}
	if (!(events & (UPROC_LOOP_IN | UPROC_LOOP_HUP | UPROC_LOOP_ERR)) || e->tx)
		return;
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(e); /* the endpoint stays; a new client may connect */
		return;
	}
	int mtu = rpmsg_get_mtu(&e->ept);
	if (mtu > 0 && n > mtu) {
		uprocd_log(e->r->proc->d, "rpmsg%u: a %zd-byte message exceeds the MTU (%d): "
			   "dropped", e->minor, n, mtu);
		return;
	}
	e->tx = malloc((size_t)n ? (size_t)n : 1);
	if (!e->tx)
		return;
	memcpy(e->tx, buf, (size_t)n);
	e->tx_len = (size_t)n;
	try_tx(e);
	client_events(e);
}

static void on_accept(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_eptdev *e = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	/* one opener at a time, as rpmsg_char */
	if (e->client_fd >= 0 || !uprocd_peer_may_write(e->r->proc->d, cfd) ||
	    uproc_loop_add_fd(loop, cfd, UPROC_LOOP_IN, on_client, e) < 0) {
		close(cfd);
		return;
	}
	e->client_fd = cfd;
	e->client_watched = true;
	if (flush_rx(e) < 0)
		client_close(e);
}

int uprocd_eptdev_create(struct uprocd_rpmsg *r, const struct uprocd_endpoint_info *info,
			 unsigned int want_minor, struct uprocd_eptdev **out)
{
	struct uprocd *d = r->proc->d;
	struct uprocd_eptdev *e;
	int ret;

	if (!r->bus)
		return -ENODEV;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->r = r;
	e->client_fd = -1;
	e->listen_fd = -1;
	memcpy(e->name, info->name, UPROCD_NAME_SIZE);
	e->name[UPROCD_NAME_SIZE - 1] = '\0';
	ret = uprocd_minor_alloc(d->ept_minors, want_minor);
	if (ret < 0)
		goto free_e;
	e->minor = (unsigned int)ret;
	ret = rpmsg_create_ept(&e->ept, r->bus, info->src, info->dst, ept_rx, e);
	if (ret < 0)
		goto free_minor;
	e->ept_live = true;
	e->dst = info->dst;
	uprocd_eptdev_resolve_dst(e);
	uprocd_dev_node(d, "rpmsg", e->minor, e->path, sizeof(e->path));
	e->listen_fd = uprocd_listen(d, e->path, SOCK_SEQPACKET, 0660);
	if (e->listen_fd < 0) {
		ret = e->listen_fd;
		goto destroy_ept;
	}
	ret = uproc_loop_add_fd(d->loop, e->listen_fd, UPROC_LOOP_IN, on_accept, e);
	if (ret < 0)
		goto close_listen;
	e->next = r->epts;
	r->epts = e;
	if (out)
		*out = e;
	return 0;

close_listen:
	close(e->listen_fd);
	unlink(e->path);
destroy_ept:
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
	/* The client sees the channel go: end of file on read, EPIPE on write. */
	if (e->client_fd >= 0)
		shutdown(e->client_fd, SHUT_RDWR);
	client_close(e);
	if (e->ept_live)
		rpmsg_destroy_ept(&e->ept);
	uproc_loop_del_fd(d->loop, e->listen_fd);
	close(e->listen_fd);
	unlink(e->path);
	uprocd_minor_free(d->ept_minors, e->minor);
	while (e->rxq) {
		struct uprocd_msg *m = e->rxq;
		e->rxq = m->next;
		free(m);
	}
	free(e);
}
