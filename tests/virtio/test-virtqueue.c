/* SPDX-License-Identifier: MIT */
/*
 * test-virtqueue.c - split virtqueues on their own (no rpmsg): both roles over one
 * ring, notification suppression, re-attach, and hand-built hostile ring states.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "uproc/virtio.h"

#define NUM 8
#define RING_DA 0x20000000u
#define REGION 65536

struct vqf {
	_Alignas(4096) uint8_t mem[REGION];
	struct uproc_shm shm;
	struct virtqueue drv, dev;
	struct virtqueue_desc_state ds[NUM], vs[NUM];
	int drv_broken, dev_broken, drv_notified, dev_notified;
	uint64_t features;
};

static struct vqf F;

static void drv_notify(struct virtqueue *vq)
{
	((struct vqf *)vq->priv)->drv_notified++;
}

static void dev_notify(struct virtqueue *vq)
{
	((struct vqf *)vq->priv)->dev_notified++;
}

static void drv_broken(struct virtqueue *vq, int err)
{
	((struct vqf *)vq->priv)->drv_broken = err;
}

static void dev_broken(struct virtqueue *vq, int err)
{
	((struct vqf *)vq->priv)->dev_broken = err;
}

static int vq_open(struct virtqueue *vq, enum virtio_role role, enum virtqueue_init_mode mode)
{
	struct virtqueue_info vi = {
		.role = role,
		.index = 0,
		.num = NUM,
		.align = 16,
		.ring_shm = &F.shm,
		.ring_da = RING_DA,
		.buf_shm = &F.shm,
		.features = F.features,
		.state = role == VIRTIO_ROLE_DRIVER ? F.ds : F.vs,
		.mode = mode,
		.notify = role == VIRTIO_ROLE_DRIVER ? drv_notify : dev_notify,
		.broken = role == VIRTIO_ROLE_DRIVER ? drv_broken : dev_broken,
		.priv = &F,
	};
	return virtqueue_init(vq, &vi);
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	uproc_shm_init(&F.shm, F.mem, RING_DA, REGION);
	return 0;
}

static void open_both(uint64_t features)
{
	F.features = features;
	assert_int_equal(vq_open(&F.drv, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_RESET), 0);
	assert_int_equal(vq_open(&F.dev, VIRTIO_ROLE_DEVICE, VIRTQUEUE_INIT_RESET), 0);
}

/* Ring pokes (same byte order as this CPU). */
static uint8_t *ring(void)
{
	return F.mem;
}
static uint8_t *desc(unsigned int i)
{
	return ring() + 16 * i;
}
static uint8_t *avail(void)
{
	return ring() + 16 * NUM;
}
static uint8_t *used(void)
{
	uint64_t end = 16 * NUM + 2 * (3 + NUM);
	return ring() + ((end + 15) & ~15ull);
}
static void set_desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	memcpy(desc(i), &addr, 8);
	memcpy(desc(i) + 8, &len, 4);
	memcpy(desc(i) + 12, &flags, 2);
	memcpy(desc(i) + 14, &next, 2);
}
static uint16_t get16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}
static void put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}
static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}
/* Publish head @h in the next avail slot (as a driver would). */
static void avail_push(uint16_t h)
{
	uint16_t idx = get16(avail() + 2);
	put16(avail() + 4 + 2 * (idx % NUM), h);
	put16(avail() + 2, (uint16_t)(idx + 1));
}
/* Publish used entry (@id, @len) (as a device would). */
static void used_push(uint32_t id, uint32_t len)
{
	uint16_t idx = get16(used() + 2);
	put32(used() + 4 + 8 * (idx % NUM), id);
	put32(used() + 8 + 8 * (idx % NUM), len);
	put16(used() + 2, (uint16_t)(idx + 1));
}

static uint8_t *buf(unsigned int k)
{
	return F.mem + 8192 + 256 * k;
}
static uint64_t buf_da(unsigned int k)
{
	return RING_DA + 8192 + 256 * k;
}

