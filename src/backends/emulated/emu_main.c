// SPDX-License-Identifier: MIT
/*
 * emu_main.c - uproc-emu-core: the program an emulated core's process runs.
 *
 * Command line (built by the host, src/backends/native/core_process.c):
 *   uproc-emu-core --machine arm|riscv|mips --order le|be --in FD --out FD
 *                  --entry HEX [--cpu N] [--host PID] --region FD,DA,SIZE,FLAGS ...
 * as uproc-native-stub takes it (FLAGS: r w x, c for the control page), plus the
 * firmware's machine and byte order.
 *
 * Steps: map the control page and every memory (anywhere in this process) and hand
 * them to unicorn at their device addresses (uc_mem_map_ptr: the firmware's stores
 * land in the host's memfds), map the devices, reset the CPU the architecture's
 * way, close every fd but the doorbells and the memfds (a host attaching later takes
 * them with pidfd_getfd), confine the process (seccomp), and run.
 *
 * The run loop: uc_emu_start() returns on WFI/wait (then the core sleeps on its
 * doorbell until an interrupt source is asserted), on a fault (recorded in the
 * control page's crash record; the core then rings the host and parks until a host
 * ends it, as the native stub's fault handler does), on EXIT, or when a hook asks to
 * resume.
 */
#include <elf.h>
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "emu.h"

#define EMU_EXIT_SETUP 126

struct emu_region {
	int fd;
	uint64_t da, size;
	uint32_t prot;
	bool ctl;
};

