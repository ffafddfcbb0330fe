/* SPDX-License-Identifier: MIT */
/*
 * console.c - uproc console NAME: ask uprocd for the processor's console tty and
 * join it to this terminal (raw), until Ctrl-] or the tty hangs up.
 *
 * When the input ends (a pipe or a file, as `printf 'cmd\n' | uproc console NAME`),
 * the answer is still on its way: the console keeps printing what the processor
 * sends until it has been quiet for CONSOLE_QUIET_MS once an answer came after the
 * last input, or for --wait SECONDS if none comes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli_daemon.h"
#include "cli_daemon_internal.h"
#include "hostutil.h"

#define CTRL_RIGHT_BRACKET 0x1d
/* After the end of input: silence that ends an answer, and the default wait for one. */
#define CONSOLE_QUIET_MS 500
#define CONSOLE_WAIT_MS_DEFAULT 5000
#define CONSOLE_USAGE "NAME [--wait SECONDS]   (Ctrl-] quits)"

static int take_path(const struct uproc_ctl_msg *m, void *arg)
{
	if (uproc_ctl_field_str(m, 0, arg, PATH_MAX) < 0) {
		fprintf(stderr, "uproc: uprocd named no console\n");
		return 1;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };
				poll(&pfd, 1, 100);
				continue;
			}
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int bridge(int tty, int wait_ms)
{
	char buf[4096];
	struct pollfd pfd[2] = {
		{ .fd = tty, .events = POLLIN },
		{ .fd = STDIN_FILENO, .events = POLLIN },
	};
	nfds_t nfds = 2;
	bool answered = false; /* output came since the last input */
	int64_t deadline = -1;  /* once the input ended: when to leave */

	for (;;) {
		int timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - (int64_t)upi_now_ms();
			if (left <= 0)
				return 0; /* the answer is over (or never came) */
			timeout = (int)left;
		}
		int n = poll(pfd, nfds, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(tty, buf, sizeof(buf));
			if (r <= 0 && !(r < 0 && errno == EAGAIN)) {
				fprintf(stderr, "\r\nuproc: the console went away (the processor "
					"stopped or crashed, or uprocd ended)\r\n");
				return 1;
			}
			if (r > 0 && write_all(STDOUT_FILENO, buf, (size_t)r) < 0)
				return 1;
			if (r > 0) {
				answered = true;
				if (deadline >= 0)
					deadline = (int64_t)upi_now_ms() + CONSOLE_QUIET_MS;
			}
		}
		if (nfds > 1 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r <= 0) {
				/* End of input: stop reading it, wait for the answer. */
				nfds = 1;
				deadline = (int64_t)upi_now_ms() + (answered ? CONSOLE_QUIET_MS : wait_ms);
				continue;
			}
			char *quit = memchr(buf, CTRL_RIGHT_BRACKET, (size_t)r);
			size_t len = quit ? (size_t)(quit - buf) : (size_t)r;
			if (len && write_all(tty, buf, len) < 0)
				return 1;
			if (quit)
				return 0;
			answered = false;
		}
	}
}

int uproc_console_join(const char *name, const char *path, int wait_ms)
{
	struct termios saved, raw;

	int tty = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (tty < 0) {
		fprintf(stderr, "uproc: cannot open %s: %s%s\n", path, strerror(errno),
			errno == EACCES ? " (ask for membership of uprocd's group)" : "");
		return 1;
	}
	bool is_term = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (is_term) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fprintf(stderr, "Connected to %s (%s). Ctrl-] quits.\r\n", name, path);
	}
	int status = bridge(tty, wait_ms);
	if (is_term)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(tty);
	return status;
}

int uproc_cmd_console(int argc, char **argv)
{
	char path[PATH_MAX] = "";
	struct uproc_cli_reply_fn fn = { take_path, NULL, path };
	const char *name = NULL;
	int wait_ms = CONSOLE_WAIT_MS_DEFAULT;

	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		if (!strcmp(argv[i], "--wait") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--wait=", 7))
			v = argv[i] + 7;
		else if (argv[i][0] != '-' && !name) {
			name = argv[i];
			continue;
		}
		char *end;
		double sec = v ? strtod(v, &end) : -1;
		if (!v || end == v || *end || !(sec >= 0 && sec <= 3600))
			return uproc_cli_usage("console", CONSOLE_USAGE);
		wait_ms = (int)(sec * 1000);
	}
	if (!name)
		return uproc_cli_usage("console", CONSOLE_USAGE);
	const char *root = uproc_cli_sysfs_root();
	int status;
	if (root) {
		status = uproc_sysfs_console(root, name, path, sizeof(path));
	} else {
		const char *args[] = { name };
		status = uproc_cli_request(UPROC_CTL_CONSOLE, args, 1, &fn);
	}
	if (status)
		return status;
	return uproc_console_join(name, path, wait_ms);
}
