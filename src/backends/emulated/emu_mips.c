// SPDX-License-Identifier: MIT
/* emu_mips.c - placeholder until this architecture lands. */
#include "emu.h"

static int setup(struct emu *emu, uint64_t entry)
{
	(void)emu;
	(void)entry;
	return UC_ERR_ARCH;
}

static bool deliver(struct emu *emu, uint32_t pc)
{
	(void)emu;
	(void)pc;
	return false;
}

static bool pending(struct emu *emu)
{
	(void)emu;
	return false;
}

static void regs(struct emu *emu, struct uproc_native_emu_crash *out)
{
	(void)emu;
	(void)out;
}

static uint32_t pc(struct emu *emu)
{
	(void)emu;
	return 0;
}

const struct emu_arch emu_arch_mips = {
	.name = "mips", .setup = setup, .deliver = deliver, .pending = pending, .regs = regs, .pc = pc,
};
