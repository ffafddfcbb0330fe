/* SPDX-License-Identifier: MIT */
/*
 * escape.c - text that came from a remote processor (channel names, trace lines),
 * made safe to print, log or put in JSON.
 */
#include "uproc_escape.h"


static const char hex[] = "0123456789abcdef";

static size_t emit(char *out, size_t outlen, size_t at, const char *s, size_t n)
{
	if (at + n >= outlen)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[at + i] = s[i];
	return n;
}

size_t uproc_escape_text(char *out, size_t outlen, const void *in, size_t inlen)
{
	const unsigned char *p = in;
	size_t at = 0;

	if (!outlen)
		return 0;
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = p[i];
		char e[4];
		size_t n;

		if (c == '\\') {
			e[0] = '\\';
			e[1] = '\\';
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[c >> 4];
			e[3] = hex[c & 15];
			n = 4;
		}
		size_t w = emit(out, outlen, at, e, n);
		if (!w)
			break;
		at += w;
	}
	out[at] = '\0';
	return at;
}

size_t uproc_escape_json(char *out, size_t outlen, const void *in, size_t inlen)
{
	const unsigned char *p = in;
	size_t at = 0;

	if (!outlen)
		return 0;
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = p[i];
		char e[6];
		size_t n;

		if (c == '\\' || c == '"') {
			e[0] = '\\';
			e[1] = (char)c;
			n = 2;
		} else if (c >= 0x20 && c < 0x7f) {
			e[0] = (char)c;
			n = 1;
		} else {
			e[0] = '\\';
			e[1] = 'u';
			e[2] = '0';
			e[3] = '0';
			e[4] = hex[c >> 4];
			e[5] = hex[c & 15];
			n = 6;
		}
		size_t w = emit(out, outlen, at, e, n);
		if (!w)
			break;
		at += w;
	}
	out[at] = '\0';
	return at;
}
