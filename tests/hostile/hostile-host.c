// SPDX-License-Identifier: MIT
/*
 * hostile-host.c - a host built on the library (loop + native backend + rpmsg) for
 * the hostile-firmware suite and the soak run. Every wait is for a condition with a
 * deadline; figures are printed, the only assertions are "it finished in time and
 * the well-behaved core kept answering".
 *
 *   hostile-host attack [-r] [-c] [-t SECONDS] [-b BOUND] HOSTILE.elf ECHO.elf
 *       boot a well-behaved echo core, then the hostile image beside it on the same
 *       loop (-r: with recovery); ping the echo core for SECONDS (each answer within
 *       BOUND seconds; -c: and on, up to BOUND seconds more, until the hostile core
 *       has crashed, since a slow machine may take longer to see the attack); shut
 *       the hostile core down (within BOUND); ping once more.
 *   hostile-host crash-cycles N CRASH.elf
 *       N times: make the crash example fault, wait until it is recovered and answers;
 *       the host's open fds and RSS at the start and at the end.
 *   hostile-host flood SECONDS FLOOD.elf [SIZE]
 *       stream from the flood example for SECONDS; every message's sequence number
 *       is checked: messages, bytes, lost, out of order.
 * Exit status: 0 passed, 1 failed, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

struct core {
	struct uproc_loop *loop;
	struct rproc *rproc;
	struct rpmsg_driver driver;
	struct rpmsg_device_id ids[4];
	struct rpmsg_endpoint *ept;
	char reply[RPMSG_BUF_SIZE];
	size_t reply_len;
	uint64_t replies;
	/* flood */
	bool flooding;
	uint64_t received, bytes, next_seq, lost, reordered, round_total, round_got;
};

static char runtime_dir[64];
static unsigned int bound_s = 30;

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct core *core_of(struct rpmsg_device *rpdev)
{
	return (struct core *)((char *)rpdev->drv - offsetof(struct core, driver));
}

static int core_probe(struct rpmsg_device *rpdev)
{
	struct core *c = core_of(rpdev);
	rpdev->ept->priv = c;
	if (!c->ept)
		c->ept = rpdev->ept;
	return 0;
}

static void core_remove(struct rpmsg_device *rpdev)
{
	struct core *c = core_of(rpdev);
	if (c->ept == rpdev->ept)
		c->ept = NULL;
}

static int core_rx(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct core *c = priv;
	(void)src;
	if (!c || ept != c->ept)
		return 0;
	if (c->flooding && len >= 8) {
		uint32_t seq;
		memcpy(&seq, data, 4);
		if (seq == c->next_seq) {
			c->next_seq++;
		} else if (seq > c->next_seq) {
			c->lost += seq - c->next_seq;
			c->next_seq = (uint64_t)seq + 1;
		} else {
			c->reordered++;
		}
		c->received++;
		c->round_got++;
		c->bytes += len;
		return 0;
	}
	len = len < sizeof(c->reply) - 1 ? len : sizeof(c->reply) - 1;
	memcpy(c->reply, data, len);
	c->reply[len] = 0;
	c->reply_len = len;
	c->replies++;
	return 0;
}

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	(void)rproc;
	(void)index;
	rpmsg_register_driver(bus, &((struct core *)arg)->driver);
}

static void on_removing(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			void *arg)
{
	(void)rproc;
	(void)index;
	rpmsg_unregister_driver(bus, &((struct core *)arg)->driver);
}

/* A core named @name running @fw; its driver binds the channels in @channels. */
static int core_open(struct core *c, struct uproc_loop *loop, const char *name, const char *fw,
		     const char *const *channels)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	struct uproc_native_config cfg;
	uproc_native_config_init(&cfg, name);
	cfg.runtime_dir = runtime_dir;
	c->rproc = uproc_native_rproc_alloc(loop, &cfg, fw);
	if (!c->rproc)
		return -errno;
	for (int i = 0; channels[i] && i < 3; i++)
		snprintf(c->ids[i].name, sizeof(c->ids[i].name), "%s", channels[i]);
	c->driver.name = "hostile-host";
	c->driver.id_table = c->ids;
	c->driver.probe = core_probe;
	c->driver.remove = core_remove;
	c->driver.callback = core_rx;
	struct rproc_vdev_hooks hooks = { .rpmsg_ready = on_ready, .rpmsg_removing = on_removing,
					  .arg = c };
	rproc_set_vdev_hooks(c->rproc, &hooks);
	return rproc_add(c->rproc);
}

