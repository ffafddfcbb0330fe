// SPDX-License-Identifier: MIT
/*
 * rproc_test_util.c - see rproc_test_util.h.
 */
#include "rproc_test_util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "uproc/port.h"
#include "uproc/rpmsg.h"
#include "uproc/virtio.h"

/* ---- resource tables -------------------------------------------------------------- */

static void put32(struct tb *t, size_t off, uint32_t v)
{
	uproc_put32(t->buf + off, v, t->order);
}

uint32_t tb_get32(const struct tb *t, const void *table, size_t off)
{
	return uproc_get32((const uint8_t *)table + off, t->order);
}

void tb_init(struct tb *t, enum uproc_byte_order order, unsigned int nentries)
{
	memset(t, 0, sizeof(*t));
	t->order = order;
	put32(t, 0, 1);
	put32(t, 4, nentries);
	t->size = 16 + 4 * (size_t)nentries;
}

static size_t tb_add(struct tb *t, uint32_t type, size_t body_len)
{
	size_t off = t->size;

	put32(t, 16 + 4 * t->num, (uint32_t)off);
	put32(t, off, type);
	t->num++;
	t->size += 4 + body_len;
	return off;
}

static void put_name(struct tb *t, size_t off, const char *name)
{
	strncpy((char *)t->buf + off, name, 32);
}

size_t tb_carveout(struct tb *t, uint32_t type, uint32_t da, uint32_t pa, uint32_t len,
		   const char *name)
{
	size_t off = tb_add(t, type, 52);

	put32(t, off + 4, da);
	put32(t, off + 8, pa);
	put32(t, off + 12, len);
	put_name(t, off + 24, name);
	return off;
}

size_t tb_trace(struct tb *t, uint32_t da, uint32_t len, const char *name)
{
	size_t off = tb_add(t, RPROC_RSC_TRACE, 44);

	put32(t, off + 4, da);
	put32(t, off + 8, len);
	put_name(t, off + 16, name);
	return off;
}

size_t tb_vdev(struct tb *t, uint32_t id, uint32_t dfeatures, unsigned int nvrings,
	       const struct tb_vring *vr, uint32_t config_len)
{
	size_t off = tb_add(t, RPROC_RSC_VDEV, 24 + 20 * (size_t)nvrings + config_len);

	put32(t, off + 4, id);
	put32(t, off + 8, 0);
	put32(t, off + 12, dfeatures);
	put32(t, off + 20, config_len);
	t->buf[off + 25] = (uint8_t)nvrings;
	for (unsigned int i = 0; i < nvrings; i++) {
		size_t v = off + 28 + 20 * (size_t)i;

		put32(t, v, vr[i].da);
		put32(t, v + 4, vr[i].align);
		put32(t, v + 8, vr[i].num);
		put32(t, v + 12, vr[i].notifyid);
	}
	return off;
}

size_t tb_raw(struct tb *t, uint32_t type, const void *body, size_t len)
{
	size_t off = tb_add(t, type, len);

	memcpy(t->buf + off + 4, body, len);
	return off;
}

/* ---- ELF images ---------------------------------------------------------------------- */

struct img {
	uint8_t *buf;
	size_t size;
	enum uproc_byte_order order;
};

static void w16(struct img *m, size_t off, uint16_t v)
{
	uproc_put16(m->buf + off, v, m->order);
}

static void w32(struct img *m, size_t off, uint32_t v)
{
	uproc_put32(m->buf + off, v, m->order);
}

static void w64(struct img *m, size_t off, uint64_t v)
{
	uproc_put64(m->buf + off, v, m->order);
}

