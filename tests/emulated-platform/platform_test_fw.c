// SPDX-License-Identifier: MIT
/*
 * platform_test_fw.c - test firmware for the SDK's emulated-core platforms
 * (cortex-m, riscv32, mips32be, mips32le): their interrupt handlers, the hooks a
 * firmware defines (uproc/fw/irq.h) and the timer behind uproc_fw_wait()'s deadline.
 * Channel "uproc-platform-test"; each message is a command:
 *   "irqs"        answer "mailbox=M timer=T platform=NAME": the hooks' counts
 *   "sleep MS"    wait MS milliseconds with uproc_fw_wait(deadline) (the timer
 *                 interrupt ends the wait), answer "slept US timer=T" (elapsed
 *                 microseconds, timer interrupts during the sleep)
 *   "masked MS"   the same with interrupts masked around the wait's caller
 *                 (uproc_fw_irq_save()): the wait must still end on time
 */
#include <stdint.h>

#include "uproc/fw/irq.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static volatile unsigned long mailbox_irqs, timer_irqs;

/* The SDK's handlers call these after their own work. */
void uproc_fw_on_mailbox(void)
{
	mailbox_irqs++;
}

void uproc_fw_on_timer(void)
{
	timer_irqs++;
}

static unsigned long parse_ms(const char *s, size_t len)
{
	unsigned long v = 0;

	for (size_t i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	return v;
}

static bool starts_with(const char *data, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(data, word, n) == 0;
}

static int sleep_cmd(struct rpmsg_endpoint *ept, uint32_t src, unsigned long ms, bool masked)
{
	char line[96];
	unsigned long timers = timer_irqs;
	unsigned long flags = masked ? uproc_fw_irq_save() : 0;
	uint64_t start = uproc_fw_now_ns();
	uint64_t deadline = start + (uint64_t)ms * 1000000u;

	/* Kicks that arrive meanwhile are served by the loop on its next round. */
	while (uproc_fw_now_ns() < deadline)
		(void)uproc_fw_wait(deadline);
	uint64_t elapsed = uproc_fw_now_ns() - start;
	if (masked)
		uproc_fw_irq_restore(flags);
	int n = uproc_fw_snprintf(line, sizeof(line), "slept %lu timer=%lu",
				  (unsigned long)(elapsed / 1000u), timer_irqs - timers);
	return rpmsg_sendto(ept, line, (size_t)n, src);
}

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	const char *cmd = data;
	char line[96];

	(void)priv;
	if (len && cmd[len - 1] == '\n')
		len--;
	if (starts_with(cmd, len, "irqs")) {
		int n = uproc_fw_snprintf(line, sizeof(line), "mailbox=%lu timer=%lu platform=%s",
					  mailbox_irqs, timer_irqs, uproc_fw_platform_name());
		return rpmsg_sendto(ept, line, (size_t)n, src);
	}
	if (starts_with(cmd, len, "sleep "))
		return sleep_cmd(ept, src, parse_ms(cmd + 6, len - 6), false);
	if (starts_with(cmd, len, "masked "))
		return sleep_cmd(ept, src, parse_ms(cmd + 7, len - 7), true);
	return rpmsg_sendto(ept, "unknown", 7, src);
}

static struct uproc_fw_service svc = {
	.name = "uproc-platform-test",
	.callback = on_message,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	uproc_fw_trace("platform test firmware on %s\n", uproc_fw_platform_name());
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
