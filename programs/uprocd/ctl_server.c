/* SPDX-License-Identifier: MIT */
/*
 * ctl_server.c - the control socket the uproc command talks to (protocol:
 * programs/uprocd/protocol/uproc_control.h). Runs on the loop thread.
 *
 * A request runs only once its whole frame has arrived, so a client that dies
 * mid-command changes nothing; replies are queued and written as the socket
 * allows, so a slow or vanished client never blocks the daemon. Anyone who can
 * connect may read (list, status, trace, channels, console); changes need root
 * or the configured group (SO_PEERCRED).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl_report.h"
#include "daemon.h"
#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc_control.h"

#define CTL_MAX_CLIENTS 64
#define CTL_MAX_PENDING (4u * UPROC_CTL_MAX_FRAME)
#define TRACE_POLL_MS 200

struct ctl_client {
	struct uprocd_ctl_server *srv;
	int fd;
	uint8_t *in;
	size_t in_len;
	uint8_t *out;
	size_t out_len;
	size_t out_cap;
	bool may_write;
	bool closing;
	/* trace -f */
	struct uprocd_proc *follow;
	int64_t follow_timer;
	struct uprocd_text last_trace;
	/* events */
	bool events;
	struct uprocd_proc *events_of;	/* NULL: every processor */
	/* coredump being sent */
	struct uprocd_proc *dump_of;
	unsigned int dump_id;
	uint64_t dump_off;
	struct ctl_client *next;
};

struct uprocd_ctl_server {
	struct uprocd *d;
	int listen_fd;
	unsigned int n_clients;
	struct ctl_client *clients;
	struct uproc_ctl_buf reply;	/* built here, then copied to a client's queue */
};

static void client_close(struct ctl_client *c);

static void update_events(struct ctl_client *c)
{
	uint32_t ev = 0;

	if (c->out_len < CTL_MAX_PENDING && !c->closing)
		ev |= UPROC_LOOP_IN;
	if (c->out_len)
		ev |= UPROC_LOOP_OUT;
	uproc_loop_mod_fd(c->srv->d->loop, c->fd, ev);
}

static void dump_more(struct ctl_client *c);

