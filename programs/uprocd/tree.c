/* SPDX-License-Identifier: MIT */
/*
 * tree.c - the control tree: a FUSE filesystem with the kernel's names.
 *
 *   class/remoteproc/remoteprocN/{name,state,firmware,recovery,coredump}   (sysfs)
 *   class/devcoredump/devcdK/{data,failing_device}                         (devcoredump)
 *   debug/remoteproc/remoteprocN/{name,recovery,crash,resource_table,
 *                                 carveout_memories,coredump,traceK}       (debugfs)
 *   dev -> <runtime_dir>/dev       (device files, devfs.c: remoteprocN, rpmsg_ctrlN, rpmsgM, ttyRPMSGn)
 *   uprocd.sock -> the control socket
 *
 * Callbacks run on FUSE's threads. A file's contents are rendered when it is
 * opened (so a reader sees one consistent snapshot); writes are handed to the loop
 * thread. Writers must be root or in the configured group: the modes say so (the
 * kernel checks them, default_permissions) and every write checks the caller again.
 *
 * Every open file's state is on a list: a program may still hold a file of the
 * tree open when uprocd exits, and its release then never comes, so whatever is
 * left on the list is freed once the FUSE threads have ended.
 */
#define FUSE_USE_VERSION 312

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "hostutil.h"
#include "uproc/loop.h"
#include "uproc/remoteproc.h"

struct open_file;

struct uprocd_tree {
	struct fuse *fuse;
	pthread_t thread;
	bool mounted;
	bool running;
	int wake_fd;	/* the root (O_PATH), held to wake a FUSE thread at exit */
	pthread_mutex_t files_lock;
	struct open_file *files;	/* files_lock: every open file, released or not */
};

enum node_kind {
	N_DIR,
	N_ATTR,		/* class/remoteproc/remoteprocN/<attr> */
	N_DEBUG,	/* debug/remoteproc/remoteprocN/<file> */
	N_DUMP_DATA,	/* class/devcoredump/devcdK/data */
	N_LINK,
};

enum debug_entry {
	D_NAME, D_RECOVERY, D_CRASH, D_RSC, D_CARVEOUTS, D_COREDUMP, D_TRACE,
};

struct node {
	enum node_kind kind;
	struct uprocd_proc *proc;
	int attr;		/* enum uprocd_attr or enum debug_entry */
	unsigned int idx;	/* trace number, dump id */
	mode_t mode;
	char link[PATH_MAX];
};

static const struct {
	const char *name;
	enum uprocd_attr attr;
	mode_t mode;
} sysfs_attrs[] = {
	{ "name", UPROCD_ATTR_NAME, 0444 },
	{ "state", UPROCD_ATTR_STATE, 0644 },
	{ "firmware", UPROCD_ATTR_FIRMWARE, 0644 },
	{ "recovery", UPROCD_ATTR_RECOVERY, 0644 },
	{ "coredump", UPROCD_ATTR_COREDUMP, 0644 },
};

static const struct {
	const char *name;
	enum debug_entry entry;
	mode_t mode;
} debug_files[] = {
	{ "name", D_NAME, 0400 },
	{ "recovery", D_RECOVERY, 0600 },
	{ "crash", D_CRASH, 0200 },
	{ "resource_table", D_RSC, 0400 },
	{ "carveout_memories", D_CARVEOUTS, 0400 },
	{ "coredump", D_COREDUMP, 0600 },
};

#define N_SYSFS (sizeof(sysfs_attrs) / sizeof(sysfs_attrs[0]))
#define N_DEBUGFILES (sizeof(debug_files) / sizeof(debug_files[0]))

static struct uprocd *tree_daemon(void)
{
	return fuse_get_context()->private_data;
}

/* With a group configured, it gets the owner's rights on writable files. */
static mode_t group_mode(const struct uprocd *d, mode_t mode)
{
	if (d->cfg.has_group && (mode & 0200))
		mode |= (mode & 0600) >> 3;
	return mode;
}

static int parse_uint_suffix(const char *s, const char *prefix, unsigned int *out)
{
	size_t n = strlen(prefix);
	char *end;

	if (strncmp(s, prefix, n) || s[n] < '0' || s[n] > '9' || (s[n] == '0' && s[n + 1]))
		return -ENOENT;
	unsigned long v = strtoul(s + n, &end, 10);
	if (*end || v > 0xFFFFFFFFul)
		return -ENOENT;
	*out = (unsigned int)v;
	return 0;
}

