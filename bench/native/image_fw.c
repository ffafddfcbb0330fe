// SPDX-License-Identifier: MIT
/*
 * image_fw.c - firmware for the boot benchmark: one channel to be ready on (it
 * drops what it receives) plus a blob of BENCH_BLOB_SIZE bytes (image_blob.S) that
 * makes the image as large as wanted.
 * Reading the blob's first and last bytes keeps it linked and shows it was loaded.
 */
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

extern const unsigned char bench_blob[];
extern const unsigned char bench_blob_last[]; /* its last byte */

static unsigned long dropped;

static int drop(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	dropped++;
	return 0;
}

static struct uproc_fw_service ready = { .name = "rpmsg-client-sample", .callback = drop };

int main(void)
{
	static struct uproc_fw_rpmsg rp;
	const volatile unsigned char *first = bench_blob, *last = bench_blob_last;

	uproc_fw_trace("image firmware: blob %02x..%02x\n", *first, *last);
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &ready))
		return 1;
	return uproc_fw_run(&rp, NULL, NULL);
}
