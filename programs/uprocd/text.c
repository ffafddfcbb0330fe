/* SPDX-License-Identifier: MIT */
/*
 * text.c - a growing text buffer for file contents and reply lines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

static int reserve(struct uprocd_text *t, size_t more)
{
	if (t->error)
		return t->error;
	if (t->cap - t->len > more)
		return 0;
	size_t cap = t->cap ? t->cap : 256;
	while (cap - t->len <= more) {
		if (cap > (SIZE_MAX >> 1)) {
			t->error = -ENOMEM;
			return t->error;
		}
		cap *= 2;
	}
	char *n = realloc(t->buf, cap);
	if (!n) {
		t->error = -ENOMEM;
		return t->error;
	}
	t->buf = n;
	t->cap = cap;
	return 0;
}

int uprocd_text_append(struct uprocd_text *t, const void *data, size_t len)
{
	int r = reserve(t, len);
	if (r)
		return r;
	memcpy(t->buf + t->len, data, len);
	t->len += len;
	t->buf[t->len] = '\0';
	return 0;
}

int uprocd_text_printf(struct uprocd_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	int r = reserve(t, (size_t)n);
	if (r)
		return r;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
	return 0;
}

void uprocd_text_free(struct uprocd_text *t)
{
	free(t->buf);
	memset(t, 0, sizeof(*t));
}
