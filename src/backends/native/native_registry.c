// SPDX-License-Identifier: MIT
/*
 * native_registry.c - the registry of running native cores, and attaching to one.
 *
 * One text file per core, <runtime_dir>/native/<name>.core, written when the core
 * starts and removed when it stops, so a host that detached or died can be followed
 * by another that finds the core and takes it over without rebooting it:
 *
 *   uproc-native 1
 *   name NAME
 *   pid PID
 *   start_time TICKS          field 22 of /proc/PID/stat: detects pid reuse
 *   cookie HEX                also in the control page: detects a wrong process
 *   doorbells IN OUT          the core's eventfd numbers (it reads IN, writes OUT)
 *   entry HEX
 *   rsc_table DA SIZE         the loaded resource table (0 0: none)
 *   firmware NAME             %XX-escaped
 *   region FD DA SIZE PROT NAME   one per memory; the first is the control page
 *
 * How memories are recovered: the stub keeps every region's memfd open (the sandbox
 * lets it do nothing with them), and a new host takes them with pidfd_getfd(2) from
 * the pidfd it opened on the recorded pid. This needs no file system object that
 * could outlive the core (unlike named shared memory in /dev/shm) and no
 * CAP_SYS_ADMIN (unlike /proc/PID/map_files); it needs ptrace access to the core,
 * which a same-user host has (the stub sets PR_SET_PTRACER_ANY for Yama). The pidfd
 * pins the process identity: the start time and the cookie are checked once the
 * pidfd is open, so a recycled pid is never mistaken for the core.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "native_internal.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define REGISTRY_MAGIC "uproc-native 1"
#define REGISTRY_MAX_FILE 32768

bool upi_native_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || !name[0] || name[0] == '.')
		return false;
	for (; name[n]; n++) {
		unsigned char c = (unsigned char)name[n];
		if (n >= UPROC_NATIVE_NAME_MAX)
			return false;
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}

int upi_native_registry_dir(const char *runtime_dir, char *buf, size_t len)
{
	const char *base = runtime_dir;
	int n;

	if (!base || !base[0])
		base = getenv("UPROC_RUNTIME_DIR");
	if (!base || !base[0])
		base = UPI_RUNTIME_DIR_DEFAULT;
	n = snprintf(buf, len, "%s/native", base);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int record_path(const char *dir, const char *name, const char *suffix, char *buf,
		       size_t len)
{
	if (!upi_native_name_valid(name))
		return -EINVAL;
	int n = snprintf(buf, len, "%s/%s.core%s", dir, name, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static void escape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 4 < len; in++) {
		unsigned char c = (unsigned char)*in;
		if (isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "%%%02X", c);
	}
	out[o] = '\0';
}

static int unescape(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in; in++) {
		if (o + 1 >= len)
			return -EINVAL;
		if (*in == '%') {
			unsigned int v;
			if (!isxdigit((unsigned char)in[1]) || !isxdigit((unsigned char)in[2]) ||
			    sscanf(in + 1, "%2x", &v) != 1 || v == 0)
				return -EINVAL;
			out[o++] = (char)v;
			in += 2;
		} else {
			out[o++] = *in;
		}
	}
	out[o] = '\0';
	return 0;
}

int upi_native_registry_write(const char *dir, const struct native_record *rec)
{
	char path[4096], tmp[4096], esc[3 * 256 + 1];
	FILE *f;
	int ret;

	ret = record_path(dir, rec->name, "", path, sizeof(path));
	if (!ret)
		ret = record_path(dir, rec->name, ".tmp", tmp, sizeof(tmp));
	if (ret)
		return ret;
	ret = upi_mkdir_p(dir, 0700);
	if (ret)
		return ret;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", REGISTRY_MAGIC);
	fprintf(f, "name %s\n", rec->name);
	fprintf(f, "pid %d\n", (int)rec->pid);
	fprintf(f, "start_time %" PRIu64 "\n", rec->start_time);
	fprintf(f, "cookie %" PRIx64 "\n", rec->cookie);
	fprintf(f, "doorbells %d %d\n", rec->core_db_in, rec->core_db_out);
	fprintf(f, "entry %#" PRIx64 "\n", rec->entry);
	fprintf(f, "rsc_table %#" PRIx64 " %#" PRIx64 "\n", rec->rsc_da, rec->rsc_size);
	escape(rec->firmware, esc, sizeof(esc));
	fprintf(f, "firmware %s\n", esc);
	for (unsigned int i = 0; i < rec->nregions; i++) {
		const struct native_region *r = &rec->regions[i];
		escape(r->name, esc, sizeof(esc));
		fprintf(f, "region %d %#" PRIx64 " %#zx %u %s\n", r->fd, r->da, r->size, r->prot,
			esc);
	}
	if (fflush(f) != 0 || ferror(f)) {
		ret = -EIO;
		fclose(f);
		unlink(tmp);
		return ret;
	}
	if (fclose(f) != 0) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	if (rename(tmp, path) != 0) {
		ret = -errno;
		unlink(tmp);
		return ret;
	}
	return 0;
}

/* parse_ull() - all of @s as an unsigned number (@base as strtoull's). Returns 0 or -EINVAL. */
static int parse_ull(const char *s, int base, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

static int parse_line(struct native_record *rec, char *line)
{
	/* Called from inside the caller's strtok_r() loop over lines: a saver of our own. */
	char *save = NULL;
	char *key = strtok_r(line, " ", &save);
	char *a = strtok_r(NULL, " ", &save);
	char *b = strtok_r(NULL, " ", &save);
	unsigned long long u1, u2;
	char *end;

	if (!key)
		return 0;
	if (!strcmp(key, "name"))
		return a && snprintf(rec->name, sizeof(rec->name), "%s", a) > 0 ? 0 : -EINVAL;
	if (!strcmp(key, "pid")) {
		long v = a ? strtol(a, &end, 10) : 0;
		if (!a || *end || v <= 0 || v > INT32_MAX)
			return -EINVAL;
		rec->pid = (pid_t)v;
		return 0;
	}
	if (!strcmp(key, "start_time") || !strcmp(key, "cookie") || !strcmp(key, "entry")) {
		if (!a || parse_ull(a, !strcmp(key, "cookie") ? 16 : 0, &u1))
			return -EINVAL;
		if (key[0] == 's')
			rec->start_time = u1;
		else if (key[0] == 'c')
			rec->cookie = u1;
		else
			rec->entry = u1;
		return 0;
	}
	if (!strcmp(key, "doorbells")) {
		long in = a ? strtol(a, &end, 10) : -1;
		if (!a || *end)
			return -EINVAL;
		long out = b ? strtol(b, &end, 10) : -1;
		if (!b || *end || in < 0 || out < 0 || in > INT32_MAX || out > INT32_MAX)
			return -EINVAL;
		rec->core_db_in = (int)in;
		rec->core_db_out = (int)out;
		return 0;
	}
	if (!strcmp(key, "rsc_table")) {
		if (!a || !b || parse_ull(a, 0, &u1) || parse_ull(b, 0, &u2))
			return -EINVAL;
		rec->rsc_da = u1;
		rec->rsc_size = u2;
		return 0;
	}
	if (!strcmp(key, "firmware"))
		return unescape(a ? a : "", rec->firmware, sizeof(rec->firmware));
	if (!strcmp(key, "region")) {
		char *c = strtok_r(NULL, " ", &save);
		char *d = strtok_r(NULL, " ", &save);
		char *e = strtok_r(NULL, " ", &save);
		struct native_region *r;
		long fd;
		unsigned long prot;

		if (rec->nregions >= NATIVE_MAX_REGIONS || !a || !b || !c || !d)
			return -EINVAL;
		r = &rec->regions[rec->nregions];
		upi_native_region_reset(r);
		fd = strtol(a, &end, 10);
		if (*end || fd < 0 || fd > INT32_MAX)
			return -EINVAL;
		if (parse_ull(b, 0, &u1) || parse_ull(c, 0, &u2) || !u2 || u2 > SIZE_MAX)
			return -EINVAL;
		prot = strtoul(d, &end, 10);
		if (*end || prot > NATIVE_PROT_RWX)
			return -EINVAL;
		if (unescape(e ? e : "", r->name, sizeof(r->name)))
			return -EINVAL;
		r->da = u1;
		r->size = (size_t)u2;
		r->prot = (uint32_t)prot;
		/* The core's fd number, not ours: kept apart from r->fd's meaning by the caller. */
		r->fd = (int)fd;
		rec->nregions++;
		return 0;
	}
	return 0; /* unknown keys: a newer writer's additions */
}

int upi_native_registry_read(const char *dir, const char *name, struct native_record *rec)
{
	char path[4096];
	char *buf;
	int fd, ret;
	ssize_t n;

	ret = record_path(dir, name, "", path, sizeof(path));
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(REGISTRY_MAX_FILE + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, buf, REGISTRY_MAX_FILE);
	ret = n < 0 ? -errno : 0;
	close(fd);
	if (ret)
		goto out;
	buf[n] = '\0';

	memset(rec, 0, sizeof(*rec));
	rec->core_db_in = rec->core_db_out = -1;
	char *save = NULL;
	char *line = strtok_r(buf, "\n", &save);
	if (!line || strcmp(line, REGISTRY_MAGIC) != 0) {
		ret = -EINVAL;
		goto out;
	}
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		ret = parse_line(rec, line);
		if (ret)
			goto out;
	}
	if (strcmp(rec->name, name) != 0 || rec->pid <= 0 || rec->core_db_in < 0 ||
	    rec->nregions == 0 || strcmp(rec->regions[0].name, "ctl") != 0)
		ret = -EINVAL;
out:
	free(buf);
	return ret;
}