/* "remoteprocN" -> the processor, else NULL. */
static struct uprocd_proc *proc_by_dev(struct uprocd *d, const char *s)
{
	unsigned int n;

	if (parse_uint_suffix(s, "remoteproc", &n) < 0 || n >= d->n_procs)
		return NULL;
	return &d->procs[n];
}

static int resolve(struct uprocd *d, const char *path, struct node *n)
{
	char copy[PATH_MAX];
	char *part[8];
	int np = 0;
	char *save = NULL;

	memset(n, 0, sizeof(*n));
	if (strlen(path) >= sizeof(copy))
		return -ENAMETOOLONG;
	strcpy(copy, path);
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (np == 8)
			return -ENOENT;
		part[np++] = t;
	}
	n->kind = N_DIR;
	n->mode = 0555;
	if (np == 0)
		return 0;
	if (np == 1 && !strcmp(part[0], "dev")) {
		n->kind = N_LINK;
		snprintf(n->link, sizeof(n->link), "%s", d->dev_dir);
		return 0;
	}
	if (np == 1 && !strcmp(part[0], "uprocd.sock")) {
		n->kind = N_LINK;
		snprintf(n->link, sizeof(n->link), "%s", d->cfg.socket);
		return 0;
	}
	if (!strcmp(part[0], "class")) {
		if (np == 1)
			return 0;
		if (!strcmp(part[1], "remoteproc")) {
			if (np == 2)
				return 0;
			n->proc = proc_by_dev(d, part[2]);
			if (!n->proc)
				return -ENOENT;
			if (np == 3)
				return 0;
			if (np > 4)
				return -ENOENT;
			for (size_t i = 0; i < N_SYSFS; i++) {
				if (!strcmp(part[3], sysfs_attrs[i].name)) {
					n->kind = N_ATTR;
					n->attr = (int)sysfs_attrs[i].attr;
					n->mode = group_mode(d, sysfs_attrs[i].mode);
					return 0;
				}
			}
			return -ENOENT;
		}
		if (!strcmp(part[1], "devcoredump")) {
			unsigned int proc_index;
			if (np == 2)
				return 0;
			if (parse_uint_suffix(part[2], "devcd", &n->idx) < 0 ||
			    uprocd_dump_size(d, n->idx, &proc_index) < 0)
				return -ENOENT;
			if (np == 3)
				return 0;
			if (np == 4 && !strcmp(part[3], "data")) {
				n->kind = N_DUMP_DATA;
				n->mode = group_mode(d, 0600);
				return 0;
			}
			if (np == 4 && !strcmp(part[3], "failing_device")) {
				n->kind = N_LINK;
				snprintf(n->link, sizeof(n->link), "../../remoteproc/remoteproc%u",
					 proc_index);
				return 0;
			}
		}
		return -ENOENT;
	}
	if (!strcmp(part[0], "debug")) {
		if (np == 1)
			return 0;
		if (strcmp(part[1], "remoteproc"))
			return -ENOENT;
		if (np == 2)
			return 0;
		n->proc = proc_by_dev(d, part[2]);
		if (!n->proc)
			return -ENOENT;
		if (np == 3)
			return 0;
		if (np > 4)
			return -ENOENT;
		n->kind = N_DEBUG;
		for (size_t i = 0; i < N_DEBUGFILES; i++) {
			if (!strcmp(part[3], debug_files[i].name)) {
				n->attr = (int)debug_files[i].entry;
				n->mode = group_mode(d, debug_files[i].mode);
				return 0;
			}
		}
		if (parse_uint_suffix(part[3], "trace", &n->idx) == 0 &&
		    n->idx < uprocd_debug_trace_count(n->proc)) {
			n->attr = D_TRACE;
			n->mode = 0400;
			return 0;
		}
		return -ENOENT;
	}
	return -ENOENT;
}

