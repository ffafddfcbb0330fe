/* SPDX-License-Identifier: MIT */
/*
 * native_internal.h - the native core's host side, private declarations: memory
 * regions (memfds), the core process (spawn, doorbells, death, kill), the registry
 * of running cores (attach), and the coredump note. Used by native_rproc.c and by
 * the tests in tests/native/; never by users.
 *
 * Nothing here takes a lock: a struct native_core belongs to one thread at a time
 * (the rproc's loop thread, or the caller under the rproc's lifecycle lock).
 */
#ifndef UPROC_NATIVE_INTERNAL_H
#define UPROC_NATIVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "hostutil.h"
#include "uproc/native.h"

/* Region protection in the core (the host always maps read-write). */
#define NATIVE_PROT_R 0x1u
#define NATIVE_PROT_W 0x2u
#define NATIVE_PROT_X 0x4u
#define NATIVE_PROT_RW (NATIVE_PROT_R | NATIVE_PROT_W)
#define NATIVE_PROT_RWX (NATIVE_PROT_R | NATIVE_PROT_W | NATIVE_PROT_X)

#define NATIVE_REGION_NAME_MAX 32
#define NATIVE_MAX_REGIONS 48
#define NATIVE_ERR_MAX 320

/* The stub's exit status for a failure before the jump to the firmware. */
#define NATIVE_STUB_EXIT_SETUP 126

/**
 * struct native_region - a shared-memory object (memfd) the host maps anywhere and
 * the core maps at @da.
 * @name: its name (NUL-terminated)
 * @da:   device address (page-aligned)
 * @size: bytes (page multiple)
 * @prot: NATIVE_PROT_* in the core
 * @fd:   the memfd (close-on-exec), or -1
 * @va:   the host's mapping (read-write, shared), or NULL
 */
struct native_region {
	char name[NATIVE_REGION_NAME_MAX + 1];
	uint64_t da;
	size_t size;
	uint32_t prot;
	int fd;
	void *va;
};

/**
 * upi_native_region_create() - a new zero-filled memfd of @size bytes, mapped in the host.
 * @da and @size must be page-aligned and @size non-zero; [da, da + size) must lie in
 * the user address range above mmap_min_addr. The memfd is sealed against shrinking
 * and growing, so no holder can make the host's mapping fault.
 * Returns 0 or -errno.
 */
int upi_native_region_create(struct native_region *r, const char *name, uint64_t da, size_t size,
			 uint32_t prot);

/**
 * upi_native_region_adopt() - map an existing memfd @fd (taken from a running core) as
 * region @name at @da. Takes ownership of @fd (closed on failure too).
 * Returns 0, -EINVAL if the object is smaller than @size, or -errno.
 */
int upi_native_region_adopt(struct native_region *r, const char *name, int fd, uint64_t da,
			size_t size, uint32_t prot);

/** upi_native_region_destroy() - unmap and close; @r is reset. Safe on a reset region. */
void upi_native_region_destroy(struct native_region *r);

/** upi_native_region_reset() - mark @r empty (fd -1, va NULL) without touching resources. */
void upi_native_region_reset(struct native_region *r);

/** upi_native_regions_overlap() - do [a, a + alen) and [b, b + blen) intersect? */
bool upi_native_regions_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen);

/**
 * struct native_core - one core process as the host sees it.
 * @pid:       its process id (0 when none)
 * @pidfd:     pidfd, polls readable when it dies
 * @db_rx:     eventfd the host reads (core -> host), non-blocking
 * @db_tx:     eventfd the host writes (host -> core)
 * @core_db_in, @core_db_out: the doorbell fd numbers inside the core
 * @ctl_region: the control page (owned)
 * @ctl:       the control page's host mapping
 * @cookie:    this boot's identity (also in the control page and the registry)
 * @start_time: the process's start time (/proc/PID/stat field 22), for pid reuse
 * @is_child:  the process is this host's child (it can be reaped, its status read)
 */