static struct emu the_emu; /* one per process: the signal handlers find it here */

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(struct emu *emu, const char *fmt, ...)
{
	char msg[sizeof(emu->ctl->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (emu->ctl)
		memcpy(emu->ctl->error, msg, sizeof(msg));
	fprintf(stderr, "uproc-emu-core: %s\n", msg);
	_exit(EMU_EXIT_SETUP);
}

static bool num(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool fd_num(const char *s, int *out)
{
	uint64_t v;
	if (!num(s, &v) || v > INT32_MAX)
		return false;
	*out = (int)v;
	return true;
}

/* "FD,DA,SIZE,FLAGS" */
static bool region_arg(char *s, struct emu_region *r)
{
	char *fd = strtok(s, ","), *da = strtok(NULL, ","), *size = strtok(NULL, ",");
	char *flags = strtok(NULL, ",");

	if (!fd_num(fd, &r->fd) || !num(da, &r->da) || !num(size, &r->size) || !r->size ||
	    r->size > 0x100000000ull || r->da > 0x100000000ull - r->size)
		return false;
	r->prot = 0;
	r->ctl = false;
	for (const char *f = flags ? flags : ""; *f; f++) {
		if (*f == 'r')
			r->prot |= UC_PROT_READ;
		else if (*f == 'w')
			r->prot |= UC_PROT_WRITE;
		else if (*f == 'x')
			r->prot |= UC_PROT_EXEC;
		else if (*f == 'c')
			r->ctl = true;
		else
			return false;
	}
	return true;
}

static struct emu_region regions[EMU_MAX_REGIONS];
static unsigned int nregions;

static pid_t host_pid;	/* --host: die with this parent (0: outlive it) */

static void parse_args(struct emu *emu, int argc, char **argv, uint64_t *entry, int *cpu)
{
	const char *machine = NULL, *order = "le";

	emu->db_in = emu->db_out = -1;
	*entry = 0;
	*cpu = -1;
	for (int i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t v;
		bool ok = val != NULL;

		if (ok && !strcmp(opt, "--machine"))
			machine = val;
		else if (ok && !strcmp(opt, "--order"))
			order = val;
		else if (ok && !strcmp(opt, "--in"))
			ok = fd_num(val, &emu->db_in);
		else if (ok && !strcmp(opt, "--out"))
			ok = fd_num(val, &emu->db_out);
		else if (ok && !strcmp(opt, "--entry"))
			ok = num(val, entry) && *entry <= UINT32_MAX;
		else if (ok && !strcmp(opt, "--cpu")) {
			ok = num(val, &v) && v < CPU_SETSIZE;
			*cpu = ok ? (int)v : -1;
		} else if (ok && !strcmp(opt, "--host")) {
			ok = num(val, &v) && v && v <= INT32_MAX;
			host_pid = ok ? (pid_t)v : 0;
		} else if (ok && !strcmp(opt, "--region"))
			ok = nregions < EMU_MAX_REGIONS && region_arg(val, &regions[nregions++]);
		else
			ok = false;
		if (!ok)
			fail(emu, "bad argument %s %s", opt, val ? val : "");
	}
	if (!machine || emu->db_in < 0 || emu->db_out < 0 || !nregions)
		fail(emu, "usage: --machine arm|riscv|mips --order le|be --in FD --out FD "
			  "--entry ADDR [--cpu N] --region FD,DA,SIZE,FLAGS...");
	emu->big_endian = !strcmp(order, "be");
	if (!emu->big_endian && strcmp(order, "le"))
		fail(emu, "bad byte order %s", order);
	if (!strcmp(machine, "arm")) {
		emu->machine = EM_ARM;
		emu->arch = &emu_arch_arm;
	} else if (!strcmp(machine, "riscv")) {
		emu->machine = EM_RISCV;
		emu->arch = &emu_arch_riscv;
	} else if (!strcmp(machine, "mips")) {
		emu->machine = EM_MIPS;
		emu->arch = &emu_arch_mips;
	} else
		fail(emu, "unknown machine %s", machine);
	if (emu->big_endian && emu->machine != EM_MIPS)
		fail(emu, "%s cores are little-endian", machine);
}

uc_err emu_open_engine(const struct emu *emu, uc_engine **uc)
{
	uc_err e;

	if (emu->machine == EM_ARM) {
		e = uc_open(UC_ARCH_ARM, UC_MODE_THUMB | UC_MODE_MCLASS, uc);
		if (!e)
			e = uc_ctl_set_cpu_model(*uc, UC_CPU_ARM_CORTEX_M4);
	} else if (emu->machine == EM_RISCV) {
		e = uc_open(UC_ARCH_RISCV, UC_MODE_RISCV32, uc);
	} else {
		e = uc_open(UC_ARCH_MIPS,
			    UC_MODE_MIPS32 | (emu->big_endian ? UC_MODE_BIG_ENDIAN : UC_MODE_LITTLE_ENDIAN),
			    uc);
		if (!e)
			e = uc_ctl_set_cpu_model(*uc, UC_CPU_MIPS32_24KF);
	}
	if (e && *uc) {
		uc_close(*uc);
		*uc = NULL;
	}
	return e;
}

static void open_unicorn(struct emu *emu)
{
	uc_err e = emu_open_engine(emu, &emu->uc);

	if (e)
		fail(emu, "unicorn: %s", uc_strerror(e));
}

static void map_regions(struct emu *emu)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < nregions; i++) {
			struct emu_region *r = &regions[i];
			struct stat st;

			if (r->ctl != (pass == 0))
				continue;
			if (fstat(r->fd, &st) != 0 || (uint64_t)st.st_size < r->size)
				fail(emu, "region %u (fd %d) is not a memory object of %#llx bytes", i,
				     r->fd, (unsigned long long)r->size);
			void *p = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
			if (p == MAP_FAILED)
				fail(emu, "cannot map region %u: %s", i, strerror(errno));
			if (r->ctl) {
				emu->ctl = p;
				if (r->size < sizeof(*emu->ctl) ||
				    emu->ctl->magic != UPROC_NATIVE_CTL_MAGIC ||
				    emu->ctl->version != UPROC_NATIVE_CTL_VERSION) {
					emu->ctl = NULL;
					fail(emu, "the control page has a wrong size, magic or version");
				}
				continue;
			}
			uc_err e = uc_mem_map_ptr(emu->uc, r->da, r->size, r->prot, p);
			if (e)
				fail(emu, "cannot map region %u at %#llx (+%#llx): %s", i,
				     (unsigned long long)r->da, (unsigned long long)r->size,
				     uc_strerror(e));
		}
	}
	if (!emu->ctl)
		fail(emu, "no control page given (a region with flag c)");
}

