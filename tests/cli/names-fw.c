// SPDX-License-Identifier: MIT
/*
 * names-fw.c - test firmware for the command line: an echo service
 * ("rpmsg-client-sample"), then 4,096 more channels announced with hostile names:
 * a 0xff byte, an escape sequence that would clear a terminal, a quote, a
 * backslash, a newline and a tab, then a number ("\xff\x1b[2J\"\\\n\tNNNN"). Each is
 * announced at address 0x1000 + NNNN. Announcements go out as the host's buffers
 * allow, from the idle hook, so the echo service keeps answering meanwhile.
 */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

#define HOSTILE_CHANNELS 4096

UPROC_FW_RSC_TABLE_RPMSG(256);

static struct uproc_fw_rpmsg rp;
static unsigned int announced;

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	(void)priv;
	rpmsg_sendto(ept, data, len, src);
	return 0;
}

static struct uproc_fw_service echo = {
	.name = "rpmsg-client-sample",
	.callback = on_message,
};

static int announce_more(void *arg)
{
	(void)arg;
	if (announced == HOSTILE_CHANNELS || !echo.ept)
		return 0;
	while (announced < HOSTILE_CHANNELS) {
		struct rpmsg_ns_msg m = { .name = "\xff\x1b[2J\"\\\n\t" };
		unsigned int n = announced, at = 9;
		m.name[at++] = (char)('0' + n / 1000 % 10);
		m.name[at++] = (char)('0' + n / 100 % 10);
		m.name[at++] = (char)('0' + n / 10 % 10);
		m.name[at++] = (char)('0' + n % 10);
		m.addr = 0x1000 + n;
		m.flags = 0;
		if (rpmsg_trysend_offchannel(echo.ept, m.addr, RPMSG_NS_ADDR, &m, sizeof(m)))
			return 1; /* no buffer now: the next round goes on */
		announced++;
	}
	uproc_fw_trace("names: %u hostile channels announced\n", announced);
	return 0;
}

int main(void)
{
	uproc_fw_trace("names firmware: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &echo))
		return 1;
	return uproc_fw_run(&rp, announce_more, NULL);
}
