// SPDX-License-Identifier: MIT
/*
 * native_debug.c - debug a running core from another process.
 *
 * An emulated core serves the gdb remote protocol itself: find its control page
 * among its fds (the memfd named "uproc:ctl"), take and map it, read the socket's
 * number there (debug_fd) and take that fd too, then relay bytes. A native core runs
 * the firmware's own x86-64 code in its process at the firmware's link addresses:
 * gdbserver attaches to it with ptrace and serves the protocol (the stub allows any
 * tracer with PR_SET_PTRACER, for Yama), so the firmware's symbols apply as they are.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native_internal.h"

static int take_fd(int pidfd, int fd)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
}

/* The core's fd number of its control page, or -ESRCH. */
static int find_ctl_fd(pid_t pid)
{
	char path[64], link[128];
	struct dirent *de;
	int found = -ESRCH;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((de = readdir(d)) != NULL) {
		char fdpath[384];
		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		ssize_t n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (!strncmp(link, "/memfd:uproc:ctl", 16)) {
			found = atoi(de->d_name);
			break;
		}
	}
	closedir(d);
	return found;
}

int uproc_native_debug_open(pid_t pid, char *err, size_t len)
{
	int ret, pidfd, ctlfd, dfd = -1;
	struct uproc_native_ctl *ctl;

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		ret = -errno;
		upi_native_set_err(err, len, "process %d: %s", (int)pid, strerror(errno));
		return ret;
	}
	ret = find_ctl_fd(pid);
	if (ret < 0) {
		upi_native_set_err(err, len, "process %d is not a uproc core", (int)pid);
		goto out;
	}
	ctlfd = take_fd(pidfd, ret);
	if (ctlfd < 0) {
		ret = -errno;
		upi_native_set_err(err, len, "cannot take core %d's control page: %s", (int)pid,
				   strerror(errno));
		goto out;
	}
	ctl = mmap(NULL, UPROC_NATIVE_CTL_SIZE, PROT_READ, MAP_SHARED, ctlfd, 0);
	close(ctlfd);
	if (ctl == MAP_FAILED) {
		ret = -errno;
		upi_native_set_err(err, len, "cannot map core %d's control page", (int)pid);
		goto out;
	}
	int32_t debug_fd = ctl->magic == UPROC_NATIVE_CTL_MAGIC ? ctl->debug_fd : -1;
	munmap(ctl, UPROC_NATIVE_CTL_SIZE);
	if (debug_fd < 0) {
		ret = -ENOTSUP;
		upi_native_set_err(err, len, "core %d serves no debugger (a native core)", (int)pid);
		goto out;
	}
	dfd = take_fd(pidfd, debug_fd);
	if (dfd < 0) {
		ret = -errno;
		upi_native_set_err(err, len, "cannot take core %d's debugger socket: %s", (int)pid,
				   strerror(errno));
		goto out;
	}
	ret = dfd;
out:
	close(pidfd);
	return ret;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int uproc_native_debug_relay(int core, int in, int out)
{
	char buf[4096];
	struct pollfd pfd[2] = { { .fd = in, .events = POLLIN }, { .fd = core, .events = POLLIN } };

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(in, buf, sizeof(buf));
			if (n <= 0) {
				(void)write_all(core, "$D#44", 5);
				return 0;
			}
			if (!write_all(core, buf, (size_t)n))
				return -EPIPE;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(core, buf, sizeof(buf));
			if (n <= 0 || !write_all(out, buf, (size_t)n))
				return -EPIPE;
		}
	}
}

/* The gdbserver program in $PATH, into @path. */
static bool find_gdbserver(char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096];

	snprintf(dirs, sizeof(dirs), "%s", env && *env ? env : "/usr/bin:/bin");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(path, len, "%s/gdbserver", d) < len && access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/*
 * ---- gdbserver, and what gdb leaves behind ------------------------------------------
 *
 * gdbserver plants the breakpoints gdb asks for (Z packets) in the core's memory and
 * takes them out when gdb asks (z) or detaches. A gdb that dies while the core runs
 * asks nothing: gdbserver would stay attached, and the planted trap instructions
 * would outlive it and kill the core with SIGTRAP. So the session goes through a
 * relay that keeps the breakpoints gdb has in place and, when gdb's side ends
 * without a detach, stops the core, takes each one out and detaches, as gdb would.
 */

#define BP_MAX 64
#define BP_SPEC 48

struct bp_track {
	char spec[BP_MAX][BP_SPEC]; /* "TYPE,ADDR,KIND" of each Z packet in place */
	unsigned int n;
	char pkt[BP_SPEC + 8];	    /* the packet gdb is sending, while short */
	size_t len;
	bool in_pkt, too_long, detached;
};

/* A complete packet from gdb: note Z (in place), z (taken out) and D (detach). */
static void bp_packet(struct bp_track *t, const char *p, size_t len)
{
	char spec[BP_SPEC];

	if (len == 1 && p[0] == 'D') {
		t->detached = true;
		return;
	}
	if (len < 2 || (p[0] != 'Z' && p[0] != 'z') || len - 1 >= sizeof(spec))
		return;
	memcpy(spec, p + 1, len - 1);
	spec[len - 1] = '\0';
	spec[strcspn(spec, ";")] = '\0'; /* conditions and commands are not part of the key */
	for (unsigned int i = 0; i < t->n; i++) {
		if (strcmp(t->spec[i], spec))
			continue;
		if (p[0] == 'z')
			memcpy(t->spec[i], t->spec[--t->n], BP_SPEC);
		return;
	}
	if (p[0] == 'Z' && t->n < BP_MAX)
		memcpy(t->spec[t->n++], spec, sizeof(spec));
}

