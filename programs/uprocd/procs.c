/* SPDX-License-Identifier: MIT */
/*
 * procs.c - the configured processors: created at start, attached to when their
 * core still runs from an earlier uprocd, left running when uprocd exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_report.h"
#include "daemon.h"
#include "fw_resolve.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"

static const char *event_name(enum rproc_event e)
{
	switch (e) {
	case RPROC_EVENT_BEFORE_POWERUP: return "powering up";
	case RPROC_EVENT_AFTER_POWERUP: return "running";
	case RPROC_EVENT_BEFORE_SHUTDOWN: return "shutting down";
	case RPROC_EVENT_AFTER_SHUTDOWN: return "offline";
	case RPROC_EVENT_CRASHED: return "crashed";
	case RPROC_EVENT_RECOVERED: return "recovered";
	case RPROC_EVENT_ATTACHED: return "attached";
	case RPROC_EVENT_DETACHED: return "detached";
	case RPROC_EVENT_COREDUMP: return "coredump taken";
	}
	return "?";
}

static void on_event(struct rproc *rproc, enum rproc_event event, void *arg)
{
	struct uprocd_proc *p = arg;

	uprocd_log(p->d, "remoteproc%u (%s): %s", p->index, p->cfg->name, event_name(event));
	uprocd_rpmsg_event(p, (int)event);
	uprocd_event_rproc(p, (int)event);
	if (event == RPROC_EVENT_COREDUMP) {
		pthread_mutex_lock(&p->d->lock);
		p->dump_id = ++p->d->next_dump_id;
		pthread_mutex_unlock(&p->d->lock);
		uprocd_log(p->d, "remoteproc%u: its dump is %s/class/devcoredump/devcd%u/data",
			   p->index, p->d->cfg.root, p->dump_id);
	}
	if (event == RPROC_EVENT_CRASHED) {
		enum rproc_crash_type type = RPROC_FATAL_ERROR;
		unsigned int streak = 0;
		char why[320];
		rproc_get_last_crash(rproc, &type);
		rproc_get_crash_reason(rproc, why, sizeof(why), &streak);
		bool looping = rproc_get_recovery(rproc) && streak >= RPROC_CRASH_LOOP_MAX;
		/* Whether it recovers is decided before this event. */
		bool recovering = rproc_is_recovering(rproc);
		uprocd_log(p->d, "remoteproc%u: crash %u (%s)%s%s%s", p->index,
			   rproc_get_crash_count(rproc), rproc_crash_type_string(type),
			   recovering ? ", recovering"
			   : looping ? ", the same fault again: a crash loop, recovery stopped"
			   : rproc_get_recovery(rproc) ? ", recovery limit reached, recovery stopped"
			   : ", recovery disabled",
			   why[0] ? ": " : "", why);
	}
}

/*
 * Attached to a core a previous uprocd left running: it may run another firmware
 * than the configuration's (changed before the restart). Its name is the one under
 * a firmware directory, or its path.
 */
static void adopt_running_firmware(struct uprocd_proc *p)
{
	char cur[PATH_MAX];

	rproc_get_firmware(p->rproc, cur, sizeof(cur));
	if (!cur[0] || !strcmp(cur, p->fw_path))
		return;
	const char *name = cur;
	for (unsigned int i = 0; i < p->cfg->n_fw_dirs; i++) {
		size_t n = strlen(p->cfg->fw_dirs[i]);
		if (n && !strncmp(cur, p->cfg->fw_dirs[i], n) && cur[n] == '/' && cur[n + 1]) {
			name = cur + n + 1;
			break;
		}
	}
	pthread_mutex_lock(&p->d->lock);
	snprintf(p->fw_name, sizeof(p->fw_name), "%s", name);
	snprintf(p->fw_path, sizeof(p->fw_path), "%s", cur);
	p->fw_pending = false;
	pthread_mutex_unlock(&p->d->lock);
}

