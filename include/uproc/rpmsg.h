/* SPDX-License-Identifier: MIT */
/*
 * uproc/rpmsg.h - the rpmsg bus over a virtio device, both roles, freestanding.
 *
 * Wire format: Linux's (docs/linux-compat.md). 16-byte header (src, dst, reserved,
 * len, flags) in the host's byte order, 512-byte buffers by default (MTU 496),
 * vring0 = host rx / remote tx, vring1 = host tx / remote rx, the name service at
 * address 53 with 40-byte messages, feature bit 0 VIRTIO_RPMSG_F_NS.
 *
 * Objects:
 *   struct rpmsg_virtio_device - one bus over one virtio device (opaque). The host
 *       (driver role) owns the buffers; the remote (device role) uses the host's.
 *   struct rpmsg_endpoint - an address with a receive callback, caller-owned.
 *   struct rpmsg_device - a channel (name, src, dst) created locally
 *       (rpmsg_create_channel()) or by a name-service announcement from the peer;
 *       a driver whose id table has the name is bound to it (probe, a default
 *       endpoint, remove).
 *   struct rpmsg_driver - caller-owned, registered per bus.
 *
 * Concurrency: one port lock per bus (struct uproc_port) guards the endpoint table,
 * channels and rings. Callbacks (rx, probe, remove, tx_ready, notify, broken,
 * channel) run without it. The rx path takes up to 16 messages and looks their
 * endpoints up under the lock, then runs their callbacks unlocked; a destroy of an
 * endpoint drops its messages not yet delivered and waits for its callback when
 * one runs on another thread. Messages are delivered in ring order by one thread
 * at a time.
 *
 * Lifetimes: endpoints are the caller's (rpmsg_destroy_ept() waits out a running
 * callback); channels and the bus itself are reference-counted: a lookup
 * (rpmsg_find_channel(), rpmsg_create_channel()'s @out) returns a reference to put,
 * and a holder never sees its object freed or reused for another one.
 *
 * "The remote can't send until the host has sent first": when the remote announces
 * a channel and a host driver binds to it, the host announces its own endpoint
 * address back under the same name (option, on by default; only the host does it,
 * so announcements never bounce). A remote whose channel or endpoint of that name
 * has no destination yet binds to the address (OpenAMP's behaviour and this
 * implementation's), so the remote can send first. For channels the host creates,
 * the remote has the host's address from the announcement at once, and the host's
 * channel takes the remote's address from the remote's announcement of the same
 * name or from the first message it receives. The remote may also send to any
 * address it knows (e.g. one the host created at a fixed address) at once.
 *
 * Firmware: compile every .c file of src/rpmsg and src/virtio with include/ on the include
 * path (they need only memcpy/memset/memcmp symbols) and supply a struct uproc_port.
 *
 * Freestanding: <stdbool.h> <stddef.h> <stdint.h>, uproc/port.h, uproc/virtio.h.
 */
#ifndef UPROC_RPMSG_H
#define UPROC_RPMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/port.h"
#include "uproc/shm.h"
#include "uproc/virtio.h"

/* ---- wire format --------------------------------------------------------------- */

#define VIRTIO_RPMSG_F_NS 0          /* feature bit: name service */
#define RPMSG_ADDR_ANY 0xFFFFFFFF
#define RPMSG_NS_ADDR 53u
#define RPMSG_RESERVED_ADDRESSES 1024u /* dynamic addresses start here */
#define RPMSG_NAME_SIZE 32
#define RPMSG_HDR_SIZE 16u
#define RPMSG_BUF_SIZE 512u          /* default buffer size; MTU = size - header */
#define RPMSG_MAX_NUM_BUFS 512u      /* Linux's default cap on the buffer count */
#define RPMSG_NS_MSG_SIZE 40u

/** enum rpmsg_ns_flags - name-service message flags. */
enum rpmsg_ns_flags {
	RPMSG_NS_CREATE = 0,
	RPMSG_NS_DESTROY = 1,
};

