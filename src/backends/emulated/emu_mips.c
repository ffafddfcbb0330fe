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

/* At this offset in the page: mfc0 k0, c0_badvaddr; ori k1, zero, TRAMP_RAN. */
#define TRAMP_READ_BADVADDR 0x40u
#define TRAMP_RAN 0x55u
static const uint32_t read_badvaddr_insns[] = { 0x401a4000u, 0x341b0000u | TRAMP_RAN };

static _Alignas(4096) unsigned char tramp_page[TRAMP_SIZE];

static uint32_t ip_bits(uint32_t lines)
{
	return ((lines & (1u << UPROC_EMU_IRQ_MBOX)) ? UPROC_EMU_MIPS_IP_MBOX : 0) |
	       ((lines & (1u << UPROC_EMU_IRQ_TIMER)) ? UPROC_EMU_MIPS_IP_TIMER : 0);
}

static bool mips_deliver(struct emu *emu, uint32_t pc)
{
	if ((pc & 0x1FFFF000u) == TRAMP_PA)
		return false; /* already on the way in */
	uint32_t ip = ip_bits(emu_dev_poll(emu));
	uint32_t status = emu_rd(emu, UC_MIPS_REG_CP0_STATUS);

	if (!(status & ST_IE) || (status & (ST_EXL | ST_ERL)) || !(ip & status))
		return false;
	emu_wr(emu, UC_MIPS_REG_K0, pc);
	emu_wr(emu, UC_MIPS_REG_K1, ip); /* Cause: ExcCode 0 (Int), the asserted IP bits */
	emu_wr(emu, UC_MIPS_REG_PC, UPROC_EMU_MIPS_TRAMPOLINE);
	return true;
}

/* Cause.ExcCode values (MIPS32 PRA). */
enum {
	EXC_TLBL = 2,
	EXC_TLBS = 3,
	EXC_ADEL = 4,
	EXC_ADES = 5,
	EXC_IBE = 6,
	EXC_DBE = 7,
	EXC_SYS = 8,
	EXC_BP = 9,
	EXC_RI = 10,
	EXC_CPU = 11,
};

/* The fault needs CP0 BadVAddr, which only the guest can read (mips_fault()). */
static bool want_badvaddr;

static void fault(struct emu *emu, uint32_t reason, uint32_t addr, uint32_t exc, bool badvaddr)
{
	emu_fault(emu, reason, addr);
	emu->cause = exc << 2;
	want_badvaddr = badvaddr;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct emu *emu = arg;
	(void)uc;

	if (emu->stop == EMU_STOP_FAULT)
		return; /* the first fault is the one reported */
	/*
	 * unicorn shows pc 0 here: the faulting instruction is found when the run has
	 * ended (emu_where()); until then, its block.
	 */
	uint32_t pc = emu->block_start;
	switch (intno) {
	case MIPS_EXCP_RI:
		fault(emu, UPROC_EMU_END_UNDEFINED, pc, EXC_RI, false);
		break;
	case MIPS_EXCP_CpU:
		fault(emu, UPROC_EMU_END_UNDEFINED, pc, EXC_CPU, false);
		break;
	case MIPS_EXCP_BREAK:
		fault(emu, UPROC_EMU_END_BREAKPOINT, pc, EXC_BP, false);
		break;
	case MIPS_EXCP_SYSCALL:
		fault(emu, UPROC_EMU_END_SYSCALL, 0, EXC_SYS, false);
		break;
	case MIPS_EXCP_AdEL:
		fault(emu, UPROC_EMU_END_UNALIGNED, 0, EXC_ADEL, true);
		break;
	case MIPS_EXCP_AdES:
		fault(emu, UPROC_EMU_END_UNALIGNED, 0, EXC_ADES, true);
		break;
	case MIPS_EXCP_TLBS:
		fault(emu, UPROC_EMU_END_WRITE_UNMAPPED, 0, EXC_TLBS, true);
		break;
	case MIPS_EXCP_TLBL:
	case MIPS_EXCP_TLBF:
		fault(emu, UPROC_EMU_END_READ_UNMAPPED, 0, EXC_TLBL, true);
		break;
	case MIPS_EXCP_DBE:
		fault(emu, UPROC_EMU_END_READ_UNMAPPED, 0, EXC_DBE, false);
		break;
	case MIPS_EXCP_IBE:
		fault(emu, UPROC_EMU_END_FETCH_UNMAPPED, pc, EXC_IBE, false);
		break;
	default:
		fault(emu, UPROC_EMU_END_EMULATOR, intno, 0, false);
		break;
	}
	emu->fault_pc = pc;
	emu->fault_pc_valid = true;
	struct emu_want want = { .intr = true, .intno = intno };
	emu_where_later(emu, &want);
}

