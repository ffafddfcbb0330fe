// SPDX-License-Identifier: MIT
/*
 * arch.c - the MIPS32r2 part of the emulated platform (emu_arch.h): Status.IE,
 * `wait` (with the rollback of crt.S), the timer device on IP7 for deadlines (the
 * emulator raises no Count/Compare interrupt, uproc/emulated.h), the mailbox on IP2;
 * the C side of the exception vector (crt.S).
 */
#include <stdint.h>

#include "emu_arch.h"
#include "uproc/fw/irq.h"

#define ST_IE 0x1u
#define ST_IM(n) (0x100u << (n))
#define CAUSE_IP(n) (0x100u << (n))
#define CAUSE_EXCCODE(c) (((c) >> 2) & 0x1Fu)
#define EXC_INT 0u
#define IP_MAILBOX 2u
#define IP_TIMER 7u

/* crt.S */
void uproc_fw_mips_idle(void);
extern const char uproc_fw_mips_idle_check[], uproc_fw_mips_idle_end[];

#define MFC0(reg, sel) \
	({ uint32_t v_; __asm__ volatile("mfc0 %0, $" #reg ", " #sel : "=r"(v_)); v_; })
#define MTC0(reg, sel, v) \
	__asm__ volatile("mtc0 %0, $" #reg ", " #sel "\n\tehb" : : "r"(v) : "memory")

const char *emu_arch_name(void)
{
#if defined(__MIPSEB__)
	return "mips32be";
#else
	return "mips32le";
#endif
}

void emu_arch_init(void)
{
	/* Timer line closed, mailbox line open (crt.S), then interrupts on. */
	MTC0(12, 0, (MFC0(12, 0) & ~ST_IM(IP_TIMER)) | ST_IM(IP_MAILBOX));
	__asm__ volatile("ei\n\tehb" ::: "memory");
}

unsigned long emu_arch_irq_save(void)
{
	uint32_t old;

	__asm__ volatile("di %0\n\tehb" : "=r"(old) : : "memory");
	return old & ST_IE;
}

void emu_arch_irq_restore(unsigned long flags)
{
	if (flags & ST_IE)
		__asm__ volatile("ei\n\tehb" ::: "memory");
}

void emu_arch_idle(void)
{
	uproc_fw_mips_idle();
}

void emu_arch_timer_arm(uint64_t delta_ns)
{
	uint32_t st = MFC0(12, 0);

	if (!delta_ns) {
		MTC0(12, 0, st & ~ST_IM(IP_TIMER));
		emu_timer_set(UINT64_MAX);
		return;
	}
	emu_timer_set(emu_timer_now() + emu_timer_ticks(delta_ns));
	MTC0(12, 0, st | ST_IM(IP_TIMER));
}

void emu_arch_timer_irq(void)
{
	MTC0(12, 0, MFC0(12, 0) & ~ST_IM(IP_TIMER));
	emu_timer_set(UINT64_MAX);
	uproc_fw_emu_woken = 1;
}

/* Nobody handles IPn: close its line, or it would be taken forever. */
__attribute__((weak)) void uproc_fw_on_irq(unsigned int irq)
{
	if (irq < 8)
		MTC0(12, 0, MFC0(12, 0) & ~ST_IM(irq));
}

/*
 * Called by the exception vector (crt.S), with Status.EXL set. f->cause is what the
 * emulator's entry left in k1 (CP0 Cause does not show the lines, uproc/emulated.h).
 */
void uproc_fw_mips_trap(struct uproc_fw_trap_frame *f);

void uproc_fw_mips_trap(struct uproc_fw_trap_frame *f)
{
	if (CAUSE_EXCCODE(f->cause) != EXC_INT) {
		uproc_fw_exception(f);
		return;
	}
	uint32_t pending = f->cause & f->status & 0xFF00u;
	if (pending & CAUSE_IP(IP_MAILBOX)) {
		uproc_fw_emu_mailbox_irq();
		uproc_fw_on_mailbox();
	}
	if (pending & CAUSE_IP(IP_TIMER)) {
		emu_arch_timer_irq();
		uproc_fw_on_timer();
	}
	for (unsigned int n = 0; n < 8; n++)
		if (n != IP_MAILBOX && n != IP_TIMER && (pending & CAUSE_IP(n)))
			uproc_fw_on_irq(n);
	/* Interrupted between the idle check and `wait`: check again (crt.S). */
	if (f->pc >= (uint32_t)(uintptr_t)uproc_fw_mips_idle_check &&
	    f->pc < (uint32_t)(uintptr_t)uproc_fw_mips_idle_end)
		f->pc = (uint32_t)(uintptr_t)uproc_fw_mips_idle_check;
}