/** struct rpmsg_hdr - the header in front of every message (wire, 16 bytes). */
struct rpmsg_hdr {
	uint32_t src;
	uint32_t dst;
	uint32_t reserved;
	uint16_t len;
	uint16_t flags;
};

/** struct rpmsg_ns_msg - a name-service announcement (wire, 40 bytes). */
struct rpmsg_ns_msg {
	char name[RPMSG_NAME_SIZE];
	uint32_t addr;
	uint32_t flags;
};

_Static_assert(sizeof(struct rpmsg_hdr) == RPMSG_HDR_SIZE, "rpmsg_hdr is 16 bytes");
_Static_assert(sizeof(struct rpmsg_ns_msg) == RPMSG_NS_MSG_SIZE, "rpmsg_ns_msg is 40 bytes");

/* ---- sending defaults and readiness --------------------------------------------- */

#define RPMSG_DEFAULT_SEND_TIMEOUT_MS 15000u
#define RPMSG_TIMEOUT_FOREVER UINT32_MAX

/* rpmsg_poll() bits (Linux's poll values). */
#define RPMSG_POLLOUT 0x0004u /* a send would not block */
#define RPMSG_POLLERR 0x0008u /* the bus is broken */
#define RPMSG_POLLHUP 0x0010u /* the endpoint was destroyed / its channel went away */

struct rpmsg_virtio_device;
struct rpmsg_device;
struct rpmsg_endpoint;

/**
 * typedef rpmsg_rx_cb_t - an endpoint's receive callback.
 * @ept:  the endpoint
 * @data: the payload, inside the shared buffer (valid until the callback returns,
 *        or until rpmsg_release_rx_buffer() after rpmsg_hold_rx_buffer())
 * @len:  payload bytes, checked against the buffer (<= MTU)
 * @src:  the sender's address
 * @priv: the endpoint's priv
 * Called without the bus lock. Return value is ignored (0 by convention).
 */
typedef int (*rpmsg_rx_cb_t)(struct rpmsg_endpoint *ept, void *data, size_t len,
			     uint32_t src, void *priv);

/**
 * struct rpmsg_channel_info - a channel's identity.
 * @name: channel name, NUL-terminated within RPMSG_NAME_SIZE
 * @src:  local address (RPMSG_ADDR_ANY: dynamic)
 * @dst:  remote address (RPMSG_ADDR_ANY: not known yet)
 */
struct rpmsg_channel_info {
	char name[RPMSG_NAME_SIZE];
	uint32_t src;
	uint32_t dst;
};

/**
 * struct rpmsg_endpoint - an address on a bus, caller-owned storage.
 * @addr:  local address (public, read-only after rpmsg_create_ept())
 * @dst:   default destination of rpmsg_send() (public, read-only; set from the
 *         channel, bound by an announcement when it was RPMSG_ADDR_ANY)
 * @rpdev: the channel this is the default endpoint of, or NULL (public, read-only)
 * @cb:    receive callback (public, read-only)
 * @priv:  the owner's pointer (public, read-write)
 * The rest is private. The storage must stay valid until rpmsg_destroy_ept()
 * returns.
 */
struct rpmsg_endpoint {
	uint32_t addr;
	uint32_t dst;
	struct rpmsg_device *rpdev;
	rpmsg_rx_cb_t cb;
	void *priv;

	/* private */
	struct rpmsg_virtio_device *vdev;
	struct rpmsg_endpoint *hash_next;
	uint64_t send_timeout_ns;
	uint32_t state;
};

/**
 * struct rpmsg_device_id - one entry of a driver's id table (a channel name).
 * A table ends with an entry whose name is empty.
 */
struct rpmsg_device_id {
	char name[RPMSG_NAME_SIZE];
};

