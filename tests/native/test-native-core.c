// SPDX-License-Identifier: MIT
/*
 * test-native-core.c - the native core's process layer, with a real stub and a
 * real firmware (fw/core_test_fw.c, built by the SDK): map and run, doorbell
 * ping-pong, faults reported with registers, forbidden system calls killing only
 * their core, no fd or process leaks over many cycles, attach through the registry
 * from this process and from another one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core_test_fw.h"
#include "native_internal.h"
#include "open_fds.h"
#include "uproc/fwimage.h"

#define RAM_DA 0x100000u
#define RAM_SIZE 0x200000u
#define TRACE_OFF (RAM_SIZE - 0x4000u)
#define WAIT_MS 5000

struct core_fixture {
	struct native_region ram;
	struct native_core core;
	uint64_t entry;
	char rundir[64];
	char regdir[128];
};

static int load_firmware(struct native_region *ram, uint64_t *entry)
{
	struct uproc_fw_image img;
	struct uproc_fw_error err;
	struct stat st;
	int fd = open(TEST_FW_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0)
		return -errno;
	uint8_t *data = malloc((size_t)st.st_size);
	if (!data || read(fd, data, (size_t)st.st_size) != st.st_size) {
		free(data);
		close(fd);
		return -EIO;
	}
	close(fd);
	int ret = uproc_fw_parse(&img, data, (size_t)st.st_size, TEST_FW_PATH, 0, &err);
	if (ret) {
		print_error("%s\n", err.msg);
		free(data);
		return ret;
	}
	for (unsigned int i = 0; i < img.phnum; i++) {
		struct uproc_fw_segment seg;
		if (uproc_fw_get_segment(&img, i, &seg) != 1)
			continue;
		if (seg.da < ram->da || seg.memsz > ram->size - (seg.da - ram->da)) {
			free(data);
			return -ERANGE;
		}
		uint8_t *dst = (uint8_t *)ram->va + (seg.da - ram->da);
		memcpy(dst, data + seg.offset, seg.filesz);
		memset(dst + seg.filesz, 0, seg.memsz - seg.filesz);
	}
	*entry = img.entry;
	free(data);
	return 0;
}

static int spawn_core(struct native_core *core, struct native_region *ram, uint64_t entry,
		      char *err, size_t errlen)
{
	const struct native_region *regions[] = { ram };
	struct native_spawn sp = {
		.stub_path = TEST_STUB_PATH,
		.ctl_da = UPROC_NATIVE_CTL_DA,
		.regions = regions,
		.nregions = 1,
		.entry = entry,
		.cpu = -1,
		.tsc_khz = 0,
		.spin_ns = 20000,
		.timeout_ms = WAIT_MS,
	};
	return upi_native_core_spawn(core, &sp, err, errlen);
}

static int setup(void **state)
{
	struct core_fixture *f = calloc(1, sizeof(*f));
	char err[NATIVE_ERR_MAX] = "";

	assert_non_null(f);
	upi_native_core_init(&f->core);
	assert_int_equal(upi_native_region_create(&f->ram, "ram", RAM_DA, RAM_SIZE, NATIVE_PROT_RWX), 0);
	assert_int_equal(load_firmware(&f->ram, &f->entry), 0);
	int ret = spawn_core(&f->core, &f->ram, f->entry, err, sizeof(err));
	if (ret)
		print_error("spawn: %s\n", err);
	assert_int_equal(ret, 0);
	snprintf(f->rundir, sizeof(f->rundir), "/tmp/uproc-native-test-XXXXXX");
	assert_non_null(mkdtemp(f->rundir));
	assert_int_equal(upi_native_registry_dir(f->rundir, f->regdir, sizeof(f->regdir)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct core_fixture *f = *state;

	upi_native_core_kill(&f->core, NULL);
	upi_native_region_destroy(&f->ram);
	rmdir(f->regdir);
	rmdir(f->rundir);
	free(f);
	return 0;
}

/*
 * Bits the core posted: spin, then block on the doorbell, up to @ms. A ring without
 * bits (a stale eventfd count left by an earlier round) is waited through.
 */
