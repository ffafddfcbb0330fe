/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_dev.c - the rpmsg side of a processor: follows its bus through the vdev
 * hooks, serves <dev>/rpmsg_ctrlN (a device file of devfs.c), and saves the endpoints and ttys it made so that
 * a uprocd that attaches to the still-running core later re-creates them at the
 * same addresses before the first message is delivered (nothing the remote sent
 * meanwhile is lost). Loop thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_report.h"
#include "rpmsg_dev.h"
#include "uproc_escape.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

int uprocd_minor_alloc(uint8_t *used, unsigned int want)
{
	if (want < 256 && !used[want]) {
		used[want] = 1;
		return (int)want;
	}
	for (unsigned int i = 0; i < 256; i++) {
		if (!used[i]) {
			used[i] = 1;
			return (int)i;
		}
	}
	return -ENOSPC;
}

void uprocd_minor_free(uint8_t *used, unsigned int minor)
{
	if (minor < 256)
		used[minor] = 0;
}

/* ---- saved endpoints -------------------------------------------------------------- */

static void save_now(struct uproc_loop *loop, void *arg)
{
	struct uprocd_rpmsg *r = arg;
	char tmp[PATH_MAX + 8];

	(void)loop;
	r->save_timer = -1;
	if (r->tearing_down)
		return;
	snprintf(tmp, sizeof(tmp), "%s.new", r->save_path);
	FILE *f = fopen(tmp, "we");
	if (!f)
		return;
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
		if (!strpbrk(e->name, " \t\n") && e->name[0])
			fprintf(f, "ept %u %u %u %s\n", e->minor, e->src, e->dst, e->name);
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->kind == UPROCD_TTY_RPMSG)
			fprintf(f, "tty %u %u %u\n", t->minor, t->src, t->dst);
	if (fclose(f) == 0)
		rename(tmp, r->save_path);
	else
		unlink(tmp);
}

/*
 * Save once per loop round, however many endpoints and ttys changed in it: a remote
 * that churns channels must not cost a file write per announcement.
 */
void uprocd_rpmsg_save(struct uprocd_rpmsg *r)
{
	if (r->tearing_down || r->save_timer >= 0)
		return;
	int64_t id = uproc_loop_add_timer(r->proc->d->loop, 0, save_now, r);
	if (id > 0)
		r->save_timer = id;
	else
		save_now(r->proc->d->loop, r);
}

static void save_cancel(struct uprocd_rpmsg *r)
{
	if (r->save_timer >= 0)
		uproc_loop_cancel_timer(r->proc->d->loop, r->save_timer);
	r->save_timer = -1;
}

static void restore(struct uprocd_rpmsg *r)
{
	FILE *f = fopen(r->save_path, "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int minor, src, dst;
		char name[UPROCD_NAME_SIZE + 1];
		struct uprocd_endpoint_info info;

		if (sscanf(line, "ept %u %u %u %32s", &minor, &src, &dst, name) == 4) {
			memset(&info, 0, sizeof(info));
			memcpy(info.name, name, strnlen(name, UPROCD_NAME_SIZE - 1));
			info.src = src;
			info.dst = dst;
			bool raw = !strcmp(info.name, "rpmsg-raw");
			if (uprocd_eptdev_create(r, &info, minor, raw, NULL) < 0)
				uprocd_log(r->proc->d, "remoteproc%u: endpoint %s at %u not restored",
					   r->proc->index, name, src);
		} else if (sscanf(line, "tty %u %u %u", &minor, &src, &dst) == 3) {
			if (uprocd_tty_restore(r, minor, src, dst) < 0)
				uprocd_log(r->proc->d, "remoteproc%u: ttyRPMSG%u not restored",
					   r->proc->index, minor);
		}
	}
	fclose(f);
	uprocd_log(r->proc->d, "remoteproc%u: endpoints and ttys of the running core restored",
		   r->proc->index);
}

/* ---- rpmsg_ctrlN --------------------------------------------------------------- */

static int ctrl_open(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	return obj ? 0 : -ENODEV;
}

static void ctrl_release(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	(void)obj;
}

/* Linux's rpmsg_ctrl has neither read nor write. */
static void ctrl_read(fuse_req_t req, struct uprocd_devfile *f, void *obj, size_t size,
		      int flags)
{
	(void)f;
	(void)obj;
	(void)size;
	(void)flags;
	fuse_reply_err(req, EINVAL);
}

