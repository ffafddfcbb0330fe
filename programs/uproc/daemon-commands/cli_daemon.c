/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon.c - uproc list/status/start/stop/detach/firmware/recovery/coredump/
 * trace/channels: one request to uprocd, its reply printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_daemon.h"
#include "cli_daemon_internal.h"
#include "uproc_control.h"

const char *uproc_cli_socket_path(void)
{
	const char *s = getenv("UPROC_SOCKET");
	return s && *s ? s : UPROC_DEFAULT_SOCKET;
}

int uproc_cli_connect(void)
{
	const char *path = uproc_cli_socket_path();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "uproc: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("uproc: socket");
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	close(fd);
	if (e == ENOENT && stat(path, &st) < 0 && errno == ENOENT) {
		fprintf(stderr, "uproc: uprocd is not running (no socket at %s): start it with "
			"`uprocd -c FILE` (or `systemctl start uprocd`), or point UPROC_SOCKET at "
			"its socket\n", path);
	} else if (e == ENOTCONN || (stat(path, &st) < 0 && errno == ENOTCONN)) {
		fprintf(stderr, "uproc: uprocd has died and left its tree mounted (%s is not "
			"reachable): start uprocd again (it clears the old mount), or unmount it "
			"with `fusermount3 -u` on its root\n", path);
	} else if (e == ECONNREFUSED) {
		fprintf(stderr, "uproc: uprocd is not running (nobody answers on %s): start it "
			"with `uprocd -c FILE`\n", path);
	} else if (e == EACCES || e == EPERM) {
		fprintf(stderr, "uproc: no permission to use %s: ask for membership of uprocd's "
			"group, or run as root\n", path);
	} else {
		fprintf(stderr, "uproc: cannot reach uprocd at %s: %s\n", path, strerror(e));
	}
	return -e;
}

/* Print a reply: lines on stdout, or the error on stderr. Returns the exit status. */
static int print_reply(const struct uproc_ctl_msg *m)
{
	FILE *out = m->status ? stderr : stdout;

	for (unsigned int i = 0; i < m->nfields; i++) {
		if (m->status)
			fputs("uproc: ", out);
		fwrite(m->field[i].data, 1, m->field[i].len, out);
		fputc('\n', out);
	}
	if (m->status && m->nfields == 0)
		fprintf(stderr, "uproc: %s\n", strerror(-m->status));
	return m->status ? 1 : 0;
}

static int request(struct uproc_ctl_buf *req, uint8_t *rx, enum uproc_ctl_op op,
		   const char *const *args, int nargs, struct uproc_cli_reply_fn *fn);

int uproc_cli_request(enum uproc_ctl_op op, const char *const *args, int nargs,
		      struct uproc_cli_reply_fn *fn)
{
	struct uproc_ctl_buf *req = malloc(sizeof(*req));
	uint8_t *rx = malloc(UPROC_CTL_MAX_FRAME);
	int status = 2;

	if (!req || !rx) {
		fprintf(stderr, "uproc: out of memory\n");
		goto out;
	}
	status = request(req, rx, op, args, nargs, fn);
out:
	free(req);
	free(rx);
	return status;
}

