/* SPDX-License-Identifier: MIT */
/*
 * uproc_control.h - the control protocol between the uproc command and uprocd.
 *
 * A stream of frames over a local stream socket. Each frame is a 12-byte header,
 * all fields little-endian, then a payload of fields:
 *
 *   u16 version   UPROC_CTL_VERSION; a peer refuses any other value
 *   u16 op        enum uproc_ctl_op
 *   i32 status    0 in requests; 0 or -errno in replies
 *   u32 len       payload bytes that follow (<= UPROC_CTL_MAX_PAYLOAD)
 *   payload       fields, each u16 length then that many bytes of text (no NUL)
 *
 * The fields must fill the payload exactly; at most UPROC_CTL_MAX_FIELDS of them.
 * A request's fields are its arguments (processor name, value). A reply's fields
 * are lines of text for the user (on error, the first field says what went wrong
 * and what to do). Replies of any length (list, status, channels, trace, firmware
 * lists) come as UPROC_CTL_DATA frames, the text cut anywhere, then a final reply
 * with no fields. "trace -f" and "events" are answered by DATA frames only, until
 * the client closes the connection. A coredump comes as UPROC_CTL_BYTES frames,
 * whose fields may hold any byte (all other fields are text without NUL).
 *
 * "json" as the last argument of list, status and channels asks for one JSON
 * document instead of text (the shapes are documented in uproc(1)).
 *
 * Nothing here allocates or keeps state; every function may be called from any
 * thread on distinct buffers.
 */
#ifndef UPROC_CONTROL_H
#define UPROC_CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UPROC_CTL_VERSION 1
#define UPROC_CTL_HDR_SIZE 12
#define UPROC_CTL_MAX_PAYLOAD 65536u
#define UPROC_CTL_MAX_FIELDS 64
#define UPROC_CTL_MAX_FRAME (UPROC_CTL_HDR_SIZE + UPROC_CTL_MAX_PAYLOAD)

/** enum uproc_ctl_op - what a frame asks for or answers. */
enum uproc_ctl_op {
	UPROC_CTL_LIST = 1,	/* no args */
	UPROC_CTL_STATUS = 2,	/* name */
	UPROC_CTL_START = 3,	/* name */
	UPROC_CTL_STOP = 4,	/* name */
	UPROC_CTL_DETACH = 5,	/* name */
	UPROC_CTL_FIRMWARE = 6, /* name, file */
	UPROC_CTL_RECOVERY = 7, /* name, enabled|disabled|recover */
	UPROC_CTL_COREDUMP = 8, /* name, disabled|enabled|inline */
	UPROC_CTL_TRACE = 9,	/* name [, "follow"] */
	UPROC_CTL_CHANNELS = 10, /* name */
	UPROC_CTL_CONSOLE = 11, /* name: the reply's first field is the tty path */
	UPROC_CTL_EVENTS = 12,	/* [name]: a stream of events, one JSON object a line */
	UPROC_CTL_DUMP = 13,	/* name: its latest coredump, as BYTES frames */
	UPROC_CTL_FWLIST = 14,	/* name: the firmware files its firmware path offers */
	UPROC_CTL_REPLY = 0x100, /* status and lines */
	UPROC_CTL_DATA = 0x101,	/* one chunk of a stream */
	UPROC_CTL_BYTES = 0x102, /* one chunk of a binary stream (any byte) */
};

/** struct uproc_ctl_field - one field of a parsed frame (points into the frame). */
struct uproc_ctl_field {
	const char *data;
	size_t len;
};

/** struct uproc_ctl_msg - a parsed frame; its fields point into the caller's buffer. */
struct uproc_ctl_msg {
	uint16_t version;
	uint16_t op;
	int32_t status;
	unsigned int nfields;
	struct uproc_ctl_field field[UPROC_CTL_MAX_FIELDS];
};

/** struct uproc_ctl_buf - a frame being built. Caller-owned storage. */
struct uproc_ctl_buf {
	size_t len;
	unsigned int nfields;
	int error;
	uint8_t data[UPROC_CTL_MAX_FRAME];
};

/**
 * uproc_ctl_parse() - parse the first frame of @buf.
 * @buf: bytes received so far; @len: how many.
 * @msg: receives the frame; its fields point into @buf.
 * Returns the frame's size in bytes when @buf holds a whole valid frame, 0 when
 * more bytes are needed, -EPROTONOSUPPORT for another version, -EMSGSIZE for a
 * payload over UPROC_CTL_MAX_PAYLOAD, -EBADMSG for a malformed frame (unknown op,
 * fields that overrun or do not fill the payload, too many fields, a NUL in a
 * field of any frame but BYTES, a request with a non-zero status). Never reads past @buf + @len.
 */
ssize_t uproc_ctl_parse(const void *buf, size_t len, struct uproc_ctl_msg *msg);

/** uproc_ctl_op_name() - "list", "start", ... or NULL for an unknown op. */
const char *uproc_ctl_op_name(unsigned int op);

/** uproc_ctl_init() - start a frame of @op with @status in @b. */
void uproc_ctl_init(struct uproc_ctl_buf *b, enum uproc_ctl_op op, int32_t status);

/**
 * uproc_ctl_add() - append a field of @len bytes.
 * Returns 0, -EINVAL if @data holds a NUL (allowed only in a BYTES frame), -EMSGSIZE
 * if the frame would exceed its limits. An error also sticks in @b->error so callers may check once at the end.
 */
int uproc_ctl_add(struct uproc_ctl_buf *b, const void *data, size_t len);

/** uproc_ctl_add_str() - append a NUL-terminated string as a field. */
int uproc_ctl_add_str(struct uproc_ctl_buf *b, const char *s);

/** uproc_ctl_addf() - append a printf-formatted field (cut at 4095 bytes). */
int uproc_ctl_addf(struct uproc_ctl_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * uproc_ctl_finish() - write the payload length into the header.
 * Returns the frame's size, or the first error met while building it.
 */
ssize_t uproc_ctl_finish(struct uproc_ctl_buf *b);

/**
 * uproc_ctl_field_str() - copy field @i of @msg into @out as a C string.
 * Returns its length, -ENOENT if there is no such field, -ENAMETOOLONG if it does
 * not fit in @outlen (NUL included), -EINVAL if it holds a NUL (a BYTES field).
 */
int uproc_ctl_field_str(const struct uproc_ctl_msg *msg, unsigned int i, char *out,
			size_t outlen);

/**
 * uproc_ctl_send_all() - write a whole buffer to a stream socket (MSG_NOSIGNAL),
 * retrying on EINTR. Returns 0 or -errno (-EPIPE if the peer went away).
 */
int uproc_ctl_send_all(int fd, const void *buf, size_t len);

/**
 * uproc_ctl_recv() - read one whole frame from a blocking stream socket into
 * @buf (UPROC_CTL_MAX_FRAME bytes) and parse it into @msg.
 * Returns the frame's size, 0 if the peer closed before a frame began,
 * -ECONNRESET if it closed mid-frame, or the parser's or read's -errno.
 */
ssize_t uproc_ctl_recv(int fd, uint8_t *buf, struct uproc_ctl_msg *msg);

#endif /* UPROC_CONTROL_H */
