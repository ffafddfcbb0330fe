/* SPDX-License-Identifier: MIT */
/*
 * cdev.c - <dev>/remoteprocN: Linux's /dev/remoteprocN as a SOCK_SEQPACKET socket.
 *
 * Each packet is one command, as each write() is on the character device, with
 * Linux's rproc_cdev_write() rules: at most 10 bytes, compared with strncmp over
 * the written length, so no newline ("start\n" is -EINVAL) and a prefix counts
 * ("st" starts, "s" too):
 *   "start", "stop", "detach"
 * and, standing for the two ioctls (longer than any write Linux takes):
 *   "set_shutdown_on_release N"      (RPROC_SET_SHUTDOWN_ON_RELEASE, N 0 or not)
 *   "get_shutdown_on_release"        (RPROC_GET_SHUTDOWN_ON_RELEASE)
 * Each gets one reply packet: a decimal number and a newline, 0 or -errno (the
 * getter: 0 or 1). "start" on a running or attached processor takes another power
 * reference (uprocd_proc_start()). Shutdown-on-release is one flag of the
 * processor, as in Linux: it stays set until cleared, and whenever any connection
 * goes away (for any reason) while it is set, a running processor is shut down
 * (one power reference) and an attached one detached.
 * Only root or the configured group may connect (socket mode 0660).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

struct cdev_client {
	struct uprocd_cdev *cdev;
	int fd;
	struct cdev_client *next;
};

struct uprocd_cdev {
	struct uprocd_proc *proc;
	bool shutdown_on_release;	/* Linux's rproc->cdev_put_on_release */
	int listen_fd;
	char path[PATH_MAX];
	struct cdev_client *clients;
};

/* Linux's rproc_cdev_write() (@len bytes, no terminator needed) and ioctl(). */
static int cdev_command(struct cdev_client *c, const char *cmd, size_t len)
{
	struct rproc *rproc = c->cdev->proc->rproc;

	if (len > 24 && !strncmp(cmd, "set_shutdown_on_release ", 24)) {
		char *end;
		long v = strtol(cmd + 24, &end, 0);
		if (*end)
			return -EINVAL;
		c->cdev->shutdown_on_release = v != 0;
		return 0;
	}
	if (!strcmp(cmd, "get_shutdown_on_release"))
		return c->cdev->shutdown_on_release ? 1 : 0;
	if (!len || len > 10)
		return -EINVAL;
	if (!strncmp(cmd, "start", len))
		return uprocd_proc_start(c->cdev->proc);
	if (!strncmp(cmd, "stop", len)) {
		enum rproc_state s = rproc_get_state(rproc);
		if (s != RPROC_RUNNING && s != RPROC_ATTACHED)
			return -EINVAL;
		return rproc_shutdown(rproc);
	}
	if (!strncmp(cmd, "detach", len)) {
		if (rproc_get_state(rproc) != RPROC_ATTACHED)
			return -EINVAL;
		return rproc_detach(rproc);
	}
	return -EINVAL;
}

static void client_release(struct cdev_client *c)
{
	struct uprocd_cdev *cd = c->cdev;
	struct rproc *rproc = cd->proc->rproc;

	uproc_loop_del_fd(cd->proc->d->loop, c->fd);
	close(c->fd);
	for (struct cdev_client **pp = &cd->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	/* Linux's rproc_cdev_release(): any opener's close, while the flag is set. */
	if (cd->shutdown_on_release) {
		enum rproc_state s = rproc_get_state(rproc);
		if (s == RPROC_RUNNING) {
			uprocd_log(cd->proc->d, "remoteproc%u: its client went away: stopping",
				   cd->proc->index);
			rproc_shutdown(rproc);
		} else if (s == RPROC_ATTACHED) {
			uprocd_log(cd->proc->d, "remoteproc%u: its client went away: detaching",
				   cd->proc->index);
			rproc_detach(rproc);
		}
	}
	free(c);
}

static void on_client(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct cdev_client *c = arg;
	char buf[64], reply[16];

	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_release(c);
		return;
	}
	int r;
	if ((size_t)n >= sizeof(buf) || memchr(buf, '\0', (size_t)n)) {
		r = -EINVAL; /* longer than any command */
	} else {
		buf[n] = '\0';
		r = cdev_command(c, buf, (size_t)n);
	}
	int len = snprintf(reply, sizeof(reply), "%d\n", r);
	if (send(fd, reply, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno == EPIPE)
		client_release(c);
}

static void on_accept(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_cdev *cd = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	if (!uprocd_peer_may_write(cd->proc->d, cfd)) {
		close(cfd);
		return;
	}
	struct cdev_client *c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return;
	}
	c->cdev = cd;
	c->fd = cfd;
	if (uproc_loop_add_fd(loop, cfd, UPROC_LOOP_IN, on_client, c) < 0) {
		close(cfd);
		free(c);
		return;
	}
	c->next = cd->clients;
	cd->clients = c;
}

int uprocd_cdev_start(struct uprocd_proc *p)
{
	struct uprocd_cdev *cd = calloc(1, sizeof(*cd));
	int r;

	if (!cd)
		return -ENOMEM;
	cd->proc = p;
	uprocd_dev_node(p->d, "remoteproc", p->index, cd->path, sizeof(cd->path));
	cd->listen_fd = uprocd_listen(p->d, cd->path, SOCK_SEQPACKET, 0660);
	if (cd->listen_fd < 0) {
		r = cd->listen_fd;
		free(cd);
		return r;
	}
	r = uproc_loop_add_fd(p->d->loop, cd->listen_fd, UPROC_LOOP_IN, on_accept, cd);
	if (r < 0) {
		close(cd->listen_fd);
		unlink(cd->path);
		free(cd);
		return r;
	}
	p->cdev = cd;
	return 0;
}

void uprocd_cdev_stop(struct uprocd_proc *p)
{
	struct uprocd_cdev *cd = p->cdev;

	if (!cd)
		return;
	/* The daemon going away is not the client going away: no shutdown. */
	while (cd->clients) {
		struct cdev_client *c = cd->clients;
		cd->clients = c->next;
		uproc_loop_del_fd(p->d->loop, c->fd);
		close(c->fd);
		free(c);
	}
	uproc_loop_del_fd(p->d->loop, cd->listen_fd);
	close(cd->listen_fd);
	unlink(cd->path);
	free(cd);
	p->cdev = NULL;
}
