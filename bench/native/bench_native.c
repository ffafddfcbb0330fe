// SPDX-License-Identifier: MIT
/*
 * bench_native.c - the native core measured from the host, each figure as runs of
 * interleaved pairs (floor, subject) between two processes over shared memory:
 *   - round trip: host -> core -> host through the echo firmware, 16 B and 496 B,
 *     each next message sent from the previous answer's callback (both sides spin,
 *     no system call per message), p50/p99 against a cache-line ping-pong;
 *   - a sleeping host: the same round trip with the host on its event loop (no
 *     spinning: it sleeps in epoll between the message and the answer), against
 *     two processes ping-ponging over eventfds;
 *   - throughput: the flood firmware streaming to the host, and the host streaming
 *     to it, 16 B and 496 B, both receivers copying every message out, against a
 *     raw single-producer ring of the same copies.
 * Usage: bench-native [-r RUNS] [-n ROUNDS] [-m MESSAGES] [--json FILE] [FIRMWARE_DIR]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

#ifndef UPROC_BENCH_FIRMWARE_DIR
#define UPROC_BENCH_FIRMWARE_DIR "build/firmware"
#endif

struct bench_host {
	struct uproc_loop *loop;
	struct rproc *rproc;
	struct rpmsg_driver driver;
	struct rpmsg_device_id ids[2];
	struct rpmsg_endpoint *ept;
	char runtime_dir[64];

	/* round trips */
	uint64_t *rtt_ns;
	size_t rounds, done;
	uint64_t sent_at;
	size_t size;
	/* streams */
	uint64_t received, expected, last_rx_ns, checksum;
	char reply[128];
	bool got_reply;
};

static struct bench_host *host_of(struct rpmsg_device *rpdev)
{
	return (struct bench_host *)((char *)rpdev->drv - offsetof(struct bench_host, driver));
}

static int host_probe(struct rpmsg_device *rpdev)
{
	struct bench_host *h = host_of(rpdev);
	rpdev->ept->priv = h;
	h->ept = rpdev->ept;
	return 0;
}

static void host_remove(struct rpmsg_device *rpdev)
{
	struct bench_host *h = host_of(rpdev);
	if (h->ept == rpdev->ept)
		h->ept = NULL;
}

static void send_ping(struct bench_host *h)
{
	static const uint8_t payload[RPMSG_BUF_SIZE];
	h->sent_at = bench_now_ns();
	while (rpmsg_trysend(h->ept, payload, h->size) == -ENOMEM)
		;	/* a tx buffer comes back as soon as the core answers */
}

static int host_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct bench_host *h = priv;
	uint64_t now = bench_now_ns();
	if (h->rounds) {	/* round-trip mode: the answer to the last ping */
		h->rtt_ns[h->done++] = now - h->sent_at;
		if (h->done < h->rounds)
			send_ping(h);
		else
			uproc_loop_stop(h->loop);
		return 0;
	}
	if (len >= 8 && h->expected) {	/* a flood message: u32 seq, u32 total */
		/* A real consumer reads what it receives: copy it out, as the floor does. */
		static uint8_t sink[RPMSG_BUF_SIZE];
		memcpy(sink, data, len);
		h->checksum += sink[len - 1];
		h->received++;
		h->last_rx_ns = now;
		if (h->received == h->expected)
			uproc_loop_stop(h->loop);
		return 0;
	}
	snprintf(h->reply, sizeof(h->reply), "%.*s", (int)len, (const char *)data);
	h->got_reply = true;
	uproc_loop_stop(h->loop);
	return 0;
}

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	struct bench_host *h = arg;
	rpmsg_register_driver(bus, &h->driver);
}

static void on_removing(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			void *arg)
{
	struct bench_host *h = arg;
	rpmsg_unregister_driver(bus, &h->driver);
}

static int host_open(struct bench_host *h, const char *fw, const char *channel, int cpu,
		     bool host_spins)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->runtime_dir, sizeof(h->runtime_dir), "/tmp/uproc-bench-XXXXXX");
	if (!mkdtemp(h->runtime_dir) || uproc_loop_new(&h->loop) < 0)
		return -errno;
	struct uproc_native_config cfg;
	uproc_native_config_init(&cfg, "bench");
	cfg.runtime_dir = h->runtime_dir;
	cfg.cpu = cpu;
	if (!host_spins)
		cfg.host_spin_ns = 0;
	h->rproc = uproc_native_rproc_alloc(h->loop, &cfg, fw);
	if (!h->rproc)
		return -errno;
	snprintf(h->ids[0].name, sizeof(h->ids[0].name), "%s", channel);
	h->driver.name = "bench";
	h->driver.id_table = h->ids;
	h->driver.probe = host_probe;
	h->driver.remove = host_remove;
	h->driver.callback = host_rx;
	struct rproc_vdev_hooks hooks = { .rpmsg_ready = on_ready, .rpmsg_removing = on_removing,
					  .arg = h };
	rproc_set_vdev_hooks(h->rproc, &hooks);
	return rproc_add(h->rproc);
}

