/* SPDX-License-Identifier: MIT */
/*
 * run_session.h - private to "uproc run": one booted core joined to a terminal or
 * a pipe. All of it runs on the event loop's thread.
 */
#ifndef UPROC_RUN_SESSION_H
#define UPROC_RUN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "uproc/loop.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

#define RUN_MAX_CHANNELS 8
#define RUN_WATCHDOG_MS_DEFAULT 5000
#define RUN_INPUT_MAX 65536

/* Exit statuses of "uproc run". */
enum run_status {
	RUN_OK = 0,
	RUN_BOOT_FAILED = 1,
	RUN_USAGE = 2,
	RUN_CRASHED = 3,
	RUN_INTERRUPTED = 130,
};

/** struct run_options - what the command line asked for. */
struct run_options {
	const char *firmware;
	const char *channels[RUN_MAX_CHANNELS];	/* names to join, in preference order */
	unsigned int nchannels;
	bool recovery;
	enum rproc_dump_mechanism coredump;
	const char *dump_dir;
	uint32_t watchdog_ms;		/* 0: none */
	int cpu;
	bool trace;
	bool verbose;			/* show the library's error and info log lines */
	bool raw;			/* terminal: keystrokes as typed, no line editing */
	unsigned int reply_wait_ms;	/* pipe mode: how long to wait for each answer */
};

/** struct run_session - the state of one run. */
struct run_session {
	struct run_options opt;
	struct uproc_loop *loop;
	struct rproc *rproc;
	int signal_fd;

	/* where input goes: an rpmsg channel, else a console vdev */
	struct rpmsg_driver driver;
	struct rpmsg_device_id ids[RUN_MAX_CHANNELS + 1];
	struct rpmsg_endpoint *ept;	/* the joined channel's endpoint, or NULL */
	int console;			/* console vdev index, or -1 */

	/* input */
	bool tty;			/* stdin is a terminal: raw mode, bytes as typed */
	struct termios saved_termios;
	bool stdin_watched;
	bool stdin_regular;		/* a file: epoll cannot watch it, read it directly */
	bool input_eof;
	char pending[RUN_INPUT_MAX];	/* read, not yet sent */
	size_t npending;
	bool awaiting_reply;		/* pipe mode: a line was sent, its answer is due */
	bool reply_missed;		/* pipe mode: an answer did not come in time */
	int64_t reply_timer;
	bool sent_whole_line;		/* pipe mode: the last piece sent ended a line */
	bool tx_blocked;		/* waiting for a tx_ready hook (rpmsg or console) */

	/* the screen (run_screen.c) */
	bool screen;			/* stdout and stderr are a terminal */
	bool at_line_start;		/* the remote's output ended a line */
	int64_t midline_since;		/* ms (monotonic) it stands mid-line since */
	char edit[1024];		/* line mode: the line being typed */
	size_t nedit;
	bool edit_shown;		/* it is on the screen */

	/* channels announced that are not joined */
	char unjoined[512];		/* escaped names, for the message */
	unsigned int nunjoined;
	int64_t unjoined_timer;

	/* output and events */
	size_t trace_printed;
	int64_t trace_timer;
	unsigned long replies;
	unsigned int dumps_saved;
	bool crashed;
	int status;
	bool finishing;
	int64_t linger_timer;
	uint64_t linger_until_ms; /* after the input ended, output waited for until then */
};

/* run_session.c */
int run_session_start(struct run_session *s);
void run_session_finish(struct run_session *s, int status);
void run_session_stop(struct run_session *s);
bool run_session_can_send(const struct run_session *s);

/* run_screen.c */
void run_screen_init(struct run_session *s);
/** run_screen_output() - the remote's bytes to stdout. Returns false if stdout failed. */
bool run_screen_output(struct run_session *s, const void *data, size_t len);
/** run_screen_line_may_start() - may a line go to the screen now? (@force: make room) */
bool run_screen_line_may_start(struct run_session *s, bool force);
/** run_screen_line() - one line of ours (@prefix, then the format) on a fresh line. */
void run_screen_line(struct run_session *s, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void run_screen_hide_edit(struct run_session *s);
void run_screen_show_edit(struct run_session *s);
/** run_screen_end() - leave the cursor at the start of a line. */
void run_screen_end(struct run_session *s);

/* run_input.c */
int run_input_open(struct run_session *s);
void run_input_close(struct run_session *s);
void run_input_resume(struct run_session *s);
void run_input_reply_seen(struct run_session *s);
void run_input_channel_lost(struct run_session *s);
void run_input_tx_ready(struct run_session *s);

#endif /* UPROC_RUN_SESSION_H */
