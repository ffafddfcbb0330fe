// SPDX-License-Identifier: MIT
/*
 * gdb.c - debugger sessions on the cores the daemon runs ([remoteproc NAME] gdb =
 * yes): a socket <runtime_dir>/gdb/NAME (mode 0660, the configured group: who may
 * write may debug) speaks the gdb remote protocol of the processor's running core.
 * "uproc gdb NAME" relays it over stdio.
 *
 * The loop thread accepts (one session per processor at a time) and reads the
 * core's pid; a detached thread then serves the session with
 * uproc_native_debug_serve() (the emulated core's own stub relayed, or gdbserver
 * attached to a native core), so the loop never waits on the debugger or the core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "hostutil.h"
#include "uproc/loop.h"
#include "uproc/native.h"

struct gdb_session {
	struct uprocd_proc *p;
	int fd;
	pid_t pid;
};

static void *session_thread(void *arg)
{
	struct gdb_session *s = arg;
	char err[256] = "";

	int r = uproc_native_debug_serve(s->pid, s->fd, s->fd, err, sizeof(err));
	if (r < 0)
		uprocd_log(s->p->d, "%s: debugger session: %s", s->p->cfg->name,
			   err[0] ? err : strerror(-r));
	close(s->fd);
	atomic_store(&s->p->gdb_busy, false);
	free(s);
	return NULL;
}

static void on_accept(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_proc *p = arg;
	struct gdb_session *s;
	pthread_t t;
	pthread_attr_t attr;
	(void)loop;
	(void)events;

	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	pid_t pid = uproc_native_pid(p->rproc);
	bool busy = false;
	if (!uprocd_peer_may_write(p->d, cfd) || pid <= 0 ||
	    !atomic_compare_exchange_strong(&p->gdb_busy, &busy, true)) {
		uprocd_log(p->d, "%s: debugger session refused (%s)", p->cfg->name,
			   pid <= 0 ? "the core is not running" :
			   busy ? "one is open already" : "not allowed to write");
		close(cfd);
		return;
	}
	s = malloc(sizeof(*s));
	if (s) {
		*s = (struct gdb_session){ .p = p, .fd = cfd, .pid = pid };
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		int r = pthread_create(&t, &attr, session_thread, s);
		pthread_attr_destroy(&attr);
		if (r == 0) {
			uprocd_log(p->d, "%s: debugger session on core process %d", p->cfg->name,
				   (int)pid);
			return;
		}
		free(s);
	}
	atomic_store(&p->gdb_busy, false);
	close(cfd);
}

int uprocd_gdb_start(struct uprocd *d)
{
	char dir[PATH_MAX], path[PATH_MAX];

	for (unsigned int i = 0; i < d->n_procs; i++) {
		struct uprocd_proc *p = &d->procs[i];
		if (!p->cfg->gdb)
			continue;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/gdb", d->cfg.runtime_dir) >= sizeof(dir) ||
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, p->cfg->name) >= sizeof(path))
			return -ENAMETOOLONG;
		int r = upi_mkdir_p(dir, 0755);
		if (r)
			return r;
		p->gdb_fd = uprocd_listen(d, path, SOCK_STREAM, 0660);
		if (p->gdb_fd < 0)
			return p->gdb_fd;
		r = uproc_loop_add_fd(d->loop, p->gdb_fd, UPROC_LOOP_IN, on_accept, p);
		if (r) {
			close(p->gdb_fd);
			p->gdb_fd = -1;
			return r;
		}
	}
	return 0;
}

void uprocd_gdb_stop(struct uprocd *d)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < d->n_procs; i++) {
		struct uprocd_proc *p = &d->procs[i];
		if (p->gdb_fd < 0)
			continue;
		uproc_loop_del_fd(d->loop, p->gdb_fd);
		close(p->gdb_fd);
		p->gdb_fd = -1;
		if ((size_t)snprintf(path, sizeof(path), "%s/gdb/%s", d->cfg.runtime_dir,
				     p->cfg->name) < sizeof(path))
			unlink(path);
	}
}
