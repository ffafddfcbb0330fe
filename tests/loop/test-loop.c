// SPDX-License-Identifier: MIT
/* test-loop.c - the epoll event loop: fds, removal inside callbacks, timers, defer, stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uproc/loop.h"

struct fd_seen {
	int calls;
	uint32_t events;
	int other_fd;	/* removed by the callback when >= 0 */
};

static void on_fd(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct fd_seen *seen = arg;
	char c;
	seen->calls++;
	seen->events = events;
	if (read(fd, &c, 1) != 1)
		fail_msg("readable fd had nothing to read");
	if (seen->other_fd >= 0)
		assert_int_equal(uproc_loop_del_fd(loop, seen->other_fd), 0);
}

static void test_fd_ready_runs_callback(void **state)
{
	struct uproc_loop *loop;
	int p[2];
	struct fd_seen seen = { .other_fd = -1 };

	assert_int_equal(uproc_loop_new(&loop), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(uproc_loop_add_fd(loop, p[0], UPROC_LOOP_IN, on_fd, &seen), 0);
	assert_int_equal(uproc_loop_add_fd(loop, p[0], UPROC_LOOP_IN, on_fd, &seen), -EEXIST);
	assert_int_equal(uproc_loop_dispatch(loop, 0), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(uproc_loop_dispatch(loop, 1000), 1);
	assert_int_equal(seen.calls, 1);
	assert_true(seen.events & UPROC_LOOP_IN);
	assert_int_equal(uproc_loop_del_fd(loop, p[0]), 0);
	assert_int_equal(uproc_loop_del_fd(loop, p[0]), -ENOENT);
	assert_int_equal(write(p[1], "y", 1), 1);
	assert_int_equal(uproc_loop_dispatch(loop, 0), 0);
	assert_int_equal(seen.calls, 1);
	close(p[0]);
	close(p[1]);
	uproc_loop_free(loop);
}

/* Two fds ready in one batch; the first callback removes the second: it must not run. */
static void test_removed_fd_skipped_in_same_batch(void **state)
{
	struct uproc_loop *loop;
	int a[2], b[2];
	struct fd_seen sa = { .other_fd = -1 }, sb = { .other_fd = -1 };

	assert_int_equal(uproc_loop_new(&loop), 0);
	assert_int_equal(pipe(a), 0);
	assert_int_equal(pipe(b), 0);
	sa.other_fd = b[0];
	sb.other_fd = a[0];
	assert_int_equal(uproc_loop_add_fd(loop, a[0], UPROC_LOOP_IN, on_fd, &sa), 0);
	assert_int_equal(uproc_loop_add_fd(loop, b[0], UPROC_LOOP_IN, on_fd, &sb), 0);
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(uproc_loop_dispatch(loop, 1000), 1);
	assert_int_equal(sa.calls + sb.calls, 1);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
	}
	uproc_loop_free(loop);
}

static void record_order(struct uproc_loop *loop, void *arg)
{
	int *order = arg;
	int *slot = order;
	while (*slot)
		slot++;
	*slot = (int)(order[15]++);
}

static int fired_first, fired_second;
static void mark_first(struct uproc_loop *loop, void *arg)
{
	fired_first = ++*(int *)arg;
}

static void mark_second(struct uproc_loop *loop, void *arg)
{
	fired_second = ++*(int *)arg;
}

static void test_timers_fire_in_deadline_order(void **state)
{
	struct uproc_loop *loop;
	int seq = 0;
	assert_int_equal(uproc_loop_new(&loop), 0);
	fired_first = fired_second = 0;
	assert_true(uproc_loop_add_timer(loop, 40, mark_second, &seq) > 0);
	assert_true(uproc_loop_add_timer(loop, 10, mark_first, &seq) > 0);
	int64_t cancelled = uproc_loop_add_timer(loop, 5, record_order, NULL);
	assert_int_equal(uproc_loop_cancel_timer(loop, cancelled), 0);
	assert_int_equal(uproc_loop_cancel_timer(loop, cancelled), -ENOENT);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!fired_second)
		assert_true(uproc_loop_dispatch(loop, -1) >= 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(fired_first, 1);
	assert_int_equal(fired_second, 2);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 39);	/* never early */
	uproc_loop_free(loop);
}

struct defer_ctx {
	struct uproc_loop *loop;
	int order[16];
};

static void *defer_from_thread(void *arg)
{
	struct defer_ctx *ctx = arg;
	usleep(20000);	/* the loop is blocked in dispatch(-1) by now */
	for (int i = 0; i < 3; i++)
		assert_int_equal(uproc_loop_defer(ctx->loop, record_order, ctx->order), 0);
	return NULL;
}

