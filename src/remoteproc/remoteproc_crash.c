// SPDX-License-Identifier: MIT
/*
 * remoteproc_crash.c - crash reports and recovery (Linux's rproc_report_crash,
 * rproc_crash_handler_work, rproc_trigger_recovery, rproc_boot_recovery).
 *
 * A report marks the processor CRASHED at once (only the first report counts while
 * crashed) and defers the handler to the loop. The handler notifies, then, unless
 * recovery is disabled: stops the remote (subdevices stopped with crashed = true),
 * takes the coredump, reloads the firmware and starts it again. An inline coredump
 * suspends recovery until rproc_coredump_release() or the timeout; the rest then
 * runs as another deferred call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remoteproc_internal.h"
#include "uproc/loop.h"

const char *rproc_crash_type_string(enum rproc_crash_type type)
{
	switch (type) {
	case RPROC_MMUFAULT:
		return "mmufault";
	case RPROC_WATCHDOG:
		return "watchdog";
	case RPROC_FATAL_ERROR:
		return "fatal error";
	}
	return "unknown";
}

/* Defer @fn with a reference on @rproc that @fn drops. */
static int rproc_defer(struct rproc *rproc, uproc_loop_fn fn)
{
	int ret;

	if (!rproc->loop)
		return -ENXIO;
	upi_rproc_get_ref(rproc);
	ret = uproc_loop_defer(rproc->loop, fn, rproc);
	if (ret < 0)
		upi_rproc_put_ref(rproc);
	return ret;
}

/* The remote restarts: reload the firmware (it may have been replaced), load, start. */
static int rproc_recovery_restart(struct rproc *rproc)
{
	int ret;

	rproc->recovery = RPROC_RECOVERY_IDLE;

	upi_rproc_notify(rproc, RPROC_EVENT_BEFORE_POWERUP);
	ret = upi_rproc_request_firmware(rproc);
	if (ret < 0)
		goto fail;
	/* As a boot: the file may have changed, and an attached remote's host never
	 * read it before. */
	upi_rproc_take_image_facts(rproc);
	ret = upi_rproc_start(rproc);
	upi_rproc_release_firmware(rproc);
	if (ret < 0)
		goto fail;
	rproc->remote_stopped = false;
	upi_rproc_notify(rproc, RPROC_EVENT_AFTER_POWERUP);
	upi_rproc_notify(rproc, RPROC_EVENT_RECOVERED);
	return 0;

fail:
	/* It stays crashed (and stopped); "recover" or a shutdown can follow. */
	upi_rproc_set_state(rproc, RPROC_CRASHED);
	rproc_warn(rproc, "recovery failed (%d): the processor stays crashed", ret);
	return ret;
}

static void rproc_dump_timeout(struct uproc_loop *loop, void *arg);

static void rproc_arm_dump_timer(struct uproc_loop *loop, void *arg)
{
	struct rproc *rproc = arg;
	uint32_t ms;
	int64_t id;

	ms = rproc->dump_timeout_ms;
	if (rproc->recovery != RPROC_RECOVERY_DUMP_WAIT || rproc->dump_timer >= 0) {
		upi_rproc_put_ref(rproc);
		return;
	}
	/* The reference passes to the timer. */
	id = uproc_loop_add_timer(loop, ms, rproc_dump_timeout, rproc);
	if (id > 0)
		rproc->dump_timer = id;
	if (id <= 0)
		rproc_dump_timeout(loop, rproc);
}

/*
 * Linux's rproc_boot_recovery(), inside the operation: stop, dump, restart. Returns 1
 * when an inline dump now waits to be released (the restart comes later).
 */
