/* SPDX-License-Identifier: MIT */
/*
 * uproc/native.h - the native core: a remote processor made of a host CPU.
 *
 * A native core is a child process running a freestanding x86-64 firmware. The host
 * forks and execs a small static-pie stub (uproc-native-stub) that maps the firmware's
 * memories at their device addresses, closes every other file, installs a seccomp
 * filter that allows only the doorbell reads and writes and exit, and jumps to the
 * firmware's entry point. A fault in the firmware kills that process only; the host
 * sees it through a pidfd in its event loop and reports a crash.
 *
 * This header has two parts:
 *   1. The host/core ABI (freestanding, used by the host backend and the firmware
 *      SDK): the memory map defaults, the control page and its doorbell mailboxes.
 *   2. The host API (hosted builds only): the backend's configuration and
 *      uproc_native_rproc_alloc(). Library: uproc_native.
 *
 * ---- Memory map (device addresses = the core's virtual addresses) ----------------
 *   0x00000000 - 0x000EFFFF  nothing: null pointers and small offsets fault
 *   0x000F0000 - 0x000F0FFF  control page (struct uproc_native_ctl)  UPROC_NATIVE_CTL_DA
 *   0x00100000 - 0x002FFFFF  firmware RAM: code, data, stack, trace  UPROC_NATIVE_RAM_DA
 *   0x10000000 - 0x1FFFFFFF  the host's window for memories whose da the resource
 *                            table leaves to the host (RPROC_RSC_ADDR_ANY): vrings,
 *                            vdev buffers, carveouts                 UPROC_NATIVE_WINDOW_DA
 * Firmware may also ask for carveouts at fixed addresses anywhere below 4 GiB that
 * does not overlap these. The stub itself is position independent and lives high.
 *
 * ---- Entry ------------------------------------------------------------------------
 * The stub jumps to e_entry with: rdi = the control page's address (device address),
 * rsi = the doorbell fd the core reads (host -> core), rdx = the doorbell fd the core
 * writes (core -> host), rsp = a 16-byte aligned stack of the stub that the firmware
 * should replace with its own. Allowed system calls: read(doorbell_in, ...),
 * write(doorbell_out, ...), exit, exit_group. Anything else kills the core (SIGSYS).
 *
 * ---- Doorbells --------------------------------------------------------------------
 * One eventfd each way, plus a mailbox per direction in the control page:
 *   sender:   set bit @notifyid in mbox->pending (atomic OR); if mbox->sleeping,
 *             write 1 to the eventfd (uproc_native_mbox_post() says whether).
 *   receiver: take the pending bits (atomic exchange with 0) and serve those
 *             virtqueues; to block, set sleeping, take the bits again, and only if
 *             none are pending read the eventfd (uproc_native_mbox_sleep()).
 * Every access is sequentially consistent, so a post either is seen by the take
 * that follows "sleeping = 1" or sees "sleeping" and rings the eventfd: no wake-up
 * is lost, and no system call is made while the peer is awake. Notifyids of 63 and
 * above all map to bit 63 ("serve every queue from 63 up"). A ring with no bits set
 * (a peer that only writes the eventfd) means "serve every queue".
 */
#ifndef UPROC_NATIVE_H
#define UPROC_NATIVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/shm.h"

/* ---- 1. host/core ABI (freestanding) ----------------------------------------------- */

#define UPROC_NATIVE_CTL_DA 0x000F0000u
#define UPROC_NATIVE_CTL_SIZE 0x1000u
#define UPROC_NATIVE_RAM_DA 0x00100000u
#define UPROC_NATIVE_RAM_SIZE 0x00200000u
#define UPROC_NATIVE_WINDOW_DA 0x10000000u
#define UPROC_NATIVE_WINDOW_SIZE 0x10000000u

/* "uprocNC1", little-endian. */
#define UPROC_NATIVE_CTL_MAGIC 0x31434e636f727075ull
#define UPROC_NATIVE_CTL_VERSION 1u

/* Bit of the mailbox that stands for every notifyid >= 63. */
#define UPROC_NATIVE_MBOX_HIGH 63u

