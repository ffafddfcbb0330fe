/* SPDX-License-Identifier: MIT */
/*
 * test-rpmsg.c - a host and a remote in one process over one shared region:
 * channels both ways, ordered messages, destroy, blocking and try sends, timeouts,
 * zero copy, held buffers, many endpoints, re-attach, error paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/rpmsg/rpmsg_internal.h"
#include "pair.h"

#define ALL_FEATURES                                                          \
	((1ull << VIRTIO_RPMSG_F_NS) | (1ull << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC))

#define MAXREC 64

struct rec {
	int n;
	uint32_t src[MAXREC];
	size_t len[MAXREC];
	char data[MAXREC][RPMSG_BUF_SIZE];
	bool hold;
	void *held[MAXREC];
	int nheld;
};

static int rec_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct rec *r = priv ? priv : ept->rpdev->priv;
	if (r->n < MAXREC) {
		r->src[r->n] = src;
		r->len[r->n] = len;
		memcpy(r->data[r->n], data, len);
	}
	r->n++;
	if (r->hold && rpmsg_hold_rx_buffer(ept, data) == 0)
		r->held[r->nheld++] = data;
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- drivers used by the channel tests ---- */

struct drv_state {
	int probes, removes;
	struct rec rec;
	struct rpmsg_device *rpdev;
	int probe_ret;
};

static int drv_probe(struct rpmsg_device *rpdev, struct drv_state *s)
{
	s->probes++;
	if (s->probe_ret)
		return s->probe_ret;
	s->rpdev = rpdev;
	rpdev->priv = &s->rec;
	return 0;
}

/* Each side gets its own driver state through a small table keyed by driver. */
struct test_driver {
	struct rpmsg_driver drv;
	struct drv_state st;
	struct rpmsg_device_id ids[2];
};

static struct test_driver *td_of(struct rpmsg_device *rpdev)
{
	return (struct test_driver *)(void *)rpdev->drv;
}

static int td_probe(struct rpmsg_device *rpdev)
{
	return drv_probe(rpdev, &td_of(rpdev)->st);
}

static void td_remove(struct rpmsg_device *rpdev)
{
	td_of(rpdev)->st.removes++;
	td_of(rpdev)->st.rpdev = NULL;
}

static void td_init(struct test_driver *td, const char *name)
{
	memset(td, 0, sizeof(*td));
	snprintf(td->ids[0].name, sizeof(td->ids[0].name), "%s", name);
	td->drv.name = name;
	td->drv.id_table = td->ids;
	td->drv.probe = td_probe;
	td->drv.remove = td_remove;
	td->drv.callback = rec_cb;
}

/* ---- tests ---- */

static void test_channels_both_ways(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 16, 0, ALL_FEATURES), 0);
	assert_true(virtio_has_feature(rpmsg_virtio_get_features(p.host), VIRTIO_RPMSG_F_NS));

	static struct test_driver hdrv_a, ddrv_a, hdrv_b, ddrv_b;
	td_init(&hdrv_a, "svc-a");
	td_init(&ddrv_a, "svc-a");
	td_init(&hdrv_b, "svc-b");
	td_init(&ddrv_b, "svc-b");
	assert_int_equal(rpmsg_register_driver(p.host, &hdrv_a.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.host, &hdrv_a.drv), -EEXIST);
	assert_int_equal(rpmsg_register_driver(p.dev, &ddrv_a.drv), 0);

	/* The remote announces svc-a; the host binds and announces back. */
	struct rpmsg_channel_info ci = { .name = "svc-a", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	struct rpmsg_device *dch;
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, &dch), 0);
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, NULL), -EEXIST);
	assert_int_equal(ddrv_a.st.probes, 1);
	pair_pump(&p);
	struct rpmsg_device *hch = rpmsg_find_channel(p.host, "svc-a", RPMSG_ADDR_ANY);
	assert_non_null(hch);
	assert_int_equal(atomic_load(&p.channels[0][1]), 1);	/* the host's channel callback */
	assert_int_equal(hdrv_a.st.probes, 1);
	assert_int_equal(hch->dst, dch->src);
	assert_true(hch->src >= RPMSG_RESERVED_ADDRESSES);
	/* The remote learnt the host's address without the host sending first. */
	assert_int_equal(dch->dst, hch->src);
	assert_int_equal(dch->ept->dst, hch->src);

	/* Messages both ways, in order. */
	for (int i = 0; i < 40; i++) {
		char m[32];
		int n = snprintf(m, sizeof(m), "d2h-%d", i);
		assert_int_equal(rpmsg_send(dch->ept, m, (size_t)n), 0);
		n = snprintf(m, sizeof(m), "h2d-%d", i);
		assert_int_equal(rpmsg_send(hch->ept, m, (size_t)n), 0);
		if (i % 5 == 4)
			pair_pump(&p);
	}
	pair_pump(&p);
	assert_int_equal(hdrv_a.st.rec.n, 40);
	assert_int_equal(ddrv_a.st.rec.n, 40);
	for (int i = 0; i < 40; i++) {
		char m[32];
		int n = snprintf(m, sizeof(m), "d2h-%d", i);
		assert_int_equal(hdrv_a.st.rec.len[i], (size_t)n);
		assert_memory_equal(hdrv_a.st.rec.data[i], m, (size_t)n);
		assert_int_equal(hdrv_a.st.rec.src[i], dch->src);
		n = snprintf(m, sizeof(m), "h2d-%d", i);
		assert_memory_equal(ddrv_a.st.rec.data[i], m, (size_t)n);
		assert_int_equal(ddrv_a.st.rec.src[i], hch->src);
	}

	/* The host creates svc-b; the remote's driver is registered afterwards. */
	assert_int_equal(rpmsg_register_driver(p.host, &hdrv_b.drv), 0);
	ci = (struct rpmsg_channel_info){ .name = "svc-b", .src = 1234, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_create_channel(p.host, &ci, NULL), 0);
	pair_pump(&p);
	struct rpmsg_device *dchb = rpmsg_find_channel(p.dev, "svc-b", 1234);
	assert_non_null(dchb);
	assert_null(dchb->ept); /* no driver yet */
	assert_int_equal(rpmsg_register_driver(p.dev, &ddrv_b.drv), 0);
	assert_int_equal(ddrv_b.st.probes, 1);
	assert_non_null(dchb->ept);
	pair_pump(&p);
	struct rpmsg_device *hchb = rpmsg_find_channel(p.host, "svc-b", RPMSG_ADDR_ANY);
	assert_int_equal(hchb->dst, RPMSG_ADDR_ANY); /* the remote does not announce back */
	assert_int_equal(dchb->dst, 1234);          /* it knows the host's address */
	assert_int_equal(rpmsg_send(dchb->ept, "y", 1), 0);
	pair_pump(&p);
	assert_int_equal(hchb->dst, dchb->src); /* learnt from the first message */
	assert_int_equal(rpmsg_send(hchb->ept, "x", 1), 0);
	pair_pump(&p);
	assert_int_equal(ddrv_b.st.rec.n, 1);
	assert_int_equal(hdrv_b.st.rec.n, 1);

	/* Destroy announcements tear channels down on the other side. */
	ci = (struct rpmsg_channel_info){ .name = "svc-a", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_release_channel(p.dev, &ci), 0);
	assert_int_equal(rpmsg_release_channel(p.dev, &ci), -ENOENT);
	assert_int_equal(ddrv_a.st.removes, 1);
	/* The released channel is still ours to read (we hold it): unbound. */
	assert_null(dch->ept);
	assert_null(dch->drv);
	rpmsg_channel_put(dch);
	pair_pump(&p);
	assert_int_equal(hdrv_a.st.removes, 1);
	assert_false(pair_has_channel(p.host, "svc-a", RPMSG_ADDR_ANY));
	assert_null(hch->ept); /* gone on the host too, and still readable */
	rpmsg_channel_put(hch);

	ci = (struct rpmsg_channel_info){ .name = "svc-b", .src = 1234, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_release_channel(p.host, &ci), 0);
	pair_pump(&p);
	assert_int_equal(ddrv_b.st.removes, 1);
	assert_false(pair_has_channel(p.dev, "svc-b", RPMSG_ADDR_ANY));
	rpmsg_channel_put(dchb);
	rpmsg_channel_put(hchb);

	/* Unregistering a driver removes its channels. */
	ci = (struct rpmsg_channel_info){ .name = "svc-a", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, NULL), 0);
	pair_pump(&p);
	assert_int_equal(hdrv_a.st.probes, 2);
	rpmsg_unregister_driver(p.host, &hdrv_a.drv);
	assert_int_equal(hdrv_a.st.removes, 2);
	pair_pump(&p);
	assert_int_equal(hdrv_a.st.rec.n, 40);
	pair_close(&p);
}

