// SPDX-License-Identifier: MIT
/*
 * tty.c - example firmware: an "rpmsg-tty" channel (the host shows it as a tty)
 * that sends every string back with its letters' case inverted.
 */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

static unsigned long lines;

static char invert_case(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	char out[RPMSG_BUF_SIZE];
	const char *in = data;

	(void)priv;
	if (len > sizeof(out))
		len = sizeof(out);
	for (size_t i = 0; i < len; i++)
		out[i] = invert_case(in[i]);
	int ret = rpmsg_sendto(ept, out, len, src);
	lines++;
	uproc_fw_trace("tty: %lu: %zu bytes%s\n", lines, len, ret ? " (answer failed)" : "");
	return 0;
}

static struct uproc_fw_service tty = {
	.name = "rpmsg-tty",
	.callback = on_message,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	uproc_fw_trace("tty firmware: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &tty))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
