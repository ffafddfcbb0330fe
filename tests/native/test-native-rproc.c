// SPDX-License-Identifier: MIT
/*
 * test-native-rproc.c - the native core under the remoteproc core, end to end, with
 * the example firmware of firmware/examples: boot and echo over rpmsg, tty and
 * console, a crash with recovery and a coredump gdb can read, a forbidden system
 * call that kills one core only, detach and attach from a new rproc, and boot and
 * shutdown cycles without leaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "open_fds.h"
#include "uproc/loop.h"
#include "uproc/native.h"
#include "uproc/remoteproc.h"
#include "uproc/rpmsg.h"

#define FW(name) TEST_FW_DIR "/" name ".elf"
#define WAIT_MS 5000
#define TRACE_DA (UPROC_NATIVE_RAM_DA + UPROC_NATIVE_RAM_SIZE - 0x4000u)

/* What the host side of one test sees. */
struct host {
	struct uproc_loop *loop;
	struct rproc *rproc;
	char rundir[64];
	const char *channel;
	struct rpmsg_driver drv;
	struct rpmsg_device_id ids[2];
	struct rpmsg_device *rpdev;
	struct rpmsg_virtio_device *bus;
	unsigned int ready, removing;
	unsigned int received;
	char last[512];
	size_t last_len;
	uint32_t last_src;
	char console[4096];
	size_t console_len;
};

static struct host *host_of_drv(struct rpmsg_driver *drv)
{
	return (struct host *)((char *)drv - offsetof(struct host, drv));
}

static int on_msg(struct rpmsg_endpoint *ept, void *data, size_t len, uint32_t src, void *priv)
{
	struct host *h = priv;

	(void)ept;
	h->received++;
	h->last_len = len < sizeof(h->last) ? len : sizeof(h->last) - 1;
	memcpy(h->last, data, h->last_len);
	h->last[h->last_len] = '\0';
	h->last_src = src;
	return 0;
}

static int on_probe(struct rpmsg_device *rpdev)
{
	struct host *h = host_of_drv(rpdev->drv);

	h->rpdev = rpdev;
	rpdev->ept->priv = h;
	return 0;
}

static void on_remove(struct rpmsg_device *rpdev)
{
	struct host *h = host_of_drv(rpdev->drv);

	if (h->rpdev == rpdev)
		h->rpdev = NULL;
}

static void on_ready(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
		     void *arg)
{
	struct host *h = arg;

	(void)rproc;
	(void)index;
	h->bus = bus;
	h->ready++;
	if (h->channel) {
		memset(&h->drv, 0, sizeof(h->drv));
		memset(h->ids, 0, sizeof(h->ids));
		snprintf(h->ids[0].name, sizeof(h->ids[0].name), "%s", h->channel);
		h->drv.name = "test";
		h->drv.id_table = h->ids;
		h->drv.probe = on_probe;
		h->drv.remove = on_remove;
		h->drv.callback = on_msg;
		assert_int_equal(rpmsg_register_driver(bus, &h->drv), 0);
	}
}

static void on_removing(struct rproc *rproc, unsigned int index, struct rpmsg_virtio_device *bus,
			void *arg)
{
	struct host *h = arg;

	(void)rproc;
	(void)index;
	(void)bus;
	h->removing++;
	h->rpdev = NULL;
	h->bus = NULL;
}

static void on_console(struct rproc *rproc, unsigned int index, const void *data, size_t len,
		       void *arg)
{
	struct host *h = arg;

	(void)rproc;
	(void)index;
	if (len > sizeof(h->console) - 1 - h->console_len)
		len = sizeof(h->console) - 1 - h->console_len;
	memcpy(h->console + h->console_len, data, len);
	h->console_len += len;
	h->console[h->console_len] = '\0';
}

static struct rproc *new_rproc_opts(struct host *h, const char *name, const char *fw,
				    uint32_t watchdog_ms, bool outlive);

static struct rproc *new_rproc(struct host *h, const char *name, const char *fw)
{
	return new_rproc_opts(h, name, fw, 0, true);
}

static struct rproc *new_rproc_wd(struct host *h, const char *name, const char *fw,
				  uint32_t watchdog_ms)
{
	return new_rproc_opts(h, name, fw, watchdog_ms, true);
}

