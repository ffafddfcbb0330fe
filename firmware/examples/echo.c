// SPDX-License-Identifier: MIT
/*
 * echo.c - example firmware: an rpmsg service that echoes every message back to its
 * sender, as Linux's rpmsg-client-sample expects. Channel "rpmsg-client-sample".
 */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

static unsigned long echoed;

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	(void)priv;
	int ret = rpmsg_sendto(ept, data, len, src);
	if (ret) {
		uproc_fw_trace("echo: cannot answer %u (%d)\n", (unsigned int)src, ret);
		return 0;
	}
	echoed++;
	if (echoed <= 8 || (echoed & (echoed - 1)) == 0)
		uproc_fw_trace("echo: message %lu from %u, %zu bytes\n", echoed,
			       (unsigned int)src, len);
	return 0;
}

static struct uproc_fw_service echo = {
	.name = "rpmsg-client-sample",
	.callback = on_message,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	uproc_fw_trace("echo firmware: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &echo))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
