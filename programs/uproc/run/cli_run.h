/* SPDX-License-Identifier: MIT */
/* cli_run.h - the "uproc run" subcommand. */
#ifndef UPROC_CLI_RUN_H
#define UPROC_CLI_RUN_H

/**
 * uproc_cmd_run() - "uproc run [OPTIONS] FIRMWARE": boot FIRMWARE on a native core,
 * print its trace lines as they appear (stderr), join standard input and output to
 * its first tty channel or console, and shut it down on Ctrl-C or end of input.
 * Returns the exit status: 0 after end of input or a clean stop, 1 when it could not
 * boot, 2 for bad usage, 3 when the core crashed (and was not recovered) or
 * exited by itself, 130 after Ctrl-C.
 */
int uproc_cmd_run(int argc, char **argv);

#endif /* UPROC_CLI_RUN_H */
