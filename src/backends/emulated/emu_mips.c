// SPDX-License-Identifier: MIT
/*
 * emu_mips.c - the MIPS32r2 core, either byte order, in kernel mode (uproc/emulated.h,
 * "MIPS32r2"). unicorn 2.0.1 reaches only CP0 Status from outside the guest, so an
 * interrupt is entered through a trampoline page of the emulator's own (mapped at
 * the physical page of UPROC_EMU_MIPS_TRAMPOLINE): it writes EPC from k0, sets
 * Status.EXL and jumps to the general exception vector; k1 carries the Cause value.
 * Synchronous exceptions reach the interrupt hook and end the core with a reason.
 */
#include <elf.h>
#include <string.h>

#include "emu.h"

/* QEMU's MIPS exception numbers as unicorn's interrupt hook reports them. */
enum {
	MIPS_EXCP_AdEL = 12,
	MIPS_EXCP_AdES = 13,
	MIPS_EXCP_TLBF = 14,
	MIPS_EXCP_IBE = 15,
	MIPS_EXCP_SYSCALL = 17,
	MIPS_EXCP_BREAK = 18,
	MIPS_EXCP_CpU = 19,
	MIPS_EXCP_RI = 20,
	MIPS_EXCP_TLBL = 26,
	MIPS_EXCP_TLBS = 27,
	MIPS_EXCP_DBE = 28,
};

#define ST_IE 1u
#define ST_EXL 2u
#define ST_ERL 4u
#define TRAMP_PA (UPROC_EMU_MIPS_TRAMPOLINE & 0x1FFFFFFFu)
#define TRAMP_SIZE 0x1000u

/* EPC <- k0; Status.EXL <- 1; jump to the vector (verified against mips-linux-gnu-as). */
static const uint32_t trampoline[] = {
	0x409a7000u, /* mtc0 k0, c0_epc */
	0x000000c0u, /* ehb */
	0x401a6000u, /* mfc0 k0, c0_status */
	0x375a0002u, /* ori k0, k0, 0x2 */
	0x409a6000u, /* mtc0 k0, c0_status */
	0x000000c0u, /* ehb */
	0x3c1a0000u | (UPROC_EMU_MIPS_VECTOR >> 16),	 /* lui k0, %hi(vector) */
	0x375a0000u | (UPROC_EMU_MIPS_VECTOR & 0xFFFFu), /* ori k0, k0, %lo(vector) */
	0x03400008u, /* jr k0 */
	0x00000000u, /* nop */
};

static _Alignas(4096) unsigned char tramp_page[TRAMP_SIZE];

static uint32_t rd(struct emu *emu, int reg)
{
	uint32_t v = 0;
	uc_reg_read(emu->uc, reg, &v);
	return v;
}

static void wr(struct emu *emu, int reg, uint32_t v)
{
	uc_reg_write(emu->uc, reg, &v);
}

static uint32_t ip_bits(uint32_t lines)
{
	return ((lines & (1u << UPROC_EMU_IRQ_MBOX)) ? UPROC_EMU_MIPS_IP_MBOX : 0) |
	       ((lines & (1u << UPROC_EMU_IRQ_TIMER)) ? UPROC_EMU_MIPS_IP_TIMER : 0);
}

static bool mips_pending(struct emu *emu)
{
	(void)emu;
	return false;
}

