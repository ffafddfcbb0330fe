// SPDX-License-Identifier: MIT
/*
 * bench_native_idle.c - many idle native cores on one host: what they cost while
 * nothing is sent. Boots N echo cores (default 64) on one event loop, lets them
 * settle, then over several windows measures the CPU time of the host and every
 * core process (/proc/PID/schedstat: nanoseconds on a CPU, and times scheduled in,
 * i.e. wake-ups) while the host sleeps in its loop; and the memory of each core
 * (VmRSS, and Pss, which shares the pages mapped by both sides fairly) and what
 * the host grew by per core.
 * Usage: bench-native-idle [-c CORES] [-r WINDOWS] [-s SECONDS] [--json FILE] [FIRMWARE_DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "bench_host.h"

#ifndef UPROC_BENCH_FIRMWARE_DIR
#define UPROC_BENCH_FIRMWARE_DIR "build/firmware"
#endif

/* Nanoseconds on a CPU and times scheduled of @pid (0: this process). */
static int schedstat(pid_t pid, uint64_t *ns, uint64_t *slices)
{
	char path[64];
	unsigned long long a = 0, b = 0, c = 0;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/schedstat");
	FILE *f = fopen(path, "r");
	if (!f)
		return -errno;
	int n = fscanf(f, "%llu %llu %llu", &a, &b, &c);
	fclose(f);
	if (n != 3)
		return -EIO;
	*ns = a;
	*slices = c;
	return 0;
}

