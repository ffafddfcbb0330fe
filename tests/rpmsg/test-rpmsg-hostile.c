/* SPDX-License-Identifier: MIT */
/*
 * test-rpmsg-hostile.c - a peer that writes what it likes: bad rpmsg headers,
 * bad name-service messages, bad used/avail entries. The receiver survives,
 * reports, and keeps serving (the other queue, and the same queue for bad messages).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "../../src/rpmsg/rpmsg_internal.h"
#include "pair.h"

#define ALL_FEATURES                                                          \
	((1ull << VIRTIO_RPMSG_F_NS) | (1ull << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC))

struct rx {
	int n;
	char last[RPMSG_BUF_SIZE];
	size_t len;
};

static int rx_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	struct rx *r = priv;
	r->n++;
	memcpy(r->last, data, len);
	r->len = len;
	return 0;
}

/* The remote writes a raw buffer: header fields, payload, and the used length. */
static void raw_send(struct pair *p, uint32_t src, uint32_t dst, uint16_t hlen, const void *payload,
		     size_t plen, uint32_t used_len)
{
	struct virtqueue_buf iov;
	unsigned int out, in;
	int head = virtqueue_pop(&p->dev->svq, &iov, 1, &out, &in);
	assert_true(head >= 0);
	struct rpmsg_hdr h = { .src = src, .dst = dst, .reserved = 0xdeadbeef, .len = hlen, .flags = 7 };
	memcpy(iov.addr, &h, sizeof(h));
	memcpy((uint8_t *)iov.addr + 16, payload, plen);
	assert_int_equal(virtqueue_push(&p->dev->svq, (unsigned int)head, used_len), 0);
	pair_pump(p);
}

static void ns_raw(struct pair *p, const char *name, size_t namelen, uint32_t addr, uint32_t flags,
		   size_t msglen)
{
	uint8_t m[64];
	memset(m, 0, sizeof(m));
	memcpy(m, name, namelen);
	memcpy(m + 32, &addr, 4);
	memcpy(m + 36, &flags, 4);
	raw_send(p, 3000, RPMSG_NS_ADDR, (uint16_t)msglen, m, msglen, (uint32_t)(16 + msglen));
}

static void test_bad_headers(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rx r = { 0 };
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rx_cb, &r), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, NULL, NULL), 0);

	raw_send(&p, 2000, 1100, 4, "good", 4, 20);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.len, 4); /* reserved and flags ignored */

	raw_send(&p, 2000, 1100, 10, "short", 5, 20); /* hdr.len beyond the used length */
	raw_send(&p, 2000, 1100, 600, "big", 3, 512);  /* hdr.len beyond the buffer */
	raw_send(&p, 2000, 1100, 0, "", 0, 8);         /* shorter than a header */
	raw_send(&p, 2000, 1100, 0xFFFF, "x", 1, 512);
	assert_int_equal(r.n, 1);
	assert_int_equal(atomic_load(&p.badmsg[0]), 4);
	assert_false(rpmsg_virtio_is_broken(p.host));

	/* An exactly full buffer is fine. */
	static char full[496];
	memset(full, 'f', sizeof(full));
	raw_send(&p, 2000, 1100, 496, full, 496, 512);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.len, 496);
	/* Unknown destination and a zero-length message. */
	raw_send(&p, 2000, 4242, 4, "lost", 4, 20);
	raw_send(&p, 2000, 1100, 0, "", 0, 16);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.len, 0);
	/* Many more bad messages than buffers: they are all recycled. */
	for (int i = 0; i < 40; i++)
		raw_send(&p, 2000, 1100, 300, "x", 1, 100);
	raw_send(&p, 2000, 1100, 2, "ok", 2, 18);
	assert_int_equal(r.n, 4);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

struct nsdrv {
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[3];
	int probes;
};

static int ns_probe(struct rpmsg_device *rpdev)
{
	((struct nsdrv *)(void *)rpdev->drv)->probes++;
	return 0;
}

static void test_bad_name_service(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	static struct nsdrv d;
	memset(&d, 0, sizeof(d));
	memset(d.ids[0].name, 'A', 31); /* 31 A's: what a 32-A name is cut to */
	strcpy(d.ids[1].name, "svc");
	d.drv.id_table = d.ids;
	d.drv.probe = ns_probe;
	d.drv.callback = rx_cb;
	assert_int_equal(rpmsg_register_driver(p.host, &d.drv), 0);

	ns_raw(&p, "svc", 3, 3000, RPMSG_NS_CREATE, 39);
	ns_raw(&p, "svc", 3, 3000, RPMSG_NS_CREATE, 41);
	ns_raw(&p, "svc", 3, RPMSG_ADDR_ANY, RPMSG_NS_CREATE, 40);
	ns_raw(&p, "svc", 3, 3000, 7, 40);
	ns_raw(&p, "", 0, 3000, RPMSG_NS_CREATE, 40);
	assert_int_equal(atomic_load(&p.badmsg[0]), 5);
	assert_false(pair_has_channel(p.host, "svc", RPMSG_ADDR_ANY));
	assert_int_equal(d.probes, 0);

	/* No terminator: the name is cut at 31 characters. */
	char name[32];
	memset(name, 'A', sizeof(name));
	ns_raw(&p, name, 32, 3001, RPMSG_NS_CREATE, 40);
	struct rpmsg_device *ch = rpmsg_find_channel(p.host, d.ids[0].name, 3001);
	assert_non_null(ch);
	assert_int_equal(strlen(ch->name), 31);
	assert_int_equal(d.probes, 1);
	rpmsg_channel_put(ch);

	/* The good one, twice (the second is a duplicate), then destroy. */
	ns_raw(&p, "svc", 3, 3000, RPMSG_NS_CREATE, 40);
	ns_raw(&p, "svc", 3, 3000, RPMSG_NS_CREATE, 40);
	assert_int_equal(d.probes, 2);
	assert_true(pair_has_channel(p.host, "svc", 3000));
	ns_raw(&p, "svc", 3, 3999, RPMSG_NS_DESTROY, 40); /* unknown: ignored */
	assert_true(pair_has_channel(p.host, "svc", 3000));
	ns_raw(&p, "svc", 3, 3000, RPMSG_NS_DESTROY, 40);
	assert_false(pair_has_channel(p.host, "svc", 3000));
	assert_false(rpmsg_virtio_is_broken(p.host));

	/* A flood of announcements stops at the cap. */
	p.host->cfg.max_peer_channels = 20;
	for (uint32_t a = 0; a < 40; a++)
		ns_raw(&p, "flood", 5, 5000 + a, RPMSG_NS_CREATE, 40);
	assert_int_equal(rpmsg_get_channels(p.host, NULL, 0), 20);
	ns_raw(&p, "flood", 5, 5000, RPMSG_NS_DESTROY, 40);
	ns_raw(&p, "flood", 5, 6000, RPMSG_NS_CREATE, 40);
	assert_true(pair_has_channel(p.host, "flood", 6000));
	pair_close(&p);
}

