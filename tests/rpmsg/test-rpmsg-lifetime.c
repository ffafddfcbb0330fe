/* SPDX-License-Identifier: MIT */
/*
 * test-rpmsg-lifetime.c - who owns what on the bus: channels and the bus are
 * reference-counted (a holder's object is never freed under it nor reused for
 * another one, a bus torn down stays safe to call through a reference), and the
 * broken() report runs where the embedder may call anything (no lock, no
 * reference of the bus's own held).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/rpmsg/rpmsg_internal.h"
#include "pair.h"

#define ALL_FEATURES                                                          \
	((1ull << VIRTIO_RPMSG_F_NS) | (1ull << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC))

/* ---- a host port that can act between two of the bus's lock sections ------------------- */

/*
 * Wraps a posix port. Before taking the lock it may run a hook (on the thread
 * asking, lock not held: the hook may call the bus). Its allocator hands a freed
 * channel-sized block straight back to the next channel, as a real allocator may:
 * a pointer compared after the lock was dropped would then name another channel.
 */
struct hook_port {
	struct uproc_port port;
	const struct uproc_port *inner;
	bool (*hook)(struct hook_port *hp); /* true: done, disarm; one thread only */
	void *stash;                        /* one freed channel block */
};

struct blk {
	size_t size;
	max_align_t pad;
};

static void hp_lock(void *ctx)
{
	struct hook_port *hp = ctx;
	bool (*hook)(struct hook_port *) = hp->hook;
	hp->hook = NULL; /* not again from inside the hook's own calls */
	if (hook && !hook(hp))
		hp->hook = hook;
	hp->inner->lock(hp->inner->ctx);
}

static void hp_unlock(void *ctx)
{
	struct hook_port *hp = ctx;
	hp->inner->unlock(hp->inner->ctx);
}

static int hp_wait(void *ctx, uint64_t deadline)
{
	struct hook_port *hp = ctx;
	return hp->inner->wait(hp->inner->ctx, deadline);
}

static void hp_wake(void *ctx)
{
	struct hook_port *hp = ctx;
	hp->inner->wake(hp->inner->ctx);
}

static uint64_t hp_now(void *ctx)
{
	struct hook_port *hp = ctx;
	return hp->inner->now(hp->inner->ctx);
}

static void *hp_alloc(void *ctx, size_t size)
{
	struct hook_port *hp = ctx;
	if (size == sizeof(struct rpmsg_device) && hp->stash) {
		void *p = hp->stash;
		hp->stash = NULL;
		return p;
	}
	struct blk *b = malloc(offsetof(struct blk, pad) + size);
	if (!b)
		return NULL;
	b->size = size;
	return &b->pad;
}

static void hp_free(void *ctx, void *p)
{
	struct hook_port *hp = ctx;
	if (!p)
		return;
	struct blk *b = (struct blk *)((char *)p - offsetof(struct blk, pad));
	if (b->size == sizeof(struct rpmsg_device) && !hp->stash) {
		hp->stash = p;
		return;
	}
	free(b);
}

static void hp_log(void *ctx, enum uproc_log_level level, const char *msg)
{
	struct hook_port *hp = ctx;
	if (hp->inner->log)
		hp->inner->log(hp->inner->ctx, level, msg);
}

static void hook_port_init(struct hook_port *hp, const struct uproc_port *inner)
{
	memset(hp, 0, sizeof(*hp));
	hp->inner = inner;
	hp->port = (struct uproc_port){
		.ctx = hp, .lock = hp_lock, .unlock = hp_unlock, .wait = hp_wait,
		.wake = hp_wake, .now = hp_now, .alloc = hp_alloc, .free = hp_free,
		.log = hp_log,
	};
}

static void hook_port_fini(struct hook_port *hp)
{
	if (hp->stash)
		free((char *)hp->stash - offsetof(struct blk, pad));
	hp->stash = NULL;
}

