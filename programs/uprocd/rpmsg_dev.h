/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_dev.h - rpmsg endpoints and ttys of one processor, as device files (devfs.h)
 * and pseudo-terminals. Private to programs/uprocd; everything here runs on the loop
 * thread.
 *
 * <dev>/rpmsg_ctrlN, Linux's /dev/rpmsg_ctrlN: ioctl() with Linux's numbers and
 * struct rpmsg_endpoint_info:
 *   RPMSG_CREATE_EPT_IOCTL  make the endpoint device <dev>/rpmsgM for {name, src,
 *                           dst} (M: the lowest free number, as Linux's)
 *   RPMSG_CREATE_DEV_IOCTL  create a local channel {name, src, dst} and announce
 *                           it (a driver of that name binds: "rpmsg-tty" gives a
 *                           tty); ENXIO when it cannot (one of that name exists)
 *   RPMSG_RELEASE_DEV_IOCTL announce its end and release it (EINVAL: none)
 *   anything else           EINVAL; read() and write() are EINVAL
 * <dev>/rpmsgM, Linux's /dev/rpmsgM (rpmsg_char): one opener at a time (EBUSY);
 * the endpoint is created at open and destroyed at release, so what the remote
 * sends while nobody has it open is dropped; one message per read() (cut to the
 * reader's buffer) and per write() (EMSGSIZE beyond the MTU); a write the remote
 * has no buffer for waits up to the send timeout (then ETIMEDOUT), or fails with
 * EAGAIN under O_NONBLOCK; a read with nothing to read waits, or EAGAIN; poll()
 * gives POLLIN with a message to read, POLLOUT while the remote has a buffer,
 * POLLERR once the endpoint went. Once the channel or the device went, read() and
 * write() fail with EPIPE. ioctl(): RPMSG_DESTROY_EPT_IOCTL (removes rpmsgM),
 * RPMSG_GET_OUTGOING_FLOWCONTROL (0: virtio has no flow control),
 * RPMSG_SET_INCOMING_FLOWCONTROL (EINVAL beyond 1, else EOPNOTSUPP, as Linux over
 * virtio). A remote channel named "rpmsg-raw" gets an rpmsgM by itself (Linux's
 * rpmsg_chrdev): its endpoint is the channel's and lives with it, what arrives
 * while closed waits for the next opener, and it cannot be destroyed by ioctl.
 * With the processor's rpmsg_queue_closed = N (uprocd.conf), every endpoint
 * lives from CREATE_EPT to DESTROY_EPT instead, and up to N messages wait while
 * nobody has it open: a restarted reader, or a restarted uprocd, loses nothing.
 * An endpoint created without a destination (dst RPMSG_ADDR_ANY) sends to the
 * remote's channel of its name: a blocking write waits for the remote to
 * announce it (up to the send timeout, then EINVAL, Linux's errno for no
 * destination) and the address found is kept (and saved) from then on.
 * <dev>/ttyRPMSGn -> /dev/pts/K: an "rpmsg-tty" channel; <dev>/hvcN: a virtio
 * console. ttyRPMSGn has Linux's rpmsg-tty termios (tty_std_termios less ECHO,
 * ICANON, OPOST, ONLCR), hvcN raw mode; writes are split at the MTU. While the
 * remote has no free buffer the master is not read, so the writer blocks as on a
 * serial line, until the bus's (or the console's) tx_ready hook resumes it.
 */
#ifndef UPROCD_RPMSG_DEV_H
#define UPROCD_RPMSG_DEV_H

#include "rpmsg_uapi.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
#include "devfs.h"
#include "uproc/rpmsg.h"

/** struct uprocd_chan_stats - what went through a channel since it was made. */
struct uprocd_chan_stats {
	uint64_t rx_msgs, rx_bytes;	/* from the remote */
	uint64_t tx_msgs, tx_bytes;	/* to the remote */
};

struct uprocd_msg {
	struct uprocd_msg *next;
	size_t len;
	uint8_t data[];
};

struct uprocd_devfile;

struct uprocd_rpmsg_bus;

/** struct uprocd_eptdev - <dev>/rpmsgM: a local endpoint as a device file. */
struct uprocd_eptdev {
	struct uprocd_rpmsg *r;
	struct uprocd_rpmsg_bus *b;	/* the bus (rpmsg vdev) it is on */
	unsigned int minor;
	char name[UPROCD_NAME_SIZE];
	uint32_t src;			/* as asked: RPMSG_ADDR_ANY for any */
	struct rpmsg_endpoint ept;
	bool ept_live;
	bool raw;			/* an rpmsg-raw channel's: lives with the channel */
	bool persistent;		/* the endpoint lives from create to destroy */
	uint32_t dst;			/* where messages go; RPMSG_ADDR_ANY: not known yet */
	struct uprocd_devfile *opener;	/* NULL: nobody has it open */
	char path[PATH_MAX];
	struct uprocd_msg *rxq, *rxq_tail; /* for the reader */
	unsigned int rxq_len;
	unsigned int dropped;
	struct uprocd_devwaitq readers;	/* reads waiting for a message */
	struct uprocd_devwaitq writers;	/* writes waiting for a buffer or a destination */
	bool tx_blocked;		/* no free tx buffer: waiting for the bus's tx_ready */
	unsigned int tx_waits;		/* times the remote had no free buffer for us */
	struct uprocd_chan_stats stats;
	struct uprocd_eptdev *next;
};

