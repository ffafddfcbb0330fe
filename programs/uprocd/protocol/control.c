/* SPDX-License-Identifier: MIT */
/*
 * control.c - frames of the uproc control protocol: parser and builder.
 */
#include "uproc_control.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

const char *uproc_ctl_op_name(unsigned int op)
{
	switch (op) {
	case UPROC_CTL_LIST: return "list";
	case UPROC_CTL_STATUS: return "status";
	case UPROC_CTL_START: return "start";
	case UPROC_CTL_STOP: return "stop";
	case UPROC_CTL_DETACH: return "detach";
	case UPROC_CTL_FIRMWARE: return "firmware";
	case UPROC_CTL_RECOVERY: return "recovery";
	case UPROC_CTL_COREDUMP: return "coredump";
	case UPROC_CTL_TRACE: return "trace";
	case UPROC_CTL_CHANNELS: return "channels";
	case UPROC_CTL_CONSOLE: return "console";
	case UPROC_CTL_EVENTS: return "events";
	case UPROC_CTL_DUMP: return "dump";
	case UPROC_CTL_FWLIST: return "firmware-list";
	case UPROC_CTL_REPLY: return "reply";
	case UPROC_CTL_DATA: return "data";
	case UPROC_CTL_BYTES: return "bytes";
	default: return NULL;
	}
}

ssize_t uproc_ctl_parse(const void *buf, size_t len, struct uproc_ctl_msg *msg)
{
	const uint8_t *p = buf;

	if (len < UPROC_CTL_HDR_SIZE)
		return 0;
	uint16_t version = get_le16(p);
	uint16_t op = get_le16(p + 2);
	int32_t status = (int32_t)get_le32(p + 4);
	uint32_t plen = get_le32(p + 8);

	if (version != UPROC_CTL_VERSION)
		return -EPROTONOSUPPORT;
	if (plen > UPROC_CTL_MAX_PAYLOAD)
		return -EMSGSIZE;
	if (!uproc_ctl_op_name(op))
		return -EBADMSG;
	if (op < UPROC_CTL_REPLY && status != 0)
		return -EBADMSG;
	if (status > 0 || status < -4095)
		return -EBADMSG;
	if (len - UPROC_CTL_HDR_SIZE < plen)
		return 0;

	msg->version = version;
	msg->op = op;
	msg->status = status;
	msg->nfields = 0;

	const uint8_t *f = p + UPROC_CTL_HDR_SIZE;
	size_t left = plen;
	while (left > 0) {
		if (left < 2 || msg->nfields == UPROC_CTL_MAX_FIELDS)
			return -EBADMSG;
		size_t flen = get_le16(f);
		f += 2;
		left -= 2;
		if (flen > left || (op != UPROC_CTL_BYTES && memchr(f, '\0', flen)))
			return -EBADMSG;
		msg->field[msg->nfields].data = (const char *)f;
		msg->field[msg->nfields].len = flen;
		msg->nfields++;
		f += flen;
		left -= flen;
	}
	return (ssize_t)(UPROC_CTL_HDR_SIZE + plen);
}

void uproc_ctl_init(struct uproc_ctl_buf *b, enum uproc_ctl_op op, int32_t status)
{
	put_le16(b->data, UPROC_CTL_VERSION);
	put_le16(b->data + 2, (uint16_t)op);
	put_le32(b->data + 4, (uint32_t)status);
	put_le32(b->data + 8, 0);
	b->len = UPROC_CTL_HDR_SIZE;
	b->nfields = 0;
	b->error = 0;
}

int uproc_ctl_add(struct uproc_ctl_buf *b, const void *data, size_t len)
{
	int err = 0;

	if (b->error)
		return b->error;
	if (len && get_le16(b->data + 2) != UPROC_CTL_BYTES && memchr(data, '\0', len))
		err = -EINVAL;
	else if (len > 0xFFFF || b->nfields == UPROC_CTL_MAX_FIELDS ||
		 sizeof(b->data) - b->len < 2 + len)
		err = -EMSGSIZE;
	if (err) {
		b->error = err;
		return err;
	}
	put_le16(b->data + b->len, (uint16_t)len);
	if (len)
		memcpy(b->data + b->len + 2, data, len);
	b->len += 2 + len;
	b->nfields++;
	return 0;
}

int uproc_ctl_add_str(struct uproc_ctl_buf *b, const char *s)
{
	return uproc_ctl_add(b, s, strlen(s));
}

int uproc_ctl_addf(struct uproc_ctl_buf *b, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return uproc_ctl_add(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

ssize_t uproc_ctl_finish(struct uproc_ctl_buf *b)
{
	if (b->error)
		return b->error;
	put_le32(b->data + 8, (uint32_t)(b->len - UPROC_CTL_HDR_SIZE));
	return (ssize_t)b->len;
}

int uproc_ctl_field_str(const struct uproc_ctl_msg *msg, unsigned int i, char *out,
			size_t outlen)
{
	if (i >= msg->nfields)
		return -ENOENT;
	if (msg->field[i].len >= outlen)
		return -ENAMETOOLONG;
	if (memchr(msg->field[i].data, '\0', msg->field[i].len))
		return -EINVAL; /* a BYTES field: not a string */
	memcpy(out, msg->field[i].data, msg->field[i].len);
	out[msg->field[i].len] = '\0';
	return (int)msg->field[i].len;
}

int uproc_ctl_send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static ssize_t read_full(int fd, uint8_t *p, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = read(fd, p + got, want - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t uproc_ctl_recv(int fd, uint8_t *buf, struct uproc_ctl_msg *msg)
{
	ssize_t n = read_full(fd, buf, UPROC_CTL_HDR_SIZE);
	if (n <= 0)
		return n;
	if (n < UPROC_CTL_HDR_SIZE)
		return -ECONNRESET;
	ssize_t r = uproc_ctl_parse(buf, UPROC_CTL_HDR_SIZE, msg);
	if (r < 0)
		return r;
	if (r > 0)
		return r;
	size_t plen = get_le32(buf + 8);
	n = read_full(fd, buf + UPROC_CTL_HDR_SIZE, plen);
	if (n < 0)
		return n;
	if ((size_t)n < plen)
		return -ECONNRESET;
	return uproc_ctl_parse(buf, UPROC_CTL_HDR_SIZE + plen, msg);
}
