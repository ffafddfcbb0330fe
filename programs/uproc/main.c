// SPDX-License-Identifier: MIT
/*
 * main.c - the uproc command-line tool: "uproc [--socket PATH | --sysfs ROOT]
 * SUBCOMMAND [ARGS...]".
 *
 * Each subcommand is one line of uproc_commands[]: a name, its arguments, a
 * one-line summary, a longer help text and a function taking the subcommand's own
 * argc/argv (argv[0] = its name) and returning the exit status. --socket and
 * --sysfs may stand anywhere before a "--"; they are taken out before the
 * subcommand sees its arguments.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_daemon.h"
#include "cli_gdb.h"
#include "cli_inspect.h"
#include "cli_run.h"
#include "uproc_control.h"

struct uproc_command {
	const char *name;
	const char *args;
	const char *summary;
	const char *help;
	int (*run)(int argc, char **argv);
};

static int uproc_cmd_help(int argc, char **argv);

static const struct uproc_command uproc_commands[] = {
	{ "help", "[SUBCOMMAND]", "list the subcommands, or explain one", "", uproc_cmd_help },
	{ "inspect", "FIRMWARE", "show a firmware image's segments and resource table",
	  "Reads the ELF image and prints its summary, loadable segments and resource\n"
	  "table. Exit status 1 if it is not a usable firmware image.\n", uproc_cmd_inspect },
	{ "run", "[OPTIONS] FIRMWARE", "boot a firmware on its core and join it to this terminal",
	  NULL, uproc_cmd_run },
	{ "list", "[--json]", "list the remote processors",
	  "One line per processor: device, name, state, firmware. --json prints one JSON\n"
	  "document (see uproc(1), JSON OUTPUT).\n", uproc_cmd_list },
	{ "status", "NAME [--json]", "show a processor's state, settings and channels",
	  "NAME is the processor's name or remoteprocN. --json prints one JSON document\n"
	  "(see uproc(1), JSON OUTPUT).\n", uproc_cmd_status },
	{ "start", "NAME", "boot a processor (or attach to it)", "", uproc_cmd_start },
	{ "stop", "NAME", "shut a processor down", "", uproc_cmd_stop },
	{ "detach", "NAME", "let go of an attached processor, leaving it running", "",
	  uproc_cmd_detach },
	{ "firmware", "NAME [FILE | --list]", "show or set a processor's firmware",
	  "Without FILE: print the firmware it boots. With FILE (a name inside its firmware\n"
	  "directories): set it; the processor must be offline. --list: the files its\n"
	  "firmware directories offer.\n", uproc_cmd_firmware },
	{ "recovery", "NAME [enabled|disabled|recover]", "show or set crash recovery, or recover now",
	  "Without a value: print the current setting. \"recover\" recovers a crashed\n"
	  "processor now.\n", uproc_cmd_recovery },
	{ "coredump", "NAME [disabled|enabled|inline | --save FILE]",
	  "show or set coredumps, or save the latest one",
	  "Without a value: print the current setting. --save FILE writes the latest\n"
	  "coredump (an ELF core file; gdb FIRMWARE FILE reads it) to FILE (- : stdout).\n",
	  uproc_cmd_coredump },
	{ "trace", "NAME [-f] [--json]", "print a processor's trace buffers",
	  "-f follows: new lines are printed as the firmware writes them, until Ctrl-C; it\n"
	  "exits with status 1 when uprocd goes away. --json: one JSON object per line,\n"
	  "{\"processor\":NAME,\"trace\":N,\"line\":TEXT}.\n", uproc_cmd_trace },
	{ "channels", "NAME [--json]", "list its rpmsg channels, endpoints, ttys and consoles",
	  "Names the remote announced are shown escaped: printable ASCII as is, any\n"
	  "other byte as \\xHH (\\u00HH in JSON).\n", uproc_cmd_channels },
	{ "console", "NAME [--wait SECONDS]", "join this terminal to its console",
	  "Ctrl-] quits. Exits with status 1 and says so when the console goes away (the\n"
	  "processor stopped or crashed, or uprocd ended). When the input ends (a pipe,\n"
	  "a file), it goes on printing the answer until the console has been quiet for\n"
	  "0.5 s, or for --wait SECONDS (default 5) if no answer comes, then exits 0.\n",
	  uproc_cmd_console },
	{ "events", "[NAME]", "stream lifecycle events, one JSON object per line",
	  "Events: boot, stop, crash (with its reason), recovery, coredump, attach,\n"
	  "detach, channel-up, channel-down (see uproc(1), EVENTS). Runs until Ctrl-C;\n"
	  "exits with status 1 when uprocd goes away.\n", uproc_cmd_events },
	{ "gdb", "[--runtime-dir DIR] [--port N] NAME|PID",
	  "serve the gdb remote protocol of a running emulated core", NULL, uproc_cmd_gdb },
	{ "top", "[-d SECONDS] [-n COUNT]", "a live view of every processor (q quits)",
	  "Refreshes in place every SECONDS (default 1): state, backend, CPU use of each\n"
	  "core, messages and bytes per second each way per channel, crashes, recoveries,\n"
	  "the last trace line. -n: stop after COUNT screens. Off a terminal it prints\n"
	  "one screen after another.\n", uproc_cmd_top },
};

#define UPROC_NUM_COMMANDS (sizeof(uproc_commands) / sizeof(uproc_commands[0]))

static void uproc_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: uproc [--socket PATH | --sysfs ROOT] SUBCOMMAND [ARGS...]\n"
		"       uproc help SUBCOMMAND | uproc SUBCOMMAND --help | uproc --version\n\n"
		"subcommands:\n");
	for (i = 0; i < UPROC_NUM_COMMANDS; i++)
		fprintf(out, "  %-10s %s\n", uproc_commands[i].name, uproc_commands[i].summary);
	fprintf(out, "\nThe processors are uprocd's (its socket: --socket PATH, $UPROC_SOCKET, or\n"
		"%s), or with --sysfs ROOT those of a Linux kernel's remoteproc tree\n"
		"(ROOT/class/remoteproc; /sys when no uprocd answers and the kernel has some).\n",
		UPROC_DEFAULT_SOCKET);
}

static const struct uproc_command *find_command(const char *name)
{
	for (size_t i = 0; i < UPROC_NUM_COMMANDS; i++)
		if (!strcmp(name, uproc_commands[i].name))
			return &uproc_commands[i];
	return NULL;
}

static int command_help(const struct uproc_command *c)
{
	if (!c->help) {
		char *argv[] = { (char *)c->name, "--help", NULL };
		return c->run(2, argv);
	}
	printf("usage: uproc %s %s\n%s.\n", c->name, c->args, c->summary);
	if (c->help[0])
		printf("\n%s", c->help);
	return 0;
}

static int uproc_cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		uproc_usage(stdout);
		return 0;
	}
	const struct uproc_command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "uproc: no subcommand '%s' (see: uproc help)\n", argv[1]);
		return 2;
	}
	return command_help(c);
}

/* Take --socket/--sysfs out of argv (before any "--"); returns the new argc or -1. */
static int global_options(int argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		bool sock = false, sysfs = false;

		if (!strcmp(a, "--")) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--socket", 8) && (a[8] == '\0' || a[8] == '='))
			sock = true;
		else if (!strncmp(a, "--sysfs", 7) && (a[7] == '\0' || a[7] == '='))
			sysfs = true;
		if (!sock && !sysfs) {
			argv[out++] = argv[i];
			continue;
		}
		const char *eq = strchr(a, '=');
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		if (!val || !*val) {
			fprintf(stderr, "uproc: %s needs a path\n", sock ? "--socket" : "--sysfs");
			return -1;
		}
		if (sock)
			uproc_cli_set_socket(val);
		else
			uproc_cli_set_sysfs(val);
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	argc = global_options(argc, argv);
	if (argc < 0)
		return 2;
	if (argc < 2) {
		uproc_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return uproc_cmd_help(1, argv + 1);
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("uproc %s (control protocol %d)\n", UPROC_VERSION, UPROC_CTL_VERSION);
		return 0;
	}
	const struct uproc_command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "uproc: unknown subcommand '%s' (see: uproc help)\n", argv[1]);
		return 2;
	}
	/* SUBCOMMAND --help (run explains itself) */
	if (c->help) {
		for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
				return command_help(c);
	}
	return c->run(argc - 1, argv + 1);
}
