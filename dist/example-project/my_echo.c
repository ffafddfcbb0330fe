/* my_echo.c - a firmware of its own: echoes on "rpmsg-client-sample". */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	(void)priv;
	uproc_fw_trace("my_echo: %zu bytes\n", len);
	return rpmsg_sendto(ept, data, len, src);
}

static struct uproc_fw_service echo = { .name = "rpmsg-client-sample",
					.callback = on_message };

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &echo))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
