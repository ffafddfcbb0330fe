/* SPDX-License-Identifier: MIT */
/*
 * crt.S - startup code and vector table of a Cortex-M firmware (ARMv7-M, ARMv8-M
 * mainline; Thumb-2).
 *
 * The table sits at the start of RAM (.isr_vector, VTOR's reset value): the core
 * resets with SP = entry 0 (the top of the firmware's stack) and PC = entry 1
 * (Reset_Handler). Every handler name is a weak symbol: a firmware (or an RTOS
 * port) hooks an exception by defining a function of that name. Fault and system
 * exceptions nobody defines stay 0 in the table ("no handler"): the emulator then
 * reports the fault itself with the registers of the faulting code.
 *
 *   exception  1 Reset_Handler        this file
 *              2 NMI_Handler          3 HardFault_Handler   4 MemManage_Handler
 *              5 BusFault_Handler     6 UsageFault_Handler  7 SecureFault_Handler
 *             11 SVC_Handler         12 DebugMon_Handler   14 PendSV_Handler
 *             15 SysTick_Handler      the SDK's: the deadline of uproc_fw_wait()
 *             16 Mailbox_IRQHandler   IRQ 0, the SDK's: takes the host's kicks
 */
	.syntax unified
	.thumb

	.section .isr_vector, "a", %progbits
	.align 7
	.globl __uproc_vectors
	.type __uproc_vectors, %object
__uproc_vectors:
	.word __uproc_stack_top
	.word Reset_Handler
	.word NMI_Handler
	.word HardFault_Handler
	.word MemManage_Handler
	.word BusFault_Handler
	.word UsageFault_Handler
	.word SecureFault_Handler
	.word 0, 0, 0
	.word SVC_Handler
	.word DebugMon_Handler
	.word 0
	.word PendSV_Handler
	.word SysTick_Handler
	/* External interrupts 0..15; the mailbox is IRQ 0. */
	.word Mailbox_IRQHandler
	.word IRQ1_Handler, IRQ2_Handler, IRQ3_Handler, IRQ4_Handler, IRQ5_Handler
	.word IRQ6_Handler, IRQ7_Handler, IRQ8_Handler, IRQ9_Handler, IRQ10_Handler
	.word IRQ11_Handler, IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler
	.size __uproc_vectors, . - __uproc_vectors

	.weak NMI_Handler, HardFault_Handler, MemManage_Handler, BusFault_Handler
	.weak UsageFault_Handler, SecureFault_Handler, SVC_Handler, DebugMon_Handler
	.weak PendSV_Handler
	.weak IRQ1_Handler, IRQ2_Handler, IRQ3_Handler, IRQ4_Handler, IRQ5_Handler
	.weak IRQ6_Handler, IRQ7_Handler, IRQ8_Handler, IRQ9_Handler, IRQ10_Handler
	.weak IRQ11_Handler, IRQ12_Handler, IRQ13_Handler, IRQ14_Handler, IRQ15_Handler

	.section .text.uproc_start, "ax", %progbits
	.globl Reset_Handler
	.type Reset_Handler, %function
	.thumb_func
Reset_Handler:
	/* The stack from the table (set again: a debugger may jump here). */
	ldr	r0, =__uproc_stack_top
	mov	sp, r0
	/* Interrupts stay masked until the platform has set up its devices. */
	cpsid	i
	/* VTOR: this table. */
	ldr	r0, =0xE000ED08
	ldr	r1, =__uproc_vectors
	str	r1, [r0]
	/* Clear .bss (word-aligned by the linker script). */
	ldr	r0, =__uproc_bss_start
	ldr	r1, =__uproc_bss_end
	movs	r2, #0
1:	cmp	r0, r1
	bhs	2f
	str	r2, [r0], #4
	b	1b
2:	dsb
	isb
	bl	uproc_fw_boot
	udf	#0
	.size Reset_Handler, . - Reset_Handler
	.pool

	.section .note.GNU-stack, "", %progbits
