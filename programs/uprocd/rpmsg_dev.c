/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_dev.c - the rpmsg side of a processor: follows its bus through the vdev
 * hooks, serves <dev>/rpmsg_ctrlN (a device file of devfs.c), and saves the endpoints and ttys it made so that
 * a uprocd that attaches to the still-running core later re-creates them at the
 * same addresses before the first message is delivered (nothing the remote sent
 * meanwhile is lost). Loop thread.
 */
#include <errno.h>
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
			fprintf(f, "ept %u %u %u %s %u\n", e->minor, e->src, e->dst, e->name,
				e->b->vdev);
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->kind == UPROCD_TTY_RPMSG && t->b)
			fprintf(f, "tty %u %u %u %u\n", t->minor, t->src, t->dst, t->b->vdev);
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

/*
 * Re-create what was saved for bus @b (its vdev index in each line; a line without
 * one, from an older uprocd, belongs to the first bus restored).
 */
static void restore(struct uprocd_rpmsg_bus *b, bool first)
{
	struct uprocd_rpmsg *r = b->r;
	FILE *f = fopen(r->save_path, "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned int minor, src, dst, vdev;
		char name[UPROCD_NAME_SIZE + 1];
		struct uprocd_endpoint_info info;
		int n;

		if ((n = sscanf(line, "ept %u %u %u %32s %u", &minor, &src, &dst, name, &vdev)) >= 4) {
			if (n == 5 ? vdev != b->vdev : !first)
				continue;
			memset(&info, 0, sizeof(info));
			memcpy(info.name, name, strnlen(name, UPROCD_NAME_SIZE - 1));
			info.src = src;
			info.dst = dst;
			bool raw = !strcmp(info.name, "rpmsg-raw");
			if (uprocd_eptdev_create(b, &info, minor, raw, NULL) < 0)
				uprocd_log(r->proc->d, "remoteproc%u: endpoint %s at %u not restored",
					   r->proc->index, name, src);
		} else if ((n = sscanf(line, "tty %u %u %u %u", &minor, &src, &dst, &vdev)) >= 3) {
			if (n == 4 ? vdev != b->vdev : !first)
				continue;
			if (uprocd_tty_restore(b, minor, src, dst) < 0)
				uprocd_log(r->proc->d, "remoteproc%u: ttyRPMSG%u not restored",
					   r->proc->index, minor);
		}
	}
	fclose(f);
	uprocd_log(r->proc->d, "remoteproc%u: endpoints and ttys of the running core's vdev%u "
		   "restored", r->proc->index, b->vdev);
}

/* ---- rpmsg_ctrlN --------------------------------------------------------------- */

