// SPDX-License-Identifier: MIT
/*
 * bench_emulated.c - the emulated cores measured, each figure as interleaved pairs:
 *   - compute: instructions per second of a count-down loop on each emulated core
 *     (an image this program writes: the loop, then a write to the mailbox's EXIT),
 *     against unicorn running the same bytes in this process with no uproc around
 *     it (no devices, no hooks): the ratio is what uproc's block hook, devices and
 *     process cost;
 *   - round trip: host -> core -> host through the echo example of each platform,
 *     16 B, p50/p99, against two processes ping-ponging over eventfds (both sleep);
 *   - idle: the CPU an idle emulated core uses, measured over 2 s after its spin
 *     window (no floor: the goal is under 1 % of one CPU).
 * Usage: bench-emulated [-r RUNS] [-n ROUNDS] [--json FILE] [FIRMWARE_DIR]
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unicorn/unicorn.h>

#include "bench.h"
#include "bench_host.h"
#include "uproc/emulated.h"

#ifndef UPROC_BENCH_FIRMWARE_DIR
#define UPROC_BENCH_FIRMWARE_DIR "build/firmware"
#endif

#define LOOPS (1u << 26)

/* The loop of each machine (verified with each cross assembler's objdump). */
struct loop_image {
	const char *platform; /* the examples' suffix */
	uint16_t machine;
	bool big_endian;
	uint32_t load_va;     /* where the code runs (MIPS: kseg0) */
	uint32_t code_off;    /* the code's offset in the image (ARM: after the vectors) */
	const uint32_t *words;
	size_t nwords;
	uint32_t exit_off;    /* the offset of the instructions after the loop */
	double insns_per_loop;
};

/* movs r0,#1; lsls r0,#26; 1: subs r0,#1; bne 1b; movs r1,#0xf0; lsls r1,#12;
 * str r0,[r1,#40]; b . (Thumb halfwords, two per word) */
static const uint32_t arm_loop[] = { 0x06802001u, 0xd1fd3801u, 0x030921f0u, 0xe7fe6288u };
/* li a0,0x4000000; 1: addi a0,a0,-1; bnez a0,1b; lui a1,0xf0; sw a0,40(a1); j . */
static const uint32_t rv_loop[] = { 0x04000537u, 0xfff50513u, 0xfe051ee3u,
				    0x000f05b7u, 0x02a5a423u, 0x0000006fu };
/* lui a0,0x400; 1: addiu a0,a0,-1; bnez a0,1b; nop; lui a1,0xa00f; sw a0,40(a1); b .; nop */
static const uint32_t mips_loop[] = { 0x3c040400u, 0x2484ffffu, 0x1480fffeu, 0x00000000u,
				      0x3c05a00fu, 0xaca40028u, 0x1000ffffu, 0x00000000u };

static const struct loop_image images[] = {
	{ "cortex-m", EM_ARM, false, 0x00100000u, 0x40, arm_loop, 4, 0x8, 2 },
	{ "riscv32", EM_RISCV, false, 0x00100000u, 0, rv_loop, 6, 0xc, 2 },
	{ "mips32be", EM_MIPS, true, 0x80100000u, 0, mips_loop, 8, 0x10, 3 },
	{ "mips32le", EM_MIPS, false, 0x80100000u, 0, mips_loop, 8, 0x10, 3 },
};

