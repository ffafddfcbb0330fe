// SPDX-License-Identifier: MIT
/*
 * hostile_names.c - attacks on the name service. Built once per variant:
 *   HOSTILE_HOLD       announce HOSTILE_CHANNELS "rpmsg-tty" channels, then never
 *                      serve a ring again: every buffer the host sends (its answers to
 *                      the announcements, its destroy announcements) stays with the
 *                      remote, so the host runs out of transmit buffers for good.
 *   HOSTILE_MALFORMED  names with 0xff bytes and control characters, a name without
 *                      a terminator, empty names, address ANY, unknown flags, messages
 *                      of the wrong size, destroys of channels that never existed,
 *                      create/destroy churn, more channels than the host takes; then it
 *                      serves "rpmsg-client-sample" as an echo (the host must still work).
 */
#include "hostile.h"
#include "uproc/fw/rsc.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

#ifndef HOSTILE_CHANNELS
#define HOSTILE_CHANNELS 300
#endif

static struct uproc_fw_rpmsg rp;
static struct rpmsg_endpoint ept;

#ifdef HOSTILE_MALFORMED
static int echo(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	(void)rpmsg_sendto(e, data, len, src);
	return 0;
}

static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = echo };

static void malformed(void)
{
	char n[RPMSG_NAME_SIZE];
	int sent = 0;

	/* 0xff bytes and control characters (terminated). */
	memset(n, 0, sizeof(n));
	memcpy(n, "bad\xff\x1b[2J\r\n\x07name", 15);
	sent += hostile_ns_raw(&ept, n, 0x3000, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE, true) == 0;
	/* No terminator anywhere in the 32 bytes. */
	memset(n, 'A', sizeof(n));
	sent += hostile_ns_raw(&ept, n, 0x3001, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE, true) == 0;
	/* Empty name, address ANY, unknown flags, wrong sizes. */
	memset(n, 0, sizeof(n));
	sent += hostile_ns_raw(&ept, n, 0x3002, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE, true) == 0;
	memcpy(n, "rpmsg-tty", 9);
	sent += hostile_ns_raw(&ept, n, RPMSG_ADDR_ANY, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE,
			       true) == 0;
	sent += hostile_ns_raw(&ept, n, 0x3003, 7, RPMSG_NS_MSG_SIZE, true) == 0;
	sent += hostile_ns_raw(&ept, n, 0x3004, RPMSG_NS_CREATE, 39, true) == 0;
	sent += hostile_ns_raw(&ept, n, 0x3005, RPMSG_NS_CREATE, 48, true) == 0;
	sent += hostile_ns_raw(&ept, n, 0x3006, RPMSG_NS_CREATE, 0, true) == 0;
	/* Destroys of channels that never existed. */
	for (uint32_t a = 0x3100; a < 0x3140; a++)
		sent += hostile_ns_raw(&ept, n, a, RPMSG_NS_DESTROY, RPMSG_NS_MSG_SIZE, true) == 0;
	/* Churn: the same channel created and destroyed over and over. */
	for (int i = 0; i < 2000; i++) {
		sent += hostile_ns_raw(&ept, n, 0x3200, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE,
				       true) == 0;
		sent += hostile_ns_raw(&ept, n, 0x3200, RPMSG_NS_DESTROY, RPMSG_NS_MSG_SIZE,
				       true) == 0;
	}
	/* More channels than the host takes (it refuses past its limit). */
	memcpy(n, "hostile-many", 13);
	for (uint32_t a = 0x10000; a < 0x10000 + 5000; a++)
		sent += hostile_ns_raw(&ept, n, a, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE, true) == 0;
	uproc_fw_trace("hostile: %d malformed name-service messages sent\n", sent);
}
#endif

int main(void)
{
	uproc_fw_trace("hostile names: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    rpmsg_create_ept(&ept, rp.vdev, RPMSG_ADDR_ANY, RPMSG_ADDR_ANY, NULL, NULL))
		return 1;
#ifdef HOSTILE_HOLD
	int n = 0;
	for (uint32_t i = 0; i < HOSTILE_CHANNELS; i++)
		n += hostile_announce(&ept, "rpmsg-tty", 0x4000 + i) == 0;
	uproc_fw_trace("hostile: %d channels announced, holding every buffer now\n", n);
	hostile_hold();
#else
	malformed();
	if (uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
#endif
}