static int create_one(struct uprocd *d, struct uprocd_proc *p)
{
	const struct uprocd_proc_config *c = p->cfg;
	struct uproc_native_config nc;
	char path[PATH_MAX] = "";
	int r;

	if (c->firmware) {
		r = uprocd_fw_resolve(c->fw_dirs, c->n_fw_dirs, c->firmware, path, sizeof(path));
		if (r < 0) {
			uprocd_log(d, "%s: firmware '%s': %s (firmware_path: %s%s)", c->name,
				   c->firmware, strerror(-r), c->fw_dirs[0],
				   c->n_fw_dirs > 1 ? ", ..." : "");
			path[0] = '\0';
			if (r == -ENOENT) { /* Linux: kept, looked up again at start */
				snprintf(p->fw_name, sizeof(p->fw_name), "%s", c->firmware);
				p->fw_pending = true;
			}
		} else {
			snprintf(p->fw_name, sizeof(p->fw_name), "%s", c->firmware);
			snprintf(p->fw_path, sizeof(p->fw_path), "%s", path);
		}
	}

	uproc_native_config_init(&nc, c->name);
	if (c->memory)
		nc.ram_size = c->memory;
	nc.cpu = c->cpu;
	nc.watchdog_ms = c->watchdog_ms;
	nc.outlive_host = true;	/* the next uprocd attaches to what this one leaves */
	nc.runtime_dir = d->cfg.runtime_dir;
	nc.backend = (enum uproc_core_backend)c->backend;
	p->rproc = uproc_native_rproc_alloc(d->loop, &nc, path[0] ? path : NULL);
	if (!p->rproc) {
		r = -errno;
		uprocd_log(d, "%s: cannot create the native core: %s", c->name, strerror(-r));
		return r ? r : -ENOMEM;
	}
	rproc_set_recovery(p->rproc, c->recovery);
	rproc_set_recovery_limit(p->rproc, c->recovery_burst, c->recovery_interval_ms);
	rproc_set_coredump(p->rproc, (enum rproc_dump_mechanism)c->coredump);
	rproc_set_auto_boot(p->rproc, c->auto_boot && path[0]);
	r = rproc_notifier_register(p->rproc, on_event, p);
	p->notifier_id = r > 0 ? r : 0;

	r = uprocd_rpmsg_start(p);
	if (r < 0)
		uprocd_log(d, "%s: rpmsg devices unavailable: %s", c->name, strerror(-r));
	r = rproc_add(p->rproc);
	if (r < 0)
		uprocd_log(d, "%s: %s (%s)", c->name, strerror(-r), rproc_last_error(p->rproc));
	if (rproc_get_state(p->rproc) == RPROC_ATTACHED)
		adopt_running_firmware(p);
	r = uprocd_cdev_start(p);
	if (r < 0)
		uprocd_log(d, "%s: %s/remoteproc%u: %s", c->name, d->dev_dir, p->index,
			   strerror(-r));
	uprocd_log(d, "remoteproc%u: %s, %s", p->index, c->name,
		   rproc_state_string(rproc_get_state(p->rproc)));
	return 0;
}

int uprocd_procs_create(struct uprocd *d)
{
	d->procs = calloc(d->cfg.n_procs ? d->cfg.n_procs : 1, sizeof(*d->procs));
	if (!d->procs)
		return -ENOMEM;
	for (unsigned int i = 0; i < d->cfg.n_procs; i++) {
		struct uprocd_proc *p = &d->procs[i];
		p->d = d;
		p->index = i;
		p->cfg = &d->cfg.procs[i];
		p->gdb_fd = -1;
		int r = create_one(d, p);
		if (r < 0)
			return r;
		d->n_procs++;
	}
	return 0;
}

void uprocd_procs_destroy(struct uprocd *d)
{
	for (unsigned int i = d->n_procs; i-- > 0;) {
		struct uprocd_proc *p = &d->procs[i];
		enum rproc_state st = rproc_get_state(p->rproc);

		uprocd_cdev_stop(p);
		if (p->notifier_id > 0)
			rproc_notifier_unregister(p->rproc, p->notifier_id);
		/* Leave running cores running: the next uprocd attaches to them. */
		if (!d->stop_on_exit && (st == RPROC_RUNNING || st == RPROC_ATTACHED)) {
			rproc_set_detach_running(p->rproc, true);
			while (rproc_get_power(p->rproc) > 0 && rproc_detach(p->rproc) == 0)
				;
			uprocd_log(d, "remoteproc%u: %s left running (%s)", p->index, p->cfg->name,
				   rproc_state_string(rproc_get_state(p->rproc)));
		}
		/* --stop-on-exit stops attached cores too (rproc_del() would detach
		 * them, as Linux does). */
		if (d->stop_on_exit &&
		    (st == RPROC_RUNNING || st == RPROC_ATTACHED || st == RPROC_CRASHED)) {
			while (rproc_get_power(p->rproc) > 0 && rproc_shutdown(p->rproc) == 0)
				;
			/* what the notifier, gone by now, would have done: a stopped core's
			 * endpoints are not saved for the next uprocd */
			uprocd_rpmsg_event(p, RPROC_EVENT_AFTER_SHUTDOWN);
			uprocd_log(d, "remoteproc%u: %s stopped (%s)", p->index, p->cfg->name,
				   rproc_state_string(rproc_get_state(p->rproc)));
		}
		rproc_del(p->rproc);
		uprocd_rpmsg_stop(p);
		rproc_free(p->rproc);
	}
	free(d->procs);
	d->procs = NULL;
	d->n_procs = 0;
}
