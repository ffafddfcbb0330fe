// SPDX-License-Identifier: MIT
/*
 * loop.c - the epoll event loop behind uproc/loop.h.
 *
 * Watched fds live in a small table indexed by fd (grown on demand), so a callback
 * can remove any fd, its own included, and the batch being dispatched skips it.
 * Timers are a list ordered by deadline (few are ever pending). Deferred calls are
 * a mutex-protected FIFO with an eventfd that wakes a blocked dispatch.
 *
 * uproc_loop_call(): the waiting caller's record lives on its own stack, queued
 * under @sync_lock; the first one queued defers run_sync_calls(), which runs the
 * whole queue on the loop thread, each call with the lock dropped, and wakes the
 * callers on @sync_done. Closing completes what is queued with -ESHUTDOWN.
 */
#include "uproc/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "hostutil.h"

struct loop_watch {
	uproc_loop_fd_fn fn;
	void *arg;
	uint64_t generation;	/* changes on every add: stale epoll events are dropped */
	bool active;
};

struct loop_timer {
	int64_t id;
	uint64_t due_ns;
	uproc_loop_fn fn;
	void *arg;
	struct loop_timer *next;
};

/* A uproc_loop_call() waiting for the loop: on the caller's stack. */
struct loop_sync_call {
	int (*fn)(void *arg);
	void *arg;
	int result;
	bool done;
	struct loop_sync_call *next;
};

struct loop_call {
	uproc_loop_fn fn;
	void *arg;
	struct loop_call *next;
};

struct uproc_loop {
	int epfd;
	int wakefd;
	struct loop_watch *watches;
	size_t nwatches;
	uint64_t generation;
	struct loop_timer *timers;
	int64_t next_timer_id;
	pthread_mutex_t calls_lock;
	struct loop_call *calls_head, *calls_tail;
	_Atomic bool stop;
	_Atomic(pthread_t) owner;	/* the loop thread: creator, then last dispatcher */
	pthread_mutex_t sync_lock;	/* the uproc_loop_call() queue */
	pthread_cond_t sync_done;
	struct loop_sync_call *sync_head, *sync_tail;
	bool sync_closed;
	/* The log sink: set by any thread, read by every logging thread (log_lock). */
	pthread_mutex_t log_lock;
	uproc_log_fn log_fn;
	void *log_arg;
	enum uproc_log_level log_max;
};

int uproc_loop_new(struct uproc_loop **out)
{
	struct uproc_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto free_loop;
	loop->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->wakefd < 0)
		goto close_epoll;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ev) < 0)
		goto close_wake;
	pthread_mutex_init(&loop->calls_lock, NULL);
	pthread_mutex_init(&loop->sync_lock, NULL);
	pthread_cond_init(&loop->sync_done, NULL);
	pthread_mutex_init(&loop->log_lock, NULL);
	loop->log_max = UPROC_LOG_WARN;
	atomic_store(&loop->owner, pthread_self());
	loop->next_timer_id = 1;
	*out = loop;
	return 0;

close_wake:
	close(loop->wakefd);
close_epoll:
	close(loop->epfd);
free_loop:;
	int err = errno;
	free(loop);
	return -(err ? err : ENOMEM);
}

void uproc_loop_free(struct uproc_loop *loop)
{
	if (!loop)
		return;
	while (loop->timers) {
		struct loop_timer *t = loop->timers;
		loop->timers = t->next;
		free(t);
	}
	while (loop->calls_head) {
		struct loop_call *c = loop->calls_head;
		loop->calls_head = c->next;
		free(c);
	}
	uproc_loop_close_calls(loop);
	pthread_mutex_destroy(&loop->calls_lock);
	pthread_mutex_destroy(&loop->sync_lock);
	pthread_cond_destroy(&loop->sync_done);
	pthread_mutex_destroy(&loop->log_lock);
	close(loop->wakefd);
	close(loop->epfd);
	free(loop->watches);
	free(loop);
}

int uproc_loop_fd(const struct uproc_loop *loop)
{
	return loop->epfd;
}

static int watch_slot(struct uproc_loop *loop, int fd)
{
	if (fd < 0)
		return -EBADF;
	if ((size_t)fd < loop->nwatches)
		return 0;
	size_t n = loop->nwatches ? loop->nwatches : 64;
	while (n <= (size_t)fd)
		n *= 2;
	struct loop_watch *w = realloc(loop->watches, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w + loop->nwatches, 0, (n - loop->nwatches) * sizeof(*w));
	loop->watches = w;
	loop->nwatches = n;
	return 0;
}

/* The epoll cookie packs the fd (low 32 bits) and the watch generation (high). */
static uint64_t watch_cookie(int fd, uint64_t generation)
{
	return ((generation & 0x7fffffffu) << 32) | (uint32_t)fd;
}

