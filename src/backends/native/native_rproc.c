// SPDX-License-Identifier: MIT
/*
 * native_rproc.c - the native core as a remoteproc backend (struct rproc_ops).
 *
 * Memories: every memory the core allocates (carveouts, vrings, vdev buffers) and
 * the backend's RAM is a sealed memfd region (native_region.c); the rproc_mem_entry's
 * priv points to its struct native_mem. A fixed-address request that falls inside
 * a region already there (a carveout declared inside the RAM) is an alias of it.
 * Requests with RPROC_RSC_ADDR_ANY are placed first-fit in the backend's window.
 *
 * Events: the core's doorbell eventfd and its pidfd are watched in the rproc's loop.
 * A doorbell takes the mailbox bits and calls rproc_vq_interrupt() for each kicked
 * notifyid (a ring without bits: every notifyid), then polls the mailbox for up to
 * host_spin_ns before it goes back to the loop; a remote that keeps ringing gets
 * NATIVE_DOORBELL_ROUNDS rounds, then the loop serves its other events first. A readable pidfd is the core's end:
 * it is collected, the record removed, and reported as a crash (SIGSEGV/SIGBUS as
 * an MMU fault, anything else as a fatal error).
 *
 * Threading: lifecycle hooks add and remove loop fds, so the rproc's lifecycle calls
 * must run on the loop's thread or while no other thread dispatches the loop (the
 * rule of uproc/loop.h). Recovery runs on the loop thread.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "native_internal.h"
#include "uproc/emulated.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"
#include "uproc/rsc_table.h"

#define NATIVE_RPROC_MAGIC 0x4e415456u /* "NATV" */
/* Most notifyids tried when a ring names no queue. */
#define NATIVE_MAX_NOTIFYID 1024
/* How long a crashed core that still runs may take to record its registers. */
#define NATIVE_TAKE_REGS_MS 1000
/* Doorbell rounds served per wake-up before the loop gets its other events. */
#define NATIVE_DOORBELL_ROUNDS 32

/* A region this backend provides; the rproc_mem_entry's priv. */
struct native_mem {
	struct native_region region; /* alias: fd -1, va inside its parent */
	bool alias;
	struct native_mem *next;
};

struct native_rproc {
	uint32_t magic;
	struct rproc *rproc;
	struct uproc_loop *loop;
	char name[UPROC_NATIVE_NAME_MAX + 1];
	uint64_t ram_da, ram_size, ctl_da, window_da, window_size;
	char stub_path[PATH_MAX];
	char emu_path[PATH_MAX];
	enum uproc_core_backend backend;
	bool emulated;	 /* the current core is an emulated one */
	bool big_endian; /* ... of a big-endian firmware */
	char registry_dir[PATH_MAX];
	int cpu;
	uint32_t host_spin_ns, core_spin_ns;
	uint32_t watchdog_ms;
	bool outlive_host;
	uint64_t tsc_khz;

	struct native_core core;
	int lock_fd;   /* the registry lock on our name while a core is ours, or -1 */
	bool recorded; /* the running core is in the registry (it can be detached) */
	bool running;  /* a core process is ours (spawned or attached) */
	uint64_t deferred_bits; /* taken at the round bound, served at the next wake-up */
	bool watching; /* its fds are in the loop */
	bool ending;   /* its fault record was seen: it was told to end */
	bool found_crashed; /* attached to a core that had crashed with no host */
	struct native_mem *mems;
	uint64_t rsc_da, rsc_size;
	struct uproc_native_exit last_exit;

	/* watchdog */
	int64_t wd_timer;  /* pending timer id, or 0 */
	uint64_t wd_last;  /* the heartbeat at the last check */
	bool wd_fired;     /* the core was found hung and made to dump its registers */
};

static void drop_lock(struct native_rproc *nr);
static void watchdog_stop(struct native_rproc *nr);

static struct native_rproc *to_native(struct rproc *rproc)
{
	return rproc_priv(rproc);
}

static void native_log(const struct native_rproc *nr, const char *what, int err,
		       const char *detail)
{
	rproc_log(nr->rproc, UPROC_LOG_ERR, "native core: %s: %s%s%s", what, strerror(-err),
		  detail && detail[0] ? ": " : "", detail ? detail : "");
}

/* ---- memories ---------------------------------------------------------------------- */

static size_t page_up(size_t n)
{
	return (size_t)upi_page_align(n);
}

static struct native_mem *find_containing(struct native_rproc *nr, uint64_t da, uint64_t len)
{
	for (struct native_mem *m = nr->mems; m; m = m->next)
		if (!m->alias && da >= m->region.da &&
		    uproc_range_ok(da - m->region.da, len, m->region.size))
			return m;
	return NULL;
}

static bool range_busy(struct native_rproc *nr, uint64_t da, uint64_t len)
{
	if (upi_native_regions_overlap(da, len, nr->ctl_da, UPROC_NATIVE_CTL_SIZE))
		return true;
	for (struct native_mem *m = nr->mems; m; m = m->next)
		if (!m->alias && upi_native_regions_overlap(da, len, m->region.da, m->region.size))
			return true;
	return false;
}

