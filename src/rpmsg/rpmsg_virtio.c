/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_virtio.c - the rpmsg bus over a virtio device: set-up (reset or
 * re-attach), buffers, the rx path, reports and logs.
 *
 * Host (driver role): owns buf_count buffers of buf_size bytes in a shared area;
 * the first half is posted to vring0 for the remote to fill, the second half is a
 * free stack of tx buffers sent through vring1 and reclaimed from its used ring.
 * Device (remote role): fills buffers the host posted in vring0 (its tx), reads
 * those the host sent in vring1 (its rx).
 */
#include <stdatomic.h>

#include "rpmsg_internal.h"

#define DEFAULT_FEATURES                                                      \
	((1ull << VIRTIO_RPMSG_F_NS) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ull << VIRTIO_RING_F_EVENT_IDX))
#define DEFAULT_BUCKETS 64u
#define WARN_WINDOW_NS 5000000000ull
#define WARN_BURST 10u

static inline size_t align16(size_t v)
{
	return (v + 15) & ~(size_t)15;
}

/* ---- locking, deferred reports, logs ---------------------------------------- */

void upi_rpmsg_lock(struct rpmsg_virtio_device *vdev)
{
	vdev->port->lock(vdev->port->ctx);
}

void upi_rpmsg_unlock(struct rpmsg_virtio_device *vdev)
{
	vdev->port->unlock(vdev->port->ctx);
}

/*
 * Deliver the broken-queue and bad-message reports collected while the lock was
 * held, to the config's broken(). Called unlocked, at the end of a public entry
 * point (a kick, a send, a channel operation), never from the middle of one. While
 * messages are being delivered (rx_running) or a driver's probe()/remove() runs
 * (cb_depth), the reports wait: the call running them reports when it ends. So
 * broken() never runs with the lock held, inside another callback, or while this
 * side holds a reference an API call could wait on. Dropped once shut down.
 */
void upi_rpmsg_report(struct rpmsg_virtio_device *vdev)
{
	upi_rpmsg_lock(vdev);
	int b0 = vdev->broken_pending[0], b1 = vdev->broken_pending[1];
	uint32_t bad = vdev->badmsg_pending;
	if (!(b0 || b1 || bad) || !vdev->cfg.broken || vdev->rx_running || vdev->cb_depth ||
	    vdev->shutdown) {
		upi_rpmsg_unlock(vdev);
		return;
	}
	vdev->broken_pending[0] = 0;
	vdev->broken_pending[1] = 0;
	vdev->badmsg_pending = 0;
	void (*broken)(void *, unsigned int, int) = vdev->cfg.broken;
	void *priv = vdev->cfg.priv;
	unsigned int rx_index = vdev->rvq.index;
	upi_rpmsg_unlock(vdev);
	if (b0)
		broken(priv, 0, b0);
	if (b1)
		broken(priv, 1, b1);
	if (bad)
		broken(priv, rx_index, -EBADMSG);
}

static size_t put_str(char *b, size_t pos, size_t cap, const char *s)
{
	while (s && *s && pos + 1 < cap)
		b[pos++] = *s++;
	b[pos] = 0;
	return pos;
}

static size_t put_u32(char *b, size_t pos, size_t cap, uint32_t v)
{
	char t[10];
	int n = 0;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n && pos + 1 < cap)
		b[pos++] = t[--n];
	b[pos] = 0;
	return pos;
}

void rpmsg_log(struct rpmsg_virtio_device *vdev, enum uproc_log_level level, const char *what,
	       const char *name, uint32_t a)
{
	const struct uproc_port *port = vdev->port;
	if (!port->log)
		return;
	char b[128];
	size_t pos = put_str(b, 0, sizeof(b), "rpmsg: ");
	pos = put_str(b, pos, sizeof(b), what);
	if (name) {
		pos = put_str(b, pos, sizeof(b), " ");
		pos = put_str(b, pos, sizeof(b), name);
	}
	pos = put_str(b, pos, sizeof(b), " ");
	put_u32(b, pos, sizeof(b), a);
	port->log(port->ctx, level, b);
}

/* A warning the peer can provoke: at most WARN_BURST per window. Lock held. */
void rpmsg_warn(struct rpmsg_virtio_device *vdev, const char *what, uint32_t a, uint32_t b)
{
	const struct uproc_port *port = vdev->port;
	if (!port->log)
		return;
	if (port->now) {
		uint64_t now = port->now(port->ctx);
		if (now - vdev->warn_window >= WARN_WINDOW_NS) {
			vdev->warn_window = now;
			vdev->warn_count = 0;
		}
	} else if (vdev->warn_count >= WARN_BURST && (vdev->warn_suppressed & 1023) == 1023) {
		vdev->warn_count = 0; /* no clock: one line per 1024 suppressed */
	}
	if (vdev->warn_count >= WARN_BURST) {
		vdev->warn_suppressed++;
		return;
	}
	vdev->warn_count++;
	char m[128];
	size_t pos = put_str(m, 0, sizeof(m), "rpmsg: ");
	pos = put_str(m, pos, sizeof(m), what);
	pos = put_str(m, pos, sizeof(m), " ");
	pos = put_u32(m, pos, sizeof(m), a);
	pos = put_str(m, pos, sizeof(m), " ");
	pos = put_u32(m, pos, sizeof(m), b);
	if (vdev->warn_suppressed) {
		pos = put_str(m, pos, sizeof(m), " (suppressed ");
		pos = put_u32(m, pos, sizeof(m), vdev->warn_suppressed);
		put_str(m, pos, sizeof(m), ")");
		vdev->warn_suppressed = 0;
	}
	port->log(port->ctx, UPROC_LOG_WARN, m);
}

/* ---- configuration and layout ------------------------------------------------------ */