static void test_roundtrip(void **state)
{
	(void)state;
	open_both(0);
	struct virtqueue_buf sg[3] = { { buf(0), 100 }, { buf(1), 50 }, { buf(2), 200 } };
	assert_int_equal(virtqueue_add_sgs(&F.drv, sg, 2, 1, (void *)0x11), 0);
	assert_int_equal(virtqueue_add_inbuf(&F.drv, buf(3), 256, (void *)0x22), 0);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(4), 16, (void *)0x33), 0);
	assert_int_equal(virtqueue_num_free(&F.drv), NUM - 5);
	assert_true(virtqueue_kick(&F.drv));
	assert_int_equal(F.drv_notified, 1);
	assert_true(virtqueue_pending(&F.dev));

	struct virtqueue_buf iov[4];
	unsigned int out, in;
	int h = virtqueue_pop(&F.dev, iov, 4, &out, &in);
	assert_true(h >= 0);
	assert_int_equal(out, 2);
	assert_int_equal(in, 1);
	assert_ptr_equal(iov[0].addr, buf(0));
	assert_int_equal(iov[2].len, 200);
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h, 201), -EINVAL); /* > writable */
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h, 200), 0);
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h, 0), -EINVAL); /* not held */
	assert_true(virtqueue_kick(&F.dev));

	uint32_t len = 0;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x11);
	assert_int_equal(len, 200);
	assert_null(virtqueue_get_buf(&F.drv, &len));
	assert_int_equal(virtqueue_num_free(&F.drv), NUM - 2);

	/* Out of descriptors. */
	struct virtqueue_buf many[NUM];
	for (int i = 0; i < NUM; i++)
		many[i] = (struct virtqueue_buf){ buf((unsigned)i), 8 };
	assert_int_equal(virtqueue_add_sgs(&F.drv, many, NUM - 1, 0, (void *)1), -ENOSPC);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 0, (void *)1), -EINVAL);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 8, NULL), -EINVAL);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, F.mem + REGION - 4, 8, (void *)1), -EFAULT);
	uint8_t local[8];
	assert_int_equal(virtqueue_add_outbuf(&F.drv, local, 8, (void *)1), -EFAULT);
	assert_int_equal(virtqueue_pop(&F.drv, iov, 4, &out, &in), -EINVAL); /* wrong role */
	assert_int_equal(virtqueue_add_outbuf(&F.dev, buf(0), 8, (void *)1), -EINVAL);

	/* Teardown takes back what is still in flight. */
	int n = 0;
	while (virtqueue_detach_unused_buf(&F.drv))
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(virtqueue_num_free(&F.drv), NUM);
	assert_int_equal(virtqueue_get_vring_size(&F.drv), NUM);
}

static void test_init_errors(void **state)
{
	(void)state;
	struct virtqueue vq;
	struct virtqueue_info vi = {
		.role = VIRTIO_ROLE_DRIVER, .num = NUM, .align = 16, .ring_shm = &F.shm,
		.ring_da = RING_DA, .buf_shm = &F.shm, .state = F.ds, .notify = drv_notify,
	};
	assert_int_equal(virtqueue_init(&vq, &vi), 0);
	vi.num = 6;
	assert_int_equal(virtqueue_init(&vq, &vi), -EINVAL);
	vi.num = NUM;
	vi.align = 2;
	assert_int_equal(virtqueue_init(&vq, &vi), -EINVAL);
	vi.align = 16;
	vi.ring_da = RING_DA + REGION - 64;
	assert_int_equal(virtqueue_init(&vq, &vi), -EFAULT);
	vi.ring_da = RING_DA + 8;
	assert_int_equal(virtqueue_init(&vq, &vi), -EFAULT);
	vi.ring_da = RING_DA;
	vi.role = VIRTIO_ROLE_DEVICE;
	vi.mode = VIRTQUEUE_INIT_ATTACH;
	assert_int_equal(virtqueue_init(&vq, &vi), -EINVAL);
	vi.mode = VIRTQUEUE_INIT_RESET;
	vi.notify = NULL;
	assert_int_equal(virtqueue_init(&vq, &vi), -EINVAL);
	assert_int_equal(uproc_vring_size(256, 4096), 4096 * 2 + 6 + 8 * 256 + 4096 - 4096);
	assert_int_equal(uproc_vring_size(0, 4096), 0);
}