/* uproc_native_ctl.stub_state: how far the stub got. */
enum uproc_native_stub_state {
	UPROC_NATIVE_STUB_CREATED = 0,	/* written by the host */
	UPROC_NATIVE_STUB_MAPPED = 1,	/* regions mapped at their device addresses */
	UPROC_NATIVE_STUB_RUNNING = 2,	/* sandboxed, jumped to the firmware */
};

/**
 * struct uproc_native_mbox - one direction's doorbell mailbox (one cache line).
 * @pending:   bit n: the virtqueue with notifyid n was kicked. Sender ORs, receiver
 *             exchanges with 0.
 * @sleeping:  the receiver is blocked on (or about to block on) the eventfd; written
 *             by the receiver only.
 * @doorbells: eventfd writes by the sender (statistics, written by the sender).
 */
struct uproc_native_mbox {
	uint64_t pending;
	uint32_t sleeping;
	uint32_t reserved;
	uint64_t doorbells;
	uint64_t pad[5];
};

/**
 * struct uproc_native_regs - the faulting thread's registers, in the order of
 * Linux's x86-64 struct user_regs_struct (and so of NT_PRSTATUS's pr_reg).
 */
struct uproc_native_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp, ss;
	uint64_t fs_base, gs_base, ds, es, fs, gs;
};

/* Registers an emulated core's record can hold (MIPS's pr_reg is the longest). */
#define UPROC_NATIVE_EMU_REGS 48

/**
 * struct uproc_native_emu_crash - the part of the crash record an emulated core
 * (uproc/emulated.h) fills in; all zero for a native core, whose registers are in
 * struct uproc_native_regs.
 * @machine:    the firmware's e_machine (EM_ARM, EM_RISCV, EM_MIPS)
 * @reason:     enum uproc_emu_reason: what ended the core
 * @pc, @addr:  the pc of the faulting instruction, the faulting address (0: none)
 * @nregs:      registers in @regs, in the order of that machine's Linux NT_PRSTATUS
 *              pr_reg (ARM: r0-r15, xpsr, orig_r0; RISC-V: pc, x1-x31; MIPS: 6 zero
 *              words, r0-r31, lo, hi, epc, badvaddr, status, cause), host byte order
 */
struct uproc_native_emu_crash {
	uint32_t machine;
	uint32_t reason;
	uint32_t pc;
	uint32_t addr;
	uint32_t nregs;
	uint32_t reserved;
	uint32_t regs[UPROC_NATIVE_EMU_REGS];
};

/**
 * struct uproc_native_crash - written by the stub's fault handler (SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP) before it exits with status 128 + signo, or by the
 * emulator of an emulated core (then @emu says what and where; @regs stays zero).
 * @valid: 1 once the record is complete (stored last, release).
 * Untrusted: the firmware can write here too; the host only reports these values.
 */
struct uproc_native_crash {
	uint32_t valid;
	uint32_t signo;
	int32_t code;
	uint32_t reserved;
	uint64_t addr;
	struct uproc_native_regs regs;
	struct uproc_native_emu_crash emu;
};

/**
 * struct uproc_native_ctl - the control page, mapped by the host anywhere and by
 * the core at UPROC_NATIVE_CTL_DA (or the configured address).
 * @magic, @version, @size, @cookie: written by the host before spawning; @cookie
 *             identifies one boot (it is also in the registry) so that a host that
 *             attaches later knows it found the right core.
 * @tsc_khz:   TSC frequency measured by the host (0 if unknown): the firmware's clock.
 * @spin_ns:   how long the core should spin on its rings before blocking.
 * @doorbell_in, @doorbell_out: the core's doorbell fds (as passed in rsi, rdx).
 * @stub_state: enum uproc_native_stub_state, written by the stub.
 * @host_epoch: incremented by a host each time it attaches to the running core (and
 *             followed by a kick): the firmware learns that a new host took over,
 *             whose buses know nothing yet, and announces its channels again.
 * @heartbeat: incremented by the firmware (the SDK's service loop and waits) to show
 *             it makes progress; the host's optional watchdog reads it.
 * @debug_fd:  emulated cores: the fd number, in the core's process, of the socket
 *             end a debugger takes (pidfd_getfd) to speak the gdb remote protocol to
 *             the core (uproc gdb); -1 when there is none. Written by the core.
 * @debug_state: 1 while a debugger holds the core stopped (the watchdog does not
 *             count it as hung), 0 otherwise. Written by the core.
 * @emu_machine, @emu_big_endian: an emulated core's firmware machine (e_machine) and
 *             byte order (1: big-endian), written by uproc-emu-core before it runs the
 *             firmware; 0 for a native core. A host attaching later learns from them
 *             how to read the running core's resource table.
 * @to_core:   host -> core mailbox; @to_host: core -> host mailbox.
 * @crash:     the fault record.
 * @error:     the stub's message when it fails before the jump.
 */
