/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon.c - uproc list/status/start/stop/detach/firmware/recovery/coredump/
 * trace/channels/events: one request to uprocd, its reply printed (or the same on
 * a kernel's remoteproc tree, cli_sysfs.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "uproc_escape.h"

static const char *socket_opt;
static const char *sysfs_opt;

void uproc_cli_set_socket(const char *path)
{
	socket_opt = path;
}

void uproc_cli_set_sysfs(const char *root)
{
	sysfs_opt = root;
}

const char *uproc_cli_socket_path(void)
{
	if (socket_opt)
		return socket_opt;
	const char *s = getenv("UPROC_SOCKET");
	return s && *s ? s : UPROC_DEFAULT_SOCKET;
}

static bool kernel_has_processors(void)
{
	DIR *d = opendir("/sys/class/remoteproc");
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = !strncmp(de->d_name, "remoteproc", 10);
	closedir(d);
	return any;
}

const char *uproc_cli_sysfs_root(void)
{
	static int decided; /* 0: not yet, 1: uprocd, 2: sysfs */

	if (sysfs_opt)
		return sysfs_opt;
	if (!decided) {
		const char *env = getenv("UPROC_SOCKET");
		decided = 1;
		if (!socket_opt && !(env && *env) && kernel_has_processors()) {
			int fd = uproc_cli_connect(true);
			if (fd >= 0)
				close(fd);
			else
				decided = 2;
		}
	}
	return decided == 2 ? "/sys" : NULL;
}

int uproc_cli_connect(bool quiet)
{
	const char *path = uproc_cli_socket_path();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		if (!quiet)
			fprintf(stderr, "uproc: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (!quiet)
			perror("uproc: socket");
		return -errno;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	close(fd);
	if (quiet)
		return -e;
	if (e == ENOENT && stat(path, &st) < 0 && errno == ENOENT) {
		fprintf(stderr, "uproc: uprocd is not running (no socket at %s): start it with "
			"`uprocd -c FILE` (or `systemctl start uprocd`), or point --socket or "
			"UPROC_SOCKET at its socket; for a Linux kernel's processors use "
			"--sysfs /sys\n", path);
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
	} else if (e == ENOTSOCK) {
		fprintf(stderr, "uproc: %s is not a socket: point --socket at uprocd's control "
			"socket (socket= in its configuration)\n", path);
	} else {
		fprintf(stderr, "uproc: cannot reach uprocd at %s: %s\n", path, strerror(e));
	}
	return -e;
}

int uproc_cli_usage(const char *cmd, const char *args)
{
	fprintf(stderr, "usage: uproc %s %s   (see: uproc help %s)\n", cmd, args, cmd);
	return 2;
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

static bool is_stream(enum uproc_ctl_op op, int nargs)
{
	return (op == UPROC_CTL_TRACE && nargs > 1) || op == UPROC_CTL_EVENTS;
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
	int fd = uproc_cli_connect(false);
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
		if (r == 0 || r == -ECONNRESET) {
			fflush(stdout);
			if (is_stream(op, nargs))
				fprintf(stderr, "uproc: uprocd went away (it stopped or was "
					"restarted): the %s ended\n",
					op == UPROC_CTL_EVENTS ? "event stream" : "trace");
			else
				fprintf(stderr, "uproc: uprocd closed the connection without a reply\n");
			break;
		}
		if (r < 0) {
			fprintf(stderr, "uproc: bad reply from uprocd (%s): is it the same version "
				"as this uproc?\n", strerror((int)-r));
			break;
		}
		if (m.op == UPROC_CTL_DATA || m.op == UPROC_CTL_BYTES) {
			int st = 0;
			for (unsigned int i = 0; i < m.nfields && !st; i++) {
				if (fn && fn->data)
					st = fn->data(m.field[i].data, m.field[i].len, fn->arg);
				else if (fwrite(m.field[i].data, 1, m.field[i].len, stdout) !=
					 m.field[i].len)
					st = 1;
			}
			if (st) {
				status = st;
				break;
			}
			if (!(fn && fn->data) && fflush(stdout) != 0) {
				status = 1; /* stdout went away (a closed pipe) */
				break;
			}
			continue;
		}
		if (fn && fn->fn && m.status == 0)
			status = fn->fn(&m, fn->arg);
		else
			status = print_reply(&m);
		break;
	}
	close(fd);
	return status;
}

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

/* ---- arguments -------------------------------------------------------------------- */

struct cli_args {
	const char *pos[3];
	int npos;
	bool json, follow, list;
	const char *save;
};

/*
 * Options allowed: 'j' --json, 'f' -f/--follow, 'l' --list, 's' --save FILE.
 * Positionals: between @min and @max. Returns 0, or 2 after a usage message.
 */
static int parse(int argc, char **argv, const char *allowed, int min, int max,
		 const char *usage_args, struct cli_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!strcmp(s, "--json") && strchr(allowed, 'j')) {
			a->json = true;
		} else if ((!strcmp(s, "-f") || !strcmp(s, "--follow")) && strchr(allowed, 'f')) {
			a->follow = true;
		} else if (!strcmp(s, "--list") && strchr(allowed, 'l')) {
			a->list = true;
		} else if (!strcmp(s, "--save") && strchr(allowed, 's')) {
			if (i + 1 >= argc) {
				fprintf(stderr, "uproc %s: --save needs a file (- for stdout; "
					"see: uproc help %s)\n", argv[0], argv[0]);
				return 2;
			}
			a->save = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "uproc %s: unknown option '%s'\n", argv[0], s);
			return uproc_cli_usage(argv[0], usage_args);
		} else if (a->npos < max) {
			a->pos[a->npos++] = s;
		} else {
			fprintf(stderr, "uproc %s: too many arguments\n", argv[0]);
			return uproc_cli_usage(argv[0], usage_args);
		}
	}
	if (a->npos < min) {
		fprintf(stderr, "uproc %s: which processor? (see: uproc list)\n", argv[0]);
		return uproc_cli_usage(argv[0], usage_args);
	}
	return 0;
}

