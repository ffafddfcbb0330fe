// SPDX-License-Identifier: MIT
/*
 * raw.c - example firmware: an "rpmsg-raw" channel, which a Linux host (and uprocd)
 * turns into an endpoint device by itself. Every message comes back reversed, so a
 * test can tell the answer from what it sent.
 */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(64);

static int reverse_back(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
			void *priv)
{
	char out[RPMSG_BUF_SIZE];
	const char *in = data;

	(void)priv;
	if (len > sizeof(out))
		len = sizeof(out);
	for (size_t i = 0; i < len; i++)
		out[len - 1 - i] = in[i];
	if (rpmsg_sendto(ept, out, len, src))
		uproc_fw_trace("raw: no answer to %u\n", (unsigned int)src);
	return 0;
}

static struct uproc_fw_service raw = {
	.name = "rpmsg-raw",
	.callback = reverse_back,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &raw))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
