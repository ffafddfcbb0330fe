// SPDX-License-Identifier: MIT
/*
 * flood.c - example firmware for benchmarks. Channel "rpmsg-flood":
 *   "start N SIZE [B]"  stream N messages of SIZE bytes (8 <= SIZE <= MTU) to the
 *                   sender; each begins with a little-endian u32 sequence number and
 *                   the u32 N. Sent as fast as buffers come back, B at a time
 *                   (rpmsg_trysendto_batch(); 1 <= B <= FLOOD_BATCH_MAX, default 1:
 *                   one rpmsg_trysendto() each).
 *   "stats"         answer "rx=A bytes=B tx=C" (messages sunk, their bytes, sent)
 *   "reset"         zero the counters
 *   anything else   sunk: copied out, counted and dropped (the host-to-remote direction)
 */
#include <stdint.h>

#include "uproc/errno.h"
#include "uproc/fw/libc.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

UPROC_FW_RSC_TABLE_RPMSG(256);

#define FLOOD_BATCH_MAX 16u

static struct {
	struct rpmsg_endpoint *ept;
	uint32_t dst;
	uint32_t total, next, size, batch;
	unsigned long rx, rx_bytes, tx, sum;
} flood;

/* "start" and friends are exact words followed by a space or the end. */
static bool starts_with(const char *data, size_t len, const char *word)
{
	size_t n = strlen(word);
	return len >= n && memcmp(data, word, n) == 0 && (len == n || data[n] == ' ' ||
							  data[n] == '\n');
}

static const char *parse_u32(const char *p, const char *end, uint32_t *out)
{
	uint64_t v = 0;
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return NULL;
	while (p < end && *p >= '0' && *p <= '9') {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > UINT32_MAX)
			return NULL;
	}
	*out = (uint32_t)v;
	return p;
}

static int on_message(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src,
		      void *priv)
{
	const char *msg = data, *end = msg + len;
	char line[96];

	(void)priv;
	if (starts_with(msg, len, "start")) {
		uint32_t n, size, batch = 1;
		const char *p = parse_u32(msg + 5, end, &n);
		p = p ? parse_u32(p, end, &size) : NULL;
		const char *q = p;
		while (q && q < end && *q == ' ')
			q++;
		if (q && q < end && *q >= '0' && *q <= '9')
			p = parse_u32(q, end, &batch);
		int mtu = rpmsg_get_mtu(ept);
		if (!p || size < 8 || mtu < 0 || size > (uint32_t)mtu || batch < 1 ||
		    batch > FLOOD_BATCH_MAX) {
			rpmsg_sendto(ept, "bad start", 9, src);
			return 0;
		}
		flood.ept = ept;
		flood.dst = src;
		flood.total = n;
		flood.next = 0;
		flood.size = size;
		flood.batch = batch;
		uproc_fw_trace("flood: streaming %u messages of %u bytes to %u\n", (unsigned int)n, (unsigned int)size,
			       (unsigned int)src);
	} else if (starts_with(msg, len, "stats")) {
		int n = uproc_fw_snprintf(line, sizeof(line), "rx=%lu bytes=%lu tx=%lu", flood.rx,
					  flood.rx_bytes, flood.tx);
		rpmsg_sendto(ept, line, (size_t)n, src);
	} else if (starts_with(msg, len, "reset")) {
		flood.rx = flood.rx_bytes = flood.tx = 0;
	} else {
		/* Copy each message out, as a real consumer (and the benchmarks' raw ring)
		 * does; the checksum keeps the copy from being optimised away. */
		static unsigned char sink[RPMSG_BUF_SIZE];
		size_t n = len < sizeof(sink) ? len : sizeof(sink);
		memcpy(sink, msg, n);
		flood.sum += n ? sink[n - 1] : 0;
		flood.rx++;
		flood.rx_bytes += len;
	}
	return 0;
}

/* Stream while buffers are free; a kick brings more when they run out. */
static int stream(void *arg)
{
	static unsigned char msg[FLOOD_BATCH_MAX][RPMSG_BUF_SIZE];
	struct rpmsg_msg batch[FLOOD_BATCH_MAX];

	(void)arg;
	while (flood.ept && flood.next < flood.total) {
		uint32_t total = flood.total, left = total - flood.next;
		unsigned int n = left < flood.batch ? left : flood.batch;
		for (unsigned int i = 0; i < n; i++) {
			uint32_t seq = flood.next + i;
			memcpy(msg[i], &seq, 4);
			memcpy(msg[i] + 4, &total, 4);
			batch[i].data = msg[i];
			batch[i].len = flood.size;
		}
		int ret = n == 1 ? rpmsg_trysendto(flood.ept, msg[0], flood.size, flood.dst)
				 : rpmsg_trysendto_batch(flood.ept, flood.dst, batch, n);
		if (ret == -ENOMEM)
			return 0; /* out of buffers: wait for the host */
		if (ret < 0) {
			uproc_fw_trace("flood: send failed (%d), stopping\n", ret);
			flood.ept = NULL;
			return 0;
		}
		uint32_t done = n == 1 ? 1 : (uint32_t)ret;
		flood.next += done;
		flood.tx += done;
		if (flood.next == flood.total)
			uproc_fw_trace("flood: sent %u messages\n", (unsigned int)flood.total);
	}
	return 0;
}

static struct uproc_fw_service service = {
	.name = "rpmsg-flood",
	.callback = on_message,
};

int main(void)
{
	static struct uproc_fw_rpmsg rp;

	uproc_fw_trace("flood firmware: starting\n");
	if (uproc_fw_rpmsg_init(&rp, &resource_table.vdev) ||
	    uproc_fw_rpmsg_add_service(&rp, &service))
		return 1;
	return uproc_fw_run(&rp, stream, NULL);
}
