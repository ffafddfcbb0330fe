// SPDX-License-Identifier: MIT
/*
 * test-remoteproc-lifecycle.c - the state machine, power references, attributes,
 * notifier and subdevice order, boot failures, crash reports and recovery, on the
 * host-memory backend (a core that is a thread of this process).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rproc_test_util.h"

/* The table every lifecycle test boots: RAM, a trace buffer, nothing else. */
static void lifecycle_table(struct tb *t)
{
	tb_init(t, UPROC_LITTLE_ENDIAN, 2);
	tb_carveout(t, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
	tb_trace(t, 0x118000, 0x100, "trace0");
}

static int setup(void **state)
{
	struct rproc_fixture *f = calloc(1, sizeof(*f));
	struct uproc_hostmem_config cfg = { .name = "lc", .main = fw_idle_main };
	struct tb t;

	rproc_fixture_open(f, "lc.elf", &cfg);
	lifecycle_table(&t);
	assert_int_equal(tfw_simple(f->fw, &t), 0);
	assert_int_equal(rproc_add(f->rproc), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct rproc_fixture *f = *state;

	rproc_fixture_close(f);
	free(f);
	return 0;
}

static void test_boot_shutdown_refcount(void **state)
{
	struct rproc_fixture *f = *state;

	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_string_equal(rproc_state_string(rproc_get_state(f->rproc)), "offline");
	assert_int_equal(rproc_shutdown(f->rproc), -EINVAL);

	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_int_equal(rproc_get_power(f->rproc), 1);
	assert_int_equal(rproc_get_boot_addr(f->rproc), 0x100010);

	/* A second boot only takes a reference. */
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_get_power(f->rproc), 2);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_int_equal(rproc_get_power(f->rproc), 1);

	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_get_power(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), -EINVAL);
	assert_non_null(strstr(rproc_last_error(f->rproc), "offline"));

	/* Memory was released: nothing registered while offline. */
	assert_int_equal(rproc_for_each_mem(f->rproc, NULL, NULL), 0);

	/* And it boots again. */
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_state_strings(void **state)
{
	(void)state;
	assert_string_equal(rproc_state_string(RPROC_OFFLINE), "offline");
	assert_string_equal(rproc_state_string(RPROC_SUSPENDED), "suspended");
	assert_string_equal(rproc_state_string(RPROC_RUNNING), "running");
	assert_string_equal(rproc_state_string(RPROC_CRASHED), "crashed");
	assert_string_equal(rproc_state_string(RPROC_DELETED), "deleted");
	assert_string_equal(rproc_state_string(RPROC_ATTACHED), "attached");
	assert_string_equal(rproc_state_string(RPROC_DETACHED), "detached");
	assert_string_equal(rproc_state_string(RPROC_LAST), "invalid");
	assert_string_equal(rproc_state_string((enum rproc_state)-1), "invalid");
	assert_string_equal(rproc_coredump_string(RPROC_COREDUMP_INLINE), "inline");
	assert_string_equal(rproc_crash_type_string(RPROC_WATCHDOG), "watchdog");
}

static void test_firmware_attribute(void **state)
{
	struct rproc_fixture *f = *state;
	char buf[64];

	assert_int_equal(rproc_set_firmware(f->rproc, ""), -EINVAL);
	assert_int_equal(rproc_set_firmware(f->rproc, "\n"), -EINVAL);
	assert_int_equal(rproc_set_firmware(f->rproc, "other.elf\ntrailing"), 0);
	assert_int_equal(rproc_get_firmware(f->rproc, buf, sizeof(buf)), 9);
	assert_string_equal(buf, "other.elf");
	/* The name is cut to the buffer but its full length is returned. */
	assert_int_equal(rproc_get_firmware(f->rproc, buf, 4), 9);
	assert_string_equal(buf, "oth");

	assert_int_equal(rproc_set_firmware(f->rproc, f->fw), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_set_firmware(f->rproc, "other.elf"), -EBUSY);
	rproc_get_firmware(f->rproc, buf, sizeof(buf));
	assert_string_equal(buf, f->fw + 0 * sizeof(char));
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_set_firmware(f->rproc, "other.elf"), 0);
}

