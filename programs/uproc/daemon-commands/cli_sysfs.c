/* SPDX-License-Identifier: MIT */
/*
 * cli_sysfs.c - the uproc subcommands on a Linux kernel's remoteproc tree, for a
 * board whose remote processors the kernel drives (no uprocd):
 *
 *   ROOT/class/remoteproc/remoteprocN/{name,state,firmware,recovery,coredump}
 *   ROOT/kernel/debug/remoteproc/remoteprocN/{recovery,traceK}   (debugfs; uprocd's
 *                                               own tree has it at ROOT/debug/...)
 *   ROOT/class/devcoredump/devcdK/{data,failing_device}
 *   ROOT/class/tty/ttyRPMSGn/device -> .../remoteprocN/... : the console, /dev/ttyRPMSGn
 *   (uprocd's tree instead has ROOT/dev/{hvcN,ttyRPMSGn}: the first one is taken)
 *
 * The text and JSON shapes are uprocd's (uproc(1)), with backend "linux" and no
 * crash count (the kernel keeps none).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli_daemon_internal.h"
#include "uproc_escape.h"

#define FOLLOW_POLL_MS 200
#define MAX_PROCS 256

struct kproc {
	unsigned int index;
	char dir[PATH_MAX];	/* ROOT/class/remoteproc/remoteprocN */
	char name[256];
};

/* Read a small attribute file, without its trailing newline. Returns length or -errno. */
static ssize_t read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	buf[n] = '\0';
	return n;
}

/* "@dir/@file" into @out; -ENAMETOOLONG if it does not fit. */
static int join(char *out, size_t len, const char *dir, const char *file)
{
	int n = snprintf(out, len, "%s/%s", dir, file);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static ssize_t read_at(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];

	if (join(path, sizeof(path), dir, file) < 0)
		return -ENAMETOOLONG;
	return read_attr(path, buf, len);
}

static int write_at(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX];

	if (join(path, sizeof(path), dir, file) < 0)
		return -ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int e = errno;
	if (close(fd) < 0 && n >= 0)
		return -errno;
	return n < 0 ? -e : 0;
}

static int index_cmp(const void *a, const void *b)
{
	unsigned int x = ((const struct kproc *)a)->index, y = ((const struct kproc *)b)->index;
	return x < y ? -1 : x > y;
}

