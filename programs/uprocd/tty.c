/* SPDX-License-Identifier: MIT */
/*
 * tty.c - pseudo-terminals for "rpmsg-tty" channels (<dev>/ttyRPMSGn) and virtio
 * consoles (<dev>/hvcN), in raw mode, so picocom, screen or a serial library
 * attach to them. What a program writes is read from the master at most one MTU
 * at a time and sent as one message; while the remote has no free buffer the
 * master is not read (the tty's own buffer then fills and the writer blocks, as
 * on a serial line) until the bus's or the console's tx_ready hook says buffers
 * came back (uprocd_tty_tx_ready()). Loop thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "rpmsg_dev.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

static struct uproc_loop *loop_of(struct uprocd_tty *t)
{
	return t->r->proc->d->loop;
}

static struct rpmsg_endpoint *tty_ept(struct uprocd_tty *t)
{
	if (t->own_live)
		return &t->own_ept;
	return t->rpdev ? t->rpdev->ept : NULL;
}

static void set_reading(struct uprocd_tty *t, bool on)
{
	uproc_loop_mod_fd(loop_of(t), t->master_fd, on ? UPROC_LOOP_IN : 0);
}

/* No free buffer: stop reading the master until a tx_ready hook resumes us. */
static void wait_for_tx_ready(struct uprocd_tty *t)
{
	struct uprocd *d = t->r->proc->d;

	t->tx_blocked = true;
	if (d->verbose && ++t->tx_waits % 1000 == 1)
		uprocd_log(d, "%s%u: the remote has no free buffer: waiting (wait %u)",
			   t->kind == UPROCD_TTY_RPMSG ? "ttyRPMSG" : "hvc", t->minor, t->tx_waits);
}

/*
 * Send what was read from the master. A console that queues less than asked, or
 * nothing (-EAGAIN), has set its waiting flag: its console_tx_ready hook follows.
 * An rpmsg send that finds no buffer (-ENOMEM) armed the bus's tx_ready hook; a
 * buffer that came back meanwhile is seen by rpmsg_poll(), so no wake-up is missed.
 */
static void try_tx(struct uprocd_tty *t)
{
	ssize_t r;

	if (t->tx_blocked)
		return;
	while (t->tx_len) {
		if (t->kind == UPROCD_TTY_CONSOLE) {
			r = rproc_console_write(t->r->proc->rproc, t->vdev_index, t->tx, t->tx_len);
			if (r == -EAGAIN || r == 0) {
				wait_for_tx_ready(t);
				return;
			}
		} else {
			struct rpmsg_endpoint *ept = tty_ept(t);
			r = ept ? rpmsg_trysend(ept, t->tx, t->tx_len) : -ENOTCONN;
			if (r == -ENOMEM) {
				unsigned int ready = rpmsg_poll(ept);
				if (ready & RPMSG_POLLOUT)
					continue;
				if (!(ready & (RPMSG_POLLERR | RPMSG_POLLHUP))) {
					wait_for_tx_ready(t);
					return;
				}
				r = -EPIPE;
			}
			if (r == 0)
				r = (ssize_t)t->tx_len;
		}
		if (r < 0) {
			t->tx_len = 0; /* the channel is gone or broken: drop */
			break;
		}
		t->stats.tx_msgs++;
		t->stats.tx_bytes += (uint64_t)r;
		memmove(t->tx, t->tx + r, t->tx_len - (size_t)r);
		t->tx_len -= (size_t)r;
	}
	set_reading(t, true);
}

void uprocd_tty_tx_ready(struct uprocd_tty *t)
{
	if (!t->tx_blocked)
		return;
	t->tx_blocked = false;
	try_tx(t);
}

static void on_master(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_tty *t = arg;
	size_t chunk = sizeof(t->tx);

	if (t->tx_len)
		return;
	if (t->kind == UPROCD_TTY_RPMSG) {
		struct rpmsg_endpoint *ept = tty_ept(t);
		int mtu = ept ? rpmsg_get_mtu(ept) : -EINVAL;
		if (mtu > 0 && (size_t)mtu < chunk)
			chunk = (size_t)mtu; /* writes are split at the MTU */
	}
	ssize_t n = read(fd, t->tx, chunk);
	if (n <= 0)
		return; /* EAGAIN; EIO cannot happen while the slave is held open */
	t->tx_len = (size_t)n;
	set_reading(t, false);
	try_tx(t);
}

