// SPDX-License-Identifier: MIT
/*
 * run_session.c - "uproc run": boot the firmware on a native core, follow its trace
 * buffer and lifecycle events, and join its first tty channel or console to the
 * terminal (run_input.c moves the bytes).
 */
#include "run_session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "uproc/emulated.h"
#include "uproc/native.h"
#include "uproc_escape.h"

#define TRACE_POLL_MS 20
#define CHANNEL_WAIT_MS 10000

#define say(s, ...) run_screen_line((s), "[uproc] ", __VA_ARGS__)
#define UNJOINED_WAIT_MS 1000

/* ---- trace buffer ---------------------------------------------------------------- */

/* Print the complete lines the firmware added to trace buffer 0 since last time. */
static void trace_flush(struct run_session *s, bool partial_too)
{
	static char buf[65536];
	if (!s->opt.trace || rproc_trace_count(s->rproc) <= 0)
		return;
	ssize_t n = rproc_trace_read(s->rproc, 0, buf, sizeof(buf));
	if (n <= 0)
		return;
	if ((size_t)n < s->trace_printed)
		s->trace_printed = 0;	/* a new boot started a new buffer */
	size_t at = s->trace_printed;
	while (at < (size_t)n) {
		char *nl = memchr(buf + at, '\n', (size_t)n - at);
		size_t len = nl ? (size_t)(nl - (buf + at)) : (size_t)n - at;
		if (!nl && !partial_too)
			break;
		/* never into the middle of the remote's line: wait for its end */
		if (!run_screen_line_may_start(s, partial_too))
			break;
		run_screen_line(s, "[trace] ", "%.*s", (int)len, buf + at);
		at += len + (nl ? 1 : 0);
	}
	s->trace_printed = at;
}

static void trace_tick(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	trace_flush(s, false);
	s->trace_timer = uproc_loop_add_timer(loop, TRACE_POLL_MS, trace_tick, s);
}

/* ---- the channel ------------------------------------------------------------------- */

/*
 * What the remote sent, to standard output. Piped input is line-oriented: an answer
 * to a whole line that lacks a newline gets one (a line split at the MTU does not);
 * a terminal gets the bytes exactly as sent.
 */
static void emit_output(struct run_session *s, const void *data, size_t len)
{
	trace_flush(s, false);	/* what the firmware logged before it answered comes first */
	bool ok = run_screen_output(s, data, len);
	if (ok && !s->tty && s->ept && s->sent_whole_line && len &&
	    ((const char *)data)[len - 1] != '\n')
		ok = run_screen_output(s, "\n", 1);
	if (!ok)
		run_session_finish(s, RUN_OK);	/* nobody reads our output any more */
}

static struct run_session *session_of(struct rpmsg_device *rpdev)
{
	return (struct run_session *)((char *)rpdev->drv - offsetof(struct run_session, driver));
}

static int channel_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	struct run_session *s = priv;
	if (!s || ept != s->ept)
		return 0;	/* a second matching channel: not the joined one */
	emit_output(s, data, len);
	s->replies++;
	run_input_reply_seen(s);
	return 0;
}

/* The first channel whose name the driver lists is joined to the terminal. */
static int channel_probe(struct rpmsg_device *rpdev)
{
	struct run_session *s = session_of(rpdev);
	rpdev->ept->priv = s;
	if (s->ept)
		return 0;
	s->ept = rpdev->ept;
	trace_flush(s, false);
	char name[UPROC_ESCAPE_SIZE(sizeof(rpdev->name))];
	uproc_escape_text(name, sizeof(name), rpdev->name, strnlen(rpdev->name, sizeof(rpdev->name)));
	say(s, "joined channel \"%s\" (local address %u, remote %u)", name, rpdev->src,
	    rpdev->dst);
	run_input_resume(s);
	return 0;
}

static void channel_remove(struct rpmsg_device *rpdev)
{
	struct run_session *s = session_of(rpdev);
	if (rpdev->ept && rpdev->ept == s->ept) {
		s->ept = NULL;
		run_input_channel_lost(s);
	}
}