static void put(uint8_t *p, uint32_t v, unsigned int n, bool be)
{
	for (unsigned int i = 0; i < n; i++)
		p[be ? n - 1 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The image's loadable bytes (vectors for ARM, then the code) into @mem. */
static size_t image_bytes(const struct loop_image *im, uint8_t *mem)
{
	memset(mem, 0, 0x100);
	if (im->machine == EM_ARM) {
		put(mem, 0x00300000u, 4, false);			/* initial SP */
		put(mem + 4, im->load_va + im->code_off + 1, 4, false); /* reset, Thumb */
	}
	for (size_t i = 0; i < im->nwords; i++)
		put(mem + im->code_off + 4 * i, im->words[i], 4, im->big_endian);
	return im->code_off + 4 * im->nwords;
}

/*
 * A minimal ELF32 executable: one PT_LOAD at the device address 0x00100000 holding
 * the code and an empty resource table (section .resource_table), plus .shstrtab.
 */
static int write_elf(const struct loop_image *im, const char *path)
{
	static const char shstr[] = "\0.resource_table\0.shstrtab";
	enum { PH = 52, SEG = 84, SEGSZ = 0x110, RSC = SEG + 0x100, STR = SEG + SEGSZ,
	       SH = (STR + sizeof(shstr) + 3) & ~3, TOTAL = SH + 3 * 40 };
	uint8_t f[TOTAL];
	bool be = im->big_endian;
	uint32_t entry = im->load_va + im->code_off + (im->machine == EM_ARM ? 1 : 0);

	memset(f, 0, sizeof(f));
	memcpy(f, ELFMAG, SELFMAG);
	f[EI_CLASS] = ELFCLASS32;
	f[EI_DATA] = be ? ELFDATA2MSB : ELFDATA2LSB;
	f[EI_VERSION] = EV_CURRENT;
	put(f + 16, ET_EXEC, 2, be);
	put(f + 18, im->machine, 2, be);
	put(f + 20, EV_CURRENT, 4, be);
	put(f + 24, entry, 4, be);
	put(f + 28, PH, 4, be);		/* e_phoff */
	put(f + 32, SH, 4, be);		/* e_shoff */
	put(f + 40, 52, 2, be);		/* e_ehsize */
	put(f + 42, 32, 2, be);		/* e_phentsize */
	put(f + 44, 1, 2, be);		/* e_phnum */
	put(f + 46, 40, 2, be);		/* e_shentsize */
	put(f + 48, 3, 2, be);		/* e_shnum */
	put(f + 50, 2, 2, be);		/* e_shstrndx */
	image_bytes(im, f + SEG);
	put(f + RSC, 1, 4, be);		/* resource table: version 1, no entries */
	uint8_t *ph = f + PH;
	put(ph, PT_LOAD, 4, be);
	put(ph + 4, SEG, 4, be);
	put(ph + 8, im->load_va, 4, be);
	put(ph + 12, UPROC_EMU_RAM_DA, 4, be);
	put(ph + 16, SEGSZ, 4, be);
	put(ph + 20, SEGSZ, 4, be);
	put(ph + 24, PF_R | PF_W | PF_X, 4, be);
	put(ph + 28, 4, 4, be);
	memcpy(f + STR, shstr, sizeof(shstr));
	uint8_t *sh = f + SH + 40; /* [1] .resource_table */
	put(sh, 1, 4, be);
	put(sh + 4, SHT_PROGBITS, 4, be);
	put(sh + 8, SHF_ALLOC | SHF_WRITE, 4, be);
	put(sh + 12, im->load_va + 0x100, 4, be);
	put(sh + 16, RSC, 4, be);
	put(sh + 20, 16, 4, be);
	put(sh + 32, 4, 4, be);
	sh += 40; /* [2] .shstrtab */
	put(sh, 17, 4, be);
	put(sh + 4, SHT_STRTAB, 4, be);
	put(sh + 16, STR, 4, be);
	put(sh + 20, sizeof(shstr), 4, be);
	put(sh + 32, 1, 4, be);
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -errno;
	size_t w = fwrite(f, 1, sizeof(f), fp);
	fclose(fp);
	return w == sizeof(f) ? 0 : -EIO;
}

/* The floor: unicorn alone runs the loop. Returns instructions per second. */
static double raw_unicorn(const struct loop_image *im)
{
	static _Alignas(4096) uint8_t ram[0x10000];
	uc_engine *uc;
	uc_err e;

	if (im->machine == EM_ARM)
		e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, &uc);
	else if (im->machine == EM_RISCV)
		e = uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, &uc);
	else
		e = uc_open(UC_ARCH_MIPS, UC_MODE_MIPS32 | (im->big_endian ? UC_MODE_BIG_ENDIAN
									 : UC_MODE_LITTLE_ENDIAN), &uc);
	if (e)
		return -1;
	image_bytes(im, ram);
	uc_mem_map_ptr(uc, UPROC_EMU_RAM_DA, sizeof(ram), UC_PROT_ALL, ram);
	uint64_t begin = im->load_va + im->code_off;
	uint64_t until = begin + im->exit_off;
	uint64_t t0 = bench_now_ns();
	e = uc_emu_start(uc, begin | (im->machine == EM_ARM ? 1 : 0), until, 0, 0);
	uint64_t t1 = bench_now_ns();
	uc_close(uc);
	if (e)
		return -1;
	return (double)LOOPS * im->insns_per_loop / ((double)(t1 - t0) / 1e9);
}