static void test_probe_failure_and_names(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct test_driver hd, dd;
	td_init(&hd, "fails");
	td_init(&dd, "fails");
	hd.st.probe_ret = -ENODEV;
	assert_int_equal(rpmsg_register_driver(p.host, &hd.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.dev, &dd.drv), 0);
	struct rpmsg_channel_info ci = { .name = "fails", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	struct rpmsg_device *dch;
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, &dch), 0);
	pair_pump(&p);
	struct rpmsg_device *hch = rpmsg_find_channel(p.host, "fails", RPMSG_ADDR_ANY);
	assert_non_null(hch);
	assert_int_equal(hd.st.probes, 1);
	assert_null(hch->ept);
	assert_int_equal(dch->dst, RPMSG_ADDR_ANY); /* nothing announced back */
	rpmsg_channel_put(hch);
	rpmsg_channel_put(dch);

	struct rpmsg_channel_info bad;
	memset(bad.name, 'x', sizeof(bad.name)); /* no terminator */
	bad.src = bad.dst = RPMSG_ADDR_ANY;
	assert_int_equal(rpmsg_create_channel(p.host, &bad, NULL), -EINVAL);
	bad.name[0] = 0;
	assert_int_equal(rpmsg_create_channel(p.host, &bad, NULL), -EINVAL);
	assert_int_equal(rpmsg_announce_create(NULL, "x"), -EINVAL);
	pair_close(&p);
}

static void test_announce_back_waits_for_buffer(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 4, 0, ALL_FEATURES), 0);
	static struct test_driver hd, dd;
	td_init(&hd, "late");
	td_init(&dd, "late");
	assert_int_equal(rpmsg_register_driver(p.host, &hd.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.dev, &dd.drv), 0);
	struct rpmsg_endpoint de, he;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, RPMSG_ADDR_ANY, NULL, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, NULL, NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rpmsg_trysend(&he, "fill", 4), 0); /* no host tx buffer left */
	struct rpmsg_channel_info ci = { .name = "late", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	struct rpmsg_device *dch;
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, &dch), 0);
	/* The host binds on its rx path without waiting; the announcement follows
	 * as soon as the remote returns a buffer. */
	assert_true(rpmsg_virtio_handle_kick(p.host) >= 1);
	assert_int_equal(hd.st.probes, 1);
	assert_int_equal(dch->dst, RPMSG_ADDR_ANY);
	pair_pump(&p);
	struct rpmsg_device *hch = rpmsg_find_channel(p.host, "late", RPMSG_ADDR_ANY);
	assert_non_null(hch);
	assert_int_equal(dch->dst, hch->src);
	assert_int_equal(rpmsg_send(dch->ept, "hi", 2), 0);
	pair_pump(&p);
	assert_int_equal(hd.st.rec.n, 1);
	rpmsg_channel_put(hch);
	rpmsg_channel_put(dch);
	rpmsg_destroy_ept(&de);
	rpmsg_destroy_ept(&he);
	pair_close(&p);
}

/* An announcement from a bare endpoint (no channel of that name on its side) must
 * not make the two sides create channels back and forth. */
static void test_no_announcement_storm(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct test_driver hd, dd;
	td_init(&hd, "bare");
	td_init(&dd, "bare");
	assert_int_equal(rpmsg_register_driver(p.host, &hd.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.dev, &dd.drv), 0);
	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2001, RPMSG_ADDR_ANY, NULL, NULL), 0);
	assert_int_equal(rpmsg_announce_create(&de, "bare"), 0);
	assert_true(pair_pump(&p) < 10);
	assert_int_equal(hd.st.probes, 1);
	assert_true(dd.st.probes <= 1);
	assert_int_equal(rpmsg_announce_destroy(&de, "bare"), 0);
	pair_pump(&p);
	assert_int_equal(hd.st.removes, 1);
	assert_false(pair_has_channel(p.host, "bare", RPMSG_ADDR_ANY));
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* A callback may destroy another endpoint, even one with messages queued behind. */
static struct rpmsg_endpoint g_victim;
static int g_victim_calls;

static int victim_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	g_victim_calls++;
	return 0;
}

static int killer_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	rpmsg_destroy_ept(&g_victim);
	return 0;
}

static void test_callback_destroys_endpoint(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rpmsg_endpoint killer, de;
	g_victim_calls = 0;
	assert_int_equal(rpmsg_create_ept(&killer, p.host, 1100, 0, killer_cb, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&g_victim, p.host, 1101, 0, victim_cb, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 0, NULL, NULL), 0);
	assert_int_equal(rpmsg_sendto(&de, "v", 1, 1101), 0);
	assert_int_equal(rpmsg_sendto(&de, "k", 1, 1100), 0);
	assert_int_equal(rpmsg_sendto(&de, "v", 1, 1101), 0);
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), 3);
	assert_int_equal(g_victim_calls, 1); /* the one behind the destroy is dropped */
	rpmsg_destroy_ept(&killer);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* Messages for several endpoints in one run, each delivered in ring order; a
 * callback creates the endpoint the next message is for (looked up after it). */
