/* SPDX-License-Identifier: MIT */
/*
 * virtqueue.c - legacy split virtqueues, driver and device roles.
 *
 * Freestanding: no libc beyond __builtin_memset. Every peer-written field is read
 * once through uproc/shm.h into a local and validated before use.
 *
 * Barrier pairings (the only cross-side orderings):
 *   P1  driver add:  descriptors + avail.ring[] ... store_release(avail.idx)
 *       device pop:  load_acquire(avail.idx) ... read avail.ring[], descriptors
 *   P2  device push: buffer contents + used.ring[] ... store_release(used.idx)
 *       driver get:  load_acquire(used.idx) ... read used.ring[], buffer contents
 *   P3  kick_prepare (both): index store, fence_full, read the peer's event/flags;
 *       enable_cb (both): event/flags store, fence_full, re-read the peer's index.
 *       (Dekker: one of the two sides sees the other's store.) One fence serves
 *       both when it comes after both stores: a receive re-arms (enable_cb) after
 *       publishing the buffers it gave back, then decides on the kick without a
 *       second fence (vq->unfenced).
 */
#include "uproc/virtio.h"

#include "uproc/errno.h"
#include "uproc/shm.h"

/* ---- ring geometry ------------------------------------------------------------- */

#define DESC_ADDR 0
#define DESC_LEN 8
#define DESC_FLAGS 12
#define DESC_NEXT 14

#define AVAIL_FLAGS 0
#define AVAIL_IDX 2
#define AVAIL_RING 4

#define USED_FLAGS 0
#define USED_IDX 2
#define USED_RING 4

static inline uint8_t *desc_at(const struct virtqueue *vq, unsigned int i)
{
	return vq->desc + (size_t)i * VRING_DESC_SIZE;
}

static inline uint8_t *avail_slot(const struct virtqueue *vq, uint16_t idx)
{
	return vq->avail + AVAIL_RING + 2u * (idx & (vq->num - 1));
}

static inline uint8_t *used_event_slot(const struct virtqueue *vq)
{
	return vq->avail + AVAIL_RING + 2u * vq->num;
}

static inline uint8_t *used_elem(const struct virtqueue *vq, uint16_t idx)
{
	return vq->used + USED_RING + (size_t)VRING_USED_ELEM_SIZE * (idx & (vq->num - 1));
}

static inline uint8_t *avail_event_slot(const struct virtqueue *vq)
{
	return vq->used + USED_RING + (size_t)VRING_USED_ELEM_SIZE * vq->num;
}

/* ---- byte order of single accesses ---------------------------------------------- */

static inline uint16_t rd16(const struct virtqueue *vq, const void *p)
{
	return uproc_shm_read16_swap(p, vq->swap);
}

static inline uint32_t rd32(const struct virtqueue *vq, const void *p)
{
	return uproc_shm_read32_swap(p, vq->swap);
}

/*
 * 64-bit fields (descriptor addresses): one 64-bit load where the CPU has one,
 * two 32-bit halves on 32-bit firmware (no libatomic there). Either way each half
 * is read once and only the combined local is validated and used.
 */
#if defined(__GCC_ATOMIC_LLONG_LOCK_FREE) && __GCC_ATOMIC_LLONG_LOCK_FREE == 2 && \
	UINTPTR_MAX > UINT32_MAX
#define VQ_ATOMIC64 1
#else
#define VQ_ATOMIC64 0
#endif

static inline uint64_t rd64(const struct virtqueue *vq, const void *p)
{
#if VQ_ATOMIC64
	uint64_t v = uproc_shm_read64(p);
#else
	uint32_t w0 = uproc_shm_read32(p), w1 = uproc_shm_read32((const uint8_t *)p + 4);
	uint64_t v = uproc_host_byte_order() == UPROC_LITTLE_ENDIAN
			     ? ((uint64_t)w1 << 32 | w0)
			     : ((uint64_t)w0 << 32 | w1);
#endif
	return vq->swap ? uproc_swap64(v) : v;
}

static inline uint16_t rd16_acquire(const struct virtqueue *vq, const void *p)
{
	uint16_t v = uproc_shm_load_acquire16(p);
	return vq->swap ? uproc_swap16(v) : v;
}

static inline void wr16(const struct virtqueue *vq, void *p, uint16_t v)
{
	uproc_shm_write16_swap(p, v, vq->swap);
}

