/* SPDX-License-Identifier: MIT */
/*
 * uproc/fw/trace.h - the firmware's trace buffer and a small printf.
 *
 * The buffer (UPROC_FW_TRACE_SIZE bytes at UPROC_FW_TRACE_DA, see layout.h) is what
 * the resource table's trace entry points at (UPROC_FW_RSC_TRACE() in rsc.h). It
 * always holds one NUL-terminated string, as Linux reads it (debugfs traceN), that
 * grows with each call. Each call appends its whole text or, when that would not
 * fit, starts again at the beginning of the buffer (the string then shows only what
 * was written since; UPROC_FW_TRACE_STOP_WHEN_FULL defined at build time keeps the
 * oldest text instead and drops what does not fit). One call writes at most
 * UPROC_FW_TRACE_LINE_MAX - 1 bytes.
 *
 * Format: %d %i %u %x %X %o %c %s %p %% with flags '-' '0' '#', a width, a precision
 * (for %s: a maximum length) given as digits or '*', and the length modifiers
 * hh h l ll z t j.
 */
#ifndef UPROC_FW_TRACE_H
#define UPROC_FW_TRACE_H

#include <stdarg.h>
#include <stddef.h>

#define UPROC_FW_TRACE_LINE_MAX 256

/** uproc_fw_trace() - append formatted text. Returns the bytes appended. */
int uproc_fw_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** uproc_fw_vtrace() - uproc_fw_trace() with a va_list. */
int uproc_fw_vtrace(const char *fmt, va_list ap);

/** uproc_fw_trace_write() - append @len bytes of text (cut at UPROC_FW_TRACE_LINE_MAX). */
int uproc_fw_trace_write(const char *text, size_t len);

/** uproc_fw_trace_clear() - empty the buffer. */
void uproc_fw_trace_clear(void);

/** uproc_fw_trace_buffer() - the buffer (for tests and diagnostics). */
const char *uproc_fw_trace_buffer(void);

/**
 * uproc_fw_vsnprintf() - format into @buf (@len bytes, always NUL-terminated when
 * @len > 0). Returns the length the whole text would have (like C's vsnprintf).
 */
int uproc_fw_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap);

/** uproc_fw_snprintf() - uproc_fw_vsnprintf() with variadic arguments. */
int uproc_fw_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* UPROC_FW_TRACE_H */