int uproc_loop_add_fd(struct uproc_loop *loop, int fd, uint32_t events, uproc_loop_fd_fn fn,
		      void *arg)
{
	int err = watch_slot(loop, fd);
	if (err)
		return err;
	struct loop_watch *w = &loop->watches[fd];
	if (w->active)
		return -EEXIST;
	uint64_t gen = ++loop->generation;
	struct epoll_event ev = { .events = events, .data.u64 = watch_cookie(fd, gen) };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	*w = (struct loop_watch){ .fn = fn, .arg = arg, .generation = gen, .active = true };
	return 0;
}

int uproc_loop_mod_fd(struct uproc_loop *loop, int fd, uint32_t events)
{
	if (fd < 0 || (size_t)fd >= loop->nwatches || !loop->watches[fd].active)
		return -ENOENT;
	struct epoll_event ev = { .events = events,
				  .data.u64 = watch_cookie(fd, loop->watches[fd].generation) };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int uproc_loop_del_fd(struct uproc_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nwatches || !loop->watches[fd].active)
		return -ENOENT;
	/* The fd may already be closed by a careless owner: the watch goes regardless. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->watches[fd].active = false;
	return 0;
}

int64_t uproc_loop_add_timer(struct uproc_loop *loop, uint32_t ms, uproc_loop_fn fn, void *arg)
{
	struct loop_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->id = loop->next_timer_id++;
	t->due_ns = upi_now_ns() + (uint64_t)ms * 1000000ull;
	t->fn = fn;
	t->arg = arg;
	struct loop_timer **pp = &loop->timers;
	while (*pp && (*pp)->due_ns <= t->due_ns)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
	return t->id;
}

int uproc_loop_cancel_timer(struct uproc_loop *loop, int64_t id)
{
	for (struct loop_timer **pp = &loop->timers; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct loop_timer *t = *pp;
			*pp = t->next;
			free(t);
			return 0;
		}
	}
	return -ENOENT;
}

static void loop_wake(struct uproc_loop *loop)
{
	uint64_t one = 1;
	/* EAGAIN means the counter is already non-zero: the loop will wake anyway. */
	ssize_t r = write(loop->wakefd, &one, sizeof(one));
	(void)r;
}

