// SPDX-License-Identifier: MIT
/*
 * test-remoteproc-resources.c - resource-table handling on real sample images
 * (firmware/samples: ELF64 LE x86-64, ELF32 LE ARM, ELF32 BE MIPS when built) and on
 * hostile tables: what is allocated, what is written back into the remote's copy of
 * the table (in the firmware's byte order), trace buffers, vendor resources, several
 * vdevs, and the messages of every refusal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rproc_test_util.h"
#include "uproc/rpmsg.h"

struct fixture {
	struct rproc_fixture rf;
	/* vendor resources seen */
	uint32_t vendor_type;
	uint32_t vendor_word0;
	int vendor_offset;
	int vendor_calls;
	int vendor_ret;
};

static int vendor_hook(struct rproc *rproc, uint32_t type, void *rsc, int offset, int avail,
		       void *arg)
{
	struct fixture *f = arg;

	(void)rproc;
	(void)avail;
	f->vendor_type = type;
	f->vendor_offset = offset;
	memcpy(&f->vendor_word0, rsc, 4);
	f->vendor_calls++;
	return f->vendor_ret;
}

static int fw_idle_with_arg(struct uproc_hostmem_core *core, void *arg)
{
	return fw_idle_main(core, arg);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct uproc_hostmem_config cfg = { .name = "rsc", .main = fw_idle_with_arg, .arg = f,
					    .handle_rsc = vendor_hook };

	rproc_fixture_open(&f->rf, "t.elf", &cfg);
	assert_int_equal(rproc_add(f->rf.rproc), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rproc_fixture_close(&f->rf);
	free(f);
	return 0;
}

struct mem_find {
	const char *name;
	struct rproc_mem_entry found;
	bool ok;
};

static int find_mem_cb(const struct rproc_mem_entry *m, void *arg)
{
	struct mem_find *mf = arg;

	if (strcmp(m->name, mf->name))
		return 0;
	mf->found = *m;
	mf->ok = true;
	return 1;
}

static struct rproc_mem_entry find_mem(struct rproc *rproc, const char *name)
{
	struct mem_find mf = { .name = name };

	rproc_for_each_mem(rproc, find_mem_cb, &mf);
	if (!mf.ok)
		fail_msg("no memory named %s", name);
	return mf.found;
}

/* ---- sample images -------------------------------------------------------------------- */

/* Layout of firmware/samples/sample_fw.c's table (entries in this order). */
#define S_TABLE_DA 0x110000u
#define S_RAM 36u	/* 16 + 5 * 4: the "fw-ram" carveout header */
#define S_TRACE (S_RAM + 56u)
#define S_VDEV (S_TRACE + 48u)
#define S_BUF (S_VDEV + 4u + 24u + 40u + 8u)
#define S_VENDOR (S_BUF + 56u)

/* Does vdev @index have a live rpmsg bus? (The reference taken is dropped again.) */
static bool has_rpmsg(struct rproc *rproc, unsigned int index)
{
	struct rpmsg_virtio_device *bus = rproc_get_rpmsg(rproc, index);

	rpmsg_virtio_put(bus);
	return bus != NULL;
}

static uint32_t rd32(const uint8_t *t, size_t off, enum uproc_byte_order o)
{
	return uproc_get32(t + off, o);
}

__attribute__((unused)) static void check_sample(struct fixture *f, const char *path,
					      enum uproc_byte_order order)
{
	char text[4096];
	char trace[64];
	const uint8_t *t;
	struct rproc_mem_entry ram, v0, v1, buf;
	struct rproc_vdev_info info;

	if (access(path, R_OK) != 0) {
		fprintf(stderr, "skipping %s: not built\n", path);
		return;
	}
	f->vendor_calls = 0;
	assert_int_equal(rproc_set_firmware(f->rf.rproc, path), 0);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	assert_int_equal(rproc_get_byte_order(f->rf.rproc), order);

	ram = find_mem(f->rf.rproc, "fw-ram");
	v0 = find_mem(f->rf.rproc, "vdev0vring0");
	v1 = find_mem(f->rf.rproc, "vdev0vring1");
	buf = find_mem(f->rf.rproc, "vdev0buffer");
	assert_int_equal(ram.da, 0x100000);
	assert_int_equal(ram.len, 0x30000);
	assert_true(v0.da >= UPROC_HOSTMEM_WINDOW_DA);
	assert_true(v1.da >= UPROC_HOSTMEM_WINDOW_DA && v1.da != v0.da);
	assert_int_equal(buf.len, 0x80000);

	/* The remote's copy of the table, in its byte order. */
	t = rproc_da_to_va(f->rf.rproc, S_TABLE_DA, 512, NULL);
	assert_non_null(t);
	assert_int_equal(rd32(t, S_RAM, order), RPROC_RSC_CARVEOUT);
	assert_int_equal(rd32(t, S_RAM + 4, order), 0x100000);		/* da */
	assert_int_equal(rd32(t, S_RAM + 8, order), 0x100000);		/* pa written back */
	assert_int_equal(rd32(t, S_RAM + 12, order), 0x30000);
	assert_int_equal(rd32(t, S_BUF, order), RPROC_RSC_CARVEOUT);
	assert_int_equal(rd32(t, S_BUF + 4, order), (uint32_t)buf.da);	/* da chosen */
	assert_int_equal(rd32(t, S_BUF + 8, order), (uint32_t)buf.da);
	assert_int_equal(rd32(t, S_VDEV, order), RPROC_RSC_VDEV);
	assert_int_equal(rd32(t, S_VDEV + 4, order), VIRTIO_ID_RPMSG);
	assert_int_equal(rd32(t, S_VDEV + 16, order), 1);		/* gfeatures: NS */
	assert_int_equal(t[S_VDEV + 24], 7);				/* status */
	assert_int_equal(rd32(t, S_VDEV + 28, order), (uint32_t)v0.da);
	assert_int_equal(rd32(t, S_VDEV + 28 + 12, order), 0);	/* notifyid */
	assert_int_equal(rd32(t, S_VDEV + 48, order), (uint32_t)v1.da);
	assert_int_equal(rd32(t, S_VDEV + 48 + 12, order), 1);

	/* The vendor entry went to the backend, with Linux's offset. */
	assert_int_equal(f->vendor_calls, 1);
	assert_int_equal(f->vendor_type, 128);
	assert_int_equal(f->vendor_offset, S_VENDOR + 4);
	assert_int_equal(uproc_order32(f->vendor_word0, order), 0x12345678);

	/* vdev listing. */
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 1);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 0, &info), 0);
	assert_int_equal(info.id, VIRTIO_ID_RPMSG);
	assert_int_equal(info.num_vrings, 2);
	assert_int_equal(info.vring[0].num, 256);
	assert_int_equal(info.vring[1].notifyid, 1);
	assert_int_equal(info.gfeatures, 1);
	assert_true(info.active);
	assert_false(info.broken);
	assert_int_equal(info.buf_da, buf.da);
	assert_true(has_rpmsg(f->rf.rproc, 0));
	assert_false(has_rpmsg(f->rf.rproc, 1));
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 1, &info), -ENOENT);

	/* The trace buffer, as a string (the sample is not executed here: write it). */
	assert_int_equal(rproc_trace_count(f->rf.rproc), 1);
	assert_string_equal(rproc_trace_name(f->rf.rproc, 0), "trace0");
	char *tv = rproc_da_to_va(f->rf.rproc, 0x120000, 0x1000, NULL);
	assert_non_null(tv);
	strcpy(tv, "hello from the remote\n");
	assert_int_equal(rproc_trace_read(f->rf.rproc, 0, trace, sizeof(trace)), 22);
	assert_string_equal(trace, "hello from the remote\n");
	assert_int_equal(rproc_trace_read(f->rf.rproc, 0, trace, 6), 5);
	assert_string_equal(trace, "hello");
	assert_int_equal(rproc_trace_read(f->rf.rproc, 1, trace, sizeof(trace)), -ENOENT);

	/* debugfs-style views. */
	assert_true(rproc_rsc_table_show(f->rf.rproc, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "fw-ram"));
	assert_non_null(strstr(text, "vdev0buffer"));
	assert_true(rproc_carveouts_dump(f->rf.rproc, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, "vdev0vring1"));

	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 0);
	assert_int_equal(rproc_trace_count(f->rf.rproc), 0);
}

