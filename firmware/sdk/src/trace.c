// SPDX-License-Identifier: MIT
/*
 * trace.c - the trace buffer writer and the SDK's printf (uproc/fw/trace.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uproc/fw/layout.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/trace.h"

/* At the top of RAM, in its own zero-filled segment (firmware.ld). */
__attribute__((section(".uproc_trace"), used, aligned(64)))
char uproc_fw_trace_buf[UPROC_FW_TRACE_SIZE];

/* Where the next text goes: the offset of the string's terminating NUL. */
static size_t trace_pos;

struct out {
	char *buf;
	size_t len;
	size_t n; /* bytes the whole text needs */
};

static void put(struct out *o, char c)
{
	if (o->n + 1 < o->len)
		o->buf[o->n] = c;
	o->n++;
}

static void put_padded(struct out *o, const char *s, size_t slen, int width, bool left,
		       char pad)
{
	size_t w = width > 0 ? (size_t)width : 0;

	if (!left)
		for (size_t i = slen; i < w; i++)
			put(o, pad);
	for (size_t i = 0; i < slen; i++)
		put(o, s[i]);
	if (left)
		for (size_t i = slen; i < w; i++)
			put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, bool negative, unsigned int base, bool upper,
		       int width, bool left, bool zero, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0, plen = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (negative)
		prefix = "-";
	while (prefix && prefix[plen])
		plen++;

	size_t total = n + plen;
	size_t w = width > 0 ? (size_t)width : 0;
	if (!left && !zero)
		for (size_t i = total; i < w; i++)
			put(o, ' ');
	for (size_t i = 0; i < plen; i++)
		put(o, prefix[i]);
	if (!left && zero)
		for (size_t i = total; i < w; i++)
			put(o, '0');
	while (n)
		put(o, tmp[--n]);
	if (left)
		for (size_t i = total; i < w; i++)
			put(o, ' ');
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static uint64_t arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, int);
	}
}

int uproc_fw_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap_in)
{
	struct out o = { buf, len, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			put(&o, *p);
			continue;
		}
		bool left = false, zero = false, alt = false;
		int width = 0, prec = -1;
		enum length lm = LEN_INT;

		for (p++;; p++) {
			if (*p == '-')
				left = true;
			else if (*p == '#')
				alt = true;
			else if (*p == '0')
				zero = true;
			else
				break;
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				prec = va_arg(ap, int);
				p++;
			} else
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
		}
		if (*p == 'h') {
			lm = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
			p += p[1] == 'h' ? 2 : 1;
		} else if (*p == 'l') {
			lm = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
			p += p[1] == 'l' ? 2 : 1;
		} else if (*p == 'z' || *p == 't' || *p == 'j') {
			lm = *p == 'j' ? LEN_LLONG : LEN_SIZE;
			p++;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, lm);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			put_number(&o, mag, v < 0, 10, false, width, left, zero, NULL);
			break;
		}
		case 'u':
			put_number(&o, arg_unsigned(&ap, lm), false, 10, false, width, left, zero,
				   NULL);
			break;
		case 'x':
		case 'X': {
			uint64_t v = arg_unsigned(&ap, lm);
			put_number(&o, v, false, 16, *p == 'X', width, left, zero,
				   alt && v ? (*p == 'X' ? "0X" : "0x") : NULL);
			break;
		}
		case 'o': {
			uint64_t v = arg_unsigned(&ap, lm);
			put_number(&o, v, false, 8, false, width, left, zero, alt && v ? "0" : NULL);
			break;
		}
		case 'p':
			put_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), false, 16, false,
				   width, left, zero, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t slen = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			put_padded(&o, s, slen, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			p--; /* a lone '%' at the end */
			break;
		default:
			put(&o, '%');
			put(&o, *p);
			break;
		}
	}
	va_end(ap);
	if (len)
		buf[o.n < len ? o.n : len - 1] = '\0';
	return o.n > 0x7fffffff ? 0x7fffffff : (int)o.n;
}

int uproc_fw_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = uproc_fw_vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

int uproc_fw_trace_write(const char *text, size_t len)
{
	const size_t size = sizeof(uproc_fw_trace_buf);

	if (len > UPROC_FW_TRACE_LINE_MAX - 1)
		len = UPROC_FW_TRACE_LINE_MAX - 1;
	if (len + 1 > size)
		len = size - 1;
	if (trace_pos + len + 1 > size) {
#ifdef UPROC_FW_TRACE_STOP_WHEN_FULL
		len = size - 1 - trace_pos;
#else
		trace_pos = 0;
#endif
	}
	/* The NUL first, then the text before it: a reader never runs off the end. */
	uproc_fw_trace_buf[trace_pos + len] = '\0';
	memcpy(uproc_fw_trace_buf + trace_pos, text, len);
	trace_pos += len;
	return (int)len;
}

int uproc_fw_vtrace(const char *fmt, va_list ap)
{
	char line[UPROC_FW_TRACE_LINE_MAX];
	int n = uproc_fw_vsnprintf(line, sizeof(line), fmt, ap);

	return uproc_fw_trace_write(line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int uproc_fw_trace(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = uproc_fw_vtrace(fmt, ap);
	va_end(ap);
	return n;
}

void uproc_fw_trace_clear(void)
{
	trace_pos = 0;
	uproc_fw_trace_buf[0] = '\0';
}

const char *uproc_fw_trace_buffer(void)
{
	return uproc_fw_trace_buf;
}