struct layout {
	size_t rstate, sstate, buf_state, tx_free, held, buckets, total;
	uint32_t buf_size, buf_count, rx_count, nbuckets;
};

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int layout_compute(const struct rpmsg_virtio_config *cfg, struct layout *l)
{
	if (!cfg || !cfg->port || !cfg->port->lock || !cfg->port->unlock || !cfg->notify)
		return -EINVAL;
	if (cfg->role != VIRTIO_ROLE_DRIVER && cfg->role != VIRTIO_ROLE_DEVICE)
		return -EINVAL;
	if (cfg->attach && cfg->role != VIRTIO_ROLE_DRIVER)
		return -EINVAL;
	for (int i = 0; i < 2; i++)
		if (!cfg->vring[i].shm || !pow2(cfg->vring[i].num) ||
		    cfg->vring[i].num > VIRTQUEUE_MAX_NUM || !pow2(cfg->vring[i].align))
			return -EINVAL;
	if (!cfg->buf_shm)
		return -EINVAL;
	l->nbuckets = cfg->ept_hash_size ? cfg->ept_hash_size : DEFAULT_BUCKETS;
	if (!pow2(l->nbuckets) || l->nbuckets > (1u << 24))
		return -EINVAL;
	unsigned int num0 = cfg->vring[0].num, num1 = cfg->vring[1].num;
	l->buf_size = l->buf_count = l->rx_count = 0;
	if (cfg->role == VIRTIO_ROLE_DRIVER) {
		l->buf_size = cfg->buf_size ? cfg->buf_size : RPMSG_BUF_SIZE;
		if (l->buf_size <= RPMSG_HDR_SIZE || (l->buf_size & 7))
			return -EINVAL;
		l->buf_count = cfg->buf_count ? cfg->buf_count
					      : rpmsg_min32(2u * num0, RPMSG_MAX_NUM_BUFS);
		l->rx_count = l->buf_count / 2;
		if (l->rx_count == 0 || l->rx_count > num0 || l->buf_count - l->rx_count > num1)
			return -EINVAL;
	}
	size_t off = align16(sizeof(struct rpmsg_virtio_device));
	l->rstate = off;
	off += align16(sizeof(struct virtqueue_desc_state) * (cfg->role == VIRTIO_ROLE_DRIVER ? num0 : num1));
	l->sstate = off;
	off += align16(sizeof(struct virtqueue_desc_state) * (cfg->role == VIRTIO_ROLE_DRIVER ? num1 : num0));
	l->buf_state = off;
	off += align16(l->buf_count);
	l->tx_free = off;
	off += align16(sizeof(uint32_t) * (l->buf_count - l->rx_count));
	l->held = off;
	if (cfg->role == VIRTIO_ROLE_DEVICE)
		off += align16(sizeof(struct rpmsg_held) * (num0 + num1));
	l->buckets = off;
	off += align16(sizeof(struct rpmsg_endpoint *) * l->nbuckets);
	l->total = off;
	return 0;
}

size_t rpmsg_virtio_mem_size(const struct rpmsg_virtio_config *cfg)
{
	struct layout l;
	return layout_compute(cfg, &l) ? 0 : l.total;
}

uint32_t upi_rpmsg_mtu(const struct rpmsg_virtio_device *vdev)
{
	uint32_t size = vdev->buf_size ? vdev->buf_size
				       : (vdev->cfg.buf_size ? vdev->cfg.buf_size : RPMSG_BUF_SIZE);
	return rpmsg_min32(size - RPMSG_HDR_SIZE, UINT16_MAX);
}

uint64_t rpmsg_virtio_get_features(const struct rpmsg_virtio_device *vdev)
{
	return vdev->features;
}

uint32_t rpmsg_virtio_get_buffer_size(const struct rpmsg_virtio_device *vdev)
{
	return vdev->buf_size;
}

bool rpmsg_virtio_is_broken(const struct rpmsg_virtio_device *vdev)
{
	return virtqueue_is_broken(&vdev->rvq) || virtqueue_is_broken(&vdev->svq);
}

/* ---- virtqueue hooks --------------------------------------------------------------- */

static void vq_notify(struct virtqueue *vq)
{
	struct rpmsg_virtio_device *vdev = vq->priv;
	vdev->cfg.notify(vdev->cfg.priv, vq->index);
}

/* Called under the lock from inside the virtqueue: defer the report. */
static void vq_broken(struct virtqueue *vq, int err)
{
	struct rpmsg_virtio_device *vdev = vq->priv;
	vdev->broken_pending[vq->index & 1] = err;
	rpmsg_log(vdev, UPROC_LOG_ERR, "peer broke virtqueue", NULL, vq->index);
	/* Blocked senders must learn it. */
	if (vdev->port->wake)
		vdev->port->wake(vdev->port->ctx);
}

static void notify_peer(struct rpmsg_virtio_device *vdev, const struct virtqueue *vq)
{
	vdev->cfg.notify(vdev->cfg.priv, vq->index);
}

/* ---- host buffers --------------------------------------------------------------------- */

/*
 * Index of the buffer starting at @p - @off, or -1 when @p is not exactly that.
 * Several times per message: with a power-of-two buffer size (the usual 512) a
 * shift and a mask, not a division.
 */
static int32_t buf_index(const struct rpmsg_virtio_device *vdev, const void *p, uint32_t off)
{
	const uint8_t *b = p;
	if (!vdev->bufs || b < vdev->bufs + off)
		return -1;
	size_t d = (size_t)(b - vdev->bufs) - off; /* size_t: no 64-bit division on firmware */
	size_t idx;
	if (vdev->buf_shift) {
		if (d & (((size_t)1 << vdev->buf_shift) - 1))
			return -1;
		idx = d >> vdev->buf_shift;
	} else {
		if (d % vdev->buf_size)
			return -1;
		idx = d / vdev->buf_size;
	}
	return idx < vdev->buf_count ? (int32_t)idx : -1;
}

static uint8_t *buf_at(const struct rpmsg_virtio_device *vdev, uint32_t idx)
{
	return vdev->bufs + (size_t)idx * vdev->buf_size;
}