/* The pair again with the host on @hp (the device copies the host's config). */
static void pair_reopen_host_on(struct pair *p, struct hook_port *hp)
{
	rpmsg_virtio_deinit(p->dev);
	rpmsg_virtio_deinit(p->host);
	hook_port_init(hp, p->hport);
	p->hcfg.port = &hp->port;
	assert_int_equal(pair_host_open(p, false), 0);
	assert_int_equal(pair_dev_open(p), 0);
	pair_pump(p);
}

/* ---- a channel's address reused: nothing of the old channel carries over -------------- */

static struct pair g_p;
static struct rpmsg_device *g_first; /* channel "first" as probe saw it */
static int g_injected;

static int probe_cb(struct rpmsg_device *rpdev)
{
	if (!strcmp(rpdev->name, "first"))
		g_first = rpdev;
	return 0;
}

static int noop_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept, (void)data, (void)len, (void)src, (void)priv;
	return 0;
}

static const struct rpmsg_device_id two_ids[] = { { "first" }, { "second" }, { "" } };
static struct rpmsg_driver two_drv = {
	.name = "two", .id_table = two_ids, .probe = probe_cb, .callback = noop_cb,
};

/*
 * Runs at the first lock once "first" is bound, i.e. between its binding and the
 * check after its announcement found no buffer: the channel is released and
 * another one, which this side must never announce (adopted after a re-attach),
 * takes its local address and (with the allocator above) its memory if freed.
 */
static bool swap_channels(struct hook_port *hp)
{
	(void)hp;
	if (!g_first || !(g_first->state & CHAN_BOUND) || (g_first->state & CHAN_BUSY))
		return false;
	g_injected++;
	struct rpmsg_channel_info a = { .name = "first", .src = 2000, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_release_channel(g_p.host, &a), 0);
	struct rpmsg_channel_info b = { .name = "second", .src = 2000, .dst = 3000 };
	assert_int_equal(rpmsg_adopt_channel(g_p.host, &b), 0);
	return true;
}

static void test_reused_address_inherits_nothing(void **state)
{
	(void)state;
	static struct hook_port hp;
	struct pair *p = &g_p;
	g_first = NULL;
	g_injected = 0;
	assert_int_equal(pair_open(p, 8, 0, ALL_FEATURES), 0);
	pair_reopen_host_on(p, &hp);
	assert_int_equal(rpmsg_register_driver(p->host, &two_drv), 0);

	/* Every host tx buffer taken: announcements wait for one to come back. */
	struct rpmsg_endpoint x;
	void *taken[16];
	int ntaken = 0;
	assert_int_equal(rpmsg_create_ept(&x, p->host, 1500, RPMSG_ADDR_ANY, NULL, NULL), 0);
	while (ntaken < 16 && (taken[ntaken] = rpmsg_get_tx_payload_buffer(&x, NULL, false)))
		ntaken++;
	assert_true(ntaken > 0 && ntaken < 16);

	hp.hook = swap_channels;
	struct rpmsg_channel_info a = { .name = "first", .src = 2000, .dst = RPMSG_ADDR_ANY };
	assert_int_equal(rpmsg_create_channel(p->host, &a, NULL), 0);
	assert_int_equal(g_injected, 1);
	assert_false(pair_has_channel(p->host, "first", RPMSG_ADDR_ANY));
	assert_true(pair_has_channel(p->host, "second", 3000));

	/* Buffers come back: whatever was left to announce goes out now. */
	for (int i = 0; i < ntaken; i++)
		assert_int_equal(rpmsg_release_tx_buffer(&x, taken[i]), 0);
	pair_pump(p);
	/* "first" went before it was announced; "second" is never announced. */
	assert_int_equal(atomic_load(&p->channels[1][1]), 0);
	assert_false(pair_has_channel(p->dev, "second", RPMSG_ADDR_ANY));
	assert_false(pair_has_channel(p->dev, "first", RPMSG_ADDR_ANY));

	rpmsg_destroy_ept(&x);
	rpmsg_unregister_driver(p->host, &two_drv);
	pair_close(p);
	hook_port_fini(&hp);
}

/* ---- a bus torn down under references ------------------------------------------------- */

static int g_released;

static void on_release(void *priv)
{
	(*(int *)priv)++;
}

static int svc_removes;

