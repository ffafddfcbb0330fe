/* SPDX-License-Identifier: MIT */
/*
 * ctl_report.c - what list, status, channels and "firmware --list" answer, as text
 * or as one JSON document (the shapes are documented in uproc(1)). Loop thread.
 *
 * Names the remote chose (its channels) are escaped (uproc_escape.h) in both
 * forms: they may hold control characters, quotes or any byte.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl_report.h"
#include "rpmsg_dev.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc_escape.h"

/* ---- JSON pieces ---------------------------------------------------------------- */

void uprocd_json_str(struct uprocd_text *t, const void *s, size_t len)
{
	char esc[UPROC_ESCAPE_SIZE(128)];
	const char *p = s;

	uprocd_text_append(t, "\"", 1);
	while (len > 0) {
		size_t n = len > 128 ? 128 : len;
		size_t e = uproc_escape_json(esc, sizeof(esc), p, n);
		uprocd_text_append(t, esc, e);
		p += n;
		len -= n;
	}
	uprocd_text_append(t, "\"", 1);
}

static void jkey(struct uprocd_text *t, bool *first, const char *key)
{
	uprocd_text_printf(t, "%s\"%s\":", *first ? "" : ",", key);
	*first = false;
}

static void jstr(struct uprocd_text *t, bool *first, const char *key, const char *s)
{
	jkey(t, first, key);
	if (s)
		uprocd_json_str(t, s, strlen(s));
	else
		uprocd_text_append(t, "null", 4);
}

static void jnum(struct uprocd_text *t, bool *first, const char *key, long long v)
{
	jkey(t, first, key);
	uprocd_text_printf(t, "%lld", v);
}

static void jaddr(struct uprocd_text *t, bool *first, const char *key, uint32_t a)
{
	jkey(t, first, key);
	if (a == RPMSG_ADDR_ANY)
		uprocd_text_append(t, "null", 4);
	else
		uprocd_text_printf(t, "%u", a);
}

/* ---- facts about a processor ---------------------------------------------------- */

const char *uprocd_backend_name(struct uprocd_proc *p)
{
	char path[PATH_MAX];

	switch (p->cfg->backend) {
	case UPROCD_BACKEND_NATIVE: return "native";
	case UPROCD_BACKEND_EMULATED: return "emulated";
	case UPROCD_BACKEND_AUTO: break;
	}
	/* auto: what its firmware's machine picks */
	pthread_mutex_lock(&p->d->lock);
	snprintf(path, sizeof(path), "%s", p->fw_path);
	pthread_mutex_unlock(&p->d->lock);
	switch (path[0] ? uproc_backend_check_file(path, UPROC_BACKEND_AUTO, NULL, 0) : -ENOENT) {
	case UPROC_BACKEND_NATIVE: return "native";
	case UPROC_BACKEND_EMULATED: return "emulated";
	default: return "auto";
	}
}

long long uprocd_core_cpu_ms(struct uprocd_proc *p)
{
	pid_t pid = uproc_native_pid(p->rproc);
	char path[64], buf[1024];

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* fields after the command (which may hold spaces and parentheses) */
	char *rp = strrchr(buf, ')');
	unsigned long long utime, stime;
	if (!rp || sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			  &utime, &stime) != 2)
		return -1;
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? (long long)((utime + stime) * 1000ULL / (unsigned long long)hz) : -1;
}

/* The last complete line of @p's first trace buffer, into @buf ("" if none). */
void uprocd_last_trace_line(struct uprocd_proc *p, char *buf, size_t len)
{
	struct uprocd_text t = { 0 };

	buf[0] = '\0';
	if (uprocd_debug_trace_count(p) == 0 ||
	    uprocd_debug_render(p, UPROCD_DEBUG_TRACE, 0, &t) < 0 || !t.len) {
		uprocd_text_free(&t);
		return;
	}
	size_t end = t.len;
	while (end > 0 && (t.buf[end - 1] == '\n' || t.buf[end - 1] == '\0'))
		end--;
	size_t start = end;
	while (start > 0 && t.buf[start - 1] != '\n')
		start--;
	size_t n = end - start < len - 1 ? end - start : len - 1;
	memcpy(buf, t.buf + start, n);
	buf[n] = '\0';
	buf[strnlen(buf, n)] = '\0';
	uprocd_text_free(&t);
}

