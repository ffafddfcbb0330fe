// SPDX-License-Identifier: MIT
/*
 * bench_native.c - the native core measured from the host, each figure as runs of
 * interleaved pairs (floor, subject) between two processes over shared memory:
 *   - round trip: host -> core -> host through the echo firmware, 16 B and 496 B,
 *     each next message sent from the previous answer's callback (both sides spin,
 *     no system call per message), p50/p99 against a cache-line ping-pong;
 *   - a sleeping host: a program on the event loop (the host does not spin) that
 *     sends a message, then dispatches the loop (epoll) until the answer is in,
 *     against two processes ping-ponging over eventfds;
 *   - throughput: the flood firmware streaming to the host, and the host streaming
 *     to it, 16 B and 496 B, both senders in batches of STREAM_BATCH
 *     (rpmsg_trysendto_batch()), both receivers copying every message out, against
 *     a raw single-producer ring of the same copies.
 * Usage: bench-native [-r RUNS] [-n ROUNDS] [-m MESSAGES] [-t] [--json FILE] [FIRMWARE_DIR]
 *        (-t: the throughput figures only, for profiling)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_host.h"
#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

#ifndef UPROC_BENCH_FIRMWARE_DIR
#define UPROC_BENCH_FIRMWARE_DIR "build/firmware"
#endif

/*
 * The program of a sleeping host: send, then wait in the loop's dispatch (epoll)
 * until the answer is in, @rounds times.
 */
static int round_trips_from_loop(struct bench_host *h)
{
	uint64_t t0 = bench_now_ns();
	h->from_loop = true;
	while (h->done < h->rounds) {
		size_t want = h->done + 1;
		send_ping(h);
		while (h->done < want) {
			if (bench_now_ns() - t0 > 60000000000ull)
				return -ETIMEDOUT;
			if (uproc_loop_dispatch(h->loop, 1000) < 0)
				return -EIO;
		}
	}
	h->from_loop = false;
	return 0;
}

/* Round trips through the echo firmware: @rounds samples into @d. */
static int round_trips(struct bench_host *h, size_t size, size_t rounds, bool sleeping,
		       struct bench_dist *d)
{
	h->size = size;
	h->rounds = rounds;
	h->done = 0;
	int ret;
	if (sleeping) {
		ret = round_trips_from_loop(h);
	} else {
		send_ping(h);
		ret = run_until_stopped(h, 60);
	}
	if (ret < 0)
		fprintf(stderr, "bench-native: round trips stalled at %zu\n", h->done);
	else
		bench_dist_of(h->rtt_ns, h->done, d);
	h->rounds = 0;
	return ret;
}

/* Messages per rpmsg_trysendto_batch() call of the streams, both ways. */
#define STREAM_BATCH 16u

/* The flood firmware streams @messages of @size to the host: messages per second. */
static double stream_down(struct bench_host *h, size_t messages, size_t size)
{
	char cmd[64];
	h->received = 0;
	h->expected = messages;
	snprintf(cmd, sizeof(cmd), "start %zu %zu %u", messages, size, STREAM_BATCH);
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
	static uint8_t payload[STREAM_BATCH][RPMSG_BUF_SIZE];
	struct rpmsg_msg batch[STREAM_BATCH];
	for (size_t i = 0; i < STREAM_BATCH; i++) {
		payload[i][0] = 'x'; /* not a command word */
		batch[i] = (struct rpmsg_msg){ payload[i], size };
	}
	command(h, "reset");
	uint64_t t0 = bench_now_ns();
	for (size_t sent = 0; sent < messages;) {
		size_t n = messages - sent < STREAM_BATCH ? messages - sent : STREAM_BATCH;
		int r = rpmsg_trysendto_batch(h->ept, h->ept->dst, batch, (unsigned int)n);
		if (r == -ENOMEM) {
			uproc_loop_dispatch(h->loop, 0);
			continue;
		}
		if (r < 0) {
			fprintf(stderr, "bench-native: send: %d\n", r);
			return -1;
		}
		sent += (size_t)r;
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
	bool only_throughput = false;
	int opt;
	bench_report_init("native", &argc, argv);
	while ((opt = getopt(argc, argv, "r:n:m:t")) != -1) {
		switch (opt) {
		case 't': only_throughput = true; break;
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		case 'n': rounds = strtoul(optarg, NULL, 10); break;
		case 'm': messages = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-native [-r RUNS] [-n ROUNDS] [-m MESSAGES] [-t] "
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
	for (int sleeping = 0; sleeping < 2 && !only_throughput; sleeping++) {
		struct bench_host_opts o = { .cpu = core_cpu, .host_spins = !sleeping };
		ret = host_open(&h, echo_fw, "rpmsg-client-sample", &o);
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
				if (round_trips(&h, sizes[s], n, sleeping, &su) < 0)
					return 1;
				bench_fig_add_dist(&f, &fl, &su, 1e-3);
			}
			bench_fig_report(&f);
		}
		free(h.rtt_ns);
		host_close(&h);
	}

	/* ---- throughput ---- */
	struct bench_host_opts o = { .cpu = core_cpu, .host_spins = true };
	ret = host_open(&h, flood_fw, "rpmsg-flood", &o);
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