static void host_reclaim_tx(struct rpmsg_virtio_device *vdev)
{
	uint8_t *buf;
	uint32_t len;
	while ((buf = virtqueue_get_buf(&vdev->svq, &len))) {
		int32_t idx = buf_index(vdev, buf, 0);
		if (idx < (int32_t)vdev->rx_count || vdev->buf_state[idx] != BUF_TX_INFLIGHT)
			continue; /* our own token: cannot happen */
		vdev->buf_state[idx] = BUF_TX_FREE;
		vdev->tx_free[vdev->tx_free_n++] = (uint32_t)idx;
	}
}

static int host_post_rx(struct rpmsg_virtio_device *vdev, uint32_t idx)
{
	uint8_t *buf = buf_at(vdev, idx);
	vdev->buf_state[idx] = BUF_RX_POSTED;
	return virtqueue_add_inbuf(&vdev->rvq, buf, vdev->buf_size, buf);
}

/* ATTACH: which buffers are in flight comes from the rebuilt rings; check them. */
static int host_attach_buffers(struct rpmsg_virtio_device *vdev)
{
	const uint8_t SEEN = 0xff;
	for (uint32_t i = 0; i < vdev->buf_count; i++)
		vdev->buf_state[i] = 0;
	for (unsigned int i = 0; i < vdev->rvq.num; i++) {
		const struct virtqueue_desc_state *st = &vdev->rvq.state[i];
		if (!st->token)
			continue;
		int32_t idx = buf_index(vdev, st->token, 0);
		if (idx < 0 || (uint32_t)idx >= vdev->rx_count || st->ndesc != 1 ||
		    st->in_len != vdev->buf_size || vdev->buf_state[idx] == SEEN)
			return -EPROTO;
		vdev->buf_state[idx] = SEEN;
	}
	for (unsigned int i = 0; i < vdev->svq.num; i++) {
		const struct virtqueue_desc_state *st = &vdev->svq.state[i];
		if (!st->token)
			continue;
		int32_t idx = buf_index(vdev, st->token, 0);
		if (idx < (int32_t)vdev->rx_count || st->ndesc != 1 || st->in_len != 0 ||
		    vdev->buf_state[idx] == SEEN)
			return -EPROTO;
		vdev->buf_state[idx] = SEEN;
	}
	vdev->tx_free_n = 0;
	for (uint32_t i = 0; i < vdev->buf_count; i++) {
		bool seen = vdev->buf_state[i] == SEEN;
		if (i < vdev->rx_count) {
			if (seen) {
				vdev->buf_state[i] = BUF_RX_POSTED;
			} else {
				int err = host_post_rx(vdev, i);
				if (err)
					return err;
			}
		} else if (seen) {
			vdev->buf_state[i] = BUF_TX_INFLIGHT;
		} else {
			vdev->buf_state[i] = BUF_TX_FREE;
			vdev->tx_free[vdev->tx_free_n++] = i;
		}
	}
	return 0;
}

/* ---- device-role held buffers -------------------------------------------------------- */

static struct rpmsg_held *held_find(struct rpmsg_virtio_device *vdev, const uint8_t *buf,
				    uint8_t kind)
{
	for (uint32_t i = 0; i < vdev->held_n; i++)
		if (vdev->held[i].buf == buf && vdev->held[i].kind == kind)
			return &vdev->held[i];
	return NULL;
}

static void held_drop(struct rpmsg_virtio_device *vdev, struct rpmsg_held *h)
{
	*h = vdev->held[--vdev->held_n];
}

static struct rpmsg_held *held_add(struct rpmsg_virtio_device *vdev, uint8_t *buf, uint32_t len,
				   int head, uint8_t kind)
{
	struct rpmsg_held *h = &vdev->held[vdev->held_n++];
	h->buf = buf;
	h->len = len;
	h->head = (uint16_t)head;
	h->kind = kind;
	return h;
}

/* ---- tx buffers (both roles), lock held -------------------------------------------- */

/* A tx buffer and its capacity (header included), or NULL when none is free. */
uint8_t *upi_rpmsg_tx_buf_get(struct rpmsg_virtio_device *vdev, uint32_t *cap)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		if (!vdev->tx_free_n)
			host_reclaim_tx(vdev);
		if (!vdev->tx_free_n)
			return NULL;
		uint32_t idx = vdev->tx_free[--vdev->tx_free_n];
		vdev->buf_state[idx] = BUF_TX_TAKEN;
		*cap = vdev->buf_size;
		return buf_at(vdev, idx);
	}
	for (uint32_t i = 0; i < vdev->held_n; i++) {
		if (vdev->held[i].kind == HELD_SPARE) {
			vdev->held[i].kind = HELD_TX;
			*cap = vdev->held[i].len;
			return vdev->held[i].buf;
		}
	}
	for (unsigned int tries = 0; tries < vdev->svq.num; tries++) {
		struct virtqueue_buf iov;
		unsigned int out, in;
		int head = virtqueue_pop(&vdev->svq, &iov, 1, &out, &in);
		if (head == -ENOBUFS) {
			vdev->badmsg_pending++;
			continue;
		}
		if (head < 0)
			return NULL;
		if (out || in != 1 || iov.len <= RPMSG_HDR_SIZE || ((uintptr_t)iov.addr & 3)) {
			rpmsg_warn(vdev, "unusable tx buffer from host, head/len", (uint32_t)head,
				   iov.len);
			vdev->badmsg_pending++;
			virtqueue_push(&vdev->svq, (unsigned int)head, 0);
			continue;
		}
		if (vdev->held_n >= vdev->held_cap) { /* cannot happen: one entry per head */
			virtqueue_push(&vdev->svq, (unsigned int)head, 0);
			return NULL;
		}
		held_add(vdev, iov.addr, iov.len, head, HELD_TX);
		*cap = iov.len;
		return iov.addr;
	}
	return NULL;
}

