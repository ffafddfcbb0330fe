// SPDX-License-Identifier: MIT
/*
 * crash.c - example firmware that fails on request, to exercise crash reporting,
 * recovery and coredumps. Channel "rpmsg-crash"; each message is a command:
 *   "ping"     answer "pong"
 *   "segv"     store through a null pointer (SIGSEGV, a coredump with registers)
 *   "ill"      an undefined instruction (SIGILL)
 *   "fpe"      divide by zero (SIGFPE)
 *   "syscall"  a forbidden system call (the sandbox kills the core: SIGSYS)
 *   "exit"     stop the firmware (exit status 3)
 *   "hang"     stop answering: spin forever (a watchdog's case)
 * Unknown commands are answered with "unknown".
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

static long raw_syscall0(long nr)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

/* Kept out of line so the coredump's backtrace names it. */
__attribute__((noinline)) static void crash_null_store(void)
{
	volatile uintptr_t addr = 0;
	*(volatile uint32_t *)addr = 0xdead;
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
	} else if (is_cmd(cmd, len, "ill")) {
		__asm__ volatile("ud2");
	} else if (is_cmd(cmd, len, "fpe")) {
		__asm__ volatile("xorl %%ecx, %%ecx\n\tdivl %%ecx" : : : "eax", "ecx", "edx");
	} else if (is_cmd(cmd, len, "syscall")) {
		raw_syscall0(39); /* getpid */
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
