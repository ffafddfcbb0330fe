// SPDX-License-Identifier: MIT
/*
 * platform.c - uproc/fw/platform.h for the emulated cores (Cortex-M, RISC-V RV32,
 * MIPS32), over the mailbox device. The architecture's part (vectors or trap entry,
 * interrupt masking, WFI/wait, its timer) is in platform/<arch>/ behind emu_arch.h.
 *
 * Kicks: the host sets PENDING bits and the mailbox raises its interrupt; the SDK's
 * handler moves them into uproc_fw_emu_kicks (PENDING, ACK). poll() and wait() hand
 * out that word plus whatever is still in PENDING, with interrupts masked.
 *
 * Waiting: with interrupts masked, look at the kicks; when there are none, arm the
 * timer for the deadline and idle (WFI / wait). The emulator blocks the core's
 * process on its doorbell while nothing is pending, so an idle core uses no CPU.
 * The interrupt that ends the idle is handled as soon as interrupts are unmasked.
 */
#include <stdbool.h>
#include <stdint.h>

#include "uproc/fw/irq.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/trace.h"

#include "emu_arch.h"

volatile uint32_t uproc_fw_emu_kicks;
volatile uint32_t uproc_fw_emu_woken;

/* Called by the startup code. */
__attribute__((noreturn)) void uproc_fw_boot(void);

void uproc_fw_platform_init(void *boot_info, long arg1, long arg2)
{
	(void)boot_info;
	(void)arg1;
	(void)arg2;
	uproc_fw_emu_kicks = 0;
	uproc_fw_emu_woken = 0;
	emu_arch_init();
	/* Raise the mailbox interrupt while the host has kicks for us. */
	mbox_write(UPROC_EMU_MBOX_IRQ_EN, 1);
}

void uproc_fw_boot(void)
{
	uproc_fw_platform_init(0, 0, 0);
	uproc_fw_exit(main());
}

const char *uproc_fw_platform_name(void)
{
	return emu_arch_name();
}

void uproc_fw_exit(int code)
{
	for (;;)
		mbox_write(UPROC_EMU_MBOX_EXIT, (uint32_t)code);
}

uint32_t uproc_fw_host_epoch(void)
{
	return mbox_read(UPROC_EMU_MBOX_HOST_EPOCH);
}

void uproc_fw_heartbeat(void)
{
	mbox_write(UPROC_EMU_MBOX_HEARTBEAT, 1);
}

uint64_t uproc_fw_now_ns(void)
{
	/* Reading the low word latches the high one: the pair is consistent. */
	uint32_t lo = mbox_read(UPROC_EMU_MBOX_NOW_LO);
	uint32_t hi = mbox_read(UPROC_EMU_MBOX_NOW_HI);
	return (uint64_t)hi << 32 | lo;
}

void uproc_fw_notify(unsigned int notifyid)
{
	mbox_write(UPROC_EMU_MBOX_NOTIFY, notifyid);
}

void uproc_fw_emu_mailbox_irq(void)
{
	uint32_t bits = mbox_read(UPROC_EMU_MBOX_PENDING);

	if (bits)
		mbox_write(UPROC_EMU_MBOX_ACK, bits);
	uproc_fw_emu_kicks |= bits;
	uproc_fw_emu_woken = 1;
}

/* Take the kicks: call with interrupts masked. */
static uint32_t take_kicks(void)
{
	uint32_t bits = uproc_fw_emu_kicks | mbox_read(UPROC_EMU_MBOX_PENDING);

	uproc_fw_emu_kicks = 0;
	if (bits)
		mbox_write(UPROC_EMU_MBOX_ACK, bits);
	return bits;
}

/* PENDING's bit 31 stands for notifyid 31 and above; platform.h's bit 63 does. */
static uint64_t widen(uint32_t bits)
{
	uint64_t out = bits & 0x7FFFFFFFu;

	if (bits & 0x80000000u)
		out |= UINT64_C(0xFFFFFFFF80000000);
	return out;
}

uint64_t uproc_fw_poll(void)
{
	unsigned long flags = emu_arch_irq_save();
	uint32_t bits = take_kicks();

	emu_arch_irq_restore(flags);
	return widen(bits);
}

uint64_t uproc_fw_wait(uint64_t deadline_ns)
{
	unsigned long flags = emu_arch_irq_save();
	uint32_t bits;

	uproc_fw_heartbeat();
	for (;;) {
		bits = take_kicks();
		if (bits)
			break;
		uint64_t delta = 0;
		if (deadline_ns != UPROC_FW_FOREVER) {
			uint64_t now = uproc_fw_now_ns();
			if (now >= deadline_ns)
				break;
			delta = deadline_ns - now;
		}
		uproc_fw_emu_woken = 0;
		emu_arch_timer_arm(delta);
		emu_arch_idle();
	}
	emu_arch_timer_arm(0);
	emu_arch_irq_restore(flags);
	return widen(bits);
}

/* ---- uproc/fw/irq.h ----------------------------------------------------------------- */

unsigned long uproc_fw_irq_save(void)
{
	return emu_arch_irq_save();
}

void uproc_fw_irq_restore(unsigned long flags)
{
	emu_arch_irq_restore(flags);
}

void uproc_fw_mailbox_isr(void)
{
	uproc_fw_emu_mailbox_irq();
}

__attribute__((weak)) void uproc_fw_on_mailbox(void)
{
}

__attribute__((weak)) void uproc_fw_on_timer(void)
{
}

__attribute__((weak)) void uproc_fw_exception(struct uproc_fw_trap_frame *f)
{
	uproc_fw_trace("%s: unhandled exception: cause %#x at pc %#x (tval %#x)\n",
		       emu_arch_name(), (unsigned int)f->cause, (unsigned int)f->pc,
		       (unsigned int)f->tval);
#if defined(__mips__)
	uproc_fw_exit(128 + (int)((f->cause >> 2) & 0x1Fu)); /* ExcCode */
#else
	uproc_fw_exit(128 + (int)(f->cause & 0x7Fu));
#endif
}

void uproc_fw_cpu_relax(void)
{
	__asm__ volatile("nop" ::: "memory");
}