/* Give back a tx buffer that will not be sent. Lock held. 0 or -EINVAL. */
int upi_rpmsg_tx_buf_put(struct rpmsg_virtio_device *vdev, uint8_t *buf)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, buf, 0);
		if (idx < (int32_t)vdev->rx_count || vdev->buf_state[idx] != BUF_TX_TAKEN)
			return -EINVAL;
		vdev->buf_state[idx] = BUF_TX_FREE;
		vdev->tx_free[vdev->tx_free_n++] = (uint32_t)idx;
		return 0;
	}
	struct rpmsg_held *h = held_find(vdev, buf, HELD_TX);
	if (!h)
		return -EINVAL;
	h->kind = HELD_SPARE;
	return 0;
}

/* Capacity of a taken tx buffer, or 0 when @buf is not one. Lock held. */
uint32_t upi_rpmsg_tx_buf_cap(struct rpmsg_virtio_device *vdev, const uint8_t *buf)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, buf, 0);
		if (idx < (int32_t)vdev->rx_count || vdev->buf_state[idx] != BUF_TX_TAKEN)
			return 0;
		return vdev->buf_size;
	}
	struct rpmsg_held *h = held_find(vdev, buf, HELD_TX);
	return h ? h->len : 0;
}

/* Is a tx buffer to be had without waiting? Lock held. */
bool upi_rpmsg_tx_buf_ready(struct rpmsg_virtio_device *vdev)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		if (!vdev->tx_free_n)
			host_reclaim_tx(vdev);
		return vdev->tx_free_n != 0;
	}
	for (uint32_t i = 0; i < vdev->held_n; i++)
		if (vdev->held[i].kind == HELD_SPARE)
			return true;
	return virtqueue_pending(&vdev->svq);
}

/*
 * Send taken buffer @buf holding @len payload bytes. Lock held. On failure the
 * buffer is reclaimed. *@kick says whether the peer must be notified (after unlock);
 * a NULL @kick leaves the decision to the caller (a batch decides once).
 */
int upi_rpmsg_send_locked_buf(struct rpmsg_virtio_device *vdev, uint8_t *buf, uint32_t src,
			  uint32_t dst, size_t len, bool *kick)
{
	upi_rpmsg_hdr_write(buf, vdev->swap, src, dst, (uint16_t)len);
	int err;
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, buf, 0);
		vdev->buf_state[idx] = BUF_TX_INFLIGHT;
		err = virtqueue_add_outbuf(&vdev->svq, buf, (uint32_t)(RPMSG_HDR_SIZE + len), buf);
		if (err) {
			vdev->buf_state[idx] = BUF_TX_FREE;
			vdev->tx_free[vdev->tx_free_n++] = (uint32_t)idx;
			return err;
		}
	} else {
		struct rpmsg_held *h = held_find(vdev, buf, HELD_TX);
		if (!h)
			return -EINVAL;
		/* used.len = the whole buffer, not header + payload: OpenAMP's host
		 * re-posts each returned receive buffer with used.len as its size, so
		 * a short value would shrink its buffers message by message. Linux
		 * and uproc bound the message by hdr.len within used.len either way;
		 * OpenAMP's remote writes the same. */
		err = virtqueue_push(&vdev->svq, h->head, h->len);
		held_drop(vdev, h);
		if (err)
			return err;
	}
	if (kick)
		*kick = virtqueue_kick_prepare(&vdev->svq);
	return 0;
}

/* ---- rx path ------------------------------------------------------------------------ */

/* Hand an rx buffer back to the peer (device role: the one held as @kind). Lock held. */
static void rx_recycle(struct rpmsg_virtio_device *vdev, uint8_t *buf, uint8_t kind)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, buf, 0);
		if (idx >= 0 && (uint32_t)idx < vdev->rx_count)
			host_post_rx(vdev, (uint32_t)idx);
		return;
	}
	struct rpmsg_held *h = held_find(vdev, buf, kind);
	if (!h)
		return;
	virtqueue_push(&vdev->rvq, h->head, 0);
	held_drop(vdev, h);
}

/* A message taken from the rx queue, delivered after the lock is dropped. */
struct rx_item {
	uint8_t *buf;
	struct rpmsg_endpoint *ept;
	uint32_t src;
	uint32_t dst;
	uint16_t len;
};

/* Messages delivered per lock round trip, at most: bounded so that buffers go back
 * to the peer (one index publish per run) while it is still sending. */
#define RX_RUN_MAX 16u

/*
 * A run may span endpoints where the CPU has lock-free word atomics (every host,
 * Cortex-M3 and up, RV32A, MIPS32): consecutive messages for one endpoint form a
 * group, and each group is claimed and released with one atomic operation each
 * instead of a lock round trip. Without them a run is one group, claimed and
 * released under the lock.
 */
#if defined(__GCC_ATOMIC_INT_LOCK_FREE) && __GCC_ATOMIC_INT_LOCK_FREE == 2
#define RX_SPAN 1
typedef _Atomic uint32_t rx_state_t;
#else
#define RX_SPAN 0
typedef uint32_t rx_state_t;
#endif

/* Group states. PENDING -> RUNNING (the run thread) -> DONE, or PENDING ->
 * CANCELLED (rpmsg_destroy_ept() of its endpoint, lock held); RUNNING -> WAITED
 * when a destroy waits for it (the run thread then wakes it). */
enum { GRP_PENDING, GRP_RUNNING, GRP_WAITED, GRP_DONE, GRP_CANCELLED };

/**
 * struct rx_group - consecutive messages of a run for one endpoint. The run's
 * groups are published in vdev->run (lock held) while their callbacks may run, so
 * that a destroy of an endpoint cancels its groups not yet begun and waits for the
 * one running; the run holds no other reference on its endpoints.
 */
struct rx_group {
	struct rpmsg_endpoint *ept;
	rx_state_t state;
	uint8_t first, n;
};

