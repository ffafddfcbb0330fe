/* SPDX-License-Identifier: MIT */
/*
 * test-control.c - frames of the control protocol: build, parse, limits, streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "uproc_control.h"
#include "uproc_escape.h"

static void test_roundtrip(void **state)
{
	static struct uproc_ctl_buf b;
	struct uproc_ctl_msg m;

	uproc_ctl_init(&b, UPROC_CTL_FIRMWARE, 0);
	assert_int_equal(uproc_ctl_add_str(&b, "dsp0"), 0);
	assert_int_equal(uproc_ctl_addf(&b, "%s.elf", "echo"), 0);
	assert_int_equal(uproc_ctl_add(&b, "", 0), 0);
	ssize_t n = uproc_ctl_finish(&b);
	assert_int_equal(n, 12 + 2 + 4 + 2 + 8 + 2);

	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), n);
	assert_int_equal(m.op, UPROC_CTL_FIRMWARE);
	assert_int_equal(m.status, 0);
	assert_int_equal(m.nfields, 3);
	char s[16];
	assert_int_equal(uproc_ctl_field_str(&m, 0, s, sizeof(s)), 4);
	assert_string_equal(s, "dsp0");
	assert_int_equal(uproc_ctl_field_str(&m, 1, s, sizeof(s)), 8);
	assert_string_equal(s, "echo.elf");
	assert_int_equal(uproc_ctl_field_str(&m, 2, s, sizeof(s)), 0);
	assert_int_equal(uproc_ctl_field_str(&m, 3, s, sizeof(s)), -ENOENT);
	assert_int_equal(uproc_ctl_field_str(&m, 1, s, 8), -ENAMETOOLONG);
}

static void test_wire_layout(void **state)
{
	static struct uproc_ctl_buf b;

	uproc_ctl_init(&b, UPROC_CTL_REPLY, -EBUSY);
	uproc_ctl_add_str(&b, "ab");
	assert_int_equal(uproc_ctl_finish(&b), 16);
	const uint8_t want[] = { 1, 0, 0x00, 0x01, (uint8_t)-EBUSY, 0xff, 0xff, 0xff,
				 4, 0, 0, 0, 2, 0, 'a', 'b' };
	assert_memory_equal(b.data, want, sizeof(want));
}

static void test_incomplete_needs_more(void **state)
{
	static struct uproc_ctl_buf b;
	struct uproc_ctl_msg m;

	uproc_ctl_init(&b, UPROC_CTL_STATUS, 0);
	uproc_ctl_add_str(&b, "name");
	ssize_t n = uproc_ctl_finish(&b);
	for (ssize_t i = 0; i < n; i++)
		assert_int_equal(uproc_ctl_parse(b.data, (size_t)i, &m), 0);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), n);
}

static void test_rejects(void **state)
{
	static struct uproc_ctl_buf b;
	struct uproc_ctl_msg m;

	/* wrong version */
	uproc_ctl_init(&b, UPROC_CTL_LIST, 0);
	ssize_t n = uproc_ctl_finish(&b);
	b.data[0] = 2;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EPROTONOSUPPORT);
	/* unknown op */
	uproc_ctl_init(&b, UPROC_CTL_LIST, 0);
	n = uproc_ctl_finish(&b);
	b.data[2] = 77;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
	/* request with a status */
	uproc_ctl_init(&b, UPROC_CTL_LIST, -1);
	n = uproc_ctl_finish(&b);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
	/* reply with a positive status */
	uproc_ctl_init(&b, UPROC_CTL_REPLY, 3);
	n = uproc_ctl_finish(&b);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
	/* payload too big: refused from the header alone */
	uproc_ctl_init(&b, UPROC_CTL_LIST, 0);
	b.data[8] = 1; b.data[9] = 0; b.data[10] = 1; b.data[11] = 0;
	assert_int_equal(uproc_ctl_parse(b.data, 12, &m), -EMSGSIZE);
	/* field overruns payload */
	uproc_ctl_init(&b, UPROC_CTL_STATUS, 0);
	uproc_ctl_add_str(&b, "abc");
	n = uproc_ctl_finish(&b);
	b.data[12] = 4;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
	/* dangling single byte */
	uproc_ctl_init(&b, UPROC_CTL_STATUS, 0);
	uproc_ctl_add_str(&b, "abc");
	n = uproc_ctl_finish(&b);
	b.data[8] = 6; b.data[n] = 0;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n + 1, &m), -EBADMSG);
	/* NUL inside a field */
	uproc_ctl_init(&b, UPROC_CTL_STATUS, 0);
	uproc_ctl_add_str(&b, "abc");
	n = uproc_ctl_finish(&b);
	b.data[15] = 0;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
}

