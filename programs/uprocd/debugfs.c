/* SPDX-License-Identifier: MIT */
/*
 * debugfs.c - contents of the debug files and the devcoredump files, from the
 * remoteproc core's views (formats: the kernel's remoteproc_debugfs.c).
 *
 * Called from FUSE's threads and from the loop: each public function runs its
 * body on the loop thread (uproc_loop_call(), at once when already there).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

/* Render with an snprintf-like view function that returns the full length. */
static int render_view(struct rproc *rproc, int (*view)(struct rproc *, char *, size_t),
		       struct uprocd_text *t)
{
	char probe[1];
	int n = view(rproc, probe, sizeof(probe));

	if (n < 0)
		return n;
	char *buf = malloc((size_t)n + 1);
	if (!buf)
		return -ENOMEM;
	int m = view(rproc, buf, (size_t)n + 1);
	if (m >= 0)
		m = uprocd_text_append(t, buf, (size_t)(m < n ? m : n));
	free(buf);
	return m < 0 ? m : 0;
}

/* The arguments and result of one of the functions below, run on the loop. */
struct debug_call {
	struct uprocd *d;
	struct uprocd_proc *p;
	enum uprocd_debug_file f;
	unsigned int idx;
	struct uprocd_text *t;
	void *buf;
	size_t size;
	uint64_t off;
	unsigned int *proc_index;
	ssize_t result;
};

static int debug_render_on_loop(void *arg)
{
	struct debug_call *c = arg;
	struct uprocd_proc *p = c->p;
	struct uprocd_text *t = c->t;
	unsigned int idx = c->idx;

	switch (c->f) {
	case UPROCD_DEBUG_RESOURCE_TABLE:
		return render_view(p->rproc, rproc_rsc_table_show, t);
	case UPROCD_DEBUG_CARVEOUTS:
		return render_view(p->rproc, rproc_carveouts_dump, t);
	case UPROCD_DEBUG_TRACE: {
		/* A trace buffer is at most its carveout's length; grow until it fits. */
		for (size_t cap = 4096; cap <= (64u << 20); cap *= 4) {
			char *buf = malloc(cap);
			if (!buf)
				return -ENOMEM;
			ssize_t n = rproc_trace_read(p->rproc, idx, buf, cap);
			if (n >= 0 && (size_t)n < cap - 1) {
				int r = uprocd_text_append(t, buf, (size_t)n);
				free(buf);
				return r;
			}
			free(buf);
			if (n < 0)
				return (int)n;
		}
		return -EFBIG;
	}
	}
	return -EINVAL;
}

int uprocd_debug_render(struct uprocd_proc *p, enum uprocd_debug_file f, unsigned int idx,
			struct uprocd_text *t)
{
	struct debug_call c = { .p = p, .f = f, .idx = idx, .t = t };

	return uproc_loop_call(p->d->loop, debug_render_on_loop, &c);
}

static int trace_count_on_loop(void *arg)
{
	struct uprocd_proc *p = arg;

	return rproc_trace_count(p->rproc);
}

unsigned int uprocd_debug_trace_count(struct uprocd_proc *p)
{
	int n = uproc_loop_call(p->d->loop, trace_count_on_loop, p);
	return n > 0 ? (unsigned int)n : 0;
}

struct uprocd_proc *uprocd_dump_proc(struct uprocd *d, unsigned int id)
{
	struct uprocd_proc *found = NULL;

	if (id == 0)
		return NULL;
	pthread_mutex_lock(&d->lock);
	for (unsigned int i = 0; i < d->n_procs && !found; i++)
		if (d->procs[i].dump_id == id)
			found = &d->procs[i];
	pthread_mutex_unlock(&d->lock);
	return found;
}

static int dump_size_on_loop(void *arg)
{
	struct debug_call *c = arg;
	struct uprocd_proc *p = uprocd_dump_proc(c->d, c->idx);

	if (!p)
		return -ENOENT;
	if (c->proc_index)
		*c->proc_index = p->index;
	c->result = rproc_coredump_size(p->rproc);
	return 0;
}

ssize_t uprocd_dump_size(struct uprocd *d, unsigned int id, unsigned int *proc_index)
{
	struct debug_call c = { .d = d, .idx = id, .proc_index = proc_index };
	int r = uproc_loop_call(d->loop, dump_size_on_loop, &c);

	return r < 0 ? r : c.result;
}

static int dump_read_on_loop(void *arg)
{
	struct debug_call *c = arg;
	struct uprocd_proc *p = uprocd_dump_proc(c->d, c->idx);

	if (!p)
		return -ENOENT;
	c->result = rproc_coredump_read(p->rproc, c->buf, c->size, c->off);
	return 0;
}

ssize_t uprocd_dump_read(struct uprocd *d, unsigned int id, void *buf, size_t size,
			 uint64_t off)
{
	struct debug_call c = { .d = d, .idx = id, .buf = buf, .size = size, .off = off };
	int r = uproc_loop_call(d->loop, dump_read_on_loop, &c);

	return r < 0 ? r : c.result;
}

static int dump_inline_on_loop(void *arg)
{
	struct debug_call *c = arg;
	struct uprocd_proc *p = uprocd_dump_proc(c->d, c->idx);

	return p && rproc_get_coredump(p->rproc) == RPROC_COREDUMP_INLINE;
}

bool uprocd_dump_inline(struct uprocd *d, unsigned int id)
{
	struct debug_call c = { .d = d, .idx = id };

	return uproc_loop_call(d->loop, dump_inline_on_loop, &c) > 0;
}

static int dump_release_on_loop(void *arg)
{
	struct debug_call *c = arg;
	struct uprocd_proc *p = uprocd_dump_proc(c->d, c->idx);

	if (!p)
		return -ENOENT;
	pthread_mutex_lock(&c->d->lock);
	if (p->dump_id == c->idx)
		p->dump_id = 0;
	pthread_mutex_unlock(&c->d->lock);
	return rproc_coredump_release(p->rproc);
}

int uprocd_dump_release(struct uprocd *d, unsigned int id)
{
	struct debug_call c = { .d = d, .idx = id };

	return uproc_loop_call(d->loop, dump_release_on_loop, &c);
}
