// SPDX-License-Identifier: MIT
/*
 * test-remoteproc-rpmsg.c - vdevs end to end on the host-memory backend, whose core
 * thread runs the device side of rpmsg (uproc/rpmsg.h) over the memory the core
 * placed: echo round trips, a console vdev, crash -> recovery -> the channel comes
 * back, recovery disabled, a remote that breaks its ring, and detach / a new host
 * attaching to the running core and receiving what it queued meanwhile.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rproc_test_util.h"
#include "uproc/rpmsg.h"
#include "uproc/virtio.h"

struct fixture {
	struct rproc_fixture rf;
	struct fw_echo echo;
	struct thost host;
};

static const struct tb_vring rings[2] = {
	{ .da = RPROC_RSC_ADDR_ANY, .align = 4096, .num = 16 },
	{ .da = RPROC_RSC_ADDR_ANY, .align = 4096, .num = 16 },
};

static void write_fw(const char *path, uint32_t vdev_id)
{
	struct tb t;

	tb_init(&t, UPROC_LITTLE_ENDIAN, 2);
	tb_carveout(&t, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
	tb_vdev(&t, vdev_id, vdev_id == VIRTIO_ID_RPMSG ? 1 : 0, 2, rings, 0);
	assert_int_equal(tfw_simple(path, &t), 0);
}

static int setup_main(void **state, const char *name, uproc_hostmem_main_fn main, uint32_t id)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct uproc_hostmem_config cfg = { .name = name, .main = main, .arg = &f->echo };

	rproc_fixture_open(&f->rf, "echo.elf", &cfg);
	write_fw(f->rf.fw, id);
	thost_init(&f->host, f->rf.rproc, TEST_RPMSG_CH);
	assert_int_equal(rproc_add(f->rf.rproc), 0);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_main(state, "echo", fw_echo_main, VIRTIO_ID_RPMSG);
}

static int setup_console(void **state)
{
	return setup_main(state, "con", fw_console_main, VIRTIO_ID_CONSOLE);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rproc_fixture_close(&f->rf);
	free(f);
	return 0;
}


static void echo_round_trips(struct fixture *f, int count)
{
	struct thost_want_rx w = { .h = &f->host };

	assert_true(pump(f->rf.loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	f->host.nrx = 0;
	/* In batches the remote's 16 transmit buffers (our rx buffers) can take. */
	for (int i = 0; i < count; i++) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "ping %d", i);

		assert_int_equal(rpmsg_send(f->host.ept, msg, (size_t)n), 0);
		if (i % 8 == 7 || i == count - 1) {
			w.n = i + 1;
			assert_true(pump(f->rf.loop, thost_got_rx, &w, PUMP_WAIT_MS));
		}
	}
	for (int i = 0; i < count; i++) {
		char msg[32];

		snprintf(msg, sizeof(msg), "ping %d", i);
		assert_string_equal(f->host.rx[i], msg);
		assert_int_equal(f->host.rx_src[i], f->host.ept->dst);
	}
}

static int rproc_send_crash_request(struct fixture *f)
{
	return rpmsg_send(f->host.ept, "crash", 5);
}

static void test_echo(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_int_equal(f->host.readies, 1);
	echo_round_trips(f, 10);
	/* More than the ring holds: buffers come back and are reused. */
	echo_round_trips(f, 40);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_int_equal(f->host.removes, 1);
	assert_null(f->host.bus);
}

static bool is_running(void *arg)
{
	return rproc_get_state(arg) == RPROC_RUNNING && !rproc_is_recovering(arg);
}

static bool crashed_idle(void *arg)
{
	return rproc_get_crash_count(arg) > 0 && !rproc_is_recovering(arg);
}

static void test_crash_recovery_channel_back(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rproc_set_coredump(f->rf.rproc, RPROC_COREDUMP_ENABLED), 0);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	echo_round_trips(f, 3);

	/* The firmware dies; the backend reports it; recovery restarts it. */
	assert_int_equal(rproc_send_crash_request(f), 0);
	assert_true(pump(f->rf.loop, crashed_idle, f->rf.rproc, PUMP_WAIT_MS));
	assert_true(pump(f->rf.loop, is_running, f->rf.rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rf.rproc), 1);
	assert_true(rproc_coredump_size(f->rf.rproc) > 0);
	assert_int_equal(f->host.removes, 1);
	assert_int_equal(f->host.readies, 2);

	/* The channel is announced again and works. */
	echo_round_trips(f, 5);
	assert_int_equal(f->host.probes, 2);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

