/* SPDX-License-Identifier: MIT */
/*
 * uproc/emulated.h - the emulated cores: Cortex-M (ARMv7-M/ARMv8-M, Thumb-2), RISC-V
 * RV32IMAC and MIPS32r2 (either byte order) firmware run by uproc-emu-core on the
 * unicorn CPU emulator. Freestanding: the firmware SDK's platforms use it as their
 * whole view of the hardware; the host backend uses it too.
 *
 * A core is a process like the native core's (uproc/native.h): the host creates the
 * memories as sealed memfds, execs uproc-emu-core, which maps them into unicorn at
 * their device addresses, confines itself with seccomp and runs the firmware. The
 * firmware never sees the host's control page: it talks through the MMIO devices
 * below. The host's mailbox protocol (native.h) is spoken by the emulator.
 *
 * ---- Device map (device addresses; physical addresses on MIPS) -------------------
 *   0x00000000 - 0x000EFFFF  nothing: null pointers and small offsets fault
 *   0x000F0000 - 0x000F0FFF  mailbox device (UPROC_EMU_MBOX_DA)
 *   0x000F1000 - 0x000F1FFF  timer device (UPROC_EMU_TIMER_DA)
 *   0x00100000 - 0x002FFFFF  RAM, 2 MiB by default: code, data, stack, trace buffer
 *   0x10000000 - 0x1FFFFFFF  the host's window for RPROC_RSC_ADDR_ANY memories (vrings,
 *                            message buffers, carveouts the host places)
 *   Cortex-M only: 0xE000E000 - 0xE000EFFF System Control Space, with only the
 *   registers listed under "Cortex-M" (others read 0, writes ignored).
 * Any other access ends the core with the reason "unmapped read/write/fetch at ADDR".
 * Device registers are 32 bits wide and must be accessed as aligned words.
 *
 * ---- MIPS addresses ----------------------------------------------------------------
 * Firmware runs in kernel mode in kseg0: device address = virtual address & 0x1FFFFFFF.
 * Link RAM at 0x80100000 (device 0x00100000); reach the devices uncached through kseg1
 * (mailbox 0xA00F0000, timer 0xA00F1000) or through kseg0 (0x800F0000: the emulator
 * has no caches, both work). Probed on unicorn 2.0.1: loads, stores and fetches
 * through kseg0/kseg1 reach the physical mappings; kuseg (below 0x80000000) goes
 * through the TLB, which the emulator leaves empty, so a kuseg access - a null
 * pointer - ends the core ("unmapped"). The vrings and buffers the host places in
 * its window are at device 0x1xxxxxxx: add 0x80000000 (kseg0) to reach them; the
 * SDK's MIPS platform translates device addresses with UPROC_EMU_MIPS_KSEG0().
 * The host loads ELF segments at their p_paddr, as Linux does: link the sections at
 * kseg0 (VMA 0x80100000) with their load addresses (LMA, p_paddr) at the device
 * addresses (0x00100000), e.g. `> RAM AT> RAM_PHYS` in the linker script.
 *
 * ---- Byte order (the big-endian MIPS core against a little-endian host) -----------
 *  - Device registers are 32-bit values: a word load returns the value, whatever the
 *    core's byte order (MMIO is value-based, not byte-based).
 *  - The ELF image and its resource table are in the firmware's byte order; the host
 *    decodes and patches the table (vdev status, vring addresses) in that order.
 *  - Legacy vrings, rpmsg headers and the rpmsg name-service messages are
 *    little-endian, the host's order (Linux's legacy virtio is guest-native; the
 *    host here plays the guest's part): big-endian firmware converts, by setting
 *    cross_endian in struct rpmsg_virtio_config (the messaging core swaps every ring
 *    and header field it touches). Payloads are bytes, never swapped.
 *  - The trace buffer and the console are bytes.
 *
 * ---- Time and idle ---------------------------------------------------------------
 * All time comes from the host's monotonic clock: NOW (ns since the core started)
 * and the timer device's mtime (1 MHz, UPROC_EMU_TICK_HZ). Emulated instructions take
 * no fixed time. WFI (ARM, RISC-V) and `wait` (MIPS) return when an interrupt source
 * is asserted (mailbox PENDING != 0, the timer due, SysTick wrapped with TICKINT) -
 * whether or not that interrupt is enabled or masked, as on the real cores; the
 * interrupt is then taken if it is enabled and unmasked. While nothing is asserted
 * the emulator blocks on its doorbell (the host's ring or the next timer deadline):
 * an idle core uses no CPU. An SDK firmware's idle loop: mask interrupts, check its
 * work, WFI, unmask.
 *
 * ---- Interrupt lines -------------------------------------------------------------
 * Line 0: the mailbox (asserted while IRQ_EN bit 0 is set and PENDING != 0).
 * Line 1: the timer device (asserted while mtime >= mtimecmp).
 * Cortex-M: line n is external interrupt n (exception 16 + n); SysTick is exception 15.
 * RISC-V:   line 0 is the machine external interrupt (mip.MEIP, mcause 0x8000000B),
 *           line 1 the machine timer interrupt (mip.MTIP, mcause 0x80000007).
 * MIPS:     line 0 is Cause.IP2 (Status.IM2), line 1 is Cause.IP7 (Status.IM7).
 * Every architecture can also read the asserted lines in the mailbox's IRQ_STATUS.
 *
 * ---- Cortex-M ----------------------------------------------------------------------
 * Reset: VTOR = 0x00100000 (the start of RAM: put the vector table there), MSP =
 * word 0 of the table, PC = word 1 (Thumb bit set), privileged thread mode, PRIMASK 0.
 * Exception entry as the architecture does it: the 8-word frame (r0-r3, r12, lr, pc,
 * xPSR; 8-byte aligned, xPSR bit 9 set when realigned) is pushed on the active stack
 * (MSP or PSP per CONTROL.SPSEL), lr = EXC_RETURN (0xFFFFFFF1 from a handler,
 * 0xFFFFFFF9 from thread mode on MSP, 0xFFFFFFFD on PSP), the handler runs on MSP,
 * pc = word n of the table at VTOR. Returning to an EXC_RETURN value (bx lr, pop pc,
 * ldr pc) unstacks the frame. No floating-point frame (the emulated core has no FPU
 * context: build with -mfloat-abi=soft). PRIMASK masks every interrupt; priorities
 * are not modelled: a pending interrupt does not preempt a running handler; when
 * several are pending the lowest exception number goes first.
 * SCS registers implemented (architectural layout and meaning):
 *   0xE000E010 SYST_CSR (ENABLE, TICKINT, CLKSOURCE, COUNTFLAG)
 *   0xE000E014 SYST_RVR, 0xE000E018 SYST_CVR, 0xE000E01C SYST_CALIB (TENMS = 10000)
 *   SysTick counts at UPROC_EMU_TICK_HZ (1 MHz of host time) whatever CLKSOURCE.
 *   0xE000E100 NVIC_ISER0, 0xE000E180 NVIC_ICER0, 0xE000E200 NVIC_ISPR0,
 *   0xE000E280 NVIC_ICPR0 (lines 0 and 1; ISPR can pend a line by software)
 *   0xE000ED00 CPUID (reads 0x410FC241, a Cortex-M4), 0xE000ED04 ICSR (VECTACTIVE,
 *   PENDSTSET/PENDSTCLR, PENDSVSET/PENDSVCLR), 0xE000ED08 VTOR
 * PendSV (exception 14) and SVCall (svc, exception 11) are delivered like the others.
 * unicorn 2.0.1 has no NVIC, so the emulator stacks and unstacks the frames itself and
 * keeps the CPU in what it calls thread mode: IPSR reads 0 inside a handler (read
 * ICSR.VECTACTIVE to know the active exception), CONTROL.SPSEL reads 0 in a handler
 * (it is restored by the exception return).
 * Faults are not delivered to the firmware's fault handlers: the emulator ends the
 * core at the faulting instruction with its reason, so the registers and the
 * coredump show where it happened. "HardFault" is the reason for what the
 * architecture escalates with no recovery: an exception whose vector is not in RAM
 * or whose frame cannot be pushed, an exception return to a bad EXC_RETURN or frame;
 * "lockup" for a fault while stacking a HardFault.
 *
 * ---- RISC-V (RV32IMAC, machine mode only) ------------------------------------------
 * Entry: pc = e_entry, a0 = 0 (hart id), a1 = 0, every other register 0 (sp too: the
 * startup code sets it), mstatus.MIE = 0, mie = 0.
 * Interrupt entry as the privileged spec says: mepc = the interrupted pc, mcause =
 * 0x8000000B (external) or 0x80000007 (timer), mtval = 0, mstatus.MPIE = MIE, MIE = 0,
 * MPP = M; pc = mtvec base (direct mode) or base + 4 * cause (vectored mode, mtvec
 * bit 0). Taken when mstatus.MIE and the line's mie bit (MEIE bit 11, MTIE bit 7) are
 * set. mret returns. Synchronous exceptions (faults, ecall, ebreak) are not delivered
 * to mtvec: they end the core with their reason.
 * Timer: mtimecmp and mtime at the timer device (below), 1 MHz.
 *
 * ---- MIPS32r2 (kernel mode) -----------------------------------------------------------
 * Entry: pc = e_entry (kseg0), Status = CU0 only (BEV 0, ERL 0, EXL 0, IE 0, KSU kernel),
 * every general register 0 (sp too: the startup code sets it).
 * Interrupt entry at the general exception vector, which the emulator fixes at
 * UPROC_EMU_MIPS_VECTOR (0x80100180: EBase = RAM start, BEV 0): EPC = the interrupted
 * pc, Status.EXL = 1; eret returns. Taken when Status.IE = 1, EXL = 0, ERL = 0 and
 * the line's IM bit (IM2 bit 10, IM7 bit 15) is set. Correction found by probing
 * unicorn 2.0.1: it gives no way to raise the CPU's interrupt lines nor to write
 * Cause or EPC from outside the guest (only CP0 Status is reachable), so the emulator
 * enters the vector through a tiny trampoline of its own (mapped at
 * UPROC_EMU_MIPS_TRAMPOLINE, kseg0 0x800F2000) that writes EPC and sets EXL with
 * mtc0, using k0. At the vector: k0 is clobbered (the ABI reserves k0/k1 for the
 * kernel, compilers never use them), k1 holds the Cause value the architecture
 * would have (ExcCode 0 "Int", IP2/IP7 for the asserted lines), and CP0 Cause itself
 * does not show IP2/IP7: read k1 or IRQ_STATUS. Likewise CP0 Count/Compare are
 * unicorn's (no Compare interrupt is raised: the emulator runs no QEMU timers): use
 * the timer device, line 1 (IP7), as the core's timer.
 * Synchronous exceptions (faults, syscall, break) are not delivered to the vector:
 * they end the core with their reason. Build with -mno-abicalls -fno-pic -G0.
 *
 * ---- Faults and the end of a core ----------------------------------------------------
 * The pc reported is the faulting instruction's (the emulator finds it where unicorn
 * shows another). The faulting address is reported for unmapped, protected and
 * misaligned accesses on every core (MIPS: BadVAddr, read from CP0). A MIPS coredump
 * holds BadVAddr (the faulting address), Cause (ExcCode of the fault: AdEL/AdES, RI,
 * Bp, Sys, DBE/IBE for an access nothing maps) and EPC (the faulting instruction),
 * and its memories at their kseg0 addresses.
 *
 * ---- Debugging ---------------------------------------------------------------------------
 * Every emulated core serves the gdb remote protocol (uproc gdb): registers as gdb's
 * target descriptions name them (Cortex-M org.gnu.gdb.arm.m-profile, RISC-V
 * org.gnu.gdb.riscv.cpu, MIPS cpu/cp0/fpu with the FPU reading 0), memory at the
 * firmware's addresses (MIPS: kseg0/kseg1), breakpoints, step, continue, Ctrl-C.
 * enum uproc_emu_reason below: what ended the core, reported by the host with the
 * faulting pc and address, and in the coredump (the firmware's machine, its byte
 * order, NT_PRSTATUS in the layout gdb reads for that architecture).
 * A write to the mailbox's EXIT register ends the core normally with that code.
 * The watchdog (host option) ends a core that neither beats (HEARTBEAT) nor sleeps.
 */