/* First fit in the window. Returns the da or UINT64_MAX. */
static uint64_t place_in_window(struct native_rproc *nr, uint64_t len)
{
	uint64_t da = nr->window_da;
	uint64_t end = nr->window_da + nr->window_size;

	while (da < end && len <= end - da) {
		bool moved = false;
		for (struct native_mem *m = nr->mems; m; m = m->next) {
			if (!m->alias &&
			    upi_native_regions_overlap(da, len, m->region.da, m->region.size)) {
				da = page_up(m->region.da + m->region.size);
				moved = true;
			}
		}
		if (!moved)
			return da;
	}
	return UINT64_MAX;
}

static uint32_t prot_for(const char *name)
{
	/* Rings and message buffers hold data only; other memories may hold code. */
	return strncmp(name, "vdev", 4) == 0 ? NATIVE_PROT_RW : NATIVE_PROT_RWX;
}

static int native_mem_alloc(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	struct native_rproc *nr = to_native(rproc);
	struct native_mem *m;
	struct native_mem *parent;
	uint64_t da = mem->da;
	size_t len = page_up(mem->len);
	int ret;

	if (!mem->len || len < mem->len)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;

	if (da == RPROC_RSC_ADDR_ANY) {
		da = place_in_window(nr, len);
		if (da == UINT64_MAX) {
			free(m);
			return -ENOMEM;
		}
	} else if ((parent = find_containing(nr, da, mem->len)) != NULL) {
		/* Inside a region already there (a carveout inside the RAM): share it. */
		upi_native_region_reset(&m->region);
		snprintf(m->region.name, sizeof(m->region.name), "%s", mem->name);
		m->region.da = da;
		m->region.size = mem->len;
		m->region.va = (uint8_t *)parent->region.va + (da - parent->region.da);
		m->alias = true;
		goto done;
	} else if ((da & (UPI_PAGE_SIZE - 1)) || range_busy(nr, da, len)) {
		free(m);
		return (da & (UPI_PAGE_SIZE - 1)) ? -EINVAL : -EADDRINUSE;
	}
	ret = upi_native_region_create(&m->region, mem->name, da, len, prot_for(mem->name));
	if (ret) {
		free(m);
		return ret;
	}
done:
	m->next = nr->mems;
	nr->mems = m;
	mem->va = m->region.va;
	mem->da = da;
	mem->fd = m->region.fd;
	mem->priv = m;
	return 0;
}

static int native_mem_release(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	struct native_rproc *nr = to_native(rproc);
	struct native_mem *m = mem->priv;

	if (!m)
		return 0;
	for (struct native_mem **pp = &nr->mems; *pp; pp = &(*pp)->next) {
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	}
	if (!m->alias)
		upi_native_region_destroy(&m->region);
	free(m);
	mem->priv = NULL;
	mem->va = NULL;
	mem->fd = -1;
	return 0;
}

/* Register @m with the core as memory the backend set up. */
/* Hand @m to the core as a carveout and link it into nr->mems; on failure nothing is linked. */
static int register_mem(struct native_rproc *nr, struct native_mem *m)
{
	struct rproc_mem_entry *mem = calloc(1, sizeof(*mem));

	if (!mem)
		return -ENOMEM;
	size_t n = strnlen(m->region.name, sizeof(mem->name) - 1);
	memcpy(mem->name, m->region.name, n);
	mem->name[n] = '\0';
	mem->va = m->region.va;
	mem->da = m->region.da;
	mem->len = m->region.size;
	mem->fd = m->region.fd;
	mem->priv = m;
	m->next = nr->mems;
	nr->mems = m;
	rproc_add_carveout(nr->rproc, mem); /* the core frees @mem, calls mem_release */
	return 0;
}

static int native_prepare(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);
	struct native_mem *m;
	int ret;

	/* Attaching: the memories come from the running core (native_attach). */
	if (rproc_get_state(rproc) == RPROC_DETACHED || !nr->ram_size)
		return 0;
	for (m = nr->mems; m; m = m->next)
		if (!strcmp(m->region.name, "ram"))
			return 0;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	ret = upi_native_region_create(&m->region, "ram", nr->ram_da, nr->ram_size, NATIVE_PROT_RWX);
	if (ret) {
		native_log(nr, "cannot create the RAM", ret, NULL);
		free(m);
		return ret;
	}
	ret = register_mem(nr, m);
	if (ret)
		goto destroy_region;
	return 0;

destroy_region:
	/* register_mem() links @m into nr->mems only once it cannot fail. */
	upi_native_region_destroy(&m->region);
	free(m);
	return ret;
}

/* ---- events ------------------------------------------------------------------------- */