/* Send one request built in @req; receive into @rx (UPROC_CTL_MAX_FRAME bytes). */
static int request(struct uproc_ctl_buf *req, uint8_t *rx, enum uproc_ctl_op op,
		   const char *const *args, int nargs, struct uproc_cli_reply_fn *fn)
{
	struct uproc_ctl_msg m;

	uproc_ctl_init(req, op, 0);
	for (int i = 0; i < nargs; i++) {
		if (uproc_ctl_add_str(req, args[i]) < 0) {
			fprintf(stderr, "uproc: argument too long or malformed: %s\n", args[i]);
			return 2;
		}
	}
	ssize_t n = uproc_ctl_finish(req);
	if (n < 0)
		return 2;
	int fd = uproc_cli_connect();
	if (fd < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	if (uproc_ctl_send_all(fd, req->data, (size_t)n) < 0) {
		fprintf(stderr, "uproc: uprocd closed the connection\n");
		close(fd);
		return 1;
	}
	int status = 1;
	for (;;) {
		ssize_t r = uproc_ctl_recv(fd, rx, &m);
		if (r == 0) {
			/* a stream (trace -f) ends when uprocd goes away */
			if (op == UPROC_CTL_TRACE)
				status = 0;
			else
				fprintf(stderr, "uproc: uprocd closed the connection without a reply\n");
			break;
		}
		if (r < 0) {
			fprintf(stderr, "uproc: bad reply from uprocd (%s): is it the same version "
				"as this uproc?\n", strerror((int)-r));
			break;
		}
		if (m.op == UPROC_CTL_DATA) {
			for (unsigned int i = 0; i < m.nfields; i++)
				fwrite(m.field[i].data, 1, m.field[i].len, stdout);
			fflush(stdout);
			continue;
		}
		if (fn && m.status == 0)
			status = fn->fn(&m, fn->arg);
		else
			status = print_reply(&m);
		break;
	}
	close(fd);
	return status;
}

static int usage(const char *cmd, const char *args)
{
	fprintf(stderr, "usage: uproc %s %s\n", cmd, args);
	return 2;
}

static int is_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
}

int uproc_cmd_list(int argc, char **argv)
{
	if (argc != 1)
		return usage("list", "");
	return uproc_cli_request(UPROC_CTL_LIST, NULL, 0, NULL);
}

static int one_name(int argc, char **argv, enum uproc_ctl_op op)
{
	if (argc != 2 || is_help(argc, argv))
		return usage(argv[0], "NAME");
	const char *args[] = { argv[1] };
	return uproc_cli_request(op, args, 1, NULL);
}

int uproc_cmd_status(int argc, char **argv)
{
	return one_name(argc, argv, UPROC_CTL_STATUS);
}

int uproc_cmd_start(int argc, char **argv)
{
	return one_name(argc, argv, UPROC_CTL_START);
}

int uproc_cmd_stop(int argc, char **argv)
{
	return one_name(argc, argv, UPROC_CTL_STOP);
}

int uproc_cmd_detach(int argc, char **argv)
{
	return one_name(argc, argv, UPROC_CTL_DETACH);
}

int uproc_cmd_channels(int argc, char **argv)
{
	return one_name(argc, argv, UPROC_CTL_CHANNELS);
}

int uproc_cmd_firmware(int argc, char **argv)
{
	if (argc != 3 || is_help(argc, argv))
		return usage("firmware", "NAME FILE   (FILE: a name inside its firmware directories)");
	const char *args[] = { argv[1], argv[2] };
	return uproc_cli_request(UPROC_CTL_FIRMWARE, args, 2, NULL);
}

static int word_cmd(int argc, char **argv, enum uproc_ctl_op op, const char *words)
{
	char u[128];

	snprintf(u, sizeof(u), "NAME %s", words);
	if (argc != 3 || is_help(argc, argv))
		return usage(argv[0], u);
	const char *args[] = { argv[1], argv[2] };
	return uproc_cli_request(op, args, 2, NULL);
}

int uproc_cmd_recovery(int argc, char **argv)
{
	return word_cmd(argc, argv, UPROC_CTL_RECOVERY, "enabled|disabled|recover");
}

int uproc_cmd_coredump(int argc, char **argv)
{
	return word_cmd(argc, argv, UPROC_CTL_COREDUMP, "disabled|enabled|inline");
}

int uproc_cmd_trace(int argc, char **argv)
{
	const char *name = NULL;
	bool follow = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--follow"))
			follow = true;
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return usage("trace", "NAME [-f]");
	}
	if (!name)
		return usage("trace", "NAME [-f]");
	const char *args[] = { name, "follow" };
	return uproc_cli_request(UPROC_CTL_TRACE, args, follow ? 2 : 1, NULL);
}
