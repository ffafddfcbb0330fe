// SPDX-License-Identifier: MIT
/*
 * emu_regs.c - each architecture's registers, written down once: where unicorn keeps
 * each one, its place in the gdb remote protocol's 'g' packet (the order of the
 * target description emu_gdb.c sends) and its place in the coredump's NT_PRSTATUS
 * pr_reg (the layout of that machine's Linux elf_gregset_t, which gdb reads). The
 * debugger stub and the crash record both go through these tables.
 */
#include <elf.h>
#include <string.h>

#include "emu.h"

#define REG(uc, gdb, core) { (uc), (gdb), (core) }

/* Cortex-M: gdb r0-r12 sp lr pc xpsr; pr_reg r0-r15, cpsr (xPSR), orig_r0 (0). */
static const struct emu_reg arm_reg[] = {
	REG(UC_ARM_REG_R0, 0, 0), REG(UC_ARM_REG_R1, 1, 1), REG(UC_ARM_REG_R2, 2, 2),
	REG(UC_ARM_REG_R3, 3, 3), REG(UC_ARM_REG_R4, 4, 4), REG(UC_ARM_REG_R5, 5, 5),
	REG(UC_ARM_REG_R6, 6, 6), REG(UC_ARM_REG_R7, 7, 7), REG(UC_ARM_REG_R8, 8, 8),
	REG(UC_ARM_REG_R9, 9, 9), REG(UC_ARM_REG_R10, 10, 10), REG(UC_ARM_REG_R11, 11, 11),
	REG(UC_ARM_REG_R12, 12, 12), REG(UC_ARM_REG_SP, 13, 13), REG(UC_ARM_REG_LR, 14, 14),
	REG(UC_ARM_REG_PC, 15, 15), REG(UC_ARM_REG_XPSR, 16, 16),
};

/* RISC-V: gdb x0-x31 pc; pr_reg pc x1-x31. */
#define RV_X(i) REG(UC_RISCV_REG_X0 + (i), (i), (i))
static const struct emu_reg riscv_reg[] = {
	REG(UC_RISCV_REG_X0, 0, -1), RV_X(1), RV_X(2), RV_X(3), RV_X(4), RV_X(5), RV_X(6),
	RV_X(7), RV_X(8), RV_X(9), RV_X(10), RV_X(11), RV_X(12), RV_X(13), RV_X(14), RV_X(15),
	RV_X(16), RV_X(17), RV_X(18), RV_X(19), RV_X(20), RV_X(21), RV_X(22), RV_X(23),
	RV_X(24), RV_X(25), RV_X(26), RV_X(27), RV_X(28), RV_X(29), RV_X(30), RV_X(31),
	REG(UC_RISCV_REG_PC, 32, 0),
};

/*
 * MIPS: gdb r0-r31 status lo hi badvaddr cause pc, then the FPU (f0-f31 fcsr fir,
 * read as 0); pr_reg 6 unused words, r0-r31, lo, hi, epc, badvaddr, status, cause,
 * one unused word.
 */
#define MIPS_R(i) REG(UC_MIPS_REG_0 + (i), (i), 6 + (i))
static const struct emu_reg mips_reg[] = {
	MIPS_R(0), MIPS_R(1), MIPS_R(2), MIPS_R(3), MIPS_R(4), MIPS_R(5), MIPS_R(6), MIPS_R(7),
	MIPS_R(8), MIPS_R(9), MIPS_R(10), MIPS_R(11), MIPS_R(12), MIPS_R(13), MIPS_R(14),
	MIPS_R(15), MIPS_R(16), MIPS_R(17), MIPS_R(18), MIPS_R(19), MIPS_R(20), MIPS_R(21),
	MIPS_R(22), MIPS_R(23), MIPS_R(24), MIPS_R(25), MIPS_R(26), MIPS_R(27), MIPS_R(28),
	MIPS_R(29), MIPS_R(30), MIPS_R(31),
	REG(UC_MIPS_REG_CP0_STATUS, 32, 42), REG(UC_MIPS_REG_LO, 33, 38),
	REG(UC_MIPS_REG_HI, 34, 39), REG(EMU_REG_BADVADDR, 35, 41),
	REG(EMU_REG_CAUSE, 36, 43), REG(UC_MIPS_REG_PC, 37, 40),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct emu_regs emu_regs_arm = { arm_reg, N(arm_reg), 17, 18, 15 };
const struct emu_regs emu_regs_riscv = { riscv_reg, N(riscv_reg), 33, 32, 0 };
const struct emu_regs emu_regs_mips = { mips_reg, N(mips_reg), 72, 45, 40 };

uint32_t emu_rd(struct emu *emu, int reg)
{
	uint32_t v = 0;
	uc_reg_read(emu->uc, reg, &v);
	return v;
}

void emu_wr(struct emu *emu, int reg, uint32_t v)
{
	uc_reg_write(emu->uc, reg, &v);
}

uint32_t emu_reg_read(struct emu *emu, int id)
{
	uint32_t v = 0;

	if (id == EMU_REG_BADVADDR)
		return emu->badvaddr;
	if (id == EMU_REG_CAUSE)
		return emu->cause;
	if (id < 0)
		return 0;
	uc_reg_read(emu->uc, id, &v);
	if (emu->machine == EM_ARM && id == UC_ARM_REG_PC)
		v &= ~1u;
	if (emu->machine == EM_ARM && id == UC_ARM_REG_XPSR)
		v |= 1u << 24; /* always Thumb */
	return v;
}

void emu_reg_write(struct emu *emu, int id, uint32_t v)
{
	if (id < 0 || (emu->machine == EM_RISCV && id == UC_RISCV_REG_X0))
		return;
	if (emu->machine == EM_ARM && id == UC_ARM_REG_PC)
		v |= 1;
	uc_reg_write(emu->uc, id, &v);
}

const struct emu_reg *emu_reg_at(const struct emu_regs *regs, unsigned int gdb)
{
	for (unsigned int i = 0; i < regs->n; i++)
		if (regs->reg[i].gdb == (int)gdb)
			return &regs->reg[i];
	return NULL;
}

void emu_regs_core(struct emu *emu, struct uproc_native_emu_crash *out)
{
	const struct emu_regs *regs = emu->arch->regs;

	memset(out->regs, 0, sizeof(out->regs));
	for (unsigned int i = 0; i < regs->n; i++)
		if (regs->reg[i].core >= 0)
			out->regs[regs->reg[i].core] = emu_reg_read(emu, regs->reg[i].uc);
	out->nregs = regs->ncore;
	if (emu->fault_pc_valid)
		out->regs[regs->core_pc] = emu->fault_pc;
	out->pc = out->regs[regs->core_pc];
}
