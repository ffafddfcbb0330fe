/* SPDX-License-Identifier: MIT */
/*
 * main.c - uprocd: owns the remote processors of its configuration file, runs
 * their event loop, and serves the control tree, the control socket and the
 * device files until SIGTERM or SIGINT. On exit, running cores are left
 * running (detached); the next uprocd attaches to them without rebooting them.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "devfs.h"
#include "hostutil.h"
#include "uproc_control.h"
#include "uproc/loop.h"

#define DEFAULT_CONFIG "/etc/uproc/uprocd.conf"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uprocd [-c FILE] [--stop-on-exit] [--check] [-v] [--version]\n"
		"  -c, --config FILE   configuration file (default " DEFAULT_CONFIG ")\n"
		"      --stop-on-exit  stop running cores at exit instead of leaving them\n"
		"                      running for the next uprocd to attach to\n"
		"      --check         parse the configuration, print it, report what would\n"
		"                      fail at start (with the line at fault), and exit:\n"
		"                      0 when nothing would\n"
		"  -v, --verbose       log more\n"
		"See uprocd(8).\n");
}

static void on_signal(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd *d = arg;
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		uprocd_log(d, "signal %u: stopping", si.ssi_signo);
	uproc_loop_stop(loop);
}

/* Is another uprocd answering on the socket? */
static bool socket_alive(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	strcpy(sa.sun_path, path);
	alive = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return alive;
}

/* Tell systemd (Type=notify) that the tree and sockets are up. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	strcpy(sa.sun_path, path);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
}

static void print_config(const struct uprocd_config *c)
{
	printf("root = %s\nruntime_dir = %s\nsocket = %s\n", c->root, c->runtime_dir, c->socket);
	if (c->has_group)
		printf("group = %u\n", (unsigned int)c->group);
	for (unsigned int i = 0; i < c->n_procs; i++) {
		const struct uprocd_proc_config *p = &c->procs[i];
		printf("[remoteproc %s] remoteproc%u firmware=%s memory=%llu cpu=%d auto_boot=%s "
		       "recovery=%s coredump=%s watchdog=%ums%s dirs=", p->name, i,
		       p->firmware ? p->firmware : "-",
		       (unsigned long long)p->memory, p->cpu, p->auto_boot ? "yes" : "no",
		       p->recovery ? "enabled" : "disabled",
		       p->coredump == 2 ? "inline" : p->coredump == 1 ? "enabled" : "disabled",
		       (unsigned int)p->watchdog_ms, p->gdb ? " gdb=yes" : "");
		for (unsigned int k = 0; k < p->n_fw_dirs; k++)
			printf("%s%s", k ? ":" : "", p->fw_dirs[k]);
		printf("\n");
	}
}

struct check_out {
	const char *file;
	FILE *f;
	const char *prefix;
};

static void report_problem(void *arg, unsigned int line, const char *msg)
{
	struct check_out *o = arg;

	fprintf(o->f, "%s%s:%u: %s\n", o->prefix, o->file, line, msg);
}

static int run(struct uprocd *d)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* blocked before any thread starts, so every thread inherits it */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (socket_alive(d->cfg.socket)) {
		fprintf(stderr, "uprocd: another uprocd answers on %s: stop it first\n",
			d->cfg.socket);
		return 1;
	}
	snprintf(d->dev_dir, sizeof(d->dev_dir), "%s/dev", d->cfg.runtime_dir);
	r = upi_mkdir_p(d->cfg.runtime_dir, 0755);
	if (r) {
		fprintf(stderr, "uprocd: cannot create %s: %s\n", d->cfg.runtime_dir, strerror(-r));
		return 1;
	}
	r = uproc_loop_new(&d->loop);
	if (r) {
		fprintf(stderr, "uprocd: event loop: %s\n", strerror(-r));
		return 1;
	}
	uproc_loop_set_log(d->loop, d->verbose ? UPROC_LOG_DEBUG : UPROC_LOG_INFO,
			   uprocd_log_line, d);
	d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->signal_fd >= 0)
		uproc_loop_add_fd(d->loop, d->signal_fd, UPROC_LOOP_IN, on_signal, d);

	int status = 1;
	r = uprocd_devfs_init(d);
	if (r) {
		fprintf(stderr, "uprocd: %s\n", strerror(-r));
		goto destroy;
	}
	r = uprocd_procs_create(d);
	if (r) {
		fprintf(stderr, "uprocd: %s\n", strerror(-r));
		goto destroy;
	}
	r = uprocd_devfs_mount(d);
	if (r) {
		fprintf(stderr, "uprocd: devices at %s: %s\n", d->dev_dir, strerror(-r));
		goto destroy;
	}
	r = uprocd_gdb_start(d);
	if (r) {
		fprintf(stderr, "uprocd: debugger sockets in %s/gdb: %s\n", d->cfg.runtime_dir,
			strerror(-r));
		goto destroy;
	}
	r = uprocd_ctl_start(d);
	if (r) {
		fprintf(stderr, "uprocd: control socket %s: %s\n", d->cfg.socket, strerror(-r));
		goto destroy;
	}
	r = uprocd_tree_start(d);
	if (r) {
		fprintf(stderr, "uprocd: control tree at %s: %s\n", d->cfg.root, strerror(-r));
		goto stop_ctl;
	}
	uprocd_log(d, "ready: tree %s, socket %s, %u processor(s)", d->cfg.root, d->cfg.socket,
		   d->n_procs);
	notify_ready();
	r = uproc_loop_run(d->loop);
	status = r ? 1 : 0;

	uprocd_tree_stop(d);
stop_ctl:
	uprocd_ctl_stop(d);
destroy:
	uprocd_gdb_stop(d);
	uproc_loop_close_calls(d->loop);
	uprocd_procs_destroy(d);
	uprocd_devfs_stop(d);
	if (d->signal_fd >= 0) {
		uproc_loop_del_fd(d->loop, d->signal_fd);
		close(d->signal_fd);
	}
	uproc_loop_free(d->loop);
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "stop-on-exit", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = DEFAULT_CONFIG;
	bool check = false;
	struct uprocd d;
	char err[600];
	int c;

	memset(&d, 0, sizeof(d));
	d.signal_fd = -1;
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'S': d.stop_on_exit = true; break;
		case 'C': check = true; break;
		case 'v': d.verbose = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("uprocd %s (control protocol %d)\n", UPROC_VERSION,
				 UPROC_CTL_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	int r = uprocd_config_load(&d.cfg, config, err, sizeof(err));
	if (r) {
		fprintf(stderr, "uprocd: %s\n", err);
		if (r == -ENOENT)
			fprintf(stderr, "uprocd: write one (see uprocd(8)) or pass -c FILE\n");
		return 1;
	}
	if (check) {
		struct check_out o = { config, stderr, "uprocd: " };
		print_config(&d.cfg);
		unsigned int n = uprocd_config_check(&d.cfg, report_problem, &o);
		if (n)
			fprintf(stderr, "uprocd: %s: %u problem%s: uprocd would start, but not "
				"as configured\n", config, n, n == 1 ? "" : "s");
		uprocd_config_free(&d.cfg);
		return n ? 1 : 0;
	}
	/* The same findings at start: the processors at fault fail when used. */
	struct check_out o = { config, stderr, "uprocd: warning: " };
	uprocd_config_check(&d.cfg, report_problem, &o);
	pthread_mutex_init(&d.lock, NULL);
	int status = run(&d);
	pthread_mutex_destroy(&d.lock);
	uprocd_config_free(&d.cfg);
	return status;
}
