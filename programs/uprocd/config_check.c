/* SPDX-License-Identifier: MIT */
/*
 * config_check.c - what a parsed configuration would make fail at start, found
 * before starting (uprocd --check; uprocd logs the same at start): directories and
 * firmware that are not there, a memory the firmware does not fit in, a CPU the
 * daemon cannot run on. Each problem names the line of the key at fault.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "hostutil.h"
#include "fw_resolve.h"
#include "uproc/fwimage.h"
#include "uproc/native.h"

#define CHECK_FW_MAX (256u << 20)

struct checker {
	void (*report)(void *arg, unsigned int line, const char *msg);
	void *arg;
	unsigned int problems;
};

__attribute__((format(printf, 3, 4)))
static void problem(struct checker *c, unsigned int line, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report)
		c->report(c->arg, line, msg);
}

static void size_text(uint64_t v, char *buf, size_t len)
{
	if (v && !(v & ((1u << 20) - 1)))
		snprintf(buf, len, "%" PRIu64 "M", v >> 20);
	else if (v && !(v & 1023))
		snprintf(buf, len, "%" PRIu64 "K", v >> 10);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* Segments linked into the RAM must fit in the RAM the processor is given. */
static void check_fits(struct checker *c, const struct uprocd_proc_config *p, const char *path)
{
	uint64_t ram = p->memory ? p->memory : UPROC_NATIVE_RAM_SIZE;
	uint64_t ram_da = UPROC_NATIVE_RAM_DA, need = 0;
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	char *data = NULL;
	size_t len = 0;

	if (uprocd_read_file(path, CHECK_FW_MAX, &data, &len) < 0)
		return;
	if (uproc_fw_parse(&img, data, len, p->firmware, 0, &err) < 0) {
		problem(c, p->firmware_line ? p->firmware_line : p->line,
			"[remoteproc %s] firmware %s is not a firmware image: %s", p->name,
			p->firmware, err.msg);
		free(data);
		return;
	}
	for (unsigned int i = 0; i < img.phnum; i++) {
		struct uproc_fw_segment seg;
		if (uproc_fw_get_segment(&img, i, &seg) != 1)
			continue;
		if (seg.da >= ram_da && seg.da < ram_da + UPROC_NATIVE_WINDOW_DA - ram_da &&
		    seg.da + seg.memsz - ram_da > need)
			need = seg.da + seg.memsz - ram_da;
	}
	if (need > ram) {
		char have[32], want[32];
		size_text(ram, have, sizeof(have));
		size_text(upi_page_align(need), want, sizeof(want));
		problem(c, p->memory_line ? p->memory_line : p->line,
			"[remoteproc %s] memory %s is too small for %s: it is linked up to "
			"%#" PRIx64 " (memory = %s at least)", p->name, have, p->firmware,
			ram_da + need, want);
	}
	free(data);
}

static void check_proc(struct checker *c, const struct uprocd_proc_config *p,
		       const cpu_set_t *cpus)
{
	char path[PATH_MAX];
	unsigned int dirs_line = p->fw_dirs_line ? p->fw_dirs_line : p->line;
	bool any_dir = false;

	for (unsigned int i = 0; i < p->n_fw_dirs; i++) {
		struct stat st;
		if (stat(p->fw_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			any_dir = true;
		else
			problem(c, dirs_line, "[remoteproc %s] firmware_path %s: %s", p->name,
				p->fw_dirs[i], errno == ENOENT || !errno ? "no such directory"
				: strerror(errno));
	}
	if (p->memory) {
		uint64_t top = (uint64_t)UPROC_NATIVE_WINDOW_DA - UPROC_NATIVE_RAM_DA;
		if (p->memory & (UPI_PAGE_SIZE - 1))
			problem(c, p->memory_line, "[remoteproc %s] memory %" PRIu64 " is not a "
				"whole number of 4K pages", p->name, p->memory);
		else if (p->memory > top)
			problem(c, p->memory_line, "[remoteproc %s] memory %" PRIu64 "M runs into "
				"the window at %#x (at most %" PRIu64 "M)", p->name,
				p->memory >> 20, UPROC_NATIVE_WINDOW_DA, top >> 20);
	}
	if (p->cpu >= 0 && (!cpus || p->cpu >= CPU_SETSIZE || !CPU_ISSET(p->cpu, cpus))) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		problem(c, p->cpu_line, "[remoteproc %s] cpu %d does not exist here or uprocd "
			"may not run on it (%ld CPU%s online)", p->name, p->cpu, n, n == 1 ? "" : "s");
	}
	if (!p->firmware)
		return;
	int r = uprocd_fw_resolve(p->fw_dirs, p->n_fw_dirs, p->firmware, path, sizeof(path));
	if (r < 0) {
		if (any_dir || r != -ENOENT)
			problem(c, p->firmware_line, "[remoteproc %s] firmware %s: %s in %s%s",
				p->name, p->firmware,
				r == -ENOENT ? "not found" : r == -EACCES ?
				"outside the firmware directories" : strerror(-r),
				p->fw_dirs[0], p->n_fw_dirs > 1 ? " and the others" : "");
		return;
	}
	check_fits(c, p, path);
}

unsigned int uprocd_config_check(const struct uprocd_config *cfg,
				 void (*report)(void *arg, unsigned int line, const char *msg),
				 void *arg)
{
	struct checker c = { .report = report, .arg = arg };
	cpu_set_t cpus;
	bool have_cpus = sched_getaffinity(0, sizeof(cpus), &cpus) == 0;

	for (unsigned int i = 0; i < cfg->n_procs; i++)
		check_proc(&c, &cfg->procs[i], have_cpus ? &cpus : NULL);
	return c.problems;
}
