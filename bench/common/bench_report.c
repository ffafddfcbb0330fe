// SPDX-License-Identifier: MIT
/*
 * bench_report.c - figures as interleaved floor/subject pairs, printed as text and
 * kept for one JSON object per program (bench.h).
 *
 * For a latency figure (bench_fig_add_dist) each run gives a median and a p99; the
 * figure's median is the median of the runs' medians and its p99 the median of the
 * runs' p99s. For a rate or a cost (bench_fig_add) each run gives one value; the
 * figure's p99 is the run at the 99th percentile on the bad side (with fewer than
 * 100 runs: the worst one). Ratios are taken per pair, then summarised.
 */
#include "bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIGS 64
#define MAX_NOTES 16

static struct {
	const char *bench;
	const char *json_path;
	struct bench_fig figs[MAX_FIGS];
	bool met[MAX_FIGS];
	size_t nfigs;
	char notes[MAX_NOTES][256];
	size_t nnotes;
} rep;

void bench_report_init(const char *bench, int *argc, char **argv)
{
	rep.bench = bench;
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--json") || i + 1 >= *argc)
			continue;
		rep.json_path = argv[i + 1];
		for (int k = i; k + 2 <= *argc; k++)
			argv[k] = argv[k + 2];
		*argc -= 2;
		break;
	}
}

void bench_note(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("%s\n", line);
	if (rep.nnotes < MAX_NOTES)
		memcpy(rep.notes[rep.nnotes++], line, sizeof(line));
}

void bench_fig_init(struct bench_fig *f, const char *name, const char *unit,
		    const char *floor_name)
{
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->unit = unit;
	f->floor_name = floor_name;
}

void bench_fig_add(struct bench_fig *f, double floor, double subj)
{
	if (f->runs >= BENCH_MAX_RUNS)
		return;
	f->floor[f->runs] = floor;
	f->subj[f->runs] = subj;
	f->runs++;
}

void bench_fig_add_dist(struct bench_fig *f, const struct bench_dist *floor,
			const struct bench_dist *subj, double scale)
{
	if (f->runs >= BENCH_MAX_RUNS)
		return;
	f->has_p99 = true;
	f->floor[f->runs] = floor ? floor->p50 * scale : 0;
	f->floor_p99[f->runs] = floor ? floor->p99 * scale : 0;
	f->subj[f->runs] = subj->p50 * scale;
	f->subj_p99[f->runs] = subj->p99 * scale;
	f->runs++;
}

/* A summary of @n values: median, min, max and the 99th percentile on the bad side. */
struct summary {
	double median, min, max, p99;
};

static struct summary summarise(const double *v, size_t n, bool higher_is_better)
{
	double tmp[BENCH_MAX_RUNS];
	struct bench_dist d;
	struct summary s = { 0, 0, 0, 0 };
	if (!n)
		return s;
	memcpy(tmp, v, n * sizeof(*v));
	bench_dist_of_d(tmp, n, &d);
	s.median = d.p50;
	s.min = d.min;
	s.max = d.max;
	if (higher_is_better) {
		size_t i = n / 100; /* nearest rank from the bottom */
		s.p99 = tmp[i];
	} else {
		s.p99 = d.p99;
	}
	return s;
}

/* Rates are better high, latencies and costs low: goals and units say which. */
static bool higher_is_better(const struct bench_fig *f)
{
	return f->goal_kind == BENCH_GOAL_RATIO_AT_LEAST ||
	       (f->goal_kind == BENCH_GOAL_NONE && !f->lower_is_better &&
		strstr(f->unit, "/s") != NULL);
}

static bool fig_met(const struct bench_fig *f, const struct summary *ratio,
		    const struct summary *p99_ratio)
{
	bool ok = true;
	if (f->goal_kind == BENCH_GOAL_RATIO_AT_LEAST)
		ok = ratio->median >= f->goal;
	else if (f->goal_kind == BENCH_GOAL_RATIO_AT_MOST)
		ok = ratio->median <= f->goal;
	else if (f->goal_kind == BENCH_GOAL_AT_MOST)
		ok = summarise(f->subj, f->runs, false).median <= f->goal;
	if (f->p99_goal > 0 && f->has_p99)
		ok = ok && p99_ratio->median <= f->p99_goal;
	return ok;
}

static void ratios(const struct bench_fig *f, bool p99, double *out)
{
	for (size_t i = 0; i < f->runs; i++) {
		double fl = p99 ? f->floor_p99[i] : f->floor[i];
		double su = p99 ? f->subj_p99[i] : f->subj[i];
		out[i] = fl > 0 ? su / fl : 0;
	}
}

