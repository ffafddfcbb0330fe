/* SPDX-License-Identifier: MIT */
/*
 * daemon.h - uprocd's shared state: the processors it owns and the services
 * around them (control tree, control socket, device files, rpmsg endpoints and
 * ttys). Private to programs/uprocd.
 *
 * Threads: the loop thread runs everything but the control tree's FUSE
 * callbacks, which run on FUSE's threads (the device files' FUSE session is
 * served on the loop thread, devfs.h). Those reach the processors only through
 * the functions marked "any thread" below, which run their bodies on the loop
 * (uproc_loop_call()): every rproc_* call is made on the loop thread.
 * @lock guards the fields marked "locked" below.
 */
#ifndef UPROCD_DAEMON_H
#define UPROCD_DAEMON_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "uproc/port.h"

struct rproc;
struct uproc_loop;
struct uprocd_tree;
struct uprocd_ctl_server;
struct uprocd_cdev;
struct uprocd_rpmsg;
struct uprocd_devfs;

/** struct uprocd_proc - one configured processor (remoteprocN). */
struct uprocd_proc {
	struct uprocd *d;
	unsigned int index;			/* N of remoteprocN */
	const struct uprocd_proc_config *cfg;
	struct rproc *rproc;
	int notifier_id;
	char fw_name[PATH_MAX];			/* locked: as the user wrote it */
	char fw_path[PATH_MAX];			/* locked: what it resolved to */
	bool fw_pending;			/* locked: fw_name not found yet: looked
						 * up again at start (Linux looks at start) */
	struct uprocd_cdev *cdev;		/* loop thread */
	struct uprocd_rpmsg *rpmsg;		/* loop thread */
	unsigned int dump_id;			/* locked: devcdK of its dump, 0: none */
	unsigned int recoveries;		/* loop thread: recoveries since uprocd began */
	int gdb_fd;				/* loop thread: debugger socket, or -1 */
	atomic_bool gdb_busy;			/* a debugger session is open */
};

/** struct uprocd - the daemon. */
struct uprocd {
	struct uproc_loop *loop;
	struct uprocd_config cfg;
	struct uprocd_proc *procs;
	unsigned int n_procs;
	char dev_dir[PATH_MAX];			/* <runtime_dir>/dev */
	bool verbose;

	pthread_mutex_t lock;
	unsigned int next_dump_id;		/* locked */
	bool stop_on_exit;			/* stop cores at exit instead of detaching */

	struct uprocd_tree *tree;
	struct uprocd_devfs *devfs;		/* loop thread: <dev_dir> */
	struct uprocd_ctl_server *ctl;
	uint8_t ept_minors[256];		/* loop thread: rpmsgM in use */
	uint8_t ctrl_minors[256];		/* loop thread: rpmsg_ctrlN in use */
	uint8_t tty_minors[256];		/* loop thread: ttyRPMSGn in use */
	uint8_t hvc_minors[256];		/* loop thread: hvcN in use */
	int signal_fd;
};

/* ---- log.c --------------------------------------------------------------------- */