struct uproc_native_ctl {
	uint64_t magic;
	uint32_t version;
	uint32_t size;
	uint64_t cookie;
	uint64_t tsc_khz;
	uint64_t spin_ns;
	int32_t doorbell_in;
	int32_t doorbell_out;
	uint32_t stub_state;
	uint32_t host_epoch;
	uint64_t heartbeat;
	int32_t debug_fd;
	uint32_t debug_state;
	uint32_t emu_machine;
	uint32_t emu_big_endian;
	uint32_t reserved[12];
	struct uproc_native_mbox to_core;
	struct uproc_native_mbox to_host;
	struct uproc_native_crash crash;
	char error[256];
};

_Static_assert(sizeof(struct uproc_native_mbox) == 64, "mailbox is one cache line");
_Static_assert(sizeof(struct uproc_native_regs) == 27 * 8, "user_regs_struct layout");
_Static_assert(__builtin_offsetof(struct uproc_native_ctl, heartbeat) == 56, "heartbeat at 56");
_Static_assert(__builtin_offsetof(struct uproc_native_ctl, to_core) == 128, "to_core at 128");
_Static_assert(__builtin_offsetof(struct uproc_native_ctl, to_host) == 192, "to_host at 192");
_Static_assert(__builtin_offsetof(struct uproc_native_ctl, crash) == 256, "crash at 256");
_Static_assert(sizeof(struct uproc_native_ctl) <= UPROC_NATIVE_CTL_SIZE, "ctl fits its page");

/** uproc_native_mbox_bit() - the mailbox bit of virtqueue @notifyid. */
static inline uint64_t uproc_native_mbox_bit(unsigned int notifyid)
{
	return 1ull << (notifyid < UPROC_NATIVE_MBOX_HIGH ? notifyid : UPROC_NATIVE_MBOX_HIGH);
}

/**
 * uproc_native_mbox_post() - mark virtqueue @notifyid kicked in @mbox.
 * Returns true when the receiver may be asleep: the caller must then write its
 * eventfd (and may count it in @doorbells).
 */
static inline bool uproc_native_mbox_post(struct uproc_native_mbox *mbox, unsigned int notifyid)
{
	/* Pairs with the receiver's store of sleeping and its exchange of pending
	 * (uproc_native_mbox_sleep()): all seq_cst, so one of the two sees the other. */
	uproc_shm_fetch_or64(&mbox->pending, uproc_native_mbox_bit(notifyid), memory_order_seq_cst);
	return uproc_shm_load32(&mbox->sleeping, memory_order_seq_cst) != 0;
}

/** uproc_native_mbox_take() - take (and clear) every pending bit of @mbox. */
static inline uint64_t uproc_native_mbox_take(struct uproc_native_mbox *mbox)
{
	return uproc_shm_exchange64(&mbox->pending, 0, memory_order_seq_cst);
}

/**
 * uproc_native_mbox_sleep() - the receiver is about to block on its eventfd: set
 * @sleeping, then take the pending bits. If this returns non-zero the receiver must
 * not block (call uproc_native_mbox_awake() and serve the bits); if 0 it may block.
 */
static inline uint64_t uproc_native_mbox_sleep(struct uproc_native_mbox *mbox)
{
	uproc_shm_store32(&mbox->sleeping, 1, memory_order_seq_cst);
	return uproc_native_mbox_take(mbox);
}