bool bench_fig_report(struct bench_fig *f)
{
	bool hib = higher_is_better(f);
	struct summary s = summarise(f->subj, f->runs, hib);
	double r[BENCH_MAX_RUNS], rp[BENCH_MAX_RUNS];
	ratios(f, false, r);
	ratios(f, true, rp);
	struct summary rs = summarise(r, f->runs, hib);
	struct summary rps = summarise(rp, f->runs, false);
	bool met = fig_met(f, &rs, &rps);

	printf("%-34s %10.3f %-7s [%.3f..%.3f] p99 %.3f", f->name, s.median, f->unit, s.min,
	       s.max, f->has_p99 ? summarise(f->subj_p99, f->runs, false).median : s.p99);
	if (f->floor_name) {
		struct summary fs = summarise(f->floor, f->runs, hib);
		printf("\n%34s floor %s: %.3f [%.3f..%.3f] p99 %.3f\n%34s ratio %.3f [%.3f..%.3f]",
		       "", f->floor_name, fs.median, fs.min, fs.max,
		       f->has_p99 ? summarise(f->floor_p99, f->runs, false).median : fs.p99, "",
		       rs.median, rs.min, rs.max);
		if (f->has_p99)
			printf(" p99 ratio %.3f", rps.median);
	}
	printf("  (%zu runs)", f->runs);
	if (f->goal_kind != BENCH_GOAL_NONE)
		printf(" goal %s%s %.2f%s: %s", f->goal_kind == BENCH_GOAL_AT_MOST ? "" : "ratio ",
		       f->goal_kind == BENCH_GOAL_RATIO_AT_LEAST ? ">=" : "<=", f->goal,
		       f->p99_goal > 0 ? " (p99 too)" : "", met ? "met" : "MISSED");
	printf("\n");
	fflush(stdout);
	if (rep.nfigs < MAX_FIGS) {
		rep.figs[rep.nfigs] = *f;
		rep.met[rep.nfigs] = met;
		rep.nfigs++;
	}
	return met;
}

static void json_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(o, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, o);
	}
	fputc('"', o);
}

static void json_summary(FILE *o, const char *key, const double *v, const double *p99, size_t n,
			 bool hib)
{
	struct summary s = summarise(v, n, hib);
	fprintf(o, "\"%s\": {\"median\": %.6g, \"min\": %.6g, \"max\": %.6g, \"p99\": %.6g, "
		   "\"runs\": [", key, s.median, s.min, s.max,
		p99 ? summarise(p99, n, false).median : s.p99);
	for (size_t i = 0; i < n; i++)
		fprintf(o, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(o, "]}");
}

static void json_fig(FILE *o, const struct bench_fig *f, bool met)
{
	bool hib = higher_is_better(f);
	double r[BENCH_MAX_RUNS], rp[BENCH_MAX_RUNS];
	fprintf(o, "    {\"name\": ");
	json_str(o, f->name);
	fprintf(o, ", \"unit\": ");
	json_str(o, f->unit);
	fprintf(o, ", \"higher_is_better\": %s, ", hib ? "true" : "false");
	json_summary(o, "subject", f->subj, f->has_p99 ? f->subj_p99 : NULL, f->runs, hib);
	if (f->floor_name) {
		fprintf(o, ", \"floor_name\": ");
		json_str(o, f->floor_name);
		fprintf(o, ", ");
		json_summary(o, "floor", f->floor, f->has_p99 ? f->floor_p99 : NULL, f->runs, hib);
		ratios(f, false, r);
		fprintf(o, ", ");
		json_summary(o, "ratio", r, NULL, f->runs, hib);
		if (f->has_p99) {
			ratios(f, true, rp);
			fprintf(o, ", ");
			json_summary(o, "p99_ratio", rp, NULL, f->runs, false);
		}
	}
	if (f->goal_kind != BENCH_GOAL_NONE) {
		fprintf(o, ", \"goal\": {\"%s\": \"%s\", \"value\": %.6g",
			f->goal_kind == BENCH_GOAL_AT_MOST ? "subject" : "ratio",
			f->goal_kind == BENCH_GOAL_RATIO_AT_LEAST ? ">=" : "<=", f->goal);
		if (f->p99_goal > 0)
			fprintf(o, ", \"p99_ratio\": \"<=\", \"p99_value\": %.6g", f->p99_goal);
		fprintf(o, "}, \"met\": %s", met ? "true" : "false");
	}
	fprintf(o, "}");
}

int bench_report_finish(void)
{
	if (!rep.json_path)
		return 0;
	FILE *o = fopen(rep.json_path, "w");
	if (!o) {
		perror(rep.json_path);
		return 1;
	}
	fprintf(o, "{\"bench\": ");
	json_str(o, rep.bench);
	fprintf(o, ",\n  \"notes\": [");
	for (size_t i = 0; i < rep.nnotes; i++) {
		fprintf(o, "%s", i ? ", " : "");
		json_str(o, rep.notes[i]);
	}
	fprintf(o, "],\n  \"figures\": [\n");
	for (size_t i = 0; i < rep.nfigs; i++) {
		json_fig(o, &rep.figs[i], rep.met[i]);
		fprintf(o, "%s\n", i + 1 < rep.nfigs ? "," : "");
	}
	fprintf(o, "  ]}\n");
	return fclose(o) ? 1 : 0;
}
