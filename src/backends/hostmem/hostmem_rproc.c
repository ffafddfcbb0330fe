// SPDX-License-Identifier: MIT
/*
 * hostmem_rproc.c - the host-memory backend's struct rproc_ops and board: cores
 * are threads of this process, their memory plain (page-aligned) host memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "hostmem_internal.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"
#include "uproc/rsc_table.h"

/* The rproc's private storage: which core it drives. */
struct hm_priv {
	struct uproc_hostmem_core *core;
};

static struct uproc_hostmem_core *to_core(struct rproc *rproc)
{
	return ((struct hm_priv *)rproc_priv(rproc))->core;
}

/* ---- board ------------------------------------------------------------------------- */

int uproc_hostmem_new(struct uproc_hostmem **out)
{
	struct uproc_hostmem *board = calloc(1, sizeof(*board));

	if (!board)
		return -ENOMEM;
	pthread_mutex_init(&board->lock, NULL);
	*out = board;
	return 0;
}

static void core_join(struct uproc_hostmem_core *core)
{
	pthread_mutex_lock(&core->lock);
	core->stop = true;
	pthread_cond_broadcast(&core->cond);
	pthread_mutex_unlock(&core->lock);
	if (core->thread_valid) {
		pthread_join(core->thread, NULL);
		core->thread_valid = false;
	}
}

static void core_free_memory(struct uproc_hostmem_core *core)
{
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		struct hm_region *r = &core->regions[i];

		if (r->used && !r->in_window && !r->alias)
			free(r->va);
		memset(r, 0, sizeof(*r));
	}
	core->window_used = 0;
	core->table = NULL;
}

void uproc_hostmem_free(struct uproc_hostmem *board)
{
	if (!board)
		return;
	while (board->cores) {
		struct uproc_hostmem_core *core = board->cores;

		board->cores = core->next;
		core_join(core);
		core_free_memory(core);
		free(core->window);
		close(core->efd);
		pthread_mutex_destroy(&core->lock);
		pthread_cond_destroy(&core->cond);
		free(core);
	}
	pthread_mutex_destroy(&board->lock);
	free(board);
}

static struct uproc_hostmem_core *board_core(struct uproc_hostmem *board,
					     const struct uproc_hostmem_config *cfg)
{
	struct uproc_hostmem_core *core;

	pthread_mutex_lock(&board->lock);
	for (core = board->cores; core; core = core->next)
		if (!strcmp(core->name, cfg->name))
			break;
	if (core) {
		/* A new host of an existing core may bring a new firmware main. */
		core->main = cfg->main;
		core->arg = cfg->arg;
		core->handle_rsc = cfg->handle_rsc;
		pthread_mutex_unlock(&board->lock);
		return core;
	}
	core = calloc(1, sizeof(*core));
	if (!core)
		goto unlock;
	core->window_size = cfg->window_size ? cfg->window_size : UPROC_HOSTMEM_WINDOW_SIZE;
	core->window_size = (size_t)upi_page_align(core->window_size);
	core->window = aligned_alloc(UPI_PAGE_SIZE, core->window_size);
	core->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!core->window || core->efd < 0) {
		free(core->window);
		if (core->efd >= 0)
			close(core->efd);
		free(core);
		core = NULL;
		goto unlock;
	}
	memset(core->window, 0, core->window_size);
	snprintf(core->name, sizeof(core->name), "%s", cfg->name);
	core->main = cfg->main;
	core->arg = cfg->arg;
	core->handle_rsc = cfg->handle_rsc;
	core->board = board;
	pthread_mutex_init(&core->lock, NULL);
	pthread_cond_init(&core->cond, NULL);
	core->next = board->cores;
	board->cores = core;
unlock:
	pthread_mutex_unlock(&board->lock);
	return core;
}

/* ---- the host's doorbell --------------------------------------------------------------- */

static void hm_doorbell(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct uproc_hostmem_core *core = arg;
	struct rproc *rproc;
	uint64_t v, bits;
	int crash;

	(void)loop;
	(void)events;
	while (read(fd, &v, sizeof(v)) == sizeof(v))
		;
	pthread_mutex_lock(&core->lock);
	rproc = core->rproc;
	pthread_mutex_unlock(&core->lock);
	if (!rproc)
		return;
	crash = atomic_exchange(&core->crash_code, 0);
	bits = atomic_exchange(&core->to_host, 0);
	for (unsigned int i = 0; bits && i < 64; i++) {
		if (!(bits & (1ull << i)))
			continue;
		bits &= ~(1ull << i);
		rproc_vq_interrupt(rproc, i == 63 ? -1 : (int)i);
	}
	if (crash)
		rproc_report_crash(rproc, RPROC_FATAL_ERROR);
}