/* uprocd_log() - an info line of the daemon's own, through its loop's log sink. */
void uprocd_log(struct uprocd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * uprocd_log_line() - the daemon's one line format, "uprocd: LEVEL: [OBJECT: ]MSG"
 * on stderr: the log sink of its loop (uproc_loop_set_log()). Any thread.
 */
void uprocd_log_line(void *arg, enum uproc_log_level level, const char *object, const char *msg);

/* ---- attr.c: the kernel's attribute semantics (loop thread for writes) --------- */

enum uprocd_attr {
	UPROCD_ATTR_NAME,
	UPROCD_ATTR_STATE,
	UPROCD_ATTR_FIRMWARE,
	UPROCD_ATTR_RECOVERY,
	UPROCD_ATTR_COREDUMP,
	UPROCD_ATTR_CRASH,	/* debugfs only, write-only */
};

/**
 * uprocd_attr_show() - the text a read of @attr returns, newline included.
 * Returns its length or -errno. Any thread (runs on the loop).
 */
int uprocd_attr_show(struct uprocd_proc *p, enum uprocd_attr attr, char *buf, size_t len);

/**
 * uprocd_attr_store() - a write of @len bytes to @attr, with the kernel's
 * semantics (one trailing newline accepted). Loop thread.
 * Returns 0 or -errno (-EBUSY, -EINVAL where the kernel returns them; -EACCES or
 * -ENOENT for a firmware name outside or missing from the firmware directories).
 */
int uprocd_attr_store(struct uprocd_proc *p, enum uprocd_attr attr, const char *buf,
		      size_t len);

/** uprocd_proc_find() - the processor called @name or "remoteprocN", or NULL. */
struct uprocd_proc *uprocd_proc_find(struct uprocd *d, const char *name);

/**
 * uprocd_proc_start() - Linux's "start": boot, or on a processor already powered
 * (running, attached) take one more power reference and return 0 (since Linux
 * 5.19; one "stop" then leaves it running). A firmware name written while its file
 * did not exist is looked up (beneath the firmware directories) here first.
 * Returns 0 or -errno. Loop thread.
 */
int uprocd_proc_start(struct uprocd_proc *p);

/**
 * uprocd_proc_stop() - Linux's "stop" (the state file, /dev/remoteprocN, uproc stop):
 * shut down a running or attached processor, and a crashed one whose recovery is
 * under way (queued, or waiting for its inline coredump: the state reads offline
 * then). The stop wins: the recovery is cancelled and the processor ends offline,
 * as in Linux, where the stop waits for the recovery and then stops what it brought
 * back. Returns 0, -EINVAL for any other state (a crashed processor left crashed is
 * recovered, not stopped), or rproc_shutdown()'s error. On the loop thread.
 */
int uprocd_proc_stop(struct uprocd_proc *p);

/** uprocd_firmware_shown() - the firmware name as the firmware attribute shows it. */
void uprocd_firmware_shown(struct uprocd_proc *p, char *buf, size_t len);

/* ---- gdb.c ---------------------------------------------------------------------- */

/**
 * uprocd_gdb_start() - open the debugger socket of every processor configured with
 * gdb = yes (<runtime_dir>/gdb/NAME). Returns 0 or -errno. Loop thread.
 */
int uprocd_gdb_start(struct uprocd *d);

/** uprocd_gdb_stop() - close and remove them; open sessions end with the daemon. */
void uprocd_gdb_stop(struct uprocd *d);

/* ---- procs.c -------------------------------------------------------------------- */

/** uprocd_procs_create() - allocate and register every configured processor. */
int uprocd_procs_create(struct uprocd *d);

/** uprocd_procs_destroy() - unregister them; running cores are left running. */
void uprocd_procs_destroy(struct uprocd *d);

/** uprocd_dump_release() - release dump devcd@id (devcoredump write / full read). */
int uprocd_dump_release(struct uprocd *d, unsigned int id);
/** uprocd_dump_proc() - the processor whose dump is devcd@id, or NULL. Any thread. */
struct uprocd_proc *uprocd_dump_proc(struct uprocd *d, unsigned int id);

/* ---- perm.c --------------------------------------------------------------------- */

/**
 * uprocd_may_write() - may the caller @uid/@gid (process @pid, for its
 * supplementary groups) change things? Root, or a member of the configured group.
 */
bool uprocd_may_write(const struct uprocd *d, uid_t uid, gid_t gid, pid_t pid);

/* ---- tree.c (FUSE) -------------------------------------------------------------- */

int uprocd_tree_start(struct uprocd *d);
void uprocd_tree_stop(struct uprocd *d);

/* ---- ctl_server.c ----------------------------------------------------------------- */

int uprocd_ctl_start(struct uprocd *d);
void uprocd_ctl_stop(struct uprocd *d);

/* ---- cdev.c: <dev>/remoteprocN ------------------------------------------------- */

int uprocd_cdev_start(struct uprocd_proc *p);
void uprocd_cdev_stop(struct uprocd_proc *p);

/* ---- rpmsg side: <dev>/rpmsg_ctrlN, rpmsgM, ttyRPMSGn ---------------------------- */

int uprocd_rpmsg_start(struct uprocd_proc *p);
void uprocd_rpmsg_stop(struct uprocd_proc *p);

enum uprocd_chan_kind {
	UPROCD_CHAN_CONTROL,	/* rpmsg_ctrlN */
	UPROCD_CHAN_TTY,	/* ttyRPMSGn */
	UPROCD_CHAN_CONSOLE,	/* hvcN */
	UPROCD_CHAN_ENDPOINT,	/* rpmsgM */
	UPROCD_CHAN_REMOTE,	/* a channel the remote announced */
};

struct uprocd_chan_stats;

/**
 * struct uprocd_channel_desc - one channel, endpoint, tty or console of a processor.
 * @name: @name_len bytes, NOT terminated and NOT safe to print: they may come from
 * the remote (escape them, uproc_escape.h); NULL when it has none.
 * @src, @dst: addresses, RPMSG_ADDR_ANY when none. @device: "" for a remote channel.
 * @served_by: "rpmsg3, ttyRPMSG0", what serves a remote channel here ("": nothing).
 * @stats: its traffic counters, or NULL. Pointers are valid during the callback only.
 */
struct uprocd_channel_desc {
	enum uprocd_chan_kind kind;
	char device[32];
	const char *name;
	size_t name_len;
	unsigned int vdev;
	uint32_t src, dst;
	const char *path;
	const char *pts;
	bool open;
	char served_by[128];
	const struct uprocd_chan_stats *stats;
};

typedef void (*uprocd_channel_fn)(void *arg, const struct uprocd_channel_desc *cd);

/** uprocd_rpmsg_channel_list() - call @fn for each channel of @p. Loop thread. */
void uprocd_rpmsg_channel_list(struct uprocd_proc *p, uprocd_channel_fn fn, void *arg);
/** uprocd_rpmsg_remote_channel_count() - channels on @p's bus. Loop thread. */
unsigned int uprocd_rpmsg_remote_channel_count(struct uprocd_proc *p);
/** uprocd_rpmsg_console() - the tty path of @p's console (or first rpmsg tty). */
int uprocd_rpmsg_console(struct uprocd_proc *p, char *path, size_t len);
/** uprocd_rpmsg_event() - follow @p's lifecycle (consoles, saved endpoints). */
void uprocd_rpmsg_event(struct uprocd_proc *p, int event);

/* ---- text.c: a growing text buffer --------------------------------------------- */

/** struct uprocd_text - text being built; @error sticks after a failed append. */
struct uprocd_text {
	char *buf;
	size_t len;
	size_t cap;
	int error;
};

/** uprocd_text_printf() - append formatted text. Returns 0 or -ENOMEM. */
int uprocd_text_printf(struct uprocd_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/** uprocd_text_append() - append @len bytes. Returns 0 or -ENOMEM. */
int uprocd_text_append(struct uprocd_text *t, const void *data, size_t len);
void uprocd_text_free(struct uprocd_text *t);

/* ---- debugfs.c: the debug/remoteproc/remoteprocN files ------------------------ */

enum uprocd_debug_file {
	UPROCD_DEBUG_RESOURCE_TABLE,
	UPROCD_DEBUG_CARVEOUTS,
	UPROCD_DEBUG_TRACE,
};

/**
 * uprocd_debug_render() - the contents of a debug file (@idx: the trace number)
 * appended to @t, in the kernel's format. Any thread. Returns 0 or -errno.
 */
int uprocd_debug_render(struct uprocd_proc *p, enum uprocd_debug_file f, unsigned int idx,
			struct uprocd_text *t);

/** uprocd_debug_trace_count() - how many trace buffers @p has now. */
unsigned int uprocd_debug_trace_count(struct uprocd_proc *p);

/**
 * uprocd_dump_read() - copy up to @size bytes of dump @id from @off into @buf.
 * Returns bytes copied (0 at the end) or -ENOENT. Any thread.
 */
ssize_t uprocd_dump_read(struct uprocd *d, unsigned int id, void *buf, size_t size,
			 uint64_t off);
/** uprocd_dump_size() - size of dump @id and its processor's index, or -ENOENT. */
ssize_t uprocd_dump_size(struct uprocd *d, unsigned int id, unsigned int *proc_index);
/** uprocd_dump_inline() - true when dump @id's processor keeps its dumps inline. */
bool uprocd_dump_inline(struct uprocd *d, unsigned int id);

/* ---- sock.c --------------------------------------------------------------------- */

/**
 * uprocd_listen() - a non-blocking listening unix socket of @type at @path (a
 * stale one there is replaced), mode @mode, group the configured one if any.
 * Returns the fd or -errno.
 */
int uprocd_listen(const struct uprocd *d, const char *path, int type, mode_t mode);

/**
 * uprocd_dev_node() - "<dev_dir>/<prefix><n>" into @buf.
 * Returns 0 or -ENAMETOOLONG.
 */
int uprocd_dev_node(const struct uprocd *d, const char *prefix, unsigned int n, char *buf,
		    size_t len);

/** uprocd_peer_may_write() - may the peer of connected socket @fd change things? */
bool uprocd_peer_may_write(const struct uprocd *d, int fd);

#endif /* UPROCD_DAEMON_H */