static void ctrl_write(fuse_req_t req, struct uprocd_devfile *f, void *obj, const void *buf,
		       size_t len, int flags)
{
	(void)f;
	(void)obj;
	(void)buf;
	(void)len;
	(void)flags;
	fuse_reply_err(req, EINVAL);
}

/* Linux's rpmsg_ctrldev_ioctl(). */
static int ctrl_request(struct uprocd_rpmsg *r, unsigned int cmd,
			const struct uprocd_endpoint_info *in)
{
	struct uprocd_endpoint_info info = *in;
	struct rpmsg_channel_info ch;

	info.name[UPROCD_NAME_SIZE - 1] = '\0';
	if (!r->bus)
		return -ENODEV;
	switch (cmd) {
	case UPROCD_RPMSG_CREATE_EPT: {
		/* Beyond Linux: with no destination, the remote's channel of that
		 * name is the destination, now or once the remote announces it. */
		int ret = uprocd_eptdev_create(r, &info, UPROCD_DEV_MINORS, false, NULL);
		if (ret == 0)
			uprocd_rpmsg_save(r);
		return ret;
	}
	case UPROCD_RPMSG_CREATE_DEV:
	case UPROCD_RPMSG_RELEASE_DEV:
		memset(&ch, 0, sizeof(ch));
		memcpy(ch.name, info.name, sizeof(ch.name));
		ch.src = info.src;
		ch.dst = info.dst;
		/* Linux's rpmsg_ctrl answers ENXIO for any channel it could not
		 * create (one of that name exists) and passes on the core's EINVAL
		 * for a channel it cannot find to release. */
		if (cmd == UPROCD_RPMSG_CREATE_DEV)
			return rpmsg_create_channel(r->bus, &ch, NULL) < 0 ? -ENXIO : 0;
		return rpmsg_release_channel(r->bus, &ch) < 0 ? -EINVAL : 0;
	default:
		return -EINVAL; /* Linux: an unknown request */
	}
}

static void ctrl_ioctl(fuse_req_t req, struct uprocd_devfile *f, void *obj, unsigned int cmd,
		       uintptr_t arg, const void *in, size_t in_size, size_t out_size)
{
	struct uprocd_endpoint_info info;

	(void)f;
	(void)arg;
	(void)out_size;
	if (!obj) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	if (in_size != sizeof(info)) {
		/* Linux reads a struct rpmsg_endpoint_info for every request */
		fuse_reply_err(req, EINVAL);
		return;
	}
	memcpy(&info, in, sizeof(info));
	int r = ctrl_request(obj, cmd, &info);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_ioctl(req, 0, NULL, 0);
}

static unsigned int ctrl_poll(struct uprocd_devfile *f, void *obj)
{
	(void)f;
	return obj ? POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM : POLLERR;
}

const struct uprocd_dev_ops uprocd_ctrl_ops = {
	.open = ctrl_open,
	.release = ctrl_release,
	.read = ctrl_read,
	.write = ctrl_write,
	.ioctl = ctrl_ioctl,
	.poll = ctrl_poll,
};

/* ---- the bus comes and goes -------------------------------------------------- */

static void bus_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		      void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;
	struct uprocd *d = p->d;

	if (r->bus)
		return; /* the first rpmsg vdev is the one served */
	r->bus = bus;
	r->bus_index = index;
	r->tearing_down = false;
	if (rpmsg_register_driver(bus, &r->tty_drv) < 0)
		uprocd_log(d, "remoteproc%u: rpmsg-tty driver not registered", p->index);
	restore(r);
	uprocd_dev_node(d, "rpmsg_ctrl", p->index, r->ctrl_path, sizeof(r->ctrl_path));
	int ret = uprocd_devfs_add(d, UPROCD_DEV_CTRL, p->index, r, NULL);
	r->ctrl_live = ret == 0;
	if (ret < 0)
		uprocd_log(d, "remoteproc%u: %s: %s", p->index, r->ctrl_path, strerror(-ret));
}

