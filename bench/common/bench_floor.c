// SPDX-License-Identifier: MIT
/*
 * bench_floor.c - the floors the native core is measured against, between two
 * processes over shared memory exactly as host and core are: a cache line bounced
 * back and forth (the least a round trip can cost), and a single-producer ring of
 * fixed-size copies (the most a one-way stream can carry); two processes waking each
 * other through eventfds (the least a sleeping round trip can cost); and memcpy into
 * fresh memory (the most an image load can reach).
 */
#include "bench.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
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
		__asm__ volatile("" ::"r"(sink) : "memory");
		sum += sink[0];
		atomic_store_explicit(&r->tail, i + 1, memory_order_release);
	}
	uint64_t dt = bench_now_ns() - t0;
	waitpid(pid, NULL, 0);
	munmap(r, sizeof(*r));
	*msgs_per_s = (double)messages * 1e9 / (double)dt + (double)(sum & 0) ;
	return 0;
}

int bench_floor_eventfd(size_t rounds, int host_cpu, int peer_cpu, struct bench_dist *out)
{
	int to_peer = eventfd(0, EFD_CLOEXEC), to_host = eventfd(0, EFD_CLOEXEC);
	uint64_t *ns = calloc(rounds, sizeof(*ns));
	if (to_peer < 0 || to_host < 0 || !ns) {
		free(ns);
		return -ENOMEM;
	}
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t v;
		bench_pin(peer_cpu);
		for (size_t i = 0; i < rounds; i++) {
			if (read(to_peer, &v, sizeof(v)) != sizeof(v) ||
			    write(to_host, &v, sizeof(v)) != sizeof(v))
				_exit(1);
		}
		_exit(0);
	}
	bench_pin(host_cpu);
	int ret = 0;
	for (size_t i = 0; i < rounds; i++) {
		uint64_t v = 1, t0 = bench_now_ns();
		if (write(to_peer, &v, sizeof(v)) != sizeof(v) ||
		    read(to_host, &v, sizeof(v)) != sizeof(v)) {
			ret = -EIO;
			rounds = i;
			kill(pid, SIGKILL);
			break;
		}
		ns[i] = bench_now_ns() - t0;
	}
	waitpid(pid, NULL, 0);
	close(to_peer);
	close(to_host);
	bench_dist_of(ns, rounds, out);
	free(ns);
	return ret;
}

double bench_floor_memcpy(size_t bytes)
{
	uint8_t *src = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src == MAP_FAILED)
		return 0;
	memset(src, 0xa5, bytes);
	uint8_t *dst = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED) {
		munmap(src, bytes);
		return 0;
	}
	/* Into memory never touched: page faults included, as a loader's copy pays them. */
	uint64_t t0 = bench_now_ns();
	memcpy(dst, src, bytes);
	__asm__ volatile("" ::"r"(dst) : "memory");
	uint64_t dt = bench_now_ns() - t0;
	munmap(dst, bytes);
	munmap(src, bytes);
	return dt ? (double)bytes * 1e9 / (double)dt : 0;
}