/* ---- ending ------------------------------------------------------------------------ */

bool emu_reason_access(uint32_t reason)
{
	switch (reason) {
	case UPROC_EMU_END_READ_UNMAPPED:
	case UPROC_EMU_END_WRITE_UNMAPPED:
	case UPROC_EMU_END_FETCH_UNMAPPED:
	case UPROC_EMU_END_READ_PROT:
	case UPROC_EMU_END_WRITE_PROT:
	case UPROC_EMU_END_FETCH_PROT:
		return true;
	default:
		return false;
	}
}

static int reason_signal(uint32_t reason)
{
	if (emu_reason_access(reason))
		return SIGSEGV;
	switch (reason) {
	case UPROC_EMU_END_DEVICE:
		return SIGSEGV;
	case UPROC_EMU_END_UNALIGNED:
		return SIGBUS;
	case UPROC_EMU_END_UNDEFINED:
		return SIGILL;
	case UPROC_EMU_END_BREAKPOINT:
	case UPROC_EMU_END_WATCHDOG:
		return SIGTRAP;
	default:
		return SIGABRT;
	}
}

__attribute__((noreturn)) static void end_core(struct emu *emu, uint32_t reason)
{
	struct uproc_native_crash *c = &emu->ctl->crash;
	int sig = reason_signal(reason);

	memset(&c->emu, 0, sizeof(c->emu));
	if (emu->where_pending) {
		/* A memory hook ended the run: the pc register holds its block's start. */
		uint32_t pc;
		emu->where_pending = false;
		uint32_t addr = 0;
		if (emu_where(emu, &emu->where, &pc, &addr)) {
			if (emu->fault_pc_valid && emu->fault_addr == emu->fault_pc)
				emu->fault_addr = pc; /* the address was the pc's */
			else if (emu->reason == UPROC_EMU_END_UNALIGNED && !emu->fault_addr)
				emu->fault_addr = addr; /* the access the CPU refused */
			emu->fault_pc = pc;
			emu->fault_pc_valid = true;
		}
	}
	if (emu->arch->fault)
		emu->arch->fault(emu);
	emu_regs_core(emu, &c->emu);
	c->emu.machine = emu->machine;
	c->emu.reason = reason;
	c->emu.addr = emu->fault_addr;
	c->signo = (uint32_t)sig;
	c->code = (int32_t)reason;
	c->addr = emu->fault_addr;
	uproc_shm_store32(&c->valid, 1, memory_order_release);
	/*
	 * Park, as the native stub does: ring the host, then sleep on the doorbell for
	 * good. The process, its record and its memories stay until a host ends it, so
	 * a core that faults while no host is attached is found crashed by the next.
	 */
	uint64_t v = 1;
	(void)!write(emu->db_out, &v, sizeof(v));
	for (;;) {
		struct pollfd pfd = { .fd = emu->db_in, .events = POLLIN };
		if (poll(&pfd, 1, -1) > 0 && read(emu->db_in, &v, sizeof(v)) < 0 && errno == EBADF)
			break;
	}
	syscall(SYS_exit_group, 128 + sig);
	__builtin_unreachable();
}

uint32_t emu_pc(struct emu *emu)
{
	uint32_t pc = 0;
	uc_reg_read(emu->uc, emu->arch->pc_reg, &pc);
	return emu->machine == EM_ARM ? pc & ~1u : pc;
}

void emu_set_pc(struct emu *emu, uint32_t pc)
{
	if (emu->machine == EM_ARM)
		pc |= 1; /* Thumb */
	uc_reg_write(emu->uc, emu->arch->pc_reg, &pc);
}

void emu_stop_at(struct emu *emu, enum emu_stop why, uint32_t pc)
{
	emu->stop = why;
	emu->stop_pc = pc;
	emu->stop_pc_valid = true;
	uc_emu_stop(emu->uc);
}

void emu_fault(struct emu *emu, uint32_t reason, uint32_t addr)
{
	if (emu->stop == EMU_STOP_FAULT)
		return; /* the first fault is the one reported */
	emu->stop = EMU_STOP_FAULT;
	emu->reason = reason;
	emu->fault_addr = addr;
	uc_emu_stop(emu->uc);
}

