/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_dev.h - rpmsg endpoints and ttys of one processor, as local sockets and
 * pseudo-terminals. Private to programs/uprocd; everything here runs on the loop thread.
 *
 * <dev>/rpmsg_ctrlN (SOCK_SEQPACKET), Linux's /dev/rpmsg_ctrlN: each request is one
 * packet, struct uprocd_rpmsg_ctrl_req (44 bytes: the ioctl number, then struct
 * rpmsg_endpoint_info), answered by one struct uprocd_rpmsg_ctrl_rep (8 bytes).
 *   RPMSG_CREATE_EPT_IOCTL  create endpoint {name, src, dst}: reply {0, M}; the
 *                           endpoint is <dev>/rpmsgM
 *   RPMSG_DESTROY_EPT_IOCTL destroy the endpoint whose src (or, with src
 *                           RPMSG_ADDR_ANY, whose name) matches
 *   RPMSG_CREATE_DEV_IOCTL  create a local channel {name, src, dst} and announce
 *                           it (a driver of that name binds: "rpmsg-tty" gives a tty)
 *   RPMSG_RELEASE_DEV_IOCTL announce its end and release it
 * <dev>/rpmsgM (SOCK_SEQPACKET), Linux's /dev/rpmsgM: one message per read and per
 * write, one client at a time. A remote channel named "rpmsg-raw" gets one by itself
 * (Linux's rpmsg_chrdev), removed when the remote ends the channel. An endpoint created without a destination (dst
 * RPMSG_ADDR_ANY) sends to the remote's channel of its name: if the remote has not
 * announced it yet, a message waits for the announcement (up to the send timeout,
 * RPMSG_DEFAULT_SEND_TIMEOUT_MS, like a message waiting for a buffer) and the
 * address found is kept (and saved) from then on. Messages that arrive while no
 * client is connected wait (up to UPROCD_EPT_QUEUE). When the channel goes away
 * the client's socket is shut down: reads see the end, writes fail with EPIPE.
 * While the remote has no free buffer the daemon stops reading the client's
 * socket, so the client's poll() reports it not writable once the socket buffer
 * is full; the bus's tx_ready hook resumes it (the same for ttys, with the
 * console's console_tx_ready hook for hvcN).
 * <dev>/ttyRPMSGn -> /dev/pts/K: an "rpmsg-tty" channel; <dev>/hvcN: a virtio
 * console. ttyRPMSGn has Linux's rpmsg-tty termios (tty_std_termios less ECHO,
 * ICANON, OPOST, ONLCR), hvcN raw mode; writes are split at the MTU.
 */
#ifndef UPROCD_RPMSG_DEV_H
#define UPROCD_RPMSG_DEV_H

#include <linux/ioctl.h>
#include <stdint.h>

#define UPROCD_EPT_QUEUE 1024
#define UPROCD_NAME_SIZE 32

/** struct uprocd_endpoint_info - Linux's struct rpmsg_endpoint_info (uapi). */
struct uprocd_endpoint_info {
	char name[UPROCD_NAME_SIZE];
	uint32_t src;
	uint32_t dst;
};

#define UPROCD_RPMSG_CREATE_EPT _IOW(0xb5, 0x1, struct uprocd_endpoint_info)
#define UPROCD_RPMSG_DESTROY_EPT _IO(0xb5, 0x2)
#define UPROCD_RPMSG_CREATE_DEV _IOW(0xb5, 0x3, struct uprocd_endpoint_info)
#define UPROCD_RPMSG_RELEASE_DEV _IOW(0xb5, 0x4, struct uprocd_endpoint_info)

/** struct uprocd_rpmsg_ctrl_req - one request on rpmsg_ctrlN. */
struct uprocd_rpmsg_ctrl_req {
	uint32_t cmd;
	struct uprocd_endpoint_info info;
};

/** struct uprocd_rpmsg_ctrl_rep - its answer: 0 or -errno, and the endpoint's M. */
struct uprocd_rpmsg_ctrl_rep {
	int32_t result;
	uint32_t minor;
};

_Static_assert(sizeof(struct uprocd_endpoint_info) == 40, "rpmsg_endpoint_info is 40 bytes");
_Static_assert(sizeof(struct uprocd_rpmsg_ctrl_req) == 44, "ctrl request is 44 bytes");
_Static_assert(sizeof(struct uprocd_rpmsg_ctrl_rep) == 8, "ctrl reply is 8 bytes");

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon.h"
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

/** struct uprocd_eptdev - <dev>/rpmsgM: a local endpoint and its socket. */
struct uprocd_eptdev {
	struct uprocd_rpmsg *r;
	unsigned int minor;
	char name[UPROCD_NAME_SIZE];
	struct rpmsg_endpoint ept;
	bool ept_live;
	uint32_t dst;			/* where messages go; RPMSG_ADDR_ANY: not known yet */
	int listen_fd;
	int client_fd;			/* -1: none */
	bool client_watched;		/* client_fd is on the loop */
	char path[PATH_MAX];
	struct uprocd_msg *rxq, *rxq_tail; /* for the client */
	unsigned int rxq_len;
	unsigned int dropped;
	uint8_t *tx;			/* a message waiting for a tx buffer or a dst */
	size_t tx_len;
	bool tx_blocked;		/* no free tx buffer: waiting for the bus's tx_ready */
	unsigned int tx_waits;		/* times the remote had no free buffer for us */
	int64_t dst_timer;		/* deadline of a message waiting for the
					 * destination, 0: none waits */
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

/** struct uprocd_rpmsg - the rpmsg side of one processor. */
struct uprocd_rpmsg {
	struct uprocd_proc *proc;
	struct rpmsg_virtio_device *bus; /* the first rpmsg vdev's bus, or NULL */
	unsigned int bus_index;
	int ctrl_fd;
	char ctrl_path[PATH_MAX];
	char save_path[PATH_MAX];
	int64_t save_timer; /* a save is due at the end of this loop round, or -1 */
	bool tearing_down;
	struct rpmsg_device_id tty_ids[2];
	struct rpmsg_driver tty_drv;
	struct uprocd_eptdev *epts;
	struct uprocd_tty *ttys;
};

/* rpmsg_dev.c */
int uprocd_minor_alloc(uint8_t *used, unsigned int want);
void uprocd_minor_free(uint8_t *used, unsigned int minor);
void uprocd_rpmsg_save(struct uprocd_rpmsg *r);

/* ept_dev.c */
int uprocd_eptdev_create(struct uprocd_rpmsg *r, const struct uprocd_endpoint_info *info,
			 unsigned int want_minor, struct uprocd_eptdev **out);
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
int uprocd_tty_restore(struct uprocd_rpmsg *r, unsigned int minor, uint32_t src, uint32_t dst);
void uprocd_tty_destroy(struct uprocd_tty *t);
struct uprocd_tty *uprocd_console_get(struct uprocd_rpmsg *r, unsigned int vdev_index);
/**
 * uprocd_tty_tx_ready() - the tty's bus or console can take more (a tx_ready hook):
 * a tty whose bytes found no free buffer sends them now and reads its master again.
 */
void uprocd_tty_tx_ready(struct uprocd_tty *t);

#endif /* UPROCD_RPMSG_DEV_H */