/**
 * struct rpmsg_device - a channel.
 * @name:     channel name (public, read-only)
 * @src:      local address = the default endpoint's (public, read-only)
 * @dst:      remote address, RPMSG_ADDR_ANY until known (public, read-only)
 * @announce: this side announces the channel (created locally) (public, read-only)
 * @ept:      the default endpoint while a driver is bound, else NULL (read-only)
 * @drv:      the bound driver or NULL (public, read-only)
 * @vdev:     the bus (public, read-only)
 * @priv:     the driver's pointer (public, read-write)
 * Allocated by the bus (port alloc) and reference-counted: the bus holds one
 * reference while the channel is listed; rpmsg_find_channel() and
 * rpmsg_create_channel() hand the caller one, to drop with rpmsg_channel_put().
 * A bound driver may use the pointer from probe() to remove() without a reference
 * of its own. A channel that went away (destroy announcement, release, teardown)
 * stays readable while referenced, with no driver and no endpoint; it is never
 * reused for another channel. Each channel holds a reference on its bus.
 */
struct rpmsg_device {
	char name[RPMSG_NAME_SIZE];
	uint32_t src;
	uint32_t dst;
	bool announce;
	struct rpmsg_endpoint *ept;
	struct rpmsg_driver *drv;
	struct rpmsg_virtio_device *vdev;
	void *priv;

	/* private */
	struct rpmsg_endpoint ept_storage;
	struct rpmsg_device *next, **pprev;
	struct rpmsg_device *name_next; /* the bus's channel index */
	uint32_t state;
	uint32_t refs;
};

/**
 * struct rpmsg_driver - binds to channels by name, caller-owned.
 * @name:     for log lines
 * @id_table: channel names, ended by an empty name
 * @probe:    optional: a channel was bound; the default endpoint exists
 *            (rpdev->ept) and is announced after probe returns 0. A negative
 *            return leaves the channel unbound.
 * @remove:   optional: the channel goes away (destroy announcement, release, or
 *            teardown); the default endpoint is destroyed after it returns
 * @callback: the default endpoint's receive callback
 * The rest is private.
 */
struct rpmsg_driver {
	const char *name;
	const struct rpmsg_device_id *id_table;
	int (*probe)(struct rpmsg_device *rpdev);
	void (*remove)(struct rpmsg_device *rpdev);
	rpmsg_rx_cb_t callback;

	/* private */
	struct rpmsg_driver *next;
};

/* ---- the virtio device (bus) --------------------------------------------------- */

/**
 * struct rpmsg_virtio_vring - one vring as the resource table describes it.
 * @shm:   the window holding the ring
 * @da:    the ring's device address
 * @num:   entries (power of two)
 * @align: alignment (power of two)
 */
struct rpmsg_virtio_vring {
	const struct uproc_shm *shm;
	uint64_t da;
	unsigned int num;
	uint64_t align;
};

