// SPDX-License-Identifier: MIT
/*
 * run_input.c - "uproc run": standard input to the joined channel or console.
 *
 * A terminal is put in raw mode and the run edits the line itself: typed keys are
 * echoed, Backspace and Ctrl-U edit, Enter sends the line (with its newline); with
 * --raw every keystroke goes out as typed instead, unechoed. Either way Ctrl-C
 * interrupts and Ctrl-D (on an empty line) ends the input. Piped input goes out a
 * line per message, each
 * sent after the answer to the one before (or after --reply-wait ms without one),
 * so a script's output comes in the order of its input. Lines longer than the
 * channel's MTU are split, never truncated.
 */
#include "run_session.h"
#include "uproc/native.h"

#include "hostutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LINGER_MS 100
/* A remote that never stops talking still lets the run end this long after its input. */
#define LINGER_MAX_MS 2000
#define CTRL_C 0x03
#define CTRL_D 0x04
#define CTRL_U 0x15
#define BACKSPACE 0x08
#define DEL 0x7f

static void stdin_ready(struct uproc_loop *loop, int fd, uint32_t events, void *arg);
static void resume_later(struct uproc_loop *loop, void *arg);

static void watch_stdin(struct run_session *s, bool on)
{
	if (s->stdin_regular || s->input_eof || on == s->stdin_watched)
		return;
	if (on) {
		int ret = uproc_loop_add_fd(s->loop, STDIN_FILENO, UPROC_LOOP_IN, stdin_ready, s);
		if (ret == 0) {
			s->stdin_watched = true;
		} else if (ret == -EPERM) {
			/* epoll refuses it (/dev/null): it never blocks, read it as a file */
			s->stdin_regular = true;
			uproc_loop_defer(s->loop, resume_later, s);
		}
	} else {
		uproc_loop_del_fd(s->loop, STDIN_FILENO);
		s->stdin_watched = false;
	}
}

int run_input_open(struct run_session *s)
{
	struct stat st;
	if (fstat(STDIN_FILENO, &st) < 0)
		return -errno;
	s->stdin_regular = S_ISREG(st.st_mode);
	s->tty = isatty(STDIN_FILENO);
	if (s->tty && tcgetattr(STDIN_FILENO, &s->saved_termios) == 0) {
		struct termios raw = s->saved_termios;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST | ONLCR;	/* our own lines still end where they should */
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		run_screen_line(s, "[uproc] ", "%s", s->opt.raw ?
				"terminal joined (raw): keys go out as typed, Ctrl-D ends, Ctrl-C stops" :
				"terminal joined: type a line and press Enter to send it, Ctrl-D "
				"ends, Ctrl-C stops");
	} else {
		s->tty = false;
	}
	s->reply_timer = -1;
	s->linger_timer = -1;
	return 0;
}

void run_input_close(struct run_session *s)
{
	if (s->loop)
		watch_stdin(s, false);
	if (s->tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &s->saved_termios);
	s->tty = false;
}

/*
 * Line mode: @n keys just read (at the end of @s->pending) edit the line being
 * typed; Enter moves it, with its newline, to what is sent. Returns false at the
 * end of input (Ctrl-D on an empty line).
 */
