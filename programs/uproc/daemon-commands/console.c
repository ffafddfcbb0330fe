/* SPDX-License-Identifier: MIT */
/*
 * console.c - uproc console NAME: ask uprocd for the processor's console tty and
 * join it to this terminal (raw), until Ctrl-] or the tty hangs up.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli_daemon.h"
#include "cli_daemon_internal.h"

#define CTRL_RIGHT_BRACKET 0x1d

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

static int bridge(int tty)
{
	char buf[4096];
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = tty, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(tty, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
				fprintf(stderr, "\r\nuproc: the console went away (the processor "
					"stopped or crashed, or uprocd ended)\r\n");
				return 1;
			}
			if (n > 0 && write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
				return 1;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0)
				return 0; /* end of input: done */
			char *quit = memchr(buf, CTRL_RIGHT_BRACKET, (size_t)n);
			size_t len = quit ? (size_t)(quit - buf) : (size_t)n;
			if (len && write_all(tty, buf, len) < 0)
				return 1;
			if (quit)
				return 0;
		}
	}
}

int uproc_console_join(const char *name, const char *path)
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
	int status = bridge(tty);
	if (is_term)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	close(tty);
	return status;
}

int uproc_cmd_console(int argc, char **argv)
{
	char path[PATH_MAX] = "";
	struct uproc_cli_reply_fn fn = { take_path, NULL, path };

	if (argc != 2 || argv[1][0] == '-')
		return uproc_cli_usage("console", "NAME   (Ctrl-] quits)");
	const char *root = uproc_cli_sysfs_root();
	int status;
	if (root) {
		status = uproc_sysfs_console(root, argv[1], path, sizeof(path));
	} else {
		const char *args[] = { argv[1] };
		status = uproc_cli_request(UPROC_CTL_CONSOLE, args, 1, &fn);
	}
	if (status)
		return status;
	return uproc_console_join(argv[1], path);
}
