// SPDX-License-Identifier: MIT
/*
 * stub_seccomp.c - the native core's sandbox: a hand-written seccomp BPF filter.
 *
 * Allowed: read(doorbell_in, ...), write(doorbell_out, ...), exit, exit_group.
 * Everything else, any other architecture, and x32 system call numbers kill the
 * whole process (SECCOMP_RET_KILL_PROCESS: it dies of SIGSYS).
 * The fault handler ends in exit_group, so rt_sigreturn is not needed.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stub.h"

#define DATA_NR offsetof(struct seccomp_data, nr)
#define DATA_ARCH offsetof(struct seccomp_data, arch)
/* args[0], little-endian: the low half first. */
#define DATA_ARG0_LO offsetof(struct seccomp_data, args[0])
#define DATA_ARG0_HI (offsetof(struct seccomp_data, args[0]) + 4)

#define X32_SYSCALL_BIT 0x40000000u

/*
 * The program, with its jump offsets counted from the next instruction:
 *  0 ld arch
 *  1 jeq X86_64 ? 2 : kill
 *  2 ld nr
 *  3 jge X32 bit ? kill : 4
 *  4 jeq read ? rd : 5
 *  5 jeq write ? wr : 6
 *  6 jeq exit ? allow : 7
 *  7 jeq exit_group ? allow : kill
 *  8 rd: ld arg0 hi;  9 jeq 0 ? 10 : kill;  10 ld arg0 lo;  11 jeq in ? allow : kill
 * 12 wr: ld arg0 hi; 13 jeq 0 ? 14 : kill;  14 ld arg0 lo;  15 jeq out ? allow : kill
 * 16 allow
 * 17 kill
 */
enum { L_RD = 8, L_WR = 12, L_ALLOW = 16, L_KILL = 17, L_COUNT = 18 };

#define JUMP(from, to) ((unsigned char)((to) - (from) - 1))

int stub_sandbox(int doorbell_in, int doorbell_out)
{
	struct sock_filter prog[L_COUNT] = {
		[0] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARCH),
		[1] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, JUMP(1, L_KILL)),
		[2] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_NR),
		[3] = BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, JUMP(3, L_KILL), 0),
		[4] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_read, JUMP(4, L_RD), 0),
		[5] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_write, JUMP(5, L_WR), 0),
		[6] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit, JUMP(6, L_ALLOW), 0),
		[7] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_exit_group, JUMP(7, L_ALLOW),
			       JUMP(7, L_KILL)),
		[L_RD] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_HI),
		[L_RD + 1] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, JUMP(L_RD + 1, L_KILL)),
		[L_RD + 2] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_LO),
		[L_RD + 3] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)doorbell_in,
				      JUMP(L_RD + 3, L_ALLOW), JUMP(L_RD + 3, L_KILL)),
		[L_WR] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_HI),
		[L_WR + 1] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, JUMP(L_WR + 1, L_KILL)),
		[L_WR + 2] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA_ARG0_LO),
		[L_WR + 3] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)doorbell_out,
				      JUMP(L_WR + 3, L_ALLOW), JUMP(L_WR + 3, L_KILL)),
		[L_ALLOW] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		[L_KILL] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog fprog = { .len = L_COUNT, .filter = prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -errno;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0)
		return -errno;
	return 0;
}
