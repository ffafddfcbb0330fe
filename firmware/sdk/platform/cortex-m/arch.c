// SPDX-License-Identifier: MIT
/*
 * arch.c - the Cortex-M part of the emulated platform (emu_arch.h): PRIMASK, WFI,
 * SysTick for deadlines, the mailbox on NVIC IRQ 0.
 */
#include <stdint.h>

#include "emu_arch.h"
#include "uproc/fw/irq.h"

#define SCS_REG(da) (*(volatile uint32_t *)(uintptr_t)(da))
#define SYST_CSR SCS_REG(UPROC_EMU_ARM_SYST_CSR)
#define SYST_RVR SCS_REG(UPROC_EMU_ARM_SYST_RVR)
#define SYST_CVR SCS_REG(UPROC_EMU_ARM_SYST_CVR)
#define NVIC_ISER0 SCS_REG(UPROC_EMU_ARM_NVIC_ISER0)
#define NVIC_ICPR0 SCS_REG(UPROC_EMU_ARM_NVIC_ICPR0)

#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u
#define SYST_RVR_MAX 0x00FFFFFFu

/* The mailbox interrupt (IRQ 0, exception 16). */
void Mailbox_IRQHandler(void);
void SysTick_Handler(void);

__attribute__((weak)) void Mailbox_IRQHandler(void)
{
	uproc_fw_emu_mailbox_irq();
	uproc_fw_on_mailbox();
}

__attribute__((weak)) void SysTick_Handler(void)
{
	emu_arch_timer_irq();
	uproc_fw_on_timer();
}

const char *emu_arch_name(void)
{
	return "cortex-m";
}

void emu_arch_init(void)
{
	SYST_CSR = 0;
	NVIC_ICPR0 = 1u << UPROC_EMU_IRQ_MBOX;
	NVIC_ISER0 = 1u << UPROC_EMU_IRQ_MBOX;
	__asm__ volatile("cpsie i" ::: "memory");
}

unsigned long emu_arch_irq_save(void)
{
	unsigned long primask;

	__asm__ volatile("mrs %0, primask\n\tcpsid i" : "=r"(primask) : : "memory");
	return primask;
}

void emu_arch_irq_restore(unsigned long flags)
{
	__asm__ volatile("msr primask, %0" : : "r"(flags) : "memory");
}

void emu_arch_idle(void)
{
	/*
	 * PRIMASK is set: an interrupt that becomes pending still ends WFI (the
	 * architecture's rule), and is taken between cpsie and cpsid.
	 */
	__asm__ volatile("dsb\n\twfi\n\tcpsie i\n\tisb\n\tcpsid i" ::: "memory");
}

void emu_arch_timer_arm(uint64_t delta_ns)
{
	SYST_CSR = 0;
	if (!delta_ns)
		return;
	/* Ticks, rounded up; past the 24-bit reload the wait arms again. */
	uint64_t ticks = emu_timer_ticks(delta_ns); /* SysTick counts at the same 1 MHz */
	if (ticks > SYST_RVR_MAX)
		ticks = SYST_RVR_MAX;
	SYST_RVR = (uint32_t)ticks;
	SYST_CVR = 0;
	SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;
}

void emu_arch_timer_irq(void)
{
	SYST_CSR = 0;
	uproc_fw_emu_woken = 1;
}
