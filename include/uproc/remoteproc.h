/* SPDX-License-Identifier: MIT */
/*
 * uproc/remoteproc.h - the remote processor core: lifecycle, resources, crash,
 * recovery, coredump, subdevices; and the backend interface (struct rproc_ops).
 *
 * Names and semantics follow Linux's remoteproc (docs: linux-compat.md). The core
 * never includes a backend: a backend (the native core, later emulated cores or a
 * SoC's driver) fills a const struct rproc_ops and calls rproc_alloc().
 *
 * Threading: loop-affine, as libuv. A processor belongs to the loop given to
 * rproc_alloc(), and every rproc_* function runs on that loop's thread (the one
 * that created the loop or last dispatched it; uproc/loop.h): the core takes no
 * lock. Debug builds (no NDEBUG) check it at every entry point and abort with the
 * function's name when called elsewhere; release builds do not check. Another
 * thread reaches a processor with uproc_loop_call(), which runs a function on the
 * loop thread and waits for it. The exceptions, callable from any thread:
 * rproc_get_name() and rproc_get_loop() (fixed at allocation), and
 * rproc_report_crash()/rproc_report_crash_reason() (a report made elsewhere hops
 * to the loop). The backend's
 * ops run on the loop thread too, except ops->kick, which a blocking rpmsg sender
 * on another thread may call (uproc/rpmsg.h).
 *
 * Callbacks (notifiers, subdevices, vdev hooks, rpmsg endpoints of the host's
 * buses) run on the loop thread with no uproc lock held. Recovery runs as deferred
 * work on the loop. A callback that runs inside a lifecycle call (boot, shutdown,
 * detach, recover, del) or inside the handling of a kick may call any getter or
 * attribute setter, but a lifecycle call of the same rproc from there returns
 * -EDEADLK: defer it to the loop (uproc_loop_defer()).
 */
#ifndef UPROC_REMOTEPROC_H
#define UPROC_REMOTEPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uproc/port.h"
#include "uproc/shm.h"

struct rproc;
struct uproc_loop;
struct uproc_fw;
struct rpmsg_virtio_device;
struct rpmsg_channel_info;

/** enum rproc_state - Linux's states, with Linux's numbers. */
enum rproc_state {
	RPROC_OFFLINE = 0,
	RPROC_SUSPENDED = 1,
	RPROC_RUNNING = 2,
	RPROC_CRASHED = 3,
	RPROC_DELETED = 4,
	RPROC_ATTACHED = 5,
	RPROC_DETACHED = 6,
	RPROC_LAST = 7,
};

/** enum rproc_crash_type - as debugfs "crash" takes them: 0, 1, 2. */
enum rproc_crash_type {
	RPROC_MMUFAULT = 0,
	RPROC_WATCHDOG = 1,
	RPROC_FATAL_ERROR = 2,
};

/** enum rproc_dump_mechanism - the coredump attribute. */
enum rproc_dump_mechanism {
	RPROC_COREDUMP_DISABLED = 0,
	RPROC_COREDUMP_ENABLED = 1,
	RPROC_COREDUMP_INLINE = 2,
};

/**
 * struct rproc_mem_entry - a memory region the remote sees (carveout, vring, buffer
 * area, backend RAM). Public fields are read-only once registered.
 * @va:    where the host has it mapped
 * @da:    the device address the remote uses
 * @len:   length in bytes
 * @name:  e.g. "vdev0vring0", "vdev0buffer", "ram", or the carveout's name
 * @fd:    the backend's handle for sharing it (native core: a memfd), or -1
 * @priv:  the backend's
 */
struct rproc_mem_entry {
	void *va;
	uint64_t da;
	size_t len;
	char name[32];
	int fd;
	void *priv;
	/* private to the core */
	struct rproc_mem_entry *next;
	bool registered_by_backend;
	bool allocated;		/* backed by mem_alloc (or registered with a va) */
	bool has_rsc;		/* tied to the carveout entry at rsc_offset */
	uint32_t rsc_offset;
	uint32_t flags;
};

