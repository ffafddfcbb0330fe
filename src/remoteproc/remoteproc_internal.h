/* SPDX-License-Identifier: MIT */
/*
 * remoteproc_internal.h - the remoteproc core's private declarations, shared by the
 * files of src/remoteproc/ (lifecycle, memory, firmware, resources, vdevs, crash,
 * coredump). Never included by backends or users.
 *
 * Threading: no lock. A processor belongs to its loop's thread (the one that
 * created or last dispatched rproc->loop): every field below is read and written
 * there only, and every public entry point checks it (UPI_RPROC_ON_LOOP, debug
 * builds). Lifecycle operations (boot, shutdown, detach, attach, recovery, del)
 * mark @in_op while they run; kick handling marks @kicks. A lifecycle call made
 * from a callback inside either gets -EDEADLK instead of tearing down what is on
 * the stack. Two things may come from other threads: ops->kick (a blocking rpmsg
 * sender notifies the remote) and rproc_report_crash() (a sender that found the
 * ring broken); the latter hops to the loop with a reference (@refs is atomic).
 */
#ifndef UPROC_REMOTEPROC_INTERNAL_H
#define UPROC_REMOTEPROC_INTERNAL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostutil.h"
#include "uproc/fwimage.h"
#include "uproc/port.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

#define RPROC_NAME_MAX 64
#define RPROC_FW_NAME_MAX 256
#define RPROC_ERR_MAX 320
#define RPROC_MAX_NOTIFIERS 16
#define RPROC_MAX_TRACES 16
#define RPROC_MAX_VDEVS 8
#define RPROC_MAX_FW_PATHS 8
#define RPROC_MAX_DUMP_SEGMENTS 64
/* Linux waits five minutes for an inline dump to be read. */
#define RPROC_DUMP_TIMEOUT_MS_DEFAULT (5u * 60u * 1000u)

struct rproc_vdev;

/* struct rproc_trace - a trace buffer of the firmware. */
struct rproc_trace {
	uint64_t da;
	uint32_t len;
	char name[UPROC_RSC_NAME_LEN + 1];
};

/* struct rproc_notifier - one registered lifecycle listener. */
struct rproc_notifier {
	int id;
	rproc_notify_fn fn;
	void *arg;
};

/* struct rproc_dump_seg - a registered coredump segment (rproc_coredump_add_segment). */
struct rproc_dump_seg {
	uint64_t da;
	size_t len;
};

/*
 * struct rproc_dump - one coredump. The ELF headers and notes are in @head; the
 * segment contents follow, either copied (@copy, "enabled") or read from the live
 * memory at read time (@src, "inline": the memory stays until the dump is released).
 */
struct rproc_dump {
	uint8_t *head;
	size_t head_len;
	size_t total;
	unsigned int nsegs;
	struct {
		uint64_t offset; /* in the file */
		size_t len;
		const uint8_t *src; /* inline: live memory; enabled: inside @copy */
	} seg[RPROC_MAX_DUMP_SEGMENTS];
	uint8_t *copy;
	bool inline_dump;
};

/* What the recovery work is doing. */
enum rproc_recovery_stage {
	RPROC_RECOVERY_IDLE,
	RPROC_RECOVERY_QUEUED,	/* crash handler deferred on the loop */
	RPROC_RECOVERY_DUMP_WAIT, /* inline dump waiting to be read */
};

struct rproc {
	bool in_op;		/* a lifecycle operation is running */
	unsigned int kicks;	/* kicks being handled (callbacks may be on the stack) */

	char name[RPROC_NAME_MAX];
	const struct rproc_ops *ops;
	struct uproc_loop *loop;
	char firmware[RPROC_FW_NAME_MAX];
	char fw_paths[RPROC_MAX_FW_PATHS][RPROC_FW_NAME_MAX];
	unsigned int nfw_paths;