static int tree_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	int r = resolve(d, path, &n);

	if (r)
		return r;
	memset(st, 0, sizeof(*st));
	st->st_uid = 0;
	st->st_gid = d->cfg.has_group ? d->cfg.group : 0;
	st->st_nlink = 1;
	switch (n.kind) {
	case N_DIR:
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		break;
	case N_LINK:
		st->st_mode = S_IFLNK | 0777;
		st->st_size = (off_t)strlen(n.link);
		break;
	case N_ATTR:
		st->st_mode = S_IFREG | n.mode;
		st->st_size = 4096; /* as sysfs */
		break;
	case N_DEBUG:
		st->st_mode = S_IFREG | n.mode;
		break;
	case N_DUMP_DATA: {
		ssize_t sz = uprocd_dump_size(d, n.idx, NULL);
		st->st_mode = S_IFREG | n.mode;
		st->st_size = sz > 0 ? sz : 0;
		break;
	}
	}
	return 0;
}

static int tree_readlink(const char *path, char *buf, size_t size)
{
	struct node n;
	int r = resolve(tree_daemon(), path, &n);

	if (r)
		return r;
	if (n.kind != N_LINK)
		return -EINVAL;
	snprintf(buf, size, "%s", n.link);
	return 0;
}

struct dump_ids {
	unsigned int id[256];
	unsigned int n;
};

static void list_dumps(struct uprocd *d, struct dump_ids *ids)
{
	ids->n = 0;
	pthread_mutex_lock(&d->lock);
	for (unsigned int i = 0; i < d->n_procs && ids->n < 256; i++)
		if (d->procs[i].dump_id)
			ids->id[ids->n++] = d->procs[i].dump_id;
	pthread_mutex_unlock(&d->lock);
}

static int tree_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
			struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	char name[64];
	int r = resolve(d, path, &n);

	if (r)
		return r;
	if (n.kind != N_DIR)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	if (!strcmp(path, "/")) {
		fill(buf, "class", NULL, 0, 0);
		fill(buf, "debug", NULL, 0, 0);
		fill(buf, "dev", NULL, 0, 0);
		fill(buf, "uprocd.sock", NULL, 0, 0);
	} else if (!strcmp(path, "/class")) {
		fill(buf, "remoteproc", NULL, 0, 0);
		fill(buf, "devcoredump", NULL, 0, 0);
	} else if (!strcmp(path, "/debug")) {
		fill(buf, "remoteproc", NULL, 0, 0);
	} else if (!strcmp(path, "/class/remoteproc") || !strcmp(path, "/debug/remoteproc")) {
		for (unsigned int i = 0; i < d->n_procs; i++) {
			snprintf(name, sizeof(name), "remoteproc%u", i);
			fill(buf, name, NULL, 0, 0);
		}
	} else if (!strcmp(path, "/class/devcoredump")) {
		struct dump_ids *ids = malloc(sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		list_dumps(d, ids);
		for (unsigned int i = 0; i < ids->n; i++) {
			if (uprocd_dump_size(d, ids->id[i], NULL) < 0)
				continue; /* dropped by its timeout */
			snprintf(name, sizeof(name), "devcd%u", ids->id[i]);
			fill(buf, name, NULL, 0, 0);
		}
		free(ids);
	} else if (!strncmp(path, "/class/devcoredump/", 19)) {
		fill(buf, "data", NULL, 0, 0);
		fill(buf, "failing_device", NULL, 0, 0);
	} else if (!strncmp(path, "/class/", 7)) {
		for (size_t i = 0; i < N_SYSFS; i++)
			fill(buf, sysfs_attrs[i].name, NULL, 0, 0);
	} else {
		for (size_t i = 0; i < N_DEBUGFILES; i++)
			fill(buf, debug_files[i].name, NULL, 0, 0);
		unsigned int nt = uprocd_debug_trace_count(n.proc);
		for (unsigned int i = 0; i < nt; i++) {
			snprintf(name, sizeof(name), "trace%u", i);
			fill(buf, name, NULL, 0, 0);
		}
	}
	return 0;
}

/* What an open file holds: rendered text, or the dump it reads. */
struct open_file {
	struct node node;
	struct uprocd_text text;
	bool released;			/* the inline dump it read was released */
	uint64_t read_end;		/* dump: the furthest byte read */
	struct open_file *prev, *next;	/* tree->files, under files_lock */
};