/* Every remoteprocN under @root, by N. Returns how many, or -errno. */
static int scan(const char *root, struct kproc *out, int max)
{
	char dir[PATH_MAX];
	int n = 0;

	snprintf(dir, sizeof(dir), "%s/class/remoteproc", root);
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	struct dirent *de;
	while ((de = readdir(d)) && n < max) {
		unsigned int idx;
		char tail;
		if (sscanf(de->d_name, "remoteproc%u%c", &idx, &tail) != 1)
			continue;
		out[n].index = idx;
		if (join(out[n].dir, sizeof(out[n].dir), dir, de->d_name) < 0)
			continue;
		if (read_at(out[n].dir, "name", out[n].name, sizeof(out[n].name)) < 0)
			snprintf(out[n].name, sizeof(out[n].name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	qsort(out, (size_t)n, sizeof(*out), index_cmp);
	return n;
}

/* The processor called @name (or remoteprocN) under @root; 1 after a message if none. */
static int find(const char *root, const char *name, struct kproc *kp)
{
	static struct kproc all[MAX_PROCS];
	int n = scan(root, all, MAX_PROCS);

	if (n < 0) {
		fprintf(stderr, "uproc: no remoteproc tree at %s/class/remoteproc (%s): is --sysfs "
			"the sysfs root (/sys)?\n", root, strerror(-n));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char dev[32];
		snprintf(dev, sizeof(dev), "remoteproc%u", all[i].index);
		if (!strcmp(all[i].name, name) || !strcmp(dev, name)) {
			*kp = all[i];
			return 0;
		}
	}
	fprintf(stderr, "uproc: no processor '%s' in %s/class/remoteproc (see: uproc list)\n",
		name, root);
	return 1;
}

/* debugfs of @kp: ROOT/kernel/debug/remoteproc/remoteprocN or ROOT/debug/... */
static bool debug_dir(const char *root, const struct kproc *kp, char *out, size_t len)
{
	static const char *const where[] = { "kernel/debug", "debug" };
	struct stat st;

	for (size_t i = 0; i < 2; i++) {
		snprintf(out, len, "%s/%s/remoteproc/remoteproc%u", root, where[i], kp->index);
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
	}
	out[0] = '\0';
	return false;
}

static unsigned int trace_count(const char *dbg)
{
	unsigned int n = 0;
	char path[PATH_MAX + 32];
	struct stat st;

	while (dbg[0] && n < 64) {
		snprintf(path, sizeof(path), "%s/trace%u", dbg, n);
		if (stat(path, &st) < 0)
			break;
		n++;
	}
	return n;
}

static void json_str(FILE *f, const char *s)
{
	char esc[UPROC_ESCAPE_SIZE(PATH_MAX)];

	if (!s) {
		fputs("null", f);
		return;
	}
	uproc_escape_json(esc, sizeof(esc), s, strnlen(s, PATH_MAX));
	fprintf(f, "\"%s\"", esc);
}

/* ---- list, status, channels ---------------------------------------------------- */

int uproc_sysfs_list(const char *root, bool json)
{
	static struct kproc all[MAX_PROCS];
	int n = scan(root, all, MAX_PROCS);

	if (n < 0) {
		fprintf(stderr, "uproc: no remoteproc tree at %s/class/remoteproc (%s)\n", root,
			strerror(-n));
		return 1;
	}
	if (json)
		fputs("{\"processors\":[", stdout);
	else
		printf("%-12s %-16s %-9s %s\n", "DEVICE", "NAME", "STATE", "FIRMWARE");
	for (int i = 0; i < n; i++) {
		char state[64] = "?", fw[PATH_MAX] = "", dev[32];
		read_at(all[i].dir, "state", state, sizeof(state));
		read_at(all[i].dir, "firmware", fw, sizeof(fw));
		snprintf(dev, sizeof(dev), "remoteproc%u", all[i].index);
		if (!json) {
			printf("%-12s %-16s %-9s %s\n", dev, all[i].name, state, fw[0] ? fw : "-");
			continue;
		}
		printf("%s{\"name\":", i ? "," : "");
		json_str(stdout, all[i].name);
		printf(",\"device\":\"%s\",\"state\":", dev);
		json_str(stdout, state);
		fputs(",\"backend\":\"linux\",\"firmware\":", stdout);
		json_str(stdout, fw[0] ? fw : NULL);
		fputs(",\"crashes\":null,\"recoveries\":null}", stdout);
	}
	if (json)
		fputs("]}\n", stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* The tty serving @kp's console: kernel mapping, or the first in ROOT/dev. */
static int console_path(const char *root, const struct kproc *kp, char *path, size_t len)
{
	char dir[PATH_MAX], link[PATH_MAX + 300], real[PATH_MAX], want[48];
	DIR *d;
	struct dirent *de;

	snprintf(dir, sizeof(dir), "%s/class/tty", root);
	snprintf(want, sizeof(want), "/remoteproc%u/", kp->index);
	if ((d = opendir(dir))) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "ttyRPMSG", 8))
				continue;
			snprintf(link, sizeof(link), "%s/%s/device", dir, de->d_name);
			if (!realpath(link, real) || !strstr(real, want))
				continue;
			snprintf(path, len, "/dev/%s", de->d_name);
			closedir(d);
			return 0;
		}
		closedir(d);
		return -ENODEV;
	}
	/* uprocd's tree: its device directory */
	static const char *const prefix[] = { "hvc", "ttyRPMSG" };
	snprintf(dir, sizeof(dir), "%s/dev", root);
	for (size_t k = 0; k < 2; k++) {
		for (unsigned int i = 0; i < 256; i++) {
			struct stat st;
			snprintf(link, sizeof(link), "%s/%s%u", dir, prefix[k], i);
			if (stat(link, &st) == 0 && S_ISCHR(st.st_mode)) {
				snprintf(path, len, "%s", link);
				return 0;
			}
		}
	}
	return -ENODEV;
}

static void channels_text(const char *root, const struct kproc *kp, FILE *f, bool json)
{
	char tty[PATH_MAX];
	int n = 0;

	if (json)
		fputc('[', f);
	if (console_path(root, kp, tty, sizeof(tty)) == 0) {
		const char *base = strrchr(tty, '/') + 1;
		bool hvc = !strncmp(base, "hvc", 3);
		if (json) {
			fprintf(f, "{\"kind\":\"%s\",\"device\":", hvc ? "console" : "tty");
			json_str(f, base);
			fputs(",\"name\":", f);
			json_str(f, hvc ? NULL : "rpmsg-tty");
			fputs(",\"src\":null,\"dst\":null,\"path\":", f);
			json_str(f, tty);
			fputc('}', f);
		} else {
			fprintf(f, "%s  %s  %s\n", base, hvc ? "virtio console" : "rpmsg-tty", tty);
		}
		n++;
	}
	if (json)
		fputc(']', f);
	(void)n;
}

int uproc_sysfs_channels(const char *root, const char *name, bool json)
{
	struct kproc kp;

	if (find(root, name, &kp))
		return 1;
	if (json) {
		fputs("{\"name\":", stdout);
		json_str(stdout, kp.name);
		fputs(",\"channels\":", stdout);
	}
	channels_text(root, &kp, stdout, json);
	if (json)
		fputs("}\n", stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

int uproc_sysfs_status(const char *root, const char *name, bool json)
{
	struct kproc kp;
	char state[64] = "?", fw[PATH_MAX] = "", rec[64] = "", dump[64] = "", dbg[PATH_MAX];

	if (find(root, name, &kp))
		return 1;
	read_at(kp.dir, "state", state, sizeof(state));
	read_at(kp.dir, "firmware", fw, sizeof(fw));
	bool has_dbg = debug_dir(root, &kp, dbg, sizeof(dbg));
	if (read_at(kp.dir, "recovery", rec, sizeof(rec)) < 0 && has_dbg)
		read_at(dbg, "recovery", rec, sizeof(rec));
	if (read_at(kp.dir, "coredump", dump, sizeof(dump)) < 0 && has_dbg)
		read_at(dbg, "coredump", dump, sizeof(dump));
	unsigned int traces = trace_count(dbg);

	if (!json) {
		printf("name:          %s\n", kp.name);
		printf("device:        remoteproc%u\n", kp.index);
		printf("state:         %s\n", state);
		printf("backend:       linux (%s)\n", root);
		printf("firmware:      %s\n", fw[0] ? fw : "-");
		printf("recovery:      %s\n", rec[0] ? rec : "-");
		printf("coredump:      %s\n", dump[0] ? dump : "-");
		printf("traces:        %u\n", traces);
		printf("tree:          %s\n", kp.dir);
		if (has_dbg)
			printf("debugfs:       %s\n", dbg);
		channels_text(root, &kp, stdout, false);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fputs("{\"name\":", stdout);
	json_str(stdout, kp.name);
	printf(",\"device\":\"remoteproc%u\",\"state\":", kp.index);
	json_str(stdout, state);
	fputs(",\"backend\":\"linux\",\"firmware\":", stdout);
	json_str(stdout, fw[0] ? fw : NULL);
	fputs(",\"recovery\":", stdout);
	json_str(stdout, rec[0] ? rec : NULL);
	fputs(",\"coredump\":", stdout);
	json_str(stdout, dump[0] ? dump : NULL);
	printf(",\"crashes\":null,\"recoveries\":null,\"pid\":null,\"cpu_ms\":null,"
	       "\"traces\":%u,\"tree\":", traces);
	json_str(stdout, kp.dir);
	fputs(",\"channels\":", stdout);
	channels_text(root, &kp, stdout, true);
	fputs("}\n", stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- changes ------------------------------------------------------------------------ */

int uproc_sysfs_state(const char *root, const char *name, const char *word)
{
	struct kproc kp;
	char state[64] = "?";

	if (find(root, name, &kp))
		return 1;
	read_at(kp.dir, "state", state, sizeof(state));
	int r = write_at(kp.dir, "state", word);
	if (r == 0) {
		read_at(kp.dir, "state", state, sizeof(state));
		printf("%s: %s\n", kp.name, state);
		return 0;
	}
	if (r == -EACCES || r == -EPERM)
		fprintf(stderr, "uproc: no permission to write %s/state: run as root\n", kp.dir);
	else if (!strcmp(word, "start") && r == -EBUSY)
		fprintf(stderr, "uproc: %s is already %s: stop it first (uproc --sysfs %s stop "
			"%s)\n", kp.name, state, root, kp.name);
	else if (!strcmp(word, "stop") && r == -EINVAL)
		fprintf(stderr, "uproc: %s is %s: only a running or attached processor can be "
			"stopped\n", kp.name, state);
	else
		fprintf(stderr, "uproc: %s: %s failed: %s (the kernel log says more: dmesg)\n",
			kp.name, word, strerror(-r));
	return 1;
}

static void firmware_dirs_list(const char *root)
{
	char custom[PATH_MAX] = "", path[PATH_MAX + 300];
	struct utsname u;
	const char *dirs[5];
	char rel1[PATH_MAX], rel2[PATH_MAX];
	int n = 0;

	snprintf(path, sizeof(path), "%s/module/firmware_class/parameters/path", root);
	if (read_attr(path, custom, sizeof(custom)) > 0)
		dirs[n++] = custom;
	uname(&u);
	snprintf(rel1, sizeof(rel1), "/lib/firmware/updates/%s", u.release);
	snprintf(rel2, sizeof(rel2), "/lib/firmware/%s", u.release);
	dirs[n++] = rel1;
	dirs[n++] = "/lib/firmware/updates";
	dirs[n++] = rel2;
	dirs[n++] = "/lib/firmware";
	for (int i = 0; i < n; i++) {
		DIR *d = opendir(dirs[i]);
		if (!d)
			continue;
		printf("# %s\n", dirs[i]);
		struct dirent *de;
		while ((de = readdir(d))) {
			struct stat st;
			char esc[UPROC_ESCAPE_SIZE(256)];
			if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0 ||
			    !S_ISREG(st.st_mode))
				continue;
			uproc_escape_text(esc, sizeof(esc), de->d_name, strnlen(de->d_name, 256));
			printf("%s\n", esc);
		}
		closedir(d);
	}
}

int uproc_sysfs_firmware(const char *root, const char *name, const char *file, bool list)
{
	struct kproc kp;
	char fw[PATH_MAX] = "", state[64] = "?";

	if (find(root, name, &kp))
		return 1;
	if (list) {
		firmware_dirs_list(root);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (!file) {
		read_at(kp.dir, "firmware", fw, sizeof(fw));
		printf("%s: firmware %s\n", kp.name, fw[0] ? fw : "-");
		return 0;
	}
	int r = write_at(kp.dir, "firmware", file);
	if (r == 0) {
		printf("%s: firmware %s\n", kp.name, file);
		return 0;
	}
	read_at(kp.dir, "state", state, sizeof(state));
	if (r == -EBUSY)
		fprintf(stderr, "uproc: %s is %s: stop it before changing its firmware (uproc "
			"--sysfs %s stop %s)\n", kp.name, state, root, kp.name);
	else
		fprintf(stderr, "uproc: %s: firmware %s: %s\n", kp.name, file, strerror(-r));
	return 1;
}

int uproc_sysfs_setting(const char *root, const char *name, const char *attr,
			const char *word)
{
	struct kproc kp;
	char dbg[PATH_MAX], now[64] = "";
	const char *dir;

	if (find(root, name, &kp))
		return 1;
	/* sysfs first (Linux 5.13+), else debugfs */
	if (read_at(kp.dir, attr, now, sizeof(now)) >= 0)
		dir = kp.dir;
	else if (debug_dir(root, &kp, dbg, sizeof(dbg)) && read_at(dbg, attr, now, sizeof(now)) >= 0)
		dir = dbg;
	else {
		fprintf(stderr, "uproc: %s has no %s setting in this kernel's tree\n", kp.name, attr);
		return 1;
	}
	if (!word) {
		printf("%s: %s %s\n", kp.name, attr, now);
		return 0;
	}
	int r = write_at(dir, attr, word);
	if (r == 0) {
		read_at(dir, attr, now, sizeof(now));
		printf("%s: %s %s\n", kp.name, attr, now);
		return 0;
	}
	if (r == -EINVAL)
		fprintf(stderr, "uproc: '%s' is not a %s setting: use one of %s\n", word, attr,
			!strcmp(attr, "recovery") ? "enabled, disabled, recover" :
						    "disabled, enabled, inline");
	else if (r == -EBUSY)
		fprintf(stderr, "uproc: %s has crashed: its %s setting can't change until it is "
			"recovered (uproc recovery %s recover)\n", kp.name, attr, kp.name);
	else
		fprintf(stderr, "uproc: %s: %s %s: %s\n", kp.name, attr, word, strerror(-r));
	return 1;
}

int uproc_sysfs_dump(const char *root, const char *name, const char *file)
{
	struct kproc kp;
	char dir[PATH_MAX], link[PATH_MAX + 300], target[PATH_MAX], want[32];

	if (find(root, name, &kp))
		return 1;
	snprintf(dir, sizeof(dir), "%s/class/devcoredump", root);
	snprintf(want, sizeof(want), "remoteproc%u", kp.index);
	DIR *d = opendir(dir);
	struct dirent *de;
	char data[PATH_MAX + 300] = "";
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, "devcd", 5))
			continue;
		snprintf(link, sizeof(link), "%s/%s/failing_device", dir, de->d_name);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if (!strcmp(base, want))
			snprintf(data, sizeof(data), "%s/%s/data", dir, de->d_name);
	}
	if (d)
		closedir(d);
	if (!data[0]) {
		fprintf(stderr, "uproc: %s has no coredump in %s (turn them on with: uproc "
			"coredump %s enabled)\n", kp.name, dir, kp.name);
		return 1;
	}
	int in = open(data, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		fprintf(stderr, "uproc: cannot read %s: %s\n", data, strerror(errno));
		return 1;
	}
	bool to_stdout = !strcmp(file, "-");
	int out = to_stdout ? STDOUT_FILENO : open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		fprintf(stderr, "uproc: cannot create %s: %s\n", file, strerror(errno));
		close(in);
		return 1;
	}
	static char buf[65536];
	size_t total = 0;
	int status = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 || write(out, buf, (size_t)n) != n) {
			fprintf(stderr, "uproc: copying %s: %s\n", data, strerror(errno));
			status = 1;
			break;
		}
		total += (size_t)n;
	}
	close(in);
	if (!to_stdout) {
		close(out);
		if (!status)
			fprintf(stderr, "uproc: saved the coredump (%zu bytes) to %s\n", total, file);
	}
	return status;
}