static bool mips_deliver(struct emu *emu, uint32_t pc)
{
	if ((pc & 0x1FFFF000u) == TRAMP_PA)
		return false; /* already on the way in */
	uint32_t ip = ip_bits(emu_dev_poll(emu));
	uint32_t status = rd(emu, UC_MIPS_REG_CP0_STATUS);

	if (!(status & ST_IE) || (status & (ST_EXL | ST_ERL)) || !(ip & status))
		return false;
	wr(emu, UC_MIPS_REG_K0, pc);
	wr(emu, UC_MIPS_REG_K1, ip); /* Cause: ExcCode 0 (Int), the asserted IP bits */
	wr(emu, UC_MIPS_REG_PC, UPROC_EMU_MIPS_TRAMPOLINE);
	return true;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct emu *emu = arg;
	uint32_t pc = rd(emu, UC_MIPS_REG_PC);
	(void)uc;

	switch (intno) {
	case MIPS_EXCP_RI:
	case MIPS_EXCP_CpU:
		emu_fault(emu, UPROC_EMU_END_UNDEFINED, pc);
		break;
	case MIPS_EXCP_BREAK:
		emu_fault(emu, UPROC_EMU_END_BREAKPOINT, pc);
		break;
	case MIPS_EXCP_SYSCALL:
		emu_fault(emu, UPROC_EMU_END_SYSCALL, 0);
		break;
	case MIPS_EXCP_AdEL:
	case MIPS_EXCP_AdES:
		emu_fault(emu, UPROC_EMU_END_UNALIGNED, 0);
		break;
	case MIPS_EXCP_TLBS:
		emu_fault(emu, UPROC_EMU_END_WRITE_UNMAPPED, 0);
		break;
	case MIPS_EXCP_TLBL:
	case MIPS_EXCP_TLBF:
	case MIPS_EXCP_DBE:
		emu_fault(emu, UPROC_EMU_END_READ_UNMAPPED, 0);
		break;
	case MIPS_EXCP_IBE:
		emu_fault(emu, UPROC_EMU_END_FETCH_UNMAPPED, pc);
		break;
	default:
		emu_fault(emu, UPROC_EMU_END_EMULATOR, intno);
		break;
	}
	emu->fault_pc = pc;
	emu->fault_pc_valid = true;
}

static void mips_regs(struct emu *emu, struct uproc_native_emu_crash *out)
{
	/* o32 pr_reg: 6 unused words, r0-r31, lo, hi, epc, badvaddr, status, cause, one more */
	memset(out->regs, 0, 45 * sizeof(out->regs[0]));
	for (int i = 0; i < 32; i++)
		out->regs[6 + i] = rd(emu, UC_MIPS_REG_0 + i);
	out->regs[38] = rd(emu, UC_MIPS_REG_LO);
	out->regs[39] = rd(emu, UC_MIPS_REG_HI);
	out->regs[40] = rd(emu, UC_MIPS_REG_PC);
	out->regs[42] = rd(emu, UC_MIPS_REG_CP0_STATUS);
	out->nregs = 45;
	out->pc = out->regs[40];
}

static int mips_setup(struct emu *emu, uint64_t entry)
{
	uc_hook h;
	uc_err e;

	for (size_t i = 0; i < sizeof(trampoline) / sizeof(trampoline[0]); i++) {
		uint32_t w = trampoline[i];
		for (int b = 0; b < 4; b++)
			tramp_page[4 * i + (size_t)(emu->big_endian ? 3 - b : b)] =
				(unsigned char)(w >> (8 * b));
	}
	e = uc_mem_map_ptr(emu->uc, TRAMP_PA, TRAMP_SIZE, UC_PROT_READ | UC_PROT_EXEC, tramp_page);
	if (!e)
		e = uc_hook_add(emu->uc, &h, UC_HOOK_INTR, (void *)on_intr, emu, 1, 0);
	if (e)
		return (int)e;
	for (int i = 1; i < 32; i++)
		wr(emu, UC_MIPS_REG_0 + i, 0);
	wr(emu, UC_MIPS_REG_CP0_STATUS, UPROC_EMU_MIPS_STATUS_RESET);
	wr(emu, UC_MIPS_REG_PC, (uint32_t)entry);
	return 0;
}

const struct emu_arch emu_arch_mips = {
	.name = "MIPS32",
	.setup = mips_setup,
	.deliver = mips_deliver,
	.pending = mips_pending,
	.regs = mips_regs,
	.pc_reg = UC_MIPS_REG_PC,
};