static uint64_t wait_core(struct native_core *core, int ms)
{
	for (int left = ms; left > 0; left -= 10) {
		uint64_t bits = upi_native_core_spin_take(core, 50000);
		if (bits)
			return bits;
		struct pollfd p = { .fd = core->db_rx, .events = POLLIN };
		if (poll(&p, 1, 10) > 0) {
			bits = upi_native_core_take(core);
			if (bits)
				return bits;
		}
	}
	return 0;
}

/*
 * Wait for the core's end. A core that faulted parks with its record (it stays,
 * its memories with it, until the host ends it): it is ended here, as the backend
 * does. @parked (may be NULL) says whether it was found parked.
 */
static int wait_death_parked(struct native_core *core, struct uproc_native_exit *ex, bool *parked)
{
	struct pollfd p = { .fd = core->pidfd, .events = POLLIN };
	bool ended = false;

	for (int ms = 0; ms < WAIT_MS; ms += 10) {
		if (poll(&p, 1, 10) == 1)
			break;
		if (!ended && uproc_shm_load32(&core->ctl->crash.valid, memory_order_acquire)) {
			/* Parked: still alive after its record, until told to end. */
			if (poll(&p, 1, 50) == 1)
				break;
			ended = true;
			assert_int_equal(upi_native_core_signal(core, SIGKILL), 0);
		}
	}
	if (parked)
		*parked = ended;
	return upi_native_core_reap(core, ex);
}

static int wait_death(struct native_core *core, struct uproc_native_exit *ex)
{
	return wait_death_parked(core, ex, NULL);
}

static const char *trace_of(const struct native_region *ram)
{
	return (const char *)ram->va + TRACE_OFF;
}

static void ping(struct native_core *core, unsigned int times)
{
	for (unsigned int i = 0; i < times; i++) {
		assert_true(upi_native_core_kick(core, CORE_TEST_PING) >= 0);
		uint64_t bits = wait_core(core, WAIT_MS);
		assert_true(bits & (1u << CORE_TEST_PING));
	}
}

static void test_map_run_ping(void **state)
{
	struct core_fixture *f = *state;
	char want[32];

	assert_true(f->core.pid > 0);
	assert_int_equal(f->core.ctl->stub_state, UPROC_NATIVE_STUB_RUNNING);
	/* The firmware ran at its device address and wrote its trace (RUNNING is
	 * set just before the jump: the line may still be on its way). */
	for (int i = 0; i < WAIT_MS && !strstr(trace_of(&f->ram), "core-test-fw up"); i++)
		usleep(1000);
	assert_non_null(strstr(trace_of(&f->ram), "core-test-fw up on native-x86_64"));
	ping(&f->core, 200);
	snprintf(want, sizeof(want), "ping %d\n", 200);
	assert_non_null(strstr(trace_of(&f->ram), want));
	/* The sandbox kept the doorbells at the numbers the host gave. */
	assert_int_equal(f->core.ctl->doorbell_in, f->core.core_db_in);
	assert_int_equal(f->core.ctl->doorbell_out, f->core.core_db_out);

	struct uproc_native_exit ex;
	assert_int_equal(upi_native_core_kill(&f->core, &ex), 0);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_SIGNAL);
	assert_int_equal(ex.status, SIGKILL);
	assert_true(ex.stopped);
	assert_int_equal(f->core.pidfd, -1);
}

