/* SPDX-License-Identifier: MIT */
/*
 * test-rpmsg-channel.c - the channel callback of struct rpmsg_virtio_config: each
 * name-service announcement from the peer that creates or destroys a channel is
 * reported once, with the right name and addresses, after the bus has recorded
 * it, whether or not a driver binds; malformed, refused and duplicate ones are not.
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

#define MAX_EVENTS 16

struct chan_event {
	struct rpmsg_channel_info info;
	bool created;
	bool found;       /* the bus knew the channel (created) / no more (destroyed) */
	uint32_t bus_src; /* the channel's src as the bus has it, at the call */
};

struct side {
	struct rpmsg_virtio_device **bus;
	struct chan_event ev[MAX_EVENTS];
	int n;
};

/* The pair is the first member: the callbacks get it as priv. */
struct fixture {
	struct pair p;
	struct side host, dev;
};

static void record(struct side *s, const struct rpmsg_channel_info *info, bool created)
{
	assert_true(s->n < MAX_EVENTS);
	struct chan_event *e = &s->ev[s->n++];
	/* The name is terminated within RPMSG_NAME_SIZE, whatever the peer wrote. */
	assert_true(memchr(info->name, 0, RPMSG_NAME_SIZE) != NULL);
	e->info = *info;
	e->created = created;
	/* No bus lock is held: the bus may be asked about the channel right here. */
	struct rpmsg_device *ch = rpmsg_find_channel(*s->bus, info->name, info->dst);
	e->found = ch != NULL;
	e->bus_src = ch ? ch->src : RPMSG_ADDR_ANY;
	rpmsg_channel_put(ch);
}

static void host_channel(void *priv, const struct rpmsg_channel_info *info, bool created)
{
	struct fixture *f = priv;
	record(&f->host, info, created);
}

static void dev_channel(void *priv, const struct rpmsg_channel_info *info, bool created)
{
	struct fixture *f = priv;
	record(&f->dev, info, created);
}

/*
 * A pair whose host reports channels to @f->host and device to @f->dev (a peer
 * limit of @max_peer channels, 0 = default). The device's configuration is a copy
 * of the host's made by pair_dev_open(), so the callback is switched in between.
 */
static void fixture_open(struct fixture *f, uint32_t max_peer)
{
	memset(f, 0, sizeof(*f));
	assert_true((void *)f == (void *)&f->p);
	assert_int_equal(pair_open(&f->p, 8, 0, ALL_FEATURES), 0);
	rpmsg_virtio_deinit(f->p.dev);
	rpmsg_virtio_deinit(f->p.host);
	f->host.bus = &f->p.host;
	f->dev.bus = &f->p.dev;
	f->p.hcfg.priv = f;
	f->p.hcfg.max_peer_channels = max_peer;
	f->p.hcfg.channel = host_channel;
	assert_int_equal(pair_host_open(&f->p, false), 0); /* resets the rings */
	f->p.hcfg.channel = dev_channel;
	assert_int_equal(pair_dev_open(&f->p), 0);
	f->p.hcfg.channel = host_channel;
	pair_pump(&f->p);
}

static void fixture_close(struct fixture *f)
{
	pair_close(&f->p);
}

/* Raw name-service message from the remote (device), as a hostile peer writes it. */
static void ns_raw(struct pair *p, const char *name, size_t namelen, uint32_t addr,
		   uint32_t flags, size_t msglen)
{
	uint8_t m[64];
	memset(m, 0, sizeof(m));
	memcpy(m, name, namelen);
	memcpy(m + 32, &addr, 4);
	memcpy(m + 36, &flags, 4);
	struct virtqueue_buf iov;
	unsigned int out, in;
	int head = virtqueue_pop(&p->dev->svq, &iov, 1, &out, &in);
	assert_true(head >= 0);
	struct rpmsg_hdr h = { .src = 3000, .dst = RPMSG_NS_ADDR, .len = (uint16_t)msglen };
	memcpy(iov.addr, &h, sizeof(h));
	memcpy((uint8_t *)iov.addr + 16, m, msglen);
	assert_int_equal(virtqueue_push(&p->dev->svq, (unsigned int)head, (uint32_t)(16 + msglen)),
			 0);
	pair_pump(p);
}

static int rx_nop(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	return 0;
}