static int g_order[64], g_norder;
static struct rpmsg_endpoint g_late;

static int order_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	if (g_norder < 64)
		g_order[g_norder++] = (int)ept->addr;
	return 0;
}

static int creator_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	order_cb(ept, data, len, src, priv);
	assert_int_equal(rpmsg_create_ept(&g_late, ept->vdev, 1103, 0, order_cb, NULL), 0);
	return 0;
}

static void test_runs_span_endpoints(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 64, 0, ALL_FEATURES), 0);
	struct rpmsg_endpoint e[3], de;
	for (int i = 0; i < 3; i++)
		assert_int_equal(rpmsg_create_ept(&e[i], p.host, 1100 + (uint32_t)i, 0,
						  i == 2 ? creator_cb : order_cb, NULL),
				 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 0, NULL, NULL), 0);
	g_norder = 0;
	int want[24], nwant = 0;
	for (int i = 0; i < 20; i++) { /* a, b, a, a, b, a, a, a, b, ... */
		uint32_t dst = 1100 + (uint32_t)(i % 3 == 1);
		assert_int_equal(rpmsg_trysendto(&de, "x", 1, dst), 0);
		want[nwant++] = (int)dst;
	}
	assert_int_equal(rpmsg_trysendto(&de, "c", 1, 1102), 0);
	want[nwant++] = 1102;
	assert_int_equal(rpmsg_trysendto(&de, "l", 1, 1103), 0); /* created by the one before */
	want[nwant++] = 1103;
	assert_int_equal(rpmsg_trysendto(&de, "a", 1, 1100), 0);
	want[nwant++] = 1100;
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), nwant);
	assert_int_equal(g_norder, nwant);
	for (int i = 0; i < nwant; i++)
		assert_int_equal(g_order[i], want[i]);
	for (int i = 0; i < 3; i++)
		rpmsg_destroy_ept(&e[i]);
	rpmsg_destroy_ept(&g_late);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

struct sender_arg {
	struct rpmsg_endpoint *ept;
	uint32_t dst;
	int ret;
	atomic_int done;
};

static void *sender_thread(void *a)
{
	struct sender_arg *s = a;
	s->ret = rpmsg_sendto(s->ept, "blocked", 7, s->dst);
	atomic_store(&s->done, 1);
	return NULL;
}

static void test_blocking_trysend_timeout(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 4, 0, ALL_FEATURES), 0); /* 4 rx + 4 tx buffers */
	static struct rec hr, dr;
	memset(&hr, 0, sizeof(hr));
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rec_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rec_cb, &dr), 0);
	assert_int_equal(rpmsg_get_mtu(&he), 496);

	for (int i = 0; i < 4; i++)
		assert_int_equal(rpmsg_trysend(&he, "t", 1), 0);
	assert_int_equal(rpmsg_trysend(&he, "t", 1), -ENOMEM);
	assert_int_equal(rpmsg_trysendto(&he, "t", 1, 2000), -ENOMEM);
	assert_int_equal(rpmsg_trysend_offchannel(&he, 1100, 2000, "t", 1), -ENOMEM);
	assert_int_equal(rpmsg_poll(&he) & RPMSG_POLLOUT, 0);
	assert_null(rpmsg_get_tx_payload_buffer(&he, NULL, false));

	/* Timeout. */
	rpmsg_set_send_timeout(&he, 100);
	uint64_t t0 = now_ms();
	assert_int_equal(rpmsg_send(&he, "t", 1), -ETIMEDOUT);
	uint64_t dt = now_ms() - t0;
	assert_true(dt >= 100 && dt < 3000);
	rpmsg_set_send_timeout(&he, 0);
	assert_int_equal(rpmsg_send(&he, "t", 1), -ENOMEM);
	rpmsg_set_send_timeout(&he, RPMSG_DEFAULT_SEND_TIMEOUT_MS);

	/* A blocked sender wakes as soon as the remote returns a buffer. */
	struct sender_arg sa = { .ept = &he, .dst = 2000 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, sender_thread, &sa), 0);
	usleep(50000);
	assert_int_equal(atomic_load(&sa.done), 0);
	int before = atomic_load(&p.tx_ready[0]);
	t0 = now_ms();
	assert_int_equal(rpmsg_virtio_handle_kick(p.dev), 4); /* consumes, returns buffers */
	assert_true(atomic_load(&p.host_kicked));
	rpmsg_virtio_handle_kick(p.host);
	pthread_join(th, NULL);
	assert_true(now_ms() - t0 < 2000);
	assert_int_equal(sa.ret, 0);
	assert_true(atomic_load(&p.tx_ready[0]) > before); /* the event loop heard too */
	assert_true(rpmsg_poll(&he) & RPMSG_POLLOUT);
	pair_pump(&p);
	assert_int_equal(dr.n, 5);
	assert_memory_equal(dr.data[4], "blocked", 7);

	/* The device side: it may only use the host's 4 rx buffers. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(rpmsg_trysend(&de, "d", 1), 0);
	assert_int_equal(rpmsg_trysend(&de, "d", 1), -ENOMEM);
	assert_int_equal(rpmsg_poll(&de) & RPMSG_POLLOUT, 0);
	sa = (struct sender_arg){ .ept = &de, .dst = 1100 };
	assert_int_equal(pthread_create(&th, NULL, sender_thread, &sa), 0);
	usleep(50000);
	assert_int_equal(atomic_load(&sa.done), 0);
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), 4); /* reposts rx buffers */
	rpmsg_virtio_handle_kick(p.dev);
	pthread_join(th, NULL);
	assert_int_equal(sa.ret, 0);
	pair_pump(&p);
	assert_int_equal(hr.n, 5);
	rpmsg_set_send_timeout(&de, 50);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rpmsg_trysend(&de, "d", 1), 0);
	assert_int_equal(rpmsg_send(&de, "d", 1), -ETIMEDOUT);
	pair_pump(&p);
	assert_int_equal(hr.n, 9);

	rpmsg_destroy_ept(&he);
	assert_int_equal(rpmsg_poll(&he) & RPMSG_POLLHUP, RPMSG_POLLHUP);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