int tfw_write(const struct tfw *fw, const char *path)
{
	bool is64 = fw->cls == UPROC_ELF64;
	size_t ehsz = is64 ? 64 : 52, phsz = is64 ? 56 : 32, shsz = is64 ? 64 : 40;
	unsigned int nph = fw->nsegs + (fw->table ? 1 : 0);
	static const char shstr[] = "\0.resource_table\0.shstrtab";
	size_t off, data_off[5], shstr_off, sh_off, total;
	struct img m;
	int fd, ret = 0;

	off = ehsz + phsz * nph;
	for (unsigned int i = 0; i < fw->nsegs; i++) {
		off = (off + 15) & ~(size_t)15;
		data_off[i] = off;
		off += fw->seg[i].filesz;
	}
	off = (off + 15) & ~(size_t)15;
	data_off[fw->nsegs] = off;
	if (fw->table)
		off += fw->table_size;
	shstr_off = off;
	off += sizeof(shstr);
	sh_off = (off + 7) & ~(size_t)7;
	total = sh_off + shsz * 3;

	m.buf = calloc(1, total);
	m.size = total;
	m.order = fw->order;
	if (!m.buf)
		return -ENOMEM;
	memcpy(m.buf, "\177ELF", 4);
	m.buf[4] = is64 ? 2 : 1;
	m.buf[5] = fw->order == UPROC_LITTLE_ENDIAN ? 1 : 2;
	m.buf[6] = 1;
	w16(&m, 16, 2);	/* ET_EXEC */
	w16(&m, 18, fw->machine);
	w32(&m, 20, 1);
	if (is64) {
		w64(&m, 24, fw->entry);
		w64(&m, 32, ehsz);
		w64(&m, 40, sh_off);
		w16(&m, 52, (uint16_t)ehsz);
		w16(&m, 54, (uint16_t)phsz);
		w16(&m, 56, (uint16_t)nph);
		w16(&m, 58, (uint16_t)shsz);
		w16(&m, 60, 3);
		w16(&m, 62, 2);
	} else {
		w32(&m, 24, (uint32_t)fw->entry);
		w32(&m, 28, (uint32_t)ehsz);
		w32(&m, 32, (uint32_t)sh_off);
		w16(&m, 40, (uint16_t)ehsz);
		w16(&m, 42, (uint16_t)phsz);
		w16(&m, 44, (uint16_t)nph);
		w16(&m, 46, (uint16_t)shsz);
		w16(&m, 48, 3);
		w16(&m, 50, 2);
	}
	for (unsigned int i = 0; i < nph; i++) {
		size_t p = ehsz + phsz * i;
		bool tbl = i == fw->nsegs;
		uint64_t da = tbl ? fw->table_da : fw->seg[i].da;
		uint64_t filesz = tbl ? fw->table_size : fw->seg[i].filesz;
		uint64_t memsz = tbl ? fw->table_size : fw->seg[i].memsz;

		if (!tbl && fw->seg[i].data)
			memcpy(m.buf + data_off[i], fw->seg[i].data, filesz);
		if (is64) {
			w32(&m, p, 1);
			w32(&m, p + 4, 7);
			w64(&m, p + 8, data_off[i]);
			w64(&m, p + 16, da);
			w64(&m, p + 24, da);
			w64(&m, p + 32, filesz);
			w64(&m, p + 40, memsz);
			w64(&m, p + 48, 16);
		} else {
			w32(&m, p, 1);
			w32(&m, p + 4, (uint32_t)data_off[i]);
			w32(&m, p + 8, (uint32_t)da);
			w32(&m, p + 12, (uint32_t)da);
			w32(&m, p + 16, (uint32_t)filesz);
			w32(&m, p + 20, (uint32_t)memsz);
			w32(&m, p + 24, 7);
			w32(&m, p + 28, 16);
		}
	}
	if (fw->table)
		memcpy(m.buf + data_off[fw->nsegs], fw->table, fw->table_size);
	memcpy(m.buf + shstr_off, shstr, sizeof(shstr));
	/* sections: [0] null, [1] .resource_table (or a dummy when none), [2] .shstrtab */
	for (unsigned int i = 1; i < 3; i++) {
		size_t s = sh_off + shsz * i;
		bool tbl = i == 1;
		uint32_t name = tbl ? (fw->table ? 1 : 11) : 17;
		uint64_t addr = tbl ? fw->table_da : 0;
		uint64_t o = tbl ? data_off[fw->nsegs] : shstr_off;
		uint64_t sz = tbl ? fw->table_size : sizeof(shstr);

		if (is64) {
			w32(&m, s, name);
			w32(&m, s + 4, tbl ? 1 : 3);
			w64(&m, s + 16, addr);
			w64(&m, s + 24, o);
			w64(&m, s + 32, sz);
			w64(&m, s + 48, 1);
		} else {
			w32(&m, s, name);
			w32(&m, s + 4, tbl ? 1 : 3);
			w32(&m, s + 12, (uint32_t)addr);
			w32(&m, s + 16, (uint32_t)o);
			w32(&m, s + 20, (uint32_t)sz);
			w32(&m, s + 32, 1);
		}
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
	} else {
		if (write(fd, m.buf, m.size) != (ssize_t)m.size)
			ret = -EIO;
		close(fd);
	}
	free(m.buf);
	return ret;
}

