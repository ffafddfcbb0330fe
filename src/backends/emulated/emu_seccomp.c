// SPDX-License-Identifier: MIT
/*
 * emu_seccomp.c - the emulated core's sandbox: an allow-list of what the emulator
 * needs once it runs (the doorbells, the clock and its alarm, memory management for
 * the translator, exit). No open, exec, socket, ptrace or anything that reaches
 * beyond the process: a firmware that breaks the emulator still cannot leave it.
 * Any other call, another architecture or x32 numbers kill the process (SIGSYS).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "emu.h"

#define X32_SYSCALL_BIT 0x40000000u

static const unsigned int allowed[] = {
	__NR_read, __NR_write, __NR_poll, __NR_ppoll, __NR_clock_gettime,
	__NR_clock_nanosleep, __NR_nanosleep, __NR_timer_settime, __NR_timer_gettime,
	__NR_mmap, __NR_munmap, __NR_mprotect, __NR_madvise, __NR_mremap, __NR_brk,
	__NR_futex, __NR_rt_sigreturn, __NR_rt_sigprocmask, __NR_sched_yield,
	__NR_restart_syscall, __NR_getpid, __NR_gettid, __NR_exit, __NR_exit_group,
};

#define NALLOWED (sizeof(allowed) / sizeof(allowed[0]))

int emu_sandbox(void)
{
	/* ld arch; jeq x86_64; ld nr; jge x32 -> kill; one jeq per allowed call; kill; allow */
	struct sock_filter prog[4 + NALLOWED + 2];
	unsigned int n = 0;
	const unsigned int kill_at = 4 + NALLOWED, allow_at = kill_at + 1;

	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	prog[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0,
					       (unsigned char)(kill_at - n - 1));
	n++;
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
	prog[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT,
					       (unsigned char)(kill_at - n - 1), 0);
	n++;
	for (unsigned int i = 0; i < NALLOWED; i++, n++)
		prog[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, allowed[i],
						       (unsigned char)(allow_at - n - 1), 0);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
		return -errno;
	return 0;
}