/* A "Key:   N kB" line of @file for @pid (0: self), in kB; 0 when absent. */
static double proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	double v = 0;
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtod(line + klen + 1, NULL);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * CPU ns of the @n cores, their wake-ups and this process's, and this process's CPU ns. This process is read
 * last when @self_last (a window's start) and first otherwise (its end), so that
 * the reading itself stays out of the window.
 */
static int total_cpu(struct bench_host *hosts, size_t n, bool self_last, uint64_t *ns,
		     uint64_t *slices, uint64_t *self_ns)
{
	uint64_t a, b, sa = 0, sb = 0;
	if (!self_last && schedstat(0, &sa, &sb))
		return -1;
	*ns = 0;
	*slices = 0;
	for (size_t i = 0; i < n; i++) {
		pid_t pid = uproc_native_pid(hosts[i].rproc);
		if (pid <= 0 || schedstat(pid, &a, &b))
			return -1;
		*ns += a;
		*slices += b;
	}
	if (self_last && schedstat(0, &sa, &sb))
		return -1;
	*self_ns = sa;
	*slices += sb;
	return 0;
}

static void dispatch_for(struct uproc_loop *loop, uint64_t ns)
{
	uint64_t end = bench_now_ns() + ns, now;
	while ((now = bench_now_ns()) < end)
		uproc_loop_dispatch(loop, (int)((end - now) / 1000000u) + 1);
}

int main(int argc, char **argv)
{
	size_t cores = 64, windows = 5;
	double seconds = 2;
	int opt;
	bench_report_init("native-idle", &argc, argv);
	while ((opt = getopt(argc, argv, "c:r:s:")) != -1) {
		switch (opt) {
		case 'c': cores = strtoul(optarg, NULL, 10); break;
		case 'r': windows = strtoul(optarg, NULL, 10); break;
		case 's': seconds = strtod(optarg, NULL); break;
		default:
			fprintf(stderr, "usage: bench-native-idle [-c CORES] [-r WINDOWS] [-s SECONDS] "
					"[--json FILE] [FIRMWARE_DIR]\n");
			return 2;
		}
	}
	if (!cores || seconds <= 0)
		return 2;
	windows = windows < 1 ? 1 : windows > BENCH_MAX_RUNS ? BENCH_MAX_RUNS : windows;
	const char *dir = optind < argc ? argv[optind] : UPROC_BENCH_FIRMWARE_DIR;
	char fw[512], runtime[64];
	snprintf(fw, sizeof(fw), "%s/echo.elf", dir);
	snprintf(runtime, sizeof(runtime), "/tmp/uproc-bench-idle-XXXXXX");
	struct uproc_loop *loop;
	if (!mkdtemp(runtime) || uproc_loop_new(&loop) < 0) {
		perror("bench-native-idle");
		return 1;
	}
	struct bench_host *hosts = calloc(cores, sizeof(*hosts));
	char (*names)[32] = calloc(cores, sizeof(*names));
	if (!hosts || !names)
		return 1;

	double host_rss0 = proc_kb(0, "status", "VmRSS");
	int ret = 0;
	size_t up = 0;
	for (; up < cores; up++) {
		snprintf(names[up], sizeof(names[up]), "idle-%zu", up);
		struct bench_host_opts o = { .name = names[up], .loop = loop, .runtime_dir = runtime,
					     .cpu = -1, .host_spins = true };
		if (host_open(&hosts[up], fw, "rpmsg-client-sample", &o) < 0 ||
		    !host_boot(&hosts[up])) {
			fprintf(stderr, "bench-native-idle: core %zu did not come up\n", up);
			ret = 1;
			break;
		}
	}
	if (!ret) {
		bench_note("%zu idle native cores (echo.elf) on one event loop; %zu windows of "
			   "%.1f s", cores, windows, seconds);
		dispatch_for(loop, 500000000ull); /* settle: spins run out, cores block */

		struct bench_fig cpu, wake;
		struct bench_fig hcpu;
		bench_fig_init(&cpu, "CPU, all cores together", "% of 1", NULL);
		bench_fig_init(&hcpu, "CPU, the host", "% of 1", NULL);
		cpu.goal_kind = BENCH_GOAL_AT_MOST;
		cpu.goal = 0.1;
		bench_fig_init(&wake, "wake-ups, host + all cores", "1/s", NULL);
		wake.lower_is_better = true;
		for (size_t w = 0; w < windows; w++) {
			uint64_t ns0, sl0, ns1, sl1, h0, h1;
			if (total_cpu(hosts, cores, true, &ns0, &sl0, &h0)) {
				ret = 1;
				break;
			}
			uint64_t t0 = bench_now_ns();
			dispatch_for(loop, (uint64_t)(seconds * 1e9));
			uint64_t dt = bench_now_ns() - t0;
			if (total_cpu(hosts, cores, false, &ns1, &sl1, &h1)) {
				fprintf(stderr, "bench-native-idle: a core went away\n");
				ret = 1;
				break;
			}
			bench_fig_add(&cpu, 0, 100.0 * (double)(ns1 - ns0) / (double)dt);
			bench_fig_add(&hcpu, 0, 100.0 * (double)(h1 - h0) / (double)dt);
			bench_fig_add(&wake, 0, (double)(sl1 - sl0) * 1e9 / (double)dt);
		}
		if (!ret) {
			bench_fig_report(&cpu);
			bench_fig_report(&hcpu);
			bench_fig_report(&wake);
			struct bench_fig rss, pss, hrss;
			bench_fig_init(&rss, "RSS per core process", "KiB", NULL);
			bench_fig_init(&pss, "PSS per core process", "KiB", NULL);
			bench_fig_init(&hrss, "host RSS growth per core", "KiB", NULL);
			for (size_t i = 0; i < cores && i < BENCH_MAX_RUNS; i++) {
				pid_t pid = uproc_native_pid(hosts[i].rproc);
				bench_fig_add(&rss, 0, proc_kb(pid, "status", "VmRSS"));
				bench_fig_add(&pss, 0, proc_kb(pid, "smaps_rollup", "Pss"));
			}
			bench_fig_add(&hrss, 0,
				      (proc_kb(0, "status", "VmRSS") - host_rss0) / (double)cores);
			bench_fig_report(&rss);
			bench_fig_report(&pss);
			bench_fig_report(&hrss);
		}
	}
	for (size_t i = 0; i < up; i++)
		host_close(&hosts[i]);
	for (int i = 0; i < 5; i++)
		uproc_loop_dispatch(loop, 0);
	uproc_loop_free(loop);
	char path[96];
	snprintf(path, sizeof(path), "%s/native", runtime);
	rmdir(path);
	rmdir(runtime);
	free(hosts);
	free(names);
	return ret ? 1 : bench_report_finish();
}