/* Device role against a hostile driver. */
static void expect_dev_broken(int err)
{
	struct virtqueue_buf iov[4];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 4, &out, &in), -EIO);
	assert_int_equal(F.dev_broken, err);
	assert_true(virtqueue_is_broken(&F.dev));
	assert_int_equal(virtqueue_pop(&F.dev, iov, 4, &out, &in), -EIO);
	assert_false(virtqueue_kick_prepare(&F.dev));
}

static void test_dev_bad_avail_idx(void **state)
{
	(void)state;
	open_both(0);
	put16(avail() + 2, NUM + 1);
	expect_dev_broken(-EPROTO);
}

static void test_dev_bad_head(void **state)
{
	(void)state;
	open_both(0);
	avail_push(NUM);
	expect_dev_broken(-EPROTO);
}

static void test_dev_duplicate_head(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(0), 64, 0, 0);
	avail_push(0);
	avail_push(0);
	struct virtqueue_buf iov[1];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 0);
	expect_dev_broken(-EPROTO);
}

static void test_dev_desc_loop(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(0), 64, VRING_DESC_F_NEXT, 1);
	set_desc(1, buf_da(1), 64, VRING_DESC_F_NEXT, 0);
	avail_push(0);
	expect_dev_broken(-EPROTO);
}

static void test_dev_next_out_of_range(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(0), 64, VRING_DESC_F_NEXT, 200);
	avail_push(0);
	expect_dev_broken(-EPROTO);
}

static void test_dev_addr_outside(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, RING_DA - 16, 64, 0, 0);
	avail_push(0);
	expect_dev_broken(-EFAULT);
}

static void test_dev_len_outside(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(0), 0xFFFFFFFFu, 0, 0);
	avail_push(0);
	expect_dev_broken(-EFAULT);
}

static void test_dev_addr_overflow(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, UINT64_MAX - 8, 64, 0, 0);
	avail_push(0);
	expect_dev_broken(-EFAULT);
}

static void test_dev_read_after_write(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(0), 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
	set_desc(1, buf_da(1), 64, 0, 0);
	avail_push(0);
	expect_dev_broken(-EPROTO);
}

static void test_dev_indirect_not_negotiated(void **state)
{
	(void)state;
	open_both(0);
	set_desc(0, buf_da(4), 32, VRING_DESC_F_INDIRECT, 0);
	avail_push(0);
	expect_dev_broken(-EPROTO);
}

static void write_table_desc(uint8_t *t, unsigned int i, uint64_t addr, uint32_t len,
			     uint16_t flags, uint16_t next)
{
	memcpy(t + 16 * i, &addr, 8);
	memcpy(t + 16 * i + 8, &len, 4);
	memcpy(t + 16 * i + 12, &flags, 2);
	memcpy(t + 16 * i + 14, &next, 2);
}

static void test_dev_indirect(void **state)
{
	(void)state;
	open_both(1ull << VIRTIO_RING_F_INDIRECT_DESC);
	uint8_t *t = buf(10);
	write_table_desc(t, 0, buf_da(0), 10, VRING_DESC_F_NEXT, 1);
	write_table_desc(t, 1, buf_da(1), 20, VRING_DESC_F_WRITE, 0);
	set_desc(3, buf_da(10), 32, VRING_DESC_F_INDIRECT, 0);
	avail_push(3);
	struct virtqueue_buf iov[4];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 4, &out, &in), 3);
	assert_int_equal(out, 1);
	assert_int_equal(in, 1);
	assert_ptr_equal(iov[1].addr, buf(1));
	assert_int_equal(virtqueue_push(&F.dev, 3, 20), 0);

	/* Too small an iov: the chain goes back with len 0, the queue goes on. */
	avail_push(3);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), -ENOBUFS);
	assert_false(virtqueue_is_broken(&F.dev));
	assert_int_equal(get16(used() + 2), 2);

	/* Hostile tables. */
	struct {
		uint64_t addr;
		uint32_t len;
		int err;
	} bad[] = {
		{ buf_da(10), 24, -EPROTO },         /* not a multiple of 16 */
		{ buf_da(10), 16 * (NUM + 1), -EPROTO }, /* more than num entries */
		{ RING_DA + REGION - 16, 32, -EFAULT },  /* leaves the window */
		{ buf_da(10), 0, -EPROTO },
	};
	for (unsigned int k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		setup(NULL);
		open_both(1ull << VIRTIO_RING_F_INDIRECT_DESC);
		set_desc(0, bad[k].addr, bad[k].len, VRING_DESC_F_INDIRECT, 0);
		avail_push(0);
		expect_dev_broken(bad[k].err);
	}
	/* Nested indirect, a loop inside a table, a link past the table. */
	for (int k = 0; k < 3; k++) {
		setup(NULL);
		open_both(1ull << VIRTIO_RING_F_INDIRECT_DESC);
		t = buf(10);
		if (k == 0) {
			write_table_desc(t, 0, buf_da(11), 16, VRING_DESC_F_INDIRECT, 0);
		} else if (k == 1) {
			write_table_desc(t, 0, buf_da(0), 8, VRING_DESC_F_NEXT, 1);
			write_table_desc(t, 1, buf_da(0), 8, VRING_DESC_F_NEXT, 0);
		} else {
			write_table_desc(t, 0, buf_da(0), 8, VRING_DESC_F_NEXT, 2);
			write_table_desc(t, 1, buf_da(0), 8, 0, 0);
		}
		set_desc(0, buf_da(10), 32, VRING_DESC_F_INDIRECT, 0);
		avail_push(0);
		expect_dev_broken(-EPROTO);
	}
	/* INDIRECT together with NEXT. */
	setup(NULL);
	open_both(1ull << VIRTIO_RING_F_INDIRECT_DESC);
	set_desc(0, buf_da(10), 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	avail_push(0);
	expect_dev_broken(-EPROTO);
}