static void serve_bits(struct native_rproc *nr, uint64_t bits)
{
	unsigned int from = 0;

	if (bits) {
		for (unsigned int n = 0; n < UPROC_NATIVE_MBOX_HIGH; n++)
			if (bits & (1ull << n))
				rproc_vq_interrupt(nr->rproc, (int)n);
		if (!(bits & (1ull << UPROC_NATIVE_MBOX_HIGH)))
			return;
		from = UPROC_NATIVE_MBOX_HIGH;
	}
	/* Every notifyid from @from up: they are given out contiguously from 0. */
	for (unsigned int n = from; n < NATIVE_MAX_NOTIFYID; n++)
		if (rproc_vq_interrupt(nr->rproc, (int)n) == -ENOENT)
			break;
}

/*
 * A core parks after a fault (its stub or emulator records it and rings): end it;
 * its death, seen on the pidfd, reports the crash with the record. True when the
 * core is ending.
 */
static bool end_if_faulted(struct native_rproc *nr)
{
	if (nr->ending)
		return true;
	if (!nr->core.ctl ||
	    !uproc_shm_load32(&nr->core.ctl->crash.valid, memory_order_acquire))
		return false;
	nr->ending = true;
	if (upi_native_core_signal(&nr->core, SIGKILL) != 0)
		native_log(nr, "cannot end the faulted core", -errno, NULL);
	return true;
}

static void on_doorbell(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct native_rproc *nr = arg;
	uint64_t bits;

	(void)loop;
	(void)fd;
	(void)events;
	if (!nr->running)
		return;
	if (end_if_faulted(nr)) {
		uint64_t count;
		(void)!read(nr->core.db_rx, &count, sizeof(count)); /* not again and again */
		return;
	}
	bits = upi_native_core_take(&nr->core) | nr->deferred_bits;
	nr->deferred_bits = 0;
	serve_bits(nr, bits);
	for (unsigned int round = 1; nr->running; round++) {
		if (round == NATIVE_DOORBELL_ROUNDS) {
			/*
			 * The remote keeps ringing: back to the loop, which comes here again
			 * after its other events. Marked asleep, the core rings the eventfd for
			 * what it queues from now on; what it queued meanwhile is kept, and the
			 * eventfd rung here so that this wake-up is not lost.
			 */
			bits = upi_native_core_spin_take(&nr->core, 0);
			if (bits) {
				uint64_t one = 1;

				nr->deferred_bits |= bits;
				(void)!write(nr->core.db_rx, &one, sizeof(one));
			}
			return;
		}
		bits = upi_native_core_spin_take(&nr->core, nr->host_spin_ns);
		if (!bits)
			return;
		serve_bits(nr, bits);
	}
}

static void unwatch(struct native_rproc *nr)
{
	if (!nr->watching)
		return;
	uproc_loop_del_fd(nr->loop, nr->core.db_rx);
	uproc_loop_del_fd(nr->loop, nr->core.pidfd);
	nr->watching = false;
}

static void on_death(struct uproc_loop *loop, int fd, uint32_t events, void *arg);

static int watch(struct native_rproc *nr)
{
	int ret = uproc_loop_add_fd(nr->loop, nr->core.db_rx, UPROC_LOOP_IN, on_doorbell, nr);
	if (ret)
		return ret;
	ret = uproc_loop_add_fd(nr->loop, nr->core.pidfd, UPROC_LOOP_IN, on_death, nr);
	if (ret) {
		uproc_loop_del_fd(nr->loop, nr->core.db_rx);
		return ret;
	}
	nr->watching = true;
	return 0;
}

/* One line saying how the core ended (the crash reason), from @ex. */
static void exit_reason(const struct native_rproc *nr, const struct uproc_native_exit *ex,
			char *buf, size_t len)
{
	const char *when = nr->found_crashed ? " while no host was attached" : "";

	if (ex->kind == UPROC_NATIVE_EXIT_FAULT && ex->crash.emu.machine)
		snprintf(buf, len, "%s at pc %#" PRIx32 ", address %#" PRIx32 "%s",
			 uproc_emu_reason_name(ex->crash.emu.reason), ex->crash.emu.pc,
			 ex->crash.emu.addr, when);
	else if (ex->kind == UPROC_NATIVE_EXIT_FAULT)
		snprintf(buf, len, "signal %d (%s) at rip %#" PRIx64 ", address %#" PRIx64 "%s",
			 ex->status, strsignal(ex->status), ex->crash.regs.rip, ex->crash.addr, when);
	else if (ex->kind == UPROC_NATIVE_EXIT_SIGNAL)
		snprintf(buf, len, "killed by signal %d (%s)%s%s", ex->status, strsignal(ex->status),
			 ex->status == SIGSYS ? ": a forbidden system call" : "", when);
	else if (ex->kind == UPROC_NATIVE_EXIT_CODE)
		snprintf(buf, len, "the firmware ended (status %d)%s", ex->status, when);
	else
		snprintf(buf, len, "the core ended%s", when);
}

