// SPDX-License-Identifier: MIT
/*
 * core_process.c - a native core's process as the host drives it: spawn the stub,
 * wait until it runs the firmware, ring and answer the doorbells, notice and
 * classify its death, kill and reap it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "native_internal.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* How long upi_native_core_kill() waits for a process that is not our child to die. */
#define NATIVE_KILL_WAIT_MS 5000

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int pidfd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

uint64_t upi_native_tsc_khz(void)
{
#if defined(__x86_64__)
	uint64_t t0 = upi_now_ns();
	uint64_t c0 = __builtin_ia32_rdtsc();
	uint64_t t1;
	do {
		t1 = upi_now_ns();
	} while (t1 - t0 < 2000000u);
	uint64_t c1 = __builtin_ia32_rdtsc();
	if (c1 <= c0)
		return 0;
	return (uint64_t)((double)(c1 - c0) * 1e6 / (double)(t1 - t0));
#else
	return 0;
#endif
}

int upi_native_proc_start_time(pid_t pid, uint64_t *out)
{
	char path[64], buf[1024];
	int fd, ret = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		ret = -errno;
	close(fd);
	if (ret)
		return ret;
	buf[n] = '\0';
	/* The command name may hold anything: fields restart after its last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	p++;
	/* Field 3 (state) is the first after ')'; field 22 is the 20th. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + 1, &end, 10);
	if (errno || end == p + 1)
		return -EINVAL;
	*out = v;
	return 0;
}

char upi_native_proc_state(pid_t pid)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The state is the field after the command name's last ')'. */
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

void upi_native_core_init(struct native_core *core)
{
	memset(core, 0, sizeof(*core));
	core->pidfd = -1;
	core->db_rx = -1;
	core->db_tx = -1;
	core->core_db_in = -1;
	core->core_db_out = -1;
	upi_native_region_reset(&core->ctl_region);
}

void upi_native_core_release(struct native_core *core)
{
	if (core->pidfd >= 0)
		close(core->pidfd);
	if (core->db_rx >= 0)
		close(core->db_rx);
	if (core->db_tx >= 0)
		close(core->db_tx);
	upi_native_region_destroy(&core->ctl_region);
	upi_native_core_init(core);
}

void upi_native_set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void prot_letters(uint32_t prot, char out[4])
{
	unsigned int n = 0;
	if (prot & NATIVE_PROT_R)
		out[n++] = 'r';
	if (prot & NATIVE_PROT_W)
		out[n++] = 'w';
	if (prot & NATIVE_PROT_X)
		out[n++] = 'x';
	out[n] = '\0';
}

static int init_ctl(struct native_core *core, const struct native_spawn *sp)
{
	struct uproc_native_ctl *ctl;
	int ret;

	ret = upi_native_region_create(&core->ctl_region, "ctl", sp->ctl_da, UPROC_NATIVE_CTL_SIZE,
				   NATIVE_PROT_RW);
	if (ret)
		return ret;
	if (getrandom(&core->cookie, sizeof(core->cookie), 0) != sizeof(core->cookie))
		core->cookie = upi_now_ns() ^ ((uint64_t)getpid() << 32);
	ctl = core->ctl_region.va;
	ctl->magic = UPROC_NATIVE_CTL_MAGIC;
	ctl->version = UPROC_NATIVE_CTL_VERSION;
	ctl->size = UPROC_NATIVE_CTL_SIZE;
	ctl->cookie = core->cookie;
	ctl->tsc_khz = sp->tsc_khz;
	ctl->spin_ns = sp->spin_ns;
	ctl->doorbell_in = -1;
	ctl->doorbell_out = -1;
	ctl->debug_fd = -1;
	ctl->stub_state = UPROC_NATIVE_STUB_CREATED;
	/* Both sides start "asleep": the first post always rings. */
	ctl->to_core.sleeping = 1;
	ctl->to_host.sleeping = 1;
	core->ctl = ctl;
	return 0;
}

/* One "--region FD,DA,SIZE,FLAGS" value. */
static void region_arg(char *buf, size_t len, const struct native_region *r, bool is_ctl)
{
	char prot[4];
	prot_letters(r->prot, prot);
	snprintf(buf, len, "%d,%#" PRIx64 ",%#zx,%s%s", r->fd, r->da, r->size, prot,
		 is_ctl ? "c" : "");
}

/* Spawn the stub; its doorbells and memfds keep their numbers across exec. */
static int spawn_stub(struct native_core *core, const struct native_spawn *sp, char *err,
		      size_t errlen)
{
	enum { MAX_ARGS = 18 + 2 * (NATIVE_MAX_REGIONS + 1) };
	char regbuf[NATIVE_MAX_REGIONS + 1][96];
	char inbuf[16], outbuf[16], entrybuf[24], cpubuf[16], hostbuf[16];
	char *argv[MAX_ARGS];
	char *envp[] = { NULL };
	unsigned int argc = 0;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid;
	int ret;

	snprintf(inbuf, sizeof(inbuf), "%d", core->db_tx); /* the core reads what we write */
	snprintf(outbuf, sizeof(outbuf), "%d", core->db_rx);
	snprintf(entrybuf, sizeof(entrybuf), "%#" PRIx64, sp->entry);
	argv[argc++] = (char *)(sp->machine ? "uproc-emu-core" : "uproc-native-stub");
	if (sp->machine) {
		argv[argc++] = (char *)"--machine";
		argv[argc++] = (char *)sp->machine;
		argv[argc++] = (char *)"--order";
		argv[argc++] = (char *)(sp->big_endian ? "be" : "le");
	}
	argv[argc++] = (char *)"--in";
	argv[argc++] = inbuf;
	argv[argc++] = (char *)"--out";
	argv[argc++] = outbuf;
	argv[argc++] = (char *)"--entry";
	argv[argc++] = entrybuf;
	if (sp->cpu >= 0) {
		snprintf(cpubuf, sizeof(cpubuf), "%d", sp->cpu);
		argv[argc++] = (char *)"--cpu";
		argv[argc++] = cpubuf;
	}
	if (sp->die_with_host) {
		snprintf(hostbuf, sizeof(hostbuf), "%d", (int)getpid());
		argv[argc++] = (char *)"--host";
		argv[argc++] = hostbuf;
	}
	region_arg(regbuf[0], sizeof(regbuf[0]), &core->ctl_region, true);
	argv[argc++] = (char *)"--region";
	argv[argc++] = regbuf[0];
	for (unsigned int i = 0; i < sp->nregions; i++) {
		region_arg(regbuf[i + 1], sizeof(regbuf[i + 1]), sp->regions[i], false);
		argv[argc++] = (char *)"--region";
		argv[argc++] = regbuf[i + 1];
	}
	argv[argc] = NULL;

	ret = -posix_spawn_file_actions_init(&fa);
	if (ret)
		return ret;
	ret = -posix_spawnattr_init(&attr);
	if (ret)
		goto destroy_fa;
	/* dup2(fd, fd) clears close-on-exec on exactly the fds the core keeps. */
	ret = -posix_spawn_file_actions_adddup2(&fa, core->db_tx, core->db_tx);
	if (!ret)
		ret = -posix_spawn_file_actions_adddup2(&fa, core->db_rx, core->db_rx);
	if (!ret)
		ret = -posix_spawn_file_actions_adddup2(&fa, core->ctl_region.fd,
							core->ctl_region.fd);
	for (unsigned int i = 0; !ret && i < sp->nregions; i++)
		ret = -posix_spawn_file_actions_adddup2(&fa, sp->regions[i]->fd,
							sp->regions[i]->fd);
	sigemptyset(&none);
	sigfillset(&all);
	if (!ret)
		ret = -posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
							POSIX_SPAWN_SETSIGDEF);
	if (!ret)
		ret = -posix_spawnattr_setsigmask(&attr, &none);
	if (!ret)
		ret = -posix_spawnattr_setsigdefault(&attr, &all);
	if (ret)
		goto destroy_attr;

	ret = -posix_spawn(&pid, sp->stub_path, &fa, &attr, argv, envp);
	if (ret) {
		upi_native_set_err(err, errlen, "cannot run the native-core stub %s: %s", sp->stub_path,
			strerror(-ret));
		ret = -ENOEXEC;
		goto destroy_attr;
	}
	core->pid = pid;
	core->is_child = true;

destroy_attr:
	posix_spawnattr_destroy(&attr);
destroy_fa:
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

/* Wait until the stub reports RUNNING, or dies, or the time is up. */
static int wait_running(struct native_core *core, unsigned int timeout_ms, char *err,
			size_t errlen)
{
	uint64_t deadline = upi_now_ns() + (uint64_t)timeout_ms * 1000000u;
	struct pollfd pfd = { .fd = core->pidfd, .events = POLLIN };

	for (;;) {
		uint32_t state = uproc_shm_load32(&core->ctl->stub_state, memory_order_acquire);
		if (state == UPROC_NATIVE_STUB_RUNNING)
			return 0;
		int n = poll(&pfd, 1, 1);
		/*
		 * A firmware that ends at once (a forbidden call) may be gone before this
		 * loop saw RUNNING: it ran, and its end is a crash the event loop reports
		 * (the process is left unreaped for it).
		 */
		if (n > 0 && uproc_shm_load32(&core->ctl->stub_state, memory_order_acquire) ==
				     UPROC_NATIVE_STUB_RUNNING)
			return 0;
		if (n > 0) {
			struct uproc_native_exit ex;
			char msg[sizeof(core->ctl->error)];
			memcpy(msg, core->ctl->error, sizeof(msg));
			msg[sizeof(msg) - 1] = '\0';
			upi_native_core_reap(core, &ex);
			if (ex.kind == UPROC_NATIVE_EXIT_CODE && ex.status == NATIVE_STUB_EXIT_SETUP &&
			    msg[0]) {
				upi_native_set_err(err, errlen, "native-core stub: %s", msg);
				return strstr(msg, "taken by another mapping") ? -EADDRINUSE : -EIO;
			}
			upi_native_set_err(err, errlen, "native-core stub ended before the firmware ran (%s %d)",
				ex.kind == UPROC_NATIVE_EXIT_SIGNAL ? "signal" : "status",
				ex.status);
			return -EIO;
		}
		if (n < 0 && errno != EINTR)
			return -errno;
		if (upi_now_ns() >= deadline) {
			upi_native_set_err(err, errlen, "native-core stub did not start within %u ms",
				timeout_ms);
			return -ETIMEDOUT;
		}
	}
}

int upi_native_core_spawn(struct native_core *core, const struct native_spawn *sp, char *err,
		      size_t errlen)
{
	int ret;

	upi_native_core_init(core);
	if (!sp->stub_path || !sp->entry || sp->nregions > NATIVE_MAX_REGIONS) {
		upi_native_set_err(err, errlen, "native core: bad spawn arguments");
		return -EINVAL;
	}
	ret = init_ctl(core, sp);
	if (ret) {
		upi_native_set_err(err, errlen, "native core: cannot create the control page at %#" PRIx64
			": %s", sp->ctl_da, strerror(-ret));
		return ret;
	}
	core->db_tx = eventfd(0, EFD_CLOEXEC);
	core->db_rx = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (core->db_tx < 0 || core->db_rx < 0) {
		ret = -errno;
		upi_native_set_err(err, errlen, "native core: eventfd: %s", strerror(-ret));
		goto release;
	}
	core->core_db_in = core->db_tx;
	core->core_db_out = core->db_rx;

	ret = spawn_stub(core, sp, err, errlen);
	if (ret)
		goto release;
	core->pidfd = sys_pidfd_open(core->pid);
	if (core->pidfd < 0) {
		/* Our unreaped child cannot be gone: only resource exhaustion gets here. */
		ret = -errno;
		kill(core->pid, SIGKILL);
		waitpid(core->pid, NULL, 0);
		upi_native_set_err(err, errlen, "native core: pidfd_open: %s", strerror(-ret));
		goto release;
	}
	ret = wait_running(core, sp->timeout_ms ? sp->timeout_ms : UPI_NATIVE_SPAWN_TIMEOUT_MS, err, errlen);
	if (ret)
		goto kill;
	if (upi_native_proc_start_time(core->pid, &core->start_time) != 0)
		core->start_time = 0;
	return 0;

kill:
	upi_native_core_kill(core, NULL);
	return ret;
release:
	upi_native_core_release(core);
	return ret;
}

static void classify(struct native_core *core, const siginfo_t *si,
		     struct uproc_native_exit *out)
{
	const struct uproc_native_crash *c = &core->ctl->crash;

	memset(out, 0, sizeof(*out));
	out->pid = core->pid;
	bool fault = uproc_shm_load32(&c->valid, memory_order_acquire) != 0;
	/* The firmware can write the record too: copy it once, use only the copy. */
	if (fault)
		uproc_shm_read_bytes(&out->crash, c, sizeof(out->crash));
	if (!si) {
		out->kind = fault ? UPROC_NATIVE_EXIT_FAULT : UPROC_NATIVE_EXIT_UNKNOWN;
		out->status = fault ? (int)out->crash.signo : 0;
		return;
	}
	if (si->si_code == CLD_EXITED) {
		out->kind = UPROC_NATIVE_EXIT_CODE;
		out->status = si->si_status;
		if (fault && si->si_status >= 128 && (uint32_t)(si->si_status - 128) == out->crash.signo) {
			out->kind = UPROC_NATIVE_EXIT_FAULT;
			out->status = si->si_status - 128;
		}
	} else if (fault && si->si_status == SIGKILL) {
		/* A core parked after its fault, then ended by the host: the fault counts. */
		out->kind = UPROC_NATIVE_EXIT_FAULT;
		out->status = (int)out->crash.signo;
	} else {
		out->kind = UPROC_NATIVE_EXIT_SIGNAL;
		out->status = si->si_status;
	}
}

int upi_native_core_reap(struct native_core *core, struct uproc_native_exit *out)
{
	if (core->pidfd < 0)
		return -EINVAL;
	if (core->is_child) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (waitid((idtype_t)P_PIDFD, (id_t)core->pidfd, &si, WEXITED | WNOHANG) != 0)
			return -errno;
		if (si.si_pid == 0)
			return 0;
		classify(core, &si, out);
		return 1;
	}
	struct pollfd pfd = { .fd = core->pidfd, .events = POLLIN };
	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	classify(core, NULL, out);
	return 1;
}

