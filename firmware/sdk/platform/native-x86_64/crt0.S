/* SPDX-License-Identifier: MIT */
/*
 * crt0.S - startup code of a native-core firmware (x86-64).
 *
 * The stub jumps here with rdi = control page, rsi = doorbell in, rdx = doorbell out
 * (uproc/native.h). We switch to the firmware's own stack (the top of RAM below the
 * trace buffer, see firmware.ld), clear .bss, and call uproc_fw_boot(rdi, rsi, rdx),
 * which never returns.
 */
	.section .text.uproc_start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	movabs	$__uproc_stack_top, %rsp
	xorl	%ebp, %ebp
	movq	%rdi, %r12
	movq	%rsi, %r13
	movq	%rdx, %r14

	movabs	$__uproc_bss_start, %rdi
	movabs	$__uproc_bss_end, %rcx
	subq	%rdi, %rcx
	xorl	%eax, %eax
	cld
	rep stosb

	movq	%r12, %rdi
	movq	%r13, %rsi
	movq	%r14, %rdx
	call	uproc_fw_boot
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