static void on_death(struct uproc_loop *loop, int fd, uint32_t events, void *arg)
{
	struct native_rproc *nr = arg;
	struct uproc_native_exit ex;
	char reason[200];

	(void)loop;
	(void)fd;
	(void)events;
	if (!nr->running || upi_native_core_reap(&nr->core, &ex) != 1)
		return;
	watchdog_stop(nr);
	unwatch(nr);
	nr->last_exit = ex;
	upi_native_core_release(&nr->core);
	nr->running = false;
	nr->ending = false;
	if (nr->lock_fd >= 0)
		upi_native_registry_remove(nr->registry_dir, nr->name);
	drop_lock(nr);

	bool mmu = ex.kind == UPROC_NATIVE_EXIT_FAULT &&
		   (ex.status == SIGSEGV || ex.status == SIGBUS);
	exit_reason(nr, &ex, reason, sizeof(reason));
	nr->found_crashed = false;
	if (nr->wd_fired) {
		nr->wd_fired = false;
		rproc_log(nr->rproc, UPROC_LOG_ERR, "native core: the hung firmware was at %s %#" PRIx64,
			  ex.crash.emu.machine ? "pc" : "rip",
			  ex.crash.emu.machine ? (uint64_t)ex.crash.emu.pc : ex.crash.regs.rip);
		rproc_report_crash_reason(nr->rproc, RPROC_WATCHDOG, reason);
		return;
	}
	rproc_log(nr->rproc, UPROC_LOG_ERR, "%s core: %s", ex.crash.emu.machine ? "emulated" : "native",
		  reason);
	rproc_report_crash_reason(nr->rproc, mmu ? RPROC_MMUFAULT : RPROC_FATAL_ERROR, reason);
}

/* ---- watchdog ------------------------------------------------------------------------ */

static uint64_t heartbeat_of(struct native_rproc *nr)
{
	return uproc_shm_load64(&nr->core.ctl->heartbeat, memory_order_relaxed);
}

static void on_watchdog(struct uproc_loop *loop, void *arg)
{
	struct native_rproc *nr = arg;

	(void)loop;
	nr->wd_timer = 0;
	if (!nr->running || !nr->core.ctl)
		return;
	uint64_t beat = heartbeat_of(nr);
	/*
	 * Only a firmware that beats can be judged: until its first heartbeat it is
	 * not watched. A core asleep in the kernel (blocked on its doorbell: the
	 * mailbox's sleeping flag also reads 1 before the firmware first waits, so the
	 * process's state is asked), stopped by a signal or a debugger, or held by an
	 * emulated core's gdb stub (debug_state) is not hung.
	 */
	bool debugged = uproc_shm_load32(&nr->core.ctl->debug_state, memory_order_relaxed) != 0;
	char state = upi_native_proc_state(nr->core.pid);
	bool asleep = state != 'R';
	bool judged = beat != 0 && state != 0 && !debugged;
	if (judged && beat == nr->wd_last && !asleep) {
		/* Hung: make the stub record where it is; its death reports the crash. */
		rproc_log(nr->rproc, UPROC_LOG_ERR, "native core: watchdog: no progress in %u ms",
			  nr->watchdog_ms);
		nr->wd_fired = true;
		if (upi_native_core_signal(&nr->core, SIGTRAP) != 0)
			upi_native_core_signal(&nr->core, SIGKILL);
		return;
	}
	nr->wd_last = beat;
	int64_t id = uproc_loop_add_timer(nr->loop, nr->watchdog_ms, on_watchdog, nr);
	nr->wd_timer = id > 0 ? id : 0;
}

static void watchdog_start(struct native_rproc *nr)
{
	nr->wd_fired = false;
	if (!nr->watchdog_ms || nr->wd_timer)
		return;
	nr->wd_last = heartbeat_of(nr);
	int64_t id = uproc_loop_add_timer(nr->loop, nr->watchdog_ms, on_watchdog, nr);
	nr->wd_timer = id > 0 ? id : 0;
}

static void watchdog_stop(struct native_rproc *nr)
{
	if (nr->wd_timer)
		uproc_loop_cancel_timer(nr->loop, nr->wd_timer);
	nr->wd_timer = 0;
}

/* ---- lifecycle ----------------------------------------------------------------------- */

/* One host drives a core name at a time (the registry lock; see native_registry.c). */
static int take_lock(struct native_rproc *nr)
{
	if (nr->lock_fd >= 0 || !nr->outlive_host)
		return 0; /* a core that dies with its host is in no registry */
	int fd = upi_native_registry_lock(nr->registry_dir, nr->name);
	if (fd == -EBUSY) {
		native_log(nr, "another host drives a core of this name", fd, nr->registry_dir);
		return fd;
	}
	if (fd < 0) {
		/* No usable registry (e.g. no right to write there): the core runs, but
		 * cannot be detached from or attached to. */
		native_log(nr, "no registry: the core cannot be detached", fd, nr->registry_dir);
		return 0;
	}
	nr->lock_fd = fd;
	return 0;
}

static void drop_lock(struct native_rproc *nr)
{
	upi_native_registry_unlock(nr->registry_dir, nr->name, nr->lock_fd);
	nr->lock_fd = -1;
}

