/* SPDX-License-Identifier: MIT */
/*
 * attr.c - the remoteproc attributes with the kernel's semantics (sysfs
 * remoteproc_sysfs.c and debugfs remoteproc_debugfs.c): what reads return and what
 * writes do, shared by the control tree and the control socket.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "fw_resolve.h"
#include "hostutil.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

static const char *const dump_words[] = { "disabled", "enabled", "inline" };

struct uprocd_proc *uprocd_proc_find(struct uprocd *d, const char *name)
{
	for (unsigned int i = 0; i < d->n_procs; i++) {
		char dev[32];
		snprintf(dev, sizeof(dev), "remoteproc%u", d->procs[i].index);
		if (!strcmp(d->procs[i].cfg->name, name) || !strcmp(dev, name))
			return &d->procs[i];
	}
	return NULL;
}

void uprocd_firmware_shown(struct uprocd_proc *p, char *buf, size_t len)
{
	char cur[PATH_MAX];

	/* Linux knows no image of a core it attached to; uprocd does: the core's
	 * registry record names it, and attaching made it the processor's firmware. */
	rproc_get_firmware(p->rproc, cur, sizeof(cur));
	pthread_mutex_lock(&p->d->lock);
	if (p->fw_name[0] && (p->fw_pending || !strcmp(cur, p->fw_path)))
		snprintf(buf, len, "%s", p->fw_name);
	else
		snprintf(buf, len, "%s", cur);
	pthread_mutex_unlock(&p->d->lock);
}

struct show_call {
	struct uprocd_proc *p;
	enum uprocd_attr attr;
	char *buf;
	size_t len;
};

static int attr_show_on_loop(void *arg)
{
	struct show_call *c = arg;
	struct uprocd_proc *p = c->p;
	char *buf = c->buf;
	size_t len = c->len;
	char fw[PATH_MAX];
	int n;

	switch (c->attr) {
	case UPROCD_ATTR_NAME:
		n = snprintf(buf, len, "%s\n", rproc_get_name(p->rproc));
		break;
	case UPROCD_ATTR_STATE: {
		enum rproc_state s = rproc_get_state(p->rproc);
		n = snprintf(buf, len, "%s\n", rproc_state_string(s));
		break;
	}
	case UPROCD_ATTR_FIRMWARE:
		uprocd_firmware_shown(p, fw, sizeof(fw));
		n = snprintf(buf, len, "%s\n", fw);
		break;
	case UPROCD_ATTR_RECOVERY:
		n = snprintf(buf, len, "%s\n", rproc_get_recovery(p->rproc) ? "enabled" : "disabled");
		break;
	case UPROCD_ATTR_COREDUMP: {
		unsigned int m = rproc_get_coredump(p->rproc);
		n = snprintf(buf, len, "%s\n", m < 3 ? dump_words[m] : "invalid");
		break;
	}
	default:
		return -EINVAL;
	}
	if (n < 0)
		return -EINVAL;
	return (size_t)n < len ? n : (int)len - 1;
}

int uprocd_attr_show(struct uprocd_proc *p, enum uprocd_attr attr, char *buf, size_t len)
{
	struct show_call c = { .p = p, .attr = attr, .buf = buf, .len = len };

	return uproc_loop_call(p->d->loop, attr_show_on_loop, &c);
}

/* The written word without one trailing newline (sysfs_streq), as a C string. */
static int word_of(const char *buf, size_t len, char *out, size_t outlen)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= outlen || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

/* Look up a firmware name that was not there when it was written. */
static int resolve_pending(struct uprocd_proc *p)
{
	char name[PATH_MAX], path[PATH_MAX];
	bool pending;

	pthread_mutex_lock(&p->d->lock);
	pending = p->fw_pending;
	snprintf(name, sizeof(name), "%s", p->fw_name);
	pthread_mutex_unlock(&p->d->lock);
	if (!pending || rproc_get_state(p->rproc) != RPROC_OFFLINE)
		return 0;
	int r = uprocd_fw_resolve(p->cfg->fw_dirs, p->cfg->n_fw_dirs, name, path, sizeof(path));
	if (r < 0) {
		uprocd_log(p->d, "remoteproc%u: firmware '%s': %s", p->index, name, strerror(-r));
		return r;
	}
	r = rproc_set_firmware(p->rproc, path);
	if (r < 0)
		return r;
	pthread_mutex_lock(&p->d->lock);
	snprintf(p->fw_path, sizeof(p->fw_path), "%s", path);
	p->fw_pending = false;
	pthread_mutex_unlock(&p->d->lock);
	return 0;
}

int uprocd_proc_start(struct uprocd_proc *p)
{
	int r;

	UPI_ON_LOOP_THREAD(p->d->loop, rproc_get_name(p->rproc));
	r = resolve_pending(p);
	return r < 0 ? r : rproc_boot(p->rproc);
}