/**
 * struct rpmsg_virtio_config - what rpmsg_virtio_init() needs.
 * @role:      VIRTIO_ROLE_DRIVER (host) or VIRTIO_ROLE_DEVICE (remote)
 * @port:      lock, wait/wake, clock, optional alloc/log; outlives the device's
 *             last reference (see @release)
 * @vring:     [0] host rx / remote tx, [1] host tx / remote rx
 * @buf_shm:   host: the window of the buffer area; device: a window covering all
 *             the memory the host's descriptors may point at
 * @buf_da:    host: device address of the first buffer (in @buf_shm); device: unused
 * @buf_size:  host: bytes per buffer, 0 = 512 (>= 17; header + payload); device:
 *             unused (each buffer's size is its descriptor's length)
 * @buf_count: host: buffers, 0 = min(2 * vring[0].num, 512); the first half is rx
 *             (at most vring[0].num), the second tx (at most vring[1].num)
 * @features:  host: the device features the resource table offers (dfeatures);
 *             device: the negotiated features the host wrote (gfeatures)
 * @supported: host: features the host accepts, 0 = all it implements (NS,
 *             INDIRECT_DESC, EVENT_IDX); device: unused
 * @attach:    host: re-attach to live rings (VIRTQUEUE_INIT_ATTACH) instead of
 *             resetting them; rx buffers not in flight are posted again, tx buffers
 *             not in flight are free; entries the remote queued meanwhile are
 *             delivered by the next rpmsg_virtio_handle_kick(). Channels live in
 *             the host's memory, not the rings: restore them first with
 *             rpmsg_adopt_channel() (see rpmsg_get_channels()) and re-create
 *             fixed-address endpoints, or their queued messages find no one.
 * @no_announce_back: host: do not announce the host's address for channels the
 *             remote announced (default: announce, see the top of this header);
 *             the device never announces back
 * @ept_hash_size: initial endpoint-table buckets (power of two; 0 = 64). With
 *             @port->alloc the table grows, so lookup stays O(1) for any count.
 * @mem, @mem_size: optional storage for the device's state, at least
 *             rpmsg_virtio_mem_size(); NULL = @port->alloc
 * @notify:    kick the peer for queue @vq_index (the doorbell); no lock held
 * @broken:    optional: the peer broke the protocol on queue @vq_index (@err < 0;
 *             the queue is dead, the other one goes on), or sent bad messages
 *             (-EBADMSG: dropped and recycled; one report per batch, each also
 *             logged, rate-limited). Never called with the lock held nor from
 *             inside another call of the bus: reports found while the lock was
 *             held are delivered when the public call that found them ends
 *             (rpmsg_virtio_handle_kick(), a send, poll, a channel or driver
 *             call); while a handle_kick() delivers messages or a driver's
 *             probe()/remove() runs, by that call, when it ends. It may call
 *             any function of the bus (even destroy the endpoint whose message
 *             was being delivered). Dropped once rpmsg_virtio_deinit() began.
 * @tx_ready:  optional: a send that found no buffer (trysend -ENOMEM, a poll
 *             without RPMSG_POLLOUT) could now succeed; no lock held. For an event
 *             loop's EPOLLOUT.
 * @channel:   optional: a name-service announcement from the peer changed what
 *             this side knows of the peer's channels, after the bus has recorded it
 *             (and bound a driver if one matches; whether or not one did).
 *             @created true: the peer announced @info->name at @info->dst, and the
 *             bus created a channel for it or gave its own channel of that name
 *             (created locally, no destination yet) that address; @info->src is
 *             the channel's local address (RPMSG_ADDR_ANY while no driver is
 *             bound). @created false: the peer announced the end of that channel;
 *             the channel is gone (or, for a local one, has no destination any
 *             more). @info is a copy, valid during the call. Called without the
 *             lock, on the thread delivering the message, once per announcement
 *             that changed something: not for a duplicate, a malformed or refused
 *             announcement, a destroy of an unknown channel, nor at teardown
 *             (rpmsg_virtio_deinit()). An event loop's "the remote has announced
 *             X": no need for a driver bound to the name.
 * @priv:      passed to @notify, @broken, @tx_ready, @channel (none of which
 *             runs once rpmsg_virtio_deinit() has returned)
 * @cross_endian: device: the host's byte order differs from this CPU's (rings and
 *             headers are then swapped on access); false on the host
 * @max_peer_channels: channels the peer may create by announcements before
 *             further ones are refused with a warning (0 = 4096): an untrusted
 *             peer must not exhaust this side's memory
 * @rx_batch:  most rx buffers one rpmsg_virtio_handle_kick() consumes (0: no bound,
 *             for a firmware's own loop). A peer that refills the queue as fast as
 *             it is drained then cannot keep the caller's thread for itself.
 * @rx_more:   optional: a handle_kick() stopped at @rx_batch with the queue not
 *             known to be empty; call rpmsg_virtio_handle_kick() again after
 *             serving the other events (from an event loop: schedule it, do not
 *             call it from here). Until then the peer's kicks for that queue are
 *             suppressed. Called without the lock.
 * @release:   optional: the last reference on the device is gone and its state
 *             freed (the port is not used any more: free it here); called with
 *             @release_priv, without any lock, by whoever dropped that reference
 */
