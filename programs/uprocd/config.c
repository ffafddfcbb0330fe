/* SPDX-License-Identifier: MIT */
/*
 * config.c - parser of uprocd's configuration file (see config.h).
 */
#include "config.h"
#include "hostutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_ROOT "/run/uproc"
#define DEFAULT_FW_DIR "/lib/firmware"
#define CONFIG_MAX_BYTES (1u << 20)

struct parser {
	struct uprocd_config *cfg;
	struct uprocd_proc_config *proc; /* current section, NULL for [uprocd] */
	bool in_daemon;
	unsigned int line;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %u: ", p->line);

	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= UPROCD_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

int uprocd_parse_size(const char *s, uint64_t *out)
{
	char *end;
	uint64_t mult = 1;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno)
		return -ERANGE;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = 1ull << 10; break;
		case 'M': mult = 1ull << 20; break;
		case 'G': mult = 1ull << 30; break;
		default: return -EINVAL;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int uprocd_parse_ms(const char *s, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || v > UINT32_MAX)
		return -ERANGE;
	if (!*end || !strcmp(end, "ms"))
		*out = v;
	else if (!strcmp(end, "s"))
		*out = v * 1000;
	else
		return -EINVAL;
	return 0;
}

static int parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", "enabled" };
	static const char *const no[] = { "0", "no", "false", "off", "disabled" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int set_str(struct parser *p, char **dst, const char *v, bool must_be_absolute)
{
	if (!*v)
		return fail(p, "empty value");
	if (must_be_absolute && v[0] != '/')
		return fail(p, "'%s' is not an absolute path", v);
	char *s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int add_dirs(struct parser *p, char **dirs, unsigned int *n, const char *v)
{
	char *copy = strdup(v);
	char *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		d = trim(d);
		if (!*d)
			continue;
		if (d[0] != '/') {
			ret = fail(p, "firmware_path '%s' is not an absolute directory", d);
			break;
		}
		if (*n == UPROCD_MAX_FW_DIRS) {
			ret = fail(p, "more than %d firmware directories", UPROCD_MAX_FW_DIRS);
			break;
		}
		dirs[*n] = strdup(d);
		if (!dirs[*n]) {
			ret = -ENOMEM;
			break;
		}
		(*n)++;
	}
	free(copy);
	return ret;
}

static int parse_group(struct parser *p, const char *v)
{
	char *end;
	unsigned long g = strtoul(v, &end, 10);

	if (*v && !*end) {
		p->cfg->group = (gid_t)g;
	} else {
		char buf[4096];
		struct group gr, *res = NULL;
		if (getgrnam_r(v, &gr, buf, sizeof(buf), &res) != 0 || !res)
			return fail(p, "unknown group '%s' (create it: groupadd --system %s)", v, v);
		p->cfg->group = res->gr_gid;
	}
	p->cfg->has_group = true;
	return 0;
}

static int daemon_key(struct parser *p, const char *k, const char *v)
{
	struct uprocd_config *c = p->cfg;

	if (!strcmp(k, "root"))
		return set_str(p, &c->root, v, true);
	if (!strcmp(k, "runtime_dir"))
		return set_str(p, &c->runtime_dir, v, true);
	if (!strcmp(k, "socket"))
		return set_str(p, &c->socket, v, true);
	if (!strcmp(k, "group")) {
		c->group_line = p->line;
		return parse_group(p, v);
	}
	if (!strcmp(k, "firmware_path")) {
		if (!c->fw_dirs_line)
			c->fw_dirs_line = p->line;
		return add_dirs(p, c->fw_dirs, &c->n_fw_dirs, v);
	}
	return fail(p, "unknown key '%s' in [uprocd] (known: root, runtime_dir, socket, "
		       "group, firmware_path)", k);
}

static int proc_key(struct parser *p, const char *k, const char *v)
{
	struct uprocd_proc_config *r = p->proc;

	if (!strcmp(k, "backend")) {
		if (!strcmp(v, "auto"))
			r->backend = UPROCD_BACKEND_AUTO;
		else if (!strcmp(v, "native"))
			r->backend = UPROCD_BACKEND_NATIVE;
		else if (!strcmp(v, "emulated"))
			r->backend = UPROCD_BACKEND_EMULATED;
		else
			return fail(p, "unknown backend '%s' (known: auto, native, emulated)", v);
		return 0;
	}
	if (!strcmp(k, "firmware")) {
		if (strchr(v, '\n'))
			return fail(p, "bad firmware name");
		r->firmware_line = p->line;
		return set_str(p, &r->firmware, v, false);
	}
	if (!strcmp(k, "firmware_path")) {
		if (!r->fw_dirs_line)
			r->fw_dirs_line = p->line;
		return add_dirs(p, r->fw_dirs, &r->n_fw_dirs, v);
	}
	if (!strcmp(k, "memory")) {
		if (uprocd_parse_size(v, &r->memory) < 0)
			return fail(p, "bad memory size '%s' (e.g. 65536, 64K, 1M)", v);
		r->memory_line = p->line;
		return 0;
	}
	if (!strcmp(k, "watchdog")) {
		bool on;
		uint64_t ms;
		if (parse_bool(v, &on) == 0 && !on) {
			r->watchdog_ms = 0;
		} else if (uprocd_parse_ms(v, &ms) == 0 && ms > 0 && ms <= UINT32_MAX) {
			r->watchdog_ms = (uint32_t)ms;
		} else {
			return fail(p, "watchdog takes a period (e.g. 5s, 500ms) or disabled, "
				       "not '%s'", v);
		}
		return 0;
	}
	if (!strcmp(k, "rpmsg_queue_closed")) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (!*v || *end || v[0] == '-' || n > 65536)
			return fail(p, "rpmsg_queue_closed takes a number of messages from 0 "
				       "(Linux's endpoint lifetime) to 65536, not '%s'", v);
		r->rpmsg_queue_closed = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "cpu")) {
		r->cpu_line = p->line;
		char *end;
		long cpu = strtol(v, &end, 10);
		if (!*v || *end || cpu < -1 || cpu > 4095)
			return fail(p, "bad cpu '%s' (a CPU number, or -1 for none)", v);
		r->cpu = (int)cpu;
		return 0;
	}
	if (!strcmp(k, "gdb")) {
		if (parse_bool(v, &r->gdb) < 0)
			return fail(p, "gdb takes yes or no, not '%s'", v);
		return 0;
	}
	if (!strcmp(k, "auto_boot")) {
		if (parse_bool(v, &r->auto_boot) < 0)
			return fail(p, "auto_boot takes yes or no, not '%s'", v);
		return 0;
	}
	if (!strcmp(k, "recovery")) {
		if (!strcmp(v, "enabled"))
			r->recovery = true;
		else if (!strcmp(v, "disabled"))
			r->recovery = false;
		else
			return fail(p, "recovery takes enabled or disabled, not '%s'", v);
		return 0;
	}
	if (!strcmp(k, "recovery_limit_burst")) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);
		if (!*v || *end || v[0] == '-' || n > 100000)
			return fail(p, "recovery_limit_burst takes a number of recoveries from 0 (no "
				       "limit) to 100000, not '%s'", v);
		r->recovery_burst = (unsigned int)n;
		return 0;
	}
	if (!strcmp(k, "recovery_limit_interval")) {
		uint64_t ms;
		if (uprocd_parse_ms(v, &ms) < 0 || ms == 0 || ms > UINT32_MAX)
			return fail(p, "recovery_limit_interval takes a period (e.g. 10s, 500ms), "
				       "not '%s'", v);
		r->recovery_interval_ms = (uint32_t)ms;
		return 0;
	}
	if (!strcmp(k, "coredump")) {
		static const char *const words[] = { "disabled", "enabled", "inline" };
		for (int i = 0; i < 3; i++) {
			if (!strcmp(v, words[i])) {
				r->coredump = i;
				return 0;
			}
		}
		return fail(p, "coredump takes disabled, enabled or inline, not '%s'", v);
	}
	return fail(p, "unknown key '%s' in [remoteproc %s] (known: backend, firmware, "
		       "firmware_path, memory, cpu, auto_boot, recovery, recovery_limit_burst, "
		       "recovery_limit_interval, coredump, watchdog, "
		       "rpmsg_queue_closed, gdb)",
		    k, r->name);
}

