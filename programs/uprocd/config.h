/* SPDX-License-Identifier: MIT */
/*
 * config.h - uprocd's configuration file.
 *
 * INI-like text: "[uprocd]" holds the daemon's settings, each "[remoteproc NAME]"
 * one processor. "key = value" lines; '#' or ';' at the start of a line, or after
 * a blank, starts a comment; blank lines are ignored. Keys:
 *
 *   [uprocd]   root (the control tree's mount point, default /run/uproc),
 *              runtime_dir (dev/, the device files; default /run/uprocd),
 *              socket (default <runtime_dir>/uprocd.sock), group (may write;
 *              name or number, default none: root only), firmware_path (default
 *              for processors that set none)
 *   [remoteproc NAME]
 *              backend (auto: by the image's machine, native, emulated), firmware (file name), firmware_path (a
 *              directory; repeat the key or separate with ':'), memory (RAM
 *              size, K/M/G suffixes), cpu (a CPU number, or -1 for none),
 *              auto_boot (yes/no), recovery (enabled/disabled),
 *              recovery_limit_burst (N, default 5; 0: no limit) and
 *              recovery_limit_interval (a period, default 10s): at most N
 *              automatic recoveries in that period, then the processor stays
 *              crashed (systemd's StartLimitBurst/StartLimitIntervalSec),
 *              coredump (disabled/enabled/inline), watchdog (a period such as
 *              5s or 500ms, or disabled; default 5s: a core whose firmware has
 *              beaten its heartbeat and then neither beats nor sleeps for that
 *              long is hung, and crashes with reason watchdog),
 *              rpmsg_queue_closed (0, the default: an rpmsgM endpoint exists
 *              while the device is open, as in Linux; N up to 65536: it exists
 *              from RPMSG_CREATE_EPT to RPMSG_DESTROY_EPT and keeps up to N
 *              messages while nobody has it open), gdb (no, the default, or
 *              yes: serve debugger sessions on the running core through the
 *              socket <runtime_dir>/gdb/NAME, which root and the group may use;
 *              "uproc gdb NAME" goes through it)
 */
#ifndef UPROCD_CONFIG_H
#define UPROCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UPROCD_NAME_MAX 32	/* processor names, NUL included */
#define UPROCD_MAX_FW_DIRS 8
#define UPROCD_MAX_PROCS 64
#define UPROCD_WATCHDOG_MS_DEFAULT 5000
/* At most 5 automatic recoveries in 10 s, as systemd's default start limit. */
#define UPROCD_RECOVERY_BURST_DEFAULT 5
#define UPROCD_RECOVERY_INTERVAL_MS_DEFAULT 10000

/* The same values as enum uproc_core_backend (uproc/native.h). */
enum uprocd_backend {
	UPROCD_BACKEND_AUTO = 0,	/* by the firmware's e_machine */
	UPROCD_BACKEND_NATIVE = 1,
	UPROCD_BACKEND_EMULATED = 2,
};

/** struct uprocd_proc_config - one [remoteproc NAME] section. Strings are owned. */
struct uprocd_proc_config {
	char name[UPROCD_NAME_MAX];
	enum uprocd_backend backend;
	char *firmware;			/* may be NULL: set later */
	char *fw_dirs[UPROCD_MAX_FW_DIRS];
	unsigned int n_fw_dirs;
	uint64_t memory;		/* bytes; 0: the backend's default */
	int cpu;			/* -1: not pinned */
	bool auto_boot;
	bool recovery;
	unsigned int recovery_burst;	/* automatic recoveries per interval (0: no limit) */
	uint32_t recovery_interval_ms;
	int coredump;			/* enum rproc_dump_mechanism values */
	uint32_t watchdog_ms;		/* 0: no watchdog */
	unsigned int rpmsg_queue_closed; /* 0: Linux's endpoint lifetime (open to
					  * close); N: endpoints live from create
					  * to destroy and keep N messages while
					  * closed */
	bool gdb;			/* serve debugger sessions (programs/uprocd/gdb.c) */
	unsigned int line;		/* where the section starts */
	/* where each key was set (0: not set; fw_dirs_line may be [uprocd]'s) */
	unsigned int firmware_line, fw_dirs_line, memory_line, cpu_line;
};

/** struct uprocd_config - the whole file. Free with uprocd_config_free(). */
struct uprocd_config {
	char *root;
	char *runtime_dir;
	char *socket;
	bool has_group;
	gid_t group;
	unsigned int group_line;
	char *fw_dirs[UPROCD_MAX_FW_DIRS];
	unsigned int n_fw_dirs;
	unsigned int fw_dirs_line;
	struct uprocd_proc_config *procs;
	unsigned int n_procs;
};

/**
 * uprocd_config_parse() - parse configuration @text of @len bytes into @cfg.
 * @err: receives "line N: what is wrong" on failure (@errlen bytes).
 * Returns 0 or -EINVAL (bad syntax or value), -ENOMEM. On failure @cfg holds
 * nothing to free. Defaults are filled in for keys left out.
 */
int uprocd_config_parse(struct uprocd_config *cfg, const char *text, size_t len, char *err,
			size_t errlen);

/** uprocd_config_load() - read and parse the file at @path. Returns as parse, or -errno. */
int uprocd_config_load(struct uprocd_config *cfg, const char *path, char *err, size_t errlen);

/**
 * uprocd_read_file() - read the regular file at @path, at most @max bytes, into a
 * new NUL-terminated buffer @out (free() it) of @len bytes.
 * Returns 0, -EINVAL (not a regular file, or larger than @max) or -errno.
 */
int uprocd_read_file(const char *path, size_t max, char **out, size_t *len);

/** uprocd_config_free() - free what parse allocated. */
void uprocd_config_free(struct uprocd_config *cfg);

/** uprocd_config_find() - the processor named @name, or NULL. */
const struct uprocd_proc_config *uprocd_config_find(const struct uprocd_config *cfg,
						    const char *name);

/** uprocd_parse_ms() - "500", "500ms", "5s" -> milliseconds. Returns 0 or -EINVAL/-ERANGE. */
int uprocd_parse_ms(const char *s, uint64_t *out);

/**
 * uprocd_config_check() - what would fail when uprocd starts @cfg: firmware
 * directories that do not exist, firmware not found in them, a memory too small
 * for the firmware (or not whole pages), a CPU this process cannot run on.
 * @report: called once per problem with the line of the key at fault and a message.
 * Returns the number of problems.
 */
unsigned int uprocd_config_check(const struct uprocd_config *cfg,
				 void (*report)(void *arg, unsigned int line, const char *msg),
				 void *arg);

/** uprocd_parse_size() - "64K", "1M", "4096" -> bytes. Returns 0 or -EINVAL/-ERANGE. */
int uprocd_parse_size(const char *s, uint64_t *out);

#endif /* UPROCD_CONFIG_H */