/* The device address of host pointer @va inside one of our regions. */
static uint64_t va_to_da(struct native_rproc *nr, const void *va, size_t len)
{
	const uint8_t *p = va;

	for (struct native_mem *m = nr->mems; m; m = m->next) {
		const uint8_t *base = m->region.va;
		if (base && p >= base && uproc_range_ok((uint64_t)(p - base), len, m->region.size))
			return m->region.da + (uint64_t)(p - base);
	}
	return UINT64_MAX;
}

static int write_record(struct native_rproc *nr)
{
	struct native_record *rec = calloc(1, sizeof(*rec));
	size_t size = 0;
	int ret;

	if (!rec)
		return -ENOMEM;
	snprintf(rec->name, sizeof(rec->name), "%s", nr->name);
	upi_native_core_record(&nr->core, rec);
	rec->entry = rproc_get_boot_addr(nr->rproc);
	void *table = rproc_loaded_rsc_table(nr->rproc, &size);
	uint64_t da = table ? va_to_da(nr, table, size) : UINT64_MAX;
	if (da != UINT64_MAX) {
		rec->rsc_da = da;
		rec->rsc_size = size;
	}
	rproc_get_firmware(nr->rproc, rec->firmware, sizeof(rec->firmware));
	ret = 0;
	for (struct native_mem *m = nr->mems; m; m = m->next) {
		if (m->alias)
			continue;
		if (rec->nregions >= NATIVE_MAX_REGIONS) {
			ret = -E2BIG;
			break;
		}
		rec->regions[rec->nregions++] = m->region;
	}
	if (!ret)
		ret = upi_native_registry_write(nr->registry_dir, rec);
	free(rec);
	return ret;
}

static int native_start(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);
	const struct native_region *regions[NATIVE_MAX_REGIONS];
	unsigned int n = 0;
	char err[NATIVE_ERR_MAX] = "";
	int ret;

	if (nr->running)
		return -EBUSY;
	for (struct native_mem *m = nr->mems; m; m = m->next) {
		if (m->alias)
			continue;
		if (n >= NATIVE_MAX_REGIONS)
			return -E2BIG;
		regions[n++] = &m->region;
	}
	unsigned int elf_class = 0;
	uint16_t machine = rproc_get_machine(rproc, &elf_class);
	char fw[256] = "";
	rproc_get_firmware(rproc, fw, sizeof(fw));
	ret = upi_native_backend_choose(nr->backend, machine, elf_class, fw, err, sizeof(err));
	if (ret < 0) {
		rproc_log(nr->rproc, UPROC_LOG_ERR, "%s", err);
		return ret;
	}
	nr->emulated = ret == UPROC_BACKEND_EMULATED;
	nr->big_endian = rproc_get_byte_order(rproc) == UPROC_BIG_ENDIAN;
	ret = take_lock(nr);
	if (ret)
		return ret;
	if (!nr->tsc_khz)
		nr->tsc_khz = upi_native_tsc_khz();
	struct native_spawn sp = {
		.stub_path = nr->emulated ? nr->emu_path : nr->stub_path,
		.ctl_da = nr->ctl_da,
		.regions = regions,
		.nregions = n,
		.entry = rproc_get_boot_addr(rproc),
		.cpu = nr->cpu,
		.tsc_khz = nr->tsc_khz,
		.spin_ns = nr->core_spin_ns,
		.timeout_ms = UPI_NATIVE_SPAWN_TIMEOUT_MS,
		.machine = !nr->emulated ? NULL
			   : machine == EM_ARM ? "arm" : machine == EM_RISCV ? "riscv" : "mips",
		.big_endian = nr->big_endian,
		.die_with_host = !nr->outlive_host,
	};
	ret = upi_native_core_spawn(&nr->core, &sp, err, sizeof(err));
	if (ret) {
		native_log(nr, "cannot start the core", ret, err);
		drop_lock(nr);
		return ret;
	}
	ret = watch(nr);
	if (ret)
		goto kill;
	nr->running = true;
	nr->ending = false;
	nr->found_crashed = false;
	nr->recorded = false;
	if (nr->lock_fd >= 0) {
		ret = write_record(nr);
		if (ret)
			native_log(nr, "cannot record the core: it cannot be detached", ret,
				   nr->registry_dir);
		nr->recorded = ret == 0;
	}
	watchdog_start(nr);
	return 0;

kill:
	upi_native_core_kill(&nr->core, NULL);
	drop_lock(nr);
	return ret;
}

static int native_stop(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);
	struct uproc_native_exit ex;
	int ret;

	if (!nr->running)
		return 0; /* it already ended (a crash): nothing left to stop */
	watchdog_stop(nr);
	unwatch(nr);
	/*
	 * Crashed while it still runs (a report from the debugfs crash file, a broken
	 * ring, a host): its registers go into the coredump as a fault's would.
	 */
	if (rproc_get_state(rproc) == RPROC_CRASHED)
		upi_native_core_take_regs(&nr->core, NATIVE_TAKE_REGS_MS);
	ret = upi_native_core_kill(&nr->core, &ex);
	nr->running = false;
	if (!ret)
		nr->last_exit = ex;
	if (nr->lock_fd >= 0)
		upi_native_registry_remove(nr->registry_dir, nr->name);
	drop_lock(nr);
	return ret;
}

