// SPDX-License-Identifier: MIT
/* bench_host.c - the native-core benchmarks' host (bench_host.h). */
#include "bench_host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"


static struct bench_host *host_of(struct rpmsg_device *rpdev)
{
	return (struct bench_host *)((char *)rpdev->drv - offsetof(struct bench_host, driver));
}

static int host_probe(struct rpmsg_device *rpdev)
{
	struct bench_host *h = host_of(rpdev);
	rpdev->ept->priv = h;
	h->ept = rpdev->ept;
	return 0;
}

static void host_remove(struct rpmsg_device *rpdev)
{
	struct bench_host *h = host_of(rpdev);
	if (h->ept == rpdev->ept)
		h->ept = NULL;
}

void send_ping(struct bench_host *h)
{
	static const uint8_t payload[RPMSG_BUF_SIZE];
	h->sent_at = bench_now_ns();
	while (rpmsg_trysend(h->ept, payload, h->size) == -ENOMEM)
		;	/* a tx buffer comes back as soon as the core answers */
}

static int host_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct bench_host *h = priv;
	uint64_t now = bench_now_ns();
	if (h->rounds) {	/* round-trip mode: the answer to the last ping */
		h->rtt_ns[h->done++] = now - h->sent_at;
		if (h->from_loop)
			return 0;
		if (h->done < h->rounds)
			send_ping(h);
		else
			uproc_loop_stop(h->loop);
		return 0;
	}
	if (len >= 8 && h->expected) {	/* a flood message: u32 seq, u32 total */
		/* A real consumer reads what it receives: copy it out, as the floor does. */
		static uint8_t sink[RPMSG_BUF_SIZE];
		memcpy(sink, data, len);
		h->checksum += sink[len - 1];
		h->received++;
		h->last_rx_ns = now;
		if (h->received == h->expected)
			uproc_loop_stop(h->loop);
		return 0;
	}
	snprintf(h->reply, sizeof(h->reply), "%.*s", (int)len, (const char *)data);
	h->got_reply = true;
	uproc_loop_stop(h->loop);
	return 0;
}

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	struct bench_host *h = arg;
	rpmsg_register_driver(bus, &h->driver);
}

static void on_removing(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			void *arg)
{
	struct bench_host *h = arg;
	rpmsg_unregister_driver(bus, &h->driver);
}

int host_open(struct bench_host *h, const char *fw, const char *channel,
	      const struct bench_host_opts *o)
{
	memset(h, 0, sizeof(*h));
	if (o->runtime_dir) {
		snprintf(h->runtime_dir, sizeof(h->runtime_dir), "%s", o->runtime_dir);
		h->shared_dir = true;
	} else {
		snprintf(h->runtime_dir, sizeof(h->runtime_dir), "/tmp/uproc-bench-XXXXXX");
		if (!mkdtemp(h->runtime_dir))
			return -errno;
	}
	h->loop = o->loop;
	h->shared_loop = o->loop != NULL;
	if (!h->loop && uproc_loop_new(&h->loop) < 0)
		return -errno;
	struct uproc_native_config cfg;
	uproc_native_config_init(&cfg, o->name ? o->name : "bench");
	cfg.runtime_dir = h->runtime_dir;
	cfg.cpu = o->cpu;
	if (!o->host_spins)
		cfg.host_spin_ns = 0;
	if (o->ram_size)
		cfg.ram_size = o->ram_size;
	h->rproc = uproc_native_rproc_alloc(h->loop, &cfg, fw);
	if (!h->rproc)
		return -errno;
	snprintf(h->ids[0].name, sizeof(h->ids[0].name), "%s", channel);
	h->driver.name = "bench";
	h->driver.id_table = h->ids;
	h->driver.probe = host_probe;
	h->driver.remove = host_remove;
	h->driver.callback = host_rx;
	struct rproc_vdev_hooks hooks = { .rpmsg_ready = on_ready, .rpmsg_removing = on_removing,
					  .arg = h };
	rproc_set_vdev_hooks(h->rproc, &hooks);
	return rproc_add(h->rproc);
}

uint64_t host_boot(struct bench_host *h)
{
	uint64_t t0 = bench_now_ns();
	if (rproc_boot(h->rproc) < 0) {
		fprintf(stderr, "boot: %s\n", rproc_last_error(h->rproc));
		return 0;
	}
	while (!h->ept) {
		if (bench_now_ns() - t0 > 5000000000ull)
			return 0;
		uproc_loop_dispatch(h->loop, 10);
	}
	return bench_now_ns() - t0;
}

void host_close(struct bench_host *h)
{
	if (h->rproc) {
		if (rproc_get_state(h->rproc) == RPROC_RUNNING)
			rproc_shutdown(h->rproc);
		rproc_del(h->rproc);
		for (int i = 0; i < 5; i++)
			uproc_loop_dispatch(h->loop, 0);
		rproc_free(h->rproc);
	}
	if (h->loop && !h->shared_loop)
		uproc_loop_free(h->loop);
	if (h->shared_dir)
		return;
	char path[96];
	snprintf(path, sizeof(path), "%s/native", h->runtime_dir);
	rmdir(path);
	rmdir(h->runtime_dir);
}

int run_until_stopped(struct bench_host *h, unsigned int timeout_s)
{
	uint64_t t0 = bench_now_ns();
	/* uproc_loop_run() would block forever if the core died: bound it. */
	uproc_loop_stop(h->loop);	/* consumed by the first run: start clean */
	uproc_loop_run(h->loop);
	while (bench_now_ns() - t0 < (uint64_t)timeout_s * 1000000000ull) {
		int r = uproc_loop_dispatch(h->loop, 100);
		if (r < 0)
			return r;
		if (h->got_reply || (h->rounds && h->done == h->rounds) ||
		    (h->expected && h->received == h->expected))
			return 0;
	}
	return -ETIMEDOUT;
}

int command(struct bench_host *h, const char *cmd)
{
	h->got_reply = false;
	int ret = rpmsg_send(h->ept, cmd, strlen(cmd));
	return ret < 0 ? ret : 0;
}