static void on_rpmsg_ready(struct rproc *rproc, unsigned int index,
			   struct rpmsg_virtio_device *bus, void *arg)
{
	struct run_session *s = arg;
	int ret = rpmsg_register_driver(bus, &s->driver);
	if (ret < 0)
		say(s, "cannot listen for channels on vdev %u: %s", index, strerror(-ret));
}

static bool channel_wanted(const struct run_session *s, const char *name)
{
	for (unsigned int i = 0; i < s->opt.nchannels; i++)
		if (!strncmp(s->ids[i].name, name, sizeof(s->ids[i].name)))
			return true;
	return false;
}

/* The names looked for, quoted, for a message. */
static void wanted_text(const struct run_session *s, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = '\0';
	for (unsigned int i = 0; i < s->opt.nchannels && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s\"%s\"", i ? ", " : "", s->opt.channels[i]);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

static void unjoined_done(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	char want[256];

	s->unjoined_timer = 0;
	if (s->ept || s->console >= 0 || s->finishing)
		return;
	wanted_text(s, want, sizeof(want));
	say(s, "the firmware announced %u channel%s (%s%s) but none of those looked for (%s): "
	    "join one with --channel NAME", s->nunjoined, s->nunjoined == 1 ? "" : "s",
	    s->unjoined, s->nunjoined > 8 ? ", ..." : "", want);
	run_session_finish(s, RUN_BOOT_FAILED);
}

/*
 * The remote announced a channel: one that is not looked for is noted, and if none
 * that is looked for comes within UNJOINED_WAIT_MS of the first, the run says which
 * it did announce and ends (no silent wait).
 */
static void on_channel(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		       const struct rpmsg_channel_info *info, bool created, void *arg)
{
	struct run_session *s = arg;
	size_t nlen = strnlen(info->name, sizeof(info->name));

	if (!created || s->ept || s->console >= 0 || s->finishing || channel_wanted(s, info->name))
		return;
	if (s->nunjoined < 8) {
		char name[UPROC_ESCAPE_SIZE(sizeof(info->name))];
		size_t at = strlen(s->unjoined);
		uproc_escape_text(name, sizeof(name), info->name, nlen);
		snprintf(s->unjoined + at, sizeof(s->unjoined) - at, "%s\"%s\"", at ? ", " : "",
			 name);
	}
	s->nunjoined++;
	if (!s->unjoined_timer) {
		int64_t id = uproc_loop_add_timer(s->loop, UNJOINED_WAIT_MS, unjoined_done, s);
		s->unjoined_timer = id > 0 ? id : 0;
	}
}

static void on_rpmsg_removing(struct rproc *rproc, unsigned int index,
			      struct rpmsg_virtio_device *bus, void *arg)
{
	struct run_session *s = arg;
	rpmsg_unregister_driver(bus, &s->driver);
}

static void on_tx_ready(struct rproc *rproc, unsigned int index,
			struct rpmsg_virtio_device *bus, void *arg)
{
	run_input_tx_ready(arg);
}

static void on_console_tx_ready(struct rproc *rproc, unsigned int index, void *arg)
{
	struct run_session *s = arg;
	if ((int)index == s->console)
		run_input_tx_ready(s);
}

static void on_console_rx(struct rproc *rproc, unsigned int index, const void *data, size_t len,
			  void *arg)
{
	struct run_session *s = arg;
	if ((int)index != s->console)
		return;
	emit_output(s, data, len);
	s->replies++;
	run_input_reply_seen(s);
}

/* ---- lifecycle events -------------------------------------------------------------- */

static void describe_crash(struct run_session *s)
{
	struct uproc_native_exit ex;
	enum rproc_crash_type type;
	if (rproc_get_last_crash(s->rproc, &type) == 0 && type == RPROC_WATCHDOG) {
		bool where = uproc_native_last_exit(s->rproc, &ex) == 0 &&
			     ex.kind == UPROC_NATIVE_EXIT_FAULT && !ex.crash.emu.machine;
		say(s, "the core hung: its firmware neither beat nor slept for %u ms (watchdog)",
		    s->opt.watchdog_ms);
		if (where)
			say(s, "it was at rip 0x%llx", (unsigned long long)ex.crash.regs.rip);
		return;
	}
	if (uproc_native_last_exit(s->rproc, &ex) < 0 || ex.kind == UPROC_NATIVE_EXIT_NONE) {
		say(s, "the core crashed");
		return;
	}
	switch (ex.kind) {
	case UPROC_NATIVE_EXIT_FAULT:
		if (ex.crash.emu.machine) {
			say(s, "the core crashed: %s at pc 0x%x (address 0x%x)",
			    uproc_emu_reason_name(ex.crash.emu.reason), ex.crash.emu.pc,
			    ex.crash.emu.addr);
			break;
		}
		say(s, "the core crashed: %s at rip 0x%llx (fault address 0x%llx)",
		    strsignal(ex.status), (unsigned long long)ex.crash.regs.rip,
		    (unsigned long long)ex.crash.addr);
		break;
	case UPROC_NATIVE_EXIT_SIGNAL:
		say(s, "the core was killed: %s%s", strsignal(ex.status),
		    ex.status == SIGSYS ? " (a forbidden system call)" : "");
		break;
	case UPROC_NATIVE_EXIT_CODE:
		say(s, "the core exited with status %d", ex.status);
		break;
	default:
		say(s, "the core stopped");
		break;
	}
}

static void save_dump(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	char path[4096];
	if (!s->opt.dump_dir || rproc_coredump_size(s->rproc) < 0)
		return;
	snprintf(path, sizeof(path), "%s/%s.%u.core", s->opt.dump_dir,
		 rproc_get_name(s->rproc), ++s->dumps_saved);
	int ret = rproc_coredump_save(s->rproc, path);
	if (ret < 0)
		say(s, "could not save the coredump to %s: %s", path, strerror(-ret));
	else
		say(s, "coredump saved: %s (%zd bytes; try: gdb %s %s)", path,
		    rproc_coredump_size(s->rproc), s->opt.firmware, path);
	if (s->opt.coredump == RPROC_COREDUMP_INLINE && s->opt.recovery)
		rproc_coredump_release(s->rproc); /* the recovery goes on */
}

static void finish_crashed(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	save_dump(loop, s);
	trace_flush(s, true);
	run_session_finish(s, RUN_CRASHED);
}

/*
 * A crash that ends the run and whose dump is wanted: the library takes dumps on the
 * way to a recovery, so the run asks for one with the dump held inline (the
 * recovery then waits for the dump's release, which never comes: the run ends).
 */
static bool dump_ends_run(const struct run_session *s)
{
	return !s->opt.recovery && s->opt.dump_dir;
}

static void on_event(struct rproc *rproc, enum rproc_event event, void *arg)
{
	struct run_session *s = arg;
	switch (event) {
	case RPROC_EVENT_CRASHED:
		trace_flush(s, true);
		describe_crash(s);
		s->crashed = true;
		unsigned int streak = 0;
		char why[320];
		rproc_get_crash_reason(rproc, why, sizeof(why), &streak);
		if (s->opt.recovery && streak >= RPROC_CRASH_LOOP_MAX) {
			/* The library stops recovering a crash loop: so does the run. */
			say(s, "a crash loop: the same fault %u times in a row (%s): recovery stopped",
			    streak, why[0] ? why : "no reason recorded");
			uproc_loop_defer(s->loop, finish_crashed, s);
		} else if (s->opt.recovery)
			say(s, "recovering (crash %u)", rproc_get_crash_count(rproc));
		else if (!dump_ends_run(s))
			uproc_loop_defer(s->loop, finish_crashed, s);
		/* else the library stops the core and takes the dump: COREDUMP ends it */
		break;
	case RPROC_EVENT_COREDUMP:
		if (s->opt.recovery)
			uproc_loop_defer(s->loop, save_dump, s);
		else if (dump_ends_run(s))
			uproc_loop_defer(s->loop, finish_crashed, s);
		break;
	case RPROC_EVENT_RECOVERED:
		say(s, "recovered: the core runs again");
		s->trace_printed = 0;
		break;
	default:
		break;
	}
}

/*
 * The library's log: warnings always; errors and information with --verbose (the run
 * reports a failed boot and a crash itself, in its own words).
 */
/* The loop's log sink: warnings always, the rest with --verbose. */
static void on_log(void *arg, enum uproc_log_level level, const char *object, const char *msg)
{
	struct run_session *s = arg;

	(void)object;
	if (level == UPROC_LOG_WARN || s->opt.verbose)
		say(s, "%s", msg);
}

/* ---- signals ------------------------------------------------------------------------ */

static void on_signal(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct run_session *s = arg;
	struct signalfd_siginfo si;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	run_session_finish(s, RUN_INTERRUPTED);
}

static int watch_signals(struct run_session *s)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigdelset(&set, SIGPIPE);	/* a closed stdout shows up as EPIPE */
	s->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->signal_fd < 0)
		return -errno;
	return uproc_loop_add_fd(s->loop, s->signal_fd, UPROC_LOOP_IN, on_signal, s);
}

