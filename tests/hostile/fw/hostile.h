/* SPDX-License-Identifier: MIT */
/*
 * hostile.h - helpers shared by the hostile firmware images: raw name-service
 * messages, a loop that keeps the core alive without serving the host, a callback
 * that drops what comes, and raw access to the vrings the host placed.
 */
#ifndef UPROC_HOSTILE_H
#define UPROC_HOSTILE_H

#include <stdint.h>

#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

/* An endpoint callback that drops every message. */
static inline int hostile_sink(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src,
			       void *priv)
{
	(void)e;
	(void)data;
	(void)len;
	(void)src;
	(void)priv;
	return 0;
}

/* Vring @i of @v as the host placed it (legacy split layout, 32-bit device addresses). */
struct hostile_vring {
	volatile uint8_t *desc, *avail, *used;
	uint32_t num;
};

static inline struct hostile_vring hostile_vring(const volatile struct uproc_fw_rsc_vdev2 *v,
						 unsigned int i)
{
	struct hostile_vring r;
	uintptr_t da = v->vring[i].da, align = v->vring[i].align;
	r.num = v->vring[i].num;
	r.desc = (volatile uint8_t *)da;
	r.avail = r.desc + 16u * r.num;
	uintptr_t used = (uintptr_t)r.avail + 4u + 2u * r.num + 2u;
	r.used = (volatile uint8_t *)((used + align - 1) & ~(align - 1));
	return r;
}

/* @n little-endian bytes at @p (the rings are in the host's order: x86-64). */
static inline uint32_t hostile_rd(const volatile uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int k = n - 1; k >= 0; k--)
		v = (v << 8) | p[k];
	return v;
}

static inline void hostile_wr(volatile uint8_t *p, uint32_t v, int n)
{
	for (int k = 0; k < n; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}

/* Send a name-service message of @len bytes built from @name (copied raw, 32 bytes). */
static inline int hostile_ns_raw(struct rpmsg_endpoint *ept, const char name[RPMSG_NAME_SIZE],
				 uint32_t addr, uint32_t flags, size_t len, bool wait)
{
	unsigned char m[RPMSG_NS_MSG_SIZE + 8];
	memset(m, 0, sizeof(m));
	memcpy(m, name, RPMSG_NAME_SIZE);
	memcpy(m + RPMSG_NAME_SIZE, &addr, 4);
	memcpy(m + RPMSG_NAME_SIZE + 4, &flags, 4);
	if (len > sizeof(m))
		len = sizeof(m);
	uint32_t src = addr == RPMSG_ADDR_ANY ? ept->addr : addr;
	return wait ? rpmsg_send_offchannel(ept, src, RPMSG_NS_ADDR, m, len)
		    : rpmsg_trysend_offchannel(ept, src, RPMSG_NS_ADDR, m, len);
}

/* Announce @name at @addr (a proper create message). */
static inline int hostile_announce(struct rpmsg_endpoint *ept, const char *name, uint32_t addr)
{
	char n[RPMSG_NAME_SIZE];
	memset(n, 0, sizeof(n));
	memcpy(n, name, strnlen(name, RPMSG_NAME_SIZE - 1));
	return hostile_ns_raw(ept, n, addr, RPMSG_NS_CREATE, RPMSG_NS_MSG_SIZE, true);
}

/* Stay alive (the watchdog sees a sleeping core) and never touch a ring again. */
static inline __attribute__((noreturn)) void hostile_hold(void)
{
	for (;;)
		(void)uproc_fw_wait(UPROC_FW_FOREVER);
}

#endif /* UPROC_HOSTILE_H */
