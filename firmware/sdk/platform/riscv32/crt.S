/* SPDX-License-Identifier: MIT */
/*
 * crt.S - startup code and trap entry of a RISC-V RV32 firmware (M-mode only).
 *
 * The core starts at _start (e_entry) in M-mode with interrupts off. We set gp and
 * sp (the top of the firmware's stack), point mtvec at uproc_fw_trap_entry (direct
 * mode), clear .bss and call uproc_fw_boot(), which never returns.
 *
 * uproc_fw_trap_entry saves every register into a struct uproc_fw_trap_frame on
 * the current stack (uproc/fw/irq.h), calls uproc_fw_riscv_trap(frame), restores
 * the registers (and mepc from the frame, which the C code may change) and mret's.
 * An RTOS port installs its own entry in mtvec instead.
 */
#define FRAME_SIZE 160		/* struct uproc_fw_trap_frame (uproc/fw/irq.h) */
#define REG(n) ((n) * 4)
#define F_MEPC 128
#define F_MCAUSE 132
#define F_MTVAL 136
#define F_MSTATUS 140

	.section .text.uproc_start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __uproc_stack_top
	csrci	mstatus, 8		/* MIE off until the platform is set up */
	csrw	mie, zero
	la	t0, uproc_fw_trap_entry
	csrw	mtvec, t0
	la	t0, __uproc_bss_start
	la	t1, __uproc_bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	call	uproc_fw_boot
	unimp
	.size _start, . - _start

	.text
	.globl uproc_fw_trap_entry
	.type uproc_fw_trap_entry, @function
	.align 4
uproc_fw_trap_entry:
	addi	sp, sp, -FRAME_SIZE
	sw	x1, REG(1)(sp)
	sw	x3, REG(3)(sp)
	sw	x4, REG(4)(sp)
	sw	x5, REG(5)(sp)
	sw	x6, REG(6)(sp)
	sw	x7, REG(7)(sp)
	sw	x8, REG(8)(sp)
	sw	x9, REG(9)(sp)
	sw	x10, REG(10)(sp)
	sw	x11, REG(11)(sp)
	sw	x12, REG(12)(sp)
	sw	x13, REG(13)(sp)
	sw	x14, REG(14)(sp)
	sw	x15, REG(15)(sp)
	sw	x16, REG(16)(sp)
	sw	x17, REG(17)(sp)
	sw	x18, REG(18)(sp)
	sw	x19, REG(19)(sp)
	sw	x20, REG(20)(sp)
	sw	x21, REG(21)(sp)
	sw	x22, REG(22)(sp)
	sw	x23, REG(23)(sp)
	sw	x24, REG(24)(sp)
	sw	x25, REG(25)(sp)
	sw	x26, REG(26)(sp)
	sw	x27, REG(27)(sp)
	sw	x28, REG(28)(sp)
	sw	x29, REG(29)(sp)
	sw	x30, REG(30)(sp)
	sw	x31, REG(31)(sp)
	addi	t0, sp, FRAME_SIZE	/* the interrupted code's sp */
	sw	t0, REG(2)(sp)
	sw	zero, REG(0)(sp)
	csrr	t0, mepc
	sw	t0, F_MEPC(sp)
	csrr	t0, mcause
	sw	t0, F_MCAUSE(sp)
	csrr	t0, mtval
	sw	t0, F_MTVAL(sp)
	csrr	t0, mstatus
	sw	t0, F_MSTATUS(sp)

	mv	a0, sp
	call	uproc_fw_riscv_trap

	lw	t0, F_MEPC(sp)
	csrw	mepc, t0
	lw	x1, REG(1)(sp)
	lw	x3, REG(3)(sp)
	lw	x4, REG(4)(sp)
	lw	x5, REG(5)(sp)
	lw	x6, REG(6)(sp)
	lw	x7, REG(7)(sp)
	lw	x8, REG(8)(sp)
	lw	x9, REG(9)(sp)
	lw	x10, REG(10)(sp)
	lw	x11, REG(11)(sp)
	lw	x12, REG(12)(sp)
	lw	x13, REG(13)(sp)
	lw	x14, REG(14)(sp)
	lw	x15, REG(15)(sp)
	lw	x16, REG(16)(sp)
	lw	x17, REG(17)(sp)
	lw	x18, REG(18)(sp)
	lw	x19, REG(19)(sp)
	lw	x20, REG(20)(sp)
	lw	x21, REG(21)(sp)
	lw	x22, REG(22)(sp)
	lw	x23, REG(23)(sp)
	lw	x24, REG(24)(sp)
	lw	x25, REG(25)(sp)
	lw	x26, REG(26)(sp)
	lw	x27, REG(27)(sp)
	lw	x28, REG(28)(sp)
	lw	x29, REG(29)(sp)
	lw	x30, REG(30)(sp)
	lw	x31, REG(31)(sp)
	addi	sp, sp, FRAME_SIZE
	mret
	.size uproc_fw_trap_entry, . - uproc_fw_trap_entry

	.section .note.GNU-stack, "", @progbits