struct native_core {
	pid_t pid;
	int pidfd;
	int db_rx;
	int db_tx;
	int core_db_in;
	int core_db_out;
	struct native_region ctl_region;
	struct uproc_native_ctl *ctl;
	uint64_t cookie;
	uint64_t start_time;
	bool is_child;
};

/* How long a new core's stub may take to reach the firmware by default. */
#define UPI_NATIVE_SPAWN_TIMEOUT_MS 5000u

/**
 * upi_native_proc_state() - the state letter of process @pid in /proc/PID/stat
 * ('R' running or runnable, 'S' asleep, 'T'/'t' stopped, ...), or 0 when unknown.
 */
char upi_native_proc_state(pid_t pid);

/**
 * struct native_spawn - what upi_native_core_spawn() needs.
 * @stub_path: the stub executable
 * @ctl_da:    where the core maps its control page
 * @regions:   @nregions regions to map (borrowed; their memfds stay open in the core)
 * @entry:     the firmware's entry point
 * @cpu:       CPU to pin to, or -1
 * @tsc_khz:   the TSC frequency to publish to the firmware (0: unknown)
 * @spin_ns:   how long the firmware should spin before blocking
 * @timeout_ms: how long to wait for the stub to reach the firmware (0: the default,
 *             UPI_NATIVE_SPAWN_TIMEOUT_MS)
 * @machine:   NULL for a native core; for an emulated one, the emulator's --machine
 *             ("arm", "riscv", "mips") and @stub_path is uproc-emu-core
 * @big_endian: the emulated firmware is big-endian
 * @die_with_host: the kernel kills the core when this process dies (the stub's
 *             parent-death signal), even by SIGKILL
 */
struct native_spawn {
	const char *stub_path;
	uint64_t ctl_da;
	const struct native_region *const *regions;
	unsigned int nregions;
	uint64_t entry;
	int cpu;
	uint64_t tsc_khz;
	uint64_t spin_ns;
	unsigned int timeout_ms;
	const char *machine;
	bool big_endian;
	bool die_with_host;
};

/**
 * upi_native_set_err() - format a failure message into @err (@errlen bytes), the
 * optional message buffer of upi_native_core_spawn() and upi_native_core_attach().
 * Does nothing when @err is NULL or @errlen is 0.
 */
void upi_native_set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** upi_native_core_init() - mark @core empty (no process, every fd -1). */
void upi_native_core_init(struct native_core *core);

/**
 * upi_native_core_spawn() - start a core: create its control page and doorbells, spawn
 * the stub (its own session, empty environment, signal mask and dispositions
 * reset), and wait until it has jumped to the firmware.
 * @err: receives a message on failure (@errlen bytes, may be NULL)
 * Returns 0; -ENOEXEC when the stub could not be run; -EADDRINUSE when a region
 * conflicts with the stub's own mappings; -ETIMEDOUT; -EIO for another stub failure
 * (its message in @err); or -errno. On failure nothing is left behind.
 */
int upi_native_core_spawn(struct native_core *core, const struct native_spawn *sp, char *err,
		      size_t errlen);

/**
 * upi_native_core_kill() - SIGKILL the core (pidfd_send_signal), wait for its death
 * (reaping it when it is our child), and release everything (upi_native_core_release).
 * @exit_out: receives how it ended (may be NULL).
 * Returns 0 or -errno. Safe on an empty core.
 */
int upi_native_core_kill(struct native_core *core, struct uproc_native_exit *exit_out);

/**
 * upi_native_core_reap() - after the pidfd polled readable: collect how the core ended
 * (reaping it when it is our child). Does not release anything.
 * Returns 1 when it has ended (@out filled), 0 while it still runs, or -errno.
 */
int upi_native_core_reap(struct native_core *core, struct uproc_native_exit *out);

/**
 * upi_native_core_take_regs() - make a running core record its registers in the crash
 * record and end, as a fault would (SIGTRAP: the stub's or the emulator's handler),
 * and wait up to @wait_ms for it to end. Runs on the loop thread: the wait is bounded
 * and a stopped core (a signal, a debugger) is not asked. Returns 0 once it ended,
 * -ESRCH when it was not asked, -ETIMEDOUT, or -errno. The caller still kills and
 * reaps it (upi_native_core_kill()).
 */
