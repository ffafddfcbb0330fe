// SPDX-License-Identifier: MIT
/*
 * arch.c - the RISC-V RV32 part of the emulated platform (emu_arch.h): mstatus.MIE,
 * WFI, the timer device (mtime/mtimecmp, the machine timer interrupt) for deadlines, the mailbox as the machine
 * external interrupt; the C side of the trap entry (crt.S).
 */
#include <stdint.h>

#include "emu_arch.h"
#include "uproc/fw/irq.h"

#define MSTATUS_MIE 0x8u
#define MIE_MTIE 0x80u
#define MIE_MEIE 0x800u
#define MCAUSE_IRQ 0x80000000u
#define IRQ_M_TIMER (UPROC_EMU_RISCV_MCAUSE_TIMER & ~MCAUSE_IRQ)
#define IRQ_M_EXT (UPROC_EMU_RISCV_MCAUSE_EXT & ~MCAUSE_IRQ)

const char *emu_arch_name(void)
{
	return "riscv32";
}

void emu_arch_init(void)
{
	emu_timer_set(UINT64_MAX);
	__asm__ volatile("csrw mie, %0" : : "r"(MIE_MEIE) : "memory");
	__asm__ volatile("csrsi mstatus, 8" ::: "memory");
}

unsigned long emu_arch_irq_save(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, mstatus, 8" : "=r"(old) : : "memory");
	return old & MSTATUS_MIE;
}

void emu_arch_irq_restore(unsigned long flags)
{
	if (flags & MSTATUS_MIE)
		__asm__ volatile("csrsi mstatus, 8" ::: "memory");
}

void emu_arch_idle(void)
{
	/* MIE is off: WFI still ends when an enabled interrupt is pending (mip & mie). */
	__asm__ volatile("wfi\n\tcsrsi mstatus, 8\n\tnop\n\tcsrci mstatus, 8" ::: "memory");
}

void emu_arch_timer_arm(uint64_t delta_ns)
{
	if (!delta_ns) {
		__asm__ volatile("csrc mie, %0" : : "r"(MIE_MTIE) : "memory");
		emu_timer_set(UINT64_MAX);
		return;
	}
	emu_timer_set(emu_timer_now() + emu_timer_ticks(delta_ns));
	__asm__ volatile("csrs mie, %0" : : "r"(MIE_MTIE) : "memory");
}

void emu_arch_timer_irq(void)
{
	__asm__ volatile("csrc mie, %0" : : "r"(MIE_MTIE) : "memory");
	emu_timer_set(UINT64_MAX);
	uproc_fw_emu_woken = 1;
}

/* Nobody handles interrupt @irq: disable it, or it would be taken forever. */
__attribute__((weak)) void uproc_fw_on_irq(unsigned int irq)
{
	if (irq < 32)
		__asm__ volatile("csrc mie, %0" : : "r"(1u << irq) : "memory");
}

/* Called by uproc_fw_trap_entry (crt.S). */
void uproc_fw_riscv_trap(struct uproc_fw_trap_frame *f);

void uproc_fw_riscv_trap(struct uproc_fw_trap_frame *f)
{
	uint32_t cause = f->cause;

	if (!(cause & MCAUSE_IRQ)) {
		uproc_fw_exception(f);
		return;
	}
	switch (cause & ~MCAUSE_IRQ) {
	case IRQ_M_EXT:
		uproc_fw_emu_mailbox_irq();
		uproc_fw_on_mailbox();
		break;
	case IRQ_M_TIMER:
		emu_arch_timer_irq();
		uproc_fw_on_timer();
		break;
	default:
		uproc_fw_on_irq(cause & ~MCAUSE_IRQ);
		break;
	}
}
