// SPDX-License-Identifier: MIT
/*
 * native_debug.c - reach a running core's debugger socket from another process:
 * find its control page among its fds (the memfd named "uproc:ctl"), take and map
 * it, read the socket's number there (debug_fd) and take that fd too.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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