/*
 * CP0 BadVAddr, which unicorn 2.0.1 does not let the host read: run "mfc0 k0,
 * BadVAddr" from the trampoline page and take k0 (restored after). Returns false
 * when the instruction did not run.
 */
static bool read_badvaddr(struct emu *emu, uint32_t *out)
{
	const uint32_t at = UPROC_EMU_MIPS_TRAMPOLINE + TRAMP_READ_BADVADDR;
	uint32_t k0 = emu_rd(emu, UC_MIPS_REG_K0), k1 = emu_rd(emu, UC_MIPS_REG_K1);
	uint32_t pc = emu_rd(emu, UC_MIPS_REG_PC);
	enum emu_stop stop = emu->stop;
	uint32_t reason = emu->reason;

	emu->stop = EMU_STOP_FAULT; /* no hook may change what is reported */
	emu_wr(emu, UC_MIPS_REG_K1, 0);
	/* (the pc unicorn leaves says nothing: k1 tells that both instructions ran) */
	uc_err e = uc_emu_start(emu->uc, at, at + 8, 0, 0);
	bool ok = !e && emu_rd(emu, UC_MIPS_REG_K1) == TRAMP_RAN;
	*out = emu_rd(emu, UC_MIPS_REG_K0);
	emu_wr(emu, UC_MIPS_REG_K0, k0);
	emu_wr(emu, UC_MIPS_REG_K1, k1);
	emu_wr(emu, UC_MIPS_REG_PC, pc);
	emu->stop = stop;
	emu->reason = reason;
	return ok;
}

/*
 * The fault as the architecture would have recorded it: BadVAddr (the address of
 * an address error or TLB miss, which is also the address the host reports; the
 * address of an access a memory hook caught) and Cause.ExcCode (bus errors for the
 * latter).
 */
static void mips_fault(struct emu *emu)
{
	uint32_t v;

	if (emu->stop != EMU_STOP_FAULT)
		return;
	if (want_badvaddr) {
		want_badvaddr = false;
		if (read_badvaddr(emu, &v)) {
			emu->badvaddr = emu->fault_addr = v;
			if (emu->fault_pc_valid && v == emu->fault_pc &&
			    emu->reason == UPROC_EMU_END_READ_UNMAPPED)
				emu->reason = UPROC_EMU_END_FETCH_UNMAPPED; /* a jump there */
		}
		return;
	}
	if (!emu_reason_access(emu->reason))
		return;
	if (!emu->cause) {
		bool fetch = emu->reason == UPROC_EMU_END_FETCH_UNMAPPED ||
			     emu->reason == UPROC_EMU_END_FETCH_PROT;
		emu->badvaddr = emu->fault_addr;
		emu->cause = (fetch ? EXC_IBE : EXC_DBE) << 2;
	}
}

/* Write @n instruction words at @off of the trampoline page, in the core's order. */
static void put_insns(struct emu *emu, size_t off, const uint32_t *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 4; b++)
			tramp_page[off + 4 * i + (size_t)(emu->big_endian ? 3 - b : b)] =
				(unsigned char)(w[i] >> (8 * b));
}

static int mips_setup(struct emu *emu, uint64_t entry)
{
	uc_hook h;
	uc_err e;

	put_insns(emu, 0, trampoline, sizeof(trampoline) / sizeof(trampoline[0]));
	put_insns(emu, TRAMP_READ_BADVADDR, read_badvaddr_insns,
		  sizeof(read_badvaddr_insns) / sizeof(read_badvaddr_insns[0]));
	e = uc_mem_map_ptr(emu->uc, TRAMP_PA, TRAMP_SIZE, UC_PROT_READ | UC_PROT_EXEC, tramp_page);
	if (!e)
		e = uc_hook_add(emu->uc, &h, UC_HOOK_INTR, (void *)on_intr, emu, 1, 0);
	if (e)
		return (int)e;
	for (int i = 1; i < 32; i++)
		emu_wr(emu, UC_MIPS_REG_0 + i, 0);
	emu_wr(emu, UC_MIPS_REG_CP0_STATUS, UPROC_EMU_MIPS_STATUS_RESET);
	emu_wr(emu, UC_MIPS_REG_PC, (uint32_t)entry);
	return 0;
}

const struct emu_arch emu_arch_mips = {
	.name = "MIPS32",
	.setup = mips_setup,
	.deliver = mips_deliver,
	.fault = mips_fault,
	.regs = &emu_regs_mips,
	.pc_reg = UC_MIPS_REG_PC,
};