/* @outlive: most hosts here detach and attach (the tests below); false is the default. */
static struct rproc *new_rproc_opts(struct host *h, const char *name, const char *fw,
				    uint32_t watchdog_ms, bool outlive)
{
	struct uproc_native_config cfg;
	struct rproc_vdev_hooks hooks = {
		.rpmsg_ready = on_ready,
		.rpmsg_removing = on_removing,
		.console_rx = on_console,
		.arg = h,
	};

	uproc_native_config_init(&cfg, name);
	cfg.runtime_dir = h->rundir;
	cfg.watchdog_ms = watchdog_ms;
	cfg.outlive_host = outlive;
	struct rproc *rproc = uproc_native_rproc_alloc(h->loop, &cfg, fw);
	assert_non_null(rproc);
	rproc_set_auto_boot(rproc, false);
	rproc_set_vdev_hooks(rproc, &hooks);
	return rproc;
}

/* Hosts alive, so that a failed test's cores are stopped by the group teardown. */
#define MAX_HOSTS 8
static struct host *live_hosts[MAX_HOSTS];

static struct host *host_new(const char *channel)
{
	struct host *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	assert_int_equal(uproc_loop_new(&h->loop), 0);
	snprintf(h->rundir, sizeof(h->rundir), "/tmp/uproc-native-rproc-XXXXXX");
	assert_non_null(mkdtemp(h->rundir));
	h->channel = channel;
	for (int i = 0; i < MAX_HOSTS; i++) {
		if (!live_hosts[i]) {
			live_hosts[i] = h;
			break;
		}
	}
	return h;
}

static void host_free(struct host *h)
{
	char dir[128];

	if (h->rproc) {
		rproc_del(h->rproc);
		rproc_free(h->rproc);
	}
	uproc_loop_free(h->loop);
	for (int i = 0; i < MAX_HOSTS; i++)
		if (live_hosts[i] == h)
			live_hosts[i] = NULL;
	snprintf(dir, sizeof(dir), "%s/native", h->rundir);
	rmdir(dir);
	rmdir(h->rundir);
	free(h);
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Dispatch the loop until *@counter >= @want (or the time is up). */
static bool run_until(struct host *h, const unsigned int *counter, unsigned int want)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (*counter < want && now_ms() < end)
		uproc_loop_dispatch(h->loop, 10);
	return *counter >= want;
}

static bool run_until_bound(struct host *h)
{
	uint64_t end = now_ms() + WAIT_MS;

	while ((!h->rpdev || !h->rpdev->ept || h->rpdev->ept->dst == RPMSG_ADDR_ANY) &&
	       now_ms() < end)
		uproc_loop_dispatch(h->loop, 10);
	return h->rpdev && h->rpdev->ept && h->rpdev->ept->dst != RPMSG_ADDR_ANY;
}

static bool run_until_state(struct host *h, enum rproc_state state)
{
	uint64_t end = now_ms() + WAIT_MS;

	while (rproc_get_state(h->rproc) != state && now_ms() < end)
		uproc_loop_dispatch(h->loop, 10);
	return rproc_get_state(h->rproc) == state;
}

static const char *trace_of(struct rproc *rproc)
{
	return rproc_da_to_va(rproc, TRACE_DA, 0x4000, NULL);
}

/* The firmware runs on its own CPU time: give it a moment to write its trace. */
static bool wait_trace(struct host *h, const char *text)
{
	uint64_t end = now_ms() + WAIT_MS;
	const char *trace = trace_of(h->rproc);

	while (trace && !strstr(trace, text) && now_ms() < end)
		uproc_loop_dispatch(h->loop, 1);
	if (trace && !strstr(trace, text))
		print_error("trace has no \"%s\": [%s]\n", text, trace);
	return trace && strstr(trace, text);
}

static void send_and_wait(struct host *h, const char *text)
{
	unsigned int want = h->received + 1;

	assert_non_null(h->rpdev);
	assert_int_equal(rpmsg_send(h->rpdev->ept, text, strlen(text)), 0);
	assert_true(run_until(h, &h->received, want));
}

