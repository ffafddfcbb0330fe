/* SPDX-License-Identifier: MIT */
/*
 * ctl_events.c - lifecycle and channel events of the processors, as the JSON lines
 * "uproc events" streams (shape documented in uproc(1)). Loop thread: the rproc
 * notifier and the bus's channel hook both run there.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl_report.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"

static const char *event_word(enum rproc_event e)
{
	switch (e) {
	case RPROC_EVENT_AFTER_POWERUP: return "boot";
	case RPROC_EVENT_AFTER_SHUTDOWN: return "stop";
	case RPROC_EVENT_CRASHED: return "crash";
	case RPROC_EVENT_RECOVERED: return "recovery";
	case RPROC_EVENT_ATTACHED: return "attach";
	case RPROC_EVENT_DETACHED: return "detach";
	case RPROC_EVENT_COREDUMP: return "coredump";
	default: return NULL;
	}
}

/* {"time":...,"processor":...,"device":...,"event":... (no closing brace) */
static void head(struct uprocd_text *t, struct uprocd_proc *p, const char *event)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	uprocd_text_printf(t, "{\"time\":%lld.%03ld,\"processor\":", (long long)ts.tv_sec,
			   ts.tv_nsec / 1000000);
	uprocd_json_str(t, p->cfg->name, strlen(p->cfg->name));
	uprocd_text_printf(t, ",\"device\":\"remoteproc%u\",\"event\":\"%s\"", p->index, event);
}

static void emit(struct uprocd_proc *p, struct uprocd_text *t)
{
	uprocd_text_append(t, "}", 1);
	if (!t->error)
		uprocd_ctl_event(p->d, p, t->buf);
	uprocd_text_free(t);
}

/* Why it crashed: the library's last error, and how the core process ended. */
static void crash_reason(struct uprocd_proc *p, struct uprocd_text *t)
{
	char reason[512];
	struct uproc_native_exit ex;
	const char *err = rproc_last_error(p->rproc);

	snprintf(reason, sizeof(reason), "%s", err && err[0] ? err : "crashed");
	if (uproc_native_last_exit(p->rproc, &ex) == 0 && !ex.stopped) {
		size_t n = strlen(reason);
		if (ex.kind == UPROC_NATIVE_EXIT_FAULT)
			snprintf(reason + n, sizeof(reason) - n, " (fault, signal %d)", ex.status);
		else if (ex.kind == UPROC_NATIVE_EXIT_SIGNAL)
			snprintf(reason + n, sizeof(reason) - n, " (killed by signal %d)", ex.status);
		else if (ex.kind == UPROC_NATIVE_EXIT_CODE)
			snprintf(reason + n, sizeof(reason) - n, " (exited with status %d)",
				 ex.status);
	}
	uprocd_text_append(t, ",\"reason\":", 10);
	uprocd_json_str(t, reason, strlen(reason));
}

void uprocd_event_rproc(struct uprocd_proc *p, int event)
{
	const char *word = event_word((enum rproc_event)event);
	struct uprocd_text t = { 0 };

	if (event == RPROC_EVENT_RECOVERED)
		p->recoveries++;
	if (!word)
		return;
	head(&t, p, word);
	uprocd_text_printf(&t, ",\"state\":\"%s\"",
			   rproc_state_string(rproc_get_state(p->rproc)));
	if (event == RPROC_EVENT_CRASHED) {
		crash_reason(p, &t);
		uprocd_text_printf(&t, ",\"crashes\":%u,\"recovery\":\"%s\"",
				   rproc_get_crash_count(p->rproc),
				   rproc_get_recovery(p->rproc) ? "enabled" : "disabled");
	}
	if (event == RPROC_EVENT_RECOVERED)
		uprocd_text_printf(&t, ",\"recoveries\":%u", p->recoveries);
	emit(p, &t);
}

void uprocd_event_channel(struct uprocd_proc *p, const char *name, size_t name_len,
			  unsigned int addr, bool created)
{
	struct uprocd_text t = { 0 };

	head(&t, p, created ? "channel-up" : "channel-down");
	uprocd_text_append(&t, ",\"channel\":", 11);
	uprocd_json_str(&t, name, name_len);
	uprocd_text_printf(&t, ",\"remote\":%u", addr);
	emit(p, &t);
}