/* Boot and wait for the channel; returns the time it took in ns, or 0 on failure. */
static uint64_t host_boot(struct bench_host *h)
{
	uint64_t t0 = bench_now_ns();
	if (rproc_boot(h->rproc) < 0) {
		fprintf(stderr, "boot: %s\n", rproc_last_error(h->rproc));
		return 0;
	}
	while (!h->ept) {
		if (bench_now_ns() - t0 > 5000000000ull)
			return 0;
		uproc_loop_dispatch(h->loop, 10);
	}
	return bench_now_ns() - t0;
}

static void host_close(struct bench_host *h)
{
	if (h->rproc) {
		if (rproc_get_state(h->rproc) == RPROC_RUNNING)
			rproc_shutdown(h->rproc);
		rproc_del(h->rproc);
		for (int i = 0; i < 5; i++)
			uproc_loop_dispatch(h->loop, 0);
		rproc_free(h->rproc);
	}
	if (h->loop)
		uproc_loop_free(h->loop);
	char path[96];
	snprintf(path, sizeof(path), "%s/native", h->runtime_dir);
	rmdir(path);
	rmdir(h->runtime_dir);
}

static int run_until_stopped(struct bench_host *h, unsigned int timeout_s)
{
	uint64_t t0 = bench_now_ns();
	/* uproc_loop_run() would block forever if the core died: bound it. */
	uproc_loop_stop(h->loop);	/* consumed by the first run: start clean */
	uproc_loop_run(h->loop);
	while (bench_now_ns() - t0 < (uint64_t)timeout_s * 1000000000ull) {
		int r = uproc_loop_dispatch(h->loop, 100);
		if (r < 0)
			return r;
		if (h->got_reply || (h->rounds && h->done == h->rounds) ||
		    (h->expected && h->received == h->expected))
			return 0;
	}
	return -ETIMEDOUT;
}

static int command(struct bench_host *h, const char *cmd)
{
	h->got_reply = false;
	int ret = rpmsg_send(h->ept, cmd, strlen(cmd));
	return ret < 0 ? ret : 0;
}


/* Round trips through the echo firmware: @rounds samples into @d. */
static int round_trips(struct bench_host *h, size_t size, size_t rounds, struct bench_dist *d)
{
	h->size = size;
	h->rounds = rounds;
	h->done = 0;
	send_ping(h);
	int ret = run_until_stopped(h, 60);
	if (ret < 0)
		fprintf(stderr, "bench-native: round trips stalled at %zu\n", h->done);
	else
		bench_dist_of(h->rtt_ns, h->done, d);
	h->rounds = 0;
	return ret;
}

/* The flood firmware streams @messages of @size to the host: messages per second. */
static double stream_down(struct bench_host *h, size_t messages, size_t size)
{
	char cmd[64];
	h->received = 0;
	h->expected = messages;
	snprintf(cmd, sizeof(cmd), "start %zu %zu", messages, size);
	uint64_t t0 = bench_now_ns();
	if (command(h, cmd) < 0 || run_until_stopped(h, 120) < 0) {
		fprintf(stderr, "bench-native: stream stalled at %llu\n",
			(unsigned long long)h->received);
		h->expected = 0;
		return -1;
	}
	h->expected = 0;
	return (double)h->received * 1e9 / (double)(h->last_rx_ns - t0);
}

/* The host streams @messages of @size to the flood firmware: messages per second. */
static double stream_up(struct bench_host *h, size_t messages, size_t size)
{
	static uint8_t payload[RPMSG_BUF_SIZE];
	command(h, "reset");
	uint64_t t0 = bench_now_ns();
	for (size_t i = 0; i < messages; i++) {
		payload[0] = 'x'; /* not a command word */
		while (rpmsg_trysend(h->ept, payload, size) == -ENOMEM)
			uproc_loop_dispatch(h->loop, 0);
	}
	command(h, "stats");
	if (run_until_stopped(h, 60) < 0) {
		fprintf(stderr, "bench-native: no stats answer\n");
		return -1;
	}
	double rate = (double)messages * 1e9 / (double)(bench_now_ns() - t0);
	unsigned long rx = 0;
	sscanf(h->reply, "rx=%lu", &rx);
	if (rx != messages) {
		fprintf(stderr, "bench-native: the core counted %lu of %zu messages\n", rx, messages);
		return -1;
	}
	return rate;
}

