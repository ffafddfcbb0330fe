// SPDX-License-Identifier: MIT
/*
 * console.c - example firmware: a virtio console (vdev id 3) that sends back every
 * byte the host writes, letters' case inverted. Raw virtqueues, no rpmsg:
 * transmitq (1) brings the host's bytes, receiveq (0) takes ours to the host.
 */
#include "uproc/fw/libc.h"
#include "uproc/fw/platform.h"
#include "uproc/fw/rsc.h"
#include "uproc/fw/runtime.h"
#include "uproc/fw/trace.h"

#define CONSOLE_NUM 64u
#define CONSOLE_RECEIVEQ 0u
#define CONSOLE_TRANSMITQ 1u

UPROC_FW_RSC_TABLE_CONSOLE(CONSOLE_NUM);

static struct virtqueue rxq, txq;
static struct virtqueue_desc_state rx_state[CONSOLE_NUM], tx_state[CONSOLE_NUM];
static char pending[4096];
static size_t pending_len, pending_off;
static unsigned long bytes_in, bytes_out;

static char invert_case(char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if (c >= 'A' && c <= 'Z')
		return (char)(c - 'A' + 'a');
	return c;
}

/* Take the host's bytes while there is room for them. */
static int take_input(void)
{
	struct virtqueue_buf iov[8];
	unsigned int out_num, in_num;
	int n = 0;

	while (pending_len == 0) {
		int head = virtqueue_pop(&txq, iov, 8, &out_num, &in_num);
		if (head < 0)
			break;
		for (unsigned int i = 0; i < out_num; i++) {
			const char *src = iov[i].addr;
			for (uint32_t j = 0; j < iov[i].len && pending_len < sizeof(pending); j++)
				pending[pending_len++] = invert_case(src[j]);
			bytes_in += iov[i].len;
		}
		virtqueue_push(&txq, (unsigned int)head, 0);
		n++;
	}
	if (n)
		virtqueue_kick(&txq);
	return n;
}

/* Fill the host's receive buffers with what is pending. */
static int give_output(void)
{
	struct virtqueue_buf iov[8];
	unsigned int out_num, in_num;
	int n = 0;

	while (pending_off < pending_len) {
		int head = virtqueue_pop(&rxq, iov, 8, &out_num, &in_num);
		if (head < 0)
			break;
		uint32_t written = 0;
		for (unsigned int i = out_num; i < out_num + in_num && pending_off < pending_len; i++) {
			uint32_t k = iov[i].len;
			if (k > pending_len - pending_off)
				k = (uint32_t)(pending_len - pending_off);
			memcpy(iov[i].addr, pending + pending_off, k);
			pending_off += k;
			written += k;
		}
		virtqueue_push(&rxq, (unsigned int)head, written);
		bytes_out += written;
		n++;
	}
	if (pending_off == pending_len)
		pending_off = pending_len = 0;
	if (n)
		virtqueue_kick(&rxq);
	return n;
}

int main(void)
{
	const volatile struct uproc_fw_rsc_vdev2 *vdev = &resource_table.vdev;

	uproc_fw_trace("console firmware: starting\n");
	if (uproc_fw_vdev_wait_ready(vdev) ||
	    uproc_fw_vq_init(&rxq, rx_state, CONSOLE_NUM, vdev, CONSOLE_RECEIVEQ) ||
	    uproc_fw_vq_init(&txq, tx_state, CONSOLE_NUM, vdev, CONSOLE_TRANSMITQ)) {
		uproc_fw_trace("console: cannot start\n");
		return 1;
	}
	uproc_fw_trace("console: up\n");
	for (;;) {
		int progress = take_input() + give_output();
		if (progress) {
			uproc_fw_trace("console: %lu bytes in, %lu out\n", bytes_in, bytes_out);
			continue;
		}
		/* Ask for kicks on the queue we wait on, then look once more. */
		bool idle = pending_len ? virtqueue_enable_cb(&rxq) : virtqueue_enable_cb(&txq);
		if (idle)
			uproc_fw_wait(UPROC_FW_FOREVER);
	}
}
