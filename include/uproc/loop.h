/* SPDX-License-Identifier: MIT */
/*
 * uproc/loop.h - the ready-made event loop (epoll) that drives uproc's host side.
 *
 * Backends register their pollable fds (doorbells, pidfds) here; the remoteproc
 * core schedules deferred work (recovery after a crash) here. A library user with an
 * event loop of its own polls uproc_loop_fd() and calls uproc_loop_dispatch(loop, 0)
 * when it is readable; otherwise it calls uproc_loop_run().
 *
 * Threading: a loop belongs to one thread, the loop thread: the one that created
 * it, or the one that last dispatched it. fd and timer registration and dispatch
 * run there. uproc_loop_defer(), uproc_loop_stop(), uproc_loop_call(),
 * uproc_loop_close_calls() and uproc_loop_on_thread() may be called from any
 * thread. Callbacks run on the loop thread with no uproc lock held.
 */
#ifndef UPROC_LOOP_H
#define UPROC_LOOP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "uproc/port.h"	/* enum uproc_log_level */

struct uproc_loop;

/* Readiness bits: the same values as EPOLLIN / EPOLLOUT / EPOLLERR / EPOLLHUP. */
#define UPROC_LOOP_IN 0x001u
#define UPROC_LOOP_OUT 0x004u
#define UPROC_LOOP_ERR 0x008u
#define UPROC_LOOP_HUP 0x010u

/** typedef uproc_loop_fd_fn - called when a watched fd is ready; @events: UPROC_LOOP_* bits. */
typedef void (*uproc_loop_fd_fn)(struct uproc_loop *loop, int fd, uint32_t events, void *arg);

/** typedef uproc_loop_fn - a timer or deferred call. */
typedef void (*uproc_loop_fn)(struct uproc_loop *loop, void *arg);

/**
 * uproc_loop_new() - create an event loop.
 * @out: receives the loop; free it with uproc_loop_free().
 * Returns 0 or -errno.
 */
int uproc_loop_new(struct uproc_loop **out);

/**
 * uproc_loop_free() - destroy a loop. Watched fds are not closed (their owners
 * close them); pending deferred calls and timers are dropped without running.
 */
void uproc_loop_free(struct uproc_loop *loop);

/** uproc_loop_fd() - a file descriptor that polls readable when dispatch has work. */
int uproc_loop_fd(const struct uproc_loop *loop);

/**
 * uproc_loop_add_fd() - call @fn whenever @fd is ready for any of @events.
 * Returns 0, -EEXIST if @fd is already watched, or -errno. The caller keeps
 * ownership of @fd and must uproc_loop_del_fd() it before closing it.
 */
int uproc_loop_add_fd(struct uproc_loop *loop, int fd, uint32_t events, uproc_loop_fd_fn fn,
		      void *arg);

/** uproc_loop_mod_fd() - change the events watched on @fd. Returns 0 or -errno. */
int uproc_loop_mod_fd(struct uproc_loop *loop, int fd, uint32_t events);

/**
 * uproc_loop_del_fd() - stop watching @fd. Safe from inside any callback, including
 * @fd's own: a removed fd's callback is not run again, even later in the same batch.
 * Returns 0 or -ENOENT.
 */
int uproc_loop_del_fd(struct uproc_loop *loop, int fd);

/**
 * uproc_loop_add_timer() - call @fn once, @ms milliseconds from now.
 * Returns a positive timer id (for uproc_loop_cancel_timer()) or -errno.
 */
int64_t uproc_loop_add_timer(struct uproc_loop *loop, uint32_t ms, uproc_loop_fn fn, void *arg);

/** uproc_loop_cancel_timer() - cancel a pending timer. Returns 0 or -ENOENT. */
int uproc_loop_cancel_timer(struct uproc_loop *loop, int64_t id);

/**
 * uproc_loop_defer() - run @fn on the loop thread at its next dispatch.
 * Thread-safe; wakes a loop blocked in dispatch. Calls run in the order deferred.
 * Returns 0 or -ENOMEM.
 */
int uproc_loop_defer(struct uproc_loop *loop, uproc_loop_fn fn, void *arg);

/**
 * uproc_loop_dispatch() - wait up to @timeout_ms (-1: forever, 0: don't wait) for
 * events, then run every ready callback, due timer and deferred call.
 * Returns the number of callbacks run, or -errno (-EINTR is retried internally).
 */
