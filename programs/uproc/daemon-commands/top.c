/* SPDX-License-Identifier: MIT */
/*
 * top.c - uproc top: a live view of uprocd's processors, refreshed in place. Each
 * refresh asks uprocd for "list --json" and "status NAME --json" and shows rates
 * from the difference with the refresh before: CPU use of each core, messages and
 * bytes per second each way per channel.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli_daemon.h"
#include "cli_daemon_internal.h"
#include "uproc_escape.h"

#define MAX_PROCS 64
#define MAX_CHANS 32
#define MAX_TOKENS 4096

/* ---- a small JSON reader, for uprocd's own documents ---------------------------- */

enum jtype { J_OBJ, J_ARR, J_STR, J_PRIM };

struct jtok {
	enum jtype type;
	int start, end;		/* text span (strings: inside the quotes) */
	int next;		/* index of the token after this one and its children */
};

struct jdoc {
	const char *s;
	int len, pos;
	struct jtok t[MAX_TOKENS];
	int n;
};

static void jspace(struct jdoc *d)
{
	while (d->pos < d->len && strchr(" \t\r\n", d->s[d->pos]))
		d->pos++;
}

static int jvalue(struct jdoc *d)
{
	jspace(d);
	if (d->pos >= d->len || d->n >= MAX_TOKENS)
		return -1;
	int me = d->n++;
	struct jtok *t = &d->t[me];
	char c = d->s[d->pos];
	if (c == '{' || c == '[') {
		t->type = c == '{' ? J_OBJ : J_ARR;
		t->start = d->pos++;
		char close = c == '{' ? '}' : ']';
		jspace(d);
		if (d->pos < d->len && d->s[d->pos] == close) {
			d->pos++;
		} else {
			for (;;) {
				if (c == '{') {
					if (jvalue(d) < 0 || d->t[d->n - 1].type != J_STR)
						return -1;
					jspace(d);
					if (d->pos >= d->len || d->s[d->pos++] != ':')
						return -1;
				}
				if (jvalue(d) < 0)
					return -1;
				jspace(d);
				if (d->pos >= d->len)
					return -1;
				char sep = d->s[d->pos++];
				if (sep == close)
					break;
				if (sep != ',')
					return -1;
			}
		}
		d->t[me].end = d->pos;
	} else if (c == '"') {
		t->type = J_STR;
		t->start = ++d->pos;
		while (d->pos < d->len && d->s[d->pos] != '"')
			d->pos += d->s[d->pos] == '\\' ? 2 : 1;
		if (d->pos >= d->len)
			return -1;
		t->end = d->pos++;
	} else {
		t->type = J_PRIM;
		t->start = d->pos;
		while (d->pos < d->len && !strchr(",]} \t\r\n", d->s[d->pos]))
			d->pos++;
		t->end = d->pos;
	}
	d->t[me].next = d->n;
	return me;
}

/* Member @key of object @obj, or -1. */
static int jget(const struct jdoc *d, int obj, const char *key)
{
	if (obj < 0 || d->t[obj].type != J_OBJ)
		return -1;
	size_t kl = strlen(key);
	for (int i = obj + 1; i < d->t[obj].next; i = d->t[i + 1].next) {
		const struct jtok *k = &d->t[i];
		if ((size_t)(k->end - k->start) == kl && !memcmp(d->s + k->start, key, kl))
			return i + 1;
	}
	return -1;
}

static double jnum(const struct jdoc *d, int i)
{
	if (i < 0 || d->t[i].type != J_PRIM)
		return -1;
	return strtod(d->s + d->t[i].start, NULL);
}

/* A string value as printable text (escapes kept as they are: already safe). */
static void jtext(const struct jdoc *d, int i, char *out, size_t len)
{
	out[0] = '\0';
	if (i < 0 || d->t[i].type != J_STR)
		return;
	size_t n = (size_t)(d->t[i].end - d->t[i].start);
	size_t o = 0;
	for (size_t k = 0; k < n && o + 1 < len; k++) {
		char c = d->s[d->t[i].start + (int)k];
		if (c == '\\' && k + 1 < n && strchr("\"\\", d->s[d->t[i].start + (int)k + 1]))
			c = d->s[d->t[i].start + (int)++k];
		out[o++] = c;
	}
	out[o] = '\0';
}

static int jparse(struct jdoc *d, const char *s, size_t len)
{
	d->s = s;
	d->len = (int)len;
	d->pos = 0;
	d->n = 0;
	return jvalue(d) == 0 ? 0 : -1;
}

/* ---- what one refresh saw ------------------------------------------------------- */

struct chan {
	char device[32], name[200];
	double rx_msgs, rx_bytes, tx_msgs, tx_bytes;
};