static void fw_dirs_text(struct uprocd_proc *p, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < p->cfg->n_fw_dirs && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s%s", i ? ":" : "", p->cfg->fw_dirs[i]);
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

void uprocd_fw_dirs_text(struct uprocd_proc *p, char *buf, size_t len)
{
	fw_dirs_text(p, buf, len);
}

/* ---- list ------------------------------------------------------------------------- */

void uprocd_report_list(struct uprocd *d, bool json, struct uprocd_text *t)
{
	char fw[PATH_MAX];

	if (json)
		uprocd_text_append(t, "{\"processors\":[", 15);
	else
		uprocd_text_printf(t, "%-12s %-16s %-9s %s\n", "DEVICE", "NAME", "STATE", "FIRMWARE");
	for (unsigned int i = 0; i < d->n_procs; i++) {
		struct uprocd_proc *p = &d->procs[i];
		char dev[32];
		const char *state = rproc_state_string(rproc_get_state(p->rproc));

		uprocd_firmware_shown(p, fw, sizeof(fw));
		snprintf(dev, sizeof(dev), "remoteproc%u", p->index);
		if (!json) {
			uprocd_text_printf(t, "%-12s %-16s %-9s %s\n", dev, p->cfg->name, state,
					   fw[0] ? fw : "-");
			continue;
		}
		bool first = true;
		uprocd_text_printf(t, "%s{", i ? "," : "");
		jstr(t, &first, "name", p->cfg->name);
		jstr(t, &first, "device", dev);
		jstr(t, &first, "state", state);
		jstr(t, &first, "backend", uprocd_backend_name(p));
		jstr(t, &first, "firmware", fw[0] ? fw : NULL);
		jnum(t, &first, "crashes", rproc_get_crash_count(p->rproc));
		jnum(t, &first, "recoveries", p->recoveries);
		uprocd_text_append(t, "}", 1);
	}
	if (json)
		uprocd_text_append(t, "]}\n", 3);
}

/* ---- channels ----------------------------------------------------------------------- */

static const char *kind_name(enum uprocd_chan_kind k)
{
	switch (k) {
	case UPROCD_CHAN_CONTROL: return "control";
	case UPROCD_CHAN_TTY: return "tty";
	case UPROCD_CHAN_CONSOLE: return "console";
	case UPROCD_CHAN_ENDPOINT: return "endpoint";
	case UPROCD_CHAN_REMOTE: return "remote";
	}
	return "?";
}

struct chan_ctx {
	struct uprocd_text *t;
	bool json;
	unsigned int n;
};

static void chan_text(struct uprocd_text *t, const struct uprocd_channel_desc *cd)
{
	char name[UPROC_ESCAPE_SIZE(UPROCD_NAME_SIZE)] = "";

	if (cd->name)
		uproc_escape_text(name, sizeof(name), cd->name, cd->name_len);
	switch (cd->kind) {
	case UPROCD_CHAN_CONTROL:
		uprocd_text_printf(t, "%s  vdev%u control  %s\n", cd->device, cd->vdev, cd->path);
		break;
	case UPROCD_CHAN_TTY:
		uprocd_text_printf(t, "%s  rpmsg-tty  src 0x%x dst 0x%x  %s -> %s\n", cd->device,
				   cd->src, cd->dst, cd->path, cd->pts);
		break;
	case UPROCD_CHAN_CONSOLE:
		uprocd_text_printf(t, "%s  virtio console vdev%u  %s -> %s\n", cd->device, cd->vdev,
				   cd->path, cd->pts);
		break;
	case UPROCD_CHAN_ENDPOINT:
		uprocd_text_printf(t, "%s  %s  src 0x%x dst 0x%x  %s%s\n", cd->device, name, cd->src,
				   cd->dst, cd->path, cd->open ? " (open)" : "");
		break;
	case UPROCD_CHAN_REMOTE:
		uprocd_text_printf(t, "channel %s  remote 0x%x  %s%s\n", name, cd->dst,
				   cd->served_by[0] ? "served by " : "not served", cd->served_by);
		break;
	}
}

static void chan_json(struct uprocd_text *t, const struct uprocd_channel_desc *cd, bool comma)
{
	bool first = true;

	uprocd_text_printf(t, "%s{", comma ? "," : "");
	jstr(t, &first, "kind", kind_name(cd->kind));
	jstr(t, &first, "device", cd->device[0] ? cd->device : NULL);
	jkey(t, &first, "name");
	if (cd->name)
		uprocd_json_str(t, cd->name, cd->name_len);
	else
		uprocd_text_append(t, "null", 4);
	jaddr(t, &first, "src", cd->src);
	jaddr(t, &first, "dst", cd->dst);
	jstr(t, &first, "path", cd->path);
	if (cd->pts)
		jstr(t, &first, "pts", cd->pts);
	if (cd->kind == UPROCD_CHAN_ENDPOINT) {
		jkey(t, &first, "open");
		uprocd_text_printf(t, "%s", cd->open ? "true" : "false");
	}
	if (cd->kind == UPROCD_CHAN_REMOTE) {
		jkey(t, &first, "served_by");
		uprocd_text_append(t, "[", 1);
		const char *s = cd->served_by;
		for (bool f = true; *s; f = false) {
			size_t n = strcspn(s, ",");
			if (!f)
				uprocd_text_append(t, ",", 1);
			uprocd_json_str(t, s, n);
			s += n;
			s += strspn(s, ", ");
		}
		uprocd_text_append(t, "]", 1);
	}
	if (cd->stats) {
		jnum(t, &first, "rx_msgs", (long long)cd->stats->rx_msgs);
		jnum(t, &first, "rx_bytes", (long long)cd->stats->rx_bytes);
		jnum(t, &first, "tx_msgs", (long long)cd->stats->tx_msgs);
		jnum(t, &first, "tx_bytes", (long long)cd->stats->tx_bytes);
	}
	uprocd_text_append(t, "}", 1);
}

static void on_channel(void *arg, const struct uprocd_channel_desc *cd)
{
	struct chan_ctx *c = arg;

	if (c->json)
		chan_json(c->t, cd, c->n > 0);
	else
		chan_text(c->t, cd);
	c->n++;
}

static void channels_into(struct uprocd_proc *p, bool json, struct uprocd_text *t)
{
	struct chan_ctx c = { t, json, 0 };

	if (json)
		uprocd_text_append(t, "[", 1);
	uprocd_rpmsg_channel_list(p, on_channel, &c);
	if (json)
		uprocd_text_append(t, "]", 1);
}

void uprocd_report_channels(struct uprocd_proc *p, bool json, struct uprocd_text *t)
{
	if (!json) {
		channels_into(p, false, t);
		return;
	}
	bool first = true;
	uprocd_text_append(t, "{", 1);
	jstr(t, &first, "name", p->cfg->name);
	jkey(t, &first, "channels");
	channels_into(p, true, t);
	uprocd_text_append(t, "}\n", 2);
}

/* ---- status ----------------------------------------------------------------------- */

void uprocd_report_status(struct uprocd_proc *p, bool json, struct uprocd_text *t)
{
	struct uprocd *d = p->d;
	char fw[PATH_MAX], dirs[1024], tree[PATH_MAX + 64], node[PATH_MAX + 32];
	char dump[PATH_MAX + 64] = "", last[256];
	const char *err = rproc_last_error(p->rproc);
	const char *state = rproc_state_string(rproc_get_state(p->rproc));
	pid_t pid = uproc_native_pid(p->rproc);
	int traces = rproc_trace_count(p->rproc) > 0 ? rproc_trace_count(p->rproc) : 0;

	uprocd_firmware_shown(p, fw, sizeof(fw));
	fw_dirs_text(p, dirs, sizeof(dirs));
	snprintf(tree, sizeof(tree), "%s/class/remoteproc/remoteproc%u", d->cfg.root, p->index);
	snprintf(node, sizeof(node), "%s/remoteproc%u", d->dev_dir, p->index);
	pthread_mutex_lock(&d->lock);
	unsigned int dump_id = p->dump_id;
	pthread_mutex_unlock(&d->lock);
	if (dump_id)
		snprintf(dump, sizeof(dump), "%s/class/devcoredump/devcd%u/data", d->cfg.root,
			 dump_id);
	uprocd_last_trace_line(p, last, sizeof(last));
	enum rproc_crash_type crash_type;
	const char *crash = rproc_get_last_crash(p->rproc, &crash_type) == 0 ?
			    rproc_crash_type_string(crash_type) : NULL;
	char why[320];
	unsigned int streak = 0;
	if (rproc_get_crash_reason(p->rproc, why, sizeof(why), &streak) < 0)
		why[0] = '\0';

	if (!json) {
		uprocd_text_printf(t, "name:          %s\n", p->cfg->name);
		uprocd_text_printf(t, "device:        remoteproc%u\n", p->index);
		uprocd_text_printf(t, "state:         %s\n", state);
		uprocd_text_printf(t, "backend:       %s\n", uprocd_backend_name(p));
		uprocd_text_printf(t, "firmware:      %s\n", fw[0] ? fw : "-");
		uprocd_text_printf(t, "firmware_path: %s\n", dirs);
		uprocd_text_printf(t, "recovery:      %s\n",
				   rproc_get_recovery(p->rproc) ? "enabled" : "disabled");
		uprocd_text_printf(t, "coredump:      %s\n",
				   rproc_coredump_string(rproc_get_coredump(p->rproc)));
		uprocd_text_printf(t, "crashes:       %u\n", rproc_get_crash_count(p->rproc));
		if (crash)
			uprocd_text_printf(t, "last crash:    %s\n", crash);
		if (why[0]) /* the backend's words and numbers, nothing the remote wrote */
			uprocd_text_printf(t, "crash reason:  %s\n", why);
		if (streak > 1)
			uprocd_text_printf(t, "same fault:    %u times in a row\n", streak);
		uprocd_text_printf(t, "recoveries:    %u\n", p->recoveries);
		uprocd_text_printf(t, "power:         %u\n", rproc_get_power(p->rproc));
		if (pid > 0)
			uprocd_text_printf(t, "pid:           %d\n", (int)pid);
		uprocd_text_printf(t, "traces:        %d\n", traces);
		uprocd_text_printf(t, "tree:          %s\n", tree);
		uprocd_text_printf(t, "device node:   %s\n", node);
		if (dump[0])
			uprocd_text_printf(t, "coredump file: %s\n", dump);
		if (err && err[0])
			uprocd_text_printf(t, "last error:    %s\n", err);
		if (rproc_get_state(p->rproc) == RPROC_CRASHED)
			uprocd_text_printf(t, "next:          recover it: uproc recovery %s recover%s%s%s\n",
					   p->cfg->name, dump[0] ? "; its coredump: uproc coredump " : "",
					   dump[0] ? p->cfg->name : "", dump[0] ? " --save FILE" : "");
		channels_into(p, false, t);
		return;
	}
	bool first = true;
	uprocd_text_append(t, "{", 1);
	jstr(t, &first, "name", p->cfg->name);
	jstr(t, &first, "device", node + strlen(d->dev_dir) + 1);
	jstr(t, &first, "state", state);
	jstr(t, &first, "backend", uprocd_backend_name(p));
	jstr(t, &first, "firmware", fw[0] ? fw : NULL);
	jkey(t, &first, "firmware_path");
	uprocd_text_append(t, "[", 1);
	for (unsigned int i = 0; i < p->cfg->n_fw_dirs; i++) {
		if (i)
			uprocd_text_append(t, ",", 1);
		uprocd_json_str(t, p->cfg->fw_dirs[i], strlen(p->cfg->fw_dirs[i]));
	}
	uprocd_text_append(t, "]", 1);
	jstr(t, &first, "recovery", rproc_get_recovery(p->rproc) ? "enabled" : "disabled");
	jstr(t, &first, "coredump", rproc_coredump_string(rproc_get_coredump(p->rproc)));
	jnum(t, &first, "crashes", rproc_get_crash_count(p->rproc));
	jstr(t, &first, "last_crash", crash);
	jstr(t, &first, "crash_reason", why[0] ? why : NULL);
	jnum(t, &first, "crash_streak", streak);
	jnum(t, &first, "recoveries", p->recoveries);
	jnum(t, &first, "power", rproc_get_power(p->rproc));
	jkey(t, &first, "pid");
	uprocd_text_printf(t, pid > 0 ? "%d" : "null", (int)pid);
	long long cpu = uprocd_core_cpu_ms(p);
	jkey(t, &first, "cpu_ms");
	uprocd_text_printf(t, cpu >= 0 ? "%lld" : "null", cpu);
	jnum(t, &first, "traces", traces);
	jkey(t, &first, "last_trace");
	uprocd_json_str(t, last, strlen(last));
	jstr(t, &first, "tree", tree);
	jstr(t, &first, "device_node", node);
	jstr(t, &first, "coredump_file", dump[0] ? dump : NULL);
	jstr(t, &first, "last_error", err && err[0] ? err : NULL);
	jkey(t, &first, "channels");
	channels_into(p, true, t);
	uprocd_text_append(t, "}\n", 2);
}

/* ---- firmware --list ------------------------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int uprocd_report_fwlist(struct uprocd_proc *p, struct uprocd_text *t)
{
	char cur[PATH_MAX];
	unsigned int shown = 0;

	uprocd_firmware_shown(p, cur, sizeof(cur));
	for (unsigned int i = 0; i < p->cfg->n_fw_dirs; i++) {
		DIR *dir = opendir(p->cfg->fw_dirs[i]);
		if (!dir) {
			uprocd_text_printf(t, "# %s: %s\n", p->cfg->fw_dirs[i], strerror(errno));
			continue;
		}
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *de;
		while ((de = readdir(dir))) {
			struct stat st;
			if (de->d_name[0] == '.' ||
			    fstatat(dirfd(dir), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				char **nn = realloc(names, cap * sizeof(*names));
				if (!nn)
					break;
				names = nn;
			}
			if (!(names[n] = strdup(de->d_name)))
				break;
			n++;
		}
		closedir(dir);
		qsort(names, n, sizeof(*names), name_cmp);
		uprocd_text_printf(t, "# %s\n", p->cfg->fw_dirs[i]);
		for (size_t k = 0; k < n; k++) {
			char esc[UPROC_ESCAPE_SIZE(256)];
			uproc_escape_text(esc, sizeof(esc), names[k], strnlen(names[k], 256));
			uprocd_text_printf(t, "%s%s\n", esc, !strcmp(names[k], cur) ? "  (current)" : "");
			free(names[k]);
			shown++;
		}
		free(names);
	}
	return (int)shown;
}
