// SPDX-License-Identifier: MIT
/*
 * emu_riscv.c - the RV32IMAC core in machine mode (uproc/emulated.h, "RISC-V"):
 * the machine external (mailbox) and timer interrupts entered through mtvec as the
 * privileged architecture specifies (mepc, mcause, mstatus.MPIE/MIE/MPP), done here
 * because unicorn raises no interrupt lines of its own; mret is the CPU's.
 * Synchronous exceptions reach the interrupt hook and end the core with a reason.
 */
#include <elf.h>

#include "emu.h"

/* Synchronous exception causes (the interrupt hook's numbers). */
enum {
	RV_INSN_MISALIGNED = 0,
	RV_INSN_ACCESS = 1,
	RV_ILLEGAL = 2,
	RV_BREAKPOINT = 3,
	RV_LOAD_MISALIGNED = 4,
	RV_LOAD_ACCESS = 5,
	RV_STORE_MISALIGNED = 6,
	RV_STORE_ACCESS = 7,
	RV_ECALL_U = 8,
	RV_ECALL_M = 11,
	RV_INSN_PAGE = 12,
	RV_LOAD_PAGE = 13,
	RV_STORE_PAGE = 15,
};

#define MSTATUS_MIE (1u << 3)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_MPP (3u << 11)
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

static uint32_t line_bits(uint32_t lines)
{
	return ((lines & (1u << UPROC_EMU_IRQ_MBOX)) ? MIE_MEIE : 0) |
	       ((lines & (1u << UPROC_EMU_IRQ_TIMER)) ? MIE_MTIE : 0);
}

static bool rv_deliver(struct emu *emu, uint32_t pc)
{
	uint32_t mip = line_bits(emu_dev_poll(emu));
	uint32_t mstatus = emu_rd(emu, UC_RISCV_REG_MSTATUS);
	uint32_t take = mip & emu_rd(emu, UC_RISCV_REG_MIE);

	if (!(mstatus & MSTATUS_MIE) || !take)
		return false;
	/* External first, then timer, as the privileged spec orders them. */
	uint32_t cause = (take & MIE_MEIE) ? UPROC_EMU_RISCV_MCAUSE_EXT : UPROC_EMU_RISCV_MCAUSE_TIMER;
	uint32_t mtvec = emu_rd(emu, UC_RISCV_REG_MTVEC);
	uint32_t target = mtvec & ~3u;
	if ((mtvec & 3u) == 1)
		target += 4u * (cause & 0x3Fu);
	emu_wr(emu, UC_RISCV_REG_MEPC, pc);
	emu_wr(emu, UC_RISCV_REG_MCAUSE, cause);
	emu_wr(emu, UC_RISCV_REG_MTVAL, 0);
	mstatus = (mstatus & ~(MSTATUS_MIE | MSTATUS_MPIE)) | MSTATUS_MPP | MSTATUS_MPIE;
	emu_wr(emu, UC_RISCV_REG_MSTATUS, mstatus);
	emu_wr(emu, UC_RISCV_REG_PC, target);
	return true;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct emu *emu = arg;
	uint32_t pc = emu_rd(emu, UC_RISCV_REG_PC);
	(void)uc;

	switch (intno) {
	case RV_ILLEGAL:
		emu_fault(emu, UPROC_EMU_END_UNDEFINED, pc);
		break;
	case RV_BREAKPOINT:
		emu_fault(emu, UPROC_EMU_END_BREAKPOINT, pc);
		break;
	case RV_INSN_MISALIGNED:
	case RV_LOAD_MISALIGNED:
	case RV_STORE_MISALIGNED:
		emu_fault(emu, UPROC_EMU_END_UNALIGNED, 0);
		break;
	case RV_ECALL_U:
	case RV_ECALL_M:
		emu_fault(emu, UPROC_EMU_END_SYSCALL, 0);
		break;
	case RV_INSN_ACCESS:
	case RV_INSN_PAGE:
		emu_fault(emu, UPROC_EMU_END_FETCH_UNMAPPED, pc);
		break;
	case RV_STORE_ACCESS:
	case RV_STORE_PAGE:
		emu_fault(emu, UPROC_EMU_END_WRITE_UNMAPPED, 0);
		break;
	case RV_LOAD_ACCESS:
	case RV_LOAD_PAGE:
		emu_fault(emu, UPROC_EMU_END_READ_UNMAPPED, 0);
		break;
	default:
		emu_fault(emu, UPROC_EMU_END_EMULATOR, 0);
		break;
	}
	emu->fault_pc = pc;
	emu->fault_pc_valid = true;
	/* unicorn shows the next instruction's pc here: find the faulting one. */
	struct emu_want want = { .intr = true, .intno = intno };
	emu_where_later(emu, &want);
}

static int rv_setup(struct emu *emu, uint64_t entry)
{
	uc_hook h;
	uc_err e = uc_hook_add(emu->uc, &h, UC_HOOK_INTR, (void *)on_intr, emu, 1, 0);

	if (e)
		return (int)e;
	for (int i = 1; i < 32; i++)
		emu_wr(emu, UC_RISCV_REG_X0 + i, 0);
	emu_wr(emu, UC_RISCV_REG_MIE, 0);
	emu_wr(emu, UC_RISCV_REG_MSTATUS, emu_rd(emu, UC_RISCV_REG_MSTATUS) & ~MSTATUS_MIE);
	emu_wr(emu, UC_RISCV_REG_PC, (uint32_t)entry);
	return 0;
}

const struct emu_arch emu_arch_riscv = {
	.name = "RISC-V",
	.setup = rv_setup,
	.deliver = rv_deliver,
	.regs = &emu_regs_riscv,
	.pc_reg = UC_RISCV_REG_PC,
};