static int rproc_recovery_run(struct rproc *rproc)
{
	int ret;

	if (!rproc->remote_stopped) {
		ret = upi_rproc_stop(rproc, true);
		if (ret < 0) {
			upi_rproc_set_state(rproc, RPROC_CRASHED);
			return ret;
		}
		rproc->remote_stopped = true;
		upi_rproc_set_state(rproc, RPROC_CRASHED);
	}

	if (rproc->dump_gone) {
		/* It ended before this host saw it: what is in memory now is not its. */
		rproc->dump_gone = false;
		if (rproc->dump_conf != RPROC_COREDUMP_DISABLED)
			rproc_warn(rproc, "no coredump: the remote's memories ended with it");
		ret = 0;
	} else {
		ret = upi_rproc_coredump(rproc);
	}
	if (ret < 0)
		rproc_warn(rproc, "coredump failed (%d), recovery goes on", ret);
	if (ret == 1) {
		rproc->recovery = RPROC_RECOVERY_DUMP_WAIT;
		if (rproc_defer(rproc, rproc_arm_dump_timer) < 0)
			rproc_warn(rproc, "no loop to time the inline coredump out");
		return 1;
	}
	return rproc_recovery_restart(rproc);
}

/*
 * Whether one more automatic recovery fits the limit, counting it if so: at most
 * recovery_burst in a window of recovery_interval_ms that opens with the first
 * (systemd's StartLimitBurst= in StartLimitIntervalSec=). No limit when burst is 0.
 */
static bool rproc_recovery_allowed(struct rproc *rproc)
{
	uint64_t now = upi_now_ns();

	if (!rproc->recovery_burst)
		return true;
	if (!rproc->recoveries_in_window ||
	    now - rproc->recovery_window_ns > (uint64_t)rproc->recovery_interval_ms * 1000000u) {
		rproc->recovery_window_ns = now;
		rproc->recoveries_in_window = 0;
	}
	if (rproc->recoveries_in_window >= rproc->recovery_burst)
		return false;
	rproc->recoveries_in_window++;
	return true;
}

static void rproc_crash_work(struct uproc_loop *loop, void *arg)
{
	struct rproc *rproc = arg;
	bool go;

	(void)loop;
	if (upi_rproc_op_begin(rproc) < 0)
		goto put;
	go = rproc->state == RPROC_CRASHED && rproc->recovery == RPROC_RECOVERY_QUEUED;
	if (!go)
		goto unlock;

	/* Decided before the notification, which can then tell what follows. */
	bool looping = rproc->crash_streak >= RPROC_CRASH_LOOP_MAX;
	go = (!rproc->recovery_disabled && !looping) || rproc->recover_once;
	bool limited = go && !rproc->recover_once && !rproc_recovery_allowed(rproc);
	go = go && !limited;
	rproc->recover_once = false;
	if (!go)
		rproc->recovery = RPROC_RECOVERY_IDLE;
	if (limited)
		rproc_err(rproc, -EAGAIN,
			  "recovery limit: %u recoveries within %u s, then this crash (%s%s%s): "
			  "recovery stopped, the processor stays crashed",
			  rproc->recoveries_in_window, (rproc->recovery_interval_ms + 999) / 1000,
			  rproc_crash_type_string(rproc->last_crash),
			  rproc->crash_reason[0] ? ": " : "", rproc->crash_reason);
	else if (!go && looping && !rproc->recovery_disabled)
		rproc_err(rproc, -ELOOP,
			  "crash loop: the same fault %u times in a row (%s%s%s): recovery stopped, "
			  "the processor stays crashed", rproc->crash_streak,
			  rproc_crash_type_string(rproc->last_crash),
			  rproc->crash_reason[0] ? ": " : "", rproc->crash_reason);

	upi_rproc_notify(rproc, RPROC_EVENT_CRASHED);
	if (go && rproc->state == RPROC_CRASHED && rproc->recovery == RPROC_RECOVERY_QUEUED)
		rproc_recovery_run(rproc);
unlock:
	upi_rproc_op_end(rproc);
put:
	upi_rproc_put_ref(rproc);
}

void upi_rproc_queue_recovery(struct rproc *rproc)
{
	rproc->recovery = RPROC_RECOVERY_QUEUED;
	if (rproc_defer(rproc, rproc_crash_work) < 0) {
		rproc->recovery = RPROC_RECOVERY_IDLE;
		rproc_warn(rproc, "no loop to run the crash handler on: left crashed");
	}
}