static void test_defer_wakes_blocked_dispatch_in_order(void **state)
{
	struct defer_ctx ctx = { 0 };
	pthread_t th;
	assert_int_equal(uproc_loop_new(&ctx.loop), 0);
	ctx.order[15] = 1;
	assert_int_equal(pthread_create(&th, NULL, defer_from_thread, &ctx), 0);
	int total = 0;
	while (total < 3) {
		int r = uproc_loop_dispatch(ctx.loop, -1);
		assert_true(r >= 0);
		total += r;
	}
	pthread_join(th, NULL);
	assert_int_equal(ctx.order[0], 1);
	assert_int_equal(ctx.order[1], 2);
	assert_int_equal(ctx.order[2], 3);
	uproc_loop_free(ctx.loop);
}

static void *stop_from_thread(void *arg)
{
	usleep(20000);
	uproc_loop_stop(arg);
	return NULL;
}

static void test_stop_from_other_thread(void **state)
{
	struct uproc_loop *loop;
	pthread_t th;
	assert_int_equal(uproc_loop_new(&loop), 0);
	assert_true(uproc_loop_fd(loop) >= 0);
	assert_int_equal(pthread_create(&th, NULL, stop_from_thread, loop), 0);
	assert_int_equal(uproc_loop_run(loop), 0);
	pthread_join(th, NULL);
	/* A stop before run is not lost either. */
	uproc_loop_stop(loop);
	assert_int_equal(uproc_loop_run(loop), 0);
	uproc_loop_free(loop);
}

/* ---- uproc_loop_call() -------------------------------------------------------------- */

/* Monotonic milliseconds, for the generous deadlines below. */
static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

struct call_ctx {
	struct uproc_loop *loop;
	long counter;			/* touched only on the loop thread */
	atomic_int off_thread;		/* calls that ran elsewhere than the loop thread */
	atomic_int wrong_result;
	atomic_int finished;		/* caller threads done */
	atomic_int arrived;		/* caller threads about to call */
};

static int count_on_loop(void *arg)
{
	struct call_ctx *c = arg;
	if (!uproc_loop_on_thread(c->loop))
		atomic_fetch_add(&c->off_thread, 1);
	return (int)++c->counter;
}

static void test_call_on_loop_thread_runs_at_once(void **state)
{
	struct call_ctx c = { 0 };
	assert_int_equal(uproc_loop_new(&c.loop), 0);
	assert_true(uproc_loop_on_thread(c.loop));
	/* No dispatch: on the loop thread the call cannot wait for one. */
	assert_int_equal(uproc_loop_call(c.loop, count_on_loop, &c), 1);
	assert_int_equal(uproc_loop_call(c.loop, count_on_loop, &c), 2);
	assert_int_equal(atomic_load(&c.off_thread), 0);
	uproc_loop_free(c.loop);
}

#define CALLERS 8
#define CALLS_EACH 400

static void *many_calls(void *arg)
{
	struct call_ctx *c = arg;
	for (int i = 0; i < CALLS_EACH; i++) {
		int r = uproc_loop_call(c->loop, count_on_loop, c);
		if (r <= 0 || r > CALLERS * CALLS_EACH)
			atomic_fetch_add(&c->wrong_result, 1);
	}
	atomic_fetch_add(&c->finished, 1);
	return NULL;
}

/* Many threads call at once while this thread dispatches: each call runs once, here. */
static void test_call_from_many_threads(void **state)
{
	struct call_ctx c = { 0 };
	pthread_t th[CALLERS];
	assert_int_equal(uproc_loop_new(&c.loop), 0);
	for (int i = 0; i < CALLERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, many_calls, &c), 0);
	long deadline = now_ms() + 120000;
	while (atomic_load(&c.finished) < CALLERS) {
		assert_true(uproc_loop_dispatch(c.loop, 100) >= 0);
		assert_true(now_ms() < deadline);
	}
	for (int i = 0; i < CALLERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(c.counter, CALLERS * CALLS_EACH);
	assert_int_equal(atomic_load(&c.off_thread), 0);
	assert_int_equal(atomic_load(&c.wrong_result), 0);
	uproc_loop_free(c.loop);
}

/* The loop thread is held inside a call until released. */
struct hold {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool entered, released;
	int result;
	struct uproc_loop *loop;
};

static int held_call(void *arg)
{
	struct hold *h = arg;
	pthread_mutex_lock(&h->mu);
	h->entered = true;
	pthread_cond_broadcast(&h->cv);
	while (!h->released)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	return 7;
}

static void *run_loop(void *arg)
{
	uproc_loop_run(arg);
	return NULL;
}

static void *call_held(void *arg)
{
	struct hold *h = arg;
	h->result = uproc_loop_call(h->loop, held_call, h);
	return NULL;
}

static void *call_once(void *arg)
{
	struct call_ctx *c = arg;
	atomic_fetch_add(&c->arrived, 1);
	if (uproc_loop_call(c->loop, count_on_loop, c) != -ESHUTDOWN)
		atomic_fetch_add(&c->wrong_result, 1);
	atomic_fetch_add(&c->finished, 1);
	return NULL;
}