static void teardown(struct uprocd_rpmsg *r, bool consoles_too)
{
	struct uprocd *d = r->proc->d;

	if (r->save_timer >= 0) { /* what changed in this round, before it goes */
		save_cancel(r);
		save_now(d->loop, r);
	}
	r->tearing_down = true;
	if (r->ctrl_live) {
		uprocd_devfs_remove(d, UPROCD_DEV_CTRL, r->proc->index);
		r->ctrl_live = false;
	}
	while (r->epts)
		uprocd_eptdev_destroy(r->epts);
	if (r->bus)
		rpmsg_unregister_driver(r->bus, &r->tty_drv); /* removes bound ttys */
	for (struct uprocd_tty **pp = &r->ttys; *pp;) {
		struct uprocd_tty *t = *pp;
		if (t->kind == UPROCD_TTY_RPMSG || consoles_too)
			uprocd_tty_destroy(t); /* unlinks itself */
		else
			pp = &t->next;
	}
	r->bus = NULL;
}

static void bus_removing(struct rproc *rproc, unsigned int index,
			 struct rpmsg_virtio_device *bus, void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;

	if (r->bus != bus)
		return;
	/* Leaving a core running (detach): destinations learnt from announcements
	 * since the last save are kept for the uprocd that attaches next, which
	 * hears no announcement again. */
	enum rproc_state st = rproc_get_state(rproc);
	if (st == RPROC_RUNNING || st == RPROC_ATTACHED) {
		bool changed = false;
		for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
			changed |= uprocd_eptdev_resolve_dst(e);
		if (changed)
			uprocd_rpmsg_save(r);
	}
	teardown(r, false);
}

static void console_rx(struct rproc *rproc, unsigned int index, const void *data, size_t len,
		       void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_tty *t = uprocd_console_get(p->rpmsg, index);

	if (!t)
		return;
	t->stats.rx_msgs++;
	t->stats.rx_bytes += len;
	ssize_t n = write(t->master_fd, data, len);
	if (n < (ssize_t)len)
		t->dropped += (unsigned int)(len - (n > 0 ? (size_t)n : 0));
}

/*
 * Free tx buffers again on @bus (armed by a send that found none): resume every
 * endpoint and tty of the bus that waits for one. On the loop thread (the doorbell
 * handler, or a lifecycle call made from the loop): only sends, no lifecycle call.
 * Those resumed first may take the buffers again; the others wait on, re-armed.
 */
static void bus_tx_ready(struct rproc *rproc, unsigned int index,
			 struct rpmsg_virtio_device *bus, void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r || r->bus != bus || r->tearing_down)
		return;
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
		uprocd_eptdev_tx_ready(e);
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->kind == UPROCD_TTY_RPMSG)
			uprocd_tty_tx_ready(t);
}

/*
 * Linux's rpmsg_chrdev: a channel the remote announces as "rpmsg-raw" gets an
 * endpoint device (<dev>/rpmsgM) by itself, which goes when the remote ends the
 * channel. One already there for that remote address (restored after an attach,
 * or a repeated announcement) is kept.
 */
static void raw_channel(struct uprocd_rpmsg *r, const struct rpmsg_channel_info *info,
			bool created)
{
	struct uprocd_eptdev *e;

	for (e = r->epts; e; e = e->next)
		if (e->dst == info->dst && !strncmp(e->name, "rpmsg-raw", UPROCD_NAME_SIZE))
			break;
	if (created && !e) {
		struct uprocd_endpoint_info ep = { .src = RPMSG_ADDR_ANY, .dst = info->dst };
		strcpy(ep.name, "rpmsg-raw");
		int ret = uprocd_eptdev_create(r, &ep, UPROCD_DEV_MINORS, true, &e);
		if (ret < 0)
			uprocd_log(r->proc->d, "remoteproc%u: rpmsg-raw at 0x%x: no endpoint: %s",
				   r->proc->index, info->dst, strerror(-ret));
		else
			uprocd_log(r->proc->d, "remoteproc%u: rpmsg-raw at 0x%x is %s",
				   r->proc->index, info->dst, e->path);
	} else if (!created && e) {
		uprocd_eptdev_destroy(e);
	} else {
		return;
	}
	uprocd_rpmsg_save(r);
}

/*
 * The remote announced a channel (or its end) on @bus: endpoints created by that
 * name before the announcement take its address and send what waits for it. Loop
 * thread, as bus_tx_ready.
 */