void emu_fault_access(struct emu *emu, uint32_t reason, uint32_t addr, bool write)
{
	if (emu->stop != EMU_STOP_FAULT) {
		/* The pc is stale in a memory hook: found at the end of the run. */
		struct emu_want want = { .write = write, .addr = addr };
		emu_where_later(emu, &want);
	}
	emu_fault(emu, reason, addr);
}

void emu_where_later(struct emu *emu, const struct emu_want *want)
{
	emu->where = *want;
	emu->where_pending = true;
}

/*
 * ---- alarm and signals --------------------------------------------------------------
 *
 * A signal handler only raises flags; the block hook acts on them at the next block.
 * It must not call uc_emu_stop() itself: a run stopped from outside a hook ends
 * between two chained blocks without the pc written back, and resuming at the stale
 * pc would run again instructions that already ran (the registers come out wrong).
 */

static void on_alarm(int sig)
{
	(void)sig;
	the_emu.attention = 1;
}

static void on_trap(int sig)
{
	(void)sig;
	the_emu.dump = 1;
	the_emu.attention = 1;
}

void emu_arm_alarm(struct emu *emu, uint64_t deadline)
{
	if (!emu->alarm_ok || deadline == UINT64_MAX)
		return;
	if (emu->alarm_at && emu->alarm_at <= deadline && emu->alarm_at > upi_now_ns())
		return; /* an earlier alarm is set; it re-arms for this one when it goes off */
	struct itimerspec its = { 0 };
	its.it_value.tv_sec = (time_t)(deadline / 1000000000u);
	its.it_value.tv_nsec = (long)(deadline % 1000000000u);
	if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
		its.it_value.tv_nsec = 1;
	if (timer_settime(emu->alarm, TIMER_ABSTIME, &its, NULL) == 0)
		emu->alarm_at = deadline;
}

static void setup_signals(struct emu *emu)
{
	struct sigaction sa;
	struct sigevent sev;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_trap;
	sigaction(SIGTRAP, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGALRM;
	emu->alarm_ok = timer_create(CLOCK_MONOTONIC, &sev, &emu->alarm) == 0;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int debug_fds[2] = { -1, -1 };

static void close_other_fds(struct emu *emu)
{
	int keep[EMU_MAX_REGIONS + 4];
	unsigned int n = 0, from = 0;

	keep[n++] = emu->db_in;
	keep[n++] = emu->db_out;
	for (int i = 0; i < 2; i++)
		if (debug_fds[i] >= 0)
			keep[n++] = debug_fds[i];
	for (unsigned int i = 0; i < nregions; i++)
		keep[n++] = regions[i].fd;
	qsort(keep, n, sizeof(keep[0]), cmp_int);
	for (unsigned int i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > from)
			syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0);
		from = (unsigned int)keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0u, 0);
}

static bool arch_pending(struct emu *emu)
{
	return emu->arch->pending && emu->arch->pending(emu);
}

