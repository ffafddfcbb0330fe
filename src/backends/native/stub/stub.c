// SPDX-License-Identifier: MIT
/*
 * stub.c - the native core's stub: the program a native core's process runs before
 * the firmware. Built static-pie, so nothing of it sits at the low addresses the
 * firmware is linked at.
 *
 * Steps: parse the command line (stub.h), map every region at its device address
 * (MAP_FIXED_NOREPLACE: a conflict is an error, never a silent move), reset signal
 * dispositions and the mask, install the fault handler on an alternate stack, pin to
 * a CPU if asked, close every fd but the doorbells and the region memfds (kept open
 * so that a host attaching later can take them with pidfd_getfd), sandbox (seccomp),
 * and jump to the firmware's entry point. A failure before the jump is written into
 * the control page's error field (and stderr) and ends the process with status
 * STUB_EXIT_SETUP.
 *
 * The fault handler copies the faulting thread's registers into the control page,
 * rings the host's doorbell and parks the core: it blocks on its own doorbell for
 * good, so the process (and with it the record and the memories) stays until a host
 * ends it. A core that faults while no host is attached is so found by the next
 * host, which reports the crash with its record and can dump its memory. The
 * handler uses only the doorbell calls the sandbox allows. The control page pointer
 * is the one piece of process-wide state here: a signal handler has no other way to
 * find it.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "stub.h"
#include "uproc/native.h"

/* Exit status of a stub that failed before reaching the firmware. */
#define STUB_EXIT_SETUP 126

#define STUB_ALTSTACK_SIZE (64 * 1024)
#define STUB_STACK_SIZE (64 * 1024)

struct stub_region {
	int fd;
	uint64_t da;
	uint64_t size;
	int prot;
	int is_ctl;
};

struct stub_args {
	int doorbell_in;
	int doorbell_out;
	uint64_t entry;
	int cpu;
	pid_t host;	/* die with this parent (0: outlive it) */
	unsigned int nregions;
	struct stub_region regions[STUB_MAX_REGIONS];
};

/* The control page and doorbells as the fault handler finds them (file comment). */
static struct uproc_native_ctl *fault_ctl;
static int fault_db_in = -1, fault_db_out = -1;

static _Alignas(16) unsigned char alt_stack[STUB_ALTSTACK_SIZE];
static _Alignas(16) unsigned char entry_stack[STUB_STACK_SIZE];

__attribute__((noreturn)) static void raw_exit_group(int status)
{
	for (;;)
		__asm__ volatile("syscall" : : "a"((long)SYS_exit_group), "D"((long)status)
				 : "rcx", "r11", "memory");
}

