// SPDX-License-Identifier: MIT
/*
 * remoteproc_core.c - allocation, registration, the lifecycle state machine
 * (boot, shutdown, attach, detach), messages, notifiers and subdevices.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hostutil.h"
#include "remoteproc_internal.h"
#include "uproc/loop.h"

/* ---- messages ----------------------------------------------------------------- */

/* The object a processor's lines are about: "remoteproc NAME". */
static void rproc_object(const struct rproc *rproc, char *buf, size_t len)
{
	snprintf(buf, len, "remoteproc %s", rproc->name);
}

int rproc_err(struct rproc *rproc, int ret, const char *fmt, ...)
{
	char msg[RPROC_ERR_MAX];
	char object[RPROC_NAME_MAX + 16];
	size_t n;
	va_list ap;

	n = strlen(rproc->name);
	memcpy(msg, rproc->name, n);
	msg[n++] = ':';
	msg[n++] = ' ';
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	memcpy(rproc->last_error, msg, sizeof(msg));
	rproc_object(rproc, object, sizeof(object));
	uproc_loop_log(rproc->loop, UPROC_LOG_ERR, object, "%s", msg + n);
	return ret;
}

static void rproc_vlog(struct rproc *rproc, enum uproc_log_level level, const char *fmt,
		       va_list ap)
{
	char object[RPROC_NAME_MAX + 16];

	rproc_object(rproc, object, sizeof(object));
	uproc_loop_vlog(rproc->loop, level, object, fmt, ap);
}

void rproc_warn(struct rproc *rproc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, UPROC_LOG_WARN, fmt, ap);
	va_end(ap);
}

void rproc_log(struct rproc *rproc, enum uproc_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rproc_vlog(rproc, level, fmt, ap);
	va_end(ap);
}

const char *rproc_last_error(struct rproc *rproc)
{
	/* The buffer lives as long as the rproc; a racing writer may change it. */
	return rproc->last_error;
}

/* ---- boot phases ---------------------------------------------------------------- */

void upi_rproc_boot_phase(struct rproc *rproc, uint64_t *phase)
{
	uint64_t now = upi_now_ns();
	if (phase)
		*phase += now - rproc->boot_mark;
	rproc->boot_mark = now;
}

int rproc_get_boot_phases(struct rproc *rproc, struct rproc_boot_phases *out)
{
	int ret = -ENODATA;
	UPI_RPROC_ON_LOOP(rproc);
	if (rproc->boot_last_valid) {
		*out = rproc->boot_last;
		ret = 0;
	}
	return ret;
}

/* ---- references and operations ------------------------------------------------ */

void upi_rproc_get_ref(struct rproc *rproc)
{
	atomic_fetch_add_explicit(&rproc->refs, 1, memory_order_relaxed);
}

void upi_rproc_put_ref(struct rproc *rproc)
{
	/* acq_rel: the last put sees every write made before the other puts. */
	if (atomic_fetch_sub_explicit(&rproc->refs, 1, memory_order_acq_rel) == 1)
		free(rproc);
}

int upi_rproc_op_begin(struct rproc *rproc)
{
	if (rproc->in_op || rproc->kicks)
		return rproc_err(rproc, -EDEADLK,
				 "lifecycle call from inside one of its own callbacks: defer it "
				 "to the loop");
	rproc->in_op = true;
	return 0;
}

void upi_rproc_op_end(struct rproc *rproc)
{
	rproc->in_op = false;
}

void upi_rproc_set_state(struct rproc *rproc, enum rproc_state state)
{
	rproc->state = state;
}

/* ---- allocation ------------------------------------------------------------------- */

struct rproc *rproc_alloc(const char *name, const struct rproc_ops *ops, const char *firmware,
			  size_t priv_len, struct uproc_loop *loop)
{
	struct rproc *rproc;

	if (!name || !*name || !ops || !ops->start || !ops->stop || !ops->kick)
		return NULL;
	if (priv_len > SIZE_MAX / 2)
		return NULL;
	rproc = calloc(1, sizeof(*rproc) + priv_len);
	if (!rproc)
		return NULL;
	snprintf(rproc->name, sizeof(rproc->name), "%s", name);
	rproc->ops = ops;
	rproc->loop = loop;
	rproc->state = RPROC_OFFLINE;
	rproc->dump_conf = RPROC_COREDUMP_DISABLED;
	rproc->dump_timeout_ms = RPROC_DUMP_TIMEOUT_MS_DEFAULT;
	rproc->priv_len = priv_len;
	atomic_init(&rproc->refs, 1);
	rproc->dump_timer = -1;
	rproc->order = uproc_host_byte_order();
	if (firmware)
		snprintf(rproc->firmware, sizeof(rproc->firmware), "%.*s",
			 (int)strcspn(firmware, "\n"), firmware);
	return rproc;
}