static void test_sizes_and_errors(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct rec dr;
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint he, de, dup;
	assert_int_equal(rpmsg_create_ept(&he, p.host, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, rec_cb, &dr), 0);
	assert_int_equal(he.addr, RPMSG_RESERVED_ADDRESSES);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 77, he.addr, rec_cb, &dr), 0);
	assert_int_equal(rpmsg_create_ept(&dup, p.dev, 77, 0, rec_cb, NULL), -EADDRINUSE);
	assert_int_equal(rpmsg_create_ept(&dup, p.dev, RPMSG_NS_ADDR, 0, rec_cb, NULL), -EADDRINUSE);
	assert_int_equal(rpmsg_create_ept(NULL, p.dev, 5, 0, rec_cb, NULL), -EINVAL);

	static char big[600];
	memset(big, 'b', sizeof(big));
	assert_int_equal(rpmsg_sendto(&he, big, 497, 77), -EMSGSIZE);
	assert_int_equal(rpmsg_trysendto(&he, big, 497, 77), -EMSGSIZE);
	assert_int_equal(rpmsg_sendto(&he, big, 496, 77), 0);
	assert_int_equal(rpmsg_send(&he, "x", 1), -EINVAL); /* no destination */
	assert_int_equal(rpmsg_sendto(&he, NULL, 3, 77), -EINVAL);
	assert_int_equal(rpmsg_send(NULL, "x", 1), -EINVAL);
	assert_int_equal(rpmsg_send_offchannel(&he, RPMSG_ADDR_ANY, 77, "x", 1), -EINVAL);
	assert_int_equal(rpmsg_sendto(&de, big, 497, he.addr), -EMSGSIZE);
	assert_int_equal(rpmsg_send(&de, big, 496), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 2);
	assert_int_equal(dr.len[0], 496);
	assert_int_equal(dr.len[1], 496);
	assert_memory_equal(dr.data[0], big, 496);

	/* Unknown destinations are dropped, the buffers recycled: more messages than
	 * there are buffers still get through afterwards. */
	for (int i = 0; i < 20; i++) {
		assert_int_equal(rpmsg_sendto(&de, "lost", 4, 9999), 0);
		pair_pump(&p);
	}
	assert_int_equal(rpmsg_sendto(&de, "found", 5, he.addr), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 3);

	/* The endpoint's address is reused after destroy. */
	uint32_t a = he.addr;
	rpmsg_destroy_ept(&he);
	assert_int_equal(rpmsg_create_ept(&he, p.host, a, 0, rec_cb, &dr), 0);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* Batched sends both ways; the receiver delivers runs in order, per endpoint. */
static void test_send_batch_and_runs(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 64, 0, ALL_FEATURES), 0);
	static struct rec ra, rb, rd;
	memset(&ra, 0, sizeof(ra));
	memset(&rb, 0, sizeof(rb));
	memset(&rd, 0, sizeof(rd));
	struct rpmsg_endpoint a, b, de;
	assert_int_equal(rpmsg_create_ept(&a, p.host, 1100, 0, rec_cb, &ra), 0);
	assert_int_equal(rpmsg_create_ept(&b, p.host, 1101, 0, rec_cb, &rb), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 0, rec_cb, &rd), 0);

	static char text[40][8];
	struct rpmsg_msg m[40];
	for (int i = 0; i < 40; i++) {
		snprintf(text[i], sizeof(text[i]), "m%d", i);
		m[i] = (struct rpmsg_msg){ text[i], strlen(text[i]) + 1 };
	}
	/* 30 to a, 3 to b, 10 more to a: runs of one endpoint, carried over between. */
	assert_int_equal(rpmsg_trysendto_batch(&de, 1100, m, 30), 30);
	assert_int_equal(rpmsg_trysendto_batch(&de, 1101, m, 3), 3);
	assert_int_equal(rpmsg_trysendto_batch(&de, 1100, m + 30, 10), 10);
	assert_int_equal(atomic_load(&p.host_kicked), 1); /* the host was told */
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), 43);
	assert_int_equal(ra.n, 40);
	assert_int_equal(rb.n, 3);
	for (int i = 0; i < 40; i++)
		assert_string_equal(ra.data[i], text[i]);
	assert_string_equal(rb.data[2], "m2");
	assert_int_equal(ra.src[0], 2000);

	/* Bounds and errors. */
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, m, 0), 0);
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, NULL, 1), -EINVAL);
	assert_int_equal(rpmsg_trysendto_batch(NULL, 2000, m, 1), -EINVAL);
	assert_int_equal(rpmsg_trysendto_batch(&a, RPMSG_ADDR_ANY, m, 1), -EINVAL);
	static char big[600];
	struct rpmsg_msg bad[2] = { { big, 497 }, { "x", 1 } };
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, bad, 2), -EMSGSIZE);
	struct rpmsg_msg late[3] = { { "ok", 2 }, { big, 497 }, { "never", 5 } };
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, late, 3), 1); /* ends before it */
	struct rpmsg_msg nul[1] = { { NULL, 3 } };
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, nul, 1), -EINVAL);
	/* 64 tx buffers, 1 in flight: 32 per call at most, then what is left, then none. */
	struct rpmsg_msg many[40];
	for (int i = 0; i < 40; i++)
		many[i] = (struct rpmsg_msg){ "z", 1 };
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, many, 40), (int)RPMSG_SEND_BATCH_MAX);
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, many, 40), 31);
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, many, 40), -ENOMEM);
	assert_int_equal(pair_pump(&p) >= 64, true);
	assert_int_equal(rd.n, 64);
	assert_string_equal(rd.data[0], "ok");
	assert_int_equal(rpmsg_trysendto_batch(&a, 2000, many, 2), 2); /* buffers came back */

	rpmsg_destroy_ept(&a);
	rpmsg_destroy_ept(&b);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

static void test_init_errors(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rpmsg_virtio_device *v = NULL;
	struct rpmsg_virtio_config c = p.hcfg;
	c.mem = NULL;
	c.attach = false;
	assert_int_equal(rpmsg_virtio_init(NULL, &c), -EINVAL);
	assert_int_equal(rpmsg_virtio_init(&v, NULL), -EINVAL);
	c.port = NULL;
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.hcfg;
	c.mem = NULL;
	c.vring[0].num = 12;
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.hcfg;
	c.mem = NULL;
	c.buf_count = 40; /* 20 rx > 8 */
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.hcfg;
	c.mem = NULL;
	c.buf_size = 10;
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.hcfg;
	c.mem = NULL;
	c.buf_da = PAIR_DA + p.mem_size - 512; /* buffer area leaves the window */
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EFAULT);
	c = p.hcfg;
	c.mem = NULL;
	c.vring[1].da = PAIR_DA - 4096;
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EFAULT);
	c = p.hcfg;
	c.mem_size = 16; /* too small */
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.dcfg;
	c.attach = true;
	assert_int_equal(rpmsg_virtio_init(&v, &c), -EINVAL);
	c = p.hcfg;
	c.ept_hash_size = 3;
	assert_int_equal(rpmsg_virtio_mem_size(&c), 0);
	/* Offered features are filtered by what the host accepts. */
	assert_int_equal(rpmsg_virtio_get_features(p.host), ALL_FEATURES);
	pair_close(&p);

	assert_int_equal(pair_open(&p, 8, 0, (1ull << VIRTIO_RPMSG_F_NS) | (1ull << 31) | 2), 0);
	assert_int_equal(rpmsg_virtio_get_features(p.host), 1ull << VIRTIO_RPMSG_F_NS);
	pair_close(&p);
}

