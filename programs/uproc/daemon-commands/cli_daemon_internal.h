/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon_internal.h - shared by the files of programs/uproc/daemon-commands.
 */
#ifndef UPROC_CLI_DAEMON_INTERNAL_H
#define UPROC_CLI_DAEMON_INTERNAL_H

#include <stdbool.h>

#include "uproc_control.h"

/** struct uproc_cli_reply_fn - handle a successful reply instead of printing it. */
struct uproc_cli_reply_fn {
	int (*fn)(const struct uproc_ctl_msg *m, void *arg);
	void *arg;
};

/** uproc_cli_socket_path() - $UPROC_SOCKET or the default. */
const char *uproc_cli_socket_path(void);

/** uproc_cli_connect() - connect to uprocd; on failure print what to do, return -errno. */
int uproc_cli_connect(void);

/**
 * uproc_cli_request() - send @op with @args, print DATA frames as they come and
 * the reply (or hand a successful one to @fn). Returns the exit status.
 */
int uproc_cli_request(enum uproc_ctl_op op, const char *const *args, int nargs,
		      struct uproc_cli_reply_fn *fn);

#endif /* UPROC_CLI_DAEMON_INTERNAL_H */
