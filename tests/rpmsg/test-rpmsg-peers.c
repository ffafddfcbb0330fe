/* SPDX-License-Identifier: MIT */
/*
 * test-rpmsg-peers.c - uproc's rpmsg against the behaviours of the other stacks in
 * the field, each played by hand on the shared rings:
 *   - a host in OpenAMP's manner (driver role written here from the wire format):
 *     it reuses a returned send buffer with used.len as its capacity and re-posts a
 *     returned receive buffer with used.len as its size, against uproc's device;
 *   - a remote in OpenAMP's manner (used.len = the buffer's length on every buffer
 *     it returns), in RPMsg-Lite's (reserved header field non-zero), without
 *     EVENT_IDX, against uproc's host;
 *   - name-service announcements before and after the other side's endpoint exists;
 *   - a host that writes DRIVER_OK alone to the vdev's status, without
 *     ACKNOWLEDGE|DRIVER first, against the device role the hostmem cores use. The
 *     mirror (uproc's host against a device's status writes) has nothing to play:
 *     the device never writes the status, only the host does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../../src/backends/hostmem/hostmem_internal.h"
#include "../../src/rpmsg/rpmsg_internal.h"
#include "uproc/rsc_table.h"
#include "pair.h"

#define NS_BIT (1ull << VIRTIO_RPMSG_F_NS)
#define EVENT_IDX_BIT (1ull << VIRTIO_RING_F_EVENT_IDX)

/* ---- a host written from the wire format, behaving as OpenAMP's does ------------------ */

#define FNUM 8
#define FBUF 512
#define FDA 0x30000000u
#define FVSIZE 8192 /* vring_size(8, 4096) rounded up */
#define FTABLE (2 * FVSIZE + 2 * FNUM * FBUF) /* offset of the resource table */

struct fring {
	uint8_t *desc, *avail, *used;
	uint16_t avail_idx, last_used;
};

struct fhost {
	uint8_t *mem;
	size_t mem_size;
	struct uproc_shm shm;
	struct uproc_port *port;
	struct fring r[2];   /* [0] host rx, [1] host tx */
	uint32_t rx_len[FNUM]; /* what each rx buffer was last posted with */
	unsigned int fresh_tx; /* tx buffers never sent yet (OpenAMP's pool) */
	struct rpmsg_virtio_device *dev;
	uint32_t reserved; /* what the host writes in the header's reserved field */
	int kicks;
};

static uint64_t fbuf_da(unsigned int i)
{
	return FDA + 2 * FVSIZE + (uint64_t)i * FBUF;
}

static uint8_t *fbuf(struct fhost *h, unsigned int i)
{
	return h->mem + 2 * FVSIZE + (size_t)i * FBUF;
}

static void fring_init(struct fring *r, uint8_t *base)
{
	memset(r, 0, sizeof(*r));
	r->desc = base;
	r->avail = base + 16 * FNUM;
	r->used = base + 4096; /* desc + avail fit in the first 4096 bytes */
}

