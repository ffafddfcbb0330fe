// SPDX-License-Identifier: MIT
/*
 * crash.c - example firmware that fails on request, to exercise crash reporting,
 * recovery and coredumps. Channel "rpmsg-crash"; each message is a command:
 *   "ping"     answer "pong"
 *   "segv"     store through a null pointer (native: SIGSEGV; emulated: an
 *              unmapped write at address 0), a coredump with registers
 *   "ill"      an undefined instruction (SIGILL / undefined instruction)
 *   "wild"     compute a value, then store it at WILD_ADDR (0x404), which nothing
 *              maps, from the middle of a run of straight-line code: the report
 *              must name that store (and the address), not where the run began
 *   "align"    a misaligned access the architecture refuses (emulated cores:
 *              Cortex-M ldrex, RISC-V lr.w, MIPS lw at an odd address)
 *   "fpe"      native: divide by zero (SIGFPE)
 *   "syscall"  native: a forbidden system call (the sandbox kills the core:
 *              SIGSYS); emulated: the architecture's system call instruction
 *              with no handler (svc / ecall / syscall)
 *   "exit"     stop the firmware (exit status 3)
 *   "hang"     stop answering: spin forever (a watchdog's case)
 * Unknown commands, and those the platform has not, are answered with "unknown".
 */
#include <stdint.h>

#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static bool is_cmd(const char *data, size_t len, const char *cmd)
{
	size_t n = strlen(cmd);
	/* Accept a trailing newline, as from a tty. */
	if (len && data[len - 1] == '\n')
		len--;
	return len == n && memcmp(data, cmd, n) == 0;
}

/* The platform's fault kinds; 0 where it has none (answered "unknown"). */
#if defined(__x86_64__)
#define HAS_FPE 1
#define HAS_ALIGN 0
static long raw_syscall0(long nr)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}
#define UNDEFINED_INSN() __asm__ volatile("ud2")
#define SYSCALL_INSN() raw_syscall0(39) /* getpid */
#define DIVIDE_BY_ZERO() \
	__asm__ volatile("xorl %%ecx, %%ecx\n\tdivl %%ecx" : : : "eax", "ecx", "edx")
#define MISALIGNED_LOAD(p) ((void)(p))
#elif defined(__arm__)
#define HAS_FPE 0
#define HAS_ALIGN 1
#define UNDEFINED_INSN() __asm__ volatile("udf #1")
#define SYSCALL_INSN() __asm__ volatile("svc #0" ::: "memory")
#define MISALIGNED_LOAD(p) \
	do { uint32_t v_; __asm__ volatile("ldrex %0, [%1]" : "=r"(v_) : "r"(p) : "memory"); } while (0)
#elif defined(__riscv)
#define HAS_FPE 0
#define HAS_ALIGN 1
#define UNDEFINED_INSN() __asm__ volatile(".4byte 0x00000000")
#define SYSCALL_INSN() __asm__ volatile("ecall" ::: "memory")
#define MISALIGNED_LOAD(p) \
	do { uint32_t v_; __asm__ volatile("lr.w %0, (%1)" : "=r"(v_) : "r"(p) : "memory"); } while (0)
#elif defined(__mips__)
#define HAS_FPE 0
#define HAS_ALIGN 1
/* Opcode 0x3B: reserved in MIPS32r2 (a Reserved Instruction exception). */
#define UNDEFINED_INSN() __asm__ volatile(".word 0xEC000000")
#define SYSCALL_INSN() __asm__ volatile("syscall" ::: "memory")
#define MISALIGNED_LOAD(p) \
	do { uint32_t v_; __asm__ volatile("lw %0, 0(%1)" : "=r"(v_) : "r"(p) : "memory"); } while (0)
#else
#error "crash.c: unknown architecture"
#endif
#if !HAS_FPE
#define DIVIDE_BY_ZERO() ((void)0)
#endif

/* Kept out of line so the coredump's backtrace names it. */
__attribute__((noinline)) static void crash_null_store(void)
{
	volatile uintptr_t addr = 0;
	*(volatile uint32_t *)addr = 0xdead;
}

/* An address no platform maps (MIPS: kuseg, so a TLB store miss with BadVAddr). */
#define WILD_ADDR 0x404u

/* Straight-line code before the faulting store: one basic block for the emulator. */
__attribute__((noinline)) static void crash_wild_store(uint32_t seed)
{
	volatile uintptr_t addr = WILD_ADDR;
	uint32_t v = seed * 7u + 3u;

	v ^= v >> 3;
	v += seed << 5;
	v |= 0x10u;
	*(volatile uint32_t *)addr = v;
}

__attribute__((noinline)) static void crash_misaligned(void)
{
	static uint32_t words[2];
	volatile uintptr_t addr = (uintptr_t)words + 1;
	MISALIGNED_LOAD(addr);
}

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	const char *cmd = data;

	(void)priv;
	size_t shown = len > 32 ? 32 : len;
	if (shown && cmd[shown - 1] == '\n')
		shown--;	/* a line from a tty: trace the command, not its newline */
	uproc_fw_trace("crash: command \"%.*s\"\n", (int)shown, cmd);
	if (is_cmd(cmd, len, "ping")) {
		rpmsg_sendto(ept, "pong", 4, src);
	} else if (is_cmd(cmd, len, "segv")) {
		crash_null_store();
	} else if (is_cmd(cmd, len, "wild")) {
		crash_wild_store((uint32_t)len);
	} else if (is_cmd(cmd, len, "ill")) {
		UNDEFINED_INSN();
	} else if (HAS_ALIGN && is_cmd(cmd, len, "align")) {
		crash_misaligned();
	} else if (HAS_FPE && is_cmd(cmd, len, "fpe")) {
		DIVIDE_BY_ZERO();
	} else if (is_cmd(cmd, len, "syscall")) {
		SYSCALL_INSN();
	} else if (is_cmd(cmd, len, "exit")) {
		uproc_fw_exit(3);
	} else if (is_cmd(cmd, len, "hang")) {
		for (;;)
			uproc_fw_cpu_relax();
	} else {
		rpmsg_sendto(ept, "unknown", 7, src);
	}
	return 0;
}

static struct uproc_fw_service crash = {
	.name = "rpmsg-crash",
	.callback = on_message,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	uproc_fw_trace("crash firmware: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &crash))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