#ifndef UPROC_EMULATED_H
#define UPROC_EMULATED_H

#include <stdint.h>

/* ---- memory map --------------------------------------------------------------------- */

#define UPROC_EMU_MBOX_DA 0x000F0000u
#define UPROC_EMU_MBOX_SIZE 0x1000u
#define UPROC_EMU_TIMER_DA 0x000F1000u
#define UPROC_EMU_TIMER_SIZE 0x1000u
#define UPROC_EMU_RAM_DA 0x00100000u
#define UPROC_EMU_RAM_SIZE 0x00200000u
#define UPROC_EMU_WINDOW_DA 0x10000000u
#define UPROC_EMU_WINDOW_SIZE 0x10000000u

/* The timer device's tick and SysTick's clock. */
#define UPROC_EMU_TICK_HZ 1000000u

/* ---- mailbox device registers (offsets from UPROC_EMU_MBOX_DA) ------------------------ */

#define UPROC_EMU_MBOX_MAGIC 0x00u	/* RO  UPROC_EMU_MBOX_MAGIC_VALUE */
#define UPROC_EMU_MBOX_VERSION 0x04u	/* RO  UPROC_EMU_MBOX_VERSION_VALUE */
#define UPROC_EMU_MBOX_NOTIFY 0x08u	/* WO  a notifyid: ring the host for that virtqueue */
#define UPROC_EMU_MBOX_PENDING 0x0Cu	/* RO  bit n: the host rang notifyid n since ACK
					 *     (bit 31: notifyid 31 and above) */