void *rproc_priv(struct rproc *rproc)
{
	return rproc->priv;
}

struct uproc_loop *rproc_get_loop(struct rproc *rproc)
{
	return rproc->loop;
}

void rproc_free(struct rproc *rproc)
{
	bool registered;

	if (!rproc)
		return;
	UPI_RPROC_ON_LOOP(rproc);
	registered = rproc->registered;
	if (registered)
		rproc_del(rproc);
	upi_rproc_resource_cleanup(rproc);
	upi_rproc_release_firmware(rproc);
	upi_rproc_free_table(rproc);
	upi_rproc_dump_free(rproc->dump);
	rproc->dump = NULL;
	upi_rproc_put_ref(rproc);
}

/* ---- boot ------------------------------------------------------------------------- */

/* Linux's rproc_start(): the firmware is parsed and the resources are handled. */
int upi_rproc_start(struct rproc *rproc)
{
	int ret;

	ret = upi_rproc_load_segments(rproc);
	if (ret < 0)
		return ret;
	upi_rproc_boot_phase(rproc, &rproc->boot_now.copy);

	/* The remote's copy of the table gets the host's (Linux: find_loaded_rsc_table). */
	rproc->loaded_table = NULL;
	if (rproc->cached_table && rproc->fw.has_rsc_table) {
		rproc->loaded_table = rproc_da_to_va(rproc, rproc->fw.rsc_da, rproc->table_sz, NULL);
		if (rproc->loaded_table)
			memcpy(rproc->loaded_table, rproc->cached_table, rproc->table_sz);
		else
			rproc_warn(rproc, "the resource table at da 0x%llx is not in loaded memory",
				   (unsigned long long)rproc->fw.rsc_da);
	}

	ret = upi_rproc_prepare_subdevices(rproc);
	if (ret < 0)
		goto reset_table_ptr;

	rproc->kicked = false;
	ret = rproc->ops->start(rproc);
	if (ret < 0) {
		rproc_err(rproc, ret, "the backend could not start the remote (%d)", ret);
		goto unprepare_subdevices;
	}

	ret = upi_rproc_start_subdevices(rproc);
	if (ret < 0)
		goto stop_rproc;

	upi_rproc_boot_phase(rproc, &rproc->boot_now.start);
	upi_rproc_set_state(rproc, RPROC_RUNNING);
	return 0;

stop_rproc:
	rproc->ops->stop(rproc);
unprepare_subdevices:
	upi_rproc_unprepare_subdevices(rproc);
reset_table_ptr:
	rproc->loaded_table = NULL;
	return ret;
}

void upi_rproc_resource_cleanup(struct rproc *rproc)
{
	upi_rproc_dump_unpin_memory(rproc);
	upi_rproc_vdev_remove_all(rproc);
	upi_rproc_release_carveouts(rproc);
	rproc->ntraces = 0;
	rproc->next_notifyid = 0;
}

void upi_rproc_take_image_facts(struct rproc *rproc)
{
	rproc->bootaddr = rproc->fw.entry;
	rproc->order = rproc->fw.order;
	rproc->e_machine = rproc->fw.e_machine;
	rproc->elf_class = rproc->fw.elf_class;
}

/*
 * What a boot does before it starts the remote: prepare, the firmware, its table,
 * the resources and carveouts. On success the firmware stays requested.
 */
static int rproc_fw_setup(struct rproc *rproc)
{
	int ret;

	memset(&rproc->boot_now, 0, sizeof(rproc->boot_now));
	upi_rproc_boot_phase(rproc, NULL);
	if (rproc->ops->prepare) {
		ret = rproc->ops->prepare(rproc);
		if (ret < 0)
			return rproc_err(rproc, ret, "the backend's prepare failed (%d)", ret);
	}
	upi_rproc_boot_phase(rproc, &rproc->boot_now.prepare);

	ret = upi_rproc_request_firmware(rproc);
	if (ret < 0)
		goto unprepare_rproc;

	upi_rproc_take_image_facts(rproc);

	if (rproc->fw.has_rsc_table) {
		ret = upi_rproc_cache_table(rproc, rproc->fw.data + rproc->fw.rsc_offset,
					rproc->fw.rsc_size, rproc->fw.order);
		if (ret < 0)
			goto release_firmware;
	}

	upi_rproc_boot_phase(rproc, &rproc->boot_now.parse);

	ret = rproc_handle_resources(rproc, false);
	if (ret < 0)
		goto clean_up_resources;

	ret = upi_rproc_alloc_registered_carveouts(rproc);
	if (ret < 0)
		goto clean_up_resources;
	upi_rproc_boot_phase(rproc, &rproc->boot_now.map);
	return 0;

clean_up_resources:
	upi_rproc_resource_cleanup(rproc);
	upi_rproc_free_table(rproc);
release_firmware:
	upi_rproc_release_firmware(rproc);
unprepare_rproc:
	if (rproc->ops->unprepare)
		rproc->ops->unprepare(rproc);
	return ret;
}