int uproc_loop_dispatch(struct uproc_loop *loop, int timeout_ms);

/** uproc_loop_run() - dispatch until uproc_loop_stop(). Returns 0 or -errno. */
int uproc_loop_run(struct uproc_loop *loop);

/** uproc_loop_stop() - make uproc_loop_run() return after the current dispatch. Thread-safe. */
void uproc_loop_stop(struct uproc_loop *loop);

/**
 * uproc_loop_call() - run @fn(@arg) on @loop's thread and wait for its result.
 * This is how another thread reaches what belongs to the loop (a processor, its
 * vdevs, its backend). On the loop thread @fn runs at once. Elsewhere the call is
 * queued, the loop woken, and the caller blocks until @fn has returned there; calls
 * run in the order queued, at the loop's next dispatch. Thread-safe.
 *
 * Return: @fn's result; -ESHUTDOWN when the loop will not run it any more
 * (uproc_loop_close_calls() before or while it waited); -ENOMEM.
 * Locking: the caller must hold nothing the loop thread may wait for.
 */
int uproc_loop_call(struct uproc_loop *loop, int (*fn)(void *arg), void *arg);

/**
 * uproc_loop_close_calls() - complete every queued uproc_loop_call() with
 * -ESHUTDOWN and refuse later ones (from other threads; on the loop thread a call
 * still runs at once). A program that stops dispatching its loop calls this first,
 * so that no thread waits for a loop that will not run again; it frees the loop
 * only once those threads have returned. Thread-safe; idempotent.
 */
void uproc_loop_close_calls(struct uproc_loop *loop);

/**
 * uproc_loop_on_thread() - true when called on @loop's thread (the one that
 * created it or last dispatched it). Thread-safe.
 */
bool uproc_loop_on_thread(const struct uproc_loop *loop);

/* ---- the log: one sink per loop ------------------------------------------------------ */

/**
 * typedef uproc_log_fn - where a loop's log lines go.
 * @arg:    the sink's argument
 * @level:  how loud: UPROC_LOG_ERR, _WARN, _INFO or _DEBUG (uproc/port.h)
 * @object: what the line is about: "remoteproc NAME" (the core and its backend),
 *          "remoteproc NAME vdevN" (the rpmsg bus of that vdev), or NULL
 * @msg:    the line, without a trailing newline
 * Lines about a processor ("remoteproc NAME") come on the loop thread with no
 * uproc lock held: the sink may call that processor's rproc_* functions (a
 * lifecycle call from inside another one returns -EDEADLK, uproc/remoteproc.h).
 * A bus's lines ("... vdevN") may come on a blocking rpmsg sender's thread and with
 * that bus's port lock held: for those the sink must not call into that bus. The
 * sink must be thread-safe.
 */
typedef void (*uproc_log_fn)(void *arg, enum uproc_log_level level, const char *object,
			     const char *msg);

/**
 * uproc_loop_set_log() - send the log lines of everything on @loop (the remoteproc
 * core, its backends, the rpmsg buses of its vdevs, a program's own lines) at
 * @max_level and louder to @fn. @fn NULL: the default sink, "OBJECT: MSG" on
 * stderr. The default is that sink at UPROC_LOG_WARN. Thread-safe; a line being
 * delivered on another thread may still reach the sink it replaces, so keep the
 * old @arg valid until the loop's senders are quiet (simplest: set the sink before
 * the loop's processors are added).
 */
void uproc_loop_set_log(struct uproc_loop *loop, enum uproc_log_level max_level,
			uproc_log_fn fn, void *arg);

/**
 * uproc_loop_log() - log a printf-style line about @object (may be NULL) through
 * @loop's sink (@loop NULL: the default sink). Lines are cut at 511 bytes.
 * Thread-safe. uproc_loop_vlog() takes a va_list.
 */
void uproc_loop_log(struct uproc_loop *loop, enum uproc_log_level level, const char *object,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void uproc_loop_vlog(struct uproc_loop *loop, enum uproc_log_level level, const char *object,
		     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/** uproc_log_level_name() - "error", "warning", "info" or "debug". */
const char *uproc_log_level_name(enum uproc_log_level level);

#endif /* UPROC_LOOP_H */