static int new_section(struct parser *p, char *hdr)
{
	struct uprocd_config *c = p->cfg;

	hdr = trim(hdr);
	if (!strcmp(hdr, "uprocd")) {
		p->in_daemon = true;
		p->proc = NULL;
		return 0;
	}
	if (strncmp(hdr, "remoteproc", 10) || !isspace((unsigned char)hdr[10]))
		return fail(p, "unknown section [%s] (known: [uprocd], [remoteproc NAME])", hdr);
	char *name = trim(hdr + 10);
	if (!valid_name(name))
		return fail(p, "bad processor name '%s' (1 to %d letters, digits, '_', '.', '-')",
			    name, UPROCD_NAME_MAX - 1);
	if (uprocd_config_find(c, name))
		return fail(p, "processor '%s' defined twice", name);
	if (c->n_procs == UPROCD_MAX_PROCS)
		return fail(p, "more than %d processors", UPROCD_MAX_PROCS);
	struct uprocd_proc_config *n = realloc(c->procs, (c->n_procs + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	c->procs = n;
	p->proc = &n[c->n_procs++];
	memset(p->proc, 0, sizeof(*p->proc));
	strcpy(p->proc->name, name);
	p->proc->backend = UPROCD_BACKEND_AUTO;
	p->proc->cpu = -1;
	p->proc->recovery = true;
	p->proc->recovery_burst = UPROCD_RECOVERY_BURST_DEFAULT;
	p->proc->recovery_interval_ms = UPROCD_RECOVERY_INTERVAL_MS_DEFAULT;
	p->proc->coredump = 0;
	p->proc->watchdog_ms = UPROCD_WATCHDOG_MS_DEFAULT;
	p->proc->line = p->line;
	p->in_daemon = false;
	return 0;
}

/* "key = value   # comment": a '#' or ';' after a blank starts a comment. */
static void strip_comment(char *line)
{
	for (char *s = line; *s; s++) {
		if ((*s == '#' || *s == ';') && s > line && isspace((unsigned char)s[-1])) {
			*s = '\0';
			return;
		}
	}
}

static int parse_line(struct parser *p, char *line)
{
	strip_comment(line);
	line = trim(line);
	if (!*line || *line == '#' || *line == ';')
		return 0;
	if (*line == '[') {
		char *end = strchr(line, ']');
		if (!end || trim(end + 1)[0])
			return fail(p, "a section header is [NAME]");
		*end = '\0';
		return new_section(p, line + 1);
	}
	char *eq = strchr(line, '=');
	if (!eq)
		return fail(p, "expected key = value");
	*eq = '\0';
	char *k = trim(line), *v = trim(eq + 1);
	if (!*k)
		return fail(p, "missing key before '='");
	if (p->proc)
		return proc_key(p, k, v);
	if (p->in_daemon)
		return daemon_key(p, k, v);
	return fail(p, "'%s' outside any section: start with [uprocd] or [remoteproc NAME]", k);
}

static int fill_defaults(struct parser *p)
{
	struct uprocd_config *c = p->cfg;

	if (!c->root && set_str(p, &c->root, DEFAULT_ROOT, true))
		return -ENOMEM;
	if (!c->runtime_dir && set_str(p, &c->runtime_dir, UPI_RUNTIME_DIR_DEFAULT, true))
		return -ENOMEM;
	if (!c->socket) {
		size_t n = strlen(c->runtime_dir) + sizeof("/uprocd.sock");
		c->socket = malloc(n);
		if (!c->socket)
			return -ENOMEM;
		snprintf(c->socket, n, "%s/uprocd.sock", c->runtime_dir);
	}
	if (!c->n_fw_dirs && add_dirs(p, c->fw_dirs, &c->n_fw_dirs, DEFAULT_FW_DIR))
		return -ENOMEM;
	for (unsigned int i = 0; i < c->n_procs; i++) {
		struct uprocd_proc_config *r = &c->procs[i];
		if (r->n_fw_dirs == 0) {
			r->fw_dirs_line = c->fw_dirs_line;
			for (unsigned int d = 0; d < c->n_fw_dirs; d++)
				if (add_dirs(p, r->fw_dirs, &r->n_fw_dirs, c->fw_dirs[d]))
					return -ENOMEM;
		}
		if (r->firmware && (strstr(r->firmware, "../") || !strcmp(r->firmware, ".."))) {
			p->line = r->line;
			return fail(p, "firmware '%s' of '%s' leaves its firmware directories",
				    r->firmware, r->name);
		}
	}
	return 0;
}

int uprocd_config_parse(struct uprocd_config *cfg, const char *text, size_t len, char *err,
			size_t errlen)
{
	struct parser p = { .cfg = cfg, .err = err, .errlen = errlen };
	char dummy[1];
	int ret = 0;

	if (!err || !errlen) {
		p.err = dummy;
		p.errlen = sizeof(dummy);
	}
	p.err[0] = '\0';
	memset(cfg, 0, sizeof(*cfg));
	if (memchr(text, '\0', len)) {
		p.line = 1;
		return fail(&p, "the file holds a NUL byte: not a text file");
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';

	char *save = copy;
	while (save && !ret) {
		char *nl = strchr(save, '\n');
		if (nl)
			*nl = '\0';
		p.line++;
		ret = parse_line(&p, save);
		save = nl ? nl + 1 : NULL;
	}
	free(copy);
	if (!ret)
		ret = fill_defaults(&p);
	if (ret)
		uprocd_config_free(cfg);
	return ret;
}

int uprocd_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return -EINVAL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

int uprocd_config_load(struct uprocd_config *cfg, const char *path, char *err, size_t errlen)
{
	char *buf;
	size_t got;
	int ret = uprocd_read_file(path, CONFIG_MAX_BYTES, &buf, &got);

	if (ret == -EINVAL) {
		snprintf(err, errlen, "%s is not a regular file of at most 1 MiB", path);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-ret));
		return ret;
	}
	char msg[512];
	ret = uprocd_config_parse(cfg, buf, got, msg, sizeof(msg));
	if (ret)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(buf);
	return ret;
}

void uprocd_config_free(struct uprocd_config *cfg)
{
	free(cfg->root);
	free(cfg->runtime_dir);
	free(cfg->socket);
	for (unsigned int i = 0; i < cfg->n_fw_dirs; i++)
		free(cfg->fw_dirs[i]);
	for (unsigned int i = 0; i < cfg->n_procs; i++) {
		free(cfg->procs[i].firmware);
		for (unsigned int d = 0; d < cfg->procs[i].n_fw_dirs; d++)
			free(cfg->procs[i].fw_dirs[d]);
	}
	free(cfg->procs);
	memset(cfg, 0, sizeof(*cfg));
}

const struct uprocd_proc_config *uprocd_config_find(const struct uprocd_config *cfg,
						    const char *name)
{
	for (unsigned int i = 0; i < cfg->n_procs; i++)
		if (!strcmp(cfg->procs[i].name, name))
			return &cfg->procs[i];
	return NULL;
}