/* ---- trace, console ------------------------------------------------------------------ */

static int read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t cap = 65536, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (!b) {
			close(fd);
			return -ENOMEM;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0) {
			int e = errno;
			free(b);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			cap *= 2;
			char *nb = realloc(b, cap);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	close(fd);
	n = strnlen(b, n);
	*buf = b;
	*len = n;
	return 0;
}

static void emit(const char *buf, size_t len, struct uproc_trace_json *tj)
{
	if (tj)
		uproc_trace_json_feed(tj, buf, len);
	else
		fwrite(buf, 1, len, stdout);
}

int uproc_sysfs_trace(const char *root, const char *name, bool follow, bool json)
{
	struct kproc kp;
	char dbg[PATH_MAX], path[PATH_MAX + 32];
	struct uproc_trace_json tj = { .processor = name };
	struct uproc_trace_json *j = json ? &tj : NULL;

	if (find(root, name, &kp))
		return 1;
	if (!debug_dir(root, &kp, dbg, sizeof(dbg))) {
		fprintf(stderr, "uproc: no debugfs for %s under %s (mount it: mount -t debugfs "
			"none /sys/kernel/debug)\n", kp.name, root);
		return 1;
	}
	unsigned int n = trace_count(dbg);
	if (n == 0 && !follow) {
		fprintf(stderr, "uproc: %s has no trace buffer (its firmware declares none, or it "
			"is not running)\n", kp.name);
		return 1;
	}
	char *last = NULL;
	size_t last_len = 0;
	for (;;) {
		char *now = NULL;
		size_t now_len = 0;
		n = trace_count(dbg);
		if (n > 0) {
			snprintf(path, sizeof(path), "%s/trace0", dbg);
			int r = read_file(path, &now, &now_len);
			if (r < 0 && !follow) {
				fprintf(stderr, "uproc: cannot read %s: %s\n", path, strerror(-r));
				return 1;
			}
		}
		if (now) {
			if (!last || now_len < last_len || memcmp(now, last, last_len))
				emit(now, now_len, j);
			else if (now_len > last_len)
				emit(now + last_len, now_len - last_len, j);
			free(last);
			last = now;
			last_len = now_len;
		}
		if (fflush(stdout) != 0)
			break;
		if (!follow)
			break;
		struct stat st;
		if (stat(kp.dir, &st) < 0) {
			free(last);
			fprintf(stderr, "uproc: %s went away (%s): the trace ended\n", kp.dir,
				strerror(errno));
			return 1;
		}
		poll(NULL, 0, FOLLOW_POLL_MS);
	}
	free(last);
	if (j)
		uproc_trace_json_end(j);
	/* further buffers, whole, as debugfs names them */
	for (unsigned int i = 1; i < n && !follow; i++) {
		char *b;
		size_t l;
		snprintf(path, sizeof(path), "%s/trace%u", dbg, i);
		if (read_file(path, &b, &l) < 0)
			continue;
		if (!j)
			printf("==> trace%u <==\n", i);
		else
			tj.trace = i;
		emit(b, l, j);
		if (j)
			uproc_trace_json_end(j);
		free(b);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int uproc_sysfs_console(const char *root, const char *name, char *path, size_t len)
{
	struct kproc kp;

	if (find(root, name, &kp))
		return 1;
	if (console_path(root, &kp, path, len) < 0) {
		fprintf(stderr, "uproc: %s has no console: no ttyRPMSG device belongs to it (is "
			"the rpmsg_tty module loaded, and is %s running?)\n", kp.name, kp.name);
		return 1;
	}
	return 0;
}