/** uproc_native_mbox_awake() - the receiver runs: senders need not ring. */
static inline void uproc_native_mbox_awake(struct uproc_native_mbox *mbox)
{
	uproc_shm_store32(&mbox->sleeping, 0, memory_order_seq_cst);
}

/** uproc_native_mbox_peek() - are bits pending? (for spinning; takes nothing) */
static inline bool uproc_native_mbox_peek(const struct uproc_native_mbox *mbox)
{
	return uproc_shm_load64(&mbox->pending, memory_order_relaxed) != 0;
}

/* ---- 2. host API ---------------------------------------------------------------- */

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__

#include <sys/types.h>

struct rproc;
struct uproc_loop;

/* Longest core name (registry key), NUL excluded: [A-Za-z0-9._-], not starting with '.'. */
#define UPROC_NATIVE_NAME_MAX 63

/**
 * enum uproc_core_backend - what runs a firmware image.
 * @UPROC_BACKEND_AUTO:     chosen from the image's e_machine: x86-64 runs native, ARM
 *                          (Cortex-M), RISC-V (RV32) and MIPS (MIPS32, either byte
 *                          order) run emulated (uproc/emulated.h)
 * @UPROC_BACKEND_NATIVE:   a native core; any other machine is refused
 * @UPROC_BACKEND_EMULATED: an emulated core (uproc-emu-core on unicorn)
 */
enum uproc_core_backend {
	UPROC_BACKEND_AUTO = 0,
	UPROC_BACKEND_NATIVE = 1,
	UPROC_BACKEND_EMULATED = 2,
};

/**
 * uproc_backend_for_machine() - the backend that runs images of @e_machine with
 * ELF class @elf_class (1: 32-bit, 2: 64-bit), or UPROC_BACKEND_AUTO when none does.
 */
enum uproc_core_backend uproc_backend_for_machine(uint16_t e_machine, unsigned int elf_class);

/**
 * uproc_backend_check_file() - may @want run the firmware file @path? Reads its ELF
 * header only.
 * @msg: receives the reason on refusal ("FILE: machine NAME (e_machine N): no
 *       backend runs it (...)"), @len bytes (may be NULL)
 * Return: the backend that runs it (NATIVE or EMULATED); -ENOEXEC when refused,
 * -errno when the file cannot be read (the caller's own checks report those).
 */
int uproc_backend_check_file(const char *path, enum uproc_core_backend want, char *msg,
			     size_t len);

/**
 * struct uproc_native_config - how to build a native core. Fill it with
 * uproc_native_config_init(), then change what differs. Strings are copied by
 * uproc_native_rproc_alloc().
 * @name:        the core's name: the rproc's name and its registry key (required)
 * @ram_da:      where the firmware is linked (UPROC_NATIVE_RAM_DA)
 * @ram_size:    bytes of RAM the backend provides there, registered as carveout
 *               "ram" in prepare (UPROC_NATIVE_RAM_SIZE); 0: none (the firmware
 *               declares all its memory as carveouts)
 * @ctl_da:      where the core sees its control page (UPROC_NATIVE_CTL_DA)
 * @window_da, @window_size: where memories with da RPROC_RSC_ADDR_ANY are placed
 * @stub_path:   the stub executable; NULL: $UPROC_NATIVE_STUB, else the one of
 *               this library's installation (<prefix>/libexec/uproc, found from
 *               where the library or the program is installed; the build tree's
 *               library also finds the stub built with it)
 * @runtime_dir: uproc's runtime directory; the registry is its "native" folder.
 *               NULL: $UPROC_RUNTIME_DIR, else /run/uprocd (uprocd's default, the same for every host)
 * @cpu:         pin the core to this CPU, or -1 (default) for no pinning
 * @host_spin_ns: after a doorbell, how long the host keeps polling the mailbox
 *               before going back to its loop (default 20 us; 0: no spinning)
 * @core_spin_ns: how long the firmware spins before blocking (default 50 us)
 * @watchdog_ms: 0 (default): no watchdog. Otherwise, every @watchdog_ms the host
 *               checks that the firmware either sleeps on its doorbell or has moved
 *               its heartbeat (the SDK's loops do); a core that did neither is hung:
 *               the host makes it record its registers (SIGTRAP to the stub's
 *               handler, so the coredump shows where it hung) and reports an
 *               RPROC_WATCHDOG crash. A firmware is watched from its first
 *               heartbeat on (one that never beats is never judged), and a core
 *               stopped by a signal or a debugger is not hung, so it is safe to
 *               set for any firmware.
 * @outlive_host: false (default): the core dies with this process, however it
 *               dies (even SIGKILL: the kernel kills it), is written to no
 *               registry, cannot be detached, and rproc_add() refuses (-EEXIST)
 *               a name whose core another host left running rather than attach
 *               to it. true (a daemon): the core is recorded in the registry,
 *               keeps running when this host detaches or dies, and rproc_add()
 *               attaches to a core of its name left running by an earlier host.
 *               The parent-death signal follows the thread that boots the core:
 *               boot from a thread that lives as long as the core should.
 * @backend:     what runs the firmware (default UPROC_BACKEND_AUTO: by e_machine);
 *               start() refuses an image its backend does not run (-ENOEXEC)
 * @emu_path:    the emulated cores' program; NULL: $UPROC_EMU_CORE, else
 *               uproc-emu-core found as @stub_path is
 */
