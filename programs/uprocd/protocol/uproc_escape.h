/* SPDX-License-Identifier: MIT */
/*
 * uproc_escape.h - bytes from a remote processor (channel names, trace lines) made
 * safe for a terminal, a file or JSON. The remote is untrusted: its names may hold
 * control characters, 0xff bytes or quotes. Both forms are reversible, one escape
 * per byte:
 *
 *   text: printable ASCII (0x20-0x7e) as is, a backslash as "\\", every other
 *         byte as "\xHH" (two lower-case hex digits);
 *   JSON: the content of a JSON string (no quotes): printable ASCII as is, '"' and
 *         '\' backslash-escaped, every other byte as "\u00HH" (its value as a
 *         code point, so each byte maps to one character).
 *
 * Pure functions, no state: any thread.
 */
#ifndef UPROC_ESCAPE_H
#define UPROC_ESCAPE_H

#include <stddef.h>

/* Room for the escape of @n bytes, terminating NUL included, in either form. */
#define UPROC_ESCAPE_SIZE(n) (6 * (n) + 1)

/**
 * uproc_escape_text() - escape @inlen bytes of @in for a terminal or a file.
 * @out: receives the text, always NUL-terminated (when @outlen > 0); an escape
 * that would not fit is left out whole, with everything after it.
 * Returns the length written (NUL excluded).
 */
size_t uproc_escape_text(char *out, size_t outlen, const void *in, size_t inlen);

/**
 * uproc_escape_json() - escape @inlen bytes of @in as the content of a JSON string.
 * @out: as for uproc_escape_text(). Returns the length written (NUL excluded).
 */
size_t uproc_escape_json(char *out, size_t outlen, const void *in, size_t inlen);

#endif /* UPROC_ESCAPE_H */
