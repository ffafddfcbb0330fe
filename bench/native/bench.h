/* SPDX-License-Identifier: MIT */
/* bench.h - private to the native-core benchmark: floors and statistics. */
#ifndef UPROC_BENCH_NATIVE_H
#define UPROC_BENCH_NATIVE_H

#include <stddef.h>
#include <stdint.h>

/** struct bench_dist - a latency distribution in nanoseconds. */
struct bench_dist {
	double p50, p99, min, max;
	size_t n;
};

uint64_t bench_now_ns(void);
/* Sorts @ns in place and summarises it. */
void bench_dist_of(uint64_t *ns, size_t n, struct bench_dist *out);

/* Cross-process cache-line ping-pong: one round trip per sample. */
int bench_floor_pingpong(size_t rounds, int host_cpu, int peer_cpu, struct bench_dist *out);
/* Cross-process single-producer ring of @size-byte copies: messages per second. */
int bench_floor_ring(size_t messages, size_t size, int host_cpu, int peer_cpu, double *msgs_per_s);
/* Pin the calling thread to @cpu (-1: leave it). */
void bench_pin(int cpu);

#endif