static void test_zero_copy_and_held(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct rec hr, dr;
	memset(&hr, 0, sizeof(hr));
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rec_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rec_cb, &dr), 0);

	for (int side = 0; side < 2; side++) {
		struct rpmsg_endpoint *tx = side ? &de : &he;
		struct rec *rr = side ? &hr : &dr;
		uint32_t cap = 0;
		char *b = rpmsg_get_tx_payload_buffer(tx, &cap, true);
		assert_non_null(b);
		assert_int_equal(cap, 496);
		memset(b, 'z', 496);
		assert_int_equal(rpmsg_send_nocopy(tx, b, 497), -EMSGSIZE);
		assert_int_equal(rpmsg_send_nocopy(tx, b, 496), 0);
		assert_int_equal(rpmsg_send_nocopy(tx, b, 10), -EINVAL); /* already sent */
		char local[32];
		assert_int_equal(rpmsg_send_nocopy(tx, local + 16, 4), -EINVAL);
		b = rpmsg_get_tx_payload_buffer(tx, NULL, false);
		memcpy(b, "zc2", 3);
		assert_int_equal(rpmsg_sendto_nocopy(tx, b, 3, tx->dst), 0);
		b = rpmsg_get_tx_payload_buffer(tx, NULL, false);
		assert_int_equal(rpmsg_release_tx_buffer(tx, b), 0);
		assert_int_equal(rpmsg_release_tx_buffer(tx, b), -EINVAL);
		char *b2 = rpmsg_get_tx_payload_buffer(tx, NULL, false);
		assert_ptr_equal(b2, b); /* the released buffer is reused first */
		memcpy(b2, "zc3", 3);
		assert_int_equal(rpmsg_send_offchannel_nocopy(tx, tx->addr, tx->dst, b2, 3), 0);
		pair_pump(&p);
		assert_int_equal(rr->n, 3);
		assert_int_equal(rr->len[0], 496);
		assert_memory_equal(rr->data[1], "zc2", 3);
		assert_memory_equal(rr->data[2], "zc3", 3);

		/* Held rx buffers survive the callback and the traffic after it. */
		rr->hold = true;
		assert_int_equal(rpmsg_sendto(tx, "held-0", 6, tx->dst), 0);
		assert_int_equal(rpmsg_sendto(tx, "held-1", 6, tx->dst), 0);
		pair_pump(&p);
		rr->hold = false;
		assert_int_equal(rr->nheld, 2);
		for (int i = 0; i < 12; i++) {
			assert_int_equal(rpmsg_sendto(tx, "more", 4, tx->dst), 0);
			pair_pump(&p);
		}
		assert_memory_equal(rr->held[0], "held-0", 6);
		assert_memory_equal(rr->held[1], "held-1", 6);
		struct rpmsg_endpoint *rx = side ? &he : &de;
		assert_int_equal(rpmsg_hold_rx_buffer(rx, rr->held[0]), -EINVAL); /* not in a callback */
		assert_int_equal(rpmsg_release_rx_buffer(rx, rr->held[0]), 0);
		assert_int_equal(rpmsg_release_rx_buffer(rx, rr->held[0]), -EINVAL);
		assert_int_equal(rpmsg_release_rx_buffer(rx, rr->held[1]), 0);
		rr->nheld = 0;
		rr->n = 0;
		/* All rx buffers are back: a full ring of messages gets through. */
		for (int i = 0; i < 4; i++)
			assert_int_equal(rpmsg_trysendto(tx, "full", 4, tx->dst), 0);
		pair_pump(&p);
		assert_int_equal(rr->n, 4);
		rr->n = 0;
	}
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

static struct rpmsg_endpoint *g_epts;

static int many_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)src;
	int *counts = priv;
	uint32_t idx;
	assert_int_equal(len, sizeof(idx));
	memcpy(&idx, data, sizeof(idx));
	assert_ptr_equal(&g_epts[idx], ept);
	counts[idx]++;
	return 0;
}

static void test_many_endpoints(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct pair p;
	assert_int_equal(pair_open(&p, 64, 0, ALL_FEATURES), 0);
	g_epts = calloc(N, sizeof(*g_epts));
	int *counts = calloc(N, sizeof(int));
	for (uint32_t i = 0; i < N; i++) {
		assert_int_equal(rpmsg_create_ept(&g_epts[i], p.host, RPMSG_ADDR_ANY, 5000, many_cb, counts), 0);
		assert_int_equal(g_epts[i].addr, RPMSG_RESERVED_ADDRESSES + i);
	}
	/* The table grew with the endpoints: chains stay short (O(1) lookup). */
	assert_true(p.host->nbuckets * 2 >= N);
	uint32_t longest = 0;
	for (uint32_t b = 0; b < p.host->nbuckets; b++) {
		uint32_t n = 0;
		for (struct rpmsg_endpoint *e = p.host->buckets[b]; e; e = e->hash_next)
			n++;
		if (n > longest)
			longest = n;
	}
	assert_true(longest <= 16);

	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 5000, RPMSG_ADDR_ANY, NULL, NULL), 0);
	for (uint32_t i = 0; i < N; i++) {
		int r;
		while ((r = rpmsg_trysendto(&de, &i, sizeof(i), g_epts[i].addr)) == -ENOMEM)
			pair_pump(&p);
		assert_int_equal(r, 0);
	}
	pair_pump(&p);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(counts[i], 1);

	/* Destroy half; their addresses come back for new endpoints. */
	for (uint32_t i = 0; i < N; i += 2)
		rpmsg_destroy_ept(&g_epts[i]);
	struct rpmsg_endpoint extra;
	assert_int_equal(rpmsg_create_ept(&extra, p.host, RPMSG_ADDR_ANY, 0, NULL, NULL), 0);
	assert_null(upi_rpmsg_ept_lookup(p.host, RPMSG_RESERVED_ADDRESSES));
	assert_ptr_equal(upi_rpmsg_ept_lookup(p.host, extra.addr), &extra);
	rpmsg_destroy_ept(&extra);
	for (uint32_t i = 1; i < N; i += 2)
		rpmsg_destroy_ept(&g_epts[i]);
	rpmsg_destroy_ept(&de);
	free(counts);
	free(g_epts);
	pair_close(&p);
}