int upi_native_core_kill(struct native_core *core, struct uproc_native_exit *exit_out)
{
	struct uproc_native_exit ex;
	int ret = 0;

	if (core->pidfd < 0) {
		upi_native_core_release(core);
		return 0;
	}
	if (sys_pidfd_send_signal(core->pidfd, SIGKILL) != 0 && errno != ESRCH)
		ret = -errno;
	if (!ret && core->is_child) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		while (waitid((idtype_t)P_PIDFD, (id_t)core->pidfd, &si, WEXITED) != 0) {
			if (errno != EINTR) {
				/* ECHILD: already reaped by upi_native_core_reap(). */
				ret = errno == ECHILD ? 0 : -errno;
				si.si_code = 0;
				break;
			}
		}
		if (!ret)
			classify(core, si.si_code ? &si : NULL, &ex);
	} else if (!ret) {
		struct pollfd pfd = { .fd = core->pidfd, .events = POLLIN };
		int n;
		while ((n = poll(&pfd, 1, NATIVE_KILL_WAIT_MS)) < 0 && errno == EINTR)
			;
		if (n <= 0)
			ret = n < 0 ? -errno : -ETIMEDOUT;
		else
			classify(core, NULL, &ex);
	}
	if (!ret && exit_out) {
		*exit_out = ex;
		exit_out->stopped = true;
	}
	upi_native_core_release(core);
	return ret;
}