/* Bytes gdb sent: find the packets ("$payload#xx") in them. */
static void bp_scan(struct bp_track *t, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = buf[i];
		if (!t->in_pkt) {
			if (c == '$') {
				t->in_pkt = true;
				t->too_long = false;
				t->len = 0;
			}
			continue;
		}
		if (c == '#') {
			t->in_pkt = false;
			if (!t->too_long)
				bp_packet(t, t->pkt, t->len);
			continue;
		}
		if (t->len < sizeof(t->pkt))
			t->pkt[t->len++] = c;
		else
			t->too_long = true;
	}
}

/* Wait up to @ms for one packet from gdbserver on @fd and acknowledge it. */
static bool wait_packet(int fd, int ms)
{
	bool in = false;
	int hash = -1;
	char c;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		if (poll(&pfd, 1, ms) <= 0 || read(fd, &c, 1) != 1)
			return false;
		if (hash >= 0) {
			if (++hash == 3)
				return write_all(fd, "+", 1);
		} else if (c == '$') {
			in = true;
		} else if (in && c == '#') {
			hash = 1;
		}
	}
}

static bool send_packet(int fd, const char *payload)
{
	char pkt[BP_SPEC + 16];
	unsigned int sum = 0;

	for (const char *p = payload; *p; p++)
		sum += (unsigned char)*p;
	int n = snprintf(pkt, sizeof(pkt), "$%s#%02x", payload, sum & 0xFF);
	return n > 0 && (size_t)n < sizeof(pkt) && write_all(fd, pkt, (size_t)n);
}

/* gdb went away without detaching: stop the core, take the breakpoints out, detach. */
static void bp_cleanup(int server, struct bp_track *t)
{
	char pkt[BP_SPEC + 2];
	static const int wait_ms = 3000;

	if (t->detached)
		return;
	/* Stop it if it runs (a stopped core gives no answer: the wait just ends). */
	if (write_all(server, "\x03", 1))
		(void)wait_packet(server, wait_ms);
	for (unsigned int i = 0; i < t->n; i++) {
		snprintf(pkt, sizeof(pkt), "z%s", t->spec[i]);
		if (send_packet(server, pkt))
			(void)wait_packet(server, wait_ms);
	}
	t->n = 0;
	if (send_packet(server, "D"))
		(void)wait_packet(server, wait_ms);
}

/* Relay between gdb (@in/@out) and gdbserver (@server) until either side ends. */
static void relay_gdbserver(int server, int in, int out)
{
	struct bp_track t = { .n = 0 };
	char buf[4096];
	struct pollfd pfd[2] = { { .fd = in, .events = POLLIN },
				 { .fd = server, .events = POLLIN } };

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(in, buf, sizeof(buf));
			if (n <= 0) {
				bp_cleanup(server, &t);
				return;
			}
			bp_scan(&t, buf, (size_t)n);
			if (!write_all(server, buf, (size_t)n))
				return;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(server, buf, sizeof(buf));
			if (n <= 0)
				return;
			if (!write_all(out, buf, (size_t)n)) {
				bp_cleanup(server, &t);
				return;
			}
		}
	}
}

/* gdbserver attached to @pid, speaking to gdb on @in/@out; returns when it ends. */
static int serve_native(pid_t pid, int in, int out, char *err, size_t len)
{
	char path[4096], pidarg[16];
	int status, sv[2];

	if (!find_gdbserver(path, sizeof(path))) {
		upi_native_set_err(err, len, "core %d is native: debugging it takes gdbserver, "
				   "which is not installed", (int)pid);
		return -ENOENT;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		int e = -errno;
		upi_native_set_err(err, len, "socketpair: %s", strerror(errno));
		return e;
	}
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	pid_t child = fork();
	if (child < 0) {
		int e = -errno;
		upi_native_set_err(err, len, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return e;
	}
	if (child == 0) {
		char *argv[] = { path, "--once", "--attach", "-", pidarg, NULL };
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		execv(path, argv);
		_exit(127);
	}
	close(sv[1]);
	relay_gdbserver(sv[0], in, out);
	close(sv[0]);
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		upi_native_set_err(err, len, "gdbserver could not debug core %d (status %#x)",
				   (int)pid, status);
		return -EIO;
	}
	return 0;
}

int uproc_native_debug_serve(pid_t pid, int in, int out, char *err, size_t len)
{
	int core = uproc_native_debug_open(pid, err, len);

	if (core == -ENOTSUP)
		return serve_native(pid, in, out, err, len);
	if (core < 0)
		return core;
	int ret = uproc_native_debug_relay(core, in, out);
	close(core);
	if (ret < 0)
		upi_native_set_err(err, len, "the debugger's connection to core %d broke",
				   (int)pid);
	return ret;
}

struct find_arg {
	const char *name;
	pid_t pid;
};

static void find_one(const char *name, pid_t pid, void *arg)
{
	struct find_arg *f = arg;
	if (!strcmp(name, f->name))
		f->pid = pid;
}

pid_t uproc_native_registry_pid(const char *runtime_dir, const char *name)
{
	struct find_arg f = { name, -ESRCH };

	if (uproc_native_registry_list(runtime_dir, find_one, &f) < 0)
		return -ESRCH;
	return f.pid;
}
