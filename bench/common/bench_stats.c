// SPDX-License-Identifier: MIT
/* bench_stats.c - clocks, CPU pinning and percentiles for the benchmarks. */
#include "bench.h"

#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_dist_of(uint64_t *ns, size_t n, struct bench_dist *out)
{
	double *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v) {
		out->n = 0;
		out->p50 = out->p99 = out->min = out->max = 0;
		return;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = (double)ns[i];
	bench_dist_of_d(v, n, out);
	free(v);
}

void bench_pin(int cpu)
{
	if (cpu < 0)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void bench_dist_of_d(double *v, size_t n, struct bench_dist *out)
{
	out->n = n;
	if (!n) {
		out->p50 = out->p99 = out->min = out->max = 0;
		return;
	}
	qsort(v, n, sizeof(*v), cmp_d);
	out->min = v[0];
	out->max = v[n - 1];
	/* The median of an even count is the mean of the middle two. */
	out->p50 = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	size_t i = (n * 99 + 99) / 100; /* nearest rank */
	out->p99 = v[i ? i - 1 : 0];
}

void bench_cpus(int *host_cpu, int *peer_cpu)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	*host_cpu = ncpu >= 2 ? 0 : -1;
	*peer_cpu = ncpu >= 2 ? 1 : -1;
}
