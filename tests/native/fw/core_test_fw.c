// SPDX-License-Identifier: MIT
/*
 * core_test_fw.c - the native core's test firmware: no resource table, no rpmsg;
 * it obeys the host's kicks, one command per mailbox bit (CORE_TEST_* below), and
 * writes what it does into its trace buffer.
 */
#include <stdint.h>

#include "core_test_fw.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

static unsigned long pings;

static long raw_syscall1(long nr, long a)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a) : "rcx", "r11", "memory");
	return ret;
}

/*
 * The port's pool: blocks of many sizes, each filled with its own byte, freed in a
 * scrambled order and checked; then the whole pool must be one block again.
 * Returns 0 or the failing step.
 */
static int alloc_test(void)
{
	const struct uproc_port *port = uproc_fw_port();
	enum { N = 48 };
	static unsigned char *blocks[N];
	static size_t sizes[N];

	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < N; i++) {
			sizes[i] = (size_t)(1 + (i * 37 + round * 11) % 700);
			blocks[i] = port->alloc(port->ctx, sizes[i]);
			if (!blocks[i])
				return 1;
			if ((uintptr_t)blocks[i] & 15)
				return 2;
			memset(blocks[i], i + 1, sizes[i]);
		}
		for (int k = 0; k < N; k++) {
			int i = (k * 29 + round) % N; /* 29 is prime to 48: a permutation */
			for (size_t j = 0; j < sizes[i]; j++)
				if (blocks[i][j] != (unsigned char)(i + 1))
					return 3;
			port->free(port->ctx, blocks[i]);
		}
	}
	/* Everything merged back: the largest block takes nearly the whole pool. */
	void *all = port->alloc(port->ctx, UPROC_FW_HEAP_SIZE - 64);
	if (!all)
		return 4;
	if (port->alloc(port->ctx, UPROC_FW_HEAP_SIZE))
		return 5;
	port->free(port->ctx, all);
	return 0;
}

static void command(unsigned int bit)
{
	switch (bit) {
	case CORE_TEST_PING:
		pings++;
		uproc_fw_trace("ping %lu\n", pings);
		uproc_fw_notify(CORE_TEST_PING);
		break;
	case CORE_TEST_FAULT: {
		/* Through a volatile: the compiler must not see the constant address. */
		volatile uintptr_t addr = CORE_TEST_FAULT_ADDR;
		uproc_fw_trace("fault\n");
		*(volatile uint64_t *)addr = 1;
		break;
	}
	case CORE_TEST_SYSCALL:
		uproc_fw_trace("getpid\n");
		raw_syscall1(39, 0); /* getpid: not allowed */
		break;
	case CORE_TEST_ILLEGAL:
		__asm__ volatile("ud2");
		break;
	case CORE_TEST_HANG:
		uproc_fw_trace("hang\n");
		for (;;)
			uproc_fw_cpu_relax();
	case CORE_TEST_EXIT:
		uproc_fw_exit(CORE_TEST_EXIT_CODE);
	case CORE_TEST_BAD_FD:
		raw_syscall1(3, 0); /* close(0): not allowed */
		break;
	case CORE_TEST_DIVIDE:
		/* In assembly: C would let the compiler assume the divisor is not 0. */
		__asm__ volatile("xorl %%ecx, %%ecx\n\tdivl %%ecx" : : : "eax", "ecx", "edx");
		break;
	case CORE_TEST_TIME:
		uproc_fw_trace("now %llu\n", (unsigned long long)uproc_fw_now_ns());
		uproc_fw_notify(CORE_TEST_TIME);
		break;
	case CORE_TEST_ALLOC: {
		int step = alloc_test();
		if (step)
			uproc_fw_trace("alloc fail %d\n", step);
		else
			uproc_fw_trace("alloc ok\n");
		uproc_fw_notify(CORE_TEST_ALLOC);
		break;
	}
	default:
		break;
	}
}

int main(void)
{
	uproc_fw_trace("core-test-fw up on %s\n", uproc_fw_platform_name());
	for (;;) {
		uint64_t bits = uproc_fw_wait(UPROC_FW_FOREVER);
		for (unsigned int bit = 0; bit < 64; bit++)
			if (bits & (1ull << bit))
				command(bit);
	}
}
