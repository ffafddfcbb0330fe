/* host.c - a host program of its own: boots FIRMWARE on a native core, says which
 * core program runs it, sends "hello from outside" on rpmsg-client-sample and prints
 * the echo. Exits 0 once the echo came. */
#define _POSIX_C_SOURCE 200809L /* readlink */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

static struct rpmsg_device *chan;
static char got[64];

static int on_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	(void)ept; (void)priv; (void)src;
	snprintf(got, sizeof(got), "%.*s", (int)len, (const char *)data);
	return 0;
}

static int on_probe(struct rpmsg_device *rpdev)
{
	chan = rpdev;
	return 0;
}

static const struct rpmsg_device_id ids[] = { { "rpmsg-client-sample" }, { "" } };
static struct rpmsg_driver drv = { .name = "echo-host", .id_table = ids, .probe = on_probe,
				   .callback = on_rx };

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	(void)rproc; (void)index; (void)arg;
	rpmsg_register_driver(bus, &drv);
}

int main(int argc, char **argv)
{
	struct uproc_loop *loop;
	struct uproc_native_config cfg;
	char name[32];

	if (argc != 2 || uproc_loop_new(&loop))
		return 2;
	snprintf(name, sizeof(name), "echo-host-%d", (int)getpid());
	uproc_native_config_init(&cfg, name);
	struct rproc *rproc = uproc_native_rproc_alloc(loop, &cfg, argv[1]);
	struct rproc_vdev_hooks hooks = { .rpmsg_ready = on_ready };
	if (!rproc)
		return 1;
	rproc_set_vdev_hooks(rproc, &hooks);
	if (rproc_add(rproc) || rproc_boot(rproc)) {
		fprintf(stderr, "boot: %s\n", rproc_last_error(rproc));
		return 1;
	}
	/* The core process is the core program (the firmware runs inside it). */
	char exe[64], prog[4096];
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)uproc_native_pid(rproc));
	ssize_t n = readlink(exe, prog, sizeof(prog) - 1);
	prog[n > 0 ? n : 0] = '\0';
	printf("core program %s\n", prog);
	fflush(stdout);
	/* Up to 30 s: the channel, then the echo. */
	bool sent = false;
	time_t end = time(NULL) + 30;
	while (!got[0] && time(NULL) < end) {
		if (chan && !sent)
			sent = rpmsg_send(chan->ept, "hello from outside", 18) == 0;
		uproc_loop_dispatch(loop, 50);
	}
	printf("%s\n", got[0] ? got : "(no answer)");
	rproc_shutdown(rproc);
	rproc_del(rproc);
	rproc_free(rproc);
	uproc_loop_free(loop);
	return got[0] ? 0 : 1;
}