int tfw_simple(const char *path, const struct tb *t)
{
	static uint8_t ram[0x400];
	struct tfw fw = {
		.cls = UPROC_ELF64,
		.order = UPROC_LITTLE_ENDIAN,
		.machine = 62,
		.entry = 0x100010,
		.nsegs = 1,
		.seg = { { .da = 0x100000, .data = ram, .filesz = sizeof(ram), .memsz = 0x10000 } },
		.table = t ? t->buf : NULL,
		.table_size = t ? t->size : 0,
		.table_da = 0x110000,
	};

	for (size_t i = 0; i < sizeof(ram); i++)
		ram[i] = (uint8_t)(i * 7 + 1);
	return tfw_write(&fw, path);
}

void tmpdir_make(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/uproc-rproc-test-XXXXXX");
	if (!mkdtemp(dir))
		dir[0] = '\0';
}

void tmpdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* ---- loops --------------------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

bool pump(struct uproc_loop *loop, bool (*cond)(void *arg), void *arg, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (!cond(arg)) {
		if (now_ms() >= end)
			return cond(arg);
		uproc_loop_dispatch(loop, 10);
	}
	return true;
}

void pump_for(struct uproc_loop *loop, int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end)
		uproc_loop_dispatch(loop, 5);
}

/* ---- an rproc on a host-memory board ------------------------------------------------------ */

void rproc_fixture_open(struct rproc_fixture *f, const char *fw_name,
			const struct uproc_hostmem_config *cfg)
{
	tmpdir_make(f->dir, sizeof(f->dir));
	snprintf(f->fw, sizeof(f->fw), "%s/%s", f->dir, fw_name);
	assert_int_equal(uproc_loop_new(&f->loop), 0);
	assert_int_equal(uproc_hostmem_new(&f->board), 0);
	f->rproc = uproc_hostmem_rproc_alloc(f->board, f->loop, cfg, f->fw);
	assert_non_null(f->rproc);
}

void rproc_fixture_close(struct rproc_fixture *f)
{
	if (f->rproc)
		rproc_del_and_free(f->loop, f->rproc);
	uproc_hostmem_free(f->board);
	uproc_loop_free(f->loop);
	tmpdir_remove(f->dir);
}

void rproc_del_and_free(struct uproc_loop *loop, struct rproc *rproc)
{
	rproc_del(rproc);
	pump_for(loop, 5);
	rproc_free(rproc);
}

/* ---- the host's side of an rpmsg channel ----------------------------------------------- */


static int host_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct thost *h = priv ? priv : ept->rpdev->priv;

	if (h->nrx < MAX_RX && len < 32) {
		memcpy(h->rx[h->nrx], data, len);
		h->rx[h->nrx][len] = '\0';
		h->rx_src[h->nrx] = src;
		h->nrx++;
	}
	return 0;
}