int upi_native_core_signal(struct native_core *core, int sig)
{
	if (core->pidfd < 0)
		return -ESRCH;
	return sys_pidfd_send_signal(core->pidfd, sig) == 0 ? 0 : -errno;
}

int upi_native_core_take_regs(struct native_core *core, int wait_ms)
{
	char state = core->pid > 0 ? upi_native_proc_state(core->pid) : 0;

	/* Stopped (a signal, a debugger) or already ending: it would not answer. */
	if (!state || state == 'T' || state == 't' || state == 'Z' || state == 'X')
		return -ESRCH;
	int ret = upi_native_core_signal(core, SIGTRAP);
	if (ret)
		return ret;
	uint64_t deadline = upi_now_ns() + (uint64_t)wait_ms * 1000000u;
	struct pollfd pfd = { .fd = core->pidfd, .events = POLLIN };
	for (;;) {
		uint64_t now = upi_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		int n = poll(&pfd, 1, (int)((deadline - now + 999999u) / 1000000u));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

int upi_native_core_kick(struct native_core *core, unsigned int notifyid)
{
	static const uint64_t one = 1;

	if (!core->ctl || core->db_tx < 0)
		return -ESRCH;
	if (!uproc_native_mbox_post(&core->ctl->to_core, notifyid))
		return 0;
	uproc_shm_fetch_add64(&core->ctl->to_core.doorbells, 1, memory_order_relaxed);
	if (write(core->db_tx, &one, sizeof(one)) != sizeof(one))
		return -errno;
	return 1;
}

uint64_t upi_native_core_take(struct native_core *core)
{
	uint64_t count;

	if (!core->ctl)
		return 0;
	uproc_native_mbox_awake(&core->ctl->to_host);
	(void)!read(core->db_rx, &count, sizeof(count)); /* non-blocking: clears the ring */
	return uproc_native_mbox_take(&core->ctl->to_host);
}

uint64_t upi_native_core_spin_take(struct native_core *core, uint64_t spin_ns)
{
	struct uproc_native_mbox *mbox;
	uint64_t bits;

	if (!core->ctl)
		return 0;
	mbox = &core->ctl->to_host;
	if (spin_ns) {
		/* Polling: the core need not ring while we look. */
		uproc_native_mbox_awake(mbox);
		uint64_t deadline = upi_now_ns() + spin_ns;
		unsigned int n = 0;
		for (;;) {
			if (uproc_native_mbox_peek(mbox))
				return uproc_native_mbox_take(mbox);
			cpu_relax();
			/* Read the clock only now and then: it costs more than a peek. */
			if ((++n & 63) == 0 && upi_now_ns() >= deadline)
				break;
		}
	}
	bits = uproc_native_mbox_sleep(mbox);
	if (bits)
		uproc_native_mbox_awake(mbox);
	return bits;
}