static void grp_init(struct rx_group *g, struct rpmsg_endpoint *ept, uint32_t first,
		     uint32_t state)
{
	g->ept = ept;
	g->first = (uint8_t)first;
	g->n = 1;
#if RX_SPAN
	atomic_store_explicit(&g->state, state, memory_order_relaxed); /* published by the unlock */
#else
	g->state = state;
#endif
}

static uint32_t grp_load(struct rx_group *g)
{
#if RX_SPAN
	return atomic_load_explicit(&g->state, memory_order_acquire);
#else
	return g->state;
#endif
}

/* From @from to @to, if it is @from. Lock held, or the run thread (RX_SPAN). */
static bool grp_cas(struct rx_group *g, uint32_t from, uint32_t to)
{
#if RX_SPAN
	return atomic_compare_exchange_strong_explicit(&g->state, &from, to, memory_order_acq_rel,
						       memory_order_acquire);
#else
	if (g->state != from)
		return false;
	g->state = to;
	return true;
#endif
}

/* The run thread: its callbacks on @g are over; wake a destroy waiting for them. */
static void grp_release(struct rpmsg_virtio_device *vdev, struct rx_group *g, bool locked)
{
#if RX_SPAN
	uint32_t was = atomic_exchange_explicit(&g->state, GRP_DONE, memory_order_acq_rel);
#else
	uint32_t was = g->state;
	g->state = GRP_DONE;
#endif
	if (was != GRP_WAITED || !vdev->port->wake)
		return;
	/* Under the lock: the destroy checked the state and waits with it held. */
	if (!locked)
		upi_rpmsg_lock(vdev);
	vdev->port->wake(vdev->port->ctx);
	if (!locked)
		upi_rpmsg_unlock(vdev);
}

/*
 * rpmsg_destroy_ept() of @ept, lock held: cancel the running run's groups for it
 * that have not begun; true while one of them is running (then wait and ask again).
 */
bool upi_rpmsg_rx_busy(struct rpmsg_virtio_device *vdev, struct rpmsg_endpoint *ept)
{
	bool busy = false;
	for (uint32_t i = 0; i < vdev->run_ngroups; i++) {
		struct rx_group *g = &vdev->run[i];
		if (g->ept != ept)
			continue;
		if (grp_cas(g, GRP_PENDING, GRP_CANCELLED))
			continue;
		if (grp_cas(g, GRP_RUNNING, GRP_WAITED) || grp_load(g) == GRP_WAITED)
			busy = true;
	}
	return busy;
}

/*
 * Take one buffer from the rx queue and check its header. Lock held. Returns 1
 * with @it's buf, src, dst and len filled when there is a message, 2 when the
 * buffer was consumed here (bad: dropped and recycled), 0 when the queue is empty,
 * -EIO when it is broken.
 */
static int rx_pop(struct rpmsg_virtio_device *vdev, struct rx_item *it)
{
	uint8_t *buf;
	uint32_t len;
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		buf = virtqueue_get_buf(&vdev->rvq, &len);
		if (!buf)
			return virtqueue_is_broken(&vdev->rvq) ? -EIO : 0;
		vdev->buf_state[buf_index(vdev, buf, 0)] = BUF_RX_CB;
	} else {
		struct virtqueue_buf iov;
		unsigned int out, in;
		int head = virtqueue_pop(&vdev->rvq, &iov, 1, &out, &in);
		if (head == -EAGAIN)
			return 0;
		if (head == -ENOBUFS) {
			vdev->badmsg_pending++;
			rpmsg_warn(vdev, "rx chain too long on queue", vdev->rvq.index, 0);
			return 2;
		}
		if (head < 0)
			return -EIO;
		if (in || out != 1 || ((uintptr_t)iov.addr & 3)) {
			vdev->badmsg_pending++;
			rpmsg_warn(vdev, "unusable rx buffer from host, head/len", (uint32_t)head,
				   iov.len);
			virtqueue_push(&vdev->rvq, (unsigned int)head, 0);
			return 2;
		}
		if (vdev->held_n >= vdev->held_cap) { /* cannot happen: one entry per head */
			virtqueue_push(&vdev->rvq, (unsigned int)head, 0);
			return 2;
		}
		buf = iov.addr;
		len = iov.len;
		held_add(vdev, buf, len, head, HELD_RX_CB);
	}

	if (len < RPMSG_HDR_SIZE) {
		vdev->badmsg_pending++;
		rpmsg_warn(vdev, "rx buffer shorter than a header, len", len, 0);
		rx_recycle(vdev, buf, HELD_RX_CB);
		return 2;
	}
	/* Each header field read once; only the locals are used. */
	struct upi_rpmsg_hdr hdr = upi_rpmsg_hdr_read(buf, vdev->swap);
	if (hdr.len > len - RPMSG_HDR_SIZE) {
		vdev->badmsg_pending++;
		rpmsg_warn(vdev, "message length beyond its buffer, len/buffer", hdr.len, len);
		rx_recycle(vdev, buf, HELD_RX_CB);
		return 2;
	}
	it->buf = buf;
	it->ept = NULL;
	it->src = hdr.src;
	it->dst = hdr.dst;
	it->len = hdr.len;
	return 1;
}

/*
 * Find @it's endpoint. Lock held. False when there is none (the caller drops and
 * recycles the buffer, or carries it to its own run).
 */
static bool rx_resolve(struct rpmsg_virtio_device *vdev, struct rx_item *it)
{
	struct rpmsg_endpoint *ept = upi_rpmsg_ept_lookup(vdev, it->dst);
	if (!ept || !ept->cb)
		return false;
	struct rpmsg_device *ch = ept->rpdev;
	if (ch && ch->announce && ch->dst == RPMSG_ADDR_ANY && ept == ch->ept) {
		ch->dst = it->src; /* a local channel learns the peer's address */
		ept->dst = it->src;
	}
	it->ept = ept;
	return true;
}