static void test_fault_registers(void **state)
{
	struct core_fixture *f = *state;
	struct uproc_native_exit ex;

	bool parked;

	ping(&f->core, 1);
	assert_true(upi_native_core_kick(&f->core, CORE_TEST_FAULT) >= 0);
	assert_int_equal(wait_death_parked(&f->core, &ex, &parked), 1);
	assert_true(parked); /* the record and the process stayed until the host ended it */
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_FAULT);
	assert_int_equal(ex.status, SIGSEGV);
	assert_int_equal(ex.crash.valid, 1);
	assert_int_equal(ex.crash.signo, SIGSEGV);
	assert_int_equal(ex.crash.addr, CORE_TEST_FAULT_ADDR);
	/* It died in the firmware's code, on the firmware's stack. */
	assert_true(ex.crash.regs.rip >= RAM_DA && ex.crash.regs.rip < RAM_DA + RAM_SIZE);
	assert_true(ex.crash.regs.rsp >= RAM_DA && ex.crash.regs.rsp < RAM_DA + TRACE_OFF);
	assert_int_equal(ex.crash.regs.cs, 0x33);
	assert_false(ex.stopped);

	/* The coredump note carries them. */
	ssize_t need = upi_native_prstatus_note(&ex, NULL, 0);
	assert_true(need > 0);
	uint8_t *note = calloc(1, (size_t)need);
	assert_int_equal(upi_native_prstatus_note(&ex, note, (size_t)need - 1), -ENOSPC);
	assert_int_equal(upi_native_prstatus_note(&ex, note, (size_t)need), need);
	Elf64_Nhdr nh;
	memcpy(&nh, note, sizeof(nh));
	assert_int_equal(nh.n_type, NT_PRSTATUS);
	assert_int_equal(nh.n_namesz, 5);
	assert_string_equal((const char *)note + sizeof(nh), "CORE");
	assert_int_equal(nh.n_descsz, 336);
	uint64_t rip;
	/* pr_reg starts at 112 of elf_prstatus; rip is its 17th register. */
	memcpy(&rip, note + sizeof(nh) + 8 + 112 + 16 * 8, sizeof(rip));
	assert_int_equal(rip, ex.crash.regs.rip);
	free(note);
}

static void expect_death(unsigned int cmd, enum uproc_native_exit_kind kind, int status)
{
	struct native_region ram;
	struct native_core core;
	struct uproc_native_exit ex;
	uint64_t entry;
	char err[NATIVE_ERR_MAX];

	assert_int_equal(upi_native_region_create(&ram, "ram", RAM_DA, RAM_SIZE, NATIVE_PROT_RWX), 0);
	assert_int_equal(load_firmware(&ram, &entry), 0);
	assert_int_equal(spawn_core(&core, &ram, entry, err, sizeof(err)), 0);
	assert_true(upi_native_core_kick(&core, cmd) >= 0);
	assert_int_equal(wait_death(&core, &ex), 1);
	assert_int_equal(ex.kind, kind);
	assert_int_equal(ex.status, status);
	upi_native_core_kill(&core, NULL);
	upi_native_region_destroy(&ram);
}

static void test_deaths(void **state)
{
	(void)state;
	expect_death(CORE_TEST_ILLEGAL, UPROC_NATIVE_EXIT_FAULT, SIGILL);
	expect_death(CORE_TEST_DIVIDE, UPROC_NATIVE_EXIT_FAULT, SIGFPE);
	expect_death(CORE_TEST_EXIT, UPROC_NATIVE_EXIT_CODE, CORE_TEST_EXIT_CODE);
	expect_death(CORE_TEST_BAD_FD, UPROC_NATIVE_EXIT_SIGNAL, SIGSYS);
}

static void test_forbidden_syscall_kills_only_that_core(void **state)
{
	struct core_fixture *f = *state;
	struct native_region ram2;
	struct native_core other;
	struct uproc_native_exit ex;
	uint64_t entry;
	char err[NATIVE_ERR_MAX];

	/* A second core at the same device addresses: its own process and memories. */
	assert_int_equal(upi_native_region_create(&ram2, "ram", RAM_DA, RAM_SIZE, NATIVE_PROT_RWX), 0);
	assert_int_equal(load_firmware(&ram2, &entry), 0);
	assert_int_equal(spawn_core(&other, &ram2, entry, err, sizeof(err)), 0);

	assert_int_equal(upi_native_core_kick(&other, CORE_TEST_SYSCALL), 1);
	assert_int_equal(wait_death(&other, &ex), 1);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_SIGNAL);
	assert_int_equal(ex.status, SIGSYS);
	assert_non_null(strstr(trace_of(&ram2), "getpid"));
	upi_native_core_kill(&other, NULL);
	upi_native_region_destroy(&ram2);

	/* The first core never noticed. */
	ping(&f->core, 10);
	assert_null(strstr(trace_of(&f->ram), "getpid"));
}

