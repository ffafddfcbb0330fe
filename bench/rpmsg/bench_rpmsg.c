/* SPDX-License-Identifier: MIT */
/*
 * bench_rpmsg.c - rpmsg between two threads of one process (host role against
 * device role over one shared region, spinning, no system call per message), each
 * figure as interleaved runs of a floor and the subject (bench/common/bench.h):
 *   - round trip 16/496 B against a cache-line ping-pong between the same threads;
 *   - one way 16/496 B, the receiver copying each message out, against a raw
 *     single-producer ring of the same copies, both ways: one rpmsg_trysendto()
 *     per message, then in batches (rpmsg_trysendto_batch());
 *   - scale: the cost of a message with 10,000 endpoints bound against one bound
 *     (all to one endpoint, and spread over all of them); the host's cost per
 *     channel announcement and per teardown at 1,000 channels against at 100.
 *
 * Usage: bench-rpmsg [-r RUNS] [-m MESSAGES] [--json FILE] [oneway|steps|scale|tput]
 *        ("oneway" runs only the single sends one way, both ways, once, for profiling; "scale"
 *        only the endpoint figures measured in one thread; "tput" only the
 *        one-way throughput figures, both ways, single sends and batches; "steps"
 *        streams both ways in one thread, host and device taking turns, so that an
 *        instruction count per message can be had: valgrind --tool=callgrind)
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#include "uproc/port.h"
#include "uproc/rpmsg.h"

#define RT_SAMPLES 20000
#define CACHELINE 64

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* ---- floor 1: cache-line ping-pong ------------------------------------------------ */

struct pingpong {
	_Alignas(CACHELINE) atomic_uint ping;
	_Alignas(CACHELINE) atomic_uint pong;
	int n;
};

static void *pong_thread(void *a)
{
	struct pingpong *pp = a;
	pin(1);
	for (unsigned int i = 1; i <= (unsigned int)pp->n; i++) {
		while (atomic_load_explicit(&pp->ping, memory_order_acquire) != i)
			cpu_relax();
		atomic_store_explicit(&pp->pong, i, memory_order_release);
	}
	return NULL;
}

static struct bench_dist floor_pingpong(uint64_t *samples)
{
	static struct pingpong pp;
	atomic_store(&pp.ping, 0);
	atomic_store(&pp.pong, 0);
	pp.n = RT_SAMPLES;
	pthread_t th;
	pthread_create(&th, NULL, pong_thread, &pp);
	pin(0);
	for (unsigned int i = 1; i <= (unsigned int)pp.n; i++) {
		uint64_t t0 = now_ns();
		atomic_store_explicit(&pp.ping, i, memory_order_release);
		while (atomic_load_explicit(&pp.pong, memory_order_acquire) != i)
			cpu_relax();
		samples[i - 1] = now_ns() - t0;
	}
	pthread_join(th, NULL);
	struct bench_dist d;
	bench_dist_of(samples, (size_t)pp.n, &d);
	return d;
}

/* ---- floor 2: raw SPSC ring of 496-byte copies --------------------------------------- */

#define RING_SLOTS 256
struct rawring {
	_Alignas(CACHELINE) atomic_uint head;
	_Alignas(CACHELINE) atomic_uint tail;
	_Alignas(CACHELINE) uint8_t slot[RING_SLOTS][512];
	long n;
	size_t len;
};

static void *raw_consumer(void *a)
{
	struct rawring *r = a;
	uint8_t sink[512];
	pin(1);
	unsigned int tail = 0, head = 0;
	for (long i = 0; i < r->n; i++) {
		/* Re-read the producer's index only when the cached one is used up. */
		while (head == tail) {
			head = atomic_load_explicit(&r->head, memory_order_acquire);
			if (head == tail)
				cpu_relax();
		}
		memcpy(sink, r->slot[tail % RING_SLOTS], r->len);
		__asm__ volatile("" ::"r"(sink) : "memory");
		atomic_store_explicit(&r->tail, ++tail, memory_order_release);
	}
	return NULL;
}