int uproc_loop_defer(struct uproc_loop *loop, uproc_loop_fn fn, void *arg)
{
	struct loop_call *c = malloc(sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fn = fn;
	c->arg = arg;
	c->next = NULL;
	pthread_mutex_lock(&loop->calls_lock);
	if (loop->calls_tail)
		loop->calls_tail->next = c;
	else
		loop->calls_head = c;
	loop->calls_tail = c;
	pthread_mutex_unlock(&loop->calls_lock);
	loop_wake(loop);
	return 0;
}

void uproc_loop_stop(struct uproc_loop *loop)
{
	loop->stop = true;
	loop_wake(loop);
}

static int run_deferred(struct uproc_loop *loop)
{
	pthread_mutex_lock(&loop->calls_lock);
	struct loop_call *c = loop->calls_head;
	loop->calls_head = loop->calls_tail = NULL;
	pthread_mutex_unlock(&loop->calls_lock);
	int ran = 0;
	while (c) {
		struct loop_call *next = c->next;
		c->fn(loop, c->arg);
		free(c);
		c = next;
		ran++;
	}
	return ran;
}

static int run_timers(struct uproc_loop *loop)
{
	int ran = 0;
	uint64_t now = upi_now_ns();
	while (loop->timers && loop->timers->due_ns <= now) {
		struct loop_timer *t = loop->timers;
		loop->timers = t->next;
		uproc_loop_fn fn = t->fn;
		void *arg = t->arg;
		free(t);
		fn(loop, arg);
		ran++;
	}
	return ran;
}

static int timeout_with_timers(const struct uproc_loop *loop, int timeout_ms)
{
	if (!loop->timers)
		return timeout_ms;
	uint64_t now = upi_now_ns();
	uint64_t due = loop->timers->due_ns;
	int until = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
	if (timeout_ms < 0 || until < timeout_ms)
		return until;
	return timeout_ms;
}

int uproc_loop_dispatch(struct uproc_loop *loop, int timeout_ms)
{
	struct epoll_event events[32];
	int n;

	atomic_store(&loop->owner, pthread_self());
	do {
		n = epoll_wait(loop->epfd, events, 32, timeout_with_timers(loop, timeout_ms));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;

	int ran = 0;
	for (int i = 0; i < n; i++) {
		uint64_t cookie = events[i].data.u64;
		if (cookie == UINT64_MAX) {
			uint64_t v;
			ssize_t r = read(loop->wakefd, &v, sizeof(v));
			(void)r;
			continue;
		}
		int fd = (int)(uint32_t)cookie;
		uint64_t gen = cookie >> 32;
		if ((size_t)fd >= loop->nwatches)
			continue;
		struct loop_watch *w = &loop->watches[fd];
		/* Removed (or removed and re-added) during this batch: not ours any more. */
		if (!w->active || (w->generation & 0x7fffffffu) != gen)
			continue;
		w->fn(loop, fd, events[i].events, w->arg);
		ran++;
	}
	ran += run_timers(loop);
	ran += run_deferred(loop);
	return ran;
}

int uproc_loop_run(struct uproc_loop *loop)
{
	while (!loop->stop) {
		int r = uproc_loop_dispatch(loop, -1);
		if (r < 0)
			return r;
	}
	loop->stop = false;	/* the stop is consumed: the loop can run again */
	return 0;
}

/* ---- calls from other threads ------------------------------------------------------ */

bool uproc_loop_on_thread(const struct uproc_loop *loop)
{
	return pthread_equal(atomic_load(&loop->owner), pthread_self());
}

static void run_sync_calls(struct uproc_loop *loop, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&loop->sync_lock);
	while (loop->sync_head) {
		struct loop_sync_call *c = loop->sync_head;

		loop->sync_head = c->next;
		if (!loop->sync_head)
			loop->sync_tail = NULL;
		pthread_mutex_unlock(&loop->sync_lock);
		int r = c->fn(c->arg);
		pthread_mutex_lock(&loop->sync_lock);
		c->result = r;
		c->done = true;
		pthread_cond_broadcast(&loop->sync_done);
	}
	pthread_mutex_unlock(&loop->sync_lock);
}

int uproc_loop_call(struct uproc_loop *loop, int (*fn)(void *arg), void *arg)
{
	struct loop_sync_call call = { .fn = fn, .arg = arg };

	if (uproc_loop_on_thread(loop))
		return fn(arg);
	pthread_mutex_lock(&loop->sync_lock);
	if (loop->sync_closed) {
		pthread_mutex_unlock(&loop->sync_lock);
		return -ESHUTDOWN;
	}
	if (!loop->sync_head) {
		/* Nothing queued: the loop needs a run of the queue. */
		int r = uproc_loop_defer(loop, run_sync_calls, NULL);

		if (r < 0) {
			pthread_mutex_unlock(&loop->sync_lock);
			return r;
		}
		loop->sync_head = &call;
	} else {
		loop->sync_tail->next = &call;
	}
	loop->sync_tail = &call;
	while (!call.done)
		pthread_cond_wait(&loop->sync_done, &loop->sync_lock);
	pthread_mutex_unlock(&loop->sync_lock);
	return call.result;
}

void uproc_loop_close_calls(struct uproc_loop *loop)
{
	pthread_mutex_lock(&loop->sync_lock);
	loop->sync_closed = true;
	while (loop->sync_head) {
		struct loop_sync_call *c = loop->sync_head;

		loop->sync_head = c->next;
		c->result = -ESHUTDOWN;
		c->done = true;
	}
	loop->sync_tail = NULL;
	pthread_cond_broadcast(&loop->sync_done);
	pthread_mutex_unlock(&loop->sync_lock);
}

/* ---- the log ------------------------------------------------------------------------- */

void uproc_loop_set_log(struct uproc_loop *loop, enum uproc_log_level max_level,
			uproc_log_fn fn, void *arg)
{
	pthread_mutex_lock(&loop->log_lock);
	loop->log_fn = fn;
	loop->log_arg = arg;
	loop->log_max = max_level;
	pthread_mutex_unlock(&loop->log_lock);
}

const char *uproc_log_level_name(enum uproc_log_level level)
{
	switch (level) {
	case UPROC_LOG_ERR:
		return "error";
	case UPROC_LOG_WARN:
		return "warning";
	case UPROC_LOG_INFO:
		return "info";
	case UPROC_LOG_DEBUG:
		break;
	}
	return "debug";
}

void uproc_loop_vlog(struct uproc_loop *loop, enum uproc_log_level level, const char *object,
		     const char *fmt, va_list ap)
{
	enum uproc_log_level max = UPROC_LOG_WARN;
	uproc_log_fn fn = NULL;
	void *arg = NULL;
	char msg[512];

	if (loop) {
		pthread_mutex_lock(&loop->log_lock);
		fn = loop->log_fn;
		arg = loop->log_arg;
		max = loop->log_max;
		pthread_mutex_unlock(&loop->log_lock);
	}
	if (level > max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (fn)
		fn(arg, level, object, msg);
	else if (object)
		fprintf(stderr, "%s: %s\n", object, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

void uproc_loop_log(struct uproc_loop *loop, enum uproc_log_level level, const char *object,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uproc_loop_vlog(loop, level, object, fmt, ap);
	va_end(ap);
}