struct proc {
	char name[128], device[32], state[32], backend[32], last[256];
	double cpu_ms, crashes, recoveries;
	struct chan ch[MAX_CHANS];
	int nch, more_ch;
};

struct snap {
	struct timespec at;
	struct proc p[MAX_PROCS];
	int n;
};

struct buf {
	char *s;
	size_t len, cap;
};

static int buf_data(const char *data, size_t len, void *arg)
{
	struct buf *b = arg;
	if (b->len + len + 1 > b->cap) {
		size_t cap = (b->len + len + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s)
			return 1;
		b->s = s;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

static int ask(enum uproc_ctl_op op, const char *name, struct buf *b)
{
	struct uproc_cli_reply_fn fn = { NULL, buf_data, b };
	const char *args[] = { name ? name : "json", "json" };

	b->len = 0;
	return uproc_cli_request(op, args, name ? 2 : 1, &fn);
}

static int take_snapshot(struct snap *sn, struct jdoc *d)
{
	struct buf b = { 0 };
	int status = ask(UPROC_CTL_LIST, NULL, &b);

	clock_gettime(CLOCK_MONOTONIC, &sn->at);
	sn->n = 0;
	if (status || !b.s || jparse(d, b.s, b.len) < 0) {
		free(b.s);
		return status ? status : 1;
	}
	int arr = jget(d, 0, "processors");
	char names[MAX_PROCS][128];
	int n = 0;
	for (int i = arr + 1; arr >= 0 && i < d->t[arr].next && n < MAX_PROCS; i = d->t[i].next)
		jtext(d, jget(d, i, "name"), names[n++], sizeof(names[0]));
	for (int k = 0; k < n; k++) {
		struct proc *p = &sn->p[sn->n];
		memset(p, 0, sizeof(*p));
		memcpy(p->name, names[k], sizeof(p->name));
		if (ask(UPROC_CTL_STATUS, names[k], &b) || jparse(d, b.s, b.len) < 0)
			continue;
		jtext(d, jget(d, 0, "device"), p->device, sizeof(p->device));
		jtext(d, jget(d, 0, "state"), p->state, sizeof(p->state));
		jtext(d, jget(d, 0, "backend"), p->backend, sizeof(p->backend));
		jtext(d, jget(d, 0, "last_trace"), p->last, sizeof(p->last));
		p->cpu_ms = jnum(d, jget(d, 0, "cpu_ms"));
		p->crashes = jnum(d, jget(d, 0, "crashes"));
		p->recoveries = jnum(d, jget(d, 0, "recoveries"));
		int ch = jget(d, 0, "channels");
		for (int i = ch + 1; ch >= 0 && i < d->t[ch].next; i = d->t[i].next) {
			if (jget(d, i, "rx_msgs") < 0)
				continue; /* no traffic of its own (control, remote channels) */
			if (p->nch == MAX_CHANS) {
				p->more_ch++;
				continue;
			}
			struct chan *c = &p->ch[p->nch++];
			jtext(d, jget(d, i, "device"), c->device, sizeof(c->device));
			jtext(d, jget(d, i, "name"), c->name, sizeof(c->name));
			c->rx_msgs = jnum(d, jget(d, i, "rx_msgs"));
			c->rx_bytes = jnum(d, jget(d, i, "rx_bytes"));
			c->tx_msgs = jnum(d, jget(d, i, "tx_msgs"));
			c->tx_bytes = jnum(d, jget(d, i, "tx_bytes"));
		}
		sn->n++;
	}
	free(b.s);
	return 0;
}

/* ---- the screen ----------------------------------------------------------------------- */

static const struct proc *find_proc(const struct snap *s, const char *name)
{
	for (int i = 0; s && i < s->n; i++)
		if (!strcmp(s->p[i].name, name))
			return &s->p[i];
	return NULL;
}

static const struct chan *find_chan(const struct proc *p, const char *dev)
{
	for (int i = 0; p && i < p->nch; i++)
		if (!strcmp(p->ch[i].device, dev))
			return &p->ch[i];
	return NULL;
}

static void human(char *out, size_t len, double v)
{
	if (v < 0)
		snprintf(out, len, "-");
	else if (v >= 10e6)
		snprintf(out, len, "%.0fM", v / 1e6);
	else if (v >= 10e3)
		snprintf(out, len, "%.0fk", v / 1e3);
	else
		snprintf(out, len, "%.0f", v);
}

static double rate(double now, double before, double dt)
{
	if (dt <= 0 || now < 0 || before < 0 || now < before)
		return -1;
	return (now - before) / dt;
}

static void draw(FILE *f, const struct snap *now, const struct snap *prev, bool tty, int width)
{
	double dt = prev ? (double)(now->at.tv_sec - prev->at.tv_sec) +
				   (double)(now->at.tv_nsec - prev->at.tv_nsec) / 1e9 : 0;
	time_t t = time(NULL);
	char clock[16];

	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&t));
	if (tty)
		fputs("\033[H", f);
	fprintf(f, "uproc top - %s - %d processor%s%s\033[K\n", clock, now->n,
		now->n == 1 ? "" : "s", tty ? " - q quits" : "");
	fprintf(f, "\033[K\n%-16s %-12s %-9s %-8s %6s %7s %5s  %s\033[K\n", "NAME", "DEVICE",
		"STATE", "BACKEND", "CPU%", "CRASHES", "RECOV", "LAST TRACE");
	for (int i = 0; i < now->n; i++) {
		const struct proc *p = &now->p[i];
		const struct proc *q = find_proc(prev, p->name);
		char cpu[16] = "-";
		double r = q ? rate(p->cpu_ms, q->cpu_ms, dt) : -1;
		if (r >= 0)
			snprintf(cpu, sizeof(cpu), "%.1f", r / 10.0); /* ms per s -> % */
		int room = width - 70;
		fprintf(f, "%-16.16s %-12s %-9s %-8s %6s %7.0f %5.0f  %.*s\033[K\n", p->name,
			p->device, p->state, p->backend, cpu, p->crashes < 0 ? 0 : p->crashes,
			p->recoveries < 0 ? 0 : p->recoveries, room > 10 ? room : 10, p->last);
		if (p->nch)
			fprintf(f, "    %-12s %-24s %9s %9s %9s %9s\033[K\n", "CHANNEL", "NAME",
				"RX msg/s", "RX B/s", "TX msg/s", "TX B/s");
		for (int k = 0; k < p->nch; k++) {
			const struct chan *c = &p->ch[k];
			const struct chan *o = find_chan(q, c->device);
			char a[16], b[16], cc[16], dd[16];
			human(a, sizeof(a), o ? rate(c->rx_msgs, o->rx_msgs, dt) : -1);
			human(b, sizeof(b), o ? rate(c->rx_bytes, o->rx_bytes, dt) : -1);
			human(cc, sizeof(cc), o ? rate(c->tx_msgs, o->tx_msgs, dt) : -1);
			human(dd, sizeof(dd), o ? rate(c->tx_bytes, o->tx_bytes, dt) : -1);
			fprintf(f, "    %-12s %-24.24s %9s %9s %9s %9s\033[K\n", c->device, c->name,
				a, b, cc, dd);
		}
		if (p->more_ch)
			fprintf(f, "    (%d more channels: uproc channels %s)\033[K\n", p->more_ch,
				p->name);
	}
	if (tty)
		fputs("\033[J", f);
	else
		fputc('\n', f);
	fflush(f);
}

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

