/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/irq.h - interrupts and exceptions on the emulated cores (cortex-m,
 * riscv32, mips32be, mips32le): what a firmware can hook. Not on native-x86_64.
 *
 * The SDK owns two interrupts: the mailbox (the host's kicks) and the timer (the
 * deadline of uproc_fw_wait()). Their handlers do the SDK's work, then call the
 * hooks below, which a firmware defines to run its own code in interrupt context.
 * Everything else is the firmware's:
 *
 *   cortex-m  the vector table's weak names (crt.S): define HardFault_Handler,
 *             SVC_Handler, PendSV_Handler, IRQn_Handler, ... to hook them;
 *             Mailbox_IRQHandler (IRQ 0) and SysTick_Handler are the SDK's and
 *             weak too (an RTOS port replaces them, then calls
 *             uproc_fw_mailbox_isr() itself). Or point VTOR at a table of its own.
 *   riscv32   mtvec = the SDK's trap entry, which saves every register in a
 *             struct uproc_fw_trap_frame: interrupts 11 (external: mailbox) and 7
 *             (timer) are the SDK's, others go to uproc_fw_on_irq(), exceptions to
 *             uproc_fw_exception(). Or write mtvec with an entry of its own.
 *   mips32    EBase = the start of RAM, the general exception vector at +0x180
 *             (the SDK's entry, same frame): IP2 (mailbox) and IP7 (timer) are the
 *             SDK's, other IPn go to uproc_fw_on_irq(), exceptions to
 *             uproc_fw_exception().
 *
 * Hooks run with interrupts masked; keep them short. Defaults do nothing, except
 * uproc_fw_exception() (traces the cause and ends the core) and uproc_fw_on_irq()
 * (masks the interrupt that nobody handles).
 */
#ifndef UPROC_FW_IRQ_H
#define UPROC_FW_IRQ_H

#include <stdint.h>

/**
 * struct uproc_fw_trap_frame - the registers at a trap (riscv32, mips32), saved by
 * the SDK's entry on the interrupted stack and restored from it on return (change
 * @pc to resume elsewhere).
 * @r:     riscv32: x0..x31 (r[2] = sp before the trap); mips32: $0..$31 (r[29] =
 *         sp before the trap; k0/k1 are the entry's scratch)
 * @pc:    where the trap happened (mepc / EPC)
 * @cause: mcause / Cause
 * @tval:  mtval / BadVAddr
 * @status: mstatus / Status at the trap
 * @hi, @lo: mips32 only
 */
struct uproc_fw_trap_frame {
	uint32_t r[32];
	uint32_t pc;
	uint32_t cause;
	uint32_t tval;
	uint32_t status;
	uint32_t hi;
	uint32_t lo;
	uint32_t pad[2];
};

/** uproc_fw_irq_save() - mask interrupts; returns the state to restore. */
unsigned long uproc_fw_irq_save(void);

/** uproc_fw_irq_restore() - restore what uproc_fw_irq_save() returned. */
void uproc_fw_irq_restore(unsigned long flags);

/** uproc_fw_mailbox_isr() - the SDK's mailbox work, for an RTOS's own handler. */
void uproc_fw_mailbox_isr(void);

/* Hooks (weak defaults in the SDK; define them to run code in the handlers). */

/** uproc_fw_on_mailbox() - after the SDK's mailbox handler took the host's kicks. */
void uproc_fw_on_mailbox(void);

/** uproc_fw_on_timer() - after the SDK's timer handler (a wait's deadline). */
void uproc_fw_on_timer(void);

/** uproc_fw_on_irq() - riscv32/mips32: another interrupt @irq (mcause / IPn) is pending. */
void uproc_fw_on_irq(unsigned int irq);

/**
 * uproc_fw_exception() - riscv32/mips32: an exception (not an interrupt) came through
 * the SDK's entry. Return to resume at @f->pc. The default traces the cause and ends
 * the core (exit code 128 + the cause code).
 */
void uproc_fw_exception(struct uproc_fw_trap_frame *f);

#endif /* UPROC_FW_IRQ_H */