/* Post descriptor @id (one buffer) and publish it. */
static void fring_add(struct fring *r, uint16_t id, uint64_t da, uint32_t len, bool write)
{
	uint16_t flags = write ? VRING_DESC_F_WRITE : 0, next = 0;
	uint8_t *d = r->desc + 16 * id;
	memcpy(d, &da, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
	memcpy(r->avail + 4 + 2 * (r->avail_idx % FNUM), &id, 2);
	r->avail_idx++;
	atomic_thread_fence(memory_order_release);
	memcpy(r->avail + 2, &r->avail_idx, 2);
}

/* Take the next used entry: 1 with @id/@len, 0 when none. */
static int fring_get(struct fring *r, uint16_t *id, uint32_t *len)
{
	uint16_t idx;
	memcpy(&idx, r->used + 2, 2);
	atomic_thread_fence(memory_order_acquire);
	if (idx == r->last_used)
		return 0;
	uint8_t *e = r->used + 4 + 8 * (r->last_used % FNUM);
	uint32_t id32;
	memcpy(&id32, e, 4);
	memcpy(len, e + 4, 4);
	assert_true(id32 < FNUM);
	*id = (uint16_t)id32;
	r->last_used++;
	return 1;
}

static void fdev_notify(void *priv, unsigned int vq)
{
	(void)vq;
	((struct fhost *)priv)->kicks++;
}

/* The rings and buffers (and a page for a resource table), FNUM rx buffers posted. */
static void fhost_place_rings(struct fhost *h)
{
	memset(h, 0, sizeof(*h));
	h->mem_size = FTABLE + 4096;
	h->mem = aligned_alloc(4096, h->mem_size);
	assert_non_null(h->mem);
	memset(h->mem, 0, h->mem_size);
	uproc_shm_init(&h->shm, h->mem, FDA, h->mem_size);
	fring_init(&h->r[0], h->mem);
	fring_init(&h->r[1], h->mem + FVSIZE);
	for (uint16_t i = 0; i < FNUM; i++) {
		fring_add(&h->r[0], i, fbuf_da(i), FBUF, true);
		h->rx_len[i] = FBUF;
	}
	h->fresh_tx = FNUM;
	assert_int_equal(uproc_port_posix_new(&h->port), 0);
	uproc_port_posix_set_log_level(h->port, UPROC_LOG_ERR - 1);
}

/* The rings placed, then uproc's device brought up over them with @features (what
 * the host wrote to gfeatures) as after DRIVER_OK. */
static void fhost_open(struct fhost *h, uint64_t features)
{
	fhost_place_rings(h);
	struct rpmsg_virtio_config c = {
		.role = VIRTIO_ROLE_DEVICE,
		.port = h->port,
		.buf_shm = &h->shm,
		.features = features,
		.notify = fdev_notify,
		.priv = h,
	};
	for (int i = 0; i < 2; i++) {
		c.vring[i].shm = &h->shm;
		c.vring[i].da = FDA + (uint64_t)i * FVSIZE;
		c.vring[i].num = FNUM;
		c.vring[i].align = 4096;
	}
	assert_int_equal(rpmsg_virtio_init(&h->dev, &c), 0);
}

static void fhost_close(struct fhost *h)
{
	rpmsg_virtio_deinit(h->dev);
	uproc_port_posix_free(h->port);
	free(h->mem);
}

/*
 * Send as OpenAMP's host does: a fresh buffer from the pool (capacity = the
 * configured size) or a returned one, whose capacity is the used.len the device
 * wrote. The check here is what OpenAMP's host trips over: a capacity smaller than
 * a header makes it compute a negative payload size.
 */
static void fhost_send(struct fhost *h, uint32_t src, uint32_t dst, const void *data, uint16_t len)
{
	uint16_t id;
	uint32_t cap;
	if (h->fresh_tx) {
		id = (uint16_t)(FNUM - h->fresh_tx--);
		cap = FBUF;
	} else {
		assert_int_equal(fring_get(&h->r[1], &id, &cap), 1);
	}
	assert_int_equal(cap, FBUF); /* the whole buffer back, not 0 */
	assert_true(len <= cap - 16);
	uint8_t *b = fbuf(h, FNUM + id);
	struct rpmsg_hdr hdr = { .src = src, .dst = dst, .reserved = h->reserved, .len = len, .flags = 0 };
	memcpy(b, &hdr, 16);
	memcpy(b + 16, data, len);
	fring_add(&h->r[1], id, fbuf_da(FNUM + id), FBUF, false);
}

/* Receive one message as OpenAMP's host does, re-posting the buffer with used.len
 * as its size. Returns the payload length, -1 when nothing came. */
static int fhost_recv(struct fhost *h, struct rpmsg_hdr *hdr, uint8_t *data)
{
	uint16_t id;
	uint32_t ulen;
	if (!fring_get(&h->r[0], &id, &ulen))
		return -1;
	assert_true(ulen >= 16 && ulen <= h->rx_len[id]);
	memcpy(hdr, fbuf(h, id), 16);
	assert_true(hdr->len <= ulen - 16);
	memcpy(data, fbuf(h, id) + 16, hdr->len);
	h->rx_len[id] = ulen;
	fring_add(&h->r[0], id, fbuf_da(id), ulen, true);
	return hdr->len;
}

static int echo_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	int *err = priv;
	int r = rpmsg_trysendto(ept, data, len, src);
	if (r)
		*err = r;
	return 0;
}