/**
 * struct rproc_ops - what a backend provides. Optional hooks may be NULL; the core
 * checks before calling (a missing mandatory hook makes rproc_alloc() fail -EINVAL).
 * @prepare:   before loading: register backend memories (rproc_add_carveout()).
 * @unprepare: undo prepare.
 * @start:     (mandatory) start the remote at rproc_get_boot_addr().
 * @stop:      (mandatory) stop the remote.
 * @attach:    attach to a remote already running (state DETACHED before the call);
 *             register its memories; the core then reads the loaded table.
 * @detach:    leave the remote running and let go of it.
 * @kick:      (mandatory) ring the remote's doorbell for virtqueue @vqid (notifyid).
 *             The one hook called from any thread (a blocking rpmsg sender).
 * @da_to_va:  translate a device address range the core's carveout list doesn't
 *             cover; NULL if not translatable.
 * @handle_rsc: a vendor resource (types 128..512): RPROC_RSC_HANDLED, RPROC_RSC_IGNORED or -errno.
 * @mem_alloc: back @mem (len, name, da set; da may be RPROC_RSC_ADDR_ANY: choose one)
 *             with memory shared with the remote; set va, da, fd. Mandatory for any
 *             backend whose memory the core must allocate (carveouts, vrings).
 * @mem_release: undo mem_alloc.
 * @get_loaded_rsc_table: when attaching, the table the running remote uses (its
 *             device-memory copy) and its size; the core copies and validates it.
 * @probe_running: called by rproc_add(): 1 if a remote is already running and should
 *             be attached rather than booted, 0 if not, or -errno. A backend that
 *             finds the remote an earlier host left running has ended since,
 *             unseen, reports it with rproc_report_crash_reason() from here and
 *             returns 0: the crash is counted, and the processor is set up
 *             CRASHED (stopped, no coredump) and recovered or left so as for any
 *             crash.
 * @coredump_notes: write the PT_NOTE contents for a coredump (e.g. NT_PRSTATUS with
 *             the faulting thread's registers) into @buf; returns bytes written,
 *             the size needed if @buf is NULL, or -errno. Optional.
 */
struct rproc_ops {
	int (*prepare)(struct rproc *rproc);
	int (*unprepare)(struct rproc *rproc);
	int (*start)(struct rproc *rproc);
	int (*stop)(struct rproc *rproc);
	int (*attach)(struct rproc *rproc);
	int (*detach)(struct rproc *rproc);
	void (*kick)(struct rproc *rproc, int vqid);
	void *(*da_to_va)(struct rproc *rproc, uint64_t da, size_t len, bool *is_iomem);
	int (*handle_rsc)(struct rproc *rproc, uint32_t rsc_type, void *rsc, int offset,
			  int avail);
	int (*mem_alloc)(struct rproc *rproc, struct rproc_mem_entry *mem);
	int (*mem_release)(struct rproc *rproc, struct rproc_mem_entry *mem);
	void *(*get_loaded_rsc_table)(struct rproc *rproc, size_t *size);
	int (*probe_running)(struct rproc *rproc);
	ssize_t (*coredump_notes)(struct rproc *rproc, void *buf, size_t len);
};

/* ---- allocation and registration ------------------------------------------------ */

/**
 * rproc_alloc() - allocate a remote processor.
 * @name:     its name (copied)
 * @ops:      the backend's ops (not copied: must outlive the rproc)
 * @firmware: firmware path or name (copied), may be NULL
 * @priv_len: bytes of backend-private storage to allocate with it (rproc_priv())
 * @loop:     the event loop it lives on (not owned)
 * Returns the rproc (state OFFLINE) or NULL on allocation failure or bad ops.
 * Free with rproc_free() after rproc_del().
 */
struct rproc *rproc_alloc(const char *name, const struct rproc_ops *ops, const char *firmware,
			  size_t priv_len, struct uproc_loop *loop);