static void hm_watch(struct uproc_hostmem_core *core, struct rproc *rproc)
{
	pthread_mutex_lock(&core->lock);
	core->rproc = rproc;
	core->loop = rproc_get_loop(rproc);
	pthread_mutex_unlock(&core->lock);
	if (core->loop && !core->fd_watched &&
	    uproc_loop_add_fd(core->loop, core->efd, UPROC_LOOP_IN, hm_doorbell, core) == 0)
		core->fd_watched = true;
	/* Whatever the core rang while nobody listened is served at the next dispatch. */
	uint64_t one = 1;
	if (write(core->efd, &one, sizeof(one)) < 0) {
		/* a full counter already wakes the loop */
	}
}

static void hm_unwatch(struct uproc_hostmem_core *core)
{
	if (core->fd_watched)
		uproc_loop_del_fd(core->loop, core->efd);
	core->fd_watched = false;
	pthread_mutex_lock(&core->lock);
	core->rproc = NULL;
	pthread_mutex_unlock(&core->lock);
}

/* ---- the core's thread -------------------------------------------------------------------- */

static void *hm_thread(void *arg)
{
	struct uproc_hostmem_core *core = arg;
	int ret = core->main(core, core->arg);

	pthread_mutex_lock(&core->lock);
	core->running = false;
	core->exit_code = ret;
	if (ret != 0 && !core->stop) {
		int expected = 0;

		atomic_compare_exchange_strong(&core->crash_code, &expected, ret);
		uint64_t one = 1;
		if (write(core->efd, &one, sizeof(one)) < 0) {
			/* the counter is already non-zero */
		}
	}
	pthread_mutex_unlock(&core->lock);
	return NULL;
}

/* ---- ops ------------------------------------------------------------------------------------ */

static int hm_start(struct rproc *rproc)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	int ret;

	if (core->thread_valid)
		core_join(core);
	core->table = rproc_loaded_rsc_table(rproc, &core->table_size);
	core->order = rproc_get_byte_order(rproc);
	pthread_mutex_lock(&core->lock);
	core->stop = false;
	core->to_core = 0;
	core->exit_code = 0;
	core->running = true;
	core->boots++;
	pthread_mutex_unlock(&core->lock);
	atomic_store(&core->to_host, 0);
	atomic_store(&core->crash_code, 0);
	hm_watch(core, rproc);
	ret = pthread_create(&core->thread, NULL, hm_thread, core);
	if (ret) {
		core->running = false;
		hm_unwatch(core);
		return -ret;
	}
	core->thread_valid = true;
	return 0;
}

static int hm_stop(struct rproc *rproc)
{
	struct uproc_hostmem_core *core = to_core(rproc);

	core_join(core);
	hm_unwatch(core);
	return 0;
}

static void hm_kick(struct rproc *rproc, int vqid)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	unsigned int bit = vqid < 0 || vqid >= 63 ? 63 : (unsigned int)vqid;

	pthread_mutex_lock(&core->lock);
	core->to_core |= 1ull << bit;
	pthread_cond_broadcast(&core->cond);
	pthread_mutex_unlock(&core->lock);
}

static int hm_mem_alloc(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	struct hm_region *r = NULL;
	size_t len = (size_t)upi_page_align(mem->len);

	if (!mem->len || len < mem->len)
		return -EINVAL;
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		if (!core->regions[i].used) {
			r = &core->regions[i];
			break;
		}
	}
	if (!r)
		return -ENOSPC;
	if (mem->da == RPROC_RSC_ADDR_ANY) {
		if (len > core->window_size - core->window_used)
			return -ENOMEM;
		r->va = core->window + core->window_used;
		r->da = UPROC_HOSTMEM_WINDOW_DA + core->window_used;
		r->in_window = true;
		core->window_used += len;
	} else {
		for (int i = 0; i < HM_MAX_REGIONS; i++) {
			const struct hm_region *o = &core->regions[i];

			if (!o->used || o->alias)
				continue;
			/* Wholly inside a region (a trace carveout in the RAM): share it. */
			if (mem->da >= o->da && mem->len <= o->len &&
			    mem->da - o->da <= o->len - mem->len) {
				r->va = o->va + (mem->da - o->da);
				r->da = mem->da;
				r->len = mem->len;
				r->alias = true;
				r->used = true;
				snprintf(r->name, sizeof(r->name), "%s", mem->name);
				mem->va = r->va;
				mem->priv = r;
				return 0;
			}
			if (mem->da < o->da + o->len && o->da < mem->da + len)
				return -EADDRINUSE;
		}
		r->va = aligned_alloc(UPI_PAGE_SIZE, len);
		if (!r->va)
			return -ENOMEM;
		r->da = mem->da;
		r->in_window = false;
	}
	memset(r->va, 0, len);
	r->len = len;
	r->used = true;
	snprintf(r->name, sizeof(r->name), "%s", mem->name);
	mem->va = r->va;
	mem->da = r->da;
	mem->priv = r;
	return 0;
}

