/* SPDX-License-Identifier: MIT */
/*
 * emu.h - uproc-emu-core, the process of an emulated core: private declarations
 * shared by its files (main loop, devices, one file per architecture, sandbox).
 *
 * One thread. The emulator runs the firmware inside uc_emu_start(); everything the
 * host or the clock changes while it runs is noticed by the block hook through
 * emu.attention (set by the alarm signal) and the host's mailbox bits.
 */
#ifndef UPROC_EMU_H
#define UPROC_EMU_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "uproc/emulated.h"
#include "hostutil.h"
#include "uproc/native.h"

#define EMU_MAX_REGIONS 49

struct emu;

/* Register ids beside unicorn's: values the emulator keeps itself. */
enum {
	EMU_REG_NONE = -1,     /* reads 0, writes are ignored */
	EMU_REG_BADVADDR = -2, /* emu.badvaddr */
	EMU_REG_CAUSE = -3,    /* emu.cause */
};

/**
 * struct emu_reg - one register and its places in the layouts the core shows.
 * @uc:   unicorn's id, or an EMU_REG_* id
 * @gdb:  its place in the gdb 'g' packet (the target description's order)
 * @core: its word in the coredump's NT_PRSTATUS pr_reg, -1: not there
 */
struct emu_reg {
	int uc;
	int8_t gdb;
	int8_t core;
};

/**
 * struct emu_regs - an architecture's register table (emu_regs.c).
 * @reg, @n: the registers; places no register takes read as 0
 * @ngdb:    registers in the 'g' packet
 * @ncore:   words of pr_reg
 * @core_pc: pr_reg's word for the pc (MIPS: EPC)
 */
struct emu_regs {
	const struct emu_reg *reg;
	unsigned int n;
	unsigned int ngdb, ncore;
	unsigned int core_pc;
};

extern const struct emu_regs emu_regs_arm;
extern const struct emu_regs emu_regs_riscv;
extern const struct emu_regs emu_regs_mips;

/**
 * struct emu_arch - one architecture's part.
 * @name:     for messages
 * @setup:    open-time work after the memories are mapped (devices, hooks, reset)
 * @deliver:  take an asserted, enabled, unmasked interrupt now (from the block hook,
 *            @pc the next instruction); returns true when it changed the pc
 * @pending:  optional: exceptions of the core's own waiting (WFI's wake-up
 *            condition besides the devices' lines)
 * @fault:    optional, at the end of a faulting run, before the registers are
 *            recorded: complete what the hooks could not know (MIPS: BadVAddr)
 * @regs:     the register table
 * @pc_reg:   unicorn's id of the program counter
 */
struct emu_arch {
	const char *name;
	int (*setup)(struct emu *emu, uint64_t entry);
	bool (*deliver)(struct emu *emu, uint32_t pc);
	bool (*pending)(struct emu *emu);
	void (*fault)(struct emu *emu);
	const struct emu_regs *regs;
	int pc_reg;
};

extern const struct emu_arch emu_arch_arm;
extern const struct emu_arch emu_arch_riscv;
extern const struct emu_arch emu_arch_mips;

/**
 * struct emu_want - what the faulting instruction did (emu_where()).
 * @intr:   it raised exception @intno (unicorn's interrupt hook number)
 * @write:  else it accessed @addr, a store when @write
 */
struct emu_want {
	bool intr;
	uint32_t intno;
	bool write;
	uint32_t addr;
};

/* Why uc_emu_start() returned (set by hooks before uc_emu_stop()). */
enum emu_stop {
	EMU_STOP_NONE = 0, /* WFI / wait (or a plain return) */
	EMU_STOP_FAULT,	   /* emu.reason, emu.fault_addr, emu.fault_pc */
	EMU_STOP_EXIT,	   /* the firmware wrote EXIT */
	EMU_STOP_RESUME,   /* a hook changed the state: just run again */
	EMU_STOP_DEBUG,	   /* a debugger's breakpoint was hit */
};

struct emu {
	uc_engine *uc;
	const struct emu_arch *arch;
	uint16_t machine;   /* EM_ARM, EM_RISCV, EM_MIPS */
	bool big_endian;
	struct uproc_native_ctl *ctl;
	int db_in, db_out;
	uint64_t start_ns;

	volatile sig_atomic_t attention; /* the alarm went off, or the watchdog's SIGTRAP */
	volatile sig_atomic_t dump;	 /* SIGTRAP: record where we are and end */
	volatile sig_atomic_t debug_req; /* the debugger sent something (SIGIO) */
	timer_t alarm;
	bool alarm_ok;
	uint64_t alarm_at; /* the deadline the alarm is set for (0: none) */

	enum emu_stop stop;
	uint32_t reason; /* enum uproc_emu_reason */
	uint32_t fault_addr;
	uint32_t fault_pc;
	bool fault_pc_valid;
	/* The block running (the block hook's), and a fault whose pc is still to find */
	uint32_t block_start, block_size;
	bool where_pending;
	struct emu_want where;
	/* MIPS CP0 BadVAddr and Cause as the fault would have set them (the coredump's) */
	uint32_t badvaddr, cause;
	/*
	 * Where a hook stopped the run (a block's or a breakpoint's address): unicorn
	 * 2.0 does not write the pc back when uc_emu_stop() ends a chain of translated
	 * blocks, so the pc register can still hold an older value; the run resumes here.
	 */
	uint32_t stop_pc;
	bool stop_pc_valid;
	int exit_code;

