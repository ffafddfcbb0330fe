// SPDX-License-Identifier: MIT
/*
 * bench_native.c - the native core measured from the host, against floors measured
 * in the same run between two plain processes over shared memory:
 *   - boot time: rproc_boot() of the echo firmware until its channel is bound;
 *   - round trip: host -> core -> host through the echo firmware, 16 B and 496 B,
 *     each next message sent from the previous answer's callback (both sides spin,
 *     no system call per message), p50/p99 against a cache-line ping-pong;
 *   - throughput: the flood firmware streaming to the host, and the host streaming
 *     to it, 16 B and 496 B, against a raw single-producer ring of the same copies.
 * Usage: bench-native [-n ROUNDS] [-m MESSAGES] [-b BOOTS] [FIRMWARE_DIR]
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

static int host_open(struct bench_host *h, const char *fw, const char *channel, int cpu)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->runtime_dir, sizeof(h->runtime_dir), "/tmp/uproc-bench-XXXXXX");
	if (!mkdtemp(h->runtime_dir) || uproc_loop_new(&h->loop) < 0)
		return -errno;
	struct uproc_native_config cfg;
	uproc_native_config_init(&cfg, "bench");
	cfg.runtime_dir = h->runtime_dir;
	cfg.cpu = cpu;
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

int main(int argc, char **argv)
{
	size_t rounds = 20000, messages = 200000, boots = 20;
	int opt;
	while ((opt = getopt(argc, argv, "n:m:b:")) != -1) {
		switch (opt) {
		case 'n': rounds = strtoul(optarg, NULL, 10); break;
		case 'm': messages = strtoul(optarg, NULL, 10); break;
		case 'b': boots = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-native [-n ROUNDS] [-m MESSAGES] [-b BOOTS] [FIRMWARE_DIR]\n");
			return 2;
		}
	}
	const char *dir = optind < argc ? argv[optind] : UPROC_BENCH_FIRMWARE_DIR;
	char echo_fw[512], flood_fw[512];
	snprintf(echo_fw, sizeof(echo_fw), "%s/echo.elf", dir);
	snprintf(flood_fw, sizeof(flood_fw), "%s/flood.elf", dir);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int host_cpu = ncpu >= 2 ? 0 : -1, core_cpu = ncpu >= 2 ? 1 : -1;
	bench_pin(host_cpu);

	printf("uproc native-core benchmark (%ld CPUs; host on CPU %d, core on CPU %d)\n\n", ncpu,
	       host_cpu, core_cpu);

	/* ---- floors ---- */
	struct bench_dist floor_rtt;
	double floor_ring16, floor_ring496;
	bench_floor_pingpong(rounds * 5, host_cpu, core_cpu, &floor_rtt);
	bench_floor_ring(messages * 5, 16, host_cpu, core_cpu, &floor_ring16);
	bench_floor_ring(messages * 5, 496, host_cpu, core_cpu, &floor_ring496);
	printf("floors (two processes, shared memory):\n");
	printf("  cache-line ping-pong round trip  p50 %8.3f us  p99 %8.3f us\n",
	       floor_rtt.p50 / 1e3, floor_rtt.p99 / 1e3);
	printf("  raw ring,  16 B copies           %8.2f M msg/s\n", floor_ring16 / 1e6);
	printf("  raw ring, 496 B copies           %8.2f M msg/s\n\n", floor_ring496 / 1e6);

	/* ---- boot time ---- */
	struct bench_host h;
	int ret = host_open(&h, echo_fw, "rpmsg-client-sample", core_cpu);
	if (ret < 0) {
		fprintf(stderr, "bench-native: cannot set up a core for %s: %s\n", echo_fw,
			strerror(-ret));
		return 1;
	}
	uint64_t *boot_ns = calloc(boots, sizeof(*boot_ns));
	for (size_t i = 0; i < boots; i++) {
		boot_ns[i] = host_boot(&h);
		if (!boot_ns[i]) {
			fprintf(stderr, "bench-native: boot %zu failed\n", i);
			return 1;
		}
		if (i + 1 < boots) {
			rproc_shutdown(h.rproc);
			for (int k = 0; k < 3; k++)
				uproc_loop_dispatch(h.loop, 0);
		}
	}
	struct bench_dist boot;
	bench_dist_of(boot_ns, boots, &boot);
	free(boot_ns);
	printf("boot to channel-ready (echo.elf, %zu boots): p50 %.2f ms  p99 %.2f ms  min %.2f ms\n\n",
	       boots, boot.p50 / 1e6, boot.p99 / 1e6, boot.min / 1e6);

	/* ---- round trips ---- */
	printf("round trip host -> core -> host (echo.elf, %zu rounds):\n", rounds);
	static const size_t sizes[] = { 16, 496 };
	h.rtt_ns = calloc(rounds, sizeof(*h.rtt_ns));
	for (size_t s = 0; s < 2; s++) {
		h.size = sizes[s];
		h.rounds = rounds;
		h.done = 0;
		send_ping(&h);
		if (run_until_stopped(&h, 60) < 0) {
			fprintf(stderr, "bench-native: round trips stalled at %zu\n", h.done);
			return 1;
		}
		struct bench_dist d;
		bench_dist_of(h.rtt_ns, h.done, &d);
		printf("  %3zu B  p50 %8.3f us  p99 %8.3f us   (%.1fx / %.1fx the ping-pong floor)\n",
		       sizes[s], d.p50 / 1e3, d.p99 / 1e3, d.p50 / floor_rtt.p50,
		       d.p99 / floor_rtt.p99);
	}
	h.rounds = 0;
	free(h.rtt_ns);
	host_close(&h);

	/* ---- throughput ---- */
	ret = host_open(&h, flood_fw, "rpmsg-flood", core_cpu);
	if (ret < 0 || !host_boot(&h)) {
		fprintf(stderr, "bench-native: cannot boot %s\n", flood_fw);
		return 1;
	}
	printf("\nthroughput (flood.elf, %zu messages each way):\n", messages);
	for (size_t s = 0; s < 2; s++) {
		char cmd[64];
		double floor = sizes[s] == 16 ? floor_ring16 : floor_ring496;
		/* core -> host */
		h.received = 0;
		h.expected = messages;
		snprintf(cmd, sizeof(cmd), "start %zu %zu", messages, sizes[s]);
		uint64_t t0 = bench_now_ns();
		if (command(&h, cmd) < 0 || run_until_stopped(&h, 120) < 0) {
			fprintf(stderr, "bench-native: stream stalled at %llu\n",
				(unsigned long long)h.received);
			return 1;
		}
		double down = (double)h.received * 1e9 / (double)(h.last_rx_ns - t0);
		h.expected = 0;
		/* host -> core */
		static uint8_t payload[RPMSG_BUF_SIZE];
		command(&h, "reset");
		t0 = bench_now_ns();
		for (size_t i = 0; i < messages; i++) {
			payload[0] = 'x';	/* not a command word */
			while (rpmsg_trysend(h.ept, payload, sizes[s]) == -ENOMEM)
				uproc_loop_dispatch(h.loop, 0);
		}
		command(&h, "stats");
		if (run_until_stopped(&h, 60) < 0) {
			fprintf(stderr, "bench-native: no stats answer\n");
			return 1;
		}
		double up = (double)messages * 1e9 / (double)(bench_now_ns() - t0);
		unsigned long rx = 0;
		sscanf(h.reply, "rx=%lu", &rx);
		printf("  %3zu B  core->host %6.3f M msg/s (%4.1f%% of the raw ring)   "
		       "host->core %6.3f M msg/s (%4.1f%%)%s\n",
		       sizes[s], down / 1e6, 100.0 * down / floor, up / 1e6, 100.0 * up / floor,
		       rx == messages ? "" : "  [core counted fewer messages!]");
	}
	host_close(&h);
	return 0;
}