int upi_native_registry_lock(const char *dir, const char *name)
{
	char path[4096];
	struct stat st_fd, st_path;
	int ret = record_path(dir, name, ".lock", path, sizeof(path));

	if (ret)
		return ret;
	ret = upi_mkdir_p(dir, 0700);
	if (ret)
		return ret;
	for (int tries = 0; tries < 16; tries++) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
			close(fd);
			return ret;
		}
		/* The holder before us may have unlinked it meanwhile: lock the file
		 * that is at the path now, not an orphan. */
		if (fstat(fd, &st_fd) == 0 && stat(path, &st_path) == 0 &&
		    st_fd.st_dev == st_path.st_dev && st_fd.st_ino == st_path.st_ino)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

void upi_native_registry_unlock(const char *dir, const char *name, int fd)
{
	char path[4096];

	if (fd < 0)
		return;
	/* Unlink while holding the lock (see upi_native_registry_lock()), then let go. */
	if (record_path(dir, name, ".lock", path, sizeof(path)) == 0)
		unlink(path);
	close(fd);
}

int upi_native_registry_remove(const char *dir, const char *name)
{
	char path[4096];
	int ret = record_path(dir, name, "", path, sizeof(path));

	if (ret)
		return ret;
	return unlink(path) == 0 ? 0 : -errno;
}

