/* SPDX-License-Identifier: MIT */
/*
 * uproc/virtio.h - legacy split virtqueues, both roles, freestanding.
 *
 * The ring layout is exactly Linux's (include/uapi/linux/virtio_ring.h): desc[num],
 * then avail (flags, idx, ring[num], used_event), padding to @align, then used
 * (flags, idx, {id, len}[num], avail_event). Fields are in the host's native byte
 * order (legacy virtio, no VIRTIO_F_VERSION_1). Every access goes through
 * uproc/shm.h: single reads of peer-written fields, acquire/release pairs.
 *
 * One implementation serves both sides:
 *   - the driver role (the host): adds buffers to the avail ring, takes them back
 *     from the used ring (virtqueue_add_*(), virtqueue_get_buf());
 *   - the device role (the remote): takes chains from the avail ring and returns
 *     them (virtqueue_pop(), virtqueue_push()).
 *
 * The peer is untrusted. Every index, id, length and address read from the ring is
 * read once and checked: ids < num and actually outstanding, lengths within the
 * buffer, chains no longer than num, indirect tables inside the window and bounded,
 * every address translated through a struct uproc_shm window. A violation marks the
 * queue broken (virtqueue_is_broken()), calls the broken() callback once, and from
 * then on the queue returns nothing and touches nothing. The checks are not
 * compiled out in any build.
 *
 * Each side keeps shadows of the indices it owns and never reads them back from
 * shared memory, except once in VIRTQUEUE_INIT_ATTACH (validated). The driver always
 * writes its last-used index into the used_event slot (with EVENT_IDX that is its
 * meaning; without it the device ignores the slot), which is what lets a new host
 * re-attach to rings a running remote still uses.
 *
 * A virtqueue has no lock: its user serialises calls on one queue (rpmsg does it
 * under its port lock). The layer needs no rpmsg: a virtio console (id 3) uses
 * two raw queues, receiveq 0 and transmitq 1, with virtqueue_add_inbuf() /
 * virtqueue_add_outbuf() / virtqueue_get_buf() on the host and virtqueue_pop() /
 * virtqueue_push() in firmware.
 *
 * Firmware: compile src/virtio/virtqueue.c (and for rpmsg, every src/rpmsg/rpmsg_xxx.c) with
 * include/ on the include path; they need only memcpy/memset/memcmp symbols.
 *
 * Freestanding: <stdbool.h> <stddef.h> <stdint.h> and uproc/shm.h.
 */
#ifndef UPROC_VIRTIO_H
#define UPROC_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/shm.h"

/* ---- wire constants (Linux's names and values) -------------------------------- */

#ifndef VIRTIO_ID_CONSOLE
#define VIRTIO_ID_CONSOLE 3
#endif
#ifndef VIRTIO_ID_RPMSG
#define VIRTIO_ID_RPMSG 7
#endif

/* Transport feature bits (the low 32 bits are all a legacy remoteproc vdev has). */
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29

/* Descriptor flags. */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4

/* avail.flags: the driver asks not to be interrupted; used.flags: not to be kicked. */
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VRING_USED_F_NO_NOTIFY 1

/* The largest queue a 16-bit index can describe. */
#define VIRTQUEUE_MAX_NUM 32768u

/* Wire sizes. */
#define VRING_DESC_SIZE 16u
#define VRING_USED_ELEM_SIZE 8u

/**
 * uproc_vring_size() - bytes taken by a legacy split ring of @num entries aligned to
 * @align (a power of two), the value of Linux's vring_size() (named apart: <linux/virtio_ring.h>
 * declares vring_size() with other types). 0 when @num or @align is 0.
 */
static inline uint64_t uproc_vring_size(unsigned int num, uint64_t align)
{
	if (!num || !align)
		return 0;
	uint64_t avail_end = (uint64_t)VRING_DESC_SIZE * num + 2u * (3u + num);
	return ((avail_end + align - 1) & ~(align - 1)) + 2u * 3u +
	       (uint64_t)VRING_USED_ELEM_SIZE * num;
}

/**
 * uproc_vring_need_event() - true when moving an index from @old_idx to @new_idx
 * passes @event_idx (the rule of Linux's vring_need_event(),
 * named apart as <linux/virtio_ring.h> declares that one returning int).
 */
static inline bool uproc_vring_need_event(uint16_t event_idx, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) < (uint16_t)(new_idx - old_idx);
}

/** virtio_has_feature() - is bit @fbit set in @features? */
static inline bool virtio_has_feature(uint64_t features, unsigned int fbit)
{
	return fbit < 64 && ((features >> fbit) & 1u);
}

/* ---- virtqueues ---------------------------------------------------------------- */