/* Driver role against a hostile device. */
static void expect_drv_broken(int err)
{
	uint32_t len;
	assert_null(virtqueue_get_buf(&F.drv, &len));
	assert_int_equal(F.drv_broken, err);
	assert_true(virtqueue_is_broken(&F.drv));
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 8, (void *)1), -EIO);
	assert_false(virtqueue_kick(&F.drv));
	assert_false(virtqueue_pending(&F.drv));
}

static void drv_add_two(void)
{
	struct virtqueue_buf sg[2] = { { buf(0), 8 }, { buf(1), 64 } };
	assert_int_equal(virtqueue_add_sgs(&F.drv, sg, 1, 1, (void *)0x1), 0); /* descs 0,1 */
	assert_int_equal(virtqueue_add_inbuf(&F.drv, buf(2), 32, (void *)0x2), 0); /* desc 2 */
}

static void test_drv_bad_used_idx(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	put16(used() + 2, NUM + 3);
	expect_drv_broken(-EPROTO);
}

static void test_drv_bad_id(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	used_push(NUM + 5, 0);
	expect_drv_broken(-EPROTO);
}

static void test_drv_id_not_outstanding(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	used_push(5, 0); /* a free descriptor */
	expect_drv_broken(-EPROTO);
}

static void test_drv_id_chain_member(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	used_push(1, 0); /* second descriptor of chain 0 */
	expect_drv_broken(-EPROTO);
}

static void test_drv_duplicate_id(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	used_push(2, 4);
	used_push(2, 4);
	uint32_t len;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x2);
	expect_drv_broken(-EPROTO);
}

static void test_drv_len_too_big(void **state)
{
	(void)state;
	open_both(0);
	drv_add_two();
	used_push(0, 65); /* writable part is 64 */
	expect_drv_broken(-EMSGSIZE);
}

/*
 * A send buffer (device-readable only) returned with any used.len: OpenAMP's remote
 * writes the buffer's full length, others 0; neither is a violation and the caller
 * sees 0. Taken many times round the ring, as a long-running firmware would.
 */
static void test_drv_readonly_len_is_noise(void **state)
{
	(void)state;
	open_both(0);
	const uint32_t lens[] = { 8, 0, 0xffffffffu, 9, 4096 };
	for (unsigned int round = 0; round < 4 * NUM; round++) {
		assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 8, (void *)0x7), 0);
		uint16_t head = get16(avail() + 4 + 2 * ((get16(avail() + 2) - 1) % NUM));
		used_push(head, lens[round % 5]);
		uint32_t len = 1234;
		assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x7);
		assert_int_equal(len, 0);
	}
	assert_false(virtqueue_is_broken(&F.drv));
	assert_int_equal(F.drv_broken, 0);
	/* The writable part of a mixed chain is still bounded. */
	drv_add_two();
	used_push(2, 32); /* exactly the writable size: fine */
	uint32_t len;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x2);
	assert_int_equal(len, 32);
	used_push(0, 65);
	expect_drv_broken(-EMSGSIZE);
}