static void test_firmware_allocator(void **state)
{
	struct core_fixture *f = *state;

	assert_true(upi_native_core_kick(&f->core, CORE_TEST_ALLOC) >= 0);
	assert_true(wait_core(&f->core, WAIT_MS) & (1u << CORE_TEST_ALLOC));
	assert_non_null(strstr(trace_of(&f->ram), "alloc ok\n"));
}

static void test_hang_then_kill(void **state)
{
	struct core_fixture *f = *state;
	struct uproc_native_exit ex;

	assert_int_equal(upi_native_core_kick(&f->core, CORE_TEST_HANG), 1);
	assert_int_equal(wait_core(&f->core, 50), 0);
	assert_int_equal(upi_native_core_kill(&f->core, &ex), 0);
	assert_int_equal(ex.kind, UPROC_NATIVE_EXIT_SIGNAL);
	assert_int_equal(ex.status, SIGKILL);
}

static void test_no_leaks_over_cycles(void **state)
{
	struct core_fixture *f = *state;
	char err[NATIVE_ERR_MAX];

	upi_native_core_kill(&f->core, NULL);
	int before = count_open_fds();
	for (int i = 0; i < 100; i++) {
		assert_int_equal(load_firmware(&f->ram, &f->entry), 0);
		assert_int_equal(spawn_core(&f->core, &f->ram, f->entry, err, sizeof(err)), 0);
		if (i % 10 == 0)
			ping(&f->core, 1);
		assert_int_equal(upi_native_core_kill(&f->core, NULL), 0);
	}
	assert_int_equal(count_open_fds(), before);
	/* Every child was reaped. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_spawn_errors(void **state)
{
	struct core_fixture *f = *state;
	struct native_core core;
	char err[NATIVE_ERR_MAX] = "";
	const struct native_region *regions[] = { &f->ram };
	struct native_spawn sp = {
		.stub_path = "/nonexistent/uproc-native-stub",
		.ctl_da = UPROC_NATIVE_CTL_DA,
		.regions = regions,
		.nregions = 1,
		.entry = f->entry,
		.cpu = -1,
	};
	int before = count_open_fds();

	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), -ENOEXEC);
	assert_non_null(strstr(err, "/nonexistent/uproc-native-stub"));

	/* The control page where the RAM is: the stub refuses the overlap. */
	sp.stub_path = TEST_STUB_PATH;
	sp.ctl_da = RAM_DA;
	err[0] = '\0';
	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "cannot map region"));

	/* An entry point outside the firmware's memory. */
	sp.ctl_da = UPROC_NATIVE_CTL_DA;
	sp.entry = RAM_DA + RAM_SIZE;
	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "no executable region"));
	sp.entry = f->entry;

	/* A CPU that does not exist. */
	sp.ctl_da = UPROC_NATIVE_CTL_DA;
	sp.cpu = CPU_SETSIZE - 1;
	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "pin"));
	assert_int_equal(count_open_fds(), before);
}

static void test_pinned_core_and_clock(void **state)
{
	struct core_fixture *f = *state;
	struct native_region ram;
	struct native_core core;
	uint64_t entry;
	char err[NATIVE_ERR_MAX];
	const struct native_region *regions[] = { &ram };
	uint64_t khz = upi_native_tsc_khz();

	assert_true(khz > 100000); /* a TSC above 100 MHz */
	assert_int_equal(upi_native_region_create(&ram, "ram", RAM_DA, RAM_SIZE, NATIVE_PROT_RWX), 0);
	assert_int_equal(load_firmware(&ram, &entry), 0);
	struct native_spawn sp = {
		.stub_path = TEST_STUB_PATH, .ctl_da = UPROC_NATIVE_CTL_DA, .regions = regions,
		.nregions = 1, .entry = entry, .cpu = 0, .tsc_khz = khz, .spin_ns = 1000,
	};
	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), 0);
	char path[64], line[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)core.pid);
	FILE *st = fopen(path, "r");
	assert_non_null(st);
	int pinned = 0, seccomp = -1;
	while (fgets(line, sizeof(line), st)) {
		if (!strncmp(line, "Cpus_allowed_list:", 18))
			pinned = !strcmp(line + 18 + strspn(line + 18, " \t"), "0\n");
		if (!strncmp(line, "Seccomp:", 8))
			seccomp = atoi(line + 8);
	}
	fclose(st);
	assert_true(pinned);
	assert_int_equal(seccomp, 2); /* filter mode */

	assert_int_equal(upi_native_core_kick(&core, CORE_TEST_TIME), 1);
	assert_true(wait_core(&core, WAIT_MS) & (1u << CORE_TEST_TIME));
	const char *now = strstr(trace_of(&ram), "now ");
	assert_non_null(now);
	assert_true(strtoull(now + 4, NULL, 10) > 0);
	upi_native_core_kill(&core, NULL);
	upi_native_region_destroy(&ram);
	(void)f;
}

