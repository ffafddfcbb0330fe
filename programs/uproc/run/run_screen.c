// SPDX-License-Identifier: MIT
/*
 * run_screen.c - "uproc run" on a terminal: the remote's output, the trace and
 * status lines and the line being typed share one screen, and none splits another.
 *
 *   - a trace or status line starts on a fresh line: while the remote's output
 *     stands in the middle of a line, trace lines wait for its end (a status line,
 *     or a trace line that waited RUN_MIDLINE_MS, moves to a new line first);
 *   - the line being typed (line mode) is taken off the screen while anything else
 *     prints, and put back after it;
 *   - at the end the cursor is left at the start of a line, for the shell's prompt.
 *
 * Off a terminal (output to files or pipes) everything is written as it comes.
 */
#include "run_session.h"

#include "hostutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUN_MIDLINE_MS 1000

void run_screen_init(struct run_session *s)
{
	s->screen = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
	s->at_line_start = true;
}

/* Columns the typed line takes (UTF-8 continuation bytes take none). */
static size_t edit_columns(const struct run_session *s)
{
	size_t cols = 0;
	for (size_t i = 0; i < s->nedit; i++)
		if (((unsigned char)s->edit[i] & 0xc0) != 0x80)
			cols++;
	return cols;
}

void run_screen_hide_edit(struct run_session *s)
{
	if (!s->edit_shown)
		return;
	for (size_t i = edit_columns(s); i > 0; i--)
		fputc('\b', stdout);
	fputs("\033[K", stdout);
	fflush(stdout);
	s->edit_shown = false;
}

void run_screen_show_edit(struct run_session *s)
{
	if (!s->screen || s->edit_shown || !s->nedit)
		return;
	fwrite(s->edit, 1, s->nedit, stdout);
	fflush(stdout);
	s->edit_shown = true;
}

bool run_screen_output(struct run_session *s, const void *data, size_t len)
{
	if (!len)
		return true;
	run_screen_hide_edit(s);
	bool ok = fwrite(data, 1, len, stdout) == len;
	bool was_start = s->at_line_start;
	s->at_line_start = ((const char *)data)[len - 1] == '\n';
	if (was_start && !s->at_line_start)
		s->midline_since = (int64_t)upi_now_ms();
	ok = fflush(stdout) == 0 && ok;
	run_screen_show_edit(s);
	return ok;
}

bool run_screen_line_may_start(struct run_session *s, bool force)
{
	if (!s->screen || s->at_line_start)
		return true;
	if (!force && (int64_t)upi_now_ms() - s->midline_since < RUN_MIDLINE_MS)
		return false;
	run_screen_hide_edit(s);
	fputs("\r\n", stdout);
	fflush(stdout);
	s->at_line_start = true;
	return true;
}

void run_screen_line(struct run_session *s, const char *prefix, const char *fmt, ...)
{
	va_list ap;

	run_screen_line_may_start(s, true);
	run_screen_hide_edit(s);
	fflush(stdout);
	fputs(prefix, stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\r\n", stderr);	/* the terminal may be in raw mode */
	fflush(stderr);
	run_screen_show_edit(s);
}

void run_screen_end(struct run_session *s)
{
	if (s->screen && (s->edit_shown || !s->at_line_start)) {
		fputs("\r\n", stdout);
		fflush(stdout);
	}
	s->edit_shown = false;
	s->at_line_start = true;
}