int upi_native_core_take_regs(struct native_core *core, int wait_ms);

/**
 * upi_native_helper_path() - the path of the core program @name (uproc-native-stub or
 * uproc-emu-core): the first that exists of the places native_paths.c lists, else
 * the configured installation's. Written into @buf (@len bytes); returns @buf, or
 * @name when even that does not fit.
 */
const char *upi_native_helper_path(const char *name, char *buf, size_t len);

/**
 * upi_native_core_release() - close the host's fds and unmap the control page, leaving
 * the process alone (detach, or after it died). @core is reset to empty.
 */
void upi_native_core_release(struct native_core *core);

/**
 * upi_native_core_signal() - send @sig to the core through its pidfd (SIGTRAP makes the
 * stub record the registers and end the core). Returns 0 or -errno.
 */
int upi_native_core_signal(struct native_core *core, int sig);

/**
 * upi_native_core_kick() - post @notifyid in the host -> core mailbox and ring the
 * doorbell if the core may be asleep. Returns 1 if the eventfd was written, 0 if
 * not needed, or -errno.
 */
int upi_native_core_kick(struct native_core *core, unsigned int notifyid);

/**
 * upi_native_core_take() - the host's doorbell handler: clear the eventfd and take the
 * pending bits of the core -> host mailbox. Returns the bits (0: a ring without bits:
 * serve every queue). It marks the host awake, so the core stops ringing: before the
 * host blocks on the doorbell again it must end with upi_native_core_spin_take(), which
 * marks it asleep (otherwise a wake-up is lost).
 */
uint64_t upi_native_core_take(struct native_core *core);

/**
 * upi_native_core_spin_take() - poll the core -> host mailbox for up to @spin_ns
 * nanoseconds (bounded; the host counts as awake meanwhile, so the core does not
 * ring), then mark the host asleep and take once more. Returns the bits found (0
 * when the host may go back to its loop and wait for the eventfd; the host is then
 * marked asleep).
 */
uint64_t upi_native_core_spin_take(struct native_core *core, uint64_t spin_ns);

/** upi_native_tsc_khz() - measure the TSC frequency (about 2 ms). Returns kHz or 0. */
uint64_t upi_native_tsc_khz(void);

/** upi_native_proc_start_time() - field 22 of /proc/@pid/stat. Returns 0 or -errno. */
int upi_native_proc_start_time(pid_t pid, uint64_t *out);

/* ---- registry of running cores ---------------------------------------------------- */

/**
 * struct native_record - what the registry keeps about one running core.
 * Region fds are the numbers inside the core's process (for pidfd_getfd).
 */
struct native_record {
	char name[UPROC_NATIVE_NAME_MAX + 1];
	pid_t pid;
	uint64_t start_time;
	uint64_t cookie;
	int core_db_in;
	int core_db_out;
	uint64_t entry;
	uint64_t rsc_da;
	uint64_t rsc_size;
	unsigned int nregions;
	struct native_region regions[NATIVE_MAX_REGIONS]; /* [0] is the control page */
	char firmware[256];
};

/** upi_native_name_valid() - [A-Za-z0-9._-]{1,UPROC_NATIVE_NAME_MAX}, not starting with '.'. */
bool upi_native_name_valid(const char *name);

/**
 * upi_native_registry_dir() - the registry folder: @runtime_dir (or $UPROC_RUNTIME_DIR,
 * or /run/uproc) + "/native". Returns 0 or -ENAMETOOLONG.
 */
int upi_native_registry_dir(const char *runtime_dir, char *buf, size_t len);

/**
 * upi_native_registry_write() - record @rec as <dir>/<name>.core (atomically: a temporary
 * file renamed over it), creating the folders (mode 0700). Returns 0 or -errno.
 */
