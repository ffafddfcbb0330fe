/* SPDX-License-Identifier: MIT */
/*
 * test-cli-main.c - the daemon subcommands of uproc in one program, for the
 * end-to-end tests of a tree where the uproc tool does not list them yet.
 */
#include <stdio.h>
#include <string.h>

#include "cli_daemon.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "list", uproc_cmd_list },	    { "status", uproc_cmd_status },
	{ "start", uproc_cmd_start },	    { "stop", uproc_cmd_stop },
	{ "detach", uproc_cmd_detach },	    { "firmware", uproc_cmd_firmware },
	{ "recovery", uproc_cmd_recovery }, { "coredump", uproc_cmd_coredump },
	{ "trace", uproc_cmd_trace },	    { "channels", uproc_cmd_channels },
	{ "console", uproc_cmd_console },
};

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "uproc: unknown subcommand '%s'\n", argv[1]);
	return 2;
}
