// SPDX-License-Identifier: MIT
/*
 * emu_arm.c - the Cortex-M core (uproc/emulated.h, "Cortex-M"): reset from the
 * vector table, the System Control Space (SysTick, NVIC enable/pend, ICSR, VTOR),
 * and exception entry and return done here, as the architecture specifies them,
 * because unicorn has no NVIC: it reports SVC and the branch to an EXC_RETURN value
 * to the interrupt hook, and this file stacks and unstacks the frames.
 *
 * The emulated CPU stays in what QEMU calls thread mode (IPSR 0) while a handler
 * runs; the active exceptions are kept here (ICSR.VECTACTIVE shows the innermost)
 * and handlers always run on MSP (CONTROL.SPSEL is cleared on entry and restored by
 * the return).
 */
#include <elf.h>
#include <string.h>

#include "emu.h"

/* QEMU's exception numbers as unicorn's interrupt hook reports them. */
#define ARM_EXCP_UDEF 1
#define ARM_EXCP_SWI 2
#define ARM_EXCP_PREFETCH_ABORT 3
#define ARM_EXCP_DATA_ABORT 4
#define ARM_EXCP_BKPT 7
#define ARM_EXCP_EXCEPTION_EXIT 8
#define ARM_EXCP_NOCP 17
#define ARM_EXCP_INVSTATE 18
#define ARM_EXCP_UNALIGNED 22

#define SCS_DA 0xE000E000u
#define SCS_SIZE 0x1000u
#define ICSR_PENDSVSET (1u << 28)
#define ICSR_PENDSVCLR (1u << 27)
#define ICSR_PENDSTSET (1u << 26)
#define ICSR_PENDSTCLR (1u << 25)
#define CSR_ENABLE 1u
#define CSR_TICKINT 2u
#define CSR_COUNTFLAG (1u << 16)
#define CONTROL_SPSEL 2u
#define XPSR_ALIGN (1u << 9)

/* ---- SysTick ------------------------------------------------------------------------ */

static uint64_t syst_period_ns(const struct emu *emu)
{
	return ((uint64_t)(emu->arm.syst_rvr & 0xFFFFFF) + 1) * (1000000000u / UPROC_EMU_TICK_HZ);
}

static void syst_update(struct emu *emu)
{
	if (!(emu->arm.syst_csr & CSR_ENABLE) || !(emu->arm.syst_rvr & 0xFFFFFF))
		return;
	uint64_t now = upi_now_ns();
	if (now < emu->arm.syst_next)
		return;
	uint64_t period = syst_period_ns(emu);
	uint64_t late = now - emu->arm.syst_next;
	emu->arm.syst_start = now - late % period;
	emu->arm.syst_next = emu->arm.syst_start + period;
	emu->arm.syst_csr |= CSR_COUNTFLAG;
	if (emu->arm.syst_csr & CSR_TICKINT)
		emu->arm.pend_systick = true;
	emu_arm_alarm(emu, emu->arm.syst_next);
}

static void syst_restart(struct emu *emu)
{
	emu->arm.syst_start = upi_now_ns();
	emu->arm.syst_next = emu->arm.syst_start + syst_period_ns(emu);
	if ((emu->arm.syst_csr & CSR_ENABLE) && (emu->arm.syst_rvr & 0xFFFFFF))
		emu_arm_alarm(emu, emu->arm.syst_next);
}

/* ---- System Control Space ------------------------------------------------------------ */