static void test_reattach(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct rec hr, dr;
	memset(&hr, 0, sizeof(hr));
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1500, 3000, rec_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 3000, 1500, rec_cb, &dr), 0);
	assert_int_equal(rpmsg_send(&he, "before", 6), 0);
	assert_int_equal(rpmsg_send(&de, "before", 6), 0);
	pair_pump(&p);
	assert_int_equal(hr.n, 1);
	assert_int_equal(dr.n, 1);

	/* The host holds an rx buffer and has two messages in flight; then it dies
	 * without any teardown (its state is overwritten when the new one starts). */
	hr.hold = true;
	assert_int_equal(rpmsg_send(&de, "held", 4), 0);
	pair_pump(&p);
	hr.hold = false;
	assert_int_equal(hr.nheld, 1);
	assert_int_equal(rpmsg_send(&he, "inflight-0", 10), 0);
	assert_int_equal(rpmsg_send(&he, "inflight-1", 10), 0);
	p.host = NULL;

	/* The remote goes on: it reads what was in flight and queues messages. */
	assert_int_equal(rpmsg_virtio_handle_kick(p.dev), 2);
	for (int i = 0; i < 5; i++) {
		char m[16];
		int n = snprintf(m, sizeof(m), "queued-%d", i);
		assert_int_equal(rpmsg_trysend(&de, m, (size_t)n), 0);
	}
	/* A new host attaches, rebuilds its state and gets every queued message. */
	assert_int_equal(pair_host_open(&p, true), 0);
	static struct rec hr2;
	memset(&hr2, 0, sizeof(hr2));
	struct rpmsg_endpoint he2;
	assert_int_equal(rpmsg_create_ept(&he2, p.host, 1500, 3000, rec_cb, &hr2), 0);
	pair_pump(&p);
	assert_int_equal(hr2.n, 5);
	for (int i = 0; i < 5; i++) {
		char m[16];
		int n = snprintf(m, sizeof(m), "queued-%d", i);
		assert_memory_equal(hr2.data[i], m, (size_t)n);
	}
	assert_int_equal(dr.n, 3);
	/* Everything flows on, over all the buffers several times. */
	for (int i = 0; i < 40; i++) {
		assert_int_equal(rpmsg_send(&he2, "after", 5), 0);
		assert_int_equal(rpmsg_send(&de, "after", 5), 0);
		pair_pump(&p);
	}
	assert_int_equal(hr2.n, 45);
	assert_int_equal(dr.n, 43);
	assert_false(rpmsg_virtio_is_broken(p.host));

	/* A clean detach (deinit) followed by an attach works too. */
	rpmsg_destroy_ept(&he2);
	rpmsg_virtio_deinit(p.host);
	p.host = NULL;
	assert_int_equal(rpmsg_trysend(&de, "while-away", 10), 0);
	assert_int_equal(pair_host_open(&p, true), 0);
	memset(&hr2, 0, sizeof(hr2));
	assert_int_equal(rpmsg_create_ept(&he2, p.host, 1500, 3000, rec_cb, &hr2), 0);
	pair_pump(&p);
	assert_int_equal(hr2.n, 1);
	assert_memory_equal(hr2.data[0], "while-away", 10);
	rpmsg_destroy_ept(&he2);
	rpmsg_destroy_ept(&de);
	(void)he;
	pair_close(&p);
}

/* Channels live in the host: after a re-attach the embedder restores them, and the
 * messages the remote sent on them meanwhile are delivered. */
static void test_reattach_adopts_channels(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct test_driver hd, hd2, dd;
	td_init(&hd, "kept");
	td_init(&hd2, "kept");
	td_init(&dd, "kept");
	assert_int_equal(rpmsg_register_driver(p.host, &hd.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.dev, &dd.drv), 0);
	struct rpmsg_channel_info ci = { .name = "kept", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	struct rpmsg_device *dch;
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, &dch), 0);
	pair_pump(&p);
	assert_int_equal(dch->dst, RPMSG_RESERVED_ADDRESSES);
	struct rpmsg_channel_info saved[4];
	assert_int_equal(rpmsg_get_channels(p.host, saved, 4), 1);
	assert_string_equal(saved[0].name, "kept");
	assert_int_equal(saved[0].src, dch->dst);
	assert_int_equal(saved[0].dst, dch->src);
	assert_int_equal(rpmsg_get_channels(p.host, NULL, 0), 1);

	/* Clean detach, then the remote sends on its channel while nobody listens. */
	rpmsg_virtio_deinit(p.host);
	p.host = NULL;
	for (int i = 0; i < 3; i++) {
		char m[8];
		int n = snprintf(m, sizeof(m), "q%d", i);
		assert_int_equal(rpmsg_trysend(dch->ept, m, (size_t)n), 0);
	}
	assert_int_equal(pair_host_open(&p, true), 0);
	assert_int_equal(rpmsg_register_driver(p.host, &hd2.drv), 0);
	ci = saved[0];
	ci.src = RPMSG_ADDR_ANY;
	assert_int_equal(rpmsg_adopt_channel(p.host, &ci), -EINVAL);
	assert_int_equal(rpmsg_adopt_channel(p.host, &saved[0]), 0);
	assert_int_equal(rpmsg_adopt_channel(p.host, &saved[0]), -EEXIST);
	assert_int_equal(hd2.st.probes, 1);
	pair_pump(&p);
	assert_int_equal(hd2.st.rec.n, 3);
	assert_memory_equal(hd2.st.rec.data[2], "q2", 2);
	assert_int_equal(dd.st.probes, 1); /* nothing was announced again */
	struct rpmsg_device *hch = rpmsg_find_channel(p.host, "kept", dch->src);
	assert_int_equal(rpmsg_send(hch->ept, "back", 4), 0);
	pair_pump(&p);
	assert_int_equal(dd.st.rec.n, 1);
	rpmsg_channel_put(hch);
	rpmsg_channel_put(dch);
	pair_close(&p);
}

static void test_reattach_rejects_corrupt_rings(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rpmsg_virtio_device *old = p.host;
	(void)old;
	p.host = NULL;
	/* used_event (the host's last used index) far behind used.idx. */
	uint8_t *ring0 = p.mem;
	uint8_t *used_event = ring0 + 16 * 8 + 4 + 2 * 8;
	uint16_t saved = *(uint16_t *)used_event;
	*(uint16_t *)used_event = (uint16_t)(saved - 100);
	assert_int_equal(pair_host_open(&p, true), -EPROTO);
	*(uint16_t *)used_event = saved;
	/* A descriptor pointing outside the window. */
	uint64_t savedaddr = *(uint64_t *)ring0;
	*(uint64_t *)ring0 = 0x1000;
	assert_int_equal(pair_host_open(&p, true), -EPROTO);
	*(uint64_t *)ring0 = savedaddr;
	/* A descriptor loop. */
	uint16_t *flags = (uint16_t *)(ring0 + 12), *next = (uint16_t *)(ring0 + 14);
	*flags = VRING_DESC_F_NEXT | VRING_DESC_F_WRITE;
	*next = 0;
	assert_int_equal(pair_host_open(&p, true), -EPROTO);
	*flags = VRING_DESC_F_WRITE;
	/* An rx descriptor whose length is not a whole buffer. */
	uint32_t *len = (uint32_t *)(ring0 + 8);
	*len = 100;
	assert_int_equal(pair_host_open(&p, true), -EPROTO);
	*len = 512;
	assert_int_equal(pair_host_open(&p, true), 0);
	pair_close(&p);
}