static inline void wr32(const struct virtqueue *vq, void *p, uint32_t v)
{
	uproc_shm_write32_swap(p, v, vq->swap);
}

static inline void wr64(const struct virtqueue *vq, void *p, uint64_t v)
{
	if (vq->swap)
		v = uproc_swap64(v);
#if VQ_ATOMIC64
	uproc_shm_write64(p, v);
#else
	uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
	bool le = uproc_host_byte_order() == UPROC_LITTLE_ENDIAN;
	uproc_shm_write32(p, le ? lo : hi);
	uproc_shm_write32((uint8_t *)p + 4, le ? hi : lo);
#endif
}

static inline void wr16_release(const struct virtqueue *vq, void *p, uint16_t v)
{
	uproc_shm_store_release16(p, vq->swap ? uproc_swap16(v) : v);
}

/* ---- common --------------------------------------------------------------------- */

/*
 * Store our index (and, driver, the used_event slot get_buf keeps current) when it
 * changed since the last store: once per buffer outside a batch, once per batch in.
 */
static void publish(struct virtqueue *vq)
{
	if (vq->role == VIRTIO_ROLE_DRIVER) {
		if (vq->event_shadow != vq->last_used) {
			vq->event_shadow = vq->last_used;
			wr16(vq, used_event_slot(vq), vq->last_used);
		}
		if (vq->published != vq->avail_idx) {
			vq->published = vq->avail_idx;
			/* P1: descriptors and the ring slots before the index. */
			wr16_release(vq, vq->avail + AVAIL_IDX, vq->avail_idx);
			vq->unfenced = true;
		}
	} else if (vq->published != vq->used_idx) {
		vq->published = vq->used_idx;
		/* P2: buffer contents and the used elements before the index. */
		wr16_release(vq, vq->used + USED_IDX, vq->used_idx);
		vq->unfenced = true;
	}
}

void virtqueue_batch_begin(struct virtqueue *vq)
{
	vq->batch = true;
}

void virtqueue_batch_end(struct virtqueue *vq)
{
	vq->batch = false;
	publish(vq);
}

void virtqueue_set_broken(struct virtqueue *vq, int err)
{
	if (vq->broken)
		return;
	vq->broken = err < 0 ? err : -EPROTO;
	if (vq->broken_cb)
		vq->broken_cb(vq, vq->broken);
}

bool virtqueue_is_broken(const struct virtqueue *vq)
{
	return vq->broken != 0;
}

