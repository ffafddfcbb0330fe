// SPDX-License-Identifier: MIT
/*
 * emu_where.c - the faulting instruction, when unicorn does not say which it is.
 *
 * unicorn 2.0.1 writes the pc back to the CPU state only at block boundaries unless
 * a UC_HOOK_CODE hook covers the code: when a memory hook ends the run, reading the
 * pc (in the hook or after) gives the start of the block, while every other
 * register already holds the state right before the faulting instruction. Its
 * interrupt hook is no better on two of our CPUs (measured with the crash example):
 * RISC-V shows the pc of the next instruction, MIPS shows 0. A code hook over all
 * code would fix the first at a price measured with bench-emulated (the compute
 * loop 1.5x to 3.7x slower), and not the others. So the block hook notes where each
 * block starts and how long it is, and at a fault each instruction of that block is
 * run alone in a scratch engine of the same CPU that holds a copy of the registers,
 * the block's code and data pages made on demand: the first that touches the
 * faulting address the same way (read or write), or raises the same exception, is
 * the one that faulted. Nothing runs on the core itself: its memory and devices are
 * left as they were.
 */
#include <elf.h>
#include <string.h>

#include "emu.h"

#define WHERE_MAX_INSNS 512 /* a block longer than that is not searched */
#define WHERE_MAX_PAGES 64
#define PAGE 0x1000u

struct probe {
	struct emu *emu;
	const struct emu_want *want;
	bool hit; /* the instruction run did what the fault did */
	bool accessed;
	uint32_t access; /* the first data address it touched */
	unsigned int pages;
};

/* The CPU's physical view of @va (MIPS kseg0/kseg1), as unicorn's memory map takes it. */
static uint64_t phys(const struct emu *emu, uint64_t va)
{
	if (emu->machine == EM_MIPS && va >= 0x80000000u && va < 0xC0000000u)
		return va & 0x1FFFFFFFu;
	return va;
}

static void on_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		      void *arg)
{
	struct probe *p = arg;
	const struct emu_want *w = p->want;
	(void)uc;
	(void)value;

	if (!p->accessed) {
		p->accessed = true;
		p->access = (uint32_t)addr;
	}
	if (!w->intr && (type == UC_MEM_WRITE) == w->write && size > 0 && addr <= w->addr &&
	    w->addr - addr < (uint64_t)size)
		p->hit = true;
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct probe *p = arg;

	if (p->want->intr && intno == p->want->intno)
		p->hit = true;
	uc_emu_stop(uc);
}

/* Any data page the instruction wants exists in the scratch engine, empty. */
static bool on_missing(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		       void *arg)
{
	struct probe *p = arg;
	(void)size;
	(void)value;

	if (type == UC_MEM_FETCH_UNMAPPED || p->pages >= WHERE_MAX_PAGES)
		return false;
	p->pages++;
	return uc_mem_map(uc, phys(p->emu, addr) & ~(uint64_t)(PAGE - 1), PAGE, UC_PROT_ALL) ==
	       UC_ERR_OK;
}

/* The length of the instruction at @pc, from its first halfword @hw. */
static uint32_t insn_len(const struct emu *emu, uint16_t hw)
{
	if (emu->machine == EM_ARM)
		return (hw >> 11) >= 0x1D ? 4 : 2; /* Thumb-2: 0b11101, 0b11110, 0b11111 */
	if (emu->machine == EM_RISCV)
		return (hw & 3) == 3 ? 4 : 2;
	return 4;
}

/* MIPS: is @w a branch or jump (whose delay slot runs with it)? */
static bool mips_branch(uint32_t w)
{
	uint32_t op = w >> 26;
	return op == 1 || (op >= 2 && op <= 7) || (op >= 20 && op <= 23) ||
	       (op == 0 && ((w & 0x3F) == 8 || (w & 0x3F) == 9));
}

static uint32_t word_at(const struct emu *emu, const uint8_t *b)
{
	if (emu->big_endian)
		return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 | (uint32_t)b[1] << 8 | b[0];
}

/* Copy the block's code and the registers into @uc. */
static bool prepare(struct emu *emu, uc_engine *uc, uint8_t *code, uint32_t start, uint32_t len)
{
	uint64_t lo = phys(emu, start) & ~(uint64_t)(PAGE - 1);
	uint64_t hi = (phys(emu, start) + len + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	const struct emu_regs *regs = emu->arch->regs;

	if (uc_mem_read(emu->uc, phys(emu, start), code, len) != UC_ERR_OK ||
	    uc_mem_map(uc, lo, hi - lo, UC_PROT_ALL) != UC_ERR_OK ||
	    uc_mem_write(uc, phys(emu, start), code, len) != UC_ERR_OK)
		return false;
	for (unsigned int i = 0; i < regs->n; i++) {
		uint32_t v = 0;
		if (regs->reg[i].uc < 0 || regs->reg[i].uc == emu->arch->pc_reg)
			continue;
		uc_reg_read(emu->uc, regs->reg[i].uc, &v);
		uc_reg_write(uc, regs->reg[i].uc, &v);
	}
	return true;
}

bool emu_where(struct emu *emu, const struct emu_want *want, uint32_t *pc, uint32_t *addr)
{
	static uint8_t code[WHERE_MAX_INSNS * 4 + 4];
	struct probe p = { .emu = emu, .want = want };
	uint32_t start = emu->block_start, size = emu->block_size;
	uc_engine *uc = NULL;
	uc_context *ctx = NULL;
	uc_hook h1, h2, h3;
	bool found = false;

	/* A block that is one instruction raising an exception may show no size. */
	if (!size)
		size = 4;
	if (size > sizeof(code) - 4 || emu_open_engine(emu, &uc) != UC_ERR_OK)
		return false;
	if (!prepare(emu, uc, code, start, size) || uc_context_alloc(uc, &ctx) != UC_ERR_OK ||
	    uc_context_save(uc, ctx) != UC_ERR_OK ||
	    uc_hook_add(uc, &h1, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, (void *)on_access, &p, 1,
			0) != UC_ERR_OK ||
	    uc_hook_add(uc, &h2, UC_HOOK_MEM_UNMAPPED, (void *)on_missing, &p, 1, 0) != UC_ERR_OK ||
	    uc_hook_add(uc, &h3, UC_HOOK_INTR, (void *)on_intr, &p, 1, 0) != UC_ERR_OK)
		goto out;
	for (uint32_t off = 0, n = 0; off < size && n < WHERE_MAX_INSNS; n++) {
		uint32_t at = start + off;
		uint32_t len = insn_len(emu, (uint16_t)(emu->big_endian ? code[off] << 8 | code[off + 1]
								      : code[off + 1] << 8 | code[off]));
		p.hit = p.accessed = false;
		uc_context_restore(uc, ctx);
		(void)uc_emu_start(uc, emu->machine == EM_ARM ? at | 1 : at, 0, 0, 1);
		if (p.hit) {
			/* A MIPS branch runs with its delay slot: the slot did it. */
			if (emu->machine == EM_MIPS && off + 8 <= size && mips_branch(word_at(emu, code + off)))
				at += 4;
			*pc = at;
			if (p.accessed)
				*addr = p.access;
			found = true;
			break;
		}
		off += len;
	}
out:
	if (ctx)
		uc_context_free(ctx);
	uc_close(uc);
	return found;
}