/* ---- the subcommands -------------------------------------------------------------- */

int uproc_cmd_list(int argc, char **argv)
{
	struct cli_args a;
	int r = parse(argc, argv, "j", 0, 0, "[--json]", &a);
	if (r)
		return r;
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_list(root, a.json);
	const char *args[] = { "json" };
	return uproc_cli_request(UPROC_CTL_LIST, args, a.json ? 1 : 0, NULL);
}

static int name_and_json(int argc, char **argv, enum uproc_ctl_op op,
			 int (*sysfs)(const char *, const char *, bool))
{
	struct cli_args a;
	int r = parse(argc, argv, "j", 1, 1, "NAME [--json]", &a);
	if (r)
		return r;
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return sysfs(root, a.pos[0], a.json);
	const char *args[] = { a.pos[0], "json" };
	return uproc_cli_request(op, args, a.json ? 2 : 1, NULL);
}

int uproc_cmd_status(int argc, char **argv)
{
	return name_and_json(argc, argv, UPROC_CTL_STATUS, uproc_sysfs_status);
}

int uproc_cmd_channels(int argc, char **argv)
{
	return name_and_json(argc, argv, UPROC_CTL_CHANNELS, uproc_sysfs_channels);
}

static int lifecycle(int argc, char **argv, enum uproc_ctl_op op)
{
	struct cli_args a;
	int r = parse(argc, argv, "", 1, 1, "NAME", &a);
	if (r)
		return r;
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_state(root, a.pos[0], argv[0]);
	const char *args[] = { a.pos[0] };
	return uproc_cli_request(op, args, 1, NULL);
}

int uproc_cmd_start(int argc, char **argv)
{
	return lifecycle(argc, argv, UPROC_CTL_START);
}

int uproc_cmd_stop(int argc, char **argv)
{
	return lifecycle(argc, argv, UPROC_CTL_STOP);
}

int uproc_cmd_detach(int argc, char **argv)
{
	return lifecycle(argc, argv, UPROC_CTL_DETACH);
}

int uproc_cmd_firmware(int argc, char **argv)
{
	struct cli_args a;
	int r = parse(argc, argv, "l", 1, 2, "NAME [FILE | --list]", &a);
	if (r)
		return r;
	if (a.list && a.npos > 1)
		return uproc_cli_usage("firmware", "NAME [FILE | --list]");
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_firmware(root, a.pos[0], a.npos > 1 ? a.pos[1] : NULL, a.list);
	const char *args[] = { a.pos[0], a.pos[1] };
	return uproc_cli_request(a.list ? UPROC_CTL_FWLIST : UPROC_CTL_FIRMWARE, args, a.npos,
				 NULL);
}

static int setting(int argc, char **argv, enum uproc_ctl_op op, const char *words)
{
	struct cli_args a;
	char u[128];

	snprintf(u, sizeof(u), "NAME [%s]", words);
	int r = parse(argc, argv, "", 1, 2, u, &a);
	if (r)
		return r;
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_setting(root, a.pos[0], argv[0], a.npos > 1 ? a.pos[1] : NULL);
	const char *args[] = { a.pos[0], a.pos[1] };
	return uproc_cli_request(op, args, a.npos, NULL);
}

int uproc_cmd_recovery(int argc, char **argv)
{
	return setting(argc, argv, UPROC_CTL_RECOVERY, "enabled|disabled|recover");
}

/* --save: the coredump's bytes into a file (or stdout) */
struct save_ctx {
	FILE *f;
	const char *path;
	size_t bytes;
};

static int save_data(const char *buf, size_t len, void *arg)
{
	struct save_ctx *s = arg;

	if (fwrite(buf, 1, len, s->f) != len) {
		fprintf(stderr, "uproc: cannot write %s: %s\n", s->path, strerror(errno));
		return 1;
	}
	s->bytes += len;
	return 0;
}

static int save_done(const struct uproc_ctl_msg *m, void *arg)
{
	struct save_ctx *s = arg;

	(void)m;
	if (s->f != stdout)
		fprintf(stderr, "uproc: saved the coredump (%zu bytes) to %s\n", s->bytes, s->path);
	return 0;
}