struct run_state {
	struct uproc_loop *loop;
	uint64_t ended_at;
};

static void on_event(struct rproc *rproc, enum rproc_event ev, void *arg)
{
	struct run_state *st = arg;
	(void)rproc;
	if (ev == RPROC_EVENT_CRASHED && !st->ended_at) {
		st->ended_at = bench_now_ns();
	}
}

/* The subject: the same loop on an emulated core under uproc. */
static double on_uproc(const struct loop_image *im, const char *elf, int cpu)
{
	struct run_state st = { 0 };
	char dir[] = "/tmp/uproc-bench-emu-XXXXXX";
	struct uproc_native_config cfg;
	double ips = -1;

	if (!mkdtemp(dir) || uproc_loop_new(&st.loop) < 0)
		return -1;
	uproc_native_config_init(&cfg, "bench-loop");
	cfg.runtime_dir = dir;
	cfg.cpu = cpu;
	struct rproc *rp = uproc_native_rproc_alloc(st.loop, &cfg, elf);
	if (rp && rproc_notifier_register(rp, on_event, &st) >= 0 && rproc_add(rp) == 0) {
		int ret = rproc_boot(rp);
		if (ret < 0) {
			const char *why = rproc_last_error(rp);
			fprintf(stderr, "bench-emulated: cannot boot the loop: %s\n",
				why && *why ? why : strerror(-ret));
		} else {
			uint64_t t1 = bench_now_ns(); /* the core runs the firmware from here */
			uint64_t deadline = t1 + 60000000000ull;
			while (!st.ended_at && bench_now_ns() < deadline)
				uproc_loop_dispatch(st.loop, 1000);
			if (st.ended_at)
				ips = (double)LOOPS * im->insns_per_loop /
				      ((double)(st.ended_at - t1) / 1e9);
		}
		rproc_del(rp);
	}
	if (rp)
		rproc_free(rp);
	uproc_loop_free(st.loop);
	char path[96];
	snprintf(path, sizeof(path), "%s/native", dir);
	rmdir(path);
	rmdir(dir);
	return ips;
}

static int round_trips(struct bench_host *h, size_t rounds, struct bench_dist *d)
{
	h->size = 16;
	h->rounds = rounds;
	h->done = 0;
	send_ping(h);
	int ret = run_until_stopped(h, 60);
	if (ret >= 0)
		bench_dist_of(h->rtt_ns, h->done, d);
	h->rounds = 0;
	return ret;
}

