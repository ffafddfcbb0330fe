/* SPDX-License-Identifier: MIT */
/*
 * cdev.c - <dev>/remoteprocN: Linux's /dev/remoteprocN (rproc_cdev), a device
 * file of devfs.c.
 *
 * write(): one command per write, with Linux's rproc_cdev_write() rules: at most
 * 10 bytes, compared with strncmp over the written length, so no newline
 * ("start\n" is EINVAL) and a prefix counts ("st" starts, "s" too):
 *   "start", "stop", "detach"
 * "start" on a running or attached processor takes another power reference
 * (uprocd_proc_start()). ioctl(): RPROC_SET_SHUTDOWN_ON_RELEASE (an int, 0 or
 * not) and RPROC_GET_SHUTDOWN_ON_RELEASE; anything else is EINVAL. read() is
 * EINVAL (Linux's device has none). Shutdown-on-release is one flag of the
 * processor, as in Linux: it stays set until cleared, and whenever any open file
 * is released while it is set, a running processor is shut down (one power
 * reference) and an attached one detached.
 */
#include <errno.h>
#include <linux/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "devfs.h"
#include "uproc/remoteproc.h"

/* Linux's include/uapi/linux/remoteproc_cdev.h */
#define UPROCD_RPROC_MAGIC 0xB7
#define UPROCD_RPROC_SET_SHUTDOWN_ON_RELEASE _IOW(UPROCD_RPROC_MAGIC, 1, int32_t)
#define UPROCD_RPROC_GET_SHUTDOWN_ON_RELEASE _IOR(UPROCD_RPROC_MAGIC, 2, int32_t)

struct uprocd_cdev {
	struct uprocd_proc *proc;
	bool shutdown_on_release;	/* Linux's rproc->cdev_put_on_release */
};

/* Linux's rproc_cdev_write(): @len bytes, no terminator needed. */
static int cdev_command(struct uprocd_cdev *cd, const char *cmd, size_t len)
{
	struct rproc *rproc = cd->proc->rproc;

	if (!len || len > 10)
		return -EINVAL;
	if (!strncmp(cmd, "start", len))
		return uprocd_proc_start(cd->proc);
	if (!strncmp(cmd, "stop", len))
		return uprocd_proc_stop(cd->proc);
	if (!strncmp(cmd, "detach", len)) {
		if (rproc_get_state(rproc) != RPROC_ATTACHED)
			return -EINVAL;
		return rproc_detach(rproc);
	}
	return -EINVAL;
}


/* Linux's rproc_cdev_release(): any opener's close, while the flag is set. */
static void cdev_release(struct uprocd_devfile *f, void *obj)
{
	struct uprocd_cdev *cd = obj;

	(void)f;
	if (!cd || !cd->shutdown_on_release)
		return;
	struct rproc *rproc = cd->proc->rproc;
	enum rproc_state s = rproc_get_state(rproc);
	if (s == RPROC_RUNNING) {
		uprocd_log(cd->proc->d, "remoteproc%u: released with shutdown-on-release: stopping",
			   cd->proc->index);
		rproc_shutdown(rproc);
	} else if (s == RPROC_ATTACHED) {
		uprocd_log(cd->proc->d, "remoteproc%u: released with shutdown-on-release: "
			   "detaching", cd->proc->index);
		rproc_detach(rproc);
	}
}


static void cdev_write(fuse_req_t req, struct uprocd_devfile *f, void *obj, const void *buf,
		       size_t len, int flags)
{
	(void)f;
	(void)flags;
	if (!obj) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	int r = cdev_command(obj, buf, len);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_write(req, len);
}

static void cdev_ioctl(fuse_req_t req, struct uprocd_devfile *f, void *obj, unsigned int cmd,
		       uintptr_t arg, const void *in, size_t in_size, size_t out_size)
{
	struct uprocd_cdev *cd = obj;
	int32_t v;

	(void)f;
	(void)arg;
	if (!cd) {
		fuse_reply_err(req, ENODEV);
		return;
	}
	if (cmd == UPROCD_RPROC_SET_SHUTDOWN_ON_RELEASE && in_size >= sizeof(v)) {
		memcpy(&v, in, sizeof(v));
		cd->shutdown_on_release = v != 0;
		fuse_reply_ioctl(req, 0, NULL, 0);
	} else if (cmd == UPROCD_RPROC_GET_SHUTDOWN_ON_RELEASE && out_size >= sizeof(v)) {
		v = cd->shutdown_on_release ? 1 : 0;
		fuse_reply_ioctl(req, 0, &v, sizeof(v));
	} else {
		fuse_reply_err(req, EINVAL); /* Linux: "Unsupported ioctl" */
	}
}


const struct uprocd_dev_ops uprocd_cdev_ops = {
	.open = uprocd_devfs_open_present,
	.release = cdev_release,
	.read = uprocd_devfs_read_einval,	/* Linux's device has no read */
	.write = cdev_write,
	.ioctl = cdev_ioctl,
	.poll = uprocd_devfs_poll_ready,	/* nor poll */
};

int uprocd_cdev_start(struct uprocd_proc *p)
{
	struct uprocd_cdev *cd = calloc(1, sizeof(*cd));
	int r;

	if (!cd)
		return -ENOMEM;
	cd->proc = p;
	r = uprocd_devfs_add(p->d, UPROCD_DEV_RPROC, p->index, cd, NULL);
	if (r < 0) {
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
	/* The daemon going away is not the file's release: no shutdown. */
	uprocd_devfs_remove(p->d, UPROCD_DEV_RPROC, p->index);
	free(cd);
	p->cdev = NULL;
}
