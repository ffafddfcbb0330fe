/* SPDX-License-Identifier: MIT */
/*
 * crt.S - startup code and exception entry of a MIPS32r2 firmware (either byte
 * order), running in kernel mode in kseg0.
 *
 * RAM starts with this file's .text.uproc_start: _start at +0 jumps over the
 * vectors; the general exception vector is at +0x180 (UPROC_EMU_MIPS_VECTOR, where
 * the emulator enters interrupts; the startup code also sets EBase to the start of
 * RAM and Cause.IV = 0, so a core that raises them itself comes to the same place).
 * _start keeps Status.CU0, clears BEV/ERL/EXL/IE, opens IM2, sets sp, clears .bss and
 * calls uproc_fw_boot().
 *
 * The vector saves every register in a struct uproc_fw_trap_frame (uproc/fw/irq.h)
 * on the current stack, with cause = k1 (the Cause value the emulator's entry passes
 * there; k0 is clobbered by that entry), calls uproc_fw_mips_trap(frame) with EXL
 * still set (interrupts masked), restores the registers and EPC from the frame and
 * erets.
 */
#define FRAME_SIZE 160
#define REG(n) ((n) * 4)
#define F_PC 128
#define F_CAUSE 132
#define F_TVAL 136
#define F_STATUS 140
#define F_HI 144
#define F_LO 148

#define CP0_STATUS $12
#define CP0_CAUSE $13
#define CP0_EPC $14
#define CP0_BADVADDR $8

	.set	nomips16
	.set	noreorder
	.section .text.uproc_start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	b	__uproc_start2
	nop
	.size _start, . - _start

	/* EBase + 0x180: the general exception vector (k0/k1 are ours). */
	.org 0x180
	.globl uproc_fw_exception_vector
	.type uproc_fw_exception_vector, @function
uproc_fw_exception_vector:
	.set	noat
	move	$k0, $sp
	addiu	$sp, $sp, -FRAME_SIZE
	sw	$k0, REG(29)($sp)
	sw	$0, REG(0)($sp)
	sw	$1, REG(1)($sp)
	sw	$2, REG(2)($sp)
	sw	$3, REG(3)($sp)
	sw	$4, REG(4)($sp)
	sw	$5, REG(5)($sp)
	sw	$6, REG(6)($sp)
	sw	$7, REG(7)($sp)
	sw	$8, REG(8)($sp)
	sw	$9, REG(9)($sp)
	sw	$10, REG(10)($sp)
	sw	$11, REG(11)($sp)
	sw	$12, REG(12)($sp)
	sw	$13, REG(13)($sp)
	sw	$14, REG(14)($sp)
	sw	$15, REG(15)($sp)
	sw	$16, REG(16)($sp)
	sw	$17, REG(17)($sp)
	sw	$18, REG(18)($sp)
	sw	$19, REG(19)($sp)
	sw	$20, REG(20)($sp)
	sw	$21, REG(21)($sp)
	sw	$22, REG(22)($sp)
	sw	$23, REG(23)($sp)
	sw	$24, REG(24)($sp)
	sw	$25, REG(25)($sp)
	sw	$28, REG(28)($sp)
	sw	$30, REG(30)($sp)
	sw	$31, REG(31)($sp)
	mfhi	$k0
	sw	$k0, F_HI($sp)
	mflo	$k0
	sw	$k0, F_LO($sp)
	mfc0	$k0, CP0_EPC
	sw	$k0, F_PC($sp)
	sw	$k1, F_CAUSE($sp)
	mfc0	$k0, CP0_BADVADDR
	sw	$k0, F_TVAL($sp)
	mfc0	$k0, CP0_STATUS
	sw	$k0, F_STATUS($sp)

	move	$a0, $sp
	addiu	$sp, $sp, -16		/* the o32 argument save area */
	jal	uproc_fw_mips_trap
	nop
	addiu	$sp, $sp, 16

	lw	$k0, F_PC($sp)
	mtc0	$k0, CP0_EPC
	lw	$k0, F_HI($sp)
	mthi	$k0
	lw	$k0, F_LO($sp)
	mtlo	$k0
	lw	$1, REG(1)($sp)
	lw	$2, REG(2)($sp)
	lw	$3, REG(3)($sp)
	lw	$4, REG(4)($sp)
	lw	$5, REG(5)($sp)
	lw	$6, REG(6)($sp)
	lw	$7, REG(7)($sp)
	lw	$8, REG(8)($sp)
	lw	$9, REG(9)($sp)
	lw	$10, REG(10)($sp)
	lw	$11, REG(11)($sp)
	lw	$12, REG(12)($sp)
	lw	$13, REG(13)($sp)
	lw	$14, REG(14)($sp)
	lw	$15, REG(15)($sp)
	lw	$16, REG(16)($sp)
	lw	$17, REG(17)($sp)
	lw	$18, REG(18)($sp)
	lw	$19, REG(19)($sp)
	lw	$20, REG(20)($sp)
	lw	$21, REG(21)($sp)
	lw	$22, REG(22)($sp)
	lw	$23, REG(23)($sp)
	lw	$24, REG(24)($sp)
	lw	$25, REG(25)($sp)
	lw	$28, REG(28)($sp)
	lw	$30, REG(30)($sp)
	lw	$31, REG(31)($sp)
	lw	$sp, REG(29)($sp)
	ehb
	eret
	nop
	.set	at
	.size uproc_fw_exception_vector, . - uproc_fw_exception_vector

	.org 0x400
__uproc_start2:
	la	$sp, __uproc_stack_top
	move	$gp, $0
	/* Status: CU0, kernel mode, BEV/ERL/EXL/IE clear, only the mailbox line (IM2) open. */
	li	$t0, 0x10000400
	mtc0	$t0, CP0_STATUS
	ehb
	/* Cause.IV = 0: interrupts use the general vector. */
	mtc0	$0, CP0_CAUSE
	/* EBase: the start of RAM (this section). */
	la	$t0, _start
	mtc0	$t0, $15, 1
	ehb
	la	$t0, __uproc_bss_start
	la	$t1, __uproc_bss_end
1:	sltu	$t2, $t0, $t1
	beqz	$t2, 2f
	nop
	sw	$0, 0($t0)
	b	1b
	addiu	$t0, $t0, 4
2:	jal	uproc_fw_boot
	nop
	break
	.size __uproc_start2, . - __uproc_start2

/*
 * uproc_fw_mips_idle() - called with Status.IE clear: open interrupts and wait
 * unless one already came (uproc_fw_emu_woken). An interrupt taken between the
 * check and `wait` would leave the core asleep with the news already handled, so
 * the trap handler moves an EPC inside [idle_check, idle_end) back to idle_check.
 */
	.text
	.globl uproc_fw_mips_idle
	.type uproc_fw_mips_idle, @function
uproc_fw_mips_idle:
	lui	$t1, %hi(uproc_fw_emu_woken)
	ei
	ehb
	.globl uproc_fw_mips_idle_check
uproc_fw_mips_idle_check:
	lw	$t0, %lo(uproc_fw_emu_woken)($t1)
	bnez	$t0, 1f
	nop
	wait
	.globl uproc_fw_mips_idle_end
uproc_fw_mips_idle_end:
1:	di
	ehb
	jr	$ra
	nop
	.size uproc_fw_mips_idle, . - uproc_fw_mips_idle

	.section .note.GNU-stack, "", @progbits