/** rproc_priv() - the backend-private storage of @rproc. */
void *rproc_priv(struct rproc *rproc);

/** rproc_get_loop() - the event loop of @rproc. */
struct uproc_loop *rproc_get_loop(struct rproc *rproc);

/**
 * rproc_add() - register @rproc: calls ops->probe_running and, if the remote already
 * runs, attaches to it; otherwise boots it when auto-boot is set.
 * Returns 0 or -errno. On failure @rproc is left unregistered (it may still be
 * booted or added again, and freed without rproc_del()); a remote found running
 * whose attach failed stays RPROC_DETACHED.
 */
int rproc_add(struct rproc *rproc);

/** rproc_del() - shut down or detach as needed and unregister. Returns 0 or -errno. */
int rproc_del(struct rproc *rproc);

/** rproc_free() - free an rproc allocated by rproc_alloc(). */
void rproc_free(struct rproc *rproc);

/* ---- lifecycle ------------------------------------------------------------------ */

/**
 * rproc_boot() - power up (refcounted). The first call loads the firmware, handles
 * the resource table, starts the remote and its vdevs, or attaches if DETACHED.
 * Returns 0 or -errno (with a message in rproc_last_error()).
 */
int rproc_boot(struct rproc *rproc);

/**
 * rproc_shutdown() - drop a power reference; the last one stops the remote and
 * releases its resources. Accepts RUNNING and ATTACHED (an attached remote is
 * stopped, as Linux) and also CRASHED (a crash waiting for recovery, or left by
 * disabled recovery, is stopped for good; Linux refuses that one). Returns 0, or
 * -EINVAL in any other state (message in rproc_last_error()).
 */
int rproc_shutdown(struct rproc *rproc);

/**
 * rproc_detach() - drop a power reference; the last one detaches, leaving the
 * remote running (ops->detach), its vrings live for the next host. -EINVAL unless
 * ATTACHED (or RUNNING with rproc_set_detach_running()) and the backend can detach.
 */
int rproc_detach(struct rproc *rproc);

/**
 * rproc_report_crash() - report a crash (from a backend, a watchdog, a broken ring
 * or debugfs). Only the first report counts while CRASHED; recovery, if enabled,
 * runs as deferred work on the loop. Any thread: off the loop thread the report
 * is deferred to the loop (with a reference on @rproc) and counted there.
 */
void rproc_report_crash(struct rproc *rproc, enum rproc_crash_type type);

/* Crashes of the same fault in a row, each before the remote kicked a queue, that
 * end automatic recovery (a crash loop). */
#define RPROC_CRASH_LOOP_MAX 5

/**
 * rproc_report_crash_reason() - rproc_report_crash() with what the backend knows of
 * the fault: @reason is one line (e.g. "signal 11 at rip 0x10234, address 0"; NULL
 * or "": none), kept until the next crash (rproc_get_crash_reason()).
 * A crash with the same type and reason as the one before, reported before the
 * remote kicked any virtqueue since it was (re)started, continues a crash loop:
 * the RPROC_CRASH_LOOP_MAX-th in a row ends automatic recovery (the processor stays
 * CRASHED, rproc_last_error() says "crash loop: the same fault N times in a row"
 * and the fault). rproc_recover() and a boot start counting again.
 * Any thread, as rproc_report_crash() (@reason is copied before the hop).
 */
void rproc_report_crash_reason(struct rproc *rproc, enum rproc_crash_type type,
			       const char *reason);

/**
 * rproc_vq_interrupt() - the remote kicked virtqueue @notifyid (backends call this
 * from their doorbell handler). Returns 0, or -ENOENT for an unknown notifyid.
 */
int rproc_vq_interrupt(struct rproc *rproc, int notifyid);

/* ---- attributes (sysfs semantics) ---------------------------------------------- */