/* The device returns a buffer it only read with used.len = its readable length
 * (what OpenAMP's driver reuses as capacity), one it wrote with what it wrote. */
static void test_dev_push_readonly_len(void **state)
{
	(void)state;
	open_both(0);
	struct virtqueue_buf sg[3] = { { buf(0), 40 }, { buf(1), 24 }, { buf(2), 64 } };
	assert_int_equal(virtqueue_add_sgs(&F.drv, sg, 2, 0, (void *)0x1), 0);
	assert_int_equal(virtqueue_add_sgs(&F.drv, sg + 2, 0, 1, (void *)0x2), 0);
	struct virtqueue_buf iov[4];
	unsigned int out, in;
	int h1 = virtqueue_pop(&F.dev, iov, 4, &out, &in);
	assert_true(h1 >= 0);
	assert_int_equal(out, 2);
	int h2 = virtqueue_pop(&F.dev, iov, 4, &out, &in);
	assert_true(h2 >= 0);
	assert_int_equal(in, 1);
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h2, 65), -EINVAL);
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h1, 0), 0);
	assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h2, 10), 0);
	uint32_t ulen;
	memcpy(&ulen, used() + 8, 4);
	assert_int_equal(ulen, 64); /* 40 + 24 readable bytes */
	memcpy(&ulen, used() + 16, 4);
	assert_int_equal(ulen, 10);
	uint32_t len = 99;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x1);
	assert_int_equal(len, 0);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x2);
	assert_int_equal(len, 10);
}

static void test_suppression_event_idx(void **state)
{
	(void)state;
	open_both(1ull << VIRTIO_RING_F_EVENT_IDX);
	assert_true(virtqueue_enable_cb(&F.dev));
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 8, (void *)1), 0);
	assert_true(virtqueue_kick_prepare(&F.drv)); /* avail_event = 0 passed */
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(1), 8, (void *)2), 0);
	assert_false(virtqueue_kick_prepare(&F.drv)); /* the device has not caught up */
	struct virtqueue_buf iov[1];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 0);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 1);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), -EAGAIN);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(2), 8, (void *)3), 0);
	assert_false(virtqueue_kick_prepare(&F.drv)); /* a busy device is not kicked */
	assert_false(virtqueue_enable_cb(&F.dev));     /* it looks before it sleeps */
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 2);
	assert_true(virtqueue_enable_cb(&F.dev));      /* now idle */
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(3), 8, (void *)4), 0);
	assert_true(virtqueue_kick_prepare(&F.drv)); /* caught up and idle: kick again */

	/* Device to driver: used_event = the driver's last used index. */
	assert_true(virtqueue_enable_cb(&F.drv));
	assert_int_equal(virtqueue_push(&F.dev, 0, 0), 0);
	assert_true(virtqueue_kick_prepare(&F.dev));
	assert_int_equal(virtqueue_push(&F.dev, 1, 0), 0);
	assert_false(virtqueue_kick_prepare(&F.dev)); /* the driver has not looked yet */
	uint32_t len;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)1);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)2);
	assert_true(virtqueue_enable_cb(&F.drv));
	assert_int_equal(virtqueue_push(&F.dev, 2, 0), 0);
	assert_true(virtqueue_kick_prepare(&F.dev));
	/* enable_cb reports work that is already there. */
	assert_false(virtqueue_enable_cb(&F.drv));
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)3);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 3);
	assert_true(virtqueue_enable_cb(&F.dev));
}