static void boot_bound(struct host *h, const char *name, const char *fw)
{
	h->rproc = new_rproc(h, name, fw);
	assert_int_equal(rproc_add(h->rproc), 0);
	int ret = rproc_boot(h->rproc);
	if (ret)
		print_error("boot: %s\n", rproc_last_error(h->rproc));
	assert_int_equal(ret, 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_RUNNING);
	assert_true(run_until_bound(h));
}

static void test_echo(void **state)
{
	struct host *h = host_new("rpmsg-client-sample");

	(void)state;
	struct rproc_boot_phases ph;
	h->rproc = new_rproc(h, "echo", FW("echo"));
	assert_int_equal(rproc_get_boot_phases(h->rproc, &ph), -ENODATA);
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_boot(h->rproc), 0);
	assert_true(run_until_bound(h));
	assert_true(uproc_native_pid(h->rproc) > 0);
	/* The file was read, its segments copied, the core started: each took time. */
	assert_int_equal(rproc_get_boot_phases(h->rproc, &ph), 0);
	assert_true(ph.read > 0 && ph.copy > 0 && ph.start > 0 && ph.map > 0);
	for (int i = 0; i < 100; i++) {
		char msg[32];
		snprintf(msg, sizeof(msg), "hello world! %d", i);
		send_and_wait(h, msg);
		assert_string_equal(h->last, msg);
		assert_int_equal(h->last_src, h->rpdev->dst);
	}
	assert_true(wait_trace(h, "echo firmware: starting"));
	assert_true(wait_trace(h, "rpmsg: channel rpmsg-client-sample"));
	assert_true(wait_trace(h, "echo: message 64 from"));

	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_OFFLINE);
	assert_int_equal(uproc_native_pid(h->rproc), -ESRCH);
	struct uproc_native_exit ex;
	assert_int_equal(uproc_native_last_exit(h->rproc, &ex), 0);
	assert_true(ex.stopped);
	host_free(h);
}

static void test_tty(void **state)
{
	struct host *h = host_new("rpmsg-tty");

	(void)state;
	boot_bound(h, "tty", FW("tty"));
	send_and_wait(h, "Hello, World 42!\n");
	assert_string_equal(h->last, "hELLO, wORLD 42!\n");
	host_free(h);
}

static void test_console(void **state)
{
	struct host *h = host_new(NULL);
	const char *text = "Console Says Hi";

	(void)state;
	h->rproc = new_rproc(h, "console", FW("console"));
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_boot(h->rproc), 0);
	assert_int_equal(rproc_console_write(h->rproc, 0, text, strlen(text)), (ssize_t)strlen(text));
	uint64_t end = now_ms() + WAIT_MS;
	while (h->console_len < strlen(text) && now_ms() < end)
		uproc_loop_dispatch(h->loop, 10);
	assert_string_equal(h->console, "cONSOLE sAYS hI");
	host_free(h);
}

/* Find the NT_PRSTATUS note of an ELF core file and return its rip. */
static uint64_t core_rip(const uint8_t *core, size_t size)
{
	Elf64_Ehdr eh;

	assert_true(size >= sizeof(eh));
	memcpy(&eh, core, sizeof(eh));
	assert_memory_equal(eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, EM_X86_64);
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		assert_true(eh.e_phoff + (i + 1) * sizeof(ph) <= size);
		memcpy(&ph, core + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE)
			continue;
		size_t off = ph.p_offset;
		while (off + sizeof(Elf64_Nhdr) <= ph.p_offset + ph.p_filesz) {
			Elf64_Nhdr nh;
			memcpy(&nh, core + off, sizeof(nh));
			size_t name_off = off + sizeof(nh);
			size_t desc_off = name_off + ((nh.n_namesz + 3) & ~3u);
			if (nh.n_type == NT_PRSTATUS && nh.n_descsz >= 112 + 27 * 8) {
				uint64_t rip;
				memcpy(&rip, core + desc_off + 112 + 16 * 8, sizeof(rip));
				return rip;
			}
			off = desc_off + ((nh.n_descsz + 3) & ~3u);
		}
	}
	return 0;
}