/** enum virtio_role - which side of the ring this code plays. */
enum virtio_role {
	VIRTIO_ROLE_DRIVER = 0, /* the host: offers buffers, gets them back */
	VIRTIO_ROLE_DEVICE = 1, /* the remote: consumes buffers, returns them */
};

/** enum virtqueue_init_mode - how virtqueue_init() treats the ring memory. */
enum virtqueue_init_mode {
	/* Driver: zero the ring, start from index 0. Device: start from index 0
	 * without writing (the driver has zeroed it before DRIVER_OK). */
	VIRTQUEUE_INIT_RESET = 0,
	/* Driver only: the ring is live (a remote kept using it while this host was
	 * away). Rebuild the shadows and the free list from shared memory, validating
	 * every value; do not reset anything. See virtqueue_init(). */
	VIRTQUEUE_INIT_ATTACH = 1,
};

struct virtqueue;

/**
 * struct virtqueue_desc_state - per-descriptor bookkeeping, caller-owned storage
 * (an array of @num entries given to virtqueue_init()). Private.
 */
struct virtqueue_desc_state {
	void *token;     /* driver: what add_*() was given; device: unused */
	uint32_t in_len; /* both: device-writable bytes of the chain (device: while held) */
	uint32_t out_len; /* device: device-readable bytes of the held chain */
	uint16_t next;   /* driver: free-list link */
	uint16_t ndesc;  /* driver: descriptors in the chain (0: free); device: 1 while held */
};

/**
 * struct virtqueue_buf - one piece of a buffer chain (scatter-gather entry).
 * @addr: this side's pointer; must lie in the queue's buffer window
 * @len:  bytes (non-zero)
 */
struct virtqueue_buf {
	void *addr;
	uint32_t len;
};

/**
 * struct virtqueue_info - what virtqueue_init() needs.
 * @role:     VIRTIO_ROLE_DRIVER (host) or VIRTIO_ROLE_DEVICE (remote)
 * @index:    the queue's index in its device (passed back to @notify)
 * @num:      entries, a power of two, 1..VIRTQUEUE_MAX_NUM
 * @align:    ring alignment (power of two; remoteproc uses 4096 or the vring's align)
 * @ring_shm: the window holding the ring; [@ring_da, + uproc_vring_size(num, align))
 *            must lie inside it
 * @ring_da:  the ring's device address
 * @buf_shm:  the window every descriptor address is translated through (driver:
 *            where its buffers live; device: all the memory the driver may point at)
 * @features: the negotiated features (transport bits 28, 29 matter here)
 * @state:    @num entries of caller-owned storage, alive as long as the queue
 * @mode:     VIRTQUEUE_INIT_RESET or VIRTQUEUE_INIT_ATTACH
 * @notify:   kick the peer about this queue (its doorbell); called by
 *            virtqueue_notify() / virtqueue_kick(), never with a queue lock
 * @broken:   optional: the peer violated the protocol; @err says how (-EPROTO bad
 *            index or id, -EFAULT address outside the window, -EMSGSIZE bad length,
 *            -ELOOP-like chain errors are -EPROTO). Called once per queue.
 * @priv:     the embedder's pointer, stored in vq->priv
 * @cross_endian: the ring's fields are in the other byte order than this CPU's
 *            (legacy rings are in the host's order: set on a device whose host has
 *            the other endianness); false for the host and same-endian firmware
 */
struct virtqueue_info {
	enum virtio_role role;
	unsigned int index;
	unsigned int num;
	uint64_t align;
	const struct uproc_shm *ring_shm;
	uint64_t ring_da;
	const struct uproc_shm *buf_shm;
	uint64_t features;
	struct virtqueue_desc_state *state;
	enum virtqueue_init_mode mode;
	void (*notify)(struct virtqueue *vq);
	void (*broken)(struct virtqueue *vq, int err);
	void *priv;
	bool cross_endian;
};

/**
 * struct virtqueue - one split virtqueue, caller-owned storage.
 * @priv:  the embedder's pointer (public, read-write)
 * @index: the queue's index (public, read-only)
 * @num:   entries (public, read-only)
 * All other fields are private.
 */
struct virtqueue {
	void *priv;
	unsigned int index;
	unsigned int num;

