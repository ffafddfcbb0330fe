// SPDX-License-Identifier: MIT
/*
 * port.c - the firmware's struct uproc_port (uproc/port.h) for the single-threaded
 * SDK: the lock is a no-op, wait is the platform's doorbell wait, now is the
 * platform clock, memory comes from a static first-fit pool, log lines go to the
 * trace buffer. Also the identity window over the device address space.
 */
#include <stdint.h>

#include "uproc/errno.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

/* ---- a first-fit pool, address-ordered free list, coalescing ----------------------- */

struct block {
	size_t size; /* bytes including this header */
	struct block *next;
};

#define POOL_ALIGN 16u
#define HDR_SIZE ((sizeof(struct block) + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1))

static _Alignas(16) unsigned char pool[UPROC_FW_HEAP_SIZE];
static struct block *free_list;
static int pool_ready;

/* Kicks taken by the port's wait (inside a blocking send): the loop serves them. */
static uint64_t stashed_kicks;

static void pool_init(void)
{
	free_list = (struct block *)pool;
	free_list->size = sizeof(pool);
	free_list->next = NULL;
	pool_ready = 1;
}

static void *port_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (!pool_ready)
		pool_init();
	if (size == 0 || size > sizeof(pool))
		return NULL;
	size_t need = HDR_SIZE + ((size + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1));
	for (struct block **pp = &free_list; *pp; pp = &(*pp)->next) {
		struct block *b = *pp;
		if (b->size < need)
			continue;
		if (b->size - need >= HDR_SIZE + POOL_ALIGN) {
			struct block *rest = (struct block *)((unsigned char *)b + need);
			rest->size = b->size - need;
			rest->next = b->next;
			b->size = need;
			*pp = rest;
		} else {
			*pp = b->next;
		}
		b->next = NULL;
		return (unsigned char *)b + HDR_SIZE;
	}
	return NULL;
}

static void port_free(void *ctx, void *p)
{
	(void)ctx;
	if (!p)
		return;
	struct block *b = (struct block *)((unsigned char *)p - HDR_SIZE);
	struct block **pp = &free_list;
	while (*pp && *pp < b)
		pp = &(*pp)->next;
	b->next = *pp;
	*pp = b;
	/* Merge with the next block, then with the previous one. */
	if (b->next && (unsigned char *)b + b->size == (unsigned char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (pp != &free_list) {
		struct block *prev = (struct block *)((unsigned char *)pp -
						      __builtin_offsetof(struct block, next));
		if ((unsigned char *)prev + prev->size == (unsigned char *)b) {
			prev->size += b->size;
			prev->next = b->next;
		}
	}
}

/* ---- the port ------------------------------------------------------------------- */

static void port_lock(void *ctx)
{
	(void)ctx; /* one thread, no interrupts */
}

static void port_unlock(void *ctx)
{
	(void)ctx;
}

static int port_wait(void *ctx, uint64_t deadline_ns)
{
	(void)ctx;
	if (deadline_ns != UPROC_PORT_FOREVER && uproc_fw_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	uint64_t bits = uproc_fw_wait(deadline_ns == UPROC_PORT_FOREVER ? UPROC_FW_FOREVER
									  : deadline_ns);
	/* A ring without bits means "every queue": keep a bit so the loop serves them. */
	stashed_kicks |= bits ? bits : 1u;
	if (deadline_ns != UPROC_PORT_FOREVER && uproc_fw_now_ns() >= deadline_ns)
		return -ETIMEDOUT;
	return 0;
}

static void port_wake(void *ctx)
{
	(void)ctx; /* the only waiter is this thread */
}

static uint64_t port_now(void *ctx)
{
	(void)ctx;
	return uproc_fw_now_ns();
}

static void port_log(void *ctx, enum uproc_log_level level, const char *msg)
{
	(void)ctx;
	uproc_fw_trace("%s: %s\n", level <= UPROC_LOG_ERR ? "error" :
				    level <= UPROC_LOG_WARN ? "warning" : "info", msg);
}

static const struct uproc_port fw_port = {
	.ctx = NULL,
	.lock = port_lock,
	.unlock = port_unlock,
	.wait = port_wait,
	.wake = port_wake,
	.now = port_now,
	.alloc = port_alloc,
	.free = port_free,
	.log = port_log,
};

const struct uproc_port *uproc_fw_port(void)
{
	return &fw_port;
}

uint64_t uproc_fw_pending_kicks(void)
{
	uint64_t k = stashed_kicks;
	stashed_kicks = 0;
	return k;
}

/* ---- the identity window (the device address space as the firmware sees it) ----------------------------------------------------------- */

#define DEVICE_SPACE_START 0x10000u
#if defined(__mips__)
/*
 * MIPS firmware runs in kseg0: device address + 0x80000000, for the first 512 MiB
 * of device space (uproc/emulated.h).
 */
#define DEVICE_SPACE_END 0x20000000u
#define DEVICE_SPACE_VA 0x80000000u
#else
#define DEVICE_SPACE_END 0x100000000ull
#define DEVICE_SPACE_VA 0u
#endif

static const struct uproc_shm identity = {
	.base = (uint8_t *)(uintptr_t)(DEVICE_SPACE_VA + DEVICE_SPACE_START),
	.da = DEVICE_SPACE_START,
	.size = DEVICE_SPACE_END - DEVICE_SPACE_START,
};

const struct uproc_shm *uproc_fw_identity_shm(void)
{
	return &identity;
}
