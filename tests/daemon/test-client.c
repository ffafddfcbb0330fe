/* SPDX-License-Identifier: MIT */
/*
 * test-client.c - a small client of uprocd's device files and ttys, for the
 * end-to-end tests (test-uprocd.sh), driving them as a program written for a Linux
 * board drives /dev/remoteprocN, /dev/rpmsg_ctrlN and /dev/rpmsgM: open, ioctl with
 * Linux's numbers, read, write, poll. Every wait has a timeout, generous enough for
 * a sanitizer build on a loaded machine (WAIT_MS): it only matters when a test fails.
 *
 *   test-client cdev PATH [CMD...] [--hold]   for each CMD, write it to
 *                                             <dev>/remoteprocN, or for
 *                                             "set_shutdown_on_release N" and
 *                                             "get_shutdown_on_release" make the
 *                                             ioctl; print 0, the value or -errno;
 *                                             --hold: then wait until killed
 *   test-client ept-create CTRL NAME SRC DST  RPMSG_CREATE_EPT_IOCTL; print the new
 *                                             endpoint's number M (the rpmsgM that
 *                                             appeared)
 *   test-client ept-destroy EPT               RPMSG_DESTROY_EPT_IOCTL on the endpoint:
 *                                             print 0 or -errno
 *   test-client dev-create CTRL NAME SRC DST  RPMSG_CREATE_DEV_IOCTL: print 0 or -errno
 *   test-client dev-release CTRL NAME SRC     RPMSG_RELEASE_DEV_IOCTL: print 0 or -errno
 *   test-client ept-send EPT MSG...           write each, print each reply
 *   test-client ept-write EPT MSG...          write each, print nothing
 *   test-client ept-read EPT N                print N messages
 *   test-client ept-wait-hup EPT SECONDS      print "hup epipe" when the channel goes
 *                                             (read and write fail with EPIPE)
 *   test-client tty PATH MSG                  write MSG, print what comes back
 *   test-client ept-burst EPT N               write N numbered messages without
 *                                             blocking as fast as poll() says the
 *                                             device takes them while reading the
 *                                             echoes; print how many came back
 *                                             and how many in order
 *   test-client raw-stream PATH               write stdin to a stream socket, then
 *                                             go away without waiting for a reply
 *   test-client tty-stream PATH BYTES WINDOW [PIECE GAP_MS]
 *                                             write BYTES of a pattern to a tty, at
 *                                             most WINDOW bytes ahead of what came
 *                                             back, in writes of at most PIECE bytes
 *                                             GAP_MS apart, while reading the
 *                                             case-inverted echo; print the bytes
 *                                             back and how many of them were in order
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "rpmsg_uapi.h"

#define WAIT_MS 10000

#define RPROC_SET_SHUTDOWN_ON_RELEASE _IOW(0xB7, 1, int32_t)
#define RPROC_GET_SHUTDOWN_ON_RELEASE _IOR(0xB7, 2, int32_t)

static int dev_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
	return fd;
}

static ssize_t read_timeout(int fd, void *buf, size_t len, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, ms);

	if (r <= 0)
		return r == 0 ? -ETIMEDOUT : -errno;
	ssize_t n = read(fd, buf, len);
	return n < 0 ? -errno : n;
}

static int cmd_cdev(int argc, char **argv)
{
	int fd = dev_open(argv[2], O_RDWR);
	bool hold = false;

	if (fd < 0)
		return 1;
	for (int i = 3; i < argc; i++) {
		int32_t v;
		int r;
		if (!strcmp(argv[i], "--hold")) {
			hold = true;
			continue;
		}
		if (!strncmp(argv[i], "set_shutdown_on_release ", 24)) {
			v = (int32_t)strtol(argv[i] + 24, NULL, 0);
			r = ioctl(fd, RPROC_SET_SHUTDOWN_ON_RELEASE, &v) < 0 ? -errno : 0;
		} else if (!strcmp(argv[i], "get_shutdown_on_release")) {
			r = ioctl(fd, RPROC_GET_SHUTDOWN_ON_RELEASE, &v) < 0 ? -errno : v;
		} else {
			size_t len = strlen(argv[i]);
			r = write(fd, argv[i], len) < 0 ? -errno : 0;
		}
		printf("%d\n", r);
		fflush(stdout);
	}
	if (hold) {
		printf("holding\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	close(fd);
	return 0;
}

/* The rpmsgM numbers in @dir now, as a bitmap. */
static void list_epts(const char *dir, uint8_t *seen)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	memset(seen, 0, 256);
	if (!dp)
		return;
	while ((de = readdir(dp))) {
		char *end;
		if (strncmp(de->d_name, "rpmsg", 5) || de->d_name[5] < '0' || de->d_name[5] > '9')
			continue;
		unsigned long m = strtoul(de->d_name + 5, &end, 10);
		if (!*end && m < 256)
			seen[m] = 1;
	}
	closedir(dp);
}