static void test_sample_x86_64(void **state)
{
#ifdef UPROC_SAMPLE_X86_64
	check_sample(*state, UPROC_SAMPLE_X86_64, UPROC_LITTLE_ENDIAN);
#else
	(void)state;
	skip();
#endif
}

static void test_sample_arm(void **state)
{
#ifdef UPROC_SAMPLE_ARM
	check_sample(*state, UPROC_SAMPLE_ARM, UPROC_LITTLE_ENDIAN);
#else
	(void)state;
	skip();
#endif
}

static void test_sample_mips(void **state)
{
#ifdef UPROC_SAMPLE_MIPS
	check_sample(*state, UPROC_SAMPLE_MIPS, UPROC_BIG_ENDIAN);
#else
	(void)state;
	skip();
#endif
}

/* ---- built tables ---------------------------------------------------------------------- */

static const struct tb_vring two_rings[2] = {
	{ .da = RPROC_RSC_ADDR_ANY, .align = 4096, .num = 16, .notifyid = 77 },
	{ .da = RPROC_RSC_ADDR_ANY, .align = 4096, .num = 16, .notifyid = 78 },
};

static int boot_table(struct fixture *f, const struct tb *t)
{
	assert_int_equal(tfw_simple(f->rf.fw, t), 0);
	return rproc_boot(f->rf.rproc);
}