static int native_attach(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);
	struct native_record *rec;
	struct native_region *regions;
	char err[NATIVE_ERR_MAX] = "";
	int ret;

	if (nr->running)
		return -EBUSY;
	rec = calloc(1, sizeof(*rec));
	regions = calloc(NATIVE_MAX_REGIONS, sizeof(*regions));
	if (!rec || !regions) {
		ret = -ENOMEM;
		goto out;
	}
	ret = take_lock(nr);
	if (ret)
		goto out;
	ret = upi_native_registry_read(nr->registry_dir, nr->name, rec);
	if (ret) {
		native_log(nr, "no running core recorded", ret, nr->registry_dir);
		goto unlock;
	}
	ret = upi_native_core_attach(&nr->core, rec, regions, err, sizeof(err));
	if (ret) {
		native_log(nr, "cannot attach", ret, err);
		if (ret == -ESRCH)
			upi_native_registry_remove(nr->registry_dir, nr->name);
		goto unlock;
	}
	unsigned int i;
	for (i = 0; i + 1 < rec->nregions; i++) {
		struct native_mem *m = calloc(1, sizeof(*m));
		if (m)
			m->region = regions[i];
		if (!m || register_mem(nr, m) != 0) {
			free(m);
			ret = -ENOMEM;
			break;
		}
	}
	if (ret) {
		/* Regions already registered are released by the core's cleanup. */
		for (unsigned int j = i; j + 1 < rec->nregions; j++)
			upi_native_region_destroy(&regions[j]);
		upi_native_core_release(&nr->core);
		goto unlock;
	}
	nr->rsc_da = rec->rsc_da;
	nr->rsc_size = rec->rsc_size;
	ret = watch(nr);
	if (ret) {
		upi_native_core_release(&nr->core);
		goto unlock;
	}
	nr->running = true;
	nr->recorded = true;
	/* An emulated core says what it runs: its table is in the firmware's byte order. */
	uint32_t em = nr->core.ctl->emu_machine;
	nr->emulated = em == EM_ARM || em == EM_RISCV || em == EM_MIPS;
	nr->big_endian = nr->emulated && nr->core.ctl->emu_big_endian == 1;
	rproc_set_byte_order(rproc, nr->big_endian ? UPROC_BIG_ENDIAN : UPROC_LITTLE_ENDIAN);
	nr->ending = false;
	if (uproc_shm_load32(&nr->core.ctl->crash.valid, memory_order_acquire)) {
		/*
		 * It faulted while no host was attached and parked: attached, it is ended
		 * at once, and its death reports the crash with the record it left (the
		 * memories stay mapped here for the coredump).
		 */
		nr->found_crashed = true;
		rproc_log(rproc, UPROC_LOG_ERR, "native core: it crashed while no host was attached");
		end_if_faulted(nr);
		goto out;
	}
	/* Tell the firmware a new host is here (it announces its channels again). */
	uproc_shm_fetch_add32(&nr->core.ctl->host_epoch, 1, memory_order_release);
	upi_native_core_kick(&nr->core, UPROC_NATIVE_MBOX_HIGH);
	watchdog_start(nr);
	goto out;
unlock:
	drop_lock(nr);
out:
	free(regions);
	free(rec);
	return ret;
}

static int native_detach(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);

	if (!nr->running)
		return -ESRCH;
	if (!nr->recorded)
		return -EINVAL; /* nobody could ever find it again */
	watchdog_stop(nr);
	unwatch(nr);
	/* The process and its record stay: the next host attaches through them. */
	upi_native_core_release(&nr->core);
	nr->running = false;
	drop_lock(nr);
	return 0;
}

static void native_kick(struct rproc *rproc, int vqid)
{
	struct native_rproc *nr = to_native(rproc);

	if (nr->running && vqid >= 0)
		upi_native_core_kick(&nr->core, (unsigned int)vqid);
}

static void *native_get_loaded_rsc_table(struct rproc *rproc, size_t *size)
{
	struct native_rproc *nr = to_native(rproc);

	if (!nr->rsc_size)
		return NULL;
	for (struct native_mem *m = nr->mems; m; m = m->next) {
		if (nr->rsc_da >= m->region.da &&
		    uproc_range_ok(nr->rsc_da - m->region.da, nr->rsc_size, m->region.size)) {
			*size = nr->rsc_size;
			return (uint8_t *)m->region.va + (nr->rsc_da - m->region.da);
		}
	}
	return NULL;
}