	enum rproc_state state;
	unsigned int power;
	bool registered;
	bool auto_boot;
	bool recovery_disabled;
	bool detach_running;
	enum rproc_dump_mechanism dump_conf;
	unsigned int crash_cnt;
	enum rproc_crash_type last_crash;
	char crash_reason[RPROC_ERR_MAX];
	unsigned int crash_streak; /* crashes in a row with the same fault, no kick between */
	bool kicked;		   /* the remote kicked a queue since it was (re)started */
	char last_error[RPROC_ERR_MAX];

	/* firmware and its table */
	uint8_t *fw_data;
	size_t fw_size;
	/* the boot in progress, then the last one's */
	struct rproc_boot_phases boot_now, boot_last;
	uint64_t boot_mark;
	bool boot_last_valid;
	struct uproc_fw_image fw;
	uint64_t bootaddr;
	uint8_t *cached_table;	/* the host's copy, owned */
	size_t table_sz;
	struct uproc_rsc_table table;
	uint8_t *loaded_table;	/* the remote's copy in device memory, or NULL */
	enum uproc_byte_order order;
	uint16_t e_machine;
	enum uproc_elf_class elf_class;

	/* resources */
	struct rproc_mem_entry *carveouts;
	struct rproc_trace traces[RPROC_MAX_TRACES];
	unsigned int ntraces;
	struct rproc_vdev *vdevs[RPROC_MAX_VDEVS];
	unsigned int nvdevs;
	int next_notifyid;
	struct rproc_dump_seg dump_segs[RPROC_MAX_DUMP_SEGMENTS];
	unsigned int ndump_segs;

	struct rproc_vdev_hooks vdev_hooks;
	bool detaching;

	struct rproc_subdev *subdevs;
	struct rproc_notifier notifiers[RPROC_MAX_NOTIFIERS];
	int next_notifier_id;

	/* crash and recovery */
	enum rproc_recovery_stage recovery;
	bool recover_once;
	bool remote_stopped;	/* CRASHED and already stopped by recovery */
	bool dump_gone;		/* the crashed remote's memories ended with it: no dump */
	bool probing;		/* inside ops->probe_running (rproc_add) */
	bool found_ended;	/* ... which reported the remote it found had ended */
	unsigned int recovery_burst;	/* automatic recoveries allowed per window (0: any) */
	uint32_t recovery_interval_ms;	/* the window's length */
	uint64_t recovery_window_ns;	/* when the current window opened */
	unsigned int recoveries_in_window;
	int64_t dump_timer;
	uint32_t dump_timeout_ms;
	struct rproc_dump *dump;
	unsigned int ndumps;
	_Atomic unsigned int refs;	/* the owner's + one per pending deferred call/timer */
	bool table_optional;

	size_t priv_len;
	max_align_t priv[];
};

/* ---- remoteproc_core.c -------------------------------------------------------- */