/* ioctl @cmd with {name, src, dst} on the control device: 0 or -errno. */
static int ctrl_ioctl(const char *path, unsigned long cmd, const char *name, uint32_t src,
		      uint32_t dst)
{
	struct uprocd_endpoint_info info = { .src = src, .dst = dst };
	int fd = dev_open(path, O_RDWR);

	if (fd < 0)
		return -errno;
	snprintf(info.name, sizeof(info.name), "%s", name);
	int r = ioctl(fd, cmd, &info) < 0 ? -errno : 0;
	close(fd);
	return r;
}

static int cmd_ept_create(const char *ctrl, const char *name, uint32_t src, uint32_t dst)
{
	char dir[4096];
	uint8_t before[256], after[256];

	snprintf(dir, sizeof(dir), "%s", ctrl);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	list_epts(dir, before);
	int r = ctrl_ioctl(ctrl, UPROCD_RPMSG_CREATE_EPT, name, src, dst);
	if (r < 0) {
		printf("%d\n", r);
		return 1;
	}
	/* Linux's way of finding it: the endpoint device that appeared */
	list_epts(dir, after);
	for (int m = 0; m < 256; m++) {
		if (after[m] && !before[m]) {
			printf("%d\n", m);
			return 0;
		}
	}
	printf("no new endpoint device\n");
	return 1;
}

static int cmd_ept_destroy(const char *path)
{
	int fd = dev_open(path, O_RDWR);

	if (fd < 0)
		return 1;
	int r = ioctl(fd, UPROCD_RPMSG_DESTROY_EPT) < 0 ? -errno : 0;
	printf("%d\n", r);
	close(fd);
	return r ? 1 : 0;
}

static int cmd_ept_send(int argc, char **argv, bool expect_reply)
{
	int fd = dev_open(argv[2], O_RDWR);
	char buf[1024];

	if (fd < 0)
		return 1;
	for (int i = 3; i < argc; i++) {
		if (write(fd, argv[i], strlen(argv[i])) < 0) {
			printf("write: %s\n", strerror(errno));
			return 1;
		}
		if (!expect_reply)
			continue;
		ssize_t n = read_timeout(fd, buf, sizeof(buf) - 1, WAIT_MS);
		if (n < 0) {
			printf("read: %s\n", strerror((int)-n));
			return 1;
		}
		buf[n] = '\0';
		printf("%s\n", buf);
	}
	close(fd);
	return 0;
}

static int cmd_ept_read(const char *path, int count)
{
	int fd = dev_open(path, O_RDWR);
	char buf[1024];

	if (fd < 0)
		return 1;
	for (int i = 0; i < count; i++) {
		ssize_t n = read_timeout(fd, buf, sizeof(buf) - 1, WAIT_MS);
		if (n <= 0) {
			printf("read: %s\n", n ? strerror((int)-n) : "end");
			return 1;
		}
		buf[n] = '\0';
		printf("%s\n", buf);
	}
	close(fd);
	return 0;
}

static int cmd_ept_wait_hup(const char *path, int seconds)
{
	int fd = dev_open(path, O_RDWR);
	char buf[1024];

	if (fd < 0)
		return 1;
	for (;;) {
		/* a blocking read, answered when the channel goes */
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EPIPE) {
			if (write(fd, "x", 1) < 0 && errno == EPIPE)
				printf("hup epipe\n");
			else
				printf("hup\n");
			return 0;
		}
		if (n <= 0) {
			printf("no hangup: %s\n", n ? strerror(errno) : "end of file");
			return 1;
		}
		(void)seconds;
	}
}

static int cmd_tty(const char *path, const char *msg)
{
	int fd = open(path, O_RDWR | O_NOCTTY);
	struct termios t;
	char buf[4096];
	size_t got = 0, want = strlen(msg);

	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	if (write(fd, msg, want) != (ssize_t)want)
		return 1;
	while (got < want && got < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, WAIT_MS) <= 0)
			break;
		ssize_t n = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	printf("%s\n", buf);
	close(fd);
	return got == want ? 0 : 1;
}