#define UPROC_EMU_MBOX_ACK 0x10u	/* WO  write 1 to clear PENDING bits */
#define UPROC_EMU_MBOX_IRQ_EN 0x14u	/* RW  bit 0: assert line 0 while PENDING != 0 */
#define UPROC_EMU_MBOX_HEARTBEAT 0x18u	/* WO  any write: the firmware makes progress */
#define UPROC_EMU_MBOX_HOST_EPOCH 0x1Cu	/* RO  changes when a new host attaches: announce
					 *     the channels again */
#define UPROC_EMU_MBOX_NOW_LO 0x20u	/* RO  ns since the core started, low word; reading
					 *     it latches the high word for NOW_HI */
#define UPROC_EMU_MBOX_NOW_HI 0x24u	/* RO  the high word latched by NOW_LO */
#define UPROC_EMU_MBOX_EXIT 0x28u	/* WO  end the core with this exit code */
#define UPROC_EMU_MBOX_CTL_DA 0x2Cu	/* RO  reserved, reads 0 */
#define UPROC_EMU_MBOX_IRQ_STATUS 0x30u /* RO  bit n: interrupt line n is asserted */

#define UPROC_EMU_MBOX_MAGIC_VALUE 0x424D5055u /* "UPMB" as a little-endian word */
#define UPROC_EMU_MBOX_VERSION_VALUE 1u
/* The PENDING bit that stands for every notifyid >= 31. */
#define UPROC_EMU_MBOX_HIGH 31u