/**
 * rproc_get_state() - the current state (sysfs "state"). While
 * recovery waits for an inline coredump to be released the processor is stopped
 * and this reads RPROC_OFFLINE, as Linux's state does (rproc_is_recovering() is
 * true meanwhile).
 */
enum rproc_state rproc_get_state(struct rproc *rproc);
/** rproc_state_string() - "offline", "running", ... or "invalid". */
const char *rproc_state_string(enum rproc_state state);
/** rproc_get_name() - the name given to rproc_alloc(); valid as long as @rproc. Any thread. */
const char *rproc_get_name(struct rproc *rproc);
/** rproc_get_firmware() - copies the firmware name into @buf. Returns its length. */
size_t rproc_get_firmware(struct rproc *rproc, char *buf, size_t len);
/** rproc_set_firmware() - -EBUSY unless OFFLINE, -EINVAL if empty; cut at a newline. */
int rproc_set_firmware(struct rproc *rproc, const char *firmware);
/** rproc_set_recovery() - enable/disable automatic recovery (Linux's "recovery"). */
void rproc_set_recovery(struct rproc *rproc, bool enabled);
/** rproc_get_recovery() - true when automatic recovery is enabled. */
bool rproc_get_recovery(struct rproc *rproc);
/**
 * rproc_set_recovery_limit() - at most @burst automatic recoveries within a window
 * of @interval_ms that opens with the first of them (systemd's StartLimitBurst= in
 * StartLimitIntervalSec=); a crash beyond it ends automatic recovery: the processor
 * stays CRASHED and rproc_last_error() says "recovery limit: N recoveries within S
 * s, then this crash (...)". @burst 0 (the default): no limit. rproc_recover() and
 * a boot open a new window. Returns 0, or -EINVAL for a burst without an interval.
 * Loop thread.
 */
int rproc_set_recovery_limit(struct rproc *rproc, unsigned int burst, uint32_t interval_ms);
/** rproc_get_recovery_limit() - the limit set by rproc_set_recovery_limit(). Loop thread. */
void rproc_get_recovery_limit(struct rproc *rproc, unsigned int *burst, uint32_t *interval_ms);
/** rproc_recover() - one-shot recovery of a CRASHED remote ("recover"). */
int rproc_recover(struct rproc *rproc);
/** rproc_set_coredump() - -EBUSY while CRASHED. */
int rproc_set_coredump(struct rproc *rproc, enum rproc_dump_mechanism mech);
/** rproc_get_coredump() - the coredump mechanism (sysfs "coredump"). */
enum rproc_dump_mechanism rproc_get_coredump(struct rproc *rproc);
/**
 * struct rproc_boot_phases - where the last boot from firmware spent its time, in
 * nanoseconds: @prepare the backend's prepare; @read reading the file; @parse
 * checking the image and caching its resource table; @map handling the resources
 * and allocating the memories; @copy loading the segments; @start the subdevices
 * and the backend's start (the remote runs from there on).
 */
struct rproc_boot_phases {
	uint64_t prepare, read, parse, map, copy, start;
};

/**
 * rproc_get_boot_phases() - the phases of @rproc's last completed boot from
 * firmware (not an attach). Returns 0, or -ENODATA when there was none yet.
 */
int rproc_get_boot_phases(struct rproc *rproc, struct rproc_boot_phases *out);
/** rproc_set_auto_boot() - boot in rproc_add() (default off). Set before rproc_add(). */
void rproc_set_auto_boot(struct rproc *rproc, bool auto_boot);
/** rproc_get_crash_count() - crashes reported (only the first of each counts). */
unsigned int rproc_get_crash_count(struct rproc *rproc);
/**
 * rproc_get_last_crash() - the type of the last crash reported.
 * Returns 0 with @type set, or -ENOENT when none was.
 */
int rproc_get_last_crash(struct rproc *rproc, enum rproc_crash_type *type);
/**
 * rproc_get_crash_reason() - the last crash's reason (see rproc_report_crash_reason())
 * into @buf (@len bytes, NUL-terminated) and how many crashes in a row had that
 * same fault (the crash-loop count) into @streak (may be NULL).
 * Returns 0, or -ENOENT when no crash was reported ("" in @buf).
 */
