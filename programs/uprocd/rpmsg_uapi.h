/* SPDX-License-Identifier: MIT */
/*
 * rpmsg_uapi.h - what a program shares with <dev>/rpmsg_ctrlN and <dev>/rpmsgM:
 * Linux's include/uapi/linux/rpmsg.h, written out here (the ioctl numbers and
 * struct rpmsg_endpoint_info are the same bytes).
 */
#ifndef UPROCD_RPMSG_UAPI_H
#define UPROCD_RPMSG_UAPI_H

#include <linux/ioctl.h>
#include <stdint.h>

#define UPROCD_EPT_QUEUE 1024
#define UPROCD_NAME_SIZE 32

/** struct uprocd_endpoint_info - Linux's struct rpmsg_endpoint_info (uapi). */
struct uprocd_endpoint_info {
	char name[UPROCD_NAME_SIZE];
	uint32_t src;
	uint32_t dst;
};

#define UPROCD_RPMSG_CREATE_EPT _IOW(0xb5, 0x1, struct uprocd_endpoint_info)
#define UPROCD_RPMSG_DESTROY_EPT _IO(0xb5, 0x2)
#define UPROCD_RPMSG_CREATE_DEV _IOW(0xb5, 0x3, struct uprocd_endpoint_info)
#define UPROCD_RPMSG_RELEASE_DEV _IOW(0xb5, 0x4, struct uprocd_endpoint_info)
#define UPROCD_RPMSG_GET_OUTGOING_FLOWCONTROL _IOR(0xb5, 0x5, int)
#define UPROCD_RPMSG_SET_INCOMING_FLOWCONTROL _IOR(0xb5, 0x6, int)

_Static_assert(sizeof(struct uprocd_endpoint_info) == 40, "rpmsg_endpoint_info is 40 bytes");

#endif /* UPROCD_RPMSG_UAPI_H */
