/* SPDX-License-Identifier: MIT */
/*
 * uproc/remoteproc.h - the remote processor core: lifecycle, resources, crash,
 * recovery, coredump, subdevices; and the backend interface (struct rproc_ops).
 *
 * Names and semantics follow Linux's remoteproc (docs: linux-compat.md). The core
 * never includes a backend: a backend (the native core, later emulated cores or a
 * SoC's driver) fills a const struct rproc_ops and calls rproc_alloc().
 *
 * Threading: every rproc_* call takes the processor's lock and may be called from
 * any thread. Backend events (rproc_vq_interrupt(), rproc_report_crash()) normally
 * arrive on the loop thread. Notifier, subdevice and rpmsg callbacks run with no
 * uproc lock held. Recovery runs as deferred work on the loop.
 */
#ifndef UPROC_REMOTEPROC_H
#define UPROC_REMOTEPROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct rproc;
struct uproc_loop;
struct uproc_fw;

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
 * @da_to_va:  translate a device address range the core's carveout list doesn't
 *             cover; NULL if not translatable.
 * @handle_rsc: a vendor resource (types 128..512): RSC_HANDLED, RSC_IGNORED or -errno.
 * @mem_alloc: back @mem (len, name, da set; da may be FW_RSC_ADDR_ANY: choose one)
 *             with memory shared with the remote; set va, da, fd. Mandatory for any
 *             backend whose memory the core must allocate (carveouts, vrings).
 * @mem_release: undo mem_alloc.
 * @get_loaded_rsc_table: when attaching, the table the running remote uses (its
 *             device-memory copy) and its size; the core copies and validates it.
 * @probe_running: called by rproc_add(): 1 if a remote is already running and should
 *             be attached rather than booted, 0 if not, or -errno.
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
 * Returns 0 or -errno.
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

/** rproc_shutdown() - drop a power reference; the last one stops the remote. */
int rproc_shutdown(struct rproc *rproc);

/** rproc_detach() - drop a reference; the last one detaches, leaving it running. */
int rproc_detach(struct rproc *rproc);

/**
 * rproc_report_crash() - report a crash (from a backend, a watchdog, a broken ring
 * or debugfs). Only the first report counts while CRASHED; recovery, if enabled,
 * runs as deferred work on the loop.
 */
void rproc_report_crash(struct rproc *rproc, enum rproc_crash_type type);

/**
 * rproc_vq_interrupt() - the remote kicked virtqueue @notifyid (backends call this
 * from their doorbell handler). Returns 0, or -ENOENT for an unknown notifyid.
 */
int rproc_vq_interrupt(struct rproc *rproc, int notifyid);

/* ---- attributes (sysfs semantics) ---------------------------------------------- */

enum rproc_state rproc_get_state(struct rproc *rproc);
/** rproc_state_string() - "offline", "running", ... or "invalid". */
const char *rproc_state_string(enum rproc_state state);
const char *rproc_get_name(struct rproc *rproc);
/** rproc_get_firmware() - copies the firmware name into @buf. Returns its length. */
size_t rproc_get_firmware(struct rproc *rproc, char *buf, size_t len);
/** rproc_set_firmware() - -EBUSY unless OFFLINE, -EINVAL if empty; cut at a newline. */
int rproc_set_firmware(struct rproc *rproc, const char *firmware);
/** rproc_set_recovery() - enable/disable automatic recovery (Linux's "recovery"). */
void rproc_set_recovery(struct rproc *rproc, bool enabled);
bool rproc_get_recovery(struct rproc *rproc);
/** rproc_recover() - one-shot recovery of a CRASHED remote ("recover"). */
int rproc_recover(struct rproc *rproc);
/** rproc_set_coredump() - -EBUSY while CRASHED. */
int rproc_set_coredump(struct rproc *rproc, enum rproc_dump_mechanism mech);
enum rproc_dump_mechanism rproc_get_coredump(struct rproc *rproc);
void rproc_set_auto_boot(struct rproc *rproc, bool auto_boot);
unsigned int rproc_get_crash_count(struct rproc *rproc);
/** rproc_last_error() - the last failure's message ("" if none). */
const char *rproc_last_error(struct rproc *rproc);

/* ---- memory ----------------------------------------------------------------------- */

/**
 * rproc_add_carveout() - register memory the backend set up (its RAM, or on attach
 * the regions of the running remote). The core takes ownership of @mem and releases
 * it with ops->mem_release when the rproc lets it go.
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

void rproc_add_subdev(struct rproc *rproc, struct rproc_subdev *subdev);
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
int rproc_notifier_unregister(struct rproc *rproc, int id);

#endif /* UPROC_REMOTEPROC_H */
