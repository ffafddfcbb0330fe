// SPDX-License-Identifier: MIT
/*
 * cli_gdb.c - "uproc gdb [--runtime-dir DIR] [--port N] NAME|PID": join a debugger
 * to a running core, over standard input/output (gdb's `target remote | uproc gdb
 * NAME`) or one TCP connection on 127.0.0.1:N. An emulated core serves the gdb
 * remote protocol itself (src/backends/emulated/emu_gdb.c) and this relays it; a
 * native core is attached with ptrace by gdbserver (uproc_native_debug_serve()).
 * A core that uprocd runs with gdb = yes is reached through the daemon's socket
 * <runtime dir>/gdb/NAME instead (the daemon serves the session: its users need no
 * right over the core's process). When gdb goes away the core runs on, its
 * breakpoints removed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_gdb.h"
#include "hostutil.h"
#include "uproc/native.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: uproc gdb [--runtime-dir DIR] [--port N] NAME|PID\n"
		"Serve the gdb remote protocol of the running core NAME (as recorded\n"
		"under DIR, default uprocd's) or of the core process PID (\"uproc run\" prints it).\n"
		"Without --port, on standard input and output:\n"
		"  gdb-multiarch fw.elf -ex 'target remote | uproc gdb NAME'\n"
		"With --port N, on 127.0.0.1:N for one connection (0: any free port, printed):\n"
		"  gdb-multiarch fw.elf -ex 'target remote localhost:N'\n"
		"A native core is attached with ptrace by gdbserver, which must be installed.\n");
}

/*
 * uprocd serves debugger sessions on the cores it runs with gdb = yes, on the socket
 * <runtime dir>/gdb/NAME: connected, or -errno (-ENOENT: no such socket).
 */
static int daemon_session(const char *runtime_dir, const char *name)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/gdb/%s",
			 runtime_dir ? runtime_dir : UPI_RUNTIME_DIR_DEFAULT, name);

	if (n < 0 || (size_t)n >= sizeof(sa.sun_path) || strchr(name, '/'))
		return -ENOENT;
	if (access(sa.sun_path, F_OK) != 0)
		return -ENOENT;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = -errno;
		close(s);
		return e;
	}
	return s;
}

static int listen_once(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	socklen_t sl = sizeof(sa);
	int one = 1;
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -errno;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 1) != 0 ||
	    getsockname(s, (struct sockaddr *)&sa, &sl) != 0) {
		int e = -errno;
		close(s);
		return e;
	}
	printf("uproc gdb: listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	int c = accept(s, NULL, NULL);
	int e = -errno;
	close(s);
	return c >= 0 ? c : e;
}

int uproc_cmd_gdb(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "runtime-dir", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *runtime_dir = NULL;
	int port = -1, c;
	char err[512] = "";

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			runtime_dir = optarg;
			break;
		case 'p': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > 65535) {
				fprintf(stderr, "uproc gdb: bad port %s\n", optarg);
				return 2;
			}
			port = (int)v;
			break;
		}
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	const char *target = argv[optind];
	char *end;
	long v = strtol(target, &end, 10);
	signal(SIGPIPE, SIG_IGN);
	int daemon_sock = (*target && !*end) ? -ENOENT : daemon_session(runtime_dir, target);
	if (daemon_sock >= 0 && port >= 0) {
		fprintf(stderr, "uproc gdb: --port is for cores outside uprocd; with uprocd's "
				"gdb = yes, use: target remote | uproc gdb %s\n", target);
		close(daemon_sock);
		return 2;
	}
	if (daemon_sock >= 0) {
		int r = uproc_native_debug_relay(daemon_sock, STDIN_FILENO, STDOUT_FILENO);
		close(daemon_sock);
		return r < 0 ? 1 : 0;
	}
	pid_t pid = (*target && !*end && v > 0) ? (pid_t)v
						: uproc_native_registry_pid(runtime_dir, target);
	if (pid <= 0) {
		fprintf(stderr, "uproc gdb: no running core %s%s%s\n", target,
			runtime_dir ? " under " : "", runtime_dir ? runtime_dir : "");
		return 1;
	}
	int conn = STDIN_FILENO, ret;
	if (port >= 0) {
		conn = listen_once(port);
		if (conn < 0) {
			fprintf(stderr, "uproc gdb: cannot listen on port %d: %s\n", port,
				strerror(-conn));
			return 1;
		}
	}
	ret = uproc_native_debug_serve(pid, conn, port >= 0 ? conn : STDOUT_FILENO, err,
				       sizeof(err));
	if (ret < 0)
		fprintf(stderr, "uproc gdb: %s\n", err[0] ? err : strerror(-ret));
	if (port >= 0)
		close(conn);
	return ret < 0 ? 1 : 0;
}