static void test_fw_search_path(void **state)
{
	struct rproc_fixture *f = *state;

	assert_int_equal(rproc_set_firmware(f->rproc, "lc.elf"), 0);
	assert_int_equal(rproc_add_fw_path(f->rproc, "/nonexistent-uproc-dir"), 0);
	assert_int_equal(rproc_add_fw_path(f->rproc, f->dir), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);

	rproc_clear_fw_paths(f->rproc);
	assert_int_equal(rproc_add_fw_path(f->rproc, "/nonexistent-uproc-dir"), 0);
	assert_int_equal(rproc_boot(f->rproc), -ENOENT);
	assert_non_null(strstr(rproc_last_error(f->rproc), "lc.elf"));
	assert_non_null(strstr(rproc_last_error(f->rproc), "not found"));
	assert_int_equal(rproc_get_power(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
}

static void test_boot_failures(void **state)
{
	struct rproc_fixture *f = *state;
	char path[300];
	struct tb t;
	FILE *fp;

	/* A missing file. */
	snprintf(path, sizeof(path), "%s/missing.elf", f->dir);
	assert_int_equal(rproc_set_firmware(f->rproc, path), 0);
	assert_int_equal(rproc_boot(f->rproc), -ENOENT);
	assert_non_null(strstr(rproc_last_error(f->rproc), "missing.elf"));

	/* Not an ELF file. */
	snprintf(path, sizeof(path), "%s/garbage.elf", f->dir);
	fp = fopen(path, "w");
	fputs("this is not a firmware image, not even close to one", fp);
	fclose(fp);
	assert_int_equal(rproc_set_firmware(f->rproc, path), 0);
	assert_int_equal(rproc_boot(f->rproc), -EINVAL);
	assert_non_null(strstr(rproc_last_error(f->rproc), "garbage.elf"));

	/* No resource table: required by default, optional on request. */
	snprintf(path, sizeof(path), "%s/notable.elf", f->dir);
	assert_int_equal(tfw_simple(path, NULL), 0);
	assert_int_equal(rproc_set_firmware(f->rproc, path), 0);
	assert_int_equal(rproc_boot(f->rproc), -ENOENT);

	/* A segment in no memory of the processor (the table gives no RAM). */
	tb_init(&t, UPROC_LITTLE_ENDIAN, 1);
	tb_trace(&t, 0x118000, 0x100, "trace0");
	snprintf(path, sizeof(path), "%s/noram.elf", f->dir);
	assert_int_equal(tfw_simple(path, &t), 0);
	assert_int_equal(rproc_set_firmware(f->rproc, path), 0);
	assert_int_equal(rproc_boot(f->rproc), -EINVAL);
	assert_non_null(strstr(rproc_last_error(f->rproc), "in no memory"));
	assert_int_equal(rproc_get_power(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_for_each_mem(f->rproc, NULL, NULL), 0);

	/* And a good one still boots afterwards. */
	assert_int_equal(rproc_set_firmware(f->rproc, f->fw), 0);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

/* ---- order of subdevice callbacks and notifications ---------------------------------- */

struct order_log {
	char ev[64][24];
	int n;
	struct rproc *rproc;
	int lifecycle_ret;
};

static void log_ev(struct order_log *l, const char *s)
{
	if (l->n < 64)
		snprintf(l->ev[l->n++], sizeof(l->ev[0]), "%s", s);
}

struct test_subdev {
	struct rproc_subdev sd;
	struct order_log *log;
	char name[8];
	int fail_start;
};

static struct test_subdev *to_tsd(struct rproc_subdev *sd)
{
	return (struct test_subdev *)((char *)sd - offsetof(struct test_subdev, sd));
}

static int sd_prepare(struct rproc_subdev *sd)
{
	char s[24];

	snprintf(s, sizeof(s), "%s.prepare", to_tsd(sd)->name);
	log_ev(to_tsd(sd)->log, s);
	return 0;
}

static int sd_start(struct rproc_subdev *sd)
{
	char s[24];

	snprintf(s, sizeof(s), "%s.start", to_tsd(sd)->name);
	log_ev(to_tsd(sd)->log, s);
	return to_tsd(sd)->fail_start;
}

static void sd_stop(struct rproc_subdev *sd, bool crashed)
{
	char s[24];

	snprintf(s, sizeof(s), "%s.stop%s", to_tsd(sd)->name, crashed ? "!" : "");
	log_ev(to_tsd(sd)->log, s);
}

static void sd_unprepare(struct rproc_subdev *sd)
{
	char s[24];

	snprintf(s, sizeof(s), "%s.unprepare", to_tsd(sd)->name);
	log_ev(to_tsd(sd)->log, s);
}

static void notifier(struct rproc *rproc, enum rproc_event event, void *arg)
{
	static const char *const names[] = {
		[RPROC_EVENT_BEFORE_POWERUP] = "before_powerup",
		[RPROC_EVENT_AFTER_POWERUP] = "after_powerup",
		[RPROC_EVENT_BEFORE_SHUTDOWN] = "before_shutdown",
		[RPROC_EVENT_AFTER_SHUTDOWN] = "after_shutdown",
		[RPROC_EVENT_CRASHED] = "crashed",
		[RPROC_EVENT_RECOVERED] = "recovered",
		[RPROC_EVENT_ATTACHED] = "attached",
		[RPROC_EVENT_DETACHED] = "detached",
		[RPROC_EVENT_COREDUMP] = "coredump",
	};
	struct order_log *l = arg;

	log_ev(l, names[event]);
	/* Lifecycle calls from a callback are refused, not deadlocked. */
	if (event == RPROC_EVENT_AFTER_POWERUP)
		l->lifecycle_ret = rproc_shutdown(rproc);
	/* Getters work from callbacks. */
	(void)rproc_get_state(rproc);
}

static void expect_log(const struct order_log *l, const char *const *want, int n)
{
	for (int i = 0; i < n && i < l->n; i++)
		assert_string_equal(l->ev[i], want[i]);
	assert_int_equal(l->n, n);
}

static void test_subdev_notifier_order(void **state)
{
	struct rproc_fixture *f = *state;
	struct order_log log = { .n = 0 };
	struct test_subdev a = { .sd = { .prepare = sd_prepare, .start = sd_start,
					 .stop = sd_stop, .unprepare = sd_unprepare },
				 .log = &log, .name = "a" };
	struct test_subdev b = a;
	int id;

	snprintf(b.name, sizeof(b.name), "b");
	rproc_add_subdev(f->rproc, &a.sd);
	rproc_add_subdev(f->rproc, &b.sd);
	id = rproc_notifier_register(f->rproc, notifier, &log);
	assert_true(id > 0);

	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(log.lifecycle_ret, -EDEADLK);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	static const char *const want[] = {
		"before_powerup", "a.prepare", "b.prepare", "a.start", "b.start", "after_powerup",
		"before_shutdown", "b.stop", "a.stop", "b.unprepare", "a.unprepare",
		"after_shutdown",
	};
	expect_log(&log, want, (int)(sizeof(want) / sizeof(want[0])));

	/* A failing start unwinds in reverse and leaves it offline. */
	log.n = 0;
	b.fail_start = -EIO;
	assert_int_equal(rproc_boot(f->rproc), -EIO);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	static const char *const want_fail[] = {
		"before_powerup", "a.prepare", "b.prepare", "a.start", "b.start", "a.stop!",
		"b.unprepare", "a.unprepare",
	};
	expect_log(&log, want_fail, (int)(sizeof(want_fail) / sizeof(want_fail[0])));

	assert_int_equal(rproc_notifier_unregister(f->rproc, id), 0);
	assert_int_equal(rproc_notifier_unregister(f->rproc, id), -ENOENT);
	rproc_remove_subdev(f->rproc, &a.sd);
	rproc_remove_subdev(f->rproc, &b.sd);
	log.n = 0;
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(log.n, 0);
}

/* ---- crash and recovery ---------------------------------------------------------------- */

static bool is_running(void *arg)
{
	return rproc_get_state(arg) == RPROC_RUNNING && !rproc_is_recovering(arg);
}

static bool is_idle(void *arg)
{
	return !rproc_is_recovering(arg);
}

static void test_crash_only_first_counts(void **state)
{
	struct rproc_fixture *f = *state;
	struct order_log log = { .n = 0 };

	/* Not running: ignored. */
	rproc_report_crash(f->rproc, RPROC_WATCHDOG);
	assert_int_equal(rproc_get_crash_count(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);

	rproc_notifier_register(f->rproc, notifier, &log);
	assert_int_equal(rproc_boot(f->rproc), 0);
	log.n = 0;

	rproc_report_crash(f->rproc, RPROC_MMUFAULT);
	rproc_report_crash(f->rproc, RPROC_WATCHDOG);
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_CRASHED);
	assert_int_equal(rproc_get_crash_count(f->rproc), 1);
	assert_non_null(strstr(rproc_last_error(f->rproc), "mmufault"));
	/* The coredump setting is frozen while crashed. */
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), -EBUSY);

	/* Recovery (enabled by default) runs on the loop and boots it again. */
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rproc), 1);
	assert_int_equal(rproc_get_power(f->rproc), 1);
	static const char *const want[] = {
		"crashed", "before_powerup", "after_powerup", "recovered",
	};
	/* after_powerup tries a shutdown from its callback: refused */
	expect_log(&log, want, 4);

	/* A second crash counts again. */
	rproc_report_crash(f->rproc, RPROC_FATAL_ERROR);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rproc), 2);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_recovery_disabled_then_recover(void **state)
{
	struct rproc_fixture *f = *state;

	rproc_set_recovery(f->rproc, false);
	assert_false(rproc_get_recovery(f->rproc));
	assert_int_equal(rproc_boot(f->rproc), 0);
	/* Not crashed: "recover" does nothing, as Linux. */
	assert_int_equal(rproc_recover(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);

	rproc_report_crash(f->rproc, RPROC_WATCHDOG);
	assert_true(pump(f->loop, is_idle, f->rproc, PUMP_WAIT_MS));
	pump_for(f->loop, 20);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_CRASHED);

	/* One-shot recovery; the setting stays disabled. */
	assert_int_equal(rproc_recover(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_false(rproc_get_recovery(f->rproc));

	/* Crashed with recovery disabled, then stopped: a clean shutdown. */
	rproc_report_crash(f->rproc, RPROC_WATCHDOG);
	assert_true(pump(f->loop, is_idle, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_state(f->rproc), RPROC_CRASHED);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_get_crash_count(f->rproc), 2);
}

static bool has_crashed(void *arg)
{
	return rproc_get_crash_count(arg) > 0 && !rproc_is_recovering(arg);
}

static bool crashed_twice(void *arg)
{
	return rproc_get_crash_count(arg) >= 2;
}

static void test_crash_from_firmware(void **state)
{
	struct rproc_fixture *f = *state;
	int after_ms = 30;
	struct uproc_hostmem_config cfg = { .name = "crasher", .main = fw_crash_after_main,
					    .arg = &after_ms };
	struct rproc *r = uproc_hostmem_rproc_alloc(f->board, f->loop, &cfg, f->fw);

	/* A core whose main returns non-zero is reported by the backend, on the loop. */
	assert_non_null(r);
	assert_int_equal(rproc_add(r), 0);
	rproc_set_recovery(r, false);
	assert_int_equal(rproc_boot(r), 0);
	assert_true(pump(f->loop, has_crashed, r, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_state(r), RPROC_CRASHED);
	assert_int_equal(rproc_get_crash_count(r), 1);
	assert_non_null(strstr(rproc_last_error(r), "fatal error"));

	/* With recovery on, "recover" restarts it and it crashes again by itself. */
	rproc_set_recovery(r, true);
	assert_int_equal(rproc_recover(r), 0);
	assert_int_equal(rproc_get_state(r), RPROC_RUNNING);
	assert_true(pump(f->loop, crashed_twice, r, PUMP_WAIT_MS));
	/* Recovery off: once the recovery under way (if any) is over, it stops. */
	rproc_set_recovery(r, false);
	assert_true(pump(f->loop, is_idle, r, PUMP_WAIT_MS));
	assert_int_equal(rproc_shutdown(r), 0);
	assert_int_equal(rproc_del(r), 0);
	pump_for(f->loop, 5);
	rproc_free(r);
}

static void test_detach_semantics(void **state)
{
	struct rproc_fixture *f = *state;

	/* Offline, running: detach is refused as Linux refuses it. */
	assert_int_equal(rproc_detach(f->rproc), -EINVAL);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_detach(f->rproc), -EINVAL);
	assert_non_null(strstr(rproc_last_error(f->rproc), "running"));

	/* Allowed on request: the core keeps running, detached. */
	rproc_set_detach_running(f->rproc, true);
	assert_int_equal(rproc_detach(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_DETACHED);
	assert_int_equal(rproc_get_power(f->rproc), 0);

	/* Booting a detached processor attaches to it. */
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_ATTACHED);
	assert_int_equal(rproc_detach(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_DETACHED);
	assert_int_equal(rproc_boot(f->rproc), 0);
	/* "stop" on an attached one stops it. */
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE);
}

static void test_auto_boot_and_del(void **state)
{
	struct rproc_fixture *f = *state;
	struct uproc_hostmem_config cfg = { .name = "auto", .main = fw_idle_main };
	struct rproc *r = uproc_hostmem_rproc_alloc(f->board, f->loop, &cfg, f->fw);

	assert_non_null(r);
	assert_false(rproc_get_auto_boot(r));
	rproc_set_auto_boot(r, true);
	assert_int_equal(rproc_add(r), 0);
	assert_int_equal(rproc_get_state(r), RPROC_RUNNING);
	assert_int_equal(rproc_add(r), -EBUSY);
	assert_int_equal(rproc_del(r), 0);
	assert_int_equal(rproc_get_state(r), RPROC_DELETED);
	assert_int_equal(rproc_boot(r), -ENODEV);
	rproc_free(r);
}

static void test_alloc_checks(void **state)
{
	struct rproc_fixture *f = *state;
	static const struct rproc_ops no_start = { .stop = NULL };

	assert_null(rproc_alloc("x", &no_start, NULL, 0, f->loop));
	assert_null(rproc_alloc("", &no_start, NULL, 0, f->loop));
	assert_null(rproc_alloc("x", NULL, NULL, 0, f->loop));
	assert_string_equal(rproc_get_name(f->rproc), "lc");
	assert_ptr_equal(rproc_get_loop(f->rproc), f->loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_strings),
		cmocka_unit_test_setup_teardown(test_alloc_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_shutdown_refcount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_attribute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fw_search_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_boot_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subdev_notifier_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_only_first_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_disabled_then_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_from_firmware, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auto_boot_and_del, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