/* ---- a host that gives the remote unusable buffers ---- */
static void test_hostile_host_buffers(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 4, 0, ALL_FEATURES), 0);
	static struct rec hr;
	memset(&hr, 0, sizeof(hr));
	struct rpmsg_endpoint de, he;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, NULL, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rec_cb, &hr), 0);
	/* The first posted rx buffer is not device-writable, the second too short. */
	uint8_t *d = p.host->rvq.desc;
	uint16_t flags = 0;
	uint32_t len = 8;
	memcpy(d + 0 * 16 + 12, &flags, 2);
	memcpy(d + 1 * 16 + 8, &len, 4);
	assert_int_equal(rpmsg_trysend(&de, "x", 1), 0); /* skips both, uses the third */
	assert_int_equal(atomic_load(&p.badmsg[1]), 1);  /* one report per batch */
	pair_pump(&p);
	assert_int_equal(hr.n, 1);
	assert_int_equal(atomic_load(&p.badmsg[0]), 1); /* the host saw two empty buffers */
	assert_false(rpmsg_virtio_is_broken(p.dev));
	assert_false(rpmsg_virtio_is_broken(p.host));
	rpmsg_destroy_ept(&de);
	rpmsg_destroy_ept(&he);
	pair_close(&p);
}

/* Hostile host on the remote's rx queue: chains too long, writable buffers. */
static void test_hostile_host_rx(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 4, 0, ALL_FEATURES), 0);
	static struct rec dr;
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint de, he;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rec_cb, &dr), 0);
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, NULL, NULL), 0);
	uint8_t *b = p.host->bufs + 4 * 512;
	struct rpmsg_hdr h = { .src = 1100, .dst = 2000, .len = 1 };
	memcpy(b, &h, sizeof(h));
	struct virtqueue_buf two[2] = { { b, 17 }, { b + 256, 8 } };
	assert_int_equal(virtqueue_add_sgs(&p.host->svq, two, 2, 0, b), 0); /* 2-entry chain */
	assert_int_equal(virtqueue_add_inbuf(&p.host->svq, b + 128, 64, b + 128), 0); /* writable */
	assert_int_equal(rpmsg_send(&he, "ok", 2), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 1);
	assert_memory_equal(dr.data[0], "ok", 2);
	assert_int_equal(atomic_load(&p.badmsg[1]), 1); /* two bad chains, one batch */
	assert_false(rpmsg_virtio_is_broken(p.dev));
	rpmsg_destroy_ept(&de);
	rpmsg_destroy_ept(&he);
	pair_close(&p);
}

/* ---- warnings are rate-limited ---- */
static int g_log_lines, g_log_suppressed;
static void capture_log(void *ctx, enum uproc_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	g_log_lines++;
	if (strstr(msg, "suppressed"))
		g_log_suppressed++;
}

static void test_warnings_rate_limited(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct uproc_port logport = *p.hport;
	logport.log = capture_log;
	p.host->port = &logport;
	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 4444, NULL, NULL), 0);
	g_log_lines = g_log_suppressed = 0;
	for (int i = 0; i < 50; i++) {
		assert_int_equal(rpmsg_send(&de, "?", 1), 0);
		pair_pump(&p);
	}
	assert_int_equal(g_log_lines, 10); /* a burst, then silence within the window */
	p.host->warn_window -= 6000000000ull; /* the window passes */
	assert_int_equal(rpmsg_send(&de, "?", 1), 0);
	pair_pump(&p);
	assert_int_equal(g_log_lines, 11);
	assert_int_equal(g_log_suppressed, 1);
	p.host->port = p.hport;
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* ---- teardown fails blocked senders ---- */
static void test_deinit_wakes_senders(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 4, 0, ALL_FEATURES), 0);
	struct rpmsg_endpoint he;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, NULL, NULL), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rpmsg_trysend(&he, "t", 1), 0);
	struct sender_arg sa = { .ept = &he, .dst = 2000 };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, sender_thread, &sa), 0);
	usleep(50000);
	assert_int_equal(atomic_load(&sa.done), 0);
	rpmsg_virtio_deinit(p.host);
	p.host = NULL;
	pthread_join(th, NULL);
	assert_int_equal(sa.ret, -ESHUTDOWN);
	pair_close(&p);
}

/* ---- delivery is serialised and in order with concurrent kick handlers ---- */
struct seq {
	atomic_int n;
	atomic_int bad;
};

static int seq_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	(void)len;
	struct seq *s = priv;
	int v;
	memcpy(&v, data, sizeof(v));
	if (v != atomic_load(&s->n))
		atomic_fetch_add(&s->bad, 1);
	atomic_fetch_add(&s->n, 1);
	return 0;
}

struct kicker {
	struct pair *p;
	atomic_int *stop;
};

static void *kick_thread(void *a)
{
	struct kicker *k = a;
	while (!atomic_load(k->stop))
		rpmsg_virtio_handle_kick(k->p->host);
	return NULL;
}

static void test_concurrent_kicks_keep_order(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 16, 0, ALL_FEATURES), 0);
	static struct seq sq;
	atomic_store(&sq.n, 0);
	atomic_store(&sq.bad, 0);
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, seq_cb, &sq), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, NULL, NULL), 0);
	atomic_int stop = 0;
	struct kicker k = { &p, &stop };
	pthread_t t1, t2;
	pthread_create(&t1, NULL, kick_thread, &k);
	pthread_create(&t2, NULL, kick_thread, &k);
	for (int i = 0; i < 5000; i++) {
		while (rpmsg_trysend(&de, &i, sizeof(i)) == -ENOMEM)
			rpmsg_virtio_handle_kick(p.dev);
	}
	while (atomic_load(&sq.n) < 5000)
		rpmsg_virtio_handle_kick(p.dev);
	atomic_store(&stop, 1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_int_equal(atomic_load(&sq.n), 5000);
	assert_int_equal(atomic_load(&sq.bad), 0);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/* ---- both sides in the other byte order (a big-endian host's legacy rings) ---- */
static void test_cross_endian_pair(void **state)
{
	(void)state;
	struct pair p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	rpmsg_virtio_deinit(p.dev);
	rpmsg_virtio_deinit(p.host);
	p.dev = p.host = NULL;
	p.hcfg.cross_endian = true;
	assert_int_equal(pair_host_open(&p, false), 0);
	assert_int_equal(pair_dev_open(&p), 0);
	static struct rec dr;
	memset(&dr, 0, sizeof(dr));
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 0x1100, 0x2000, NULL, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 0x2000, 0x1100, rec_cb, &dr), 0);
	assert_int_equal(rpmsg_send(&he, "be", 2), 0);
	/* The header on the wire is byte-swapped. */
	uint8_t *b = p.host->bufs + 8 * 512;
	uint32_t src;
	memcpy(&src, b, 4);
	assert_int_equal(src, 0x00110000u);
	pair_pump(&p);
	assert_int_equal(dr.n, 1);
	assert_int_equal(dr.src[0], 0x1100);
	static struct test_driver hd, dd;
	td_init(&hd, "be-svc");
	td_init(&dd, "be-svc");
	assert_int_equal(rpmsg_register_driver(p.host, &hd.drv), 0);
	assert_int_equal(rpmsg_register_driver(p.dev, &dd.drv), 0);
	struct rpmsg_channel_info ci = { .name = "be-svc", .src = 0x3000, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_create_channel(p.dev, &ci, NULL), 0);
	pair_pump(&p);
	assert_true(pair_has_channel(p.host, "be-svc", 0x3000));
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