/* The report proper, on the loop thread. */
static void rproc_crash_report(struct rproc *rproc, enum rproc_crash_type type,
			       const char *reason)
{
	bool same;

	if (rproc->probing && rproc->state == RPROC_OFFLINE) {
		/*
		 * From probe_running: the remote an earlier host left running ended
		 * unseen. Counted here; rproc_add() sets the processor up crashed and
		 * queues its recovery.
		 */
		rproc->found_ended = true;
		rproc->crash_streak = 1;
		rproc->crash_cnt++;
		rproc->last_crash = type;
		snprintf(rproc->crash_reason, sizeof(rproc->crash_reason), "%s", reason);
		rproc_err(rproc, -EIO, "crash detected: %s%s%s", rproc_crash_type_string(type),
			  reason[0] ? ": " : "", reason);
		return;
	}
	if (rproc->state != RPROC_RUNNING && rproc->state != RPROC_ATTACHED)
		return;	/* only the first report counts while crashed */
	/* The same fault again, before the remote ever kicked: a crash loop goes on. */
	same = rproc->crash_streak && rproc->last_crash == type && !rproc->kicked &&
	       strncmp(rproc->crash_reason, reason, sizeof(rproc->crash_reason) - 1) == 0;
	rproc->crash_streak = same ? rproc->crash_streak + 1 : 1;
	rproc->state = RPROC_CRASHED;
	rproc->crash_cnt++;
	rproc->last_crash = type;
	snprintf(rproc->crash_reason, sizeof(rproc->crash_reason), "%s", reason);

	rproc_err(rproc, -EIO, "crash detected: %s%s%s", rproc_crash_type_string(type),
		  reason[0] ? ": " : "", reason);
	upi_rproc_queue_recovery(rproc);
}

/* A report made on another thread, carried to the loop with a reference. */
struct rproc_crash_hop {
	struct rproc *rproc;
	enum rproc_crash_type type;
	char reason[RPROC_ERR_MAX];
};

static void rproc_crash_hop_run(struct uproc_loop *loop, void *arg)
{
	struct rproc_crash_hop *hop = arg;

	(void)loop;
	rproc_crash_report(hop->rproc, hop->type, hop->reason);
	upi_rproc_put_ref(hop->rproc);
	free(hop);
}

void rproc_report_crash(struct rproc *rproc, enum rproc_crash_type type)
{
	rproc_report_crash_reason(rproc, type, NULL);
}

void rproc_report_crash_reason(struct rproc *rproc, enum rproc_crash_type type,
			       const char *reason)
{
	struct rproc_crash_hop *hop;

	if (!rproc)
		return;
	if (!reason)
		reason = "";
	if (!rproc->loop || uproc_loop_on_thread(rproc->loop)) {
		rproc_crash_report(rproc, type, reason);
		return;
	}
	/* Another thread (a blocking rpmsg sender that found a ring broken). */
	hop = malloc(sizeof(*hop));
	if (!hop) {
		rproc_log(rproc, UPROC_LOG_ERR, "no memory to report a crash: dropped");
		return;
	}
	hop->rproc = rproc;
	hop->type = type;
	snprintf(hop->reason, sizeof(hop->reason), "%s", reason);
	upi_rproc_get_ref(rproc);
	if (uproc_loop_defer(rproc->loop, rproc_crash_hop_run, hop) < 0) {
		upi_rproc_put_ref(rproc);
		free(hop);
		rproc_log(rproc, UPROC_LOG_ERR, "no memory to report a crash: dropped");
	}
}

/* The inline dump was released (or timed out): finish the recovery. */
static void rproc_dump_continue(struct uproc_loop *loop, void *arg)
{
	struct rproc *rproc = arg;
	int64_t timer;
	bool go;

	if (upi_rproc_op_begin(rproc) < 0)
		goto put;
	go = rproc->recovery == RPROC_RECOVERY_DUMP_WAIT;
	timer = rproc->dump_timer;
	rproc->dump_timer = -1;
	if (timer >= 0 && uproc_loop_cancel_timer(loop, timer) == 0)
		upi_rproc_put_ref(rproc);	/* the timer's reference */
	if (go)
		rproc_recovery_restart(rproc);
	upi_rproc_op_end(rproc);
put:
	upi_rproc_put_ref(rproc);
}

