// SPDX-License-Identifier: MIT
/*
 * platform.c - the native-x86_64 platform: a firmware running as a native core
 * (uproc/native.h). Doorbells are the two eventfds, reached with raw system calls
 * (the only ones the sandbox allows); the mailboxes in the control page say which
 * virtqueues were kicked and whether the peer sleeps; time is the TSC, scaled by
 * the frequency the host measured.
 *
 * The platform's state is one static struct: a firmware is one program with one
 * platform.
 */
#include <stdint.h>

#include "uproc/fw/platform.h"
#include "uproc/native.h"

#define SYS_READ 0
#define SYS_WRITE 1
#define SYS_EXIT_GROUP 231

static struct {
	struct uproc_native_ctl *ctl;
	long doorbell_in;
	long doorbell_out;
	uint64_t tsc_khz;
	uint64_t spin_ns;
} plat;

static long syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

void uproc_fw_exit(int code)
{
	for (;;)
		syscall3(SYS_EXIT_GROUP, code, 0, 0);
}

const char *uproc_fw_platform_name(void)
{
	return "native-x86_64";
}

void uproc_fw_platform_init(void *boot_info, long arg1, long arg2)
{
	plat.ctl = boot_info;
	plat.doorbell_in = arg1;
	plat.doorbell_out = arg2;
	plat.tsc_khz = plat.ctl ? plat.ctl->tsc_khz : 0;
	plat.spin_ns = plat.ctl ? plat.ctl->spin_ns : 0;
	if (plat.spin_ns > 10000000u)
		plat.spin_ns = 10000000u; /* bounded: 10 ms at most */
}

/* Called by crt0.S. */
__attribute__((noreturn)) void uproc_fw_boot(void *boot_info, long arg1, long arg2);

void uproc_fw_boot(void *boot_info, long arg1, long arg2)
{
	uproc_fw_platform_init(boot_info, arg1, arg2);
	uproc_fw_exit(main());
}

uint32_t uproc_fw_host_epoch(void)
{
	if (!plat.ctl)
		return 0;
	/* Pairs with the host's release increment after it set up its side. */
	return __atomic_load_n(&plat.ctl->host_epoch, __ATOMIC_ACQUIRE);
}

void uproc_fw_heartbeat(void)
{
	if (plat.ctl)
		__atomic_fetch_add(&plat.ctl->heartbeat, 1, __ATOMIC_RELAXED);
}

void uproc_fw_cpu_relax(void)
{
	__builtin_ia32_pause();
}

uint64_t uproc_fw_now_ns(void)
{
	if (!plat.tsc_khz)
		return 0;
	uint64_t tsc = __builtin_ia32_rdtsc();
	/* ns = tsc * 1e6 / khz, split to stay within 64 bits for years of uptime. */
	uint64_t q = tsc / plat.tsc_khz, r = tsc % plat.tsc_khz;
	return q * 1000000u + r * 1000000u / plat.tsc_khz;
}

void uproc_fw_notify(unsigned int notifyid)
{
	static const uint64_t one = 1;

	if (!plat.ctl)
		return;
	if (uproc_native_mbox_post(&plat.ctl->to_host, notifyid)) {
		plat.ctl->to_host.doorbells++;
		syscall3(SYS_WRITE, plat.doorbell_out, (long)&one, sizeof(one));
	}
}

uint64_t uproc_fw_poll(void)
{
	if (!plat.ctl)
		return 0;
	return uproc_native_mbox_take(&plat.ctl->to_core);
}

static bool deadline_passed(uint64_t deadline_ns)
{
	return deadline_ns != UPROC_FW_FOREVER && uproc_fw_now_ns() >= deadline_ns;
}

uint64_t uproc_fw_wait(uint64_t deadline_ns)
{
	struct uproc_native_mbox *mbox;
	uint64_t bits, count;

	if (!plat.ctl)
		return 0;
	mbox = &plat.ctl->to_core;
	uproc_fw_heartbeat();

	/* Spin (bounded) while the host may be about to kick: no system call. */
	uint64_t start = uproc_fw_now_ns();
	/* Without a clock, count rounds instead (a pause takes some 10 to 40 ns). */
	uint64_t rounds = plat.spin_ns / 16;
	for (uint64_t n = 0; plat.spin_ns; n++) {
		if (uproc_native_mbox_peek(mbox))
			return uproc_native_mbox_take(mbox);
		if ((n & 63) == 63) {
			if (deadline_passed(deadline_ns))
				return 0;
			if (plat.tsc_khz ? uproc_fw_now_ns() - start >= plat.spin_ns : n >= rounds)
				break;
		}
		uproc_fw_cpu_relax();
	}

	/* Block on the doorbell. See uproc/native.h for why no wake-up is lost. */
	for (;;) {
		bits = uproc_native_mbox_sleep(mbox);
		if (bits) {
			uproc_native_mbox_awake(mbox);
			return bits;
		}
		long n = syscall3(SYS_READ, plat.doorbell_in, (long)&count, sizeof(count));
		uproc_native_mbox_awake(mbox);
		bits = uproc_native_mbox_take(mbox);
		if (bits || n == (long)sizeof(count) || deadline_passed(deadline_ns))
			return bits;
		/* -EINTR or similar: block again */
	}
}