/* A batch stores each index once, at its end (or at the kick decision). */
static void test_batch_publish(void **state)
{
	(void)state;
	open_both(1ull << VIRTIO_RING_F_EVENT_IDX);
	assert_true(virtqueue_enable_cb(&F.dev));
	virtqueue_batch_begin(&F.drv);
	for (unsigned int k = 0; k < 3; k++)
		assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(k), 8, (void *)(uintptr_t)(k + 1)), 0);
	assert_int_equal(get16(avail() + 2), 0); /* nothing published yet */
	assert_false(virtqueue_pending(&F.dev));
	virtqueue_batch_end(&F.drv);
	assert_int_equal(get16(avail() + 2), 3);
	assert_true(virtqueue_kick_prepare(&F.drv)); /* one decision for the three */
	assert_false(virtqueue_kick_prepare(&F.drv));

	struct virtqueue_buf iov[1];
	unsigned int out, in;
	virtqueue_batch_begin(&F.dev);
	for (int k = 0; k < 3; k++) {
		int h = virtqueue_pop(&F.dev, iov, 1, &out, &in);
		assert_int_equal(h, k);
		assert_int_equal(virtqueue_push(&F.dev, (unsigned int)h, 0), 0);
	}
	assert_int_equal(get16(used() + 2), 0);
	assert_true(virtqueue_enable_cb(&F.drv));
	assert_true(virtqueue_kick_prepare(&F.dev)); /* ends the open batch, then decides */
	assert_int_equal(get16(used() + 2), 3);

	/* The driver's used_event slot follows its takes once per batch too. */
	uint32_t len;
	virtqueue_batch_begin(&F.drv);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)1);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)2);
	assert_int_equal(get16(avail() + 4 + 2 * NUM), 0);
	virtqueue_batch_end(&F.drv);
	assert_int_equal(get16(avail() + 4 + 2 * NUM), 2);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)3);
	assert_int_equal(get16(avail() + 4 + 2 * NUM), 3);
	/* An empty batch stores nothing; the peer's checks still apply inside one. */
	put16(avail() + 2, 77);
	virtqueue_batch_begin(&F.drv);
	virtqueue_batch_end(&F.drv);
	assert_int_equal(get16(avail() + 2), 77);
	virtqueue_batch_begin(&F.dev);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), -EIO);
	assert_int_equal(F.dev_broken, -EPROTO);
	virtqueue_batch_end(&F.dev);
}

static void test_suppression_flags(void **state)
{
	(void)state;
	open_both(0);
	virtqueue_disable_cb(&F.dev);
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(0), 8, (void *)1), 0);
	assert_false(virtqueue_kick_prepare(&F.drv)); /* NO_NOTIFY */
	assert_true(virtqueue_enable_cb(&F.dev) == false); /* work pending */
	assert_int_equal(virtqueue_add_outbuf(&F.drv, buf(1), 8, (void *)2), 0);
	assert_true(virtqueue_kick_prepare(&F.drv));
	virtqueue_disable_cb(&F.drv);
	struct virtqueue_buf iov[1];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 0);
	assert_int_equal(virtqueue_push(&F.dev, 0, 0), 0);
	assert_false(virtqueue_kick_prepare(&F.dev)); /* NO_INTERRUPT */
	assert_false(virtqueue_enable_cb(&F.drv));
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 1);
	assert_int_equal(virtqueue_push(&F.dev, 1, 0), 0);
	assert_true(virtqueue_kick_prepare(&F.dev));
}