int upi_native_registry_write(const char *dir, const struct native_record *rec);

/**
 * upi_native_registry_read() - read <dir>/<name>.core into @rec (regions with fd = the
 * core's fd numbers, va NULL). Returns 0, -ENOENT, or -EINVAL for a malformed record.
 */
int upi_native_registry_read(const char *dir, const char *name, struct native_record *rec);

/**
 * upi_native_registry_lock() - take the exclusive right to drive core @name: an flock on
 * <dir>/<name>.lock, held while a host runs or is attached to that core and released
 * by the kernel if the host dies. Returns the lock's fd, -EBUSY when another host
 * holds it, or -errno.
 */
int upi_native_registry_lock(const char *dir, const char *name);

/** upi_native_registry_unlock() - release a lock from upi_native_registry_lock() (fd < 0: none). */
void upi_native_registry_unlock(const char *dir, const char *name, int fd);

/** upi_native_registry_remove() - delete <dir>/<name>.core. Returns 0 or -errno. */
int upi_native_registry_remove(const char *dir, const char *name);

/**
 * upi_native_record_alive() - whether the core @rec records still runs: its process
 * exists, is the recorded one (start time) and has not ended. When it ended unreaped
 * and this process is its parent, it is reaped here and @how (@len bytes, may be
 * NULL) says how it ended; otherwise @how is left empty (not knowable).
 */
bool upi_native_record_alive(const struct native_record *rec, char *how, size_t len);

/**
 * upi_native_core_record() - fill @rec's identity fields (pid, start time, cookie,
 * doorbells, control page) from a running @core.
 */
void upi_native_core_record(const struct native_core *core, struct native_record *rec);

/**
 * upi_native_core_attach() - find the core @rec describes and take it over: open its
 * pidfd, check that the process is the same one (start time) and that its control
 * page carries the recorded cookie, take its doorbells and region memfds with
 * pidfd_getfd and map them. @regions receives rec->nregions - 1 mapped regions
 * (the control page excluded; it goes into @core).
 * Returns 0; -ESRCH when the process is gone or is another one (a stale record);
 * -EPROTO when it is the recorded process but its control page lost the recorded
 * magic or cookie; -EPERM when the kernel refuses pidfd_getfd; or -errno. Nothing
 * is left on failure.
 */
int upi_native_core_attach(struct native_core *core, const struct native_record *rec,
		       struct native_region *regions, char *err, size_t errlen);

/* ---- coredump ------------------------------------------------------------------- */

/**
 * upi_native_prstatus_note() - an ELF note NT_PRSTATUS ("CORE") for x86-64 built from
 * @ex (its registers, signal and pid). Writes into @buf when it is non-NULL and
 * @len is enough. Returns the note's size, or -ENOSPC.
 */
ssize_t upi_native_prstatus_note(const struct uproc_native_exit *ex, void *buf, size_t len);

/**
 * upi_native_emu_prstatus_note() - the NT_PRSTATUS note of an emulated core's end @ex:
 * the 32-bit Linux elf_prstatus of its machine (ex->crash.emu.machine), registers
 * in that machine's pr_reg order, in the firmware's byte order. Writes into @buf
 * when it is non-NULL and @len is enough. Returns the note's size, -ENOTSUP for
 * another machine, or -ENOSPC.
 */
ssize_t upi_native_emu_prstatus_note(const struct uproc_native_exit *ex, bool big_endian, void *buf,
				 size_t len);

/* ---- backend choice --------------------------------------------------------------- */

/**
 * upi_native_backend_choose() - the backend for an image of @e_machine / @elf_class when
 * @want is asked for. Returns UPROC_BACKEND_NATIVE or UPROC_BACKEND_EMULATED, or
 * -ENOEXEC with the refusal in @msg (naming @file, the machine and what runs what).
 */
int upi_native_backend_choose(enum uproc_core_backend want, uint16_t e_machine,
			  unsigned int elf_class, const char *file, char *msg, size_t len);

#endif /* UPROC_NATIVE_INTERNAL_H */
