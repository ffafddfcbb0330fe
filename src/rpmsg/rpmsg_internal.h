/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_internal.h - private declarations of the rpmsg bus (not installed).
 */
#ifndef UPROC_RPMSG_INTERNAL_H
#define UPROC_RPMSG_INTERNAL_H

#include "uproc/errno.h"
#include "uproc/port.h"
#include "uproc/rpmsg.h"
#include "uproc/shm.h"
#include "uproc/virtio.h"

/*
 * The rpmsg header of a message in a shared buffer (4-byte aligned), in the
 * device's byte order (@swap: not the host's). Every field the peer may write is
 * read once, by name; reserved and flags are ignored on receipt and written as 0
 * (docs/linux-compat.md). Only these two functions touch a header.
 */
_Static_assert(__builtin_offsetof(struct rpmsg_hdr, src) == 0, "rpmsg_hdr.src at 0");
_Static_assert(__builtin_offsetof(struct rpmsg_hdr, dst) == 4, "rpmsg_hdr.dst at 4");
_Static_assert(__builtin_offsetof(struct rpmsg_hdr, reserved) == 8, "rpmsg_hdr.reserved at 8");
_Static_assert(__builtin_offsetof(struct rpmsg_hdr, len) == 12, "rpmsg_hdr.len at 12");
_Static_assert(__builtin_offsetof(struct rpmsg_hdr, flags) == 14, "rpmsg_hdr.flags at 14");

struct upi_rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint16_t len;
};

static inline struct upi_rpmsg_hdr upi_rpmsg_hdr_read(const uint8_t *buf, bool swap)
{
	struct upi_rpmsg_hdr h = {
		.src = uproc_shm_read32_swap(buf + __builtin_offsetof(struct rpmsg_hdr, src), swap),
		.dst = uproc_shm_read32_swap(buf + __builtin_offsetof(struct rpmsg_hdr, dst), swap),
		.len = uproc_shm_read16_swap(buf + __builtin_offsetof(struct rpmsg_hdr, len), swap),
	};
	return h;
}

static inline void upi_rpmsg_hdr_write(uint8_t *buf, bool swap, uint32_t src, uint32_t dst,
				       uint16_t len)
{
	uproc_shm_write32_swap(buf + __builtin_offsetof(struct rpmsg_hdr, src), src, swap);
	uproc_shm_write32_swap(buf + __builtin_offsetof(struct rpmsg_hdr, dst), dst, swap);
	uproc_shm_write32(buf + __builtin_offsetof(struct rpmsg_hdr, reserved), 0);
	uproc_shm_write16_swap(buf + __builtin_offsetof(struct rpmsg_hdr, len), len, swap);
	uproc_shm_write16(buf + __builtin_offsetof(struct rpmsg_hdr, flags), 0);
}

/* Endpoint state bits (struct rpmsg_endpoint.state). */
#define EPT_LINKED 1u
#define EPT_DYING 2u

/* Channel state bits (struct rpmsg_device.state). */
#define CHAN_BOUND 1u   /* a driver is bound (probe returned 0) */
#define CHAN_BUSY 2u    /* probe or remove in progress */
#define CHAN_ALLOCED 4u /* storage from port->alloc */
#define CHAN_ANNOUNCE_PENDING 8u /* the create announcement waits for a tx buffer */
#define CHAN_ADOPTED 16u /* restored after a re-attach: never announced by us */

/* Host buffer states. */
enum rpmsg_buf_state {
	BUF_RX_POSTED = 0, /* in vring0, owned by the remote */
	BUF_RX_CB,         /* being delivered */
	BUF_RX_HELD,       /* held by a receiver */
	BUF_TX_FREE,       /* on the free stack */
	BUF_TX_TAKEN,      /* handed out by get_tx_payload_buffer */
	BUF_TX_INFLIGHT,   /* in vring1 */
};

/* Device-role buffers this side holds (popped and not pushed). */
enum rpmsg_held_kind {
	HELD_NONE = 0,
	HELD_RX_CB, /* an rx buffer being delivered */
	HELD_RX,    /* an rx buffer held by its receiver */
	HELD_TX,    /* a tx buffer handed out for zero copy */
	HELD_SPARE, /* a tx buffer given back unsent: reused before popping */
};

struct rpmsg_held {
	uint8_t *buf;
	uint32_t len;
	uint16_t head;
	uint8_t kind;
};

/**
 * struct rpmsg_virtio_device - the bus. Everything below is guarded by the port
 * lock unless noted.
 */
struct rpmsg_virtio_device {
	struct rpmsg_virtio_config cfg; /* copy; read-only after init */
	const struct uproc_port *port;  /* read-only */
	enum virtio_role role;          /* read-only */
	uint64_t features;              /* read-only */
	bool ns;                        /* name service negotiated; read-only */
	bool swap;                      /* cross-endian headers; read-only */

	struct virtqueue rvq; /* local rx: host vring0, device vring1 */
	struct virtqueue svq; /* local tx: host vring1, device vring0 */

	/* host buffers */
	uint8_t *bufs;
	uint32_t buf_size, buf_count, rx_count;
	uint8_t buf_shift; /* log2(buf_size) when a power of two, else 0 */
	uint8_t *buf_state;
	uint32_t *tx_free;
	uint32_t tx_free_n;

	/* device-role held buffers */
	struct rpmsg_held *held;
	uint32_t held_cap, held_n;