struct rpmsg_virtio_config {
	enum virtio_role role;
	const struct uproc_port *port;
	struct rpmsg_virtio_vring vring[2];
	const struct uproc_shm *buf_shm;
	uint64_t buf_da;
	uint32_t buf_size;
	uint32_t buf_count;
	uint64_t features;
	uint64_t supported;
	bool attach;
	bool no_announce_back;
	uint32_t ept_hash_size;
	void *mem;
	size_t mem_size;
	void (*notify)(void *priv, unsigned int vq_index);
	void (*broken)(void *priv, unsigned int vq_index, int err);
	void (*tx_ready)(void *priv);
	void (*channel)(void *priv, const struct rpmsg_channel_info *info, bool created);
	void *priv;
	bool cross_endian;
	uint32_t max_peer_channels;
	uint32_t rx_batch;
	void (*rx_more)(void *priv);
	void (*release)(void *release_priv);
	void *release_priv;
};

/**
 * rpmsg_virtio_mem_size() - bytes of state a device with @cfg needs (for @cfg->mem).
 * Return: the size, or 0 when @cfg is invalid.
 */
size_t rpmsg_virtio_mem_size(const struct rpmsg_virtio_config *cfg);

/**
 * rpmsg_virtio_init() - bring up an rpmsg bus over a virtio device.
 * @out: receives the device
 * @cfg: configuration (copied)
 *
 * Host: negotiates features (@features & @supported), sets up both rings (reset or
 * attach), posts the rx buffers and kicks; the embedder then writes
 * rpmsg_virtio_get_features() to gfeatures and DRIVER_OK to the status. Device:
 * sets up both rings over what the host placed (after DRIVER_OK). Both: create the
 * name-service endpoint (53) when VIRTIO_RPMSG_F_NS is negotiated.
 *
 * Return: 0; -EINVAL bad configuration; -ENOMEM no storage; -EFAULT a ring or the
 * buffer area outside its window; -EPROTO attach found inconsistent rings.
 * Locking: none; the device is not yet shared.
 */
int rpmsg_virtio_init(struct rpmsg_virtio_device **out, const struct rpmsg_virtio_config *cfg);

/**
 * rpmsg_virtio_deinit() - tear the bus down: remove every channel (drivers'
 * remove(), no announcements), wake and fail blocked senders (-ESHUTDOWN), drop
 * the reference rpmsg_virtio_init() gave. The rings are left as they are (a remote
 * still running can be attached to later). Caller-owned endpoints must have been
 * destroyed. No callback of the config runs after it returns.
 *
 * Ownership: the state is freed (and @release called) when the last reference
 * goes: here, or at the rpmsg_virtio_put() / rpmsg_channel_put() of a holder.
 * A holder's calls on a torn-down bus fail (-ESHUTDOWN) or find nothing; caller
 * storage given as the config's @mem must outlive every reference.
 */
void rpmsg_virtio_deinit(struct rpmsg_virtio_device *vdev);

/**
 * rpmsg_virtio_get() - take a reference on @vdev (the caller holds one already,
 * or is the bus's owner before rpmsg_virtio_deinit()).
 * Locking: takes the port lock.
 */
void rpmsg_virtio_get(struct rpmsg_virtio_device *vdev);

/**
 * rpmsg_virtio_put() - drop a reference on @vdev; the last one frees the state and
 * calls the config's @release. NULL is ignored. Must not be called with the port
 * lock held (i.e. from nothing but the caller's own code or a callback).
 */
void rpmsg_virtio_put(struct rpmsg_virtio_device *vdev);

/** rpmsg_virtio_get_features() - the negotiated features (host: write to gfeatures). */
uint64_t rpmsg_virtio_get_features(const struct rpmsg_virtio_device *vdev);