static void test_recovery_disabled_stays_crashed(void **state)
{
	struct fixture *f = *state;

	rproc_set_recovery(f->rf.rproc, false);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	echo_round_trips(f, 2);
	assert_int_equal(rproc_send_crash_request(f), 0);
	assert_true(pump(f->rf.loop, crashed_idle, f->rf.rproc, PUMP_WAIT_MS));
	pump_for(f->rf.loop, 100);
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_CRASHED);
	assert_int_equal(f->host.readies, 1);
	/* "recover" brings it and its channel back. */
	assert_int_equal(rproc_recover(f->rf.rproc), 0);
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_RUNNING);
	echo_round_trips(f, 2);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

/* A firmware that corrupts its used ring: the host must call it a crash. */
static int fw_evil_vdev(struct uproc_hostmem_core *core, uint32_t id)
{
	struct uproc_rsc_vdev vdev;
	uint8_t *ring;
	uint64_t used_off;

	for (;;) {
		if (uproc_hostmem_should_stop(core))
			return 0;
		if (fw_find_vdev(core, id, &vdev) == 0 &&
		    (vdev.status & VIRTIO_CONFIG_S_DRIVER_OK))
			break;
		usleep(1000);
	}
	ring = uproc_hostmem_da_to_va(core, vdev.vring[0].da, 4096);
	used_off = (16u * vdev.vring[0].num + 2u * (3u + vdev.vring[0].num) + 4095u) & ~4095ull;
	/* used.idx jumps far past anything the host made available */
	uproc_shm_store_release16(ring + used_off + 2, 200);
	uproc_hostmem_kick(core, vdev.vring[0].notifyid);
	while (uproc_hostmem_wait(core, -1) != -ESHUTDOWN)
		;
	return 0;
}

static int fw_evil_main(struct uproc_hostmem_core *core, void *arg)
{
	(void)arg;
	return fw_evil_vdev(core, VIRTIO_ID_RPMSG);
}

static int fw_evil_console_main(struct uproc_hostmem_core *core, void *arg)
{
	(void)arg;
	return fw_evil_vdev(core, VIRTIO_ID_CONSOLE);
}

static int setup_evil(void **state)
{
	return setup_main(state, "evil", fw_evil_main, VIRTIO_ID_RPMSG);
}

static int setup_evil_console(void **state)
{
	return setup_main(state, "evilcon", fw_evil_console_main, VIRTIO_ID_CONSOLE);
}

struct reentry {
	struct rproc *rproc;
	char object[96];	/* "remoteproc NAME" */
	atomic_int reports;
	atomic_int writes;
};

/*
 * The loop's log sink hears of the broken queue (the processor's line: no lock is
 * held for those) and calls the console and the rproc back.
 */
static void reentering_log(void *arg, enum uproc_log_level level, const char *object,
			   const char *msg)
{
	struct reentry *r = arg;
	struct rproc_vdev_info info;

	(void)level;
	if (!object || strcmp(object, r->object) || !strstr(msg, "broke virtqueue"))
		return;
	atomic_fetch_add(&r->reports, 1);
	/* Before the report left the console's lock, this deadlocked. */
	if (rproc_console_write(r->rproc, 0, "x", 1) != -ENODEV)
		atomic_fetch_add(&r->writes, 1);
	rproc_get_vdev_info(r->rproc, 0, &info);
}

static void test_console_broken_report_unlocked(void **state)
{
	struct fixture *f = *state;
	struct reentry r = { .rproc = f->rf.rproc };

	snprintf(r.object, sizeof(r.object), "remoteproc %s", rproc_get_name(f->rf.rproc));
	alarm(240); /* a deadlock ends the run instead of hanging it */
	rproc_set_recovery(f->rf.rproc, false);
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_DEBUG, reentering_log, &r);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_true(pump(f->rf.loop, crashed_idle, f->rf.rproc, PUMP_WAIT_MS));
	alarm(0);
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_CRASHED);
	assert_int_equal(atomic_load(&r.reports), 1);
	assert_int_equal(atomic_load(&r.writes), 1);
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_WARN, NULL, NULL);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