static int native_probe_running(struct rproc *rproc)
{
	struct native_rproc *nr = to_native(rproc);
	struct native_record *rec = calloc(1, sizeof(*rec));
	char how[96];
	int ret;

	if (!rec)
		return -ENOMEM;
	ret = upi_native_registry_read(nr->registry_dir, nr->name, rec);
	if (ret == -ENOENT) {
		ret = 0;
		goto out;
	}
	if (ret) {
		/* A record we cannot read is no running core; leave it for inspection. */
		native_log(nr, "ignoring a malformed registry record", ret, nr->registry_dir);
		ret = 0;
		goto out;
	}
	if (!upi_native_record_alive(rec, how, sizeof(how))) {
		/*
		 * It ended unseen (SIGKILL, an outside signal, the OOM killer: deaths the
		 * sandbox cannot record) while no host was attached. Only a host like the
		 * one that left it running takes it as its own crash; a core that dies with
		 * its host is in no registry. Its memories ended with it: no coredump.
		 */
		upi_native_registry_remove(nr->registry_dir, nr->name);
		ret = 0;
		if (!nr->outlive_host)
			goto out;
		if (rec->firmware[0] && rproc_set_firmware(rproc, rec->firmware) != 0)
			native_log(nr, "the ended core's firmware name is not usable", -EINVAL,
				   rec->firmware);
		char reason[160];
		snprintf(reason, sizeof(reason), "%s while no host was attached",
			 how[0] ? how : "ended");
		rproc_log(rproc, UPROC_LOG_ERR, "native core: pid %d %s", (int)rec->pid, reason);
		rproc_report_crash_reason(rproc, RPROC_FATAL_ERROR, reason);
		goto out;
	}
	if (!nr->outlive_host) {
		/* Another host's core, left to be attached by a host like it: not ours. */
		char why[PATH_MAX + 32];
		snprintf(why, sizeof(why), "pid %d, in %s", (int)rec->pid, nr->registry_dir);
		native_log(nr, "a core of this name left running by another host runs: stop it "
			   "first, or use another name", -EEXIST, why);
		ret = -EEXIST;
		goto out;
	}
	/* What it runs is what this host shows, and what a recovery reloads. */
	if (rec->firmware[0] && rproc_set_firmware(rproc, rec->firmware) != 0)
		native_log(nr, "the running core's firmware name is not usable", -EINVAL,
			   rec->firmware);
	ret = 1;
out:
	free(rec);
	return ret;
}

static ssize_t native_coredump_notes(struct rproc *rproc, void *buf, size_t len)
{
	struct native_rproc *nr = to_native(rproc);

	if (nr->last_exit.kind == UPROC_NATIVE_EXIT_NONE)
		return 0;
	if (nr->last_exit.crash.emu.machine)
		return upi_native_emu_prstatus_note(&nr->last_exit, nr->big_endian, buf, len);
	if (nr->emulated)
		return 0; /* an emulated core that left no record: no registers */
	return upi_native_prstatus_note(&nr->last_exit, buf, len);
}

/*
 * Addresses the memories do not cover: a MIPS core's kseg0/kseg1 views of them (its
 * firmware's section addresses, as Linux's MIPS remoteproc drivers translate them).
 */
static void *native_da_to_va(struct rproc *rproc, uint64_t da, size_t len, bool *is_iomem)
{
	struct native_rproc *nr = to_native(rproc);

	if (rproc_get_machine(rproc, NULL) != EM_MIPS ||
	    da < 0x80000000u || da >= 0xC0000000u)
		return NULL;
	uint64_t pa = da & 0x1FFFFFFFu;
	struct native_mem *m = find_containing(nr, pa, len);
	if (!m)
		return NULL;
	if (is_iomem)
		*is_iomem = false;
	return (uint8_t *)m->region.va + (pa - m->region.da);
}

static const struct rproc_ops native_ops = {
	.da_to_va = native_da_to_va,
	.prepare = native_prepare,
	.start = native_start,
	.stop = native_stop,
	.attach = native_attach,
	.detach = native_detach,
	.kick = native_kick,
	.mem_alloc = native_mem_alloc,
	.mem_release = native_mem_release,
	.get_loaded_rsc_table = native_get_loaded_rsc_table,
	.probe_running = native_probe_running,
	.coredump_notes = native_coredump_notes,
};

/* ---- public ----------------------------------------------------------------------------- */

void uproc_native_config_init(struct uproc_native_config *cfg, const char *name)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->name = name;
	cfg->ram_da = UPROC_NATIVE_RAM_DA;
	cfg->ram_size = UPROC_NATIVE_RAM_SIZE;
	cfg->ctl_da = UPROC_NATIVE_CTL_DA;
	cfg->window_da = UPROC_NATIVE_WINDOW_DA;
	cfg->window_size = UPROC_NATIVE_WINDOW_SIZE;
	cfg->cpu = -1;
	cfg->host_spin_ns = 20000;
	cfg->core_spin_ns = 50000;
	cfg->watchdog_ms = 0;
	cfg->backend = UPROC_BACKEND_AUTO;
	cfg->emu_path = NULL;
	cfg->outlive_host = false;
}