/**
 * rpmsg_virtio_handle_kick() - the peer kicked (or a poll loop asks): process both
 * queues. Reclaims sent buffers and wakes blocked senders; delivers received
 * messages in order (only one thread delivers at a time: a concurrent call makes the
 * running one loop again and returns 0); recycles buffers and notifies the peer.
 *
 * Return: rx buffers consumed (messages delivered, plus bad or undeliverable ones
 * dropped; at most the config's rx_batch, see @rx_more), or -EIO when a queue is
 * broken (the other queue is still served).
 * Locking: takes the port lock; callbacks run without it.
 */
int rpmsg_virtio_handle_kick(struct rpmsg_virtio_device *vdev);

/** rpmsg_virtio_is_broken() - has the peer broken either queue? */
bool rpmsg_virtio_is_broken(const struct rpmsg_virtio_device *vdev);

/** rpmsg_virtio_get_buffer_size() - bytes per buffer (host: configured; device: 0 = per descriptor). */
uint32_t rpmsg_virtio_get_buffer_size(const struct rpmsg_virtio_device *vdev);

/* ---- endpoints ---------------------------------------------------------------- */

/**
 * rpmsg_create_ept() - register caller-owned endpoint @ept at address @src.
 * @src: an address, or RPMSG_ADDR_ANY for a dynamic one (1024 up, any number of
 *       endpoints, reused after destroy)
 * @dst: default destination for rpmsg_send() (RPMSG_ADDR_ANY: none yet)
 * @cb:  receive callback (may be NULL: messages are dropped)
 *
 * Return: 0; -EADDRINUSE @src is taken; -ENOMEM no free dynamic address;
 * -EINVAL bad arguments. Locking: takes the port lock.
 */
int rpmsg_create_ept(struct rpmsg_endpoint *ept, struct rpmsg_virtio_device *vdev,
		     uint32_t src, uint32_t dst, rpmsg_rx_cb_t cb, void *priv);

/**
 * rpmsg_destroy_ept() - unregister @ept. After it returns no callback runs on it
 * and its storage may be reused: it waits for a callback running on another thread;
 * messages for it taken from the ring and not yet delivered are dropped. May be
 * called from another endpoint's callback; must not be called from @ept's own. Held rx buffers stay valid until
 * released.
 */
void rpmsg_destroy_ept(struct rpmsg_endpoint *ept);

/**
 * rpmsg_set_send_timeout() - how long blocking sends on @ept wait for a buffer:
 * @ms milliseconds (default 15000; RPMSG_TIMEOUT_FOREVER; 0 makes them trysends).
 */
void rpmsg_set_send_timeout(struct rpmsg_endpoint *ept, uint32_t ms);

/** rpmsg_get_mtu() - the largest payload a message can carry (> 0), or -EINVAL. */
int rpmsg_get_mtu(struct rpmsg_endpoint *ept);

/**
 * rpmsg_poll() - readiness of @ept: RPMSG_POLLOUT when a send would not wait,
 * RPMSG_POLLERR when the bus is broken, RPMSG_POLLHUP when the endpoint was
 * destroyed or its channel went away. A poll without POLLOUT arms the device's
 * tx_ready callback.
 */
unsigned int rpmsg_poll(struct rpmsg_endpoint *ept);

/* ---- sending: Linux's semantics --------------------------------------------------
 * Blocking sends wait for a free buffer up to the endpoint's timeout (woken the
 * moment one comes back) and return -ETIMEDOUT then; try-sends return -ENOMEM at
 * once. A payload longer than the MTU: -EMSGSIZE (never truncated). No destination:
 * -EINVAL. Broken bus: -EIO. Shut down: -ESHUTDOWN. Success: 0.
 * Locking: take the port lock; a blocking send sleeps in the port's wait.
 */