/* A reference on the bus outlives the vdev's stop: calls fail, nothing is freed under it. */
static void test_bus_reference_across_stop(void **state)
{
	struct fixture *f = *state;
	struct rpmsg_virtio_device *bus;
	struct rpmsg_endpoint e;

	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_true(pump(f->rf.loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	bus = rproc_get_rpmsg(f->rf.rproc, 0);
	assert_non_null(bus);
	assert_true(rpmsg_get_channels(bus, NULL, 0) >= 1);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_null(rproc_get_rpmsg(f->rf.rproc, 0));
	assert_int_equal(rpmsg_get_channels(bus, NULL, 0), 0);
	assert_null(rpmsg_find_channel(bus, TEST_RPMSG_CH, RPMSG_ADDR_ANY));
	assert_int_equal(rpmsg_create_ept(&e, bus, 4000, 1, NULL, NULL), -ESHUTDOWN);
	rpmsg_virtio_put(bus); /* the last one: the bus and its port go */
}

/* What the loop's log sink saw: the rpmsg bus's lines and the processor's. */
struct seen_log {
	char vdev_object[96], rproc_object[96];
	int rpmsg_broke;	/* the bus's line about the broken ring */
	int crash_line;		/* the core's line about the crash */
};

static void capture_log(void *arg, enum uproc_log_level level, const char *object,
			const char *msg)
{
	struct seen_log *seen = arg;

	if (!object)
		return;
	if (!strcmp(object, seen->vdev_object) && level == UPROC_LOG_ERR &&
	    strstr(msg, "rpmsg: peer broke virtqueue"))
		seen->rpmsg_broke++;
	if (!strcmp(object, seen->rproc_object) && level == UPROC_LOG_ERR &&
	    strstr(msg, "crash detected: fatal error"))
		seen->crash_line++;
}

static void test_broken_ring_is_a_crash(void **state)
{
	struct fixture *f = *state;
	struct rproc_vdev_info info;
	struct seen_log seen = { 0 };

	/* An embedder captures the rpmsg bus's warnings and the core's through one sink. */
	snprintf(seen.vdev_object, sizeof(seen.vdev_object), "remoteproc %s vdev0",
		 rproc_get_name(f->rf.rproc));
	snprintf(seen.rproc_object, sizeof(seen.rproc_object), "remoteproc %s",
		 rproc_get_name(f->rf.rproc));
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_DEBUG, capture_log, &seen);
	rproc_set_recovery(f->rf.rproc, false);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_true(pump(f->rf.loop, crashed_idle, f->rf.rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_CRASHED);
	assert_int_equal(rproc_get_crash_count(f->rf.rproc), 1);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 0, &info), 0);
	assert_true(info.broken);
	assert_int_equal(seen.rpmsg_broke, 1);
	assert_int_equal(seen.crash_line, 1);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_WARN, NULL, NULL);
}

static bool console_has(void *arg)
{
	struct thost *h = arg;

	return h->ncon >= 11;
}

static bool console_has_200(void *arg)
{
	return ((struct thost *)arg)->ncon >= 200;
}

static bool console_has_5(void *arg)
{
	return ((struct thost *)arg)->ncon >= 5;
}

static bool console_has_40(void *arg)
{
	return ((struct thost *)arg)->ncon >= 40;
}

static void test_console(void **state)
{
	struct fixture *f = *state;
	struct rproc_vdev_info info;

	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 0, &info), 0);
	assert_int_equal(info.id, VIRTIO_ID_CONSOLE);
	assert_null(rproc_get_rpmsg(f->rf.rproc, 0)); /* NULL: no reference to drop */
	assert_int_equal(rproc_console_write(f->rf.rproc, 0, "hello ", 6), 6);
	assert_int_equal(rproc_console_write(f->rf.rproc, 0, "world", 5), 5);
	assert_int_equal(rproc_console_write(f->rf.rproc, 1, "x", 1), -ENODEV);
	assert_true(pump(f->rf.loop, console_has, &f->host, PUMP_WAIT_MS));
	assert_string_equal(f->host.con, "HELLO WORLD");
	/* Many more writes than the transmit queue holds. */
	f->host.ncon = 0;
	for (int i = 0; i < 100; i++) {
		while (rproc_console_write(f->rf.rproc, 0, "ab", 2) == -EAGAIN)
			uproc_loop_dispatch(f->rf.loop, 5);
	}
	assert_true(pump(f->rf.loop, console_has_200, &f->host, PUMP_WAIT_MS));
	pump_for(f->rf.loop, 20);
	assert_int_equal(f->host.ncon, 200);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_int_equal(rproc_console_write(f->rf.rproc, 0, "x", 1), -ENODEV);
}

