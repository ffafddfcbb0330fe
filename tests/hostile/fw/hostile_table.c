// SPDX-License-Identifier: MIT
/*
 * hostile_table.c - attacks on the resource table and re-attach.
 *   HOSTILE_NOTIFYIDS  once up, rewrites its live table's vring notifyids (5000 and
 *                      0xFFFFFFFF), then serves "rpmsg-client-sample" as an echo: a
 *                      host that attaches later must refuse the table, not end
 *                      attached to a core it cannot reach.
 */
#include "hostile.h"
#include "uproc/fw/rsc.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

static struct uproc_fw_rpmsg rp;

static int echo(struct rpmsg_endpoint *e, void *data, size_t len, uint32_t src, void *priv)
{
	(void)priv;
	(void)rpmsg_sendto(e, data, len, src);
	return 0;
}

static struct uproc_fw_service svc = { .name = "rpmsg-client-sample", .callback = echo };

int main(void)
{
	uproc_fw_trace("hostile table: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) || uproc_fw_rpmsg_add_service(&rp, &svc))
		return 1;
	/* The runtime has its own copy of the notifyids: only the table lies. */
	volatile struct uproc_fw_rsc_vdev2 *v = &resource_table.vdev;
	v->vring[0].notifyid = 5000;
	v->vring[1].notifyid = 0xFFFFFFFFu;
	uproc_fw_trace("hostile table: notifyids rewritten\n");
	return uproc_fw_run(&rp, NULL, NULL);
}