	/* endpoint table (intrusive chained hash) */
	struct rpmsg_endpoint **buckets;
	uint32_t nbuckets, nepts;
	bool buckets_alloced;
	uint32_t next_addr;
	struct rpmsg_endpoint ns_ept;

	struct rpmsg_device *channels;
	uint32_t nchannels;
	struct rpmsg_device **chan_buckets; /* rpmsg_chan.c: by name */
	uint32_t chan_nbuckets;
	uint32_t peer_channels; /* channels created by the peer's announcements */
	struct rpmsg_driver *drivers;

	/* rx delivery: one thread at a time, in order */
	bool rx_running, rx_again;
	struct rx_group *run; /* the groups of the run being delivered (rpmsg_virtio.c) */
	uint32_t run_ngroups;

	/* tx waiting and readiness */
	uint32_t tx_waiters;
	bool tx_ready_armed;
	bool shutdown;
	bool announce_pending; /* some channel has CHAN_ANNOUNCE_PENDING */

	/* reports deferred to the end of the public call (upi_rpmsg_report()) */
	int broken_pending[2];
	uint32_t badmsg_pending;
	uint32_t cb_depth; /* drivers' probe()/remove() running */

	/* warning rate limit */
	uint64_t warn_window;
	uint32_t warn_count, warn_suppressed;

	bool mem_alloced;

	/*
	 * References: one from rpmsg_virtio_init() (dropped by deinit), one per
	 * rpmsg_virtio_get(), one per channel struct still allocated. The state is
	 * freed when the count reaches 0, never with the lock held.
	 */
	uint32_t refs;
};

/* rpmsg_virtio.c */
void upi_rpmsg_lock(struct rpmsg_virtio_device *vdev);
void upi_rpmsg_unlock(struct rpmsg_virtio_device *vdev);
void upi_rpmsg_report(struct rpmsg_virtio_device *vdev);
/* Lock held: has upi_rpmsg_report() anything to deliver? (Lets a call that found
 * nothing skip taking the lock again for the report: the data path's one lock.) */
static inline bool upi_rpmsg_report_due(const struct rpmsg_virtio_device *vdev)
{
	return (vdev->broken_pending[0] || vdev->broken_pending[1] || vdev->badmsg_pending) &&
	       vdev->cfg.broken;
}
int upi_rpmsg_send(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst, const void *data,
		   size_t len, bool wait);
void rpmsg_warn(struct rpmsg_virtio_device *vdev, const char *what, uint32_t a, uint32_t b);
void rpmsg_log(struct rpmsg_virtio_device *vdev, enum uproc_log_level level, const char *what,
	       const char *name, uint32_t a);
int upi_rpmsg_send_locked_buf(struct rpmsg_virtio_device *vdev, uint8_t *buf, uint32_t src,
			  uint32_t dst, size_t len, bool *kick);
uint32_t upi_rpmsg_mtu(const struct rpmsg_virtio_device *vdev);
uint8_t *upi_rpmsg_tx_buf_get(struct rpmsg_virtio_device *vdev, uint32_t *cap);
int upi_rpmsg_tx_buf_put(struct rpmsg_virtio_device *vdev, uint8_t *buf);
uint32_t upi_rpmsg_tx_buf_cap(struct rpmsg_virtio_device *vdev, const uint8_t *buf);
bool upi_rpmsg_tx_buf_ready(struct rpmsg_virtio_device *vdev);
/* rpmsg_destroy_ept(), lock held: cancel @ept's messages of the run being delivered
 * that have not begun; true while its callback runs there (wait, then ask again). */
bool upi_rpmsg_rx_busy(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept);

/* rpmsg_chan.c: the channel list and its index. Lock held. */
void upi_rpmsg_chan_list_add(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch);
void upi_rpmsg_chan_unlist(struct rpmsg_virtio_device *vdev, struct rpmsg_device *ch);
/* Is @ch (a channel the caller holds a reference on) still on its bus's list? */
static inline bool upi_rpmsg_chan_is_listed(const struct rpmsg_device *ch)
{
	return ch->pprev != 0;
}
/* The channel named @name after @after (NULL: the first), in list order, or NULL. */
struct rpmsg_device *upi_rpmsg_chan_next_named(struct rpmsg_virtio_device *vdev,
					   struct rpmsg_device *after, const char *name);
void upi_rpmsg_chan_index_free(struct rpmsg_virtio_device *vdev);

/* rpmsg_ept.c */
int upi_rpmsg_ept_table_init(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint **buckets,
			 uint32_t nbuckets);
void upi_rpmsg_ept_table_deinit(struct rpmsg_virtio_device *vdev);
struct rpmsg_endpoint *upi_rpmsg_ept_lookup(struct rpmsg_virtio_device *vdev, uint32_t addr);
int upi_rpmsg_ept_link(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept, uint32_t src);
void upi_rpmsg_ept_unlink(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept);
void upi_rpmsg_ept_prepare(struct rpmsg_endpoint *ept, struct rpmsg_virtio_device *vdev,
		       uint32_t dst, rpmsg_rx_cb_t cb, void *priv);

/* rpmsg_ns.c */
int upi_rpmsg_ns_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv);
void upi_rpmsg_channels_teardown(struct rpmsg_virtio_device *vdev);
void upi_rpmsg_ns_flush_pending(struct rpmsg_virtio_device *vdev);

/* helpers */
static inline uint32_t rpmsg_min32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

#endif /* UPROC_RPMSG_INTERNAL_H */
