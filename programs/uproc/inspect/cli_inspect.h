/* SPDX-License-Identifier: MIT */
/*
 * cli_inspect.h - the "uproc inspect" subcommand.
 */
#ifndef UPROC_CLI_INSPECT_H
#define UPROC_CLI_INSPECT_H

/**
 * uproc_cmd_inspect() - "uproc inspect FIRMWARE...": print each firmware's ELF
 * summary, loadable segments and resource table (in the words of Linux's debugfs
 * resource_table file) to stdout; errors go to stderr.
 * @argc, @argv: the subcommand's arguments, argv[0] being "inspect"
 *
 * Return: the process exit status: 0 when every file is valid, 1 when any file
 * could not be read or is malformed, 2 on a usage error.
 */
int uproc_cmd_inspect(int argc, char **argv);

#endif /* UPROC_CLI_INSPECT_H */