int uprocd_proc_stop(struct uprocd_proc *p)
{
	enum rproc_state s = rproc_get_state(p->rproc);

	if (s != RPROC_RUNNING && s != RPROC_ATTACHED && !rproc_is_recovering(p->rproc))
		return -EINVAL;
	return rproc_shutdown(p->rproc);
}

static int store_state(struct uprocd_proc *p, const char *w)
{
	enum rproc_state s = rproc_get_state(p->rproc);

	if (!strcmp(w, "start"))
		return uprocd_proc_start(p);
	if (!strcmp(w, "stop"))
		return uprocd_proc_stop(p);
	if (!strcmp(w, "detach")) {
		if (s != RPROC_ATTACHED)
			return -EINVAL;
		return rproc_detach(p->rproc);
	}
	return -EINVAL;
}

static int store_firmware(struct uprocd_proc *p, const char *buf, size_t len)
{
	char name[PATH_MAX], path[PATH_MAX];
	const char *nl = memchr(buf, '\n', len);
	size_t n = nl ? (size_t)(nl - buf) : len;

	/* Linux: only while offline; cut at the first newline; empty is invalid. */
	if (rproc_get_state(p->rproc) != RPROC_OFFLINE)
		return -EBUSY;
	if (n == 0)
		return -EINVAL;
	if (n >= sizeof(name) || memchr(buf, '\0', n))
		return -EINVAL;
	memcpy(name, buf, n);
	name[n] = '\0';
	/* Linux accepts any name here and fails at start. A name that leads out of
	 * the firmware directories is still refused now (-EACCES); one that is not
	 * there yet is kept and looked up again at start. */
	int r = uprocd_fw_resolve(p->cfg->fw_dirs, p->cfg->n_fw_dirs, name, path, sizeof(path));
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == 0) {
		r = rproc_set_firmware(p->rproc, path);
		if (r < 0)
			return r;
	}
	pthread_mutex_lock(&p->d->lock);
	snprintf(p->fw_name, sizeof(p->fw_name), "%s", name);
	snprintf(p->fw_path, sizeof(p->fw_path), "%s", r == 0 ? path : "");
	p->fw_pending = r != 0;
	pthread_mutex_unlock(&p->d->lock);
	return 0;
}

static int store_recovery(struct uprocd_proc *p, const char *w)
{
	if (!strcmp(w, "enabled")) {
		rproc_set_recovery(p->rproc, true);
		if (rproc_get_state(p->rproc) == RPROC_CRASHED)
			rproc_recover(p->rproc);
		return 0;
	}
	if (!strcmp(w, "disabled")) {
		rproc_set_recovery(p->rproc, false);
		return 0;
	}
	if (!strcmp(w, "recover")) {
		/* Linux ignores the outcome: recovering a processor that has not
		 * crashed does nothing. */
		if (rproc_get_state(p->rproc) == RPROC_CRASHED)
			rproc_recover(p->rproc);
		return 0;
	}
	return -EINVAL;
}

static int store_coredump(struct uprocd_proc *p, const char *w)
{
	if (rproc_get_state(p->rproc) == RPROC_CRASHED)
		return -EBUSY;
	for (int i = 0; i < 3; i++)
		if (!strcmp(w, dump_words[i]))
			return rproc_set_coredump(p->rproc, (enum rproc_dump_mechanism)i);
	return -EINVAL;
}

/* kstrtouint(base 0) with an optional trailing newline, then report the crash. */
static int store_crash(struct uprocd_proc *p, const char *w)
{
	char *end;

	if (!w[0] || w[0] == '-' || w[0] == '+' || w[0] == ' ')
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(w, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno || v > 0xFFFFFFFFul)
		return -ERANGE;
	rproc_report_crash(p->rproc, (enum rproc_crash_type)v);
	return 0;
}

int uprocd_attr_store(struct uprocd_proc *p, enum uprocd_attr attr, const char *buf,
		      size_t len)
{
	char w[64];

	UPI_ON_LOOP_THREAD(p->d->loop, rproc_get_name(p->rproc));
	if (attr == UPROCD_ATTR_FIRMWARE)
		return store_firmware(p, buf, len);
	if (word_of(buf, len, w, sizeof(w)) < 0)
		return -EINVAL;
	switch (attr) {
	case UPROCD_ATTR_STATE:
		return store_state(p, w);
	case UPROCD_ATTR_RECOVERY:
		return store_recovery(p, w);
	case UPROCD_ATTR_COREDUMP:
		return store_coredump(p, w);
	case UPROCD_ATTR_CRASH:
		return store_crash(p, w);
	default:
		return -EINVAL; /* name: read-only */
	}
}