static void rx_unknown(struct rpmsg_virtio_device *vdev, const struct rx_item *it)
{
	rpmsg_warn(vdev, "message for unknown address, dst/src", it->dst, it->src);
	rx_recycle(vdev, it->buf, HELD_RX_CB);
}

/* After its callback: recycle the buffer unless held. Lock held. */
static void rx_finish(struct rpmsg_virtio_device *vdev, const struct rx_item *it)
{
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		if (vdev->buf_state[buf_index(vdev, it->buf, 0)] == BUF_RX_CB)
			rx_recycle(vdev, it->buf, 0);
		return;
	}
	rx_recycle(vdev, it->buf, HELD_RX_CB); /* no-op when the receiver holds it */
}

/*
 * Deliver what the rx queue holds, in order; callbacks run unlocked. Lock held on
 * entry and exit. Returns the buffers consumed, or -EIO when the queue is broken.
 *
 * Messages go in runs of at most RX_RUN_MAX: taken and their endpoints looked up
 * under the lock, delivered in one unlocked stretch, then finished under the lock
 * with one index publish for the buffers they give back. A run's messages for one
 * endpoint in a row form a group (struct rx_group); with RX_SPAN a run spans
 * endpoints, else a message for another endpoint ends it. A callback may destroy
 * another endpoint: that endpoint's groups not yet begun are cancelled (their
 * messages dropped, as they would be for an address gone), so the destroy never
 * waits on the run that called it; a destroy on another thread waits only for a
 * group of its endpoint that is running. Every message is looked up after every
 * earlier message's callback ran or with none of them pending: a lookup that
 * fails inside a run ends the run (the message is looked up again at the start
 * of the next, after the callbacks that might create its endpoint), and so does
 * a message for the name service, whose callback creates and destroys endpoints.
 *
 * At most cfg.rx_batch buffers (when set): then *@more is set and the queue's
 * notifications stay off until the caller comes back.
 */
static int rx_run(struct rpmsg_virtio_device *vdev, bool *more)
{
	struct rx_item run[RX_RUN_MAX];
	struct rx_group grp[RX_RUN_MAX];
	struct rx_item carry;
	bool have_carry = false;
	int consumed = 0;
	for (;;) {
		uint32_t n = 0, ng = 0;
		int r = 1;
		bool budget = false;
		while (n < RX_RUN_MAX) {
			struct rx_item it;
			if (have_carry) {
				it = carry;
				have_carry = false;
			} else {
				if (vdev->cfg.rx_batch && (uint32_t)consumed >= vdev->cfg.rx_batch) {
					budget = true;
					break;
				}
				r = rx_pop(vdev, &it);
				if (r <= 0)
					break;
				consumed++;
				if (r == 2)
					continue;
			}
			if (n && it.dst == run[n - 1].dst) {
				/* Same address, lock held since: the same endpoint. */
				it.ept = run[n - 1].ept;
				grp[ng - 1].n++;
				run[n++] = it;
				continue;
			}
			if (n && (!RX_SPAN || run[n - 1].dst == RPMSG_NS_ADDR)) {
				carry = it;
				have_carry = true;
				break;
			}
			if (!rx_resolve(vdev, &it)) {
				if (!n) {
					rx_unknown(vdev, &it);
					continue;
				}
				carry = it; /* after this run's callbacks, once more */
				have_carry = true;
				break;
			}
			/* Without RX_SPAN the run's one group is claimed here, under the lock. */
			grp_init(&grp[ng++], it.ept, n, RX_SPAN ? GRP_PENDING : GRP_RUNNING);
			run[n++] = it;
		}
		if (n) {
			vdev->run = grp;
			vdev->run_ngroups = ng;
			upi_rpmsg_unlock(vdev);
			for (uint32_t g = 0; g < ng; g++) {
				if (RX_SPAN && !grp_cas(&grp[g], GRP_PENDING, GRP_RUNNING))
					continue; /* its endpoint was destroyed meanwhile */
				for (uint32_t i = grp[g].first; i < grp[g].first + grp[g].n; i++)
					run[i].ept->cb(run[i].ept, run[i].buf + RPMSG_HDR_SIZE, run[i].len,
						       run[i].src, run[i].ept->priv);
				if (RX_SPAN)
					grp_release(vdev, &grp[g], false);
			}
			upi_rpmsg_lock(vdev);
			if (!RX_SPAN)
				grp_release(vdev, &grp[0], true);
			vdev->run = NULL;
			vdev->run_ngroups = 0;
			virtqueue_batch_begin(&vdev->rvq);
			for (uint32_t i = 0; i < n; i++)
				rx_finish(vdev, &run[i]);
			virtqueue_batch_end(&vdev->rvq);
		}
		if (r < 0)
			return -EIO;
		if (have_carry || n == RX_RUN_MAX)
			continue;
		if (budget) {
			*more = true;
			return consumed;
		}
		if (vdev->rx_again) {
			vdev->rx_again = false;
			continue;
		}
		if (virtqueue_enable_cb(&vdev->rvq))
			return consumed;
	}
}