static uint64_t scs_read(uc_engine *uc, uint64_t off, unsigned size, void *arg)
{
	struct emu *emu = arg;
	uint32_t da = SCS_DA + (uint32_t)off, v;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, da, false);
		return 0;
	}
	syst_update(emu);
	switch (da) {
	case UPROC_EMU_ARM_SYST_CSR:
		v = emu->arm.syst_csr;
		emu->arm.syst_csr &= ~CSR_COUNTFLAG;
		return v;
	case UPROC_EMU_ARM_SYST_RVR:
		return emu->arm.syst_rvr;
	case UPROC_EMU_ARM_SYST_CVR: {
		if (!(emu->arm.syst_csr & CSR_ENABLE))
			return 0;
		uint64_t now = upi_now_ns();
		uint64_t left = emu->arm.syst_next > now ? emu->arm.syst_next - now : 0;
		return (uint32_t)(left / (1000000000u / UPROC_EMU_TICK_HZ)) & 0xFFFFFF;
	}
	case UPROC_EMU_ARM_SYST_CALIB:
		return UPROC_EMU_TICK_HZ / 100u; /* TENMS */
	case UPROC_EMU_ARM_NVIC_ISER0:
	case UPROC_EMU_ARM_NVIC_ICER0:
		return emu->arm.nvic_en;
	case UPROC_EMU_ARM_NVIC_ISPR0:
	case UPROC_EMU_ARM_NVIC_ICPR0:
		return emu->arm.nvic_pend | emu_dev_poll(emu);
	case UPROC_EMU_ARM_SCB_CPUID:
		return 0x410FC241u;
	case UPROC_EMU_ARM_SCB_ICSR:
		v = emu->arm.nactive ? emu->arm.active[emu->arm.nactive - 1] : 0;
		if (emu->arm.pend_pendsv)
			v |= ICSR_PENDSVSET;
		if (emu->arm.pend_systick)
			v |= ICSR_PENDSTSET;
		return v;
	case UPROC_EMU_ARM_SCB_VTOR:
		return emu->arm.vtor;
	default:
		return 0;
	}
}

static void scs_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *arg)
{
	struct emu *emu = arg;
	uint32_t da = SCS_DA + (uint32_t)off, v = (uint32_t)value;
	(void)uc;

	if (size != 4 || (off & 3)) {
		emu_fault_access(emu, UPROC_EMU_END_DEVICE, da, true);
		return;
	}
	switch (da) {
	case UPROC_EMU_ARM_SYST_CSR: {
		bool was = emu->arm.syst_csr & CSR_ENABLE;
		emu->arm.syst_csr = (emu->arm.syst_csr & CSR_COUNTFLAG) | (v & 7u);
		if (!was && (v & CSR_ENABLE))
			syst_restart(emu);
		break;
	}
	case UPROC_EMU_ARM_SYST_RVR:
		emu->arm.syst_rvr = v & 0xFFFFFF;
		break;
	case UPROC_EMU_ARM_SYST_CVR:
		emu->arm.syst_csr &= ~CSR_COUNTFLAG;
		syst_restart(emu);
		break;
	case UPROC_EMU_ARM_NVIC_ISER0:
		emu->arm.nvic_en |= v & 3u;
		break;
	case UPROC_EMU_ARM_NVIC_ICER0:
		emu->arm.nvic_en &= ~v;
		break;
	case UPROC_EMU_ARM_NVIC_ISPR0:
		emu->arm.nvic_pend |= v & 3u;
		break;
	case UPROC_EMU_ARM_NVIC_ICPR0:
		emu->arm.nvic_pend &= ~v;
		break;
	case UPROC_EMU_ARM_SCB_ICSR:
		if (v & ICSR_PENDSVSET)
			emu->arm.pend_pendsv = true;
		if (v & ICSR_PENDSVCLR)
			emu->arm.pend_pendsv = false;
		if (v & ICSR_PENDSTSET)
			emu->arm.pend_systick = true;
		if (v & ICSR_PENDSTCLR)
			emu->arm.pend_systick = false;
		break;
	case UPROC_EMU_ARM_SCB_VTOR:
		emu->arm.vtor = v & ~0x7Fu;
		break;
	default:
		return;
	}
	emu->attention = 1;
}

/* ---- exception entry and return ------------------------------------------------------- */

static const int frame_regs[8] = {
	UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3,
	UC_ARM_REG_R12, UC_ARM_REG_LR, UC_ARM_REG_PC, UC_ARM_REG_XPSR,
};

