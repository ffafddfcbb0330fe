// SPDX-License-Identifier: MIT
/* test-loop.c - the epoll event loop: fds, removal inside callbacks, timers, defer, stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_ready_runs_callback),
		cmocka_unit_test(test_removed_fd_skipped_in_same_batch),
		cmocka_unit_test(test_timers_fire_in_deadline_order),
		cmocka_unit_test(test_defer_wakes_blocked_dispatch_in_order),
		cmocka_unit_test(test_stop_from_other_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