static void test_attach(void **state)
{
	(void)state;
	open_both(1ull << VIRTIO_RING_F_EVENT_IDX);
	struct virtqueue_buf sg[2] = { { buf(0), 8 }, { buf(1), 64 } };
	assert_int_equal(virtqueue_add_sgs(&F.drv, sg, 1, 1, (void *)0x1), 0);
	assert_int_equal(virtqueue_add_inbuf(&F.drv, buf(2), 32, (void *)0x2), 0);
	assert_int_equal(virtqueue_add_inbuf(&F.drv, buf(3), 32, (void *)0x3), 0);
	struct virtqueue_buf iov[2];
	unsigned int out, in;
	uint32_t len;
	/* One round trip completes, so indices are not trivially 0. */
	assert_int_equal(virtqueue_pop(&F.dev, iov, 2, &out, &in), 0);
	assert_int_equal(virtqueue_push(&F.dev, 0, 3), 0);
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)0x1);
	/* The device completes one more while the driver is gone. */
	assert_int_equal(virtqueue_pop(&F.dev, iov, 2, &out, &in), 2);
	assert_int_equal(virtqueue_push(&F.dev, 2, 7), 0);

	struct virtqueue drv2;
	memset(F.ds, 0xa5, sizeof(F.ds));
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), 0);
	assert_int_equal(virtqueue_num_free(&drv2), NUM - 2);
	assert_ptr_equal(virtqueue_get_buf(&drv2, &len), buf(2)); /* token = head buffer */
	assert_int_equal(len, 7);
	assert_null(virtqueue_get_buf(&drv2, &len));
	assert_int_equal(virtqueue_add_outbuf(&drv2, buf(5), 8, (void *)0x5), 0);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 2, &out, &in), 3);
	assert_int_equal(virtqueue_pop(&F.dev, iov, 2, &out, &in), 2); /* desc 2, freed last */
	assert_ptr_equal(iov[0].addr, buf(5));
	assert_int_equal(virtqueue_push(&F.dev, 2, 0), 0);
	assert_ptr_equal(virtqueue_get_buf(&drv2, &len), (void *)0x5);
	assert_ptr_equal(virtqueue_detach_unused_buf(&drv2), buf(3));
	assert_null(virtqueue_detach_unused_buf(&drv2));

	/* Rebuilding from a hostile ring fails cleanly. */
	set_desc(6, buf_da(6), 8, VRING_DESC_F_NEXT, 6); /* self loop */
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), -EPROTO);
	set_desc(6, buf_da(6), 8, VRING_DESC_F_INDIRECT, 0);
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), -EPROTO);
	set_desc(6, buf_da(6), 8, VRING_DESC_F_NEXT, 99);
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), -EPROTO);
	set_desc(6, buf_da(6), 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 7);
	set_desc(7, buf_da(7), 8, 0, 0); /* readable after writable */
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), -EPROTO);
	set_desc(6, buf_da(6), 8, VRING_DESC_F_NEXT, 3); /* two chains share desc 3 */
	set_desc(7, 0, 0, 0, 0);
	set_desc(5, buf_da(5), 8, VRING_DESC_F_NEXT, 3);
	assert_int_equal(vq_open(&drv2, VIRTIO_ROLE_DRIVER, VIRTQUEUE_INIT_ATTACH), -EPROTO);
}

static void test_cross_endian(void **state)
{
	(void)state;
	struct virtqueue_info vi = {
		.role = VIRTIO_ROLE_DRIVER, .num = NUM, .align = 16, .ring_shm = &F.shm,
		.ring_da = RING_DA, .buf_shm = &F.shm, .state = F.ds, .notify = drv_notify,
		.priv = &F, .cross_endian = true,
	};
	assert_int_equal(virtqueue_init(&F.drv, &vi), 0);
	vi.role = VIRTIO_ROLE_DEVICE;
	vi.state = F.vs;
	assert_int_equal(virtqueue_init(&F.dev, &vi), 0);
	assert_int_equal(virtqueue_add_inbuf(&F.drv, buf(0), 0x40, (void *)1), 0);
	assert_int_equal(get16(avail() + 2), 0x0100); /* idx 1, swapped */
	uint32_t l;
	memcpy(&l, desc(0) + 8, 4);
	assert_int_equal(l, 0x40000000u);
	struct virtqueue_buf iov[1];
	unsigned int out, in;
	assert_int_equal(virtqueue_pop(&F.dev, iov, 1, &out, &in), 0);
	assert_ptr_equal(iov[0].addr, buf(0));
	assert_int_equal(virtqueue_push(&F.dev, 0, 0x20), 0);
	uint32_t len;
	assert_ptr_equal(virtqueue_get_buf(&F.drv, &len), (void *)1);
	assert_int_equal(len, 0x20);
}

