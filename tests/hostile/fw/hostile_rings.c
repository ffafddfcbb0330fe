// SPDX-License-Identifier: MIT
/*
 * hostile_rings.c - bad ring indices and entries, written straight into the vring
 * memory the host placed (its layout from the resource table), once the rings are
 * live (a send buffer returned twice: once the host sent one). Built once per variant:
 *   HOSTILE_TWICE  returns the host's last send buffer a second time (a second
 *                  used entry naming a buffer the host got back already): caught at
 *                  the kick that brings it, not when the host runs out of buffers.
 *   HOSTILE_ID     a used entry on the host's send ring naming descriptor 0xffff.
 *   HOSTILE_IDX    moves the used index of the host's send ring 1000 entries on.
 *   HOSTILE_LEN    returns a receive buffer with a used length of 0xfffffff0.
 * Each breaks the queue: the host reports a crash and keeps serving its other core.
 */
#include "hostile.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static struct uproc_fw_rpmsg rp;
static bool done;
static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = hostile_sink };

/* Write used entry @id/@len at the next slot of vring @i and publish it. */
static void push_raw(unsigned int i, uint32_t id, uint32_t len, uint16_t step)
{
	struct hostile_vring r = hostile_vring(&resource_table.vdev, i);
	uint16_t idx = (uint16_t)hostile_rd(r.used + 2, 2);
	volatile uint8_t *e = r.used + 4 + 8u * (idx & (r.num - 1));
	hostile_wr(e, id, 4);
	hostile_wr(e + 4, len, 4);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	hostile_wr(r.used + 2, (uint16_t)(idx + step), 2);
	uproc_fw_notify(resource_table.vdev.vring[i].notifyid);
}

static int work(void *arg)
{
	(void)arg;
	if (done || !svc.ept)
		return 0;
#if defined(HOSTILE_TWICE)
	/* vring1: the host's sends. Wait until one came back, then return it again. */
	struct hostile_vring r = hostile_vring(&resource_table.vdev, 1);
	uint16_t idx = (uint16_t)hostile_rd(r.used + 2, 2);
	if (idx == 0)
		return 0;
	uint32_t id = hostile_rd(r.used + 4 + 8u * ((uint16_t)(idx - 1) & (r.num - 1)), 4);
	uproc_fw_trace("hostile rings: returning send buffer %u twice\n", (unsigned int)id);
	push_raw(1, id, 0, 1);
#elif defined(HOSTILE_ID)
	uproc_fw_trace("hostile rings: used id 0xffff\n");
	push_raw(1, 0xffff, 0, 1);
#elif defined(HOSTILE_IDX)
	uproc_fw_trace("hostile rings: used index +1000\n");
	push_raw(1, 0, 0, 1000);
#elif defined(HOSTILE_LEN)
	/* vring0: the host's receive buffers; descriptor 0 is one it posted. */
	uproc_fw_trace("hostile rings: used length 0xfffffff0\n");
	push_raw(0, 0, 0xfffffff0u, 1);
#endif
	done = true;
	return 0;
}

int main(void)
{
	uproc_fw_trace("hostile rings: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) || uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	return uproc_fw_run(&rp, work, NULL);
}