static void open_file_free(struct open_file *f)
{
	uprocd_text_free(&f->text);
	free(f);
}

static void files_add(struct uprocd_tree *t, struct open_file *f)
{
	pthread_mutex_lock(&t->files_lock);
	f->prev = NULL;
	f->next = t->files;
	if (t->files)
		t->files->prev = f;
	t->files = f;
	pthread_mutex_unlock(&t->files_lock);
}

static void files_remove(struct uprocd_tree *t, struct open_file *f)
{
	pthread_mutex_lock(&t->files_lock);
	if (f->prev)
		f->prev->next = f->next;
	else
		t->files = f->next;
	if (f->next)
		f->next->prev = f->prev;
	f->prev = f->next = NULL;
	pthread_mutex_unlock(&t->files_lock);
}

/* Files still open when the FUSE threads have ended: their release never comes. */
static void files_free_all(struct uprocd_tree *t)
{
	pthread_mutex_lock(&t->files_lock);
	while (t->files) {
		struct open_file *f = t->files;
		t->files = f->next;
		open_file_free(f);
	}
	pthread_mutex_unlock(&t->files_lock);
}

static bool caller_may_write(struct uprocd *d)
{
	struct fuse_context *c = fuse_get_context();
	return uprocd_may_write(d, c->uid, c->gid, c->pid);
}

static int render(struct open_file *f)
{
	struct uprocd_proc *p = f->node.proc;
	char line[PATH_MAX + 16];
	int n;

	switch (f->node.kind) {
	case N_ATTR:
		n = uprocd_attr_show(p, (enum uprocd_attr)f->node.attr, line, sizeof(line));
		return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
	case N_DEBUG:
		switch ((enum debug_entry)f->node.attr) {
		case D_NAME:
			/* debugfs prints at most 98 characters of the name */
			return uprocd_text_printf(&f->text, "%.98s\n", rproc_get_name(p->rproc));
		case D_RECOVERY:
			n = uprocd_attr_show(p, UPROCD_ATTR_RECOVERY, line, sizeof(line));
			return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
		case D_COREDUMP:
			n = uprocd_attr_show(p, UPROCD_ATTR_COREDUMP, line, sizeof(line));
			return n < 0 ? n : uprocd_text_append(&f->text, line, (size_t)n);
		case D_CRASH:
			return 0;
		case D_RSC:
			return uprocd_debug_render(p, UPROCD_DEBUG_RESOURCE_TABLE, 0, &f->text);
		case D_CARVEOUTS:
			return uprocd_debug_render(p, UPROCD_DEBUG_CARVEOUTS, 0, &f->text);
		case D_TRACE:
			return uprocd_debug_render(p, UPROCD_DEBUG_TRACE, f->node.idx, &f->text);
		}
		return -EINVAL;
	default:
		return 0;
	}
}

static int tree_open(const char *path, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct open_file *f = calloc(1, sizeof(*f));
	int r;

	if (!f)
		return -ENOMEM;
	r = resolve(d, path, &f->node);
	if (r)
		goto fail;
	if (f->node.kind == N_DIR || f->node.kind == N_LINK) {
		r = -EISDIR;
		goto fail;
	}
	int acc = fi->flags & O_ACCMODE;
	bool wants_write = acc == O_WRONLY || acc == O_RDWR || (fi->flags & O_TRUNC);
	bool wants_read = acc == O_RDONLY || acc == O_RDWR;
	if (wants_write && (!(f->node.mode & 0200) || !caller_may_write(d))) {
		r = -EACCES;
		goto fail;
	}
	if (wants_read && !(f->node.mode & 0400)) {
		r = -EACCES;
		goto fail;
	}
	if (wants_read) {
		r = render(f);
		if (r)
			goto fail;
	}
	fi->fh = (uint64_t)(uintptr_t)f;
	fi->direct_io = 1;	/* sizes are not known in advance: no page cache */
	fi->nonseekable = 0;
	files_add(d->tree, f);
	return 0;
fail:
	open_file_free(f);
	return r;
}