/* Everything rproc_fw_setup() set up, undone. */
static void rproc_fw_unsetup(struct rproc *rproc)
{
	upi_rproc_resource_cleanup(rproc);
	upi_rproc_free_table(rproc);
	upi_rproc_release_firmware(rproc);
	if (rproc->ops->unprepare)
		rproc->ops->unprepare(rproc);
}

static int rproc_fw_boot(struct rproc *rproc)
{
	int ret;

	upi_rproc_notify(rproc, RPROC_EVENT_BEFORE_POWERUP);
	ret = rproc_fw_setup(rproc);
	if (ret < 0)
		return ret;
	ret = upi_rproc_start(rproc);
	if (ret < 0) {
		rproc_fw_unsetup(rproc);
		return ret;
	}
	rproc->boot_last = rproc->boot_now;
	rproc->boot_last_valid = true;

	upi_rproc_release_firmware(rproc);
	upi_rproc_notify(rproc, RPROC_EVENT_AFTER_POWERUP);
	return 0;
}

/*
 * The backend reported, from probe_running, that the remote an earlier host left
 * running has ended since (rproc_report_crash_reason(), counted there). Set up as
 * for a boot, left crashed and stopped, its recovery queued as after any crash: it
 * is recovered (started afresh, without a coredump: its memories ended with it) or
 * left crashed as configured.
 */
static int rproc_found_ended(struct rproc *rproc)
{
	int ret = upi_rproc_op_begin(rproc);

	if (ret < 0)
		return ret;
	ret = rproc_fw_setup(rproc);
	if (ret < 0) {
		upi_rproc_op_end(rproc);
		return ret;
	}
	upi_rproc_release_firmware(rproc);
	rproc->power = 1;
	rproc->remote_stopped = true;
	rproc->dump_gone = true;
	upi_rproc_set_state(rproc, RPROC_CRASHED);
	upi_rproc_op_end(rproc);
	upi_rproc_queue_recovery(rproc);
	return 0;
}

static int rproc_attach(struct rproc *rproc)
{
	const void *table;
	size_t size = 0;
	int ret;

	if (!rproc->ops->attach || !rproc->ops->get_loaded_rsc_table)
		return rproc_err(rproc, -EINVAL, "the backend cannot attach to a running remote");

	if (rproc->ops->prepare) {
		ret = rproc->ops->prepare(rproc);
		if (ret < 0)
			return rproc_err(rproc, ret, "the backend's prepare failed (%d)", ret);
	}

	rproc->kicked = false;
	ret = rproc->ops->attach(rproc);
	if (ret < 0) {
		rproc_err(rproc, ret, "the backend could not attach (%d)", ret);
		goto unprepare_rproc;
	}

	table = rproc->ops->get_loaded_rsc_table(rproc, &size);
	if (!table) {
		ret = rproc_err(rproc, -EINVAL, "the running remote has no resource table");
		goto detach_rproc;
	}
	/* Host byte order unless the backend said otherwise before attaching. */
	ret = upi_rproc_cache_table(rproc, table, size, rproc->order);
	if (ret < 0)
		goto detach_rproc;
	rproc->loaded_table = (uint8_t *)table;

	ret = rproc_handle_resources(rproc, true);
	if (ret < 0)
		goto clean_up_resources;

	ret = upi_rproc_alloc_registered_carveouts(rproc);
	if (ret < 0)
		goto clean_up_resources;

	ret = upi_rproc_prepare_subdevices(rproc);
	if (ret < 0)
		goto clean_up_resources;

	ret = upi_rproc_start_subdevices(rproc);
	if (ret < 0)
		goto unprepare_subdevices;

	/*
	 * What a boot learns from the image (entry point, machine, class) a recovery
	 * and a coredump need too: take it from the firmware file when there is one.
	 * The running remote's table keeps its byte order.
	 */
	if (rproc->firmware[0] && upi_rproc_request_firmware(rproc) == 0) {
		enum uproc_byte_order order = rproc->order;
		upi_rproc_take_image_facts(rproc);
		rproc->order = order;
		upi_rproc_release_firmware(rproc);
	}

	upi_rproc_set_state(rproc, RPROC_ATTACHED);
	upi_rproc_notify(rproc, RPROC_EVENT_ATTACHED);
	return 0;

unprepare_subdevices:
	upi_rproc_unprepare_subdevices(rproc);
clean_up_resources:
	rproc->loaded_table = NULL;
	upi_rproc_resource_cleanup(rproc);
	upi_rproc_free_table(rproc);
detach_rproc:
	if (rproc->ops->detach)
		rproc->ops->detach(rproc);
unprepare_rproc:
	if (rproc->ops->unprepare)
		rproc->ops->unprepare(rproc);
	return ret;
}