int rproc_get_crash_reason(struct rproc *rproc, char *buf, size_t len, unsigned int *streak);
/** rproc_last_error() - the last failure's message ("" if none). */
const char *rproc_last_error(struct rproc *rproc);

/* ---- memory ----------------------------------------------------------------------- */

/**
 * rproc_add_carveout() - register memory the backend set up (its RAM, or on attach
 * the regions of the running remote), @mem->va, da, len and name filled. The core
 * takes ownership of @mem (allocate it with malloc/calloc): when the rproc lets it
 * go (shutdown, detach, a failed boot) it calls ops->mem_release, then free().
 * A carveout entry of the firmware's table with the same name uses this memory
 * (Linux's rproc_find_carveout_by_name()), as do "vdev<N>vring<M>" and
 * "vdev<N>buffer" for the vdevs' rings and buffers.
 */
void rproc_add_carveout(struct rproc *rproc, struct rproc_mem_entry *mem);

/**
 * rproc_da_to_va() - translate [da, da + len) to a host pointer: the registered
 * memories first, then ops->da_to_va. Returns NULL if not wholly translatable.
 */
void *rproc_da_to_va(struct rproc *rproc, uint64_t da, size_t len, bool *is_iomem);

/** rproc_get_boot_addr() - the entry point of the loaded firmware. */
uint64_t rproc_get_boot_addr(struct rproc *rproc);

/* ---- subdevices and notifications ------------------------------------------------ */

/** struct rproc_subdev - a part of the host tied to the remote's life (Linux's). */
struct rproc_subdev {
	int (*prepare)(struct rproc_subdev *subdev);
	int (*start)(struct rproc_subdev *subdev);
	void (*stop)(struct rproc_subdev *subdev, bool crashed);
	void (*unprepare)(struct rproc_subdev *subdev);
	/* private to the core */
	struct rproc_subdev *next;
};

/**
 * rproc_add_subdev() - tie @subdev to the remote's life: prepared and started (in
 * the order added) on boot, stopped and unprepared (in reverse) on shutdown or crash.
 * @subdev stays the caller's and must outlive its registration.
 */
void rproc_add_subdev(struct rproc *rproc, struct rproc_subdev *subdev);
/** rproc_remove_subdev() - undo rproc_add_subdev() (no callback is made). */
void rproc_remove_subdev(struct rproc *rproc, struct rproc_subdev *subdev);

/** enum rproc_event - lifecycle notifications (Linux's SSR notifier, and more). */
enum rproc_event {
	RPROC_EVENT_BEFORE_POWERUP,
	RPROC_EVENT_AFTER_POWERUP,
	RPROC_EVENT_BEFORE_SHUTDOWN,
	RPROC_EVENT_AFTER_SHUTDOWN,
	RPROC_EVENT_CRASHED,
	RPROC_EVENT_RECOVERED,
	RPROC_EVENT_ATTACHED,
	RPROC_EVENT_DETACHED,
	RPROC_EVENT_COREDUMP,
};

typedef void (*rproc_notify_fn)(struct rproc *rproc, enum rproc_event event, void *arg);

/**
 * rproc_notifier_register() - call @fn for every lifecycle event of @rproc.
 * Returns a positive id for rproc_notifier_unregister(), or -errno.
 */
int rproc_notifier_register(struct rproc *rproc, rproc_notify_fn fn, void *arg);
/** rproc_notifier_unregister() - stop the notifier @id. Returns 0 or -ENOENT. */
int rproc_notifier_unregister(struct rproc *rproc, int id);

/* ---- additions: attributes ------------------------------------------------------- */