static double floor_raw_ring(long n, size_t len)
{
	static struct rawring r;
	atomic_store(&r.head, 0);
	atomic_store(&r.tail, 0);
	r.n = n;
	r.len = len;
	uint8_t src[512];
	memset(src, 0x5a, sizeof(src));
	pthread_t th;
	pthread_create(&th, NULL, raw_consumer, &r);
	pin(0);
	uint64_t t0 = now_ns();
	unsigned int head = 0, tail = 0;
	for (long i = 0; i < n; i++) {
		while (head - tail >= RING_SLOTS) {
			tail = atomic_load_explicit(&r.tail, memory_order_acquire);
			if (head - tail >= RING_SLOTS)
				cpu_relax();
		}
		memcpy(r.slot[head % RING_SLOTS], src, len);
		atomic_store_explicit(&r.head, ++head, memory_order_release);
	}
	pthread_join(th, NULL);
	return n / ((now_ns() - t0) / 1e9);
}

/* ---- rpmsg pair ---------------------------------------------------------------------- */

struct bench {
	uint8_t *mem;
	struct uproc_shm shm;
	struct uproc_port *hport, *dport;
	struct rpmsg_virtio_device *host, *dev;
	_Alignas(CACHELINE) struct rpmsg_endpoint he;     /* the host thread's */
	_Alignas(CACHELINE) struct rpmsg_endpoint de;     /* the device thread's */
	_Alignas(CACHELINE) atomic_long host_rx;
	_Alignas(CACHELINE) atomic_long dev_rx;
	_Alignas(CACHELINE) atomic_int stop;
	bool echo;
	struct rpmsg_virtio_device *rx_vdev; /* the receiving thread's side */
};

static void no_notify(void *priv, unsigned int vq)
{
	(void)priv;
	(void)vq; /* spinning mode: both sides poll their rings */
}

