/* SPDX-License-Identifier: MIT */
/*
 * debugfs.c - contents of the debug files and the devcoredump files, from the
 * remoteproc core's views (formats: the kernel's remoteproc_debugfs.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
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

int uprocd_debug_render(struct uprocd_proc *p, enum uprocd_debug_file f, unsigned int idx,
			struct uprocd_text *t)
{
	switch (f) {
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

unsigned int uprocd_debug_trace_count(struct uprocd_proc *p)
{
	int n = rproc_trace_count(p->rproc);
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

ssize_t uprocd_dump_size(struct uprocd *d, unsigned int id, unsigned int *proc_index)
{
	struct uprocd_proc *p = uprocd_dump_proc(d, id);

	if (!p)
		return -ENOENT;
	if (proc_index)
		*proc_index = p->index;
	return rproc_coredump_size(p->rproc);
}

ssize_t uprocd_dump_read(struct uprocd *d, unsigned int id, void *buf, size_t size,
			 uint64_t off)
{
	struct uprocd_proc *p = uprocd_dump_proc(d, id);

	if (!p)
		return -ENOENT;
	return rproc_coredump_read(p->rproc, buf, size, off);
}

int uprocd_dump_release(struct uprocd *d, unsigned int id)
{
	struct uprocd_proc *p = uprocd_dump_proc(d, id);

	if (!p)
		return -ENOENT;
	pthread_mutex_lock(&d->lock);
	if (p->dump_id == id)
		p->dump_id = 0;
	pthread_mutex_unlock(&d->lock);
	return rproc_coredump_release(p->rproc);
}