/** rproc_coredump_string() - "disabled", "enabled", "inline" or "invalid". */
const char *rproc_coredump_string(enum rproc_dump_mechanism mech);
/** rproc_crash_type_string() - "mmufault", "watchdog", "fatal error" (Linux's words). */
const char *rproc_crash_type_string(enum rproc_crash_type type);
/** rproc_get_auto_boot() - whether rproc_add() boots the remote. */
bool rproc_get_auto_boot(struct rproc *rproc);
/**
 * rproc_loaded_rsc_table() - for backends, from ops->start on: the remote's copy of
 * the resource table in device memory (host pointer) and its size, or NULL.
 */
void *rproc_loaded_rsc_table(struct rproc *rproc, size_t *size);

/** rproc_get_byte_order() - the byte order of the firmware (and its table). */
enum uproc_byte_order rproc_get_byte_order(struct rproc *rproc);

/**
 * rproc_get_machine() - the e_machine of the firmware last loaded (0 before any;
 * backends call it from start() to run the image on the right CPU), and its ELF
 * class in @elf_class (1: 32-bit, 2: 64-bit; may be NULL).
 */
uint16_t rproc_get_machine(struct rproc *rproc, unsigned int *elf_class);

/** rproc_get_power() - the power reference count (boots minus shutdowns). */
unsigned int rproc_get_power(struct rproc *rproc);

/**
 * rproc_set_detach_running() - let rproc_detach() leave a RUNNING remote (one this
 * host booted) running too. Default false: as Linux, only ATTACHED can detach.
 */
void rproc_set_detach_running(struct rproc *rproc, bool allow);

/**
 * rproc_set_rsc_table_optional() - boot firmware without a ".resource_table" (it
 * then gets no resources). Default false: as Linux, the table is required.
 */
void rproc_set_rsc_table_optional(struct rproc *rproc, bool optional);

/**
 * rproc_set_byte_order() - the byte order of the table of a remote to attach to
 * (there is no ELF header to tell it). Default: the host's. Booting sets it from
 * the firmware.
 */
void rproc_set_byte_order(struct rproc *rproc, enum uproc_byte_order order);

/**
 * rproc_add_fw_path() - add a directory where firmware names (those without a '/')
 * are looked up, in the order added. With none, a name is opened as given
 * (relative to the working directory). Returns 0, -EINVAL or -ENOSPC (8 at most).
 */
int rproc_add_fw_path(struct rproc *rproc, const char *dir);
/** rproc_clear_fw_paths() - forget every search directory. */
void rproc_clear_fw_paths(struct rproc *rproc);

/**
 * rproc_log() - a log line about @rproc, from the core or its backend (Linux's
 * dev_err/dev_warn/dev_info on the rproc's device), at @level (UPROC_LOG_ERR,
 * _WARN, _INFO, _DEBUG of uproc/port.h), through its loop's log sink with the
 * object "remoteproc NAME" (uproc_loop_set_log(), uproc/loop.h; no loop: stderr).
 * Failures the core records for rproc_last_error() go there too, at
 * UPROC_LOG_ERR. Any thread; no lock may be held that the sink could need.
 */
