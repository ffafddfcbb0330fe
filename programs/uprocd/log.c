/* SPDX-License-Identifier: MIT */
/*
 * log.c - uprocd's messages go to stderr (the journal, under systemd).
 */
#include <stdarg.h>
#include <stdio.h>

#include "daemon.h"

void uprocd_log(struct uprocd *d, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "uprocd: %s\n", line);
}