static void svc_remove(struct rpmsg_device *rpdev)
{
	(void)rpdev;
	svc_removes++;
}

static const struct rpmsg_device_id svc_ids[] = { { "svc" }, { "" } };
static struct rpmsg_driver svc_drv = {
	.name = "svc", .id_table = svc_ids, .remove = svc_remove, .callback = noop_cb,
};

static void test_references_outlive_deinit(void **state)
{
	(void)state;
	struct pair p;
	g_released = 0;
	svc_removes = 0;
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	/* The device's state comes from its port's allocator: freed by the last put. */
	rpmsg_virtio_deinit(p.dev);
	p.hcfg.release = on_release;
	p.hcfg.release_priv = &g_released;
	assert_int_equal(pair_dev_open(&p), 0);
	p.hcfg.release = NULL;
	pair_pump(&p);

	struct rpmsg_virtio_device *bus = p.dev;
	assert_int_equal(rpmsg_register_driver(bus, &svc_drv), 0);
	struct rpmsg_channel_info ci = { .name = "svc", .src = RPMSG_ADDR_ANY, .dst = RPMSG_ADDR_ANY };
	struct rpmsg_device *ch;
	assert_int_equal(rpmsg_create_channel(bus, &ci, &ch), 0);
	assert_non_null(ch->ept);
	struct rpmsg_device *again = rpmsg_find_channel(bus, "svc", RPMSG_ADDR_ANY);
	assert_ptr_equal(again, ch);
	rpmsg_channel_put(again);
	rpmsg_virtio_get(bus);

	rpmsg_virtio_deinit(bus);
	p.dev = NULL;
	assert_int_equal(svc_removes, 1);
	assert_int_equal(g_released, 0);

	/* Through the reference: nothing found, nothing created, nothing sent. */
	assert_false(pair_has_channel(bus, "svc", RPMSG_ADDR_ANY));
	assert_int_equal(rpmsg_get_channels(bus, NULL, 0), 0);
	assert_int_equal(rpmsg_create_channel(bus, &ci, NULL), -ESHUTDOWN);
	assert_int_equal(rpmsg_adopt_channel(bus, &(struct rpmsg_channel_info){ "x", 1, 2 }),
			 -ESHUTDOWN);
	struct rpmsg_endpoint e;
	assert_int_equal(rpmsg_create_ept(&e, bus, 4000, 1, NULL, NULL), -ESHUTDOWN);
	assert_int_equal(rpmsg_virtio_handle_kick(bus), -ESHUTDOWN);
	/* The channel: gone from the bus, still readable. */
	assert_null(ch->ept);
	assert_null(ch->drv);
	assert_string_equal(ch->name, "svc");

	rpmsg_virtio_put(bus);
	assert_int_equal(g_released, 0); /* the channel still holds its bus */
	rpmsg_channel_put(ch);
	assert_int_equal(g_released, 1);
	pair_close(&p);
}

/* ---- lookups racing creation and release (for ThreadSanitizer) ----------------------- */

#define RACE_ROUNDS 2000

struct racer {
	struct rpmsg_virtio_device *bus;
	atomic_int stop;
	int seen;
};

static void *race_lookups(void *arg)
{
	struct racer *r = arg;
	while (!atomic_load(&r->stop)) {
		struct rpmsg_device *ch = rpmsg_find_channel(r->bus, "race", RPMSG_ADDR_ANY);
		if (!ch)
			continue;
		rpmsg_channel_get(ch);
		if (!strcmp(ch->name, "race"))
			r->seen++;
		rpmsg_channel_put(ch);
		rpmsg_channel_put(ch);
	}
	return NULL;
}

static void test_lookups_race_release(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, 0), 0); /* no name service: nothing sent */
	struct racer r = { .bus = p.host };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, race_lookups, &r), 0);
	struct rpmsg_channel_info ci = { .name = "race", .src = 2000, .dst = 3000 };
	for (int i = 0; i < RACE_ROUNDS; i++) {
		assert_int_equal(rpmsg_create_channel(p.host, &ci, NULL), 0);
		assert_int_equal(rpmsg_release_channel(p.host, &ci), 0);
	}
	atomic_store(&r.stop, 1);
	pthread_join(t, NULL);
	pair_close(&p);
}