static void rproc_dump_timeout(struct uproc_loop *loop, void *arg)
{
	struct rproc *rproc = arg;
	struct rproc_dump *dump = NULL;
	bool go;

	if (upi_rproc_op_begin(rproc) < 0)
		goto put;
	go = rproc->recovery == RPROC_RECOVERY_DUMP_WAIT;
	rproc->dump_timer = -1;
	if (go) {
		/* As devcoredump's timeout: the unread dump is dropped. */
		dump = rproc->dump;
		rproc->dump = NULL;
	}
	upi_rproc_dump_free(dump);
	if (go) {
		rproc_warn(rproc, "the inline coredump was not released in time: dropped");
		rproc_recovery_restart(rproc);
	}
	upi_rproc_op_end(rproc);
put:
	(void)loop;
	upi_rproc_put_ref(rproc);
}

int rproc_coredump_release(struct rproc *rproc)
{
	struct rproc_dump *dump;
	bool waiting;

	UPI_RPROC_ON_LOOP(rproc);
	dump = rproc->dump;
	rproc->dump = NULL;
	waiting = rproc->recovery == RPROC_RECOVERY_DUMP_WAIT;
	if (!dump)
		return -ENOENT;
	upi_rproc_dump_free(dump);
	if (waiting && rproc_defer(rproc, rproc_dump_continue) < 0)
		rproc_warn(rproc, "no loop to finish the recovery on");
	return 0;
}

static void rproc_cancel_timer_work(struct uproc_loop *loop, void *arg)
{
	struct rproc *rproc = arg;
	int64_t timer;

	timer = rproc->recovery == RPROC_RECOVERY_DUMP_WAIT ? -1 : rproc->dump_timer;
	if (timer >= 0)
		rproc->dump_timer = -1;
	if (timer >= 0 && uproc_loop_cancel_timer(loop, timer) == 0)
		upi_rproc_put_ref(rproc);
	upi_rproc_put_ref(rproc);
}

/* Inside a lifecycle operation: forget a pending recovery (shutdown, del). */
void upi_rproc_cancel_recovery(struct rproc *rproc)
{
	bool had_timer;

	rproc->recovery = RPROC_RECOVERY_IDLE;
	rproc->recover_once = false;
	had_timer = rproc->dump_timer >= 0;
	if (had_timer)
		rproc_defer(rproc, rproc_cancel_timer_work);
}

int rproc_recover(struct rproc *rproc)
{
	enum rproc_recovery_stage stage;
	int ret;

	UPI_RPROC_ON_LOOP(rproc);
	ret = upi_rproc_op_begin(rproc);
	if (ret < 0)
		return ret;
	stage = rproc->recovery;
	if (rproc->state != RPROC_CRASHED)
		goto out;	/* as Linux: nothing to do, not an error */
	if (stage == RPROC_RECOVERY_QUEUED)
		rproc->recover_once = true;	/* the queued handler recovers once */
	rproc->crash_streak = 0;	/* asked by hand: a crash loop counts again */
	rproc->recoveries_in_window = 0; /* and so does the recovery limit */
	if (stage == RPROC_RECOVERY_DUMP_WAIT)
		ret = rproc_err(rproc, -EBUSY, "recovery waits for the coredump to be released");
	else if (stage == RPROC_RECOVERY_IDLE)
		ret = rproc_recovery_run(rproc);
	if (ret > 0)
		ret = 0;	/* an inline dump now waits: recovery goes on later */

out:
	upi_rproc_op_end(rproc);
	return ret;
}

int rproc_set_recovery_limit(struct rproc *rproc, unsigned int burst, uint32_t interval_ms)
{
	UPI_RPROC_ON_LOOP(rproc);
	if (burst && !interval_ms)
		return -EINVAL;
	rproc->recovery_burst = burst;
	rproc->recovery_interval_ms = interval_ms;
	rproc->recoveries_in_window = 0;
	return 0;
}

void rproc_get_recovery_limit(struct rproc *rproc, unsigned int *burst, uint32_t *interval_ms)
{
	UPI_RPROC_ON_LOOP(rproc);
	if (burst)
		*burst = rproc->recovery_burst;
	if (interval_ms)
		*interval_ms = rproc->recovery_interval_ms;
}

bool rproc_is_recovering(struct rproc *rproc)
{
	UPI_RPROC_ON_LOOP(rproc);
	return rproc->recovery != RPROC_RECOVERY_IDLE;
}