int rproc_boot(struct rproc *rproc)
{
	enum rproc_state state;
	int ret;

	UPI_RPROC_ON_LOOP(rproc);
	ret = upi_rproc_op_begin(rproc);
	if (ret < 0)
		return ret;

	state = rproc->state;
	if (state == RPROC_DELETED) {
		ret = rproc_err(rproc, -ENODEV, "can't boot: the processor is being removed");
		goto out;
	}
	if (++rproc->power > 1) {
		goto out;
	}
	rproc->last_error[0] = '\0';
	rproc->crash_streak = 0; /* a boot asked for: a crash loop counts again */
	rproc->recoveries_in_window = 0; /* and so does the recovery limit */

	if (state == RPROC_DETACHED)
		ret = rproc_attach(rproc);
	else
		ret = rproc_fw_boot(rproc);

	if (ret < 0)
		rproc->power--;
out:
	upi_rproc_op_end(rproc);
	return ret;
}

/* Linux's rproc_stop(): stop subdevices, the remote, unprepare subdevices. */
int upi_rproc_stop(struct rproc *rproc, bool crashed)
{
	int ret;

	upi_rproc_stop_subdevices(rproc, crashed);

	ret = rproc->ops->stop(rproc);
	if (ret < 0) {
		rproc_err(rproc, ret, "the backend could not stop the remote (%d)", ret);
		return ret;
	}
	rproc->loaded_table = NULL;
	upi_rproc_unprepare_subdevices(rproc);
	upi_rproc_set_state(rproc, RPROC_OFFLINE);
	return 0;
}

/*
 * What a boot or an attach set up around the running remote, released once it no
 * longer runs under this host (stopped or detached): the resources, the cached
 * table, and the backend's prepare.
 */
static void rproc_release_boot_resources(struct rproc *rproc)
{
	upi_rproc_resource_cleanup(rproc);
	upi_rproc_free_table(rproc);
	if (rproc->ops->unprepare)
		rproc->ops->unprepare(rproc);
}

/*
 * Drop one power reference. Returns true when it was the last:
 * the caller then tears down (stop or detach).
 */
static bool rproc_put_power(struct rproc *rproc)
{
	return rproc->power != 0 && --rproc->power == 0;
}

/* A teardown failed and the remote still runs: it keeps the reference just dropped. */
static void rproc_restore_power(struct rproc *rproc)
{
	rproc->power++;
}

/* Everything after the last power reference goes, for stop and for del. */
static int rproc_do_shutdown(struct rproc *rproc)
{
	int ret;

	upi_rproc_notify(rproc, RPROC_EVENT_BEFORE_SHUTDOWN);
	if (rproc->remote_stopped) {
		/* recovery already stopped it: only the resources are left */
		rproc->remote_stopped = false;
		upi_rproc_set_state(rproc, RPROC_OFFLINE);
	} else {
		ret = upi_rproc_stop(rproc, false);
		if (ret < 0)
			return ret;
	}
	rproc_release_boot_resources(rproc);
	upi_rproc_notify(rproc, RPROC_EVENT_AFTER_SHUTDOWN);
	return 0;
}