static void test_crash_recovery_coredump(void **state)
{
	struct host *h = host_new("rpmsg-crash");
	struct uproc_native_exit ex;

	(void)state;
	boot_bound(h, "crash", FW("crash"));
	assert_int_equal(rproc_set_coredump(h->rproc, RPROC_COREDUMP_ENABLED), 0);
	rproc_set_recovery(h->rproc, true);
	send_and_wait(h, "ping");
	assert_string_equal(h->last, "pong");
	pid_t first = uproc_native_pid(h->rproc);

	unsigned int ready = h->ready;
	assert_int_equal(rpmsg_send(h->rpdev->ept, "segv", 4), 0);
	/* Crash, then recovery reboots it and the bus comes up again. */
	assert_true(run_until(h, &h->ready, ready + 1));
	assert_true(run_until_state(h, RPROC_RUNNING));
	assert_int_equal(rproc_get_crash_count(h->rproc), 1);
	assert_int_equal(uproc_native_last_exit(h->rproc, &ex), 0);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_FAULT);
	assert_int_equal(ex.status, SIGSEGV);
	assert_int_equal(ex.crash.addr, 0);
	assert_true(ex.crash.regs.rip >= UPROC_NATIVE_RAM_DA &&
		    ex.crash.regs.rip < UPROC_NATIVE_RAM_DA + UPROC_NATIVE_RAM_SIZE);

	ssize_t size = rproc_coredump_size(h->rproc);
	assert_true(size > 0);
	uint8_t *dump = malloc((size_t)size);
	assert_non_null(dump);
	assert_int_equal(rproc_coredump_read(h->rproc, dump, (size_t)size, 0), size);
	assert_int_equal(core_rip(dump, (size_t)size), ex.crash.regs.rip);
	if (getenv("UPROC_TEST_KEEP_CORE")) {
		FILE *f = fopen(getenv("UPROC_TEST_KEEP_CORE"), "wb");
		if (f) {
			fwrite(dump, 1, (size_t)size, f);
			fclose(f);
		}
	}
	free(dump);

	/* The recovered core is a new process and answers again. */
	assert_true(run_until_bound(h));
	assert_int_not_equal(uproc_native_pid(h->rproc), first);
	send_and_wait(h, "ping");
	assert_string_equal(h->last, "pong");
	host_free(h);
}

static void test_watchdog_catches_hang(void **state)
{
	struct host *h = host_new("rpmsg-crash");
	struct uproc_native_exit ex;

	(void)state;
	h->rproc = new_rproc_wd(h, "crash", FW("crash"), 100);
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_boot(h->rproc), 0);
	assert_true(run_until_bound(h));
	rproc_set_recovery(h->rproc, false);
	/* Idle is not hung: it sleeps on its doorbell across several periods. */
	uint64_t end = now_ms() + 350;
	while (now_ms() < end)
		uproc_loop_dispatch(h->loop, 10);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_RUNNING);
	send_and_wait(h, "ping");

	assert_int_equal(rpmsg_send(h->rpdev->ept, "hang", 4), 0);
	assert_true(run_until_state(h, RPROC_CRASHED));
	assert_int_equal(uproc_native_last_exit(h->rproc, &ex), 0);
	/* The registers of where it hung: inside the firmware's code. */
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_FAULT);
	assert_int_equal(ex.status, SIGTRAP);
	assert_true(ex.crash.regs.rip >= UPROC_NATIVE_RAM_DA &&
		    ex.crash.regs.rip < UPROC_NATIVE_RAM_DA + UPROC_NATIVE_RAM_SIZE);
	host_free(h);
}

static void test_forbidden_syscall_one_core(void **state)
{
	struct host *a = host_new("rpmsg-crash");
	struct host *b = host_new("rpmsg-client-sample");
	struct uproc_native_exit ex;

	(void)state;
	boot_bound(a, "crash", FW("crash"));
	boot_bound(b, "echo", FW("echo"));
	rproc_set_recovery(a->rproc, false);
	assert_int_equal(rpmsg_send(a->rpdev->ept, "syscall", 7), 0);
	assert_true(run_until_state(a, RPROC_CRASHED));
	assert_int_equal(uproc_native_last_exit(a->rproc, &ex), 0);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_SIGNAL);
	assert_int_equal(ex.status, SIGSYS);
	/* The other core never noticed. */
	send_and_wait(b, "still here");
	assert_string_equal(b->last, "still here");
	assert_int_equal(rproc_get_state(b->rproc), RPROC_RUNNING);
	host_free(a);
	host_free(b);
}