void rproc_log(struct rproc *rproc, enum uproc_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- additions: debugfs-style views ------------------------------------------------ */

/**
 * rproc_rsc_table_show() - the host's copy of the resource table as text (debugfs
 * resource_table). Returns the text's full length (may exceed @len - 1; the output
 * is cut and NUL-terminated like snprintf), or -errno.
 */
int rproc_rsc_table_show(struct rproc *rproc, char *buf, size_t len);

/** rproc_carveouts_dump() - the memories as debugfs carveout_memories shows them. */
int rproc_carveouts_dump(struct rproc *rproc, char *buf, size_t len);

/**
 * rproc_for_each_mem() - call @fn for every allocated memory (@fn must not change
 * the processor's memories: no lifecycle call). A non-zero return stops the walk
 * and is returned. Returns the number of memories otherwise. @fn may be NULL (count only).
 */
int rproc_for_each_mem(struct rproc *rproc,
		       int (*fn)(const struct rproc_mem_entry *mem, void *arg), void *arg);

/** rproc_trace_count() - number of trace buffers the firmware declared. */
int rproc_trace_count(struct rproc *rproc);
/** rproc_trace_name() - the name of trace buffer @index, or NULL. */
const char *rproc_trace_name(struct rproc *rproc, unsigned int index);
/**
 * rproc_trace_read() - trace buffer @index as a string (debugfs traceN): copies the
 * buffer up to its first NUL or @len - 1 bytes into @buf, NUL-terminated.
 * Returns the bytes copied, -ENOENT (no such buffer) or -EINVAL.
 * "Trace <name> not available" when its memory is not mapped (not running).
 * On the loop thread no lifecycle operation unmaps the memory while it copies;
 * safe from inside notifiers and hooks.
 */
ssize_t rproc_trace_read(struct rproc *rproc, unsigned int index, char *buf, size_t len);

/* ---- additions: vdevs -------------------------------------------------------------- */

/** struct rproc_vdev_info - a virtio device of the running firmware, for tools. */
struct rproc_vdev_info {
	unsigned int index;
	uint32_t id;		/* 7 rpmsg, 3 console */
	uint32_t dfeatures;
	uint32_t gfeatures;
	unsigned int num_vrings;
	struct {
		uint64_t da;
		unsigned int num;
		unsigned int align;
		int notifyid;
	} vring[2];
	uint64_t buf_da;
	size_t buf_len;
	bool active;		/* started (host side up) */
	bool broken;		/* the remote broke one of its rings */
};

/** rproc_vdev_count() - vdevs of the current firmware (0 when offline). */
int rproc_vdev_count(struct rproc *rproc);
/** rproc_get_vdev_info() - describe vdev @index. Returns 0 or -ENOENT. */
int rproc_get_vdev_info(struct rproc *rproc, unsigned int index, struct rproc_vdev_info *info);

/**
 * rproc_get_rpmsg() - the rpmsg bus (uproc/rpmsg.h) of vdev @index, or NULL when
 * it is not an rpmsg vdev or not started. Loop thread.
 * Ownership: returns a reference: drop it with rpmsg_virtio_put(). When the vdev
 * stops (stop, crash, detach) the bus is torn down and a new one comes with the
 * next start: the reference keeps the old one's memory, on which every call fails
 * (-ESHUTDOWN) or finds nothing. Follow the bus across recoveries with the
 * rpmsg_ready / rpmsg_removing hooks.
 */
struct rpmsg_virtio_device *rproc_get_rpmsg(struct rproc *rproc, unsigned int index);

/**
 * struct rproc_vdev_hooks - the host's side of the vdevs. Called on the loop thread
 * with no uproc lock held, inside a lifecycle operation or a kick's handling (a
 * rproc_boot() etc. of the same rproc from them returns -EDEADLK: defer it).
 * @rpmsg_ready:    an rpmsg bus came up (boot, recovery, attach): create endpoints
 *                  and register drivers here; nothing has been delivered yet
 * @rpmsg_removing: the bus is about to go (stop, crash, detach): drop what you made
 * @console_rx:     bytes the remote wrote on console vdev @index (a copy; any
 *                  length up to 256 per call), while rproc_vq_interrupt() runs
 * @rpmsg_tx_ready: optional: a send on @bus that found no free tx buffer (a
 *                  trysend's -ENOMEM, rpmsg_poll() without RPMSG_POLLOUT) could now
 *                  succeed: an event loop's EPOLLOUT. While the remote's kick is
 *                  handled, no uproc lock held.
 * @console_tx_ready: optional: a rproc_console_write() on console vdev @index that
 *                  queued less than asked (or -EAGAIN) can now queue more; while
 *                  the remote's kick is handled, no uproc lock held.
 * @rpmsg_channel:  optional: the remote's name service changed a channel of @bus:
 *                  @created true: the remote announced @info->name at @info->dst
 *                  (@info->src: the local address, RPMSG_ADDR_ANY while no driver
 *                  serves it); false: the remote announced its end. After the bus
 *                  recorded it, whether or not a driver bound (the rpmsg config's
 *                  channel callback, uproc/rpmsg.h). @info is valid during the call.
 *                  While the remote's kick is handled, no uproc lock held;
 *                  not called for the channels that go with the bus at stop.
 * @arg:            passed back to each
 */
struct rproc_vdev_hooks {
	void (*rpmsg_ready)(struct rproc *rproc, unsigned int index,
			    struct rpmsg_virtio_device *bus, void *arg);
	void (*rpmsg_removing)(struct rproc *rproc, unsigned int index,
			       struct rpmsg_virtio_device *bus, void *arg);
	void (*console_rx)(struct rproc *rproc, unsigned int index, const void *data,
			   size_t len, void *arg);
	void (*rpmsg_tx_ready)(struct rproc *rproc, unsigned int index,
			       struct rpmsg_virtio_device *bus, void *arg);
	void (*console_tx_ready)(struct rproc *rproc, unsigned int index, void *arg);
	void (*rpmsg_channel)(struct rproc *rproc, unsigned int index,
			      struct rpmsg_virtio_device *bus,
			      const struct rpmsg_channel_info *info, bool created, void *arg);
	void *arg;
};

/** rproc_set_vdev_hooks() - set (copy) or clear (NULL) the vdev hooks. */
void rproc_set_vdev_hooks(struct rproc *rproc, const struct rproc_vdev_hooks *hooks);

/**
 * rproc_console_write() - queue @len bytes on console vdev @index's transmitq.
 * Returns the bytes queued (maybe fewer than @len: call again after the
 * console_tx_ready hook), -EAGAIN when no buffer is free (the hook follows too),
 * -ENODEV when @index is not a running console, -EIO when the queue is broken.
 */
ssize_t rproc_console_write(struct rproc *rproc, unsigned int index, const void *data,
			    size_t len);

/* ---- additions: coredump ------------------------------------------------------------ */

/**
 * rproc_coredump_size() - bytes of the last coredump, or -ENOENT when there is none.
 */
ssize_t rproc_coredump_size(struct rproc *rproc);

/**
 * rproc_coredump_read() - copy up to @len bytes of the last coredump from @offset.
 * Returns the bytes copied (0 at the end), or -ENOENT when there is no dump.
 * An inline dump reads the remote's memory directly, as Linux's does.
 */
ssize_t rproc_coredump_read(struct rproc *rproc, void *buf, size_t len, uint64_t offset);

/**
 * rproc_coredump_save() - write the last coredump to the file @path (created or
 * truncated, mode 0600). Returns 0 or -errno.
 */
int rproc_coredump_save(struct rproc *rproc, const char *path);

/**
 * rproc_coredump_release() - drop the last coredump. An inline dump's recovery,
 * waiting for it, goes on. Returns 0 or -ENOENT.
 */
int rproc_coredump_release(struct rproc *rproc);

/** rproc_coredump_count() - coredumps taken since rproc_alloc(). */
unsigned int rproc_coredump_count(struct rproc *rproc);

/**
 * rproc_set_coredump_timeout() - how long recovery waits for an inline dump to be
 * released before dropping it and going on (default 5 minutes, as Linux).
 */
void rproc_set_coredump_timeout(struct rproc *rproc, uint32_t ms);

/**
 * rproc_coredump_add_segment() - dump [da, da + len) instead of every memory (the
 * default). May be called several times. Returns 0, -EINVAL or -ENOSPC.
 */
int rproc_coredump_add_segment(struct rproc *rproc, uint64_t da, size_t len);

/**
 * rproc_is_recovering() - true while a crash is being handled (queued, or an inline
 * dump awaits release).
 */
bool rproc_is_recovering(struct rproc *rproc);

#endif /* UPROC_REMOTEPROC_H */
