// SPDX-License-Identifier: MIT
/*
 * test-fw-trace.c - the firmware SDK's printf and trace-buffer writer
 * (firmware/sdk/src/trace.c), compiled for the host with a 64-byte buffer.
 * Built twice: wrapping (default) and with UPROC_FW_TRACE_STOP_WHEN_FULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "uproc/fw/trace.h"

static void check(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Format with the SDK and with the C library; both must agree with @want. */
static void check(const char *want, const char *fmt, ...)
{
	char ours[128], libc[128];
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = uproc_fw_vsnprintf(ours, sizeof(ours), fmt, ap);
	int m = vsnprintf(libc, sizeof(libc), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	assert_string_equal(ours, want);
	assert_string_equal(libc, want);
	assert_int_equal(n, m);
}

static void test_formats(void **state)
{
	(void)state;
	check("42 -7 4294967295", "%d %i %u", 42, -7, 4294967295u);
	check("ff FF 0xff 17 0", "%x %X %#x %o %x", 255u, 255u, 255u, 15u, 0u);
	check("[   5][5   ][00005][-0005]", "[%4d][%-4d][%05d][%05d]", 5, 5, 5, -5);
	check("[  ab][ab  ][a]", "[%4s][%-4s][%.1s]", "ab", "ab", "abc");
	check("[  xy][x]", "[%*s][%.*s]", 4, "xy", 1, "xyz");
	check("c%", "%c%%", 'c');
	check("-9223372036854775808 18446744073709551615",
	      "%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	check("-1 255 65535 123456789012", "%hhd %hhu %hu %zu", (signed char)-1,
	      (unsigned char)255, (unsigned short)65535, (size_t)123456789012u);
	check("0x1000", "%p", (void *)(uintptr_t)0x1000);
}

static void test_null_string(void **state)
{
	char buf[16];
	const char *volatile none = NULL;

	(void)state;
	uproc_fw_snprintf(buf, sizeof(buf), "%s", none);
	assert_string_equal(buf, "(null)");
}

static void test_truncation(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(uproc_fw_snprintf(buf, sizeof(buf), "%s", "0123456789"), 10);
	assert_string_equal(buf, "0123456");
	assert_int_equal(uproc_fw_snprintf(NULL, 0, "%d", 12345), 5);
	assert_int_equal(uproc_fw_snprintf(buf, 1, "abc"), 3);
	assert_string_equal(buf, "");
}

static void test_trace_buffer(void **state)
{
	const char *buf = uproc_fw_trace_buffer();

	(void)state;
	uproc_fw_trace_clear();
	assert_string_equal(buf, "");
	assert_int_equal(uproc_fw_trace("line %d\n", 1), 7);
	assert_int_equal(uproc_fw_trace("line %d\n", 2), 7);
	assert_string_equal(buf, "line 1\nline 2\n");

	/* 64 bytes hold 9 lines of 7 and the NUL; the 10th does not fit. */
	uproc_fw_trace_clear();
	for (int i = 0; i < 9; i++)
		uproc_fw_trace("line %d\n", i);
	assert_int_equal(strlen(buf), 63);
	uproc_fw_trace("line 9\n");
#ifdef UPROC_FW_TRACE_STOP_WHEN_FULL
	/* The oldest text stays; what does not fit is dropped. */
	assert_int_equal(strlen(buf), 63);
	assert_int_equal(strncmp(buf, "line 0\n", 7), 0);
	assert_null(strstr(buf, "line 9"));
#else
	/* Writing starts again at the beginning: the string holds the newest text. */
	assert_string_equal(buf, "line 9\n");
	uproc_fw_trace("line 10\n");
	assert_string_equal(buf, "line 9\nline 10\n");
#endif
	/* A text longer than the buffer is cut to fit, still terminated. */
	uproc_fw_trace_clear();
	char big[200];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(uproc_fw_trace("%s", big), 63);
	assert_int_equal(strlen(buf), 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_trace_buffer),
	};
#ifdef UPROC_FW_TRACE_STOP_WHEN_FULL
	return cmocka_run_group_tests_name("fw-trace-stop", tests, NULL, NULL);
#else
	return cmocka_run_group_tests_name("fw-trace-wrap", tests, NULL, NULL);
#endif
}
