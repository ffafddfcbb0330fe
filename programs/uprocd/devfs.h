/* SPDX-License-Identifier: MIT */
/*
 * devfs.h - <runtime_dir>/dev (the tree's dev/): the device files remoteprocN,
 * rpmsg_ctrlN and rpmsgM, and the ttyRPMSGn / hvcN links to their terminals, as
 * a FUSE filesystem (low-level API) served on the loop thread. Private to
 * programs/uprocd.
 *
 * Every request is handled on the loop thread, where the objects behind the
 * files live, so a device needs no lock. A request that must wait (a read with
 * nothing to read, a write the remote has no buffer for) is kept and answered
 * later from the loop (struct uprocd_devwait): no thread is held while it waits,
 * and a signal to the waiting program (FUSE's INTERRUPT) answers it with EINTR.
 *
 * The files are regular files to stat(2) (a FUSE filesystem cannot hold
 * character devices that it serves itself); open, read, write, poll, ioctl
 * and close behave as Linux's character devices do. An ioctl reaches the
 * daemon only when its number encodes its argument's size and direction
 * (FUSE's restricted ioctls), as every rpmsg and remoteproc ioctl does.
 *
 * Nothing on the loop thread may touch the files of this filesystem: the loop
 * would wait for itself.
 */
#ifndef UPROCD_DEVFS_H
#define UPROCD_DEVFS_H

#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 312
#endif
#include <fuse_lowlevel.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uprocd;

enum uprocd_devkind {
	UPROCD_DEV_RPROC = 1,	/* remoteprocN */
	UPROCD_DEV_CTRL,	/* rpmsg_ctrlN */
	UPROCD_DEV_EPT,		/* rpmsgM */
	UPROCD_DEV_TTY,		/* ttyRPMSGn -> its pseudo-terminal */
	UPROCD_DEV_HVC,		/* hvcN -> its pseudo-terminal */
	UPROCD_DEV_KINDS
};

#define UPROCD_DEV_MINORS 256

/**
 * struct uprocd_devfile - one open file of a device. @obj is looked up again at
 * every request by (@kind, @minor, @gen): a device that went away (or whose
 * number was reused) gives NULL, never a stale pointer.
 * @priv: the device's own per-open state.
 */
struct uprocd_devfile {
	struct uprocd *d;
	enum uprocd_devkind kind;
	unsigned int minor;
	uint64_t gen;
	int flags;			/* at open; each read and write carries its own */
	struct fuse_pollhandle *ph;	/* a poller waits for news of this file */
	void *priv;
	struct uprocd_devfile *prev, *next; /* every open file, for the end */
};

struct uprocd_devwaitq;

/**
 * struct uprocd_devwait - a read or a write that waits for its answer. The owner
 * takes it off its queue (uprocd_devwait_take()) and answers the request;
 * an interrupt answers EINTR by itself, a deadline -@timeout_err.
 */
struct uprocd_devwait {
	fuse_req_t req;
	struct uprocd_devwaitq *q;
	struct uprocd_devwait *prev, *next;
	struct uprocd *d;
	size_t size;			/* a read: the reader's buffer */
	int64_t timer;			/* its deadline, 0: none */
	int timeout_err;		/* what the deadline answers (positive errno) */
	size_t len;			/* a write: the message, in @data */
	uint8_t data[];
};

/** struct uprocd_devwaitq - waiting requests, oldest first. */
struct uprocd_devwaitq {
	struct uprocd_devwait *head, *tail;
	void (*changed)(void *arg);	/* one left by itself (interrupt, deadline) */
	void *arg;
};