/* ---- broken() may call back into the bus ------------------------------------------------ */

static struct rpmsg_endpoint g_victim;
static atomic_int g_victim_msgs, g_reports, g_victim_gone;

static int victim_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept, (void)data, (void)len, (void)src, (void)priv;
	atomic_fetch_add(&g_victim_msgs, 1);
	return 0;
}

/* On a bad message, the embedder closes its endpoint and looks at the bus. */
static void broken_reenters(void *priv, unsigned int vq, int err)
{
	struct pair *p = priv;
	(void)vq;
	atomic_fetch_add(&g_reports, 1);
	if (err != -EBADMSG)
		return;
	assert_int_equal(rpmsg_get_channels(p->host, NULL, 0), 0);
	(void)rpmsg_poll(&g_victim);
	if (!atomic_exchange(&g_victim_gone, 1))
		rpmsg_destroy_ept(&g_victim);
}

/* The remote writes a raw buffer into the host's rx queue, without a kick being served. */
static void raw_queue(struct pair *p, uint32_t src, uint32_t dst, uint16_t hlen, const char *payload,
		      uint32_t used_len)
{
	struct virtqueue_buf iov;
	unsigned int out, in;
	int head = virtqueue_pop(&p->dev->svq, &iov, 1, &out, &in);
	assert_true(head >= 0);
	struct rpmsg_hdr h = { .src = src, .dst = dst, .len = hlen };
	memcpy(iov.addr, &h, sizeof(h));
	memcpy((uint8_t *)iov.addr + 16, payload, strlen(payload));
	assert_int_equal(virtqueue_push(&p->dev->svq, (unsigned int)head, used_len), 0);
	virtqueue_kick(&p->dev->svq);
}

struct kicker {
	struct rpmsg_virtio_device *bus;
	pthread_mutex_t m;
	pthread_cond_t c;
	bool done;
	int ret;
};

static void *kick_thread(void *arg)
{
	struct kicker *k = arg;
	int ret = rpmsg_virtio_handle_kick(k->bus);
	pthread_mutex_lock(&k->m);
	k->ret = ret;
	k->done = true;
	pthread_cond_signal(&k->c);
	pthread_mutex_unlock(&k->m);
	return NULL;
}

static void test_broken_cb_calls_back(void **state)
{
	(void)state;
	struct pair p;
	atomic_store(&g_victim_msgs, 0);
	atomic_store(&g_reports, 0);
	atomic_store(&g_victim_gone, 0);
	assert_int_equal(pair_open(&p, 8, 0, ALL_FEATURES), 0);
	rpmsg_virtio_deinit(p.dev);
	rpmsg_virtio_deinit(p.host);
	p.hcfg.broken = broken_reenters;
	assert_int_equal(pair_host_open(&p, false), 0);
	assert_int_equal(pair_dev_open(&p), 0);
	pair_pump(&p);
	assert_int_equal(rpmsg_create_ept(&g_victim, p.host, 1100, 2000, victim_cb, NULL), 0);

	/* A bad message (header longer than the buffer), then one for the victim. */
	raw_queue(&p, 2000, 1100, 40, "short", 16 + 5);
	raw_queue(&p, 2000, 1100, 4, "good", 16 + 4);

	/* The kick runs on a thread of its own: a deadlock fails the test, not the run. */
	struct kicker k = { .bus = p.host };
	pthread_mutex_init(&k.m, NULL);
	pthread_cond_init(&k.c, NULL);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, kick_thread, &k), 0);
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 60;
	pthread_mutex_lock(&k.m);
	while (!k.done && pthread_cond_timedwait(&k.c, &k.m, &deadline) == 0)
		;
	bool done = k.done;
	pthread_mutex_unlock(&k.m);
	if (!done)
		fail_msg("rpmsg_virtio_handle_kick() did not return: broken() deadlocked");
	pthread_join(t, NULL);
	assert_int_equal(k.ret, 2);
	assert_int_equal(atomic_load(&g_victim_msgs), 1); /* delivered before the report */
	assert_int_equal(atomic_load(&g_reports), 1);
	assert_int_equal(atomic_load(&g_victim_gone), 1);
	pair_close(&p);
}