static int hm_mem_release(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	struct hm_region *r = mem->priv;
	bool any_used = false;

	/* A detached core keeps running on its memory; a new host will adopt it. */
	if (core->running)
		return 0;
	if (!r || r < core->regions || r >= core->regions + HM_MAX_REGIONS || !r->used)
		return -EINVAL;
	if (!r->in_window && !r->alias)
		free(r->va);
	memset(r, 0, sizeof(*r));
	for (int i = 0; i < HM_MAX_REGIONS; i++)
		any_used |= core->regions[i].used;
	if (!any_used) {
		core->window_used = 0;
		core->table = NULL;
	}
	return 0;
}

static int hm_detach(struct rproc *rproc)
{
	hm_unwatch(to_core(rproc));
	return 0;
}

static int hm_probe_running(struct rproc *rproc)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	int running;

	pthread_mutex_lock(&core->lock);
	running = core->running && !core->rproc && core->table;
	pthread_mutex_unlock(&core->lock);
	return running;
}

static int hm_attach(struct rproc *rproc)
{
	struct uproc_hostmem_core *core = to_core(rproc);

	if (!core->running)
		return -ENODEV;
	for (int i = 0; i < HM_MAX_REGIONS; i++) {
		struct hm_region *r = &core->regions[i];
		struct rproc_mem_entry *mem;

		if (!r->used)
			continue;
		mem = calloc(1, sizeof(*mem));
		if (!mem)
			return -ENOMEM;
		snprintf(mem->name, sizeof(mem->name), "%s", r->name);
		mem->va = r->va;
		mem->da = r->da;
		mem->len = r->len;
		mem->fd = -1;
		mem->priv = r;
		rproc_add_carveout(rproc, mem);
	}
	rproc_set_byte_order(rproc, core->order);
	hm_watch(core, rproc);
	return 0;
}

static void *hm_get_loaded_rsc_table(struct rproc *rproc, size_t *size)
{
	struct uproc_hostmem_core *core = to_core(rproc);

	*size = core->table_size;
	return core->table;
}

/* One note, name "UPROC", type 1: the main's exit code and the boot count. */
static ssize_t hm_coredump_notes(struct rproc *rproc, void *buf, size_t len)
{
	struct uproc_hostmem_core *core = to_core(rproc);
	const size_t need = 12 + 8 + 8;
	uint8_t *p = buf;

	if (!buf)
		return (ssize_t)need;
	if (len < need)
		return -ENOSPC;
	memset(p, 0, need);
	uproc_put32(p, 6, uproc_host_byte_order());	/* namesz incl. NUL */
	uproc_put32(p + 4, 8, uproc_host_byte_order());	/* descsz */
	uproc_put32(p + 8, 1, uproc_host_byte_order());	/* type */
	memcpy(p + 12, "UPROC", 6);
	uproc_put32(p + 20, (uint32_t)core->exit_code, uproc_host_byte_order());
	uproc_put32(p + 24, core->boots, uproc_host_byte_order());
	return (ssize_t)need;
}

static int hm_handle_rsc(struct rproc *rproc, uint32_t rsc_type, void *rsc, int offset, int avail)
{
	struct uproc_hostmem_core *core = to_core(rproc);

	if (!core->handle_rsc)
		return RPROC_RSC_IGNORED;
	return core->handle_rsc(rproc, rsc_type, rsc, offset, avail, core->arg);
}

static const struct rproc_ops hostmem_ops = {
	.handle_rsc = hm_handle_rsc,
	.start = hm_start,
	.stop = hm_stop,
	.attach = hm_attach,
	.detach = hm_detach,
	.kick = hm_kick,
	.mem_alloc = hm_mem_alloc,
	.mem_release = hm_mem_release,
	.get_loaded_rsc_table = hm_get_loaded_rsc_table,
	.probe_running = hm_probe_running,
	.coredump_notes = hm_coredump_notes,
};

struct rproc *uproc_hostmem_rproc_alloc(struct uproc_hostmem *board, struct uproc_loop *loop,
					const struct uproc_hostmem_config *cfg,
					const char *firmware)
{
	struct uproc_hostmem_core *core;
	struct rproc *rproc;

	if (!board || !cfg || !cfg->name || !*cfg->name || strlen(cfg->name) >= HM_NAME_MAX ||
	    !cfg->main)
		return NULL;
	UPI_ON_LOOP_THREAD(loop, cfg->name);
	core = board_core(board, cfg);
	if (!core)
		return NULL;
	rproc = rproc_alloc(cfg->name, &hostmem_ops, firmware, sizeof(struct hm_priv), loop);
	if (!rproc)
		return NULL;
	((struct hm_priv *)rproc_priv(rproc))->core = core;
	return rproc;
}