static void test_detach_attach(void **state)
{
	struct host *h = host_new("rpmsg-client-sample");
	struct rpmsg_endpoint ept;

	(void)state;
	boot_bound(h, "echo", FW("echo"));
	send_and_wait(h, "before");
	uint32_t remote = h->rpdev->dst;
	pid_t pid = uproc_native_pid(h->rproc);

	rproc_set_detach_running(h->rproc, true);
	assert_int_equal(rproc_detach(h->rproc), 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_DETACHED);
	assert_int_equal(rproc_del(h->rproc), 0);
	rproc_free(h->rproc);
	h->rproc = NULL;
	assert_int_equal(kill(pid, 0), 0); /* it runs on without a host */

	/* A new host finds it in the registry and attaches without rebooting it. */
	unsigned int ready = h->ready;
	h->rproc = new_rproc(h, "echo", FW("echo"));
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_ATTACHED);
	assert_int_equal(h->ready, ready + 1);
	assert_int_equal(uproc_native_pid(h->rproc), pid);
	/* Its memory is the same: what it traced before is there (the firmware
	 * writes the line just after its answer, so it may still be on its way). */
	assert_true(wait_trace(h, "echo: message 1 from"));

	/* The firmware announced its channel again for the new host's bus. */
	assert_true(run_until_bound(h));
	assert_int_equal(h->rpdev->dst, remote);
	send_and_wait(h, "again");
	assert_string_equal(h->last, "again");
	assert_true(wait_trace(h, "announced again"));

	/* The firmware's endpoint is where it was: talk to it directly too. */
	assert_int_equal(rpmsg_create_ept(&ept, h->bus, RPMSG_ADDR_ANY, remote, on_msg, h), 0);
	unsigned int want = h->received + 1;
	assert_int_equal(rpmsg_send(&ept, "after", 5), 0);
	assert_true(run_until(h, &h->received, want));
	assert_string_equal(h->last, "after");
	rpmsg_destroy_ept(&ept);

	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_not_equal(kill(pid, 0), 0);
	host_free(h);
}

/* Dead: gone, or a zombie waiting for a reaper that is not us. */
static bool process_gone(pid_t pid)
{
	char path[64], line[256];
	bool zombie = false;

	if (kill(pid, 0) != 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "State:", 6))
			zombie = strchr(line, 'Z') != NULL;
	fclose(f);
	return zombie;
}

/* Files left in @dir/native (0 if the folder is not there). */
static int registry_files(const char *dir)
{
	char path[128];
	int n = 0;

	snprintf(path, sizeof(path), "%s/native", dir);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* A child host boots a core (@outlive or not), reports its pid, and dies by @sig. */
static pid_t core_of_dying_host(struct host *h, bool outlive, int sig)
{
	int pipefd[2];
	pid_t core_pid = 0;

	assert_int_equal(pipe(pipefd), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct host *c = host_new("rpmsg-client-sample");
		rmdir(c->rundir);
		snprintf(c->rundir, sizeof(c->rundir), "%s", h->rundir);
		c->rproc = new_rproc_opts(c, "echo", FW("echo"), 0, outlive);
		pid_t pid = 0;
		if (rproc_add(c->rproc) == 0 && rproc_boot(c->rproc) == 0 && run_until_bound(c)) {
			unsigned int want = c->received + 1;
			if (rpmsg_send(c->rpdev->ept, "first host", 10) == 0 &&
			    run_until(c, &c->received, want))
				pid = uproc_native_pid(c->rproc);
		}
		(void)!write(pipefd[1], &pid, sizeof(pid));
		if (sig)
			kill(getpid(), sig);
		_exit(0);
	}
	close(pipefd[1]);
	assert_int_equal(read(pipefd[0], &core_pid, sizeof(core_pid)), sizeof(core_pid));
	close(pipefd[0]);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(core_pid > 0);
	return core_pid;
}

static void test_host_dies_core_survives(void **state)
{
	struct host *h = host_new("rpmsg-client-sample");

	(void)state;
	/* A host that boots the core, talks to it, and dies without a word. */
	pid_t core_pid = core_of_dying_host(h, true, 0);
	assert_int_equal(kill(core_pid, 0), 0); /* the core outlived its host */

	/* A new host attaches to it; the firmware announces its channel again. */
	h->rproc = new_rproc(h, "echo", FW("echo"));
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_ATTACHED);
	assert_int_equal(uproc_native_pid(h->rproc), core_pid);
	assert_true(run_until_bound(h));
	send_and_wait(h, "second host");
	assert_string_equal(h->last, "second host");
	assert_true(wait_trace(h, "echo: message 2 from"));

	/* Not our child: stopping it still works (the kernel's reaper collects it). */
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	assert_int_equal(uproc_native_pid(h->rproc), -ESRCH);
	for (int i = 0; i < 100 && !process_gone(core_pid); i++)
		usleep(10000);
	assert_true(process_gone(core_pid));
	host_free(h);
}

