/* SPDX-License-Identifier: MIT */
/*
 * fw_resolve.c - look firmware names up beneath the firmware directories.
 */
#include "fw_resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_beneath(int dirfd, const char *rel)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/* If the absolute @name lies inside @dir, the part after it; else NULL. */
static const char *inside(const char *dir, const char *name, char *canon, size_t len)
{
	if (!realpath(dir, canon))
		return NULL;
	size_t n = strlen(canon);
	if (n >= len)
		return NULL;
	if (n == 1) /* "/" */
		return name + 1;
	if (strncmp(name, canon, n) || name[n] != '/')
		return NULL;
	return name + n + 1;
}

int uprocd_fw_resolve(char *const *dirs, unsigned int n_dirs, const char *name, char *out,
		      size_t outlen)
{
	bool escaped = false;
	int ret = -ENOENT;

	if (!name[0] || strchr(name, '\n'))
		return -EINVAL;
	if (strlen(name) >= PATH_MAX)
		return -ENAMETOOLONG;

	for (unsigned int i = 0; i < n_dirs; i++) {
		char canon[PATH_MAX];
		const char *rel = name;

		if (name[0] == '/') {
			rel = inside(dirs[i], name, canon, sizeof(canon));
			if (!rel) {
				escaped = true;
				continue;
			}
			if (!rel[0])
				return -EINVAL;
		}
		int dirfd = open(dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0)
			continue;
		int fd = open_beneath(dirfd, rel);
		close(dirfd);
		if (fd == -EXDEV || fd == -ELOOP) {
			escaped = true;
			continue;
		}
		if (fd < 0)
			continue;

		struct stat st;
		char link[64];
		if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			ret = -EINVAL;
			continue;
		}
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, out, outlen);
		close(fd);
		if (n < 0)
			return -errno;
		if ((size_t)n >= outlen)
			return -ENAMETOOLONG;
		out[n] = '\0';
		return 0;
	}
	if (escaped && ret == -ENOENT)
		return -EACCES;
	return ret;
}