static void bus_channel(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			const struct rpmsg_channel_info *info, bool created, void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r || r->bus != bus || r->tearing_down)
		return;
	size_t name_len = strnlen(info->name, sizeof(info->name));
	if (p->d->verbose) {
		char name[UPROC_ESCAPE_SIZE(sizeof(info->name))];
		uproc_escape_text(name, sizeof(name), info->name, name_len);
		uprocd_log(p->d, "remoteproc%u: the remote %s channel '%s' at 0x%x", p->index,
			   created ? "announced" : "ended", name, info->dst);
	}
	uprocd_event_channel(p, info->name, name_len, info->dst, created);
	if (!strncmp(info->name, "rpmsg-raw", sizeof(info->name)))
		raw_channel(r, info, created);
	if (!created)
		return;
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
		uprocd_eptdev_announced(e, info);
}

/* Console vdev @index can queue more: resume its tty (loop thread, as above). */
static void console_tx_ready(struct rproc *rproc, unsigned int index, void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r)
		return;
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->kind == UPROCD_TTY_CONSOLE && t->vdev_index == index)
			uprocd_tty_tx_ready(t);
}

void uprocd_rpmsg_event(struct uprocd_proc *p, int event)
{
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r)
		return;
	switch ((enum rproc_event)event) {
	case RPROC_EVENT_AFTER_POWERUP:
	case RPROC_EVENT_ATTACHED:
	case RPROC_EVENT_RECOVERED: {
		int n = rproc_vdev_count(p->rproc);
		for (int i = 0; i < n; i++) {
			struct rproc_vdev_info info;
			if (rproc_get_vdev_info(p->rproc, (unsigned int)i, &info) == 0 &&
			    info.id == 3)
				uprocd_console_get(r, (unsigned int)i);
		}
		break;
	}
	case RPROC_EVENT_AFTER_SHUTDOWN:
	case RPROC_EVENT_CRASHED:
	case RPROC_EVENT_DETACHED:
		/* consoles go with the core */
		for (struct uprocd_tty **pp = &r->ttys; *pp;) {
			if ((*pp)->kind == UPROCD_TTY_CONSOLE)
				uprocd_tty_destroy(*pp);
			else
				pp = &(*pp)->next;
		}
		/* a stopped or crashed core's endpoints are not to be restored */
		if (event != RPROC_EVENT_DETACHED)
			unlink(r->save_path);
		break;
	default:
		break;
	}
}

int uprocd_rpmsg_start(struct uprocd_proc *p)
{
	struct uprocd_rpmsg *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->proc = p;
	r->save_timer = -1;
	snprintf(r->save_path, sizeof(r->save_path), "%s/rpmsg-remoteproc%u", p->d->cfg.runtime_dir,
		 p->index);
	snprintf(r->tty_ids[0].name, sizeof(r->tty_ids[0].name), "rpmsg-tty");
	r->tty_drv.name = "uprocd-tty";
	r->tty_drv.id_table = r->tty_ids;
	r->tty_drv.probe = uprocd_tty_probe;
	r->tty_drv.remove = uprocd_tty_remove;
	r->tty_drv.callback = uprocd_tty_rx;
	p->rpmsg = r;

	struct rproc_vdev_hooks hooks = {
		.rpmsg_ready = bus_ready,
		.rpmsg_removing = bus_removing,
		.console_rx = console_rx,
		.rpmsg_tx_ready = bus_tx_ready,
		.console_tx_ready = console_tx_ready,
		.rpmsg_channel = bus_channel,
		.arg = p,
	};
	rproc_set_vdev_hooks(p->rproc, &hooks);
	return 0;
}

void uprocd_rpmsg_stop(struct uprocd_proc *p)
{
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r)
		return;
	rproc_set_vdev_hooks(p->rproc, NULL);
	teardown(r, true);
	save_cancel(r);
	free(r);
	p->rpmsg = NULL;
}

/* What serves remote address @dst here: "rpmsgM", "ttyRPMSGn", both, or nothing. */
static void served_by(struct uprocd_rpmsg *r, uint32_t dst, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (struct uprocd_eptdev *e = r->epts; e && n < len; e = e->next)
		if (e->ept_live && e->dst == dst)
			n += (size_t)snprintf(buf + n, len - n, "%srpmsg%u", n ? ", " : "", e->minor);
	for (struct uprocd_tty *t = r->ttys; t && n < len; t = t->next)
		if (t->kind == UPROCD_TTY_RPMSG && t->dst == dst)
			n += (size_t)snprintf(buf + n, len - n, "%sttyRPMSG%u", n ? ", " : "",
					      t->minor);
}

/*
 * The channels the remote announced (every channel of the bus with a remote
 * address): name, remote address, and the local endpoint or tty serving it. With
 * many channels (a remote may announce thousands) the served-by lookup is skipped
 * when nothing local could serve them.
 */