static void record_core(struct core_fixture *f, struct native_record *rec);

static void list_one(const char *name, pid_t pid, void *arg)
{
	int *count = arg;
	assert_string_equal(name, "test-core");
	assert_true(pid > 0);
	(*count)++;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The core of ping_pong_us() while it runs, for the teardown after a failed assert. */
static struct native_core *pingpong_live;

static int pingpong_teardown(void **state)
{
	(void)state;
	if (pingpong_live)
		upi_native_core_kill(pingpong_live, NULL);
	pingpong_live = NULL;
	return 0;
}

/* Round trips with both sides spinning @spin_ns first (0: always block). */
static double ping_pong_us(uint64_t spin_ns, unsigned int rounds)
{
	static struct native_region ram;
	static struct native_core core;	/* static: the teardown may still need it */
	uint64_t entry;
	char err[NATIVE_ERR_MAX];
	const struct native_region *regions[] = { &ram };

	assert_int_equal(upi_native_region_create(&ram, "ram", RAM_DA, RAM_SIZE, NATIVE_PROT_RWX), 0);
	assert_int_equal(load_firmware(&ram, &entry), 0);
	struct native_spawn sp = {
		.stub_path = TEST_STUB_PATH, .ctl_da = UPROC_NATIVE_CTL_DA, .regions = regions,
		.nregions = 1, .entry = entry, .cpu = -1, .tsc_khz = upi_native_tsc_khz(),
		.spin_ns = spin_ns,
	};
	assert_int_equal(upi_native_core_spawn(&core, &sp, err, sizeof(err)), 0);
	pingpong_live = &core;
	uint64_t t0 = mono_ns();
	for (unsigned int i = 0; i < rounds; i++) {
		assert_true(upi_native_core_kick(&core, CORE_TEST_PING) >= 0);
		uint64_t bits = upi_native_core_spin_take(&core, spin_ns);
		while (!bits) {
			struct pollfd p = { .fd = core.db_rx, .events = POLLIN };
			/* A lost wake-up would hang here: the poll is bounded, the test fails. */
			assert_int_equal(poll(&p, 1, WAIT_MS), 1);
			bits = upi_native_core_take(&core);
			/*
			 * A stale ring (the core rang while we were spinning and we took its
			 * bits then) wakes us with nothing pending. take() said we are awake:
			 * say we sleep again before blocking, or the core will not ring.
			 */
			if (!bits)
				bits = upi_native_core_spin_take(&core, 0);
		}
		assert_true(bits & (1u << CORE_TEST_PING));
	}
	double us = (double)(mono_ns() - t0) / 1000.0 / rounds;
	char want[32];
	snprintf(want, sizeof(want), "ping %u\n", rounds);
	assert_non_null(strstr(trace_of(&ram), want));
	upi_native_core_kill(&core, NULL);
	pingpong_live = NULL;
	upi_native_region_destroy(&ram);
	return us;
}

static void test_doorbell_no_lost_wakeups(void **state)
{
	(void)state;
	/* Both sides always block: every round is two eventfd wake-ups. */
	double block = ping_pong_us(0, 3000);
	/* Both sides spin first: most rounds make no system call. */
	double spin = ping_pong_us(50000, 20000);
	fprintf(stderr, "doorbell round trip: %.1f us blocking, %.2f us spinning\n", block,
		spin);
}

static void test_registry_list(void **state)
{
	struct core_fixture *f = *state;
	struct native_record rec;
	int count = 0;

	assert_int_equal(uproc_native_registry_list(f->rundir, NULL, NULL), 0);
	record_core(f, &rec);
	assert_int_equal(uproc_native_registry_list(f->rundir, list_one, &count), 1);
	assert_int_equal(count, 1);
	upi_native_core_kill(&f->core, NULL);
	/* A record whose process is gone is not listed. */
	assert_int_equal(uproc_native_registry_list(f->rundir, list_one, &count), 0);
	upi_native_registry_remove(f->regdir, "test-core");
}

static void record_core(struct core_fixture *f, struct native_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->name, sizeof(rec->name), "test-core");
	upi_native_core_record(&f->core, rec);
	rec->regions[1] = f->ram;
	rec->nregions = 2;
	rec->entry = f->entry;
	rec->rsc_da = 0x101000;
	rec->rsc_size = 0x80;
	snprintf(rec->firmware, sizeof(rec->firmware), "core test fw%%.elf");
	assert_int_equal(upi_native_registry_write(f->regdir, rec), 0);
}

