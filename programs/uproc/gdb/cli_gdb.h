/* SPDX-License-Identifier: MIT */
/* cli_gdb.h - "uproc gdb": relay the gdb remote protocol of a running emulated core. */
#ifndef UPROC_CLI_GDB_H
#define UPROC_CLI_GDB_H

/** uproc_cmd_gdb() - the subcommand (argv[0] = "gdb"). Returns the exit status. */
int uproc_cmd_gdb(int argc, char **argv);

#endif