/* Enter exception @n, to return to @ret_pc. Returns false when it ended the run. */
static bool enter(struct emu *emu, uint32_t n, uint32_t ret_pc)
{
	uint32_t frame[8], vector;
	uint32_t control = emu_rd(emu, UC_ARM_REG_CONTROL);
	bool thread = emu->arm.nactive == 0;
	bool on_psp = thread && (control & CONTROL_SPSEL);

	if (emu->arm.nactive >= sizeof(emu->arm.active) / sizeof(emu->arm.active[0])) {
		emu_fault(emu, UPROC_EMU_END_HARDFAULT, 0);
		return false;
	}
	for (int i = 0; i < 8; i++)
		frame[i] = emu_rd(emu, frame_regs[i]);
	frame[6] = ret_pc & ~1u;
	frame[7] &= ~0x1FFu; /* no IPSR in thread mode; the ALIGN bit is ours */
	frame[7] |= 1u << 24; /* Thumb */
	uint32_t sp = emu_rd(emu, UC_ARM_REG_SP) - 32;
	if (sp & 4) {
		sp -= 4;
		frame[7] |= XPSR_ALIGN;
	}
	if (uc_mem_write(emu->uc, sp, frame, sizeof(frame)) != UC_ERR_OK) {
		emu_fault(emu, n == UPROC_EMU_ARM_EXC_HARDFAULT ? UPROC_EMU_END_LOCKUP
								 : UPROC_EMU_END_HARDFAULT, sp);
		return false;
	}
	if (uc_mem_read(emu->uc, emu->arm.vtor + 4 * n, &vector, 4) != UC_ERR_OK ||
	    !(vector & 1) || vector < UPROC_EMU_RAM_DA) {
		emu_fault(emu, UPROC_EMU_END_HARDFAULT, emu->arm.vtor + 4 * n);
		return false;
	}
	emu_wr(emu, UC_ARM_REG_SP, sp);
	if (on_psp)
		emu_wr(emu, UC_ARM_REG_CONTROL, control & ~CONTROL_SPSEL);
	emu_wr(emu, UC_ARM_REG_LR, !thread ? 0xFFFFFFF1u : on_psp ? 0xFFFFFFFDu : 0xFFFFFFF9u);
	emu_wr(emu, UC_ARM_REG_PC, vector | 1);
	emu->arm.active[emu->arm.nactive++] = n;
	return true;
}

/* The firmware branched to EXC_RETURN value @exc. */
static void exception_return(struct emu *emu, uint32_t exc)
{
	uint32_t frame[8];
	uint32_t kind = exc & 0xF;

	if (!emu->arm.nactive || (kind != 1 && kind != 9 && kind != 0xD) ||
	    (kind == 1) != (emu->arm.nactive > 1)) {
		emu->fault_pc = exc;
		emu->fault_pc_valid = true;
		emu_fault(emu, UPROC_EMU_END_HARDFAULT, exc);
		return;
	}
	emu->arm.nactive--;
	if (kind == 0xD)
		emu_wr(emu, UC_ARM_REG_CONTROL, emu_rd(emu, UC_ARM_REG_CONTROL) | CONTROL_SPSEL);
	uint32_t sp = emu_rd(emu, UC_ARM_REG_SP);
	if (uc_mem_read(emu->uc, sp, frame, sizeof(frame)) != UC_ERR_OK) {
		emu_fault(emu, UPROC_EMU_END_HARDFAULT, sp);
		return;
	}
	for (int i = 0; i < 6; i++)
		emu_wr(emu, frame_regs[i], frame[i]);
	emu_wr(emu, UC_ARM_REG_XPSR_NZCVQG, frame[7]);
	emu_wr(emu, UC_ARM_REG_SP, sp + 32 + ((frame[7] & XPSR_ALIGN) ? 4 : 0));
	emu_wr(emu, UC_ARM_REG_PC, frame[6] | 1);
	emu->attention = 1; /* something else may be pending */
}

