/* SPDX-License-Identifier: MIT */
/*
 * uproc/port.h - what the freestanding messaging core (virtio, rpmsg) needs from
 * the system it runs on: one lock, a way to wait until woken or a deadline, a wake,
 * a monotonic clock, and optionally memory and a log line.
 *
 * The embedder fills a struct uproc_port and hands it to rpmsg_virtio_init();
 * the core never calls anything else. The host implementation (pthread mutex and
 * condition variable on CLOCK_MONOTONIC) is uproc_port_posix_new(), in the library
 * uproc_port_posix. Firmware supplies its own (an interrupt mask for the lock, WFI
 * for the wait, a timer for now(), a static pool for alloc()).
 *
 * Freestanding: only <stddef.h> and <stdint.h>.
 */
#ifndef UPROC_PORT_H
#define UPROC_PORT_H

#include <stddef.h>
#include <stdint.h>

/* A deadline that never comes. */
#define UPROC_PORT_FOREVER UINT64_MAX

/** enum uproc_log_level - how loud a log line is. */
enum uproc_log_level {
	UPROC_LOG_ERR = 3,
	UPROC_LOG_WARN = 4,
	UPROC_LOG_INFO = 6,
	UPROC_LOG_DEBUG = 7,
};

/**
 * struct uproc_port - the services of the system the core runs on.
 * @ctx:    passed back as the first argument of every hook (public).
 * @lock:   take the port's one lock (a non-recursive mutex). Required.
 * @unlock: release it. Required.
 * @wait:   called with the lock held: atomically release it, sleep until @wake is
 *          called or now() >= @deadline_ns (UPROC_PORT_FOREVER: no deadline), take
 *          the lock again. Returns 0 when woken (spurious wake-ups are allowed: the
 *          core re-checks its condition) or -ETIMEDOUT once the deadline has passed.
 *          Required for blocking sends and for rpmsg_destroy_ept() waiting out a
 *          running callback; without it those return -ENOSYS / do not wait.
 * @wake:   wake every waiter of @wait. Called with or without the lock held. Required
 *          when @wait is given.
 * @now:    monotonic time in nanoseconds. Required when @wait is given.
 * @alloc:  optional: @size bytes aligned for any object, or NULL. Used for channels
 *          created by name-service announcements, endpoint-table growth and, when
 *          the embedder gives no storage, the device's own state.
 * @free:   optional: release what @alloc returned (NULL is ignored).
 * @log:    optional: one line of text, without a trailing newline. The core limits
 *          the rate of the warnings a peer can provoke.
 *
 * The struct is read, never written, by the core; it must outlive every device
 * that uses it.
 */
struct uproc_port {
	void *ctx;
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	int (*wait)(void *ctx, uint64_t deadline_ns);
	void (*wake)(void *ctx);
	uint64_t (*now)(void *ctx);
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);
	void (*log)(void *ctx, enum uproc_log_level level, const char *msg);
};

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
/**
 * uproc_port_posix_new() - a host port: a pthread mutex, a condition variable on
 * CLOCK_MONOTONIC, malloc/free, and log lines on stderr at WARN and above.
 * @out: receives the port; free it with uproc_port_posix_free().
 *
 * Each call returns an independent port (its own lock): one per device keeps
 * devices independent. Library: uproc_port_posix.
 *
 * Return: 0, or -ENOMEM / the pthread error negated.
 */
int uproc_port_posix_new(struct uproc_port **out);

/**
 * uproc_port_posix_free() - destroy a port from uproc_port_posix_new().
 * @port: the port, or NULL. Nobody may hold or wait on it any more.
 */
void uproc_port_posix_free(struct uproc_port *port);

/**
 * uproc_port_posix_set_log_level() - log lines at @level and louder (lower
 * numbers); default UPROC_LOG_WARN. UPROC_LOG_ERR - 1 silences the port.
 */
void uproc_port_posix_set_log_level(struct uproc_port *port, int level);

/**
 * uproc_port_posix_set_log() - send the port's log lines (at its level and louder)
 * to @fn instead of stderr; NULL restores stderr. The remoteproc core joins a
 * vdev's rpmsg lines to its loop's sink this way (uproc/loop.h). @fn may run with
 * the port's lock held: it must not call back into the rpmsg device.
 */
void uproc_port_posix_set_log(struct uproc_port *port,
			      void (*fn)(void *arg, enum uproc_log_level level, const char *msg),
			      void *arg);
#endif

#endif /* UPROC_PORT_H */