static void ram_entry(struct tb *t)
{
	tb_carveout(t, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
}

static void expect_refused(struct fixture *f, const struct tb *t, int err, const char *msg)
{
	assert_int_equal(boot_table(f, t), err);
	if (!strstr(rproc_last_error(f->rf.rproc), msg))
		fail_msg("message \"%s\" lacks \"%s\"", rproc_last_error(f->rf.rproc), msg);
	assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_OFFLINE);
	assert_int_equal(rproc_get_power(f->rf.rproc), 0);
	assert_int_equal(rproc_for_each_mem(f->rf.rproc, NULL, NULL), 0);
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 0);
}

static void test_two_vdevs_and_notifyids(void **state)
{
	struct fixture *f = *state;
	struct rproc_vdev_info a, b;
	const uint8_t *t;
	struct tb tb;
	size_t c, r;

	tb_init(&tb, UPROC_LITTLE_ENDIAN, 3);
	ram_entry(&tb);
	c = tb_vdev(&tb, VIRTIO_ID_CONSOLE, 0, 2, two_rings, 0);
	r = tb_vdev(&tb, VIRTIO_ID_RPMSG, 1, 2, two_rings, 0);
	assert_int_equal(boot_table(f, &tb), 0);
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 2);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 0, &a), 0);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 1, &b), 0);
	assert_int_equal(a.id, VIRTIO_ID_CONSOLE);
	assert_int_equal(b.id, VIRTIO_ID_RPMSG);
	/* Host-assigned, from 0 upward, over the firmware's values. */
	assert_int_equal(a.vring[0].notifyid, 0);
	assert_int_equal(a.vring[1].notifyid, 1);
	assert_int_equal(b.vring[0].notifyid, 2);
	assert_int_equal(b.vring[1].notifyid, 3);
	t = rproc_da_to_va(f->rf.rproc, 0x110000, tb.size, NULL);
	assert_int_equal(tb_get32(&tb, t, c + 28 + 12), 0);
	assert_int_equal(tb_get32(&tb, t, r + 28 + 20 + 12), 3);
	assert_int_equal(t[c + 24], 7);
	assert_int_equal(t[r + 24], 7);
	assert_int_equal(tb_get32(&tb, t, r + 16), 1);
	/* Console: no rpmsg bus; rpmsg: no console. */
	assert_false(has_rpmsg(f->rf.rproc, 0));
	assert_true(has_rpmsg(f->rf.rproc, 1));
	assert_int_equal(rproc_console_write(f->rf.rproc, 1, "x", 1), -ENODEV);
	assert_int_equal(rproc_vq_interrupt(f->rf.rproc, 3), 0);
	assert_int_equal(rproc_vq_interrupt(f->rf.rproc, 9), -ENOENT);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_int_equal(rproc_vq_interrupt(f->rf.rproc, 0), -ENOENT);
}

static void test_firmware_placed_vrings(void **state)
{
	struct fixture *f = *state;
	struct tb_vring fixed[2] = {
		{ .da = 0x140000, .align = 4096, .num = 16 },
		{ .da = 0x150000, .align = 4096, .num = 16 },
	};
	struct rproc_mem_entry v0, v1;
	struct tb tb;

	tb_init(&tb, UPROC_LITTLE_ENDIAN, 4);
	ram_entry(&tb);
	tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 2, fixed, 0);
	/* Linux's named carveouts for the vrings, declared after the vdev. */
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0x140000, RPROC_RSC_ADDR_ANY, 0x10000, "vdev0vring0");
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0x150000, RPROC_RSC_ADDR_ANY, 0x10000, "vdev0vring1");
	assert_int_equal(boot_table(f, &tb), 0);
	v0 = find_mem(f->rf.rproc, "vdev0vring0");
	v1 = find_mem(f->rf.rproc, "vdev0vring1");
	assert_int_equal(v0.da, 0x140000);
	assert_int_equal(v1.da, 0x150000);
	assert_int_equal(rproc_for_each_mem(f->rf.rproc, NULL, NULL), 4);	/* + buffer */
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