/* ---- hooks -------------------------------------------------------------------------- */

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *arg)
{
	struct emu *emu = arg;
	(void)uc;

	emu->block_start = (uint32_t)addr;
	emu->block_size = size;
	if (__builtin_expect(!emu->attention && !uproc_native_mbox_peek(&emu->ctl->to_core), 1))
		return;
	emu->attention = 0;
	if (emu->dump) {
		emu->reason = UPROC_EMU_END_WATCHDOG;
		emu_stop_at(emu, EMU_STOP_FAULT, (uint32_t)addr);
		return;
	}
	if (emu->debug_req) {
		emu_stop_at(emu, EMU_STOP_RESUME, (uint32_t)addr);
		return;
	}
	uint32_t lines = emu_dev_poll(emu);
	if (emu->alarm_at && upi_now_ns() >= emu->alarm_at) {
		emu->alarm_at = 0;
		emu_arm_alarm(emu, emu_dev_deadline(emu));
	}
	bool took = emu->arch->deliver(emu, (uint32_t)addr);
	if (emu->stop == EMU_STOP_FAULT && !emu->fault_pc_valid && !emu->where_pending) {
		/* Entering the handler failed: before the block's first instruction. */
		emu->fault_pc = (uint32_t)addr;
		emu->fault_pc_valid = true;
	}
	if (took)
		return;
	/* Still asserted but masked: look again at the next block. */
	if (lines || arch_pending(emu))
		emu->attention = 1;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
			void *arg)
{
	struct emu *emu = arg;
	uint32_t reason;
	(void)uc;
	(void)size;
	(void)value;

	switch (type) {
	case UC_MEM_WRITE_UNMAPPED: reason = UPROC_EMU_END_WRITE_UNMAPPED; break;
	case UC_MEM_FETCH_UNMAPPED: reason = UPROC_EMU_END_FETCH_UNMAPPED; break;
	case UC_MEM_WRITE_PROT: reason = UPROC_EMU_END_WRITE_PROT; break;
	case UC_MEM_READ_PROT: reason = UPROC_EMU_END_READ_PROT; break;
	case UC_MEM_FETCH_PROT: reason = UPROC_EMU_END_FETCH_PROT; break;
	default: reason = UPROC_EMU_END_READ_UNMAPPED; break;
	}
	if (type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT) {
		if (emu->stop != EMU_STOP_FAULT) {
			emu->fault_pc = (uint32_t)addr; /* where it went */
			emu->fault_pc_valid = true;
		}
		emu_fault(emu, reason, (uint32_t)addr);
	} else {
		emu_fault_access(emu, reason, (uint32_t)addr,
				 type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT);
	}
	return false;
}


static uint32_t reason_of(uc_err e)
{
	switch (e) {
	case UC_ERR_READ_UNMAPPED: return UPROC_EMU_END_READ_UNMAPPED;
	case UC_ERR_WRITE_UNMAPPED: return UPROC_EMU_END_WRITE_UNMAPPED;
	case UC_ERR_FETCH_UNMAPPED: return UPROC_EMU_END_FETCH_UNMAPPED;
	case UC_ERR_READ_PROT: return UPROC_EMU_END_READ_PROT;
	case UC_ERR_WRITE_PROT: return UPROC_EMU_END_WRITE_PROT;
	case UC_ERR_FETCH_PROT: return UPROC_EMU_END_FETCH_PROT;
	case UC_ERR_READ_UNALIGNED:
	case UC_ERR_WRITE_UNALIGNED:
	case UC_ERR_FETCH_UNALIGNED: return UPROC_EMU_END_UNALIGNED;
	case UC_ERR_INSN_INVALID: return UPROC_EMU_END_UNDEFINED;
	default: return UPROC_EMU_END_EMULATOR;
	}
}

/* ---- idle -------------------------------------------------------------------------- */

/* WFI: spin a little, then block on the doorbell until something is asserted. */
static void idle(struct emu *emu)
{
	struct uproc_native_mbox *mbox = &emu->ctl->to_core;
	uint64_t spin_end = upi_now_ns() + emu->ctl->spin_ns;
	static const unsigned int spin_checks = 64;

	for (unsigned int n = 0;; n++) {
		if (emu_dev_poll(emu) || emu->pending || arch_pending(emu) || emu->dump ||
		    emu->debug_req)
			return;
		if ((n % spin_checks) == spin_checks - 1 && upi_now_ns() >= spin_end)
			break;
	}
	for (;;) {
		uint64_t bits = uproc_native_mbox_sleep(mbox);
		if (bits) {
			uproc_native_mbox_awake(mbox);
			uproc_shm_fetch_or64(&mbox->pending, bits, memory_order_seq_cst);
			return;
		}
		if (emu_dev_poll(emu) || emu->pending || arch_pending(emu) || emu->dump ||
		    emu->debug_req) {
			uproc_native_mbox_awake(mbox);
			return;
		}
		uint64_t deadline = emu_dev_deadline(emu);
		if (emu->machine == EM_ARM && (emu->arm.syst_csr & 1) && emu->arm.syst_next < deadline)
			deadline = emu->arm.syst_next;
		int timeout = -1;
		if (deadline != UINT64_MAX) {
			uint64_t now = upi_now_ns();
			timeout = deadline <= now ? 0 : (int)((deadline - now + 999999u) / 1000000u);
		}
		struct pollfd pfd[2] = { { .fd = emu->db_in, .events = POLLIN },
					 { .fd = emu_gdb_fd(), .events = POLLIN } };
		int n = poll(pfd, pfd[1].fd >= 0 ? 2 : 1, timeout);
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			uint64_t count;
			(void)!read(emu->db_in, &count, sizeof(count));
		}
		if (n > 0 && (pfd[1].revents & (POLLIN | POLLHUP)))
			emu->debug_req = 1;
		uproc_native_mbox_awake(mbox);
	}
}