unsigned int virtqueue_get_vring_size(const struct virtqueue *vq)
{
	return vq->num;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/*
 * attach_rebuild() - VIRTQUEUE_INIT_ATTACH for the driver: rebuild the free list
 * and the chain bookkeeping from the descriptor table (free descriptors have
 * len 0, the driver zeroes it when it frees them). Every value is validated.
 */
static int attach_rebuild(struct virtqueue *vq)
{
	struct virtqueue_desc_state *st = vq->state;
	unsigned int num = vq->num;
	/* Pass 1: which descriptors are in flight; links valid; in-degree <= 1.
	 * ndesc temporarily: bit0 in flight, bit1 has a predecessor, bit2 visited. */
	for (unsigned int i = 0; i < num; i++) {
		st[i].token = NULL;
		st[i].in_len = 0;
		st[i].ndesc = 0;
		st[i].next = 0;
	}
	for (unsigned int i = 0; i < num; i++) {
		uint8_t *d = desc_at(vq, i);
		uint32_t len = rd32(vq, d + DESC_LEN);
		if (len == 0)
			continue;
		uint16_t flags = rd16(vq, d + DESC_FLAGS);
		uint16_t next = rd16(vq, d + DESC_NEXT);
		uint64_t addr = rd64(vq, d + DESC_ADDR);
		if (flags & ~(VRING_DESC_F_NEXT | VRING_DESC_F_WRITE))
			return -EPROTO;
		if (!uproc_shm_da_to_ptr(vq->buf_shm, addr, len))
			return -EPROTO;
		st[i].ndesc |= 1;
		st[i].in_len = len;
		st[i].next = (flags & VRING_DESC_F_NEXT) ? next : UINT16_MAX;
		if (flags & VRING_DESC_F_WRITE)
			st[i].ndesc |= 8;
	}
	for (unsigned int i = 0; i < num; i++) {
		if (!(st[i].ndesc & 1) || st[i].next == UINT16_MAX)
			continue;
		unsigned int n = st[i].next;
		if (n >= num || !(st[n].ndesc & 1) || (st[n].ndesc & 2))
			return -EPROTO;
		st[n].ndesc |= 2;
	}
	/* Pass 2: walk every chain from its head; write-after-read order checked. */
	for (unsigned int h = 0; h < num; h++) {
		if ((st[h].ndesc & 3) != 1)
			continue;
		unsigned int i = h, count = 0;
		uint64_t in_len = 0;
		bool seen_write = false;
		for (;;) {
			if (count++ >= num || (st[i].ndesc & 4))
				return -EPROTO;
			st[i].ndesc |= 4;
			if (st[i].ndesc & 8) {
				seen_write = true;
				in_len += st[i].in_len;
			} else if (seen_write) {
				return -EPROTO;
			}
			if (st[i].next == UINT16_MAX)
				break;
			i = st[i].next;
		}
		if (in_len > UINT32_MAX)
			return -EPROTO;
		uint8_t *d = desc_at(vq, h);
		void *buf = uproc_shm_da_to_ptr(vq->buf_shm, rd64(vq, d + DESC_ADDR),
						rd32(vq, d + DESC_LEN));
		if (!buf) /* changed under us since pass 1 */
			return -EPROTO;
		st[h].token = buf;
		st[h].in_len = (uint32_t)in_len;
		st[h].ndesc = (uint16_t)count; /* heads are known by their token now */
	}
	/* Every in-flight descriptor must have been reached from a head (no cycles). */
	for (unsigned int i = 0; i < num; i++)
		if (!st[i].token && (st[i].ndesc & 1) && !(st[i].ndesc & 4))
			return -EPROTO;
	/* Final form: heads keep token, in_len, ndesc = chain length; chain members keep
	 * next; free descriptors go on the free list. */
	uint16_t free_head = (uint16_t)num, nfree = 0;
	for (unsigned int i = num; i-- > 0;) {
		if (st[i].token)
			continue;
		if (st[i].ndesc & 1) {
			st[i].ndesc = 0;
			st[i].in_len = 0;
			continue;
		}
		st[i].ndesc = 0;
		st[i].in_len = 0;
		st[i].next = free_head;
		free_head = (uint16_t)i;
		nfree++;
	}
	vq->free_head = free_head;
	vq->num_free = nfree;
	return 0;
}

int virtqueue_init(struct virtqueue *vq, const struct virtqueue_info *info)
{
	if (!vq || !info || !info->state || !info->notify || !info->ring_shm || !info->buf_shm)
		return -EINVAL;
	if (!is_pow2(info->num) || info->num > VIRTQUEUE_MAX_NUM)
		return -EINVAL;
	if (!is_pow2(info->align) || info->align < 4)
		return -EINVAL;
	if (info->role != VIRTIO_ROLE_DRIVER && info->role != VIRTIO_ROLE_DEVICE)
		return -EINVAL;
	if (info->mode != VIRTQUEUE_INIT_RESET &&
	    !(info->mode == VIRTQUEUE_INIT_ATTACH && info->role == VIRTIO_ROLE_DRIVER))
		return -EINVAL;

	uint64_t size = uproc_vring_size(info->num, info->align);
	uint8_t *ring = uproc_shm_da_to_ptr(info->ring_shm, info->ring_da, size);
	if (!ring || ((uintptr_t)ring & 15))
		return -EFAULT;

	__builtin_memset(vq, 0, sizeof(*vq));
	vq->priv = info->priv;
	vq->index = info->index;
	vq->num = info->num;
	vq->role = info->role;
	vq->event_idx = virtio_has_feature(info->features, VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = virtio_has_feature(info->features, VIRTIO_RING_F_INDIRECT_DESC);
	vq->swap = info->cross_endian;
	vq->desc = ring;
	vq->avail = ring + (size_t)VRING_DESC_SIZE * info->num;
	uint64_t avail_end = (uint64_t)VRING_DESC_SIZE * info->num + 2u * (3u + info->num);
	vq->used = ring + ((avail_end + info->align - 1) & ~(info->align - 1));
	vq->buf_shm = info->buf_shm;
	vq->state = info->state;
	vq->notify = info->notify;
	vq->broken_cb = info->broken;

	if (info->role == VIRTIO_ROLE_DEVICE) {
		for (unsigned int i = 0; i < info->num; i++) {
			vq->state[i].token = NULL;
			vq->state[i].in_len = 0;
			vq->state[i].ndesc = 0;
			vq->state[i].next = 0;
		}
		return 0;
	}

	if (info->mode == VIRTQUEUE_INIT_RESET) {
		__builtin_memset(ring, 0, (size_t)size);
		for (unsigned int i = 0; i < info->num; i++) {
			vq->state[i].token = NULL;
			vq->state[i].in_len = 0;
			vq->state[i].ndesc = 0;
			vq->state[i].next = (uint16_t)(i + 1);
		}
		vq->free_head = 0;
		vq->num_free = (uint16_t)info->num;
		return 0;
	}

	/* ATTACH: our own indices, read back once and validated. */
	uint16_t avail_idx = rd16(vq, vq->avail + AVAIL_IDX);
	uint16_t last_used = rd16(vq, used_event_slot(vq));
	uint16_t used_idx = rd16_acquire(vq, vq->used + USED_IDX); /* P2 */
	if ((uint16_t)(avail_idx - last_used) > info->num ||
	    (uint16_t)(used_idx - last_used) > (uint16_t)(avail_idx - last_used))
		return -EPROTO;
	int err = attach_rebuild(vq);
	if (err)
		return err;
	vq->avail_idx = avail_idx;
	vq->published = avail_idx;
	vq->kicked_avail = avail_idx;
	vq->last_used = last_used;
	vq->used_seen = last_used;
	vq->avail_flags = 0;
	wr16(vq, vq->avail + AVAIL_FLAGS, 0);
	return 0;
}

/* ---- driver role ----------------------------------------------------------------- */

unsigned int virtqueue_num_free(const struct virtqueue *vq)
{
	return vq->role == VIRTIO_ROLE_DRIVER ? vq->num_free : 0;
}

int virtqueue_add_sgs(struct virtqueue *vq, const struct virtqueue_buf *bufs,
		      unsigned int out_num, unsigned int in_num, void *token)
{
	if (vq->role != VIRTIO_ROLE_DRIVER || !token || !bufs)
		return -EINVAL;
	unsigned int total = out_num + in_num;
	if (total == 0 || total < out_num)
		return -EINVAL;
	if (vq->broken)
		return -EIO;
	if (total > vq->num_free)
		return -ENOSPC;

	/* Validate everything before writing anything. */
	uint64_t in_len = 0;
	for (unsigned int k = 0; k < total; k++) {
		if (!bufs[k].len)
			return -EINVAL;
		uint64_t da = uproc_shm_ptr_to_da(vq->buf_shm, bufs[k].addr);
		if (da == UINT64_MAX || !uproc_shm_da_to_ptr(vq->buf_shm, da, bufs[k].len))
			return -EFAULT;
		if (k >= out_num)
			in_len += bufs[k].len;
	}
	if (in_len > UINT32_MAX)
		return -EINVAL;

	uint16_t head = vq->free_head, i = head, last = head;
	for (unsigned int k = 0; k < total; k++) {
		uint8_t *d = desc_at(vq, i);
		uint16_t flags = (k >= out_num) ? VRING_DESC_F_WRITE : 0;
		if (k + 1 < total)
			flags |= VRING_DESC_F_NEXT;
		wr64(vq, d + DESC_ADDR, uproc_shm_ptr_to_da(vq->buf_shm, bufs[k].addr));
		wr16(vq, d + DESC_FLAGS, flags);
		wr16(vq, d + DESC_NEXT, (k + 1 < total) ? vq->state[i].next : 0);
		wr32(vq, d + DESC_LEN, bufs[k].len);
		last = i;
		i = vq->state[i].next;
	}
	vq->free_head = vq->state[last].next;
	vq->num_free = (uint16_t)(vq->num_free - total);
	vq->state[head].token = token;
	vq->state[head].in_len = (uint32_t)in_len;
	vq->state[head].ndesc = (uint16_t)total;

	wr16(vq, avail_slot(vq, vq->avail_idx), head);
	vq->avail_idx++;
	if (!vq->batch)
		publish(vq);
	return 0;
}

int virtqueue_add_outbuf(struct virtqueue *vq, void *buf, uint32_t len, void *token)
{
	struct virtqueue_buf b = { .addr = buf, .len = len };
	return virtqueue_add_sgs(vq, &b, 1, 0, token);
}

int virtqueue_add_inbuf(struct virtqueue *vq, void *buf, uint32_t len, void *token)
{
	struct virtqueue_buf b = { .addr = buf, .len = len };
	return virtqueue_add_sgs(vq, &b, 0, 1, token);
}

/* Put chain @head back on the free list; zero the lens (re-attach reads them). */
static void *free_chain(struct virtqueue *vq, uint16_t head)
{
	struct virtqueue_desc_state *st = vq->state;
	uint16_t n = st[head].ndesc, i = head;
	for (uint16_t k = 0; k < n; k++) {
		wr32(vq, desc_at(vq, i) + DESC_LEN, 0);
		if (k + 1 < n)
			i = st[i].next;
	}
	st[i].next = vq->free_head;
	vq->free_head = head;
	vq->num_free = (uint16_t)(vq->num_free + n);
	void *token = st[head].token;
	st[head].token = NULL;
	st[head].ndesc = 0;
	st[head].in_len = 0;
	return token;
}

void *virtqueue_get_buf(struct virtqueue *vq, uint32_t *len)
{
	if (vq->role != VIRTIO_ROLE_DRIVER || vq->broken)
		return NULL;
	uint16_t last = vq->last_used;
	if (vq->used_seen == last) {
		/* Read the device's index only when the entries seen so far are used up:
		 * one cache-line transfer per batch, not per buffer. */
		uint16_t used_idx = rd16_acquire(vq, vq->used + USED_IDX); /* P2 */
		if (used_idx == last)
			return NULL;
		if ((uint16_t)(used_idx - last) > vq->num) {
			virtqueue_set_broken(vq, -EPROTO);
			return NULL;
		}
		vq->used_seen = used_idx;
	}
	uint8_t *e = used_elem(vq, last);
	uint32_t id = rd32(vq, e);
	uint32_t ulen = rd32(vq, e + 4);
	if (id >= vq->num || !vq->state[id].token) {
		virtqueue_set_broken(vq, -EPROTO);
		return NULL;
	}
	/* used.len only means something for a chain the device may write: there,
	 * beyond the writable part is a violation (the caller would read past what
	 * the device owns). On a chain it could only read (a send buffer) the value
	 * is noise: Linux ignores it and OpenAMP's remote writes the buffer's full
	 * length, so it is dropped, not checked. */
	if (!vq->state[id].in_len) {
		ulen = 0;
	} else if (ulen > vq->state[id].in_len) {
		virtqueue_set_broken(vq, -EMSGSIZE);
		return NULL;
	}
	void *token = free_chain(vq, (uint16_t)id);
	vq->last_used = (uint16_t)(last + 1);
	/* Always published: it is the event index with EVENT_IDX and the state a
	 * re-attaching host rebuilds from either way. */
	vq->event_armed = false; /* written, not fenced: enable_cb fences */
	if (!vq->batch) {
		vq->event_shadow = vq->last_used;
		wr16(vq, used_event_slot(vq), vq->last_used);
	}
	if (len)
		*len = ulen;
	return token;
}

void *virtqueue_detach_unused_buf(struct virtqueue *vq)
{
	if (vq->role != VIRTIO_ROLE_DRIVER)
		return NULL;
	for (unsigned int i = 0; i < vq->num; i++)
		if (vq->state[i].token)
			return free_chain(vq, (uint16_t)i);
	return NULL;
}

/* ---- device role ------------------------------------------------------------------ */

int virtqueue_pop(struct virtqueue *vq, struct virtqueue_buf *iov, unsigned int max,
		  unsigned int *out_num, unsigned int *in_num)
{
	if (vq->role != VIRTIO_ROLE_DEVICE || (max && !iov))
		return -EINVAL;
	if (vq->broken)
		return -EIO;
	if (vq->avail_seen == vq->last_avail) {
		/* As in get_buf: the driver's index once per batch. */
		uint16_t avail_idx = rd16_acquire(vq, vq->avail + AVAIL_IDX); /* P1 */
		if (avail_idx == vq->last_avail)
			return -EAGAIN;
		if ((uint16_t)(avail_idx - vq->last_avail) > vq->num)
			goto bad_index;
		vq->avail_seen = avail_idx;
	}
	uint16_t head = rd16(vq, avail_slot(vq, vq->last_avail));
	if (head >= vq->num || vq->state[head].ndesc)
		goto bad_index;

	const uint8_t *table = vq->desc;
	unsigned int table_num = vq->num, i = head, count = 0;
	unsigned int nout = 0, nin = 0;
	uint64_t in_len = 0, out_len = 0;
	bool in_indirect = false, overflow = false;
	int err = -EPROTO;
	for (;;) {
		if (count++ >= table_num)
			goto bad_chain; /* a loop, or longer than the queue */
		const uint8_t *d = table + (size_t)i * VRING_DESC_SIZE;
		uint64_t addr = rd64(vq, d + DESC_ADDR);
		uint32_t len = rd32(vq, d + DESC_LEN);
		uint16_t flags = rd16(vq, d + DESC_FLAGS);
		uint16_t next = rd16(vq, d + DESC_NEXT);
		if (flags & VRING_DESC_F_INDIRECT) {
			if (!vq->indirect || in_indirect || (flags & VRING_DESC_F_NEXT) ||
			    !len || (len % VRING_DESC_SIZE) ||
			    len / VRING_DESC_SIZE > vq->num)
				goto bad_chain;
			const uint8_t *t = uproc_shm_da_to_ptr(vq->buf_shm, addr, len);
			if (!t || ((uintptr_t)t & 7)) {
				err = -EFAULT;
				goto bad_chain;
			}
			table = t;
			table_num = len / VRING_DESC_SIZE;
			in_indirect = true;
			i = 0;
			count = 0;
			continue;
		}
		void *p = uproc_shm_da_to_ptr(vq->buf_shm, addr, len);
		if (!p) {
			err = -EFAULT;
			goto bad_chain;
		}
		if (flags & VRING_DESC_F_WRITE) {
			in_len += len;
		} else if (nin) {
			goto bad_chain; /* readable after writable */
		} else {
			out_len += len;
		}
		if (nout + nin < max) {
			iov[nout + nin].addr = p;
			iov[nout + nin].len = len;
		} else {
			overflow = true;
		}
		if (flags & VRING_DESC_F_WRITE)
			nin++;
		else
			nout++;
		if (!(flags & VRING_DESC_F_NEXT))
			break;
		if (next >= table_num)
			goto bad_chain;
		i = next;
	}
	if (in_len > UINT32_MAX || out_len > UINT32_MAX)
		goto bad_chain;

	/* avail_event is left behind while we are busy (the driver need not kick a
	 * device that is working); virtqueue_enable_cb() brings it up to date. */
	vq->last_avail++;
	vq->state[head].ndesc = 1;
	vq->state[head].in_len = (uint32_t)in_len;
	vq->state[head].out_len = (uint32_t)out_len;
	vq->held++;
	if (overflow) {
		virtqueue_push(vq, head, 0);
		return -ENOBUFS;
	}
	if (out_num)
		*out_num = nout;
	if (in_num)
		*in_num = nin;
	return head;

bad_chain:
	virtqueue_set_broken(vq, err);
	return -EIO;
bad_index:
	virtqueue_set_broken(vq, -EPROTO);
	return -EIO;
}

int virtqueue_push(struct virtqueue *vq, unsigned int head, uint32_t len)
{
	if (vq->role != VIRTIO_ROLE_DEVICE)
		return -EINVAL;
	if (vq->broken)
		return -EIO;
	if (head >= vq->num || !vq->state[head].ndesc || len > vq->state[head].in_len)
		return -EINVAL;
	/* A chain the device only read goes back with its readable length: OpenAMP's
	 * driver reuses a returned send buffer with used.len as its capacity. */
	if (!vq->state[head].in_len)
		len = vq->state[head].out_len;
	uint8_t *e = used_elem(vq, vq->used_idx);
	wr32(vq, e, head);
	wr32(vq, e + 4, len);
	vq->state[head].ndesc = 0;
	vq->state[head].in_len = 0;
	vq->state[head].out_len = 0;
	vq->held--;
	vq->used_idx++;
	if (!vq->batch)
		publish(vq);
	return 0;
}

/* ---- notifications ------------------------------------------------------------------ */

bool virtqueue_kick_prepare(struct virtqueue *vq)
{
	if (vq->batch)
		virtqueue_batch_end(vq);
	if (vq->broken)
		return false;
	uint16_t old, now;
	if (vq->role == VIRTIO_ROLE_DRIVER) {
		old = vq->kicked_avail;
		now = vq->avail_idx;
	} else {
		old = vq->kicked_used;
		now = vq->used_idx;
	}
	if (old == now)
		return false; /* nothing published since the last decision */
	/* P3: our index store is visible before we read the peer's event/flags. A
	 * fence made since that store (enable_cb's, at the end of a receive) serves. */
	if (vq->unfenced) {
		uproc_shm_fence_full();
		vq->unfenced = false;
	}
	if (vq->role == VIRTIO_ROLE_DRIVER) {
		vq->kicked_avail = now;
		if (vq->event_idx)
			return uproc_vring_need_event(rd16(vq, avail_event_slot(vq)), now, old);
		return !(rd16(vq, vq->used + USED_FLAGS) & VRING_USED_F_NO_NOTIFY);
	}
	vq->kicked_used = now;
	if (vq->event_idx)
		return uproc_vring_need_event(rd16(vq, used_event_slot(vq)), now, old);
	return !(rd16(vq, vq->avail + AVAIL_FLAGS) & VRING_AVAIL_F_NO_INTERRUPT);
}

bool virtqueue_notify(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	vq->notify(vq);
	return true;
}

bool virtqueue_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	if (virtqueue_kick_prepare(vq))
		return virtqueue_notify(vq);
	return true;
}

bool virtqueue_pending(struct virtqueue *vq)
{
	if (vq->broken)
		return false;
	if (vq->role == VIRTIO_ROLE_DRIVER)
		return rd16(vq, vq->used + USED_IDX) != vq->last_used;
	return rd16(vq, vq->avail + AVAIL_IDX) != vq->last_avail;
}

bool virtqueue_enable_cb(struct virtqueue *vq)
{
	if (vq->broken)
		return true;
	/*
	 * Only stores that change something are made (and fenced): a poll loop
	 * calling this while idle must not keep taking the peer's cache line.
	 * An earlier call's fence already ordered an unchanged value.
	 */
	bool wrote = false;
	if (vq->role == VIRTIO_ROLE_DRIVER) {
		if (vq->avail_flags & VRING_AVAIL_F_NO_INTERRUPT) {
			vq->avail_flags &= (uint16_t)~VRING_AVAIL_F_NO_INTERRUPT;
			if (!vq->event_idx) {
				wr16(vq, vq->avail + AVAIL_FLAGS, vq->avail_flags);
				wrote = true;
			}
		}
		if (vq->event_shadow != vq->last_used || !vq->event_armed) {
			vq->event_shadow = vq->last_used;
			wr16(vq, used_event_slot(vq), vq->last_used);
			wrote = true;
		}
	} else {
		if (vq->used_flags & VRING_USED_F_NO_NOTIFY) {
			vq->used_flags &= (uint16_t)~VRING_USED_F_NO_NOTIFY;
			if (!vq->event_idx) {
				wr16(vq, vq->used + USED_FLAGS, vq->used_flags);
				wrote = true;
			}
		}
		if (vq->event_idx && (vq->event_shadow != vq->last_avail || !vq->event_armed)) {
			vq->event_shadow = vq->last_avail;
			wr16(vq, avail_event_slot(vq), vq->last_avail);
			wrote = true;
		}
	}
	vq->event_armed = true;
	/* P3: the event/flags store is visible before we re-read the peer's index. */
	if (wrote) {
		uproc_shm_fence_full();
		vq->unfenced = false; /* our index too: kick_prepare need not fence again */
	}
	return !virtqueue_pending(vq);
}

void virtqueue_disable_cb(struct virtqueue *vq)
{
	if (vq->role == VIRTIO_ROLE_DRIVER) {
		if (!(vq->avail_flags & VRING_AVAIL_F_NO_INTERRUPT)) {
			vq->avail_flags |= VRING_AVAIL_F_NO_INTERRUPT;
			if (!vq->event_idx)
				wr16(vq, vq->avail + AVAIL_FLAGS, vq->avail_flags);
		}
	} else if (!(vq->used_flags & VRING_USED_F_NO_NOTIFY)) {
		vq->used_flags |= VRING_USED_F_NO_NOTIFY;
		if (!vq->event_idx)
			wr16(vq, vq->used + USED_FLAGS, vq->used_flags);
	}
}
