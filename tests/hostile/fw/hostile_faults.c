// SPDX-License-Identifier: MIT
/*
 * hostile_faults.c - fault kinds and forbidden calls. Built once per variant:
 *   HOSTILE_AT_ONCE  stores through a null pointer before it does anything else:
 *                    every recovery faults again the same way. The host must call
 *                    it a crash loop (the same fault N times in a row, with the
 *                    fault) and stop recovering, not report a failed start.
 *   HOSTILE_SYSCALL  makes a forbidden system call at once (the sandbox kills it
 *                    without a record): also a crash loop, told as such.
 *   HOSTILE_WILD     announces its channel, then jumps into its vring memory (mapped
 *                    without execute permission): a fault once it has talked (no
 *                    crash loop: the announcement kicked the host).
 */
#include "hostile.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static struct uproc_fw_rpmsg rp;

__attribute__((noinline, unused)) static void null_store(void)
{
	volatile uintptr_t addr = 0;
	*(volatile uint32_t *)addr = 0xbad;
}

static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = hostile_sink };

static int work(void *arg)
{
	(void)arg;
#if defined(HOSTILE_WILD)
	if (svc.ept) { /* announced */
		/* The vring is data, never code: the fetch faults. */
		void (*jump)(void) = (void (*)(void))(uintptr_t)resource_table.vdev.vring[0].da;
		uproc_fw_trace("hostile faults: jumping into the vring\n");
		jump();
	}
#endif
	return 0;
}

int main(void)
{
#if defined(HOSTILE_AT_ONCE)
	null_store();
#elif defined(HOSTILE_SYSCALL)
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(39L) : "rcx", "r11", "memory"); /* getpid */
	(void)ret;
#endif
	uproc_fw_trace("hostile faults: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) || uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	return uproc_fw_run(&rp, work, NULL);
}