static bool edit_keys(struct run_session *s, size_t n)
{
	char keys[RUN_INPUT_MAX];
	bool more = true;

	memcpy(keys, s->pending + s->npending, n);
	for (size_t i = 0; i < n && more; i++) {
		char c = keys[i];
		if (c == CTRL_C) {
			run_session_finish(s, RUN_INTERRUPTED);
			break;
		}
		if (c == CTRL_D) {
			more = s->nedit > 0;	/* on an empty line: the end */
			continue;
		}
		if (c == '\r' || c == '\n') {
			if (sizeof(s->pending) - s->npending < s->nedit + 1)
				break;	/* full: the rest waits (rare: 64 KiB unsent) */
			memcpy(s->pending + s->npending, s->edit, s->nedit);
			s->npending += s->nedit;
			s->pending[s->npending++] = '\n';
			s->nedit = 0;
			s->edit_shown = false;
			run_screen_output(s, "\n", 1);	/* the cursor to a new line */
			continue;
		}
		if (c == DEL || c == BACKSPACE) {
			if (!s->nedit)
				continue;
			run_screen_hide_edit(s);
			do
				s->nedit--;
			while (s->nedit && ((unsigned char)s->edit[s->nedit] & 0xc0) == 0x80);
			run_screen_show_edit(s);
			continue;
		}
		if (c == CTRL_U) {
			run_screen_hide_edit(s);
			s->nedit = 0;
			continue;
		}
		if ((unsigned char)c < 0x20 && c != '\t')
			continue;	/* other control keys: not part of a line */
		if (s->nedit < sizeof(s->edit) - 1) {
			s->edit[s->nedit++] = c;
			if (s->edit_shown) {
				fputc(c, stdout);
				fflush(stdout);
			} else {
				run_screen_show_edit(s);
			}
		}
	}
	return more;
}

/* Take in what standard input has; returns false at end of input. */
static bool read_some(struct run_session *s)
{
	size_t room = sizeof(s->pending) - s->npending;
	if (!room)
		return true;
	ssize_t n = read(STDIN_FILENO, s->pending + s->npending, room);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	if (s->tty && !s->opt.raw)
		return edit_keys(s, (size_t)n);
	if (s->tty) {
		for (ssize_t i = 0; i < n; i++) {
			char c = s->pending[s->npending + (size_t)i];
			if (c == CTRL_C) {
				run_session_finish(s, RUN_INTERRUPTED);
				return true;
			}
			if (c == CTRL_D) {
				s->npending += (size_t)i;
				return false;
			}
		}
	}
	s->npending += (size_t)n;
	return true;
}

static void stdin_ready(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct run_session *s = arg;
	if (!read_some(s)) {
		watch_stdin(s, false);
		s->input_eof = true;
	}
	if (s->npending == sizeof(s->pending))
		watch_stdin(s, false);	/* full: resumed when some is sent */
	run_input_resume(s);
}

static void reply_overdue(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	s->reply_timer = -1;
	/* A core held in a debugger is not late: wait on while it is stopped. */
	if (uproc_native_debugged(s->rproc)) {
		s->reply_timer = uproc_loop_add_timer(loop, s->opt.reply_wait_ms, reply_overdue, s);
		if (s->reply_timer >= 0)
			return;
	}
	s->awaiting_reply = false;
	s->reply_missed = true;
	run_input_resume(s);
}

static void linger_done(struct uproc_loop *loop, void *arg)
{
	struct run_session *s = arg;
	s->linger_timer = -1;
	if (uproc_native_debugged(s->rproc)) {
		s->linger_timer = uproc_loop_add_timer(loop, LINGER_MS, linger_done, s);
		if (s->linger_timer >= 0)
			return;
	}
	run_session_finish(s, RUN_OK);
}

/* The next piece to send: a line (pipe) or everything typed (terminal), <= @mtu. */
static size_t next_piece(const struct run_session *s, size_t mtu)
{
	size_t n = s->npending < mtu ? s->npending : mtu;
	if (s->tty && s->opt.raw)
		return n;
	const char *nl = memchr(s->pending, '\n', n);
	if (nl)
		return (size_t)(nl - s->pending) + 1;
	if (n == mtu || s->input_eof)
		return n;
	return 0;	/* half a line: wait for the rest */
}

static int send_piece(struct run_session *s, size_t len)
{
	if (s->ept)
		return rpmsg_trysend(s->ept, s->pending, len);
	ssize_t sent = rproc_console_write(s->rproc, (unsigned int)s->console, s->pending, len);
	if (sent == 0)
		return -EAGAIN;
	return sent < 0 ? (int)sent : (int)sent;
}