/* ---- destroys on another thread while a run spanning endpoints is delivered ---------- */

static struct {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool in_cb, go, exited;
	int calls;
} g_blk = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, false, false, 0 };

/* Blocks until told to go, the first time. */
static int blocking_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept, (void)data, (void)len, (void)src, (void)priv;
	pthread_mutex_lock(&g_blk.m);
	g_blk.calls++;
	g_blk.in_cb = true;
	pthread_cond_broadcast(&g_blk.c);
	while (!g_blk.go)
		pthread_cond_wait(&g_blk.c, &g_blk.m);
	g_blk.exited = true;
	pthread_mutex_unlock(&g_blk.m);
	return 0;
}

static int counting_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept, (void)data, (void)len, (void)src, (void)priv;
	pthread_mutex_lock(&g_blk.m);
	g_blk.calls++;
	pthread_mutex_unlock(&g_blk.m);
	return 0;
}

struct destroyer {
	struct rpmsg_endpoint *ept;
	atomic_int done;
	bool cb_exited_then;
};

static void *destroy_thread(void *arg)
{
	struct destroyer *d = arg;
	rpmsg_destroy_ept(d->ept);
	pthread_mutex_lock(&g_blk.m);
	d->cb_exited_then = g_blk.exited;
	pthread_mutex_unlock(&g_blk.m);
	atomic_store(&d->done, 1);
	return NULL;
}

static void test_destroy_during_spanning_run(void **state)
{
	(void)state;
	struct pair p;
	assert_int_equal(pair_open(&p, 8, 0, 0), 0);
	struct rpmsg_endpoint a, b, de;
	assert_int_equal(rpmsg_create_ept(&a, p.host, 1100, 0, blocking_cb, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&b, p.host, 1101, 0, counting_cb, NULL), 0);
	assert_int_equal(rpmsg_create_ept(&de, p.dev, 2000, 0, counting_cb, NULL), 0);
	for (int i = 0; i < 4; i++) /* a, b, a, b: one run of four groups */
		assert_int_equal(rpmsg_trysendto(&de, "x", 1, 1100 + (uint32_t)(i & 1)), 0);
	struct kicker k = { .bus = p.host };
	pthread_mutex_init(&k.m, NULL);
	pthread_cond_init(&k.c, NULL);
	pthread_t kt, dt;
	assert_int_equal(pthread_create(&kt, NULL, kick_thread, &k), 0);
	pthread_mutex_lock(&g_blk.m);
	while (!g_blk.in_cb)
		pthread_cond_wait(&g_blk.c, &g_blk.m);
	pthread_mutex_unlock(&g_blk.m);
	/* b's messages have not begun: its destroy drops them and does not wait. */
	rpmsg_destroy_ept(&b);
	/* a's callback runs: its destroy waits for it, and drops a's second message. */
	struct destroyer d = { .ept = &a };
	assert_int_equal(pthread_create(&dt, NULL, destroy_thread, &d), 0);
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	assert_int_equal(atomic_load(&d.done), 0); /* still waiting */
	pthread_mutex_lock(&g_blk.m);
	g_blk.go = true;
	pthread_cond_broadcast(&g_blk.c);
	pthread_mutex_unlock(&g_blk.m);
	pthread_join(dt, NULL);
	assert_true(d.cb_exited_then);
	pthread_join(kt, NULL);
	assert_int_equal(k.ret, 4);  /* four buffers consumed */
	assert_int_equal(g_blk.calls, 1); /* one delivered */
	rpmsg_destroy_ept(&de);
	pthread_mutex_destroy(&k.m);
	pthread_cond_destroy(&k.c);
	pair_close(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_address_inherits_nothing),
		cmocka_unit_test(test_references_outlive_deinit),
		cmocka_unit_test(test_lookups_race_release),
		cmocka_unit_test(test_broken_cb_calls_back),
		cmocka_unit_test(test_destroy_during_spanning_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