static int tree_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;

	if (f) {
		struct uprocd *d = tree_daemon();
		/* A reader that had the whole inline dump and closes the file releases
		 * it, as one that reads to the end of file does: GNU cp reads the
		 * file's size and closes without the final empty read. */
		if (f->node.kind == N_DUMP_DATA && !f->released && f->read_end) {
			struct uprocd_proc *dp = uprocd_dump_proc(d, f->node.idx);
			ssize_t size = uprocd_dump_size(d, f->node.idx, NULL);
			if (dp && size > 0 && f->read_end >= (uint64_t)size &&
			    rproc_get_coredump(dp->rproc) == RPROC_COREDUMP_INLINE)
				uprocd_dump_release(d, f->node.idx);
		}
		files_remove(d->tree, f);
		open_file_free(f);
	}
	return 0;
}

static int tree_read(const char *path, char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;
	struct uprocd *d = tree_daemon();

	if (off < 0)
		return -EINVAL;
	if (f->node.kind == N_DUMP_DATA) {
		ssize_t n = uprocd_dump_read(d, f->node.idx, buf, size, (uint64_t)off);
		if (n > 0 && (uint64_t)off + (uint64_t)n > f->read_end)
			f->read_end = (uint64_t)off + (uint64_t)n;
		/* Reading an inline dump to its end releases it: the recovery that
		 * waits for it goes on. */
		struct uprocd_proc *dp = uprocd_dump_proc(d, f->node.idx);
		if (n == 0 && !f->released && dp &&
		    rproc_get_coredump(dp->rproc) == RPROC_COREDUMP_INLINE) {
			f->released = true;
			uprocd_dump_release(d, f->node.idx);
		}
		return (int)n;
	}
	if (f->node.kind == N_DEBUG && f->node.attr == D_TRACE) {
		/* As Linux's trace file: every read looks at the buffer as it is now
		 * (the firmware goes on writing), not at a copy taken at open. */
		uprocd_text_free(&f->text);
		int r = render(f);
		if (r)
			return r;
	}
	if ((size_t)off >= f->text.len)
		return 0;
	size_t n = f->text.len - (size_t)off;
	if (n > size)
		n = size;
	memcpy(buf, f->text.buf + off, n);
	return (int)n;
}

struct store_call {
	struct uprocd_proc *proc;
	enum uprocd_attr attr;
	const char *buf;
	size_t len;
};

static int do_store(void *arg)
{
	struct store_call *c = arg;
	return uprocd_attr_store(c->proc, c->attr, c->buf, c->len);
}

static int tree_write(const char *path, const char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct open_file *f = (struct open_file *)(uintptr_t)fi->fh;
	struct uprocd *d = tree_daemon();
	struct store_call c = { .proc = f->node.proc, .buf = buf, .len = size };

	if (!caller_may_write(d))
		return -EACCES;
	if (f->node.kind == N_DUMP_DATA) {
		/* devcoredump: any write frees the dump */
		int r = uprocd_dump_release(d, f->node.idx);
		return r < 0 ? r : (int)size;
	}
	if (f->node.kind == N_ATTR) {
		c.attr = (enum uprocd_attr)f->node.attr;
	} else if (f->node.kind == N_DEBUG) {
		switch ((enum debug_entry)f->node.attr) {
		case D_RECOVERY: c.attr = UPROCD_ATTR_RECOVERY; break;
		case D_COREDUMP: c.attr = UPROCD_ATTR_COREDUMP; break;
		case D_CRASH: c.attr = UPROCD_ATTR_CRASH; break;
		default: return -EACCES;
		}
	} else {
		return -EACCES;
	}
	/* Like sysfs, a write is one store of the whole buffer. */
	if (size > 4096)
		return -EINVAL;
	int r = uproc_loop_call(d->loop, do_store, &c);
	return r < 0 ? r : (int)size;
}

static int tree_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct uprocd *d = tree_daemon();
	struct node n;
	int r = resolve(d, path, &n);

	if (r)
		return r;
	if (n.kind == N_DIR || n.kind == N_LINK)
		return -EISDIR;
	if (!(n.mode & 0200) || !caller_may_write(d))
		return -EACCES;
	return 0; /* "echo x > file" truncates first: nothing to do, as sysfs */
}

static void *tree_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->direct_io = 1;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations tree_ops = {
	.init = tree_init,
	.getattr = tree_getattr,
	.readlink = tree_readlink,
	.readdir = tree_readdir,
	.open = tree_open,
	.release = tree_release,
	.read = tree_read,
	.write = tree_write,
	.truncate = tree_truncate,
};