static void test_registry_round_trip(void **state)
{
	struct core_fixture *f = *state;
	struct native_record rec, back;

	record_core(f, &rec);
	assert_int_equal(upi_native_registry_read(f->regdir, "test-core", &back), 0);
	assert_string_equal(back.name, "test-core");
	assert_int_equal(back.pid, f->core.pid);
	assert_int_equal(back.cookie, f->core.cookie);
	assert_int_equal(back.start_time, f->core.start_time);
	assert_int_equal(back.core_db_in, f->core.core_db_in);
	assert_int_equal(back.core_db_out, f->core.core_db_out);
	assert_int_equal(back.nregions, 2);
	assert_string_equal(back.regions[0].name, "ctl");
	assert_int_equal(back.regions[1].fd, f->ram.fd);
	assert_int_equal(back.regions[1].da, RAM_DA);
	assert_int_equal(back.regions[1].size, RAM_SIZE);
	assert_int_equal(back.regions[1].prot, NATIVE_PROT_RWX);
	assert_int_equal(back.rsc_da, 0x101000);
	assert_int_equal(back.rsc_size, 0x80);
	assert_string_equal(back.firmware, "core test fw%.elf");

	/* Names that could escape the folder are refused. */
	assert_int_equal(upi_native_registry_read(f->regdir, "../x", &back), -EINVAL);
	assert_int_equal(upi_native_registry_read(f->regdir, "absent", &back), -ENOENT);

	/* A malformed record. */
	char path[256];
	snprintf(path, sizeof(path), "%s/bad.core", f->regdir);
	FILE *bad = fopen(path, "w");
	assert_non_null(bad);
	fputs("uproc-native 1\nname bad\npid -3\n", bad);
	fclose(bad);
	assert_int_equal(upi_native_registry_read(f->regdir, "bad", &back), -EINVAL);
	/* A number with anything after it, or a region of no size, spoils a good record. */
	static const char *const numbers[] = {
		"cookie 12\n", "cookie 12g\n", "rsc_table 0x110000 0x80x\n",
		"region 3 0x100000z 0x1000 3 ram\n", "region 3 0x100000 0 3 ram\n",
	};
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		bad = fopen(path, "w");
		assert_non_null(bad);
		fprintf(bad, "uproc-native 1\nname bad\npid 1\ndoorbells 3 4\n"
			     "region 5 0x1000 0x1000 3 ctl\n%s", numbers[i]);
		fclose(bad);
		assert_int_equal(upi_native_registry_read(f->regdir, "bad", &back), i ? -EINVAL : 0);
	}
	assert_int_equal(upi_native_registry_remove(f->regdir, "bad"), 0);
	assert_int_equal(upi_native_registry_remove(f->regdir, "test-core"), 0);
	assert_int_equal(upi_native_registry_remove(f->regdir, "test-core"), -ENOENT);
}

