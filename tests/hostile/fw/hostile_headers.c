// SPDX-License-Identifier: MIT
/*
 * hostile_headers.c - forged rpmsg headers, written straight into the host's
 * receive buffers (taken from vring0's avail ring, returned on its used ring) once
 * the rings are live (to the host's endpoint of the channel once it has bound it,
 * else to address 1024). Built once per variant:
 *   HOSTILE_LEN    a header whose len (0xffff) runs past the buffer and past the
 *                  used length.
 *   HOSTILE_SPOOF  messages from the name-service address to the host's channel
 *                  endpoint and to the name service, with short and long bodies.
 *   HOSTILE_STORM  as many forged headers as the host gives buffers, forever (lengths
 *                  beyond the used length, reserved fields set, src/dst nobody has).
 * Bad messages are dropped and counted, never a crash; the host keeps serving.
 */
#include "hostile.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static struct uproc_fw_rpmsg rp;

static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = hostile_sink };

/*
 * One forged message in the next buffer the host posted: header fields as given,
 * @plen payload bytes of 0x5a, used length @ulen. 0, or -1 when no buffer is there.
 */
static int forge(uint32_t src, uint32_t dst, uint16_t len, uint32_t reserved, uint16_t plen,
		 uint32_t ulen)
{
	struct hostile_vring r = hostile_vring(&resource_table.vdev, 0);
	uint16_t next = (uint16_t)hostile_rd(r.used + 2, 2); /* consumed = returned, in order */
	uint16_t avail = (uint16_t)hostile_rd(r.avail + 2, 2);
	if (avail == next)
		return -1;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t head = (uint16_t)hostile_rd(r.avail + 4 + 2u * (next & (r.num - 1)), 2);
	if (head >= r.num)
		return -1;
	volatile uint8_t *d = r.desc + 16u * head;
	uintptr_t addr = (uintptr_t)hostile_rd(d, 4); /* the low half: device addresses are 32-bit */
	uint32_t cap = hostile_rd(d + 8, 4);
	volatile uint8_t *b = (volatile uint8_t *)addr;
	if (cap < 16)
		return -1;
	hostile_wr(b, src, 4);
	hostile_wr(b + 4, dst, 4);
	hostile_wr(b + 8, reserved, 4);
	hostile_wr(b + 12, len, 2);
	hostile_wr(b + 14, 0xffff, 2); /* flags */
	for (uint32_t k = 16; k < 16u + plen && k < cap; k++)
		b[k] = 0x5a;
	volatile uint8_t *e = r.used + 4 + 8u * (next & (r.num - 1));
	hostile_wr(e, head, 4);
	hostile_wr(e + 4, ulen, 4);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	hostile_wr(r.used + 2, (uint16_t)(next + 1), 2);
	return 0;
}

static void ring_host(void)
{
	uproc_fw_notify(resource_table.vdev.vring[0].notifyid);
}

int main(void)
{
	uproc_fw_trace("hostile headers: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) || uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	/* A moment for the host to bind the channel (a host that does answers at once). */
	uint64_t until = uproc_fw_now_ns() + 200000000u;
	while ((!svc.ept || svc.ept->dst == RPMSG_ADDR_ANY) && uproc_fw_now_ns() < until) {
		rpmsg_virtio_handle_kick(rp.vdev);
		uproc_fw_cpu_relax();
	}
	uint32_t host = svc.ept && svc.ept->dst != RPMSG_ADDR_ANY ? svc.ept->dst : 1024;
	uint32_t me = svc.ept ? svc.ept->addr : 1024;
	(void)me;
	uproc_fw_trace("hostile headers: forging (host endpoint %u)\n", (unsigned int)host);
#if defined(HOSTILE_LEN)
	forge(me, host, 0xffff, 0, 32, 48);
	forge(me, host, 40, 0, 8, 16 + 8); /* len beyond the used length */
	ring_host();
#elif defined(HOSTILE_SPOOF)
	forge(RPMSG_NS_ADDR, host, 8, 0, 8, 24);
	forge(RPMSG_NS_ADDR, RPMSG_NS_ADDR, 4, 0, 4, 20);      /* a name-service message too short */
	forge(me, RPMSG_NS_ADDR, 200, 0, 200, 216);            /* too long */
	forge(RPMSG_ADDR_ANY, host, 4, 0, 4, 20);               /* from nobody */
	ring_host();
#elif defined(HOSTILE_STORM)
	for (uint32_t n = 0;; n++) {
		int sent = 0;
		while (forge(0x7000 + (n & 255), n & 1 ? host : 0x6000 + (n & 127),
			     (uint16_t)(n * 37), n, 16, 16 + (n & 15)) == 0)
			sent++, n++;
		if (sent)
			ring_host();
		(void)uproc_fw_wait(UPROC_FW_FOREVER);
		uproc_fw_heartbeat();
	}
#endif
	hostile_hold();
}