static int host_probe(struct rpmsg_device *rpdev)
{
	struct thost *h = (struct thost *)((char *)rpdev->drv - offsetof(struct thost, drv));

	rpdev->priv = h;
	h->ept = rpdev->ept;
	h->probes++;
	return 0;
}

static void host_remove(struct rpmsg_device *rpdev)
{
	struct thost *h = rpdev->priv;

	h->ept = NULL;
	h->removes++;
}

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	struct thost *h = arg;

	(void)rproc;
	(void)index;
	h->bus = bus;
	h->readies++;
	rpmsg_register_driver(bus, &h->drv);
	h->fixed_up = rpmsg_create_ept(&h->fixed, bus, h->fixed_addr ? h->fixed_addr : 1100,
				       RPMSG_ADDR_ANY, host_cb, h) == 0;
}

static void on_removing(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			void *arg)
{
	struct thost *h = arg;

	(void)rproc;
	(void)index;
	if (h->fixed_up)
		rpmsg_destroy_ept(&h->fixed);
	h->fixed_up = false;
	rpmsg_unregister_driver(bus, &h->drv);
	h->bus = NULL;
}

static void on_console(struct rproc *rproc, unsigned int index, const void *data, size_t len,
		       void *arg)
{
	struct thost *h = arg;

	(void)rproc;
	(void)index;
	if (len > sizeof(h->con) - 1 - h->ncon)
		len = sizeof(h->con) - 1 - h->ncon;
	memcpy(h->con + h->ncon, data, len);
	h->ncon += len;
	h->con[h->ncon] = '\0';
}

static void on_tx_ready(struct rproc *rproc, unsigned int index,
			struct rpmsg_virtio_device *bus, void *arg)
{
	struct thost *h = arg;

	(void)rproc;
	(void)index;
	(void)bus;
	h->tx_ready++;
}

void thost_init(struct thost *h, struct rproc *rproc, const char *channel)
{
	struct rproc_vdev_hooks hooks = { .rpmsg_ready = on_ready, .rpmsg_removing = on_removing,
					  .console_rx = on_console,
					  .rpmsg_tx_ready = on_tx_ready, .arg = h };

	uint32_t fixed = h->fixed_addr;

	memset(h, 0, sizeof(*h));
	h->fixed_addr = fixed;
	snprintf(h->ids[0].name, sizeof(h->ids[0].name), "%s", channel);
	h->drv.name = "host-echo";
	h->drv.id_table = h->ids;
	h->drv.probe = host_probe;
	h->drv.remove = host_remove;
	h->drv.callback = host_cb;
	rproc_set_vdev_hooks(rproc, &hooks);
}

bool thost_channel_up(void *arg)
{
	return ((struct thost *)arg)->ept != NULL;
}

bool thost_got_rx(void *arg)
{
	struct thost_want_rx *w = arg;

	return w->h->nrx >= w->n;
}

/* ---- firmware mains ---------------------------------------------------------------------- */

int fw_idle_main(struct uproc_hostmem_core *core, void *arg)
{
	(void)arg;
	while (uproc_hostmem_wait(core, -1) != -ESHUTDOWN)
		;
	return 0;
}

int fw_crash_after_main(struct uproc_hostmem_core *core, void *arg)
{
	int64_t r = uproc_hostmem_wait(core, *(int *)arg);

	return r == -ESHUTDOWN ? 0 : 5;
}

struct echo_ctx {
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[2];
	struct uproc_hostmem_core *core;
	struct fw_echo *cfg;
	struct rpmsg_endpoint *ept;
	bool crash;
	int hold;
	int hold_ticks;
};

static int echo_cb(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct echo_ctx *ctx = ept->rpdev ? ept->rpdev->priv : priv;

	if (len == 5 && !memcmp(data, "crash", 5)) {
		ctx->crash = true;
		return 0;
	}
	if (len > 5 && len < 16 && !memcmp(data, "hold:", 5)) {
		char num[16];

		memcpy(num, (char *)data + 5, len - 5);
		num[len - 5] = '\0';
		ctx->hold = atoi(num);
		ctx->hold_ticks = 3;	/* sent ~150 ms later, host attached or not */
		return 0;
	}
	rpmsg_trysendto(ept, data, len, src);
	ctx->cfg->served++;
	return 0;
}