static void test_core_dies_with_its_host(void **state)
{
	struct host *h = host_new("rpmsg-client-sample");

	(void)state;
	/* By default a core dies with its host, whatever kills the host... */
	int sigs[] = { SIGKILL, SIGTERM, 0 };
	for (unsigned int i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		pid_t core = core_of_dying_host(h, false, sigs[i]);
		for (int k = 0; k < 500 && !process_gone(core); k++)
			usleep(10000);
		assert_true(process_gone(core));
		/* ...and leaves nothing in the registry. */
		assert_int_equal(registry_files(h->rundir), 0);
	}

	/* A core left running by a host that asked for it: a host that did not ask
	 * never attaches to it silently. */
	pid_t left = core_of_dying_host(h, true, SIGKILL);
	assert_int_equal(kill(left, 0), 0);
	h->rproc = new_rproc_opts(h, "echo", FW("echo"), 0, false);
	assert_int_equal(rproc_add(h->rproc), -EEXIST);
	assert_int_equal(kill(left, 0), 0);
	rproc_del(h->rproc);
	rproc_free(h->rproc);
	/* A host like the one that left it attaches (and stops it here). */
	h->rproc = new_rproc(h, "echo", FW("echo"));
	assert_int_equal(rproc_add(h->rproc), 0);
	assert_int_equal(rproc_get_state(h->rproc), RPROC_ATTACHED);
	assert_int_equal(uproc_native_pid(h->rproc), left);
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	for (int k = 0; k < 500 && !process_gone(left); k++)
		usleep(10000);
	assert_true(process_gone(left));
	host_free(h);
}

static void test_one_host_per_core(void **state)
{
	struct host *a = host_new("rpmsg-client-sample");
	struct host *b = host_new("rpmsg-client-sample");

	(void)state;
	boot_bound(a, "echo", FW("echo"));
	/* A second host in the same runtime folder finds the core but cannot take it. */
	rmdir(b->rundir);
	snprintf(b->rundir, sizeof(b->rundir), "%s", a->rundir);
	b->rproc = new_rproc(b, "echo", FW("echo"));
	assert_int_equal(rproc_add(b->rproc), -EBUSY);
	assert_int_equal(rproc_boot(b->rproc), -EBUSY);
	rproc_del(b->rproc);
	rproc_free(b->rproc);
	b->rproc = NULL;
	send_and_wait(a, "mine");
	assert_string_equal(a->last, "mine");
	/* Once the first host lets go, the second one can boot its own. */
	assert_int_equal(rproc_shutdown(a->rproc), 0);
	b->rproc = new_rproc(b, "echo", FW("echo"));
	assert_int_equal(rproc_add(b->rproc), 0);
	assert_int_equal(rproc_boot(b->rproc), 0);
	assert_true(run_until_bound(b));
	host_free(b);
	host_free(a);
}

static void test_boot_shutdown_cycles(void **state)
{
	struct host *h = host_new("rpmsg-client-sample");

	(void)state;
	boot_bound(h, "echo", FW("echo"));
	assert_int_equal(rproc_shutdown(h->rproc), 0);
	int fds = count_open_fds();
	for (int i = 0; i < 100; i++) {
		assert_int_equal(rproc_boot(h->rproc), 0);
		if (i % 25 == 0) {
			assert_true(run_until_bound(h));
			send_and_wait(h, "cycle");
		}
		assert_int_equal(rproc_shutdown(h->rproc), 0);
	}
	assert_int_equal(count_open_fds(), fds);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	host_free(h);
}