static enum uprocd_devkind tty_devkind(const struct uprocd_tty *t)
{
	return t->kind == UPROCD_TTY_RPMSG ? UPROCD_DEV_TTY : UPROCD_DEV_HVC;
}

static int pty_open(struct uprocd_tty *t)
{
	struct uprocd *d = t->r->proc->d;
	struct termios tio;

	t->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->master_fd < 0)
		return -errno;
	if (grantpt(t->master_fd) < 0 || unlockpt(t->master_fd) < 0 ||
	    ptsname_r(t->master_fd, t->pts, sizeof(t->pts)) != 0)
		goto fail;
	fcntl(t->master_fd, F_SETFL, fcntl(t->master_fd, F_GETFL) | O_NONBLOCK);
	t->slave_fd = open(t->pts, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (t->slave_fd < 0)
		goto fail;
	if (tcgetattr(t->slave_fd, &tio) == 0) {
		if (t->kind == UPROCD_TTY_RPMSG) {
			/* Linux's rpmsg_tty: tty_std_termios without ECHO, ICANON,
			 * OPOST, ONLCR (ICRNL, IXON, ISIG, IEXTEN stay on); a program
			 * that wants raw bytes sets raw mode, as on Linux. */
			tio.c_iflag = ICRNL | IXON;
			tio.c_oflag = 0;
			tio.c_cflag = CS8 | CREAD | HUPCL;
			tio.c_lflag = ISIG | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
			cfsetispeed(&tio, B38400);
			cfsetospeed(&tio, B38400);
		} else {
			cfmakeraw(&tio);
		}
		tcsetattr(t->slave_fd, TCSANOW, &tio);
	}
	if (d->cfg.has_group) {
		if (chown(t->pts, 0, d->cfg.group) == 0)
			chmod(t->pts, 0660);
	}
	uprocd_dev_node(d, t->kind == UPROCD_TTY_RPMSG ? "ttyRPMSG" : "hvc", t->minor, t->link,
			sizeof(t->link));
	if (uproc_loop_add_fd(d->loop, t->master_fd, UPROC_LOOP_IN, on_master, t) < 0)
		goto fail;
	/* the link <dev>/ttyRPMSGn -> the terminal, served by devfs.c */
	int r = uprocd_devfs_add(d, tty_devkind(t), t->minor, t, t->pts);
	if (r < 0) {
		uproc_loop_del_fd(d->loop, t->master_fd);
		errno = -r;
		goto fail;
	}
	return 0;
fail:;
	int e = errno ? -errno : -EIO;
	if (t->slave_fd >= 0)
		close(t->slave_fd);
	close(t->master_fd);
	t->master_fd = t->slave_fd = -1;
	return e;
}

static struct uprocd_tty *tty_new(struct uprocd_rpmsg *r, enum uprocd_tty_kind kind,
				  unsigned int want_minor)
{
	struct uprocd *d = r->proc->d;
	uint8_t *minors = kind == UPROCD_TTY_RPMSG ? d->tty_minors : d->hvc_minors;
	struct uprocd_tty *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->r = r;
	t->kind = kind;
	t->slave_fd = -1;
	int m = uprocd_minor_alloc(minors, want_minor);
	if (m < 0) {
		free(t);
		return NULL;
	}
	t->minor = (unsigned int)m;
	if (pty_open(t) < 0) {
		uprocd_minor_free(minors, t->minor);
		free(t);
		return NULL;
	}
	t->next = r->ttys;
	r->ttys = t;
	return t;
}