int rpmsg_virtio_handle_kick(struct rpmsg_virtio_device *vdev)
{
	if (!vdev)
		return -EINVAL;
	upi_rpmsg_lock(vdev);
	if (vdev->shutdown) {
		upi_rpmsg_unlock(vdev);
		return -ESHUTDOWN;
	}
	/*
	 * tx side: buffers came back. The host takes the used entries now (at most the
	 * ring's size), not when it next runs out: a buffer the remote returns twice,
	 * or one it never had, is caught at the kick that returns it. Then wake
	 * blocked senders, tell the event loop.
	 */
	if (vdev->role == VIRTIO_ROLE_DRIVER)
		host_reclaim_tx(vdev);
	bool ready_cb = false;
	if ((vdev->tx_waiters || vdev->tx_ready_armed) && upi_rpmsg_tx_buf_ready(vdev)) {
		if (vdev->tx_waiters && vdev->port->wake)
			vdev->port->wake(vdev->port->ctx);
		if (vdev->tx_ready_armed) {
			vdev->tx_ready_armed = false;
			ready_cb = vdev->cfg.tx_ready != NULL;
		}
	}
	if (vdev->rx_running) {
		/* The thread delivering now will look again before it stops. */
		vdev->rx_again = true;
		upi_rpmsg_unlock(vdev);
		if (ready_cb)
			vdev->cfg.tx_ready(vdev->cfg.priv);
		return 0;
	}
	vdev->rx_running = true;
	bool more = false;
	int delivered = rx_run(vdev, &more);
	vdev->rx_running = false;
	if (vdev->shutdown && vdev->port->wake)
		vdev->port->wake(vdev->port->ctx); /* rpmsg_virtio_deinit() waits for us */
	bool kick = virtqueue_kick_prepare(&vdev->rvq);
	bool broken = rpmsg_virtio_is_broken(vdev);
	bool flush = vdev->announce_pending && !vdev->shutdown;
	bool more_cb = more && !broken && vdev->cfg.rx_more;
	/* What ran unlocked below may leave reports too; otherwise only a pending one
	 * makes the report take the lock again. */
	bool report = upi_rpmsg_report_due(vdev) || flush || ready_cb || more_cb;
	upi_rpmsg_unlock(vdev);
	if (kick)
		notify_peer(vdev, &vdev->rvq);
	if (flush)
		upi_rpmsg_ns_flush_pending(vdev);
	if (ready_cb)
		vdev->cfg.tx_ready(vdev->cfg.priv);
	if (more_cb)
		vdev->cfg.rx_more(vdev->cfg.priv);
	if (report)
		upi_rpmsg_report(vdev);
	return broken || delivered < 0 ? -EIO : delivered;
}

/* ---- zero-copy rx --------------------------------------------------------------------- */

int rpmsg_hold_rx_buffer(struct rpmsg_endpoint *ept, void *data)
{
	if (!ept || !ept->vdev || !data)
		return -EINVAL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	uint8_t *buf = (uint8_t *)data - RPMSG_HDR_SIZE;
	int err = -EINVAL;
	upi_rpmsg_lock(vdev);
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, data, RPMSG_HDR_SIZE);
		if (idx >= 0 && (uint32_t)idx < vdev->rx_count && vdev->buf_state[idx] == BUF_RX_CB) {
			vdev->buf_state[idx] = BUF_RX_HELD;
			err = 0;
		}
	} else {
		struct rpmsg_held *h = held_find(vdev, buf, HELD_RX_CB);
		if (h) {
			h->kind = HELD_RX;
			err = 0;
		}
	}
	upi_rpmsg_unlock(vdev);
	return err;
}

int rpmsg_release_rx_buffer(struct rpmsg_endpoint *ept, void *data)
{
	if (!ept || !ept->vdev || !data)
		return -EINVAL;
	struct rpmsg_virtio_device *vdev = ept->vdev;
	uint8_t *buf = (uint8_t *)data - RPMSG_HDR_SIZE;
	int err = -EINVAL;
	bool kick = false;
	upi_rpmsg_lock(vdev);
	if (vdev->role == VIRTIO_ROLE_DRIVER) {
		int32_t idx = buf_index(vdev, data, RPMSG_HDR_SIZE);
		if (idx >= 0 && (uint32_t)idx < vdev->rx_count &&
		    vdev->buf_state[idx] == BUF_RX_HELD) {
			rx_recycle(vdev, buf, 0);
			err = 0;
		}
	} else if (held_find(vdev, buf, HELD_RX)) {
		rx_recycle(vdev, buf, HELD_RX);
		err = 0;
	}
	/* A running delivery loop kicks when it ends; otherwise it is ours to do. */
	if (!err && !vdev->rx_running)
		kick = virtqueue_kick_prepare(&vdev->rvq);
	upi_rpmsg_unlock(vdev);
	if (kick)
		notify_peer(vdev, &vdev->rvq);
	upi_rpmsg_report(vdev);
	return err;
}

/* ---- set-up and teardown ------------------------------------------------------------- */

static void vq_info_fill(struct virtqueue_info *vi, const struct rpmsg_virtio_config *cfg,
			 unsigned int index, struct virtqueue_desc_state *state, void *priv,
			 uint64_t features)
{
	__builtin_memset(vi, 0, sizeof(*vi));
	vi->role = cfg->role;
	vi->index = index;
	vi->num = cfg->vring[index].num;
	vi->align = cfg->vring[index].align;
	vi->ring_shm = cfg->vring[index].shm;
	vi->ring_da = cfg->vring[index].da;
	vi->buf_shm = cfg->buf_shm;
	vi->features = features;
	vi->state = state;
	vi->mode = cfg->attach ? VIRTQUEUE_INIT_ATTACH : VIRTQUEUE_INIT_RESET;
	vi->notify = vq_notify;
	vi->broken = vq_broken;
	vi->priv = priv;
	vi->cross_endian = cfg->cross_endian;
}