/* ---- timer device registers (offsets from UPROC_EMU_TIMER_DA), 1 MHz ---------------- */

#define UPROC_EMU_TIMER_MTIMECMP_LO 0x00u /* RW  line 1 asserted while mtime >= mtimecmp */
#define UPROC_EMU_TIMER_MTIMECMP_HI 0x04u /* RW  (reset: all ones, never) */
#define UPROC_EMU_TIMER_MTIME_LO 0x08u	  /* RO  us since the core started; reading LO */
#define UPROC_EMU_TIMER_MTIME_HI 0x0Cu	  /* RO  latches HI */

/* ---- interrupt lines -------------------------------------------------------------------- */

#define UPROC_EMU_IRQ_MBOX 0u
#define UPROC_EMU_IRQ_TIMER 1u

/* Cortex-M exception numbers. */
#define UPROC_EMU_ARM_EXC_RESET 1u
#define UPROC_EMU_ARM_EXC_NMI 2u
#define UPROC_EMU_ARM_EXC_HARDFAULT 3u
#define UPROC_EMU_ARM_EXC_SVCALL 11u
#define UPROC_EMU_ARM_EXC_PENDSV 14u
#define UPROC_EMU_ARM_EXC_SYSTICK 15u
#define UPROC_EMU_ARM_EXC_IRQ0 16u /* + line */
#define UPROC_EMU_ARM_VTOR_RESET UPROC_EMU_RAM_DA

/* Cortex-M System Control Space registers (device addresses). */
#define UPROC_EMU_ARM_SYST_CSR 0xE000E010u
#define UPROC_EMU_ARM_SYST_RVR 0xE000E014u
#define UPROC_EMU_ARM_SYST_CVR 0xE000E018u
#define UPROC_EMU_ARM_SYST_CALIB 0xE000E01Cu
#define UPROC_EMU_ARM_NVIC_ISER0 0xE000E100u
#define UPROC_EMU_ARM_NVIC_ICER0 0xE000E180u
#define UPROC_EMU_ARM_NVIC_ISPR0 0xE000E200u
#define UPROC_EMU_ARM_NVIC_ICPR0 0xE000E280u
#define UPROC_EMU_ARM_SCB_CPUID 0xE000ED00u
#define UPROC_EMU_ARM_SCB_ICSR 0xE000ED04u
#define UPROC_EMU_ARM_SCB_VTOR 0xE000ED08u