static void *tree_thread(void *arg)
{
	struct uprocd *d = arg;
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();

	if (cfg) {
		fuse_loop_cfg_set_max_threads(cfg, 4);
		fuse_loop_mt(d->tree->fuse, cfg);
		fuse_loop_cfg_destroy(cfg);
	} else {
		fuse_loop(d->tree->fuse);
	}
	return NULL;
}

/* A mount left behind by a uprocd that died ("Transport endpoint is not connected"). */
static void clear_stale_mount(struct uprocd *d, const char *root)
{
	struct stat st;

	if (stat(root, &st) < 0 && errno == ENOTCONN) {
		uprocd_log(d, "%s: removing the stale tree of an earlier uprocd", root);
		umount2(root, MNT_DETACH);
	}
}

int uprocd_tree_start(struct uprocd *d)
{
	const char *root = d->cfg.root;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	int r;

	d->tree = calloc(1, sizeof(*d->tree));
	if (!d->tree)
		return -ENOMEM;
	d->tree->wake_fd = -1;
	pthread_mutex_init(&d->tree->files_lock, NULL);
	clear_stale_mount(d, root);
	r = upi_mkdir_p(root, 0755);
	if (r < 0) {
		uprocd_log(d, "cannot create %s: %s", root, strerror(-r));
		goto free_tree;
	}
	if (fuse_opt_add_arg(&args, "uprocd") ||
	    fuse_opt_add_arg(&args, "-oallow_other,default_permissions,fsname=uproc,subtype=uproc")) {
		r = -ENOMEM;
		goto free_args;
	}
	d->tree->fuse = fuse_new(&args, &tree_ops, sizeof(tree_ops), d);
	if (!d->tree->fuse) {
		r = -EIO;
		uprocd_log(d, "cannot set up FUSE (is /dev/fuse there?)");
		goto free_args;
	}
	if (fuse_mount(d->tree->fuse, root) != 0) {
		r = -EIO;
		uprocd_log(d, "cannot mount the control tree on %s", root);
		goto destroy;
	}
	d->tree->mounted = true;
	r = -pthread_create(&d->tree->thread, NULL, tree_thread, d);
	if (r)
		goto unmount;
	d->tree->running = true;
	/* O_PATH: no FUSE open (whose release might never be served), yet a
	 * reference that keeps the connection alive for the wake-up at exit. */
	d->tree->wake_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fuse_opt_free_args(&args);
	return 0;

unmount:
	fuse_unmount(d->tree->fuse);
destroy:
	fuse_destroy(d->tree->fuse);
free_args:
	fuse_opt_free_args(&args);
free_tree:
	pthread_mutex_destroy(&d->tree->files_lock);
	free(d->tree);
	d->tree = NULL;
	return r;
}

void uprocd_tree_stop(struct uprocd *d)
{
	struct uprocd_tree *t = d->tree;

	if (!t)
		return;
	/* Queued writes fail first, so no FUSE thread waits on a loop that is
	 * gone; then the unmount ends the FUSE loop. */
	uproc_loop_close_calls(d->loop);
	fuse_exit(t->fuse);
	if (t->mounted)
		fuse_unmount(t->fuse);
	/* The unmount is lazy: while a program holds a file of the tree open the
	 * connection lives on and the FUSE threads keep waiting for requests. One
	 * request of our own (a GETATTR, forced past the attribute cache) lets a
	 * thread see that the session has ended. The unmount has closed our end of
	 * the device, so once the FUSE threads are gone the kernel aborts the
	 * connection: this call returns even if no thread answers it, and the
	 * program holding a file gets ENOTCONN. */
	if (t->wake_fd >= 0) {
		struct statx stx;
		statx(t->wake_fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_BASIC_STATS,
		      &stx);
		close(t->wake_fd);
	}
	if (t->running)
		pthread_join(t->thread, NULL);
	/* No FUSE thread runs now: releases that never came are done here. */
	files_free_all(t);
	fuse_destroy(t->fuse);
	pthread_mutex_destroy(&t->files_lock);
	free(t);
	d->tree = NULL;
}
