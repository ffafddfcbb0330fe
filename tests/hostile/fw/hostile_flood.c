// SPDX-License-Identifier: MIT
/*
 * hostile_flood.c - floods. Built once per variant:
 *   HOSTILE_STREAM    a "rpmsg-tty" channel that streams lines to the host as fast as
 *                     buffers come back, forever, from the moment the host answers its
 *                     announcement: the host must still see its own input end, and
 *                     stop the core in bounded time.
 *   HOSTILE_DOORBELLS rings the host's doorbell in a tight loop, forever, with and
 *                     without anything queued.
 *   HOSTILE_UNKNOWN   floods messages to addresses nobody listens on, and to the
 *                     name service with garbage, as fast as buffers come back.
 */
#include "hostile.h"
#include "uproc/fw/rsc.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

static struct uproc_fw_rpmsg rp;

static struct uproc_fw_service svc = { .name = "rpmsg-tty", .callback = hostile_sink };
static unsigned long sent;

static int stream(void *arg)
{
	static const char line[] = "hostile stream: a line the host has to print, again and again\n";
	(void)arg;
	struct rpmsg_endpoint *ept = svc.ept;
	if (!ept || ept->dst == RPMSG_ADDR_ANY)
		return 0;
#ifdef HOSTILE_UNKNOWN
	char junk[RPMSG_NS_MSG_SIZE];
	memset(junk, 0x5a, sizeof(junk));
	while (rpmsg_trysendto(ept, line, sizeof(line) - 1, 0x7000 + (uint32_t)(sent & 255)) == 0 &&
	       rpmsg_trysendto(ept, junk, sizeof(junk), RPMSG_NS_ADDR) == 0)
		sent += 2;
#else
	while (rpmsg_trysend(ept, line, sizeof(line) - 1) == 0)
		sent++;
#endif
	return 1; /* never sleep: poll for returned buffers */
}

int main(void)
{
	uproc_fw_trace("hostile flood: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) || uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
#ifdef HOSTILE_DOORBELLS
	(void)stream;
	for (unsigned long i = 0;; i++) {
		uproc_fw_notify((unsigned int)(i & 1));
		if ((i & 0xffff) == 0)
			uproc_fw_heartbeat();
	}
#else
	return uproc_fw_run(&rp, stream, NULL);
#endif
}