static void test_create_destroy_without_driver(void **state)
{
	(void)state;
	static struct fixture f;
	fixture_open(&f, 0);
	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, f.p.dev, 2000, RPMSG_ADDR_ANY, rx_nop, NULL), 0);

	assert_int_equal(rpmsg_announce_create(&de, "svc"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 1);
	struct chan_event *e = &f.host.ev[0];
	assert_true(e->created);
	assert_string_equal(e->info.name, "svc");
	assert_int_equal(e->info.dst, 2000);
	assert_int_equal(e->info.src, RPMSG_ADDR_ANY); /* no driver: no local endpoint */
	assert_true(e->found);                          /* recorded before the call */

	/* The same announcement again changes nothing: no second call. */
	assert_int_equal(rpmsg_announce_create(&de, "svc"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 1);

	assert_int_equal(rpmsg_announce_destroy(&de, "svc"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 2);
	e = &f.host.ev[1];
	assert_false(e->created);
	assert_string_equal(e->info.name, "svc");
	assert_int_equal(e->info.dst, 2000);
	assert_false(e->found); /* removed before the call */
	assert_false(pair_has_channel(f.p.host, "svc", RPMSG_ADDR_ANY));

	/* A destroy of a channel that is no more: not reported. */
	assert_int_equal(rpmsg_announce_destroy(&de, "svc"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 2);
	assert_int_equal(f.dev.n, 0); /* the host announced nothing back */
	rpmsg_destroy_ept(&de);
	fixture_close(&f);
}

struct drv {
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[2];
	int probes;
};

static int drv_probe(struct rpmsg_device *rpdev)
{
	((struct drv *)(void *)rpdev->drv)->probes++;
	return 0;
}

static void test_bound_channel_and_announce_back(void **state)
{
	(void)state;
	static struct fixture f;
	static struct drv d;
	fixture_open(&f, 0);
	memset(&d, 0, sizeof(d));
	strcpy(d.ids[0].name, "bound");
	d.drv.id_table = d.ids;
	d.drv.probe = drv_probe;
	d.drv.callback = rx_nop;
	assert_int_equal(rpmsg_register_driver(f.p.host, &d.drv), 0);

	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, f.p.dev, 2001, RPMSG_ADDR_ANY, rx_nop, NULL), 0);
	assert_int_equal(rpmsg_announce_create(&de, "bound"), 0);
	pair_pump(&f.p);
	assert_int_equal(d.probes, 1);
	struct rpmsg_device *hch = rpmsg_find_channel(f.p.host, "bound", 2001);
	assert_non_null(hch);
	assert_int_equal(f.host.n, 1);
	struct chan_event *e = &f.host.ev[0];
	assert_true(e->created);
	assert_string_equal(e->info.name, "bound");
	assert_int_equal(e->info.dst, 2001);
	assert_int_equal(e->info.src, hch->src); /* after the driver bound */
	assert_true(e->info.src >= RPMSG_RESERVED_ADDRESSES);
	assert_int_equal(e->bus_src, hch->src);

	/* The host announced back: the device hears of the host's channel. */
	assert_int_equal(f.dev.n, 1);
	e = &f.dev.ev[0];
	assert_true(e->created);
	assert_string_equal(e->info.name, "bound");
	assert_int_equal(e->info.dst, hch->src);
	assert_true(e->found);
	rpmsg_channel_put(hch);

	/* The host unbinds: its destroy announcement reaches the device. */
	rpmsg_unregister_driver(f.p.host, &d.drv);
	pair_pump(&f.p);
	assert_int_equal(f.dev.n, 2);
	assert_false(f.dev.ev[1].created);
	assert_string_equal(f.dev.ev[1].info.name, "bound");
	assert_false(f.dev.ev[1].found);

	/* The remote ends it: the host's channel goes. */
	assert_int_equal(rpmsg_announce_destroy(&de, "bound"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 2);
	assert_false(f.host.ev[1].created);
	assert_int_equal(f.host.ev[1].info.dst, 2001);
	assert_false(pair_has_channel(f.p.host, "bound", RPMSG_ADDR_ANY));
	rpmsg_destroy_ept(&de);
	fixture_close(&f);
}

static void test_local_channel_learns_address(void **state)
{
	(void)state;
	static struct fixture f;
	static struct drv d;
	fixture_open(&f, 0);
	memset(&d, 0, sizeof(d));
	strcpy(d.ids[0].name, "mine");
	d.drv.id_table = d.ids;
	d.drv.probe = drv_probe;
	d.drv.callback = rx_nop;
	assert_int_equal(rpmsg_register_driver(f.p.host, &d.drv), 0);
	struct rpmsg_channel_info ci = { .name = "mine", .src = 0x900, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_create_channel(f.p.host, &ci, NULL), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 0); /* the host's own channel: nothing from the peer yet */

	/* The remote announces its end: the host's channel gets its address. */
	struct rpmsg_endpoint de;
	assert_int_equal(rpmsg_create_ept(&de, f.p.dev, 2002, RPMSG_ADDR_ANY, rx_nop, NULL), 0);
	assert_int_equal(rpmsg_announce_create(&de, "mine"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 1);
	assert_true(f.host.ev[0].created);
	assert_int_equal(f.host.ev[0].info.src, 0x900);
	assert_int_equal(f.host.ev[0].info.dst, 2002);
	assert_true(f.host.ev[0].found);

	assert_int_equal(rpmsg_announce_destroy(&de, "mine"), 0);
	pair_pump(&f.p);
	assert_int_equal(f.host.n, 2);
	assert_false(f.host.ev[1].created);
	assert_int_equal(f.host.ev[1].info.src, 0x900);
	assert_int_equal(f.host.ev[1].info.dst, 2002);
	/* The local channel stays, without a destination. */
	struct rpmsg_device *hch = rpmsg_find_channel(f.p.host, "mine", RPMSG_ADDR_ANY);
	assert_non_null(hch);
	assert_int_equal(hch->dst, RPMSG_ADDR_ANY);
	rpmsg_destroy_ept(&de);
	assert_int_equal(rpmsg_release_channel(f.p.host, &ci), 0);
	/* Released, still held: readable, with no driver and no endpoint. */
	assert_null(hch->ept);
	assert_null(hch->drv);
	assert_false(pair_has_channel(f.p.host, "mine", RPMSG_ADDR_ANY));
	rpmsg_channel_put(hch);
	fixture_close(&f);
}

static void test_malformed_not_reported(void **state)
{
	(void)state;
	static struct fixture f;
	fixture_open(&f, 0);
	ns_raw(&f.p, "svc", 3, 3000, RPMSG_NS_CREATE, 39);
	ns_raw(&f.p, "svc", 3, 3000, RPMSG_NS_CREATE, 41);
	ns_raw(&f.p, "svc", 3, RPMSG_ADDR_ANY, RPMSG_NS_CREATE, 40);
	ns_raw(&f.p, "svc", 3, 3000, 7, 40);
	ns_raw(&f.p, "", 0, 3000, RPMSG_NS_CREATE, 40);
	ns_raw(&f.p, "svc", 3, 3000, RPMSG_NS_DESTROY, 40); /* unknown channel */
	assert_int_equal(atomic_load(&f.p.badmsg[0]), 5);
	assert_int_equal(f.host.n, 0);
	assert_int_equal(rpmsg_get_channels(f.p.host, NULL, 0), 0);

	/* A name without its terminator is cut, and reported terminated. */
	char longname[RPMSG_NAME_SIZE];
	memset(longname, 'A', sizeof(longname));
	ns_raw(&f.p, longname, sizeof(longname), 3001, RPMSG_NS_CREATE, 40);
	assert_int_equal(f.host.n, 1);
	assert_int_equal(strlen(f.host.ev[0].info.name), RPMSG_NAME_SIZE - 1);
	assert_int_equal(f.host.ev[0].info.dst, 3001);
	fixture_close(&f);
}

static void test_refused_over_limit(void **state)
{
	(void)state;
	static struct fixture f;
	fixture_open(&f, 1);

	ns_raw(&f.p, "one", 3, 3000, RPMSG_NS_CREATE, 40);
	ns_raw(&f.p, "two", 3, 3001, RPMSG_NS_CREATE, 40); /* refused: over the limit */
	assert_int_equal(f.host.n, 1);
	assert_string_equal(f.host.ev[0].info.name, "one");
	assert_false(pair_has_channel(f.p.host, "two", RPMSG_ADDR_ANY));
	fixture_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_destroy_without_driver),
		cmocka_unit_test(test_bound_channel_and_announce_back),
		cmocka_unit_test(test_local_channel_learns_address),
		cmocka_unit_test(test_malformed_not_reported),
		cmocka_unit_test(test_refused_over_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
