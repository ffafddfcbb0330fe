// SPDX-License-Identifier: MIT
/*
 * main.c - the uproc command-line tool: "uproc SUBCOMMAND [ARGS...]".
 *
 * Each subcommand is one line of uproc_commands[]: a name, a one-line summary
 * and a function taking the subcommand's own argc/argv (argv[0] = its name)
 * and returning the exit status.
 */
#include <stdio.h>
#include <string.h>

#include "cli_daemon.h"
#include "cli_inspect.h"
#include "cli_run.h"

struct uproc_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int uproc_cmd_help(int argc, char **argv);

static const struct uproc_command uproc_commands[] = {
	{ "help", "list the subcommands", uproc_cmd_help },
	{ "inspect", "show a firmware image's segments and resource table", uproc_cmd_inspect },
	{ "run", "boot a firmware on a native core and join it to this terminal", uproc_cmd_run },
	{ "list", "list the remote processors uprocd runs", uproc_cmd_list },
	{ "status", "show a processor's state, settings and channels", uproc_cmd_status },
	{ "start", "boot a processor (or attach to it)", uproc_cmd_start },
	{ "stop", "shut a processor down", uproc_cmd_stop },
	{ "detach", "let go of an attached processor, leaving it running", uproc_cmd_detach },
	{ "firmware", "set an offline processor's firmware", uproc_cmd_firmware },
	{ "recovery", "enabled | disabled | recover", uproc_cmd_recovery },
	{ "coredump", "disabled | enabled | inline", uproc_cmd_coredump },
	{ "trace", "print a processor's trace buffers (-f: follow)", uproc_cmd_trace },
	{ "channels", "list its rpmsg channels, endpoints, ttys and consoles", uproc_cmd_channels },
	{ "console", "join this terminal to its console", uproc_cmd_console },
};

#define UPROC_NUM_COMMANDS (sizeof(uproc_commands) / sizeof(uproc_commands[0]))

static void uproc_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: uproc SUBCOMMAND [ARGS...]\n\nsubcommands:\n");
	for (i = 0; i < UPROC_NUM_COMMANDS; i++)
		fprintf(out, "  %-12s %s\n", uproc_commands[i].name, uproc_commands[i].summary);
}

static int uproc_cmd_help(int argc, char **argv)
{
	uproc_usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		uproc_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return uproc_cmd_help(argc - 1, argv + 1);
	for (i = 0; i < UPROC_NUM_COMMANDS; i++)
		if (!strcmp(argv[1], uproc_commands[i].name))
			return uproc_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "uproc: unknown subcommand '%s'\n", argv[1]);
	uproc_usage(stderr);
	return 2;
}