static int host_cb(struct rpmsg_endpoint *ept, void *d, size_t len, uint32_t src, void *priv)
{
	(void)ept;
	(void)src;
	struct bench *b = priv;
	/* A real receiver reads its message: copy it out, as the raw ring's consumer does. */
	uint8_t sink[512];
	memcpy(sink, d, len < sizeof(sink) ? len : sizeof(sink));
	__asm__ volatile("" ::"r"(sink) : "memory");
	/* One writer: a plain increment, as the raw ring's consumer publishes its tail. */
	atomic_store_explicit(&b->host_rx, atomic_load_explicit(&b->host_rx, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	return 0;
}

static int dev_cb(struct rpmsg_endpoint *ept, void *d, size_t len, uint32_t src, void *priv)
{
	(void)src;
	struct bench *b = priv;
	if (b->echo) {
		while (rpmsg_trysend(ept, d, len) == -ENOMEM)
			cpu_relax();
	} else {
		uint8_t sink[512];
		memcpy(sink, d, len < sizeof(sink) ? len : sizeof(sink));
		__asm__ volatile("" ::"r"(sink) : "memory");
	}
	atomic_store_explicit(&b->dev_rx, atomic_load_explicit(&b->dev_rx, memory_order_relaxed) + 1,
			      memory_order_relaxed);
	return 0;
}

static int bench_open(struct bench *b, unsigned int num)
{
	uint64_t vs = (uproc_vring_size(num, 4096) + 4095) & ~4095ull;
	uint32_t count = 2 * num < 512 ? 2 * num : 512;
	uint64_t size = 2 * vs + (uint64_t)count * 512;
	b->mem = aligned_alloc(4096, (size + 4095) & ~4095ull);
	memset(b->mem, 0, size);
	uproc_shm_init(&b->shm, b->mem, 0x10000000, size);
	if (uproc_port_posix_new(&b->hport) || uproc_port_posix_new(&b->dport))
		return -1;
	struct rpmsg_virtio_config c = {
		.role = VIRTIO_ROLE_DRIVER,
		.port = b->hport,
		.buf_shm = &b->shm,
		.buf_da = 0x10000000 + 2 * vs,
		.features = (1u << VIRTIO_RPMSG_F_NS) | (1u << VIRTIO_RING_F_EVENT_IDX),
		.notify = no_notify,
		.priv = b,
	};
	for (int i = 0; i < 2; i++)
		c.vring[i] = (struct rpmsg_virtio_vring){ &b->shm, 0x10000000 + i * vs, num, 4096 };
	if (rpmsg_virtio_init(&b->host, &c))
		return -1;
	c.role = VIRTIO_ROLE_DEVICE;
	c.port = b->dport;
	c.features = rpmsg_virtio_get_features(b->host);
	if (rpmsg_virtio_init(&b->dev, &c))
		return -1;
	if (rpmsg_create_ept(&b->he, b->host, 1024, 2048, host_cb, b) ||
	    rpmsg_create_ept(&b->de, b->dev, 2048, 1024, dev_cb, b))
		return -1;
	return 0;
}

static void bench_close(struct bench *b)
{
	rpmsg_destroy_ept(&b->he);
	rpmsg_destroy_ept(&b->de);
	rpmsg_virtio_deinit(b->dev);
	rpmsg_virtio_deinit(b->host);
	uproc_port_posix_free(b->hport);
	uproc_port_posix_free(b->dport);
	free(b->mem);
}

static void *dev_thread(void *a)
{
	struct bench *b = a;
	struct rpmsg_virtio_device *vdev = b->rx_vdev ? b->rx_vdev : b->dev;
	pin(1);
	while (!atomic_load_explicit(&b->stop, memory_order_relaxed)) {
		if (rpmsg_virtio_handle_kick(vdev) == 0)
			cpu_relax();
	}
	return NULL;
}

static struct bench_dist rpmsg_roundtrip(struct bench *b, size_t len, uint64_t *samples)
{
	uint8_t msg[512];
	memset(msg, 0x33, sizeof(msg));
	b->echo = true;
	atomic_store(&b->stop, 0);
	atomic_store(&b->host_rx, 0);
	pthread_t th;
	pthread_create(&th, NULL, dev_thread, b);
	pin(0);
	for (int i = 0; i < RT_SAMPLES + 1000; i++) {
		long want = atomic_load(&b->host_rx) + 1;
		uint64_t t0 = now_ns();
		while (rpmsg_trysend(&b->he, msg, len) == -ENOMEM)
			cpu_relax();
		while (atomic_load_explicit(&b->host_rx, memory_order_relaxed) < want) {
			if (rpmsg_virtio_handle_kick(b->host) == 0)
				cpu_relax();
		}
		if (i >= 1000) /* warm-up first */
			samples[i - 1000] = now_ns() - t0;
	}
	atomic_store(&b->stop, 1);
	pthread_join(th, NULL);
	struct bench_dist d;
	bench_dist_of(samples, RT_SAMPLES, &d);
	return d;
}

/* Host -> device (device -> host when @down), @n messages of @len to the other
 * side's bench endpoint, or spread over @spread addresses from SCALE_BASE when
 * @spread; one rpmsg_trysendto() each, or rpmsg_trysendto_batch() of @batch when
 * @batch > 1. Messages per second. */
#define SCALE_BASE 5000u
#define BATCH 16u
static double rpmsg_stream(struct bench *b, long n, size_t len, unsigned int spread,
			   unsigned int batch, bool down)
{
	static uint8_t msg[BATCH][512];
	struct rpmsg_msg m[BATCH];
	for (unsigned int i = 0; i < BATCH; i++) {
		memset(msg[i], 0x44, sizeof(msg[i]));
		m[i] = (struct rpmsg_msg){ msg[i], len };
	}
	b->echo = false;
	b->rx_vdev = down ? b->host : b->dev;
	struct rpmsg_endpoint *tx = down ? &b->de : &b->he;
	_Atomic long *rx = down ? &b->host_rx : &b->dev_rx;
	atomic_store(&b->stop, 0);
	atomic_store(rx, 0);
	pthread_t th;
	pthread_create(&th, NULL, dev_thread, b);
	pin(0);
	uint64_t t0 = now_ns();
	unsigned int k = 0;
	for (long i = 0; i < n;) {
		uint32_t dst = tx->dst;
		if (spread) {
			dst = SCALE_BASE + k;
			k = k + 1 == spread ? 0 : k + 1;
		}
		if (batch > 1) {
			long left = n - i;
			int r = rpmsg_trysendto_batch(tx, dst, m, left < batch ? (unsigned int)left : batch);
			if (r > 0)
				i += r;
			else
				cpu_relax();
			continue;
		}
		while (rpmsg_trysendto(tx, msg[0], len, dst) == -ENOMEM)
			cpu_relax();
		i++;
	}
	while (atomic_load_explicit(rx, memory_order_relaxed) < n)
		cpu_relax();
	double rate = n / ((now_ns() - t0) / 1e9);
	atomic_store(&b->stop, 1);
	pthread_join(th, NULL);
	b->rx_vdev = NULL;
	return rate;
}

static double rpmsg_oneway_to(struct bench *b, long n, size_t len, unsigned int spread)
{
	return rpmsg_stream(b, n, len, spread, 1, false);
}

/* One thread: the sender fills the ring, the receiver drains it, in turns. */
static void rpmsg_steps(struct bench *b, long n, size_t len, bool down)
{
	uint8_t msg[512];
	memset(msg, 0x55, sizeof(msg));
	b->echo = false;
	atomic_store(&b->dev_rx, 0);
	atomic_store(&b->host_rx, 0);
	_Atomic long *rx = down ? &b->host_rx : &b->dev_rx;
	for (long sent = 0; sent < n;) {
		while (sent < n && rpmsg_trysend(down ? &b->de : &b->he, msg, len) == 0)
			sent++;
		(void)rpmsg_virtio_handle_kick(down ? b->host : b->dev);
		(void)rpmsg_virtio_handle_kick(down ? b->dev : b->host); /* buffers back */
	}
	while (atomic_load(rx) < n)
		(void)rpmsg_virtio_handle_kick(down ? b->host : b->dev);
}

static double rpmsg_oneway(struct bench *b, long n, size_t len)
{
	return rpmsg_oneway_to(b, n, len, 0);
}

/* ---- scale: endpoints ------------------------------------------------------------- */

#define SCALE_EPTS 10000u
static struct rpmsg_endpoint scale_ept[SCALE_EPTS - 1];

/* Bind @n more endpoints on the device (receiving) side, or unbind them (n = 0). */
static int scale_bind(struct bench *b, unsigned int n)
{
	for (unsigned int i = 0; i < SCALE_EPTS - 1; i++) {
		bool bound = scale_ept[i].vdev != NULL;
		if (i < n && !bound) {
			if (rpmsg_create_ept(&scale_ept[i], b->dev, SCALE_BASE + i, 1024, dev_cb, b))
				return -1;
		} else if (i >= n && bound) {
			rpmsg_destroy_ept(&scale_ept[i]);
			memset(&scale_ept[i], 0, sizeof(scale_ept[i]));
		}
	}
	return 0;
}

/*
 * The same in one thread, taking turns (the host sends while buffers last, the
 * device drains): the CPU time this thread spends per message, which a machine
 * loaded by others disturbs far less than two spinning threads' wall time.
 */
static double scale_steps_ns(struct bench *b, long n, unsigned int spread)
{
	uint8_t msg[16];
	memset(msg, 0x66, sizeof(msg));
	b->echo = false;
	atomic_store(&b->dev_rx, 0);
	struct timespec t0, t1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	unsigned int k = 0;
	for (long sent = 0; sent < n;) {
		for (;;) {
			uint32_t dst = 2048;
			if (spread) {
				dst = SCALE_BASE + k;
				k = k + 1 == spread ? 0 : k + 1;
			}
			if (sent == n || rpmsg_trysendto(&b->he, msg, sizeof(msg), dst))
				break;
			sent++;
		}
		(void)rpmsg_virtio_handle_kick(b->dev);
	}
	while (atomic_load(&b->dev_rx) < n)
		(void)rpmsg_virtio_handle_kick(b->dev);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
	       (double)n;
}

/* ---- scale: channels -------------------------------------------------------------- */

#define SCALE_CHANNELS 1000u
#define SCALE_BATCH 100u

/* Let the host take every pending message; returns the ns it spent. */
static uint64_t host_drain(struct bench *b, unsigned int expect)
{
	uint64_t t0 = now_ns();
	unsigned int got = 0;
	for (int idle = 0; got < expect && idle < 1000000; ) {
		int r = rpmsg_virtio_handle_kick(b->host);
		if (r > 0) {
			got += (unsigned int)r;
			idle = 0;
		} else {
			idle++;
		}
	}
	uint64_t dt = now_ns() - t0;
	(void)rpmsg_virtio_handle_kick(b->dev); /* the device takes its buffers back */
	return got == expect ? dt : 0;
}

static struct rpmsg_endpoint scale_chan[SCALE_CHANNELS];

static void chan_name(char *name, size_t size, unsigned int k)
{
	snprintf(name, size, "bench-channel-%u", k);
}

/*
 * The device announces SCALE_CHANNELS channels (an endpoint each, announced by
 * name, as a remote does), SCALE_BATCH at a time, the host taking each batch; then
 * announces their destruction the same way. The host's cost per announcement (ns)
 * in the first and the last batch of each.
 */
static int channels_cycle(struct bench *b, double *create_first, double *create_last,
			  double *destroy_first, double *destroy_last)
{
	char name[RPMSG_NAME_SIZE];
	for (unsigned int i = 0; i < SCALE_CHANNELS; i += SCALE_BATCH) {
		for (unsigned int k = i; k < i + SCALE_BATCH; k++) {
			chan_name(name, sizeof(name), k);
			if (rpmsg_create_ept(&scale_chan[k], b->dev, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY,
					     dev_cb, b) ||
			    rpmsg_announce_create(&scale_chan[k], name))
				return -1;
		}
		uint64_t dt = host_drain(b, SCALE_BATCH);
		if (!dt)
			return -1;
		if (i == 0)
			*create_first = (double)dt / SCALE_BATCH;
		if (i + SCALE_BATCH >= SCALE_CHANNELS)
			*create_last = (double)dt / SCALE_BATCH;
	}
	if (rpmsg_get_channels(b->host, NULL, 0) != SCALE_CHANNELS)
		return -1;
	for (unsigned int i = 0; i < SCALE_CHANNELS; i += SCALE_BATCH) {
		for (unsigned int k = i; k < i + SCALE_BATCH; k++) {
			chan_name(name, sizeof(name), k);
			if (rpmsg_announce_destroy(&scale_chan[k], name))
				return -1;
			rpmsg_destroy_ept(&scale_chan[k]);
		}
		uint64_t dt = host_drain(b, SCALE_BATCH);
		if (!dt)
			return -1;
		if (i == 0)
			*destroy_first = (double)dt / SCALE_BATCH; /* 1,000 channels there */
		if (i + SCALE_BATCH >= SCALE_CHANNELS)
			*destroy_last = (double)dt / SCALE_BATCH; /* 100 there */
	}
	return rpmsg_get_channels(b->host, NULL, 0) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long n = 500000;
	size_t runs = 7;
	int opt;
	bench_report_init("rpmsg", &argc, argv);
	while ((opt = getopt(argc, argv, "r:m:")) != -1) {
		switch (opt) {
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		case 'm': n = atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench-rpmsg [-r RUNS] [-m MESSAGES] [--json FILE] "
					"[oneway|steps|scale|tput]\n");
			return 2;
		}
	}
	if (n < 1000)
		n = 1000;
	runs = runs < 1 ? 1 : runs > BENCH_MAX_RUNS ? BENCH_MAX_RUNS : runs;
	bool only_oneway = optind < argc && !strcmp(argv[optind], "oneway");
	bool steps = optind < argc && !strcmp(argv[optind], "steps");
	bool only_scale = optind < argc && !strcmp(argv[optind], "scale");
	bool only_tput = optind < argc && !strcmp(argv[optind], "tput");
	uint64_t *samples = malloc(sizeof(uint64_t) * RT_SAMPLES);

	static struct bench b;
	if (bench_open(&b, 256)) {
		fprintf(stderr, "bench-rpmsg: set-up failed\n");
		return 1;
	}
	static const size_t sizes[2] = { 16, 496 };
	if (steps) {
		for (int k = 0; k < 2; k++) {
			for (int down = 0; down < 2; down++) {
				uint64_t t0 = now_ns();
				rpmsg_steps(&b, n, sizes[k], down);
				printf("steps %s %3zu B: %.1f ns/msg\n", down ? "device->host" : "host->device",
				       sizes[k], (double)(now_ns() - t0) / (double)n);
			}
		}
		bench_close(&b);
		free(samples);
		return 0;
	}
	if (only_oneway) {
		for (int k = 0; k < 2; k++)
			for (int down = 0; down < 2; down++)
				printf("one way %s %zu B: %.2f M msg/s\n",
				       down ? "device->host" : "host->device", sizes[k],
				       rpmsg_stream(&b, n, sizes[k], 0, 1, down) / 1e6);
		bench_close(&b);
		free(samples);
		return 0;
	}
	bench_note("in-process rpmsg: host thread on CPU 0, device thread on CPU 1, 256-entry "
		   "vrings, %zu interleaved floor/subject runs per figure", runs);
	for (int k = 0; k < 2 && !only_scale && !only_tput; k++) {
		struct bench_fig f;
		bench_fig_init(&f, sizes[k] == 16 ? "round trip 16 B" : "round trip 496 B", "us",
			       "cache-line ping-pong");
		for (size_t r = 0; r < runs; r++) {
			struct bench_dist fl = floor_pingpong(samples);
			struct bench_dist su = rpmsg_roundtrip(&b, sizes[k], samples);
			bench_fig_add_dist(&f, &fl, &su, 1e-3);
		}
		bench_fig_report(&f);
	}
	/* One way, both ways: single sends, then batches of BATCH. */
	for (int k = 0; k < 2 && !only_scale; k++) {
		for (int mode = 0; mode < 4; mode++) {
			bool batched = mode >= 2, down = mode & 1;
			char name[64];
			snprintf(name, sizeof(name), "%s %zu B, %s", down ? "device->host" : "host->device",
				 sizes[k], batched ? "batched" : "single sends");
			struct bench_fig f;
			bench_fig_init(&f, name, "M msg/s",
				       sizes[k] == 16 ? "raw ring of 16 B copies"
						      : "raw ring of 496 B copies");
			f.goal_kind = BENCH_GOAL_RATIO_AT_LEAST;
			f.goal = sizes[k] == 16 ? 0.5 : 0.75;
			for (size_t r = 0; r < runs; r++) {
				double fl = floor_raw_ring(n, sizes[k]);
				double su = rpmsg_stream(&b, n, sizes[k], 0, batched ? BATCH : 1, down);
				bench_fig_add(&f, fl / 1e6, su / 1e6);
			}
			bench_fig_report(&f);
		}
	}
	if (only_tput) {
		bench_close(&b);
		free(samples);
		return bench_report_finish();
	}

	/* 10,000 endpoints bound: every message to one of them, then spread over all. */
	for (int spread = 0; spread < 2 && !only_scale; spread++) {
		struct bench_fig f;
		bench_fig_init(&f, spread ? "16 B, 10k endpoints, spread" : "16 B, 10k endpoints bound",
			       "ns/msg", "1 endpoint bound");
		f.goal_kind = BENCH_GOAL_RATIO_AT_MOST;
		f.goal = 1.1;
		for (size_t r = 0; r < runs; r++) {
			if (scale_bind(&b, 0))
				return 1;
			double fl = 1e9 / rpmsg_oneway(&b, n, 16);
			if (scale_bind(&b, SCALE_EPTS - 1))
				return 1;
			double su = 1e9 / rpmsg_oneway_to(&b, n, 16, spread ? SCALE_EPTS - 1 : 0);
			bench_fig_add(&f, fl, su);
		}
		scale_bind(&b, 0);
		bench_fig_report(&f);
	}

	/* The same, CPU time in one thread taking turns. */
	for (int spread = 0; spread < 2; spread++) {
		struct bench_fig f;
		bench_fig_init(&f, spread ? "16 B, 10k endpoints, spread, one thread"
					  : "16 B, 10k endpoints bound, one thread",
			       "ns/msg", "1 endpoint bound, one thread");
		f.goal_kind = BENCH_GOAL_RATIO_AT_MOST;
		f.goal = 1.1;
		for (size_t r = 0; r < runs; r++) {
			if (scale_bind(&b, 0))
				return 1;
			double fl = scale_steps_ns(&b, n, 0);
			if (scale_bind(&b, SCALE_EPTS - 1))
				return 1;
			double su = scale_steps_ns(&b, n, spread ? SCALE_EPTS - 1 : 0);
			bench_fig_add(&f, fl, su);
		}
		scale_bind(&b, 0);
		bench_fig_report(&f);
	}

	/* 1,000 channels announced and torn down: the host's cost at 1,000 against 100. */
	if (only_scale) {
		bench_close(&b);
		free(samples);
		return bench_report_finish();
	}
	struct bench_fig fc, fd;
	bench_fig_init(&fc, "announce, 901st-1000th channel", "us/ann", "1st-100th channel");
	bench_fig_init(&fd, "teardown, 1000th-901st channel", "us/ann", "100th-1st channel");
	fc.goal_kind = fd.goal_kind = BENCH_GOAL_RATIO_AT_MOST;
	fc.goal = fd.goal = 1.2;
	for (size_t r = 0; r < runs; r++) {
		double c0 = 0, c1 = 0, d0 = 0, d1 = 0;
		if (channels_cycle(&b, &c0, &c1, &d0, &d1)) {
			fflush(stdout);
			fprintf(stderr, "bench-rpmsg: channel announcements failed\n");
			return 1;
		}
		bench_fig_add(&fc, c0 / 1e3, c1 / 1e3);
		bench_fig_add(&fd, d1 / 1e3, d0 / 1e3);
	}
	bench_fig_report(&fc);
	bench_fig_report(&fd);

	bench_close(&b);
	free(samples);
	return bench_report_finish();
}