/* The device's echo service at @addr, announced; the host sees the announcement. */
static void fhost_echo_service(struct fhost *h, struct rpmsg_endpoint *ept, uint32_t addr, int *err)
{
	assert_int_equal(rpmsg_create_ept(ept, h->dev, addr, RPMSG_ADDR_ANY, echo_cb, err), 0);
	assert_int_equal(rpmsg_announce_create(ept, "openamp-echo"), 0);
	struct rpmsg_hdr hdr;
	uint8_t m[FBUF];
	assert_int_equal(fhost_recv(h, &hdr, m), 40);
	assert_int_equal(hdr.dst, RPMSG_NS_ADDR);
	assert_string_equal((char *)m, "openamp-echo");
	uint32_t a;
	memcpy(&a, m + 32, 4);
	assert_int_equal(a, addr);
}

/*
 * Thousands of echoes of alternating small and full-size messages through an
 * 8-entry ring: every send buffer comes back with capacity 512 (the bug: 0), and
 * every receive buffer keeps its full size although the host re-posts it with
 * used.len (the bug: it shrinks to the last message, and the next full-size echo
 * no longer fits).
 */
static void test_openamp_host_reuses_by_used_len(void **state)
{
	(void)state;
	struct fhost h;
	fhost_open(&h, NS_BIT | EVENT_IDX_BIT);
	struct rpmsg_endpoint ept;
	int err = 0;
	fhost_echo_service(&h, &ept, 1030, &err);
	static uint8_t msg[496], got[FBUF];
	for (int i = 0; i < 5000; i++) {
		uint16_t len = (i & 1) ? 496 : (uint16_t)(i % 7);
		memset(msg, (uint8_t)i, len);
		fhost_send(&h, 0x400, 1030, msg, len);
		assert_true(rpmsg_virtio_handle_kick(h.dev) >= 1);
		assert_int_equal(err, 0);
		struct rpmsg_hdr hdr;
		assert_int_equal(fhost_recv(&h, &hdr, got), len);
		assert_int_equal(hdr.src, 1030);
		assert_int_equal(hdr.dst, 0x400);
		assert_memory_equal(got, msg, len);
	}
	assert_false(rpmsg_virtio_is_broken(h.dev));
	rpmsg_destroy_ept(&ept);
	fhost_close(&h);
}

/* RPMsg-Lite writes the reserved header field non-zero; without EVENT_IDX the
 * device falls back to the flags. uproc's device takes both. */
static void test_device_takes_reserved_and_no_event_idx(void **state)
{
	(void)state;
	struct fhost h;
	fhost_open(&h, NS_BIT);
	h.reserved = 0xa5a5a5a5u;
	struct rpmsg_endpoint ept;
	int err = 0;
	fhost_echo_service(&h, &ept, 1031, &err);
	uint8_t got[FBUF];
	for (int i = 0; i < 100; i++) {
		fhost_send(&h, 0x401, 1031, "lite", 4);
		assert_int_equal(rpmsg_virtio_handle_kick(h.dev), 1);
		struct rpmsg_hdr hdr;
		assert_int_equal(fhost_recv(&h, &hdr, got), 4);
		assert_memory_equal(got, "lite", 4);
		assert_int_equal(hdr.reserved, 0); /* uproc writes 0 */
	}
	assert_int_equal(err, 0);
	assert_int_equal(rpmsg_virtio_get_features(h.dev) & EVENT_IDX_BIT, 0);
	assert_false(rpmsg_virtio_is_broken(h.dev));
	rpmsg_destroy_ept(&ept);
	fhost_close(&h);
}