/* BYTES frames carry any byte (a coredump); every other frame refuses a NUL. */
static void test_bytes_frames(void **state)
{
	static struct uproc_ctl_buf b;
	struct uproc_ctl_msg m;
	const char raw[] = { 0x7f, 'E', 0, 'L', 0, (char)0xff };
	char s[16];

	uproc_ctl_init(&b, UPROC_CTL_DATA, 0);
	assert_int_equal(uproc_ctl_add(&b, raw, sizeof(raw)), -EINVAL);
	uproc_ctl_init(&b, UPROC_CTL_BYTES, 0);
	assert_int_equal(uproc_ctl_add(&b, raw, sizeof(raw)), 0);
	ssize_t n = uproc_ctl_finish(&b);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), n);
	assert_int_equal(m.op, UPROC_CTL_BYTES);
	assert_int_equal(m.field[0].len, sizeof(raw));
	assert_memory_equal(m.field[0].data, raw, sizeof(raw));
	assert_int_equal(uproc_ctl_field_str(&m, 0, s, sizeof(s)), -EINVAL);
	/* the same payload under another op is malformed */
	b.data[2] = (uint8_t)UPROC_CTL_DATA;
	b.data[3] = (uint8_t)(UPROC_CTL_DATA >> 8);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), -EBADMSG);
	assert_string_equal(uproc_ctl_op_name(UPROC_CTL_EVENTS), "events");
	assert_string_equal(uproc_ctl_op_name(UPROC_CTL_DUMP), "dump");
	assert_string_equal(uproc_ctl_op_name(UPROC_CTL_FWLIST), "firmware-list");
}

/* A remote's channel name, with every kind of hostile byte, escaped both ways. */
static void test_escape(void **state)
{
	const char name[] = "\xff\x1b[2J\"\\\n\tok";
	char out[UPROC_ESCAPE_SIZE(sizeof(name))];

	assert_int_equal(uproc_escape_text(out, sizeof(out), name, sizeof(name) - 1), 24);
	assert_string_equal(out, "\\xff\\x1b[2J\"\\\\\\x0a\\x09ok");
	assert_int_equal(uproc_escape_json(out, sizeof(out), name, sizeof(name) - 1), 33);
	assert_string_equal(out, "\\u00ff\\u001b[2J\\\"\\\\\\u000a\\u0009ok");
	/* too small: whole escapes only, always terminated */
	assert_int_equal(uproc_escape_text(out, 6, name, sizeof(name) - 1), 4);
	assert_string_equal(out, "\\xff");
	assert_int_equal(uproc_escape_json(out, 1, name, 3), 0);
	assert_string_equal(out, "");
}

static void test_builder_limits(void **state)
{
	static struct uproc_ctl_buf b;
	struct uproc_ctl_msg m;

	uproc_ctl_init(&b, UPROC_CTL_REPLY, 0);
	assert_int_equal(uproc_ctl_add(&b, "a\0b", 3), -EINVAL);
	assert_int_equal(uproc_ctl_finish(&b), -EINVAL);

	uproc_ctl_init(&b, UPROC_CTL_REPLY, 0);
	for (int i = 0; i < UPROC_CTL_MAX_FIELDS; i++)
		assert_int_equal(uproc_ctl_addf(&b, "line %d", i), 0);
	assert_int_equal(uproc_ctl_add_str(&b, "one too many"), -EMSGSIZE);
	assert_int_equal(uproc_ctl_finish(&b), -EMSGSIZE);

	/* a full payload parses; the field count limit holds on the parser side too */
	uproc_ctl_init(&b, UPROC_CTL_REPLY, 0);
	for (int i = 0; i < UPROC_CTL_MAX_FIELDS; i++)
		uproc_ctl_add(&b, "", 0);
	ssize_t n = uproc_ctl_finish(&b);
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n, &m), n);
	assert_int_equal(m.nfields, UPROC_CTL_MAX_FIELDS);
	b.data[8] += 2;
	b.data[n] = 0; b.data[n + 1] = 0;
	assert_int_equal(uproc_ctl_parse(b.data, (size_t)n + 2, &m), -EBADMSG);

	char *big = malloc(0x10000);
	memset(big, 'x', 0x10000);
	uproc_ctl_init(&b, UPROC_CTL_DATA, 0);
	assert_int_equal(uproc_ctl_add(&b, big, 0x10000), -EMSGSIZE);
	uproc_ctl_init(&b, UPROC_CTL_DATA, 0);
	assert_int_equal(uproc_ctl_add(&b, big, 0xFFFF), -EMSGSIZE);
	uproc_ctl_init(&b, UPROC_CTL_DATA, 0);
	assert_int_equal(uproc_ctl_add(&b, big, 0xFFFE), 0);
	assert_int_equal(uproc_ctl_finish(&b), 12 + 2 + 0xFFFE);
	struct uproc_ctl_msg big_msg;
	assert_int_equal(uproc_ctl_parse(b.data, 12 + 2 + 0xFFFE, &big_msg), 12 + 2 + 0xFFFE);
	free(big);
}

static void test_stream_over_socket(void **state)
{
	static struct uproc_ctl_buf b;
	static uint8_t rx[UPROC_CTL_MAX_FRAME];
	struct uproc_ctl_msg m;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	uproc_ctl_init(&b, UPROC_CTL_START, 0);
	uproc_ctl_add_str(&b, "dsp0");
	ssize_t n = uproc_ctl_finish(&b);
	/* two frames back to back, the second cut short by a close */
	assert_int_equal(uproc_ctl_send_all(sv[0], b.data, (size_t)n), 0);
	assert_int_equal(uproc_ctl_send_all(sv[0], b.data, (size_t)n - 1), 0);
	close(sv[0]);
	assert_int_equal(uproc_ctl_recv(sv[1], rx, &m), n);
	assert_int_equal(m.op, UPROC_CTL_START);
	assert_int_equal(uproc_ctl_recv(sv[1], rx, &m), -ECONNRESET);
	assert_int_equal(uproc_ctl_recv(sv[1], rx, &m), 0);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_wire_layout),
		cmocka_unit_test(test_incomplete_needs_more),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_bytes_frames),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_stream_over_socket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