struct log_rec {
	const char *object;	/* count the lines about this one only */
	int warnings, errors;
	char last[256];
};

/* The loop's log sink. */
static void log_hook(void *arg, enum uproc_log_level level, const char *object, const char *msg)
{
	struct log_rec *l = arg;

	if (!object || strcmp(object, l->object))
		return;
	if (level == UPROC_LOG_WARN)
		l->warnings++;
	if (level == UPROC_LOG_ERR)
		l->errors++;
	snprintf(l->last, sizeof(l->last), "%s", msg);
}

static void test_unknown_and_unsupported_skipped(void **state)
{
	struct fixture *f = *state;
	uint32_t body[3] = { 1, 2, 3 };
	struct log_rec log = { .object = "remoteproc " };
	char object[96];
	struct tb tb;

	struct rproc_vdev_info a, b;
	const uint8_t *t;
	size_t n, r;

	snprintf(object, sizeof(object), "remoteproc %s", rproc_get_name(f->rf.rproc));
	log.object = object;
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_DEBUG, log_hook, &log);
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 5);
	ram_entry(&tb);
	tb_raw(&tb, 5, body, sizeof(body));				/* unknown type */
	n = tb_vdev(&tb, 1 /* net */, 0, 2, two_rings, 0);		/* no driver */
	tb_raw(&tb, 300, body, sizeof(body));				/* vendor, ignored */
	r = tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 2, two_rings, 0);
	f->vendor_ret = RPROC_RSC_IGNORED;
	assert_int_equal(boot_table(f, &tb), 0);
	/* The vdev without a driver keeps its index and notifyids, as in Linux: the
	 * rpmsg vdev after it is vdev1 with notifyids 2 and 3. */
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 2);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 0, &a), 0);
	assert_int_equal(rproc_get_vdev_info(f->rf.rproc, 1, &b), 0);
	assert_int_equal(a.id, 1);
	assert_false(a.active);
	assert_int_equal(a.vring[0].notifyid, 0);
	assert_int_equal(a.vring[1].notifyid, 1);
	assert_int_equal(b.id, VIRTIO_ID_RPMSG);
	assert_true(b.active);
	assert_int_equal(b.vring[0].notifyid, 2);
	assert_int_equal(b.vring[1].notifyid, 3);
	assert_false(has_rpmsg(f->rf.rproc, 0));
	assert_true(has_rpmsg(f->rf.rproc, 1));
	assert_int_equal(find_mem(f->rf.rproc, "vdev1vring0").len > 0, 1);
	assert_int_equal(find_mem(f->rf.rproc, "vdev1buffer").len > 0, 1);
	t = rproc_da_to_va(f->rf.rproc, 0x110000, tb.size, NULL);
	assert_int_equal(tb_get32(&tb, t, n + 28 + 20 + 12), 1);
	assert_int_equal(tb_get32(&tb, t, r + 28 + 12), 2);
	assert_int_equal(t[n + 24], 0);	/* never started */
	assert_int_equal(t[r + 24], 7);
	assert_int_equal(rproc_vq_interrupt(f->rf.rproc, 1), 0);	/* known, ignored */
	assert_int_equal(f->vendor_calls, 1);
	assert_int_equal(f->vendor_type, 300);
	/* each skipped entry was logged through the hook, not printed */
	assert_int_equal(log.warnings, 3);
	assert_int_equal(log.errors, 0);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_int_equal(rproc_shutdown(f->rf.rproc), -EINVAL);
	assert_int_equal(log.errors, 1);
	assert_non_null(strstr(log.last, "offline"));
	uproc_loop_set_log(f->rf.loop, UPROC_LOG_WARN, NULL, NULL);
}