/*
 * A host that writes status = DRIVER_OK alone, without ACKNOWLEDGE and DRIVER before
 * it (some hosts do; uproc's and Linux's write 1, 3, then 7). The device side is
 * uproc_hostmem_rpmsg_init(), what the hostmem cores run, over a core set up by hand
 * where this host wrote its resource table: one rpmsg vdev, the rings placed by the
 * host, gfeatures, then the status. The device must not come up before it and
 * must come up on DRIVER_OK alone (a device waiting for ACKNOWLEDGE|DRIVER times
 * out here), and an echo round-trips. uproc's host is never on the other side of
 * this: a device writes no status, so there is nothing for the host role to take.
 */
static void test_device_takes_driver_ok_alone(void **state)
{
	(void)state;
	struct fhost h;
	fhost_place_rings(&h);

	/* the table as the firmware ships it: one vdev, vrings at FW_RSC_ADDR_ANY */
	uint8_t *t = h.mem + FTABLE;
	struct rproc_rsc_table th = { .ver = 1, .num = 1 };
	uint32_t off = sizeof(th) + 4, type = RPROC_RSC_VDEV;
	memcpy(t, &th, sizeof(th));
	memcpy(t + sizeof(th), &off, 4);
	memcpy(t + off, &type, 4);
	struct rproc_rsc_vdev v = { .id = VIRTIO_ID_RPMSG, .notifyid = 2,
				    .dfeatures = (uint32_t)(NS_BIT | EVENT_IDX_BIT), .num_of_vrings = 2 };
	uint8_t *vd = t + off + 4;
	memcpy(vd, &v, sizeof(v));
	for (uint32_t i = 0; i < 2; i++) {
		struct rproc_rsc_vdev_vring vr = { .da = RPROC_RSC_ADDR_ANY, .align = 4096,
						   .num = FNUM, .notifyid = i };
		memcpy(vd + sizeof(v) + i * sizeof(vr), &vr, sizeof(vr));
	}
	size_t tsize = off + 4 + sizeof(v) + 2 * sizeof(struct rproc_rsc_vdev_vring);

	struct uproc_hostmem_core core;
	memset(&core, 0, sizeof(core));
	strcpy(core.name, "peer-driver-ok");
	assert_int_equal(pthread_mutex_init(&core.lock, NULL), 0);
	assert_int_equal(pthread_cond_init(&core.cond, NULL), 0);
	core.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	assert_true(core.efd >= 0);
	core.regions[0] = (struct hm_region){ .name = "vdev0buffer", .da = FDA,
					      .len = h.mem_size, .va = h.mem, .used = true };
	core.table = t;
	core.table_size = tsize;
	core.order = UPROC_LITTLE_ENDIAN;

	/* the host places the rings and writes gfeatures: not ready yet */
	for (uint32_t i = 0; i < 2; i++) {
		uint32_t da = FDA + i * FVSIZE;
		memcpy(vd + sizeof(v) + i * sizeof(struct rproc_rsc_vdev_vring), &da, 4);
	}
	uint32_t gf = (uint32_t)(NS_BIT | EVENT_IDX_BIT);
	memcpy(vd + offsetof(struct rproc_rsc_vdev, gfeatures), &gf, 4);
	struct rpmsg_virtio_device *dev = NULL;
	assert_int_equal(uproc_hostmem_rpmsg_init(&core, 0, h.port, 0, &dev), -ETIMEDOUT);

	/* then the status's one and only write: DRIVER_OK alone */
	uproc_shm_store8(vd + offsetof(struct rproc_rsc_vdev, status), VIRTIO_CONFIG_S_DRIVER_OK,
			 memory_order_release);
	assert_int_equal(uproc_hostmem_rpmsg_init(&core, 0, h.port, 0, &dev), 0);
	h.dev = dev;
	assert_int_equal(rpmsg_virtio_get_features(dev) & (NS_BIT | EVENT_IDX_BIT),
			 NS_BIT | EVENT_IDX_BIT);

	struct rpmsg_endpoint ept;
	int err = 0;
	fhost_echo_service(&h, &ept, 1032, &err);
	assert_true(atomic_load(&core.to_host) & 1u); /* the announcement kicked vring 0 */
	uint8_t got[FBUF];
	for (int i = 0; i < 20; i++) {
		fhost_send(&h, 0x402, 1032, "ok4", 3);
		assert_int_equal(rpmsg_virtio_handle_kick(dev), 1);
		struct rpmsg_hdr hdr;
		assert_int_equal(fhost_recv(&h, &hdr, got), 3);
		assert_memory_equal(got, "ok4", 3);
		assert_int_equal(hdr.dst, 0x402);
	}
	assert_int_equal(err, 0);
	assert_false(rpmsg_virtio_is_broken(dev));
	/* the device left the status as the host wrote it */
	assert_int_equal(vd[offsetof(struct rproc_rsc_vdev, status)], VIRTIO_CONFIG_S_DRIVER_OK);
	rpmsg_destroy_ept(&ept);
	fhost_close(&h);
	close(core.efd);
	pthread_cond_destroy(&core.cond);
	pthread_mutex_destroy(&core.lock);
}