void run_input_resume(struct run_session *s)
{
	if (s->finishing)
		return;
	while (run_session_can_send(s) && !s->awaiting_reply && !s->tx_blocked) {
		if (s->stdin_regular && !s->input_eof && s->npending < sizeof(s->pending)) {
			if (!read_some(s))
				s->input_eof = true;
		}
		size_t mtu = s->ept ? (size_t)rpmsg_get_mtu(s->ept) : 256;
		size_t len = next_piece(s, mtu);
		if (!len)
			break;
		int ret = send_piece(s, len);
		if (ret == -ENOMEM && s->ept) {
			/* No tx buffer: the bus's tx_ready hook resumes us (polling armed it). */
			if (rpmsg_poll(s->ept) & RPMSG_POLLOUT)
				continue;
			s->tx_blocked = true;
			return;
		}
		if (ret == -EAGAIN) {	/* console: its console_tx_ready hook resumes us */
			s->tx_blocked = true;
			return;
		}
		if (ret < 0) {
			run_screen_line(s, "[uproc] ", "send failed: %s", strerror(-ret));
			run_session_finish(s, RUN_CRASHED);
			return;
		}
		size_t used = s->ept ? len : (size_t)ret;
		s->sent_whole_line = s->pending[used - 1] == '\n';
		memmove(s->pending, s->pending + used, s->npending - used);
		s->npending -= used;
		if (used < len) {	/* console: the rest when buffers come back */
			s->tx_blocked = true;
			return;
		}
		if (!s->tty && s->opt.reply_wait_ms) {
			s->awaiting_reply = true;
			s->reply_timer = uproc_loop_add_timer(s->loop, s->opt.reply_wait_ms,
							      reply_overdue, s);
		}
	}
	if (!s->input_eof && s->npending < sizeof(s->pending))
		watch_stdin(s, true);
	/* Everything sent and answered: let trailing output arrive, then stop. */
	if (s->input_eof && !s->npending && !s->awaiting_reply && run_session_can_send(s) &&
	    s->linger_timer < 0) {
		/* An answer never came: give the watchdog time to tell a hung core. */
		unsigned int ms = s->reply_missed && s->opt.watchdog_ms ?
				  s->opt.watchdog_ms * 2 : LINGER_MS;
		if (!s->linger_until_ms)
			s->linger_until_ms = upi_now_ms() + (ms > LINGER_MAX_MS ? ms : LINGER_MAX_MS);
		s->linger_timer = uproc_loop_add_timer(s->loop, ms, linger_done, s);
	}
}

static void resume_later(struct uproc_loop *loop, void *arg)
{
	run_input_resume(arg);
}

void run_input_reply_seen(struct run_session *s)
{
	/* more output: wait a little longer, up to LINGER_MAX_MS after the input ended */
	if (s->linger_timer >= 0 && upi_now_ms() < s->linger_until_ms) {
		uproc_loop_cancel_timer(s->loop, s->linger_timer);
		s->linger_timer = -1;
	}
	if (s->awaiting_reply) {
		s->awaiting_reply = false;
		if (s->reply_timer >= 0)
			uproc_loop_cancel_timer(s->loop, s->reply_timer);
		s->reply_timer = -1;
	}
	/* Not from inside the receive callback: send from the loop. */
	uproc_loop_defer(s->loop, resume_later, s);
}

void run_input_tx_ready(struct run_session *s)
{
	if (!s->tx_blocked)
		return;
	s->tx_blocked = false;
	uproc_loop_defer(s->loop, resume_later, s);
}

void run_input_channel_lost(struct run_session *s)
{
	s->tx_blocked = false;
	/* The line in flight went down with the channel: go on with the next one. */
	if (s->awaiting_reply) {
		s->awaiting_reply = false;
		if (s->reply_timer >= 0)
			uproc_loop_cancel_timer(s->loop, s->reply_timer);
		s->reply_timer = -1;
	}
	if (s->linger_timer >= 0) {
		uproc_loop_cancel_timer(s->loop, s->linger_timer);
		s->linger_timer = -1;
	}
}
