// SPDX-License-Identifier: MIT
/* cli_run.c - "uproc run": the command line. The work is in run_session.c. */
#include "cli_run.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run_session.h"

int run_session_loop(struct run_session *s);

static const char *const default_channels[] = { "rpmsg-tty", "rpmsg-client-sample",
						 "rpmsg-crash" };

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: uproc run [OPTIONS] FIRMWARE\n"
		"Boot FIRMWARE on a core (native for x86-64, emulated for ARM Cortex-M, RISC-V\n"
		"RV32, MIPS32), print its trace lines, and join this terminal\n"
		"(or the piped input) to its first tty channel or virtio console.\n"
		"  --channel NAME          join the rpmsg channel NAME (repeatable; default:\n"
		"                          rpmsg-tty, rpmsg-client-sample, rpmsg-crash)\n"
		"  --recovery MODE         enabled: recover a crashed core and go on;\n"
		"                          disabled (default): a crash ends the run (status 3)\n"
		"  --coredump MODE         disabled (default), enabled or inline\n"
		"  --dump-dir DIR          save each coredump as DIR/NAME.N.core (implies\n"
		"                          --coredump enabled; needed by enabled and inline,\n"
		"                          also when the crash ends the run)\n"
		"  --watchdog MS|off       a core whose firmware beats its heartbeat and then\n"
		"                          neither beats nor sleeps for MS is hung: it crashes\n"
		"                          (reason watchdog; default 5000)\n"
		"  --cpu N                 pin the core to CPU N (0 .. number of CPUs - 1)\n"
		"  --reply-wait MS         piped input: wait up to MS for each line's answer\n"
		"                          before sending the next (default 2000, 0: don't wait)\n"
		"  --raw                   on a terminal: send each keystroke as typed (default:\n"
		"                          a line at a time, sent on Enter, echoed locally)\n"
		"  --no-trace              do not print the trace buffer\n"
		"  -v, --verbose           also print the library's error and info log lines\n"
		"Exit status: 0 end of input, 1 boot failed, 2 usage, 3 crashed, 130 Ctrl-C.\n");
}

/* A whole decimal number in [@min, @max], or -1 after a usage message. */
static long parse_number(const char *opt, const char *arg, long min, long max)
{
	char *end;

	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		fprintf(stderr, "uproc run: %s takes a number from %ld to %ld, not '%s' (see: "
			"uproc help run)\n", opt, min, max, arg);
		return -1;
	}
	return v;
}

/* The firmware must be a regular file: a directory, FIFO or device is refused. */
static int check_firmware(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "uproc run: %s: %s\n", path, strerror(errno));
		return RUN_BOOT_FAILED;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "uproc run: %s: Is a directory (give a firmware file)\n", path);
		return RUN_BOOT_FAILED;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "uproc run: %s: not a regular file (a FIFO, socket or device): "
			"refused\n", path);
		return RUN_BOOT_FAILED;
	}
	return RUN_OK;
}

static int parse_mode(const char *arg, const char *const *words, int nwords)
{
	for (int i = 0; i < nwords; i++)
		if (!strcmp(arg, words[i]))
			return i;
	return -1;
}