/* ---- uproc's host against remotes of the other stacks -------------------------------- */

struct rx {
	int n;
	size_t len;
};

static int count_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)src;
	struct rx *r = priv;
	r->n++;
	r->len = len;
	return 0;
}

/*
 * A remote that returns every buffer as OpenAMP's does (used.len = the buffer's
 * length, on the host's send buffers too) and writes reserved non-zero as
 * RPMsg-Lite's does: 100 times round a 256-entry ring (the 256th reuse is where a
 * strict check on send buffers failed), with and without EVENT_IDX.
 */
/* Used entry @n of the pair's vring @q (its ring lives in the pair's region). */
static uint8_t *pair_used_elem(struct pair *p, int q, uint16_t n)
{
	unsigned int num = p->hcfg.vring[q].num;
	uint64_t avail_end = (uint64_t)VRING_DESC_SIZE * num + 2u * (3u + num);
	uint64_t used_off = (avail_end + 4095) & ~4095ull;
	return p->mem + (p->vring_da[q] - PAIR_DA) + used_off + 4 + 8 * (n % num);
}

static void remote_openamp_lite(uint64_t features)
{
	struct pair p;
	assert_int_equal(pair_open(&p, 256, 0, features), 0);
	struct rx r = { 0 };
	struct rpmsg_endpoint he;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, count_cb, &r), 0);
	const int rounds = 100 * 256;
	for (int i = 0; i < rounds; i++) {
		/* host -> remote: the remote consumes the buffer, returns it full length */
		assert_int_equal(rpmsg_trysend(&he, "ping", 4), 0);
		struct virtqueue_buf iov;
		unsigned int out, in;
		int head = virtqueue_pop(&p.dev->rvq, &iov, 1, &out, &in);
		assert_true(head >= 0);
		assert_int_equal(out, 1);
		assert_int_equal(virtqueue_push(&p.dev->rvq, (unsigned int)head, 0), 0);
		/* used.len rewritten by hand: the descriptor's length, as OpenAMP's
		 * remote returns it (virtqueue_get_buffer_length()), then garbage */
		uint8_t *elem = pair_used_elem(&p, 1, (uint16_t)i);
		uint32_t dlen = (i & 1) ? 0xffffffffu : (uint32_t)iov.len;
		memcpy(elem + 4, &dlen, 4);
		/* remote -> host, reserved non-zero, used.len = the buffer's length */
		head = virtqueue_pop(&p.dev->svq, &iov, 1, &out, &in);
		assert_true(head >= 0);
		struct rpmsg_hdr hdr = { .src = 2000, .dst = 1100, .reserved = 0x10000 + (uint32_t)i,
					 .len = 4, .flags = 0 };
		memcpy(iov.addr, &hdr, 16);
		memcpy((uint8_t *)iov.addr + 16, "pong", 4);
		assert_int_equal(virtqueue_push(&p.dev->svq, (unsigned int)head, iov.len), 0);
		virtqueue_kick(&p.dev->svq);
		assert_int_equal(rpmsg_virtio_handle_kick(p.host), 1);
	}
	assert_int_equal(r.n, rounds);
	assert_int_equal(r.len, 4);
	assert_false(rpmsg_virtio_is_broken(p.host));
	assert_int_equal(atomic_load(&p.broken[0][0]), 0);
	assert_int_equal(atomic_load(&p.broken[0][1]), 0);
	assert_int_equal(atomic_load(&p.badmsg[0]), 0);
	rpmsg_destroy_ept(&he);
	pair_close(&p);
}