static long raw_syscall3(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

/*
 * Park the core after a fault: ring the host, then block on the core's own doorbell
 * for good (the host's kicks wake it; it blocks again). Only the host ends it.
 */
__attribute__((noreturn)) static void park(void)
{
	uint64_t v = 1;

	if (fault_db_out >= 0)
		(void)raw_syscall3(SYS_write, fault_db_out, (long)(uintptr_t)&v, sizeof(v));
	for (;;) {
		if (fault_db_in < 0 ||
		    raw_syscall3(SYS_read, fault_db_in, (long)(uintptr_t)&v, sizeof(v)) == -EBADF)
			raw_exit_group(128 + SIGABRT); /* no doorbell to park on */
	}
}

__attribute__((noreturn, format(printf, 2, 3)))
static void fail(struct uproc_native_ctl *ctl, const char *fmt, ...)
{
	char msg[sizeof(ctl->error)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctl)
		memcpy(ctl->error, msg, sizeof(msg));
	fprintf(stderr, "uproc-native-stub: %s\n", msg);
	exit(STUB_EXIT_SETUP);
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_fd(const char *s, int *out)
{
	uint64_t v;

	if (parse_u64(s, &v) || v > INT32_MAX)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* "FD,DA,SIZE,FLAGS" */
static int parse_region(char *s, struct stub_region *r)
{
	char *fields[4];
	unsigned int n = 0;

	for (char *tok = s; n < 4; n++) {
		fields[n] = tok;
		char *comma = strchr(tok, ',');
		if (!comma) {
			n++;
			break;
		}
		*comma = '\0';
		tok = comma + 1;
	}
	if (n != 4 || parse_fd(fields[0], &r->fd) || parse_u64(fields[1], &r->da) ||
	    parse_u64(fields[2], &r->size) || !r->size)
		return -EINVAL;
	r->prot = PROT_NONE;
	r->is_ctl = 0;
	for (const char *f = fields[3]; *f; f++) {
		switch (*f) {
		case 'r': r->prot |= PROT_READ; break;
		case 'w': r->prot |= PROT_WRITE; break;
		case 'x': r->prot |= PROT_EXEC; break;
		case 'c': r->is_ctl = 1; break;
		default: return -EINVAL;
		}
	}
	return 0;
}

static void parse_args(int argc, char **argv, struct stub_args *a)
{
	uint64_t v;

	a->doorbell_in = a->doorbell_out = -1;
	a->entry = 0;
	a->cpu = -1;
	a->host = 0;
	a->nregions = 0;
	for (int i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = !val;

		if (!bad && !strcmp(opt, "--in"))
			bad = parse_fd(val, &a->doorbell_in);
		else if (!bad && !strcmp(opt, "--out"))
			bad = parse_fd(val, &a->doorbell_out);
		else if (!bad && !strcmp(opt, "--entry"))
			bad = parse_u64(val, &a->entry);
		else if (!bad && !strcmp(opt, "--cpu")) {
			bad = parse_u64(val, &v) || v >= CPU_SETSIZE;
			a->cpu = bad ? -1 : (int)v;
		} else if (!bad && !strcmp(opt, "--host")) {
			bad = parse_u64(val, &v) || !v || v > INT32_MAX;
			a->host = bad ? 0 : (pid_t)v;
		} else if (!bad && !strcmp(opt, "--region")) {
			bad = a->nregions >= STUB_MAX_REGIONS ||
			      parse_region(val, &a->regions[a->nregions]);
			a->nregions++;
		} else
			bad = 1;
		if (bad)
			fail(NULL, "bad argument %s %s", opt, val ? val : "");
	}
	if (a->doorbell_in < 0 || a->doorbell_out < 0 || !a->entry || !a->nregions)
		fail(NULL, "usage: --in FD --out FD --entry ADDR [--cpu N] [--host PID] "
		     "--region FD,DA,SIZE,FLAGS...");
}

static struct uproc_native_ctl *map_regions(const struct stub_args *a)
{
	struct uproc_native_ctl *ctl = NULL;

	/* The control page first, so later failures can be reported through it. */
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int i = 0; i < a->nregions; i++) {
			const struct stub_region *r = &a->regions[i];
			if (r->is_ctl != (pass == 0))
				continue;
			struct stat st;
			if (fstat(r->fd, &st) != 0 || (uint64_t)st.st_size < r->size)
				fail(ctl, "region %u (fd %d) is not a memory object of %#llx bytes", i,
				     r->fd, (unsigned long long)r->size);
			int prot = r->is_ctl ? PROT_READ | PROT_WRITE : r->prot;
			void *p = mmap((void *)(uintptr_t)r->da, r->size, prot,
				       MAP_SHARED | MAP_FIXED_NOREPLACE, r->fd, 0);
			if (p == MAP_FAILED)
				fail(ctl, "cannot map region %u at %#llx (+%#llx): %s%s", i,
				     (unsigned long long)r->da, (unsigned long long)r->size,
				     strerror(errno),
				     errno == EEXIST ? " (the address is taken by another mapping)" : "");
			if ((uintptr_t)p != r->da)
				fail(ctl, "region %u: the kernel placed it at %p, not %#llx", i, p,
				     (unsigned long long)r->da);
			if (r->is_ctl) {
				ctl = p;
				if (r->size < sizeof(*ctl) || ctl->magic != UPROC_NATIVE_CTL_MAGIC ||
				    ctl->version != UPROC_NATIVE_CTL_VERSION)
					fail(NULL, "the control page has a wrong size, magic or version");
			}
		}
	}
	if (!ctl)
		fail(NULL, "no control page given (a region with flag c)");
	for (unsigned int i = 0; i < a->nregions; i++) {
		const struct stub_region *r = &a->regions[i];
		if ((r->prot & PROT_EXEC) && a->entry >= r->da && a->entry - r->da < r->size)
			return ctl;
	}
	fail(ctl, "the entry point %#llx is in no executable region",
	     (unsigned long long)a->entry);
}

/* Linux's user_regs_struct order, from the signal frame's general registers. */
static void save_regs(struct uproc_native_regs *r, const mcontext_t *mc)
{
	const greg_t *g = mc->gregs;
	uint64_t segs = (uint64_t)g[REG_CSGSFS];

	r->r15 = (uint64_t)g[REG_R15];
	r->r14 = (uint64_t)g[REG_R14];
	r->r13 = (uint64_t)g[REG_R13];
	r->r12 = (uint64_t)g[REG_R12];
	r->rbp = (uint64_t)g[REG_RBP];
	r->rbx = (uint64_t)g[REG_RBX];
	r->r11 = (uint64_t)g[REG_R11];
	r->r10 = (uint64_t)g[REG_R10];
	r->r9 = (uint64_t)g[REG_R9];
	r->r8 = (uint64_t)g[REG_R8];
	r->rax = (uint64_t)g[REG_RAX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rdi = (uint64_t)g[REG_RDI];
	r->orig_rax = UINT64_MAX; /* not in a system call */
	r->rip = (uint64_t)g[REG_RIP];
	r->cs = segs & 0xffff;
	r->eflags = (uint64_t)g[REG_EFL];
	r->rsp = (uint64_t)g[REG_RSP];
	r->ss = (segs >> 48) & 0xffff;
	r->fs_base = 0;
	r->gs_base = 0;
	r->ds = 0;
	r->es = 0;
	r->fs = (segs >> 32) & 0xffff;
	r->gs = (segs >> 16) & 0xffff;
}

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
	struct uproc_native_ctl *ctl = fault_ctl;
	const ucontext_t *uc = ucv;

	if (ctl) {
		struct uproc_native_crash *c = &ctl->crash;
		save_regs(&c->regs, &uc->uc_mcontext);
		c->signo = (uint32_t)sig;
		c->code = si->si_code;
		c->addr = (uint64_t)(uintptr_t)si->si_addr;
		/* Pairs with the host's acquire load of valid after the process died. */
		uproc_shm_store32(&c->valid, 1, memory_order_release);
		park();
	}
	raw_exit_group(128 + sig);
}

static void setup_signals(struct uproc_native_ctl *ctl)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
	struct sigaction sa;
	stack_t ss = { .ss_sp = alt_stack, .ss_size = sizeof(alt_stack), .ss_flags = 0 };
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL); /* SIGKILL, SIGSTOP, libc's own: refused, fine */

	if (sigaltstack(&ss, NULL) != 0)
		fail(ctl, "sigaltstack: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		if (sigaction(faults[i], &sa, NULL) != 0)
			fail(ctl, "sigaction(%d): %s", faults[i], strerror(errno));
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) != 0)
		fail(ctl, "sigprocmask: %s", strerror(errno));
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Close every fd except the doorbells and the region memfds. */
static void close_other_fds(struct uproc_native_ctl *ctl, const struct stub_args *a)
{
	int keep[STUB_MAX_REGIONS + 2];
	unsigned int n = 0;

	keep[n++] = a->doorbell_in;
	keep[n++] = a->doorbell_out;
	for (unsigned int i = 0; i < a->nregions; i++)
		keep[n++] = a->regions[i].fd;
	qsort(keep, n, sizeof(keep[0]), cmp_int);

	unsigned int from = 0;
	for (unsigned int i = 0; i < n; i++) {
		if ((unsigned int)keep[i] > from &&
		    syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0) != 0)
			fail(ctl, "close_range: %s", strerror(errno));
		from = (unsigned int)keep[i] + 1;
	}
	if (syscall(SYS_close_range, from, ~0u, 0) != 0)
		fail(ctl, "close_range: %s", strerror(errno));
}