int rpmsg_virtio_init(struct rpmsg_virtio_device **out, const struct rpmsg_virtio_config *cfg)
{
	struct layout l;
	if (!out)
		return -EINVAL;
	int err = layout_compute(cfg, &l);
	if (err)
		return err;
	const struct uproc_port *port = cfg->port;
	uint8_t *mem = cfg->mem;
	bool alloced = false;
	if (mem) {
		if (cfg->mem_size < l.total || ((uintptr_t)mem & 15))
			return -EINVAL;
	} else {
		if (!port->alloc)
			return -ENOMEM;
		mem = port->alloc(port->ctx, l.total);
		if (!mem)
			return -ENOMEM;
		alloced = true;
	}
	__builtin_memset(mem, 0, l.total);
	struct rpmsg_virtio_device *vdev = (struct rpmsg_virtio_device *)mem;
	vdev->cfg = *cfg;
	vdev->cfg.mem = NULL;
	vdev->port = port;
	vdev->role = cfg->role;
	vdev->swap = cfg->cross_endian;
	vdev->mem_alloced = alloced;
	vdev->refs = 1; /* the owner's, dropped by rpmsg_virtio_deinit() */
	if (cfg->role == VIRTIO_ROLE_DRIVER)
		vdev->features = cfg->features & (cfg->supported ? cfg->supported : DEFAULT_FEATURES) &
				 DEFAULT_FEATURES;
	else
		vdev->features = cfg->features;
	vdev->ns = virtio_has_feature(vdev->features, VIRTIO_RPMSG_F_NS);
	vdev->buf_size = l.buf_size;
	for (uint8_t sh = 3; sh < 32; sh++) /* sizes are multiples of 8 */
		if (l.buf_size == (uint32_t)1 << sh)
			vdev->buf_shift = sh;
	vdev->buf_count = l.buf_count;
	vdev->rx_count = l.rx_count;
	vdev->buf_state = mem + l.buf_state;
	vdev->tx_free = (uint32_t *)(void *)(mem + l.tx_free);
	vdev->held = (struct rpmsg_held *)(void *)(mem + l.held);
	vdev->held_cap = cfg->vring[0].num + cfg->vring[1].num;

	if (cfg->role == VIRTIO_ROLE_DRIVER) {
		uint64_t area = (uint64_t)l.buf_size * l.buf_count;
		vdev->bufs = uproc_shm_da_to_ptr(cfg->buf_shm, cfg->buf_da, area);
		if (!vdev->bufs || ((uintptr_t)vdev->bufs & 7)) {
			err = -EFAULT;
			goto free_mem;
		}
	}

	/* Host: rvq = vring0, svq = vring1. Device: rvq = vring1, svq = vring0. */
	unsigned int r = cfg->role == VIRTIO_ROLE_DRIVER ? 0 : 1;
	struct virtqueue_info vi;
	vq_info_fill(&vi, cfg, r, (void *)(mem + l.rstate), vdev, vdev->features);
	err = virtqueue_init(&vdev->rvq, &vi);
	if (err)
		goto free_mem;
	vq_info_fill(&vi, cfg, 1 - r, (void *)(mem + l.sstate), vdev, vdev->features);
	err = virtqueue_init(&vdev->svq, &vi);
	if (err)
		goto free_mem;

	if (cfg->role == VIRTIO_ROLE_DRIVER) {
		if (cfg->attach) {
			err = host_attach_buffers(vdev);
			if (err)
				goto free_mem;
		} else {
			for (uint32_t i = 0; i < l.rx_count; i++) {
				err = host_post_rx(vdev, i);
				if (err)
					goto free_mem;
			}
			for (uint32_t i = l.buf_count; i-- > l.rx_count;) {
				vdev->buf_state[i] = BUF_TX_FREE;
				vdev->tx_free[vdev->tx_free_n++] = i;
			}
		}
	}

	err = upi_rpmsg_ept_table_init(vdev, (struct rpmsg_endpoint **)(void *)(mem + l.buckets),
				   l.nbuckets);
	if (err)
		goto free_mem;
	if (vdev->ns) {
		upi_rpmsg_ept_prepare(&vdev->ns_ept, vdev, RPMSG_NS_ADDR, upi_rpmsg_ns_cb, vdev);
		err = upi_rpmsg_ept_link(vdev, &vdev->ns_ept, RPMSG_NS_ADDR);
		if (err)
			goto free_table;
	}
	virtqueue_enable_cb(&vdev->rvq);
	virtqueue_enable_cb(&vdev->svq);
	if (cfg->role == VIRTIO_ROLE_DRIVER) {
		/* Tell the remote its rx buffers are there (after DRIVER_OK it looks). */
		virtqueue_kick_prepare(&vdev->rvq);
		notify_peer(vdev, &vdev->rvq);
	}
	*out = vdev;
	return 0;

free_table:
	upi_rpmsg_ept_table_deinit(vdev);
free_mem:
	if (alloced && port->free)
		port->free(port->ctx, mem);
	return err;
}

void rpmsg_virtio_deinit(struct rpmsg_virtio_device *vdev)
{
	if (!vdev)
		return;
	const struct uproc_port *port = vdev->port;
	upi_rpmsg_lock(vdev);
	vdev->shutdown = true;
	if (port->wake)
		port->wake(port->ctx);
	upi_rpmsg_unlock(vdev);

	upi_rpmsg_channels_teardown(vdev);

	upi_rpmsg_lock(vdev);
	while ((vdev->tx_waiters || vdev->rx_running) && port->wait)
		port->wait(port->ctx, UPROC_PORT_FOREVER);
	if (vdev->ns)
		upi_rpmsg_ept_unlink(vdev, &vdev->ns_ept);
	upi_rpmsg_unlock(vdev);
	rpmsg_virtio_put(vdev);
}

void rpmsg_virtio_get(struct rpmsg_virtio_device *vdev)
{
	if (!vdev)
		return;
	upi_rpmsg_lock(vdev);
	vdev->refs++;
	upi_rpmsg_unlock(vdev);
}

void rpmsg_virtio_put(struct rpmsg_virtio_device *vdev)
{
	if (!vdev)
		return;
	const struct uproc_port *port = vdev->port;
	port->lock(port->ctx);
	uint32_t left = --vdev->refs;
	port->unlock(port->ctx);
	if (left)
		return;
	/* The last reference: nobody else can reach @vdev any more. */
	void (*release)(void *) = vdev->cfg.release;
	void *release_priv = vdev->cfg.release_priv;
	upi_rpmsg_ept_table_deinit(vdev);
	if (vdev->mem_alloced && port->free)
		port->free(port->ctx, vdev);
	if (release)
		release(release_priv);
}