static void test_host_takes_openamp_lite_remote(void **state)
{
	(void)state;
	remote_openamp_lite(NS_BIT | EVENT_IDX_BIT);
	remote_openamp_lite(NS_BIT);
}

/* What uproc's device writes in the used ring of the host's send queue: the length
 * of the buffer it consumed, whatever the host put in it. */
static void test_device_returns_send_buffer_length(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, NS_BIT), 0);
	struct rx r = { 0 };
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, NULL, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, count_cb, &r), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(rpmsg_trysend(&he, "abc", 3), 0);
		pair_pump(&p);
		/* host tx ring = vring[1]; its used ring follows desc + avail, aligned */
		uint32_t ulen;
		memcpy(&ulen, pair_used_elem(&p, 1, (uint16_t)i) + 4, 4);
		/* the host posts header + payload as the descriptor's length */
		assert_int_equal(ulen, 16 + 3);
	}
	assert_int_equal(r.n, 20);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* ---- name-service announcements before and after the other side's endpoint ----------- */

/*
 * The remote announces its channel before the host has anything of that name, and
 * after the host created a local channel of that name without a destination (a
 * host that announced first): both end with the host's channel bound to the
 * remote's address; messages flow both ways. Played against both roles: the host
 * announcing to the device (Linux-created channels) and the device to the host.
 */
static void test_ns_before_and_after(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, NS_BIT), 0);
	struct rx hr = { 0 }, dr = { 0 };
	struct rpmsg_endpoint de1, de2, he2;

	/* 1. remote first: announce, then the host finds the channel */
	assert_int_equal(rpmsg_create_ept(&de1, p.dev, 3001, RPMSG_ADDR_ANY, count_cb, &dr), 0);
	assert_int_equal(rpmsg_announce_create(&de1, "svc-early"), 0);
	pair_pump(&p);
	assert_true(pair_has_channel(p.host, "svc-early", 3001));

	/* 2. host first: a local channel with no destination, then the remote's
	 *    announcement binds it */
	struct rpmsg_channel_info info = { .src = 1500, .dst = RPMSG_ADDR_ANY };
	strcpy(info.name, "svc-late");
	assert_int_equal(rpmsg_create_channel(p.host, &info, NULL), 0);
	pair_pump(&p);
	assert_int_equal(rpmsg_create_ept(&he2, p.host, 1501, RPMSG_ADDR_ANY, count_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de2, p.dev, 3002, RPMSG_ADDR_ANY, count_cb, &dr), 0);
	assert_int_equal(rpmsg_announce_create(&de2, "svc-late"), 0);
	pair_pump(&p);
	assert_true(pair_has_channel(p.host, "svc-late", 3002));
	assert_int_equal(atomic_load(&p.channels[0][1]), 2);

	/* messages both ways on the early channel */
	assert_int_equal(rpmsg_sendto(&de1, "hi", 2, 1501), 0);
	pair_pump(&p);
	assert_int_equal(hr.n, 1);
	assert_int_equal(rpmsg_sendto(&he2, "yo", 2, 3001), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 1);
	rpmsg_destroy_ept(&de1);
	rpmsg_destroy_ept(&de2);
	rpmsg_destroy_ept(&he2);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openamp_host_reuses_by_used_len),
		cmocka_unit_test(test_device_takes_reserved_and_no_event_idx),
		cmocka_unit_test(test_device_takes_driver_ok_alone),
		cmocka_unit_test(test_host_takes_openamp_lite_remote),
		cmocka_unit_test(test_device_returns_send_buffer_length),
		cmocka_unit_test(test_ns_before_and_after),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