int rproc_shutdown(struct rproc *rproc)
{
	enum rproc_state state;
	int ret;

	UPI_RPROC_ON_LOOP(rproc);
	ret = upi_rproc_op_begin(rproc);
	if (ret < 0)
		return ret;

	state = rproc->state;
	if (state != RPROC_RUNNING && state != RPROC_ATTACHED && state != RPROC_CRASHED) {
		ret = rproc_err(rproc, -EINVAL, "can't stop: the processor is %s",
				rproc_state_string(state));
		goto out;
	}
	if (!rproc_put_power(rproc)) {
		goto out;
	}

	/* A crashed remote waiting on recovery is stopped for good instead. */
	upi_rproc_cancel_recovery(rproc);
	ret = rproc_do_shutdown(rproc);
	if (ret < 0)
		rproc_restore_power(rproc);
out:
	upi_rproc_op_end(rproc);
	return ret;
}

static int rproc_do_detach(struct rproc *rproc)
{
	int ret;

	rproc->detaching = true;
	upi_rproc_stop_subdevices(rproc, false);
	ret = rproc->ops->detach(rproc);
	if (ret < 0) {
		rproc->detaching = false;
		upi_rproc_start_subdevices(rproc);
		return rproc_err(rproc, ret, "the backend could not detach (%d)", ret);
	}
	upi_rproc_unprepare_subdevices(rproc);
	rproc->loaded_table = NULL;
	rproc_release_boot_resources(rproc);
	rproc->detaching = false;
	upi_rproc_set_state(rproc, RPROC_DETACHED);
	upi_rproc_notify(rproc, RPROC_EVENT_DETACHED);
	return 0;
}

int rproc_detach(struct rproc *rproc)
{
	enum rproc_state state;
	int ret;

	UPI_RPROC_ON_LOOP(rproc);
	ret = upi_rproc_op_begin(rproc);
	if (ret < 0)
		return ret;

	state = rproc->state;
	if (state != RPROC_ATTACHED && !(state == RPROC_RUNNING && rproc->detach_running)) {
		ret = rproc_err(rproc, -EINVAL, "can't detach: the processor is %s",
				rproc_state_string(state));
		goto out;
	}
	if (!rproc->ops->detach) {
		ret = rproc_err(rproc, -EINVAL, "can't detach: the backend does not support it");
		goto out;
	}
	if (!rproc_put_power(rproc)) {
		goto out;
	}

	ret = rproc_do_detach(rproc);
	if (ret < 0)
		rproc_restore_power(rproc);
out:
	upi_rproc_op_end(rproc);
	return ret;
}

/* ---- registration ------------------------------------------------------------------ */

int rproc_add(struct rproc *rproc)
{
	bool auto_boot;
	int running = 0;
	int ret;

	UPI_RPROC_ON_LOOP(rproc);
	if (rproc->registered)
		return rproc_err(rproc, -EBUSY, "already added");
	rproc->registered = true;
	auto_boot = rproc->auto_boot;

	if (rproc->ops->probe_running) {
		rproc->probing = true;
		rproc->found_ended = false;
		running = rproc->ops->probe_running(rproc);
		rproc->probing = false;
		if (running < 0) {
			ret = rproc_err(rproc, running,
					"the backend could not tell whether the remote runs (%d)",
					running);
			goto unregister;
		}
	}
	if (running > 0) {
		upi_rproc_set_state(rproc, RPROC_DETACHED);
		ret = rproc_boot(rproc);
		if (ret < 0)
			goto unregister;
		return 0;
	}
	if (rproc->found_ended) {
		ret = rproc_found_ended(rproc);
		if (ret < 0)
			goto unregister;
		return 0;
	}
	if (auto_boot && rproc->firmware[0]) {
		ret = rproc_boot(rproc);
		if (ret < 0)
			goto unregister;
	}
	return 0;

unregister:
	/* A failed add leaves nothing registered: the caller may add again or free. */
	rproc->registered = false;
	return ret;
}

int rproc_del(struct rproc *rproc)
{
	enum rproc_state state;
	int ret = 0;

	UPI_RPROC_ON_LOOP(rproc);
	ret = upi_rproc_op_begin(rproc);
	if (ret < 0)
		return ret;
	upi_rproc_cancel_recovery(rproc);

	state = rproc->state; /* not rproc_get_state(): a dump wait reads offline there */
	if (state == RPROC_ATTACHED && rproc->ops->detach) {
		ret = rproc_do_detach(rproc);
	} else if (state == RPROC_RUNNING || state == RPROC_ATTACHED || state == RPROC_CRASHED) {
		ret = rproc_do_shutdown(rproc);
	}
	rproc->power = 0;
	rproc->state = RPROC_DELETED;
	rproc->registered = false;
	upi_rproc_op_end(rproc);
	return ret;
}