__attribute__((noreturn)) static void jump_to_firmware(uint64_t entry, uint64_t ctl_da,
							int doorbell_in, int doorbell_out)
{
	void *sp = entry_stack + sizeof(entry_stack);

	__asm__ volatile("mov %[sp], %%rsp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "jmp *%[entry]\n\t"
			 :
			 : [entry] "r"(entry), [sp] "r"(sp), "D"(ctl_da),
			   "S"((uint64_t)doorbell_in), "d"((uint64_t)doorbell_out)
			 : "memory");
	__builtin_unreachable();
}

int main(int argc, char **argv)
{
	static struct stub_args args;
	struct rlimit no_core = { 0, 0 };

	parse_args(argc, argv, &args);
	/*
	 * A core that must not outlive its host: the kernel kills it when the host
	 * dies, however it dies. A host that died before this line is seen here.
	 */
	if (args.host && (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != args.host))
		_exit(STUB_EXIT_SETUP);
	struct uproc_native_ctl *ctl = map_regions(&args);
	uproc_shm_store32(&ctl->stub_state, UPROC_NATIVE_STUB_MAPPED, memory_order_release);
	ctl->doorbell_in = args.doorbell_in;
	ctl->doorbell_out = args.doorbell_out;

	/* The host's crash record replaces a kernel core dump. */
	(void)setrlimit(RLIMIT_CORE, &no_core);
	/* A host that attaches later is not our parent: let it take our fds (Yama). */
	(void)prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

	fault_db_in = args.doorbell_in;
	fault_db_out = args.doorbell_out;
	fault_ctl = ctl;
	setup_signals(ctl);

	if (args.cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(args.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) != 0)
			fail(ctl, "cannot pin to CPU %d: %s", args.cpu, strerror(errno));
	}

	close_other_fds(ctl, &args);

	int err = stub_sandbox(args.doorbell_in, args.doorbell_out);
	if (err)
		fail(ctl, "seccomp: %s", strerror(-err)); /* stderr is closed: ctl only */

	/* From here on: no system call but the doorbells and exit. */
	uproc_shm_store32(&ctl->stub_state, UPROC_NATIVE_STUB_RUNNING, memory_order_release);
	uint64_t ctl_da = 0;
	for (unsigned int i = 0; i < args.nregions; i++)
		if (args.regions[i].is_ctl)
			ctl_da = args.regions[i].da;
	jump_to_firmware(args.entry, ctl_da, args.doorbell_in, args.doorbell_out);
}