/* ---- the session ----------------------------------------------------------------- */

static void channel_timeout(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	if (s->ept || s->console >= 0 || s->finishing)
		return;
	char want[256];
	wanted_text(s, want, sizeof(want));
	if (s->nunjoined)
		say(s, "the firmware announced %u channel%s (%s%s) but none of those looked for "
		    "(%s): join one with --channel NAME", s->nunjoined, s->nunjoined == 1 ? "" : "s",
		    s->unjoined, s->nunjoined > 8 ? ", ..." : "", want);
	else
		say(s, "the firmware announced no channel (looked for %s) and has no console", want);
	run_session_finish(s, RUN_BOOT_FAILED);
}

static void find_console(struct run_session *s)
{
	int n = rproc_vdev_count(s->rproc);
	bool has_rpmsg = false;
	int console = -1;
	for (int i = 0; i < n; i++) {
		struct rproc_vdev_info info;
		if (rproc_get_vdev_info(s->rproc, (unsigned int)i, &info) < 0)
			continue;
		if (info.id == 7)
			has_rpmsg = true;
		else if (info.id == 3 && console < 0)
			console = i;
	}
	if (console >= 0 && !has_rpmsg) {
		s->console = console;
		say(s, "joined console (vdev %d)", console);
	}
}

int run_session_start(struct run_session *s)
{
	int ret;
	char refusal[512];

	/* The image's machine picks the core (native x86-64 or emulated); a machine no
	 * backend runs is refused before anything starts. */
	int backend = uproc_backend_check_file(s->opt.firmware, UPROC_BACKEND_AUTO, refusal,
					       sizeof(refusal));
	if (backend == -ENOEXEC) {
		fprintf(stderr, "uproc run: %s\n", refusal);
		return RUN_BOOT_FAILED;
	}
	run_screen_init(s);
	ret = uproc_loop_new(&s->loop);
	if (ret < 0)
		return RUN_BOOT_FAILED;
	ret = watch_signals(s);
	if (ret < 0) {
		fprintf(stderr, "uproc run: signals: %s\n", strerror(-ret));
		return RUN_BOOT_FAILED;
	}

	char name[32];
	snprintf(name, sizeof(name), "run-%d", (int)getpid());
	struct uproc_native_config cfg;
	uproc_native_config_init(&cfg, name);
	/* The core dies with this run, however it ends, and leaves no file behind. */
	cfg.outlive_host = false;
	cfg.cpu = s->opt.cpu;
	cfg.watchdog_ms = s->opt.watchdog_ms;
	s->rproc = uproc_native_rproc_alloc(s->loop, &cfg, s->opt.firmware);
	if (!s->rproc) {
		fprintf(stderr, "uproc run: cannot set up a native core: %s\n", strerror(errno));
		return RUN_BOOT_FAILED;
	}
	uproc_loop_set_log(s->loop, UPROC_LOG_DEBUG, on_log, s);
	rproc_set_recovery(s->rproc, s->opt.recovery || dump_ends_run(s));
	rproc_set_coredump(s->rproc, dump_ends_run(s) ? RPROC_COREDUMP_INLINE : s->opt.coredump);

	for (unsigned int i = 0; i < s->opt.nchannels; i++)
		snprintf(s->ids[i].name, sizeof(s->ids[i].name), "%s", s->opt.channels[i]);
	s->driver.name = "uproc-run";
	s->driver.id_table = s->ids;
	s->driver.probe = channel_probe;
	s->driver.remove = channel_remove;
	s->driver.callback = channel_rx;
	struct rproc_vdev_hooks hooks = {
		.rpmsg_ready = on_rpmsg_ready,
		.rpmsg_removing = on_rpmsg_removing,
		.console_rx = on_console_rx,
		.rpmsg_tx_ready = on_tx_ready,
		.console_tx_ready = on_console_tx_ready,
		.rpmsg_channel = on_channel,
		.arg = s,
	};
	rproc_set_vdev_hooks(s->rproc, &hooks);
	if (rproc_notifier_register(s->rproc, on_event, s) < 0)
		return RUN_BOOT_FAILED;

	ret = rproc_add(s->rproc);
	if (ret == 0)
		ret = rproc_boot(s->rproc);
	if (ret < 0) {
		const char *why = rproc_last_error(s->rproc);
		fprintf(stderr, "uproc run: cannot boot %s: %s\n", s->opt.firmware,
			why && *why ? why : strerror(-ret));
		return RUN_BOOT_FAILED;
	}
	say(s, "booted %s on %s core %s (pid %d)", s->opt.firmware,
	    backend == UPROC_BACKEND_EMULATED ? "emulated" : "native", name,
	    (int)uproc_native_pid(s->rproc));

	find_console(s);
	ret = run_input_open(s);
	if (ret < 0) {
		fprintf(stderr, "uproc run: standard input: %s\n", strerror(-ret));
		return RUN_BOOT_FAILED;
	}
	if (s->console < 0)
		uproc_loop_add_timer(s->loop, CHANNEL_WAIT_MS, channel_timeout, s);
	trace_tick(s->loop, s);
	run_input_resume(s);
	return RUN_OK;
}

