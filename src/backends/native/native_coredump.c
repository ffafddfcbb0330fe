// SPDX-License-Identifier: MIT
/*
 * native_coredump.c - the NT_PRSTATUS note of a native core's coredump: the
 * faulting thread's registers as the stub's fault handler saved them, laid out as
 * Linux's x86-64 struct elf_prstatus, so that `gdb firmware.elf core` shows where
 * the firmware died.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/procfs.h>

#include "native_internal.h"

#define NOTE_NAME "CORE"
#define NOTE_NAME_SIZE 8 /* "CORE\0" padded to 4 */

static size_t align4(size_t n)
{
	return (n + 3u) & ~(size_t)3u;
}

ssize_t upi_native_prstatus_note(const struct uproc_native_exit *ex, void *buf, size_t len)
{
#if defined(__x86_64__)
	struct elf_prstatus st;
	Elf64_Nhdr nh;
	size_t total = sizeof(nh) + NOTE_NAME_SIZE + align4(sizeof(st));

	_Static_assert(sizeof(st.pr_reg) == sizeof(struct uproc_native_regs),
		       "pr_reg is user_regs_struct");
	if (!buf)
		return (ssize_t)total;
	if (len < total)
		return -ENOSPC;

	memset(&st, 0, sizeof(st));
	int sig = ex->kind == UPROC_NATIVE_EXIT_FAULT || ex->kind == UPROC_NATIVE_EXIT_SIGNAL
			  ? ex->status
			  : 0;
	st.pr_info.si_signo = sig;
	st.pr_info.si_code = ex->kind == UPROC_NATIVE_EXIT_FAULT ? ex->crash.code : 0;
	st.pr_cursig = (short)sig;
	st.pr_pid = ex->pid;
	if (ex->crash.valid)
		memcpy(&st.pr_reg, &ex->crash.regs, sizeof(st.pr_reg));

	nh.n_namesz = sizeof(NOTE_NAME);
	nh.n_descsz = sizeof(st);
	nh.n_type = NT_PRSTATUS;
	unsigned char *p = buf;
	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memset(p, 0, NOTE_NAME_SIZE);
	memcpy(p, NOTE_NAME, sizeof(NOTE_NAME));
	p += NOTE_NAME_SIZE;
	memset(p, 0, align4(sizeof(st)));
	memcpy(p, &st, sizeof(st));
	return (ssize_t)total;
#else
	(void)ex;
	(void)buf;
	(void)len;
	return -ENOTSUP;
#endif
}
