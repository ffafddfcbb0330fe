// SPDX-License-Identifier: MIT
/*
 * native_backend.c - which kind of core runs an image (native x86-64, or emulated
 * Cortex-M / RISC-V / MIPS32), the refusal message for the others, and the
 * NT_PRSTATUS note of an emulated core's coredump (32-bit Linux elf_prstatus of
 * that machine, in the firmware's byte order, as gdb reads it).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "native_internal.h"
#include "uproc/emulated.h"
#include "uproc/fwimage.h"

enum uproc_core_backend uproc_backend_for_machine(uint16_t e_machine, unsigned int elf_class)
{
	if (e_machine == EM_X86_64 && elf_class == ELFCLASS64)
		return UPROC_BACKEND_NATIVE;
	if ((e_machine == EM_ARM || e_machine == EM_RISCV || e_machine == EM_MIPS) &&
	    elf_class == ELFCLASS32)
		return UPROC_BACKEND_EMULATED;
	return UPROC_BACKEND_AUTO;
}

int upi_native_backend_choose(enum uproc_core_backend want, uint16_t e_machine,
			  unsigned int elf_class, const char *file, char *msg, size_t len)
{
	enum uproc_core_backend can = uproc_backend_for_machine(e_machine, elf_class);
	const char *name = uproc_fw_machine_name(e_machine);
	char mname[48];

	if (name)
		snprintf(mname, sizeof(mname), "%s%s", name,
			 elf_class == ELFCLASS64 ? " (64-bit)" : elf_class == ELFCLASS32 ? " (32-bit)" : "");
	else
		snprintf(mname, sizeof(mname), "unknown");
	if (can == UPROC_BACKEND_AUTO) {
		upi_native_set_err(msg, len, "%s: machine %s (e_machine %u): no backend runs it (native "
			       "runs x86-64; emulated runs ARM Cortex-M, RISC-V RV32, MIPS32)",
			       file ? file : "firmware", mname, e_machine);
		return -ENOEXEC;
	}
	if (want != UPROC_BACKEND_AUTO && want != can) {
		upi_native_set_err(msg, len, "%s: machine %s (e_machine %u): the %s backend does not "
			       "run it (%s)", file ? file : "firmware", mname, e_machine,
			       want == UPROC_BACKEND_NATIVE ? "native" : "emulated",
			       want == UPROC_BACKEND_NATIVE
				       ? "native runs x86-64"
				       : "emulated runs ARM Cortex-M, RISC-V RV32, MIPS32");
		return -ENOEXEC;
	}
	return (int)can;
}

int uproc_backend_check_file(const char *path, enum uproc_core_backend want, char *msg,
			     size_t len)
{
	unsigned char h[20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0)
		return -EINVAL; /* not ELF: the loader reports it */
	uint16_t m = h[EI_DATA] == ELFDATA2MSB ? (uint16_t)(h[18] << 8 | h[19])
					       : (uint16_t)(h[19] << 8 | h[18]);
	return upi_native_backend_choose(want, m, h[EI_CLASS], path, msg, len);
}

/* ---- the coredump note of an emulated core --------------------------------------------- */

#define NOTE_NAME "CORE"
#define PRSTATUS32_REG_OFF 72u

static void put32(unsigned char *p, uint32_t v, bool be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

static void put16(unsigned char *p, uint16_t v, bool be)
{
	p[be ? 1 : 0] = (unsigned char)v;
	p[be ? 0 : 1] = (unsigned char)(v >> 8);
}

ssize_t upi_native_emu_prstatus_note(const struct uproc_native_exit *ex, bool big_endian, void *buf,
				 size_t len)
{
	const struct uproc_native_emu_crash *c = &ex->crash.emu;
	unsigned int nregs;

	switch (c->machine) {
	case EM_ARM: nregs = 18; break;
	case EM_RISCV: nregs = 32; break;
	case EM_MIPS: nregs = 45; break;
	default: return -ENOTSUP;
	}
	size_t desc = PRSTATUS32_REG_OFF + 4u * nregs + 4u; /* + pr_fpvalid */
	size_t total = 12 + 8 + desc;
	if (!buf)
		return (ssize_t)total;
	if (len < total)
		return -ENOSPC;

	unsigned char *p = buf;
	memset(p, 0, total);
	put32(p, sizeof(NOTE_NAME), big_endian);
	put32(p + 4, (uint32_t)desc, big_endian);
	put32(p + 8, NT_PRSTATUS, big_endian);
	memcpy(p + 12, NOTE_NAME, sizeof(NOTE_NAME));
	unsigned char *d = p + 20;
	int sig = ex->kind == UPROC_NATIVE_EXIT_FAULT || ex->kind == UPROC_NATIVE_EXIT_SIGNAL
			  ? ex->status
			  : 0;
	put32(d, (uint32_t)sig, big_endian);		   /* pr_info.si_signo */
	put32(d + 4, c->reason, big_endian);		   /* pr_info.si_code */
	put16(d + 12, (uint16_t)sig, big_endian);	   /* pr_cursig */
	put32(d + 24, (uint32_t)ex->pid, big_endian);	   /* pr_pid */
	for (unsigned int i = 0; i < nregs && i < c->nregs && i < UPROC_NATIVE_EMU_REGS; i++)
		put32(d + PRSTATUS32_REG_OFF + 4 * i, c->regs[i], big_endian);
	return (ssize_t)total;
}