static void test_hostile_tables(void **state)
{
	struct fixture *f = *state;
	struct tb_vring bad[2] = { two_rings[0], two_rings[1] };
	uint32_t body[2] = { 0, 0 };
	struct tb tb;

	/* rpmsg with one vring: Linux boots it (only its rpmsg probe fails), uproc
	 * too, without a bus; 17 trace entries (Linux has no limit; uproc keeps 16)
	 * and one of length 0 (Linux: it reads empty) boot as well. */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 20);
	ram_entry(&tb);
	tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 1, two_rings, 0);
	tb_trace(&tb, 0x100000, 0, "empty");
	for (int i = 0; i < 17; i++)
		tb_trace(&tb, 0x100100, 64, "t");
	assert_int_equal(boot_table(f, &tb), 0);
	assert_int_equal(rproc_vdev_count(f->rf.rproc), 1);
	assert_false(has_rpmsg(f->rf.rproc, 0));
	assert_int_equal(rproc_trace_count(f->rf.rproc), 16);
	{
		char text[16];
		assert_int_equal(rproc_trace_read(f->rf.rproc, 0, text, sizeof(text)), 0);
	}
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);

	/* vring size not a power of two: the parser refuses the table */
	bad[1].num = 17;
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 2, bad, 0);
	expect_refused(f, &tb, -EINVAL, "t.elf");

	/* a carveout of length 0 */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0, "empty");
	expect_refused(f, &tb, -EINVAL, "length 0");

	/* two carveouts of one name */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x1000, "ram");
	expect_refused(f, &tb, -ENOMEM, "already tied");

	/* partly overlapping fixed carveouts: the backend refuses the second */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0x11f000, RPROC_RSC_ADDR_ANY, 0x2000, "overlap");
	expect_refused(f, &tb, -EADDRINUSE, "overlap");

	/* a vendor resource the backend fails */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_raw(&tb, 129, body, sizeof(body));
	f->vendor_ret = -EIO;
	expect_refused(f, &tb, -EIO, "vendor resource type 129");
	f->vendor_ret = RPROC_RSC_HANDLED;

	/* a named vring carveout too small for its ring */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 3);
	ram_entry(&tb);
	tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 2, two_rings, 0);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x100, "vdev0vring0");
	expect_refused(f, &tb, -EINVAL, "the vring needs");

	/* a declared buffer area too small for one rx and one tx buffer */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 3);
	ram_entry(&tb);
	tb_vdev(&tb, VIRTIO_ID_RPMSG, 0, 2, two_rings, 0);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x200, "vdev0buffer");
	expect_refused(f, &tb, -EINVAL, "holds no rx and tx buffer");

	/* a carveout wider than 32-bit space is refused by the parser */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0xFFFFF000u, RPROC_RSC_ADDR_ANY, 0x2000, "wrap");
	expect_refused(f, &tb, -EINVAL, "t.elf");

	/* and after all that, a good table still boots */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 1);
	ram_entry(&tb);
	assert_int_equal(boot_table(f, &tb), 0);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

static void test_carveout_inside_another(void **state)
{
	struct fixture *f = *state;
	struct tb tb;
	uint8_t *ram, *inner;

	/* A carveout declared inside the RAM is the same memory (as on a SoC). */
	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0x118000, RPROC_RSC_ADDR_ANY, 0x1000, "inner");
	assert_int_equal(boot_table(f, &tb), 0);
	ram = rproc_da_to_va(f->rf.rproc, 0x118000, 1, NULL);
	inner = find_mem(f->rf.rproc, "inner").va;
	assert_ptr_equal(ram, inner);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

