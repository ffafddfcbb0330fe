/* SPDX-License-Identifier: MIT */
/*
 * port_posix.c - the host's struct uproc_port: a pthread mutex, a condition
 * variable on CLOCK_MONOTONIC, malloc/free, stderr logging.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hostutil.h"
#include "uproc/port.h"

struct port_posix {
	struct uproc_port port; /* first: the public handle */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int log_level;
	void (*log_fn)(void *arg, enum uproc_log_level level, const char *msg);
	void *log_arg;
};

static void pp_lock(void *ctx)
{
	struct port_posix *p = ctx;
	pthread_mutex_lock(&p->mu);
}

static void pp_unlock(void *ctx)
{
	struct port_posix *p = ctx;
	pthread_mutex_unlock(&p->mu);
}

static uint64_t pp_now(void *ctx)
{
	(void)ctx;
	return upi_now_ns();
}

static int pp_wait(void *ctx, uint64_t deadline_ns)
{
	struct port_posix *p = ctx;
	if (deadline_ns == UPROC_PORT_FOREVER) {
		pthread_cond_wait(&p->cv, &p->mu);
		return 0;
	}
	if (pp_now(ctx) >= deadline_ns)
		return -ETIMEDOUT;
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};
	int r = pthread_cond_timedwait(&p->cv, &p->mu, &ts);
	return r == ETIMEDOUT ? -ETIMEDOUT : 0;
}

static void pp_wake(void *ctx)
{
	struct port_posix *p = ctx;
	pthread_cond_broadcast(&p->cv);
}

static void *pp_alloc(void *ctx, size_t size)
{
	(void)ctx;
	return malloc(size ? size : 1);
}

static void pp_free(void *ctx, void *ptr)
{
	(void)ctx;
	free(ptr);
}

static void pp_log(void *ctx, enum uproc_log_level level, const char *msg)
{
	struct port_posix *p = ctx;
	if ((int)level > p->log_level)
		return;
	if (p->log_fn)
		p->log_fn(p->log_arg, level, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

int uproc_port_posix_new(struct uproc_port **out)
{
	struct port_posix *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_condattr_t ca;
	int r = pthread_condattr_init(&ca);
	if (r)
		goto free_port;
	r = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (r)
		goto destroy_attr;
	r = pthread_cond_init(&p->cv, &ca);
	if (r)
		goto destroy_attr;
	r = pthread_mutex_init(&p->mu, NULL);
	if (r)
		goto destroy_cond;
	pthread_condattr_destroy(&ca);
	p->log_level = UPROC_LOG_WARN;
	p->port = (struct uproc_port){
		.ctx = p,
		.lock = pp_lock,
		.unlock = pp_unlock,
		.wait = pp_wait,
		.wake = pp_wake,
		.now = pp_now,
		.alloc = pp_alloc,
		.free = pp_free,
		.log = pp_log,
	};
	*out = &p->port;
	return 0;

destroy_cond:
	pthread_cond_destroy(&p->cv);
destroy_attr:
	pthread_condattr_destroy(&ca);
free_port:
	free(p);
	return -r;
}

void uproc_port_posix_free(struct uproc_port *port)
{
	if (!port)
		return;
	struct port_posix *p = port->ctx;
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p);
}

void uproc_port_posix_set_log_level(struct uproc_port *port, int level)
{
	if (port)
		((struct port_posix *)port->ctx)->log_level = level;
}

void uproc_port_posix_set_log(struct uproc_port *port,
			      void (*fn)(void *arg, enum uproc_log_level level, const char *msg),
			      void *arg)
{
	struct port_posix *p;

	if (!port)
		return;
	p = port->ctx;
	p->log_fn = fn;
	p->log_arg = arg;
}