bool run_session_can_send(const struct run_session *s)
{
	return !s->finishing && (s->ept || s->console >= 0);
}

void run_session_finish(struct run_session *s, int status)
{
	if (s->finishing)
		return;
	s->finishing = true;
	s->status = status;
	uproc_loop_stop(s->loop);
}

/* Runs the loop until the session finishes, looking for the channel between events. */
int run_session_loop(struct run_session *s);
int run_session_loop(struct run_session *s)
{
	while (!s->finishing) {
		int ret = uproc_loop_dispatch(s->loop, 50);
		if (ret < 0)
			return RUN_BOOT_FAILED;
	}
	return s->status;
}

void run_session_stop(struct run_session *s)
{
	run_input_close(s);
	if (s->rproc) {
		trace_flush(s, true);
		enum rproc_state st = rproc_get_state(s->rproc);
		if (st == RPROC_RUNNING || st == RPROC_CRASHED)
			rproc_shutdown(s->rproc);
		rproc_del(s->rproc);
		/* let the backend reap the core before the loop goes */
		for (int i = 0; i < 5; i++)
			uproc_loop_dispatch(s->loop, 0);
		rproc_free(s->rproc);
		s->rproc = NULL;
	}
	run_screen_end(s);
	if (s->loop) {
		if (s->signal_fd >= 0) {
			uproc_loop_del_fd(s->loop, s->signal_fd);
			close(s->signal_fd);
		}
		uproc_loop_free(s->loop);
		s->loop = NULL;
	}
}
