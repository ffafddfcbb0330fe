/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon_internal.h - shared by the files of programs/uproc/daemon-commands.
 */
#ifndef UPROC_CLI_DAEMON_INTERNAL_H
#define UPROC_CLI_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "uproc_control.h"

/**
 * struct uproc_cli_reply_fn - handle a reply instead of printing it.
 * @fn:   a successful final reply (NULL: print its lines)
 * @data: each DATA or BYTES chunk (NULL: write it to stdout); returns 0 or an exit
 *        status that ends the request
 */
struct uproc_cli_reply_fn {
	int (*fn)(const struct uproc_ctl_msg *m, void *arg);
	int (*data)(const char *buf, size_t len, void *arg);
	void *arg;
};

/** uproc_cli_socket_path() - --socket, $UPROC_SOCKET or the default. */
const char *uproc_cli_socket_path(void);

/** uproc_cli_connect() - connect to uprocd; on failure print what to do (unless @quiet), return -errno. */
int uproc_cli_connect(bool quiet);

/**
 * uproc_cli_request() - send @op with @args, hand DATA frames to @fn->data (or
 * stdout) as they come and the reply to @fn->fn (or print it). A stream (trace -f,
 * events) that uprocd ends is a failure: it says so. Returns the exit status.
 */
int uproc_cli_request(enum uproc_ctl_op op, const char *const *args, int nargs,
		      struct uproc_cli_reply_fn *fn);

/**
 * uproc_cli_sysfs_root() - the kernel remoteproc tree to drive, or NULL for uprocd:
 * --sysfs ROOT; else, when neither --socket nor $UPROC_SOCKET is given, no uprocd
 * answers on the default socket and /sys/class/remoteproc has processors, "/sys".
 */
const char *uproc_cli_sysfs_root(void);

/** struct uproc_trace_json - trace text turned into JSON lines, fed in pieces. */
struct uproc_trace_json {
	const char *processor;
	unsigned int trace;
	char line[4096];
	size_t len;
};

/** uproc_trace_json_feed() - feed trace text; print each whole line as JSON. */
void uproc_trace_json_feed(struct uproc_trace_json *tj, const char *buf, size_t len);
/** uproc_trace_json_end() - print a last unterminated line. */
void uproc_trace_json_end(struct uproc_trace_json *tj);

/** uproc_cli_usage() - "usage: uproc CMD ARGS (see: uproc help CMD)"; returns 2. */
int uproc_cli_usage(const char *cmd, const char *args);

/* ---- the kernel backend (cli_sysfs.c) ----------------------------------------- */
int uproc_sysfs_list(const char *root, bool json);
int uproc_sysfs_status(const char *root, const char *name, bool json);
int uproc_sysfs_channels(const char *root, const char *name, bool json);
int uproc_sysfs_state(const char *root, const char *name, const char *word);
int uproc_sysfs_firmware(const char *root, const char *name, const char *file, bool list);
int uproc_sysfs_setting(const char *root, const char *name, const char *attr,
			const char *word);
int uproc_sysfs_dump(const char *root, const char *name, const char *file);
int uproc_sysfs_trace(const char *root, const char *name, bool follow, bool json);
/** uproc_sysfs_console() - the tty of @name's console into @path. Returns 0 or 1. */
int uproc_sysfs_console(const char *root, const char *name, char *path, size_t len);

/**
 * uproc_console_join() - join this terminal to tty @path (Ctrl-] quits). After the
 * end of input, what the processor still sends is printed until it is quiet, or
 * for @wait_ms if nothing comes. Returns the exit status.
 */
int uproc_console_join(const char *name, const char *path, int wait_ms);

#endif /* UPROC_CLI_DAEMON_INTERNAL_H */