static void test_flood(void **state)
{
	struct host *h = host_new("rpmsg-flood");
	const unsigned int n = 20000;

	(void)state;
	boot_bound(h, "flood", FW("flood"));
	/* Remote to host. */
	unsigned int want = h->received + n;
	uint64_t t0 = now_ms();
	assert_int_equal(rpmsg_send(h->rpdev->ept, "start 20000 256", 15), 0);
	assert_true(run_until(h, &h->received, want));
	uint64_t t1 = now_ms();
	uint32_t seq;
	memcpy(&seq, h->last, 4);
	assert_int_equal(seq, n - 1);

	/* Host to remote: the firmware sinks and counts. */
	char msg[256] = { 0 };
	for (unsigned int i = 0; i < n; i++) {
		int ret;
		assert_non_null(h->rpdev); /* a crash would take the channel away */
		while ((ret = rpmsg_trysend(h->rpdev->ept, msg, sizeof(msg))) == -ENOMEM) {
			uproc_loop_dispatch(h->loop, 1);
			assert_non_null(h->rpdev);
		}
		assert_int_equal(ret, 0);
	}
	uint64_t t2 = now_ms();
	send_and_wait(h, "stats");
	char expect[64];
	snprintf(expect, sizeof(expect), "rx=%u bytes=%u tx=%u", n, n * 256, n);
	assert_string_equal(h->last, expect);
	fprintf(stderr, "flood: remote->host %u msgs of 256 B in %llu ms, host->remote in %llu ms\n",
		n, (unsigned long long)(t1 - t0), (unsigned long long)(t2 - t1));

	/* The same both ways in batches (rpmsg_trysendto_batch() on either side). */
	want = h->received + n;
	assert_int_equal(rpmsg_send(h->rpdev->ept, "start 20000 256 16", 18), 0);
	assert_true(run_until(h, &h->received, want));
	memcpy(&seq, h->last, 4);
	assert_int_equal(seq, n - 1);
	assert_int_equal(rpmsg_send(h->rpdev->ept, "reset", 5), 0);
	struct rpmsg_msg batch[RPMSG_SEND_BATCH_MAX + 1];
	for (unsigned int i = 0; i < RPMSG_SEND_BATCH_MAX + 1; i++)
		batch[i] = (struct rpmsg_msg){ msg, sizeof(msg) };
	for (unsigned int sent = 0; sent < n;) {
		unsigned int k = n - sent < RPMSG_SEND_BATCH_MAX + 1 ? n - sent
								  : RPMSG_SEND_BATCH_MAX + 1;
		assert_non_null(h->rpdev);
		int ret = rpmsg_trysendto_batch(h->rpdev->ept, h->rpdev->ept->dst, batch, k);
		if (ret == -ENOMEM) {
			uproc_loop_dispatch(h->loop, 1);
			continue;
		}
		assert_true(ret > 0 && ret <= (int)RPMSG_SEND_BATCH_MAX); /* bounded per call */
		sent += (unsigned int)ret;
	}
	send_and_wait(h, "stats");
	snprintf(expect, sizeof(expect), "rx=%u bytes=%u tx=0", n, n * 256);
	assert_string_equal(h->last, expect);
	host_free(h);
}

static int free_leftover_hosts(void **state)
{
	(void)state;
	for (int i = 0; i < MAX_HOSTS; i++) {
		if (live_hosts[i])
			host_free(live_hosts[i]);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_tty),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_crash_recovery_coredump),
		cmocka_unit_test(test_watchdog_catches_hang),
		cmocka_unit_test(test_forbidden_syscall_one_core),
		cmocka_unit_test(test_detach_attach),
		cmocka_unit_test(test_host_dies_core_survives),
		cmocka_unit_test(test_one_host_per_core),
		cmocka_unit_test(test_core_dies_with_its_host),
		cmocka_unit_test(test_boot_shutdown_cycles),
		cmocka_unit_test(test_flood),
	};
	/* UPROC_TEST_ONLY=name runs one test (test-native-gdb.sh uses it). */
	if (getenv("UPROC_TEST_ONLY"))
		cmocka_set_test_filter(getenv("UPROC_TEST_ONLY"));
	return cmocka_run_group_tests_name("native-rproc", tests, NULL, free_leftover_hosts);
}
