/* SPDX-License-Identifier: MIT */
/*
 * oncall.c - hand work from FUSE's threads to the loop thread and wait for it.
 *
 * The queue lives here, not in the loop's defer list: a call that the loop never
 * runs (the daemon stops) is still completed, with -ESHUTDOWN, so no FUSE thread
 * waits forever.
 */
#include <errno.h>
#include <pthread.h>

#include "daemon.h"
#include "uproc/loop.h"

static void run_calls(struct uproc_loop *loop, void *arg)
{
	struct uprocd *d = arg;

	pthread_mutex_lock(&d->lock);
	while (d->calls) {
		struct uprocd_call *c = d->calls;
		d->calls = c->next;
		pthread_mutex_unlock(&d->lock);
		int r = c->fn(c->arg);
		pthread_mutex_lock(&d->lock);
		c->result = r;
		c->done = true;
		pthread_cond_broadcast(&d->call_done);
	}
	pthread_mutex_unlock(&d->lock);
}

int uprocd_call_on_loop(struct uprocd *d, int (*fn)(void *arg), void *arg)
{
	struct uprocd_call call = { .fn = fn, .arg = arg };

	if (pthread_equal(pthread_self(), d->loop_thread))
		return fn(arg);

	pthread_mutex_lock(&d->lock);
	if (d->stopping) {
		pthread_mutex_unlock(&d->lock);
		return -ESHUTDOWN;
	}
	bool first = !d->calls;
	struct uprocd_call **tail = &d->calls;
	while (*tail)
		tail = &(*tail)->next;
	*tail = &call;
	if (first) {
		int r = uproc_loop_defer(d->loop, run_calls, d);
		if (r < 0) {
			d->calls = NULL;
			pthread_mutex_unlock(&d->lock);
			return r;
		}
	}
	while (!call.done)
		pthread_cond_wait(&d->call_done, &d->lock);
	pthread_mutex_unlock(&d->lock);
	return call.result;
}

void uprocd_calls_cancel(struct uprocd *d)
{
	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	while (d->calls) {
		struct uprocd_call *c = d->calls;
		d->calls = c->next;
		c->result = -ESHUTDOWN;
		c->done = true;
	}
	pthread_cond_broadcast(&d->call_done);
	pthread_mutex_unlock(&d->lock);
}
