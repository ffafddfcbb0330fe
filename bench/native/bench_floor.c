// SPDX-License-Identifier: MIT
/*
 * bench_floor.c - the floors the native core is measured against, between two
 * processes over shared memory exactly as host and core are: a cache line bounced
 * back and forth (the least a round trip can cost), and a single-producer ring of
 * fixed-size copies (the most a one-way stream can carry).
 */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct pingpong {
	_Alignas(64) _Atomic uint64_t ping;
	_Alignas(64) _Atomic uint64_t pong;
};

int bench_floor_pingpong(size_t rounds, int host_cpu, int peer_cpu, struct bench_dist *out)
{
	struct pingpong *pp = mmap(NULL, sizeof(*pp), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t *ns = calloc(rounds, sizeof(*ns));
	if (pp == MAP_FAILED || !ns) {
		free(ns);
		return -ENOMEM;
	}
	pid_t pid = fork();
	if (pid == 0) {
		bench_pin(peer_cpu);
		for (uint64_t i = 1; i <= rounds; i++) {
			while (atomic_load_explicit(&pp->ping, memory_order_acquire) != i)
				;
			atomic_store_explicit(&pp->pong, i, memory_order_release);
		}
		_exit(0);
	}
	bench_pin(host_cpu);
	for (uint64_t i = 1; i <= rounds; i++) {
		uint64_t t0 = bench_now_ns();
		atomic_store_explicit(&pp->ping, i, memory_order_release);
		while (atomic_load_explicit(&pp->pong, memory_order_acquire) != i)
			;
		ns[i - 1] = bench_now_ns() - t0;
	}
	waitpid(pid, NULL, 0);
	bench_dist_of(ns, rounds, out);
	free(ns);
	munmap(pp, sizeof(*pp));
	return 0;
}

#define RING_SLOTS 256u

struct raw_ring {
	_Alignas(64) _Atomic uint64_t head;	/* written by the producer */
	_Alignas(64) _Atomic uint64_t tail;	/* written by the consumer */
	_Alignas(64) uint8_t slot[RING_SLOTS][512];
};

int bench_floor_ring(size_t messages, size_t size, int host_cpu, int peer_cpu, double *msgs_per_s)
{
	struct raw_ring *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return -ENOMEM;
	if (size > sizeof(r->slot[0]))
		size = sizeof(r->slot[0]);
	pid_t pid = fork();
	if (pid == 0) {
		uint8_t msg[512];
		memset(msg, 0x5a, sizeof(msg));
		bench_pin(peer_cpu);
		for (uint64_t i = 0; i < messages; i++) {
			while (i - atomic_load_explicit(&r->tail, memory_order_acquire) >= RING_SLOTS)
				;
			memcpy(&msg[0], &i, sizeof(i));
			memcpy(r->slot[i % RING_SLOTS], msg, size);
			atomic_store_explicit(&r->head, i + 1, memory_order_release);
		}
		_exit(0);
	}
	bench_pin(host_cpu);
	uint8_t sink[512];
	uint64_t sum = 0, t0 = bench_now_ns();
	for (uint64_t i = 0; i < messages; i++) {
		while (atomic_load_explicit(&r->head, memory_order_acquire) <= i)
			;
		memcpy(sink, r->slot[i % RING_SLOTS], size);
		sum += sink[0];
		atomic_store_explicit(&r->tail, i + 1, memory_order_release);
	}
	uint64_t dt = bench_now_ns() - t0;
	waitpid(pid, NULL, 0);
	munmap(r, sizeof(*r));
	*msgs_per_s = (double)messages * 1e9 / (double)dt + (double)(sum & 0) ;
	return 0;
}