struct uproc_native_config {
	const char *name;
	uint64_t ram_da;
	uint64_t ram_size;
	uint64_t ctl_da;
	uint64_t window_da;
	uint64_t window_size;
	const char *stub_path;
	const char *runtime_dir;
	int cpu;
	uint32_t host_spin_ns;
	uint32_t core_spin_ns;
	uint32_t watchdog_ms;
	enum uproc_core_backend backend;
	const char *emu_path;
	bool outlive_host;
};

/** uproc_native_config_init() - fill @cfg with the defaults above, @name as its name. */
void uproc_native_config_init(struct uproc_native_config *cfg, const char *name);

/**
 * uproc_native_rproc_alloc() - a remote processor backed by a native core.
 * @loop:     the event loop that watches its doorbell and pidfd (not owned)
 * @cfg:      its configuration (copied)
 * @firmware: the firmware file (copied; may be NULL to set it later)
 *
 * The rproc's ops implement prepare (registers the RAM), start (spawns the stub),
 * stop (SIGKILL and reap), attach/detach (with @cfg->outlive_host, through the
 * registry of running cores in <runtime_dir>/native/<name>.core), kick, mem_alloc/mem_release (memfd-backed),
 * get_loaded_rsc_table, probe_running and coredump_notes (NT_PRSTATUS).
 * Register it with rproc_add(); free it with rproc_del() then rproc_free().
 *
 * A core's death (fault, forbidden call, exit) is reported with rproc_report_crash():
 * SIGSEGV/SIGBUS as RPROC_MMUFAULT, anything else as RPROC_FATAL_ERROR. One outliving
 * host at a time drives a core name in a runtime directory (an flock on <name>.lock, dropped
 * by the kernel when the host dies): another host's boot or attach gets -EBUSY.
 * Without a writable registry the core still runs but cannot be detached (-EINVAL).
 *
 * Locking: the lifecycle hooks add and remove the core's fds in @loop, so call the
 * rproc's lifecycle functions (boot, shutdown, detach, add, del) on the loop's
 * thread, or while no other thread dispatches @loop (uproc/loop.h's rule).
 *
 * Return: the rproc (OFFLINE), or NULL with errno set (EINVAL: bad name or
 * addresses; ENOMEM).
 */
struct rproc *uproc_native_rproc_alloc(struct uproc_loop *loop,
				       const struct uproc_native_config *cfg,
				       const char *firmware);

/** enum uproc_native_exit_kind - how the last core process ended. */
enum uproc_native_exit_kind {
	UPROC_NATIVE_EXIT_NONE = 0,	/* no core has ended yet */
	UPROC_NATIVE_EXIT_CODE = 1,	/* it exited with @status */
	UPROC_NATIVE_EXIT_SIGNAL = 2,	/* it was killed by signal @status */
	UPROC_NATIVE_EXIT_FAULT = 3,	/* the fault handler caught signal @status */
	UPROC_NATIVE_EXIT_UNKNOWN = 4,	/* not our child (attached): status unknown */
};