/* The remote appends used entry @id/@len to the 8-entry ring at @used, raw. */
static void used_raw(uint8_t *used, uint32_t id, uint32_t len)
{
	uint16_t idx;
	memcpy(&idx, used + 2, 2);
	memcpy(used + 4 + 8 * (idx % 8), &id, 4);
	memcpy(used + 8 + 8 * (idx % 8), &len, 4);
	idx++;
	memcpy(used + 2, &idx, 2);
}

static void test_bad_used_entries(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rx hr = { 0 }, dr = { 0 };
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rx_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rx_cb, &dr), 0);

	/* The remote returns a used entry with an id the host never gave. */
	uint8_t *used0 = p.host->rvq.used;
	used_raw(used0, 77, 20);
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), -EIO);
	assert_int_equal(atomic_load(&p.broken[0][0]), -EPROTO);
	assert_true(rpmsg_virtio_is_broken(p.host));
	assert_int_equal(rpmsg_poll(&he) & RPMSG_POLLERR, RPMSG_POLLERR);
	/* The host's tx queue still serves. */
	assert_int_equal(rpmsg_send(&he, "still", 5), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 1);
	assert_memory_equal(dr.last, "still", 5);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);

	/* A used length beyond the buffer. */
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	used0 = p.host->rvq.used;
	struct virtqueue_buf iov;
	unsigned int out, in;
	int head = virtqueue_pop(&p.dev->svq, &iov, 1, &out, &in);
	assert_true(head >= 0);
	used_raw(used0, (uint32_t)head, 513);
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), -EIO);
	assert_int_equal(atomic_load(&p.broken[0][0]), -EMSGSIZE);
	pair_close(&p);

	/*
	 * A send buffer returned twice: the second used entry names a buffer the host
	 * holds no more. Caught at the kick that brings it, not when the host next runs
	 * out of send buffers (many sends later).
	 */
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rx_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rx_cb, &dr), 0);
	dr.n = 0;
	assert_int_equal(rpmsg_send(&he, "one", 3), 0);
	pair_pump(&p);
	assert_int_equal(dr.n, 1);
	assert_false(rpmsg_virtio_is_broken(p.host));
	uint8_t *used1 = p.host->svq.used;
	uint16_t idx;
	uint32_t id;
	memcpy(&idx, used1 + 2, 2);
	memcpy(&id, used1 + 4 + 8 * ((uint16_t)(idx - 1) % 8), 4);
	used_raw(used1, id, 0);
	assert_int_equal(rpmsg_virtio_handle_kick(p.host), -EIO);
	assert_int_equal(atomic_load(&p.broken[0][1]), -EPROTO);
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}


static void test_bad_avail_entries_on_device(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	struct rx hr = { 0 };
	struct rpmsg_endpoint he, de;
	assert_int_equal(rpmsg_create_ept(&he, p.host, 1100, 2000, rx_cb, &hr), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 1100, rx_cb, NULL), 0);
	/* The host points a tx descriptor outside the remote's window. */
	assert_int_equal(rpmsg_send(&he, "x", 1), 0);
	uint8_t *ring1 = p.host->svq.desc;
	uint64_t outside = PAIR_DA + p.mem_size + 4096;
	for (int i = 0; i < 8; i++)
		memcpy(ring1 + 16 * i, &outside, 8);
	assert_int_equal(rpmsg_virtio_handle_kick(p.dev), -EIO);
	assert_int_equal(atomic_load(&p.broken[1][1]), -EFAULT);
	/* The remote's tx queue still serves. */
	assert_int_equal(rpmsg_send(&de, "alive", 5), 0);
	assert_true(rpmsg_virtio_handle_kick(p.host) >= 0 || rpmsg_virtio_is_broken(p.host));
	assert_int_equal(hr.n, 1);
	assert_memory_equal(hr.last, "alive", 5);
	assert_int_equal(rpmsg_send(&de, "x", 1), 0); /* and again */
	rpmsg_destroy_ept(&he);
	rpmsg_destroy_ept(&de);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_headers),
		cmocka_unit_test(test_bad_name_service),
		cmocka_unit_test(test_bad_used_entries),
		cmocka_unit_test(test_bad_avail_entries_on_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
