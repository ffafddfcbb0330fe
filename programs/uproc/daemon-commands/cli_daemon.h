/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon.h - the uproc subcommands that manage processors: uprocd's over its
 * control socket (--socket PATH, $UPROC_SOCKET, default /run/uproc/uprocd.sock), or
 * a Linux kernel's through its remoteproc tree (--sysfs ROOT; /sys when no uprocd
 * answers and /sys/class/remoteproc has processors). Each takes its own argc/argv
 * (argv[0] = the subcommand's name) and returns the exit status: 0 done, 1 failed
 * (a message on stderr says why and what to do), 2 bad usage.
 */
#ifndef UPROC_CLI_DAEMON_H
#define UPROC_CLI_DAEMON_H

#define UPROC_DEFAULT_SOCKET "/run/uproc/uprocd.sock"

/** uproc_cli_set_socket() - talk to uprocd at @path (--socket). */
void uproc_cli_set_socket(const char *path);
/** uproc_cli_set_sysfs() - drive the kernel remoteproc tree under @root (--sysfs). */
void uproc_cli_set_sysfs(const char *root);

int uproc_cmd_list(int argc, char **argv);
int uproc_cmd_status(int argc, char **argv);
int uproc_cmd_start(int argc, char **argv);
int uproc_cmd_stop(int argc, char **argv);
int uproc_cmd_detach(int argc, char **argv);
int uproc_cmd_firmware(int argc, char **argv);
int uproc_cmd_recovery(int argc, char **argv);
int uproc_cmd_coredump(int argc, char **argv);
int uproc_cmd_trace(int argc, char **argv);
int uproc_cmd_channels(int argc, char **argv);
int uproc_cmd_console(int argc, char **argv);
int uproc_cmd_events(int argc, char **argv);
int uproc_cmd_top(int argc, char **argv);

#endif /* UPROC_CLI_DAEMON_H */