static int echo_probe(struct rpmsg_device *rpdev)
{
	struct echo_ctx *ctx = (struct echo_ctx *)((char *)rpdev->drv - offsetof(struct echo_ctx, drv));

	rpdev->priv = ctx;
	ctx->ept = rpdev->ept;
	return 0;
}

int fw_echo_main(struct uproc_hostmem_core *core, void *arg)
{
	struct fw_echo *cfg = arg;
	struct rpmsg_virtio_device *bus = NULL;
	struct uproc_port *port = NULL;
	struct echo_ctx ctx;
	struct rpmsg_channel_info ch = { .name = TEST_RPMSG_CH, .src = RPMSG_ADDR_ANY,
					  .dst = RPMSG_ADDR_ANY };
	int ret;

	memset(&ctx, 0, sizeof(ctx));
	ctx.core = core;
	ctx.cfg = cfg;
	snprintf(ctx.ids[0].name, sizeof(ctx.ids[0].name), "%s", TEST_RPMSG_CH);
	ctx.drv.name = "echo";
	ctx.drv.id_table = ctx.ids;
	ctx.drv.probe = echo_probe;
	ctx.drv.callback = echo_cb;

	if (uproc_port_posix_new(&port) < 0)
		return 1;
	uproc_port_posix_set_log_level(port, UPROC_LOG_ERR - 1);
	ret = uproc_hostmem_rpmsg_init(core, 0, port, cfg->timeout_ms ? cfg->timeout_ms : 5000,
				       &bus);
	if (ret == -ESHUTDOWN) {
		uproc_port_posix_free(port);
		return 0;
	}
	if (ret < 0) {
		uproc_port_posix_free(port);
		return 2;
	}
	/* Attached to by a new host: the channel already exists on this side. */
	struct rpmsg_device *found = rpmsg_find_channel(bus, TEST_RPMSG_CH, RPMSG_ADDR_ANY);

	if (found) {
		rpmsg_channel_put(found);
	} else {
		rpmsg_register_driver(bus, &ctx.drv);
		rpmsg_create_channel(bus, &ch, NULL);
	}
	for (;;) {
		int64_t bits = uproc_hostmem_wait(core, 50);

		if (bits == -ESHUTDOWN)
			break;
		rpmsg_virtio_handle_kick(bus);
		if (ctx.crash) {
			ret = 3;
			goto out;
		}
		if (ctx.hold > 0 && ctx.ept && ctx.hold_ticks > 0 && bits == 0)
			ctx.hold_ticks--;
		if (ctx.hold > 0 && ctx.ept && ctx.hold_ticks == 0) {
			for (int i = 0; i < ctx.hold; i++) {
				char msg[16];
				int n = snprintf(msg, sizeof(msg), "q%d", i);

				rpmsg_trysend_offchannel(ctx.ept, ctx.ept->addr, 1100, msg, (size_t)n);
			}
			ctx.hold = 0;
		}
	}
	ret = 0;
out:
	/* A crashed core leaves its bus as it is; a stopped one too (the host resets). */
	rpmsg_unregister_driver(bus, &ctx.drv);
	rpmsg_virtio_deinit(bus);
	uproc_port_posix_free(port);
	return ret;
}

/* ---- console firmware ------------------------------------------------------------------- */

