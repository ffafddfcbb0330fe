/* SPDX-License-Identifier: MIT */
/*
 * emu_arch.h - what each emulated-core platform (cortex-m, riscv32, mips32)
 * provides to the shared mailbox platform (platform.c beside this file), and the
 * device registers they share. Private to the SDK.
 *
 * Interrupt model: the mailbox interrupt handler takes the host's pending bits
 * (PENDING, then ACK) into uproc_fw_emu_kicks and sets uproc_fw_emu_woken; the
 * timer handler disarms the timer and sets uproc_fw_emu_woken. Code outside the
 * handlers touches both only with interrupts masked.
 */
#ifndef UPROC_FW_EMU_ARCH_H
#define UPROC_FW_EMU_ARCH_H

#include <stdint.h>

#include "emu_regs.h"

/* Kicks taken by the mailbox handler, not yet handed out (bit n: notifyid n). */
extern volatile uint32_t uproc_fw_emu_kicks;
/* Set by every SDK interrupt handler; cleared before waiting. */
extern volatile uint32_t uproc_fw_emu_woken;

/* MMIO accessors at device addresses (the architecture's view, see emu_mmio()). */
static inline volatile uint32_t *emu_reg(uint32_t device_addr)
{
	return (volatile uint32_t *)(uintptr_t)UPROC_EMU_DEVICE_VA(device_addr);
}

static inline uint32_t mbox_read(uint32_t off)
{
	return *emu_reg(UPROC_EMU_MBOX_BASE + off);
}

static inline void mbox_write(uint32_t off, uint32_t v)
{
	*emu_reg(UPROC_EMU_MBOX_BASE + off) = v;
}

/** emu_arch_init() - vectors/trap entry, the controller's mailbox enable, the timer off. */
void emu_arch_init(void);

/** emu_arch_irq_save() - mask interrupts, return the previous state. */
unsigned long emu_arch_irq_save(void);

/** emu_arch_irq_restore() - restore what emu_arch_irq_save() returned. */
void emu_arch_irq_restore(unsigned long flags);

/**
 * emu_arch_idle() - called with interrupts masked and uproc_fw_emu_woken clear:
 * sleep until an interrupt arrives (WFI / wait), let it be handled, return with
 * interrupts masked again. Returns at once when one was already pending.
 */
void emu_arch_idle(void);

/** emu_arch_timer_arm() - raise the timer interrupt @delta_ns from now (0: disarm). */
void emu_arch_timer_arm(uint64_t delta_ns);

/** emu_arch_timer_irq() - the timer handler's work: disarm, set woken. */
void emu_arch_timer_irq(void);

/** emu_arch_name() - the platform's name. */
const char *emu_arch_name(void);

/** uproc_fw_emu_mailbox_irq() - the mailbox handler's work (shared). */
void uproc_fw_emu_mailbox_irq(void);

#endif /* UPROC_FW_EMU_ARCH_H */