static void test_console_detach_attach(void **state)
{
	struct fixture *f = *state;
	struct uproc_hostmem_config cfg = { .name = "con", .main = fw_console_main };
	struct thost *h2 = calloc(1, sizeof(*h2));
	struct rproc *r2;

	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_int_equal(rproc_console_write(f->rf.rproc, 0, "first", 5), 5);
	f->host.ncon = 0;
	assert_true(pump(f->rf.loop, console_has_5, &f->host, PUMP_WAIT_MS));
	assert_string_equal(f->host.con, "FIRST");
	rproc_set_detach_running(f->rf.rproc, true);
	assert_int_equal(rproc_detach(f->rf.rproc), 0);
	rproc_del_and_free(f->rf.loop, f->rf.rproc);
	f->rf.rproc = NULL;

	r2 = uproc_hostmem_rproc_alloc(f->rf.board, f->rf.loop, &cfg, NULL);
	thost_init(h2, r2, "none");
	assert_int_equal(rproc_add(r2), 0);
	assert_int_equal(rproc_get_state(r2), RPROC_ATTACHED);
	for (int i = 0; i < 20; i++) {
		while (rproc_console_write(r2, 0, "xy", 2) == -EAGAIN)
			uproc_loop_dispatch(f->rf.loop, 5);
	}
	assert_true(pump(f->rf.loop, console_has_40, h2, PUMP_WAIT_MS));
	pump_for(f->rf.loop, 20);
	assert_int_equal(h2->ncon, 40);
	assert_int_equal(strncmp(h2->con, "XYXY", 4), 0);
	assert_int_equal(rproc_shutdown(r2), 0);
	rproc_del_and_free(f->rf.loop, r2);
	free(h2);
}

static bool is_detached(void *arg)
{
	return rproc_get_state(arg) == RPROC_DETACHED;
}

static void test_detach_then_new_host_attaches(void **state)
{
	struct fixture *f = *state;
	struct uproc_hostmem_config cfg = { .name = "echo", .main = fw_echo_main,
					    .arg = &f->echo };
	struct thost_want_rx w;
	struct thost *h2 = calloc(1, sizeof(*h2));
	struct rproc *r2;

	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	echo_round_trips(f, 3);

	/* Ask the firmware to send five messages to 1100 in ~150 ms, then leave. */
	assert_int_equal(rpmsg_send(f->host.ept, "hold:5", 6), 0);
	pump_for(f->rf.loop, 10);
	rproc_set_detach_running(f->rf.rproc, true);
	assert_int_equal(rproc_detach(f->rf.rproc), 0);
	assert_true(is_detached(f->rf.rproc));
	assert_int_equal(f->host.nrx, 3);
	/* The first host goes away entirely. */
	assert_int_equal(rproc_del(f->rf.rproc), 0);
	rproc_free(f->rf.rproc);
	f->rf.rproc = NULL;
	usleep(400 * 1000);	/* the core queues its messages with no host */

	/* A new host on the same board finds the running core and attaches. */
	r2 = uproc_hostmem_rproc_alloc(f->rf.board, f->rf.loop, &cfg, NULL);
	assert_non_null(r2);
	thost_init(h2, r2, TEST_RPMSG_CH);
	assert_int_equal(rproc_add(r2), 0);
	assert_int_equal(rproc_get_state(r2), RPROC_ATTACHED);
	assert_int_equal(h2->readies, 1);

	/* What the core queued while no host was there is delivered, in order. */
	w.h = h2;
	w.n = 5;
	assert_true(pump(f->rf.loop, thost_got_rx, &w, PUMP_WAIT_MS));
	for (int i = 0; i < 5; i++) {
		char want[8];

		snprintf(want, sizeof(want), "q%d", i);
		assert_string_equal(h2->rx[i], want);
	}
	/* And the new host can talk to the remote's endpoint it learnt from them. */
	h2->nrx = 0;
	assert_int_equal(rpmsg_sendto(&h2->fixed, "again", 5, h2->rx_src[0]), 0);
	w.n = 1;
	assert_true(pump(f->rf.loop, thost_got_rx, &w, PUMP_WAIT_MS));
	assert_string_equal(h2->rx[0], "again");

	/* It was never restarted. */
	assert_int_equal(rproc_shutdown(r2), 0);
	assert_int_equal(rproc_get_state(r2), RPROC_OFFLINE);
	assert_int_equal(rproc_del(r2), 0);
	pump_for(f->rf.loop, 5);
	rproc_free(r2);
	free(h2);
}