/* The pc here is right, the address is not known: the probe finds it (emu_where()). */
static void unaligned_where(struct emu *emu, uint32_t intno)
{
	struct emu_want want = { .intr = true, .intno = intno };

	if (emu->stop != EMU_STOP_FAULT) /* the first fault is the one reported */
		emu_where_later(emu, &want);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *arg)
{
	struct emu *emu = arg;
	uint32_t pc = emu_rd(emu, UC_ARM_REG_PC);

	switch (intno) {
	case ARM_EXCP_EXCEPTION_EXIT:
		exception_return(emu, pc | 1);
		return;
	case ARM_EXCP_SWI:
		enter(emu, UPROC_EMU_ARM_EXC_SVCALL, pc);
		return;
	case ARM_EXCP_BKPT:
		emu_fault(emu, UPROC_EMU_END_BREAKPOINT, 0);
		return;
	case ARM_EXCP_UDEF:
	case ARM_EXCP_NOCP:
	case ARM_EXCP_INVSTATE:
		emu_fault(emu, UPROC_EMU_END_UNDEFINED, pc);
		return;
	case ARM_EXCP_UNALIGNED:
		unaligned_where(emu, intno);
		emu_fault(emu, UPROC_EMU_END_UNALIGNED, 0);
		return;
	case ARM_EXCP_PREFETCH_ABORT:
		emu_fault(emu, UPROC_EMU_END_FETCH_UNMAPPED, pc);
		return;
	case ARM_EXCP_DATA_ABORT:
		/* Unmapped accesses were caught by the memory hook first (the first fault
		 * is the one kept): what reaches here is an alignment fault. */
		unaligned_where(emu, intno);
		emu_fault(emu, UPROC_EMU_END_UNALIGNED, 0);
		return;
	default:
		(void)uc;
		emu_fault(emu, UPROC_EMU_END_HARDFAULT, 0);
		return;
	}
}

/* ---- the arch ops --------------------------------------------------------------------- */

static uint32_t pending_irqs(struct emu *emu)
{
	return (emu->arm.nvic_pend | emu_dev_poll(emu)) & 3u;
}

static bool arm_pending(struct emu *emu)
{
	syst_update(emu);
	return emu->arm.pend_systick || emu->arm.pend_pendsv || pending_irqs(emu);
}

static bool arm_deliver(struct emu *emu, uint32_t pc)
{
	uint32_t n = 0;

	syst_update(emu);
	if (emu->arm.nactive || (emu_rd(emu, UC_ARM_REG_PRIMASK) & 1))
		return false;
	uint32_t irqs = pending_irqs(emu) & emu->arm.nvic_en;
	if (emu->arm.pend_pendsv)
		n = UPROC_EMU_ARM_EXC_PENDSV;
	else if (emu->arm.pend_systick)
		n = UPROC_EMU_ARM_EXC_SYSTICK;
	else if (irqs)
		n = UPROC_EMU_ARM_EXC_IRQ0 + (uint32_t)__builtin_ctz(irqs);
	else
		return false;
	if (n == UPROC_EMU_ARM_EXC_PENDSV)
		emu->arm.pend_pendsv = false;
	else if (n == UPROC_EMU_ARM_EXC_SYSTICK)
		emu->arm.pend_systick = false;
	else
		emu->arm.nvic_pend &= ~(1u << (n - UPROC_EMU_ARM_EXC_IRQ0));
	enter(emu, n, pc);
	return true;
}

static int arm_setup(struct emu *emu, uint64_t entry)
{
	uint32_t vec[2] = { 0, 0 };
	uc_hook h;
	uc_err e;

	emu->arm.vtor = UPROC_EMU_ARM_VTOR_RESET;
	e = uc_mmio_map(emu->uc, SCS_DA, SCS_SIZE, scs_read, emu, scs_write, emu);
	if (!e)
		e = uc_hook_add(emu->uc, &h, UC_HOOK_INTR, (void *)on_intr, emu, 1, 0);
	if (e)
		return (int)e;
	uc_mem_read(emu->uc, emu->arm.vtor, vec, sizeof(vec));
	if (!(vec[1] & 1) || vec[1] < UPROC_EMU_RAM_DA)
		vec[1] = (uint32_t)entry | 1; /* no vector table: start at e_entry */
	emu_wr(emu, UC_ARM_REG_MSP, vec[0]);
	emu_wr(emu, UC_ARM_REG_SP, vec[0]);
	emu_wr(emu, UC_ARM_REG_PC, vec[1]);
	return 0;
}

const struct emu_arch emu_arch_arm = {
	.name = "Cortex-M",
	.setup = arm_setup,
	.deliver = arm_deliver,
	.pending = arm_pending,
	.regs = &emu_regs_arm,
	.pc_reg = UC_ARM_REG_PC,
};