static void test_detach_and_attach_here(void **state)
{
	struct core_fixture *f = *state;
	struct native_record rec;
	struct native_region regions[NATIVE_MAX_REGIONS];
	char err[NATIVE_ERR_MAX] = "";

	ping(&f->core, 5);
	record_core(f, &rec);
	pid_t pid = f->core.pid;

	/* Detach: let go of everything, the core runs on. */
	upi_native_core_release(&f->core);
	upi_native_region_destroy(&f->ram);
	assert_int_equal(kill(pid, 0), 0);

	assert_int_equal(upi_native_registry_read(f->regdir, "test-core", &rec), 0);
	int ret = upi_native_core_attach(&f->core, &rec, regions, err, sizeof(err));
	if (ret)
		print_error("attach: %s\n", err);
	assert_int_equal(ret, 0);
	assert_true(f->core.is_child);
	f->ram = regions[0];
	assert_int_equal(f->ram.da, RAM_DA);
	/* Same memory: the trace written before the detach is there. */
	assert_non_null(strstr(trace_of(&f->ram), "ping 5\n"));
	ping(&f->core, 5);
	assert_non_null(strstr(trace_of(&f->ram), "ping 10\n"));

	/* A record whose cookie does not match is refused without touching the process. */
	struct native_core other;
	rec.cookie ^= 1;
	assert_int_equal(upi_native_core_attach(&other, &rec, regions, err, sizeof(err)), -EPROTO);
	/* So is one whose start time says the pid now belongs to another process. */
	rec.cookie ^= 1;
	rec.start_time += 1;
	assert_int_equal(upi_native_core_attach(&other, &rec, regions, err, sizeof(err)), -ESRCH);
	assert_int_equal(kill(pid, 0), 0);
	upi_native_registry_remove(f->regdir, "test-core");
}

static void test_attach_from_another_process(void **state)
{
	struct core_fixture *f = *state;
	struct native_record rec;

	ping(&f->core, 3);
	record_core(f, &rec);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct native_record r;
		struct native_region regions[NATIVE_MAX_REGIONS];
		struct native_core core;
		char err[NATIVE_ERR_MAX];
		int rr = upi_native_registry_read(f->regdir, "test-core", &r);
		int ok = rr == 0;
		if (rr)
			print_error("child: registry read: %d\n", rr);
		if (ok && upi_native_core_attach(&core, &r, regions, err, sizeof(err)) != 0) {
			print_error("attach: %s\n", err);
			ok = 0;
		}
		ok = ok && !core.is_child;
		for (int i = 0; ok && i < 20; i++) {
			int k = upi_native_core_kick(&core, CORE_TEST_PING);
			uint64_t b = wait_core(&core, WAIT_MS);
			ok = k >= 0 && (b & 1u);
			if (!ok)
				print_error("child: ping %d: kick %d bits %#llx in.sleep %u out.sleep %u stub %u\n", i, k,
					    (unsigned long long)b, core.ctl->to_core.sleeping, core.ctl->to_host.sleeping, core.ctl->stub_state);
		}
		if (!ok)
			print_error("child: ping failed (is_child %d)\n", core.is_child);
		ok = ok && strstr((const char *)regions[0].va + TRACE_OFF, "ping 23\n") != NULL;
		if (!ok)
			print_error("child: trace: %s\n", (const char *)regions[0].va + TRACE_OFF);
		_exit(ok ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* The first host still drives it. */
	ping(&f->core, 1);
	assert_non_null(strstr(trace_of(&f->ram), "ping 24\n"));
	upi_native_registry_remove(f->regdir, "test-core");
}

static void test_attach_to_dead_core(void **state)
{
	struct core_fixture *f = *state;
	struct native_record rec;
	struct native_region regions[NATIVE_MAX_REGIONS];
	struct native_core core;
	char err[NATIVE_ERR_MAX];

	record_core(f, &rec);
	upi_native_core_kill(&f->core, NULL);
	assert_int_equal(upi_native_core_attach(&core, &rec, regions, err, sizeof(err)), -ESRCH);
	upi_native_registry_remove(f->regdir, "test-core");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_map_run_ping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deaths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forbidden_syscall_kills_only_that_core, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hang_then_kill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_firmware_allocator, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_leaks_over_cycles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spawn_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pinned_core_and_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_and_attach_here, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_from_another_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_to_dead_core, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_list, setup, teardown),
		cmocka_unit_test_teardown(test_doorbell_no_lost_wakeups, pingpong_teardown),
	};
	return cmocka_run_group_tests_name("native-core", tests, NULL, NULL);
}