static void test_trace_not_available(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	struct tb tb;

	tb_init(&tb, UPROC_LITTLE_ENDIAN, 2);
	ram_entry(&tb);
	tb_trace(&tb, 0x900000, 0x100, "far");
	assert_int_equal(boot_table(f, &tb), 0);
	assert_true(rproc_trace_read(f->rf.rproc, 0, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "Trace far not available\n");
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

static void test_da_to_va_bounds(void **state)
{
	struct fixture *f = *state;
	uint8_t *p;
	struct tb tb;

	tb_init(&tb, UPROC_LITTLE_ENDIAN, 1);
	ram_entry(&tb);
	assert_int_equal(boot_table(f, &tb), 0);
	p = rproc_da_to_va(f->rf.rproc, 0x100000, 0x20000, NULL);
	assert_non_null(p);
	/* the loaded segment: its file bytes, then zeros to memsz */
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 8);
	assert_int_equal(p[0x3ff], (uint8_t)(0x3ff * 7 + 1));
	assert_int_equal(p[0x400], 0);
	assert_int_equal(p[0xffff], 0);
	assert_ptr_equal(rproc_da_to_va(f->rf.rproc, 0x11ffff, 1, NULL), p + 0x1ffff);
	assert_null(rproc_da_to_va(f->rf.rproc, 0x11ffff, 2, NULL));
	assert_null(rproc_da_to_va(f->rf.rproc, 0xfffff, 2, NULL));
	assert_null(rproc_da_to_va(f->rf.rproc, UINT64_MAX, 2, NULL));
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
	assert_null(rproc_da_to_va(f->rf.rproc, 0x100000, 1, NULL));
}

static void test_big_endian_built_table(void **state)
{
	struct fixture *f = *state;
	static uint8_t ram[0x100];
	struct tb tb;
	const uint8_t *t;
	size_t c;
	struct tfw fw = {
		.cls = UPROC_ELF32,
		.order = UPROC_BIG_ENDIAN,
		.machine = 8,	/* MIPS */
		.entry = 0x100000,
		.nsegs = 1,
		.seg = { { .da = 0x100000, .data = ram, .filesz = sizeof(ram), .memsz = 0x1000 } },
		.table_da = 0x110000,
	};

	tb_init(&tb, UPROC_BIG_ENDIAN, 2);
	c = tb_carveout(&tb, RPROC_RSC_CARVEOUT, 0x100000, RPROC_RSC_ADDR_ANY, 0x20000, "ram");
	tb_carveout(&tb, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x3000, "heap");
	fw.table = tb.buf;
	fw.table_size = tb.size;
	assert_int_equal(tfw_write(&fw, f->rf.fw), 0);
	assert_int_equal(rproc_boot(f->rf.rproc), 0);
	t = rproc_da_to_va(f->rf.rproc, 0x110000, tb.size, NULL);
	assert_non_null(t);
	assert_int_equal(uproc_get32(t + c + 8, UPROC_BIG_ENDIAN), 0x100000);
	assert_int_equal(uproc_get32(t + c + 56 + 4, UPROC_BIG_ENDIAN),
			 (uint32_t)find_mem(f->rf.rproc, "heap").da);
	assert_int_equal(uproc_get32(t + c + 56 + 12, UPROC_BIG_ENDIAN), 0x3000);
	assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
}

/*
 * Random damage to a valid table (a fixed seed, so a failure repeats): every boot
 * either succeeds and shuts down cleanly or fails with a message, leaving nothing
 * behind. Under the sanitizers this also proves no out-of-bounds access.
 */
static void test_random_tables(void **state)
{
	struct fixture *f = *state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	int booted = 0, refused = 0;
	struct tb base, tb;

	tb_init(&base, UPROC_LITTLE_ENDIAN, 5);
	ram_entry(&base);
	tb_trace(&base, 0x118000, 0x100, "trace0");
	tb_vdev(&base, VIRTIO_ID_RPMSG, 1, 2, two_rings, 8);
	tb_carveout(&base, RPROC_RSC_CARVEOUT, RPROC_RSC_ADDR_ANY, RPROC_RSC_ADDR_ANY, 0x4000, "vdev0buffer");
	tb_vdev(&base, VIRTIO_ID_CONSOLE, 0, 2, two_rings, 0);
	f->vendor_ret = RPROC_RSC_HANDLED;

	for (int iter = 0; iter < 150; iter++) {
		tb = base;
		int flips = 1 + (int)(seed % 4);

		for (int k = 0; k < flips; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			size_t off = (size_t)(seed >> 33) % tb.size;
			uint8_t val = (uint8_t)(seed >> 17);

			/* Half the time a plausible value (small, ANY's bytes), else random. */
			tb.buf[off] = (seed & 1) ? val : (uint8_t)((seed >> 8) & 1 ? 0xff : val & 7);
		}
		int ret = boot_table(f, &tb);

		if (ret == 0) {
			booted++;
			assert_int_equal(rproc_shutdown(f->rf.rproc), 0);
		} else {
			refused++;
			assert_true(ret < 0);
			assert_true(strlen(rproc_last_error(f->rf.rproc)) > 0);
		}
		assert_int_equal(rproc_get_state(f->rf.rproc), RPROC_OFFLINE);
		assert_int_equal(rproc_for_each_mem(f->rf.rproc, NULL, NULL), 0);
	}
	fprintf(stderr, "random tables: %d booted, %d refused\n", booted, refused);
	assert_true(booted > 0 && refused > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sample_x86_64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_arm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_mips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_vdevs_and_notifyids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_placed_vrings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_unsupported_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_not_available, setup, teardown),
		cmocka_unit_test_setup_teardown(test_carveout_inside_another, setup, teardown),
		cmocka_unit_test_setup_teardown(test_da_to_va_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_endian_built_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_tables, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