static bool config_ok(const struct uproc_native_config *cfg)
{
	const uint64_t top = 1ull << 32; /* resource tables hold 32-bit addresses */

	if (!upi_native_name_valid(cfg->name))
		return false;
	if ((cfg->ram_da | cfg->ram_size | cfg->ctl_da | cfg->window_da | cfg->window_size) &
	    (UPI_PAGE_SIZE - 1))
		return false;
	if (cfg->ram_da > top || cfg->ram_size > top - cfg->ram_da || cfg->ctl_da < 0x10000 ||
	    cfg->ctl_da > top - UPROC_NATIVE_CTL_SIZE || cfg->window_da > top ||
	    cfg->window_size > top - cfg->window_da || !cfg->window_size)
		return false;
	if (upi_native_regions_overlap(cfg->ctl_da, UPROC_NATIVE_CTL_SIZE, cfg->ram_da, cfg->ram_size) ||
	    upi_native_regions_overlap(cfg->ctl_da, UPROC_NATIVE_CTL_SIZE, cfg->window_da,
				   cfg->window_size) ||
	    upi_native_regions_overlap(cfg->ram_da, cfg->ram_size, cfg->window_da, cfg->window_size))
		return false;
	return true;
}

struct rproc *uproc_native_rproc_alloc(struct uproc_loop *loop,
				       const struct uproc_native_config *cfg,
				       const char *firmware)
{
	struct native_rproc *nr;
	struct rproc *rproc;
	const char *stub;

	if (!loop || !cfg || !config_ok(cfg)) {
		errno = EINVAL;
		return NULL;
	}
	UPI_ON_LOOP_THREAD(loop, cfg->name);
	rproc = rproc_alloc(cfg->name, &native_ops, firmware, sizeof(*nr), loop);
	if (!rproc) {
		errno = ENOMEM;
		return NULL;
	}
	nr = rproc_priv(rproc);
	memset(nr, 0, sizeof(*nr));
	nr->magic = NATIVE_RPROC_MAGIC;
	nr->rproc = rproc;
	nr->loop = loop;
	snprintf(nr->name, sizeof(nr->name), "%s", cfg->name);
	nr->ram_da = cfg->ram_da;
	nr->ram_size = cfg->ram_size;
	nr->ctl_da = cfg->ctl_da;
	nr->window_da = cfg->window_da;
	nr->window_size = cfg->window_size;
	nr->cpu = cfg->cpu;
	nr->host_spin_ns = cfg->host_spin_ns;
	nr->core_spin_ns = cfg->core_spin_ns;
	nr->watchdog_ms = cfg->watchdog_ms;
	nr->backend = cfg->backend;
	nr->outlive_host = cfg->outlive_host;
	upi_native_core_init(&nr->core);
	nr->lock_fd = -1;

	char found_stub[PATH_MAX], found_emu[PATH_MAX];
	stub = cfg->stub_path;
	if (!stub || !stub[0])
		stub = getenv("UPROC_NATIVE_STUB");
	if (!stub || !stub[0])
		stub = upi_native_helper_path("uproc-native-stub", found_stub, sizeof(found_stub));
	const char *emu = cfg->emu_path;
	if (!emu || !emu[0])
		emu = getenv("UPROC_EMU_CORE");
	if (!emu || !emu[0])
		emu = upi_native_helper_path("uproc-emu-core", found_emu, sizeof(found_emu));
	if (snprintf(nr->stub_path, sizeof(nr->stub_path), "%s", stub) >=
		    (int)sizeof(nr->stub_path) ||
	    snprintf(nr->emu_path, sizeof(nr->emu_path), "%s", emu) >= (int)sizeof(nr->emu_path) ||
	    upi_native_registry_dir(cfg->runtime_dir, nr->registry_dir, sizeof(nr->registry_dir))) {
		rproc_free(rproc);
		errno = ENAMETOOLONG;
		return NULL;
	}
	return rproc;
}

static struct native_rproc *checked(struct rproc *rproc)
{
	struct native_rproc *nr = rproc ? rproc_priv(rproc) : NULL;
	return nr && nr->magic == NATIVE_RPROC_MAGIC && nr->rproc == rproc ? nr : NULL;
}

int uproc_native_last_exit(struct rproc *rproc, struct uproc_native_exit *out)
{
	struct native_rproc *nr = checked(rproc);

	if (!nr || !out)
		return -EINVAL;
	UPI_ON_LOOP_THREAD(rproc_get_loop(rproc), rproc_get_name(rproc));
	*out = nr->last_exit;
	return 0;
}

pid_t uproc_native_pid(struct rproc *rproc)
{
	struct native_rproc *nr = checked(rproc);

	if (!nr)
		return -ESRCH;
	UPI_ON_LOOP_THREAD(rproc_get_loop(rproc), rproc_get_name(rproc));
	if (!nr->running)
		return -ESRCH;
	return nr->core.pid;
}

bool uproc_native_debugged(struct rproc *rproc)
{
	struct native_rproc *nr = checked(rproc);

	if (!nr || !nr->running || !nr->core.ctl)
		return false;
	if (uproc_shm_load32(&nr->core.ctl->debug_state, memory_order_relaxed) != 0)
		return true;
	char state = upi_native_proc_state(nr->core.pid);
	return state == 't' || state == 'T';
}