/* RISC-V mcause values of the two lines. */
#define UPROC_EMU_RISCV_MCAUSE_EXT 0x8000000Bu
#define UPROC_EMU_RISCV_MCAUSE_TIMER 0x80000007u

/* MIPS: Cause/Status bits of the two lines, the vector, the trampoline (see above). */
#define UPROC_EMU_MIPS_IP_MBOX (1u << 10)  /* Cause.IP2 / Status.IM2 */
#define UPROC_EMU_MIPS_IP_TIMER (1u << 15) /* Cause.IP7 / Status.IM7 */
#define UPROC_EMU_MIPS_VECTOR 0x80100180u
#define UPROC_EMU_MIPS_TRAMPOLINE 0x800F2000u
#define UPROC_EMU_MIPS_STATUS_RESET 0x10000000u /* CU0 */
/* A device address as MIPS firmware reaches it (kseg0 for memory, kseg1 for devices). */
#define UPROC_EMU_MIPS_KSEG0(da) ((uint32_t)(da) | 0x80000000u)
#define UPROC_EMU_MIPS_KSEG1(da) ((uint32_t)(da) | 0xA0000000u)

/* ---- why a core ended --------------------------------------------------------------- */

/**
 * enum uproc_emu_reason - what ended an emulated core (the crash record's reason).
 * @UPROC_EMU_END_EXIT:          the firmware wrote EXIT (not a crash)
 * @UPROC_EMU_END_READ_UNMAPPED: a load from an address nothing is mapped at
 * @UPROC_EMU_END_WRITE_UNMAPPED: a store to an address nothing is mapped at
 * @UPROC_EMU_END_FETCH_UNMAPPED: an instruction fetch from an address nothing is at
 * @UPROC_EMU_END_WRITE_PROT, @UPROC_EMU_END_READ_PROT, @UPROC_EMU_END_FETCH_PROT:
 *                               an access the memory's protection forbids
 * @UPROC_EMU_END_UNALIGNED:     a misaligned access the architecture refuses
 * @UPROC_EMU_END_UNDEFINED:     an undefined or unsupported instruction
 * @UPROC_EMU_END_BREAKPOINT:    bkpt / ebreak / break with no debugger attached
 * @UPROC_EMU_END_SYSCALL:       svc with no handler / ecall / syscall
 * @UPROC_EMU_END_HARDFAULT:     Cortex-M: an escalation with no recovery (above)
 * @UPROC_EMU_END_LOCKUP:        Cortex-M: a fault while entering a HardFault
 * @UPROC_EMU_END_WATCHDOG:      the host's watchdog: no heartbeat and not asleep
 * @UPROC_EMU_END_EMULATOR:      the emulator itself failed (its message is logged)
 * @UPROC_EMU_END_DEVICE:        a bad device access (wrong size, unknown register)
 */
enum uproc_emu_reason {
	UPROC_EMU_END_EXIT = 0,
	UPROC_EMU_END_READ_UNMAPPED = 1,
	UPROC_EMU_END_WRITE_UNMAPPED = 2,
	UPROC_EMU_END_FETCH_UNMAPPED = 3,
	UPROC_EMU_END_READ_PROT = 4,
	UPROC_EMU_END_WRITE_PROT = 5,
	UPROC_EMU_END_FETCH_PROT = 6,
	UPROC_EMU_END_UNALIGNED = 7,
	UPROC_EMU_END_UNDEFINED = 8,
	UPROC_EMU_END_BREAKPOINT = 9,
	UPROC_EMU_END_SYSCALL = 10,
	UPROC_EMU_END_HARDFAULT = 11,
	UPROC_EMU_END_LOCKUP = 12,
	UPROC_EMU_END_WATCHDOG = 13,
	UPROC_EMU_END_EMULATOR = 14,
	UPROC_EMU_END_DEVICE = 15,
};

/** uproc_emu_reason_name() - a short text for @reason ("unmapped read", ...). */
static inline const char *uproc_emu_reason_name(uint32_t reason)
{
	static const char *const names[] = {
		"exit", "unmapped read", "unmapped write", "unmapped fetch",
		"read of protected memory", "write to protected memory",
		"fetch from non-executable memory", "misaligned access", "undefined instruction",
		"breakpoint with no debugger", "system call", "HardFault", "lockup", "watchdog",
		"emulator failure", "bad device access",
	};
	return reason < sizeof(names) / sizeof(names[0]) ? names[reason] : "unknown";
}

#endif /* UPROC_EMULATED_H */