int uproc_cmd_top(int argc, char **argv)
{
	double interval = 1.0;
	long count = -1;
	static struct snap a, b;
	static struct jdoc doc;

	for (int i = 1; i < argc; i++) {
		char *end;
		if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			interval = strtod(argv[++i], &end);
			if (*end || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr, "uproc top: -d takes seconds between 0.1 and 3600 (see: uproc help top)\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			count = strtol(argv[++i], &end, 10);
			if (*end || count < 1) {
				fprintf(stderr, "uproc top: -n takes a count of at least 1 (see: uproc help top)\n");
				return 2;
			}
		} else {
			return uproc_cli_usage("top", "[-d SECONDS] [-n COUNT]");
		}
	}
	if (uproc_cli_sysfs_root()) {
		fprintf(stderr, "uproc top: needs uprocd (a kernel's tree keeps no traffic "
			"counts); see: uproc list\n");
		return 1;
	}
	bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	struct termios saved, raw;
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
		fputs("\033[?1049h\033[?25l\033[H\033[2J", stdout); /* own screen, no cursor */
	} else {
		tty = false;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int status = 0;
	struct snap *now = &a, *prev = NULL;
	for (long shown = 0; !stop_now && (count < 0 || shown < count); shown++) {
		status = take_snapshot(now, &doc);
		if (status)
			break;
		int width = 120;
		const char *cols = getenv("COLUMNS");
		if (cols && atoi(cols) > 40)
			width = atoi(cols);
		draw(stdout, now, prev, tty, width);
		prev = now;
		now = now == &a ? &b : &a;
		if (count >= 0 && shown + 1 >= count)
			break;
		/* wait, watching for q */
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		int ms = (int)(interval * 1000);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!stop_now && ms > 0) {
			int r = poll(&pfd, tty ? 1 : 0, ms);
			if (r > 0) {
				char c;
				if (read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q'))
					stop_now = 1;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (int)(interval * 1000) - (int)((t1.tv_sec - t0.tv_sec) * 1000 +
							    (t1.tv_nsec - t0.tv_nsec) / 1000000);
		}
	}
	if (tty) {
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	}
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	return status;
}