/*
 * Hundreds of channels (past the point where the bus indexes them by name): each
 * found by name and address, duplicates of one name kept apart, destroyed in any
 * order, and a driver registered late still binding the one it names.
 */
#define MANY_CHANNELS 300u
static struct rpmsg_endpoint g_chan_epts[MANY_CHANNELS + 2];

static void many_name(char *name, unsigned int k)
{
	snprintf(name, RPMSG_NAME_SIZE, "many-%u", k);
}

static void test_many_channels(void **state)
{
	(void)state;
	struct pair p;
	char name[RPMSG_NAME_SIZE];
	assert_int_equal(pair_open(&p, 64, 0, ALL_FEATURES), 0);
	for (unsigned int k = 0; k < MANY_CHANNELS; k++) {
		many_name(name, k);
		assert_int_equal(rpmsg_create_ept(&g_chan_epts[k], p.dev, 3000 + k, RPMSG_ADDR_ANY,
						  NULL, NULL), 0);
		assert_int_equal(rpmsg_announce_create(&g_chan_epts[k], name), 0);
		if (k % 16 == 15)
			pair_pump(&p);
	}
	/* Two more under one name already there, from other addresses. */
	for (unsigned int k = MANY_CHANNELS; k < MANY_CHANNELS + 2; k++) {
		assert_int_equal(rpmsg_create_ept(&g_chan_epts[k], p.dev, 3000 + k, RPMSG_ADDR_ANY,
						  NULL, NULL), 0);
		assert_int_equal(rpmsg_announce_create(&g_chan_epts[k], "many-7"), 0);
	}
	pair_pump(&p);
	assert_int_equal(rpmsg_get_channels(p.host, NULL, 0), MANY_CHANNELS + 2);
	for (unsigned int k = 0; k < MANY_CHANNELS; k++) {
		many_name(name, k);
		struct rpmsg_device *ch = rpmsg_find_channel(p.host, name, 3000 + k);
		assert_non_null(ch);
		assert_string_equal(ch->name, name);
		assert_int_equal(ch->dst, 3000 + k);
		rpmsg_channel_put(ch);
	}
	for (unsigned int k = MANY_CHANNELS; k < MANY_CHANNELS + 2; k++)
		assert_true(pair_has_channel(p.host, "many-7", 3000 + k));
	assert_false(pair_has_channel(p.host, "many-7", 2999));
	assert_false(pair_has_channel(p.host, "many-", RPMSG_ADDR_ANY));

	/* A driver for one of them binds it on registration. */
	static struct test_driver td;
	td_init(&td, "many-123");
	assert_int_equal(rpmsg_register_driver(p.host, &td.drv), 0);
	assert_int_equal(td.st.probes, 1);

	/* Destroy the odd ones from the top, then one of the duplicates. */
	for (unsigned int k = MANY_CHANNELS; k-- > 0;) {
		if (!(k & 1))
			continue;
		many_name(name, k);
		assert_int_equal(rpmsg_announce_destroy(&g_chan_epts[k], name), 0);
		if (k % 16 == 1)
			pair_pump(&p);
	}
	assert_int_equal(rpmsg_announce_destroy(&g_chan_epts[MANY_CHANNELS], "many-7"), 0);
	pair_pump(&p);
	assert_int_equal(td.st.removes, 1);
	assert_int_equal(rpmsg_get_channels(p.host, NULL, 0), MANY_CHANNELS / 2 + 1);
	for (unsigned int k = 0; k < MANY_CHANNELS; k++) {
		many_name(name, k);
		struct rpmsg_device *ch = rpmsg_find_channel(p.host, name, RPMSG_ADDR_ANY);
		if (k == 7) /* one duplicate of its name is left */
			assert_int_equal(ch ? ch->dst : 0, 3001 + MANY_CHANNELS);
		else if (k & 1)
			assert_null(ch);
		else
			assert_non_null(ch);
		rpmsg_channel_put(ch);
	}
	assert_false(pair_has_channel(p.host, "many-7", 3000 + MANY_CHANNELS));
	assert_true(pair_has_channel(p.host, "many-7", 3001 + MANY_CHANNELS));
	rpmsg_unregister_driver(p.host, &td.drv);
	for (unsigned int k = 0; k < MANY_CHANNELS + 2; k++)
		rpmsg_destroy_ept(&g_chan_epts[k]);
	pair_close(&p); /* tears the remaining channels down, index included */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channels_both_ways),
		cmocka_unit_test(test_probe_failure_and_names),
		cmocka_unit_test(test_blocking_trysend_timeout),
		cmocka_unit_test(test_announce_back_waits_for_buffer),
		cmocka_unit_test(test_no_announcement_storm),
		cmocka_unit_test(test_callback_destroys_endpoint),
		cmocka_unit_test(test_runs_span_endpoints),
		cmocka_unit_test(test_sizes_and_errors),
		cmocka_unit_test(test_send_batch_and_runs),
		cmocka_unit_test(test_init_errors),
		cmocka_unit_test(test_zero_copy_and_held),
		cmocka_unit_test(test_many_endpoints),
		cmocka_unit_test(test_many_channels),
		cmocka_unit_test(test_reattach),
		cmocka_unit_test(test_reattach_adopts_channels),
		cmocka_unit_test(test_reattach_rejects_corrupt_rings),
		cmocka_unit_test(test_hostile_host_buffers),
		cmocka_unit_test(test_hostile_host_rx),
		cmocka_unit_test(test_warnings_rate_limited),
		cmocka_unit_test(test_deinit_wakes_senders),
		cmocka_unit_test(test_concurrent_kicks_keep_order),
		cmocka_unit_test(test_cross_endian_pair),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