	/* private */
	enum virtio_role role;
	bool event_idx;
	bool indirect;
	bool swap;
	int broken;
	uint8_t *desc;
	uint8_t *avail;
	uint8_t *used;
	const struct uproc_shm *buf_shm;
	struct virtqueue_desc_state *state;
	void (*notify)(struct virtqueue *vq);
	void (*broken_cb)(struct virtqueue *vq, int err);
	/* driver */
	uint16_t free_head;
	uint16_t num_free;
	uint16_t avail_idx;      /* shadow of avail.idx */
	uint16_t kicked_avail;   /* avail.idx at the last kick decision */
	uint16_t last_used;      /* next used entry to take */
	uint16_t used_seen;      /* used.idx as last read (validated) */
	uint16_t avail_flags;    /* shadow of avail.flags */
	uint16_t event_shadow;   /* the last value written to our event slot */
	bool event_armed;        /* event_shadow is what the slot holds, fenced */
	/* device */
	uint16_t last_avail;     /* next avail entry to take */
	uint16_t avail_seen;     /* avail.idx as last read (validated) */
	uint16_t used_idx;       /* shadow of used.idx */
	uint16_t kicked_used;    /* used.idx at the last kick decision */
	uint16_t used_flags;     /* shadow of used.flags */
	uint16_t held;           /* chains popped and not pushed */
	/* both: virtqueue_batch_begin() .. virtqueue_batch_end() */
	bool batch;              /* index publishes deferred to the batch's end */
	uint16_t published;      /* the index value last stored to shared memory */
	bool unfenced;           /* no full fence since that store (kick_prepare needs one) */
};

/**
 * virtqueue_init() - set up @vq over the ring described by @info.
 * @vq:   caller-owned storage
 * @info: the ring and its callbacks (copied; @info may go away)
 *
 * RESET, driver: zeroes the ring and puts every descriptor on the free list.
 * RESET, device: starts at index 0 without writing.
 * ATTACH (driver only): reads avail.idx and the used_event slot (the driver's last
 * used index) once, checks that used.idx - last_used and avail.idx - last_used are
 * at most @num, takes every descriptor with len != 0 as in flight (the driver
 * zeroes the len of descriptors it frees) and checks that the in-flight descriptors
 * form disjoint chains of valid links whose addresses translate. The token of each
 * rebuilt chain is the pointer of its head buffer. Entries the device returned
 * meanwhile are then delivered by virtqueue_get_buf() as usual.
 *
 * Return: 0; -EINVAL for a bad @info (num, align, role/mode, missing @state or
 * @notify); -EFAULT when the ring does not lie inside @ring_shm or is misaligned;
 * -EPROTO when ATTACH finds an inconsistent ring.
 * Locking: none; no other call on @vq may run concurrently.
 */
int virtqueue_init(struct virtqueue *vq, const struct virtqueue_info *info);

/* ---- driver role ---- */

/**
 * virtqueue_add_sgs() - make a chain of @out_num device-readable then @in_num
 * device-writable buffers available to the device (not yet visible to it: the
 * avail index is published here, the kick is virtqueue_kick()).
 * @token: returned by virtqueue_get_buf() when the chain comes back (non-NULL)
 *
 * Return: 0; -ENOSPC when fewer than out_num + in_num descriptors are free;
 * -EFAULT when a buffer is not inside the buffer window; -EINVAL for a zero length,
 * no buffers, NULL token or the wrong role; -EIO when the queue is broken.
 * Locking: caller serialises calls on @vq.
 */
int virtqueue_add_sgs(struct virtqueue *vq, const struct virtqueue_buf *bufs,
		      unsigned int out_num, unsigned int in_num, void *token);

/** virtqueue_add_outbuf() - add one device-readable buffer; as virtqueue_add_sgs(). */
int virtqueue_add_outbuf(struct virtqueue *vq, void *buf, uint32_t len, void *token);

/** virtqueue_add_inbuf() - add one device-writable buffer; as virtqueue_add_sgs(). */
int virtqueue_add_inbuf(struct virtqueue *vq, void *buf, uint32_t len, void *token);

/**
 * virtqueue_get_buf() - take the next chain the device returned.
 * @len: receives the bytes the device wrote (checked <= the chain's writable size;
 *       0 for a chain the device could only read)
 *
 * The used entry's id is checked (< num, a chain head actually outstanding). Its
 * length is checked against the chain's device-writable size: a chain with a
 * writable part whose used.len exceeds it breaks the queue (-EMSGSIZE), since the
 * caller would read past what the device may write. A chain the device could only
 * read has no such length: its used.len is ignored and reported as 0. Linux does the
 * same (its rpmsg never looks at it), and OpenAMP's remote writes the buffer's full
 * length there, which must not be taken for a violation. Writes the new last-used
 * index into the used_event slot.
 *
 * Return: the chain's token, or NULL when nothing is pending or the queue is broken.
 * Locking: caller serialises calls on @vq.
 */
void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len);

/**
 * virtqueue_detach_unused_buf() - at teardown, take back one chain still in flight
 * (the device is stopped). Return: its token, or NULL when none is left.
 */
void *virtqueue_detach_unused_buf(struct virtqueue *vq);