	/* mailbox device */
	uint32_t pending; /* PENDING as the firmware sees it */
	uint32_t irq_en;
	uint32_t now_hi, mtime_hi;

	/* timer device */
	uint64_t mtimecmp; /* us */

	/* Cortex-M */
	struct {
		uint32_t vtor;
		uint32_t nvic_en, nvic_pend;
		uint32_t syst_csr, syst_rvr;
		uint64_t syst_start, syst_next; /* ns of the current period's start, next wrap */
		bool pend_systick, pend_pendsv;
		uint32_t active[8]; /* stack of active exception numbers */
		unsigned int nactive;
	} arm;
	struct {
		uint32_t tramp[16];
	} mips;
};

/* ---- emu_main.c ---- */
/** emu_open_engine() - a unicorn engine of @emu's CPU, nothing mapped. Returns a uc_err. */
uc_err emu_open_engine(const struct emu *emu, uc_engine **uc);
/** emu_fault() - end the run with @reason at @addr (from a hook). */
void emu_fault(struct emu *emu, uint32_t reason, uint32_t addr);
/**
 * emu_fault_access() - emu_fault() from a memory or device hook, for a data access
 * (@write: a store): the faulting instruction is found when the run has ended.
 */
void emu_fault_access(struct emu *emu, uint32_t reason, uint32_t addr, bool write);
/** emu_reason_access() - @reason is an unmapped or protected access. */
bool emu_reason_access(uint32_t reason);
/** emu_arm_alarm() - make sure the alarm goes off at @deadline_ns (monotonic) or before. */
void emu_arm_alarm(struct emu *emu, uint64_t deadline_ns);
/**
 * emu_stop_at() - from a hook: end uc_emu_start() before the instruction at @pc runs,
 * for @why; the main loop puts @pc back in the pc register (see emu.stop_pc).
 */
void emu_stop_at(struct emu *emu, enum emu_stop why, uint32_t pc);
/** emu_pc() - the current pc (Thumb bit clear). */
uint32_t emu_pc(struct emu *emu);
/** emu_set_pc() - set the pc (Cortex-M: in Thumb state). */
void emu_set_pc(struct emu *emu, uint32_t pc);

/* ---- emu_regs.c ---- */
/** emu_rd() - unicorn's register @reg, as unicorn has it. */
uint32_t emu_rd(struct emu *emu, int reg);
/** emu_wr() - set unicorn's register @reg. */
void emu_wr(struct emu *emu, int reg, uint32_t v);
/** emu_reg_read() - register @id (unicorn's or EMU_REG_*), as gdb and the dump show it. */
uint32_t emu_reg_read(struct emu *emu, int id);
/** emu_reg_write() - set register @id (EMU_REG_* and RISC-V x0: ignored). */
void emu_reg_write(struct emu *emu, int id, uint32_t v);
/** emu_reg_at() - the register at place @gdb of the 'g' packet, or NULL (reads 0). */
const struct emu_reg *emu_reg_at(const struct emu_regs *regs, unsigned int gdb);
/**
 * emu_regs_core() - fill the crash record's registers (NT_PRSTATUS pr_reg order) and
 * its pc: the faulting instruction's when a hook knew it.
 */
void emu_regs_core(struct emu *emu, struct uproc_native_emu_crash *out);

/* ---- emu_where.c ---- */
/**
 * emu_where() - find the instruction of the block running (emu.block_start) that
 * does what @want says from the registers as they are now, without running
 * anything on the core. Returns true with its address in @pc, and in @addr the first
 * data address it touches, if it touches any (@addr is left alone otherwise).
 */
bool emu_where(struct emu *emu, const struct emu_want *want, uint32_t *pc, uint32_t *addr);
/**
 * emu_where_later() - from a hook: the pc unicorn shows is not the faulting
 * instruction's; find it with emu_where() when the run has ended.
 */
void emu_where_later(struct emu *emu, const struct emu_want *want);

/* ---- emu_dev.c ---- */
/** emu_dev_map() - map the mailbox and timer devices. Returns 0 or a uc_err. */
int emu_dev_map(struct emu *emu);
/** emu_dev_poll() - take the host's bits into PENDING; returns the asserted lines. */
uint32_t emu_dev_poll(struct emu *emu);
/** emu_dev_deadline() - the next timer deadline (ns), or UINT64_MAX. */
uint64_t emu_dev_deadline(const struct emu *emu);
/** emu_us() - the timer device's mtime. */
uint64_t emu_us(const struct emu *emu);

/* ---- emu_gdb.c ---- */
/**
 * emu_gdb_setup() - make the debugger's socket pair; the peer end's number goes to
 * the control page (debug_fd) and to @peer_fd. Returns our end's fd or -errno.
 */
int emu_gdb_setup(struct emu *emu, int *peer_fd);
/** emu_gdb_fd() - our end of the debugger's socket, or -1. */
int emu_gdb_fd(void);
/**
 * emu_gdb_stopped() - the core is stopped for the debugger (@report: at one of its
 * breakpoints, else because it sent something): serve packets until it continues,
 * steps past a fault or detaches.
 */
void emu_gdb_stopped(struct emu *emu, bool report);

/* ---- emu_seccomp.c ---- */
int emu_sandbox(void);

#endif /* UPROC_EMU_H */