void upi_native_core_record(const struct native_core *core, struct native_record *rec)
{
	rec->pid = core->pid;
	rec->start_time = core->start_time;
	rec->cookie = core->cookie;
	rec->core_db_in = core->core_db_in;
	rec->core_db_out = core->core_db_out;
	if (rec->nregions == 0)
		rec->nregions = 1;
	rec->regions[0] = core->ctl_region;
	snprintf(rec->regions[0].name, sizeof(rec->regions[0].name), "ctl");
	rec->regions[0].va = NULL;
}

bool upi_native_record_alive(const struct native_record *rec, char *how, size_t len)
{
	uint64_t start_time;
	char state;

	if (how && len)
		how[0] = '\0';
	if (upi_native_proc_start_time(rec->pid, &start_time) != 0 ||
	    (rec->start_time && start_time != rec->start_time))
		return false; /* gone, and perhaps its pid taken by another process */
	state = upi_native_proc_state(rec->pid);
	if (state != 'Z' && state != 'X')
		return state != 0;
	/*
	 * Ended, not yet reaped. Only its parent learns how, and that is this process
	 * when one host detached from and attached to its own core: then reap it here.
	 */
	int pidfd = (int)syscall(SYS_pidfd_open, rec->pid, 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (pidfd >= 0 && waitid((idtype_t)P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) == 0 &&
	    si.si_pid != 0 && how && len) {
		if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
			snprintf(how, len, "killed by signal %d (%s)", si.si_status,
				 strsignal(si.si_status));
		else
			snprintf(how, len, "the core ended (status %d)", si.si_status);
	}
	if (pidfd >= 0)
		close(pidfd);
	return false;
}

static int take_fd(int pidfd, int targetfd)
{
	int fd = (int)syscall(SYS_pidfd_getfd, pidfd, targetfd, 0);
	return fd < 0 ? -errno : fd;
}

int upi_native_core_attach(struct native_core *core, const struct native_record *rec,
		       struct native_region *regions, char *err, size_t errlen)
{
	const struct native_region *rc = &rec->regions[0];
	uint64_t start_time;
	unsigned int mapped = 0;
	int fd, ret;

	upi_native_core_init(core);
	if (rec->nregions == 0) {
		upi_native_set_err(err, errlen, "native core %s: record without a control page", rec->name);
		return -EINVAL;
	}
	core->pidfd = (int)syscall(SYS_pidfd_open, rec->pid, 0);
	if (core->pidfd < 0) {
		ret = errno == ESRCH ? -ESRCH : -errno;
		upi_native_set_err(err, errlen, "native core %s: process %d: %s", rec->name, (int)rec->pid,
			   strerror(-ret));
		goto release;
	}
	core->pid = rec->pid;
	/* The pidfd now pins the process: check it is the one recorded. */
	ret = upi_native_proc_start_time(rec->pid, &start_time);
	if (ret || (rec->start_time && start_time != rec->start_time)) {
		upi_native_set_err(err, errlen, "native core %s: process %d is not the recorded core",
			   rec->name, (int)rec->pid);
		ret = -ESRCH;
		goto release;
	}
	core->start_time = start_time;

	fd = take_fd(core->pidfd, rc->fd);
	if (fd < 0) {
		ret = fd == -ESRCH || fd == -EBADF ? -ESRCH : fd;
		upi_native_set_err(err, errlen, "native core %s: cannot take its control page: %s",
			   rec->name, strerror(-fd));
		goto release;
	}
	ret = upi_native_region_adopt(&core->ctl_region, "ctl", fd, rc->da, rc->size, rc->prot);
	if (ret) {
		upi_native_set_err(err, errlen, "native core %s: cannot map its control page: %s",
			   rec->name, strerror(-ret));
		goto release;
	}
	core->ctl = core->ctl_region.va;
	if (core->ctl_region.size < sizeof(*core->ctl) ||
	    core->ctl->magic != UPROC_NATIVE_CTL_MAGIC || core->ctl->cookie != rec->cookie) {
		/* The recorded process, but not its identity: a firmware that wrote over
		 * its control page. Not ours to take over, not ours to forget either. */
		upi_native_set_err(err, errlen, "native core %s: process %d does not carry the recorded "
			   "control page", rec->name, (int)rec->pid);
		ret = -EPROTO;
		goto release;
	}
	core->cookie = rec->cookie;

	core->db_tx = take_fd(core->pidfd, rec->core_db_in);
	core->db_rx = take_fd(core->pidfd, rec->core_db_out);
	if (core->db_tx < 0 || core->db_rx < 0) {
		ret = core->db_tx < 0 ? core->db_tx : core->db_rx;
		upi_native_set_err(err, errlen, "native core %s: cannot take its doorbells: %s", rec->name,
			   strerror(-ret));
		goto release;
	}
	core->core_db_in = rec->core_db_in;
	core->core_db_out = rec->core_db_out;
	/* The host must never block on its receiving doorbell. */
	fcntl(core->db_rx, F_SETFL, fcntl(core->db_rx, F_GETFL) | O_NONBLOCK);

	for (unsigned int i = 1; i < rec->nregions; i++) {
		const struct native_region *r = &rec->regions[i];
		fd = take_fd(core->pidfd, r->fd);
		ret = fd < 0 ? fd
			     : upi_native_region_adopt(&regions[mapped], r->name, fd, r->da, r->size,
						   r->prot);
		if (ret) {
			upi_native_set_err(err, errlen, "native core %s: cannot take region %s: %s",
				   rec->name, r->name, strerror(-ret));
			goto unmap;
		}
		mapped++;
	}

	/* Our child (a detach and re-attach in one process) can be reaped and its
	 * status read; anybody else's only watched. */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (waitid((idtype_t)P_PIDFD, (id_t)core->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0) {
		core->is_child = true;
		if (si.si_pid != 0) {
			upi_native_set_err(err, errlen, "native core %s: it has ended", rec->name);
			ret = -ESRCH;
			goto unmap;
		}
	}
	return 0;

unmap:
	while (mapped)
		upi_native_region_destroy(&regions[--mapped]);
release:
	upi_native_core_release(core);
	return ret;
}

int uproc_native_registry_list(const char *runtime_dir,
			       void (*fn)(const char *name, pid_t pid, void *arg), void *arg)
{
	char dir[4096];
	struct native_record *rec;
	struct dirent *de;
	DIR *d;
	int n = 0, ret;

	ret = upi_native_registry_dir(runtime_dir, dir, sizeof(dir));
	if (ret)
		return ret;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	rec = malloc(sizeof(*rec));
	if (!rec) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		char name[UPROC_NATIVE_NAME_MAX + 1];
		size_t len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".core") != 0 ||
		    len - 5 > UPROC_NATIVE_NAME_MAX)
			continue;
		memcpy(name, de->d_name, len - 5);
		name[len - 5] = '\0';
		if (upi_native_registry_read(dir, name, rec) != 0)
			continue;
		if (!upi_native_record_alive(rec, NULL, 0))
			continue;
		if (fn)
			fn(name, rec->pid, arg);
		n++;
	}
	free(rec);
	closedir(d);
	return n;
}