/* Callers waiting on a loop that closes its calls get -ESHUTDOWN, not a hang. */
static void test_close_calls_fails_waiting_callers(void **state)
{
	struct call_ctx c = { 0 };
	struct hold h = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	pthread_t loop_th, held_th, th[CALLERS];

	assert_int_equal(uproc_loop_new(&c.loop), 0);
	h.loop = c.loop;
	assert_int_equal(pthread_create(&loop_th, NULL, run_loop, c.loop), 0);
	/* The loop thread enters the held call and stays there. */
	assert_int_equal(pthread_create(&held_th, NULL, call_held, &h), 0);
	pthread_mutex_lock(&h.mu);
	while (!h.entered)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	assert_false(uproc_loop_on_thread(c.loop));

	/* Callers queue behind it: the loop cannot run them. */
	for (int i = 0; i < CALLERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, call_once, &c), 0);
	long deadline = now_ms() + 60000;
	while (atomic_load(&c.arrived) < CALLERS) {
		assert_true(now_ms() < deadline);
		usleep(1000);
	}
	usleep(20000);	/* most are asleep in the queue by now; the rest are refused */
	uproc_loop_close_calls(c.loop);
	for (int i = 0; i < CALLERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&c.finished), CALLERS);
	assert_int_equal(atomic_load(&c.wrong_result), 0);
	assert_int_equal(c.counter, 0);
	/* Later calls are refused at once. */
	assert_int_equal(uproc_loop_call(c.loop, count_on_loop, &c), -ESHUTDOWN);

	/* The call already running finishes with its own result. */
	pthread_mutex_lock(&h.mu);
	h.released = true;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(held_th, NULL);
	assert_int_equal(h.result, 7);
	uproc_loop_stop(c.loop);
	pthread_join(loop_th, NULL);
	assert_int_equal(c.counter, 0);
	uproc_loop_free(c.loop);
}

/* What a log sink received. */
struct log_seen {
	pthread_mutex_t mu;
	int lines, from_thread;
	enum uproc_log_level last_level;
	char last_object[64], last_msg[600];
};

static void record_log(void *arg, enum uproc_log_level level, const char *object,
		       const char *msg)
{
	struct log_seen *seen = arg;

	pthread_mutex_lock(&seen->mu);
	seen->lines++;
	if (!strcmp(msg, "from a thread"))
		seen->from_thread++;
	seen->last_level = level;
	snprintf(seen->last_object, sizeof(seen->last_object), "%s", object ? object : "-");
	snprintf(seen->last_msg, sizeof(seen->last_msg), "%s", msg);
	pthread_mutex_unlock(&seen->mu);
}

static void *log_from_thread(void *arg)
{
	struct uproc_loop *loop = arg;

	for (int i = 0; i < 100; i++)
		uproc_loop_log(loop, UPROC_LOG_WARN, "remoteproc t", "from a thread");
	return NULL;
}

/* One sink per loop: levels filter, the object and message arrive, any thread logs. */
static void test_log_sink(void **state)
{
	struct log_seen seen = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct uproc_loop *loop;
	char longmsg[700];
	pthread_t th[2];

	(void)state;
	assert_int_equal(uproc_loop_new(&loop), 0);
	uproc_loop_set_log(loop, UPROC_LOG_INFO, record_log, &seen);
	uproc_loop_log(loop, UPROC_LOG_DEBUG, NULL, "too quiet");
	assert_int_equal(seen.lines, 0);
	uproc_loop_log(loop, UPROC_LOG_INFO, "remoteproc a", "booted %d", 7);
	assert_int_equal(seen.lines, 1);
	assert_int_equal(seen.last_level, UPROC_LOG_INFO);
	assert_string_equal(seen.last_object, "remoteproc a");
	assert_string_equal(seen.last_msg, "booted 7");
	uproc_loop_log(loop, UPROC_LOG_ERR, NULL, "no object");
	assert_string_equal(seen.last_object, "-");
	/* A long line is cut, not overrun. */
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	uproc_loop_log(loop, UPROC_LOG_ERR, NULL, "%s", longmsg);
	assert_int_equal(strlen(seen.last_msg), 511);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, log_from_thread, loop), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(seen.from_thread, 200);
	assert_string_equal(uproc_log_level_name(UPROC_LOG_WARN), "warning");
	assert_string_equal(uproc_log_level_name(UPROC_LOG_ERR), "error");
	/* Back to the default sink: nothing more reaches this one. */
	uproc_loop_set_log(loop, UPROC_LOG_WARN, NULL, NULL);
	uproc_loop_log(loop, UPROC_LOG_DEBUG, NULL, "dropped");
	assert_int_equal(seen.lines, 203);
	uproc_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_ready_runs_callback),
		cmocka_unit_test(test_removed_fd_skipped_in_same_batch),
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_defer_wakes_blocked_dispatch_in_order),
		cmocka_unit_test(test_stop_from_other_thread),
		cmocka_unit_test(test_call_on_loop_thread_runs_at_once),
		cmocka_unit_test(test_call_from_many_threads),
		cmocka_unit_test(test_close_calls_fails_waiting_callers),
		cmocka_unit_test(test_log_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
