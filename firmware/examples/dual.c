// SPDX-License-Identifier: MIT
/*
 * dual.c - example firmware with two rpmsg vdevs, each announcing
 * "rpmsg-client-sample": vdev0 echoes every message, vdev1 answers "1:" and the
 * message, so a test can tell the buses apart. A Linux host (and uprocd) gives
 * each rpmsg vdev its own rpmsg_ctrlN.
 */
#include "uproc/fw/libc.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

struct dual_table {
	struct uproc_fw_rsc_header hdr;
	uint32_t offset[3];
	struct uproc_fw_rsc_trace trace;
	struct uproc_fw_rsc_vdev2 vdev0;
	struct uproc_fw_rsc_vdev2 vdev1;
} UPROC_PACKED;

UPROC_FW_RESOURCE_TABLE struct dual_table resource_table = {
	.hdr = UPROC_FW_RSC_HEADER(3),
	.offset = { UPROC_FW_RSC_OFFSET(struct dual_table, trace),
		    UPROC_FW_RSC_OFFSET(struct dual_table, vdev0),
		    UPROC_FW_RSC_OFFSET(struct dual_table, vdev1) },
	.trace = UPROC_FW_RSC_TRACE("trace0"),
	.vdev0 = UPROC_FW_RSC_VDEV(VIRTIO_ID_RPMSG, 1u << VIRTIO_RPMSG_F_NS, 32, 0),
	.vdev1 = UPROC_FW_RSC_VDEV(VIRTIO_ID_RPMSG, 1u << VIRTIO_RPMSG_F_NS, 32, 1),
};

static int echo_back(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		     void *priv)
{
	(void)priv;
	if (rpmsg_sendto(ept, data, len, src))
		uproc_fw_trace("dual: vdev0: no answer to %u\n", (unsigned int)src);
	return 0;
}

/* vdev1 answers "1:" and the message (cut to the MTU), to tell the buses apart. */
static int tag_back(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	char out[RPMSG_BUF_SIZE];
	int mtu = rpmsg_get_mtu(ept);
	size_t room = mtu > 2 ? (size_t)mtu - 2 : 0;

	(void)priv;
	out[0] = '1';
	out[1] = ':';
	if (len > room)
		len = room;
	if (len > sizeof(out) - 2)
		len = sizeof(out) - 2;
	memcpy(out + 2, data, len);
	if (rpmsg_sendto(ept, out, len + 2, src))
		uproc_fw_trace("dual: vdev1: no answer to %u\n", (unsigned int)src);
	return 0;
}

static struct uproc_fw_service echo = { .name = "rpmsg-client-sample", .callback = echo_back };
static struct uproc_fw_service tagged = {
	.name = "rpmsg-client-sample",
	.callback = tag_back,
};
static struct uproc_fw_rpmsg rp0, rp1;

/* The service loop serves vdev0; every round serves vdev1 too. */
static int serve_vdev1(void *arg)
{
	(void)arg;
	(void)rpmsg_virtio_handle_kick(rp1.vdev);
	return 0;
}

int main(void)
{
	if (uproc_fw_rpmsg_init(&rp0, &resource_table.vdev0) ||
	    uproc_fw_rpmsg_init(&rp1, &resource_table.vdev1) ||
	    uproc_fw_rpmsg_add_service(&rp0, &echo) || uproc_fw_rpmsg_add_service(&rp1, &tagged))
		return 1;
	uproc_fw_trace("dual: two rpmsg vdevs up\n");
	return uproc_fw_run(&rp0, serve_vdev1, NULL);
}
