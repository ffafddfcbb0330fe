// SPDX-License-Identifier: MIT
/*
 * bench_native_boot.c - booting native cores from firmware files:
 *   - a 2 MiB image: rproc_boot() until its channel is bound, p50/p99 over many
 *     boots, and the phases rproc_get_boot_phases() reports (prepare, read, parse,
 *     map, copy, start; "ready" is the rest, until the channel is bound);
 *   - a 64 MiB image: its load (read + parse + map + copy) as a bandwidth, against
 *     memcpy of the same bytes into fresh memory, interleaved.
 * Usage: bench-native-boot [-b BOOTS] [-r RUNS] [--json FILE] [FIRMWARE_DIR]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "bench_host.h"

#ifndef UPROC_BENCH_FIRMWARE_DIR
#define UPROC_BENCH_FIRMWARE_DIR "build/firmware"
#endif

#define NPHASES 7
static const char *const phase_names[NPHASES] = { "prepare", "read", "parse", "map",
						   "copy", "start", "ready" };

/* Boot once; the total and the phases in ns. 0 on success. */
static int boot_once(struct bench_host *h, uint64_t *total, double phase[NPHASES])
{
	struct rproc_boot_phases p;
	*total = host_boot(h);
	if (!*total || rproc_get_boot_phases(h->rproc, &p))
		return -1;
	const uint64_t v[6] = { p.prepare, p.read, p.parse, p.map, p.copy, p.start };
	uint64_t sum = 0;
	for (int i = 0; i < 6; i++) {
		phase[i] = (double)v[i];
		sum += v[i];
	}
	phase[6] = *total > sum ? (double)(*total - sum) : 0;
	rproc_shutdown(h->rproc);
	for (int k = 0; k < 3; k++)
		uproc_loop_dispatch(h->loop, 0);
	return 0;
}

static void phases_init(struct bench_fig f[NPHASES])
{
	for (int i = 0; i < NPHASES; i++) {
		char name[64];
		snprintf(name, sizeof(name), "  phase %s", phase_names[i]);
		bench_fig_init(&f[i], strdup(name), "ms", NULL);
	}
}

static off_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) ? -1 : st.st_size;
}

int main(int argc, char **argv)
{
	size_t boots = 30, runs = 7;
	int opt;
	bench_report_init("native-boot", &argc, argv);
	while ((opt = getopt(argc, argv, "b:r:")) != -1) {
		switch (opt) {
		case 'b': boots = strtoul(optarg, NULL, 10); break;
		case 'r': runs = strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: bench-native-boot [-b BOOTS] [-r RUNS] [--json FILE] "
					"[FIRMWARE_DIR]\n");
			return 2;
		}
	}
	boots = boots < 1 ? 1 : boots > BENCH_MAX_RUNS ? BENCH_MAX_RUNS : boots;
	runs = runs < 1 ? 1 : runs > BENCH_MAX_RUNS ? BENCH_MAX_RUNS : runs;
	const char *dir = optind < argc ? argv[optind] : UPROC_BENCH_FIRMWARE_DIR;
	char small[512], big[512];
	snprintf(small, sizeof(small), "%s/bench-image-2m.elf", dir);
	snprintf(big, sizeof(big), "%s/bench-image-64m.elf", dir);
	int host_cpu, core_cpu;
	bench_cpus(&host_cpu, &core_cpu);
	bench_pin(host_cpu);

	/* ---- 2 MiB: boot to channel-ready, with phases ---- */
	struct bench_host h;
	struct bench_host_opts o = { .cpu = core_cpu, .host_spins = true, .ram_size = 0x400000 };
	if (host_open(&h, small, "rpmsg-client-sample", &o) < 0) {
		fprintf(stderr, "bench-native-boot: cannot set up %s\n", small);
		return 1;
	}
	bench_note("boot: %s (%.2f MiB), %zu boots; load: %s (%.2f MiB), %zu runs against "
		   "memcpy", small, (double)file_size(small) / 1048576.0, boots, big,
		   (double)file_size(big) / 1048576.0, runs);
	struct bench_fig total, phase[NPHASES];
	bench_fig_init(&total, "boot to channel-ready, 2 MiB", "ms", NULL);
	phases_init(phase);
	for (size_t b = 0; b < boots; b++) {
		uint64_t t;
		double ph[NPHASES];
		if (boot_once(&h, &t, ph)) {
			fprintf(stderr, "bench-native-boot: boot %zu failed: %s\n", b,
				rproc_last_error(h.rproc));
			return 1;
		}
		bench_fig_add(&total, 0, (double)t / 1e6);
		for (int i = 0; i < NPHASES; i++)
			bench_fig_add(&phase[i], 0, ph[i] / 1e6);
	}
	bench_fig_report(&total);
	for (int i = 0; i < NPHASES; i++)
		bench_fig_report(&phase[i]);
	host_close(&h);

	/* ---- 64 MiB: load bandwidth against memcpy ---- */
	off_t size = file_size(big);
	o.ram_size = 0x4200000;
	if (size <= 0 || host_open(&h, big, "rpmsg-client-sample", &o) < 0) {
		fprintf(stderr, "bench-native-boot: cannot set up %s\n", big);
		return 1;
	}
	struct bench_fig load, bphase[NPHASES], btotal;
	bench_fig_init(&load, "load 64 MiB (read+parse+map+copy)", "GB/s", "memcpy into fresh memory");
	load.goal_kind = BENCH_GOAL_RATIO_AT_LEAST;
	load.goal = 0.5;
	bench_fig_init(&btotal, "boot to channel-ready, 64 MiB", "ms", NULL);
	phases_init(bphase);
	for (size_t r = 0; r < runs; r++) {
		double floor = bench_floor_memcpy((size_t)size);
		uint64_t t;
		double ph[NPHASES];
		if (boot_once(&h, &t, ph)) {
			fprintf(stderr, "bench-native-boot: 64 MiB boot failed: %s\n",
				rproc_last_error(h.rproc));
			return 1;
		}
		double load_ns = ph[1] + ph[2] + ph[3] + ph[4];
		bench_fig_add(&load, floor / 1e9, (double)size / load_ns);
		bench_fig_add(&btotal, 0, (double)t / 1e6);
		for (int i = 0; i < NPHASES; i++)
			bench_fig_add(&bphase[i], 0, ph[i] / 1e6);
	}
	bench_fig_report(&load);
	bench_fig_report(&btotal);
	for (int i = 0; i < NPHASES; i++)
		bench_fig_report(&bphase[i]);
	host_close(&h);
	return bench_report_finish();
}