int main(int argc, char **argv)
{
	size_t rounds = 20000, messages = 500000, runs = 7;
	int opt;
	bench_report_init("native", &argc, argv);
	while ((opt = getopt(argc, argv, "r:n:m:")) != -1) {
		switch (opt) {
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		case 'n': rounds = strtoul(optarg, NULL, 10); break;
		case 'm': messages = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-native [-r RUNS] [-n ROUNDS] [-m MESSAGES] "
					"[--json FILE] [FIRMWARE_DIR]\n");
			return 2;
		}
	}
	if (runs < 1)
		runs = 1;
	if (runs > BENCH_MAX_RUNS)
		runs = BENCH_MAX_RUNS;
	const char *dir = optind < argc ? argv[optind] : UPROC_BENCH_FIRMWARE_DIR;
	char echo_fw[512], flood_fw[512];
	snprintf(echo_fw, sizeof(echo_fw), "%s/echo.elf", dir);
	snprintf(flood_fw, sizeof(flood_fw), "%s/flood.elf", dir);
	int host_cpu, core_cpu;
	bench_cpus(&host_cpu, &core_cpu);
	bench_pin(host_cpu);
	bench_note("native core: host on CPU %d, core on CPU %d; %zu interleaved floor/subject "
		   "runs per figure", host_cpu, core_cpu, runs);

	static const size_t sizes[] = { 16, 496 };
	struct bench_host h;
	int ret;

	/* ---- round trips, both spinning, then with the host sleeping in its loop ---- */
	for (int sleeping = 0; sleeping < 2; sleeping++) {
		ret = host_open(&h, echo_fw, "rpmsg-client-sample", core_cpu, !sleeping);
		if (ret < 0 || !host_boot(&h)) {
			fprintf(stderr, "bench-native: cannot boot %s\n", echo_fw);
			return 1;
		}
		size_t n = sleeping ? rounds / 4 : rounds;
		h.rtt_ns = calloc(n, sizeof(*h.rtt_ns));
		for (size_t s = 0; s < 2; s++) {
			struct bench_fig f;
			char name[64];
			snprintf(name, sizeof(name), "%s round trip %zu B",
				 sleeping ? "sleeping-host" : "spinning", sizes[s]);
			bench_fig_init(&f, strdup(name), "us",
				       sleeping ? "eventfd ping-pong" : "cache-line ping-pong");
			if (sleeping) {
				f.goal_kind = BENCH_GOAL_RATIO_AT_MOST;
				f.goal = 1.2;
				f.p99_goal = 1.5;
			}
			for (size_t r = 0; r < runs; r++) {
				struct bench_dist fl, su;
				if (sleeping)
					bench_floor_eventfd(n, host_cpu, core_cpu, &fl);
				else
					bench_floor_pingpong(n, host_cpu, core_cpu, &fl);
				bench_pin(host_cpu);
				if (round_trips(&h, sizes[s], n, &su) < 0)
					return 1;
				bench_fig_add_dist(&f, &fl, &su, 1e-3);
			}
			bench_fig_report(&f);
		}
		free(h.rtt_ns);
		host_close(&h);
	}

	/* ---- throughput ---- */
	ret = host_open(&h, flood_fw, "rpmsg-flood", core_cpu, true);
	if (ret < 0 || !host_boot(&h)) {
		fprintf(stderr, "bench-native: cannot boot %s\n", flood_fw);
		return 1;
	}
	for (size_t s = 0; s < 2; s++) {
		for (int up = 0; up < 2; up++) {
			struct bench_fig f;
			char name[64], floor_name[64];
			snprintf(name, sizeof(name), "%s %zu B", up ? "host->core" : "core->host",
				 sizes[s]);
			snprintf(floor_name, sizeof(floor_name), "raw ring of %zu B copies", sizes[s]);
			bench_fig_init(&f, strdup(name), "M msg/s", strdup(floor_name));
			f.goal_kind = BENCH_GOAL_RATIO_AT_LEAST;
			f.goal = sizes[s] == 16 ? 0.5 : 0.75;
			for (size_t r = 0; r < runs; r++) {
				double fl = 0, su;
				bench_floor_ring(messages, sizes[s], host_cpu, core_cpu, &fl);
				bench_pin(host_cpu);
				su = up ? stream_up(&h, messages, sizes[s])
					: stream_down(&h, messages, sizes[s]);
				if (su < 0)
					return 1;
				bench_fig_add(&f, fl / 1e6, su / 1e6);
			}
			bench_fig_report(&f);
		}
	}
	host_close(&h);
	return bench_report_finish();
}