void uprocd_tty_destroy(struct uprocd_tty *t)
{
	struct uprocd_rpmsg *r = t->r;
	struct uprocd *d = r->proc->d;

	for (struct uprocd_tty **pp = &r->ttys; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	if (t->own_live)
		rpmsg_destroy_ept(&t->own_ept);
	if (t->rpdev)
		t->rpdev->priv = NULL;
	uproc_loop_del_fd(d->loop, t->master_fd);
	uprocd_devfs_remove(d, tty_devkind(t), t->minor);
	close(t->slave_fd);
	close(t->master_fd); /* programs on the slave see a hangup */
	uprocd_minor_free(t->kind == UPROCD_TTY_RPMSG ? d->tty_minors : d->hvc_minors, t->minor);
	free(t);
}

int uprocd_tty_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct uprocd_tty *t = priv;

	if (!t)
		return 0;
	t->stats.rx_msgs++;
	t->stats.rx_bytes += len;
	ssize_t n = write(t->master_fd, data, len);
	/* As Linux's rpmsg_tty, what the tty can't take is dropped. */
	if (n < (ssize_t)len && t->dropped++ % 1000 == 0)
		uprocd_log(t->r->proc->d, "ttyRPMSG%u: tty buffer full: data dropped", t->minor);
	return 0;
}

/* The rpmsg device whose driver is @rpdev: find the bus it is on. */
static struct uprocd_rpmsg_bus *bus_of(struct rpmsg_device *rpdev)
{
	struct rpmsg_driver *drv = rpdev->drv;
	return (struct uprocd_rpmsg_bus *)((char *)drv - offsetof(struct uprocd_rpmsg_bus, tty_drv));
}

/*
 * A tty restored after an attach for the remote channel @dst, not bound yet: the
 * remote announces its channels again to a new host, and that announcement is the
 * same channel, so it keeps its tty (and name) instead of getting a second one.
 */
static struct uprocd_tty *restored_for(struct uprocd_rpmsg_bus *b, uint32_t dst)
{
	for (struct uprocd_tty *t = b->r->ttys; t; t = t->next)
		if (t->b == b && t->own_live && !t->rpdev && t->dst == dst)
			return t;
	return NULL;
}

int uprocd_tty_probe(struct rpmsg_device *rpdev)
{
	struct uprocd_rpmsg_bus *b = bus_of(rpdev);
	struct uprocd_rpmsg *r = b->r;
	struct uprocd_tty *t = restored_for(b, rpdev->dst);

	if (t) {
		/* Its own endpoint stays: the remote answers the address it knows. */
		t->rpdev = rpdev;
		rpdev->priv = t;
		rpdev->ept->priv = t;
		return 0;
	}
	t = tty_new(r, UPROCD_TTY_RPMSG, 256);
	if (!t)
		return -ENOMEM;
	t->b = b;
	t->rpdev = rpdev;
	t->src = rpdev->src;
	t->dst = rpdev->dst;
	rpdev->priv = t;
	rpdev->ept->priv = t;
	uprocd_log(r->proc->d, "remoteproc%u: rpmsg-tty channel 0x%x -> 0x%x is %s", r->proc->index,
		   t->src, t->dst, t->link);
	uprocd_rpmsg_save(r);
	return 0;
}

void uprocd_tty_remove(struct rpmsg_device *rpdev)
{
	struct uprocd_tty *t = rpdev->priv;

	if (!t)
		return;
	struct uprocd_rpmsg *r = t->r;
	t->rpdev = NULL;
	uprocd_tty_destroy(t);
	uprocd_rpmsg_save(r);
}

int uprocd_tty_restore(struct uprocd_rpmsg_bus *b, unsigned int minor, uint32_t src,
		       uint32_t dst)
{
	struct uprocd_tty *t = tty_new(b->r, UPROCD_TTY_RPMSG, minor);

	if (!t)
		return -ENOMEM;
	t->b = b;
	int ret = rpmsg_create_ept(&t->own_ept, b->bus, src, dst, uprocd_tty_rx, t);
	if (ret < 0) {
		uprocd_tty_destroy(t);
		return ret;
	}
	t->own_live = true;
	t->src = src;
	t->dst = dst;
	return 0;
}

struct uprocd_tty *uprocd_console_get(struct uprocd_rpmsg *r, unsigned int vdev_index)
{
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->kind == UPROCD_TTY_CONSOLE && t->vdev_index == vdev_index)
			return t;
	struct uprocd_tty *t = tty_new(r, UPROCD_TTY_CONSOLE, 256);
	if (t) {
		t->vdev_index = vdev_index;
		uprocd_log(r->proc->d, "remoteproc%u: console vdev%u is %s", r->proc->index,
			   vdev_index, t->link);
	}
	return t;
}
