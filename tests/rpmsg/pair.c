/* SPDX-License-Identifier: MIT */
/* pair.c - two rpmsg peers in one process over one shared region. */
#include "pair.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void host_notify(void *priv, unsigned int vq)
{
	struct pair *p = priv;
	(void)vq;
	atomic_store(&p->dev_kicked, 1);
}

static void dev_notify(void *priv, unsigned int vq)
{
	struct pair *p = priv;
	(void)vq;
	atomic_store(&p->host_kicked, 1);
}

static void host_broken(void *priv, unsigned int vq, int err)
{
	struct pair *p = priv;
	if (err == -EBADMSG)
		atomic_fetch_add(&p->badmsg[0], 1);
	else
		atomic_store(&p->broken[0][vq & 1], err);
}

static void dev_broken(void *priv, unsigned int vq, int err)
{
	struct pair *p = priv;
	if (err == -EBADMSG)
		atomic_fetch_add(&p->badmsg[1], 1);
	else
		atomic_store(&p->broken[1][vq & 1], err);
}

static void host_tx_ready(void *priv)
{
	struct pair *p = priv;
	atomic_fetch_add(&p->tx_ready[0], 1);
}

static void dev_tx_ready(void *priv)
{
	struct pair *p = priv;
	atomic_fetch_add(&p->tx_ready[1], 1);
}

/*
 * Channel announcements each side reports: counted, and the name must reach the
 * embedder terminated whatever the peer sent (the fuzzer relies on this check).
 */
static void count_channel(struct pair *p, int side, const struct rpmsg_channel_info *info,
			  bool created)
{
	if (!memchr(info->name, 0, sizeof(info->name)))
		abort();
	atomic_fetch_add(&p->channels[side][created ? 1 : 0], 1);
}

static void host_channel(void *priv, const struct rpmsg_channel_info *info, bool created)
{
	count_channel(priv, 0, info, created);
}

static void dev_channel(void *priv, const struct rpmsg_channel_info *info, bool created)
{
	count_channel(priv, 1, info, created);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int pair_host_open(struct pair *p, bool attach)
{
	p->hcfg.attach = attach;
	size_t need = rpmsg_virtio_mem_size(&p->hcfg);
	if (!need)
		return -EINVAL;
	if (!p->host_mem)
		p->host_mem = aligned_alloc(64, align_up(need, 64));
	memset(p->host_mem, 0x5a, need); /* a new host remembers nothing */
	p->hcfg.mem = p->host_mem;
	p->hcfg.mem_size = need;
	return rpmsg_virtio_init(&p->host, &p->hcfg);
}

int pair_dev_open(struct pair *p)
{
	p->dcfg = p->hcfg;
	p->dcfg.role = VIRTIO_ROLE_DEVICE;
	p->dcfg.port = p->dport;
	p->dcfg.features = rpmsg_virtio_get_features(p->host);
	p->dcfg.attach = false;
	p->dcfg.mem = NULL;
	p->dcfg.mem_size = 0;
	p->dcfg.notify = dev_notify;
	p->dcfg.broken = dev_broken;
	p->dcfg.tx_ready = dev_tx_ready;
	/* A test that installed its own channel callback keeps it on both sides. */
	if (p->hcfg.channel == host_channel)
		p->dcfg.channel = dev_channel;
	return rpmsg_virtio_init(&p->dev, &p->dcfg);
}

int pair_open(struct pair *p, unsigned int num, uint32_t buf_count, uint64_t features)
{
	memset(p, 0, sizeof(*p));
	uint64_t vsize = align_up(uproc_vring_size(num, 4096), 4096);
	uint32_t count = buf_count ? buf_count : (2 * num < 512 ? 2 * num : 512);
	p->mem_size = 2 * vsize + (uint64_t)count * RPMSG_BUF_SIZE;
	p->mem = aligned_alloc(4096, align_up(p->mem_size, 4096));
	if (!p->mem)
		return -ENOMEM;
	memset(p->mem, 0, p->mem_size);
	uproc_shm_init(&p->shm, p->mem, PAIR_DA, p->mem_size);
	p->vring_da[0] = PAIR_DA;
	p->vring_da[1] = PAIR_DA + vsize;
	p->buf_da = PAIR_DA + 2 * vsize;
	int err = uproc_port_posix_new(&p->hport);
	if (!err)
		err = uproc_port_posix_new(&p->dport);
	if (err)
		return err;
	uproc_port_posix_set_log_level(p->hport, UPROC_LOG_ERR - 1);
	uproc_port_posix_set_log_level(p->dport, UPROC_LOG_ERR - 1);
	for (int i = 0; i < 2; i++) {
		p->hcfg.vring[i].shm = &p->shm;
		p->hcfg.vring[i].da = p->vring_da[i];
		p->hcfg.vring[i].num = num;
		p->hcfg.vring[i].align = 4096;
	}
	p->hcfg.role = VIRTIO_ROLE_DRIVER;
	p->hcfg.port = p->hport;
	p->hcfg.buf_shm = &p->shm;
	p->hcfg.buf_da = p->buf_da;
	p->hcfg.buf_count = buf_count;
	p->hcfg.features = features;
	p->hcfg.notify = host_notify;
	p->hcfg.broken = host_broken;
	p->hcfg.tx_ready = host_tx_ready;
	p->hcfg.channel = host_channel;
	p->hcfg.priv = p;
	err = pair_host_open(p, false);
	if (err)
		return err;
	return pair_dev_open(p);
}

int pair_pump(struct pair *p)
{
	int total = 0;
	for (int idle = 0; idle < 2;) {
		atomic_store(&p->host_kicked, 0);
		atomic_store(&p->dev_kicked, 0);
		int a = p->dev ? rpmsg_virtio_handle_kick(p->dev) : 0;
		int b = p->host ? rpmsg_virtio_handle_kick(p->host) : 0;
		int n = (a > 0 ? a : 0) + (b > 0 ? b : 0);
		total += n;
		if (n == 0 && !atomic_load(&p->host_kicked) && !atomic_load(&p->dev_kicked))
			idle++;
		else
			idle = 0;
	}
	return total;
}

bool pair_has_channel(struct rpmsg_virtio_device *bus, const char *name, uint32_t dst)
{
	struct rpmsg_device *ch = rpmsg_find_channel(bus, name, dst);
	rpmsg_channel_put(ch);
	return ch != NULL;
}

void pair_close(struct pair *p)
{
	if (p->dev)
		rpmsg_virtio_deinit(p->dev);
	if (p->host)
		rpmsg_virtio_deinit(p->host);
	p->dev = p->host = NULL;
	uproc_port_posix_free(p->hport);
	uproc_port_posix_free(p->dport);
	free(p->host_mem);
	free(p->mem);
}