/** virtqueue_num_free() - free descriptors (driver role). */
unsigned int virtqueue_num_free(const struct virtqueue *vq);

/* ---- device role ---- */

/**
 * virtqueue_pop() - take the next chain the driver made available.
 * @iov:     receives the translated buffers: first *@out_num device-readable, then
 *           *@in_num device-writable
 * @max:     entries in @iov
 *
 * Direct chains (bounded by num, links < num) and, when INDIRECT_DESC was
 * negotiated, one indirect table (inside the window, a multiple of 16 bytes, at most
 * num entries, no nesting) are accepted. Every address is translated through the
 * buffer window. A head id that is out of range or already held breaks the queue.
 *
 * Return: the head id (>= 0) to give to virtqueue_push(); -EAGAIN when nothing is
 * available; -ENOBUFS when the chain needs more than @max entries (the chain is
 * returned to the driver with len 0 and the queue goes on); -EIO when the queue is
 * broken (now or before).
 * Locking: caller serialises calls on @vq.
 */
int virtqueue_pop(struct virtqueue *vq, struct virtqueue_buf *iov, unsigned int max,
		  unsigned int *out_num, unsigned int *in_num);

/**
 * virtqueue_push() - return chain @head to the driver, @len bytes written into it.
 *
 * @len is bounded by the chain's device-writable size. A chain with no writable
 * part (the driver's send buffer, which the device only read) is returned with
 * used.len = its readable length whatever @len says: OpenAMP's driver takes used.len
 * of a returned send buffer as that buffer's capacity when it reuses it, so 0 there
 * would make it compute a negative length. Linux and uproc's driver ignore the value.
 *
 * Return: 0; -EINVAL when @head is not held by this side or @len exceeds the
 * chain's writable size; -EIO when broken.
 */
int virtqueue_push(struct virtqueue *vq, unsigned int head, uint32_t len);

/* ---- both roles ---- */

/**
 * virtqueue_batch_begin() - defer the shared index store of virtqueue_add_sgs() /
 * virtqueue_push() (and the driver's used_event store of virtqueue_get_buf()) until
 * virtqueue_batch_end(): a batch of buffers costs one index publish, so the peer
 * pulls the index's cache line once per batch, not once per buffer.
 * Locking: caller serialises calls on @vq, as for add and push.
 */
void virtqueue_batch_begin(struct virtqueue *vq);

/**
 * virtqueue_batch_end() - publish what the batch added or pushed (one release
 * store of the index; nothing when nothing changed) and end the batch. The kick
 * decision stays the caller's: virtqueue_kick_prepare() after it (which also ends
 * a batch left open).
 */
void virtqueue_batch_end(struct virtqueue *vq);

/**
 * virtqueue_kick_prepare() - should the peer be notified of what was published
 * since the last call? Uses EVENT_IDX (the peer's event index) when negotiated,
 * the peer's NO_NOTIFY / NO_INTERRUPT flag otherwise. Issues the full fence that
 * orders the index store before the event read.
 */
bool virtqueue_kick_prepare(struct virtqueue *vq);

/** virtqueue_notify() - call the queue's notify hook. Returns false when broken. */
bool virtqueue_notify(struct virtqueue *vq);

/**
 * virtqueue_kick() - virtqueue_kick_prepare() then, if needed, virtqueue_notify().
 * Return: false when the queue is broken, true otherwise.
 */
bool virtqueue_kick(struct virtqueue *vq);

/**
 * virtqueue_enable_cb() - ask the peer for notifications again (driver: of used
 * buffers; device: of available buffers).
 * Return: false when work is already pending (process it, the notification may
 * not come), true otherwise.
 */
bool virtqueue_enable_cb(struct virtqueue *vq);

/**
 * virtqueue_disable_cb() - ask the peer not to notify (a hint). With EVENT_IDX the
 * driver keeps its event index at its last-used index (re-attach needs it), so the
 * device still notifies once per batch.
 */
void virtqueue_disable_cb(struct virtqueue *vq);

/** virtqueue_pending() - is there work: used entries (driver), avail chains (device)? */
bool virtqueue_pending(struct virtqueue *vq);

/** virtqueue_is_broken() - has the peer violated the protocol on this queue? */
bool virtqueue_is_broken(const struct virtqueue *vq);

/**
 * virtqueue_set_broken() - mark the queue broken with @err (e.g. a layer above found
 * a bad message in a buffer it cannot recycle). Calls the broken hook the first time.
 */
void virtqueue_set_broken(struct virtqueue *vq, int err);

/** virtqueue_get_vring_size() - the queue's num. */
unsigned int virtqueue_get_vring_size(const struct virtqueue *vq);

#endif /* UPROC_VIRTIO_H */