/**
 * struct uproc_native_exit - the end of a core process.
 * @kind, @status: see enum uproc_native_exit_kind
 * @stopped: the host stopped it (SIGKILL from stop()), not a crash
 * @pid: the process
 * @crash: the fault record, when @kind is UPROC_NATIVE_EXIT_FAULT
 */
struct uproc_native_exit {
	enum uproc_native_exit_kind kind;
	int status;
	bool stopped;
	pid_t pid;
	struct uproc_native_crash crash;
};

/**
 * uproc_native_last_exit() - how the last core of @rproc (a native rproc) ended.
 * Locking: call on the loop thread. Return: 0, or -EINVAL if @rproc is not native.
 */
int uproc_native_last_exit(struct rproc *rproc, struct uproc_native_exit *out);

/**
 * uproc_native_pid() - the running core's process id, or -ESRCH when none runs.
 */
pid_t uproc_native_pid(struct rproc *rproc);

/**
 * uproc_native_debugged() - whether the core of @rproc (native backend) is held
 * stopped by a debugger: an emulated core's gdb stub, or a tracer (gdbserver's
 * ptrace) or a stop signal on its process. Such a core is not hung; hosts waiting
 * on it wait on. Locking: none; the answer may change right after.
 * Return: true while stopped so.
 */
bool uproc_native_debugged(struct rproc *rproc);

/**
 * uproc_native_registry_list() - call @fn for every core recorded in the registry
 * under @runtime_dir (NULL: the default, as in struct uproc_native_config) whose
 * process still runs. Stale records are left alone.
 * Return: the number of cores listed, or -errno (-ENOENT: no registry yet gives 0).
 */
int uproc_native_registry_list(const char *runtime_dir,
			       void (*fn)(const char *name, pid_t pid, void *arg), void *arg);

/**
 * uproc_native_debug_open() - connect to the gdb remote protocol served by the
 * emulated core in process @pid (any host's: uproc run's, uprocd's): takes the core's
 * debugger socket with pidfd_getfd (same user, or CAP_SYS_PTRACE).
 * @err: receives a message on failure (@len bytes, may be NULL)
 * Return: a socket fd (close-on-exec) speaking the protocol, or -errno: -ESRCH no
 * such process or not a uproc core, -ENOTSUP a native core (no stub in it), -EPERM.
 */
int uproc_native_debug_open(pid_t pid, char *err, size_t len);

/**
 * uproc_native_debug_serve() - serve the gdb remote protocol of the core in process
 * @pid on @in (from the debugger) and @out (to it) until the debugger goes; blocks.
 * An emulated core's own stub is relayed (the core detaches when @in ends); a native
 * core is attached with ptrace by gdbserver (from $PATH, run as a child; the core is
 * detached when the session ends). Usable from any thread.
 * @err: receives a message on failure (@len bytes, may be NULL)
 * Return: 0 when the debugger left, or -errno (-ENOENT: a native core and no
 * gdbserver), as uproc_native_debug_open() otherwise.
 */
int uproc_native_debug_serve(pid_t pid, int in, int out, char *err, size_t len);

/**
 * uproc_native_debug_relay() - copy the gdb remote protocol both ways between a
 * debugger (@in from it, @out to it) and @core (a socket speaking the protocol: an
 * emulated core's stub, uprocd's debugger socket) until the debugger's side ends;
 * then ask @core to detach. Blocks. Does not close the fds.
 * Return: 0 when the debugger left, -errno when a side broke.
 */
int uproc_native_debug_relay(int core, int in, int out);

/**
 * uproc_native_registry_pid() - the process of the running core @name recorded in the
 * registry under @runtime_dir (NULL: the default). Return: the pid, or -ESRCH.
 */
pid_t uproc_native_registry_pid(const char *runtime_dir, const char *name);

#endif /* hosted */

#endif /* UPROC_NATIVE_H */