/* Linux's rpmsg_ctrldev_ioctl(). */
static int ctrl_request(struct uprocd_rpmsg_bus *b, unsigned int cmd,
			const struct uprocd_endpoint_info *in)
{
	struct uprocd_endpoint_info info = *in;
	struct rpmsg_channel_info ch;

	info.name[UPROCD_NAME_SIZE - 1] = '\0';
	switch (cmd) {
	case UPROCD_RPMSG_CREATE_EPT: {
		/* Beyond Linux: with no destination, the remote's channel of that
		 * name is the destination, now or once the remote announces it. */
		int ret = uprocd_eptdev_create(b, &info, UPROCD_DEV_MINORS, false, NULL);
		if (ret == 0)
			uprocd_rpmsg_save(b->r);
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
			return rpmsg_create_channel(b->bus, &ch, NULL) < 0 ? -ENXIO : 0;
		return rpmsg_release_channel(b->bus, &ch) < 0 ? -EINVAL : 0;
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

const struct uprocd_dev_ops uprocd_ctrl_ops = {
	.open = uprocd_devfs_open_present,
	.release = uprocd_devfs_release_nothing,
	.read = uprocd_devfs_read_einval,	/* Linux's rpmsg_ctrl has neither read */
	.write = uprocd_devfs_write_einval,	/* nor write */
	.ioctl = ctrl_ioctl,
	.poll = uprocd_devfs_poll_ready,
};

/* ---- the bus comes and goes -------------------------------------------------- */

static struct uprocd_rpmsg_bus *bus_find(struct uprocd_rpmsg *r,
					 const struct rpmsg_virtio_device *bus)
{
	if (!r)
		return NULL;
	for (struct uprocd_rpmsg_bus *b = r->buses; b; b = b->next)
		if (b->bus == bus)
			return b;
	return NULL;
}

/*
 * An rpmsg vdev's bus is up: its tty driver, what was saved for it (an attach),
 * and its control device, numbered as Linux numbers them (the lowest free N).
 */
static void bus_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		      void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;
	struct uprocd *d = p->d;

	(void)rproc;
	if (bus_find(r, bus))
		return;
	struct uprocd_rpmsg_bus *b = calloc(1, sizeof(*b));
	if (!b) {
		uprocd_log(d, "remoteproc%u: vdev%u: no memory for its devices", p->index, index);
		return;
	}
	bool first = !r->buses;
	b->r = r;
	b->bus = bus;
	b->vdev = index;
	b->ctrl_minor = -1;
	snprintf(b->tty_ids[0].name, sizeof(b->tty_ids[0].name), "rpmsg-tty");
	b->tty_drv.name = "uprocd-tty";
	b->tty_drv.id_table = b->tty_ids;
	b->tty_drv.probe = uprocd_tty_probe;
	b->tty_drv.remove = uprocd_tty_remove;
	b->tty_drv.callback = uprocd_tty_rx;
	b->next = r->buses;
	r->buses = b;
	r->tearing_down = false;
	if (rpmsg_register_driver(bus, &b->tty_drv) < 0)
		uprocd_log(d, "remoteproc%u: vdev%u: rpmsg-tty driver not registered", p->index,
			   index);
	restore(b, first);
	int m = uprocd_minor_alloc(d->ctrl_minors, UPROCD_DEV_MINORS);
	int ret = m < 0 ? m : uprocd_devfs_add(d, UPROCD_DEV_CTRL, (unsigned int)m, b, NULL);
	if (ret < 0) {
		if (m >= 0)
			uprocd_minor_free(d->ctrl_minors, (unsigned int)m);
		uprocd_log(d, "remoteproc%u: vdev%u: no rpmsg_ctrl device: %s", p->index, index,
			   strerror(-ret));
		return;
	}
	b->ctrl_minor = m;
	uprocd_dev_node(d, "rpmsg_ctrl", (unsigned int)m, b->ctrl_path, sizeof(b->ctrl_path));
	uprocd_log(d, "remoteproc%u: vdev%u: %s", p->index, index, b->ctrl_path);
}

/* Bus @b goes (@b NULL: all of them); consoles too when the daemon ends. */
static void teardown(struct uprocd_rpmsg *r, struct uprocd_rpmsg_bus *only, bool consoles_too)
{
	struct uprocd *d = r->proc->d;

	if (r->save_timer >= 0) { /* what changed in this round, before it goes */
		save_cancel(r);
		save_now(d->loop, r);
	}
	r->tearing_down = true;
	for (struct uprocd_rpmsg_bus **bp = &r->buses; *bp;) {
		struct uprocd_rpmsg_bus *b = *bp;
		if (only && b != only) {
			bp = &b->next;
			continue;
		}
		if (b->ctrl_minor >= 0) {
			uprocd_devfs_remove(d, UPROCD_DEV_CTRL, (unsigned int)b->ctrl_minor);
			uprocd_minor_free(d->ctrl_minors, (unsigned int)b->ctrl_minor);
		}
		for (struct uprocd_eptdev **ep = &r->epts; *ep;) {
			if ((*ep)->b == b)
				uprocd_eptdev_destroy(*ep); /* unlinks itself */
			else
				ep = &(*ep)->next;
		}
		rpmsg_unregister_driver(b->bus, &b->tty_drv); /* removes bound ttys */
		for (struct uprocd_tty **tp = &r->ttys; *tp;) {
			if ((*tp)->b == b)
				uprocd_tty_destroy(*tp); /* unlinks itself */
			else
				tp = &(*tp)->next;
		}
		*bp = b->next;
		free(b);
	}
	if (consoles_too)
		while (r->ttys)
			uprocd_tty_destroy(r->ttys);
}

static void bus_removing(struct rproc *rproc, unsigned int index,
			 struct rpmsg_virtio_device *bus, void *arg)
{
	struct uprocd_proc *p = arg;
	struct uprocd_rpmsg *r = p->rpmsg;
	struct uprocd_rpmsg_bus *b = bus_find(r, bus);

	(void)index;
	if (!b)
		return;
	/* Leaving a core running (detach): destinations learnt from announcements
	 * since the last save are kept for the uprocd that attaches next, which
	 * hears no announcement again. */
	enum rproc_state st = rproc_get_state(rproc);
	if (st == RPROC_RUNNING || st == RPROC_ATTACHED) {
		bool changed = false;
		for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
			if (e->b == b)
				changed |= uprocd_eptdev_resolve_dst(e);
		if (changed)
			uprocd_rpmsg_save(r);
	}
	teardown(r, b, false);
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
	struct uprocd_rpmsg_bus *b = bus_find(r, bus);

	if (!b || r->tearing_down)
		return;
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
		if (e->b == b)
			uprocd_eptdev_tx_ready(e);
	for (struct uprocd_tty *t = r->ttys; t; t = t->next)
		if (t->b == b)
			uprocd_tty_tx_ready(t);
}

/*
 * Linux's rpmsg_chrdev: a channel the remote announces as "rpmsg-raw" gets an
 * endpoint device (<dev>/rpmsgM) by itself, which goes when the remote ends the
 * channel. One already there for that remote address (restored after an attach,
 * or a repeated announcement) is kept.
 */
static void raw_channel(struct uprocd_rpmsg_bus *b, const struct rpmsg_channel_info *info,
			bool created)
{
	struct uprocd_rpmsg *r = b->r;
	struct uprocd_eptdev *e;

	for (e = r->epts; e; e = e->next)
		if (e->b == b && e->raw && e->dst == info->dst)
			break;
	if (created && !e) {
		struct uprocd_endpoint_info ep = { .src = RPMSG_ADDR_ANY, .dst = info->dst };
		strcpy(ep.name, "rpmsg-raw");
		int ret = uprocd_eptdev_create(b, &ep, UPROCD_DEV_MINORS, true, &e);
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
	struct uprocd_rpmsg_bus *b = bus_find(r, bus);

	(void)rproc;
	(void)index;
	if (!b || r->tearing_down)
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
		raw_channel(b, info, created);
	if (!created)
		return;
	for (struct uprocd_eptdev *e = r->epts; e; e = e->next)
		if (e->b == b)
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
	case RPROC_EVENT_BEFORE_POWERUP:
		/* A boot or a recovery starts the core afresh: what an earlier run saved
		 * (left by a uprocd that stopped its cores at exit, or whose core died
		 * while none ran) belongs to no endpoint of the new run. An attach has no
		 * BEFORE_POWERUP and restores it. */
		unlink(r->save_path);
		break;
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
	teardown(r, NULL, true);
	save_cancel(r);
	free(r);
	p->rpmsg = NULL;
}

/* What serves remote address @dst here: "rpmsgM", "ttyRPMSGn", both, or nothing. */
static void served_by(struct uprocd_rpmsg_bus *b, uint32_t dst, char *buf, size_t len)
{
	struct uprocd_rpmsg *r = b->r;
	size_t n = 0;

	buf[0] = '\0';
	for (struct uprocd_eptdev *e = r->epts; e && n < len; e = e->next)
		if (e->b == b && e->ept_live && e->dst == dst)
			n += (size_t)snprintf(buf + n, len - n, "%srpmsg%u", n ? ", " : "", e->minor);
	for (struct uprocd_tty *t = r->ttys; t && n < len; t = t->next)
		if (t->b == b && t->dst == dst)
			n += (size_t)snprintf(buf + n, len - n, "%sttyRPMSG%u", n ? ", " : "",
					      t->minor);
}

/*
 * The channels the remote announced (every channel of the bus with a remote
 * address): name, remote address, and the local endpoint or tty serving it. With
 * many channels (a remote may announce thousands) the served-by lookup is skipped
 * when nothing local could serve them.
 */
static void remote_channels(struct uprocd_rpmsg_bus *b, uprocd_channel_fn fn, void *arg)
{
	struct uprocd_rpmsg *r = b->r;
	struct uprocd_channel_desc cd;

	int n = rpmsg_get_channels(b->bus, NULL, 0);
	if (n <= 0)
		return;
	struct rpmsg_channel_info *ch = calloc((size_t)n, sizeof(*ch));
	if (!ch)
		return;
	int got = rpmsg_get_channels(b->bus, ch, (size_t)n);
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
		cd.vdev = b->vdev;
		if (any_local)
			served_by(b, ch[i].dst, cd.served_by, sizeof(cd.served_by));
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
	for (struct uprocd_rpmsg_bus *b = r->buses; b; b = b->next) {
		if (b->ctrl_minor < 0)
			continue;
		memset(&cd, 0, sizeof(cd));
		cd.kind = UPROCD_CHAN_CONTROL;
		snprintf(cd.device, sizeof(cd.device), "rpmsg_ctrl%d", b->ctrl_minor);
		cd.vdev = b->vdev;
		cd.src = cd.dst = RPMSG_ADDR_ANY;
		cd.path = b->ctrl_path;
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
			cd.vdev = t->b ? t->b->vdev : 0;
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
		cd.vdev = e->b->vdev;
		cd.src = e->ept_live ? e->ept.addr : e->src;
		cd.dst = e->dst;
		cd.path = e->path;
		cd.open = e->opener != NULL;
		cd.stats = &e->stats;
		fn(arg, &cd);
	}
	for (struct uprocd_rpmsg_bus *b = r->buses; b; b = b->next)
		remote_channels(b, fn, arg);
}

unsigned int uprocd_rpmsg_remote_channel_count(struct uprocd_proc *p)
{
	struct uprocd_rpmsg *r = p->rpmsg;

	unsigned int total = 0;

	for (struct uprocd_rpmsg_bus *b = r ? r->buses : NULL; b; b = b->next) {
		int n = rpmsg_get_channels(b->bus, NULL, 0);
		total += n > 0 ? (unsigned int)n : 0;
	}
	return total;
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
