/* SPDX-License-Identifier: MIT */
/*
 * escape.c - text that came from a remote processor (channel names, trace lines),
 * made safe to print, log or put in JSON.
 */
#include "uproc_escape.h"

#include <stdbool.h>

static const char hex[] = "0123456789abcdef";

static size_t emit(char *out, size_t outlen, size_t at, const char *s, size_t n)
{
	if (at + n >= outlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[at + i] = s[i];
	return n;
}

/* One byte's escape into @e (up to 6 bytes); returns its length. */
static size_t escape_byte(unsigned char c, bool json, char *e)
{
	if (c == '\\' || (json && c == '"')) {
		e[0] = '\\';
		e[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		e[0] = (char)c;
		return 1;
	}
	size_t n = 0;
	e[n++] = '\\';
	if (json) {
		e[n++] = 'u';
		e[n++] = '0';
		e[n++] = '0';
	} else {
		e[n++] = 'x';
	}
	e[n++] = hex[c >> 4];
	e[n++] = hex[c & 15];
	return n;
}

static size_t escape(char *out, size_t outlen, const void *in, size_t inlen, bool json)
{
	const unsigned char *p = in;
	size_t at = 0;

	if (!outlen)
		return 0;
	for (size_t i = 0; i < inlen; i++) {
		char e[6];
		size_t w = emit(out, outlen, at, e, escape_byte(p[i], json, e));
		if (!w)
			break;
		at += w;
	}
	out[at] = '\0';
	return at;
}

size_t uproc_escape_text(char *out, size_t outlen, const void *in, size_t inlen)
{
	return escape(out, outlen, in, inlen, false);
}

size_t uproc_escape_json(char *out, size_t outlen, const void *in, size_t inlen)
{
	return escape(out, outlen, in, inlen, true);
}