static int cmd_ept_burst(const char *path, int count)
{
	int fd = dev_open(path, O_RDWR | O_NONBLOCK);
	int sent = 0, got = 0, in_order = 0, waits = 0;
	char buf[1024], msg[64];

	if (fd < 0)
		return 1;
	while (got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN | (sent < count ? POLLOUT : 0) };
		if (poll(&p, 1, WAIT_MS) <= 0)
			break;
		if (p.revents & POLLIN) {
			ssize_t n = read(fd, buf, sizeof(buf) - 1);
			if (n <= 0)
				break;
			buf[n] = '\0';
			snprintf(msg, sizeof(msg), "message %d", got);
			if (!strcmp(buf, msg))
				in_order++;
			got++;
		}
		if (sent < count && (p.revents & POLLOUT)) {
			int len = snprintf(msg, sizeof(msg), "message %d", sent);
			if (write(fd, msg, (size_t)len) == len)
				sent++;
			else if (errno == EAGAIN)
				waits++;
			else
				break;
		}
	}
	printf("%d %d\n", got, in_order);
	close(fd);
	return got == count && in_order == count ? 0 : 1;
}

/* Byte @i of the tty-stream pattern: letters and digits, not periodic in any
 * message or buffer size, so a lost, doubled or reordered piece shows. */
static char stream_byte(size_t i)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	uint32_t h = (uint32_t)i * 2654435761u;
	return set[(h >> 16) % (sizeof(set) - 1)];
}

static char invert_case(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_tty_stream(const char *path, size_t total, size_t window, size_t piece, int gap_ms)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
	struct termios t;
	char buf[4096];
	size_t sent = 0, got = 0, in_order = 0;
	long long next_write = 0, last_progress = now_ms();

	if (fd < 0) {
		printf("open: %s\n", strerror(errno));
		return 1;
	}
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	if (piece > sizeof(buf))
		piece = sizeof(buf);
	while (got < total) {
		long long now = now_ms();
		bool may_write = sent < total && sent - got < window;
		bool due = may_write && now >= next_write;
		int timeout = may_write && !due ? (int)(next_write - now) : WAIT_MS;
		struct pollfd p = { .fd = fd, .events = POLLIN | (due ? POLLOUT : 0) };

		if (now - last_progress > WAIT_MS)
			break;
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			break;
		if (p.revents & POLLIN) {
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;
			for (ssize_t i = 0; i < n; i++, got++) {
				if (buf[i] == invert_case(stream_byte(got)))
					in_order++;
				else if (in_order == got)
					fprintf(stderr, "tty-stream: first difference at byte %zu\n", got);
			}
			if (n > 0)
				last_progress = now_ms();
		}
		if (due && (p.revents & POLLOUT)) {
			size_t len = total - sent;
			if (len > piece)
				len = piece;
			if (len > window - (sent - got))
				len = window - (sent - got);
			for (size_t i = 0; i < len; i++)
				buf[i] = stream_byte(sent + i);
			ssize_t n = write(fd, buf, len);
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				break;
			if (n > 0) {
				sent += (size_t)n;
				last_progress = now_ms();
				next_write = last_progress + gap_ms;
			}
		}
	}
	printf("%zu %zu\n", got, in_order);
	close(fd);
	return got == total && in_order == total ? 0 : 1;
}

static int cmd_raw_stream(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	char buf[4096];
	ssize_t n;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return 1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			return 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "cdev"))
		return cmd_cdev(argc, argv);
	if (argc == 6 && !strcmp(argv[1], "ept-create"))
		return cmd_ept_create(argv[2], argv[3], (uint32_t)strtoul(argv[4], NULL, 0),
				      (uint32_t)strtoul(argv[5], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "ept-destroy"))
		return cmd_ept_destroy(argv[2]);
	if ((argc == 6 && !strcmp(argv[1], "dev-create")) ||
	    (argc == 5 && !strcmp(argv[1], "dev-release"))) {
		bool create = argc == 6;
		int r = ctrl_ioctl(argv[2], create ? UPROCD_RPMSG_CREATE_DEV : UPROCD_RPMSG_RELEASE_DEV,
				   argv[3], (uint32_t)strtoul(argv[4], NULL, 0),
				   create ? (uint32_t)strtoul(argv[5], NULL, 0) : 0xFFFFFFFFu);
		printf("%d\n", r);
		return r ? 1 : 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "ept-send"))
		return cmd_ept_send(argc, argv, true);
	if (argc >= 4 && !strcmp(argv[1], "ept-write"))
		return cmd_ept_send(argc, argv, false);
	if (argc == 4 && !strcmp(argv[1], "ept-read"))
		return cmd_ept_read(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "ept-wait-hup"))
		return cmd_ept_wait_hup(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "ept-burst"))
		return cmd_ept_burst(argv[2], atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "raw-stream"))
		return cmd_raw_stream(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "tty"))
		return cmd_tty(argv[2], argv[3]);
	if ((argc == 5 || argc == 7) && !strcmp(argv[1], "tty-stream"))
		return cmd_tty_stream(argv[2], strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
				      argc == 7 ? strtoul(argv[5], NULL, 0) : 4096,
				      argc == 7 ? atoi(argv[6]) : 0);
	fprintf(stderr, "usage: see the top of test-client.c\n");
	return 2;
}
