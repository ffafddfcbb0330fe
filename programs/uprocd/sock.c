/* SPDX-License-Identifier: MIT */
/*
 * sock.c - the daemon's local sockets: listening, and who the peer is.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"

int uprocd_listen(const struct uprocd *d, const char *path, int type, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	if (chmod(path, mode) < 0)
		goto fail_unlink;
	if (d->cfg.has_group && chown(path, 0, d->cfg.group) < 0)
		goto fail_unlink;
	if (listen(fd, 16) < 0)
		goto fail_unlink;
	return fd;
fail_unlink:
	r = -errno;
	unlink(path);
	close(fd);
	return r;
fail:
	r = -errno;
	close(fd);
	return r;
}

bool uprocd_peer_may_write(const struct uprocd *d, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return uprocd_may_write(d, cred.uid, cred.gid, cred.pid);
}

int uprocd_dev_node(const struct uprocd *d, const char *prefix, unsigned int n, char *buf,
		    size_t len)
{
	int r = snprintf(buf, len, "%s/%s%u", d->dev_dir, prefix, n);

	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : 0;
}