/* A virtio console (id 3) needs no rpmsg: receiveq 0 and transmitq 1 as raw queues. */
static void test_console_pair(void **state)
{
	(void)state;
	enum { CNUM = 4 };
	static struct virtqueue_desc_state hs[2][CNUM], ds[2][CNUM];
	struct virtqueue host[2], dev[2];
	for (unsigned int q = 0; q < 2; q++) {
		struct virtqueue_info vi = {
			.role = VIRTIO_ROLE_DRIVER, .index = q, .num = CNUM, .align = 4096,
			.ring_shm = &F.shm, .ring_da = RING_DA + 32768 + 8192 * q, .buf_shm = &F.shm,
			.state = hs[q], .notify = drv_notify, .broken = drv_broken, .priv = &F,
			.features = 1ull << VIRTIO_RING_F_EVENT_IDX,
		};
		assert_int_equal(virtqueue_init(&host[q], &vi), 0);
		vi.role = VIRTIO_ROLE_DEVICE;
		vi.state = ds[q];
		vi.notify = dev_notify;
		vi.broken = dev_broken;
		assert_int_equal(virtqueue_init(&dev[q], &vi), 0);
		assert_true(virtqueue_enable_cb(&dev[q]));
		assert_true(virtqueue_enable_cb(&host[q]));
	}
	/* The host posts receive buffers; the firmware writes console output. */
	for (unsigned int k = 0; k < CNUM; k++)
		assert_int_equal(virtqueue_add_inbuf(&host[0], buf(k), 64, buf(k)), 0);
	assert_true(virtqueue_kick(&host[0]));
	struct virtqueue_buf iov[1];
	unsigned int out, in;
	int h = virtqueue_pop(&dev[0], iov, 1, &out, &in);
	assert_true(h >= 0);
	assert_int_equal(in, 1);
	memcpy(iov[0].addr, "boot ok\n", 8);
	assert_int_equal(virtqueue_push(&dev[0], (unsigned int)h, 8), 0);
	assert_true(virtqueue_kick_prepare(&dev[0]));
	uint32_t len;
	uint8_t *got = virtqueue_get_buf(&host[0], &len);
	assert_ptr_equal(got, buf(0));
	assert_int_equal(len, 8);
	assert_memory_equal(got, "boot ok\n", 8);
	/* The host types into transmitq. */
	memcpy(buf(8), "ls\n", 3);
	assert_int_equal(virtqueue_add_outbuf(&host[1], buf(8), 3, buf(8)), 0);
	h = virtqueue_pop(&dev[1], iov, 1, &out, &in);
	assert_true(h >= 0);
	assert_int_equal(out, 1);
	assert_memory_equal(iov[0].addr, "ls\n", 3);
	assert_int_equal(virtqueue_push(&dev[1], (unsigned int)h, 0), 0);
	assert_ptr_equal(virtqueue_get_buf(&host[1], &len), buf(8));
	assert_int_equal(len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_roundtrip, setup),
		cmocka_unit_test_setup(test_init_errors, setup),
		cmocka_unit_test_setup(test_dev_bad_avail_idx, setup),
		cmocka_unit_test_setup(test_dev_bad_head, setup),
		cmocka_unit_test_setup(test_dev_duplicate_head, setup),
		cmocka_unit_test_setup(test_dev_desc_loop, setup),
		cmocka_unit_test_setup(test_dev_next_out_of_range, setup),
		cmocka_unit_test_setup(test_dev_addr_outside, setup),
		cmocka_unit_test_setup(test_dev_len_outside, setup),
		cmocka_unit_test_setup(test_dev_addr_overflow, setup),
		cmocka_unit_test_setup(test_dev_read_after_write, setup),
		cmocka_unit_test_setup(test_dev_indirect_not_negotiated, setup),
		cmocka_unit_test_setup(test_dev_indirect, setup),
		cmocka_unit_test_setup(test_drv_bad_used_idx, setup),
		cmocka_unit_test_setup(test_drv_bad_id, setup),
		cmocka_unit_test_setup(test_drv_id_not_outstanding, setup),
		cmocka_unit_test_setup(test_drv_id_chain_member, setup),
		cmocka_unit_test_setup(test_drv_duplicate_id, setup),
		cmocka_unit_test_setup(test_drv_len_too_big, setup),
		cmocka_unit_test_setup(test_drv_readonly_len_is_noise, setup),
		cmocka_unit_test_setup(test_dev_push_readonly_len, setup),
		cmocka_unit_test_setup(test_suppression_event_idx, setup),
		cmocka_unit_test_setup(test_batch_publish, setup),
		cmocka_unit_test_setup(test_suppression_flags, setup),
		cmocka_unit_test_setup(test_attach, setup),
		cmocka_unit_test_setup(test_cross_endian, setup),
		cmocka_unit_test_setup(test_console_pair, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
