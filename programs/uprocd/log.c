/* SPDX-License-Identifier: MIT */
/*
 * log.c - uprocd's one line format on stderr (the journal, under systemd):
 * "uprocd: LEVEL: [OBJECT: ]MESSAGE". It is the sink of the daemon's loop, so the
 * remoteproc core, the backends, the rpmsg buses and the daemon's own lines all
 * come out the same way.
 */
#include <stdarg.h>
#include <stdio.h>

#include "daemon.h"
#include "uproc/loop.h"

void uprocd_log_line(void *arg, enum uproc_log_level level, const char *object, const char *msg)
{
	(void)arg;
	/* One fprintf per line: lines from several threads do not interleave. */
	if (object)
		fprintf(stderr, "uprocd: %s: %s: %s\n", uproc_log_level_name(level), object, msg);
	else
		fprintf(stderr, "uprocd: %s: %s\n", uproc_log_level_name(level), msg);
}

void uprocd_log(struct uprocd *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (d->loop) {
		uproc_loop_vlog(d->loop, UPROC_LOG_INFO, NULL, fmt, ap);
	} else {
		char line[512];

		vsnprintf(line, sizeof(line), fmt, ap);
		uprocd_log_line(d, UPROC_LOG_INFO, NULL, line);
	}
	va_end(ap);
}