enum uprocd_tty_kind {
	UPROCD_TTY_RPMSG,		/* ttyRPMSGn */
	UPROCD_TTY_CONSOLE,		/* hvcN */
};

/** struct uprocd_tty - a pseudo-terminal for an rpmsg-tty channel or a console. */
struct uprocd_tty {
	struct uprocd_rpmsg *r;
	struct uprocd_rpmsg_bus *b;	/* an rpmsg tty's bus; NULL for a console */
	enum uprocd_tty_kind kind;
	unsigned int minor;
	unsigned int vdev_index;	/* console */
	int master_fd;
	int slave_fd;			/* kept open: the master never sees a hangup */
	char link[PATH_MAX];
	char pts[64];
	struct rpmsg_device *rpdev;	/* bound channel, or NULL */
	struct rpmsg_endpoint own_ept;	/* restored after an attach */
	bool own_live;
	uint32_t src, dst;
	uint8_t tx[RPMSG_BUF_SIZE];
	size_t tx_len;
	bool tx_blocked;		/* waiting for the bus's or the console's tx_ready */
	unsigned int tx_waits;		/* times the remote had no free buffer for us */
	unsigned int dropped;
	struct uprocd_chan_stats stats;
	struct uprocd_tty *next;
};

/**
 * struct uprocd_rpmsg_bus - one rpmsg vdev of a processor while its bus is up,
 * and its control device rpmsg_ctrlN (N: the lowest free number when the bus came
 * up, across the daemon, as Linux numbers them).
 */
struct uprocd_rpmsg_bus {
	struct uprocd_rpmsg *r;
	struct rpmsg_virtio_device *bus;
	unsigned int vdev;		/* its vdev index in the resource table */
	int ctrl_minor;			/* N of rpmsg_ctrlN; -1: none */
	char ctrl_path[PATH_MAX];
	struct rpmsg_device_id tty_ids[2];
	struct rpmsg_driver tty_drv;	/* binds "rpmsg-tty" channels of this bus */
	struct uprocd_rpmsg_bus *next;
};

/** struct uprocd_rpmsg - the rpmsg side of one processor. */
struct uprocd_rpmsg {
	struct uprocd_proc *proc;
	struct uprocd_rpmsg_bus *buses;	/* every rpmsg vdev whose bus is up */
	char save_path[PATH_MAX];
	int64_t save_timer; /* a save is due at the end of this loop round, or -1 */
	bool tearing_down;
	struct uprocd_eptdev *epts;
	struct uprocd_tty *ttys;
};

/* rpmsg_dev.c */
int uprocd_minor_alloc(uint8_t *used, unsigned int want);
void uprocd_minor_free(uint8_t *used, unsigned int minor);
void uprocd_rpmsg_save(struct uprocd_rpmsg *r);

/* ept_dev.c */
/**
 * uprocd_eptdev_create() - make <dev>/rpmsgM (M: @want_minor if free, else the
 * lowest free) for @info; @raw: an rpmsg-raw channel's (its endpoint lives with
 * the device). Returns 0 or -errno.
 */
int uprocd_eptdev_create(struct uprocd_rpmsg_bus *b, const struct uprocd_endpoint_info *info,
			 unsigned int want_minor, bool raw, struct uprocd_eptdev **out);
void uprocd_eptdev_destroy(struct uprocd_eptdev *e);
/**
 * uprocd_eptdev_resolve_dst() - without a destination yet, take the address of the
 * remote's channel named as the endpoint, if it has announced one.
 * Returns true when the destination changed (the caller saves the endpoints).
 */
bool uprocd_eptdev_resolve_dst(struct uprocd_eptdev *e);
/**
 * uprocd_eptdev_announced() - the remote announced channel @info (the bus's channel
 * hook): an endpoint of that name without a destination takes its address (saved),
 * and a message waiting for it is sent now.
 */
void uprocd_eptdev_announced(struct uprocd_eptdev *e, const struct rpmsg_channel_info *info);
/**
 * uprocd_eptdev_tx_ready() - the bus has free tx buffers again (its tx_ready hook):
 * an endpoint whose message found none sends it now and reads its client again.
 */
void uprocd_eptdev_tx_ready(struct uprocd_eptdev *e);

/* tty.c */
int uprocd_tty_probe(struct rpmsg_device *rpdev);
void uprocd_tty_remove(struct rpmsg_device *rpdev);
int uprocd_tty_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv);
int uprocd_tty_restore(struct uprocd_rpmsg_bus *b, unsigned int minor, uint32_t src,
		       uint32_t dst);
void uprocd_tty_destroy(struct uprocd_tty *t);
struct uprocd_tty *uprocd_console_get(struct uprocd_rpmsg *r, unsigned int vdev_index);
/**
 * uprocd_tty_tx_ready() - the tty's bus or console can take more (a tx_ready hook):
 * a tty whose bytes found no free buffer sends them now and reads its master again.
 */
void uprocd_tty_tx_ready(struct uprocd_tty *t);

#endif /* UPROCD_RPMSG_DEV_H */