int uproc_cmd_coredump(int argc, char **argv)
{
	struct cli_args a;
	const char *u = "NAME [disabled|enabled|inline | --save FILE]";
	int r = parse(argc, argv, "s", 1, 2, u, &a);
	if (r)
		return r;
	if (!a.save) {
		const char *root = uproc_cli_sysfs_root();
		if (root)
			return uproc_sysfs_setting(root, a.pos[0], "coredump",
						   a.npos > 1 ? a.pos[1] : NULL);
		const char *args[] = { a.pos[0], a.pos[1] };
		return uproc_cli_request(UPROC_CTL_COREDUMP, args, a.npos, NULL);
	}
	if (a.npos > 1)
		return uproc_cli_usage("coredump", u);
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_dump(root, a.pos[0], a.save);
	bool to_stdout = !strcmp(a.save, "-");
	char tmp[4096];
	struct save_ctx s = { stdout, to_stdout ? "stdout" : a.save, 0 };
	if (!to_stdout) {
		/* written beside, renamed into place once whole */
		snprintf(tmp, sizeof(tmp), "%s.part", a.save);
		s.f = fopen(tmp, "wbe");
		if (!s.f) {
			fprintf(stderr, "uproc: cannot create %s: %s\n", tmp, strerror(errno));
			return 1;
		}
	}
	struct uproc_cli_reply_fn fn = { save_done, save_data, &s };
	const char *args[] = { a.pos[0] };
	int status = uproc_cli_request(UPROC_CTL_DUMP, args, 1, &fn);
	if (to_stdout)
		return fflush(stdout) == 0 ? status : 1;
	if (fclose(s.f) != 0 && !status) {
		fprintf(stderr, "uproc: cannot write %s: %s\n", tmp, strerror(errno));
		status = 1;
	}
	if (status == 0 && rename(tmp, a.save) < 0) {
		fprintf(stderr, "uproc: cannot write %s: %s\n", a.save, strerror(errno));
		status = 1;
	}
	if (status)
		unlink(tmp);
	return status;
}

/* ---- trace ------------------------------------------------------------------------- */

static void trace_json_line(struct uproc_trace_json *tj)
{
	char head[64];
	unsigned int n;

	/* uprocd and debugfs mark each buffer of several with "==> traceN <==" */
	if (tj->len < sizeof(head) && sscanf(tj->line, "==> trace%u <==", &n) == 1 &&
	    tj->len == (size_t)snprintf(head, sizeof(head), "==> trace%u <==", n)) {
		tj->trace = n;
		tj->len = 0;
		return;
	}
	char proc[UPROC_ESCAPE_SIZE(64)];
	static char esc[UPROC_ESCAPE_SIZE(sizeof(tj->line))];
	uproc_escape_json(proc, sizeof(proc), tj->processor, strnlen(tj->processor, 64));
	uproc_escape_json(esc, sizeof(esc), tj->line, tj->len);
	printf("{\"processor\":\"%s\",\"trace\":%u,\"line\":\"%s\"}\n", proc, tj->trace, esc);
	tj->len = 0;
}

void uproc_trace_json_feed(struct uproc_trace_json *tj, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n' || tj->len == sizeof(tj->line)) {
			trace_json_line(tj);
			if (buf[i] == '\n')
				continue;
		}
		tj->line[tj->len++] = buf[i];
	}
	fflush(stdout);
}

void uproc_trace_json_end(struct uproc_trace_json *tj)
{
	if (tj->len)
		trace_json_line(tj);
	fflush(stdout);
}

static int trace_json_data(const char *buf, size_t len, void *arg)
{
	uproc_trace_json_feed(arg, buf, len);
	return ferror(stdout) ? 1 : 0;
}

int uproc_cmd_trace(int argc, char **argv)
{
	struct cli_args a;
	int r = parse(argc, argv, "fj", 1, 1, "NAME [-f] [--json]", &a);
	if (r)
		return r;
	const char *root = uproc_cli_sysfs_root();
	if (root)
		return uproc_sysfs_trace(root, a.pos[0], a.follow, a.json);
	const char *args[] = { a.pos[0], "follow" };
	struct uproc_trace_json tj = { .processor = a.pos[0] };
	struct uproc_cli_reply_fn fn = { NULL, trace_json_data, &tj };
	int status = uproc_cli_request(UPROC_CTL_TRACE, args, a.follow ? 2 : 1,
				       a.json ? &fn : NULL);
	if (a.json)
		uproc_trace_json_end(&tj);
	return status;
}

/* ---- events ------------------------------------------------------------------------ */

int uproc_cmd_events(int argc, char **argv)
{
	struct cli_args a;
	int r = parse(argc, argv, "", 0, 1, "[NAME]", &a);
	if (r)
		return r;
	if (uproc_cli_sysfs_root()) {
		fprintf(stderr, "uproc events: the kernel's remoteproc tree has no event stream "
			"(it reports crashes in the kernel log: dmesg -w)\n");
		return 1;
	}
	const char *args[] = { a.pos[0] };
	return uproc_cli_request(UPROC_CTL_EVENTS, args, a.npos, NULL);
}