/* rproc_err() - record a failure message (also the return value, for chaining). */
int rproc_err(struct rproc *rproc, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rproc_warn(struct rproc *rproc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void upi_rproc_notify(struct rproc *rproc, enum rproc_event event);
/*
 * upi_rproc_op_begin()/upi_rproc_op_end() - bracket a lifecycle operation. Begin
 * returns -EDEADLK (with a message) when called from a callback inside another
 * operation or a kick of the same processor; 0 otherwise.
 */
int upi_rproc_op_begin(struct rproc *rproc);
void upi_rproc_op_end(struct rproc *rproc);

/* UPI_RPROC_ON_LOOP() - the entry point's loop-affinity check (debug builds). */
#define UPI_RPROC_ON_LOOP(rproc) UPI_ON_LOOP_THREAD((rproc)->loop, (rproc)->name)
/* upi_rproc_stop() - stop subdevices, the remote, unprepare; state OFFLINE. */
int upi_rproc_stop(struct rproc *rproc, bool crashed);
/* upi_rproc_take_image_facts() - entry point, byte order, machine and class of rproc->fw. */
void upi_rproc_take_image_facts(struct rproc *rproc);
/* upi_rproc_start() - load segments, table, prepare/start subdevs, ops->start. */
int upi_rproc_start(struct rproc *rproc);
void upi_rproc_resource_cleanup(struct rproc *rproc);
void upi_rproc_set_state(struct rproc *rproc, enum rproc_state state);
/* upi_rproc_queue_recovery() - a crashed processor's handler deferred (remoteproc_crash.c). */
void upi_rproc_queue_recovery(struct rproc *rproc);
/* upi_rproc_get_ref()/rproc_put_ref() - keep the struct alive for deferred work. */
void upi_rproc_get_ref(struct rproc *rproc);
void upi_rproc_put_ref(struct rproc *rproc);

/* ---- remoteproc_subdev.c ------------------------------------------------------ */

/* Inside a lifecycle operation (upi_rproc_op_begin()). */
int upi_rproc_prepare_subdevices(struct rproc *rproc);
int upi_rproc_start_subdevices(struct rproc *rproc);
void upi_rproc_stop_subdevices(struct rproc *rproc, bool crashed);
void upi_rproc_unprepare_subdevices(struct rproc *rproc);

/* ---- remoteproc_mem.c --------------------------------------------------------- */

struct rproc_mem_entry *rproc_find_carveout_by_name(struct rproc *rproc, const char *name);
/* upi_rproc_mem_new() - a core-owned entry to allocate with ops->mem_alloc later. */
struct rproc_mem_entry *upi_rproc_mem_new(const char *name, uint64_t da, size_t len);
/* upi_rproc_add_mem() - append to the memory list; @by_backend: rproc_add_carveout(). */
void upi_rproc_add_mem(struct rproc *rproc, struct rproc_mem_entry *mem, bool by_backend);
int upi_rproc_alloc_registered_carveouts(struct rproc *rproc);
void upi_rproc_release_carveouts(struct rproc *rproc);

/* ---- remoteproc_fw.c ---------------------------------------------------------- */

/* upi_rproc_request_firmware() - read and parse rproc->firmware into rproc->fw*. */
/* Add the time since the last mark to *@phase (NULL: only mark). Op lock held. */
void upi_rproc_boot_phase(struct rproc *rproc, uint64_t *phase);
int upi_rproc_request_firmware(struct rproc *rproc);
void upi_rproc_release_firmware(struct rproc *rproc);
/* upi_rproc_load_segments() - copy every loadable segment to device memory. */
int upi_rproc_load_segments(struct rproc *rproc);
/* upi_rproc_cache_table() - copy and parse the image's table into cached_table. */
int upi_rproc_cache_table(struct rproc *rproc, const void *table, size_t size,
		      enum uproc_byte_order order);
void upi_rproc_free_table(struct rproc *rproc);

/* ---- remoteproc_rsc.c --------------------------------------------------------- */

/* rproc_handle_resources() - walk the cached table: carveouts, devmem, traces, vdevs. */
int rproc_handle_resources(struct rproc *rproc, bool attaching);
/* upi_rproc_table_write32/8() - write into the cached table and the loaded table. */
int upi_rproc_table_write32(struct rproc *rproc, size_t offset, uint32_t value);
int upi_rproc_table_write8(struct rproc *rproc, size_t offset, uint8_t value);

/* ---- remoteproc_vdev.c -------------------------------------------------------- */

int upi_rproc_handle_vdev(struct rproc *rproc, const struct uproc_rsc_entry *entry, bool attaching);
void upi_rproc_vdev_remove_all(struct rproc *rproc);
int upi_rproc_vdev_add_buffers(struct rproc *rproc);
int upi_rproc_vdev_interrupt(struct rproc *rproc, int notifyid);

/* ---- remoteproc_crash.c ------------------------------------------------------- */

int upi_rproc_trigger_recovery(struct rproc *rproc);
void upi_rproc_cancel_recovery(struct rproc *rproc);

/* ---- remoteproc_coredump.c ---------------------------------------------------- */

/* upi_rproc_coredump() - build the dump of a stopped remote per dump_conf. */
int upi_rproc_coredump(struct rproc *rproc);
void upi_rproc_dump_free(struct rproc_dump *dump);
/* upi_rproc_dump_unpin_memory() - copy an inline dump's memory before it is released. */
void upi_rproc_dump_unpin_memory(struct rproc *rproc);

#endif /* UPROC_REMOTEPROC_INTERNAL_H */