static long cpu_ticks(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long ut = 0, st = 0;
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

int main(int argc, char **argv)
{
	size_t runs = 5, rounds = 2000;
	const char *fwdir = UPROC_BENCH_FIRMWARE_DIR;
	int host_cpu, core_cpu, opt;

	bench_report_init("bench-emulated", &argc, argv);
	while ((opt = getopt(argc, argv, "r:n:")) != -1) {
		if (opt == 'r')
			runs = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			rounds = strtoul(optarg, NULL, 0);
		else {
			fprintf(stderr, "usage: bench-emulated [-r RUNS] [-n ROUNDS] [--json FILE] "
					"[FIRMWARE_DIR]\n");
			return 2;
		}
	}
	if (optind < argc)
		fwdir = argv[optind];
	if (runs < 1 || runs > BENCH_MAX_RUNS || rounds < 10)
		return 2;
	bench_cpus(&host_cpu, &core_cpu);
	bench_note("emulated cores: host on CPU %d, core on CPU %d; %zu interleaved runs per "
		   "figure; compute loop of %u iterations", host_cpu, core_cpu, runs, LOOPS);

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		const struct loop_image *im = &images[i];
		char elf[] = "/tmp/uproc-bench-loop-XXXXXX";
		int fd = mkstemp(elf);
		if (fd < 0 || write_elf(im, elf) < 0)
			return 1;
		close(fd);

		struct bench_fig f;
		char name[64];
		snprintf(name, sizeof(name), "%s compute loop", im->platform);
		bench_fig_init(&f, strdup(name), "M insn/s", "unicorn alone, same loop");
		for (size_t r = 0; r < runs; r++) {
			bench_pin(core_cpu);
			double fl = raw_unicorn(im);
			bench_pin(host_cpu);
			double su = on_uproc(im, elf, core_cpu);
			if (fl <= 0 || su <= 0) {
				fprintf(stderr, "bench-emulated: the %s loop did not run (%s)\n",
					im->platform, fl <= 0 ? "unicorn alone" : "uproc");
				unlink(elf);
				return 1;
			}
			bench_fig_add(&f, fl / 1e6, su / 1e6);
		}
		bench_fig_report(&f);
		unlink(elf);
	}

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		const char *plat = images[i].platform;
		char fw[512];
		struct stat sb;
		snprintf(fw, sizeof(fw), "%s/echo-%s.elf", fwdir, plat);
		if (stat(fw, &sb) != 0) {
			bench_note("no %s, the %s round trip and idle figures are skipped", fw, plat);
			continue;
		}
		struct bench_host h;
		struct bench_host_opts o = { .cpu = core_cpu, .host_spins = false };
		if (host_open(&h, fw, "rpmsg-client-sample", &o) < 0 || !host_boot(&h)) {
			fprintf(stderr, "bench-emulated: cannot boot %s\n", fw);
			return 1;
		}
		h.rtt_ns = calloc(rounds, sizeof(*h.rtt_ns));
		struct bench_fig f;
		char name[64];
		snprintf(name, sizeof(name), "%s round trip 16 B", plat);
		bench_fig_init(&f, strdup(name), "us", "eventfd ping-pong");
		for (size_t r = 0; r < runs; r++) {
			struct bench_dist fl, su;
			bench_floor_eventfd(rounds, host_cpu, core_cpu, &fl);
			bench_pin(host_cpu);
			if (round_trips(&h, rounds, &su) < 0)
				return 1;
			bench_fig_add_dist(&f, &fl, &su, 1e-3);
		}
		bench_fig_report(&f);

		/* Idle: past the spin window, the core should sleep on its doorbell. */
		pid_t pid = uproc_native_pid(h.rproc);
		usleep(200000);
		long t0 = cpu_ticks(pid);
		uint64_t w0 = bench_now_ns();
		sleep(2);
		long t1 = cpu_ticks(pid);
		double secs = (double)(bench_now_ns() - w0) / 1e9;
		double pct = t0 < 0 || t1 < 0 ? -1 : 100.0 * (double)(t1 - t0) /
						     (double)sysconf(_SC_CLK_TCK) / secs;
		snprintf(name, sizeof(name), "%s idle core CPU", plat);
		bench_fig_init(&f, strdup(name), "% of a CPU", NULL);
		f.goal_kind = BENCH_GOAL_AT_MOST;
		f.goal = 1.0;
		f.lower_is_better = true;
		bench_fig_add(&f, 0, pct);
		bench_fig_report(&f);
		free(h.rtt_ns);
		host_close(&h);
	}
	return bench_report_finish();
}