static void remote_channels(struct uprocd_rpmsg *r, uprocd_channel_fn fn, void *arg)
{
	struct uprocd_channel_desc cd;

	if (!r->bus)
		return;
	int n = rpmsg_get_channels(r->bus, NULL, 0);
	if (n <= 0)
		return;
	struct rpmsg_channel_info *ch = calloc((size_t)n, sizeof(*ch));
	if (!ch)
		return;
	int got = rpmsg_get_channels(r->bus, ch, (size_t)n);
	if (got < n)
		n = got; /* some went meanwhile */
	bool any_local = r->epts || r->ttys;
	for (int i = 0; i < n; i++) {
		if (ch[i].dst == RPMSG_ADDR_ANY)
			continue;
		memset(&cd, 0, sizeof(cd));
		cd.kind = UPROCD_CHAN_REMOTE;
		cd.name = ch[i].name;
		cd.name_len = strnlen(ch[i].name, sizeof(ch[i].name));
		cd.src = RPMSG_ADDR_ANY;
		cd.dst = ch[i].dst;
		if (any_local)
			served_by(r, ch[i].dst, cd.served_by, sizeof(cd.served_by));
		fn(arg, &cd);
	}
	free(ch);
}

void uprocd_rpmsg_channel_list(struct uprocd_proc *p, uprocd_channel_fn fn, void *arg)
{
	struct uprocd_rpmsg *r = p->rpmsg;
	struct uprocd_channel_desc cd;

	if (!r)
		return;
	if (r->bus) {
		memset(&cd, 0, sizeof(cd));
		cd.kind = UPROCD_CHAN_CONTROL;
		snprintf(cd.device, sizeof(cd.device), "rpmsg_ctrl%u", p->index);
		cd.vdev = r->bus_index;
		cd.src = cd.dst = RPMSG_ADDR_ANY;
		cd.path = r->ctrl_path;
		fn(arg, &cd);
	}
	for (struct uprocd_tty *t = r->ttys; t; t = t->next) {
		memset(&cd, 0, sizeof(cd));
		if (t->kind == UPROCD_TTY_RPMSG) {
			cd.kind = UPROCD_CHAN_TTY;
			snprintf(cd.device, sizeof(cd.device), "ttyRPMSG%u", t->minor);
			cd.name = "rpmsg-tty";
			cd.name_len = strlen(cd.name);
			cd.src = t->src;
			cd.dst = t->dst;
		} else {
			cd.kind = UPROCD_CHAN_CONSOLE;
			snprintf(cd.device, sizeof(cd.device), "hvc%u", t->minor);
			cd.vdev = t->vdev_index;
			cd.src = cd.dst = RPMSG_ADDR_ANY;
		}
		cd.path = t->link;
		cd.pts = t->pts;
		cd.stats = &t->stats;
		fn(arg, &cd);
	}
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next) {
		memset(&cd, 0, sizeof(cd));
		cd.kind = UPROCD_CHAN_ENDPOINT;
		snprintf(cd.device, sizeof(cd.device), "rpmsg%u", e->minor);
		cd.name = e->name;
		cd.name_len = strnlen(e->name, sizeof(e->name));
		cd.src = e->ept_live ? e->ept.addr : e->src;
		cd.dst = e->dst;
		cd.path = e->path;
		cd.open = e->opener != NULL;
		cd.stats = &e->stats;
		fn(arg, &cd);
	}
	remote_channels(r, fn, arg);
}

unsigned int uprocd_rpmsg_remote_channel_count(struct uprocd_proc *p)
{
	struct uprocd_rpmsg *r = p->rpmsg;

	if (!r || !r->bus)
		return 0;
	int n = rpmsg_get_channels(r->bus, NULL, 0);
	return n > 0 ? (unsigned int)n : 0;
}

int uprocd_rpmsg_console(struct uprocd_proc *p, char *path, size_t len)
{
	struct uprocd_rpmsg *r = p->rpmsg;
	struct uprocd_tty *best = NULL;

	if (!r)
		return -ENODEV;
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (!best || (t->kind == UPROCD_TTY_CONSOLE && best->kind != UPROCD_TTY_CONSOLE))
			best = t;
	if (!best)
		return -ENODEV;
	snprintf(path, len, "%s", best->link);
	return 0;
}
