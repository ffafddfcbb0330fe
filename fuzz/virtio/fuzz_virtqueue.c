/* SPDX-License-Identifier: MIT */
/*
 * fuzz_virtqueue.c - one split ring driven from both ends, with arbitrary bytes
 * written into it between operations: the driver must survive any device and the
 * device any driver (bounds, loops, indirect tables, ids), and the ATTACH
 * rebuild must accept or reject any ring state cleanly.
 */
#include <stdint.h>
#include <string.h>

#include "uproc/virtio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NUM 8
#define DA 0x40000000u
#define REGION 8192

static void notify(struct virtqueue *vq)
{
	(void)vq;
}

static uint32_t take(const uint8_t **p, size_t *n, unsigned int bytes)
{
	uint32_t v = 0;
	for (unsigned int i = 0; i < bytes; i++) {
		v <<= 8;
		if (*n) {
			v |= **p;
			(*p)++;
			(*n)--;
		}
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(64) uint8_t mem[REGION];
	static struct virtqueue_desc_state ds[NUM], vs[NUM], as[NUM];
	memset(mem, 0, sizeof(mem));
	struct uproc_shm shm;
	uproc_shm_init(&shm, mem, DA, REGION);
	uint64_t features = take(&data, &size, 1);
	features = ((features & 1) << VIRTIO_RING_F_INDIRECT_DESC) |
		   ((features & 2) << (VIRTIO_RING_F_EVENT_IDX - 1));
	struct virtqueue_info vi = {
		.role = VIRTIO_ROLE_DRIVER, .num = NUM, .align = 16, .ring_shm = &shm,
		.ring_da = DA, .buf_shm = &shm, .features = features, .state = ds,
		.notify = notify,
	};
	struct virtqueue drv, dev, att;
	if (virtqueue_init(&drv, &vi))
		return 0;
	vi.role = VIRTIO_ROLE_DEVICE;
	vi.state = vs;
	if (virtqueue_init(&dev, &vi))
		return 0;
	uint64_t ring_bytes = uproc_vring_size(NUM, 16);
	for (int steps = 0; size && steps < 200; steps++) {
		struct virtqueue_buf iov[4];
		unsigned int out, in;
		uint32_t len;
		switch (take(&data, &size, 1) % 8) {
		case 0: {
			unsigned int k = take(&data, &size, 1);
			struct virtqueue_buf b[2] = { { mem + 1024 + 64 * (k % 16), 1 + k % 64 },
						      { mem + 2048 + 64 * (k % 16), 1 + k % 32 } };
			unsigned int nout = k & 1, nin = nout ? 1 : 1 + ((k >> 1) & 1);
			virtqueue_add_sgs(&drv, b, nout, nin, b[0].addr);
			break;
		}
		case 1: {
			int h = virtqueue_pop(&dev, iov, 1 + take(&data, &size, 1) % 4, &out, &in);
			if (h >= 0) {
				for (unsigned int i = 0; i < out + in; i++)
					memset(iov[i].addr, 0xab, iov[i].len); /* ASan: in bounds? */
				virtqueue_push(&dev, (unsigned int)h, take(&data, &size, 2));
			}
			break;
		}
		case 2:
			virtqueue_get_buf(&drv, &len);
			break;
		case 3: /* the peer scribbles on the ring */
			mem[take(&data, &size, 2) % ring_bytes] = (uint8_t)take(&data, &size, 1);
			break;
		case 4:
			virtqueue_kick(&drv);
			virtqueue_kick(&dev);
			break;
		case 5:
			virtqueue_enable_cb(&drv);
			virtqueue_enable_cb(&dev);
			break;
		case 6:
			virtqueue_disable_cb(&drv);
			virtqueue_disable_cb(&dev);
			break;
		case 7: { /* a new driver re-attaches to whatever the ring holds */
			vi.role = VIRTIO_ROLE_DRIVER;
			vi.state = as;
			vi.mode = VIRTQUEUE_INIT_ATTACH;
			if (virtqueue_init(&att, &vi) == 0) {
				while (virtqueue_get_buf(&att, &len))
					;
				while (virtqueue_detach_unused_buf(&att))
					;
			}
			vi.mode = VIRTQUEUE_INIT_RESET;
			break;
		}
		}
	}
	return 0;
}
