// SPDX-License-Identifier: MIT
/*
 * test-integration-native.c - the remoteproc core booting real firmware
 * (firmware/examples) on native cores (uproc/native.h): echo round trips, the
 * rpmsg_channel hook hearing the remote's announcement, the tty
 * service, the console vdev, boot/shutdown cycles that leak nothing, power
 * references, a firmware change, crash -> coredump (an ELF core with the firmware's
 * registers) -> recovery -> the channel back, recovery disabled, an inline dump
 * holding recovery, detach / a new host attaching and getting what the core sent
 * meanwhile, and a forbidden system call killing one core while another serves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "open_fds.h"
#include "rproc_test_util.h"
#include "uproc/native.h"
#include "uproc/rpmsg.h"

#define CH_ECHO "rpmsg-client-sample"
#define CH_TTY "rpmsg-tty"
#define CH_CRASH "rpmsg-crash"

struct fixture {
	char dir[128];
	struct uproc_loop *loop;
	struct rproc *rproc;
	struct thost host;
};

static struct rproc *native_new(struct fixture *f, const char *name, const char *fw)
{
	struct uproc_native_config cfg;
	struct rproc *r;

	uproc_native_config_init(&cfg, name);
	cfg.runtime_dir = f->dir;
	cfg.outlive_host = true;	/* its hosts detach and attach */
	r = uproc_native_rproc_alloc(f->loop, &cfg, fw);
	assert_non_null(r);
	return r;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	tmpdir_make(f->dir, sizeof(f->dir));
	assert_int_equal(uproc_loop_new(&f->loop), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[200];

	if (f->rproc)
		rproc_del_and_free(f->loop, f->rproc);
	uproc_loop_free(f->loop);
	/* the registry folder has a subfolder */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	free(f);
	return 0;
}

static void start(struct fixture *f, const char *name, const char *fw, const char *channel)
{
	f->rproc = native_new(f, name, fw);
	thost_init(&f->host, f->rproc, channel);
	assert_int_equal(rproc_add(f->rproc), 0);
	if (rproc_boot(f->rproc) != 0)
		fail_msg("boot: %s", rproc_last_error(f->rproc));
}

/* Send each message and wait for its answer; check it with @expect (NULL: echo). */
static void round_trips(struct fixture *f, struct thost *h, int count,
			void (*expect)(const char *sent, char *want))
{
	struct thost_want_rx w = { .h = h };

	assert_true(pump(f->loop, thost_channel_up, h, PUMP_WAIT_MS));
	for (int i = 0; i < count; i++) {
		char msg[32], want[32];
		int n = snprintf(msg, sizeof(msg), "Msg %d", i);

		h->nrx = 0;
		assert_int_equal(rpmsg_send(h->ept, msg, (size_t)n), 0);
		w.n = 1;
		assert_true(pump(f->loop, thost_got_rx, &w, PUMP_WAIT_MS));
		snprintf(want, sizeof(want), "%s", msg);
		if (expect)
			expect(msg, want);
		assert_string_equal(h->rx[0], want);
	}
}

static bool is_running(void *arg)
{
	return rproc_get_state(arg) == RPROC_RUNNING && !rproc_is_recovering(arg);
}

static bool crashed_idle(void *arg)
{
	return rproc_get_crash_count(arg) > 0 && !rproc_is_recovering(arg);
}