/*
 * Another thread pokes the processor while the main thread boots and stops it:
 * through uproc_loop_call(), so every poke runs on the loop thread, between the
 * main thread's lifecycle calls (while it pumps the loop).
 */
struct poker {
	struct rproc *rproc;
	struct uproc_loop *loop;
	atomic_bool stop;
	atomic_bool done;
	unsigned long pokes;
};

static int poke_on_loop(void *arg)
{
	struct poker *p = arg;
	struct rproc_vdev_info info;
	char buf[64];

	rproc_vq_interrupt(p->rproc, -1);
	rproc_vq_interrupt(p->rproc, 1);
	rproc_get_vdev_info(p->rproc, 0, &info);
	rpmsg_virtio_put(rproc_get_rpmsg(p->rproc, 0));
	rproc_trace_read(p->rproc, 0, buf, sizeof(buf));
	rproc_da_to_va(p->rproc, 0x100000, 16, NULL);
	rproc_get_state(p->rproc);
	p->pokes++;
	return 0;
}

static void *poke_thread(void *arg)
{
	struct poker *p = arg;

	while (!atomic_load(&p->stop))
		if (uproc_loop_call(p->loop, poke_on_loop, p) < 0)
			break;
	atomic_store(&p->done, true);
	return NULL;
}

static void test_concurrent_kicks_during_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct poker p = { .rproc = f->rf.rproc, .loop = f->rf.loop };
	pthread_t th;

	/* No host drivers: the bus's callbacks then touch nothing of the test's. */
	rproc_set_vdev_hooks(f->rf.rproc, NULL);
	assert_int_equal(pthread_create(&th, NULL, poke_thread, &p), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(rproc_boot(f->rf.rproc), 0);
		pump_for(f->rf.loop, 5);
		assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
		pump_for(f->rf.loop, 5);
	}
	atomic_store(&p.stop, true);
	/* The poker may wait in a call: serve it until it has seen the stop. */
	while (!atomic_load(&p.done))
		uproc_loop_dispatch(f->rf.loop, 10);
	pthread_join(th, NULL);
	assert_true(p.pokes > 0);
}

#ifndef NDEBUG
/* A child process calls rproc_get_state() from a second thread. */
static void *get_state_elsewhere(void *arg)
{
	rproc_get_state(arg);
	return NULL;
}
#endif

/*
 * Debug builds check loop affinity at every entry point: a call off the loop
 * thread aborts, naming the function. Release builds (NDEBUG) do not check.
 */
static void test_off_loop_call_aborts_in_debug_builds(void **state)
{
#ifdef NDEBUG
	(void)state;
	skip();
#else
	struct fixture *f = *state;
	int err[2], status;
	char out[512] = { 0 };
	pid_t pid;

	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pthread_t th;

		dup2(err[1], 2);
		if (pthread_create(&th, NULL, get_state_elsewhere, f->rf.rproc) == 0)
			pthread_join(th, NULL);
		_exit(0);	/* not reached when the check works */
	}
	close(err[1]);
	for (size_t n = 0; n + 1 < sizeof(out);) {
		ssize_t r = read(err[0], out + n, sizeof(out) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(err[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(out, "rproc_get_state() called off the loop thread"));
	/* On the loop thread the same call is fine. */
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_OFFLINE);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_recovery_channel_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_disabled_stays_crashed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_ring_is_a_crash, setup_evil, teardown),
		cmocka_unit_test_setup_teardown(test_console_broken_report_unlocked,
						setup_evil_console, teardown),
		cmocka_unit_test_setup_teardown(test_bus_reference_across_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup_console, teardown),
		cmocka_unit_test_setup_teardown(test_console_detach_attach, setup_console, teardown),
		cmocka_unit_test_setup_teardown(test_detach_then_new_host_attaches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_kicks_during_lifecycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_off_loop_call_aborts_in_debug_builds, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