/** struct uprocd_dev_ops - what a kind of device does; @obj is NULL once it went. */
struct uprocd_dev_ops {
	/* 0 or -errno; @f->priv may be set. */
	int (*open)(struct uprocd_devfile *f, void *obj);
	void (*release)(struct uprocd_devfile *f, void *obj);
	/* Each answers @req itself, now or later. @flags: the file's current flags. */
	void (*read)(fuse_req_t req, struct uprocd_devfile *f, void *obj, size_t size, int flags);
	void (*write)(fuse_req_t req, struct uprocd_devfile *f, void *obj, const void *buf,
		      size_t len, int flags);
	void (*ioctl)(fuse_req_t req, struct uprocd_devfile *f, void *obj, unsigned int cmd,
		      uintptr_t arg, const void *in, size_t in_size, size_t out_size);
	/* The POLL* mask now. */
	unsigned int (*poll)(struct uprocd_devfile *f, void *obj);
};

/* Shared by devices that have no such operation, as Linux's VFS answers then:
 * open succeeds while the device is there (else ENODEV), release does nothing,
 * read and write are EINVAL, poll is always ready (POLLERR once it went). */
int uprocd_devfs_open_present(struct uprocd_devfile *f, void *obj);
void uprocd_devfs_release_nothing(struct uprocd_devfile *f, void *obj);
void uprocd_devfs_read_einval(fuse_req_t req, struct uprocd_devfile *f, void *obj, size_t size,
			      int flags);
void uprocd_devfs_write_einval(fuse_req_t req, struct uprocd_devfile *f, void *obj,
			       const void *buf, size_t len, int flags);
unsigned int uprocd_devfs_poll_ready(struct uprocd_devfile *f, void *obj);

extern const struct uprocd_dev_ops uprocd_cdev_ops;	/* cdev.c */
extern const struct uprocd_dev_ops uprocd_ctrl_ops;	/* rpmsg_dev.c */
extern const struct uprocd_dev_ops uprocd_ept_ops;	/* ept_dev.c */

/** uprocd_devfs_init() - the (empty) device table. Before any device is added. */
int uprocd_devfs_init(struct uprocd *d);
/**
 * uprocd_devfs_mount() - mount it at d->dev_dir (a stale mount of an earlier
 * uprocd is removed first) and serve it on the loop. Returns 0 or -errno.
 */
int uprocd_devfs_mount(struct uprocd *d);
/** uprocd_devfs_stop() - unmount, answer what still waits, free everything. */
void uprocd_devfs_stop(struct uprocd *d);

/**
 * uprocd_devfs_add() - make <dev>/<kind's name><@minor> appear, for @obj (for a
 * tty or hvc: @link, the terminal it points to). Files already open on an
 * earlier device of that number stay with that one. Returns 0 or -errno.
 */
int uprocd_devfs_add(struct uprocd *d, enum uprocd_devkind kind, unsigned int minor, void *obj,
		     const char *link);
/** uprocd_devfs_remove() - the device goes: its name goes, its open files see it gone. */
void uprocd_devfs_remove(struct uprocd *d, enum uprocd_devkind kind, unsigned int minor);

/** uprocd_devfs_notify() - tell a poller of @f that something changed. */
void uprocd_devfs_notify(struct uprocd_devfile *f);

/**
 * uprocd_devwait_add() - keep @req waiting on @q (a write: with its @len bytes of
 * @data). @timeout_ms: 0 none, else answered with -ETIMEDOUT (changeable with
 * @timeout_err) when it passes. An interrupted request is answered EINTR.
 * Returns the wait, or NULL when the request was answered here (interrupted
 * already, or no memory: ENOMEM).
 */
struct uprocd_devwait *uprocd_devwait_add(struct uprocd *d, struct uprocd_devwaitq *q,
					  fuse_req_t req, size_t size, const void *data,
					  size_t len, uint32_t timeout_ms);
/** uprocd_devwait_take() - take @w off its queue and free it; the caller answers the request returned. */
fuse_req_t uprocd_devwait_take(struct uprocd_devwait *w);
/** uprocd_devwait_fail_all() - answer everything on @q with -@err. */
void uprocd_devwait_fail_all(struct uprocd_devwaitq *q, int err);

#endif /* UPROCD_DEVFS_H */
