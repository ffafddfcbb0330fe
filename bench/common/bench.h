/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what every benchmark shares: clocks, CPU pinning, distributions, the
 * floors (raw shared-memory mechanisms between two processes) and the report.
 *
 * A figure is measured as interleaved pairs: floor, subject, floor, subject, ...
 * so that both see the same machine load. The report gives, for the subject and
 * the floor, the median over the runs, their spread (min..max) and a p99 (of the
 * per-run p99s for latencies, of the runs for rates), and the ratio subject/floor
 * per pair with its median and spread. Text goes to stdout; with --json FILE the
 * same figures are written there as one JSON object.
 */
#ifndef UPROC_BENCH_H
#define UPROC_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** struct bench_dist - a distribution of samples (nanoseconds or any unit). */
struct bench_dist {
	double p50, p99, min, max;
	size_t n;
};

uint64_t bench_now_ns(void);
/* Summarises @ns (p50: the median; p99: the nearest rank). */
void bench_dist_of(uint64_t *ns, size_t n, struct bench_dist *out);
/* Same for doubles, sorting @v in place. */
void bench_dist_of_d(double *v, size_t n, struct bench_dist *out);
/* Pin the calling thread to @cpu (-1: leave it). */
void bench_pin(int cpu);
/* Host and peer CPUs: 0 and 1 when there are two, else -1 (unpinned). */
void bench_cpus(int *host_cpu, int *peer_cpu);

/* ---- floors between two processes over shared memory (bench_floor.c) ---- */

/* Cache-line ping-pong, both spinning: one round trip per sample. */
int bench_floor_pingpong(size_t rounds, int host_cpu, int peer_cpu, struct bench_dist *out);
/* Single-producer ring of @size-byte copies, the consumer copying each out. */
int bench_floor_ring(size_t messages, size_t size, int host_cpu, int peer_cpu, double *msgs_per_s);
/* Two processes ping-ponging a counter over two eventfds, both blocking in read(). */
int bench_floor_eventfd(size_t rounds, int host_cpu, int peer_cpu, struct bench_dist *out);
/* memcpy bandwidth of @bytes into fresh (not yet faulted) anonymous memory, in B/s. */
double bench_floor_memcpy(size_t bytes);

/* ---- figures and the report (bench_report.c) ---- */

#define BENCH_MAX_RUNS 64

enum bench_goal {
	BENCH_GOAL_NONE,
	BENCH_GOAL_RATIO_AT_LEAST,	/* median subject/floor >= goal */
	BENCH_GOAL_RATIO_AT_MOST,	/* median subject/floor <= goal */
	BENCH_GOAL_AT_MOST,		/* median subject <= goal (no floor) */
};

/**
 * struct bench_fig - one figure: interleaved runs of a floor and a subject.
 * @name:	what is measured ("core->host 16 B")
 * @unit:	unit of the values ("M msg/s", "us")
 * @floor_name:	what the floor is (NULL: no floor, the subject stands alone)
 * @goal, @goal_kind: the median ratio the figure must reach
 * @p99_goal:	optional: the subject's p99 over the floor's p99 must stay <= this
 * @lower_is_better: for a rate that should be low (units in "/s" count as higher
 *		is better otherwise)
 */
struct bench_fig {
	const char *name, *unit, *floor_name;
	enum bench_goal goal_kind;
	double goal, p99_goal;
	bool lower_is_better;
	size_t runs;
	double subj[BENCH_MAX_RUNS], floor[BENCH_MAX_RUNS];
	double subj_p99[BENCH_MAX_RUNS], floor_p99[BENCH_MAX_RUNS];
	bool has_p99;
};

/* Parse and remove "--json FILE" from the arguments; @bench names the program. */
void bench_report_init(const char *bench, int *argc, char **argv);
/* A note printed and kept in the JSON (machine, settings). printf-like. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bench_fig_init(struct bench_fig *f, const char *name, const char *unit,
		    const char *floor_name);
/* One pair (a floor of 0 when the figure has none). */
void bench_fig_add(struct bench_fig *f, double floor, double subj);
/* One pair of latency runs: medians and p99s. */
void bench_fig_add_dist(struct bench_fig *f, const struct bench_dist *floor,
			const struct bench_dist *subj, double scale);
/* Print the figure and keep it for the JSON. Returns whether its goal is met. */
bool bench_fig_report(struct bench_fig *f);
/* Write the JSON (if asked for); returns 0, or 1 when a goal was missed. */
int bench_report_finish(void);

#endif