/* ---- main -------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct emu *emu = &the_emu;
	struct rlimit no_core = { 0, 0 };
	uint64_t entry;
	int cpu;
	uc_hook hb, hm;

	parse_args(emu, argc, argv, &entry, &cpu);
	/* As the native stub: a core that must not outlive its host dies with it. */
	if (host_pid && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != host_pid))
		_exit(EMU_EXIT_SETUP);
	open_unicorn(emu);
	map_regions(emu);
	uproc_shm_store32(&emu->ctl->stub_state, UPROC_NATIVE_STUB_MAPPED, memory_order_release);
	emu->ctl->emu_machine = emu->machine;
	emu->ctl->emu_big_endian = emu->big_endian;
	emu->ctl->doorbell_in = emu->db_in;
	emu->ctl->doorbell_out = emu->db_out;
	emu->start_ns = upi_now_ns();

	(void)setrlimit(RLIMIT_CORE, &no_core);
	(void)prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	setup_signals(emu);
	if (cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			fail(emu, "cannot pin to CPU %d: %s", cpu, strerror(errno));
	}
	int e = emu_dev_map(emu);
	if (e)
		fail(emu, "cannot map the devices: %s", uc_strerror((uc_err)e));
	if (uc_hook_add(emu->uc, &hb, UC_HOOK_BLOCK, (void *)on_block, emu, 1, 0) ||
	    uc_hook_add(emu->uc, &hm, UC_HOOK_MEM_INVALID, (void *)on_unmapped, emu, 1, 0))
		fail(emu, "cannot install the emulator's hooks");
	e = emu->arch->setup(emu, entry);
	if (e)
		fail(emu, "cannot reset the %s core: %s", emu->arch->name, uc_strerror((uc_err)e));

	debug_fds[0] = emu_gdb_setup(emu, &debug_fds[1]);
	close_other_fds(emu);
	e = emu_sandbox();
	if (e)
		fail(emu, "seccomp: %s", strerror(-e));
	uproc_shm_store32(&emu->ctl->stub_state, UPROC_NATIVE_STUB_RUNNING, memory_order_release);

	for (;;) {
		if (emu->debug_req)
			emu_gdb_stopped(emu, false);
		uint32_t pc = emu_pc(emu);
		emu->stop = EMU_STOP_NONE;
		emu->fault_pc_valid = false;
		emu->stop_pc_valid = false;
		if (emu->machine == EM_ARM)
			pc |= 1; /* Thumb */
		uc_err err = uc_emu_start(emu->uc, pc, 0, 0, 0);
		if (emu->stop_pc_valid)
			emu_set_pc(emu, emu->stop_pc);
		if (emu->dump)
			end_core(emu, UPROC_EMU_END_WATCHDOG);
		if (emu->stop == EMU_STOP_FAULT)
			end_core(emu, emu->reason);
		if (emu->stop == EMU_STOP_EXIT)
			syscall(SYS_exit_group, emu->exit_code);
		if (err != UC_ERR_OK) {
			emu->fault_addr = 0;
			end_core(emu, reason_of(err));
		}
		if (emu->stop == EMU_STOP_DEBUG) {
			emu_gdb_stopped(emu, true);
			continue;
		}
		if (emu->stop == EMU_STOP_RESUME || emu->debug_req)
			continue;
		idle(emu);
		emu->attention = 1; /* deliver what woke us at the first block */
	}
}