static bool dump_offered(void *arg)
{
	return rproc_coredump_size(arg) > 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_echo(void **state)
{
	struct fixture *f = *state;
	char trace[512];

	start(f, "echo0", UPROC_FW_ECHO, CH_ECHO);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_true(uproc_native_pid(f->rproc) > 0);
	round_trips(f, &f->host, 50, NULL);
	assert_true(rproc_trace_count(f->rproc) >= 1);
	assert_true(rproc_trace_read(f->rproc, 0, trace, sizeof(trace)) > 0);
	assert_non_null(strstr(trace, "echo"));
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(uproc_native_pid(f->rproc), -ESRCH);
}

struct channel_seen {
	struct rproc *rproc;
	int created, destroyed;
	unsigned int index;
	bool bus_ok, recorded;
	struct rpmsg_channel_info info;
};

/*
 * uproc firmware returns every send buffer of the host with used.len = the buffer's
 * length, as OpenAMP's remote does: 100,000 echoes (390 times round the 256-entry
 * ring, where a host that checked send buffers' used.len died at the 256th) without
 * a crash, and the used ring shows the lengths the firmware wrote.
 */
static void test_echo_100k_send_buffers_full_length(void **state)
{
	struct fixture *f = *state;
	struct thost *h = &f->host;
	struct thost_want_rx w = { .h = h };
	const int total = 100000, batch = 32;
	struct rproc_vdev_info vi;

	start(f, "echo100k", UPROC_FW_ECHO, CH_ECHO);
	assert_true(pump(f->loop, thost_channel_up, h, PUMP_WAIT_MS));
	for (int sent = 0; sent < total; sent += batch) {
		h->nrx = 0;
		for (int k = 0; k < batch; k++) {
			char msg[16];
			snprintf(msg, sizeof(msg), "%08d", sent + k);
			assert_int_equal(rpmsg_send(h->ept, msg, 8), 0);
		}
		w.n = batch;
		if (!pump(f->loop, thost_got_rx, &w, 20000))
			fail_msg("echo %d: %d of %d answers", sent, h->nrx, batch);
		char last[16];
		snprintf(last, sizeof(last), "%08d", sent + batch - 1);
		assert_string_equal(h->rx[batch - 1], last);
	}
	assert_int_equal(rproc_get_crash_count(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_RUNNING);
	assert_int_equal(rproc_get_vdev_info(f->rproc, 0, &vi), 0);
	assert_false(vi.broken);
	/* vring 1 is the host's send ring: every used entry says 16 + 8 bytes. */
	const uint8_t *ring = rproc_da_to_va(f->rproc, vi.vring[1].da,
					     uproc_vring_size(vi.vring[1].num, vi.vring[1].align), NULL);
	assert_non_null(ring);
	uint64_t avail_end = 16ull * vi.vring[1].num + 2u * (3u + vi.vring[1].num);
	const uint8_t *used = ring + ((avail_end + vi.vring[1].align - 1) & ~(uint64_t)(vi.vring[1].align - 1));
	for (unsigned int i = 0; i < vi.vring[1].num; i++) {
		uint32_t ulen;
		memcpy(&ulen, used + 4 + 8 * i + 4, 4);
		assert_int_equal(ulen, 16 + 8);
	}
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void on_channel(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		       const struct rpmsg_channel_info *info, bool created, void *arg)
{
	struct channel_seen *s = arg;

	if (!created) {
		s->destroyed++;
		return;
	}
	s->created++;
	s->index = index;
	s->info = *info;
	struct rpmsg_virtio_device *held = rproc_get_rpmsg(rproc, index);
	s->bus_ok = rproc == s->rproc && bus == held;
	rpmsg_virtio_put(held);
	struct rpmsg_device *ch = rpmsg_find_channel(bus, info->name, info->dst);
	s->recorded = ch != NULL;
	rpmsg_channel_put(ch);
}

static bool channel_seen(void *arg)
{
	return ((struct channel_seen *)arg)->created > 0;
}

/* The rpmsg_channel hook hears the remote's announcement, with no driver bound. */
static void test_channel_hook(void **state)
{
	struct fixture *f = *state;
	struct channel_seen s = { 0 };
	struct rproc_vdev_hooks hooks = { .rpmsg_channel = on_channel, .arg = &s };

	f->rproc = native_new(f, "chan0", UPROC_FW_ECHO);
	s.rproc = f->rproc;
	rproc_set_vdev_hooks(f->rproc, &hooks);
	assert_int_equal(rproc_add(f->rproc), 0);
	if (rproc_boot(f->rproc) != 0)
		fail_msg("boot: %s", rproc_last_error(f->rproc));
	assert_true(pump(f->loop, channel_seen, &s, PUMP_WAIT_MS));
	assert_int_equal(s.created, 1);
	assert_string_equal(s.info.name, CH_ECHO);
	assert_int_not_equal(s.info.dst, RPMSG_ADDR_ANY);
	assert_int_equal(s.info.src, RPMSG_ADDR_ANY); /* no driver: no local endpoint */
	assert_true(s.bus_ok);
	assert_true(s.recorded);
	assert_int_equal(s.destroyed, 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(s.destroyed, 0); /* channels that go with the bus are not reported */
}

static void invert(const char *sent, char *want)
{
	size_t i;

	for (i = 0; sent[i]; i++) {
		char c = sent[i];

		want[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	want[i] = '\0';
}

static void test_tty(void **state)
{
	struct fixture *f = *state;

	start(f, "tty0", UPROC_FW_TTY, CH_TTY);
	round_trips(f, &f->host, 10, invert);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static bool console_has(void *arg)
{
	return ((struct thost *)arg)->ncon >= 11;
}

static bool tx_ready_seen(void *arg)
{
	return ((struct thost *)arg)->tx_ready > 0;
}

/*
 * The host fills the remote's receive queue without serving its own: the echo
 * firmware blocks on its answers, stops taking messages, and trysend fails at once.
 * Serving the loop then frees buffers and the tx_ready hook says so (no polling).
 */
static void test_trysend_full_then_tx_ready(void **state)
{
	struct fixture *f = *state;
	int sent = 0, ret = 0;

	start(f, "txready", UPROC_FW_ECHO, CH_ECHO);
	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	/*
	 * Send until a send fails and the queue stays full: the firmware may still take
	 * a message or two after the first -ENOMEM, until it blocks on its answers.
	 * Nothing calls the hook meanwhile: kicks are only served by pump().
	 */
	f->host.tx_ready = 0;
	for (;;) {
		assert_true(sent < 100000);
		ret = rpmsg_trysend(f->host.ept, "fill", 4);
		if (ret == 0) {
			sent++;
			continue;
		}
		assert_int_equal(ret, -ENOMEM);
		if (!(rpmsg_poll(f->host.ept) & RPMSG_POLLOUT))
			break;	/* full for good: the poll armed the tx_ready hook */
	}
	assert_true(sent > 0);
	assert_true(pump(f->loop, tx_ready_seen, &f->host, PUMP_WAIT_MS));
	assert_true(rpmsg_poll(f->host.ept) & RPMSG_POLLOUT);
	assert_int_equal(rpmsg_trysend(f->host.ept, "more", 4), 0);
}

static void test_console(void **state)
{
	struct fixture *f = *state;
	struct rproc_vdev_info info;

	start(f, "con0", UPROC_FW_CONSOLE, CH_TTY);
	assert_int_equal(rproc_get_vdev_info(f->rproc, 0, &info), 0);
	assert_int_equal(info.id, VIRTIO_ID_CONSOLE);
	/* The core may take a moment to set its queues up: retry until queued. */
	ssize_t n;
	for (int i = 0; i < 100 && (n = rproc_console_write(f->rproc, 0, "Hello World", 11)) < 0; i++)
		uproc_loop_dispatch(f->loop, 10);
	assert_int_equal(n, 11);
	assert_true(pump(f->loop, console_has, &f->host, PUMP_WAIT_MS));
	assert_string_equal(f->host.con, "hELLO wORLD");
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

/* Shared-memory mappings (the cores' regions are memfds); the allocator's own vary. */
static int count_maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	while (fgets(line, sizeof(line), fp))
		if (strstr(line, "memfd:") || strstr(line, " rw-s "))
			n++;
	fclose(fp);
	return n;
}

static void test_cycles_leak_nothing(void **state)
{
	struct fixture *f = *state;
	int fds, maps;

	start(f, "cyc0", UPROC_FW_ECHO, CH_ECHO);
	round_trips(f, &f->host, 1, NULL);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	pump_for(f->loop, 10);
	fds = count_open_fds();
	maps = count_maps();
	for (int i = 0; i < 100; i++) {
		if (rproc_boot(f->rproc) != 0)
			fail_msg("cycle %d: %s", i, rproc_last_error(f->rproc));
		if (i % 10 == 0) {
			round_trips(f, &f->host, 1, NULL);
			assert_true(count_maps() > maps);	/* the check sees the regions */
		}
		assert_int_equal(rproc_shutdown(f->rproc), 0);
		assert_int_equal(uproc_native_pid(f->rproc), -ESRCH);
	}
	pump_for(f->loop, 10);
	assert_int_equal(count_open_fds(), fds);
	assert_int_equal(count_maps(), maps);
	assert_int_equal(rproc_for_each_mem(f->rproc, NULL, NULL), 0);
	/* no child left behind (zombie or alive) */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_refcount_and_firmware_change(void **state)
{
	struct fixture *f = *state;
	pid_t pid;

	start(f, "ref0", UPROC_FW_ECHO, CH_ECHO);
	pid = uproc_native_pid(f->rproc);
	assert_int_equal(rproc_boot(f->rproc), 0);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(uproc_native_pid(f->rproc), pid);
	round_trips(f, &f->host, 2, NULL);
	assert_int_equal(rproc_set_firmware(f->rproc, UPROC_FW_TTY), -EBUSY);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
	assert_int_equal(uproc_native_pid(f->rproc), -ESRCH);

	/* Another firmware, another service. */
	assert_int_equal(rproc_set_firmware(f->rproc, UPROC_FW_TTY), 0);
	thost_init(&f->host, f->rproc, CH_TTY);
	assert_int_equal(rproc_boot(f->rproc), 0);
	round_trips(f, &f->host, 3, invert);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

/* ELF64 core: find the NT_PRSTATUS note and return pr_reg's rip. */
static bool core_rip(const uint8_t *c, size_t size, uint64_t *rip, bool *has_ram)
{
	uint64_t phoff = uproc_get64(c + 32, UPROC_LITTLE_ENDIAN);
	uint16_t phnum = uproc_get16(c + 56, UPROC_LITTLE_ENDIAN);
	bool found = false;

	*has_ram = false;
	for (unsigned int i = 0; i < phnum; i++) {
		const uint8_t *p = c + phoff + 56u * i;
		uint32_t type = uproc_get32(p, UPROC_LITTLE_ENDIAN);
		uint64_t off = uproc_get64(p + 8, UPROC_LITTLE_ENDIAN);
		uint64_t vaddr = uproc_get64(p + 16, UPROC_LITTLE_ENDIAN);
		uint64_t filesz = uproc_get64(p + 32, UPROC_LITTLE_ENDIAN);

		assert_true(off + filesz <= size);
		if (type == 1 && vaddr == UPROC_NATIVE_RAM_DA)
			*has_ram = true;
		if (type != 4)
			continue;
		for (uint64_t n = off; n + 12 <= off + filesz;) {
			uint32_t namesz = uproc_get32(c + n, UPROC_LITTLE_ENDIAN);
			uint32_t descsz = uproc_get32(c + n + 4, UPROC_LITTLE_ENDIAN);
			uint32_t ntype = uproc_get32(c + n + 8, UPROC_LITTLE_ENDIAN);
			uint64_t desc = n + 12 + ((namesz + 3u) & ~3u);

			/* elf_prstatus: pr_reg at 112, rip is its 17th register */
			if (ntype == 1 && descsz >= 112 + 27 * 8) {
				*rip = uproc_get64(c + desc + 112 + 16 * 8, UPROC_LITTLE_ENDIAN);
				found = true;
			}
			n = desc + ((descsz + 3u) & ~3u);
		}
	}
	return found;
}

static void test_crash_coredump_recovery(void **state)
{
	struct fixture *f = *state;
	struct uproc_native_exit ex;
	uint8_t *core;
	ssize_t size;
	uint64_t rip = 0;
	bool has_ram;

	start(f, "crash0", UPROC_FW_CRASH, CH_CRASH);
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_ENABLED), 0);
	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	assert_int_equal(rpmsg_send(f->host.ept, "segv", 4), 0);
	assert_true(pump(f->loop, crashed_idle, f->rproc, PUMP_WAIT_MS));
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rproc), 1);
	assert_int_equal(uproc_native_last_exit(f->rproc, &ex), 0);

	size = rproc_coredump_size(f->rproc);
	assert_true(size > 0);
	core = malloc((size_t)size);
	assert_int_equal(rproc_coredump_read(f->rproc, core, (size_t)size, 0), size);
	assert_memory_equal(core, "\177ELF\2\1", 6);
	assert_int_equal(uproc_get16(core + 16, UPROC_LITTLE_ENDIAN), 4);	/* ET_CORE */
	assert_int_equal(uproc_get16(core + 18, UPROC_LITTLE_ENDIAN), 62);	/* x86-64 */
	assert_true(core_rip(core, (size_t)size, &rip, &has_ram));
	assert_true(has_ram);
	/* It died in the firmware's code, in its RAM. */
	assert_true(rip >= UPROC_NATIVE_RAM_DA && rip < UPROC_NATIVE_RAM_DA + UPROC_NATIVE_RAM_SIZE);
	free(core);

	/* gdb reads it: the backtrace names the function that faulted. */
	if (access("/usr/bin/gdb", X_OK) == 0) {
		char path[256], cmd[1024], out[8192];
		FILE *p;
		size_t n;

		snprintf(path, sizeof(path), "%s/crash0.core", f->dir);
		assert_int_equal(rproc_coredump_save(f->rproc, path), 0);
		snprintf(cmd, sizeof(cmd),
			 "/usr/bin/gdb -nx -batch -ex 'info registers rip' -ex bt '%s' '%s' 2>&1",
			 UPROC_FW_CRASH, path);
		p = popen(cmd, "r");
		assert_non_null(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		pclose(p);
		if (!strstr(out, "crash_null_store"))
			fail_msg("gdb did not find the faulting function:\n%s", out);
	}

	/* The channel is back and answers. */
	struct thost_want_rx w = { .h = &f->host, .n = 1 };
	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	f->host.nrx = 0;
	assert_int_equal(rpmsg_send(f->host.ept, "ping", 4), 0);
	assert_true(pump(f->loop, thost_got_rx, &w, PUMP_WAIT_MS));
	assert_string_equal(f->host.rx[0], "pong");
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_recovery_disabled_and_inline(void **state)
{
	struct fixture *f = *state;

	start(f, "crash1", UPROC_FW_CRASH, CH_CRASH);
	rproc_set_recovery(f->rproc, false);
	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	assert_int_equal(rpmsg_send(f->host.ept, "ill", 3), 0);
	assert_true(pump(f->loop, crashed_idle, f->rproc, PUMP_WAIT_MS));
	pump_for(f->loop, 100);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_CRASHED);
	assert_int_equal(uproc_native_pid(f->rproc), -ESRCH);

	/* Inline dump: "recover" stops at the dump until it is released. */
	rproc_set_recovery(f->rproc, true);
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_INLINE), -EBUSY);
	assert_int_equal(rproc_recover(f->rproc), 0);
	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	assert_int_equal(rproc_set_coredump(f->rproc, RPROC_COREDUMP_INLINE), 0);
	assert_int_equal(rpmsg_send(f->host.ept, "fpe", 3), 0);
	/* The crash is dumped inline: recovery waits for the dump to be released. */
	assert_true(pump(f->loop, dump_offered, f->rproc, PUMP_WAIT_MS));
	pump_for(f->loop, 200);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_OFFLINE); /* waiting, as Linux */
	assert_true(rproc_coredump_size(f->rproc) > 0);
	assert_int_equal(rproc_coredump_release(f->rproc), 0);
	assert_true(pump(f->loop, is_running, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_crash_count(f->rproc), 2);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

static void test_detach_and_new_host(void **state)
{
	struct fixture *f = *state;
	struct thost *h2 = calloc(1, sizeof(*h2));
	struct thost_want_rx w = { .h = h2, .n = 5 };
	uint32_t addr;
	pid_t pid;
	struct rproc *r2;

	start(f, "det0", UPROC_FW_ECHO, CH_ECHO);
	round_trips(f, &f->host, 2, NULL);
	pid = uproc_native_pid(f->rproc);
	addr = f->host.ept->addr;

	/* Five messages go out and the host leaves before the answers come. */
	for (int i = 0; i < 5; i++) {
		char msg[8];
		int n = snprintf(msg, sizeof(msg), "q%d", i);

		assert_int_equal(rpmsg_trysend(f->host.ept, msg, (size_t)n), 0);
	}
	rproc_set_detach_running(f->rproc, true);
	assert_int_equal(rproc_detach(f->rproc), 0);
	assert_int_equal(rproc_get_state(f->rproc), RPROC_DETACHED);
	rproc_del_and_free(f->loop, f->rproc);
	f->rproc = NULL;
	usleep(100 * 1000);
	assert_int_equal(kill(pid, 0), 0);	/* the core still runs */

	/* A new host finds it, attaches, and gets the answers at its old address. */
	r2 = native_new(f, "det0", NULL);
	h2->fixed_addr = addr;
	thost_init(h2, r2, CH_ECHO);
	assert_int_equal(rproc_add(r2), 0);
	assert_int_equal(rproc_get_state(r2), RPROC_ATTACHED);
	assert_int_equal(uproc_native_pid(r2), pid);
	assert_true(pump(f->loop, thost_got_rx, &w, PUMP_WAIT_MS));
	for (int i = 0; i < 5; i++) {
		char want[8];

		snprintf(want, sizeof(want), "q%d", i);
		assert_string_equal(h2->rx[i], want);
	}
	/* And talks to it on. */
	h2->nrx = 0;
	w.n = 1;
	assert_int_equal(rpmsg_sendto(&h2->fixed, "again", 5, h2->rx_src[0]), 0);
	assert_true(pump(f->loop, thost_got_rx, &w, PUMP_WAIT_MS));
	assert_string_equal(h2->rx[0], "again");

	assert_int_equal(rproc_shutdown(r2), 0);
	assert_int_equal(kill(pid, 0), -1);
	rproc_del_and_free(f->loop, r2);
	free(h2);
}

static void test_forbidden_syscall_other_core_serves(void **state)
{
	struct fixture *f = *state;
	struct thost *h2 = calloc(1, sizeof(*h2));
	struct uproc_native_exit ex;
	struct rproc *echo;

	start(f, "bad0", UPROC_FW_CRASH, CH_CRASH);
	rproc_set_recovery(f->rproc, false);
	echo = native_new(f, "good0", UPROC_FW_ECHO);
	thost_init(h2, echo, CH_ECHO);
	assert_int_equal(rproc_add(echo), 0);
	assert_int_equal(rproc_boot(echo), 0);
	round_trips(f, h2, 3, NULL);

	assert_true(pump(f->loop, thost_channel_up, &f->host, PUMP_WAIT_MS));
	assert_int_equal(rpmsg_send(f->host.ept, "syscall", 7), 0);
	assert_true(pump(f->loop, crashed_idle, f->rproc, PUMP_WAIT_MS));
	assert_int_equal(rproc_get_state(f->rproc), RPROC_CRASHED);
	assert_int_equal(uproc_native_last_exit(f->rproc, &ex), 0);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_SIGNAL);
	assert_int_equal(ex.status, SIGSYS);

	/* The other core did not notice. */
	assert_int_equal(rproc_get_state(echo), RPROC_RUNNING);
	round_trips(f, h2, 5, NULL);
	assert_int_equal(rproc_shutdown(echo), 0);
	rproc_del_and_free(f->loop, echo);
	free(h2);
	assert_int_equal(rproc_shutdown(f->rproc), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_echo_100k_send_buffers_full_length, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_channel_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trysend_full_then_tx_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cycles_leak_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refcount_and_firmware_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_coredump_recovery, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recovery_disabled_and_inline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_and_new_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forbidden_syscall_other_core_serves, setup,
						teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
