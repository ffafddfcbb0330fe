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
#include "uproc/fw/rsc.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static struct uproc_fw_rpmsg rp;
static struct uproc_fw_service svc;
static bool done;

static int sink(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)e;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	return 0;
}

static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = sink };

/* The used ring of vring @i (legacy split layout: desc, avail, pad to align, used). */
static volatile uint8_t *used_ring(unsigned int i, uint32_t *num)
{
	const volatile struct uproc_fw_rsc_vdev2 *v = &resource_table.vdev;
	uintptr_t da = v->vring[i].da, align = v->vring[i].align;
	*num = v->vring[i].num;
	uintptr_t used = da + 16u * *num + 4u + 2u * *num + 2u;
	return (volatile uint8_t *)((used + align - 1) & ~(align - 1));
}

static uint16_t rd16(volatile uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static void wr16(volatile uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void wr32(volatile uint8_t *p, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* Write used entry @id/@len at the next slot of vring @i and publish it. */
static void push_raw(unsigned int i, uint32_t id, uint32_t len, uint16_t step)
{
	uint32_t num;
	volatile uint8_t *u = used_ring(i, &num);
	uint16_t idx = rd16(u + 2);
	volatile uint8_t *e = u + 4 + 8u * (idx & (num - 1));
	wr32(e, id);
	wr32(e + 4, len);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr16(u + 2, (uint16_t)(idx + step));
	uproc_fw_notify(resource_table.vdev.vring[i].notifyid);
}

static int work(void *arg)
{
	(void)arg;
	if (done || !svc.ept)
		return 0;
	uint32_t num;
	volatile uint8_t *u1 = used_ring(1, &num);
#if defined(HOSTILE_TWICE)
	/* vring1: the host's sends. Wait until one came back, then return it again. */
	uint16_t idx = rd16(u1 + 2);
	if (idx == 0)
		return 0;
	volatile uint8_t *last = u1 + 4 + 8u * ((uint16_t)(idx - 1) & (num - 1));
	uint32_t id = (uint32_t)(last[0] | (last[1] << 8) | (last[2] << 16) | ((uint32_t)last[3] << 24));
	uproc_fw_trace("hostile rings: returning send buffer %u twice\n", (unsigned int)id);
	push_raw(1, id, 0, 1);
#elif defined(HOSTILE_ID)
	(void)u1;
	uproc_fw_trace("hostile rings: used id 0xffff\n");
	push_raw(1, 0xffff, 0, 1);
#elif defined(HOSTILE_IDX)
	(void)u1;
	uproc_fw_trace("hostile rings: used index +1000\n");
	push_raw(1, 0, 0, 1000);
#elif defined(HOSTILE_LEN)
	(void)u1;
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