int fw_find_vdev(struct uproc_hostmem_core *core, uint32_t id, struct uproc_rsc_vdev *out)
{
	struct uproc_rsc_table table;
	size_t size;
	uint8_t *t = uproc_hostmem_rsc_table(core, &size);
	uint8_t *copy;
	int ret = -ENOENT;

	if (!t)
		return -ENOENT;
	copy = malloc(size);
	/* One acquire read per byte: pairs with the host's release of the status. */
	for (size_t i = 0; i < size; i++)
		copy[i] = uproc_shm_load8(t + i, memory_order_acquire);
	if (uproc_rsc_table_parse(&table, copy, size, uproc_host_byte_order(), "fw", NULL) >= 0) {
		for (uint32_t i = 0; i < table.num; i++) {
			struct uproc_rsc_entry e;

			if (uproc_rsc_get(&table, i, &e) == 0 && e.kind == UPROC_RSC_VDEV &&
			    e.u.vdev.id == id) {
				*out = e.u.vdev;
				ret = 0;
				break;
			}
		}
	}
	free(copy);
	return ret;
}

struct con_fw {
	struct uproc_hostmem_core *core;
	unsigned int notifyid[2];
};

static void con_notify(struct virtqueue *vq)
{
	struct con_fw *c = vq->priv;

	uproc_hostmem_kick(c->core, c->notifyid[vq->index]);
}

int fw_console_main(struct uproc_hostmem_core *core, void *arg)
{
	struct uproc_rsc_vdev vdev;
	struct virtqueue vq[2];
	struct virtqueue_desc_state *st[2] = { NULL, NULL };
	struct uproc_shm ring[2], all;
	struct con_fw c = { .core = core };
	int ret = 0;

	(void)arg;
	for (;;) {
		if (uproc_hostmem_should_stop(core))
			return 0;
		if (fw_find_vdev(core, VIRTIO_ID_CONSOLE, &vdev) < 0)
			return 2;
		if (vdev.status & VIRTIO_CONFIG_S_DRIVER_OK)
			break;
		usleep(1000);
	}
	/* Every address the host uses lies in the window. */
	uproc_shm_init(&all, uproc_hostmem_da_to_va(core, UPROC_HOSTMEM_WINDOW_DA, 1),
		       UPROC_HOSTMEM_WINDOW_DA, UPROC_HOSTMEM_WINDOW_SIZE);
	for (unsigned int q = 0; q < 2; q++) {
		uint64_t sz = uproc_vring_size(vdev.vring[q].num, vdev.vring[q].align);
		struct virtqueue_info info = {
			.role = VIRTIO_ROLE_DEVICE,
			.index = q,
			.num = vdev.vring[q].num,
			.align = vdev.vring[q].align,
			.ring_shm = &ring[q],
			.ring_da = vdev.vring[q].da,
			.buf_shm = &all,
			.notify = con_notify,
			.priv = &c,
		};

		c.notifyid[q] = vdev.vring[q].notifyid;
		uproc_shm_init(&ring[q], uproc_hostmem_da_to_va(core, vdev.vring[q].da, sz),
			       vdev.vring[q].da, sz);
		st[q] = calloc(vdev.vring[q].num, sizeof(*st[q]));
		info.state = st[q];
		if (!ring[q].base || virtqueue_init(&vq[q], &info) < 0) {
			ret = 4;
			goto out;
		}
	}
	while (uproc_hostmem_wait(core, 20) != -ESHUTDOWN) {
		struct virtqueue_buf in[4], out[4];
		unsigned int on, inn;
		int head;

		/* transmitq (1): what the host wrote; answer on receiveq (0), upper-cased. */
		while ((head = virtqueue_pop(&vq[1], in, 4, &on, &inn)) >= 0) {
			int rx = virtqueue_pop(&vq[0], out, 4, &on, &inn);
			uint32_t n = in[0].len;

			if (rx >= 0) {
				if (n > out[0].len)
					n = out[0].len;
				for (uint32_t i = 0; i < n; i++)
					((char *)out[0].addr)[i] =
						(char)toupper(((const char *)in[0].addr)[i]);
				virtqueue_push(&vq[0], (unsigned int)rx, n);
				virtqueue_kick(&vq[0]);
			}
			virtqueue_push(&vq[1], (unsigned int)head, 0);
			virtqueue_kick(&vq[1]);
		}
	}
out:
	free(st[0]);
	free(st[1]);
	return ret;
}