/** rpmsg_send() - send @len bytes from @ept->addr to @ept->dst. */
int rpmsg_send(struct rpmsg_endpoint *ept, const void *data, size_t len);
/** rpmsg_sendto() - send from @ept->addr to @dst. */
int rpmsg_sendto(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst);
/** rpmsg_send_offchannel() - send from @src to @dst through @ept's bus. */
int rpmsg_send_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			  const void *data, size_t len);
/** rpmsg_trysend() - rpmsg_send() that never waits. */
int rpmsg_trysend(struct rpmsg_endpoint *ept, const void *data, size_t len);
/** rpmsg_trysendto() - rpmsg_sendto() that never waits. */
int rpmsg_trysendto(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst);
/** rpmsg_trysend_offchannel() - rpmsg_send_offchannel() that never waits. */
int rpmsg_trysend_offchannel(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
			     const void *data, size_t len);

/**
 * struct rpmsg_msg - one message of a batch (rpmsg_trysendto_batch()).
 * @data: the payload, copied into a shared buffer
 * @len:  its length in bytes, at most the MTU
 */
struct rpmsg_msg {
	const void *data;
	size_t len;
};

/* The most messages one rpmsg_trysendto_batch() call sends (a bounded hold of the lock). */
#define RPMSG_SEND_BATCH_MAX 32u

/**
 * rpmsg_trysendto_batch() - send messages from @ept to @dst in order, never waiting,
 * as far as free tx buffers go: one lock acquisition, one index publish and one
 * notification decision for the batch instead of one of each per message.
 * @ept:  the sending endpoint (its address is the source)
 * @dst:  the destination address
 * @msgs: the messages
 * @n:    how many; at most RPMSG_SEND_BATCH_MAX are taken per call
 *
 * Return: how many were sent, from the front of @msgs (> 0), or, when none was:
 * 0 for @n = 0; -ENOMEM when no tx buffer is free (the tx_ready callback or
 * rpmsg_poll() tells when one is); -EMSGSIZE when the first message is larger than
 * the MTU (a later one ends the batch before it); -EINVAL, -ESHUTDOWN, -EIO as
 * rpmsg_trysend().
 * Locking: takes the port lock once; the peer is notified after it is dropped.
 */
int rpmsg_trysendto_batch(struct rpmsg_endpoint *ept, uint32_t dst, const struct rpmsg_msg *msgs,
			  unsigned int n);

/* ---- zero copy ------------------------------------------------------------------ */

/**
 * rpmsg_get_tx_payload_buffer() - take a tx buffer to fill in place.
 * @len:  receives the payload capacity (the MTU)
 * @wait: wait up to the endpoint's timeout for a buffer (else fail at once)
 * Return: the payload area, or NULL (no buffer, timeout, broken). Give it back with
 * rpmsg_send_nocopy() / rpmsg_sendto_nocopy() / rpmsg_send_offchannel_nocopy() or
 * rpmsg_release_tx_buffer().
 */
void *rpmsg_get_tx_payload_buffer(struct rpmsg_endpoint *ept, uint32_t *len, bool wait);

/** rpmsg_send_nocopy() - send @len bytes already in @data (from get_tx_payload_buffer). */
int rpmsg_send_nocopy(struct rpmsg_endpoint *ept, const void *data, size_t len);
/** rpmsg_sendto_nocopy() - as rpmsg_send_nocopy(), to @dst. */
int rpmsg_sendto_nocopy(struct rpmsg_endpoint *ept, const void *data, size_t len, uint32_t dst);
/**
 * rpmsg_send_offchannel_nocopy() - as rpmsg_send_nocopy(), from @src to @dst.
 * Return: 0 (the buffer is gone); -EMSGSIZE / -EINVAL (bad buffer or destination;
 * the buffer is still the caller's); -EIO / -ESHUTDOWN (the buffer is reclaimed).
 */
int rpmsg_send_offchannel_nocopy(struct rpmsg_endpoint *ept, uint32_t src, uint32_t dst,
				 const void *data, size_t len);
/** rpmsg_release_tx_buffer() - give back an unsent tx buffer. 0 or -EINVAL. */
int rpmsg_release_tx_buffer(struct rpmsg_endpoint *ept, void *data);

/**
 * rpmsg_hold_rx_buffer() - keep the rx buffer @data (the callback's argument) after
 * the callback returns. Call only from that callback. 0 or -EINVAL.
 */
int rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *data);

/** rpmsg_release_rx_buffer() - recycle a held rx buffer (any thread). 0 or -EINVAL. */
int rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *data);

/* ---- channels and drivers ------------------------------------------------------- */

/**
 * rpmsg_register_driver() - add @drv to the bus and bind it to every unbound
 * channel its id table names (probe runs unlocked, announcements follow).
 * Return: 0 or -EINVAL / -EEXIST.
 */
int rpmsg_register_driver(struct rpmsg_virtio_device *vdev, struct rpmsg_driver *drv);

/** rpmsg_unregister_driver() - unbind @drv from its channels (remove()) and drop it. */
void rpmsg_unregister_driver(struct rpmsg_virtio_device *vdev, struct rpmsg_driver *drv);

/**
 * rpmsg_create_channel() - create a local channel @info (src RPMSG_ADDR_ANY:
 * dynamic), bind a driver by name and announce it to the peer (NS create, when the
 * name service was negotiated).
 * @out: optional: receives a reference on the channel (rpmsg_channel_put())
 * Return: 0; -EEXIST a channel with this name and src exists; -ENOMEM; -EINVAL;
 * -ESHUTDOWN the bus was torn down.
 */
int rpmsg_create_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info,
			 struct rpmsg_device **out);

/**
 * rpmsg_release_channel() - announce the destruction of the local channel matching
 * @info (name, and src unless RPMSG_ADDR_ANY), remove its driver, free it.
 * Return: 0 or -ENOENT.
 */
int rpmsg_release_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info);

/**
 * rpmsg_find_channel() - the channel named @name (and with remote address @dst
 * unless RPMSG_ADDR_ANY), or NULL.
 * Ownership: returns a reference; drop it with rpmsg_channel_put(). The channel
 * may go away meanwhile (no driver, no endpoint), its storage stays.
 * Locking: takes the port lock.
 */
struct rpmsg_device *rpmsg_find_channel(struct rpmsg_virtio_device *vdev, const char *name,
					uint32_t dst);

/** rpmsg_channel_get() - take another reference on @ch (the caller holds one). */
void rpmsg_channel_get(struct rpmsg_device *ch);

/**
 * rpmsg_channel_put() - drop a reference on @ch; the last one frees it and drops
 * its reference on the bus. NULL is ignored. Must not be called with the port
 * lock held.
 */
void rpmsg_channel_put(struct rpmsg_device *ch);

/**
 * rpmsg_get_channels() - a snapshot of the bus's channels (name, local address,
 * remote address), e.g. for an embedder that detaches and wants to restore them
 * with rpmsg_adopt_channel() after re-attaching.
 * @out: receives up to @max entries; only the count is returned when NULL
 * Return: the number of channels (may exceed @max).
 */
int rpmsg_get_channels(struct rpmsg_virtio_device *vdev, struct rpmsg_channel_info *out,
		       size_t max);

/**
 * rpmsg_adopt_channel() - after a re-attach, take over a channel the remote still
 * uses: as if the remote had announced @info->name from @info->dst, but bound at
 * the fixed local address @info->src (the one the remote sends to) and without any
 * announcement. A driver is bound by name as usual. Do it before the first
 * rpmsg_virtio_handle_kick() so that messages the remote queued meanwhile reach it.
 * Return: 0; -EINVAL (name, src or dst missing); -EEXIST; -ENOMEM.
 */
int rpmsg_adopt_channel(struct rpmsg_virtio_device *vdev, const struct rpmsg_channel_info *info);

/**
 * rpmsg_announce_create() / rpmsg_announce_destroy() - send a name-service message
 * for @ept under @name (what channel creation/release do). 0 or a send error;
 * -ENXIO without the name service.
 */
int rpmsg_announce_create(struct rpmsg_endpoint *ept, const char *name);
int rpmsg_announce_destroy(struct rpmsg_endpoint *ept, const char *name);

#endif /* UPROC_RPMSG_H */
