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

#include "uproc/emulated.h"

/* Kicks taken by the mailbox handler, not yet handed out (bit n: notifyid n). */
extern volatile uint32_t uproc_fw_emu_kicks;
/* Set by every SDK interrupt handler; cleared before waiting. */
extern volatile uint32_t uproc_fw_emu_woken;

/* A device register by its device address (MIPS: through uncached kseg1). */
static inline volatile uint32_t *emu_reg(uint32_t device_addr)
{
#if defined(__mips__)
	device_addr = UPROC_EMU_MIPS_KSEG1(device_addr);
#endif
	return (volatile uint32_t *)(uintptr_t)device_addr;
}

static inline uint32_t mbox_read(uint32_t off)
{
	return *emu_reg(UPROC_EMU_MBOX_DA + off);
}

static inline void mbox_write(uint32_t off, uint32_t v)
{
	*emu_reg(UPROC_EMU_MBOX_DA + off) = v;
}

static inline uint32_t timer_read(uint32_t off)
{
	return *emu_reg(UPROC_EMU_TIMER_DA + off);
}

static inline void timer_write(uint32_t off, uint32_t v)
{
	*emu_reg(UPROC_EMU_TIMER_DA + off) = v;
}

/** emu_timer_now() - the timer device's mtime (1 MHz). */
static inline uint64_t emu_timer_now(void)
{
	uint32_t lo = timer_read(UPROC_EMU_TIMER_MTIME_LO); /* latches HI */
	return (uint64_t)timer_read(UPROC_EMU_TIMER_MTIME_HI) << 32 | lo;
}

/** emu_timer_set() - assert the timer line from mtime @when on (UINT64_MAX: never). */
static inline void emu_timer_set(uint64_t when)
{
	/* High word to the maximum first: no early match while the low word changes. */
	timer_write(UPROC_EMU_TIMER_MTIMECMP_HI, 0xFFFFFFFFu);
	timer_write(UPROC_EMU_TIMER_MTIMECMP_LO, (uint32_t)when);
	timer_write(UPROC_EMU_TIMER_MTIMECMP_HI, (uint32_t)(when >> 32));
}

/** emu_timer_ticks() - @delta_ns in timer ticks, rounded up, at least 1. */
static inline uint64_t emu_timer_ticks(uint64_t delta_ns)
{
	uint64_t t = (delta_ns + (1000000000u / UPROC_EMU_TICK_HZ) - 1) /
		     (1000000000u / UPROC_EMU_TICK_HZ);
	return t ? t : 1;
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