int uproc_cmd_run(int argc, char **argv)
{
	static const char *const recovery_words[] = { "disabled", "enabled" };
	static const char *const dump_words[] = { "disabled", "enabled", "inline" };
	static const struct option longopts[] = {
		{ "channel", required_argument, NULL, 'n' },
		{ "recovery", required_argument, NULL, 'r' },
		{ "coredump", required_argument, NULL, 'd' },
		{ "dump-dir", required_argument, NULL, 'D' },
		{ "watchdog", required_argument, NULL, 'W' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "reply-wait", required_argument, NULL, 'w' },
		{ "no-trace", no_argument, NULL, 'T' },
		{ "raw", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct run_session session;	/* large (input buffer): not on the stack */
	struct run_session *s = &session;
	int c, mode;
	long num;
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);

	memset(s, 0, sizeof(*s));
	s->signal_fd = -1;
	s->console = -1;
	s->opt.cpu = -1;
	s->opt.trace = true;
	s->opt.reply_wait_ms = 2000;
	s->opt.coredump = RPROC_COREDUMP_DISABLED;
	s->opt.watchdog_ms = RUN_WATCHDOG_MS_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (s->opt.nchannels == RUN_MAX_CHANNELS || strlen(optarg) >= 32) {
				fprintf(stderr, "uproc run: at most %d channel names of < 32 bytes\n",
					RUN_MAX_CHANNELS);
				return RUN_USAGE;
			}
			s->opt.channels[s->opt.nchannels++] = optarg;
			break;
		case 'r':
			mode = parse_mode(optarg, recovery_words, 2);
			if (mode < 0) {
				fprintf(stderr, "uproc run: --recovery takes enabled or disabled\n");
				return RUN_USAGE;
			}
			s->opt.recovery = mode == 1;
			break;
		case 'd':
			mode = parse_mode(optarg, dump_words, 3);
			if (mode < 0) {
				fprintf(stderr, "uproc run: --coredump takes disabled, enabled or inline\n");
				return RUN_USAGE;
			}
			s->opt.coredump = (enum rproc_dump_mechanism)mode;
			break;
		case 'D':
			s->opt.dump_dir = optarg;
			break;
		case 'c':
			num = parse_number("--cpu", optarg, 0,
					   (ncpu > 0 && ncpu <= CPU_SETSIZE ? ncpu : CPU_SETSIZE) - 1);
			if (num < 0)
				return RUN_USAGE;
			s->opt.cpu = (int)num;
			break;
		case 'W':
			if (!strcmp(optarg, "off") || !strcmp(optarg, "0")) {
				s->opt.watchdog_ms = 0;
				break;
			}
			num = parse_number("--watchdog", optarg, 1, 3600000);
			if (num < 0)
				return RUN_USAGE;
			s->opt.watchdog_ms = (uint32_t)num;
			break;
		case 'w':
			num = parse_number("--reply-wait", optarg, 0, 3600000);
			if (num < 0)
				return RUN_USAGE;
			s->opt.reply_wait_ms = (unsigned int)num;
			break;
		case 'R':
			s->opt.raw = true;
			break;
		case 'T':
			s->opt.trace = false;
			break;
		case 'v':
			s->opt.verbose = true;
			break;
		case 'h':
			run_usage(stdout);
			return RUN_OK;
		default:
			run_usage(stderr);
			return RUN_USAGE;
		}
	}
	if (optind != argc - 1) {
		run_usage(stderr);
		return RUN_USAGE;
	}
	s->opt.firmware = argv[optind];
	if (check_firmware(s->opt.firmware) != RUN_OK)
		return RUN_BOOT_FAILED;
	if (s->opt.dump_dir && s->opt.coredump == RPROC_COREDUMP_DISABLED)
		s->opt.coredump = RPROC_COREDUMP_ENABLED;
	if (s->opt.coredump != RPROC_COREDUMP_DISABLED && !s->opt.dump_dir) {
		/* A dump nobody saves would be taken and lost: say so instead. */
		fprintf(stderr, "uproc run: --coredump %s needs --dump-dir DIR (where to save "
			"the dumps)\n", s->opt.coredump == RPROC_COREDUMP_INLINE ? "inline" :
			"enabled");
		return RUN_USAGE;
	}
	if (!s->opt.nchannels) {
		for (size_t i = 0; i < sizeof(default_channels) / sizeof(default_channels[0]); i++)
			s->opt.channels[s->opt.nchannels++] = default_channels[i];
	}

	int status = run_session_start(s);
	if (status == RUN_OK)
		status = run_session_loop(s);
	run_session_stop(s);
	return status;
}