static void core_close(struct core *c)
{
	if (!c->rproc)
		return;
	if (rproc_get_state(c->rproc) != RPROC_OFFLINE)
		rproc_shutdown(c->rproc);
	rproc_del(c->rproc);
	for (int i = 0; i < 5; i++)
		uproc_loop_dispatch(c->loop, 0);
	rproc_free(c->rproc);
	c->rproc = NULL;
}

/* Run the loop until @done(@c) or @ms pass; true when done. */
static bool run_until(struct core *c, bool (*done)(struct core *), uint64_t ms)
{
	uint64_t end = now_ms() + ms;
	while (!done(c)) {
		if (now_ms() >= end)
			return false;
		uproc_loop_dispatch(c->loop, 10);
	}
	return true;
}

static bool has_channel(struct core *c)
{
	return c->ept != NULL;
}

static uint64_t want_replies;
static bool got_reply(struct core *c)
{
	return c->replies >= want_replies;
}

/* Send @msg and wait for the answer; its latency in ms, or -1. */
static int64_t ask(struct core *c, const char *msg)
{
	uint64_t t0 = now_ms();
	if (!run_until(c, has_channel, (uint64_t)bound_s * 1000))
		return -1;
	want_replies = c->replies + 1;
	int ret;
	while ((ret = rpmsg_trysend(c->ept, msg, strlen(msg))) == -ENOMEM) {
		if (now_ms() - t0 > (uint64_t)bound_s * 1000)
			return -1;
		uproc_loop_dispatch(c->loop, 10);
		if (!c->ept)
			return -1;
	}
	if (ret < 0 || !run_until(c, got_reply, (uint64_t)bound_s * 1000 - (now_ms() - t0)))
		return -1;
	return (int64_t)(now_ms() - t0);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own fd */
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = -1, rss = -1;
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* ---- attack ------------------------------------------------------------------------ */

static int do_attack(int argc, char **argv)
{
	bool recovery = false, until_crash = false;
	unsigned int seconds = 3;
	int opt;
	while ((opt = getopt(argc, argv, "rct:b:")) != -1) {
		switch (opt) {
		case 'r': recovery = true; break;
		case 'c': until_crash = true; break;
		case 't': seconds = (unsigned int)atoi(optarg); break;
		case 'b': bound_s = (unsigned int)atoi(optarg); break;
		default: return 2;
		}
	}
	if (argc - optind != 2)
		return 2;
	const char *hostile_fw = argv[optind], *echo_fw = argv[optind + 1];
	const char *base = strrchr(hostile_fw, '/') ? strrchr(hostile_fw, '/') + 1 : hostile_fw;
	struct uproc_loop *loop;
	struct core echo, bad;
	static const char *const echo_ch[] = { "rpmsg-client-sample", NULL };
	static const char *const bad_ch[] = { "rpmsg-tty", "rpmsg-client-sample", "rpmsg-flood",
					      NULL };
	int failed = 0;

	if (uproc_loop_new(&loop) < 0 || core_open(&echo, loop, "hh-echo", echo_fw, echo_ch) < 0 ||
	    core_open(&bad, loop, "hh-hostile", hostile_fw, bad_ch) < 0) {
		fprintf(stderr, "hostile-host: cannot set up the cores\n");
		return 1;
	}
	if (rproc_boot(echo.rproc) < 0 || ask(&echo, "first") < 0) {
		fprintf(stderr, "hostile-host: the echo core does not answer\n");
		return 1;
	}
	rproc_set_recovery(bad.rproc, recovery);
	int booted = rproc_boot(bad.rproc);
	if (booted < 0)
		printf("%s: boot refused: %s\n", base, rproc_last_error(bad.rproc));

	int64_t worst = 0;
	unsigned long pings = 0;
	uint64_t end = now_ms() + (uint64_t)seconds * 1000;
	uint64_t crash_end = end + (uint64_t)bound_s * 1000;
	while (now_ms() < end ||
	       (until_crash && !rproc_get_crash_count(bad.rproc) && now_ms() < crash_end)) {
		char msg[32];
		snprintf(msg, sizeof(msg), "ping %lu", pings);
		int64_t ms = ask(&echo, msg);
		if (ms < 0 || strcmp(echo.reply, msg) != 0) {
			printf("%s: FAIL: the echo core stopped answering (ping %lu)\n", base, pings);
			failed = 1;
			break;
		}
		worst = ms > worst ? ms : worst;
		pings++;
		uproc_loop_dispatch(loop, 20);
	}
	const char *state = rproc_state_string(rproc_get_state(bad.rproc));
	unsigned int crashes = rproc_get_crash_count(bad.rproc);
	char why[320] = "";
	unsigned int streak = 0;
	rproc_get_crash_reason(bad.rproc, why, sizeof(why), &streak);
	if (crashes)
		printf("%s: last crash: %s (%u in a row); last error: %s\n", base, why, streak,
		       rproc_last_error(bad.rproc));
	uint64_t t0 = now_ms();
	if (rproc_get_state(bad.rproc) != RPROC_OFFLINE)
		rproc_shutdown(bad.rproc);
	uint64_t stop_ms = now_ms() - t0;
	if (stop_ms > (uint64_t)bound_s * 1000) {
		printf("%s: FAIL: the stop took %llu ms\n", base, (unsigned long long)stop_ms);
		failed = 1;
	}
	if (ask(&echo, "after") < 0) {
		printf("%s: FAIL: the echo core does not answer after the stop\n", base);
		failed = 1;
	}
	printf("%s: state %s, %u crashes, stop %llu ms; echo: %lu pings, slowest %lld ms\n", base,
	       state, crashes, (unsigned long long)stop_ms, pings, (long long)worst);
	core_close(&bad);
	core_close(&echo);
	uproc_loop_free(loop);
	return failed;
}

/* ---- crash cycles ------------------------------------------------------------------- */

static unsigned int want_crashes;
static bool recovered(struct core *c)
{
	return rproc_get_crash_count(c->rproc) >= want_crashes &&
	       rproc_get_state(c->rproc) == RPROC_RUNNING && !rproc_is_recovering(c->rproc) &&
	       c->ept;
}

static int do_crash_cycles(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	unsigned int n = (unsigned int)atoi(argv[1]);
	struct uproc_loop *loop;
	struct core c;
	static const char *const ch[] = { "rpmsg-crash", NULL };
	if (uproc_loop_new(&loop) < 0 || core_open(&c, loop, "hh-crash", argv[2], ch) < 0)
		return 1;
	rproc_set_recovery(c.rproc, true);
	if (rproc_boot(c.rproc) < 0 || ask(&c, "ping") < 0) {
		fprintf(stderr, "hostile-host: the crash core does not answer\n");
		return 1;
	}
	int fds0 = count_fds();
	long rss0 = rss_kib();
	uint64_t t0 = now_ms();
	unsigned int done = 0;
	for (; done < n; done++) {
		want_crashes = rproc_get_crash_count(c.rproc) + 1;
		if (rpmsg_trysend(c.ept, "segv", 4) < 0 || !run_until(&c, recovered, bound_s * 1000u) ||
		    ask(&c, "ping") < 0 || strcmp(c.reply, "pong") != 0)
			break;
	}
	uint64_t ms = now_ms() - t0;
	int fds1 = count_fds();
	long rss1 = rss_kib();
	printf("crash-cycles: %u of %u cycles in %llu ms; host fds %d -> %d, RSS %ld -> %ld KiB\n",
	       done, n, (unsigned long long)ms, fds0, fds1, rss0, rss1);
	core_close(&c);
	uproc_loop_free(loop);
	return done == n && fds1 <= fds0 ? 0 : 1;
}

/* ---- flood -------------------------------------------------------------------------- */

static bool round_done(struct core *c)
{
	return c->round_got >= c->round_total || !c->ept;
}

/* Run until the round is done; false when nothing arrives for bound_s seconds. */
static bool run_round(struct core *c)
{
	uint64_t seen = c->received, last = now_ms();
	while (!round_done(c)) {
		uproc_loop_dispatch(c->loop, 10);
		if (c->received != seen) {
			seen = c->received;
			last = now_ms();
		} else if (now_ms() - last > (uint64_t)bound_s * 1000) {
			return false;
		}
	}
	return c->ept != NULL;
}

static int do_flood(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		return 2;
	unsigned int seconds = (unsigned int)atoi(argv[1]);
	unsigned int size = argc == 4 ? (unsigned int)atoi(argv[3]) : 64;
	struct uproc_loop *loop;
	struct core c;
	static const char *const ch[] = { "rpmsg-flood", NULL };
	const uint32_t per_round = 100000;
	if (uproc_loop_new(&loop) < 0 || core_open(&c, loop, "hh-flood", argv[2], ch) < 0)
		return 1;
	if (rproc_boot(c.rproc) < 0 || !run_until(&c, has_channel, bound_s * 1000u)) {
		fprintf(stderr, "hostile-host: the flood core does not come up\n");
		return 1;
	}
	int fds0 = count_fds();
	long rss0 = rss_kib();
	uint64_t t0 = now_ms(), end = t0 + (uint64_t)seconds * 1000;
	bool ok = true;
	unsigned long rounds = 0;
	c.flooding = true;
	while (now_ms() < end) {
		char cmd[48];
		snprintf(cmd, sizeof(cmd), "start %u %u", per_round, size);
		c.next_seq = 0;
		c.round_got = 0;
		c.round_total = per_round;
		if (!c.ept || rpmsg_send(c.ept, cmd, strlen(cmd)) < 0) {
			ok = false;
			break;
		}
		/* However slow the machine, the stream must not stall. */
		if (!run_round(&c)) {
			c.lost += c.round_total - c.round_got; /* a stall: what never came */
			ok = false;
			break;
		}
		c.lost += c.round_total - c.round_got; /* none: a round ends when all came */
		rounds++;
	}
	uint64_t ms = now_ms() - t0;
	printf("flood: %llu messages (%llu bytes of %u) in %llu ms, %lu rounds, %llu lost, "
	       "%llu out of order; host fds %d -> %d, RSS %ld -> %ld KiB\n",
	       (unsigned long long)c.received, (unsigned long long)c.bytes, size,
	       (unsigned long long)ms, rounds, (unsigned long long)c.lost,
	       (unsigned long long)c.reordered, fds0, count_fds(), rss0, rss_kib());
	c.flooding = false;
	core_close(&c);
	uproc_loop_free(loop);
	return ok && !c.lost && !c.reordered ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: hostile-host attack|crash-cycles|flood ...\n");
		return 2;
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "/tmp/hostile-host-XXXXXX");
	if (!mkdtemp(runtime_dir))
		return 1;
	const char *mode = argv[1];
	int ret = 2;
	if (!strcmp(mode, "attack"))
		ret = do_attack(argc - 1, argv + 1);
	else if (!strcmp(mode, "crash-cycles"))
		ret = do_crash_cycles(argc - 1, argv + 1);
	else if (!strcmp(mode, "flood"))
		ret = do_flood(argc - 1, argv + 1);
	if (ret == 2)
		fprintf(stderr, "hostile-host: bad usage (see the top of hostile-host.c)\n");
	char path[96];
	snprintf(path, sizeof(path), "%s/native", runtime_dir);
	rmdir(path);
	rmdir(runtime_dir);
	return ret;
}
