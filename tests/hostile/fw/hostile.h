/* SPDX-License-Identifier: MIT */
/*
 * hostile.h - helpers shared by the hostile firmware images: raw name-service
 * messages and a loop that keeps the core alive without serving the host.
 */
#ifndef UPROC_HOSTILE_H
#define UPROC_HOSTILE_H

#include <stdint.h>

#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

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