static int flush_out(struct ctl_client *c)
{
	if (c->dump_of)
		dump_more(c);
	while (c->out_len) {
		ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (!c->out_len && c->dump_of) {
		dump_more(c);
		if (c->out_len)
			return flush_out(c);
	}
	if (!c->out_len && c->closing)
		return -ESHUTDOWN;
	update_events(c);
	return 0;
}

static int queue_frame(struct ctl_client *c, struct uproc_ctl_buf *b)
{
	ssize_t n = uproc_ctl_finish(b);

	if (n < 0) {
		/* too much to say: say that instead */
		uproc_ctl_init(b, UPROC_CTL_REPLY, (int32_t)n);
		uproc_ctl_add_str(b, "the reply does not fit in one frame");
		n = uproc_ctl_finish(b);
	}
	if (c->out_len + (size_t)n > c->out_cap) {
		size_t cap = c->out_len + (size_t)n;
		uint8_t *o = realloc(c->out, cap);
		if (!o)
			return -ENOMEM;
		c->out = o;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, b->data, (size_t)n);
	c->out_len += (size_t)n;
	return 0;
}

/* ---- the requests ------------------------------------------------------------- */

static void reply_error(struct uproc_ctl_buf *b, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void reply_error(struct uproc_ctl_buf *b, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uproc_ctl_init(b, UPROC_CTL_REPLY, err);
	uproc_ctl_add_str(b, msg);
}

static const char *word_for(enum uproc_ctl_op op)
{
	switch (op) {
	case UPROC_CTL_START: return "start";
	case UPROC_CTL_STOP: return "stop";
	case UPROC_CTL_DETACH: return "detach";
	default: return "";
	}
}

static void do_lifecycle(struct uprocd_proc *p, enum uproc_ctl_op op, struct uproc_ctl_buf *b)
{
	const char *name = p->cfg->name;
	const char *w = word_for(op);
	enum rproc_state s = rproc_get_state(p->rproc);
	const char *state = rproc_state_string(s);
	/* The state file's "start" on a powered (or crashed) processor takes another
	 * power reference, as Linux's; the command line refuses it and says what to do. */
	int r = op == UPROC_CTL_START &&
		(s == RPROC_RUNNING || s == RPROC_ATTACHED || s == RPROC_CRASHED) ?
		-EBUSY : uprocd_attr_store(p, UPROCD_ATTR_STATE, w, strlen(w));

	if (r == 0) {
		uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
		uproc_ctl_addf(b, "%s: %s", name, rproc_state_string(rproc_get_state(p->rproc)));
		return;
	}
	if (op == UPROC_CTL_START && r == -EBUSY && rproc_get_state(p->rproc) == RPROC_CRASHED)
		reply_error(b, r, "%s has crashed (%s): recover it with: uproc recovery %s "
			    "recover (its coredump, if one was taken: uproc coredump %s --save FILE)",
			    name, rproc_last_error(p->rproc)[0] ? rproc_last_error(p->rproc) :
			    "no reason recorded", name, name);
	else if (op == UPROC_CTL_STOP && r == -EINVAL &&
		 rproc_get_state(p->rproc) == RPROC_CRASHED)
		reply_error(b, r, "%s has crashed: a crashed processor is not stopped but "
			    "recovered: uproc recovery %s recover", name, name);
	else if (op == UPROC_CTL_START && r == -EBUSY)
		reply_error(b, r, "%s is already %s: stop it first (uproc stop %s)", name, state,
			    name);
	else if (op == UPROC_CTL_STOP && r == -EINVAL)
		reply_error(b, r, "%s is %s: only a running or attached processor can be stopped",
			    name, state);
	else if (op == UPROC_CTL_DETACH && r == -EINVAL)
		reply_error(b, r, "%s is %s: only a processor uprocd attached to can be detached "
			    "(stop it instead: uproc stop %s)", name, state, name);
	else if (op == UPROC_CTL_START && rproc_last_error(p->rproc)[0])
		reply_error(b, r, "%s did not start: %s (set another firmware with: uproc "
			    "firmware %s FILE)", name, rproc_last_error(p->rproc), name);
	else
		reply_error(b, r, "%s: %s failed: %s", name, w, strerror(-r));
}

static void do_firmware(struct uprocd_proc *p, const char *file, struct uproc_ctl_buf *b)
{
	const char *name = p->cfg->name;
	char dirs[1024];
	int r = uprocd_attr_store(p, UPROCD_ATTR_FIRMWARE, file, strlen(file));

	uprocd_fw_dirs_text(p, dirs, sizeof(dirs));
	if (r == 0) {
		uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
		uproc_ctl_addf(b, "%s: firmware %s", name, file);
	} else if (r == -EBUSY) {
		reply_error(b, r, "%s is %s: stop it before changing its firmware (uproc stop %s)",
			    name, rproc_state_string(rproc_get_state(p->rproc)), name);
	} else if (r == -EACCES) {
		reply_error(b, r, "'%s' is outside the firmware directories of %s (%s): firmware "
			    "names resolve only inside them; copy the file there", file, name, dirs);
	} else if (r == -ENOENT) {
		reply_error(b, r, "no firmware '%s' in the firmware directories of %s (%s)", file,
			    name, dirs);
	} else if (r == -EINVAL) {
		reply_error(b, r, "'%s' is not a firmware file name", file);
	} else {
		reply_error(b, r, "%s: firmware %s: %s", name, file, strerror(-r));
	}
}

static void do_word(struct uprocd_proc *p, enum uprocd_attr attr, const char *what,
		    const char *word, const char *words, struct uproc_ctl_buf *b)
{
	int r = uprocd_attr_store(p, attr, word, strlen(word));
	char now[64];

	if (r == 0) {
		uprocd_attr_show(p, attr, now, sizeof(now));
		now[strcspn(now, "\n")] = '\0';
		uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
		uproc_ctl_addf(b, "%s: %s %s", p->cfg->name, what, now);
	} else if (r == -EBUSY) {
		reply_error(b, r, "%s has crashed: its %s setting can't change until it is "
			    "recovered (uproc recovery %s recover)", p->cfg->name, what, p->cfg->name);
	} else if (r == -EINVAL) {
		reply_error(b, r, "'%s' is not a %s setting: use one of %s", word, what, words);
	} else {
		reply_error(b, r, "%s: %s %s: %s", p->cfg->name, what, word, strerror(-r));
	}
}

static int trace_text(struct uprocd_proc *p, struct uprocd_text *t)
{
	unsigned int n = uprocd_debug_trace_count(p);

	for (unsigned int i = 0; i < n; i++) {
		if (n > 1)
			uprocd_text_printf(t, "==> trace%u <==\n", i);
		int r = uprocd_debug_render(p, UPROCD_DEBUG_TRACE, i, t);
		if (r < 0)
			return r;
	}
	return t->error;
}

static void send_data(struct ctl_client *c, const char *data, size_t len)
{
	struct uproc_ctl_buf *b = &c->srv->reply;

	while (len > 0) {
		size_t chunk = len > 60000 ? 60000 : len;
		uproc_ctl_init(b, UPROC_CTL_DATA, 0);
		/* a NUL can't travel in a field; traces are strings anyway */
		size_t clean = strnlen(data, chunk);
		uproc_ctl_add(b, data, clean);
		queue_frame(c, b);
		data += chunk;
		len -= chunk;
	}
}

static void follow_tick(struct uproc_loop *loop, void *arg)
{
	struct ctl_client *c = arg;
	struct uprocd_text now = { 0 };

	c->follow_timer = 0;
	if (trace_text(c->follow, &now) == 0 && now.len) {
		struct uprocd_text *last = &c->last_trace;
		if (now.len != last->len || memcmp(now.buf, last->buf, now.len)) {
			if (now.len > last->len && !memcmp(now.buf, last->buf, last->len))
				send_data(c, now.buf + last->len, now.len - last->len);
			else
				send_data(c, now.buf, now.len);
			uprocd_text_free(last);
			*last = now;
			now = (struct uprocd_text){ 0 };
		}
	}
	uprocd_text_free(&now);
	if (flush_out(c) < 0) {
		client_close(c);
		return;
	}
	int64_t id = uproc_loop_add_timer(loop, TRACE_POLL_MS, follow_tick, c);
	c->follow_timer = id > 0 ? id : 0;
}

/* Returns false when the request is answered by a stream (-f), not a reply. */
static bool do_trace(struct ctl_client *c, struct uprocd_proc *p, bool follow,
		     struct uproc_ctl_buf *b)
{
	struct uprocd_text t = { 0 };
	int r = trace_text(p, &t);

	if (r < 0) {
		reply_error(b, r, "%s: cannot read its trace: %s", p->cfg->name, strerror(-r));
		uprocd_text_free(&t);
		return true;
	}
	if (uprocd_debug_trace_count(p) == 0 && !follow) {
		reply_error(b, -ENOENT, "%s has no trace buffer (its firmware declares none, or "
			    "it is not running)", p->cfg->name);
		uprocd_text_free(&t);
		return true;
	}
	send_data(c, t.buf ? t.buf : "", t.len);
	if (!follow) {
		uprocd_text_free(&t);
		uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
		return true;
	}
	/* -f: no final reply; new text follows until the client hangs up */
	uprocd_text_free(&c->last_trace);
	c->last_trace = t;
	c->follow = p;
	int64_t id = uproc_loop_add_timer(c->srv->d->loop, TRACE_POLL_MS, follow_tick, c);
	c->follow_timer = id > 0 ? id : 0;
	return false;
}

/* A whole answer of any length: DATA frames, then an empty reply. */
static void send_text(struct ctl_client *c, struct uprocd_text *t, struct uproc_ctl_buf *b)
{
	if (t->error) {
		reply_error(b, t->error, "out of memory");
	} else {
		send_data(c, t->buf ? t->buf : "", t->len);
		uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
	}
	uprocd_text_free(t);
}

/* The next piece of the coredump being sent, once the queue has room. */
static void dump_more(struct ctl_client *c)
{
	struct uproc_ctl_buf *b = &c->srv->reply;
	static uint8_t chunk[60000];

	while (c->dump_of && c->out_len < UPROC_CTL_MAX_FRAME) {
		ssize_t n = uprocd_dump_read(c->srv->d, c->dump_id, chunk, sizeof(chunk),
					     c->dump_off);
		if (n > 0) {
			uproc_ctl_init(b, UPROC_CTL_BYTES, 0);
			uproc_ctl_add(b, chunk, (size_t)n);
			queue_frame(c, b);
			c->dump_off += (uint64_t)n;
			continue;
		}
		if (n < 0)
			reply_error(b, (int)n, "%s: its coredump went away while being read "
				    "(released, or the processor was recovered)",
				    c->dump_of->cfg->name);
		else
			uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
		queue_frame(c, b);
		c->dump_of = NULL;
	}
}

static bool do_dump(struct ctl_client *c, struct uprocd_proc *p, struct uproc_ctl_buf *b)
{
	struct uprocd *d = c->srv->d;

	pthread_mutex_lock(&d->lock);
	unsigned int id = p->dump_id;
	pthread_mutex_unlock(&d->lock);
	if (!id || uprocd_dump_size(d, id, NULL) < 0) {
		if (rproc_get_coredump(p->rproc) == RPROC_COREDUMP_DISABLED)
			reply_error(b, -ENOENT, "%s has no coredump: coredumps are disabled (turn "
				    "them on with: uproc coredump %s enabled)", p->cfg->name,
				    p->cfg->name);
		else
			reply_error(b, -ENOENT, "%s has no coredump: it has not crashed since uprocd "
				    "began, or its dump was released", p->cfg->name);
		return true;
	}
	c->dump_of = p;
	c->dump_id = id;
	c->dump_off = 0;
	dump_more(c);
	return false;
}

static void do_events(struct ctl_client *c, struct uprocd_proc *p)
{
	c->events = true;
	c->events_of = p;
}

void uprocd_ctl_event(struct uprocd *d, struct uprocd_proc *p, const char *json_line)
{
	struct uprocd_ctl_server *srv = d->ctl;
	struct ctl_client *next;

	if (!srv)
		return;
	for (struct ctl_client *c = srv->clients; c; c = next) {
		next = c->next;
		if (!c->events || (c->events_of && c->events_of != p))
			continue;
		if (c->out_len > CTL_MAX_PENDING) {
			/* not reading: it would only grow */
			client_close(c);
			continue;
		}
		uproc_ctl_init(&srv->reply, UPROC_CTL_DATA, 0);
		uproc_ctl_add_str(&srv->reply, json_line);
		uproc_ctl_add(&srv->reply, "\n", 1);
		queue_frame(c, &srv->reply);
		if (flush_out(c) < 0)
			client_close(c);
	}
}

/* "NAME: WHAT VALUE", the attribute as a read of its file shows it. */
static void show_attr(struct uprocd_proc *p, enum uprocd_attr attr, const char *what,
		      struct uproc_ctl_buf *b)
{
	char now[PATH_MAX];
	int r = uprocd_attr_show(p, attr, now, sizeof(now));

	if (r < 0) {
		reply_error(b, r, "%s: cannot read its %s: %s", p->cfg->name, what, strerror(-r));
		return;
	}
	now[strcspn(now, "\n")] = '\0';
	uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
	uproc_ctl_addf(b, "%s: %s %s", p->cfg->name, what, now[0] ? now : "-");
}

static bool op_changes(unsigned int op)
{
	return op == UPROC_CTL_START || op == UPROC_CTL_STOP || op == UPROC_CTL_DETACH ||
	       op == UPROC_CTL_FIRMWARE || op == UPROC_CTL_RECOVERY || op == UPROC_CTL_COREDUMP;
}

/* Reading a setting (no value given) changes nothing. */
static bool request_changes(const struct uproc_ctl_msg *m)
{
	if (m->op == UPROC_CTL_FIRMWARE || m->op == UPROC_CTL_RECOVERY ||
	    m->op == UPROC_CTL_COREDUMP)
		return m->nfields > 1;
	return op_changes(m->op);
}

static void handle(struct ctl_client *c, const struct uproc_ctl_msg *m)
{
	struct uprocd *d = c->srv->d;
	struct uproc_ctl_buf *b = &c->srv->reply;
	char name[64], arg[PATH_MAX];
	struct uprocd_proc *p = NULL;

	struct uprocd_text t = { 0 };

	if (m->op == UPROC_CTL_LIST) {
		uprocd_report_list(d, uproc_ctl_field_str(m, 0, arg, sizeof(arg)) >= 0 &&
				   !strcmp(arg, "json"), &t);
		send_text(c, &t, b);
		goto send;
	}
	if (m->op == UPROC_CTL_EVENTS && m->nfields == 0) {
		do_events(c, NULL);
		return;
	}
	if (m->op >= UPROC_CTL_REPLY) {
		reply_error(b, -EBADMSG, "a client sends requests, not replies");
		goto send;
	}
	if (uproc_ctl_field_str(m, 0, name, sizeof(name)) < 0) {
		reply_error(b, -EINVAL, "%s needs a processor name (see: uproc list)",
			    uproc_ctl_op_name(m->op));
		goto send;
	}
	p = uprocd_proc_find(d, name);
	if (!p) {
		reply_error(b, -ENODEV, "no processor '%s' (see: uproc list)", name);
		goto send;
	}
	if (request_changes(m) && !c->may_write) {
		reply_error(b, -EACCES, "only root%s%s may change processors",
			    d->cfg.has_group ? " or members of the uprocd group " : "",
			    d->cfg.has_group ? "(see group= in uprocd's configuration)" : "");
		goto send;
	}
	bool has_arg = uproc_ctl_field_str(m, 1, arg, sizeof(arg)) >= 0;
	bool json = has_arg && !strcmp(arg, "json");
	switch (m->op) {
	case UPROC_CTL_STATUS:
		uprocd_report_status(p, json, &t);
		send_text(c, &t, b);
		break;
	case UPROC_CTL_EVENTS:
		do_events(c, p);
		return;
	case UPROC_CTL_DUMP:
		if (!do_dump(c, p, b))
			return;
		break;
	case UPROC_CTL_FWLIST:
		uprocd_report_fwlist(p, &t);
		send_text(c, &t, b);
		break;
	case UPROC_CTL_START:
	case UPROC_CTL_STOP:
	case UPROC_CTL_DETACH:
		do_lifecycle(p, (enum uproc_ctl_op)m->op, b);
		break;
	case UPROC_CTL_FIRMWARE:
		if (!has_arg)
			show_attr(p, UPROCD_ATTR_FIRMWARE, "firmware", b);
		else
			do_firmware(p, arg, b);
		break;
	case UPROC_CTL_RECOVERY:
		if (!has_arg)
			show_attr(p, UPROCD_ATTR_RECOVERY, "recovery", b);
		else
			do_word(p, UPROCD_ATTR_RECOVERY, "recovery", arg,
				"enabled, disabled, recover", b);
		break;
	case UPROC_CTL_COREDUMP:
		if (!has_arg)
			show_attr(p, UPROCD_ATTR_COREDUMP, "coredump", b);
		else
			do_word(p, UPROCD_ATTR_COREDUMP, "coredump", arg,
				"disabled, enabled, inline", b);
		break;
	case UPROC_CTL_TRACE:
		if (!do_trace(c, p, has_arg && !strcmp(arg, "follow"), b))
			return;
		break;
	case UPROC_CTL_CHANNELS:
		uprocd_report_channels(p, json, &t);
		send_text(c, &t, b);
		break;
	case UPROC_CTL_CONSOLE: {
		char path[PATH_MAX];
		int r = uprocd_rpmsg_console(p, path, sizeof(path));
		if (r < 0) {
			reply_error(b, r, "%s has no console: its firmware offers neither a virtio "
				    "console nor an rpmsg-tty channel%s", name,
				    rproc_get_state(p->rproc) == RPROC_OFFLINE ?
				    " (it is offline: uproc start NAME)" : "");
		} else {
			uproc_ctl_init(b, UPROC_CTL_REPLY, 0);
			uproc_ctl_add_str(b, path);
		}
		break;
	}
	default:
		reply_error(b, -EBADMSG, "unknown request");
	}
send:
	queue_frame(c, b);
}

/* ---- connections -------------------------------------------------------------- */

static void client_close(struct ctl_client *c)
{
	struct uprocd_ctl_server *srv = c->srv;

	if (c->follow_timer)
		uproc_loop_cancel_timer(srv->d->loop, c->follow_timer);
	uproc_loop_del_fd(srv->d->loop, c->fd);
	close(c->fd);
	for (struct ctl_client **pp = &srv->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	srv->n_clients--;
	uprocd_text_free(&c->last_trace);
	free(c->in);
	free(c->out);
	free(c);
}

static void on_client(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct ctl_client *c = arg;

	if (events & UPROC_LOOP_OUT) {
		if (flush_out(c) < 0) {
			client_close(c);
			return;
		}
	}
	if (!(events & (UPROC_LOOP_IN | UPROC_LOOP_HUP | UPROC_LOOP_ERR)))
		return;
	ssize_t n = recv(fd, c->in + c->in_len, UPROC_CTL_MAX_FRAME - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* gone: a partial request is simply dropped */
		client_close(c);
		return;
	}
	c->in_len += (size_t)n;
	for (;;) {
		struct uproc_ctl_msg m;
		ssize_t used = uproc_ctl_parse(c->in, c->in_len, &m);
		if (used == 0)
			break;
		if (used < 0) {
			reply_error(&c->srv->reply, (int)used, "malformed request (%s): is this uproc "
				    "of the same version as uprocd (protocol %d)?",
				    strerror((int)-used), UPROC_CTL_VERSION);
			queue_frame(c, &c->srv->reply);
			c->closing = true;
			c->in_len = 0;
			break;
		}
		if (c->follow || c->events || c->dump_of) {
			c->in_len = 0; /* a streaming client only hangs up */
			break;
		}
		handle(c, &m);
		memmove(c->in, c->in + used, c->in_len - (size_t)used);
		c->in_len -= (size_t)used;
	}
	if (flush_out(c) < 0)
		client_close(c);
}

static void on_accept(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uprocd_ctl_server *srv = arg;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (cfd < 0)
		return;
	struct ctl_client *c = calloc(1, sizeof(*c));
	if (!c || srv->n_clients >= CTL_MAX_CLIENTS || !(c->in = malloc(UPROC_CTL_MAX_FRAME))) {
		if (c)
			free(c);
		close(cfd);
		return;
	}
	c->srv = srv;
	c->fd = cfd;
	c->may_write = uprocd_peer_may_write(srv->d, cfd);
	if (uproc_loop_add_fd(loop, cfd, UPROC_LOOP_IN, on_client, c) < 0) {
		free(c->in);
		free(c);
		close(cfd);
		return;
	}
	c->next = srv->clients;
	srv->clients = c;
	srv->n_clients++;
}

int uprocd_ctl_start(struct uprocd *d)
{
	struct uprocd_ctl_server *srv = calloc(1, sizeof(*srv));
	int r;

	if (!srv)
		return -ENOMEM;
	srv->d = d;
	srv->listen_fd = uprocd_listen(d, d->cfg.socket, SOCK_STREAM, 0666);
	if (srv->listen_fd < 0) {
		r = srv->listen_fd;
		free(srv);
		return r;
	}
	r = uproc_loop_add_fd(d->loop, srv->listen_fd, UPROC_LOOP_IN, on_accept, srv);
	if (r < 0) {
		close(srv->listen_fd);
		unlink(d->cfg.socket);
		free(srv);
		return r;
	}
	d->ctl = srv;
	return 0;
}

void uprocd_ctl_stop(struct uprocd *d)
{
	struct uprocd_ctl_server *srv = d->ctl;

	if (!srv)
		return;
	while (srv->clients)
		client_close(srv->clients);
	uproc_loop_del_fd(d->loop, srv->listen_fd);
	close(srv->listen_fd);
	unlink(d->cfg.socket);
	free(srv);
	d->ctl = NULL;
}
